#!/bin/sh
# pg.sh: a throwaway PostgreSQL cluster for the tests and benches, in a
# directory of its own, reachable only through a Unix socket there (no TCP
# port), owned by an unprivileged user, gone when stopped.
#
#   pg.sh start DIR         initdb + pg_ctl start in DIR (created, empty)
#   pg.sh stop DIR          stop the cluster and remove DIR
#   pg.sh halt DIR          stop the server at once (a crash), keep DIR
#   pg.sh resume DIR        start a halted cluster's server again
#   pg.sh createdb DIR NAME a fresh database; prints its connection URL
#   pg.sh url DIR NAME      the connection URL of database NAME
#   pg.sh psql DIR NAME ... psql on database NAME with the arguments given
#
# initdb refuses to run as root: as root, the cluster runs as the
# 'postgres' user that Debian's postgresql package creates. Its superuser
# is 'muni', with trust authentication, which is safe only because the
# socket lives in DIR (mode 0700) and nothing listens on TCP. fsync is off:
# this cluster holds test data only, and the tests that prove durability
# kill processes, not the machine.
set -eu

usage() {
	echo "usage: pg.sh start|stop|halt|resume DIR | createdb|url DIR NAME | psql DIR NAME [ARG...]" >&2
	exit 2
}

# Debian keeps the server's programs out of PATH, under a versioned
# directory; take the newest.
bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	if command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v initdb)"
		return 0
	fi
	echo "pg.sh: no PostgreSQL server found (install the 'postgresql' package: make deps)" >&2
	exit 1
}

# as_owner CMD...: run CMD as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# serve: start the server of DIR's cluster. Enough connections for two
# gateways, kiosks and munictl at once; no TCP; the socket and the log in
# DIR. $PG_OPTS (more -c NAME=VALUE words) come last and win: a test of
# TLS listens on 127.0.0.1 with a certificate.
serve() {
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_OPTS:-}" \
	    start >/dev/null ||
	    { cat "$dir/server.log" >&2; exit 1; }
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

case $cmd in
start)
	bin=$(bindir)
	mkdir -p "$dir"
	chmod 700 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 ||
		    { echo "pg.sh: running as root needs the 'postgres' user (package postgresql)" >&2; exit 1; }
		chown postgres "$dir"
	fi
	as_owner "$bin/initdb" -D "$dir/data" -U muni -A trust -E UTF8 \
	    --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
	    { cat "$dir/initdb.log" >&2; exit 1; }
	serve
	;;
halt)
	bin=$(bindir)
	as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
	;;
resume)
	bin=$(bindir)
	serve
	;;
stop)
	bin=$(bindir)
	if [ -d "$dir/data" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop \
		    >/dev/null 2>&1 || :
	fi
	rm -rf "$dir"
	;;
createdb)
	[ $# -eq 3 ] || usage
	bin=$(bindir)
	"$bin/createdb" -h "$dir" -U muni -T template0 -E UTF8 "$3"
	echo "postgresql:///$3?host=$dir&user=muni"
	;;
url)
	[ $# -eq 3 ] || usage
	echo "postgresql:///$3?host=$dir&user=muni"
	;;
psql)
	[ $# -ge 3 ] || usage
	name=$3
	shift 3
	psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -U muni -d "$name" "$@"
	;;
*)
	usage
	;;
esac
