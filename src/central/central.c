/* central.c: the central store's SQLite backend: users, tokens, forms, cases, pushed records. */
#include "central-int.h"

#include "cati/pg.h"
#include "figures.h"

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


static const char *const schema =
	"CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, role TEXT NOT NULL,"
	" hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS tokens(hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name),"
	" expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS login_failures(user TEXT NOT NULL, at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS counter(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO counter VALUES (1, 0);"
	"CREATE TABLE IF NOT EXISTS forms(hash TEXT PRIMARY KEY, form_id TEXT NOT NULL, version TEXT NOT NULL,"
	" source TEXT NOT NULL, seq INTEGER NOT NULL, published_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS cases(case_key TEXT PRIMARY KEY, study TEXT NOT NULL, phone TEXT NOT NULL,"
	" name TEXT, tz TEXT, fields TEXT NOT NULL, interviewer TEXT, seq INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS cases_seq ON cases(seq);"
	"CREATE TABLE IF NOT EXISTS records(uuid TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT NOT NULL,"
	" case_key TEXT NOT NULL, content_hash TEXT NOT NULL, data TEXT NOT NULL,"
	" received_at INTEGER NOT NULL, duplicate INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS records_case ON records(case_key, kind);"
	"CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, owner TEXT NOT NULL,"
	" data TEXT NOT NULL, received_at INTEGER NOT NULL);";

/*
 * Later schema versions, one step each (PRAGMA user_version): 0 -> 1 gives supervisors their
 * projects, appointments a change number for pulls, and a log of cases taken from interviewers.
 */
static const char *const migrations[] = {
	"ALTER TABLE users ADD COLUMN projects TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE records ADD COLUMN seq INTEGER;"
	"CREATE INDEX records_seq ON records(seq) WHERE seq IS NOT NULL;"
	"CREATE TABLE reassignments(case_key TEXT NOT NULL, from_interviewer TEXT NOT NULL, seq INTEGER NOT NULL);"
	"CREATE INDEX reassignments_from ON reassignments(from_interviewer, seq);"
	"CREATE TRIGGER cases_reassigned AFTER UPDATE OF interviewer ON cases"
	" WHEN old.interviewer IS NOT NULL AND old.interviewer IS NOT new.interviewer BEGIN"
	" INSERT INTO reassignments(case_key, from_interviewer, seq) VALUES (old.case_key, old.interviewer, new.seq);"
	" END;",

	/* 1 -> 2: what reports and quotas read, kept as records arrive: the latest state of each
	   interview with its on-route answers, call attempts, quota cells with their counts, the
	   cells each complete fell into, allowances granted to workstations, and when each user
	   was last seen */
	"CREATE TABLE interviews(uuid TEXT PRIMARY KEY, study TEXT NOT NULL, case_key TEXT NOT NULL,"
	" form TEXT, version TEXT, interviewer TEXT NOT NULL, lang TEXT, status TEXT NOT NULL, outcome TEXT,"
	" started_at TEXT, ended_at TEXT, updated_at TEXT NOT NULL DEFAULT '', duplicate INTEGER NOT NULL DEFAULT 0,"
	" received_at INTEGER NOT NULL);"
	"CREATE INDEX interviews_study ON interviews(study, status);"
	"CREATE INDEX interviews_case ON interviews(case_key);"
	"CREATE TABLE answers(interview TEXT NOT NULL, qid TEXT NOT NULL, iter INTEGER NOT NULL,"
	" state INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY(interview, qid, iter)) WITHOUT ROWID;"
	"CREATE TABLE attempts(uuid TEXT PRIMARY KEY, study TEXT NOT NULL, case_key TEXT NOT NULL,"
	" interviewer TEXT NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL, disposition TEXT);"
	"CREATE INDEX attempts_study ON attempts(study, case_key);"
	"CREATE TABLE quota_cells(study TEXT NOT NULL, quota TEXT NOT NULL, cell TEXT NOT NULL,"
	" label TEXT NOT NULL DEFAULT '', target INTEGER NOT NULL, closed INTEGER NOT NULL DEFAULT 0,"
	" achieved INTEGER NOT NULL DEFAULT 0, allowance INTEGER NOT NULL DEFAULT 2,"
	" PRIMARY KEY(study, quota, cell));"
	"CREATE TABLE interview_cells(interview TEXT NOT NULL, study TEXT NOT NULL, quota TEXT NOT NULL,"
	" cell TEXT NOT NULL, over INTEGER NOT NULL DEFAULT 0, holder TEXT, PRIMARY KEY(interview, quota));"
	"CREATE INDEX interview_cells_cell ON interview_cells(study, quota, cell);"
	"CREATE TABLE grants(study TEXT NOT NULL, quota TEXT NOT NULL, cell TEXT NOT NULL, holder TEXT NOT NULL,"
	" n INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(study, quota, cell, holder));"
	"CREATE TABLE seen(user TEXT PRIMARY KEY, at INTEGER NOT NULL, what TEXT NOT NULL DEFAULT '');"
	"INSERT INTO interviews(uuid, study, case_key, form, version, interviewer, lang, status, outcome,"
	" started_at, ended_at, updated_at, duplicate, received_at)"
	" SELECT json_extract(r.data, '$.interview'), c.study, r.case_key, json_extract(r.data, '$.form'),"
	" json_extract(r.data, '$.version'), coalesce(json_extract(r.data, '$.interviewer'), r.owner),"
	" json_extract(r.data, '$.lang'), coalesce(json_extract(r.data, '$.status'), 'active'),"
	" json_extract(r.data, '$.outcome'), json_extract(r.data, '$.started_at'), json_extract(r.data, '$.ended_at'),"
	" coalesce(json_extract(r.data, '$.updated_at'), ''), r.duplicate, r.received_at"
	" FROM records r JOIN cases c USING (case_key) WHERE r.kind = 'interview'"
	" AND json_extract(r.data, '$.interview') IS NOT NULL ORDER BY r.rowid"
	" ON CONFLICT(uuid) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,"
	" ended_at = excluded.ended_at, updated_at = excluded.updated_at, duplicate = max(duplicate, excluded.duplicate)"
	" WHERE excluded.updated_at >= interviews.updated_at;"
	"INSERT OR IGNORE INTO attempts(uuid, study, case_key, interviewer, at, outcome, disposition)"
	" SELECT r.uuid, c.study, r.case_key, coalesce(json_extract(r.data, '$.interviewer'), r.owner),"
	" coalesce(json_extract(r.data, '$.at'), ''), coalesce(json_extract(r.data, '$.outcome'), ''),"
	" json_extract(r.data, '$.disposition') FROM records r JOIN cases c USING (case_key) WHERE r.kind = 'attempt';",

	/* 2 -> 3: a case in a call is locked for its workstation until the call is recorded */
	"CREATE TABLE locks(case_key TEXT PRIMARY KEY, holder TEXT NOT NULL, user TEXT NOT NULL,"
	" until INTEGER NOT NULL);",

	/* 3 -> 4: an interviewer's pull finds their cases and studies by index, not by a scan of
	   every case (it runs every few seconds per workstation) */
	"CREATE INDEX cases_interviewer ON cases(interviewer, study);",

	/* 4 -> 5: identity. An interview id belongs to the case, interviewer and workstation it
	   first came with (holder NULL: not known yet, taken by the next push); a user has an id
	   that is never given again, and a token names the id, so a user deleted and added again
	   under the same name does not revive the old tokens */
	"CREATE TABLE interview_owners(interview TEXT PRIMARY KEY, case_key TEXT NOT NULL,"
	" interviewer TEXT NOT NULL, holder TEXT);"
	"INSERT OR IGNORE INTO interview_owners(interview, case_key, interviewer)"
	" SELECT uuid, case_key, interviewer FROM interviews;"
	"ALTER TABLE users ADD COLUMN id TEXT;"
	"UPDATE users SET id = lower(hex(randomblob(16)));"
	"CREATE UNIQUE INDEX users_id ON users(id);"
	"ALTER TABLE tokens ADD COLUMN user_id TEXT;"
	"UPDATE tokens SET user_id = (SELECT id FROM users WHERE name = tokens.user);"
	"DELETE FROM tokens WHERE user_id IS NULL;",

	/* 5 -> 6: registered workstations; only these get quota allowances and case locks */
	"CREATE TABLE workstations(id TEXT PRIMARY KEY, user TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	" registered_at INTEGER NOT NULL, retired_at INTEGER);"
	"CREATE INDEX workstations_user ON workstations(user);",

	/* 6 -> 7: a pull sends only what changed. Finished interviews are counted as records
	   arrive (each interview once per study, status and outcome it finished with), and quota
	   cells and each workstation's grants carry change numbers; everything counted so far is
	   sent once more */
	"CREATE TABLE counted(interview TEXT NOT NULL, study TEXT NOT NULL, status TEXT NOT NULL,"
	" outcome TEXT NOT NULL, PRIMARY KEY(interview, study, status, outcome)) WITHOUT ROWID;"
	"CREATE TABLE counts(study TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT NOT NULL,"
	" n INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(study, status, outcome));"
	"CREATE INDEX counts_seq ON counts(seq);"
	"ALTER TABLE quota_cells ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE grants ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX grants_holder ON grants(holder, at);"
	"UPDATE counter SET seq = seq + 1;"
	"INSERT OR IGNORE INTO counted(interview, study, status, outcome)"
	" SELECT json_extract(r.data, '$.interview'), c.study, json_extract(r.data, '$.status'),"
	" CAST(coalesce(json_extract(r.data, '$.outcome'), '') AS TEXT) FROM records r JOIN cases c USING (case_key)"
	" WHERE r.kind = 'interview' AND r.duplicate = 0 AND json_extract(r.data, '$.status') IN ('complete', 'screenout')"
	" AND json_extract(r.data, '$.interview') IS NOT NULL;"
	"INSERT INTO counts(study, status, outcome, n, seq) SELECT study, status, outcome, count(*),"
	" (SELECT seq FROM counter) FROM counted GROUP BY study, status, outcome;"
	"UPDATE quota_cells SET seq = (SELECT seq FROM counter);",

	/* 7 -> 8: the report's figures, kept as records arrive (figures.c); built from the report
	   tables when the store opens (fig_refresh) */
	FIG_SCHEMA,

	/* 8 -> 9: an interviewer-day keeps its first and last time, so what a batch adds to it is
	   counted alone (rows kept before are counted again the first time they change) */
	"ALTER TABLE fig_days ADD COLUMN lo TEXT;"
	"ALTER TABLE fig_days ADD COLUMN hi TEXT;",
};

