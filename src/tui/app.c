/* app.c: the workstation's screens: login, resume, case queue, case, interview, dialogs. */
#include "cati/session.h"
#include "cati/sync.h"
#include "cati/tui.h"
#include "cati/view.h"
#include "term.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sync in the background: its own connection to the database, never the screen's. */
struct autosync {
	pthread_t thread;
	pthread_mutex_t mu;
	int started, stop, online, ran;
	char message[512];
	char path[1024];
	char user[65], password[128];
	struct sync_settings settings;
};

#define SYNC_EVERY_MS 5000

static void *sync_loop(void *arg)
{
	struct autosync *as = arg;
	struct store *st;
	struct err e;
	enum store_rc src;
	int waited;

	err_init(&e);
	st = store_open(as->path, &src, &e);
	while (st) {
		struct sync_report r = { 0 };
		enum sync_rc rc;

		err_init(&e);
		rc = sync_run(st, &as->settings, as->user, as->password, &r, &e);
		pthread_mutex_lock(&as->mu);
		as->online = rc == SYNC_OK;
		as->ran = 1;
		snprintf(as->message, sizeof as->message, "%s", rc == SYNC_OK ? "" : e.msg);
		pthread_mutex_unlock(&as->mu);
		for (waited = 0; waited < SYNC_EVERY_MS; waited += 100) {
			struct timespec ts = { 0, 100 * 1000000L };
			pthread_mutex_lock(&as->mu);
			if (as->stop) {
				pthread_mutex_unlock(&as->mu);
				store_close(st);
				return NULL;
			}
			pthread_mutex_unlock(&as->mu);
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static void autosync_start(struct autosync *as, struct store *st, const char *user,
                           const char *password)
{
	struct err e;

	err_init(&e);
	if (as->started || sync_settings_load(&as->settings, &e) < 0)
		return;   /* not enrolled: the workstation works offline */
	snprintf(as->path, sizeof as->path, "%s", store_path(st));
	snprintf(as->user, sizeof as->user, "%s", user);
	snprintf(as->password, sizeof as->password, "%s", password);
	pthread_mutex_init(&as->mu, NULL);
	as->started = pthread_create(&as->thread, NULL, sync_loop, as) == 0;
}

static void autosync_stop(struct autosync *as)
{
	if (!as->started)
		return;
	pthread_mutex_lock(&as->mu);
	as->stop = 1;
	pthread_mutex_unlock(&as->mu);
	pthread_join(as->thread, NULL);
	pthread_mutex_destroy(&as->mu);
	memset(as->password, 0, sizeof as->password);
	as->started = 0;
}

/* Online as of the last sync (0 when not enrolled or not yet synced). */
static int autosync_online(struct autosync *as)
{
	int on;

	if (!as->started)
		return 0;
	pthread_mutex_lock(&as->mu);
	on = as->online;
	pthread_mutex_unlock(&as->mu);
	return on;
}

enum screen {
	S_LOGIN, S_RESUME, S_QUEUE, S_CASE, S_APPT, S_INTERVIEW, S_JUMP, S_NOTE, S_BREAK,
	S_REASON, S_HELP, S_SYNCLOG, S_QUIT,
};

#define MAX_ROWS 500

struct app {
	struct store *st;
	const char *demo_hint;
	enum screen screen, back_to;
	char who[65];
	char message[512];
	int fatal;

	/* login */
	char login_id[65], login_pw[128];
	int login_field, login_cursor;

	/* lists (queue, resume, jump) */
	struct store_case_row *rows;
	int nrows, hl, top;
	char filter[64];
	int filter_cursor, filtering, status_filter;
	char next_key[65];
	char next_why[80];          /* why the scheduler chose it */
	struct call_rules rules;
	char resume_keys[32][65];
	int nresume;

	/* the case on screen */
	struct store_case cs;
	int have_case;
	struct buf attempts, notes, appts;

	/* dialogs */
	char appt_date[16], appt_time[8], appt_with[64];
	int appt_field, appt_hard, appt_cursor, appt_from_interview;
	char edit[512];
	int edit_cursor;

	/* the interview */
	struct session *sess;
	struct view_input in;
	char shown_qid[FORM_MAX_ID + 1];
	int shown_iter, shown_kind, shown_check;
	time_t started;
	const char *pending_outcome;   /* the call outcome being saved */
	struct autosync sync;
};

static const char *const statuses[] = { "", "new", "active", "suspended", "done", "refused",
                                         "wrong_number", "language", "closed", "retry" };

/* Helpers --------------------------------------------------------------------------------- */

static void say(struct app *a, const char *fmt, ...) CATI_PRINTF(2, 3);
static void say(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->message, sizeof a->message, fmt, ap);
	va_end(ap);
}

static void put(struct view *v, int row, enum view_style st, const char *fmt, ...) CATI_PRINTF(4, 5);
static void put(struct view *v, int row, enum view_style st, const char *fmt, ...)
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

/* Run f in one transaction; report a failure on the message line. */
static int in_tx(struct app *a, enum store_rc (*f)(struct app *a, struct err *e))
{
	struct err e;
	enum store_rc rc;

	err_init(&e);
	if ((rc = store_begin(a->st, &e)) == STORE_OK) {
		rc = f(a, &e);
		if (rc == STORE_OK)
			rc = store_commit(a->st, &e);
		else
			store_rollback(a->st);
	}
	if (rc != STORE_OK) {
		say(a, "%s", e.msg);
		return -1;
	}
	return 0;
}

static void row_cb(void *ctx, const struct store_case_row *r)
{
	struct app *a = ctx;

	if (a->nrows < MAX_ROWS)
		a->rows[a->nrows++] = *r;
}

static void load_queue(struct app *a)
{
	struct err e;

	err_init(&e);
	a->nrows = 0;
	{
		static const char *const why[] = { "", "appointment due", "partial to resume", "fresh case", "call again" };
		struct store_next_pick p;
		if (store_next(a->st, &a->rules, a->who, 0, &p, NULL, &e) == STORE_OK) {
			snprintf(a->next_key, sizeof a->next_key, "%s", p.key);
			snprintf(a->next_why, sizeof a->next_why, "%s%s%s", why[p.category],
			         p.category == 1 ? " " : "", p.category == 1 ? p.appointment : "");
		} else {
			a->next_key[0] = '\0';
		}
	}
	err_init(&e);
	if (store_cases_list(a->st, a->filter, statuses[a->status_filter], MAX_ROWS, row_cb, a, &e) != STORE_OK)
		say(a, "%s", e.msg);
	if (a->hl >= a->nrows)
		a->hl = a->nrows ? a->nrows - 1 : 0;
}

static void load_case(struct app *a, const char *key)
{
	struct err e;

	err_init(&e);
	if (a->have_case)
		store_case_release(&a->cs);
	a->have_case = store_case_get(a->st, key, &a->cs, &e) == STORE_OK;
	buf_reset(&a->attempts);
	buf_reset(&a->notes);
	buf_reset(&a->appts);
	if (!a->have_case) {
		say(a, "%s", e.msg);
		return;
	}
	store_case_history(a->st, a->cs.id, &a->attempts, &a->notes, &a->appts, &e);
}

/* The respondent's local time, from the case's time zone. */
static void local_time(const char *tz, time_t now, char *out, size_t n)
{
	struct tm tm;

	zone_localtime(tz, now, &tm);
	strftime(out, n, "%a %H:%M", &tm);
}

/* Interview ------------------------------------------------------------------------------ */

/* When the screen changes to another question, reset the input to its current answer. */
static void sync_input(struct app *a)
{
	const struct eng_screen *sc = eng_screen(session_engine(a->sess));
	int i;

	if ((int)sc->kind == a->shown_kind && sc->iter == a->shown_iter &&
	    (sc->kind != ENG_SCREEN_QUESTION || !strcmp(sc->qid, a->shown_qid)) &&
	    (sc->kind != ENG_SCREEN_CHECK || sc->check == a->shown_check))
		return;
	a->shown_kind = (int)sc->kind;
	a->shown_iter = sc->iter;
	a->shown_check = sc->check;
	snprintf(a->shown_qid, sizeof a->shown_qid, "%s", sc->kind == ENG_SCREEN_QUESTION ? sc->qid : "");
	memset(&a->in, 0, sizeof a->in);
	if (sc->kind != ENG_SCREEN_QUESTION)
		return;
	for (i = 0; i < sc->nchoices; i++) {
		if (sc->choices[i].selected) {
			if (!a->in.nsel)
				a->in.highlight = i;
			if (a->in.nsel < 256)
				a->in.sel[a->in.nsel++] = sc->choices[i].code;
		}
	}
	a->in.ncells = sc->nitems;
	for (i = 0; i < sc->nitems && i < 256; i++)
		a->in.cells[i] = sc->items[i].code;
	if (sc->answered && sc->state == FORM_S_OK &&
	    (sc->qtype == FORM_Q_TEXT || sc->qtype == FORM_Q_INTEGER || sc->qtype == FORM_Q_DECIMAL ||
	     sc->qtype == FORM_Q_DATE)) {
		snprintf(a->in.line, sizeof a->in.line, "%s", sc->value);
		a->in.cursor = (int)strlen(a->in.line);
	}
}

typedef enum eng_rc (*eng_cmd)(struct app *a, struct eng *e, const void *arg);

/* Apply an engine command as one transaction; show refusals and storage errors. */
static void run(struct app *a, eng_cmd cmd, const void *arg)
{
	struct err e;
	enum eng_rc rc;
	struct eng *eng = session_engine(a->sess);

	err_init(&e);
	a->message[0] = '\0';
	if (session_begin(a->sess, &e) != STORE_OK) {
		say(a, "%s", e.msg);
		return;
	}
	rc = cmd(a, eng, arg);
	if (session_commit(a->sess, &e) != STORE_OK) {
		say(a, "NOT SAVED: %s", e.msg);
		a->shown_kind = -1;   /* the engine was rebuilt: reset the input */
		sync_input(a);
		return;
	}
	if (rc == ENG_INVALID || rc == ENG_DENIED)
		say(a, "%s", eng_message(session_engine(a->sess)));
	sync_input(a);
}

static enum eng_rc cmd_text(struct app *a, struct eng *e, const void *arg)
{
	(void)a;
	return eng_answer_text(e, arg);
}

static enum eng_rc cmd_answer(struct app *a, struct eng *e, const void *arg)
{
	(void)a;
	return eng_answer(e, arg);
}

static enum eng_rc cmd_next(struct app *a, struct eng *e, const void *arg)
{
	(void)a;
	(void)arg;
	return eng_next(e);
}

static enum eng_rc cmd_back(struct app *a, struct eng *e, const void *arg)
{
	(void)a;
	(void)arg;
	return eng_back(e);
}

static enum eng_rc cmd_resume(struct app *a, struct eng *e, const void *arg)
{
	(void)a;
	(void)arg;
	return eng_resume(e);
}

static enum eng_rc cmd_confirm(struct app *a, struct eng *e, const void *arg)
{
	(void)a;
	(void)arg;
	return eng_confirm(e);
}

static enum eng_rc cmd_lang(struct app *a, struct eng *e, const void *arg)
{
	(void)arg;
	return eng_set_lang(e, (eng_lang(e) + 1) % session_form(a->sess)->nlangs);
}

struct jump_arg {
	const char *qid;
	int iter;
};

static enum eng_rc cmd_jump(struct app *a, struct eng *e, const void *arg)
{
	const struct jump_arg *j = arg;

	(void)a;
	return eng_jump(e, j->qid, j->iter);
}

static void start_interview(struct app *a, const char *key)
{
	struct err e;
	int resumed;

	err_init(&e);
	a->sess = session_open(a->st, key, a->who, NULL, &resumed, &e);
	if (!a->sess) {
		say(a, "%s", e.msg);
		return;
	}
	a->started = time(NULL);
	a->shown_kind = -1;
	sync_input(a);
	a->screen = S_INTERVIEW;
	say(a, resumed ? "Resumed where the interview stopped." : "");
}

static void close_interview(struct app *a)
{
	session_close(a->sess);
	a->sess = NULL;
	a->screen = S_QUEUE;
	load_queue(a);
}

static enum store_rc record_end(struct app *a, struct err *e)
{
	const struct eng_screen *sc = eng_screen(session_engine(a->sess));
	char outcome[80];

	snprintf(outcome, sizeof outcome, "%s", sc->complete ? "complete" : sc->quota ? "quota_full" : "screened_out");
	return store_attempt_add(a->st, session_case(a->sess)->id, a->who, session_case(a->sess)->phone,
	                         outcome, e);
}

/* A code typed digit by digit: the choice whose code it is, once no longer code starts so. */
static int typed_code(const struct eng_screen *sc, const char *digits, int *ambiguous)
{
	int i, exact = -1, longer = 0;
	char code[16];

	for (i = 0; i < sc->nchoices; i++) {
		snprintf(code, sizeof code, "%d", sc->choices[i].code);
		if (!strncmp(code, digits, strlen(digits))) {
			if (!strcmp(code, digits))
				exact = i;
			else
				longer = 1;
		}
	}
	*ambiguous = longer;
	if (exact < 0 && !longer)
		return -2;   /* nothing starts with it */
	return exact;
}

static void toggle(struct view_input *in, const struct eng_screen *sc, int idx)
{
	int code = sc->choices[idx].code, i, k;

	for (i = 0; i < in->nsel; i++) {
		if (in->sel[i] == code) {
			memmove(in->sel + i, in->sel + i + 1, sizeof(int) * (size_t)(in->nsel - i - 1));
			in->nsel--;
			return;
		}
	}
	/* an exclusive choice stands alone */
	if (sc->choices[idx].flags & FORM_C_EXCLUSIVE) {
		in->nsel = 0;
	} else {
		for (i = 0; i < in->nsel; i++)
			for (k = 0; k < sc->nchoices; k++)
				if (sc->choices[k].code == in->sel[i] && (sc->choices[k].flags & FORM_C_EXCLUSIVE)) {
					memmove(in->sel + i, in->sel + i + 1, sizeof(int) * (size_t)(in->nsel - i - 1));
					in->nsel--;
					i--;
					break;
				}
	}
	if (in->nsel < 256)
		in->sel[in->nsel++] = code;
}

/* Grid cells are kept in display order; the engine wants the form's order. */
static void submit_grid(struct app *a, const struct eng_screen *sc)
{
	const struct form_node *n = &session_form(a->sess)->nodes[sc->node];
	struct eng_answer ans;
	int codes[256], i, k;

	for (i = 0; i < sc->nitems; i++)
		if (!a->in.cells[i]) {
			say(a, "'%s' has no answer yet", sc->items[i].label);
			a->in.highlight = i;
			return;
		}
	for (k = 0; k < n->nitems && k < 256; k++)
		for (i = 0; i < sc->nitems; i++)
			if (!strcmp(sc->items[i].id, n->items[k].id))
				codes[k] = a->in.cells[i];
	memset(&ans, 0, sizeof ans);
	ans.state = FORM_S_OK;
	ans.ncodes = n->nitems;
	ans.codes = codes;
	run(a, cmd_answer, &ans);
}

static void special(struct app *a, enum form_vstate state)
{
	struct eng_answer ans;

	memset(&ans, 0, sizeof ans);
	ans.state = state;
	run(a, cmd_answer, &ans);
}

static void interview_key(struct app *a, int k)
{
	struct eng *eng = session_engine(a->sess);
	const struct eng_screen *sc = eng_screen(eng);
	struct view_input *in = &a->in;
	int i, amb;

	a->message[0] = '\0';
	switch (k) {
	case TK_PGUP:
	case TK_CTRL_B:
		run(a, cmd_back, NULL);
		return;
	case TK_CTRL_E:
		run(a, cmd_resume, NULL);
		return;
	case TK_CTRL_G:
		a->hl = 0;
		a->screen = S_JUMP;
		return;
	case TK_CTRL_T:
		run(a, cmd_lang, NULL);
		return;
	case TK_CTRL_N:
		a->edit[0] = '\0';
		a->edit_cursor = 0;
		a->back_to = S_INTERVIEW;
		a->screen = S_NOTE;
		return;
	case TK_CTRL_X:
		a->screen = S_BREAK;
		return;
	default:
		break;
	}
	if (sc->kind == ENG_SCREEN_END) {
		if (k == TK_ENTER) {
			if (in_tx(a, record_end) == 0) {
				say(a, "Interview of case %s recorded: %s.", session_case(a->sess)->key,
				    sc->complete ? "complete" : sc->outcome);
				close_interview(a);
			}
		}
		return;
	}
	if (sc->kind == ENG_SCREEN_CHECK) {
		if (k == TK_ENTER && !sc->hard) {
			run(a, cmd_confirm, NULL);
		} else if (k >= '1' && k <= '9' && k - '1' < sc->nrevisit) {
			struct jump_arg j = { sc->revisit[k - '1'].qid, sc->revisit[k - '1'].iter };
			char qid[FORM_MAX_ID + 1];
			snprintf(qid, sizeof qid, "%s", j.qid);
			j.qid = qid;
			run(a, cmd_jump, &j);
		} else if (k == TK_ENTER) {
			say(a, "A hard check must be corrected: press the number of a question.");
		}
		return;
	}
	/* a question */
	if (k == TK_CTRL_D || k == TK_CTRL_R) {
		enum form_vstate st = k == TK_CTRL_D ? FORM_S_DK : FORM_S_RF;
		if (sc->qtype == FORM_Q_GRID && (sc->allow & (st == FORM_S_DK ? FORM_F_DK : FORM_F_RF))) {
			in->cells[in->highlight] = st == FORM_S_DK ? ENG_CODE_DK : ENG_CODE_RF;
			if (in->highlight < sc->nitems - 1)
				in->highlight++;
			return;
		}
		special(a, st);
		return;
	}
	if (k == TK_PGDN || k == TK_CTRL_F) {
		run(a, cmd_next, NULL);
		return;
	}
	switch (sc->qtype) {
	case FORM_Q_INFO:
		if (k == TK_ENTER)
			run(a, cmd_next, NULL);
		return;
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
	case FORM_Q_MULTI:
		if (k == TK_UP && in->highlight > 0) {
			in->highlight--;
		} else if (k == TK_DOWN && in->highlight < sc->nchoices - 1) {
			in->highlight++;
		} else if (k >= '0' && k <= '9') {
			size_t n = strlen(in->digits);
			if (n < sizeof in->digits - 1) {
				in->digits[n] = (char)k;
				in->digits[n + 1] = '\0';
			}
			i = typed_code(sc, in->digits, &amb);
			if (i == -2) {
				say(a, "No choice has code %s.", in->digits);
				in->digits[0] = '\0';
			} else if (i >= 0 && !amb) {
				in->highlight = i;
				in->digits[0] = '\0';
				if (sc->qtype == FORM_Q_MULTI) {
					toggle(in, sc, i);
				} else if (!(sc->flags & FORM_F_CONFIRM)) {
					char code[16];
					snprintf(code, sizeof code, "%d", sc->choices[i].code);
					run(a, cmd_text, code);
				}
			} else if (i >= 0) {
				in->highlight = i;
				say(a, "Code %s: press Enter, or type the next digit.", in->digits);
			}
		} else if (k == ' ' && sc->qtype == FORM_Q_MULTI && sc->nchoices) {
			toggle(in, sc, in->highlight);
		} else if (k == TK_ENTER) {
			char text[1024];
			if (in->digits[0]) {
				i = typed_code(sc, in->digits, &amb);
				in->digits[0] = '\0';
				if (i >= 0) {
					if (sc->qtype == FORM_Q_MULTI) {
						toggle(in, sc, i);
						return;
					}
					in->highlight = i;
				}
			}
			if (sc->qtype == FORM_Q_MULTI) {
				text[0] = '\0';
				for (i = 0; i < in->nsel; i++)
					snprintf(text + strlen(text), sizeof text - strlen(text), "%s%d", i ? "," : "", in->sel[i]);
				if (!in->nsel && sc->answered)
					run(a, cmd_next, NULL);
				else
					run(a, cmd_text, text);
			} else if (sc->nchoices) {
				if (sc->answered && !sc->choices[in->highlight].selected && !(sc->flags & FORM_F_CONFIRM) &&
				    in->highlight == 0 && !sc->choices[0].selected) {
					/* Enter on a shown answer keeps it */
					for (i = 0; i < sc->nchoices; i++)
						if (sc->choices[i].selected)
							in->highlight = i;
				}
				snprintf(text, sizeof text, "%d", sc->choices[in->highlight].code);
				run(a, cmd_text, text);
			}
		}
		return;
	case FORM_Q_GRID:
		if (k == TK_UP && in->highlight > 0) {
			in->highlight--;
		} else if (k == TK_DOWN && in->highlight < sc->nitems - 1) {
			in->highlight++;
		} else if (k == TK_LEFT || k == TK_RIGHT) {
			int cur = -1;
			for (i = 0; i < sc->nchoices; i++)
				if (sc->choices[i].code == in->cells[in->highlight])
					cur = i;
			cur = k == TK_LEFT ? (cur <= 0 ? 0 : cur - 1) : (cur + 1 >= sc->nchoices ? sc->nchoices - 1 : cur + 1);
			if (sc->nchoices)
				in->cells[in->highlight] = sc->choices[cur].code;
		} else if (k >= '0' && k <= '9') {
			char d[2] = { (char)k, 0 };
			i = typed_code(sc, d, &amb);
			if (i < 0) {
				say(a, "%c is not on the scale.", k);
			} else {
				in->cells[in->highlight] = sc->choices[i].code;
				if (in->highlight < sc->nitems - 1)
					in->highlight++;
			}
		} else if (k == TK_ENTER) {
			submit_grid(a, sc);
		}
		return;
	default:
		if (k == TK_ENTER) {
			char text[1024];
			snprintf(text, sizeof text, "%s", in->line);
			if (!text[0] && sc->answered)
				run(a, cmd_next, NULL);
			else
				run(a, cmd_text, text);
		} else if (k == TK_UP || k == TK_DOWN) {
			in->scroll += k == TK_DOWN ? 1 : -1;
			if (in->scroll < 0)
				in->scroll = 0;
		} else {
			term_edit(in->line, sizeof in->line, &in->cursor, k);
		}
		return;
	}
}

/* Drawing the screens ---------------------------------------------------------------------- */

static void draw_login(struct app *a, struct view *v)
{
	char stars[128];
	size_t i, n = utf8_len(a->login_pw, strlen(a->login_pw));

	for (i = 0; i < n && i < sizeof stars - 1; i++)
		stars[i] = '*';
	stars[i] = '\0';
	put(v, 0, VIEW_BAR, " cati \xE2\x94\x82 interviewer workstation");
	put(v, 3, VIEW_TITLE, "  Log in");
	put(v, 5, a->login_field == 0 ? VIEW_INPUT : VIEW_PLAIN, "  Interviewer: %s", a->login_id);
	put(v, 6, a->login_field == 1 ? VIEW_INPUT : VIEW_PLAIN, "  Password:    %s", stars);
	if (a->demo_hint)
		put(v, 9, VIEW_NOTE, "  %s", a->demo_hint);
	put(v, v->height - 2, VIEW_ERROR, "%s", a->message);
	put(v, v->height - 1, VIEW_BAR, "Tab next field  Enter log in  Esc quit");
	v->cursor_row = a->login_field == 0 ? 5 : 6;
	v->cursor_col = 15 + (a->login_field == 0 ? view_width(a->login_id, (size_t)a->login_cursor) : (int)n);
}

static void draw_list_rows(struct app *a, struct view *v, int first_row, int rows)
{
	int i;

	if (a->hl < a->top)
		a->top = a->hl;
	if (a->hl >= a->top + rows)
		a->top = a->hl - rows + 1;
	for (i = 0; i < rows && a->top + i < a->nrows; i++) {
		const struct store_case_row *r = &a->rows[a->top + i];
		char when[80];
		snprintf(when, sizeof when, "%s", r->appointment);
		if (r->appointment[0] && r->appointment_utc) {
			/* a countdown: how long until the appointment, or how late it is; on a narrow
			   screen the time of day only */
			long long d = (long long)r->appointment_utc - store_clock_ms(a->st) / 1000;
			long long m = (d < 0 ? -d : d) / 60;
			const char *at = v->width < 100 && strlen(r->appointment) > 11 ? r->appointment + 11 : r->appointment;
			if (m >= 24 * 60)
				snprintf(when, sizeof when, "%s %s%lldd%lldh%s", at, d < 0 ? "due " : "in ", m / 1440, m / 60 % 24, d < 0 ? " ago" : "");
			else
				snprintf(when, sizeof when, "%s %s%lldh%02lldm%s", at, d < 0 ? "due " : "in ", m / 60, m % 60, d < 0 ? " ago" : "");
		}
		put(v, first_row + i, a->top + i == a->hl ? VIEW_CURSOR : VIEW_PLAIN,
		    " %-10.10s %-22.22s %-10.10s %3d  %-13.13s %s", r->key, r->name, r->status, r->attempts,
		    r->last_outcome, when);
	}
	if (a->top + rows < a->nrows)
		put(v, first_row + rows - 1, VIEW_DIM, "  \xE2\x96\xBC %d more (\xE2\x86\x93)", a->nrows - a->top - rows + 1);
}

static void draw_queue(struct app *a, struct view *v)
{
	long waiting = store_outbox_pending(a->st);

	put(v, 0, VIEW_BAR, " cati \xE2\x94\x82 %s \xE2\x94\x82 case list \xE2\x94\x82 %s, %ld waiting", a->who,
	    autosync_online(&a->sync) ? "online" : "offline", waiting);
	if (a->next_key[0])
		put(v, 2, VIEW_TITLE, " Next case to call: %s, %s  (N)", a->next_key, a->next_why);
	else
		put(v, 2, VIEW_TITLE, " No case to call now.");
	put(v, 3, a->filtering ? VIEW_INPUT : VIEW_DIM, " Search: %s%s   Status: %s", a->filter,
	    a->filtering ? "" : (a->filter[0] ? "" : "(press /)"), a->status_filter ? statuses[a->status_filter] : "all");
	put(v, 5, VIEW_DIM, " %-10s %-22s %-10s %3s  %-13s %s", "case", "name", "status", "att", "last outcome", "appointment");
	draw_list_rows(a, v, 6, v->height - 9);
	put(v, v->height - 2, VIEW_ERROR, "%s", a->message);
	put(v, v->height - 1, VIEW_BAR, "N next case  \xE2\x86\x91\xE2\x86\x93 Enter open  / search  Tab status  L sync log  F1 help  q log out");
	if (a->filtering) {
		v->cursor_row = 3;
		v->cursor_col = 9 + view_width(a->filter, (size_t)a->filter_cursor);
	}
}

/* Append a multi-line text to the view from row, at most max rows; returns rows used. */
static int put_lines(struct view *v, int row, int max, const char *text, const char *none)
{
	const char *p = text;
	int n = 0;

	if (!*p) {
		put(v, row, VIEW_DIM, "   %s", none);
		return 1;
	}
	while (*p && n < max) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		put(v, row + n, VIEW_PLAIN, "   %.*s", (int)len, p);
		n++;
		p = nl ? nl + 1 : p + len;
	}
	return n;
}

static void draw_case(struct app *a, struct view *v)
{
	char lt[32];
	int row = 2;

	put(v, 0, VIEW_BAR, " cati \xE2\x94\x82 %s \xE2\x94\x82 case %s", a->who, a->have_case ? a->cs.key : "?");
	if (!a->have_case)
		return;
	local_time(a->cs.tz, (time_t)(store_clock_ms(a->st) / 1000), lt, sizeof lt);
	put(v, row++, VIEW_TITLE, " %s", a->cs.name && *a->cs.name ? a->cs.name : "(no name)");
	put(v, row++, VIEW_READ, " Phone: %s", a->cs.phone);
	put(v, row++, VIEW_PLAIN, " Local time of the respondent: %s (%s)", lt, a->cs.tz && *a->cs.tz ? a->cs.tz : "this workstation's zone");
	put(v, row++, VIEW_DIM, " Status: %s", a->cs.status);
	row++;
	put(v, row++, VIEW_TITLE, " Appointments");
	row += put_lines(v, row, 2, buf_str(&a->appts), "none");
	put(v, row++, VIEW_TITLE, " Call attempts");
	row += put_lines(v, row, 4, buf_str(&a->attempts), "none yet");
	put(v, row++, VIEW_TITLE, " Notes");
	row += put_lines(v, row, 3, buf_str(&a->notes), "none");
	put(v, v->height - 4, VIEW_PLAIN, " Call outcome: 1 connected  2 no answer  3 busy  4 answering machine");
	put(v, v->height - 3, VIEW_PLAIN, "               5 wrong/dead number  6 appointment  7 refusal  8 language barrier");
	put(v, v->height - 2, VIEW_ERROR, "%s", a->message);
	put(v, v->height - 1, VIEW_BAR, "1-8 call outcome  ^N note  Esc back to the list  F1 help");
}

static void draw_interview(struct app *a, struct view *v)
{
	struct eng *eng = session_engine(a->sess);
	const struct eng_screen *sc = eng_screen(eng);
	struct view_status st;

	memset(&st, 0, sizeof st);
	st.case_key = session_case(a->sess)->key;
	st.interviewer = a->who;
	st.qid = sc->kind == ENG_SCREEN_QUESTION ? sc->qid : NULL;
	st.iter = sc->iter;
	st.elapsed_s = (long)(time(NULL) - a->started);
	st.position = sc->position;
	st.estimate = sc->estimate;
	st.lang = session_form(a->sess)->langs[eng_lang(eng)];
	st.waiting = store_outbox_pending(a->st);
	st.online = autosync_online(&a->sync);
	view_interview(v, sc, &a->in, &st, a->message);
}

static void draw_jump(struct app *a, struct view *v)
{
	const char **ids;
	const int *iters;
	int n = eng_route(session_engine(a->sess), &ids, &iters), i, rows = v->height - 4;

	put(v, 0, VIEW_BAR, " Jump to a question asked on this route");
	if (a->hl >= n)
		a->hl = n - 1;
	if (a->hl < a->top)
		a->top = a->hl;
	if (a->hl >= a->top + rows)
		a->top = a->hl - rows + 1;
	for (i = 0; i < rows && a->top + i < n; i++) {
		enum form_vstate s;
		const char *val = "";
		int on, k = a->top + i;
		char name[FORM_MAX_ID + 16];

		if (!eng_get(session_engine(a->sess), ids[k], iters[k], &s, &val, &on))
			val = "(not answered)";
		else if (s == FORM_S_DK)
			val = "don't know";
		else if (s == FORM_S_RF)
			val = "refused";
		if (iters[k])
			snprintf(name, sizeof name, "%s[%d]", ids[k], iters[k]);
		else
			snprintf(name, sizeof name, "%s", ids[k]);
		put(v, 2 + i, k == a->hl ? VIEW_CURSOR : VIEW_PLAIN, " %3d  %-20s %s", k + 1, name, val);
	}
	put(v, v->height - 1, VIEW_BAR, "\xE2\x86\x91\xE2\x86\x93 choose  Enter jump  Esc back");
}

static void draw_edit(struct app *a, struct view *v, const char *title, const char *hint)
{
	put(v, 0, VIEW_BAR, " %s", title);
	put(v, 3, VIEW_PLAIN, " %s", hint);
	put(v, 5, VIEW_INPUT, " > %s", a->edit);
	put(v, v->height - 2, VIEW_ERROR, "%s", a->message);
	put(v, v->height - 1, VIEW_BAR, "Enter save  Esc cancel");
	v->cursor_row = 5;
	v->cursor_col = 3 + view_width(a->edit, (size_t)a->edit_cursor);
}

static void draw_appt(struct app *a, struct view *v)
{
	put(v, 0, VIEW_BAR, " Appointment for case %s", a->have_case ? a->cs.key : "");
	put(v, 3, a->appt_field == 0 ? VIEW_INPUT : VIEW_PLAIN, " Date (YYYY-MM-DD):  %s", a->appt_date);
	put(v, 4, a->appt_field == 1 ? VIEW_INPUT : VIEW_PLAIN, " Time (HH:MM):       %s", a->appt_time);
	put(v, 5, a->appt_field == 2 ? VIEW_INPUT : VIEW_PLAIN, " With whom:          %s", a->appt_with);
	put(v, 6, a->appt_field == 3 ? VIEW_INPUT : VIEW_PLAIN, " Kind:               %s  (Space changes)",
	    a->appt_hard ? "hard: call at that minute" : "soft: call around that time");
	put(v, 8, VIEW_DIM, " Times are the respondent's local time.");
	put(v, v->height - 2, VIEW_ERROR, "%s", a->message);
	put(v, v->height - 1, VIEW_BAR, "Tab next field  Enter save  Esc cancel");
	if (a->appt_field < 3) {
		const char *f = a->appt_field == 0 ? a->appt_date : a->appt_field == 1 ? a->appt_time : a->appt_with;
		v->cursor_row = 3 + a->appt_field;
		v->cursor_col = 21 + view_width(f, (size_t)a->appt_cursor);
	}
}

static void draw_help(struct app *a, struct view *v)
{
	const char *p = view_help();
	int row = 2;

	(void)a;
	put(v, 0, VIEW_BAR, " Keys");
	while (*p && row < v->height - 1) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		put(v, row++, VIEW_PLAIN, " %.*s", (int)len, p);
		p = nl ? nl + 1 : p + len;
	}
	put(v, v->height - 1, VIEW_BAR, "any key closes this help");
}

