/*
 * keys_model.c: random keys into the whole workstation (the desk, without a terminal), over
 * real stores of every form given, with the invariants checked after every key:
 *   - an answer that changes is one the interviewer took on that screen: a code typed whole,
 *     a choice the highlight was moved onto, a toggle, a cell set, a line typed or edited,
 *     Ctrl-D / Ctrl-R; a bare Enter never answers;
 *   - the highlight is where the keys put it, and the screen shows the engine's question with
 *     that choice highlighted;
 *   - the database holds exactly the engine's answers (state and value, on and off route);
 *   - a saved appointment or note is what the dialog showed; dialog fields stay valid text;
 *   - no line of any screen is wider than the terminal.
 * Run under ASan/UBSan (make check) it also finds memory errors.
 *
 *   keys_model [--keys N] [--seconds S] [--seed S] FORM SAMPLE [FORM SAMPLE ...]
 */
#include "cati/desk.h"
#include "cati/keys.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXQ 4096

/* The state of the run, one per form. */
struct run {
	struct store *st;
	struct desk *d;
	sqlite3 *db;            /* a second connection: what is on disk */
	struct store *reader;   /* a third, unlocked: the personal data on disk, unsealed */
	struct call_rules rules;
	int64_t now_ms;
	uint64_t rng;
	int width, height;
	const char *form_path;
	long keys, checks, answers_taken, restarts, interviews, appts, notes;
	int failed;

	/* the visit of the screen the last key was pressed on */
	struct session *sess;
	int kind, iter, check;
	char qid[64];
	int mhl;                /* the model's highlight */
	int mchosen;            /* single/yesno: the choice the keys took (-1: none) */
	int expect;             /* the code this key must store (or be refused with a message), or 0 */
	char digits[8];
	int explicit_codes[512], nexplicit;
	int typed;              /* a line was typed or edited */
	int grid_any[256];      /* grid: Left/Right used on the item (form order) */
	int grid_codes[256][64], grid_n[256];
	int dkrf;               /* Ctrl-D / Ctrl-R pressed on this key */

	/* the engine's answers before the key */
	int nsnap, nold;
	struct snap {
		char qid[64];
		int iter;
		int state;
		char value[2048];
	} *snap, *old;          /* after and before the key */
	long appt_rows, note_rows;
	int force_visit;               /* a jump from the list shows the question afresh */
	int in_appt, appt_focus;       /* the appointment dialog: the model's own fields */
	char appt_text[3][128];
	int appt_cur[3];
	int queue[64], nqueue, qpos;   /* keys of a plausible input, typed one by one */
	long by_screen[DESK_QUIT + 1];
	char shown_date[64], shown_time[64], shown_with[128], shown_note[600];
};

static uint64_t rnd(struct run *r)
{
	uint64_t x = r->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return r->rng = x;
}

static int64_t clock_ms(void *ctx)
{
	return ((struct run *)ctx)->now_ms;
}

static void fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failed++ > 5)
		return;
	fprintf(stderr, "keys_model: %s: key %ld, screen '%s': ", r->form_path, r->keys, desk_screen_name(r->d));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A key, weighted the way random typing goes; -100: a resize. */
static int random_key(struct run *r)
{
	static const int keys[] = {
		'0', '1', '1', '2', '2', '3', '4', '5', '6', '7', '8', '9', '1', '2', '5',
		TK_ENTER, TK_ENTER, TK_ENTER, TK_ENTER, TK_ENTER, TK_ENTER, TK_ENTER, TK_ENTER,
		TK_UP, TK_UP, TK_DOWN, TK_DOWN, TK_DOWN, TK_LEFT, TK_RIGHT, TK_RIGHT,
		TK_PGUP, TK_PGUP, TK_PGDN, TK_BS, TK_BS, TK_DEL, TK_HOME, TK_END, TK_TAB, TK_TAB,
		TK_ESC, TK_ESC, ' ', ' ', TK_CTRL_B, TK_CTRL_D, TK_CTRL_D, TK_CTRL_E, TK_CTRL_F,
		TK_CTRL_G, TK_CTRL_N, TK_CTRL_R, TK_CTRL_R, TK_CTRL_T, TK_CTRL_X, TK_CTRL_X, TK_CTRL_L,
		TK_F1, -100, 'n', 'n', 'N', 'q', 'l', '/', 'x', 'a', 0xFC, 0x4E2D, ':', '.', '-', ',',
	};
	return keys[rnd(r) % (sizeof keys / sizeof keys[0])];
}

/* Queue the keys of text s, then Enter when enter is set. */
static void queue_text(struct run *r, const char *s, int enter)
{
	r->nqueue = r->qpos = 0;
	while (*s && r->nqueue < 60)
		r->queue[r->nqueue++] = (unsigned char)*s++;
	if (enter)
		r->queue[r->nqueue++] = TK_ENTER;
}

/*
 * Most keys are random; some are what an interviewer would type on the screen at hand (a code,
 * a number in range, a date, a time), so that interviews get far and dialogs get saved.
 */
