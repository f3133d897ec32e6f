#!/bin/sh
# speech: the kiosk speaks (issue 20), in a real tmux on a demo database
# with [kiosk] speech = on and a record directory (no sound device
# needed). The welcome, the menu, a signed-in queue, fees with the QR,
# topics, a report and the idle reset each record text that matches the
# screen, with amounts, places and references in words, in Latvian and in
# English, and a WAV that is speech (sox: its length and loudness over a
# floor). No digit of the personal code or of the one-time code is in
# any recorded text, and no name before the sign-in. A key mid-utterance
# cuts it short. With speech = key nothing is said until '*', and the visit's end ends it; a record
# directory others may read is refused.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

trap kiosk_stop EXIT
die() {
	kiosk_die "$*"
	echo "--- recorded"; tail -n 3 rec/*.txt 2>/dev/null | tail -n 40 || :
	exit 1
}
command -v sox >/dev/null || die "sox missing (make deps)"

IDLE=8
write_conf
mkdir -m 700 rec
cat >> muni.conf <<EOF
[kiosk]
idle_timeout_s = $IDLE
speech = on
speech_record_dir = $PWD/rec
# as fast as it goes: the screens are said in full while the test waits
speech_rate = 300
EOF
chmod 600 muni.conf
export MUNI_LANG=lv
ctl init > /dev/null 2>&1
ctl demo --residents 500 --seed 3 > /dev/null 2>&1

P=$(sql "select r.id from residents r where r.phone_kind = 0
    and exists (select 1 from queue_entries q where q.guardian_id = r.id
      and q.status = 'active')
    and exists (select 1 from fees f where f.resident_id = r.id
      and f.paid_cents < f.amount_cents)
    order by r.id limit 1")
[ -n "$P" ] || die "no parent with a queue entry and a fee"
pcode=$(sql "select personal_code from residents where id = $P" | tr -d -)
given=$(sql "select given_name from residents where id = $P")
family=$(sql "select family_name from residents where id = $P")
child=$(sql "select child_given_name || ' ' || substr(child_family_name, 1, 1)
    || '.' from queue_entries where guardian_id = $P and status = 'active'
    order by id limit 1")

# The newest record's number, its text, the record holding a text.
newest() {
	ls rec | sed -n 's/^\([0-9]\{6\}\)\.txt$/\1/p' | tail -n 1
}
said_has() {
	grep -l -F -- "$1" rec/*.txt 2>/dev/null | head -n 1 | grep -q .
}
# said TEXT WHAT [SECONDS]: some record says TEXT.
said() {
	wait_for "${3:-15}" "$2 (said: '$1')" said_has "$1"
}
record_of() {
	grep -l -F -- "$1" rec/*.txt | tail -n 1 | sed 's/.*\/\([0-9]*\)\.txt/\1/'
}
wav_done() {
	[ -f "rec/$1.wav" ]
}
# The WAV's length in seconds (sox stat).
wav_seconds() {
	sox "rec/$1.wav" -n stat 2>&1 | awk '/^Length \(seconds\)/ { print $3 }'
}
# speech N WHAT: record N's audio is speech: at least 0.5 s long and its
# RMS amplitude over 0.01 (silence and clicks are below both).
speech() {
	wait_for 60 "$2: the audio of record $1" wav_done "$1"
	len=$(wav_seconds "$1")
	rms=$(sox "rec/$1.wav" -n stat 2>&1 | awk '/^RMS +amplitude/ { print $3 }')
	awk -v l="$len" -v r="$rms" 'BEGIN { exit !(l >= 0.5 && r > 0.01) }' ||
	    die "$2: record $1 is no speech: ${len}s, RMS $rms"
}

kiosk_start
pid=$(kiosk_pid)

# --- Welcome: the title, the choices with their keys, the legend.
said "Runa ieslēgta." "speech announced on the welcome screen"
said "Izvēlieties valodu:" "the welcome screen"
said "Latviešu: nospiediet 1." "the language choices"
said "Turpināt: nospiediet Enter." "the legend"
n=$(record_of "Izvēlieties valodu:")
speech "$n" "the welcome screen"
# Said as shown: the municipality's name is the screen's title.
screen_has "Dobeles novada pašvaldība" || die "no title on the screen"
grep -q -F "Dobeles novada pašvaldība." "rec/$n.txt" ||
    die "the title not said"

# --- The menu, and a key mid-utterance cuts it short.
keys Enter
wait_screen "Ko vēlaties darīt?" "the menu"
said "Maksājumi: nospiediet 2." "the menu's choices"
full=$(record_of "Maksājumi: nospiediet 2.")
speech "$full" "the menu"
keys .
wait_for 10 "the repeat" sh -c "[ \"\$(ls rec | grep -c 'txt$')\" -gt $full ]"
cut=$(newest)
grep -q -F "Maksājumi: nospiediet 2." "rec/$cut.txt" || die "the repeat"
sleep 1
keys 1
wait_screen "Ievadiet savu personas kodu" "identification"
wait_for 10 "the cut record's audio" wav_done "$cut"
awk -v c="$(wav_seconds "$cut")" -v f="$(wav_seconds "$full")" \
    'BEGIN { exit !(c < f / 2) }' ||
    die "a key did not cut the menu short: $(wav_seconds "$cut")s of $(wav_seconds "$full")s"

# --- Sign in: the code's digits are acknowledged, never said.
said "Ievadiet savu personas kodu" "the identification screen"
type_text "$pcode"
wait_screen "Ja šim personas kodam ir reģistrēts" "the code sent"
said "Ja šim personas kodam ir reģistrēts" "the code's screen"
code=$(sql "select text from outbox where resident_id = $P order by id desc
    limit 1" | grep -o '[0-9]\{6\}' | head -n 1)
[ -n "$code" ] || die "no one-time code in the outbox"
# One digit, and its neutral word, then the rest.
type_text "$(echo "$code" | cut -c1)"
said "ievadīts." "a neutral word for a digit"
type_text "$(echo "$code" | cut -c2-)"; keys Enter
wait_screen "$child" "the queue with the child"
said "$child" "the child's name"
said "vieta no " "the place in words"
q=$(record_of "$child")
speech "$q" "the queue"
# No name was said before the sign-in.
for f in rec/*.txt; do
	[ "$(basename "$f" .txt)" -lt "$q" ] || continue
	grep -q -F -e "$given" -e "$family" -e "$child" "$f" &&
	    die "$f: a name before the sign-in"
done
# The screen's "60. vieta no 90" is said as words, not figures.
grep -q "[0-9]\. vieta no [0-9]" "rec/$q.txt" &&
    die "the place said in figures: $(cat "rec/$q.txt")"

# --- Fees and the QR: amounts in words, IBAN and reference in fours.
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 2
wait_screen "Izvēlieties, ko maksāt" "the fee list"
said "eiro" "an amount in words"
keys 1
wait_screen "Skenējiet kodu ar savas bankas" "the payment code"
said "Skenējiet kodu ar savas bankas" "the QR's instructions"
said "L V astoņi deviņi, R I K O, nulle nulle divi trīs" "the IBAN in fours"
said "R F " "the reference in fours"
f=$(record_of "R I K O")
speech "$f" "the payment screen"
grep -q '[▀▄█]' "rec/$f.txt" && die "the QR's blocks were said"
grep -q '[0-9],[0-9][0-9] €' "rec/$f.txt" && die "an amount in figures"

# --- Topics.
keys 0 0 3
wait_screen "Paziņojumi īsziņās" "the topics screen"
said "Paziņojumi īsziņās" "the topics"
speech "$(record_of "Paziņojumi īsziņās")" "the topics"

# --- A report: '.' and '*' are text where text is typed.
keys 0 4
wait_screen "Par ko tas ir?" "the report categories"
said "Par ko tas ir?" "the categories"
keys 1
wait_screen "Ja ir tastatūra" "the report text"
type_text "Bedre. Dziļa*"
wait_screen "Bedre. Dziļa\*" "the dot and star as text"
keys Enter
wait_screen "Jūsu ziņojums saņemts" "the case number"
said "Jūsu ziņojums saņemts" "the report's result"
speech "$(record_of "Jūsu ziņojums saņemts")" "the report's result"

# --- Nothing of the codes in any record.
for f in rec/*.txt; do
	grep -q -F "$pcode" "$f" && die "$f: the personal code"
	grep -q -F "$(echo "$pcode" | cut -c1-6)" "$f" &&
	    die "$f: the personal code's date"
	grep -q -F "$code" "$f" && die "$f: the one-time code"
done
# What was said while the codes were typed has no digit at all.
grep -l -x "ievadīts\." rec/*.txt > typed.list || :
# (A key typed while the last is still said replaces it unsaid.)
[ -s typed.list ] || die "no acknowledgement of a digit"
while read -r f; do
	grep -q '[0-9]' "$f" && die "$f: a digit while a code was typed"
done < typed.list

# --- The idle warning counts down in words, then the welcome again.
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
# (Listening counts as use: the wait starts when the menu has been said.)
said "Vai jūs vēl esat šeit?" "the idle warning" $((IDLE + 40))
wait_screen "Izvēlieties valodu" "the welcome screen after the count" 40
w=$(newest)
wait_for 10 "the welcome said again" grep -q -F "Izvēlieties valodu:" \
    "rec/$(newest).txt"
grep -l -x "1[0-9]\." rec/*.txt > count.list || :
[ -s count.list ] || die "no countdown said"
grep -q -F "$child" "rec/$(newest).txt" && die "the child said after the reset"
: "$w"

# --- English: the same screens in English words.
keys 2
wait_screen "What would you like to do?" "the English menu"
said "Payments: press 2." "the English menu's choices"
speech "$(record_of "Payments: press 2.")" "the English menu"
keys 2
wait_screen "Type your personal code" "identification in English"
type_text "$pcode"
wait_screen "If this personal code has a mobile" "the code sent, in English"
code=$(sql "select text from outbox where resident_id = $P order by id desc
    limit 1" | grep -o '[0-9]\{6\}' | head -n 1)
type_text "$(echo "$code" | cut -c1)"
said "typed." "the English acknowledgement"
type_text "$(echo "$code" | cut -c2-)"; keys Enter
wait_screen "Choose a fee to pay" "the English fee list"
said "euros" "an amount in English words"
keys 1
wait_screen "IBAN" "the English payment code"
said "L V eight nine, R I K O, zero zero two three" "the IBAN in English"
speech "$(record_of "R I K O, zero")" "the English payment screen"
keys 0 0 1
wait_screen "$child" "the English queue"
said "place of " "the place in English words"
for f in rec/*.txt; do
	grep -q -F "$code" "$f" && die "$f: the English one-time code"
done
keys 0 0
wait_screen "Izvēlieties valodu" "the welcome screen"
kiosk_stop

# --- speech = key: silent until '*', which the visit's end undoes.
sed -i 's/^speech = on$/speech = key/' muni.conf
rm -f rec/*
kiosk_start
sleep 2
[ -z "$(newest)" ] || die "speech = key spoke before '*'"
screen_has "Atkārtot" && die "a silent kiosk's legend names the repeat key"
keys '*'
said "Runa ieslēgta." "'*' turns speech on"
said "Izvēlieties valodu:" "the welcome after '*'"
keys Enter
said "Maksājumi: nospiediet 2." "the menu with speech on"
# While it speaks, the legend states the repeat key (issue 20).
screen | tail -n 1 | grep -q '\. Atkārtot *$' ||
    die "the legend lacks the repeat key: $(screen | tail -n 1)"
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen after the end"
screen_has "Atkārtot" && die "the repeat key outlived the visit's speech"
sleep 2
n=$(ls rec | grep -c 'txt$')
keys Enter
wait_screen "Ko vēlaties darīt?" "the menu of the next visit"
sleep 2
expect_eq "records after the visit ended" "$(ls rec | grep -c 'txt$')" "$n"
# '/', '*', '-' still open staff mode: the '*' there is staff mode's.
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen"
type_text '/*-'
wait_screen "Darbinieku režīms" "staff mode"
sleep 2
expect_eq "records after the staff keys" "$(ls rec | grep -c 'txt$')" "$n"
kiosk_stop

# --- A record directory others may read: refused at start.
chmod 755 rec
"$MUNI_BIN/muni-kiosk" -c muni.conf < /dev/null > out 2> err &&
    die "started with an open record directory"
expect_grep "speech_record_dir" err
expect_grep "chmod 700" err
echo "speech: ok"
