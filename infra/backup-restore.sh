#!/usr/bin/env bash
# Backup and restore of OneGo's data (等保 2.0: 数据备份恢复), the recipe of infra/README.md as a script: the database
# with pg_dump's custom format as the tables' owner, the file-system blob folder as a tar. A restore goes into a new,
# empty database and an empty folder, and is checked against what the backup recorded: every table's row count, each
# audit chain's head, and the application's role reading under row-level security.
#   infra/backup-restore.sh backup DIR    the database PGHOST/PGPORT/PGDATABASE as PGUSER (the owner, onego_owner; PGPASSWORD)
#                                         and the blob folder ONEGO_BLOBS (if set) into DIR
#   infra/backup-restore.sh restore DIR   DIR into PGDATABASE (new, empty, owned by PGUSER) and the empty folder ONEGO_BLOBS,
#                                         then checks it (ONEGO_APP_ROLE, default onego_app; its password ONEGO_APP_PASSWORD)
#   infra/backup-restore.sh try           both, once, on the throwaway cluster of ONEGO_TEST_POSTGRES (infra/postgres.sh):
#                                         a database migrated and filled by the server (ONEGO_SERVER, default
#                                         `dotnet run --project src/OneGo.Server --`) from tenants/, with an audit checkpoint;
#                                         backed up, restored into a new database, and `audit verify` run on the copy
# pg_dump and pg_restore are those of the PostgreSQL infra/postgres.sh finds (ONEGO_PG_BIN to name others): they must be
# of the server's major version or newer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${ONEGO_PG_BIN:-$("$here/postgres.sh" bin 2>/dev/null || dirname "$(command -v pg_dump)")}
app_role=${ONEGO_APP_ROLE:-onego_app}

psql_() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 --no-password "$@"; }

# Every table of the schema with its exact row count, as a role that sees every row (the owner bypasses row-level security).
counts() {
  psql_ -At -F $'\t' <<'SQL'
SELECT format('SELECT %L, count(*) FROM public.%I', tablename, tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename
\gexec
SQL
}

# Each tenant's audit chain head: its last sequence number and hash.
heads() {
  psql_ -At -F $'\t' -c 'SELECT DISTINCT ON ("TenantId") "TenantId", "Sequence", "Hash" FROM "AuditEntries" ORDER BY "TenantId", "Sequence" DESC'
}

backup() {
  local dir=${1:?the folder to write the backup into}
  mkdir -p "$dir"
  # The blobs first: a checkpoint in the copy then never names an audit entry the database copy lacks.
  if [ -n "${ONEGO_BLOBS:-}" ]; then
    tar -C "$ONEGO_BLOBS" -czf "$dir/blobs.tar.gz" .
  fi
  "$bin/pg_dump" --format=custom --no-password --file="$dir/onego.dump"
  counts >"$dir/counts.tsv"
  heads >"$dir/audit-heads.tsv"
  (cd "$dir" && sha256sum -- * >SHA256SUMS)
  echo "Backed up $PGDATABASE: $(wc -l <"$dir/counts.tsv") tables, $(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$dir/counts.tsv") rows, $(wc -l <"$dir/audit-heads.tsv") audit chains${ONEGO_BLOBS:+, the blobs of $ONEGO_BLOBS}; into $dir."
}

restore() {
  local dir=${1:?the folder of a backup}
  (cd "$dir" && sha256sum --quiet -c SHA256SUMS) || { echo "$dir does not hold the files its SHA256SUMS names." >&2; exit 1; }
  if [ "$(psql_ -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" != 0 ]; then
    echo "$PGDATABASE already holds tables: restore into a new, empty database." >&2
    exit 1
  fi
  # One transaction: a restore that fails leaves the database empty, not half-filled.
  "$bin/pg_restore" --exit-on-error --single-transaction --no-password --dbname="$PGDATABASE" "$dir/onego.dump"
  if [ -f "$dir/blobs.tar.gz" ]; then
    : "${ONEGO_BLOBS:?the blob folder to restore into}"
    mkdir -p "$ONEGO_BLOBS"
    if [ -n "$(ls -A "$ONEGO_BLOBS")" ]; then
      echo "$ONEGO_BLOBS is not empty: restore the blobs into an empty folder." >&2
      exit 1
    fi
    tar -C "$ONEGO_BLOBS" -xzf "$dir/blobs.tar.gz"
  fi
  check "$dir"
}

