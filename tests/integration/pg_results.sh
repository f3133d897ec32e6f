#!/bin/sh
# pg_results: the statements whose text was rewritten to serve both
# dialects, or has a PostgreSQL text of its own (STMT2), give the same
# rows, and change the same number of rows, on both engines:
# tests/integration/pg_results.c runs the script below through the store
# on SQLite and through libpq on PostgreSQL and compares each answer.
# Upserts that change nothing write nothing (IS DISTINCT FROM), NULL
# tests of typed parameters, LIKE as SQLite's (ASCII case ignored, no
# escape), string_agg in phone order, LIMIT ALL, counts of comparisons,
# JSON payloads field by field. Ids are compared only where PostgreSQL's
# match SQLite's: an upsert draws a sequence value even when it updates
# (so ids after one are not SQLite's), and ids given outright need
# PG_SYNC_IDENTITIES (SYNC), or for the demo's fees ST_DEMO_FEE_IDS_DONE,
# before the next drawn one.
#
# Then ST_OUTBOX_DATA_VERSION on PostgreSQL: the same while nothing is
# written, another after another connection commits.
set -eu
. "$MUNI_TOP/tests/integration/lib.sh"
. "$MUNI_TOP/tests/integration/pgschemalib.sh"

url=$(pg_schema_db q)
pg_link pg_results

