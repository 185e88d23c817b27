/* engine.c: one interview: the route walk, answers, checks, navigation, events, the screen. */
#include "engine-int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values --------------------------------------------------------------------------------- */

static void ans_clear(struct ans *a)
{
	free(a->text);
	free(a->codes);
	free(a->canon);
	memset(a, 0, sizeof *a);
}

struct ans *ans_at(const struct eng *e, int slot, int iter)
{
	if (slot < 0 || slot >= e->f->nvars || iter < 0 || iter >= e->niter[slot])
		return NULL;
	return &e->vals[slot][iter];
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

/* Canonical text of a number for a variable of this kind. */
static void num_text(struct buf *b, double v, int decimals)
{
	if (decimals < 0 && v == floor(v) && fabs(v) < 1e15)
		buf_printf(b, "%.0f", v);
	else if (decimals >= 0)
		buf_printf(b, "%.*f", decimals, v);
	else
		buf_printf(b, "%.15g", v);
}

/* The canonical text of a stored value (cached). */
const char *ans_canon(const struct eng *e, int slot, struct ans *a)
{
	const struct form_var *v = &e->f->vars[slot];
	struct buf b;
	int i;

	if (a->canon)
		return a->canon;
	buf_init(&b);
	if (a->state == FORM_S_OK) {
		switch (v->type) {
		case FORM_T_TEXT:
			buf_puts(&b, a->text ? a->text : "");
			break;
		case FORM_T_DATE: {
			char d[11];
			form_date_format(a->num, d);
			buf_puts(&b, d);
			break;
		}
		case FORM_T_SET:
			for (i = 0; i < a->ncodes; i++)
				buf_printf(&b, "%s%d", i ? "," : "", a->codes[i]);
			break;
		case FORM_T_BOOL:
			buf_puts(&b, a->num ? "true" : "false");
			break;
		default: {
			int dec = -1;
			if (v->node >= 0 && e->f->nodes[v->node].kind == FORM_N_QUESTION &&
			    e->f->nodes[v->node].qtype == FORM_Q_DECIMAL)
				dec = e->f->nodes[v->node].decimals;
			num_text(&b, a->num, dec);
		}
		}
	}
	a->canon = buf_detach(&b);
	return a->canon;
}

/* Read a variable for expressions: only on-route answers count. */
static struct form_value get_value(void *ctx, int slot, int iter)
{
	struct eng *e = ctx;
	const struct form_var *v;
	struct form_value out;
	struct ans *a;

