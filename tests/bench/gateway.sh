#!/bin/sh
# gateway: muni-smsgw against muni-smscsim on loopback — the sustained
# submit rate with receipts over BENCH_MESSAGES (default 200,000) queued
# messages, at window 10 and 100, with full durability (WAL, synchronous =
# FULL, group commits), and the CPU microseconds per message of both
# processes. The rate counts from the bind to the last receipt stored.
# Beside it, the ceiling: the simulator against its own bare client
# (muni-smscsim --bench-client, no database) at the same window, and the
# ratio of the two. BENCH_RUNS (default 3) runs each; medians printed.
# Target (issue 4, 2-core machine): >= 20,000 msg/s at window 100.
set -eu
n=${BENCH_MESSAGES:-200000}
windows=${BENCH_WINDOWS:-10 100}
runs=${BENCH_RUNS:-3}
B=$MUNI_BIN
. "$MUNI_TOP/tests/bench/benchlib.sh"

# The delivered receipts the gateway has stored, from /metrics.
delivered() {
	perl -MHTTP::Tiny -e 'my $r = HTTP::Tiny->new(timeout => 2)->get($ARGV[0]);
	    exit 1 unless $r->{success};
	    my ($v) = $r->{content} =~ /^muni_smsgw_receipts_total\{state="delivered"\} (\d+)/m;
	    print $v // 0, "\n"' "http://127.0.0.1:$hport/metrics"
}

bound() {
	perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 2)->get($ARGV[0])
	    ->{status} == 200 ? 0 : 1)' "http://127.0.0.1:$hport/health"
}

# CPU time of a process in microseconds (utime + stime).
cpu_us() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000000 / hz }' \
	    "/proc/$1/stat"
}

now_ms() {
	date +%s%3N
}

# The median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
	    else if (NR % 2) print v[(NR + 1) / 2];
	    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

field() {
	sed -n "s/\(^\|.* \)$1=\([0-9.]*\).*/\2/p" "$2"
}

# One run of the simulator's bare client: its rate.
ceiling() {
	rm -f csim.out
	"$B/muni-smscsim" -p 0 -r 100 -e 0 >csim.out 2>csim.err </dev/null &
	simpid=$!
	cport=$(sim_port csim.out)
	"$B/muni-smscsim" --bench-client -p "$cport" \
	    --window "$1" --count "$n" 2>>csim.err | sed -n 's/.* rate=\([0-9]*\).*/\1/p'
	kill "$simpid"; wait "$simpid" || :
	simpid=""
}

for w in $windows; do
r=0
rm -f runs.out
while [ $r -lt "$runs" ]; do
	r=$((r + 1))
	# sim.out too: sim_port must not read the last run's port before
	# the new simulator's shell truncates it.
	rm -f muni.db muni.db-wal muni.db-shm submit.log sim.out
	"$B/muni-smscsim" -p 0 -r 100 -e 0 >sim.out 2>sim.err </dev/null &
	simpid=$!
	sport=$(sim_port sim.out)
	hport=$(free_port)
	cat > muni.conf <<EOF
[database]
path = $(pwd)/muni.db
[smsc]
port = $sport
password = secret
source_addr = MUNI
window = $w
max_tps = 100000
[http]
listen = 127.0.0.1:$hport
EOF
	chmod 600 muni.conf
	"$B/munictl" -c muni.conf init >/dev/null 2>&1
	# Straight into the table: the bench is the gateway, not the import.
	sqlite3 muni.db "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL
	    SELECT n + 1 FROM i WHERE n < $n)
	    INSERT INTO outbox (phone, text, encoding, state, priority,
	    created_at, not_before, updated_at)
	    SELECT printf('+3712%07d', n), 'Atgādinājums nr. ' || n ||
	    ': nodokļa termiņš 31. martā.', 'auto', 'queued', 0,
	    strftime('%s'), 0, strftime('%s') FROM i;" >/dev/null
	"$B/muni-smsgw" -c muni.conf -d 2>gw.err &
	gwpid=$!
	until bound; do sleep 0.02; done
	t0=$(now_ms)
	g0=$(cpu_us "$gwpid"); s0=$(cpu_us "$simpid")
	while [ "$(delivered)" -lt "$n" ]; do
		kill -0 "$gwpid" || { tail gw.err; exit 1; }
		sleep 0.05
	done
	t1=$(now_ms)
	g1=$(cpu_us "$gwpid"); s1=$(cpu_us "$simpid")
	commits=$(perl -MHTTP::Tiny -e 'my ($v) = HTTP::Tiny->new->get($ARGV[0])
	    ->{content} =~ /^muni_smsgw_commits_total (\d+)/m; print $v // 0' \
	    "http://127.0.0.1:$hport/metrics")
	left=$(sqlite3 muni.db "SELECT count(*) FROM outbox
	    WHERE state <> 'delivered'")
	awk -v n="$n" -v w="$w" -v ms=$((t1 - t0)) -v g="$g0 $g1" \
	    -v s="$s0 $s1" -v left="$left" -v c="$commits" 'BEGIN {
		split(g, a, " "); split(s, b, " ")
		printf "window=%d messages=%d seconds=%.2f rate=%.0f " \
		    "gw_cpu_us_per_msg=%.1f sim_cpu_us_per_msg=%.1f " \
		    "msgs_per_commit=%.0f not_delivered=%d " \
		    "target_rate=20000\n", w, n, ms / 1000, n * 1000 / ms,
		    (a[2] - a[1]) / n, (b[2] - b[1]) / n, (c > 0 ? n / c : 0),
		    left
	}' >> runs.out
	kill "$gwpid"; wait "$gwpid" || :
	kill "$simpid"; wait "$simpid" || :
	gwpid=""; simpid=""
	echo "client_rate=$(ceiling "$w")" >> client.out
done
rate=$(field rate runs.out | median)
crate=$(field client_rate client.out | median)
rm -f client.out
printf 'window=%d messages=%d runs=%d rate=%s gw_cpu_us_per_msg=%s' \
    "$w" "$n" "$runs" "$rate" "$(field gw_cpu_us_per_msg runs.out | median)"
printf ' sim_cpu_us_per_msg=%s msgs_per_commit=%s not_delivered=%s' \
    "$(field sim_cpu_us_per_msg runs.out | median)" \
    "$(field msgs_per_commit runs.out | median)" \
    "$(field not_delivered runs.out | sort -n | tail -n 1)"
printf ' client_rate=%s gw_to_client=%s target_rate=20000\n' "$crate" \
    "$(awk -v a="$rate" -v b="$crate" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
done
