#!/usr/bin/env bash
# The zone's fixed crash points, each killed on its own (CrashRecoveryTestsOnPostgresAndAzurite, the tests marked
# Run=script): a server process killed before a batch commits, after it commits, between two batches, after a snapshot
# was written and after a push was accepted, then started again. The test command (./test.sh) leaves them here to keep
# its run under 25 minutes on two cores, and kills at random points run after run instead. This starts a throwaway
# PostgreSQL cluster and an in-memory Azurite, runs the tests, and stops both.
#   infra/crash-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/onego-crash.XXXXXX)
# PostgreSQL runs as its own user: it must reach its folder.
chmod 755 "$work"
cleanup() {
  infra/postgres.sh stop "$work/postgres" >/dev/null 2>&1 || true
  infra/azurite.sh stop "$work/azurite" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
ONEGO_TEST_POSTGRES=$(infra/postgres.sh start "$work/postgres")
ONEGO_TEST_AZURITE=$(infra/azurite.sh start "$work/azurite")
export ONEGO_TEST_POSTGRES ONEGO_TEST_AZURITE
dotnet test tests/OneGo.Server.Tests --filter "Run=script" --logger "console;verbosity=normal"