	memset(&out, 0, sizeof out);
	if (slot < 0 || slot >= e->f->nvars)
		return out;
	v = &e->f->vars[slot];
	a = ans_at(e, slot, v->loop >= 0 ? iter : 0);
	if (!a || a->state == FORM_S_MISSING || (v->kind != FORM_V_CASE && !a->on_route))
		return out;
	out.type = v->type;
	out.state = a->state;
	out.num = a->num;
	out.str = a->text;
	out.ncodes = a->ncodes;
	out.codes = a->codes;
	return out;
}

struct form_env form_env(struct eng *e, int iter)
{
	struct form_env env = { e, get_value, iter };
	return env;
}

/* Events ---------------------------------------------------------------------------------- */

static uint64_t now(const struct eng *e)
{
	return e->env.now_us ? e->env.now_us(e->env.clock_ctx) : 0;
}

static void emit(struct eng *e, struct eng_event *ev)
{
	if (!e->env.event)
		return;
	ev->t_us = now(e);
	e->env.event(e->env.event_ctx, ev);
}

static void emit_simple(struct eng *e, enum eng_ev_type type, int node, int iter)
{
	struct eng_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.qid = node >= 0 ? e->f->nodes[node].id : NULL;
	ev.iter = iter;
	ev.lang = e->f->langs[e->lang];
	emit(e, &ev);
}

/* Random orders --------------------------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/*
 * Shuffle idx[0..n) reproducibly for (seed, node, iter, salt); entries with keep[i] set stay
 * where they are.
 */
void shuffle(const struct eng *e, int *idx, const unsigned char *keep, int n, int node,
                    int iter, int salt)
{
	uint64_t s = mix(e->seed ^ mix((uint64_t)node * 1000003u + (uint64_t)iter * 131u + (uint64_t)salt));
	int *movable = xmalloc(sizeof(int) * (size_t)(n ? n : 1));
	int m = 0, i, j, t;

	for (i = 0; i < n; i++)
		if (!keep[i])
			movable[m++] = i;
	for (i = m - 1; i > 0; i--) {
		s = mix(s);
		j = (int)(s % (uint64_t)(i + 1));
		t = idx[movable[i]];
		idx[movable[i]] = idx[movable[j]];
		idx[movable[j]] = t;
	}
	free(movable);
}

/* The members of a block in the order this case sees them. Returns a count; free *out. */
static int block_order(const struct eng *e, int block, int iter, int **out)
{
	const struct form *f = e->f;
	int n = 0, c, i, *idx;
	unsigned char *keep;

	for (c = block >= 0 ? f->nodes[block].child : f->first; c >= 0; c = f->nodes[c].next)
		n++;
	idx = xmalloc(sizeof(int) * (size_t)(n ? n : 1));
	keep = xmalloc((size_t)(n ? n : 1));
	for (i = 0, c = block >= 0 ? f->nodes[block].child : f->first; c >= 0; c = f->nodes[c].next, i++) {
		idx[i] = c;
		keep[i] = f->nodes[c].kind != FORM_N_QUESTION || (f->nodes[c].flags & FORM_F_FIXED);
	}
	if (block >= 0 && (f->nodes[block].flags & FORM_F_RANDOM))
		shuffle(e, idx, keep, n, block, iter, 0);
	free(keep);
	*out = idx;
	return n;
}

static int is_random_block(const struct form *f, int block)
{
	return block >= 0 && f->nodes[block].kind == FORM_N_GROUP && (f->nodes[block].flags & FORM_F_RANDOM);
}

/* The first member of a block as this case sees it. */
static int first_in(const struct eng *e, int block, int iter)
{
	int *idx, n, first;

	if (!is_random_block(e->f, block))
		return block >= 0 ? e->f->nodes[block].child : e->f->first;
	n = block_order(e, block, iter, &idx);
	first = n ? idx[0] : -1;
	free(idx);
	return first;
}

/* The member after node in its block, or -1. */
static int next_in(const struct eng *e, int node, int iter)
{
	int block = e->f->nodes[node].parent, *idx, n, i, r = -1;

	if (!is_random_block(e->f, block))
		return e->f->nodes[node].next;
	n = block_order(e, block, iter, &idx);
	for (i = 0; i < n - 1; i++)
		if (idx[i] == node)
			r = idx[i + 1];
	free(idx);
	return r;
}

/* Route walk ------------------------------------------------------------------------------ */

static int loop_count(struct eng *e, int loop)
{
	struct form_env env = form_env(e, 0);
	struct form_value v = form_eval(e->f, e->f->nodes[loop].expr, &env);

	if (v.state != FORM_S_OK || v.num < 1)
		return 0;
	return v.num > e->f->nodes[loop].max_iter ? e->f->nodes[loop].max_iter : (int)v.num;
}

/* The node after (node, iter) on the walk, into *nn / *ni; *nn = -1 at the end of the form. */
static void successor(struct eng *e, int node, int iter, int *nn, int *ni)
{
	const struct form *f = e->f;
	int p, next;

	for (;;) {
		next = next_in(e, node, iter);
		if (next >= 0) {
			*nn = next;
			*ni = iter;
			return;
		}
		p = f->nodes[node].parent;
		if (p < 0) {
			*nn = -1;
			*ni = 0;
			return;
		}
		if (f->nodes[p].kind == FORM_N_LOOP && iter < loop_count(e, p)) {
			*nn = first_in(e, p, iter + 1);
			*ni = iter + 1;
			return;
		}
		node = p;
		iter = f->nodes[p].loop >= 0 ? iter : 0;
	}
}

static int step_push(struct eng *e, int node, int iter)
{
	if (e->ntrail == e->trail_cap) {
		e->trail_cap = e->trail_cap ? e->trail_cap * 2 : 64;
		e->trail = xrealloc(e->trail, sizeof *e->trail * (size_t)e->trail_cap);
	}
	e->trail[e->ntrail].node = node;
	e->trail[e->ntrail].iter = iter;
	return e->ntrail++;
}

/* Mark the values a step produced as on or off the route. */
static void step_route(struct eng *e, const struct step *s, int on)
{
	const struct form_node *n = &e->f->nodes[s->node];
	struct ans *a;
	int i;

	if (n->kind == FORM_N_QUESTION && n->qtype == FORM_Q_GRID) {
		for (i = 0; i < n->nitems; i++)
			if ((a = ans_at(e, n->items[i].var, s->iter)) != NULL)
				a->on_route = on;
	} else if ((a = ans_at(e, n->var, s->iter)) != NULL) {
		a->on_route = on;
	}
}

int info_seen(const struct eng *e, int node, int iter)
{
	return e->ack[node] && e->ack[node][iter];
}

/* Has the question (node, iter) an answer? */
int answered(const struct eng *e, int node, int iter)
{
	const struct form_node *n = &e->f->nodes[node];
	struct ans *a;
	int i;

	if (n->qtype == FORM_Q_INFO)
		return info_seen(e, node, iter);
	if (n->qtype == FORM_Q_GRID) {
		for (i = 0; i < n->nitems; i++) {
			a = ans_at(e, n->items[i].var, iter);
			if (!a || a->state == FORM_S_MISSING)
				return 0;
		}
		return n->nitems > 0;
	}
	a = ans_at(e, n->var, iter);
	return a && a->state != FORM_S_MISSING;
}

/* The answers a check reads, as one string: a confirmation holds while it is the same. */
static char *check_snapshot(struct eng *e, int node, int iter)
{
	const struct form_node *n = &e->f->nodes[node];
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < n->nrefs; i++) {
		const struct form_var *v = &e->f->vars[n->refs[i]];
		struct ans *a = ans_at(e, n->refs[i], v->loop >= 0 ? iter : 0);
		if (a && a->on_route)
			buf_printf(&b, "%d:%s\x1f", (int)a->state, ans_canon(e, n->refs[i], a));
		else
			buf_puts(&b, "-\x1f");
	}
	return buf_detach(&b);
}

