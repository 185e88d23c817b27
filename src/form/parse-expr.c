/* parse-expr.c: expressions (conditions, computed values, loop counts) and `if COND`. */
#include "cati/i18n.h"
#include "parse-int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_EXPR_DEPTH 100

static struct form_expr *parse_or(struct parser *P);

/* A new expression node of op at token at. */
static struct form_expr *mk(struct parser *P, enum form_op op, const struct token *at)
{
	struct form_expr *e = arena_alloc(&P->f->arena, sizeof *e);

	e->op = op;
	e->line = at->line;
	e->col = at->col;
	e->var = -1;
	return e;
}

/* The functions an expression may call, each taking one argument. */
static const struct {
	const char *name;
	enum form_op op;
} functions[] = {
	{ "answered", FORM_E_ANSWERED }, { "asked", FORM_E_ASKED }, { "dk", FORM_E_DK },
	{ "rf", FORM_E_RF }, { "count", FORM_E_COUNT }, { "len", FORM_E_LEN },
	{ "abs", FORM_E_ABS }, { "round", FORM_E_ROUND },
};

/* A reference: name, name.item, name[iteration]. */
static struct form_expr *parse_ref(struct parser *P)
{
	struct token *t = tok(P);
	struct form_expr *e = mk(P, FORM_E_REF, t);
	struct buf b;

	buf_init(&b);
	buf_add(&b, t->p, t->len);
	P->i++;
	if (tok(P)->type == T_DOT) {
		P->i++;
		if (tok(P)->type != T_IDENT) {
			buf_release(&b);
			expected(P, _("a grid item name after '.'"));
			return NULL;
		}
		buf_putc(&b, '.');
		buf_add(&b, tok(P)->p, tok(P)->len);
		P->i++;
	}
	e->str = arena_strndup(&P->f->arena, buf_str(&b), b.len);
	buf_release(&b);
	if (tok(P)->type == T_LBRACK) {
		P->i++;
		e->b = parse_or(P);
		if (!e->b)
			return NULL;
		if (tok(P)->type != T_RBRACK) {
			expected(P, "']'");
			return NULL;
		}
		P->i++;
	}
	return e;
}

/* A value: number, text, date, (expression), yes/no, true/false, function call or reference. */
static struct form_expr *parse_primary(struct parser *P)
{
	struct token *t = tok(P);
	struct form_expr *e;
	char d[64];
	size_t k;

	switch (t->type) {
	case T_NUM:
		e = mk(P, FORM_E_NUM, t);
		e->num = t->num;
		P->i++;
		return e;
	case T_STR:
		e = mk(P, FORM_E_STR, t);
		e->str = t->str;
		P->i++;
		return e;
	case T_DATE:
		e = mk(P, FORM_E_DATE, t);
		e->num = t->num;
		P->i++;
		return e;
	case T_LPAREN:
		P->i++;
		e = parse_or(P);
		if (!e)
			return NULL;
		if (tok(P)->type != T_RPAREN) {
			expected(P, "')'");
			return NULL;
		}
		P->i++;
		return e;
	case T_IDENT:
		if (tok_is(t, "yes") || tok_is(t, "no")) {
			e = mk(P, FORM_E_NUM, t);
			e->num = tok_is(t, "yes") ? 1 : 2;
			P->i++;
			return e;
		}
		if (tok_is(t, "true") || tok_is(t, "false")) {
			e = mk(P, FORM_E_BOOL, t);
			e->num = tok_is(t, "true");
			P->i++;
			return e;
		}
		if (peek(P, 1)->type == T_LPAREN) {
			for (k = 0; k < sizeof functions / sizeof functions[0]; k++)
				if (tok_is(t, functions[k].name))
					break;
			if (k == sizeof functions / sizeof functions[0]) {
				const char *names[sizeof functions / sizeof functions[0]];
				const char *s;
				char *name = tok_dup(P, t);

				for (k = 0; k < sizeof functions / sizeof functions[0]; k++)
					names[k] = functions[k].name;
				s = suggest(name, names, (int)(sizeof names / sizeof names[0]));
				fail_at(P, t, _("unknown function '%s'%s%s%s"), name, s ? _("; did you mean '") : "",
				        s ? s : "", s ? "'?" : _(" (functions: answered asked dk rf count len abs round)"));
				return NULL;
			}
			e = mk(P, functions[k].op, t);
			P->i += 2;
			e->a = parse_or(P);
			if (!e->a)
				return NULL;
			if (tok(P)->type != T_RPAREN) {
				expected(P, _("')' (functions take one argument)"));
				return NULL;
			}
			P->i++;
			return e;
		}
		if (is_keyword(t->p, t->len)) {
			fail_at(P, t, _("expected a value, found the keyword '%.*s'"), (int)t->len, t->p);
			return NULL;
		}
		return parse_ref(P);
	default:
		fail_at(P, t, _("expected a value, found %s"), describe(t, d, sizeof d));
		return NULL;
	}
}

