#!/bin/sh
# card_kiosk: the resident card and the cases filed at the kiosk (issue 21),
# in a real tmux on a small demo database (no gateway: the sign-in code is
# read from its outbox row). After sign-in, "5 Atlaides" lists the offers
# the resident is entitled to, her own territory's merchant first, each
# with its address and validity, four a page: the page keys reach the
# last page and no further, digits and other keys change nothing, help
# says how pages turn. "6 Mani iesniegumi" lists her own cases, newest
# first, with the status in Latvian words and the day of its last change;
# another resident's case is never shown. Both screens are spoken once
# '*' turns speech on. No personal code on a screen or in what is said.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

trap kiosk_stop EXIT
die() {
	kiosk_die "$*"
	exit 1
}

write_conf
mkdir -m 700 rec
cat >> muni.conf <<EOF
[sms]
quiet_hours = none
[kiosk]
idle_timeout_s = 900
speech_record_dir = $PWD/rec
speech_rate = 300
EOF
chmod 600 muni.conf
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
ctl demo --residents 60 --seed 3 > /dev/null 2>&1

R=$(sql "select r.id from residents r where r.phone_kind = 0 and
    r.territory is not null and r.territory <> '' and (select count(*)
    from residents r2 where r2.phone = r.phone) = 1 order by r.id limit 1")
[ -n "$R" ] || die "no resident with a mobile and a territory"
S=$(sql "select id from residents where id <> $R order by id limit 1")
pcode=$(sql "select personal_code from residents where id = $R" | tr -d -)
terr=$(sql "select territory from residents where id = $R")
ctl group add visi --rule 'age >= 0' > /dev/null

# Eleven merchants elsewhere, one in her territory (last by name), each
# with an offer for everybody; hers ends in 2099.
i=1
while [ $i -le 11 ]; do
	n=$(printf '%02d' $i)
	ctl merchant add "Veikals $n" --phone "+371288880$n" \
	    --territory "Citur $n" --address "Ielas iela $i" > /dev/null
	ctl offer add --merchant "Veikals $n" --group visi \
	    --text "$i% atlaide" > /dev/null
	i=$((i + 1))
done
ctl merchant add "Žagatas aptieka" --phone "+37128888099" \
    --territory "$terr" --address "Centra iela 1" > /dev/null
ctl offer add --merchant "Žagatas aptieka" --group visi \
    --text "15% zālēm" --to 2099-12-31 > /dev/null

# Her two cases, another resident's one; the newest moved on by staff.
# (The times from the shell: strftime is SQLite's alone.)
now=$(date +%s)
sql "insert into reports (case_no, kind, resident_id, phone, channel, text,
    status, created_at) values
    ('P-2026-000101', 'police', $R, null, 'kiosk', 'Salauzts sols', 'new',
     $((now - 86400))),
    ('I-2026-000102', 'application', $R, null, 'sms', 'Laterna', 'new',
     $((now - 3600))),
    ('I-2026-000103', 'application', $S, null, 'sms', 'Cits', 'new',
     $now)"
ctl case set I-2026-000102 in_progress --as "Anna B." > /dev/null
today=$(date +%d.%m.%Y)
yesterday=$(date -d '1 day ago' +%d.%m.%Y)

kiosk_start
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"
screen_has "5  Atlaides" || die "no Atlaides in the menu"
screen_has "6  Mani iesniegumi" || die "no Mani iesniegumi in the menu"
keys 5
wait_screen "Ievadiet savu personas kodu" "identification first"
type_text "$pcode"
wait_screen "Ievadiet 6 ciparu kodu" "the code screen"
code=$(sql "select text from outbox where resident_id = $R order by id desc
    limit 1" | grep -o '[0-9]\{6\}' | head -n 1)
[ -n "$code" ] || die "no sign-in code in the outbox"
type_text "$code"; keys Enter

# --- Atlaides: nearest first, address and validity, three pages of four.
wait_screen "Jūsu atlaides pie sadarbības partneriem" "the offers"
screen | grep -n "Žagatas aptieka\|Veikals 01" | head -n 1 |
    grep -q "Žagatas" || die "her territory's merchant not first"
screen_has "Centra iela 1, $terr" || die "no address and territory"
screen_has "15% zālēm. Derīga no .* līdz 31.12.2099" || die "no validity"
screen_has "1% atlaide. Derīga no " || die "no validity of an open offer"
screen_has "Lapa 1 no 3" || die "not page 1 of 3"
screen_lacks "Veikals 04" || die "five offers on a page"
# Digits and other keys on a list to look at change nothing.
for k in 1 5 8 a '*'; do
	keys "$k"
	sleep 0.2
	screen_has "Lapa 1 no 3" || die "key '$k' left page 1"
	screen_has "Žagatas aptieka" || die "key '$k' changed the page"
done
# '*' (pressed above) turned speech on: the page is said.
said_has() {
	grep -l -F -- "$1" rec/*.txt 2>/dev/null | head -n 1 | grep -q .
}
wait_for 15 "the offers said" said_has "Žagatas aptieka"
said_has "Centra iela 1" || die "the address not said"
type_text -
sleep 0.2
screen_has "Lapa 1 no 3" || die "a page back from the first"
type_text +
wait_screen "Lapa 2 no 3" "page 2"
screen_has "Veikals 04" || die "page 2 lacks Veikals 04"
screen_lacks "Žagatas aptieka" || die "page 1 still shown"
keys Down
wait_screen "Lapa 3 no 3" "page 3"
screen_has "Veikals 11" || die "the last offer not on the last page"
screen_has "Ielas iela 11, Citur 11" || die "the last offer's address"
type_text +
sleep 0.2
screen_has "Lapa 3 no 3" || die "turned past the last page"
keys 9
wait_screen "Garam sarakstam ir vairākas lapas" "the paging rule in help"
screen_has "KARTE" || die "help does not name KARTE"
keys 0
wait_screen "Lapa 3 no 3" "back from help on the same page"
screen | grep -q "$(sql "select personal_code from residents where id = $R")" &&
    die "a personal code on the screen"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu from the offers"

# --- Mani iesniegumi: hers, newest first, in words; not the other's.
keys 6
wait_screen "Mani iesniegumi" "my cases"
screen_has "I-2026-000102 *tiek izskatīts, kopš $today" ||
    die "the newest case, in progress since today"
screen_has "P-2026-000101 *jauns, kopš $yesterday" ||
    die "the older case, new since yesterday"
screen | grep -n "I-2026-000102\|P-2026-000101" | head -n 1 |
    grep -q "I-2026-000102" || die "not newest first"
screen_lacks "I-2026-000103" || die "another resident's case shown"
wait_for 15 "my cases said" said_has "tiek izskatīts"
screen_lacks "Lapa " || die "a page shown for one page"
keys 3
sleep 0.2
screen_has "Mani iesniegumi" || die "a digit left the list"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu from my cases"
expect_eq "audited views" "$(sql "select count(*) from audit_log where
    action in ('view discounts', 'view cases')")" 2
expect_no_grep "$(sql "select personal_code from residents where id = $R")" \
    kiosk.err
cat rec/*.txt > said.txt
expect_no_grep "$(sql "select personal_code from residents where id = $R")" \
    said.txt
expect_no_grep "I-2026-000103" said.txt
keys 0
wait_screen "Izvēlieties valodu" "the visit ended"
echo "card_kiosk: offers paged with address and validity, my cases, privacy"
