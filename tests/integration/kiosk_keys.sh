#!/bin/sh
# kiosk_keys: the kiosk's keys in a real tmux on a demo database (no
# gateway: codes and case numbers are read from their outbox rows), issue
# 14. One back rule on every screen, stated in its legend: 0 or the left
# arrow on choice screens, the left arrow where digits are typed (there 0
# is a digit). The other arrows change nothing. An error note stays until
# the field changes. The report: an empty one refused, leaving typed text
# asks first ("Atmest ziņojumu?", 2 keeps it), [kiosk] reports_per_hour
# per terminal for people not signed in, and a signed-in resident gets
# the case number by SMS in their own language, with no personal code.
# Staff: shutting down asks and says what happens (2 keeps the kiosk
# running); an emergency broadcast asks a second time, naming it as such
# (2 sends nothing).
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

trap kiosk_stop EXIT
die() {
	kiosk_die "$*"
	exit 1
}

hash=$(printf '4321\n' | "$MUNI_BIN/munictl" -c /dev/null staff pin 2>/dev/null)
write_conf
cat >> muni.conf <<EOF
[sms]
quiet_hours = none
[kiosk]
idle_timeout_s = 900
staff_pin_hash = $hash
reports_per_hour = 2
[broadcast]
approval_threshold = 100000
EOF
export MUNI_LANG=lv
ctl init > /dev/null 2>&1
ctl demo --residents 300 --seed 5 > /dev/null 2>&1
ctl group add visi --rule "has_mobile" > /dev/null

R=$(sql "select id from residents where phone_kind = 0 order by id limit 1")
pcode=$(sql "select personal_code from residents where id = $R")
# R reads SMS in English; the kiosk's screen stays Latvian.
sql "update residents set lang = 'en' where id = $R"

phase() {
	echo "phase: $*"
}
legend() {
	screen | tail -n 1
}
# legend_has TEXT WHAT: the screen's legend states TEXT.
legend_has() {
	legend | grep -qF -- "$1" || die "$2: the legend lacks '$1'"
}
# still ARROW TEXT: an arrow that the legend does not offer leaves the
# screen exactly as it was.
still() {
	screen > before.txt
	keys "$1"
	sleep 0.4
	screen > after.txt
	cmp -s before.txt after.txt || die "$1 changed the screen ($2)"
}
reports() {
	sql "select count(*) from reports"
}

kiosk_start
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"

# --- Back: 0 and the left arrow on choice screens, stated as "0/←".
phase "back on choice screens"
legend_has "0/← Beigt" "the menu"
still Right "menu"; still Up "menu"; still Down "menu"
keys Left
wait_screen "Izvēlieties valodu" "the welcome screen after ← on the menu"
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"
keys 4
wait_screen "Par ko tas ir?" "the report categories"
legend_has "0/← Atpakaļ" "the report categories"
still Right "report categories"; still Down "report categories"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu after 0"
keys 4
wait_screen "Par ko tas ir?" "the report categories"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu after ←"
keys 9
wait_screen "Palīdzība" "help"
legend_has "0/← Atpakaļ" "help"
screen_has "0 ir cipars" || die "help does not state the back rule"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu after ← on help"

# --- Where digits are typed, 0 is a digit and ← goes back.
phase "back on code screens"
keys 1
wait_screen "Identifikācija" "the identification screen"
legend_has "← Atpakaļ" "identification"
keys 0
wait_screen "•" "0 typed as a digit of the personal code"
screen_has "Identifikācija" || die "0 left the personal code screen"
still Right "personal code"; still Up "personal code"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu after ← on the personal code"
keys 1
wait_screen "Identifikācija" "the identification screen"
type_text "$(echo "$pcode" | tr -d -)"
wait_screen "Ievadiet 6 ciparu kodu" "the one-time code screen"
legend_has "← Atpakaļ" "one-time code"
# An error note stays while the field stays, and goes when it changes.
type_text 12; keys Enter
wait_screen "Kodā ir 6 cipari." "the short code refused"
still Right "one-time code with its note"; still Down "one-time code"
keys 0
wait_screen "120_" "0 typed as a digit of the one-time code"
wait_gone "Kodā ir 6 cipari." "the note once the field changed"
keys BSpace BSpace BSpace
wait_screen "______" "the one-time code deleted"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu after ← on the one-time code"

