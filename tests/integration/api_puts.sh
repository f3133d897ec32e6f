#!/bin/sh
# api_puts: PUT /api/v1/residents (and queue, fees) over real HTTP against
# muni-smsgw with the simulator (issues 23 and 17): a CSV body and a JSON
# body go through the CSV import (rows= inserted= updated= unchanged=); a
# bad row is answered with its row index and field and nothing changes; a
# body over [http] max_rows is 413; an Idempotency-Key replays the first
# answer and refuses another body; a second PUT while a big one runs is 503
# with Retry-After; /health answers while the big PUT runs on the worker,
# and an MO sent meanwhile is answered; a broadcast's Idempotency-Key
# replays its answer while its recipients are still being resolved.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
TOKEN=tok-7c1e9a3b5d2f4680bb
. "$MUNI_TOP/tests/integration/gwlib.sh"

# put PATH FILE TYPE [KEY]: the status on stdout; headers in hdr, body in resp.
put() {
	curl -s -o resp -D hdr -w '%{http_code}' -X PUT \
	    -H "Authorization: Bearer $TOKEN" -H "Content-Type: $3" \
	    ${4:+-H "Idempotency-Key: $4"} --data-binary "@$2" \
	    "http://127.0.0.1:$hport$1"
}

# jq EXPR: a value of resp's JSON body (perl: $j is the body).
jq() {
	perl -MJSON::PP -e 'binmode STDOUT, ":utf8"; local $/;
	    my $j = decode_json(<STDIN>); my $v = eval $ARGV[0];
	    print defined $v ? $v : "", "\n"' "$1" < resp
}

expect_put() {
	_what=$1 _want=$2; shift 2
	_got=$(put "$@")
	[ "$_got" = "$_want" ] || { cat resp >&2; die "$_what: status $_got, want $_want"; }
}

counts() {
	jq '"rows=$j->{rows} inserted=$j->{inserted} updated=$j->{updated} unchanged=$j->{unchanged}"'
}

sim_start -r 20 -e 0
hport=$(free_port)
printf '%s\n' "$TOKEN" > token
chmod 600 token
{ gw_conf_head; cat <<EOF
[sms]
quiet_hours = none
[broadcast]
approval_threshold = 10000000
[http]
listen = 127.0.0.1:$hport
token_file = $PWD/token
api_rate_per_min = 6000
api_burst = 1000
max_rows = 100000
request_timeout_s = 60
EOF
} > muni.conf
chmod 600 muni.conf
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
gw_start