/* A value with any number of leading minus signs. */
static struct form_expr *parse_unary(struct parser *P)
{
	struct token *t = tok(P);
	struct form_expr *e;

	if (t->type == T_MINUS) {
		if (++P->edepth > MAX_EXPR_DEPTH) {
			fail_at(P, t, _("too many '-' in a row"));
			P->edepth--;
			return NULL;
		}
		P->i++;
		e = mk(P, FORM_E_NEG, t);
		e->a = parse_unary(P);
		P->edepth--;
		return e->a ? e : NULL;
	}
	return parse_primary(P);
}

/* Products: a * b, a / b, a mod b. */
static struct form_expr *parse_term(struct parser *P)
{
	struct form_expr *l = parse_unary(P), *e;
	struct token *t;
	enum form_op op;

	while (l) {
		t = tok(P);
		if (t->type == T_STAR)
			op = FORM_E_MUL;
		else if (t->type == T_SLASH)
			op = FORM_E_DIV;
		else if (tok_is(t, "mod"))
			op = FORM_E_MOD;
		else
			break;
		P->i++;
		e = mk(P, op, t);
		e->a = l;
		e->b = parse_unary(P);
		l = e->b ? e : NULL;
	}
	return l;
}

/* Sums: a + b, a - b. */
static struct form_expr *parse_sum(struct parser *P)
{
	struct form_expr *l = parse_term(P), *e;
	struct token *t;

	while (l) {
		t = tok(P);
		if (t->type != T_PLUS && t->type != T_MINUS)
			break;
		P->i++;
		e = mk(P, t->type == T_PLUS ? FORM_E_ADD : FORM_E_SUB, t);
		e->a = l;
		e->b = parse_term(P);
		l = e->b ? e : NULL;
	}
	return l;
}

/* The right side of `in`: (1, 2, 5..7), 1..3, or a multiple-choice answer. */
static struct form_expr *parse_in(struct parser *P, struct form_expr *l, const struct token *at)
{
	struct form_expr *e;
	double lo, hi, *los = NULL, *his = NULL;
	int n = 0, cap = 0, paren;

	paren = tok(P)->type == T_LPAREN;
	if (paren || tok(P)->type == T_NUM || tok(P)->type == T_MINUS) {
		e = mk(P, FORM_E_IN_LIST, at);
		e->a = l;
		if (paren)
			P->i++;
		for (;;) {
			if (take_number(P, &lo, 0, "a number") < 0)
				goto fail;
			hi = lo;
			if (tok(P)->type == T_RANGE) {
				P->i++;
				if (take_number(P, &hi, 0, _("a number after '..'")) < 0)
					goto fail;
				if (hi < lo) {
					fail_at(P, at, _("the range %g..%g is empty: put the smaller number first"),
					        lo, hi);
					goto fail;
				}
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				los = xrealloc(los, (size_t)cap * sizeof *los);
				his = xrealloc(his, (size_t)cap * sizeof *his);
			}
			los[n] = lo;
			his[n] = hi;
			n++;
			if (!paren || tok(P)->type != T_COMMA)
				break;
			P->i++;
		}
		if (paren) {
			if (tok(P)->type != T_RPAREN) {
				expected(P, _("',' or ')' in the list"));
				goto fail;
			}
			P->i++;
		}
		e->nranges = n;
		e->lo = arena_alloc(&P->f->arena, sizeof(double) * (size_t)n);
		e->hi = arena_alloc(&P->f->arena, sizeof(double) * (size_t)n);
		memcpy(e->lo, los, sizeof(double) * (size_t)n);
		memcpy(e->hi, his, sizeof(double) * (size_t)n);
		free(los);
		free(his);
		return e;
fail:
		free(los);
		free(his);
		return NULL;
	}
	e = mk(P, FORM_E_IN_SET, at);
	e->a = l;
	e->b = parse_sum(P);
	return e->b ? e : NULL;
}

