#!/bin/sh
# keywords: every SMS keyword through muni-smsgw and muni-smscsim on a demo
# database, each in capitals, in lower case, with and without diacritics
# and by its English alias, the reply read back from the simulator's
# submit log and checked against the database: RINDA's positions against a
# window query (also for a sample of 25 parents), MAKSA's fees and total,
# TEMAS's topics with their state, START and STOP of a topic toggling the
# subscription row, STOP alone, POLICIJA and IESNIEGUMS with case numbers
# that match the reports table (a personal code typed into a report stays
# off the duty officer's SMS and out of the log) and staff working them
# with munictl case, PALĪDZĪBA/HELP/?, the
# short help for anything else, and English for a resident whose language
# is English. Every reply goes in the fewest segments its text allows.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
DUTY=+37129990002
. "$MUNI_TOP/tests/integration/gwlib.sh"

# min_segments FILE: "dcs segments" of the fewest SMS the escaped text in
# FILE fits in: GSM-7 (dcs 0) when every character is in GSM 03.38, 160
# septets alone or 153 per part (an escape pair never split), else UCS-2
# (dcs 8), 70 units alone or 67 per part (a surrogate pair never split).
min_segments() {
	perl -CSD -Mutf8 -e '
	my $t = do { local $/; <STDIN> };
	$t =~ s/\\(.)/$1 eq "n" ? "\n" : $1 eq "r" ? "\r" : $1/ge;
	my $basic = "\@£\$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'"'"'()*+,-./" .
	    "0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿" .
	    "abcdefghijklmnopqrstuvwxyzäöñüà";
	my $ext = "^{}\\[~]|€\f";
	my @w; my $gsm = 1;
	for my $c (split //, $t) {
		if (index($basic, $c) >= 0) { push @w, 1 }
		elsif (index($ext, $c) >= 0) { push @w, 2 }
		else { $gsm = 0; last }
	}
	my ($one, $part);
	if ($gsm) { ($one, $part) = (160, 153) }
	else {
		@w = map { ord($_) > 0xffff ? 2 : 1 } split //, $t;
		($one, $part) = (70, 67);
	}
	my $sum = 0; $sum += $_ for @w;
	my $n = 1;
	if ($sum > $one) {
		my $fill = 0;
		for (@w) {
			if ($fill + $_ > $part) { $n++; $fill = 0 }
			$fill += $_;
		}
	}
	print $gsm ? 0 : 8, " $n\n";
	' < "$1"
}

# check_reply WHAT: the reply in reply.txt went in as few segments, and in
# the encoding, its text needs.
check_reply() {
	[ -s reply.txt ] || die "$1: no reply"
	want=$(min_segments reply.txt)
	got="$(sed -n '1s/.* dcs=\([0-9]*\) .*/\1/p' reply.log) $(wc -l < reply.log)"
	[ "$got" = "$want" ] ||
	    die "$1: dcs and segments '$got', want '$want': $(cat reply.txt)"
	checked=$((checked + 1))
}

# ask FROM TEXT WHAT: mo, then check_reply.
ask() {
	mo "$1" "$2"
	check_reply "$3 ('$2')"
}

# same_as FILE WHAT: the reply is the one in FILE.
same_as() {
	cmp -s reply.txt "$1" || die "$2: '$(cat reply.txt)', want '$(cat "$1")'"
}

# A phone only this resident has: sql condition on r.
UNIQUE="r.phone_kind = 0 and (select count(*) from residents r2 where
    r2.phone = r.phone) = 1"

sim_start -r 20 -e 0
hport=$(free_port)
{ gw_conf_head 50 1000; cat <<EOF
[sms]
quiet_hours = none
[services]
police_duty_numbers = $DUTY
replies_per_hour = 1000
[http]
listen = 127.0.0.1:$hport
EOF
} > muni.conf
chmod 600 muni.conf
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
ctl demo --residents 3000 --seed 23 > /dev/null 2>&1
gw_start
checked=0

