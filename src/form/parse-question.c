/*
 * parse-question.c: questions and what belongs to them: options, scales, choice lines, say,
 * note and item lines.
 */
#include "cati/i18n.h"
#include "parse-int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The question types, in the order parse_qtype() numbers them, and the options each takes. */
static const struct {
	const char *name;
	enum form_qtype type;
	const char *opts;   /* options allowed, space-separated */
} qtypes[] = {
	{ "single", FORM_Q_SINGLE, " scale dk rf random confirm fixed personal " },
	{ "multi", FORM_Q_MULTI, " scale min max dk rf random fixed personal " },
	{ "integer", FORM_Q_INTEGER, " range dk rf fixed personal " },
	{ "decimal", FORM_Q_DECIMAL, " range decimals dk rf fixed personal " },
	{ "text", FORM_Q_TEXT, " max dk rf fixed personal " },
	{ "date", FORM_Q_DATE, " range dk rf fixed personal " },
	{ "yesno", FORM_Q_YESNO, " dk rf confirm fixed personal " },
	{ "grid", FORM_Q_GRID, " scale dk rf random fixed personal " },
	{ "info", FORM_Q_INFO, " fixed " },
};

/* The index in qtypes of the question type named word, or -1. */
int parse_qtype(const char *word)
{
	size_t k;

	for (k = 0; k < sizeof qtypes / sizeof qtypes[0]; k++)
		if (!strcmp(word, qtypes[k].name))
			return (int)k;
	return -1;
}

/* Does the question type qt take the option opt? */
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

/* "a" or "an" for a word, for messages. */
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
			expected(P, _("a date range like 2024-01-01..2024-12-31"));
			return -1;
		}
		lo = tok(P)->num;
		P->i++;
		if (tok(P)->type != T_RANGE) {
			expected(P, _("'..' in the range"));
			return -1;
		}
		P->i++;
		if (tok(P)->type != T_DATE) {
			expected(P, _("a date after '..'"));
			return -1;
		}
		hi = tok(P)->num;
		P->i++;
	} else {
		if (take_number(P, &lo, isint, _("the lowest value of the range")) < 0)
			return -1;
		if (tok(P)->type != T_RANGE) {
			expected(P, _("'..' in the range (write range 0..120)"));
			return -1;
		}
		P->i++;
		if (take_number(P, &hi, isint, _("the highest value of the range")) < 0)
			return -1;
	}
	if (lo > hi) {
		fail_at(P, at, _("the range is empty: the lowest value must come first"));
		return -1;
	}
	n->has_range = 1;
	n->lo = lo;
	n->hi = hi;
	return 0;
}

