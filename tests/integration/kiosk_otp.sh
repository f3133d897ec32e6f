#!/bin/sh
# kiosk_otp: the sign-in lock-outs of issue 22 in a real tmux on a demo
# database (no gateway: codes are read from their outbox rows). Two wrong
# codes, a wait past the code's lifetime, a new code, one more wrong: the
# person is locked out (the count is the person's, not the code's). An
# unknown personal code gets the very same screen and no SMS, and what is
# typed then fails as a wrong code. [otp] per_terminal_per_hour stops a
# terminal sending more codes. Three wrong staff PINs at kiosk -T a lock
# staff mode there, not at kiosk -T b.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

trap kiosk_stop EXIT
die() {
	kiosk_die "$*"
	exit 1
}

TTL=30
hash=$(printf '4321\n' | "$MUNI_BIN/munictl" -c /dev/null staff pin 2>/dev/null)
write_conf
cat >> muni.conf <<EOF
[kiosk]
staff_pin_hash = $hash
[otp]
ttl_s = $TTL
max_attempts = 3
lockout_s = 900
per_terminal_per_hour = 3
EOF
export MUNI_LANG=lv
ctl init > /dev/null 2>&1
ctl demo --residents 500 --seed 3 > /dev/null 2>&1

# Three residents with a mobile; a valid personal code nobody has.
mobile() {
	sql "select id from residents where phone_kind = 0 order by id
	    limit 1 offset $1"
}
pcode_of() {
	sql "select personal_code from residents where id = $1" | tr -d -
}
R=$(mobile 0); S=$(mobile 1); T=$(mobile 2)
nobody=16117519997
expect_eq "nobody has it" "$(sql "select count(*) from residents
    where personal_code = '161175-19997'")" 0

# The code in resident $1's last SMS, and a six-digit code that is not it.
last_code() {
	sql "select text from outbox where resident_id = $1 order by id desc
	    limit 1" | grep -o '[0-9]\{6\}' | head -n 1
}
not_code() {
	printf '%06d' $(( (1$1 - 1000000 + 1) % 1000000 ))
}
outbox_count() {
	sql "select count(*) from outbox"
}
SENT="Ja šim personas kodam ir reģistrēts"

# sign_in PCODE: from the menu to the code screen.
sign_in() {
	keys 1
	wait_screen "Ievadiet savu personas kodu" "identification"
	type_text "$1"
}

kiosk_start
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"

# --- Two wrong codes, a wait past the lifetime, a new code, one wrong.
sign_in "$(pcode_of "$R")"
wait_screen "$SENT" "the code sent"
screen | sed 's/[[:space:]]*$//' > sent_real.txt
mask=$(sql "select substr(phone, -2) from residents where id = $R")
screen_has "•••••$mask" && die "the phone shown"
bad=$(not_code "$(last_code "$R")")
type_text "$bad"; keys Enter
wait_screen "Nepareizs kods. Atlikuši 2 mēģinājumi." "one wrong code"
type_text "$bad"; keys Enter
wait_screen "Nepareizs kods. Atlicis 1 mēģinājums." "two wrong codes"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu"
sleep $((TTL + 1))
first=$(sql "select max(id) from outbox where resident_id = $R")
sign_in "$(pcode_of "$R")"
wait_screen "$SENT" "a new code sent"
[ "$(sql "select max(id) from outbox where resident_id = $R")" -gt "$first" ] ||
    die "no new code after the lifetime"
type_text "$(not_code "$(last_code "$R")")"; keys Enter
wait_screen "Pārāk daudz nepareizu kodu" "locked after three wrong codes in all"
lu=$(sql "select locked_until from lockouts where subject = 'resident:$R'")
expect_eq "lockout row" "$([ "${lu:-0}" -gt "$(date +%s)" ] && echo 1)" 1
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"

# --- Nobody: the same screen, no SMS, and a wrong code.
before=$(outbox_count)
sign_in "$nobody"
wait_screen "$SENT" "the same screen"
screen | sed 's/[[:space:]]*$//' > sent_nobody.txt
diff -u sent_real.txt sent_nobody.txt >&2 || die "a different screen for nobody"
expect_eq "no SMS for nobody" "$(outbox_count)" "$before"
type_text 123456; keys Enter
wait_screen "Nepareizs kods. Atlikuši 2 mēģinājumi." "nobody's code is wrong"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu"

# --- The terminal's cap: R had two codes, S the third, T none.
sign_in "$(pcode_of "$S")"
wait_screen "$SENT" "S's code sent"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu"
before=$(outbox_count)
sign_in "$(pcode_of "$T")"
wait_screen "Šis terminālis stundā jau nosūtījis" "the cap"
expect_eq "no SMS past the cap" "$(outbox_count)" "$before"
kiosk_stop

# --- Staff PIN: locked at kiosk a, open at kiosk b, still locked at a.
# Each kiosk in a tmux server of its own: a new session must not reach
# the last server while it is still going away.
staff_pin() {
	type_text '/*-'
	wait_screen "Ievadiet darbinieku PIN" "the PIN screen"
	type_text "$1"; keys Enter
}
KT_SOCK="muni-kiosk-$$-1"
KIOSK_T=a
kiosk_start
staff_pin 1111
wait_screen "Nepareizs PIN. Atlikuši 2 mēģinājumi." "a wrong PIN at a"
type_text 2222; keys Enter
wait_screen "Nepareizs PIN. Atlicis 1 mēģinājums." "a second wrong PIN at a"
type_text 3333; keys Enter
wait_screen "Darbinieku režīms bloķēts līdz" "staff mode locked at a"
kiosk_stop
KT_SOCK="muni-kiosk-$$-2"
KIOSK_T=b
kiosk_start
staff_pin 4321
wait_gone "Ievadiet darbinieku PIN" "staff mode at b"
screen_has "bloķēts" && die "kiosk b locked by kiosk a's wrong PINs"
kiosk_stop
KT_SOCK="muni-kiosk-$$-3"
KIOSK_T=a
kiosk_start
staff_pin 4321
wait_screen "Darbinieku režīms bloķēts līdz" "still locked at a"
kiosk_stop
exit 0
