/* session.c: an interview that lives in the store: engine events go to the database. */
#include "cati/session.h"

#include "cati/i18n.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct session {
	struct store *st;
	struct form *form;
	struct eng *eng;
	struct store_interview iv;
	struct store_case cs;
	char *who;
	int replaying;          /* events come from the store: do not write them again */
	struct err sink_err;    /* the first failure while writing events */
	enum store_rc sink_rc;  /* ... and its class */
	json_t *route;          /* "qid#iter" -> on-route flag as last written */
	enum eng_status last_status;  /* as stored: active (or suspended), complete, screened out */
	char last_end[2 * FORM_MAX_ID + 8];  /* the stored ending and its call outcome, "" if none */
};

/* The engine's clock: microseconds of the monotonic clock. */
static uint64_t mono_us(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Is text personal data by itself: anything but codes, numbers and dates (words: an "other,
   specify" text)? */
static int has_words(const char *t)
{
	for (; t && *t; t++)
		if (!strchr("0123456789 .,:;+-/", *t))
			return 1;
	return 0;
}

/* Are an answer event's values personal data: a text or `personal` question's, or values with
   words in them? */
static int personal(const struct form *f, const struct eng_event *ev)
{
	int n;

	if (ev->type != ENG_EV_ANSWER || !ev->qid)
		return 0;
	n = form_node_find(f, ev->qid);
	if (form_personal_question(f, n))
		return 1;
	return has_words(ev->value) || has_words(ev->old_value);
}

/* The engine's events go to the store, inside the open transaction. */
static void sink(void *ctx, const struct eng_event *ev)
{
	struct session *s = ctx;

	if (s->replaying || s->sink_err.set)
		return;
	s->sink_rc = store_event(s->st, s->iv.id, s->who, ev, personal(s->form, ev), &s->sink_err);
	if (ev->type == ENG_EV_ANSWER && ev->qid && !ev->info) {
		char key[FORM_MAX_ID + 16];
		snprintf(key, sizeof key, "%s#%d", ev->qid, ev->iter);
		json_object_set_new(s->route, key, json_true());
	}
}

/*
 * Quota cells are full or not by what this workstation knows (see store_quota_full). While an
 * interview is rebuilt from its events every cell it passed was open when it passed it: it was
 * admitted then and stays admitted, even if the cell has filled since.
 */
static int quota_full(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	struct session *s = ctx;

	if (s->replaying)
		return 0;
	return store_quota_full(s->st, s->cs.study, q->id, cell, target);
}

struct cells_ctx {
	struct session *s;
	struct err *e;
	enum store_rc rc;
};

/* Keep one quota cell the interview counts in, unless an earlier one failed. */
static void add_cell(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	struct cells_ctx *c = ctx;

	if (c->rc == STORE_OK)
		c->rc = store_cells_add(c->s->st, c->s->iv.id, c->s->cs.study, q->id, cell, target, c->e);
}

/* Give one stored event back to the engine. */
static void replay_one(void *ctx, const struct eng_event *ev)
{
	struct session *s = ctx;
	eng_replay(s->eng, ev);
}

/* Remember an answer's on-route flag as it stands after a replay. */
static void note_route(void *ctx, const char *qid, int iter, enum form_vstate st,
                       const char *value, int on)
{
	struct session *s = ctx;
	char key[FORM_MAX_ID + 16];

	(void)st;
	(void)value;
	snprintf(key, sizeof key, "%s#%d", qid, iter);
	json_object_set_new(s->route, key, json_boolean(on));
}

/* (Re)build the engine from the stored events. */
static enum store_rc rebuild(struct session *s, struct err *e)
{
	struct eng_env env = { mono_us, NULL, sink, s, quota_full, s };
	const char *names[256], *values[256];
	struct eng_case c;
	enum store_rc rc;
	int i, n = 0;

	for (i = 0; i < s->cs.nfields && n < 256; i++) {
		names[n] = s->cs.names[i];
		values[n++] = s->cs.values[i];
	}
	c.n = n;
	c.names = names;
	c.values = values;
	c.seed = s->cs.seed;
	eng_free(s->eng);
	s->replaying = 1;
	s->eng = eng_new(s->form, &c, form_lang(s->form, s->iv.lang), &env);
	rc = store_events_replay(s->st, s->iv.id, replay_one, s, e);
	s->replaying = 0;
	json_object_clear(s->route);
	eng_foreach_answer(s->eng, note_route, s);
	return rc;
}

/* The ending the route reaches and its call outcome, as "name call" ("" while it goes on). */
static void ending_of(struct session *s, char *out, size_t n)
{
	const char *outcome, *call;

	if (eng_ending(s->eng, &outcome, &call))
		snprintf(out, n, "%s %s", outcome, call);
	else
		snprintf(out, n, "%s", "");
}

/* Open (or resume) the interview of case key for who, its engine built from its events. */
struct session *session_open(struct store *st, const char *key, const char *who,
                             const char *lang, int *resumed, struct err *e)
{
	struct session *s = xcalloc(1, sizeof *s);
	struct form_diags d;
	char *source = NULL;
	enum store_rc rc;

	s->st = st;
	s->who = xstrdup(who);
	s->route = json_object();
	err_init(&s->sink_err);
	s->sink_rc = STORE_OK;
	*resumed = 0;
	if (store_case_get(st, key, &s->cs, e) != STORE_OK)
		goto fail;
	if (!strcmp(s->cs.status, "done")) {
		err_set(e, _("case '%s' is already done"), key);
		goto fail;
	}
	rc = store_interview_open_for_case(st, s->cs.id, &s->iv, e);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		goto fail;
	if (rc == STORE_OK) {
		*resumed = 1;
	} else {
		int64_t row;
		if (store_form_latest(st, s->cs.study, &row, e) != STORE_OK)
			goto fail;
		s->iv.form_row = row;
	}
	if (store_form_source(st, s->iv.form_row, &source, e) != STORE_OK)
		goto fail;
	form_diags_init(&d);
	s->form = form_compile(_("(stored form)"), source, strlen(source), &d);
	if (!s->form) {
		err_set(e, _("the stored form of case '%s' does not compile: line %d: %s"), key,
		        d.n ? d.v[0].line : 0, d.n ? d.v[0].msg : "?");
		form_diags_release(&d);
		goto fail;
	}
	form_diags_release(&d);
	if (*resumed) {
		/* an unfinished interview: stored as active or suspended, whatever the route says
		   (going back from its ending, then a break); its next action stores any end */
		s->last_status = ENG_ACTIVE;
		if (rebuild(s, e) != STORE_OK)
			goto fail;
	} else {
		const char *l = lang && form_lang(s->form, lang) >= 0 ? lang : s->form->langs[0];
		if (store_begin(st, e) != STORE_OK)
			goto fail;
		if (store_interview_create(st, s->cs.id, s->iv.form_row, who, l, &s->iv, e) != STORE_OK) {
			store_rollback(st);
			goto fail;
		}
		{
			struct eng_env env = { mono_us, NULL, sink, s, quota_full, s };
			const char *names[256], *values[256];
			struct eng_case c;
			int i;

			for (i = 0; i < s->cs.nfields && i < 256; i++) {
				names[i] = s->cs.names[i];
				values[i] = s->cs.values[i];
			}
			c.n = i;
			c.names = names;
			c.values = values;
			c.seed = s->cs.seed;
			s->eng = eng_new(s->form, &c, form_lang(s->form, l), &env);
		}
		if (session_commit(s, e) != STORE_OK)
			goto fail;
	}
	free(source);
	return s;
fail:
	free(source);
	session_close(s);
	return NULL;
}

/* Free the session (NULL is fine); what was stored stays. */
void session_close(struct session *s)
{
	if (!s)
		return;
	eng_free(s->eng);
	form_free(s->form);
	store_interview_release(&s->iv);
	store_case_release(&s->cs);
	json_decref(s->route);
	free(s->who);
	free(s);
}

/* The session's engine, for the screens to drive. */
struct eng *session_engine(struct session *s)
{
	return s->eng;
}

/* The form the interview runs. */
const struct form *session_form(struct session *s)
{
	return s->form;
}

/* The interview as the store keeps it. */
const struct store_interview *session_interview(struct session *s)
{
	return &s->iv;
}

/* The case the interview is for. */
const struct store_case *session_case(struct session *s)
{
	return &s->cs;
}

/* Begin the transaction the engine's next events are written in. */
enum store_rc session_begin(struct session *s, struct err *e)
{
	err_init(&s->sink_err);
	s->sink_rc = STORE_OK;
	return store_begin(s->st, e);
}

struct route_sync {
	struct session *s;
	struct err *e;
	enum store_rc rc;
};

/* Write on-route flags that changed since the last commit. */
static void sync_route(void *ctx, const char *qid, int iter, enum form_vstate st,
                       const char *value, int on)
{
	struct route_sync *rs = ctx;
	char key[FORM_MAX_ID + 16];
	json_t *was;

	(void)st;
	(void)value;
	if (rs->rc != STORE_OK)
		return;
	snprintf(key, sizeof key, "%s#%d", qid, iter);
	was = json_object_get(rs->s->route, key);
	if (was && json_is_true(was) == on)
		return;
	rs->rc = store_answer_route(rs->s->st, rs->s->iv.id, qid, iter, on, rs->e);
	json_object_set_new(rs->s->route, key, json_boolean(on));
}

/* Store the routes and status the events led to, and commit: the class of the first failure. */
enum store_rc session_commit(struct session *s, struct err *e)
{
	struct route_sync rs = { s, e, STORE_OK };
	enum eng_status now = eng_status(s->eng);
	enum store_rc rc = STORE_OK;
	char end[sizeof s->last_end];
	int changed;

	/* the status, or the ending (one screen-out for another after going back), changed */
	ending_of(s, end, sizeof end);
	changed = now != s->last_status || strcmp(end, s->last_end);

	if (s->sink_err.set) {
		err_set(e, "%s", s->sink_err.msg);
		rc = s->sink_rc != STORE_OK ? s->sink_rc : STORE_ERROR;
	}
	if (rc == STORE_OK) {
		eng_foreach_answer(s->eng, sync_route, &rs);
		rc = rs.rc;
	}
	if (rc == STORE_OK && changed && now == ENG_COMPLETE) {
		/* the cells go with the interview's record, so they are written first */
		struct cells_ctx cc = { s, e, STORE_OK };
		eng_cells(s->eng, add_cell, &cc);
		rc = cc.rc;
	}
	if (rc == STORE_OK && changed) {
		const char *outcome = NULL, *call = NULL;
		int ended = eng_ending(s->eng, &outcome, &call);

		rc = store_interview_status(s->st, s->iv.id,
		                            now == ENG_COMPLETE ? "complete" : now == ENG_SCREENED_OUT ? "screenout" : "active",
		                            outcome, NULL, e);
		/* the end and its call are one transaction: a kill after it leaves both, or neither */
		if (rc == STORE_OK && ended)
			rc = store_attempt_end(s->st, s->iv.id, s->who, call, e);
	}
	if (rc == STORE_OK)
		rc = store_commit(s->st, e);
	if (rc != STORE_OK) {
		struct err e2;

		store_rollback(s->st);
		err_init(&e2);
		rebuild(s, &e2);
		return rc;
	}
	s->last_status = now;
	snprintf(s->last_end, sizeof s->last_end, "%s", end);
	return STORE_OK;
}

/* Mark the interview suspended, in the caller's transaction. */
enum store_rc session_suspend_tx(struct session *s, const char *reason, struct err *e)
{
	enum store_rc rc = store_interview_status(s->st, s->iv.id, "suspended", NULL, reason, e);

	if (rc == STORE_OK) {
		/* stored as unfinished: should the route still end, the next action stores the end */
		s->last_status = ENG_ACTIVE;
		s->last_end[0] = '\0';
	}
	return rc;
}

/* Mark the interview suspended in a transaction of its own. */
enum store_rc session_suspend(struct session *s, const char *reason, struct err *e)
{
	enum store_rc rc = store_begin(s->st, e);

	if (rc != STORE_OK)
		return rc;
	rc = session_suspend_tx(s, reason, e);
	if (rc == STORE_OK)
		rc = store_commit(s->st, e);
	else
		store_rollback(s->st);
	return rc;
}
