/*
 * bench_export.c: export time for a year of the jobseeker monitor: 30,000 finished interviews
 * of cms_jobseeker on the central store, every question answered as its type allows (some don't
 * know, some refused), one call record each and a few more. The store is filled with prepared
 * inserts into its report tables (what central_push keeps as records arrive); then each format is
 * written from the store, timed from reading the database to the file's last byte.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "cati/central.h"
#include "cati/export.h"
#include "cati/form.h"

enum { INTERVIEWS = 30000, RUNS = 3 };

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_export: %s: %s\n", what, msg);
	exit(1);
}

/* A plausible answer to node n for interview i. */
static void answer(const struct form *f, const struct form_node *n, long i, struct buf *v, int *state)
{
	long h = (i * 2654435761L + (long)(n - f->nodes) * 40503L) % 1000003L;
	int k;

	buf_reset(v);
	*state = FORM_S_OK;
	if ((n->flags & FORM_F_DK) && h % 23 == 0) {
		*state = FORM_S_DK;
		buf_puts(v, "dk");
		return;
	}
	if ((n->flags & FORM_F_RF) && h % 31 == 0) {
		*state = FORM_S_RF;
		buf_puts(v, "rf");
		return;
	}
	switch (n->qtype) {
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
		buf_printf(v, "%d", n->scale && n->scale->n ? n->scale->choices[h % n->scale->n].code : 1);
		break;
	case FORM_Q_MULTI:
		buf_printf(v, "%d", n->scale->choices[h % n->scale->n].code);
		if (n->scale->n > 2 && h % 3 == 0)
			buf_printf(v, ",%d", n->scale->choices[(h + 1) % n->scale->n].code);
		break;
	case FORM_Q_GRID:
		for (k = 0; k < n->nitems; k++)
			buf_printf(v, k ? ",%d" : "%d", n->scale->choices[(h + k) % n->scale->n].code);
		break;
	case FORM_Q_INTEGER:
		buf_printf(v, "%ld", n->has_range ? (long)n->lo + h % ((long)(n->hi - n->lo) + 1) : h % 100);
		break;
	case FORM_Q_DECIMAL:
		buf_printf(v, "%.1f", (double)(h % 1000) / 10.0);
		break;
	case FORM_Q_DATE:
		buf_printf(v, "2026-%02ld-%02ld", 1 + h % 12, 1 + h % 28);
		break;
	case FORM_Q_TEXT:
		buf_printf(v, "answer %ld, in the respondent's own words", h);
		break;
	default:
		break;
	}
}

