/* cmd-workstation.c: cati-store workstation: list the registered workstations, retire one. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cati/central.h"

int srv_cmd_workstation(struct central *c, int argc, char **argv);

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
	printf("%-38s %-16s %-20s %-20s %s\n", "workstation", "user", "registered", "retired", "name");
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

int srv_cmd_workstation(struct central *c, int argc, char **argv)
{
	struct err e;

	err_init(&e);
	if (argc >= 3 && !strcmp(argv[2], "list"))
		return list(c);
	if (argc >= 4 && !strcmp(argv[2], "retire") && argv[3][0] != '-') {
		if (central_ws_retire(c, argv[3], &e) < 0) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			return 1;
		}
		printf("workstation %s retired: it gets no more allowances or locks\n", argv[3]);
		return 0;
	}
	fputs("usage: cati-store workstation list --db PATH\n"
	      "       cati-store workstation retire ID --db PATH\n", stderr);
	return 2;
}
