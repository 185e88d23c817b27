/* push.c: a batch of records pushed by a workstation: each kept once by its UUID, claimed by
   its interview's first case, interviewer and workstation, and tallied into counts and quotas. */
#include "cati/i18n.h"
#include "central-int.h"

#include "figures.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kinds[] = { "event", "interview", "attempt", "appointment", "note" };

/*
 * May user push records about the case that stmt (SELECT interviewer, study ... WHERE case_key = ?)
 * finds for key? projects is the user's (see projects_of). *study is set to the case's study
 * (to be freed), or NULL when there is no such case.
 */
int central_owns_case(struct dbs *stmt, const char *user, enum central_role role, const char *projects,
                     const char *key, char **study)
{
	int ok = role == CENTRAL_ADMIN;

	*study = NULL;
	db_bind_text(stmt, 1, key);
	if (db_step(stmt) == DB_ROW) {
		const char *who = db_column_text(stmt, 0);
		char needle[300];

		*study = xstrdup(db_column_text(stmt, 1) ? db_column_text(stmt, 1) : "");
		if (role == CENTRAL_INTERVIEWER) {
			ok = who && !strcmp(who, user);
		} else if (role != CENTRAL_ADMIN) {
			snprintf(needle, sizeof needle, ",%s,", *study);
			ok = !strcmp(projects, "*") || strstr(projects, needle) != NULL;
		}
	}
	db_reset(stmt);
	return ok;
}

/* Add a record's outcome (and why, when refused) to the push's result. */
static void status(json_t *result, const char *uuid, int code, const char *why)
{
	json_t *r = json_object();

	json_object_set_new(r, "uuid", json_string(uuid ? uuid : ""));
	json_object_set_new(r, "status", json_integer(code));
	if (why)
		json_object_set_new(r, "error", json_string(why));
	json_array_append_new(result, r);
}

/* A complete's quota cell, counted at the end of its batch. */
struct tally {
	const char *iv, *key, *quota, *cell;   /* in the pushed JSON */
	char *study;
	size_t n;                              /* its place in the batch */
};

/* A finished interview newly counted under (study, status, outcome) in this push. */
struct counted {
	char *study, *status, *outcome;
};

/* Statements that keep the report tables as records arrive (one push's transaction). */
struct keep {
	struct dbs *iv, *clear, *ans, *att, *cell, *count, *over, *spend, *unlock, *counted, *counts, *appt;
	struct figures *fig;
	char **appts;                          /* the batch's new appointments, numbered at its end */
	size_t nappt, aappt;
	struct tally *tally;
	size_t ntally, atally;
	struct counted *counted_keys;
	size_t ncounted, acounted;
};

