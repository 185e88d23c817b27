/* genform.c: generate large, valid form files for tests and benchmarks. */
#include "genform.h"

#include <stdlib.h>

#include "cati/util.h"

enum { G_SINGLE, G_INT, G_MULTI, G_TEXT, G_YESNO, G_DEC, G_NTYPES };

/* A small deterministic generator (xorshift32). */
static unsigned next(unsigned *s)
{
	unsigned x = *s ? *s : 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* A condition on question j (of type t) that type-checks. */
static void cond_on(struct buf *b, int j, int t, unsigned *s)
{
	switch (t) {
	case G_SINGLE: buf_printf(b, "q%d in (1, 2, %u..6)", j, 3 + next(s) % 3); break;
	case G_INT: buf_printf(b, "q%d >= %u", j, next(s) % 50); break;
	case G_MULTI: buf_printf(b, "%u in q%d", 1 + next(s) % 4, j); break;
	case G_TEXT: buf_printf(b, "len(q%d) > %u", j, next(s) % 5); break;
	case G_YESNO: buf_printf(b, "q%d = yes", j); break;
	default: buf_printf(b, "q%d * 2 < %u.5", j, next(s) % 100); break;
	}
}

char *genform(int n, unsigned seed)
{
	struct buf b;
	int *type = xcalloc((size_t)n + 1, sizeof *type);
	int i, g = 0, in_group = 0;
	unsigned s = seed * 2654435761u + 1;

	buf_init(&b);
	buf_printf(&b, "form gen%d\ntitle en \"Generated form\" de \"Erzeugter Fragebogen\"\n"
	               "version 1\nlanguages en de\ncase name\ncase region scale regions\n\n",
	           n);
	buf_puts(&b, "scale regions\n");
	for (i = 1; i <= 9; i++)
		buf_printf(&b, "  %d en \"Region %d\" de \"Bundesland %d\"\n", i, i, i);
	buf_puts(&b, "scale sat6\n");
	for (i = 1; i <= 6; i++)
		buf_printf(&b, "  %d en \"level %d\" de \"Stufe %d\"\n", i, i, i);
	buf_puts(&b, "\n");

	for (i = 1; i <= n; i++) {
		int t = (int)(next(&s) % G_NTYPES), k, nc;

		if (i % 50 == 1) {
			if (in_group)
				buf_puts(&b, "end\n\n");
			buf_printf(&b, "group g%d if region in (1..%u) or not answered(region)\n", ++g,
			           5 + next(&s) % 5);
			in_group = 1;
		}
		type[i] = t;
		switch (t) {
		case G_SINGLE: buf_printf(&b, "single q%d sat6 dk rf", i); break;
		case G_INT: buf_printf(&b, "integer q%d range 0..120 dk", i); break;
		case G_MULTI: buf_printf(&b, "multi q%d max 3", i); break;
		case G_TEXT: buf_printf(&b, "text q%d max 200 rf", i); break;
		case G_YESNO: buf_printf(&b, "yesno q%d dk", i); break;
		default: buf_printf(&b, "decimal q%d range 0..99.9 decimals 1", i); break;
		}
		/* deep conditions: several earlier answers joined with and / or / not */
		nc = i > 8 ? (int)(next(&s) % 4) : 0;
		if (nc) {
			buf_puts(&b, " if ");
			for (k = 0; k < nc; k++) {
				int j = i - 1 - (int)(next(&s) % (i > 40 ? 40 : i - 1));
				if (k)
					buf_puts(&b, k % 2 ? " or " : " and ");
				if (next(&s) % 3 == 0)
					buf_puts(&b, "not ");
				buf_putc(&b, '(');
				cond_on(&b, j, type[j], &s);
				buf_printf(&b, " or dk(q%d))", j);
			}
		}
		buf_printf(&b, "\n  say en \"Question %d: how would you rate this, {name}?\"\n"
		               "      de \"Frage %d: wie bewerten Sie das, {name}?\"\n", i, i);
		if (i % 7 == 0)
			buf_printf(&b, "  note en \"Probe once.\" de \"Einmal nachfragen.\"\n");
		if (t == G_MULTI)
			buf_puts(&b, "  1 en \"one\" de \"eins\"\n  2 en \"two\" de \"zwei\"\n"
			             "  3 en \"three\" de \"drei\"\n  4 en \"four\" de \"vier\"\n"
			             "  9 en \"none\" de \"keins\" exclusive\n");
		if (i % 25 == 0 && t == G_INT)
			buf_printf(&b, "check soft q%d < 100 en \"Over 100 in q%d?\" de \"Über 100?\"\n", i, i);
		if (i % 100 == 0)
			buf_printf(&b, "compute c%d = answered(q%d) and answered(q%d)\n", i, i, i - 1);
	}
	if (in_group)
		buf_puts(&b, "end\n");
	buf_puts(&b, "integer nloop range 0..5\n  say en \"How many?\" de \"Wie viele?\"\n"
	             "loop rep times nloop max 5\n  text rq\n    say en \"Item {rep}?\" de \"Punkt {rep}?\"\nend\n"
	             "screenout late if nloop = 0\n  say en \"Thanks\" de \"Danke\"\n");
	free(type);
	return buf_detach(&b);
}
