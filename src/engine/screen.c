/* screen.c: the engine's view of the current screen, typed answers, replay, inspection. */
#include "engine-int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The label of a code in a scale, in the current language, or the code itself. */
static void code_label(struct eng *e, const struct form_scale *s, int code, struct buf *out)
{
	const struct form_choice *c = form_scale_choice(s, code);

	if (c)
		buf_puts(out, form_text_get(e->f, &c->label, e->lang));
	else
		buf_printf(out, "%d", code);
}

/* Append what {name} shows in iteration iter. */
static void fill_one(struct eng *e, const char *name, size_t n, int iter, struct buf *out)
{
	char id[2 * FORM_MAX_ID + 2];
	const struct form_var *v;
	struct ans *a;
	int slot, i;

	if (n >= sizeof id)
		return;
	memcpy(id, name, n);
	id[n] = '\0';
	slot = form_var_find(e->f, id);
	if (slot < 0)
		return;
	v = &e->f->vars[slot];
	if (v->kind == FORM_V_LOOPIDX) {
		if (iter > 0)
			buf_printf(out, "%d", iter);
		return;
	}
	a = ans_at(e, slot, v->loop >= 0 ? iter : 0);
	if (!a || a->state != FORM_S_OK || (v->kind != FORM_V_CASE && !a->on_route))
		return;
	if (v->type == FORM_T_SET) {
		for (i = 0; i < a->ncodes; i++) {
			if (i)
				buf_puts(out, ", ");
			code_label(e, v->scale, a->codes[i], out);
		}
	} else if (v->scale && v->type == FORM_T_NUM) {
		code_label(e, v->scale, (int)a->num, out);
	} else {
		buf_puts(out, ans_canon(e, slot, a));
	}
}

/* A text with its {fills} resolved, in the scratch arena. */
static const char *fill(struct eng *e, const char *text, int iter)
{
	struct buf b;
	const char *p, *q;
	char *r;

	if (!text || !strchr(text, '{'))
		return text ? text : "";
	buf_init(&b);
	for (p = text; *p; p++) {
		if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
			buf_putc(&b, *p);
			p++;
			continue;
		}
		if (*p == '{' && (q = strchr(p, '}')) != NULL) {
			fill_one(e, p + 1, (size_t)(q - p - 1), iter, &b);
			p = q;
			continue;
		}
		buf_putc(&b, *p);
	}
	r = arena_strndup(&e->scratch, buf_str(&b), b.len);
	buf_release(&b);
	return r;
}

/* Choices of a scale in display order: random per case where asked, anchors in place. */
static void build_choices(struct eng *e, const struct form_node *n, int iter,
                          struct eng_screen *sc, const int *sel, int nsel)
{
	const struct form_scale *s = n->scale;
	int *idx, i, k;
	unsigned char *keep;

	sc->nchoices = s ? s->n : 0;
	if (!s)
		return;
	sc->choices = arena_alloc(&e->scratch, sizeof *sc->choices * (size_t)(s->n ? s->n : 1));
	idx = xmalloc(sizeof(int) * (size_t)(s->n ? s->n : 1));
	keep = xmalloc((size_t)(s->n ? s->n : 1));
	for (i = 0; i < s->n; i++) {
		idx[i] = i;
		keep[i] = (s->choices[i].flags & FORM_C_ANCHOR) != 0;
	}
	if ((n->flags & FORM_F_RANDOM) && n->qtype != FORM_Q_GRID)
		shuffle(e, idx, keep, s->n, (int)(n - e->f->nodes), iter, 1);
	for (i = 0; i < s->n; i++) {
		const struct form_choice *c = &s->choices[idx[i]];
		sc->choices[i].code = c->code;
		sc->choices[i].flags = c->flags;
		sc->choices[i].label = fill(e, form_text_get(e->f, &c->label, e->lang), iter);
		for (k = 0; k < nsel; k++)
			if (sel[k] == c->code)
				sc->choices[i].selected = 1;
	}
	free(idx);
	free(keep);
}