static void draw_synclog(struct app *a, struct view *v)
{
	struct buf out;
	struct err e;
	const char *p;
	int row, n = 0;

	put(v, 0, VIEW_BAR, " Sync log \xE2\x94\x82 %s", a->sync.started ? (autosync_online(&a->sync) ? "online" : "offline")
	                                                                : "not enrolled: this workstation works offline");
	buf_init(&out);
	err_init(&e);
	store_sync_log_read(a->st, v->height - 4, &out, &e);
	for (p = buf_str(&out); *p; p++)
		n += *p == '\n';
	p = buf_str(&out);
	for (row = 2; *p && row < v->height - 2; row++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		put(v, row, strstr(p, "failed") && strstr(p, "failed") < p + len ? VIEW_ERROR : VIEW_PLAIN, " %.*s", (int)len, p);
		p = nl ? nl + 1 : p + len;
	}
	if (!n)
		put(v, 2, VIEW_DIM, " No sync yet.");
	put(v, v->height - 2, VIEW_PLAIN, " %ld records waiting to sync", store_outbox_pending(a->st));
	put(v, v->height - 1, VIEW_BAR, "any key: back to the case list");
	buf_release(&out);
}

static void draw_resume(struct app *a, struct view *v)
{
	int i;

	put(v, 0, VIEW_BAR, " cati \xE2\x94\x82 %s \xE2\x94\x82 interrupted interviews", a->who);
	put(v, 2, VIEW_TITLE, " These interviews were cut off (a crash, a hang-up or a break):");
	for (i = 0; i < a->nresume && i < v->height - 7; i++)
		put(v, 4 + i, i == a->hl ? VIEW_CURSOR : VIEW_PLAIN, "   case %s", a->resume_keys[i]);
	put(v, v->height - 1, VIEW_BAR, "\xE2\x86\x91\xE2\x86\x93 choose  Enter resume it  Esc later");
}

