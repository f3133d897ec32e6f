#!/bin/sh
# kiosk_lists: every kiosk list takes any length (issue 14), in a real tmux
# on a demo database (no gateway: the sign-in code is read from its outbox
# row). A resident with 1, 8, 9 and 30 topics reaches the last one with the
# page key and switches it off; staff with 1, 8, 9, 30 and 200 groups reach
# the last group, see its size, pick it, and the broadcast preview names
# it; an approver pages to the oldest of seven held broadcasts. The page keys are in the legend only where they work, the page is
# shown as "Lapa P no N", and a page key past either end or a number not on
# the page changes nothing. The dashboard pages its broadcasts and names
# their states in Latvian words.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/kiosklib.sh"

trap kiosk_stop EXIT
die() {
	kiosk_die "$*"
	exit 1
}

PER=8	# rows a page of the topics and the groups
hash=$(printf '4321\n' | "$MUNI_BIN/munictl" -c /dev/null staff pin 2>/dev/null)
write_conf
cat >> muni.conf <<EOF
[sms]
quiet_hours = none
[kiosk]
idle_timeout_s = 900
staff_pin_hash = $hash
EOF
export MUNI_LANG=lv
ctl init > /dev/null 2>&1
ctl demo --residents 300 --seed 3 > /dev/null 2>&1

pages_of() {
	echo $(( ($1 + PER - 1) / PER ))
}

# turn_to_last N: from page 1 of an N-row list to its last page, checking
# the legend and the page shown on the way.
turn_to_last() {
	_pages=$(pages_of "$1")
	if [ "$_pages" = 1 ]; then
		screen_lacks "Lapa " || die "a page shown for one page"
		screen_lacks "Vairāk" || die "a page key for one page"
		screen_lacks "Iepriekšējie" || die "a page key for one page"
		return 0
	fi
	screen_has "Lapa 1 no $_pages" || die "page 1 of $_pages not shown"
	screen_has "+ Vairāk" || die "no next-page key in the legend"
	screen_lacks "Iepriekšējie" || die "a previous-page key on page 1"
	# A page back from the first page does nothing.
	type_text -
	_p=1
	while [ "$_p" -lt "$_pages" ]; do
		type_text +
		_p=$((_p + 1))
	done
	wait_screen "Lapa $_pages no $_pages" "the last page"
	screen_has "- Iepriekšējie" || die "no previous-page key on the last page"
	screen_lacks "Vairāk" || die "a next-page key on the last page"
	# Past the end: still the last page.
	type_text +
	sleep 0.3
	screen_has "Lapa $_pages no $_pages" || die "turned past the last page"
}

# The number shown beside the last row of an N-row list.
last_no() {
	echo $(( ($1 - 1) % PER + 1 ))
}

# --- A resident's topics: 1, 8, 9, 30.
set_topics() {
	sql "delete from subscriptions; delete from topics;
	    with recursive c(i) as (select 1 union all select i + 1 from c
	    where i < $1 - 1)
	    insert into topics (code, name_lv, name_en, default_on, emergency)
	    select 't' || substr(CAST(100 + i AS TEXT), 2),
	    'Tēma ' || substr(CAST(100 + i AS TEXT), 2),
	    'Topic ' || substr(CAST(100 + i AS TEXT), 2), 0, 0
	    from c where $1 > 1;
	    insert into topics (code, name_lv, name_en, default_on, emergency)
	    values ('pedeja', 'Pēdējā tēma', 'The last topic', 1, 0)"
	expect_eq "topics" "$(sql "select count(*) from topics")" "$1"
}

R=$(sql "select id from residents where phone_kind = 0 order by id limit 1")
pcode=$(sql "select personal_code from residents where id = $R" | tr -d -)
last_on() {
	sql "select coalesce((select s.subscribed from subscriptions s
	    join topics t on t.id = s.topic_id where t.code = 'pedeja'
	    and s.resident_id = $R), 1)"
}

