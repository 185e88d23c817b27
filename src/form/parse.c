/* parse.c: turn form source into nodes, scales and variables (names resolved later). */
#include "form-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/calls.h"

#define MAX_DEPTH 32

struct parser {
	const char *path;
	struct form *f;
	struct form_diags *d;
	struct lexer lx;
	struct token *t;          /* the current line */
	int nt, tcap, i;
	int nodes_cap, vars_cap, scales_cap;
	struct parse_extra *extra;
	int cur;                  /* node that say/note/item/choice lines belong to, or -1 */
	struct form_scale *scale; /* scale statement receiving choice lines, or NULL */
	int scale_choices_cap;
	const char **last_text;   /* where a continuation line appends, or NULL */
	struct form_text *last_obj; /* the texts a `LANG "..."` line adds to, or NULL */
	const char *last_what;
	int stack[MAX_DEPTH];     /* open groups and loops */
	int depth;
	int last[MAX_DEPTH + 1];  /* last node at each depth, for sibling links */
	int seen_form;
	int statements;
	int bad;                  /* the current statement failed; skip its rest */
	struct case_scale *cs;    /* case fields coded by a scale */
	int ncs, cs_cap;
	int edepth;               /* expression nesting, bounded */
	int title_line;
	int quota_cur;            /* the quota receiving cell lines, or -1 */
	int quotas_cap;
};

#define MAX_EXPR_DEPTH 100
#define MAX_LINE_TOKENS 2000

static const char *const statements[] = {
	"form", "title", "version", "languages", "case", "scale", "single", "multi", "integer",
	"decimal", "text", "date", "yesno", "grid", "info", "say", "note", "item", "group", "loop",
	"end", "skip", "compute", "check", "screenout", "complete", "quota", "cell",
};

static struct token *tok(struct parser *P)
{
	return &P->t[P->i];
}

static struct token *peek(struct parser *P, int k)
{
	int j = P->i + k;
	return &P->t[j < P->nt ? j : P->nt - 1];
}

/* A short description of a token for messages. */
static const char *describe(const struct token *t, char *out, size_t n)
{
	switch (t->type) {
	case T_EOL:
		snprintf(out, n, "the end of the line");
		break;
	case T_STR:
		snprintf(out, n, "a text in quotes");
		break;
	default:
		snprintf(out, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->p);
		break;
	}
	return out;
}

/* Report at token t and mark the statement failed. */
static void fail_at(struct parser *P, const struct token *t, const char *fmt, ...)
	CATI_PRINTF(3, 4);
static void fail_at(struct parser *P, const struct token *t, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	if (P->bad)
		return;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	diag_add(P->d, t->line, t->col, "%s", buf_str(&b));
	buf_release(&b);
	P->bad = 1;
}

static void expected(struct parser *P, const char *what)
{
	char d[64];
	fail_at(P, tok(P), "expected %s, found %s", what, describe(tok(P), d, sizeof d));
}

static char *tok_dup(struct parser *P, const struct token *t)
{
	return arena_strndup(&P->f->arena, t->p, t->len);
}

/* Take an identifier that names something new; NULL (and an error) otherwise. */
static char *take_id(struct parser *P, const char *what)
{
	struct token *t = tok(P);
	char d[64];

	if (t->type != T_IDENT) {
		fail_at(P, t, "expected %s, found %s", what, describe(t, d, sizeof d));
		return NULL;
	}
	if (is_keyword(t->p, t->len)) {
		fail_at(P, t, "'%.*s' is a keyword of the form language and cannot be used as %s",
		        (int)t->len, t->p, what);
		return NULL;
	}
	if (t->len > FORM_MAX_ID) {
		fail_at(P, t, "name too long (at most %d characters)", FORM_MAX_ID);
		return NULL;
	}
	P->i++;
	return tok_dup(P, t);
}

/* A number, with an optional minus sign. */
static int take_number(struct parser *P, double *v, int want_int, const char *what)
{
	int neg = 0;
	struct token *t = tok(P);

	if (t->type == T_MINUS) {
		neg = 1;
		P->i++;
		t = tok(P);
	}
	if (t->type != T_NUM) {
		expected(P, what);
		return -1;
	}
	if (want_int && !t->is_int) {
		fail_at(P, t, "%s must be a whole number", what);
		return -1;
	}
	*v = neg ? -t->num : t->num;
	P->i++;
	return 0;
}

static int at_eol(struct parser *P)
{
	return tok(P)->type == T_EOL;
}

static void want_eol(struct parser *P)
{
	char d[64];

	if (!P->bad && !at_eol(P))
		fail_at(P, tok(P), "unexpected %s at the end of the statement",
		        describe(tok(P), d, sizeof d));
}

/* Language index of an identifier token, or -1 (with an error when report). */
static int lang_of(struct parser *P, const struct token *t, int report)
{
	int i;

	for (i = 0; i < P->f->nlangs; i++)
		if (strlen(P->f->langs[i]) == t->len && memcmp(P->f->langs[i], t->p, t->len) == 0)
			return i;
	if (report) {
		struct buf b;

		buf_init(&b);
		for (i = 0; i < P->f->nlangs; i++)
			buf_printf(&b, "%s%s", i ? " " : "", P->f->langs[i]);
		fail_at(P, t, "'%.*s' is not one of the form's languages (%s)", (int)t->len, t->p,
		        buf_str(&b));
		buf_release(&b);
	}
	return -1;
}

static void text_alloc(struct parser *P, struct form_text *t)
{
	if (!t->s)
		t->s = arena_alloc(&P->f->arena, sizeof(char *) * (size_t)(P->f->nlangs ? P->f->nlangs : 1));
}

/*
 * Read `lang "text"` pairs (or a bare "text" in a one-language form) into t.
 * Returns the number read, or -1 on error.
 */