static int migrate(struct db *db)
{
	struct dbs *s;
	int v = 0;
	size_t i;

	if (db_prepare(db, "PRAGMA user_version", &s) != DB_OK)
		return -1;
	if (db_step(s) == DB_ROW)
		v = db_column_int(s, 0);
	db_finalize(s);
	if (v > (int)(sizeof migrations / sizeof migrations[0]))
		return -2;
	for (i = (size_t)v; i < sizeof migrations / sizeof migrations[0]; i++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %zu;", i + 1);
		if (db_begin(db, 1) != DB_OK)
			return -1;
		if (db_exec(db, migrations[i]) != DB_OK || db_exec(db, pragma) != DB_OK || db_commit(db) != DB_OK) {
			db_rollback(db);
			return -1;
		}
	}
	return 0;
}

int central_fail(struct central *c, const char *what, struct err *e)
{
	const char *m = db_errmsg(c->db);

	if (!e->set)   /* SQLite's "database is locked"; PostgreSQL's lock, serialization and deadlock failures */
		e->kind = strstr(m, "locked") || strstr(m, "busy") || strstr(m, "could not obtain lock") ||
		          strstr(m, "could not serialize") || strstr(m, "deadlock") ? ERR_KIND_BUSY : ERR_KIND_STORAGE;
	err_set(e, "cannot %s in '%s': %s", what, c->path, m);
	return -1;
}

struct central *central_open(const char *path, struct err *e)
{
	struct central *c = xcalloc(1, sizeof *c);

	if (sodium_init() < 0) {
		err_set(e, "cannot initialise libsodium");
		free(c);
		return NULL;
	}
	if (!(c->db = db_open(path, e))) {
		free(c);
		return NULL;
	}
	c->path = xstrdup(c->db->where);
	if (db_is_pg(c->db)) {
		int from, to;
		/* the store sets its schema up itself: every instance may start first */
		if (pg_migrate_db(c->db, &from, &to, e) < 0 || fig_refresh(c, e) < 0) {
			central_close(c);
			return NULL;
		}
		return c;
	}
	if (db_exec(c->db, schema) != DB_OK) {
		central_fail(c, "open the store", e);
		central_close(c);
		return NULL;
	}
	switch (migrate(c->db)) {
	case 0:
		break;
	case -2:
		err_set(e, "'%s' was written by a newer cati-store: upgrade this one (nothing was changed)", path);
		central_close(c);
		return NULL;
	default:
		central_fail(c, "upgrade the store's schema", e);
		central_close(c);
		return NULL;
	}
	if (fig_refresh(c, e) < 0) {
		central_close(c);
		return NULL;
	}
	return c;
}

void central_close(struct central *c)
{
	if (!c)
		return;
	db_close(c->db);
	free(c->path);
	free(c);
}

static const char *role_name(enum central_role r)
{
	return r == CENTRAL_ADMIN ? "admin" : r == CENTRAL_SUPERVISOR ? "supervisor" : "interviewer";
}

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

int central_user_add(struct central *c, const char *name, const char *role, const char *password,
                     struct err *e)
{
	char hash[crypto_pwhash_STRBYTES], now[32], id[33];
	unsigned char raw[16];
	enum central_role r;
	const char *args[5];

	if (role_of(role, &r) < 0) {
		err_set(e, "unknown role '%s' (admin, supervisor or interviewer)", role);
		return -1;
	}
	if (!*name || strlen(name) > 64) {
		err_set(e, "a user name has 1 to 64 characters");
		return -1;
	}
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		err_set(e, "cannot hash the password");
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
			err_set(e, "user '%s' already exists", name);
		else
			central_fail(c, "add the user", e);
		return -1;
	}
	return 0;
}

int central_user_passwd(struct central *c, const char *name, const char *password, struct err *e)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *args[2];

	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		err_set(e, "cannot hash the password");
		return -1;
	}
	args[0] = hash;
	args[1] = name;
	if (run(c, "UPDATE users SET hash = ? WHERE name = ?", 2, args) != DB_DONE)
		return central_fail(c, "change the password", e);
	if (!db_changes(c->db)) {
		err_set(e, "no user '%s'", name);
		return -1;
	}
	/* a changed password ends the sessions that used the old one */
	run(c, "DELETE FROM tokens WHERE user = ?", 1, &args[1]);
	return 0;
}

int central_user_delete(struct central *c, const char *name, struct err *e)
{
	int rc;

	if (db_begin(c->db, DB_WRITE) != DB_OK)
		return central_fail(c, "delete the user", e);
	if (run(c, "DELETE FROM tokens WHERE user = ?1 OR user_id IN (SELECT id FROM users WHERE name = ?1)", 1, &name) != DB_DONE ||
	    run(c, "DELETE FROM users WHERE name = ?", 1, &name) != DB_DONE) {
		central_fail(c, "delete the user", e);
		db_rollback(c->db);
		return -1;
	}
	rc = db_changes(c->db) > 0;
	if (db_commit(c->db) != DB_OK) {
		central_fail(c, "delete the user", e);
		db_rollback(c->db);
		return -1;
	}
	if (!rc) {
		err_set(e, "no user '%s'", name);
		return -1;
	}
	return 0;
}