phase "CSV body: the import's rows and counts"
cat > r.csv <<'CSV'
personal_code,given_name,family_name,phone,lang,territory,address,birth_date
161175-19997,Jānis,Bērziņš,29123456,lv,Dobele,"Brīvības iela 1, Dobele",1975-11-16
32111111111,Līga,Kalniņa,+371 2000 0002,lv,Auru pagasts,"""Ozoli"", Auru pagasts",
CSV
expect_put "CSV" 200 /api/v1/residents r.csv text/csv
expect_eq "CSV counts" "$(counts)" "rows=2 inserted=2 updated=0 unchanged=0"
expect_eq "stored" "$(sql "select phone from residents where given_name='Līga'")" "+37120000002"
expect_eq "audit row" "$(sql "select count(*) from audit_log where actor='api' and action='residents'")" 1

phase "JSON body: the same columns as keys"
cat > r.json <<'JSON'
[{"personal_code":"161175-19997","given_name":"Jānis","family_name":"Bērziņš","phone":"29123456","lang":"lv","territory":"Dobele","address":"Brīvības iela 2, Dobele","birth_date":"1975-11-16"},
 {"personal_code":"32111111111","given_name":"Līga","family_name":"Kalniņa","phone":"+371 2000 0002","lang":"lv","territory":"Auru pagasts","address":"\"Ozoli\", Auru pagasts","birth_date":null},
 {"personal_code":"010101-20001","given_name":"Pēteris","family_name":"Ozoliņš","lang":"ru","address":"Skolas iela 5,\ndzīvoklis 3"}]
JSON
expect_put "JSON" 200 /api/v1/residents r.json application/json
expect_eq "JSON counts" "$(counts)" "rows=3 inserted=1 updated=1 unchanged=1"
expect_eq "quoted newline" "$(sql "select address from residents where given_name='Pēteris'")" "Skolas iela 5,
dzīvoklis 3"

phase "a bad row: its index and field, nothing changed"
sed 's/"32111111111"/"161175-19998"/; s/Skolas iela 5/Skolas iela 9/' r.json > bad.json
before=$(sql "select id || '|' || coalesce(address, '') from residents order by id")
expect_put "bad JSON row" 400 /api/v1/residents bad.json application/json
expect_eq "error code" "$(jq '$j->{error}')" invalid_rows
expect_eq "row index" "$(jq '$j->{errors}[0]{row}')" 2
expect_eq "field" "$(jq '$j->{errors}[0]{field}')" personal_code
expect_no_grep '161175-19998' resp
expect_eq "nothing changed" "$(sql "select id || '|' || coalesce(address, '') from residents order by id")" "$before"
printf 'personal_code,given_name,family_name\n32111111112,Anna\n' > short.csv
expect_put "short CSV row" 400 /api/v1/residents short.csv text/csv
expect_eq "CSV row index" "$(jq '$j->{errors}[0]{row}')" 1
printf '[{"personal_code":"32111111113","given_name":"A","family_name":"B","phone":1.5}]' > real.json
expect_put "a real number" 400 /api/v1/residents real.json application/json
expect_eq "JSON row" "$(jq '$j->{errors}[0]{row} . ":" . $j->{errors}[0]{field}')" "1:phone"
expect_put "415" 415 /api/v1/residents r.csv text/plain

phase "Idempotency-Key: replay, conflict"
expect_put "first" 200 /api/v1/residents r.csv text/csv key-1
expect_eq "first counts" "$(counts)" "rows=2 inserted=0 updated=1 unchanged=1"
expect_put "replay" 200 /api/v1/residents r.csv text/csv key-1
expect_eq "replayed counts" "$(counts)" "rows=2 inserted=0 updated=1 unchanged=1"
expect_grep '^[Ii]dempotent-[Rr]eplayed: true' hdr
expect_put "other body" 409 /api/v1/residents r.json application/json key-1

phase "over [http] max_rows: 413, nothing imported"
perl -e 'print "personal_code,given_name,family_name,phone\n";
    printf "32%09d,Vārds%d,Uzvārds,2%07d\n", $_, $_, $_ for 1 .. $ARGV[0]' 100001 > big1.csv
n0=$(sql "select count(*) from residents")
expect_put "100001 rows" 413 /api/v1/residents big1.csv text/csv
expect_eq "413 code" "$(jq '$j->{error}')" too_many_rows
expect_grep 'max_rows' resp
expect_eq "nothing imported" "$(sql "select count(*) from residents")" "$n0"

phase "a 100000-row PUT on the worker: 503 beside it, the loop free"
head -n 100001 big1.csv > big.csv
# The big PUT goes again while it meets a probe's import (503), as a
# client honouring Retry-After would; the probes go on until one meets it.
(while put /api/v1/residents big.csv text/csv > big.status &&
    [ "$(cat big.status)" = 503 ]; do sleep 0.1; done; mv resp big.resp) &
bigpid=$!
busy=""
sleep 0.2
for i in $(seq 1 200); do
	s=$(curl -s -o busy.resp -D busy.hdr -w '%{http_code}' -X PUT \
	    -H "Authorization: Bearer $TOKEN" -H "Content-Type: text/csv" \
	    --data-binary @r.csv "http://127.0.0.1:$hport/api/v1/residents")
	if [ "$s" = 503 ]; then busy=1; break; fi
	sleep 0.05
done
[ -n "$busy" ] || die "no 503 while the big PUT ran"
expect_grep '^[Rr]etry-[Aa]fter: [0-9]' busy.hdr
expect_grep '"busy"' busy.resp
# The loop is free while the worker imports: /health answers and the
# big PUT is still running after it. (The MO below is answered, nothing
# lost; on SQLite its commit waits for the import's, the one writer.)
expect_eq "/health during the PUT" "$(http_get /health | head -n 1)" 200
kill -0 "$bigpid" 2>/dev/null || die "the big PUT was over before /health answered: nothing shown"
mo +37129999999 "ATLAIDES"
[ -s reply.txt ] || die "no reply to the MO"
wait "$bigpid"
expect_eq "big PUT" "$(cat big.status)" 200
cp big.resp resp
expect_eq "big counts" "$(counts)" "rows=100000 inserted=100000 updated=0 unchanged=0"
expect_eq "residents" "$(sql "select count(*) from residents")" "$((n0 + 100000))"

phase "a broadcast to 100000 on the worker: its Idempotency-Key kept with the first chunk"
ctl group add visi --rule "has_mobile" > /dev/null
printf '{"group":"visi","text":"Sveiki!"}' > bc.json
post() {
	curl -s -o "$1.resp" -D "$1.hdr" -w '%{http_code}' -X POST \
	    -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
	    -H "Idempotency-Key: bc-1" --data-binary @bc.json \
	    "http://127.0.0.1:$hport/api/v1/broadcasts" > "$1.status"
}
post first &
firstpid=$!
# A retry while the recipients are resolved: busy (503) until the first
# chunk commits, then the first answer, while the first is still running.
replayed=""
for i in $(seq 1 400); do
	post again
	if [ "$(cat again.status)" = 201 ]; then replayed=1; break; fi
	[ "$(cat again.status)" = 503 ] || { cat again.resp >&2; die "retry: $(cat again.status)"; }
	sleep 0.02
done
[ -n "$replayed" ] || die "no replay while the broadcast was resolved"
# Under a sanitizer build the loop's retries can all meet the worker's
# chunks holding SQLite's write lock (503 "unavailable") until the end:
# then the early answer was not shown on this run, which says so (issue
# 23's note); the replay below is still checked.
if ! kill -0 "$firstpid" 2>/dev/null; then
	echo "SKIP: every retry got 503 until the broadcast was resolved: the key's early answer not shown on this run"
fi
expect_grep '^[Ii]dempotent-[Rr]eplayed: true' again.hdr
wait "$firstpid"
expect_eq "first" "$(cat first.status)" 201
cp first.resp resp
bid=$(jq '$j->{broadcast}')
cp again.resp resp
expect_eq "the same broadcast" "$(jq '$j->{broadcast}')" "$bid"
expect_eq "one broadcast" "$(sql "select count(*) from broadcasts")" 1
expect_eq "its messages" "$(sql "select count(*) >= 100000 from outbox where broadcast_id = $bid")" 1

gw_stop
echo "api_puts: ok"
