#!/bin/sh
# api_idempotency: the Idempotency-Key of POST /api/v1/messages and
# /broadcasts (issue 23) through muni-smsgw. The same key with the same
# body gets the first answer again, word for word, with
# Idempotent-Replayed: true, and creates nothing, also after a gateway
# restart; the key with another body is 409 idempotency_conflict and
# creates nothing; another key creates anew; a malformed key is 400; a
# key on the other address is another key; after 24 hours a key is new
# again. (Keys are per client: test_idem.)
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
TOKEN=tok-idem-7e5b2d4680aa3f9a
. "$MUNI_TOP/tests/integration/gwlib.sh"

# post PATH BODY [KEY [TOKEN]]: status in status, headers and body in
# resp.h and resp.b.
post() {
	python3 - "http://127.0.0.1:$hport$1" "$2" "${3:-}" "${4:-$TOKEN}" <<'PY'
import sys, urllib.request, urllib.error
url, body, key, tok = sys.argv[1:5]
h = {"Content-Type": "application/json", "Authorization": "Bearer " + tok}
if key:
    h["Idempotency-Key"] = key
req = urllib.request.Request(url, data=body.encode(), headers=h,
                             method="POST")
try:
    r = urllib.request.urlopen(req, timeout=10)
except urllib.error.HTTPError as e:
    r = e
open("resp.h", "w").write(str(r.headers))
open("resp.b", "wb").write(r.read())
open("status", "w").write("%d\n" % r.status)
PY
	cat status
}
expect_post() {
	_what=$1 _want=$2; shift 2
	_got=$(post "$@")
	[ "$_got" = "$_want" ] ||
	    die "$_what: status $_got, want $_want: $(cat resp.b)"
}
count() { sql "select count(*) from $1"; }

sim_start -r 20 -e 0
hport=$(free_port)
printf '%s\n' "$TOKEN" > token
chmod 600 token
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
chmod 600 muni.conf
export USER=anna
ctl init > /dev/null 2>&1
ctl demo --residents 300 --seed 7 > /dev/null 2>&1
ctl group add seniori --rule "age >= 60" > /dev/null
gw_start

phase "messages"
M1='{"phone":"+37120000011","text":"Sveiki"}'
M2='{"phone":"+37120000011","text":"Sveiki!"}'
expect_post "first" 201 /api/v1/messages "$M1" k-1
cp resp.b first.b
n=$(count outbox)
expect_post "again" 201 /api/v1/messages "$M1" k-1
cmp -s resp.b first.b || die "another answer: $(cat resp.b) vs $(cat first.b)"
expect_grep '^Idempotent-Replayed: true' resp.h
expect_eq "created again" "$(count outbox)" "$n"
expect_post "another body" 409 /api/v1/messages "$M2" k-1
expect_grep '"error": *"idempotency_conflict"' resp.b
expect_eq "created on conflict" "$(count outbox)" "$n"
expect_post "another key" 201 /api/v1/messages "$M1" k-2
cmp -s resp.b first.b && die "another key got the first answer"
expect_eq "created" "$(count outbox)" "$((n + 1))"
expect_post "no key" 201 /api/v1/messages "$M1"
expect_post "no key again" 201 /api/v1/messages "$M1"
expect_eq "without keys" "$(count outbox)" "$((n + 3))"
expect_post "a blank in the key" 400 /api/v1/messages "$M1" "k 3"
expect_grep '"error": *"invalid_idempotency_key"' resp.b

phase "a restart keeps the keys"
gw_stop
gw_start
n=$(count outbox)
expect_post "after a restart" 201 /api/v1/messages "$M1" k-1
cmp -s resp.b first.b || die "another answer after a restart"
expect_eq "created after a restart" "$(count outbox)" "$n"

phase "broadcasts"
B1='{"group":"seniori","text":"Bibliotēka rīt slēgta."}'
expect_post "broadcast" 201 /api/v1/broadcasts "$B1" b-1
cp resp.b bfirst.b
nb=$(count broadcasts) n=$(count outbox)
expect_post "broadcast again" 201 /api/v1/broadcasts "$B1" b-1
cmp -s resp.b bfirst.b || die "another broadcast answer"
expect_eq "broadcasts" "$(count broadcasts)" "$nb"
expect_eq "messages" "$(count outbox)" "$n"
expect_post "broadcast, another body" 409 /api/v1/broadcasts \
    '{"group":"seniori","text":"Bibliotēka parīt slēgta."}' b-1
expect_eq "broadcasts on conflict" "$(count broadcasts)" "$nb"
# The same key on the other address is another key.
expect_post "the key on messages" 201 /api/v1/messages "$M1" b-1

phase "24 hours later"
sql "update api_idempotency set created_at = created_at - 86401
    where key = 'k-1'" > /dev/null
n=$(count outbox)
expect_post "a day later" 201 /api/v1/messages "$M2" k-1
expect_eq "created a day later" "$(count outbox)" "$((n + 1))"
gw_stop
echo "ok"
