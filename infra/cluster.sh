#!/usr/bin/env bash
# Three OneGo nodes behind the gateway (infra/gateway, YARP) on one PostgreSQL and Azurite, one killed during a
# publishing run under reads (bench/OneGo.Benchmarks/Cluster.cs): prints whether another node took the run over and
# finished it, whether the zone holds every publication once without a gap in its sequence, which reads failed and on
# which node, and when the restarted node served through the gateway again. Starts a throwaway PostgreSQL cluster and
# an in-memory Azurite (infra/postgres.sh, infra/azurite.sh), builds in Release, and stops both at the end.
#   infra/cluster.sh [bundles]        (2,000 approved bundles by default)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
. infra/throwaway-services.sh
echo "Building the server, the gateway and the benchmarks (Release)…" >&2
dotnet build bench/OneGo.Benchmarks -c Release -nologo -v quiet >&2
dotnet bench/OneGo.Benchmarks/bin/Release/net10.0/OneGo.Benchmarks.dll cluster "$count"
