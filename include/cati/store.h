/*
 * store.h: the workstation's local database (SQLite): forms, cases, interviews, answers with
 * their history, paradata events, call attempts, appointments, notes, quota counts, the sync
 * outbox and cached credentials. The only layer that talks SQL.
 *
 * Durability: WAL journal with synchronous=FULL: a transaction that store_commit() reported
 * committed survives a process crash and a power cut.
 */
#ifndef CATI_STORE_H
#define CATI_STORE_H

#include <stdint.h>

#include "cati/engine.h"
#include "cati/form.h"
#include "cati/calls.h"
#include "cati/export.h"
#include "cati/util.h"

#define STORE_SCHEMA_VERSION 12

struct store;

/* Results a caller may need to branch on; details always go to the struct err. */
enum store_rc {
	STORE_OK = 0,
	STORE_ERROR = -1,     /* anything else: the message says what */
	STORE_NEWER = -2,     /* the file was written by a newer cati: refused, left untouched */
	STORE_FULL = -3,      /* the disk is full */
	STORE_READONLY = -4,  /* the file or its folder cannot be written */
	STORE_BUSY = -5,      /* another program holds the database */
	STORE_CORRUPT = -6,   /* the file is damaged or not a cati database */
	STORE_NOTFOUND = -7,
};

/* The default database path: $XDG_DATA_HOME/cati/cati.db or ~/.local/share/cati/cati.db. */
void store_default_path(struct buf *out);

/*
 * Open (creating if absent, with its folder) the database at path and bring its schema up to
 * date, one version per transaction. A newer schema is refused with STORE_NEWER. Returns NULL
 * with *rc and e set on failure.
 */
struct store *store_open(const char *path, enum store_rc *rc, struct err *e);
void store_close(struct store *st);
/* The database file's path. */
const char *store_path(const struct store *st);

/* For tests and tools: create a fresh database at an older schema version. */
int store_create_at_version(const char *path, int version, struct err *e);
int store_schema_version(struct store *st);

/* The clock (milliseconds since the epoch) used for timestamps; tests set their own. */
void store_set_clock(struct store *st, int64_t (*now_ms)(void *ctx), void *ctx);

/* Transactions: every interviewer action is one (BEGIN IMMEDIATE ... COMMIT). */
enum store_rc store_begin(struct store *st, struct err *e);
enum store_rc store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);

/* `PRAGMA integrity_check` and a few consistency checks; the report goes to out. */
enum store_rc store_doctor(struct store *st, struct buf *out, struct err *e);

/* Forms ---------------------------------------------------------------------------------- */

/*
 * Keep a form's source. The same source (by hash) is kept once; a new version of the form gets
 * a new row, and interviews keep the row they started with. *row is the form's row.
 */
enum store_rc store_form_put(struct store *st, const struct form *f, const char *source,
                             int64_t *row, struct err *e);
/* The newest row of form id (the study). */
enum store_rc store_form_latest(struct store *st, const char *form_id, int64_t *row,
                                struct err *e);
/* The source of a form row (free() it). */
enum store_rc store_form_source(struct store *st, int64_t row, char **source, struct err *e);

/* Cases ---------------------------------------------------------------------------------- */

/*
 * Import cases from a CSV file for form f (stored as row form_row). The whole file is checked
 * first; every problem is appended to problems as "file:line: message\n" and then nothing is
 * imported (STORE_ERROR). On success *count is the number of cases added.
 */
enum store_rc store_sample_import(struct store *st, const char *path, const struct form *f,
                                  struct buf *problems, long *count, struct err *e);
/* store_sample_import with a choice for cases with a number on the workstation's do-not-call
   list: problems (flag 0, as store_sample_import), or imported all the same (flag 1), never to
   be offered, *listed of them. */
enum store_rc store_sample_import_dnc(struct store *st, const char *path, const struct form *f, int flag,
                                      struct buf *problems, long *count, long *listed, struct err *e);

/*
 * Read and check a sample (CSV) for form f without importing it: the checks of
 * store_sample_import, every problem appended to problems as "file:line: message\n" (then
 * STORE_ERROR and *cases NULL). known (may be NULL) says whether an id is already a case
 * somewhere (a problem). STORE_OK with *cases a new array (json_decref it) of {id, phone, name,
 * tz, fields{}, line}; STORE_ERROR with e set when the file cannot be read.
 */
struct json_t;
enum store_rc store_sample_read(const char *path, const struct form *f, int (*known)(void *ctx, const char *key),
                                void *ctx, struct buf *problems, struct json_t **cases, struct err *e);

