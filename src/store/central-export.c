/* central-export.c: the central store's interviews and calls handed to the export layer. */
#include "central-int.h"

#include <stdlib.h>
#include <string.h>

int central_form_latest(struct central *c, const char *study, char **source, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*source = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT source FROM forms WHERE form_id = ? ORDER BY seq DESC LIMIT 1", -1, &s,
	                       NULL) != SQLITE_OK) {
		err_set(e, "cannot read the forms in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*source = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (!*source) {
		err_set(e, "no study '%s' in '%s' (publish its form first)", study, c->path);
		return -1;
	}
	return 0;
}

int central_export(struct central *c, const char *study,
                   void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx, struct err *e)
{
	sqlite3_stmt *s = NULL, *q = NULL;
	struct exp_answer *ans = NULL;
	struct exp_interview iv;
	struct arena a;
	int cap = 0, rc = SQLITE_ERROR, arc;

	/* finished interviews that are not duplicates of a case completed before, in the order
	   they were made, each with its on-route answers (by the answers' primary key); the case's
	   name is a case field too */
	if (sqlite3_prepare_v2(c->db,
		"SELECT i.uuid, i.case_key, i.interviewer, i.lang, i.status, i.outcome, i.started_at, i.ended_at,"
		" json_set(c.fields, '$.name', c.name)"
		" FROM interviews i JOIN cases c ON c.case_key = i.case_key"
		" WHERE i.study = ?1 AND i.status IN ('complete', 'screenout') AND i.duplicate = 0"
		" ORDER BY i.started_at, i.uuid", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT qid, iter, state, value FROM answers WHERE interview = ?", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, "cannot read the interviews in '%s': %s", c->path, sqlite3_errmsg(c->db));
		sqlite3_finalize(s);
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	arena_init(&a);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		arena_release(&a);
		arena_init(&a);
		memset(&iv, 0, sizeof iv);
#define TXT(st, i) (sqlite3_column_text(st, i) ? arena_strdup(&a, (const char *)sqlite3_column_text(st, i)) : NULL)
		iv.uuid = TXT(s, 0);
		iv.case_key = TXT(s, 1);
		iv.interviewer = TXT(s, 2);
		iv.lang = TXT(s, 3);
		iv.status = TXT(s, 4);
		iv.outcome = TXT(s, 5);
		iv.started_at = TXT(s, 6);
		iv.ended_at = TXT(s, 7);
		iv.fields_json = TXT(s, 8);
		sqlite3_bind_text(q, 1, iv.uuid, -1, SQLITE_STATIC);
		while ((arc = sqlite3_step(q)) == SQLITE_ROW) {
			if (iv.nanswers == cap) {
				cap = cap ? cap * 2 : 64;
				ans = xrealloc(ans, sizeof *ans * (size_t)cap);
			}
			ans[iv.nanswers].qid = TXT(q, 0);
			ans[iv.nanswers].iter = sqlite3_column_int(q, 1);
			ans[iv.nanswers].state = sqlite3_column_int(q, 2);
			ans[iv.nanswers].value = TXT(q, 3);
			iv.nanswers++;
		}
#undef TXT
		sqlite3_reset(q);
		if (arc != SQLITE_DONE) {
			rc = arc;
			break;
		}
		iv.answers = ans;
		cb(ctx, &iv);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(q);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	arena_release(&a);
	free(ans);
	if (rc != SQLITE_DONE) {
		err_set(e, "cannot read the interviews in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	return 0;
}

int central_export_calls(struct central *c, const char *study,
                         void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(c->db,
		"SELECT a.case_key, a.interviewer, a.at, json_extract(r.data, '$.phone'), a.outcome, a.disposition"
		" FROM attempts a LEFT JOIN records r ON r.uuid = a.uuid WHERE a.study = ?1 ORDER BY a.at, a.uuid",
		-1, &s, NULL) != SQLITE_OK) {
		err_set(e, "cannot read the call attempts in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
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
	if (rc != SQLITE_DONE) {
		err_set(e, "cannot read the call attempts in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	return 0;
}
