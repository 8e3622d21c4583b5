# Sourced by the scripts that run on their own PostgreSQL and Azurite (crash-tests.sh, cluster.sh): starts a throwaway
# PostgreSQL cluster and an in-memory Azurite under a temporary folder, exports ONEGO_TEST_POSTGRES and
# ONEGO_TEST_AZURITE, and stops both when the script exits. Run from the repository's root.
work=$(mktemp -d /tmp/onego-services.XXXXXX)
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