static struct confirm *find_confirm(struct eng *e, int node, int iter)
{
	int i;

	for (i = 0; i < e->nconfs; i++)
		if (e->confs[i].node == node && e->confs[i].iter == iter)
			return &e->confs[i];
	return NULL;
}

static int confirmed(struct eng *e, int node, int iter)
{
	struct confirm *c = find_confirm(e, node, iter);
	char *snap;
	int ok;

	if (!c)
		return 0;
	snap = check_snapshot(e, node, iter);
	ok = !strcmp(snap, c->snapshot);
	free(snap);
	return ok;
}

int quota_cell(const struct eng *e, const struct form_quota *q, struct buf *out, int *target)
{
	int codes[16], i;

	for (i = 0; i < q->nvars; i++) {
		const struct form_var *v = &e->f->vars[q->vars[i]];
		struct ans *a = ans_at(e, q->vars[i], 0);

		if (!a || a->state != FORM_S_OK || (v->kind != FORM_V_CASE && !a->on_route))
			return 0;
		codes[i] = (int)a->num;
	}
	form_quota_key(q, codes, out);
	*target = form_quota_target(q, codes);
	return 1;
}

/*
 * Has the route so far put the respondent in a full quota cell? Then the walk stops at that
 * quota's ending. Each cell is asked about once per interview: a cell that fills up while the
 * interview runs does not end it later at another question.
 */
static int quota_stop(struct eng *e)
{
	const struct form *f = e->f;
	int i;

	if (!e->env.quota_full)
		return 0;
	for (i = 0; i < f->nquotas; i++) {
		const struct form_quota *q = &f->quotas[i];
		int target;

		buf_reset(&e->tmp);
		if (!quota_cell(e, q, &e->tmp, &target))
			continue;
		if (!e->quota_key[i] || strcmp(e->quota_key[i], buf_str(&e->tmp))) {
			free(e->quota_key[i]);
			e->quota_key[i] = xstrdup(buf_str(&e->tmp));
			e->quota_was_full[i] = e->env.quota_full(e->env.quota_ctx, q, e->quota_key[i], target) != 0;
		}
		if (e->quota_was_full[i]) {
			e->stop = STOP_END;
			e->stop_node = q->ending;
			e->stop_iter = 0;
			return 1;
		}
	}
	return 0;
}

