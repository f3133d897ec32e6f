#!/bin/sh
# api_integration: what issue 23 adds to the HTTP API, through
# muni-smsgw and muni-smscsim. The Idempotency-Key of POST
# /api/v1/messages and /broadcasts: The same key with the same
# body gets the first answer again, word for word, with
# Idempotent-Replayed: true, and creates nothing, also after a gateway
# restart; the key with another body is 409 idempotency_conflict and
# creates nothing; another key creates anew; a malformed key is 400; a
# key on the other address is another key; after 24 hours a key is new
# again. (Keys are per client: test_idem.) GET /api/v1/messages/ID
# answers a delivered message's state, parts and receipt time; GET
# /api/v1/broadcasts?since= pages the broadcasts changed since a time.
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
# get PATH: status in status, the body in resp.b.
get() {
	python3 - "http://127.0.0.1:$hport$1" "$TOKEN" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1],
                             headers={"Authorization": "Bearer " + sys.argv[2]})
try:
    r = urllib.request.urlopen(req, timeout=10)
except urllib.error.HTTPError as e:
    r = e
open("resp.b", "wb").write(r.read())
open("status", "w").write("%d\n" % r.status)
PY
	cat status
}
# jq_py EXPR: EXPR over the JSON in resp.b as j, printed.
jq_py() {
	python3 -c 'import json, sys; j = json.load(open("resp.b")); print(eval(sys.argv[1]))' "$1"
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

phase "GET /api/v1/messages/ID"
expect_post "one to read" 201 /api/v1/messages \
    '{"phone":"+37120000012","text":"Lasiet mani"}'
mid=$(jq_py 'j["message"]')
delivered() { [ "$(sql "select state from outbox where id = $mid")" = delivered ]; }
wait_for 10 "message $mid delivered" delivered
[ "$(get /api/v1/messages/$mid)" = 200 ] || die "get: $(cat resp.b)"
expect_eq "state" "$(jq_py 'j["state"]')" delivered
expect_eq "phone" "$(jq_py 'j["phone"]')" +37120000012
expect_eq "parts" "$(jq_py 'len(j["parts"])')" 1
expect_eq "part" "$(jq_py 'j["parts"][0]["state"]')" delivered
expect_eq "receipt time" "$(jq_py 'j["parts"][0]["at"]')" \
    "$(sql "select updated_at from outbox where id = $mid")"
[ "$(get /api/v1/messages/999999)" = 404 ] || die "no 404: $(cat resp.b)"
[ "$(get /api/v1/messages/x1)" = 404 ] || die "no 404: $(cat resp.b)"

phase "GET /api/v1/broadcasts?since="
for t in "Pirmā ziņa." "Otrā ziņa." "Trešā ziņa."; do
	expect_post "broadcast $t" 201 /api/v1/broadcasts \
	    "{\"group\":\"seniori\",\"text\":\"$t\"}"
done
all=$(count broadcasts)
[ "$(get "/api/v1/broadcasts?since=0&limit=2")" = 200 ] ||
    die "list: $(cat resp.b)"
expect_eq "page 1" "$(jq_py 'len(j["broadcasts"])')" 2
next=$(jq_py 'j["next"]')
seen=2
while [ "$next" != None ]; do
	[ "$(get "/api/v1/broadcasts?since=0&limit=2&after=$next")" = 200 ] ||
	    die "list: $(cat resp.b)"
	seen=$((seen + $(jq_py 'len(j["broadcasts"])')))
	next=$(jq_py 'j["next"]')
done
expect_eq "all pages" "$seen" "$all"
future=$(($(sql "select max(updated_at) from broadcasts") + 1))
[ "$(get "/api/v1/broadcasts?since=$future")" = 200 ] || die "$(cat resp.b)"
expect_eq "none since" "$(jq_py 'len(j["broadcasts"])')" 0
[ "$(get "/api/v1/broadcasts?limit=0")" = 400 ] || die "limit=0: $(cat resp.b)"
expect_grep '"invalid_parameter"' resp.b
[ "$(get "/api/v1/broadcasts?sinse=1")" = 400 ] || die "sinse: $(cat resp.b)"

phase "24 hours later"
sql "update api_idempotency set created_at = created_at - 86401
    where key = 'k-1'" > /dev/null
n=$(count outbox)
expect_post "a day later" 201 /api/v1/messages "$M2" k-1
expect_eq "created a day later" "$(count outbox)" "$((n + 1))"
gw_stop
echo "ok"
