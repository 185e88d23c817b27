/* erase.c: a respondent's personal data cleared on the workstation: when the central store's
   pull carries an erasure (applied once, confirmed at the next push), and for the closed,
   synced cases of a study with a retention. Coded answers stay; the bytes are overwritten. */
#include "cati/export.h"
#include "store-int.h"

#include "cati/form.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The personal questions of every form of study held here, as {qid: true} (the caller's). */
static json_t *personal_qids(struct store *st, const char *study, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT source FROM forms WHERE form_id = ?", e);
	json_t *q;
	int rc;

	if (!s)
		return NULL;
	q = json_object();
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *src = (const char *)sqlite3_column_text(s, 0);
		struct form_diags d;
		struct form *f;
		int i;

		form_diags_init(&d);
		f = form_compile("(stored form)", src, strlen(src), &d);
		form_diags_release(&d);
		for (i = 0; f && i < f->nnodes; i++)
			if (form_personal_question(f, i))
				json_object_set_new(q, f->nodes[i].id, json_true());
		form_free(f);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, rc, "read the forms", e);
		json_decref(q);
		return NULL;
	}
	return q;
}


/* Run one statement with the case row id (?1) and text t (?2, may be NULL); the rows changed
   are added to *n. STORE_OK or the failure. */
static enum store_rc change(struct store *st, const char *sql, int64_t id, const char *t, int *n, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, sql, e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, id);
	if (t)
		sqlite3_bind_text(s, 2, t, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "erase personal data", e);
	if (n)
		*n += sqlite3_changes(st->db);
	return STORE_OK;
}

/* The records of the case key kept for sync (sent or not) redacted; their number into *n. With
   indexed, the outbox's case keys were listed once in temp.erase_outbox (store_erase_closed). */
static enum store_rc redact_outbox(struct store *st, const char *key, json_t *qids, int indexed, int *n,
                                   struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, indexed ? "SELECT o.id, peek(o.payload) FROM temp.erase_outbox x JOIN outbox o ON o.id = x.id"
	                                              " WHERE x.case_key = ?"
	                                            : "SELECT id, p FROM (SELECT id, peek(payload) AS p FROM outbox) WHERE json_extract(p, '$.case') = ?", e);
	sqlite3_stmt *u;
	enum store_rc r = STORE_OK;
	int rc;

	if (!s)
		return st->last_rc;
	if (!(u = store_prepare(st, "UPDATE outbox SET payload = seal(?) WHERE id = ?", e))) {
		sqlite3_finalize(s);
		return st->last_rc;
	}
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	while (r == STORE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *d = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);
		char *dump;

		if (json_is_object(d) && exp_redact_record(d, qids)) {
			/* the key order the payload's SQL gave it is kept: the JSON is only smaller */
			dump = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
			sqlite3_bind_text(u, 1, dump, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(u, 2, sqlite3_column_int64(s, 0));
			rc = sqlite3_step(u);
			sqlite3_reset(u);
			free(dump);
			if (rc != SQLITE_DONE)
				r = store_fail(st, rc, "erase personal data", e);
			(*n)++;
		}
		json_decref(d);
	}
	if (r == STORE_OK && rc != SQLITE_DONE)
		r = store_fail(st, rc, "erase personal data", e);
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return r;
}