# The expected queue lines of resident $1, as the Latvian SMS says them:
# a window over the whole queue, shared with nothing in common/services.
# Latvian forms in SQL: months 09.2027, dates 16.11.2026, amounts 37,50 €
# and quarters "2026. g. 4. ceturksnis".
lv_month() { echo "(substr($1, 6, 2) || '.' || substr($1, 1, 4))"; }
lv_date() { echo "strftime('%d.%m.%Y', $1)"; }
lv_eur() { echo "(printf('%d,%02d', ($1) / 100, ($1) % 100) || ' €')"; }
lv_period() {
	echo "(case when $1 glob '[0-9][0-9][0-9][0-9]-Q[1-4]' then
	    substr($1, 1, 4) || '. g. ' || substr($1, 7, 1) || '. ceturksnis'
	    else $1 end)"
}

want_queue() {
	sql "with ranked as (select id, guardian_id, child_given_name g,
	    substr(child_family_name, 1, 1) f, institution_id, desired_start,
	    row_number() over (partition by institution_id,
	    substr(desired_start, 1, 4) order by priority desc, registered_at,
	    id) pos, count(*) over (partition by institution_id,
	    substr(desired_start, 1, 4)) tot
	    from queue_entries where status = 'active')
	    select k.g || ' ' || k.f || '.: ' || i.name || ' (' ||
	    $(lv_month k.desired_start) || '): ' || k.pos || '. vieta no ' ||
	    k.tot
	    from ranked k join institutions i on i.id = k.institution_id
	    where k.guardian_id = $1 order by k.id"
}

