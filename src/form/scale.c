/* scale.c: a scale's value as people write it (a code, a label, a short name), and its values listed. */
#include "form-int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * The next character of s folded to lower case, advancing *s: ASCII letters and the Latin-1
 * capitals (À..Þ but ×, written C3 80..C3 9E) as their small forms; other bytes as they are.
 */
static unsigned fold_next(const unsigned char **s)
{
	const unsigned char *p = *s;

	if (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97) {
		*s = p + 2;
		return 0xC300u | (unsigned)(p[1] + 0x20);
	}
	if (p[0] == 0xC3 && p[1]) {
		*s = p + 2;
		return 0xC300u | p[1];
	}
	*s = p + 1;
	return (unsigned)tolower(p[0]);
}

/* Do a[0..alen) and b (NUL-terminated) read the same but for case? */
static int same_folded(const char *a, size_t alen, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *end = p + alen;
	const unsigned char *q = (const unsigned char *)b;

	while (p < end && *q) {
		/* a two-byte letter must not run past the end of a */
		if (p[0] == 0xC3 && p + 1 >= end)
			return 0;
		if (fold_next(&p) != fold_next(&q))
			return 0;
	}
	return p == end && !*q;
}

/* Does choice c of f answer to text t[0..n): a label in any language, or its short name? */
static int names_choice(const struct form *f, const struct form_choice *c, const char *t, size_t n)
{
	int l;

	if (c->short_name && same_folded(t, n, c->short_name))
		return 1;
	for (l = 0; c->label.s && l < f->nlangs; l++)
		if (c->label.s[l] && same_folded(t, n, c->label.s[l]))
			return 1;
	return 0;
}

int form_scale_match(const struct form *f, const struct form_scale *s, const char *text, int *code,
                     int *other)
{
	const char *t = text, *end;
	size_t n;
	int i, found = 0;

	while (*t == ' ' || *t == '\t')
		t++;
	end = t + strlen(t);
	while (end > t && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - t);
	if (!s || !n)
		return 0;
	/* a whole number is always read as a code */
	if (isdigit((unsigned char)*t) || (*t == '-' && n > 1)) {
		char num[32], *e;
		long v;

		if (n < sizeof num) {
			memcpy(num, t, n);
			num[n] = '\0';
			errno = 0;
			v = strtol(num, &e, 10);
			if (!*e && !errno && v >= 0 && v <= FORM_MAX_CODE && form_scale_choice(s, (int)v)) {
				*code = (int)v;
				return 1;
			}
		}
	}
	for (i = 0; i < s->n; i++) {
		if (!names_choice(f, &s->choices[i], t, n))
			continue;
		if (found) {
			*other = s->choices[i].code;
			return -1;
		}
		*code = s->choices[i].code;
		found = 1;
	}
	return found;
}

void form_scale_values(const struct form *f, const struct form_scale *s, int lang, int max,
                       struct buf *out)
{
	int i, shown = s->n <= max ? s->n : (max > 1 ? max - 1 : 1);

	for (i = 0; i < shown; i++) {
		const struct form_choice *c = &s->choices[i];
		const char *label = form_text_get(f, &c->label, lang);

		buf_printf(out, "%s%d", i ? ", " : "", c->code);
		if (c->short_name)
			buf_printf(out, " %s", c->short_name);
		if (*label)
			buf_printf(out, " %s", label);
	}
	if (shown < s->n)
		buf_printf(out, ", ... (%d values)", s->n);
}
