/* cmd-tui.c: `cati` opens the workstation; `cati demo` prepares the demo database first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/store.h"
#include "cati/tui.h"
#include "cati/calls.h"
#include "cati/i18n.h"
#include "cli.h"

/* kept in the database in English; the login screen shows it translated */
#define DEMO_HINT N_("Demo: log in as interviewer 'demo' with password 'demo'.")

static const char tui_usage[] =
	N_("usage: cati [--db PATH] [--study FILE]   the interviewer's workstation\n"
	   "       cati --version | --help | COMMAND --help\n");

/* The login screen speaks the interface language last chosen on this workstation, else the
   one of the environment (i18n_init has set that already). */
static void last_lang(struct store *st)
{
	char *lang = store_meta_get(st, "ui_lang");

	if (*lang && i18n_known(lang))
		i18n_use(lang);
	free(lang);
}

/* cati [--db PATH] [--study FILE]: the interviewer's workstation. */
int cmd_tui(int argc, char **argv)
{
	static const struct option longs[] = { { "study", required_argument, NULL, 's' }, CLI_OPT_DB, CLI_OPT_HELP,
		                                { 0 } };
	const char *db = NULL, *study = NULL;
	struct store *st;
	struct call_rules rules;
	char *hint;
	int c, rc;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati", _(tui_usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 's': study = optarg; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(_(tui_usage), stderr);
		return EXIT_USAGE;
	}
	if (cli_load_rules(study, &rules) < 0 || !(st = cli_open_store(db, 0)))
		return EXIT_USAGE;
	last_lang(st);
	hint = store_meta_get(st, "login_hint");
	rc = tui_run(st, &rules, *hint ? hint : NULL);
	free(hint);
	store_close(st);
	return rc;
}

/* Load the demo form, its sample and the demo interviewer, once. */
static int demo_setup(struct store *st, const char *form_path, const char *sample)
{
	struct form_diags d;
	struct form *f;
	struct buf problems;
	struct err e;
	char *source, *done = store_meta_get(st, "demo_ready");
	size_t len;
	int64_t row;
	long n;
	int rc = -1;

	if (!strcmp(done, "1")) {
		free(done);
		return 0;
	}
	free(done);
	err_init(&e);
	if (!(source = read_file(form_path, &len, &e))) {
		fprintf(stderr, "cati demo: %s\n", e.msg);
		return -1;
	}
	form_diags_init(&d);
	f = form_compile(form_path, source, len, &d);
	if (!f) {
		fprintf(stderr, "cati demo: %s:%d: %s\n", form_path, d.n ? d.v[0].line : 0, d.n ? d.v[0].msg : "");
		goto out;
	}
	buf_init(&problems);
	if (store_begin(st, &e) != STORE_OK || store_form_put(st, f, source, &row, &e) != STORE_OK ||
	    store_commit(st, &e) != STORE_OK ||
	    store_sample_import(st, sample, f, &problems, &n, &e) != STORE_OK ||
	    store_cred_set(st, "demo", "demo", &e) != STORE_OK ||
	    store_meta_set(st, "login_hint", DEMO_HINT, &e) != STORE_OK ||
	    store_meta_set(st, "demo_ready", "1", &e) != STORE_OK) {
		fprintf(stderr, "%scati demo: %s\n", buf_str(&problems), e.msg);
		buf_release(&problems);
		goto out;
	}
	buf_release(&problems);
	rc = 0;
out:
	form_free(f);
	form_diags_release(&d);
	free(source);
	return rc;
}

static const char demo_usage[] = N_("usage: cati demo [--db PATH] [--form FORM] [--sample CSV] [--setup-only]\n");

/* cati demo: the workstation on the demo survey, set up on first use. */
int cmd_demo(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "form", required_argument, NULL, 'f' }, { "sample", required_argument, NULL, 's' },
		{ "setup-only", no_argument, NULL, 'S' }, CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	char formbuf[4096], samplebuf[4096];
	const char *form = cli_demo_file("demo.form", formbuf, sizeof formbuf);
	const char *sample = cli_demo_file("demo-sample.csv", samplebuf, sizeof samplebuf), *db = NULL;
	struct store *st;
	int c, rc, setup_only = 0;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati demo", _(demo_usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 'f': form = optarg; break;
		case 's': sample = optarg; break;
		case 'S': setup_only = 1; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(_(demo_usage), stderr);
		return EXIT_USAGE;
	}
	if (!(st = cli_open_store(db, 0)))
		return EXIT_USAGE;
	if (demo_setup(st, form, sample) < 0) {
		store_close(st);
		return EXIT_FAIL;
	}
	if (setup_only) {
		store_close(st);
		return EXIT_OK;
	}
	last_lang(st);
	{
		/* the demo calls around the clock, so that it works at any hour */
		struct call_rules rules;
		calls_rules_default(&rules);
		rules.weekday.from = rules.weekend.from = 0;
		rules.weekday.to = rules.weekend.to = 24 * 60;
		rc = tui_run(st, &rules, DEMO_HINT);
	}
	store_close(st);
	return rc;
}
