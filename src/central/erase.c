/* erase.c: a respondent's personal data erased on request or when the study's retention is up:
   the case's name, phone and personal fields, free-text answers, notes, appointment and call
   texts, in cases, records, conflicts and the report's answers; coded answers stay. Each
   erasure is recorded and travels to the workstations, which confirm it. */
#include "central-int.h"
#include "cati/phone.h"
#include "cati/export.h"

#include "cati/calls.h"
#include "cati/form.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Step a statement to its end and reset it: 0, or -1. */
static int run(struct dbs *s)
{
	int rc = db_step(s);

	while (rc == DB_ROW)
		rc = db_step(s);
	db_reset(s);
	db_clear_bindings(s);
	return rc == DB_DONE ? 0 : -1;
}

/* The personal questions of every form of study, as an object {qid: true} (the caller's). */
json_t *central_personal_qids(struct central *c, const char *study)
{
	json_t *q = json_object();
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT source FROM forms WHERE form_id = ?", &s) != DB_OK) {
		json_decref(q);
		return NULL;
	}
	db_bind_text(s, 1, study);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *src = db_column_text(s, 0);
		struct form_diags d;
		struct form *f;
		int i;

		form_diags_init(&d);
		f = form_compile("(stored form)", src, strlen(src), &d);
		form_diags_release(&d);
		for (i = 0; f && i < f->nnodes; i++)
			if (form_personal_question(f, i))
				json_object_set_new(q, f->nodes[i].id, json_true());
		form_free(f);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(q);
		return NULL;
	}
	return q;
}

/* Take the personal data out of a record's data (kind as pushed) in place: 1 when anything
   was taken, else 0. The same data redacted twice is the same. */
int central_redact(const char *kind, json_t *data, json_t *qids)
{
	(void)kind;
	return exp_redact_record(data, qids);
}

/* Is the case erased (its personal data gone for good)? 1 yes, 0 no, -1 the database failed. */
int central_case_erased(struct central *c, const char *key)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT 1 FROM erasures WHERE case_key = ? LIMIT 1", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, key);
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* What an erasure counted, by place. */
struct removed {
	int name, phone, fields, records, answers, notes, appointments, attempts, events, conflicts;
};

/* Redact every row of a query (uuid or id, data, kind) with the update (data, hash, uuid), or
   for conflicts (data, id); counts into r. */
static int redact_rows(struct central *c, const char *select, const char *update, const char *key,
                       json_t *qids, struct removed *r, int conflicts)
{
	struct dbs *s = NULL, *u = NULL;
	int rc, ok = -1;

	if (db_prepare(c->db, select, &s) != DB_OK || db_prepare(c->db, update, &u) != DB_OK)
		goto out;
	db_bind_text(s, 1, key);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *kind = db_column_text(s, 2);
		json_t *d = json_loads(db_column_text(s, 1), 0, NULL);
		char hex[65], *dump;

		if (!json_is_object(d) || !central_redact(kind ? kind : "", d, qids)) {
			json_decref(d);
			continue;
		}
		dump = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
		central_content_hash(kind ? kind : "", dump, hex);
		db_bind_text(u, 1, dump);
		if (conflicts) {
			db_bind_text(u, 2, db_column_text(s, 0));
		} else {
			db_bind_text(u, 2, hex);
			db_bind_text(u, 3, db_column_text(s, 0));
		}
		rc = run(u);
		free(dump);
		if (conflicts)
			r->conflicts++;
		else if (kind && !strcmp(kind, "note"))
			r->notes++;
		else if (kind && !strcmp(kind, "appointment"))
			r->appointments++;
		else if (kind && !strcmp(kind, "attempt"))
			r->attempts++;
		else if (kind && !strcmp(kind, "event"))
			r->events++;
		else
			r->records++;
		json_decref(d);
		if (rc < 0)
			goto out;
	}
	ok = rc == DB_DONE ? 0 : -1;
out:
	db_finalize(s);
	db_finalize(u);
	return ok;
}

