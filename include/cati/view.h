/*
 * view.h: what the interviewer's screen shows, as styled lines of text for a given size.
 * Pure: built from the engine's screen and the screen's input state; the TUI only paints it.
 */
#ifndef CATI_VIEW_H
#define CATI_VIEW_H

#include "cati/engine.h"

enum view_style {
	VIEW_PLAIN,
	VIEW_READ,      /* read aloud: bold */
	VIEW_NOTE,      /* interviewer instruction: never read aloud */
	VIEW_CHOICE,
	VIEW_CURSOR,    /* the highlighted line: reverse */
	VIEW_BAR,       /* status and key bars: reverse */
	VIEW_ERROR,     /* a message the interviewer must see: bold */
	VIEW_TITLE,     /* headings: bold */
	VIEW_INPUT,     /* the input field: underline */
	VIEW_DIM,       /* secondary information */
};

struct view_line {
	char *text;             /* UTF-8, never wider than the view */
	enum view_style style;
};

/* A whole screen: exactly height lines. The cursor is where typing goes (-1: hidden). */
struct view {
	int width, height;
	struct view_line *lines;
	int cursor_row, cursor_col;
};

/* The interview screen's own state: what is being typed and highlighted. */
struct view_input {
	int highlight;          /* choice or grid item */
	char line[1024];        /* the line editor's text */
	int cursor;             /* byte offset in line */
	int nsel;               /* multi: codes chosen so far */
	int sel[256];
	int ncells;             /* grid: code per item in display order, 0 none, ENG_CODE_DK/RF */
	int cells[256];
	char digits[8];         /* a code being typed */
	int scroll;             /* first body line shown */
	int chosen;             /* single/yesno: the choice the interviewer took (typed its code or
	                           moved the highlight onto it), or -1: Enter keeps what is stored */
	int touched;            /* the interviewer changed the selection, a cell or the line */
};

void view_init(struct view *v, int width, int height);
void view_release(struct view *v);
/* Set line row to text (cut to the width, with an ellipsis) in a style. */
void view_set(struct view *v, int row, enum view_style style, const char *text);

/*
 * Display width of UTF-8 text in terminal columns, by wcwidth() in the current LC_CTYPE for
 * each code point (combining marks 0, wide East Asian characters and emoji 2). Where wcwidth
 * cannot tell (non-ASCII in the C locale) a built-in table answers the same for common text.
 * Invalid bytes count one column each.
 */
int view_width(const char *s, size_t n);
/*
 * Append text to out as a cell exactly width columns wide: padded with spaces, or, when it is
 * wider, cut to width - 1 columns and an ellipsis ("…"), padded again if a wide character
 * left a gap. Never splits a UTF-8 sequence or parts a combining mark from its character.
 * Appends nothing when width < 1. For table columns, such as the case list.
 */
void view_cell(struct buf *out, const char *text, int width);
/*
 * Word-wrap text to width columns: cb(ctx, line, len) for each line. Long words are broken;
 * newlines in the text start new lines. Returns the number of lines.
 */
int view_wrap(const char *text, int width, void (*cb)(void *ctx, const char *line, size_t n),
              void *ctx);

/* The status line of an interview. */
struct view_status {
	const char *case_key;
	const char *interviewer;
	const char *qid;        /* the question on screen, or NULL */
	int iter;
	long elapsed_s;
	int position, estimate;
	const char *lang;
	int online;
	long waiting;           /* records waiting to sync */
};

/*
 * Lay out the interview screen: status line, question (or check, or ending), the input,
 * message line and the footer with the keys that work here. Scrolls so the highlight and
 * the input are visible, and marks clipped text with a "more" line.
 */
void view_interview(struct view *v, const struct eng_screen *sc, struct view_input *in,
                    const struct view_status *st, const char *message);

