/*
 * crash_driver.c: run scripted interviews through the real `cati interview` and kill it with
 * SIGKILL at random moments. After each kill: the database passes PRAGMA integrity_check,
 * every answer the binary acknowledged is stored, every finished interview has its call (one
 * end attempt, in the transaction that ended it), and the resumed interview continues at the
 * right question.
 *
 * usage: crash_driver CATI DIR KILLS SEED FORM...
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cati/form.h"

static const char *cati, *dir;
static unsigned long long rng;
static int failures;

static unsigned rnd(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33);
}

#define FAIL(...) do { fprintf(stderr, "crash: " __VA_ARGS__); fputc('\n', stderr); failures++; } while (0)

struct child {
	pid_t pid;
	FILE *in, *out;
};

static int spawn(struct child *c, const char *db, const char *key)
{
	int to[2], from[2];

	if (pipe(to) || pipe(from))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		char log[600];
		int fd;

		snprintf(log, sizeof log, "%s/child.log", dir);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0)
			dup2(fd, 2);
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		execl(cati, cati, "interview", "--db", db, "--case", key, "--interviewer", "crash", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	c->in = fdopen(to[1], "w");
	c->out = fdopen(from[0], "r");
	return 0;
}

static void reap(struct child *c, int kill_it)
{
	int st;

	if (kill_it)
		kill(c->pid, SIGKILL);
	fclose(c->in);
	fclose(c->out);
	waitpid(c->pid, &st, 0);
}

/* Read lines until one starts with '@' (the screen); also note ok / error lines. */
static int read_screen(struct child *c, char *screen, size_t n, char *status, size_t sn)
{
	char line[8192];

	if (status)
		status[0] = '\0';
	while (fgets(line, sizeof line, c->out)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '@') {
			snprintf(screen, n, "%s", line);
			return 0;
		}
		if (status && (!strncmp(line, "ok", 2) || !strncmp(line, "error", 5)))
			snprintf(status, sn, "%s", line);
	}
	return -1;
}

/* The value of "key=" in a screen line, or NULL. */
static const char *attr(const char *screen, const char *key, char *out, size_t n)
{
	char pat[32];
	const char *p;
	size_t len;

	snprintf(pat, sizeof pat, " %s=", key);
	p = strstr(screen, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	len = strcspn(p, " ");
	snprintf(out, n, "%.*s", (int)len, p);
	return out;
}

/* A legal answer for the question on the screen. */
static void make_answer(const char *screen, char *out, size_t n)
{
	char type[32] = "", qid[80], buf[1024], *codes[256];
	int iter, nc = 0, i;
	const char *p;

	sscanf(screen, "@ question %79s %d %31s", qid, &iter, type);
	if (strstr(screen, " dk") && rnd() % 12 == 0) {
		snprintf(out, n, "dk");
		return;
	}
	if (attr(screen, "choices", buf, sizeof buf)) {
		char *tok = strtok(buf, ",");
		while (tok && nc < 256) {
			codes[nc++] = tok;
			tok = strtok(NULL, ",");
		}
	}
	if (!strcmp(type, "single") || !strcmp(type, "yesno")) {
		p = codes[rnd() % (unsigned)nc];
		snprintf(out, n, "%.*s", (int)strcspn(p, "x"), p);
	} else if (!strcmp(type, "multi")) {
		p = codes[rnd() % (unsigned)nc];
		if (strchr(p, 'x') || nc == 1) {
			snprintf(out, n, "%.*s", (int)strcspn(p, "x"), p);
		} else {
			/* one non-exclusive code */
			for (i = 0; i < nc && strchr(codes[i], 'x'); i++)
				;
			snprintf(out, n, "%s", codes[i < nc ? i : 0]);
		}
	} else if (!strcmp(type, "grid")) {
		char items[16];
		int k = atoi(attr(screen, "items", items, sizeof items) ? items : "1");
		out[0] = '\0';
		for (i = 0; i < k; i++)
			snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", codes[rnd() % (unsigned)nc]);
	} else if (!strcmp(type, "integer") || !strcmp(type, "decimal")) {
		double lo = 0, hi = 50;
		if (attr(screen, "range", buf, sizeof buf))
			sscanf(buf, "%lf..%lf", &lo, &hi);
		snprintf(out, n, "%d", (int)lo + (int)(rnd() % (unsigned)((int)(hi - lo) + 1 > 0 ? (int)(hi - lo) + 1 : 1)));
	} else if (!strcmp(type, "date")) {
		if (attr(screen, "range", buf, sizeof buf))
			snprintf(out, n, "%.10s", buf);
		else
			snprintf(out, n, "2024-03-15");
	} else if (!strcmp(type, "info")) {
		out[0] = '\0';
	} else {
		snprintf(out, n, "crash text %u", rnd() % 1000);
	}
}

/* Integrity check on the file, outside cati. */
static int integrity_ok(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int ok = 0;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK) {
		ok = sqlite3_step(s) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(s, 0), "ok");
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return ok;
}

