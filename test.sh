#!/usr/bin/env bash
# OneGo's test command. It starts what the tests need (a throwaway PostgreSQL cluster, an in-memory Azurite, an SMTP server), runs
# every test of Platform.sln on SQLite and PostgreSQL, stops and removes what it started, and ends with the line
# "N passed, N failed, N skipped" computed from the test results (TRX). It fails when any test fails or is skipped,
# when none ran, when a service ran fewer tests than its minimum below, or when a test class reached a service its
# name does not name.
#   ./test.sh                       run everything
#   ./test.sh --summary DIR [FILE]  only the closing summary, of the TRX files in DIR (and a usage file, see below)
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD

# A test class names each real service it uses (…OnSqlite, …OnPostgres, …OnPostgresAndAzurite, …InChromiumOnSqlite):
# its tests count for each service it names, and for "none" when it names none. The tests check the names as they run
# (tests/Shared/TestUsage.cs): a class that reaches a service its name does not name is written to the usage file.
# Each service must run at least this many tests: a bit under the counts of 2026-12 (174 SQLite, 149 PostgreSQL, 47
# Azurite, 17 Chromium, 208 none), so that losing a group, or most of one, fails.
declare -A minimum=([SQLite]=165 [PostgreSQL]=140 [Azurite]=42 [Chromium]=15 [none]=195)

summarize() {
  local results=$1 usage=${2:-} status=0 summary
  # One line per test result, grouped by the services its class names.
  summary=$({ cat "$results"/*.trx 2>/dev/null || true; } | { grep -o '<UnitTestResult [^>]*>' || true; } | awk '
    {
      name = ""; outcome = "";
      if (match($0, /testName="[^"]*"/)) name = substr($0, RSTART + 10, RLENGTH - 11);
      if (match($0, /outcome="[^"]*"/)) outcome = substr($0, RSTART + 9, RLENGTH - 10);
      class = name; sub(/\(.*/, "", class); sub(/\.[^.]*$/, "", class); sub(/.*\./, "", class);
      n = 0;
      if (class ~ /Sqlite/) g[++n] = "SQLite";
      if (class ~ /Postgres/) g[++n] = "PostgreSQL";
      if (class ~ /Azurite/) g[++n] = "Azurite";
      if (class ~ /Chromium/) g[++n] = "Chromium";
      if (n == 0) g[++n] = "none";
      kind = outcome == "Passed" ? "passed" : (outcome == "Failed" || outcome == "Error" || outcome == "Timeout" || outcome == "Aborted") ? "failed" : "skipped";
      for (i = 1; i <= n; i++) count[g[i], kind]++;
      total[kind]++;
      if (kind == "skipped") printf "SKIPPED %s (%s)\n", name, outcome;
    }
    END {
      split("SQLite|PostgreSQL|Azurite|Chromium|none", order, "|");
      for (i = 1; i <= 5; i++) printf "GROUP %s %d %d %d\n", order[i], count[order[i], "passed"] + 0, count[order[i], "failed"] + 0, count[order[i], "skipped"] + 0;
      printf "TOTAL %d %d %d\n", total["passed"] + 0, total["failed"] + 0, total["skipped"] + 0;
    }')

  local passed failed skipped
  read -r _ passed failed skipped <<<"$(grep '^TOTAL ' <<<"$summary")"
  echo
  echo "Tests by the service their class uses (a test counts for each service its class names):"
  while read -r _ group p f s; do
    printf "  %-11s %d passed, %d failed, %d skipped (at least %d must pass)\n" "$group:" "$p" "$f" "$s" "${minimum[$group]}"
    if [ "$((passed + failed + skipped))" -gt 0 ] && [ "$p" -lt "${minimum[$group]}" ]; then
      echo "Too few tests ran on $group: $p passed, at least ${minimum[$group]} must." >&2
      status=1
    fi
  done < <(grep '^GROUP ' <<<"$summary")
  if [ "$skipped" -ne 0 ]; then
    echo "$skipped test(s) did not run (a skipped test is a failure here):" >&2
    grep '^SKIPPED ' <<<"$summary" | sed 's/^SKIPPED /  /' >&2
    status=1
  fi
  if [ -n "$usage" ] && [ -s "$usage" ]; then
    echo "Test classes that reach a service their name does not name (service, where, the classes that must name it):" >&2
    sort -u "$usage" | sed 's/^/  /' >&2
    status=1
  fi
  if [ "$failed" -ne 0 ]; then
    status=1
  fi
  if [ "$((passed + failed + skipped))" -eq 0 ]; then
    echo "No test ran." >&2
    status=1
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  return $status
}