# The restored database answers as the original did.
check() {
  local dir=$1 total tables
  diff <(counts) "$dir/counts.tsv" >&2 || { echo "The restored row counts differ from the backup's (above: < restored, > backed up)." >&2; exit 1; }
  diff <(heads) "$dir/audit-heads.tsv" >&2 || { echo "The restored audit chains' heads differ from the backup's." >&2; exit 1; }
  tables=$(wc -l <"$dir/counts.tsv")
  total=$(awk -F'\t' '$1 == "AuditEntries" { print $2 }' "$dir/counts.tsv")
  # The application's role: outside a scope it sees no audit entry; in the national scope reading below, every one;
  # it may not change them. So the grants and the row-level security policies came back with the tables.
  local as_app
  as_app=$(PGUSER=$app_role PGPASSWORD=${ONEGO_APP_PASSWORD:-${PGPASSWORD:-}} psql_ -At <<'SQL'
SELECT count(*) FROM "AuditEntries";
SELECT set_config('onego.tenant', 'national', false), set_config('onego.below', 'on', false) \g /dev/null
SELECT count(*) FROM "AuditEntries";
SELECT has_table_privilege('"AuditEntries"', 'UPDATE');
SQL
)
  if [ "$as_app" != "$(printf '0\n%s\nf' "$total")" ]; then
    echo "As $app_role the restored audit log reads otherwise than row-level security says (outside a scope, nationally, may update): $(echo "$as_app" | tr '\n' ' ')" >&2
    exit 1
  fi
  echo "Restored into $PGDATABASE: $tables tables with the backup's row counts, the audit chains' heads as backed up, $app_role reading under row-level security."
}

try() {
  : "${ONEGO_TEST_POSTGRES:?the connection string of the throwaway cluster, as infra/postgres.sh start DIR prints it}"
  local work key original copy server
  # Host=…;Port=…;Username=… → libpq's variables.
  export PGHOST PGPORT
  PGHOST=$(tr ';' '\n' <<<"$ONEGO_TEST_POSTGRES" | sed -n 's/^Host=//p')
  PGPORT=$(tr ';' '\n' <<<"$ONEGO_TEST_POSTGRES" | sed -n 's/^Port=//p')
  local superuser
  superuser=$(tr ';' '\n' <<<"$ONEGO_TEST_POSTGRES" | sed -n 's/^Username=//p')
  work=$(mktemp -d /tmp/onego-backup-try.XXXXXX)
  original=onego_try_$RANDOM$RANDOM
  copy=${original}_restored
  # shellcheck disable=SC2064 # the names are fixed now: the trap runs after this function has returned
  trap "PGUSER=$superuser PGDATABASE=postgres psql_ -c 'DROP DATABASE IF EXISTS $original WITH (FORCE)' -c 'DROP DATABASE IF EXISTS $copy WITH (FORCE)' >/dev/null; rm -rf '$work'" EXIT
  PGUSER=$superuser PGDATABASE=postgres psql_ -c "CREATE DATABASE $original OWNER onego_owner" -c "CREATE DATABASE $copy OWNER onego_owner"

  key=$(head -c 32 /dev/urandom | base64)
  server=${ONEGO_SERVER:-dotnet run --project "$here/../src/OneGo.Server" --}
  onego() { # the server's command line on one database and blob folder, as a deployment's nodes are configured
    local database=$1 blobs=$2; shift 2
    ASPNETCORE_ENVIRONMENT=Testing $server "$@" --Database:Provider=postgres --Database:AppRole=onego_app \
      "--Database:ConnectionString=Host=$PGHOST;Port=$PGPORT;Database=$database;Username=onego_app" \
      "--Database:OwnerConnectionString=Host=$PGHOST;Port=$PGPORT;Database=$database;Username=onego_owner" \
      "--Blobs:Path=$blobs" "--Audit:CheckpointKey=$key" "--Identity:KeyProtection:Certificate=$work/key-protection.pfx" \
      "--Mail:PickupFolder=$work/mail" >"$work/server.log" 2>&1 || { cat "$work/server.log" >&2; return 1; }
  }
  echo "Filling $original from tenants/ (migrate and import), with an audit checkpoint…"
  onego "$original" "$work/blobs" tenants import "$here/../tenants"
  onego "$original" "$work/blobs" audit checkpoint

  PGUSER=onego_owner PGDATABASE=$original ONEGO_BLOBS=$work/blobs backup "$work/backup"
  PGUSER=onego_owner PGDATABASE=$copy ONEGO_BLOBS=$work/restored-blobs restore "$work/backup"
  onego "$copy" "$work/restored-blobs" audit verify
  grep -E "chain\(s\)|intact" "$work/server.log"
  echo "The backup of $original restored into $copy, and its audit log verified against the restored checkpoints."
}

case "${1:-}" in
  backup) backup "${2:-}" ;;
  restore) restore "${2:-}" ;;
  try) try ;;
  *) echo "usage: $0 backup DIR | restore DIR | try" >&2; exit 2 ;;
esac