static void draw(struct app *a)
{
	struct view v;
	int w, h;

	term_size(&w, &h);
	view_init(&v, w, h);
	switch (a->screen) {
	case S_LOGIN: draw_login(a, &v); break;
	case S_RESUME: draw_resume(a, &v); break;
	case S_QUEUE: draw_queue(a, &v); break;
	case S_CASE: draw_case(a, &v); break;
	case S_APPT: draw_appt(a, &v); break;
	case S_INTERVIEW: draw_interview(a, &v); break;
	case S_JUMP: draw_jump(a, &v); break;
	case S_NOTE: draw_edit(a, &v, "Note on the case", "Type the note (it stays with the case):"); break;
	case S_REASON: draw_edit(a, &v, "Break off: suspend the interview", "Why is it suspended? (it can be resumed later)"); break;
	case S_BREAK:
		put(&v, 0, VIEW_BAR, " Break off the interview");
		put(&v, 3, VIEW_PLAIN, " 1  suspend it (give a reason; it can be resumed)");
		put(&v, 4, VIEW_PLAIN, " 2  make an appointment to continue");
		put(&v, v.height - 1, VIEW_BAR, "1 suspend  2 appointment  Esc back to the interview");
		break;
	case S_HELP: draw_help(a, &v); break;
	case S_SYNCLOG: draw_synclog(a, &v); break;
	case S_QUIT: break;
	}
	term_paint(&v);
	view_release(&v);
}