/*
 * The footer of the interview screen: the keys that work on sc ("^D dk" and "^R rf" only where
 * the question allows them), "  " between entries. When they are wider than width columns the
 * least important entries are left out whole until they fit; "F1 help" is always there.
 * Appends to out.
 */
void view_keys(const struct eng_screen *sc, int width, struct buf *out);
/* A footer of count keys (text[i], rank[i]) joined by two spaces into out, leaving out the
 * highest ranks first until it fits width; rank 0 always stays. */
void view_keys_fit(const char *const *text, const int *rank, int count, int width, struct buf *out);
/* All keys, for the help screen: one per line, none wider than 78 columns. */
const char *view_help(void);

/* What a key does on the interview screen (input.c) -------------------------------------------- */

enum view_cmd_kind {
	VIEW_CMD_NONE,        /* nothing for the engine (the input changed, or message says why) */
	VIEW_CMD_ANSWER,      /* eng_answer(answer) */
	VIEW_CMD_TYPED,       /* eng_answer_text(text): what was typed on a text, number or date */
	VIEW_CMD_NEXT,        /* eng_next: go on, keeping the answer shown */
	VIEW_CMD_BACK,
	VIEW_CMD_RESUME,
	VIEW_CMD_CONFIRM,
	VIEW_CMD_JUMP,        /* eng_jump(qid, iter) */
	VIEW_CMD_LANG,        /* the next language of the form */
	VIEW_CMD_FINISH,      /* Enter on the ending: close the interview */
	VIEW_CMD_OPEN_JUMP,   /* open the jump list */
	VIEW_CMD_OPEN_NOTE,
	VIEW_CMD_OPEN_BREAK,
};

/* An engine command worked out from a key. Pointers point into cmd, sc or in. */
struct view_cmd {
	enum view_cmd_kind kind;
	struct eng_answer answer;
	int codes[256];
	const char *text;
	const char *qid;
	int iter;
	char message[256];    /* why a key did nothing; "" when it did what it says */
	char typed[1024];     /* text, when a typed date is rewritten for the engine */
};

/* A date as typed in the interviewer's convention, for the forms' date input: 31-12-2026
 * (Dutch) becomes 31.12.2026; other text is copied. Writes at most n bytes; returns out. */
char *view_local_date(const char *typed, char *out, size_t n);
/* Set in to show sc's current answer: highlight, selections, cells, line; nothing chosen. */
void view_input_reset(struct view_input *in, const struct eng_screen *sc);
/*
 * Apply key k to the interview screen sc: change in and fill cmd with what the engine must do.
 * Pure. An answer is only ever one the interviewer took on this screen: a bare Enter with
 * nothing taken keeps the stored answer, or asks for one.
 */
void view_input_key(const struct eng_screen *sc, struct view_input *in, int k,
                    struct view_cmd *cmd);
/* Edit a UTF-8 line (at most cap bytes with the NUL) with key k; returns 1 if the key was used. */
int view_edit(char *line, size_t cap, int *cursor, int k);

/* The supervisor's console (cati supervise) --------------------------------------------------- */

struct json_t;

/* What the console shows besides the report: the page and scroll position, the status line. */
struct view_console {
	const char *study, *user;
	int page;              /* enum report_section */
	int question;          /* results page: the question shown (index); clamped by the layout */
	int scroll;            /* first body line shown; clamped by the layout */
	int quota_filter;      /* quotas page: enum report_quota_filter (f cycles through them) */
	int help;              /* the F1 page (keys and the legend of the rates) is shown */
	char status[256];      /* when the figures were fetched and how long it took, or what failed */
	int error;             /* status is an error */
};

/*
 * Lay out the console: title bar, page tabs (1-6), the study's totals, the page's section of the
 * report (report_text at the view's width, scrolled; the quotas through c->quota_filter), or the
 * F1 page (keys and the rates' legend) when c->help, status line, key bar. report may be NULL
 * (not fetched yet).
 */
void view_console(struct view *v, const struct json_t *report, struct view_console *c);

#endif
