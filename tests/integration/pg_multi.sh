#!/bin/sh
# pg_multi: two muni-smsgw, active/active, on one PostgreSQL database
# (issue 19), each with its own bind to one simulator. A queue of a few
# thousand messages is drained by both (each sends some, none twice); one
# is killed with SIGKILL half-way and the other sends what it had claimed
# once its lease lapsed, duplicates staying within the dead node's window;
# the broadcast settling job runs on one node at a time (its advisory
# lock) and passes to the other when the holder dies.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
export MUNI_LANG=en

B=$MUNI_BIN
N=3000
WINDOW=20
# Outside the work directory: as root, the server runs as postgres, which
# may not enter a private directory of root's.
pg=$(mktemp -d "${TMPDIR:-/tmp}/muni-pgmulti.XXXXXX")
sh "$MUNI_TOP/tests/pg.sh" start "$pg" > /dev/null
url=$(sh "$MUNI_TOP/tests/pg.sh" createdb "$pg" muni)
psql_() { sh "$MUNI_TOP/tests/pg.sh" psql "$pg" muni -At "$@"; }
q() { psql_ -c "$1"; }

simpid=""
apid=""
bpid=""
cleanup() {
	for p in $apid $bpid $simpid; do kill "$p" 2>/dev/null || :; done
	for p in $apid $bpid $simpid; do wait "$p" 2>/dev/null || :; done
	sh "$MUNI_TOP/tests/pg.sh" stop "$pg" > /dev/null 2>&1 || :
}
trap cleanup EXIT
trap 'exit 1' INT TERM

die() {
	echo "FAIL: $*"
	for n in a b; do
		echo "--- node $n"
		grep -v ' info: \(queued\|submit\|resp\|done\|receipt\) msg=' \
		    gw-$n.err 2>/dev/null | tail -n 20 || :
	done
	echo "--- simulator"; tail -n 10 sim.err 2>/dev/null || :
	exit 1
}

# Answers 300 ms late, so that each node has submits committed inflight.
"$B/muni-smscsim" -p 0 -o submit.log -C "$PWD/ctl.sock" --delay 300 \
    >sim.out 2>sim.err </dev/null &
simpid=$!
wait_for 5 "the simulator's port" grep -q '^port=' sim.out
sport=$(sed -n 's/^port=//p' sim.out)

# conf NODE: node NODE's muni-NODE.conf; sets its HTTP port in port_NODE.
conf() {
	_p=$(free_port)
	eval "port_$1=$_p"
	cat > muni-$1.conf <<EOF
[database]
url = $url
[smsc]
port = $sport
system_id = muni
password = secret
source_addr = MUNI
window = $WINDOW
max_tps = 150
enquire_link_s = 5
response_timeout_s = 2
[sms]
quiet_hours = 00:00-00:00
[smsgw]
node = gw-$1
lease_s = 10
[http]
listen = 127.0.0.1:$_p
# Nothing is posted (no broadcast ends): the poster runs, on one node.
[http.callback.erp]
url = http://127.0.0.1:9/muni
events = broadcast.done
secret_file = $PWD/cb.secret
EOF
	chmod 600 muni-$1.conf
}
echo "s3cr3t-for-the-erp" > cb.secret
chmod 600 cb.secret
conf a
conf b
"$B/munictl" -c muni-a.conf init > init.out 2>&1 || { cat init.out; die "munictl init"; }

healthy() {
	perl -MHTTP::Tiny -e 'exit(HTTP::Tiny->new(timeout => 2)->get($ARGV[0])
	    ->{status} == 200 ? 0 : 1)' "http://127.0.0.1:$1/health"
}
metrics() {
	perl -MHTTP::Tiny -e 'print HTTP::Tiny->new(timeout => 2)->get($ARGV[0])
	    ->{content} // ""' "http://127.0.0.1:$1/metrics"
}
start() {
	"$B/muni-smsgw" -c muni-$1.conf -d 2>>gw-$1.err &
	eval "${1}pid=$!"
	eval "wait_for 10 'node $1 bound' healthy \$port_$1"
}

# A job's advisory lock: who holds it (a backend pid).
holders() {
	q "SELECT pid FROM pg_locks WHERE locktype = 'advisory'
	    AND classid = 1836412521 AND objid = hashtext('job:$1')::oid
	    AND granted"
}
settle_holders() { holders settle; }
# has_holder JOB [PID]: a backend holds JOB's lock, another than PID.
has_holder() {
	_h=$(holders "$1")
	[ -n "$_h" ] && [ "$_h" != "${2:-}" ]
}

start a
wait_for 5 "node a settling" has_holder settle
holder_a=$(settle_holders)
wait_for 5 "node a posting callbacks" has_holder callbacks
cb_a=$(holders callbacks)

# The queue: N messages committed at once, as a broadcast writes them.
now=$(date +%s)
q "INSERT INTO outbox (phone, text, created_at, updated_at, priority)
    SELECT '+3712' || lpad(g::text, 7, '0'), 'Ziņa ' || g, $now, $now, 1
    FROM generate_series(1, $N) g" > /dev/null