if [ "${1:-}" = "--summary" ]; then
  summarize "${2:?the folder of the TRX files}" "${3:-}" || exit 1
  exit 0
fi

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

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# What takes time before the first test is mostly waiting on the network: the solution restores and builds in the
# background while the tools below install and the services start, and the tests run once all of it is done.
echo "Building Platform.sln in the background…"
dotnet build Platform.sln >"$work/build.log" 2>&1 &
build_pid=$!

# The browser tests drive Debian's Chromium through its chromedriver; install both when either is missing. A browser
# test fails, never skips, when they are still missing, so a failed install is reported and the tests go on. It
# installs in the background, beside the npm installs below (apt and npm do not share a lock).
apt_pid=
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "Installing Chromium and chromedriver from Debian's packages in the background…"
  { { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } ||
    echo "Chromium could not be installed: the browser tests will fail." >&2; } &
  apt_pid=$!
fi

# Redocly CLI (pinned in infra/redocly/package-lock.json) lints the committed OpenAPI document, and axe-core (pinned in
# infra/axe/package-lock.json) checks the main pages' accessibility in the browser tests; each test fails, never
# skips, when its install failed. Both install at once.
npm_pids=()
if [ ! -x infra/redocly/node_modules/.bin/redocly ]; then
  echo "Installing Redocly CLI (npm ci in infra/redocly)…"
  { (cd infra/redocly && npm ci --no-audit --no-fund --silent) || echo "Redocly CLI could not be installed: the OpenAPI lint test will fail." >&2; } &
  npm_pids+=($!)
fi
if [ ! -f infra/axe/node_modules/axe-core/axe.min.js ]; then
  echo "Installing axe-core (npm ci in infra/axe)…"
  { (cd infra/axe && npm ci --no-audit --no-fund --silent) || echo "axe-core could not be installed: the accessibility check will fail." >&2; } &
  npm_pids+=($!)
fi

# The mail server starts in the background while the rest starts: set-password links are read from it.
echo "Starting smtp4dev (an SMTP server that keeps what it receives)…"
infra/smtp4dev.sh start "$work/smtp4dev" >"$work/smtp4dev.address" 2>"$work/smtp4dev.err" &
smtp_pid=$!

# postgres.sh installs the server from Debian's packages when it is missing: not while apt installs Chromium.
if [ -n "$apt_pid" ] && ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  wait "$apt_pid" || true
  apt_pid=
fi
echo "Starting a throwaway PostgreSQL cluster…"
ONEGO_TEST_POSTGRES=$(infra/postgres.sh start "$work/postgres")
export ONEGO_TEST_POSTGRES
echo "Starting Azurite (the Azure Blob Storage emulator)…"
ONEGO_TEST_AZURITE=$(infra/azurite.sh start "$work/azurite")
export ONEGO_TEST_AZURITE
# The SHACL validator of the CPSV-AP tests (infra/shacl: rdf-validate-shacl, jsonld and n3 at the versions of its lock
# file); those tests fail, never skip, when it could not be installed.
if [ ! -d infra/shacl/node_modules ]; then
  echo "Installing the SHACL validator from npm…"
  { command -v npm >/dev/null || { [ -z "$apt_pid" ] || wait "$apt_pid" || true; DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }; } &&
    (cd infra/shacl && npm ci --no-audit --no-fund --loglevel=error) || echo "The SHACL validator could not be installed: the CPSV-AP tests will fail." >&2
fi
for pid in "${npm_pids[@]}" $apt_pid; do
  wait "$pid" || true
done
if wait "$smtp_pid"; then
  read -r ONEGO_TEST_SMTP ONEGO_TEST_SMTP_API <"$work/smtp4dev.address"
  export ONEGO_TEST_SMTP ONEGO_TEST_SMTP_API
else
  # The tests that read mail fail, never skip, when the server is missing.
  cat "$work/smtp4dev.err" >&2
  echo "smtp4dev could not be started: the tests that read mail will fail." >&2
fi
export ONEGO_TEST_USAGE="$work/usage.tsv"
: >"$ONEGO_TEST_USAGE"

status=0
if wait "$build_pid"; then
  echo "Built Platform.sln."
  # The zone's fixed crash points are each killed by infra/crash-tests.sh; here the random points and the withdrawal.
  dotnet test Platform.sln --no-build --filter "Run!=script" --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
else
  # No test can run on a solution that does not build: say why, and fail.
  grep -E "error|Error" "$work/build.log" | sort -u >&2 || cat "$work/build.log" >&2
  echo "Platform.sln does not build." >&2
  status=1
fi
summarize "$results" "$ONEGO_TEST_USAGE" || status=1
exit $status