/*
 * Walk the route from (node, iter), keeping the first `keep` steps of the trail: the rest go
 * off route first, and whatever the walk reaches comes back on.
 */
static void walk(struct eng *e, int keep, int node, int iter)
{
	const struct form *f = e->f;
	int i, k, nn, ni;

	for (i = keep; i < e->ntrail; i++)
		step_route(e, &e->trail[i], 0);
	e->ntrail = keep;
	if (quota_stop(e))
		return;
	for (;;) {
		const struct form_node *n;
		struct form_env env;

		if (node < 0) {
			e->stop = STOP_END;
			e->stop_node = -1;
			e->stop_iter = 0;
			return;
		}
		n = &f->nodes[node];
		env = form_env(e, iter);
		switch (n->kind) {
		case FORM_N_QUESTION:
			if (!form_cond(f, n->cond, &env))
				break;
			k = step_push(e, node, iter);
			step_route(e, &e->trail[k], 1);
			if (!answered(e, node, iter)) {
				e->stop = STOP_QUESTION;
				e->stop_node = node;
				e->stop_iter = iter;
				return;
			}
			if (f->nquotas && quota_stop(e))
				return;
			break;
		case FORM_N_GROUP:
			if (!form_cond(f, n->cond, &env))
				break;
			if (n->child >= 0) {
				node = first_in(e, node, iter);
				continue;
			}
			break;
		case FORM_N_LOOP:
			if (!form_cond(f, n->cond, &env) || loop_count(e, node) < 1)
				break;
			node = first_in(e, node, 1);
			iter = 1;
			continue;
		case FORM_N_SKIP:
			if (form_cond(f, n->cond, &env) && n->target >= 0) {
				node = n->target;
				continue;
			}
			break;
		case FORM_N_COMPUTE: {
			struct form_value v = form_eval(f, n->expr, &env);
			struct ans *a = ans_at(e, n->var, iter);

			if (a) {
				ans_clear(a);
				a->state = v.state == FORM_S_OK ? FORM_S_OK : FORM_S_MISSING;
				a->num = v.num;
				if (v.type == FORM_T_TEXT && v.str)
					a->text = xstrdup(v.str);
				if (v.type == FORM_T_SET && v.ncodes) {
					a->codes = xmalloc(sizeof(int) * (size_t)v.ncodes);
					memcpy(a->codes, v.codes, sizeof(int) * (size_t)v.ncodes);
					a->ncodes = v.ncodes;
				}
			}
			k = step_push(e, node, iter);
			step_route(e, &e->trail[k], 1);
			break;
		}
		case FORM_N_CHECK: {
			struct form_value v = form_eval(f, n->expr, &env);

			if (v.state == FORM_S_OK && !v.num &&
			    ((n->flags & FORM_F_HARD) || !confirmed(e, node, iter))) {
				struct eng_event ev;

				e->stop = STOP_CHECK;
				e->stop_node = node;
				e->stop_iter = iter;
				memset(&ev, 0, sizeof ev);
				ev.type = ENG_EV_CHECK;
				ev.check = node;
				ev.iter = iter;
				ev.hard = (n->flags & FORM_F_HARD) != 0;
				emit(e, &ev);
				return;
			}
			break;
		}
		case FORM_N_ENDING:
			if (form_cond(f, n->cond, &env)) {
				e->stop = STOP_END;
				e->stop_node = node;
				e->stop_iter = iter;
				return;
			}
			break;
		}
		successor(e, node, iter, &nn, &ni);
		node = nn;
		iter = ni;
	}
}

/* The next question step after trail index i, or -1. */
static int next_question(const struct eng *e, int i)
{
	for (i++; i < e->ntrail; i++)
		if (e->f->nodes[e->trail[i].node].kind == FORM_N_QUESTION)
			return i;
	return -1;
}

static int prev_question(const struct eng *e, int i)
{
	for (i--; i >= 0; i--)
		if (e->f->nodes[e->trail[i].node].kind == FORM_N_QUESTION)
			return i;
	return -1;
}

/*
 * Emit SHOWN (and END) for what is now on the screen, once per change. Stop screens (a raised
 * check, an ending) are SHOWN with no question, so that replaying SHOWN events retraces every
 * move of the interviewer.
 */
