/* desk.c: the workstation's screens as one machine: the table of screens, keys in, views out. */
#include "desk-int.h"
#include "cati/i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct desk_mode *const modes[] = {
	[DESK_LOGIN] = &desk_login_mode,
	[DESK_RESUME] = &desk_resume_mode,
	[DESK_QUEUE] = &desk_queue_mode,
	[DESK_CASE] = &desk_case_mode,
	[DESK_APPT] = &desk_appt_mode,
	[DESK_INTERVIEW] = &desk_interview_mode,
	[DESK_JUMP] = &desk_jump_mode,
	[DESK_NOTE] = &desk_note_mode,
	[DESK_BREAK] = &desk_break_mode,
	[DESK_REASON] = &desk_reason_mode,
	[DESK_HELP] = &desk_help_mode,
	[DESK_SYNCLOG] = &desk_synclog_mode,
	[DESK_QUIT] = NULL,
};

void desk_say(struct desk *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->message, sizeof d->message, fmt, ap);
	va_end(ap);
}

void desk_put(struct view *v, int row, enum view_style st, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	view_set(v, row, st, buf_str(&b));
	buf_release(&b);
}

int desk_tx(struct desk *d, enum store_rc (*f)(struct desk *d, struct err *e))
{
	struct err e;
	enum store_rc rc;

	err_init(&e);
	rc = store_begin(d->st, &e);
	if (rc == STORE_OK) {
		rc = f(d, &e);
		if (rc == STORE_OK)
			rc = store_commit(d->st, &e);
		else
			store_rollback(d->st);
	}
	if (rc != STORE_OK) {
		desk_say(d, _("NOT SAVED: %s"), e.msg);
		return -1;
	}
	return 0;
}

/* The case list keeps each row it is given, up to its room. */
static void row_cb(void *ctx, const struct store_case_row *r)
{
	struct desk *d = ctx;

	if (d->nrows < DESK_MAX_ROWS)
		d->rows[d->nrows++] = *r;
}

static const char *const statuses[] = { "", N_("new"), N_("active"), N_("suspended"), N_("done"),
                                         N_("refused"), N_("wrong_number"), N_("language"),
                                         N_("closed"), N_("retry") };

/* The call outcomes the case list and the case screen may show, beside the statuses. */
static const char *const words[] = { N_("complete"), N_("partial"), N_("breakoff"), N_("refusal"),
                                     N_("soft_refusal"), N_("appointment"), N_("no_answer"),
                                     N_("busy"), N_("answering_machine"), N_("disconnected"),
                                     N_("fax"), N_("language_barrier"), N_("unable"),
                                     N_("deceased"), N_("screened_out"), N_("quota_full"),
                                     N_("reopened"), N_("screenout"), N_("do_not_call") };

/* A known status or outcome code in the interface language; others as they are. */
const char *desk_word(const char *code)
{
	size_t i;

	if (!code || !*code)
		return code ? code : "";
	for (i = 1; i < sizeof statuses / sizeof statuses[0]; i++)
		if (!strcmp(code, statuses[i]))
			return _(code);
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(code, words[i]))
			return _(code);
	return code;
}

/* Where desk_wrap puts its lines. */
struct wrap_ctx {
	struct view *v;
	int row, max;
	enum view_style st;
	int n;           /* lines given so far */
	char last[512];  /* the last line shown, to mark it when more follow */
};

/* One wrapped line: shown while there is room; the last row shown gets a "…" when more follow. */
static void wrap_line(void *ctx, const char *line, size_t len)
{
	struct wrap_ctx *c = ctx;

	if (c->n < c->max) {
		snprintf(c->last, sizeof c->last, " %.*s", (int)len, line);
		view_set(c->v, c->row + c->n, c->st, c->last);
	} else if (c->n == c->max) {
		char more[520];

		snprintf(more, sizeof more, "%s\xE2\x80\xA6", c->last);  /* … */
		view_set(c->v, c->row + c->max - 1, c->st, more);
	}
	c->n++;
}

/* Wrap text at word boundaries onto at most max rows. */
int desk_wrap(struct view *v, int row, int max, enum view_style st, const char *text)
{
	struct wrap_ctx c = { v, row, max, st, 0, "" };

	view_wrap(text, v->width - 2, wrap_line, &c);
	return c.n < max ? c.n : max;
}

