/* cmd-erase.c: `cati-store erase`: a respondent's personal data erased on request, the erasure
   report for the data-protection officer, and the studies' retention. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cati/calls.h"
#include "cati/central.h"

int srv_cmd_erase(int argc, char **argv);

static const char erase_usage[] =
	"usage: cati-store erase --case ID [--study S] | --phone NUMBER [--study S] [--by NAME] [--reason TEXT] STORE\n"
	"                       erase a person's name, phone numbers, free-text answers, notes and\n"
	"                       appointment texts (coded answers stay); workstations follow at their next sync\n"
	"       cati-store erase --report [ID|CASE] STORE   what each erasure removed, when, by whom, and which\n"
	"                       workstations confirmed it or have not synced since\n"
	"       cati-store erase --retention STUDY --rules FILE STORE   keep the study's closed cases' personal\n"
	"                       data as long as FILE's `retention 90d` says (no retention line: for ever)\n"
	"       cati-store erase --expired STORE   erase the closed cases whose study's retention is up\n"
	"                       (cati-store serve does this at start and every hour)\n"
	"       STORE is --db PATH, --pg URL or --config FILE.conf (its db or pg key)\n";

/* The store's name from a configuration file: its db or pg key (others are serve's business). */
static int conf_store(void *ctx, const char *key, const char *value, const char *where)
{
	struct srv_db *d = ctx;

	(void)where;
	if (!strcmp(key, "db"))
		d->db = value;
	else if (!strcmp(key, "pg"))
		d->pg = value;
	return 0;
}

/* When an erasure was made, as UTC text. */
static void when(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%SZ", &tm);
}