int central_user_disable(struct central *c, const char *name, struct err *e)
{
	if (run(c, "UPDATE users SET disabled = 1 WHERE name = ?", 1, &name) != DB_DONE)
		return central_fail(c, "disable the user", e);
	if (!db_changes(c->db)) {
		err_set(e, "no user '%s'", name);
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
 * Returns 0 (counted), -2 (over a limit: not counted) or -1 (the database failed).
 */
static int count_attempt(struct central *c, const char *name, const char *addr, int64_t now,
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
	if (db_begin(c->db, DB_WRITE_SHARED) != DB_OK)
		return central_fail(c, "count the login", e);
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
			err_set(e, "too many failed logins for '%s': wait a minute", name);
		else
			err_set(e, "too many failed logins from this address: wait a minute");
		return -2;
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
	return 0;
fail:
	central_fail(c, "count the login", e);
	db_rollback(c->db);
	return -1;
}

int central_login(struct central *c, const char *name, const char *password, const char *addr,
                  int ttl_s, char token[65], enum central_role *role, struct err *e)
{
	struct dbs *s;
	char hash[crypto_pwhash_STRBYTES] = "", rolebuf[16] = "", th[65], exp[32], id[65] = "";
	unsigned char raw[32];
	const char *args[4];
	int disabled = 1, found = 0, rc;
	const char *p;
	char mark[128], lockkey[80];
	int64_t now;

	if (strlen(name) > CENTRAL_MAX_USER) {
		err_set(e, "the user name is too long (at most %d bytes)", CENTRAL_MAX_USER);
		return -3;
	}
	if (strlen(password) > CENTRAL_MAX_PASSWORD) {
		err_set(e, "the password is too long (at most %d bytes)", CENTRAL_MAX_PASSWORD);
		return -3;
	}
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20) {
			err_set(e, "the user name has control characters");
			return -3;
		}
	now = (int64_t)time(NULL);
	rc = count_attempt(c, name, addr ? addr : "", now, mark, e);
	if (rc < 0)
		return rc;
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
		err_set(e, "wrong user name or password");
		return -1;
	}
	role_of(rolebuf, role);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, 65, raw, sizeof raw);
	token_hash(token, th);
	snprintf(exp, sizeof exp, "%lld", (long long)time(NULL) + ttl_s);
	/* one transaction: the new token, the user's expired ones gone (so the table holds at most
	   the tokens still good), and the failure counts cleared; the user's logins in turn */
	snprintf(lockkey, sizeof lockkey, "tokens:%s", id);
	if (db_begin(c->db, DB_WRITE_SHARED) != DB_OK)
		return central_fail(c, "log in", e);
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
	return 0;
fail:
	central_fail(c, "log in", e);
	db_rollback(c->db);
	return -1;
}

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
		return central_fail(c, "set the projects", e);
	if (!db_changes(c->db)) {
		err_set(e, "no user '%s'", name);
		return -1;
	}
	return 0;
}

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

int64_t central_next_seq(struct central *c)
{
	struct dbs *s;
	int64_t v = -1;

	if (db_prepare(c->db, "UPDATE counter SET seq = seq + 1 WHERE id = 1 RETURNING seq", &s) != DB_OK)
		return -1;
	if (db_step(s) == DB_ROW)
		v = db_column_int64(s, 0);
	db_finalize(s);
	return v;
}

int central_form_put(struct central *c, const char *form_id, const char *version,
                     const char *source, char hash[65], struct err *e)
{
	unsigned char h[32];
	struct dbs *s;
	int rc;

	crypto_generichash(h, sizeof h, (const unsigned char *)source, strlen(source), NULL, 0);
	sodium_bin2hex(hash, 65, h, sizeof h);
	if (db_begin(c->db, 1) != DB_OK)
		return central_fail(c, "publish the form", e);
	if (db_prepare(c->db, "INSERT INTO forms(hash, form_id, version, source, seq, published_at)"
	                              " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", &s) != DB_OK) {
		db_rollback(c->db);
		return central_fail(c, "publish the form", e);
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
		central_fail(c, "publish the form", e);
		db_rollback(c->db);
		return -1;
	}
	return fig_refresh(c, e);
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int central_cases_put(struct central *c, const char *form_id, json_t *cases, struct err *e)
{
	struct figures *fig = NULL;
	struct dbs *s = NULL;
	size_t i;
	json_t *cs;
	int rc = -1;
	int64_t seq;

	if (!json_is_array(cases)) {
		err_set(e, "'cases' must be an array");
		return -1;
	}
	json_array_foreach(cases, i, cs) {
		if (!json_is_object(cs) || !jstr(cs, "id") || !*jstr(cs, "id") || !jstr(cs, "phone")) {
			err_set(e, "case %zu: needs an 'id' and a 'phone' (strings)", i + 1);
			return -1;
		}
		if (json_object_get(cs, "fields") && !json_is_object(json_object_get(cs, "fields"))) {
			err_set(e, "case %zu: 'fields' must be an object", i + 1);
			return -1;
		}
		if (strlen(jstr(cs, "id")) > CENTRAL_MAX_KEY || strlen(jstr(cs, "phone")) > CENTRAL_MAX_KEY ||
		    (jstr(cs, "name") && strlen(jstr(cs, "name")) > CENTRAL_MAX_KEY) ||
		    (jstr(cs, "tz") && strlen(jstr(cs, "tz")) > CENTRAL_MAX_KEY) ||
		    (jstr(cs, "interviewer") && strlen(jstr(cs, "interviewer")) > CENTRAL_MAX_USER)) {
			err_set(e, "case %zu: 'id', 'phone', 'name' and 'tz' are at most %d bytes, 'interviewer' %d",
			        i + 1, CENTRAL_MAX_KEY, CENTRAL_MAX_USER);
			return -1;
		}
	}
	if (db_begin(c->db, 1) != DB_OK)
		return central_fail(c, "add the cases", e);
	if (db_prepare(c->db, "SELECT study FROM cases WHERE case_key = ?", &s) != DB_OK)
		goto out;
	json_array_foreach(cases, i, cs) {
		db_bind_text(s, 1, jstr(cs, "id"));
		if (db_step(s) == DB_ROW && strcmp(db_column_text(s, 0), form_id)) {
			err_set(e, "case %zu: '%s' is already a case of study '%s'", i + 1, jstr(cs, "id"),
			        db_column_text(s, 0));
			db_finalize(s);
			db_rollback(c->db);
			return -1;
		}
		db_reset(s);
	}
	db_finalize(s);
	s = NULL;
	/* the import's cases take one change number: a pull brings them all or none */
	if ((seq = central_next_seq(c)) < 0)
		goto out;
	if (db_prepare(c->db, "INSERT INTO cases(case_key, study, phone, name, tz, fields, interviewer, seq)"
	                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(case_key) DO UPDATE SET"
	                              " interviewer = excluded.interviewer, seq = excluded.seq", &s) != DB_OK)
		goto out;
	fig = fig_begin(c, 1);   /* begun as DB_WRITE above */
	json_array_foreach(cases, i, cs) {
		json_t *fields = json_object_get(cs, "fields");
		char *fj = fields ? json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");

		if (fig_case(fig, jstr(cs, "id"), form_id, jstr(cs, "interviewer"), 0) < 0) {
			free(fj);
			goto out;
		}

		db_bind_text_copy(s, 1, jstr(cs, "id"));
		db_bind_text_copy(s, 2, form_id);
		db_bind_text_copy(s, 3, jstr(cs, "phone"));
		db_bind_text_copy(s, 4, jstr(cs, "name"));
		db_bind_text_copy(s, 5, jstr(cs, "tz"));
		db_bind_text_copy(s, 6, fj);
		db_bind_text_copy(s, 7, jstr(cs, "interviewer"));
		db_bind_int64(s, 8, seq);
		free(fj);
		if (db_step(s) != DB_DONE || fig_case(fig, jstr(cs, "id"), form_id, NULL, 1) < 0)
			goto out;
		db_reset(s);
		db_clear_bindings(s);
	}
	if (fig_finish(fig) == 0 && db_commit(c->db) == DB_OK)
		rc = 0;
out:
	if (rc < 0) {
		central_fail(c, "add the cases", e);
		db_rollback(c->db);
	}
	db_finalize(s);
	fig_free(fig);
	return rc;
}

static const char *const kinds[] = { "event", "interview", "attempt", "appointment", "note" };

/*
 * May user push records about the case that stmt (SELECT interviewer, study ... WHERE case_key = ?)
 * finds for key? projects is the user's (see projects_of). *study is set to the case's study
 * (to be freed), or NULL when there is no such case.
 */
static int owns_case(struct dbs *stmt, const char *user, enum central_role role, const char *projects,
                     const char *key, char **study)
{
	int ok = role == CENTRAL_ADMIN;

	*study = NULL;
	db_bind_text(stmt, 1, key);
	if (db_step(stmt) == DB_ROW) {
		const char *who = db_column_text(stmt, 0);
		char needle[300];

		*study = xstrdup(db_column_text(stmt, 1) ? db_column_text(stmt, 1) : "");
		if (role == CENTRAL_INTERVIEWER) {
			ok = who && !strcmp(who, user);
		} else if (role != CENTRAL_ADMIN) {
			snprintf(needle, sizeof needle, ",%s,", *study);
			ok = !strcmp(projects, "*") || strstr(projects, needle) != NULL;
		}
	}
	db_reset(stmt);
	return ok;
}

static void status(json_t *result, const char *uuid, int code, const char *why)
{
	json_t *r = json_object();

	json_object_set_new(r, "uuid", json_string(uuid ? uuid : ""));
	json_object_set_new(r, "status", json_integer(code));
	if (why)
		json_object_set_new(r, "error", json_string(why));
	json_array_append_new(result, r);
}

/* A complete's quota cell, counted at the end of its batch. */
struct tally {
	const char *iv, *key, *quota, *cell;   /* in the pushed JSON */
	char *study;
	size_t n;                              /* its place in the batch */
};

/* A finished interview newly counted under (study, status, outcome) in this push. */
struct counted {
	char *study, *status, *outcome;
};

/* Statements that keep the report tables as records arrive (one push's transaction). */
struct keep {
	struct dbs *iv, *clear, *ans, *att, *cell, *count, *over, *spend, *unlock, *counted, *counts, *appt;
	struct figures *fig;
	char **appts;                          /* the batch's new appointments, numbered at its end */
	size_t nappt, aappt;
	struct tally *tally;
	size_t ntally, atally;
	struct counted *counted_keys;
	size_t ncounted, acounted;
};

static int keep_prepare(struct central *c, struct keep *k)
{
	memset(k, 0, sizeof *k);
	k->fig = fig_begin(c, 0);
	return db_prepare(c->db, "INSERT INTO interviews(uuid, study, case_key, form, version, interviewer, lang, status, outcome,"
		" started_at, ended_at, updated_at, duplicate, received_at)"
		" SELECT ?1, c.study, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CAST(?12 AS INTEGER), CAST(?13 AS BIGINT)"
		" FROM cases c WHERE c.case_key = ?2"
		" ON CONFLICT(uuid) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,"
		" lang = excluded.lang, ended_at = excluded.ended_at, updated_at = excluded.updated_at,"
		" duplicate = max(interviews.duplicate, excluded.duplicate)"
		" WHERE excluded.updated_at >= interviews.updated_at", &k->iv) != DB_OK ||
	    db_prepare(c->db, "DELETE FROM answers WHERE interview = ?", &k->clear) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO answers(interview, qid, iter, state, value) VALUES (?, ?, ?, ?, ?)"
	                              " ON CONFLICT(interview, qid, iter) DO UPDATE SET state = excluded.state, value = excluded.value", &k->ans) != DB_OK ||
	    /* an attempt sent again under its uuid is the call that ended an interview, its outcome
	       changed (the interviewer went back from the ending): the latest one counts */
	    db_prepare(c->db, "INSERT INTO attempts(uuid, study, case_key, interviewer, at, outcome, disposition)"
	                              " SELECT ?1, c.study, ?2, ?3, ?4, ?5, ?6 FROM cases c WHERE c.case_key = ?2"
	                              " ON CONFLICT(uuid) DO UPDATE SET interviewer = excluded.interviewer, at = excluded.at,"
	                              " outcome = excluded.outcome, disposition = excluded.disposition"
	                              " WHERE excluded.at >= attempts.at", &k->att) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO interview_cells(interview, study, quota, cell, holder)"
	                              " SELECT ?1, c.study, ?3, ?4, ?5 FROM cases c WHERE c.case_key = ?2 ON CONFLICT DO NOTHING", &k->cell) != DB_OK ||
	    /* a cell the form did not list (a newer form version) is counted against no target */
	    db_prepare(c->db, "INSERT INTO quota_cells(study, quota, cell, target, achieved, seq)"
	                              " SELECT c.study, ?2, ?3, 0, 1, CAST(?4 AS BIGINT) FROM cases c WHERE c.case_key = ?1"
	                              " ON CONFLICT(study, quota, cell) DO UPDATE SET achieved = quota_cells.achieved + 1, seq = excluded.seq"
	                              " RETURNING achieved > target OR closed <> 0", &k->count) != DB_OK ||
	    db_prepare(c->db, "UPDATE interview_cells SET over = 1 WHERE interview = ? AND quota = ?", &k->over) != DB_OK ||
	    /* a complete made on an allowance uses it up until the workstation's next pull */
	    db_prepare(c->db, "UPDATE grants SET n = max(n - 1, 0) WHERE holder = ?1 AND quota = ?3 AND cell = ?4"
	                              " AND study = (SELECT study FROM cases WHERE case_key = ?2)", &k->spend) != DB_OK ||
	    /* a recorded call ends the workstation's lock on its case */
	    db_prepare(c->db, "DELETE FROM locks WHERE case_key = ? AND holder = ?", &k->unlock) != DB_OK ||
	    /* the finished interviews behind the pull's counts: each once per study, status, outcome */
	    db_prepare(c->db, "INSERT INTO counted(interview, study, status, outcome) VALUES (?, ?, ?, ?)"
	                              " ON CONFLICT DO NOTHING", &k->counted) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO counts(study, status, outcome, n, seq) VALUES (?1, ?2, ?3, 1, CAST(?4 AS BIGINT))"
	                              " ON CONFLICT(study, status, outcome) DO UPDATE SET n = counts.n + 1, seq = excluded.seq", &k->counts) != DB_OK ||
	    db_prepare(c->db, "UPDATE records SET seq = ? WHERE uuid = ?", &k->appt) != DB_OK
	    ? -1 : 0;
}