set_topics 1
kiosk_start
keys 1
wait_screen "Ko vēlaties darīt?" "the menu"
keys 3
wait_screen "Ievadiet savu personas kodu" "identification"
type_text "$pcode"
wait_screen "Ievadiet 6 ciparu kodu" "the code screen"
code=$(sql "select text from outbox where resident_id = $R order by id desc
    limit 1" | grep -o '[0-9]\{6\}' | head -n 1)
[ -n "$code" ] || die "no sign-in code in the outbox"
type_text "$code"; keys Enter
wait_screen "Paziņojumi īsziņās" "the topics screen"
for n in 1 8 9 30; do
	if [ "$n" != 1 ]; then
		set_topics "$n"
		keys 0
		wait_screen "Ko vēlaties darīt?" "the menu"
		keys 3
		wait_screen "Paziņojumi īsziņās" "the topics screen ($n)"
	fi
	turn_to_last "$n"
	no=$(last_no "$n")
	screen_has "$no  \[x\] Pēdējā tēma" ||
	    die "topic $n is not shown as $no on the last page"
	# A number beyond the page's last row changes nothing.
	if [ "$no" -lt "$PER" ]; then
		keys $((no + 1))
		sleep 0.3
		screen_has "Paziņojumi īsziņās" || die "a number off the page left"
		expect_eq "nothing toggled ($n)" "$(sql "select count(*)
		    from subscriptions where resident_id = $R")" 0
	fi
	keys "$no"
	wait_screen "Izslēgts: Pēdējā tēma" "topic $n switched off"
	expect_eq "topic $n off" "$(last_on)" 0
	screen_has "$no  \[ \] Pēdējā tēma" || die "topic $n still shown on"
	if [ "$(pages_of "$n")" -gt 1 ]; then
		# The page stays after the change; - goes back.
		screen_has "Lapa $(pages_of "$n") no $(pages_of "$n")" ||
		    die "the page changed with the topic"
		keys Up
		wait_screen "Lapa $(( $(pages_of "$n") - 1 )) no" "the previous page"
		screen_has "1  \[ \] Tēma " || die "the previous page's rows"
	fi
done
# Help on a list says how its pages turn; back is the same page.
keys 9
wait_screen "Garam sarakstam ir vairākas lapas" "the paging rule in help"
keys 0
wait_screen "Paziņojumi īsziņās" "the topics after help"
screen_has "Lapa 3 no 4" || die "help lost the topics' page"

# --- Nine fees, seven a page (two rows each): the ninth is 2 on page 2.
phone=$(sql "select phone from residents where id = $R")
sql "delete from fees where resident_id in (select id from residents
    where phone = '$phone');
    with recursive c(i) as (select 1 union all select i + 1 from c
    where i < 9)
    insert into fees (resident_id, kind, period, amount_cents, due_date,
    updated_at) select $R, 'nin', 'P' || substr(CAST(100 + i AS TEXT), 2), 1000 + i,
    '2027-' || substr(CAST(100 + i AS TEXT), 2) || '-01', 0 from c"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 2
wait_screen "Izvēlieties, ko maksāt:" "the fees"
screen_has "Lapa 1 no 2" || die "the fees' page not shown"
screen_has "7  .* P07" || die "fee 7 not on page 1"
screen_lacks "P08" || die "fee 8 on page 1"
keys 8
sleep 0.3
screen_has "Izvēlieties, ko maksāt:" || die "8 left the fees"
keys Down
wait_screen "Lapa 2 no 2" "the fees' page 2"
screen_has "2  .* P09" || die "fee 9 not shown as 2 on page 2"
keys 2
wait_screen "Skenējiet kodu" "the ninth fee's code"
screen_has "P09" || die "not the ninth fee's code"
keys 0
wait_screen "Lapa 2 no 2" "back on the fees' page 2"

