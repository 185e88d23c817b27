/* resolve.c: after parsing, bind names, check types, routes, translations and fills. */
#include "cati/i18n.h"
#include "form-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct resolver {
	struct form *f;
	const struct resolve_in *in;
	struct form_diags *d;
	const char **names;   /* every variable name, for suggestions */
};

static const char *const yes_labels[][3] = {
	{ "en", "yes", "no" }, { "de", "ja", "nein" }, { "nl", "ja", "nee" }, { "fr", "oui", "non" },
};

/* The nearest random group containing both nodes in different members, or -1. */
static int random_split(const struct form *f, int a, int b)
{
	int x, y;

	for (x = a; x >= 0; x = f->nodes[x].parent) {
		int px = f->nodes[x].parent;
		if (px < 0)
			break;
		for (y = b; y >= 0; y = f->nodes[y].parent) {
			if (f->nodes[y].parent == px && y != x &&
			    f->nodes[px].kind == FORM_N_GROUP && (f->nodes[px].flags & FORM_F_RANDOM))
				return px;
		}
	}
	return -1;
}

/* Is node n inside loop l? */
static int inside_loop(const struct form *f, int n, int l)
{
	return n >= 0 && (f->nodes[n].loop == l);
}

/*
 * May node `use` read variable `slot` (with or without an iteration)? Reports why not.
 * Returns 0 when fine.
 */
static int check_use(struct resolver *R, int slot, int indexed, int use, int line, int col,
                     const char *how)
{
	struct form *f = R->f;
	const struct form_var *v = &f->vars[slot];
	int split;

	if (v->kind == FORM_V_CASE)
		return indexed ? (diag_add(R->d, line, col, _("'%s' is a case field, not in a loop; remove the [...]"), v->id), -1) : 0;
	if (v->kind == FORM_V_LOOPIDX) {
		if (indexed || !inside_loop(f, use, v->node)) {
			diag_add(R->d, line, col, _("'%s' is the iteration number of loop '%s' and can only be used inside it"),
			         v->id, v->id);
			return -1;
		}
		return 0;
	}
	if (use < 0)
		return 0;
	if (v->node == use) {
		if (strcmp(how, "shows") == 0)
			diag_add(R->d, line, col, _("'%s' shows its own answer: it can only use answers given before it"),
			         v->id);
		else
			diag_add(R->d, line, col, _("'%s' reads its own answer: it can only use answers given before it"),
			         v->id);
		return -1;
	}
	if (v->node > use) {
		diag_add(R->d, line, col,
		         _("'%s' is asked later (line %d), so it cannot have been answered here"), v->id,
		         f->nodes[v->node].line);
		return -1;
	}
	if (v->loop >= 0 && !indexed && !inside_loop(f, use, v->loop)) {
		diag_add(R->d, line, col, _("'%s' is asked in loop '%s'; say which iteration, e.g. %s[1]"),
		         v->id, f->nodes[v->loop].id, v->id);
		return -1;
	}
	if (v->loop < 0 && indexed) {
		diag_add(R->d, line, col, _("'%s' is not in a loop; remove the [...]"), v->id);
		return -1;
	}
	split = random_split(f, v->node, use);
	if (split >= 0) {
		diag_add(R->d, line, col,
		         _("'%s' and this statement are in random group '%s': their order changes from case to case, so it cannot depend on '%s'"),
		         v->id, f->nodes[split].id, v->id);
		return -1;
	}
	return 0;
}

