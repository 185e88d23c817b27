/* route.c: the route walk: block orders, loops, skips, computes, checks, quotas, endings. */
#include "engine-int.h"

#include <stdlib.h>
#include <string.h>

/* One splitmix64 step: the random orders' hash. */
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

/* Is block a group whose members come in random order? */
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

/* How often loop repeats for this case: its expression, capped at its max. */
static int loop_count(struct eng *e, int loop)
{
	struct form_env env = form_env(e, 0);
	struct form_value v = form_eval(e->f, e->f->nodes[loop].expr, &env);

	if (v.state != FORM_S_OK || v.num < 1)
		return 0;
	return v.num > e->f->nodes[loop].max_iter ? e->f->nodes[loop].max_iter : (int)v.num;
}

/* The node after (node, iter) on the walk, into *nn / *ni; *nn = -1 at the end of the form. */
void successor(struct eng *e, int node, int iter, int *nn, int *ni)
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

/* Append (node, iter) to the trail; returns its index. */
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

/* The answers a check reads, as one string: a confirmation holds while it is the same. */
char *check_snapshot(struct eng *e, int node, int iter)
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

/* The confirmation of the soft check (node, iter), or NULL. */
struct confirm *find_confirm(struct eng *e, int node, int iter)
{
	int i;

	for (i = 0; i < e->nconfs; i++)
		if (e->confs[i].node == node && e->confs[i].iter == iter)
			return &e->confs[i];
	return NULL;
}

/* Is the soft check (node, iter) confirmed for the answers it reads now? */
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

/* The cell key of quota q into out and its target, or 0 while a variable has no value. */
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
void route_walk(struct eng *e, int keep, int node, int iter)
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

/* The question step before trail index i, or -1. */
int prev_question(const struct eng *e, int i)
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
void announce(struct eng *e)
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
void advance_from(struct eng *e, int i)
{
	e->pos = next_question(e, i);
	if (e->pos < 0 && e->stop == STOP_QUESTION)
		e->pos = e->ntrail - 1;
	if (e->stop != STOP_END)
		e->ended_emitted = 0;
}
