/* cmd-dnc.c: cati-store dnc: the store-wide do-not-call list on the store's own machine: list
   it (or its history), add and remove numbers, import a file of them, set the default country. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cati/central.h"
#include "cati/i18n.h"
#include "cati/phone.h"

int srv_cmd_dnc(int argc, char **argv);

static const char usage[] =
	"usage: cati-store dnc list [--history] --db PATH|--pg URL    (the numbers, or every change)\n"
	"       cati-store dnc add NUMBER... [--reason TEXT] --db PATH|--pg URL\n"
	"       cati-store dnc remove NUMBER... --db PATH|--pg URL\n"
	"       cati-store dnc import FILE [--reason TEXT] --db PATH|--pg URL   (one number a line, all or none)\n"
	"       cati-store dnc country [CC] --db PATH|--pg URL      (show or set the default country, like AT)\n"
	"  numbers in any notation: +43 664 1234567, 0043..., 0664 1234567 (national: the default country)\n";

/* phone_lines' callback: keep the number and its line. */
static int take_line(void *ctx, const char *number, int line)
{
	json_t **two = ctx;

	json_array_append_new(two[0], json_string(number));
	json_array_append_new(two[1], json_integer(line));
	return 0;
}

/* Print the list (or its history) one line an entry. */
static int list(struct central *c, int history)
{
	json_t *a, *x;
	struct err e;
	size_t i;

	err_init(&e);
	if (central_dnc_list(c, history, &a, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	printf("%-17s %s%-10s %-16s %-20s %s\n", "NUMBER", history ? "ACTION  " : "", "SOURCE", "BY", "WHEN", "REASON");
	json_array_foreach(a, i, x) {
		time_t t = (time_t)json_integer_value(json_object_get(x, "at"));
		struct tm tm;
		char when[32] = "-";
		json_t *r = json_object_get(x, "reason"), *k = json_object_get(x, "case");

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%-17s ", json_string_value(json_object_get(x, "phone")));
		if (history)
			printf("%-7s ", json_string_value(json_object_get(x, "action")));
		printf("%-10s %-16s %-20s %s%s%s%s\n", json_string_value(json_object_get(x, "source")),
		       json_string_value(json_object_get(x, "by")), when, json_is_string(r) ? json_string_value(r) : "",
		       json_is_string(k) ? " (case " : "", json_is_string(k) ? json_string_value(k) : "", json_is_string(k) ? ")" : "");
	}
	json_decref(a);
	return 0;
}

/* Add or remove numbers (lines: their lines in a file, for messages); 0, 1 after saying why. */
static int change(struct central *c, json_t *numbers, json_t *lines, int add, const char *source, const char *reason,
                  const char *file)
{
	json_t *out = NULL, *x;
	enum central_rc rc;
	struct err e;
	size_t i, n = 0;
	char who[80];

	err_init(&e);
	srv_local_user(who, sizeof who);
	rc = central_dnc_change(c, numbers, add, source, reason, who, &out, &e);
	if (rc == CENTRAL_INPUT) {
		json_array_foreach(out, i, x) {
			json_int_t k = json_integer_value(json_object_get(x, "index"));
			if (file)
				fprintf(stderr, "%s:%d: ", file, (int)json_integer_value(json_array_get(lines, (size_t)k - 1)));
			else
				fprintf(stderr, "cati-store: ");
			fprintf(stderr, "'%s' is no phone number: %s\n", json_string_value(json_object_get(x, "number")),
			        json_string_value(json_object_get(x, "why")));
		}
		fprintf(stderr, "cati-store: nothing changed\n");
		json_decref(out);
		return 1;
	}
	if (rc != CENTRAL_OK) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	json_array_foreach(out, i, x)
		n += json_is_true(json_object_get(x, "changed"));
	if (add)
		printf("%zu numbers added to the do-not-call list (%zu were on it already)\n", n, json_array_size(out) - n);
	else
		printf("%zu numbers taken off the do-not-call list (%zu were not on it)\n", n, json_array_size(out) - n);
	json_decref(out);
	return 0;
}

/* cati-store dnc list|add|remove|import|country ... on an existing store. */
int srv_cmd_dnc(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "history", no_argument, NULL, 'H' }, { "reason", required_argument, NULL, 'r' }, SRV_OPT_DB, SRV_OPT_HELP, { 0 }
	};
	struct srv_db d = { NULL, NULL };
	const char *sub, *reason = NULL;
	json_t *numbers = NULL, *lines = NULL;
	struct central *c;
	struct err e;
	int ch, history = 0, rc = 0, nargs, i;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	sub = argv[1];
	for (opt_reset(); (ch = opt_next(argc - 1, argv + 1, "h", longs, "cati-store dnc", usage)) != -1;) {
		if (ch == 'h')
			return 0;
		if (ch == 'H')
			history = 1;
		else if (ch == 'r')
			reason = optarg;
		else if (!srv_db_opt(&d, ch, optarg))
			return 2;
	}
	nargs = argc - 1 - optind;
	if ((!strcmp(sub, "list") && nargs) || ((!strcmp(sub, "add") || !strcmp(sub, "remove")) && !nargs) ||
	    (!strcmp(sub, "import") && nargs != 1) || (!strcmp(sub, "country") && nargs > 1) ||
	    (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "remove") && strcmp(sub, "import") && strcmp(sub, "country"))) {
		fputs(usage, stderr);
		return 2;
	}
	err_init(&e);
	if (!strcmp(sub, "import")) {
		json_t *two[2];
		size_t n;
		char *text = read_file(argv[1 + optind], &n, &e);

		if (!text) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			return 1;
		}
		const char *bad;
		int at;

		if ((bad = phone_text_problem(text, n, &at))) {
			fprintf(stderr, "%s:%d: %s\n", argv[1 + optind], at, _(bad));
			fprintf(stderr, "%s", _("cati-store: nothing changed\n"));
			free(text);
			return 1;
		}
		numbers = two[0] = json_array();
		lines = two[1] = json_array();
		phone_lines(text, take_line, two);
		free(text);
		if (!json_array_size(numbers)) {
			fprintf(stderr, "cati-store: '%s' holds no numbers (one a line)\n", argv[1 + optind]);
			json_decref(numbers);
			json_decref(lines);
			return 1;
		}
	} else if (!strcmp(sub, "add") || !strcmp(sub, "remove")) {
		numbers = json_array();
		for (i = 0; i < nargs; i++)
			json_array_append_new(numbers, json_string(argv[1 + optind + i]));
	}
	if (!(c = srv_open(&d, 1, usage))) {
		json_decref(numbers);
		json_decref(lines);
		return 2;
	}
	if (!strcmp(sub, "list")) {
		rc = list(c, history);
	} else if (!strcmp(sub, "country")) {
		char cc[8];
		if (nargs && central_country_set(c, argv[1 + optind], &e) < 0)
			rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
		else if (central_country(c, cc) < 0)
			rc = (fprintf(stderr, "cati-store: cannot read the default country\n"), 1);
		else
			printf("default country: %s\n", *cc ? cc : "none (national numbers are refused)");
	} else {
		rc = change(c, numbers, lines, strcmp(sub, "remove") != 0, !strcmp(sub, "import") ? "import" : "supervisor", reason,
		            !strcmp(sub, "import") ? argv[1 + optind] : NULL);
	}
	json_decref(numbers);
	json_decref(lines);
	central_close(c);
	return rc;
}
