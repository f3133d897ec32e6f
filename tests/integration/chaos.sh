#!/bin/sh
# chaos: fault drills against muni-smsgw and muni-smscsim over real TCP.
#  a) kill -9 of the gateway at random points of a long run, KILLS times:
#     every message ends final, none lost, duplicates at the SMSC within
#     the window per crash;
#  b) the SMSC dropping the connection every DROP PDUs, then refusing
#     connections (nothing listening) for a while;
#  c) another process holding a write transaction for LOCK_S seconds while
#     messages go out and MO arrive: nothing lost or doubled, MO answered
#     with ESME_RX_T_APPN or stored, each exactly once;
#  d) the database's file system full (a small tmpfs): MO refused with
#     ESME_RX_T_APPN, no submit goes out without its state stored, and when
#     space returns everything is sent, nothing lost (SKIP, with the reason,
#     when a tmpfs cannot be mounted);
#  e) HTTP clients against a small limit on open files (ulimit -n 80,
#     [http] max_connections 10): the daemon keeps running, does not spin,
#     and the link, the MO and the run go on;
#  f) poison MO parts (SAR segment 9 of 2) from many senders during a run,
#     the simulator delivering again whatever gets a temporary error, and
#     normal MO among them: each bad part refused once, permanently, no
#     link reset, nothing sent twice, the MO answered;
#  g) senders each opening 33 and more concatenated messages they never
#     finish, during a run: past 32 refused permanently, the same outcome;
#  h) slowloris: SLOW_N slow HTTP clients (a byte every 3 s, back when
#     cut) under ulimit -n 1024 while the SMSC drops the link and refuses
#     for a while: /health answers, the bind comes back and a run is
#     delivered while the attack goes on.
# make test runs the short form (about a minute); CHAOS_FULL=1 (make chaos)
# the long one: 100,000 messages and five kills.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
WINDOW=100
if [ "${CHAOS_FULL:-0}" = 1 ]; then
	N=100000 KILLS=5 DROP=5000 NDROP=20000 REFUSE_S=10 LOCK_S=8 NLOCK=5000
	NPOISON=20000 POISONERS=200 OPENERS=20 OPENED=100
	SLOW_N=1100 SLOW_S=60
else
	N=4000 KILLS=2 DROP=700 NDROP=2000 REFUSE_S=3 LOCK_S=3 NLOCK=1000
	NPOISON=1000 POISONERS=20 OPENERS=2 OPENED=40
	SLOW_N=1100 SLOW_S=25
fi
. "$MUNI_TOP/tests/integration/gwlib.sh"
sqlite_only "a full disk and a lock on the file; PostgreSQL's drills are not written yet"

mnt=""
slowpid=""
chaos_cleanup() {
	[ -z "$slowpid" ] || kill "$slowpid" 2>/dev/null || :
	gwlib_cleanup
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null || :
}
trap chaos_cleanup EXIT

sim_stat() {
	simctl stats | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Random 0..$1-1, from the kernel; printed so a failure can be replayed.
rnd() {
	echo $(( $(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1 ))
}

# Messages of a run (texts PREFIX1..PREFIXn) in a state.
count_state() {
	sql "select count(*) from outbox where state = '$2' and text glob '$1[0-9]*'"
}

all_final() {
	[ "$(sql "select count(*) from outbox where state in
	    ('queued', 'inflight', 'accepted')")" -eq 0 ]
}

accepted_at_least() {
	[ "$(sim_stat accepted)" -ge "$1" ]
}

# batch N PREFIX: N messages texted PREFIX1..PREFIXN, in one batch.
batch() {
	batch_csv 26 "$1" "$2"
	ctl sms send --batch b.csv > /dev/null
}

# batch_csv PREFIX N TEXT: b.csv for numbers +371PREFIXnnnnnn.
batch_csv() {
	awk -v p="$1" -v n="$2" -v t="$3" 'BEGIN { print "phone,text"
	    for (i = 1; i <= n; i++) printf "%s%06d,%s%d\n", p, i, t, i }' \
	    > b.csv
}

# check_run PREFIX N MAXDUP: all N delivered, each reached the SMSC, and
# the resends stayed within MAXDUP.
check_run() {
	expect_eq "$1: delivered" "$(count_state "$1" delivered)" "$2"
	simctl flush > /dev/null
	grep "status=0x00 .* text=$1[0-9]*\$" submit.log |
	    sed 's/.* text=//' | sort | uniq -c > "$1.count"
	expect_eq "$1: messages that reached the SMSC" \
	    "$(wc -l < "$1.count" | tr -d ' ')" "$2"
	dups=$(awk '$1 > 1 { d += $1 - 1 } END { print d + 0 }' "$1.count")
	echo "$1: $2 messages, $dups sent twice (at most $3)"
	[ "$dups" -le "$3" ] || die "$1: $dups duplicates, more than $3"
}

start_gw() {
	"$B/muni-smsgw" -c "${conf:-muni.conf}" -d 2>>gw.err &
	gwpid=$!
	wait_for 20 "a bind" healthy
}

stop_gw() {
	kill -TERM "$gwpid"
	rc=0
	wait "$gwpid" || rc=$?
	gwpid=""
	expect_eq "the gateway's exit status" "$rc" 0
}

# CPU seconds (user + system) the gateway has used, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$gwpid/stat"
}

