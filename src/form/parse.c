/*
 * parse.c: form source to nodes, scales and variables: the parser's state, its shared helpers,
 * the statement dispatch (names are resolved later, in resolve.c).
 */
#include "cati/i18n.h"
#include "parse-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE_TOKENS 2000

static const char *const statements[] = {
	"form", "title", "version", "languages", "case", "scale", "single", "multi", "integer",
	"decimal", "text", "date", "yesno", "grid", "info", "say", "note", "item", "group", "loop",
	"end", "skip", "compute", "check", "screenout", "complete", "quota", "cell",
};

/* A short description of a token for messages. */
const char *describe(const struct token *t, char *out, size_t n)
{
	switch (t->type) {
	case T_EOL:
		snprintf(out, n, _("the end of the line"));
		break;
	case T_STR:
		snprintf(out, n, _("a text in quotes"));
		break;
	default:
		snprintf(out, n, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->p);
		break;
	}
	return out;
}

/* Report at token t and mark the statement failed. */
void fail_at(struct parser *P, const struct token *t, const char *fmt, ...)
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

/* Report that what was expected where the current token stands. */
void expected(struct parser *P, const char *what)
{
	char d[64];
	fail_at(P, tok(P), _("expected %s, found %s"), what, describe(tok(P), d, sizeof d));
}

/* A copy of the token's text in the form's arena. */
char *tok_dup(struct parser *P, const struct token *t)
{
	return arena_strndup(&P->f->arena, t->p, t->len);
}

/* Take an identifier that names something new; NULL (and an error) otherwise. */
char *take_id(struct parser *P, const char *what)
{
	struct token *t = tok(P);
	char d[64];

	if (t->type != T_IDENT) {
		fail_at(P, t, _("expected %s, found %s"), what, describe(t, d, sizeof d));
		return NULL;
	}
	if (is_keyword(t->p, t->len)) {
		fail_at(P, t, _("'%.*s' is a keyword of the form language and cannot be used as %s"),
		        (int)t->len, t->p, what);
		return NULL;
	}
	if (t->len > FORM_MAX_ID) {
		fail_at(P, t, _("name too long (at most %d characters)"), FORM_MAX_ID);
		return NULL;
	}
	P->i++;
	return tok_dup(P, t);
}

/* A number, with an optional minus sign. */
int take_number(struct parser *P, double *v, int want_int, const char *what)
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
		fail_at(P, t, _("%s must be a whole number"), what);
		return -1;
	}
	*v = neg ? -t->num : t->num;
	P->i++;
	return 0;
}

/* Report anything left on the line after a complete statement. */
void want_eol(struct parser *P)
{
	char d[64];

	if (!P->bad && !at_eol(P))
		fail_at(P, tok(P), _("unexpected %s at the end of the statement"),
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
		fail_at(P, t, _("'%.*s' is not one of the form's languages (%s)"), (int)t->len, t->p,
		        buf_str(&b));
		buf_release(&b);
	}
	return -1;
}

/* Give t room for one text per language, once. */
static void text_alloc(struct parser *P, struct form_text *t)
{
	if (!t->s)
		t->s = arena_alloc(&P->f->arena, sizeof(char *) * (size_t)(P->f->nlangs ? P->f->nlangs : 1));
}

/*
 * Read `lang "text"` pairs (or a bare "text" in a one-language form) into t.
 * Returns the number read, or -1 on error.
 */