/* Prepare the statements that keep the report tables, in the push's transaction: 0, or -1. */
static int keep_prepare(struct central *c, struct keep *k)
{
	memset(k, 0, sizeof *k);
	k->fig = fig_begin(c, 0);
	return db_prepare(c->db, "INSERT INTO interviews(uuid, study, case_key, form, version, interviewer, lang, status, outcome,"
		" started_at, ended_at, updated_at, duplicate, received_at)"
		" SELECT ?1, c.study, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CAST(?12 AS INTEGER), CAST(?13 AS BIGINT)"
		" FROM cases c WHERE c.case_key = ?2"
		" ON CONFLICT(uuid) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,"
		" lang = excluded.lang, ended_at = excluded.ended_at, updated_at = excluded.updated_at,"
		" duplicate = max(interviews.duplicate, excluded.duplicate)"
		" WHERE excluded.updated_at >= interviews.updated_at", &k->iv) != DB_OK ||
	    db_prepare(c->db, "DELETE FROM answers WHERE interview = ?", &k->clear) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO answers(interview, qid, iter, state, value) VALUES (?, ?, ?, ?, ?)"
	                              " ON CONFLICT(interview, qid, iter) DO UPDATE SET state = excluded.state, value = excluded.value", &k->ans) != DB_OK ||
	    /* an attempt sent again under its uuid is the call that ended an interview, its outcome
	       changed (the interviewer went back from the ending): the latest one counts */
	    db_prepare(c->db, "INSERT INTO attempts(uuid, study, case_key, interviewer, at, outcome, disposition)"
	                              " SELECT ?1, c.study, ?2, ?3, ?4, ?5, ?6 FROM cases c WHERE c.case_key = ?2"
	                              " ON CONFLICT(uuid) DO UPDATE SET interviewer = excluded.interviewer, at = excluded.at,"
	                              " outcome = excluded.outcome, disposition = excluded.disposition"
	                              " WHERE excluded.at >= attempts.at", &k->att) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO interview_cells(interview, study, quota, cell, holder)"
	                              " SELECT ?1, c.study, ?3, ?4, ?5 FROM cases c WHERE c.case_key = ?2 ON CONFLICT DO NOTHING", &k->cell) != DB_OK ||
	    /* a cell the form did not list (a newer form version) is counted against no target */
	    db_prepare(c->db, "INSERT INTO quota_cells(study, quota, cell, target, achieved, seq)"
	                              " SELECT c.study, ?2, ?3, 0, 1, CAST(?4 AS BIGINT) FROM cases c WHERE c.case_key = ?1"
	                              " ON CONFLICT(study, quota, cell) DO UPDATE SET achieved = quota_cells.achieved + 1, seq = excluded.seq"
	                              " RETURNING achieved > target OR closed <> 0", &k->count) != DB_OK ||
	    db_prepare(c->db, "UPDATE interview_cells SET over = 1 WHERE interview = ? AND quota = ?", &k->over) != DB_OK ||
	    /* a complete made on an allowance uses it up until the workstation's next pull */
	    db_prepare(c->db, "UPDATE grants SET n = max(n - 1, 0) WHERE holder = ?1 AND quota = ?3 AND cell = ?4"
	                              " AND study = (SELECT study FROM cases WHERE case_key = ?2)", &k->spend) != DB_OK ||
	    /* a recorded call ends the workstation's lock on its case */
	    db_prepare(c->db, "DELETE FROM locks WHERE case_key = ? AND holder = ?", &k->unlock) != DB_OK ||
	    /* the finished interviews behind the pull's counts: each once per study, status, outcome */
	    db_prepare(c->db, "INSERT INTO counted(interview, study, status, outcome) VALUES (?, ?, ?, ?)"
	                              " ON CONFLICT DO NOTHING", &k->counted) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO counts(study, status, outcome, n, seq) VALUES (?1, ?2, ?3, 1, CAST(?4 AS BIGINT))"
	                              " ON CONFLICT(study, status, outcome) DO UPDATE SET n = counts.n + 1, seq = excluded.seq", &k->counts) != DB_OK ||
	    db_prepare(c->db, "UPDATE records SET seq = ? WHERE uuid = ?", &k->appt) != DB_OK
	    ? -1 : 0;
}

/* Free the keep's statements and what it gathered. */
static void keep_finalize(struct keep *k)
{
	db_finalize(k->iv);
	db_finalize(k->clear);
	db_finalize(k->ans);
	db_finalize(k->att);
	db_finalize(k->cell);
	db_finalize(k->count);
	db_finalize(k->over);
	db_finalize(k->spend);
	db_finalize(k->unlock);
	db_finalize(k->counted);
	db_finalize(k->counts);
	db_finalize(k->appt);
	fig_free(k->fig);
	for (size_t i = 0; i < k->nappt; i++)
		free(k->appts[i]);
	free(k->appts);
	for (size_t i = 0; i < k->ntally; i++)
		free(k->tally[i].study);
	free(k->tally);
	for (size_t i = 0; i < k->ncounted; i++) {
		free(k->counted_keys[i].study);
		free(k->counted_keys[i].status);
		free(k->counted_keys[i].outcome);
	}
	free(k->counted_keys);
}