# An MO from each of n numbers +3712000010k, texted TEXTk.
mo_burst() {
	k=1
	while [ "$k" -le "$1" ]; do
		simctl mo "+3712000010$k" 505 "$2$k" > /dev/null
		k=$((k + 1))
	done
}

# Each of the n MO TEXTk stored exactly once and answered.
mo_stored_once() {
	[ "$(sql "select count(distinct text) from inbox where text glob
	    '$2[0-9]*' and processed_at is not null")" -eq "$1" ] &&
	[ "$(sql "select count(*) from inbox where text glob '$2[0-9]*'")" \
	    -eq "$1" ]
}

write_gw_conf() {
	cat > "$1" <<EOF
[database]
path = $2
[smsc]
port = $sport
system_id = muni
password = secret
source_addr = MUNI
window = $WINDOW
max_tps = 100000
enquire_link_s = 5
reconnect_min_s = 1
reconnect_max_s = 2
response_timeout_s = 2
[http]
listen = 127.0.0.1:$hport
EOF
	chmod 600 "$1"
}

sim_start -r 20 -e 0
hport=$(free_port)
write_gw_conf muni.conf "$PWD/muni.db"
ctl init > /dev/null
start_gw

# CHAOS_DRILLS picks drills (default all): "a c" runs two.
drill() {
	case " ${CHAOS_DRILLS:-a b c d e f g h} " in *" $1 "*) return 0;; esac
	return 1
}

# --- a) kill -9 at random points of a run of N.
drill a && {
phase "a) kill -9 $KILLS times during $N messages"
base=$(sim_stat accepted)
batch "$N" k
k=1
while [ "$k" -le "$KILLS" ]; do
	at=$((base + k * N / (KILLS + 1) - N / (4 * (KILLS + 1)) +
	    $(rnd $((N / (2 * (KILLS + 1)))))))
	wait_for 300 "$at submits accepted" accepted_at_least "$at"
	kill -9 "$gwpid"
	wait "$gwpid" 2>/dev/null || :
	gwpid=""
	echo "kill $k after $(( $(sim_stat accepted) - base )) submits"
	start_gw
	k=$((k + 1))
done
wait_for 600 "the run final" all_final
check_run k "$N" $((KILLS * WINDOW))
echo "restarts that requeued inflight rows:" \
    "$(grep -c 'messages left inflight are queued again' gw.err || :)"
}

# --- b) The SMSC drops the link every DROP PDUs, then refuses connections.
drill b && {
phase "b) drops every $DROP PDUs, then $REFUSE_S s refused"
conns=$(sim_stat connections)
base=$(sim_stat accepted)
simctl set drop-after "$DROP" > /dev/null
batch "$NDROP" d
wait_for 300 "half of the run" accepted_at_least $((base + NDROP / 2))
simctl set refuse 1 > /dev/null
sleep 1
[ "$(http_get /health | head -n 1)" = 503 ] ||
    die "/health is not 503 while the SMSC refuses"
sleep "$REFUSE_S"
simctl set refuse 0 > /dev/null
wait_for 600 "the drops final" all_final
simctl set drop-after 0 > /dev/null
drops=$(( $(sim_stat connections) - conns ))
echo "reconnected $drops times"
[ "$drops" -ge 3 ] || die "only $drops reconnects"
check_run d "$NDROP" $(( (drops + 1) * WINDOW ))
expect_grep 'Connection refused' gw.err
kill -0 "$gwpid" || die "the gateway died"
}

