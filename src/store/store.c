/* store.c: open, migrate and guard the workstation database; forms, interviews, events. */
#include "store-int.h"

#include "cati/i18n.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define APPLICATION_ID 0x43415449  /* "CATI" */

/* Schema migrations: migrations[i] brings version i to version i + 1. */
static const char *const migrations[] = {
	/* 0 -> 1: the workstation's records */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE forms("
	" id INTEGER PRIMARY KEY, form_id TEXT NOT NULL, version TEXT NOT NULL,"
	" hash TEXT NOT NULL UNIQUE, source TEXT NOT NULL, published_at TEXT NOT NULL);"
	"CREATE INDEX forms_by_id ON forms(form_id, id);"
	"CREATE TABLE cases("
	" id INTEGER PRIMARY KEY, case_key TEXT NOT NULL UNIQUE, study TEXT NOT NULL,"
	" phone TEXT NOT NULL, name TEXT, tz TEXT, fields TEXT NOT NULL, seed INTEGER NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'new', imported_at TEXT NOT NULL, source TEXT);"
	"CREATE TABLE interviews("
	" id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
	" case_id INTEGER NOT NULL REFERENCES cases(id), form INTEGER NOT NULL REFERENCES forms(id),"
	" interviewer TEXT NOT NULL, lang TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK(status IN ('active','suspended','complete','screenout')),"
	" outcome TEXT, started_at TEXT NOT NULL, ended_at TEXT, updated_at TEXT NOT NULL);"
	"CREATE INDEX interviews_by_case ON interviews(case_id);"
	"CREATE TABLE answers("
	" interview INTEGER NOT NULL REFERENCES interviews(id), qid TEXT NOT NULL,"
	" iter INTEGER NOT NULL, state INTEGER NOT NULL, value TEXT NOT NULL,"
	" on_route INTEGER NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY(interview, qid, iter))"
	" WITHOUT ROWID;"
	"CREATE TABLE answer_history("
	" id INTEGER PRIMARY KEY, interview INTEGER NOT NULL REFERENCES interviews(id),"
	" qid TEXT NOT NULL, iter INTEGER NOT NULL, old_state INTEGER, old_value TEXT,"
	" new_state INTEGER NOT NULL, new_value TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL);"
	"CREATE TABLE events("
	" id INTEGER PRIMARY KEY, interview INTEGER NOT NULL REFERENCES interviews(id),"
	" seq INTEGER NOT NULL, type INTEGER NOT NULL, t_us INTEGER NOT NULL, at TEXT NOT NULL,"
	" qid TEXT, iter INTEGER, state INTEGER, value TEXT, changed INTEGER, old_state INTEGER,"
	" old_value TEXT, check_node INTEGER, hard INTEGER, lang TEXT, outcome TEXT,"
	" UNIQUE(interview, seq));"
	"CREATE TABLE call_attempts("
	" id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
	" case_id INTEGER NOT NULL REFERENCES cases(id), interviewer TEXT NOT NULL,"
	" at TEXT NOT NULL, phone TEXT, outcome TEXT NOT NULL, disposition TEXT);"
	"CREATE TABLE appointments("
	" id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
	" case_id INTEGER NOT NULL REFERENCES cases(id), at TEXT NOT NULL, hard INTEGER NOT NULL,"
	" with_whom TEXT, interviewer TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,"
	" done INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE quota_counts("
	" quota TEXT NOT NULL, cell TEXT NOT NULL, target INTEGER, achieved INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(quota, cell));"
	"CREATE TABLE outbox("
	" id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, ref INTEGER NOT NULL,"
	" created_at TEXT NOT NULL, sent_at TEXT);"
	"CREATE INDEX outbox_pending ON outbox(sent_at, id);"
	"CREATE TABLE credentials("
	" interviewer TEXT PRIMARY KEY, hash TEXT NOT NULL, updated_at TEXT NOT NULL);",

	/* 1 -> 2: case notes, and why an interview was suspended */
	"CREATE TABLE notes("
	" id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
	" case_id INTEGER NOT NULL REFERENCES cases(id), interviewer TEXT NOT NULL,"
	" at TEXT NOT NULL, text TEXT NOT NULL);"
	"ALTER TABLE interviews ADD COLUMN suspend_reason TEXT;",

	/* 2 -> 3: each record to sync keeps the JSON it will be sent as, taken when it was queued,
	   so a batch sent again is byte for byte the same */
	"ALTER TABLE outbox ADD COLUMN payload TEXT;",

	/* 3 -> 4: what the store answered for each record, and a log of syncs people can read */
	"ALTER TABLE outbox ADD COLUMN result TEXT;"
	"CREATE TABLE sync_log(id INTEGER PRIMARY KEY, at TEXT NOT NULL, line TEXT NOT NULL);",

	/* 4 -> 5: cases the central store gave to someone else leave the list (their records stay) */
	"ALTER TABLE cases ADD COLUMN withdrawn_at TEXT;",

	/* 5 -> 6: call management: what the scheduler needs per case, kept as attempts are recorded;
	   appointments in UTC; the time zones in use; a case is locked while in a call */
	"ALTER TABLE cases ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE cases ADD COLUMN last_attempt INTEGER;"
	"ALTER TABLE cases ADD COLUMN last_outcome TEXT;"
	"ALTER TABLE cases ADD COLUMN dayparts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE cases ADD COLUMN disposition TEXT;"
	"ALTER TABLE cases ADD COLUMN locked_by TEXT;"
	"ALTER TABLE cases ADD COLUMN locked_until INTEGER;"
	"ALTER TABLE appointments ADD COLUMN at_utc INTEGER;"
	"CREATE INDEX call_attempts_case ON call_attempts(case_id, id);"
	"UPDATE cases SET attempts = (SELECT count(*) FROM call_attempts a WHERE a.case_id = cases.id),"
	" last_outcome = (SELECT outcome FROM call_attempts a WHERE a.case_id = cases.id ORDER BY a.id DESC LIMIT 1),"
	" last_attempt = (SELECT CAST(strftime('%s', a.at) AS INTEGER) FROM call_attempts a WHERE a.case_id = cases.id ORDER BY a.id DESC LIMIT 1);"
	"CREATE TABLE zones(tz TEXT PRIMARY KEY);"
	"INSERT OR IGNORE INTO zones SELECT DISTINCT coalesce(tz, '') FROM cases;"
	/* (not INSERT OR IGNORE: an upsert's conflict rule would override the trigger's) */
	"CREATE TRIGGER cases_zone AFTER INSERT ON cases BEGIN INSERT INTO zones SELECT coalesce(new.tz, '')"
	" WHERE NOT EXISTS (SELECT 1 FROM zones WHERE tz = coalesce(new.tz, '')); END;"
	"CREATE TRIGGER cases_zone_change AFTER UPDATE OF tz ON cases BEGIN INSERT INTO zones SELECT coalesce(new.tz, '')"
	" WHERE NOT EXISTS (SELECT 1 FROM zones WHERE tz = coalesce(new.tz, '')); END;"
	"CREATE INDEX cases_fresh ON cases(attempts, id) WHERE disposition IS NULL;"
	"CREATE INDEX cases_retry ON cases(last_attempt, id) WHERE disposition IS NULL AND attempts > 0;"
	"CREATE INDEX appointments_open ON appointments(done, at_utc);"
	"CREATE INDEX appointments_case ON appointments(case_id, done);"
	"CREATE INDEX notes_case ON notes(case_id);"
	"CREATE INDEX cases_status ON cases(status);",

	/* 6 -> 7: quotas: each cell as the central store last reported it (target, its count, closed,
	   the allowance granted to this workstation; or the form's target before any sync), the
	   completes made here that the store has not counted yet (local), the cells of each complete
	   (counted = 1 once the store's count includes it), and the cells cases fall in by their
	   case fields, which the scheduler reads */
	"CREATE TABLE quota_cells(study TEXT NOT NULL, quota TEXT NOT NULL, cell TEXT NOT NULL,"
	" target INTEGER NOT NULL, achieved INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0,"
	" allowance INTEGER, local INTEGER NOT NULL DEFAULT 0, pulled_at TEXT,"
	" full INTEGER GENERATED ALWAYS AS (closed OR achieved + local >= target"
	" OR (allowance IS NOT NULL AND local >= allowance)) VIRTUAL,"
	" PRIMARY KEY(study, quota, cell));"
	"CREATE TABLE interview_cells(interview INTEGER NOT NULL REFERENCES interviews(id), study TEXT NOT NULL,"
	" quota TEXT NOT NULL, cell TEXT NOT NULL, counted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(interview, quota));"
	"CREATE INDEX interview_cells_cell ON interview_cells(study, quota, cell, counted);"
	"CREATE TABLE case_cells(case_id INTEGER NOT NULL REFERENCES cases(id), study TEXT NOT NULL,"
	" quota TEXT NOT NULL, cell TEXT NOT NULL, PRIMARY KEY(case_id, quota)) WITHOUT ROWID;"
	"CREATE INDEX case_cells_cell ON case_cells(study, quota, cell);",

	/* 7 -> 8: the call an interview's end records is linked to the interview, one per
	   interview; finished interviews whose call was never recorded get it (migration_code) */
	"ALTER TABLE call_attempts ADD COLUMN interview INTEGER REFERENCES interviews(id);"
	"CREATE UNIQUE INDEX call_attempts_interview ON call_attempts(interview) WHERE interview IS NOT NULL;",

	/* 8 -> 9: the interface language each interviewer chose on this workstation (NULL: none yet),
	   kept beside the cached credential */
	"ALTER TABLE credentials ADD COLUMN ui_lang TEXT;",

	/* 9 -> 10: erasures of personal data the central store asked for (erase.c), each applied once
	   and confirmed at the next push; cases whose personal data went (erased or retention) */
	"CREATE TABLE erasures(id TEXT PRIMARY KEY, case_key TEXT NOT NULL, at TEXT NOT NULL);"
	"ALTER TABLE cases ADD COLUMN cleared_at TEXT;",

	/* 10 -> 11: respondents' personal data sealed (seal.c): each interviewer's copy of the
	   workstation's secret key, and the write keys of connections, sealed to its public key;
	   the fields stay plain until the first credential makes the key pair */
	"CREATE TABLE keyring(interviewer TEXT PRIMARY KEY, salt BLOB NOT NULL, box BLOB NOT NULL,"
	" updated_at TEXT NOT NULL);"
	"CREATE TABLE seal_keys(id INTEGER PRIMARY KEY, sealed BLOB NOT NULL);",

	/* 11 -> 12: the do-not-call list as the store sends it, and each case's numbers, which the
	   scheduler checks against it (migration_code): each number in international form kept as
	   a digest (store_phone_digest), so that the file holds no number in clear for them */
	"CREATE TABLE dnc(digest TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TABLE case_phones(case_id INTEGER NOT NULL REFERENCES cases(id), digest TEXT NOT NULL,"
	" PRIMARY KEY(case_id, digest)) WITHOUT ROWID;"
	"CREATE INDEX case_phones_digest ON case_phones(digest);",
};

/* Steps that need code as well: migration_code[i] runs after migrations[i], in its transaction. */
static enum store_rc (*const migration_code[sizeof migrations / sizeof migrations[0]])(struct store *st,
                                                                                      struct err *e) = {
	[7] = store_end_attempts_repair,
	[11] = store_case_phones_all,
};

void store_default_path(struct buf *out)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		buf_printf(out, "%s/cati/cati.db", xdg);
	else
		buf_printf(out, "%s/.local/share/cati/cati.db", home && *home ? home : ".");
}

