/* central-export.c: the central store's interviews and calls handed to the export layer. */
#include "central-int.h"

#include <stdlib.h>
#include <string.h>

#include "cati/calls.h"

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
	sqlite3_stmt *s;
	struct exp_answer *ans = NULL;
	struct exp_interview iv;
	struct arena a;
	char cur[64] = "";
	int cap = 0, rc;

	/* finished interviews that are not duplicates of a case completed before, with their
	   on-route answers; the case's name is a case field too */
	if (sqlite3_prepare_v2(c->db,
		"SELECT i.uuid, i.case_key, i.interviewer, i.lang, i.status, i.outcome, i.started_at, i.ended_at,"
		" json_set(c.fields, '$.name', c.name), a.qid, a.iter, a.state, a.value"
		" FROM interviews i JOIN cases c ON c.case_key = i.case_key"
		" LEFT JOIN answers a ON a.interview = i.uuid"
		" WHERE i.study = ?1 AND i.status IN ('complete', 'screenout') AND i.duplicate = 0"
		" ORDER BY i.started_at, i.uuid", -1, &s, NULL) != SQLITE_OK) {
		err_set(e, "cannot read the interviews in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	arena_init(&a);
	memset(&iv, 0, sizeof iv);
	if (sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		err_set(e, "cannot read the interviews in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *uuid = (const char *)sqlite3_column_text(s, 0);

		if (strcmp(uuid, cur)) {
			if (*cur) {
				iv.answers = ans;
				cb(ctx, &iv);
			}
			arena_release(&a);
			arena_init(&a);
			memset(&iv, 0, sizeof iv);
			snprintf(cur, sizeof cur, "%s", uuid);
#define TXT(i) (sqlite3_column_text(s, i) ? arena_strdup(&a, (const char *)sqlite3_column_text(s, i)) : NULL)
			iv.uuid = TXT(0);
			iv.case_key = TXT(1);
			iv.interviewer = TXT(2);
			iv.lang = TXT(3);
			iv.status = TXT(4);
			iv.outcome = TXT(5);
			iv.started_at = TXT(6);
			iv.ended_at = TXT(7);
			iv.fields_json = TXT(8);
		}
		if (sqlite3_column_type(s, 9) == SQLITE_NULL)
			continue;
		if (iv.nanswers == cap) {
			cap = cap ? cap * 2 : 64;
			ans = xrealloc(ans, sizeof *ans * (size_t)cap);
		}
		ans[iv.nanswers].qid = TXT(9);
		ans[iv.nanswers].iter = sqlite3_column_int(s, 10);
		ans[iv.nanswers].state = sqlite3_column_int(s, 11);
		ans[iv.nanswers].value = TXT(12);
#undef TXT
		iv.nanswers++;
	}
	if (rc == SQLITE_DONE && *cur) {
		iv.answers = ans;
		cb(ctx, &iv);
	}
	sqlite3_finalize(s);
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
		const struct disposition *d;

		at.case_key = (const char *)sqlite3_column_text(s, 0);
		at.interviewer = (const char *)sqlite3_column_text(s, 1);
		at.at = (const char *)sqlite3_column_text(s, 2);
		at.phone = (const char *)sqlite3_column_text(s, 3);
		at.outcome = (const char *)sqlite3_column_text(s, 4);
		at.disposition = (const char *)sqlite3_column_text(s, 5);
		d = at.disposition ? calls_disposition(at.disposition) : NULL;
		at.disposition_label = d ? d->label : NULL;
		cb(ctx, &at);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		err_set(e, "cannot read the call attempts in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	return 0;
}
