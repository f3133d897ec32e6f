#!/bin/sh
# ussd: the *505# menu through muni-smsgw and muni-smscsim on a demo
# database, every screen read back from the simulator's submit log and
# checked against the database. A full walk (1 queue, 00 back, 2 payments,
# one fee with its IBAN, amount and RF reference, 3 topics toggled on and
# off with the subscription row, 9 for more, 0 end), wrong keys (the screen
# again under a hint), its_session_info echoed on every answer, an answer
# after [ussd] session_timeout_s (starts afresh), a vendor's abort (no
# answer, the session gone), 100 interleaved sessions
# (each phone's screens its own), and every screen within one USSD string
# (182 GSM-7 septets or 80 UCS-2 units, at most 5 choices) under
# [sms] encoding = auto, ucs2 and translit.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
TIMEOUT=10
. "$MUNI_TOP/tests/integration/gwlib.sh"

UNIQUE="r.phone_kind = 0 and (select count(*) from residents r2 where
    r2.phone = r.phone) = 1"

# write_gw_conf ENCODING SESSION_TIMEOUT_S
write_gw_conf() {
	{ gw_conf_head 100 2000; cat <<EOF
[sms]
quiet_hours = none
encoding = $1
[ussd]
service_code = *505#
session_timeout_s = $2
[http]
listen = 127.0.0.1:$hport
EOF
	} > muni.conf
	chmod 600 muni.conf
}

# The screen of ussd.txt with its line breaks, in screen.txt.
# (No screen has a backslash: "\\n" is always a line break.)
screen() {
	sed -e 's/.* text=//' -e 's/\\n/\n/g' ussd.txt > screen.txt
}

# step PHONE TEXT OP: one USSD step, the answer's ussd_service_op OP, the
# session's its_session_info echoed; the screen in screen.txt.
step() {
	ussd_step "$1" "$2"
	expect_eq "answers to $1 '$2'" "$(wc -l < ussd.txt)" 1
	grep -q "src=505 dst=$1 .* svc=USSD ussd=$3 " ussd.txt ||
	    die "'$2' from $1: not ussd=$3: $(cat ussd.txt)"
	its_sent=$(grep "^deliver src=$1 " deliver.log | tail -n 1 |
	    sed -n 's/.* its=\([0-9]*\) .*/\1/p')
	[ -n "$its_sent" ] || die "no its_session_info sent by $1"
	grep -q " its=$its_sent " ussd.txt ||
	    die "its_session_info $its_sent not echoed: $(cat ussd.txt)"
	screen
}

# has LINE: screen.txt has that line.
has() {
	grep -qxF -- "$1" screen.txt || die "no line '$1' in: $(cat screen.txt)"
}

# same_screen FILE WHAT
same_screen() {
	cmp -s screen.txt "$1" ||
	    die "$2: '$(cat screen.txt)', want '$(cat "$1")'"
}

# screens_ok ENCODING MARK: every USSD string since MARK is one message in
# the encoding [sms] encoding = ENCODING gives it (auto: GSM-7 when every
# character is in GSM 03.38), within 182 septets or 80 UCS-2 units, with
# at most 5 numbered choices besides 9, 00 and 0. Prints the count.
screens_ok() {
	log_since "$2" | grep ' svc=USSD ' | perl -CSD -Mutf8 -ne '
	BEGIN { $enc = shift @ARGV; $n = 0; $bad = 0 }
	my ($dcs) = / dcs=(\d+) /; my ($t) = / text=(.*)$/;
	$t =~ s/\\(.)/$1 eq "n" ? "\n" : $1 eq "r" ? "\r" : $1/ge;
	my $basic = "\@£\$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'"'"'()*+,-./" .
	    "0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿" .
	    "abcdefghijklmnopqrstuvwxyzäöñüà";
	my $ext = "^{}\\[~]|€\f";
	my ($sept, $gsm) = (0, 1);
	for my $c (split //, $t) {
		if (index($basic, $c) >= 0) { $sept++ }
		elsif (index($ext, $c) >= 0) { $sept += 2 }
		else { $gsm = 0 }
	}
	my $units = 0; $units += ord($_) > 0xffff ? 2 : 1 for split //, $t;
	my $choices = grep { /^\d+ / && !/^(9|00|0) / } split /\n/, $t;
	my $why = "";
	if ($enc eq "ucs2") { $why = "not UCS-2" if $dcs != 8 }
	elsif ($enc eq "translit") { $why = "not GSM-7" if $dcs != 0 }
	elsif ($gsm) { $why = "GSM text as UCS-2" if $dcs != 0 }
	else { $why = "UCS-2 text not as UCS-2" if $dcs != 8 }
	$why ||= "$sept septets" if $dcs == 0 && ($sept > 182 || !$gsm);
	$why ||= "$units UCS-2 units" if $dcs == 8 && $units > 80;
	$why ||= "$choices choices" if $choices > 5;
	if ($why) { print STDERR "$why: $_"; $bad++ }
	$n++;
	END { print "$n\n"; exit($bad ? 1 : 0) }' "$1"
}

