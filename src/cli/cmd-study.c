/* cmd-study.c: `cati study`: a supervisor runs a study on the store from their own machine:
   publish forms, import the sample with its interviewers, list and assign cases, settle
   conflicts, see the workstations. Wiring only: the store's API through remote.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cati/i18n.h"
#include "cati/form.h"
#include "cati/phone.h"
#include "cati/remote.h"
#include "cati/store.h"
#include "cli.h"

static const char *const usage =
	N_("usage: cati study COMMAND [--user NAME] [--password-file FILE] [--store URL --cacert CA.pem]\n"
	"  cati study publish FORM.form              publish a form (checked here first)\n"
	"  cati study forms                          the published forms and their versions\n"
	"  cati study import SAMPLE.csv --form FORM.form\n"
	"         [--assign-column COLUMN | --assign a,b,c | --assign-by COLUMN --map VALUE=NAME,...]\n"
	"         [--dnc refuse|flag]                import cases with their interviewers (all or nothing);\n"
	"                                            a number on the do-not-call list refuses the import,\n"
	"                                            or (flag) its case is imported but never called\n"
	"  cati study cases --study ID [--status S] [--interviewer NAME|-]   cases, status, interviewer\n"
	"  cati study assign --study ID --to NAME CASE...      give cases to an interviewer\n"
	"  cati study take-back --study ID CASE...             take cases back (nobody has them)\n"
	"  cati study reopen --study ID CASE...                call closed cases (refused, ...) again\n"
	"  cati study conflicts --study ID                     records sent twice with other content\n"
	"  cati study resolve --conflict N --keep stored|theirs   settle a conflict\n"
	"  cati study duplicates --study ID                    cases completed more than once\n"
	"  cati study count --study ID --interview UUID        the complete its case counts\n"
	"  cati study workstations                   every workstation and when it last synced\n"
	"  cati study dnc list [--history]           the do-not-call list (or every change to it)\n"
	"  cati study dnc add|remove NUMBER... [--reason TEXT]   numbers on or off the list\n"
	"  cati study dnc import FILE [--reason TEXT]            numbers from a file, one a line\n"
	"  (the store: the one this machine is enrolled with, or --store and --cacert;\n"
	"   the password: --password-file, $CATI_PASSWORD, or asked for on the terminal)\n");

/* The options of every study command. */
struct study_opts {
	const char *user, *pwfile, *store, *cacert;
	const char *form, *study, *status, *interviewer, *to, *keep, *interview;
	const char *assign_column, *assign, *assign_by, *map, *dnc, *reason;
	int history;
	long conflict;
	char **args;   /* what is left: files, case ids */
	int nargs;
};

/* Log in to the store (enrolled, or --store/--cacert) as the supervisor: the connection, or NULL
   after saying why. */
static struct remote *login(const struct study_opts *o)
{
	struct sync_settings s;
	char user[128] = "", pw[512] = "";
	struct remote *r;
	enum sync_rc rc;
	struct err e;

	err_init(&e);
	memset(&s, 0, sizeof s);
	if (o->store) {
		snprintf(s.url, sizeof s.url, "%s", o->store);
		snprintf(s.cacert, sizeof s.cacert, "%s", o->cacert ? o->cacert : "");
		if (sync_check_url(&s, &e) < 0) {
			fprintf(stderr, "cati study: %s\n", e.msg);
			return NULL;
		}
	} else if (sync_settings_load(&s, &e) < 0) {
		fprintf(stderr, "cati study: %s\n", e.msg);
		return NULL;
	} else if (!s.url[0]) {
		fprintf(stderr, _("cati study: this machine is not enrolled: give --store https://HOST:PORT --cacert CA.pem\n"));
		return NULL;
	}
	if (o->user)
		snprintf(user, sizeof user, "%s", o->user);
	else if (getenv("CATI_USER"))
		snprintf(user, sizeof user, "%s", getenv("CATI_USER"));
	else if (cli_ask(_("Supervisor: "), user, sizeof user, 0) < 0) {
		fprintf(stderr, _("cati study: give --user NAME\n"));
		return NULL;
	}
	if (o->pwfile) {
		FILE *fp = fopen(o->pwfile, "r");
		if (!fp || !fgets(pw, sizeof pw, fp)) {
			fprintf(stderr, _("cati study: cannot read a password from '%s'\n"), o->pwfile);
			if (fp)
				fclose(fp);
			return NULL;
		}
		fclose(fp);
		pw[strcspn(pw, "\r\n")] = '\0';
	} else if (getenv("CATI_PASSWORD")) {
		snprintf(pw, sizeof pw, "%s", getenv("CATI_PASSWORD"));
	} else if (cli_ask(_("Password: "), pw, sizeof pw, 1) < 0) {
		fprintf(stderr, _("cati study: give the password with --password-file, $CATI_PASSWORD or on a terminal\n"));
		return NULL;
	}
	r = remote_open(&s, user, pw, &rc, &e);
	memset(pw, 0, sizeof pw);
	if (!r)
		fprintf(stderr, "cati study: %s\n", e.msg);
	return r;
}

