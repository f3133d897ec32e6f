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
