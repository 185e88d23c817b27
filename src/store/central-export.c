/* central-export.c: the central store's interviews and calls handed to the export layer. */
#include "central-int.h"
#include "export-rows.h"

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
	int rc;

	/* finished interviews that are not duplicates of a case completed before, in the order
	   they were made, each with its on-route answers (by the answers' primary key); the case's
	   name is a case field too */
	if (sqlite3_prepare_v2(c->db,
		"SELECT i.uuid, i.case_key, i.interviewer, i.lang, i.status, i.outcome, i.started_at, i.ended_at,"
		" json_set(c.fields, '$.name', c.name), i.uuid"
		" FROM interviews i JOIN cases c ON c.case_key = i.case_key"
		" WHERE i.study = ?1 AND i.status IN ('complete', 'screenout') AND i.duplicate = 0"
		" ORDER BY i.started_at, i.uuid", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT qid, iter, state, value FROM answers WHERE interview = ?1", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, "cannot read the interviews in '%s': %s", c->path, sqlite3_errmsg(c->db));
		sqlite3_finalize(s);
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	rc = export_interview_rows(s, q, cb, ctx);
	sqlite3_finalize(s);
	sqlite3_finalize(q);
	sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
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
	rc = export_attempt_rows(s, cb, ctx);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		err_set(e, "cannot read the call attempts in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	return 0;
}