static void keep_finalize(struct keep *k)
{
	db_finalize(k->iv);
	db_finalize(k->clear);
	db_finalize(k->ans);
	db_finalize(k->att);
	db_finalize(k->cell);
	db_finalize(k->count);
	db_finalize(k->over);
	db_finalize(k->spend);
	db_finalize(k->unlock);
	db_finalize(k->counted);
	db_finalize(k->counts);
	db_finalize(k->appt);
	fig_free(k->fig);
	for (size_t i = 0; i < k->nappt; i++)
		free(k->appts[i]);
	free(k->appts);
	for (size_t i = 0; i < k->ntally; i++)
		free(k->tally[i].study);
	free(k->tally);
	for (size_t i = 0; i < k->ncounted; i++) {
		free(k->counted_keys[i].study);
		free(k->counted_keys[i].status);
		free(k->counted_keys[i].outcome);
	}
	free(k->counted_keys);
}

static int step_done(struct dbs *s)
{
	int rc = db_step(s);

	db_reset(s);
	db_clear_bindings(s);
	return rc == DB_DONE || rc == DB_ROW ? 0 : -1;
}

static void bind_jstr(struct dbs *s, int i, json_t *o, const char *k)
{
	const char *v = jstr(o, k);

	if (v)
		db_bind_text(s, i, v);
	else
		db_bind_null(s, i);
}

/*
 * Count a newly stored finished interview record (complete or screenout, not a duplicate, of a
 * known case's study) under its status and outcome, once per interview; the counts themselves
 * change at the end of the push (keep_tally).
 */
static int keep_counted(struct keep *k, json_t *d, const char *iv, const char *study, const char *st,
                        int duplicate)
{
	json_t *out = json_object_get(d, "outcome");
	char outcome[64];
	struct counted *n;

	if (!st || (strcmp(st, "complete") && strcmp(st, "screenout")) || duplicate || !study)
		return 0;
	/* as the full count reads it: a number as its digits, none as '' */
	if (json_is_integer(out))
		snprintf(outcome, sizeof outcome, "%" JSON_INTEGER_FORMAT, json_integer_value(out));
	else
		snprintf(outcome, sizeof outcome, "%s", json_is_string(out) ? json_string_value(out) : "");
	db_bind_text(k->counted, 1, iv);
	db_bind_text(k->counted, 2, study);
	db_bind_text(k->counted, 3, st);
	db_bind_text(k->counted, 4, json_is_string(out) ? json_string_value(out) : outcome);
	if (step_done(k->counted) < 0)
		return -1;
	if (!db_changes(db_handle(k->counted)))
		return 0;
	if (k->ncounted == k->acounted) {
		k->acounted = k->acounted ? 2 * k->acounted : 8;
		k->counted_keys = xrealloc(k->counted_keys, k->acounted * sizeof *k->counted_keys);
	}
	n = &k->counted_keys[k->ncounted++];
	n->study = xstrdup(study);
	n->status = xstrdup(st);
	n->outcome = xstrdup(json_is_string(out) ? json_string_value(out) : outcome);
	return 0;
}

/*
 * Keep the report tables for a newly stored record: the interview's latest state, its on-route
 * answers and quota cells once it is finished (a complete that is not a duplicate counts in
 * each cell once; beyond the target or in a closed cell it is flagged over quota), attempts.
 */
