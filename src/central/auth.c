/* auth.c: users, their passwords and projects, logins (counted against a limit) and tokens. */
#include "cati/i18n.h"
#include "central-int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FAILURES 5        /* failed logins per user ... */
#define FAILURE_WINDOW 60     /* ... within this many seconds lock the login */
#define MAX_ADDR_FAILURES 30  /* failed logins per client address within the window */
/* login_failures rows of an address: a key no user name can be (names have no control characters) */
#define ADDR_KEY "\001addr "

/* The name a role is kept under. */
static const char *role_name(enum central_role r)
{
	return r == CENTRAL_ADMIN ? "admin" : r == CENTRAL_SUPERVISOR ? "supervisor" : "interviewer";
}

/* The role kept under name s: 0, or -1 for no role. */
static int role_of(const char *s, enum central_role *r)
{
	if (!strcmp(s, "admin"))
		*r = CENTRAL_ADMIN;
	else if (!strcmp(s, "supervisor"))
		*r = CENTRAL_SUPERVISOR;
	else if (!strcmp(s, "interviewer"))
		*r = CENTRAL_INTERVIEWER;
	else
		return -1;
	return 0;
}

/* Run one statement with text parameters; returns sqlite's step result. */
static int run(struct central *c, const char *sql, int n, const char *const *args)
{
	struct dbs *s;
	int rc, i;

	if (db_prepare(c->db, sql, &s) != DB_OK)
		return DB_ERROR;
	for (i = 0; i < n; i++)
		if (args[i])
			db_bind_text_copy(s, i + 1, args[i]);
	rc = db_step(s);
	db_finalize(s);
	return rc;
}

/* Add a user with a hashed password and a fresh id: 0, or -1 (a bad role or name, a name taken). */
int central_user_add(struct central *c, const char *name, const char *role, const char *password,
                     struct err *e)
{
	char hash[crypto_pwhash_STRBYTES], now[32], id[33];
	unsigned char raw[16];
	enum central_role r;
	const char *args[5];

	if (role_of(role, &r) < 0) {
		err_set(e, _("unknown role '%s' (admin, supervisor or interviewer)"), role);
		return -1;
	}
	if (!*name || strlen(name) > 64) {
		err_set(e, _("a user name has 1 to 64 characters"));
		return -1;
	}
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		err_set(e, _("cannot hash the password"));
		return -1;
	}
	snprintf(now, sizeof now, "%lld", (long long)time(NULL));
	args[0] = name;
	args[1] = role_name(r);
	args[2] = hash;
	args[3] = now;
	/* the id tokens name: never given again, so a name added anew does not revive old tokens */
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(id, sizeof id, raw, sizeof raw);
	args[4] = id;
	if (run(c, "INSERT INTO users(name, role, hash, created_at, id) VALUES (?, ?, ?, ?, ?)", 5, args) != DB_DONE) {
		if (db_constraint(c->db))
			err_set(e, _("user '%s' already exists"), name);
		else
			central_fail(c, N_("add the user"), e);
		return -1;
	}
	return 0;
}

/* Give a user a new password and end their tokens. */
int central_user_passwd(struct central *c, const char *name, const char *password, struct err *e)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *args[2];

	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		err_set(e, _("cannot hash the password"));
		return -1;
	}
	args[0] = hash;
	args[1] = name;
	if (run(c, "UPDATE users SET hash = ? WHERE name = ?", 2, args) != DB_DONE)
		return central_fail(c, N_("change the password"), e);
	if (!db_changes(c->db)) {
		err_set(e, _("no user '%s'"), name);
		return -1;
	}
	/* a changed password ends the sessions that used the old one */
	run(c, "DELETE FROM tokens WHERE user = ?", 1, &args[1]);
	return 0;
}

