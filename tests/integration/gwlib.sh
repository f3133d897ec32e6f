# gwlib.sh: the harness of the scripts that run muni-smsgw against
# muni-smscsim (sourced after lib.sh, not run). Sourcing it arranges for
# the processes in $gwpid and $simpid to be stopped when the script ends.
# Expects $B (the binaries), $hport (the gateway's HTTP port, once chosen),
# gw.err and sim.err (the daemons' logs) in the current directory.

simpid=""
gwpid=""
gwlib_cleanup() {
	for p in $gwpid $simpid; do kill "$p" 2>/dev/null || :; done
	for p in $gwpid $simpid; do wait "$p" 2>/dev/null || :; done
}
trap gwlib_cleanup EXIT
trap 'exit 1' INT TERM

# die MESSAGE: fail, with the tails of both logs (the gateway's without
# its one line per message step, which would hide everything else).
die() {
	echo "FAIL: $*"
	echo "--- gateway log"
	grep -v ' info: \(queued\|submit\|resp\|done\|receipt\) msg=' gw.err 2>/dev/null |
	    tail -n 30 || :
	echo "--- simulator log"; tail -n 20 sim.err 2>/dev/null || :
	exit 1
}

http_get() {
	perl -MHTTP::Tiny -e 'my $r = HTTP::Tiny->new(timeout => 2)->get($ARGV[0]);
	    print $r->{status}, "\n", $r->{content} // ""' "http://127.0.0.1:$hport$1"
}

simctl() {
	"$B/muni-smscsim" --ctl -C "$PWD/ctl.sock" "$@"
}

healthy() {
	[ "$(http_get /health | head -n 1)" = 200 ]
}

# Seconds since the start, beside each phase, for whoever reads the log.
t0=$(date +%s)
phase() {
	echo "$(($(date +%s) - t0))s: $*"
}

# sim_start [OPTION...]: the simulator on a free port, its submits in
# submit.log and the MO and USSD it hands the gateway in deliver.log (both
# kept by tests/run.sh for the privacy check); sets $simpid and $sport.
sim_start() {
	"$B/muni-smscsim" -p 0 -o submit.log -O deliver.log \
	    -C "$PWD/ctl.sock" "$@" >sim.out 2>sim.err </dev/null &
	simpid=$!
	wait_for 5 "the simulator's port" grep -q '^port=' sim.out
	sport=$(sed -n 's/^port=//p' sim.out)
}

# gw_start: muni-smsgw on muni.conf, logging to gw.err, once it is bound.
# gw_conf_head [WINDOW [MAX_TPS [RESPONSE_TIMEOUT_S]]]: the [database] and
# [smsc] sections that start a test's muni.conf, bound to the simulator on
# $sport (defaults 50, 400 and 2); the caller appends its own sections:
#	{ gw_conf_head 100; cat <<EOF ... EOF
#	} > muni.conf
gw_conf_head() {
	cat <<EOF
[database]
$(db_conf)
[smsc]
port = $sport
system_id = muni
password = secret
source_addr = MUNI
window = ${1:-50}
max_tps = ${2:-400}
enquire_link_s = 5
reconnect_min_s = 1
reconnect_max_s = 4
response_timeout_s = ${3:-2}
EOF
}

gw_start() {
	"$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
	gwpid=$!
	wait_for 10 "a bind" healthy
}

# gw_stop: stop the gateway and wait for it.
gw_stop() {
	kill "$gwpid" 2>/dev/null || :
	wait "$gwpid" 2>/dev/null || :
	gwpid=""
}

# privacy_typed CODE: a personal code the script itself types into an MO
# (to see it kept off the wire and out of the logs); the privacy check
# then allows it in deliver.log, and nowhere else.
privacy_typed() {
	echo "$1" >> typed-codes
}

# Lines in the submit log so far (after a flush).
log_mark() {
	simctl flush > /dev/null
	wc -l < submit.log
}

# The submit log after line MARK.
log_since() {
	tail -n "+$(($1 + 1))" submit.log
}

processed_is() {
	[ "$(sql "select count(*) from inbox where source = '$1'
	    and processed_at is not null")" -ge "$2" ]
}

# Nothing for PHONE waits in the outbox, and the log has it all.
outbox_settled() {
	[ "$(sql "select count(*) from outbox where phone = '$1' and state in
	    ('queued', 'inflight')")" -eq 0 ] || return 1
	simctl flush > /dev/null
}

# lines_to_at_least MARK PHONE N: N submits to PHONE after MARK.
lines_to_at_least() {
	simctl flush > /dev/null
	[ "$(log_since "$1" | grep -c "dst=$2 ")" -ge "$3" ]
}

# The text PHONE got after MARK: parts ordered by their UDH, joined.
text_to() {
	log_since "$1" | grep "dst=$2 " | sed 's/.* udh=\([-0-9a-f]*\) .* text=/\1 /' |
	    sort -s -k1,1 | sed 's/^[-0-9a-f]* //' | tr -d '\n'
}

# mo FROM TEXT: text from FROM, wait until it is handled and any reply
# has reached the simulator; the reply (possibly empty) in reply.txt, its
# submit lines in reply.log.
mo() {
	m=$(log_mark)
	before=$(sql "select count(*) from inbox where source = '$1'")
	simctl mo "$1" 505 "$2" > /dev/null
	wait_for 10 "MO '$2' from $1 handled" processed_is "$1" $((before + 1))
	wait_for 10 "the reply to $1 sent" outbox_settled "$1"
	text_to "$m" "$1" > reply.txt
	log_since "$m" | grep "dst=$1 " > reply.log || :
}

# ussd_step FROM TEXT [OP [SESSION]]: one USSD step; the answer's submit
# line in ussd.txt.
ussd_step() {
	m=$(log_mark)
	simctl ussd "$@" > /dev/null
	wait_for 10 "the USSD answer to $1 '$2'" lines_to_at_least "$m" "$1" 1
	log_since "$m" | grep "dst=$1 " > ussd.txt
}

# simctl_lines FILE: every line of FILE to the simulator's control socket
# in one write, so that the deliver_sm they make go out together and meet
# in one of the gateway's turns; prints how many were answered "ok".
simctl_lines() {
	perl -MIO::Socket::UNIX -e '
		my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die "$!";
		open(my $f, "<", $ARGV[1]) or die "$!";
		my $all = do { local $/; <$f> };
		my $n = ($all =~ tr/\n//);
		print $s $all;
		my $ok = 0;
		while ($n-- > 0 && defined(my $l = <$s>)) {
			$ok++ if $l =~ /^ok/;
		}
		print "$ok\n";' "$PWD/ctl.sock" "$1"
}
