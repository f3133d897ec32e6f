# peerlib.sh: sourced by the peer_*.sh scripts, which run programs nobody
# here wrote (Kannel, osmo-msc) that listen on fixed ports on every
# interface. Each runs them in a network namespace of its own with only
# loopback, so nothing reaches or collides with the machine's.
#
# The script sets ns (a name with $$ in it) and nsmade=0, deletes the
# namespace in its cleanup when nsmade is 1, and defines die.

# peer_netns WHAT: make $ns with loopback up; without the right to (not
# root), print SKIP naming WHAT and end the script with success.
peer_netns() {
	if ! ip netns add "$ns" 2>netns.err; then
		echo "SKIP: cannot create a network namespace for $1" \
		    "(needs root): $(cat netns.err)"
		exit 0
	fi
	nsmade=1
	ip netns exec "$ns" ip link set lo up || die "cannot bring up lo in $ns"
}

# Background programs go through "ip netns exec" itself, never through a
# shell function: a function run with & is a subshell, and $! its pid.
in_ns() {
	ip netns exec "$ns" "$@"
}

# listening PORT: something listens on PORT in the namespace.
listening() {
	in_ns ss -Hltn "sport = :$1" | grep -q .
}