# --- The report text: empty refused, a question before discarding.
phase "report"
keys 4 2
wait_screen "Ja ir tastatūra" "the report text"
legend_has "← Atpakaļ" "report text"
keys Enter
wait_screen "Ziņojums ir tukšs" "the empty report refused"
type_text "   "; keys Enter
wait_screen "Ziņojums ir tukšs" "the blank report refused"
expect_eq "no report filed" "$(reports)" 0
still Up "report text with its note"
type_text "Izgāztuve pie 0. ceļa"
wait_gone "Ziņojums ir tukšs" "the note once the text changed"
keys Left
wait_screen "Atmest ziņojumu?" "the discard question"
screen_has "1  Jā" && screen_has "2  Nē" || die "no 1 Jā / 2 Nē"
keys 2
wait_screen "Izgāztuve pie 0. ceļa" "the text kept after 2"
keys Left
wait_screen "Atmest ziņojumu?" "the discard question"
keys 0
wait_screen "Izgāztuve pie 0. ceļa" "the text kept after 0"
keys Left
wait_screen "Atmest ziņojumu?" "the discard question"
keys 1
wait_screen "Par ko tas ir?" "the categories after discarding"
expect_eq "nothing filed" "$(reports)" 0

# --- Anonymous reports: two an hour from this terminal, then refused.
phase "report limit"
for i in 1 2; do
	keys 2
	wait_screen "Ja ir tastatūra" "the report text"
	type_text "Atkritumi $i"; keys Enter
	wait_screen "Jūsu ziņojums saņemts" "anonymous report $i"
	keys 0
	wait_screen "Ko vēlaties darīt?" "the menu"
	keys 4
	wait_screen "Par ko tas ir?" "the categories"
done
keys 2
wait_screen "Ja ir tastatūra" "the report text"
type_text "Atkritumi 3"; keys Enter
wait_screen "Šis terminālis stundā pieņem 2 ziņojumus" "the terminal limit"
screen_has "Atkritumi 3" || die "the text was lost at the limit"
expect_eq "two filed" "$(reports)" 2
expect_eq "audit" "$(sql "select count(*) from audit_log where
    actor = 'kiosk:kiosk-test' and action = 'report: not signed in'")" 2
keys BSpace
wait_gone "Šis terminālis stundā" "the limit note once the text changed"

