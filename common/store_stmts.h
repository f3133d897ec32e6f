/*
 * store_stmts.h: every SQL statement muni runs, in one table. store.c
 * prepares them all when the database opens; modules use them by id. Add a
 * line here, never build SQL at run time (the group-rule compiler, which
 * binds every value, is the only exception).
 *
 * One text serves both dialects muni means to run on (SQLite now,
 * PostgreSQL next) where it can: plain SQL with ?N parameters. Where the
 * dialects part (an upsert's spelling, date arithmetic, typeof, a pragma),
 * the line carries the second text beside the first:
 *
 *	STMT2(ST_X, "SQLite text", "PostgreSQL text")
 *
 * with the same parameters (PostgreSQL spells ?N as $N) and the same
 * columns in the same order, so a module binds and reads it one way.
 * tests/integration/sql_literals.sh holds both texts to literals, and
 * pg_stmts.sh prepares every statement on PostgreSQL: it must take the
 * parameters and give the columns it does on SQLite, none of them a
 * boolean (the store reads 0/1). What trips a shared text there: a
 * parameter whose type PostgreSQL cannot infer (?1 IS NULL alone: cast it
 * in the PostgreSQL text, $1::text), a number skipped (every ?N up to the
 * last must appear), IS NOT for IS DISTINCT FROM (both engines know the
 * latter), an upsert's bare column beside excluded's (name the table),
 * sum(a = b) (count(CASE WHEN a = b THEN 1 END)), json_object, and
 * group_concat (string_agg).
 *
 * No include guard: this file is an X-macro list, included with STMT and
 * STMT2 defined.
 */

/* audit */
STMT(ST_AUDIT_INSERT,
    "INSERT INTO audit_log (at, actor, action, detail, origin)"
    " VALUES (?1, ?2, ?3, ?4, ?5)")
/* ?1 name or NULL, ?2 since (epoch) ; oldest first, at most ?3 rows. */
STMT2(ST_AUDIT_LIST,
    "SELECT at, actor, origin, action, detail FROM audit_log"
    " WHERE (?1 IS NULL OR actor = ?1 OR origin LIKE '% by ' || ?1)"
    " AND at >= ?2 ORDER BY at, id LIMIT ?3",
    "SELECT at, actor, origin, action, detail FROM audit_log"
    " WHERE ($1::text IS NULL OR actor = $1"
    "  OR origin ILIKE '% by ' || $1 ESCAPE '')"
    " AND at >= $2 ORDER BY at, id LIMIT $3")
/* ?1 actor, ?2 action, ?3 since (epoch): rows after it (rate limits). */
STMT(ST_AUDIT_COUNT,
    "SELECT count(*) FROM audit_log WHERE actor = ?1 AND action = ?2"
    " AND at > ?3")

/* staff accounts */
/* Every row read has the columns of staff.c row_info(), in order. */
STMT(ST_STAFF_COUNT, "SELECT count(*) FROM staff")
STMT(ST_STAFF_BY_NAME,
    "SELECT id, name, display_name, role, coalesce(pending_role, ''),"
    " coalesce(pending_by, ''),"
    " CASE WHEN pin_hash IS NOT NULL THEN 1 ELSE 0 END,"
    " coalesce(unix_user, ''), coalesce(phone, ''),"
    " coalesce(birth_date, ''), disabled, created_at,"
    " coalesce(last_seen, 0) FROM staff WHERE name = ?1")
STMT(ST_STAFF_BY_ID,
    "SELECT id, name, display_name, role, coalesce(pending_role, ''),"
    " coalesce(pending_by, ''),"
    " CASE WHEN pin_hash IS NOT NULL THEN 1 ELSE 0 END,"
    " coalesce(unix_user, ''), coalesce(phone, ''),"
    " coalesce(birth_date, ''), disabled, created_at,"
    " coalesce(last_seen, 0) FROM staff WHERE id = ?1")
STMT(ST_STAFF_BY_UNIX,
    "SELECT id, name, display_name, role, coalesce(pending_role, ''),"
    " coalesce(pending_by, ''),"
    " CASE WHEN pin_hash IS NOT NULL THEN 1 ELSE 0 END,"
    " coalesce(unix_user, ''), coalesce(phone, ''),"
    " coalesce(birth_date, ''), disabled, created_at,"
    " coalesce(last_seen, 0) FROM staff WHERE unix_user = ?1")
STMT(ST_STAFF_LIST,
    "SELECT id, name, display_name, role, coalesce(pending_role, ''),"
    " coalesce(pending_by, ''),"
    " CASE WHEN pin_hash IS NOT NULL THEN 1 ELSE 0 END,"
    " coalesce(unix_user, ''), coalesce(phone, ''),"
    " coalesce(birth_date, ''), disabled, created_at,"
    " coalesce(last_seen, 0) FROM staff ORDER BY name")
/* Those who can approve and are not disabled; ?1 leaves one out. */
STMT(ST_STAFF_APPROVERS,
    "SELECT id, name, display_name, role, coalesce(pending_role, ''),"
    " coalesce(pending_by, ''),"
    " CASE WHEN pin_hash IS NOT NULL THEN 1 ELSE 0 END,"
    " coalesce(unix_user, ''), coalesce(phone, ''),"
    " coalesce(birth_date, ''), disabled, created_at,"
    " coalesce(last_seen, 0) FROM staff WHERE disabled = 0"
    " AND role IN ('approver', 'admin') AND name IS DISTINCT FROM ?1"
    " ORDER BY id")