static int keep_record(struct keep *k, const char *kind, json_t *d, const char *key, const char *study,
                       const char *holder, int duplicate)
{
	const char *iv = jstr(d, "interview"), *st = jstr(d, "status");
	int finished = st && (!strcmp(st, "complete") || !strcmp(st, "screenout"));
	json_t *x;
	size_t i;

	if (!strcmp(kind, "attempt")) {
		db_bind_text(k->unlock, 1, key);
		db_bind_text(k->unlock, 2, holder);
		if (step_done(k->unlock) < 0)
			return -1;
		bind_jstr(k->att, 1, d, "uuid");
		db_bind_text(k->att, 2, key);
		bind_jstr(k->att, 3, d, "interviewer");
		bind_jstr(k->att, 4, d, "at");
		bind_jstr(k->att, 5, d, "outcome");
		bind_jstr(k->att, 6, d, "disposition");
		return jstr(d, "uuid") && jstr(d, "interviewer") && jstr(d, "at") && jstr(d, "outcome") ? step_done(k->att) : 0;
	}
	if (strcmp(kind, "interview") || !iv)
		return 0;
	if (keep_counted(k, d, iv, study, st, duplicate) < 0)
		return -1;
	if (!jstr(d, "interviewer"))
		return 0;
	db_bind_text(k->iv, 1, iv);
	db_bind_text(k->iv, 2, key);
	bind_jstr(k->iv, 3, d, "form");
	bind_jstr(k->iv, 4, d, "version");
	bind_jstr(k->iv, 5, d, "interviewer");
	bind_jstr(k->iv, 6, d, "lang");
	db_bind_text(k->iv, 7, st ? st : "active");
	bind_jstr(k->iv, 8, d, "outcome");
	bind_jstr(k->iv, 9, d, "started_at");
	bind_jstr(k->iv, 10, d, "ended_at");
	db_bind_text(k->iv, 11, jstr(d, "updated_at") ? jstr(d, "updated_at") : "");
	db_bind_int(k->iv, 12, duplicate);
	db_bind_int64(k->iv, 13, (int64_t)time(NULL));
	if (step_done(k->iv) < 0)
		return -1;
	if (!finished)
		return 0;
	if (json_is_array(json_object_get(d, "answers"))) {
		db_bind_text(k->clear, 1, iv);
		if (step_done(k->clear) < 0)
			return -1;
		json_array_foreach(json_object_get(d, "answers"), i, x) {
			/* [qid, iter, state, value] */
			json_t *q = json_array_get(x, 0), *it = json_array_get(x, 1), *sv = json_array_get(x, 2),
			       *v = json_array_get(x, 3);
			if (!json_is_string(q) || !json_is_integer(it) || !json_is_integer(sv) || !json_is_string(v))
				continue;
			db_bind_text(k->ans, 1, iv);
			db_bind_text(k->ans, 2, json_string_value(q));
			db_bind_int64(k->ans, 3, json_integer_value(it));
			db_bind_int64(k->ans, 4, json_integer_value(sv));
			db_bind_text(k->ans, 5, json_string_value(v));
			if (step_done(k->ans) < 0)
				return -1;
		}
	}
	if (strcmp(st, "complete") || duplicate || !study || !json_is_object(json_object_get(d, "cells")))
		return 0;
	{
		const char *quota;
		json_object_foreach(json_object_get(d, "cells"), quota, x) {
			struct tally *t;

			if (!json_string_value(x))
				continue;
			if (k->ntally == k->atally) {
				k->atally = k->atally ? 2 * k->atally : 16;
				k->tally = xrealloc(k->tally, k->atally * sizeof *k->tally);
			}
			t = &k->tally[k->ntally];
			t->iv = iv;
			t->key = key;
			t->quota = quota;
			t->cell = json_string_value(x);
			t->study = xstrdup(study);
			t->n = k->ntally++;
		}
	}
	return 0;
}

/* Quota cells in one order for every store instance; a batch's completes in their order. */
static int tally_cmp(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	int d = strcmp(x->study, y->study);

	if (!d)
		d = strcmp(x->quota, y->quota);
	if (!d)
		d = strcmp(x->cell, y->cell);
	return d ? d : (x->n > y->n) - (x->n < y->n);
}

/* Counts in one order for every store instance. */
static int counted_cmp(const void *a, const void *b)
{
	const struct counted *x = a, *y = b;
	int d = strcmp(x->study, y->study);

	if (!d)
		d = strcmp(x->status, y->status);
	return d ? d : strcmp(x->outcome, y->outcome);
}

/*
 * Count the batch's finished interviews, and its completes in their quota cells (each interview
 * in each quota once; beyond the target or in a closed cell flagged over quota), spend the
 * workstation's allowances, and number its appointments. What changed takes one change number,
 * at the end of the push so that the counter (a row every writer updates) is held only until the
 * commit; the batch's own interviewer-days and cases are counted again before, so that nothing
 * heavy runs while it is held. Rows every writer updates are taken in one order (counter,
 * counts, cells, then the report's figures), each kind sorted, so two batches stored at once on
 * PostgreSQL wait for each other's rows without ever waiting in a circle.
 */
