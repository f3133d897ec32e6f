#!/bin/sh
# openapi: a running muni-smsgw against doc/openapi.yaml
# (openapi_check.py): every documented path and method answers with a
# documented status and a body of the documented shape, with a good
# request, a bad one and without a token; undocumented paths are 404.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
TOKEN=tok-openapi-5b2d4680aa3f9a7e
. "$MUNI_TOP/tests/integration/gwlib.sh"

sim_start -r 20 -e 0
hport=$(free_port)
printf '%s\n' "$TOKEN" > token
{ gw_conf_head 50 1000; cat <<EOF
[sms]
quiet_hours = none
[broadcast]
approval_threshold = 100000
[http]
listen = 127.0.0.1:$hport
token_file = $PWD/token
EOF
} > muni.conf
export USER=anna
ctl init > /dev/null 2>&1
ctl demo --residents 200 --seed 3 > /dev/null 2>&1
ctl group add seniori --rule "age >= 60" > /dev/null
gw_start
ctl sms send +37120000030 "Sveiki" > /dev/null 2>&1
ctl broadcast send --group seniori --text "Sveiki!" --yes > /dev/null 2>&1
mid=$(sql "select max(id) from outbox")
bid=$(sql "select max(id) from broadcasts")
python3 "$MUNI_TOP/tests/integration/openapi_check.py" \
    "$MUNI_TOP/doc/openapi.yaml" "http://127.0.0.1:$hport" "$TOKEN" \
    "$mid" "$bid" || die "the gateway strays from doc/openapi.yaml"
gw_stop
