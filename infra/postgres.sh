#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: installs the server from Debian's packages when missing,
# starts it under /tmp on a free loopback port, creates OneGo's owner and application roles (infra/postgres-roles.sql,
# the production recipe), and prints the superuser's connection string. The tests use it only to create and drop their
# databases; each database is owned by onego_owner, and the servers the tests start connect as onego_app.
#   infra/postgres.sh start DIR   -> prints "Host=127.0.0.1;Port=N;Username=postgres;..."
#   infra/postgres.sh stop DIR
#   infra/postgres.sh bin         -> the folder of the server's binaries (pg_dump, pg_restore, psql of the same version)
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-40000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

cmd=${1:?start, stop or bin}
[ "$cmd" = bin ] && { find_bin; exit; }
dir=${2:?cluster directory}

case "$cmd" in
  start)
    if ! bin=$(find_bin); then
      echo "PostgreSQL server not found: installing it from Debian's packages…" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq postgresql >&2
      bin=$(find_bin)
    fi
    id postgres >/dev/null 2>&1 || useradd --system --home /tmp postgres
    mkdir -p "$dir"
    chown postgres "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
    port=$(free_port)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >&2
    echo "$port" > "$dir/port"
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
      -f "$(dirname "$0")/postgres-roles.sql" >"$dir/roles.log" 2>&1 || { cat "$dir/roles.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Include Error Detail=true"
    ;;
  stop)
    if bin=$(find_bin) && [ -d "$dir/data" ]; then
      as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR, or $0 bin" >&2; exit 2 ;;
esac
