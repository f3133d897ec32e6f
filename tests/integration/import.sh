# import: munictl import is all or nothing, names FILE:LINE:COLUMN, is
# idempotent and updates changed rows (issue 2's acceptance list).
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
write_conf
ctl init >/dev/null

cat > residents.csv <<'CSV'
personal_code,given_name,family_name,phone,lang,territory,address,birth_date
161175-19997,Jānis,Bērziņš,29123456,lv,Dobele,"Brīvības iela 1, Dobele",1975-11-16
32111111111,Līga,Kalniņa,+371 2000 0002,lv,Auru pagasts,"""Ozoli"", Auru pagasts",
010101-20001,Pēteris,Ozoliņš,,ru,Auce,"Skolas iela 5,
dzīvoklis 3",
CSV
ctl import residents residents.csv > out1 || fail "valid file refused"
expect_grep 'rows=3 inserted=3 updated=0 unchanged=0' out1
expect_eq "residents" "$(sql 'select count(*) from residents')" 3
expect_eq "phone E.164" "$(sql "select phone from residents where given_name='Līga'")" "+37120000002"
expect_eq "quoted newline" "$(sql "select address from residents where given_name='Pēteris'")" "Skolas iela 5,
dzīvoklis 3"
expect_eq "birth from code" "$(sql "select birth_date from residents where given_name='Pēteris'")" "2001-01-01"

ctl import residents residents.csv > out2
expect_grep 'rows=3 inserted=0 updated=0 unchanged=3' out2
before=$(sql 'select updated_at from residents order by id' | paste -sd, -)

sed 's/Brīvības iela 1/Brīvības iela 2/' residents.csv > changed.csv
ctl import residents changed.csv > out3
expect_grep 'rows=3 inserted=0 updated=1 unchanged=2' out3

# The acceptance file: a broken quote (line 4), a bad checksum (line 7),
# a duplicate key (line 9); nothing may be imported.
cat > bad.csv <<'CSV'
personal_code,given_name,family_name,phone,lang,territory,address,birth_date
020202-10005,Anna,Liepiņa,29000001,lv,Dobele,Parka iela 1,
030303-10004,Ilze,Zariņa,29000002,lv,Dobele,Parka iela 2,
040404-10003,Dace,Ozola,29000003,lv,Dobele,Parka "iela" 3,
050505-10002,Zane,Lāce,29000004,lv,Dobele,Parka iela 4,
060606-10001,Laura,Eglīte,29000005,lv,Dobele,Parka iela 5,
161175-19998,Marta,Gaile,29000006,lv,Dobele,Parka iela 6,
070707-10000,Ieva,Siliņa,29000007,lv,Dobele,Parka iela 7,
030303-10004,Ilze,Zariņa,29000002,lv,Dobele,Parka iela 2,
CSV
count_before=$(sql 'select count(*) from residents')
if ctl import residents bad.csv > out4 2> err4; then fail "bad file accepted"; fi
expect_grep '^bad.csv:4:7: ' err4 "broken quote"
expect_grep '^bad.csv:7:1: personal_code: ' err4 "bad checksum"
expect_grep '^bad.csv:9:1: atkārtota atslēga: .* 3\. rindā' err4 "duplicate"
expect_grep 'nekas netika importēts' err4 "Latvian by default"
# The same errors in English when asked for, on a machine without lv_LV.
if MUNI_LANG=en ctl import residents bad.csv > /dev/null 2> err4en; then
	fail "bad file accepted"
fi
expect_grep '^bad.csv:9:1: duplicate key: .* line 3' err4en "duplicate (en)"
expect_grep 'nothing was imported' err4en "English on request"
expect_eq "unchanged after bad import" "$(sql 'select count(*) from residents')" "$count_before"
expect_no_grep '161175-19998' err4 "personal code in error text"
expect_no_grep '161175' err4 "personal code in error text"

# --dry-run validates without writing.
cat > more.csv <<'CSV'
personal_code,given_name,family_name
020202-10005,Anna,Liepiņa
CSV
ctl import residents --dry-run more.csv > out5
expect_grep 'inserted=1' out5
expect_eq "dry run wrote nothing" "$(sql 'select count(*) from residents')" "$count_before"

# Queue rows need an existing guardian and a known institution: they
# are reference data, matched without regard to case or diacritics.
ctl institution add 'Dobeles PII "Zīlīte"' --territory Dobele > in1
expect_grep '^institution=1$' in1
if ctl institution add 'dobeles pii zilite' > /dev/null 2> in2; then
	fail "the same institution added twice"; fi
expect_grep "jau ir, ar nosaukumu 'Dobeles PII \"Zīlīte\"'" in2
cat > queue.csv <<'CSV'
child_code,child_given_name,child_family_name,guardian_code,institution,registered_at,desired_start,priority
32222222222,Roberts,Bērziņš,161175-19997,"Dobeles PII ""Zīlīte""",2024-03-01 10:30,2026-09,1
32333333333,Elīza,Kalniņa,32111111111,Dobeles PII Zilite,2024-02-01,2026-09,0
CSV
ctl import queue queue.csv > out6
expect_grep 'rows=2 inserted=2' out6
expect_eq "institution" "$(sql 'select name from institutions')" 'Dobeles PII "Zīlīte"'
expect_eq "one queue" "$(sql 'select count(distinct institution_id) from queue_entries')" 1
# A misspelled one is refused with the name meant; on purpose it is made.
printf '%s\n' 'child_code,child_given_name,child_family_name,guardian_code,institution,registered_at,desired_start' \
    '32444444444,Ēriks,Lācis,161175-19997,Dobeles PII Zilte,2024-01-01,2026-09' \
    '32555555555,Anna,Lāce,161175-19997,Bauskas PII Mārīte,2024-01-01,2026-09' > typo.csv
