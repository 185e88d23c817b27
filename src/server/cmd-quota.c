/* cmd-quota.c: cati-store quota: list a study's quota cells, change targets, close and reopen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cati/central.h"

int srv_cmd_quota(struct central *c, int argc, char **argv);

/* A whole number from lo to hi, or -1 with a message. */
static long number(const char *what, const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "cati-store quota: %s must be a whole number from %ld to %ld, not '%s'\n", what, lo, hi, s);
		return -1;
	}
	return v;
}

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
		fprintf(stderr, "cati-store quota: study '%s' has no quota cells (publish a form with quotas first)\n", study);
		json_decref(cells);
		return 1;
	}
	printf("%-12s %-10s %-28s %7s %8s %6s %5s %9s %7s\n", "quota", "cell", "label", "target", "achieved",
	       "open", "over", "allowance", "granted");
	json_array_foreach(cells, i, x) {
		long target = (long)json_integer_value(json_object_get(x, "target"));
		long got = (long)json_integer_value(json_object_get(x, "achieved"));
		int closed = json_is_true(json_object_get(x, "closed"));

		printf("%-12s %-10s %-28.28s %7ld %8ld %6s %5lld %9lld %7lld\n",
		       json_string_value(json_object_get(x, "quota")), json_string_value(json_object_get(x, "cell")),
		       json_string_value(json_object_get(x, "label")), target, got,
		       closed ? "closed" : got >= target ? "full" : "open",
		       (long long)json_integer_value(json_object_get(x, "over")),
		       (long long)json_integer_value(json_object_get(x, "allowance")),
		       (long long)json_integer_value(json_object_get(x, "granted")));
	}
	json_decref(cells);
	return 0;
}

int srv_cmd_quota(struct central *c, int argc, char **argv)
{
	const char *t = srv_opt(argc, argv, "--target"), *a = srv_opt(argc, argv, "--allowance");
	long target = -1, allowance = -1;
	int closed = -1, n;
	struct err e;

	if (argc >= 4 && !strcmp(argv[2], "list"))
		return list(c, argv[3]);
	if (argc < 5 || strcmp(argv[2], "set")) {
		fputs("usage: cati-store quota list STUDY --db PATH\n"
		      "       cati-store quota set STUDY QUOTA [CELL] [--target N] [--close | --open] [--allowance N] --db PATH\n", stderr);
		return 2;
	}
	if ((t && (target = number("--target", t, 0, 1000000)) < 0) ||
	    (a && (allowance = number("--allowance", a, 0, 1000)) < 0))
		return 2;
	if (srv_flag(argc, argv, "--close") && srv_flag(argc, argv, "--open")) {
		fputs("cati-store quota: --close or --open, not both\n", stderr);
		return 2;
	}
	closed = srv_flag(argc, argv, "--close") ? 1 : srv_flag(argc, argv, "--open") ? 0 : -1;
	if (target < 0 && allowance < 0 && closed < 0) {
		fputs("cati-store quota set: say what to change: --target N, --close, --open or --allowance N\n", stderr);
		return 2;
	}
	err_init(&e);
	n = central_quota_set(c, argv[3], argv[4], argc > 5 && argv[5][0] != '-' ? argv[5] : NULL, target, closed,
	                      allowance, &e);
	if (n < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	printf("cati-store: %d cell%s changed\n", n, n == 1 ? "" : "s");
	return 0;
}