/* The case's fields without the personal ones (a new string). */
static char *redact_fields(const char *fields)
{
	json_t *o = json_loads(fields ? fields : "{}", 0, NULL), *v;
	const char *k;
	void *tmp;
	char *out;

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_foreach_safe(o, tmp, k, v) {
		(void)v;
		if (form_personal_field(k))
			json_object_del(o, k);
	}
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

/* Clear the personal data of case row id (study) everywhere on the workstation, inside the
   caller's transaction; what went into *removed (a new object). cache keeps each study's
   personal questions. */
static enum store_rc clear_case(struct store *st, int64_t id, const char *key, const char *study, const char *fields,
                                json_t *cache, int indexed, json_t **removed, struct err *e)
{
	int answers = 0, history = 0, events = 0, notes = 0, appts = 0, calls = 0, outbox = 0, cased = 0;
	json_t *qids = json_object_get(cache, study), *q;
	char *f, now[32];
	const char *qid;
	enum store_rc r;

	*removed = NULL;
	/* the study's personal questions, from its forms once per study (cache: {study: qids}) */
	if (!qids) {
		if (!(qids = personal_qids(st, study, e)))
			return st->last_rc;
		json_object_set_new(cache, study, qids);
	}
	f = redact_fields(fields);
	store_now(st, now);
	/* overwritten, not only unlinked: the old bytes do not stay in the file's free space */
	sqlite3_exec(st->db, "PRAGMA secure_delete = ON", NULL, NULL, NULL);
	r = change(st, "UPDATE cases SET name = NULL, phone = '', fields = ?2 WHERE id = ?1", id, f, &cased, e);
	if (r == STORE_OK)
		r = change(st, "UPDATE notes SET text = '' WHERE case_id = ?1 AND text <> ''", id, NULL, &notes, e);
	if (r == STORE_OK)
		r = change(st, "UPDATE appointments SET with_whom = NULL WHERE case_id = ?1 AND with_whom IS NOT NULL", id, NULL,
		           &appts, e);
	if (r == STORE_OK)
		r = change(st, "UPDATE call_attempts SET phone = NULL WHERE case_id = ?1 AND phone IS NOT NULL", id, NULL, &calls, e);
	/* the digests of its numbers the do-not-call check kept (the list itself keeps a listed one) */
	if (r == STORE_OK)
		r = change(st, "DELETE FROM case_phones WHERE case_id = ?1", id, NULL, NULL, e);
	if (r == STORE_OK)
		r = change(st, "UPDATE interviews SET suspend_reason = NULL WHERE case_id = ?1 AND suspend_reason IS NOT NULL", id,
		           NULL, NULL, e);
	json_object_foreach(qids, qid, q) {
		if (r == STORE_OK)
			r = change(st, "UPDATE answers SET value = '' WHERE qid = ?2 AND value <> ''"
			               " AND interview IN (SELECT id FROM interviews WHERE case_id = ?1)", id, qid, &answers, e);
		if (r == STORE_OK)
			r = change(st, "UPDATE answer_history SET old_value = NULL, new_value = '' WHERE qid = ?2"
			               " AND interview IN (SELECT id FROM interviews WHERE case_id = ?1)", id, qid, &history, e);
		if (r == STORE_OK)
			r = change(st, "UPDATE events SET value = NULL, old_value = NULL WHERE qid = ?2"
			               " AND (value IS NOT NULL OR old_value IS NOT NULL)"
			               " AND interview IN (SELECT id FROM interviews WHERE case_id = ?1)", id, qid, &events, e);
	}
	if (r == STORE_OK)
		r = redact_outbox(st, key, qids, indexed, &outbox, e);
	if (r == STORE_OK)
		r = change(st, "UPDATE cases SET cleared_at = ?2 WHERE id = ?1", id, now, NULL, e);
	if (r == STORE_OK)
		*removed = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "case", cased, "answers", answers + history, "events", events,
		                     "notes", notes, "appointments", appts, "calls", calls, "records", outbox);
	free(f);
	return r;
}

/* Apply the store's erasure of case key once and queue its confirmation. */
enum store_rc store_erase_case(struct store *st, const char *key, const char *erasure, int *applied, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT (SELECT 1 FROM erasures WHERE id = ?2), c.id, c.study, c.fields"
	                                    " FROM (SELECT 1) LEFT JOIN cases c ON c.case_key = ?1", e);
	json_t *removed = NULL, *confirm, *cache = NULL;
	char now[32], uuid[37], *dump, *study = NULL, *fields = NULL;
	enum store_rc r = STORE_OK;
	int64_t id = 0;
	int rc, seen = 0;

	*applied = 0;
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, erasure, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		seen = sqlite3_column_type(s, 0) != SQLITE_NULL;
		id = sqlite3_column_type(s, 1) != SQLITE_NULL ? sqlite3_column_int64(s, 1) : 0;
		study = col_dup(s, 2);
		fields = col_dup(s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		r = store_fail(st, rc, "erase personal data", e);
		goto out;
	}
	if (seen)
		goto out;
	cache = json_object();
	if (id && (r = clear_case(st, id, key, study, fields, cache, 0, &removed, e)) != STORE_OK)
		goto out;
	/* the person asked to be forgotten: an open case leaves the list, its appointments with it */
	store_now(st, now);
	if (id && ((r = change(st, "UPDATE cases SET withdrawn_at = ?2 WHERE id = ?1 AND disposition IS NULL"
	                           " AND status NOT IN ('complete', 'screenout')", id, now, NULL, e)) != STORE_OK ||
	           (r = change(st, "UPDATE appointments SET done = 1 WHERE case_id = ?1", id, NULL, NULL, e)) != STORE_OK))
		goto out;
	if (!removed)
		removed = json_object();   /* a case this workstation never had: confirmed all the same */
	store_now(st, now);
	store_uuid(uuid);
	confirm = json_pack("{s:s,s:s,s:O,s:s}", "erasure", erasure, "case", key, "removed", removed, "at", now);
	dump = json_dumps(confirm, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(confirm);
	if (!(s = store_prepare(st, "INSERT INTO erasures(id, case_key, at) VALUES (?1, ?2, ?3);", e))) {
		free(dump);
		r = st->last_rc;
		goto out;
	}
	sqlite3_bind_text(s, 1, erasure, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE &&
	    (s = store_prepare(st, "INSERT INTO outbox(uuid, kind, ref, created_at, payload) VALUES (?1, 'erasure_confirm', 0, ?2, ?3)", e))) {
		sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, dump, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	} else if (rc == SQLITE_DONE) {
		rc = -1;
	}
	free(dump);
	if (rc != SQLITE_DONE)
		r = rc < 0 ? st->last_rc : store_fail(st, rc, "queue an erasure's confirmation", e);
	else
		*applied = 1;
out:
	json_decref(removed);
	json_decref(cache);
	free(study);
	free(fields);
	return r;
}