static enum store_rc map_rc(struct store *st, int rc, const char *what, struct err *e);

enum store_rc store_fail(struct store *st, int rc, const char *what, struct err *e)
{
	enum store_rc r = map_rc(st, rc, what, e);

	if (st)
		st->last_rc = r;
	return r;
}

/* The action of a store_fail() message in the interviewer's language; "open" is a quota cell's
 * state as well ("offen"), so the verb has a text of its own in the catalogues. */
static const char *action(const char *what)
{
	if (!strcmp(what, "open") && strcmp(i18n_lang(), "en"))
		return _("open the database");
	return _(what);
}

/* The mapping behind store_fail(). */
static enum store_rc map_rc(struct store *st, int rc, const char *what, struct err *e)
{
	const char *path = st && st->path ? st->path : "?";
	/* the action is marked where it is named (N_): said here in the interviewer's language */
	const char *doing = action(what);
	const char *detail = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	int sys = st && st->db ? sqlite3_system_errno(st->db) : 0;

	if (sys == ENOSPC || sys == EDQUOT)
		rc = SQLITE_FULL;
	else if (sys == EROFS && (rc & 0xff) == SQLITE_IOERR)
		rc = SQLITE_READONLY;
	switch (rc & 0xff) {
	case SQLITE_FULL:
		err_set(e, _("cannot %s in database '%s': the disk is full (nothing stored was lost; free some space and try again)"),
		        doing, path);
		return STORE_FULL;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		err_set(e, _("cannot %s in database '%s': the file or its folder cannot be written (%s)"), doing,
		        path, detail);
		return STORE_READONLY;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		err_set(e, _("cannot %s in database '%s': another program is using it; try again"), doing, path);
		return STORE_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		err_set(e, _("cannot %s in database '%s': the file is damaged or not a cati database (run 'cati doctor')"),
		        doing, path);
		return STORE_CORRUPT;
	case SQLITE_IOERR:
		if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC || rc == SQLITE_IOERR_TRUNCATE) {
			err_set(e, _("cannot %s in database '%s': writing to the disk failed (%s); is it full?"), doing,
			        path, detail);
			return STORE_FULL;
		}
		err_set(e, _("cannot %s in database '%s': input/output error (%s)"), doing, path, detail);
		return STORE_ERROR;
	default:
		err_set(e, _("cannot %s in database '%s': %s"), doing, path, detail);
		return STORE_ERROR;
	}
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct err *e)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v3(st->db, sql, -1, 0, &s, NULL);

	if (rc != SQLITE_OK) {
		store_fail(st, rc, N_("read"), e);
		return NULL;
	}
	return s;
}

