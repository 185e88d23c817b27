/* worktime.c: interviewers' working time as the workstations report it: each pull that says
   what its logged-in interviewer is doing (call=) extends that interviewer's span of work at
   that workstation, or starts a new one after a gap; each interviewer's sum per study is kept
   as the spans change, for the report. */
#include "cati/i18n.h"
#include "central-int.h"

#include "cati/report.h"

#include <stdlib.h>
#include <string.h>

/* The newest span of user at ws: 1 and its id, study (xstrdup'd), start and end; 0 none; -1. */
static int last_span(struct central *c, const char *user, const char *ws, int64_t *id, char **study,
                     int64_t *start, int64_t *end)
{
	struct dbs *s;
	int rc;

	*study = NULL;
	if (db_prepare(c->db, "SELECT id, study, start_at, end_at FROM work_spans WHERE interviewer = ? AND workstation = ?"
	                      " ORDER BY end_at DESC, id DESC LIMIT 1", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, user);
	db_bind_text(s, 2, ws ? ws : "");
	rc = db_step(s);
	if (rc == DB_ROW) {
		*id = db_column_int64(s, 0);
		*study = xstrdup(db_column_text(s, 1) ? db_column_text(s, 1) : "");
		*start = db_column_int64(s, 2);
		*end = db_column_int64(s, 3);
	}
	db_finalize(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Is the user's span at ws missing or written gap_s seconds ago or more (reading only)? */
int central_work_due(struct central *c, const char *user, const char *ws, int64_t now, int gap_s)
{
	struct dbs *s;
	int due = 1;

	if (db_prepare(c->db, "SELECT max(end_at) FROM work_spans WHERE interviewer = ? AND workstation = ?", &s) != DB_OK)
		return 1;
	db_bind_text(s, 1, user);
	db_bind_text(s, 2, ws ? ws : "");
	if (db_step(s) == DB_ROW && db_column_type(s, 0) != DB_NULL)
		due = db_column_int64(s, 0) + gap_s <= now;
	db_finalize(s);
	return due;
}

/* The study user works for at now: that of the call's case (when the user may push records about
   it), else the one study of all the user's cases, else "" (xstrdup'd; free() it). */
static char *study_of(struct central *c, const char *user, enum central_role role, const char *key)
{
	char projects[4096], *study = NULL;
	struct dbs *s;

	if (key && *key) {
		central_projects_of(c, user, role, projects, sizeof projects);
		if (db_prepare(c->db, "SELECT interviewer, study FROM cases WHERE case_key = ?", &s) == DB_OK) {
			if (!central_owns_case(s, user, role, projects, key, &study)) {
				free(study);
				study = NULL;
			}
			db_finalize(s);
		}
		if (study && *study)
			return study;
		free(study);
		study = NULL;
	}
	if (db_prepare(c->db, "SELECT DISTINCT study FROM cases WHERE interviewer = ? LIMIT 2", &s) == DB_OK) {
		db_bind_text(s, 1, user);
		if (db_step(s) == DB_ROW) {
			study = xstrdup(db_column_text(s, 0) ? db_column_text(s, 0) : "");
			if (db_step(s) == DB_ROW) {   /* cases in two studies: the pull does not say which */
				free(study);
				study = NULL;
			}
		}
		db_finalize(s);
	}
	return study ? study : xstrdup("");
}

/* Add a span of user at ws for study from start to end. */
static int span_add(struct central *c, const char *user, const char *ws, const char *study, int64_t start, int64_t end)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "INSERT INTO work_spans(interviewer, workstation, study, start_at, end_at) VALUES (?, ?, ?, ?, ?)",
	               &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, user);
	db_bind_text(s, 2, ws ? ws : "");
	db_bind_text(s, 3, study);
	db_bind_int64(s, 4, start);
	db_bind_int64(s, 5, end);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Set span id's study and end. */
static int span_set(struct central *c, int64_t id, const char *study, int64_t end)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "UPDATE work_spans SET study = ?, end_at = ? WHERE id = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	db_bind_int64(s, 2, end);
	db_bind_int64(s, 3, id);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Add delta seconds to user's working time on study (kept beside the spans, so that the report
   reads one row per interviewer, not a year of spans); nothing for the unknown study "". */
static int total_add(struct central *c, const char *user, const char *study, int64_t delta)
{
	struct dbs *s;
	int rc;

	if (!*study)
		return 0;
	if (db_prepare(c->db, "INSERT INTO work_totals(study, interviewer, seconds) VALUES (?, ?, ?) ON CONFLICT(study,"
	                      " interviewer) DO UPDATE SET seconds = work_totals.seconds + excluded.seconds", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, user);
	db_bind_int64(s, 3, delta);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Note that user (of role) was heard working at ws at now, in the interview of key or none. */
int central_work(struct central *c, const char *user, enum central_role role, const char *ws, const char *key,
                 int64_t now, struct err *e)
{
	char *had = NULL, *study = NULL;
	int64_t id = 0, start = 0, end = 0, cut, midnight = now - now % 86400;
	int rc = -1, found;

	if (db_begin(c->db, 1) != DB_OK)
		return central_fail(c, N_("note working time"), e);
	if ((found = last_span(c, user, ws, &id, &had, &start, &end)) < 0)
		goto out;
	if (found && now < end) {   /* heard of out of order: what is kept is newer */
		rc = 0;
		goto out;
	}
	study = study_of(c, user, role, key);
	if (!found || now - end > REPORT_WORK_GAP) {
		rc = span_add(c, user, ws, study, now, now) < 0 || total_add(c, user, study, 0) < 0 ? -1 : 0;
		goto out;
	}
	/* spans are split at UTC midnight: each within one day */
	if (!(key && *key) || !*study || !*had || !strcmp(study, had)) {
		/* not in an interview, or one of the span's study: the span goes on; time spent before the
		   first interview of a span whose study was unknown counts for that interview's study */
		const char *s = *had ? had : study;
		cut = end < midnight ? midnight : now;
		rc = span_set(c, id, s, cut) < 0 || (cut < now && span_add(c, user, ws, s, cut, now) < 0) ? -1 : 0;
		if (rc == 0 && strcmp(had, s))
			rc = total_add(c, user, s, now - start);   /* had is "": nothing kept to take back */
		else if (rc == 0)
			rc = total_add(c, user, s, now - end);
		goto out;
	}
	/* an interview of another study: the span so far was the old one's, the rest the new one's */
	cut = end < midnight ? midnight : end;
	rc = (cut > end && span_set(c, id, had, cut) < 0) || span_add(c, user, ws, study, cut, now) < 0 ||
	     total_add(c, user, had, cut - end) < 0 || total_add(c, user, study, now - cut) < 0 ? -1 : 0;
out:
	free(had);
	free(study);
	if (rc < 0) {
		central_fail(c, N_("note working time"), e);
		db_rollback(c->db);
		return -1;
	}
	if (db_commit(c->db) != DB_OK) {
		central_fail(c, N_("note working time"), e);
		db_rollback(c->db);
		return -1;
	}
	return 0;
}

/* The study's working time per interviewer, {name: seconds}, as kept beside the spans. */
int central_work_seconds(struct central *c, const char *study, json_t **out)
{
	struct dbs *s;
	json_t *o;
	int rc;

	*out = NULL;
	if (db_prepare(c->db, "SELECT interviewer, seconds FROM work_totals WHERE study = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	o = json_object();
	while ((rc = db_step(s)) == DB_ROW)
		json_object_set_new(o, db_column_text(s, 0), json_integer(db_column_int64(s, 1)));
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}