/* Step a statement to its end and reset it: 0, or -1. */
static int step_done(struct dbs *s)
{
	int rc = db_step(s);

	db_reset(s);
	db_clear_bindings(s);
	return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

/* Bind o[k] as text (NULL when it is no string). */
static void bind_jstr(struct dbs *s, int i, json_t *o, const char *k)
{
	const char *v = central_jstr(o, k);

	if (v)
		db_bind_text(s, i, v);
	else
		db_bind_null(s, i);
}

/*
 * Count a newly stored finished interview record (complete or screenout, not a duplicate, of a
 * known case's study) under its status and outcome, once per interview; the counts themselves
 * change at the end of the push (keep_tally).
 */
static int keep_counted(struct keep *k, json_t *d, const char *iv, const char *study, const char *st,
                        int duplicate)
{
	json_t *out = json_object_get(d, "outcome");
	char outcome[64];
	struct counted *n;

	if (!st || (strcmp(st, "complete") && strcmp(st, "screenout")) || duplicate || !study)
		return 0;
	/* as the full count reads it: a number as its digits, none as '' */
	if (json_is_integer(out))
		snprintf(outcome, sizeof outcome, "%" JSON_INTEGER_FORMAT, json_integer_value(out));
	else
		snprintf(outcome, sizeof outcome, "%s", json_is_string(out) ? json_string_value(out) : "");
	db_bind_text(k->counted, 1, iv);
	db_bind_text(k->counted, 2, study);
	db_bind_text(k->counted, 3, st);
	db_bind_text(k->counted, 4, json_is_string(out) ? json_string_value(out) : outcome);
	if (step_done(k->counted) < 0)
		return -1;
	if (!db_changes(db_handle(k->counted)))
		return 0;
	if (k->ncounted == k->acounted) {
		k->acounted = k->acounted ? 2 * k->acounted : 8;
		k->counted_keys = xrealloc(k->counted_keys, k->acounted * sizeof *k->counted_keys);
	}
	n = &k->counted_keys[k->ncounted++];
	n->study = xstrdup(study);
	n->status = xstrdup(st);
	n->outcome = xstrdup(json_is_string(out) ? json_string_value(out) : outcome);
	return 0;
}

/*
 * Keep the report tables for a newly stored record: the interview's latest state, its on-route
 * answers and quota cells once it is finished (a complete that is not a duplicate counts in
 * each cell once; beyond the target or in a closed cell it is flagged over quota), attempts.
 */
static int keep_record(struct keep *k, const char *kind, json_t *d, const char *key, const char *study,
                       const char *holder, int duplicate)
{
	const char *iv = central_jstr(d, "interview"), *st = central_jstr(d, "status");
	int finished = st && (!strcmp(st, "complete") || !strcmp(st, "screenout"));
	json_t *x;
	size_t i;

	if (!strcmp(kind, "attempt")) {
		db_bind_text(k->unlock, 1, key);
		db_bind_text(k->unlock, 2, holder);
		if (step_done(k->unlock) < 0)
			return -1;
		bind_jstr(k->att, 1, d, "uuid");
		db_bind_text(k->att, 2, key);
		bind_jstr(k->att, 3, d, "interviewer");
		bind_jstr(k->att, 4, d, "at");
		bind_jstr(k->att, 5, d, "outcome");
		bind_jstr(k->att, 6, d, "disposition");
		return central_jstr(d, "uuid") && central_jstr(d, "interviewer") && central_jstr(d, "at") && central_jstr(d, "outcome") ? step_done(k->att) : 0;
	}
	if (strcmp(kind, "interview") || !iv)
		return 0;
	if (keep_counted(k, d, iv, study, st, duplicate) < 0)
		return -1;
	if (!central_jstr(d, "interviewer"))
		return 0;
	db_bind_text(k->iv, 1, iv);
	db_bind_text(k->iv, 2, key);
	bind_jstr(k->iv, 3, d, "form");
	bind_jstr(k->iv, 4, d, "version");
	bind_jstr(k->iv, 5, d, "interviewer");
	bind_jstr(k->iv, 6, d, "lang");
	db_bind_text(k->iv, 7, st ? st : "active");
	bind_jstr(k->iv, 8, d, "outcome");
	bind_jstr(k->iv, 9, d, "started_at");
	bind_jstr(k->iv, 10, d, "ended_at");
	db_bind_text(k->iv, 11, central_jstr(d, "updated_at") ? central_jstr(d, "updated_at") : "");
	db_bind_int(k->iv, 12, duplicate);
	db_bind_int64(k->iv, 13, (int64_t)time(NULL));
	if (step_done(k->iv) < 0)
		return -1;
	if (!finished)
		return 0;
	if (json_is_array(json_object_get(d, "answers"))) {
		db_bind_text(k->clear, 1, iv);
		if (step_done(k->clear) < 0)
			return -1;
		json_array_foreach(json_object_get(d, "answers"), i, x) {
			/* [qid, iter, state, value] */
			json_t *q = json_array_get(x, 0), *it = json_array_get(x, 1), *sv = json_array_get(x, 2),
			       *v = json_array_get(x, 3);
			if (!json_is_string(q) || !json_is_integer(it) || !json_is_integer(sv) || !json_is_string(v))
				continue;
			db_bind_text(k->ans, 1, iv);
			db_bind_text(k->ans, 2, json_string_value(q));
			db_bind_int64(k->ans, 3, json_integer_value(it));
			db_bind_int64(k->ans, 4, json_integer_value(sv));
			db_bind_text(k->ans, 5, json_string_value(v));
			if (step_done(k->ans) < 0)
				return -1;
		}
	}
	if (strcmp(st, "complete") || duplicate || !study || !json_is_object(json_object_get(d, "cells")))
		return 0;
	{
		const char *quota;
		json_object_foreach(json_object_get(d, "cells"), quota, x) {
			struct tally *t;

			if (!json_string_value(x))
				continue;
			if (k->ntally == k->atally) {
				k->atally = k->atally ? 2 * k->atally : 16;
				k->tally = xrealloc(k->tally, k->atally * sizeof *k->tally);
			}
			t = &k->tally[k->ntally];
			t->iv = iv;
			t->key = key;
			t->quota = quota;
			t->cell = json_string_value(x);
			t->study = xstrdup(study);
			t->n = k->ntally++;
		}
	}
	return 0;
}

/* Quota cells in one order for every store instance; a batch's completes in their order. */
static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	int d = strcmp(x->study, y->study);

	if (!d)
		d = strcmp(x->quota, y->quota);
	if (!d)
		d = strcmp(x->cell, y->cell);
	return d ? d : (x->n > y->n) - (x->n < y->n);
}

