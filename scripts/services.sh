#!/usr/bin/env bash
# Starts (or stops) a throwaway Postgres 15 and Redis on loopback for the integration tests.
#   eval "$(scripts/services.sh start)"   # prints `export SETLIST_TEST_PG_URL=... SETLIST_TEST_REDIS_URL=...`
#   scripts/services.sh stop
# State lives in $SETLIST_SERVICES_DIR (default /tmp/setlist-services); nothing persists across runs.
set -euo pipefail
dir="${SETLIST_SERVICES_DIR:-/tmp/setlist-services}"
pgbin="${SETLIST_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

free_port() {
  node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Postgres refuses to run as root: run its tools as the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  # Whatever an earlier start left, finished or not (a start that failed halfway leaves Postgres up).
  if [ -e "$dir" ]; then stop >/dev/null 2>&1 || true; fi
  mkdir -p "$dir"
  local pgport redisport
  pgport=$(free_port)
  redisport=$(free_port)
  mkdir -p "$dir/pg"
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir/pg"
  as_pg "$pgbin/initdb" -D "$dir/pg/data" -U setlist -A trust --no-sync -E UTF8 --locale C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/postgres.log" -w -t 30 \
    -o "-p $pgport -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/pg/postgres.log" >&2; exit 1; }
  redis-server --port "$redisport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$redisport" ping >/dev/null 2>&1 && break; sleep 0.1; done
  {
    echo "export SETLIST_TEST_PG_URL=postgresql://setlist@127.0.0.1:$pgport/postgres"
    echo "export SETLIST_TEST_REDIS_URL=redis://127.0.0.1:$redisport"
  } >"$dir/env"
  cat "$dir/env"
}

stop() {
  if [ -d "$dir/pg/data" ]; then as_pg "$pgbin/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