static int keep_tally(struct central *c, struct keep *k, const char *holder)
{
	int64_t seq = 0;
	size_t i;

	if (fig_settle(k->fig) < 0)
		return -1;
	if (!k->ntally && !k->ncounted && !k->nappt)
		return fig_finish(k->fig);   /* a batch without completes still changes the report's figures */
	if ((seq = central_next_seq(c)) < 0)
		return -1;
	for (i = 0; i < k->nappt; i++) {
		db_bind_int64(k->appt, 1, seq);
		db_bind_text(k->appt, 2, k->appts[i]);
		if (step_done(k->appt) < 0)
			return -1;
	}
	if (k->ncounted)
		qsort(k->counted_keys, k->ncounted, sizeof *k->counted_keys, counted_cmp);
	for (i = 0; i < k->ncounted; i++) {
		db_bind_text(k->counts, 1, k->counted_keys[i].study);
		db_bind_text(k->counts, 2, k->counted_keys[i].status);
		db_bind_text(k->counts, 3, k->counted_keys[i].outcome);
		db_bind_int64(k->counts, 4, seq);
		if (step_done(k->counts) < 0)
			return -1;
	}
	if (k->ntally)
		qsort(k->tally, k->ntally, sizeof *k->tally, tally_cmp);
	for (i = 0; i < k->ntally; i++) {
		const struct tally *t = &k->tally[i];
		int over = 0, rc;

		db_bind_text(k->cell, 1, t->iv);
		db_bind_text(k->cell, 2, t->key);
		db_bind_text(k->cell, 3, t->quota);
		db_bind_text(k->cell, 4, t->cell);
		db_bind_text(k->cell, 5, holder);
		if (step_done(k->cell) < 0)
			return -1;
		if (!db_changes(db_handle(k->cell)))
			continue;   /* this interview was counted in this quota already */
		db_bind_text(k->count, 1, t->key);
		db_bind_text(k->count, 2, t->quota);
		db_bind_text(k->count, 3, t->cell);
		db_bind_int64(k->count, 4, seq);
		rc = db_step(k->count);
		if (rc == DB_ROW)
			over = db_column_int(k->count, 0);
		while (rc == DB_ROW)
			rc = db_step(k->count);
		db_reset(k->count);
		db_clear_bindings(k->count);
		if (rc != DB_DONE)
			return -1;
		if (over) {
			db_bind_text(k->over, 1, t->iv);
			db_bind_text(k->over, 2, t->quota);
			if (step_done(k->over) < 0)
				return -1;
		}
		db_bind_text(k->spend, 1, holder);
		db_bind_text(k->spend, 2, t->key);
		db_bind_text(k->spend, 3, t->quota);
		db_bind_text(k->spend, 4, t->cell);
		if (step_done(k->spend) < 0)
			return -1;
	}
	return fig_finish(k->fig);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether a complete is a duplicate reads the case's other completes: a batch takes the lock of
 * each case it completes, in sorted order, before it stores anything.
 */
static int lock_completed_cases(struct central *c, json_t *records)
{
	const char **keys = xmalloc((json_array_size(records) + 1) * sizeof *keys);
	size_t i, n = 0;
	json_t *r;
	int rc = 0;

	json_array_foreach(records, i, r) {
		json_t *d = json_object_get(r, "data");
		const char *kind = jstr(r, "kind"), *st = jstr(d, "status"), *key = jstr(d, "case");

		if (kind && !strcmp(kind, "interview") && st && !strcmp(st, "complete") && key)
			keys[n++] = key;
	}
	qsort(keys, n, sizeof *keys, str_cmp);
	for (i = 0; i < n && rc == 0; i++)
		if (i == 0 || strcmp(keys[i], keys[i - 1]))
			rc = db_lock(c->db, keys[i]) == DB_OK ? 0 : -1;
	free(keys);
	return rc;
}

/* The key of a record's data that names who made it: the token's user is written there. */
static const char *who_key(const char *kind)
{
	return !strcmp(kind, "event") ? "who" : !strcmp(kind, "appointment") ? "created_by" : "interviewer";
}

/*
 * Stamp who made the record into its data, whatever the body said: an interviewer is the
 * token's user. Supervisors and admins may bring in records made by interviewers (an import),
 * so theirs keep the interviewer the body names. Returns the record's interviewer (owned by
 * data), or NULL when it names none.
 */
static const char *stamp_who(json_t *data, const char *kind, const char *user, enum central_role role)
{
	const char *k = who_key(kind), *v = jstr(data, k);
	int needed = !strcmp(kind, "interview") || !strcmp(kind, "event") || !strcmp(kind, "attempt");

	if (role != CENTRAL_INTERVIEWER && v)
		return v;
	if (v ? strcmp(v, user) != 0 : needed)
		json_object_set_new(data, k, json_string(user));
	return jstr(data, k);
}

/* Statements that keep an interview (or call) with the case, interviewer and workstation it
   first came with. */
struct claim {
	struct dbs *take, *read, *fill, *attempt;
	char *iv, *key, *who;   /* the last interview found to be this batch's (its events come in a row) */
};

/* Prepare the claim's statements in the push's transaction: 0, or -1. */
static int claim_prepare(struct central *c, struct claim *cl)
{
	memset(cl, 0, sizeof *cl);
	return db_prepare(c->db, "INSERT INTO interview_owners(interview, case_key, interviewer, holder) VALUES (?, ?, ?, ?)"
	                         " ON CONFLICT(interview) DO NOTHING", &cl->take) != DB_OK ||
	       db_prepare(c->db, "SELECT case_key, interviewer, holder FROM interview_owners WHERE interview = ?", &cl->read) != DB_OK ||
	       db_prepare(c->db, "UPDATE interview_owners SET holder = ? WHERE interview = ? AND holder IS NULL", &cl->fill) != DB_OK ||
	       db_prepare(c->db, "SELECT case_key, interviewer FROM attempts WHERE uuid = ?", &cl->attempt) != DB_OK
	       ? -1 : 0;
}

/* Free the claim's statements and what it remembers. */
static void claim_finalize(struct claim *cl)
{
	db_finalize(cl->take);
	db_finalize(cl->read);
	db_finalize(cl->fill);
	db_finalize(cl->attempt);
	free(cl->iv);
	free(cl->key);
	free(cl->who);
}

/*
 * May this record touch the interview or call it names? An interview id is taken for good by
 * the case, interviewer and workstation (holder) of the first record naming it; a call's uuid
 * by the case and interviewer it was stored with. 1 yes, 0 no, -1 on error.
 */
static int claim(struct claim *cl, const char *kind, json_t *data, const char *key, const char *who,
                 const char *holder)
{
	const char *iv = jstr(data, "interview");
	int rc, ok, unheld;

	if (!strcmp(kind, "attempt")) {
		if (!jstr(data, "uuid"))
			return 1;
		db_bind_text(cl->attempt, 1, jstr(data, "uuid"));
		rc = db_step(cl->attempt);
		ok = rc == DB_DONE || (rc == DB_ROW && !strcmp(db_column_text(cl->attempt, 0), key) &&
		                       who && !strcmp(db_column_text(cl->attempt, 1), who));
		db_reset(cl->attempt);
		return rc == DB_ROW || rc == DB_DONE ? ok : -1;
	}
	if (strcmp(kind, "interview") && strcmp(kind, "event"))
		return 1;
	if (!iv)
		return 1;
	if (!who)
		return 0;
	if (cl->iv && !strcmp(cl->iv, iv) && !strcmp(cl->key, key) && !strcmp(cl->who, who))
		return 1;
	db_bind_text(cl->take, 1, iv);
	db_bind_text(cl->take, 2, key);
	db_bind_text(cl->take, 3, who);
	db_bind_text(cl->take, 4, holder);
	if (step_done(cl->take) < 0)
		return -1;
	if (db_changes(db_handle(cl->take)))
		goto mine;
	db_bind_text(cl->read, 1, iv);
	rc = db_step(cl->read);
	if (rc != DB_ROW) {
		db_reset(cl->read);
		return -1;
	}
	/* holder NULL: an interview the store knew before it kept workstations; this one takes it */
	unheld = db_column_text(cl->read, 2) == NULL;
	ok = !strcmp(db_column_text(cl->read, 0), key) && !strcmp(db_column_text(cl->read, 1), who) &&
	     (unheld || !strcmp(db_column_text(cl->read, 2), holder));
	db_reset(cl->read);
	if (!ok)
		return 0;
	if (unheld) {
		db_bind_text(cl->fill, 1, holder);
		db_bind_text(cl->fill, 2, iv);
		if (step_done(cl->fill) < 0)
			return -1;
	}
mine:
	free(cl->iv);
	free(cl->key);
	free(cl->who);
	cl->iv = xstrdup(iv);
	cl->key = xstrdup(key);
	cl->who = xstrdup(who);
	return 1;
}

int central_pushes_share(struct central *c)
{
	return db_is_pg(c->db);
}

int central_push(struct central *c, const char *user, enum central_role role, const char *holder,
                 json_t *records, json_t *result, struct err *e)
{
	struct dbs *find = NULL, *ins = NULL, *conflict = NULL, *dup = NULL, *owner = NULL;
	struct keep keep;
	struct claim cl;
	char projects[4096], *owned_key = NULL, *study = NULL;
	size_t i, k;
	json_t *r;
	int rc = -1, owned = 0;

	central_projects_of(c, user, role, projects, sizeof projects);

	if (!holder || !*holder)
		holder = user;
	memset(&keep, 0, sizeof keep);
	memset(&cl, 0, sizeof cl);
	if (db_begin(c->db, DB_WRITE_SHARED) != DB_OK)
		return central_fail(c, "store the records", e);
	if (lock_completed_cases(c, records) < 0 || keep_prepare(c, &keep) < 0 || claim_prepare(c, &cl) < 0 ||
	    db_prepare(c->db, "SELECT content_hash FROM records WHERE uuid = ?", &find) != DB_OK ||
	    db_prepare(c->db, "SELECT interviewer, study FROM cases WHERE case_key = ?", &owner) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO records(uuid, kind, owner, case_key, content_hash, data, received_at, duplicate, seq)"
	                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uuid) DO NOTHING", &ins) != DB_OK ||
	    db_prepare(c->db, "INSERT INTO conflicts(uuid, owner, data, received_at) VALUES (?, ?, ?, ?)", &conflict) != DB_OK ||
	    db_prepare(c->db, "SELECT 1 FROM records WHERE kind = 'interview' AND case_key = ?"
	                              " AND json_extract(data, '$.status') = 'complete'"
	                              " AND json_extract(data, '$.interview') <> ? LIMIT 1", &dup) != DB_OK)
		goto out;
	json_array_foreach(records, i, r) {
		const char *uuid = jstr(r, "uuid"), *kind = jstr(r, "kind"), *key, *who;
		json_t *data = json_object_get(r, "data");
		unsigned char h[32];
		char hex[65], *dump, *hashed;
		int duplicate = 0, stored, claimed;

		if (!json_is_object(r) || !uuid || strlen(uuid) != 36 || !kind || !json_is_object(data)) {
			status(result, uuid, 422, "a record needs a 36-character 'uuid', a 'kind' and a 'data' object");
			continue;
		}
		for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (!strcmp(kind, kinds[k]))
				break;
		if (k == sizeof kinds / sizeof kinds[0]) {
			status(result, uuid, 422, "unknown kind of record");
			continue;
		}
		key = jstr(data, "case");
		if (!key) {
			status(result, uuid, 422, "the record's data has no 'case'");
			continue;
		}
		/* a batch holds a case's records one after another: its owner is looked up once */
		if (!owned_key || strcmp(owned_key, key)) {
			free(owned_key);
			free(study);
			owned_key = xstrdup(key);
			owned = owns_case(owner, user, role, projects, key, &study);
		}
		if (!owned) {
			status(result, uuid, 403, "this case is not assigned to you");
			continue;
		}
		who = stamp_who(data, kind, user, role);
		dump = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
		if (strlen(dump) > CENTRAL_MAX_RECORD) {
			free(dump);
			status(result, uuid, 413, "the record's data is too large (at most 1 MiB)");
			continue;
		}
		hashed = xmalloc(strlen(dump) + strlen(kind) + 2);
		snprintf(hashed, strlen(dump) + strlen(kind) + 2, "%s\n%s", kind, dump);
		crypto_generichash(h, sizeof h, (const unsigned char *)hashed, strlen(hashed), NULL, 0);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		free(hashed);
		claimed = claim(&cl, kind, data, key, who, holder);
		if (claimed < 0) {
			free(dump);
			goto out;
		}
		if (!strcmp(kind, "interview") && jstr(data, "status") && !strcmp(jstr(data, "status"), "complete")) {
			db_bind_text(dup, 1, key);
			db_bind_text(dup, 2, jstr(data, "interview") ? jstr(data, "interview") : "");
			duplicate = db_step(dup) == DB_ROW;
			db_reset(dup);
		}
		/* a new record is the common case: it goes in at once, and what is stored under its
		   uuid is read only when it was there already; a record whose interview or call is
		   someone else's does not go in */
		stored = 0;
		if (!claimed)
			goto stored_before;
		db_bind_text(ins, 1, uuid);
		db_bind_text(ins, 2, kind);
		db_bind_text(ins, 3, user);
		db_bind_text(ins, 4, key);
		db_bind_text(ins, 5, hex);
		db_bind_text(ins, 6, dump);
		db_bind_int64(ins, 7, (int64_t)time(NULL));
		db_bind_int(ins, 8, duplicate);
		/* appointments travel to the case's other workstations: they get a change number at
		   the end of the batch (keep_tally) */
		db_bind_null(ins, 9);
		if (db_step(ins) != DB_DONE) {
			free(dump);
			goto out;
		}
		stored = db_changes(c->db) > 0;
		db_reset(ins);
		if (stored && !strcmp(kind, "appointment")) {
			if (keep.nappt == keep.aappt) {
				keep.aappt = keep.aappt ? 2 * keep.aappt : 8;
				keep.appts = xrealloc(keep.appts, keep.aappt * sizeof *keep.appts);
			}
			keep.appts[keep.nappt++] = xstrdup(uuid);
		}
stored_before:
		if (!stored) {
			int same, found;

			db_bind_text(find, 1, uuid);
			found = db_step(find);
			if (found != DB_ROW) {
				db_reset(find);
				free(dump);
				if (claimed || found != DB_DONE)
					goto out;
				status(result, uuid, 403, "this interview or call belongs to another case, interviewer or"
				                          " workstation: nothing was changed");
				continue;
			}
			same = !strcmp(db_column_text(find, 0), hex);
			db_reset(find);
			if (same) {
				status(result, uuid, 200, NULL);
			} else {
				db_bind_text(conflict, 1, uuid);
				db_bind_text(conflict, 2, user);
				db_bind_text(conflict, 3, dump);
				db_bind_int64(conflict, 4, (int64_t)time(NULL));
				if (db_step(conflict) != DB_DONE) {
					free(dump);
					goto out;
				}
				db_reset(conflict);
				status(result, uuid, 409, "a record with this uuid and other content is stored; kept aside for the supervisor");
			}
			free(dump);
			continue;
		}
		free(dump);
		if (fig_record(keep.fig, kind, data, key, study, 0) < 0 ||
		    keep_record(&keep, kind, data, key, study, holder, duplicate) < 0 ||
		    fig_record(keep.fig, kind, data, key, study, 1) < 0)
			goto out;
		status(result, uuid, 200, duplicate ? "stored; another workstation also completed this case: flagged as a duplicate" : NULL);
	}
	if (keep_tally(c, &keep, holder) < 0)
		goto out;
	if (db_commit(c->db) == DB_OK)
		rc = 0;
out:
	if (rc < 0) {
		central_fail(c, "store the records", e);
		db_rollback(c->db);
	}
	db_finalize(find);
	db_finalize(owner);
	db_finalize(ins);
	db_finalize(conflict);
	db_finalize(dup);
	keep_finalize(&keep);
	claim_finalize(&cl);
	free(owned_key);
	free(study);
	return rc;
}

