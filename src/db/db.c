/* db.c: the central store's SQL calls, and their SQLite driver. */
#include "cati/db.h"

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

static int lite_bind_text(struct dbs *s, int i, const char *v, int copy)
{
	if (!v)
		return sqlite3_bind_null(S(s), i) == SQLITE_OK ? DB_OK : DB_ERROR;
	return sqlite3_bind_text(S(s), i, v, -1, copy ? SQLITE_TRANSIENT : SQLITE_STATIC) == SQLITE_OK ? DB_OK : DB_ERROR;
}

static int lite_bind_int64(struct dbs *s, int i, int64_t v)
{
	return sqlite3_bind_int64(S(s), i, (sqlite3_int64)v) == SQLITE_OK ? DB_OK : DB_ERROR;
}

static int lite_bind_double(struct dbs *s, int i, double v)
{
	return sqlite3_bind_double(S(s), i, v) == SQLITE_OK ? DB_OK : DB_ERROR;
}

static int lite_bind_null(struct dbs *s, int i)
{
	return sqlite3_bind_null(S(s), i) == SQLITE_OK ? DB_OK : DB_ERROR;
}

static int lite_step(struct dbs *s)
{
	int rc = sqlite3_step(S(s));

	return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_ERROR;
}

static int lite_column_count(struct dbs *s)
{
	return sqlite3_column_count(S(s));
}

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

static const char *lite_column_text(struct dbs *s, int i)
{
	return (const char *)sqlite3_column_text(S(s), i);
}

static int64_t lite_column_int64(struct dbs *s, int i)
{
	return (int64_t)sqlite3_column_int64(S(s), i);
}

static double lite_column_double(struct dbs *s, int i)
{
	return sqlite3_column_double(S(s), i);
}

static void lite_reset(struct dbs *s)
{
	sqlite3_reset(S(s));
}

static void lite_clear_bindings(struct dbs *s)
{
	sqlite3_clear_bindings(S(s));
}

static void lite_finalize(struct dbs *s)
{
	sqlite3_finalize(S(s));
	free(s);
}

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

static int64_t lite_changes(struct db *d)
{
	return sqlite3_changes(H(d));
}

static const char *lite_errmsg(struct db *d)
{
	return sqlite3_errmsg(H(d));
}

static int lite_constraint(struct db *d)
{
	int x = sqlite3_extended_errcode(H(d));

	return x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_UNIQUE;
}

static void lite_close(struct db *d)
{
	if (((struct lite *)d)->owned)
		sqlite3_close_v2(H(d));
}

static const struct db_ops lite_ops = {
	"sqlite", lite_prepare, lite_bind_text, lite_bind_int64, lite_bind_double, lite_bind_null,
	lite_step, lite_column_count, lite_column_type, lite_column_text, lite_column_int64,
	lite_column_double, lite_reset, lite_clear_bindings, lite_finalize, lite_exec, lite_begin, lite_lock,
	lite_changes, lite_errmsg, lite_constraint, lite_close,
};

struct db *db_wrap_sqlite(void *h, const char *where)
{
	struct lite *l = xcalloc(1, sizeof *l);

	l->base.ops = &lite_ops;
	l->base.where = xstrdup(where ? where : "");
	l->h = h;
	return &l->base;
}

int db_is_url(const char *where)
{
	return !strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11);
}

struct db *db_open(const char *where, struct err *e)
{
	struct lite *l;
	sqlite3 *h = NULL;

	if (db_is_url(where)) {
		if (!db_pg_open) {
			err_set(e, "this program has no PostgreSQL backend (only cati-store has)");
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
		err_set(e, "cannot open the store '%s': %s", where, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close_v2(h);
		return NULL;
	}
	l = (struct lite *)db_wrap_sqlite(h, where);
	l->owned = 1;
	return &l->base;
}

void db_close(struct db *d)
{
	if (!d)
		return;
	d->ops->close(d);
	free(d->where);
	free(d);
}

int db_is_pg(const struct db *d)
{
	return d->ops != &lite_ops;
}

int db_prepare(struct db *d, const char *sql, struct dbs **s)
{
	return d->ops->prepare(d, sql, s);
}

int db_bind_text(struct dbs *s, int i, const char *v)
{
	return s->db->ops->bind_text(s, i, v, 0);
}

int db_bind_text_copy(struct dbs *s, int i, const char *v)
{
	return s->db->ops->bind_text(s, i, v, 1);
}

int db_bind_int64(struct dbs *s, int i, int64_t v)
{
	return s->db->ops->bind_int64(s, i, v);
}

int db_bind_int(struct dbs *s, int i, int v)
{
	return s->db->ops->bind_int64(s, i, v);
}

int db_bind_double(struct dbs *s, int i, double v)
{
	return s->db->ops->bind_double(s, i, v);
}

int db_bind_null(struct dbs *s, int i)
{
	return s->db->ops->bind_null(s, i);
}

int db_step(struct dbs *s)
{
	return s->db->ops->step(s);
}

int db_column_count(struct dbs *s)
{
	return s->db->ops->column_count(s);
}

int db_column_type(struct dbs *s, int i)
{
	return s->db->ops->column_type(s, i);
}

const char *db_column_text(struct dbs *s, int i)
{
	return s->db->ops->column_text(s, i);
}

int64_t db_column_int64(struct dbs *s, int i)
{
	return s->db->ops->column_int64(s, i);
}

int db_column_int(struct dbs *s, int i)
{
	return (int)s->db->ops->column_int64(s, i);
}

double db_column_double(struct dbs *s, int i)
{
	return s->db->ops->column_double(s, i);
}

void db_reset(struct dbs *s)
{
	s->db->ops->reset(s);
}

void db_clear_bindings(struct dbs *s)
{
	s->db->ops->clear_bindings(s);
}

void db_finalize(struct dbs *s)
{
	if (s)
		s->db->ops->finalize(s);
}

struct db *db_handle(struct dbs *s)
{
	return s->db;
}

int db_exec(struct db *d, const char *sql)
{
	return d->ops->exec(d, sql);
}

int db_begin(struct db *d, int write)
{
	return d->ops->begin(d, write);
}

int db_lock(struct db *d, const char *key)
{
	return d->ops->lock(d, key);
}

int db_commit(struct db *d)
{
	return d->ops->exec(d, "COMMIT");
}

int db_rollback(struct db *d)
{
	return d->ops->exec(d, "ROLLBACK");
}

int64_t db_changes(struct db *d)
{
	return d->ops->changes(d);
}

const char *db_errmsg(struct db *d)
{
	return d->ops->errmsg(d);
}

int db_constraint(struct db *d)
{
	return d->ops->constraint(d);
}
