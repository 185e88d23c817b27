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

/* Add or reassign a study's cases in one transaction, numbered with one change number. */
int central_cases_put(struct central *c, const char *form_id, json_t *cases, enum central_dnc dnc, struct err *e)
{
	json_t *listed;
	struct figures *fig = NULL;
	struct dbs *s = NULL;
	size_t i, k;
	json_t *cs;
	int rc = -1;
	int64_t seq;

	if (!json_is_array(cases)) {
		err_set(e, _("'cases' must be an array"));
		return -1;
	}
	json_array_foreach(cases, i, cs) {
		if (!json_is_object(cs) || !central_jstr(cs, "id") || !*central_jstr(cs, "id") || !central_jstr(cs, "phone")) {
			err_set(e, _("case %zu: needs an 'id' and a 'phone' (strings)"), i + 1);
			return -1;
		}
		if (json_object_get(cs, "fields") && !json_is_object(json_object_get(cs, "fields"))) {
			err_set(e, _("case %zu: 'fields' must be an object"), i + 1);
			return -1;
		}
		if (strlen(central_jstr(cs, "id")) > CENTRAL_MAX_KEY || strlen(central_jstr(cs, "phone")) > CENTRAL_MAX_KEY ||
		    (central_jstr(cs, "name") && strlen(central_jstr(cs, "name")) > CENTRAL_MAX_KEY) ||
		    (central_jstr(cs, "tz") && strlen(central_jstr(cs, "tz")) > CENTRAL_MAX_KEY) ||
		    (central_jstr(cs, "interviewer") && strlen(central_jstr(cs, "interviewer")) > CENTRAL_MAX_USER)) {
			err_set(e, _("case %zu: 'id', 'phone', 'name' and 'tz' are at most %d bytes, 'interviewer' %d"),
			        i + 1, CENTRAL_MAX_KEY, CENTRAL_MAX_USER);
			return -1;
		}
	}
	listed = json_array();
	/* a number on the do-not-call list: the import refused, or its case marked */
	if (dnc != CENTRAL_DNC_NONE && central_dnc_check_cases(c, cases, dnc == CENTRAL_DNC_FLAG, listed, e) != 0) {
		json_decref(listed);
		return -1;
	}
	if (db_begin(c->db, 1) != DB_OK) {
		json_decref(listed);
		return central_fail(c, N_("add the cases"), e);
	}
	if (db_prepare(c->db, "SELECT study FROM cases WHERE case_key = ?", &s) != DB_OK)
		goto out;
	json_array_foreach(cases, i, cs) {
		db_bind_text(s, 1, central_jstr(cs, "id"));
		if (db_step(s) == DB_ROW && strcmp(db_column_text(s, 0), form_id)) {
			err_set(e, _("case %zu: '%s' is already a case of study '%s'"), i + 1, central_jstr(cs, "id"),
			        db_column_text(s, 0));
			db_finalize(s);
			db_rollback(c->db);
			json_decref(listed);
			return -1;
		}
		db_reset(s);
	}
	db_finalize(s);
	s = NULL;
	/* the import's cases take one change number: a pull brings them all or none */
	if ((seq = central_next_seq(c)) < 0)
		goto out;
	if (db_prepare(c->db, "INSERT INTO cases(case_key, study, phone, name, tz, fields, interviewer, seq, dnc)"
	                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(case_key) DO UPDATE SET"
	                              " interviewer = excluded.interviewer, seq = excluded.seq", &s) != DB_OK)
		goto out;
	fig = fig_begin(c, 1);   /* begun as DB_WRITE above */
	json_array_foreach(cases, i, cs) {
		json_t *fields = json_object_get(cs, "fields");
		char *fj = fields ? json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");

		if (fig_case(fig, central_jstr(cs, "id"), form_id, central_jstr(cs, "interviewer"), 0) < 0) {
			free(fj);
			goto out;
		}

		db_bind_text_copy(s, 1, central_jstr(cs, "id"));
		db_bind_text_copy(s, 2, form_id);
		db_bind_text_copy(s, 3, central_jstr(cs, "phone"));
		db_bind_text_copy(s, 4, central_jstr(cs, "name"));
		db_bind_text_copy(s, 5, central_jstr(cs, "tz"));
		db_bind_text_copy(s, 6, fj);
		db_bind_text_copy(s, 7, central_jstr(cs, "interviewer"));
		db_bind_int64(s, 8, seq);
		db_bind_int(s, 9, 0);
		for (k = 0; k < json_array_size(listed); k++)
			if (!strcmp(json_string_value(json_array_get(listed, k)), central_jstr(cs, "id")))
				db_bind_int(s, 9, 1);
		free(fj);
		if (db_step(s) != DB_DONE || fig_case(fig, central_jstr(cs, "id"), form_id, NULL, 1) < 0)
			goto out;
		db_reset(s);
		db_clear_bindings(s);
	}
	if (fig_finish(fig) == 0 && central_audit_pending(c, e) == 0 && db_commit(c->db) == DB_OK)
		rc = 0;
out:
	if (rc < 0) {
		central_fail(c, N_("add the cases"), e);
		db_rollback(c->db);
	}
	db_finalize(s);
	fig_free(fig);
	json_decref(listed);
	return rc;
}