static void announce(struct eng *e)
{
	struct eng_event ev;
	int key;

	if (e->pos >= 0) {
		const struct step *s = &e->trail[e->pos];
		if (s->node != e->last_shown_node || s->iter != e->last_shown_iter) {
			e->last_shown_node = s->node;
			e->last_shown_iter = s->iter;
			emit_simple(e, ENG_EV_SHOWN, s->node, s->iter);
		}
		return;
	}
	key = -3 - e->stop_node;
	if (key != e->last_shown_node || e->stop_iter != e->last_shown_iter) {
		e->last_shown_node = key;
		e->last_shown_iter = e->stop_iter;
		memset(&ev, 0, sizeof ev);
		ev.type = ENG_EV_SHOWN;
		ev.check = e->stop == STOP_CHECK ? e->stop_node : -1;
		ev.iter = e->stop_iter;
		emit(e, &ev);
	}
	if (e->stop == STOP_END && !e->ended_emitted) {
		memset(&ev, 0, sizeof ev);
		ev.type = ENG_EV_END;
		ev.outcome = e->stop_node >= 0 ? e->f->nodes[e->stop_node].outcome : "complete";
		emit(e, &ev);
		e->ended_emitted = 1;
	}
}

/* Show what follows trail index i: the next question on the trail, else the stop. */
static void advance_from(struct eng *e, int i)
{
	e->pos = next_question(e, i);
	if (e->pos < 0 && e->stop == STOP_QUESTION)
		e->pos = e->ntrail - 1;
	if (e->stop != STOP_END)
		e->ended_emitted = 0;
}

/* Creation -------------------------------------------------------------------------------- */

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
	walk(e, 0, f->first, 0);
	advance_from(e, -1);
	announce(e);
	return e;
}

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

const char *eng_message(const struct eng *e)
{
	return e->msg;
}

int eng_lang(const struct eng *e)
{
	return e->lang;
}

/* Commands -------------------------------------------------------------------------------- */

enum eng_rc refuse(struct eng *e, enum eng_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return rc;
}

/* The number as the interviewer would type it, for messages. */
static const char *fmt_num(char *out, size_t n, double v, int decimals)
{
	snprintf(out, n, "%.*f", decimals, v);
	return out;
}

/* Check an answer against the question's type and limits. */
static enum eng_rc validate(struct eng *e, const struct form_node *n, const struct eng_answer *a)
{
	char lo[32], hi[32];
	int i, k;