/* A comparison (one, not chained), an `in` or a `not in`, or a plain sum. */
static struct form_expr *parse_cmp(struct parser *P)
{
	struct form_expr *l = parse_sum(P), *e;
	struct token *t = tok(P);
	enum form_op op;

	if (!l)
		return NULL;
	if (tok_is(t, "in")) {
		P->i++;
		return parse_in(P, l, t);
	}
	if (tok_is(t, "not") && tok_is(peek(P, 1), "in")) {
		P->i += 2;
		e = mk(P, FORM_E_NOT, t);
		e->a = parse_in(P, l, t);
		return e->a ? e : NULL;
	}
	switch (t->type) {
	case T_EQ: op = FORM_E_EQ; break;
	case T_NE: op = FORM_E_NE; break;
	case T_LT: op = FORM_E_LT; break;
	case T_LE: op = FORM_E_LE; break;
	case T_GT: op = FORM_E_GT; break;
	case T_GE: op = FORM_E_GE; break;
	default: return l;
	}
	P->i++;
	e = mk(P, op, t);
	e->a = l;
	e->b = parse_sum(P);
	if (e->b && (tok(P)->type == T_EQ || tok(P)->type == T_LT || tok(P)->type == T_GT ||
	             tok(P)->type == T_LE || tok(P)->type == T_GE || tok(P)->type == T_NE)) {
		fail_at(P, tok(P), _("comparisons cannot be chained: write 'a < b and b < c'"));
		return NULL;
	}
	return e->b ? e : NULL;
}

/* `not` in front of a comparison, any number of times. */
static struct form_expr *parse_not(struct parser *P)
{
	struct token *t = tok(P);
	struct form_expr *e;

	if (tok_is(t, "not")) {
		if (++P->edepth > MAX_EXPR_DEPTH) {
			fail_at(P, t, _("too many 'not's in a row"));
			P->edepth--;
			return NULL;
		}
		P->i++;
		e = mk(P, FORM_E_NOT, t);
		e->a = parse_not(P);
		P->edepth--;
		return e->a ? e : NULL;
	}
	return parse_cmp(P);
}

/* Conditions joined by `and`. */
static struct form_expr *parse_and(struct parser *P)
{
	struct form_expr *l = parse_not(P), *e;
	struct token *t;

	while (l && tok_is(tok(P), "and")) {
		t = tok(P);
		P->i++;
		e = mk(P, FORM_E_AND, t);
		e->a = l;
		e->b = parse_not(P);
		l = e->b ? e : NULL;
	}
	return l;
}

/* Conditions joined by `or`: a whole expression, its depth bounded. */
static struct form_expr *parse_or(struct parser *P)
{
	struct form_expr *l, *e;
	struct token *t;

	if (++P->edepth > MAX_EXPR_DEPTH) {
		fail_at(P, tok(P), _("the expression is nested too deeply (more than %d levels)"),
		        MAX_EXPR_DEPTH);
		P->edepth--;
		return NULL;
	}
	l = parse_and(P);
	P->edepth--;
	while (l && tok_is(tok(P), "or")) {
		t = tok(P);
		P->i++;
		e = mk(P, FORM_E_OR, t);
		e->a = l;
		e->b = parse_and(P);
		l = e->b ? e : NULL;
	}
	return l;
}

/* An expression, and its source text. */
struct form_expr *parse_expr(struct parser *P, const char **src)
{
	struct token *first = tok(P);
	struct form_expr *e;
	struct token *last;

	if (first->type == T_EOL) {
		expected(P, _("a condition or value"));
		return NULL;
	}
	e = parse_or(P);
	if (e && src) {
		last = &P->t[P->i - 1];
		*src = arena_strndup(&P->f->arena, first->p, (size_t)(last->p + last->len - first->p));
	}
	return e;
}

/* `if EXPR` at the end of a statement, when present. */
void parse_if(struct parser *P, struct form_node *n)
{
	if (!tok_is(tok(P), "if"))
		return;
	P->i++;
	n->cond = parse_expr(P, &n->cond_src);
}
