/*
 * pg.h: the central store on PostgreSQL (libpq): its schema, created and moved forward by the
 * store itself. Only cati-store links it.
 */
#ifndef CATI_PG_H
#define CATI_PG_H

#include "cati/util.h"

/* The schema version this store writes. */
int pg_schema_version(void);

/*
 * Create or move forward the schema in the database at url ("postgresql://user@host:port/db"),
 * all steps in one transaction under an advisory lock (several instances may start at once).
 * *from and *to get the versions before and after. A database of a newer store is refused and
 * left untouched. 0, or -1 with e ("cannot connect to PostgreSQL: ...").
 */
int pg_migrate(const char *url, int *from, int *to, struct err *e);

/* The same on an open connection (libpq's PGconn). */
struct pg_conn;
int pg_migrate_conn(struct pg_conn *conn, int *from, int *to, struct err *e);

/* Let db_open() (src/store/db.h) open postgresql:// URLs: cati-store calls this at start. */
void db_pg_register(void);
/* Is s a postgresql:// or postgres:// URL? */
int db_is_pg_url(const char *s);

#endif
