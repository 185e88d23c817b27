/* db.c: the central store's SQL calls, and their SQLite driver. */
#include "cati/db.h"
#include "cati/i18n.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct db *(*db_pg_open)(const char *url, struct err *e);

struct lite {
	struct db base;
	sqlite3 *h;
	int owned;
};

struct lite_stmt {
	struct dbs base;
	sqlite3_stmt *s;
};

#define H(d) (((struct lite *)(d))->h)
#define S(x) (((struct lite_stmt *)(x))->s)

static const struct db_ops lite_ops;

/* SQLite: compile sql into a statement of ours. */
static int lite_prepare(struct db *d, const char *sql, struct dbs **out)
{
	struct lite_stmt *st;
	sqlite3_stmt *s;

	*out = NULL;
	if (sqlite3_prepare_v2(H(d), sql, -1, &s, NULL) != SQLITE_OK)
		return DB_ERROR;
	st = xcalloc(1, sizeof *st);
	st->base.db = d;
	st->s = s;
	*out = &st->base;
	return DB_OK;
}

/* SQLite: bind text (NULL binds NULL), copied or kept by reference. */
static int lite_bind_text(struct dbs *s, int i, const char *v, int copy)
{
	if (!v)
		return sqlite3_bind_null(S(s), i) == SQLITE_OK ? DB_OK : DB_ERROR;
	return sqlite3_bind_text(S(s), i, v, -1, copy ? SQLITE_TRANSIENT : SQLITE_STATIC) == SQLITE_OK ? DB_OK : DB_ERROR;
}

/* SQLite: bind a whole number. */
static int lite_bind_int64(struct dbs *s, int i, int64_t v)
{
	return sqlite3_bind_int64(S(s), i, (sqlite3_int64)v) == SQLITE_OK ? DB_OK : DB_ERROR;
}

/* SQLite: bind a real number. */
static int lite_bind_double(struct dbs *s, int i, double v)
{
	return sqlite3_bind_double(S(s), i, v) == SQLITE_OK ? DB_OK : DB_ERROR;
}

/* SQLite: bind NULL. */
static int lite_bind_null(struct dbs *s, int i)
{
	return sqlite3_bind_null(S(s), i) == SQLITE_OK ? DB_OK : DB_ERROR;
}

/* SQLite: run the statement one row on: DB_ROW, DB_DONE or DB_ERROR. */
static int lite_step(struct dbs *s)
{
	int rc = sqlite3_step(S(s));

	return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
}

/* SQLite: the number of columns of the statement's rows. */
static int lite_column_count(struct dbs *s)
{
	return sqlite3_column_count(S(s));
}

/* SQLite: the type of a column of the current row, as a DB_ type. */
static int lite_column_type(struct dbs *s, int i)
{
	switch (sqlite3_column_type(S(s), i)) {
	case SQLITE_INTEGER:
		return DB_INTEGER;
	case SQLITE_FLOAT:
		return DB_FLOAT;
	case SQLITE_NULL:
		return DB_NULL;
	default:
		return DB_TEXT;
	}
}

/* SQLite: a column as text (NULL for NULL), valid until the next step. */
static const char *lite_column_text(struct dbs *s, int i)
{
	return (const char *)sqlite3_column_text(S(s), i);
}

/* SQLite: a column as a whole number. */
static int64_t lite_column_int64(struct dbs *s, int i)
{
	return (int64_t)sqlite3_column_int64(S(s), i);
}

/* SQLite: a column as a real number. */
static double lite_column_double(struct dbs *s, int i)
{
	return sqlite3_column_double(S(s), i);
}

/* SQLite: make the statement ready to run again. */
static void lite_reset(struct dbs *s)
{
	sqlite3_reset(S(s));
}

/* SQLite: set every parameter back to NULL. */
static void lite_clear_bindings(struct dbs *s)
{
	sqlite3_clear_bindings(S(s));
}