/* Keys of the other screens ------------------------------------------------------------------ */

static void resume_cb(void *ctx, const struct store_interview *iv)
{
	struct app *a = ctx;

	if (strcmp(iv->interviewer, a->who) || a->nresume >= 32)
		return;
	snprintf(a->resume_keys[a->nresume++], sizeof a->resume_keys[0], "%s", iv->case_key);
}

static void after_login(struct app *a)
{
	struct err e;

	err_init(&e);
	a->nresume = 0;
	store_interviews_unfinished(a->st, resume_cb, a, &e);
	a->hl = 0;
	a->message[0] = '\0';
	if (a->nresume) {
		a->screen = S_RESUME;
	} else {
		a->screen = S_QUEUE;
		load_queue(a);
	}
}

static void login_key(struct app *a, int k)
{
	struct err e;
	char *f = a->login_field ? a->login_pw : a->login_id;
	size_t cap = a->login_field ? sizeof a->login_pw : sizeof a->login_id;

	if (k == TK_ESC) {
		a->screen = S_QUIT;
	} else if (k == TK_TAB || (k == TK_ENTER && a->login_field == 0)) {
		a->login_field = !a->login_field;
		a->login_cursor = (int)strlen(a->login_field ? a->login_pw : a->login_id);
	} else if (k == TK_ENTER) {
		err_init(&e);
		if (store_cred_check(a->st, a->login_id, a->login_pw, &e) == STORE_OK) {
			snprintf(a->who, sizeof a->who, "%s", a->login_id);
			autosync_start(&a->sync, a->st, a->login_id, a->login_pw);
			memset(a->login_pw, 0, sizeof a->login_pw);
			after_login(a);
		} else {
			say(a, "Login failed: %s.", e.msg);
			memset(a->login_pw, 0, sizeof a->login_pw);
			a->login_cursor = 0;
		}
	} else {
		term_edit(f, cap, &a->login_cursor, k);
	}
}

