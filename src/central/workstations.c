/*
 * central-ws.c: registered workstations. A workstation is enrolled under the user who registers
 * it; only a registered, not retired workstation of the asking interviewer is given quota
 * allowances and case locks. A retired id stays retired: it cannot be registered again.
 */
#include "cati/i18n.h"
#include "central-int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Look id up in the open transaction: 0 and its user in owner, 1 retired, 2 unknown, -1 error. */
static int ws_find(struct central *c, const char *id, char owner[65])
{
	struct dbs *s;
	int rc, step;

	if (db_prepare(c->db, "SELECT user, retired_at FROM workstations WHERE id = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, id);
	step = db_step(s);
	if (step == DB_ROW) {
		snprintf(owner, 65, "%s", db_column_text(s, 0));
		rc = db_column_type(s, 1) != DB_NULL;
	} else
		rc = step == DB_DONE ? 2 : -1;
	db_finalize(s);
	return rc;
}

/* Is id the user's registered, not retired workstation? The refusal says what to do. */
enum central_rc central_ws_check(struct central *c, const char *user, const char *id, struct err *e)
{
	char owner[65] = "";

	switch (ws_find(c, id, owner)) {
	case 0:
		if (!strcmp(owner, user))
			return CENTRAL_OK;
		err_set(e, _("workstation %s is registered to another user: run cati enroll"), id);
		return CENTRAL_FORBIDDEN;
	case 1:
		err_set(e, _("workstation %s is retired: ask a supervisor"), id);
		return CENTRAL_FORBIDDEN;
	case 2:
		err_set(e, _("workstation %s is not registered: run cati enroll"), id);
		return CENTRAL_UNREGISTERED;
	default:
		central_fail(c, N_("read the workstations"), e);
		return central_rc_of(e);
	}
}

/* Register id under user, in one write transaction; the first user's it stays. */
enum central_rc central_ws_register(struct central *c, const char *user, const char *id, const char *name,
                        struct err *e)
{
	struct dbs *s;
	char owner[65] = "";
	int rc;

	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	rc = ws_find(c, id, owner);
	if (rc == 0 && !strcmp(owner, user)) {
		db_rollback(c->db);
		return CENTRAL_OK;
	}
	if (rc == 0 || rc == 1) {
		db_rollback(c->db);
		err_set(e, rc ? _("workstation %s is retired: it cannot be registered again")
		              : _("workstation %s is registered to another user"), id);
		return CENTRAL_FORBIDDEN;
	}
	if (rc < 0 || db_prepare(c->db, "INSERT INTO workstations(id, user, name, registered_at) VALUES (?, ?, ?, ?)", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, user);
	db_bind_text(s, 3, name ? name : "");
	db_bind_int64(s, 4, (int64_t)time(NULL));
	rc = db_step(s);
	db_finalize(s);
	/* a change: the workstation's next pull, whatever its cursor, gets its allowances */
	if (rc != DB_DONE || central_next_seq(c) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	central_fail(c, N_("register the workstation"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}

/* Every workstation, by user and the time it was registered. */
int central_ws_list(struct central *c, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT id, user, name, registered_at, retired_at FROM workstations ORDER BY user, registered_at, id", &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, N_("read the workstations"), e);
	}
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_object();
		json_object_set_new(x, "workstation", json_string(db_column_text(s, 0)));
		json_object_set_new(x, "user", json_string(db_column_text(s, 1)));
		json_object_set_new(x, "name", json_string(db_column_text(s, 2)));
		json_object_set_new(x, "registered_at", json_integer(db_column_int64(s, 3)));
		json_object_set_new(x, "retired_at", db_column_type(s, 4) != DB_NULL ? json_integer(db_column_int64(s, 4)) : json_null());
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return central_fail(c, N_("read the workstations"), e);
	}
	*out = a;
	return 0;
}

/* Retire id and end its grants and locks in one transaction. */
enum central_rc central_ws_retire(struct central *c, const char *id, struct err *e)
{
	static const char *const sql[] = {
		"UPDATE workstations SET retired_at = ?2 WHERE id = ?1 AND retired_at IS NULL",
		"DELETE FROM grants WHERE holder = ?1 AND ?2 > 0",
		"DELETE FROM locks WHERE holder = ?1 AND ?2 > 0",
	};
	char owner[65];
	size_t i;
	int rc;

	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	rc = ws_find(c, id, owner);
	if (rc == 2) {
		db_rollback(c->db);
		err_set(e, _("no workstation '%s'"), id);
		return CENTRAL_NOT_FOUND;
	}
	if (rc < 0)
		goto fail;
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		struct dbs *s;
		if (db_prepare(c->db, sql[i], &s) != DB_OK)
			goto fail;
		db_bind_text(s, 1, id);
		db_bind_int64(s, 2, (int64_t)time(NULL));
		rc = db_step(s);
		db_finalize(s);
		if (rc != DB_DONE)
			goto fail;
	}
	/* a change: the user's other workstations may be granted what this one held */
	if (central_next_seq(c) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	central_fail(c, N_("retire the workstation"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}
