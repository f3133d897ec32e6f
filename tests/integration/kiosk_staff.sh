#!/bin/sh
# kiosk_staff: staff accounts at the kiosk, in a real tmux on a demo
# database (no gateway). A kiosk configured with the shared staff_pin_hash
# refuses to start once accounts exist, and says how to move on; anna
# signs in with her staff number and own PIN, every staff screen names
# her, her broadcast above the threshold waits; she cannot approve it
# herself; a wrong PIN counts; janis, a second approver, approves it at
# the kiosk, and the audit rows name each of them and the terminal.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

trap kiosk_stop EXIT
die() {
	kiosk_die "$*"
	exit 1
}

write_conf
cat >> muni.conf <<EOF
[sms]
quiet_hours = none
[kiosk]
idle_timeout_s = 900
staff_max_attempts = 3
[broadcast]
approval_threshold = 5
EOF
export MUNI_LANG=lv
ctl init > /dev/null 2>&1
ctl demo --residents 300 --seed 3 > /dev/null 2>&1
ctl group add visi --rule "has_mobile" > /dev/null
# Root is anna (admin); janis is a second approver.
ctl staff add anna --role admin --unix root --display "Anna Ozola" > /dev/null
ctl staff add janis --role approver --display "Jānis Bērziņš" > /dev/null
printf '402917\n402917\n' | ctl staff pin anna > /dev/null
printf '518274\n518274\n' | ctl staff pin janis > /dev/null
aid=$(sql "select id from staff where name = 'anna'")
jid=$(sql "select id from staff where name = 'janis'")

# --- The shared PIN is refused at start, with the way on.
hash=$(printf '4321\n' | ctl staff pin)
awk -v h="$hash" '{ print } /^staff_max_attempts/ { print "staff_pin_hash = " h }' \
    muni.conf > shared.conf
if "$MUNI_BIN/muni-kiosk" -c shared.conf < /dev/null > o 2> e; then
	die "a kiosk started with staff_pin_hash and staff accounts"; fi
expect_grep "staff_pin_hash ir iestatīts, bet ir darbinieku konti" e
expect_grep "munictl staff pin VĀRDS" e

# --- anna signs in and sends above the threshold.
kiosk_start
type_text '/*-'
wait_screen "Ievadiet savu darbinieka numuru" "the staff number screen"
type_text "$aid"; keys Enter
wait_screen "Darbinieka numurs $aid: ievadiet savu PIN" "the PIN screen"
type_text 402917; keys Enter
wait_screen "Anna Ozola ($aid)" "anna named on the menu"
screen_has "3  Apstiprināt apziņojumus" || die "no approval item"
keys 1
wait_screen "Anna Ozola ($aid)" "anna named on the groups"
keys 1
wait_screen "(pii)" "the topics"
screen_has "Anna Ozola ($aid)" || die "anna not named on the topics"
# Not the emergency topic: an emergency is never held.
n=$(screen | sed -n 's/^ *\([1-8]\)  .*(pii).*/\1/p')
[ -n "$n" ] || die "no pii topic"
keys "$n"
wait_screen "Ierakstiet tekstu" "the text screen"
type_text "Rīt ūdens nebūs"
keys Enter
wait_screen "Sūtīt šo apziņojumu?" "the confirmation"
screen_has "Anna Ozola ($aid)" || die "anna not named on the confirmation"
keys 1
wait_screen "Pēdējo apziņojumu piegāde" "the dashboard"
screen_has "Anna Ozola ($aid)" || die "anna not named on the dashboard"
bid=$(sql "select id from broadcasts where created_by = 'anna'")
[ -n "$bid" ] || die "no broadcast by anna"
expect_eq "held" "$(sql "select state from broadcasts where id = $bid")" \
    awaiting_approval
# Not by herself.
keys 0
wait_screen "3  Apstiprināt apziņojumus" "the menu"
keys 3
wait_screen "Apziņojumi, kas gaida apstiprinājumu" "the approval list"
screen_has "#$bid visi" || die "broadcast $bid not listed"
keys 1
wait_screen "anna izveidoja izsūtīšanu $bid: tā jāapstiprina citam" "the refusal"
expect_eq "still held" "$(sql "select state from broadcasts where id = $bid")" \
    awaiting_approval
keys 0
wait_screen "3  Apstiprināt apziņojumus" "the menu"
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen after sign-out"

# --- janis: one wrong PIN, then the approval.
type_text '/*-'
wait_screen "Ievadiet savu darbinieka numuru" "the staff number screen"
type_text "$jid"; keys Enter
wait_screen "Darbinieka numurs $jid" "the PIN screen"
type_text 111111; keys Enter
wait_screen "Nepareizs darbinieka numurs vai PIN. Atlikuši 2 mēģinājumi." "a wrong PIN"
type_text "$jid"; keys Enter
wait_screen "Darbinieka numurs $jid" "the PIN screen"
type_text 518274; keys Enter
wait_screen "Jānis Bērziņš ($jid)" "janis named on the menu"
keys 3
wait_screen "#$bid visi" "the approval list"
keys 1
wait_screen "Apziņojums $bid apstiprināts" "the approval"
expect_eq "approved" "$(sql "select state || ' ' || approved_by from broadcasts where id = $bid")" \
    "scheduled janis"
want=$(sql "select recipients from broadcasts where id = $bid")
expect_eq "queued" "$(sql "select count(*) from outbox where broadcast_id = $bid")" "$want"
keys 0
wait_screen "8  Izslēgt kiosku" "the menu"
keys 8
wait_screen "Izslēgt kiosku?" "the shut-down question"
keys 1
wait_for 20 "the kiosk to end" kiosk_ended

# --- The audit log: who, at which terminal.
expect_eq "anna's sign-in" "$(sql "select count(*) from audit_log where actor = 'anna'
    and origin = 'kiosk:kiosk-test' and action = 'staff sign-in'")" 1
expect_eq "janis's approval" "$(sql "select count(*) from audit_log where actor = 'janis'
    and origin = 'kiosk:kiosk-test' and action = 'broadcast approve'")" 1
expect_eq "the wrong PIN" "$(sql "select count(*) from audit_log where
    action = 'staff sign-in: wrong number or PIN' and detail = 'staff=$jid'")" 1
expect_eq "shut down by janis" "$(sql "select actor from audit_log where
    action = 'kiosk shut down by staff'")" janis
echo "kiosk_staff: sign-in by number and PIN, refused self-approval, approval by janis"
