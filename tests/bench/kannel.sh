#!/bin/sh
# kannel: muni-smsgw beside Kannel's bearerbox (Debian `kannel`), each
# draining the same backlog of BENCH_MESSAGES (default 100,000) queued
# messages from the bind against the same SMSC, the project's simulator
# (muni-smscsim, receipts 100 ms after each submit, no TPS cap), at window
# 100 and 10 (BENCH_WINDOWS), in alternating runs, Kannel then muni,
# BENCH_RUNS (default 3) times. For each: msg/s from the bind to the last
# receipt acknowledged (the simulator's count of deliver_sm_resp, the same
# yardstick for both), the CPU microseconds per message over that span
# (utime + stime of the process, all its threads), and the peak RSS
# (VmHWM); then the medians and the ratios muni/Kannel beside the targets
# of issue 17 (rate >= 1.2x, CPU <= 0.5x, RSS <= 0.1x). Nothing is
# asserted: the figures are for people to read.
#
# The two are not configured alike, and the difference is Kannel's
# advantage: muni commits every state change in SQLite with WAL and
# synchronous = FULL (an fsync per group commit) and acknowledges a
# receipt only once it is on disk; Kannel keeps its queue in memory and
# its file store is written by a thread with no fsync at all, its
# delivery reports (dlr-storage = internal) in memory only. muni also
# writes its per-message log lines (the operations log); Kannel's access
# log is off and its log level is "error".
#
# How Kannel gets its backlog, so that its drain starts from the bind as
# muni's does (muni's outbox is filled with sqlite3 before the gateway
# starts): once per bench, bearerbox and smsbox start with the simulator
# down, the N messages go in through smsbox's sendsms (HTTP, the way
# applications feed Kannel), bearerbox queues them in its store file,
# and is then killed. Each Kannel run starts bearerbox on a copy of that
# store file (it loads the queue at start, before any bind) and smsbox,
# waits until bearerbox reports the N queued, and only then starts the
# simulator. Same texts and numbers as muni's (UCS-2, one segment each),
# each with a delivery report requested (dlr-mask 3: registered_delivery
# 1), no dlr-url (the reports are matched and counted by bearerbox, not
# handed on to an HTTP callback). The CPU and RSS compared are
# bearerbox's, the process that does the work; smsbox's CPU (it gets each
# report and, with no dlr-url, drops it) is printed beside
# (kannel_smsbox_cpu_us_per_msg), not in the ratio.
#
# Nagle, found (issue 17): bearerbox never sets TCP_NODELAY on its SMPP
# socket (Kannel 1.4.5 has gwlib's socket_set_nodelay, and no caller), so
# a PDU it writes while an earlier segment is unacknowledged waits for
# the simulator's delayed ACK. That was the ~20 ms round at window 10 and
# the 3,200-3,700 msg/s at window 100 of the first measurements. With
# TCP_NODELAY put on bearerbox's sockets by an LD_PRELOAD shim
# (tests/bench/kannel_nodelay.c, built here with cc) Kannel drained 10,000
# at 4,953 msg/s at window 10 instead of 576, and 5,459 instead of 4,177
# at window 100, on this machine under load. The bench now measures
# Kannel so (the line "kannel_nodelay=1" says it); BENCH_KANNEL_NAGLE=1
# measures it as Debian ships it. With it, and muni's store writer, one
# run of this bench (100k, 3 runs each, 2-core machine under load):
# window 100 Kannel 4,729 msg/s, 173.8 us, 224 MB; muni 15,359 msg/s,
# 25.9 us, 19.2 MB: rate 3.25x, CPU 0.15x, RSS 0.086x. Window 10:
# Kannel 4,080, muni 5,026: 1.23x, 0.27x, 0.087x.
#
# Where muni's time goes (profiled on the 2-core machine, issue 17, for
# the writer-thread work):
# - callgrind, 5,000 and 20,000 messages at window 100 (counters zeroed
#   at the bind, dumped at the last receipt): 125,000-130,000
#   instructions per message in the gateway. 74% under sqlite3_step: the three statements each message
#   costs, claiming it (outbox_inflight via disp_pump, 26%), its
#   submit_sm_resp (outbox_part_accepted_in, 24%) and its receipt
#   (outbox_receipt_in with set_final, 27%); B-tree inserts, index
#   seeks, deletes and page writes (sqlite3BtreeInsert 9%,
#   BtreeIndexMoveto 8%, PagerWrite 8%, OsWrite 6%) are the bulk of it.
#   Next, the per-message log lines: log_info's vsnprintf 12%. The
#   binding through store_bind's format walk is 2.4% (store_vbind), the
#   group commits themselves (batch_flush) 2.6%, PDU packing and libevent
#   a few per cent.
# - perf record -g (cycles on the CPU), 20,000 messages at window 100:
#   the kernel 42% (fdatasync's own work 13%, write() of the log lines
#   10%, the WAL's pwrite 6%, the sockets' writev/readv 4%, getpid 2%),
#   libsqlite3 36% (VdbeExec 9%, the B-tree seeks), libc 11% (memmove,
#   vfprintf for the log), muni-smsgw itself 9% (mem_malloc 1.3%,
#   log_scrub 0.9%), libevent 2%.
# - strace -c, same drain: per message 3 write() and 3 getpid() (one of
#   each per log line: log_emit asks the pid every time), 1 pwrite64
#   into the WAL, 0.7 fcntl (SQLite's locks, per transaction); the SMPP
#   side is well batched (0.07 writev, 0.05 readv per message).
# - The fsync wait, strace --seccomp-bpf -T -e fdatasync (cheap: only
#   those calls stop), same drain, 1.6 s at 12,300 msg/s: 498
#   fdatasync, 0.56 s in all, so the event loop sat in fdatasync for
#   about 35% of the drain (median 0.6 ms, p90 1.9 ms, p99 7.6 ms, max
#   44 ms on this disk); 493 group commits (muni_smsgw_commits_total),
#   about 41 messages each, every message changing state three times
#   (inflight, accepted, delivered). That third of the wall clock is
#   what the writer thread can give back; after it, the SQL itself (the
#   three statements a message, 74% of the instructions) and the log
#   lines (12%, plus a getpid and a write each) are the next costs.
# - After the store writer (gw_writer.c: the loop commits at synchronous =
#   NORMAL, a thread fdatasyncs the WAL, the answers wait for it) and the
#   pid asked once in log_emit: callgrind over a 5,000-message drain at
#   window 100 (sh /work/notes/cg.sh TOP OUT 5000, whole run, start-up
#   included): 144,000 instructions a message, the start included:
#   store_open is 47 M of the 722 M (two connections now prepare every
#   statement, the loop's and the writer's). getpid is gone from the
#   profile. sqlite3_step is 65% (the receipt, outbox_receipt_in with
#   set_final, 24%; the claim's outbox_inflight 23%; the submit_sm_resp's
#   outbox_part_accepted_in 21%), the log lines 10% (log_info's
#   vsnprintf; log_scrub 1.6%), store_vbind 2%, batch and writer under
#   0.1%. The fdatasync no longer runs on the loop: the next cost is the
#   SQL itself, on the loop thread. Moving the three statements to the
#   writer (a queue of typed writes, the claim answered back) would put
#   two thirds of the instructions on the second core; SQLite's one write
#   lock means the loop could then no longer write at all, so the claim,
#   the MO services and the USSD menu would have to move with them.
set -eu
n=${BENCH_MESSAGES:-100000}
windows=${BENCH_WINDOWS:-100 10}
runs=${BENCH_RUNS:-3}
B=$MUNI_BIN
. "$MUNI_TOP/tests/bench/benchlib.sh"

