/* cmd-supervise.c: `cati supervise`: the supervisor's console on the enrolled store. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cati/i18n.h"
#include "cati/remote.h"
#include "cati/tui.h"
#include "cli.h"

static const char usage[] =
	N_("usage: cati supervise --study STUDY [--user NAME] [--password-file FILE] [--every SECONDS] [--by FIELD,...]\n"
	   "       (the password: --password-file, $CATI_PASSWORD, or asked for on the terminal)\n");

/* What the console fetches: the report of one study. */
struct fetch {
	struct remote *r;
	struct buf path;
};

/* Fetch the study's report from the store. */
static int fetch_report(void *ctx, struct json_t **out, struct err *e)
{
	struct fetch *f = ctx;

	return remote_get(f->r, buf_str(&f->path), out, NULL, e) == SYNC_OK ? 0 : -1;
}

/* The first line of a file. */
static int first_line(const char *path, char *out, size_t n)
{
	FILE *fp = fopen(path, "r");
	int rc = -1;

	if (!fp)
		return -1;
	if (fgets(out, (int)n, fp)) {
		out[strcspn(out, "\r\n")] = '\0';
		rc = 0;
	}
	fclose(fp);
	return rc;
}

/* cati supervise: the supervisor's console on the enrolled store. */
int cmd_supervise(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "study", required_argument, NULL, 's' }, { "user", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'p' }, { "by", required_argument, NULL, 'b' },
		{ "every", required_argument, NULL, 'e' }, CLI_OPT_HELP, { 0 }
	};
	const char *study = NULL, *pwfile = NULL, *by = NULL;
	char user[128] = "", pw[512] = "";
	struct sync_settings s;
	struct fetch f;
	enum sync_rc rc;
	struct err e;
	json_t *first = NULL;
	long every = 5;
	int c, status;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati supervise", _(usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 's': study = optarg; break;
		case 'u': snprintf(user, sizeof user, "%s", optarg); break;
		case 'p': pwfile = optarg; break;
		case 'b': by = optarg; break;
		case 'e':
			if (opt_number("cati supervise", "--every", optarg, 1, 3600, &every) < 0)
				return EXIT_USAGE;
			break;
		default: return EXIT_USAGE;
		}
	}
	if (!study || optind != argc) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	err_init(&e);
	if (sync_settings_load(&s, &e) < 0) {
		fprintf(stderr, "cati supervise: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (!user[0] && cli_ask(_("Supervisor: "), user, sizeof user, 0) < 0) {
		fprintf(stderr, "cati supervise: %s\n", _("give --user NAME"));
		return EXIT_USAGE;
	}
	if (pwfile) {
		if (first_line(pwfile, pw, sizeof pw) < 0) {
			fprintf(stderr, _("cati supervise: cannot read a password from '%s'\n"), pwfile);
			return EXIT_USAGE;
		}
	} else if (getenv("CATI_PASSWORD")) {
		snprintf(pw, sizeof pw, "%s", getenv("CATI_PASSWORD"));
	} else if (cli_ask(_("Password: "), pw, sizeof pw, 1) < 0) {
		fprintf(stderr, "cati supervise: %s\n", _("give the password with --password-file, $CATI_PASSWORD or on a terminal"));
		return EXIT_USAGE;
	}
	f.r = remote_open(&s, user, pw, &rc, &e);
	memset(pw, 0, sizeof pw);
	if (!f.r) {
		fprintf(stderr, "cati supervise: %s\n", e.msg);
		return EXIT_FAIL;
	}
	buf_init(&f.path);
	buf_puts(&f.path, "/v1/report?study=");
	remote_escape(study, &f.path);
	if (by) {
		buf_puts(&f.path, "&by=");
		remote_escape(by, &f.path);
	}
	/* a study that is not there or not ours is said plainly, before the screen opens */
	if (fetch_report(&f, &first, &e) < 0) {
		fprintf(stderr, "cati supervise: %s\n", e.msg);
		remote_close(f.r);
		buf_release(&f.path);
		return EXIT_FAIL;
	}
	json_decref(first);
	status = tui_supervise(study, user, (int)every, fetch_report, &f);
	remote_close(f.r);
	buf_release(&f.path);
	return status ? EXIT_FAIL : EXIT_OK;
}
