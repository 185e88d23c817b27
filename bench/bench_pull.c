/*
 * bench_pull: what a workstation's pull costs on a store with a long history. Seeds a store
 * (SQLite file, or a PostgreSQL URL with --pg) with RECORDS records pushed through
 * central_push in batches (interviews finished as completes and screen-outs, their call
 * attempts and events, 20 interviewers, a study with quota cells), then times pulls: the first
 * (cursor 0) and, many times over, one with nothing new. Prints figures; asserts nothing.
 *
 *   build/bench/bench_pull [RECORDS] [--db PATH | --pg URL] [--keep] [--pulls N] [--changed N]
 * RECORDS defaults to 500000; an existing --db PATH with --keep is pulled from as it is. Then
 * N pulls (default 300) with nothing new, and N (default 30) after one complete pushed by
 * another interviewer (the pull that follows a change).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cati/central.h"
#include "cati/form.h"
#include "cati/db.h"
#include "cati/pg.h"

#define INTERVIEWERS 20
#define BATCH 500
#define MAXPULLS 10000

static const char form_src[] =
	"form benchpull\n"
	"languages en\n"
	"case region scale regions\n"
	"scale regions\n"
	"  1 \"North\"\n"
	"  2 \"South\"\n"
	"quota reg by region target 100000 allowance 2\n"
	"  say \"Enough.\"\n"
	"quota rs by region sex target 50000 allowance 2\n"
	"  say \"Enough.\"\n"
	"single sex\n"
	"  say \"Male or female?\"\n"
	"  1 \"male\"\n"
	"  2 \"female\"\n";

static void die(const char *what)
{
	fprintf(stderr, "bench_pull: %s\n", what);
	exit(1);
}

/* A record {uuid, kind, data} for case key, number n of its kind. */
static json_t *record(const char *kind, long n, json_t *data)
{
	char uuid[64];

	snprintf(uuid, sizeof uuid, "%08lx-0000-4000-8000-%012lx", (unsigned long)n & 0xffffffffUL, (unsigned long)(kind[0] * 1000 + kind[1]) & 0xffffffffUL);
	return json_pack("{s:s,s:s,s:o}", "uuid", uuid, "kind", kind, "data", data);
}

/* The study, its interviewers and cases, and records pushed until there are nrec. */
static void seed(struct central *c, long nrec)
{
	struct form_diags d;
	struct form *f;
	struct err e;
	char hash[65], user[16], key[32], ws[40];
	long ncase = (nrec / 4 / INTERVIEWERS + 1) * INTERVIEWERS, i, made = 0, iv = 0, next[INTERVIEWERS] = { 0 };
	json_t *cases = json_array();
	int u;

	err_init(&e);
	form_diags_init(&d);
	if (!(f = form_compile("benchpull", form_src, strlen(form_src), &d)))
		die("the form does not compile");
	form_diags_release(&d);
	if (central_form_put(c, "benchpull", "1", form_src, hash, &e) < 0 || central_quota_seed(c, f, &e) < 0)
		die(e.msg);
	form_free(f);
	for (u = 0; u < INTERVIEWERS; u++) {
		snprintf(user, sizeof user, "iv%02d", u);
		snprintf(ws, sizeof ws, "00000000-0000-4000-8000-0000000000%02d", u);
		if (central_user_add(c, user, "interviewer", "bench-pw", &e) < 0 ||
		    central_ws_register(c, user, ws, "bench", &e) < 0)
			die(e.msg);
	}
	for (i = 0; i < ncase; i++) {
		snprintf(key, sizeof key, "C%07ld", i);
		snprintf(user, sizeof user, "iv%02ld", i % INTERVIEWERS);
		json_array_append_new(cases, json_pack("{s:s,s:s,s:s,s:{s:s}}", "id", key, "phone", "+43 1 0",
		                                       "interviewer", user, "fields", "region", i % 2 ? "1" : "2"));
		if (json_array_size(cases) == 5000 || i == ncase - 1) {
			if (central_cases_put(c, "benchpull", cases, CENTRAL_DNC_NONE, &e) < 0)
				die(e.msg);
			json_array_clear(cases);
		}
	}
	json_decref(cases);
	/* each interview: an event, a call attempt, the interview record (complete, screen-out or
	   broken off), pushed by its case's interviewer in batches of BATCH records */
	u = 0;
	while (made < nrec) {
		json_t *batch = json_array(), *result = json_array();
		char ivid[64], at[48];

		snprintf(user, sizeof user, "iv%02d", u);
		snprintf(ws, sizeof ws, "00000000-0000-4000-8000-0000000000%02d", u);
		while (json_array_size(batch) + 3 <= BATCH && made < nrec) {
			long kk = (next[u]++ * INTERVIEWERS + u) % ncase;
			const char *st = iv % 3 == 0 ? "complete" : iv % 3 == 1 ? "screenout" : "breakoff";
			snprintf(key, sizeof key, "C%07ld", kk);
			snprintf(ivid, sizeof ivid, "%08lx-1111-4000-8000-000000000000", (unsigned long)iv & 0xffffffffUL);
			snprintf(at, sizeof at, "2026-01-01T00:%02ld:%02ldZ", iv / 60 % 60, iv % 60);
			json_array_append_new(batch, record("event", iv, json_pack("{s:s,s:s,s:s,s:s}", "case", key,
			                                    "interview", ivid, "what", "start", "at", at)));
			json_array_append_new(batch, record("attempt", iv, json_pack("{s:s,s:s,s:s,s:s,s:s}", "case", key,
			                                    "uuid", ivid, "interviewer", user, "at", at, "outcome", st)));
			json_array_append_new(batch, record("interview", iv, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}",
			                                    "case", key, "interview", ivid, "interviewer", user, "status", st,
			                                    "outcome", st, "updated_at", at, "cells", "reg", kk % 2 ? "1" : "2")));
			made += 3;
			iv++;
		}
		if (central_push(c, user, CENTRAL_INTERVIEWER, ws, batch, result, &e) < 0)
			die(e.msg);
		json_decref(batch);
		json_decref(result);
		if (made % 100000 < BATCH)
			fprintf(stderr, "bench_pull: %ld records\n", made);
		u = (u + 1) % INTERVIEWERS;
	}
}

