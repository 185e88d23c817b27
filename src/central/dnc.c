/* dnc.c: the store-wide do-not-call list: numbers in international form (E.164), added by a
   supervisor, an import or a call's outcome "do not call again", removed by a supervisor; each
   change with who, when, where from and why, and a change number for the workstations' pulls;
   the store's default country; the sample import's check against the list. */
#include "central-int.h"

#include "cati/phone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The store's default country for national numbers ("" when none is set) into out. */
int central_country(struct central *c, char out[8])
{
	struct dbs *s;

	*out = '\0';
	if (db_prepare(c->db, "SELECT value FROM store_settings WHERE key = 'country'", &s) != DB_OK)
		return -1;
	if (db_step(s) == DB_ROW && db_column_text(s, 0))
		snprintf(out, 8, "%s", db_column_text(s, 0));
	db_finalize(s);
	return 0;
}

/* Set the store's default country (an ISO code phone_e164 knows, or "" for none). */
int central_country_set(struct central *c, const char *iso, struct err *e)
{
	struct dbs *s;
	char up[8];
	int rc, i;

	if (*iso && (strlen(iso) != 2 || !phone_country_known(iso))) {
		err_set(e, "'%s' is not a country this store knows the telephone numbers of (like AT, DE, NL, CH, US)", iso);
		return -1;
	}
	for (i = 0; iso[i] && i < 7; i++)
		up[i] = (char)(iso[i] >= 'a' && iso[i] <= 'z' ? iso[i] - 32 : iso[i]);
	up[i] = '\0';
	if (db_prepare(c->db, "INSERT INTO store_settings(key, value) VALUES ('country', ?1)"
	                      " ON CONFLICT(key) DO UPDATE SET value = excluded.value", &s) != DB_OK)
		return central_fail(c, "set the default country", e);
	db_bind_text(s, 1, up);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : central_fail(c, "set the default country", e);
}

/* Put one normalised number on the list (listed 1) or take it off (listed 0) with who, when,
   where from and why, under change number seq, and log the change; inside a write transaction. */
static int dnc_put(struct central *c, const char *e164, int listed, const char *source, const char *reason,
                   const char *key, const char *user, int64_t seq)
{
	static const char *const sql[] = {
		"INSERT INTO dnc(phone, listed, source, reason, case_key, by_user, at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT(phone) DO UPDATE SET listed = excluded.listed, source = excluded.source, reason = excluded.reason,"
		" case_key = excluded.case_key, by_user = excluded.by_user, at = excluded.at, seq = excluded.seq",
		"INSERT INTO dnc_log(phone, action, source, reason, case_key, by_user, at) VALUES (?1, CASE WHEN ?2 = 1 THEN 'add' ELSE 'remove' END,"
		" ?3, ?4, ?5, ?6, ?7)",
	};
	struct dbs *s;
	size_t i;
	int rc;

	for (i = 0; i < 2; i++) {
		if (db_prepare(c->db, sql[i], &s) != DB_OK)
			return -1;
		db_bind_text(s, 1, e164);
		db_bind_int(s, 2, listed);
		db_bind_text(s, 3, source);
		db_bind_text(s, 4, reason);
		db_bind_text(s, 5, key);
		db_bind_text(s, 6, user);
		db_bind_int64(s, 7, (int64_t)time(NULL));
		if (i == 0)
			db_bind_int64(s, 8, seq);
		rc = db_step(s);
		db_finalize(s);
		if (rc != DB_DONE)
			return -1;
	}
	return 0;
}

