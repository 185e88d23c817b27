/* lock.c: a case locked for a call from one workstation at a time. */
#include "cati/i18n.h"
#include "central-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Lock a case for a call from one workstation, unless another holds it. */
enum central_rc central_lock(struct central *c, const char *user, enum central_role role, const char *holder,
                             const char *key, int seconds, char *who, size_t nwho, int64_t *until, struct err *e)
{
	struct dbs *s = NULL;
	char projects[4096];
	char *study = NULL;
	int64_t now = (int64_t)time(NULL);
	enum central_rc rc = CENTRAL_STORAGE, ws;
	int step;

	central_projects_of(c, user, role, projects, sizeof projects);
	if (db_begin(c->db, 1) != DB_OK) {
		central_fail(c, N_("lock the case"), e);
		return central_rc_of(e);
	}
	if (db_prepare(c->db, "SELECT interviewer, study FROM cases WHERE case_key = ?", &s) != DB_OK)
		goto out;
	if (!central_owns_case(s, user, role, projects, key, &study)) {
		free(study);
		db_finalize(s);
		db_rollback(c->db);
		err_set(e, _("case '%s' is not assigned to you"), key);
		return CENTRAL_FORBIDDEN;
	}
	free(study);
	db_finalize(s);
	s = NULL;
	/* an interviewer locks only from a registered workstation of theirs */
	ws = role == CENTRAL_INTERVIEWER ? central_ws_check(c, user, holder, e) : CENTRAL_OK;
	if (ws != CENTRAL_OK) {
		db_rollback(c->db);
		return ws;
	}
	/* someone else's lock that has not run out: taken */
	if (db_prepare(c->db, "SELECT user, until FROM locks WHERE case_key = ? AND holder <> ? AND until > ?", &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, holder);
	db_bind_int64(s, 3, now);
	step = db_step(s);
	if (step == DB_ROW) {
		snprintf(who, nwho, "%s", db_column_text(s, 0));
		*until = db_column_int64(s, 1);
		db_finalize(s);
		db_rollback(c->db);
		return CENTRAL_HELD;
	}
	db_finalize(s);
	s = NULL;
	if (step != DB_DONE ||
	    db_prepare(c->db, "INSERT INTO locks(case_key, holder, user, until) VALUES (?, ?, ?, ?) ON CONFLICT(case_key)"
	                       " DO UPDATE SET holder = excluded.holder, user = excluded.user, until = excluded.until", &s) != DB_OK)
		goto out;
	*until = now + seconds;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, holder);
	db_bind_text(s, 3, user);
	db_bind_int64(s, 4, *until);
	if (db_step(s) != DB_DONE || db_commit(c->db) != DB_OK)
		goto out;
	snprintf(who, nwho, "%s", user);
	rc = CENTRAL_OK;
out:
	if (rc != CENTRAL_OK) {
		central_fail(c, N_("lock the case"), e);
		db_rollback(c->db);
		rc = central_rc_of(e);
	}
	db_finalize(s);
	return rc;
}
