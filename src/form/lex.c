/* lex.c: split form source into lines of tokens. */
#include "cati/i18n.h"
#include "form-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keywords[] = {
	"form", "title", "version", "languages", "case", "scale", "single", "multi", "integer",
	"decimal", "text", "date", "yesno", "grid", "info", "say", "note", "item", "group", "loop",
	"end", "skip", "to", "compute", "check", "hard", "soft", "screenout", "complete", "if",
	"and", "or", "not", "in", "mod", "dk", "rf", "random", "confirm", "fixed", "anchor",
	"exclusive", "min", "max", "range", "decimals", "times", "yes", "no", "true", "false",
	"number", "personal",
};

/* Is s[0..n) one of the keywords? A bitmask of first letters rules most names out at once. */
int is_keyword(const char *s, size_t n)
{
	/* the first letters of the keywords above, one bit each (a = bit 0) */
	const unsigned firsts = 0x12ef9fdu;
	size_t i;

	if (n < 2 || n > 9 || s[0] < 'a' || s[0] > 'z')
		return 0;
	if (!(firsts & (1u << (s[0] - 'a'))))
		return 0;
	for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (keywords[i][0] == s[0] && keywords[i][1] == s[1] && strncmp(keywords[i], s, n) == 0 &&
		    keywords[i][n] == '\0')
			return 1;
	return 0;
}

/* Column (in characters, 1-based) of p on the line starting at bol. */
static int column(const char *bol, const char *p)
{
	return (int)utf8_len(bol, (size_t)(p - bol)) + 1;
}

/* Columns of positions met left to right on one line, counted incrementally. */
struct colcount {
	const char *p;
	int col;
};

static int column_at(struct colcount *cc, const char *p)
{
	for (; cc->p < p; cc->p++)
		if (((unsigned char)*cc->p & 0xC0) != 0x80)
			cc->col++;
	return cc->col;
}

/* Push a token, growing the array. */
static struct token *push(struct token **toks, int *n, int *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*toks = xrealloc(*toks, (size_t)*cap * sizeof **toks);
	}
	memset(&(*toks)[*n], 0, sizeof **toks);
	return &(*toks)[(*n)++];
}

/* A date literal YYYY-MM-DD at p? */
static int looks_like_date(const char *p, const char *end)
{
	static const char pat[] = "dddd-dd-dd";
	int i;

	if (end - p < 10)
		return 0;
	for (i = 0; i < 10; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != '-')
			return 0;
	}
	return p + 10 == end || !isalnum((unsigned char)p[10]);
}

/* Read a string literal starting at the opening quote; sets t->str or returns an error. */
static const char *lex_string(struct lexer *lx, const char *eol, struct token *t, const char **pp)
{
	const char *p = *pp + 1, *q;
	struct buf b;

	/* the usual case: no escapes before the closing quote */
	for (q = p; q < eol && *q != '"' && *q != '\\'; q++)
		;
	if (q < eol && *q == '"') {
		t->str = arena_strndup(lx->arena, p, (size_t)(q - p));
		*pp = q + 1;
		return NULL;
	}
	buf_init(&b);
	for (;;) {
		if (p >= eol) {
			buf_release(&b);
			return _("unterminated string: add the closing \" on the same line");
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			if (p + 1 >= eol) {
				buf_release(&b);
				return "unterminated string: add the closing \" on the same line";
			}
			switch (p[1]) {
			case '"': buf_putc(&b, '"'); break;
			case '\\': buf_putc(&b, '\\'); break;
			case 'n': buf_putc(&b, '\n'); break;
			default:
				buf_release(&b);
				*pp = p;
				return _("unknown escape in string: use \\\" for a quote, \\\\ for a backslash, \\n for a new line");
			}
			p += 2;
			continue;
		}
		buf_putc(&b, *p);
		p++;
	}
	t->str = arena_strndup(lx->arena, buf_str(&b), b.len);
	buf_release(&b);
	*pp = p + 1;
	return NULL;
}

