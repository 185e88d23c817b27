/* cases.c: case lists, call attempts, appointments, notes and meta values. */
#include "store-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_col(sqlite3_stmt *s, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(out, n, "%s", t ? (const char *)t : "");
}

enum store_rc store_cases_list(struct store *st, const char *filter, const char *status,
                               int limit, void (*cb)(void *ctx, const struct store_case_row *r),
                               void *ctx, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT c.case_key, coalesce(c.name, ''), c.phone, c.status,"
		" (SELECT count(*) FROM call_attempts a WHERE a.case_id = c.id),"
		" (SELECT outcome FROM call_attempts a WHERE a.case_id = c.id ORDER BY a.id DESC LIMIT 1),"
		" (SELECT min(at) FROM appointments p WHERE p.case_id = c.id AND p.done = 0),"
		" (SELECT min(at_utc) FROM appointments p WHERE p.case_id = c.id AND p.done = 0)"
		" FROM cases c WHERE (?1 IS NULL OR instr(lower(c.case_key), lower(?1)) > 0"
		"                     OR instr(lower(coalesce(c.name, '')), lower(?1)) > 0)"
		" AND (?2 IS NULL OR c.status = ?2) AND c.withdrawn_at IS NULL ORDER BY c.id LIMIT ?3", e);
	struct store_case_row r;
	int rc;

	if (!s)
		return st->last_rc;
	if (filter && *filter)
		sqlite3_bind_text(s, 1, filter, -1, SQLITE_STATIC);
	if (status && *status)
		sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, limit > 0 ? limit : 1000000);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		copy_col(s, 0, r.key, sizeof r.key);
		copy_col(s, 1, r.name, sizeof r.name);
		copy_col(s, 2, r.phone, sizeof r.phone);
		copy_col(s, 3, r.status, sizeof r.status);
		r.attempts = sqlite3_column_int(s, 4);
		copy_col(s, 5, r.last_outcome, sizeof r.last_outcome);
		copy_col(s, 6, r.appointment, sizeof r.appointment);
		r.appointment_utc = sqlite3_column_int64(s, 7);
		cb(ctx, &r);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "list the cases", e);
}

/* Insert a row with a uuid and queue it for sync. */
static enum store_rc insert_synced(struct store *st, const char *kind, const char *sql,
                                   const char *const *vals, int nvals, int64_t case_id,
                                   struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, sql, e);
	char uuid[37], now[32];
	int rc, i;

	if (!s)
		return st->last_rc;
	store_uuid(uuid);
	store_now(st, now);
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, case_id);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	for (i = 0; i < nvals; i++) {
		if (vals[i])
			sqlite3_bind_text(s, 4 + i, vals[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 4 + i);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "save", e);
	return store_outbox_add(st, kind, sqlite3_last_insert_rowid(st->db), e);
}

enum store_rc store_attempt_add(struct store *st, int64_t case_id, const char *who,
                                const char *phone, const char *outcome, struct err *e)
{
	const struct call_outcome *o = calls_outcome(outcome);
	const char *vals[] = { who, phone, outcome, o ? o->disposition : NULL };
	enum store_rc rc;

	rc = insert_synced(st, "attempt",
	                   "INSERT INTO call_attempts(uuid, case_id, at, interviewer, phone, outcome, disposition) VALUES (?,?,?,?,?,?,?)",
	                   vals, 4, case_id, e);
	return rc == STORE_OK ? store_attempt_after(st, case_id, outcome, st->default_tz, e) : rc;
}

enum store_rc store_appointment_add(struct store *st, int64_t case_id, const char *who,
                                    const char *at, int hard, const char *with_whom,
                                    struct err *e)
{
	const char *vals[] = { who, at, hard ? "1" : "0", with_whom, who };

	return insert_synced(st, "appointment",
	                     "INSERT INTO appointments(uuid, case_id, created_at, created_by, at, hard, with_whom, interviewer)"
	                     " VALUES (?,?,?,?,?,?,?,?)",
	                     vals, 5, case_id, e);
}

enum store_rc store_note_add(struct store *st, int64_t case_id, const char *who,
                             const char *text, struct err *e)
{
	const char *vals[] = { who, text };

	return insert_synced(st, "note",
	                     "INSERT INTO notes(uuid, case_id, at, interviewer, text) VALUES (?,?,?,?,?)",
	                     vals, 2, case_id, e);
}

/* Append "at  text" lines of a query to out. */
static enum store_rc lines(struct store *st, const char *sql, int64_t case_id, struct buf *out,
                           struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, sql, e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, case_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		buf_printf(out, "%s\n", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "read the case's history", e);
}

enum store_rc store_case_history(struct store *st, int64_t case_id, struct buf *attempts,
                                 struct buf *notes, struct buf *appointments, struct err *e)
{
	enum store_rc rc = STORE_OK;

	if (attempts)
		rc = lines(st, "SELECT substr(at, 1, 10) || ' ' || substr(at, 12, 5) || '  ' || outcome || '  (' || interviewer || ')'"
		               " FROM call_attempts WHERE case_id = ? ORDER BY id DESC", case_id, attempts, e);
	if (rc == STORE_OK && notes)
		rc = lines(st, "SELECT substr(at, 1, 10) || ' ' || interviewer || ': ' || text FROM notes"
		               " WHERE case_id = ? ORDER BY id DESC", case_id, notes, e);
	if (rc == STORE_OK && appointments)
		rc = lines(st, "SELECT at || CASE hard WHEN 1 THEN ' (hard)' ELSE ' (around)' END ||"
		               " CASE WHEN with_whom IS NOT NULL AND with_whom <> '' THEN ' with ' || with_whom ELSE '' END"
		               " FROM appointments WHERE case_id = ? AND done = 0 ORDER BY at", case_id, appointments, e);
	return rc;
}

char *store_meta_get(struct store *st, const char *key)
{
	struct err e;
	sqlite3_stmt *s;
	char *v = NULL;

	err_init(&e);
	s = store_prepare(st, "SELECT value FROM meta WHERE key = ?", &e);
	if (s) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			v = col_dup(s, 0);
		sqlite3_finalize(s);
	}
	return v ? v : xstrdup("");
}

enum store_rc store_meta_set(struct store *st, const char *key, const char *value, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO meta(key, value) VALUES (?,?)"
	                                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "save a setting", e);
}

enum store_rc store_workstation_id(struct store *st, char out[37], struct err *e)
{
	char *v = store_meta_get(st, "workstation_id");

	if (strlen(v) == 36) {
		memcpy(out, v, 37);
		free(v);
		return STORE_OK;
	}
	free(v);
	store_uuid(out);
	return store_meta_set(st, "workstation_id", out, e);
}
