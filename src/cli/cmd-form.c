/* cmd-form.c: `cati check` and `cati show`: the form compiler for researchers. */
#include <stdio.h>
#include <string.h>

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
		fprintf(stderr, "%s: %d error%s\n", path, d.n, d.n == 1 ? "" : "s");
		buf_release(&out);
	}
	form_diags_release(&d);
	return f;
}

int cmd_check(int argc, char **argv)
{
	int i, io, quiet = 0, failed = 0, broken = 0, files = 0;
	struct form *f;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "cati check: unknown option '%s'\nusage: cati check [-q] FORM...\n",
			        argv[i]);
			return EXIT_USAGE;
		}
	}
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		files++;
		f = cli_load_form(argv[i], &io);
		if (io)
			broken = 1;
		else if (!f)
			failed = 1;
		else if (!quiet)
			printf("%s: ok (%s, version %s, %d questions)\n", argv[i], f->id, f->version,
			       f->nquestions);
		form_free(f);
	}
	if (!files) {
		fprintf(stderr, "usage: cati check [-q] FORM...\n");
		return EXIT_USAGE;
	}
	return broken ? EXIT_USAGE : failed ? EXIT_FAIL : EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
	const char *path = NULL, *lang = NULL;
	struct form *f;
	struct buf out;
	int i, io, li = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[++i];
		else if (!strncmp(argv[i], "--lang=", 7))
			lang = argv[i] + 7;
		else if (argv[i][0] == '-' || path) {
			fprintf(stderr, "usage: cati show FORM [--lang L]\n");
			return EXIT_USAGE;
		} else
			path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: cati show FORM [--lang L]\n");
		return EXIT_USAGE;
	}
	f = cli_load_form(path, &io);
	if (!f)
		return io ? EXIT_USAGE : EXIT_FAIL;
	if (lang) {
		li = form_lang(f, lang);
		if (li < 0) {
			fprintf(stderr, "cati show: the form has no language '%s' (it has:", lang);
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
