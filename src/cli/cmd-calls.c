/* cmd-calls.c: call management from the command line: next, call, appointment, report rates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
#include "cati/calls.h"
#include "cati/store.h"
#include "cati/sync.h"
#include "cli.h"

/* The study's rules: --study FILE, else $CATI_STUDY, else the defaults. */
int cli_load_rules(const char *path, struct call_rules *r)
{
	struct err e;
	char *text;
	size_t n;

	calls_rules_default(r);
	if (!path)
		path = getenv("CATI_STUDY");
	if (!path || !*path)
		return 0;
	err_init(&e);
	if (!(text = read_file(path, &n, &e)) || calls_rules_parse(r, path, text, &e) < 0) {
		fprintf(stderr, "cati: %s\n", e.msg);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

/* The interviewer: --interviewer ID, else $USER, else "interviewer". */
static const char *interviewer(const char *who)
{
	if (!who)
		who = getenv("USER");
	return who && *who ? who : "interviewer";
}

static const char next_usage[] = N_("usage: cati next [--interviewer ID] [--study FILE] [--why] [--lock] [--db PATH]\n");

/* cati next [--interviewer ID] [--study FILE] [--why] [--lock]: who to call now, and why. */
int cmd_next(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "interviewer", required_argument, NULL, 'i' }, { "study", required_argument, NULL, 's' },
		{ "why", no_argument, NULL, 'w' }, { "lock", no_argument, NULL, 'L' }, CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	struct store *st;
	struct call_rules r;
	struct store_next_pick pick;
	struct buf why;
	struct err e;
	const char *who = NULL, *study = NULL, *db = NULL;
	int c, show_why = 0, lock = 0;
	enum store_rc rc;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati next", _(next_usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 'i': who = optarg; break;
		case 's': study = optarg; break;
		case 'w': show_why = 1; break;
		case 'L': lock = 1; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(_(next_usage), stderr);
		return EXIT_USAGE;
	}
	who = interviewer(who);
	/* next only reads the cases (and locks one): a database that is not there is not made */
	if (cli_load_rules(study, &r) < 0 || !(st = cli_open_store(db, 1)))
		return EXIT_USAGE;
	store_set_zone(st, r.tz);
	buf_init(&why);
	err_init(&e);
	if (lock) {
		/* an enrolled workstation locks the case at the store too (password: $CATI_PASSWORD) */
		struct sync_settings set;
		struct err se;
		const char *pw = getenv("CATI_PASSWORD");
		int enrolled, shared = 0;

		err_init(&se);
		enrolled = sync_settings_load(&set, &se) == 0 && pw && *pw;
		enum sync_rc src = sync_take_next(st, enrolled ? &set : NULL, who, pw, NULL, &r, &pick,
		                                  show_why ? &why : NULL, &shared, &e);

		/* the sync layer's answer in the store's words the rest of this command speaks */
		rc = src == SYNC_OK ? STORE_OK : src == SYNC_NONE ? STORE_NOTFOUND : src == SYNC_TAKEN ? STORE_BUSY : STORE_ERROR;
		if (rc == STORE_OK && enrolled && !shared && !show_why)
			fprintf(stderr, _("cati next: %s is locked on this workstation only: the store could not be reached\n"), pick.key);
	} else {
		rc = store_next(st, &r, who, 0, &pick, show_why ? &why : NULL, &e);
	}
	if (show_why)
		fputs(buf_str(&why), stdout);
	if (rc == STORE_OK && !show_why)
		printf("%s\n", pick.key);
	else if (rc == STORE_BUSY)
		fprintf(stderr, _("cati next: %s was just taken by another workstation; ask again\n"), pick.key);
	else if (rc != STORE_OK && rc != STORE_NOTFOUND)
		fprintf(stderr, "cati next: %s\n", e.msg);
	else if (rc == STORE_NOTFOUND && !show_why)
		fprintf(stderr, _("cati next: no case to call now (--why says why)\n"));
	buf_release(&why);
	store_close(st);
	return rc == STORE_OK ? EXIT_OK : EXIT_FAIL;
}

static const char call_usage[] =
	N_("usage: cati call --case KEY --outcome OUTCOME [--interviewer ID] [--study FILE] [--db PATH]\n");