/* GET path and print why not; the answer, or NULL. */
static json_t *get(struct remote *r, const char *path)
{
	struct err e;
	json_t *out;

	err_init(&e);
	if (remote_get(r, path, &out, NULL, &e) != SYNC_OK) {
		fprintf(stderr, "cati study: %s\n", e.msg);
		return NULL;
	}
	return out;
}

/* A time as "YYYY-MM-DD HH:MM UTC", or "never". */
static const char *when(json_t *t, char *buf, size_t n)
{
	time_t s = (time_t)json_integer_value(t);
	struct tm tm;
	char iso[32];

	if (!json_is_integer(t) || !gmtime_r(&s, &tm))
		return _("never");
	strftime(iso, sizeof iso, "%Y-%m-%d %H:%M UTC", &tm);
	return i18n_date(buf, n, iso);
}

/* cati study publish FORM: compile here (errors as file:line:col), then send the source. */
static int publish(struct study_opts *o)
{
	struct remote *r;
	struct form *f;
	struct err e;
	json_t *in, *out = NULL, *x;
	char *src;
	size_t len, i;
	long status = 0;
	int io, rc = EXIT_FAIL;

	if (o->nargs != 1) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(f = cli_load_form(o->args[0], &io)))
		return io ? EXIT_USAGE : EXIT_FAIL;
	err_init(&e);
	if (!(src = read_file(o->args[0], &len, &e))) {
		fprintf(stderr, "cati study: %s\n", e.msg);
		form_free(f);
		return EXIT_USAGE;
	}
	if (!(r = login(o))) {
		free(src);
		form_free(f);
		return EXIT_FAIL;
	}
	in = json_pack("{s:s,s:s}", "source", src, "name", o->args[0]);
	if (remote_post(r, "/v1/forms", in, &out, &status, &e) == SYNC_OK) {
		printf(_("published %s version %s (%s)\n"), json_string_value(json_object_get(out, "form_id")),
		       json_string_value(json_object_get(out, "version")), json_string_value(json_object_get(out, "hash")));
		rc = EXIT_OK;
	} else if (json_is_array(json_object_get(out, "errors"))) {
		/* the store's compiler disagreed with this one (another version of cati) */
		json_array_foreach(json_object_get(out, "errors"), i, x)
			fprintf(stderr, "%s:%d:%d: %s\n", o->args[0], (int)json_integer_value(json_object_get(x, "line")),
			        (int)json_integer_value(json_object_get(x, "col")), json_string_value(json_object_get(x, "message")));
		fprintf(stderr, _("cati study: the store refused the form: %s\n"), e.msg);
	} else {
		fprintf(stderr, "cati study: %s\n", e.msg);
	}
	json_decref(in);
	json_decref(out);
	remote_close(r);
	free(src);
	form_free(f);
	return rc;
}

/* Print cells on one line, each but the last padded to its width in characters, not bytes
 * (German heads and names with umlauts stay in their columns), one space between them. */
static void print_row(const int *widths, size_t n, const char *const *cells)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *c = cells[i] ? cells[i] : "";
		size_t len = utf8_len(c, strlen(c));

		fputs(c, stdout);
		if (i + 1 < n) {
			for (; (int)len < widths[i]; len++)
				putchar(' ');
			putchar(' ');
		}
	}
	putchar('\n');
}

/* cati study forms: each published form and version. */
static int forms(struct study_opts *o)
{
	struct remote *r = login(o);
	json_t *out, *x;
	char t[40];
	size_t i;

	if (!r)
		return EXIT_FAIL;
	out = get(r, "/v1/manage/forms");
	remote_close(r);
	if (!out)
		return EXIT_FAIL;
	{
		static const int w[] = { 20, 12, 22, 0 };
		const char *head[] = { _("STUDY"), _("VERSION"), _("PUBLISHED"), _("HASH") };
		print_row(w, 4, head);
	}
	json_array_foreach(json_object_get(out, "forms"), i, x)
		printf("%-20s %-12s %-22s %.12s\n", json_string_value(json_object_get(x, "form_id")),
		       json_string_value(json_object_get(x, "version")), when(json_object_get(x, "published_at"), t, sizeof t),
		       json_string_value(json_object_get(x, "hash")));
	json_decref(out);
	return EXIT_OK;
}

/* The interviewer of each case, set from the options (a column, in turn, by a column's value
   through the map); a problem as file:line for each case that gets none. 0, or the problems. */
