/*
 * quota.c: quota cells in the workstation's database: what the central store last said of each
 * cell (target, its count, closed, this workstation's allowance), the completes made here that
 * it has not counted yet, and the cells cases fall in by their case fields.
 */
#include "store-int.h"

#include "cati/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int step_reset(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc;
}

struct seed {
	struct store *st;
	const struct form_quota *q;
	const char *study;
	sqlite3_stmt *ins;
	struct buf key;
	int rc;
};

static void seed_cell(void *ctx, const int *codes)
{
	struct seed *sd = ctx;

	if (sd->rc != SQLITE_DONE)
		return;
	buf_reset(&sd->key);
	form_quota_key(sd->q, codes, &sd->key);
	sqlite3_bind_text(sd->ins, 1, sd->study, -1, SQLITE_STATIC);
	sqlite3_bind_text(sd->ins, 2, sd->q->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(sd->ins, 3, buf_str(&sd->key), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(sd->ins, 4, form_quota_target(sd->q, codes));
	sd->rc = step_reset(sd->ins);
}

/* Is every variable of q a case field? */
static int on_case_fields(const struct form *f, const struct form_quota *q)
{
	int i;

	for (i = 0; i < q->nvars; i++)
		if (f->vars[q->vars[i]].kind != FORM_V_CASE)
			return 0;
	return q->nvars > 0;
}

enum store_rc store_quota_prepare(struct store *st, const struct form *f, struct err *e)
{
	struct seed sd;
	int i, k;

	if (!f->nquotas)
		return STORE_OK;
	memset(&sd, 0, sizeof sd);
	sd.st = st;
	sd.study = f->id;
	buf_init(&sd.key);
	/* a cell the store has reported keeps the store's target; the others take the form's */
	sd.ins = store_prepare(st, "INSERT INTO quota_cells(study, quota, cell, target) VALUES (?, ?, ?, ?)"
	                           " ON CONFLICT(study, quota, cell) DO UPDATE SET target = excluded.target"
	                           " WHERE quota_cells.pulled_at IS NULL", e);
	if (!sd.ins) {
		buf_release(&sd.key);
		return st->last_rc;
	}
	sd.rc = SQLITE_DONE;
	for (i = 0; i < f->nquotas && sd.rc == SQLITE_DONE; i++) {
		sd.q = &f->quotas[i];
		form_quota_foreach(sd.q, seed_cell, &sd);
	}
	sqlite3_finalize(sd.ins);
	buf_release(&sd.key);
	if (sd.rc != SQLITE_DONE)
		return store_fail(st, sd.rc, N_("set up the quota cells"), e);

	/* the cells cases fall in by their case fields, worked out in SQL over every case */
	for (i = 0; i < f->nquotas; i++) {
		const struct form_quota *q = &f->quotas[i];
		struct buf sql;
		sqlite3_stmt *s;
		int rc;

		if (!on_case_fields(f, q))
			continue;
		buf_init(&sql);
		buf_puts(&sql, "INSERT OR REPLACE INTO case_cells(case_id, study, quota, cell) SELECT id, study, ?2, ");
		for (k = 0; k < q->nvars; k++) {
			char *path = sqlite3_mprintf("$.\"%w\"", f->vars[q->vars[k]].id);
			char *part = sqlite3_mprintf("%sCAST(json_extract(fields, %Q) AS INTEGER)", k ? " || ',' || " : "", path);
			buf_puts(&sql, part);
			sqlite3_free(part);
			sqlite3_free(path);
		}
		buf_puts(&sql, " FROM cases WHERE study = ?1");
		for (k = 0; k < q->nvars; k++) {
			char *path = sqlite3_mprintf("$.\"%w\"", f->vars[q->vars[k]].id);
			char *part = sqlite3_mprintf(" AND coalesce(json_extract(fields, %Q), '') <> ''", path);
			buf_puts(&sql, part);
			sqlite3_free(part);
			sqlite3_free(path);
		}
		s = store_prepare(st, buf_str(&sql), e);
		buf_release(&sql);
		if (!s)
			return st->last_rc;
		sqlite3_bind_text(s, 1, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, q->id, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, N_("work out the cases' quota cells"), e);
	}
	return STORE_OK;
}

int store_quota_full(struct store *st, const char *study, const char *quota, const char *cell,
                     int target)
{
	struct err e;
	sqlite3_stmt *s;
	int full = 0, found = 0;

	err_init(&e);
	s = store_prepare(st, "SELECT full FROM quota_cells WHERE study = ? AND quota = ? AND cell = ?", &e);
	if (!s)
		return 0;
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, quota, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, cell, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		found = 1;
		full = sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	/* a cell never set up (a form from before its quota) is full at its target */
	return found ? full : target <= 0;
}

enum store_rc store_cells_add(struct store *st, int64_t interview, const char *study,
                              const char *quota, const char *cell, int target, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR IGNORE INTO interview_cells(interview, study, quota, cell) VALUES (?, ?, ?, ?)", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, interview);
	sqlite3_bind_text(s, 2, study, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, quota, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, cell, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("record the interview's quota cell"), e);
	if (!sqlite3_changes(st->db))
		return STORE_OK;
	s = store_prepare(st, "INSERT INTO quota_cells(study, quota, cell, target, local) VALUES (?, ?, ?, ?, 1)"
	                      " ON CONFLICT(study, quota, cell) DO UPDATE SET local = local + 1", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, quota, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, cell, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, target);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("count the complete in its quota cell"), e);
}

enum store_rc store_quota_pulled(struct store *st, const char *study, const char *quota,
                                 const char *cell, long target, long achieved, int closed,
                                 long allowance, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO quota_cells(study, quota, cell, target, achieved, closed, allowance, pulled_at)"
	                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(study, quota, cell) DO UPDATE SET"
	                                    " target = excluded.target, achieved = excluded.achieved, closed = excluded.closed,"
	                                    " allowance = excluded.allowance, pulled_at = excluded.pulled_at", e);
	char now[32];
	int rc;

	if (!s)
		return st->last_rc;
	store_now(st, now);
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, quota, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, cell, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, target);
	sqlite3_bind_int64(s, 5, achieved);
	sqlite3_bind_int(s, 6, closed);
	if (allowance >= 0)
		sqlite3_bind_int64(s, 7, allowance);
	sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("save a quota cell from the central store"), e);
}

