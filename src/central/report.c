/*
 * report.c: the supervisor's report of a study, read from the central store's report tables
 * (interviews, answers, attempts, quota cells, cases, seen) with indexed, grouped SQL in one
 * read transaction. The form (the study's latest published version) says which questions are
 * satisfaction questions and which case fields segment the results. The counts come from the
 * figures the store keeps as records arrive (figures.c) when they follow the form the report
 * reads; results segmented by other fields than the form's default ones are counted here, and
 * report_opts.live counts everything here (the check that both agree).
 */
#include "cati/i18n.h"
#include "central-int.h"
#include "figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cati/calls.h"
#include "cati/form.h"
#include "cati/report.h"

#define MAX_SEGMENTS 8
#define MAX_PROBLEMS 500     /* rows per problem list; totals give the full counts */

/* A segment of the results: a case field, or the month the interview ended. */
struct segment {
	const char *name;                 /* field name, "month" */
	const struct form_scale *scale;   /* labels of a coded field, or NULL */
	char path[80];                    /* JSON path into cases.fields */
};

/* A satisfaction question: a single choice on a 6-point scale, or one item of such a grid. */
struct question {
	char id[2 * FORM_MAX_ID + 2];     /* "sat_overall", "grid.item" */
	const char *qid;                  /* the answer's question id */
	int item;                         /* 0: a single choice; k: the grid's k-th item */
	const char *text;
};

struct report {
	struct central *c;
	const char *study;
	const struct form *f;
	int64_t now;
	int seen_minutes;
	json_t *o;
	struct err *e;
	struct segment seg[MAX_SEGMENTS + 1];
	int nseg;                         /* including month, the last */
	struct question *q;
	int nq;
	int fig;                          /* read the kept figures (all but by= results) */
	int fig_results;                  /* ... and the results too (default segments) */
	/* outcome names from the calls layer: ",a,b," (final), JSON arrays (contact, refusal) */
	struct buf final, contact, refusal;
	struct aapor_opts aapor;          /* the edition and e the rates use */
};

/* Record that the database failed doing what: -1. */
static int fail(struct report *r, const char *what)
{
	return central_fail(r->c, what, r->e);
}

