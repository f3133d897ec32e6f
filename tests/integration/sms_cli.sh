# sms_cli: munictl sms preview / send / status against a real database.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
write_conf
ctl init > /dev/null

# One Latvian letter makes UCS-2: 70 a segment, then 67 a part.
ctl sms preview "$(printf 'ā%.0s' $(seq 70))" > p1
expect_grep '^encoding=UCS-2 chars=70 units=70 segments=1 cost=0.040$' p1
ctl sms preview "$(printf 'ā%.0s' $(seq 71))" > p2
expect_grep '^encoding=UCS-2 chars=71 units=71 segments=2 cost=0.080$' p2
ctl sms preview "$(printf 'a%.0s' $(seq 160))" > p3
expect_grep '^encoding=GSM-7 chars=160 units=160 segments=1 cost=0.040$' p3
# translit is the municipality's choice, and it says what it changed.
ctl sms preview --translit "Rīgas pašvaldība" > p4
expect_grep '^encoding=GSM-7 chars=16 units=16 segments=1 cost=0.040$' p4
expect_grep 'ī→i, š→s' p4

ctl sms send --validity 300 "+371 2912 3456" "Jūsu kods: 123456" > s1
id=$(sed -n 's/^message=//p' s1)
[ -n "$id" ] || fail "no message id"
expect_eq "phone stored E.164" "$(sql "select phone from outbox where id=$id")" "+37129123456"
expect_eq "validity" "$(sql "select valid_until - created_at from outbox where id=$id")" 300
ctl sms status "$id" > st1
expect_grep '^state=queued$' st1
expect_grep '^phone=+371 2•••••56$' st1
if ctl sms status 999 > /dev/null 2>&1; then fail "status of a missing message"; fi
if ctl sms send 61234567 "x" > /dev/null 2> e1; then fail "fixed line accepted"; fi

# A batch is all or nothing too.
printf 'phone,text\n29000001,"Sveiki, Jāni!"\n29000002,"Otrā rinda"\n' > ok.csv
ctl sms send --batch ok.csv > b1
expect_grep '^messages=2$' b1
printf 'phone,text\n29000003,labi\n5555,slikti\n' > bad.csv
if ctl sms send --batch bad.csv > /dev/null 2> b2; then fail "bad batch accepted"; fi
expect_grep '^bad.csv:3:1: ' b2
expect_eq "outbox rows" "$(sql 'select count(*) from outbox')" 3

# One gate (outbox_enqueue_why) for send and --batch: each refusal in the
# producer's own form, naming what was wrong, and nothing written.
long=$(printf 'a%.0s' $(seq 1000))	# 7 GSM-7 segments; the limit is 6
if MUNI_LANG=en ctl sms send 29123456 "$long" > /dev/null 2> g1; then fail "7 segments accepted"; fi
expect_grep '^munictl sms send: the text needs 7 segments, \[sms\] max_segments is 6$' g1
if MUNI_LANG=en ctl sms send 61234567 "x" > /dev/null 2> g2; then fail "fixed line accepted"; fi
expect_grep '^munictl sms send: a fixed-line number cannot receive SMS$' g2
if MUNI_LANG=en ctl sms send --encoding utf8 29123456 "x" > /dev/null 2> g3; then fail "encoding utf8 accepted"; fi
expect_grep '^munictl sms send: is not one of auto, ucs2, translit, gsm7$' g3
ctl sms send --encoding gsm7 29123456 "Rīt" > /dev/null
printf 'phone,text
29000004,labi
61234567,fiksētais
29000005,%s
' "$long" > gate.csv
if MUNI_LANG=en ctl sms send --batch gate.csv > /dev/null 2> g4; then fail "gate batch accepted"; fi
expect_grep '^gate.csv:3:1: a fixed-line number cannot receive SMS$' g4
expect_grep '^gate.csv:4:2: text: needs 7 segments, the limit is 6$' g4
expect_eq "outbox rows after the gate" "$(sql 'select count(*) from outbox')" 4
sql "delete from outbox where encoding = 'gsm7'"

# munictl report counts them by state.
ctl report --raw > r1
expect_grep '^queued=3$' r1
expect_grep '^delivered=0$' r1
expect_grep '^messages=3 delivery_rate=0.000$' r1
expect_grep '^residents=0 with_mobile=0 queue_active=0$' r1
echo "sms_cli: ok"
