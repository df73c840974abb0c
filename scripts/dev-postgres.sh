#!/usr/bin/env bash
# A throwaway PostgreSQL server for storylens development and tests.
#
#   scripts/dev-postgres.sh start   # prints the DSN as the LAST line of its output
#   scripts/dev-postgres.sh stop    # stops it and removes every file it made
#   scripts/dev-postgres.sh status  # the DSN when running, else exit 1
#   scripts/dev-postgres.sh down|up # stop the server keeping its files / start it again
#                                   # (same port and data): what the fault tests do
#
# `start` installs PostgreSQL with apt-get when no server binaries are found (only when run
# as root on a system with apt), runs initdb in a fresh temporary directory, and starts the
# server on 127.0.0.1 on a free port, with its socket inside that directory. Run as root,
# the server runs as the `postgres` user (or a `storylens-pg` system user made for it):
# initdb refuses root. Both commands are idempotent: `start` on a running server prints
# its DSN again; `stop` with nothing running does nothing. The server trusts loopback
# connections and runs without fsync: it is for tests and trying storylens, never for data
# worth keeping. State: $STORYLENS_PG_STATE (default ${TMPDIR:-/tmp}/storylens-dev-postgres.state).
set -euo pipefail

STATE="${STORYLENS_PG_STATE:-${TMPDIR:-/tmp}/storylens-dev-postgres.state}"
DB_NAME=storylens
DB_USER=storylens

die() { echo "dev-postgres: $*" >&2; exit 1; }

find_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

install_postgres() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "PostgreSQL server binaries not found; install PostgreSQL (e.g. apt-get install postgresql) and retry"
  fi
  echo "dev-postgres: installing PostgreSQL with apt-get" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
     --no-install-recommends postgresql) >/dev/null || die "apt-get install postgresql failed"
}

# as_user CMD...: run CMD as the server's user (root cannot run initdb or postgres).
as_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

pick_user() {
  RUN_AS="$(id -un)"
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then RUN_AS=postgres
    else
      id storylens-pg >/dev/null 2>&1 || useradd --system --no-create-home \
        --shell /usr/sbin/nologin storylens-pg || die "cannot create the storylens-pg user"
      RUN_AS=storylens-pg
    fi
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

read_state() {  # sets DIR, PORT, BINDIR, RUN_AS from the state file
  [ -f "$STATE" ] || return 1
  # shellcheck disable=SC1090
  . "$STATE"
  [ -n "${DIR:-}" ] && [ -d "$DIR/data" ]
}

dsn() { echo "postgresql://$DB_USER@127.0.0.1:$PORT/$DB_NAME"; }

running() {
  read_state && as_user "$BINDIR/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  if running; then
    echo "dev-postgres: already running (state in $STATE)"
    dsn
    return 0
  fi
  [ -f "$STATE" ] && stop >/dev/null
  BINDIR="$(find_bindir)" || { install_postgres; BINDIR="$(find_bindir)" || die "no initdb after install"; }
  pick_user
  DIR="$(mktemp -d "${TMPDIR:-/tmp}/storylens-pg.XXXXXX")"
  chmod 755 "$DIR"
  [ "$(id -u)" = 0 ] && chown "$RUN_AS" "$DIR"
  PORT="$(free_port)"
  printf 'DIR=%q\nPORT=%q\nBINDIR=%q\nRUN_AS=%q\n' "$DIR" "$PORT" "$BINDIR" "$RUN_AS" > "$STATE"
  as_user "$BINDIR/initdb" -D "$DIR/data" -U "$DB_USER" -A trust -E UTF8 --locale=C \
    --no-sync >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  # settings in the data directory, so `up` after `down` starts the same server
  printf '%s\n' "listen_addresses = '127.0.0.1'" "port = $PORT" \
    "unix_socket_directories = '$DIR/data'" "fsync = off" "synchronous_commit = off" \
    "full_page_writes = off" "max_connections = 200" | as_user tee -a \
    "$DIR/data/postgresql.conf" >/dev/null
  as_user "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null \
    || { cat "$DIR/server.log" >&2; die "the server did not start"; }
  as_user "$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U "$DB_USER" "$DB_NAME" \
    || die "createdb failed"
  echo "dev-postgres: PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') running in $DIR (state in $STATE; stop with: $0 stop)"
  dsn
}

stop() {
  if ! read_state; then
    rm -f "$STATE"
    echo "dev-postgres: not running"
    return 0
  fi
  as_user "$BINDIR/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  rm -f "$STATE"
  echo "dev-postgres: stopped and removed $DIR"
}

server_down() {
  read_state || die "not started"
  as_user "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
}

server_up() {
  read_state || die "not started"
  as_user "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null \
    || { cat "$DIR/server.log" >&2; die "the server did not start"; }
  dsn
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  down) server_down ;;
  up) server_up ;;
  status) if running; then dsn; else echo "dev-postgres: not running" >&2; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|down|up" >&2; exit 2 ;;
esac
