/* cmd-report.c: cati-store report: a study's supervisor report, printed without a screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/central.h"
#include "cati/report.h"

int store_cmd_report(struct central *c, int argc, char **argv);

static const char *const usage =
	"usage: cati-store report STUDY --db PATH|--pg URL [--format text|csv|json] [--section NAME] [--by FIELD,...] [--width N]\n"
	"       sections: quotas, interviewers, dispositions, results, problems (default: all)\n";

int store_cmd_report(struct central *c, int argc, char **argv)
{
	const char *study = NULL, *format = "text", *section = NULL, *question = NULL;
	struct report_opts o;
	enum report_rc rc;
	struct buf out;
	struct err e;
	json_t *r;
	int i, sec = -1, width = 80;

	memset(&o, 0, sizeof o);
	for (i = 2; i < argc; i++) {
		if ((!strcmp(argv[i], "--db") || !strcmp(argv[i], "--pg")) && i + 1 < argc)
			i++;
		else if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!strcmp(argv[i], "--section") && i + 1 < argc)
			section = argv[++i];
		else if (!strcmp(argv[i], "--question") && i + 1 < argc)
			question = argv[++i];
		else if (!strcmp(argv[i], "--by") && i + 1 < argc)
			o.by = argv[++i];
		else if (!strcmp(argv[i], "--width") && i + 1 < argc) {
			char *end;
			long w = strtol(argv[++i], &end, 10);
			if (*end || w < 40 || w > 1000) {
				fprintf(stderr, "cati-store report: --width wants a number from 40 to 1000\n");
				return 2;
			}
			width = (int)w;
		} else if (!study && argv[i][0] != '-')
			study = argv[i];
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!study || (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json"))) {
		fputs(usage, stderr);
		return 2;
	}
	if (section && (sec = report_section_find(section)) < 0) {
		fprintf(stderr, "cati-store report: no section '%s' (quotas, interviewers, dispositions, results, problems)\n",
		        section);
		return 2;
	}
	err_init(&e);
	/* whoever may read the database file sees every study */
	rc = central_report(c, "cati-store", CENTRAL_ADMIN, study, &o, &r, &e);
	if (rc != REPORT_OK) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return rc == REPORT_ERROR ? 1 : rc == REPORT_BAD_BY ? 2 : 1;
	}
	buf_init(&out);
	if (!strcmp(format, "csv")) {
		report_csv(r, sec, &out);
	} else if (!strcmp(format, "json")) {
		char *s = json_dumps(r, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		buf_puts(&out, s);
		buf_putc(&out, '\n');
		free(s);
	} else {
		report_text(r, sec, width, question, &out);
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	buf_release(&out);
	json_decref(r);
	return fflush(stdout) == 0 ? 0 : 1;
}