int parse_texts(struct parser *P, struct form_text *t, const char *what)
{
	int n = 0, lang;
	struct token *l;

	for (;;) {
		l = tok(P);
		if (l->type == T_STR) {
			if (P->f->nlangs != 1) {
				fail_at(P, l, _("say which language this text is in, e.g. %s \"...\""),
				        P->f->nlangs ? P->f->langs[0] : "en");
				return -1;
			}
			lang = 0;
			P->i++;
		} else if (l->type == T_IDENT && peek(P, 1)->type == T_STR && !tok_is(l, "short")) {
			lang = lang_of(P, l, 1);
			if (lang < 0)
				return -1;
			text_alloc(P, t);
			if (t->s[lang]) {
				fail_at(P, l, _("%s has two '%s' texts"), what, P->f->langs[lang]);
				return -1;
			}
			P->i++;
			l = tok(P);
			P->i++;
		} else if (l->type == T_IDENT && peek(P, 1)->type != T_STR && lang_of(P, l, 0) >= 0) {
			P->i++;
			expected(P, _("a text in \"quotes\" after the language"));
			return -1;
		} else {
			break;
		}
		text_alloc(P, t);
		if (t->s[lang]) {
			fail_at(P, l, _("%s has two '%s' texts"), what, P->f->langs[lang]);
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
int new_node(struct parser *P, enum form_kind kind, const char *id, const struct token *at)
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
			diag_add(P->d, at->line, at->col, _("'%s' is already defined on line %d"), id,
			         f->nodes[old].line);
	}
	return idx;
}

/* Is id free to define? Reports the clash otherwise. */
int check_fresh(struct parser *P, const char *id, const struct token *at)
{
	struct form *f = P->f;
	int k;

	if ((k = hash_get(f->var_names, id)) >= 0) {
		fail_at(P, at, _("'%s' is already defined on line %d"), id, f->vars[k].line);
		return 0;
	}
	if ((k = hash_get(f->node_names, id)) >= 0) {
		fail_at(P, at, _("'%s' is already defined on line %d"), id, f->nodes[k].line);
		return 0;
	}
	if ((k = hash_get(f->scale_names, id)) >= 0) {
		fail_at(P, at, _("'%s' is already the name of a scale (line %d)"), id,
		        f->scales[k]->line);
		return 0;
	}
	return 1;
}

/* Add a variable; returns its slot. */
int new_var(struct parser *P, const char *id, enum form_vkind kind, enum form_type type,
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

/* A new scale (named, or NULL for a question's own choices) in the form's arena. */
struct form_scale *new_scale(struct parser *P, const char *id, int line)
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

/* A line that starts with a string continues the text before it. */
static void parse_continuation(struct parser *P)
{
	struct token *t = tok(P);
	struct buf b;

	if (!P->last_text || !*P->last_text) {
		fail_at(P, t, _("a text on its own line must continue the text of the line above"));
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

/* One statement (a line): dispatch on its first word. */
static void statement(struct parser *P)
{
	struct token *t = tok(P);
	int qt;
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
			fail_at(P, t, _("a text on its own line must follow a statement with texts"));
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
		fail_at(P, t, _("a statement starts with a keyword, not %s"), describe(t, d, sizeof d));
		return;
	}
	memcpy(word, t->p, t->len > FORM_MAX_ID ? FORM_MAX_ID : t->len);
	word[t->len > FORM_MAX_ID ? FORM_MAX_ID : t->len] = '\0';
	if (strcmp(word, "say") && strcmp(word, "note") && strcmp(word, "item"))
		P->scale = NULL;
	if (strcmp(word, "say") && strcmp(word, "cell"))
		P->quota_cur = -1;
	qt = parse_qtype(word);
	if (qt >= 0) {
		parse_question(P, qt);
		return;
	}
	if (!strcmp(word, "form") || !strcmp(word, "title") || !strcmp(word, "version") ||
	    !strcmp(word, "languages"))
		parse_header(P, word);
	else if (!strcmp(word, "case"))
		parse_case(P);
	else if (!strcmp(word, "scale"))
		parse_scale(P);
	else if (!strcmp(word, "say") || !strcmp(word, "note") || !strcmp(word, "item"))
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
			fail_at(P, t, _("'%s' is not a statement; did you mean '%s'?"), word, s);
		else
			fail_at(P, t, _("'%s' is not a statement (a line starts with a keyword such as single, say, group, check)"), word);
	}
}

/* Compile form source: parse every line, then resolve names and types. */
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
			diag_add(d, P.lx.line, 1, _("the line is too long (more than %d words and symbols)"),
			         MAX_LINE_TOKENS);
			continue;
		}
		P.i = 0;
		P.bad = 0;
		P.edepth = 0;
		statement(&P);
	}
	if (!P.seen_form)
		diag_add(d, 1, 1, _("the file has no 'form NAME' line: is it a form file?"));
	while (P.depth > 0) {
		struct form_node *n = &f->nodes[P.stack[--P.depth]];
		diag_add(d, n->line, n->col, _("%s '%s' has no 'end'"),
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

/* Read a form file and compile it. */
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

/* Free a compiled form. */
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