# --- Four children in the queue, three a page: the fourth on page 2.
sql "delete from queue_entries where guardian_id in (select id from residents
    where phone = '$phone');
    with recursive c(i) as (select 1 union all select i + 1 from c
    where i < 4)
    insert into queue_entries (child_code, child_given_name,
    child_family_name, guardian_id, institution_id, registered_at,
    desired_start, updated_at) select '2001' || substr(CAST(100 + i AS TEXT), 2) || '-00000',
    'Bērns' || CAST(i AS TEXT), 'Testa', $R, (select min(id) from institutions),
    '2026-01-01 10:00:00', '2027-09', 0 from c"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 1
wait_screen "Jūsu bērni bērnudārza rindā" "the queue"
screen_has "Lapa 1 no 2" || die "the queue's page not shown"
screen_has "Bērns3" || die "child 3 not on page 1"
screen_lacks "Bērns4" || die "child 4 on page 1"
type_text +
wait_screen "Bērns4" "the fourth child on page 2"
screen_has "Lapa 2 no 2" || die "the queue's page 2 not shown"
screen_lacks "Bērns1" || die "child 1 on page 2"
keys 0
wait_screen "Ko vēlaties darīt?" "the menu"
keys 0
wait_screen "Izvēlieties valodu" "the welcome screen"

# --- Staff's groups: 1, 8, 9, 30, 200; the last, zz-pedeja, is real.
set_groups() {
	sql "delete from groups;
	    with recursive c(i) as (select 1 union all select i + 1 from c
	    where i < $1 - 1)
	    insert into groups (name, kind, rule, created_by, created_at)
	    select 'g' || substr(CAST(1000 + i AS TEXT), 2), 'rule',
	    'has_mobile', 'test', 0
	    from c where $1 > 1"
	ctl group add zz-pedeja --rule "has_mobile" > /dev/null
	expect_eq "groups" "$(sql "select count(*) from groups")" "$1"
}
type_text '/*-'
wait_screen "Ievadiet darbinieku PIN" "the staff PIN screen"
type_text 4321; keys Enter
wait_screen "1  Jauns apziņojums" "the staff menu"
for n in 1 8 9 30 200; do
	set_groups "$n"
	size=$(ctl group show zz-pedeja | sed -n 's/^members=//p')
	keys 1
	wait_screen "Jauns apziņojums: grupa" "the groups ($n)"
	turn_to_last "$n"
	no=$(last_no "$n")
	wait_screen "$no  zz-pedeja · $size dalībnieki" "the last group ($n)"
	if [ "$no" -lt "$PER" ]; then
		keys $((no + 1))
		sleep 0.3
		screen_has "Jauns apziņojums: grupa" ||
		    die "a number off the page left the groups"
	fi
	# 9 is no row.
	keys 9
	sleep 0.3
	screen_has "Jauns apziņojums: grupa" || die "9 left the groups"
	keys "$no"
	wait_screen "Jauns apziņojums: tēma" "the topics after group $n"
	keys 1
	wait_screen "Grupa: zz-pedeja" "the text screen names group $n"
	type_text "Pārbaude $n"
	wait_screen "Saņēmēji: " "the preview for group $n"
	[ "$n" = 200 ] && break
	keys Left
	wait_screen "Jauns apziņojums: tēma" "the topics"
	keys 0
	wait_screen "Jauns apziņojums: grupa" "the groups"
	keys 0
	wait_screen "1  Jauns apziņojums" "the staff menu"
done

# --- The dashboard: states in words, pages of broadcasts.
sql "update topics set default_on = 1"	# t01 was nobody's
keys Enter
wait_screen "Sūtīt šo apziņojumu?" "the confirmation"
keys 1
wait_screen "Pēdējo apziņojumu piegāde" "the dashboard"
state=$(sql "select state from broadcasts")
case $state in
scheduled) word=ieplānots;;
awaiting_approval) word="gaida apstiprinājumu";;
*) die "broadcast state '$state'";;
esac
wait_screen "zz-pedeja · t01 · $word" "the state in words"
screen_lacks "scheduled" || die "a state code on the dashboard"
for i in 1 2 3 4 5 6; do
	ctl broadcast send --group zz-pedeja --topic t01 --text "Nr $i" \
	    --yes > /dev/null 2>&1