/* t as "2026-11-23T10:02:03Z". */
static void iso_utc(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Column i as a JSON value: integer, real, text, or null. */
static json_t *column(struct dbs *s, int i)
{
	switch (db_column_type(s, i)) {
	case DB_INTEGER: return json_integer(db_column_int64(s, i));
	case DB_FLOAT: return json_real(db_column_double(s, i));
	case DB_NULL: return json_null();
	default: return json_string(db_column_text(s, i));
	}
}

/* Prepare sql with the study bound as ?1, or NULL (the failure recorded). */
static struct dbs *prepare(struct report *r, const char *sql)
{
	struct dbs *s;

	if (db_prepare(r->c->db, sql, &s) != DB_OK) {
		fail(r, N_("prepare the report"));
		return NULL;
	}
	db_bind_text(s, 1, r->study);
	return s;
}

/* Run s (the study bound as ?1) and append one object per row with the given keys to into;
   keys[i] NULL ends the list. Finalizes s. */
static int rows_into(struct report *r, struct dbs *s, const char *const *keys, json_t *into)
{
	int rc, i;

	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_object();
		for (i = 0; keys[i]; i++)
			json_object_set_new(x, keys[i], column(s, i));
		json_array_append_new(into, x);
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : fail(r, N_("read the report"));
}


/* The study's latest form, compiled; NULL when there is none (REPORT_NO_STUDY) or on errors. */
static struct form *load_form(struct report *r, enum report_rc *rc)
{
	struct dbs *s = prepare(r, "SELECT source FROM forms WHERE form_id = ?1 ORDER BY seq DESC LIMIT 1");
	struct form_diags d;
	struct form *f = NULL;
	int step;

	*rc = REPORT_ERROR;
	if (!s)
		return NULL;
	step = db_step(s);
	if (step == DB_ROW) {
		const char *src = db_column_text(s, 0);
		form_diags_init(&d);
		f = form_compile(r->study, src, strlen(src), &d);
		if (!f)
			err_set(r->e, _("the published form of study '%s' does not compile"), r->study);
		form_diags_release(&d);
	} else if (step == DB_DONE) {
		err_set(r->e, _("no study '%s' on this store (publish its form first)"), r->study);
		*rc = REPORT_NO_STUDY;
	} else {
		fail(r, N_("read the study's form"));
	}
	db_finalize(s);
	if (f)
		*rc = REPORT_OK;
	return f;
}

/* Add a case field (and its scale) to segment the results by. */
static void add_segment(struct report *r, const char *name, const struct form_scale *scale)
{
	struct segment *g = &r->seg[r->nseg++];

	g->name = name;
	g->scale = scale;
	snprintf(g->path, sizeof g->path, "$.\"%s\"", name);
}

/* The segments: the by list, or every case field with a scale and office; then the month. */
static enum report_rc choose_segments(struct report *r, const char *by)
{
	const struct form *f = r->f;
	int i;

	r->nseg = 0;
	if (by && *by) {
		const char *p = by;
		while (*p) {
			size_t n = strcspn(p, ",");
			char name[FORM_MAX_ID + 1];
			int v;

			snprintf(name, sizeof name, "%.*s", (int)(n < FORM_MAX_ID ? n : FORM_MAX_ID), p);
			p += n + (p[n] == ',');
			if (!*name || !strcmp(name, "month"))
				continue;
			v = form_var_find(f, name);
			if (v < 0 || f->vars[v].kind != FORM_V_CASE) {
				err_set(r->e, _("'%s' is not a case field of study '%s'"), name, r->study);
				return REPORT_BAD_BY;
			}
			if (r->nseg == MAX_SEGMENTS) {
				err_set(r->e, _("at most %d segments"), MAX_SEGMENTS);
				return REPORT_BAD_BY;
			}
			add_segment(r, f->vars[v].id, f->vars[v].scale);
		}
	} else {
		for (i = 0; i < f->nvars && r->nseg < MAX_SEGMENTS; i++)
			if (f->vars[i].kind == FORM_V_CASE && (f->vars[i].scale || !strcmp(f->vars[i].id, "office")))
				add_segment(r, f->vars[i].id, f->vars[i].scale);
	}
	r->seg[r->nseg].name = "month";
	r->seg[r->nseg].scale = NULL;
	r->seg[r->nseg].path[0] = '\0';
	r->nseg++;
	return REPORT_OK;
}

/* A scale of six choices coded 1 to 6: where codes 1 and 2 are the top-2 box. */
static int six_point(const struct form_scale *s)
{
	int i;

	if (!s || s->n != 6)
		return 0;
	for (i = 0; i < 6; i++)
		if (!form_scale_choice(s, i + 1))
			return 0;
	return 1;
}

/* The satisfaction questions in form order (outside loops). */
static void choose_questions(struct report *r)
{
	const struct form *f = r->f;
	size_t cap = 1;
	int i, k;

	for (i = 0; i < f->nnodes; i++)
		cap += f->nodes[i].kind == FORM_N_QUESTION && f->nodes[i].qtype == FORM_Q_GRID ? (size_t)f->nodes[i].nitems : 1;
	r->q = xcalloc(cap, sizeof *r->q);
	for (i = 0; i < f->nnodes; i++) {
		const struct form_node *n = &f->nodes[i];
		if (n->kind != FORM_N_QUESTION || n->loop >= 0 || !six_point(n->scale))
			continue;
		if (n->qtype == FORM_Q_SINGLE) {
			struct question *q = &r->q[r->nq++];
			snprintf(q->id, sizeof q->id, "%s", n->id);
			q->qid = n->id;
			q->item = 0;
			q->text = form_text_get(f, &n->say, 0);
		} else if (n->qtype == FORM_Q_GRID) {
			for (k = 0; k < n->nitems; k++) {
				struct question *q = &r->q[r->nq++];
				snprintf(q->id, sizeof q->id, "%s.%s", n->id, n->items[k].id);
				q->qid = n->id;
				q->item = k + 1;
				q->text = form_text_get(f, &n->items[k].label, 0);
			}
		}
	}
}

/* The study's totals: from the kept counts, or counted in the report tables. */
static int totals(struct report *r)
{
	static const char *const keys[] = { "cases", "attempts", "interviews", "completes", "screenouts", "duplicates",
	                                    "over_quota", NULL };
	struct dbs *s = prepare(r, r->fig
		? "SELECT what, n FROM fig_counts WHERE study = ?1 AND what IN ('cases', 'attempts', 'interviews', 'completes',"
		  " 'screenouts', 'duplicates', 'over_quota')"
		: "SELECT (SELECT count(*) FROM cases WHERE study = ?1), (SELECT count(*) FROM attempts WHERE study = ?1),"
		  " count(*), coalesce(sum(status = 'complete' AND duplicate = 0), 0), coalesce(sum(status = 'screenout'), 0),"
		  " coalesce(sum(duplicate), 0),"
		  " (SELECT count(DISTINCT interview) FROM interview_cells WHERE study = ?1 AND over <> 0)"
		  " FROM interviews WHERE study = ?1");
	json_t *t = json_object(), *got = json_object();
	int rc, i;

	if (!s) {
		json_decref(t);
		json_decref(got);
		return -1;
	}
	while ((rc = db_step(s)) == DB_ROW)
		if (r->fig)
			json_object_set_new(got, db_column_text(s, 0), json_integer(db_column_int64(s, 1)));
		else
			for (i = 0; keys[i]; i++)
				json_object_set_new(got, keys[i], json_integer(db_column_int64(s, i)));
	db_finalize(s);
	for (i = 0; keys[i]; i++) {
		json_t *v = json_object_get(got, keys[i]);
		json_object_set_new(t, keys[i], json_integer(v ? json_integer_value(v) : 0));
	}
	json_decref(got);
	if (rc != DB_DONE) {
		json_decref(t);
		return fail(r, N_("read the report"));
	}
	json_object_set_new(r->o, "totals", t);
	return 0;
}

/* Quota cells with the kept counts of completes over quota, as quotas() shows them. */
static int kept_quotas(struct report *r)
{
	struct dbs *s = prepare(r, "SELECT q.quota, q.cell, q.label, q.target, q.achieved, q.closed, coalesce(f.n, 0)"
	                           " FROM quota_cells q LEFT JOIN fig_counts f ON f.study = q.study"
	                           " AND f.what = 'o:' || q.quota || ',' || q.cell WHERE q.study = ?1 ORDER BY q.quota, q.cell");
	json_t *a = json_array();
	int rc;

	if (!s) {
		json_decref(a);
		return -1;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_object();
		json_int_t target = db_column_int64(s, 3), got = db_column_int64(s, 4);
		int closed = db_column_int(s, 5) != 0;

		json_object_set_new(x, "quota", json_string(db_column_text(s, 0)));
		json_object_set_new(x, "cell", json_string(db_column_text(s, 1)));
		json_object_set_new(x, "label", json_string(db_column_text(s, 2)));
		json_object_set_new(x, "target", json_integer(target));
		json_object_set_new(x, "achieved", json_integer(got));
		json_object_set_new(x, "closed", json_boolean(closed));
		json_object_set_new(x, "over", json_integer(db_column_int64(s, 6)));
		json_object_set_new(x, "open", json_integer(closed || got >= target ? 0 : target - got));
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return fail(r, N_("read the quota cells"));
	}
	json_object_set_new(r->o, "quotas", a);
	return 0;
}

/* Quota cells as the store counts them; open: what the target still takes (0 when closed). */
static int quotas(struct report *r)
{
	json_t *cells, *x;
	size_t i;

	if (r->fig)
		return kept_quotas(r);
	if (central_quota_list(r->c, r->study, &cells, r->e) < 0)
		return -1;
	json_array_foreach(cells, i, x) {
		json_int_t target = json_integer_value(json_object_get(x, "target"));
		json_int_t got = json_integer_value(json_object_get(x, "achieved"));
		int closed = json_is_true(json_object_get(x, "closed"));
		json_object_set_new(x, "open", json_integer(closed || got >= target ? 0 : target - got));
		json_object_del(x, "allowance");
		json_object_del(x, "granted");
	}
	json_object_set_new(r->o, "quotas", cells);
	return 0;
}

/*
 * Interviewers of the study (with cases, calls or interviews in it): logged in (seen within
 * seen_minutes), completes, hours (working time: the study's spans the workstations reported,
 * worktime.c; for one with no span, estimated per UTC day from the first to the last call or
 * interview moment, an interview counting on the day it started; summed), completes per hour, attempts,
 * average length of their completes, contacts (calls someone answered), refusals (2.11x
 * outcomes) and refusals per contact. One grouped pass over the calls and one over the
 * interviews, by interviewer and day.
 */
static int interviewers(struct report *r)
{
	static const char *const keys[] = { "name", "last_seen", "logged_in", "completes", "hours", "attempts",
	                                    "avg_minutes", "contacts", "refusals", NULL };
	/* times on the phone in milliseconds, so that kept and counted figures are the same sums */
	struct dbs *s = prepare(r, r->fig
		? "SELECT p.interviewer, strftime('%Y-%m-%dT%H:%M:%SZ', s.at, 'unixepoch'), CASE WHEN s.at >= ?4 THEN 1 ELSE 0 END,"
		  " p.completes, CASE WHEN p.ms_n > 0 THEN p.ms END, p.n, CASE WHEN p.min_n > 0 THEN p.min_ms END, p.contacts,"
		  " p.refusals FROM fig_people p LEFT JOIN seen s ON s.user = p.interviewer"
		  " WHERE p.study = ?1 AND (p.cases > 0 OR p.days > 0)"
		  " ORDER BY p.interviewer"
		: "WITH calls(interviewer, d, n, contacts, refusals, lo, hi, completes, min_ms) AS MATERIALIZED"
		"  (SELECT interviewer, substr(at, 1, 10), count(*), sum(outcome IN (SELECT value FROM json_each(?2))),"
		"   sum(outcome IN (SELECT value FROM json_each(?3))), min(at), max(at), 0, CAST(NULL AS BIGINT)"
		"   FROM attempts WHERE study = ?1 GROUP BY 1, 2),"
		" ivs(interviewer, d, n, contacts, refusals, lo, hi, completes, min_ms) AS MATERIALIZED"
		"  (SELECT interviewer, substr(started_at, 1, 10), 0, 0, 0, min(started_at), max(coalesce(ended_at, started_at)),"
		"   sum(status = 'complete'), sum(CASE WHEN status = 'complete'"
		"   THEN CAST(round((julianday(ended_at) - julianday(started_at)) * 86400000) AS BIGINT) END)"
		"   FROM interviews WHERE study = ?1 AND started_at IS NOT NULL GROUP BY 1, 2),"
		" days AS (SELECT interviewer, sum(n) AS n, sum(contacts) AS contacts, sum(refusals) AS refusals,"
		"  CAST(round((julianday(max(hi)) - julianday(min(lo))) * 86400000) AS BIGINT) AS ms, sum(completes) AS completes,"
		"  sum(min_ms) AS min_ms FROM (SELECT * FROM calls UNION ALL SELECT * FROM ivs) AS u GROUP BY interviewer, d),"
		" per AS (SELECT interviewer, sum(n) AS n, sum(contacts) AS contacts, sum(refusals) AS refusals, sum(ms) AS ms,"
		"  sum(completes) AS completes, sum(min_ms) AS min_ms FROM days GROUP BY interviewer),"
		" who(name) AS (SELECT interviewer FROM per UNION SELECT interviewer FROM cases WHERE study = ?1 AND interviewer IS NOT NULL)"
		" SELECT w.name, strftime('%Y-%m-%dT%H:%M:%SZ', s.at, 'unixepoch'), CASE WHEN s.at >= ?4 THEN 1 ELSE 0 END,"
		"  coalesce(per.completes, 0), per.ms, coalesce(per.n, 0), per.min_ms, coalesce(per.contacts, 0),"
		"  coalesce(per.refusals, 0)"
		" FROM who w LEFT JOIN per ON per.interviewer = w.name LEFT JOIN seen s ON s.user = w.name ORDER BY w.name");
	json_t *a = json_array(), *x, *worked = NULL;
	size_t i;

	if (!s) {
		json_decref(a);
		return -1;
	}
	db_bind_text(s, 2, buf_str(&r->contact));
	db_bind_text(s, 3, buf_str(&r->refusal));
	db_bind_int64(s, 4, r->now - (int64_t)r->seen_minutes * 60);
	if (rows_into(r, s, keys, a) < 0) {
		json_decref(a);
		return -1;
	}
	if (central_work_seconds(r->c, r->study, &worked) < 0) {
		json_decref(a);
		return fail(r, N_("read the working time"));
	}
	json_array_foreach(a, i, x) {
		json_t *ms = json_object_get(x, "hours"), *mm = json_object_get(x, "avg_minutes");
		json_t *w = json_object_get(worked, json_string_value(json_object_get(x, "name")));
		json_int_t completes = json_integer_value(json_object_get(x, "completes"));
		json_int_t contacts = json_integer_value(json_object_get(x, "contacts"));
		double hours = w ? (double)json_integer_value(w) / 3600.0
		             : json_is_null(ms) ? 0 : (double)json_integer_value(ms) / 3600000.0;

		/* the workstations' sessions when they reported any; else the estimate from the calls */
		json_object_set_new(x, "hours_from", w ? json_string("sessions") : json_is_null(ms) ? json_null()
		                    : json_string("calls"));
		json_object_set_new(x, "hours", !w && json_is_null(ms) ? json_null() : json_real(hours));
		json_object_set_new(x, "avg_minutes", json_is_null(mm) || completes <= 0 ? json_null()
		                    : json_real((double)json_integer_value(mm) / 60000.0 / (double)completes));
		json_object_set_new(x, "logged_in", json_boolean(json_integer_value(json_object_get(x, "logged_in"))));
		/* a few minutes worked say nothing about an hour: 5 completes in 6 minutes are not 50 an hour */
		json_object_set_new(x, "per_hour", hours * 60 >= REPORT_MIN_WORK_MINUTES - 1e-9
		                    ? json_real((double)completes / hours) : json_null());
		json_object_set_new(x, "refusal_rate", contacts > 0
		                    ? json_real((double)json_integer_value(json_object_get(x, "refusals")) / (double)contacts)
		                    : json_null());
	}
	json_decref(worked);
	json_object_set_new(r->o, "interviewers", a);
	return 0;
}

/*
 * The case-field condition of the quotas whose variables are all coded case fields: an open
 * case (no interview, no final call) whose cell is full or closed counts as 4.80, as on the
 * workstation. Appends SQL to sql and the parameters (from ?first) to params.
 */
static void quota_full_sql(struct report *r, struct buf *sql, const char **params, int *np, int first)
{
	const struct form *f = r->f;
	int i, k, all;

	for (i = 0; i < f->nquotas; i++) {
		const struct form_quota *q = &f->quotas[i];
		for (all = 1, k = 0; k < q->nvars; k++)
			all &= f->vars[q->vars[k]].kind == FORM_V_CASE;
		if (!all || !q->nvars || *np + q->nvars + 1 > 60)
			continue;
		buf_printf(sql, " WHEN EXISTS (SELECT 1 FROM quota_cells q WHERE q.study = ?1 AND q.quota = ?%d AND q.cell = ",
		           first + *np);
		params[(*np)++] = q->id;
		for (k = 0; k < q->nvars; k++) {
			buf_printf(sql, "%sjson_extract(c.fields, '$.' || ?%d)", k ? " || ',' || " : "", first + *np);
			params[(*np)++] = f->vars[q->vars[k]].id;
		}
		buf_puts(sql, " AND (q.closed <> 0 OR q.achieved >= q.target))"
		              " AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.case_key = c.case_key) THEN '4.80'");
	}
}

/*
 * The kept disposition counts into counts (code -> n): an open case counted with its quota
 * cells is 4.80 when one of them is full or closed now.
 */
static int kept_dispositions(struct report *r, json_t *counts)
{
	struct dbs *s = prepare(r, "SELECT quota, cell FROM quota_cells WHERE study = ?1 AND (closed <> 0 OR achieved >= target)");
	json_t *full = json_object(), *cells, *x;
	struct buf k;
	int rc;
	size_t i;

	if (!s) {
		json_decref(full);
		return -1;
	}
	buf_init(&k);
	while ((rc = db_step(s)) == DB_ROW) {
		buf_reset(&k);
		buf_printf(&k, "%s\x1f%s", db_column_text(s, 0), db_column_text(s, 1));
		json_object_set_new(full, buf_str(&k), json_true());
	}
	db_finalize(s);
	if (rc != DB_DONE || !(s = prepare(r, "SELECT what, n FROM fig_counts WHERE study = ?1 AND what LIKE 'd:%' AND n <> 0"))) {
		json_decref(full);
		buf_release(&k);
		return rc != DB_DONE ? fail(r, N_("count the dispositions")) : -1;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		const char *what = db_column_text(s, 0) + 2, *sep = strchr(what, '\x1f');
		char code[64];
		int closed = 0;

		snprintf(code, sizeof code, "%.*s", sep ? (int)(sep - what) : (int)strlen(what), what);
		cells = sep && sep[1] ? json_loads(sep + 1, 0, NULL) : NULL;
		json_array_foreach(cells, i, x) {
			buf_reset(&k);
			buf_printf(&k, "%s\x1f%s", json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(x, 1)));
			closed |= json_object_get(full, buf_str(&k)) != NULL;
		}
		json_decref(cells);
		if (closed)
			snprintf(code, sizeof code, "4.80");
		x = json_object_get(counts, code);
		json_object_set_new(counts, code, json_integer((x ? json_integer_value(x) : 0) + db_column_int64(s, 1)));
	}
	db_finalize(s);
	json_decref(full);
	buf_release(&k);
	return rc == DB_DONE ? 0 : fail(r, N_("count the dispositions"));
}

