/* answers.c: stored values, their canonical text, and the checks an answer must pass. */
#include "engine-int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Free a stored value and leave it empty. */
void ans_clear(struct ans *a)
{
	free(a->text);
	free(a->codes);
	free(a->canon);
	memset(a, 0, sizeof *a);
}

/* The stored value of slot in iteration iter, or NULL when there is no such place. */
struct ans *ans_at(const struct eng *e, int slot, int iter)
{
	if (slot < 0 || slot >= e->f->nvars || iter < 0 || iter >= e->niter[slot])
		return NULL;
	return &e->vals[slot][iter];
}

/* qsort order for codes: ascending. */
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

/* The environment expressions read answers through, for iteration iter. */
struct form_env form_env(struct eng *e, int iter)
{
	struct form_env env = { e, get_value, iter };
	return env;
}

/* Has the info screen (node, iter) been acknowledged? */
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

/* The number as the interviewer would type it, for messages. */
static const char *fmt_num(char *out, size_t n, double v, int decimals)
{
	snprintf(out, n, "%.*f", decimals, v);
	return out;
}

/* Check an answer against the question's type and limits. */
enum eng_rc validate(struct eng *e, const struct form_node *n, const struct eng_answer *a)
{
	char lo[32], hi[32];
	int i, k;

	if (a->state == FORM_S_DK || a->state == FORM_S_RF) {
		if (n->qtype == FORM_Q_INFO)
			return refuse(e, ENG_INVALID, N_("this screen takes no answer"));
		if (!(n->flags & (a->state == FORM_S_DK ? FORM_F_DK : FORM_F_RF)))
			return refuse(e, ENG_INVALID, N_("%s is not allowed for this question"),
			              a->state == FORM_S_DK ? "don't know" : "refused");
		return ENG_OK;
	}
	if (a->state != FORM_S_OK)
		return refuse(e, ENG_INVALID, N_("no answer given"));
	switch (n->qtype) {
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
		if (a->num != floor(a->num) || !form_scale_choice(n->scale, (int)a->num))
			return refuse(e, ENG_INVALID, N_("%g is not one of the choices"), a->num);
		return ENG_OK;
	case FORM_Q_MULTI:
		if (a->ncodes < n->minsel || a->ncodes > n->maxsel) {
			if (n->minsel == n->maxsel)
				return refuse(e, ENG_INVALID, N_("choose exactly %d"), n->minsel);
			return refuse(e, ENG_INVALID, N_("choose from %d to %d answers"), n->minsel, n->maxsel);
		}
		for (i = 0; i < a->ncodes; i++) {
			const struct form_choice *c = form_scale_choice(n->scale, a->codes[i]);
			if (!c)
				return refuse(e, ENG_INVALID, N_("%d is not one of the choices"), a->codes[i]);
			for (k = 0; k < i; k++)
				if (a->codes[k] == a->codes[i])
					return refuse(e, ENG_INVALID, N_("%d is chosen twice"), a->codes[i]);
			if ((c->flags & FORM_C_EXCLUSIVE) && a->ncodes > 1)
				return refuse(e, ENG_INVALID, N_("'%s' cannot be combined with other answers"),
				              form_text_get(e->f, &c->label, e->lang));
		}
		return ENG_OK;
	case FORM_Q_INTEGER:
		if (a->num != floor(a->num) || fabs(a->num) > 1e15)
			return refuse(e, ENG_INVALID, N_("enter a whole number"));
		/* fall through */
	case FORM_Q_DECIMAL:
		if (isnan(a->num) || isinf(a->num))
			return refuse(e, ENG_INVALID, N_("enter a number"));
		if (n->has_range && (a->num < n->lo - 1e-9 || a->num > n->hi + 1e-9)) {
			int d = n->qtype == FORM_Q_DECIMAL ? n->decimals : 0;
			return refuse(e, ENG_INVALID, N_("enter a number from %s to %s"),
			              fmt_num(lo, sizeof lo, n->lo, d), fmt_num(hi, sizeof hi, n->hi, d));
		}
		if (n->qtype == FORM_Q_DECIMAL) {
			double scaled = a->num * pow(10, n->decimals);
			if (fabs(scaled - round(scaled)) > 1e-6)
				return refuse(e, ENG_INVALID, n->decimals == 1 ? N_("%.15g: at most %d decimal")
				                                              : N_("%.15g: at most %d decimals"),
				              a->num, n->decimals);
		}
		return ENG_OK;
	case FORM_Q_TEXT: {
		size_t len = a->text ? strlen(a->text) : 0, bad;
		const char *p = a->text;

		while (p && *p && isspace((unsigned char)*p))
			p++;
		if (!p || !*p)
			return refuse(e, ENG_INVALID, N_("type an answer"));
		if (!utf8_valid(a->text, len, &bad))
			return refuse(e, ENG_INVALID, N_("the text is not valid UTF-8"));
		if ((int)utf8_len(a->text, len) > n->maxlen)
			return refuse(e, ENG_INVALID, N_("at most %d characters (this is %zu)"), n->maxlen,
			              utf8_len(a->text, len));
		return ENG_OK;
	}
	case FORM_Q_DATE:
		if (a->num != floor(a->num))
			return refuse(e, ENG_INVALID, N_("enter a date as YYYY-MM-DD"));
		if (n->has_range && (a->num < n->lo || a->num > n->hi)) {
			char d1[11], d2[11];
			form_date_format(n->lo, d1);
			form_date_format(n->hi, d2);
			return refuse(e, ENG_INVALID, N_("enter a date from %s to %s"), d1, d2);
		}
		return ENG_OK;
	case FORM_Q_GRID:
		if (a->ncodes != n->nitems)
			return refuse(e, ENG_INVALID, N_("answer all %d items"), n->nitems);
		for (i = 0; i < a->ncodes; i++) {
			if (a->codes[i] == ENG_CODE_DK || a->codes[i] == ENG_CODE_RF) {
				if (!(n->flags & (a->codes[i] == ENG_CODE_DK ? FORM_F_DK : FORM_F_RF)))
					return refuse(e, ENG_INVALID, N_("%s is not allowed here"),
					              a->codes[i] == ENG_CODE_DK ? "don't know" : "refused");
			} else if (!form_scale_choice(n->scale, a->codes[i])) {
				return refuse(e, ENG_INVALID, N_("%d is not on the scale (item '%s')"), a->codes[i],
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
int store_value(struct eng *e, int slot, int iter, enum form_vstate state, double num,
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