	if (a->state == FORM_S_DK || a->state == FORM_S_RF) {
		if (n->qtype == FORM_Q_INFO)
			return refuse(e, ENG_INVALID, "this screen takes no answer");
		if (!(n->flags & (a->state == FORM_S_DK ? FORM_F_DK : FORM_F_RF)))
			return refuse(e, ENG_INVALID, "%s is not allowed for this question",
			              a->state == FORM_S_DK ? "don't know" : "refused");
		return ENG_OK;
	}
	if (a->state != FORM_S_OK)
		return refuse(e, ENG_INVALID, "no answer given");
	switch (n->qtype) {
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
		if (a->num != floor(a->num) || !form_scale_choice(n->scale, (int)a->num))
			return refuse(e, ENG_INVALID, "%g is not one of the choices", a->num);
		return ENG_OK;
	case FORM_Q_MULTI:
		if (a->ncodes < n->minsel || a->ncodes > n->maxsel) {
			if (n->minsel == n->maxsel)
				return refuse(e, ENG_INVALID, "choose exactly %d", n->minsel);
			return refuse(e, ENG_INVALID, "choose from %d to %d answers", n->minsel, n->maxsel);
		}
		for (i = 0; i < a->ncodes; i++) {
			const struct form_choice *c = form_scale_choice(n->scale, a->codes[i]);
			if (!c)
				return refuse(e, ENG_INVALID, "%d is not one of the choices", a->codes[i]);
			for (k = 0; k < i; k++)
				if (a->codes[k] == a->codes[i])
					return refuse(e, ENG_INVALID, "%d is chosen twice", a->codes[i]);
			if ((c->flags & FORM_C_EXCLUSIVE) && a->ncodes > 1)
				return refuse(e, ENG_INVALID, "'%s' cannot be combined with other answers",
				              form_text_get(e->f, &c->label, e->lang));
		}
		return ENG_OK;
	case FORM_Q_INTEGER:
		if (a->num != floor(a->num) || fabs(a->num) > 1e15)
			return refuse(e, ENG_INVALID, "enter a whole number");
		/* fall through */
	case FORM_Q_DECIMAL:
		if (isnan(a->num) || isinf(a->num))
			return refuse(e, ENG_INVALID, "enter a number");
		if (n->has_range && (a->num < n->lo - 1e-9 || a->num > n->hi + 1e-9)) {
			int d = n->qtype == FORM_Q_DECIMAL ? n->decimals : 0;
			return refuse(e, ENG_INVALID, "enter a number from %s to %s",
			              fmt_num(lo, sizeof lo, n->lo, d), fmt_num(hi, sizeof hi, n->hi, d));
		}
		if (n->qtype == FORM_Q_DECIMAL) {
			double scaled = a->num * pow(10, n->decimals);
			if (fabs(scaled - round(scaled)) > 1e-6)
				return refuse(e, ENG_INVALID, "%.15g: at most %d decimal%s", a->num, n->decimals,
				              n->decimals == 1 ? "" : "s");
		}
		return ENG_OK;
	case FORM_Q_TEXT: {
		size_t len = a->text ? strlen(a->text) : 0, bad;
		const char *p = a->text;

		while (p && *p && isspace((unsigned char)*p))
			p++;
		if (!p || !*p)
			return refuse(e, ENG_INVALID, "type an answer");
		if (!utf8_valid(a->text, len, &bad))
			return refuse(e, ENG_INVALID, "the text is not valid UTF-8");
		if ((int)utf8_len(a->text, len) > n->maxlen)
			return refuse(e, ENG_INVALID, "at most %d characters (this is %zu)", n->maxlen,
			              utf8_len(a->text, len));
		return ENG_OK;
	}
	case FORM_Q_DATE:
		if (a->num != floor(a->num))
			return refuse(e, ENG_INVALID, "enter a date as YYYY-MM-DD");
		if (n->has_range && (a->num < n->lo || a->num > n->hi)) {
			char d1[11], d2[11];
			form_date_format(n->lo, d1);
			form_date_format(n->hi, d2);
			return refuse(e, ENG_INVALID, "enter a date from %s to %s", d1, d2);
		}
		return ENG_OK;
	case FORM_Q_GRID:
		if (a->ncodes != n->nitems)
			return refuse(e, ENG_INVALID, "answer all %d items", n->nitems);
		for (i = 0; i < a->ncodes; i++) {
			if (a->codes[i] == ENG_CODE_DK || a->codes[i] == ENG_CODE_RF) {
				if (!(n->flags & (a->codes[i] == ENG_CODE_DK ? FORM_F_DK : FORM_F_RF)))
					return refuse(e, ENG_INVALID, "%s is not allowed here",
					              a->codes[i] == ENG_CODE_DK ? "don't know" : "refused");
			} else if (!form_scale_choice(n->scale, a->codes[i])) {
				return refuse(e, ENG_INVALID, "%d is not on the scale (item '%s')", a->codes[i],
				              form_text_get(e->f, &n->items[i].label, e->lang));
			}
		}
		return ENG_OK;
	case FORM_Q_INFO:
		return ENG_OK;
	}
	return ENG_OK;
}

/* Store a value into one slot; returns 1 when it differs from what was there. */
static int store_value(struct eng *e, int slot, int iter, enum form_vstate state, double num,
                       const char *text, int ncodes, const int *codes, struct buf *old,
                       enum form_vstate *old_state)
{
	struct ans *a = ans_at(e, slot, iter), fresh;
	int same;

	if (!a)
		return 0;
	memset(&fresh, 0, sizeof fresh);
	fresh.state = state;
	if (state == FORM_S_OK) {
		fresh.num = num;
		if (text)
			fresh.text = xstrdup(text);
		if (ncodes) {
			fresh.codes = xmalloc(sizeof(int) * (size_t)ncodes);
			memcpy(fresh.codes, codes, sizeof(int) * (size_t)ncodes);
			qsort(fresh.codes, (size_t)ncodes, sizeof(int), cmp_int);
			fresh.ncodes = ncodes;
		}
	}
	if (old) {
		*old_state = a->state;
		if (a->state != FORM_S_MISSING)
			buf_puts(old, ans_canon(e, slot, a));
	}
	same = a->state == fresh.state && !strcmp(ans_canon(e, slot, a), ans_canon(e, slot, &fresh));
	fresh.on_route = a->on_route;
	ans_clear(a);
	*a = fresh;
	return !same;
}