/* Finished interviews without exactly one end attempt that matches them (should be none). */
static int ends_unrecorded(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM interviews i JOIN cases c ON c.id = i.case_id"
	                          " WHERE i.status IN ('complete', 'screenout') AND (c.disposition IS NULL"
	                          " OR (SELECT count(*) FROM call_attempts a WHERE a.interview = i.id"
	                          "     AND (a.outcome = 'complete') = (i.status = 'complete')) <> 1"
	                          " OR (SELECT count(*) FROM call_attempts a WHERE a.interview = i.id) <> 1)", -1, &s,
	                       NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return n;
}

/* The stored answer of (case, qid, iter) in its open or last interview, into out; 0 if none. */
static int stored(const char *db, const char *key, const char *qid, int iter, char *out, size_t n)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int found = 0;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_prepare_v2(h, "SELECT a.state, a.value FROM answers a JOIN interviews i ON i.id = a.interview"
	                          " JOIN cases c ON c.id = i.case_id WHERE c.case_key = ? AND a.qid = ? AND a.iter = ?"
	                          " ORDER BY i.id DESC LIMIT 1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, qid, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, iter);
		if (sqlite3_step(s) == SQLITE_ROW) {
			int st = sqlite3_column_int(s, 0);
			snprintf(out, n, "%s", st == 2 ? "dk" : st == 3 ? "rf" : (const char *)sqlite3_column_text(s, 1));
			found = 1;
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return found;
}

static int same_value1(const char *a, const char *b);

/* Equal answers: the same text, or the same number written differently (24 and 24.0). */
static int same_value(const char *a, const char *b)
{
	return same_value1(a, b) || same_value1(b, a);
}

static int same_value1(const char *a, const char *b)
{
	char *ea, *eb;
	double x, y;

	if (!strcmp(a, b))
		return 1;
	/* a whole grid answered dk / rf is stored item by item: "dk,dk,dk" */
	if (!strcmp(a, "dk") || !strcmp(a, "rf")) {
		const char *p = b;
		while (!strncmp(p, a, 2) && (p[2] == ',' || !p[2]))
			p += p[2] ? 3 : 2;
		if (!*p && p != b)
			return 1;
	}
	x = strtod(a, &ea);
	y = strtod(b, &eb);
	return ea != a && eb != b && !*ea && !*eb && x == y;
}

struct acked {
	char qid[80];
	int iter;
	char value[1024];
};

/* A sample CSV for a form: n cases with values from the declared case fields. */
static int write_sample(const struct form *f, const char *path, const char *prefix, int n)
{
	FILE *o = fopen(path, "w");
	int i, k;

	if (!o)
		return -1;
	fprintf(o, "id,phone");
	for (k = 0; k < f->nvars; k++)
		if (f->vars[k].kind == FORM_V_CASE)
			fprintf(o, ",%s", f->vars[k].id);
	fprintf(o, "\n");
	for (i = 0; i < n; i++) {
		fprintf(o, "%s%d,+43 1 %07d", prefix, i, 1000000 + i);
		for (k = 0; k < f->nvars; k++) {
			const struct form_var *v = &f->vars[k];
			if (v->kind != FORM_V_CASE)
				continue;
			if (v->scale && v->scale->n)
				fprintf(o, ",%d", v->scale->choices[rnd() % (unsigned)v->scale->n].code);
			else if (v->type == FORM_T_NUM)
				fprintf(o, ",%d", v->has_range ? (int)v->lo + (int)(rnd() % (unsigned)(v->hi - v->lo + 1)) : 30);
			else
				fprintf(o, ",%s value %d", v->id, i % 3);
		}
		fprintf(o, "\n");
	}
	fclose(o);
	return 0;
}

int main(int argc, char **argv)
{
	char db[512], csv[512], cmd[2048], screen[8192], status[8192], last[8192];
	int kills, target, nforms, fi, i, cases_done = 0, answers_checked = 0, resumes = 0;
	struct acked *ack = calloc(4096, sizeof *ack);
	int nack = 0;

	if (argc < 6) {
		fprintf(stderr, "usage: crash_driver CATI DIR KILLS SEED FORM...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	cati = argv[1];
	dir = argv[2];
	target = atoi(argv[3]);
	rng = strtoull(argv[4], NULL, 10);
	nforms = argc - 5;
	snprintf(db, sizeof db, "%s/crash.db", dir);
	for (fi = 0; fi < nforms; fi++) {
		struct form_diags d;
		struct err e;
		struct form *f;
		int rc;

		form_diags_init(&d);
		err_init(&e);
		f = form_load(argv[5 + fi], &d, &e);
		if (!f) {
			fprintf(stderr, "crash: cannot load %s\n", argv[5 + fi]);
			return 2;
		}
		snprintf(csv, sizeof csv, "%s/s%d.csv", dir, fi);
		{
			char prefix[16];
			snprintf(prefix, sizeof prefix, "F%dC", fi);
			write_sample(f, csv, prefix, 2000);
		}
		snprintf(cmd, sizeof cmd, "'%s' sample import '%s' --form '%s' --db '%s' >/dev/null", cati, csv, argv[5 + fi], db);
		rc = system(cmd);
		if (rc != 0) {
			fprintf(stderr, "crash: sample import failed for %s\n", argv[5 + fi]);
			return 2;
		}
		form_free(f);
		form_diags_release(&d);
	}

	kills = 0;
	for (i = 0; kills < target && i < target * 20; i++) {
		char key[64];
		struct child c;
		int steps, die_after, in_flight = 0, killed = 0;
		char flight_qid[80] = "", flight_value[1024] = "";
		int flight_iter = 0, flight_blind = 0;  /* an in-flight command that leaves no answer */

		snprintf(key, sizeof key, "F%dC%d", (int)(rnd() % (unsigned)nforms), cases_done % 2000);
		nack = 0;
		if (spawn(&c, db, key) < 0) {
			FAIL("cannot start %s", cati);
			break;
		}
		if (read_screen(&c, screen, sizeof screen, NULL, 0) < 0) {
			reap(&c, 1);
			cases_done++;
			continue;   /* a finished case: take the next */
		}
		die_after = 1 + (int)(rnd() % 10);
		for (steps = 0;; steps++) {
			char answer[1024], qid[80];
			int iter = 0;

			snprintf(last, sizeof last, "%s", screen);
			if (!strncmp(screen, "@ end", 5)) {
				cases_done++;
				break;
			}
			flight_blind = 1;   /* checks and moves: unless an answer follows below */
			if (!strncmp(screen, "@ check soft", 12)) {
				fprintf(c.in, "c\n");
			} else if (!strncmp(screen, "@ check hard", 12)) {
				fprintf(c.in, "b\n");
			} else {
				sscanf(screen, "@ question %79s %d", qid, &iter);
				make_answer(screen, answer, sizeof answer);
				if (strstr(screen, " info"))
					fprintf(c.in, "n\n");
				else
					fprintf(c.in, "a %s\n", answer);
				snprintf(flight_qid, sizeof flight_qid, "%s", strstr(screen, " info") ? "" : qid);
				flight_blind = strstr(screen, " info") != NULL;
				/* the same value again leaves the answers as they were: cannot tell if it landed */
				{
					int k2;
					for (k2 = 0; k2 < nack; k2++)
						if (!strcmp(ack[k2].qid, qid) && ack[k2].iter == iter &&
						    same_value(ack[k2].value, answer))
							flight_blind = 1;
				}
				snprintf(flight_value, sizeof flight_value, "%s", answer);
				flight_iter = iter;
			}
			fflush(c.in);
			in_flight = 1;
			if (steps == die_after) {
				/* kill at a random moment: before, during or after the commit */
				struct timespec ts = { 0, (long)(rnd() % 3000) * 1000L };
				nanosleep(&ts, NULL);
				reap(&c, 1);
				killed = 1;
				break;
			}
			if (read_screen(&c, screen, sizeof screen, status, sizeof status) < 0) {
				FAIL("%s: the interview stopped by itself after '%s'", key, last);
				break;
			}
			in_flight = 0;
			if (!strcmp(status, "ok") && flight_qid[0]) {
				int k;
				for (k = 0; k < nack; k++)
					if (!strcmp(ack[k].qid, flight_qid) && ack[k].iter == flight_iter)
						break;
				if (k == nack && nack < 4096)
					nack++;
				snprintf(ack[k].qid, sizeof ack[k].qid, "%s", flight_qid);
				ack[k].iter = flight_iter;
				snprintf(ack[k].value, sizeof ack[k].value, "%s", flight_value);
			}
			if (steps > 400)
				break;
		}
		if (!killed) {
			fprintf(c.in, "q\n");
			fflush(c.in);
			reap(&c, 0);
			continue;
		}
		kills++;
		/* after the kill */
		if (!integrity_ok(db))
			FAIL("kill %d (%s): integrity_check failed", kills, key);
		{
			int unrecorded = ends_unrecorded(db);
			if (unrecorded != 0)
				FAIL("kill %d (%s): %d finished interviews without their one end attempt", kills, key, unrecorded);
		}
		{
			int k, flight_stored = 0;
			char v[1024];

			for (k = 0; k < nack; k++) {
				int is_flight = in_flight && !strcmp(ack[k].qid, flight_qid) && ack[k].iter == flight_iter;
				if (!stored(db, key, ack[k].qid, ack[k].iter, v, sizeof v)) {
					FAIL("kill %d (%s): acknowledged answer %s[%d]=%s is missing", kills, key, ack[k].qid,
					     ack[k].iter, ack[k].value);
				} else if (!same_value(v, ack[k].value) && !(is_flight && same_value(v, flight_value))) {
					FAIL("kill %d (%s): %s[%d] is '%s', acknowledged '%s'", kills, key, ack[k].qid,
					     ack[k].iter, v, ack[k].value);
				}
				answers_checked++;
			}
			if (in_flight && flight_qid[0] && stored(db, key, flight_qid, flight_iter, v, sizeof v) &&
			    same_value(v, flight_value)) {
				int was_acked = 0;
				for (k = 0; k < nack; k++)
					was_acked |= !strcmp(ack[k].qid, flight_qid) && ack[k].iter == flight_iter &&
					             same_value(ack[k].value, flight_value);
				flight_stored = !was_acked;
			}
			/* resume: at the screen last shown, or past it if the in-flight command was saved */
			if (spawn(&c, db, key) < 0) {
				FAIL("cannot restart");
				break;
			}
			if (read_screen(&c, screen, sizeof screen, NULL, 0) < 0) {
				/* the case finished in the in-flight command */
				if (!flight_stored && !flight_blind && strncmp(last, "@ end", 5))
					FAIL("kill %d (%s): could not resume", kills, key);
				cases_done++;
			} else {
				resumes++;
				if (!in_flight && strcmp(screen, last))
					FAIL("kill %d (%s): resumed at '%s', expected '%s'", kills, key, screen, last);
				if (in_flight && flight_stored && !strcmp(screen, last) && strstr(last, "answered=") == NULL)
					FAIL("kill %d (%s): the saved answer was not applied on resume (%s)", kills, key, screen);
				if (in_flight && !flight_stored && !flight_blind && strncmp(screen, last, strcspn(last, "=")) &&
				    strncmp(last, "@ check", 7))
					FAIL("kill %d (%s): resumed at '%s', expected '%s'", kills, key, screen, last);
			}
			fprintf(c.in, "q\n");
			fflush(c.in);
			reap(&c, 0);
		}
		if (failures > 10)
			break;
	}
	if (ends_unrecorded(db) != 0)
		FAIL("at the end: %d finished interviews without their one end attempt", ends_unrecorded(db));
	printf("crash test: %d kills, %d acknowledged answers checked, %d resumes, %d failures\n", kills,
	       answers_checked, resumes, failures);
	free(ack);
	return failures || kills < target ? 1 : 0;
}
