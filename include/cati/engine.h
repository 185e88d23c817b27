/*
 * engine.h: run one interview over a compiled form: routing, navigation, checks, re-routing,
 * loops, endings, paradata events, restore. No I/O, no screen, no database: callers pass
 * commands in and read the screen's view model out.
 *
 * The route is a pure function of the answers: after any change the engine walks the form
 * again from the changed question; answers the walk no longer reaches stay stored but are
 * off route (not exported, not counted) until the route returns to them.
 */
#ifndef CATI_ENGINE_H
#define CATI_ENGINE_H

#include <stdint.h>

#include "cati/form.h"

struct eng;

/* Grid cells and multi-choice codes use these for a don't know / refused item. */
#define ENG_CODE_DK (-1)
#define ENG_CODE_RF (-2)

enum eng_rc {
	ENG_OK,        /* accepted; the route moved on */
	ENG_INVALID,   /* refused: wrong type, out of range, too many selections... (see message) */
	ENG_CHECK,     /* accepted, but a check is now raised: the screen shows it */
	ENG_DENIED,    /* the command does not apply here (back at the first question, ...) */
};

/* An answer as given by the interviewer. */
struct eng_answer {
	enum form_vstate state;   /* FORM_S_OK, FORM_S_DK or FORM_S_RF */
	double num;               /* integer, decimal, date (days), single, yesno */
	const char *text;         /* text questions */
	int ncodes;               /* multi: chosen codes; grid: one code per item, in form order */
	const int *codes;
};

enum eng_ev_type {
	ENG_EV_START,        /* interview started (lang) */
	ENG_EV_SHOWN,        /* a question was shown (qid, iter); qid NULL: the check or ending */
	ENG_EV_ANSWER,       /* an answer was set (qid, iter, state, value); old_* when it changed;
	                        an info screen acknowledged has value "" */
	ENG_EV_CHECK,        /* a check was raised (check, hard) */
	ENG_EV_CONFIRM,      /* a soft check was confirmed (check) */
	ENG_EV_LANG,         /* the text language changed (lang) */
	ENG_EV_BACK,         /* back to the previous question (qid, iter: where it went) */
	ENG_EV_JUMP,         /* jump to an earlier question (qid, iter) */
	ENG_EV_END,          /* the interview ended (outcome) */
};

/* A paradata event. Strings live until the sink returns. */
struct eng_event {
	enum eng_ev_type type;
	uint64_t t_us;            /* monotonic clock of the environment */
	const char *qid;          /* question id, or NULL */
	int iter;                 /* loop iteration, 0 outside loops */
	enum form_vstate state;   /* ANSWER: the new answer's state */
	const char *value;        /* ANSWER: canonical text of the new value ("" for dk/rf) */
	int changed;              /* ANSWER: there was an earlier answer */
	int info;                 /* ANSWER: an info screen was acknowledged (no answer) */
	enum form_vstate old_state;
	const char *old_value;
	int check;                /* CHECK/CONFIRM: the check's node index */
	int hard;
	const char *lang;         /* START/LANG */
	const char *outcome;      /* END: "complete" or a screen-out name */
};

/*
 * What the engine needs from outside: a clock, a place for events, and whether a quota cell is
 * full (cell: its key, "9,1"; target: the form's target for it). Any may be NULL: without
 * quota_full no cell is ever full.
 */
struct eng_env {
	uint64_t (*now_us)(void *ctx);
	void *clock_ctx;
	void (*event)(void *ctx, const struct eng_event *ev);
	void *event_ctx;
	int (*quota_full)(void *ctx, const struct form_quota *q, const char *cell, int target);
	void *quota_ctx;
};

/* A case's sample fields, by name (values as text), and its seed for random orders. */
struct eng_case {
	int n;
	const char *const *names;
	const char *const *values;
	uint64_t seed;
};

enum eng_screen_kind {
	ENG_SCREEN_QUESTION,
	ENG_SCREEN_CHECK,
	ENG_SCREEN_END,
};

struct eng_choice_view {
	int code;
	const char *label;
	unsigned flags;           /* FORM_C_ANCHOR, FORM_C_EXCLUSIVE */
	int selected;
};

