/*
 * bench_report.c: the supervisor's console refresh against a store holding a year of the
 * jobseeker monitor: 30,000 completes of cms_jobseeker (plus screen-outs, duplicates, over-quota
 * completes), 45,000 cases, 122,500 call attempts, 424,000 answers, 60 interviewers, 31,320 sessions of
 * working time. The store is seeded with SQL
 * inserts straight into its report tables (what central_push keeps as records arrive), then
 * central_report + report_text + report_csv + the JSON the HTTP answer carries are timed
 * together. Target: under 1 s a refresh.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cati/central.h"
#include "cati/form.h"
#include "cati/db.h"
#include "cati/pg.h"
#include "cati/report.h"

enum { RUNS = 20 };

/* the store's size: YEARS=N (environment) years of the monitor, one by default */
static int YEARS = 1, CASES = 45000, COMPLETES = 30000, SCREENOUTS = 2500, DUPLICATES = 120;
static long SPAN = 31536000;   /* seconds the interviews are spread over */

/* Scale the store to YEARS=N years (a year: 30,000 completes, 55,000 cases from the second on). */
static void size_from_env(void)
{
	const char *y = getenv("YEARS");

	YEARS = y ? (int)strtol(y, NULL, 10) : 1;
	if (YEARS < 1)
		YEARS = 1;
	if (YEARS > 1)
		CASES = 55000 * YEARS;
	COMPLETES = 30000 * YEARS;
	SCREENOUTS = 2500 * YEARS;
	DUPLICATES = 120 * YEARS;
	SPAN = 31536000L * YEARS;
}

static void run(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_report: %s\n", msg);
		exit(1);
	}
}

/* Publish the form and set up its quota cells through the store's own functions. */
static void publish(const char *path)
{
	struct form_diags d;
	struct central *c;
	struct form *f;
	struct err e;
	char *src, hash[65];
	size_t len;

	err_init(&e);
	form_diags_init(&d);
	if (!(c = central_open(path, &e)) || !(src = read_file("forms/cms_jobseeker.form", &len, &e)) ||
	    !(f = form_compile("cms_jobseeker.form", src, len, &d)) ||
	    central_form_put(c, f->id, f->version, src, hash, &e) < 0 || central_quota_seed(c, f, &e) < 0) {
		fprintf(stderr, "bench_report: %s\n", e.set ? e.msg : "cannot compile forms/cms_jobseeker.form");
		exit(1);
	}
	form_free(f);
	free(src);
	form_diags_release(&d);
	central_close(c);
}

