/* cmd-report.c: cati-store report: a study's supervisor report, printed without a screen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/central.h"
#include "cati/report.h"

int srv_cmd_report(int argc, char **argv);

static const char *const usage =
	N_("usage: cati-store report STUDY --db PATH|--pg URL [--format text|csv|json] [--section NAME] [--by FIELD,...] [--width N]\n"
	"                             [--aapor 10|9] [--e E|UH=E,UR=E,UO=E]   (rates: AAPOR edition, e given)\n"
	"       cati-store report STUDY --db PATH|--pg URL --check [--by FIELD,...]   (the kept figures against a full count)\n"
	"       sections: quotas, interviewers, dispositions, results, problems, on_call (default: all)\n");

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
			fprintf(stderr, _("cati-store report: the kept figures differ from the full count in %s:\n  kept: %s\n  full: %s\n"),
			        sections[i], x ? x : "null", y ? y : "null");
			free(x);
			free(y);
			bad = 1;
		}
	}
	if (!bad && !json_equal(kept, live)) {
		fprintf(stderr, _("cati-store report: the kept figures differ from the full count\n"));
		bad = 1;
	}
	if (!bad)
		printf(_("figures of %s: the same as a full count\n"), study);
	json_decref(kept);
	json_decref(live);
	return bad;
}

/* cati-store report STUDY: the supervisor's report without a screen, on an existing store. */
int srv_cmd_report(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "format", required_argument, NULL, 'f' }, { "section", required_argument, NULL, 's' },
		{ "question", required_argument, NULL, 'q' }, { "by", required_argument, NULL, 'b' },
		{ "check", no_argument, NULL, 'c' },        { "width", required_argument, NULL, 'w' },
		{ "aapor", required_argument, NULL, 'a' },  { "e", required_argument, NULL, 'e' },
		SRV_OPT_DB, SRV_OPT_HELP, { 0 }
	};
	int checking = 0;
	const char *study = NULL, *format = "text", *section = NULL, *question = NULL, *edition = NULL, *es = NULL;
	struct srv_db d = { NULL, NULL };
	struct report_opts o;
	struct central *c;
	enum report_rc rc;
	struct buf out;
	struct err e;
	json_t *r;
	int ch, sec = -1, status;
	long width = 80;

	memset(&o, 0, sizeof o);
	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store report", usage)) != -1;) {
		switch (ch) {
		case 'h': return 0;
		case 'f': format = optarg; break;
		case 's': section = optarg; break;
		case 'q': question = optarg; break;
		case 'b': o.by = optarg; break;
		case 'c': checking = 1; break;
		case 'a': edition = optarg; break;
		case 'e': es = optarg; break;
		case 'w':
			if (opt_number("cati-store report", "--width", optarg, 40, 1000, &width) < 0)
				return 2;
			break;
		default:
			if (!srv_db_opt(&d, ch, optarg))
				return 2;
		}
	}
	if (optind == argc - 1)
		study = argv[optind];
	if (!study || (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "json"))) {
		fputs(_(usage), stderr);
		return 2;
	}
	err_init(&e);
	if (calls_aapor_opts(&o.aapor, edition, NULL, &e) < 0) {
		fprintf(stderr, _("cati-store report: --aapor: %s\n"), e.msg);
		return 2;
	}
	if (calls_aapor_opts(&o.aapor, edition, es, &e) < 0) {
		fprintf(stderr, _("cati-store report: --e: %s\n"), e.msg);
		return 2;
	}
	if (section && (sec = report_section_find(section)) < 0) {
		fprintf(stderr, _("cati-store report: no section '%s' (quotas, interviewers, dispositions, results, problems, on_call)\n"),
		        section);
		return 2;
	}
	if (!(c = srv_open(&d, 1, usage)))
		return 2;
	if (checking) {
		status = check(c, study, &o);
		central_close(c);
		return status;
	}
	err_init(&e);
	/* whoever may read the database file sees every study */
	rc = central_report(c, "cati-store", CENTRAL_ADMIN, study, &o, &r, &e);
	if (rc != REPORT_OK) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		central_close(c);
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
		report_text(r, sec, (int)width, question, &out);
	}
	fwrite(buf_str(&out), 1, out.len, stdout);
	buf_release(&out);
	json_decref(r);
	central_close(c);
	return fflush(stdout) == 0 ? 0 : 1;
}
