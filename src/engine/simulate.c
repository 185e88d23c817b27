/* simulate.c: random interviews through a form (`cati simulate`): where the routes go. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/engine.h"

/* The random source: splitmix64 over a counter. */
struct rng {
	uint64_t s;
};

/* The next random number. */
static uint64_t rnd(struct rng *r)
{
	uint64_t x;

	r->s += 0x9E3779B97F4A7C15ULL;
	x = r->s;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/* A random whole number from lo to hi. */
static int rnd_int(struct rng *r, int lo, int hi)
{
	return hi <= lo ? lo : lo + (int)(rnd(r) % (uint64_t)(hi - lo + 1));
}

/* A random legal-looking answer for the screen (it may still fail a check). */
static void random_answer(struct rng *r, const struct eng_screen *sc, struct eng_answer *a,
                          int *codes)
{
	int i, k, n;

	memset(a, 0, sizeof *a);
	a->state = FORM_S_OK;
	if ((sc->allow & FORM_F_DK) && rnd(r) % 100 < 5) {
		a->state = FORM_S_DK;
		return;
	}
	if ((sc->allow & FORM_F_RF) && rnd(r) % 100 < 3) {
		a->state = FORM_S_RF;
		return;
	}
	switch (sc->qtype) {
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
		a->num = sc->nchoices ? sc->choices[rnd(r) % (uint64_t)sc->nchoices].code : 0;
		break;
	case FORM_Q_MULTI:
		k = rnd(r) % (uint64_t)(sc->nchoices ? sc->nchoices : 1);
		if (sc->choices[k].flags & FORM_C_EXCLUSIVE && sc->minsel <= 1) {
			codes[0] = sc->choices[k].code;
			a->ncodes = 1;
		} else {
			n = rnd_int(r, sc->minsel, sc->maxsel);
			for (i = 0; i < sc->nchoices && a->ncodes < n; i++) {
				k = (int)(rnd(r) % (uint64_t)sc->nchoices);
				if (!(sc->choices[k].flags & FORM_C_EXCLUSIVE)) {
					int dup = 0, j;
					for (j = 0; j < a->ncodes; j++)
						dup |= codes[j] == sc->choices[k].code;
					if (!dup)
						codes[a->ncodes++] = sc->choices[k].code;
				}
			}
		}
		a->codes = codes;
		break;
	case FORM_Q_INTEGER:
		a->num = sc->has_range ? rnd_int(r, (int)sc->lo, (int)sc->hi) : rnd_int(r, 0, 100);
		break;
	case FORM_Q_DECIMAL: {
		double lo = sc->has_range ? sc->lo : 0, hi = sc->has_range ? sc->hi : 100;
		double p = pow(10, sc->decimals);
		a->num = round((lo + (hi - lo) * (double)(rnd(r) % 10001) / 10000.0) * p) / p;
		if (a->num > hi)
			a->num = hi;
		break;
	}
	case FORM_Q_TEXT:
		a->text = "simulated answer";
		break;
	case FORM_Q_DATE:
		a->num = sc->has_range ? rnd_int(r, (int)sc->lo, (int)sc->hi) : rnd_int(r, 18262, 20454);
		break;
	case FORM_Q_GRID:
		for (i = 0; i < sc->nitems; i++)
			codes[i] = sc->nchoices ? sc->choices[rnd(r) % (uint64_t)sc->nchoices].code : 0;
		/* items are in display order; the engine wants form order */
		a->ncodes = sc->nitems;
		a->codes = codes;
		break;
	case FORM_Q_INFO:
		break;
	}
}

/* Count one interview that ended at ending o, which records call outcome call. */
static void count_outcome(struct eng_sim *st, const char *o, const char *call)
{
	int i;

	for (i = 0; i < st->noutcomes; i++)
		if (!strcmp(st->outcomes[i], o))
			break;
	if (i == st->noutcomes) {
		st->outcomes = xrealloc(st->outcomes, sizeof *st->outcomes * (size_t)(i + 1));
		st->outcome_n = xrealloc(st->outcome_n, sizeof *st->outcome_n * (size_t)(i + 1));
		st->outcome_calls = xrealloc(st->outcome_calls, sizeof *st->outcome_calls * (size_t)(i + 1));
		st->outcomes[i] = xstrdup(o);
		st->outcome_calls[i] = call;
		st->outcome_n[i] = 0;
		st->noutcomes++;
	}
	st->outcome_n[i]++;
}

/* Random case fields from their declared values. */
static int random_case(struct rng *r, const struct form *f, const char **names, char **values)
{
	int i, n = 0;
	char buf[64];

	for (i = 0; i < f->nvars; i++) {
		const struct form_var *v = &f->vars[i];
		if (v->kind != FORM_V_CASE)
			continue;
		if (v->scale && v->scale->n)
			snprintf(buf, sizeof buf, "%d", v->scale->choices[rnd(r) % (uint64_t)v->scale->n].code);
		else if (v->type == FORM_T_NUM)
			snprintf(buf, sizeof buf, "%d", v->has_range ? rnd_int(r, (int)v->lo, (int)v->hi) : rnd_int(r, 0, 100));
		else
			snprintf(buf, sizeof buf, "%s %d", v->id, rnd_int(r, 1, 5));
		names[n] = v->id;
		values[n++] = xstrdup(buf);
	}
	return n;
}

/* One random interview; returns its route length, or -1 when it got stuck. */
static int simulate_one(const struct form *f, uint64_t seed, struct eng_tally *tally,
                        struct eng_sim *st)
{
	struct eng_env env = { NULL, NULL, NULL, NULL, eng_tally_full, tally };
	struct rng r = { seed };
	const char **names = xcalloc((size_t)f->nvars + 1, sizeof *names);
	char **values = xcalloc((size_t)f->nvars + 1, sizeof *values);
	int ncase = random_case(&r, f, names, values), i, len = -1, guard = 0, hard_tries = 0;
	struct eng_case c = { ncase, names, (const char *const *)values, seed };
	struct eng *e = eng_new(f, &c, 0, tally ? &env : NULL);
	int *codes = xmalloc(sizeof(int) * 4096);
	unsigned char *seen = xcalloc((size_t)f->nnodes + 1, 1);

	while (guard++ < 200000) {
		const struct eng_screen *sc = eng_screen(e);
		struct eng_answer a;

		if (sc->kind == ENG_SCREEN_END) {
			count_outcome(st, sc->complete ? "complete" : sc->outcome, sc->call_outcome);
			len = sc->position;
			if (tally)
				eng_tally_count(tally, e);
			break;
		}
		if (sc->kind == ENG_SCREEN_CHECK) {
			if (!seen[sc->check]) {
				seen[sc->check] = 1;
				st->raised[sc->check]++;
			}
			if (!sc->hard) {
				eng_confirm(e);
				continue;
			}
			if (++hard_tries > 50 || !sc->nrevisit) {
				st->stuck++;
				break;
			}
			eng_jump(e, sc->revisit[rnd(&r) % (uint64_t)sc->nrevisit].qid,
			         sc->revisit[0].iter);
			continue;
		}
		if (!seen[sc->node]) {
			seen[sc->node] = 1;
			st->reached[sc->node]++;
		}
		if (sc->qtype == FORM_Q_INFO) {
			eng_next(e);
			continue;
		}
		for (i = 0; i < 20; i++) {
			random_answer(&r, sc, &a, codes);
			if (sc->qtype == FORM_Q_GRID && a.state == FORM_S_OK) {
				/* map display order back to form order */
				const struct form_node *n = &f->nodes[sc->node];
				int *ordered = codes + 2048, k, j;
				for (k = 0; k < n->nitems; k++)
					for (j = 0; j < sc->nitems; j++)
						if (!strcmp(sc->items[j].id, n->items[k].id))
							ordered[k] = codes[j];
				a.codes = ordered;
			}
			{
				int node = sc->node, k;
				const struct form_node *n = &f->nodes[node];
				enum eng_rc rc = eng_answer(e, &a);
				if (rc == ENG_INVALID)
					continue;
				if (a.state == FORM_S_OK && n->scale && st->chosen[node]) {
					int m = n->qtype == FORM_Q_MULTI || n->qtype == FORM_Q_GRID ? a.ncodes : 1;
					for (k = 0; k < m; k++) {
						int code = n->qtype == FORM_Q_MULTI || n->qtype == FORM_Q_GRID ? a.codes[k] : (int)a.num;
						int ci;
						for (ci = 0; ci < n->scale->n; ci++)
							if (n->scale->choices[ci].code == code)
								st->chosen[node][ci]++;
					}
				}
				break;
			}
		}
		if (i == 20) {
			st->stuck++;
			break;
		}
	}
	eng_free(e);
	for (i = 0; i < ncase; i++)
		free(values[i]);
	free(values);
	free(names);
	free(codes);
	free(seen);
	return len;
}


/* Run n random interviews of f from seed and count what they did into *st (and tally). */
void eng_simulate(const struct form *f, long n, uint64_t seed, struct eng_tally *tally,
                  struct eng_sim *st)
{
	long k;
	int i;

	memset(st, 0, sizeof *st);
	st->nnodes = f->nnodes;
	st->reached = xcalloc((size_t)f->nnodes, sizeof *st->reached);
	st->raised = xcalloc((size_t)f->nnodes, sizeof *st->raised);
	st->chosen = xcalloc((size_t)f->nnodes, sizeof *st->chosen);
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_QUESTION && f->nodes[i].scale)
			st->chosen[i] = xcalloc((size_t)f->nodes[i].scale->n + 1, sizeof **st->chosen);
	st->shortest = -1;
	for (k = 0; k < n; k++) {
		uint64_t s = seed * 1000003ULL + (uint64_t)k;
		int len = simulate_one(f, s, tally, st);
		if (len < 0)
			continue;
		if (st->shortest < 0 || len < st->shortest) {
			st->shortest = len;
			st->shortest_seed = s;
		}
		if (len > st->longest) {
			st->longest = len;
			st->longest_seed = s;
		}
	}

}

/* Free the counts eng_simulate() made. */
void eng_sim_release(struct eng_sim *st)
{
	int i;

	for (i = 0; i < st->nnodes; i++)
		free(st->chosen[i]);
	for (i = 0; i < st->noutcomes; i++)
		free(st->outcomes[i]);
	free(st->outcomes);
	free(st->outcome_calls);
	free(st->outcome_n);
	free(st->chosen);
	free(st->reached);
	free(st->raised);
	memset(st, 0, sizeof *st);
}

/* Random case fields for f from the random state *rng. */
int eng_random_case(const struct form *f, uint64_t *rng, const char **names, char **values)
{
	struct rng r = { *rng };
	int n = random_case(&r, f, names, values);

	*rng = r.s;
	return n;
}