struct store_case {
	int64_t id;
	char *key;
	char *study;
	char *phone;
	char *name;
	char *tz;
	char *status;
	uint64_t seed;
	int nfields;
	char **names;      /* case fields, as imported */
	char **values;
};

void store_case_release(struct store_case *c);
enum store_rc store_case_get(struct store *st, const char *key, struct store_case *c,
                             struct err *e);

/* A row of the case list. */
struct store_case_row {
	char key[65];
	char name[128];
	char phone[64];
	char status[16];
	int attempts;
	char last_outcome[32];
	char appointment[32];    /* the next open appointment, "" if none */
	int64_t appointment_utc; /* its time in UTC seconds (0 if not known yet) */
};

/*
 * Cases matching filter (a piece of the id or the name, case-insensitive; NULL or "" for all)
 * and status (NULL for all), oldest first: cb(ctx, row) for each, at most limit.
 */
enum store_rc store_cases_list(struct store *st, const char *filter, const char *status,
                               int limit, void (*cb)(void *ctx, const struct store_case_row *r),
                               void *ctx, struct err *e);

/* Record a call attempt with its outcome (no_answer, busy, ...). */
enum store_rc store_attempt_add(struct store *st, int64_t case_id, const char *who,
                                const char *phone, const char *outcome, struct err *e);
/*
 * Record the call that ends interview (outcome: complete, quota_full, or the ending's call
 * outcome, see eng_screen.call_outcome) in the open transaction, which should be the one that
 * stores the interview's end (session_commit does both): a call attempt of the interview's case
 * by who, at the case's phone, linked to the interview and queued for sync; the case counts it
 * and closes with its disposition, keeping its status. An interview has one such attempt: when
 * it ends again after going back from its ending, the attempt is left alone if nothing changed
 * (same outcome, no other call on the case since), else it takes the new outcome, time and
 * interviewer and is queued again under its uuid. STORE_NOTFOUND: no such interview.
 */
enum store_rc store_attempt_end(struct store *st, int64_t interview, const char *who,
                                const char *outcome, struct err *e);
/*
 * What a call attempt does to its case (store_attempt_add calls it): counts it, remembers the
 * outcome, the time and the respondent's day part, closes the case with its AAPOR disposition if
 * the outcome is final, releases the lock and marks due appointments as kept. default_tz is the
 * study's zone for cases without one.
 */
enum store_rc store_attempt_after(struct store *st, int64_t case_id, const char *outcome,
                                  const char *default_tz, struct err *e);

/* The store's clock (real, or the one set for tests) in milliseconds since 1970. */
int64_t store_clock_ms(struct store *st);

/* The zone of cases that have none (a study's "timezone" rule); "" for the machine's. */
void store_set_zone(struct store *st, const char *tz);

/* The scheduler's choice. */
struct store_next_pick {
	int64_t case_id;
	char key[65];
	int category;          /* 1 appointment due, 2 partial to resume, 3 fresh, 4 retry */
	char appointment[32];  /* its time as made, for category 1 */
	int hard;
	int attempts;
	char last_outcome[32];
	char local[40];        /* the respondent's local time now */
	int new_daypart;       /* a retry in a part of the day not tried before */
};

/*
 * Who to call next under rules at the store's clock, for interviewer who: STORE_OK with *pick,
 * STORE_NOTFOUND when no case may be called now. why (may be NULL) gets the reasons, a line
 * each. lock: take the case for rules->lock_minutes (STORE_BUSY if someone else just did).
 * Deterministic for a given clock and database.
 */
enum store_rc store_next(struct store *st, const struct call_rules *rules, const char *who, int lock,
                         struct store_next_pick *pick, struct buf *why, struct err *e);

/* Case key is in a call at another workstation (of user who) until the UTC time until: the
   scheduler leaves it alone until then. */
enum store_rc store_case_held(struct store *st, const char *key, const char *who, int64_t until,
                              struct err *e);

/* Cases by AAPOR disposition: closed ones by theirs, open ones by what their calls say so far. */
enum store_rc store_disposition_counts(struct store *st, void (*cb)(void *ctx, const char *code, long n),
                                       void *ctx, struct err *e);

/* Record an appointment at (ISO local time text), hard or soft, with whom. */
enum store_rc store_appointment_add(struct store *st, int64_t case_id, const char *who,
                                    const char *at, int hard, const char *with_whom,
                                    struct err *e);
enum store_rc store_note_add(struct store *st, int64_t case_id, const char *who,
                             const char *text, struct err *e);