if ctl import queue typo.csv > /dev/null 2> errt; then fail "a misspelled institution was accepted"; fi
expect_grep "^typo.csv:2:5: institution: nezināma iestāde 'Dobeles PII Zilte' (vai domājāt 'Dobeles PII \"Zīlīte\"'?)" errt
expect_grep "^typo.csv:3:5: institution: nezināma iestāde 'Bauskas PII Mārīte'" errt
expect_eq "no institution made" "$(sql 'select count(*) from institutions')" 1
sed 2d typo.csv > new.csv
ctl import queue --new-institutions new.csv > outn
expect_grep '^new_institution=Bauskas PII Mārīte$' outn
expect_grep 'rows=1 inserted=1' outn
ctl institution list > il
expect_grep '^institutions=2$' il
printf '%s\n' 'child_code,child_given_name,child_family_name,guardian_code,institution,registered_at,desired_start' \
    '32444444444,Ēriks,Lācis,020202-10005,PII Ķipari,2024-01-01,2026-09' > orphan.csv
if ctl import queue orphan.csv > /dev/null 2> err7; then fail "orphan accepted"; fi
expect_grep '^orphan.csv:2:4: guardian_code' err7

# Fees: a fee without a reference gets a valid RF reference.
printf '%s\n' 'personal_code,kind,period,amount,due_date,reference' \
    '161175-19997,dog,2026,10.00,2026-03-02,' \
    '32111111111,nin,2026-Q1,45.67,2026-03-31,RF18539007547034' > fees.csv
ctl import fees fees.csv > out8
expect_grep 'rows=2 inserted=2' out8
expect_eq "cents" "$(sql "select amount_cents from fees where kind='nin'")" 4567
ref=$(sql "select reference from fees where kind='dog'")
case "$ref" in RF[0-9][0-9]*) ;; *) fail "generated reference '$ref'";; esac
ctl import fees fees.csv > out9
expect_grep 'inserted=0 updated=0 unchanged=2' out9
expect_eq "reference kept" "$(sql "select reference from fees where kind='dog'")" "$ref"

# Fee kinds are reference data too: NĪN, Nin and nin are one kind; a
# Latvian spreadsheet's semicolons are read as such.
ctl feekind list > fk
expect_grep '^nin  *Nekustamā īpašuma nodoklis / Real estate tax$' fk
printf '%s\r\n' 'personal_code;kind;period;amount;due_date;reference' \
    '161175-19997;NĪN;2026-Q2;12,50;2026-05-15;' \
    '32111111111;Nin;2026-Q2;45.67;2026-05-15;' > semi.csv
ctl import fees semi.csv > outs
expect_grep 'rows=2 inserted=2' outs
expect_eq "kinds" "$(sql "select count(*) from fees where kind = 'nin' and period = '2026-Q2'")" 2
printf '%s\n' 'personal_code;kind;period;amount;due_date' \
    '161175-19997;suns;2026;10.00;2026-03-02' > suns.csv
if ctl import fees suns.csv > /dev/null 2> errs; then fail "fee kind suns accepted"; fi
expect_grep "^suns.csv:2:2: kind: nezināms maksājuma veids 'suns'" errs
ctl feekind add atkritumi --name-lv "Atkritumu apsaimniekošana" --name-en "Waste management" > fka
expect_grep '^fee_kind=atkritumi$' fka
if ctl feekind add waste --name-lv "Atkritumu apsaimniekošana" --name-en "Waste" > /dev/null 2> fkb; then
	fail "two fee kinds with one name"; fi
sed 's/suns/Atkritumu apsaimniekošana/' suns.csv > waste.csv
ctl import fees waste.csv > outw
expect_eq "by its name" "$(sql "select count(*) from fees where kind = 'atkritumi'")" 1
# Columns split by something else: one message, not one per column.
printf '%s\n' 'personal_code|given_name|family_name' > pipe.csv
if ctl import residents pipe.csv > /dev/null 2> errp; then fail "pipe file accepted"; fi
expect_eq "one message" "$(grep -c '^pipe.csv:[0-9]' errp)" 1
echo "import: ok"
