/* store-int.h: the store's internals, shared by its files. Includes <sqlite3.h>. */
#ifndef CATI_STORE_INT_H
#define CATI_STORE_INT_H

#include <sqlite3.h>

#include "cati/store.h"
#include "seal.h"

struct store {
	sqlite3 *db;
	char *path;
	int64_t (*now_ms)(void *ctx);
	void *clock_ctx;
	int in_tx;
	enum store_rc last_rc;    /* the code store_fail() last mapped */
	sqlite3_stmt *ins_event, *ups_answer, *ins_history, *touch_iv, *next_seq;
	sqlite3_stmt *outbox_stmt[8];  /* one per record kind */
	sqlite3_stmt *done_stmt;       /* marks a record sent */
	struct seal *seal;             /* the keys of personal fields (seal.c) */
	char default_tz[64];           /* the study's zone for cases without one ("" the machine's) */
};

/* Map an SQLite result to a domain code and a message about doing `what`. */
enum store_rc store_fail(struct store *st, int rc, const char *what, struct err *e);
/* Queue row ref of a kind (event, interview, attempt, appointment, note) for sync. */
enum store_rc store_outbox_add(struct store *st, const char *kind, int64_t ref, struct err *e);
/* Records queued while locked (payload NULL): their JSON made now and sealed, if this connection
   can read their personal fields (else they wait for one that can). */
enum store_rc store_outbox_fill(struct store *st, struct err *e);
/* Prepare (or fetch the cached) statement. */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct err *e);
/* Now, as an ISO 8601 UTC text with milliseconds. */
void store_now(struct store *st, char out[32]);
int64_t store_now_ms(struct store *st);
/* A fresh random UUID (version 4). */
void store_uuid(char out[37]);
/* Column text copied (NULL stays NULL). */
char *col_dup(sqlite3_stmt *s, int i);
/*
 * store_attempt_after() with two choices: count (1: the call is a new attempt of the case; 0:
 * an attempt recorded before changed its outcome) and ends_interview (1: the call ends an
 * interview, so the case keeps its status, "done").
 */
enum store_rc store_call_after(struct store *st, int64_t case_id, const char *outcome,
                               const char *default_tz, int count, int ends_interview, struct err *e);
/*
 * Schema step 7 -> 8, in its transaction: every finished interview without its end attempt
 * gets one (complete, quota_full, or its ending's call outcome; at its end time), or is linked
 * to the attempt an older workstation recorded after its END screen.
 */
enum store_rc store_end_attempts_repair(struct store *st, struct err *e);

#endif