cat > script.txt <<'EOF'
# Fixtures, the same rows on both, ids given; then the identities moved on.
SQL	INSERT INTO residents (id, personal_code, given_name, family_name, phone, phone_kind, lang, territory, birth_date, updated_at) VALUES (1, 'p1', 'Anna', 'Ozola', '+37120000001', 0, 'lv', 'Dobele', '1980-01-01', 1), (2, 'p2', 'Jānis', 'Kalns', NULL, NULL, 'en', 'Auce', NULL, 1), (3, 'p3', 'Ilze', 'Liepa', '+37120000003', 0, 'lv', 'Dobele', '2019-05-01', 1)
SQL	INSERT INTO topics (id, code, name_lv, name_en, default_on, emergency) VALUES (1, 'kultura', 'Kultūra', 'Culture', 1, 0), (2, 'arkartas', 'Ārkārtas', 'Emergency', 1, 1), (3, 'nodokli', 'Nodokļi', 'Taxes', 0, 0)
SQL	INSERT INTO institutions (id, name, territory) VALUES (1, 'PII "Zīlīte"', 'Dobele'), (2, 'PII Auce', 'Auce')
SQL	INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (1, 'anna', 'admin', 'h', 1), (2, 'juris', 'approver', NULL, 1), (3, 'ilze', 'operator', NULL, 1)
SQL	INSERT INTO audit_log (id, at, actor, action, detail, origin) VALUES (1, 1, 'anna', 'a', '', 'unix:root by anna'), (2, 2, 'root', 'b', '', 'unix:root by ANNA'), (3, 3, 'a_na', 'c', '', 'unix:x'), (4, 4, 'bob', 'd', '', 'unix:bob by a%')
SQL	INSERT INTO outbox (id, phone, text, state, created_at, updated_at, message_id, rgroup, broadcast_id, topic, resident_id) VALUES (1, '+37120000001', 'a', 'accepted', 1, 1, 'm1', NULL, NULL, NULL, 1), (2, '+37120000001', 'b', 'accepted', 1, 1, 'm2', 'g1', NULL, NULL, 1), (3, '+37120000009', 'c', 'delivered', 1, 7, 'm3', 'g2', NULL, NULL, NULL), (9, '+37120000008', 'q', 'accepted', 1, 1, NULL, NULL, NULL, NULL, NULL)
SQL	INSERT INTO outbox_parts (outbox_id, part, message_id, state, updated_at, rgroup) VALUES (2, 0, 'm1', 'accepted', 1, 'g1'), (2, 1, 'm5', 'delivered', 1, 'g1'), (9, 0, 'm7', 'delivered', 1, NULL), (9, 1, 'm8', 'delivered', 1, NULL), (3, 0, 'm6', 'delivered', 1, NULL), (3, 1, 'm1', 'rejected', 1, NULL)
SQL	INSERT INTO broadcasts (id, group_id, topic, text, emergency, state, created_at, updated_at) VALUES (1, NULL, 'kultura', 'x', 0, 'sending', 1, 1), (2, NULL, 'arkartas', 'y', 1, 'sending', 1, 1), (3, NULL, NULL, 'z', 0, 'sending', 1, 1)
SQL	INSERT INTO outbox (id, phone, text, created_at, updated_at, broadcast_id, topic, resident_id) VALUES (4, '+37120000001', 'k', 1, 1, 1, NULL, 1), (5, '+37120000001', 'e', 1, 1, 2, NULL, 1), (6, '+37120000001', 'n', 1, 1, 3, 'nodokli', 1), (7, '+37120000007', 'p', 1, 1, 3, NULL, NULL), (8, '+37120000001', 'd', 1, 1, NULL, NULL, 1)
SQL	INSERT INTO merchants (id, name, territory, created_at, updated_at) VALUES (1, 'Maiznīca', 'Dobele', 1, 1), (2, 'Aptieka', 'Auce', 1, 1)
SQL	INSERT INTO merchant_phones (phone, merchant_id) VALUES ('+37129000002', 1), ('+37129000001', 1)
SQL	INSERT INTO groups (id, name, kind, created_at) VALUES (1, 'Manuālā', 'manual', 1)
SQL	INSERT INTO group_members (id, group_id, resident_id, phone) VALUES (1, 1, 1, NULL), (2, 1, NULL, '+37120000077'), (3, 1, 3, NULL)
SQL	INSERT INTO offers (id, merchant_id, group_id, text_lv, valid_from, valid_to, created_at, updated_at) VALUES (1, 1, 1, '-10%', '2026-01-01', '2026-12-31', 1, 1), (2, 2, 1, '-5%', '2026-01-01', '2026-03-31', 1, 1)
SQL	INSERT INTO card_checks (id, merchant_id, code_id, result, day, at) VALUES (1, 1, 1, 'valid', '2026-06-15', 10), (2, 1, NULL, 'wrong', '2026-06-15', 20)
SQL	INSERT INTO callback_targets (name, events) VALUES ('a', 1), ('b', 4), ('c', 5)
SQL	INSERT INTO reports (id, case_no, kind, channel, text, created_at) VALUES (1, 'P-1', 'police', 'sms', 'x', 1), (2, 'A-1', 'application', 'kiosk', 'y', 2)
SQL	INSERT INTO receipts_pending (rgroup, message_id, phone, state, received_at) VALUES ('', 'r1', '', 'delivered', 1), ('', 'r2', '', 'delivered', 2), ('g', 'r3', '+371', 'expired', 3), ('', 'r4', '', 'delivered', 4)
SQL	INSERT INTO fees (id, resident_id, kind, period, amount_cents, due_date, paid_cents, updated_at) VALUES (1, 1, 'nin', '2026', 5000, '2026-06-20', 0, 1), (2, 3, 'nin', '2026', 700, '2026-06-20', 100, 1)
SQL	INSERT INTO queue_entries (id, child_code, child_given_name, child_family_name, guardian_id, institution_id, registered_at, desired_start, priority, status, updated_at) VALUES (1, 'k1', 'Ance', 'Ozola', 1, 1, '2025-01-01 10:00:00', '2027-09', 0, 'active', 1), (2, 'k2', 'Miks', 'Liepa', 3, 1, '2025-01-02 10:00:00', '2027-09', 0, 'placed', 1)
SQL	INSERT INTO reminders_sent (kind, ref_id, due, sent_at) VALUES ('queue_pos', 1, '000003', 1), ('queue_pos', 1, '000002', 2), ('queue_placed', 2, '', 3)
SYNC
# STOP's cancel: any topic, then one
ST_SVC_CANCEL_BROADCASTS	sIs	+37120000001	9	nodokli
Q	SELECT id, state FROM outbox ORDER BY id
ST_SVC_CANCEL_BROADCASTS	sIs	+37120000001	10	\N
ST_SVC_CANCEL_BROADCASTS	sIs	+37120000007	10	\N
Q	SELECT id, state, updated_at FROM outbox ORDER BY id
# staff: the PIN as 0/1, approvers but one (IS DISTINCT FROM)
ST_STAFF_BY_NAME	s	anna
ST_STAFF_BY_NAME	s	juris
ST_STAFF_LIST	
ST_STAFF_APPROVERS	s	\N
ST_STAFF_APPROVERS	s	anna
# audit: everyone, a name and those acting as it (LIKE: ASCII case ignored,
# _ and % as wildcards, no escape), a name with a wildcard
ST_AUDIT_LIST	sII	\N	0	10
ST_AUDIT_LIST	sII	anna	0	10
ST_AUDIT_LIST	sII	a_na	0	10
ST_AUDIT_LIST	sII	ANNA	2	10
# upserts: no change is no write (IS DISTINCT FROM, NULL too)
ST_RESIDENT_UPSERT	ssssissssI	p1	Anna	Ozola	+37120000001	0	lv	Dobele		1980-01-01	5
ST_RESIDENT_UPSERT	ssssissssI	p1	Anna	Ozola	\N	0	lv	Dobele		1980-01-01	6
ST_RESIDENT_UPSERT	ssssissssI	p1	Anna	Ozola	\N	0	lv	Dobele		1980-01-01	7
ST_RESIDENT_UPSERT	ssssissssI	p4	Pēteris	Zars	+37120000004	0	lv	Auce		\N	8
Q	SELECT given_name, phone, territory, updated_at FROM residents ORDER BY given_name
ST_QUEUE_UPSERT	sssIIssiI	k3	Roberts	Zars	3	2	2026-01-01 09:00:00	2028-09	0	5
ST_QUEUE_UPSERT	sssIIssiI	k3	Roberts	Zars	3	2	2026-01-01 09:00:00	2028-09	0	6
ST_QUEUE_UPSERT	sssIIssiI	k3	Roberts	Zars	3	2	2026-01-01 09:00:00	2028-09	2	7
ST_FEE_UPSERT	IssIssI	3	dog	2026	1500	2026-07-01	\N	5
ST_FEE_UPSERT	IssIssI	3	dog	2026	1500	2026-07-01	\N	6
ST_FEE_UPSERT	IssIssI	3	dog	2026	1500	2026-07-01	RF18DOG	7
ST_FEE_UPSERT	IssIssI	3	dog	2026	1500	2026-07-01	\N	8
ST_FEE_UPSERT	IssIssI	3	dog	2026	1600	2026-07-01	\N	9
Q	SELECT id, resident_id, kind, amount_cents, reference, updated_at FROM fees ORDER BY id
SYNC
ST_DEMO_FEE_INSERT	IssIssIIIs	3	nin	2030	100	2026-08-01	\N	0	\N	1	\N
ST_DEMO_FEE_INSERT	IssIssIIIs	3	nin	2031	100	2031-08-01	\N	0	\N	1	40
# the demo's own ids done with: the next fee is 41 on both
ST_DEMO_FEE_IDS_DONE	
ST_FEE_UPSERT	IssIssI	3	nin	2028	100	2028-08-01	\N	9
Q	SELECT id, period FROM fees ORDER BY id
# subscriptions, STOP and START alone
ST_SVC_SUBSCRIBE	IIiI	1	3	1	5
ST_SVC_SUBSCRIBE	IIiI	1	3	1	6
ST_SVC_STOP_LEFT_NOTE	I	1
ST_SVC_UNSUBSCRIBE_ALL	II	1	7
ST_SVC_UNSUBSCRIBE_ALL	II	1	8
Q	SELECT resident_id, topic_id, subscribed, updated_at FROM subscriptions ORDER BY 1, 2
Q	SELECT resident_id, topic_id FROM stop_all_left ORDER BY 1, 2
ST_SVC_RESUBSCRIBE_STOPPED	II	1	9
Q	SELECT resident_id, topic_id, subscribed, updated_at FROM subscriptions ORDER BY 1, 2
ST_SVC_COUNTER_NEXT	s	P-2026
ST_SVC_COUNTER_NEXT	s	P-2026
# counts of comparisons
ST_TOPICS_COUNT	
ST_OUTBOX_PARTS_SUMMARY	I	1
ST_OUTBOX_PARTS_SUMMARY	I	2
ST_OUTBOX_PARTS_SUMMARY	I	3
ST_OUTBOX_PARTS_SUMMARY	I	9
ST_CARD_REPORT	I	15
ST_CARD_TOPIC	
ST_CARD_TOPIC	
Q	SELECT code, default_on, emergency FROM topics ORDER BY id
# receipts by id and group (NULL: any group)
ST_OUTBOX_RCPT_OPEN	ss	m1	\N
ST_OUTBOX_RCPT_OPEN	ss	m1	g1
ST_OUTBOX_RCPT_OPEN	ss	m1	g2
ST_OUTBOX_RCPT_KNOWN	ss	m1	\N
ST_OUTBOX_RCPT_KNOWN	ss	m1	g2
ST_RECEIPT_PENDING_CAP	i	2
Q	SELECT message_id FROM receipts_pending ORDER BY message_id
ST_RECEIPT_PENDING_CAP	i	0
Q	SELECT count(*) FROM receipts_pending
# a manual group's members, the broadcast columns off and on
ST_GROUP_MANUAL_MEMBERS	IIInnnnn	0	100	1
ST_GROUP_MANUAL_MEMBERS	IIIIisis	0	100	1	3	0	nin	1	\N
ST_GROUP_MANUAL_MEMBERS	IIIIisis	1	1	1	1	1	dog	1	PII "Zīlīte"
# the card
ST_CARD_MERCHANT_LIST	
ST_CARD_OFFER_LIST	I	\N
ST_CARD_OFFER_LIST	I	2
ST_CARD_OFFERS_LIVE	ssI	2026-06-15	Dobele	\N
ST_CARD_OFFERS_LIVE	ssI	2026-03-15	Auce	\N
ST_CARD_OFFERS_LIVE	ssI	2026-03-15	Auce	1
# callbacks: MO and a message's final state
ST_CB_MO	sIssI	+37120000001	1	Sveiki "x"	\N	100
ST_CB_MO	sIssI	+37120000009	\N	Labdien	P-1	101
ST_CB_MESSAGE_FINAL	I	3
ST_CB_MESSAGE_FINAL	I	1
Q2	SELECT target, event, subject, created_at, json_extract(payload, '$.phone'), json_extract(payload, '$.resident_id'), json_extract(payload, '$.text'), json_extract(payload, '$.case_no'), json_extract(payload, '$.id'), json_extract(payload, '$.state'), json_extract(payload, '$.at') FROM callbacks ORDER BY id	SELECT target, event, subject, created_at, payload::json->>'phone', payload::json->>'resident_id', payload::json->>'text', payload::json->>'case_no', payload::json->>'id', payload::json->>'state', payload::json->>'at' FROM callbacks ORDER BY id
ST_CB_LIST	sI	\N	10
ST_CB_LIST	sI	done	10
ST_CASES_LIST	ssI	\N	\N	10
ST_CASES_LIST	ssI	new	police	10
ST_CB_FINAL_WANTED	
# the API's Idempotency-Key: a second put replaces the first
ST_IDEM_PUT	ssssisI	api	POST /x	k1	abc	201	one	1
ST_IDEM_PUT	ssssisI	api	POST /x	k1	def	409	two	2
ST_IDEM_GET	sssI	api	POST /x	k1	0
# reminders
ST_REMIND_DUE	sssII	nin	2026-06-20	nodokli	0	10
ST_REMIND_DUE	sssII	nin	2026-06-20	kultura	0	10
ST_REMIND_QUEUE	IsI	0	kultura	10
EOF
n=$(grep -c '^ST_' script.txt)
./pg_results results.db "$url" < script.txt > results.out 2> results.log ||
    { grep -B1 -A3 -E 'DIFFER|SQLite:|PostgreSQL:|failures' results.out >&2;
    fail "the engines answer differently"; }
