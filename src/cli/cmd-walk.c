/* cmd-walk.c: `cati walk` and `cati simulate`: routing tools for researchers. */
#include <jansson.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/engine.h"
#include "cati/form.h"
#include "cli.h"

/* Load a form for a tool; prints errors. */
static struct form *tool_load(const char *path)
{
	int io;

	return cli_load_form(path, &io);
}

/* "name=value" into its two halves (name is copied into out, at most n bytes). */
static const char *split_assign(const char *arg, char *out, size_t n)
{
	const char *eq = strchr(arg, '=');
	size_t len;

	if (!eq || eq == arg)
		return NULL;
	len = (size_t)(eq - arg);
	if (len >= n)
		return NULL;
	memcpy(out, arg, len);
	out[len] = '\0';
	return eq + 1;
}

struct given {
	char name[2 * FORM_MAX_ID + 16];  /* "q1" or "q1[2]" */
	const char *value;
	int used;
};

/* The answer given for (qid, iter): "qid[iter]" first, then plain "qid". */
static struct given *find_given(struct given *g, int n, const char *qid, int iter)
{
	char key[sizeof g->name];
	int i;

	snprintf(key, sizeof key, "%s[%d]", qid, iter);
	for (i = 0; i < n; i++)
		if (!strcmp(g[i].name, key))
			return &g[i];
	for (i = 0; i < n; i++)
		if (!strcmp(g[i].name, qid))
			return &g[i];
	return NULL;
}

static const char *walk_usage =
	"usage: cati walk FORM [--lang L] [--case field=value ...] [--answer id=value ...] [--json]\n";
static const struct option walk_longs[] = {
	{ "json", no_argument, NULL, 'j' },         { "lang", required_argument, NULL, 'l' },
	{ "case", required_argument, NULL, 'c' },   { "answer", required_argument, NULL, 'a' },
	CLI_OPT_HELP, { 0 }
};

/* A label for an answer on a choice screen, for the route listing. */
static const char *label_of(const struct eng_screen *sc, const char *value)
{
	int i, code;
	char *end;

	code = (int)strtol(value, &end, 10);
	if (*end || end == value)
		return NULL;
	for (i = 0; i < sc->nchoices; i++)
		if (sc->choices[i].code == code)
			return sc->choices[i].label;
	return NULL;
}

static const char *state_name(enum form_vstate s)
{
	return s == FORM_S_DK ? "dk" : s == FORM_S_RF ? "rf" : "";
}

