/*
 * central-quota.c: quota cells on the central store: set up from published forms, counted as
 * completes arrive (central.c), changed by supervisors, and the allowances workstations get on
 * each pull so that they can screen out correctly while offline.
 */
#include "central-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cati/form.h"

/* a grant not renewed for a week (seconds) no longer holds cells back */
#define GRANT_TTL "604800"

struct seed {
	const struct form *f;
	const struct form_quota *q;
	struct dbs *ins;
	struct buf key, label;
	int rc;
};

static void seed_cell(void *ctx, const int *codes)
{
	struct seed *sd = ctx;
	int i;

	if (sd->rc != DB_DONE)
		return;
	buf_reset(&sd->key);
	buf_reset(&sd->label);
	form_quota_key(sd->q, codes, &sd->key);
	for (i = 0; i < sd->q->nvars; i++) {
		const struct form_choice *ch = form_scale_choice(sd->q->scales[i], codes[i]);
		buf_printf(&sd->label, "%s%s", i ? " / " : "", ch ? form_text_get(sd->f, &ch->label, 0) : "?");
	}
	db_bind_text(sd->ins, 1, sd->f->id);
	db_bind_text(sd->ins, 2, sd->q->id);
	db_bind_text_copy(sd->ins, 3, buf_str(&sd->key));
	db_bind_text_copy(sd->ins, 4, buf_str(&sd->label));
	db_bind_int(sd->ins, 5, form_quota_target(sd->q, codes));
	db_bind_int(sd->ins, 6, sd->q->allowance >= 0 ? sd->q->allowance : 2);
	sd->rc = db_step(sd->ins);
	db_reset(sd->ins);
}

int central_quota_seed(struct central *c, const struct form *f, struct err *e)
{
	struct seed sd;
	int i;

	if (!f->nquotas)
		return 0;
	memset(&sd, 0, sizeof sd);
	sd.f = f;
	buf_init(&sd.key);
	buf_init(&sd.label);
	if (db_begin(c->db, 1) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO quota_cells(study, quota, cell, label, target, allowance)"
	                              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(study, quota, cell) DO UPDATE SET label = excluded.label", &sd.ins) != DB_OK) {
		central_fail(c, "set up the quota cells", e);
		db_rollback(c->db);
		buf_release(&sd.key);
		buf_release(&sd.label);
		return -1;
	}
	sd.rc = DB_DONE;
	for (i = 0; i < f->nquotas && sd.rc == DB_DONE; i++) {
		sd.q = &f->quotas[i];
		form_quota_foreach(sd.q, seed_cell, &sd);
	}
	db_finalize(sd.ins);
	buf_release(&sd.key);
	buf_release(&sd.label);
	if (sd.rc != DB_DONE || db_commit(c->db) != DB_OK) {
		central_fail(c, "set up the quota cells", e);
		db_rollback(c->db);
		return -1;
	}
	return 0;
}

/* Bind who is asking: ?2 projects, ?3 user, ?4 1 for interviewers (SEES_STUDY), ?5 the holder. */
static void bind_viewer(struct dbs *s, const char *projects, const char *user, int interviewer,
                        const char *holder)
{
	db_bind_text(s, 2, projects);
	db_bind_text(s, 3, user);
	db_bind_int(s, 4, interviewer);
	db_bind_text(s, 5, holder);
}

