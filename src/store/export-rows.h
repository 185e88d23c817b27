/* export-rows.h: rows of either store's tables handed to the export layer (SQLite or PostgreSQL). */
#ifndef CATI_EXPORT_ROWS_H
#define CATI_EXPORT_ROWS_H

#include "db.h"

#include "cati/export.h"

/*
 * Step ivs (columns: uuid, case, interviewer, lang, status, outcome, started_at, ended_at, fields
 * JSON, key) and for each row bind its key to ?1 of ans (columns: qid, iter, state, value) and
 * hand the interview with its answers to cb. Returns the last step result (DB_DONE when
 * all went through).
 */
int export_interview_rows(struct dbs *ivs, struct dbs *ans,
                          void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx);
/* Step s (columns: case, interviewer, at, phone, outcome, disposition), each row to cb. */
int export_attempt_rows(struct dbs *s, void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx);

#endif