/* Report an unknown name with the best explanation we have. */
static void unknown_name(struct resolver *R, const char *name, int line, int col)
{
	struct form *f = R->f;
	int n = hash_get(f->node_names, name);
	const char *s;

	if (n >= 0) {
		const struct form_node *node = &f->nodes[n];
		if (node->kind == FORM_N_QUESTION && node->qtype == FORM_Q_GRID)
			diag_add(R->d, line, col, _("'%s' is a grid: name one of its items, e.g. %s.%s"), name,
			         name, node->nitems ? node->items[0].id : "item");
		else if (node->kind == FORM_N_QUESTION)
			diag_add(R->d, line, col, _("'%s' is an info screen and has no answer"), name);
		else
			diag_add(R->d, line, col, _("'%s' is a %s, not a value"), name,
			         node->kind == FORM_N_GROUP ? "group" : "loop");
		return;
	}
	if (hash_get(f->scale_names, name) >= 0) {
		diag_add(R->d, line, col, _("'%s' is a scale, not a value"), name);
		return;
	}
	s = suggest(name, R->names, f->nvars);
	if (s)
		diag_add(R->d, line, col, _("unknown question or field '%s'; did you mean '%s'?"), name, s);
	else
		diag_add(R->d, line, col, _("unknown question or field '%s'"), name);
}

static const char *tname(enum form_type t)
{
	return form_type_name(t);
}

/* Bind references under e and compute its type; FORM_T_NONE after an error. */
static enum form_type resolve_expr(struct resolver *R, struct form_expr *e, int use)
{
	struct form *f = R->f;
	enum form_type a = FORM_T_NONE, b = FORM_T_NONE;
	int bad = 0;

	if (!e)
		return FORM_T_NONE;
	switch (e->op) {
	case FORM_E_NUM:
		return e->type = FORM_T_NUM;
	case FORM_E_STR:
		return e->type = FORM_T_TEXT;
	case FORM_E_DATE:
		return e->type = FORM_T_DATE;
	case FORM_E_BOOL:
		return e->type = FORM_T_BOOL;
	case FORM_E_REF:
		e->var = hash_get(f->var_names, e->str);
		if (e->var < 0) {
			unknown_name(R, e->str, e->line, e->col);
			return e->type = FORM_T_NONE;
		}
		if (e->b && resolve_expr(R, e->b, use) != FORM_T_NUM && e->b->type != FORM_T_NONE) {
			diag_add(R->d, e->b->line, e->b->col, _("an iteration number must be a number"));
			bad = 1;
		}
		if (check_use(R, e->var, e->b != NULL, use, e->line, e->col, "reads") < 0 || bad)
			return e->type = FORM_T_NONE;
		e->type = f->vars[e->var].type;
		if (e->type == FORM_T_NONE)
			diag_add(R->d, e->line, e->col, _("'%s' has no value yet: its computation has an error"), e->str);
		return e->type;
	default:
		break;
	}
	a = resolve_expr(R, e->a, use);
	if (e->b && e->op != FORM_E_IN_LIST)
		b = resolve_expr(R, e->b, use);
	if (a == FORM_T_NONE || (e->b && e->op != FORM_E_IN_LIST && b == FORM_T_NONE))
		return e->type = FORM_T_NONE;  /* already reported */

