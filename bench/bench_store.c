/* bench_store.c: answer commit latency (WAL, synchronous=FULL, personal data sealed) through a
 * real session, next to a bare SQLite insert loop in the same mode; and the import time of
 * 100,000 cases. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include <unistd.h>

#include "cati/session.h"
#include "cati/store.h"
#include "genform.h"

int main(void)
{
	char dir[] = "/var/tmp/cati-bench-XXXXXX", path[256], csv[256], cmd[512];
	enum { N = 400 };
	double t_sess[N], t_bare[N], ms, mb, ps, pb, t0;
	struct store *st;
	struct session *s;
	struct err e;
	enum store_rc rc;
	struct form_diags d;
	struct form *f;
	char *src = genform(600, 3);
	struct buf problems;
	long n = 0;
	int i, k, resumed;
	FILE *o;
	sqlite3 *db;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	/* a session on a generated form: each step is answer + commit */
	snprintf(path, sizeof path, "%s/w.db", dir);
	err_init(&e);
	st = store_open(path, &rc, &e);
	form_diags_init(&d);
	f = form_compile("gen.form", src, strlen(src), &d);
	if (!st || !f) {
		fprintf(stderr, "bench_store: setup failed: %s\n", e.msg);
		return 1;
	}
	{
		int64_t row;
		store_begin(st, &e);
		store_form_put(st, f, src, &row, &e);
		store_commit(st, &e);
	}
	/* a workstation as in the field: an interviewer's credential makes the key, so names, phone
	   numbers and text answers are sealed as they are written */
	if (store_cred_set(st, "bench", "bench password", &e) != STORE_OK || store_locked(st)) {
		fprintf(stderr, "bench_store: no key: %s\n", e.msg);
		return 1;
	}
	snprintf(csv, sizeof csv, "%s/s.csv", dir);
	o = fopen(csv, "w");
	fprintf(o, "id,phone,name,region\n");
	for (i = 0; i < 100000; i++)
		fprintf(o, "C%06d,+43 1 %07d,Person %d,%d\n", i, 1000000 + i, i, 1 + i % 9);
	fclose(o);
	buf_init(&problems);
	t0 = bench_now_us();
	if (store_sample_import(st, csv, f, &problems, &n, &e) != STORE_OK) {
		fprintf(stderr, "bench_store: import failed: %s %s\n", buf_str(&problems), e.msg);
		return 1;
	}
	printf("store: import of %ld cases: %.2f s\n", n, (bench_now_us() - t0) / 1e6);
	buf_release(&problems);

	s = session_open(st, "C000001", "bench", NULL, &resumed, &e);
	for (i = 0, k = 0; k < N && i < 10 * N; i++) {
		const struct eng_screen *sc = eng_screen(session_engine(s));
		char typed[64];

		if (sc->kind != ENG_SCREEN_QUESTION)
			break;
		if (sc->qtype == FORM_Q_SINGLE || sc->qtype == FORM_Q_YESNO)
			snprintf(typed, sizeof typed, "%d", sc->choices[0].code);
		else if (sc->qtype == FORM_Q_MULTI)
			snprintf(typed, sizeof typed, "1,2");
		else if (sc->qtype == FORM_Q_INTEGER || sc->qtype == FORM_Q_DECIMAL)
			snprintf(typed, sizeof typed, "%d", 10 + i % 50);
		else
			snprintf(typed, sizeof typed, "answer %d", i);
		t0 = bench_now_us();
		session_begin(s, &e);
		if (eng_answer_text(session_engine(s), typed) == ENG_CHECK)
			eng_confirm(session_engine(s));
		if (session_commit(s, &e) != STORE_OK) {
			fprintf(stderr, "bench_store: commit failed: %s\n", e.msg);
			return 1;
		}
		t_sess[k++] = bench_now_us() - t0;
	}
	session_close(s);
	store_close(st);

	/* bare SQLite, same mode: one small row per transaction */
	snprintf(path, sizeof path, "%s/bare.db", dir);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 "CREATE TABLE t(a INTEGER, q TEXT, v TEXT)", NULL, NULL, NULL);
	{
		sqlite3_stmt *ins;
		sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, 'q', 'answer')", -1, &ins, NULL);
		for (i = 0; i < k; i++) {
			t0 = bench_now_us();
			sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
			sqlite3_bind_int(ins, 1, i);
			sqlite3_step(ins);
			sqlite3_reset(ins);
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			t_bare[i] = bench_now_us() - t0;
		}
		sqlite3_finalize(ins);
	}
	sqlite3_close(db);
	bench_stats(t_sess, k, &ms, &ps);
	bench_stats(t_bare, k, &mb, &pb);
	printf("store: answer commit (WAL, synchronous=FULL, personal data sealed), %d answers: median %.0f us, p99 %.0f us\n",
	       k, ms, ps);
	printf("store: bare sqlite3 insert+commit, same mode:          median %.0f us, p99 %.0f us\n", mb, pb);
	printf("store: ratio cati / bare: median %.2f, p99 %.2f\n", ms / mb, ps / pb);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_store: could not remove %s\n", dir);
	form_free(f);
	form_diags_release(&d);
	free(src);
	return 0;
}