/* Counts in one order for every store instance. */
static int counted_cmp(const void *a, const void *b)
{
	const struct counted *x = a, *y = b;
	int d = strcmp(x->study, y->study);

	if (!d)
		d = strcmp(x->status, y->status);
	return d ? d : strcmp(x->outcome, y->outcome);
}

/*
 * Count the batch's finished interviews, and its completes in their quota cells (each interview
 * in each quota once; beyond the target or in a closed cell flagged over quota), spend the
 * workstation's allowances, and number its appointments. What changed takes one change number,
 * at the end of the push so that the counter (a row every writer updates) is held only until the
 * commit; the batch's own interviewer-days and cases are counted again before, so that nothing
 * heavy runs while it is held. Rows every writer updates are taken in one order (counter,
 * counts, cells, then the report's figures), each kind sorted, so two batches stored at once on
 * PostgreSQL wait for each other's rows without ever waiting in a circle.
 */
static int keep_tally(struct central *c, struct keep *k, const char *holder)
{
	int64_t seq = 0;
	size_t i;

	if (fig_settle(k->fig) < 0)
		return -1;
	if (!k->ntally && !k->ncounted && !k->nappt)
		return fig_finish(k->fig);   /* a batch without completes still changes the report's figures */
	if ((seq = central_next_seq(c)) < 0)
		return -1;
	for (i = 0; i < k->nappt; i++) {
		db_bind_int64(k->appt, 1, seq);
		db_bind_text(k->appt, 2, k->appts[i]);
		if (step_done(k->appt) < 0)
			return -1;
	}
	if (k->ncounted)
		qsort(k->counted_keys, k->ncounted, sizeof *k->counted_keys, counted_cmp);
	for (i = 0; i < k->ncounted; i++) {
		db_bind_text(k->counts, 1, k->counted_keys[i].study);
		db_bind_text(k->counts, 2, k->counted_keys[i].status);
		db_bind_text(k->counts, 3, k->counted_keys[i].outcome);
		db_bind_int64(k->counts, 4, seq);
		if (step_done(k->counts) < 0)
			return -1;
	}
	if (k->ntally)
		qsort(k->tally, k->ntally, sizeof *k->tally, tally_cmp);
	for (i = 0; i < k->ntally; i++) {
		const struct tally *t = &k->tally[i];
		int over = 0, rc;

		db_bind_text(k->cell, 1, t->iv);
		db_bind_text(k->cell, 2, t->key);
		db_bind_text(k->cell, 3, t->quota);
		db_bind_text(k->cell, 4, t->cell);
		db_bind_text(k->cell, 5, holder);
		if (step_done(k->cell) < 0)
			return -1;
		if (!db_changes(db_handle(k->cell)))
			continue;   /* this interview was counted in this quota already */
		db_bind_text(k->count, 1, t->key);
		db_bind_text(k->count, 2, t->quota);
		db_bind_text(k->count, 3, t->cell);
		db_bind_int64(k->count, 4, seq);
		rc = db_step(k->count);
		if (rc == DB_ROW)
			over = db_column_int(k->count, 0);
		while (rc == DB_ROW)
			rc = db_step(k->count);
		db_reset(k->count);
		db_clear_bindings(k->count);
		if (rc != DB_DONE)
			return -1;
		if (over) {
			db_bind_text(k->over, 1, t->iv);
			db_bind_text(k->over, 2, t->quota);
			if (step_done(k->over) < 0)
				return -1;
		}
		db_bind_text(k->spend, 1, holder);
		db_bind_text(k->spend, 2, t->key);
		db_bind_text(k->spend, 3, t->quota);
		db_bind_text(k->spend, 4, t->cell);
		if (step_done(k->spend) < 0)
			return -1;
	}
	return fig_finish(k->fig);
}

