/* cmd-form.c: `cati check` and `cati show`: the form compiler for researchers. */
#include <stdio.h>
#include <string.h>

#include "cati/i18n.h"
#include "cati/form.h"
#include "cli.h"

/* Compile one file, printing its errors to stderr. *io is set on I/O failure. */
struct form *cli_load_form(const char *path, int *io)
{
	struct form_diags d;
	struct err e;
	struct form *f;
	struct buf out;

	form_diags_init(&d);
	err_init(&e);
	*io = 0;
	f = form_load(path, &d, &e);
	if (e.set) {
		fprintf(stderr, "cati: %s\n", e.msg);
		*io = 1;
	}
	if (d.n) {
		buf_init(&out);
		form_diags_format(&d, path, &out);
		fputs(buf_str(&out), stderr);
		fprintf(stderr, P_("%s: %d error\n", "%s: %d errors\n", d.n), path, d.n);
		buf_release(&out);
	}
	form_diags_release(&d);
	return f;
}

static const char check_usage[] = N_("usage: cati check [-q|--quiet] FORM...\n");

/* cati check [-q] FORM...: compile every form, printing every error. */
int cmd_check(int argc, char **argv)
{
	static const struct option longs[] = { { "quiet", no_argument, NULL, 'q' }, CLI_OPT_HELP, { 0 } };
	int i, c, io, quiet = 0, failed = 0, broken = 0;
	struct form *f;

	for (opt_reset(); (c = opt_next(argc, argv, "qh", longs, "cati check", _(check_usage))) != -1;) {
		if (c == 'h')
			return EXIT_OK;
		if (c != 'q')
			return EXIT_USAGE;
		quiet = 1;
	}
	if (optind >= argc) {
		fputs(_(check_usage), stderr);
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		f = cli_load_form(argv[i], &io);
		if (io)
			broken = 1;
		else if (!f)
			failed = 1;
		else if (!quiet)
			printf(P_("%s: ok (%s, version %s, %d question)\n", "%s: ok (%s, version %s, %d questions)\n",
			          f->nquestions),
			       argv[i], f->id, f->version,
			       f->nquestions);
		form_free(f);
	}
	return broken ? EXIT_USAGE : failed ? EXIT_FAIL : EXIT_OK;
}

static const char show_usage[] = N_("usage: cati show FORM [--lang L]\n");

/* cati show FORM [--lang L]: the form as a readable script. */
int cmd_show(int argc, char **argv)
{
	static const struct option longs[] = { { "lang", required_argument, NULL, 'l' }, CLI_OPT_HELP, { 0 } };
	const char *path = NULL, *lang = NULL;
	struct form *f;
	struct buf out;
	int i, c, io, li = 0;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati show", _(show_usage))) != -1;) {
		if (c == 'h')
			return EXIT_OK;
		if (c != 'l')
			return EXIT_USAGE;
		lang = optarg;
	}
	if (optind != argc - 1) {
		fputs(_(show_usage), stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	f = cli_load_form(path, &io);
	if (!f)
		return io ? EXIT_USAGE : EXIT_FAIL;
	if (lang) {
		li = form_lang(f, lang);
		if (li < 0) {
			fprintf(stderr, _("cati show: the form has no language '%s' (it has:"), lang);
			for (i = 0; i < f->nlangs; i++)
				fprintf(stderr, " %s", f->langs[i]);
			fprintf(stderr, ")\n");
			form_free(f);
			return EXIT_USAGE;
		}
	}
	buf_init(&out);
	form_show(f, li, &out);
	fputs(buf_str(&out), stdout);
	buf_release(&out);
	form_free(f);
	return EXIT_OK;
}