static int64_t wall_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t store_now_ms(struct store *st)
{
	return st->now_ms(st->clock_ctx);
}

void store_now(struct store *st, char out[32])
{
	int64_t ms = store_now_ms(st);
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (tm.tm_year + 1900) % 10000,
	         (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	         tm.tm_sec % 100, (int)(ms % 1000));
}

void store_set_clock(struct store *st, int64_t (*now_ms)(void *ctx), void *ctx)
{
	st->now_ms = now_ms ? now_ms : wall_ms;
	st->clock_ctx = ctx;
}

void store_uuid(char out[37])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
	         b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	         b[15]);
}

char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* Run SQL without results. */
static enum store_rc exec(struct store *st, const char *sql, const char *what, struct err *e)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, what, e);
}

/* One integer from a query. */
static enum store_rc query_int(struct store *st, const char *sql, int64_t *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, sql, e);
	int rc;

	if (!s)
		return st->last_rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? STORE_OK : store_fail(st, rc, N_("read the database"), e);
}

/* Make the folder holding path (one level is enough for the default place, but go up). */
static void make_parent(const char *path)
{
	char *dir = xstrdup(path), *p;

	for (p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	free(dir);
}

/* Bring the schema from its version to target, one transaction per step. */
static enum store_rc migrate(struct store *st, int target, struct err *e)
{
	int64_t v, app;
	enum store_rc rc;
	char sql[96];

	if ((rc = query_int(st, "PRAGMA user_version", &v, e)) != STORE_OK)
		return rc;
	if ((rc = query_int(st, "PRAGMA application_id", &app, e)) != STORE_OK)
		return rc;
	if (v > (int64_t)(sizeof migrations / sizeof migrations[0])) {
		err_set(e, _("database '%s' was written by a newer cati (schema %lld; this cati knows up to %d): "
		           "upgrade cati; the file was not changed"),
		        st->path, (long long)v, STORE_SCHEMA_VERSION);
		return STORE_NEWER;
	}
	if (v == 0) {
		int64_t tables;
		if ((rc = query_int(st, "SELECT count(*) FROM sqlite_schema", &tables, e)) != STORE_OK)
			return rc;
		if (tables > 0 && app != APPLICATION_ID) {
			err_set(e, _("'%s' is an SQLite database of another program, not a cati database"), st->path);
			return STORE_CORRUPT;
		}
	} else if (app != APPLICATION_ID) {
		err_set(e, _("'%s' is not a cati database"), st->path);
		return STORE_CORRUPT;
	}
	for (; v < target; v++) {
		if ((rc = exec(st, "BEGIN IMMEDIATE", N_("upgrade the schema"), e)) != STORE_OK)
			return rc;
		rc = exec(st, migrations[v], N_("upgrade the schema"), e);
		if (rc == STORE_OK && migration_code[v])
			rc = migration_code[v](st, e);
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
		         (int)v + 1, APPLICATION_ID);
		if (rc == STORE_OK)
			rc = exec(st, sql, N_("upgrade the schema"), e);
		if (rc == STORE_OK)
			rc = exec(st, "COMMIT", N_("upgrade the schema"), e);
		if (rc != STORE_OK) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return STORE_OK;
}

/* Open the file and set the connection up, without migrating. */
static struct store *open_raw(const char *path, enum store_rc *rcp, struct err *e)
{
	struct store *st = xcalloc(1, sizeof *st);
	enum store_rc rc = STORE_OK;
	int64_t dummy;
	int src;

	if (sodium_init() < 0) {
		err_set(e, _("cannot initialise libsodium"));
		*rcp = STORE_ERROR;
		free(st);
		return NULL;
	}
	st->path = xstrdup(path);
	st->now_ms = wall_ms;
	{
		/* a device, a directory or a pipe is no database: said so, not "the disk is full" */
		struct stat sb;
		if (*path && strcmp(path, ":memory:") && strncmp(path, "file:", 5) && stat(path, &sb) == 0 &&
		    !S_ISREG(sb.st_mode)) {
			err_set(e, _("'%s' is not a database file (a directory or a device): give the path of one"), path);
			*rcp = STORE_ERROR;
			free(st->path);
			free(st);
			return NULL;
		}
	}
	make_parent(path);
	/* SQLite gives the -wal, -shm and journal files the database file's mode: make that 0600 */
	if (*path && strcmp(path, ":memory:") && strncmp(path, "file:", 5))
		file_create_private(path);   /* a failure shows when SQLite opens the file */
	src = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (src != SQLITE_OK) {
		rc = store_fail(st, src, N_("open"), e);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	if (seal_attach(st, e) < 0) {
		rc = STORE_ERROR;
		goto fail;
	}
	/* reading the schema first tells a damaged or foreign file before we write anything */
	if ((rc = query_int(st, "SELECT count(*) FROM sqlite_schema", &dummy, e)) != STORE_OK)
		goto fail;
	if ((rc = exec(st, "PRAGMA foreign_keys = ON", N_("configure"), e)) != STORE_OK)
		goto fail;
	{
		sqlite3_stmt *s = store_prepare(st, "PRAGMA journal_mode = WAL", e);
		if (!s) {
			rc = STORE_ERROR;
			goto fail;
		}
		src = sqlite3_step(s);
		sqlite3_finalize(s);
		if (src != SQLITE_ROW) {
			rc = store_fail(st, src, N_("switch to WAL"), e);
			goto fail;
		}
	}
	if ((rc = exec(st, "PRAGMA synchronous = FULL", N_("configure"), e)) != STORE_OK)
		goto fail;
	*rcp = STORE_OK;
	return st;
fail:
	*rcp = rc;
	store_close(st);
	return NULL;
}

struct store *store_open(const char *path, enum store_rc *rcp, struct err *e)
{
	enum store_rc rc;
	struct store *st = open_raw(path, &rc, e);

	if (st && ((rc = migrate(st, STORE_SCHEMA_VERSION, e)) != STORE_OK ||
	           (seal_ready(st, e) < 0 && (rc = st->last_rc ? st->last_rc : STORE_ERROR)))) {
		store_close(st);
		st = NULL;
	}
	if (rcp)
		*rcp = st ? STORE_OK : rc;
	return st;
}

int store_create_at_version(const char *path, int version, struct err *e)
{
	enum store_rc rc;
	struct store *st = open_raw(path, &rc, e);

	if (!st)
		return -1;
	rc = migrate(st, version, e);
	store_close(st);
	return rc == STORE_OK ? 0 : -1;
}

int store_schema_version(struct store *st)
{
	int64_t v = -1;
	struct err e;

	err_init(&e);
	query_int(st, "PRAGMA user_version", &v, &e);
	return (int)v;
}

const char *store_path(const struct store *st)
{
	return st->path;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->ins_event);
	sqlite3_finalize(st->ups_answer);
	sqlite3_finalize(st->ins_history);
	sqlite3_finalize(st->touch_iv);
	sqlite3_finalize(st->next_seq);
	{
		size_t k;
		for (k = 0; k < sizeof st->outbox_stmt / sizeof st->outbox_stmt[0]; k++)
			sqlite3_finalize(st->outbox_stmt[k]);
		sqlite3_finalize(st->done_stmt);
	}
	seal_detach(st);
	if (st->db)
		sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

enum store_rc store_begin(struct store *st, struct err *e)
{
	enum store_rc rc;

	if (seal_ready(st, e) < 0)
		return st->last_rc ? st->last_rc : STORE_ERROR;
	rc = exec(st, "BEGIN IMMEDIATE", N_("start a transaction"), e);

	st->in_tx = rc == STORE_OK;
	return rc;
}

enum store_rc store_commit(struct store *st, struct err *e)
{
	enum store_rc rc = exec(st, "COMMIT", N_("save"), e);

	if (rc != STORE_OK)
		store_rollback(st);
	st->in_tx = 0;
	return rc;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
}

enum store_rc store_doctor(struct store *st, struct buf *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA integrity_check", e);
	int rc, ok = 1;
	int64_t n;
	static const struct {
		const char *label, *sql;
	} counts[] = {
		{ N_("forms"), "SELECT count(*) FROM forms" },
		{ N_("cases"), "SELECT count(*) FROM cases" },
		{ N_("interviews"), "SELECT count(*) FROM interviews" },
		{ N_("unfinished interviews"), "SELECT count(*) FROM interviews WHERE status IN ('active','suspended')" },
		{ N_("answers"), "SELECT count(*) FROM answers" },
		{ N_("events"), "SELECT count(*) FROM events" },
		{ N_("records waiting to sync"), "SELECT count(*) FROM outbox WHERE sent_at IS NULL" },
		{ N_("finished without a call"), "SELECT count(*) FROM interviews i WHERE i.status IN ('complete','screenout')"
		                             " AND NOT EXISTS (SELECT 1 FROM call_attempts a WHERE a.interview = i.id)" },
	};
	size_t i;

	if (!s)
		return st->last_rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		if (r && strcmp(r, "ok")) {
			ok = 0;
			buf_printf(out, "integrity: %s\n", r);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("check"), e);
	s = store_prepare(st, "PRAGMA foreign_key_check", e);
	if (!s)
		return st->last_rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ok = 0;
		buf_printf(out, _("foreign key: a row of '%s' points to a missing '%s' row\n"),
		           sqlite3_column_text(s, 0), sqlite3_column_text(s, 2));
	}
	sqlite3_finalize(s);
	buf_printf(out, _("database %s: schema version %d, integrity %s\n"), st->path,
	           store_schema_version(st), ok ? "ok" : "DAMAGED");
	for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
		if (query_int(st, counts[i].sql, &n, e) == STORE_OK)
			buf_printf(out, "  %-24s %lld\n", _(counts[i].label), (long long)n);
	return ok ? STORE_OK : STORE_CORRUPT;
}

/* Forms ---------------------------------------------------------------------------------- */

enum store_rc store_form_put(struct store *st, const struct form *f, const char *source,
                             int64_t *row, struct err *e)
{
	unsigned char h[crypto_generichash_BYTES];
	char hex[2 * crypto_generichash_BYTES + 1], now[32];
	sqlite3_stmt *s;
	int rc;

	crypto_generichash(h, sizeof h, (const unsigned char *)source, strlen(source), NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	s = store_prepare(st, "SELECT id FROM forms WHERE hash = ?", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, hex, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*row = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return STORE_OK;
	}
	sqlite3_finalize(s);
	store_now(st, now);
	s = store_prepare(st, "INSERT INTO forms(form_id, version, hash, source, published_at) VALUES (?,?,?,?,?)", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, f->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, f->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("save the form"), e);
	*row = sqlite3_last_insert_rowid(st->db);
	return STORE_OK;
}

enum store_rc store_form_latest(struct store *st, const char *form_id, int64_t *row,
                                struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(id) FROM forms WHERE form_id = ?", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, form_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*row = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		return STORE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, N_("find the form"), e);
	err_set(e, _("no form '%s' in database '%s'"), form_id, st->path);
	return STORE_NOTFOUND;
}

enum store_rc store_form_source(struct store *st, int64_t row, char **source, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT source FROM forms WHERE id = ?", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, row);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*source = col_dup(s, 0);
		sqlite3_finalize(s);
		return STORE_OK;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE) {
		err_set(e, _("no form row %lld in database '%s'"), (long long)row, st->path);
		return STORE_NOTFOUND;
	}
	return store_fail(st, rc, N_("read the form"), e);
}

/* Interviews ------------------------------------------------------------------------------ */

void store_interview_release(struct store_interview *iv)
{
	free(iv->interviewer);
	free(iv->lang);
	free(iv->status);
	free(iv->case_key);
	memset(iv, 0, sizeof *iv);
}

/* The JSON a record is synced as, per kind, built from its row (?1 is the row id). */
static const struct {
	const char *kind, *sql;
} payloads[] = {
	{ "event", "SELECT json_object('interview', i.uuid, 'case', c.case_key, 'who', i.interviewer,"
	           " 'seq', e.seq, 'type', e.type, 't_us', e.t_us, 'at', e.at, 'qid', e.qid, 'iter', e.iter,"
	           " 'state', e.state, 'value', unseal(e.value), 'changed', e.changed, 'old_state', e.old_state,"
	           " 'old_value', unseal(e.old_value), 'check', e.check_node, 'hard', e.hard, 'lang', e.lang,"
	           " 'outcome', e.outcome)"
	           " FROM events e JOIN interviews i ON i.id = e.interview JOIN cases c ON c.id = i.case_id"
	           " WHERE e.id = ?1" },
	{ "interview", "SELECT json_object('interview', i.uuid, 'case', c.case_key, 'form', f.hash,"
	               " 'form_id', f.form_id, 'version', f.version, 'interviewer', i.interviewer,"
	               " 'lang', i.lang, 'status', i.status, 'outcome', i.outcome, 'started_at', i.started_at,"
	               " 'ended_at', i.ended_at, 'updated_at', i.updated_at, 'suspend_reason', unseal(i.suspend_reason),"
	               /* a finished interview carries its on-route answers and its quota cells */
	               " 'answers', json(CASE WHEN i.status IN ('complete', 'screenout') THEN (SELECT json_group_array("
	               "json_array(a.qid, a.iter, a.state, unseal(a.value))) FROM answers a WHERE a.interview = i.id AND a.on_route) END),"
	               " 'cells', json(CASE WHEN i.status = 'complete' THEN (SELECT json_group_object(q.quota, q.cell)"
	               " FROM interview_cells q WHERE q.interview = i.id) END))"
	               " FROM interviews i JOIN cases c ON c.id = i.case_id JOIN forms f ON f.id = i.form"
	               " WHERE i.id = ?1" },
	{ "attempt", "SELECT json_object('uuid', a.uuid, 'case', c.case_key, 'interviewer', a.interviewer,"
	             " 'at', a.at, 'phone', unseal(a.phone), 'outcome', a.outcome, 'disposition', a.disposition)"
	             " FROM call_attempts a JOIN cases c ON c.id = a.case_id WHERE a.id = ?1" },
	{ "appointment", "SELECT json_object('uuid', p.uuid, 'case', c.case_key, 'at', p.at, 'hard', p.hard,"
	                 " 'with', unseal(p.with_whom), 'interviewer', p.interviewer, 'created_by', p.created_by,"
	                 " 'created_at', p.created_at)"
	                 " FROM appointments p JOIN cases c ON c.id = p.case_id WHERE p.id = ?1" },
	{ "note", "SELECT json_object('uuid', n.uuid, 'case', c.case_key, 'interviewer', n.interviewer,"
	          " 'at', n.at, 'text', unseal(n.text)) FROM notes n JOIN cases c ON c.id = n.case_id WHERE n.id = ?1" },
};

enum store_rc store_outbox_add(struct store *st, const char *kind, int64_t ref, struct err *e)
{
	char uuid[37], now[32], sql[2048];
	sqlite3_stmt *s;
	size_t k;
	int rc;

	for (k = 0; k < sizeof payloads / sizeof payloads[0]; k++)
		if (!strcmp(payloads[k].kind, kind))
			break;
	if (k == sizeof payloads / sizeof payloads[0]) {
		err_set(e, _("cannot queue a record of unknown kind '%s'"), kind);
		return STORE_ERROR;
	}
	if (!st->outbox_stmt[k]) {
		snprintf(sql, sizeof sql, "INSERT INTO outbox(uuid, kind, ref, created_at, payload) VALUES (?2, ?3, ?1, ?4,"
		         " CASE WHEN ?5 THEN seal_read((%s)) END)", payloads[k].sql);
		if (!(st->outbox_stmt[k] = store_prepare(st, sql, e)))
			return st->last_rc;
	}
	s = st->outbox_stmt[k];
	store_uuid(uuid);
	store_now(st, now);
	sqlite3_bind_int64(s, 1, ref);
	sqlite3_bind_text(s, 2, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	/* its JSON, sealed; when a personal field in it cannot be read (locked, and sealed by another
	   program), the JSON is made when the record is first sent */
	sqlite3_bind_int(s, 5, 1);
	seal_read_reset(st);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ERROR && store_locked(st)) {
		sqlite3_bind_int(s, 5, 0);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("queue a record for sync"), e);
}

/* Make the JSON of records queued while locked, where this connection can read it. */
enum store_rc store_outbox_fill(struct store *st, struct err *e)
{
	sqlite3_stmt *q, *u;
	char sql[2048];
	size_t k;
	int rc;

	if (!(q = store_prepare(st, "SELECT id, kind, ref FROM outbox WHERE sent_at IS NULL AND payload IS NULL"
	                            " ORDER BY id", e)))
		return st->last_rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(q, 1);
		for (k = 0; k < sizeof payloads / sizeof payloads[0]; k++)
			if (kind && !strcmp(payloads[k].kind, kind))
				break;
		if (k == sizeof payloads / sizeof payloads[0])
			continue;
		snprintf(sql, sizeof sql, "UPDATE outbox SET payload = seal_read((%s)) WHERE id = ?2", payloads[k].sql);
		if (!(u = store_prepare(st, sql, e))) {
			sqlite3_finalize(q);
			return st->last_rc;
		}
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 2));
		sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
		/* an error here is a personal field this connection cannot read: the record waits */
		seal_read_reset(st);
		sqlite3_step(u);
		sqlite3_finalize(u);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("read the outbox"), e);
}