/* Compare two strings through their pointers, for qsort. */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether a complete is a duplicate reads the case's other completes: a batch takes the lock of
 * each case it completes, in sorted order, before it stores anything.
 */
static int lock_completed_cases(struct central *c, json_t *records)
{
	const char **keys = xmalloc((json_array_size(records) + 1) * sizeof *keys);
	size_t i, n = 0;
	json_t *r;
	int rc = 0;

	json_array_foreach(records, i, r) {
		json_t *d = json_object_get(r, "data");
		const char *kind = central_jstr(r, "kind"), *st = central_jstr(d, "status"), *key = central_jstr(d, "case");

		if (kind && !strcmp(kind, "interview") && st && !strcmp(st, "complete") && key)
			keys[n++] = key;
	}
	qsort(keys, n, sizeof *keys, str_cmp);
	for (i = 0; i < n && rc == 0; i++)
		if (i == 0 || strcmp(keys[i], keys[i - 1]))
			rc = db_lock(c->db, keys[i]) == DB_OK ? 0 : -1;
	free(keys);
	return rc;
}

/* The key of a record's data that names who made it: the token's user is written there. */
static const char *who_key(const char *kind)
{
	return !strcmp(kind, "event") ? "who" : !strcmp(kind, "appointment") ? "created_by" : "interviewer";
}

/*
 * Stamp who made the record into its data, whatever the body said: an interviewer is the
 * token's user. Supervisors and admins may bring in records made by interviewers (an import),
 * so theirs keep the interviewer the body names. Returns the record's interviewer (owned by
 * data), or NULL when it names none.
 */
static const char *stamp_who(json_t *data, const char *kind, const char *user, enum central_role role)
{
	const char *k = who_key(kind), *v = central_jstr(data, k);
	int needed = !strcmp(kind, "interview") || !strcmp(kind, "event") || !strcmp(kind, "attempt");

	if (role != CENTRAL_INTERVIEWER && v)
		return v;
	if (v ? strcmp(v, user) != 0 : needed)
		json_object_set_new(data, k, json_string(user));
	return central_jstr(data, k);
}

/* Statements that keep an interview (or call) with the case, interviewer and workstation it
   first came with. */
struct claim {
	struct dbs *take, *read, *fill, *attempt;
	char *iv, *key, *who;   /* the last interview found to be this batch's (its events come in a row) */
};

/* Prepare the claim's statements in the push's transaction: 0, or -1. */
static int claim_prepare(struct central *c, struct claim *cl)
{
	memset(cl, 0, sizeof *cl);
	return db_prepare(c->db, "INSERT INTO interview_owners(interview, case_key, interviewer, holder) VALUES (?, ?, ?, ?)"
	                         " ON CONFLICT(interview) DO NOTHING", &cl->take) != DB_OK ||
	       db_prepare(c->db, "SELECT case_key, interviewer, holder FROM interview_owners WHERE interview = ?", &cl->read) != DB_OK ||
	       db_prepare(c->db, "UPDATE interview_owners SET holder = ? WHERE interview = ? AND holder IS NULL", &cl->fill) != DB_OK ||
	       db_prepare(c->db, "SELECT case_key, interviewer FROM attempts WHERE uuid = ?", &cl->attempt) != DB_OK
	       ? -1 : 0;
}

/* Free the claim's statements and what it remembers. */
static void claim_finalize(struct claim *cl)
{
	db_finalize(cl->take);
	db_finalize(cl->read);
	db_finalize(cl->fill);
	db_finalize(cl->attempt);
	free(cl->iv);
	free(cl->key);
	free(cl->who);
}

