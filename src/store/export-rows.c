/* export-rows.c: interviews and call attempts from SQL rows, for both stores' exports. */
#include "export-rows.h"

#include <stdlib.h>
#include <string.h>

static const char *text(sqlite3_stmt *s, int i, struct arena *a)
{
	return sqlite3_column_text(s, i) ? arena_strdup(a, (const char *)sqlite3_column_text(s, i)) : NULL;
}

int export_interview_rows(sqlite3_stmt *ivs, sqlite3_stmt *ans,
                          void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx)
{
	struct exp_answer *v = NULL;
	struct exp_interview iv;
	struct arena a;
	int cap = 0, rc, arc = SQLITE_DONE;

	arena_init(&a);
	while ((rc = sqlite3_step(ivs)) == SQLITE_ROW) {
		arena_release(&a);
		arena_init(&a);
		memset(&iv, 0, sizeof iv);
		iv.uuid = text(ivs, 0, &a);
		iv.case_key = text(ivs, 1, &a);
		iv.interviewer = text(ivs, 2, &a);
		iv.lang = text(ivs, 3, &a);
		iv.status = text(ivs, 4, &a);
		iv.outcome = text(ivs, 5, &a);
		iv.started_at = text(ivs, 6, &a);
		iv.ended_at = text(ivs, 7, &a);
		iv.fields_json = text(ivs, 8, &a);
		sqlite3_bind_value(ans, 1, sqlite3_column_value(ivs, 9));
		while ((arc = sqlite3_step(ans)) == SQLITE_ROW) {
			if (iv.nanswers == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, sizeof *v * (size_t)cap);
			}
			v[iv.nanswers].qid = text(ans, 0, &a);
			v[iv.nanswers].iter = sqlite3_column_int(ans, 1);
			v[iv.nanswers].state = sqlite3_column_int(ans, 2);
			v[iv.nanswers].value = text(ans, 3, &a);
			iv.nanswers++;
		}
		sqlite3_reset(ans);
		if (arc != SQLITE_DONE) {
			rc = arc;
			break;
		}
		iv.answers = v;
		cb(ctx, &iv);
	}
	arena_release(&a);
	free(v);
	return rc;
}

int export_attempt_rows(sqlite3_stmt *s, void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx)
{
	int rc;

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
	return rc;
}
