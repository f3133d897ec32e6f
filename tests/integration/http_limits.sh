#!/bin/sh
# http_limits: HTTP clients cannot take SMPP down (issue 22), with the
# gateway under `ulimit -n 1024`, as systemd's default soft limit:
#  - a configuration whose binds, descriptor reserve and [http]
#    max_connections do not fit RLIMIT_NOFILE is refused, by -n and at
#    start, with a message that says what to change;
#  - slow clients (a byte a second, which restarts evhttp's own timeout
#    each time) are cut after [http] request_timeout_s;
#  - 1,100 slow clients that come back when cut, while the SMSC restarts:
#    /health answers throughout, the open connections never pass
#    max_connections, the bind comes back and a message sent after the
#    restart is delivered while the attack goes on;
#  - 401s counted in /metrics and logged once a minute; the errors evhttp
#    answers by itself (400, 413, 501) are JSON like the API's; a request
#    with two Content-Length headers is refused with 400 and writes
#    nothing.
# SLOW_N, SLOW_S: the attack's clients and seconds (chaos.sh's drill uses
# this script with its own figures).
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
TOKEN=tok-5e1d2c3b4a69788796a5
TIMEOUT=4
SLOW_N=${SLOW_N:-1100}
SLOW_S=${SLOW_S:-30}
SL=$MUNI_TOP/tests/integration/slowloris.pl
RAW=$MUNI_TOP/tests/integration/rawhttp.pl
. "$MUNI_TOP/tests/integration/gwlib.sh"
slowpid=""
trap '[ -z "$slowpid" ] || kill "$slowpid" 2>/dev/null || :; gwlib_cleanup' EXIT

# A sample of /metrics, or empty.
metric() {
	http_get /metrics | sed -n "s/^$1 //p"
}

event() {
	v=$(metric "muni_smsgw_http_events_total{event=\"$1\"}")
	echo "${v:-0}"
}

# field NAME FILE: NAME=VALUE from slowloris.pl's summary.
field() {
	tr ' ' '\n' < "$2" | sed -n "s/^$1=//p"
}

# x_le A B: A <= B, decimals allowed.
x_le() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'
}

delivered() {
	[ "$(sql "select count(*) from outbox where state = 'delivered' and
	    text = '$1'")" -eq 1 ]
}

unbound() {
	[ "$(http_get /health | head -n 1)" = 503 ]
}

sim_start -r 20 -e 0
hport=$(free_port)
printf '%s\n' "$TOKEN" > token
chmod 600 token
{ gw_conf_head; cat <<EOF
[http]
listen = 127.0.0.1:$hport
token_file = $PWD/token
request_timeout_s = $TIMEOUT
EOF
} > muni.conf
chmod 600 muni.conf
ctl init > /dev/null

phase "the descriptor reserve"
# 256 connections (the default), 64 kept, 2 for the bind: 322 > 200.
if ( ulimit -n 200 && exec "$B/muni-smsgw" -c muni.conf -n ) > out 2> err
then
	die "-n accepted max_connections 256 under ulimit -n 200"
fi
expect_grep "max_connections 256 and 1 bind need 322 file descriptors" err
expect_grep "but the limit (RLIMIT_NOFILE, raised to the hard limit) is 200" err
expect_grep "lower \[http\] max_connections to 134 at most" err
if ( ulimit -n 200 && exec timeout 5 "$B/muni-smsgw" -c muni.conf -d ) \
    > out 2> err; then
	die "the gateway started under ulimit -n 200"
fi
expect_grep "need 322 file descriptors" err
( ulimit -n 1024 && exec "$B/muni-smsgw" -c muni.conf -n ) > out 2> err ||
    die "-n refused ulimit -n 1024: $(cat err)"

( ulimit -n 1024 && exec "$B/muni-smsgw" -c muni.conf -d ) 2>>gw.err &
gwpid=$!
wait_for 10 "a bind" healthy

phase "slow clients cut after request_timeout_s ($TIMEOUT s)"
perl "$SL" "$hport" 20 1 $((TIMEOUT + 3)) 0 > slow1.out
cat slow1.out
expect_eq "slow clients cut" "$(field cut slow1.out)" 20
x_le "$((TIMEOUT - 1)).5" "$(field life_min slow1.out)" ||
    die "a slow client was cut before request_timeout_s"
