#!/bin/sh
# topics: a database made by `munictl init` (not the demo) has the
# standard topics, and init run again changes nothing; a database from
# before topics were seeded gets them, one that has topics keeps its own
# (a removed topic stays removed). munictl topic add, set, list and remove
# with their refusals (a bad code, a duplicate, the emergency topic, the
# broadcasts' default topic), each leaving the database as it was. Then
# through muni-smsgw and muni-smscsim, for a resident imported from CSV:
# START and STOP of a topic added with munictl, also while the gateway
# runs, reach it and toggle the resident's subscription row.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

export MUNI_LANG=lv USER=anna
sim_start -r 20 -e 0
hport=$(free_port)
cat > muni.conf <<CONF
[database]
$(db_conf)
[smsc]
port = $sport
system_id = muni
password = secret
source_addr = MUNI
window = 50
max_tps = 1000
enquire_link_s = 5
reconnect_min_s = 1
reconnect_max_s = 4
response_timeout_s = 2
[sms]
quiet_hours = none
[services]
replies_per_hour = 1000
[http]
listen = 127.0.0.1:$hport
CONF

# A dump of the topics, to see a command change nothing.
topics_dump() {
	sql "select code || '|' || name_lv || '|' || name_en || '|' ||
	    default_on || '|' || emergency from topics order by id"
}

phase "init seeds the standard topics"
ctl init > init1.out 2> init1.err || { cat init1.err; die "init"; }
expect_grep '^topics=8$' init1.out
# munictl takes the person from getuid: root is the admin anna here.
ctl staff add anna --role admin --unix root > /dev/null
expect_eq "standard codes" "$(sql "select code from topics order by id" |
    paste -sd' ' -)" \
    "arkartas pii nodokli atkritumi kultura celi receipts pazinojumi"
expect_eq "the emergency topic" "$(sql "select code || ' ' || default_on
    from topics where emergency = 1")" "arkartas 1"
expect_eq "opt-in topics" "$(sql "select code from topics
    where default_on = 0 order by id" | paste -sd' ' -)" \
    "atkritumi kultura celi"
expect_eq "a Latvian name" "$(sql "select name_lv from topics
    where code = 'nodokli'")" "Nodokļi un maksājumi"
topics_dump > dump1
ctl init > init2.out 2>&1 || die "init again"
expect_grep 'ir aktuāla$' init2.out
expect_no_grep 'topics_seeded' init2.out
topics_dump > dump2
cmp -s dump1 dump2 || die "init again changed the topics"

phase "munictl topic"
ctl topic list > list1 || die "topic list"
expect_grep '^topics=8$' list1
expect_grep '^topic=arkartas default=on emergency=1 opted_in=0 opted_out=0	Ārkārtas paziņojumi / Emergency alerts$' list1
expect_grep '^topic=kultura default=off emergency=0 ' list1
ctl topic add ielu_remonts --name-lv 'Ielu remonts' \
    --name-en 'Street works' > add.out || die "topic add"
expect_grep '^topic=ielu_remonts default=off$' add.out
expect_eq "the new row" "$(sql "select name_lv || '|' || name_en || '|' ||
    default_on || '|' || emergency from topics where code = 'ielu_remonts'")" \
    "Ielu remonts|Street works|0|0"
expect_eq "the audit row" "$(sql "select actor || ' ' || action || ' ' ||
    detail from audit_log where action like 'topic %'")" \
    "anna topic add ielu_remonts"
topics_dump > before
# refuse PATTERN CMD...: a non-zero exit, the message (in Latvian, as
# MUNI_LANG asks), no change.
refuse() {
	pat=$1; shift
	if ctl "$@" > r.out 2> r.err; then die "'$*' succeeded"; fi
	grep -q -- "$pat" r.err || { cat r.err; die "'$*': no '$pat'"; }
	topics_dump > after
	cmp -s before after || die "'$*' changed the topics"
}
refuse "tēmas kods 'Iela'" topic add Iela --name-lv X --name-en Y
refuse "tēmas kods 'ielu-remonts'" topic add ielu-remonts --name-lv X --name-en Y
refuse "tēmas kods 'visi'" topic add visi --name-lv X --name-en Y
refuse "tēma 'ielu_remonts' jau ir" topic add ielu_remonts \
    --name-lv X --name-en Y
refuse "jau ir tēmas 'kultura' nosaukums" topic add koncerti \
    --name-lv 'Kultūras pasākumi' --name-en Concerts
refuse "tēmai vajag --name-lv un --name-en" topic add koncerti --name-lv X
refuse "--default maybe" topic add koncerti --name-lv X --name-en Y \
    --default maybe