/* The canonical text of the question's whole answer (grid: its items joined). */
void answer_text(struct eng *e, int node, int iter, struct buf *out, enum form_vstate *st)
{
	const struct form_node *n = &e->f->nodes[node];
	struct ans *a;
	int i;

	*st = FORM_S_MISSING;
	if (n->qtype == FORM_Q_INFO) {
		*st = info_seen(e, node, iter) ? FORM_S_OK : FORM_S_MISSING;
		return;
	}
	if (n->qtype == FORM_Q_GRID) {
		for (i = 0; i < n->nitems; i++) {
			a = ans_at(e, n->items[i].var, iter);
			if (!a || a->state == FORM_S_MISSING)
				continue;
			*st = FORM_S_OK;
			buf_printf(out, "%s%s", i ? "," : "",
			           a->state == FORM_S_DK ? "dk" : a->state == FORM_S_RF ? "rf" : ans_canon(e, n->items[i].var, a));
		}
		return;
	}
	a = ans_at(e, n->var, iter);
	if (!a)
		return;
	*st = a->state;
	if (a->state == FORM_S_OK)
		buf_puts(out, ans_canon(e, n->var, a));
}

enum eng_rc eng_answer(struct eng *e, const struct eng_answer *a)
{
	const struct form_node *n;
	struct eng_event ev;
	struct buf oldv, newv;
	enum form_vstate old_state = FORM_S_MISSING, new_state;
	struct step s;
	enum eng_rc rc;
	int i, had;

	e->msg[0] = '\0';
	if (e->pos < 0)
		return refuse(e, ENG_DENIED, "there is no question on the screen");
	s = e->trail[e->pos];
	n = &e->f->nodes[s.node];
	rc = validate(e, n, a);
	if (rc != ENG_OK)
		return rc;
	buf_init(&oldv);
	buf_init(&newv);
	had = answered(e, s.node, s.iter);
	answer_text(e, s.node, s.iter, &oldv, &old_state);
	if (n->qtype == FORM_Q_INFO) {
		e->ack[s.node][s.iter] = 1;
	} else if (n->qtype == FORM_Q_GRID) {
		for (i = 0; i < n->nitems; i++) {
			int code = a->state != FORM_S_OK ? (a->state == FORM_S_DK ? ENG_CODE_DK : ENG_CODE_RF)
			                                 : a->codes[i];
			enum form_vstate st = code == ENG_CODE_DK ? FORM_S_DK : code == ENG_CODE_RF ? FORM_S_RF : FORM_S_OK;
			store_value(e, n->items[i].var, s.iter, st, code, NULL, 0, NULL, NULL, NULL);
		}
	} else {
		store_value(e, n->var, s.iter, a->state, a->num, a->text,
		            n->qtype == FORM_Q_MULTI ? a->ncodes : 0, a->codes, NULL, NULL);
	}
	answer_text(e, s.node, s.iter, &newv, &new_state);
	{
		memset(&ev, 0, sizeof ev);
		ev.type = ENG_EV_ANSWER;
		ev.qid = n->id;
		ev.iter = s.iter;
		ev.state = new_state;
		ev.value = buf_str(&newv);
		ev.changed = had;
		ev.info = n->qtype == FORM_Q_INFO;
		ev.old_state = old_state;
		ev.old_value = buf_str(&oldv);
		emit(e, &ev);
	}
	buf_release(&oldv);
	buf_release(&newv);

	walk(e, e->pos, s.node, s.iter);
	advance_from(e, e->pos);
	announce(e);
	if (e->pos < 0 && e->stop == STOP_CHECK) {
		const struct form_node *c = &e->f->nodes[e->stop_node];
		snprintf(e->msg, sizeof e->msg, "%s", form_text_get(e->f, &c->message, e->lang));
		return ENG_CHECK;
	}
	return ENG_OK;
}

enum eng_rc eng_next(struct eng *e)
{
	struct step s;