struct eng_item_view {
	const char *id;
	const char *label;
	int code;                 /* current answer: a code, ENG_CODE_DK/RF, or 0 for none */
	int index;                /* the item's place in the form's order */
};

struct eng_revisit {
	const char *qid;
	int iter;
	const char *text;         /* the question's text, for the interviewer to recognise it */
};

/*
 * The current screen, with texts in the current language and fills resolved. Owned by the
 * engine; valid until the next call that changes the interview.
 */
struct eng_screen {
	enum eng_screen_kind kind;

	/* QUESTION */
	const char *qid;
	int node;
	enum form_qtype qtype;
	int iter;                  /* loop iteration (1..), 0 outside loops */
	const char *loop_id;
	const char *text;          /* read aloud */
	const char *note;          /* interviewer instruction, or "" */
	int nchoices;              /* single, multi, yesno: in display order */
	struct eng_choice_view *choices;
	int nitems;                /* grid: items in display order; choices are the scale */
	struct eng_item_view *items;
	unsigned allow;            /* FORM_F_DK | FORM_F_RF */
	unsigned flags;            /* FORM_F_CONFIRM ... */
	int has_range;
	double lo, hi;
	int decimals;
	int maxlen;
	int minsel, maxsel;
	int answered;              /* the question has an answer (shown as the default) */
	enum form_vstate state;
	const char *value;         /* canonical text of the current answer, or "" */
	int position;              /* question n ... */
	int estimate;              /* ... of about m on the current route */

	/* CHECK */
	int check;                 /* node */
	int hard;
	const char *message;
	int nrevisit;
	struct eng_revisit *revisit;

	/* END */
	const char *outcome;       /* "complete" or the screen-out name */
	int complete;
	const char *quota;         /* the quota whose full cell ended it, or NULL */
	const char *call_outcome;  /* the call outcome the ending records: "complete", "quota_full"
	                              (a quota's ending), or the screen-out's named outcome
	                              ("refusal", ...; "screened_out" when it names none) */
	const char *end_text;      /* the ending's text to read, or "" */
};

enum eng_status {
	ENG_ACTIVE,
	ENG_COMPLETE,
	ENG_SCREENED_OUT,
};

/*
 * Start an interview of form f for case c in language lang (index into f->langs). The form
 * must outlive the engine. Emits START and the first SHOWN. Free with eng_free().
 */
struct eng *eng_new(const struct form *f, const struct eng_case *c, int lang,
                    const struct eng_env *env);
void eng_free(struct eng *e);

/* The current screen. */
const struct eng_screen *eng_screen(struct eng *e);
enum eng_status eng_status(const struct eng *e);
/*
 * Where the route ends, whatever the screen shows (the interviewer may have gone back from the
 * ending to look): the ending's name ("complete" or the screen-out's) and the call outcome it
 * records, as the END screen gives them; both live as long as the form. Returns 1, or 0 (and
 * sets nothing) while the route does not end.
 */
int eng_ending(const struct eng *e, const char **outcome, const char **call_outcome);
/* The last refusal or check message; "" if none. Valid until the next command. */
const char *eng_message(const struct eng *e);
/* eng_message() as the interviewer reads it: a refusal in the interface language (the
 * questionnaire's own texts as they are). Valid until the next command. */
const char *eng_message_shown(const struct eng *e);

/* Commands ------------------------------------------------------------------------------ */

/* Answer the question on the screen. */
enum eng_rc eng_answer(struct eng *e, const struct eng_answer *a);
/*
 * Parse an answer as typed and answer: a code ("3"), codes ("1,4"), a number as people type it
 * ("-2", "3,5" or "3.5"; see form_input_number), a date ("15.3.2025" or "2025-03-15"), "dk",
 * "rf", or text. ENG_INVALID when it does not parse: eng_message() then names what is wrong
 * ("31.02.2025: February 2025 has 28 days").
 */
