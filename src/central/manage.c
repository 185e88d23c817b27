/* manage.c: what a supervisor reads and changes from their own machine: forms and their
   versions, a study's cases with status and interviewer, assigning and taking back cases,
   conflicts and the workstations' last syncs. */
#include "cati/i18n.h"
#include "central-int.h"

#include "figures.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every published form the user manages: [{form_id, version, hash, published_at}]. */
int central_forms_list(struct central *c, const char *user, enum central_role role, json_t **out,
                       struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT form_id, version, hash, published_at FROM forms ORDER BY form_id, seq", &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, N_("read the forms"), e);
	}
	while ((rc = db_step(s)) == DB_ROW) {
		if (!central_may_manage(c, user, role, db_column_text(s, 0)))
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I}", "form_id", db_column_text(s, 0),
		                                   "version", db_column_text(s, 1), "hash", db_column_text(s, 2),
		                                   "published_at", (json_int_t)db_column_int64(s, 3)));
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return central_fail(c, N_("read the forms"), e);
	}
	*out = a;
	return 0;
}

/* The cases of study with their status, interviewer and number of calls, filtered by status
   and interviewer (NULL: any; interviewer "" : unassigned). */
int central_cases_list(struct central *c, const char *study, const char *status, const char *interviewer,
                       json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT c.case_key, c.interviewer,"
	                      " (SELECT i.status FROM interviews i WHERE i.case_key = c.case_key"
	                      "  ORDER BY CASE WHEN i.status = 'complete' AND i.duplicate = 0 THEN 0 ELSE 1 END,"
	                      "  i.updated_at DESC LIMIT 1),"
	                      " (SELECT count(*) FROM attempts t WHERE t.case_key = c.case_key),"
	                      " (SELECT t.outcome FROM attempts t WHERE t.case_key = c.case_key ORDER BY t.at DESC LIMIT 1),"
	                      " (SELECT count(*) FROM interviews i WHERE i.case_key = c.case_key AND i.duplicate <> 0), c.dnc"
	                      " FROM cases c WHERE c.study = ?1 ORDER BY c.case_key", &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, N_("read the cases"), e);
	}
	db_bind_text(s, 1, study);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *iv = db_column_text(s, 1), *st = db_column_text(s, 2);
		int64_t calls = db_column_int64(s, 3);
		json_t *x;

		if (!st)
			st = calls > 0 ? "called" : "new";
		if (status && strcmp(status, st))
			continue;
		if (interviewer && strcmp(interviewer, iv ? iv : ""))
			continue;
		x = json_pack("{s:s,s:s,s:I}", "case", db_column_text(s, 0), "status", st, "calls", (json_int_t)calls);
		json_object_set_new(x, "interviewer", iv ? json_string(iv) : json_null());
		json_object_set_new(x, "last_outcome", db_column_text(s, 4) ? json_string(db_column_text(s, 4)) : json_null());
		json_object_set_new(x, "duplicates", json_integer(db_column_int64(s, 5)));
		json_object_set_new(x, "dnc", json_boolean(db_column_int64(s, 6) != 0));
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return central_fail(c, N_("read the cases"), e);
	}
	*out = a;
	return 0;
}

