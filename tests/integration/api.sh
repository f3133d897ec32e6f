#!/bin/sh
# api: the HTTP API of muni-smsgw against muni-smscsim on demo data. Off
# (503) without [http] token_file while /health and /metrics stay public;
# after SIGHUP with a token file: 401 without or with a wrong token
# (WWW-Authenticate: Bearer), 405 for wrong methods, 413 over the body
# limit, 400 with a code and a reason for malformed JSON, wrong types, a bad
# phone, an unknown group or placeholder (and nothing written); a message
# sent end to end to the simulator; a broadcast with the figures of
# `munictl broadcast preview`, its status by GET, and one above the
# approval threshold that waits for a second person; a token file that
# turns unreadable keeps the old token; the per-client rate limit (429 with
# Retry-After); no personal code in the log.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
TOKEN=tok-3f9a1c7e5b2d4680aa
. "$MUNI_TOP/tests/integration/gwlib.sh"

# api METHOD PATH BODYFILE|- [TOKEN]: the answer in resp (status line,
# Retry-After, WWW-Authenticate, Allow, then the body); prints the status.
api() {
	perl -MHTTP::Tiny -e '
	my ($m, $url, $file, $tok) = @ARGV;
	my %h = ("Content-Type" => "application/json");
	$h{Authorization} = "Bearer $tok" if defined $tok && $tok ne "";
	my %o = (headers => \%h);
	if ($file ne "-") {
		open my $f, "<", $file or die "$file: $!";
		local $/; $o{content} = <$f>;
	}
	my $r = HTTP::Tiny->new(timeout => 5)->request($m, $url, \%o);
	my $g = sub { $r->{headers}{$_[0]} // "" };
	print $r->{status}, "\n", $g->("retry-after"), "\n",
	    $g->("www-authenticate"), "\n", $g->("allow"), "\n",
	    $r->{content} // "", "\n";' "$1" "http://127.0.0.1:$hport$2" "$3" \
	    "${4:-}" > resp
	head -n 1 resp
}

# body_of: the JSON body of resp.
body_of() {
	sed -n '5,$p' resp
}

# json KEY: a top-level number or string of resp's body.
json() {
	body_of | perl -MJSON::PP -e 'binmode STDOUT, ":utf8"; local $/;
	    my $j = decode_json(<STDIN>); my $v = $j->{$ARGV[0]};
	    print defined $v ? $v : "", "\n"' "$1"
}

# expect_api WHAT WANT METHOD PATH BODY [TOKEN]
expect_api() {
	_what=$1 _want=$2; shift 2
	_got=$(api "$@")
	[ "$_got" = "$_want" ] || { cat resp >&2; die "$_what: status $_got, want $_want"; }
}

# body FILE TEXT: a request body in FILE.
body() {
	printf '%s' "$2" > "$1"
}

submitted_to() {
	simctl flush > /dev/null
	grep -q "dst=$1 " submit.log
}

# reloads_over N: more than N reloads logged.
reloads_over() {
	[ "$(grep -c 'configuration reloaded' gw.err)" -gt "$1" ]
}

settled() {
	[ "$(sql "select count(*) from outbox where broadcast_id = $1 and
	    state in ('queued', 'inflight')")" -eq 0 ]
}

# --- Set up: simulator, config without a token, demo data, gateway.
sim_start -r 20 -e 0
hport=$(free_port)

conf() {
	cat > muni.conf <<EOF
[database]
$(db_conf)
[smsc]
port = $sport
system_id = muni
password = secret
source_addr = MUNI
max_tps = 400
reconnect_min_s = 1
reconnect_max_s = 2
[sms]
quiet_hours = none
[broadcast]
approval_threshold = ${THRESHOLD:-100000}
[http]
listen = 127.0.0.1:$hport
token_file = ${TOKEN_FILE:-}
api_rate_per_min = ${RATE:-6000}
api_burst = ${BURST:-1000}
EOF
	chmod 600 muni.conf
}
conf
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
ctl demo --residents 1500 --seed 5 > /dev/null 2>&1
"$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
gwpid=$!
wait_for 10 "a bind" healthy

# --- 1. No token file: the API is off, the probes are public.
phase "no token file: 503, /health and /metrics public"
body m.json '{"phone":"29123456","text":"x"}'
expect_api "API without a token file" 503 POST /api/v1/messages m.json
expect_eq "why" "$(json error)" api_off
expect_grep 'token_file' resp
expect_api "/health" 200 GET /health -
expect_api "/metrics" 200 GET /metrics -

# --- 2. A token file and SIGHUP.
phase "token file, SIGHUP: 401 without or with a wrong token"
printf '%s\n' "$TOKEN" > token
chmod 600 token
TOKEN_FILE=$PWD/token conf
kill -HUP "$gwpid"
wait_for 5 "the reload" reloads_over 0
expect_api "no token" 401 POST /api/v1/messages m.json
expect_eq "WWW-Authenticate" "$(sed -n 3p resp)" 'Bearer realm="muni"'
expect_eq "error" "$(json error)" unauthorized
expect_api "wrong token" 401 POST /api/v1/messages m.json "${TOKEN}x"
expect_grep 'error="invalid_token"' resp
expect_api "a prefix of the token" 401 POST /api/v1/messages m.json \
    "$(printf '%s' "$TOKEN" | cut -c1-10)"
expect_api "/health with a token file" 200 GET /health -
expect_eq "nothing written" "$(sql "select count(*) from outbox")" 0

# --- 3. One message, end to end.
phase "POST /api/v1/messages reaches the simulator"
body m.json '{"phone":"2912 3456","text":"Rīt ūdens nebūs no 9 līdz 12","validity_s":3600}'
expect_api "message" 201 POST /api/v1/messages m.json "$TOKEN"
mid=$(json message)
[ -n "$mid" ] && [ "$mid" -gt 0 ] || die "no message id in $(body_of)"
expect_eq "stored" "$(sql "select phone || '|' || CASE WHEN valid_until > created_at THEN 1 ELSE 0 END from outbox where id = $mid")" "+37129123456|1"
wait_for 10 "the message on the wire" submitted_to +37129123456
ctl sms status "$mid" > st
expect_grep '^state=\(accepted\|delivered\)$' st

# --- 4. Bad requests: a reason, a code, nothing written.
phase "400, 405, 413 and oversized headers"
before=$(sql "select count(*) from outbox")
bad() {	# CODE BODY [PATH]
	body bad.json "$2"
	expect_api "body $2" 400 POST "${3:-/api/v1/messages}" bad.json "$TOKEN"
	expect_eq "code for $2" "$(json error)" "$1"
	[ -n "$(json reason)" ] || die "no reason for $2"
}
bad bad_json '{"phone":"29123456","text":"x"'
bad bad_json '[]'
bad bad_json ''
bad wrong_type '{"phone":29123456,"text":"x"}'
bad wrong_type '{"phone":"29123456","text":"x","validity_s":"60"}'
bad missing_field '{"phone":"29123456"}'
bad unknown_field '{"phone":"29123456","text":"x","phnoe":"1"}'
bad invalid_phone '{"phone":"1234","text":"x"}'
bad invalid_phone '{"phone":"29123456'"'"'; DROP TABLE outbox; --","text":"x"}'
expect_grep "phone" resp
# The outbox's gate, in the API's words: segments are invalid_text with
# the count, a fixed line is refused.
bad invalid_text '{"phone":"29123456","text":"'"$(printf 'a%.0s' $(seq 1000))"'"}'
expect_grep "max_segments" resp
expect_grep " 7 " resp
bad refused '{"phone":"61234567","text":"x"}'
ctl group add seniori --rule "age >= 70" > /dev/null
bad unknown_group '{"group":"senjori","text":"x"}' /api/v1/broadcasts
expect_grep "seniori" resp	# did you mean
bad invalid_text '{"group":"seniori","text":"Sveiki {vards}"}' /api/v1/broadcasts
expect_grep "{vards}" resp
bad wrong_type '{"group":"seniori","text":"x","emergency":"yes"}' /api/v1/broadcasts
expect_eq "nothing written by bad requests" "$(sql "select count(*) from outbox")" "$before"
expect_eq "no broadcast" "$(sql "select count(*) from broadcasts")" 0

expect_api "GET on messages" 405 GET /api/v1/messages - "$TOKEN"
expect_eq "Allow" "$(sed -n 4p resp)" POST
expect_api "DELETE a broadcast" 405 DELETE /api/v1/broadcasts/1 - "$TOKEN"
expect_api "unknown address" 404 GET /api/v1/nothing - "$TOKEN"
expect_api "unknown broadcast" 404 GET /api/v1/broadcasts/999 - "$TOKEN"
expect_api "not a broadcast id" 404 GET /api/v1/broadcasts/1x - "$TOKEN"

head -c 70000 /dev/zero | tr '\0' a > big.json
expect_api "a 70 kB body" 413 POST /api/v1/messages big.json "$TOKEN"
big=$(head -c 9000 /dev/zero | tr '\0' b)
hdr=$(perl -MHTTP::Tiny -e 'print HTTP::Tiny->new(timeout => 5)->request("GET",
    $ARGV[0], { headers => { "X-Big" => $ARGV[1] } })->{status}' \
    "http://127.0.0.1:$hport/api/v1/messages" "$big")
[ "$hdr" = 400 ] || [ "$hdr" = 413 ] || [ "$hdr" = 431 ] ||
    die "9 kB of headers: status $hdr"
expect_api "alive after the big ones" 200 GET /health -

# --- 5. A broadcast: the figures of munictl's preview, then its status.
phase "POST /api/v1/broadcasts and GET its status"
ctl broadcast preview --group seniori --text "Sveiki, {given_name}! Bibliotēka atvērta." > pv
want=$(sed -n 's/^recipients=//p' pv)
wseg=$(sed -n 's/^segments=//p' pv)
expect_grep '^topic=pazinojumi$' pv	# no --topic: the default topic
body b.json '{"group":"seniori","text":"Sveiki, {given_name}! Bibliotēka atvērta."}'
expect_api "broadcast" 201 POST /api/v1/broadcasts b.json "$TOKEN"
bid=$(json broadcast)
expect_eq "recipients" "$(json recipients)" "$want"
expect_eq "segments" "$(json segments)" "$wseg"
expect_eq "state" "$(json state)" scheduled
expect_eq "topic" "$(json topic)" pazinojumi
[ "$want" -gt 10 ] || die "only $want recipients in the demo group"
expect_eq "rows" "$(sql "select count(*) from outbox where broadcast_id = $bid")" "$want"
expect_eq "created_by" "$(sql "select created_by from broadcasts where id = $bid")" api
wait_for 20 "the broadcast sent" settled "$bid"
expect_api "status" 200 GET "/api/v1/broadcasts/$bid" - "$TOKEN"
body_of | perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
    my $c = $j->{counts}; my $t = 0; $t += $_ for values %$c;
    exit !($t == $ARGV[0] && $c->{queued} == 0 && $c->{inflight} == 0 &&
    $c->{accepted} + $c->{delivered} == $ARGV[0] && exists $c->{cancelled})' \
    "$want" || { cat resp >&2; die "counts per state do not add up"; }
ctl broadcast status "$bid" > bst
expect_grep "^queued=0\$" bst

# --- 6. Above the approval threshold: recorded, waits for a person.
phase "above the threshold: awaiting approval"
THRESHOLD=5 TOKEN_FILE=$PWD/token conf
kill -HUP "$gwpid"
wait_for 5 "the second reload" reloads_over 1
expect_api "big broadcast" 201 POST /api/v1/broadcasts b.json "$TOKEN"
aid=$(json broadcast)
expect_eq "state" "$(json state)" awaiting_approval
expect_eq "recipients promised" "$(json recipients)" "$want"
expect_eq "no rows yet" "$(sql "select count(*) from outbox where broadcast_id = $aid")" 0
expect_api "status while waiting" 200 GET "/api/v1/broadcasts/$aid" - "$TOKEN"
expect_eq "state" "$(json state)" awaiting_approval
# The approver is root's staff account here, an admin (the API created it).
ctl staff add janis --role admin --unix root > /dev/null
ctl broadcast approve "$aid" > ap
expect_grep "^messages=$want\$" ap

# --- 7. An unreadable token file on reload keeps the old token.
phase "a broken token file keeps the old token"
mv token token.old
kill -HUP "$gwpid"
wait_for 5 "the warning" grep -q 'keeps its old token' gw.err
body m.json '{"phone":"29123457","text":"Vēl viena ziņa"}'
expect_api "old token still good" 201 POST /api/v1/messages m.json "$TOKEN"

# --- 7b. Named clients: a token each, scoped, revocable.
phase "named clients: scope, revoke, audit origin"
ctl api token add billing --scope messages > tk 2> tk.err
expect_grep '^client=billing scope=messages$' tk
ctok=$(sed -n 's/^token=//p' tk)
case $ctok in billing:????????????????????????????????????????) ;;
*) die "token '$ctok'" ;; esac
expect_eq "stored hashed" "$(sql "select count(*) from api_tokens where
    client = 'billing' and token_hash like '\$y\$%' and
    token_hash not like '%${ctok#billing:}%'")" 1