x_le "$(field life_max slow1.out)" "$TIMEOUT.9" ||
    die "a slow client outlived request_timeout_s"
[ "$(event cut_deadline)" -ge 20 ] || die "cuts not counted"

phase "$SLOW_N slow clients while the SMSC restarts"
rm -f started
perl "$SL" "$hport" "$SLOW_N" 3 "$SLOW_S" 1 > slow2.out &
slowpid=$!
wait_for 20 "the slow clients" test -f started
most=0
for i in 1 2 3; do
	sleep 1
	healthy || die "/health does not answer during the attack"
	n=$(metric muni_smsgw_http_connections)
	[ "${n:-0}" -gt "$most" ] && most=$n
done
kill "$simpid"
wait "$simpid" 2>/dev/null || :
wait_for 10 "the bind lost" unbound
"$B/muni-smscsim" -p "$sport" -o submit2.log -O deliver2.log \
    -C "$PWD/ctl2.sock" -r 20 -e 0 >sim2.out 2>>sim.err </dev/null &
simpid=$!
wait_for 20 "the bind back during the attack" healthy
ctl sms send 29000077 "Pēc restarta" > /dev/null
wait_for 15 "the message sent after the restart, delivered" \
    delivered "Pēc restarta"
kill -0 "$slowpid" 2>/dev/null ||
    die "the attack ended before the message went out"
n=$(metric muni_smsgw_http_connections)
[ "${n:-0}" -gt "$most" ] && most=$n
wait "$slowpid" || :
slowpid=""
cat slow2.out
echo "at most $most HTTP connections seen open"
[ "$most" -le 256 ] || die "$most connections open, past max_connections"
[ "$(field cut slow2.out)" -gt 0 ] || die "no slow client was cut"
[ "$(event cut_cap)" -gt 0 ] || die "the cap's cuts not counted"
grep -q 'EMFILE\|Too many open files' gw.err &&
    die "the gateway ran out of descriptors"
# One line a minute for each kind, not one per client.
[ "$(grep -c 'max_connections reached' gw.err)" -le 2 ] ||
    die "the cap's cuts flooded the log"
healthy || die "/health after the attack"

phase "401s counted and logged once; JSON errors; two Content-Lengths"
u0=$(event unauthorized)
printf '{"phone":"29000078","text":"x"}' > body.json
code=$(curl -s -o r401 -w '%{http_code}' --data-binary @body.json \
    "http://127.0.0.1:$hport/api/v1/messages")
expect_eq "no token" "$code" 401
code=$(curl -s -o r401 -w '%{http_code}' --data-binary @body.json \
    -H "Authorization: Bearer wrong-token-0123456789" \
    "http://127.0.0.1:$hport/api/v1/messages")
expect_eq "a wrong token" "$code" 401
expect_eq "401s in /metrics" "$(event unauthorized)" $((u0 + 2))
expect_eq "401 log lines" "$(grep -c '401: a request to the API' gw.err)" 1

head -c 70000 /dev/zero | tr '\0' a > big
curl -s -i --data-binary @big -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$hport/api/v1/messages" > r413 || :
printf 'GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n' |
    perl "$RAW" "$hport" > r400
printf 'BREW /health HTTP/1.1\r\nHost: x\r\n\r\n' | perl "$RAW" "$hport" > r501
for f in r413:413:too_large r400:400:bad_request r501:501:not_implemented; do
	file=${f%%:*}; rest=${f#*:}; want=${rest%%:*}; err=${rest#*:}
	expect_grep "^HTTP/1.1 $want " "$file"
	expect_grep "^Content-Type: application/json" "$file"
	expect_grep "^{\"error\":\"$err\",\"reason\":\"" "$file"
	expect_no_grep "<HTML" "$file"
done

printf 'POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 31\r\nContent-Length: 2\r\n\r\n{"phone":"29000078","text":"x"}' \
    "$TOKEN" | perl "$RAW" "$hport" > rcl
expect_grep "^HTTP/1.1 400 " rcl
expect_grep "^{\"error\":\"bad_request\"" rcl
expect_eq "rows from a request with two lengths" \
    "$(sql "select count(*) from outbox where phone like '%29000078'")" 0

kill -0 "$gwpid" || die "the gateway died"
echo "http_limits: ok"