enum store_rc store_quota_settle(struct store *st, struct err *e)
{
	/* a complete whose records all reached the store is in the store's count now (pulls come
	   after pushes); what is left is counted here on top of it */
	static const char *const sql =
		"UPDATE interview_cells SET counted = 1 WHERE counted = 0"
		" AND EXISTS (SELECT 1 FROM quota_cells q WHERE q.study = interview_cells.study"
		"  AND q.quota = interview_cells.quota AND q.cell = interview_cells.cell AND q.pulled_at IS NOT NULL)"
		" AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'interview' AND o.ref = interview_cells.interview"
		"  AND o.sent_at IS NULL);"
		"UPDATE quota_cells SET local = (SELECT count(*) FROM interview_cells ic WHERE ic.study = quota_cells.study"
		" AND ic.quota = quota_cells.quota AND ic.cell = quota_cells.cell AND ic.counted = 0)"
		" WHERE local <> (SELECT count(*) FROM interview_cells ic WHERE ic.study = quota_cells.study"
		" AND ic.quota = quota_cells.quota AND ic.cell = quota_cells.cell AND ic.counted = 0);";
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, N_("settle the quota counts"), e);
}

enum store_rc store_quota_list(struct store *st, const char *study,
                               void (*cb)(void *ctx, const struct store_quota_cell *c), void *ctx,
                               struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT study, quota, cell, target, achieved, local, closed, allowance, full,"
	                                    " pulled_at IS NOT NULL FROM quota_cells WHERE ?1 IS NULL OR study = ?1"
	                                    " ORDER BY study, quota, cell", e);
	int rc;

	if (!s)
		return st->last_rc;
	if (study)
		sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_quota_cell c;

		c.study = (const char *)sqlite3_column_text(s, 0);
		c.quota = (const char *)sqlite3_column_text(s, 1);
		c.cell = (const char *)sqlite3_column_text(s, 2);
		c.target = sqlite3_column_int64(s, 3);
		c.achieved = sqlite3_column_int64(s, 4);
		c.local = sqlite3_column_int64(s, 5);
		c.closed = sqlite3_column_int(s, 6);
		c.allowance = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 7);
		c.full = sqlite3_column_int(s, 8);
		c.pulled = sqlite3_column_int(s, 9);
		cb(ctx, &c);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("read the quota cells"), e);
}