enum store_rc store_interview_create(struct store *st, int64_t case_id, int64_t form_row,
                                     const char *interviewer, const char *lang,
                                     struct store_interview *iv, struct err *e)
{
	sqlite3_stmt *s;
	char now[32];
	int rc;

	memset(iv, 0, sizeof *iv);
	store_uuid(iv->uuid);
	store_now(st, now);
	s = store_prepare(st, "INSERT INTO interviews(uuid, case_id, form, interviewer, lang, status, started_at, updated_at)"
	                      " VALUES (?,?,?,?,?,'active',?,?)", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, iv->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, case_id);
	sqlite3_bind_int64(s, 3, form_row);
	sqlite3_bind_text(s, 4, interviewer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("start the interview"), e);
	iv->id = sqlite3_last_insert_rowid(st->db);
	iv->case_id = case_id;
	iv->form_row = form_row;
	iv->interviewer = xstrdup(interviewer);
	iv->lang = xstrdup(lang);
	iv->status = xstrdup("active");
	if (exec(st, "UPDATE cases SET status = 'active' WHERE id = (SELECT case_id FROM interviews WHERE id = last_insert_rowid())",
	         N_("mark the case"), e) != STORE_OK)
		return STORE_ERROR;
	return store_outbox_add(st, "interview", iv->id, e);
}