# --- The resident: Latvian, a child in a queue, unpaid fees (three at
# most, so the whole list fits the reply).
phase "The resident"
who=$(sql "select r.id from residents r where $UNIQUE and r.lang = 'lv' and
    exists (select 1 from queue_entries q where q.guardian_id = r.id and
    q.status = 'active') and (select count(*) from fees f where
    f.resident_id = r.id and f.paid_cents < f.amount_cents) between 1 and 3
    order by r.id limit 1")
[ -n "$who" ] || die "no resident with a child in a queue and fees"
ph=$(sql "select phone from residents where id = $who")

# --- RINDA, rinda, Rinda!, " rinda.", QUEUE, queue: the positions.
phase "RINDA"
want_queue "$who" > want_q
[ -s want_q ] || die "no queue entries for $who"
ask "$ph" RINDA RINDA
while IFS= read -r line; do
	grep -qF -- "$line" reply.txt || die "RINDA lacks '$line': $(cat reply.txt)"
done < want_q
expect_eq "RINDA lines" "$(tr -cd '\n' < reply.txt | wc -c)" \
    "$(($(wc -l < want_q) - 1))"
cp reply.txt rinda.txt
for kw in rinda "Rinda!" " rinda." QUEUE queue; do
	ask "$ph" "$kw" RINDA
	same_as rinda.txt "$kw"
done

# --- MAKSA and its aliases: every unpaid fee with its amount, due date
# and reference, the total, the IBAN.
phase "MAKSA"
sql "select $(lv_period f.period) || ': ' ||
    $(lv_eur "amount_cents - paid_cents") ||
    case when due_date < date('now', 'localtime') then ', kavēts kopš ' ||
    $(lv_date due_date) else ' līdz ' || $(lv_date due_date) end ||
    ', atsauce ' || reference
    from fees f where resident_id = $who and paid_cents < amount_cents" \
    > want_f
total=$(sql "select $(lv_eur "sum(amount_cents - paid_cents)") from fees
    where resident_id = $who and paid_cents < amount_cents")
nfees=$(wc -l < want_f)
first=$(sql "select $(lv_date "min(due_date)") from fees where
    resident_id = $who and paid_cents < amount_cents")
ask "$ph" MAKSA MAKSA
# Two segments at most: the whole list when it fits, else a summary
# (the total, how many, the first due date) that points to *505#.
if grep -qF "Kopā $total. Maksājiet: Dobeles novada pašvaldība, LV89RIKO0023300000000, norādot atsauci." reply.txt; then
	while IFS= read -r line; do
		grep -qF -- "$line" reply.txt || die "MAKSA lacks '$line': $(cat reply.txt)"
	done < want_f
else
	grep -qE "^Jāmaksā $total, $nfees maksājum(s|i|u); " reply.txt ||
	    die "MAKSA summary of $total, $nfees: $(cat reply.txt)"
	grep -qF " $first. Atsauces: zvaniet *505# vai klientu centra kioskā." reply.txt ||
	    die "MAKSA summary's date $first: $(cat reply.txt)"
fi
[ "$(wc -l < reply.log)" -le 2 ] || die "MAKSA in more than two segments: $(cat reply.txt)"
cp reply.txt maksa.txt
for kw in maksa Maksa NODOKLI nodokļi NODOKĻI PARADS parāds PARĀDS pay FEES; do
	ask "$ph" "$kw" MAKSA
	same_as maksa.txt "$kw"
done

# --- TEMAS: each topic once, under what the database says of it.
phase "TEMAS"
# topics_state: "code on|off" per topic, from the database.
topics_state() {
	sql "select t.code || ' ' || case when coalesce((select s.subscribed
	    from subscriptions s where s.resident_id = $who and
	    s.topic_id = t.id), t.default_on) then 'on' else 'off' end
	    from topics t order by t.code"
}
# topics_named: the same by Latvian name, as TEMAS shows them.
topics_named() {
	sql "select t.name_lv || ' ' || case when coalesce((select
	    s.subscribed from subscriptions s where s.resident_id = $who and
	    s.topic_id = t.id), t.default_on) then 'on' else 'off' end
	    from topics t" | LC_ALL=C sort
}
# reply_topics: the same from the TEMAS reply.
reply_topics() {
	echo "$(cat reply.txt)" > reply.nl
	sed -n 's/.*Saņemat: \([^.]*\)\..*/\1/p' reply.nl | tr ',' '\n' |
	    sed -e 's/^ *//' -e '/^$/d' -e 's/$/ on/' > rt
	sed -n 's/.*Nesaņemat: \([^.]*\)\..*/\1/p' reply.nl | tr ',' '\n' |
	    sed -e 's/^ *//' -e '/^$/d' -e 's/$/ off/' >> rt
	LC_ALL=C sort rt
}
ask "$ph" TEMAS TEMAS
grep -q 'Mainīt: START vai STOP un tēma.' reply.txt || die "TEMAS: $(cat reply.txt)"
topics_state > want_t
[ "$(wc -l < want_t)" -ge 5 ] || die "too few topics"
grep -q ' on$' want_t && grep -q ' off$' want_t ||
    die "the demo has no topic on and one off for $who: $(cat want_t)"
reply_topics > got_t
topics_named > want_n
cmp -s got_t want_n || die "TEMAS '$(cat reply.txt)' against $(cat want_n)"
cp reply.txt temas.txt
for kw in temas Tēmas TĒMAS topics TOPICS; do
	ask "$ph" "$kw" TEMAS
	same_as temas.txt "$kw"
done

# --- START <tēma> then STOP <tēma>: the subscription row, the reply, TEMAS.
phase "START and STOP a topic"
sub_row() {
	sql "select coalesce((select s.subscribed from subscriptions s
	    join topics t on t.id = s.topic_id where s.resident_id = $who and
	    t.code = '$1'), 'none')"
}
# A topic that is off for the resident.
off=$(sed -n 's/ off$//p' want_t | grep -v '^arkartas$' | head -n 1)
[ -n "$off" ] || die "no topic off"
name=$(sql "select name_lv from topics where code = '$off'")
for form in "START $off" "start $name" "Start $(echo "$name" | tr 'a-z' 'A-Z')"; do
	ask "$ph" "$form" START
	grep -qF "Turpmāk saņemsiet: $name. Atteikties: STOP $off" reply.txt ||
	    die "'$form': $(cat reply.txt)"
	expect_eq "the row after '$form'" "$(sub_row "$off")" 1
	ask "$ph" "STOP $off" STOP
	grep -qF "Vairs nesaņemsiet: $name. Atsākt: START $off" reply.txt ||
	    die "STOP $off: $(cat reply.txt)"
	expect_eq "the row after STOP $off" "$(sub_row "$off")" 0
