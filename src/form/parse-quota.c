/* parse-quota.c: quotas (quota NAME by VAR... target N) and their cell lines. */
#include "cati/i18n.h"
#include "parse-int.h"

#include <string.h>

/* An ending outside the route (a quota's): in the node table, linked to nothing. */
static int detached_ending(struct parser *P, const struct token *at, const char *outcome)
{
	struct form *f = P->f;
	struct form_node *n;
	int idx = f->nnodes;

	if (f->nnodes == P->nodes_cap) {
		P->nodes_cap = P->nodes_cap ? P->nodes_cap * 2 : 64;
		f->nodes = xrealloc(f->nodes, (size_t)P->nodes_cap * sizeof *f->nodes);
		P->extra = xrealloc(P->extra, (size_t)P->nodes_cap * sizeof *P->extra);
	}
	n = &f->nodes[f->nnodes++];
	memset(n, 0, sizeof *n);
	memset(&P->extra[idx], 0, sizeof P->extra[idx]);
	n->kind = FORM_N_ENDING;
	n->line = at->line;
	n->col = at->col;
	n->parent = n->child = n->next = n->var = n->target = n->loop = -1;
	n->outcome = outcome;
	n->call_outcome = "quota_full";
	return idx;
}

/* quota NAME by VAR... target N [allowance N] [outcome NAME] */
void parse_quota(struct parser *P)
{
	struct token *kw = tok(P), *idt;
	struct form_quota *q;
	const char *names[16];
	const char *outcome = "quota_full";
	char *id;
	double v;
	int i, nv = 0, target = -1, allowance = -1;

	if (P->depth) {
		fail_at(P, kw, _("a quota is defined at the top level, not inside a group or loop"));
		return;
	}
	P->i++;
	idt = tok(P);
	if (!(id = take_id(P, _("the quota's name"))))
		return;
	for (i = 0; i < P->f->nquotas; i++) {
		if (!strcmp(P->f->quotas[i].id, id)) {
			fail_at(P, idt, _("quota '%s' is already defined on line %d"), id, P->f->quotas[i].line);
			return;
		}
	}
	if (!tok_is(tok(P), "by")) {
		expected(P, _("'by' and the variables that make its cells, e.g. quota q1 by region custtype target 50"));
		return;
	}
	P->i++;
	while (tok(P)->type == T_IDENT && !tok_is(tok(P), "target") && !tok_is(tok(P), "allowance") &&
	       !tok_is(tok(P), "outcome")) {
		if (nv == 16) {
			fail_at(P, tok(P), _("a quota has at most 16 variables"));
			return;
		}
		names[nv] = tok_dup(P, tok(P));
		/* a grid item is written grid.item */
		P->i++;
		if (tok(P)->type == T_DOT && peek(P, 1)->type == T_IDENT) {
			struct buf b;
			buf_init(&b);
			buf_printf(&b, "%s.%.*s", names[nv], (int)peek(P, 1)->len, peek(P, 1)->p);
			names[nv] = arena_strdup(&P->f->arena, buf_str(&b));
			buf_release(&b);
			P->i += 2;
		}
		nv++;
	}
	if (!nv) {
		expected(P, _("the variables that make the quota's cells, e.g. by region custtype"));
		return;
	}
	while (!at_eol(P) && !P->bad) {
		struct token *o = tok(P);
		if (tok_is(o, "target") || tok_is(o, "allowance")) {
			P->i++;
			if (take_number(P, &v, 1, tok_is(o, "target") ? _("the target (completes per cell)") : _("the allowance")) < 0)
				return;
			if (v < 0 || v > 1000000) {
				fail_at(P, o, _("the %s must be between 0 and 1000000"), tok_is(o, "target") ? "target" : "allowance");
				return;
			}
			if (tok_is(o, "target"))
				target = (int)v;
			else
				allowance = (int)v;
		} else if (tok_is(o, "outcome")) {
			P->i++;
			if (tok(P)->type != T_IDENT || is_keyword(tok(P)->p, tok(P)->len)) {
				expected(P, _("the outcome's name, e.g. outcome quota_full"));
				return;
			}
			outcome = tok_dup(P, tok(P));
			if (!strcmp(outcome, "complete")) {
				fail_at(P, tok(P), _("a full quota cell ends the interview as a screen-out, not 'complete'"));
				return;
			}
			P->i++;
		} else {
			char d[64];
			fail_at(P, o, _("unexpected %s: a quota line takes 'target N', 'allowance N' and 'outcome NAME'"),
			        describe(o, d, sizeof d));
			return;
		}
	}
	if (target < 0) {
		fail_at(P, kw, _("quota '%s' needs a target: completes per cell, e.g. target 50"), id);
		return;
	}
	if (P->f->nquotas == P->quotas_cap) {
		P->quotas_cap = P->quotas_cap ? P->quotas_cap * 2 : 4;
		P->f->quotas = xrealloc(P->f->quotas, (size_t)P->quotas_cap * sizeof *P->f->quotas);
	}
	q = &P->f->quotas[P->f->nquotas];
	memset(q, 0, sizeof *q);
	q->id = id;
	q->line = kw->line;
	q->col = kw->col;
	q->nvars = nv;
	q->var_names = arena_alloc(&P->f->arena, sizeof *q->var_names * (size_t)nv);
	memcpy(q->var_names, names, sizeof *names * (size_t)nv);
	q->vars = arena_alloc(&P->f->arena, sizeof *q->vars * (size_t)nv);
	q->scales = arena_alloc(&P->f->arena, sizeof *q->scales * (size_t)nv);
	for (i = 0; i < nv; i++)
		q->vars[i] = -1;
	q->target = target;
	q->allowance = allowance;
	q->ending = detached_ending(P, kw, outcome);
	P->quota_cur = P->f->nquotas++;
	P->cur = q->ending;
	want_eol(P);
}

