/* desk-int.h: what the workstation's screens share: the desk's state and their helpers. */
#ifndef CATI_DESK_INT_H
#define CATI_DESK_INT_H

#include "cati/desk.h"
#include "cati/keys.h"
#include "cati/sync.h"

#include <time.h>

#define DESK_MAX_ROWS 500
#define DESK_MAX_RESUME 32

/* A screen: how it starts, what a key does (returns the next screen), what it shows. */
struct desk_mode {
	const char *name;
	void (*enter)(struct desk *d);          /* NULL: nothing to set up */
	enum desk_screen (*key)(struct desk *d, int k);
	void (*draw)(struct desk *d, struct view *v);
};

/* One line editor: a field of a dialog. */
struct desk_field {
	char text[512];
	int cursor;
};

struct desk {
	struct store *st;
	const char *demo_hint;
	enum desk_screen screen;
	enum desk_screen back_to;     /* where a note returns to */
	enum desk_screen help_back;   /* where help returns to */
	char who[65];
	char message[512];
	int sync_every_ms;
	struct sync_bg *sync;
	int unlock_refused;           /* the interviewer's copy of the key did not open: not tried again */

	/* login */
	char login_id[65], login_pw[128];
	int login_field, login_cursor;
	int login_lang_chosen;        /* F2 pressed on this login screen */

	/* lists (case list, interrupted interviews, jump list) */
	struct store_case_row *rows;
	int nrows, hl, top;
	char filter[64];
	int filter_cursor, filtering, status_filter;
	char next_key[65];
	char next_why[80];
	struct call_rules rules;
	char resume_keys[DESK_MAX_RESUME][65];
	int nresume;
	char jump_digits[8];

	/* the case on screen */
	struct store_case cs;
	int have_case;
	struct buf attempts, notes, appts;
	int pending;                  /* a final outcome's key waiting for its confirmation, or 0 */

	/* dialogs */
	struct desk_field appt[3];    /* date, time, with whom */
	int appt_field, appt_hard, appt_from_interview;
	struct desk_field edit;       /* a note or a break-off reason */

	/* the interview */
	struct session *sess;
	struct view_input in;
	char shown_qid[FORM_MAX_ID + 1];
	int shown_iter, shown_kind, shown_check;
	int64_t started_ms;
	int lang;                     /* the questionnaire language the interviewer chose, or -1 */
};

extern const struct desk_mode desk_login_mode, desk_resume_mode, desk_queue_mode,
	desk_case_mode, desk_appt_mode, desk_interview_mode, desk_jump_mode, desk_note_mode,
	desk_reason_mode, desk_break_mode, desk_help_mode, desk_synclog_mode;

/* Put a message on the message line. */
void desk_say(struct desk *d, const char *fmt, ...) CATI_PRINTF(2, 3);
/* Set line row of v, printf-style. */
void desk_put(struct view *v, int row, enum view_style st, const char *fmt, ...) CATI_PRINTF(4, 5);
/* Run f in one transaction; a failure goes to the message line. Returns 0 or -1. */
int desk_tx(struct desk *d, enum store_rc (*f)(struct desk *d, struct err *e));
/* Refresh the case list and the next case to call. */
void desk_load_queue(struct desk *d);
/* Load the case with key for the case screen (a copy of key is taken first). */
void desk_load_case(struct desk *d, const char *key);
/* Open the interview of case key; returns DESK_INTERVIEW, or stay when it cannot be opened. */
enum desk_screen desk_start_interview(struct desk *d, const char *key, enum desk_screen stay);
/* Close the interview on screen; returns the case list. */
enum desk_screen desk_close_interview(struct desk *d);
/* Empty a field. */
void desk_field_clear(struct desk_field *f);
/* Whether the last sync reached the store. */
int desk_online(struct desk *d);
/* Lay a multi-line text out from row, at most max rows; returns the rows used. */
int desk_put_lines(struct view *v, int row, int max, const char *text, const char *none);
/* Text on rows row.. (at most max), wrapped at word boundaries with a space in front; a text
 * longer than max rows ends in "…". Returns the rows used. */
int desk_wrap(struct view *v, int row, int max, enum view_style st, const char *text);
/* The footer: pairs of a key's text and its rank, ended by a NULL text; the highest ranks are
 * left out first until the rest fits the width (rank 0 always stays). */
void desk_keys(struct view *v, ...);
/* A status or call outcome code as the interviewer reads it ("no_answer" is "kein Anschluss"
 * in German); codes cati does not know are shown as they are. */
const char *desk_word(const char *code);
/* The status the case list is filtered by ("" for all), and how many filters Tab goes round. */
const char *desk_status_filter(const struct desk *d);
int desk_status_filters(void);
/* The interview screen's input follows the engine's screen when it changed. */
void desk_sync_input(struct desk *d);

#endif
