/*
 * pg.h: the central store's schema on PostgreSQL, created and moved forward by the store itself
 * (src/central/schema-pg.c). Only cati-store links it.
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

/* The same on an open connection of the PostgreSQL driver (cati/db.h): central_open's. */
struct db;
int pg_migrate_db(struct db *db, int *from, int *to, struct err *e);

#endif
