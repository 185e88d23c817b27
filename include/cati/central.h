/*
 * central.h: the central store's records (cati-store): users and tokens, forms, cases and
 * their assignment, and every record the workstations push, kept exactly once by its UUID.
 * SQLite today; the functions here are the storage interface a PostgreSQL backend implements.
 */
#ifndef CATI_CENTRAL_H
#define CATI_CENTRAL_H

#include <jansson.h>
#include <stdint.h>

#include "cati/export.h"
#include "cati/util.h"

struct central;

enum central_role { CENTRAL_INTERVIEWER, CENTRAL_SUPERVISOR, CENTRAL_ADMIN };

/*
 * What a call came to, for the calls whose callers answer differently by outcome (login, lock,
 * workstations, quota changes). Every outcome but CENTRAL_OK is negative, so rc < 0 is "not
 * done"; e says why: for the user, except for STORAGE and BUSY (for the operator).
 */
enum central_rc {
	CENTRAL_OK = 0,
	CENTRAL_STORAGE = -1,     /* the database failed */
	CENTRAL_BUSY = -2,        /* the database is busy (locked, a serialization failure): try again soon */
	CENTRAL_INPUT = -3,       /* the request cannot be anyone's (a name or password too long) */
	CENTRAL_DENIED = -4,      /* wrong user name or password */
	CENTRAL_FORBIDDEN = -5,   /* not the user's: a case, a workstation (another's, retired, unknown) */
	CENTRAL_LIMITED = -6,     /* too many failed logins for the user or the address: wait */
	CENTRAL_HELD = -7,        /* another workstation holds the case's lock */
	CENTRAL_NOT_FOUND = -8,   /* no such workstation, quota or cell */
	CENTRAL_UNREGISTERED = -9,   /* a workstation the store does not know (forgotten): register it */
};

struct central *central_open(const char *path, struct err *e);
void central_close(struct central *c);

/* Users: add (role "admin", "supervisor", "interviewer"), change password, disable. */
int central_user_add(struct central *c, const char *name, const char *role, const char *password,
                     struct err *e);
int central_user_passwd(struct central *c, const char *name, const char *password, struct err *e);
int central_user_disable(struct central *c, const char *name, struct err *e);
/* Delete a user and end their tokens for good: a user added later under the name gets a new id,
   and the old tokens name the old one. -1 with e when there is no such user. */
int central_user_delete(struct central *c, const char *name, struct err *e);
/* A supervisor's projects: study (form) ids separated by commas, or "*" for every study. */
int central_user_projects(struct central *c, const char *name, const char *projects, struct err *e);
/* May user publish forms, add cases and read results for study? Admins all, supervisors their projects. */
int central_may_manage(struct central *c, const char *user, enum central_role role, const char *study);

#define CENTRAL_MAX_USER 64        /* bytes of a user name */
#define CENTRAL_MAX_PASSWORD 1024  /* bytes of a password */
#define CENTRAL_MAX_KEY 256        /* bytes of a case's id, phone and name */
#define CENTRAL_MAX_RECORD (1024 * 1024)   /* bytes of a pushed record's data (compact JSON) */
/*
 * Log in from the client address addr: on success a fresh bearer token (64 hex characters) valid
 * for ttl_s seconds. Every attempt counts against the user (5 a minute) and the address (30 a
 * minute) before the password is checked; a success clears the user's count. CENTRAL_OK;
 * CENTRAL_DENIED for a wrong name or password (or a disabled user); CENTRAL_LIMITED when over a
 * limit (nothing checked); CENTRAL_INPUT for a name or password too long to be anyone's;
 * CENTRAL_BUSY or CENTRAL_STORAGE when the database fails.
 */
enum central_rc central_login(struct central *c, const char *name, const char *password, const char *addr,
                  int ttl_s, char token[65], enum central_role *role, struct err *e);
/* The user of a valid, unexpired token: 0, or -1. */
int central_auth(struct central *c, const char *token, char user[65], enum central_role *role);

/* Keep a form's source (already compiled and checked by the caller); *hash is its id. */
int central_form_put(struct central *c, const char *form_id, const char *version,
                     const char *source, char hash[65], struct err *e);