# --- c) Another process holds a write transaction for LOCK_S seconds.
drill c && {
phase "c) a write transaction held for $LOCK_S s"
simctl set max-tps 400 > /dev/null
retry0=$(sim_stat deliver_retry)
batch "$NLOCK" l
{
	echo ".timeout 20000"
	echo "BEGIN IMMEDIATE;"
	echo "INSERT INTO counters (name, value) VALUES ('chaos-lock', 1);"
	echo ".print locked"
	echo ".shell sleep $LOCK_S"
	echo "COMMIT;"
	echo ".print released"
} | sqlite3 muni.db > lock.out 2>&1 &
lockpid=$!
wait_for 30 "the lock" grep -q locked lock.out
mo_burst 5 lockmo
simctl ussd +37120000109 '*505#' > /dev/null
wait "$lockpid" || die "sqlite3 holding the lock failed: $(cat lock.out)"
expect_grep released lock.out
simctl set max-tps 0 > /dev/null
wait_for 120 "the locked run final" all_final
# Nothing doubled: what the SMSC took waited in memory for the lock.
check_run l "$NLOCK" 0
wait_for 60 "the MO of the lock answered" mo_stored_once 5 lockmo
echo "deliver_sm refused (ESME_RX_T_APPN) and retried during the lock:" \
    "$(( $(sim_stat deliver_retry) - retry0 ))"
healthy || die "no bind after the lock"
}

# poison_check PREFIX N REFUSED STATUS RETRY0 LINKS0: the run of N (texts
# PREFIX1..PREFIXN) final and sent once each, the MO PREFIXmo1..5 sent
# among the poison answered, STATUS refused REFUSED times by the gateway
# (no more: nothing was delivered again), no temporary refusal since
# RETRY0, no link lost since the log had LINKS0 such lines.
poison_check() {
	wait_for 300 "the $1 run final" all_final
	check_run "$1" "$2" 0
	wait_for 60 "the MO among the poison answered" mo_stored_once 5 "${1}mo"
	sleep 1
	expect_eq "$1: refused with $4" \
	    "$(grep -c "deliver_sm refused with $4\$" sim.err || :)" "$3"
	expect_eq "$1: deliver_sm refused for now and redelivered" \
	    "$(( $(sim_stat deliver_retry) - $5 ))" 0
	expect_eq "$1: links lost" "$(grep -c 'link down' gw.err || :)" "$6"
	healthy || die "no bind after the poison"
}

# --- f) Poison MO parts: SAR segment 9 of 2, during a run.
drill f && {
phase "f) $POISONERS senders of SAR part 9 of 2 during $NPOISON messages"
retry0=$(sim_stat deliver_retry)
links0=$(grep -c 'link down' gw.err || :)
base=$(sim_stat accepted)
batch "$NPOISON" p
wait_for 120 "the run under way" accepted_at_least $((base + NPOISON / 10))
k=1
: > p.ctl
while [ "$k" -le "$POISONERS" ]; do
	echo "part -s +3712300$(printf %04d "$k") 505 $k 9 2 poison" >> p.ctl
	[ $((k % 4)) -eq 0 ] && [ $((k / 4)) -le 5 ] &&
	    echo "mo +3712000010$((k / 4)) 505 pmo$((k / 4))" >> p.ctl
	k=$((k + 1))
done
expect_eq "p: control lines taken" "$(simctl_lines p.ctl)" \
    "$(wc -l < p.ctl | tr -d ' ')"
poison_check p "$NPOISON" "$POISONERS" ESME_RINVOPTPARAMVAL "$retry0" \
    "$links0"
}