#define IV_COLUMNS "i.id, i.uuid, i.case_id, i.form, i.interviewer, i.lang, i.status, c.case_key"

static void iv_from_row(sqlite3_stmt *s, struct store_interview *iv)
{
	const unsigned char *u = sqlite3_column_text(s, 1);

	memset(iv, 0, sizeof *iv);
	iv->id = sqlite3_column_int64(s, 0);
	snprintf(iv->uuid, sizeof iv->uuid, "%s", u ? (const char *)u : "");
	iv->case_id = sqlite3_column_int64(s, 2);
	iv->form_row = sqlite3_column_int64(s, 3);
	iv->interviewer = col_dup(s, 4);
	iv->lang = col_dup(s, 5);
	iv->status = col_dup(s, 6);
	iv->case_key = col_dup(s, 7);
}

enum store_rc store_interview_open_for_case(struct store *st, int64_t case_id,
                                            struct store_interview *iv, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " IV_COLUMNS " FROM interviews i JOIN cases c ON c.id = i.case_id"
	                                    " WHERE i.case_id = ? AND i.status IN ('active','suspended')"
	                                    " ORDER BY i.id DESC LIMIT 1", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, case_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		iv_from_row(s, iv);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOTFOUND : store_fail(st, rc, N_("find the interview"), e);
}