int lex_line(struct lexer *lx, struct token **toks, int *n, int *cap, const char **emsg,
             int *ecol)
{
	const char *bol, *eol, *p, *s;
	struct token *t;
	struct colcount cc;
	size_t bad;

	*n = 0;
	if (lx->p >= lx->end)
		return 0;
	bol = lx->p;
	eol = memchr(bol, '\n', (size_t)(lx->end - bol));
	if (!eol)
		eol = lx->end;
	lx->p = eol < lx->end ? eol + 1 : eol;
	lx->line++;
	if (eol > bol && eol[-1] == '\r')
		eol--;
	if (lx->line == 1 && eol - bol >= 3 && memcmp(bol, "\xEF\xBB\xBF", 3) == 0)
		bol += 3;
	if (memchr(bol, '\0', (size_t)(eol - bol))) {
		*emsg = _("the line contains a NUL byte: is this a text file?");
		*ecol = column(bol, (const char *)memchr(bol, '\0', (size_t)(eol - bol)));
		return -1;
	}
	if (!utf8_valid(bol, (size_t)(eol - bol), &bad)) {
		*emsg = _("invalid UTF-8: save the file as UTF-8 text");
		*ecol = column(bol, bol + bad);
		return -1;
	}

	p = bol;
	cc.p = bol;
	cc.col = 1;
	for (;;) {
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= eol || *p == '#')
			break;
		t = push(toks, n, cap);
		t->p = p;
		t->line = lx->line;
		t->col = column_at(&cc, p);
		if (isalpha((unsigned char)*p) || *p == '_') {
			s = p;
			while (p < eol && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			t->type = T_IDENT;
		} else if (looks_like_date(p, eol)) {
			t->type = T_DATE;
			if (form_date_parse(p, 10, &t->num) < 0) {
				*emsg = _("not a valid date: write dates as YYYY-MM-DD, e.g. 2024-01-31");
				*ecol = t->col;
				return -1;
			}
			p += 10;
		} else if (isdigit((unsigned char)*p)) {
			char num[64];
			size_t len;

			s = p;
			while (p < eol && isdigit((unsigned char)*p))
				p++;
			t->is_int = 1;
			if (p + 1 < eol && *p == '.' && isdigit((unsigned char)p[1])) {
				p++;
				while (p < eol && isdigit((unsigned char)*p))
					p++;
				t->is_int = 0;
			}
			if (p < eol && (isalpha((unsigned char)*p) || *p == '_')) {
				*emsg = _("a name cannot start with a digit");
				*ecol = t->col;
				return -1;
			}
			len = (size_t)(p - s);
			if (len >= sizeof num) {
				*emsg = _("number too long");
				*ecol = t->col;
				return -1;
			}
			memcpy(num, s, len);
			num[len] = '\0';
			t->num = strtod(num, NULL);
			t->type = T_NUM;
		} else if (*p == '"') {
			const char *err = lex_string(lx, eol, t, &p);
			if (err) {
				*emsg = err;
				*ecol = p == t->p ? t->col : column(bol, p);
				return -1;
			}
			t->type = T_STR;
		} else {
			switch (*p) {
			case '=': t->type = T_EQ; p++; break;
			case '+': t->type = T_PLUS; p++; break;
			case '-': t->type = T_MINUS; p++; break;
			case '*': t->type = T_STAR; p++; break;
			case '/': t->type = T_SLASH; p++; break;
			case '(': t->type = T_LPAREN; p++; break;
			case ')': t->type = T_RPAREN; p++; break;
			case ',': t->type = T_COMMA; p++; break;
			case '[': t->type = T_LBRACK; p++; break;
			case ']': t->type = T_RBRACK; p++; break;
			case '.':
				if (p + 1 < eol && p[1] == '.') {
					t->type = T_RANGE;
					p += 2;
				} else {
					t->type = T_DOT;
					p++;
				}
				break;
			case '<':
				p++;
				if (p < eol && *p == '=') {
					t->type = T_LE;
					p++;
				} else if (p < eol && *p == '>') {
					t->type = T_NE;
					p++;
				} else {
					t->type = T_LT;
				}
				break;
			case '>':
				p++;
				if (p < eol && *p == '=') {
					t->type = T_GE;
					p++;
				} else {
					t->type = T_GT;
				}
				break;
			case '!':
				if (p + 1 < eol && p[1] == '=') {
					t->type = T_NE;
					p += 2;
					break;
				}
				/* fall through */
			default:
				*emsg = (unsigned char)*p >= 0x80
				        ? _("unexpected character: text must be inside \"quotes\"")
				        : _("unexpected character");
				*ecol = t->col;
				return -1;
			}
		}
		t->len = (size_t)(p - t->p);
	}
	t = push(toks, n, cap);
	t->type = T_EOL;
	t->p = p;
	t->line = lx->line;
	t->col = column_at(&cc, p);
	return 1;
}
