/*
 * desk.h: the interviewer's workstation as screens: login, interrupted interviews, case list,
 * case, interview, appointment, break-off, note, jump list, help, sync log. Each screen takes
 * keys (keys.h) and lays itself out as a struct view; no terminal is involved, so the whole
 * workstation can be driven and checked as data. The TUI (tui.h) only reads keys and paints.
 */
#ifndef CATI_DESK_H
#define CATI_DESK_H

#include "cati/session.h"
#include "cati/view.h"

struct desk;

/* The screens, for callers that want to know where the interviewer is. */
enum desk_screen {
	DESK_LOGIN, DESK_RESUME, DESK_QUEUE, DESK_CASE, DESK_APPT, DESK_INTERVIEW, DESK_JUMP,
	DESK_NOTE, DESK_BREAK, DESK_REASON, DESK_HELP, DESK_SYNCLOG, DESK_QUIT,
};

/*
 * A workstation on the open store st (which must outlive it), for a study's calling rules.
 * demo_hint is shown on the login screen (NULL: none). sync_every_ms: how often to sync in the
 * background once logged in, when the workstation is enrolled (0: never). Free with desk_free().
 */
struct desk *desk_new(struct store *st, const struct call_rules *rules, const char *demo_hint,
                      int sync_every_ms);
/* Stop the background sync and free d (an interview open in it stays resumable). */
void desk_free(struct desk *d);

/* Apply one key (keys.h). */
void desk_key(struct desk *d, int k);
/* Lay the current screen out into v (made by view_init at the terminal's size). */
void desk_draw(struct desk *d, struct view *v);
/* The terminal is gone or a signal came: suspend the interview in progress with reason. */
void desk_hangup(struct desk *d, const char *reason);

/* Where the interviewer is: the current screen (DESK_QUIT once they quit). */
enum desk_screen desk_where(const struct desk *d);
/* The screen's name ("login", "interview" ...), for tests and logs. */
const char *desk_screen_name(const struct desk *d);
/* The interview open now (NULL when none) and the interview screen's input state. */
struct session *desk_session(struct desk *d);
const struct view_input *desk_input(const struct desk *d);
/* The message line as it stands ("" when none). */
const char *desk_message(const struct desk *d);

#endif