/* What an import does with a case whose phone number is on the do-not-call list: refuse the
   import (naming the case and the number), import it marked do-not-call (never offered), or no
   check (cases already in the store, reassigned). */
enum central_dnc { CENTRAL_DNC_REFUSE, CENTRAL_DNC_FLAG, CENTRAL_DNC_NONE };

/*
 * Add cases for study form_id from a JSON array of objects {id, phone, name, tz, fields{},
 * interviewer}; all or nothing. Existing ids are reassigned to the given interviewer.
 */
int central_cases_put(struct central *c, const char *form_id, json_t *cases, enum central_dnc dnc, struct err *e);

/*
 * Store a batch of records pushed by user: a JSON array of {uuid, kind, data}. For each record
 * the result array gets {uuid, status}: 200 stored (or already stored with the same content),
 * 409 the same uuid with other content (kept aside, nothing overwritten), 403 a case that is not
 * the user's, or an interview (call) first pushed with another case, interviewer or workstation
 * (another case or interviewer), 422 a malformed record. An interviewer's records are stamped
 * with user as their interviewer, whatever they say; a supervisor's or admin's keep the one they
 * name. The batch is one transaction. holder names the workstation (NULL: the user), whose quota
 * allowances its completes use up.
 */
int central_push(struct central *c, const char *user, enum central_role role, const char *holder,
                 json_t *records, json_t *result, struct err *e);
/* May batches be pushed side by side on connections to this store (PostgreSQL), or must the
   caller run them one at a time like every other writer (SQLite)? */
int central_pushes_share(struct central *c);

/*
 * What changed for user after cursor: {cursor, forms: [{hash, form_id, version, source}],
 * cases: [{id, study, phone, name, tz, fields, interviewer}], withdrawn: [{id}] (cases given to
 * someone else), reopened: [{id}] (cases a supervisor opened to be called again), appointments: [{data}] (made by others), counts: [{study, status, outcome, n}]
 * (finished interviews: absolute numbers, the keys that changed), quotas: [{study, quota, cell,
 * target, achieved, closed, allowance}] (the cells that changed, or whose allowance for this
 * workstation did; allowance: what the workstation holder, NULL the user, may complete in the
 * cell before its next pull), erasures: [{case, erasure}] (personal data erased: see
 * central_erase), retention: [{study, seconds}]}. Cursor 0 gives everything. Interviewers see their own cases and
 * their studies (all of a study's forms, counts and cells once a case of it comes), supervisors
 * their projects, admins everything. The cursor returned is the store's change counter, so a
 * pull with nothing new reads one row and answers with empty lists.
 * central_pull_read only reads (call it with no lock held): it returns 1, and *out unset, when
 * renew is set and the holder's quota grants must be worked out first: call
 * central_quota_renew as one of the writers, then central_pull_read with renew 0.
 * central_pull does both (for callers that hold no writers' lock). 0 or -1.
 */
int central_pull_read(struct central *c, const char *user, enum central_role role, const char *holder,
                      int64_t cursor, int renew, json_t **out, struct err *e);
int central_pull(struct central *c, const char *user, enum central_role role, const char *holder,
                 int64_t cursor, json_t **out, struct err *e);
/*
 * Work out again what each open quota cell of the interviewer's studies grants workstation
 * holder: min(the cell's allowance less the user's other workstations' live grants, what the
 * target leaves after the count and the others' live grants), in one write transaction. 0 or -1.
 */
int central_quota_renew(struct central *c, const char *user, const char *holder, struct err *e);
/*
 * Count the finished interviews again from the records and compare with the counts kept as
 * they arrived: *differ is the number of (study, status, outcome) keys that differ, each told
 * to report (NULL: not told) as "study status outcome kept N counted M". 0 or -1.
 */
int central_figures_check(struct central *c, int *differ, void (*report)(void *ctx, const char *line),
                          void *ctx, struct err *e);

/*
 * Lock case key for a call from workstation holder (NULL: the user) for seconds: CENTRAL_OK
 * locked (or renewed) until *until; CENTRAL_HELD another workstation holds it: who (its user) and
 * *until say until when; CENTRAL_FORBIDDEN not the user's case (or, for an interviewer, not a
 * registered workstation of theirs); CENTRAL_BUSY or CENTRAL_STORAGE. A call attempt pushed by
 * the holder ends its lock.
 */