# --- g) Concatenated messages opened and never finished, past the limit.
drill g && {
phase "g) $OPENERS senders opening $OPENED messages each during $NPOISON"
retry0=$(sim_stat deliver_retry)
links0=$(grep -c 'link down' gw.err || :)
base=$(sim_stat accepted)
batch "$NPOISON" u
wait_for 120 "the run under way" accepted_at_least $((base + NPOISON / 10))
k=1
: > u.ctl
while [ "$k" -le "$OPENERS" ]; do
	j=1
	while [ "$j" -le "$OPENED" ]; do
		echo "part +3712400$(printf %04d "$k") 505 $j 1 3 open" >> u.ctl
		j=$((j + 1))
	done
	[ "$k" -le 5 ] && echo "mo +3712000010$k 505 umo$k" >> u.ctl
	k=$((k + 1))
done
# Fewer than five openers: the MO among them made up to five.
k=$((OPENERS + 1))
while [ "$k" -le 5 ]; do
	echo "mo +3712000010$k 505 umo$k" >> u.ctl
	k=$((k + 1))
done
expect_eq "u: control lines taken" "$(simctl_lines u.ctl)" \
    "$(wc -l < u.ctl | tr -d ' ')"
poison_check u "$NPOISON" $((OPENERS * (OPENED - 32))) ESME_RX_R_APPN \
    "$retry0" "$links0"
expect_eq "u: parts held" "$(sql "select count(*) from mo_parts where
    source glob '+3712400*'")" $((OPENERS * 32))
}
stop_gw

# --- d) The database's file system full.
drill d && phase "d) the disk full" && mkdir -p mnt
if ! drill d; then
	:
elif ! mount -t tmpfs -o size=24m,mode=0700 tmpfs "$PWD/mnt" 2>mount.err
then
	# Not root, or no CAP_SYS_ADMIN in a container: said, not faked.
	echo "SKIP: disk-full drill: cannot mount a tmpfs: $(cat mount.err)"
else
	mnt=$PWD/mnt
	conf=full.conf
	write_gw_conf full.conf "$mnt/muni.db"
	ctl_full() { "$B/munictl" -c full.conf "$@"; }
	ctl_full init > /dev/null
	batch_csv 27 3000 f
	ctl_full sms send --batch b.csv > /dev/null
	simctl set max-tps 300 > /dev/null
	base=$(sim_stat accepted)
	retry0=$(sim_stat deliver_retry)
	start_gw
	wait_for 30 "the first submits" accepted_at_least $((base + 300))
	# Fill it; what the WAL had room for may still go, then nothing.
	dd if=/dev/zero of="$mnt/fill" bs=64k 2>/dev/null || :
	df -k "$mnt" | tail -n 1
	mo_burst 3 fullmo
	# Until the WAL needs a page it has not got, writes may still go.
	wait_for 30 "a write refused for want of space" \
	    grep -q 'database or disk is full' gw.err
	sleep 1
	a1=$(sim_stat accepted)
	sleep 3
	a2=$(sim_stat accepted)
	r=$(( $(sim_stat deliver_retry) - retry0 ))
	echo "disk full: $((a1 - base)) submits, then $((a2 - a1)) in 3 s;" \
	    "$r deliver_sm answered ESME_RX_T_APPN"
	[ "$a2" -eq "$a1" ] || die "submits went on with the disk full"
	[ "$r" -ge 1 ] || die "no MO was refused with the disk full"
	kill -0 "$gwpid" || die "the gateway died of a full disk"
	rm -f "$mnt/fill"
	simctl set max-tps 0 > /dev/null
	conf_db="$mnt/muni.db"
	wait_for 120 "the run final after the disk full" sh -c \
	    "[ \"\$(sqlite3 -batch -noheader '$conf_db' \"select count(*)
	    from outbox where state in ('queued', 'inflight', 'accepted')\")\" \
	    -eq 0 ]"
	expect_eq "f: delivered" "$(sqlite3 -batch -noheader "$conf_db" \
	    "select count(*) from outbox where state = 'delivered' and
	    text glob 'f[0-9]*'")" 3000
	simctl flush > /dev/null
	grep "status=0x00 .* text=f[0-9]*\$" submit.log |
	    sed 's/.* text=//' | sort | uniq -c > f.count
	expect_eq "f: reached the SMSC" "$(wc -l < f.count | tr -d ' ')" 3000
	dups=$(awk '$1 > 1 { d += $1 - 1 } END { print d + 0 }' f.count)
	echo "f: 3000 messages, $dups sent twice (at most $WINDOW)"
	[ "$dups" -le "$WINDOW" ] || die "f: $dups duplicates"
	wait_for 60 "the MO of the full disk" sh -c "[ \"\$(sqlite3 -batch \
	    -noheader '$conf_db' \"select count(*) from inbox where text glob
	    'fullmo[0-9]*' and processed_at is not null\")\" -eq 3 ]"
	expect_eq "fullmo stored once" "$(sqlite3 -batch -noheader "$conf_db" \
	    "select count(*) from inbox where text glob 'fullmo[0-9]*'")" 3
	stop_gw
	expect_eq "the full disk's database" "$(sqlite3 -batch -noheader \
	    "$conf_db" 'pragma integrity_check')" ok
	conf=muni.conf
