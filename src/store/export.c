/* export.c: the workstation's interviews and calls handed to the export layer. */
#include "store-int.h"

#include "cati/i18n.h"

#include "cati/db.h"
#include "cati/export.h"

/* SQLite's code for the failure that stopped a read (full disk, I/O, busy ...), SQLITE_ERROR when
   it left none. */
static int fault_of(struct store *st)
{
	int code = sqlite3_extended_errcode(st->db);

	return (code & 0xff) != SQLITE_OK && (code & 0xff) < SQLITE_ROW ? code : SQLITE_ERROR;
}

/* Every interview of study (the unfinished ones too when unfinished is set) to cb. */
enum store_rc store_export(struct store *st, const char *study, int unfinished,
                           void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx,
                           struct err *e)
{
	/* every interview of the study in the order started, each with its on-route answers */
	struct db *d = db_wrap_sqlite(st->db, st->path);
	struct dbs *s = NULL, *a = NULL;
	int rc = DB_ERROR, code;

	if (db_prepare(d,
		/* the name, sealed apart from the case fields, is one of them again */
		"SELECT i.uuid, c.case_key, i.interviewer, i.lang, i.status, i.outcome, i.started_at, i.ended_at,"
		" CASE WHEN c.name IS NULL THEN c.fields ELSE json_set(c.fields, '$.name', unseal(c.name)) END, i.id, f.version FROM interviews i JOIN cases c ON c.id = i.case_id JOIN forms f ON f.id = i.form"
		" WHERE f.form_id = ?1 AND (?2 OR i.status IN ('complete', 'screenout')) ORDER BY i.id", &s) == DB_OK &&
	    db_prepare(d, "SELECT qid, iter, state, unseal(value) FROM answers WHERE interview = ?1 AND on_route = 1", &a) == DB_OK) {
		db_bind_text(s, 1, study);
		db_bind_int(s, 2, unfinished);
		rc = export_interview_rows(s, a, cb, ctx);
	}
	code = fault_of(st);   /* before finalize resets it */
	if (rc != DB_DONE)
		store_fail(st, code, N_("read the interviews"), e);
	db_finalize(s);
	db_finalize(a);
	db_close(d);
	return rc == DB_DONE ? STORE_OK : st->last_rc;
}

/* Every call attempt of study to cb, in the order made. */
enum store_rc store_export_calls(struct store *st, const char *study,
                                 void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx,
                                 struct err *e)
{
	struct db *d = db_wrap_sqlite(st->db, st->path);
	struct dbs *s = NULL;
	int rc = DB_ERROR, code;

	if (db_prepare(d,
		"SELECT c.case_key, a.interviewer, a.at, unseal(a.phone), a.outcome, a.disposition FROM call_attempts a"
		" JOIN cases c ON c.id = a.case_id WHERE c.study = ?1 ORDER BY a.id", &s) == DB_OK) {
		db_bind_text(s, 1, study);
		rc = export_attempt_rows(s, cb, ctx);
	}
	code = fault_of(st);
	if (rc != DB_DONE)
		store_fail(st, code, N_("read the call attempts"), e);
	db_finalize(s);
	db_close(d);
	return rc == DB_DONE ? STORE_OK : st->last_rc;
}
