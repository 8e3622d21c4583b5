#!/usr/bin/env bash
# A throwaway SMTP server for the tests (smtp4dev, a dotnet tool): installs it when missing, starts it on free
# loopback ports with an in-memory store, and prints where to send mail and where to read it.
#   infra/smtp4dev.sh start DIR   -> prints "127.0.0.1:SMTP_PORT http://127.0.0.1:API_PORT"
#   infra/smtp4dev.sh stop DIR
set -euo pipefail

version=3.15.0
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/onego/smtp4dev

free_port() {
  python3 - <<'PY' 2>/dev/null || shuf -i 20000-40000 -n 1
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

cmd=${1:?start or stop}
dir=${2:?working directory}

case "$cmd" in
  start)
    if [ ! -x "$cache/smtp4dev" ]; then
      echo "smtp4dev not found: installing Rnwood.Smtp4dev $version into $cache…" >&2
      mkdir -p "$(dirname "$cache")"
      # Two test runs on one machine may both get here: one installs, the other waits for it.
      (
        flock 9
        [ -x "$cache/smtp4dev" ] || dotnet tool install Rnwood.Smtp4dev --version "$version" --tool-path "$cache" >&2
      ) 9>"$cache.lock"
    fi
    mkdir -p "$dir/data"
    for attempt in 1 2 3; do
      smtp=$(free_port); web=$(free_port); imap=$(free_port); pop=$(free_port)
      (cd "$dir" && exec "$cache/smtp4dev" --urls "http://127.0.0.1:$web" --smtpport "$smtp" --imapport "$imap" --pop3port "$pop" \
        --bindaddress 127.0.0.1 --db "" --nousersettings --baseappdatapath "$dir/data" --hostname localhost --messagestokeep 100000 \
        </dev/null >"$dir/smtp4dev.log" 2>&1) &
      pid=$!
      echo "$pid" > "$dir/pid"
      for _ in $(seq 1 900); do
        curl -sf "http://127.0.0.1:$web/api/messages" >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      if curl -sf "http://127.0.0.1:$web/api/messages" >/dev/null 2>&1; then
        echo "127.0.0.1:$smtp http://127.0.0.1:$web"
        exit 0
      fi
      kill "$pid" 2>/dev/null || true
      echo "smtp4dev did not answer (attempt $attempt):" >&2
      tail -20 "$dir/smtp4dev.log" >&2 || true
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