/* Cases, interviews with answers, attempts, quota counts, over-quota flags, last seen. */
static void seed(const char *path)
{
	sqlite3 *db;
	char sql[4096];

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "bench_report: cannot open %s\n", path);
		exit(1);
	}
	run(db, "PRAGMA synchronous = OFF; BEGIN");
	/* offices: about a dozen per region; 60 interviewers */
	snprintf(sql, sizeof sql,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		" INSERT INTO cases(case_key, study, phone, name, tz, fields, interviewer, seq)"
		" SELECT printf('J%%06d', i), 'cms_jobseeker', printf('+43 1 %%07d', i), printf('Person %%d', i), 'Europe/Vienna',"
		" json_object('region', CAST(1 + i %% 9 AS TEXT), 'custtype', CAST(1 + (i / 9) %% 4 AS TEXT),"
		"  'office', printf('Office %%d-%%02d', 1 + i %% 9, (i * 7919) %% 12), 'addon', CAST(i %% 2 AS TEXT),"
		"  'months_registered', '12'), printf('iv%%02d', i %% 60), i FROM n", CASES);
	run(db, sql);
	/* completes through the year, screen-outs, and duplicates of early completes */
	snprintf(sql, sizeof sql,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		" INSERT INTO interviews(uuid, study, case_key, form, version, interviewer, lang, status, outcome,"
		"  started_at, ended_at, updated_at, duplicate, received_at)"
		" SELECT printf('%%08d-0000-4000-8000-000000000000', i), 'cms_jobseeker', printf('J%%06d', i), NULL, '2026.1',"
		"  printf('iv%%02d', (i + (i %% 7 = 0)) %% 60), 'de',"
		"  CASE WHEN i <= %d THEN 'complete' ELSE 'screenout' END, CASE WHEN i <= %d THEN 'complete' ELSE 'no_contact' END,"
		"  strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000Z', 1767225600 + (i * 1039) %% %ld, 'unixepoch'),"
		"  strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000Z', 1767225600 + (i * 1039) %% %ld + 300 + i %% 600, 'unixepoch'),"
		"  strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000Z', 1767225600 + (i * 1039) %% %ld + 300 + i %% 600, 'unixepoch'),"
		"  0, 0 FROM n", COMPLETES + SCREENOUTS, COMPLETES, COMPLETES, SPAN, SPAN, SPAN);
	run(db, sql);
	snprintf(sql, sizeof sql,
		"INSERT INTO interviews(uuid, study, case_key, form, version, interviewer, lang, status, outcome,"
		"  started_at, ended_at, updated_at, duplicate, received_at)"
		" SELECT 'd' || substr(uuid, 2), study, case_key, form, version, printf('iv%%02d', (CAST(substr(case_key, 2) AS INT) + 1) %% 60),"
		"  lang, status, outcome, started_at, ended_at, updated_at, 1, 0 FROM interviews WHERE status = 'complete' LIMIT %d",
		DUPLICATES);
	run(db, sql);
	/* answers: the route's core questions and the six satisfaction questions (some dk, some off route) */
	run(db, "INSERT INTO answers(interview, qid, iter, state, value)"
	        " SELECT uuid, 'consent', 0, 1, CASE status WHEN 'complete' THEN '1' ELSE '2' END FROM interviews");
	run(db, "INSERT INTO answers(interview, qid, iter, state, value)"
	        " SELECT i.uuid, q.qid, 0, 1, q.v FROM interviews i, (SELECT 'contact' AS qid, '1' AS v UNION ALL"
	        " SELECT 'channels', '1,3' UNION ALL SELECT 'had_adviser', '1' UNION ALL SELECT 'offers', '3' UNION ALL"
	        " SELECT 'applied', '1' UNION ALL SELECT 'training', '2' UNION ALL SELECT 'age', '34' UNION ALL"
	        " SELECT 'adviser', '1,2,2,3') q WHERE i.status = 'complete'");
	run(db, "INSERT INTO answers(interview, qid, iter, state, value)"
	        " SELECT uuid, qid, 0, CASE WHEN h % 23 = 0 THEN 2 WHEN h % 31 = 0 THEN 3 ELSE 1 END,"
	        "  CASE WHEN h % 23 = 0 THEN 'dk' WHEN h % 31 = 0 THEN 'rf' ELSE CAST(1 + h % 6 AS TEXT) END"
	        " FROM (SELECT i.uuid AS uuid, q.qid AS qid, q.k AS k, i.r AS r, (i.r * 2654435761 + q.k * 40503) % 1000003 AS h"
	        "  FROM (SELECT uuid, rowid AS r FROM interviews WHERE status = 'complete') i,"
	        "  (SELECT 'sat_registration' AS qid, 1 AS k UNION ALL SELECT 'sat_adviser', 2 UNION ALL SELECT 'offers_fit', 3"
	        "   UNION ALL SELECT 'sat_course', 4 UNION ALL SELECT 'sat_overall', 5 UNION ALL SELECT 'sat_hotline', 6) q)"
	        " WHERE k IN (1, 3, 5) OR (r + k) % 3 <> 0");
	/* call attempts: the complete (or screen-out) call and 0-4 calls before it; cases never
	   reached get 1-4 calls of their own */
	snprintf(sql, sizeof sql,
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d), k(j) AS (VALUES (1), (2), (3), (4))"
		" INSERT INTO attempts(uuid, study, case_key, interviewer, at, outcome, disposition)"
		" SELECT printf('a%%07d-%%d', i, j), 'cms_jobseeker', printf('J%%06d', i), printf('iv%%02d', (i + j) %% 60),"
		"  strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000Z', 1767225600 + (i * 1039) %% %ld - j * 5400, 'unixepoch'),"
		"  o.outcome, o.disposition FROM n JOIN k ON j <= (i * 31) %% 5"
		"  JOIN (SELECT 0 AS m, 'no_answer' AS outcome, '3.13' AS disposition UNION ALL SELECT 1, 'busy', '3.12'"
		"   UNION ALL SELECT 2, 'answering_machine', '3.14' UNION ALL SELECT 3, 'appointment', '2.21'"
		"   UNION ALL SELECT 4, 'soft_refusal', '2.112' UNION ALL SELECT 5, 'no_answer', '3.13' UNION ALL SELECT 6, 'refusal', '2.112'"
		"   UNION ALL SELECT 7, 'wrong_number', '3.90' UNION ALL SELECT 8, 'language_barrier', '2.332') o"
		"  ON o.m = CASE WHEN i > %d AND j = 1 THEN 4 + (i %% 5) ELSE (i + j) %% 4 END",
		CASES, SPAN, COMPLETES + SCREENOUTS);
	run(db, sql);
	run(db, "INSERT INTO attempts(uuid, study, case_key, interviewer, at, outcome, disposition)"
	        " SELECT 'c' || uuid, study, case_key, interviewer, ended_at, CASE status WHEN 'complete' THEN 'complete' ELSE 'screened_out' END,"
	        " CASE status WHEN 'complete' THEN '1.1' ELSE '4.70' END FROM interviews WHERE duplicate = 0");
	/* quota counts; the completes beyond a cell's target are over quota */
	run(db, "INSERT INTO interview_cells(interview, study, quota, cell, over, holder)"
	        " SELECT i.uuid, i.study, 'region_type', json_extract(c.fields, '$.region') || ',' || json_extract(c.fields, '$.custtype'),"
	        " 0, i.interviewer FROM interviews i JOIN cases c USING (case_key) WHERE i.status = 'complete' AND i.duplicate = 0");
	run(db, "UPDATE quota_cells SET achieved = (SELECT count(*) FROM interview_cells ic WHERE ic.study = quota_cells.study"
	        " AND ic.quota = quota_cells.quota AND ic.cell = quota_cells.cell)");
	run(db, "UPDATE interview_cells SET over = 1 WHERE rowid IN (SELECT rid FROM (SELECT ic.rowid AS rid, q.target AS target,"
	        " row_number() OVER (PARTITION BY ic.study, ic.quota, ic.cell ORDER BY ic.rowid) AS k FROM interview_cells ic"
	        " JOIN quota_cells q ON q.study = ic.study AND q.quota = ic.quota AND q.cell = ic.cell) WHERE k > target)");
	run(db, "INSERT INTO seen(user, at, what) SELECT printf('iv%02d', i), unixepoch() - i * 60, 'pull'"
	        " FROM (WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59) SELECT i FROM n)");
	/* working time as the workstations report it: each interviewer two sessions a working day
	   (8:00-12:00, 13:00-16:30 UTC), 31,320 spans a year, and their sums as the store keeps them */
	snprintf(sql, sizeof sql,
		"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59),"
		" d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < %d - 1),"
		" s(a, b) AS (VALUES (28800, 43200), (46800, 59400))"
		" INSERT INTO work_spans(interviewer, workstation, study, start_at, end_at)"
		" SELECT printf('iv%%02d', i), printf('ws%%02d', i), 'cms_jobseeker', (unixepoch() / 86400 - k) * 86400 + a,"
		" (unixepoch() / 86400 - k) * 86400 + b FROM n, d, s WHERE k %% 7 < 5", (int)(SPAN / 86400));
	run(db, sql);
	run(db, "INSERT INTO work_totals(study, interviewer, seconds) SELECT study, interviewer, sum(end_at - start_at)"
	        " FROM work_spans GROUP BY 1, 2");
	/* the figures the store keeps were not kept by these inserts: the store builds them when it
	   opens, as after an upgrade */
	run(db, "DELETE FROM fig_specs");
	run(db, "COMMIT; ANALYZE");
	sqlite3_close(db);
}