# Node b starts while node a has messages inflight, and leaves them be:
# its start queues again only its own and those of lapsed leases.
a_inflight() {
	[ "$(q "SELECT count(*) FROM outbox WHERE state = 'inflight'
	    AND claimed_by = 'gw-a'")" -gt 0 ]
}
wait_for 10 "node a sending" a_inflight
start b
if grep 'left inflight are queued again' gw-b.err; then
	die "node b's start queued node a's inflight messages again"
fi
metrics "$port_a" | grep -q '^muni_smsgw_node_info{node="gw-a"} 1$' ||
    die "node a's /metrics does not name it"
metrics "$port_b" | grep -q '^muni_smsgw_node_info{node="gw-b"} 1$' ||
    die "node b's /metrics does not name it"

# Both send, at once: the settling job stays with node a alone.
sent() { q "SELECT count(*) FROM outbox WHERE state <> 'queued'"; }
sent_at_least() {
	[ "$(q "SELECT count(*) FROM outbox WHERE state NOT IN ('queued',
	    'inflight')")" -ge "$1" ]
}
wait_for 30 "a third sent" sent_at_least $((N / 3))
expect_eq "settle lock holders while both run" "$(settle_holders)" "$holder_a"
expect_eq "callback poster lock holders while both run" "$(holders callbacks)" "$cb_a"
[ "$(q "SELECT count(*) FROM outbox WHERE claimed_by = 'gw-a'")" -gt 0 ] ||
    die "node a claimed nothing"
[ "$(q "SELECT count(*) FROM outbox WHERE claimed_by = 'gw-b'")" -gt 0 ] ||
    die "node b claimed nothing"

# Node a dies with rows claimed and inflight.
kill -9 "$apid"
wait "$apid" 2>/dev/null || :
apid=""
left=$(q "SELECT count(*) FROM outbox WHERE claimed_by = 'gw-a'
    AND state IN ('queued', 'inflight')")
echo "node a killed: $(sent) of $N past queued, $left of them a's unsent"

# Node b finishes, a's rows too once a's lease lapsed.
done_all() {
	[ "$(q "SELECT count(*) FROM outbox WHERE state IN ('queued',
	    'inflight')")" -eq 0 ]
}
wait_for 60 "every message sent" done_all
# The settling job moved to node b (a's connection ended with it).
wait_for 5 "node b settling" has_holder settle "$holder_a"
[ "$(settle_holders | wc -l)" -eq 1 ] || die "two holders of the settling job"
wait_for 5 "node b posting callbacks" has_holder callbacks "$cb_a"

"$B/muni-smscsim" --ctl -C "$PWD/ctl.sock" flush > /dev/null
# Every message reached the SMSC; a message twice only if node a had
# handed it over without an answer when it died: its window at most.
sed -n 's/.* dst=\([^ ]*\) .*/\1/p' submit.log | sort > dst.txt
expect_eq "phones reached" "$(uniq dst.txt | wc -l)" "$N"
dups=$(uniq -d dst.txt | wc -l)
echo "sent twice: $dups (node a's window: $WINDOW)"
[ "$dups" -le "$WINDOW" ] || die "$dups messages sent twice"
# Delivered, but for those whose receipt the SMSC gave the dead node's
# bind (a receipt may come on any bind): accepted, awaiting none.
q "SELECT claimed_by, state, count(*) FROM outbox GROUP BY 1, 2 ORDER BY 1, 2"
[ "$(q "SELECT count(*) FROM outbox WHERE state <> 'delivered'
    AND state <> 'accepted'")" -eq 0 ] || die "messages neither delivered nor accepted"
[ "$(q "SELECT count(*) FROM outbox WHERE state = 'delivered'
    AND claimed_by = 'gw-b'")" -gt 0 ] || die "node b delivered nothing"
# munictl report counts each node's messages.
"$B/munictl" -c muni-b.conf report --raw > report.out 2>&1 || { cat report.out; die "munictl report"; }
grep '^node=' report.out
for n in a b; do
	want=$(q "SELECT count(*) FROM outbox WHERE claimed_by = 'gw-$n'
	    AND state NOT IN ('queued', 'inflight')")
	grep -q "^node=gw-$n inflight=0 sent=$want sent_24h=$want\$" report.out ||
	    die "munictl report: node gw-$n's line, want sent=$want"
done
# New rows wake the gateways by NOTIFY (the poll is the fallback).
grep -q 'node gw-a: new messages announced by the database (LISTEN muni_outbox)' gw-a.err ||
    die "node a does not listen"
grep -q 'node gw-b: new messages announced by the database (LISTEN muni_outbox)' gw-b.err ||
    die "node b does not listen"
q "INSERT INTO outbox (phone, text, created_at, updated_at)
    VALUES ('+37129999999', 'Vēl viena', $now, $now)" > /dev/null
wait_for 10 "the late message sent" done_all
grep -q 'a gone node left inflight are queued again' gw-b.err ||
    [ "$left" -eq 0 ] || die "node b did not take over a's inflight rows"
echo "ok"