/* The case's history, newest first, one line each: "2026-11-23 10:02 no_answer (anna)". */
enum store_rc store_case_history(struct store *st, int64_t case_id, struct buf *attempts,
                                 struct buf *notes, struct buf *appointments, struct err *e);
/* A meta value ("" when absent; free() it). */
char *store_meta_get(struct store *st, const char *key);
enum store_rc store_meta_set(struct store *st, const char *key, const char *value, struct err *e);
/* This workstation's id (a UUID made on first use and kept): the central store grants quota
   allowances to it. */
enum store_rc store_workstation_id(struct store *st, char out[37], struct err *e);

/* Export -------------------------------------------------------------------------------- */

/*
 * Hand every finished interview (complete or screened out; with unfinished, every interview) of
 * study to cb, in the order they were started, with its on-route answers.
 */
enum store_rc store_export(struct store *st, const char *study, int unfinished,
                           void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx,
                           struct err *e);
/* Every call attempt on the study's cases, in order, with its AAPOR code. */
enum store_rc store_export_calls(struct store *st, const char *study,
                                 void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx,
                                 struct err *e);

/* Quotas ---------------------------------------------------------------------------------- */

/*
 * Set up the quota cells of form f (study f->id): every cell with the form's target unless the
 * central store has reported it, and the cells the study's cases fall in by their case fields
 * (for quotas over case fields only). Call after importing cases or pulling forms and cases.
 */
enum store_rc store_quota_prepare(struct store *st, const struct form *f, struct err *e);
/*
 * Is this cell full? Closed, or the store's count plus the completes made here that it has
 * not counted reach the target, or those completes used up this workstation's allowance.
 * A cell never set up is full only at a target of 0.
 */
int store_quota_full(struct store *st, const char *study, const char *quota, const char *cell,
                     int target);
/* Record that a complete interview falls in a cell (once per quota), counting it here. */
enum store_rc store_cells_add(struct store *st, int64_t interview, const char *study,
                              const char *quota, const char *cell, int target, struct err *e);
/* A cell as the central store reports it; allowance < 0: none granted. */
enum store_rc store_quota_pulled(struct store *st, const char *study, const char *quota,
                                 const char *cell, long target, long achieved, int closed,
                                 long allowance, struct err *e);
/* After a pull: completes the store has counted leave the local counts. */
enum store_rc store_quota_settle(struct store *st, struct err *e);

struct store_quota_cell {
	const char *study, *quota, *cell;
	long target, achieved, local;  /* achieved: the store's count; local: not counted there yet */
	int closed, full, pulled;
	long allowance;                /* -1: none (never synced) */
};
/* Every cell (of study, or of all studies when NULL), in order. */
enum store_rc store_quota_list(struct store *st, const char *study,
                               void (*cb)(void *ctx, const struct store_quota_cell *c), void *ctx,
                               struct err *e);

/* Interviews ------------------------------------------------------------------------------ */

struct store_interview {
	int64_t id;
	char uuid[37];
	int64_t case_id;
	int64_t form_row;
	char *interviewer;
	char *lang;
	char *status;      /* active, suspended, complete, screenout */
	char *case_key;
};

void store_interview_release(struct store_interview *iv);

/* Create an interview row (status active) in the open transaction. */
enum store_rc store_interview_create(struct store *st, int64_t case_id, int64_t form_row,
                                     const char *interviewer, const char *lang,
                                     struct store_interview *iv, struct err *e);
/* The unfinished (active or suspended) interview of a case, if any: STORE_NOTFOUND if none. */
enum store_rc store_interview_open_for_case(struct store *st, int64_t case_id,
                                            struct store_interview *iv, struct err *e);
/* Unfinished interviews: cb(ctx, iv) for each, oldest first. */
enum store_rc store_interviews_unfinished(struct store *st,
                                          void (*cb)(void *ctx, const struct store_interview *iv),
                                          void *ctx, struct err *e);
/* Record an engine event for an interview in the open transaction (answers, history too).
   personal: the answer's values are personal data (a text answer), kept sealed. */
enum store_rc store_event(struct store *st, int64_t interview, const char *who,
                          const struct eng_event *ev, int personal, struct err *e);
/* Set an answer's on/off-route flag. */
enum store_rc store_answer_route(struct store *st, int64_t interview, const char *qid, int iter,
                                 int on_route, struct err *e);
/* Set an interview's status (and outcome, reason), in the open transaction. */
enum store_rc store_interview_status(struct store *st, int64_t interview, const char *status,
                                     const char *outcome, const char *reason, struct err *e);