/* Clear the closed, synced cases of the studies with a retention. */
enum store_rc store_erase_closed(struct store *st, int *cleared, struct err *e)
{
	/* closed (a final outcome or a finished interview), not cleared yet, of a study with a
	   retention, and every record about it sent */
	sqlite3_stmt *s = store_prepare(st, "SELECT c.id, c.case_key, c.study, c.fields FROM cases c"
	                                    " JOIN meta m ON m.key = 'retention:' || c.study AND CAST(m.value AS INTEGER) > 0"
	                                    " WHERE c.cleared_at IS NULL"
	                                    " AND (c.disposition IS NOT NULL OR c.status IN ('complete', 'screenout'))"
	                                    " AND c.case_key NOT IN (SELECT json_extract(peek(o.payload), '$.case') FROM outbox o"
	                                    "  WHERE o.sent_at IS NULL AND json_extract(peek(o.payload), '$.case') IS NOT NULL)", e);
	json_t *due, *x, *cache;
	enum store_rc r = STORE_OK;
	size_t i;
	int rc;

	*cleared = 0;
	if (!s)
		return st->last_rc;
	due = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(due, json_pack("[I,s,s,s]", (json_int_t)sqlite3_column_int64(s, 0),
		                                     (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
		                                     (const char *)sqlite3_column_text(s, 3)));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(due);
		return store_fail(st, rc, "find the closed cases", e);
	}
	/* the outbox's case keys, read once for all the cases (not once a case) */
	if (json_array_size(due) &&
	    sqlite3_exec(st->db, "CREATE TEMP TABLE IF NOT EXISTS erase_outbox(case_key TEXT, id INTEGER);"
	                         "DELETE FROM temp.erase_outbox;"
	                         "INSERT INTO temp.erase_outbox SELECT json_extract(peek(payload), '$.case'), id FROM outbox;"
	                         "CREATE INDEX IF NOT EXISTS temp.erase_outbox_case ON erase_outbox(case_key);",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		json_decref(due);
		return store_fail(st, sqlite3_errcode(st->db), "find the records of the closed cases", e);
	}
	cache = json_object();
	json_array_foreach(due, i, x) {
		json_t *removed = NULL;
		r = clear_case(st, json_integer_value(json_array_get(x, 0)), json_string_value(json_array_get(x, 1)),
		               json_string_value(json_array_get(x, 2)), json_string_value(json_array_get(x, 3)), cache,
		               1, &removed, e);
		json_decref(removed);
		if (r != STORE_OK)
			break;
		(*cleared)++;
	}
	json_decref(due);
	json_decref(cache);
	return r;
}

/* Rewrite the database and empty its log after an erasure. */
enum store_rc store_erase_scrub(struct store *st, struct err *e)
{
	int rc;

	/* the pages that held the data rewritten whole (VACUUM), and the log that still held
	   their old copies emptied */
	rc = sqlite3_exec(st->db, "VACUUM", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sqlite3_exec(st->db, "PRAGMA secure_delete = OFF", NULL, NULL, NULL);
	return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, "overwrite erased data", e);
}
