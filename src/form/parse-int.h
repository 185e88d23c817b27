/*
 * parse-int.h: the parser's state and helpers, shared by parse.c (helpers, dispatch),
 * parse-head.c, parse-expr.c, parse-question.c, parse-route.c and parse-quota.c.
 */
#ifndef CATI_PARSE_INT_H
#define CATI_PARSE_INT_H

#include "form-int.h"

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

/* The current token. */
static inline struct token *tok(struct parser *P)
{
	return &P->t[P->i];
}

/* The token k places after the current one (the line's end when past it). */
static inline struct token *peek(struct parser *P, int k)
{
	int j = P->i + k;
	return &P->t[j < P->nt ? j : P->nt - 1];
}

/* Is the current token the end of the line? */
static inline int at_eol(struct parser *P)
{
	return tok(P)->type == T_EOL;
}

/* parse.c: helpers every statement uses ------------------------------------------------------ */

/* A short description of token t for messages, into out (n bytes); returns out. */
const char *describe(const struct token *t, char *out, size_t n);
/* Report at token t and mark the statement failed (only its first error is reported). */
void fail_at(struct parser *P, const struct token *t, const char *fmt, ...) CATI_PRINTF(3, 4);
/* Report that what was expected where the current token stands. */
void expected(struct parser *P, const char *what);
/* A copy of the token's text in the form's arena. */
char *tok_dup(struct parser *P, const struct token *t);
/* Take an identifier that names something new; NULL (and an error) otherwise. */
char *take_id(struct parser *P, const char *what);
/* A number, with an optional minus sign, into *v; -1 (and an error) when there is none. */
int take_number(struct parser *P, double *v, int want_int, const char *what);
/* Report anything left on the line after a complete statement. */
void want_eol(struct parser *P);
/* Read `lang "text"` pairs (or a bare "text" in a one-language form) into t: count, or -1. */
int parse_texts(struct parser *P, struct form_text *t, const char *what);
/* Append a node under the open block; returns its index. */
int new_node(struct parser *P, enum form_kind kind, const char *id, const struct token *at);
/* Is id free to define? Reports the clash otherwise. */
int check_fresh(struct parser *P, const char *id, const struct token *at);
/* Add a variable; returns its slot. */
int new_var(struct parser *P, const char *id, enum form_vkind kind, enum form_type type,
            int node, int line);
/* A new scale (named, or NULL for a question's own choices) in the form's arena. */
struct form_scale *new_scale(struct parser *P, const char *id, int line);

/* parse-head.c */
/* case NAME [scale S | number [LO..HI] | text], or case NAME NAME...: the case's fields. */
void parse_case(struct parser *P);
/* The form's head lines: form NAME, title, version (languages was read by prescan()). */
void parse_header(struct parser *P, const char *kw);
/* Find the `languages` line first: every text needs to know the languages. */
void prescan(struct parser *P, const char *src, size_t len);

/* parse-expr.c */
/* An expression, and its source text into *src when src is not NULL; NULL on error. */
struct form_expr *parse_expr(struct parser *P, const char **src);
/* `if EXPR` at the end of a statement, when present, into n's condition. */
void parse_if(struct parser *P, struct form_node *n);

/* parse-question.c */
/* The index of the question type named word (for parse_question()), or -1. */
int parse_qtype(const char *word);
/* A question of type qt (parse_qtype()): TYPE NAME [options] [if COND]. */
void parse_question(struct parser *P, int qt);
/* scale NAME: a named list of choices, filled by the choice lines below it. */
void parse_scale(struct parser *P);
/* A choice line: CODE texts [anchor] [exclusive]. */
void parse_choice(struct parser *P);
/* say / note / item lines (what names which), which belong to the question above. */
void parse_sub(struct parser *P, const char *what);

/* parse-route.c */
/* group NAME [random] [if COND], or loop NAME times EXPR [max N] [if COND]. */
void parse_block_start(struct parser *P, int is_loop);
/* end: closes the innermost open group or loop. */
void parse_end(struct parser *P);
/* skip to NAME [if COND]. */
void parse_skip(struct parser *P);
/* compute NAME = EXPRESSION. */
void parse_compute(struct parser *P);
/* check hard|soft EXPRESSION [texts]. */
void parse_check(struct parser *P);
/* screenout NAME [outcome CALL] [if COND] [outcome CALL], or complete [if COND]. */
void parse_ending(struct parser *P, int complete);

/* parse-quota.c */
/* quota NAME by VAR... target N [allowance N] [outcome NAME] */
void parse_quota(struct parser *P);
/* cell CODE... target N: one cell of the quota above with its own target. */
void parse_cell(struct parser *P);

#endif