# --- Signed in: not limited, and the case number by SMS.
phase "case number SMS"
keys Left
wait_screen "Atmest ziņojumu?" "the discard question"
keys 1
wait_screen "Par ko tas ir?" "the categories"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 1
wait_screen "Identifikācija" "identification"
type_text "$(echo "$pcode" | tr -d -)"
wait_screen "Ievadiet 6 ciparu kodu" "the one-time code screen"
code=$(sql "select text from outbox where resident_id = $R order by id desc
    limit 1" | grep -o '[0-9]\{6\}' | head -n 1)
[ -n "$code" ] || die "no one-time code in the outbox"
type_text "$code"; keys Enter
wait_screen "Jūsu bērni bērnudārza rindā" "signed in: the queue"
legend_has "0/← Atpakaļ" "queue"
keys Left
wait_screen "Ko vēlaties darīt?" "the menu"
keys 4 2
wait_screen "Ja ir tastatūra" "the report text"
type_text "Atkritumi pie skolas"; keys Enter
wait_screen "Jūsu ziņojums saņemts" "the signed-in report over the limit"
case_no=$(screen | grep -o 'I-[0-9]\{4\}-[0-9]\{6\}')
[ -n "$case_no" ] || die "no case number"
phone=$(sql "select phone from residents where id = $R")
expect_eq "the case number SMS" "$(sql "select text from outbox
    where resident_id = $R and phone = '$phone' and text like '%$case_no%'")" \
    "Application received, no. $case_no."
sql "select text from outbox" > outbox.txt
grep -q "$(echo "$pcode" | tr -d -)" outbox.txt && die "a personal code in an SMS"
grep -qF "$pcode" outbox.txt && die "a personal code in an SMS"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen"

# --- Staff: every screen's back key, the emergency asked twice.
phase "staff"
type_text '/*-'
wait_screen "Ievadiet darbinieku PIN" "the staff PIN screen"
legend_has "← Atpakaļ" "staff PIN"
keys 0
wait_screen "•" "0 typed as a digit of the PIN"
keys Left
wait_screen "Izvēlieties valodu" "the welcome screen after ← on the PIN"
type_text '/*-'
wait_screen "Ievadiet darbinieku PIN" "the staff PIN screen"
type_text 1111; keys Enter
wait_screen "Nepareizs PIN" "a wrong PIN"
still Right "staff PIN with its note"
type_text 4
wait_gone "Nepareizs PIN" "the wrong-PIN note once the field changed"
keys BSpace
type_text 4321; keys Enter
wait_screen "1  Jauns apziņojums" "the staff menu"
legend_has "0/← Atpakaļ" "staff menu"
keys 2
wait_screen "Pēdējo apziņojumu piegāde" "the dashboard"
legend_has "0/← Atpakaļ" "dashboard"
keys Left
wait_screen "1  Jauns apziņojums" "the staff menu after ← on the dashboard"
keys 1
wait_screen "Jauns apziņojums: grupa" "the groups"
legend_has "0/← Atpakaļ" "groups"
keys Left
wait_screen "1  Jauns apziņojums" "the staff menu after ← on the groups"
keys 1
wait_screen "Jauns apziņojums: grupa" "the groups"
keys 1
wait_screen "Jauns apziņojums: tēma" "the topics"
keys 0
wait_screen "Jauns apziņojums: grupa" "the groups after 0 on the topics"
keys 1
wait_screen "Jauns apziņojums: tēma" "the topics"
n=$(screen | sed -n 's/^ *\([1-8]\)  .* — ārkārtas.*/\1/p' | head -n 1)
[ -n "$n" ] || die "no emergency topic on the screen"
keys "$n"
wait_screen "Ierakstiet tekstu" "the text screen"
type_text "Vētra: palieciet mājās"
keys Enter
wait_screen "Sūtīt šo apziņojumu?" "the first confirmation"
legend_has "0/← Atpakaļ" "confirmation"
keys 1
wait_screen "Sūtīt ĀRKĀRTAS paziņojumu?" "the emergency question"
screen_has "ārkārtas paziņojums" || die "not named as an emergency"
screen_has "naktī" || die "does not say it goes at night"
screen_has "atteikuši" || die "does not say it reaches those who opted out"
keys 2
wait_screen "Sūtīt šo apziņojumu?" "back on the confirmation after 2"
keys 1
wait_screen "Sūtīt ĀRKĀRTAS paziņojumu?" "the emergency question"
keys Left
wait_screen "Sūtīt šo apziņojumu?" "back on the confirmation after ←"
expect_eq "nothing sent" "$(sql "select count(*) from broadcasts")" 0
expect_eq "no SMS queued" "$(sql "select count(*) from outbox
    where broadcast_id is not null")" 0
keys 1
wait_screen "Sūtīt ĀRKĀRTAS paziņojumu?" "the emergency question"
keys 1
wait_screen "Pēdējo apziņojumu piegāde" "the dashboard after the second yes"
expect_eq "one emergency" "$(sql "select count(*) from broadcasts
    where emergency = 1")" 1

# --- Shutting down asks, says what happens; 2 keeps the kiosk running.
phase "shut down"
keys 0
wait_screen "8  Izslēgt kiosku" "the staff menu"
keys 8
wait_screen "Izslēgt kiosku?" "the shut-down question"
screen_has "muni-kiosk@.service" || die "does not say what happens"
keys 2
wait_screen "8  Izslēgt kiosku" "the staff menu after 2"
sleep 1
kiosk_ended && die "the kiosk ended after 2"
expect_eq "not shut down" "$(sql "select count(*) from audit_log
    where action = 'kiosk shut down by staff'")" 0
keys 8
wait_screen "Izslēgt kiosku?" "the shut-down question"
keys 1
wait_for 20 "the kiosk to end" kiosk_ended
expect_eq "exit status" "$(cat kiosk.rc)" 0
echo "kiosk_keys: back keys, arrows, notes, report questions and limit, case SMS, staff questions"
