/* cases.c: forms published to the store and cases imported for a study. */
#include "cati/i18n.h"
#include "central-int.h"

#include "figures.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keep a form's source under its hash, with a change number, once. */
int central_form_put(struct central *c, const char *form_id, const char *version,
                     const char *source, char hash[65], struct err *e)
{
	unsigned char h[32];
	struct dbs *s;
	int rc;

	crypto_generichash(h, sizeof h, (const unsigned char *)source, strlen(source), NULL, 0);
	sodium_bin2hex(hash, 65, h, sizeof h);
	if (db_begin(c->db, 1) != DB_OK)
		return central_fail(c, N_("publish the form"), e);
	if (db_prepare(c->db, "INSERT INTO forms(hash, form_id, version, source, seq, published_at)"
	                              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", &s) != DB_OK) {
		db_rollback(c->db);
		return central_fail(c, N_("publish the form"), e);
	}
	db_bind_text(s, 1, hash);
	db_bind_text(s, 2, form_id);
	db_bind_text(s, 3, version);
	db_bind_text(s, 4, source);
	db_bind_int64(s, 5, central_next_seq(c));
	db_bind_int64(s, 6, (int64_t)time(NULL));
	rc = db_step(s);
	db_finalize(s);
	if (rc != DB_DONE || db_commit(c->db) != DB_OK) {
		central_fail(c, N_("publish the form"), e);
		db_rollback(c->db);
		return -1;
	}
	return fig_refresh(c, e);
}

/* The string under key k of o, or NULL. */
const char *central_jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Append "?from, ..., ?from+n-1" (see central-int.h). */
void central_placeholders(struct buf *sql, int from, int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_printf(sql, i ? ", ?%d" : "?%d", from + i);
}

/* Append "(VALUES (?from), ...) AS k" (see central-int.h). */
void central_key_rows(struct buf *sql, int from, int n)
{
	int i;

	buf_puts(sql, "(VALUES ");
	for (i = 0; i < n; i++)
		buf_printf(sql, i ? ", (?%d)" : "(?%d)", from + i);
	buf_puts(sql, ") AS k");
}

/* The cases of the import the store has already, as known {id: [study, interviewer or null]}:
   CENTRAL_KEYS ids a query. 0 or -1. */
static int known_cases(struct central *c, json_t *cases, json_t *known)
{
	size_t i, j, m, n = json_array_size(cases);
	struct buf sql;
	struct dbs *s;
	int rc = DB_DONE;

	buf_init(&sql);
	for (i = 0; i < n && rc == DB_DONE; i += m) {
		m = n - i < CENTRAL_KEYS ? n - i : CENTRAL_KEYS;
		buf_reset(&sql);
		buf_puts(&sql, "SELECT c.case_key, c.study, c.interviewer FROM ");
		central_key_rows(&sql, 1, (int)m);
		buf_puts(&sql, " JOIN cases c ON c.case_key = k.column1");
		if (db_prepare(c->db, buf_str(&sql), &s) != DB_OK) {
			rc = DB_ERROR;
			break;
		}
		for (j = 0; j < m; j++)
			db_bind_text(s, (int)j + 1, central_jstr(json_array_get(cases, i + j), "id"));
		while ((rc = db_step(s)) == DB_ROW)
			json_object_set_new(known, db_column_text(s, 0),
			                    json_pack("[ss?]", db_column_text(s, 1), db_column_text(s, 2)));
		db_finalize(s);
	}
	buf_release(&sql);
	return rc == DB_DONE ? 0 : -1;
}

/* Write cases[from, from + m) in one statement (m at most CENTRAL_ROWS), with change number seq;
   listed: the ids on the do-not-call list. 0 or -1. */
static int write_cases(struct central *c, const char *form_id, json_t *cases, size_t from, size_t m, int64_t seq,
                       json_t *listed)
{
	struct buf sql;
	struct dbs *s;
	size_t j;
	int rc;

	buf_init(&sql);
	buf_puts(&sql, "INSERT INTO cases(case_key, study, phone, name, tz, fields, interviewer, seq, dnc) VALUES ");
	for (j = 0; j < m; j++) {
		buf_puts(&sql, j ? ", (" : "(");
		central_placeholders(&sql, 9 * (int)j + 1, 9);
		buf_puts(&sql, ")");
	}
	buf_puts(&sql, " ON CONFLICT(case_key) DO UPDATE SET interviewer = excluded.interviewer, seq = excluded.seq");
	rc = db_prepare(c->db, buf_str(&sql), &s);
	buf_release(&sql);
	if (rc != DB_OK)
		return -1;
	for (j = 0; j < m; j++) {
		json_t *cs = json_array_get(cases, from + j), *fields = json_object_get(cs, "fields");
		char *fj = fields ? json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");
		int p = 9 * (int)j;

		db_bind_text(s, p + 1, central_jstr(cs, "id"));
		db_bind_text(s, p + 2, form_id);
		db_bind_text(s, p + 3, central_jstr(cs, "phone"));
		db_bind_text(s, p + 4, central_jstr(cs, "name"));
		db_bind_text(s, p + 5, central_jstr(cs, "tz"));
		db_bind_text_copy(s, p + 6, fj);
		db_bind_text(s, p + 7, central_jstr(cs, "interviewer"));
		db_bind_int64(s, p + 8, seq);
		db_bind_int(s, p + 9, json_object_get(listed, central_jstr(cs, "id")) != NULL);
		free(fj);
	}
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Add or reassign a study's cases in one transaction, numbered with one change number: a few
   statements for many cases (a year's sample of 20,000 in one request), not a few for each. */
int central_cases_put(struct central *c, const char *form_id, json_t *cases, enum central_dnc dnc, struct err *e)
{
	json_t *listed, *ids, *known = NULL, *dncs, *k;
	struct figures *fig = NULL;
	size_t i, m;
	json_t *cs;
	int rc = -1;
	int64_t seq;

	if (!json_is_array(cases)) {
		err_set(e, _("'cases' must be an array"));
		return -1;
	}
	ids = json_object();
	json_array_foreach(cases, i, cs) {
		json_t *twice;

		if (!json_is_object(cs) || !central_jstr(cs, "id") || !*central_jstr(cs, "id") || !central_jstr(cs, "phone")) {
			err_set(e, _("case %zu: needs an 'id' and a 'phone' (strings)"), i + 1);
			json_decref(ids);
			return -1;
		}
		if (json_object_get(cs, "fields") && !json_is_object(json_object_get(cs, "fields"))) {
			err_set(e, _("case %zu: 'fields' must be an object"), i + 1);
			json_decref(ids);
			return -1;
		}
		if (strlen(central_jstr(cs, "id")) > CENTRAL_MAX_KEY || strlen(central_jstr(cs, "phone")) > CENTRAL_MAX_KEY ||
		    (central_jstr(cs, "name") && strlen(central_jstr(cs, "name")) > CENTRAL_MAX_KEY) ||
		    (central_jstr(cs, "tz") && strlen(central_jstr(cs, "tz")) > CENTRAL_MAX_KEY) ||
		    (central_jstr(cs, "interviewer") && strlen(central_jstr(cs, "interviewer")) > CENTRAL_MAX_USER)) {
			err_set(e, _("case %zu: 'id', 'phone', 'name' and 'tz' are at most %d bytes, 'interviewer' %d"),
			        i + 1, CENTRAL_MAX_KEY, CENTRAL_MAX_USER);
			json_decref(ids);
			return -1;
		}
		if ((twice = json_object_get(ids, central_jstr(cs, "id")))) {
			err_set(e, _("case %zu: '%s' is in the request twice (also case %lld)"), i + 1, central_jstr(cs, "id"),
			        (long long)json_integer_value(twice));
			json_decref(ids);
			return -1;
		}
		json_object_set_new(ids, central_jstr(cs, "id"), json_integer((json_int_t)i + 1));
	}
	json_decref(ids);
	listed = json_object();
	/* a number on the do-not-call list: the import refused, or its case marked */
	dncs = json_array();
	if (dnc != CENTRAL_DNC_NONE && central_dnc_check_cases(c, cases, dnc == CENTRAL_DNC_FLAG, dncs, e) != 0) {
		json_decref(dncs);
		json_decref(listed);
		return -1;
	}
	json_array_foreach(dncs, i, k)
		json_object_set_new(listed, json_string_value(k), json_true());
	json_decref(dncs);
	if (db_begin(c->db, 1) != DB_OK) {
		json_decref(listed);
		return central_fail(c, N_("add the cases"), e);
	}
	known = json_object();
	if (known_cases(c, cases, known) < 0)
		goto out;
	json_array_foreach(cases, i, cs) {
		const char *study = json_string_value(json_array_get(json_object_get(known, central_jstr(cs, "id")), 0));

		if (study && strcmp(study, form_id)) {
			err_set(e, _("case %zu: '%s' is already a case of study '%s'"), i + 1, central_jstr(cs, "id"), study);
			db_rollback(c->db);
			json_decref(known);
			json_decref(listed);
			return -1;
		}
	}
	/* the import's cases take one change number: a pull brings them all or none */
	if ((seq = central_next_seq(c)) < 0)
		goto out;
	fig = fig_begin(c, 1);   /* begun as DB_WRITE above */
	json_array_foreach(cases, i, cs) {
		json_t *was = json_object_get(known, central_jstr(cs, "id"));

		if (fig_case(fig, central_jstr(cs, "id"), form_id, central_jstr(cs, "interviewer"), was != NULL,
		             json_string_value(json_array_get(was, 1))) < 0)
			goto out;
	}
	for (i = 0; i < json_array_size(cases); i += m) {
		m = json_array_size(cases) - i < CENTRAL_ROWS ? json_array_size(cases) - i : CENTRAL_ROWS;
		if (write_cases(c, form_id, cases, i, m, seq, listed) < 0)
			goto out;
	}
	json_array_foreach(cases, i, cs)
		if (fig_case_written(fig, central_jstr(cs, "id"), form_id) < 0)
			goto out;
	if (fig_finish(fig) == 0 && central_audit_pending(c, e) == 0 && db_commit(c->db) == DB_OK)
		rc = 0;
out:
	if (rc < 0) {
		central_fail(c, N_("add the cases"), e);
		db_rollback(c->db);
	}
	fig_free(fig);
	json_decref(known);
	json_decref(listed);
	return rc;
}