sim_start -r 20 -e 0
hport=$(free_port)
write_gw_conf auto "$TIMEOUT"
export MUNI_LANG=lv USER=anna
ctl init > /dev/null 2>&1
ctl demo --residents 3000 --seed 31 > /dev/null 2>&1
gw_start

# Queue lines of resident $1 as a USSD screen starts them: "P. vieta no
# T: Given F." (lines may be cut after that to fit).
want_prefixes() {
	sql "with ranked as (select id, guardian_id, child_given_name g,
	    substr(child_family_name, 1, 1) f, row_number() over (partition by
	    institution_id, substr(desired_start, 1, 4) order by priority desc,
	    registered_at, id) pos, count(*) over (partition by institution_id,
	    substr(desired_start, 1, 4)) tot
	    from queue_entries where status = 'active')
	    select case when '$2' = 'en' then 'Place ' || pos || ' of ' || tot
	    else pos || '. vieta no ' || tot end || ': ' || g || ' ' || f || '.'
	    from ranked where guardian_id = $1 order by id"
}

# Non-emergency topics of resident $1 in menu order: "Name (jā|nē)".
want_topics() {
	sql "select t.name_lv || case when coalesce((select s.subscribed from
	    subscriptions s where s.resident_id = $1 and s.topic_id = t.id),
	    t.default_on) then ' (jā)' else ' (nē)' end from topics t
	    where t.emergency = 0 order by t.id"
}

kind_short() {
	case $1 in nin) echo "NĪN";; dog) echo "Suņu nodeva";; *) echo "$1";; esac
}