done
ask "$ph" "start $off" START
ask "$ph" TEMAS TEMAS
reply_topics | grep -qxF "$name on" || die "TEMAS after START: $(cat reply.txt)"
# The diacritics-free name, in lower case.
plain=$(echo "$name" | sed 'y/āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ/acegiklnsuzACEGIKLNSUZ/' |
    tr 'A-Z' 'a-z')
ask "$ph" "stop $plain" STOP
expect_eq "the row after 'stop $plain'" "$(sub_row "$off")" 0
ask "$ph" TEMAS TEMAS
reply_topics | grep -qxF "$name off" || die "TEMAS after STOP: $(cat reply.txt)"
ask "$ph" "STOP arkartas" "STOP emergency"
grep -qF 'Ārkārtas paziņojumus nevar atteikt.' reply.txt ||
    die "STOP arkartas: $(cat reply.txt)"
expect_eq "the emergency row" "$(sub_row arkartas)" none
ask "$ph" "START zvejnieciba" "START unknown"
grep -qF 'Tādas tēmas nav. Sarakstam sūtiet TEMAS.' reply.txt ||
    die "START an unknown topic: $(cat reply.txt)"

# --- STOP alone: every topic but the emergency one off.
phase "STOP"
topics_state | sed "s/^$off off\$/$off on/" > want_after_start
for kw in STOP stop "Stop." "STOP VISUS" "stop all"; do
	ask "$ph" "start $off" START
	expect_eq "on before '$kw'" "$(sub_row "$off")" 1
	ask "$ph" "$kw" "STOP alone"
	grep -qF 'Paziņojumi atteikti, izņemot ārkārtas. Atsākt: START un tēma.' \
	    reply.txt || die "'$kw': $(cat reply.txt)"
	expect_eq "topics on after '$kw'" "$(topics_state | grep ' on$' |
	    tr '\n' ' ')" "arkartas on "
done
ask "$ph" TEMAS TEMAS
reply_topics | grep ' on$' > on_t || :
expect_eq "TEMAS after STOP" "$(cat on_t)" \
    "$(sql "select name_lv from topics where code = 'arkartas'") on"
# START alone brings back what STOP alone turned off: what was on before
# the STOPs ($off too), and nothing the resident never had.
ask "$ph" START "START alone"
grep -qF 'Paziņojumi atjaunoti. Saņemat: ' reply.txt ||
    die "START alone: $(cat reply.txt)"
topics_state > after_start
cmp -s after_start want_after_start ||
    die "after START alone: $(cat after_start), want $(cat want_after_start)"

