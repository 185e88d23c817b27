/* central-int.h: the central store's internals, shared by central.c (records, sync) and the
   files that read them (report.c). */
#ifndef CATI_CENTRAL_INT_H
#define CATI_CENTRAL_INT_H

#include "db.h"

#include "cati/central.h"

struct central {
	struct db *db;
	char *path;
};

/* e says the database failed doing what (a busy database as ERR_KIND_BUSY); returns -1. */
int central_fail(struct central *c, const char *what, struct err *e);
/* The user's projects as ",a,b," or "*" (admins); "" for none. */
void central_projects_of(struct central *c, const char *user, enum central_role role, char *out, size_t n);
/* Who sees a study: ?2 is the user's projects (",a,b," or "*"), ?3 the user, ?4 1 for interviewers. */
#define SEES_STUDY(col) "(CASE WHEN ?4 THEN " col " IN (SELECT study FROM cases WHERE interviewer = ?3)" \
	" ELSE ?2 = '*' OR instr(?2, ',' || " col " || ',') > 0 END)"
/*
 * The pull's quota cells into o["quotas"]: for an interviewer's workstation (holder) its earlier
 * grants return and each open cell grants it min(allowance, what the target leaves after the
 * count and the other workstations' grants). projects as central_projects_of gives.
 */
int central_quota_pull(struct central *c, const char *user, enum central_role role, const char *holder,
                       const char *projects, json_t *o, struct err *e);

#endif
