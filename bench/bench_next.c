/*
 * bench_next.c: "next case" latency with 100,000 cases and 500,000 past attempts in the
 * workstation database (target: under 5 ms), at calling times through a day, in three zones.
 * Two situations: early in the study (fresh cases left) and late (every case called before, most
 * still waiting out their gap, so the scheduler has to look past them). Every case has its number
 * in international form (case_phones) and 1,000 of them are on the do-not-call list.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cati/calls.h"
#include "cati/store.h"

enum { CASES = 100000, ATTEMPTS = 500000, ASKS = 300 };

static int64_t clock_ms;
static int64_t sim_clock(void *ctx)
{
	(void)ctx;
	return clock_ms;
}

static void run(const char *sql, sqlite3 *db)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_next: %s\n", msg);
		exit(1);
	}
}

static void measure(struct store *st, const char *what, int64_t start_s)
{
	struct call_rules r;
	struct store_next_pick p;
	double t[ASKS], med, p99, t0;
	int i, found = 0;
	struct err e;

	calls_rules_default(&r);
	for (i = 0; i < ASKS; i++) {
		clock_ms = (start_s + (int64_t)i * 120) * 1000;   /* every two minutes from 06:00 UTC on */
		err_init(&e);
		t0 = bench_now_us();
		found += store_next(st, &r, "ann", 0, &p, NULL, &e) == STORE_OK;
		t[i] = (bench_now_us() - t0) / 1000.0;
	}
	bench_stats(t, ASKS, &med, &p99);
	printf("  %s: median %.2f ms, p99 %.2f ms (%d of %d asks found a case; target < 5 ms)\n", what, med, p99, found, ASKS);
}

int main(void)
{
	char dir[] = "/var/tmp/cati-bench-next-XXXXXX", path[300], cmd[400];
	int64_t day = 1772409600LL;   /* Monday 2026-03-02 00:00 UTC */
	struct store *st;
	enum store_rc rc;
	struct err e;
	sqlite3 *db;
	double t0;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/n.db", dir);
	err_init(&e);
	if (!(st = store_open(path, &rc, &e))) {
		fprintf(stderr, "bench_next: %s\n", e.msg);
		return 1;
	}
	store_close(st);
	/* the data, written directly (the same columns store_attempt_add keeps) */
	t0 = bench_now_us();
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 1;
	run("PRAGMA synchronous = OFF; BEGIN;"
	    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)"
	    " INSERT INTO cases(case_key, study, phone, name, tz, fields, seed, imported_at)"
	    " SELECT printf('C%06d', i), 'bench', '+43 1 ' || i, 'Case ' || i,"
	    "  CASE i % 3 WHEN 0 THEN 'Europe/Vienna' WHEN 1 THEN 'America/New_York' ELSE 'Asia/Tokyo' END,"
	    "  '{}', i, '2026-03-01T00:00:00Z' FROM n;"
	    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 499999)"
	    " INSERT INTO call_attempts(uuid, case_id, interviewer, at, phone, outcome, disposition)"
	    " SELECT lower(hex(randomblob(16))), 1 + (i * 7919) % 100000, 'ann', '2026-03-01T10:00:00Z', '',"
	    "  CASE i % 3 WHEN 0 THEN 'no_answer' WHEN 1 THEN 'busy' ELSE 'answering_machine' END, '3.13' FROM n;"
	    "UPDATE cases SET attempts = (SELECT count(*) FROM call_attempts a WHERE a.case_id = cases.id);"
	    /* each case's number in international form, and 1,000 of them on the do-not-call list */
	    "INSERT INTO case_phones(case_id, digest) SELECT id, '+431' || (id - 1) FROM cases;"
	    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)"
	    " INSERT INTO dnc(digest) SELECT '+431' || (i * 97) FROM n;"
	    "COMMIT;", db);
	printf("next case, %d cases and %d attempts (built in %.1f s):\n", CASES, ATTEMPTS, (bench_now_us() - t0) / 1e6);

	/* early: a fifth of the cases never called, the rest called yesterday */
	snprintf(cmd, sizeof cmd,
	         "UPDATE cases SET attempts = 0, status = 'new' WHERE id %% 5 = 0;"
	         "UPDATE cases SET last_attempt = %lld - (id %% 86400), status = 'retry',"
	         " last_outcome = CASE id %% 3 WHEN 0 THEN 'no_answer' WHEN 1 THEN 'busy' ELSE 'answering_machine' END,"
	         " dayparts = 1 WHERE attempts > 0;", (long long)day);
	run(cmd, db);
	st = store_open(path, &rc, &e);
	store_set_clock(st, sim_clock, NULL);
	measure(st, "early in the study (fresh cases left)", day + 6 * 3600);
	store_close(st);

	/* late: everyone called, most of them within the last three hours (still waiting out the gap) */
	snprintf(cmd, sizeof cmd,
	         "UPDATE cases SET attempts = max(attempts, 1), status = 'retry',"
	         " last_attempt = %lld + 6 * 3600 - (id %% 10800) + CASE WHEN id %% 10 = 0 THEN -86400 ELSE 0 END,"
	         " last_outcome = CASE id %% 3 WHEN 0 THEN 'no_answer' WHEN 1 THEN 'busy' ELSE 'answering_machine' END;",
	         (long long)day);
	run(cmd, db);
	sqlite3_close(db);
	st = store_open(path, &rc, &e);
	store_set_clock(st, sim_clock, NULL);
	measure(st, "late in the study (retries only, most in their gap)", day + 6 * 3600);
	store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
