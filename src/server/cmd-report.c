/* cmd-report.c: cati-store report: a study's supervisor report, printed without a screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cati/central.h"
#include "cati/report.h"

int srv_cmd_report(struct central *c, int argc, char **argv);

static const char *const usage =
	"usage: cati-store report STUDY --db PATH|--pg URL [--format text|csv|json] [--section NAME] [--by FIELD,...] [--width N]\n"
	"       cati-store report STUDY --db PATH|--pg URL --check [--by FIELD,...]   (the kept figures against a full count)\n"
	"       sections: quotas, interviewers, dispositions, results, problems (default: all)\n";

/*
 * Build the report from the kept figures and again by counting everything, at one moment, and
 * compare: 0 when the JSON is the same, 1 with the sections that differ on stderr.
 */
static int check(struct central *c, const char *study, struct report_opts *o)
{
	static const char *const sections[] = { "totals", "quotas", "interviewers", "dispositions", "rates", "results",
	                                        "problems", NULL };
	json_t *kept = NULL, *live = NULL;
	struct err e;
	int i, bad = 0;

	err_init(&e);
	o->now = (int64_t)time(NULL);
	o->live = 0;
	if (central_report(c, "cati-store", CENTRAL_ADMIN, study, o, &kept, &e) != REPORT_OK) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	o->live = 1;
	if (central_report(c, "cati-store", CENTRAL_ADMIN, study, o, &live, &e) != REPORT_OK) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		json_decref(kept);
		return 1;
	}
	for (i = 0; sections[i]; i++) {
		json_t *a = json_object_get(kept, sections[i]), *b = json_object_get(live, sections[i]);
		if (!json_equal(a, b)) {
			char *x = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER), *y = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fprintf(stderr, "cati-store report: the kept figures differ from the full count in %s:\n  kept: %s\n  full: %s\n",
			        sections[i], x ? x : "null", y ? y : "null");
			free(x);
			free(y);
			bad = 1;
		}
	}
	if (!bad && !json_equal(kept, live)) {
		fprintf(stderr, "cati-store report: the kept figures differ from the full count\n");
		bad = 1;
	}
	if (!bad)
		printf("figures of %s: the same as a full count\n", study);
	json_decref(kept);
	json_decref(live);
	return bad;
}

int srv_cmd_report(struct central *c, int argc, char **argv)
{
	int checking = 0;
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
		else if (!strcmp(argv[i], "--check"))
			checking = 1;
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
	if (checking)
		return check(c, study, &o);
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