static void queue_key(struct app *a, int k)
{
	if (a->filtering) {
		if (k == TK_ENTER || k == TK_ESC) {
			a->filtering = 0;
		} else if (term_edit(a->filter, sizeof a->filter, &a->filter_cursor, k)) {
			a->hl = 0;
			load_queue(a);
		}
		return;
	}
	a->message[0] = '\0';
	switch (k) {
	case TK_UP:
		if (a->hl > 0)
			a->hl--;
		break;
	case TK_DOWN:
		if (a->hl < a->nrows - 1)
			a->hl++;
		break;
	case '/':
		a->filtering = 1;
		a->filter_cursor = (int)strlen(a->filter);
		break;
	case TK_TAB:
		a->status_filter = (a->status_filter + 1) % (int)(sizeof statuses / sizeof statuses[0]);
		a->hl = 0;
		load_queue(a);
		break;
	case 'n':
	case 'N':
		{
			struct store_next_pick p;
			struct err e;
			enum store_rc rc;
			err_init(&e);
			int shared;
			/* take it: no one else gets it, at the store too when it can be reached */
			rc = sync_take_next(a->st, autosync_online(&a->sync) ? &a->sync.settings : NULL, a->who,
			                    a->sync.password, &a->rules, &p, NULL, &shared, &e);
			if (rc == STORE_NOTFOUND) {
				say(a, "No case to call now: outside calling hours, waiting for gaps or appointments.");
				break;
			}
			if (rc != STORE_OK) {
				say(a, "%s", rc == STORE_BUSY ? "That case was just taken; press N again." : e.msg);
				break;
			}
			load_case(a, p.key);
			a->screen = S_CASE;
		}
		break;
	case TK_ENTER:
		if (a->nrows) {
			load_case(a, a->rows[a->hl].key);
			a->screen = S_CASE;
		}
		break;
	case 'l':
	case 'L':
		a->screen = S_SYNCLOG;
		break;
	case 'q':
	case TK_ESC:
		a->screen = S_QUIT;
		break;
	default:
		break;
	}
}

