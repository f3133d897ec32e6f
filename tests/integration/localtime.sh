#!/bin/sh
# localtime: local time is the municipality's ([municipality] timezone),
# never the process's TZ. The finding, reproduced: from a shell in UTC at
# 21:35 Riga time, `munictl broadcast send --yes` and `broadcast approve`
# queue for 08:00 Riga, and munictl shows Riga's clock; the gateway, also
# started in UTC, holds a broadcast row an old client queued at 21:35 with
# not_before 0 until 08:00 Riga, while a one-time code, a reply to the
# resident's own SMS, a single message and an emergency go at once; at
# 08:00 the held row goes. An unknown zone or a path is a configuration
# error naming FILE:LINE and the key. Run under any TZ (zones.sh runs it
# under UTC and America/New_York too); the answers are the same.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"

B=$MUNI_BIN
. "$MUNI_TOP/tests/integration/gwlib.sh"

# 2026-12-07 21:35 and 2026-12-08 08:00 in Riga (EET, UTC+2).
at2135=1796672100
at0800=1796709600
[ "$(TZ=Europe/Riga date -d "@$at2135" '+%F %T')" = "2026-12-07 21:35:00" ] ||
    fail "the test's own epoch is wrong"
[ "$(TZ=Europe/Riga date -d "@$at0800" '+%F %T')" = "2026-12-08 08:00:00" ] ||
    fail "the test's own epoch is wrong"
export MUNI_LANG=en USER=anna
unset SUDO_USER || true

# Configuration: a zone the database lacks, a path, an empty value.
write_conf
printf '[municipality]\n\ntimezone = Europe/Rgia\n' >> muni.conf
if ctl init > /dev/null 2> z1; then fail "an unknown zone was accepted"; fi
expect_grep "muni.conf:5: municipality.timezone: 'Europe/Rgia' is not in the time zone database" z1
if "$B/muni-smsgw" -n -c muni.conf > /dev/null 2> z2; then
	fail "muni-smsgw -n accepted an unknown zone"; fi
expect_grep "muni.conf:5: municipality.timezone: 'Europe/Rgia'" z2
write_conf
printf '[municipality]\ntimezone = ../../../../etc/passwd\n' >> muni.conf
if ctl init > /dev/null 2> z3; then fail "a path was taken as a zone"; fi
expect_grep "muni.conf:4: municipality.timezone: '../../../../etc/passwd' is not a time zone name" z3
write_conf
printf '[municipality]\ntimezone = /usr/share/zoneinfo/Europe/Riga\n' >> muni.conf
if ctl init > /dev/null 2> z4; then fail "an absolute path was taken"; fi
expect_grep "muni.conf:4: municipality.timezone: .* is not a time zone name" z4

sim_start -r 20 -e 0
hport=$(free_port)
{ gw_conf_head; cat <<EOF
[http]
listen = 127.0.0.1:$hport
[sms]
quiet_hours = 21:00-08:00
[broadcast]
approval_threshold = 150
[municipality]
timezone = Europe/Riga
EOF
} > muni.conf
ctl init > /dev/null 2>&1
ctl demo --residents 300 --seed 7 > /dev/null 2>&1
ctl group add seniori --rule "age >= 70 AND has_mobile" > g1
small=$(sed -n 's/^members=//p' g1)
[ "$small" -gt 0 ] && [ "$small" -lt 150 ] || fail "seniori has $small members"
ctl group add visi --rule "has_mobile" > /dev/null
# Four eyes: anna (root here) sends, janis, a real Unix user, approves.
ctl staff add anna --role admin --unix root > /dev/null
approver=0
if [ "$(id -u)" = 0 ] && command -v useradd > /dev/null; then
	trap staff_unix_cleanup EXIT
	trap 'exit 1' INT TERM
	staff_unix janis
	ctl staff add janis --role approver --unix "$u_janis" > /dev/null
	approver=1
fi

# The finding: munictl in a UTC shell at 21:35 Riga time.
utc() { TZ=UTC MUNI_FAKE_NOW=$at2135 "$B/munictl" -c muni.conf "$@"; }
utc broadcast send --group seniori --text "Bibliotēka slēgta" --topic pii --yes > b1
bid=$(sed -n 's/^broadcast=//p' b1)
[ -n "$bid" ] || { cat b1; fail "no broadcast"; }
expect_grep '^quiet_moved_start=1$' b1
expect_grep '^start="2026-12-08 08:00:00"$' b1
expect_eq "first not_before" "$(sql "select min(not_before) from outbox
    where broadcast_id = $bid")" "$at0800"
