/* engine.c: one interview's life: creation with its case fields, events, status, freeing. */
#include "engine-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The environment clock, in microseconds (0 without one). */
static uint64_t now(const struct eng *e)
{
	return e->env.now_us ? e->env.now_us(e->env.clock_ctx) : 0;
}

/* Stamp an event with the clock and hand it to the event sink, if any. */
void emit(struct eng *e, struct eng_event *ev)
{
	if (!e->env.event)
		return;
	ev->t_us = now(e);
	e->env.event(e->env.event_ctx, ev);
}

/* Emit an event that names only a question (or none) and the language. */
void emit_simple(struct eng *e, enum eng_ev_type type, int node, int iter)
{
	struct eng_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.qid = node >= 0 ? e->f->nodes[node].id : NULL;
	ev.iter = iter;
	ev.lang = e->f->langs[e->lang];
	emit(e, &ev);
}

/* Parse a case field's text into its slot. */
static void set_case_field(struct eng *e, int slot, const char *text)
{
	const struct form_var *v = &e->f->vars[slot];
	struct ans *a = &e->vals[slot][0];
	char *end;
	double x;

	ans_clear(a);
	if (!text || !*text)
		return;
	if (v->type == FORM_T_NUM) {
		x = strtod(text, &end);
		if (end == text || *end)
			return;  /* not a number: the field stays missing */
		a->num = x;
	} else {
		a->text = xstrdup(text);
	}
	a->state = FORM_S_OK;
	a->on_route = 1;
}

/* Start an interview: case fields in, the route walked to the first question. */
struct eng *eng_new(const struct form *f, const struct eng_case *c, int lang,
                    const struct eng_env *env)
{
	struct eng *e = xcalloc(1, sizeof *e);
	int i, k, count;

	e->f = f;
	if (env)
		e->env = *env;
	e->lang = lang >= 0 && lang < f->nlangs ? lang : 0;
	e->seed = c ? c->seed : 0;
	e->vals = xcalloc((size_t)f->nvars + 1, sizeof *e->vals);
	e->niter = xcalloc((size_t)f->nvars + 1, sizeof *e->niter);
	for (i = 0; i < f->nvars; i++) {
		e->niter[i] = f->vars[i].loop >= 0 ? f->nodes[f->vars[i].loop].max_iter + 1 : 1;
		e->vals[i] = xcalloc((size_t)e->niter[i], sizeof **e->vals);
	}
	e->ack = xcalloc((size_t)f->nnodes + 1, sizeof *e->ack);
	e->quota_key = xcalloc((size_t)f->nquotas + 1, sizeof *e->quota_key);
	e->quota_was_full = xcalloc((size_t)f->nquotas + 1, 1);
	e->remain = xcalloc((size_t)f->nnodes + 1, sizeof *e->remain);
	for (i = f->nnodes - 1, count = 0; i >= 0; i--) {
		if (f->nodes[i].kind == FORM_N_QUESTION) {
			count++;
			if (f->nodes[i].qtype == FORM_Q_INFO)
				e->ack[i] = xcalloc((size_t)(f->nodes[i].loop >= 0 ? f->nodes[f->nodes[i].loop].max_iter + 1 : 1), 1);
		}
		e->remain[i] = count;
	}
	if (c) {
		for (i = 0; i < c->n; i++) {
			k = form_var_find(f, c->names[i]);
			if (k >= 0 && f->vars[k].kind == FORM_V_CASE)
				set_case_field(e, k, c->values[i]);
		}
	}
	arena_init(&e->scratch);
	buf_init(&e->tmp);
	e->last_shown_node = -1;
	{
		struct eng_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = ENG_EV_START;
		ev.lang = f->langs[e->lang];
		emit(e, &ev);
	}
	route_walk(e, 0, f->first, 0);
	advance_from(e, -1);
	announce(e);
	return e;
}

/* Free an interview and everything it holds. */
void eng_free(struct eng *e)
{
	int i, k;

	if (!e)
		return;
	for (i = 0; i < e->f->nvars; i++) {
		for (k = 0; k < e->niter[i]; k++)
			ans_clear(&e->vals[i][k]);
		free(e->vals[i]);
	}
	for (i = 0; i < e->f->nnodes; i++)
		free(e->ack[i]);
	for (i = 0; i < e->nconfs; i++)
		free(e->confs[i].snapshot);
	for (i = 0; i < e->f->nquotas; i++)
		free(e->quota_key[i]);
	free(e->quota_key);
	free(e->quota_was_full);
	free(e->confs);
	free(e->ack);
	free(e->remain);
	free(e->vals);
	free(e->niter);
	free(e->trail);
	free(e->route_ids);
	free(e->route_iters);
	arena_release(&e->scratch);
	buf_release(&e->tmp);
	free(e);
}

/* Active, complete or screened out, from where the route stops. */
enum eng_status eng_status(const struct eng *e)
{
	if (e->stop != STOP_END)
		return ENG_ACTIVE;
	return e->stop_node < 0 || (e->f->nodes[e->stop_node].flags & FORM_F_COMPLETE)
	       ? ENG_COMPLETE : ENG_SCREENED_OUT;
}

/* The ending the route reaches, whatever screen is shown. */
int eng_ending(const struct eng *e, const char **outcome, const char **call_outcome)
{
	const struct form_node *n = e->stop_node >= 0 ? &e->f->nodes[e->stop_node] : NULL;

	if (e->stop != STOP_END)
		return 0;
	*outcome = n ? n->outcome : "complete";
	*call_outcome = n ? n->call_outcome : "complete";
	return 1;
}

/* The last refusal or check message. */
const char *eng_message(const struct eng *e)
{
	return e->msg;
}

/* The last message as the interviewer reads it: a refusal in the interface language. */
const char *eng_message_shown(const struct eng *e)
{
	return strcmp(e->msg, e->shown_of) ? e->msg : e->shown;
}

/* The current text language (index into the form's languages). */
int eng_lang(const struct eng *e)
{
	return e->lang;
}

/* Set the message from fmt, in English and in the interface language, and return rc. */
enum eng_rc refuse(struct eng *e, enum eng_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	/* the screen's copy: fmt is an English text marked with N_() */
	va_start(ap, fmt);
	vsnprintf(e->shown, sizeof e->shown, _(fmt), ap);
	va_end(ap);
	snprintf(e->shown_of, sizeof e->shown_of, "%s", e->msg);
	return rc;
}