enum store_rc store_interviews_unfinished(struct store *st,
                                          void (*cb)(void *ctx, const struct store_interview *iv),
                                          void *ctx, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " IV_COLUMNS " FROM interviews i JOIN cases c ON c.id = i.case_id"
	                                    " WHERE i.status IN ('active','suspended') ORDER BY i.id", e);
	struct store_interview iv;
	int rc;

	if (!s)
		return st->last_rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		iv_from_row(s, &iv);
		cb(ctx, &iv);
		store_interview_release(&iv);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("list interviews"), e);
}

static void bind_opt_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Bind an answer's value: a personal one sealed once the database has a key (NULL stays NULL). */
static void bind_value(struct store *st, sqlite3_stmt *s, int i, const char *t, int personal)
{
	unsigned char *b;
	size_t n;
	struct err e;

	err_init(&e);
	if (!personal)
		bind_opt_text(s, i, t);
	else if (!t || seal_bytes(st, t, &b, &n, &e) < 0)
		bind_opt_text(s, i, seal_keyed(st) ? NULL : t);   /* keyed but no write key: never in clear */
	else
		sqlite3_bind_blob(s, i, b, (int)n, free);
}

enum store_rc store_event(struct store *st, int64_t interview, const char *who,
                          const struct eng_event *ev, int personal, struct err *e)
{
	char now[32];
	int64_t seq;
	int rc;

	store_now(st, now);
	if (!st->next_seq &&
	    !(st->next_seq = store_prepare(st, "SELECT coalesce(max(seq), 0) + 1 FROM events WHERE interview = ?", e)))
		return STORE_ERROR;
	sqlite3_bind_int64(st->next_seq, 1, interview);
	rc = sqlite3_step(st->next_seq);
	seq = sqlite3_column_int64(st->next_seq, 0);
	sqlite3_reset(st->next_seq);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, N_("number the event"), e);
	if (!st->ins_event &&
	    !(st->ins_event = store_prepare(st, "INSERT INTO events(interview, seq, type, t_us, at, qid, iter, state, value,"
	                                        " changed, old_state, old_value, check_node, hard, lang, outcome)"
	                                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", e)))
		return STORE_ERROR;
	sqlite3_bind_int64(st->ins_event, 1, interview);
	sqlite3_bind_int64(st->ins_event, 2, seq);
	sqlite3_bind_int(st->ins_event, 3, (int)ev->type);
	sqlite3_bind_int64(st->ins_event, 4, (sqlite3_int64)ev->t_us);
	sqlite3_bind_text(st->ins_event, 5, now, -1, SQLITE_TRANSIENT);
	bind_opt_text(st->ins_event, 6, ev->qid);
	sqlite3_bind_int(st->ins_event, 7, ev->iter);
	sqlite3_bind_int(st->ins_event, 8, (int)ev->state);
	bind_value(st, st->ins_event, 9, ev->value, personal);
	sqlite3_bind_int(st->ins_event, 10, ev->changed);
	sqlite3_bind_int(st->ins_event, 11, (int)ev->old_state);
	bind_value(st, st->ins_event, 12, ev->old_value, personal);
	sqlite3_bind_int(st->ins_event, 13, ev->check);
	sqlite3_bind_int(st->ins_event, 14, ev->hard);
	bind_opt_text(st->ins_event, 15, ev->lang);
	bind_opt_text(st->ins_event, 16, ev->outcome);
	rc = sqlite3_step(st->ins_event);
	sqlite3_reset(st->ins_event);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("save the event"), e);
	if (store_outbox_add(st, "event", sqlite3_last_insert_rowid(st->db), e) != STORE_OK)
		return STORE_ERROR;

	if (ev->type == ENG_EV_ANSWER && ev->qid && !ev->info) {
		if (!st->ups_answer &&
		    !(st->ups_answer = store_prepare(st, "INSERT INTO answers(interview, qid, iter, state, value, on_route, updated_at)"
		                                         " VALUES (?,?,?,?,?,1,?) ON CONFLICT(interview, qid, iter) DO UPDATE SET"
		                                         " state = excluded.state, value = excluded.value, on_route = 1,"
		                                         " updated_at = excluded.updated_at", e)))
			return STORE_ERROR;
		sqlite3_bind_int64(st->ups_answer, 1, interview);
		sqlite3_bind_text(st->ups_answer, 2, ev->qid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st->ups_answer, 3, ev->iter);
		sqlite3_bind_int(st->ups_answer, 4, (int)ev->state);
		bind_value(st, st->ups_answer, 5, ev->value ? ev->value : "", personal);
		sqlite3_bind_text(st->ups_answer, 6, now, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st->ups_answer);
		sqlite3_reset(st->ups_answer);
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, N_("save the answer"), e);
		/* the history keeps changes; the same value entered again is only an event */
		if (ev->changed && ev->old_state == ev->state &&
		    !strcmp(ev->old_value ? ev->old_value : "", ev->value ? ev->value : ""))
			goto touched;
		if (!st->ins_history &&
		    !(st->ins_history = store_prepare(st, "INSERT INTO answer_history(interview, qid, iter, old_state, old_value,"
		                                          " new_state, new_value, who, at) VALUES (?,?,?,?,?,?,?,?,?)", e)))
			return STORE_ERROR;
		sqlite3_bind_int64(st->ins_history, 1, interview);
		sqlite3_bind_text(st->ins_history, 2, ev->qid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st->ins_history, 3, ev->iter);
		if (ev->changed) {
			sqlite3_bind_int(st->ins_history, 4, (int)ev->old_state);
			bind_value(st, st->ins_history, 5, ev->old_value, personal);
		} else {
			sqlite3_bind_null(st->ins_history, 4);
			sqlite3_bind_null(st->ins_history, 5);
		}
		sqlite3_bind_int(st->ins_history, 6, (int)ev->state);
		bind_value(st, st->ins_history, 7, ev->value ? ev->value : "", personal);
		sqlite3_bind_text(st->ins_history, 8, who, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st->ins_history, 9, now, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st->ins_history);
		sqlite3_reset(st->ins_history);
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, N_("save the answer's history"), e);
	}
