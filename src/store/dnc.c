/* dnc.c: the do-not-call list on the workstation: the store's list as the last pull left it
   (plus numbers an interviewer's "do not call again" added since), the default country for
   national numbers, and each case's numbers in international form, which the scheduler checks
   against the list. */
#include "store-int.h"

#include "cati/phone.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number's digest (BLAKE2b, 16 bytes, as hex), under the workstation's fixed key. */
void store_phone_digest(const char *e164, char out[33])
{
	static const unsigned char key[crypto_generichash_KEYBYTES] = "cati do-not-call list, v1";
	unsigned char h[16];

	crypto_generichash(h, sizeof h, (const unsigned char *)e164, strlen(e164), key, sizeof key);
	sodium_bin2hex(out, 33, h, sizeof h);
}

/* Where phone_each's callback writes: the statement and the case. */
struct put_phone {
	sqlite3_stmt *ins;
	int64_t case_id;
};

/* Keep one of a case's numbers (phone_each's callback). */
static int put_phone(void *ctx, const char *e164)
{
	struct put_phone *p = ctx;
	char digest[33];
	int rc;

	store_phone_digest(e164, digest);
	sqlite3_bind_int64(p->ins, 1, p->case_id);
	sqlite3_bind_text(p->ins, 2, digest, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(p->ins);
	sqlite3_reset(p->ins);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Set the numbers of one case (by id) from its phone field, normalised for country. */
static enum store_rc phones_of(struct store *st, int64_t case_id, const char *phone, const char *country,
                               struct err *e)
{
	sqlite3_stmt *del = store_prepare(st, "DELETE FROM case_phones WHERE case_id = ?", e);
	struct put_phone p;
	int rc;

	if (!del)
		return st->last_rc;
	sqlite3_bind_int64(del, 1, case_id);
	rc = sqlite3_step(del);
	sqlite3_finalize(del);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "keep the case's phone numbers", e);
	if (!(p.ins = store_prepare(st, "INSERT OR IGNORE INTO case_phones(case_id, digest) VALUES (?, ?)", e)))
		return st->last_rc;
	p.case_id = case_id;
	rc = phone ? phone_each(phone, country, put_phone, &p) : 0;
	sqlite3_finalize(p.ins);
	return rc < 0 ? store_fail(st, sqlite3_errcode(st->db), "keep the case's phone numbers", e) : STORE_OK;
}

/* Keep one case's numbers in international form, from its phone field as given (the database
   holds it sealed). */
enum store_rc store_case_phones(struct store *st, const char *key, const char *phone, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id FROM cases WHERE case_key = ?", e);
	char *country;
	int64_t id = 0;
	enum store_rc rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (!id)
		return STORE_OK;
	country = store_meta_get(st, "country");
	rc = phones_of(st, id, phone, country, e);
	free(country);
	return rc;
}

/* Keep every case's numbers in international form; a case whose phone is sealed while the
   store is locked keeps the numbers it has. */
enum store_rc store_case_phones_all(struct store *st, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, peek(phone) FROM cases", e);
	char *country = store_meta_get(st, "country");
	enum store_rc rc = STORE_OK;
	int step;

	if (!s) {
		free(country);
		return st->last_rc;
	}
	while (rc == STORE_OK && (step = sqlite3_step(s)) == SQLITE_ROW)
		if (sqlite3_column_type(s, 1) != SQLITE_NULL)
			rc = phones_of(st, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1), country, e);
	sqlite3_finalize(s);
	free(country);
	return rc;
}

/* Take the store's default country; the cases' numbers again when it changed. */
enum store_rc store_country_set(struct store *st, const char *iso, struct err *e)
{
	char *now = store_meta_get(st, "country");
	int same = !strcmp(now, iso ? iso : "");

	free(now);
	if (same)
		return STORE_OK;
	/* the national numbers read otherwise now: every case's numbers again */
	if (store_meta_set(st, "country", iso ? iso : "", e) != STORE_OK)
		return st->last_rc;
	return store_case_phones_all(st, e);
}

/* One number on or off the workstation's list. */
enum store_rc store_dnc_set(struct store *st, const char *e164, int listed, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, listed ? "INSERT OR IGNORE INTO dnc(digest) VALUES (?)"
	                                           : "DELETE FROM dnc WHERE digest = ?", e);
	char digest[33];
	int rc;

	if (!s)
		return st->last_rc;
	store_phone_digest(e164, digest);
	sqlite3_bind_text(s, 1, digest, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "keep the do-not-call list", e);
}

/* Every number of a case on the list. */
enum store_rc store_dnc_case(struct store *st, int64_t case_id, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR IGNORE INTO dnc(digest) SELECT digest FROM case_phones WHERE case_id = ?", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, case_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "put the case's numbers on the do-not-call list", e);
}

/* How many open cases a listed number keeps from being offered. */
long store_dnc_held(struct store *st)
{
	struct err e;
	sqlite3_stmt *s;
	long n = -1;

	err_init(&e);
	s = store_prepare(st, "SELECT count(*) FROM cases c WHERE c.disposition IS NULL AND c.withdrawn_at IS NULL"
	                                    " AND EXISTS (SELECT 1 FROM case_phones cp JOIN dnc d ON d.digest = cp.digest"
	                                    " WHERE cp.case_id = c.id)", &e);

	if (!s)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}
