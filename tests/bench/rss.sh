#!/bin/sh
# rss: the gateway's memory with BENCH_QUEUED (default 1,000,000) messages
# queued. muni-smsgw must not load the queue: it claims a window's worth
# of rows at a time, so its resident set is the SQLite page cache and the
# libraries, whatever the queue holds. Sampled every 0.2 s from start-up
# through BENCH_RSS_SECONDS (default 10) of sending to muni-smscsim; the
# peak (VmHWM) and the last sample are printed.
# Target (issue 4, 2-core machine): RSS <= 64 MB.
set -eu
n=${BENCH_QUEUED:-1000000}
secs=${BENCH_RSS_SECONDS:-10}
B=$MUNI_BIN
. "$MUNI_TOP/tests/bench/benchlib.sh"

# kB of a /proc/PID/status field.
status_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null ||
	    echo 0
}

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
window = 100
max_tps = 100000
[http]
listen = 127.0.0.1:$hport
EOF
chmod 600 muni.conf
"$B/munictl" -c muni.conf init >/dev/null 2>&1
sqlite3 muni.db "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL
    SELECT n + 1 FROM i WHERE n < $n)
    INSERT INTO outbox (phone, text, encoding, state, priority,
    created_at, not_before, updated_at)
    SELECT printf('+3712%07d', n % 10000000), 'Atgādinājums nr. ' || n ||
    ': nodokļa termiņš 31. martā.', 'auto', 'queued', 0,
    strftime('%s'), 0, strftime('%s') FROM i;" >/dev/null
dbmb=$(($(stat -c %s muni.db) / 1048576))

"$B/muni-smsgw" -c muni.conf -d 2>gw.err &
gwpid=$!
peak=0
last=0
i=0
while [ $i -lt $((secs * 5)) ]; do
	kill -0 "$gwpid" 2>/dev/null || { tail gw.err; exit 1; }
	last=$(status_kb "$gwpid" VmRSS)
	hwm=$(status_kb "$gwpid" VmHWM)
	[ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
	sleep 0.2
	i=$((i + 1))
done
sent=$(sqlite3 muni.db "SELECT count(*) FROM outbox WHERE state <> 'queued'")
echo "queued=$n db_mb=$dbmb seconds=$secs sent=$sent" \
    "rss_peak_mb=$((peak / 1024)) rss_last_mb=$((last / 1024))" \
    "target_rss_mb=64"