static int next_key(struct run *r)
{
	enum desk_screen w = desk_where(r->d);
	struct session *s = desk_session(r->d);
	char t[64];
	int p = (int)(rnd(r) % 100);

	if (r->qpos < r->nqueue)
		return r->queue[r->qpos++];
	r->nqueue = r->qpos = 0;
	switch (w) {
	case DESK_BREAK:
		if (p < 30)
			return '2';
		if (p < 45)
			return '1';
		if (p < 55)
			return TK_ESC;
		break;
	case DESK_NOTE:
	case DESK_REASON:
	case DESK_HELP:
	case DESK_SYNCLOG:
	case DESK_JUMP:
		if (p < 30)
			return TK_ESC;
		break;
	case DESK_APPT:
		if (p < 20) {
			/* the whole dialog as an interviewer fills it in: clear, date, Tab, clear, time, Enter */
			int j;
			if (rnd(r) % 2)
				snprintf(t, sizeof t, "%d.%d.2026", 1 + (int)(rnd(r) % 31), 1 + (int)(rnd(r) % 12));
			else
				snprintf(t, sizeof t, "2026-%02d-%02d", 1 + (int)(rnd(r) % 12), 1 + (int)(rnd(r) % 31));
			r->nqueue = r->qpos = 0;
			r->queue[r->nqueue++] = TK_END;
			for (j = 0; j < 16; j++)
				r->queue[r->nqueue++] = TK_BS;
			for (j = 0; t[j]; j++)
				r->queue[r->nqueue++] = (unsigned char)t[j];
			r->queue[r->nqueue++] = TK_TAB;
			r->queue[r->nqueue++] = TK_END;
			for (j = 0; j < 8; j++)
				r->queue[r->nqueue++] = TK_BS;
			snprintf(t, sizeof t, "%d:%02d", (int)(rnd(r) % 25), (int)(rnd(r) % 61));
			for (j = 0; t[j]; j++)
				r->queue[r->nqueue++] = (unsigned char)t[j];
			r->queue[r->nqueue++] = TK_ENTER;
			return next_key(r);
		}
		if (p < 23)
			return TK_ESC;
		if (p < 35)
			return TK_ENTER;
		break;
	case DESK_QUEUE:
		if (p < 40)
			return 'n';
		break;
	case DESK_CASE:
		if (p < 50)
			return '1';
		if (p < 60)
			return '6';
		break;
	case DESK_INTERVIEW: {
		const struct eng_screen *sc = eng_screen(session_engine(s));
		if (sc->kind == ENG_SCREEN_QUESTION && (sc->qtype == FORM_Q_SINGLE || sc->qtype == FORM_Q_YESNO) &&
		    p >= 45 && p < 60) {
			/* move to a choice with the arrows, then Enter */
			int m = 1 + (int)(rnd(r) % 4), j;
			r->nqueue = r->qpos = 0;
			for (j = 0; j < m; j++)
				r->queue[r->nqueue++] = rnd(r) % 3 ? TK_UP : TK_DOWN;
			r->queue[r->nqueue++] = TK_ENTER;
			return next_key(r);
		}
		if (sc->kind == ENG_SCREEN_QUESTION && sc->answered && p >= 60 && p < 64)
			return TK_PGUP;
		if (sc->kind != ENG_SCREEN_QUESTION || p >= 45)
			break;
		switch (sc->qtype) {
		case FORM_Q_SINGLE:
		case FORM_Q_YESNO:
		case FORM_Q_MULTI:
		case FORM_Q_GRID:
			if (!sc->nchoices)
				break;
			snprintf(t, sizeof t, "%d", sc->choices[rnd(r) % (unsigned)sc->nchoices].code);
			queue_text(r, t, sc->qtype == FORM_Q_MULTI && p < 15);
			return next_key(r);
		case FORM_Q_INTEGER:
		case FORM_Q_DECIMAL:
			if (sc->has_range)
				snprintf(t, sizeof t, "%ld", (long)sc->lo + (long)(rnd(r) % (unsigned long)(sc->hi - sc->lo + 1)));
			else
				snprintf(t, sizeof t, "%d", (int)(rnd(r) % 100));
			if (sc->qtype == FORM_Q_DECIMAL && p < 10)
				snprintf(t + strlen(t), sizeof t - strlen(t), ",%d", (int)(rnd(r) % 10));
			queue_text(r, t, 1);
			return next_key(r);
		case FORM_Q_DATE: {
			char iso[11];
			double day = sc->has_range ? sc->lo + (double)(rnd(r) % (unsigned long)(sc->hi - sc->lo + 1)) : 20000;
			form_date_format(day, iso);
			queue_text(r, iso, 1);
			return next_key(r);
		}
		case FORM_Q_TEXT:
			queue_text(r, p < 20 ? "Zu lange Wartezeit" : "ok", 1);
			return next_key(r);
		default:
			if (p < 30)
				return TK_ENTER;
			break;
		}
		break;
	}
	default:
		break;
	}
	return random_key(r);
}

/* Log in on a fresh desk (a restart of the program). */
static void restart(struct run *r)
{
	const char *login = "demo\rdemo\r";
	const char *p;

	desk_free(r->d);
	r->d = desk_new(r->st, &r->rules, NULL, 0);
	r->sess = NULL;
	r->restarts++;
	for (p = login; *p; p++)
		desk_key(r->d, *p == '\r' ? TK_ENTER : *p);
}

/* Snapshot callback: the engine's answers. */
static void snap_cb(void *ctx, const char *qid, int iter, enum form_vstate state, const char *value,
                    int on_route)
{
	struct run *r = ctx;
	struct snap *s;

	(void)on_route;
	if (r->nsnap >= MAXQ)
		return;
	s = &r->snap[r->nsnap++];
	snprintf(s->qid, sizeof s->qid, "%s", qid);
	s->iter = iter;
	s->state = (int)state;
	snprintf(s->value, sizeof s->value, "%s", value);
}

