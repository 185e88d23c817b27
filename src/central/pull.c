/* pull.c: what changed for a user since their cursor: forms, cases, appointments, counts, quotas,
   erasures and retention. */
#include "cati/i18n.h"
#include "central-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Rows of a query as JSON objects with the given keys (NULL columns left out); the highest
   value of the column named "seq" raises *top. */
static int rows(struct dbs *s, const char *const *keys, json_t *into, int64_t *top)
{
	int rc, i;

	while ((rc = db_step(s)) == DB_ROW) {
		json_t *o = json_object();
		for (i = 0; keys[i]; i++) {
			int type = db_column_type(s, i);
			if (!strcmp(keys[i], "seq")) {
				if (db_column_int64(s, i) > *top)
					*top = db_column_int64(s, i);
			} else if (!strcmp(keys[i], "fields") || !strcmp(keys[i], "data")) {
				json_t *v = json_loads(db_column_text(s, i), 0, NULL);
				json_object_set_new(o, keys[i], v ? v : json_object());
			} else if (type == DB_INTEGER) {
				json_object_set_new(o, keys[i], json_integer(db_column_int64(s, i)));
			} else if (type != DB_NULL) {
				json_object_set_new(o, keys[i], json_string(db_column_text(s, i)));
			}
		}
		json_array_append_new(into, o);
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

#define SEES_CASE(c) "(CASE WHEN ?4 THEN " c ".interviewer = ?3 ELSE ?2 = '*' OR instr(?2, ',' || " c ".study || ',') > 0 END)"

/* The store's change counter (in the current transaction's view) into *top; 0 or -1. */
static int counter_top(struct central *c, int64_t *top)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT seq FROM counter WHERE id = 1", &s) != DB_OK)
		return -1;
	rc = db_step(s);
	*top = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	db_finalize(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* Has the holder a grant half its time gone (its pull renews it even when nothing changed)? */
static int grants_expiring(struct central *c, const char *holder)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT 1 FROM grants WHERE holder = ? AND at <= ? - " GRANT_RENEW " LIMIT 1", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, holder);
	db_bind_int64(s, 2, (int64_t)time(NULL));
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Read what changed for the user after cursor, in one read transaction. */
int central_pull_read(struct central *c, const char *user, enum central_role role, const char *holder,
                      int64_t cursor, int renew, json_t **out, struct err *e)
{
	static const struct {
		const char *name, *sql;
		const char *const keys[10];
	} parts[] = {
		/* forms of the studies the user sees; an interviewer given a case of a study gets its
		   forms with the case, however old they are */
		{ "forms", "SELECT hash, form_id, version, source, seq FROM forms f WHERE (seq > ?1 AND " SEES_STUDY("f.form_id") ")"
		           " OR (?4 AND form_id IN (SELECT study FROM cases WHERE interviewer = ?3 AND seq > ?1)) ORDER BY seq",
		  { "hash", "form_id", "version", "source", "seq", NULL } },
		{ "cases", "SELECT case_key, study, phone, name, tz, fields, interviewer, seq FROM cases c"
		           " WHERE seq > ?1 AND " SEES_CASE("c") " ORDER BY seq",
		  { "id", "study", "phone", "name", "tz", "fields", "interviewer", "seq", NULL } },
		/* cases taken from this interviewer and given to someone else */
		{ "withdrawn", "SELECT DISTINCT r.case_key, r.seq FROM reassignments r JOIN cases c USING (case_key)"
		               " WHERE ?4 AND r.from_interviewer = ?3 AND r.seq > ?1 AND c.interviewer IS DISTINCT FROM ?3 ORDER BY r.seq",
		  { "id", "seq", NULL } },
		/* cases a supervisor opened to be called again */
		{ "reopened", "SELECT r.case_key, r.seq FROM records r JOIN cases c USING (case_key)"
		              " WHERE r.kind = 'reopen' AND r.seq > ?1 AND " SEES_CASE("c") " ORDER BY r.seq",
		  { "id", "seq", NULL } },
		/* appointments others made on cases this user sees */
		{ "appointments", "SELECT r.data, r.seq FROM records r JOIN cases c USING (case_key)"
		                  " WHERE r.kind = 'appointment' AND r.seq > ?1 AND r.owner <> ?3 AND " SEES_CASE("c") " ORDER BY r.seq",
		  { "data", "seq", NULL } },
		/* finished interviews per study and outcome, kept as records arrive: the true counts
		   behind quotas (absolute numbers), those that changed, and all of a study whose first
		   case an interviewer is given */
		{ "counts", "SELECT study, status, NULLIF(outcome, ''), n FROM counts"
		            " WHERE (seq > ?1 OR (?4 AND study IN (SELECT study FROM cases WHERE interviewer = ?3 AND seq > ?1)))"
		            " AND " SEES_STUDY("study") " ORDER BY study, status, outcome",
		  { "study", "status", "outcome", "n", NULL } },
		/* erasures of personal data (erase.c): to every workstation of whoever had the case
		   (its interviewer, those it was taken from, those who sent records about it), which
		   erases the case too and confirms; only the case key and the erasure's id travel */
		{ "erasures", "SELECT x.case_key, x.id, x.seq FROM erasures x WHERE x.seq > ?1 AND CASE WHEN ?4 THEN"
		              " EXISTS (SELECT 1 FROM cases c WHERE c.case_key = x.case_key AND c.interviewer = ?3)"
		              " OR EXISTS (SELECT 1 FROM records r WHERE r.case_key = x.case_key AND r.owner = ?3)"
		              " OR EXISTS (SELECT 1 FROM reassignments g WHERE g.case_key = x.case_key AND g.from_interviewer = ?3)"
		              " ELSE ?2 = '*' OR instr(?2, ',' || x.study || ',') > 0 END ORDER BY x.seq",
		  { "case", "erasure", "seq", NULL } },
		/* how long workstations keep the personal data of closed cases, per study */
		{ "retention", "SELECT study, seconds, seq FROM retention WHERE seq > ?1 AND " SEES_STUDY("study") " ORDER BY study",
		  { "study", "seconds", "seq", NULL } },
		/* the do-not-call list's changes: numbers listed (1) or taken off (0) */
		{ "dnc", "SELECT phone, listed, seq FROM dnc WHERE seq > ?1 ORDER BY seq",
		  { "phone", "listed", "seq", NULL } },
	};
	json_t *o = json_object();
	char projects[4096], country[8];
	int64_t top = 0, ignored = 0;
	int interviewer = role == CENTRAL_INTERVIEWER, rc = -1;
	size_t i;

	if (!holder || !*holder)
		holder = user;
	*out = NULL;
	/* one read transaction: every change up to the counter's value is in its view */
	if (db_begin(c->db, 0) != DB_OK || counter_top(c, &top) < 0 || central_country(c, country) < 0)
		goto out;
	/* the default country, for the numbers the workstation checks against the list */
	json_object_set_new(o, "country", json_string(country));
	if (cursor > 0 && top <= cursor) {
		int expiring = interviewer ? grants_expiring(c, holder) : 0;
		if (expiring < 0)
			goto out;
		if (!expiring) {
			/* nothing new: one indexed row read, none of the queries below */
			for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
				json_object_set_new(o, parts[i].name, json_array());
			json_object_set_new(o, "quotas", json_array());
			rc = 0;
			goto out;
		}
	}
	central_projects_of(c, user, role, projects, sizeof projects);
	if (interviewer && renew) {
		int stale = central_quota_stale(c, user, holder, projects);
		if (stale < 0)
			goto out;
		if (stale) {
			rc = 1;
			goto out;
		}
	}
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		struct dbs *s;
		json_t *a = json_array();

		json_object_set_new(o, parts[i].name, a);
		if (db_prepare(c->db, parts[i].sql, &s) != DB_OK)
			goto out;
		db_bind_int64(s, 1, cursor);
		db_bind_text(s, 2, projects);
		db_bind_text(s, 3, user);
		db_bind_int(s, 4, interviewer);
		if (rows(s, parts[i].keys, a, &ignored) < 0)
			goto out;
	}
	if (central_quota_rows(c, user, role, holder, projects, cursor, o) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		central_fail(c, N_("read the changes"), e);
		db_rollback(c->db);
		json_decref(o);
		return -1;
	}
	db_commit(c->db);
	if (rc == 1) {
		json_decref(o);
		return 1;
	}
	/* a store set up again behind a workstation's back: its cursor stays */
	json_object_set_new(o, "cursor", json_integer(top > cursor ? top : cursor));
	*out = o;
	return 0;
}

/* Read what changed, working out the holder's quota grants first when they must be. */
int central_pull(struct central *c, const char *user, enum central_role role, const char *holder,
                 int64_t cursor, json_t **out, struct err *e)
{
	int rc = central_pull_read(c, user, role, holder, cursor, 1, out, e);

	if (rc != 1)
		return rc;
	if (central_quota_renew(c, user, holder && *holder ? holder : user, e) < 0)
		return -1;
	return central_pull_read(c, user, role, holder, cursor, 0, out, e);
}