/* The process's CPU time in milliseconds (the machine may be busy with other work). */
static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Time runs refreshes of the console (report, text, CSV, JSON) on c, from the kept figures or
 * (live) by counting everything; print the medians under label. Exits on errors.
 */
static void time_refresh(struct central *c, int live, int runs, const char *label)
{
	double t[RUNS], sql_ms[RUNS], cpu[RUNS], t0, t1, c0, med, p99;
	size_t text_len = 0, csv_len = 0, json_len = 0;
	struct report_opts o;
	struct err e;
	int i;

	memset(&o, 0, sizeof o);
	o.live = live;
	err_init(&e);
	for (i = 0; i < runs; i++) {
		json_t *r;
		struct buf text, csv;
		char *js;

		buf_init(&text);
		buf_init(&csv);
		t0 = bench_now_us();
		c0 = cpu_ms();
		if (central_report(c, "admin", CENTRAL_ADMIN, "cms_jobseeker", &o, &r, &e) != REPORT_OK) {
			fprintf(stderr, "bench_report: %s\n", e.msg);
			exit(1);
		}
		t1 = bench_now_us();
		cpu[i] = cpu_ms() - c0;
		report_text(r, -1, 80, NULL, &text);
		report_csv(r, -1, &csv);
		js = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
		t[i] = (bench_now_us() - t0) / 1000.0;
		sql_ms[i] = (t1 - t0) / 1000.0;
		if (i == 0) {
			int64_t n = json_integer_value(json_object_get(json_object_get(r, "totals"), "completes"));
			text_len = text.len;
			csv_len = csv.len;
			json_len = strlen(js);
			if (n != COMPLETES) {
				fprintf(stderr, "bench_report: the report counts %lld completes, seeded %d\n", (long long)n, COMPLETES);
				exit(1);
			}
		}
		free(js);
		buf_release(&text);
		buf_release(&csv);
		json_decref(r);
	}
	bench_stats(cpu, runs, &med, &p99);
	c0 = med;
	bench_stats(sql_ms, runs, &med, &p99);
	printf("  %s: central_report median %.1f ms (CPU %.1f ms), max %.1f ms (%d runs)\n", label, med, c0,
	       sql_ms[runs - 1], runs);
	bench_stats(t, runs, &med, &p99);
	printf("  %s: refresh (report + text + CSV + JSON, %zu + %zu + %zu bytes): median %.1f ms, max %.1f ms"
	       " (target < 50 ms)\n", label, text_len, csv_len, json_len, med, t[runs - 1]);
}

