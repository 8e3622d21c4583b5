#!/usr/bin/env bash
# A throwaway Azurite (the Azure Blob Storage emulator) for the tests: installs it from npm when missing, starts
# its blob service in memory on a free loopback port, and prints the connection string.
#   infra/azurite.sh start DIR   -> prints "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;...;BlobEndpoint=http://127.0.0.1:N/devstoreaccount1;"
#   infra/azurite.sh stop DIR
set -euo pipefail

version=3.37.0
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/onego/azurite
# The emulator's published development account; it guards nothing.
account_key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

find_bin() {
  if [ -x "$cache/node_modules/.bin/azurite-blob" ]; then echo "$cache/node_modules/.bin/azurite-blob"; return 0; fi
  command -v azurite-blob
}

install_azurite() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Node.js or npm not found: installing them from Debian's packages…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq nodejs npm >&2
  fi
  echo "Azurite not found: installing azurite@$version from npm into $cache…" >&2
  mkdir -p "$cache"
  # Two test runs on one machine may both get here: one installs, the other waits for it.
  (
    flock 9
    if [ ! -x "$cache/node_modules/.bin/azurite-blob" ]; then
      npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "azurite@$version" >&2
    fi
  ) 9>"$cache.lock"
}

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-40000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cmd=${1:?start or stop}
dir=${2:?working directory}

case "$cmd" in
  start)
    if ! bin=$(find_bin); then
      install_azurite
      bin=$(find_bin)
    fi
    mkdir -p "$dir"
    # A free port can be taken between choosing it and binding it: try a few.
    for attempt in 1 2 3; do
      port=$(free_port)
      # Output to a file, not this script's stdout: the caller reads stdout until every writer has closed it.
      (cd "$dir" && exec "$bin" --inMemoryPersistence --blobHost 127.0.0.1 --blobPort "$port" \
        --disableTelemetry --silent --skipApiVersionCheck </dev/null >"$dir/azurite.log" 2>&1) &
      pid=$!
      echo "$pid" > "$dir/pid"
      for _ in $(seq 1 600); do
        answers "$port" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if answers "$port"; then
        echo "$port" > "$dir/port"
        echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$account_key;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
        exit 0
      fi
      kill "$pid" 2>/dev/null || true
      echo "Azurite did not answer on port $port (attempt $attempt):" >&2
      cat "$dir/azurite.log" >&2 || true
    done
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