static int parse_texts(struct parser *P, struct form_text *t, const char *what)
{
	int n = 0, lang;
	struct token *l;

	for (;;) {
		l = tok(P);
		if (l->type == T_STR) {
			if (P->f->nlangs != 1) {
				fail_at(P, l, "say which language this text is in, e.g. %s \"...\"",
				        P->f->nlangs ? P->f->langs[0] : "en");
				return -1;
			}
			lang = 0;
			P->i++;
		} else if (l->type == T_IDENT && peek(P, 1)->type == T_STR) {
			lang = lang_of(P, l, 1);
			if (lang < 0)
				return -1;
			text_alloc(P, t);
			if (t->s[lang]) {
				fail_at(P, l, "%s has two '%s' texts", what, P->f->langs[lang]);
				return -1;
			}
			P->i++;
			l = tok(P);
			P->i++;
		} else if (l->type == T_IDENT && peek(P, 1)->type != T_STR && lang_of(P, l, 0) >= 0) {
			P->i++;
			expected(P, "a text in \"quotes\" after the language");
			return -1;
		} else {
			break;
		}
		text_alloc(P, t);
		if (t->s[lang]) {
			fail_at(P, l, "%s has two '%s' texts", what, P->f->langs[lang]);
			return -1;
		}
		t->s[lang] = l->str;
		P->last_text = &t->s[lang];
		P->last_obj = t;
		P->last_what = what;
		n++;
	}
	return n;
}

/* Append a node under the open block; returns its index. */
static int new_node(struct parser *P, enum form_kind kind, const char *id, const struct token *at)
{
	struct form *f = P->f;
	struct form_node *n;
	int idx = f->nnodes, prev;

	if (f->nnodes == P->nodes_cap) {
		P->nodes_cap = P->nodes_cap ? P->nodes_cap * 2 : 64;
		f->nodes = xrealloc(f->nodes, (size_t)P->nodes_cap * sizeof *f->nodes);
		P->extra = xrealloc(P->extra, (size_t)P->nodes_cap * sizeof *P->extra);
	}
	n = &f->nodes[f->nnodes++];
	memset(n, 0, sizeof *n);
	memset(&P->extra[idx], 0, sizeof P->extra[idx]);
	P->extra[idx].depth = P->depth;
	n->kind = kind;
	n->id = id;
	n->line = at->line;
	n->col = at->col;
	n->parent = P->depth ? P->stack[P->depth - 1] : -1;
	n->child = n->next = -1;
	n->var = -1;
	n->target = -1;
	n->loop = -1;
	if (n->parent >= 0)
		n->loop = f->nodes[n->parent].kind == FORM_N_LOOP ? n->parent : f->nodes[n->parent].loop;
	prev = P->last[P->depth];
	if (prev >= 0)
		f->nodes[prev].next = idx;
	else if (n->parent >= 0)
		f->nodes[n->parent].child = idx;
	else
		f->first = idx;
	P->last[P->depth] = idx;
	if (id) {
		int old = hash_put(f->node_names, id, idx);
		if (old >= 0)
			diag_add(P->d, at->line, at->col, "'%s' is already defined on line %d", id,
			         f->nodes[old].line);
	}
	return idx;
}

/* Is id free to define? Reports the clash otherwise. */
static int check_fresh(struct parser *P, const char *id, const struct token *at)
{
	struct form *f = P->f;
	int k;

	if ((k = hash_get(f->var_names, id)) >= 0) {
		fail_at(P, at, "'%s' is already defined on line %d", id, f->vars[k].line);
		return 0;
	}
	if ((k = hash_get(f->node_names, id)) >= 0) {
		fail_at(P, at, "'%s' is already defined on line %d", id, f->nodes[k].line);
		return 0;
	}
	if ((k = hash_get(f->scale_names, id)) >= 0) {
		fail_at(P, at, "'%s' is already the name of a scale (line %d)", id,
		        f->scales[k]->line);
		return 0;
	}
	return 1;
}

/* Add a variable; returns its slot. */
static int new_var(struct parser *P, const char *id, enum form_vkind kind, enum form_type type,
                   int node, int line)
{
	struct form *f = P->f;
	struct form_var *v;

	if (f->nvars == P->vars_cap) {
		P->vars_cap = P->vars_cap ? P->vars_cap * 2 : 64;
		f->vars = xrealloc(f->vars, (size_t)P->vars_cap * sizeof *f->vars);
	}
	v = &f->vars[f->nvars];
	memset(v, 0, sizeof *v);
	v->id = id;
	v->kind = kind;
	v->type = type;
	v->node = node;
	v->item = -1;
	v->loop = node >= 0 ? (f->nodes[node].kind == FORM_N_LOOP ? node : f->nodes[node].loop) : -1;
	v->line = line;
	hash_put(f->var_names, id, f->nvars);
	return f->nvars++;
}

static struct form_scale *new_scale(struct parser *P, const char *id, int line)
{
	struct form *f = P->f;
	struct form_scale *s = arena_alloc(&f->arena, sizeof *s);

	s->id = id;
	s->line = line;
	if (id) {
		if (f->nscales == P->scales_cap) {
			P->scales_cap = P->scales_cap ? P->scales_cap * 2 : 16;
			f->scales = xrealloc(f->scales, (size_t)P->scales_cap * sizeof *f->scales);
		}
		hash_put(f->scale_names, id, f->nscales);
		f->scales[f->nscales++] = s;
	}
	return s;
}

/* Expressions ------------------------------------------------------------------------------ */

static struct form_expr *parse_or(struct parser *P);

static struct form_expr *mk(struct parser *P, enum form_op op, const struct token *at)
{
	struct form_expr *e = arena_alloc(&P->f->arena, sizeof *e);

