#!/bin/sh
# kiosk_pg_tls: a library kiosk reaches the central PostgreSQL over TLS
# with sslmode=verify-full (issue 19). A throwaway cluster (tests/pg.sh)
# listens on 127.0.0.1 with a certificate for "localhost" signed by a CA
# made here. With the CA and that host name munictl and muni-smsgw -n
# connect and the kiosk in tmux sends a resident a one-time code; with
# another CA, or with a host name the certificate does not name, they are
# refused with what is wrong (libpq's words) and the kiosk does not start.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

# Outside the work directory: as root, the server runs as postgres, which
# may not enter a private directory of root's.
pg=$(mktemp -d "${TMPDIR:-/tmp}/muni-pgtls.XXXXXX")
PGSH="$MUNI_TOP/tests/pg.sh"
cleanup() {
	kiosk_stop
	(cd / && sh "$PGSH" stop "$pg") >/dev/null 2>&1 || :
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() {
	kiosk_die "$*"
	exit 1
}

# A CA, the server's key and certificate (DNS:localhost only), and a
# second CA that signed nothing here.
ossl() {
	openssl "$@" >>openssl.log 2>&1 || { cat openssl.log; fail "openssl $1"; }
}
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
ossl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj "/CN=muni test CA"
ossl req -x509 $ec -keyout other.key -out other.pem -days 2 \
    -subj "/CN=another CA"
ossl req $ec -keyout "$pg/server.key" -out server.csr -subj "/CN=localhost"
printf 'subjectAltName=DNS:localhost\n' > san.ext
ossl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out "$pg/server.crt" -days 2 -extfile san.ext
chmod 600 "$pg/server.key"
[ "$(id -u)" -ne 0 ] || chown postgres "$pg/server.key" "$pg/server.crt"

port=$(free_port)
# The socket's name has the port in it: pg.sh's createdb and psql too.
export PGPORT=$port
(cd / && PG_OPTS="-c listen_addresses=127.0.0.1 -c port=$port -c ssl=on \
    -c ssl_cert_file=$pg/server.crt -c ssl_key_file=$pg/server.key" \
    sh "$PGSH" start "$pg")
(cd / && sh "$PGSH" createdb "$pg" muni) > /dev/null

tls="postgresql://muni@localhost:$port/muni?sslmode=verify-full"
conf() {
	printf '[database]\nurl = %s\n' "$1" > muni.conf
}
export MUNI_LANG=en

# --- The right CA and host name: munictl, the gateway's check, the kiosk.
conf "$tls&sslrootcert=$PWD/ca.pem&connect_timeout=5"
ctl init > init.out 2>&1 || { cat init.out; fail "munictl init over TLS"; }
ctl demo --residents 100 --seed 3 > demo.out 2>&1 ||
    { cat demo.out; fail "munictl demo over TLS"; }
"$MUNI_BIN/muni-smsgw" -c muni.conf -n > n.out 2>&1 ||
    { cat n.out; fail "muni-smsgw -n over TLS"; }
# sql QUERY: over the cluster's Unix socket (client_addr NULL there).
sql() {
	(cd / && sh "$PGSH" psql "$pg" muni -A -t -c "$1")
}
R=$(sql "SELECT id FROM residents WHERE phone_kind = 0 ORDER BY id LIMIT 1")
pcode=$(sql "SELECT personal_code FROM residents WHERE id = $R" | tr -d -)
MUNI_LANG=lv kiosk_start
# The server holds the kiosk's session on TCP, and encrypted.
expect_eq "TCP sessions with TLS" "$(sql "SELECT count(*) FROM pg_stat_ssl
    JOIN pg_stat_activity a USING (pid) WHERE a.client_addr IS NOT NULL
    AND ssl")" 1
expect_eq "TCP sessions without" "$(sql "SELECT count(*) FROM pg_stat_ssl
    JOIN pg_stat_activity a USING (pid) WHERE a.client_addr IS NOT NULL
    AND NOT ssl")" 0
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"
keys 1
wait_screen "Ievadiet savu personas kodu" "identification"
type_text "$pcode"; keys Enter
wait_screen "Ievadiet 6 ciparu kodu" "the code screen over TLS"
expect_eq "the code's SMS" "$(sql "SELECT count(*) FROM outbox
    WHERE resident_id = $R")" 1
kiosk_stop

# --- Another CA: refused, and said why.
conf "$tls&sslrootcert=$PWD/other.pem&connect_timeout=5"
if ctl group list > bad_ca.out 2>&1; then
	fail "munictl connected with another CA"
fi
expect_grep "certificate verify failed" bad_ca.out "another CA"
if "$MUNI_BIN/muni-smsgw" -c muni.conf -n > bad_ca_n.out 2>&1; then
	fail "muni-smsgw -n connected with another CA"
fi
expect_grep "certificate verify failed" bad_ca_n.out "another CA (-n)"

# --- A host name the certificate does not name (127.0.0.1): refused.
conf "postgresql://muni@127.0.0.1:$port/muni?sslmode=verify-full&sslrootcert=$PWD/ca.pem&connect_timeout=5"
if ctl group list > bad_host.out 2>&1; then
	fail "munictl connected to a host the certificate does not name"
fi
expect_grep "does not match host name\|server certificate for" bad_host.out \
    "the wrong host name"
# The kiosk does not start either: it says so on its standard error.
if "$MUNI_BIN/muni-kiosk" -c muni.conf -T tls-test < /dev/null \
    > kiosk_bad.out 2>&1; then
	fail "the kiosk started on a host the certificate does not name"
fi
expect_grep "server certificate for" kiosk_bad.out "kiosk, wrong host name"
echo "kiosk_pg_tls: ok"
