# report: munictl report's tables (issue 21) over rows of every kind —
# kiosk sign-ins, SMS and USSD requests by week and by territory (a
# shared phone counted for its first resident), deliveries and costs by
# broadcast and topic, card checks by merchant, cases by status and age —
# with bars; --csv with a section line and a header per table; --since
# and --until as Riga days, bad ones a clear error; --raw the key=value
# figures as before.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
write_conf
ctl init > /dev/null
export MUNI_LANG=en

# 2026-11-30 (a Monday) 12:00 in Riga is 10:00 UTC.
mon=1796032800
day=86400
sql "insert into residents (id, personal_code, given_name, family_name,
    phone, phone_kind, lang, territory, updated_at) values
    (1, '010101-10001', 'Anna', 'Bērziņa', '+37120000001', 0, 'lv',
     'Dobele', 0),
    (2, '010101-10002', 'Pēteris', 'Ozols', '+37120000001', 0, 'lv',
     'Auce', 0),
    (3, '010101-10003', 'Ilze', 'Liepa', '+37120000003', 0, 'lv',
     'Auce', 0)"
# The week of 11-30: Anna's phone 3 SMS and a USSD, Ilze 1 SMS, a kiosk
# sign-in by Ilze; the week of 12-07: 2 SMS from a stranger.
for i in 1 2 3; do
	sql "insert into inbox (source, dest, kind, data_coding, body,
	    received_at) values ('37120000001', '505', 'sms', 0, x'', $mon)"
done
sql "insert into inbox (source, dest, kind, data_coding, body, received_at)
    values ('+37120000001', '505', 'ussd', 0, x'', $mon + $day),
    ('37120000003', '505', 'sms', 0, x'', $mon + 2 * $day),
    ('37129999999', '505', 'sms', 0, x'', $mon + 7 * $day),
    ('37129999999', '505', 'sms', 0, x'', $mon + 8 * $day),
    ('37129999999', '505', 'sms', 0, x'', $mon - 30 * $day)"
sql "insert into otp (resident_id, code_hash, created_at, expires_at)
    values (3, 'x', $mon + 3 * $day, $mon + 3 * $day + 300)"
# A broadcast of 3 (2 delivered, 1 failed, 6 segments) under kultura.
sql "insert into broadcasts (id, topic, text, state, recipients, segments,
    created_at, updated_at) values (5, 'kultura', 'x', 'done', 3, 6,
    $mon, $mon)"
for st in delivered delivered undeliverable; do
	sql "insert into outbox (phone, text, state, created_at, not_before,
	    topic, broadcast_id, updated_at) values ('+37120000003', 'x',
	    '$st', $mon, 0, 'kultura', 5, $mon)"
done
sql "insert into outbox_parts (outbox_id, part, state, updated_at)
    select id, 1, 'accepted', $mon from outbox"
sql "insert into outbox_parts (outbox_id, part, state, updated_at)
    select id, 2, 'accepted', $mon from outbox"
# Card checks: Rimi 3 (1 valid, 2 wrong), Maxima 1 used.
sql "insert into merchants (id, name, created_at, updated_at)
    values (1, 'Rimi', 0, 0), (2, 'Maxima', 0, 0)"
sql "insert into card_checks (merchant_id, result, day, at) values
    (1, 'valid', '2026-11-30', $mon), (1, 'wrong', '2026-11-30', $mon),
    (1, 'locked', '2026-11-30', $mon), (2, 'used', '2026-12-01',
    $mon + $day)"
# Cases: one new filed today, one in progress 10 days old, one done.
now=$(date +%s)
sql "insert into reports (case_no, kind, resident_id, phone, channel, text,
    status, created_at) values
    ('I-2026-000001', 'application', 1, '+37120000001', 'sms', 'x', 'new',
     $now - 60),
    ('I-2026-000002', 'application', 3, '+37120000003', 'sms', 'x',
     'in_progress', $now - 10 * $day),
    ('P-2026-000003', 'police', 3, '+37120000003', 'sms', 'x', 'done',
     $now - 40 * $day)"