enum eng_rc eng_answer_text(struct eng *e, const char *typed);
/* Go on from an answered question without changing it (Enter on a shown answer). */
enum eng_rc eng_next(struct eng *e);
/* Back to the previous question on the route. */
enum eng_rc eng_back(struct eng *e);
/* Jump to a question already asked on the current route (iter 0 outside loops). */
enum eng_rc eng_jump(struct eng *e, const char *qid, int iter);
/* Go to the first unanswered question (or raised check, or ending). */
enum eng_rc eng_resume(struct eng *e);
/* Confirm the soft check on the screen; the confirmation is recorded. */
enum eng_rc eng_confirm(struct eng *e);
/* Switch the text language. */
enum eng_rc eng_set_lang(struct eng *e, int lang);

/* Replay one stored event (ANSWER, CONFIRM, LANG, BACK, JUMP) to rebuild an interview. */
enum eng_rc eng_replay(struct eng *e, const struct eng_event *ev);

/* Inspection ---------------------------------------------------------------------------- */

/*
 * The answer to qid (iteration iter): returns 1 and fills *state and *value (canonical text,
 * valid until the next command) when there is one, on route or not; *on_route tells which.
 */
int eng_get(const struct eng *e, const char *qid, int iter, enum form_vstate *state,
            const char **value, int *on_route);

/* Visit every stored answer in form order: cb(ctx, qid, iter, state, value, on_route). */
void eng_foreach_answer(const struct eng *e,
                        void (*cb)(void *ctx, const char *qid, int iter, enum form_vstate state,
                                   const char *value, int on_route),
                        void *ctx);

/*
 * Visit the quota cells the interview falls in (quotas whose variables all have an answer on
 * the route, or a case field value): cb(ctx, quota, cell key, the form's target for the cell).
 */
void eng_cells(const struct eng *e,
               void (*cb)(void *ctx, const struct form_quota *q, const char *cell, int target),
               void *ctx);

/* The questions on the route so far, in order (for a jump list): n entries into *qids/iters. */
int eng_route(const struct eng *e, const char ***qids, const int **iters);

int eng_lang(const struct eng *e);

/* Choosing on a screen (choose.c): the rules every caller shares ------------------------------ */

/*
 * Toggle code in a multiple choice's selection sel[0..n) (room for cap): taken off when it is
 * there; else added, an exclusive choice alone and any exclusive one dropped beside another.
 * Returns the new count.
 */
int eng_toggle(const struct eng_screen *sc, int *sel, int n, int cap, int code);
/*
 * A grid's cells as shown (display order, one per sc->items) into codes in the form's order, as
 * eng_answer takes them. codes has room for sc->nitems. Returns the index (display order) of the
 * first item without an answer, or -1 when every item has one.
 */
int eng_grid_codes(const struct eng_screen *sc, const int *cells, int *codes);

/* Researchers' tools: a scripted walk (walk.c) and random interviews (simulate.c) ------------ */

/*
 * Completes per quota cell for the tools (tally.c), as the store counts them: a cell is full
 * when its completes reach its target (a cell with target 0 is full from the start). Every
 * count starts at 0. The form must outlive the tally; free it with eng_tally_free().
 */
struct eng_tally;
struct eng_tally *eng_tally_new(const struct form *f);
void eng_tally_free(struct eng_tally *t);
/* Set the completes already made in cell key ("9,1") of quota qi (index into f->quotas). */
void eng_tally_set(struct eng_tally *t, int qi, const char *key, long completes);
/* The completes in cell key of quota qi, and the interviews that cell turned away. */
void eng_tally_get(const struct eng_tally *t, int qi, const char *key, long *completes, long *ended);
/* The eng_env quota_full hook over a tally (ctx): the cell's completes reach target. */
int eng_tally_full(void *ctx, const struct form_quota *q, const char *cell, int target);
/*
 * Count the interview e if it has ended: a complete counts once in each of its cells, an
 * interview a full cell ended counts as turned away by that cell.
 */
void eng_tally_count(struct eng_tally *t, struct eng *e);

/* An answer given in advance to eng_walk(): name is "q1" (any iteration) or "q1[2]". */
struct eng_given {
	const char *name;
	const char *value;        /* as typed: see eng_answer_text() */
	int used;                 /* set by eng_walk() when the route asked for it */
};