/* The case's fields without the personal ones: a new string (free() it); *n how many went. */
static char *redact_fields(const char *fields, int *n)
{
	json_t *o = json_loads(fields ? fields : "{}", 0, NULL), *v;
	const char *k;
	void *tmp;
	char *out;

	*n = 0;
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_foreach_safe(o, tmp, k, v) {
		(void)v;
		if (form_personal_field(k)) {
			json_object_del(o, k);
			(*n)++;
		}
	}
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

/* Erase one case inside the caller's write transaction; the erasure into list. */
static int erase_case(struct central *c, const char *key, const char *study, const char *by, const char *reason,
                      json_t *list, json_t *cache)
{
	struct dbs *s = NULL;
	struct removed r;
	json_t *qids, *removed, *q;
	const char *qid;
	unsigned char rnd[16];
	char id[33], *fields = NULL;
	int rc = -1, nf = 0;
	int64_t seq;

	memset(&r, 0, sizeof r);
	/* the study's personal questions, from its forms once per study (cache: {study: qids}) */
	if (!(qids = json_object_get(cache, study))) {
		if (!(qids = central_personal_qids(c, study)))
			return -1;
		json_object_set_new(cache, study, qids);
	}
	if (db_prepare(c->db, "SELECT name, phone, fields FROM cases WHERE case_key = ?", &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, key);
	if (db_step(s) != DB_ROW)
		goto out;
	r.name = db_column_text(s, 0) && *db_column_text(s, 0);
	r.phone = db_column_text(s, 1) && *db_column_text(s, 1);
	fields = redact_fields(db_column_text(s, 2), &nf);
	r.fields = nf;
	db_finalize(s);
	s = NULL;
	if (db_prepare(c->db, "UPDATE cases SET name = NULL, phone = '', fields = ? WHERE case_key = ?", &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, fields);
	db_bind_text(s, 2, key);
	if (run(s) < 0)
		goto out;
	db_finalize(s);
	s = NULL;
	if (redact_rows(c, "SELECT uuid, data, kind FROM records WHERE case_key = ?",
	                "UPDATE records SET data = ?1, content_hash = ?2 WHERE uuid = ?3", key, qids, &r, 0) < 0 ||
	    redact_rows(c, "SELECT f.id, f.data, r.kind FROM conflicts f JOIN records r ON r.uuid = f.uuid WHERE r.case_key = ?",
	                "UPDATE conflicts SET data = ?1 WHERE id = CAST(?2 AS BIGINT)", key, qids, &r, 1) < 0)
		goto out;
	/* the report's answers of the case's interviews */
	if (db_prepare(c->db, "UPDATE answers SET value = '' WHERE qid = ?2 AND value <> ''"
	                      " AND interview IN (SELECT uuid FROM interviews WHERE case_key = ?1)", &s) != DB_OK)
		goto out;
	json_object_foreach(qids, qid, q) {
		db_bind_text(s, 1, key);
		db_bind_text(s, 2, qid);
		if (run(s) < 0)
			goto out;
		r.answers += (int)db_changes(c->db);
	}
	db_finalize(s);
	s = NULL;
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
	removed = json_pack("{s:b,s:b,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}", "name", r.name, "phone", r.phone,
	                    "fields", r.fields, "interviews", r.records, "answers", r.answers, "events", r.events,
	                    "notes", r.notes, "appointments", r.appointments, "calls", r.attempts, "conflicts", r.conflicts);
	{
		char *rj = json_dumps(removed, JSON_COMPACT | JSON_SORT_KEYS);
		if ((seq = central_next_seq(c)) < 0 ||
		    db_prepare(c->db, "INSERT INTO erasures(id, case_key, study, at, erased_by, reason, removed, seq)"
		                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &s) != DB_OK) {
			free(rj);
			json_decref(removed);
			goto out;
		}
		db_bind_text(s, 1, id);
		db_bind_text(s, 2, key);
		db_bind_text(s, 3, study);
		db_bind_int64(s, 4, (int64_t)time(NULL));
		db_bind_text(s, 5, by);
		db_bind_text(s, 6, reason ? reason : "");
		db_bind_text(s, 7, rj);
		db_bind_int64(s, 8, seq);
		rc = run(s);
		free(rj);
		/* the audit trail, in the same transaction: who erased which case, never what it held */
		if (rc == 0) {
			char what[512];

			snprintf(what, sizeof what, "study %s case %s erasure %s%s%s", study, key, id,
			         reason && *reason ? ": " : "", reason ? reason : "");
			if (central_audit(c, by, "erase", what) < 0)
				rc = -1;
		}
	}
	json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:o}", "id", id, "case", key, "study", study, "removed", removed));
out:
	db_finalize(s);
	free(fields);
	return rc;
}

/* A phone number's digits into out, and its form: 2 international (+ or 00, the country code
   among the digits), 1 local (a leading 0, dropped), 0 neither; "(0)" after a country code is
   left out. */
static int phone_digits(const char *in, char *out, size_t n)
{
	size_t k = 0;
	int form;

	while (in && (*in == ' ' || *in == '\t'))
		in++;
	if (!in)
		in = "";
	form = *in == '+' ? 2 : (in[0] == '0' && in[1] == '0') ? 2 : in[0] == '0' ? 1 : 0;
	if (form == 2)
		in += *in == '+' ? 1 : 2;
	else if (form == 1)
		in++;
	for (; *in && k + 1 < n; in++) {
		if (!strncmp(in, "(0)", 3)) {
			in += 2;
			continue;
		}
		if (*in >= '0' && *in <= '9')
			out[k++] = *in;
	}
	out[k] = '\0';
	return form;
}

/* Are a and b the same number: the same digits in the same form, or a local number and an
   international one that is a country code (1 to 3 digits) and the same digits? */
static int same_phone(const char *a, const char *b)
{
	char x[80], y[80];
	int fx = phone_digits(a, x, sizeof x), fy = phone_digits(b, y, sizeof y);
	size_t lx = strlen(x), ly = strlen(y);

	if (lx < 5 || ly < 5)
		return 0;
	if (fx == 1 && fy == 2)   /* x local, y international */
		return ly > lx && ly - lx <= 3 && !strcmp(y + ly - lx, x);
	if (fx != 2 || fy != 1)
		return !strcmp(x, y);
	return lx > ly && lx - ly <= 3 && !strcmp(x + lx - ly, y);
}

/* The number asked for, in international form where it normalises ("" when not: a national
   number and no default country), and the store's country. */
struct asked {
	const char *phone, *e164, *country;
};

/* Is one number of a case's field the one asked for (phone_split's callback: -1 stops, yes)?
   In international form where both normalise, else by their digits (same_phone). */
static int is_asked(void *ctx, const char *one)
{
	const struct asked *a = ctx;
	char e164[PHONE_E164_MAX];
	const char *why;

	if (*a->e164 && phone_e164(one, a->country, e164, &why) == 0)
		return strcmp(e164, a->e164) ? 0 : -1;
	return same_phone(one, a->phone) ? -1 : 0;
}

/* Is the number asked for one of the numbers of a case's phone field ("number; number; ...")? */
static int field_has(const char *field, const char *asked, const char *asked_e164, const char *country)
{
	struct asked a = { asked, asked_e164, country };

	return phone_split(field, is_asked, &a) < 0;
}

/* Make the erased bytes go: SQLite's old pages out of the write-ahead log; PostgreSQL's dead
   rows vacuumed from the tables erasures touch. */
static void scrub(struct central *c)
{
	if (db_is_pg(c->db))
		db_exec(c->db, "VACUUM cases, records, conflicts, answers");
	else
		db_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)");
}

/* Erase the case key, or every case with the number phone, in one transaction, then scrub. */
int central_erase(struct central *c, const char *study, const char *key, const char *phone, const char *by,
                  const char *reason, json_t **erased, struct err *e)
{
	struct dbs *s = NULL;
	json_t *list = json_array(), *found = json_array(), *cache = json_object(), *x;
	char country[8] = "", asked[PHONE_E164_MAX] = "";
	const char *why;
	size_t i;
	int rc;

	*erased = NULL;
	if (!db_is_pg(c->db))
		db_exec(c->db, "PRAGMA secure_delete = ON");
	if (db_begin(c->db, DB_WRITE) != DB_OK) {
		central_fail(c, "erase", e);
		goto fail;
	}
	if (db_prepare(c->db, "SELECT case_key, study, phone FROM cases WHERE (CAST(?1 AS TEXT) IS NULL OR case_key = ?1)"
	                      " AND (CAST(?2 AS TEXT) IS NULL OR study = ?2) AND (CAST(?1 AS TEXT) IS NOT NULL OR phone <> '')", &s) != DB_OK) {
		central_fail(c, "erase", e);
		goto rollback;
	}
	/* a number asked for in national notation is the store's country's */
	if (!key && (central_country(c, country) < 0 || phone_e164(phone, country, asked, &why) < 0))
		*asked = '\0';
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, study);
	while ((rc = db_step(s)) == DB_ROW)
		if (key || field_has(db_column_text(s, 2), phone, asked, country))
			json_array_append_new(found, json_pack("[ss]", db_column_text(s, 0), db_column_text(s, 1)));
	db_finalize(s);
	s = NULL;
	if (rc != DB_DONE) {
		central_fail(c, "erase", e);
		goto rollback;
	}
	if (!json_array_size(found)) {
		err_set(e, key ? "no case '%s'%s%s in the store" : "no case with the phone number '%s'%s%s in the store",
		        key ? key : phone, study ? " in study " : "", study ? study : "");
		e->kind = ERR_KIND_INPUT;
		db_rollback(c->db);
		json_decref(list);
		json_decref(found);
		json_decref(cache);
		return CENTRAL_NOT_FOUND;
	}
	json_array_foreach(found, i, x) {
		if (erase_case(c, json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(x, 1)), by,
		               reason, list, cache) < 0) {
			central_fail(c, "erase", e);
			goto rollback;
		}
	}
	if (db_commit(c->db) != DB_OK) {
		central_fail(c, "erase", e);
		goto rollback;
	}
	scrub(c);
	json_decref(found);
	json_decref(cache);
	*erased = list;
	return CENTRAL_OK;