/* cati call --case KEY --outcome OUTCOME [--interviewer ID]: record a call attempt. */
int cmd_call(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "case", required_argument, NULL, 'c' }, { "outcome", required_argument, NULL, 'o' },
		{ "interviewer", required_argument, NULL, 'i' }, { "study", required_argument, NULL, 's' },
		CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	const char *key = NULL, *outcome = NULL, *who = NULL, *study = NULL, *db = NULL;
	struct store *st;
	const struct call_outcome *o;
	struct store_case c;
	struct call_rules r;
	struct err e;
	int i, n, ch;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati call", _(call_usage))) != -1;) {
		switch (ch) {
		case 'h': return EXIT_OK;
		case 'c': key = optarg; break;
		case 'o': outcome = optarg; break;
		case 'i': who = optarg; break;
		case 's': study = optarg; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (!key || !outcome || optind != argc) {
		fputs(_(call_usage), stderr);
		return EXIT_USAGE;
	}
	who = interviewer(who);
	if (cli_load_rules(study, &r) < 0 || !(st = cli_open_store(db, 0)))
		return EXIT_USAGE;
	store_set_zone(st, r.tz);
	if (!(o = calls_outcome(outcome))) {
		const struct call_outcome *all = calls_outcomes(&n);
		fprintf(stderr, _("cati call: '%s' is not a call outcome; one of:"), outcome);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", all[i].name);
		fputc('\n', stderr);
		store_close(st);
		return EXIT_USAGE;
	}
	err_init(&e);
	memset(&c, 0, sizeof c);
	if (store_case_get(st, key, &c, &e) != STORE_OK || store_begin(st, &e) != STORE_OK) {
		fprintf(stderr, "cati call: %s\n", e.msg);
		store_case_release(&c);
		store_close(st);
		return EXIT_FAIL;
	}
	if (store_attempt_add(st, c.id, who, c.phone, outcome, &e) != STORE_OK || store_commit(st, &e) != STORE_OK) {
		store_rollback(st);
		fprintf(stderr, "cati call: %s\n", e.msg);
		store_case_release(&c);
		store_close(st);
		return EXIT_FAIL;
	}
	printf("%s: %s (%s %s%s)\n", key, _(o->label), o->final ? _("final disposition") : _("for now"), o->disposition,
	       o->final ? "" : _(", case stays open"));
	store_case_release(&c);
	store_close(st);
	return EXIT_OK;
}

static const char appointment_usage[] =
	N_("usage: cati appointment --case KEY --at 'YYYY-MM-DD HH:MM' [--soft] [--with NAME] [--interviewer ID] [--db PATH]\n");

/* cati appointment --case KEY --at "YYYY-MM-DD HH:MM" [--soft] [--interviewer ID] [--with NAME] */
int cmd_appointment(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "case", required_argument, NULL, 'c' }, { "at", required_argument, NULL, 'a' },
		{ "with", required_argument, NULL, 'w' }, { "soft", no_argument, NULL, 'S' },
		{ "interviewer", required_argument, NULL, 'i' }, CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	const char *key = NULL, *at = NULL, *who = NULL, *with = NULL, *db = NULL;
	struct store *st;
	struct store_case c;
	struct err e;
	int ch, soft = 0, y, mo, d, h, mi, len = 0;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati appointment", _(appointment_usage))) != -1;) {
		switch (ch) {
		case 'h': return EXIT_OK;
		case 'c': key = optarg; break;
		case 'a': at = optarg; break;
		case 'w': with = optarg; break;
		case 'S': soft = 1; break;
		case 'i': who = optarg; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (!key || !at || optind != argc) {
		fputs(_(appointment_usage), stderr);
		return EXIT_USAGE;
	}
	who = interviewer(who);
	if (!(st = cli_open_store(db, 0)))
		return EXIT_USAGE;
	if (sscanf(at, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &len) != 5 || at[len] || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59) {
		fprintf(stderr, _("cati appointment: '%s' is not a time like 2026-03-02 14:30 (the respondent's local time)\n"), at);
		store_close(st);
		return EXIT_USAGE;
	}
	err_init(&e);
	memset(&c, 0, sizeof c);
	if (store_case_get(st, key, &c, &e) != STORE_OK || store_begin(st, &e) != STORE_OK ||
	    store_appointment_add(st, c.id, who, at, !soft, with, &e) != STORE_OK ||
	    store_attempt_add(st, c.id, who, c.phone, "appointment", &e) != STORE_OK || store_commit(st, &e) != STORE_OK) {
		store_rollback(st);
		fprintf(stderr, "cati appointment: %s\n", e.msg);
		store_case_release(&c);
		store_close(st);
		return EXIT_FAIL;
	}
	printf(soft ? _("%s: soft appointment at %s (respondent's time)\n")
	            : _("%s: hard appointment at %s (respondent's time)\n"),
	       key, at);
	store_case_release(&c);
	store_close(st);
	return EXIT_OK;
}