done
expect_eq "broadcasts" "$(sql "select count(*) from broadcasts")" 7
wait_screen "Lapa 1 no 2" "the dashboard's pages"
first=$(sql "select min(id) from broadcasts")
screen_lacks "#$first " || die "the oldest broadcast on page 1"
screen_has "+ Vairāk" || die "no next-page key on the dashboard"
type_text +
wait_screen "Lapa 2 no 2" "the dashboard's page 2"
wait_screen "#$first zz-pedeja" "the oldest broadcast on page 2"
screen_lacks "awaiting_approval" || die "a state code on the dashboard"
screen_lacks "scheduled" || die "a state code on the dashboard"
type_text -
wait_screen "Lapa 1 no 2" "the dashboard's page 1 again"
keys 0
wait_screen "8  Izslēgt kiosku" "the staff menu"
keys 8
wait_screen "Izslēgt kiosku?" "the shut-down question"
keys 1
wait_for 20 "the kiosk to end" kiosk_ended

# --- Seven broadcasts awaiting approval, five a page: the oldest is 2 on
# page 2, and approving it leaves the rest in place.
grep -v '^staff_pin_hash' muni.conf > m && mv m muni.conf
printf '[broadcast]\napproval_threshold = 5\n' >> muni.conf
ctl staff add anna --role admin --unix root > /dev/null
ctl staff add janis --role approver --display "Jānis Bērziņš" > /dev/null
printf '518274\n518274\n' | ctl staff pin janis > /dev/null
jid=$(sql "select id from staff where name = 'janis'")
for i in 1 2 3 4 5 6 7; do
	ctl broadcast send --group zz-pedeja --topic t01 --text "Gaida $i" \
	    --yes > /dev/null 2>&1
done
held=$(sql "select id from broadcasts where state = 'awaiting_approval'
    order by id")
expect_eq "held" "$(echo "$held" | wc -l)" 7
oldest=$(echo "$held" | head -n 1)
second=$(echo "$held" | sed -n 2p)
kiosk_stop
kiosk_start
type_text '/*-'
wait_screen "Ievadiet savu darbinieka numuru" "the staff number screen"
type_text "$jid"; keys Enter
wait_screen "Darbinieka numurs $jid" "the PIN screen"
type_text 518274; keys Enter
wait_screen "Jānis Bērziņš ($jid)" "janis signed in"
keys 3
wait_screen "Apziņojumi, kas gaida apstiprinājumu" "the approval list"
screen_has "Lapa 1 no 2" || die "the approvals' page not shown"
screen_has "1-5 Apstiprināt" || die "the approvals' numbers in the legend"
screen_lacks "#$oldest " || die "the oldest on page 1"
type_text +
wait_screen "2  #$oldest zz-pedeja" "the oldest as 2 on page 2"
screen_has "1-2 Apstiprināt" || die "page 2's numbers in the legend"
keys 3
sleep 0.3
expect_eq "3 is not on page 2" "$(sql "select count(*) from broadcasts
    where state = 'awaiting_approval'")" 7
keys 2
wait_screen "Apziņojums $oldest apstiprināts" "the oldest approved"
expect_eq "approved" "$(sql "select state from broadcasts where id = $oldest")" \
    scheduled
screen_has "1  #$second zz-pedeja" || die "page 2 after the approval"
screen_has "Lapa 2 no 2" || die "the page after the approval"
keys 0
wait_screen "8  Izslēgt kiosku" "the staff menu"
keys 8
wait_screen "Izslēgt kiosku?" "the shut-down question"
keys 1
wait_for 20 "the kiosk to end" kiosk_ended
echo "kiosk_lists: topics 1-30 and groups 1-200 reached, chosen and paged"