/*
 * Cases per disposition, as README "Calling" says: a complete interview 1.1; else the last
 * call's disposition if its outcome closed the case; else 4.80 for an open case in a full quota
 * cell; else the last contact's code (2.x); else the last call's; else 3.11 not attempted.
 * Then the AAPOR groups and rates from the calls layer.
 */
static int dispositions(struct report *r)
{
	struct buf sql;
	const char *params[64];
	int np = 0, rc, i, n;
	struct dbs *s;
	struct aapor_counts groups;
	struct aapor_rates rates;
	static const char *const e_keys[AAPOR_E_CLASSES][2] = {
		{ "e_UH", "e_UH_estimated" }, { "e_UR", "e_UR_estimated" }, { "e_UO", "e_UO_estimated" }
	};
	const struct disposition *all = calls_dispositions(&n);
	json_t *counts = json_object(), *a = json_array(), *rt = json_object(), *g = json_object(), *v;
	const char *code;
	static const char *const fam[] = { "RR", "COOP", "REF", "CON" };
	const double *vals[] = { rates.rr, rates.coop, rates.ref, rates.con };
	const int nvals[] = { 6, 4, 3, 3 };

	memset(&groups, 0, sizeof groups);
	if (r->fig) {
		if (kept_dispositions(r, counts) < 0)
			goto fail;
		goto counted;
	}
	buf_init(&sql);
	buf_puts(&sql, "SELECT code, count(*) FROM (SELECT CASE"
	               " WHEN EXISTS (SELECT 1 FROM interviews i WHERE i.case_key = c.case_key AND i.status = 'complete') THEN '1.1'"
	               " WHEN (SELECT instr(?2, ',' || a.outcome || ',') > 0 FROM attempts a WHERE a.study = ?1"
	               "  AND a.case_key = c.case_key ORDER BY a.at DESC, a.rowid DESC LIMIT 1)"
	               " THEN (SELECT a.disposition FROM attempts a WHERE a.study = ?1 AND a.case_key = c.case_key"
	               "  ORDER BY a.at DESC, a.rowid DESC LIMIT 1)");
	quota_full_sql(r, &sql, params, &np, 3);
	buf_puts(&sql, " ELSE coalesce((SELECT a.disposition FROM attempts a WHERE a.study = ?1 AND a.case_key = c.case_key"
	               "  AND a.disposition LIKE '2.%' ORDER BY a.at DESC, a.rowid DESC LIMIT 1),"
	               " (SELECT a.disposition FROM attempts a WHERE a.study = ?1 AND a.case_key = c.case_key"
	               "  AND a.disposition IS NOT NULL ORDER BY a.at DESC, a.rowid DESC LIMIT 1), '3.11') END AS code"
	               " FROM cases c WHERE c.study = ?1) AS x GROUP BY code");
	s = prepare(r, buf_str(&sql));
	buf_release(&sql);
	if (!s)
		goto fail;
	db_bind_text(s, 2, buf_str(&r->final));
	for (i = 0; i < np; i++)
		db_bind_text(s, 3 + i, params[i]);
	while ((rc = db_step(s)) == DB_ROW)
		json_object_set_new(counts, db_column_text(s, 0), json_integer(db_column_int64(s, 1)));
	db_finalize(s);
	if (rc != DB_DONE) {
		fail(r, N_("count the dispositions"));
		goto fail;
	}
counted:
	/* in the calls layer's order; codes it does not know last, outside the rates */
	for (i = 0; i < n; i++) {
		json_t *x;
		if (!(v = json_object_get(counts, all[i].code)))
			continue;
		x = json_object();
		json_object_set_new(x, "code", json_string(all[i].code));
		json_object_set_new(x, "label", json_string(all[i].label));
		json_object_set_new(x, "group", json_string(calls_group_name(calls_group(&all[i], r->aapor.edition))));
		json_object_set(x, "n", v);
		json_array_append_new(a, x);
		calls_count(&groups, all[i].code, (double)json_integer_value(v));
		json_object_del(counts, all[i].code);
	}
	json_object_foreach(counts, code, v) {
		json_t *x = json_object();
		json_object_set_new(x, "code", json_string(code));
		json_object_set_new(x, "label", json_string(N_("not an AAPOR code cati knows")));
		json_object_set_new(x, "group", json_null());
		json_object_set(x, "n", v);
		json_array_append_new(a, x);
	}
	calls_aapor(&groups, &r->aapor, &rates);
	/* added for the 10th edition: edition, e per class; the 9th's object is as it was, plus these */
	json_object_set_new(rt, "edition", json_integer(rates.edition));
	json_object_set_new(rt, "e", json_real(rates.e));
	json_object_set_new(rt, "e_estimated", json_boolean(rates.e_estimated));
	for (i = 0; i < AAPOR_E_CLASSES; i++) {
		if (rates.edition == AAPOR_EDITION_9 && i == AAPOR_E_UR)
			continue;   /* no such class */
		json_object_set_new(rt, e_keys[i][0], json_real(rates.e_class[i]));
		json_object_set_new(rt, e_keys[i][1], json_boolean(rates.e_class_estimated[i]));
	}
	for (i = 0; i < AAPOR_GROUPS; i++)
		if (!(rates.edition == AAPOR_EDITION_9 && i == AAPOR_UR))
			json_object_set_new(g, calls_group_name((enum aapor_group)i), json_integer((json_int_t)rates.n[i]));
	json_object_set_new(rt, "groups", g);
	for (i = 0; i < 4; i++) {
		int k;
		for (k = 0; k < nvals[i]; k++) {
			char key[16];
			snprintf(key, sizeof key, "%s%d", fam[i], k + 1);
			json_object_set_new(rt, key, vals[i][k] < 0 ? json_null() : json_real(vals[i][k]));
		}
	}
	json_decref(counts);
	json_object_set_new(r->o, "dispositions", a);
	json_object_set_new(r->o, "rates", rt);
	return 0;
fail:
	json_decref(counts);
	json_decref(a);
	json_decref(rt);
	json_decref(g);
	return -1;
}