static enum store_rc save_outcome(struct app *a, struct err *e)
{
	return store_attempt_add(a->st, a->cs.id, a->who, a->cs.phone, a->pending_outcome, e);
}

static void case_key(struct app *a, int k)
{
	static const char *const outcomes[] = { NULL, NULL, "no_answer", "busy", "answering_machine",
	                                        "wrong_number", NULL, "refusal", "language_barrier" };

	a->message[0] = '\0';
	if (k == TK_ESC || k == 'q') {
		a->screen = S_QUEUE;
		load_queue(a);
	} else if (k == '1') {
		start_interview(a, a->cs.key);
	} else if (k == '6') {
		a->appt_date[0] = a->appt_time[0] = a->appt_with[0] = '\0';
		a->appt_field = a->appt_cursor = 0;
		a->appt_hard = 1;
		a->appt_from_interview = 0;
		a->screen = S_APPT;
	} else if (k >= '2' && k <= '8') {
		char key[65];
		a->pending_outcome = outcomes[k - '0'];
		if (in_tx(a, save_outcome) == 0) {
			snprintf(key, sizeof key, "%s", a->cs.key);
			say(a, "Case %s: %s recorded.", key, a->pending_outcome);
			a->screen = S_QUEUE;
			load_queue(a);
		}
	} else if (k == TK_CTRL_N) {
		a->edit[0] = '\0';
		a->edit_cursor = 0;
		a->back_to = S_CASE;
		a->screen = S_NOTE;
	}
}