	switch (e->op) {
	case FORM_E_NEG:
	case FORM_E_ABS:
	case FORM_E_ROUND:
		if (a != FORM_T_NUM)
			goto mismatch1;
		return e->type = FORM_T_NUM;
	case FORM_E_ADD:
	case FORM_E_SUB:
		if (a == FORM_T_NUM && b == FORM_T_NUM)
			return e->type = FORM_T_NUM;
		if (a == FORM_T_DATE && b == FORM_T_NUM)
			return e->type = FORM_T_DATE;
		if (e->op == FORM_E_SUB && a == FORM_T_DATE && b == FORM_T_DATE)
			return e->type = FORM_T_NUM;
		goto mismatch2;
	case FORM_E_MUL:
	case FORM_E_DIV:
	case FORM_E_MOD:
		if (a == FORM_T_NUM && b == FORM_T_NUM)
			return e->type = FORM_T_NUM;
		goto mismatch2;
	case FORM_E_EQ:
	case FORM_E_NE:
		if (a == b && a != FORM_T_SET)
			return e->type = FORM_T_BOOL;
		if (a == FORM_T_SET || b == FORM_T_SET) {
			diag_add(R->d, e->line, e->col,
			         _("a multiple-choice answer holds several codes: test one with 'CODE in %s'"),
			         e->a->op == FORM_E_REF ? e->a->str : "question");
			return e->type = FORM_T_NONE;
		}
		goto mismatch2;
	case FORM_E_LT:
	case FORM_E_LE:
	case FORM_E_GT:
	case FORM_E_GE:
		if (a == b && (a == FORM_T_NUM || a == FORM_T_TEXT || a == FORM_T_DATE))
			return e->type = FORM_T_BOOL;
		goto mismatch2;
	case FORM_E_AND:
	case FORM_E_OR:
		if (a == FORM_T_BOOL && b == FORM_T_BOOL)
			return e->type = FORM_T_BOOL;
		diag_add(R->d, e->line, e->col,
		         _("'%s' joins conditions (true or false), but got %s and %s; compare the values, e.g. q1 = 1"),
		         e->op == FORM_E_AND ? "and" : "or", tname(a), tname(b));
		return e->type = FORM_T_NONE;
	case FORM_E_NOT:
		if (a == FORM_T_BOOL)
			return e->type = FORM_T_BOOL;
		diag_add(R->d, e->line, e->col, _("'not' needs a condition (true or false), but got %s"),
		         tname(a));
		return e->type = FORM_T_NONE;
	case FORM_E_IN_SET:
		if (b != FORM_T_SET) {
			if (e->b->op == FORM_E_REF && b == FORM_T_NUM)
				diag_add(R->d, e->b->line, e->b->col,
				         _("'%s' has one answer, not several: write %s = CODE or %s in (1, 2)"),
				         e->b->str, e->b->str, e->b->str);
			else
				diag_add(R->d, e->b->line, e->b->col,
				         _("'in' needs a multiple-choice answer or a list like (1, 2, 5..7) on its right, not %s"),
				         tname(b));
			return e->type = FORM_T_NONE;
		}
		if (a != FORM_T_NUM)
			goto mismatch1;
		return e->type = FORM_T_BOOL;
	case FORM_E_IN_LIST:
		if (a != FORM_T_NUM)
			goto mismatch1;
		return e->type = FORM_T_BOOL;
	case FORM_E_ANSWERED:
	case FORM_E_ASKED:
	case FORM_E_DK:
	case FORM_E_RF:
		if (e->a->op != FORM_E_REF) {
			diag_add(R->d, e->line, e->col, _("this function takes the name of a question"));
			return e->type = FORM_T_NONE;
		}
		return e->type = FORM_T_BOOL;
	case FORM_E_COUNT:
		if (a != FORM_T_SET) {
			diag_add(R->d, e->line, e->col,
			         _("count() takes a multiple-choice question, not %s"), tname(a));
			return e->type = FORM_T_NONE;
		}
		return e->type = FORM_T_NUM;
	case FORM_E_LEN:
		if (a != FORM_T_TEXT)
			goto mismatch1;
		return e->type = FORM_T_NUM;
	default:
		return e->type = FORM_T_NONE;
	}
mismatch1:
	diag_add(R->d, e->line, e->col, _("this needs a number, but got %s"), tname(a));
	return e->type = FORM_T_NONE;
mismatch2:
	diag_add(R->d, e->line, e->col, _("cannot compare or combine %s with %s"), tname(a), tname(b));
	return e->type = FORM_T_NONE;
}

/* Resolve a condition: it must come out true or false. */
static void resolve_cond(struct resolver *R, struct form_expr *e, int use)
{
	enum form_type t = resolve_expr(R, e, use);

	if (e && t != FORM_T_NONE && t != FORM_T_BOOL)
		diag_add(R->d, e->line, e->col,
		         _("a condition must be true or false, but this is %s; compare it, e.g. %s = 1"),
		         tname(t), e->op == FORM_E_REF ? e->str : "q1");
}