bbpid=""
sbpid=""
kannel_cleanup() {
	for p in $sbpid $bbpid; do kill -9 "$p" 2>/dev/null || :; done
	for p in $sbpid $bbpid; do wait "$p" 2>/dev/null || :; done
	bench_cleanup
}
trap kannel_cleanup EXIT

if ! [ -x /usr/sbin/bearerbox ] || ! [ -x /usr/sbin/smsbox ]; then
	# Debian's kannel, as conf/packages.txt has it for `make deps`.
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo -n"
	$sudo apt-get install -y -q kannel >apt.log 2>&1 || :
	if ! [ -x /usr/sbin/bearerbox ]; then
		echo "kannel=missing (apt-get install kannel failed: see make deps)"
		exit 0
	fi
fi

# TCP_NODELAY for bearerbox (see the head of this file), unless asked not.
preload=""
if [ "${BENCH_KANNEL_NAGLE:-0}" != 1 ]; then
	${CC:-cc} -D_GNU_SOURCE -Wall -Wextra -Werror -shared -fPIC -O2 \
	    -o "$PWD/kannel_nodelay.so" \
	    "$MUNI_TOP/tests/bench/kannel_nodelay.c" -ldl
	preload=$PWD/kannel_nodelay.so
	echo "# kannel_nodelay=1 (bearerbox with TCP_NODELAY)"