/* Give the cases keys of study to interviewer (NULL: take them back), all or none. */
enum central_rc central_cases_assign(struct central *c, const char *study, json_t *keys, const char *interviewer,
                                     json_t **unknown, struct err *e)
{
	json_t *cases = json_array(), *k;
	struct dbs *s;
	size_t i;
	int rc;

	*unknown = json_array();
	if (db_prepare(c->db, "SELECT phone, name, tz, fields FROM cases WHERE case_key = ?1 AND study = ?2", &s) != DB_OK) {
		json_decref(cases);
		central_fail(c, N_("read the cases"), e);
		return central_rc_of(e);
	}
	json_array_foreach(keys, i, k) {
		const char *key = json_string_value(k);
		json_t *x, *fields;

		db_bind_text(s, 1, key);
		db_bind_text(s, 2, study);
		rc = db_step(s);
		if (rc == DB_DONE) {
			json_array_append_new(*unknown, json_string(key));
		} else if (rc == DB_ROW) {
			fields = json_loads(db_column_text(s, 3), 0, NULL);
			x = json_pack("{s:s,s:s}", "id", key, "phone", db_column_text(s, 0));
			if (db_column_text(s, 1))
				json_object_set_new(x, "name", json_string(db_column_text(s, 1)));
			if (db_column_text(s, 2))
				json_object_set_new(x, "tz", json_string(db_column_text(s, 2)));
			json_object_set_new(x, "fields", json_is_object(fields) ? fields : json_object());
			if (!json_is_object(fields))
				json_decref(fields);
			if (interviewer)
				json_object_set_new(x, "interviewer", json_string(interviewer));
			json_array_append_new(cases, x);
		} else {
			db_finalize(s);
			json_decref(cases);
			central_fail(c, N_("read the cases"), e);
			return central_rc_of(e);
		}
		db_reset(s);
	}
	db_finalize(s);
	if (json_array_size(*unknown)) {
		json_decref(cases);
		err_set(e, _("no such case in study '%s'"), study);
		return CENTRAL_NOT_FOUND;
	}
	/* the same path as an import: one change number, the figures and the reassignment log */
	rc = central_cases_put(c, study, cases, CENTRAL_DNC_NONE, e);
	json_decref(cases);
	return rc < 0 ? central_rc_of(e) : CENTRAL_OK;
}

/* The conflicts of study: [{id, uuid, case, interviewer, stored_at, received_at, stored, theirs}]. */
int central_conflicts_list(struct central *c, const char *study, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT x.id, x.uuid, s.case_key, x.owner, s.received_at, x.received_at, s.data, x.data"
	                      " FROM conflicts x JOIN records s ON s.uuid = x.uuid JOIN cases c ON c.case_key = s.case_key"
	                      " WHERE c.study = ?1 ORDER BY x.id", &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, N_("read the conflicts"), e);
	}
	db_bind_text(s, 1, study);
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_pack("{s:I,s:s,s:s,s:s,s:I,s:I}", "id", (json_int_t)db_column_int64(s, 0),
		                      "uuid", db_column_text(s, 1), "case", db_column_text(s, 2), "user", db_column_text(s, 3),
		                      "stored_at", (json_int_t)db_column_int64(s, 4), "received_at", (json_int_t)db_column_int64(s, 5));
		json_object_set_new(x, "stored", json_loads(db_column_text(s, 6), 0, NULL));
		json_object_set_new(x, "theirs", json_loads(db_column_text(s, 7), 0, NULL));
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return central_fail(c, N_("read the conflicts"), e);
	}
	*out = a;
	return 0;
}

/* The study of conflict id into study (n bytes): 1, 0 when there is none, -1. */
int central_conflict_study(struct central *c, int64_t id, char *study, size_t n)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT c.study FROM conflicts x JOIN records r ON r.uuid = x.uuid"
	                      " JOIN cases c ON c.case_key = r.case_key WHERE x.id = ?1", &s) != DB_OK)
		return -1;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_ROW)
		snprintf(study, n, "%s", db_column_text(s, 0));
	db_finalize(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Build study's report figures (spec: report_spec's, read before the write transaction began,
   since it reads in a transaction of its own; NULL: none) again from the report tables. */
static int refigure(struct central *c, const char *study, const char *spec)
{
	return spec ? fig_rebuild(c, study, spec) : 0;
}

/* Settle conflict id: keep the stored record (take 0), or take the conflicting one in its
   place (take 1: the record's data, and the interview's status and times it carries). */
enum central_rc central_conflict_resolve(struct central *c, int64_t id, int take, struct err *e)
{
	char id_study[300] = "", *spec = NULL;
	struct dbs *s = NULL, *u = NULL;
	json_t *d = NULL;
	int rc;