/* cati walk FORM: run the route with the given case fields and answers, printing each step. */
int cmd_walk(int argc, char **argv)
{
	const char *path = NULL, *lang = NULL;
	const char **names = NULL, **values = NULL;
	struct given *given = NULL;
	int ncase = 0, ngiven = 0, json = 0, i, opt, rc = EXIT_FAIL, li = 0, steps = 0;
	char label[512];
	struct form *f;
	struct eng *e = NULL;
	struct eng_case c;
	json_t *jroute = json_array(), *jchecks = json_array(), *jout = json_object();

	names = xcalloc((size_t)argc, sizeof *names);
	values = xcalloc((size_t)argc, sizeof *values);
	given = xcalloc((size_t)argc, sizeof *given);
	for (opt_reset(); (opt = opt_next(argc, argv, "h", walk_longs, "cati walk", walk_usage)) != -1;) {
		if (opt == 'h') {
			rc = EXIT_OK;
			goto out;
		} else if (opt == 'j') {
			json = 1;
		} else if (opt == 'l') {
			lang = optarg;
		} else if (opt == 'c') {
			char name[FORM_MAX_ID + 1];
			const char *v = split_assign(optarg, name, sizeof name);
			if (!v) {
				fprintf(stderr, "cati walk: --case takes field=value, not '%s'\n", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			names[ncase] = xstrdup(name);
			values[ncase++] = v;
		} else if (opt == 'a') {
			const char *v = split_assign(optarg, given[ngiven].name, sizeof given[ngiven].name);
			if (!v) {
				fprintf(stderr, "cati walk: --answer takes id=value, not '%s'\n", optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			given[ngiven++].value = v;
		} else {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (optind != argc - 1) {
		fputs(walk_usage, stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	path = argv[optind];
	f = tool_load(path);
	if (!f) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (lang && (li = form_lang(f, lang)) < 0) {
		fprintf(stderr, "cati walk: the form has no language '%s'\n", lang);
		rc = EXIT_USAGE;
		form_free(f);
		goto out;
	}
	for (i = 0; i < ncase; i++) {
		int k = form_var_find(f, names[i]);
		if (k < 0 || f->vars[k].kind != FORM_V_CASE) {
			fprintf(stderr, "cati walk: '%s' is not a case field of form '%s'\n", names[i], f->id);
			rc = EXIT_USAGE;
			form_free(f);
			goto out;
		}
	}
	c.n = ncase;
	c.names = names;
	c.values = values;
	c.seed = 1;
	e = eng_new(f, &c, li, NULL);
	for (;;) {
		const struct eng_screen *sc = eng_screen(e);
		struct given *g;
		enum eng_rc r;

		if (++steps > 1000000) {
			fprintf(stderr, "cati walk: the route does not end\n");
			rc = EXIT_USAGE;
			break;
		}
		if (sc->kind == ENG_SCREEN_END) {
			if (json) {
				json_object_set_new(jout, "ending", json_string(sc->outcome));
				json_object_set_new(jout, "complete", json_boolean(sc->complete));
				json_object_set_new(jout, "call_outcome", json_string(sc->call_outcome));
			} else if (sc->complete) {
				printf("END complete\n");
			} else {
				printf("END %s (call outcome %s)\n", sc->outcome, sc->call_outcome);
			}
			rc = EXIT_OK;
			break;
		}
		if (sc->kind == ENG_SCREEN_CHECK) {
			json_t *jc = json_object();
			json_object_set_new(jc, "type", json_string(sc->hard ? "hard" : "soft"));
			json_object_set_new(jc, "message", json_string(sc->message));
			json_array_append_new(jchecks, jc);
			if (!json)
				printf("CHECK %s: %s\n", sc->hard ? "hard" : "soft", sc->message);
			if (sc->hard) {
				if (!json) {
					printf("STOP at a hard check; revisit:");
					for (i = 0; i < sc->nrevisit; i++)
						printf(" %s", sc->revisit[i].qid);
					printf("\n");
				}
				json_object_set_new(jout, "stopped_at_check", json_string(sc->message));
				rc = EXIT_FAIL;
				break;
			}
			if (!json)
				printf("      (confirmed)\n");
			eng_confirm(e);
			continue;
		}
		if (sc->qtype == FORM_Q_INFO) {
			json_t *jq = json_object();
			json_object_set_new(jq, "question", json_string(sc->qid));
			json_object_set_new(jq, "type", json_string("info"));
			json_array_append_new(jroute, jq);
			if (!json)
				printf("%-20s (info)\n", sc->qid);
			eng_next(e);
			continue;
		}
		g = find_given(given, ngiven, sc->qid, sc->iter);
		if (!g) {
			if (json) {
				json_t *js = json_object();
				json_object_set_new(js, "question", json_string(sc->qid));
				json_object_set_new(js, "iter", json_integer(sc->iter));
				json_object_set_new(jout, "stopped_at", js);
			} else if (sc->iter) {
				printf("STOP at %s[%d]: no answer given\n", sc->qid, sc->iter);
			} else {
				printf("STOP at %s: no answer given\n", sc->qid);
			}
			rc = EXIT_FAIL;
			break;
		}
		g->used = 1;
		{
			const char *l = sc->qtype == FORM_Q_SINGLE || sc->qtype == FORM_Q_YESNO
			                ? label_of(sc, g->value) : NULL;
			snprintf(label, sizeof label, "%s", l ? l : "");
		}
		r = eng_answer_text(e, g->value);
		if (r == ENG_INVALID || r == ENG_DENIED) {
			fprintf(stderr, "cati walk: %s: '%s' is not accepted: %s\n", g->name, g->value,
			        eng_message(e));
			rc = EXIT_USAGE;
			break;
		}
		{
			/* the screen is gone; read the stored answer back */
			enum form_vstate st;
			const char *val = "";
			int on;
			char qid[FORM_MAX_ID + 1];
			int iter = sc->iter, node = sc->node;
			json_t *jq = json_object();

			snprintf(qid, sizeof qid, "%s", f->nodes[node].id);
			eng_get(e, qid, iter, &st, &val, &on);
			json_object_set_new(jq, "question", json_string(qid));
			if (iter)
				json_object_set_new(jq, "iter", json_integer(iter));
			json_object_set_new(jq, "answer", json_string(st == FORM_S_OK ? val : state_name(st)));
			if (*label && st == FORM_S_OK)
				json_object_set_new(jq, "label", json_string(label));
			json_array_append_new(jroute, jq);
			if (!json) {
				char shown[FORM_MAX_ID + 16];
				if (iter)
					snprintf(shown, sizeof shown, "%s[%d]", qid, iter);
				else
					snprintf(shown, sizeof shown, "%s", qid);
				printf("%-20s = %s%s%s%s\n", shown,
				       st == FORM_S_OK ? val : (st == FORM_S_DK ? "don't know" : "refused"),
				       *label && st == FORM_S_OK ? " (" : "", st == FORM_S_OK ? label : "",
				       *label && st == FORM_S_OK ? ")" : "");
			}
		}
	}
	for (i = 0; i < ngiven && rc != EXIT_USAGE; i++)
		if (!given[i].used && !json)
			printf("note: %s was given but not asked on this route\n", given[i].name);
	if (json) {
		char *s;
		json_object_set_new(jout, "form", json_string(f->id));
		json_object_set_new(jout, "route", jroute);
		json_object_set_new(jout, "checks", jchecks);
		jroute = jchecks = NULL;
		s = json_dumps(jout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
	}
	eng_free(e);
	form_free(f);
out:
	for (i = 0; i < ncase; i++)
		free((char *)names[i]);
	free(names);
	free(values);
	free(given);
	json_decref(jroute);
	json_decref(jchecks);
	json_decref(jout);
	return rc;
}

/* simulate ------------------------------------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t x;

	r->s += 0x9E3779B97F4A7C15ULL;
	x = r->s;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

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

struct sim_stats {
	long *reached;          /* per node */
	long **chosen;          /* per node, per choice index */
	long *raised;           /* per check node */
	char **outcomes;
	const char **outcome_calls;   /* each ending's call outcome (static or the form's) */
	long *outcome_n;
	int noutcomes;
	long stuck;
	int shortest, longest;
	uint64_t shortest_seed, longest_seed;
};

/* Count one interview that ended at ending o, which records call outcome call. */
static void count_outcome(struct sim_stats *st, const char *o, const char *call)
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
static int simulate_one(const struct form *f, uint64_t seed, struct sim_stats *st)
{
	struct rng r = { seed };
	const char **names = xcalloc((size_t)f->nvars + 1, sizeof *names);
	char **values = xcalloc((size_t)f->nvars + 1, sizeof *values);
	int ncase = random_case(&r, f, names, values), i, len = -1, guard = 0, hard_tries = 0;
	struct eng_case c = { ncase, names, (const char *const *)values, seed };
	struct eng *e = eng_new(f, &c, 0, NULL);
	int *codes = xmalloc(sizeof(int) * 4096);
	unsigned char *seen = xcalloc((size_t)f->nnodes + 1, 1);

	while (guard++ < 200000) {
		const struct eng_screen *sc = eng_screen(e);
		struct eng_answer a;

		if (sc->kind == ENG_SCREEN_END) {
			count_outcome(st, sc->complete ? "complete" : sc->outcome, sc->call_outcome);
			len = sc->position;
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

static const char simulate_usage[] = "usage: cati simulate FORM [-n COUNT] [--seed S]\n";
static const struct option count_longs[] = { { "seed", required_argument, NULL, 's' }, CLI_OPT_HELP, { 0 } };

/* A --seed: a whole number from 0 to 2^64-1 into *seed; -1 after a message. */
static int seed_of(const char *prog, const char *s, uint64_t *seed)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-') {
		fprintf(stderr, "%s: --seed: '%s' is not a number from 0 to 18446744073709551615\n", prog, s);
		return -1;
	}
	*seed = (uint64_t)v;
	return 0;
}

/* cati simulate FORM: random interviews through the route, and what they never reached. */
int cmd_simulate(int argc, char **argv)
{
	const char *path = NULL;
	long n = 1000, k;
	uint64_t seed = 1;
	struct form *f;
	struct sim_stats st;
	int i, j, c, never;

	for (opt_reset(); (c = opt_next(argc, argv, "n:h", count_longs, "cati simulate", simulate_usage)) != -1;) {
		if (c == 'h')
			return EXIT_OK;
		if (c == 'n' && opt_number("cati simulate", "-n", optarg, 1, 100000000, &n) == 0)
			continue;
		if (c == 's' && seed_of("cati simulate", optarg, &seed) == 0)
			continue;
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fputs(simulate_usage, stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	f = tool_load(path);
	if (!f)
		return EXIT_USAGE;
	memset(&st, 0, sizeof st);
	st.reached = xcalloc((size_t)f->nnodes, sizeof *st.reached);
	st.raised = xcalloc((size_t)f->nnodes, sizeof *st.raised);
	st.chosen = xcalloc((size_t)f->nnodes, sizeof *st.chosen);
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_QUESTION && f->nodes[i].scale)
			st.chosen[i] = xcalloc((size_t)f->nodes[i].scale->n + 1, sizeof **st.chosen);
	st.shortest = -1;
	for (k = 0; k < n; k++) {
		uint64_t s = seed * 1000003ULL + (uint64_t)k;
		int len = simulate_one(f, s, &st);
		if (len < 0)
			continue;
		if (st.shortest < 0 || len < st.shortest) {
			st.shortest = len;
			st.shortest_seed = s;
		}
		if (len > st.longest) {
			st.longest = len;
			st.longest_seed = s;
		}
	}

	printf("simulated %ld interviews of %s (seed %llu)\n\n", n, f->id, (unsigned long long)seed);
	printf("endings:%*scall outcome\n", 37, "");
	for (i = 0; i < st.noutcomes; i++)
		printf("  %-24s %8ld  %5.1f%%  %s\n", st.outcomes[i], st.outcome_n[i], 100.0 * st.outcome_n[i] / n,
		       st.outcome_calls[i]);
	if (st.stuck)
		printf("  %-24s %8ld  %5.1f%%  (a hard check could not be satisfied by random answers)\n",
		       "(stuck)", st.stuck, 100.0 * st.stuck / n);
	printf("\nroute length: shortest %d questions (case seed %llu), longest %d (case seed %llu)\n",
	       st.shortest < 0 ? 0 : st.shortest, (unsigned long long)st.shortest_seed, st.longest,
	       (unsigned long long)st.longest_seed);

	printf("\nquestions never reached:");
	never = 0;
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_QUESTION && !st.reached[i]) {
			printf("%s %s (line %d)", never ? "," : "", f->nodes[i].id, f->nodes[i].line);
			never++;
		}
	printf("%s\n", never ? "" : " none");

	printf("choices never chosen:");
	never = 0;
	for (i = 0; i < f->nnodes; i++) {
		if (!st.chosen[i] || !st.reached[i])
			continue;
		for (j = 0; j < f->nodes[i].scale->n; j++)
			if (!st.chosen[i][j]) {
				printf("%s %s=%d", never ? "," : "", f->nodes[i].id, f->nodes[i].scale->choices[j].code);
				never++;
			}
	}
	printf("%s\n", never ? "" : " none");

	printf("checks never raised:");
	never = 0;
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_CHECK && !st.raised[i]) {
			printf("%s line %d (%s)", never ? "," : "", f->nodes[i].line, f->nodes[i].expr_src);
			never++;
		}
	printf("%s\n", never ? "" : " none");

	printf("\nquestion reach (interviews that reached it):\n");
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_QUESTION)
			printf("  %-24s %8ld  %5.1f%%\n", f->nodes[i].id, st.reached[i], 100.0 * st.reached[i] / n);

	for (i = 0; i < f->nnodes; i++)
		free(st.chosen[i]);
	for (i = 0; i < st.noutcomes; i++)
		free(st.outcomes[i]);
	free(st.outcomes);
	free(st.outcome_calls);
	free(st.outcome_n);
	free(st.chosen);
	free(st.reached);
	free(st.raised);
	form_free(f);
	return EXIT_OK;
}

static const char example_usage[] = "usage: cati sample example FORM [-n N] [--seed S]\n";

/* cati sample example FORM [-n N] [--seed S]: an example sample CSV for a form (argv[0] "example"). */
int cmd_sample_example(int argc, char **argv)
{
	const char *path = NULL;
	long n = 10, k;
	uint64_t seed = 1;
	struct form *f;
	struct rng r;
	int i, c;

	for (opt_reset(); (c = opt_next(argc, argv, "n:h", count_longs, "cati sample example", example_usage)) != -1;) {
		if (c == 'h')
			return EXIT_OK;
		if (c == 'n' && opt_number("cati sample example", "-n", optarg, 1, 10000000, &n) == 0)
			continue;
		if (c == 's' && seed_of("cati sample example", optarg, &seed) == 0)
			continue;
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fputs(example_usage, stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if (!(f = tool_load(path)))
		return EXIT_USAGE;
	r.s = seed;
	printf("id,phone,tz");
	for (i = 0; i < f->nvars; i++)
		if (f->vars[i].kind == FORM_V_CASE)
			printf(",%s", f->vars[i].id);
	if (form_var_find(f, "name") < 0)
		printf(",name");
	printf("\n");
	for (k = 1; k <= n; k++) {
		const char *names[256];
		char *values[256];
		int m = random_case(&r, f, names, values);

		printf("%s%06ld,+43 1 %07ld,Europe/Vienna", f->id, k, 1000000 + k);
		for (i = 0; i < m; i++) {
			if (!strcmp(names[i], "name"))
				printf(",Person %ld", k);
			else
				printf(",%s", values[i]);
			free(values[i]);
		}
		if (form_var_find(f, "name") < 0)
			printf(",Person %ld", k);
		printf("\n");
	}
	form_free(f);
	return EXIT_OK;
}