static int assign(const struct study_opts *o, const char *path, json_t *cases)
{
	json_t *cs;
	size_t i, nlist = 0;
	char *list = o->assign ? xstrdup(o->assign) : NULL, *names[512], *p;
	int problems = 0;

	for (p = list; p;) {
		if (nlist == sizeof names / sizeof names[0]) {
			fprintf(stderr, _("cati study: --assign names at most %zu interviewers\n"), nlist);
			free(list);
			return 1;
		}
		names[nlist++] = p;
		if (!(p = strchr(p, ',')))
			break;
		*p++ = '\0';
	}
	for (i = 0; i < nlist; i++)
		if (!*names[i]) {
			fprintf(stderr, _("cati study: --assign has an empty name: say a,b,c\n"));
			free(list);
			return 1;
		}
	json_array_foreach(cases, i, cs) {
		json_t *fields = json_object_get(cs, "fields");
		int line = (int)json_integer_value(json_object_get(cs, "line"));
		const char *iv = NULL, *col = o->assign_column ? o->assign_column : o->assign_by;
		const char *v = col ? json_string_value(json_object_get(fields, col)) : NULL;
		char who[128];

		if (col && !v) {
			fprintf(stderr, _("%s:%d: no column '%s'\n"), path, line, col);
			problems++;
			continue;
		}
		if (o->assign_column) {
			iv = v;
		} else if (nlist) {
			iv = names[i % nlist];
		} else if (o->assign_by) {
			/* the map: VALUE=NAME,VALUE=NAME */
			const char *m = o->map;
			size_t vl = strlen(v);
			while (m && *m) {
				const char *eq = strchr(m, '='), *end = strchr(m, ',');
				if (!end)
					end = m + strlen(m);
				if (eq && eq < end && (size_t)(eq - m) == vl && !strncmp(m, v, vl)) {
					snprintf(who, sizeof who, "%.*s", (int)(end - eq - 1), eq + 1);
					iv = who;
					break;
				}
				m = *end ? end + 1 : end;
			}
			if (!iv) {
				fprintf(stderr, _("%s:%d: %s '%s' is not in --map\n"), path, line, o->assign_by, v);
				problems++;
				continue;
			}
		}
		if (iv && !*iv) {
			fprintf(stderr, _("%s:%d: no interviewer in column '%s'\n"), path, line, col);
			problems++;
			continue;
		}
		if (iv)
			json_object_set_new(cs, "interviewer", json_string(iv));
		json_object_del(cs, "line");
	}
	free(list);
	return problems;
}

/* Is key a case of the study already (ctx: the store's cases by id)? */
static int known_case(void *ctx, const char *key)
{
	return json_object_get(ctx, key) != NULL;
}

/* The store's cases of study by id (a JSON object), or NULL after saying why. */
static json_t *cases_of(struct remote *r, const char *study)
{
	struct buf path;
	json_t *out, *by = NULL, *x;
	size_t i;

	buf_init(&path);
	buf_puts(&path, "/v1/manage/cases?study=");
	remote_escape(study, &path);
	if ((out = get(r, buf_str(&path)))) {
		by = json_object();
		json_array_foreach(json_object_get(out, "cases"), i, x)
			if (json_is_string(json_object_get(x, "case")))
				json_object_set(by, json_string_value(json_object_get(x, "case")), x);
	}
	json_decref(out);
	buf_release(&path);
	return by;
}

/* cati study import SAMPLE --form FORM: the workstation's checks (an id the study has already is
   a problem, as on the workstation), the interviewers, then one request, all or nothing. */
