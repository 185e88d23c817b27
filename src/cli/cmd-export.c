/* cmd-export.c: cati export: the workstation's interviews as a data set, and its call records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/export.h"
#include "cati/store.h"
#include "cli.h"

static const char usage[] =
	"usage: cati export --study ID --format csv|json|sav|dta|sss|ddi|codebook|all --out FILE\n"
	"                   [--lang L] [--all] [--calls FILE.csv] [--db PATH]\n";

int cmd_export(int argc, char **argv)
{
	struct store *st = cli_open_store(&argc, argv);
	const char *study, *fmt, *out, *lang, *calls;
	struct form_diags d;
	struct exp_data data;
	struct form *f = NULL;
	char *src = NULL;
	struct err e;
	int64_t row;
	int all, format, rc = EXIT_FAIL;

	if (!st)
		return EXIT_USAGE;
	study = cli_take(&argc, argv, "--study");
	fmt = cli_take(&argc, argv, "--format");
	out = cli_take(&argc, argv, "--out");
	lang = cli_take(&argc, argv, "--lang");
	calls = cli_take(&argc, argv, "--calls");
	all = cli_take_flag(&argc, argv, "--all");
	format = !fmt ? -1 : !strcmp(fmt, "all") ? 99 : exp_format_of(fmt);
	if (argc != 1 || !study || !out || format < 0) {
		if (fmt && format < 0)
			fprintf(stderr, "cati export: unknown format '%s'\n", fmt);
		fputs(usage, stderr);
		store_close(st);
		return EXIT_USAGE;
	}
	err_init(&e);
	if (store_form_latest(st, study, &row, &e) != STORE_OK || store_form_source(st, row, &src, &e) != STORE_OK) {
		fprintf(stderr, "cati export: no study '%s' in this database: %s\n", study, e.msg);
		store_close(st);
		return EXIT_FAIL;
	}
	form_diags_init(&d);
	f = form_compile("(stored form)", src, strlen(src), &d);
	form_diags_release(&d);
	free(src);
	if (!f) {
		fprintf(stderr, "cati export: the stored form of '%s' does not compile\n", study);
		store_close(st);
		return EXIT_FAIL;
	}
	if (lang && form_lang(f, lang) < 0) {
		fprintf(stderr, "cati export: the form has no language '%s'\n", lang);
		form_free(f);
		store_close(st);
		return EXIT_USAGE;
	}
	exp_data_init(&data, f, lang ? form_lang(f, lang) : 0);
	if (store_export(st, study, all, exp_data_take, &data, &e) != STORE_OK) {
		fprintf(stderr, "cati export: %s\n", e.msg);
		goto out;
	}
	if ((format == 99 ? exp_write_all(&data, out, &e) : exp_write(&data, (enum exp_format)format, out, &e)) < 0) {
		fprintf(stderr, "cati export: %s\n", e.msg);
		goto out;
	}
	printf("exported %ld interviews, %d variables to %s\n", data.nrows, data.schema.nvars, out);
	if (calls) {
		struct exp_calls c;

		exp_calls_init(&c);
		if (store_export_calls(st, study, exp_calls_take, &c, &e) != STORE_OK ||
		    exp_write_calls(c.v, c.n, calls, &e) < 0) {
			fprintf(stderr, "cati export: %s\n", e.msg);
			exp_calls_release(&c);
			goto out;
		}
		printf("exported %ld call attempts to %s\n", c.n, calls);
		exp_calls_release(&c);
	}
	rc = EXIT_OK;
out:
	exp_data_release(&data);
	form_free(f);
	store_close(st);
	return rc;
}
