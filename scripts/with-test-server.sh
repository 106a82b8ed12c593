#!/usr/bin/env bash
# Runs a command beside a PostgreSQL server of its own (Debian's
# `postgresql`, which `make test` installs): a new cluster in a temporary
# folder, on loopback, stopped and removed when the command ends. The
# command finds it in KIZUNA_TEST_STORE, the admin's address; the engine's
# unit tests then run on the server (src/testutil/server.rs).
# PostgreSQL refuses to run as root: as root, the cluster is the postgres
# user's. Its disk syncs are off: a test's commit needs no power-cut safety.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (apt postgresql postgresql-contrib; make test-deps)" >&2; exit 1; }
dir=$(mktemp -d /tmp/kizuna-test-server.XXXXXX)
as=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as=(runuser -u postgres --)
fi
password="admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
echo "$password" >"$dir/pw"
[ "$(id -u)" = 0 ] && chown postgres: "$dir/pw"
"${as[@]}" "$bin/initdb" -D "$dir/data" -U admin --pwfile="$dir/pw" --auth-host=scram-sha-256 \
  --auth-local=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 \
  -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
  -c shared_buffers=32MB -c dynamic_shared_memory_type=mmap" start >/dev/null
stop() {
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
KIZUNA_TEST_STORE="postgres://admin:$password@127.0.0.1:$port/postgres" "$@"