/* Rows of a query as JSON objects with the given keys (NULL columns left out); the highest
   value of the column named "seq" raises *top. */
static int rows(struct dbs *s, const char *const *keys, json_t *into, int64_t *top)
{
	int rc, i;

	while ((rc = db_step(s)) == DB_ROW) {
		json_t *o = json_object();
		for (i = 0; keys[i]; i++) {
			int type = db_column_type(s, i);
			if (!strcmp(keys[i], "seq")) {
				if (db_column_int64(s, i) > *top)
					*top = db_column_int64(s, i);
			} else if (!strcmp(keys[i], "fields") || !strcmp(keys[i], "data")) {
				json_t *v = json_loads(db_column_text(s, i), 0, NULL);
				json_object_set_new(o, keys[i], v ? v : json_object());
			} else if (type == DB_INTEGER) {
				json_object_set_new(o, keys[i], json_integer(db_column_int64(s, i)));
			} else if (type != DB_NULL) {
				json_object_set_new(o, keys[i], json_string(db_column_text(s, i)));
			}
		}
		json_array_append_new(into, o);
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

#define SEES_CASE(c) "(CASE WHEN ?4 THEN " c ".interviewer = ?3 ELSE ?2 = '*' OR instr(?2, ',' || " c ".study || ',') > 0 END)"

/* The store's change counter (in the current transaction's view) into *top; 0 or -1. */
static int counter_top(struct central *c, int64_t *top)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT seq FROM counter WHERE id = 1", &s) != DB_OK)
		return -1;
	rc = db_step(s);
	*top = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	db_finalize(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* Has the holder a grant half its time gone (its pull renews it even when nothing changed)? */
static int grants_expiring(struct central *c, const char *holder)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "SELECT 1 FROM grants WHERE holder = ? AND at <= ? - " GRANT_RENEW " LIMIT 1", &s) != DB_OK)
		return -1;
	db_bind_text(s, 1, holder);
	db_bind_int64(s, 2, (int64_t)time(NULL));
	rc = db_step(s);
	db_finalize(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int central_pull_read(struct central *c, const char *user, enum central_role role, const char *holder,
                      int64_t cursor, int renew, json_t **out, struct err *e)
{
	static const struct {
		const char *name, *sql;
		const char *const keys[10];
	} parts[] = {
		/* forms of the studies the user sees; an interviewer given a case of a study gets its
		   forms with the case, however old they are */
		{ "forms", "SELECT hash, form_id, version, source, seq FROM forms f WHERE (seq > ?1 AND " SEES_STUDY("f.form_id") ")"
		           " OR (?4 AND form_id IN (SELECT study FROM cases WHERE interviewer = ?3 AND seq > ?1)) ORDER BY seq",
		  { "hash", "form_id", "version", "source", "seq", NULL } },
		{ "cases", "SELECT case_key, study, phone, name, tz, fields, interviewer, seq FROM cases c"
		           " WHERE seq > ?1 AND " SEES_CASE("c") " ORDER BY seq",
		  { "id", "study", "phone", "name", "tz", "fields", "interviewer", "seq", NULL } },
		/* cases taken from this interviewer and given to someone else */
		{ "withdrawn", "SELECT DISTINCT r.case_key, r.seq FROM reassignments r JOIN cases c USING (case_key)"
		               " WHERE ?4 AND r.from_interviewer = ?3 AND r.seq > ?1 AND c.interviewer IS DISTINCT FROM ?3 ORDER BY r.seq",
		  { "id", "seq", NULL } },
		/* appointments others made on cases this user sees */
		{ "appointments", "SELECT r.data, r.seq FROM records r JOIN cases c USING (case_key)"
		                  " WHERE r.kind = 'appointment' AND r.seq > ?1 AND r.owner <> ?3 AND " SEES_CASE("c") " ORDER BY r.seq",
		  { "data", "seq", NULL } },
		/* finished interviews per study and outcome, kept as records arrive: the true counts
		   behind quotas (absolute numbers), those that changed, and all of a study whose first
		   case an interviewer is given */
		{ "counts", "SELECT study, status, NULLIF(outcome, ''), n FROM counts"
		            " WHERE (seq > ?1 OR (?4 AND study IN (SELECT study FROM cases WHERE interviewer = ?3 AND seq > ?1)))"
		            " AND " SEES_STUDY("study") " ORDER BY study, status, outcome",
		  { "study", "status", "outcome", "n", NULL } },
	};
	json_t *o = json_object();
	char projects[4096];
	int64_t top = 0, ignored = 0;
	int interviewer = role == CENTRAL_INTERVIEWER, rc = -1;
	size_t i;

	if (!holder || !*holder)
		holder = user;
	*out = NULL;
	/* one read transaction: every change up to the counter's value is in its view */
	if (db_begin(c->db, 0) != DB_OK || counter_top(c, &top) < 0)
		goto out;
	if (cursor > 0 && top <= cursor) {
		int expiring = interviewer ? grants_expiring(c, holder) : 0;
		if (expiring < 0)
			goto out;
		if (!expiring) {
			/* nothing new: one indexed row read, none of the queries below */
			for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
				json_object_set_new(o, parts[i].name, json_array());
			json_object_set_new(o, "quotas", json_array());
			rc = 0;
			goto out;
		}
	}
	central_projects_of(c, user, role, projects, sizeof projects);
	if (interviewer && renew) {
		int stale = central_quota_stale(c, user, holder, projects);
		if (stale < 0)
			goto out;
		if (stale) {
			rc = 1;
			goto out;
		}
	}
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		struct dbs *s;
		json_t *a = json_array();

		json_object_set_new(o, parts[i].name, a);
		if (db_prepare(c->db, parts[i].sql, &s) != DB_OK)
			goto out;
		db_bind_int64(s, 1, cursor);
		db_bind_text(s, 2, projects);
		db_bind_text(s, 3, user);
		db_bind_int(s, 4, interviewer);
		if (rows(s, parts[i].keys, a, &ignored) < 0)
			goto out;
	}
	if (central_quota_rows(c, user, role, holder, projects, cursor, o) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		central_fail(c, "read the changes", e);
		db_rollback(c->db);
		json_decref(o);
		return -1;
	}
	db_commit(c->db);
	if (rc == 1) {
		json_decref(o);
		return 1;
	}
	/* a store set up again behind a workstation's back: its cursor stays */
	json_object_set_new(o, "cursor", json_integer(top > cursor ? top : cursor));
	*out = o;
	return 0;
}

int central_pull(struct central *c, const char *user, enum central_role role, const char *holder,
                 int64_t cursor, json_t **out, struct err *e)
{
	int rc = central_pull_read(c, user, role, holder, cursor, 1, out, e);

	if (rc != 1)
		return rc;
	if (central_quota_renew(c, user, holder && *holder ? holder : user, e) < 0)
		return -1;
	return central_pull_read(c, user, role, holder, cursor, 0, out, e);
}

/* The finished interviews counted from the records themselves, as the pull once did each time. */
#define RECOUNT \
	"SELECT c.study AS study, json_extract(r.data, '$.status') AS status," \
	" CAST(coalesce(json_extract(r.data, '$.outcome'), '') AS TEXT) AS outcome," \
	" count(DISTINCT json_extract(r.data, '$.interview')) AS n FROM records r JOIN cases c USING (case_key)" \
	" WHERE r.kind = 'interview' AND r.duplicate = 0 AND json_extract(r.data, '$.status') IN ('complete', 'screenout')" \
	" AND json_extract(r.data, '$.interview') IS NOT NULL GROUP BY 1, 2, 3"

int central_figures_check(struct central *c, int *differ, void (*report)(void *ctx, const char *line),
                          void *ctx, struct err *e)
{
	struct dbs *s;
	int rc;

	*differ = 0;
	if (db_begin(c->db, 0) != DB_OK ||
	    db_prepare(c->db, "SELECT k.study, k.status, k.outcome, k.n, coalesce(f.n, 0) FROM counts k"
	                      " LEFT JOIN (" RECOUNT ") f ON f.study = k.study AND f.status = k.status AND f.outcome = k.outcome"
	                      " WHERE f.n IS NULL OR f.n <> k.n"
	                      " UNION ALL SELECT f.study, f.status, f.outcome, 0, f.n FROM (" RECOUNT ") f"
	                      " WHERE NOT EXISTS (SELECT 1 FROM counts k WHERE k.study = f.study AND k.status = f.status"
	                      " AND k.outcome = f.outcome)", &s) != DB_OK) {
		central_fail(c, "count the finished interviews", e);
		db_rollback(c->db);
		return -1;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		char line[512];

		/* a key kept at 0 is no difference (there is none: counts only grow) */
		if (db_column_int64(s, 3) == db_column_int64(s, 4))
			continue;
		(*differ)++;
		snprintf(line, sizeof line, "%s %s %s kept %lld counted %lld", db_column_text(s, 0), db_column_text(s, 1),
		         *db_column_text(s, 2) ? db_column_text(s, 2) : "-", (long long)db_column_int64(s, 3),
		         (long long)db_column_int64(s, 4));
		if (report)
			report(ctx, line);
	}
	db_finalize(s);
	db_commit(c->db);
	if (rc != DB_DONE)
		return central_fail(c, "count the finished interviews", e);
	return 0;
}

int central_count(struct central *c, const char *what, int64_t *n)
{
	static const struct {
		const char *what, *sql;
	} q[] = {
		{ "records", "SELECT count(*) FROM records" },
		{ "events", "SELECT count(*) FROM records WHERE kind = 'event'" },
		{ "interviews", "SELECT count(*) FROM records WHERE kind = 'interview'" },
		{ "conflicts", "SELECT count(*) FROM conflicts" },
		{ "duplicates", "SELECT count(*) FROM records WHERE duplicate = 1" },
		{ "cases", "SELECT count(*) FROM cases" },
		{ "forms", "SELECT count(*) FROM forms" },
	};
	struct dbs *s;
	size_t i;

	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		if (strcmp(q[i].what, what))
			continue;
		if (db_prepare(c->db, q[i].sql, &s) != DB_OK)
			return -1;
		*n = db_step(s) == DB_ROW ? db_column_int64(s, 0) : 0;
		db_finalize(s);
		return 0;
	}
	return -1;
}