expect_grep "^$n statements run, 0 failures$" results.out
# Not only equal but right.
expect_grep "^ST_RESIDENT_UPSERT: changed 0$" results.out
expect_grep "^ST_STAFF_APPROVERS: 2|juris|" results.out
expect_grep "^ST_OUTBOX_PARTS_SUMMARY: delivered;$" results.out
expect_grep "^ST_CARD_MERCHANT_LIST: .*|+37129000001,+37129000002|1;$" \
    results.out
expect_grep "^SELECT message_id FROM receipts_pending ORDER BY message_id: r3;r4;$" \
    results.out
expect_grep "^ST_IDEM_GET: def|409|two;$" results.out
expect_grep "^ST_DEMO_FEE_IDS_DONE: 41;$" results.out
expect_grep "^ST_FEE_UPSERT: 41|NULL;$" results.out

dv=$(./pg_sql text ST_OUTBOX_DATA_VERSION)
v1=$(pg q -c "$dv")
v2=$(pg q -c "$dv")
expect_eq "data_version, nothing written" "$v2" "$v1"
pg q -c "INSERT INTO counters (name, value) VALUES ('dv', 1)" > /dev/null
v3=$(pg q -c "$dv")
[ "$v3" != "$v1" ] || fail "data_version did not move after a commit"

echo "pg_results: $n statements answer alike on both engines"