/* cell CODE... target N: one cell of the quota above with its own target. */
void parse_cell(struct parser *P)
{
	struct token *kw = tok(P);
	struct form_quota *q;
	struct form_quota_cell *c;
	int codes[16], n = 0;
	double v;

	if (P->quota_cur < 0) {
		fail_at(P, kw, _("'cell' lines belong to a quota: put them right below it"));
		return;
	}
	q = &P->f->quotas[P->quota_cur];
	P->i++;
	while (!at_eol(P) && !tok_is(tok(P), "target")) {
		if (n == q->nvars) {
			fail_at(P, tok(P), _("quota '%s' has %d variable%s: a cell gives one code for each"), q->id,
			        q->nvars, q->nvars == 1 ? "" : "s");
			return;
		}
		if (take_number(P, &v, 1, "a code") < 0)
			return;
		codes[n++] = (int)v;
	}
	if (n != q->nvars) {
		fail_at(P, kw, _("quota '%s' has %d variable%s: a cell gives one code for each"), q->id, q->nvars,
		        q->nvars == 1 ? "" : "s");
		return;
	}
	if (!tok_is(tok(P), "target")) {
		expected(P, _("'target N' after the codes"));
		return;
	}
	P->i++;
	if (take_number(P, &v, 1, _("the cell's target")) < 0)
		return;
	if (v < 0 || v > 1000000) {
		fail_at(P, kw, _("the target must be between 0 and 1000000"));
		return;
	}
	c = arena_alloc(&P->f->arena, sizeof *c * (size_t)(q->ncells + 1));
	if (q->ncells)
		memcpy(c, q->cells, sizeof *c * (size_t)q->ncells);
	q->cells = c;
	c = &q->cells[q->ncells++];
	c->codes = arena_alloc(&P->f->arena, sizeof(int) * (size_t)n);
	memcpy(c->codes, codes, sizeof(int) * (size_t)n);
	c->target = (int)v;
	c->line = kw->line;
	want_eol(P);
}
