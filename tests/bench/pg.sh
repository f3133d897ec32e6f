#!/bin/sh
# pg: PostgreSQL beside SQLite (issue 19), one run of each figure on each
# engine, printed side by side as "NAME sqlite ... / postgresql ...":
#
#   drain_1gw   one muni-smsgw against muni-smscsim on loopback, window
#               100, BENCH_PG_MESSAGES (default 100,000) queued messages:
#               the rate from the bind to the last receipt stored (as
#               gateway.sh counts it), full durability on both: SQLite's
#               WAL with synchronous = FULL, PostgreSQL's fsync and
#               synchronous_commit on (pg.sh's throwaway cluster has them
#               off; here they are put back).
#   broadcast   `munictl broadcast send` to the group "has_mobile" over
#               BENCH_PG_RESIDENTS (default 200,000) demo residents: the
#               seconds to enqueue it (resolve the rule, write the
#               recipients and their outbox rows in one transaction), the
#               recipients and the rows a second. The issue asks for a
#               500k broadcast: BENCH_PG_RESIDENTS=750000 gives about that
#               many recipients, at the cost of a long demo.
#   kiosk_sign_in  BENCH_PG_KIOSKS (default 20) muni-kiosk processes on
#               broadcast's database (bench_kiosks.c), each signing in a
#               parent while the others do; all get their one-time codes
#               at once: the median and slowest from Enter to the queue
#               screen.
#   mo_to_reply on broadcast's database (the broadcast cancelled), RINDA
#               and MAKSA at BENCH_PG_MO_RATE (default 500) a second from
#               BENCH_PG_MO_COUNT (5,000) mobiles, each timed to its reply
#               as latency.sh does (one run): p50, p99, max, and those
#               left unanswered after 2 s. Target (issue 19): p99 <= 10 ms
#               with 1M residents (BENCH_PG_RESIDENTS=1000000).
#
# The bench starts its own PostgreSQL cluster (tests/pg.sh: a Unix socket
# in a private directory, the server on this machine, so a figure is the
# engine's and the protocol's, not a network's) and stops it at the end.
# Not done here yet: two gateways (issue 19's active/active outbox).
# Figures only: nothing fails on a slow machine.
set -eu
# The configuration holds the SMSC password: private from the start.
umask 077
n=${BENCH_PG_MESSAGES:-100000}
residents=${BENCH_PG_RESIDENTS:-200000}
mo_rate=${BENCH_PG_MO_RATE:-500}
mo_count=${BENCH_PG_MO_COUNT:-5000}
B=$MUNI_BIN
PGSH="$MUNI_TOP/tests/pg.sh"
. "$MUNI_TOP/tests/bench/benchlib.sh"

# As root the server runs as postgres, which may not enter root's private
# work directory: the cluster lives beside it, and pg.sh runs from /.
pg=$(mktemp -d "${TMPDIR:-/tmp}/muni-benchpg.XXXXXX")
pg_cleanup() {
	bench_cleanup
	(cd / && sh "$PGSH" stop "$pg") >/dev/null 2>&1 || :
}
trap pg_cleanup EXIT
# Durable, as SQLite is here.
(cd / && PG_OPTS="-c fsync=on -c synchronous_commit=on \
    -c full_page_writes=on" sh "$PGSH" start "$pg")
ndb=0

psql_() {
	db=$1; shift
	(cd / && sh "$PGSH" psql "$pg" "$db" "$@")
}

bound() {
	perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 2)->get($ARGV[0])
	    ->{status} == 200 ? 0 : 1)' "http://127.0.0.1:$hport/health"
}

delivered() {
	perl -MHTTP::Tiny -e 'my $r = HTTP::Tiny->new(timeout => 2)->get($ARGV[0]);
	    exit 1 unless $r->{success};
	    my ($v) = $r->{content} =~ /^muni_smsgw_receipts_total\{state="delivered"\} (\d+)/m;
	    print $v // 0, "\n"' "http://127.0.0.1:$hport/metrics"
}

now_ms() {
	date +%s%3N
}

