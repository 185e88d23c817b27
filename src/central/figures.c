/*
 * figures.c: the report's figures kept as records arrive (see figures.h). Each stored record's
 * interview or call is read before and after the report tables change and the difference goes
 * into the study's counts; a touched case's disposition and a touched interviewer-day are
 * counted again from the report tables (by index, a few rows). A batch's changes are collected
 * in memory and written at its end in one sorted order, so that two batches stored side by side
 * on PostgreSQL wait for each other's rows without waiting in a circle.
 */
#include "cati/i18n.h"
#include "figures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/calls.h"

#define SEP "\x1e"

struct figures {
	struct central *c;
	char *study;          /* the study whose spec is loaded */
	json_t *spec;         /* its spec, or NULL: not kept */
	struct dbs *combo;    /* the segment values of a complete under spec */
	json_t *counts;       /* study SEP what -> delta */
	json_t *results;      /* study SEP q SEP combo -> [n, top] */
	json_t *people;       /* study SEP interviewer -> [deltas of the PEOPLE columns] */
	json_t *days;         /* study SEP interviewer SEP day -> {"full": count it all again, or "a": the
	                         calls and "i": the interviews the batch added to it, counted alone} */
	json_t *cases;        /* case key -> study: count its disposition again */
	json_t *ivs;          /* interviews of the batch -> study: over-quota flags */
	json_t *attempt_old;  /* the call being stored, before: [study, interviewer, day] */
	int attempt_was;
	int iv_was;           /* the interview being stored was stored before (a change, not a new one) */
	int alone;            /* in a writer that waits for every other (no locks needed) */
	struct {
		const char *sql;  /* a string constant: its address is the key */
		struct dbs *s;
	} cache[16];          /* statements prepared once per batch */
	struct buf final, contact, refusal;
};

/* The per-interviewer columns of fig_people, in order: cases, days, n, contacts, refusals, ms,
   ms_n, completes, min_ms, min_n. */
#define NPEOPLE 10

/* The outcome names of the calls layer that pass keep(), as a JSON array, or ",a,b," (csv). */
static void outcomes(struct buf *b, int (*keep)(const struct call_outcome *), int csv)
{
	const struct call_outcome *o;
	int i, n, k = 0;

	o = calls_outcomes(&n);
	buf_puts(b, csv ? "," : "[");
	for (i = 0; i < n; i++)
		if (!keep(&o[i]))
			continue;
		else if (csv)
			buf_printf(b, "%s,", o[i].name);
		else
			buf_printf(b, "%s\"%s\"", k++ ? "," : "", o[i].name);
	if (!csv)
		buf_puts(b, "]");
}

/* Outcomes that close a case, make a contact, or are refusals (the calls layer says which). */
static int final_of(const struct call_outcome *o) { return o->final; }
static int contact_of(const struct call_outcome *o) { return o->contact; }
static int refusal_of(const struct call_outcome *o) { return !strncmp(o->disposition, "2.11", 4); }

/* The calls layer's outcome lists the figures and the report both use: final as ",a,b,",
   contact and refusal as JSON arrays. */
void fig_outcome_lists(struct buf *final, struct buf *contact, struct buf *refusal)
{
	outcomes(final, final_of, 1);
	outcomes(contact, contact_of, 0);
	outcomes(refusal, refusal_of, 0);
}

/* A batch's figures: nothing changed yet, the calls layer's outcome lists at hand. */
struct figures *fig_begin(struct central *c, int alone)
{
	struct figures *f = xcalloc(1, sizeof *f);

	f->c = c;
	f->alone = alone;
	f->counts = json_object();
	f->results = json_object();
	f->people = json_object();
	f->days = json_object();
	f->cases = json_object();
	f->ivs = json_object();
	buf_init(&f->final);
	buf_init(&f->contact);
	buf_init(&f->refusal);
	fig_outcome_lists(&f->final, &f->contact, &f->refusal);
	return f;
}

/* Free the batch's figures and its prepared statements. */
void fig_free(struct figures *f)
{
	if (!f)
		return;
	free(f->study);
	json_decref(f->spec);
	db_finalize(f->combo);
	for (size_t i = 0; i < sizeof f->cache / sizeof f->cache[0]; i++)
		db_finalize(f->cache[i].s);
	json_decref(f->counts);
	json_decref(f->results);
	json_decref(f->people);
	json_decref(f->days);
	json_decref(f->cases);
	json_decref(f->ivs);
	json_decref(f->attempt_old);
	buf_release(&f->final);
	buf_release(&f->contact);
	buf_release(&f->refusal);
	free(f);
}

/* The statement for sql (a string constant), prepared once per batch: DB_OK or DB_ERROR. */
static int fig_prepare(struct figures *f, const char *sql, struct dbs **s)
{
	size_t i;

	for (i = 0; i < sizeof f->cache / sizeof f->cache[0] && f->cache[i].sql; i++)
		if (f->cache[i].sql == sql) {
			*s = f->cache[i].s;
			return DB_OK;
		}
	if (db_prepare(f->c->db, sql, s) != DB_OK)
		return DB_ERROR;
	if (i < sizeof f->cache / sizeof f->cache[0]) {
		f->cache[i].sql = sql;
		f->cache[i].s = *s;
	}
	return DB_OK;
}

/* Done with a statement of fig_prepare's: ready for the next use (NULL is fine). */
static void fig_done(struct figures *f, struct dbs *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < sizeof f->cache / sizeof f->cache[0]; i++)
		if (f->cache[i].s == s) {
			db_reset(s);
			db_clear_bindings(s);
			return;
		}
	db_finalize(s);
}

