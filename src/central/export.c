/* central-export.c: the central store's interviews and calls handed to the export layer. */
#include "cati/i18n.h"
#include "central-int.h"
#include "cati/export.h"

#include <stdlib.h>
#include <string.h>

int central_form_latest(struct central *c, const char *study, char **source, struct err *e)
{
	struct dbs *s;
	int rc;

	*source = NULL;
	if (db_prepare(c->db, "SELECT source FROM forms WHERE form_id = ? ORDER BY seq DESC LIMIT 1", &s) != DB_OK) {
		central_fail(c, N_("read the forms"), e);
		return -1;
	}
	db_bind_text(s, 1, study);
	rc = db_step(s);
	if (rc == DB_ROW)
		*source = xstrdup(db_column_text(s, 0));
	db_finalize(s);
	if (!*source) {
		err_set(e, _("no study '%s' in the store (publish its form first)"), study);
		return -1;
	}
	return 0;
}

int central_export(struct central *c, const char *study,
                   void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx, struct err *e)
{
	struct dbs *s = NULL, *q = NULL;
	int rc;

	/* finished interviews that are not duplicates of a case completed before, in the order
	   they were made, each with its on-route answers (by the answers' primary key); the case's
	   name is a case field too */
	if (db_prepare(c->db, "SELECT i.uuid, i.case_key, i.interviewer, i.lang, i.status, i.outcome, i.started_at, i.ended_at,"
		" json_set(c.fields, '$.name', c.name), i.uuid, i.version"
		" FROM interviews i JOIN cases c ON c.case_key = i.case_key"
		" WHERE i.study = ?1 AND i.status IN ('complete', 'screenout') AND i.duplicate = 0"
		" ORDER BY i.started_at, i.uuid", &s) != DB_OK ||
	    db_prepare(c->db, "SELECT qid, iter, state, value FROM answers WHERE interview = ?1", &q) != DB_OK ||
	    db_begin(c->db, 0) != DB_OK) {
		central_fail(c, N_("read the interviews"), e);
		db_finalize(s);
		db_finalize(q);
		return -1;
	}
	db_bind_text(s, 1, study);
	rc = export_interview_rows(s, q, cb, ctx);
	db_finalize(s);
	db_finalize(q);
	db_commit(c->db);
	if (rc != DB_DONE) {
		central_fail(c, N_("read the interviews"), e);
		return -1;
	}
	return 0;
}

int central_export_calls(struct central *c, const char *study,
                         void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx, struct err *e)
{
	struct dbs *s;
	int rc;

	/* the attempt records carry no number: the one dialled is the case's */
	if (db_prepare(c->db, "SELECT a.case_key, a.interviewer, a.at, c.phone, a.outcome, a.disposition"
		" FROM attempts a LEFT JOIN cases c ON c.case_key = a.case_key"
		" WHERE a.study = ?1 ORDER BY a.at, a.uuid", &s) != DB_OK) {
		central_fail(c, N_("read the call attempts"), e);
		return -1;
	}
	db_bind_text(s, 1, study);
	rc = export_attempt_rows(s, cb, ctx);
	db_finalize(s);
	if (rc != DB_DONE) {
		central_fail(c, N_("read the call attempts"), e);
		return -1;
	}
	return 0;
}