/* A question: TYPE NAME [options] [if COND]. */
void parse_question(struct parser *P, int qt)
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
	id = take_id(P, _("a question name"));
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
			expected(P, _("an option or 'if'"));
			break;
		}
		memcpy(opt, t->p, t->len < 24 ? t->len : 24);
		opt[t->len < 24 ? t->len : 24] = '\0';
		if (!is_keyword(t->p, t->len)) {
			if (!opt_allowed(qt, "scale")) {
				fail_at(P, t, _("unknown option '%s' for %s %s question"), opt,
				        article(qtypes[qt].name), qtypes[qt].name);
				break;
			}
			if (x->scale_name) {
				fail_at(P, t, _("%s question has one scale; '%s' is a second one"),
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
			fail_at(P, t, _("'%s' does not apply to %s %s question"), opt,
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
		else if (!strcmp(opt, "personal"))
			n->flags |= FORM_F_PERSONAL;
		else if (!strcmp(opt, "range"))
			parse_range(P, n);
		else if (!strcmp(opt, "decimals")) {
			if (take_number(P, &v, 1, _("the number of decimals")) == 0) {
				if (v < 0 || v > 6)
					fail_at(P, t, _("decimals must be from 0 to 6"));
				n->decimals = (int)v;
			}
		} else if (!strcmp(opt, "min") || !strcmp(opt, "max")) {
			if (take_number(P, &v, 1, _("a whole number")) == 0) {
				if (v < 0 || v > 1000000)
					fail_at(P, t, _("'%s' must be from 0 to 1000000"), opt);
				else if (n->qtype == FORM_Q_TEXT)
					n->maxlen = (int)v;
				else if (opt[1] == 'i')
					n->minsel = (int)v;
				else
					n->maxsel = (int)v;
				if (n->qtype == FORM_Q_TEXT && v < 1)
					fail_at(P, t, _("a text question needs max 1 or more"));
			}
		}
	}
	if (P->bad)
		return;
	if ((qt == 0 || qt == 1) && n->minsel && n->maxsel && n->minsel > n->maxsel)
		fail_at(P, kw, _("min %d is more than max %d"), n->minsel, n->maxsel);
	if (n->qtype == FORM_Q_GRID && !x->scale_name)
		fail_at(P, kw, _("a grid needs a scale: grid %s SCALE"), id);
	parse_if(P, n);
	want_eol(P);
	if (n->qtype == FORM_Q_TEXT)
		P->f->vars[n->var].type = FORM_T_TEXT;
	else if (n->qtype == FORM_Q_DATE)
		P->f->vars[n->var].type = FORM_T_DATE;
	else if (n->qtype == FORM_Q_MULTI)
		P->f->vars[n->var].type = FORM_T_SET;
}

/* scale NAME: a named list of choices, filled by the choice lines below it. */
void parse_scale(struct parser *P)
{
	struct token *t = tok(P), *idt;
	char *id;

	P->i++;
	idt = tok(P);
	id = take_id(P, _("the scale's name"));
	if (!id || !check_fresh(P, id, idt))
		return;
	P->scale = new_scale(P, id, t->line);
	P->scale_choices_cap = 0;
	P->cur = -1;
	want_eol(P);
}

/* `short NAME` or `short "NAME"` on a choice line: another name for code c, unique in scale s. */
static void parse_short(struct parser *P, struct form_scale *s, struct form_choice *c)
{
	struct token *kw = tok(P), *t;
	const char *name;
	char *end;
	int i;

	P->i++;
	t = tok(P);
	if (t->type != T_IDENT && t->type != T_STR) {
		expected(P, _("the short name after 'short', e.g. 9 en \"Vienna\" short W"));
		return;
	}
	name = t->type == T_STR ? t->str : tok_dup(P, t);
	if (c->short_name) {
		fail_at(P, kw, _("choice %d has two short names"), c->code);
		return;
	}
	(void)strtol(name, &end, 10);
	if (!*name || !*end) {
		fail_at(P, t, _("a short name is a word, not empty or a number (a number is read as a code)"));
		return;
	}
	for (i = 0; i < s->n; i++) {
		const char *other = s->choices[i].short_name;
		if (&s->choices[i] != c && other && !strcasecmp(other, name)) {
			fail_at(P, t, _("short name '%s' is already used by code %d (line %d)"), name,
			        s->choices[i].code, s->choices[i].line);
			return;
		}
	}
	c->short_name = name;
	P->i++;
}

/* A choice line: CODE texts [anchor] [exclusive] [short NAME]. */
void parse_choice(struct parser *P)
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
				fail_at(P, at, _("question '%s' uses scale '%s'; it cannot also list choices"),
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
		fail_at(P, at, _("a choice line (code and label) must follow a 'scale' line or a single or multi question"));
		return;
	}
	if (take_number(P, &v, 1, _("a choice code")) < 0)
		return;
	if (v < 0 || v > FORM_MAX_CODE) {
		fail_at(P, at, _("choice codes are whole numbers from 0 to %d"), FORM_MAX_CODE);
		return;
	}
	for (i = 0; i < s->n; i++) {
		if (s->choices[i].code == (int)v) {
			fail_at(P, at, _("duplicate code %d in %s%s%s (first on line %d)"), (int)v,
			        s->id ? "scale '" : _("the choices of '"), s->id ? s->id : q->id, "'",
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
	if (parse_texts(P, &c->label, _("the choice")) < 0)
		return;
	while (!P->bad && tok(P)->type == T_IDENT) {
		if (tok_is(tok(P), "anchor"))
			c->flags |= FORM_C_ANCHOR;
		else if (tok_is(tok(P), "exclusive"))
			c->flags |= FORM_C_EXCLUSIVE;
		else if (tok_is(tok(P), "short")) {
			parse_short(P, s, c);
			continue;
		} else
			break;
		P->i++;
	}
	if (!c->label.s && !P->bad)
		fail_at(P, tok(P), _("choice %d needs a label, e.g. %d %s \"...\""), c->code, c->code,
		        P->f->nlangs ? P->f->langs[0] : "en");
	want_eol(P);
}

/* say / note / item lines, which belong to the question above. */
void parse_sub(struct parser *P, const char *what)
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
			fail_at(P, kw, _("'item' lines belong to a grid question"));
			return;
		}
		id = take_id(P, _("an item name"));
		if (!id)
			return;
		for (k = 0; k < n->nitems; k++) {
			if (!strcmp(n->items[k].id, id)) {
				fail_at(P, idt, _("grid '%s' already has an item '%s'"), n->id, id);
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
		if (parse_texts(P, &n->items[n->nitems].label, _("the item")) == 0 && !P->bad)
			fail_at(P, tok(P), _("item '%s' needs a label"), id);
		n->nitems++;
		want_eol(P);
		return;
	}
	if (!n) {
		fail_at(P, kw, _("'%s' must follow a question or an ending"), what);
		return;
	}
	if (n->kind == FORM_N_ENDING && !strcmp(what, "note")) {
		fail_at(P, kw, _("endings have a 'say' text, not a 'note'"));
		return;
	}
	if (parse_texts(P, !strcmp(what, "say") ? &n->say : &n->note,
	                !strcmp(what, "say") ? "this 'say'" : "this 'note'") == 0 && !P->bad)
		expected(P, "a text, e.g. en \"...\"");
	want_eol(P);
}