int central_quota_pull(struct central *c, const char *user, enum central_role role, const char *holder,
                       const char *projects, json_t *o, struct err *e)
{
	struct dbs *s = NULL;
	json_t *a = json_array();
	int64_t now = (int64_t)time(NULL);
	int rc = -1, step;

	json_object_set_new(o, "quotas", a);
	if (db_begin(c->db, 1) != DB_OK)
		goto out;
	if (role == CENTRAL_INTERVIEWER) {
		/* the holder's earlier grants come back, then each open cell of its studies grants
		   what the target leaves after the count and the others' live grants. Only a
		   registered, not retired workstation of the user gets any, and all of the user's
		   workstations together hold at most the cell's allowance (what one would get) */
		if (db_prepare(c->db, "DELETE FROM grants WHERE holder = ?", &s) != DB_OK)
			goto out;
		db_bind_text(s, 1, holder);
		step = db_step(s);
		db_finalize(s);
		s = NULL;
		if (step != DB_DONE)
			goto out;
		if (db_prepare(c->db, "INSERT INTO grants(study, quota, cell, holder, n, at)"
			" SELECT q.study, q.quota, q.cell, ?5, max(0, min(q.allowance"
			"  - coalesce((SELECT sum(g.n) FROM grants g JOIN workstations w ON w.id = g.holder"
			"  WHERE w.user = ?3 AND g.study = q.study AND g.quota = q.quota AND g.cell = q.cell"
			"  AND g.at > ?6 - " GRANT_TTL "), 0), q.target - q.achieved"
			"  - coalesce((SELECT sum(g.n) FROM grants g WHERE g.study = q.study AND g.quota = q.quota"
			"  AND g.cell = q.cell AND g.at > ?6 - " GRANT_TTL "), 0))), CAST(?6 AS BIGINT)"
			" FROM quota_cells q WHERE q.closed = 0 AND " SEES_STUDY("q.study")
			" AND EXISTS (SELECT 1 FROM workstations w WHERE w.id = ?5 AND w.user = ?3 AND w.retired_at IS NULL)", &s) != DB_OK)
			goto out;
		bind_viewer(s, projects, user, 1, holder);
		db_bind_int64(s, 6, now);
		step = db_step(s);
		db_finalize(s);
		s = NULL;
		if (step != DB_DONE)
			goto out;
	}
	if (db_prepare(c->db, "SELECT q.study, q.quota, q.cell, q.target, q.achieved, q.closed, g.n FROM quota_cells q"
		" LEFT JOIN grants g ON g.study = q.study AND g.quota = q.quota AND g.cell = q.cell AND g.holder = ?5"
		" WHERE " SEES_STUDY("q.study") " ORDER BY q.study, q.quota, q.cell", &s) != DB_OK)
		goto out;
	bind_viewer(s, projects, user, role == CENTRAL_INTERVIEWER, holder);
	while ((step = db_step(s)) == DB_ROW) {
		json_t *x = json_object();
		json_object_set_new(x, "study", json_string(db_column_text(s, 0)));
		json_object_set_new(x, "quota", json_string(db_column_text(s, 1)));
		json_object_set_new(x, "cell", json_string(db_column_text(s, 2)));
		json_object_set_new(x, "target", json_integer(db_column_int64(s, 3)));
		json_object_set_new(x, "achieved", json_integer(db_column_int64(s, 4)));
		json_object_set_new(x, "closed", json_boolean(db_column_int(s, 5)));
		/* a closed cell grants nothing; without a grant (supervisors) there is no allowance */
		if (db_column_type(s, 6) != DB_NULL)
			json_object_set_new(x, "allowance", json_integer(db_column_int64(s, 6)));
		else if (role == CENTRAL_INTERVIEWER)
			json_object_set_new(x, "allowance", json_integer(0));
		json_array_append_new(a, x);
	}
	db_finalize(s);
	s = NULL;
	if (step != DB_DONE || db_commit(c->db) != DB_OK)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		central_fail(c, "read the quota cells", e);
		db_finalize(s);
		db_rollback(c->db);
	}
	return rc;
}

int central_quota_set(struct central *c, const char *study, const char *quota, const char *cell,
                      long target, int closed, long allowance, struct err *e)
{
	struct dbs *s;
	int rc, n;

	if (db_prepare(c->db, "UPDATE quota_cells SET target = CASE WHEN ?4 >= 0 THEN ?4 ELSE target END,"
	                              " closed = CASE WHEN ?5 >= 0 THEN ?5 ELSE closed END,"
	                              " allowance = CASE WHEN ?6 >= 0 THEN ?6 ELSE allowance END"
	                              " WHERE study = ?1 AND quota = ?2 AND (CAST(?3 AS TEXT) IS NULL OR cell = ?3)", &s) != DB_OK) {
		central_fail(c, "change the quota", e);
		return -1;
	}
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, quota);
	if (cell)
		db_bind_text(s, 3, cell);
	db_bind_int64(s, 4, target);
	db_bind_int(s, 5, closed);
	db_bind_int64(s, 6, allowance);
	rc = db_step(s);
	db_finalize(s);
	if (rc != DB_DONE) {
		central_fail(c, "change the quota", e);
		return -1;
	}
	n = db_changes(c->db);
	if (!n) {
		if (cell)
			err_set(e, "study '%s' has no cell '%s' in quota '%s'", study, cell, quota);
		else
			err_set(e, "study '%s' has no quota '%s'", study, quota);
		return -1;
	}
	return n;
}

int central_quota_list(struct central *c, const char *study, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT q.quota, q.cell, q.label, q.target, q.achieved, q.closed, q.allowance,"
		" (SELECT coalesce(sum(g.n), 0) FROM grants g WHERE g.study = q.study AND g.quota = q.quota AND g.cell = q.cell"
		"  AND g.at > ?2 - " GRANT_TTL "),"
		" (SELECT count(*) FROM interview_cells i WHERE i.study = q.study AND i.quota = q.quota AND i.cell = q.cell AND i.over <> 0)"
		" FROM quota_cells q WHERE q.study = ?1 ORDER BY q.quota, q.cell", &s) != DB_OK) {
		json_decref(a);
		central_fail(c, "read the quota cells", e);
		return -1;
	}
	db_bind_text(s, 1, study);
	db_bind_int64(s, 2, (int64_t)time(NULL));
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_object();
		json_object_set_new(x, "quota", json_string(db_column_text(s, 0)));
		json_object_set_new(x, "cell", json_string(db_column_text(s, 1)));
		json_object_set_new(x, "label", json_string(db_column_text(s, 2)));
		json_object_set_new(x, "target", json_integer(db_column_int64(s, 3)));
		json_object_set_new(x, "achieved", json_integer(db_column_int64(s, 4)));
		json_object_set_new(x, "closed", json_boolean(db_column_int(s, 5)));
		json_object_set_new(x, "allowance", json_integer(db_column_int64(s, 6)));
		json_object_set_new(x, "granted", json_integer(db_column_int64(s, 7)));
		json_object_set_new(x, "over", json_integer(db_column_int64(s, 8)));
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		central_fail(c, "read the quota cells", e);
		return -1;
	}
	*out = a;
	return 0;
}
