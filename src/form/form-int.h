/* form-int.h: the form compiler's internals, shared by lex.c, parse.c, resolve.c. */
#ifndef CATI_FORM_INT_H
#define CATI_FORM_INT_H

#include <stddef.h>

#include "cati/form.h"

enum tok_type {
	T_EOL, T_IDENT, T_NUM, T_STR, T_DATE, T_RANGE,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_LPAREN, T_RPAREN, T_COMMA, T_DOT,
	T_LBRACK, T_RBRACK,
};

struct token {
	enum tok_type type;
	const char *p;     /* start in the source */
	size_t len;        /* bytes in the source */
	int line, col;     /* 1-based; col counts characters */
	double num;        /* T_NUM, T_DATE (days) */
	int is_int;        /* T_NUM written without a decimal point */
	const char *str;   /* T_STR: unescaped, in the arena */
};

struct lexer {
	const char *src, *end, *p;
	int line;
	struct arena *arena;
};

/*
 * Tokenize the next line into *toks (grown as needed, *n set). Returns 0 at end of input,
 * 1 for a line, -1 for a line with a lexical error (*emsg set, *ecol its column).
 */
int lex_line(struct lexer *lx, struct token **toks, int *n, int *cap, const char **emsg,
             int *ecol);

/* Is t the identifier word? */
static inline int tok_is(const struct token *t, const char *word)
{
	size_t i;

	if (t->type != T_IDENT)
		return 0;
	for (i = 0; i < t->len; i++)
		if (t->p[i] != word[i])
			return 0;
	return word[t->len] == '\0';
}
/* 1 if word is a reserved keyword of the language. */
int is_keyword(const char *s, size_t n);

/* Diagnostics. */
void diag_add(struct form_diags *d, int line, int col, const char *fmt, ...) CATI_PRINTF(4, 5);
/* Among the n names, the closest to s within a small edit distance, or NULL. */
const char *suggest(const char *s, const char *const *names, int n);

/* Name table: id -> index. */
struct form_hash *hash_new(void);
void hash_free(struct form_hash *h);
/* Insert; returns the existing value if the key is present (and inserts nothing), else -1. */
int hash_put(struct form_hash *h, const char *key, int value);
int hash_get(const struct form_hash *h, const char *key);

/* Resolution pass, after parsing: names, types, routes, translations. */
struct parse_extra {
	const char *scale_name;  /* question's scale as written, or NULL */
	int sline, scol;
	const char *target;      /* skip target as written */
	int tline, tcol;
	int depth;
};

/* A case field coded by a scale, resolved once all scales are known. */
struct case_scale {
	int slot;
	const char *name;
	int line, col;
};

struct resolve_in {
	struct parse_extra *extra;   /* one per node */
	struct case_scale *cs;
	int ncs;
	int title_line;
};

void form_resolve(struct form *f, const struct resolve_in *in, struct form_diags *d);

#endif