/*
 * May this record touch the interview or call it names? An interview id is taken for good by
 * the case, interviewer and workstation (holder) of the first record naming it; a call's uuid
 * by the case and interviewer it was stored with. 1 yes, 0 no, -1 on error.
 */
static int claim(struct claim *cl, const char *kind, json_t *data, const char *key, const char *who,
                 const char *holder)
{
	const char *iv = central_jstr(data, "interview");
	int rc, ok, unheld;

	if (!strcmp(kind, "attempt")) {
		if (!central_jstr(data, "uuid"))
			return 1;
		db_bind_text(cl->attempt, 1, central_jstr(data, "uuid"));
		rc = db_step(cl->attempt);
		ok = rc == DB_DONE || (rc == DB_ROW && !strcmp(db_column_text(cl->attempt, 0), key) &&
		                       who && !strcmp(db_column_text(cl->attempt, 1), who));
		db_reset(cl->attempt);
		return rc == DB_ROW || rc == DB_DONE ? ok : -1;
	}
	if (strcmp(kind, "interview") && strcmp(kind, "event"))
		return 1;
	if (!iv)
		return 1;
	if (!who)
		return 0;
	if (cl->iv && !strcmp(cl->iv, iv) && !strcmp(cl->key, key) && !strcmp(cl->who, who))
		return 1;
	db_bind_text(cl->take, 1, iv);
	db_bind_text(cl->take, 2, key);
	db_bind_text(cl->take, 3, who);
	db_bind_text(cl->take, 4, holder);
	if (step_done(cl->take) < 0)
		return -1;
	if (db_changes(db_handle(cl->take)))
		goto mine;
	db_bind_text(cl->read, 1, iv);
	rc = db_step(cl->read);
	if (rc != DB_ROW) {
		db_reset(cl->read);
		return -1;
	}
	/* holder NULL: an interview the store knew before it kept workstations; this one takes it */
	unheld = db_column_text(cl->read, 2) == NULL;
	ok = !strcmp(db_column_text(cl->read, 0), key) && !strcmp(db_column_text(cl->read, 1), who) &&
	     (unheld || !strcmp(db_column_text(cl->read, 2), holder));
	db_reset(cl->read);
	if (!ok)
		return 0;
	if (unheld) {
		db_bind_text(cl->fill, 1, holder);
		db_bind_text(cl->fill, 2, iv);
		if (step_done(cl->fill) < 0)
			return -1;
	}
mine:
	free(cl->iv);
	free(cl->key);
	free(cl->who);
	cl->iv = xstrdup(iv);
	cl->key = xstrdup(key);
	cl->who = xstrdup(who);
	return 1;
}

/* Why a pushed record cannot be stored as it is (its answer 422), or NULL when it can. */
static const char *malformed(json_t *r)
{
	const char *uuid = central_jstr(r, "uuid"), *kind = central_jstr(r, "kind");
	json_t *data = json_object_get(r, "data");
	size_t k;

	if (!json_is_object(r) || !uuid || strlen(uuid) != 36 || !kind || !json_is_object(data))
		return N_("a record needs a 36-character 'uuid', a 'kind' and a 'data' object");
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (!strcmp(kind, kinds[k]))
			break;
	if (k == sizeof kinds / sizeof kinds[0])
		return N_("unknown kind of record");
	if (!central_jstr(data, "case"))
		return N_("the record's data has no 'case'");
	return NULL;
}

/* A record's content hash, of its kind and its data's compact JSON (dump), as 64 hex digits. */
void central_content_hash(const char *kind, const char *dump, char hex[65])
{
	size_t n = strlen(dump) + strlen(kind) + 2;
	char *hashed = xmalloc(n);
	unsigned char h[32];

	snprintf(hashed, n, "%s\n%s", kind, dump);
	crypto_generichash(h, sizeof h, (const unsigned char *)hashed, strlen(hashed), NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof h);
	free(hashed);
}

/* Remember a new appointment of the batch: it is numbered at the batch's end (keep_tally). */
static void keep_appointment(struct keep *k, const char *uuid)
{
	if (k->nappt == k->aappt) {
		k->aappt = k->aappt ? 2 * k->aappt : 8;
		k->appts = xrealloc(k->appts, k->aappt * sizeof *k->appts);
	}
	k->appts[k->nappt++] = xstrdup(uuid);
}