static void seed(const char *path, const struct form *f, const char *src)
{
	struct central *c;
	struct err e;
	sqlite3 *db;
	sqlite3_stmt *cs, *is, *as, *ts;
	struct buf v;
	char hash[65], key[32], uuid[40], t0[32], t1[32];
	long i;
	int n, state, it;

	err_init(&e);
	if (!(c = central_open(path, &e)) || central_form_put(c, f->id, f->version, src, hash, &e) < 0)
		die("store", e.msg);
	central_close(c);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("open", path);
	sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO cases(case_key, study, phone, name, tz, fields, interviewer, seq)"
	                           " VALUES (?1, ?2, '+43 1 5550000', 'Person', 'Europe/Vienna', json_object('region', ?3, 'custtype', ?4,"
	                           " 'office', 'Office ' || ?3, 'addon', '1', 'months_registered', '12'), 'iv', 0)", -1, &cs, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO interviews(uuid, study, case_key, interviewer, lang, status, outcome,"
	                           " started_at, ended_at, updated_at, received_at) VALUES (?1, ?2, ?3, 'iv', 'de', 'complete',"
	                           " 'complete', ?4, ?5, ?5, 0)", -1, &is, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO answers(interview, qid, iter, state, value) VALUES (?, ?, ?, ?, ?)", -1, &as, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO attempts(uuid, study, case_key, interviewer, at, outcome, disposition)"
	                           " VALUES ('a' || ?1, ?2, ?3, 'iv', ?4, 'complete', '1.1')", -1, &ts, NULL))
		die("prepare", sqlite3_errmsg(db));
	buf_init(&v);
	for (i = 1; i <= INTERVIEWS; i++) {
		char reg[8], ct[8];

		snprintf(key, sizeof key, "J%06ld", i);
		snprintf(uuid, sizeof uuid, "%08ld-0000-4000-8000-000000000000", i);
		snprintf(reg, sizeof reg, "%ld", 1 + i % 9);
		snprintf(ct, sizeof ct, "%ld", 1 + (i / 9) % 4);
		snprintf(t0, sizeof t0, "2026-%02ld-%02ldT%02ld:%02ld:00.000Z", 1 + i % 12, 1 + i % 28, 8 + i % 10, i % 60);
		snprintf(t1, sizeof t1, "2026-%02ld-%02ldT%02ld:%02ld:30.000Z", 1 + i % 12, 1 + i % 28, 8 + i % 10 + 1, i % 60);
		sqlite3_bind_text(cs, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(cs, 2, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(cs, 3, reg, -1, SQLITE_STATIC);
		sqlite3_bind_text(cs, 4, ct, -1, SQLITE_STATIC);
		sqlite3_step(cs);
		sqlite3_reset(cs);
		sqlite3_bind_text(is, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(is, 2, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(is, 3, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(is, 4, t0, -1, SQLITE_STATIC);
		sqlite3_bind_text(is, 5, t1, -1, SQLITE_STATIC);
		if (sqlite3_step(is) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(is);
		sqlite3_bind_text(ts, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(ts, 2, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ts, 3, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ts, 4, t1, -1, SQLITE_STATIC);
		sqlite3_step(ts);
		sqlite3_reset(ts);
		for (n = 0; n < f->nnodes; n++) {
			const struct form_node *nd = &f->nodes[n];
			int iters = nd->loop >= 0 ? 1 + (int)(i % f->nodes[nd->loop].max_iter) : 0;

			if (nd->kind != FORM_N_QUESTION || nd->qtype == FORM_Q_INFO)
				continue;
			for (it = nd->loop >= 0 ? 1 : 0; it <= iters; it++) {
				answer(f, nd, i + it, &v, &state);
				sqlite3_bind_text(as, 1, uuid, -1, SQLITE_STATIC);
				sqlite3_bind_text(as, 2, nd->id, -1, SQLITE_STATIC);
				sqlite3_bind_int(as, 3, it);
				sqlite3_bind_int(as, 4, state);
				sqlite3_bind_text(as, 5, buf_str(&v), -1, SQLITE_STATIC);
				if (sqlite3_step(as) != SQLITE_DONE)
					die("insert", sqlite3_errmsg(db));
				sqlite3_reset(as);
			}
		}
	}
	buf_release(&v);
	sqlite3_finalize(cs);
	sqlite3_finalize(is);
	sqlite3_finalize(as);
	sqlite3_finalize(ts);
	if (sqlite3_exec(db, "COMMIT; ANALYZE", NULL, NULL, NULL) != SQLITE_OK)
		die("commit", sqlite3_errmsg(db));
	sqlite3_close(db);
}

int main(void)
{
	static const char *const formats[] = { "csv", "json", "sav", "dta", "sss", "ddi", "codebook" };
	char dir[] = "/tmp/cati-bench-export-XXXXXX", path[256], out[300];
	struct form_diags d;
	struct central *c;
	struct form *f;
	struct err e;
	char *src;
	size_t len, k;
	double t0;
	int run;

	err_init(&e);
	form_diags_init(&d);
	if (!mkdtemp(dir) || !(src = read_file("forms/cms_jobseeker.form", &len, &e)) ||
	    !(f = form_compile("cms_jobseeker.form", src, len, &d)))
		die("setup", e.set ? e.msg : "cannot compile forms/cms_jobseeker.form");
	form_diags_release(&d);
	snprintf(path, sizeof path, "%s/store.db", dir);
	t0 = bench_now_us();
	seed(path, f, src);
	printf("export: %d finished interviews of %s seeded in %.1f s\n", INTERVIEWS, f->id, (bench_now_us() - t0) / 1e6);
	if (!(c = central_open(path, &e)))
		die("open", e.msg);
	for (k = 0; k < sizeof formats / sizeof formats[0]; k++) {
		double best = 1e30, worst = 0, ms;
		struct stat sb;
		long rows = 0;
		int vars = 0;

		snprintf(out, sizeof out, "%s/out.%s", dir, formats[k]);
		for (run = 0; run < RUNS; run++) {
			struct exp_data data;

			t0 = bench_now_us();
			exp_data_init(&data, f, 1);
			if (central_export(c, f->id, exp_data_take, &data, &e) < 0 ||
			    exp_write(&data, (enum exp_format)exp_format_of(formats[k]), out, &e) < 0)
				die(formats[k], e.msg);
			ms = (bench_now_us() - t0) / 1e3;
			rows = data.nrows;
			vars = data.schema.nvars;
			exp_data_release(&data);
			best = ms < best ? ms : best;
			worst = ms > worst ? ms : worst;
		}
		stat(out, &sb);
		printf("export %-8s %ld interviews x %d variables: best %.0f ms, worst %.0f ms of %d; %.1f MB\n",
		       formats[k], rows, vars, best, worst, RUNS, (double)sb.st_size / 1e6);
	}
	central_close(c);
	form_free(f);
	free(src);
	snprintf(out, sizeof out, "rm -rf '%s'", dir);
	if (system(out) != 0)
		fprintf(stderr, "bench_export: could not remove %s\n", dir);
	return 0;
}