else
	echo "# kannel_nodelay=0 (bearerbox as shipped: Nagle on)"
fi

# The median of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
	    else if (NR % 2) print v[(NR + 1) / 2];
	    else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# field NAME FILE: the values of NAME= on the lines of FILE.
field() {
	sed -n "s/\(^\|.* \)$1=\([0-9.]*\).*/\2/p" "$2"
}

# CPU time of a process in microseconds (utime + stime, every thread).
cpu_us() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000000 / hz }' \
	    "/proc/$1/stat"
}

# Peak resident set of a process in kB.
hwm_kb() {
	sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

now_ms() {
	date +%s%3N
}

simctl() {
	"$B/muni-smscsim" --ctl -C "$PWD/ctl.sock" "$@"
}

# sim_stat NAME: one counter of the simulator's.
sim_stat() {
	simctl stats | sed -n "s/.* $1=\([0-9]*\).*/\1/p"
}

# wait_until SECONDS WHAT COMMAND...: COMMAND succeeds within SECONDS, or
# the bench ends saying WHAT it waited for.
wait_until() {
	deadline=$(( $(now_ms) + $1 * 1000 )); what=$2; shift 2
	until "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || {
			echo "bench kannel: no $what" >&2
			for f in bearerbox.log smsbox.log gw.err sim.err; do
				[ -s "$f" ] && tail -n 5 "$f" >&2
			done
			exit 1
		}
		sleep 0.05
	done
}

# The simulator on port $sport, receipts after 100 ms, no enquire_link;
# its control socket beside. Both bind as muni (muni's default system_id).
sim_start() {
	rm -f ctl.sock
	"$B/muni-smscsim" -p "$sport" -u muni -w secret -C "$PWD/ctl.sock" -r 100 -e 0 \
	    >sim.out 2>sim.err </dev/null &
	simpid=$!
	wait_until 10 "simulator" test -S ctl.sock
}

sim_stop() {
	kill "$simpid"; wait "$simpid" || :
	simpid=""
}

