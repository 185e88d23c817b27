/* tally.c: completes per quota cell for the routing tools (`cati walk`, `cati simulate`). */
#include <stdlib.h>
#include <string.h>

#include "cati/engine.h"

/* One cell met or set: its key, completes counted, interviews it turned away. */
struct tally_cell {
	char *key;
	long completes;
	long ended;
};

/* The cells of one quota, in the order first met. */
struct tally_quota {
	struct tally_cell *cells;
	int n, cap;
};

struct eng_tally {
	const struct form *f;
	struct tally_quota *q;    /* one per f->quotas */
};

/* The entry of cell key in quota qi, made (with zero counts) when add is set; else NULL. */
static struct tally_cell *cell_of(const struct eng_tally *t, int qi, const char *key, int add)
{
	struct tally_quota *tq;
	int i;

	if (qi < 0 || qi >= t->f->nquotas)
		return NULL;
	tq = &t->q[qi];
	for (i = 0; i < tq->n; i++)
		if (!strcmp(tq->cells[i].key, key))
			return &tq->cells[i];
	if (!add)
		return NULL;
	if (tq->n == tq->cap) {
		tq->cap = tq->cap ? tq->cap * 2 : 16;
		tq->cells = xrealloc(tq->cells, sizeof *tq->cells * (size_t)tq->cap);
	}
	tq->cells[tq->n].key = xstrdup(key);
	tq->cells[tq->n].completes = 0;
	tq->cells[tq->n].ended = 0;
	return &tq->cells[tq->n++];
}

/* The index of quota q in its form. */
static int quota_index(const struct eng_tally *t, const struct form_quota *q)
{
	return (int)(q - t->f->quotas);
}

/* A tally for form f with every count at zero. */
struct eng_tally *eng_tally_new(const struct form *f)
{
	struct eng_tally *t = xcalloc(1, sizeof *t);

	t->f = f;
	t->q = xcalloc((size_t)f->nquotas + 1, sizeof *t->q);
	return t;
}

/* Free a tally and its cells. */
void eng_tally_free(struct eng_tally *t)
{
	int i, k;

	if (!t)
		return;
	for (i = 0; i < t->f->nquotas; i++) {
		for (k = 0; k < t->q[i].n; k++)
			free(t->q[i].cells[k].key);
		free(t->q[i].cells);
	}
	free(t->q);
	free(t);
}

/* Set the completes already counted in cell key of quota qi. */
void eng_tally_set(struct eng_tally *t, int qi, const char *key, long completes)
{
	struct tally_cell *c = cell_of(t, qi, key, 1);

	if (c)
		c->completes = completes;
}

/* The counts of cell key of quota qi (zero for a cell never met). */
void eng_tally_get(const struct eng_tally *t, int qi, const char *key, long *completes, long *ended)
{
	const struct tally_cell *c = cell_of(t, qi, key, 0);

	*completes = c ? c->completes : 0;
	*ended = c ? c->ended : 0;
}

/* The engine's quota hook over a tally: full when the completes reach the target. */
int eng_tally_full(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	const struct eng_tally *t = ctx;
	const struct tally_cell *c = cell_of(t, quota_index(t, q), cell, 0);

	return (c ? c->completes : 0) >= target;
}

/* Count one complete in a cell of the interview (eng_cells callback). */
static void add_complete(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	struct eng_tally *t = ctx;
	struct tally_cell *c = cell_of(t, quota_index(t, q), cell, 1);

	(void)target;
	c->completes++;
}

/* The tally, and the quota whose full cell ended the interview (until its cell is counted). */
struct ended_ctx {
	struct eng_tally *t;
	const char *quota;
};

/* Count one interview turned away by the cell of the quota that ended it. */
static void add_ended(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	struct ended_ctx *x = ctx;

	(void)target;
	if (x->quota && !strcmp(q->id, x->quota)) {
		cell_of(x->t, quota_index(x->t, q), cell, 1)->ended++;
		x->quota = NULL;
	}
}

/* Count the ended interview e into t: a complete in each of its cells, or a turn-away. */
void eng_tally_count(struct eng_tally *t, struct eng *e)
{
	const struct eng_screen *sc = eng_screen(e);

	if (sc->kind != ENG_SCREEN_END)
		return;
	if (sc->complete) {
		eng_cells(e, add_complete, t);
	} else if (sc->quota) {
		struct ended_ctx x = { t, sc->quota };
		eng_cells(e, add_ended, &x);
	}
}