/* Delete a user and their tokens for good. */
int central_user_delete(struct central *c, const char *name, struct err *e)
{
	int rc;

	if (db_begin(c->db, DB_WRITE) != DB_OK)
		return central_fail(c, N_("delete the user"), e);
	if (run(c, "DELETE FROM tokens WHERE user = ?1 OR user_id IN (SELECT id FROM users WHERE name = ?1)", 1, &name) != DB_DONE ||
	    run(c, "DELETE FROM users WHERE name = ?", 1, &name) != DB_DONE) {
		central_fail(c, N_("delete the user"), e);
		db_rollback(c->db);
		return -1;
	}
	rc = db_changes(c->db) > 0;
	if (db_commit(c->db) != DB_OK) {
		central_fail(c, N_("delete the user"), e);
		db_rollback(c->db);
		return -1;
	}
	if (!rc) {
		err_set(e, _("no user '%s'"), name);
		return -1;
	}
	return 0;
}

/* Disable a user: their tokens end and they can no longer log in. */
int central_user_disable(struct central *c, const char *name, struct err *e)
{
	if (run(c, "UPDATE users SET disabled = 1 WHERE name = ?", 1, &name) != DB_DONE)
		return central_fail(c, N_("disable the user"), e);
	if (!db_changes(c->db)) {
		err_set(e, _("no user '%s'"), name);
		return -1;
	}
	run(c, "DELETE FROM tokens WHERE user = ?", 1, &name);
	return 0;
}