static void build_question(struct eng *e, struct eng_screen *sc)
{
	const struct step *st = &e->trail[e->pos];
	const struct form_node *n = &e->f->nodes[st->node];
	struct buf v;
	struct ans *a = NULL;
	int i, k, *idx, sel1;
	unsigned char *keep;

	sc->kind = ENG_SCREEN_QUESTION;
	sc->qid = n->id;
	sc->node = st->node;
	sc->qtype = n->qtype;
	sc->iter = st->iter;
	sc->loop_id = n->loop >= 0 ? e->f->nodes[n->loop].id : NULL;
	sc->text = fill(e, form_text_get(e->f, &n->say, e->lang), st->iter);
	sc->note = n->note.s ? fill(e, form_text_get(e->f, &n->note, e->lang), st->iter) : "";
	sc->allow = n->flags & (FORM_F_DK | FORM_F_RF);
	sc->flags = n->flags;
	sc->has_range = n->has_range;
	sc->lo = n->lo;
	sc->hi = n->hi;
	sc->decimals = n->decimals;
	sc->maxlen = n->maxlen;
	sc->minsel = n->minsel;
	sc->maxsel = n->maxsel;
	buf_init(&v);
	answer_text(e, st->node, st->iter, &v, &sc->state);
	sc->answered = answered(e, st->node, st->iter);
	sc->value = arena_strndup(&e->scratch, buf_str(&v), v.len);
	buf_release(&v);
	if (n->var >= 0)
		a = ans_at(e, n->var, st->iter);
	if (a && a->state == FORM_S_OK && n->qtype == FORM_Q_MULTI)
		build_choices(e, n, st->iter, sc, a->codes, a->ncodes);
	else if (a && a->state == FORM_S_OK && (n->qtype == FORM_Q_SINGLE || n->qtype == FORM_Q_YESNO)) {
		sel1 = (int)a->num;
		build_choices(e, n, st->iter, sc, &sel1, 1);
	} else if (n->scale)
		build_choices(e, n, st->iter, sc, NULL, 0);
	if (n->qtype == FORM_Q_GRID) {
		sc->nitems = n->nitems;
		sc->items = arena_alloc(&e->scratch, sizeof *sc->items * (size_t)(n->nitems ? n->nitems : 1));
		idx = xmalloc(sizeof(int) * (size_t)(n->nitems ? n->nitems : 1));
		keep = xcalloc((size_t)(n->nitems ? n->nitems : 1), 1);
		for (i = 0; i < n->nitems; i++)
			idx[i] = i;
		if (n->flags & FORM_F_RANDOM)
			shuffle(e, idx, keep, n->nitems, st->node, st->iter, 2);
		for (i = 0; i < n->nitems; i++) {
			const struct form_item *it = &n->items[idx[i]];
			sc->items[i].id = it->id;
			sc->items[i].index = idx[i];
			sc->items[i].label = fill(e, form_text_get(e->f, &it->label, e->lang), st->iter);
			a = ans_at(e, it->var, st->iter);
			sc->items[i].code = !a || a->state == FORM_S_MISSING ? 0
			                    : a->state == FORM_S_DK ? ENG_CODE_DK
			                    : a->state == FORM_S_RF ? ENG_CODE_RF : (int)a->num;
		}
		free(idx);
		free(keep);
	}
	for (i = 0, k = 0; i <= e->pos; i++)
		k += e->f->nodes[e->trail[i].node].kind == FORM_N_QUESTION;
	sc->position = k;
}

/* Questions on the trail, plus the questions that follow the stop in the file. */
static int estimate(const struct eng *e)
{
	int i, k = 0;

	for (i = 0; i < e->ntrail; i++)
		k += e->f->nodes[e->trail[i].node].kind == FORM_N_QUESTION;
	if (e->stop == STOP_END || e->stop_node < 0)
		return k;
	return k + (e->stop_node + 1 < e->f->nnodes ? e->remain[e->stop_node + 1] : 0);
}