	if (take && central_conflict_study(c, id, id_study, sizeof id_study) == 1)
		spec = report_spec(c, id_study);
	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	if (db_prepare(c->db, "SELECT x.uuid, x.data, r.kind FROM conflicts x JOIN records r ON r.uuid = x.uuid"
	                      " WHERE x.id = ?1", &s) != DB_OK)
		goto fail;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	if (rc == DB_DONE) {
		db_finalize(s);
		db_rollback(c->db);
		free(spec);
		err_set(e, _("no conflict %lld"), (long long)id);
		return CENTRAL_NOT_FOUND;
	}
	if (rc != DB_ROW)
		goto fail;
	if (take) {
		char hex[65], *dump;
		const char *iv;

		/* hashed as a push hashes it: the compact JSON with sorted keys (PostgreSQL gives
		   its jsonb back with spaces) */
		d = json_loads(db_column_text(s, 1), 0, NULL);
		if (!d || !(dump = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS)))
			goto fail;
		central_content_hash(db_column_text(s, 2), dump, hex);
		if (db_prepare(c->db, "UPDATE records SET data = ?2, content_hash = ?3 WHERE uuid = ?1", &u) != DB_OK) {
			free(dump);
			goto fail;
		}
		db_bind_text_copy(u, 1, db_column_text(s, 0));
		db_bind_text_copy(u, 2, dump);
		db_bind_text(u, 3, hex);
		rc = db_step(u);
		free(dump);
		db_finalize(u);
		u = NULL;
		if (rc != DB_DONE)
			goto fail;
		/* the interview's latest state follows the record taken (its status, outcome, times) */
		iv = central_jstr(d, "interview");
		if (iv && db_column_text(s, 2) && !strcmp(db_column_text(s, 2), "interview")) {
			if (db_prepare(c->db, "UPDATE interviews SET status = coalesce(?2, status), outcome = coalesce(?3, outcome),"
			                      " ended_at = ?4, updated_at = coalesce(?5, updated_at)"
			                      " WHERE uuid = ?1 AND coalesce(?5, '') >= updated_at", &u) != DB_OK)
				goto fail;
			db_bind_text(u, 1, iv);
			db_bind_text(u, 2, central_jstr(d, "status"));
			db_bind_text(u, 3, central_jstr(d, "outcome"));
			db_bind_text(u, 4, central_jstr(d, "ended_at"));
			db_bind_text(u, 5, central_jstr(d, "updated_at"));
			rc = db_step(u);
			db_finalize(u);
			u = NULL;
			if (rc != DB_DONE)
				goto fail;
		}
	}
	db_finalize(s);
	s = NULL;
	if (db_prepare(c->db, "DELETE FROM conflicts WHERE id = ?1", &s) != DB_OK)
		goto fail;
	db_bind_int64(s, 1, id);
	rc = db_step(s);
	db_finalize(s);
	s = NULL;
	if (rc != DB_DONE || (take && refigure(c, id_study, spec) < 0) || central_audit_pending(c, e) < 0 ||
	    db_commit(c->db) != DB_OK)
		goto fail;
	json_decref(d);
	free(spec);
	return CENTRAL_OK;
fail:
	json_decref(d);
	free(spec);
	db_finalize(s);
	db_finalize(u);
	central_fail(c, N_("resolve the conflict"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}

/* Every workstation with when it last synced: the end of its latest working span, else its
   user's last request ([{workstation, user, name, registered_at, retired_at, last_sync}]). */
int central_ws_synced(struct central *c, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT w.id, w.user, w.name, w.registered_at, w.retired_at,"
	                      " coalesce((SELECT max(end_at) FROM work_spans p WHERE p.workstation = w.id),"
	                      "  (SELECT at FROM seen WHERE seen.user = w.user))"
	                      " FROM workstations w ORDER BY w.user, w.registered_at, w.id", &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, N_("read the workstations"), e);
	}
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_pack("{s:s,s:s,s:s,s:I}", "workstation", db_column_text(s, 0), "user", db_column_text(s, 1),
		                      "name", db_column_text(s, 2), "registered_at", (json_int_t)db_column_int64(s, 3));
		json_object_set_new(x, "retired_at", db_column_type(s, 4) != DB_NULL ? json_integer(db_column_int64(s, 4)) : json_null());
		json_object_set_new(x, "last_sync", db_column_type(s, 5) != DB_NULL ? json_integer(db_column_int64(s, 5)) : json_null());
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

