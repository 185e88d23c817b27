/* cases.c: case lists, call attempts, appointments, notes and meta values. */
#include "store-int.h"

#include "cati/i18n.h"

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
		"SELECT c.case_key, CASE WHEN c.name IS NULL THEN '' ELSE coalesce(peek(c.name), ?4) END,"
		" coalesce(peek(c.phone), ?4), c.status,"
		" (SELECT count(*) FROM call_attempts a WHERE a.case_id = c.id),"
		" (SELECT outcome FROM call_attempts a WHERE a.case_id = c.id ORDER BY a.id DESC LIMIT 1),"
		" (SELECT min(at) FROM appointments p WHERE p.case_id = c.id AND p.done = 0),"
		" (SELECT min(at_utc) FROM appointments p WHERE p.case_id = c.id AND p.done = 0)"
		" FROM cases c WHERE (?1 IS NULL OR instr(lower(c.case_key), lower(?1)) > 0"
		"                     OR instr(lower(coalesce(peek(c.name), '')), lower(?1)) > 0)"
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
	sqlite3_bind_text(s, 4, STORE_LOCKED_TEXT, -1, SQLITE_STATIC);
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
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("list the cases"), e);
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
		return store_fail(st, rc, N_("save"), e);
	return store_outbox_add(st, kind, sqlite3_last_insert_rowid(st->db), e);
}

enum store_rc store_attempt_add(struct store *st, int64_t case_id, const char *who,
                                const char *phone, const char *outcome, struct err *e)
{
	const struct call_outcome *o = calls_outcome(outcome);
	const char *vals[] = { who, phone, outcome, o ? o->disposition : NULL };
	enum store_rc rc;

	rc = insert_synced(st, "attempt",
	                   /* no phone given (locked): the case's, sealed as it is */
	                   "INSERT INTO call_attempts(uuid, case_id, at, interviewer, phone, outcome, disposition)"
	                   " VALUES (?1, ?2, ?3, ?4, coalesce(seal(?5), (SELECT phone FROM cases WHERE id = ?2)), ?6, ?7)",
	                   vals, 4, case_id, e);
	return rc == STORE_OK ? store_attempt_after(st, case_id, outcome, st->default_tz, e) : rc;
}

/* Record (or bring up to date) the one call attempt that ends an interview. */
enum store_rc store_attempt_end(struct store *st, int64_t interview, const char *who,
                                const char *outcome, struct err *e)
{
	const struct call_outcome *o = calls_outcome(outcome);
	sqlite3_stmt *s;
	int64_t case_id = 0, id = 0;
	int rc, latest = 0, same = 0, added;
	char uuid[37], now[32];

	/* the interview's end attempt, if it has one, and whether a call came after it */
	s = store_prepare(st, "SELECT i.case_id, a.id, a.outcome = ?2,"
	                      " a.id = (SELECT max(b.id) FROM call_attempts b WHERE b.case_id = i.case_id)"
	                      " FROM interviews i LEFT JOIN call_attempts a ON a.interview = i.id WHERE i.id = ?1", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, interview);
	sqlite3_bind_text(s, 2, outcome, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		case_id = sqlite3_column_int64(s, 0);
		id = sqlite3_column_int64(s, 1);
		same = sqlite3_column_int(s, 2);
		latest = sqlite3_column_int(s, 3);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		err_set(e, _("cannot record the end of interview %lld: there is no such interview"), (long long)interview);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, N_("read the interview's calls"), e);
	/* back from the ending and finished again in the same call, the same way: nothing new */
	if (id && same && latest)
		return STORE_OK;
	store_now(st, now);
	added = !id;
	if (id) {
		s = store_prepare(st, "UPDATE call_attempts SET outcome = ?2, disposition = ?3, at = ?4, interviewer = ?5"
		                      " WHERE id = ?1", e);
	} else {
		store_uuid(uuid);
		s = store_prepare(st, "INSERT INTO call_attempts(uuid, case_id, interview, interviewer, at, phone, outcome, disposition)"
		                      " SELECT ?6, c.id, ?1, ?5, ?4, c.phone, ?2, ?3 FROM cases c WHERE c.id = ?7", e);
	}
	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, id ? id : interview);
	sqlite3_bind_text(s, 2, outcome, -1, SQLITE_STATIC);
	if (o)
		sqlite3_bind_text(s, 3, o->disposition, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 3);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, who, -1, SQLITE_STATIC);
	if (!id) {
		sqlite3_bind_text(s, 6, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, case_id);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("record the interview's call"), e);
	if (!id)
		id = sqlite3_last_insert_rowid(st->db);
	/* the store gets the attempt again with its new outcome, under the same uuid */
	if (store_outbox_add(st, "attempt", id, e) != STORE_OK)
		return st->last_rc;
	return store_call_after(st, case_id, outcome, st->default_tz, added, 1, e);
}