/* Time one pull; its cursor into *cursor. Milliseconds. */
static double one_pull(struct central *c, const char *user, enum central_role role, const char *ws,
                       int64_t from, int64_t *cursor)
{
	struct err e;
	json_t *out;
	double t0 = bench_now_us(), t;

	err_init(&e);
	if (central_pull(c, user, role, ws, from, &out, &e) < 0)
		die(e.msg);
	t = (bench_now_us() - t0) / 1000.0;
	*cursor = json_integer_value(json_object_get(out, "cursor"));
	json_decref(out);
	return t;
}

/* One more complete, pushed by interviewer iv00 on its case C0000000 (number n). */
static void push_one(struct central *c, long n)
{
	json_t *batch = json_array(), *result = json_array();
	char ivid[64];
	struct err e;

	err_init(&e);
	snprintf(ivid, sizeof ivid, "%08lx-2222-4000-8000-000000000000", (unsigned long)n & 0xffffffffUL);
	json_array_append_new(batch, record("interview", 0x40000000L + n, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}",
	                                    "case", "C0000000", "interview", ivid, "interviewer", "iv00", "status", "complete",
	                                    "outcome", "complete", "updated_at", "2026-02-01T00:00:00Z", "cells", "reg", "2")));
	if (central_push(c, "iv00", CENTRAL_INTERVIEWER, "00000000-0000-4000-8000-000000000000", batch, result, &e) < 0)
		die(e.msg);
	json_decref(batch);
	json_decref(result);
}

/* The pulls of one user: the first, then npulls with nothing new, then nchanged after a change. */
static void time_pulls(struct central *c, const char *label, const char *user, enum central_role role,
                       const char *ws, int npulls, int nchanged, long *pushed)
{
	static double v[MAXPULLS];
	double first, med, p99;
	int64_t cursor = 0, again;
	int i;

	first = one_pull(c, user, role, ws, 0, &cursor);
	for (i = 0; i < npulls; i++)
		v[i] = one_pull(c, user, role, ws, cursor, &again);
	bench_stats(v, npulls, &med, &p99);
	printf("%-12s first pull (cursor 0) %8.1f ms   nothing new: median %8.3f ms  p99 %8.3f ms  (%.0f pulls/s)\n",
	       label, first, med, p99, 1000.0 / med);
	for (i = 0; i < nchanged; i++) {
		push_one(c, (*pushed)++);
		v[i] = one_pull(c, user, role, ws, cursor, &cursor);
	}
	if (nchanged) {
		bench_stats(v, nchanged, &med, &p99);
		printf("%-12s after one complete elsewhere:         median %8.3f ms  p99 %8.3f ms\n", label, med, p99);
	}
}

int main(int argc, char **argv)
{
	const char *where = "build/bench/pull.db", *pg = NULL;
	long nrec = 500000, pushed = 0;
	int keep = 0, npulls = 300, nchanged = 30, i;
	struct central *c;
	struct err e;
	int64_t n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			where = argv[++i];
		else if (!strcmp(argv[i], "--pg") && i + 1 < argc)
			where = pg = argv[++i];
		else if (!strcmp(argv[i], "--pulls") && i + 1 < argc)
			npulls = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--changed") && i + 1 < argc)
			nchanged = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--keep"))
			keep = 1;
		else if (argv[i][0] != '-')
			nrec = strtol(argv[i], NULL, 10);
	}
	if (npulls < 1 || npulls > MAXPULLS || nchanged < 0 || nchanged > MAXPULLS)
		die("--pulls wants 1 to 10000, --changed 0 to 10000");
	db_pg_register();
	err_init(&e);
	if (!pg && !keep) {
		char side[600];
		unlink(where);
		snprintf(side, sizeof side, "%s-wal", where);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", where);
		unlink(side);
	}
	{
		double t0 = bench_now_us();
		if (!(c = central_open(where, &e)))
			die(e.msg);
		fprintf(stderr, "bench_pull: opened (schema moved forward if it had to) in %.1f s\n",
		        (bench_now_us() - t0) / 1e6);
	}
	if (central_count(c, "records", &n) == 0 && n == 0) {
		double t0 = bench_now_us();
		seed(c, nrec);
		fprintf(stderr, "bench_pull: seeded in %.1f s\n", (bench_now_us() - t0) / 1e6);
	}
	central_count(c, "records", &n);
	printf("bench_pull: %lld records on %s\n", (long long)n, pg ? "PostgreSQL" : "SQLite");
	time_pulls(c, "interviewer", "iv03", CENTRAL_INTERVIEWER, "00000000-0000-4000-8000-000000000003", npulls, nchanged,
	           &pushed);
	if (central_user_add(c, "sup", "supervisor", "bench-pw", &e) == 0)
		central_user_projects(c, "sup", "benchpull", &e);
	time_pulls(c, "supervisor", "sup", CENTRAL_SUPERVISOR, NULL, npulls, nchanged, &pushed);
	central_close(c);
	return 0;
}