/* Is e164 on the list now? 1, 0, or -1 when the database failed. */
static int dnc_listed(struct central *c, const char *e164)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT 1 FROM dnc WHERE phone = ?1 AND listed = 1", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, e164);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Put numbers on the list or take them off, all or none (see central.h). */
enum central_rc central_dnc_change(struct central *c, json_t *numbers, int add, const char *source,
                                   const char *reason, const char *user, json_t **out, struct err *e)
{
	char country[8], e164[PHONE_E164_MAX];
	json_t *bad = json_array(), *done = json_array(), *x;
	const char *why;
	char w[700];
	int64_t seq;
	size_t i, changed = 0;
	int was;

	*out = NULL;
	if (central_country(c, country) < 0) {
		json_decref(bad);
		json_decref(done);
		central_fail(c, "read the default country", e);
		return central_rc_of(e);
	}
	json_array_foreach(numbers, i, x) {
		if (!json_is_string(x) || phone_e164(json_string_value(x), country, e164, &why) < 0)
			json_array_append_new(bad, json_pack("{s:I,s:s,s:s}", "index", (json_int_t)i + 1, "number",
			                                     json_is_string(x) ? json_string_value(x) : "", "why",
			                                     json_is_string(x) ? why : "not a string"));
	}
	if (json_array_size(bad)) {
		json_decref(done);
		*out = bad;
		err_set(e, "%zu of the numbers are no phone numbers: nothing changed", json_array_size(bad));
		return CENTRAL_INPUT;
	}
	json_decref(bad);
	if (db_begin(c->db, 1) != DB_OK || (seq = central_next_seq(c)) < 0)
		goto fail;
	json_array_foreach(numbers, i, x) {
		phone_e164(json_string_value(x), country, e164, &why);
		if ((was = dnc_listed(c, e164)) < 0)
			goto fail;
		/* an unchanged number keeps its entry (who added it, when, why) */
		if (was != add && dnc_put(c, e164, add, source, reason, NULL, user, seq) < 0)
			goto fail;
		json_array_append_new(done, json_pack("{s:s,s:s,s:b}", "number", json_string_value(x), "phone", e164,
		                                      "changed", was != add));
		changed += was != add;
	}
	/* the change's line in the audit trail, in its transaction: both or neither */
	snprintf(w, sizeof w, "do-not-call list: %zu numbers, %zu changed%s%.500s", json_array_size(done), changed,
	         reason ? "; reason: " : "", reason ? reason : "");
	central_audit_next(c, user, add ? "dnc-add" : "dnc-remove", w);
	if (central_audit_pending(c, e) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	*out = done;
	return CENTRAL_OK;
fail:
	central_fail(c, add ? "add to the do-not-call list" : "remove from the do-not-call list", e);
	db_rollback(c->db);
	json_decref(done);
	return central_rc_of(e);
}

/* The list, or every change made to it. */
int central_dnc_list(struct central *c, int history, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, history ? "SELECT phone, action, source, reason, case_key, by_user, at FROM dnc_log ORDER BY id"
	                              : "SELECT phone, 'listed', source, reason, case_key, by_user, at FROM dnc WHERE listed = 1 ORDER BY phone",
	               &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, "read the do-not-call list", e);
	}
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I}", "phone", db_column_text(s, 0), "action", db_column_text(s, 1),
		                      "source", db_column_text(s, 2), "by", db_column_text(s, 5), "at",
		                      (json_int_t)db_column_int64(s, 6));
		json_object_set_new(o, "reason", db_column_text(s, 3) ? json_string(db_column_text(s, 3)) : json_null());
		json_object_set_new(o, "case", db_column_text(s, 4) ? json_string(db_column_text(s, 4)) : json_null());
		if (!history)
			json_object_del(o, "action");
		json_array_append_new(a, o);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return central_fail(c, "read the do-not-call list", e);
	}
	*out = a;
	return 0;
}

/* What a call's outcome "do not call again" adds: the case's numbers, for phone_each. */
struct from_call {
	struct central *c;
	const char *key, *user;
	int64_t seq;
};

/* Put one of the case's numbers on the list (phone_each's callback). */
static int add_from_call(void *ctx, const char *e164)
{
	struct from_call *f = ctx;
	int was = dnc_listed(f->c, e164);

	if (was < 0)
		return -1;
	if (was)
		return 0;
	if (f->seq < 0 && (f->seq = central_next_seq(f->c)) < 0)
		return -1;
	return dnc_put(f->c, e164, 1, "outcome", "the respondent asked not to be called again", f->key, f->user, f->seq);
}

