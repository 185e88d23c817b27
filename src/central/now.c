/* now.c: who is on a call now: the open interview (case key, question) each workstation's sync
   reports, kept per interviewer and workstation, for the report's "on_call" section. */
#include "cati/i18n.h"
#include "central-int.h"

#include "cati/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Must the store write what user's workstation ws says now (reading only)? */
int central_on_call_due(struct central *c, const char *user, const char *ws, const char *key,
                        const char *question, int64_t now, int gap_s)
{
	struct dbs *s;
	int due, rc;

	if (db_prepare(c->db, "SELECT case_key, question, at FROM on_call WHERE interviewer = ? AND workstation = ?", &s) != DB_OK)
		return 1;
	db_bind_text(s, 1, user);
	db_bind_text(s, 2, ws ? ws : "");
	rc = db_step(s);
	if (rc != DB_ROW)
		due = rc != DB_DONE || (key && *key);   /* nothing kept: only a call is news */
	else if (!key || !*key)
		due = 1;                                  /* the call ended */
	else
		due = strcmp(db_column_text(s, 0), key) || strcmp(db_column_text(s, 1), question ? question : "") ||
		      db_column_int64(s, 2) + gap_s <= now;
	db_finalize(s);
	return due;
}

/* May user (of role) say they are in an interview of case key: may they push records about it? */
static int may_call(struct central *c, const char *user, enum central_role role, const char *key)
{
	char projects[4096], *study = NULL;
	struct dbs *s;
	int ok;

	central_projects_of(c, user, role, projects, sizeof projects);
	if (db_prepare(c->db, "SELECT interviewer, study FROM cases WHERE case_key = ?", &s) != DB_OK)
		return 0;
	ok = central_owns_case(s, user, role, projects, key, &study);
	free(study);
	db_finalize(s);
	return ok;
}

/* Keep what user's workstation ws is doing at now: in the interview of key (question, started
   elapsed_s seconds ago), or, key NULL or "" or a case not the user's, on no call. */
int central_on_call(struct central *c, const char *user, enum central_role role, const char *ws, const char *key,
                    const char *question, int64_t elapsed_s, int64_t now, struct err *e)
{
	struct dbs *s;
	int rc;

	if (!key || !*key || !may_call(c, user, role, key)) {
		if (db_prepare(c->db, "DELETE FROM on_call WHERE interviewer = ? AND workstation = ?", &s) != DB_OK)
			return central_fail(c, N_("note that a call ended"), e);
		db_bind_text(s, 1, user);
		db_bind_text(s, 2, ws ? ws : "");
	} else {
		if (db_prepare(c->db, "INSERT INTO on_call(interviewer, workstation, case_key, question, started_at, at)"
		                      " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(interviewer, workstation) DO UPDATE SET"
		                      " case_key = excluded.case_key, question = excluded.question,"
		                      " started_at = excluded.started_at, at = excluded.at", &s) != DB_OK)
			return central_fail(c, N_("note who is on a call"), e);
		db_bind_text(s, 1, user);
		db_bind_text(s, 2, ws ? ws : "");
		db_bind_text(s, 3, key);
		db_bind_text(s, 4, question ? question : "");
		/* the workstation says how long ago, by its own clock: a clock set wrong does not matter */
		db_bind_int64(s, 5, now - (elapsed_s > 0 ? elapsed_s : 0));
		db_bind_int64(s, 6, now);
	}
	rc = db_step(s);
	db_finalize(s);
	if (rc != DB_DONE)
		return central_fail(c, N_("note who is on a call"), e);
	return 0;
}

/* t as "2026-11-23T10:02:03Z". */
static void iso(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The calls in cases of study whose workstation synced within seen_minutes of now, as
   [{user, case, question, started_at, minutes, last_seen}] by user (see report.h). */
int central_on_call_rows(struct central *c, const char *study, int64_t now, int seen_minutes, json_t **out)
{
	struct dbs *s;
	json_t *a;
	int rc;

	*out = NULL;
	if (db_prepare(c->db, "SELECT o.interviewer, o.case_key, o.question, o.started_at, o.at FROM on_call o"
	                      " JOIN cases c ON c.case_key = o.case_key WHERE c.study = ? AND o.at >= ?"
	                      " ORDER BY o.interviewer, o.case_key, o.workstation", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	db_bind_int64(s, 2, now - (int64_t)seen_minutes * 60);
	a = json_array();
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_object();
		int64_t started = db_column_int64(s, 3), at = db_column_int64(s, 4);
		char t[32];

		json_object_set_new(x, "user", json_string(db_column_text(s, 0)));
		json_object_set_new(x, "case", json_string(db_column_text(s, 1)));
		json_object_set_new(x, "question", json_string(db_column_text(s, 2)));
		iso(started, t);
		json_object_set_new(x, "started_at", json_string(t));
		json_object_set_new(x, "minutes", json_integer(now > started ? (now - started) / 60 : 0));
		iso(at, t);
		json_object_set_new(x, "last_seen", json_string(t));
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return -1;
	}
	*out = a;
	return 0;
}
