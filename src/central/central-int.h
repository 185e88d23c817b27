/* central-int.h: the central store's internals, shared by its files: schema.c (open, schema,
   errors), auth.c (users, logins), cases.c (forms, cases), push.c, pull.c, lock.c, check.c,
   seen.c, now.c, worktime.c, workstations.c, quota.c, and the files that read what they keep (report.c, figures.c). */
#ifndef CATI_CENTRAL_INT_H
#define CATI_CENTRAL_INT_H

#include "cati/db.h"

#include "cati/central.h"

struct central {
	struct db *db;
	char *path;
	/* the audit line the next change writes in its own transaction (central_audit_next) */
	struct {
		int set;
		char user[128], action[32], what[8192];
	} audit;
};

/* e says the database failed doing what (a busy database as ERR_KIND_BUSY); returns -1. */
int central_fail(struct central *c, const char *what, struct err *e);
/* Write the pending audit line (central_audit_next), if any, inside the open write transaction,
   just before its commit, and drop it. 0 (also when none is pending), or -1 with e (kind
   ERR_KIND_AUDIT, or ERR_KIND_BUSY): the caller rolls the change back. */
int central_audit_pending(struct central *c, struct err *e);
/* The outcome of a failure recorded in e by central_fail: CENTRAL_BUSY or CENTRAL_STORAGE. */
enum central_rc central_rc_of(const struct err *e);
/* The user's projects as ",a,b," or "*" (admins); "" for none. */
void central_projects_of(struct central *c, const char *user, enum central_role role, char *out, size_t n);
/* Who sees a study: ?2 is the user's projects (",a,b," or "*"), ?3 the user, ?4 1 for interviewers. */
#define SEES_STUDY(col) "(CASE WHEN ?4 THEN " col " IN (SELECT study FROM cases WHERE interviewer = ?3)" \
	" ELSE ?2 = '*' OR instr(?2, ',' || " col " || ',') > 0 END)"
/* a quota grant not renewed for a week (seconds) no longer holds cells back ... */
#define GRANT_TTL "604800"
/* ... and one half its time gone is renewed by the holder's next pull */
#define GRANT_RENEW "302400"
/* The string under key k of JSON object o (owned by o), or NULL when it is none. */
const char *central_jstr(json_t *o, const char *k);
/*
 * May user push records about (or lock) the case that stmt (SELECT interviewer, study ... WHERE
 * case_key = ?) finds for key? projects as central_projects_of gives. *study is set to the case's
 * study (free() it), or NULL when there is no such case. 1 yes, 0 no.
 */
int central_owns_case(struct dbs *stmt, const char *user, enum central_role role, const char *projects,
                      const char *key, char **study);
/* The next change number, for pull cursors (inside a write transaction); -1 on failure. */
int64_t central_next_seq(struct central *c);
/* Rows in one multi-row statement, and keys in one IN (...): PostgreSQL's driver takes 1,024
   parameters, and one statement for many rows saves a round trip each. */
#define CENTRAL_ROWS 100
#define CENTRAL_KEYS 500
/* Append "?from, ?from+1, ..., ?from+n-1" to sql (a row of values). */
void central_placeholders(struct buf *sql, int from, int n);
/* Append "(VALUES (?from), ..., (?from+n-1)) AS k" to sql: n keys as rows (column k.column1) to
   join to a table. Not IN (...): PostgreSQL that has not yet counted the rows a big import just
   added would scan them all for an IN list, once per statement; a join uses the index. */
void central_key_rows(struct buf *sql, int from, int n);
/*
 * Inside a pull's read transaction: does the interviewer's workstation holder need its grants
 * worked out again (one missing, half its time gone, a closed cell still granted, or what an
 * open cell would grant now differs)? 1 yes, 0 no, -1 on failure.
 */
int central_quota_stale(struct central *c, const char *user, const char *holder, const char *projects);
/*
 * Inside a pull's read transaction: the quota cells that changed for holder after cursor (or
 * that are in a study of one of the interviewer's cases given after cursor) into o["quotas"],
 * each with the holder's allowance. projects as central_projects_of gives.
 */
int central_quota_rows(struct central *c, const char *user, enum central_role role, const char *holder,
                       const char *projects, int64_t cursor, json_t *o);
/* The study's calls in progress for the report's "on_call" (now.c; inside the report's read
   transaction): *out a new array (json_decref it); 0, or -1 when the database failed. */
int central_on_call_rows(struct central *c, const char *study, int64_t now, int seen_minutes, json_t **out);
/* The study's working time from the workstations' spans for the report (worktime.c; inside its
   read transaction): *out a new object {interviewer: seconds} (json_decref it); 0, or -1. */
int central_work_seconds(struct central *c, const char *study, json_t **out);
/* A record's content hash, of its kind and its data's compact JSON (dump), as 64 hex digits (push.c). */
void central_content_hash(const char *kind, const char *dump, char hex[65]);
/* A pushed call record (data) of case key: when its outcome is "do not call again", put the
   case's numbers on the do-not-call list (inside the push's transaction): 0, or -1. */
int central_dnc_from_call(struct central *c, json_t *data, const char *key, const char *user);
/* Before an import: the ids of cases (as posted) with a number on the do-not-call list appended
   to listed. flag 0: 1 when there are any, e naming them ("case N: phone '...' is on the
   do-not-call list (as +...)", a line each); flag 1: 0. -1 when the database failed. */
int central_dnc_check_cases(struct central *c, json_t *cases, int flag, json_t *listed, struct err *e);

/* Erasure (erase.c): the personal questions of study's forms as {qid: true} (the caller's; NULL
   when the database failed); take the personal data out of a record's data in place (1 when
   anything went); is the case erased (1, 0, -1); note a workstation's confirmation of an
   erasure, in the push's transaction (0 or -1). */
json_t *central_personal_qids(struct central *c, const char *study);
int central_redact(const char *kind, json_t *data, json_t *qids);
int central_case_erased(struct central *c, const char *key);
int central_erase_confirm(struct central *c, const char *erasure, const char *workstation, const char *user,
                          const char *removed);

#endif