static int import(struct study_opts *o)
{
	struct remote *r = NULL;
	struct buf problems;
	struct form *f;
	struct err e;
	json_t *cases = NULL, *in, *out = NULL, *known = NULL, *lines = NULL, *x;
	const char *at;
	long status = 0, k;
	size_t i;
	int io, n, rc = EXIT_FAIL;

	if (o->nargs != 1 || !o->form || (!!o->assign_column + !!o->assign + !!o->assign_by) > 1 ||
	    (!o->assign_by != !o->map) || (o->dnc && strcmp(o->dnc, "refuse") && strcmp(o->dnc, "flag"))) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(f = cli_load_form(o->form, &io)))
		return io ? EXIT_USAGE : EXIT_FAIL;
	buf_init(&problems);
	err_init(&e);
	if (!(r = login(o)) || !(known = cases_of(r, f->id)))
		goto out;
	if (store_sample_read(o->args[0], f, known_case, known, &problems, &cases, &e) != STORE_OK) {
		if (e.set)
			fprintf(stderr, "cati study: %s\n", e.msg);
		fputs(buf_str(&problems), stderr);
		fprintf(stderr, _("cati study: nothing imported\n"));
		goto out;
	}
	lines = json_array();
	json_array_foreach(cases, i, x)
		json_array_append(lines, json_object_get(x, "line"));
	if ((n = assign(o, o->args[0], cases)) > 0) {
		fprintf(stderr, P_("cati study: %d problem: nothing imported\n", "cati study: %d problems: nothing imported\n", n), n);
		goto out;
	}
	in = json_pack("{s:s,s:O}", "form_id", f->id, "cases", cases);
	if (o->dnc)
		json_object_set_new(in, "dnc", json_string(o->dnc));
	if (remote_post(r, "/v1/cases", in, &out, &status, &e) == SYNC_OK) {
		printf(P_("imported %zu case into %s\n", "imported %zu cases into %s\n", json_array_size(cases)),
		       json_array_size(cases), f->id);
		rc = EXIT_OK;
	} else if ((at = strstr(e.msg, "case ")) && (k = strtol(at + 5, NULL, 10)) > 0 && (size_t)k <= json_array_size(lines)) {
		/* the store names each case by its place in the request (a line each): the sample's line instead */
		for (at = e.msg; *at; at += strcspn(at, "\n"), at += *at == '\n') {
			int len = (int)strcspn(at, "\n");
			const char *cs = strstr(at, "case "), *why = cs ? strchr(cs, ':') : NULL;

			if (cs && why && why < at + len && (k = strtol(cs + 5, NULL, 10)) > 0 && (size_t)k <= json_array_size(lines))
				fprintf(stderr, "%s:%d%.*s\n", o->args[0], (int)json_integer_value(json_array_get(lines, (size_t)k - 1)),
				        (int)(at + len - why), why);
			else
				fprintf(stderr, _("cati study: %.*s\n"), len, at);
		}
		fprintf(stderr, "%s", _("cati study: nothing imported\n"));
	} else {
		fprintf(stderr, _("cati study: %s: nothing imported\n"), e.msg);
	}
	json_decref(in);
out:
	json_decref(out);
	remote_close(r);
	json_decref(known);
	json_decref(lines);
	json_decref(cases);
	buf_release(&problems);
	form_free(f);
	return rc;
}

/* cati study cases --study ID [--status S] [--interviewer NAME|-]: one line a case. */
static int cases(struct study_opts *o)
{
	struct remote *r;
	struct buf path;
	json_t *out, *x;
	size_t i;

	if (!o->study || o->nargs) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(r = login(o)))
		return EXIT_FAIL;
	buf_init(&path);
	buf_puts(&path, "/v1/manage/cases?study=");
	remote_escape(o->study, &path);
	if (o->status) {
		buf_puts(&path, "&status=");
		remote_escape(o->status, &path);
	}
	if (o->interviewer) {
		buf_puts(&path, "&interviewer=");
		remote_escape(strcmp(o->interviewer, "-") ? o->interviewer : "", &path);
	}
	out = get(r, buf_str(&path));
	remote_close(r);
	buf_release(&path);
	if (!out)
		return EXIT_FAIL;
	{
		static const int w[] = { 16, 10, 16, 6, 0 }; /* 6: two spaces before the last outcome */
		const char *head[] = { _("CASE"), _("STATUS"), _("INTERVIEWER"), _("CALLS"), _("LAST OUTCOME") };
		print_row(w, 5, head);
	}
	json_array_foreach(json_object_get(out, "cases"), i, x) {
		json_t *iv = json_object_get(x, "interviewer"), *lo = json_object_get(x, "last_outcome");
		static const int w[] = { 16, 10, 16, 6, 0 }; /* 6: two spaces before the last outcome */
		char calls[24], last[256];
		const char *row[5];

		snprintf(calls, sizeof calls, "%5lld", (long long)json_integer_value(json_object_get(x, "calls")));
		snprintf(last, sizeof last, "%s%s%s", json_is_string(lo) ? json_string_value(lo) : "-",
		         json_integer_value(json_object_get(x, "duplicates")) ? _(" (duplicate completes)") : "",
		         json_is_true(json_object_get(x, "dnc")) ? _(" (do not call: imported with a listed number)") : "");
		row[0] = json_string_value(json_object_get(x, "case"));
		row[1] = json_string_value(json_object_get(x, "status"));
		row[2] = json_is_string(iv) ? json_string_value(iv) : "-";
		row[3] = calls;
		row[4] = last;
		print_row(w, 5, row);
	}
	json_decref(out);
	return EXIT_OK;
}