/* Replay an interview's events in order: cb(ctx, ev) for each. */
enum store_rc store_events_replay(struct store *st, int64_t interview,
                                  void (*cb)(void *ctx, const struct eng_event *ev), void *ctx,
                                  struct err *e);
/* An answer as stored: returns STORE_NOTFOUND when absent. *value is malloc'd. */
enum store_rc store_answer_get(struct store *st, int64_t interview, const char *qid, int iter,
                               enum form_vstate *state, char **value, int *on_route,
                               struct err *e);

/* Credentials (cached for offline login) ------------------------------------------------- */

/* Set an interviewer's password (hashed with Argon2id). */
enum store_rc store_cred_set(struct store *st, const char *interviewer, const char *password,
                             struct err *e);
/* STORE_OK when the password is right; STORE_NOTFOUND for an unknown interviewer. */
enum store_rc store_cred_check(struct store *st, const char *interviewer, const char *password,
                               struct err *e);

/* Keep the interface language ("en", "de", "nl") interviewer chose on this workstation with
   their cached credential; STORE_NOTFOUND when they have none here. */
enum store_rc store_cred_lang_set(struct store *st, const char *interviewer, const char *lang,
                                  struct err *e);
/* The interface language kept for interviewer ("" when none; free() it). */
char *store_cred_lang(struct store *st, const char *interviewer);
/*
 * Personal data (names, phone numbers, notes, appointments' with-whom, answers and their history,
 * and records waiting to sync) is sealed with the workstation's key pair, made when the first
 * interviewer's credential is set (store_cred_set: what was written before is sealed then). Any
 * connection may write it; reading needs the secret key, which each interviewer's password
 * unlocks. store_cred_set and store_cred_check unlock the connection too, when they can.
 */
/* What a list shows for a personal field while locked. */
#define STORE_LOCKED_TEXT "(log in to see names)"
/* Unlock with interviewer's password (making the key pair when the database has none): STORE_OK;
   STORE_NOTFOUND when the workstation keeps no copy of the key for this interviewer; STORE_ERROR
   when the password does not open it. */
enum store_rc store_unlock(struct store *st, const char *interviewer, const char *password, struct err *e);
/* Unlock with the first interviewer's copy of the key that password opens (for commands that have
   a password but no user): STORE_OK, or STORE_ERROR when none opens. */
enum store_rc store_unlock_any(struct store *st, const char *password, struct err *e);
/* Run read-only SQL (statements separated by ';') with the personal columns of every table read
   unsealed (they fail while locked); each row to out as its columns joined by '|', a line each,
   as the sqlite3 shell prints them. For tests and support. */
enum store_rc store_query(struct store *st, const char *sql, struct buf *out, struct err *e);
/* Write a copy of the database to path (which must not exist) with its personal data in clear
   and no keys, for support and tests (unlocked only): handle it like the respondents' data. */
enum store_rc store_plain_copy(struct store *st, const char *path, struct err *e);
/* Bytes of the workstation's secret and public key (X25519). */
#define STORE_KEY_BYTES 32
/* The workstation's secret and public key into sk and pk, for the store to keep (unlocked only):
   STORE_OK, or STORE_NOTFOUND when this connection holds no secret key (locked, or no key yet). */
enum store_rc store_key_export(struct store *st, unsigned char sk[STORE_KEY_BYTES],
                               unsigned char pk[STORE_KEY_BYTES]);
/* Unlock with sk, a secret key the store sent, once it is checked against the workstation's
   public key, and wrap a copy for interviewer with password so the next login opens it offline:
   STORE_OK; STORE_ERROR when sk is not this workstation's key (nothing changes) or the copy
   cannot be kept. */
enum store_rc store_key_import(struct store *st, const unsigned char sk[STORE_KEY_BYTES], const char *interviewer,
                               const char *password, struct err *e);
/* Forget the secret key (log out): personal data reads as locked again. */
void store_lock(struct store *st);
/* 1 when the database holds sealed personal data this connection cannot read. */
int store_locked(struct store *st);

/* Outbox ----------------------------------------------------------------------------------- */

/* Records waiting to sync. */
long store_outbox_pending(struct store *st);
/* The oldest pending records, at most limit: cb(ctx, id, uuid, kind, payload) for each. Records
   with personal data this connection cannot read (locked) are left waiting. */
enum store_rc store_outbox_batch(struct store *st, int limit,
                                 void (*cb)(void *ctx, int64_t id, const char *uuid,
                                            const char *kind, const char *payload),
                                 void *ctx, struct err *e);
