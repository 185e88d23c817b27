/*
 * central-quota.c: quota cells on the central store: set up from published forms, counted as
 * completes arrive (central.c), changed by supervisors, and the allowances workstations get on
 * each pull so that they can screen out correctly while offline.
 */
#include "cati/i18n.h"
#include "central-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cati/form.h"


struct seed {
	const struct form *f;
	const struct form_quota *q;
	struct dbs *ins;
	int64_t seq;
	struct buf key, label;
	int rc;
};

/* Insert one cell of a form's quota unless the store has it already. */
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
	db_bind_int64(sd->ins, 7, sd->seq);
	sd->rc = db_step(sd->ins);
	db_reset(sd->ins);
}

/* Set up the quota cells of a published form, keeping cells already there. */
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
	if (db_begin(c->db, 1) != DB_OK || (sd.seq = central_next_seq(c)) < 0 ||
	    db_prepare(c->db, "INSERT INTO quota_cells(study, quota, cell, label, target, allowance, seq)"
	                              " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(study, quota, cell) DO UPDATE SET label = excluded.label", &sd.ins) != DB_OK) {
		central_fail(c, N_("set up the quota cells"), e);
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
		central_fail(c, N_("set up the quota cells"), e);
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

/*
 * What open cell q would grant workstation ?5 of user ?3 at time ?6: the cell's allowance less
 * the user's other workstations' live grants (all of them together hold at most what one would
 * get), and no more than the target leaves after the count and the others' live grants.
 */
#define GRANT_N \
	"max(0, min(q.allowance" \
	" - coalesce((SELECT sum(g2.n) FROM grants g2 JOIN workstations w ON w.id = g2.holder" \
	"  WHERE w.user = ?3 AND g2.holder <> ?5 AND g2.study = q.study AND g2.quota = q.quota AND g2.cell = q.cell" \
	"  AND g2.at > ?6 - " GRANT_TTL "), 0), q.target - q.achieved" \
	" - coalesce((SELECT sum(g2.n) FROM grants g2 WHERE g2.holder <> ?5 AND g2.study = q.study AND g2.quota = q.quota" \
	"  AND g2.cell = q.cell AND g2.at > ?6 - " GRANT_TTL "), 0)))"

/* Only a registered, not retired workstation of the user gets any allowance. */
#define HOLDER_REGISTERED \
	"EXISTS (SELECT 1 FROM workstations w WHERE w.id = ?5 AND w.user = ?3 AND w.retired_at IS NULL)"

/* Must the holder's quota grants be worked out again before its pull? */
int central_quota_stale(struct central *c, const char *user, const char *holder, const char *projects)
{
	struct dbs *s;
	int step;

	if (db_prepare(c->db, "SELECT 1 FROM quota_cells q LEFT JOIN grants g ON g.study = q.study AND g.quota = q.quota"
		" AND g.cell = q.cell AND g.holder = ?5 WHERE " SEES_STUDY("q.study") " AND " HOLDER_REGISTERED
		" AND CASE WHEN q.closed <> 0 THEN g.holder IS NOT NULL"
		" ELSE g.holder IS NULL OR g.at <= ?6 - " GRANT_RENEW " OR g.n <> " GRANT_N " END LIMIT 1", &s) != DB_OK)
		return -1;
	bind_viewer(s, projects, user, 1, holder);
	db_bind_int64(s, 6, (int64_t)time(NULL));
	step = db_step(s);
	db_finalize(s);
	return step == DB_ROW ? 1 : step == DB_DONE ? 0 : -1;
}

/* Work out again what each open cell grants the holder, in one write transaction. */
int central_quota_renew(struct central *c, const char *user, const char *holder, struct err *e)
{
	struct dbs *s = NULL;
	char projects[16] = "";
	int64_t seq;
	int rc = -1, step;

	if (db_begin(c->db, 1) != DB_OK || (seq = central_next_seq(c)) < 0)
		goto out;
	/* the holder's grants go, then each open cell of its studies grants it anew; all of them
	   take one change number, so the holder's next pull brings the cells with its allowance */
	if (db_prepare(c->db, "DELETE FROM grants WHERE holder = ?", &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, holder);
	step = db_step(s);
	db_finalize(s);
	s = NULL;
	if (step != DB_DONE)
		goto out;
	if (db_prepare(c->db, "INSERT INTO grants(study, quota, cell, holder, n, at, seq)"
		" SELECT q.study, q.quota, q.cell, ?5, " GRANT_N ", CAST(?6 AS BIGINT), CAST(?7 AS BIGINT)"
		" FROM quota_cells q WHERE q.closed = 0 AND " SEES_STUDY("q.study") " AND " HOLDER_REGISTERED, &s) != DB_OK)
		goto out;
	bind_viewer(s, projects, user, 1, holder);
	db_bind_int64(s, 6, (int64_t)time(NULL));
	db_bind_int64(s, 7, seq);
	step = db_step(s);
	db_finalize(s);
	s = NULL;
	if (step != DB_DONE || db_commit(c->db) != DB_OK)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		central_fail(c, N_("grant quota allowances"), e);
		db_finalize(s);
		db_rollback(c->db);
	}
	return rc;
}

/* The quota cells that changed for the holder after cursor, into o["quotas"]. */
int central_quota_rows(struct central *c, const char *user, enum central_role role, const char *holder,
                       const char *projects, int64_t cursor, json_t *o)
{
	struct dbs *s = NULL;
	json_t *a = json_array();
	int step;

	json_object_set_new(o, "quotas", a);
	/* a cell changes with its target, count or closing; the holder's allowance in it with
	   its grant; an interviewer given a first case of a study gets all of the study's cells */
	if (db_prepare(c->db, "SELECT q.study, q.quota, q.cell, q.target, q.achieved, q.closed, g.n FROM quota_cells q"
		" LEFT JOIN grants g ON g.study = q.study AND g.quota = q.quota AND g.cell = q.cell AND g.holder = ?5"
		" WHERE (q.seq > ?1 OR g.seq > ?1 OR (?4 AND q.study IN (SELECT study FROM cases WHERE interviewer = ?3 AND seq > ?1)))"
		" AND " SEES_STUDY("q.study") " ORDER BY q.study, q.quota, q.cell", &s) != DB_OK)
		return -1;
	db_bind_int64(s, 1, cursor);
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
	return step == DB_DONE ? 0 : -1;
}

/* Change a quota's cells (all of them, or one) in one write transaction that numbers them. */
int central_quota_set(struct central *c, const char *study, const char *quota, const char *cell,
                      long target, int closed, long allowance, struct err *e)
{
	struct dbs *s;
	int64_t seq;
	int rc, n;

	/* the cells take a change number: the workstations' next pulls bring them */
	if (db_begin(c->db, 1) != DB_OK || (seq = central_next_seq(c)) < 0 ||
	    db_prepare(c->db, "UPDATE quota_cells SET target = CASE WHEN ?4 >= 0 THEN ?4 ELSE target END,"
	                              " closed = CASE WHEN ?5 >= 0 THEN ?5 ELSE closed END,"
	                              " allowance = CASE WHEN ?6 >= 0 THEN ?6 ELSE allowance END, seq = CAST(?7 AS BIGINT)"
	                              " WHERE study = ?1 AND quota = ?2 AND (CAST(?3 AS TEXT) IS NULL OR cell = ?3)", &s) != DB_OK) {
		central_fail(c, N_("change the quota"), e);
		db_rollback(c->db);
		return central_rc_of(e);
	}
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, quota);
	if (cell)
		db_bind_text(s, 3, cell);
	db_bind_int64(s, 4, target);
	db_bind_int(s, 5, closed);
	db_bind_int64(s, 6, allowance);
	db_bind_int64(s, 7, seq);
	rc = db_step(s);
	db_finalize(s);
	n = rc == DB_DONE ? (int)db_changes(c->db) : 0;
	if (rc != DB_DONE || (n && db_commit(c->db) != DB_OK)) {
		central_fail(c, N_("change the quota"), e);
		db_rollback(c->db);
		return central_rc_of(e);
	}
	if (!n) {
		db_rollback(c->db);
		if (cell)
			err_set(e, _("study '%s' has no cell '%s' in quota '%s'"), study, cell, quota);
		else
			err_set(e, _("study '%s' has no quota '%s'"), study, quota);
		return CENTRAL_NOT_FOUND;
	}
	return n;
}

/* A study's quota cells with what is granted and over. */
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
		central_fail(c, N_("read the quota cells"), e);
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
		central_fail(c, N_("read the quota cells"), e);
		return -1;
	}
	*out = a;
	return 0;
}