/* SQLite: free the statement. */
static void lite_finalize(struct dbs *s)
{
	sqlite3_finalize(S(s));
	free(s);
}

/* SQLite: run statements without parameters or results. */
static int lite_exec(struct db *d, const char *sql)
{
	return sqlite3_exec(H(d), sql, NULL, NULL, NULL) == SQLITE_OK ? DB_OK : DB_ERROR;
}

/* SQLite has one writer per file: BEGIN IMMEDIATE takes its lock at once. */
static int lite_begin(struct db *d, int write)
{
	return lite_exec(d, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

/* A SQLite writer is alone already. */
static int lite_lock(struct db *d, const char *key)
{
	(void)d;
	(void)key;
	return DB_OK;
}

/* SQLite: the rows the last statement changed. */
static int64_t lite_changes(struct db *d)
{
	return sqlite3_changes(H(d));
}

/* SQLite: the last failure's message. */
static const char *lite_errmsg(struct db *d)
{
	return sqlite3_errmsg(H(d));
}

/* SQLite: did the last statement fail on a primary or unique key? */
static int lite_constraint(struct db *d)
{
	int x = sqlite3_extended_errcode(H(d));

	return x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_UNIQUE;
}

/* SQLite's class of the last failure: its primary result code, and the system's errno for a
   full disk that SQLite reports as an I/O error. */
static int lite_errkind(struct db *d)
{
	int x = sqlite3_errcode(H(d)) & 0xff;
	int sys = sqlite3_system_errno(H(d));

	if (x == SQLITE_BUSY || x == SQLITE_LOCKED)
		return ERR_KIND_BUSY;
	if (x == SQLITE_FULL || (x == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT)))
		return ERR_KIND_FULL;
	return ERR_KIND_STORAGE;
}

/* SQLite: close the handle when the driver opened it. */
static void lite_close(struct db *d)
{
	if (((struct lite *)d)->owned)
		sqlite3_close_v2(H(d));
}

static const struct db_ops lite_ops = {
	"sqlite", lite_prepare, lite_bind_text, lite_bind_int64, lite_bind_double, lite_bind_null,
	lite_step, lite_column_count, lite_column_type, lite_column_text, lite_column_int64,
	lite_column_double, lite_reset, lite_clear_bindings, lite_finalize, lite_exec, lite_begin, lite_lock,
	lite_changes, lite_errmsg, lite_constraint, lite_errkind, lite_close,
};

/* A driver over a handle the caller keeps open and closes. */
struct db *db_wrap_sqlite(void *h, const char *where)
{
	struct lite *l = xcalloc(1, sizeof *l);

	l->base.ops = &lite_ops;
	l->base.where = xstrdup(where ? where : "");
	l->h = h;
	return &l->base;
}

/* Is where a postgresql:// or postgres:// URL? */
int db_is_url(const char *where)
{
	return !strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11);
}

/* Open a SQLite file (WAL, a 5 s busy wait) or, through db_pg_open, a PostgreSQL URL. */
struct db *db_open(const char *where, struct err *e)
{
	struct lite *l;
	sqlite3 *h = NULL;