# fresh ENGINE: an empty database at the schema for ENGINE; sets $db_conf
# (the [database] lines) and, for PostgreSQL, $pgdb.
fresh() {
	rm -f muni.db muni.db-wal muni.db-shm
	if [ "$1" = sqlite ]; then
		db_conf="path = $(pwd)/muni.db"
	else
		ndb=$((ndb + 1))
		pgdb=bench$ndb
		db_conf="url = $(cd / && sh "$PGSH" createdb "$pg" "$pgdb")"
	fi
	printf '[database]\n%s\n' "$db_conf" > muni.conf
	"$B/munictl" -c muni.conf init >/dev/null 2>&1
}

# sql_out ENGINE QUERY: one value from the bench's database.
sql_out() {
	if [ "$1" = sqlite ]; then
		sqlite3 -batch -noheader muni.db "$2"
	else
		psql_ "$pgdb" -A -t -c "$2"
	fi
}

# fill ENGINE N: N queued messages straight into the outbox (the bench is
# the gateway, not the import), the same rows on both engines.
fill() {
	if [ "$1" = sqlite ]; then
		sqlite3 muni.db "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL
		    SELECT n + 1 FROM i WHERE n < $2)
		    INSERT INTO outbox (phone, text, encoding, state, priority,
		    created_at, not_before, updated_at)
		    SELECT printf('+3712%07d', n), 'Atgādinājums nr. ' || n ||
		    ': nodokļa termiņš 31. martā.', 'auto', 'queued', 0,
		    strftime('%s'), 0, strftime('%s') FROM i;" >/dev/null
	else
		psql_ "$pgdb" -c "INSERT INTO outbox (phone, text, encoding,
		    state, priority, created_at, not_before, updated_at)
		    SELECT '+3712' || lpad(n::text, 7, '0'), 'Atgādinājums nr. '
		    || n || ': nodokļa termiņš 31. martā.', 'auto', 'queued', 0,
		    extract(epoch FROM now())::bigint, 0,
		    extract(epoch FROM now())::bigint
		    FROM generate_series(1, $2) AS n" >/dev/null
	fi
}

# drain ENGINE: prints "rate=R seconds=S not_delivered=L".
drain() {
	fresh "$1"
	fill "$1" "$n"
	rm -f sim.out
	"$B/muni-smscsim" -p 0 -r 100 -e 0 >sim.out 2>sim.err </dev/null &
	simpid=$!
	sport=$(sim_port sim.out)
	hport=$(free_port)
	cat >> muni.conf <<EOF
[smsc]
port = $sport
password = secret
source_addr = MUNI
window = 100
max_tps = 100000
[http]
listen = 127.0.0.1:$hport
EOF
	"$B/muni-smsgw" -c muni.conf -d 2>gw.err &
	gwpid=$!
	until bound; do
		kill -0 "$gwpid" 2>/dev/null || { tail gw.err >&2; exit 1; }
		sleep 0.02
	done
	t0=$(now_ms)
	while [ "$(delivered)" -lt "$n" ]; do
		kill -0 "$gwpid" || { tail gw.err >&2; exit 1; }
		sleep 0.05
	done
	t1=$(now_ms)
	kill "$gwpid"; wait "$gwpid" || :
	kill "$simpid"; wait "$simpid" || :
	gwpid=""; simpid=""
	left=$(sql_out "$1" "SELECT count(*) FROM outbox
	    WHERE state <> 'delivered'")
	awk -v n="$n" -v ms=$((t1 - t0)) -v left="$left" 'BEGIN {
		printf "rate=%.0f seconds=%.2f not_delivered=%d", n * 1000 / ms,
		    ms / 1000, left }'
}

# broadcast ENGINE: prints "recipients=N seconds=S rows_per_s=R".
broadcast() {
	fresh "$1"
	# One staff member sends it (no approval step).
	printf '[broadcast]\napproval_threshold = 10000000\n' >> muni.conf
	"$B/munictl" -c muni.conf demo --residents "$residents" --seed 7 \
	    >demo.out 2>&1 || { cat demo.out >&2; exit 1; }
	"$B/munictl" -c muni.conf group add visi --rule "has_mobile" \
	    >/dev/null
	t0=$(now_ms)
	"$B/munictl" -c muni.conf broadcast send --group visi --yes \
	    --text "Ūdens piegādes pārtraukums rīt no 9 līdz 12." \
	    >send.out 2>&1 || { cat send.out >&2; exit 1; }
	t1=$(now_ms)
	k=$(sql_out "$1" "SELECT count(*) FROM outbox")
	awk -v k="$k" -v ms=$((t1 - t0)) 'BEGIN {
		printf "recipients=%d seconds=%.2f rows_per_s=%.0f", k,
		    ms / 1000, (ms > 0 ? k * 1000 / ms : 0) }'
	# Out of the way of mo's gateway, which would send it.
	id=$(sed -n 's/^broadcast=//p' send.out)
	"$B/munictl" -c muni.conf broadcast cancel "$id" >/dev/null 2>&1
}