/*
 * Answer for a record that did not go in (claimed 0: its interview or call is another's): 200
 * when its uuid holds the same content, 409 when other content (this one kept aside for the
 * supervisor), 403 when nothing is stored under it and it was not claimed. 0, or -1 when the
 * database failed.
 */
static int answer_stored(struct dbs *find, struct dbs *conflict, const char *user, const char *uuid,
                         const char *hex, const char *dump, int claimed, json_t *result)
{
	int same, found;

	db_bind_text(find, 1, uuid);
	found = db_step(find);
	if (found != DB_ROW) {
		db_reset(find);
		if (claimed || found != DB_DONE)
			return -1;
		status(result, uuid, 403, N_("this interview or call belongs to another case, interviewer or"
		                             " workstation: nothing was changed"));
		return 0;
	}
	same = !strcmp(db_column_text(find, 0), hex);
	db_reset(find);
	if (same) {
		status(result, uuid, 200, NULL);
		return 0;
	}
	db_bind_text(conflict, 1, uuid);
	db_bind_text(conflict, 2, user);
	db_bind_text(conflict, 3, dump);
	db_bind_int64(conflict, 4, (int64_t)time(NULL));
	if (db_step(conflict) != DB_DONE)
		return -1;
	db_reset(conflict);
	status(result, uuid, 409, N_("a record with this uuid and other content is stored; kept aside for the supervisor"));
	return 0;
}

/* Pushes share the database only where it orders them itself (PostgreSQL). */
int central_pushes_share(struct central *c)
{
	return db_is_pg(c->db);
}