static enum store_rc save_note(struct app *a, struct err *e)
{
	int64_t id = a->sess ? session_case(a->sess)->id : a->cs.id;
	return store_note_add(a->st, id, a->who, a->edit, e);
}

static enum store_rc save_appt(struct app *a, struct err *e)
{
	char at[32];
	int64_t id = a->sess ? session_case(a->sess)->id : a->cs.id;
	const char *phone = a->sess ? session_case(a->sess)->phone : a->cs.phone;
	enum store_rc rc;

	snprintf(at, sizeof at, "%s %s", a->appt_date, a->appt_time);
	rc = store_appointment_add(a->st, id, a->who, at, a->appt_hard, a->appt_with, e);
	if (rc == STORE_OK)
		rc = store_attempt_add(a->st, id, a->who, phone, "appointment", e);
	return rc;
}

static void appt_key(struct app *a, int k)
{
	char *f = a->appt_field == 0 ? a->appt_date : a->appt_field == 1 ? a->appt_time : a->appt_with;
	size_t cap = a->appt_field == 0 ? sizeof a->appt_date : a->appt_field == 1 ? sizeof a->appt_time : sizeof a->appt_with;
	double d;
	int hh, mm;

	if (k == TK_ESC) {
		a->screen = a->appt_from_interview ? S_INTERVIEW : S_CASE;
	} else if (k == TK_TAB || k == TK_DOWN) {
		a->appt_field = (a->appt_field + 1) % 4;
		a->appt_cursor = a->appt_field == 3 ? 0 : (int)strlen(a->appt_field == 0 ? a->appt_date : a->appt_field == 1 ? a->appt_time : a->appt_with);
	} else if (k == TK_UP) {
		a->appt_field = (a->appt_field + 3) % 4;
		a->appt_cursor = 0;
	} else if (a->appt_field == 3 && k == ' ') {
		a->appt_hard = !a->appt_hard;
	} else if (k == TK_ENTER) {
		if (form_date_parse(a->appt_date, strlen(a->appt_date), &d) < 0) {
			say(a, "Enter the date as YYYY-MM-DD.");
			a->appt_field = 0;
		} else if (sscanf(a->appt_time, "%d:%d", &hh, &mm) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
		           strlen(a->appt_time) != 5) {
			say(a, "Enter the time as HH:MM.");
			a->appt_field = 1;
		} else if (a->appt_from_interview) {
			struct err e;
			err_init(&e);
			if (in_tx(a, save_appt) == 0 && session_suspend(a->sess, "appointment", &e) == STORE_OK) {
				say(a, "Appointment saved; the interview is suspended.");
				close_interview(a);
			}
		} else if (in_tx(a, save_appt) == 0) {
			say(a, "Appointment saved for case %s.", a->cs.key);
			a->screen = S_QUEUE;
			load_queue(a);
		}
	} else if (a->appt_field < 3) {
		term_edit(f, cap, &a->appt_cursor, k);
	}
}