	if (db_is_url(where)) {
		if (!db_pg_open) {
			err_set(e, _("this program has no PostgreSQL backend (only cati-store has)"));
			return NULL;
		}
		return db_pg_open(where, e);
	}
	/* SQLite gives the -wal, -shm and journal files the database file's mode: make that 0600 */
	if (*where && strcmp(where, ":memory:") && strncmp(where, "file:", 5))
		file_create_private(where);   /* a failure shows when SQLite opens the file */
	if (sqlite3_open_v2(where, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(h, 5000) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, _("cannot open the store '%s': %s"), where, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close_v2(h);
		return NULL;
	}
	l = (struct lite *)db_wrap_sqlite(h, where);
	l->owned = 1;
	return &l->base;
}

/* Close the connection and free it (NULL is fine). */
void db_close(struct db *d)
{
	if (!d)
		return;
	d->ops->close(d);
	free(d->where);
	free(d);
}

/* Is the connection PostgreSQL's? */
int db_is_pg(const struct db *d)
{
	return d->ops != &lite_ops;
}

/* Compile sql. */
int db_prepare(struct db *d, const char *sql, struct dbs **s)
{
	return d->ops->prepare(d, sql, s);
}

/* Bind text kept by reference. */
int db_bind_text(struct dbs *s, int i, const char *v)
{
	return s->db->ops->bind_text(s, i, v, 0);
}

/* Bind a copy of the text. */
int db_bind_text_copy(struct dbs *s, int i, const char *v)
{
	return s->db->ops->bind_text(s, i, v, 1);
}

/* Bind a whole number. */
int db_bind_int64(struct dbs *s, int i, int64_t v)
{
	return s->db->ops->bind_int64(s, i, v);
}

/* Bind an int. */
int db_bind_int(struct dbs *s, int i, int v)
{
	return s->db->ops->bind_int64(s, i, v);
}

/* Bind a real number. */
int db_bind_double(struct dbs *s, int i, double v)
{
	return s->db->ops->bind_double(s, i, v);
}

/* Bind NULL. */
int db_bind_null(struct dbs *s, int i)
{
	return s->db->ops->bind_null(s, i);
}

/* Run one row on. */
int db_step(struct dbs *s)
{
	return s->db->ops->step(s);
}

/* The number of columns. */
int db_column_count(struct dbs *s)
{
	return s->db->ops->column_count(s);
}

/* A column's type. */
int db_column_type(struct dbs *s, int i)
{
	return s->db->ops->column_type(s, i);
}

/* A column as text. */
const char *db_column_text(struct dbs *s, int i)
{
	return s->db->ops->column_text(s, i);
}

/* A column as a whole number. */
int64_t db_column_int64(struct dbs *s, int i)
{
	return s->db->ops->column_int64(s, i);
}

/* A column as an int. */
int db_column_int(struct dbs *s, int i)
{
	return (int)s->db->ops->column_int64(s, i);
}

/* A column as a real number. */
double db_column_double(struct dbs *s, int i)
{
	return s->db->ops->column_double(s, i);
}

/* Reset the statement. */
void db_reset(struct dbs *s)
{
	s->db->ops->reset(s);
}

/* Clear the parameters. */
void db_clear_bindings(struct dbs *s)
{
	s->db->ops->clear_bindings(s);
}

/* Free the statement (NULL is fine) */
void db_finalize(struct dbs *s)
{
	if (s)
		s->db->ops->finalize(s);
}

/* The statement's connection. */
struct db *db_handle(struct dbs *s)
{
	return s->db;
}

/* Run statements without results. */
int db_exec(struct db *d, const char *sql)
{
	return d->ops->exec(d, sql);
}

/* Begin a transaction (see db.h) */
int db_begin(struct db *d, int write)
{
	return d->ops->begin(d, write);
}

/* Take a key's lock in a shared writer. */
int db_lock(struct db *d, const char *key)
{
	return d->ops->lock(d, key);
}

/* Commit the transaction. */
int db_commit(struct db *d)
{
	return d->ops->exec(d, "COMMIT");
}

/* Roll the transaction back. */
int db_rollback(struct db *d)
{
	return d->ops->exec(d, "ROLLBACK");
}

/* The rows the last statement changed. */
int64_t db_changes(struct db *d)
{
	return d->ops->changes(d);
}

/* The last failure's message. */
const char *db_errmsg(struct db *d)
{
	return d->ops->errmsg(d);
}

/* The last failure's class (ERR_KIND_*). */
int db_errkind(struct db *d)
{
	return d->ops->errkind(d);
}

/* Did the last statement fail on a unique key? */
int db_constraint(struct db *d)
{
	return d->ops->constraint(d);
}