/* Store a pushed batch in one transaction, each record's outcome into result. */
int central_push(struct central *c, const char *user, enum central_role role, const char *holder,
                 json_t *records, json_t *result, struct err *e)
{
	struct dbs *find = NULL, *ins = NULL, *conflict = NULL, *dup = NULL, *owner = NULL, *gone = NULL;
	struct keep keep;
	struct claim cl;
	char projects[4096], *owned_key = NULL, *study = NULL;
	size_t i;
	json_t *r, *qids = NULL;
	int rc = -1, owned = 0, erased = 0;

	central_projects_of(c, user, role, projects, sizeof projects);

	if (!holder || !*holder)
		holder = user;
	memset(&keep, 0, sizeof keep);
	memset(&cl, 0, sizeof cl);
	if (db_begin(c->db, DB_WRITE_SHARED) != DB_OK)
		return central_fail(c, N_("store the records"), e);
	if (lock_completed_cases(c, records) < 0 || keep_prepare(c, &keep) < 0 || claim_prepare(c, &cl) < 0 ||
	    db_prepare(c->db, "SELECT content_hash FROM records WHERE uuid = ?", &find) != DB_OK ||
	    db_prepare(c->db, "SELECT interviewer, study FROM cases WHERE case_key = ?", &owner) != DB_OK ||
	    db_prepare(c->db, "SELECT 1 FROM erasures WHERE case_key = ? LIMIT 1", &gone) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO records(uuid, kind, owner, case_key, content_hash, data, received_at, duplicate, seq)"
	                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uuid) DO NOTHING", &ins) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO conflicts(uuid, owner, data, received_at) VALUES (?, ?, ?, ?)", &conflict) != DB_OK ||
	    db_prepare(c->db, "SELECT 1 FROM records WHERE kind = 'interview' AND case_key = ?"
	                              " AND json_extract(data, '$.status') = 'complete'"
	                              " AND json_extract(data, '$.interview') <> ? LIMIT 1", &dup) != DB_OK)
		goto out;
	json_array_foreach(records, i, r) {
		const char *uuid = central_jstr(r, "uuid"), *kind = central_jstr(r, "kind"), *key, *who, *why;
		json_t *data = json_object_get(r, "data");
		char hex[65], *dump;
		int duplicate = 0, stored, claimed;

		if (kind && !strcmp(kind, "erasure_confirm") && uuid && central_jstr(data, "erasure")) {
			/* a workstation erased a case as the store asked: noted, not kept as a record */
			char *rm = json_dumps(json_object_get(data, "removed") ? json_object_get(data, "removed") : json_object(),
			                      JSON_COMPACT | JSON_SORT_KEYS);
			int crc = central_erase_confirm(c, central_jstr(data, "erasure"), holder, user, rm);
			free(rm);
			if (crc < 0)
				goto out;
			status(result, uuid, 200, NULL);
			continue;
		}
		why = malformed(r);
		if (why) {
			status(result, uuid, 422, why);
			continue;
		}
		key = central_jstr(data, "case");
		/* a batch holds a case's records one after another: its owner is looked up once */
		if (!owned_key || strcmp(owned_key, key)) {
			free(owned_key);
			free(study);
			owned_key = xstrdup(key);
			owned = central_owns_case(owner, user, role, projects, key, &study);
			json_decref(qids);
			qids = NULL;
			if (owned) {
				/* (one indexed row read per case of the batch) */
				db_bind_text(gone, 1, key);
				erased = db_step(gone);
				db_reset(gone);
				if (erased != DB_ROW && erased != DB_DONE)
					goto out;
				erased = erased == DB_ROW;
			}
			if (owned && erased && !(qids = central_personal_qids(c, study)))
				goto out;
		}
		if (!owned) {
			status(result, uuid, 403, N_("this case is not assigned to you"));
			continue;
		}
		who = stamp_who(data, kind, user, role);
		/* an erased case's personal data never comes back with a record sent again (or late):
		   it is taken out before the record is compared, stored or kept aside */
		if (erased)
			central_redact(kind, data, qids);
		dump = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
		if (strlen(dump) > CENTRAL_MAX_RECORD) {
			free(dump);
			status(result, uuid, 413, N_("the record's data is too large (at most 1 MiB)"));
			continue;
		}
		central_content_hash(kind, dump, hex);
		claimed = claim(&cl, kind, data, key, who, holder);
		if (claimed < 0) {
			free(dump);
			goto out;
		}
		if (!strcmp(kind, "interview") && central_jstr(data, "status") && !strcmp(central_jstr(data, "status"), "complete")) {
			db_bind_text(dup, 1, key);
			db_bind_text(dup, 2, central_jstr(data, "interview") ? central_jstr(data, "interview") : "");
			duplicate = db_step(dup) == DB_ROW;
			db_reset(dup);
		}
		/* a new record is the common case: it goes in at once, and what is stored under its
		   uuid is read only when it was there already; a record whose interview or call is
		   someone else's does not go in */
		stored = 0;
		if (claimed) {
			db_bind_text(ins, 1, uuid);
			db_bind_text(ins, 2, kind);
			db_bind_text(ins, 3, user);
			db_bind_text(ins, 4, key);
			db_bind_text(ins, 5, hex);
			db_bind_text(ins, 6, dump);
			db_bind_int64(ins, 7, (int64_t)time(NULL));
			db_bind_int(ins, 8, duplicate);
			/* appointments travel to the case's other workstations: they get a change number
			   at the end of the batch (keep_tally) */
			db_bind_null(ins, 9);
			if (db_step(ins) != DB_DONE) {
				free(dump);
				goto out;
			}
			stored = db_changes(c->db) > 0;
			db_reset(ins);
			if (stored && !strcmp(kind, "appointment"))
				keep_appointment(&keep, uuid);
		}
		if (!stored) {
			int answered = answer_stored(find, conflict, user, uuid, hex, dump, claimed, result);

			free(dump);
			if (answered < 0)
				goto out;
			continue;
		}
		free(dump);
		if (fig_record(keep.fig, kind, data, key, study, 0) < 0 ||
		    keep_record(&keep, kind, data, key, study, holder, duplicate) < 0 ||
		    (!strcmp(kind, "attempt") && central_dnc_from_call(c, data, key, user) < 0) ||
		    fig_record(keep.fig, kind, data, key, study, 1) < 0)
			goto out;
		status(result, uuid, 200, duplicate ? N_("stored; another workstation also completed this case: flagged as a duplicate") : NULL);
	}
	if (keep_tally(c, &keep, holder) < 0)
		goto out;
	if (db_commit(c->db) == DB_OK)
		rc = 0;
out:
	if (rc < 0) {
		central_fail(c, N_("store the records"), e);
		db_rollback(c->db);
	}
	db_finalize(find);
	db_finalize(owner);
	db_finalize(gone);
	db_finalize(ins);
	db_finalize(conflict);
	db_finalize(dup);
	keep_finalize(&keep);
	claim_finalize(&cl);
	free(owned_key);
	free(study);
	json_decref(qids);
	return rc;
}