# mo ENGINE: on broadcast's database, muni-smscsim sends RINDA and MAKSA
# at BENCH_PG_MO_RATE (default 500) a second from mobiles one resident
# alone has and times each to its reply (latency.sh's figure, one run);
# prints "p50_us=.. p99_us=.. answered=.. unanswered=..".
mo() {
	sql_out "$1" "SELECT phone FROM residents WHERE phone_kind = 0
	    GROUP BY phone HAVING count(*) = 1
	    ORDER BY (min(id) * 7919) % 1000003 LIMIT 5000" > phones
	[ -s phones ] || { echo "no registered mobiles" >&2; exit 1; }
	rm -f sim.out
	"$B/muni-smscsim" -p 0 -r 100 -e 0 --inject-rate "$mo_rate" \
	    --inject-count "$mo_count" --inject-phones phones \
	    --inject-text "RINDA,MAKSA" >sim.out 2>sim.err </dev/null &
	simpid=$!
	sport=$(sim_port sim.out)
	hport=$(free_port)
	printf '[database]\n%s\n' "$db_conf" > muni.conf
	cat >> muni.conf <<EOF
[smsc]
port = $sport
password = secret
source_addr = MUNI
window = 50
max_tps = 100000
[sms]
quiet_hours = none
[services]
replies_per_hour = 1000
[http]
listen = 127.0.0.1:$hport
EOF
	"$B/muni-smsgw" -c muni.conf -d 2>gw.err &
	gwpid=$!
	# The simulator starts a second after the bind and exits when done.
	wait "$simpid" || :
	simpid=""
	kill "$gwpid"; wait "$gwpid" || :
	gwpid=""
	grep '^load=' sim.out > load.out || { tail -5 gw.err >&2; exit 1; }
	for f in p50_us p99_us max_us answered unanswered; do
		printf '%s=%s ' "$f" "$(sed -n "s/.* $f=\([0-9.]*\).*/\1/p" \
		    load.out)"
	done
}

# Not in $(...): a subshell would not stop the gateway if the bench ends.
drain sqlite > drain.sqlite
drain postgresql > drain.postgresql
echo "drain_1gw messages=$n window=100 sqlite $(cat drain.sqlite) / postgresql $(cat drain.postgresql)"
# kiosks ENGINE: bench_kiosks's BENCH_PG_KIOSKS (default 20) kiosks at
# once on broadcast's database, each signing a parent in.
kiosks() {
	printf '[database]\n%s\n[kiosk]\nidle_timeout_s = 3600\n' \
	    "$db_conf" > muni.conf
	if [ "$1" = sqlite ]; then
		q="sqlite3 -batch -noheader '$(pwd)/muni.db'"
	else
		q="sh '$PGSH' psql '$pg' '$pgdb' -A -t -c"
	fi
	BENCH_KIOSK_CONF=$(pwd)/muni.conf BENCH_KIOSK_SQL=$q \
	    BENCH_KIOSKS=${BENCH_PG_KIOSKS:-20} "$B/../bench/bench_kiosks"
}

for e in sqlite postgresql; do
	broadcast $e > bc.$e
	mo $e > mo.$e
	kiosks $e > kiosks.$e
done
echo "broadcast residents=$residents sqlite $(cat bc.sqlite) / postgresql $(cat bc.postgresql)"
echo "kiosk_sign_in sqlite $(cat kiosks.sqlite) / postgresql $(cat kiosks.postgresql)"
echo "mo_to_reply residents=$residents rate=$mo_rate messages=$mo_count sqlite $(cat mo.sqlite)/ postgresql $(cat mo.postgresql)target_p99_us=10000"
