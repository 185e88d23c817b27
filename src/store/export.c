/* export.c: the workstation's interviews and calls handed to the export layer. */
#include "store-int.h"

#include "export-rows.h"

enum store_rc store_export(struct store *st, const char *study, int unfinished,
                           void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx,
                           struct err *e)
{
	/* every interview of the study in the order started, each with its on-route answers */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT i.uuid, c.case_key, i.interviewer, i.lang, i.status, i.outcome, i.started_at, i.ended_at,"
		" c.fields, i.id FROM interviews i JOIN cases c ON c.id = i.case_id JOIN forms f ON f.id = i.form"
		" WHERE f.form_id = ?1 AND (?2 OR i.status IN ('complete', 'screenout')) ORDER BY i.id", e);
	sqlite3_stmt *a;
	int rc;

	if (!s)
		return st->last_rc;
	if (!(a = store_prepare(st, "SELECT qid, iter, state, value FROM answers WHERE interview = ?1 AND on_route = 1", e))) {
		sqlite3_finalize(s);
		return st->last_rc;
	}
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, unfinished);
	rc = export_interview_rows(s, a, cb, ctx);
	sqlite3_finalize(s);
	sqlite3_finalize(a);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "read the interviews", e);
}

enum store_rc store_export_calls(struct store *st, const char *study,
                                 void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx,
                                 struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT c.case_key, a.interviewer, a.at, a.phone, a.outcome, a.disposition FROM call_attempts a"
		" JOIN cases c ON c.id = a.case_id WHERE c.study = ?1 ORDER BY a.id", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	rc = export_attempt_rows(s, cb, ctx);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "read the call attempts", e);
}