int central_lock(struct central *c, const char *user, enum central_role role, const char *holder,
                 const char *key, int seconds, char *who, size_t nwho, int64_t *until, struct err *e)
{
	struct dbs *s = NULL;
	char projects[4096];
	char *study = NULL;
	int64_t now = (int64_t)time(NULL);
	int rc = -1, step;

	central_projects_of(c, user, role, projects, sizeof projects);
	if (db_begin(c->db, 1) != DB_OK)
		return central_fail(c, "lock the case", e);
	if (db_prepare(c->db, "SELECT interviewer, study FROM cases WHERE case_key = ?", &s) != DB_OK)
		goto out;
	if (!owns_case(s, user, role, projects, key, &study)) {
		free(study);
		db_finalize(s);
		db_rollback(c->db);
		err_set(e, "case '%s' is not assigned to you", key);
		return -2;
	}
	free(study);
	db_finalize(s);
	s = NULL;
	/* an interviewer locks only from a registered workstation of theirs */
	if (role == CENTRAL_INTERVIEWER && (step = central_ws_check(c, user, holder, e)) < 0) {
		db_rollback(c->db);
		return step == -2 ? -2 : central_fail(c, "lock the case", e);
	}
	/* someone else's lock that has not run out: taken */
	if (db_prepare(c->db, "SELECT user, until FROM locks WHERE case_key = ? AND holder <> ? AND until > ?", &s) != DB_OK)
		goto out;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, holder);
	db_bind_int64(s, 3, now);
	step = db_step(s);
	if (step == DB_ROW) {
		snprintf(who, nwho, "%s", db_column_text(s, 0));
		*until = db_column_int64(s, 1);
		db_finalize(s);
		db_rollback(c->db);
		return 1;
	}
	db_finalize(s);
	s = NULL;
	if (step != DB_DONE ||
	    db_prepare(c->db, "INSERT INTO locks(case_key, holder, user, until) VALUES (?, ?, ?, ?) ON CONFLICT(case_key)"
	                       " DO UPDATE SET holder = excluded.holder, user = excluded.user, until = excluded.until", &s) != DB_OK)
		goto out;
	*until = now + seconds;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, holder);
	db_bind_text(s, 3, user);
	db_bind_int64(s, 4, *until);
	if (db_step(s) != DB_DONE || db_commit(c->db) != DB_OK)
		goto out;
	snprintf(who, nwho, "%s", user);
	rc = 0;
out:
	if (rc < 0) {
		central_fail(c, "lock the case", e);
		db_rollback(c->db);
	}
	db_finalize(s);
	return rc;
}
