/* cmd-sync.c: `cati enroll` and `cati sync`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cati/i18n.h"
#include "cati/sync.h"
#include "cli.h"

/* The password from $CATI_PASSWORD or the first line of stdin (into line); NULL if neither. */
static const char *password(char *line, size_t n)
{
	const char *pw = getenv("CATI_PASSWORD");

	if (pw)
		return pw;
	if (!fgets(line, (int)n, stdin))
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static const char enroll_usage[] =
	N_("usage: cati enroll https://HOST:PORT [--cacert CA.pem] [--batch RECORDS] [--timeout SECONDS] [--insecure-http]\n"
	"                  [--user ID [--db PATH]]   (registers the workstation; password in $CATI_PASSWORD or on stdin)\n");

/* Save the store's address once it answers; with --user, also register this workstation under that user. */
int cmd_enroll(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "user", required_argument, NULL, 'u' },   { "cacert", required_argument, NULL, 'C' },
		{ "insecure-http", no_argument, NULL, 'I' }, { "batch", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' }, CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	struct sync_settings s;
	struct store *st = NULL;
	const char *user = NULL, *pw, *db = NULL;
	char line[512];
	struct err e;
	long v;
	int c;

	memset(&s, 0, sizeof s);
	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati enroll", _(enroll_usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 'u': user = optarg; break;
		case 'C': snprintf(s.cacert, sizeof s.cacert, "%s", optarg); break;
		case 'I': s.insecure_http = 1; break;
		case 'b':
			if (opt_number("cati enroll", "--batch", optarg, 1, 100000, &v) < 0)
				return EXIT_USAGE;
			s.batch = (int)v;
			break;
		case 't':
			if (opt_number("cati enroll", "--timeout", optarg, 1, 86400, &v) < 0)
				return EXIT_USAGE;
			s.timeout_s = (int)v;
			break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc - 1) {
		fputs(_(enroll_usage), stderr);
		return EXIT_USAGE;
	}
	if (optind == argc - 1)
		snprintf(s.url, sizeof s.url, "%s", argv[optind]);
	if (user && !(st = cli_open_store(db, 0)))
		return EXIT_USAGE;
	if (!s.url[0]) {
		fprintf(stderr, _("cati enroll: the store's address must be https://HOST:PORT\n"));
		goto usage;
	}
	err_init(&e);
	if (sync_check_url(&s, &e) < 0) {
		fprintf(stderr, "cati enroll: %s\n", e.msg);
		goto usage;
	}
	/* nothing is saved unless the CA file is there and the store answers with a certificate it trusts */
	if (sync_check_store(&s, &e) != SYNC_OK) {
		fprintf(stderr, "cati enroll: %s\n", e.msg);
		store_close(st);
		return EXIT_FAIL;
	}
	if (user) {
		if (!(pw = password(line, sizeof line))) {
			fprintf(stderr, _("cati enroll: give the password on stdin or in $CATI_PASSWORD\n"));
			goto usage;
		}
		if (sync_register(st, &s, user, pw, &e) != SYNC_OK) {
			fprintf(stderr, _("cati enroll: cannot register this workstation: %s\n"), e.msg);
			store_close(st);
			return EXIT_FAIL;
		}
	}
	if (sync_settings_save(&s, &e) < 0) {
		fprintf(stderr, "cati: %s\n", e.msg);
		goto usage;
	}
	store_close(st);
	if (user)
		printf(_("enrolled with %s, registered under %s\n"), s.url, user);
	else
		printf(_("enrolled with %s\n"), s.url);
	return EXIT_OK;
usage:
	store_close(st);
	return EXIT_USAGE;
}

/* The progress line: on a terminal, rewritten in place after every batch. */
static void progress(const struct sync_report *r, long waiting, void *ctx)
{
	(void)ctx;
	fputc('\r', stderr);
	fprintf(stderr, _("sync: %ld records sent (%ld stored, %ld conflicts, %ld refused), %ld waiting, last batch %.0f ms   "),
	        r->pushed, r->stored, r->conflicts, r->rejected, waiting, r->last_ms);
	fflush(stderr);
}

static const char sync_usage[] =
	N_("usage: cati sync --user ID [--db PATH]   (password in $CATI_PASSWORD or on stdin)\n"
	"       cati sync --user ID --repeat N [--every SECONDS] [--db PATH]\n"
	"            (N syncs as the workstation's background sync does them: one login,\n"
	"             one connection kept open; every 5 s unless told)\n"
	"       cati sync --log [--db PATH]\n");