rollback:
	db_finalize(s);
	db_rollback(c->db);
fail:
	json_decref(list);
	json_decref(found);
	json_decref(cache);
	return central_rc_of(e);
}

/* Keep study's retention (seconds; 0 for ever), numbered for the pulls that carry it. */
int central_retention_set(struct central *c, const char *study, int64_t seconds, struct err *e)
{
	struct dbs *s = NULL;
	int64_t seq;
	int rc = -1;

	if (db_begin(c->db, DB_WRITE) != DB_OK)
		return central_fail(c, "set the retention", e);
	if ((seq = central_next_seq(c)) < 0 ||
	    db_prepare(c->db, "INSERT INTO retention(study, seconds, seq) VALUES (?1, ?2, ?3)"
	                      " ON CONFLICT(study) DO UPDATE SET seconds = excluded.seconds, seq = excluded.seq", &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, study);
	db_bind_int64(s, 2, seconds);
	db_bind_int64(s, 3, seq);
	if (run(s) == 0 && db_commit(c->db) == DB_OK)
		rc = 0;
out:
	db_finalize(s);
	if (rc < 0) {
		central_fail(c, "set the retention", e);
		db_rollback(c->db);
	}
	return rc;
}

/* "2026-01-02T10:11:12..." as seconds since 1970 (UTC), or -1. */
static int64_t iso_seconds(const char *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (!t || sscanf(t, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	                 &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)zone_mktime("UTC", &tm);
}

/* Erase, in one transaction, the closed cases whose study's retention is up at now. */
int central_erase_expired(struct central *c, int64_t now, json_t **erased, struct err *e)
{
	struct dbs *s = NULL;
	json_t *due = json_array(), *list = json_array(), *cache = json_object(), *x;
	size_t i;
	int rc;

	*erased = NULL;
	/* a case is closed by a finished interview or a call's final outcome; its last call or
	   interview's end, whichever is later, is when */
	if (db_prepare(c->db, "SELECT c.case_key, c.study, r.seconds,"
	                      " (SELECT max(i.ended_at) FROM interviews i WHERE i.case_key = c.case_key"
	                      "  AND i.status IN ('complete', 'screenout')),"
	                      /* (by the attempts' index: study, then case) */
	                      " (SELECT t.outcome FROM attempts t WHERE t.study = c.study AND t.case_key = c.case_key"
	                      "  ORDER BY t.at DESC LIMIT 1),"
	                      " (SELECT max(t.at) FROM attempts t WHERE t.study = c.study AND t.case_key = c.case_key)"
	                      " FROM cases c JOIN retention r ON r.study = c.study"
	                      " WHERE NOT EXISTS (SELECT 1 FROM erasures x WHERE x.case_key = c.case_key)", &s) != DB_OK) {
		json_decref(due);
		json_decref(cache);
		json_decref(list);
		return central_fail(c, "find the cases whose retention is up", e);
	}
	while ((rc = db_step(s)) == DB_ROW) {
		const struct call_outcome *o = calls_outcome(db_column_text(s, 4) ? db_column_text(s, 4) : "");
		int64_t ended = iso_seconds(db_column_text(s, 3)), called = iso_seconds(db_column_text(s, 5));
		int64_t closed = ended > called ? ended : called;

		if ((ended < 0 && !(o && o->final)) || closed < 0)
			continue;
		if (closed + db_column_int64(s, 2) <= now)
			json_array_append_new(due, json_pack("[ss]", db_column_text(s, 0), db_column_text(s, 1)));
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(due);
		json_decref(cache);
		json_decref(list);
		return central_fail(c, "find the cases whose retention is up", e);
	}
	/* one transaction, and one scrub, for all of them */
	if (json_array_size(due)) {
		if (!db_is_pg(c->db))
			db_exec(c->db, "PRAGMA secure_delete = ON");
		if (db_begin(c->db, DB_WRITE) != DB_OK) {
			json_decref(due);
			json_decref(cache);
			json_decref(list);
			return central_fail(c, "erase the cases whose retention is up", e);
		}
		json_array_foreach(due, i, x) {
			const char *key = json_string_value(json_array_get(x, 0));
			int gone = central_case_erased(c, key);   /* erased meanwhile by another store instance */
			if (gone < 0 || (!gone && erase_case(c, key, json_string_value(json_array_get(x, 1)), "retention",
			                                     "the study's retention is up", list, cache) < 0)) {
				central_fail(c, "erase the cases whose retention is up", e);
				db_rollback(c->db);
				json_decref(due);
				json_decref(cache);
				json_decref(list);
				return -1;
			}
		}
		if (db_commit(c->db) != DB_OK) {
			central_fail(c, "erase the cases whose retention is up", e);
			db_rollback(c->db);
			json_decref(due);
			json_decref(cache);
			json_decref(list);
			return -1;
		}
		scrub(c);
	}
	json_decref(due);
	json_decref(cache);
	*erased = list;
	return 0;
}

/* Note that workstation (of user) erased as erasure asked, inside the push's transaction. */
int central_erase_confirm(struct central *c, const char *erasure, const char *workstation, const char *user,
                          const char *removed)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "INSERT INTO erasure_confirms(erasure, workstation, ws_user, at, removed)"
	                      " SELECT id, ?2, ?3, ?4, ?5 FROM erasures WHERE id = ?1"
	                      " ON CONFLICT(erasure, workstation) DO NOTHING", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, erasure);
	db_bind_text(s, 2, workstation);
	db_bind_text(s, 3, user);
	db_bind_int64(s, 4, (int64_t)time(NULL));
	db_bind_text(s, 5, removed ? removed : "");
	rc = run(s);
	db_finalize(s);
	return rc;
}

