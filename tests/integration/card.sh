#!/bin/sh
# card: the resident card (issue 21) through munictl, muni-smsgw and the
# SMSC simulator. Staff add merchants and offers (each bad input a clear
# error that changes nothing, each change audited); a senior asks
# ATLAIDES and gets her offers, her territory first; KARTE sends a code by
# its own SMS whose outbox text is wiped once sent; the cashier's
# PĀRBAUDE answers with the offer and "Anna B." only, once a day; a
# stranger's phone hears "not registered" whatever the code; wrong codes
# lock the merchant phone; munictl report counts the checks; no personal
# code and no card code reaches the gateway's log. STATUSS tells the
# resident who filed a case its status and when it changed, anybody else
# (another resident, a stranger) the same as for a number never given
# out; ATLAIDES past two segments sends to *505#, whose item 4 pages
# through every offer and item 5 lists the resident's own cases.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

ANNA=+37120000001
JANIS=+37120000002
SHOP=+37129999991
SHOP2=+37129999992
STRANGER=+37129999999

sim_start -r 20 -e 0
hport=$(free_port)
{ gw_conf_head 50 1000; cat <<CONF
[sms]
quiet_hours = none
[services]
replies_per_hour = 1000
[http]
listen = 127.0.0.1:$hport
CONF
} > muni.conf
chmod 600 muni.conf
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
sql "insert into residents (personal_code, given_name, family_name, phone,
    phone_kind, lang, territory, birth_date, updated_at) values
    ('161175-19997', 'Anna', 'Bērziņa', '$ANNA', 0, 'lv', 'Auru pagasts',
     '1950-03-01', 0),
    ('010186-10002', 'Jānis', 'Kalniņš', '$JANIS', 0, 'en', 'Dobele',
     '1986-01-01', 0)"
ctl group add seniori --rule 'age >= 65' > /dev/null

# Merchants, and what a bad one gets.
ctl merchant add "Veikals Aurē" --phone "29999991" --territory "Auru pagasts" \
    --address "Centra iela 1" > out
