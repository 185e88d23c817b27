/*
 * cmd-walk.c: `cati walk`, `cati simulate` and `cati sample example`: routing tools for
 * researchers. The interviews run in the engine (eng_walk, eng_simulate); here are the options
 * and the output.
 */
#include <jansson.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
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
};

/* The quotas of f for a message: "bysex, byregion", or "none". */
static void quota_names(const struct form *f, struct buf *out)
{
	int i;

	for (i = 0; i < f->nquotas; i++)
		buf_printf(out, "%s%s", i ? ", " : "", f->quotas[i].id);
	if (!f->nquotas)
		buf_puts(out, "none");
}

/*
 * Set the completes of one cell in tally t from a --quota-count QUOTA:CELL=N (CELL: the values
 * of the quota's variables in the order of `by`, joined by commas, each a code, label or short
 * name). 0, or -1 after a message naming the option and the value.
 */
static int quota_count_arg(const char *prog, const struct form *f, struct eng_tally *t, const char *arg)
{
	const char *colon = strchr(arg, ':'), *eq = strrchr(arg, '=');
	char qid[FORM_MAX_ID + 1], *cell = NULL, *part, *save = NULL;
	int qi = -1, codes[16], nc = 0, rc = -1, code, other;
	long n;
	struct buf b;

	buf_init(&b);
	if (!colon || !eq || eq < colon || colon == arg || (size_t)(colon - arg) > FORM_MAX_ID) {
		fprintf(stderr, _("%s: --quota-count takes QUOTA:CELL=COUNT (e.g. bysex:1=20), not '%s'\n"), prog, arg);
		goto out;
	}
	memcpy(qid, arg, (size_t)(colon - arg));
	qid[colon - arg] = '\0';
	for (qi = 0; qi < f->nquotas && strcmp(f->quotas[qi].id, qid); qi++)
		;
	if (qi == f->nquotas) {
		quota_names(f, &b);
		fprintf(stderr, _("%s: --quota-count '%s': form '%s' has no quota '%s' (quotas: %s)\n"), prog, arg,
		        f->id, qid, buf_str(&b));
		goto out;
	}
	cell = xstrndup(colon + 1, (size_t)(eq - colon - 1));
	for (part = strtok_r(cell, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		const struct form_quota *q = &f->quotas[qi];
		int m;

		if (nc == q->nvars) {
			nc++;
			break;
		}
		m = form_scale_match(f, q->scales[nc], part, &code, &other);
		if (m != 1) {
			buf_reset(&b);
			form_scale_values(f, q->scales[nc], 0, 8, &b);
			if (m < 0)
				fprintf(stderr, _("%s: --quota-count '%s': '%s' names both %d and %d of %s: give the code\n"),
				        prog, arg, part, code, other, q->var_names[nc]);
			else
				fprintf(stderr, _("%s: --quota-count '%s': '%s' is not a value of %s (valid: %s)\n"), prog,
				        arg, part, q->var_names[nc], buf_str(&b));
			goto out;
		}
		codes[nc++] = code;
	}
	if (nc != f->quotas[qi].nvars) {
		const struct form_quota *q = &f->quotas[qi];
		int i;

		buf_reset(&b);
		for (i = 0; i < q->nvars; i++)
			buf_printf(&b, "%s%s", i ? "," : "", q->var_names[i]);
		fprintf(stderr, _("%s: --quota-count '%s': a cell of quota '%s' is one value of each of %s, joined by commas\n"),
		        prog, arg, qid, buf_str(&b));
		goto out;
	}
	buf_reset(&b);
	buf_printf(&b, "--quota-count '%s'", arg);
	if (opt_number(prog, buf_str(&b), eq + 1, 0, 1000000000, &n) < 0)
		goto out;
	buf_reset(&b);
	form_quota_key(&f->quotas[qi], codes, &b);
	eng_tally_set(t, qi, buf_str(&b), n);
	rc = 0;
out:
	free(cell);
	buf_release(&b);
	return rc;
}

/* Fill a new tally for f from the --quota-count arguments args[0..n); NULL after a message. */
static struct eng_tally *tally_of(const char *prog, const struct form *f, char **args, int n)
{
	struct eng_tally *t = eng_tally_new(f);
	int i;

	for (i = 0; i < n; i++) {
		if (quota_count_arg(prog, f, t, args[i]) < 0) {
			eng_tally_free(t);
			return NULL;
		}
	}
	return t;
}

static const char *walk_usage =
	N_("usage: cati walk FORM [--lang L] [--case field=value ...] [--answer id=value ...]\n"
	"                 [--quota-count QUOTA:CELL=N ...] [--no-quotas] [--json]\n"
	"  Quotas apply as in an interview: a cell is full when its completes reach its target;\n"
	"  every cell starts at 0 completes (a cell with target 0 is full). --quota-count sets a\n"
	"  cell's completes: CELL is one value per variable of the quota, in the order of its 'by',\n"
	"  joined by commas (code, label or short name), e.g. --quota-count region_type:9,1=1200.\n"
	"  --no-quotas walks as if no cell were ever full.\n");
static const struct option walk_longs[] = {
	{ "json", no_argument, NULL, 'j' },         { "lang", required_argument, NULL, 'l' },
	{ "case", required_argument, NULL, 'c' },   { "answer", required_argument, NULL, 'a' },
	{ "quota-count", required_argument, NULL, 'Q' }, { "no-quotas", no_argument, NULL, 'N' },
	CLI_OPT_HELP, { 0 }
};

/* The name of a missing answer's state in JSON. */
static const char *state_name(enum form_vstate s)
{
	return s == FORM_S_DK ? "dk" : s == FORM_S_RF ? "rf" : "";
}

/* Where cmd_walk's steps go: lines on stdout, or the JSON document. */
struct walk_out {
	int json;
	json_t *jroute, *jchecks, *jout;
	const struct form *f;
	const struct eng_tally *tally;   /* the quota counts walked with */
};

/* Print one step of `cati walk` (or add it to the JSON document). */
static void walk_print(void *ctx, const struct eng_walk_step *s)
{
	struct walk_out *o = ctx;
	const struct eng_screen *sc = s->screen;
	json_t *jq;
	int i;

	switch (s->kind) {
	case ENG_WALK_ENDLESS:
		fprintf(stderr, _("cati walk: the route does not end\n"));
		break;
	case ENG_WALK_END:
		if (o->json) {
			json_object_set_new(o->jout, "ending", json_string(sc->outcome));
			json_object_set_new(o->jout, "complete", json_boolean(sc->complete));
			json_object_set_new(o->jout, "call_outcome", json_string(sc->call_outcome));
		} else if (sc->complete) {
			printf(_("END complete\n"));
		} else {
			printf(_("END %s (call outcome %s)\n"), sc->outcome, sc->call_outcome);
		}
		if (sc->quota && s->quota_cell) {
			long done, ended;
			for (i = 0; i < o->f->nquotas && strcmp(o->f->quotas[i].id, sc->quota); i++)
				;
			eng_tally_get(o->tally, i, s->quota_cell, &done, &ended);
			if (o->json) {
				json_object_set_new(o->jout, "quota", json_string(sc->quota));
				json_object_set_new(o->jout, "quota_cell", json_string(s->quota_cell));
				json_object_set_new(o->jout, "quota_completes", json_integer(done));
				json_object_set_new(o->jout, "quota_target", json_integer(s->quota_target));
			} else {
				printf(_("      quota %s: cell %s is full (%ld completes, target %d)\n"), sc->quota,
				       s->quota_cell, done, s->quota_target);
			}
		}
		break;
	case ENG_WALK_CHECK: {
		json_t *jc = json_object();
		json_object_set_new(jc, "type", json_string(sc->hard ? "hard" : "soft"));
		json_object_set_new(jc, "message", json_string(sc->message));
		json_array_append_new(o->jchecks, jc);
		if (!o->json)
			printf("CHECK %s: %s\n", sc->hard ? "hard" : "soft", sc->message);
		if (sc->hard) {
			if (!o->json) {
				printf(_("STOP at a hard check; revisit:"));
				for (i = 0; i < sc->nrevisit; i++)
					printf(" %s", sc->revisit[i].qid);
				printf("\n");
			}
			json_object_set_new(o->jout, "stopped_at_check", json_string(sc->message));
			break;
		}
		if (!o->json)
			printf("      (confirmed)\n");
		break;
	}
	case ENG_WALK_INFO:
		jq = json_object();
		json_object_set_new(jq, "question", json_string(s->qid));
		json_object_set_new(jq, "type", json_string("info"));
		json_array_append_new(o->jroute, jq);
		if (!o->json)
			printf("%-20s (info)\n", s->qid);
		break;
	case ENG_WALK_NO_ANSWER:
		if (o->json) {
			json_t *js = json_object();
			json_object_set_new(js, "question", json_string(s->qid));
			json_object_set_new(js, "iter", json_integer(s->iter));
			json_object_set_new(o->jout, "stopped_at", js);
		} else if (s->iter) {
			printf(_("STOP at %s[%d]: no answer given\n"), s->qid, s->iter);
		} else {
			printf(_("STOP at %s: no answer given\n"), s->qid);
		}
		break;
	case ENG_WALK_REFUSED:
		fprintf(stderr, _("cati walk: %s: '%s' is not accepted: %s\n"), s->given->name,
		        s->given->value, s->message);
		break;
	case ENG_WALK_ANSWER: {
		const char *qid = s->qid, *val = s->value, *label = s->label;
		enum form_vstate st = s->state;
		int iter = s->iter;

		jq = json_object();
		json_object_set_new(jq, "question", json_string(qid));
		if (iter)
			json_object_set_new(jq, "iter", json_integer(iter));
		json_object_set_new(jq, "answer", json_string(st == FORM_S_OK ? val : state_name(st)));
		if (*label && st == FORM_S_OK)
			json_object_set_new(jq, "label", json_string(label));
		json_array_append_new(o->jroute, jq);
		if (!o->json) {
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
		break;
	}
	}
}

/* cati walk FORM [--lang L] [--case f=v ...] [--answer q=v ...] [--quota-count ...] [--json]: one route, listed. */
int cmd_walk(int argc, char **argv)
{
	const char *path = NULL, *lang = NULL;
	const char **names = NULL, **values = NULL;
	struct given *given = NULL;
	char **counts = NULL, (*case_codes)[16] = NULL;
	int ncase = 0, ngiven = 0, ncounts = 0, json = 0, i, opt, rc = EXIT_FAIL, li = 0, quotas = 1;
	struct eng_tally *tally = NULL;
	struct form *f;
	struct eng_case c;
	struct eng_given *eg;
	struct walk_out wo;
	enum eng_walk_kind last;
	json_t *jroute = json_array(), *jchecks = json_array(), *jout = json_object();

	names = xcalloc((size_t)argc, sizeof *names);
	values = xcalloc((size_t)argc, sizeof *values);
	given = xcalloc((size_t)argc, sizeof *given);
	counts = xcalloc((size_t)argc, sizeof *counts);
	case_codes = xcalloc((size_t)argc, sizeof *case_codes);
	for (opt_reset(); (opt = opt_next(argc, argv, "h", walk_longs, "cati walk", _(walk_usage))) != -1;) {
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
				fprintf(stderr, _("cati walk: --case takes field=value, not '%s'\n"), optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			names[ncase] = xstrdup(name);
			values[ncase++] = v;
		} else if (opt == 'a') {
			const char *v = split_assign(optarg, given[ngiven].name, sizeof given[ngiven].name);
			if (!v) {
				fprintf(stderr, _("cati walk: --answer takes id=value, not '%s'\n"), optarg);
				rc = EXIT_USAGE;
				goto out;
			}
			given[ngiven++].value = v;
		} else if (opt == 'Q') {
			counts[ncounts++] = optarg;
		} else if (opt == 'N') {
			quotas = 0;
		} else {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (optind != argc - 1) {
		fputs(_(walk_usage), stderr);
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
		fprintf(stderr, _("cati walk: the form has no language '%s'\n"), lang);
		rc = EXIT_USAGE;
		form_free(f);
		goto out;
	}
	for (i = 0; i < ncase; i++) {
		int k = form_var_find(f, names[i]), code, other, m;
		if (k < 0 || f->vars[k].kind != FORM_V_CASE) {
			fprintf(stderr, _("cati walk: '%s' is not a case field of form '%s'\n"), names[i], f->id);
			rc = EXIT_USAGE;
			form_free(f);
			goto out;
		}
		if (!f->vars[k].scale || !*values[i])
			continue;
		/* a coded field takes a code, a label or a short name, as a sample does */
		m = form_scale_match(f, f->vars[k].scale, values[i], &code, &other);
		if (m != 1) {
			struct buf b;
			buf_init(&b);
			form_scale_values(f, f->vars[k].scale, li, 8, &b);
			if (m < 0)
				fprintf(stderr, _("cati walk: --case %s: '%s' names both %d and %d: give the code\n"),
				        names[i], values[i], code, other);
			else
				fprintf(stderr, _("cati walk: --case %s: '%s' is not a value of scale '%s' (valid: %s)\n"),
				        names[i], values[i], f->vars[k].scale->id, buf_str(&b));
			buf_release(&b);
			rc = EXIT_USAGE;
			form_free(f);
			goto out;
		}
		snprintf(case_codes[i], sizeof case_codes[i], "%d", code);
		values[i] = case_codes[i];
	}
	if (quotas && !(tally = tally_of("cati walk", f, counts, ncounts))) {
		rc = EXIT_USAGE;
		form_free(f);
		goto out;
	}
	if (!quotas && ncounts) {
		fprintf(stderr, _("cati walk: --quota-count and --no-quotas do not go together\n"));
		rc = EXIT_USAGE;
		form_free(f);
		goto out;
	}
	c.n = ncase;
	c.names = names;
	c.values = values;
	c.seed = 1;
	wo.f = f;
	wo.tally = tally;
	wo.json = json;
	wo.jroute = jroute;
	wo.jchecks = jchecks;
	wo.jout = jout;
	eg = xcalloc((size_t)ngiven + 1, sizeof *eg);
	for (i = 0; i < ngiven; i++) {
		eg[i].name = given[i].name;
		eg[i].value = given[i].value;
	}
	last = eng_walk(f, &c, li, tally, eg, ngiven, walk_print, &wo);
	rc = last == ENG_WALK_END ? EXIT_OK
	     : last == ENG_WALK_REFUSED || last == ENG_WALK_ENDLESS ? EXIT_USAGE : EXIT_FAIL;
	for (i = 0; i < ngiven && rc != EXIT_USAGE; i++)
		if (!eg[i].used && !json)
			printf(_("note: %s was given but not asked on this route\n"), given[i].name);
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
	free(eg);
	eng_tally_free(tally);
	tally = NULL;
	form_free(f);
out:
	eng_tally_free(tally);
	for (i = 0; i < ncase; i++)
		free((char *)names[i]);
	free(names);
	free(values);
	free(given);
	free(counts);
	free(case_codes);
	json_decref(jroute);
	json_decref(jchecks);
	json_decref(jout);
	return rc;
}

/* simulate ------------------------------------------------------------------------------- */

static const char simulate_usage[] =
	N_("usage: cati simulate FORM [-n COUNT] [--seed S] [--quota-count QUOTA:CELL=N ...] [--no-quotas]\n"
	"  Quotas apply as in fieldwork: every complete counts in its cells, and once a cell's\n"
	"  completes reach its target the interviews that fall in it end at the quota's ending.\n"
	"  Cells start at 0 completes; --quota-count sets a cell's completes at the start (CELL: one\n"
	"  value per variable of the quota, in the order of its 'by', joined by commas; e.g.\n"
	"  --quota-count region_type:9,1=1200). --no-quotas: no cell is ever full.\n");
static const struct option count_longs[] = { { "seed", required_argument, NULL, 's' }, CLI_OPT_HELP, { 0 } };
static const struct option simulate_longs[] = {
	{ "seed", required_argument, NULL, 's' }, { "quota-count", required_argument, NULL, 'Q' },
	{ "no-quotas", no_argument, NULL, 'N' }, CLI_OPT_HELP, { 0 }
};

/* What print_cell needs to print one quota cell of a simulation. */
struct cell_print {
	const struct form *f;
	int qi;
	const struct eng_tally *t;
};

/* Print one cell of a quota after a simulation: its completes, target, and who it turned away. */
static void print_cell(void *ctx, const int *codes)
{
	struct cell_print *cp = ctx;
	const struct form_quota *q = &cp->f->quotas[cp->qi];
	int target = form_quota_target(q, codes), i;
	long done, ended;
	struct buf key;

	buf_init(&key);
	form_quota_key(q, codes, &key);
	eng_tally_get(cp->t, cp->qi, buf_str(&key), &done, &ended);
	printf("    %-12s %9ld %8d  %-4s %8ld  ", buf_str(&key), done, target, done >= target ? "full" : "open",
	       ended);
	for (i = 0; i < q->nvars; i++) {
		const struct form_choice *ch = form_scale_choice(q->scales[i], codes[i]);
		printf("%s%s", i ? " / " : "", ch ? form_text_get(cp->f, &ch->label, 0) : "?");
	}
	printf("\n");
	buf_release(&key);
}

/* The quota section of cati simulate's report: every cell of every quota (unless too many). */
static void print_quotas(const struct form *f, const struct eng_tally *t)
{
	int i;

	if (!f->nquotas)
		return;
	printf(_("\nquota cells (completes at the end, target, interviews the full cell ended):\n"));
	for (i = 0; i < f->nquotas; i++) {
		struct cell_print cp = { f, i, t };
		long n = form_quota_ncells(&f->quotas[i]);

		printf("  %s\n", f->quotas[i].id);
		if (n > 1000) {
			printf(_("    (%ld cells: too many to list)\n"), n);
			continue;
		}
		printf("    %-12s %9s %8s  %-4s %8s  %s\n", "cell", "completes", "target", "", "ended", "values");
		form_quota_foreach(&f->quotas[i], print_cell, &cp);
	}
}

/* A --seed: a whole number from 0 to 2^64-1 into *seed; -1 after a message. */
static int seed_of(const char *prog, const char *s, uint64_t *seed)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-') {
		fprintf(stderr, _("%s: --seed: '%s' is not a number from 0 to 18446744073709551615\n"), prog, s);
		return -1;
	}
	*seed = (uint64_t)v;
	return 0;
}

/* cati simulate FORM [-n N] [--seed S] [--quota-count ...]: random interviews, and what they never reached. */
int cmd_simulate(int argc, char **argv)
{
	const char *path = NULL;
	long n = 1000;
	uint64_t seed = 1;
	struct form *f;
	struct eng_sim st;
	struct eng_tally *tally = NULL;
	char **counts = xcalloc((size_t)argc + 1, sizeof *counts);
	int i, j, c, never, ncounts = 0, quotas = 1;

	for (opt_reset(); (c = opt_next(argc, argv, "n:h", simulate_longs, "cati simulate", _(simulate_usage))) != -1;) {
		if (c == 'n' && opt_number("cati simulate", "-n", optarg, 1, 100000000, &n) == 0)
			continue;
		if (c == 's' && seed_of("cati simulate", optarg, &seed) == 0)
			continue;
		if (c == 'Q') {
			counts[ncounts++] = optarg;
			continue;
		}
		if (c == 'N') {
			quotas = 0;
			continue;
		}
		free(counts);
		return c == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fputs(_(simulate_usage), stderr);
		free(counts);
		return EXIT_USAGE;
	}
	if (!quotas && ncounts) {
		fprintf(stderr, _("cati simulate: --quota-count and --no-quotas do not go together\n"));
		free(counts);
		return EXIT_USAGE;
	}
	path = argv[optind];
	f = tool_load(path);
	if (!f || (quotas && !(tally = tally_of("cati simulate", f, counts, ncounts)))) {
		if (f)
			form_free(f);
		free(counts);
		return EXIT_USAGE;
	}
	free(counts);
	eng_simulate(f, n, seed, tally, &st);

	printf(P_("simulated %ld interview of %s (seed %llu)\n\n", "simulated %ld interviews of %s (seed %llu)\n\n", n), n,
	       f->id, (unsigned long long)seed);
	printf(_("endings:%*scall outcome\n"), 37, "");
	for (i = 0; i < st.noutcomes; i++)
		printf("  %-24s %8ld  %5.1f%%  %s\n", st.outcomes[i], st.outcome_n[i], 100.0 * st.outcome_n[i] / n,
		       st.outcome_calls[i]);
	if (st.stuck)
		printf(_("  %-24s %8ld  %5.1f%%  (a hard check could not be satisfied by random answers)\n"),
		       "(stuck)", st.stuck, 100.0 * st.stuck / n);
	if (tally)
		print_quotas(f, tally);
	else if (f->nquotas)
		printf(_("\nquotas not applied (--no-quotas)\n"));
	printf(_("\nroute length: shortest %d questions (case seed %llu), longest %d (case seed %llu)\n"),
	       st.shortest < 0 ? 0 : st.shortest, (unsigned long long)st.shortest_seed, st.longest,
	       (unsigned long long)st.longest_seed);

	printf(_("\nquestions never reached:"));
	never = 0;
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_QUESTION && !st.reached[i]) {
			printf("%s %s (line %d)", never ? "," : "", f->nodes[i].id, f->nodes[i].line);
			never++;
		}
	printf("%s\n", never ? "" : " none");

	printf(_("choices never chosen:"));
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

	printf(_("checks never raised:"));
	never = 0;
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_CHECK && !st.raised[i]) {
			printf("%s line %d (%s)", never ? "," : "", f->nodes[i].line, f->nodes[i].expr_src);
			never++;
		}
	printf("%s\n", never ? "" : " none");

	printf(_("\nquestion reach (interviews that reached it):\n"));
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i].kind == FORM_N_QUESTION)
			printf("  %-24s %8ld  %5.1f%%\n", f->nodes[i].id, st.reached[i], 100.0 * st.reached[i] / n);

	eng_sim_release(&st);
	eng_tally_free(tally);
	form_free(f);
	return EXIT_OK;
}

static const char example_usage[] = N_("usage: cati sample example FORM [-n N] [--seed S]\n");

/* cati sample example FORM [-n N] [--seed S]: an example sample CSV for a form (argv[0] "example"). */
int cmd_sample_example(int argc, char **argv)
{
	const char *path = NULL;
	long n = 10, k;
	uint64_t seed = 1;
	struct form *f;
	uint64_t r;
	int i, c;

	for (opt_reset(); (c = opt_next(argc, argv, "n:h", count_longs, "cati sample example", _(example_usage))) != -1;) {
		if (c == 'h')
			return EXIT_OK;
		if (c == 'n' && opt_number("cati sample example", "-n", optarg, 1, 10000000, &n) == 0)
			continue;
		if (c == 's' && seed_of("cati sample example", optarg, &seed) == 0)
			continue;
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		fputs(_(example_usage), stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if (!(f = tool_load(path)))
		return EXIT_USAGE;
	r = seed;
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
		int m = eng_random_case(f, &r, names, values);

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