/* The hash under which a token is kept: the token itself is never stored. */
static void token_hash(const char *token, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/*
 * How many attempts under key are still in the window: a user name's rows are the name itself;
 * an address's rows (prefix set) each carry a mark of their own after the key, so that a login
 * that succeeds takes back exactly its own row.
 */
static long long failures_of(struct central *c, const char *key, int prefix, int64_t since)
{
	struct dbs *s;
	struct buf like;
	const char *p;
	long long n = -1;

	buf_init(&like);
	for (p = key; *p; p++) {
		if (*p == '!' || *p == '%' || *p == '_')
			buf_putc(&like, '!');
		buf_putc(&like, *p);
	}
	buf_puts(&like, "\002%");
	if (db_prepare(c->db, prefix ? "SELECT count(*) FROM login_failures WHERE user LIKE ? ESCAPE '!' AND at > ?"
	                             : "SELECT count(*) FROM login_failures WHERE user = ? AND at > ?", &s) == DB_OK) {
		db_bind_text(s, 1, prefix ? buf_str(&like) : key);
		db_bind_int64(s, 2, since);
		if (db_step(s) == DB_ROW)
			n = db_column_int64(s, 0);
		db_finalize(s);
	}
	buf_release(&like);
	return n;
}

/*
 * Count this attempt against the user and the address before its password is checked, in one
 * transaction that holds both counters: parallel attempts cannot all see room under the limit.
 * Rows past the window go at the same time, so the table holds at most the limits' worth.
 * CENTRAL_OK (counted), CENTRAL_LIMITED (over a limit: not counted), CENTRAL_BUSY or
 * CENTRAL_STORAGE.
 */
static enum central_rc count_attempt(struct central *c, const char *name, const char *addr, int64_t now,
                         char mark[128], struct err *e)
{
	char akey[80], at[32], nonce[17];
	unsigned char raw[8];
	const char *args[2];
	long long by_user, by_addr;
	struct dbs *s;
	int rc;

	snprintf(akey, sizeof akey, "%s%s", ADDR_KEY, addr);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
	snprintf(mark, 128, "%s\002%s", akey, nonce);
	snprintf(at, sizeof at, "%lld", (long long)now);
	if (db_begin(c->db, DB_WRITE_SHARED) != DB_OK) {
		central_fail(c, N_("count the login"), e);
		return central_rc_of(e);
	}
	if (db_lock(c->db, "login-user") != DB_OK)
		goto fail;
	if (db_prepare(c->db, "DELETE FROM login_failures WHERE at <= ?", &s) != DB_OK)
		goto fail;
	db_bind_int64(s, 1, now - FAILURE_WINDOW);
	rc = db_step(s);
	db_finalize(s);
	if (rc != DB_DONE)
		goto fail;
	by_user = failures_of(c, name, 0, now - FAILURE_WINDOW);
	by_addr = failures_of(c, akey, 1, now - FAILURE_WINDOW);
	if (by_user < 0 || by_addr < 0)
		goto fail;
	if (by_user >= MAX_FAILURES || by_addr >= MAX_ADDR_FAILURES) {
		db_rollback(c->db);
		if (by_user >= MAX_FAILURES)
			err_set(e, _("too many failed logins for '%s': wait a minute"), name);
		else
			err_set(e, _("too many failed logins from this address: wait a minute"));
		return CENTRAL_LIMITED;
	}
	args[0] = name;
	args[1] = at;
	if (run(c, "INSERT INTO login_failures(user, at) VALUES (?, ?)", 2, args) != DB_DONE)
		goto fail;
	args[0] = mark;
	if (run(c, "INSERT INTO login_failures(user, at) VALUES (?, ?)", 2, args) != DB_DONE)
		goto fail;
	if (db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	central_fail(c, N_("count the login"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}

/* Check a user's password, counted against the limits, and hand out a new token. */
enum central_rc central_login(struct central *c, const char *name, const char *password, const char *addr,
                              int ttl_s, char token[65], enum central_role *role, struct err *e)
{
	struct dbs *s;
	char hash[crypto_pwhash_STRBYTES] = "", rolebuf[16] = "", th[65], exp[32], id[65] = "";
	unsigned char raw[32];
	const char *args[4];
	int disabled = 1, found = 0, rc;
	enum central_rc counted;
	const char *p;
	char mark[128], lockkey[80];
	int64_t now;

	if (strlen(name) > CENTRAL_MAX_USER) {
		err_set(e, _("the user name is too long (at most %d bytes)"), CENTRAL_MAX_USER);
		return CENTRAL_INPUT;
	}
	if (strlen(password) > CENTRAL_MAX_PASSWORD) {
		err_set(e, _("the password is too long (at most %d bytes)"), CENTRAL_MAX_PASSWORD);
		return CENTRAL_INPUT;
	}
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20) {
			err_set(e, _("the user name has control characters"));
			return CENTRAL_INPUT;
		}
	now = (int64_t)time(NULL);
	counted = count_attempt(c, name, addr ? addr : "", now, mark, e);
	if (counted != CENTRAL_OK)
		return counted;
	if (db_prepare(c->db, "SELECT hash, role, disabled, id FROM users WHERE name = ?", &s) == DB_OK) {
		db_bind_text(s, 1, name);
		if (db_step(s) == DB_ROW && db_column_text(s, 3)) {
			found = 1;
			snprintf(id, sizeof id, "%s", db_column_text(s, 3));
			snprintf(hash, sizeof hash, "%s", db_column_text(s, 0));
			snprintf(rolebuf, sizeof rolebuf, "%s", db_column_text(s, 1));
			disabled = db_column_int(s, 2);
		}
		db_finalize(s);
	}
	if (!found || disabled || crypto_pwhash_str_verify(hash, password, strlen(password)) != 0) {
		err_set(e, _("wrong user name or password"));
		return CENTRAL_DENIED;
	}
	role_of(rolebuf, role);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, 65, raw, sizeof raw);
	token_hash(token, th);
	snprintf(exp, sizeof exp, "%lld", (long long)time(NULL) + ttl_s);
	/* one transaction: the new token, the user's expired ones gone (so the table holds at most
	   the tokens still good), and the failure counts cleared; the user's logins in turn */
	snprintf(lockkey, sizeof lockkey, "tokens:%s", id);
	if (db_begin(c->db, DB_WRITE_SHARED) != DB_OK) {
		central_fail(c, N_("log in"), e);
		return central_rc_of(e);
	}
	if (db_lock(c->db, lockkey) != DB_OK || db_prepare(c->db, "DELETE FROM tokens WHERE user_id = ? AND expires <= ?", &s) != DB_OK)
		goto fail;
	db_bind_text(s, 1, id);
	db_bind_int64(s, 2, now);
	rc = db_step(s);
	db_finalize(s);
	if (rc != DB_DONE)
		goto fail;
	args[0] = th;
	args[1] = name;
	args[2] = exp;
	args[3] = id;
	if (run(c, "INSERT INTO tokens(hash, user, expires, user_id) VALUES (?, ?, ?, ?)", 4, args) != DB_DONE)
		goto fail;
	/* a success is no failure: the user's count goes, and this attempt's row of its address */
	if (run(c, "DELETE FROM login_failures WHERE user = ?", 1, &name) != DB_DONE)
		goto fail;
	args[0] = mark;
	if (run(c, "DELETE FROM login_failures WHERE user = ?", 1, args) != DB_DONE || db_commit(c->db) != DB_OK)
		goto fail;
	return CENTRAL_OK;
fail:
	central_fail(c, N_("log in"), e);
	db_rollback(c->db);
	return central_rc_of(e);
}

/* The user and role of a token that is valid and not expired. */
int central_auth(struct central *c, const char *token, char user[65], enum central_role *role)
{
	struct dbs *s;
	char th[65];
	int ok = -1;

	if (!token || strlen(token) != 64)
		return -1;
	token_hash(token, th);
	if (db_prepare(c->db, "SELECT u.name, u.role FROM tokens t JOIN users u ON u.id = t.user_id"
	                              " WHERE t.hash = ? AND t.expires > ? AND u.disabled = 0", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, th);
	db_bind_int64(s, 2, (int64_t)time(NULL));
	if (db_step(s) == DB_ROW) {
		snprintf(user, 65, "%s", db_column_text(s, 0));
		ok = role_of(db_column_text(s, 1), role);
	}
	db_finalize(s);
	return ok;
}

/* Keep a supervisor's projects as ",a,b," (or "*"), so a study is matched whole. */
int central_user_projects(struct central *c, const char *name, const char *projects, struct err *e)
{
	struct buf norm;
	const char *p;
	const char *args[2];
	int rc;

	/* kept as ",a,b," (or "*") so a study is matched whole */
	buf_init(&norm);
	if (!strcmp(projects, "*")) {
		buf_add(&norm, "*", 1);
	} else {
		buf_add(&norm, ",", 1);
		for (p = projects; *p; p++) {
			if (*p == ' ')
				continue;
			if (*p == ',' && norm.len && buf_str(&norm)[norm.len - 1] == ',')
				continue;
			buf_add(&norm, p, 1);
		}
		if (buf_str(&norm)[norm.len - 1] != ',')
			buf_add(&norm, ",", 1);
	}
	args[0] = buf_str(&norm);
	args[1] = name;
	rc = run(c, "UPDATE users SET projects = ? WHERE name = ?", 2, args);
	buf_release(&norm);
	if (rc != DB_DONE)
		return central_fail(c, N_("set the projects"), e);
	if (!db_changes(c->db)) {
		err_set(e, _("no user '%s'"), name);
		return -1;
	}
	return 0;
}

/* The projects a user sees, as central_user_projects keeps them. */
void central_projects_of(struct central *c, const char *user, enum central_role role, char *out, size_t n)
{
	struct dbs *s;

	snprintf(out, n, "%s", role == CENTRAL_ADMIN ? "*" : "");
	if (role != CENTRAL_SUPERVISOR ||
	    db_prepare(c->db, "SELECT projects FROM users WHERE name = ?", &s) != DB_OK)
		return;
	db_bind_text(s, 1, user);
	if (db_step(s) == DB_ROW && db_column_text(s, 0))
		snprintf(out, n, "%s", db_column_text(s, 0));
	db_finalize(s);
}

/* May the user manage study (admins all, supervisors their projects)? */
int central_may_manage(struct central *c, const char *user, enum central_role role, const char *study)
{
	char p[4096], needle[300];

	if (role == CENTRAL_ADMIN)
		return 1;
	if (role != CENTRAL_SUPERVISOR)
		return 0;
	central_projects_of(c, user, role, p, sizeof p);
	snprintf(needle, sizeof needle, ",%s,", study);
	return !strcmp(p, "*") || strstr(p, needle) != NULL;
}