refuse "ir ārkārtas tēma, to nevar dzēst" topic remove arkartas
refuse "ārkārtas tēma: to saņem visi" topic set arkartas --default off
refuse "default_topic" topic remove pazinojumi
refuse "muni ar to sūta ziņas" topic remove nodokli
refuse "tēmas 'zvejnieciba' nav" topic remove zvejnieciba
refuse "tēmas 'zvejnieciba' nav" topic set zvejnieciba --default on
refuse "nav ko mainīt" topic set kultura
expect_eq "audit rows after refusals" "$(sql "select count(*) from audit_log
    where action like 'topic %'")" 1

ctl topic set ielu_remonts --name-en Roadworks > set.out || die "topic set"
expect_grep '^topic=ielu_remonts default=off emergency=0	Ielu remonts / Roadworks$' set.out
ctl topic remove celi > rm.out || die "topic remove"
expect_grep '^removed=celi subscriptions_dropped=0$' rm.out
expect_eq "celi gone" "$(sql "select count(*) from topics where code = 'celi'")" 0
ctl topic list > list2
expect_grep '^topics=8$' list2
# A removed standard topic stays removed: the database has topics.
ctl init > init3.out 2>&1 || die "init a third time"
expect_eq "celi after init" "$(sql "select count(*) from topics where code = 'celi'")" 0

phase "a database from before init seeded topics"
mkdir old
printf '[database]\n%s\n' "$(db_conf old/muni)" > old/muni.conf
"$B/munictl" -c old/muni.conf init > /dev/null 2>&1 || die "old init"
sql_in old/muni "delete from topics"
"$B/munictl" -c old/muni.conf init > old/init.out 2>&1 || die "old re-init"
expect_grep '^topics_seeded=8$' old/init.out
expect_eq "old topics" "$(sql_in old/muni "select count(*) from topics")" 8

phase "START and STOP through the gateway"
cat > residents.csv <<'CSV'
personal_code,given_name,family_name,phone,lang,territory,address,birth_date
161175-19997,Jānis,Bērziņš,29123456,lv,Dobele,"Brīvības iela 1, Dobele",1975-11-16
CSV
ctl import residents residents.csv > import.out 2>&1 ||
    { cat import.out; die "import"; }
ph=+37129123456
who=$(sql "select id from residents where phone = '$ph'")
[ -n "$who" ] || die "the resident was not imported"
sub_row() {
	sql "select coalesce((select CAST(s.subscribed AS TEXT) from subscriptions s
	    join topics t on t.id = s.topic_id where s.resident_id = $who and
	    t.code = '$1'), 'none')"
}
gw_start
mo "$ph" "START ielu_remonts"
grep -qF "Turpmāk saņemsiet: Ielu remonts. Atteikties: STOP ielu_remonts" \
    reply.txt || die "START ielu_remonts: $(cat reply.txt)"
expect_eq "the row after START" "$(sub_row ielu_remonts)" 1
mo "$ph" "stop ielu remonts"
grep -qF "Vairs nesaņemsiet: Ielu remonts. Atsākt: START ielu_remonts" \
    reply.txt || die "STOP ielu remonts: $(cat reply.txt)"
expect_eq "the row after STOP" "$(sub_row ielu_remonts)" 0
# Added while the gateway runs: no restart needed.
ctl topic add tirgus --name-lv 'Tirgus dienas' --name-en 'Market days' \
    --default on > /dev/null || die "topic add tirgus"
mo "$ph" "STOP TIRGUS"
grep -qF "Vairs nesaņemsiet: Tirgus dienas." reply.txt ||
    die "STOP TIRGUS: $(cat reply.txt)"
expect_eq "the tirgus row" "$(sub_row tirgus)" 0
mo "$ph" "START tirgus"
expect_eq "the tirgus row after START" "$(sub_row tirgus)" 1
mo "$ph" "STOP arkartas"
grep -qF 'Ārkārtas paziņojumus nevar atteikt.' reply.txt ||
    die "STOP arkartas: $(cat reply.txt)"
ctl topic list > list3
expect_grep '^topic=ielu_remonts default=off emergency=0 opted_in=0 opted_out=1	' list3
expect_grep '^topic=tirgus default=on emergency=0 opted_in=1 opted_out=0	' list3
# Removing a topic takes the residents' choices with it.
ctl topic remove tirgus > rm2.out || die "remove tirgus"
expect_grep '^removed=tirgus subscriptions_dropped=1$' rm2.out
mo "$ph" "START tirgus"
grep -qF 'Tādas tēmas nav.' reply.txt ||
    die "START a removed topic: $(cat reply.txt)"
gw_stop
phase "ok"
