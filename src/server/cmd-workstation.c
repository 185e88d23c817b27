/* cmd-workstation.c: cati-store workstation: list the registered workstations, retire one. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/central.h"

int srv_cmd_workstation(int argc, char **argv);

/* A Unix time as ISO 8601 UTC into out. */
static void iso(json_t *t, char out[32])
{
	time_t v = (time_t)json_integer_value(t);
	struct tm tm;

	if (!json_is_integer(t) || !gmtime_r(&v, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "-");
}

/* One line per workstation: id, user, registered, retired, name. */
static int list(struct central *c)
{
	json_t *a, *x;
	struct err e;
	size_t i;

	err_init(&e);
	if (central_ws_list(c, &a, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	printf("%-38s %-16s %-20s %-20s %s\n", _("workstation"), _("user"), _("registered"), _("retired"), _("name"));
	json_array_foreach(a, i, x) {
		char reg[32], ret[32];
		iso(json_object_get(x, "registered_at"), reg);
		iso(json_object_get(x, "retired_at"), ret);
		printf("%-38s %-16s %-20s %-20s %s\n", json_string_value(json_object_get(x, "workstation")),
		       json_string_value(json_object_get(x, "user")), reg, ret,
		       json_string_value(json_object_get(x, "name")));
	}
	json_decref(a);
	return 0;
}

static const char usage[] =
	N_("usage: cati-store workstation list --db PATH|--pg URL       (registered workstations, by user)\n"
	"       cati-store workstation retire ID --db PATH|--pg URL  (no more allowances or locks, for good)\n");

/* cati-store workstation list | retire ID, on an existing store. */
int srv_cmd_workstation(int argc, char **argv)
{
	static const struct option longs[] = { SRV_OPT_DB, SRV_OPT_HELP, { 0 } };
	struct srv_db d = { NULL, NULL };
	const char *sub;
	struct central *c;
	struct err e;
	int ch, rc = 0;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store workstation", usage)) != -1;) {
		if (ch == 'h')
			return 0;
		if (!srv_db_opt(&d, ch, optarg))
			return 2;
	}
	sub = optind < argc ? argv[optind] : "";
	if (!((!strcmp(sub, "list") && optind == argc - 1) || (!strcmp(sub, "retire") && optind == argc - 2))) {
		fputs(_(usage), stderr);
		return 2;
	}
	if (!(c = srv_open(&d, 1, usage)))
		return 2;
	err_init(&e);
	if (!strcmp(sub, "list")) {
		rc = list(c);
	} else if (central_ws_retire(c, argv[optind + 1], &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		rc = 1;
	} else {
		printf(_("workstation %s retired: it gets no more allowances or locks\n"), argv[optind + 1]);
	}
	central_close(c);
	return rc;
}