/* Load study's spec (once per study in a row): 1 kept, 0 not kept, -1 on errors. */
static int load_spec(struct figures *f, const char *study)
{
	struct dbs *s;
	struct buf sql;
	json_t *seg;
	size_t i;
	int rc;

	if (!study)
		return 0;
	if (f->study && !strcmp(f->study, study))
		return f->spec != NULL;
	free(f->study);
	f->study = xstrdup(study);
	json_decref(f->spec);
	f->spec = NULL;
	db_finalize(f->combo);
	f->combo = NULL;
	if (db_prepare(f->c->db, "SELECT spec FROM fig_specs WHERE study = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	rc = db_step(s);
	if (rc == DB_ROW)
		f->spec = json_loads(db_column_text(s, 0), 0, NULL);
	db_finalize(s);
	if (rc != DB_ROW && rc != DB_DONE)
		return -1;
	if (!f->spec)
		return 0;
	/* a complete's segment values, as report.c's results() reads them */
	buf_init(&sql);
	buf_puts(&sql, "SELECT ''");
	seg = json_object_get(f->spec, "seg");
	for (i = 0; i < json_array_size(seg); i++)
		buf_printf(&sql, ", coalesce(json_extract(c.fields, ?%zu), '')", i + 2);
	buf_puts(&sql, ", coalesce(substr(i.ended_at, 1, 7), '') FROM interviews i JOIN cases c ON c.case_key = i.case_key"
	               " WHERE i.uuid = ?1");
	rc = db_prepare(f->c->db, buf_str(&sql), &f->combo) == DB_OK ? 1 : -1;
	buf_release(&sql);
	return rc;
}

/* Add n to the study's count what. */
static void count(struct figures *f, const char *study, const char *what, json_int_t n)
{
	struct buf k;
	json_t *x;

	if (!n)
		return;
	buf_init(&k);
	buf_printf(&k, "%s" SEP "%s", study, what);
	x = json_object_get(f->counts, buf_str(&k));
	if (x)
		json_integer_set(x, json_integer_value(x) + n);
	else
		json_object_set_new(f->counts, buf_str(&k), json_integer(n));
	buf_release(&k);
}

/* Add the deltas d[NPEOPLE] to the study's interviewer. */
static void person(struct figures *f, const char *study, const char *who, const json_int_t *d)
{
	struct buf k;
	json_t *x;
	int i;

	buf_init(&k);
	buf_printf(&k, "%s" SEP "%s", study, who);
	if (!(x = json_object_get(f->people, buf_str(&k)))) {
		x = json_array();
		for (i = 0; i < NPEOPLE; i++)
			json_array_append_new(x, json_integer(0));
		json_object_set_new(f->people, buf_str(&k), x);
	}
	for (i = 0; i < NPEOPLE; i++)
		json_integer_set(json_array_get(x, (size_t)i), json_integer_value(json_array_get(x, (size_t)i)) + d[i]);
	buf_release(&k);
}

/* The batch's entry of a study's interviewer-day, made when missing. */
static json_t *day_entry(struct figures *f, const char *study, const char *who, const char *day)
{
	struct buf k;
	json_t *x;

	buf_init(&k);
	buf_printf(&k, "%s" SEP "%s" SEP "%s", study, who, day);
	if (!(x = json_object_get(f->days, buf_str(&k)))) {
		x = json_pack("{s:b,s:[],s:[]}", "full", 0, "a", "i");
		json_object_set_new(f->days, buf_str(&k), x);
	}
	buf_release(&k);
	return x;
}

/* Remember to count the study's interviewer-day again, all of it, at the end of the batch. */
static void touch_day(struct figures *f, const char *study, const char *who, const char *day)
{
	json_object_set_new(day_entry(f, study, who, day), "full", json_true());
}

/* Remember a call ("a") or interview ("i") the batch added to an interviewer-day: at the end
   of the batch only the added ones are counted, onto the day's kept figures. */
static void add_day(struct figures *f, const char *study, const char *who, const char *day,
                    const char *what, const char *uuid)
{
	json_t *x = day_entry(f, study, who, day);

	if (!json_is_true(json_object_get(x, "full")))
		json_array_append_new(json_object_get(x, what), json_string(uuid));
}

/* The code of answer text v to question q (item 0: single; k: the grid's k-th), 1-6, or 0. */
static int answer_code(int item, const char *v)
{
	int k;

	for (k = 1; k < item && v; k++)
		if ((v = strchr(v, ',')) != NULL)
			v++;
	if (!v || v[0] < '1' || v[0] > '6' || (v[1] && v[1] != ','))
		return 0;
	return v[0] - '0';
}

/* Add sign times a complete's valid answers to the satisfaction questions under its segments. */
static int results_of(struct figures *f, const char *study, const char *iv, int sign)
{
	json_t *seg = json_object_get(f->spec, "seg"), *qs = json_object_get(f->spec, "q"), *q;
	struct buf combo, k;
	struct dbs *s = NULL;
	const char *m;
	size_t i, j;
	int rc, out = -1;

	if (!json_array_size(qs))
		return 0;
	buf_init(&combo);
	buf_init(&k);
	db_bind_text(f->combo, 1, iv);
	for (i = 0; i < json_array_size(seg); i++)
		db_bind_text(f->combo, (int)i + 2, json_string_value(json_array_get(json_array_get(seg, i), 1)));
	rc = db_step(f->combo);
	/* the complete's segment values, "k\x1fvalue" each after a NUL ("*" first: all
	   respondents): what is kept is each segment value's figures, not each combination's */
	buf_putc(&combo, '*');
	buf_putc(&combo, '\0');
	if (rc == DB_ROW)
		for (i = 0; i <= json_array_size(seg); i++) {
			buf_printf(&combo, "%zu\x1f%s", i, db_column_text(f->combo, (int)i + 1));
			buf_putc(&combo, '\0');
		}
	db_reset(f->combo);
	db_clear_bindings(f->combo);
	if (rc == DB_DONE) {
		out = 0;
		goto done;
	}
	if (rc != DB_ROW || fig_prepare(f, "SELECT qid, value FROM answers WHERE interview = ? AND iter = 0"
	                                         " AND state = 1", &s) != DB_OK)
		goto done;
	db_bind_text(s, 1, iv);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *qid = db_column_text(s, 0), *v = db_column_text(s, 1);

		json_array_foreach(qs, j, q) {
			int code;
			json_t *x;

			if (strcmp(json_string_value(json_array_get(q, 1)), qid) ||
			    !(code = answer_code((int)json_integer_value(json_array_get(q, 2)), v)))
				continue;
			for (m = combo.data; m < combo.data + combo.len; m += strlen(m) + 1) {
				buf_reset(&k);
				buf_printf(&k, "%s" SEP "%s" SEP "%s", study, json_string_value(json_array_get(q, 0)), m);
				if (!(x = json_object_get(f->results, buf_str(&k)))) {
					x = json_pack("[ii]", 0, 0);
					json_object_set_new(f->results, buf_str(&k), x);
				}
				json_integer_set(json_array_get(x, 0), json_integer_value(json_array_get(x, 0)) + sign);
				json_integer_set(json_array_get(x, 1), json_integer_value(json_array_get(x, 1)) + (code <= 2 ? sign : 0));
			}
		}
	}
	out = rc == DB_DONE ? 0 : -1;
done:
	fig_done(f, s);
	buf_release(&combo);
	buf_release(&k);
	return out;
}

/* What an interview counts, times sign (+1 now, -1 taken away): totals, results, its day
   (fresh: a new interview, added to its day's figures alone; else the day is counted again).
   With sign -1, notes in f->iv_was whether the interview was stored. */
static int interview_counts(struct figures *f, const char *iv, int sign, int fresh)
{
	struct dbs *s;
	int rc, out = 0;

	if (fig_prepare(f, "SELECT study, case_key, interviewer, status, duplicate, started_at FROM interviews"
	                         " WHERE uuid = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, iv);
	rc = db_step(s);
	if (sign < 0)
		f->iv_was = rc == DB_ROW;
	if (rc == DB_ROW) {
		char *study = xstrdup(db_column_text(s, 0)), *st = xstrdup(db_column_text(s, 3));
		int dup = db_column_int(s, 4) != 0, kept = load_spec(f, study);

		if (kept > 0) {
			count(f, study, "interviews", sign);
			count(f, study, "completes", !strcmp(st, "complete") && !dup ? sign : 0);
			count(f, study, "screenouts", !strcmp(st, "screenout") ? sign : 0);
			count(f, study, "duplicates", dup ? sign : 0);
			json_object_set_new(f->cases, db_column_text(s, 1), json_string(study));
			if (db_column_type(s, 5) != DB_NULL) {
				char day[11];
				snprintf(day, sizeof day, "%s", db_column_text(s, 5));
				if (fresh)
					add_day(f, study, db_column_text(s, 2), day, "i", iv);
				else
					touch_day(f, study, db_column_text(s, 2), day);
			}
			if (!strcmp(st, "complete") && !dup)
				out = results_of(f, study, iv, sign);
			json_object_set_new(f->ivs, iv, json_string(study));
		} else if (kept < 0) {
			out = -1;
		}
		free(study);
		free(st);
	} else if (rc != DB_DONE) {
		out = -1;
	}
	fig_done(f, s);
	return out;
}

/* The call uuid as stored: 1 with [study, interviewer, day] in *out, 0 when not stored, -1. */
static int attempt_now(struct figures *f, const char *uuid, json_t **out)
{
	struct dbs *s;
	int rc;

	*out = NULL;
	if (fig_prepare(f, "SELECT study, interviewer, substr(at, 1, 10) FROM attempts WHERE uuid = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, uuid);
	rc = db_step(s);
	if (rc == DB_ROW)
		*out = json_pack("[sss]", db_column_text(s, 0), db_column_text(s, 1), db_column_text(s, 2));
	fig_done(f, s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Take away (before) or add (after) what a stored record's interview or call counts. */
int fig_record(struct figures *f, const char *kind, json_t *d, const char *key, const char *study, int after)
{
	json_t *u = json_object_get(d, "uuid"), *iv = json_object_get(d, "interview"), *now = NULL;
	int was, kept;

	if (!f || !study || (kept = load_spec(f, study)) == 0)
		return 0;
	if (kept < 0)
		return -1;
	if (!strcmp(kind, "attempt") && json_is_string(u)) {
		if (!after) {
			json_decref(f->attempt_old);
			f->attempt_was = attempt_now(f, json_string_value(u), &f->attempt_old);
			return f->attempt_was < 0 ? -1 : 0;
		}
		if ((was = attempt_now(f, json_string_value(u), &now)) < 0)
			return -1;
		count(f, study, "attempts", was - f->attempt_was);
		if (f->attempt_old)
			touch_day(f, study, json_string_value(json_array_get(f->attempt_old, 1)),
			          json_string_value(json_array_get(f->attempt_old, 2)));
		if (now && f->attempt_old)
			touch_day(f, study, json_string_value(json_array_get(now, 1)), json_string_value(json_array_get(now, 2)));
		else if (now)   /* a new call: its day's figures grow by it alone */
			add_day(f, study, json_string_value(json_array_get(now, 1)), json_string_value(json_array_get(now, 2)),
			        "a", json_string_value(u));
		json_decref(now);
		json_decref(f->attempt_old);
		f->attempt_old = NULL;
		json_object_set_new(f->cases, key, json_string(study));
		return 0;
	}
	if (!strcmp(kind, "interview") && json_is_string(iv))
		return after ? interview_counts(f, json_string_value(iv), 1, !f->iv_was)
		             : interview_counts(f, json_string_value(iv), -1, 0);
	return 0;
}

/* The counted columns of a (study, interviewer, day): calls and interviews, as report.c reads
   them (?1 study, ?2 interviewer, ?3 day, ?4 contact outcomes, ?5 refusal outcomes), then the
   first and last time of the day; A and I narrow the calls and interviews counted. */
#define DAY_SQL_OF(A, I) \
	"SELECT sum(n), sum(contacts), sum(refusals)," \
	" CAST(round((julianday(max(hi)) - julianday(min(lo))) * 86400000) AS BIGINT), sum(completes), sum(min_ms)," \
	" sum(min_n), min(lo), max(hi) FROM (SELECT count(*) AS n, sum(outcome IN (SELECT value FROM json_each(?4))) AS contacts," \
	" sum(outcome IN (SELECT value FROM json_each(?5))) AS refusals, min(at) AS lo, max(at) AS hi, 0 AS completes," \
	" CAST(NULL AS BIGINT) AS min_ms, 0 AS min_n FROM attempts WHERE study = ?1 AND interviewer = ?2" \
	" AND substr(at, 1, 10) = ?3" A \
	" UNION ALL SELECT 0, 0, 0, min(started_at), max(coalesce(ended_at, started_at)), sum(status = 'complete')," \
	" sum(CASE WHEN status = 'complete' THEN CAST(round((julianday(ended_at) - julianday(started_at)) * 86400000) AS BIGINT) END)," \
	" count(CASE WHEN status = 'complete' THEN julianday(ended_at) - julianday(started_at) END)" \
	" FROM interviews WHERE study = ?1 AND interviewer = ?2 AND started_at IS NOT NULL" \
	" AND substr(started_at, 1, 10) = ?3" I ") AS u WHERE n > 0 OR lo IS NOT NULL"
/* the whole day */
#define DAY_SQL DAY_SQL_OF("", "")
/* only the calls ?6 and interviews ?7 (JSON arrays of uuids) */
#define DAY_ADDED_SQL DAY_SQL_OF(" AND uuid IN (SELECT value FROM json_each(?6))", \
                                 " AND uuid IN (SELECT value FROM json_each(?7))")
/* the span of two first and last times (?1, ?2 and ?3, ?4; NULL: none), as DAY_SQL takes it */
#define SPAN_SQL \
	"SELECT min(l), max(h), CAST(round((julianday(max(h)) - julianday(min(l))) * 86400000) AS BIGINT)" \
	" FROM (SELECT CAST(?1 AS TEXT) AS l, CAST(?2 AS TEXT) AS h UNION ALL SELECT CAST(?3 AS TEXT), CAST(?4 AS TEXT)) AS x"

/* Column i as an integer, and whether it is NULL. */
static json_int_t col(struct dbs *s, int i, int *null)
{
	*null = db_column_type(s, i) == DB_NULL;
	return *null ? 0 : (json_int_t)db_column_int64(s, i);
}

/* A day's row (n, contacts, refusals, ms, completes, min_ms, min_n) into the people columns it
   adds to: one day, its counts, and whether its ms were known. */
static void day_row(struct dbs *s, json_int_t *v)
{
	int null;

	v[1] = 1;
	v[2] = col(s, 0, &null);
	v[3] = col(s, 1, &null);
	v[4] = col(s, 2, &null);
	v[5] = col(s, 3, &null);
	v[6] = !null;
	v[7] = col(s, 4, &null);
	v[8] = col(s, 5, &null);
	v[9] = col(s, 6, &null);
}

/* Bind text v to parameter i, or NULL when v is NULL. */
static void bind_or_null(struct dbs *s, int i, const char *v)
{
	if (v)
		db_bind_text(s, i, v);
	else
		db_bind_null(s, i);
}

/* Write an interviewer-day's figures (v as day_row makes them, with its first and last time;
   any 0: it has none, so its row goes when had) and add what changed from old to the
   interviewer's figures. */
static int put_day(struct figures *f, const char *study, const char *who, const char *day, int had,
                   const json_int_t *old, int any, const json_int_t *v, const char *lo, const char *hi)
{
	struct dbs *w;
	json_int_t d[NPEOPLE];
	int rc, i;

	if (any)
		rc = fig_prepare(f, "INSERT INTO fig_days(study, interviewer, day, n, contacts, refusals, ms, completes,"
		                          " min_ms, min_n, lo, hi) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		                          " ON CONFLICT(study, interviewer, day) DO UPDATE SET n = excluded.n,"
		                          " contacts = excluded.contacts, refusals = excluded.refusals, ms = excluded.ms,"
		                          " completes = excluded.completes, min_ms = excluded.min_ms, min_n = excluded.min_n,"
		                          " lo = excluded.lo, hi = excluded.hi", &w);
	else if (had)
		rc = fig_prepare(f, "DELETE FROM fig_days WHERE study = ?1 AND interviewer = ?2 AND day = ?3", &w);
	else
		return 0;
	if (rc != DB_OK)
		return -1;
	db_bind_text(w, 1, study);
	db_bind_text(w, 2, who);
	db_bind_text(w, 3, day);
	if (any) {
		db_bind_int64(w, 4, v[2]);
		db_bind_int64(w, 5, v[3]);
		db_bind_int64(w, 6, v[4]);
		if (v[6])
			db_bind_int64(w, 7, v[5]);
		else
			db_bind_null(w, 7);
		db_bind_int64(w, 8, v[7]);
		db_bind_int64(w, 9, v[8]);
		db_bind_int64(w, 10, v[9]);
		bind_or_null(w, 11, lo);
		bind_or_null(w, 12, hi);
	}
	rc = db_step(w);
	fig_done(f, w);
	if (rc != DB_DONE)
		return -1;
	for (i = 0; i < NPEOPLE; i++)
		d[i] = (any ? v[i] : 0) - old[i];
	person(f, study, who, d);
	return 0;
}

/* An interviewer-day's kept row into old (day_row's columns) and its first and last time (NULL:
   not kept, a row from before they were): 1, 0 when there is no row, -1. */
static int old_day(struct figures *f, const char *study, const char *who, const char *day, json_int_t *old,
                   char **lo, char **hi)
{
	struct dbs *s;
	int rc;

	*lo = *hi = NULL;
	if (fig_prepare(f, "SELECT n, contacts, refusals, ms, completes, min_ms, min_n, lo, hi FROM fig_days"
	                         " WHERE study = ?1 AND interviewer = ?2 AND day = ?3", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, who);
	db_bind_text(s, 3, day);
	if ((rc = db_step(s)) == DB_ROW) {
		day_row(s, old);
		if (db_column_type(s, 7) != DB_NULL && db_column_type(s, 8) != DB_NULL) {
			*lo = xstrdup(db_column_text(s, 7));
			*hi = xstrdup(db_column_text(s, 8));
		}
	}
	fig_done(f, s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Count one interviewer-day again; the difference goes to the interviewer's figures. */
static int recount_day(struct figures *f, const char *study, const char *who, const char *day)
{
	struct dbs *s = NULL;
	json_int_t old[NPEOPLE] = { 0 }, now[NPEOPLE] = { 0 };
	char *olo, *ohi, *lo = NULL, *hi = NULL;
	int rc, any = 0, had;

	if ((had = old_day(f, study, who, day, old, &olo, &ohi)) < 0)
		return -1;
	free(olo);
	free(ohi);
	if (fig_prepare(f, DAY_SQL, &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, who);
	db_bind_text(s, 3, day);
	db_bind_text(s, 4, buf_str(&f->contact));
	db_bind_text(s, 5, buf_str(&f->refusal));
	rc = db_step(s);
	if (rc == DB_ROW && db_column_type(s, 0) != DB_NULL) {
		any = 1;
		day_row(s, now);
		lo = db_column_type(s, 7) != DB_NULL ? xstrdup(db_column_text(s, 7)) : NULL;
		hi = db_column_type(s, 8) != DB_NULL ? xstrdup(db_column_text(s, 8)) : NULL;
	}
	fig_done(f, s);
	rc = rc != DB_ROW && rc != DB_DONE ? -1 : put_day(f, study, who, day, had, old, any, now, lo, hi);
	free(lo);
	free(hi);
	return rc;
}

/* Add the calls (a) and interviews (i) the batch added to an interviewer-day onto its kept
   figures, counting them alone; a day kept without its first and last time (from before they
   were kept) is counted again. */
static int grow_day(struct figures *f, const char *study, const char *who, const char *day, json_t *a, json_t *i)
{
	struct dbs *s = NULL;
	json_int_t old[NPEOPLE] = { 0 }, add[NPEOPLE] = { 0 }, now[NPEOPLE];
	char *olo, *ohi, *alo = NULL, *ahi = NULL, *lo = NULL, *hi = NULL, *ja, *ji;
	int rc, had, k, null = 1;

	if ((had = old_day(f, study, who, day, old, &olo, &ohi)) < 0)
		return -1;
	if (had && !olo) {
		free(ohi);
		return recount_day(f, study, who, day);
	}
	ja = json_dumps(a, JSON_COMPACT);
	ji = json_dumps(i, JSON_COMPACT);
	rc = fig_prepare(f, DAY_ADDED_SQL, &s) == DB_OK ? 0 : -1;
	if (rc == 0) {
		db_bind_text(s, 1, study);
		db_bind_text(s, 2, who);
		db_bind_text(s, 3, day);
		db_bind_text(s, 4, buf_str(&f->contact));
		db_bind_text(s, 5, buf_str(&f->refusal));
		db_bind_text(s, 6, ja);
		db_bind_text(s, 7, ji);
		k = db_step(s);
		if (k == DB_ROW && db_column_type(s, 0) != DB_NULL) {
			day_row(s, add);
			alo = db_column_type(s, 7) != DB_NULL ? xstrdup(db_column_text(s, 7)) : NULL;
			ahi = db_column_type(s, 8) != DB_NULL ? xstrdup(db_column_text(s, 8)) : NULL;
		} else if (k != DB_DONE && k != DB_ROW) {
			rc = -1;
		}
		fig_done(f, s);
	}
	free(ja);
	free(ji);
	if (rc == 0 && !add[1]) {   /* nothing of the day after all */
		free(olo);
		free(ohi);
		return 0;
	}
	/* the day's span from its first and last time, old and added, as DAY_SQL takes it */
	if (rc == 0 && (rc = fig_prepare(f, SPAN_SQL, &s) == DB_OK ? 0 : -1) == 0) {
		bind_or_null(s, 1, olo);
		bind_or_null(s, 2, ohi);
		bind_or_null(s, 3, alo);
		bind_or_null(s, 4, ahi);
		if (db_step(s) == DB_ROW) {
			lo = db_column_type(s, 0) != DB_NULL ? xstrdup(db_column_text(s, 0)) : NULL;
			hi = db_column_type(s, 1) != DB_NULL ? xstrdup(db_column_text(s, 1)) : NULL;
			null = db_column_type(s, 2) == DB_NULL;
			now[5] = null ? 0 : (json_int_t)db_column_int64(s, 2);
		} else {
			rc = -1;
		}
		fig_done(f, s);
	}
	if (rc == 0) {
		for (k = 0; k < NPEOPLE; k++)
			now[k] = k == 5 ? now[5] : old[k] + add[k];
		now[0] = 0;
		now[1] = 1;
		now[6] = !null;
		rc = put_day(f, study, who, day, had, old, 1, now, lo, hi);
	}
	free(olo);
	free(ohi);
	free(alo);
	free(ahi);
	free(lo);
	free(hi);
	return rc;
}

/* The key of a case's disposition count: "d" code, then the quota cells of an open case. */
static void disposition_key(json_t *spec, const char *code, int open, const char *fields, struct buf *k)
{
	json_t *fj = open ? json_loads(fields, 0, NULL) : NULL, *cells = json_array(), *q;
	size_t i, j;
	char *dump;

	buf_printf(k, "d:%s\x1f", code);
	json_array_foreach(json_object_get(spec, "quotas"), i, q) {
		struct buf cell;
		int ok = 1;

		if (!fj)
			break;
		buf_init(&cell);
		for (j = 0; j < json_array_size(json_array_get(q, 1)) && ok; j++) {
			json_t *v = json_object_get(fj, json_string_value(json_array_get(json_array_get(q, 1), j)));
			if (j)
				buf_putc(&cell, ',');
			if (json_is_string(v))
				buf_puts(&cell, json_string_value(v));
			else if (json_is_integer(v))
				buf_printf(&cell, "%lld", (long long)json_integer_value(v));
			else
				ok = 0;
		}
		if (ok)
			json_array_append_new(cells, json_pack("[ss]", json_string_value(json_array_get(q, 0)), buf_str(&cell)));
		buf_release(&cell);
	}
	if (json_array_size(cells)) {
		dump = json_dumps(cells, JSON_COMPACT);
		buf_puts(k, dump);
		free(dump);
	}
	json_decref(cells);
	json_decref(fj);
}

/* Count n cases' dispositions again (as report.c's dispositions() would find them), the cases
   all of study: a few statements for many cases, not a few for each. */
static int recount_cases(struct figures *f, const char *const *keys, int n, const char *study)
{
	json_t *old = json_object(), *now = json_object();
	struct dbs *s = NULL;
	struct buf sql, k;
	int rc = -1, kept, i, m, rows;

	if ((kept = load_spec(f, study)) <= 0) {
		json_decref(old);
		json_decref(now);
		return kept;
	}
	buf_init(&sql);
	buf_init(&k);
	/* what each was counted as, and what it is now */
	buf_puts(&sql, "SELECT f.case_key, f.what FROM ");
	central_key_rows(&sql, 1, n);
	buf_puts(&sql, " JOIN fig_cases f ON f.case_key = k.column1");
	if (db_prepare(f->c->db, buf_str(&sql), &s) != DB_OK)
		goto out;
	for (i = 0; i < n; i++)
		db_bind_text(s, i + 1, keys[i]);
	while ((m = db_step(s)) == DB_ROW)
		json_object_set_new(old, db_column_text(s, 0), json_string(db_column_text(s, 1) ? db_column_text(s, 1) : ""));
	db_finalize(s);
	s = NULL;
	if (m != DB_DONE)
		goto out;
	buf_reset(&sql);
	buf_puts(&sql, "SELECT c.case_key, CASE"
		" WHEN EXISTS (SELECT 1 FROM interviews i WHERE i.case_key = c.case_key AND i.status = 'complete') THEN '1.1'"
		" WHEN (SELECT instr(?2, ',' || a.outcome || ',') > 0 FROM attempts a WHERE a.study = ?1"
		"  AND a.case_key = c.case_key ORDER BY a.at DESC, a.rowid DESC LIMIT 1)"
		" THEN (SELECT a.disposition FROM attempts a WHERE a.study = ?1 AND a.case_key = c.case_key"
		"  ORDER BY a.at DESC, a.rowid DESC LIMIT 1)"
		" ELSE coalesce((SELECT a.disposition FROM attempts a WHERE a.study = ?1 AND a.case_key = c.case_key"
		"  AND a.disposition LIKE '2.%' ORDER BY a.at DESC, a.rowid DESC LIMIT 1),"
		" (SELECT a.disposition FROM attempts a WHERE a.study = ?1 AND a.case_key = c.case_key"
		"  AND a.disposition IS NOT NULL ORDER BY a.at DESC, a.rowid DESC LIMIT 1), '3.11') END,"
		" CASE WHEN EXISTS (SELECT 1 FROM interviews i WHERE i.case_key = c.case_key) THEN 0"
		" WHEN (SELECT instr(?2, ',' || a.outcome || ',') > 0 FROM attempts a WHERE a.study = ?1"
		"  AND a.case_key = c.case_key ORDER BY a.at DESC, a.rowid DESC LIMIT 1) THEN 0 ELSE 1 END, c.fields"
		" FROM ");
	central_key_rows(&sql, 3, n);
	buf_puts(&sql, " JOIN cases c ON c.case_key = k.column1 WHERE c.study = ?1");
	if (db_prepare(f->c->db, buf_str(&sql), &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, buf_str(&f->final));
	for (i = 0; i < n; i++)
		db_bind_text(s, i + 3, keys[i]);
	while ((m = db_step(s)) == DB_ROW) {
		buf_reset(&k);
		if (db_column_type(s, 1) != DB_NULL)
			disposition_key(f->spec, db_column_text(s, 1), db_column_int(s, 2), db_column_text(s, 3), &k);
		json_object_set_new(now, db_column_text(s, 0), json_string(buf_str(&k)));
	}
	db_finalize(s);
	s = NULL;
	if (m != DB_DONE)
		goto out;
	/* the changes counted, and the cases' new keys kept, many rows a statement */
	for (i = 0; i < n; i += rows) {
		int j, p = 0, w;

		buf_reset(&sql);
		buf_puts(&sql, "INSERT INTO fig_cases(case_key, study, what) VALUES ");
		for (j = i, rows = 0; j < n && rows < CENTRAL_ROWS; j++, rows++) {
			buf_puts(&sql, rows ? ", (" : "(");
			central_placeholders(&sql, 3 * rows + 1, 3);
			buf_puts(&sql, ")");
		}
		buf_puts(&sql, " ON CONFLICT(case_key) DO UPDATE SET what = excluded.what");
		if (db_prepare(f->c->db, buf_str(&sql), &s) != DB_OK)
			goto out;
		for (j = i; j < i + rows; j++) {
			const char *was = json_string_value(json_object_get(old, keys[j]));
			const char *is = json_string_value(json_object_get(now, keys[j]));

			if (!is)
				is = "";
			if (was && !strcmp(was, is)) {
				/* unchanged: written again as it is (the statement's rows are all bound) */
			} else {
				if (was)
					count(f, study, was, -1);
				if (*is)
					count(f, study, is, 1);
			}
			w = 3 * p++;
			db_bind_text(s, w + 1, keys[j]);
			db_bind_text(s, w + 2, study);
			db_bind_text(s, w + 3, is);
		}
		m = db_step(s);
		db_finalize(s);
		s = NULL;
		if (m != DB_DONE)
			goto out;
	}
	rc = 0;
out:
	db_finalize(s);
	buf_release(&sql);
	buf_release(&k);
	json_decref(old);
	json_decref(now);
	return rc;
}

/* Count a case imported and move it between interviewers (see figures.h). */
int fig_case(struct figures *f, const char *key, const char *study, const char *interviewer, int existed,
             const char *was)
{
	json_int_t d[NPEOPLE] = { 0 };
	int kept;

	(void)key;
	if ((kept = load_spec(f, study)) <= 0)
		return kept;
	if (!existed)
		count(f, study, "cases", 1);
	if (was) {
		d[0] = -1;
		person(f, study, was, d);
	}
	if (interviewer) {
		d[0] = 1;
		person(f, study, interviewer, d);
	}
	return 0;
}

/* A case the import wrote: its disposition is counted again at fig_settle. */
int fig_case_written(struct figures *f, const char *key, const char *study)
{
	int kept;

	if ((kept = load_spec(f, study)) <= 0)
		return kept;
	json_object_set_new(f->cases, key, json_string(study));
	return 0;
}

/* Over-quota flags of the batch's interviews: fig_over follows interview_cells, and each
   cell's count of completes over quota ("o:quota,cell") and the interviews over any quota too. */
static int recount_over(struct figures *f)
{
	struct dbs *before = NULL, *news = NULL, *ins = NULL, *at = NULL;
	const char *iv;
	json_t *v;
	int rc = -1, step;

	if (!json_object_size(f->ivs))
		return 0;
	if (db_prepare(f->c->db, "SELECT count(*) FROM fig_over WHERE interview = ?", &before) != DB_OK ||
	    db_prepare(f->c->db, "SELECT ic.quota, ic.cell, coalesce(i.ended_at, i.updated_at) FROM interview_cells ic"
	                         " JOIN interviews i ON i.uuid = ic.interview WHERE ic.interview = ?1 AND ic.over <> 0"
	                         " AND NOT EXISTS (SELECT 1 FROM fig_over o WHERE o.interview = ic.interview AND o.quota = ic.quota)",
	                         &news) != DB_OK ||
	    db_prepare(f->c->db, "INSERT INTO fig_over(interview, quota, study, cell, at) VALUES (?, ?, ?, ?, ?)", &ins) != DB_OK ||
	    db_prepare(f->c->db, "UPDATE fig_over SET at = (SELECT coalesce(i.ended_at, i.updated_at) FROM interviews i"
	                         " WHERE i.uuid = ?1) WHERE interview = ?1", &at) != DB_OK)
		goto out;
	json_object_foreach(f->ivs, iv, v) {
		const char *study = json_string_value(v);
		json_t *rows = json_array(), *x;
		size_t i;
		int had;

		db_bind_text(before, 1, iv);
		if (db_step(before) != DB_ROW) {
			json_decref(rows);
			goto out;
		}
		had = db_column_int(before, 0) > 0;
		db_reset(before);
		db_bind_text(news, 1, iv);
		while ((step = db_step(news)) == DB_ROW)
			json_array_append_new(rows, json_pack("[sss?]", db_column_text(news, 0), db_column_text(news, 1),
			                                      db_column_text(news, 2)));
		db_reset(news);
		if (step != DB_DONE) {
			json_decref(rows);
			goto out;
		}
		json_array_foreach(rows, i, x) {
			struct buf k;

			db_bind_text(ins, 1, iv);
			db_bind_text(ins, 2, json_string_value(json_array_get(x, 0)));
			db_bind_text(ins, 3, study);
			db_bind_text(ins, 4, json_string_value(json_array_get(x, 1)));
			if (json_is_string(json_array_get(x, 2)))
				db_bind_text(ins, 5, json_string_value(json_array_get(x, 2)));
			else
				db_bind_null(ins, 5);
			step = db_step(ins);
			db_reset(ins);
			if (step != DB_DONE) {
				json_decref(rows);
				goto out;
			}
			buf_init(&k);
			buf_printf(&k, "o:%s,%s", json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(x, 1)));
			count(f, study, buf_str(&k), 1);
			buf_release(&k);
		}
		if (!had && json_array_size(rows))
			count(f, study, "over_quota", 1);
		json_decref(rows);
		db_bind_text(at, 1, iv);
		if (db_step(at) != DB_DONE)
			goto out;
		db_reset(at);
	}
	rc = 0;
out:
	db_finalize(before);
	db_finalize(news);
	db_finalize(ins);
	db_finalize(at);
	return rc;
}

/* strcmp for qsort over an array of strings. */
static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of o, sorted (free the array, not the keys). */
static const char **sorted_keys(json_t *o, size_t *n)
{
	const char **k = xmalloc((json_object_size(o) + 1) * sizeof *k), *key;
	json_t *v;

	*n = 0;
	json_object_foreach(o, key, v)
		k[(*n)++] = key;
	qsort(k, *n, sizeof *k, key_cmp);
	return k;
}

/* Split "a SEP b [SEP c]" into parts (in place in a copy); returns the copy to free. */
static char *split(const char *key, char **p, int n)
{
	char *c = xstrdup(key), *s = c;
	int i;

	for (i = 0; i < n; i++) {
		p[i] = s;
		if (i < n - 1 && (s = strstr(s, SEP)) != NULL)
			*s++ = '\0';
		else if (i < n - 1)
			s = c + strlen(c);
	}
	return c;
}

/* Hold the lock named prefix key to the end of the transaction: 0 or -1. */
static int fig_lock(struct figures *f, const char *prefix, const char *key)
{
	struct buf b;
	int rc;

	buf_init(&b);
	buf_printf(&b, "%s%s", prefix, key);
	rc = db_lock(f->c->db, buf_str(&b)) == DB_OK ? 0 : -1;
	buf_release(&b);
	return rc;
}

/* Count the touched interviewer-days and cases again (once; fig_finish calls it too). */
int fig_settle(struct figures *f)
{
	const char **k;
	size_t n, i;
	int j = 0, m = 1;
	char *p[3], *copy;
	json_t *dx;

	if (!f)
		return 0;
	/* a day or case is counted again from what is committed: two batches stored side by side
	   on PostgreSQL take turns (locks taken in one sorted order: days, then cases) */
	k = sorted_keys(f->days, &n);
	for (i = 0; i < n && j == 0; i++) {
		if (!f->alone && fig_lock(f, "fig day ", k[i]) < 0) {
			j = -1;
			break;
		}
		dx = json_object_get(f->days, k[i]);
		copy = split(k[i], p, 3);
		j = json_is_true(json_object_get(dx, "full")) ? recount_day(f, p[0], p[1], p[2])
		    : grow_day(f, p[0], p[1], p[2], json_object_get(dx, "a"), json_object_get(dx, "i"));
		free(copy);
	}
	free(k);
	if (j < 0)
		return -1;
	k = sorted_keys(f->cases, &n);
	for (i = 0; i < n && j == 0; i++)
		if (!f->alone && fig_lock(f, "fig case ", k[i]) < 0)
			j = -1;
	/* the locked cases counted again, a study's cases CENTRAL_KEYS at a time */
	for (i = 0; i < n && j == 0; i += (size_t)m) {
		const char *study = json_string_value(json_object_get(f->cases, k[i]));

		for (m = 1; i + (size_t)m < n && m < CENTRAL_KEYS &&
		            !strcmp(study, json_string_value(json_object_get(f->cases, k[i + (size_t)m]))); m++)
			;
		j = recount_cases(f, k + i, m, study);
	}
	free(k);
	/* what they add waits in f->counts and f->people for fig_finish */
	json_object_clear(f->days);
	json_object_clear(f->cases);
	return j;
}

/* Count the touched days and cases again, then write the batch's changes in sorted order. */
int fig_finish(struct figures *f)
{
	struct dbs *s = NULL;
	const char **k = NULL;
	size_t n, i;
	int rc = -1, j;
	char *p[3], *copy;

	if (!f)
		return 0;
	/* the days and cases first: they add to the counts */
	if (fig_settle(f) < 0)
		goto out;
	if (recount_over(f) < 0)
		goto out;
	k = sorted_keys(f->counts, &n);
	if (db_prepare(f->c->db, "INSERT INTO fig_counts(study, what, n) VALUES (?1, ?2, ?3)"
	                         " ON CONFLICT(study, what) DO UPDATE SET n = fig_counts.n + excluded.n", &s) != DB_OK)
		goto out;
	for (i = 0; i < n; i++) {
		json_int_t d = json_integer_value(json_object_get(f->counts, k[i]));
		if (!d)
			continue;
		copy = split(k[i], p, 2);
		db_bind_text(s, 1, p[0]);
		db_bind_text(s, 2, p[1]);
		db_bind_int64(s, 3, d);
		j = db_step(s);
		db_reset(s);
		free(copy);
		if (j != DB_DONE)
			goto out;
	}
	db_finalize(s);
	free(k);
	k = sorted_keys(f->results, &n);
	if (db_prepare(f->c->db, "INSERT INTO fig_results(study, q, combo, n, top) VALUES (?1, ?2, ?3, ?4, ?5)"
	                         " ON CONFLICT(study, q, combo) DO UPDATE SET n = fig_results.n + excluded.n,"
	                         " top = fig_results.top + excluded.top", &s) != DB_OK)
		goto out;
	for (i = 0; i < n; i++) {
		json_t *x = json_object_get(f->results, k[i]);
		if (!json_integer_value(json_array_get(x, 0)) && !json_integer_value(json_array_get(x, 1)))
			continue;
		copy = split(k[i], p, 3);
		db_bind_text(s, 1, p[0]);
		db_bind_text(s, 2, p[1]);
		db_bind_text(s, 3, p[2]);
		db_bind_int64(s, 4, json_integer_value(json_array_get(x, 0)));
		db_bind_int64(s, 5, json_integer_value(json_array_get(x, 1)));
		j = db_step(s);
		db_reset(s);
		free(copy);
		if (j != DB_DONE)
			goto out;
	}
	db_finalize(s);
	free(k);
	k = sorted_keys(f->people, &n);
	if (db_prepare(f->c->db, "INSERT INTO fig_people(study, interviewer, cases, days, n, contacts, refusals, ms, ms_n,"
	                         " completes, min_ms, min_n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	                         " ON CONFLICT(study, interviewer) DO UPDATE SET cases = fig_people.cases + excluded.cases,"
	                         " days = fig_people.days + excluded.days, n = fig_people.n + excluded.n,"
	                         " contacts = fig_people.contacts + excluded.contacts,"
	                         " refusals = fig_people.refusals + excluded.refusals, ms = fig_people.ms + excluded.ms,"
	                         " ms_n = fig_people.ms_n + excluded.ms_n, completes = fig_people.completes + excluded.completes,"
	                         " min_ms = fig_people.min_ms + excluded.min_ms, min_n = fig_people.min_n + excluded.min_n", &s) != DB_OK)
		goto out;
	for (i = 0; i < n; i++) {
		json_t *x = json_object_get(f->people, k[i]);
		copy = split(k[i], p, 2);
		db_bind_text(s, 1, p[0]);
		db_bind_text(s, 2, p[1]);
		for (j = 0; j < NPEOPLE; j++)
			db_bind_int64(s, 3 + j, json_integer_value(json_array_get(x, (size_t)j)));
		j = db_step(s);
		db_reset(s);
		free(copy);
		if (j != DB_DONE)
			goto out;
	}
	rc = 0;
out:
	db_finalize(s);
	free(k);
	json_object_clear(f->counts);
	json_object_clear(f->results);
	json_object_clear(f->people);
	json_object_clear(f->days);
	json_object_clear(f->cases);
	json_object_clear(f->ivs);
	return rc;
}

/* Run sql with study as ?1; 0 or -1. */
static int run1(struct central *c, const char *sql, const char *study)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, sql, &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Each row of sql (?1 study) as its first column's text, into a JSON array. */
static json_t *column_of(struct central *c, const char *sql, const char *study)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, sql, &s) != DB_OK) {
		json_decref(a);
		return NULL;
	}
	db_bind_text(s, 1, study);
	while ((rc = db_step(s)) == DB_ROW)
		json_array_append_new(a, json_string(db_column_text(s, 0)));
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* Throw away study's figures and count them again from the report tables under spec. */
int fig_rebuild(struct central *c, const char *study, const char *spec)
{
	static const char *const clear[] = {
		"DELETE FROM fig_specs WHERE study = ?1", "DELETE FROM fig_counts WHERE study = ?1",
		"DELETE FROM fig_cases WHERE study = ?1", "DELETE FROM fig_days WHERE study = ?1",
		"DELETE FROM fig_people WHERE study = ?1", "DELETE FROM fig_results WHERE study = ?1",
		"DELETE FROM fig_over WHERE study = ?1",
	};
	struct figures *f = fig_begin(c, 1);
	struct dbs *s = NULL;
	json_t *a = NULL, *x;

	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof clear / sizeof clear[0]; i++)
		if (run1(c, clear[i], study) < 0)
			goto out;
	if (db_prepare(c->db, "INSERT INTO fig_specs(study, spec) VALUES (?, ?)", &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, spec);
	if (db_step(s) != DB_DONE)
		goto out;
	db_finalize(s);
	s = NULL;
	if (load_spec(f, study) <= 0 ||
	    run1(c, "INSERT INTO fig_counts(study, what, n) SELECT ?1, 'cases', count(*) FROM cases WHERE study = ?1", study) < 0 ||
	    run1(c, "INSERT INTO fig_counts(study, what, n) SELECT ?1, 'attempts', count(*) FROM attempts WHERE study = ?1", study) < 0 ||
	    run1(c, "INSERT INTO fig_people(study, interviewer, cases, days, n, contacts, refusals, ms, ms_n, completes,"
	            " min_ms, min_n) SELECT ?1, interviewer, count(*), 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM cases"
	            " WHERE study = ?1 AND interviewer IS NOT NULL GROUP BY interviewer", study) < 0 ||
	    !(a = column_of(c, "SELECT uuid FROM interviews WHERE study = ?1", study)))
		goto out;
	json_array_foreach(a, i, x)
		if (interview_counts(f, json_string_value(x), 1, 0) < 0)
			goto out;
	json_decref(a);
	if (!(a = column_of(c, "SELECT DISTINCT interviewer || '" SEP "' || substr(at, 1, 10) FROM attempts WHERE study = ?1", study)))
		goto out;
	json_array_foreach(a, i, x) {
		char *p[2], *copy = split(json_string_value(x), p, 2);
		touch_day(f, study, p[0], p[1]);
		free(copy);
	}
	json_decref(a);
	if (!(a = column_of(c, "SELECT case_key FROM cases WHERE study = ?1", study)))
		goto out;
	json_array_foreach(a, i, x)
		json_object_set_new(f->cases, json_string_value(x), json_string(study));
	rc = fig_finish(f);
out:
	db_finalize(s);
	json_decref(a);
	fig_free(f);
	return rc;
}

/* Rebuild each study's figures whose spec is missing or not its form's any longer. */
int fig_refresh(struct central *c, struct err *e)
{
	json_t *studies;
	size_t i;
	json_t *x;

	if (db_begin(c->db, DB_READ) != DB_OK)
		return central_fail(c, N_("read the studies"), e);
	studies = column_of(c, "SELECT DISTINCT form_id FROM forms WHERE ?1 = ?1", "");
	db_commit(c->db);
	if (!studies)
		return central_fail(c, N_("read the studies"), e);
	json_array_foreach(studies, i, x) {
		const char *study = json_string_value(x);
		char *spec = report_spec(c, study);
		struct dbs *s;
		int same = 0, rc;

		if (!spec)
			continue;
		if (db_begin(c->db, DB_WRITE) != DB_OK) {
			free(spec);
			json_decref(studies);
			return central_fail(c, N_("keep the report's figures"), e);
		}
		rc = db_prepare(c->db, "SELECT spec FROM fig_specs WHERE study = ?", &s) == DB_OK ? 0 : -1;
		if (rc == 0) {
			db_bind_text(s, 1, study);
			same = db_step(s) == DB_ROW && !strcmp(db_column_text(s, 0), spec);
			db_finalize(s);
		}
		/* PostgreSQL: the figures' tables fill up in this one transaction, where a plan made
		   for them empty (a scan of the table) would be kept for every lookup after */
		if (rc == 0 && !same && db_is_pg(c->db))
			rc = db_exec(c->db, "SET LOCAL plan_cache_mode = force_custom_plan") == DB_OK ? 0 : -1;
		if (rc == 0 && !same)
			rc = fig_rebuild(c, study, spec);
		free(spec);
		if (rc < 0 || db_commit(c->db) != DB_OK) {
			central_fail(c, N_("build the report's figures"), e);
			db_rollback(c->db);
			json_decref(studies);
			return -1;
		}
	}
	json_decref(studies);
	return 0;
}
