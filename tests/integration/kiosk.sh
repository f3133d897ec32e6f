#!/bin/sh
# kiosk: a resident's visit to muni-kiosk in a real tmux, with muni-smsgw
# bound to muni-smscsim on a demo database. Language switch; the personal
# code validated as typed and never shown; the one-time code taken from
# the SMS the simulator received through the gateway; the queue (positions
# from an independent SQL window query); fees and the payment QR captured
# from the screen, decoded by zbarimg to exactly `munictl pay epc` (half
# blocks at 80x24, double width at 200x50); a topic toggled; a report with
# its case number; the audit log with no personal code; wrong codes and
# the lock-out; staff mode sending a broadcast whose preview matches
# `munictl broadcast preview`, and its dashboard until all are delivered;
# leaving from staff mode.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

B=$MUNI_BIN
PIN=4321
. "$MUNI_TOP/tests/integration/gwlib.sh"
trap 'kiosk_stop; gwlib_cleanup' EXIT
die() {
	kiosk_die "$*"
	echo "--- gateway log"; tail -n 20 gw.err 2>/dev/null || :
	exit 1
}
command -v zbarimg >/dev/null || die "zbarimg missing: zbar-tools"

# The six-digit code in the last SMS the simulator got for PHONE.
sms_code() {
	simctl flush > /dev/null
	grep "dst=$1 " submit.log | tail -n 1 | sed 's/.* text=//' |
	    grep -o '[0-9]\{6\}' | head -n 1
}

sms_count() {
	simctl flush > /dev/null
	grep -c "dst=$1 " submit.log || :
}

sms_more_than() {
	[ "$(sms_count "$1")" -gt "$2" ]
}

# digits of a personal code, as a keypad types them
digits() {
	echo "$1" | tr -d -- '-'
}

# --- Set up: simulator, config, demo data, gateway.
sim_start -r 20 -e 0
hport=$(free_port)
hash=$(printf '%s\n' "$PIN" | "$B/munictl" -c /dev/null staff pin 2>/dev/null)
case $hash in '$y$'*) ;; *) die "munictl staff pin: '$hash'";; esac

{ gw_conf_head 50 400 10; cat <<EOF
[sms]
quiet_hours = none
[kiosk]
idle_timeout_s = 900
staff_pin_hash = $hash
[otp]
ttl_s = 300
max_attempts = 3
[broadcast]
approval_threshold = 100000
[http]
listen = 127.0.0.1:$hport
EOF
} > muni.conf
chmod 600 muni.conf
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
ctl demo --residents 3000 --seed 11 > /dev/null 2>&1
"$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
gwpid=$!
wait_for 10 "a bind" healthy