/* cati study assign|take-back --study ID [--to NAME] CASE...: all or none; unknown ids named. */
static int reassign(struct study_opts *o, int take_back)
{
	struct remote *r;
	struct err e;
	json_t *keys, *in, *out = NULL, *x;
	long status = 0;
	size_t i;
	int k, rc = EXIT_FAIL;

	if (!o->study || !o->nargs || (!take_back && !o->to) || (take_back && o->to)) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(r = login(o)))
		return EXIT_FAIL;
	keys = json_array();
	for (k = 0; k < o->nargs; k++)
		json_array_append_new(keys, json_string(o->args[k]));
	in = json_pack("{s:s,s:o,s:o}", "study", o->study, "cases", keys,
	               "interviewer", take_back ? json_null() : json_string(o->to));
	err_init(&e);
	if (remote_post(r, "/v1/manage/assign", in, &out, &status, &e) == SYNC_OK) {
		if (take_back)
			printf(P_("took back %d case of %s\n", "took back %d cases of %s\n", o->nargs), o->nargs, o->study);
		else
			printf(P_("gave %d case of %s to %s\n", "gave %d cases of %s to %s\n", o->nargs), o->nargs, o->study, o->to);
		rc = EXIT_OK;
	} else if (status == 404 && json_is_array(json_object_get(out, "unknown"))) {
		json_array_foreach(json_object_get(out, "unknown"), i, x)
			fprintf(stderr, _("cati study: no case '%s' in study '%s'\n"), json_string_value(x), o->study);
		fprintf(stderr, _("cati study: nothing changed\n"));
	} else {
		fprintf(stderr, "cati study: %s\n", e.msg);
	}
	json_decref(in);
	json_decref(out);
	remote_close(r);
	return rc;
}

/* cati study reopen --study ID CASE...: closed cases to be called again; unknown ids named. */
static int reopen(struct study_opts *o)
{
	struct remote *r;
	struct err e;
	json_t *keys, *in, *out = NULL, *x;
	long status = 0;
	size_t i;
	int k, rc = EXIT_FAIL;

	if (!o->study || !o->nargs) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(r = login(o)))
		return EXIT_FAIL;
	keys = json_array();
	for (k = 0; k < o->nargs; k++)
		json_array_append_new(keys, json_string(o->args[k]));
	in = json_pack("{s:s,s:o}", "study", o->study, "cases", keys);
	err_init(&e);
	if (remote_post(r, "/v1/manage/reopen", in, &out, &status, &e) == SYNC_OK) {
		printf(P_("reopened %d case of %s: called again after the workstations' next sync\n",
		          "reopened %d cases of %s: called again after the workstations' next sync\n", o->nargs),
		       o->nargs, o->study);
		rc = EXIT_OK;
	} else if (status == 404 && json_is_array(json_object_get(out, "unknown"))) {
		json_array_foreach(json_object_get(out, "unknown"), i, x)
			fprintf(stderr, "cati study: no case '%s' in study '%s'\n", json_string_value(x), o->study);
		fprintf(stderr, _("cati study: nothing changed\n"));
	} else {
		fprintf(stderr, "cati study: %s\n", e.msg);
	}
	json_decref(in);
	json_decref(out);
	remote_close(r);
	return rc;
}

/* cati study conflicts --study ID: each conflict, what is stored and what came again. */
static int conflicts(struct study_opts *o)
{
	struct remote *r;
	struct buf path;
	json_t *out, *x;
	char t[40];
	size_t i;

	if (!o->study || o->nargs) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(r = login(o)))
		return EXIT_FAIL;
	buf_init(&path);
	buf_puts(&path, "/v1/manage/conflicts?study=");
	remote_escape(o->study, &path);
	out = get(r, buf_str(&path));
	remote_close(r);
	buf_release(&path);
	if (!out)
		return EXIT_FAIL;
	json_array_foreach(json_object_get(out, "conflicts"), i, x) {
		char *a = json_dumps(json_object_get(x, "stored"), JSON_COMPACT | JSON_SORT_KEYS);
		char *b = json_dumps(json_object_get(x, "theirs"), JSON_COMPACT | JSON_SORT_KEYS);
		printf(_("conflict %lld: case %s, record %s, sent again by %s at %s\n  stored: %s\n  theirs: %s\n"),
		       (long long)json_integer_value(json_object_get(x, "id")), json_string_value(json_object_get(x, "case")),
		       json_string_value(json_object_get(x, "uuid")), json_string_value(json_object_get(x, "user")),
		       when(json_object_get(x, "received_at"), t, sizeof t), a ? a : "", b ? b : "");
		free(a);
		free(b);
	}
	if (!json_array_size(json_object_get(out, "conflicts")))
		printf(_("no conflicts in %s\n"), o->study);
	json_decref(out);
	return EXIT_OK;
}