touched:
	if (!st->touch_iv &&
	    !(st->touch_iv = store_prepare(st, "UPDATE interviews SET updated_at = ? WHERE id = ?", e)))
		return STORE_ERROR;
	sqlite3_bind_text(st->touch_iv, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st->touch_iv, 2, interview);
	rc = sqlite3_step(st->touch_iv);
	sqlite3_reset(st->touch_iv);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("save the interview"), e);
}

enum store_rc store_answer_route(struct store *st, int64_t interview, const char *qid, int iter,
                                 int on_route, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE answers SET on_route = ? WHERE interview = ? AND qid = ? AND iter = ?", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int(s, 1, on_route);
	sqlite3_bind_int64(s, 2, interview);
	sqlite3_bind_text(s, 3, qid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, iter);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("mark the answer"), e);
}

enum store_rc store_interview_status(struct store *st, int64_t interview, const char *status,
                                     const char *outcome, const char *reason, struct err *e)
{
	sqlite3_stmt *s;
	char now[32];
	int rc, done = !strcmp(status, "complete") || !strcmp(status, "screenout");

	store_now(st, now);
	/* the reason a break was taken is free text: sealed */
	s = store_prepare(st, "UPDATE interviews SET status = ?, outcome = ?, suspend_reason = seal(?3), updated_at = ?,"
	                      " ended_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	bind_opt_text(s, 2, outcome);
	bind_opt_text(s, 3, reason);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, done);
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, interview);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("save the interview's status"), e);
	s = store_prepare(st, "UPDATE cases SET status = ? WHERE id = (SELECT case_id FROM interviews WHERE id = ?)", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, done ? "done" : status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, interview);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("save the case's status"), e);
	return store_outbox_add(st, "interview", interview, e);
}

