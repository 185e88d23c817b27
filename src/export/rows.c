/* rows.c: interviews and call attempts from SQL rows, for both stores' exports. */
#include "cati/db.h"
#include "cati/export.h"

#include <stdlib.h>
#include <string.h>

/* Column i of the current row copied into a, or NULL. */
static const char *text(struct dbs *s, int i, struct arena *a)
{
	return db_column_text(s, i) ? arena_strdup(a, db_column_text(s, i)) : NULL;
}

int export_interview_rows(struct dbs *ivs, struct dbs *ans,
                          void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx)
{
	struct exp_answer *v = NULL;
	struct exp_interview iv;
	struct arena a;
	int cap = 0, rc, arc = DB_DONE;

	arena_init(&a);
	while ((rc = db_step(ivs)) == DB_ROW) {
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
		iv.form_version = text(ivs, 10, &a);
		db_bind_text_copy(ans, 1, db_column_text(ivs, 9));
		while ((arc = db_step(ans)) == DB_ROW) {
			if (iv.nanswers == cap) {
				cap = cap ? cap * 2 : 64;
				v = xrealloc(v, sizeof *v * (size_t)cap);
			}
			v[iv.nanswers].qid = text(ans, 0, &a);
			v[iv.nanswers].iter = db_column_int(ans, 1);
			v[iv.nanswers].state = db_column_int(ans, 2);
			v[iv.nanswers].value = text(ans, 3, &a);
			iv.nanswers++;
		}
		db_reset(ans);
		if (arc != DB_DONE) {
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

int export_attempt_rows(struct dbs *s, void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx)
{
	int rc;

	while ((rc = db_step(s)) == DB_ROW) {
		struct exp_attempt at;

		at.case_key = db_column_text(s, 0);
		at.interviewer = db_column_text(s, 1);
		at.at = db_column_text(s, 2);
		at.phone = db_column_text(s, 3);
		at.outcome = db_column_text(s, 4);
		at.disposition = db_column_text(s, 5);
		at.disposition_label = NULL;   /* the export layer names the code */
		cb(ctx, &at);
	}
	return rc;
}