/* Check the {fills} of one text: each names a value readable at node use. */
static void check_fills(struct resolver *R, const char *s, int use, int line, int col,
                        int strict)
{
	struct form *f = R->f;
	const char *p, *q;
	char name[2 * FORM_MAX_ID + 2];
	int slot;

	for (p = s; *p; p++) {
		if (*p == '}' && p[1] == '}') {
			p++;
			continue;
		}
		if (*p != '{')
			continue;
		if (p[1] == '{') {
			p++;
			continue;
		}
		q = strchr(p, '}');
		if (!q) {
			diag_add(R->d, line, col, _("a text has '{' without '}': write {{ for a literal brace"));
			return;
		}
		if ((size_t)(q - p - 1) >= sizeof name || q == p + 1) {
			diag_add(R->d, line, col, _("'{...}' in a text must name a question or field"));
			p = q;
			continue;
		}
		memcpy(name, p + 1, (size_t)(q - p - 1));
		name[q - p - 1] = '\0';
		slot = hash_get(f->var_names, name);
		if (slot < 0)
			unknown_name(R, name, line, col);
		else if (strict)
			check_use(R, slot, 0, use, line, col, "shows");
		p = q;
	}
}

/*
 * Every declared language present, and fills valid. The subject of a message is built only
 * when there is an error: what is a format with one %s (name) and one %d (code) at most.
 */
static void check_text(struct resolver *R, const struct form_text *t, int use, int line,
                       int col, const char *what, const char *name, int code, int strict)
{
	struct form *f = R->f;
	char subject[2 * FORM_MAX_ID + 64];
	int i;

	if (!t->s)
		return;
	for (i = 0; i < f->nlangs; i++) {
		if (!t->s[i]) {
			if (strstr(what, "%d"))
				snprintf(subject, sizeof subject, what, code, name ? name : "");
			else
				snprintf(subject, sizeof subject, what, name ? name : "");
			diag_add(R->d, line, col, _("no '%s' text for %s"), f->langs[i], subject);
		} else if (strchr(t->s[i], '{')) {
			check_fills(R, t->s[i], use, line, col, strict);
		}
	}
}

/* Collect the questions a check reads (through computed variables too). */
static void collect_refs(struct form *f, const struct form_expr *e, int *refs, int *n, int cap,
                         int depth)
{
	int i;

	if (!e || depth > 64)
		return;
	if (e->op == FORM_E_REF && e->var >= 0) {
		const struct form_var *v = &f->vars[e->var];
		if (v->kind == FORM_V_COMPUTE) {
			collect_refs(f, f->nodes[v->node].expr, refs, n, cap, depth + 1);
		} else if (v->kind == FORM_V_QUESTION || v->kind == FORM_V_ITEM) {
			for (i = 0; i < *n; i++)
				if (refs[i] == e->var)
					break;
			if (i == *n && *n < cap)
				refs[(*n)++] = e->var;
		}
	}
	collect_refs(f, e->a, refs, n, cap, depth + 1);
	if (e->op != FORM_E_IN_LIST)
		collect_refs(f, e->b, refs, n, cap, depth + 1);
}

static const struct form_scale *find_scale(struct resolver *R, const char *name, int line,
                                           int col)
{
	struct form *f = R->f;
	int k = hash_get(f->scale_names, name);
	const char *s;

	if (k >= 0)
		return f->scales[k];
	{
		const char **names = xmalloc(sizeof *names * (size_t)(f->nscales + 1));
		int i;
		for (i = 0; i < f->nscales; i++)
			names[i] = f->scales[i]->id;
		s = suggest(name, names, f->nscales);
		if (s)
			diag_add(R->d, line, col, _("unknown scale '%s'; did you mean '%s'?"), name, s);
		else
			diag_add(R->d, line, col, _("unknown scale '%s'"), name);
		free(names);
	}
	return NULL;
}

