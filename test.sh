#!/usr/bin/env bash
# OneGo's test command. It starts what the tests need (a throwaway PostgreSQL cluster, an in-memory Azurite, an SMTP server), runs
# every test of Platform.sln on SQLite and PostgreSQL, stops and removes what it started, and ends with the line
# "N passed, N failed, N skipped" computed from the test results (TRX). It fails when any test fails or none ran.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
work=$(mktemp -d /tmp/onego-test.XXXXXX)
chmod 755 "$work"
results="$root/.test-results"
rm -rf "$results"
mkdir -p "$results"

cleanup() {
  infra/postgres.sh stop "$work/postgres" >/dev/null 2>&1 || true
  infra/azurite.sh stop "$work/azurite" >/dev/null 2>&1 || true
  infra/smtp4dev.sh stop "$work/smtp4dev" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The browser tests drive Debian's Chromium through its chromedriver; install both when either is missing. A browser
# test fails, never skips, when they are still missing, so a failed install is reported and the tests go on.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "Installing Chromium and chromedriver from Debian's packages…"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } ||
    echo "Chromium could not be installed: the browser tests will fail." >&2
fi

# The mail server starts in the background while the rest starts: set-password links are read from it.
echo "Starting smtp4dev (an SMTP server that keeps what it receives)…"
infra/smtp4dev.sh start "$work/smtp4dev" >"$work/smtp4dev.address" 2>"$work/smtp4dev.err" &
smtp_pid=$!

echo "Starting a throwaway PostgreSQL cluster…"
ONEGO_TEST_POSTGRES=$(infra/postgres.sh start "$work/postgres")
export ONEGO_TEST_POSTGRES
echo "Starting Azurite (the Azure Blob Storage emulator)…"
ONEGO_TEST_AZURITE=$(infra/azurite.sh start "$work/azurite")
export ONEGO_TEST_AZURITE
if wait "$smtp_pid"; then
  read -r ONEGO_TEST_SMTP ONEGO_TEST_SMTP_API <"$work/smtp4dev.address"
  export ONEGO_TEST_SMTP ONEGO_TEST_SMTP_API
else
  # The tests that read mail fail, never skip, when the server is missing.
  cat "$work/smtp4dev.err" >&2
  echo "smtp4dev could not be started: the tests that read mail will fail." >&2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

status=0
dotnet test Platform.sln --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# One line per test result; the class name says which database a test ran on (…OnSqlite, …OnPostgres).
summary=$(cat "$results"/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*>' | awk '
  {
    name = ""; outcome = "";
    if (match($0, /testName="[^"]*"/)) name = substr($0, RSTART + 10, RLENGTH - 11);
    if (match($0, /outcome="[^"]*"/)) outcome = substr($0, RSTART + 9, RLENGTH - 10);
    group = (name ~ /OnPostgres/) ? "PostgreSQL" : (name ~ /OnSqlite/) ? "SQLite" : "no database";
    if (outcome == "Passed") { passed[group]++; p++ }
    else if (outcome == "Failed" || outcome == "Error" || outcome == "Timeout" || outcome == "Aborted") { failed[group]++; f++ }
    else { skipped[group]++; s++ }
    groups[group] = 1
  }
  END {
    n = split("SQLite|PostgreSQL|no database", order, "|");
    for (i = 1; i <= n; i++) {
      g = order[i];
      if (g in groups) printf "  %-12s %d passed, %d failed, %d skipped\n", g ":", passed[g] + 0, failed[g] + 0, skipped[g] + 0;
    }
    printf "%d passed, %d failed, %d skipped\n", p + 0, f + 0, s + 0
  }')

echo
echo "Tests by database:"
echo "$summary"
total_line=$(echo "$summary" | tail -n 1)
passed=$(echo "$total_line" | awk '{print $1}')
failed=$(echo "$total_line" | awk '{print $3}')
if [ "${passed:-0}" -eq 0 ] && [ "${failed:-0}" -eq 0 ]; then
  echo "No test ran." >&2
  status=1
fi
if [ "${failed:-0}" -ne 0 ]; then
  status=1
fi
exit $status