/* cati study resolve --conflict N --keep stored|theirs. */
static int resolve(struct study_opts *o)
{
	struct remote *r;
	struct err e;
	json_t *in, *out = NULL;
	long status = 0;
	int rc = EXIT_FAIL;

	if (o->conflict < 1 || !o->keep || (strcmp(o->keep, "stored") && strcmp(o->keep, "theirs")) || o->nargs) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(r = login(o)))
		return EXIT_FAIL;
	in = json_pack("{s:I,s:s}", "conflict", (json_int_t)o->conflict, "keep", o->keep);
	err_init(&e);
	if (remote_post(r, "/v1/manage/resolve", in, &out, &status, &e) == SYNC_OK) {
		printf(!strcmp(o->keep, "stored") ? _("conflict %ld resolved: kept the stored record\n")
		                                  : _("conflict %ld resolved: kept the conflicting record\n"),
		       o->conflict);
		rc = EXIT_OK;
	} else {
		fprintf(stderr, _("cati study: conflict %ld: %s\n"), o->conflict, e.msg);
	}
	json_decref(in);
	json_decref(out);
	remote_close(r);
	return rc;
}

/* cati study duplicates --study ID: each case completed more than once, which complete counts. */
static int duplicates(struct study_opts *o)
{
	struct remote *r;
	struct buf path;
	json_t *out, *x;
	size_t i;

	if (!o->study || o->nargs) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(r = login(o)))
		return EXIT_FAIL;
	buf_init(&path);
	buf_puts(&path, "/v1/manage/duplicates?study=");
	remote_escape(o->study, &path);
	out = get(r, buf_str(&path));
	remote_close(r);
	buf_release(&path);
	if (!out)
		return EXIT_FAIL;
	if (!json_array_size(json_object_get(out, "duplicates")))
		printf(_("no duplicates in %s\n"), o->study);
	else
		{
		static const int w[] = { 16, 36, 16, 26, 0 };
		const char *head[] = { _("CASE"), _("INTERVIEW"), _("INTERVIEWER"), _("ENDED"), "" };
		print_row(w, 5, head);
	}
	json_array_foreach(json_object_get(out, "duplicates"), i, x) {
		static const int w[] = { 16, 36, 16, 26, 0 };
		const char *row[] = { json_string_value(json_object_get(x, "case")),
			              json_string_value(json_object_get(x, "interview")),
			              json_string_value(json_object_get(x, "interviewer")),
			              json_is_string(json_object_get(x, "ended_at")) ? json_string_value(json_object_get(x, "ended_at")) : "-",
			              json_is_true(json_object_get(x, "counts")) ? _("counts") : _("duplicate") };
		print_row(w, 5, row);
	}
	json_decref(out);
	return EXIT_OK;
}

/* cati study count --study ID --interview UUID: the complete its case counts. */
static int count(struct study_opts *o)
{
	struct remote *r;
	struct err e;
	json_t *in, *out = NULL;
	long status = 0;
	int rc = EXIT_FAIL;

	if (!o->study || !o->interview || o->nargs) {
		fputs(_(usage), stderr);
		return EXIT_USAGE;
	}
	if (!(r = login(o)))
		return EXIT_FAIL;
	in = json_pack("{s:s,s:s}", "study", o->study, "interview", o->interview);
	err_init(&e);
	if (remote_post(r, "/v1/manage/count", in, &out, &status, &e) == SYNC_OK) {
		printf(_("interview %s counts for its case; the case's other completes are duplicates\n"), o->interview);
		rc = EXIT_OK;
	} else {
		fprintf(stderr, "cati study: %s\n", e.msg);
	}
	json_decref(in);
	json_decref(out);
	remote_close(r);
	return rc;
}

/* cati study workstations: each workstation, its interviewer and last sync. */
static int workstations(struct study_opts *o)
{
	struct remote *r = login(o);
	json_t *out, *x;
	char t[40];
	size_t i;

	if (!r)
		return EXIT_FAIL;
	out = get(r, "/v1/manage/workstations");
	remote_close(r);
	if (!out)
		return EXIT_FAIL;
	{
		static const int w[] = { 34, 16, 22, 0 };
		const char *head[] = { _("WORKSTATION"), _("USER"), _("LAST SYNC"), _("NAME") };
		print_row(w, 4, head);
	}
	json_array_foreach(json_object_get(out, "workstations"), i, x) {
		static const int w[] = { 34, 16, 22, 0 };
		char name[512];
		const char *row[4];

		snprintf(name, sizeof name, "%s%s", json_string_value(json_object_get(x, "name")),
		         json_is_integer(json_object_get(x, "retired_at")) ? _(" (retired)") : "");
		row[0] = json_string_value(json_object_get(x, "workstation"));
		row[1] = json_string_value(json_object_get(x, "user"));
		row[2] = when(json_object_get(x, "last_sync"), t, sizeof t);
		row[3] = name;
		print_row(w, 4, row);
	}
	json_decref(out);
	return EXIT_OK;
}