/* The built-in yes/no choices in the form's languages. */
static const struct form_scale *yesno_scale(struct resolver *R, const struct form_node *n)
{
	struct form *f = R->f;
	struct form_scale *s = arena_alloc(&f->arena, sizeof *s);
	int i, k, c;

	s->n = 2;
	s->line = n->line;
	s->choices = arena_alloc(&f->arena, 2 * sizeof *s->choices);
	for (c = 0; c < 2; c++) {
		s->choices[c].code = c + 1;
		s->choices[c].line = n->line;
		s->choices[c].label.s = arena_alloc(&f->arena, sizeof(char *) * (size_t)f->nlangs);
	}
	for (i = 0; i < f->nlangs; i++) {
		for (k = 0; k < (int)(sizeof yes_labels / sizeof yes_labels[0]); k++)
			if (!strcmp(yes_labels[k][0], f->langs[i]))
				break;
		if (k == (int)(sizeof yes_labels / sizeof yes_labels[0])) {
			diag_add(R->d, n->line, n->col,
			         _("yesno knows the words for yes and no in en, de, nl and fr, not '%s': use a single question with a scale"),
			         f->langs[i]);
			return s;
		}
		s->choices[0].label.s[i] = yes_labels[k][1];
		s->choices[1].label.s[i] = yes_labels[k][2];
	}
	return s;
}

static void resolve_question(struct resolver *R, int idx)
{
	struct form *f = R->f;
	struct form_node *n = &f->nodes[idx];
	const struct parse_extra *x = &R->in->extra[idx];
	int i;

	if (x->scale_name)
		n->scale = find_scale(R, x->scale_name, x->sline, x->scol);
	if (n->qtype == FORM_Q_YESNO)
		n->scale = yesno_scale(R, n);
	if (n->var >= 0)
		f->vars[n->var].scale = n->scale;
	for (i = 0; i < n->nitems; i++)
		f->vars[n->items[i].var].scale = n->scale;
	if ((n->qtype == FORM_Q_SINGLE || n->qtype == FORM_Q_MULTI) && !x->scale_name &&
	    (!n->scale || !n->scale->n))
		diag_add(R->d, n->line, n->col,
		         _("question '%s' has no choices: name a scale or list the choices below it"), n->id);
	if (n->qtype == FORM_Q_MULTI && n->scale) {
		if (!n->minsel)
			n->minsel = 1;
		if (!n->maxsel)
			n->maxsel = n->scale->n;
		if (n->minsel > n->scale->n)
			diag_add(R->d, n->line, n->col, _("min %d is more than the %d choices of '%s'"),
			         n->minsel, n->scale->n, n->id);
	}
	if (n->qtype == FORM_Q_GRID && n->scale && !n->nitems)
		diag_add(R->d, n->line, n->col, _("grid '%s' has no items: add lines like item NAME en \"...\""),
		         n->id);
	if (n->qtype == FORM_Q_INFO ? !n->say.s && !n->note.s : !n->say.s)
		diag_add(R->d, n->line, n->col, _("question '%s' has no 'say' text to read out"), n->id);
	resolve_cond(R, n->cond, idx);
	check_text(R, &n->say, idx, n->line, n->col, _("the say of question '%s'"), n->id, 0, 1);
	check_text(R, &n->note, idx, n->line, n->col, _("the note of question '%s'"), n->id, 0, 1);
	if (n->scale && !n->scale->id) {
		for (i = 0; i < n->scale->n; i++)
			check_text(R, &n->scale->choices[i].label, idx, n->scale->choices[i].line, 1,
			           "choice %d of '%s'", n->id, n->scale->choices[i].code, 1);
	}
	for (i = 0; i < n->nitems; i++)
		check_text(R, &n->items[i].label, idx, f->vars[n->items[i].var].line, 1,
		           _("an item of grid '%s'"), n->id, 0, 1);
}