static void take_snapshot(struct run *r)
{
	struct session *s = desk_session(r->d);

	r->nsnap = 0;
	if (s)
		eng_foreach_answer(session_engine(s), snap_cb, r);
}

/* The snapshot entry of qid/iter, or NULL. */
static const struct snap *find_snap(const struct run *r, const char *qid, int iter)
{
	int i;

	for (i = 0; i < r->nsnap; i++)
		if (r->snap[i].iter == iter && !strcmp(r->snap[i].qid, qid))
			return &r->snap[i];
	return NULL;
}

static int was_explicit(const struct run *r, int code)
{
	int i;

	for (i = 0; i < r->nexplicit; i++)
		if (r->explicit_codes[i] == code)
			return 1;
	return 0;
}

static void add_explicit(struct run *r, int code)
{
	if (r->nexplicit < (int)(sizeof r->explicit_codes / sizeof r->explicit_codes[0]))
		r->explicit_codes[r->nexplicit++] = code;
}

/* Note that code was set on grid item fi (form order) in this visit. */
static void grid_set(struct run *r, int fi, int code)
{
	int i;

	if (fi < 0 || fi >= 256)
		return;
	for (i = 0; i < r->grid_n[fi]; i++)
		if (r->grid_codes[fi][i] == code)
			return;
	if (r->grid_n[fi] < 64)
		r->grid_codes[fi][r->grid_n[fi]++] = code;
	else
		r->grid_any[fi] = 1;   /* more codes than the model keeps: any is fine */
}

/* Start a new visit when the interview's screen is another one than the model's. */
static void follow_screen(struct run *r)
{
	struct session *s = desk_session(r->d);
	const struct eng_screen *sc;
	int i;

	if (!s || desk_where(r->d) != DESK_INTERVIEW) {
		if (!s)
			r->sess = NULL;
		return;
	}
	sc = eng_screen(session_engine(s));
	if (!r->force_visit && s == r->sess && (int)sc->kind == r->kind && sc->iter == r->iter &&
	    (sc->kind != ENG_SCREEN_QUESTION || !strcmp(sc->qid, r->qid)) &&
	    (sc->kind != ENG_SCREEN_CHECK || sc->check == r->check))
		return;
	r->force_visit = 0;
	if (s != r->sess)
		r->interviews++;
	r->sess = s;
	r->kind = (int)sc->kind;
	r->iter = sc->iter;
	r->check = sc->check;
	snprintf(r->qid, sizeof r->qid, "%s", sc->kind == ENG_SCREEN_QUESTION ? sc->qid : "");
	r->mhl = 0;
	r->mchosen = -1;
	r->digits[0] = '\0';
	r->nexplicit = 0;
	r->typed = 0;
	memset(r->grid_any, 0, sizeof r->grid_any);
	memset(r->grid_n, 0, sizeof r->grid_n);
	if (sc->kind == ENG_SCREEN_QUESTION)
		for (i = sc->nchoices - 1; i >= 0; i--)
			if (sc->choices[i].selected && sc->qtype != FORM_Q_GRID)
				r->mhl = i;
}

/* Index of the choice with a code typed whole, -1 if none; *longer: a longer code starts so. */
static int code_of(const struct eng_screen *sc, const char *digits, int *longer, int *prefix)
{
	int i, exact = -1;
	char code[16];

	*longer = *prefix = 0;
	for (i = 0; i < sc->nchoices; i++) {
		snprintf(code, sizeof code, "%d", sc->choices[i].code);
		if (!strncmp(code, digits, strlen(digits))) {
			*prefix = 1;
			if (!strcmp(code, digits))
				exact = i;
			else
				*longer = 1;
		}
	}
	return exact;
}

