#!/bin/sh
# gateway_tls: SMPP over TLS. Certificates are made here with openssl (a
# CA, a server certificate for 127.0.0.1 and localhost, one for another
# name, a client certificate, a second CA nobody trusts). muni-smsgw binds
# to muni-smscsim --tls-cert, submits, gets receipts and MO; SIGHUP to a
# CA that does not sign the SMSC's certificate gives a log line with the
# verify error and the host, no bind, backoff, and nothing in plain text
# reaches the simulator; tls_verify = no binds with a warning. stunnel4 in
# front of the plain simulator: a bind through it, a client certificate it
# requires (tls_cert_file/tls_key_file), a certificate for another name
# refused, a wrong CA that never reaches the plain port; host = localhost
# verified against the DNS names and sent as SNI. A TLS 1.1-only
# server is refused. `-n` refuses a key others can read, a missing CA
# file, a CA file with no certificate and a key that is not the
# certificate's.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
# The messages are checked in English (ctl_lang.sh has them in Latvian).
export MUNI_LANG=en

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

stunnelpid=""
sslpid=""
tls_cleanup() {
	for p in $stunnelpid $sslpid; do kill "$p" 2>/dev/null || :; done
	for p in $stunnelpid $sslpid; do wait "$p" 2>/dev/null || :; done
	gwlib_cleanup
}
trap tls_cleanup EXIT

command -v openssl > /dev/null || fail "openssl is missing (make deps)"
STUNNEL=$(command -v stunnel4 || command -v stunnel) ||
    fail "stunnel4 is missing (make deps)"