enum eng_walk_kind {
	ENG_WALK_ANSWER,     /* a question was answered: qid, iter, state, value, label */
	ENG_WALK_INFO,       /* an info screen was passed: qid, iter */
	ENG_WALK_CHECK,      /* a check was raised: screen (hard, message, revisit); a soft one is
	                        then confirmed and the walk goes on, a hard one stops it */
	ENG_WALK_END,        /* the route ended: screen (outcome, complete, call_outcome) */
	ENG_WALK_NO_ANSWER,  /* stopped: nothing given for the question qid, iter */
	ENG_WALK_REFUSED,    /* stopped: the answer given was refused: given, message */
	ENG_WALK_ENDLESS,    /* stopped: the route did not end within a million screens */
};

/* One step of a walk. Strings and the screen live until the step callback returns. */
struct eng_walk_step {
	enum eng_walk_kind kind;
	const char *qid;
	int iter;                 /* loop iteration, 0 outside loops */
	enum form_vstate state;   /* ANSWER: as stored */
	const char *value;        /* ANSWER: canonical text of the stored answer */
	const char *label;        /* ANSWER: the chosen choice's label (single, yesno), or "" */
	const struct eng_screen *screen;   /* CHECK, END: the screen shown; else the last one */
	const struct eng_given *given;     /* REFUSED: the answer refused */
	const char *message;      /* REFUSED: why (eng_message()) */
	const char *quota_cell;   /* END at a full quota cell (screen->quota): the cell's key */
	int quota_target;         /* ... and the form's target for it */
};

/*
 * Run one interview of form f for case c in language lang (as eng_new() takes them), answering
 * each question from given[0..ngiven) and calling step(ctx, s) for every step, until the route
 * ends or the walk stops. Quota cells are full by the counts in tally (NULL: quotas are not
 * applied); the walk does not count itself into it. Marks the given answers it used. Returns
 * the kind of the last step: ENG_WALK_END when the route ended, else why it stopped (CHECK: at
 * a hard check). No I/O; the caller owns given and prints what it wants from the steps.
 */
enum eng_walk_kind eng_walk(const struct form *f, const struct eng_case *c, int lang,
                            struct eng_tally *tally, struct eng_given *given, int ngiven,
                            void (*step)(void *ctx, const struct eng_walk_step *s), void *ctx);

/* What eng_simulate() found over n random interviews; release with eng_sim_release(). */
struct eng_sim {
	int nnodes;               /* entries in reached, chosen and raised: the form's nodes */
	long *reached;            /* per node: interviews that showed the question */
	long **chosen;            /* per node: per choice of its scale, times chosen; NULL for
	                             nodes without a scale */
	long *raised;             /* per node: interviews that raised the check */
	char **outcomes;          /* the endings met, in order of first meeting */
	const char **outcome_calls;   /* each ending's call outcome (lives as long as the form) */
	long *outcome_n;          /* interviews per ending */
	int noutcomes;
	long stuck;               /* interviews random answers could not finish (a hard check, or
	                             twenty answers refused in a row) */
	int shortest, longest;    /* route lengths in questions; shortest -1 when none ended */
	uint64_t shortest_seed, longest_seed;   /* the case seeds that gave them */
};

/*
 * Run n interviews of form f with random answers (and random case fields), case k with seed
 * seed * 1000003 + k, reproducibly; soft checks are confirmed, hard checks answered again.
 * Quota cells are full by the counts in tally, which counts every interview as it ends, so
 * cells fill up over the run (NULL: quotas are not applied). Fills *st (its old contents are
 * not read). The form must outlive *st.
 */
void eng_simulate(const struct form *f, long n, uint64_t seed, struct eng_tally *tally,
                  struct eng_sim *st);
/* Free what eng_simulate() put into *st. */
void eng_sim_release(struct eng_sim *st);

/*
 * Random values for the form's case fields, from their scales and ranges, drawn from the random
 * state *rng (advanced). names[i] (the form's field names) and values[i] (the caller frees each)
 * must have room for every case field. Returns the count.
 */
int eng_random_case(const struct form *f, uint64_t *rng, const char **names, char **values);

#endif