ctl report --since 2026-11-30 --until 2026-12-13 > rep
cat rep
expect_grep '^munictl report: 2026-11-30 to 2026-12-13 (Europe/Riga)$' rep
# Weeks: kiosk SMS USSD total, the fullest week's bar the longest.
expect_grep '^2026-11-30  *1  *4  *1  *6  █' rep
expect_grep '^2026-12-07  *0  *2  *0  *2  █' rep
[ "$(grep '^2026-11-30' rep | grep -o '█' | wc -l)" -gt \
    "$(grep '^2026-12-07' rep | grep -o '█' | wc -l)" ] ||
    fail "the bars do not follow the figures"
# Territories: Anna's phone is Anna's (Dobele), not Pēteris's (Auce).
expect_grep '^Dobele  *0  *3  *1  *4 ' rep
expect_grep '^Auce  *1  *1  *0  *2 ' rep
expect_grep '^(none)  *0  *2  *0  *2 ' rep
# Broadcast 5: 3 recipients, 2 delivered, 1 failed, 6 x 0.04 EUR.
expect_grep '^5  *kultura  *done  *3  *2  *1  *0.24  █' rep
# Topic: 3 messages, 6 segments the SMSC took.
expect_grep '^kultura  *3  *2  *1  *6  *0.24  █' rep
expect_grep '^Rimi  *3  *1  *0  *0  *2  █' rep
expect_grep '^Maxima  *1  *0  *0  *1  *0  █' rep
expect_grep '^new  *1  *1  *0  *0  *0  █' rep
expect_grep '^in_progress  *1  *0  *0  *1  *0  █' rep
expect_grep '^done  *1  *0  *0  *0  *1  █' rep
expect_grep '^rejected  *0  *0  *0  *0  *0  $' rep
# Fitted to 80 columns when not a terminal.
[ "$(perl -CSD -ne 'chomp; $m = length if length > $m; END { print $m }' \
    rep)" -le 80 ] || fail "a line wider than 80 columns"

# CSV: a section line, a header, the rows; a blank line between.
ctl report --csv --since 2026-11-30 --until 2026-12-13 > rep.csv
expect_grep '^weeks$' rep.csv
expect_grep '^week,kiosk,SMS,USSD,total$' rep.csv
expect_grep '^2026-11-30,1,4,1,6$' rep.csv
expect_grep '^territories$' rep.csv
expect_grep '^merchants$' rep.csv
expect_grep '^merchant,checks,valid,no offer,used or expired,wrong$' rep.csv
expect_grep '^Rimi,3,1,0,0,2$' rep.csv
expect_grep '^cases$' rep.csv
expect_no_grep '█' rep.csv
expect_eq "sections" "$(grep -c '^$' rep.csv)" 5
# --until alone: the week of 11-30 only when it ends on 12-06.
ctl report --csv --since 2026-11-30 --until 2026-12-06 > r2.csv
expect_no_grep '^2026-12-07' r2.csv

# Bad dates: a clear error naming the option, exit 1.
for bad in 2026-13-01 2026-02-30 yesterday; do
	rc=0; ctl report --since "$bad" > out 2> err || rc=$?
	expect_eq "--since $bad" "$rc" 1
	expect_grep "^munictl report: --since '$bad': not a date (YYYY-MM-DD)\$" err
done
rc=0; ctl report --since 2026-12-10 --until 2026-12-01 > out 2> err || rc=$?
expect_eq "since after until" "$rc" 1
expect_grep '^munictl report: --since 2026-12-10 is after --until 2026-12-01$' err
# --raw: the key=value figures scripts read, unchanged.
ctl report --raw > raw
expect_grep '^residents=3 with_mobile=3 queue_active=0$' raw
expect_grep '^merchants=2 offers=0 card_checks=4 card_valid=1 card_checks_24h=0$' raw
expect_no_grep '█' raw
rc=0; ctl report --raw --csv > out 2> err || rc=$?
expect_eq "--raw with --csv" "$rc" 2
echo "report: ok"