/* Validate a skip's target: forward, within the same loop, not into a group. */
static void resolve_skip(struct resolver *R, int idx)
{
	struct form *f = R->f;
	struct form_node *n = &f->nodes[idx];
	const struct parse_extra *x = &R->in->extra[idx];
	int t = hash_get(f->node_names, x->target), a;

	resolve_cond(R, n->cond, idx);
	for (a = n->parent; a >= 0; a = f->nodes[a].parent) {
		if (f->nodes[a].kind == FORM_N_GROUP && (f->nodes[a].flags & FORM_F_RANDOM)) {
			diag_add(R->d, n->line, n->col,
			         _("a random group cannot contain skips: the order of its questions changes"));
			return;
		}
	}
	if (t < 0) {
		if (hash_get(f->var_names, x->target) >= 0)
			diag_add(R->d, x->tline, x->tcol, _("'%s' is a field, not a question or group to skip to"),
			         x->target);
		else
			diag_add(R->d, x->tline, x->tcol, _("unknown question or group '%s' to skip to"), x->target);
		return;
	}
	if (t <= idx) {
		diag_add(R->d, x->tline, x->tcol,
		         _("skip to '%s' goes backwards ('%s' is on line %d): skips only jump forward"),
		         x->target, x->target, f->nodes[t].line);
		return;
	}
	if (f->nodes[t].loop != n->loop) {
		if (n->loop >= 0)
			diag_add(R->d, x->tline, x->tcol,
			         _("skip to '%s' would jump out of a loop; skips stay within one loop"), x->target);
		else
			diag_add(R->d, x->tline, x->tcol,
			         _("skip to '%s' would jump into a loop; skips stay within one loop"), x->target);
		return;
	}
	for (a = n->parent; a >= 0; a = f->nodes[a].parent)
		if (a == f->nodes[t].parent)
			break;
	if (f->nodes[t].parent >= 0 && a != f->nodes[t].parent) {
		diag_add(R->d, x->tline, x->tcol,
		         _("skip to '%s' would jump into group '%s'; skip to the group itself"), x->target,
		         f->nodes[f->nodes[t].parent].id);
		return;
	}
	n->target = t;
}

/* Bind a quota's variables: coded, outside loops; its cell lines' codes from their scales. */
static void resolve_quota(struct resolver *R, struct form_quota *q)
{
	struct form *f = R->f;
	int i, k, j;

	for (i = 0; i < q->nvars; i++) {
		int slot = hash_get(f->var_names, q->var_names[i]);
		const struct form_var *v;
		const struct form_scale *sc = NULL;

		if (slot < 0) {
			unknown_name(R, q->var_names[i], q->line, q->col);
			continue;
		}
		v = &f->vars[slot];
		if (v->kind == FORM_V_CASE)
			sc = v->scale;
		else if (v->kind == FORM_V_QUESTION &&
		         (f->nodes[v->node].qtype == FORM_Q_SINGLE || f->nodes[v->node].qtype == FORM_Q_YESNO))
			sc = f->nodes[v->node].scale;
		else if (v->kind == FORM_V_ITEM)
			sc = f->nodes[v->node].scale;
		if (v->loop >= 0) {
			diag_add(R->d, q->line, q->col, _("quota '%s': '%s' is asked in loop '%s'; a quota counts each interview once"),
			         q->id, v->id, f->nodes[v->loop].id);
			continue;
		}
		if (!sc) {
			diag_add(R->d, q->line, q->col,
			         _("quota '%s': '%s' has no codes; a quota's cells are made of case fields with a scale, single choices, yes/no questions and grid items"),
			         q->id, v->id);
			continue;
		}
		for (k = 0; k < i; k++)
			if (q->vars[k] == slot)
				diag_add(R->d, q->line, q->col, _("quota '%s' names '%s' twice"), q->id, v->id);
		q->vars[i] = slot;
		q->scales[i] = sc;
	}
	for (i = 0; i < q->nvars; i++)
		if (q->vars[i] < 0)
			return;
	if (form_quota_ncells(q) > 100000) {
		diag_add(R->d, q->line, q->col, _("quota '%s' would have %ld cells; at most 100000"), q->id,
		         form_quota_ncells(q));
		return;
	}
	for (k = 0; k < q->ncells; k++) {
		const struct form_quota_cell *c = &q->cells[k];
		for (i = 0; i < q->nvars; i++)
			if (!form_scale_choice(q->scales[i], c->codes[i]))
				diag_add(R->d, c->line, 1, _("cell: %d is not a code of '%s'"), c->codes[i], f->vars[q->vars[i]].id);
		for (j = 0; j < k; j++)
			if (!memcmp(q->cells[j].codes, c->codes, sizeof(int) * (size_t)q->nvars))
				diag_add(R->d, c->line, 1, _("quota '%s' already has this cell on line %d"), q->id, q->cells[j].line);
	}
	if (!f->nodes[q->ending].say.s)
		diag_add(R->d, q->line, q->col,
		         _("quota '%s' needs a text to read when the respondent's cell is full: a 'say' line below it"), q->id);
}