/* What an erasure removed, as "name, phone, 2 answers, 1 note ..." (only what was there). */
static void removed_line(json_t *rm, char *out, size_t n)
{
	const char *k;
	json_t *v;
	size_t used = 0;

	out[0] = '\0';
	json_object_foreach(rm, k, v) {
		long x = json_is_true(v) ? 1 : json_is_integer(v) ? (long)json_integer_value(v) : 0;
		int w;
		if (!x)
			continue;
		w = json_is_boolean(v) ? snprintf(out + used, n - used, "%s%s", used ? ", " : "", k)
		                       : snprintf(out + used, n - used, "%s%ld %s", used ? ", " : "", x, k);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
	if (!used)
		snprintf(out, n, "nothing (it was gone already)");
}

/* Print the erasures of list as the report people read. */
static void print_report(json_t *list)
{
	json_t *x, *w;
	size_t i, j;
	char t[32], rm[512];

	if (!json_array_size(list))
		printf("no erasures\n");
	json_array_foreach(list, i, x) {
		when(json_integer_value(json_object_get(x, "at")), t);
		removed_line(json_object_get(x, "removed"), rm, sizeof rm);
		printf("erasure %s: case %s of study %s, %s by %s%s%s\n", json_string_value(json_object_get(x, "id")),
		       json_string_value(json_object_get(x, "case")), json_string_value(json_object_get(x, "study")), t,
		       json_string_value(json_object_get(x, "by")), *json_string_value(json_object_get(x, "reason")) ? ": " : "",
		       json_string_value(json_object_get(x, "reason")));
		printf("  removed from the store: %s\n", rm);
		json_array_foreach(json_object_get(x, "confirmed"), j, w) {
			when(json_integer_value(json_object_get(w, "at")), t);
			removed_line(json_object_get(w, "removed"), rm, sizeof rm);
			printf("  confirmed by workstation %s (%s) at %s: %s\n", json_string_value(json_object_get(w, "workstation")),
			       json_string_value(json_object_get(w, "user")), t, rm);
		}
		json_array_foreach(json_object_get(x, "waiting"), j, w) {
			json_t *ls = json_object_get(w, "last_sync");
			if (json_is_integer(ls))
				when(json_integer_value(ls), t);
			printf("  not yet confirmed by workstation %s (%s): %s %s\n", json_string_value(json_object_get(w, "workstation")),
			       json_string_value(json_object_get(w, "user")),
			       json_is_integer(ls) && json_integer_value(ls) >= json_integer_value(json_object_get(x, "at"))
			               ? "last synced" : "has not synced since the erasure; last synced",
			       json_is_integer(ls) ? t : "never");
		}
	}
}

/* Print what erasures just did. */
static void print_erased(json_t *list)
{
	json_t *x;
	size_t i;
	char rm[512];

	json_array_foreach(list, i, x) {
		removed_line(json_object_get(x, "removed"), rm, sizeof rm);
		printf("cati-store: erased case %s of study %s (erasure %s): %s\n", json_string_value(json_object_get(x, "case")),
		       json_string_value(json_object_get(x, "study")), json_string_value(json_object_get(x, "id")), rm);
	}
}

/* The retention a study-rules file sets, in seconds (0: none): 0, or -1 after a message. */
static int rules_retention(const char *path, int64_t *seconds)
{
	struct call_rules r;
	struct err e;
	char *text;
	size_t n;

	err_init(&e);
	calls_rules_default(&r);
	if (!(text = read_file(path, &n, &e)) || calls_rules_parse(&r, path, text, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		free(text);
		return -1;
	}
	free(text);
	*seconds = (int64_t)r.retention_minutes * 60;
	return 0;
}

/* cati-store erase: erase on request, the report, the retention, the expired cases. */
int srv_cmd_erase(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "case", required_argument, NULL, 'c' }, { "phone", required_argument, NULL, 'n' },
		{ "study", required_argument, NULL, 's' }, { "by", required_argument, NULL, 'b' },
		{ "reason", required_argument, NULL, 'r' }, { "report", no_argument, NULL, 'R' },
		{ "expired", no_argument, NULL, 'x' }, { "retention", required_argument, NULL, 't' },
		{ "rules", required_argument, NULL, 'u' }, { "config", required_argument, NULL, 'f' },
		SRV_OPT_DB, SRV_OPT_HELP, { 0 }
	};
	const char *key = NULL, *phone = NULL, *study = NULL, *by = NULL, *reason = NULL, *conf = NULL;
	const char *retention = NULL, *rules = NULL;
	struct srv_db d = { NULL, NULL };
	int ch, report = 0, expired = 0, rc = 0, modes;
	char *conf_text = NULL, who[64];
	struct central *c;
	json_t *out = NULL;
	struct err e;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store erase", erase_usage)) != -1;) {
		switch (ch) {
		case 'h': return 0;
		case 'c': key = optarg; break;
		case 'n': phone = optarg; break;
		case 's': study = optarg; break;
		case 'b': by = optarg; break;
		case 'r': reason = optarg; break;
		case 'R': report = 1; break;
		case 'x': expired = 1; break;
		case 't': retention = optarg; break;
		case 'u': rules = optarg; break;
		case 'f': conf = optarg; break;
		default:
			if (!srv_db_opt(&d, ch, optarg))
				return 2;
		}
	}
	modes = (key || phone) + report + expired + (retention != NULL);
	if (modes != 1 || (key && phone) || (optind != argc && !(report && optind + 1 == argc)) ||
	    (retention && !rules) || (rules && !retention)) {
		fputs(erase_usage, stderr);
		return 2;
	}
	if (conf && srv_conf_read(conf, conf_store, &d, &conf_text) < 0) {
		free(conf_text);
		return 2;
	}
	if (!(c = srv_open(&d, 1, erase_usage))) {
		free(conf_text);
		return 2;
	}
	err_init(&e);
	if (!by) {
		const char *u = getenv("USER");
		snprintf(who, sizeof who, "%s", u && *u ? u : "operator");
		by = who;
	}
	if (report) {
		rc = central_erase_report(c, optind < argc ? argv[optind] : NULL, &out, &e);
		if (rc == 0)
			print_report(out);
	} else if (expired) {
		rc = central_erase_expired(c, (int64_t)time(NULL), &out, &e);
		if (rc == 0) {
			print_erased(out);
			printf("cati-store: %zu closed case(s) past their study's retention erased\n", json_array_size(out));
		}
	} else if (retention) {
		int64_t seconds = 0;
		if (rules_retention(rules, &seconds) < 0)
			rc = -2;
		else if ((rc = central_retention_set(c, retention, seconds, &e)) == 0) {
			if (seconds)
				printf("cati-store: study %s keeps personal data of closed cases for %lld days%s\n", retention,
				       (long long)(seconds / 86400), seconds % 86400 ? " (and part of one)" : "");
			else
				printf("cati-store: study %s keeps personal data of closed cases for ever (no retention)\n", retention);
		}
	} else {
		rc = central_erase(c, study, key, phone, by, reason, &out, &e);
		if (rc == 0)
			print_erased(out);
	}
	if (rc == -2)
		rc = 2;
	else if (rc < 0)
		rc = (fprintf(stderr, "cati-store: %s\n", e.msg), rc == CENTRAL_NOT_FOUND ? 1 : 2);
	json_decref(out);
	central_close(c);
	free(conf_text);
	return rc;
}