# A parent with a mobile nobody else has, a child in a queue and a fee.
P=$(sql "select r.id from residents r where r.phone_kind = 0
    and (select count(*) from residents r2 where r2.phone = r.phone) = 1
    and exists (select 1 from queue_entries q where q.guardian_id = r.id
      and q.status = 'active')
    and exists (select 1 from fees f where f.resident_id = r.id
      and f.paid_cents < f.amount_cents)
    order by r.id limit 1")
[ -n "$P" ] || die "no parent with a queue entry and a fee"
pcode=$(sql "select personal_code from residents where id = $P")
pphone=$(sql "select phone from residents where id = $P")
# Another one, for the lock-out.
Q=$(sql "select r.id from residents r where r.phone_kind = 0 and r.id <> $P
    and (select count(*) from residents r2 where r2.phone = r.phone) = 1
    order by r.id limit 1")
qcode=$(sql "select personal_code from residents where id = $Q")
qphone=$(sql "select phone from residents where id = $Q")
# What a screen may show of the number: +371 2•••••NN.
pmask="+371 $(echo "$pphone" | cut -c5)•••••$(echo "$pphone" | rev | cut -c1-2 | rev)"

kiosk_start

# --- 1. Language: English for one visit, Latvian again after it.
phase "language"
golden welcome
keys 2
wait_screen "What would you like to do?" "the English menu"
golden menu-en
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen after the end"
screen_has "Choose a language" && die "still English after the end"
keys 1
wait_screen "Ko vēlaties darīt?" "the Latvian menu"
golden menu-lv

# --- 2. Identification: code checked as typed, masked, SMS code.
phase "identification"
keys 1
wait_screen "Ievadiet savu personas kodu" "the identification screen"
golden ident
type_text 45
wait_screen "Personas kods nesākas ar īstu datumu." "day 45 refused as typed"
type_text 1501993
wait_screen "Personas kodā ir nezināms gadsimta cipars." "century 3 refused"
screen_has "nesākas ar īstu datumu" && die "the first message stayed"
before=$(sms_count "$pphone")
type_text "$(digits "$pcode")"
# The same words for everyone, so no phone number: the screen must not
# tell whoever stands there that a personal code belongs to someone.
wait_screen "Ja šim personas kodam ir reģistrēts" "the code sent"
screen_has "$pmask" && die "the masked phone on the screen"
screen_has "•••" && die "a masked phone on the screen"
screen_has "$(digits "$pcode" | cut -c1-6)" && die "personal code on the screen"
wait_for 10 "the SMS at the simulator" sms_more_than "$pphone" "$before"
simctl flush > /dev/null
# The municipality's name, never the program's (found: "Jūsu muni kods").
grep "dst=$pphone " submit.log | tail -n 1 |
    grep -q "text=Dobeles novada pašvaldības kods: [0-9]\{6\}\. Derīgs" ||
    die "the SMS: $(grep "dst=$pphone " submit.log | tail -n 1)"
code=$(sms_code "$pphone")
[ -n "$code" ] || die "no code in the SMS"
# Stored hashed only; the outbox row expires with the code.
expect_eq "otp hashes" "$(sql "select count(*) from otp where resident_id = $P
    and code_hash like '\$y\$%' and code_hash not like '%$code%'")" 1
expect_eq "validity" "$(sql "select valid_until - created_at from outbox
    where resident_id = $P order by id desc limit 1")" 300
# The gateway sent the code it claimed (above); once the SMSC took it,
# the outbox keeps no copy of it.
code_wiped() {
	[ "$(sql "select count(*) from outbox where resident_id = $P
	    and state not in ('queued', 'inflight') and secret = 1
	    and text = '(one-time code, wiped once sent)'")" -ge 1 ]
}
wait_for 10 "the code's text wiped once sent" code_wiped
expect_eq "the code in the outbox" "$(sql "select count(*) from outbox
    where text like '%$code%'")" 0
type_text "$code"
keys Enter

# --- 3. The queue, against a window over the whole queue.
phase "queue"
wait_screen "Jūsu bērni bērnudārza rindā" "the queue screen"
sql "with ranked as (select id, guardian_id, child_given_name g,
    substr(child_family_name, 1, 1) f, institution_id, desired_start,
    row_number() over (partition by institution_id, substr(desired_start, 1, 4)
    order by priority desc, registered_at, id) pos,
    count(*) over (partition by institution_id, substr(desired_start, 1, 4)) tot
    from queue_entries where status = 'active')
    select k.g || ' ' || k.f || '.|' || i.name || '|' || k.pos ||
    '. vieta no ' || k.tot || ', no ' || substr(k.desired_start, 6, 2) ||
    '.' || substr(k.desired_start, 1, 4) from ranked k
    join institutions i on i.id = k.institution_id
    where k.guardian_id = $P order by k.id limit 3" > want_queue
[ -s want_queue ] || die "no queue entries in SQL"
screen > queue.screen
while IFS='|' read -r child inst place; do
	grep -qF "$child" queue.screen || die "queue: no '$child'"
	grep -qF "$inst" queue.screen || die "queue: no '$inst'"
	grep -qF "$place" queue.screen || die "queue: no '$place'"
done < want_queue
tail -n 1 queue.screen | grep -q "0/← Atpakaļ   9 Palīdzība" || die "legend"

# --- 4. Payments: the first fee's code decodes to `munictl pay epc`.
phase "payments"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 2
wait_screen "Nesamaksātie maksājumi" "the fees screen (no second sign-in)"
nfees=$(sql "select count(*) from fees where resident_id = $P
    and paid_cents < amount_cents")
screen_has "^      1  " || die "no fee 1"
keys 1
wait_screen "Skenējiet kodu ar savas bankas" "the payment code"
wait_screen "LV89 RIKO 0023 3000 0000 0" "the IBAN as text"
ref=$(screen | grep -A1 'Atsauce:' | tail -n 1 | grep -o 'RF[0-9A-Z]*')
[ -n "$ref" ] || die "no reference on the screen"
expect_eq "the fee is P's" "$(sql "select resident_id from fees
    where reference = '$ref'")" "$P"
owed=$(sql "select amount_cents - paid_cents from fees where
    reference = '$ref'")
owed=$(printf '%d,%02d' $((owed / 100)) $((owed % 100)))
screen_has "$owed €" || die "amount $owed € not on the screen"
ctl pay epc "$ref" > want.epc
# One beneficiary: the screen names the payee the code carries (found:
# the full name on the screen, the short one in the code).
payee=$(sed -n 6p want.epc)
[ -n "$payee" ] || die "no payee in the code"
screen | grep -A1 'Saņēmējs:' | tail -n 1 | grep -qF "$payee" ||
    die "the screen's payee is not the code's '$payee': $(screen)"
qr_from_screen qr80.txt || die "no code at the top left"
expect_eq "QR rows at 80x24" "$(wc -l < qr80.txt)" 23
qr_text_to_pgm qr80.txt 0 > qr80.pgm
qr_decode qr80.pgm > got80.epc || die "the screen's code does not scan"
cmp want.epc got80.epc || die "scanned $(od -c got80.epc | head -3)"
# A large terminal: the same code in double width.
kt resize-window -t k -x 200 -y 50
wait_for 10 "a wider code" sh -c "tmux -L '$KT_SOCK' capture-pane -p -t k |
    head -n 1 | grep -q '^█\{90\}'"
qr_from_screen qr200.txt || die "no double-width code"
grep -q '[▀▄]' qr200.txt && die "double width uses whole blocks only"
qr_text_to_pgm qr200.txt 0 > qr200.pgm
qr_decode qr200.pgm > got200.epc || die "the double-width code does not scan"
cmp want.epc got200.epc || die "double width scanned other bytes"
kt resize-window -t k -x 80 -y 24
wait_for 10 "the small code again" sh -c "tmux -L '$KT_SOCK' capture-pane \
    -p -t k | head -n 1 | grep -q '^█\{45\}  '"

# --- 5. Notifications: topic 1 toggled, in the database too.
phase "notifications"
keys 0
wait_screen "Izvēlieties, ko maksāt" "the fee list"
keys 0 3
wait_screen "Paziņojumi īsziņās" "the topics screen"
screen_has "Ziņas tiek sūtītas uz $pmask." || die "no masked phone"
line1=$(screen | grep '^      1  \[')
tname=$(echo "$line1" | sed 's/^      1  \[.\] //; s/ (vienmēr ieslēgts)$//')
tid=$(sql "select id from topics where name_lv = '$tname'")
[ -n "$tid" ] || die "topic '$tname' unknown"
was=$(echo "$line1" | sed 's/^      1  \[\(.\)\].*/\1/')
keys 1
if [ "$(sql "select emergency from topics where id = $tid")" = 1 ]; then
	wait_screen "Ārkārtas brīdinājumus nevar izslēgt." "emergency refused"
else
	if [ "$was" = x ]; then now=" "; want=0; else now=x; want=1; fi
	wait_screen "^      1  \[$now\] $tname" "topic 1 toggled"
	expect_eq "subscription" "$(sql "select subscribed from subscriptions
	    where resident_id = $P and topic_id = $tid")" "$want"
fi

# --- 6. A report: category, text, case number.
phase "report"
keys 0 4
wait_screen "Par ko tas ir?" "the report categories"
golden report-cat
keys 1
wait_screen "Ja ir tastatūra" "the report text"
type_text "Skaļa mūzika pie veikala"
keys Enter
wait_screen "Jūsu ziņojums saņemts" "the case number"
case_no=$(screen | grep -o 'P-[0-9]\{4\}-[0-9]\{6\}')
[ -n "$case_no" ] || die "no case number"
expect_eq "report" "$(sql "select resident_id || '|' || channel || '|' ||
    category || '|' || text from reports where case_no = '$case_no'")" \
    "$P|kiosk|noise|Troksnis: Skaļa mūzika pie veikala"
golden report-done 's/P-[0-9]\{4\}-[0-9]\{6\}/P-YYYY-NNNNNN/'

# --- 7. The end of the visit: nothing of it left on the screen.
phase "end"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen"
golden welcome
screen_has "•" && die "a masked number is left on the screen"
# The audit log: each view, by terminal, never a personal code.
for a in "sign-in" "view queue" "view fees" "view payment code" \
    "view topics" "change topic" "report" "session ended"; do
	n=$(sql "select count(*) from audit_log where actor = 'kiosk:kiosk-test'
	    and action = '$a' and detail like 'resident=$P%'")
	[ "$n" -ge 1 ] || [ "$a" = "change topic" ] || die "no audit '$a'"
done
sql "select * from audit_log" > audit.txt
sql "select text from outbox" > outbox.txt
for f in audit.txt outbox.txt kiosk.err; do
	grep -q "$(digits "$pcode")" "$f" && die "personal code in $f"
	grep -qF "$pcode" "$f" && die "personal code in $f"
done

# --- 8. Wrong codes and the lock-out, for Q.
phase "wrong codes"
keys 1 1
wait_screen "Ievadiet savu personas kodu" "the identification screen"
before=$(sms_count "$qphone")
type_text "$(digits "$qcode")"
wait_screen "Ja šim personas kodam ir reģistrēts" "Q's code sent"
wait_for 10 "Q's SMS" sms_more_than "$qphone" "$before"
code=$(sms_code "$qphone")
bad=$(printf '%06d' $(( (1$code - 1000000 + 1) % 1000000 )))
type_text "$bad"; keys Enter
wait_screen "Nepareizs kods. Atlikuši 2 mēģinājumi." "one wrong code"
type_text "$bad"; keys Enter
wait_screen "Nepareizs kods. Atlicis 1 mēģinājums." "two wrong codes"
type_text "$bad"; keys Enter
wait_screen "Pārāk daudz nepareizu kodu" "the lock-out"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 1
wait_screen "Ievadiet savu personas kodu" "the identification screen"
sent=$(sql "select count(*) from outbox where resident_id = $Q")
type_text "$(digits "$qcode")"
wait_screen "Pārāk daudz nepareizu kodu" "still locked out"
expect_eq "no new code while locked" \
    "$(sql "select count(*) from outbox where resident_id = $Q")" "$sent"
lu=$(sql "select locked_until from lockouts where subject = 'resident:$Q'")
expect_eq "lockout row" "$([ "${lu:-0}" -gt "$(date +%s)" ] && echo 1)" 1
# The time it names is Riga's, whatever TZ the kiosk runs under (zones.sh).
lu=$(sql "select locked_until from lockouts where subject = 'resident:$Q'")
screen_has "$(TZ=Europe/Riga date -d "@$lu" +%H:%M)" ||
    die "the lock-out's end is not shown in Riga time"
keys 0 0
wait_screen "Izvēlieties valodu" "the welcome screen"

# --- 9. Staff mode: a broadcast with its preview, the dashboard.
phase "staff broadcast"
ctl group add vecakie --rule "territory = 'Auru pagasts' AND age >= 70" \
    > /dev/null
type_text '/*-'
wait_screen "Ievadiet darbinieku PIN" "the staff PIN screen"
type_text 1111; keys Enter
wait_screen "Nepareizs PIN. Atlikuši 2 mēģinājumi." "a wrong PIN"
screen_has "1111" && die "the PIN is shown"
type_text "$PIN"; keys Enter
wait_screen "1  Jauns apziņojums" "the staff menu"
keys 1
wait_screen "Jauns apziņojums: grupa" "the groups"
screen_has "1  vecakie" || die "group not listed"
keys 1
wait_screen "Jauns apziņojums: tēma" "the topics"
tcode=$(screen | grep '^      1  ' | sed 's/.*(\([a-z_0-9]*\)).*/\1/')
[ -n "$tcode" ] || die "no topic code on the screen"
keys 1
wait_screen "Ierakstiet tekstu" "the text screen"
text="Rīt ūdens nebūs no 9 līdz 12"
type_text "$text"
want=$(ctl broadcast preview --group vecakie --topic "$tcode" --text "$text" |
    sed -n 's/.*recipients=\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$want" ] && [ "$want" -gt 0 ] || die "munictl preview: '$want'"
wait_screen "Saņēmēji: $want " "the preview's recipients"
screen_has "Kodējums: UCS-2" || die "no encoding in the preview"
# The cost as munictl's cost=0.040, written as Latvian writes amounts.
cost=$(ctl broadcast preview --group vecakie --topic "$tcode" --text "$text" |
    sed -n 's/^cost=\([0-9]*\.[0-9]*\)$/\1/p')
cost=$(printf '%.2f' "$cost" | tr . ,)
screen_has "Izmaksas: $cost €" || die "the cost $cost € not in the preview"
keys Enter
wait_screen "Sūtīt šo apziņojumu?" "the confirmation"
keys 1
# An emergency topic asks a second time (kiosk_keys.sh).
if [ "$(sql "select emergency from topics where code = '$tcode'")" = 1 ]; then
	wait_screen "Sūtīt ĀRKĀRTAS paziņojumu?" "the emergency question"
	keys 1
fi
wait_screen "Pēdējo apziņojumu piegāde" "the dashboard"
bid=$(sql "select id from broadcasts where created_by = 'kiosk:kiosk-test'")
[ -n "$bid" ] || die "no broadcast by the kiosk"
wait_screen "✓$want ✗0 …0" "every message delivered on the dashboard" 30
ctl broadcast status "$bid" > bstatus
expect_grep "^delivered=$want\$" bstatus

# --- 10. Out through staff mode only: the kiosk ends, status 0.
phase "shut down"
keys 0
wait_screen "8  Izslēgt kiosku" "the staff menu"
keys 8
wait_screen "Izslēgt kiosku?" "the shut-down question"
keys 1
wait_for 20 "the kiosk to end" kiosk_ended
expect_eq "exit status" "$(cat kiosk.rc)" 0
expect_eq "audit" "$(sql "select count(*) from audit_log
    where action = 'kiosk shut down by staff'")" 1
echo "kiosk: visit, QR, lock-out and staff broadcast of $want recipients"