/* A finished interview whose call was never recorded (schema step 7 -> 8). */
struct unrecorded {
	int64_t id, case_id, form_row;
	char *status, *ending, *ended_at, *interviewer;
};

/* The call outcome an interview's ending records, as the stored form says ("screened_out"
   when the form or the ending cannot be found). */
static const char *ending_call(const struct form *f, const struct unrecorded *u)
{
	int i;

	if (!strcmp(u->status, "complete"))
		return "complete";
	for (i = 0; f && i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_ENDING && f->nodes[i].outcome && !strcmp(f->nodes[i].outcome, u->ending))
			return f->nodes[i].call_outcome;
	return "screened_out";
}

/* Link u to the attempt an older workstation recorded after its END screen, or add one. */
static enum store_rc repair_one(struct store *st, const struct unrecorded *u, const char *outcome,
                                struct err *e)
{
	const struct call_outcome *o = calls_outcome(outcome);
	sqlite3_stmt *s;
	char uuid[37];
	int rc;

	s = store_prepare(st, "UPDATE call_attempts SET interview = ?1 WHERE id = (SELECT id FROM call_attempts"
	                      " WHERE case_id = ?2 AND interview IS NULL AND outcome = ?3 AND at >= ?4 ORDER BY id LIMIT 1)", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_int64(s, 2, u->case_id);
	sqlite3_bind_text(s, 3, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, u->ended_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("link an interview to its call"), e);
	if (sqlite3_changes(st->db) > 0)
		return STORE_OK;
	store_uuid(uuid);
	s = store_prepare(st, "INSERT INTO call_attempts(uuid, case_id, interview, interviewer, at, phone, outcome, disposition)"
	                      " SELECT ?1, c.id, ?2, ?3, ?4, c.phone, ?5, ?6 FROM cases c WHERE c.id = ?7", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, u->id);
	sqlite3_bind_text(s, 3, u->interviewer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, u->ended_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, o ? o->disposition : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, u->case_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("record an interview's call"), e);
	if (store_outbox_add(st, "attempt", sqlite3_last_insert_rowid(st->db), e) != STORE_OK)
		return st->last_rc;
	/* the case counts the call; it is its last one and closes it unless a later call came */
	s = store_prepare(st, "UPDATE cases SET attempts = attempts + 1,"
	                      " disposition = CASE WHEN disposition IS NULL OR coalesce(last_attempt, 0) <= t.at THEN ?3 ELSE disposition END,"
	                      " last_outcome = CASE WHEN coalesce(last_attempt, 0) <= t.at THEN ?4 ELSE last_outcome END,"
	                      " last_attempt = max(coalesce(last_attempt, 0), t.at)"
	                      " FROM (SELECT CAST(strftime('%s', ?2) AS INTEGER) AS at) AS t WHERE id = ?1", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, u->case_id);
	sqlite3_bind_text(s, 2, u->ended_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, o ? o->disposition : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, outcome, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("count an interview's call"), e);
}

/* Give every finished interview its end attempt (schema step 7 -> 8). */
enum store_rc store_end_attempts_repair(struct store *st, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT i.id, i.case_id, i.form, i.status, coalesce(i.outcome, ''),"
	                                    " coalesce(i.ended_at, i.updated_at), i.interviewer FROM interviews i"
	                                    " WHERE i.status IN ('complete', 'screenout')"
	                                    " AND NOT EXISTS (SELECT 1 FROM call_attempts a WHERE a.interview = i.id)"
	                                    " ORDER BY i.form, i.id", e);
	struct unrecorded *u = NULL;
	struct form *f = NULL;
	int64_t form_row = -1;
	size_t n = 0, cap = 0, i;
	enum store_rc rc = STORE_OK;
	int src;

