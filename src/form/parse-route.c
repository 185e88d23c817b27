/*
 * parse-route.c: the statements that shape the route: group, loop, end, skip, compute, check,
 * screenout, complete.
 */
#include "cati/i18n.h"
#include "parse-int.h"

#include <string.h>
#include "cati/calls.h"

/* group NAME [random] [if COND], or loop NAME times EXPR [max N] [if COND]: opens a block. */
void parse_block_start(struct parser *P, int is_loop)
{
	struct token *kw = tok(P), *idt;
	struct form_node *n;
	char *id;
	int idx;
	double v;

	P->i++;
	idt = tok(P);
	id = take_id(P, is_loop ? _("a loop name") : _("a group name"));
	if (!id || !check_fresh(P, id, idt))
		return;
	if (P->depth >= MAX_DEPTH) {
		fail_at(P, kw, _("groups are nested too deeply (at most %d)"), MAX_DEPTH);
		return;
	}
	if (is_loop) {
		int k;
		for (k = 0; k < P->depth; k++) {
			if (P->f->nodes[P->stack[k]].kind == FORM_N_LOOP) {
				fail_at(P, kw, _("loops cannot be nested: '%s' is inside loop '%s' (line %d)"),
				        id, P->f->nodes[P->stack[k]].id, P->f->nodes[P->stack[k]].line);
				return;
			}
		}
	}
	idx = new_node(P, is_loop ? FORM_N_LOOP : FORM_N_GROUP, id, kw);
	n = &P->f->nodes[idx];
	P->stack[P->depth++] = idx;
	P->last[P->depth] = -1;
	P->cur = -1;
	if (is_loop) {
		n->max_iter = FORM_DEFAULT_LOOP_MAX;
		new_var(P, id, FORM_V_LOOPIDX, FORM_T_NUM, idx, kw->line);
		if (!tok_is(tok(P), "times")) {
			expected(P, _("'times' and how often to repeat: loop NAME times EXPR"));
			return;
		}
		P->i++;
		n->expr = parse_expr(P, &n->expr_src);
		if (!n->expr)
			return;
		if (tok_is(tok(P), "max")) {
			struct token *mt = tok(P);
			P->i++;
			if (take_number(P, &v, 1, _("the largest number of repetitions")) < 0)
				return;
			if (v < 1 || v > FORM_MAX_LOOP) {
				fail_at(P, mt, _("max must be from 1 to %d"), FORM_MAX_LOOP);
				return;
			}
			n->max_iter = (int)v;
		}
	} else if (tok_is(tok(P), "random")) {
		P->i++;
		n->flags |= FORM_F_RANDOM;
	}
	parse_if(P, n);
	want_eol(P);
}

/* end: closes the innermost open group or loop. */
void parse_end(struct parser *P)
{
	struct token *kw = tok(P);

	P->i++;
	if (!P->depth) {
		fail_at(P, kw, _("'end' without an open group or loop"));
		return;
	}
	P->depth--;
	P->cur = -1;
	want_eol(P);
}

/* skip to NAME [if COND]. */
void parse_skip(struct parser *P)
{
	struct token *kw = tok(P);
	struct form_node *n;
	int idx;

	P->i++;
	if (!tok_is(tok(P), "to")) {
		expected(P, _("'to': skip to NAME"));
		return;
	}
	P->i++;
	if (tok(P)->type != T_IDENT || is_keyword(tok(P)->p, tok(P)->len)) {
		expected(P, _("the name of a later question or group"));
		return;
	}
	idx = new_node(P, FORM_N_SKIP, NULL, kw);
	n = &P->f->nodes[idx];
	P->extra[idx].target = tok_dup(P, tok(P));
	P->extra[idx].tline = tok(P)->line;
	P->extra[idx].tcol = tok(P)->col;
	P->i++;
	P->cur = -1;
	parse_if(P, n);
	want_eol(P);
}