/* What the key means to the model, on the interview screen as it was before the key. */
static void model_key(struct run *r, int k)
{
	const struct eng_screen *sc;
	int n = 0, i, longer, prefix;

	r->dkrf = 0;
	r->expect = 0;
	if (!r->sess || desk_where(r->d) != DESK_INTERVIEW)
		return;
	if (k == TK_RESIZE || k == TK_CTRL_L)
		return;   /* a redraw: typing goes on */
	if (!(k >= '0' && k <= '9') && k != TK_BS && k != TK_ENTER)
		r->digits[0] = '\0';   /* a code is typed digit after digit */
	sc = eng_screen(session_engine(r->sess));
	if (sc->kind != ENG_SCREEN_QUESTION)
		return;
	if (k == TK_CTRL_D || k == TK_CTRL_R) {
		r->dkrf = k;
		if (sc->qtype == FORM_Q_GRID && sc->nitems && (sc->allow & (k == TK_CTRL_D ? FORM_F_DK : FORM_F_RF))) {
			grid_set(r, sc->items[r->mhl].index, k == TK_CTRL_D ? ENG_CODE_DK : ENG_CODE_RF);
			if (r->mhl < sc->nitems - 1)
				r->mhl++;
		}
		return;
	}
	if (sc->qtype == FORM_Q_SINGLE || sc->qtype == FORM_Q_YESNO || sc->qtype == FORM_Q_MULTI) {
		n = sc->nchoices;
		if (k >= '0' && k <= '9') {
			size_t len = strlen(r->digits);
			if (len < sizeof r->digits - 1) {
				r->digits[len] = (char)k;
				r->digits[len + 1] = '\0';
			}
			i = code_of(sc, r->digits, &longer, &prefix);
			if (!prefix) {
				r->digits[0] = '\0';
			} else if (i >= 0) {
				r->mhl = i;
				add_explicit(r, sc->choices[i].code);
				if (sc->qtype != FORM_Q_MULTI)
					r->mchosen = i;
				if (!longer) {
					r->digits[0] = '\0';
					if (sc->qtype != FORM_Q_MULTI && !(sc->flags & FORM_F_CONFIRM))
						r->expect = sc->choices[i].code;
				}
			}
		} else if (k == TK_BS) {
			size_t len = strlen(r->digits);
			if (len)
				r->digits[len - 1] = '\0';
		} else {
			if (k == TK_ENTER && r->digits[0]) {
				i = code_of(sc, r->digits, &longer, &prefix);
				if (i >= 0) {
					r->mhl = i;
					add_explicit(r, sc->choices[i].code);
					if (sc->qtype != FORM_Q_MULTI)
						r->mchosen = i;
				}
			}
			if (k == TK_ENTER && sc->qtype != FORM_Q_MULTI && r->mchosen >= 0)
				r->expect = sc->choices[r->mchosen].code;
			r->digits[0] = '\0';
			if (k == TK_UP && r->mhl > 0)
				r->mhl--;
			else if (k == TK_DOWN && r->mhl < n - 1)
				r->mhl++;
			if ((k == TK_UP || k == TK_DOWN || (k == ' ' && sc->qtype == FORM_Q_MULTI)) && n)
				add_explicit(r, sc->choices[r->mhl].code);
			if ((k == TK_UP || k == TK_DOWN) && n && sc->qtype != FORM_Q_MULTI)
				r->mchosen = r->mhl;
		}
	} else if (sc->qtype == FORM_Q_GRID) {
		int fi;
		if (!sc->nitems)
			return;
		fi = sc->items[r->mhl].index;
		if (k == TK_UP && r->mhl > 0) {
			r->mhl--;
		} else if (k == TK_DOWN && r->mhl < sc->nitems - 1) {
			r->mhl++;
		} else if (k == TK_LEFT || k == TK_RIGHT) {
			if (fi < 256)
				r->grid_any[fi] = 1;
		} else if (k >= '0' && k <= '9') {
			char dd[2] = { (char)k, 0 };
			i = code_of(sc, dd, &longer, &prefix);
			if (i >= 0) {
				grid_set(r, fi, sc->choices[i].code);
				if (r->mhl < sc->nitems - 1)
					r->mhl++;
			}
		}
	} else if (sc->qtype != FORM_Q_INFO) {
		if (k > 0 || k == TK_BS || k == TK_DEL)
			r->typed = 1;
	}
}

/* Whether grid token tok (an item's part of the answer) was set on that item in this visit. */
static int grid_token_ok(const struct run *r, int fi, const char *tok)
{
	int code, i;

	if (fi >= 256)
		return 1;
	if (r->grid_any[fi])
		return 1;
	code = !strcmp(tok, "dk") ? ENG_CODE_DK : !strcmp(tok, "rf") ? ENG_CODE_RF : atoi(tok);
	for (i = 0; i < r->grid_n[fi]; i++)
		if (r->grid_codes[fi][i] == code)
			return 1;
	return 0;
}

/* The i-th comma-separated token of s into out ("" past the end). */
static void token(const char *s, int i, char *out, size_t n)
{
	const char *p = s, *c;

	while (i-- > 0 && p) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (!p) {
		out[0] = '\0';
		return;
	}
	c = strchr(p, ',');
	snprintf(out, n, "%.*s", c ? (int)(c - p) : (int)strlen(p), p);
}

/* The old snapshot's entry of qid/iter, or NULL. */
static const struct snap *find_old(const struct run *r, const char *qid, int iter)
{
	int i;

	for (i = 0; i < r->nold; i++)
		if (r->old[i].iter == iter && !strcmp(r->old[i].qid, qid))
			return &r->old[i];
	return NULL;
}

/* Whether multi answer value held code text t. */
static int held(const char *value, const char *t)
{
	char pv[32];
	int k;

	for (k = 0;; k++) {
		token(value, k, pv, sizeof pv);
		if (!pv[0])
			return 0;
		if (!strcmp(pv, t))
			return 1;
	}
}