/* phone_lines' callback for cati study dnc import: keep the number and its line. */
static int take_line(void *ctx, const char *number, int line)
{
	json_t **two = ctx;

	json_array_append_new(two[0], json_string(number));
	json_array_append_new(two[1], json_integer(line));
	return 0;
}

/* cati study dnc list [--history] | add|remove NUMBER... | import FILE [--reason TEXT]: the
   store-wide do-not-call list; changes all or none, numbers that are none named (with their
   line in a file). */
static int dnc(struct study_opts *o)
{
	const char *sub = o->nargs ? o->args[0] : "";
	json_t *numbers = json_array(), *lines = json_array(), *in = NULL, *out = NULL, *x;
	struct remote *r = NULL;
	long status = 0;
	struct err e;
	size_t i, n = 0;
	int k, rc = EXIT_FAIL, file = !strcmp(sub, "import");

	err_init(&e);
	if (!((!strcmp(sub, "list") && o->nargs == 1) || ((!strcmp(sub, "add") || !strcmp(sub, "remove")) && o->nargs > 1) ||
	      (file && o->nargs == 2))) {
		fputs(usage, stderr);
		rc = EXIT_USAGE;
		goto out;
	}
	if (file) {
		json_t *two[2] = { numbers, lines };
		size_t len;
		char *text = read_file(o->args[1], &len, &e);

		const char *bad;
		int at;

		if (!text) {
			fprintf(stderr, "cati study: %s\n", e.msg);
			goto out;
		}
		if ((bad = phone_text_problem(text, len, &at))) {
			fprintf(stderr, "%s:%d: %s\n", o->args[1], at, _(bad));
			fprintf(stderr, "%s", _("cati study: nothing changed\n"));
			free(text);
			goto out;
		}
		phone_lines(text, take_line, two);
		free(text);
		if (!json_array_size(numbers)) {
			fprintf(stderr, _("cati study: '%s' holds no numbers (one a line)\n"), o->args[1]);
			goto out;
		}
	} else {
		for (k = 1; k < o->nargs; k++)
			json_array_append_new(numbers, json_string(o->args[k]));
	}
	if (!(r = login(o)))
		goto out;
	if (!strcmp(sub, "list")) {
		if (!(out = get(r, o->history ? "/v1/manage/dnc?history=1" : "/v1/manage/dnc")))
			goto out;
		{
			static const int w[] = { 17, 7, 10, 16, 20, 0 };
			const char *head[] = { _("NUMBER"), _("ACTION"), _("SOURCE"), _("BY"), _("WHEN"), _("REASON") };

			/* without --history no ACTION column */
			if (o->history)
				print_row(w, 6, head);
			else
				print_row((const int[]){ 17, 10, 16, 20, 0 }, 5, (const char *const[]){ head[0], head[2], head[3], head[4], head[5] });
		}
		json_array_foreach(json_object_get(out, "dnc"), i, x) {
			json_t *why = json_object_get(x, "reason"), *cs = json_object_get(x, "case");
			char t[40], reason[700];
			const char *row[6];

			snprintf(reason, sizeof reason, "%s%s%s%s", json_is_string(why) ? json_string_value(why) : "",
			         json_is_string(cs) ? " (case " : "", json_is_string(cs) ? json_string_value(cs) : "",
			         json_is_string(cs) ? ")" : "");
			row[0] = json_string_value(json_object_get(x, "phone"));
			row[1] = json_string_value(json_object_get(x, "action"));
			row[2] = json_string_value(json_object_get(x, "source"));
			row[3] = json_string_value(json_object_get(x, "by"));
			row[4] = when(json_object_get(x, "at"), t, sizeof t);
			row[5] = reason;
			if (o->history)
				print_row((const int[]){ 17, 7, 10, 16, 20, 0 }, 6, row);
			else
				print_row((const int[]){ 17, 10, 16, 20, 0 }, 5, (const char *const[]){ row[0], row[2], row[3], row[4], row[5] });
		}
		rc = EXIT_OK;
		goto out;
	}
	in = json_pack("{s:s,s:O}", "action", sub, "numbers", numbers);
	if (o->reason)
		json_object_set_new(in, "reason", json_string(o->reason));
	if (remote_post(r, "/v1/manage/dnc", in, &out, &status, &e) != SYNC_OK) {
		json_array_foreach(json_object_get(out, "problems"), i, x) {
			k = (int)json_integer_value(json_object_get(x, "index"));
			if (file)
				fprintf(stderr, "%s:%d: ", o->args[1], (int)json_integer_value(json_array_get(lines, (size_t)k - 1)));
			else
				fputs(_("cati study: "), stderr);
			fprintf(stderr, _("'%s' is no phone number: %s\n"), json_string_value(json_object_get(x, "number")),
			        json_string_value(json_object_get(x, "why")));
		}
		fprintf(stderr, "cati study: %s\n", e.msg);
		goto out;
	}
	json_array_foreach(json_object_get(out, "numbers"), i, x)
		n += json_is_true(json_object_get(x, "changed"));
	if (strcmp(sub, "remove"))
		printf(_("%zu numbers added to the do-not-call list (%zu were on it already)\n"), n,
		       json_array_size(json_object_get(out, "numbers")) - n);
	else
		printf(_("%zu numbers taken off the do-not-call list (%zu were not on it)\n"), n,
		       json_array_size(json_object_get(out, "numbers")) - n);
	rc = EXIT_OK;
out:
	remote_close(r);
	json_decref(in);
	json_decref(out);
	json_decref(numbers);
	json_decref(lines);
	return rc;
}