# drain PID [BOX]: from the simulator's first bind to its N-th
# acknowledged receipt, then one line of the figures of process PID to
# run.out (and the CPU of BOX, Kannel's smsbox, beside them).
drain() {
	until [ "$(sim_stat binds)" -ge 1 ] 2>/dev/null; do
		kill -0 "$1" || { echo "bench kannel: $side died" >&2; exit 1; }
		sleep 0.02
	done
	t0=$(now_ms); c0=$(cpu_us "$1"); b0=0
	[ $# -lt 2 ] || b0=$(cpu_us "$2")
	until [ "$(sim_stat delivered)" -ge "$n" ] 2>/dev/null; do
		kill -0 "$1" || { echo "bench kannel: $side died" >&2; exit 1; }
		sleep 0.05
	done
	t1=$(now_ms); c1=$(cpu_us "$1"); rss=$(hwm_kb "$1"); b1=0
	[ $# -lt 2 ] || b1=$(cpu_us "$2")
	awk -v side="$side" -v n="$n" -v w="$w" -v r="$r" -v ms=$((t1 - t0)) \
	    -v c="$c0 $c1 $b0 $b1" -v rss="$rss" 'BEGIN { split(c, a, " ")
		printf "# window=%d run=%d side=%s messages=%d seconds=%.2f " \
		    "rate=%.0f cpu_us_per_msg=%.1f rss_kb=%d " \
		    "box_cpu_us_per_msg=%.1f\n", w, r, side, n, ms / 1000,
		    n * 1000 / ms, (a[2] - a[1]) / n, rss, (a[4] - a[3]) / n
	}' | tee -a run.out
}

# Kannel's configuration: bearerbox with one SMPP transceiver to the
# simulator, window $1, and smsbox for sendsms. Every port on loopback.
kannel_conf() {
	cat > kannel.conf <<EOF
# bearerbox. The queue is kept in a file store: appended to as messages
# arrive and rewritten whole every store-dump-freq seconds (the default,
# 10), never fsynced, so a crash may lose what the SMSC has not taken
# (muni fsyncs first).
group = core
admin-port = $aport
admin-interface = 127.0.0.1
admin-password = bench
status-password = bench
smsbox-port = $bport
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "$PWD/bearerbox.log"
# errors only, and no access-log: no per-message lines
log-level = 3
# delivery reports matched in memory (no database, no fsync)
dlr-storage = internal
store-type = file
store-location = "$PWD/kannel.store"

# The simulator, one transceiver bind. max-pending-submits is Kannel's
# window; no throughput key: no TPS cap. msg-id-type left at its
# default, which matches the simulator's receipts (peer_bearerbox.sh).
group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = $sport
transceiver-mode = true
smsc-username = muni
smsc-password = secret
system-type = ""
address-range = ""
max-pending-submits = $1
enquire-link-interval = 60
reconnect-delay = 1

# smsbox: sendsms over HTTP, how the backlog goes in.
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $bport
sendsms-port = $hport
sendsms-interface = 127.0.0.1
log-file = "$PWD/smsbox.log"
# panics only: with no dlr-url each report it gets is an error line
log-level = 4
global-sender = MUNI

group = sendsms-user
username = bench
password = bench
max-messages = 1
EOF
}

# Bearerbox's admin status page.
kannel_status() {
	perl -MHTTP::Tiny -e 'my $r = HTTP::Tiny->new(timeout => 5)->get($ARGV[0]);
	    exit 1 unless $r->{success}; print $r->{content}' \
	    "http://127.0.0.1:$aport/status.txt?password=bench"
}

# kannel_queued N: bearerbox holds N messages for the SMSC.
kannel_queued() {
	kannel_status 2>/dev/null | grep -q "^SMS: .*sent 0 ($1 queued)"
}

kannel_boxes_up() {
	LD_PRELOAD=$preload /usr/sbin/bearerbox -v 3 kannel.conf \
	    >bearerbox.out 2>&1 </dev/null &
	bbpid=$!
	wait_until 20 "bearerbox admin port" kannel_status >/dev/null
	/usr/sbin/smsbox -v 3 kannel.conf >smsbox.out 2>&1 </dev/null &
	sbpid=$!
}

kannel_boxes_down() {
	kill -9 "$sbpid" "$bbpid" 2>/dev/null || :
	wait "$sbpid" 2>/dev/null || :
	wait "$bbpid" 2>/dev/null || :
	sbpid=""; bbpid=""
}

# The sendsms port answers.
sendsms_up() {
	perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(PeerAddr =>
	    "127.0.0.1:$ARGV[0]")' "$hport"
}

# smsbox connected to bearerbox.
smsbox_on() {
	kannel_status 2>/dev/null | grep -q 'smsbox:.*on-line'
}

# inject FROM COUNT: sendsms requests for messages FROM.. (keep-alive);
# the text UTF-16BE with coding 2, as Kannel wants UCS-2.
inject() {
	perl -MHTTP::Tiny -MEncode -e '
	my ($port, $from, $count) = @ARGV;
	my $h = HTTP::Tiny->new(keep_alive => 1, timeout => 30);
	for my $i ($from .. $from + $count - 1) {
		my $t = "Atgādinājums nr. $i: nodokļa termiņš 31. martā.";
		my $q = $h->www_form_urlencode({ username => "bench",
		    password => "bench", to => sprintf("+3712%07d", $i),
		    coding => 2, charset => "UTF-16BE",
		    text => encode("UTF-16BE", decode("UTF-8", $t)),
		    "dlr-mask" => 3 });
		my $r = $h->get("http://127.0.0.1:$port/cgi-bin/sendsms?$q");
		die "sendsms $i: $r->{status} $r->{content}\n"
		    unless $r->{status} =~ /^2/;
	}' "$hport" "$1" "$2"
}

sport=$(free_port); aport=$(free_port); bport=$(free_port); hport=$(free_port)

# --- The Kannel backlog, once: N messages into a store file.
t=$(now_ms)
rm -f kannel.store kannel.store.bak
kannel_conf 100
kannel_boxes_up
wait_until 20 "smsbox's sendsms port" sendsms_up
half=$((n / 2))
inject 1 "$half" &
p1=$!
inject $((half + 1)) $((n - half)) || { kill "$p1"; exit 1; }
wait "$p1"
wait_until 60 "$n messages queued in bearerbox" kannel_queued "$n"
sleep 11	# a store dump (every 10 s) after the last message
kannel_boxes_down
cp kannel.store backlog.store
echo "# Kannel's backlog of $n queued through sendsms in" \
    "$(( ($(now_ms) - t) / 1000 )) s"

# --- One run of each.
kannel_run() {
	side=kannel
	kannel_conf "$w"
	cp backlog.store kannel.store
	rm -f kannel.store.bak
	kannel_boxes_up
	wait_until 60 "the backlog loaded into bearerbox" kannel_queued "$n"
	wait_until 20 "smsbox connected" smsbox_on
	sim_start
	drain "$bbpid" "$sbpid"
	kannel_status | grep -q "^DLR: received $n," ||
	    echo "# kannel: $(kannel_status | grep '^DLR: received')"
	kannel_boxes_down
	sim_stop
}

muni_run() {
	side=muni
	rm -f muni.db muni.db-wal muni.db-shm
	gport=$(free_port)
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
listen = 127.0.0.1:$gport
EOF
	chmod 600 muni.conf
	"$B/munictl" -c muni.conf init >/dev/null 2>&1
	# The same texts and numbers as Kannel's; straight into the table:
	# the bench is the gateway, not the import.
	sqlite3 muni.db "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL
	    SELECT n + 1 FROM i WHERE n < $n)
	    INSERT INTO outbox (phone, text, encoding, state, priority,
	    created_at, not_before, updated_at)
	    SELECT printf('+3712%07d', n), 'Atgādinājums nr. ' || n ||
	    ': nodokļa termiņš 31. martā.', 'auto', 'queued', 0,
	    strftime('%s'), 0, strftime('%s') FROM i;" >/dev/null
	sim_start
	"$B/muni-smsgw" -c muni.conf -d 2>gw.err &
	gwpid=$!
	drain "$gwpid"
	left=$(sqlite3 muni.db "SELECT count(*) FROM outbox
	    WHERE state <> 'delivered'")
	[ "$left" = 0 ] || echo "# muni: $left not delivered in the database"
	kill "$gwpid"; wait "$gwpid" || :
	gwpid=""
	sim_stop
}

for w in $windows; do
	rm -f run.out
	r=0
	while [ "$r" -lt "$runs" ]; do
		r=$((r + 1))
		kannel_run
		muni_run
	done
	grep 'side=kannel' run.out > k.out
	grep 'side=muni' run.out > m.out
	kr=$(field rate k.out | median); mr=$(field rate m.out | median)
	kc=$(field cpu_us_per_msg k.out | median)
	mc=$(field cpu_us_per_msg m.out | median)
	ks=$(field rss_kb k.out | median); ms=$(field rss_kb m.out | median)
	kb=$(field box_cpu_us_per_msg k.out | median)
	awk -v w="$w" -v n="$n" -v runs="$runs" -v kr="$kr" -v mr="$mr" \
	    -v kc="$kc" -v mc="$mc" -v ks="$ks" -v ms="$ms" -v kb="$kb" 'BEGIN {
		printf "window=%d messages=%d runs=%d kannel_rate=%s " \
		    "muni_rate=%s kannel_cpu_us_per_msg=%s " \
		    "muni_cpu_us_per_msg=%s kannel_rss_kb=%s muni_rss_kb=%s " \
		    "kannel_smsbox_cpu_us_per_msg=%s\n",
		    w, n, runs, kr, mr, kc, mc, ks, ms, kb
		printf "window=%d rate_ratio=%.2f target_rate_ratio=1.2 " \
		    "cpu_ratio=%.2f target_cpu_ratio=0.5 " \
		    "rss_ratio=%.3f target_rss_ratio=0.1\n", w,
		    (kr > 0 ? mr / kr : 0), (kc > 0 ? mc / kc : 0),
		    (ks > 0 ? ms / ks : 0)
	}'
done