enum central_rc central_lock(struct central *c, const char *user, enum central_role role, const char *holder,
                 const char *key, int seconds, char *who, size_t nwho, int64_t *until, struct err *e);

/* Workstations ---------------------------------------------------------------------------- */

/*
 * Register workstation id (at most 64 characters) under user with a name for people: CENTRAL_OK
 * (also when it is already the user's), CENTRAL_FORBIDDEN it is another user's or retired (e says
 * which), CENTRAL_BUSY or CENTRAL_STORAGE.
 */
enum central_rc central_ws_register(struct central *c, const char *user, const char *id, const char *name,
                        struct err *e);
/* CENTRAL_OK when id is registered to user and not retired; CENTRAL_UNREGISTERED the store does
   not know it; CENTRAL_FORBIDDEN another's or retired (e says why, for the user); CENTRAL_BUSY or
   CENTRAL_STORAGE. */
enum central_rc central_ws_check(struct central *c, const char *user, const char *id, struct err *e);
/* Every workstation: [{workstation, user, name, registered_at, retired_at}] into *out (the
   caller's reference). 0 or -1. */
int central_ws_list(struct central *c, json_t **out, struct err *e);
/* Retire id for good: no more allowances or locks; its grants and locks end. CENTRAL_OK,
   CENTRAL_NOT_FOUND unknown, CENTRAL_BUSY or CENTRAL_STORAGE. */
enum central_rc central_ws_retire(struct central *c, const char *id, struct err *e);
/*
 * Keep workstation id's secret key (base64 of its 32 bytes) with its public key (base64), sent
 * by user from that workstation. The store checks that the secret makes the public key. Kept
 * only for a registered, not retired workstation, sent by its registered user or, while the
 * store keeps none for it, by anyone; the same key again changes nothing. CENTRAL_OK;
 * CENTRAL_INPUT not a key pair; CENTRAL_UNREGISTERED, CENTRAL_FORBIDDEN (retired, or another's
 * key kept already); CENTRAL_BUSY or CENTRAL_STORAGE.
 */
enum central_rc central_ws_key_put(struct central *c, const char *user, const char *id, const char *secret,
                                   const char *pub, struct err *e);
/*
 * Workstation id's secret and public key (base64, into secret and pub) for user, logged in to
 * log in there: given only for a registered, not retired workstation, and written into the
 * audit trail (action "key"). CENTRAL_OK; CENTRAL_UNREGISTERED unknown; CENTRAL_FORBIDDEN
 * retired; CENTRAL_NOT_FOUND no key kept yet; CENTRAL_BUSY or CENTRAL_STORAGE (e says why).
 */
enum central_rc central_ws_key_get(struct central *c, const char *user, const char *id, char secret[64],
                                   char pub[64], struct err *e);

/* Export -------------------------------------------------------------------------------- */

/* The source of the newest form of study (free() it): 0, or -1 when there is none. */
int central_form_latest(struct central *c, const char *study, char **source, struct err *e);
/* Every finished interview of study that is not a duplicate, with its on-route answers, to cb. */
int central_export(struct central *c, const char *study,
                   void (*cb)(void *ctx, const struct exp_interview *iv), void *ctx, struct err *e);
/* Every call attempt of the study, in time order, with its AAPOR code. */
int central_export_calls(struct central *c, const char *study,
                         void (*cb)(void *ctx, const struct exp_attempt *at), void *ctx, struct err *e);

/* Audit trail (audit.c) --------------------------------------------------------------- */

/*
 * Keep one line of the audit trail: user (an account, or "local:LOGIN" for a command run on
 * the store's machine) did action ("export", "erase", "assign", "take-back", "reopen", "resolve",
 * "count", "import", "key") on what (the study and what was asked: never a password or the data), now. Part of
 * the caller's open transaction, if any. 0, or -1 when the database failed.
 */
