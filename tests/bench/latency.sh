#!/bin/sh
# latency: MO-to-reply and USSD step latency through muni-smsgw and the
# resident services, against a database of BENCH_RESIDENTS (default
# 1,000,000) demo residents. muni-smscsim sends deliver_sm at BENCH_MO_RATE
# (default 500) a second from registered phones (RINDA and MAKSA by turns;
# for USSD the walk *505#, 1, 00, 0) and times each to the first submit_sm
# back to that phone. Medians of BENCH_RUNS (default 3) runs.
# Target (issues 4 and 5, 2-core machine): p99 <= 5 ms.
#
# The demo database takes minutes to build; it is kept beside the
# binaries (build/.../bench/demo-N-vSCHEMA.db) for the next run.
set -eu
residents=${BENCH_RESIDENTS:-1000000}
rate=${BENCH_MO_RATE:-500}
count=${BENCH_MO_COUNT:-5000}
runs=${BENCH_RUNS:-3}
B=$MUNI_BIN
. "$MUNI_TOP/tests/bench/benchlib.sh"

bound() {
	perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 2)->get($ARGV[0])
	    ->{status} == 200 ? 0 : 1)' "http://127.0.0.1:$hport/health"
}

# The median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
	    else if (NR % 2) print v[(NR + 1) / 2];
	    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field NAME FILE: the values of NAME= on the lines of FILE.
field() {
	sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2"
}

conf() {
	cat > muni.conf <<EOF
[database]
path = $(pwd)/muni.db
[smsc]
port = $1
password = secret
source_addr = MUNI
window = 50
max_tps = 100000
[sms]
quiet_hours = none
[ussd]
service_code = *505#
session_timeout_s = 180
[services]
replies_per_hour = 1000
[http]
listen = 127.0.0.1:$hport
EOF
	chmod 600 muni.conf
}

hport=$(free_port)
conf 2775
schema=$("$B/munictl" -c muni.conf init 2>/dev/null | sed -n 's/^schema=//p')
rm -f muni.db muni.db-wal muni.db-shm
cache="$B/../bench/demo-$residents-v$schema.db"
if [ -f "$cache" ]; then
	cp "$cache" muni.db
else
	t0=$(date +%s)
	"$B/munictl" -c muni.conf init >/dev/null 2>&1
	"$B/munictl" -c muni.conf demo --residents "$residents" --seed 7 \
	    >/dev/null 2>&1
	echo "# demo database of $residents residents built in" \
	    "$(($(date +%s) - t0)) s (kept in $cache)"
	mkdir -p "$(dirname "$cache")"
	sqlite3 muni.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	cp muni.db "$cache"
fi
# Mobiles that one resident alone has, spread over the whole table.
sqlite3 muni.db "SELECT phone FROM residents WHERE phone_kind = 0
    GROUP BY phone HAVING count(*) = 1
    ORDER BY (id * 7919) % 1000003 LIMIT 5000" > phones
[ -s phones ] || { echo "no registered mobiles in the demo data"; exit 1; }
# The copy's half gigabyte must be on disk before the clock starts, or
# its writeback competes with the gateway's fsyncs. cp copies with
# copy_file_range, which leaves the new file's pages on disk only: read it
# once, so the runs measure a gateway whose database is in the page cache,
# as a running one's is (cold, the first lookups wait for the disk: the
# p99 rose by 0.5-1 ms and the max from 6 to 15 ms on the 2-core machine).
# The runs share the database: each adds a few thousand rows to half a
# gigabyte.
sync muni.db
cat muni.db > /dev/null

# run KIND STEPS: one run; appends the simulator's load= line to KIND.out.
run() {
	if [ "$1" = ussd ]; then set -- --inject-ussd "$2"; else
		set -- --inject-text "$2"; fi
	# No sim.out of the run before: the new simulator's shell truncates
	# it, and sim_port must not read the old port first.
	rm -f sim.out
	"$B/muni-smscsim" -p 0 -r 100 -e 0 --inject-rate "$rate" \
	    --inject-count "$count" --inject-phones phones "$@" \
	    >sim.out 2>sim.err </dev/null &
	simpid=$!
	sport=$(sim_port sim.out)
	conf "$sport"
	"$B/muni-smsgw" -c muni.conf -d 2>gw.err &
	gwpid=$!
	# The simulator starts a second after the bind and exits when done.
	wait "$simpid" || :
	simpid=""
	kill "$gwpid"; wait "$gwpid" || :
	gwpid=""
	grep '^load=' sim.out >> "$kind.out" || { tail -5 gw.err; exit 1; }
}

for kind in sms ussd; do
	rm -f "$kind.out"
	r=0
	while [ $r -lt "$runs" ]; do
		if [ $kind = sms ]; then run sms "RINDA,MAKSA"; else
			run ussd "*505#,1,00,0"; fi
		r=$((r + 1))
	done
	printf 'kind=%s residents=%d rate=%d messages=%d runs=%d' \
	    "$kind" "$residents" "$rate" "$count" "$runs"
	for f in p50_us p90_us p99_us max_us answered unanswered; do
		printf ' %s=%s' "$f" "$(field "$f" "$kind.out" | median)"
	done
	echo " target_p99_us=5000"
done
