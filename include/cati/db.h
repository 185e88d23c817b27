/*
 * db.h: the SQL drivers (src/db/), SQLite and PostgreSQL, under the central store and the
 * workstation's export. The central store's queries are written once, in SQLite's dialect with
 * ?N parameters; the PostgreSQL driver (src/db/db-pg.c, linked into cati-store only) numbers the parameters its way and maps SQLite's functions to its own, and
 * the schema gives it the few SQLite functions it lacks (json_extract, julianday, ...).
 *
 * The calls follow SQLite's: prepare, bind, step (DB_ROW until DB_DONE), read columns, reset,
 * finalize. Texts bound with db_bind_text stay the caller's until the statement is stepped.
 */
#ifndef CATI_DB_H
#define CATI_DB_H

#include <stddef.h>
#include <stdint.h>

#include "cati/util.h"

enum { DB_OK = 0, DB_ERROR = 1, DB_ROW = 100, DB_DONE = 101 };
enum db_type { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_NULL = 5 };

struct db;
struct dbs;

/* One driver: the SQLite one (db.c) and the PostgreSQL one (db-pg.c). */
struct db_ops {
	const char *name;
	int (*prepare)(struct db *d, const char *sql, struct dbs **s);
	int (*bind_text)(struct dbs *s, int i, const char *v, int copy);
	int (*bind_int64)(struct dbs *s, int i, int64_t v);
	int (*bind_double)(struct dbs *s, int i, double v);
	int (*bind_null)(struct dbs *s, int i);
	int (*step)(struct dbs *s);
	int (*column_count)(struct dbs *s);
	int (*column_type)(struct dbs *s, int i);
	const char *(*column_text)(struct dbs *s, int i);
	int64_t (*column_int64)(struct dbs *s, int i);
	double (*column_double)(struct dbs *s, int i);
	void (*reset)(struct dbs *s);
	void (*clear_bindings)(struct dbs *s);
	void (*finalize)(struct dbs *s);
	int (*exec)(struct db *d, const char *sql);
	int (*begin)(struct db *d, int write);
	int (*lock)(struct db *d, const char *key);
	int64_t (*changes)(struct db *d);
	const char *(*errmsg)(struct db *d);
	int (*constraint)(struct db *d);
	int (*errkind)(struct db *d);
	void (*close)(struct db *d);
};

/* What every driver's connection starts with. */
struct db {
	const struct db_ops *ops;
	char *where;   /* the file, or the URL without its password, for messages */
};

/* Every driver's statement starts with this. */
struct dbs {
	struct db *db;
};

/*
 * Open where: a file name (SQLite), or a postgresql:// or postgres:// URL when the program has
 * the PostgreSQL driver (db_pg_open set: cati-store). NULL with e on failure.
 */
struct db *db_open(const char *where, struct err *e);
extern struct db *(*db_pg_open)(const char *url, struct err *e);
/* A driver over an SQLite handle the caller keeps (the workstation's database). */
struct db *db_wrap_sqlite(void *sqlite3_handle, const char *where);
void db_close(struct db *d);
int db_is_pg(const struct db *d);
/* Is where a PostgreSQL URL? */
int db_is_url(const char *where);

int db_prepare(struct db *d, const char *sql, struct dbs **s);
int db_bind_text(struct dbs *s, int i, const char *v);            /* NULL binds NULL */
int db_bind_text_copy(struct dbs *s, int i, const char *v);       /* v may go at once */
int db_bind_int64(struct dbs *s, int i, int64_t v);
int db_bind_int(struct dbs *s, int i, int v);
int db_bind_double(struct dbs *s, int i, double v);
int db_bind_null(struct dbs *s, int i);
int db_step(struct dbs *s);
int db_column_count(struct dbs *s);
int db_column_type(struct dbs *s, int i);
const char *db_column_text(struct dbs *s, int i);                  /* NULL for NULL */
int64_t db_column_int64(struct dbs *s, int i);
int db_column_int(struct dbs *s, int i);
double db_column_double(struct dbs *s, int i);
void db_reset(struct dbs *s);
void db_clear_bindings(struct dbs *s);
void db_finalize(struct dbs *s);                                   /* NULL is fine */
struct db *db_handle(struct dbs *s);

/* Run statements without parameters or results: DB_OK or DB_ERROR. */
int db_exec(struct db *d, const char *sql);
/*
 * Begin a transaction. A writer's (DB_WRITE) waits for every other writer, in this process or
 * another store instance on the same database, so change numbers are handed out and committed
 * in one order; a reader's (DB_READ) sees one snapshot. A shared writer (DB_WRITE_SHARED) waits
 * for writers but runs beside other shared writers where the database can (PostgreSQL; on SQLite
 * it is a writer): it takes db_lock() on whatever it must read and change alone, changes rows
 * other shared writers touch in one agreed order, and takes change numbers only from the counter
 * row, whose lock is held to commit.
 */
enum { DB_READ = 0, DB_WRITE = 1, DB_WRITE_SHARED = 2 };
int db_begin(struct db *d, int write);
/* In a shared writer: wait until no other transaction holds key, and hold it to the end. */
int db_lock(struct db *d, const char *key);
int db_commit(struct db *d);
int db_rollback(struct db *d);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t db_changes(struct db *d);
const char *db_errmsg(struct db *d);
/* Did the last statement fail on a unique key? */
int db_constraint(struct db *d);
/*
 * The class of the last failure, from the driver's own code (SQLite's result code, PostgreSQL's
 * SQLSTATE), never from the message: ERR_KIND_BUSY (locked, busy, a serialization failure or
 * deadlock, a lock not available, too many connections: try again), ERR_KIND_FULL (the disk is
 * full) or ERR_KIND_STORAGE (anything else).
 */
int db_errkind(struct db *d);

/* Let db_open() open postgresql:// URLs (the PostgreSQL driver, db-pg.c): cati-store calls this
   at start. */
void db_pg_register(void);
/* Is s a postgresql:// or postgres:// URL? */
int db_is_pg_url(const char *s);

#endif