/* The footer from (text, rank) pairs, the least important keys left out until it fits. */
void desk_keys(struct view *v, ...)
{
	const char *text[16];
	int rank[16], n = 0;
	va_list ap;
	struct buf b;

	va_start(ap, v);
	while (n < 16) {
		text[n] = va_arg(ap, const char *);
		if (!text[n])
			break;
		rank[n++] = va_arg(ap, int);
	}
	va_end(ap);
	buf_init(&b);
	view_keys_fit(text, rank, n, v->width, &b);
	view_set(v, v->height - 1, VIEW_BAR, buf_str(&b));
	buf_release(&b);
}

const char *desk_status_filter(const struct desk *d)
{
	return statuses[d->status_filter];
}

int desk_status_filters(void)
{
	return (int)(sizeof statuses / sizeof statuses[0]);
}

void desk_load_queue(struct desk *d)
{
	static const char *const why[] = { "", N_("appointment due"), N_("partial to resume"), N_("fresh case"), N_("call again") };
	struct store_next_pick p;
	struct err e;
	char when[40];

	err_init(&e);
	d->nrows = 0;
	if (store_next(d->st, &d->rules, d->who, 0, &p, NULL, &e) == STORE_OK) {
		snprintf(d->next_key, sizeof d->next_key, "%s", p.key);
		snprintf(d->next_why, sizeof d->next_why, "%s%s%s",
		         p.category >= 1 && p.category <= 4 ? _(why[p.category]) : "",
		         p.category == 1 ? " " : "", p.category == 1 ? i18n_date(when, sizeof when, p.appointment) : "");
	} else {
		d->next_key[0] = '\0';
	}
	err_init(&e);
	if (store_cases_list(d->st, d->filter, statuses[d->status_filter], DESK_MAX_ROWS, row_cb, d, &e) != STORE_OK)
		desk_say(d, "%s", e.msg);
	if (d->hl >= d->nrows)
		d->hl = d->nrows ? d->nrows - 1 : 0;
}

void desk_load_case(struct desk *d, const char *key)
{
	char k[256];
	struct err e;

	/* key may point into the case being released */
	snprintf(k, sizeof k, "%s", key);
	err_init(&e);
	if (d->have_case)
		store_case_release(&d->cs);
	d->have_case = store_case_get(d->st, k, &d->cs, &e) == STORE_OK;
	buf_reset(&d->attempts);
	buf_reset(&d->notes);
	buf_reset(&d->appts);
	d->pending = 0;
	if (!d->have_case) {
		desk_say(d, "%s", e.msg);
		return;
	}
	err_init(&e);
	if (store_case_history(d->st, d->cs.id, &d->attempts, &d->notes, &d->appts, &e) != STORE_OK)
		desk_say(d, "%s", e.msg);
}

void desk_sync_input(struct desk *d)
{
	const struct eng_screen *sc = eng_screen(session_engine(d->sess));

	if ((int)sc->kind == d->shown_kind && sc->iter == d->shown_iter &&
	    (sc->kind != ENG_SCREEN_QUESTION || !strcmp(sc->qid, d->shown_qid)) &&
	    (sc->kind != ENG_SCREEN_CHECK || sc->check == d->shown_check))
		return;
	d->shown_kind = (int)sc->kind;
	d->shown_iter = sc->iter;
	d->shown_check = sc->check;
	snprintf(d->shown_qid, sizeof d->shown_qid, "%s", sc->kind == ENG_SCREEN_QUESTION ? sc->qid : "");
	view_input_reset(&d->in, sc);
}

enum desk_screen desk_start_interview(struct desk *d, const char *key, enum desk_screen stay)
{
	const struct form *f;
	struct err e;
	int resumed;
	char k[256];

	snprintf(k, sizeof k, "%s", key);
	err_init(&e);
	d->sess = session_open(d->st, k, d->who, NULL, &resumed, &e);
	if (!d->sess) {
		desk_say(d, "%s", e.msg);
		return stay;
	}
	/* the language the interviewer chose stays chosen for the next interview */
	f = session_form(d->sess);
	if (!resumed && d->lang >= 0 && d->lang < f->nlangs && d->lang != eng_lang(session_engine(d->sess))) {
		struct eng *eng = session_engine(d->sess);
		if (session_begin(d->sess, &e) == STORE_OK) {
			eng_set_lang(eng, d->lang);
			session_commit(d->sess, &e);
		}
	}
	d->started_ms = store_clock_ms(d->st);
	d->shown_kind = -1;
	desk_sync_input(d);
	desk_say(d, "%s", resumed ? _("Resumed where the interview stopped.") : "");
	return DESK_INTERVIEW;
}

enum desk_screen desk_close_interview(struct desk *d)
{
	session_close(d->sess);
	d->sess = NULL;
	return DESK_QUEUE;
}