void form_resolve(struct form *f, const struct resolve_in *in, struct form_diags *d)
{
	struct resolver R = { f, in, d, NULL };
	int i, k;

	R.names = xmalloc(sizeof *R.names * (size_t)(f->nvars + 1));
	for (i = 0; i < f->nvars; i++)
		R.names[i] = f->vars[i].id;

	for (i = 0; i < in->ncs; i++)
		f->vars[in->cs[i].slot].scale = find_scale(&R, in->cs[i].name, in->cs[i].line, in->cs[i].col);
	if (f->title.s)
		check_text(&R, &f->title, -1, in->title_line, 1, _("the title%s"), NULL, 0, 0);
	for (i = 0; i < f->nscales; i++) {
		const struct form_scale *s = f->scales[i];
		if (!s->n)
			diag_add(d, s->line, 1, _("scale '%s' has no choices: list them below it, e.g. 1 %s \"...\""),
			         s->id, f->langs[0]);
		for (k = 0; k < s->n; k++)
			check_text(&R, &s->choices[k].label, -1, s->choices[k].line, 1,
			           _("choice %d of scale '%s'"), s->id, s->choices[k].code, 0);
	}

	for (i = 0; i < f->nnodes; i++) {
		struct form_node *n = &f->nodes[i];

		switch (n->kind) {
		case FORM_N_QUESTION:
			resolve_question(&R, i);
			break;
		case FORM_N_GROUP:
			resolve_cond(&R, n->cond, i);
			if (n->child < 0)
				diag_add(d, n->line, n->col, _("group '%s' is empty"), n->id);
			break;
		case FORM_N_LOOP: {
			enum form_type t = resolve_expr(&R, n->expr, i);
			if (n->expr && t != FORM_T_NONE && t != FORM_T_NUM)
				diag_add(d, n->expr->line, n->expr->col,
				         _("a loop repeats a number of times, but this is %s"), tname(t));
			resolve_cond(&R, n->cond, i);
			if (n->child < 0)
				diag_add(d, n->line, n->col, _("loop '%s' is empty"), n->id);
			break;
		}
		case FORM_N_SKIP:
			resolve_skip(&R, i);
			break;
		case FORM_N_COMPUTE: {
			enum form_type t = resolve_expr(&R, n->expr, i);
			f->vars[n->var].type = t;
			break;
		}
		case FORM_N_CHECK: {
			int refs[64], nrefs = 0;

			resolve_cond(&R, n->expr, i);
			if (!n->message.s)
				diag_add(d, n->line, n->col,
				         _("a check needs a message for the interviewer, e.g. %s \"...\""), f->langs[0]);
			check_text(&R, &n->message, i, n->line, n->col, _("the message of this check%s"), NULL, 0, 1);
			collect_refs(f, n->expr, refs, &nrefs, 64, 0);
			n->nrefs = nrefs;
			n->refs = arena_alloc(&f->arena, sizeof(int) * (size_t)(nrefs ? nrefs : 1));
			memcpy(n->refs, refs, sizeof(int) * (size_t)nrefs);
			break;
		}
		case FORM_N_ENDING:
			resolve_cond(&R, n->cond, i);
			check_text(&R, &n->say, i, n->line, n->col, _("the say of this ending%s"), NULL, 0, 1);
			break;
		}
	}
	for (i = 0; i < f->nquotas; i++)
		resolve_quota(&R, &f->quotas[i]);
	free(R.names);
}