/* One bin of the results: respondents and top-2 answers. */
struct bin {
	const char *value;
	long n, top;
};

/* Order result bins by their code, the missing value last. */
static int bin_by_code(const void *a, const void *b)
{
	const struct bin *x = a, *y = b;
	long cx = strtol(x->value, NULL, 10), cy = strtol(y->value, NULL, 10);

	if (!*x->value || !*y->value)
		return !*x->value - !*y->value;   /* the missing value last */
	return cx < cy ? -1 : cx > cy ? 1 : strcmp(x->value, y->value);
}

/* Order result bins by their text, the missing value last. */
static int bin_by_text(const void *a, const void *b)
{
	const struct bin *x = a, *y = b;

	if (!*x->value || !*y->value)
		return !*x->value - !*y->value;
	return strcmp(x->value, y->value);
}

/* Add n respondents of whom top were top-2 to map[value]. */
static void tally(json_t *map, const char *value, long n, long top)
{
	json_t *x = json_object_get(map, value);

	if (!x) {
		json_object_set_new(map, value, json_pack("[II]", (json_int_t)n, (json_int_t)top));
		return;
	}
	json_integer_set(json_array_get(x, 0), json_integer_value(json_array_get(x, 0)) + n);
	json_integer_set(json_array_get(x, 1), json_integer_value(json_array_get(x, 1)) + top);
}