/* cati sync: send the records, receive forms and cases; or show the sync log. */
int cmd_sync(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "user", required_argument, NULL, 'u' },   { "log", no_argument, NULL, 'L' },
		{ "repeat", required_argument, NULL, 'r' }, { "every", required_argument, NULL, 'e' },
		CLI_OPT_DB, CLI_OPT_HELP, { 0 }
	};
	struct store *st;
	struct sync_settings s;
	struct sync_report r;
	struct err e;
	const char *user = NULL, *pw = getenv("CATI_PASSWORD"), *db = NULL;
	char line[512];
	int c, show_log = 0;
	long repeat = 0, every = 5;
	enum sync_rc rc;

	for (opt_reset(); (c = opt_next(argc, argv, "h", longs, "cati sync", _(sync_usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 'u': user = optarg; break;
		case 'L': show_log = 1; break;
		case 'r':
			if (opt_number("cati sync", "--repeat", optarg, 1, 1000000000, &repeat) < 0)
				return EXIT_USAGE;
			break;
		case 'e':
			if (opt_number("cati sync", "--every", optarg, 1, 3600, &every) < 0)
				return EXIT_USAGE;
			break;
		case 'D': db = optarg; break;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(_(sync_usage), stderr);
		return EXIT_USAGE;
	}
	/* the log only reads: a database that is not there is not made (a sync makes it) */
	if (!(st = cli_open_store(db, show_log)))
		return EXIT_USAGE;
	err_init(&e);
	if (show_log) {
		struct buf out;
		buf_init(&out);
		store_sync_log_read(st, 50, &out, &e);
		fputs(buf_str(&out), stdout);
		printf(P_("%ld record waiting to sync\n", "%ld records waiting to sync\n", store_outbox_pending(st)),
		       store_outbox_pending(st));
		buf_release(&out);
		store_close(st);
		return EXIT_OK;
	}
	if (!user || sync_settings_load(&s, &e) < 0) {
		fprintf(stderr, "cati sync: %s\n", e.set ? e.msg : _("needs --user ID"));
		store_close(st);
		return EXIT_USAGE;
	}
	if (!pw) {
		if (!fgets(line, sizeof line, stdin)) {
			fprintf(stderr, _("cati sync: give the password on stdin or in $CATI_PASSWORD\n"));
			store_close(st);
			return EXIT_USAGE;
		}
		line[strcspn(line, "\r\n")] = '\0';
		pw = line;
	}
	if (repeat) {
		/* the background sync of the workstation's screens, without the screens */
		struct sync_bg *bg = sync_bg_start_n(store_path(st), user, pw, (int)(every * 1000), repeat);
		if (!bg) {
			fprintf(stderr, _("cati sync: cannot start the background sync\n"));
			store_close(st);
			return EXIT_FAIL;
		}
		rc = sync_bg_wait(bg, &e);
		if (rc == SYNC_OK)
			printf(_("sync: %ld syncs, the last one ok; %ld waiting\n"), repeat, store_outbox_pending(st));
		else
			fprintf(stderr, _("cati sync: %s (%ld still waiting)\n"), e.msg, store_outbox_pending(st));
		store_close(st);
		return rc == SYNC_OK ? EXIT_OK : EXIT_FAIL;
	}
	memset(&r, 0, sizeof r);
	if (isatty(2))
		r.progress = progress;
	rc = sync_run(st, &s, user, pw, &r, &e);
	if (r.progress && r.pushed)
		fputc('\n', stderr);
	if (r.key_why[0])
		fprintf(stderr, _("cati sync: personal data stays locked: %s\n"), r.key_why);
	if (rc == SYNC_OK)
		printf(_("sync: sent %ld records (%ld stored, %ld conflicts, %ld refused); received %ld forms, %ld cases; %ld waiting\n"),
		       r.pushed, r.stored, r.conflicts, r.rejected, r.forms, r.cases, store_outbox_pending(st));
	else
		fprintf(stderr, _("cati sync: %s (%ld records sent; %ld still waiting)\n"), e.msg, r.pushed,
		        store_outbox_pending(st));
	store_close(st);
	return rc == SYNC_OK ? EXIT_OK : EXIT_FAIL;
}