expect_grep '^merchant=Veikals Aurē$' out
ctl merchant add "Aptieka Dobelē" --phone "+371 2999 9992" --territory Dobele > out
# the offers' topic came with the first merchant, off by default
ctl topic list > topics
expect_grep '^topic=atlaides default=off ' topics
bad() {	# bad WHAT PATTERN munictl-args...: fails, says PATTERN, writes nothing
	what=$1 pat=$2; shift 2
	before=$(sql "select (select count(*) from merchants) || '/' ||
	    (select count(*) from merchant_phones) || '/' ||
	    (select count(*) from offers) || '/' || (select count(*) from audit_log)")
	if ctl "$@" > out 2> err; then fail "$what: accepted"; fi
	expect_grep "$pat" err "$what"
	expect_eq "$what: nothing written" "$(sql "select (select count(*) from
	    merchants) || '/' || (select count(*) from merchant_phones) || '/' ||
	    (select count(*) from offers) || '/' || (select count(*) from
	    audit_log)")" "$before"
}
bad "a landline" "63700000" merchant add Aptieka2 --phone 63700000
bad "not a phone" "12ab" merchant add Aptieka2 --phone 12ab
bad "a taken phone" "Veikals Aurē" merchant add Aptieka2 --phone 29999991
bad "a taken name" "Veikals Aurē" merchant add "Veikals Aurē" --phone 29999993
bad "an unknown merchant" "Veikals Aurē" offer add --merchant "Veikals Aure" \
    --group seniori --text "10% atlaide"
bad "an unknown group" "senior" offer add --merchant "Veikals Aurē" \
    --group senior --text "10% atlaide"
bad "a bad date" "2026-02-30" offer add --merchant "Veikals Aurē" \
    --group seniori --text "10% atlaide" --from 2026-02-30

# CSV: all or nothing, errors at FILE:LINE:COLUMN.
printf 'name;phones;territory\nElvi;29999993;Dobele\nRimi;63700000;Dobele\n' > m.csv
bad "a CSV with a landline" "m.csv:3:2: " merchant import m.csv
printf 'name;phones;territory\nElvi;29999993;Dobele\n' > m.csv
ctl merchant import m.csv > out
expect_grep '^merchants=1$' out

ctl offer add --merchant "Veikals Aurē" --group seniori --text "10% atlaide" \
    --text-en "10% off" > out
expect_grep '^offer=1$' out
ctl offer add --merchant "Aptieka Dobelē" --group seniori --text "15% zālēm" > out
bad "overlapping days" "piedāvājums 1 " offer add --merchant "Veikals Aurē" \
    --group seniori --text "5% atlaide"
ctl offer list > list
expect_grep '^offer=1 state=live from=.* to=-	Veikals Aurē / seniori / 10% atlaide / 10% off$' list
expect_grep '^offers=2$' list
ctl merchant list > list
expect_grep '^merchant=1 active=1 offers=1 phones=+37129999991	Veikals Aurē / Auru pagasts / Centra iela 1$' list
expect_eq "audit rows" "$(sql "select count(*) from audit_log where action in
    ('merchant add', 'merchant import', 'offer add')")" 5

gw_start

# ATLAIDES: Anna's offers, her territory first; Jānis (40) has none.
mo $ANNA "ATLAIDĒS"
expect_eq "ATLAIDES" "$(cat reply.txt)" \
    "Jūsu atlaides:\\nVeikals Aurē: 10% atlaide\\nAptieka Dobelē: 15% zālēm"
mo $JANIS "discounts"
expect_eq "DISCOUNTS" "$(cat reply.txt)" \
    "No discounts for you at partner merchants now."
mo $STRANGER "atlaides"
expect_grep "nav reģistrēts" reply.txt

# KARTE: the code alone, by a secret SMS wiped once sent.
mo $ANNA "karte"
expect_grep "^Dobeles novada pašvaldības kartes kods: [0-9]\{6\}\. Derīgs 10 min\.$" reply.txt
expect_eq "the code in one segment" "$(wc -l < reply.log)" 1
code=$(sed 's/.*kods: \([0-9]\{6\}\).*/\1/' reply.txt)
wait_for 10 "the code's text wiped" sh -c \
    "[ \"\$(sqlite3 muni.db \"select count(*) from outbox where secret = 1
    and text like '%$code%'\")\" = 0 ]"

# PĀRBAUDE from the shop: valid, once; a stranger learns nothing.
mo $SHOP "PĀRBAUDE $code"
expect_eq "PARBAUDE" "$(cat reply.txt)" "Derīgs (Anna B.). Atlaide: 10% atlaide"
mo $SHOP "parbaude $code"
expect_eq "PARBAUDE again" "$(cat reply.txt)" "Šis kods šodien šeit jau pārbaudīts."
mo $STRANGER "PARBAUDE $code"
cp reply.txt stranger_right
expect_eq "a stranger" "$(cat reply.txt)" \
    "Šis numurs nav reģistrēts kā tirgotāja tālrunis."
mo $STRANGER "PARBAUDE 000000"
cmp -s reply.txt stranger_right || fail "a stranger's wrong code answered otherwise"
mo $SHOP2 "PARBAUDE 12a456"
expect_grep "Sūtiet PĀRBAUDE un klienta 6 ciparu kodu" reply.txt
wrong=$(echo "$code" | awk '{ printf "%06d", ($1 + 1) % 1000000 }')
mo $SHOP2 "CHECK $wrong"
expect_grep "Nepareizs kods. Vēl 2 nepareizi kodi" reply.txt
mo $SHOP2 "CHECK $wrong"
mo $SHOP2 "CHECK $wrong"
expect_grep "Pārāk daudz nepareizu kodu" reply.txt
mo $SHOP2 "CHECK $code"
expect_grep "Pārāk daudz nepareizu kodu" reply.txt

# Every check stored (no resident in it), and counted in the report.
expect_eq "checks" "$(sql "select group_concat(result, ',') from
    (select result from card_checks order by id)")" \
    "valid,used,wrong,wrong,locked,locked"
ctl report --raw > report
expect_grep '^merchants=3 offers=2 card_checks=6 card_valid=1 card_checks_24h=6$' report

# STATUSS: the resident who filed the case hears its status and the day
# of its last change; anybody else what a number never given out gets.
mo $ANNA "POLICIJA Salauzts sols parkā"
case_no=$(sed -n 's/.*lieta \([PI]-[0-9]\{4\}-[0-9]\{6\}\).*/\1/p' reply.txt)
[ -n "$case_no" ] || fail "no case number in: $(cat reply.txt)"
today=$(date +%d.%m.%Y)
mo $ANNA "STATUSS $case_no"
expect_eq "STATUSS" "$(cat reply.txt)" \
    "Lietas $case_no statuss: jauns, kopš $today."
# Staff's change tells her by an SMS of its own (topic iesniegumi; no
# quiet hours here), which must be out before her next question.
m=$(log_mark)
ctl case set "$case_no" in_progress > case_set.out
expect_grep "sms=queued" case_set.out
wait_for 10 "the case's SMS to Anna sent" outbox_settled "$ANNA"
expect_eq "the case's SMS" "$(text_to "$m" "$ANNA")" \
    "Jūsu lieta $case_no tiek izskatīta."
lower=$(echo "$case_no" | tr P p)
mo $ANNA "statuss: $lower"
expect_eq "STATUSS after a change" "$(cat reply.txt)" \
    "Lietas $case_no statuss: tiek izskatīts, kopš $today."
mo $JANIS "STATUS $case_no"
expect_eq "another resident" "$(cat reply.txt)" \
    "No case $case_no of yours was found. Check the number."
mo $JANIS "STATUS P-2026-999999"
expect_eq "an unknown case" "$(cat reply.txt)" \
    "No case P-2026-999999 of yours was found. Check the number."
mo $STRANGER "STATUSS $case_no"
sed "s/$case_no/X/" reply.txt > stranger_case
mo $STRANGER "STATUSS P-2026-999999"
sed "s/P-2026-999999/X/" reply.txt > stranger_none
cmp -s stranger_case stranger_none || fail "a stranger told a case from none"
expect_eq "a stranger" "$(cat stranger_case)" \
    "Jūsu lieta X netika atrasta. Pārbaudiet numuru."
mo $ANNA "STATUSS 12345"
expect_eq "malformed" "$(cat reply.txt)" \
    "Sūtiet STATUSS un lietas numuru, piem., STATUSS P-2026-000123."

# Many offers: ATLAIDES keeps to two segments and sends to *505#, where
# item 4 pages through them all; item 5 is her case.
i=1
while [ $i -le 14 ]; do
	n=$(printf '%02d' $i)
	ctl merchant add "Tirgotājs numur $n" --phone "+371277770$n" \
	    --territory Dobele > /dev/null
	ctl offer add --merchant "Tirgotājs numur $n" --group seniori \
	    --text "Atlaide $n procenti visam" > /dev/null
	i=$((i + 1))
done
mo $ANNA "ATLAIDES"
expect_eq "two segments at most" "$(wc -l < reply.log)" 2
expect_eq "the tail" "$(tail -c 22 reply.txt)" "Vairāk: zvaniet *505#"
ussd_screen() {
	sed -e 's/.* text=//' -e 's/\\n/\n/g' ussd.txt > screen.txt
}
ussd_step $ANNA '*505#'
ussd_screen
expect_grep "^4 Atlaides$" screen.txt
ussd_step $ANNA 4
ussd_screen
expect_grep "^Veikals Aurē: 10% atlaide$" screen.txt
: > seen
pages=1
while :; do
	grep ': ' screen.txt >> seen || :
	grep -qx "9 Vēl" screen.txt || break
	pages=$((pages + 1))
	[ $pages -le 20 ] || fail "no end to the offers"
	ussd_step $ANNA 9
	ussd_screen
done
[ $pages -gt 2 ] || fail "16 offers on $pages USSD screens"
expect_eq "every offer once" "$(sort -u seen | wc -l) $(wc -l < seen)" "16 16"
expect_grep "^Tirgotājs numur 14: Atlaide 14 procenti visam$" seen
ussd_step $ANNA 7
ussd_screen
expect_grep "^Nepareiza izvēle.$" screen.txt
ussd_step $ANNA 00
ussd_step $ANNA 5
ussd_screen
expect_grep "^$case_no: tiek izskatīts, $today$" screen.txt
ussd_step $JANIS '*505#'
ussd_step $JANIS 5
ussd_screen
expect_grep "^You have filed no reports or applications.$" screen.txt
expect_no_grep "$case_no" screen.txt
ussd_step $STRANGER '*505#'
ussd_screen
expect_grep "nav reģistrēts" screen.txt

# No personal code and no card code in the gateway's log.
expect_no_grep "161175" gw.err
expect_no_grep "$code" gw.err
gw_stop
echo "card: merchants, offers, ATLAIDES, KARTE, PĀRBAUDE, STATUSS and the USSD offers checked"
