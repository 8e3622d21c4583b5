#!/usr/bin/env bash
# The zone's fixed crash points, each killed on its own (CrashRecoveryTestsOnPostgresAndAzurite, the tests marked
# Run=script): a server process killed before a batch commits, after it commits, between two batches, after a snapshot
# was written and after a push was accepted, then started again. The test command (./test.sh) leaves them here to keep
# its run under 25 minutes on two cores, and kills at random points run after run instead. This starts a throwaway
# PostgreSQL cluster and an in-memory Azurite, runs the tests, and stops both.
#   infra/crash-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. infra/throwaway-services.sh
dotnet test tests/OneGo.Server.Tests --filter "Run=script" --logger "console;verbosity=normal"