int central_audit(struct central *c, const char *user, const char *action, const char *what);
/*
 * The line of the audit trail (as central_audit) that the next change of assignments on c
 * writes in its own transaction: central_cases_put (and so central_cases_assign),
 * central_cases_reopen, central_conflict_resolve, central_duplicate_choose. The change and its
 * line are stored together or neither: a line that cannot be written fails the change (e->kind
 * ERR_KIND_AUDIT, or ERR_KIND_BUSY). A later call replaces the line; action NULL drops it.
 * The strings are copied (what cut at 8 KiB).
 */
void central_audit_next(struct central *c, const char *user, const char *action, const char *what);
/* The audit trail from since (seconds since 1970) on, only user's when user is not NULL, oldest
   first: [{at (ISO 8601 UTC), user, action, what}] into *out (the caller's reference). 0 or -1. */
int central_audit_list(struct central *c, int64_t since, const char *user, json_t **out, struct err *e);
/* The key of study's pseudonyms (exp_pseudonym), made at random and kept on first use; it never
   leaves the store. 0, or -1 with e. */
int central_study_key(struct central *c, const char *study, unsigned char key[EXP_PSEUDONYM_KEY], struct err *e);

/* Quotas -------------------------------------------------------------------------------- */

struct form;
/* Set up the quota cells of a published form: new cells get the form's targets and allowance;
   cells the store has already keep theirs (a supervisor may have changed them). */
int central_quota_seed(struct central *c, const struct form *f, struct err *e);
/*
 * Change cells of a quota (cell NULL: all its cells): target (< 0 keeps it), closed (1 close,
 * 0 reopen, < 0 keep), allowance per workstation (< 0 keeps it). Returns the number of cells
 * changed, or a negative central_rc: CENTRAL_NOT_FOUND no such quota or cell (e says which),
 * CENTRAL_BUSY or CENTRAL_STORAGE.
 */
int central_quota_set(struct central *c, const char *study, const char *quota, const char *cell,
                      long target, int closed, long allowance, struct err *e);
/* The cells of a study: [{quota, cell, label, target, achieved, closed, allowance, granted, over}]. */
int central_quota_list(struct central *c, const char *study, json_t **out, struct err *e);

/* Counts for reports and tests: records by kind, conflicts, duplicates. */
int central_count(struct central *c, const char *what, int64_t *n);

/* Study management (manage.c) ---------------------------------------------------------- */

/* The forms user may manage, each version: [{form_id, version, hash, published_at}]. 0 or -1. */
int central_forms_list(struct central *c, const char *user, enum central_role role, json_t **out,
                       struct err *e);
/* The cases of study: [{case, status (new, called, active, complete, screenout, ...), interviewer,
   calls, last_outcome, duplicates}], only those with status and interviewer ("" unassigned) when
   not NULL. 0 or -1. */
int central_cases_list(struct central *c, const char *study, const char *status, const char *interviewer,
                       json_t **out, struct err *e);
/* Give the cases keys (a JSON array of strings) of study to interviewer (NULL: take them back
   from whoever has them), all or none. *unknown: the keys that are no case of study (the
   caller's reference; CENTRAL_NOT_FOUND when any); CENTRAL_OK, CENTRAL_BUSY or CENTRAL_STORAGE. */
enum central_rc central_cases_assign(struct central *c, const char *study, json_t *keys, const char *interviewer,
                                     json_t **unknown, struct err *e);
/* Open the cases keys of study to be called again (their workstations clear the case's final
   outcome at their next pull), all or none: CENTRAL_NOT_FOUND with *unknown (the caller's
   reference) naming the ids that are no case of study, CENTRAL_INPUT a case with a complete or
   screen-out (e says which), CENTRAL_OK, CENTRAL_BUSY or CENTRAL_STORAGE. */
enum central_rc central_cases_reopen(struct central *c, const char *study, json_t *keys, const char *user,
                                     json_t **unknown, struct err *e);
/* The conflicts of study: [{id, uuid, case, user, stored_at, received_at, stored, theirs}]. 0 or -1. */
int central_conflicts_list(struct central *c, const char *study, json_t **out, struct err *e);
/* The study of conflict id into study: 1, 0 no such conflict, -1 the database failed. */
int central_conflict_study(struct central *c, int64_t id, char *study, size_t n);
/* Settle conflict id: keep the stored record (take 0) or put the conflicting one in its place
   (take 1). CENTRAL_OK, CENTRAL_NOT_FOUND, CENTRAL_BUSY or CENTRAL_STORAGE. */