body m.json '{"phone":"29123458","text":"Rēķins"}'
expect_api "the client's token" 201 POST /api/v1/messages m.json "$ctok"
expect_eq "audited as the client" "$(sql "select count(*) from audit_log
    where origin = 'api:billing' and action = 'sms send'")" 1
expect_api "outside its scope" 403 POST /api/v1/broadcasts b.json "$ctok"
# Another last digit, whatever the random one is (a fixed "0" was right
# one time in sixteen).
case $ctok in *0) wrong="${ctok%?}1" ;; *) wrong="${ctok%?}0" ;; esac
expect_api "a wrong secret" 401 POST /api/v1/messages m.json "$wrong"
ctl api token revoke billing > rv
expect_grep '^client=billing revoked=1$' rv
expect_api "a revoked token" 401 POST /api/v1/messages m.json "$ctok"
expect_eq "error" "$(json error)" unauthorized
expect_api "the token file still works" 201 POST /api/v1/messages m.json "$TOKEN"
if ctl api token revoke billing > /dev/null 2> rv.err; then
	die "revoked twice"; fi
expect_grep "nav aktīva API klienta 'billing' žetona" rv.err
ctl api token list > tl
expect_grep '^client=billing scope=messages created="[^"]*" revoked="[0-9]' tl

# --- 8. The rate limit per client.
phase "rate limit: 429 with Retry-After"
mv token.old token
RATE=6 BURST=3 TOKEN_FILE=$PWD/token conf
n=$(grep -c 'configuration reloaded' gw.err)
kill -HUP "$gwpid"
wait_for 5 "the rate reload" reloads_over "$n"
codes=""
for i in 1 2 3 4 5 6; do
	codes="$codes $(api GET "/api/v1/broadcasts/$bid" - "$TOKEN")"
done
case "$codes" in *429*) ;; *) die "no 429 in$codes" ;; esac
expect_api "limited" 429 GET "/api/v1/broadcasts/$bid" - "$TOKEN"
ra=$(sed -n 2p resp)
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 60 ] || die "Retry-After '$ra'"
expect_eq "error" "$(json error)" rate_limited
# Wrong tokens are limited too: guessing does not get faster.
expect_api "limited before the token" 429 POST /api/v1/messages m.json nope
expect_api "probes are not limited" 200 GET /health -

# --- 9. The log: ids and masked phones, no personal code.
sql "select personal_code from residents" | tr -d '-' > codes
sql "select personal_code from residents" >> codes
if grep -F -f codes gw.err; then die "a personal code in the log"; fi
expect_grep "api: 127.0.0.1: message $mid to +371 2" gw.err
expect_no_grep '+37129123456' gw.err
phase "done"
