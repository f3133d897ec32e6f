#!/bin/sh
# kiosk_pg_lost: a library kiosk on PostgreSQL (issue 19) whose database
# goes mid-sign-in. A throwaway cluster (tests/pg.sh) holds a demo; the
# kiosk in tmux sends a resident a code, then the server stops at once
# (pg_ctl -m immediate, as a crash or a cut line). The code typed then
# shows the Latvian "service unavailable" screen, not a fault message and
# nothing of the resident's; keys do nothing there; the kiosk tries again
# after 1, 2, 4 ... s (its debug log says so), and when the server is back
# it starts from the welcome screen by itself. Nothing was half-written:
# the code's row is as the failed check left it (not used), no sign-in
# row was written, and the same resident then signs in with a new code.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

# Outside the work directory: as root, the server runs as postgres, which
# may not enter a private directory of root's.
pg=$(mktemp -d "${TMPDIR:-/tmp}/muni-pgkiosk.XXXXXX")
PGSH="$MUNI_TOP/tests/pg.sh"
cleanup() {
	kiosk_stop
	sh "$PGSH" stop "$pg" >/dev/null 2>&1 || :
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() {
	kiosk_die "$*"
	exit 1
}

# The server is killed (-m immediate) below: commits must be in the WAL
# when they return, or the code's row could be gone after the restart
# (the throwaway cluster's default is synchronous_commit=off).
PG_OPTS="-c synchronous_commit=on"
export PG_OPTS
(cd / && sh "$PGSH" start "$pg")
url=$(sh "$PGSH" createdb "$pg" muni)
cat > muni.conf <<EOF
[database]
url = $url
EOF
# lib.sh's sql reads SQLite; this database is PostgreSQL's.
sql() {
	sh "$PGSH" psql "$pg" muni -A -t -c "$1"
}
export MUNI_LANG=lv
ctl init > init.out 2>&1 || { cat init.out; fail "munictl init"; }
ctl demo --residents 200 --seed 3 > demo.out 2>&1 ||
    { cat demo.out; fail "munictl demo"; }

R=$(sql "select id from residents where phone_kind = 0 order by id limit 1")
pcode=$(sql "select personal_code from residents where id = $R" | tr -d -)
last_code() {
	sql "select text from outbox where resident_id = $R order by id desc
	    limit 1" | grep -o '[0-9]\{6\}' | head -n 1
}
SENT="Ievadiet 6 ciparu kodu"
GONE="Pakalpojums īslaicīgi nav pieejams"

KIOSK_ENV="MUNI_DEBUG=1"
kiosk_start
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"
keys 1
wait_screen "Ievadiet savu personas kodu" "identification"
type_text "$pcode"; keys Enter
wait_screen "$SENT" "the code sent" || die "no code screen"
code=$(last_code)
[ -n "$code" ] || die "no code in the outbox"
otp=$(sql "select id from otp where resident_id = $R order by id desc
    limit 1")

# --- The server goes between the code sent and the code typed.
(cd / && sh "$PGSH" halt "$pg")
lost=$(date +%s)
type_text "$code"; keys Enter
wait_screen "$GONE" "the unavailable screen" || die "no unavailable screen"
screen_lacks "Tehniska kļūme" || die "a fault message over the screen"
screen_lacks "$code" || die "the code left on the screen"
screen_lacks "$pcode" || die "the personal code on the screen"
expect_grep "the database is unavailable" kiosk.err "kiosk.err"
expect_no_grep "$pcode" kiosk.err "kiosk.err (a personal code)"
# Keys are taken and do nothing: no menu, no sign-in behind the screen.
keys 1; keys Enter; keys 0
sleep 1
screen_has "$GONE" || die "a key left the unavailable screen"
# Down for a while: the waits double (1 s, 2 s, 4 s, 8 s).
wait_for 20 "the third miss" grep -q "next try in 8000 ms" kiosk.err ||
    die "no backoff to 8 s"
expect_grep "next try in 2000 ms" kiosk.err "kiosk.err"
expect_grep "next try in 4000 ms" kiosk.err "kiosk.err"
screen_has "$GONE" || die "the screen went while the server is down"
[ -s kiosk.rc ] && die "the kiosk ended"

# --- Back: the welcome screen by itself, within the wait (8 s) and a bit.
(cd / && sh "$PGSH" resume "$pg")
wait_screen "Izvēlieties valodu" "the welcome screen again" 15 ||
    die "not back after the server came back"
back=$(date +%s)
echo "kiosk back $((back - lost)) s after the loss"
expect_grep "the database is back after" kiosk.err "kiosk.err"

# Nothing half-written: the code that was being checked is unused, no
# sign-in row was written for it, and the return is in the audit log.
expect_eq "the code's row" "$(sql "select used from otp where id = $otp")" 0
expect_eq "sign-in rows" "$(sql "select count(*) from audit_log
    where action = 'sign-in'")" 0
expect_eq "database back rows" "$(sql "select count(*) from audit_log
    where action = 'database back' and actor = 'kiosk:kiosk-test'")" 1

# --- The same resident signs in now, with a new code.
keys 1
wait_screen "Ko vēlaties darīt?" "the menu after the return"
keys 1
wait_screen "Ievadiet savu personas kodu" "identification again"
type_text "$pcode"; keys Enter
wait_screen "$SENT" "a new code sent"
code2=$(last_code)
[ -n "$code2" ] || die "no new code"
type_text "$code2"; keys Enter
wait_screen "bērnudārza rindā" "the queue screen after the sign-in" ||
    die "no sign-in after the return"
expect_eq "sign-in rows" "$(sql "select count(*) from audit_log
    where action = 'sign-in'")" 1
[ -s kiosk.rc ] && die "the kiosk ended"
echo "kiosk_pg_lost: ok"