# --- Certificates: P-256 keys, two days, the names in subjectAltName.
phase "Certificates"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
ca() {	# ca NAME
	openssl req -x509 $ec -keyout "$1.key" -out "$1.pem" -days 2 \
	    -subj "/CN=muni test $1" 2>/dev/null
}
cert() {	# cert NAME CA SAN EXT
	openssl req $ec -keyout "$1.key" -out "$1.csr" \
	    -subj "/CN=$1" 2>/dev/null
	printf 'subjectAltName = %s\nextendedKeyUsage = %s\n' "$3" "$4" \
	    > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
	    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
ca ca
ca rogue
cert srv ca "IP:127.0.0.1,DNS:localhost" serverAuth
cert other ca "DNS:smsc.example" serverAuth
cert client ca "DNS:muni-gateway" clientAuth
cert fake rogue "IP:127.0.0.1" serverAuth
[ -s srv.pem ] && [ -s client.pem ] && [ -s fake.pem ] ||
    fail "openssl did not make the certificates"

# bind_count FILE: binds the simulator that logs to FILE accepted.
bind_count() {
	grep -c ': bind_transceiver as "muni" from' "$1" || :
}
metric() {
	http_get /metrics | sed -n "s/^$1 //p"
}
count_in() {	# count_in PATTERN FILE
	grep -c -- "$1" "$2" || :
}
at_least() {	# at_least N PATTERN FILE
	[ "$(count_in "$2" "$3")" -ge "$1" ]
}

# --- The simulator over TLS; the gateway binds, submits, gets receipts.
phase "Bind, submit, receipt and MO over TLS"
sim_start -r 50 --tls-cert srv.pem --tls-key srv.key
hport=$(free_port)
tls_conf() {	# tls_conf PORT [KEY = VALUE LINES]
	port=$1
	shift
	cat <<EOF
[database]
$(db_conf)
[smsc]
host = ${tls_host:-127.0.0.1}
port = $port
system_id = muni
password = secret
source_addr = MUNI
enquire_link_s = 5
reconnect_min_s = 1
reconnect_max_s = 2
response_timeout_s = 2
tls = yes
EOF
	for l in "$@"; do echo "$l"; done
	printf '[http]\nlisten = 127.0.0.1:%s\n' "$hport"
}
tls_conf "$sport" "tls_ca_file = $PWD/ca.pem" > muni.conf
ctl init > /dev/null
"$B/muni-smsgw" -c muni.conf -n > check.out 2>&1 || {
	cat check.out; die "muni-smsgw -n with good TLS settings"; }
expect_grep '^configuration OK$' check.out
gw_start
expect_grep "info: smsc: connecting to 127.0.0.1:$sport over TLS" gw.err
expect_grep "info: smsc: TLS with 127.0.0.1:$sport: TLSv1.[23] " gw.err
expect_grep 'connection from 127.0.0.1:[0-9]* (TLS)' sim.err
expect_grep 'TLS handshake done' sim.err
expect_eq "binds over TLS" "$(bind_count sim.err)" 1

delivered() {
	[ "$(sql "select state from outbox where id = $1")" = delivered ]
}
id=$(ctl sms send 29000001 "Sveiki caur TLS" | sed -n 's/^message=//p')
wait_for 10 "the message delivered over TLS" delivered "$id"
simctl flush > /dev/null
expect_grep 'dst=+37129000001 .*text=Sveiki caur TLS$' submit.log
simctl mo +37120000001 505 "RINDA" > /dev/null
wait_for 10 "the MO over TLS handled" processed_is +37120000001 1
expect_eq "MO text over TLS" "$(sql "select text from inbox where source =
    '+37120000001'")" "RINDA"
wait_for 10 "the reply to the MO sent" outbox_settled +37120000001

# --- A CA that did not sign the SMSC's certificate: SIGHUP rebinds, the
# handshake fails with the verify error and the host, the gateway backs
# off and never speaks SMPP in plain text to the simulator.
phase "Wrong CA: refused, backoff, nothing in plain text"
binds=$(bind_count sim.err)
tls_conf "$sport" "tls_ca_file = $PWD/rogue.pem" > muni.conf
: > gw.mark
kill -HUP "$gwpid"
wait_for 10 "two refused handshakes" at_least 2 \
    'the certificate of 127.0.0.1 does not verify: unable to get local issuer certificate' gw.err
expect_grep 'warning: smsc: link down: TLS: the certificate of 127.0.0.1 does not verify: unable to get local issuer certificate' gw.err
expect_grep 'info: smsc: reconnecting in ' gw.err
healthy && die "healthy with a certificate that does not verify"
expect_eq "no bind reached the simulator" "$(bind_count sim.err)" "$binds"
expect_no_grep 'refused: .*seq=' sim.err
metric 'muni_smsgw_link_events_total{event="tls_failed"}' > tlsfail || :
[ "$(cat tlsfail)" -ge 2 ] 2>/dev/null ||
    die "tls_failed not counted in /metrics (got '$(cat tlsfail)')"

# --- tls_verify = no: binds, and says in the log what it did not check.
phase "tls_verify = no binds with a warning"
tls_conf "$sport" "tls_ca_file = $PWD/rogue.pem" "tls_verify = no" > muni.conf
kill -HUP "$gwpid"
wait_for 10 "a bind without verification" healthy
expect_grep 'warning: smsc: the certificate of 127.0.0.1 is not checked (tls_verify = no): it does not verify: unable to get local issuer certificate' gw.err
expect_eq "binds" "$(bind_count sim.err)" $((binds + 1))
gw_stop
kill "$simpid"; wait "$simpid" 2>/dev/null || :; simpid=""

# --- stunnel4 in front of the plain simulator.
phase "Through stunnel"
"$B/muni-smscsim" -p 0 -o plain.log -C "$PWD/plain.sock" -r 50 \
    >plain.out 2>plain.err </dev/null &
simpid=$!
wait_for 5 "the plain simulator's port" grep -q '^port=' plain.out
pport=$(sed -n 's/^port=//p' plain.out)
p_front=$(free_port); p_mutual=$(free_port); p_other=$(free_port)
cat > stunnel.conf <<EOF
foreground = yes
pid =
debug = 5
[front]
accept = 127.0.0.1:$p_front
connect = 127.0.0.1:$pport
cert = $PWD/srv.pem
key = $PWD/srv.key
sslVersionMin = TLSv1.2
[mutual]
accept = 127.0.0.1:$p_mutual
connect = 127.0.0.1:$pport
cert = $PWD/srv.pem
key = $PWD/srv.key
CAfile = $PWD/ca.pem
verifyChain = yes
requireCert = yes
sslVersionMin = TLSv1.2
[other]
accept = 127.0.0.1:$p_other
connect = 127.0.0.1:$pport
cert = $PWD/other.pem
key = $PWD/other.key
EOF
"$STUNNEL" stunnel.conf > stunnel.log 2>&1 </dev/null &
stunnelpid=$!
wait_for 5 "stunnel listening" at_least 1 'Configuration successful' stunnel.log
plain_binds() { bind_count plain.err; }
simctl_p() { "$B/muni-smscsim" --ctl -C "$PWD/plain.sock" "$@"; }

tls_conf "$p_front" "tls_ca_file = $PWD/ca.pem" > muni.conf
gw_start
expect_eq "binds through stunnel" "$(plain_binds)" 1
id=$(ctl sms send 29000002 "Sveiki caur stunnel" | sed -n 's/^message=//p')
wait_for 10 "the message through stunnel delivered" delivered "$id"

# A wrong CA through stunnel: the plain port behind it sees no connection.
phase "Wrong CA through stunnel: the plain port gets nothing"
sessions() { grep -c 'connection from' plain.err || :; }
before=$(sessions)
tls_conf "$p_front" "tls_ca_file = $PWD/rogue.pem" > muni.conf
kill -HUP "$gwpid"
wait_for 10 "refused handshakes through stunnel" at_least 4 \
    'does not verify: unable to get local issuer certificate' gw.err
expect_eq "no new connection on the plain port" "$(sessions)" "$before"

# A server certificate for another name.
phase "A certificate for another name"
tls_conf "$p_other" "tls_ca_file = $PWD/ca.pem" > muni.conf
kill -HUP "$gwpid"
wait_for 10 "the name mismatch refused" at_least 1 \
    'the certificate of 127.0.0.1 does not verify: IP address mismatch' gw.err
expect_eq "no new connection on the plain port" "$(sessions)" "$before"

# stunnel requires a client certificate: without one, no bind; with
# tls_cert_file and tls_key_file, a bind.
phase "A client certificate required by stunnel"
tls_conf "$p_mutual" "tls_ca_file = $PWD/ca.pem" > muni.conf
kill -HUP "$gwpid"
wait_for 10 "stunnel refusing a client without a certificate" at_least 1 \
    'peer did not return a certificate' stunnel.log
expect_eq "no bind without a client certificate" "$(plain_binds)" 1
tls_conf "$p_mutual" "tls_ca_file = $PWD/ca.pem" \
    "tls_cert_file = $PWD/client.pem" "tls_key_file = $PWD/client.key" \
    > muni.conf
"$B/muni-smsgw" -c muni.conf -n > check.out 2>&1 || {
	cat check.out; die "-n with a client certificate"; }
kill -HUP "$gwpid"
wait_for 10 "a bind with a client certificate" healthy
expect_eq "binds with a client certificate" "$(plain_binds)" 2
id=$(ctl sms send 29000003 "Ar klienta sertifikātu" | sed -n 's/^message=//p')
wait_for 10 "the message with a client certificate delivered" delivered "$id"

# A host name: matched against the certificate's DNS names, and sent as
# SNI. Only where localhost resolves to 127.0.0.1 first (the gateway
# connects to the first address; a ::1 first would find nobody there).
if [ "$(getent ahosts localhost | awk 'NR == 1 { print $1 }')" = 127.0.0.1 ]
then
	phase "A host name: verified, a mismatch refused, sent as SNI"
	tls_host=localhost
	tls_conf "$p_front" "tls_ca_file = $PWD/ca.pem" > muni.conf
	binds=$(plain_binds)
	kill -HUP "$gwpid"
	wait_for 10 "a bind to localhost" at_least $((binds + 1)) \
	    ': bind_transceiver as "muni" from' plain.err
	expect_grep "info: smsc: TLS with localhost:$p_front: TLSv1" gw.err
	tls_conf "$p_other" "tls_ca_file = $PWD/ca.pem" > muni.conf
	kill -HUP "$gwpid"
	wait_for 10 "the host name mismatch refused" at_least 1 \
	    'the certificate of localhost does not verify: hostname mismatch' gw.err
	gw_stop
	# s_server answers with srv.pem only to a client that sends SNI
	# localhost, and with -servername_fatal ends any other handshake
	# (-www: it does not read stdin, whose end would stop it).
	p_sni=$(free_port)
	openssl s_server -accept "127.0.0.1:$p_sni" -www -cert other.pem \
	    -key other.key -servername localhost -servername_fatal \
	    -cert2 srv.pem -key2 srv.key > sni.out 2>&1 </dev/null &
	sslpid=$!
	wait_for 5 "openssl s_server listening" grep -q '^ACCEPT' sni.out
	tls_conf "$p_sni" "tls_ca_file = $PWD/ca.pem" > muni.conf
	"$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
	gwpid=$!
	wait_for 10 "a handshake chosen by SNI" at_least 1 \
	    "info: smsc: TLS with localhost:$p_sni: TLSv1" gw.err
	# Verified, so the certificate was srv.pem: s_server chose it by SNI.
	gw_stop
	kill "$sslpid"; wait "$sslpid" 2>/dev/null || :; sslpid=""
	tls_host=
else
	echo "localhost does not resolve to 127.0.0.1 first: host names untested"
fi
gw_stop

# --- A server that speaks TLS 1.1 at most is refused.
phase "TLS below 1.2 refused"
p_old=$(free_port)
openssl s_server -accept "127.0.0.1:$p_old" -cert srv.pem -key srv.key \
    -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -quiet > s_server.log 2>&1 \
    </dev/null &
sslpid=$!
wait_for 5 "openssl s_server listening" perl -MIO::Socket::INET -e \
    'IO::Socket::INET->new(PeerAddr => "127.0.0.1:'"$p_old"'") or exit 1'
# Debian's OpenSSL policy (and OpenSSL 3's default security level) would
# refuse TLS 1.1 anyway: the gateway runs under a policy that allows
# TLS 1.0, so that only its own minimum stands in the way.
cat > weak.cnf <<EOF
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
EOF
tls_conf "$p_old" "tls_ca_file = $PWD/ca.pem" > muni.conf
: > gw.err
OPENSSL_CONF=$PWD/weak.cnf "$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
gwpid=$!
wait_for 10 "the old protocol refused" at_least 1 \
    'link down: TLS with 127.0.0.1 failed: .*\(protocol\|version\)' gw.err
healthy && die "bound to a TLS 1.1 server"
expect_no_grep 'bound as a' gw.err
gw_stop

# --- -n: the key's mode, the files, the key against the certificate.
phase "muni-smsgw -n on the TLS settings"
check_n() {	# check_n PATTERN [KEY = VALUE LINES]: -n fails saying PATTERN
	pat=$1
	shift
	tls_conf "$pport" "$@" > bad.conf
	rc=0
	"$B/muni-smsgw" -c bad.conf -n > bad.out 2>&1 || rc=$?
	expect_eq "-n exit status ($pat)" "$rc" 1
	expect_grep "$pat" bad.out
}
cp client.key open.key
chmod 644 open.key
check_n "tls_key_file: the key file $PWD/open.key is readable by others: run \`chmod 640 $PWD/open.key\`" \
    "tls_cert_file = $PWD/client.pem" "tls_key_file = $PWD/open.key"
check_n "\[smsc\] tls_ca_file $PWD/none.pem cannot be read: No such file" \
    "tls_ca_file = $PWD/none.pem"
check_n "\[smsc\] tls_ca_file $PWD/srv.key: no CA certificate loads from it" \
    "tls_ca_file = $PWD/srv.key"
check_n "\[smsc\] tls_key_file $PWD/srv.key is not the key of tls_cert_file $PWD/client.pem" \
    "tls_cert_file = $PWD/client.pem" "tls_key_file = $PWD/srv.key"
check_n "\[smsc\] tls_cert_file and tls_key_file go together" \
    "tls_cert_file = $PWD/client.pem"
# The same keys in a named bind.
{ printf '[database]\n%s\n[smsc.op]\ntls = yes\n' "$(db_conf)"
  printf 'tls_cert_file = %s/client.pem\ntls_key_file = %s/open.key\n' \
      "$PWD" "$PWD"; } > named.conf
rc=0
"$B/muni-smsgw" -c named.conf -n > named.out 2>&1 || rc=$?
expect_eq "-n with a readable key in [smsc.op]" "$rc" 1
expect_grep 'smsc.op.tls_key_file: the key file .* is readable by others' named.out
echo "gateway_tls: ok"