/* compute NAME = EXPRESSION. */
void parse_compute(struct parser *P)
{
	struct token *kw = tok(P), *idt;
	struct form_node *n;
	char *id;
	int idx;

	P->i++;
	idt = tok(P);
	id = take_id(P, _("the name of the computed variable"));
	if (!id || !check_fresh(P, id, idt))
		return;
	if (tok(P)->type != T_EQ) {
		expected(P, "'=': compute NAME = EXPRESSION");
		return;
	}
	P->i++;
	idx = new_node(P, FORM_N_COMPUTE, id, kw);
	n = &P->f->nodes[idx];
	n->var = new_var(P, id, FORM_V_COMPUTE, FORM_T_NONE, idx, kw->line);
	P->cur = -1;
	n->expr = parse_expr(P, &n->expr_src);
	want_eol(P);
}

/* check hard|soft EXPRESSION [texts]: the message may follow on the next lines. */
void parse_check(struct parser *P)
{
	struct token *kw = tok(P);
	struct form_node *n;
	int idx, hard;

	P->i++;
	if (tok_is(tok(P), "hard"))
		hard = 1;
	else if (tok_is(tok(P), "soft"))
		hard = 0;
	else {
		expected(P, _("'hard' or 'soft' after 'check'"));
		return;
	}
	P->i++;
	idx = new_node(P, FORM_N_CHECK, NULL, kw);
	n = &P->f->nodes[idx];
	n->flags |= hard ? FORM_F_HARD : 0;
	P->cur = -1;
	n->expr = parse_expr(P, &n->expr_src);
	if (!n->expr)
		return;
	/* the message may follow on the next lines: `en "..."` */
	if (parse_texts(P, &n->message, _("the check")) == 0 && !P->bad) {
		P->last_obj = &n->message;
		P->last_what = "the check";
	}
	want_eol(P);
}

/* `outcome NAME` on a screen-out: the call outcome the ending records (see calls.h). */
static void parse_call_outcome(struct parser *P, struct form_node *n, int complete)
{
	struct token *kw = tok(P), *t;
	struct buf valid;
	char *name;

	if (complete) {
		fail_at(P, kw, _("a 'complete' ending records the call outcome complete; 'outcome' names the call outcome of a screenout"));
		return;
	}
	if (n->call_outcome) {
		fail_at(P, kw, _("'outcome' is given twice"));
		return;
	}
	P->i++;
	t = tok(P);
	if (tok_is(t, "complete")) {
		fail_at(P, t, _("a screen-out cannot record the call outcome 'complete'; use the 'complete' statement"));
		return;
	}
	if (t->type != T_IDENT || is_keyword(t->p, t->len)) {
		expected(P, _("the call outcome it records, e.g. outcome refusal"));
		return;
	}
	name = tok_dup(P, t);
	if (!calls_ending_outcome(name)) {
		buf_init(&valid);
		calls_ending_outcomes(&valid);
		fail_at(P, t, _("'%s' is not a call outcome an ending can record (%s)"), name, buf_str(&valid));
		buf_release(&valid);
		return;
	}
	n->call_outcome = calls_ending_outcome(name)->name;
	P->i++;
}

/* screenout NAME [outcome CALL] [if COND] [outcome CALL]; complete [if COND] */
void parse_ending(struct parser *P, int complete)
{
	struct token *kw = tok(P);
	struct form_node *n;
	const char *outcome = "complete";
	int idx;

	P->i++;
	if (!complete) {
		struct token *t = tok(P);
		if (t->type != T_IDENT || is_keyword(t->p, t->len)) {
			expected(P, _("the name of the outcome, e.g. screenout not_eligible"));
			return;
		}
		outcome = tok_dup(P, t);
		if (!strcmp(outcome, "complete")) {
			fail_at(P, t, _("'complete' is not a screen-out outcome; use the 'complete' statement"));
			return;
		}
		P->i++;
	}
	idx = new_node(P, FORM_N_ENDING, NULL, kw);
	n = &P->f->nodes[idx];
	n->outcome = outcome;
	n->flags |= complete ? FORM_F_COMPLETE : 0;
	P->cur = idx;
	/* the call outcome may come before or after the condition */
	if (tok_is(tok(P), "outcome"))
		parse_call_outcome(P, n, complete);
	if (!P->bad)
		parse_if(P, n);
	if (!P->bad && tok_is(tok(P), "outcome"))
		parse_call_outcome(P, n, complete);
	if (!n->call_outcome)
		n->call_outcome = complete ? "complete" : "screened_out";
	want_eol(P);
}