void desk_field_clear(struct desk_field *f)
{
	f->text[0] = '\0';
	f->cursor = 0;
}

int desk_online(struct desk *d)
{
	return sync_bg_online(d->sync);
}

int desk_put_lines(struct view *v, int row, int max, const char *text, const char *none)
{
	const char *p = text;
	int n = 0;

	if (!*p) {
		desk_put(v, row, VIEW_DIM, "   %s", none);
		return 1;
	}
	while (*p && n < max) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		desk_put(v, row + n, VIEW_PLAIN, "   %.*s", (int)len, p);
		n++;
		p = nl ? nl + 1 : p + len;
	}
	return n;
}

struct desk *desk_new(struct store *st, const struct call_rules *rules, const char *demo_hint,
                      int sync_every_ms)
{
	struct desk *d = xcalloc(1, sizeof *d);

	d->st = st;
	d->rules = *rules;
	d->demo_hint = demo_hint;
	d->sync_every_ms = sync_every_ms;
	d->rows = xcalloc(DESK_MAX_ROWS, sizeof *d->rows);
	d->lang = -1;
	buf_init(&d->attempts);
	buf_init(&d->notes);
	buf_init(&d->appts);
	store_set_zone(st, rules->tz);
	d->screen = DESK_LOGIN;
	return d;
}

void desk_free(struct desk *d)
{
	if (!d)
		return;
	sync_bg_stop(d->sync);
	if (d->sess)
		session_close(d->sess);
	if (d->have_case)
		store_case_release(&d->cs);
	buf_release(&d->attempts);
	buf_release(&d->notes);
	buf_release(&d->appts);
	memset(d->login_pw, 0, sizeof d->login_pw);
	free(d->rows);
	free(d);
}

/* Logged in but locked (no copy of the key of theirs at login): once the background sync got
   the key from the store and wrapped their copy, open it with the password the sync holds, and
   show the names. Cheap while there is no copy (no key is derived). */
static void unlock_later(struct desk *d)
{
	struct err e;
	enum store_rc rc;

	if (!d->who[0] || !d->sync || d->unlock_refused || !store_locked(d->st))
		return;
	err_init(&e);
	rc = store_unlock(d->st, d->who, sync_bg_password(d->sync), &e);
	if (rc == STORE_ERROR)
		d->unlock_refused = 1;
	if (rc != STORE_OK)
		return;
	if (d->screen == DESK_QUEUE)
		desk_load_queue(d);
	else if (d->screen == DESK_CASE && d->have_case)
		desk_load_case(d, d->cs.key);
}

void desk_key(struct desk *d, int k)
{
	enum desk_screen next, was = d->screen;

	unlock_later(d);

	if (d->screen == DESK_QUIT || k == TK_NONE || k == TK_TIMEOUT || k == TK_RESIZE || k == TK_CTRL_L)
		return;   /* a resize or redraw only lays the screen out again */
	if (k == TK_F1 && d->screen != DESK_HELP && d->screen != DESK_LOGIN) {
		d->help_back = d->screen;
		d->screen = DESK_HELP;
		d->in.digits[0] = '\0';   /* a code half typed before help is not continued after it */
		return;
	}
	d->message[0] = '\0';
	next = modes[d->screen]->key(d, k);
	d->screen = next;
	/* help returns to the screen as it was; every other move starts the screen afresh */
	if (next != was && was != DESK_HELP && next != DESK_QUIT && modes[next]->enter)
		modes[next]->enter(d);
}

void desk_draw(struct desk *d, struct view *v)
{
	if (d->screen != DESK_QUIT)
		modes[d->screen]->draw(d, v);
	/* a line typed past the edge keeps the cursor at the edge */
	if (v->cursor_col >= v->width)
		v->cursor_col = v->width - 1;
	if (v->cursor_row >= v->height)
		v->cursor_row = v->height - 1;
}

void desk_hangup(struct desk *d, const char *reason)
{
	struct err e;

	err_init(&e);
	if (d->sess)
		session_suspend(d->sess, reason, &e);
}

enum desk_screen desk_where(const struct desk *d)
{
	return d->screen;
}

const char *desk_screen_name(const struct desk *d)
{
	return d->screen == DESK_QUIT ? "quit" : modes[d->screen]->name;
}

struct session *desk_session(struct desk *d)
{
	return d->sess;
}

const struct view_input *desk_input(const struct desk *d)
{
	return &d->in;
}

const char *desk_message(const struct desk *d)
{
	return d->message;
}