const struct eng_screen *eng_screen(struct eng *e)
{
	struct eng_screen *sc = &e->screen;
	int i;

	arena_release(&e->scratch);
	arena_init(&e->scratch);
	memset(sc, 0, sizeof *sc);
	sc->value = sc->note = sc->text = sc->end_text = sc->message = "";
	if (e->pos >= 0) {
		build_question(e, sc);
	} else if (e->stop == STOP_CHECK) {
		const struct form_node *c = &e->f->nodes[e->stop_node];

		sc->kind = ENG_SCREEN_CHECK;
		sc->check = e->stop_node;
		sc->iter = e->stop_iter;
		sc->hard = (c->flags & FORM_F_HARD) != 0;
		sc->message = fill(e, form_text_get(e->f, &c->message, e->lang), e->stop_iter);
		sc->revisit = arena_alloc(&e->scratch, sizeof *sc->revisit * (size_t)(c->nrefs ? c->nrefs : 1));
		for (i = 0; i < c->nrefs; i++) {
			const struct form_var *v = &e->f->vars[c->refs[i]];
			const struct form_node *q = &e->f->nodes[v->node];
			int it = v->loop >= 0 ? e->stop_iter : 0;
			struct ans *a = ans_at(e, c->refs[i], it);

			if (!a || !a->on_route)
				continue;
			sc->revisit[sc->nrevisit].qid = q->id;
			sc->revisit[sc->nrevisit].iter = it;
			sc->revisit[sc->nrevisit].text = fill(e, form_text_get(e->f, &q->say, e->lang), it);
			sc->nrevisit++;
		}
		for (i = e->ntrail - 1; i >= 0; i--)
			if (e->f->nodes[e->trail[i].node].kind == FORM_N_QUESTION)
				break;
		sc->position = 0;
		for (; i >= 0; i--)
			sc->position += e->f->nodes[e->trail[i].node].kind == FORM_N_QUESTION;
	} else {
		const struct form_node *n = e->stop_node >= 0 ? &e->f->nodes[e->stop_node] : NULL;

		sc->kind = ENG_SCREEN_END;
		sc->complete = eng_status(e) == ENG_COMPLETE;
		sc->outcome = n ? n->outcome : "complete";
		sc->call_outcome = n ? n->call_outcome : "complete";
		for (i = 0; n && i < e->f->nquotas; i++)
			if (e->f->quotas[i].ending == e->stop_node)
				sc->quota = e->f->quotas[i].id;
		sc->end_text = n && n->say.s ? fill(e, form_text_get(e->f, &n->say, e->lang), e->stop_iter) : "";
		sc->position = estimate(e);
	}
	sc->estimate = estimate(e);
	if (sc->estimate < sc->position)
		sc->estimate = sc->position;
	return sc;
}

/* Typed answers --------------------------------------------------------------------------- */

/* A code as typed: digits only, spaces around them ignored. */
static int parse_int(const char *s, long *out)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	for (n = 0, *out = 0; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n >= 9)
			return -1;
		*out = *out * 10 + (s[n] - '0');
	}
	if (!n)
		return -1;
	while (isspace((unsigned char)s[n]))
		n++;
	return s[n] ? -1 : 0;
}

/* Codes separated by commas, semicolons or spaces; cells may be dk / rf when cells is set. */
static int parse_codes(const char *s, int *codes, int max, int cells)
{
	int n = 0;
	char word[32];
	size_t len;
	long v;

	for (;;) {
		while (*s == ',' || *s == ';' || isspace((unsigned char)*s))
			s++;
		if (!*s)
			return n;
		len = strcspn(s, ",; \t");
		if (len >= sizeof word || n >= max)
			return -1;
		memcpy(word, s, len);
		word[len] = '\0';
		s += len;
		if (cells && !strcasecmp(word, "dk"))
			codes[n++] = ENG_CODE_DK;
		else if (cells && !strcasecmp(word, "rf"))
			codes[n++] = ENG_CODE_RF;
		else if (parse_int(word, &v) == 0 && v >= 0 && v <= FORM_MAX_CODE)
			codes[n++] = (int)v;
		else
			return -1;
	}
}

/* Answer from text. special: "dk" and "rf" mean don't know / refused. */
static enum eng_rc answer_typed(struct eng *e, const char *typed, int special)
{
	const struct form_node *n;
	struct eng_answer a;
	int codes[1024], k;
	long v;
	struct err err;
	const char *t = typed ? typed : "";

