/*
 * session.h: one interview kept in the store as it runs. Every interviewer action is one
 * transaction: session_begin(), engine commands, session_commit(). If the commit fails (disk
 * full, read-only file...), the engine is rebuilt from what is stored, so the screen never
 * shows anything as accepted that is not on disk.
 */
#ifndef CATI_SESSION_H
#define CATI_SESSION_H

#include "cati/engine.h"
#include "cati/store.h"

struct session;

/*
 * Open the interview of case key for interviewer who: the unfinished one if there is one
 * (restored to exactly where it stopped; *resumed set), else a new one on the newest version of
 * the case's form, in language lang (NULL: the form's first). Free with session_close().
 */
struct session *session_open(struct store *st, const char *key, const char *who,
                             const char *lang, int *resumed, struct err *e);
void session_close(struct session *s);

struct eng *session_engine(struct session *s);
const struct form *session_form(struct session *s);
const struct store_interview *session_interview(struct session *s);
const struct store_case *session_case(struct session *s);

enum store_rc session_begin(struct session *s, struct err *e);
/* Commit the action; on failure the engine is restored from the store and e says why. */
enum store_rc session_commit(struct session *s, struct err *e);
/* Suspend the interview (it stays resumable) with a reason. */
enum store_rc session_suspend(struct session *s, const char *reason, struct err *e);
/*
 * The same inside the caller's open transaction, so that a break-off's call attempt (and an
 * appointment) are stored with the suspension or not at all.
 */
enum store_rc session_suspend_tx(struct session *s, const char *reason, struct err *e);

#endif