struct counts {
	struct aapor_counts c;
	struct buf table;
};

/* store_disposition_counts' callback: one disposition code's line, and its count in its AAPOR group. */
static void count(void *ctx, const char *code, long n)
{
	struct counts *c = ctx;
	const struct disposition *d = calls_count(&c->c, code, (double)n);

	buf_printf(&c->table, "  %-6s %-62s %6ld\n", code, d ? _(d->label) : _("(unknown code)"), n);
}

/* The rates' edition, groups and e as lines; the 9th edition's as cati printed them before. */
static void print_e(const struct aapor_rates *r)
{
	static const char *const how[AAPOR_E_CLASSES] = {
		N_("(proportional: (I+P+R+NC+O) / (I+P+R+NC+O+NE))"),
		N_("(proportional: (I+P+R+NC+O) / (I+P+R+NC+O+NE screened out or quota full, 4.7x 4.8x))"),
		N_("(proportional: (I+P+R+NC+O) / (I+P+R+NC+O+NE))"),
	};
	static const char *const names[AAPOR_E_CLASSES] = { "UH", "UR", "UO" };
	const double *n = r->n;
	int k;

	if (r->edition == AAPOR_EDITION_9) {
		printf(_("rates by AAPOR Standard Definitions, 9th edition (2016)\n"));
		printf("groups: I %.0f  P %.0f  R %.0f  NC %.0f  O %.0f  UH %.0f  UO %.0f  NE %.0f\n", n[AAPOR_I], n[AAPOR_P],
		       n[AAPOR_R], n[AAPOR_NC], n[AAPOR_O], n[AAPOR_UH], n[AAPOR_UO], n[AAPOR_NE]);
		printf("e = %.4f (%s)\n", r->e, r->e_estimated ? _("proportional: (I+P+R+NC+O) / (I+P+R+NC+O+NE)") : _("given"));
		return;
	}
	printf(_("rates by AAPOR Standard Definitions, 10th edition (2023)\n"));
	printf("groups: I %.0f  P %.0f  R %.0f  NC %.0f  O %.0f  UH %.0f  UR %.0f  UO %.0f  NE %.0f\n", n[AAPOR_I],
	       n[AAPOR_P], n[AAPOR_R], n[AAPOR_NC], n[AAPOR_O], n[AAPOR_UH], n[AAPOR_UR], n[AAPOR_UO], n[AAPOR_NE]);
	for (k = 0; k < AAPOR_E_CLASSES; k++)
		printf("e_%s = %.4f %s\n", names[k], r->e_class[k], r->e_class_estimated[k] ? _(how[k]) : _("(given)"));
	printf(_("e = %.4f (over all unknown cases: e_UH*UH + e_UR*UR + e_UO*UO = e * (UH+UR+UO))\n"), r->e);
}

/* RR1..RRn: a line each; "n/a" where the denominator is 0. */
static void rates(const char *family, const double *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char name[24];
		snprintf(name, sizeof name, "%s%d", family, i + 1);
		if (v[i] < 0)
			printf("  %-6s    n/a\n", name);
		else {
			char plain[32], shown[32];

			/* a rate as the interviewer writes numbers (0,4512 in German and Dutch) */
			snprintf(plain, sizeof plain, "%6.4f", v[i]);
			printf("  %-6s %s\n", name, i18n_number(shown, sizeof shown, plain));
		}
	}
}

