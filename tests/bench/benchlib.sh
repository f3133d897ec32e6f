# benchlib.sh: what the gateway benches (gateway.sh, rss.sh, latency.sh)
# share, sourced after `set -eu`: the simulator's and the gateway's pids,
# killed and reaped however the bench ends, and free_port.
simpid=""
gwpid=""
bench_cleanup() {
	for p in $gwpid $simpid; do kill "$p" 2>/dev/null || :; done
	for p in $gwpid $simpid; do wait "$p" 2>/dev/null || :; done
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM

# free_port: a TCP port on loopback that nothing listens on now.
free_port() {
	perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
	    LocalAddr => "127.0.0.1", LocalPort => 0)->sockport, "\n"'
}

# sim_port FILE: the port a simulator started with -p 0 printed to FILE
# (port=N), once it is there; fails (so `set -e` ends the bench) after 5 s.
sim_port() {
	i=0
	until grep -q '^port=' "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 50 ] || { echo "no simulator" >&2; exit 1; }
		sleep 0.1
	done
	sed -n 's/^port=//p' "$1"
}