enum central_rc central_conflict_resolve(struct central *c, int64_t id, int take, struct err *e);
/* The completes of study's cases completed more than once: [{case, interview, interviewer,
   ended_at, counts}] (counts true: the one the study counts). 0 or -1. */
int central_duplicates_list(struct central *c, const char *study, json_t **out, struct err *e);
/* Make interview (a complete of study) the one its case counts; its other completes become
   duplicates; counts, quota cells and the report follow. CENTRAL_OK (also when it counted
   already), CENTRAL_NOT_FOUND no such complete, CENTRAL_BUSY or CENTRAL_STORAGE. */
enum central_rc central_duplicate_choose(struct central *c, const char *study, const char *interview, struct err *e);
/* Every workstation with its last sync (seconds since 1970, null: never):
   [{workstation, user, name, registered_at, retired_at, last_sync}]. 0 or -1. */
int central_ws_synced(struct central *c, json_t **out, struct err *e);

/* Do not call (dnc.c) ----------------------------------------------------------------------- */

/* The store's default country for national numbers (an ISO code like "AT"; "" when none is
   set) into out: 0, or -1 when the database failed. */
int central_country(struct central *c, char out[8]);
/* Set the default country (one phone_e164 knows, or "" for none): 0, or -1 with e set. */
int central_country_set(struct central *c, const char *iso, struct err *e);
/*
 * Put numbers (a JSON array of strings, in any notation) on the do-not-call list (add 1) or take
 * them off (add 0), all or none, by user, with source ("supervisor", "import") and reason (may be
 * NULL). CENTRAL_OK and *out [{number, phone (E.164), changed}]; CENTRAL_INPUT when some are no
 * phone numbers: *out [{index (from 1), number, why}] and nothing changed; CENTRAL_BUSY or
 * CENTRAL_STORAGE. *out is the caller's reference.
 */
enum central_rc central_dnc_change(struct central *c, json_t *numbers, int add, const char *source,
                                   const char *reason, const char *user, json_t **out, struct err *e);
/* The numbers on the list [{phone, source, reason, case, by, at}], or with history every change
   ever made [{phone, action (add/remove), source, reason, case, by, at}], into *out (the
   caller's reference): 0 or -1. */
int central_dnc_list(struct central *c, int history, json_t **out, struct err *e);

/* Personal data (erase.c) -------------------------------------------------------------- */

/*
 * Erase the personal data of the case key (or of every case whose phone is the number phone,
 * written in any way), in study when not NULL: its name, phone and personal fields, free-text
 * answers, notes, appointment and call texts, in cases, records, conflicts and the report's
 * answers; coded answers stay. One transaction; each case's erasure recorded (by, reason) with
 * what was removed, and carried to the workstations by their pulls. Then the bytes go: SQLite's
 * pages are overwritten (secure_delete) and the write-ahead log truncated; PostgreSQL's touched
 * tables vacuumed. *erased: [{id, case, study, removed}] (the caller's). CENTRAL_OK,
 * CENTRAL_NOT_FOUND no such case, CENTRAL_BUSY or CENTRAL_STORAGE.
 */
int central_erase(struct central *c, const char *study, const char *key, const char *phone, const char *by,
                  const char *reason, json_t **erased, struct err *e);
/* Keep the personal data of study's closed cases for seconds after they closed (0: for ever). 0 or -1. */
int central_retention_set(struct central *c, const char *study, int64_t seconds, struct err *e);
/* Erase the closed cases whose study's retention is up at now (seconds since 1970), by
   "retention"; *erased as central_erase gives (the caller's). 0 or -1. */
int central_erase_expired(struct central *c, int64_t now, json_t **erased, struct err *e);
/* The erasure report (id, or a case key; NULL: every erasure): [{id, case, study, at, by,
   reason, removed, confirmed: [{workstation, user, at, removed}], waiting: [{workstation, user,
   last_sync}]}] into *out (the caller's). 0, CENTRAL_NOT_FOUND, or -1. */
int central_erase_report(struct central *c, const char *id, json_t **out, struct err *e);

#endif