	e->op = op;
	e->line = at->line;
	e->col = at->col;
	e->var = -1;
	return e;
}

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
			expected(P, "a grid item name after '.'");
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
				fail_at(P, t, "unknown function '%s'%s%s%s", name, s ? "; did you mean '" : "",
				        s ? s : "", s ? "'?" : " (functions: answered asked dk rf count len abs round)");
				return NULL;
			}
			e = mk(P, functions[k].op, t);
			P->i += 2;
			e->a = parse_or(P);
			if (!e->a)
				return NULL;
			if (tok(P)->type != T_RPAREN) {
				expected(P, "')' (functions take one argument)");
				return NULL;
			}
			P->i++;
			return e;
		}
		if (is_keyword(t->p, t->len)) {
			fail_at(P, t, "expected a value, found the keyword '%.*s'", (int)t->len, t->p);
			return NULL;
		}
		return parse_ref(P);
	default:
		fail_at(P, t, "expected a value, found %s", describe(t, d, sizeof d));
		return NULL;
	}
}

static struct form_expr *parse_unary(struct parser *P)
{
	struct token *t = tok(P);
	struct form_expr *e;

	if (t->type == T_MINUS) {
		if (++P->edepth > MAX_EXPR_DEPTH) {
			fail_at(P, t, "too many '-' in a row");
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
				if (take_number(P, &hi, 0, "a number after '..'") < 0)
					goto fail;
				if (hi < lo) {
					fail_at(P, at, "the range %g..%g is empty: put the smaller number first",
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
				expected(P, "',' or ')' in the list");
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
		fail_at(P, tok(P), "comparisons cannot be chained: write 'a < b and b < c'");
		return NULL;
	}
	return e->b ? e : NULL;
}

static struct form_expr *parse_not(struct parser *P)
{
	struct token *t = tok(P);
	struct form_expr *e;

	if (tok_is(t, "not")) {
		if (++P->edepth > MAX_EXPR_DEPTH) {
			fail_at(P, t, "too many 'not's in a row");
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

static struct form_expr *parse_or(struct parser *P)
{
	struct form_expr *l, *e;
	struct token *t;

	if (++P->edepth > MAX_EXPR_DEPTH) {
		fail_at(P, tok(P), "the expression is nested too deeply (more than %d levels)",
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
static struct form_expr *parse_expr(struct parser *P, const char **src)
{
	struct token *first = tok(P);
	struct form_expr *e;
	struct token *last;

	if (first->type == T_EOL) {
		expected(P, "a condition or value");
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
static void parse_if(struct parser *P, struct form_node *n)
{
	if (!tok_is(tok(P), "if"))
		return;
	P->i++;
	n->cond = parse_expr(P, &n->cond_src);
}

/* Statements ------------------------------------------------------------------------------- */

static const struct {
	const char *name;
	enum form_qtype type;
	const char *opts;   /* options allowed, space-separated */
} qtypes[] = {
	{ "single", FORM_Q_SINGLE, " scale dk rf random confirm fixed " },
	{ "multi", FORM_Q_MULTI, " scale min max dk rf random fixed " },
	{ "integer", FORM_Q_INTEGER, " range dk rf fixed " },
	{ "decimal", FORM_Q_DECIMAL, " range decimals dk rf fixed " },
	{ "text", FORM_Q_TEXT, " max dk rf fixed " },
	{ "date", FORM_Q_DATE, " range dk rf fixed " },
	{ "yesno", FORM_Q_YESNO, " dk rf confirm fixed " },
	{ "grid", FORM_Q_GRID, " scale dk rf random fixed " },
	{ "info", FORM_Q_INFO, " fixed " },
};

static int opt_allowed(int qt, const char *opt)
{
	const char *p = qtypes[qt].opts;
	size_t n = strlen(opt);

	while ((p = strstr(p, opt)) != NULL) {
		if (p[-1] == ' ' && p[n] == ' ')
			return 1;
		p += n;
	}
	return 0;
}

static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

/* A range LO..HI for a question of type qt. */
static int parse_range(struct parser *P, struct form_node *n)
{
	struct token *at = tok(P);
	double lo, hi;
	int isint = n->qtype == FORM_Q_INTEGER;

	if (n->qtype == FORM_Q_DATE) {
		if (tok(P)->type != T_DATE) {
			expected(P, "a date range like 2024-01-01..2024-12-31");
			return -1;
		}
		lo = tok(P)->num;
		P->i++;
		if (tok(P)->type != T_RANGE) {
			expected(P, "'..' in the range");
			return -1;
		}
		P->i++;
		if (tok(P)->type != T_DATE) {
			expected(P, "a date after '..'");
			return -1;
		}
		hi = tok(P)->num;
		P->i++;
	} else {
		if (take_number(P, &lo, isint, "the lowest value of the range") < 0)
			return -1;
		if (tok(P)->type != T_RANGE) {
			expected(P, "'..' in the range (write range 0..120)");
			return -1;
		}
		P->i++;
		if (take_number(P, &hi, isint, "the highest value of the range") < 0)
			return -1;
	}
	if (lo > hi) {
		fail_at(P, at, "the range is empty: the lowest value must come first");
		return -1;
	}
	n->has_range = 1;
	n->lo = lo;
	n->hi = hi;
	return 0;
}

static void parse_question(struct parser *P, int qt)
{
	struct token *kw = tok(P), *t, *idt;
	struct form_node *n;
	struct parse_extra *x;
	char *id;
	int idx;
	double v;
	char opt[32];

	P->i++;
	idt = tok(P);
	id = take_id(P, "a question name");
	if (!id || !check_fresh(P, id, idt))
		return;
	idx = new_node(P, FORM_N_QUESTION, id, kw);
	n = &P->f->nodes[idx];
	x = &P->extra[idx];
	n->qtype = qtypes[qt].type;
	n->maxlen = FORM_DEFAULT_TEXT_MAX;
	n->decimals = 2;
	P->cur = idx;
	P->f->nquestions++;
	if (n->qtype != FORM_Q_GRID && n->qtype != FORM_Q_INFO)
		n->var = new_var(P, id, FORM_V_QUESTION, FORM_T_NUM, idx, kw->line);

	while (!P->bad && !at_eol(P) && !tok_is(tok(P), "if")) {
		t = tok(P);
		if (t->type != T_IDENT) {
			expected(P, "an option or 'if'");
			break;
		}
		memcpy(opt, t->p, t->len < 24 ? t->len : 24);
		opt[t->len < 24 ? t->len : 24] = '\0';
		if (!is_keyword(t->p, t->len)) {
			if (!opt_allowed(qt, "scale")) {
				fail_at(P, t, "unknown option '%s' for %s %s question", opt,
				        article(qtypes[qt].name), qtypes[qt].name);
				break;
			}
			if (x->scale_name) {
				fail_at(P, t, "%s question has one scale; '%s' is a second one",
				        qtypes[qt].name, opt);
				break;
			}
			x->scale_name = tok_dup(P, t);
			x->sline = t->line;
			x->scol = t->col;
			P->i++;
			continue;
		}
		if (!opt_allowed(qt, opt)) {
			fail_at(P, t, "'%s' does not apply to %s %s question", opt,
			        article(qtypes[qt].name), qtypes[qt].name);
			break;
		}
		P->i++;
		if (!strcmp(opt, "dk"))
			n->flags |= FORM_F_DK;
		else if (!strcmp(opt, "rf"))
			n->flags |= FORM_F_RF;
		else if (!strcmp(opt, "random"))
			n->flags |= FORM_F_RANDOM;
		else if (!strcmp(opt, "confirm"))
			n->flags |= FORM_F_CONFIRM;
		else if (!strcmp(opt, "fixed"))
			n->flags |= FORM_F_FIXED;
		else if (!strcmp(opt, "range"))
			parse_range(P, n);
		else if (!strcmp(opt, "decimals")) {
			if (take_number(P, &v, 1, "the number of decimals") == 0) {
				if (v < 0 || v > 6)
					fail_at(P, t, "decimals must be from 0 to 6");
				n->decimals = (int)v;
			}
		} else if (!strcmp(opt, "min") || !strcmp(opt, "max")) {
			if (take_number(P, &v, 1, "a whole number") == 0) {
				if (v < 0 || v > 1000000)
					fail_at(P, t, "'%s' must be from 0 to 1000000", opt);
				else if (n->qtype == FORM_Q_TEXT)
					n->maxlen = (int)v;
				else if (opt[1] == 'i')
					n->minsel = (int)v;
				else
					n->maxsel = (int)v;
				if (n->qtype == FORM_Q_TEXT && v < 1)
					fail_at(P, t, "a text question needs max 1 or more");
			}
		}
	}
	if (P->bad)
		return;
	if ((qt == 0 || qt == 1) && n->minsel && n->maxsel && n->minsel > n->maxsel)
		fail_at(P, kw, "min %d is more than max %d", n->minsel, n->maxsel);
	if (n->qtype == FORM_Q_GRID && !x->scale_name)
		fail_at(P, kw, "a grid needs a scale: grid %s SCALE", id);
	parse_if(P, n);
	want_eol(P);
	if (n->qtype == FORM_Q_TEXT)
		P->f->vars[n->var].type = FORM_T_TEXT;
	else if (n->qtype == FORM_Q_DATE)
		P->f->vars[n->var].type = FORM_T_DATE;
	else if (n->qtype == FORM_Q_MULTI)
		P->f->vars[n->var].type = FORM_T_SET;
}

/* A choice line: CODE texts [anchor] [exclusive]. */
static void parse_choice(struct parser *P)
{
	struct token *at = tok(P);
	struct form_scale *s = P->scale;
	struct form_choice *c;
	struct form_node *q = NULL;
	double v;
	int i;

	if (!s && P->cur >= 0) {
		q = &P->f->nodes[P->cur];
		if (q->kind == FORM_N_QUESTION &&
		    (q->qtype == FORM_Q_SINGLE || q->qtype == FORM_Q_MULTI)) {
			if (P->extra[P->cur].scale_name) {
				fail_at(P, at, "question '%s' uses scale '%s'; it cannot also list choices",
				        q->id, P->extra[P->cur].scale_name);
				return;
			}
			if (!q->scale) {
				q->scale = new_scale(P, NULL, at->line);
				P->scale_choices_cap = 0;
			}
			s = (struct form_scale *)q->scale;
		}
	}
	if (!s) {
		fail_at(P, at, "a choice line (code and label) must follow a 'scale' line or a single or multi question");
		return;
	}
	if (take_number(P, &v, 1, "a choice code") < 0)
		return;
	if (v < 0 || v > FORM_MAX_CODE) {
		fail_at(P, at, "choice codes are whole numbers from 0 to %d", FORM_MAX_CODE);
		return;
	}
	for (i = 0; i < s->n; i++) {
		if (s->choices[i].code == (int)v) {
			fail_at(P, at, "duplicate code %d in %s%s%s (first on line %d)", (int)v,
			        s->id ? "scale '" : "the choices of '", s->id ? s->id : q->id, "'",
			        s->choices[i].line);
			return;
		}
	}
	if (s->n == P->scale_choices_cap) {
		struct form_choice *nc;

		P->scale_choices_cap = P->scale_choices_cap ? P->scale_choices_cap * 2 : 16;
		nc = arena_alloc(&P->f->arena, sizeof *nc * (size_t)P->scale_choices_cap);
		if (s->n)
			memcpy(nc, s->choices, sizeof *nc * (size_t)s->n);
		s->choices = nc;
	}
	c = &s->choices[s->n++];
	c->code = (int)v;
	c->line = at->line;
	if (parse_texts(P, &c->label, "the choice") < 0)
		return;
	while (!P->bad && tok(P)->type == T_IDENT) {
		if (tok_is(tok(P), "anchor"))
			c->flags |= FORM_C_ANCHOR;
		else if (tok_is(tok(P), "exclusive"))
			c->flags |= FORM_C_EXCLUSIVE;
		else
			break;
		P->i++;
	}
	if (!c->label.s && !P->bad)
		fail_at(P, tok(P), "choice %d needs a label, e.g. %d %s \"...\"", c->code, c->code,
		        P->f->nlangs ? P->f->langs[0] : "en");
	want_eol(P);
}

static void parse_case(struct parser *P)
{
	struct token *t;
	char *id;
	int slot;

	P->i++;
	if (at_eol(P)) {
		expected(P, "the name of a case field");
		return;
	}
	/* case ID TYPE... */
	if (peek(P, 1)->type == T_IDENT &&
	    (tok_is(peek(P, 1), "scale") || tok_is(peek(P, 1), "number") ||
	     tok_is(peek(P, 1), "text"))) {
		t = tok(P);
		id = take_id(P, "a case field name");
		if (!id || !check_fresh(P, id, t))
			return;
		slot = new_var(P, id, FORM_V_CASE, FORM_T_TEXT, -1, t->line);
		if (tok_is(tok(P), "scale")) {
			P->i++;
			if (tok(P)->type != T_IDENT) {
				expected(P, "the name of a scale");
				return;
			}
			P->f->vars[slot].type = FORM_T_NUM;
			if (P->ncs == P->cs_cap) {
				P->cs_cap = P->cs_cap ? P->cs_cap * 2 : 8;
				P->cs = xrealloc(P->cs, (size_t)P->cs_cap * sizeof *P->cs);
			}
			P->cs[P->ncs].slot = slot;
			P->cs[P->ncs].name = tok_dup(P, tok(P));
			P->cs[P->ncs].line = tok(P)->line;
			P->cs[P->ncs].col = tok(P)->col;
			P->ncs++;
			P->i++;
		} else if (tok_is(tok(P), "number")) {
			P->i++;
			P->f->vars[slot].type = FORM_T_NUM;
			if (!at_eol(P)) {
				double lo, hi;
				if (take_number(P, &lo, 0, "a range like 15..99") < 0)
					return;
				if (tok(P)->type != T_RANGE) {
					expected(P, "'..'");
					return;
				}
				P->i++;
				if (take_number(P, &hi, 0, "the highest value") < 0)
					return;
				if (lo > hi) {
					fail_at(P, t, "the range is empty: the lowest value must come first");
					return;
				}
				P->f->vars[slot].has_range = 1;
				P->f->vars[slot].lo = lo;
				P->f->vars[slot].hi = hi;
			}
		} else {
			P->i++;
		}
		want_eol(P);
		return;
	}
	while (!at_eol(P) && !P->bad) {
		t = tok(P);
		id = take_id(P, "a case field name");
		if (!id || !check_fresh(P, id, t))
			return;
		new_var(P, id, FORM_V_CASE, FORM_T_TEXT, -1, t->line);
	}
}

static void parse_block_start(struct parser *P, int is_loop)
{
	struct token *kw = tok(P), *idt;
	struct form_node *n;
	char *id;
	int idx;
	double v;

	P->i++;
	idt = tok(P);
	id = take_id(P, is_loop ? "a loop name" : "a group name");
	if (!id || !check_fresh(P, id, idt))
		return;
	if (P->depth >= MAX_DEPTH) {
		fail_at(P, kw, "groups are nested too deeply (at most %d)", MAX_DEPTH);
		return;
	}
	if (is_loop) {
		int k;
		for (k = 0; k < P->depth; k++) {
			if (P->f->nodes[P->stack[k]].kind == FORM_N_LOOP) {
				fail_at(P, kw, "loops cannot be nested: '%s' is inside loop '%s' (line %d)",
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
			expected(P, "'times' and how often to repeat: loop NAME times EXPR");
			return;
		}
		P->i++;
		n->expr = parse_expr(P, &n->expr_src);
		if (!n->expr)
			return;
		if (tok_is(tok(P), "max")) {
			struct token *mt = tok(P);
			P->i++;
			if (take_number(P, &v, 1, "the largest number of repetitions") < 0)
				return;
			if (v < 1 || v > FORM_MAX_LOOP) {
				fail_at(P, mt, "max must be from 1 to %d", FORM_MAX_LOOP);
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

static void parse_end(struct parser *P)
{
	struct token *kw = tok(P);

	P->i++;
	if (!P->depth) {
		fail_at(P, kw, "'end' without an open group or loop");
		return;
	}
	P->depth--;
	P->cur = -1;
	want_eol(P);
}

static void parse_skip(struct parser *P)
{
	struct token *kw = tok(P);
	struct form_node *n;
	int idx;

	P->i++;
	if (!tok_is(tok(P), "to")) {
		expected(P, "'to': skip to NAME");
		return;
	}
	P->i++;
	if (tok(P)->type != T_IDENT || is_keyword(tok(P)->p, tok(P)->len)) {
		expected(P, "the name of a later question or group");
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

static void parse_compute(struct parser *P)
{
	struct token *kw = tok(P), *idt;
	struct form_node *n;
	char *id;
	int idx;

	P->i++;
	idt = tok(P);
	id = take_id(P, "the name of the computed variable");
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

static void parse_check(struct parser *P)
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
		expected(P, "'hard' or 'soft' after 'check'");
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
	if (parse_texts(P, &n->message, "the check") == 0 && !P->bad) {
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
		fail_at(P, kw, "a 'complete' ending records the call outcome complete; 'outcome' names the call outcome of a screenout");
		return;
	}
	if (n->call_outcome) {
		fail_at(P, kw, "'outcome' is given twice");
		return;
	}
	P->i++;
	t = tok(P);
	if (tok_is(t, "complete")) {
		fail_at(P, t, "a screen-out cannot record the call outcome 'complete'; use the 'complete' statement");
		return;
	}
	if (t->type != T_IDENT || is_keyword(t->p, t->len)) {
		expected(P, "the call outcome it records, e.g. outcome refusal");
		return;
	}
	name = tok_dup(P, t);
	if (!calls_ending_outcome(name)) {
		buf_init(&valid);
		calls_ending_outcomes(&valid);
		fail_at(P, t, "'%s' is not a call outcome an ending can record (%s)", name, buf_str(&valid));
		buf_release(&valid);
		return;
	}
	n->call_outcome = calls_ending_outcome(name)->name;
	P->i++;
}

/* screenout NAME [outcome CALL] [if COND] [outcome CALL]; complete [if COND] */
static void parse_ending(struct parser *P, int complete)
{
	struct token *kw = tok(P);
	struct form_node *n;
	const char *outcome = "complete";
	int idx;

	P->i++;
	if (!complete) {
		struct token *t = tok(P);
		if (t->type != T_IDENT || is_keyword(t->p, t->len)) {
			expected(P, "the name of the outcome, e.g. screenout not_eligible");
			return;
		}
		outcome = tok_dup(P, t);
		if (!strcmp(outcome, "complete")) {
			fail_at(P, t, "'complete' is not a screen-out outcome; use the 'complete' statement");
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
static void parse_quota(struct parser *P)
{
	struct token *kw = tok(P), *idt;
	struct form_quota *q;
	const char *names[16];
	const char *outcome = "quota_full";
	char *id;
	double v;
	int i, nv = 0, target = -1, allowance = -1;

	if (P->depth) {
		fail_at(P, kw, "a quota is defined at the top level, not inside a group or loop");
		return;
	}
	P->i++;
	idt = tok(P);
	if (!(id = take_id(P, "the quota's name")))
		return;
	for (i = 0; i < P->f->nquotas; i++) {
		if (!strcmp(P->f->quotas[i].id, id)) {
			fail_at(P, idt, "quota '%s' is already defined on line %d", id, P->f->quotas[i].line);
			return;
		}
	}
	if (!tok_is(tok(P), "by")) {
		expected(P, "'by' and the variables that make its cells, e.g. quota q1 by region custtype target 50");
		return;
	}
	P->i++;
	while (tok(P)->type == T_IDENT && !tok_is(tok(P), "target") && !tok_is(tok(P), "allowance") &&
	       !tok_is(tok(P), "outcome")) {
		if (nv == 16) {
			fail_at(P, tok(P), "a quota has at most 16 variables");
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
		expected(P, "the variables that make the quota's cells, e.g. by region custtype");
		return;
	}
	while (!at_eol(P) && !P->bad) {
		struct token *o = tok(P);
		if (tok_is(o, "target") || tok_is(o, "allowance")) {
			P->i++;
			if (take_number(P, &v, 1, tok_is(o, "target") ? "the target (completes per cell)" : "the allowance") < 0)
				return;
			if (v < 0 || v > 1000000) {
				fail_at(P, o, "the %s must be between 0 and 1000000", tok_is(o, "target") ? "target" : "allowance");
				return;
			}
			if (tok_is(o, "target"))
				target = (int)v;
			else
				allowance = (int)v;
		} else if (tok_is(o, "outcome")) {
			P->i++;
			if (tok(P)->type != T_IDENT || is_keyword(tok(P)->p, tok(P)->len)) {
				expected(P, "the outcome's name, e.g. outcome quota_full");
				return;
			}
			outcome = tok_dup(P, tok(P));
			if (!strcmp(outcome, "complete")) {
				fail_at(P, tok(P), "a full quota cell ends the interview as a screen-out, not 'complete'");
				return;
			}
			P->i++;
		} else {
			char d[64];
			fail_at(P, o, "unexpected %s: a quota line takes 'target N', 'allowance N' and 'outcome NAME'",
			        describe(o, d, sizeof d));
			return;
		}
	}
	if (target < 0) {
		fail_at(P, kw, "quota '%s' needs a target: completes per cell, e.g. target 50", id);
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
static void parse_cell(struct parser *P)
{
	struct token *kw = tok(P);
	struct form_quota *q;
	struct form_quota_cell *c;
	int codes[16], n = 0;
	double v;

	if (P->quota_cur < 0) {
		fail_at(P, kw, "'cell' lines belong to a quota: put them right below it");
		return;
	}
	q = &P->f->quotas[P->quota_cur];
	P->i++;
	while (!at_eol(P) && !tok_is(tok(P), "target")) {
		if (n == q->nvars) {
			fail_at(P, tok(P), "quota '%s' has %d variable%s: a cell gives one code for each", q->id,
			        q->nvars, q->nvars == 1 ? "" : "s");
			return;
		}
		if (take_number(P, &v, 1, "a code") < 0)
			return;
		codes[n++] = (int)v;
	}
	if (n != q->nvars) {
		fail_at(P, kw, "quota '%s' has %d variable%s: a cell gives one code for each", q->id, q->nvars,
		        q->nvars == 1 ? "" : "s");
		return;
	}
	if (!tok_is(tok(P), "target")) {
		expected(P, "'target N' after the codes");
		return;
	}
	P->i++;
	if (take_number(P, &v, 1, "the cell's target") < 0)
		return;
	if (v < 0 || v > 1000000) {
		fail_at(P, kw, "the target must be between 0 and 1000000");
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

/* say / note / item lines, which belong to the question above. */
static void parse_sub(struct parser *P, const char *what)
{
	struct token *kw = tok(P);
	struct form_node *n = P->cur >= 0 ? &P->f->nodes[P->cur] : NULL;

	P->i++;
	if (!strcmp(what, "item")) {
		struct form_item *items;
		struct token *idt = tok(P);
		char *id, *full;
		struct buf b;
		int k;

		if (!n || n->kind != FORM_N_QUESTION || n->qtype != FORM_Q_GRID) {
			fail_at(P, kw, "'item' lines belong to a grid question");
			return;
		}
		id = take_id(P, "an item name");
		if (!id)
			return;
		for (k = 0; k < n->nitems; k++) {
			if (!strcmp(n->items[k].id, id)) {
				fail_at(P, idt, "grid '%s' already has an item '%s'", n->id, id);
				return;
			}
		}
		items = arena_alloc(&P->f->arena, sizeof *items * (size_t)(n->nitems + 1));
		if (n->nitems)
			memcpy(items, n->items, sizeof *items * (size_t)n->nitems);
		n->items = items;
		buf_init(&b);
		buf_printf(&b, "%s.%s", n->id, id);
		full = arena_strdup(&P->f->arena, buf_str(&b));
		buf_release(&b);
		items[n->nitems].id = id;
		items[n->nitems].var = new_var(P, full, FORM_V_ITEM, FORM_T_NUM, P->cur, idt->line);
		P->f->vars[items[n->nitems].var].item = n->nitems;
		n = &P->f->nodes[P->cur];  /* new_var does not move nodes, but be explicit */
		if (parse_texts(P, &n->items[n->nitems].label, "the item") == 0 && !P->bad)
			fail_at(P, tok(P), "item '%s' needs a label", id);
		n->nitems++;
		want_eol(P);
		return;
	}
	if (!n) {
		fail_at(P, kw, "'%s' must follow a question or an ending", what);
		return;
	}
	if (n->kind == FORM_N_ENDING && !strcmp(what, "note")) {
		fail_at(P, kw, "endings have a 'say' text, not a 'note'");
		return;
	}
	if (parse_texts(P, !strcmp(what, "say") ? &n->say : &n->note,
	                !strcmp(what, "say") ? "this 'say'" : "this 'note'") == 0 && !P->bad)
		expected(P, "a text, e.g. en \"...\"");
	want_eol(P);
}

/* A line that starts with a string continues the text before it. */
static void parse_continuation(struct parser *P)
{
	struct token *t = tok(P);
	struct buf b;

	if (!P->last_text || !*P->last_text) {
		fail_at(P, t, "a text on its own line must continue the text of the line above");
		return;
	}
	buf_init(&b);
	buf_puts(&b, *P->last_text);
	while (tok(P)->type == T_STR) {
		buf_putc(&b, ' ');
		buf_puts(&b, tok(P)->str);
		P->i++;
	}
	*P->last_text = arena_strndup(&P->f->arena, buf_str(&b), b.len);
	buf_release(&b);
	want_eol(P);
}

static void parse_header(struct parser *P, const char *kw)
{
	struct token *t = tok(P);

	P->i++;
	if (!strcmp(kw, "form")) {
		struct token *idt = tok(P);
		char *id;

		if (P->seen_form) {
			fail_at(P, t, "a file holds one form; this is a second 'form' line");
			return;
		}
		if (P->statements > 1)
			diag_add(P->d, t->line, t->col, "'form' must be the first statement of the file");
		P->seen_form = 1;
		(void)idt;
		id = take_id(P, "the form's name");
		if (id)
			P->f->id = id;
		want_eol(P);
	} else if (!strcmp(kw, "title")) {
		if (P->f->title.s) {
			fail_at(P, t, "the form has two 'title' lines");
			return;
		}
		P->title_line = t->line;
		if (parse_texts(P, &P->f->title, "the title") == 0 && !P->bad)
			expected(P, "the title in quotes");
		want_eol(P);
	} else if (!strcmp(kw, "version")) {
		t = tok(P);
		if (t->type == T_STR)
			P->f->version = t->str;
		else if (t->type == T_NUM || t->type == T_IDENT || t->type == T_DATE)
			P->f->version = tok_dup(P, t);
		else {
			expected(P, "a version number or text");
			return;
		}
		P->i++;
		want_eol(P);
	} else {
		/* languages: read by prescan(); skip the line here */
		P->i = P->nt - 1;
	}
}

/* Find the `languages` line first: every text needs to know the languages. */
static void prescan(struct parser *P, const char *src, size_t len)
{
	struct lexer lx = { src, src + len, src, 0, &P->f->arena };
	struct token *t = NULL;
	int n = 0, cap = 0, ecol, r, seen = 0, i, k;
	const char *emsg;

	for (;;) {
		/* only lines that start with the word need tokens */
		const char *p = lx.p, *eol;

		if (p >= lx.end)
			break;
		eol = memchr(p, '\n', (size_t)(lx.end - p));
		if (!eol)
			eol = lx.end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (eol - p < 9 || memcmp(p, "languages", 9) != 0) {
			lx.p = eol < lx.end ? eol + 1 : eol;
			lx.line++;
			continue;
		}
		r = lex_line(&lx, &t, &n, &cap, &emsg, &ecol);
		if (r <= 0 || !tok_is(&t[0], "languages"))
			continue;
		if (seen) {
			diag_add(P->d, t[0].line, t[0].col, "the form has two 'languages' lines");
			continue;
		}
		seen = 1;
		for (i = 1; t[i].type != T_EOL; i++) {
			if (t[i].type != T_IDENT || t[i].len < 2 || t[i].len > 8 ||
			    is_keyword(t[i].p, t[i].len)) {
				diag_add(P->d, t[i].line, t[i].col,
				         "a language is a code of 2 to 8 letters, like en or de");
				continue;
			}
			if (P->f->nlangs == FORM_MAX_LANGS) {
				diag_add(P->d, t[i].line, t[i].col, "at most %d languages", FORM_MAX_LANGS);
				break;
			}
			for (k = 0; k < P->f->nlangs; k++)
				if (strlen(P->f->langs[k]) == t[i].len &&
				    !memcmp(P->f->langs[k], t[i].p, t[i].len))
					break;
			if (k < P->f->nlangs) {
				diag_add(P->d, t[i].line, t[i].col, "language '%.*s' is listed twice",
				         (int)t[i].len, t[i].p);
				continue;
			}
			P->f->langs[P->f->nlangs++] = arena_strndup(&P->f->arena, t[i].p, t[i].len);
		}
		if (i == 1)
			diag_add(P->d, t[0].line, t[0].col, "list the form's languages, e.g. languages en de");
	}
	free(t);
	if (!seen) {
		diag_add(P->d, 1, 1, "the form has no 'languages' line (e.g. languages en de)");
	}
	if (!P->f->nlangs)
		P->f->langs[P->f->nlangs++] = "en";
}

static void statement(struct parser *P)
{
	struct token *t = tok(P);
	size_t k;
	char word[FORM_MAX_ID + 1];

	P->statements++;
	if (t->type == T_STR) {
		/* a statement still waiting for its first text (a check's message) takes it */
		if (P->last_obj && !P->last_text && P->f->nlangs == 1) {
			parse_texts(P, P->last_obj, P->last_what);
			want_eol(P);
			return;
		}
		parse_continuation(P);
		return;
	}
	if (t->type == T_NUM || t->type == T_MINUS) {
		parse_choice(P);
		return;
	}
	if (t->type == T_IDENT && peek(P, 1)->type == T_STR && lang_of(P, t, 0) >= 0) {
		/* `de "..."` on its own line: more languages for the statement above */
		if (!P->last_obj) {
			fail_at(P, t, "a text on its own line must follow a statement with texts");
			return;
		}
		parse_texts(P, P->last_obj, P->last_what);
		want_eol(P);
		return;
	}
	P->last_text = NULL;
	P->last_obj = NULL;
	if (t->type != T_IDENT) {
		char d[64];
		fail_at(P, t, "a statement starts with a keyword, not %s", describe(t, d, sizeof d));
		return;
	}
	memcpy(word, t->p, t->len > FORM_MAX_ID ? FORM_MAX_ID : t->len);
	word[t->len > FORM_MAX_ID ? FORM_MAX_ID : t->len] = '\0';
	if (strcmp(word, "say") && strcmp(word, "note") && strcmp(word, "item"))
		P->scale = NULL;
	if (strcmp(word, "say") && strcmp(word, "cell"))
		P->quota_cur = -1;
	for (k = 0; k < sizeof qtypes / sizeof qtypes[0]; k++) {
		if (!strcmp(word, qtypes[k].name)) {
			parse_question(P, (int)k);
			return;
		}
	}
	if (!strcmp(word, "form") || !strcmp(word, "title") || !strcmp(word, "version") ||
	    !strcmp(word, "languages"))
		parse_header(P, word);
	else if (!strcmp(word, "case"))
		parse_case(P);
	else if (!strcmp(word, "scale")) {
		struct token *idt;
		char *id;

		P->i++;
		idt = tok(P);
		id = take_id(P, "the scale's name");
		if (!id || !check_fresh(P, id, idt))
			return;
		P->scale = new_scale(P, id, t->line);
		P->scale_choices_cap = 0;
		P->cur = -1;
		want_eol(P);
	} else if (!strcmp(word, "say") || !strcmp(word, "note") || !strcmp(word, "item"))
		parse_sub(P, word);
	else if (!strcmp(word, "group") || !strcmp(word, "loop"))
		parse_block_start(P, word[0] == 'l');
	else if (!strcmp(word, "end"))
		parse_end(P);
	else if (!strcmp(word, "skip"))
		parse_skip(P);
	else if (!strcmp(word, "compute"))
		parse_compute(P);
	else if (!strcmp(word, "check"))
		parse_check(P);
	else if (!strcmp(word, "screenout") || !strcmp(word, "complete"))
		parse_ending(P, word[0] == 'c');
	else if (!strcmp(word, "quota"))
		parse_quota(P);
	else if (!strcmp(word, "cell"))
		parse_cell(P);
	else {
		const char *s = suggest(word, statements, (int)(sizeof statements / sizeof statements[0]));
		if (s)
			fail_at(P, t, "'%s' is not a statement; did you mean '%s'?", word, s);
		else
			fail_at(P, t, "'%s' is not a statement (a line starts with a keyword such as single, say, group, check)", word);
	}
}

struct form *form_compile(const char *path, const char *src, size_t len, struct form_diags *d)
{
	struct parser P;
	struct form *f = xcalloc(1, sizeof *f);
	const char *emsg;
	int r, ecol, before = d->n;

	memset(&P, 0, sizeof P);
	arena_init(&f->arena);
	f->path = arena_strdup(&f->arena, path ? path : "(form)");
	f->first = -1;
	f->var_names = hash_new();
	f->node_names = hash_new();
	f->scale_names = hash_new();
	P.path = f->path;
	P.f = f;
	P.d = d;
	P.cur = -1;
	P.quota_cur = -1;
	P.last[0] = -1;
	prescan(&P, src, len);
	P.lx.src = P.lx.p = src;
	P.lx.end = src + len;
	P.lx.arena = &f->arena;
	while ((r = lex_line(&P.lx, &P.t, &P.nt, &P.tcap, &emsg, &ecol)) != 0) {
		if (r < 0) {
			diag_add(d, P.lx.line, ecol, "%s", emsg);
			continue;
		}
		if (P.t[0].type == T_EOL)
			continue;
		if (P.nt > MAX_LINE_TOKENS) {
			diag_add(d, P.lx.line, 1, "the line is too long (more than %d words and symbols)",
			         MAX_LINE_TOKENS);
			continue;
		}
		P.i = 0;
		P.bad = 0;
		P.edepth = 0;
		statement(&P);
	}
	if (!P.seen_form)
		diag_add(d, 1, 1, "the file has no 'form NAME' line: is it a form file?");
	while (P.depth > 0) {
		struct form_node *n = &f->nodes[P.stack[--P.depth]];
		diag_add(d, n->line, n->col, "%s '%s' has no 'end'",
		         n->kind == FORM_N_LOOP ? "loop" : "group", n->id);
	}
	if (!f->version)
		f->version = "1";
	if (!f->id)
		f->id = "unnamed";
	{
		struct resolve_in in = { P.extra, P.cs, P.ncs, P.title_line };
		form_resolve(f, &in, d);
	}
	free(P.t);
	free(P.extra);
	free(P.cs);
	if (d->n > before) {
		form_free(f);
		return NULL;
	}
	return f;
}

struct form *form_load(const char *path, struct form_diags *d, struct err *e)
{
	size_t len;
	char *src = read_file(path, &len, e);
	struct form *f;

	if (!src)
		return NULL;
	f = form_compile(path, src, len, d);
	free(src);
	return f;
}

void form_free(struct form *f)
{
	if (!f)
		return;
	hash_free(f->var_names);
	hash_free(f->node_names);
	hash_free(f->scale_names);
	free(f->nodes);
	free(f->quotas);
	free(f->vars);
	free(f->scales);
	arena_release(&f->arena);
	free(f);
}