	e->msg[0] = '\0';
	if (e->pos < 0)
		return refuse(e, ENG_DENIED, e->stop == STOP_CHECK ? "confirm the check or go back to correct an answer"
		                                                  : "the interview has ended");
	s = e->trail[e->pos];
	if (e->f->nodes[s.node].qtype == FORM_Q_INFO && !info_seen(e, s.node, s.iter)) {
		struct eng_answer a = { FORM_S_OK, 0, NULL, 0, NULL };
		return eng_answer(e, &a);
	}
	if (!answered(e, s.node, s.iter))
		return refuse(e, ENG_INVALID, "this question needs an answer");
	advance_from(e, e->pos);
	announce(e);
	return e->pos < 0 && e->stop == STOP_CHECK ? ENG_CHECK : ENG_OK;
}

enum eng_rc eng_back(struct eng *e)
{
	int p;

	e->msg[0] = '\0';
	p = prev_question(e, e->pos < 0 ? e->ntrail : e->pos);
	if (p < 0)
		return refuse(e, ENG_DENIED, "this is the first question");
	e->pos = p;
	emit_simple(e, ENG_EV_BACK, e->trail[p].node, e->trail[p].iter);
	announce(e);
	return ENG_OK;
}

enum eng_rc eng_jump(struct eng *e, const char *qid, int iter)
{
	int node = form_node_find(e->f, qid), i;

	e->msg[0] = '\0';
	if (node < 0 || e->f->nodes[node].kind != FORM_N_QUESTION)
		return refuse(e, ENG_DENIED, "there is no question '%s'", qid);
	for (i = 0; i < e->ntrail; i++) {
		if (e->trail[i].node == node && e->trail[i].iter == iter) {
			e->pos = i;
			emit_simple(e, ENG_EV_JUMP, node, iter);
			announce(e);
			return ENG_OK;
		}
	}
	return refuse(e, ENG_DENIED, "'%s' has not been asked on this route", qid);
}

enum eng_rc eng_resume(struct eng *e)
{
	e->msg[0] = '\0';
	e->pos = e->stop == STOP_QUESTION ? e->ntrail - 1 : -1;
	announce(e);
	return ENG_OK;
}

enum eng_rc eng_confirm(struct eng *e)
{
	struct confirm *c;
	struct eng_event ev;
	int nn, ni, keep;

	e->msg[0] = '\0';
	if (e->pos >= 0 || e->stop != STOP_CHECK)
		return refuse(e, ENG_DENIED, "there is no check to confirm");
	if (e->f->nodes[e->stop_node].flags & FORM_F_HARD)
		return refuse(e, ENG_DENIED, "a hard check cannot be confirmed: correct one of the answers");
	c = find_confirm(e, e->stop_node, e->stop_iter);
	if (!c) {
		if (e->nconfs == e->confs_cap) {
			e->confs_cap = e->confs_cap ? e->confs_cap * 2 : 8;
			e->confs = xrealloc(e->confs, sizeof *e->confs * (size_t)e->confs_cap);
		}
		c = &e->confs[e->nconfs++];
		c->node = e->stop_node;
		c->iter = e->stop_iter;
		c->snapshot = NULL;
	}
	free(c->snapshot);
	c->snapshot = check_snapshot(e, e->stop_node, e->stop_iter);
	memset(&ev, 0, sizeof ev);
	ev.type = ENG_EV_CONFIRM;
	ev.check = e->stop_node;
	ev.iter = e->stop_iter;
	emit(e, &ev);
	keep = e->ntrail;
	successor(e, e->stop_node, e->stop_iter, &nn, &ni);
	walk(e, keep, nn, ni);
	advance_from(e, keep - 1);
	announce(e);
	if (e->pos < 0 && e->stop == STOP_CHECK)
		return ENG_CHECK;
	return ENG_OK;
}

enum eng_rc eng_set_lang(struct eng *e, int lang)
{
	struct eng_event ev;

	e->msg[0] = '\0';
	if (lang < 0 || lang >= e->f->nlangs)
		return refuse(e, ENG_DENIED, "the form has no such language");
	e->lang = lang;
	memset(&ev, 0, sizeof ev);
	ev.type = ENG_EV_LANG;
	ev.lang = e->f->langs[lang];
	emit(e, &ev);
	return ENG_OK;
}