/* One row of the results: a question under a segment's value, its n, top-2 and share. */
static json_t *result_row(const char *question, const char *segment, const char *value, const char *label,
                          long n, long top)
{
	json_t *x = json_object();

	json_object_set_new(x, "question", json_string(question));
	json_object_set_new(x, "segment", json_string(segment));
	json_object_set_new(x, "value", json_string(value));
	json_object_set_new(x, "label", json_string(label));
	json_object_set_new(x, "n", json_integer(n));
	json_object_set_new(x, "top2", json_integer(top));
	json_object_set_new(x, "share", n ? json_real((double)top / (double)n) : json_null());
	return x;
}

/* A complete's place among the combinations of segment values met. */
struct ivseg {
	int64_t rowid;
	int combo;
};

/* Order interviews by the row they were stored in. */
static int by_rowid(const void *a, const void *b)
{
	const struct ivseg *x = a, *y = b;

	return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

/* The answer value of question q in an answer's text: the text itself, or a grid's k-th code. */
static int answer_code(const struct question *q, const char *v)
{
	int k;

	for (k = 1; k < q->item && v; k++)
		if ((v = strchr(v, ',')) != NULL)
			v++;
	if (!v || v[0] < '1' || v[0] > '6' || (v[1] && v[1] != ','))
		return 0;
	return v[0] - '0';
}

/*
 * The kept results, as results() phase 3 reads its combinations: each kept row is a pseudo
 * combination, "*" (all respondents: every segment value NULL) or "k\x1fvalue" (segment k's
 * value; the other segments NULL, and margin[c] set: not added to the question's totals);
 * respondents and top-2 answers per pseudo combination and question in *counts.
 */
static int kept_results(struct report *r, json_t *combos, size_t *ncombo, char ***vals, long **counts, char **margin)
{
	struct dbs *s = prepare(r, "SELECT q, combo, n, top FROM fig_results WHERE study = ?1 AND n <> 0");
	json_t *qi = json_object(), *x;
	size_t cap = 0, n = 0;
	int rc, i, k;
	struct cell {
		size_t combo;
		int q;
		long n, top;
	} *cells = NULL;

	if (!s) {
		json_decref(qi);
		return -1;
	}
	for (i = 0; i < r->nq; i++)
		json_object_set_new(qi, r->q[i].id, json_integer(i));
	while ((rc = db_step(s)) == DB_ROW) {
		const char *combo = db_column_text(s, 1);
		size_t c;

		if (!(x = json_object_get(qi, db_column_text(s, 0))))
			continue;
		if ((x = json_object_get(combos, combo))) {
			c = (size_t)json_integer_value(x);
		} else {
			char *end;
			long seg = strtol(combo, &end, 10);

			if (strcmp(combo, "*") && (*end != '\x1f' || seg < 0 || seg >= r->nseg))
				continue;
			c = *ncombo;
			*vals = xrealloc(*vals, (c + 1) * (size_t)r->nseg * sizeof **vals);
			*margin = xrealloc(*margin, c + 1);
			for (k = 0; k < r->nseg; k++)
				(*vals)[c * (size_t)r->nseg + (size_t)k] = NULL;
			(*margin)[c] = strcmp(combo, "*") != 0;
			if ((*margin)[c])
				(*vals)[c * (size_t)r->nseg + (size_t)seg] = xstrdup(end + 1);
			json_object_set_new(combos, combo, json_integer((json_int_t)c));
			(*ncombo)++;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			cells = xrealloc(cells, cap * sizeof *cells);
		}
		cells[n].combo = c;
		cells[n].q = (int)json_integer_value(json_object_get(qi, db_column_text(s, 0)));
		cells[n].n = (long)db_column_int64(s, 2);
		cells[n].top = (long)db_column_int64(s, 3);
		n++;
	}
	db_finalize(s);
	json_decref(qi);
	*counts = xcalloc(*ncombo * (size_t)r->nq * 2 + 1, sizeof **counts);
	while (n--) {
		long *cell = &(*counts)[(cells[n].combo * (size_t)r->nq + (size_t)cells[n].q) * 2];
		cell[0] += cells[n].n;
		cell[1] += cells[n].top;
	}
	free(cells);
	return rc == DB_DONE ? 0 : fail(r, N_("read the results"));
}

/*
 * Top-2-box results over the non-duplicate completes, in two indexed passes: (1) each
 * complete's segment values (case fields, month), numbered by combination; (2) the valid
 * answers (codes 1-6: don't know, refused and unasked questions are not in n) to the
 * satisfaction questions, counted per combination; then added up per segment value. Grouping
 * the 150,000 answers of a year in SQL would sort them; counting into the combinations is a
 * third of the time.
 */
static int results(struct report *r)
{
	struct buf sql;
	struct dbs *s = NULL;
	json_t *res = json_object(), *qs = json_array(), *rowsj = json_array(), *segs = json_array();
	json_t *combos = json_object(), *qids = json_array(), *first = json_object(), **maps = NULL;
	struct ivseg *ivs = NULL;
	char **vals = NULL, *qlist = NULL, *margin = NULL;
	long *counts = NULL;
	size_t niv = 0, capiv = 0, ncombo = 0, capcombo = 0, c;
	int i, k, rc = -1, step;
	struct buf key;

	buf_init(&sql);
	buf_init(&key);
	for (k = 0; k < r->nseg; k++)
		json_array_append_new(segs, json_string(r->seg[k].name));
	json_object_set_new(res, "segments", segs);
	json_object_set_new(res, "questions", qs);
	json_object_set_new(res, "rows", rowsj);
	json_object_set_new(r->o, "results", res);
	if (!r->nq) {
		rc = 0;
		goto out;
	}

	if (r->fig_results) {
		if (kept_results(r, combos, &ncombo, &vals, &counts, &margin) < 0)
			goto out;
		goto counted;
	}
	/* 1: segment values; the month is the last segment */
	buf_puts(&sql, "SELECT i.rowid");
	for (k = 0; k < r->nseg - 1; k++)
		buf_printf(&sql, ", coalesce(json_extract(c.fields, ?%d), '')", k + 2);
	buf_puts(&sql, ", coalesce(substr(i.ended_at, 1, 7), '') FROM interviews i JOIN cases c ON c.case_key = i.case_key"
	               " WHERE i.study = ?1 AND i.status = 'complete' AND i.duplicate = 0 ORDER BY i.rowid");
	if (!(s = prepare(r, buf_str(&sql))))
		goto out;
	for (k = 0; k < r->nseg - 1; k++)
		db_bind_text(s, k + 2, r->seg[k].path);
	while ((step = db_step(s)) == DB_ROW) {
		json_t *x;

		buf_reset(&key);
		for (k = 0; k < r->nseg; k++) {
			buf_puts(&key, db_column_text(s, k + 1));
			buf_putc(&key, '\x1f');
		}
		if (niv == capiv) {
			capiv = capiv ? capiv * 2 : 1024;
			ivs = xrealloc(ivs, capiv * sizeof *ivs);
		}
		ivs[niv].rowid = db_column_int64(s, 0);
		if ((x = json_object_get(combos, buf_str(&key)))) {
			ivs[niv++].combo = (int)json_integer_value(x);
			continue;
		}
		if (ncombo == capcombo) {
			capcombo = capcombo ? capcombo * 2 : 256;
			vals = xrealloc(vals, capcombo * (size_t)r->nseg * sizeof *vals);
		}
		for (k = 0; k < r->nseg; k++)
			vals[ncombo * (size_t)r->nseg + (size_t)k] = xstrdup(db_column_text(s, k + 1));
		json_object_set_new(combos, buf_str(&key), json_integer((json_int_t)ncombo));
		ivs[niv++].combo = (int)ncombo++;
	}
	db_finalize(s);
	s = NULL;
	if (step != DB_DONE) {
		fail(r, N_("read the completes' segments"));
		goto out;
	}
	if (niv)
		qsort(ivs, niv, sizeof *ivs, by_rowid);   /* in rowid order already; cheap to make sure */

	/* 2: the answers, counted per combination and question */
	counts = xcalloc(ncombo * (size_t)r->nq * 2 + 1, sizeof *counts);
	for (i = 0; i < r->nq; i++)
		if (!json_object_get(first, r->q[i].qid)) {
			json_object_set_new(first, r->q[i].qid, json_integer(i));
			json_array_append_new(qids, json_string(r->q[i].qid));
		}
	qlist = json_dumps(qids, JSON_COMPACT);
	if (!(s = prepare(r, "SELECT i.rowid, a.qid, a.value FROM interviews i CROSS JOIN answers a ON a.interview = i.uuid"
	                     " WHERE i.study = ?1 AND i.status = 'complete' AND i.duplicate = 0 AND a.iter = 0 AND a.state = 1"
	                     " AND a.qid IN (SELECT value FROM json_each(?2))")))
		goto out;
	db_bind_text(s, 2, qlist);
	while ((step = db_step(s)) == DB_ROW) {
		struct ivseg want = { db_column_int64(s, 0), 0 }, *iv = bsearch(&want, ivs, niv, sizeof *ivs, by_rowid);
		const char *qid = db_column_text(s, 1), *v = db_column_text(s, 2);
		json_t *x = json_object_get(first, qid);

		if (!iv || !x || !v)
			continue;
		for (i = (int)json_integer_value(x); i < r->nq && !strcmp(r->q[i].qid, qid); i++) {
			int code = answer_code(&r->q[i], v);
			long *cell = &counts[((size_t)iv->combo * (size_t)r->nq + (size_t)i) * 2];
			if (!code)
				continue;
			cell[0]++;
			cell[1] += code <= 2;
		}
	}
	db_finalize(s);
	s = NULL;
	if (step != DB_DONE) {
		fail(r, N_("read the answers"));
		goto out;
	}

counted:
	/* 3: per question, the totals and each segment's values in order */
	maps = xcalloc((size_t)r->nseg, sizeof *maps);
	for (i = 0; i < r->nq; i++) {
		json_t *x = json_object();
		long n = 0, top = 0;

		for (k = 0; k < r->nseg; k++)
			maps[k] = json_object();
		for (c = 0; c < ncombo; c++) {
			long *cell = &counts[(c * (size_t)r->nq + (size_t)i) * 2];
			if (!cell[0])
				continue;
			if (!margin || !margin[c]) {
				n += cell[0];
				top += cell[1];
			}
			for (k = 0; k < r->nseg; k++)
				if (vals[c * (size_t)r->nseg + (size_t)k])
					tally(maps[k], vals[c * (size_t)r->nseg + (size_t)k], cell[0], cell[1]);
		}
		json_object_set_new(x, "id", json_string(r->q[i].id));
		json_object_set_new(x, "text", json_string(r->q[i].text));
		json_object_set_new(x, "n", json_integer(n));
		json_object_set_new(x, "top2", json_integer(top));
		json_object_set_new(x, "share", n ? json_real((double)top / (double)n) : json_null());
		json_array_append_new(qs, x);
		json_array_append_new(rowsj, result_row(r->q[i].id, "all", "", N_("all respondents"), n, top));
		for (k = 0; k < r->nseg; k++) {
			size_t nb = json_object_size(maps[k]), j = 0;
			struct bin *b = xcalloc(nb + 1, sizeof *b);
			const char *value;
			json_t *v;

			json_object_foreach(maps[k], value, v) {
				b[j].value = value;
				b[j].n = (long)json_integer_value(json_array_get(v, 0));
				b[j].top = (long)json_integer_value(json_array_get(v, 1));
				j++;
			}
			qsort(b, nb, sizeof *b, r->seg[k].scale ? bin_by_code : bin_by_text);
			for (j = 0; j < nb; j++) {
				const struct form_choice *ch = r->seg[k].scale && *b[j].value
				                               ? form_scale_choice(r->seg[k].scale, (int)strtol(b[j].value, NULL, 10))
				                               : NULL;
				const char *label = ch ? form_text_get(r->f, &ch->label, 0) : *b[j].value ? b[j].value : "(none)";
				json_array_append_new(rowsj, result_row(r->q[i].id, r->seg[k].name, b[j].value, label, b[j].n, b[j].top));
			}
			free(b);
			json_decref(maps[k]);
		}
	}
	rc = 0;
out:
	db_finalize(s);
	for (c = 0; c < ncombo * (size_t)r->nseg; c++)
		free(vals[c]);
	free(vals);
	free(margin);
	free(ivs);
	free(counts);
	free(maps);
	free(qlist);
	json_decref(combos);
	json_decref(qids);
	json_decref(first);
	buf_release(&sql);
	buf_release(&key);
	return rc;
}

/*
 * Records of the study sent again under a stored uuid with other content, kept aside in
 * conflicts (the study and case from the record stored first): into o's "conflicts", the first
 * MAX_PROBLEMS by the time they came, and their number as "conflicts_total".
 */
static int conflicts(struct report *r, json_t *o)
{
	static const char *const keys[] = { "uuid", "kind", "case", "interviewer", "sent_by", "at", NULL };
	static const char *const from =
		" FROM conflicts x JOIN records s ON s.uuid = x.uuid JOIN cases c ON c.case_key = s.case_key"
		" WHERE c.study = ?1";
	struct buf sql;
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	json_object_set_new(o, "conflicts", a);
	buf_init(&sql);
	buf_printf(&sql, "SELECT count(*)%s", from);
	s = prepare(r, buf_str(&sql));
	if (!s) {
		buf_release(&sql);
		return -1;
	}
	rc = db_step(s);
	json_object_set_new(o, "conflicts_total", json_integer(rc == DB_ROW ? db_column_int64(s, 0) : 0));
	db_finalize(s);
	if (rc != DB_ROW) {
		buf_release(&sql);
		return fail(r, N_("count the conflicts"));
	}
	buf_reset(&sql);
	buf_printf(&sql, "SELECT x.uuid, s.kind, s.case_key, coalesce(json_extract(s.data, '$.interviewer'),"
	                 " json_extract(s.data, '$.who'), s.owner), x.owner,"
	                 " strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', x.received_at, 'unixepoch')%s ORDER BY x.received_at, x.id"
	                 " LIMIT %d", from, MAX_PROBLEMS);
	s = prepare(r, buf_str(&sql));
	buf_release(&sql);
	return s ? rows_into(r, s, keys, a) : -1;
}

/* Duplicate completes (with the complete kept for the case), completes counted over quota and
   conflicting records. */
static int problems(struct report *r)
{
	static const char *const dkeys[] = { "interview", "case", "interviewer", "at", "kept", "kept_interviewer", NULL };
	static const char *const okeys[] = { "interview", "case", "interviewer", "at", "quota", "cell", "label", NULL };
	char limit[128];
	struct buf sql;
	struct dbs *s;
	json_t *o = json_object(), *d = json_array(), *q = json_array();

	json_object_set_new(o, "duplicates", d);
	json_object_set_new(o, "over_quota", q);
	json_object_set_new(r->o, "problems", o);
	snprintf(limit, sizeof limit, " LIMIT %d", MAX_PROBLEMS);
	buf_init(&sql);
	buf_puts(&sql, "SELECT i.uuid, i.case_key, i.interviewer, coalesce(i.ended_at, i.updated_at), k.uuid, k.interviewer"
	               " FROM interviews i LEFT JOIN interviews k ON k.uuid = (SELECT x.uuid FROM interviews x"
	               "  WHERE x.case_key = i.case_key AND x.status = 'complete' AND x.duplicate = 0 AND x.uuid <> i.uuid"
	               "  ORDER BY x.ended_at, x.uuid LIMIT 1)"
	               " WHERE i.study = ?1 AND i.duplicate <> 0 ORDER BY 4, 1");
	buf_puts(&sql, limit);
	s = prepare(r, buf_str(&sql));
	if (!s || rows_into(r, s, dkeys, d) < 0) {
		buf_release(&sql);
		return -1;
	}
	buf_reset(&sql);
	if (r->fig)
		buf_puts(&sql, "SELECT o.interview, i.case_key, i.interviewer, o.at, o.quota, o.cell, coalesce(q.label, '')"
		               " FROM fig_over o JOIN interviews i ON i.uuid = o.interview"
		               " LEFT JOIN quota_cells q ON q.study = o.study AND q.quota = o.quota AND q.cell = o.cell"
		               " WHERE o.study = ?1 ORDER BY o.at, o.interview, o.quota");
	else
		buf_puts(&sql, "SELECT i.uuid, i.case_key, i.interviewer, coalesce(i.ended_at, i.updated_at), ic.quota, ic.cell,"
		               " coalesce(q.label, '') FROM interview_cells ic JOIN interviews i ON i.uuid = ic.interview"
		               " LEFT JOIN quota_cells q ON q.study = ic.study AND q.quota = ic.quota AND q.cell = ic.cell"
		               " WHERE ic.study = ?1 AND ic.over <> 0 ORDER BY 4, 1, 5");
	buf_puts(&sql, limit);
	s = prepare(r, buf_str(&sql));
	if (!s || rows_into(r, s, okeys, q) < 0) {
		buf_release(&sql);
		return -1;
	}
	buf_release(&sql);
	return conflicts(r, o);
}

/*
 * What the kept figures of a study count, from its form f: the default segments (name and JSON
 * path; the month is always last and not listed), the satisfaction questions (id, answer's
 * question, grid item) and the quotas whose cells an open case falls into by its fields (as
 * quota_full_sql takes them). A string to free.
 */
static char *spec_of(struct central *c, const char *study, const struct form *f)
{
	struct report t;
	struct err e;
	json_t *o = json_object(), *seg = json_array(), *qs = json_array(), *quotas = json_array();
	int i, k, all, np = 0;
	char *out;

	memset(&t, 0, sizeof t);
	err_init(&e);
	t.c = c;
	t.study = study;
	t.f = f;
	t.e = &e;
	choose_segments(&t, NULL);
	choose_questions(&t);
	for (k = 0; k < t.nseg - 1; k++)
		json_array_append_new(seg, json_pack("[ss]", t.seg[k].name, t.seg[k].path));
	for (i = 0; i < t.nq; i++)
		json_array_append_new(qs, json_pack("[ssi]", t.q[i].id, t.q[i].qid, t.q[i].item));
	for (i = 0; i < f->nquotas; i++) {
		const struct form_quota *q = &f->quotas[i];
		json_t *vars = json_array();
		for (all = 1, k = 0; k < q->nvars; k++)
			all &= f->vars[q->vars[k]].kind == FORM_V_CASE;
		if (!all || !q->nvars || np + q->nvars + 1 > 60) {
			json_decref(vars);
			continue;
		}
		np += q->nvars + 1;
		for (k = 0; k < q->nvars; k++)
			json_array_append_new(vars, json_string(f->vars[q->vars[k]].id));
		json_array_append_new(quotas, json_pack("[so]", q->id, vars));
	}
	json_object_set_new(o, "seg", seg);
	json_object_set_new(o, "q", qs);
	json_object_set_new(o, "quotas", quotas);
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	free(t.q);
	return out;
}

/* The spec of study's latest form, read in a transaction of its own. */
char *report_spec(struct central *c, const char *study)
{
	struct report r;
	struct form *f;
	enum report_rc rc;
	struct err e;
	char *spec = NULL;

	memset(&r, 0, sizeof r);
	err_init(&e);
	r.c = c;
	r.study = study;
	r.e = &e;
	if (db_begin(c->db, 0) != DB_OK)
		return NULL;
	if ((f = load_form(&r, &rc)))
		spec = spec_of(c, study, f);
	db_commit(c->db);
	form_free(f);
	return spec;
}

/* Do the study's kept figures follow form f (1), or must the report count (0)? -1 on errors. */
static int figures_follow(struct report *r, const struct form *f)
{
	char *spec = spec_of(r->c, r->study, f);
	struct dbs *s = prepare(r, "SELECT spec FROM fig_specs WHERE study = ?1");
	int rc, same = 0;

	if (!s) {
		free(spec);
		return -1;
	}
	rc = db_step(s);
	if (rc == DB_ROW)
		same = !strcmp(db_column_text(s, 0), spec);
	db_finalize(s);
	free(spec);
	return rc == DB_ROW || rc == DB_DONE ? same : fail(r, N_("read the figures' spec"));
}

/* Are r's segments the form's default ones (those the kept results are counted by)? */
static int default_segments(struct report *r)
{
	struct report t;
	struct err e;
	int k, same;

	memset(&t, 0, sizeof t);
	err_init(&e);
	t.c = r->c;
	t.study = r->study;
	t.f = r->f;
	t.e = &e;
	choose_segments(&t, NULL);
	same = t.nseg == r->nseg;
	for (k = 0; same && k < r->nseg; k++)
		same = !strcmp(t.seg[k].name, r->seg[k].name);
	return same;
}

/* The report of a study the user manages, in one read transaction. */
enum report_rc central_report(struct central *c, const char *user, enum central_role role, const char *study,
                              const struct report_opts *o, json_t **out, struct err *e)
{
	struct report r;
	struct form *f = NULL;
	enum report_rc rc = REPORT_ERROR;
	char now[32];

	*out = NULL;
	if (!central_may_manage(c, user, role, study)) {
		err_set(e, _("study '%s' is not one of your projects"), study);
		return REPORT_FORBIDDEN;
	}
	memset(&r, 0, sizeof r);
	r.c = c;
	r.study = study;
	r.e = e;
	r.now = o && o->now ? o->now : (int64_t)time(NULL);
	r.seen_minutes = o && o->seen_minutes > 0 ? o->seen_minutes : REPORT_SEEN_MINUTES;
	if (o)
		r.aapor = o->aapor;
	if (!r.aapor.edition)
		r.aapor.edition = AAPOR_EDITION;
	buf_init(&r.final);
	buf_init(&r.contact);
	buf_init(&r.refusal);
	fig_outcome_lists(&r.final, &r.contact, &r.refusal);
	if (db_begin(c->db, 0) != DB_OK) {
		fail(&r, N_("start the report"));
		goto out;
	}
	if (!(f = load_form(&r, &rc)))
		goto rollback;
	r.f = f;
	if ((rc = choose_segments(&r, o ? o->by : NULL)) != REPORT_OK)
		goto rollback;
	rc = REPORT_ERROR;
	choose_questions(&r);
	if (!(o && o->live)) {
		if ((r.fig = figures_follow(&r, f)) < 0)
			goto rollback;
		r.fig_results = r.fig && default_segments(&r);
	}
	r.o = json_object();
	iso_utc(r.now, now);
	json_object_set_new(r.o, "study", json_string(study));
	json_object_set_new(r.o, "title", json_string(form_text_get(f, &f->title, 0)));
	json_object_set_new(r.o, "version", json_string(f->version));
	json_object_set_new(r.o, "generated_at", json_string(now));
	json_object_set_new(r.o, "seen_minutes", json_integer(r.seen_minutes));
	if (totals(&r) < 0 || quotas(&r) < 0 || interviewers(&r) < 0 || dispositions(&r) < 0 || results(&r) < 0 ||
	    problems(&r) < 0)
		goto rollback;
	{
		json_t *calls;
		if (central_on_call_rows(c, study, r.now, r.seen_minutes, &calls) < 0) {
			fail(&r, N_("read who is on a call"));
			goto rollback;
		}
		json_object_set_new(r.o, "on_call", calls);
	}
	if (db_commit(c->db) != DB_OK) {
		fail(&r, N_("finish the report"));
		goto rollback;
	}
	*out = r.o;
	r.o = NULL;
	rc = REPORT_OK;
	goto out;
rollback:
	db_rollback(c->db);
out:
	json_decref(r.o);
	free(r.q);
	form_free(f);
	buf_release(&r.final);
	buf_release(&r.contact);
	buf_release(&r.refusal);
	return rc;
}