/* cati study COMMAND ...: parse the options every command shares, then run the command. */
int cmd_study(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "user", required_argument, NULL, 'u' }, { "password-file", required_argument, NULL, 'p' },
		{ "store", required_argument, NULL, 'S' }, { "cacert", required_argument, NULL, 'C' },
		{ "form", required_argument, NULL, 'f' }, { "study", required_argument, NULL, 's' },
		{ "status", required_argument, NULL, 't' }, { "interviewer", required_argument, NULL, 'i' },
		{ "to", required_argument, NULL, 'T' }, { "keep", required_argument, NULL, 'k' },
		{ "assign-column", required_argument, NULL, 'c' }, { "assign", required_argument, NULL, 'a' },
		{ "assign-by", required_argument, NULL, 'b' }, { "map", required_argument, NULL, 'm' },
		{ "conflict", required_argument, NULL, 'n' }, { "interview", required_argument, NULL, 'I' },
		{ "dnc", required_argument, NULL, 'd' }, { "reason", required_argument, NULL, 'r' },
		{ "history", no_argument, NULL, 'H' }, CLI_OPT_HELP, { 0 }
	};
	struct study_opts o;
	const char *cmd;
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(_(usage), argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	cmd = argv[1];
	memset(&o, 0, sizeof o);
	for (opt_reset(); (c = opt_next(argc - 1, argv + 1, "h", longs, "cati study", _(usage))) != -1;) {
		switch (c) {
		case 'h': return EXIT_OK;
		case 'u': o.user = optarg; break;
		case 'p': o.pwfile = optarg; break;
		case 'S': o.store = optarg; break;
		case 'C': o.cacert = optarg; break;
		case 'f': o.form = optarg; break;
		case 's': o.study = optarg; break;
		case 't': o.status = optarg; break;
		case 'i': o.interviewer = optarg; break;
		case 'T': o.to = optarg; break;
		case 'k': o.keep = optarg; break;
		case 'c': o.assign_column = optarg; break;
		case 'a': o.assign = optarg; break;
		case 'b': o.assign_by = optarg; break;
		case 'm': o.map = optarg; break;
		case 'I': o.interview = optarg; break;
		case 'd': o.dnc = optarg; break;
		case 'r': o.reason = optarg; break;
		case 'H': o.history = 1; break;
		case 'n':
			if (opt_number("cati study", "--conflict", optarg, 1, 1000000000L, &o.conflict) < 0)
				return EXIT_USAGE;
			break;
		default: return EXIT_USAGE;
		}
	}
	o.args = argv + 1 + optind;
	o.nargs = argc - 1 - optind;
	if (!strcmp(cmd, "publish"))
		return publish(&o);
	if (!strcmp(cmd, "forms"))
		return forms(&o);
	if (!strcmp(cmd, "import"))
		return import(&o);
	if (!strcmp(cmd, "cases"))
		return cases(&o);
	if (!strcmp(cmd, "assign"))
		return reassign(&o, 0);
	if (!strcmp(cmd, "take-back"))
		return reassign(&o, 1);
	if (!strcmp(cmd, "reopen"))
		return reopen(&o);
	if (!strcmp(cmd, "conflicts"))
		return conflicts(&o);
	if (!strcmp(cmd, "resolve"))
		return resolve(&o);
	if (!strcmp(cmd, "duplicates"))
		return duplicates(&o);
	if (!strcmp(cmd, "count"))
		return count(&o);
	if (!strcmp(cmd, "workstations"))
		return workstations(&o);
	if (!strcmp(cmd, "dnc"))
		return dnc(&o);
	fprintf(stderr, _("cati study: unknown command '%s'\n%s"), cmd, _(usage));
	return EXIT_USAGE;
}
