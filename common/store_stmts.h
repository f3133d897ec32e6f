/*
 * store_stmts.h: every SQL statement muni runs, in one table. store.c
 * prepares them all when the database opens; modules use them by id. Add a
 * line here, never build SQL at run time (the group-rule compiler, which
 * binds every value, is the only exception).
 *
 * No include guard: this file is an X-macro list, included with STMT defined.
 */

/* audit */
STMT(ST_AUDIT_INSERT,
    "INSERT INTO audit_log (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)")

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
    " WHERE given_name IS NOT excluded.given_name"
    " OR family_name IS NOT excluded.family_name"
    " OR phone IS NOT excluded.phone OR lang IS NOT excluded.lang"
    " OR territory IS NOT excluded.territory"
    " OR address IS NOT excluded.address"
    " OR birth_date IS NOT excluded.birth_date")
STMT(ST_RESIDENT_ID_BY_CODE,
    "SELECT id FROM residents WHERE personal_code = ?1")
STMT(ST_RESIDENT_COUNT, "SELECT count(*) FROM residents")

/* institutions and priority classes */
STMT(ST_INSTITUTION_BY_NAME, "SELECT id FROM institutions WHERE name = ?1")
STMT(ST_INSTITUTION_INSERT,
    "INSERT INTO institutions (name, territory) VALUES (?1, ?2)")
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
    " WHERE child_given_name IS NOT excluded.child_given_name"
    " OR child_family_name IS NOT excluded.child_family_name"
    " OR guardian_id IS NOT excluded.guardian_id"
    " OR registered_at IS NOT excluded.registered_at"
    " OR desired_start IS NOT excluded.desired_start"
    " OR priority IS NOT excluded.priority")
STMT(ST_QUEUE_SET_STATUS,
    "UPDATE queue_entries SET status = ?2 WHERE id = ?1")

/* fees */
STMT(ST_FEE_UPSERT,
    "INSERT INTO fees (resident_id, kind, period, amount_cents, due_date,"
    " reference, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (resident_id, kind, period) DO UPDATE SET"
    " amount_cents = excluded.amount_cents, due_date = excluded.due_date,"
    " reference = coalesce(excluded.reference, reference),"
    " updated_at = excluded.updated_at"
    " WHERE amount_cents IS NOT excluded.amount_cents"
    " OR due_date IS NOT excluded.due_date"
    " OR (excluded.reference IS NOT NULL"
    "  AND reference IS NOT excluded.reference)"
    " RETURNING id, reference")
STMT(ST_FEE_ID_BY_KEY,
    "SELECT id, reference FROM fees WHERE resident_id = ?1 AND kind = ?2"
    " AND period = ?3")
STMT(ST_FEE_SET_REFERENCE, "UPDATE fees SET reference = ?2 WHERE id = ?1")
STMT(ST_FEE_REFERENCE_OWNER, "SELECT id FROM fees WHERE reference = ?1")
STMT(ST_FEE_SET_PAID,
    "UPDATE fees SET paid_cents = ?2, paid_at = ?3 WHERE id = ?1")

/* topics */
STMT(ST_TOPIC_UPSERT,
    "INSERT INTO topics (code, name_lv, name_en, default_on, emergency)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (code) DO UPDATE SET"
    " name_lv = excluded.name_lv, name_en = excluded.name_en,"
    " default_on = excluded.default_on, emergency = excluded.emergency")
STMT(ST_SUBSCRIPTION_SET,
    "INSERT INTO subscriptions (resident_id, topic_id, subscribed,"
    " updated_at) VALUES (?1, (SELECT id FROM topics WHERE code = ?2), ?3,"
    " ?4) ON CONFLICT (resident_id, topic_id) DO UPDATE SET"
    " subscribed = excluded.subscribed, updated_at = excluded.updated_at")

/* staff */
STMT(ST_STAFF_UPSERT,
    "INSERT INTO staff (username, pin_hash, role, created_at)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (username) DO UPDATE SET"
    " pin_hash = excluded.pin_hash, role = excluded.role")

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
STMT(ST_DEMO_FEE_INSERT,
    "INSERT INTO fees (id, resident_id, kind, period, amount_cents,"
    " due_date, reference, paid_cents, paid_at, updated_at)"
    " VALUES (?10, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
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
STMT(ST_MO_PART_PENDING,
    "SELECT count(*) FROM (SELECT DISTINCT dest, ref, total"
    " FROM mo_parts WHERE source = ?1)")