# --at 22:00 is Riga's 22:00, still quiet: 08:00.
utc broadcast send --group seniori --text "Rīt" --topic pii --at 22:00 --yes > b2
expect_grep '^start="2026-12-08 08:00:00"$' b2
# --at 09:30 is the next morning's 09:30 in Riga (07:30 UTC).
utc broadcast send --group seniori --text "Rīt" --topic pii --at 09:30 --yes > b3
b3id=$(sed -n 's/^broadcast=//p' b3)
expect_eq "--at 09:30" "$(sql "select min(not_before) from outbox
    where broadcast_id = $b3id")" "$((at0800 + 5400))"
# Approval from a UTC shell at night: queued for 08:00, not released.
utc broadcast send --group visi --text "Ūdens" --topic pii --yes > a1
aid=$(sed -n 's/^broadcast=//p' a1)
expect_grep '^broadcast_state=awaiting_approval$' a1
if [ "$approver" = 1 ]; then
	# staff_share, but the gateway's configuration stays private: janis
	# gets one without the SMSC password.
	cp muni.conf gw.conf
	staff_share
	grep -v '^password' gw.conf > muni.conf
	cp gw.conf gw-private.conf
	chmod 600 gw-private.conf
	runuser -u "$u_janis" -- env TZ=UTC MUNI_FAKE_NOW=$((at2135 + 300)) \
	    MUNI_LOCALEDIR="$PWD/shared/locale" "$PWD/shared/munictl" \
	    -c "$PWD/muni.conf" broadcast approve "$aid" > a2
	mv gw-private.conf muni.conf
	rm gw.conf
	expect_grep '^messages=' a2
	expect_eq "approved at night" "$(sql "select count(*) from outbox
	    where broadcast_id = $aid and not_before < $at0800")" 0
else
	echo "SKIP: approval at night needs root to make a second Unix user"
fi
# munictl shows Riga's clock, whatever the shell's.
utc sms send 20000901 "Sveiki" > s1
sid=$(sed -n 's/^message=//p' s1)
TZ=America/New_York MUNI_FAKE_NOW=$at2135 "$B/munictl" -c muni.conf \
    sms status "$sid" > s2
expect_grep '2026-12-07 21:35:' s2
# Planned rows are not what the gateway part is about.
sql "update outbox set state = 'cancelled' where broadcast_id is not null
    or id = $sid"

# The gateway, started in UTC at 21:35 Riga time. A broadcast row queued by
# an old client with not_before 0, an OTP, a single message, an emergency.
phone=$(sql "select phone from residents where phone_kind = 0 order by id limit 1")
sql "insert into outbox (phone, text, encoding, priority, created_at,
    not_before, topic, broadcast_id, updated_at) values ('$phone',
    'Vecs klients', 'auto', -1, $at2135, 0, 'pii', $bid, $at2135)"
held=$(sql "select max(id) from outbox")
sql "insert into outbox (phone, text, encoding, priority, created_at,
    not_before, updated_at) values ('+37120000902', 'Kods 123456', 'auto',
    20, $at2135, 0, $at2135)"
utc sms send 20000903 "Viena ziņa" > /dev/null
sql "insert into outbox (phone, text, encoding, priority, created_at,
    not_before, topic, updated_at) values ('+37120000904', 'Vētra',
    'auto', 5, $at2135, 0, 'arkartas', $at2135)"
TZ=UTC MUNI_FAKE_NOW=$at2135 "$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
gwpid=$!
wait_for 10 "a bind" healthy
# A resident's own SMS gets its reply at night.
mo +37120000905 HELP
[ -s reply.txt ] || die "no reply to HELP at night"
for p in +37120000902 +37120000903 +37120000904; do
	wait_for 10 "the message to $p" outbox_settled "$p"
done
simctl flush > /dev/null
grep -q "dst=$phone " submit.log && die "a broadcast row went out in quiet hours"
expect_eq "held row" "$(sql "select state || ' ' || not_before from outbox
    where id = $held")" "queued $at0800"
wait_for 5 "the hold logged" grep -q \
    'quiet hours: 1 broadcast messages wait until 2026-12-08 08:00:00' gw.err
gw_stop

# At 08:00 Riga it goes.
TZ=UTC MUNI_FAKE_NOW=$at0800 "$B/muni-smsgw" -c muni.conf -d 2>>gw.err &
gwpid=$!
wait_for 10 "a bind" healthy
wait_for 10 "the held row sent at 08:00" outbox_settled "$phone"
simctl flush > /dev/null
grep -q "dst=$phone " submit.log || die "the held row never went"
gw_stop
echo "localtime: ok"
