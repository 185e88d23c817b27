/*
 * bench_import: what a supervisor waits for when a year's sample goes to the store in one
 * request (`cati study import`, POST /v1/cases): 20,000 jobseekers (as ../shared/seeds has them
 * a year), checked against a do-not-call list of 2,000 numbers, given to 20 interviewers; then
 * the same 20,000 again, each given to another interviewer (a reassignment). Through the store's
 * own code (central_cases_put), on SQLite and on a private PostgreSQL server started here
 * (tests/support/pg.sh, fsync on) when it is installed. Prints figures; asserts only that the
 * imports succeed.
 *
 *   build/bench/bench_import [CASES]   (anything but a number, as make bench gives, is ignored)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cati/central.h"
#include "cati/db.h"
#include "cati/util.h"

#define INTERVIEWERS 20
#define LISTED 2000

static const char form_src[] =
	"form benchimport\n"
	"languages en\n"
	"case region scale regions\n"
	"scale regions\n"
	"  1 \"North\"\n"
	"  2 \"South\"\n"
	"quota reg by region target 100000 allowance 2\n"
	"  say \"Enough.\"\n"
	"single sat\n"
	"  say \"How satisfied are you?\"\n"
	"  1 \"very\"\n"
	"  2 \"not\"\n";

static char dir[] = "/var/tmp/cati-bench-import-XXXXXX";

static void die(const char *what)
{
	fprintf(stderr, "bench_import: %s\n", what);
	exit(1);
}

/* Read the first line of dir/name into out (empty when there is none). */
static void first_line(const char *name, char *out, size_t n)
{
	char path[600];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "r"))) {
		if (!fgets(out, (int)n, f))
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\n")] = '\0';
}

/* The sample: n cases, each given to interviewer (i + shift) mod INTERVIEWERS. */
static json_t *sample(long n, int shift)
{
	json_t *cases = json_array();
	char key[32], phone[32], user[16];
	long i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof key, "J%06ld", i);
		snprintf(phone, sizeof phone, "+43 1 %07ld", i);
		snprintf(user, sizeof user, "iv%02ld", (i + shift) % INTERVIEWERS);
		json_array_append_new(cases, json_pack("{s:s,s:s,s:s,s:s,s:{s:s}}", "id", key, "phone", phone,
		                                       "name", "Jobseeker", "interviewer", user,
		                                       "fields", "region", i % 2 ? "1" : "2"));
	}
	return cases;
}

/* The two imports into the store at where; prints a line. */
static void run(const char *name, const char *where, long n)
{
	struct central *c;
	struct err e;
	json_t *listed = json_array(), *out = NULL, *cases;
	char hash[65], phone[32];
	double t0, first, again;
	long i;

	err_init(&e);
	if (!(c = central_open(where, &e)))
		die(e.msg);
	if (central_form_put(c, "benchimport", "1", form_src, hash, &e) < 0 || central_country_set(c, "AT", &e) < 0)
		die(e.msg);
	for (i = 0; i < LISTED; i++) {
		snprintf(phone, sizeof phone, "+49 30 %07ld", i);
		json_array_append_new(listed, json_string(phone));
	}
	if (central_dnc_change(c, listed, 1, "supervisor", NULL, "bench", &out, &e) != CENTRAL_OK)
		die(e.msg);
	json_decref(out);
	json_decref(listed);
	cases = sample(n, 0);
	t0 = bench_now_us();
	if (central_cases_put(c, "benchimport", cases, CENTRAL_DNC_REFUSE, &e) < 0)
		die(e.msg);
	first = (bench_now_us() - t0) / 1e6;
	json_decref(cases);
	cases = sample(n, 1);
	t0 = bench_now_us();
	if (central_cases_put(c, "benchimport", cases, CENTRAL_DNC_REFUSE, &e) < 0)
		die(e.msg);
	again = (bench_now_us() - t0) / 1e6;
	json_decref(cases);
	central_close(c);
	printf("  %-12s %ld cases in one import: %5.2f s (%6.0f cases/s); all reassigned: %5.2f s\n", name, n, first,
	       n / first, again);
}

int main(int argc, char **argv)
{
	/* make bench gives every benchmark the workstation's path first: only a number is a size */
	long n = argc > 1 && strspn(argv[1], "0123456789") == strlen(argv[1]) ? atol(argv[1]) : 20000;
	char cmd[2048], base[512], pgbin[512], where[700];

	if (n <= 0 || !mkdtemp(dir))
		die("usage: bench_import [CASES]");
	printf("bench_import: a year's sample of jobseekers sent to the store in one request\n");
	snprintf(where, sizeof where, "%s/central.db", dir);
	run("SQLite", where, n);
	snprintf(cmd, sizeof cmd, "fail() { echo \"$*\" >&2; }; TMP=%s PG_FSYNC=on; . tests/support/pg.sh &&"
	         " start_pg >/dev/null && echo \"${PGURL%%postgres}\" >%s/pgbase && echo \"$PGBIN\" >%s/pgbin", dir, dir, dir);
	if (system(cmd) != 0) {
		printf("  PostgreSQL: not measured (not installed or would not start: scripts/install-deps installs it)\n");
	} else {
		first_line("pgbase", base, sizeof base);
		first_line("pgbin", pgbin, sizeof pgbin);
		db_pg_register();
		snprintf(cmd, sizeof cmd, "%s/psql -X -q %spostgres -c 'CREATE DATABASE bimport'", pgbin, base);
		if (system(cmd) != 0)
			die("cannot create the PostgreSQL database");
		snprintf(where, sizeof where, "%sbimport", base);
		run("PostgreSQL", where, n);
		snprintf(cmd, sizeof cmd, "%s%s/pg_ctl -D %s/pg/data -m fast -w stop >/dev/null 2>&1",
		         getuid() == 0 ? "runuser -u postgres -- " : "", pgbin, dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_import: could not stop PostgreSQL\n");
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_import: could not remove %s\n", dir);
	return 0;
}
