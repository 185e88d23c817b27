/*
 * figures.h: the supervisor's report figures, kept up to date as records arrive (figures.c)
 * in the same transaction as the push, the case import or the form's publication, and read by
 * report.c instead of counting the report tables again. A study's figures follow its spec: what
 * the latest published form says the report counts (segment fields, satisfaction questions,
 * quotas on case fields); a study without a spec row (no form yet) has no figures.
 */
#ifndef CATI_FIGURES_H
#define CATI_FIGURES_H

#include "central-int.h"
#include "figures-schema.h"

struct figures;


/* A batch's figures, begun in its transaction: NULL never (allocation aborts). alone: the
   transaction waits for every other writer (DB_WRITE), so no day or case needs a lock of its own
   (a sample of thousands of cases would take thousands, more than PostgreSQL's lock table holds). */
struct figures *fig_begin(struct central *c, int alone);
/* Free what fig_begin made (NULL is fine). */
void fig_free(struct figures *f);
/*
 * Around keep_record for one stored record (after 0: before the report tables change, 1:
 * after): what the record's interview or call counted before is taken away and what it counts
 * now added. 0, or -1 on database errors.
 */
int fig_record(struct figures *f, const char *kind, json_t *d, const char *key, const char *study, int after);
/* Recount the interviewer-days and cases the batch touched: the heavy part of fig_finish, done
   before the batch takes the rows every writer updates (counts, cells, the change counter).
   0 or -1. */
int fig_settle(struct figures *f);
/* At the end of a push batch: recount the touched cases and interviewer-days, over-quota flags,
   then apply the batch's changes in one sorted order. 0 or -1. */
int fig_finish(struct figures *f);
/*
 * A case being imported or reassigned (before it is written): counts it when new (existed 0) and
 * moves it from interviewer was (NULL: nobody's) to interviewer. In the import's transaction,
 * without a query: the import read what it needs of the cases it has. 0 or -1.
 */
int fig_case(struct figures *f, const char *key, const char *study, const char *interviewer, int existed,
             const char *was);
/* A case written by the import: its disposition is counted again at fig_settle. 0 or -1. */
int fig_case_written(struct figures *f, const char *key, const char *study);
/*
 * Build study's figures afresh from the report tables for spec (report_spec's string), in the
 * caller's write transaction. 0 or -1.
 */
int fig_rebuild(struct central *c, const char *study, const char *spec);
/* Rebuild the figures of every study whose spec is missing or no longer its form's (after an
   upgrade or a publication), each in its own write transaction. 0 or -1 with e set. */
int fig_refresh(struct central *c, struct err *e);
/* The calls layer's outcome names: final ones as ",a,b,", contacts and refusals as JSON arrays. */
void fig_outcome_lists(struct buf *final, struct buf *contact, struct buf *refusal);
/*
 * The spec of study from its latest published form (a string to free), or NULL when it has no
 * form or the form does not compile (report.c).
 */
char *report_spec(struct central *c, const char *study);

#endif
