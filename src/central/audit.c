/*
 * audit.c: the store's audit trail (who exported, erased or changed assignments, when and what;
 * never a password or the data itself) and each study's key for the pseudonyms of its case ids.
 */
#include "cati/i18n.h"
#include "central-int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* One line of the audit trail, at the current time; inside the caller's transaction if any. */
int central_audit(struct central *c, const char *user, const char *action, const char *what)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "INSERT INTO audit(at, who, action, what) VALUES (?1, ?2, ?3, ?4)", &s) != DB_OK)
		return -1;
	db_bind_int64(s, 1, (int64_t)time(NULL));
	db_bind_text(s, 2, user ? user : "");
	db_bind_text(s, 3, action);
	db_bind_text(s, 4, what ? what : "");
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

/* Keep the line the next change of assignments writes with it (copied); action NULL: none. */
void central_audit_next(struct central *c, const char *user, const char *action, const char *what)
{
	c->audit.set = action != NULL;
	snprintf(c->audit.user, sizeof c->audit.user, "%s", action && user ? user : "");
	snprintf(c->audit.action, sizeof c->audit.action, "%s", action ? action : "");
	snprintf(c->audit.what, sizeof c->audit.what, "%s", action && what ? what : "");
}

/* Write the pending line in the caller's open transaction, then drop it; its failure is the
   change's: the caller rolls back. */
int central_audit_pending(struct central *c, struct err *e)
{
	int rc;

	if (!c->audit.set)
		return 0;
	c->audit.set = 0;
	rc = central_audit(c, c->audit.user, c->audit.action, c->audit.what);
	if (rc == 0)
		return 0;
	central_fail(c, N_("write the audit trail (nothing was changed)"), e);
	if (e->kind != ERR_KIND_BUSY)   /* busy: asking again may work, as for any change */
		e->kind = ERR_KIND_AUDIT;
	return -1;
}

/* Seconds since 1970 as ISO 8601 UTC ("2026-03-02T10:00:00Z"). */
static void iso_utc(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

/* The audit trail from since on (seconds since 1970), of user only when not NULL, oldest first. */
int central_audit_list(struct central *c, int64_t since, const char *user, json_t **out, struct err *e)
{
	struct dbs *s;
	int rc;

	*out = NULL;
	if (db_prepare(c->db, "SELECT at, who, action, what FROM audit WHERE at >= ?1 AND (CAST(?2 AS TEXT) IS NULL OR who = ?2)"
	                      " ORDER BY at, id", &s) != DB_OK)
		return central_fail(c, N_("read the audit trail"), e);
	db_bind_int64(s, 1, since);
	if (user)
		db_bind_text(s, 2, user);
	else
		db_bind_null(s, 2);
	*out = json_array();
	while ((rc = db_step(s)) == DB_ROW) {
		char at[32];

		iso_utc(db_column_int64(s, 0), at);
		json_array_append_new(*out, json_pack("{s:s,s:s,s:s,s:s}", "at", at, "user", db_column_text(s, 1),
		                                      "action", db_column_text(s, 2), "what", db_column_text(s, 3)));
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(*out);
		*out = NULL;
		return central_fail(c, N_("read the audit trail"), e);
	}
	return 0;
}

/* The stored key of study into key: 1 found, 0 none, -1 the database failed. */
static int key_read(struct central *c, const char *study, unsigned char key[EXP_PSEUDONYM_KEY])
{
	struct dbs *s;
	size_t len = 0;
	int rc, found = 0;

	if (db_prepare(c->db, "SELECT key FROM study_keys WHERE study = ?1", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, study);
	rc = db_step(s);
	if (rc == DB_ROW) {
		const char *hex = db_column_text(s, 0);
		found = hex && sodium_hex2bin(key, EXP_PSEUDONYM_KEY, hex, strlen(hex), NULL, &len, NULL) == 0 &&
		        len == EXP_PSEUDONYM_KEY;
		if (!found)
			rc = DB_ERROR;
	}
	db_finalize(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Study's key for pseudonyms, made (random) and kept on first use; the first one kept stays. */
int central_study_key(struct central *c, const char *study, unsigned char key[EXP_PSEUDONYM_KEY], struct err *e)
{
	unsigned char fresh[EXP_PSEUDONYM_KEY];
	char hex[2 * EXP_PSEUDONYM_KEY + 1];
	struct dbs *s;
	int rc;

	rc = key_read(c, study, key);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return central_fail(c, N_("read the study's pseudonym key"), e);
	randombytes_buf(fresh, sizeof fresh);
	sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
	sodium_memzero(fresh, sizeof fresh);
	/* two first exports at once: the one stored first wins, and both read it back */
	if (db_prepare(c->db, "INSERT INTO study_keys(study, key) VALUES (?1, ?2) ON CONFLICT DO NOTHING", &s) != DB_OK)
		return central_fail(c, N_("keep the study's pseudonym key"), e);
	db_bind_text(s, 1, study);
	db_bind_text(s, 2, hex);
	rc = db_step(s);
	db_finalize(s);
	sodium_memzero(hex, sizeof hex);
	if (rc != DB_DONE)
		return central_fail(c, N_("keep the study's pseudonym key"), e);
	if (key_read(c, study, key) != 1)
		return central_fail(c, N_("read the study's pseudonym key"), e);
	return 0;
}