/* Copy the report tables of the SQLite store at path into the PostgreSQL database url (its
   schema made by the store), with sqlite3 and psql. Exits on errors. */
static void copy_to_pg(const char *path, const char *url)
{
	static const char *const tables[][2] = {
		{ "forms", "hash, form_id, version, source, seq, published_at" },
		{ "cases", "case_key, study, phone, name, tz, fields, interviewer, seq" },
		{ "interviews", "uuid, study, case_key, form, version, interviewer, lang, status, outcome, started_at, ended_at,"
		                " updated_at, duplicate, received_at" },
		{ "answers", "interview, qid, iter, state, value" },
		{ "attempts", "uuid, study, case_key, interviewer, at, outcome, disposition" },
		{ "interview_cells", "interview, study, quota, cell, over, holder" },
		{ "seen", "\\\"user\\\", at, what" },
		{ "work_spans", "interviewer, workstation, study, start_at, end_at" },
		{ "work_totals", "study, interviewer, seconds" },
	};
	char cmd[2048];
	size_t i;

	snprintf(cmd, sizeof cmd, "psql -X -q '%s' -c 'DELETE FROM quota_cells; DELETE FROM forms; DELETE FROM cases;"
	         " DELETE FROM fig_specs' && sqlite3 -csv '%s' 'SELECT study, quota, cell, label, target, closed, achieved,"
	         " allowance FROM quota_cells' | psql -X -q '%s' -c '\\copy quota_cells(study, quota, cell, label, target, closed,"
	         " achieved, allowance) FROM STDIN WITH (FORMAT csv)'", url, path, url);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_report: cannot copy the quota cells to PostgreSQL\n");
		exit(1);
	}
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		const char *cols = !strcmp(tables[i][0], "seen") ? "user, at, what" : tables[i][1];
		snprintf(cmd, sizeof cmd, "sqlite3 -csv '%s' 'SELECT %s FROM %s' | psql -X -q '%s' -c"
		         " \"\\\\copy %s(%s) FROM STDIN WITH (FORMAT csv)\"", path, cols, tables[i][0], url, tables[i][0],
		         tables[i][1]);
		if (system(cmd) != 0) {
			fprintf(stderr, "bench_report: cannot copy %s to PostgreSQL\n", tables[i][0]);
			exit(1);
		}
	}
	snprintf(cmd, sizeof cmd, "psql -X -q '%s' -c 'ANALYZE'", url);
	if (system(cmd) != 0)
		exit(1);
}