/* Every answer that changed with key k was taken by the interviewer on the screen of the visit. */
static void check_changes(struct run *r, int k, int was_qtype, int was_question)
{
	struct session *s = desk_session(r->d);
	struct snap *tmp;
	int i, j;

	/* the snapshot before the key becomes the old one */
	tmp = r->old;
	r->old = r->snap;
	r->snap = tmp;
	r->nold = r->nsnap;
	if (!s || s != r->sess) {
		take_snapshot(r);
		return;
	}
	take_snapshot(r);
	if (r->expect) {
		/* the choice taken is stored, or the screen says why not */
		const struct snap *a = find_snap(r, r->qid, r->iter);
		char want[16];
		snprintf(want, sizeof want, "%d", r->expect);
		if ((!a || a->state != FORM_S_OK || strcmp(a->value, want)) && !desk_message(r->d)[0])
			fail(r, "%s: choice %d was taken, but '%s' is stored", r->qid, r->expect, a ? a->value : "nothing");
	}
	for (i = 0; i < r->nold; i++)
		if (!find_snap(r, r->old[i].qid, r->old[i].iter))
			fail(r, "the answer to %s[%d] vanished", r->old[i].qid, r->old[i].iter);
	for (i = 0; i < r->nsnap; i++) {
		const struct snap *now = &r->snap[i];
		const struct snap *was = find_old(r, now->qid, now->iter);

		if (was && was->state == now->state && !strcmp(was->value, now->value))
			continue;
		r->answers_taken++;
		if (!was_question || strcmp(now->qid, r->qid) || now->iter != r->iter) {
			fail(r, "the answer to %s[%d] changed to '%s' while %s was on screen", now->qid, now->iter,
			     now->value, r->qid[0] ? r->qid : "no question");
			continue;
		}
		if (now->state == FORM_S_DK || now->state == FORM_S_RF) {
			if (!r->dkrf)
				fail(r, "%s became %s without Ctrl-D/Ctrl-R", now->qid, now->state == FORM_S_DK ? "dk" : "rf");
			continue;
		}
		switch (was_qtype) {
		case FORM_Q_SINGLE:
		case FORM_Q_YESNO:
			if (!was_explicit(r, atoi(now->value)))
				fail(r, "%s = %s stored, but the interviewer never took that choice (key %d)", now->qid, now->value, k);
			break;
		case FORM_Q_MULTI:
			for (j = 0;; j++) {
				char t[32];
				token(now->value, j, t, sizeof t);
				if (!t[0])
					break;
				if (!was_explicit(r, atoi(t)) && !(was && held(was->value, t)))
					fail(r, "%s holds %s, never toggled", now->qid, t);
			}
			break;
		case FORM_Q_GRID:
			for (j = 0;; j++) {
				char t[32], pv[32];
				token(now->value, j, t, sizeof t);
				if (!t[0])
					break;
				if (was) {
					token(was->value, j, pv, sizeof pv);
					if (!strcmp(pv, t))
						continue;
				}
				if (!grid_token_ok(r, j, t))
					fail(r, "%s item %d = %s, never set", now->qid, j + 1, t);
			}
			break;
		default:
			if (!r->typed)
				fail(r, "%s = '%s' stored, but nothing was typed on it", now->qid, now->value);
			break;
		}
	}
}

/* Rows of sql (every column as hex(...)) read unsealed through the reader store: a new array of
   nrows * ncols decoded texts (free with free_rows), NULL when the query fails. */
static char **read_rows(struct run *r, const char *sql, int ncols, int *nrows)
{
	struct buf out;
	struct err e;
	char **cells = NULL, *line, *next;
	int n = 0, c;

	buf_init(&out);
	err_init(&e);
	*nrows = 0;
	if (store_query(r->reader, sql, &out, &e) != STORE_OK) {
		fail(r, "cannot read the database: %s", e.msg);
		buf_release(&out);
		return NULL;
	}
	for (line = (char *)buf_str(&out); *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		cells = xrealloc(cells, (size_t)(n + 1) * (size_t)ncols * sizeof *cells);
		for (c = 0; c < ncols; c++) {
			char *bar = strchr(line, '|');
			size_t len;
			if (bar)
				*bar = '\0';
			cells[n * ncols + c] = xcalloc(strlen(line) / 2 + 1, 1);
			sodium_hex2bin((unsigned char *)cells[n * ncols + c], strlen(line) / 2 + 1, line, strlen(line), NULL, &len, NULL);
			line = bar ? bar + 1 : line + strlen(line);
		}
		n++;
	}
	buf_release(&out);
	*nrows = n;
	return cells;
}

/* Free what read_rows returned. */
static void free_rows(char **cells, int n)
{
	int i;

	for (i = 0; cells && i < n; i++)
		free(cells[i]);
	free(cells);
}

/* The database holds exactly the engine's answers. */
static void check_db(struct run *r)
{
	struct session *s = desk_session(r->d);
	char sql[200], **rows;
	int n = 0, i, nrows;

	if (!s)
		return;
	take_snapshot(r);
	snprintf(sql, sizeof sql, "SELECT hex(qid), hex(iter), hex(state), hex(value) FROM answers WHERE interview = %lld",
	         (long long)session_interview(s)->id);
	if (!(rows = read_rows(r, sql, 4, &nrows)))
		return;
	for (i = 0; i < nrows; i++) {
		const char *qid = rows[4 * i];
		int iter = atoi(rows[4 * i + 1]), state = atoi(rows[4 * i + 2]);
		const char *value = rows[4 * i + 3];
		const struct snap *e = find_snap(r, qid, iter);

		if (state == FORM_S_MISSING)
			continue;
		n++;
		if (!e)
			fail(r, "the database holds %s[%d] = '%s', the engine nothing", qid, iter, value);
		else if (e->state != state || strcmp(e->value, value))
			fail(r, "%s[%d]: database %d '%s', engine %d '%s'", qid, iter, state, value, e->state, e->value);
	}
	free_rows(rows, 4 * nrows);
	if (n != r->nsnap)
		fail(r, "the database holds %d answers, the engine %d", n, r->nsnap);
	r->checks++;
}