/* The store answered for record id: mark it sent with the result ("stored", "conflict ..."). */
enum store_rc store_outbox_done(struct store *st, int64_t id, const char *result, struct err *e);
/* A case from the central store: added, or its details updated (its status is kept). */
enum store_rc store_case_put(struct store *st, const char *key, const char *study,
                             const char *phone, const char *name, const char *tz,
                             const char *fields_json, struct err *e);
/* The do-not-call list on the workstation (dnc.c) */
/* Keep the numbers of case key (phone: its phone field, in clear) in international form (the
   default country from the last pull) for the scheduler's check against the list; after the
   case's phone changed. */
enum store_rc store_case_phones(struct store *st, const char *key, const char *phone, struct err *e);
/* store_case_phones for every case (the default country changed, an older schema). */
enum store_rc store_case_phones_all(struct store *st, struct err *e);
/* The store's default country (ISO code, "" none), as a pull brings it; every case's numbers
   are read again when it changed. */
enum store_rc store_country_set(struct store *st, const char *iso, struct err *e);
/* The digest the workstation keeps of a number (E.164) instead of the number: 32 hex digits. */
void store_phone_digest(const char *e164, char out[33]);
/* Put a number (E.164) on the workstation's list (listed 1) or take it off (0). */
enum store_rc store_dnc_set(struct store *st, const char *e164, int listed, struct err *e);
/* Put every number of the case on the list (the outcome "do not call again"). */
enum store_rc store_dnc_case(struct store *st, int64_t case_id, struct err *e);
/* How many open cases the scheduler passes over as a number of theirs is on the list; -1. */
long store_dnc_held(struct store *st);
/* Append a line to the sync log; read the newest lines (newest last) into out. */
/* A case the central store gave to another interviewer leaves this workstation's list. */
enum store_rc store_case_withdraw(struct store *st, const char *key, struct err *e);
/* A case the supervisor reopened (pulled): a case closed by a call's outcome (refused, wrong
   number, language, closed, to retry) becomes a fresh case to call, its calls kept. */
enum store_rc store_case_reopen(struct store *st, const char *key, struct err *e);
/* An appointment made on another workstation (the JSON it was pushed as); not queued again. */
enum store_rc store_appointment_import(struct store *st, const char *data_json, struct err *e);
/* The central store's count of finished interviews of a study by status and outcome. */
enum store_rc store_count_set(struct store *st, const char *study, const char *status,
                              const char *outcome, long n, struct err *e);
enum store_rc store_sync_log(struct store *st, const char *line, struct err *e);
enum store_rc store_sync_log_read(struct store *st, int limit, struct buf *out, struct err *e);

/* What the interviewer is doing now, for the supervisor's "on a call now" (store_on_call). */
struct store_on_call {
	int open;                      /* 1: an interview is open; 0: none (the rest empty) */
	char case_key[128];
	char question[128];            /* the question on screen ("" before the first) */
	int64_t elapsed_s;             /* seconds since the interview started, by this clock */
};

/*
 * The newest open (active, not suspended) interview of interviewer who: its case key, the
 * question last shown and how long ago it started, read from the interviews and events the
 * workstation committed before each screen. Reading only. STORE_OK (out->open 0 when none).
 */
enum store_rc store_on_call(struct store *st, const char *who, struct store_on_call *out, struct err *e);

/* Personal data (erase.c) ------------------------------------------------------------------ */

/*
 * Apply the central store's erasure (id erasure) of case key, inside the caller's transaction:
 * the case's name, phone and personal fields, its free-text answers (and their history and
 * events), notes, appointment and call texts, and the unsent records' copies of them are
 * cleared (coded answers stay), and a confirmation (kind erasure_confirm) is queued for the
 * next push. An erasure applied before is skipped (*applied 0); a case this workstation never
 * had is confirmed all the same. Call store_erase_scrub after the commit.
 */
enum store_rc store_erase_case(struct store *st, const char *key, const char *erasure, int *applied, struct err *e);
/* Clear the personal data of the closed cases (a final outcome or a finished interview) whose
   records are all sent, of the studies with a retention (meta "retention:STUDY" > 0, from the
   pull), inside the caller's transaction; *cleared how many. */
enum store_rc store_erase_closed(struct store *st, int *cleared, struct err *e);
/* After an erasure's commit: rewrite the database (VACUUM) and empty its write-ahead log, so no
   free page or old copy holds what was cleared. */
enum store_rc store_erase_scrub(struct store *st, struct err *e);

#endif