	if (!s)
		return st->last_rc;
	/* read them all first: the loop below writes to the tables this reads */
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			u = xrealloc(u, cap * sizeof *u);
		}
		u[n].id = sqlite3_column_int64(s, 0);
		u[n].case_id = sqlite3_column_int64(s, 1);
		u[n].form_row = sqlite3_column_int64(s, 2);
		u[n].status = col_dup(s, 3);
		u[n].ending = col_dup(s, 4);
		u[n].ended_at = col_dup(s, 5);
		u[n].interviewer = col_dup(s, 6);
		n++;
	}
	sqlite3_finalize(s);
	if (src != SQLITE_DONE)
		rc = store_fail(st, src, N_("find interviews without their call"), e);
	for (i = 0; i < n && rc == STORE_OK; i++) {
		/* a screen-out's call outcome is its ending's (a quota's: quota_full), as its form says */
		if (u[i].form_row != form_row) {
			char *source = NULL;
			struct form_diags d;
			struct err e2;

			form_free(f);
			f = NULL;
			form_row = u[i].form_row;
			err_init(&e2);
			form_diags_init(&d);
			if (store_form_source(st, form_row, &source, &e2) == STORE_OK)
				f = form_compile(_("(stored form)"), source, strlen(source), &d);
			form_diags_release(&d);
			free(source);
		}
		rc = repair_one(st, &u[i], ending_call(f, &u[i]), e);
	}
	for (i = 0; i < n; i++) {
		free(u[i].status);
		free(u[i].ending);
		free(u[i].ended_at);
		free(u[i].interviewer);
	}
	free(u);
	form_free(f);
	return rc;
}

enum store_rc store_appointment_add(struct store *st, int64_t case_id, const char *who,
                                    const char *at, int hard, const char *with_whom,
                                    struct err *e)
{
	const char *vals[] = { who, at, hard ? "1" : "0", with_whom, who };

	return insert_synced(st, "appointment",
	                     "INSERT INTO appointments(uuid, case_id, created_at, created_by, at, hard, with_whom, interviewer)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, seal(?7), ?8)",
	                     vals, 5, case_id, e);
}

enum store_rc store_note_add(struct store *st, int64_t case_id, const char *who,
                             const char *text, struct err *e)
{
	const char *vals[] = { who, text };

	return insert_synced(st, "note",
	                     "INSERT INTO notes(uuid, case_id, at, interviewer, text) VALUES (?1, ?2, ?3, ?4, seal(?5))",
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
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("read the case's history"), e);
}

enum store_rc store_case_history(struct store *st, int64_t case_id, struct buf *attempts,
                                 struct buf *notes, struct buf *appointments, struct err *e)
{
	enum store_rc rc = STORE_OK;

	if (attempts)
		rc = lines(st, "SELECT substr(at, 1, 10) || ' ' || substr(at, 12, 5) || '  ' || outcome || '  (' || interviewer || ')'"
		               " FROM call_attempts WHERE case_id = ? ORDER BY id DESC", case_id, attempts, e);
	if (rc == STORE_OK && notes)
		rc = lines(st, "SELECT substr(at, 1, 10) || ' ' || interviewer || ': ' || coalesce(peek(text), '" STORE_LOCKED_TEXT "') FROM notes"
		               " WHERE case_id = ? ORDER BY id DESC", case_id, notes, e);
	if (rc == STORE_OK && appointments)
		rc = lines(st, "SELECT at || CASE hard WHEN 1 THEN ' (hard)' ELSE ' (around)' END ||"
		               " CASE WHEN with_whom IS NOT NULL AND with_whom <> '' THEN ' with ' || coalesce(peek(with_whom), '" STORE_LOCKED_TEXT "') ELSE '' END"
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
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("save a setting"), e);
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