# walk PHONE ID: the full walk of a Latvian resident with a child in a
# queue and two fees or more.
walk() {
	p=$1; id=$2
	step "$p" '*505#' 2
	printf '1 Rinda\n2 Maksas\n3 Paziņojumi\n4 Atlaides\n5 Iesniegumi\n0 Beigt\n' > menu_lv
	same_screen menu_lv "the menu"
	cp screen.txt menu.txt
	# A wrong key on the menu.
	step "$p" 6 2
	{ echo "Nepareiza izvēle."; cat menu_lv; } > want_s
	same_screen want_s "6 on the menu"
	step "$p" abc 2
	same_screen want_s "abc on the menu"

	# 1: the queue, positions as the window query has them.
	step "$p" 1 2
	want_prefixes "$id" lv > pref
	[ -s pref ] || die "no queue entries for $id"
	found=0
	while IFS= read -r x; do
		if grep -qF -- "$x" screen.txt; then found=$((found + 1)); fi
	done < pref
	[ "$found" -ge 1 ] || die "queue screen: none of $(cat pref) in $(cat screen.txt)"
	has "00 Atpakaļ"
	has "0 Beigt"
	# A key the queue screen does not offer.
	cp screen.txt queue.txt
	step "$p" 1 2
	# The hint may cost the screen an item or a cut line: the hint
	# first, then a position still.
	head -n 1 screen.txt | grep -qx "Nepareiza izvēle." ||
	    die "wrong key on the queue: $(cat screen.txt)"
	found=0
	while IFS= read -r x; do
		if grep -qF -- "$x" screen.txt; then found=$((found + 1)); fi
	done < pref
	[ "$found" -ge 1 ] || die "wrong key, no queue: $(cat screen.txt)"
	step "$p" 00 2
	same_screen menu.txt "00 from the queue"

	# 2: the fees, earliest due first; one fee with IBAN, amount and RF.
	step "$p" 2 2
	# Latvian amounts: "127,33 €" (the list keeps the period short).
	sql "select id || '|' || kind || '|' || period || '|' ||
	    printf('%d,%02d', (amount_cents - paid_cents) / 100,
	    (amount_cents - paid_cents) % 100) || '|' || reference from fees
	    where resident_id = $id and paid_cents < amount_cents
	    order by due_date, id" > fees
	IFS='|' read -r fid kind period amt ref < fees
	has "1 $(kind_short "$kind") $period $amt €"
	[ "$(wc -l < fees)" -ge 2 ] && grep -q '^2 ' screen.txt ||
	    die "the second fee: $(cat screen.txt)"
	cp screen.txt fees.txt
	step "$p" 1 2
	has "$amt €"
	has "LV89RIKO0023300000000"
	has "$ref"
	has "00 Atpakaļ"
	expect_eq "the reference is the fee's" "$(sql "select id from fees
	    where reference = '$ref' and resident_id = $id")" "$fid"
	cp screen.txt fee.txt
	step "$p" 7 2
	# The full hint, or in 80 UCS-2 units the short one.
	head -n 1 screen.txt | grep -qxE "Nepareiza izvēle\.|Nepareizi\." ||
	    die "wrong key on a fee: $(cat screen.txt)"
	has "$amt €"
	has "LV89RIKO0023300000000"
	has "$ref"
	step "$p" 00 2
	same_screen fees.txt "00 from a fee"
	step "$p" 00 2
	same_screen menu.txt "00 from the fees"

	# 3: topics with their state; toggled on and off again.
	step "$p" 3 2
	want_topics "$id" > topics
	shown=$(grep -c '^[1-5] ' screen.txt)
	[ "$shown" -ge 1 ] || die "no topics: $(cat screen.txt)"
	head -n "$shown" topics | awk '{ print NR " " $0 }' > want_s
	grep '^[1-5] ' screen.txt > got_s
	cmp -s got_s want_s || die "topics '$(cat got_s)', want '$(cat want_s)'"
	if [ "$(wc -l < topics)" -gt "$shown" ]; then has "9 Vēl"; fi
	# The last topic on the screen, toggled and toggled back.
	k=$shown
	tname=$(sed -n "${k}s/^[0-9] \(.*\) (\(jā\|nē\))$/\1/p" want_s)
	was=$(sed -n "${k}s/.* (\(jā\|nē\))$/\1/p" want_s)
	tid=$(sql "select id from topics where name_lv = '$tname'")
	[ -n "$tid" ] || die "topic '$tname' of $(cat want_s)"
	if [ "$was" = jā ]; then now=nē; row=0; back=1
	else now=jā; row=1; back=0; fi
	step "$p" "$k" 2
	has "$k $tname ($now)"
	expect_eq "the row after $k" "$(sql "select subscribed from
	    subscriptions where resident_id = $id and topic_id = $tid")" "$row"
	step "$p" "$k" 2
	has "$k $tname ($was)"
	expect_eq "the row after $k again" "$(sql "select subscribed from
	    subscriptions where resident_id = $id and topic_id = $tid")" "$back"
	# 9 pages through the rest, each page the next topics.
	seen=$shown
	while [ "$(wc -l < topics)" -gt "$seen" ]; do
		has "9 Vēl"
		step "$p" 9 2
		n=$(grep -c '^[1-5] ' screen.txt)
		[ "$n" -ge 1 ] || die "an empty page: $(cat screen.txt)"
		tail -n "+$((seen + 1))" topics | head -n "$n" |
		    awk '{ print NR " " $0 }' > want_s
		grep '^[1-5] ' screen.txt > got_s
		cmp -s got_s want_s ||
		    die "topics after $seen: '$(cat got_s)', want '$(cat want_s)'"
		seen=$((seen + n))
	done
	if grep -q '^9 ' screen.txt; then die "9 on the last page"; fi
	step "$p" 00 2
	same_screen menu.txt "00 from the topics"
	step "$p" 0 17
	printf 'Paldies! Uz redzēšanos!\n' > want_s
	same_screen want_s "0"
	expect_eq "sessions of $p after 0" "$(sql "select count(*) from
	    ussd_sessions where phone = '$p'")" 0
}

