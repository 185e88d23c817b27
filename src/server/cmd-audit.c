/* cmd-audit.c: cati-store audit: who exported, erased or changed assignments, when and what. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/central.h"

int srv_cmd_audit(int argc, char **argv);

static const char usage[] =
	N_("usage: cati-store audit [--since YYYY-MM-DD[THH:MM[:SS]]] [--user NAME] [--json] --db PATH|--pg URL\n"
	"       (who exported, erased or changed assignments, when and what; times in UTC)\n");

/* cati-store audit: the audit trail, a line per entry (or JSON), oldest first. */
int srv_cmd_audit(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "since", required_argument, NULL, 's' }, { "user", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		SRV_OPT_DB, SRV_OPT_HELP, { 0 }
	};
	struct srv_db d = { NULL, NULL };
	const char *user = NULL;
	struct central *c;
	struct err e;
	json_t *a, *x;
	int64_t since = 0;
	int ch, json = 0;
	size_t i;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store audit", usage)) != -1;) {
		switch (ch) {
		case 'h': return 0;
		case 's':
			if (srv_parse_since(optarg, &since) < 0) {
				fprintf(stderr, _("cati-store audit: '%s' is not a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM in UTC)\n"),
				        optarg);
				return 2;
			}
			break;
		case 'u': user = optarg; break;
		case 'j': json = 1; break;
		default:
			if (!srv_db_opt(&d, ch, optarg))
				return 2;
		}
	}
	if (optind != argc) {
		fputs(_(usage), stderr);
		return 2;
	}
	if (!(c = srv_open(&d, 1, usage)))
		return 2;
	err_init(&e);
	if (central_audit_list(c, since, user, &a, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		central_close(c);
		return 1;
	}
	if (json) {
		char *s = json_dumps(a, JSON_COMPACT);
		puts(s ? s : "[]");
		free(s);
	} else {
		json_array_foreach(a, i, x)
			printf("%s  %-16s %-10s %s\n", json_string_value(json_object_get(x, "at")),
			       json_string_value(json_object_get(x, "user")), json_string_value(json_object_get(x, "action")),
			       json_string_value(json_object_get(x, "what")));
	}
	json_decref(a);
	central_close(c);
	return 0;
}
