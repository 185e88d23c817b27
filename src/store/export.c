/* export.c: the workstation's interviews and calls handed to the export layer. */
#include "store-int.h"

#include <stdlib.h>
#include <string.h>

enum store_rc store_export(struct store *st, const char *study, int unfinished,
                           void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx,
                           struct err *e)
{
	/* one pass: every interview of the study with its on-route answers, interview by interview */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT i.id, i.uuid, c.case_key, i.interviewer, i.lang, i.status, i.outcome, i.started_at, i.ended_at,"
		" c.fields, a.qid, a.iter, a.state, a.value"
		" FROM interviews i JOIN cases c ON c.id = i.case_id JOIN forms f ON f.id = i.form"
		" LEFT JOIN answers a ON a.interview = i.id AND a.on_route = 1"
		" WHERE f.form_id = ?1 AND (?2 OR i.status IN ('complete', 'screenout'))"
		" ORDER BY i.id", e);
	struct exp_answer *ans = NULL;
	struct exp_interview iv;
	struct arena a;
	int64_t cur = -1;
	int cap = 0, rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, unfinished);
	arena_init(&a);
	memset(&iv, 0, sizeof iv);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		if (id != cur) {
			if (cur >= 0) {
				iv.answers = ans;
				cb(ctx, &iv);
			}
			arena_release(&a);
			arena_init(&a);
			memset(&iv, 0, sizeof iv);
			cur = id;
#define TXT(i) (sqlite3_column_text(s, i) ? arena_strdup(&a, (const char *)sqlite3_column_text(s, i)) : NULL)
			iv.uuid = TXT(1);
			iv.case_key = TXT(2);
			iv.interviewer = TXT(3);
			iv.lang = TXT(4);
			iv.status = TXT(5);
			iv.outcome = TXT(6);
			iv.started_at = TXT(7);
			iv.ended_at = TXT(8);
			iv.fields_json = TXT(9);
		}
		if (sqlite3_column_type(s, 10) == SQLITE_NULL)
			continue;
		if (iv.nanswers == cap) {
			cap = cap ? cap * 2 : 64;
			ans = xrealloc(ans, sizeof *ans * (size_t)cap);
		}
		ans[iv.nanswers].qid = TXT(10);
		ans[iv.nanswers].iter = sqlite3_column_int(s, 11);
		ans[iv.nanswers].state = sqlite3_column_int(s, 12);
		ans[iv.nanswers].value = TXT(13);
#undef TXT
		iv.nanswers++;
	}
	if (rc == SQLITE_DONE && cur >= 0) {
		iv.answers = ans;
		cb(ctx, &iv);
	}
	sqlite3_finalize(s);
	arena_release(&a);
	free(ans);
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
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct exp_attempt at;

		at.case_key = (const char *)sqlite3_column_text(s, 0);
		at.interviewer = (const char *)sqlite3_column_text(s, 1);
		at.at = (const char *)sqlite3_column_text(s, 2);
		at.phone = (const char *)sqlite3_column_text(s, 3);
		at.outcome = (const char *)sqlite3_column_text(s, 4);
		at.disposition = (const char *)sqlite3_column_text(s, 5);
		at.disposition_label = NULL;   /* the export layer names the code */
		cb(ctx, &at);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "read the call attempts", e);
}