static long count_rows(struct run *r, const char *sql)
{
	sqlite3_stmt *q;
	long n = -1;

	if (sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* The text after a label on a line of the view ("" if the line does not start so). */
static void after(const struct view *v, int row, const char *label, char *out, size_t n)
{
	const char *t = v->lines[row].text, *p = strstr(t, label);

	out[0] = '\0';
	if (p)
		snprintf(out, n, "%s", p + strlen(label));
}

/* The model's line editor: key k on text (at most cap bytes with the NUL) at byte *cur. */
static void shadow_edit(char *text, size_t cap, int *cur, int k)
{
	size_t len = strlen(text);
	int c = *cur;
	char enc[4];
	int n = 0;

	if (k > 0 && k >= 0x20 && k != 0x7F) {
		if (k < 0x80) {
			enc[n++] = (char)k;
		} else if (k < 0x800) {
			enc[n++] = (char)(0xC0 | (k >> 6));
			enc[n++] = (char)(0x80 | (k & 0x3F));
		} else {
			enc[n++] = (char)(0xE0 | (k >> 12));
			enc[n++] = (char)(0x80 | ((k >> 6) & 0x3F));
			enc[n++] = (char)(0x80 | (k & 0x3F));
		}
		if (len + (size_t)n + 1 > cap)
			return;
		memmove(text + c + n, text + c, len - (size_t)c + 1);
		memcpy(text + c, enc, (size_t)n);
		*cur = c + n;
	} else if (k == TK_LEFT && c > 0) {
		while (c > 0 && ((unsigned char)text[--c] & 0xC0) == 0x80)
			;
		*cur = c;
	} else if (k == TK_RIGHT && c < (int)len) {
		for (c++; c < (int)len && ((unsigned char)text[c] & 0xC0) == 0x80; c++)
			;
		*cur = c;
	} else if (k == TK_HOME) {
		*cur = 0;
	} else if (k == TK_END) {
		*cur = (int)len;
	} else if (k == TK_BS && c > 0) {
		int start = c;
		while (start > 0 && ((unsigned char)text[--start] & 0xC0) == 0x80)
			;
		memmove(text + start, text + c, len - (size_t)c + 1);
		*cur = start;
	} else if (k == TK_DEL && c < (int)len) {
		int end = c;
		for (end++; end < (int)len && ((unsigned char)text[end] & 0xC0) == 0x80; end++)
			;
		memmove(text + c, text + end, len - (size_t)end + 1);
	}
}

/* A key in the appointment dialog, to the model's field that has the focus. */
static void model_appt_key(struct run *r, int k)
{
	static const size_t caps[] = { 16, 8, 64 };

	if (desk_where(r->d) != DESK_APPT) {
		r->in_appt = 0;
		return;
	}
	if (!r->in_appt) {
		memset(r->appt_text, 0, sizeof r->appt_text);
		memset(r->appt_cur, 0, sizeof r->appt_cur);
		r->in_appt = 1;
	}
	if (r->appt_focus >= 0 && r->appt_focus < 3 && k != TK_ENTER && k != TK_TAB && k != TK_UP &&
	    k != TK_DOWN && k != TK_ESC)
		shadow_edit(r->appt_text[r->appt_focus], caps[r->appt_focus], &r->appt_cur[r->appt_focus], k);
}

/* Draw the screen and check its layout; note what the dialogs show before the key. */
static void check_view(struct run *r)
{
	struct view v;
	int i;
	struct session *s = desk_session(r->d);

	view_init(&v, r->width, r->height);
	desk_draw(r->d, &v);
	for (i = 0; i < v.height; i++)
		if (view_width(v.lines[i].text, strlen(v.lines[i].text)) > v.width)
			fail(r, "line %d is wider than %d: '%s'", i, v.width, v.lines[i].text);
	if (v.cursor_row >= v.height || v.cursor_col >= v.width)
		fail(r, "the cursor is off the screen: %d,%d", v.cursor_row, v.cursor_col);
	if (desk_where(r->d) == DESK_APPT) {
		const char *shown[3];
		after(&v, 3, "Date (D.M.YYYY):    ", r->shown_date, sizeof r->shown_date);
		after(&v, 4, "Time (HH:MM):       ", r->shown_time, sizeof r->shown_time);
		after(&v, 5, "With whom:          ", r->shown_with, sizeof r->shown_with);
		shown[0] = r->shown_date;
		shown[1] = r->shown_time;
		shown[2] = r->shown_with;
		r->appt_focus = -1;
		for (i = 3; i <= 6; i++)
			if (v.lines[i].style == VIEW_INPUT)
				r->appt_focus = i - 3;
		/* each field holds what was typed into it, and the cursor is where the keys put it */
		for (i = 0; r->in_appt && i < 3; i++)
			if (!strstr(shown[i], "\xE2\x80\xA6") && strcmp(shown[i], r->appt_text[i]))
				fail(r, "appointment field %d shows '%s', the keys typed '%s'", i, shown[i], r->appt_text[i]);
		if (r->in_appt && r->appt_focus >= 0 && r->appt_focus < 3 && v.cursor_col < v.width - 1 &&
		    v.cursor_col != 21 + view_width(r->appt_text[r->appt_focus], (size_t)r->appt_cur[r->appt_focus]))
			fail(r, "the cursor of appointment field %d is at column %d, the keys put it at %d", r->appt_focus,
			     v.cursor_col, 21 + view_width(r->appt_text[r->appt_focus], (size_t)r->appt_cur[r->appt_focus]));
	}
	if (desk_where(r->d) == DESK_NOTE)
		after(&v, 5, " > ", r->shown_note, sizeof r->shown_note);
	if (s && desk_where(r->d) == DESK_INTERVIEW) {
		const struct eng_screen *sc = eng_screen(session_engine(s));
		const struct view_input *in = desk_input(r->d);
		if (sc->kind == ENG_SCREEN_QUESTION) {
			char where[80];
			snprintf(where, sizeof where, "%s%s", sc->qid, sc->iter ? "[" : " ");
			if (!strstr(v.lines[0].text, where) && view_width(v.lines[0].text, strlen(v.lines[0].text)) < v.width - 1)
				fail(r, "the status line does not name %s: '%s'", sc->qid, v.lines[0].text);
			if ((sc->qtype == FORM_Q_SINGLE || sc->qtype == FORM_Q_YESNO || sc->qtype == FORM_Q_MULTI ||
			     sc->qtype == FORM_Q_GRID) && r->sess == s && in->highlight != r->mhl)
				fail(r, "highlight %d on screen, the keys put it on %d", in->highlight, r->mhl);
			if ((sc->qtype == FORM_Q_SINGLE || sc->qtype == FORM_Q_YESNO || sc->qtype == FORM_Q_MULTI) &&
			    sc->nchoices && in->highlight >= 0 && in->highlight < sc->nchoices) {
				char code[16];
				int found = 0, any = 0;
				snprintf(code, sizeof code, "%4d  ", sc->choices[in->highlight].code);
				for (i = 0; i < v.height; i++)
					if (v.lines[i].style == VIEW_CURSOR) {
						any = 1;
						found |= strstr(v.lines[i].text, code) != NULL;
					}
				if (any && !found)
					fail(r, "the highlighted line is not choice %d", sc->choices[in->highlight].code);
			}
		}
	}
	view_release(&v);
}

/* A saved appointment or note is what the dialog showed. */
static void check_dialogs(struct run *r, int k, enum desk_screen was)
{
	long a = count_rows(r, "SELECT count(*) FROM appointments"), n = count_rows(r, "SELECT count(*) FROM notes");

	if (a > r->appt_rows && was == DESK_APPT && k == TK_ENTER) {
		char **row;
		int nrow;
		r->appts++;
		if ((row = read_rows(r, "SELECT hex(at), hex(coalesce(with_whom, '')) FROM appointments ORDER BY id DESC LIMIT 1", 2,
		                     &nrow))) {
			if (nrow == 1) {
				const char *at = row[0];
				const char *with = row[1];
				if (!strstr(r->shown_with, "\xE2\x80\xA6") && strcmp(with, r->shown_with))
					fail(r, "appointment with '%s' saved, the dialog showed '%s'", with, r->shown_with);
				int hh, mm;
				double days;
				char want[32], iso[11];
				struct err e;
				err_init(&e);
				if (form_input_time(r->shown_time, &hh, &mm, &e) == 0) {
					snprintf(want, sizeof want, " %02d:%02d", hh, mm);
					if (!strstr(at, want))
						fail(r, "appointment at '%s' saved, the dialog showed time '%s'", at, r->shown_time);
				}
				if (form_input_date(r->shown_date, &days, &e) == 0) {
					form_date_format(days, iso);
					if (strncmp(at, iso, 10))
						fail(r, "appointment at '%s' saved, the dialog showed date '%s'", at, r->shown_date);
				}
			}
			free_rows(row, 2 * nrow);
		}
	} else if (a > r->appt_rows) {
		fail(r, "an appointment was saved by key %d on screen %d", k, (int)was);
	}
	if (n > r->note_rows && was == DESK_NOTE && k == TK_ENTER) {
		char **row;
		int nrow;
		r->notes++;
		if ((row = read_rows(r, "SELECT hex(text) FROM notes ORDER BY id DESC LIMIT 1", 1, &nrow))) {
			if (nrow == 1 && !strstr(r->shown_note, "\xE2\x80\xA6") && strcmp(row[0], r->shown_note))
				fail(r, "note '%s' saved, the dialog showed '%s'", row[0], r->shown_note);
			free_rows(row, nrow);
		}
	} else if (n > r->note_rows) {
		fail(r, "a note was saved by key %d on screen %d", k, (int)was);
	}
	r->appt_rows = a;
	r->note_rows = n;
}

/* Set up a store for form and sample in dir; 0 or -1. */
static int setup(struct run *r, const char *dir, const char *form, const char *sample, int idx)
{
	struct form_diags dg;
	struct form *f;
	struct buf problems, path;
	struct err e;
	char *source;
	size_t len;
	int64_t row;
	long n;
	enum store_rc src;

	err_init(&e);
	buf_init(&path);
	buf_printf(&path, "%s/model-%d.db", dir, idx);
	unlink(buf_str(&path));
	r->st = store_open(buf_str(&path), &src, &e);
	if (!r->st || !(source = read_file(form, &len, &e))) {
		fprintf(stderr, "keys_model: %s\n", e.msg);
		buf_release(&path);
		return -1;
	}
	form_diags_init(&dg);
	f = form_compile(form, source, len, &dg);
	buf_init(&problems);
	if (!f || store_begin(r->st, &e) != STORE_OK || store_form_put(r->st, f, source, &row, &e) != STORE_OK ||
	    store_commit(r->st, &e) != STORE_OK || store_sample_import(r->st, sample, f, &problems, &n, &e) != STORE_OK ||
	    store_cred_set(r->st, "demo", "demo", &e) != STORE_OK) {
		fprintf(stderr, "keys_model: %s: %s%s\n", form, buf_str(&problems), e.msg);
		return -1;
	}
	buf_release(&problems);
	form_free(f);
	form_diags_release(&dg);
	free(source);
	store_set_clock(r->st, clock_ms, r);
	if (sqlite3_open_v2(buf_str(&path), &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	/* personal data is sealed on disk: the checks read it unlocked with the demo's password */
	if (!(r->reader = store_open(buf_str(&path), &src, &e)) || store_unlock(r->reader, "demo", "demo", &e) != STORE_OK) {
		fprintf(stderr, "keys_model: %s\n", e.msg);
		return -1;
	}
	sqlite3_busy_timeout(r->db, 2000);
	buf_release(&path);
	return 0;
}

int main(int argc, char **argv)
{
	long max_keys = 20000, total = 0, total_checks = 0, total_taken = 0;
	double seconds = 0;
	uint64_t seed = (uint64_t)time(NULL);
	int i, nforms = 0, failed = 0;
	const char *forms[64], *samples[64];
	char dir[64];
	struct timespec t0, t1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			max_keys = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (i + 1 < argc && nforms < 64) {
			forms[nforms] = argv[i];
			samples[nforms++] = argv[++i];
		} else {
			fprintf(stderr, "usage: keys_model [--keys N] [--seconds S] [--seed S] FORM SAMPLE ...\n");
			return 2;
		}
	}
	/* in memory where there is a tmpfs: the keys, not the disk, are under test */
	snprintf(dir, sizeof dir, "%s/keys_model.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!nforms || !mkdtemp(dir)) {
		fprintf(stderr, "usage: keys_model [--keys N] [--seconds S] [--seed S] FORM SAMPLE ...\n");
		return 2;
	}
	printf("keys_model: seed %llu\n", (unsigned long long)seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nforms; i++) {
		struct run *r = calloc(1, sizeof *r);
		r->snap = calloc(MAXQ, sizeof *r->snap);
		r->old = calloc(MAXQ, sizeof *r->old);
		long budget = max_keys / nforms;
		double elapsed;

		r->form_path = forms[i];
		r->rng = seed * 2654435761u + (uint64_t)i + 1;
		r->now_ms = 1772442000000LL;   /* Monday 2 March 2026, 10:00 in Vienna */
		r->width = 80;
		r->height = 24;
		calls_rules_default(&r->rules);
		if (setup(r, dir, forms[i], samples[i], i) < 0)
			return 1;
		restart(r);
		while (r->keys < budget && !r->failed) {
			int k = next_key(r);
			enum desk_screen was;
			const struct eng_screen *sc = NULL;
			int qtype = -1, question = 0;

			if (seconds > 0 && (r->keys & 255) == 0) {
				clock_gettime(CLOCK_MONOTONIC, &t1);
				elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
				if (elapsed > seconds * (i + 1) / nforms)
					break;
			}
			r->keys++;
			r->now_ms += 10;
			if (k == -100) {
				r->width = 40 + (int)(rnd(r) % 120);
				r->height = 12 + (int)(rnd(r) % 40);
				k = TK_RESIZE;
			}
			if (desk_where(r->d) == DESK_QUIT || (desk_where(r->d) == DESK_LOGIN && rnd(r) % 32)) {
				restart(r);
				continue;
			}
			follow_screen(r);
			check_view(r);
			take_snapshot(r);
			was = desk_where(r->d);
			r->by_screen[was]++;
			if (desk_session(r->d) && was == DESK_INTERVIEW) {
				sc = eng_screen(session_engine(desk_session(r->d)));
				question = sc->kind == ENG_SCREEN_QUESTION;
				qtype = question ? (int)sc->qtype : -1;
			}
			model_key(r, k);
			if (desk_where(r->d) == DESK_APPT)
				model_appt_key(r, k);
			if (getenv("KEYS_MODEL_TRACE") && r->keys > atol(getenv("KEYS_MODEL_TRACE")))
				fprintf(stderr, "key %ld: %d on %s (%s) hl %d mhl %d\n", r->keys, k, desk_screen_name(r->d), r->qid,
				        desk_input(r->d)->highlight, r->mhl);
			desk_key(r->d, k);
			check_changes(r, k, qtype, question);
			if (was == DESK_JUMP && desk_where(r->d) == DESK_INTERVIEW && k == TK_ENTER)
				r->force_visit = 1;
			if (desk_where(r->d) != DESK_APPT && desk_where(r->d) != DESK_HELP)
				r->in_appt = 0;   /* help returns to the dialog as it was */
			else if (!r->in_appt)
				model_appt_key(r, TK_NONE);
			check_db(r);
			check_dialogs(r, k, was);
			if (getenv("KEYS_MODEL_APPT") && was == DESK_APPT && k == TK_ENTER)
				fprintf(stderr, "appt enter: [%s] [%s] -> %s\n", r->shown_date, r->shown_time, desk_message(r->d));
			/* an Enter refused for a missing grid item moves the highlight there */
			if (qtype == FORM_Q_GRID && strstr(desk_message(r->d), "has no answer yet"))
				r->mhl = desk_input(r->d)->highlight;
		}
		printf("keys_model: %s: %ld keys, %ld invariant checks of the database, %ld answers taken and checked, "
		       "%ld interviews, %ld appointments, %ld notes, %ld restarts%s\n",
		       forms[i], r->keys, r->checks, r->answers_taken, r->interviews, r->appts, r->notes, r->restarts,
		       r->failed ? ": FAILED" : "");
		{
			int w;
			printf("keys_model:   keys by screen:");
			for (w = 0; w < DESK_QUIT; w++)
				printf(" %ld", r->by_screen[w]);
			printf(" (login resume list case appointment interview jump note break reason help synclog)\n");
		}
		total += r->keys;
		total_checks += r->checks;
		total_taken += r->answers_taken;
		failed += r->failed;
		desk_free(r->d);
		sqlite3_close(r->db);
		store_close(r->reader);
		store_close(r->st);
		free(r->snap);
		free(r->old);
		free(r);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("keys_model: %ld keys over %d forms in %.1f s, %ld database checks, %ld answers checked, %s (seed %llu)\n",
	       total, nforms, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       total_checks, total_taken, failed ? "FAILED" : "ok", (unsigned long long)seed);
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "keys_model: cannot remove %s\n", dir);
	}
	return failed ? 1 : 0;
}
