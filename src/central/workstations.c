/*
 * central-ws.c: registered workstations. A workstation is enrolled under the user who registers
 * it; only a registered, not retired workstation of the asking interviewer is given quota
 * allowances and case locks. A retired id stays retired: it cannot be registered again.
 * The store keeps each workstation's secret key (sent once by the workstation), to give it to an
 * interviewer who logs in there for the first time; retiring a workstation forgets it.
 */
#include "cati/i18n.h"
#include "central-int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define WS_KEY_BYTES 32

/* Look id up in the open transaction: 0 and its user in owner, 1 retired, 2 unknown, -1 error. */
static int ws_find(struct central *c, const char *id, char owner[65])
{
	struct dbs *s;
	int rc, step;

	if (db_prepare(c->db, "SELECT user, retired_at FROM workstations WHERE id = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, id);
	step = db_step(s);
	if (step == DB_ROW) {
		snprintf(owner, 65, "%s", db_column_text(s, 0));
		rc = db_column_type(s, 1) != DB_NULL;
	} else
		rc = step == DB_DONE ? 2 : -1;
	db_finalize(s);
	return rc;
}

/* Is id the user's registered, not retired workstation? The refusal says what to do. */
enum central_rc central_ws_check(struct central *c, const char *user, const char *id, struct err *e)
{
	char owner[65] = "";

	switch (ws_find(c, id, owner)) {
	case 0:
		if (!strcmp(owner, user))
			return CENTRAL_OK;
		err_set(e, _("workstation %s is registered to another user: run cati enroll"), id);
		return CENTRAL_FORBIDDEN;
	case 1:
		err_set(e, _("workstation %s is retired: ask a supervisor"), id);
		return CENTRAL_FORBIDDEN;
	case 2:
		err_set(e, _("workstation %s is not registered: run cati enroll"), id);
		return CENTRAL_UNREGISTERED;
	default:
		central_fail(c, N_("read the workstations"), e);
		return central_rc_of(e);
	}
}

/* Register id under user, in one write transaction; the first user's it stays. */
enum central_rc central_ws_register(struct central *c, const char *user, const char *id, const char *name,
                        struct err *e)
{
	struct dbs *s;
	char owner[65] = "";
	int rc;

	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	rc = ws_find(c, id, owner);
	if (rc == 0 && !strcmp(owner, user)) {
		db_rollback(c->db);
		return CENTRAL_OK;
	}
	if (rc == 0 || rc == 1) {
		db_rollback(c->db);
		err_set(e, rc ? _("workstation %s is retired: it cannot be registered again")
		              : _("workstation %s is registered to another user"), id);
		return CENTRAL_FORBIDDEN;
	}
	if (rc < 0 || db_prepare(c->db, "INSERT INTO workstations(id, user, name, registered_at) VALUES (?, ?, ?, ?)", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, user);
	db_bind_text(s, 3, name ? name : "");
	db_bind_int64(s, 4, (int64_t)time(NULL));
	rc = db_step(s);
	db_finalize(s);
	/* a change: the workstation's next pull, whatever its cursor, gets its allowances */
	if (rc != DB_DONE || central_next_seq(c) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	central_fail(c, N_("register the workstation"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}

/* Every workstation, by user and the time it was registered. */
int central_ws_list(struct central *c, json_t **out, struct err *e)
{
	struct dbs *s;
	json_t *a = json_array();
	int rc;

	if (db_prepare(c->db, "SELECT id, user, name, registered_at, retired_at FROM workstations ORDER BY user, registered_at, id", &s) != DB_OK) {
		json_decref(a);
		return central_fail(c, N_("read the workstations"), e);
	}
	while ((rc = db_step(s)) == DB_ROW) {
		json_t *x = json_object();
		json_object_set_new(x, "workstation", json_string(db_column_text(s, 0)));
		json_object_set_new(x, "user", json_string(db_column_text(s, 1)));
		json_object_set_new(x, "name", json_string(db_column_text(s, 2)));
		json_object_set_new(x, "registered_at", json_integer(db_column_int64(s, 3)));
		json_object_set_new(x, "retired_at", db_column_type(s, 4) != DB_NULL ? json_integer(db_column_int64(s, 4)) : json_null());
		json_array_append_new(a, x);
	}
	db_finalize(s);
	if (rc != DB_DONE) {
		json_decref(a);
		return central_fail(c, N_("read the workstations"), e);
	}
	*out = a;
	return 0;
}

/* Retire id and end its grants and locks in one transaction. */
enum central_rc central_ws_retire(struct central *c, const char *id, struct err *e)
{
	static const char *const sql[] = {
		"UPDATE workstations SET retired_at = ?2 WHERE id = ?1 AND retired_at IS NULL",
		"DELETE FROM grants WHERE holder = ?1 AND ?2 > 0",
		"DELETE FROM locks WHERE holder = ?1 AND ?2 > 0",
		"DELETE FROM workstation_keys WHERE workstation = ?1 AND ?2 > 0",   /* a lost laptop's key */
	};
	char owner[65];
	size_t i;
	int rc;

	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	rc = ws_find(c, id, owner);
	if (rc == 2) {
		db_rollback(c->db);
		err_set(e, _("no workstation '%s'"), id);
		return CENTRAL_NOT_FOUND;
	}
	if (rc < 0)
		goto fail;
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		struct dbs *s;
		if (db_prepare(c->db, sql[i], &s) != DB_OK)
			goto fail;
		db_bind_text(s, 1, id);
		db_bind_int64(s, 2, (int64_t)time(NULL));
		rc = db_step(s);
		db_finalize(s);
		if (rc != DB_DONE)
			goto fail;
	}
	/* a change: the user's other workstations may be granted what this one held */
	if (central_next_seq(c) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	central_fail(c, N_("retire the workstation"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}

/* Decode a base64 key of WS_KEY_BYTES into out; 0, or -1 when it is not one. */
static int key_decode(const char *b64, unsigned char out[WS_KEY_BYTES])
{
	size_t n = 0;

	if (!b64 || sodium_base642bin(out, WS_KEY_BYTES, b64, strlen(b64), NULL, &n, NULL,
	                              sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return n == WS_KEY_BYTES ? 0 : -1;
}

/* The public key kept for id into pub (base64): 1 kept, 0 none, -1 the database failed. */
static int key_kept(struct central *c, const char *id, char pub[64])
{
	struct dbs *s;
	int step;

	if (db_prepare(c->db, "SELECT public FROM workstation_keys WHERE workstation = ?", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, id);
	step = db_step(s);
	if (step == DB_ROW)
		snprintf(pub, 64, "%s", db_column_text(s, 0));
	db_finalize(s);
	return step == DB_ROW ? 1 : step == DB_DONE ? 0 : -1;
}

/* Keep a workstation's key sent from it, once the pair is checked (see central.h). */
enum central_rc central_ws_key_put(struct central *c, const char *user, const char *id, const char *secret,
                                   const char *pub, struct err *e)
{
	unsigned char sk[WS_KEY_BYTES], pk[WS_KEY_BYTES], made[WS_KEY_BYTES];
	char owner[65] = "", kept[64] = "";
	struct dbs *s;
	int rc, has, ok;

	ok = key_decode(secret, sk) == 0 && key_decode(pub, pk) == 0 && crypto_scalarmult_base(made, sk) == 0 &&
	     !sodium_memcmp(made, pk, sizeof pk);
	sodium_memzero(sk, sizeof sk);
	if (!ok) {
		err_set(e, _("the workstation's key is not a key pair (base64 of 32 bytes each, the public made from the secret)"));
		return CENTRAL_INPUT;
	}
	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	rc = ws_find(c, id, owner);
	if (rc < 0 || (has = key_kept(c, id, kept)) < 0)
		goto fail;
	if (rc != 0 || (has && strcmp(owner, user) && strcmp(kept, pub))) {
		db_rollback(c->db);
		if (rc == 2) {
			err_set(e, _("workstation %s is not registered: run cati enroll"), id);
			return CENTRAL_UNREGISTERED;
		}
		if (rc == 1)
			err_set(e, _("workstation %s is retired: its key is not kept"), id);
		else
			err_set(e, _("the store keeps another key of workstation %s: only its registered user may replace it"), id);
		return CENTRAL_FORBIDDEN;
	}
	if (has && !strcmp(kept, pub)) {
		db_rollback(c->db);
		return CENTRAL_OK;   /* sent again (its note that it was sent got lost): nothing new */
	}
	if (db_prepare(c->db, "INSERT INTO workstation_keys(workstation, public, secret, at) VALUES (?1, ?2, ?3, ?4)"
	                      " ON CONFLICT(workstation) DO UPDATE SET public = excluded.public, secret = excluded.secret,"
	                      " at = excluded.at", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, pub);
	db_bind_text(s, 3, secret);
	db_bind_int64(s, 4, (int64_t)time(NULL));
	rc = db_step(s);
	db_finalize(s);
	if (rc != DB_DONE || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	central_fail(c, N_("keep the workstation's key"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}

/* Give a registered, not retired workstation's key to user, in the audit trail (see central.h). */
enum central_rc central_ws_key_get(struct central *c, const char *user, const char *id, char secret[64],
                                   char pub[64], struct err *e)
{
	struct dbs *s;
	char owner[65] = "", what[128];
	int rc, step;

	secret[0] = pub[0] = '\0';
	if (db_begin(c->db, 1) != DB_OK)
		goto fail;
	rc = ws_find(c, id, owner);
	if (rc < 0)
		goto fail;
	if (rc != 0) {
		db_rollback(c->db);
		if (rc == 2) {
			err_set(e, _("workstation %s is not registered: run cati enroll"), id);
			return CENTRAL_UNREGISTERED;
		}
		err_set(e, _("workstation %s is retired: its key is given to no one"), id);
		return CENTRAL_FORBIDDEN;
	}
	if (db_prepare(c->db, "SELECT secret, public FROM workstation_keys WHERE workstation = ?", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, id);
	step = db_step(s);
	if (step == DB_ROW) {
		snprintf(secret, 64, "%s", db_column_text(s, 0));
		snprintf(pub, 64, "%s", db_column_text(s, 1));
	}
	db_finalize(s);
	if (step == DB_DONE) {
		db_rollback(c->db);
		err_set(e, _("the store keeps no key of workstation %s yet: an interviewer with a copy must sync there first"), id);
		return CENTRAL_NOT_FOUND;
	}
	/* its line in the audit trail by the one mechanism every change uses: a line that cannot be
	   written refuses the key with the audit trail's own message */
	snprintf(what, sizeof what, "workstation %s", id);
	central_audit_next(c, user, "key", what);
	if (step != DB_ROW || central_audit_pending(c, e) < 0 || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	sodium_memzero(secret, 64);
	central_fail(c, N_("give the workstation's key"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}