enum store_rc store_events_replay(struct store *st, int64_t interview,
                                  void (*cb)(void *ctx, const struct eng_event *ev), void *ctx,
                                  struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT type, t_us, qid, iter, state, unseal(value), changed, old_state, unseal(old_value),"
	                                    " check_node, hard, lang, outcome FROM events WHERE interview = ? ORDER BY seq", e);
	struct eng_event ev;
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, interview);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof ev);
		ev.type = (enum eng_ev_type)sqlite3_column_int(s, 0);
		ev.t_us = (uint64_t)sqlite3_column_int64(s, 1);
		ev.qid = (const char *)sqlite3_column_text(s, 2);
		ev.iter = sqlite3_column_int(s, 3);
		ev.state = (enum form_vstate)sqlite3_column_int(s, 4);
		ev.value = (const char *)sqlite3_column_text(s, 5);
		ev.changed = sqlite3_column_int(s, 6);
		ev.old_state = (enum form_vstate)sqlite3_column_int(s, 7);
		ev.old_value = (const char *)sqlite3_column_text(s, 8);
		ev.check = sqlite3_column_int(s, 9);
		ev.hard = sqlite3_column_int(s, 10);
		ev.lang = (const char *)sqlite3_column_text(s, 11);
		ev.outcome = (const char *)sqlite3_column_text(s, 12);
		cb(ctx, &ev);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("read the interview's events"), e);
}

enum store_rc store_answer_get(struct store *st, int64_t interview, const char *qid, int iter,
                               enum form_vstate *state, char **value, int *on_route,
                               struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT state, unseal(value), on_route FROM answers WHERE interview = ? AND qid = ? AND iter = ?", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, interview);
	sqlite3_bind_text(s, 2, qid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, iter);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*state = (enum form_vstate)sqlite3_column_int(s, 0);
		*value = col_dup(s, 1);
		*on_route = sqlite3_column_int(s, 2);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOTFOUND : store_fail(st, rc, N_("read the answer"), e);
}

/* Credentials ----------------------------------------------------------------------------- */

enum store_rc store_cred_set(struct store *st, const char *interviewer, const char *password,
                             struct err *e)
{
	char hash[crypto_pwhash_STRBYTES], now[32];
	sqlite3_stmt *s;
	int rc;

	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		err_set(e, _("cannot hash the password: out of memory"));
		return STORE_ERROR;
	}
	store_now(st, now);
	s = store_prepare(st, "INSERT INTO credentials(interviewer, hash, updated_at) VALUES (?,?,?)"
	                      " ON CONFLICT(interviewer) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, interviewer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("save the password"), e);
	/* the interviewer's copy of the workstation's key follows the password (made with the first
	   credential; given to another interviewer while a colleague's session holds it); without
	   one the credential still logs in, and personal data stays locked */
	{
		struct err ke;
		err_init(&ke);
		seal_grant(st, interviewer, password, &ke);
	}
	return STORE_OK;
}

enum store_rc store_cred_check(struct store *st, const char *interviewer, const char *password,
                               struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT hash FROM credentials WHERE interviewer = ?", e);
	char hash[crypto_pwhash_STRBYTES];
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, interviewer, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE) {
			err_set(e, _("unknown interviewer '%s'"), interviewer);
			return STORE_NOTFOUND;
		}
		return store_fail(st, rc, N_("read the credentials"), e);
	}
	snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (crypto_pwhash_str_verify(hash, password, strlen(password)) != 0) {
		err_set(e, _("wrong password for '%s'"), interviewer);
		return STORE_ERROR;
	}
	{
		/* unlock with the interviewer's copy of the key (none: logged in, data locked); a
		   colleague's session still open on this connection gives them one */
		struct err ke;
		err_init(&ke);
		seal_grant_missing(st, interviewer, password, &ke);
	}
	return STORE_OK;
}

/* Keep an interviewer's interface language beside their cached credential. */
enum store_rc store_cred_lang_set(struct store *st, const char *interviewer, const char *lang,
                                  struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE credentials SET ui_lang = ? WHERE interviewer = ?", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, interviewer, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("save the interface language"), e);
	if (sqlite3_changes(st->db) == 0) {
		err_set(e, _("unknown interviewer '%s'"), interviewer);
		return STORE_NOTFOUND;
	}
	return STORE_OK;
}

/* The interface language kept for an interviewer, "" when none. */
char *store_cred_lang(struct store *st, const char *interviewer)
{
	struct err e;
	sqlite3_stmt *s;
	char *lang = NULL;

	err_init(&e);
	if (!(s = store_prepare(st, "SELECT ui_lang FROM credentials WHERE interviewer = ?", &e)))
		return xstrdup("");
	sqlite3_bind_text(s, 1, interviewer, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		lang = col_dup(s, 0);
	sqlite3_finalize(s);
	return lang ? lang : xstrdup("");
}

long store_outbox_pending(struct store *st)
{
	int64_t n = 0;
	struct err e;

	err_init(&e);
	query_int(st, "SELECT count(*) FROM outbox WHERE sent_at IS NULL", &n, &e);
	return (long)n;
}