STMT(ST_STAFF_INSERT,
    "INSERT INTO staff (name, display_name, role, pending_role, pending_by,"
    " unix_user, phone, birth_date, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
STMT(ST_STAFF_UPDATE,
    "UPDATE staff SET display_name = ?2, unix_user = ?3, phone = ?4,"
    " birth_date = ?5 WHERE name = ?1")
STMT(ST_STAFF_SET_ROLE,
    "UPDATE staff SET role = ?2, pending_role = NULL, pending_by = NULL"
    " WHERE name = ?1")
STMT(ST_STAFF_SET_PENDING,
    "UPDATE staff SET pending_role = ?2, pending_by = ?3 WHERE name = ?1")
STMT(ST_STAFF_SET_DISABLED,
    "UPDATE staff SET disabled = ?2 WHERE name = ?1")
STMT(ST_STAFF_SET_PIN, "UPDATE staff SET pin_hash = ?2 WHERE name = ?1")
STMT(ST_STAFF_PIN_HASH, "SELECT pin_hash FROM staff WHERE id = ?1")
STMT(ST_STAFF_SEEN, "UPDATE staff SET last_seen = ?2 WHERE id = ?1")

/* API tokens of named clients */
STMT(ST_TOKEN_INSERT,
    "INSERT INTO api_tokens (client, scope, token_hash, created_at)"
    " VALUES (?1, ?2, ?3, ?4)")
STMT(ST_TOKEN_LIST,
    "SELECT client, scope, created_at, coalesce(revoked_at, 0)"
    " FROM api_tokens ORDER BY client")
STMT(ST_TOKEN_GET,
    "SELECT scope, token_hash, created_at FROM api_tokens"
    " WHERE client = ?1 AND revoked_at IS NULL")
STMT(ST_TOKEN_LIVE,
    "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL")
STMT(ST_TOKEN_REVOKE,
    "UPDATE api_tokens SET revoked_at = ?2 WHERE client = ?1"
    " AND revoked_at IS NULL")

/* residents */
STMT(ST_RESIDENT_UPSERT,
    "INSERT INTO residents (personal_code, given_name, family_name, phone,"
    " phone_kind, lang, territory, address, birth_date, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT (personal_code) DO UPDATE SET"
    " given_name = excluded.given_name, family_name = excluded.family_name,"
    " phone = excluded.phone, phone_kind = excluded.phone_kind,"
    " lang = excluded.lang, territory = excluded.territory,"
    " address = excluded.address, birth_date = excluded.birth_date,"
    " updated_at = excluded.updated_at"
    " WHERE residents.given_name IS DISTINCT FROM excluded.given_name"
    " OR residents.family_name IS DISTINCT FROM excluded.family_name"
    " OR residents.phone IS DISTINCT FROM excluded.phone"
    " OR residents.lang IS DISTINCT FROM excluded.lang"
    " OR residents.territory IS DISTINCT FROM excluded.territory"
    " OR residents.address IS DISTINCT FROM excluded.address"
    " OR residents.birth_date IS DISTINCT FROM excluded.birth_date")
STMT(ST_RESIDENT_ID_BY_CODE,
    "SELECT id FROM residents WHERE personal_code = ?1")
STMT(ST_RESIDENT_COUNT, "SELECT count(*) FROM residents")

/* institutions and priority classes */
STMT(ST_INSTITUTION_BY_NAME, "SELECT id FROM institutions WHERE name = ?1")
STMT(ST_INSTITUTION_INSERT,
    "INSERT INTO institutions (name, territory) VALUES (?1, ?2)")
STMT(ST_INSTITUTION_LIST,
    "SELECT id, name, territory FROM institutions ORDER BY name")
STMT(ST_FEE_KIND_LIST,
    "SELECT code, name_lv, name_en FROM fee_kinds ORDER BY code")
STMT(ST_FEE_KIND_INSERT,
    "INSERT INTO fee_kinds (code, name_lv, name_en, created_at)"
    " VALUES (?1, ?2, ?3, ?4)")
STMT(ST_PRIORITY_CLASS_COUNT, "SELECT count(*), coalesce(max(priority), 0)"
    " FROM priority_classes")
STMT(ST_PRIORITY_CLASS_EXISTS,
    "SELECT 1 FROM priority_classes WHERE priority = ?1")
STMT(ST_PRIORITY_CLASS_UPSERT,
    "INSERT INTO priority_classes (priority, name_lv, name_en)"
    " VALUES (?1, ?2, ?3) ON CONFLICT (priority) DO UPDATE SET"
    " name_lv = excluded.name_lv, name_en = excluded.name_en")

/* preschool queue */
STMT(ST_QUEUE_UPSERT,
    "INSERT INTO queue_entries (child_code, child_given_name,"
    " child_family_name, guardian_id, institution_id, registered_at,"
    " desired_start, priority, status, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', ?9)"
    " ON CONFLICT (child_code, institution_id) DO UPDATE SET"
    " child_given_name = excluded.child_given_name,"
    " child_family_name = excluded.child_family_name,"
    " guardian_id = excluded.guardian_id,"
    " registered_at = excluded.registered_at,"
    " desired_start = excluded.desired_start,"
    " priority = excluded.priority, updated_at = excluded.updated_at"
    " WHERE queue_entries.child_given_name IS DISTINCT FROM"
    "  excluded.child_given_name"
    " OR queue_entries.child_family_name IS DISTINCT FROM"
    "  excluded.child_family_name"
    " OR queue_entries.guardian_id IS DISTINCT FROM excluded.guardian_id"
    " OR queue_entries.registered_at IS DISTINCT FROM"
    "  excluded.registered_at"
    " OR queue_entries.desired_start IS DISTINCT FROM"
    "  excluded.desired_start"
    " OR queue_entries.priority IS DISTINCT FROM excluded.priority")

/* fees */
STMT(ST_FEE_UPSERT,
    "INSERT INTO fees (resident_id, kind, period, amount_cents, due_date,"
    " reference, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (resident_id, kind, period) DO UPDATE SET"
    " amount_cents = excluded.amount_cents, due_date = excluded.due_date,"
    " reference = coalesce(excluded.reference, fees.reference),"
    " updated_at = excluded.updated_at"
    " WHERE fees.amount_cents IS DISTINCT FROM excluded.amount_cents"
    " OR fees.due_date IS DISTINCT FROM excluded.due_date"
    " OR (excluded.reference IS NOT NULL"
    "  AND fees.reference IS DISTINCT FROM excluded.reference)"
    " RETURNING id, reference")
STMT(ST_FEE_SET_REFERENCE, "UPDATE fees SET reference = ?2 WHERE id = ?1")

/* demo: synthetic data goes in by the same tables */
STMT(ST_DEMO_RESIDENT_INSERT,
    "INSERT INTO residents (personal_code, given_name, family_name, phone,"
    " phone_kind, lang, territory, address, birth_date, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
STMT(ST_DEMO_QUEUE_INSERT,
    "INSERT INTO queue_entries (child_code, child_given_name,"
    " child_family_name, guardian_id, institution_id, registered_at,"
    " desired_start, priority, status, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
/*
 * ?10 the id, or NULL for the next. PostgreSQL's identity takes no NULL;
 * an id given does not move its sequence (PG_SYNC_IDENTITIES does).
 */
STMT2(ST_DEMO_FEE_INSERT,
    "INSERT INTO fees (id, resident_id, kind, period, amount_cents,"
    " due_date, reference, paid_cents, paid_at, updated_at)"
    " VALUES (?10, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    "INSERT INTO fees (id, resident_id, kind, period, amount_cents,"
    " due_date, reference, paid_cents, paid_at, updated_at)"
    " VALUES (coalesce($10::bigint,"
    " nextval(pg_get_serial_sequence('fees', 'id'))),"
    " $1, $2, $3, $4, $5, $6, $7, $8, $9)")
/*
 * After the demo's fees, which come with ids of their own: the id the
 * next fee gets. SQLite's rowid follows max(id) by itself; PostgreSQL's
 * identity is moved there, or the next fee written takes a demo fee's id.
 */
STMT2(ST_DEMO_FEE_IDS_DONE,
    "SELECT coalesce(max(id), 0) + 1 FROM fees",
    "SELECT setval(pg_get_serial_sequence('fees', 'id'),"
    " coalesce(max(id), 0) + 1, false) FROM fees")
STMT(ST_DEMO_SUBSCRIPTION_INSERT,
    "INSERT INTO subscriptions (resident_id, topic_id, subscribed,"
    " updated_at) VALUES (?1, (SELECT id FROM topics WHERE code = ?2), ?3,"
    " ?4)")
STMT(ST_DEMO_EMPTY,
    "SELECT (SELECT count(*) FROM residents) + (SELECT count(*) FROM fees)")

STMT(ST_QUEUE_COUNT, "SELECT count(*) FROM queue_entries")
STMT(ST_FEE_COUNT, "SELECT count(*) FROM fees")

/* outbox */
STMT(ST_OUTBOX_INSERT,
    "INSERT INTO outbox (phone, text, encoding, state, priority, created_at,"
    " not_before, valid_until, topic, resident_id, broadcast_id, updated_at)"
    " VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?5)")
STMT(ST_OUTBOX_STATUS,
    "SELECT state, phone, message_id, attempts, status_code, created_at,"
    " updated_at, coalesce(valid_until, 0) FROM outbox WHERE id = ?1")
STMT(ST_OUTBOX_COUNT, "SELECT count(*) FROM outbox")

/* payments: fees by id or reference, statement booking, receipts, reports */
STMT(ST_PAY_FEE_BY_ID,
    "SELECT f.id, f.resident_id, f.kind, f.period, f.amount_cents,"
    " f.paid_cents, f.reference, r.phone, r.phone_kind, r.lang,"
    " coalesce(s.subscribed, t.default_on, 1) FROM fees f"
    " LEFT JOIN residents r ON r.id = f.resident_id"
    " LEFT JOIN topics t ON t.code = 'receipts'"
    " LEFT JOIN subscriptions s ON s.resident_id = f.resident_id"
    "  AND s.topic_id = t.id WHERE f.id = ?1")
STMT(ST_PAY_FEE_BY_REF,
    "SELECT f.id, f.resident_id, f.kind, f.period, f.amount_cents,"
    " f.paid_cents, f.reference, r.phone, r.phone_kind, r.lang,"
    " coalesce(s.subscribed, t.default_on, 1) FROM fees f"
    " LEFT JOIN residents r ON r.id = f.resident_id"
    " LEFT JOIN topics t ON t.code = 'receipts'"
    " LEFT JOIN subscriptions s ON s.resident_id = f.resident_id"
    "  AND s.topic_id = t.id WHERE f.reference = ?1")
STMT(ST_PAY_FEE_ADD_PAID,
    "UPDATE fees SET paid_cents = paid_cents + ?2,"
    " paid_at = CASE WHEN paid_at IS NULL"
    "  AND paid_cents + ?2 >= amount_cents THEN ?3 ELSE paid_at END,"
    " updated_at = ?4 WHERE id = ?1")
STMT(ST_PAY_INSERT,
    "INSERT INTO payments (fee_id, entry_ref, amount_cents, currency,"
    " booked_on, reference, debtor, info, status, imported_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT (entry_ref) DO NOTHING")
STMT(ST_PAY_UNMATCHED,
    "SELECT id, booked_on, amount_cents, currency, reference, debtor, info,"
    " entry_ref FROM payments WHERE status = 'unmatched'"
    " ORDER BY booked_on, id")
STMT(ST_PAY_SUMMARY,
    "SELECT status, count(*), coalesce(sum(CASE WHEN currency = 'EUR'"
    " THEN amount_cents END), 0) FROM payments GROUP BY status")
STMT(ST_PAY_OWED,
    "SELECT count(*), coalesce(sum(amount_cents - paid_cents), 0) FROM fees"
    " WHERE paid_cents < amount_cents")

/* MO reassembly parts (smsreasm) */
STMT(ST_MO_PART_INSERT,
    "INSERT INTO mo_parts (source, dest, ref, total, seq, data_coding,"
    " payload, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " ON CONFLICT (source, dest, ref, total, seq) DO NOTHING")
STMT(ST_MO_PART_COUNT,
    "SELECT count(*) FROM mo_parts WHERE source = ?1 AND dest = ?2"
    " AND ref = ?3 AND total = ?4")
STMT(ST_MO_PART_LOAD,
    "SELECT seq, data_coding, payload, received_at FROM mo_parts"
    " WHERE source = ?1 AND dest = ?2 AND ref = ?3 AND total = ?4"
    " ORDER BY seq")
STMT(ST_MO_PART_DELETE,
    "DELETE FROM mo_parts WHERE source = ?1 AND dest = ?2 AND ref = ?3"
    " AND total = ?4")
STMT(ST_MO_PART_DELETE_ID, "DELETE FROM mo_parts WHERE id = ?1")
STMT(ST_MO_PART_OLDEST,
    "SELECT id, source, dest, ref, total FROM mo_parts"
    " WHERE received_at <= ?1 ORDER BY received_at, id LIMIT 1")
STMT(ST_MO_PART_HELD,
    "SELECT count(DISTINCT dest || ' ' || ref || ' ' || total), count(*),"
    " coalesce(sum(length(payload)), 0) FROM mo_parts WHERE source = ?1")

/*
 * services: what a resident may see and do (common/services.c). ?1-?8 are
 * the caller's residents (unused ones bound to 0). The position counts
 * are three range scans of the queue_order index and need its exact
 * expression and partial condition.
 */
STMT(ST_SVC_RESIDENTS_BY_PHONE,
    "SELECT id, lang FROM residents WHERE phone = ?1 ORDER BY id LIMIT ?2")
STMT(ST_SVC_RESIDENT_BY_ID,
    "SELECT id, lang, coalesce(phone, '') FROM residents WHERE id = ?1")
STMT(ST_SVC_QUEUE,
    "SELECT q.id, q.child_given_name, q.child_family_name, i.name,"
    " q.desired_start, q.priority, coalesce(CASE WHEN ?9 = 'en'"
    " THEN pc.name_en ELSE pc.name_lv END, ''),"
    " 1 + (SELECT count(*) FROM queue_entries a WHERE a.status = 'active'"
    "  AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4)"
    "  AND a.priority > q.priority)"
    " + (SELECT count(*) FROM queue_entries a WHERE a.status = 'active'"
    "  AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4)"
    "  AND a.priority = q.priority AND a.registered_at < q.registered_at)"
    " + (SELECT count(*) FROM queue_entries a WHERE a.status = 'active'"
    "  AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4)"
    "  AND a.priority = q.priority AND a.registered_at = q.registered_at"
    "  AND a.id < q.id),"
    " (SELECT count(*) FROM queue_entries a WHERE a.status = 'active'"
    "  AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4))"
    " FROM queue_entries q JOIN institutions i ON i.id = q.institution_id"
    " LEFT JOIN priority_classes pc ON pc.priority = q.priority"
    " WHERE q.guardian_id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " AND q.status = 'active'"
    " ORDER BY q.guardian_id, q.child_code, q.desired_start, i.name"
    " LIMIT ?10")
STMT(ST_SVC_FEES,
    "SELECT id, resident_id, kind, period, amount_cents - paid_cents,"
    " due_date, reference, count(*) OVER (),"
    " sum(amount_cents - paid_cents) OVER () FROM fees"
    " WHERE resident_id IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    " AND paid_cents < amount_cents ORDER BY due_date, id LIMIT ?9")
STMT(ST_SVC_TOPICS,
    "SELECT id, code, name_lv, name_en, emergency, default_on FROM topics"
    " ORDER BY id LIMIT ?1")
STMT(ST_SVC_SUBSCRIPTIONS,
    "SELECT topic_id, subscribed FROM subscriptions WHERE resident_id = ?1")
STMT(ST_SVC_SUBSCRIBE,
    "INSERT INTO subscriptions (resident_id, topic_id, subscribed,"
    " updated_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (resident_id, topic_id) DO UPDATE SET"
    " subscribed = excluded.subscribed, updated_at = excluded.updated_at"
    " WHERE subscriptions.subscribed IS DISTINCT FROM excluded.subscribed")
/* A choice by name is the resident's own: STOP alone no longer owns it. */
STMT(ST_SVC_STOP_LEFT_FORGET,
    "DELETE FROM stop_all_left WHERE resident_id = ?1 AND topic_id = ?2")
/* Before STOP alone: the topics it is about to turn off. */
STMT(ST_SVC_STOP_LEFT_NOTE,
    "INSERT INTO stop_all_left (resident_id, topic_id)"
    " SELECT ?1, t.id FROM topics t LEFT JOIN subscriptions s"
    " ON s.resident_id = ?1 AND s.topic_id = t.id"
    " WHERE t.emergency = 0 AND coalesce(s.subscribed, t.default_on) <> 0"
    " ON CONFLICT DO NOTHING")
STMT(ST_SVC_UNSUBSCRIBE_ALL,
    "INSERT INTO subscriptions (resident_id, topic_id, subscribed,"
    " updated_at) SELECT ?1, id, 0, ?2 FROM topics WHERE emergency = 0"
    " ON CONFLICT (resident_id, topic_id) DO UPDATE SET subscribed = 0,"
    " updated_at = excluded.updated_at WHERE subscriptions.subscribed <> 0")
/* START alone: back on what STOP alone turned off, then forget it. */
STMT(ST_SVC_RESUBSCRIBE_STOPPED,
    "INSERT INTO subscriptions (resident_id, topic_id, subscribed,"
    " updated_at) SELECT resident_id, topic_id, 1, ?2 FROM stop_all_left"
    " WHERE resident_id = ?1 ON CONFLICT (resident_id, topic_id)"
    " DO UPDATE SET subscribed = 1, updated_at = excluded.updated_at"
    " WHERE subscriptions.subscribed = 0")
STMT(ST_SVC_STOP_LEFT_CLEAR, "DELETE FROM stop_all_left WHERE resident_id = ?1")
/* ?3 NULL: every topic that is not an emergency; else that topic code. */
STMT2(ST_SVC_CANCEL_BROADCASTS,
    "UPDATE outbox SET state = 'cancelled', updated_at = ?2 WHERE id IN"
    " (SELECT o.id FROM outbox o"
    " LEFT JOIN broadcasts b ON b.id = o.broadcast_id"
    " LEFT JOIN topics t ON t.code = coalesce(o.topic, b.topic)"
    " WHERE o.id IN (SELECT id FROM outbox WHERE state = 'queued'"
    "  AND resident_id IN (SELECT id FROM residents WHERE phone = ?1)"
    "  UNION ALL SELECT id FROM outbox WHERE state = 'queued'"
    "  AND resident_id IS NULL AND phone = ?1)"
    " AND o.broadcast_id IS NOT NULL AND coalesce(b.emergency, 0) = 0"
    " AND coalesce(t.emergency, 0) = 0"
    " AND (?3 IS NULL OR coalesce(o.topic, b.topic) = ?3))",
    "UPDATE outbox SET state = 'cancelled', updated_at = $2 WHERE id IN"
    " (SELECT o.id FROM outbox o"
    " LEFT JOIN broadcasts b ON b.id = o.broadcast_id"
    " LEFT JOIN topics t ON t.code = coalesce(o.topic, b.topic)"
    " WHERE o.id IN (SELECT id FROM outbox WHERE state = 'queued'"
    "  AND resident_id IN (SELECT id FROM residents WHERE phone = $1)"
    "  UNION ALL SELECT id FROM outbox WHERE state = 'queued'"
    "  AND resident_id IS NULL AND phone = $1)"
    " AND o.broadcast_id IS NOT NULL AND coalesce(b.emergency, 0) = 0"
    " AND coalesce(t.emergency, 0) = 0"
    " AND ($3::text IS NULL OR coalesce(o.topic, b.topic) = $3))")
STMT(ST_SVC_COUNTER_NEXT,
    "INSERT INTO counters (name, value) VALUES (?1, 1)"
    " ON CONFLICT (name) DO UPDATE SET value = counters.value + 1"
    " RETURNING value")
STMT(ST_SVC_REPORT_INSERT,
    "INSERT INTO reports (case_no, kind, resident_id, phone, channel, text,"
    " created_at, category) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")

/* group rules (common/rule.c): checks of a rule's values against the data */
STMT(ST_RULE_TOPIC_EXISTS, "SELECT 1 FROM topics WHERE code = ?1")
STMT(ST_RULE_TOPIC_CODES, "SELECT code FROM topics ORDER BY code")
STMT(ST_RULE_FEE_KIND_EXISTS,
    "SELECT 1 FROM fees WHERE kind = ?1 AND paid_cents < amount_cents"
    " LIMIT 1")
STMT(ST_RULE_FEE_KINDS,
    "SELECT DISTINCT kind FROM fees WHERE paid_cents < amount_cents")
STMT(ST_RULE_TERRITORY_EXISTS,
    "SELECT 1 FROM residents WHERE territory = ?1 LIMIT 1")
STMT(ST_RULE_TERRITORIES, "SELECT DISTINCT territory FROM residents")
STMT(ST_RULE_INSTITUTION_EXISTS, "SELECT 1 FROM institutions WHERE name = ?1")
STMT(ST_RULE_INSTITUTIONS, "SELECT name FROM institutions ORDER BY name")

/* groups (common/groups.c) */
STMT(ST_GROUP_INSERT,
    "INSERT INTO groups (name, kind, rule, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5)")
STMT(ST_GROUP_BY_NAME,
    "SELECT id, name, kind, coalesce(rule, ''), created_by, created_at"
    " FROM groups WHERE name = ?1")
STMT(ST_GROUP_BY_ID,
    "SELECT id, name, kind, coalesce(rule, ''), created_by, created_at"
    " FROM groups WHERE id = ?1")
STMT(ST_GROUP_LIST,
    "SELECT id, name, kind, coalesce(rule, ''), created_by, created_at"
    " FROM groups ORDER BY name")
STMT(ST_GROUP_NAMES, "SELECT name FROM groups ORDER BY name")
/* A group in use by a broadcast still to go out cannot be removed. */
STMT(ST_GROUP_BUSY,
    "SELECT id FROM broadcasts WHERE group_id = ?1 AND state IN"
    " ('awaiting_approval', 'scheduled', 'sending') ORDER BY id LIMIT 1")
/* Finished broadcasts keep their figures; only the link goes. */
STMT(ST_GROUP_UNLINK,
    "UPDATE broadcasts SET group_id = NULL WHERE group_id = ?1")
STMT(ST_GROUP_DELETE, "DELETE FROM groups WHERE id = ?1")
STMT(ST_GROUP_MEMBER_INSERT,
    "INSERT INTO group_members (group_id, resident_id, phone)"
    " VALUES (?1, ?2, ?3)")
STMT(ST_GROUP_MEMBER_COUNT,
    "SELECT count(*) FROM group_members WHERE group_id = ?1")
STMT(ST_GROUP_RESIDENT_BY_PHONE,
    "SELECT id FROM residents WHERE phone = ?1 ORDER BY id LIMIT 1")
/*
 * A manual group's members in the layout of rule.c's members statement
 * (keep the two in step): ?1 cursor, ?2 limit, ?3 group; ?4-?8 as there.
 */
STMT2(ST_GROUP_MANUAL_MEMBERS,
    "SELECT gm.id, r.id, coalesce(r.phone, gm.phone), r.phone_kind,"
    " coalesce(r.given_name, ''), coalesce(r.family_name, ''),"
    " coalesce(r.lang, 'lv'),"
    " CASE WHEN ?4 IS NULL THEN 1 ELSE coalesce((SELECT s.subscribed"
    " FROM subscriptions s WHERE s.resident_id = r.id"
    " AND s.topic_id = ?4), ?5) END,"
    " CASE WHEN ?6 IS NULL THEN NULL ELSE (SELECT sum(f.amount_cents"
    " - f.paid_cents) || ' ' || min(f.due_date) FROM fees f"
    " WHERE f.resident_id = r.id AND f.kind = ?6"
    " AND f.paid_cents < f.amount_cents) END,"
    " CASE WHEN ?7 IS NULL THEN NULL ELSE (SELECT q.id"
    " FROM queue_entries q WHERE q.guardian_id = r.id"
    " AND q.status = 'active' AND (?8 IS NULL OR q.institution_id IN"
    " (SELECT i.id FROM institutions i WHERE i.name = ?8))"
    " ORDER BY q.id LIMIT 1) END"
    " FROM group_members gm LEFT JOIN residents r ON r.id = gm.resident_id"
    " WHERE gm.group_id = ?3 AND gm.id > ?1 ORDER BY gm.id LIMIT ?2",
    "SELECT gm.id, r.id, coalesce(r.phone, gm.phone), r.phone_kind,"
    " coalesce(r.given_name, ''), coalesce(r.family_name, ''),"
    " coalesce(r.lang, 'lv'),"
    " CASE WHEN $4::bigint IS NULL THEN 1 ELSE coalesce((SELECT s.subscribed"
    " FROM subscriptions s WHERE s.resident_id = r.id"
    " AND s.topic_id = $4), $5) END,"
    " CASE WHEN $6::text IS NULL THEN NULL ELSE (SELECT sum(f.amount_cents"
    " - f.paid_cents) || ' ' || min(f.due_date) FROM fees f"
    " WHERE f.resident_id = r.id AND f.kind = $6"
    " AND f.paid_cents < f.amount_cents) END,"
    " CASE WHEN $7::bigint IS NULL THEN NULL ELSE (SELECT q.id"
    " FROM queue_entries q WHERE q.guardian_id = r.id"
    " AND q.status = 'active' AND ($8::text IS NULL OR q.institution_id IN"
    " (SELECT i.id FROM institutions i WHERE i.name = $8))"
    " ORDER BY q.id LIMIT 1) END"
    " FROM group_members gm LEFT JOIN residents r ON r.id = gm.resident_id"
    " WHERE gm.group_id = $3 AND gm.id > $1 ORDER BY gm.id LIMIT $2")

/* broadcasts (common/broadcast.c) */
STMT(ST_BCAST_TOPIC,
    "SELECT id, default_on, emergency FROM topics WHERE code = ?1")
STMT(ST_BCAST_EMERGENCY_TOPIC,
    "SELECT code FROM topics WHERE emergency = 1 ORDER BY id LIMIT 1")
STMT(ST_BCAST_INSERT,
    "INSERT INTO broadcasts (group_id, topic, text, emergency, state,"
    " scheduled_at, recipients, segments, created_by, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)")
STMT(ST_BCAST_GET,
    "SELECT b.id, coalesce(b.group_id, 0), coalesce(g.name, ''),"
    " coalesce(b.topic, ''), b.text, b.emergency, b.state, b.scheduled_at,"
    " b.recipients, b.segments, b.created_by, coalesce(b.approved_by, ''),"
    " b.created_at FROM broadcasts b LEFT JOIN groups g ON g.id = b.group_id"
    " WHERE b.id = ?1")
STMT(ST_BCAST_LIST,
    "SELECT b.id, coalesce(b.group_id, 0), coalesce(g.name, ''),"
    " coalesce(b.topic, ''), b.text, b.emergency, b.state, b.scheduled_at,"
    " b.recipients, b.segments, b.created_by, coalesce(b.approved_by, ''),"
    " b.created_at FROM broadcasts b LEFT JOIN groups g ON g.id = b.group_id"
    " ORDER BY b.id DESC LIMIT ?1")
STMT(ST_BCAST_LATEST, "SELECT coalesce(max(id), 0) FROM broadcasts")
STMT(ST_BCAST_APPROVE,
    "UPDATE broadcasts SET state = 'scheduled', approved_by = ?2,"
    " updated_at = ?3 WHERE id = ?1 AND state = 'awaiting_approval'"
    " AND created_by <> ?2")
STMT(ST_BCAST_CANCEL,
    "UPDATE broadcasts SET state = 'cancelled', updated_at = ?2"
    " WHERE id = ?1 AND state IN ('awaiting_approval', 'scheduled',"
    " 'sending')")
STMT(ST_BCAST_SET_FIGURES,
    "UPDATE broadcasts SET recipients = ?2, segments = ?3, updated_at = ?4"
    " WHERE id = ?1")
/* One message, parameters as in ST_BCAST_OUTBOX_INSERT16 below. */
STMT(ST_BCAST_OUTBOX_INSERT,
    "INSERT INTO outbox (phone, text, encoding, state, priority, created_at,"
    " not_before, topic, resident_id, broadcast_id, updated_at)"
    " VALUES (?6, ?7, ?1, 'queued', ?2, ?3, ?8, ?4, ?9, ?5, ?3)")
STMT(ST_BCAST_STATUS,
    "SELECT state, count(*) FROM outbox WHERE broadcast_id = ?1"
    " GROUP BY state")
STMT(ST_BCAST_CANCEL_CHUNK,
    "UPDATE outbox SET state = 'cancelled', updated_at = ?2 WHERE id IN"
    " (SELECT id FROM outbox WHERE broadcast_id = ?1 AND state = 'queued'"
    " LIMIT ?3)")
/* A queue entry's institution and position, counted as services.c does. */
STMT(ST_BCAST_QUEUE_INFO,
    "SELECT i.name, 1 + (SELECT count(*) FROM queue_entries a"
    "  WHERE a.status = 'active' AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4)"
    "  AND a.priority > q.priority)"
    " + (SELECT count(*) FROM queue_entries a WHERE a.status = 'active'"
    "  AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4)"
    "  AND a.priority = q.priority AND a.registered_at < q.registered_at)"
    " + (SELECT count(*) FROM queue_entries a WHERE a.status = 'active'"
    "  AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4)"
    "  AND a.priority = q.priority AND a.registered_at = q.registered_at"
    "  AND a.id < q.id)"
    " FROM queue_entries q JOIN institutions i ON i.id = q.institution_id"
    " WHERE q.id = ?1")

/* ussd: menu sessions (common/ussd.c) */
STMT(ST_USSD_SESSION_GET,
    "SELECT screen, data, updated_at FROM ussd_sessions"
    " WHERE phone = ?1 AND session = ?2")
STMT(ST_USSD_SESSION_PUT,
    "INSERT INTO ussd_sessions (phone, session, screen, data, lang,"
    " started_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
    " ON CONFLICT (phone, session) DO UPDATE SET screen = excluded.screen,"
    " data = excluded.data, lang = excluded.lang,"
    " updated_at = excluded.updated_at")
STMT(ST_USSD_SESSION_DELETE,
    "DELETE FROM ussd_sessions WHERE phone = ?1 AND session = ?2")
STMT(ST_USSD_SESSION_EXPIRE,
    "DELETE FROM ussd_sessions WHERE updated_at < ?1")

/*
 * The gateway's outbox state machine (common/outbox.c): claims walk the
 * partial index outbox_ready one priority at a time, so rows planned for
 * later are never scanned.
 */
STMT(ST_OUTBOX_RECOVER,
    "UPDATE outbox SET state = 'queued', updated_at = ?1"
    " WHERE state = 'inflight'")
STMT(ST_OUTBOX_NEXT_PRIORITY,
    "SELECT priority FROM outbox WHERE state = 'queued' AND priority < ?1"
    " ORDER BY priority DESC LIMIT 1")
STMT(ST_OUTBOX_READY,
    "SELECT id, phone, text, encoding, attempts, coalesce(valid_until, 0)"
    " FROM outbox WHERE state = 'queued' AND priority = ?1"
    " AND not_before <= ?2 ORDER BY not_before, id LIMIT ?3")
STMT(ST_OUTBOX_DUE_AFTER,
    "SELECT not_before FROM outbox WHERE state = 'queued' AND priority = ?1"
    " AND not_before > ?2 ORDER BY not_before LIMIT 1")
/* Quiet hours at claim time: the walk of outbox_ready stops at until. */
STMT(ST_OUTBOX_HOLD,
    "UPDATE outbox SET not_before = ?2, updated_at = ?3"
    " WHERE state = 'queued' AND priority = ?1 AND not_before < ?2")
STMT(ST_OUTBOX_EXPIRE,
    "UPDATE outbox SET state = 'expired', updated_at = ?2"
    " WHERE id = ?1 AND state = 'queued'")
STMT(ST_OUTBOX_INFLIGHT,
    "UPDATE outbox SET state = 'inflight', bind = ?2, seq = ?3,"
    " attempts = attempts + 1, updated_at = ?4"
    " WHERE id = ?1 AND state = 'queued'")
STMT(ST_OUTBOX_PARTS_TAKEN,
    "SELECT part FROM outbox_parts WHERE outbox_id = ?1"
    " AND message_id IS NOT NULL")
STMT(ST_OUTBOX_PART_ACCEPT,
    "INSERT INTO outbox_parts (outbox_id, part, message_id, state,"
    " updated_at, rgroup) VALUES (?1, ?2, ?3, 'accepted', ?4, ?5)"
    " ON CONFLICT (outbox_id, part) DO UPDATE SET"
    " message_id = excluded.message_id, state = 'accepted',"
    " updated_at = excluded.updated_at, rgroup = excluded.rgroup")
/*
 * A message of one part keeps its SMSC id in outbox.message_id and its
 * receipt finds it there; concatenated ones keep theirs in outbox_parts.
 */
STMT(ST_OUTBOX_ACCEPTED,
    "UPDATE outbox SET state = 'accepted', status_code = 0,"
    " message_id = ?3, updated_at = ?2, rgroup = ?4"
    " WHERE id = ?1 AND state = 'inflight'")
/*
 * What a receipt for id ?1 in receipt group ?2 may settle: open messages
 * of one part (part 0) and open parts, with the phone each went to and
 * when the SMSC took it. A NULL group (rows from before receipt groups,
 * or a caller without one) matches any. Both halves start from a
 * message_id index; the caller narrows by phone and submit date.
 */
STMT2(ST_OUTBOX_RCPT_OPEN,
    "SELECT id, 0, phone, updated_at FROM outbox WHERE message_id = ?1"
    " AND state = 'accepted'"
    " AND (?2 IS NULL OR rgroup IS NULL OR rgroup = ?2)"
    " UNION ALL"
    " SELECT p.outbox_id, p.part, o.phone, p.updated_at"
    " FROM outbox_parts p JOIN outbox o ON o.id = p.outbox_id"
    " WHERE p.message_id = ?1 AND p.state = 'accepted'"
    " AND (?2 IS NULL OR p.rgroup IS NULL OR p.rgroup = ?2)"
    " LIMIT 16",
    "SELECT id, 0, phone, updated_at FROM outbox WHERE message_id = $1"
    " AND state = 'accepted'"
    " AND ($2::text IS NULL OR rgroup IS NULL OR rgroup = $2)"
    " UNION ALL"
    " SELECT p.outbox_id, p.part, o.phone, p.updated_at"
    " FROM outbox_parts p JOIN outbox o ON o.id = p.outbox_id"
    " WHERE p.message_id = $1 AND p.state = 'accepted'"
    " AND ($2 IS NULL OR p.rgroup IS NULL OR p.rgroup = $2)"
    " LIMIT 16")
/* The same id's messages and parts that already have a final state. */
STMT2(ST_OUTBOX_RCPT_KNOWN,
    "SELECT id, 0, phone FROM outbox WHERE message_id = ?1"
    " AND (?2 IS NULL OR rgroup IS NULL OR rgroup = ?2)"
    " UNION ALL"
    " SELECT p.outbox_id, p.part, o.phone"
    " FROM outbox_parts p JOIN outbox o ON o.id = p.outbox_id"
    " WHERE p.message_id = ?1"
    " AND (?2 IS NULL OR p.rgroup IS NULL OR p.rgroup = ?2)"
    " LIMIT 16",
    "SELECT id, 0, phone FROM outbox WHERE message_id = $1"
    " AND ($2::text IS NULL OR rgroup IS NULL OR rgroup = $2)"
    " UNION ALL"
    " SELECT p.outbox_id, p.part, o.phone"
    " FROM outbox_parts p JOIN outbox o ON o.id = p.outbox_id"
    " WHERE p.message_id = $1"
    " AND ($2 IS NULL OR p.rgroup IS NULL OR p.rgroup = $2)"
    " LIMIT 16")
/*
 * Has any message or part had id ?1? From the message_id indexes alone:
 * the question every submit_sm_resp asks, cheaply, before the next.
 */
STMT(ST_OUTBOX_MSGID_SEEN,
    "SELECT 1 FROM outbox WHERE message_id = ?1"
    " UNION ALL SELECT 1 FROM outbox_parts WHERE message_id = ?1 LIMIT 1")
/* An open message or part of group ?2 that has id ?1 already. */
STMT(ST_OUTBOX_MSGID_OPEN,
    "SELECT id FROM outbox WHERE message_id = ?1 AND state = 'accepted'"
    " AND rgroup = ?2"
    " UNION ALL"
    " SELECT outbox_id FROM outbox_parts WHERE message_id = ?1"
    " AND state = 'accepted' AND rgroup = ?2"
    " AND NOT (outbox_id = ?3 AND part = ?4)"
    " LIMIT 1")
/* Delivered when every part is; else the worst part's final state. */
STMT(ST_OUTBOX_PARTS_SUMMARY,
    "SELECT CASE WHEN count(*) = sum(CASE WHEN state = 'delivered'"
    "  THEN 1 ELSE 0 END) THEN 'delivered'"
    " WHEN count(CASE WHEN state = 'rejected' THEN 1 END) > 0"
    "  THEN 'rejected'"
    " WHEN count(CASE WHEN state = 'undeliverable' THEN 1 END) > 0"
    "  THEN 'undeliverable'"
    " WHEN count(CASE WHEN state = 'expired' THEN 1 END) > 0"
    "  THEN 'expired'"
    " ELSE 'accepted' END FROM outbox_parts WHERE outbox_id = ?1")
STMT(ST_OUTBOX_SETTLE,
    "UPDATE outbox SET state = ?2, updated_at = ?3"
    " WHERE id = ?1 AND state = 'accepted'")
STMT(ST_OUTBOX_RETRY,
    "UPDATE outbox SET state = CASE WHEN attempts >= ?4 THEN 'failed'"
    " ELSE 'queued' END, not_before = ?2, status_code = ?3, updated_at = ?5"
    " WHERE id = ?1 AND state = 'inflight' RETURNING state")
STMT(ST_OUTBOX_FINISH,
    "UPDATE outbox SET state = ?2, status_code = ?3, updated_at = ?4"
    " WHERE id = ?1 AND state = 'inflight'")
STMT(ST_OUTBOX_PART_STATE,
    "UPDATE outbox_parts SET state = ?3, updated_at = ?4"
    " WHERE outbox_id = ?1 AND part = ?2 AND state = 'accepted'")
STMT(ST_RECEIPT_PENDING_PUT,
    "INSERT INTO receipts_pending (message_id, state, error, received_at,"
    " rgroup, phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (message_id, rgroup, phone) DO UPDATE SET"
    " state = excluded.state, error = excluded.error,"
    " received_at = excluded.received_at")
/*
 * Kept receipts for id ?1; the caller keeps those of its group or from
 * before groups (''). An OR on rgroup here would make SQLite build a
 * temporary index on every call: 15 times the cost of the lookup.
 */
STMT(ST_RECEIPT_PENDING_GET,
    "SELECT state, rgroup, phone FROM receipts_pending"
    " WHERE message_id = ?1 LIMIT 16")
STMT(ST_RECEIPT_PENDING_DELETE,
    "DELETE FROM receipts_pending WHERE message_id = ?2 AND rgroup = ?1"
    " AND phone = ?3")
STMT(ST_RECEIPT_PENDING_PRUNE,
    "DELETE FROM receipts_pending WHERE received_at < ?1")
STMT2(ST_RECEIPT_PENDING_CAP,
    "DELETE FROM receipts_pending WHERE (message_id, rgroup, phone) IN"
    " (SELECT message_id, rgroup, phone FROM receipts_pending"
    " ORDER BY received_at DESC, message_id DESC LIMIT -1 OFFSET ?1)",
    "DELETE FROM receipts_pending WHERE (message_id, rgroup, phone) IN"
    " (SELECT message_id, rgroup, phone FROM receipts_pending"
    " ORDER BY received_at DESC, message_id DESC LIMIT ALL OFFSET $1)")
STMT(ST_OUTBOX_QUEUED, "SELECT count(*) FROM outbox WHERE state = 'queued'")
/*
 * A number that changes when another connection commits. PostgreSQL has
 * no data_version: its snapshot (the transactions still running and the
 * next id) changes with every transaction that writes, begun or ended, so
 * a hash of it serves; it also moves with this connection's own writes,
 * which costs the gateway one look more, not one less.
 */
STMT2(ST_OUTBOX_DATA_VERSION, "PRAGMA data_version",
    "SELECT ('x' || substr(md5(pg_current_snapshot()::text), 1, 15))"
    "::bit(60)::bigint")
STMT(ST_OUTBOX_PARTS,
    "SELECT part, coalesce(message_id, ''), state, updated_at"
    " FROM outbox_parts WHERE outbox_id = ?1 ORDER BY part")
/*
 * Several gateways on one PostgreSQL database (issue 19): a claim takes
 * what ST_OUTBOX_READY reads (?1 priority, ?2 now, ?3 limit, the same
 * columns) and marks it with node ?4's lease until ?5. SKIP LOCKED passes
 * over rows another node's claim holds until its commit; the lease keeps
 * them its own after it, until it lapses. A row leased to ?4 itself is
 * taken again, as SQLite's gateway reads its queued rows again. Only the
 * PostgreSQL store runs these; SQLite's text is the same claim for one
 * gateway, there so that both engines prepare every statement.
 */
STMT2(ST_OUTBOX_CLAIM_LEASED,
    "UPDATE outbox SET claimed_by = ?4, lease_until = ?5"
    " WHERE id IN (SELECT id FROM outbox WHERE state = 'queued'"
    " AND priority = ?1 AND not_before <= ?2"
    " AND (claimed_by IS NULL OR claimed_by = ?4 OR lease_until <= ?2)"
    " ORDER BY not_before, id LIMIT ?3)"
    " RETURNING id, phone, text, encoding, attempts,"
    " coalesce(valid_until, 0)",
    "WITH c AS (SELECT id FROM outbox WHERE state = 'queued'"
    " AND priority = $1 AND not_before <= $2"
    " AND (claimed_by IS NULL OR claimed_by = $4 OR lease_until <= $2)"
    " ORDER BY not_before, id LIMIT $3 FOR UPDATE SKIP LOCKED),"
    " u AS (UPDATE outbox o SET claimed_by = $4, lease_until = $5"
    " FROM c WHERE o.id = c.id"
    " RETURNING o.id, o.phone, o.text, o.encoding, o.attempts,"
    " coalesce(o.valid_until, 0) AS valid_until, o.not_before)"
    " SELECT id, phone, text, encoding, attempts, valid_until FROM u"
    " ORDER BY not_before, id")
/*
 * At a node's start: its own rows left inflight, and those of nodes whose
 * lease lapsed (or that never had one), queued again; never the rows of
 * another node that is alive. ?1 now, ?2 node.
 */
STMT(ST_OUTBOX_RECOVER_NODE,
    "UPDATE outbox SET state = 'queued', updated_at = ?1,"
    " claimed_by = NULL, lease_until = NULL"
    " WHERE state = 'inflight' AND (claimed_by IS NULL OR claimed_by = ?2"
    " OR lease_until IS NULL OR lease_until <= ?1)")
/*
 * The node's leases renewed (?1 node, ?2 until, ?3 now): what it has
 * inflight, and what it claimed and may still send now; a row waiting
 * for a retry later lets its lease lapse, so any node may send it.
 */
STMT(ST_OUTBOX_LEASE_RENEW,
    "UPDATE outbox SET lease_until = ?2 WHERE claimed_by = ?1"
    " AND (state = 'inflight' OR (state = 'queued' AND not_before <= ?3))")
/*
 * A gone node's inflight rows, once its lease lapsed (?1 now), queued
 * again for any node; its queued ones any claim takes already.
 */
STMT(ST_OUTBOX_LEASE_TAKEOVER,
    "UPDATE outbox SET state = 'queued', updated_at = ?1,"
    " claimed_by = NULL, lease_until = NULL"
    " WHERE state = 'inflight' AND lease_until <= ?1")
/*
 * Per node (munictl report): rows inflight, rows sent (past inflight), and
 * of those the ones last changed since ?1.
 */
STMT(ST_OUTBOX_NODE_STATS,
    "SELECT claimed_by, count(CASE WHEN state = 'inflight' THEN 1 END),"
    " count(CASE WHEN state <> 'queued' AND state <> 'inflight'"
    "  THEN 1 END),"
    " count(CASE WHEN state <> 'queued' AND state <> 'inflight'"
    "  AND updated_at >= ?1 THEN 1 END)"
    " FROM outbox WHERE claimed_by IS NOT NULL"
    " GROUP BY claimed_by ORDER BY claimed_by")

/* inbox (common/inbox.c): MO SMS and USSD as the gateway took them */
STMT(ST_INBOX_INSERT,
    "INSERT INTO inbox (source, dest, kind, data_coding, body, text,"
    " received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
STMT(ST_INBOX_UNPROCESSED,
    "SELECT id, source, dest, coalesce(text, ''), received_at FROM inbox"
    " WHERE processed_at IS NULL AND id > ?1 AND kind = 'sms'"
    " ORDER BY id LIMIT ?2")
STMT(ST_INBOX_DONE,
    "UPDATE inbox SET processed_at = ?2 WHERE id = ?1")

/*
 * Sixteen broadcast messages in one statement: the cursors open once, not
 * once a row. ?1 encoding, ?2 priority, ?3 now, ?4 topic, ?5 broadcast;
 * then per row phone, text, not_before, resident.
 */
STMT(ST_BCAST_OUTBOX_INSERT16,
    "INSERT INTO outbox (phone, text, encoding, state, priority, created_at,"
    " not_before, topic, resident_id, broadcast_id, updated_at) VALUES"
    " (?6, ?7, ?1, 'queued', ?2, ?3, ?8, ?4, ?9, ?5, ?3),"
    " (?10, ?11, ?1, 'queued', ?2, ?3, ?12, ?4, ?13, ?5, ?3),"
    " (?14, ?15, ?1, 'queued', ?2, ?3, ?16, ?4, ?17, ?5, ?3),"
    " (?18, ?19, ?1, 'queued', ?2, ?3, ?20, ?4, ?21, ?5, ?3),"
    " (?22, ?23, ?1, 'queued', ?2, ?3, ?24, ?4, ?25, ?5, ?3),"
    " (?26, ?27, ?1, 'queued', ?2, ?3, ?28, ?4, ?29, ?5, ?3),"
    " (?30, ?31, ?1, 'queued', ?2, ?3, ?32, ?4, ?33, ?5, ?3),"
    " (?34, ?35, ?1, 'queued', ?2, ?3, ?36, ?4, ?37, ?5, ?3),"
    " (?38, ?39, ?1, 'queued', ?2, ?3, ?40, ?4, ?41, ?5, ?3),"
    " (?42, ?43, ?1, 'queued', ?2, ?3, ?44, ?4, ?45, ?5, ?3),"
    " (?46, ?47, ?1, 'queued', ?2, ?3, ?48, ?4, ?49, ?5, ?3),"
    " (?50, ?51, ?1, 'queued', ?2, ?3, ?52, ?4, ?53, ?5, ?3),"
    " (?54, ?55, ?1, 'queued', ?2, ?3, ?56, ?4, ?57, ?5, ?3),"
    " (?58, ?59, ?1, 'queued', ?2, ?3, ?60, ?4, ?61, ?5, ?3),"
    " (?62, ?63, ?1, 'queued', ?2, ?3, ?64, ?4, ?65, ?5, ?3),"
    " (?66, ?67, ?1, 'queued', ?2, ?3, ?68, ?4, ?69, ?5, ?3)")

/*
 * reminders (common/reminders.c): unpaid fees of kind ?1 due on ?2 whose
 * resident has a number that takes SMS and receives topic ?3, and that no
 * reminder went out for yet; after fee ?4, at most ?5. The fees_unpaid
 * index (kind, due_date, rowid) seeks straight to the page.
 */
STMT(ST_REMIND_DUE,
    "SELECT f.id, f.resident_id, f.amount_cents - f.paid_cents, f.kind,"
    " f.period, f.due_date, r.phone, r.lang, r.given_name FROM fees f"
    " JOIN residents r ON r.id = f.resident_id"
    " WHERE f.kind = ?1 AND f.paid_cents < f.amount_cents"
    " AND f.due_date = ?2 AND f.id > ?4"
    " AND r.phone IS NOT NULL AND r.phone_kind IN (0, 2)"
    " AND coalesce((SELECT CASE WHEN t.emergency <> 0 THEN 1 ELSE"
    "  coalesce((SELECT s.subscribed FROM subscriptions s"
    "  WHERE s.resident_id = r.id AND s.topic_id = t.id), t.default_on) END"
    "  FROM topics t WHERE t.code = ?3), 0) <> 0"
    " AND NOT EXISTS (SELECT 1 FROM reminders_sent rs WHERE rs.kind = 'fee'"
    "  AND rs.ref_id = f.id AND rs.due = f.due_date)"
    " ORDER BY f.id LIMIT ?5")
/* The next due date of unpaid fees of kind ?1 after ?2, up to ?3. */
STMT(ST_REMIND_NEXT_DUE,
    "SELECT min(due_date) FROM fees WHERE kind = ?1"
    " AND paid_cents < amount_cents AND due_date > ?2 AND due_date <= ?3")
STMT(ST_REMIND_MARK,
    "INSERT INTO reminders_sent (kind, ref_id, due, sent_at)"
    " VALUES ('fee', ?1, ?2, ?3) ON CONFLICT (kind, ref_id, due) DO NOTHING")

/* stats: munictl report */
STMT(ST_STATS_COUNTS,
    "SELECT (SELECT count(*) FROM residents),"
    " (SELECT count(*) FROM residents WHERE phone_kind = 0),"
    " (SELECT count(*) FROM queue_entries WHERE status = 'active'),"
    " (SELECT count(*) FROM fees WHERE paid_cents < amount_cents),"
    " (SELECT coalesce(sum(amount_cents - paid_cents), 0) FROM fees"
    "  WHERE paid_cents < amount_cents),"
    " (SELECT count(*) FROM reports), (SELECT count(*) FROM broadcasts),"
    " (SELECT count(*) FROM inbox),"
    " (SELECT count(*) FROM inbox WHERE received_at >= ?1)")
STMT(ST_STATS_OUTBOX,
    "SELECT state, count(*) FROM outbox WHERE created_at >= ?1"
    " GROUP BY state")
/*
 * munictl report's tables (stats_table) over [?1, ?2). A service used is
 * a kiosk sign-in (an otp row), an SMS or a USSD request (inbox rows);
 * its territory the first resident's (lowest id) of the number. Weeks
 * are (time - ?3) / 604800 with ?3 the local Monday before ?1: a summer
 * week starts an hour early (DST), which the report accepts.
 * inbox_received (migration 10) keeps the inbox scans to the range; the
 * topics table reads the outbox rows of the range without an index (one
 * pass; outbox rows are pruned by nobody, so a note, not an index, on a
 * table the gateway writes hardest).
 */
STMT(ST_STATS_WEEKS,
    "SELECT u.ch, (u.at - ?3) / 604800, count(*) FROM"
    " (SELECT kind AS ch, received_at AS at FROM inbox"
    "  WHERE received_at >= ?1 AND received_at < ?2"
    "  AND (kind = 'sms' OR kind = 'ussd')"
    "  UNION ALL SELECT 'kiosk', created_at FROM otp"
    "  WHERE created_at >= ?1 AND created_at < ?2) u"
    " GROUP BY 1, 2")
STMT(ST_STATS_TERRITORIES,
    "SELECT u.terr, u.ch, count(*) FROM"
    " (SELECT i.kind AS ch, coalesce((SELECT r.territory FROM residents r"
    "  WHERE r.phone = i.source OR r.phone = '+' || i.source"
    "  ORDER BY r.id LIMIT 1), '') AS terr FROM inbox i"
    "  WHERE i.received_at >= ?1 AND i.received_at < ?2"
    "  AND (i.kind = 'sms' OR i.kind = 'ussd')"
    "  UNION ALL SELECT 'kiosk', coalesce(r.territory, '') FROM otp o"
    "  LEFT JOIN residents r ON r.id = o.resident_id"
    "  WHERE o.created_at >= ?1 AND o.created_at < ?2) u"
    " GROUP BY 1, 2 ORDER BY 1, 2")
STMT(ST_STATS_BROADCASTS,
    "SELECT b.id, coalesce(b.topic, ''), coalesce(g.name, ''), b.state,"
    " b.recipients, b.segments,"
    " (SELECT count(*) FROM outbox o WHERE o.broadcast_id = b.id"
    "  AND o.state = 'delivered'),"
    " (SELECT count(*) FROM outbox o WHERE o.broadcast_id = b.id"
    "  AND (o.state = 'undeliverable' OR o.state = 'expired'"
    "  OR o.state = 'rejected' OR o.state = 'failed'))"
    " FROM broadcasts b LEFT JOIN groups g ON g.id = b.group_id"
    " WHERE b.created_at >= ?1 AND b.created_at < ?2 ORDER BY b.id")
STMT(ST_STATS_TOPICS,
    "SELECT coalesce(o.topic, ''), count(*),"
    " sum(CASE WHEN o.state = 'delivered' THEN 1 ELSE 0 END),"
    " sum(CASE WHEN o.state = 'undeliverable' OR o.state = 'expired'"
    "  OR o.state = 'rejected' OR o.state = 'failed' THEN 1 ELSE 0 END),"
    " sum((SELECT count(*) FROM outbox_parts p WHERE p.outbox_id = o.id))"
    " FROM outbox o WHERE o.created_at >= ?1 AND o.created_at < ?2"
    " GROUP BY 1 ORDER BY 1")
STMT(ST_STATS_MERCHANTS,
    "SELECT m.name, count(c.id),"
    " sum(CASE WHEN c.result = 'valid' THEN 1 ELSE 0 END),"
    " sum(CASE WHEN c.result = 'no_offer' THEN 1 ELSE 0 END),"
    " sum(CASE WHEN c.result = 'used' OR c.result = 'expired' THEN 1"
    "  ELSE 0 END),"
    " sum(CASE WHEN c.result = 'wrong' OR c.result = 'locked' THEN 1"
    "  ELSE 0 END)"
    " FROM merchants m JOIN card_checks c ON c.merchant_id = m.id"
    " WHERE c.at >= ?1 AND c.at < ?2 GROUP BY m.id, m.name ORDER BY m.name")
/* Cases filed before ?1 by status, aged at ?2 - 1, 7 and 30 days. */
STMT(ST_STATS_CASES,
    "SELECT status, count(*),"
    " sum(CASE WHEN created_at > ?2 - 86400 THEN 1 ELSE 0 END),"
    " sum(CASE WHEN created_at <= ?2 - 86400"
    "  AND created_at > ?2 - 604800 THEN 1 ELSE 0 END),"
    " sum(CASE WHEN created_at <= ?2 - 604800"
    "  AND created_at > ?2 - 2592000 THEN 1 ELSE 0 END),"
    " sum(CASE WHEN created_at <= ?2 - 2592000 THEN 1 ELSE 0 END)"
    " FROM reports WHERE created_at < ?1 GROUP BY status")

/*
 * groups: a one-run resolution (a preview) reads the residents whose
 * subscription to topic ?1 differs from its default ?2 once, instead of a
 * lookup per member.
 */
STMT(ST_GROUP_SUB_EXCEPTIONS,
    "SELECT resident_id FROM subscriptions WHERE topic_id = ?1"
    " AND (subscribed <> 0) <> (?2 <> 0) ORDER BY resident_id")

/*
 * reminders: queue news. Active and placed preschool-queue entries after
 * entry ?1 (at most ?3) of guardians with a number that takes SMS and who
 * receive topic ?2: the entry, its status, guardian, phone, language,
 * institution, child's given name, place in the queue (0 when placed; as
 * ST_BCAST_QUEUE_INFO counts it), the best place already told (NULL: not
 * tracked yet), and whether the placement was told.
 */
STMT(ST_REMIND_QUEUE,
    "SELECT q.id, q.status, r.id, r.phone, r.lang, i.name,"
    " q.child_given_name,"
    " CASE WHEN q.status <> 'active' THEN 0 ELSE"
    "  1 + (SELECT count(*) FROM queue_entries a"
    "  WHERE a.status = 'active' AND a.institution_id = q.institution_id"
    "  AND substr(a.desired_start, 1, 4) = substr(q.desired_start, 1, 4)"
    "  AND (a.priority > q.priority OR (a.priority = q.priority AND"
    "  (a.registered_at < q.registered_at OR (a.registered_at ="
    "  q.registered_at AND a.id < q.id))))) END,"
    " (SELECT min(CAST(rs.due AS INTEGER)) FROM reminders_sent rs"
    "  WHERE rs.kind = 'queue_pos' AND rs.ref_id = q.id),"
    " CASE WHEN EXISTS (SELECT 1 FROM reminders_sent rs WHERE rs.kind ="
    "  'queue_placed' AND rs.ref_id = q.id) THEN 1 ELSE 0 END"
    " FROM queue_entries q JOIN residents r ON r.id = q.guardian_id"
    " JOIN institutions i ON i.id = q.institution_id"
    " WHERE q.id > ?1 AND q.status IN ('active', 'placed')"
    " AND r.phone IS NOT NULL AND r.phone_kind IN (0, 2)"
    " AND coalesce((SELECT CASE WHEN t.emergency <> 0 THEN 1 ELSE"
    "  coalesce((SELECT s.subscribed FROM subscriptions s"
    "  WHERE s.resident_id = r.id AND s.topic_id = t.id), t.default_on) END"
    "  FROM topics t WHERE t.code = ?2), 0) <> 0"
    " ORDER BY q.id LIMIT ?3")
/* A record of reminders_sent of any kind: changes() 1 new, 0 known. */
STMT(ST_REMIND_MARK_KIND,
    "INSERT INTO reminders_sent (kind, ref_id, due, sent_at)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kind, ref_id, due) DO NOTHING")

/*
 * broadcast_settle: a broadcast follows its messages, swept now and then
 * by the gateway rather than by triggers (a trigger on outbox state costs
 * every message, broadcast or not). Only unfinished broadcasts are looked
 * at, each through the outbox_broadcast index.
 */
STMT(ST_BCAST_SETTLE_SENDING,
    "UPDATE broadcasts SET state = 'sending', updated_at = ?1"
    " WHERE state = 'scheduled' AND EXISTS (SELECT 1 FROM outbox o"
    "  WHERE o.broadcast_id = broadcasts.id AND o.state IN ('inflight',"
    "  'accepted', 'delivered', 'undeliverable', 'expired', 'rejected',"
    "  'failed'))")
STMT(ST_BCAST_SETTLE_DONE,
    "UPDATE broadcasts SET state = 'done', updated_at = ?1"
    " WHERE state IN ('scheduled', 'sending')"
    " AND EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = broadcasts.id)"
    " AND NOT EXISTS (SELECT 1 FROM outbox o"
    "  WHERE o.broadcast_id = broadcasts.id"
    "  AND (o.state IN ('queued', 'inflight')"
    "   OR (o.state = 'accepted' AND o.updated_at >= ?2)))")
/* otp: one-time codes for kiosk sign-in, lock-outs (common/otp.c, pin.c) */
STMT(ST_OTP_RESIDENT,
    "SELECT id, coalesce(phone, ''), coalesce(phone_kind, -1), lang"
    " FROM residents WHERE personal_code = ?1")
STMT(ST_OTP_INVALIDATE,
    "UPDATE otp SET used = 1 WHERE resident_id = ?1 AND used = 0")
STMT(ST_OTP_INSERT,
    "INSERT INTO otp (resident_id, code_hash, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4)")
STMT(ST_OTP_CURRENT,
    "SELECT id, code_hash, expires_at, attempts, created_at FROM otp"
    " WHERE resident_id = ?1 AND used = 0 ORDER BY id DESC LIMIT 1")
STMT(ST_OTP_ATTEMPT,
    "UPDATE otp SET attempts = attempts + 1 WHERE id = ?1")
STMT(ST_OTP_USE,
    "UPDATE otp SET used = 1 WHERE id = ?1")
STMT(ST_OTP_PRUNE,
    "DELETE FROM otp WHERE expires_at < ?1")
/* Codes sent from one terminal since ?2 (the per-terminal cap). */
STMT(ST_OTP_SENDS_COUNT,
    "SELECT count(*) FROM otp_sends WHERE terminal = ?1 AND sent_at > ?2")
STMT(ST_OTP_SENDS_ADD,
    "INSERT INTO otp_sends (terminal, sent_at) VALUES (?1, ?2)")
STMT(ST_OTP_SENDS_PRUNE,
    "DELETE FROM otp_sends WHERE sent_at <= ?1")
/* The code's SMS: its text is wiped once sent (outbox_secret_wipe). */
STMT(ST_OTP_SECRET,
    "UPDATE outbox SET secret = 1 WHERE id = ?1")
STMT(ST_LOCKOUT_GET,
    "SELECT failures, locked_until, updated_at FROM lockouts"
    " WHERE subject = ?1")
STMT(ST_LOCKOUT_PUT,
    "INSERT INTO lockouts (subject, failures, locked_until, updated_at)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (subject) DO UPDATE SET"
    " failures = excluded.failures, locked_until = excluded.locked_until,"
    " updated_at = excluded.updated_at")
/*
 * One unit of work inside a shared transaction (store_savepoint): the
 * gateway answers a burst of MO with one commit, each undone alone.
 */
STMT(ST_SAVEPOINT, "SAVEPOINT muni_unit")
STMT(ST_SAVEPOINT_RELEASE, "RELEASE muni_unit")
STMT(ST_SAVEPOINT_ROLLBACK, "ROLLBACK TO muni_unit")

/* topics: the configured set (common/topics.c, munictl topic). */
STMT(ST_TOPICS_SEED,
    "INSERT INTO topics (code, name_lv, name_en, default_on, emergency)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (code) DO NOTHING")
STMT(ST_TOPICS_COUNT,
    "SELECT count(*), count(CASE WHEN emergency <> 0 THEN 1 END)"
    " FROM topics")
STMT(ST_TOPICS_LIST,
    "SELECT t.id, t.code, t.name_lv, t.name_en, t.default_on, t.emergency,"
    " (SELECT count(*) FROM subscriptions s WHERE s.topic_id = t.id"
    "  AND s.subscribed <> 0),"
    " (SELECT count(*) FROM subscriptions s WHERE s.topic_id = t.id"
    "  AND s.subscribed = 0)"
    " FROM topics t ORDER BY t.id")
STMT(ST_TOPICS_GET,
    "SELECT id, code, name_lv, name_en, default_on, emergency FROM topics"
    " WHERE code = ?1")
STMT(ST_TOPICS_INSERT,
    "INSERT INTO topics (code, name_lv, name_en, default_on, emergency)"
    " VALUES (?1, ?2, ?3, ?4, 0)")
STMT(ST_TOPICS_UPDATE,
    "UPDATE topics SET name_lv = ?2, name_en = ?3, default_on = ?4"
    " WHERE id = ?1")
STMT(ST_TOPICS_USES,
    "SELECT (SELECT count(*) FROM broadcasts WHERE topic = ?1),"
    " (SELECT count(*) FROM outbox WHERE topic = ?1"
    "  AND state IN ('queued', 'inflight'))")
STMT(ST_TOPICS_SUBS_DELETE, "DELETE FROM subscriptions WHERE topic_id = ?1")
STMT(ST_TOPICS_DELETE, "DELETE FROM topics WHERE id = ?1")
STMT(ST_TOPICS_RULE_GROUPS,
    "SELECT name, rule FROM groups WHERE kind = 'rule' AND rule IS NOT NULL"
    " ORDER BY name")

/*
 * cases (common/cases.c): reports and applications as staff work them.
 * Both reads return the same columns, in the order cases.c's row() reads.
 */
STMT2(ST_CASES_LIST,
    "SELECT r.id, r.case_no, r.kind, r.category, r.channel, r.status,"
    " coalesce(r.phone, ''), coalesce(r.resident_id, 0),"
    " coalesce(p.given_name || ' ' || p.family_name, ''), r.created_at,"
    " r.text FROM reports r LEFT JOIN residents p ON p.id = r.resident_id"
    " WHERE (?1 IS NULL OR r.status = ?1) AND (?2 IS NULL OR r.kind = ?2)"
    " ORDER BY r.id DESC LIMIT ?3",
    "SELECT r.id, r.case_no, r.kind, r.category, r.channel, r.status,"
    " coalesce(r.phone, ''), coalesce(r.resident_id, 0),"
    " coalesce(p.given_name || ' ' || p.family_name, ''), r.created_at,"
    " r.text FROM reports r LEFT JOIN residents p ON p.id = r.resident_id"
    " WHERE ($1::text IS NULL OR r.status = $1)"
    " AND ($2::text IS NULL OR r.kind = $2)"
    " ORDER BY r.id DESC LIMIT $3")
STMT(ST_CASES_GET,
    "SELECT r.id, r.case_no, r.kind, r.category, r.channel, r.status,"
    " coalesce(r.phone, ''), coalesce(r.resident_id, 0),"
    " coalesce(p.given_name || ' ' || p.family_name, ''), r.created_at,"
    " r.text FROM reports r LEFT JOIN residents p ON p.id = r.resident_id"
    " WHERE r.case_no = ?1")
STMT(ST_CASES_SET_STATUS,
    "UPDATE reports SET status = ?2 WHERE case_no = ?1")
/*
 * A resident's own cases (cases_mine_*): number, kind, status and when it
 * last changed — the audit row cases_set_status wrote for the status it
 * has now ("case=N status=S", more fields after a blank allowed), else
 * when it was filed. Never the text or who else.
 */
STMT(ST_CASES_MINE_GET,
    "SELECT r.case_no, r.kind, r.status, coalesce((SELECT max(a.at)"
    " FROM audit_log a WHERE a.action = 'case status'"
    " AND (a.detail = 'case=' || r.case_no || ' status=' || r.status"
    " OR a.detail LIKE 'case=' || r.case_no || ' status=' || r.status"
    " || ' %')),"
    " r.created_at) FROM reports r WHERE r.case_no = ?1"
    " AND r.resident_id = ?2")
STMT(ST_CASES_MINE_LIST,
    "SELECT r.case_no, r.kind, r.status, coalesce((SELECT max(a.at)"
    " FROM audit_log a WHERE a.action = 'case status'"
    " AND (a.detail = 'case=' || r.case_no || ' status=' || r.status"
    " OR a.detail LIKE 'case=' || r.case_no || ' status=' || r.status"
    " || ' %')),"
    " r.created_at) FROM reports r WHERE r.resident_id = ?1"
    " ORDER BY r.id DESC LIMIT ?2")
/*
 * cases_set_status_notify: the case's status and its resident's number,
 * language and kind of number (-1: no resident); the topic of case news
 * made on first use (on by default); and whether resident ?1 takes topic
 * ?2: their own choice, else off while STOP (for all) holds them (rows in
 * stop_all_left; the topic may be newer than their STOP), else the
 * topic's default.
 */
STMT(ST_CASES_NOTIFY_GET,
    "SELECT r.status, coalesce(r.resident_id, 0), coalesce(p.phone, ''),"
    " coalesce(p.phone_kind, -1), coalesce(p.lang, 'lv')"
    " FROM reports r LEFT JOIN residents p ON p.id = r.resident_id"
    " WHERE r.case_no = ?1")
STMT(ST_CASES_TOPIC,
    "INSERT INTO topics (code, name_lv, name_en, default_on, emergency)"
    " VALUES ('iesniegumi', 'Iesniegumi un ziņojumi',"
    " 'Applications and reports', 1, 0) ON CONFLICT (code) DO NOTHING")
STMT(ST_CASES_SUBSCRIBED,
    "SELECT CASE WHEN t.emergency <> 0 THEN 1"
    " WHEN s.subscribed IS NOT NULL THEN s.subscribed"
    " WHEN EXISTS (SELECT 1 FROM stop_all_left l WHERE l.resident_id = ?1)"
    " THEN 0 ELSE t.default_on END"
    " FROM topics t LEFT JOIN subscriptions s ON s.topic_id = t.id"
    " AND s.resident_id = ?1 WHERE t.code = ?2")

/*
 * card (common/card.c): the resident card — merchants, their offers, the
 * codes residents show at the till and the checks merchants make.
 */
STMT(ST_CARD_MERCHANT_INSERT,
    "INSERT INTO merchants (name, territory, address, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?4)")
STMT(ST_CARD_MERCHANT_GET,
    "SELECT id, name, territory, address, active FROM merchants"
    " WHERE name = ?1")
STMT(ST_CARD_MERCHANT_NAMES, "SELECT name FROM merchants ORDER BY name")
STMT(ST_CARD_MERCHANT_COUNT, "SELECT count(*) FROM merchants")
/*
 * The topic of the partners' offers, off by default, comes with the first
 * merchant: a municipality without the card lists no such topic.
 */
STMT(ST_CARD_TOPIC,
    "INSERT INTO topics (code, name_lv, name_en, default_on, emergency)"
    " VALUES ('atlaides', 'Atlaides', 'Discounts', 0, 0)"
    " ON CONFLICT DO NOTHING")
STMT(ST_CARD_MERCHANT_UPDATE,
    "UPDATE merchants SET name = coalesce(?2, name),"
    " territory = coalesce(?3, territory), address = coalesce(?4, address),"
    " active = coalesce(?5, active), updated_at = ?6 WHERE id = ?1")
STMT2(ST_CARD_MERCHANT_LIST,
    "SELECT m.id, m.name, m.territory, m.address, m.active,"
    " coalesce((SELECT group_concat(p.phone, ',') FROM merchant_phones p"
    "  WHERE p.merchant_id = m.id), ''),"
    " (SELECT count(*) FROM offers o WHERE o.merchant_id = m.id"
    "  AND o.ended_at IS NULL)"
    " FROM merchants m ORDER BY m.name",
    "SELECT m.id, m.name, m.territory, m.address, m.active,"
    " coalesce((SELECT string_agg(p.phone, ',' ORDER BY p.phone)"
    "  FROM merchant_phones p WHERE p.merchant_id = m.id), ''),"
    " (SELECT count(*) FROM offers o WHERE o.merchant_id = m.id"
    "  AND o.ended_at IS NULL)"
    " FROM merchants m ORDER BY m.name")
STMT(ST_CARD_PHONE_INSERT,
    "INSERT INTO merchant_phones (phone, merchant_id) VALUES (?1, ?2)")
STMT(ST_CARD_PHONES_DELETE,
    "DELETE FROM merchant_phones WHERE merchant_id = ?1")
STMT(ST_CARD_PHONE_MERCHANT,
    "SELECT m.id, m.name, m.active FROM merchant_phones p"
    " JOIN merchants m ON m.id = p.merchant_id WHERE p.phone = ?1")
STMT(ST_CARD_OFFER_INSERT,
    "INSERT INTO offers (merchant_id, group_id, text_lv, text_en,"
    " valid_from, valid_to, created_by, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)")
/* The first live offer of the merchant for the group whose days meet. */
STMT(ST_CARD_OFFER_OVERLAP,
    "SELECT id FROM offers WHERE merchant_id = ?1 AND group_id = ?2"
    " AND ended_at IS NULL AND id <> ?3 AND valid_from <= ?5"
    " AND valid_to >= ?4 ORDER BY id LIMIT 1")
STMT(ST_CARD_OFFER_GET,
    "SELECT o.id, m.name, coalesce(g.name, ''), o.text_lv, o.text_en,"
    " o.valid_from, o.valid_to, coalesce(o.ended_at, 0), o.merchant_id,"
    " o.group_id FROM offers o JOIN merchants m ON m.id = o.merchant_id"
    " LEFT JOIN groups g ON g.id = o.group_id WHERE o.id = ?1")
STMT(ST_CARD_OFFER_UPDATE,
    "UPDATE offers SET group_id = ?2, text_lv = ?3, text_en = ?4,"
    " valid_from = ?5, valid_to = ?6, updated_at = ?7 WHERE id = ?1")
STMT(ST_CARD_OFFER_END,
    "UPDATE offers SET ended_at = ?2, updated_at = ?2 WHERE id = ?1"
    " AND ended_at IS NULL")
STMT2(ST_CARD_OFFER_LIST,
    "SELECT o.id, m.name, coalesce(g.name, ''), o.text_lv, o.text_en,"
    " o.valid_from, o.valid_to, coalesce(o.ended_at, 0), o.merchant_id,"
    " o.group_id FROM offers o JOIN merchants m ON m.id = o.merchant_id"
    " LEFT JOIN groups g ON g.id = o.group_id"
    " WHERE (?1 IS NULL OR o.merchant_id = ?1) ORDER BY m.name, o.id",
    "SELECT o.id, m.name, coalesce(g.name, ''), o.text_lv, o.text_en,"
    " o.valid_from, o.valid_to, coalesce(o.ended_at, 0), o.merchant_id,"
    " o.group_id FROM offers o JOIN merchants m ON m.id = o.merchant_id"
    " LEFT JOIN groups g ON g.id = o.group_id"
    " WHERE ($1::bigint IS NULL OR o.merchant_id = $1) ORDER BY m.name, o.id")
/*
 * The offers in force on day ?1 at active merchants (of merchant ?3, or
 * all), those in the resident's territory ?2 first.
 */
STMT2(ST_CARD_OFFERS_LIVE,
    "SELECT o.id, o.group_id, m.name, m.territory, m.address, o.text_lv,"
    " o.text_en, o.valid_from, o.valid_to"
    " FROM offers o JOIN merchants m ON m.id = o.merchant_id"
    " WHERE m.active = 1 AND o.ended_at IS NULL AND o.valid_from <= ?1"
    " AND o.valid_to >= ?1 AND (?3 IS NULL OR o.merchant_id = ?3)"
    " ORDER BY m.territory = ?2 DESC, m.name, o.id",
    "SELECT o.id, o.group_id, m.name, m.territory, m.address, o.text_lv,"
    " o.text_en, o.valid_from, o.valid_to"
    " FROM offers o JOIN merchants m ON m.id = o.merchant_id"
    " WHERE m.active = 1 AND o.ended_at IS NULL AND o.valid_from <= $1"
    " AND o.valid_to >= $1 AND ($3::bigint IS NULL OR o.merchant_id = $3)"
    " ORDER BY m.territory = $2 DESC, m.name, o.id")
/* A manual group's membership of one resident (rule groups: groups.c). */
STMT(ST_CARD_MANUAL_MEMBER,
    "SELECT count(*) FROM group_members WHERE group_id = ?1"
    " AND resident_id = ?2")
STMT(ST_CARD_RESIDENT,
    "SELECT given_name, family_name, territory, lang FROM residents"
    " WHERE id = ?1")
STMT(ST_CARD_CODE_LAST,
    "SELECT id, created_at, expires_at FROM card_codes"
    " WHERE resident_id = ?1 AND expires_at > ?2 ORDER BY id DESC LIMIT 1")
STMT(ST_CARD_CODE_INSERT,
    "INSERT INTO card_codes (resident_id, code_hash, created_at,"
    " expires_at) VALUES (?1, ?2, ?3, ?4)")
STMT(ST_CARD_CODE_PRUNE, "DELETE FROM card_codes WHERE expires_at <= ?1")
/* The code's SMS: its text is wiped once sent (outbox_secret_wipe). */
STMT(ST_CARD_SECRET, "UPDATE outbox SET secret = 1 WHERE id = ?1")
STMT(ST_CARD_CHECK_USED,
    "SELECT count(*) FROM card_checks WHERE code_id = ?1"
    " AND merchant_id = ?2 AND day = ?3"
    " AND (result = 'valid' OR result = 'no_offer')")
STMT(ST_CARD_CHECK_INSERT,
    "INSERT INTO card_checks (merchant_id, code_id, result, day, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5)")
STMT(ST_CARD_CHECK_OFFER_INSERT,
    "INSERT INTO card_check_offers (check_id, offer_id) VALUES (?1, ?2)")
/* The card key (card.c's code_mac): one row, made by the first code. */
STMT(ST_CARD_KEY_GET, "SELECT secret FROM card_key WHERE id = 1")
STMT(ST_CARD_KEY_PUT,
    "INSERT INTO card_key (id, secret, created_at) VALUES (1, ?1, ?2)"
    " ON CONFLICT (id) DO NOTHING")
/* A code by its keyed hash (the unique index card_codes_hash). */
STMT(ST_CARD_CODE_BY_MAC,
    "SELECT id, resident_id, expires_at FROM card_codes"
    " WHERE code_hash = ?1 AND expires_at > ?2")
STMT(ST_CARD_REPORT,
    "SELECT (SELECT count(*) FROM merchants WHERE active = 1),"
    " (SELECT count(*) FROM offers WHERE ended_at IS NULL),"
    " count(*), count(CASE WHEN result = 'valid' THEN 1 END),"
    " count(CASE WHEN at >= ?1 THEN 1 END) FROM card_checks")

/*
 * callback (common/callback.c): the durable queue of events for the
 * municipality's systems (issue 23); the triggers of migration 8 -> 9 and
 * ST_CB_MO fill it, the gateway's poster empties it.
 */
STMT(ST_CB_TARGETS_CLEAR, "DELETE FROM callback_targets")
STMT(ST_CB_TARGET_PUT,
    "INSERT INTO callback_targets (name, events) VALUES (?1, ?2)")
STMT2(ST_CB_MO,
    "INSERT INTO callbacks (target, event, subject, payload, created_at)"
    " SELECT t.name, 'mo.unhandled', 'mo:' || ?1,"
    " json_object('event', 'mo.unhandled', 'phone', ?1,"
    " 'resident_id', ?2, 'text', ?3, 'case_no', ?4, 'at', ?5), ?5"
    " FROM callback_targets t WHERE t.events & 4",
    "INSERT INTO callbacks (target, event, subject, payload, created_at)"
    " SELECT t.name, 'mo.unhandled', 'mo:' || $1::text,"
    " json_build_object('event', 'mo.unhandled', 'phone', $1::text,"
    " 'resident_id', $2::bigint, 'text', $3::text, 'case_no', $4::text,"
    " 'at', $5::bigint)::text, $5"
    " FROM callback_targets t WHERE t.events & 4 <> 0")
STMT(ST_CB_FINAL_WANTED,
    "SELECT count(*) FROM callback_targets WHERE events & 1 <> 0")
STMT2(ST_CB_MESSAGE_FINAL,
    "INSERT INTO callbacks (target, event, subject, payload, created_at)"
    " SELECT t.name, 'message.final', 'message:' || o.id,"
    " json_object('event', 'message.final', 'id', o.id, 'state', o.state,"
    " 'phone', o.phone, 'broadcast_id', o.broadcast_id,"
    " 'error', o.status_code, 'at', o.updated_at), o.updated_at"
    " FROM outbox o JOIN callback_targets t ON t.events & 1"
    " WHERE o.id = ?1 AND o.state IN ('delivered', 'undeliverable',"
    " 'expired', 'rejected', 'failed')",
    "INSERT INTO callbacks (target, event, subject, payload, created_at)"
    " SELECT t.name, 'message.final', 'message:' || o.id,"
    " json_build_object('event', 'message.final', 'id', o.id,"
    " 'state', o.state, 'phone', o.phone, 'broadcast_id', o.broadcast_id,"
    " 'error', o.status_code, 'at', o.updated_at)::text, o.updated_at"
    " FROM outbox o JOIN callback_targets t ON t.events & 1 <> 0"
    " WHERE o.id = $1 AND o.state IN ('delivered', 'undeliverable',"
    " 'expired', 'rejected', 'failed')")
STMT(ST_CB_RECOVER,
    "UPDATE callbacks SET state = 'pending' WHERE state = 'sending'")
STMT(ST_CB_DUE,
    "SELECT c.id, c.target, c.event, c.payload, c.attempts"
    " FROM callbacks c WHERE c.state = 'pending' AND c.next_at <= ?1"
    " AND NOT EXISTS (SELECT 1 FROM callbacks e WHERE e.target = c.target"
    "  AND e.subject = c.subject AND e.id < c.id"
    "  AND e.state IN ('pending', 'sending'))"
    " ORDER BY c.next_at, c.id LIMIT ?2")
STMT(ST_CB_TAKE,
    "UPDATE callbacks SET state = 'sending', attempts = attempts + 1"
    " WHERE id = ?1 AND state = 'pending'")
STMT(ST_CB_DONE,
    "UPDATE callbacks SET state = 'done', done_at = ?2, last_error = NULL"
    " WHERE id = ?1 AND state = 'sending'")
STMT(ST_CB_FAIL,
    "UPDATE callbacks SET state = CASE WHEN coalesce(retry_from, ?2) + ?3"
    " <= ?2 THEN 'failed' ELSE 'pending' END,"
    " done_at = CASE WHEN coalesce(retry_from, ?2) + ?3 <= ?2 THEN ?2 END,"
    " retry_from = coalesce(retry_from, ?2), next_at = ?4, last_error = ?5"
    " WHERE id = ?1 AND state = 'sending' RETURNING state")
STMT(ST_CB_GIVE_UP,
    "UPDATE callbacks SET state = 'failed', done_at = ?2, last_error = ?3"
    " WHERE id = ?1")
STMT2(ST_CB_LIST,
    "SELECT id, target, event, subject, state, attempts, next_at,"
    " coalesce(last_error, ''), created_at FROM callbacks"
    " WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2",
    "SELECT id, target, event, subject, state, attempts, next_at,"
    " coalesce(last_error, ''), created_at FROM callbacks"
    " WHERE ($1::text IS NULL OR state = $1) ORDER BY id DESC LIMIT $2")
STMT(ST_CB_RETRY,
    "UPDATE callbacks SET state = 'pending', next_at = 0, attempts = 0,"
    " retry_from = NULL, done_at = NULL"
    " WHERE state IN ('pending', 'failed')"
    " AND (id = ?1 OR (?1 IS NULL AND state = 'failed'))")
STMT(ST_CB_DROP, "DELETE FROM callbacks WHERE id = ?1")
STMT(ST_CB_PRUNE,
    "DELETE FROM callbacks WHERE state = 'done' AND done_at < ?1")
STMT(ST_CB_COUNT, "SELECT count(*) FROM callbacks WHERE state = ?1")
/* api-puts: mo.unhandled for a text the per-phone reply limit silenced. */
STMT2(ST_CB_MO_LIMITED,
    "INSERT INTO callbacks (target, event, subject, payload, created_at)"
    " SELECT t.name, 'mo.unhandled', 'mo:' || ?1,"
    " json_object('event', 'mo.unhandled', 'phone', ?1,"
    " 'resident_id', ?2, 'text', ?3, 'case_no', NULL, 'at', ?4,"
    " 'limited', json('true')), ?4"
    " FROM callback_targets t WHERE t.events & 4",
    "INSERT INTO callbacks (target, event, subject, payload, created_at)"
    " SELECT t.name, 'mo.unhandled', 'mo:' || $1::text,"
    " json_build_object('event', 'mo.unhandled', 'phone', $1::text,"
    " 'resident_id', $2::bigint, 'text', $3::text, 'case_no', NULL,"
    " 'at', $4::bigint, 'limited', true)::text, $4::bigint"
    " FROM callback_targets t WHERE t.events & 4 <> 0")

/* idem (common/idem.c): the API's Idempotency-Key (issue 23). */
STMT(ST_IDEM_GET,
    "SELECT body_sha256, status, answer FROM api_idempotency"
    " WHERE client = ?1 AND endpoint = ?2 AND key = ?3 AND created_at > ?4")
STMT(ST_IDEM_PUT,
    "INSERT INTO api_idempotency (client, endpoint, key, body_sha256,"
    " status, answer, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (client, endpoint, key) DO UPDATE SET"
    " body_sha256 = excluded.body_sha256, status = excluded.status,"
    " answer = excluded.answer, created_at = excluded.created_at")
STMT(ST_IDEM_PRUNE, "DELETE FROM api_idempotency WHERE created_at <= ?1")

/* broadcast_list_since (common/broadcast.c): the API's paged list. */
STMT(ST_BCAST_SINCE,
    "SELECT b.id, coalesce(b.group_id, 0), coalesce(g.name, ''),"
    " coalesce(b.topic, ''), b.text, b.emergency, b.state, b.scheduled_at,"
    " b.recipients, b.segments, b.created_by, coalesce(b.approved_by, ''),"
    " b.created_at, b.updated_at FROM broadcasts b"
    " LEFT JOIN groups g ON g.id = b.group_id"
    " WHERE b.updated_at >= ?1 AND b.id > ?2 ORDER BY b.id LIMIT ?3")

/*
 * store_job_lock: a job that must run on one gateway at a time (issue
 * 19). PostgreSQL: a session advisory lock on ?1, keyed beside the
 * migrations' own key, held until the connection ends; taken again by
 * its holder (which only counts it). SQLite has one gateway: always yes.
 */
STMT2(ST_JOB_LOCK,
    "SELECT CASE WHEN ?1 IS NULL THEN 0 ELSE 1 END",
    "SELECT CASE WHEN pg_try_advisory_lock(1836412521,"
    " hashtext('job:' || $1)) THEN 1 ELSE 0 END")
/*
 * The database's own catalogue, for munictl init's roles and munictl
 * migrate --to (smsgw/ctl_pg.c): the same questions asked of either engine.
 */
/* Every table, those others refer to first (PostgreSQL: by foreign key). */
STMT2(ST_META_TABLES,
    "SELECT name FROM sqlite_master WHERE type = 'table'"
    " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name",
    "WITH RECURSIVE t AS (SELECT c.oid, c.relname FROM pg_catalog.pg_class c"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind = 'r'),"
    " d (oid, depth) AS (SELECT oid, 0 FROM t UNION ALL"
    " SELECT k.conrelid, d.depth + 1 FROM d JOIN pg_catalog.pg_constraint k"
    " ON k.confrelid = d.oid AND k.contype = 'f' AND k.conrelid <> k.confrelid"
    " WHERE d.depth < 64)"
    " SELECT t.relname::text FROM t JOIN d ON d.oid = t.oid"
    " GROUP BY t.relname ORDER BY max(d.depth), t.relname")
/*
 * ?1's columns in order: name, kind ('i' integer, 'd' real, 'b' blob, 't'
 * text) and 1 for an identity column (PostgreSQL's sequence to set).
 */
STMT2(ST_META_COLUMNS,
    "SELECT name, CASE WHEN upper(type) LIKE '%INT%' THEN 'i'"
    " WHEN upper(type) LIKE '%REAL%' OR upper(type) LIKE '%DOUB%' THEN 'd'"
    " WHEN upper(type) LIKE '%BLOB%' THEN 'b' ELSE 't' END,"
    " CASE WHEN pk = 1 AND upper(type) = 'INTEGER' THEN 1 ELSE 0 END"
    " FROM pragma_table_info(?1) ORDER BY cid",
    "SELECT a.attname::text, CASE"
    " WHEN y.typname IN ('int2', 'int4', 'int8') THEN 'i'"
    " WHEN y.typname IN ('float4', 'float8', 'numeric') THEN 'd'"
    " WHEN y.typname = 'bytea' THEN 'b' ELSE 't' END,"
    " CASE WHEN a.attidentity <> '' THEN 1 ELSE 0 END"
    " FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_type y ON y.oid = a.atttypid"
    " WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0"
    " AND NOT a.attisdropped ORDER BY a.attnum")
/* The schema muni's tables live in (SQLite: 'main'). */
STMT2(ST_META_SCHEMA, "SELECT 'main'", "SELECT current_schema()::text")
/* Whether role ?1 exists (SQLite has none). */
STMT2(ST_META_ROLE,
    "SELECT count(*) FROM sqlite_master WHERE type = 'role' AND name = ?1",
    "SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = $1")
