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
	sqlite3_stmt *ins;
	struct buf key, label;
	int rc;
};

static void seed_cell(void *ctx, const int *codes)
{
	struct seed *sd = ctx;
	int i;

	if (sd->rc != SQLITE_DONE)
		return;
	buf_reset(&sd->key);
	buf_reset(&sd->label);
	form_quota_key(sd->q, codes, &sd->key);
	for (i = 0; i < sd->q->nvars; i++) {
		const struct form_choice *ch = form_scale_choice(sd->q->scales[i], codes[i]);
		buf_printf(&sd->label, "%s%s", i ? " / " : "", ch ? form_text_get(sd->f, &ch->label, 0) : "?");
	}
	sqlite3_bind_text(sd->ins, 1, sd->f->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(sd->ins, 2, sd->q->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(sd->ins, 3, buf_str(&sd->key), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(sd->ins, 4, buf_str(&sd->label), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(sd->ins, 5, form_quota_target(sd->q, codes));
	sqlite3_bind_int(sd->ins, 6, sd->q->allowance >= 0 ? sd->q->allowance : 2);
	sd->rc = sqlite3_step(sd->ins);
	sqlite3_reset(sd->ins);
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
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "INSERT INTO quota_cells(study, quota, cell, label, target, allowance)"
	                              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(study, quota, cell) DO UPDATE SET label = excluded.label",
	                       -1, &sd.ins, NULL) != SQLITE_OK) {
		err_set(e, "cannot set up the quota cells in '%s': %s", c->path, sqlite3_errmsg(c->db));
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		buf_release(&sd.key);
		buf_release(&sd.label);
		return -1;
	}
	sd.rc = SQLITE_DONE;
	for (i = 0; i < f->nquotas && sd.rc == SQLITE_DONE; i++) {
		sd.q = &f->quotas[i];
		form_quota_foreach(sd.q, seed_cell, &sd);
	}
	sqlite3_finalize(sd.ins);
	buf_release(&sd.key);
	buf_release(&sd.label);
	if (sd.rc != SQLITE_DONE || sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, "cannot set up the quota cells in '%s': %s", c->path, sqlite3_errmsg(c->db));
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Bind who is asking: ?2 projects, ?3 user, ?4 1 for interviewers (SEES_STUDY), ?5 the holder. */
static void bind_viewer(sqlite3_stmt *s, const char *projects, const char *user, int interviewer,
                        const char *holder)
{
	sqlite3_bind_text(s, 2, projects, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, user, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, interviewer);
	sqlite3_bind_text(s, 5, holder, -1, SQLITE_STATIC);
}

int central_quota_pull(struct central *c, const char *user, enum central_role role, const char *holder,
                       const char *projects, json_t *o, struct err *e)
{
	sqlite3_stmt *s = NULL;
	json_t *a = json_array();
	int64_t now = (int64_t)time(NULL);
	int rc = -1, step;

	json_object_set_new(o, "quotas", a);
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	if (role == CENTRAL_INTERVIEWER) {
		/* the holder's earlier grants come back, then each open cell of its studies grants
		   what the target leaves after the count and the others' live grants */
		if (sqlite3_prepare_v2(c->db, "DELETE FROM grants WHERE holder = ?", -1, &s, NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_text(s, 1, holder, -1, SQLITE_STATIC);
		step = sqlite3_step(s);
		sqlite3_finalize(s);
		s = NULL;
		if (step != SQLITE_DONE)
			goto out;
		if (sqlite3_prepare_v2(c->db,
			"INSERT INTO grants(study, quota, cell, holder, n, at)"
			" SELECT q.study, q.quota, q.cell, ?5, max(0, min(q.allowance, q.target - q.achieved"
			"  - coalesce((SELECT sum(g.n) FROM grants g WHERE g.study = q.study AND g.quota = q.quota"
			"  AND g.cell = q.cell AND g.at > ?6 - " GRANT_TTL "), 0))), ?6"
			" FROM quota_cells q WHERE q.closed = 0 AND " SEES_STUDY("q.study"), -1, &s, NULL) != SQLITE_OK)
			goto out;
		bind_viewer(s, projects, user, 1, holder);
		sqlite3_bind_int64(s, 6, now);
		step = sqlite3_step(s);
		sqlite3_finalize(s);
		s = NULL;
		if (step != SQLITE_DONE)
			goto out;
	}
	if (sqlite3_prepare_v2(c->db,
		"SELECT q.study, q.quota, q.cell, q.target, q.achieved, q.closed, g.n FROM quota_cells q"
		" LEFT JOIN grants g ON g.study = q.study AND g.quota = q.quota AND g.cell = q.cell AND g.holder = ?5"
		" WHERE " SEES_STUDY("q.study") " ORDER BY q.study, q.quota, q.cell", -1, &s, NULL) != SQLITE_OK)
		goto out;
	bind_viewer(s, projects, user, role == CENTRAL_INTERVIEWER, holder);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *x = json_object();
		json_object_set_new(x, "study", json_string((const char *)sqlite3_column_text(s, 0)));
		json_object_set_new(x, "quota", json_string((const char *)sqlite3_column_text(s, 1)));
		json_object_set_new(x, "cell", json_string((const char *)sqlite3_column_text(s, 2)));
		json_object_set_new(x, "target", json_integer(sqlite3_column_int64(s, 3)));
		json_object_set_new(x, "achieved", json_integer(sqlite3_column_int64(s, 4)));
		json_object_set_new(x, "closed", json_boolean(sqlite3_column_int(s, 5)));
		/* a closed cell grants nothing; without a grant (supervisors) there is no allowance */
		if (sqlite3_column_type(s, 6) != SQLITE_NULL)
			json_object_set_new(x, "allowance", json_integer(sqlite3_column_int64(s, 6)));
		else if (role == CENTRAL_INTERVIEWER)
			json_object_set_new(x, "allowance", json_integer(0));
		json_array_append_new(a, x);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (step != SQLITE_DONE || sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		err_set(e, "cannot read the quota cells in '%s': %s", c->path, sqlite3_errmsg(c->db));
		sqlite3_finalize(s);
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

int central_quota_set(struct central *c, const char *study, const char *quota, const char *cell,
                      long target, int closed, long allowance, struct err *e)
{
	sqlite3_stmt *s;
	int rc, n;

	if (sqlite3_prepare_v2(c->db, "UPDATE quota_cells SET target = CASE WHEN ?4 >= 0 THEN ?4 ELSE target END,"
	                              " closed = CASE WHEN ?5 >= 0 THEN ?5 ELSE closed END,"
	                              " allowance = CASE WHEN ?6 >= 0 THEN ?6 ELSE allowance END"
	                              " WHERE study = ?1 AND quota = ?2 AND (?3 IS NULL OR cell = ?3)", -1, &s, NULL) != SQLITE_OK) {
		err_set(e, "cannot change the quota in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, quota, -1, SQLITE_STATIC);
	if (cell)
		sqlite3_bind_text(s, 3, cell, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, target);
	sqlite3_bind_int(s, 5, closed);
	sqlite3_bind_int64(s, 6, allowance);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		err_set(e, "cannot change the quota in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	n = sqlite3_changes(c->db);
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
	sqlite3_stmt *s;
	json_t *a = json_array();
	int rc;

	if (sqlite3_prepare_v2(c->db,
		"SELECT q.quota, q.cell, q.label, q.target, q.achieved, q.closed, q.allowance,"
		" (SELECT coalesce(sum(g.n), 0) FROM grants g WHERE g.study = q.study AND g.quota = q.quota AND g.cell = q.cell"
		"  AND g.at > ?2 - " GRANT_TTL "),"
		" (SELECT count(*) FROM interview_cells i WHERE i.study = q.study AND i.quota = q.quota AND i.cell = q.cell AND i.over)"
		" FROM quota_cells q WHERE q.study = ?1 ORDER BY q.quota, q.cell", -1, &s, NULL) != SQLITE_OK) {
		json_decref(a);
		err_set(e, "cannot read the quota cells in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)time(NULL));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *x = json_object();
		json_object_set_new(x, "quota", json_string((const char *)sqlite3_column_text(s, 0)));
		json_object_set_new(x, "cell", json_string((const char *)sqlite3_column_text(s, 1)));
		json_object_set_new(x, "label", json_string((const char *)sqlite3_column_text(s, 2)));
		json_object_set_new(x, "target", json_integer(sqlite3_column_int64(s, 3)));
		json_object_set_new(x, "achieved", json_integer(sqlite3_column_int64(s, 4)));
		json_object_set_new(x, "closed", json_boolean(sqlite3_column_int(s, 5)));
		json_object_set_new(x, "allowance", json_integer(sqlite3_column_int64(s, 6)));
		json_object_set_new(x, "granted", json_integer(sqlite3_column_int64(s, 7)));
		json_object_set_new(x, "over", json_integer(sqlite3_column_int64(s, 8)));
		json_array_append_new(a, x);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		err_set(e, "cannot read the quota cells in '%s': %s", c->path, sqlite3_errmsg(c->db));
		return -1;
	}
	*out = a;
	return 0;
}
