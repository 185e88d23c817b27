/* cmd-export.c: cati-store export: a study's interviews as a data set, and its call records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cati/central.h"
#include "cati/export.h"
#include "cati/form.h"

int srv_cmd_export(struct central *c, int argc, char **argv);

int srv_cmd_export(struct central *c, int argc, char **argv)
{
	const char *fmt = srv_opt(argc, argv, "--format"), *out = srv_opt(argc, argv, "--out");
	const char *lang = srv_opt(argc, argv, "--lang"), *calls = srv_opt(argc, argv, "--calls");
	struct form_diags d;
	struct exp_data data;
	struct form *f;
	char *src = NULL;
	struct err e;
	int format = !fmt ? -1 : !strcmp(fmt, "all") ? 99 : exp_format_of(fmt), rc = 1;

	if (argc < 3 || argv[2][0] == '-' || !out || format < 0) {
		if (fmt && format < 0)
			fprintf(stderr, "cati-store export: unknown format '%s'\n", fmt);
		fputs("usage: cati-store export STUDY --format csv|json|sav|dta|sss|ddi|codebook|all --out FILE\n"
		      "                         [--lang L] [--calls FILE.csv] --db PATH\n", stderr);
		return 2;
	}
	err_init(&e);
	if (central_form_latest(c, argv[2], &src, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	form_diags_init(&d);
	f = form_compile("(stored form)", src, strlen(src), &d);
	form_diags_release(&d);
	free(src);
	if (!f) {
		fprintf(stderr, "cati-store: the form of '%s' does not compile\n", argv[2]);
		return 1;
	}
	if (lang && form_lang(f, lang) < 0) {
		fprintf(stderr, "cati-store export: the form has no language '%s'\n", lang);
		form_free(f);
		return 2;
	}
	exp_data_init(&data, f, lang ? form_lang(f, lang) : 0);
	if (central_export(c, argv[2], exp_data_take, &data, &e) < 0 ||
	    (format == 99 ? exp_write_all(&data, out, &e) : exp_write(&data, (enum exp_format)format, out, &e)) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		goto out;
	}
	printf("exported %ld interviews, %d variables to %s\n", data.nrows, data.schema.nvars, out);
	if (calls) {
		struct exp_calls cl;

		exp_calls_init(&cl);
		if (central_export_calls(c, argv[2], exp_calls_take, &cl, &e) < 0 ||
		    exp_write_calls(cl.v, cl.n, calls, &e) < 0) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			exp_calls_release(&cl);
			goto out;
		}
		printf("exported %ld call attempts to %s\n", cl.n, calls);
		exp_calls_release(&cl);
	}
	rc = 0;
out:
	exp_data_release(&data);
	form_free(f);
	return rc;
}
