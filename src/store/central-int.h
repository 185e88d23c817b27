/* central-int.h: the central store's internals, shared by central.c (records, sync) and the
   files that read them (report.c). */
#ifndef CATI_CENTRAL_INT_H
#define CATI_CENTRAL_INT_H

#include <sqlite3.h>

#include "cati/central.h"

struct central {
	sqlite3 *db;
	char *path;
};

#endif