fi

# --- e) Out of file descriptors.
drill e && {
phase "e) HTTP clients against RLIMIT_NOFILE 80"
# 64 kept for the binds, the database and the log, 2 for the bind, 10
# for HTTP: it fits in 80, and no accept() can take the binds' share.
{ cat muni.conf; echo "max_connections = 10"; } > muni-e.conf
chmod 600 muni-e.conf
( ulimit -n 80 && exec "$B/muni-smsgw" -c muni-e.conf -d ) 2>>gw.err &
gwpid=$!
wait_for 20 "a bind" healthy
perl -MIO::Socket::INET -e '
	my @s;
	for (1 .. 200) {
		my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0], Timeout => 1) or last;
		push @s, $c;
	}
	print scalar(@s), "\n";
	open(my $f, ">", "held") and close($f);
	sleep $ARGV[1];' "$hport" 6 > conns.out &
holdpid=$!
wait_for 10 "the connections" test -f held
ticks0=$(cpu_ticks)
# The link goes down meanwhile: reconnecting needs a descriptor too.
simctl send unbind > /dev/null
mo_burst 3 fdmo
batch 300 e
wait "$holdpid" || :
ticks=$(( $(cpu_ticks) - ticks0 ))
echo "$(cat conns.out) connections held; the gateway used $ticks ticks" \
    "of CPU in about 6 s"
# 6 s at 100 ticks/s: a spinning accept loop would take most of it.
[ "$ticks" -lt 100 ] || die "the gateway spun with no descriptors left"
# Our pause warning, or libevent's own line for each failed accept().
[ "$(grep -c -E 'http: accept|accept\(\)' gw.err)" -lt 20 ] ||
    die "the accept errors flooded the log"
kill -0 "$gwpid" || die "the gateway died without descriptors"
wait_for 30 "a bind after the descriptors came back" healthy
wait_for 60 "the run final after EMFILE" all_final
check_run e 300 "$WINDOW"
wait_for 30 "the MO answered after EMFILE" mo_stored_once 3 fdmo
[ "$(http_get /health | head -n 1)" = 200 ] || die "HTTP does not answer"
stop_gw
}

# --- f) Slowloris while the SMSC goes away and comes back.
drill h && {
phase "h) $SLOW_N slow HTTP clients for $SLOW_S s, the SMSC gone and back"
{ cat muni.conf; echo "request_timeout_s = 4"; } > muni-f.conf
chmod 600 muni-f.conf
mark=$(wc -l < gw.err)
( ulimit -n 1024 && exec "$B/muni-smsgw" -c muni-f.conf -d ) 2>>gw.err &
gwpid=$!
wait_for 20 "a bind" healthy
rm -f started
perl "$MUNI_TOP/tests/integration/slowloris.pl" "$hport" "$SLOW_N" 3 \
    "$SLOW_S" 1 > slow.out &
slowpid=$!
wait_for 20 "the slow clients" test -f started
sleep 2
healthy || die "/health does not answer during the attack"
conns=$(sim_stat connections)
# The SMSC restarts: the link goes, connections are refused for a while.
simctl set refuse 1 > /dev/null
simctl send unbind > /dev/null
sleep 2
healthy && die "/health says 200 with the SMSC gone"
simctl set refuse 0 > /dev/null
wait_for 20 "the bind back during the attack" healthy
batch 200 slow
wait_for 60 "the run after the SMSC came back, final" all_final
kill -0 "$slowpid" 2>/dev/null ||
    die "the attack ended before the run did (raise SLOW_S)"
healthy || die "/health does not answer during the attack"
wait "$slowpid" || :
slowpid=""
echo "slow clients: $(cat slow.out)"
check_run slow 200 "$WINDOW"
[ "$(sim_stat connections)" -gt "$conns" ] || die "the bind did not reconnect"
[ "$(tr ' ' '\n' < slow.out | sed -n 's/^cut=//p')" -gt 0 ] ||
    die "no slow client was cut"
tail -n "+$((mark + 1))" gw.err > gw-f.err
expect_no_grep 'Too many open files' gw-f.err
stop_gw
}
expect_eq "the database after the drills" "$(sql 'pragma integrity_check')" ok
echo "chaos: ok"
