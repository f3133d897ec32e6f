#!/bin/sh
# reconnect_backoff: a bind that succeeds does not by itself reset the
# reconnect backoff (issue 22). An SMSC that accepts the bind and drops the
# link at the first submit used to get a new connection every
# reconnect_min_s for ever; now the wait doubles up to reconnect_max_s
# until a session stays up reconnect_stable_s, and after such a session
# the next wait is reconnect_min_s again.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

# The waits the gateway chose, in ms, one a line, after line $1 of gw.err.
waits_since() {
	tail -n "+$(($1 + 1))" gw.err |
	    sed -n 's/.*reconnecting in \([0-9]*\)\.\([0-9]*\) s$/\1\2/p'
}

waits_at_least() {
	[ "$(waits_since "$1" | wc -l)" -ge "$2" ]
}

sim_start
hport=$(free_port)
{ gw_conf_head; cat <<EOF
reconnect_stable_s = 2
[http]
listen = 127.0.0.1:$hport
EOF
} > muni.conf
chmod 600 muni.conf
ctl init > /dev/null
gw_start

phase "Binds that break at the first submit: the wait grows"
simctl set drop-after 2 > /dev/null
m=$(wc -l < gw.err)
ctl sms send 29000001 "backoff" > /dev/null
wait_for 30 "four reconnects" waits_at_least "$m" 4
waits_since "$m" | head -n 4 | tr '\n' ' '; echo
# reconnect_min_s 1, reconnect_max_s 4: 1, 1-2, 2-4, 2-4 s (the upper half
# of each doubled wait); without the rule every wait was 1 s.
longest=$(waits_since "$m" | head -n 4 | sort -n | tail -n 1)
[ "$longest" -ge 2000 ] || die "the waits did not grow: longest $longest ms"

phase "A session that stays up resets it"
simctl set drop-after 0 > /dev/null
wait_for 20 "a bind" healthy
sleep 3
m=$(wc -l < gw.err)
simctl send unbind > /dev/null
wait_for 10 "the reconnect" waits_at_least "$m" 1
expect_eq "the wait after a stable session" "$(waits_since "$m" | head -n 1)" 1000
wait_for 20 "a bind again" healthy
echo "reconnect_backoff: ok"