	e->msg[0] = '\0';
	if (e->pos < 0)
		return refuse(e, ENG_DENIED, N_("there is no question on the screen"));
	n = &e->f->nodes[e->trail[e->pos].node];
	memset(&a, 0, sizeof a);
	a.state = FORM_S_OK;
	if (special) {
		const char *p = t;
		while (isspace((unsigned char)*p))
			p++;
		if (!strcasecmp(p, "dk") || !strcasecmp(p, "rf")) {
			a.state = tolower((unsigned char)p[0]) == 'd' ? FORM_S_DK : FORM_S_RF;
			return eng_answer(e, &a);
		}
	}
	switch (n->qtype) {
	case FORM_Q_INFO:
		return eng_next(e);
	case FORM_Q_YESNO:
		if (!strcasecmp(t, "yes") || !strcasecmp(t, "y")) {
			a.num = 1;
			break;
		}
		if (!strcasecmp(t, "no") || !strcasecmp(t, "n")) {
			a.num = 2;
			break;
		}
		/* fall through */
	case FORM_Q_SINGLE:
		if (parse_int(t, &v) < 0)
			return refuse(e, ENG_INVALID, N_("enter the code of a choice"));
		a.num = (double)v;
		break;
	case FORM_Q_INTEGER:
	case FORM_Q_DECIMAL:
		/* 3,5 as written in German and Dutch, 3.5 as stored */
		err_init(&err);
		if (form_input_number(t, n->qtype == FORM_Q_INTEGER, &a.num, &err) < 0)
			return refuse(e, ENG_INVALID, "%s", err.msg);
		break;
	case FORM_Q_TEXT:
		a.text = t;
		break;
	case FORM_Q_DATE:
		/* D.M.YYYY as typed, YYYY-MM-DD as stored */
		err_init(&err);
		if (form_input_date(t, &a.num, &err) < 0)
			return refuse(e, ENG_INVALID, "%s", err.msg);
		break;
	case FORM_Q_MULTI:
	case FORM_Q_GRID:
		k = parse_codes(t, codes, (int)(sizeof codes / sizeof codes[0]), n->qtype == FORM_Q_GRID);
		if (k < 0)
			return refuse(e, ENG_INVALID, N_("enter codes separated by commas, e.g. 1,3"));
		a.ncodes = k;
		a.codes = codes;
		break;
	}
	return eng_answer(e, &a);
}

enum eng_rc eng_answer_text(struct eng *e, const char *typed)
{
	return answer_typed(e, typed, 1);
}

enum eng_rc eng_replay(struct eng *e, const struct eng_event *ev)
{
	struct eng_answer a;
	int lang;

	switch (ev->type) {
	case ENG_EV_SHOWN:
		/* retrace the move: to a question on the route, or to the stop screen */
		if (!ev->qid) {
			if (e->pos < 0)
				return ENG_OK;
			e->pos = e->stop == STOP_QUESTION ? e->ntrail - 1 : -1;
			return e->pos < 0 ? ENG_OK : refuse(e, ENG_DENIED, N_("no check or ending to show"));
		}
		if (e->pos >= 0 && !strcmp(e->f->nodes[e->trail[e->pos].node].id, ev->qid) &&
		    e->trail[e->pos].iter == ev->iter)
			return ENG_OK;
		return eng_jump(e, ev->qid, ev->iter);
	case ENG_EV_ANSWER:
		if (!ev->qid)
			return ENG_DENIED;
		if (e->pos < 0 || strcmp(e->f->nodes[e->trail[e->pos].node].id, ev->qid) ||
		    e->trail[e->pos].iter != ev->iter) {
			enum eng_rc rc = eng_jump(e, ev->qid, ev->iter);
			if (rc != ENG_OK)
				return rc;
		}
		if (e->f->nodes[e->trail[e->pos].node].qtype == FORM_Q_INFO)
			return eng_next(e);
		if (ev->state == FORM_S_DK || ev->state == FORM_S_RF) {
			memset(&a, 0, sizeof a);
			a.state = ev->state;
			return eng_answer(e, &a);
		}
		return answer_typed(e, ev->value, 0);
	case ENG_EV_CONFIRM:
		return eng_confirm(e);
	case ENG_EV_LANG:
		lang = ev->lang ? form_lang(e->f, ev->lang) : -1;
		return eng_set_lang(e, lang);
	case ENG_EV_BACK:
		return eng_back(e);
	case ENG_EV_JUMP:
		return ev->qid ? eng_jump(e, ev->qid, ev->iter) : ENG_DENIED;
	default:
		return ENG_OK;
	}
}