/* store_quota_list's callback: one quota cell's line (the header before the first). */
static void print_cell(void *ctx, const struct store_quota_cell *c)
{
	int *n = ctx;
	char allow[24];

	if (!(*n)++)
		printf("%-16s %-12s %-10s %7s %8s %6s %9s  %s\n", _("study"), _("quota"), _("cell"), _("target"), _("store"), _("here"),
		       _("allowance"), _("state"));
	if (c->allowance < 0)
		snprintf(allow, sizeof allow, "-");
	else
		snprintf(allow, sizeof allow, "%ld", c->allowance);
	printf("%-16s %-12s %-10s %7ld %8ld %6ld %9s  %s\n", c->study, c->quota, c->cell, c->target, c->achieved,
	       c->local, allow, c->closed ? _("closed") : c->full ? _("full") : _("open"));
}

/* cati report quotas: the quota cells as this workstation sees them. */
static int report_quotas(struct store *st, const char *study)
{
	struct err e;
	int n = 0;

	err_init(&e);
	if (store_quota_list(st, study, print_cell, &n, &e) != STORE_OK) {
		fprintf(stderr, "cati report: %s\n", e.msg);
		return EXIT_FAIL;
	}
	if (!n && study)
		printf(_("no quota cells in study %s (the forms have no quotas, or no cases were imported or synced)\n"),
		       study);
	else if (!n)
		printf(_("no quota cells (the forms have no quotas, or no cases were imported or synced)\n"));
	return EXIT_OK;
}

static const char report_usage[] =
	N_("usage: cati report rates [--aapor 10|9] [--e E|UH=E,UR=E,UO=E (0..1)] [--db PATH]\n"
	"       cati report quotas [--study-id ID] [--db PATH]\n");

/* cati report rates|quotas: the workstation's response rates, or its quota cells; reads only. */
int cmd_report(int argc, char **argv)
{
	static const struct option longs[] = { { "e", required_argument, NULL, 'e' },
		                                { "aapor", required_argument, NULL, 'a' },
		                                { "study-id", required_argument, NULL, 's' }, CLI_OPT_DB,
		                                CLI_OPT_HELP, { 0 } };
	const char *es = NULL, *ed = NULL, *study = NULL, *db = NULL, *what;
	struct store *st;
	struct counts c;
	struct aapor_opts ao;
	struct aapor_rates r;
	struct err e;
	int ch, quotas;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati report", _(report_usage))) != -1;) {
		switch (ch) {
		case 'h': return EXIT_OK;
		case 'e': es = optarg; break;
		case 'a': ed = optarg; break;
		case 's': study = optarg; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	what = optind == argc - 1 ? argv[optind] : "";
	quotas = !strcmp(what, "quotas");
	if ((!quotas && strcmp(what, "rates")) || (quotas && (es || ed)) || (!quotas && study)) {
		fputs(_(report_usage), stderr);
		return EXIT_USAGE;
	}
	err_init(&e);
	if (calls_aapor_opts(&ao, ed, NULL, &e) < 0) {
		fprintf(stderr, "cati report: --aapor: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (calls_aapor_opts(&ao, ed, es, &e) < 0) {
		fprintf(stderr, "cati report: --e: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (!(st = cli_open_store(db, 1)))
		return EXIT_USAGE;
	if (quotas) {
		int rc = report_quotas(st, study);
		store_close(st);
		return rc;
	}
	memset(&c, 0, sizeof c);
	buf_init(&c.table);
	err_init(&e);
	if (store_disposition_counts(st, count, &c, &e) != STORE_OK) {
		fprintf(stderr, "cati report: %s\n", e.msg);
		buf_release(&c.table);
		store_close(st);
		return EXIT_FAIL;
	}
	calls_aapor(&c.c, &ao, &r);
	printf(_("cases by AAPOR disposition:\n%s"), buf_str(&c.table));
	print_e(&r);
	rates("RR", r.rr, 6);
	rates("COOP", r.coop, 4);
	rates("REF", r.ref, 3);
	rates("CON", r.con, 3);
	buf_release(&c.table);
	store_close(st);
	return EXIT_OK;
}