/* The completes of study's cases completed more than once: [{case, interview, interviewer,
   ended_at, counts}] (counts: the one the study counts; the others are duplicates). */
int central_duplicates_list(struct central *c, const char *study, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT i.case_key, i.uuid, i.interviewer, i.ended_at, i.duplicate FROM interviews i"
	                      " WHERE i.study = ?1 AND i.status = 'complete' AND i.case_key IN"
	                      " (SELECT case_key FROM interviews WHERE study = ?1 AND status = 'complete' AND duplicate <> 0)"
	                      " ORDER BY i.case_key, i.ended_at, i.uuid", &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, N_("read the duplicates"), e);
	}
	db_bind_text(s, 1, study);
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_pack("{s:s,s:s,s:s,s:b}", "case", db_column_text(s, 0), "interview", db_column_text(s, 1),
		                      "interviewer", db_column_text(s, 2), "counts", db_column_int(s, 4) == 0);
		json_object_set_new(x, "ended_at", db_column_text(s, 3) ? json_string(db_column_text(s, 3)) : json_null());
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return central_fail(c, N_("read the duplicates"), e);
	}
	*out = a;
	return 0;
}

/* Run sql with the text parameters p[0..n) (NULL binds NULL): 0, or -1. */
static int run(struct central *c, const char *sql, const char *const *p, int n)
{
	struct dbs *s;
	int i, rc;

	if (db_prepare(c->db, sql, &s) != DB_OK)
		return -1;
	for (i = 0; i < n; i++)
		db_bind_text(s, i + 1, p[i]);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Make interview the complete its case counts: the case's other completes become duplicates,
   and the counts, quota cells and report figures follow. */
enum central_rc central_duplicate_choose(struct central *c, const char *study, const char *interview, struct err *e)
{
	struct dbs *s = NULL;
	char *key = NULL, *old = NULL, *old_outcome = NULL, *new_outcome = NULL, seq[32];
	char *spec = report_spec(c, study);
	json_t *d = NULL, *x;
	const char *quota;
	int64_t n;
	int rc;

	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	if (db_prepare(c->db, "SELECT case_key, duplicate, outcome FROM interviews WHERE uuid = ?1 AND study = ?2"
	                      " AND status = 'complete'", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, interview);
	db_bind_text(s, 2, study);
	rc = db_step(s);
	if (rc == DB_DONE) {
		db_finalize(s);
		db_rollback(c->db);
		free(spec);
		err_set(e, _("no complete '%s' in study '%s'"), interview, study);
		return CENTRAL_NOT_FOUND;
	}
	if (rc != DB_ROW)
		goto fail;
	if (!db_column_int(s, 1)) {   /* it counts already: nothing changes, but the trail says who asked */
		db_finalize(s);
		s = NULL;
		if (central_audit_pending(c, e) < 0 || db_commit(c->db) != DB_OK)
			goto fail;
		free(spec);
		return CENTRAL_OK;
	}
	key = xstrdup(db_column_text(s, 0));
	new_outcome = xstrdup(db_column_text(s, 2) ? db_column_text(s, 2) : "");
	db_finalize(s);
	if (db_prepare(c->db, "SELECT uuid, outcome FROM interviews WHERE case_key = ?1 AND status = 'complete'"
	                      " AND duplicate = 0", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, key);
	rc = db_step(s);
	if (rc == DB_ROW) {
		old = xstrdup(db_column_text(s, 0));
		old_outcome = xstrdup(db_column_text(s, 1) ? db_column_text(s, 1) : "");
	} else if (rc != DB_DONE) {
		goto fail;
	}
	db_finalize(s);
	s = NULL;
	if ((n = central_next_seq(c)) < 0)
		goto fail;
	snprintf(seq, sizeof seq, "%lld", (long long)n);
	{
		const char *p[] = { interview, key, study, old, new_outcome, old_outcome, seq };
		if (run(c, "UPDATE interviews SET duplicate = CASE WHEN uuid = ?1 THEN 0 ELSE 1 END"
		           " WHERE case_key = ?2 AND status = 'complete'", p, 2) < 0 ||
		    run(c, "UPDATE records SET duplicate = CASE WHEN json_extract(data, '$.interview') = ?1 THEN 0 ELSE 1 END"
		           " WHERE case_key = ?2 AND kind = 'interview' AND json_extract(data, '$.status') = 'complete'", p, 2) < 0 ||
		    run(c, "INSERT INTO counted(interview, study, status, outcome) VALUES (?1, ?3, 'complete', ?5)"
		           " ON CONFLICT DO NOTHING", p, 5) < 0 ||
		    run(c, "INSERT INTO counts(study, status, outcome, n, seq) VALUES (?3, 'complete', ?5, 1, CAST(?7 AS INTEGER))"
		           " ON CONFLICT(study, status, outcome) DO UPDATE SET n = counts.n + 1, seq = excluded.seq", p, 7) < 0)
			goto fail;
		if (old && (run(c, "DELETE FROM counted WHERE interview = ?4 AND status = 'complete'", p, 4) < 0 ||
		            run(c, "UPDATE counts SET n = n - 1, seq = CAST(?7 AS INTEGER) WHERE study = ?3 AND status = 'complete'"
		                   " AND outcome = ?6", p, 7) < 0 ||
		            run(c, "UPDATE quota_cells SET achieved = achieved - 1, seq = CAST(?7 AS INTEGER) WHERE study = ?3 AND"
		                   " (quota, cell) IN (SELECT quota, cell FROM interview_cells WHERE interview = ?4)"
		                   "", p, 7) < 0 ||
		            run(c, "DELETE FROM interview_cells WHERE interview = ?4", p, 4) < 0))
			goto fail;
	}
	/* the cells the chosen complete fell into, from its record */
	if (db_prepare(c->db, "SELECT data FROM records WHERE case_key = ?1 AND kind = 'interview'"
	                      " AND json_extract(data, '$.interview') = ?2 AND json_extract(data, '$.status') = 'complete'"
	                      " ORDER BY received_at DESC LIMIT 1", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, interview);
	if (db_step(s) == DB_ROW)
		d = json_loads(db_column_text(s, 0), 0, NULL);
	db_finalize(s);
	s = NULL;
	json_object_foreach(json_object_get(d, "cells"), quota, x) {
		const char *p[] = { interview, study, quota, json_string_value(x), seq };
		if (!json_is_string(x))
			continue;
		if (run(c, "INSERT INTO interview_cells(interview, study, quota, cell) VALUES (?1, ?2, ?3, ?4)"
		           " ON CONFLICT DO NOTHING", p, 4) < 0 ||
		    run(c, "INSERT INTO quota_cells(study, quota, cell, target, achieved, seq) VALUES (?2, ?3, ?4, 0, 1, CAST(?5 AS INTEGER))"
		           " ON CONFLICT(study, quota, cell) DO UPDATE SET achieved = quota_cells.achieved + 1, seq = excluded.seq", p, 5) < 0 ||
		    run(c, "UPDATE interview_cells SET over = (SELECT CASE WHEN q.achieved > q.target OR q.closed <> 0 THEN 1 ELSE 0 END"
		           " FROM quota_cells q WHERE q.study = ?2 AND q.quota = ?3 AND q.cell = ?4) WHERE interview = ?1 AND quota = ?3", p, 4) < 0)
			goto fail;
	}
	/* the report's figures from the tables just changed */
	if (refigure(c, study, spec) < 0)
		goto fail;
	if (central_audit_pending(c, e) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	rc = CENTRAL_OK;
	goto out;
fail:
	db_finalize(s);
	central_fail(c, N_("choose the complete that counts"), e);
	db_rollback(c->db);
	rc = central_rc_of(e);
out:
	json_decref(d);
	free(key);
	free(old);
	free(old_outcome);
	free(new_outcome);
	free(spec);
	return rc;
}

/* Open the cases keys of study (not finished) to be called again, all or none: a 'reopen' record
   for each, sent to the workstations that see the case with their next pull. */
enum central_rc central_cases_reopen(struct central *c, const char *study, json_t *keys, const char *user,
                                     json_t **unknown, struct err *e)
{
	struct dbs *find = NULL, *ins = NULL;
	json_t *k;
	size_t i;
	int64_t seq, now = (int64_t)time(NULL);
	int rc;

	*unknown = json_array();
	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	if (db_prepare(c->db, "SELECT (SELECT i.status FROM interviews i WHERE i.case_key = c.case_key AND i.duplicate = 0"
	                      " AND i.status IN ('complete', 'screenout') LIMIT 1) FROM cases c WHERE c.case_key = ?1 AND c.study = ?2",
	               &find) != DB_OK)
		goto fail;
	json_array_foreach(keys, i, k) {
		db_bind_text(find, 1, json_string_value(k));
		db_bind_text(find, 2, study);
		rc = db_step(find);
		if (rc == DB_DONE) {
			json_array_append(*unknown, k);
		} else if (rc == DB_ROW && db_column_text(find, 0)) {
			err_set(e, _("case '%s' is finished (%s): reopening it would interview it twice"), json_string_value(k),
			        db_column_text(find, 0));
			db_finalize(find);
			db_rollback(c->db);
			return CENTRAL_INPUT;
		} else if (rc != DB_ROW) {
			goto fail;
		}
		db_reset(find);
	}
	db_finalize(find);
	find = NULL;
	if (json_array_size(*unknown)) {
		db_rollback(c->db);
		err_set(e, _("no such case in study '%s'"), study);
		return CENTRAL_NOT_FOUND;
	}
	if ((seq = central_next_seq(c)) < 0 ||
	    db_prepare(c->db, "INSERT INTO records(uuid, kind, owner, case_key, content_hash, data, received_at, duplicate, seq)"
	                      " VALUES (?1, 'reopen', ?2, ?3, ?4, ?5, ?6, 0, ?7)", &ins) != DB_OK)
		goto fail;
	json_array_foreach(keys, i, k) {
		unsigned char b[16];
		char uuid[37], hex[65], *dump;

		randombytes_buf(b, sizeof b);
		b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
		b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
		snprintf(uuid, sizeof uuid, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
		{
			json_t *d = json_pack("{s:s,s:s,s:I}", "case", json_string_value(k), "by", user, "at", (json_int_t)now);
			dump = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(d);
		}
		central_content_hash("reopen", dump, hex);
		db_bind_text(ins, 1, uuid);
		db_bind_text(ins, 2, user);
		db_bind_text(ins, 3, json_string_value(k));
		db_bind_text(ins, 4, hex);
		db_bind_text_copy(ins, 5, dump);
		db_bind_int64(ins, 6, now);
		db_bind_int64(ins, 7, seq);
		rc = db_step(ins);
		free(dump);
		if (rc != DB_DONE)
			goto fail;
		db_reset(ins);
		db_clear_bindings(ins);
	}
	db_finalize(ins);
	ins = NULL;
	if (central_audit_pending(c, e) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	db_finalize(find);
	db_finalize(ins);
	central_fail(c, N_("reopen the cases"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}