/* Inspection ------------------------------------------------------------------------------ */

/* Is the question's answer on the route? */
static int question_on_route(const struct eng *e, int node, int iter)
{
	const struct form_node *n = &e->f->nodes[node];
	struct ans *a;

	if (n->qtype == FORM_Q_GRID)
		a = n->nitems ? ans_at(e, n->items[0].var, iter) : NULL;
	else
		a = ans_at(e, n->var, iter);
	return a && a->on_route;
}

int eng_get(const struct eng *e, const char *qid, int iter, enum form_vstate *state,
            const char **value, int *on_route)
{
	struct eng *me = (struct eng *)e;
	int node = form_node_find(e->f, qid);

	if (node < 0 || e->f->nodes[node].kind != FORM_N_QUESTION ||
	    e->f->nodes[node].qtype == FORM_Q_INFO || !answered(e, node, iter))
		return 0;
	buf_reset(&me->tmp);
	answer_text(me, node, iter, &me->tmp, state);
	if (value)
		*value = buf_str(&me->tmp);
	if (on_route)
		*on_route = question_on_route(e, node, iter);
	return 1;
}

void eng_foreach_answer(const struct eng *e,
                        void (*cb)(void *ctx, const char *qid, int iter, enum form_vstate state,
                                   const char *value, int on_route),
                        void *ctx)
{
	struct eng *me = (struct eng *)e;
	int i, it, nit;
	enum form_vstate st;

	for (i = 0; i < e->f->nnodes; i++) {
		const struct form_node *n = &e->f->nodes[i];

		if (n->kind != FORM_N_QUESTION || n->qtype == FORM_Q_INFO)
			continue;
		nit = n->loop >= 0 ? e->f->nodes[n->loop].max_iter : 0;
		for (it = n->loop >= 0 ? 1 : 0; it <= nit; it++) {
			if (!answered(e, i, it))
				continue;
			buf_reset(&me->tmp);
			answer_text(me, i, it, &me->tmp, &st);
			cb(ctx, n->id, it, st, buf_str(&me->tmp), question_on_route(e, i, it));
		}
	}
}

int eng_route(const struct eng *e, const char ***qids, const int **iters)
{
	struct eng *me = (struct eng *)e;
	int i, n = 0;

	if (me->route_cap < e->ntrail + 1) {
		me->route_cap = e->ntrail + 1;
		me->route_ids = xrealloc(me->route_ids, sizeof *me->route_ids * (size_t)me->route_cap);
		me->route_iters = xrealloc(me->route_iters, sizeof *me->route_iters * (size_t)me->route_cap);
	}
	for (i = 0; i < e->ntrail; i++) {
		const struct form_node *nd = &e->f->nodes[e->trail[i].node];
		if (nd->kind != FORM_N_QUESTION)
			continue;
		me->route_ids[n] = nd->id;
		me->route_iters[n] = e->trail[i].iter;
		n++;
	}
	*qids = me->route_ids;
	*iters = me->route_iters;
	return n;
}

void eng_cells(const struct eng *e,
               void (*cb)(void *ctx, const struct form_quota *q, const char *cell, int target),
               void *ctx)
{
	struct buf b;
	int i, target;

	buf_init(&b);
	for (i = 0; i < e->f->nquotas; i++) {
		buf_reset(&b);
		if (quota_cell(e, &e->f->quotas[i], &b, &target))
			cb(ctx, &e->f->quotas[i], buf_str(&b), target);
	}
	buf_release(&b);
}