# Who walks: a Latvian parent with two fees or more.
id=$(sql "select r.id from residents r where $UNIQUE and r.lang = 'lv' and
    exists (select 1 from queue_entries q where q.guardian_id = r.id and
    q.status = 'active') and (select count(*) from fees f where
    f.resident_id = r.id and f.paid_cents < f.amount_cents) >= 2
    order by r.id limit 1")
[ -n "$id" ] || die "no resident with a child in a queue and two fees"
wp=$(sql "select phone from residents where id = $id")
# An English-speaking resident's screens: English, GSM-7.
en=$(sql "select r.id from residents r where $UNIQUE and r.lang = 'en' and
    (select count(*) from fees f where f.resident_id = r.id and
    f.paid_cents < f.amount_cents) >= 1 order by r.id limit 1")
[ -n "$en" ] || die "no English-speaking resident with fees"
ep=$(sql "select phone from residents where id = $en")
english() {
	step "$ep" '*505#' 2
	printf '1 Preschool queue\n2 Payments\n3 Notifications\n4 Discounts\n5 My cases\n0 End\n' > want_s
	same_screen want_s "the English menu"
	step "$ep" 2 2
	step "$ep" 1 2
	has "LV89RIKO0023300000000"
	has "00 Back"
	step "$ep" 0 17
	printf 'Thank you. Goodbye!\n' > want_s
	same_screen want_s "English 0"
}
tp=$(sql "select r.phone from residents r where $UNIQUE and r.lang = 'lv'
    and r.id <> $id order by r.id desc limit 1")

# --- A session left on the queue screen; answered after the timeout.
phase "A session left to time out"
step "$tp" '*505#' 2
step "$tp" 1 2
left=$(date +%s)

# --- The walk, under encoding = auto.
phase "A full walk (auto)"
walk "$wp" "$id"
english

# --- The answer after the timeout: a fresh menu, not the queue screen's
# "wrong choice" (which a session still alive gets: see the walk).
phase "The answer after the timeout"
while [ $(($(date +%s) - left)) -le "$TIMEOUT" ]; do sleep 1; done
step "$tp" 1 2
same_screen menu_lv "an answer after the timeout"
expect_eq "the session starts afresh" "$(sql "select screen from ussd_sessions
    where phone = '$tp'")" main
step "$tp" 1 2
has "00 Atpakaļ"
step "$tp" 0 17

# --- A vendor's abort (ussd_service_op 32) ends the session without an
# answer; the next answer starts afresh.
phase "An abort from the network"
step "$tp" '*505#' 2
step "$tp" 2 2
am=$(log_mark)
before=$(sql "select count(*) from inbox where source = '$tp'")
simctl ussd "$tp" x 32 > /dev/null
wait_for 10 "the abort handled" processed_is "$tp" $((before + 1))
sleep 0.3
simctl flush > /dev/null
if log_since "$am" | grep -q "dst=$tp "; then
	die "an answer to an abort: $(log_since "$am" | grep "dst=$tp ")"; fi
expect_eq "sessions after the abort" "$(sql "select count(*) from
    ussd_sessions where phone = '$tp'")" 0
step "$tp" 1 2
same_screen menu_lv "an answer after the abort"
step "$tp" 0 17

n_auto=$(screens_ok auto 0) || die "a screen too long or in the wrong encoding"
echo "$n_auto screens under encoding = auto"
[ "$n_auto" -ge 25 ] || die "only $n_auto screens under auto"

# --- encoding = ucs2: every screen in 80 UCS-2 units, the walk still
# whole (IBAN, amount, reference on the fee screen).
phase "encoding = ucs2"
gw_stop
write_gw_conf ucs2 600
gw_start
um=$(log_mark)
walk "$wp" "$id"
english
# --- 100 interleaved sessions, each screen right for its own phone.
phase "100 interleaved sessions"
sql "select r.id || ' ' || r.phone || ' ' || case r.lang when 'en' then 'en'
    else 'lv' end from residents r where $UNIQUE and r.phone <> '$tp'
    and r.phone <> '$wp' and r.phone <> '$ep' order by exists (select 1
    from queue_entries q where q.guardian_id = r.id and
    q.status = 'active') desc, r.id limit 100" > many
expect_eq "100 phones" "$(wc -l < many)" 100
npar=$(sql "select count(distinct guardian_id) from queue_entries where
    status = 'active' and guardian_id in ($(cut -d' ' -f1 many | paste -sd,))")
nen=$(grep -c ' en$' many || :)
echo "100 phones: $npar parents, $nen English"
[ "$npar" -ge 30 ] || die "only $npar parents among the 100"

# ussd_since_at_least MARK N: N USSD answers since MARK.
ussd_since_at_least() {
	simctl flush > /dev/null
	[ "$(log_since "$1" | grep -c ' svc=USSD ')" -ge "$2" ]
}

# round KEY ORDER: KEY from every phone (ORDER: cat, tac or shuf), then
# each phone's answer since the round began in round.PHONE.
round() {
	rm -f round.*
	m=$(log_mark)
	cut -d' ' -f2 many | "$2" > order
	while read -r p; do simctl ussd "$p" "$1" > /dev/null; done < order
	wait_for 30 "round '$1' answered" ussd_since_at_least "$m" \
	    "$(wc -l < many)"
	simctl flush > /dev/null
	log_since "$m" > round.all
	while read -r p; do
		grep "dst=$p " round.all > "round.$p" || :
		grep "^deliver src=$p " deliver.log | tail -n 1 > "dlv.$p"
	done < order
}

# check_round WHAT OP: one answer to each phone with op OP and its own
# its_session_info; then run the check CHECK ID PHONE LANG on its screen.
check_round() {
	while read -r rid p lang; do
		expect_eq "$1 answers to $p" "$(wc -l < "round.$p")" 1
		grep -q " svc=USSD ussd=$2 " "round.$p" ||
		    die "$1 to $p: not ussd=$2: $(cat "round.$p")"
		its=$(sed -n 's/.* its=\([0-9]*\) .*/\1/p' "dlv.$p")
		grep -q " its=$its " "round.$p" ||
		    die "$1 to $p: its $its not echoed: $(cat "round.$p")"
		cp "round.$p" ussd.txt
		screen
		"$3" "$rid" "$p" "$lang"
	done < many
}

check_menu() {
	if [ "$3" = en ]; then
		printf '1 Preschool queue\n2 Payments\n3 Notifications\n4 Discounts\n5 My cases\n0 End\n' > want_s
	else
		cp menu_lv want_s
	fi
	same_screen want_s "the menu to $2"
}

check_queue() {
	if [ ! -s "want.$2" ]; then
		if [ "$3" = en ]; then
			has "No child of yours is in a preschool queue."
		else
			has "Jūsu bērnu nav pirmsskolas rindā."
		fi
		return 0
	fi
	while IFS= read -r x; do
		if grep -qF -- "$x" screen.txt; then return 0; fi
	done < "want.$2"
	die "queue screen of $2: none of '$(cat "want.$2")' in '$(cat screen.txt)'"
}

check_end() {
	if [ "$3" = en ]; then printf 'Thank you. Goodbye!\n' > want_s
	else printf 'Paldies! Uz redzēšanos!\n' > want_s; fi
	same_screen want_s "the end to $2"
}

# Each phone's queue, once: nothing changes the queue meanwhile.
while read -r rid p lang; do want_prefixes "$rid" "$lang" > "want.$p"; done < many
round '*505#' cat
check_round "the menu" 2 check_menu
round 1 tac
check_round "1" 2 check_queue
round 00 shuf
check_round "00" 2 check_menu
round 1 shuf
check_round "1 again" 2 check_queue
round 0 tac
check_round "0" 17 check_end
expect_eq "sessions left of the 100" "$(sql "select count(*) from
    ussd_sessions where phone in ($(cut -d' ' -f2 many | sed "s/.*/'&'/" |
    paste -sd,))")" 0

n_ucs2=$(screens_ok ucs2 "$um") || die "a screen too long under ucs2"
echo "$n_ucs2 screens under encoding = ucs2"
[ "$n_ucs2" -ge 520 ] || die "only $n_ucs2 screens under ucs2"

# --- encoding = translit: GSM-7 screens of up to 182 septets, room on the
# fee screen for the payee and the full hint.
phase "encoding = translit"
gw_stop
write_gw_conf translit 600
gw_start
um=$(log_mark)
step "$wp" '*505#' 2
printf '1 Rinda\n2 Maksas\n3 Pazinojumi\n4 Atlaides\n5 Iesniegumi\n0 Beigt\n' > want_s
same_screen want_s "the transliterated menu"
step "$wp" 2 2
IFS='|' read -r fid kind period amt ref < fees
step "$wp" 1 2
# Room for the due date too, in Latvian's form.
due=$(sql "select strftime('%d.%m.%Y', due_date) from fees where id = $fid")
has "$amt €, termins $due"
has "Dobeles novada pasvaldiba"
has "LV89RIKO0023300000000"
has "$ref"
step "$wp" 7 2
head -n 1 screen.txt | grep -qx "Nepareiza izvele\." ||
    die "translit wrong key: $(cat screen.txt)"
has "Dobeles novada pasvaldiba"
has "$ref"
step "$wp" 00 2
step "$wp" 00 2
step "$wp" 3 2
grep -q '^1 .* (ja)$\|^1 .* (ne)$' screen.txt || die "translit topics: $(cat screen.txt)"
step "$wp" 0 17
n_xl=$(screens_ok translit "$um") || die "a screen too long under translit"
echo "$n_xl screens under encoding = translit"
[ "$n_xl" -ge 8 ] || die "only $n_xl screens under translit"
echo "$(wc -l < submit.log) submits; $(($(date +%s) - t0))s"
echo "ussd: ok"