/* The erasure's confirmations, and the concerned workstations that have not confirmed, into x. */
static int report_workstations(struct central *c, json_t *x)
{
	struct dbs *s;
	json_t *yes = json_array(), *no = json_array();
	int rc;

	json_object_set_new(x, "confirmed", yes);
	json_object_set_new(x, "waiting", no);
	if (db_prepare(c->db, "SELECT workstation, ws_user, at, removed FROM erasure_confirms WHERE erasure = ? ORDER BY at, workstation",
	               &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, central_jstr(x, "id"));
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *rm = json_loads(db_column_text(s, 3), 0, NULL);
		json_array_append_new(yes, json_pack("{s:s,s:s,s:I,s:o}", "workstation", db_column_text(s, 0), "user",
		                                     db_column_text(s, 1), "at", (json_int_t)db_column_int64(s, 2), "removed",
		                                     rm ? rm : json_object()));
	}
	db_finalize(s);
	if (rc != DB_DONE)
		return -1;
	/* the workstations of everyone who had the case (its interviewer, those it was taken from,
	   those who sent records about it) that have not confirmed */
	if (db_prepare(c->db, "SELECT w.id, w.user,"
	                      " coalesce((SELECT max(end_at) FROM work_spans p WHERE p.workstation = w.id),"
	                      "  (SELECT at FROM seen WHERE seen.user = w.user))"
	                      " FROM workstations w WHERE w.retired_at IS NULL"
	                      " AND NOT EXISTS (SELECT 1 FROM erasure_confirms f WHERE f.erasure = ?1 AND f.workstation = w.id)"
	                      " AND (w.user IN (SELECT interviewer FROM cases WHERE case_key = ?2)"
	                      "  OR w.user IN (SELECT from_interviewer FROM reassignments WHERE case_key = ?2)"
	                      "  OR w.user IN (SELECT owner FROM records WHERE case_key = ?2))"
	                      " ORDER BY w.user, w.id", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, central_jstr(x, "id"));
	db_bind_text(s, 2, central_jstr(x, "case"));
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *w = json_pack("{s:s,s:s}", "workstation", db_column_text(s, 0), "user", db_column_text(s, 1));
		json_object_set_new(w, "last_sync", db_column_type(s, 2) != DB_NULL ? json_integer(db_column_int64(s, 2)) : json_null());
		json_array_append_new(no, w);
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* The erasures (one, a case's, or all) with their confirmations and the workstations waiting. */
int central_erase_report(struct central *c, const char *id, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array(), *x;
	size_t i;
	int rc;

	*out = NULL;
	if (db_begin(c->db, DB_READ) != DB_OK ||
	    db_prepare(c->db, "SELECT id, case_key, study, at, erased_by, reason, removed FROM erasures"
	                      " WHERE CAST(?1 AS TEXT) IS NULL OR id = ?1 OR case_key = ?1 ORDER BY at, id", &s) != DB_OK) {
		json_decref(a);
		central_fail(c, "read the erasures", e);
		db_rollback(c->db);
		return -1;
	}
	db_bind_text(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *rm = json_loads(db_column_text(s, 6), 0, NULL);
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:o}", "id", db_column_text(s, 0), "case",
		                                   db_column_text(s, 1), "study", db_column_text(s, 2), "at",
		                                   (json_int_t)db_column_int64(s, 3), "by", db_column_text(s, 4), "reason",
		                                   db_column_text(s, 5), "removed", rm ? rm : json_object()));
	}
	db_finalize(s);
	json_array_foreach(a, i, x)
		if (rc == DB_DONE && report_workstations(c, x) < 0)
			rc = DB_ERROR;
	if (rc != DB_DONE) {
		central_fail(c, "read the erasures", e);
		db_rollback(c->db);
		json_decref(a);
		return -1;
	}
	db_commit(c->db);
	if (id && !json_array_size(a)) {
		err_set(e, "no erasure '%s' in the store", id);
		json_decref(a);
		return CENTRAL_NOT_FOUND;
	}
	*out = a;
	return 0;
}