static enum store_rc save_breakoff(struct app *a, struct err *e)
{
	return store_attempt_add(a->st, session_case(a->sess)->id, a->who, session_case(a->sess)->phone,
	                         "breakoff", e);
}

static void edit_key(struct app *a, int k)
{
	struct err e;

	if (k == TK_ESC) {
		a->screen = a->screen == S_REASON ? S_INTERVIEW : a->back_to;
		return;
	}
	if (k != TK_ENTER) {
		term_edit(a->edit, sizeof a->edit, &a->edit_cursor, k);
		return;
	}
	if (!a->edit[0]) {
		say(a, "Type something first, or Esc to cancel.");
		return;
	}
	if (a->screen == S_NOTE) {
		if (in_tx(a, save_note) == 0) {
			say(a, "Note saved.");
			a->screen = a->back_to;
			if (a->back_to == S_CASE)
				load_case(a, a->cs.key);
		}
		return;
	}
	err_init(&e);
	if (in_tx(a, save_breakoff) == 0 && session_suspend(a->sess, a->edit, &e) == STORE_OK) {
		say(a, "Interview suspended: %s.", a->edit);
		close_interview(a);
	} else if (e.set) {
		say(a, "%s", e.msg);
	}
}

static void key(struct app *a, int k)
{
	if (k == TK_F1 && a->screen != S_HELP && a->screen != S_LOGIN) {
		a->back_to = a->screen;
		a->screen = S_HELP;
		return;
	}
	switch (a->screen) {
	case S_LOGIN: login_key(a, k); break;
	case S_RESUME:
		if (k == TK_UP && a->hl > 0)
			a->hl--;
		else if (k == TK_DOWN && a->hl < a->nresume - 1)
			a->hl++;
		else if (k == TK_ENTER)
			start_interview(a, a->resume_keys[a->hl]);
		else if (k == TK_ESC) {
			a->screen = S_QUEUE;
			load_queue(a);
		}
		break;
	case S_QUEUE: queue_key(a, k); break;
	case S_CASE: case_key(a, k); break;
	case S_APPT: appt_key(a, k); break;
	case S_INTERVIEW: interview_key(a, k); break;
	case S_JUMP: {
		const char **ids;
		const int *iters;
		int n = eng_route(session_engine(a->sess), &ids, &iters);
		if (k == TK_UP && a->hl > 0)
			a->hl--;
		else if (k == TK_DOWN && a->hl < n - 1)
			a->hl++;
		else if (k == TK_ESC)
			a->screen = S_INTERVIEW;
		else if (k == TK_ENTER && n) {
			char qid[FORM_MAX_ID + 1];
			struct jump_arg j;
			snprintf(qid, sizeof qid, "%s", ids[a->hl]);
			j.qid = qid;
			j.iter = iters[a->hl];
			a->screen = S_INTERVIEW;
			run(a, cmd_jump, &j);
		}
		break;
	}
	case S_NOTE:
	case S_REASON: edit_key(a, k); break;
	case S_BREAK:
		if (k == '1') {
			a->edit[0] = '\0';
			a->edit_cursor = 0;
			a->screen = S_REASON;
		} else if (k == '2') {
			a->appt_date[0] = a->appt_time[0] = a->appt_with[0] = '\0';
			a->appt_field = a->appt_cursor = 0;
			a->appt_hard = 1;
			a->appt_from_interview = 1;
			a->screen = S_APPT;
		} else if (k == TK_ESC) {
			a->screen = S_INTERVIEW;
		}
		break;
	case S_HELP: a->screen = a->back_to; break;
	case S_SYNCLOG:
		a->screen = S_QUEUE;
		load_queue(a);
		break;
	case S_QUIT: break;
	}
}

int tui_run(struct store *st, const struct call_rules *rules, const char *demo_hint)
{
	struct app *a = xcalloc(1, sizeof *a);
	int k, sig, rc = 0, lost = 0;

	a->st = st;
	a->rules = *rules;
	store_set_zone(st, rules->tz);
	a->demo_hint = demo_hint;
	a->rows = xcalloc(MAX_ROWS, sizeof *a->rows);
	buf_init(&a->attempts);
	buf_init(&a->notes);
	buf_init(&a->appts);
	a->screen = S_LOGIN;
	if (term_start() < 0) {
		fprintf(stderr, "cati: cannot start the terminal (is TERM set?)\n");
		free(a->rows);
		free(a);
		return 1;
	}
	while (a->screen != S_QUIT) {
		if ((sig = term_signal()) != 0) {
			/* answers are already saved; a hang-up or kill leaves the interview resumable */
			if (a->sess) {
				struct err e;
				err_init(&e);
				session_suspend(a->sess, sig == 2 ? "hang-up" : "terminated", &e);
			}
			break;
		}
		draw(a);
		{
			time_t before = time(NULL);
			k = term_key(1000);
			/* a terminal that is gone answers at once, forever: treat it as a hang-up */
			if (k == TK_TIMEOUT && time(NULL) == before && ++lost > 50) {
				if (a->sess) {
					struct err e;
					err_init(&e);
					session_suspend(a->sess, "terminal lost", &e);
				}
				break;
			}
			if (k != TK_TIMEOUT)
				lost = 0;
		}
		if (k == TK_TIMEOUT || k == TK_NONE)
			continue;
		if (k == TK_RESIZE || k == TK_CTRL_L)
			continue;   /* the next draw lays the screen out for its new size */
		key(a, k);
	}
	term_stop();
	autosync_stop(&a->sync);
	if (a->sess)
		session_close(a->sess);
	if (a->have_case)
		store_case_release(&a->cs);
	buf_release(&a->attempts);
	buf_release(&a->notes);
	buf_release(&a->appts);
	free(a->rows);
	free(a);
	return rc;
}