/* A call record's outcome "do not call again" lists its case's numbers. */
int central_dnc_from_call(struct central *c, json_t *data, const char *key, const char *user)
{
	const char *outcome = central_jstr(data, "outcome");
	struct from_call f = { c, key, user, -1 };
	char country[8];
	struct dbs *s;
	char *phone = NULL;
	int rc;

	if (!outcome || strcmp(outcome, "do_not_call"))
		return 0;
	if (central_country(c, country) < 0 || db_prepare(c->db, "SELECT phone FROM cases WHERE case_key = ?1", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, key);
	if (db_step(s) == DB_ROW && db_column_text(s, 0))
		phone = xstrdup(db_column_text(s, 0));
	db_finalize(s);
	if (central_jstr(data, "interviewer"))
		f.user = central_jstr(data, "interviewer");
	rc = phone ? phone_each(phone, country, add_from_call, &f) : 0;
	free(phone);
	return rc < 0 ? -1 : 0;
}

/* Collect a number of an import's case (phone_each's callback): numbers {e164: false}. */
static int collect_number(void *ctx, const char *e164)
{
	json_object_set_new(ctx, e164, json_false());
	return 0;
}

/* Mark the numbers on the list true: CENTRAL_KEYS numbers a query. 0 or -1. */
static int mark_listed(struct central *c, json_t *numbers)
{
	const char **batch = xcalloc(CENTRAL_KEYS, sizeof *batch);
	struct buf sql;
	struct dbs *s;
	const char *e164;
	json_t *v;
	void *it = json_object_iter(numbers);
	int rc = DB_DONE, n, i;

	buf_init(&sql);
	while (it && rc == DB_DONE) {
		for (n = 0; it && n < CENTRAL_KEYS; it = json_object_iter_next(numbers, it))
			batch[n++] = json_object_iter_key(it);
		buf_reset(&sql);
		buf_puts(&sql, "SELECT d.phone FROM ");
		central_key_rows(&sql, 1, n);
		buf_puts(&sql, " JOIN dnc d ON d.phone = k.column1 WHERE d.listed = 1");
		if (db_prepare(c->db, buf_str(&sql), &s) != DB_OK) {
			rc = DB_ERROR;
			break;
		}
		for (i = 0; i < n; i++)
			db_bind_text(s, i + 1, batch[i]);
		while ((rc = db_step(s)) == DB_ROW)
			if ((v = json_object_get(numbers, (e164 = db_column_text(s, 0)))))
				json_object_set_new(numbers, e164, json_true());
		db_finalize(s);
	}
	buf_release(&sql);
	free(batch);
	return rc == DB_DONE ? 0 : -1;
}

/* What the import's check looks for: the first listed number of one case. */
struct hit {
	json_t *numbers;
	char e164[PHONE_E164_MAX];
};

/* Stop at the first listed number (phone_each's callback). */
static int find_listed(void *ctx, const char *e164)
{
	struct hit *h = ctx;

	if (!json_is_true(json_object_get(h->numbers, e164)))
		return 0;
	snprintf(h->e164, sizeof h->e164, "%s", e164);
	return -1;
}

/* The cases of an import with a listed number: named (refuse) or collected (flag). */
int central_dnc_check_cases(struct central *c, json_t *cases, int flag, json_t *listed, struct err *e)
{
	json_t *numbers = json_object(), *cs;
	char country[8];
	struct buf msg;
	size_t i;
	int n = 0;

	if (central_country(c, country) < 0) {
		json_decref(numbers);
		return central_fail(c, "read the default country", e);
	}
	/* every number of the import, then which are on the list: a query for many numbers */
	json_array_foreach(cases, i, cs)
		phone_each(central_jstr(cs, "phone"), country, collect_number, numbers);
	if (mark_listed(c, numbers) < 0) {
		json_decref(numbers);
		return central_fail(c, "read the do-not-call list", e);
	}
	buf_init(&msg);
	json_array_foreach(cases, i, cs) {
		struct hit h;

		memset(&h, 0, sizeof h);
		h.numbers = numbers;
		phone_each(central_jstr(cs, "phone"), country, find_listed, &h);
		if (!*h.e164)
			continue;
		json_array_append_new(listed, json_string(central_jstr(cs, "id")));
		if (!flag && n++ < 6)
			buf_printf(&msg, "%scase %zu: phone '%s' is on the do-not-call list (as %s)", n > 1 ? "\n" : "", i + 1,
			           central_jstr(cs, "phone"), h.e164);
	}
	json_decref(numbers);
	if (!flag && n) {
		if (n > 6)
			buf_printf(&msg, "\nand %d more cases with a number on the do-not-call list", n - 6);
		err_set(e, "%s", buf_str(&msg));
	}
	buf_release(&msg);
	return !flag && n ? 1 : 0;
}
