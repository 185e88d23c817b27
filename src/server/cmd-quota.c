/* cmd-quota.c: cati-store quota: list a study's quota cells, change targets, close and reopen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/central.h"

int srv_cmd_quota(int argc, char **argv);

/* The quota cells of a study, one line each. */
static int list(struct central *c, const char *study)
{
	json_t *cells, *x;
	struct err e;
	size_t i;

	err_init(&e);
	if (central_quota_list(c, study, &cells, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	if (!json_array_size(cells)) {
		fprintf(stderr, _("cati-store quota: study '%s' has no quota cells (publish a form with quotas first)\n"), study);
		json_decref(cells);
		return 1;
	}
	printf("%-12s %-10s %-28s %7s %8s %6s %5s %9s %7s\n", _("quota"), _("cell"), _("label"), _("target"),
	       _("achieved"), _("open"), _("over"), _("allowance"), _("granted"));
	json_array_foreach(cells, i, x) {
		long target = (long)json_integer_value(json_object_get(x, "target"));
		long got = (long)json_integer_value(json_object_get(x, "achieved"));
		int closed = json_is_true(json_object_get(x, "closed"));

		printf("%-12s %-10s %-28.28s %7ld %8ld %6s %5lld %9lld %7lld\n",
		       json_string_value(json_object_get(x, "quota")), json_string_value(json_object_get(x, "cell")),
		       json_string_value(json_object_get(x, "label")), target, got,
		       closed ? _("closed") : got >= target ? _("full") : _("open"),
		       (long long)json_integer_value(json_object_get(x, "over")),
		       (long long)json_integer_value(json_object_get(x, "allowance")),
		       (long long)json_integer_value(json_object_get(x, "granted")));
	}
	json_decref(cells);
	return 0;
}

static const char usage[] =
	N_("usage: cati-store quota list STUDY --db PATH|--pg URL   (cells, targets, counts, allowances)\n"
	"       cati-store quota set STUDY QUOTA [CELL] [--target N] [--close | --open] [--allowance N] --db PATH|--pg URL\n");

/* cati-store quota list STUDY | set STUDY QUOTA [CELL] ..., on an existing store. */
int srv_cmd_quota(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "target", required_argument, NULL, 't' }, { "allowance", required_argument, NULL, 'a' },
		{ "close", no_argument, NULL, 'c' },         { "open", no_argument, NULL, 'o' },
		SRV_OPT_DB, SRV_OPT_HELP, { 0 }
	};
	struct srv_db d = { NULL, NULL };
	long target = -1, allowance = -1;
	int ch, closed = -1, n, npos, set, close_ = 0, open_ = 0, rc;
	const char *sub;
	struct central *c;
	struct err e;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store quota", usage)) != -1;) {
		switch (ch) {
		case 'h': return 0;
		case 't':
			if (opt_number("cati-store quota", "--target", optarg, 0, 1000000, &target) < 0)
				return 2;
			break;
		case 'a':
			if (opt_number("cati-store quota", "--allowance", optarg, 0, 1000, &allowance) < 0)
				return 2;
			break;
		case 'c': close_ = 1; break;
		case 'o': open_ = 1; break;
		default:
			if (!srv_db_opt(&d, ch, optarg))
				return 2;
		}
	}
	npos = argc - optind;
	sub = npos ? argv[optind] : "";
	set = !strcmp(sub, "set");
	if (!((!strcmp(sub, "list") && npos == 2 && target < 0 && allowance < 0 && !close_ && !open_) ||
	      (set && (npos == 3 || npos == 4)))) {
		fputs(_(usage), stderr);
		return 2;
	}
	if (close_ && open_) {
		fputs(_("cati-store quota: --close or --open, not both\n"), stderr);
		return 2;
	}
	closed = close_ ? 1 : open_ ? 0 : -1;
	if (set && target < 0 && allowance < 0 && closed < 0) {
		fputs(_("cati-store quota set: say what to change: --target N, --close, --open or --allowance N\n"), stderr);
		return 2;
	}
	if (!(c = srv_open(&d, 1, usage)))
		return 2;
	if (!set) {
		rc = list(c, argv[optind + 1]);
		central_close(c);
		return rc;
	}
	err_init(&e);
	n = central_quota_set(c, argv[optind + 1], argv[optind + 2], npos == 4 ? argv[optind + 3] : NULL, target,
	                      closed, allowance, &e);
	central_close(c);
	if (n < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	/* two texts, not P_(): German and Dutch count as English does (one, many) */
	printf(n == 1 ? _("cati-store: %d cell changed\n") : _("cati-store: %d cells changed\n"), n);
	return 0;
}