/*
 * YEARS=N: N years of the monitor (default 1). LIVE_RUNS=N: refreshes counted from the report
 * tables (default 3). BENCH_PG_URL=URL: the same store copied into that PostgreSQL database
 * (emptied first; bench/bench-report-pg.sh starts a private server) and timed there too.
 */
int main(void)
{
	char dir[] = "/var/tmp/cati-bench-report-XXXXXX", path[300], cmd[400];
	const char *pg = getenv("BENCH_PG_URL"), *lr = getenv("LIVE_RUNS");
	int live_runs = lr ? (int)strtol(lr, NULL, 10) : 3;
	struct central *c;
	struct err e;
	double t0;

	if (live_runs < 0 || live_runs > RUNS)
		live_runs = 3;
	setvbuf(stdout, NULL, _IOLBF, 0);   /* each figure as soon as it is measured */
	db_pg_register();
	size_from_env();
	if (!getenv("BENCH_DB") && !mkdtemp(dir)) {
		perror("bench_report: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/central.db", dir);
	t0 = bench_now_us();
	if (getenv("BENCH_DB"))   /* a store seeded before (KEEP=1 said where) */
		snprintf(path, sizeof path, "%s", getenv("BENCH_DB"));
	else {
		publish(path);
		seed(path);
	}
	printf("bench_report: %d year(s), a store with %d completes of cms_jobseeker (%d cases, %d screen-outs, %d duplicates)"
	       " seeded by SQL in %.1f s\n", YEARS, COMPLETES, CASES, SCREENOUTS, DUPLICATES, (bench_now_us() - t0) / 1e6);
	err_init(&e);
	t0 = bench_now_us();
	if (!(c = central_open(path, &e))) {
		fprintf(stderr, "bench_report: %s\n", e.msg);
		return 1;
	}
	printf("  SQLite: the figures built from the report tables (as after an upgrade) in %.1f s\n",
	       (bench_now_us() - t0) / 1e6);
	time_refresh(c, 0, RUNS, "SQLite, kept figures");
	if (live_runs)
		time_refresh(c, 1, live_runs, "SQLite, full count (before)");
	central_close(c);
	if (pg) {
		if (!(c = central_open(pg, &e))) {
			fprintf(stderr, "bench_report: %s\n", e.msg);
			return 1;
		}
		central_close(c);
		t0 = bench_now_us();
		copy_to_pg(path, pg);
		printf("  PostgreSQL: the store copied in %.1f s\n", (bench_now_us() - t0) / 1e6);
		t0 = bench_now_us();
		if (!(c = central_open(pg, &e))) {
			fprintf(stderr, "bench_report: %s\n", e.msg);
			return 1;
		}
		printf("  PostgreSQL: the figures built in %.1f s\n", (bench_now_us() - t0) / 1e6);
		time_refresh(c, 0, RUNS, "PostgreSQL, kept figures");
		if (live_runs)
			time_refresh(c, 1, live_runs, "PostgreSQL, full count (before)");
		central_close(c);
	}
	if (getenv("KEEP")) {
		printf("  kept %s\n", path);
		return 0;
	}
	if (getenv("BENCH_DB"))
		return 0;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
