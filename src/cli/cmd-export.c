/* cmd-export.c: cati export: the workstation's interviews as a data set, and its call records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
#include "cati/export.h"
#include "cati/store.h"
#include "cli.h"

static const char usage[] =
	N_("usage: cati export --study ID --format csv|json|sav|dta|sas|sss|ddi|codebook|all --out FILE\n"
	"                   [--lang L] [--all] [--with-identities] [--calls FILE.csv [--with-phone]] [--db PATH]\n");

/* cati export: the interviews of a study in a data set format, and its call records. */
int cmd_export(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "study", required_argument, NULL, 's' }, { "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },   { "lang", required_argument, NULL, 'l' },
		{ "calls", required_argument, NULL, 'c' }, { "all", no_argument, NULL, 'a' },
		{ "with-phone", no_argument, NULL, 'p' },  { "with-identities", no_argument, NULL, 'I' },
		CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	const char *study = NULL, *fmt = NULL, *out = NULL, *lang = NULL, *calls = NULL, *db = NULL;
	struct store *st;
	struct form_diags d;
	struct exp_data data;
	struct form *f = NULL;
	char *src = NULL;
	struct err e;
	struct exp_opts opts = { 0, NULL };
	int64_t row;
	int ch, all = 0, with_phone = 0, format, rc = EXIT_FAIL;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati export", _(usage))) != -1;) {
		switch (ch) {
		case 'h': return EXIT_OK;
		case 's': study = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': out = optarg; break;
		case 'l': lang = optarg; break;
		case 'c': calls = optarg; break;
		case 'a': all = 1; break;
		case 'p': with_phone = 1; break;
		case 'I': opts.identities = 1; break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	format = !fmt ? -1 : !strcmp(fmt, "all") ? 99 : exp_format_of(fmt);
	if (with_phone && !calls) {
		fprintf(stderr, _("cati export: --with-phone needs --calls FILE.csv\n%s"), usage);
		return EXIT_USAGE;
	}
	if (optind != argc || !study || !out || format < 0) {
		if (fmt && format < 0)
			fprintf(stderr, _("cati export: unknown format '%s'\n"), fmt);
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(st = cli_open_store(db, 1)))
		return EXIT_USAGE;
	err_init(&e);
	if (store_form_latest(st, study, &row, &e) != STORE_OK || store_form_source(st, row, &src, &e) != STORE_OK) {
		fprintf(stderr, _("cati export: no study '%s' in this database: %s\n"), study, e.msg);
		store_close(st);
		return EXIT_FAIL;
	}
	form_diags_init(&d);
	f = form_compile(_("(stored form)"), src, strlen(src), &d);
	form_diags_release(&d);
	free(src);
	if (!f) {
		fprintf(stderr, _("cati export: the stored form of '%s' does not compile\n"), study);
		store_close(st);
		return EXIT_FAIL;
	}
	if (lang && form_lang(f, lang) < 0) {
		fprintf(stderr, _("cati export: the form has no language '%s'\n"), lang);
		form_free(f);
		store_close(st);
		return EXIT_USAGE;
	}
	exp_data_init_opts(&data, f, lang ? form_lang(f, lang) : 0, &opts);
	if (store_export(st, study, all, exp_data_take, &data, &e) != STORE_OK) {
		fprintf(stderr, "cati export: %s\n", e.msg);
		goto out;
	}
	if ((format == 99 ? exp_write_all(&data, out, &e) : exp_write(&data, (enum exp_format)format, out, &e)) < 0) {
		fprintf(stderr, "cati export: %s\n", e.msg);
		goto out;
	}
	printf(P_("exported %ld interview, %d variables to %s\n", "exported %ld interviews, %d variables to %s\n",
	          data.nrows),
	       data.nrows, data.schema.nvars, out);
	if (!opts.identities)
		puts(_("names, phone numbers and text answers left out: --with-identities adds them"));
	if (calls) {
		struct exp_calls c;

		exp_calls_init(&c);
		if (store_export_calls(st, study, exp_calls_take, &c, &e) != STORE_OK ||
		    exp_write_calls(c.v, c.n, with_phone, calls, &e) < 0) {
			fprintf(stderr, "cati export: %s\n", e.msg);
			exp_calls_release(&c);
			goto out;
		}
		printf(P_("exported %ld call attempt to %s%s\n", "exported %ld call attempts to %s%s\n", c.n), c.n, calls,
		       with_phone ? "" : _(" (phone numbers left out: --with-phone adds them)"));
		exp_calls_release(&c);
	}
	rc = EXIT_OK;
out:
	exp_data_release(&data);
	form_free(f);
	store_close(st);
	return rc;
}
