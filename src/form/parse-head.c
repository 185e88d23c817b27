/* parse-head.c: the form's head: form, title, version, languages, and the case fields. */
#include "cati/i18n.h"
#include "parse-int.h"

#include <stdlib.h>
#include <string.h>

/* case NAME [scale S | number [LO..HI] | text], or case NAME NAME...: the case's fields. */
void parse_case(struct parser *P)
{
	struct token *t;
	char *id;
	int slot;

	P->i++;
	if (at_eol(P)) {
		expected(P, _("the name of a case field"));
		return;
	}
	/* case ID TYPE... */
	if (peek(P, 1)->type == T_IDENT &&
	    (tok_is(peek(P, 1), "scale") || tok_is(peek(P, 1), "number") ||
	     tok_is(peek(P, 1), "text"))) {
		t = tok(P);
		id = take_id(P, _("a case field name"));
		if (!id || !check_fresh(P, id, t))
			return;
		slot = new_var(P, id, FORM_V_CASE, FORM_T_TEXT, -1, t->line);
		if (tok_is(tok(P), "scale")) {
			P->i++;
			if (tok(P)->type != T_IDENT) {
				expected(P, _("the name of a scale"));
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
				if (take_number(P, &lo, 0, _("a range like 15..99")) < 0)
					return;
				if (tok(P)->type != T_RANGE) {
					expected(P, "'..'");
					return;
				}
				P->i++;
				if (take_number(P, &hi, 0, _("the highest value")) < 0)
					return;
				if (lo > hi) {
					fail_at(P, t, _("the range is empty: the lowest value must come first"));
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

/* The form's head lines: form NAME, title, version (languages was read by prescan()). */
void parse_header(struct parser *P, const char *kw)
{
	struct token *t = tok(P);

	P->i++;
	if (!strcmp(kw, "form")) {
		struct token *idt = tok(P);
		char *id;

		if (P->seen_form) {
			fail_at(P, t, _("a file holds one form; this is a second 'form' line"));
			return;
		}
		if (P->statements > 1)
			diag_add(P->d, t->line, t->col, _("'form' must be the first statement of the file"));
		P->seen_form = 1;
		(void)idt;
		id = take_id(P, _("the form's name"));
		if (id)
			P->f->id = id;
		want_eol(P);
	} else if (!strcmp(kw, "title")) {
		if (P->f->title.s) {
			fail_at(P, t, _("the form has two 'title' lines"));
			return;
		}
		P->title_line = t->line;
		if (parse_texts(P, &P->f->title, _("the title")) == 0 && !P->bad)
			expected(P, _("the title in quotes"));
		want_eol(P);
	} else if (!strcmp(kw, "version")) {
		t = tok(P);
		if (t->type == T_STR)
			P->f->version = t->str;
		else if (t->type == T_NUM || t->type == T_IDENT || t->type == T_DATE)
			P->f->version = tok_dup(P, t);
		else {
			expected(P, _("a version number or text"));
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
void prescan(struct parser *P, const char *src, size_t len)
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
			diag_add(P->d, t[0].line, t[0].col, _("the form has two 'languages' lines"));
			continue;
		}
		seen = 1;
		for (i = 1; t[i].type != T_EOL; i++) {
			if (t[i].type != T_IDENT || t[i].len < 2 || t[i].len > 8 ||
			    is_keyword(t[i].p, t[i].len)) {
				diag_add(P->d, t[i].line, t[i].col,
				         _("a language is a code of 2 to 8 letters, like en or de"));
				continue;
			}
			if (P->f->nlangs == FORM_MAX_LANGS) {
				diag_add(P->d, t[i].line, t[i].col, _("at most %d languages"), FORM_MAX_LANGS);
				break;
			}
			for (k = 0; k < P->f->nlangs; k++)
				if (strlen(P->f->langs[k]) == t[i].len &&
				    !memcmp(P->f->langs[k], t[i].p, t[i].len))
					break;
			if (k < P->f->nlangs) {
				diag_add(P->d, t[i].line, t[i].col, _("language '%.*s' is listed twice"),
				         (int)t[i].len, t[i].p);
				continue;
			}
			P->f->langs[P->f->nlangs++] = arena_strndup(&P->f->arena, t[i].p, t[i].len);
		}
		if (i == 1)
			diag_add(P->d, t[0].line, t[0].col, _("list the form's languages, e.g. languages en de"));
	}
	free(t);
	if (!seen) {
		diag_add(P->d, 1, 1, _("the form has no 'languages' line (e.g. languages en de)"));
	}
	if (!P->f->nlangs)
		P->f->langs[P->f->nlangs++] = "en";
}