# --- POLICIJA: the case number in the reply is the database's, the duty
# number gets the text; a personal code typed in reaches neither the duty
# officer nor the log.
phase "POLICIJA"
n=0
for kw in POLICIJA policija Policija: POLICE police; do
	n=$((n + 1))
	text="Pie skolas $n zagta velosipeds"
	dm=$(log_mark)
	ask "$ph" "$kw $text" POLICIJA
	case_no=$(sql "select case_no from reports where kind = 'police' and
	    phone = '$ph' and text = '$text'")
	[ -n "$case_no" ] || die "'$kw': no report stored"
	expect_eq "'$kw' reply" "$(cat reply.txt)" \
	    "Ziņojums saņemts, lieta $case_no. Ārkārtas gadījumā zvaniet 112."
	wait_for 10 "the report at the duty number" lines_to_at_least "$dm" "$DUTY" 1
	text_to "$dm" "$DUTY" > duty.txt
	expect_eq "duty SMS" "$(cat duty.txt)" \
	    "Ziņojums policijai $case_no no $ph: $text"
done
code=$(sql "select personal_code from residents where id = $who")
privacy_typed "$code"
dm=$(log_mark)
ask "$ph" "POLICIJA mani sauc, kods $code, sitiens pa logu" POLICIJA
case_no=$(grep -o 'P-[0-9]\{4\}-[0-9]\{6\}' reply.txt)
wait_for 10 "the report at the duty number" lines_to_at_least "$dm" "$DUTY" 1
text_to "$dm" "$DUTY" > duty.txt
grep -qF "$case_no" duty.txt || die "duty SMS: $(cat duty.txt)"
if grep -qF "$code" duty.txt || log_since "$dm" | grep -qF "$code"; then
	die "a typed personal code went on the wire: $(cat duty.txt)"; fi
expect_eq "the stored report keeps the code" "$(sql "select count(*) from
    reports where case_no = '$case_no' and instr(text, '$code') > 0")" 1
ask "$ph" POLICIJA "POLICIJA alone"
expect_eq "POLICIJA alone" "$(cat reply.txt)" \
    "Sūtiet POLICIJA un kas noticis, kur."

# --- IESNIEGUMS: stored, the reply's number is the database's.
phase "IESNIEGUMS"
n=0
for kw in IESNIEGUMS iesniegums Iesniegums APPLICATION application; do
	n=$((n + 1))
	text="Lūdzu izvest lielgabarīta atkritumus $n"
	ask "$ph" "$kw $text" IESNIEGUMS
	case_no=$(sql "select case_no from reports where kind = 'application'
	    and phone = '$ph' and text = '$text' and resident_id = $who and
	    channel = 'sms'")
	[ -n "$case_no" ] || die "'$kw': no application stored"
	expect_eq "'$kw' reply" "$(cat reply.txt)" "Iesniegums saņemts, nr. $case_no."
done
expect_eq "application numbers" "$(sql "select count(distinct case_no) from
    reports where kind = 'application' and case_no like 'I-____-______'")" 5

# --- Staff work the applications with munictl case: the list, one case
# whole (the resident's name, never a personal code), its status moved
# with an audit row; bad statuses and numbers refused.
phase "munictl case"
ctl case list --kind application > cases.txt
expect_grep '^cases=5$' cases.txt
sql "select case_no from reports where kind = 'application'" > want_cases
while IFS= read -r c; do expect_grep "^$c " cases.txt; done < want_cases
expect_no_grep '^P-' cases.txt
ctl case show "$case_no" > show.txt
for kv in "case=$case_no" kind=application category=other channel=sms \
    status=new "phone=$ph"; do
	expect_grep "^$kv\$" show.txt
done
expect_grep "^resident=$(sql "select given_name || ' ' || family_name from
    residents where id = $who")\$" show.txt
expect_grep "^Lūdzu izvest lielgabarīta atkritumus 5\$" show.txt
expect_no_grep "$(sql "select personal_code from residents where id = $who")" \
    show.txt
ctl case set "$case_no" in_progress --as "Anna B." > set.txt
expect_eq "set" "$(cat set.txt)" "case=$case_no status=in_progress sms=queued"
ctl case set "$case_no" done --as "Anna B." > /dev/null
expect_eq "status stored" "$(sql "select status from reports where
    case_no = '$case_no'")" done
expect_eq "audit rows" "$(sql "select count(*) from audit_log where
    actor = 'Anna B.' and action = 'case status' and
    detail like 'case=$case_no status=%'")" 2
ctl case list --status done > cases.txt
expect_grep '^cases=1$' cases.txt
rc=0; ctl case set "$case_no" finished > out 2> err || rc=$?
expect_eq "an unknown status" "$rc" 1
expect_grep "$case_no: statuss nav neviens no new, in_progress, done, rejected\$" err
rc=0; ctl case set I-1999-000001 done > out 2> err || rc=$?
expect_eq "an unknown case" "$rc" 1
expect_grep 'I-1999-000001: lietas ar šādu numuru nav$' err
rc=0; ctl case list --status open > out 2> err || rc=$?
expect_eq "--status open" "$rc" 2
# A resident's text cannot drive the staff's terminal.
sql "update reports set text = 'a' || char(27) || '[2Jb' || char(7) ||
    'c' where case_no = '$case_no'"
ctl case show "$case_no" > show.txt
expect_grep '^a?\[2Jb?c$' show.txt
ctl case list > cases.txt
if LC_ALL=C grep -q "$(printf '\033')" show.txt cases.txt; then
	die "an escape character reached the terminal"; fi

# --- PALĪDZĪBA, HELP, ?: the long help; anything else: the short one.
phase "Help"
ask "$ph" PALĪDZĪBA PALĪDZĪBA
for w in RINDA MAKSA TEMAS START STOP POLICIJA IESNIEGUMS ATLAIDES KARTE STATUSS; do
	grep -q "$w" reply.txt || die "help lacks $w: $(cat reply.txt)"
done
grep -qF "Izvēlne: zvaniet *505#" reply.txt || die "help lacks the USSD code: $(cat reply.txt)"
cp reply.txt help.txt
for kw in palīdzība PALIDZIBA palidziba HELP help "?" " ? "; do
	ask "$ph" "$kw" PALĪDZĪBA
	same_as help.txt "$kw"
done
ask "$ph" "sveiki, kas jauns" unknown
expect_eq "short help" "$(cat reply.txt)" \
    "Sūtiet RINDA, MAKSA, TEMAS, STOP, POLICIJA un teksts vai PALĪDZĪBA."
cmp -s reply.txt help.txt && die "the short help is the long one"
for kw in RINDAS "MAKSĀT" "12345" "rinda2"; do
	ask "$ph" "$kw" unknown
	expect_eq "'$kw'" "$(cat reply.txt)" \
	    "Sūtiet RINDA, MAKSA, TEMAS, STOP, POLICIJA un teksts vai PALĪDZĪBA."
done

# --- A resident whose language is English gets English.
phase "English"
en=$(sql "select r.id from residents r where $UNIQUE and r.lang = 'en' and
    exists (select 1 from fees f where f.resident_id = r.id and
    f.paid_cents < f.amount_cents) order by r.id limit 1")
[ -n "$en" ] || die "no English-speaking resident with fees"
eph=$(sql "select phone from residents where id = $en")
etotal=$(sql "select printf('%d.%02d', sum(amount_cents - paid_cents) / 100,
    sum(amount_cents - paid_cents) % 100) from fees where resident_id = $en
    and paid_cents < amount_cents")
ask "$eph" MAKSA "MAKSA in English"
# The list with its total, one fee in a line, or the summary of many.
grep -qF "Total $etotal EUR. Pay to Dobeles novada pašvaldība, LV89RIKO0023300000000, with the reference." reply.txt ||
    grep -qE ": $etotal EUR(,| by) .* Pay to Dobeles novada pašvaldība, LV89RIKO0023300000000\.$" reply.txt ||
    grep -qE "^You owe $etotal EUR in [0-9]+ payments" reply.txt ||
    die "English MAKSA: $(cat reply.txt)"
cp reply.txt emaksa.txt
ask "$eph" fees "FEES in English"
same_as emaksa.txt "FEES in English"
ask "$eph" PALĪDZĪBA "help in English"
expect_eq "English help" "$(cat reply.txt)" "QUEUE, FEES, TOPICS, DISCOUNTS, CARD, STATUS and case no., START or STOP and a topic, STOP - all off, POLICE or APPLICATION and text. Menu: dial *505#"
ask "$eph" "hello" "short help in English"
expect_eq "English short help" "$(cat reply.txt)" \
    "Send QUEUE, FEES, TOPICS, STOP, POLICE and text, or HELP."
ask "$eph" TEMAS "TEMAS in English"
grep -q '^You get: .*To change: START or STOP and a topic.$' reply.txt ||
    die "English TEMAS: $(cat reply.txt)"
ask "$eph" RINDA "RINDA in English"
if [ "$(sql "select count(*) from queue_entries where guardian_id = $en and
    status = 'active'")" -eq 0 ]; then
	expect_eq "English RINDA" "$(cat reply.txt)" \
	    "No child of yours is in a preschool queue."
else
	grep -q 'place [0-9]* of [0-9]*' reply.txt ||
	    die "English RINDA: $(cat reply.txt)"
fi
ask "$eph" "IESNIEGUMS Please fix the street light" "application in English"
case_no=$(sql "select case_no from reports where phone = '$eph'")
expect_eq "English application" "$(cat reply.txt)" \
    "Application received, no. $case_no."
# An English-speaking parent: positions in English. The demo may have
# none: then a Latvian parent (the last) switches to English.
enp=$(sql "select r.id from residents r where $UNIQUE and r.lang = 'en' and
    exists (select 1 from queue_entries q where q.guardian_id = r.id and
    q.status = 'active') order by r.id limit 1")
if [ -z "$enp" ]; then
	enp=$(sql "select r.id from residents r where $UNIQUE and
	    r.lang = 'lv' and r.id <> $who and exists (select 1 from
	    queue_entries q where q.guardian_id = r.id and
	    q.status = 'active') order by r.id desc limit 1")
	sql "update residents set lang = 'en' where id = $enp"
fi
[ -n "$enp" ] || die "no parent to speak English"
# English keeps the ISO month (2027-09).
want_queue "$enp" |
    sed 's/: \([0-9]*\)\. vieta no \([0-9]*\)$/: place \1 of \2/;
    s/ (\([0-9][0-9]\)\.\([0-9]\{4\}\)): / (\2-\1): /' > want_eq
ask "$(sql "select phone from residents where id = $enp")" queue \
    "QUEUE in English"
while IFS= read -r line; do
	grep -qF -- "$line" reply.txt ||
	    die "English QUEUE lacks '$line': $(cat reply.txt)"
done < want_eq
if grep -q 'vieta' reply.txt; then die "Latvian to English: $(cat reply.txt)"; fi

# --- A phone several residents share: their fees together. Then so many
# fees that the reply would pass [sms] max_segments: the earliest ones,
# the note that there is more, and still the total and whom to pay.
phase "A shared phone; more fees than a reply holds"
# The demo gives every mobile to one resident: a family of two with fees
# gets one phone here.
sql "select r.id from residents r where $UNIQUE and r.lang = 'lv' and
    r.id <> $who and exists (select 1 from fees f where f.resident_id = r.id
    and f.paid_cents < f.amount_cents) and not exists (select 1 from
    queue_entries q where q.guardian_id = r.id) order by r.id desc
    limit 2" > family
expect_eq "a family of two" "$(wc -l < family)" 2
sp=$(sql "select phone from residents where id = $(sed -n 1p family)")
sql "update residents set phone = '$sp' where id = $(sed -n 2p family)"
owners="select id from residents where phone = '$sp'"
stotal() {
	sql "select $(lv_eur "sum(amount_cents - paid_cents)") from fees
	    where resident_id in ($owners) and paid_cents < amount_cents"
}
expect_eq "fees of more than one resident of $sp" "$(sql "select
    count(distinct resident_id) > 1 from fees where resident_id in
    ($owners) and paid_cents < amount_cents")" 1
scount() {
	sql "select count(*) from fees where resident_id in ($owners) and
	    paid_cents < amount_cents"
}
ask "$sp" MAKSA "MAKSA to a shared phone"
[ "$(wc -l < reply.log)" -le 2 ] || die "shared MAKSA in more than two segments"
sql "select $(lv_period period) || ': ' ||
    $(lv_eur "amount_cents - paid_cents") from fees where
    resident_id in ($owners) and paid_cents < amount_cents" > want_sf
if grep -qF "Kopā $(stotal)." reply.txt; then
	while IFS= read -r line; do
		grep -qF -- "$line" reply.txt ||
		    die "shared MAKSA lacks '$line': $(cat reply.txt)"
	done < want_sf
else
	grep -qE "^Jāmaksā $(stotal), $(scount) maksājum(s|i|u); " reply.txt ||
	    die "shared MAKSA summary $(stotal): $(cat reply.txt)"
fi
# Twelve more fees for the first owner, due later than any (valid RF
# references: ISO 11649 check digits over the body and "RF00").
first=$(sql "select min(id) from ($owners)")
i=1
while [ "$i" -le 12 ]; do
	body=$(printf '7700%07d' "$((first * 100 + i))")
	rf=$(perl -e '$d = join "", map { /\d/ ? $_ : ord($_) - 55 } split //,
	    "$ARGV[0]RF00"; $m = 0; $m = ($m * 10 + $_) % 97 for split //, $d;
	    printf "RF%02d%s", 98 - $m, $ARGV[0]' "$body")
	sql "insert into fees (resident_id, kind, period, amount_cents,
	    due_date, reference, updated_at) values ($first, 'nin',
	    'X$i', 1000 + $i, '2099-01-$(printf %02d "$i")', '$rf', 0)"
	i=$((i + 1))
done
# More than two segments hold: the summary of all of them, the first due
# date, and where each one's reference is.
ask "$sp" MAKSA "MAKSA with more fees than room"
segs=$(wc -l < reply.log)
[ "$segs" -le 2 ] || die "$segs segments, MAKSA takes two at most"
sfirst=$(sql "select $(lv_date "min(due_date)") from fees where
    resident_id in ($owners) and paid_cents < amount_cents")
grep -qE "^Jāmaksā $(stotal), $(scount) maksājum(s|i|u); " reply.txt ||
    die "summary of $(stotal) in $(scount): $(cat reply.txt)"
grep -qF " $sfirst. Atsauces: zvaniet *505# vai klientu centra kioskā." reply.txt ||
    die "summary's first date $sfirst: $(cat reply.txt)"
echo "$(scount) fees summed up in $segs segments"

# --- Positions for a sample of parents, against the window query.
phase "Positions of 25 parents"
sql "select r.id from residents r where $UNIQUE and r.lang = 'lv' and
    exists (select 1 from queue_entries q where q.guardian_id = r.id and
    q.status = 'active') order by (r.id * 7919) % 1009 limit 25" > parents
[ "$(wc -l < parents)" -ge 20 ] || die "only $(wc -l < parents) parents"
nonfirst=0
while read -r p; do
	want_queue "$p" > want_p
	ask "$(sql "select phone from residents where id = $p")" RINDA \
	    "RINDA of parent $p"
	while IFS= read -r line; do
		grep -qF -- "$line" reply.txt ||
		    die "parent $p: '$line' not in '$(cat reply.txt)'"
	done < want_p
	if grep -qv ': 1\. vieta' want_p; then nonfirst=$((nonfirst + 1)); fi
done < parents
[ "$nonfirst" -ge 10 ] || die "only $nonfirst parents with somebody ahead"
prio=$(sql "select count(*) from queue_entries where status = 'active' and
    priority > 0 and guardian_id in ($(paste -sd, parents))")
echo "25 parents: $nonfirst with somebody ahead, $prio entries with a priority"

# --- No personal code of these residents in any reply.
sql "select personal_code from residents union
    select child_code from queue_entries" > all_codes
sed -e 's/.* text=//' submit.log > texts
if grep -F -f all_codes texts > leaked; then
	die "a personal code on the wire: $(wc -l < leaked) lines"; fi
echo "$checked replies checked; $(wc -l < submit.log) submits;" \
    "$(($(date +%s) - t0))s"
echo "keywords: ok"
