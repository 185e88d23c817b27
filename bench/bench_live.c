/*
 * bench_live.c: a call centre's live workstations against a store holding years of history.
 *
 *   1. seeds a store with one and with five years of the jobseeker monitor (forms/cms_jobseeker.form):
 *      per year 30,000 completes and 25,000 cases that never completed (calls not answered, broken
 *      off interviews), ~85 records per complete, over the months, regions and offices; all of it
 *      through the store's own code (central_cases_put, central_push in big batches, as an admin);
 *   2. runs N live workstations (BENCH_LIVE_N, default "50"; "50 200 500" the set), each its own interviewer with
 *      its own cases and a registered workstation id, syncing every 5 s (random phase) for
 *      BENCH_LIVE_SECONDS (60): push what waits, then pull with its cursor. What waits:
 *      BENCH_LIVE_LOAD=trickle (default) the 1-3 records an interviewer at work commits in 5 s
 *      (calls, then the answers of an interview as they are given, case after case); burst (the
 *      load of the first version: every fourth sync a complete and a broken-off case, ~124
 *      records, else an unanswered call or two: a whole interview each 20 s, 30 times a real
 *      interviewer's pace). Client
 *      BENCH_LIVE_CLIENT=keep (default: one login, token and connection kept, login again on 401)
 *      or relogin (the old workstation: new TLS connection, login and registration every sync);
 *   3. a pull with nothing new at each history size, and 50 workstations pushing a backlog of 40
 *      interviews each at once.
 *
 * One thread drives every workstation through libcurl multi. The store allows 64 connections per
 * client address by default; the workstations here connect from 127.0.0.10, .11, ... (25 each),
 * as several offices would, so the store runs with its defaults.
 * Backends BENCH_LIVE_BACKENDS ("sqlite pg"), history BENCH_LIVE_YEARS ("1"; "1 5" for five years
 * too), size of the seed BENCH_LIVE_SCALE (0.1; 1 is the monitor's full size), N default "50": on
 * the store before issue 18, setting up 200 workstations queued for over 12 minutes, so the
 * defaults keep `make bench` near 15 minutes on 2 cores (BENCH_LIVE_N="50 200 500" after).
 * Full size (BENCH_LIVE_SCALE=1 BENCH_LIVE_YEARS="1 5") seeds 15 million records, hours there.
 * Syncs still running DRAIN_S after the window are counted as not done; BENCH_LIVE_BACKLOG=0
 * leaves the backlog out. Usage: bench_live PATH/TO/cati (cati-store beside it).
 */
#define _XOPEN_SOURCE 700   /* realpath */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cati/central.h"
#include "cati/form.h"
#include "cati/db.h"
#include "cati/pg.h"
#include "cati/sync.h"

#define STUDY "cms_jobseeker"
#define PERIOD_S 5.0
#define LIVE_CASES 40       /* cases of each live workstation */
#define BACKLOG_WS 50
#define BACKLOG_EACH 40
#define PER_ADDRESS 25      /* workstations per client address */
#define HIST_USERS 60       /* interviewers of past years */
#define PASSWORD "bench-pw"
#define DRAIN_S 60          /* a sync not done this long after the window is counted as not done */
#define IDLE_PULLS 100

static char dir[] = "/var/tmp/cati-bench-live-XXXXXX";
static char *cati;
static int made;
static char store_bin[1024];
static char form_hash[65];
static pid_t store_pid;     /* the store running now, stopped on the way out */
static char pg_stop[1200];  /* the command that stops the private PostgreSQL, once started */

/* The template interview: one real complete made by cati interview. */
static json_t *tmpl[128];
static char tmpl_kind[128][16];
static int ntmpl;

static void cleanup(void)
{
	char cmd[600];

	if (store_pid > 0) {
		kill(store_pid, SIGTERM);
		waitpid(store_pid, NULL, 0);
		store_pid = 0;
	}
	if (pg_stop[0] && system(pg_stop) != 0)
		fprintf(stderr, "bench_live: could not stop PostgreSQL\n");
	pg_stop[0] = '\0';
	if (!made)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_live: could not remove %s\n", dir);
}

/* Stopped by hand (SIGINT, SIGTERM): stop the store and PostgreSQL, remove the files, end. The
   clean-up is not async-signal-safe, but nothing runs after it. */
static void on_signal(int sig)
{
	(void)sig;
	cleanup();
	_exit(130);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_live: %s\n", what);
	cleanup();
	exit(1);
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_live: failed: %s\n", cmd);
		cleanup();
		exit(1);
	}
}

/* A fast generator for ids and choices (xorshift64*); not for secrets. */
static _Thread_local uint64_t rnd_state = 88172645463325252ull;   /* each seeding thread its own */
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ull;
}

/* A fresh version-4 UUID into out. */
static void new_uuid(char out[37])
{
	uint64_t a = rnd(), b = rnd();

	snprintf(out, 37, "%08x-%04x-4%03x-a%03x-%012llx", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
	         (unsigned)a & 0xfff, (unsigned)(b >> 48) & 0xfff, (unsigned long long)(b & 0xffffffffffffull));
}

/* Make the template: the form's workstation, one case, one complete interview; its outbox. */
static void make_template(const char *form_path)
{
	char cmd[4096], path[600];
	sqlite3 *h;
	sqlite3_stmt *s;
	FILE *f;

	snprintf(path, sizeof path, "%s/t.csv", dir);
	if (!(f = fopen(path, "w")) ||
	    fputs("id,phone,name,office,region,custtype,addon,months_registered\nK1,+43 1 5550001,Anna,Linz,4,1,1,12\n", f) < 0 ||
	    fclose(f))
		die("cannot write the template's case");
	snprintf(cmd, sizeof cmd, "cd %s && %s sample import t.csv --form %s --db t.db >/dev/null && "
	         "printf 'n\\na 1\\na 1\\na 1,2\\na 2\\na 1\\na 2,1,2,1\\na 2\\na 3\\na 2\\na 1\\na 1\\na Excel course\\n"
	         "a 2\\na 1\\na 2\\nn\\na 1\\na 2\\na 34\\nq\\n' | %s interview --db t.db --case K1 --interviewer hist00 >/dev/null",
	         dir, cati, form_path, cati);
	sh(cmd);
	snprintf(path, sizeof path, "%s/t.db", dir);
	if (sqlite3_open(path, &h) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT kind, payload FROM outbox ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		die("cannot read the template's outbox");
	while (sqlite3_step(s) == SQLITE_ROW && ntmpl < 128) {
		snprintf(tmpl_kind[ntmpl], sizeof tmpl_kind[ntmpl], "%s", (const char *)sqlite3_column_text(s, 0));
		if (!(tmpl[ntmpl] = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL)))
			die("a template record is not JSON");
		ntmpl++;
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
	if (ntmpl < 10 || strcmp(tmpl_kind[ntmpl - 1], "attempt") || strcmp(tmpl_kind[0], "interview"))
		die("the template interview did not complete (did the form change?)");
}

/* The region (1-9) and customer type (1-4) of case number n: fixed, so its interview's quota cell matches. */
static void case_cell(int n, int *region, int *custtype)
{
	uint64_t x = (uint64_t)n * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	*region = 1 + (int)(x % 9);
	*custtype = 1 + (int)((x >> 8) % 4);
}

/* Append a record {uuid, kind, data} to out (data: a new reference taken over). */
static void add_record(json_t *out, const char *kind, json_t *data)
{
	char u[37];

	new_uuid(u);
	json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "uuid", u, "kind", kind, "data", data));
}

/* An unanswered call on case key by who at the time at. */
static void add_noanswer(json_t *out, const char *key, const char *who, const char *at)
{
	json_t *d = json_deep_copy(tmpl[ntmpl - 1]);
	char u[37];

	new_uuid(u);
	json_object_set_new(d, "uuid", json_string(u));
	json_object_set_new(d, "case", json_string(key));
	json_object_set_new(d, "interviewer", json_string(who));
	json_object_set_new(d, "at", json_string(at));
	json_object_set_new(d, "outcome", json_string("no_answer"));
	json_object_set_new(d, "disposition", json_string("3.13"));
	add_record(out, "attempt", d);
}

/* The template's first upto records (all: a complete) cloned for case key (number n), interviewer
   who, at. */
static void add_interview(json_t *out, const char *key, int n, const char *who, const char *at, int upto)
{
	char iv[37], cell[16];
	int i, region, custtype;

	case_cell(n, &region, &custtype);
	snprintf(cell, sizeof cell, "%d,%d", region, custtype);

	new_uuid(iv);
	for (i = 0; i < upto && i < ntmpl; i++) {
		json_t *d = json_deep_copy(tmpl[i]);
		json_object_set_new(d, "interview", json_string(iv));
		json_object_set_new(d, "case", json_string(key));
		if (!strcmp(tmpl_kind[i], "event")) {
			json_object_set_new(d, "who", json_string(who));
			json_object_set_new(d, "at", json_string(at));
		} else if (!strcmp(tmpl_kind[i], "interview")) {
			json_object_set_new(d, "interviewer", json_string(who));
			json_object_set_new(d, "form", json_string(form_hash));
			json_object_set_new(d, "started_at", json_string(at));
			json_object_set_new(d, "updated_at", json_string(at));
			if (json_is_object(json_object_get(d, "cells")))
				json_object_set_new(d, "cells", json_pack("{s:s}", "region_type", cell));
			if (json_is_string(json_object_get(d, "ended_at")))
				json_object_set_new(d, "ended_at", json_string(at));
		} else {   /* the call: its own id */
			char u[37];
			new_uuid(u);
			json_object_set_new(d, "uuid", json_string(u));
			json_object_set_new(d, "interviewer", json_string(who));
			json_object_set_new(d, "at", json_string(at));
		}
		add_record(out, tmpl_kind[i], d);
	}
}

/* Records of a finished case: three unanswered calls, then the complete. */
static void add_complete_case(json_t *out, const char *key, int n, const char *who, const char *at)
{
	int k;

	for (k = 0; k < 3; k++)
		add_noanswer(out, key, who, at);
	add_interview(out, key, n, who, at, ntmpl);
}

/* Records of a case that never completed: eight unanswered calls, an interview broken off. */
static void add_open_case(json_t *out, const char *key, int n, const char *who, const char *at)
{
	int k;

	for (k = 0; k < 8; k++)
		add_noanswer(out, key, who, at);
	add_interview(out, key, n, who, at, 36);
}

/* A time stamp months back from now, on a day and hour of office time. */
static void past_time(int months_back, char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_mon -= months_back;
	while (tm.tm_mon < 0) {
		tm.tm_mon += 12;
		tm.tm_year--;
	}
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	         1 + (int)(rnd() % 28), 8 + (int)(rnd() % 12), (int)(rnd() % 60), (int)(rnd() % 60));
}

/* A case object for central_cases_put: key, office and region as the monitor's sample has them. */
static json_t *case_of(const char *key, const char *who, int n)
{
	static const char *const offices[9] = { "Eisenstadt", "Klagenfurt", "St. Pölten", "Linz", "Salzburg",
	                                        "Graz", "Innsbruck", "Bregenz", "Wien" };
	int region, custtype;
	char office[64], phone[32], name[32];

	case_cell(n, &region, &custtype);

	snprintf(office, sizeof office, "%s %d", offices[region - 1], 1 + (int)(rnd() % 12));
	snprintf(phone, sizeof phone, "+43 1 %07d", n % 10000000);
	snprintf(name, sizeof name, "Client %d", n);
	return json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:i,s:i,s:i,s:i}}", "id", key, "phone", phone, "name", name,
	                 "interviewer", who, "fields", "name", name, "office", office, "region", region,
	                 "custtype", custtype, "addon", (int)(rnd() % 4 == 0), "months_registered",
	                 custtype == 3 ? (int)(rnd() % 60) : (int)(rnd() % 120));
}

/* Push records as the admin in one batch and empty the array. */
static void flush_push(struct central *c, json_t *records, long *total)
{
	json_t *result = json_array();
	struct err e;
	size_t i;
	json_t *r;

	err_init(&e);
	if (central_push(c, "admin", CENTRAL_ADMIN, NULL, records, result, &e) < 0)
		die(e.msg);
	json_array_foreach(result, i, r) {
		if (json_integer_value(json_object_get(r, "status")) != 200) {
			char *d = json_dumps(r, 0);
			fprintf(stderr, "bench_live: a seeded record was refused: %s\n", d);
			free(d);
			die("seeding failed");
		}
	}
	*total += (long)json_array_size(records);
	json_decref(result);
	json_array_clear(records);
}

/* Add cases in chunks. */
static void flush_cases(struct central *c, json_t *cases)
{
	struct err e;

	err_init(&e);
	if (central_cases_put(c, STUDY, cases, CENTRAL_DNC_NONE, &e) < 0)
		die(e.msg);
	json_array_clear(cases);
}

/* Users added by one of the seeding threads: every nth of the list, from first. */
struct adder {
	const char *where;
	int first, step, nlive;
	pthread_t th;
	char msg[600];
};

/* The name of user k of the seed: past interviewers, live ones, the backlog's. */
static void seed_user(int k, int nlive, char user[32])
{
	if (k < HIST_USERS)
		snprintf(user, 32, "hist%02d", k);
	else if (k < HIST_USERS + nlive)
		snprintf(user, 32, "live%03d", k - HIST_USERS);
	else
		snprintf(user, 32, "back%02d", (k - HIST_USERS - nlive) % 100);
}

/* Add this thread's share of the users (hashing a password is the slow part: side by side). */
static void *add_users(void *arg)
{
	struct adder *a = arg;
	struct central *c;
	struct err e;
	char user[32];
	int k;

	err_init(&e);
	if (!(c = central_open(a->where, &e))) {
		snprintf(a->msg, sizeof a->msg, "%s", e.msg);
		return NULL;
	}
	for (k = a->first; k < HIST_USERS + a->nlive + BACKLOG_WS; k += a->step) {
		seed_user(k, a->nlive, user);
		if (central_user_add(c, user, "interviewer", PASSWORD, &e) < 0) {
			snprintf(a->msg, sizeof a->msg, "%s", e.msg);
			break;
		}
	}
	central_close(c);
	return NULL;
}

/* The past cases one seeding thread pushes: every step-th from first, as the admin. */
struct seeder {
	const char *where;
	long first, step, completes, open;
	int months;
	uint64_t seed;
	long total;
	pthread_t th;
	char msg[600];
};

/* Push this thread's share of the past, in batches of 20,000 records. */
static void *seed_records(void *arg)
{
	struct seeder *a = arg;
	json_t *records = json_array();
	struct central *c;
	struct err e;
	char user[32], key[64], at[32];
	long i;

	rnd_state ^= a->seed;
	err_init(&e);
	if (!(c = central_open(a->where, &e))) {
		snprintf(a->msg, sizeof a->msg, "%s", e.msg);
		json_decref(records);
		return NULL;
	}
	for (i = a->first; i < a->completes + a->open; i += a->step) {
		/* completes and open cases interleaved over the months, as fieldwork goes */
		int complete = (i * 30) % 55 < 30;
		snprintf(key, sizeof key, "H%07ld", i);
		snprintf(user, sizeof user, "hist%02d", (int)(i % HIST_USERS));
		past_time(a->months - 1 - (int)(i * a->months / (a->completes + a->open)), at);
		if (complete)
			add_complete_case(records, key, (int)i, user, at);
		else
			add_open_case(records, key, (int)i, user, at);
		if (json_array_size(records) >= 20000)
			flush_push(c, records, &a->total);
	}
	flush_push(c, records, &a->total);
	central_close(c);
	json_decref(records);
	return NULL;
}

/*
 * Seed a new store at where: the form and its quotas, the users (admin, past interviewers, nlive
 * live ones, the backlog's), years of history at scale. Prints how long it took.
 */
static void seed(const char *where, const char *src, int years, double scale, int nlive)
{
	struct central *c;
	struct form_diags d;
	struct form *f;
	struct err e;
	json_t *cases = json_array();
	long completes = (long)(30000 * years * scale), open = (long)(25000 * years * scale), i, total = 0;
	double t0 = bench_now_us(), t_users, t_cases;
	char user[32], key[64];
	int k, months = 12 * years;

	err_init(&e);
	form_diags_init(&d);
	if (!(f = form_compile("cms_jobseeker.form", src, strlen(src), &d)))
		die("the jobseeker form does not compile");
	form_diags_release(&d);
	if (!(c = central_open(where, &e)) || central_form_put(c, f->id, f->version, src, form_hash, &e) < 0 ||
	    central_quota_seed(c, f, &e) < 0)
		die(e.msg);
	form_free(f);
	if (central_user_add(c, "admin", "admin", PASSWORD, &e) < 0)
		die(e.msg);
	{
		struct adder ad[3];
		for (k = 0; k < 3; k++) {
			ad[k] = (struct adder){ .where = where, .first = k, .step = 3, .nlive = nlive };
			pthread_create(&ad[k].th, NULL, add_users, &ad[k]);
		}
		for (k = 0; k < 3; k++) {
			pthread_join(ad[k].th, NULL);
			if (ad[k].msg[0])
				die(ad[k].msg);
		}
	}
	for (k = 0; k < nlive + BACKLOG_WS; k++) {
		int n;
		seed_user(HIST_USERS + k, nlive, user);
		for (n = 0; n < LIVE_CASES; n++) {
			snprintf(key, sizeof key, "%s-%02d", user, n);
			json_array_append_new(cases, case_of(key, user, 9000000 + k * LIVE_CASES + n));
		}
	}
	flush_cases(c, cases);
	t_users = (bench_now_us() - t0) / 1e6;
	/* the past: cases first (as the sample is loaded before the fieldwork), then the records */
	for (i = 0; i < completes + open; i++) {
		snprintf(key, sizeof key, "H%07ld", i);
		snprintf(user, sizeof user, "hist%02d", (int)(i % HIST_USERS));
		json_array_append_new(cases, case_of(key, user, (int)i));
		if (json_array_size(cases) >= 5000)
			flush_cases(c, cases);
	}
	flush_cases(c, cases);
	central_close(c);
	t_cases = (bench_now_us() - t0) / 1e6 - t_users;
	{
		/* PostgreSQL takes batches side by side: two threads keep both cores busy (one
		   formats and hashes while the other's batch is in the database); SQLite has one writer */
		struct seeder sd[2];
		int nth = strncmp(where, "postgres", 8) ? 1 : 2;
		for (k = 0; k < nth; k++) {
			sd[k] = (struct seeder){ .where = where, .first = k, .step = nth, .completes = completes, .open = open,
			                         .months = months, .seed = rnd() ^ (uint64_t)(k + 1) * 0x9e3779b97f4a7c15ull };
			pthread_create(&sd[k].th, NULL, seed_records, &sd[k]);
		}
		for (k = 0; k < nth; k++) {
			pthread_join(sd[k].th, NULL);
			if (sd[k].msg[0])
				die(sd[k].msg);
			total += sd[k].total;
		}
	}
	json_decref(cases);
	printf("    seeded %d year%s at scale %.2f: %ld cases, %ld records (%.0f per complete) in %.1f s"
	       " (users %.1f s, cases %.1f s, records %.1f s: %.0f records/s)\n",
	       years, years > 1 ? "s" : "", scale, completes + open + (long)(nlive + BACKLOG_WS) * LIVE_CASES, total,
	       completes ? (double)total / completes : 0.0, (bench_now_us() - t0) / 1e6, t_users, t_cases,
	       (bench_now_us() - t0) / 1e6 - t_users - t_cases,
	       total / ((bench_now_us() - t0) / 1e6 - t_users - t_cases));
	fflush(stdout);
}

/* Start cati-store serving where (flag "--db" or "--pg"); its URL into url. */
static pid_t start_store(const char *flag, const char *where, char *url, size_t n)
{
	char line[512];
	int pipefd[2];
	pid_t pid;
	FILE *out;

	if (pipe(pipefd))
		die("pipe");
	if ((pid = fork()) == 0) {
		char cert[600], key[600];
		snprintf(cert, sizeof cert, "%s/srv.pem", dir);
		snprintf(key, sizeof key, "%s/srv.key", dir);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execl(store_bin, store_bin, "serve", flag, where, "--cert", cert, "--key", key, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	out = fdopen(pipefd[0], "r");
	if (!out || !fgets(line, sizeof line, out) || !strstr(line, "https://"))
		die("the store did not start");
	fclose(out);
	line[strcspn(line, "\n")] = '\0';
	snprintf(url, n, "%s", strstr(line, "https://"));
	return pid;
}

/* CPU seconds (user + system) the process pid has used so far, from /proc. */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (!fgets(buf, sizeof buf, f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');   /* the name may hold spaces: fields count after it */
	for (i = 0; p && i < 12; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* This process's CPU seconds. */
static double self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Growable list of latencies in ms. */
struct lat {
	double *v;
	int n, cap;
};

static void lat_add(struct lat *l, double ms)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		if (!(l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v)))
			die("out of memory");
	}
	l->v[l->n++] = ms;
}

/* Median and p99 of l, or zeros when empty. */
static void lat_stats(struct lat *l, double *med, double *p99)
{
	*med = *p99 = 0;
	if (l->n)
		bench_stats(l->v, l->n, med, p99);
}

/* Response body collected by libcurl. */
struct body {
	char *p;
	size_t n;
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t k = size * n;
	char *q = realloc(b->p, b->n + k + 1);

	if (!q)
		return 0;
	b->p = q;
	memcpy(b->p + b->n, p, k);
	b->n += k;
	b->p[b->n] = '\0';
	return k;
}

enum step { ST_IDLE, ST_LOGIN, ST_REGISTER, ST_PUSH, ST_PULL, ST_DONE };

/* One simulated workstation. */
struct ws {
	int idx;
	char user[32], id[64], token[80], iface[48];
	CURL *h;
	struct curl_slist *hdr;
	struct body body;
	char *post;            /* the request body being sent */
	json_t *pending;       /* the records of this sync, pushed in batches as the workstation sizes them */
	int batch, inbatch;    /* records the next push carries (sync_batch_next), and the one in flight */
	json_t *stream;        /* trickle: the records of the case at hand, not yet pushed */
	size_t streamed;
	size_t sent;
	enum step step;
	long long cursor;
	double due, sync_t0, req_t0;
	int syncs, inflight, measured, retried, ncomplete, nopen, tls_tries;
	int backlog;           /* backlog run: push everything, then stop */
};

/* The whole load: workstations, URL, mode, figures. */
struct run {
	CURLM *m;
	int ep;                /* epoll set of the transfers' sockets */
	double timer_at;       /* when libcurl wants its timeout call (-1: none) */
	struct ws *w;
	int n, relogin;
	char url[512], cacert[600];
	double t_start, t_end;
	struct lat sync, push, pull;
	long errors, done, expected, tls_retries;
	int setup;             /* setting up: try a broken-off request again and again */
	char first_error[300];
	int active;
};

/* Count an error; keep the first message. */
static void note_error(struct run *r, struct ws *w, const char *what)
{
	r->errors++;
	if (!r->first_error[0])
		snprintf(r->first_error, sizeof r->first_error, "%s: %s", w->user, what);
}

/* Send the workstation's next request for its step (path, POST body or NULL). */
static void send_req(struct run *r, struct ws *w, const char *path, char *post, int fresh, int last)
{
	char url[700], auth[120];

	curl_multi_remove_handle(r->m, w->h);
	snprintf(url, sizeof url, "%s%s", r->url, path);
	curl_easy_setopt(w->h, CURLOPT_URL, url);
	curl_slist_free_all(w->hdr);
	w->hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (w->token[0]) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", w->token);
		w->hdr = curl_slist_append(w->hdr, auth);
	}
	curl_easy_setopt(w->h, CURLOPT_HTTPHEADER, w->hdr);
	free(w->post);
	w->post = post;
	if (post) {
		curl_easy_setopt(w->h, CURLOPT_POSTFIELDS, post);
		curl_easy_setopt(w->h, CURLOPT_POSTFIELDSIZE, (long)strlen(post));
	} else {
		curl_easy_setopt(w->h, CURLOPT_HTTPGET, 1L);
	}
	/* the old workstation: a new connection for each sync, closed after it */
	curl_easy_setopt(w->h, CURLOPT_FRESH_CONNECT, (long)fresh);
	curl_easy_setopt(w->h, CURLOPT_FORBID_REUSE, (long)last);
	free(w->body.p);
	w->body.p = NULL;
	w->body.n = 0;
	w->req_t0 = bench_now_us();
	w->inflight = 1;
	curl_multi_add_handle(r->m, w->h);
}

/* Log in: a new connection first when the client is the old one. */
static void do_login(struct run *r, struct ws *w)
{
	char b[200];

	w->token[0] = '\0';
	w->step = ST_LOGIN;
	snprintf(b, sizeof b, "{\"user\":\"%s\",\"password\":\"%s\"}", w->user, PASSWORD);
	send_req(r, w, "/v1/login", xstrdup(b), r->relogin, 0);
}

/* Register the workstation id under its user (POST /v1/workstations). */
static void do_register(struct run *r, struct ws *w)
{
	char b[200];

	w->step = ST_REGISTER;
	snprintf(b, sizeof b, "{\"workstation\":\"%s\",\"name\":\"bench %s\"}", w->id, w->user);
	send_req(r, w, "/v1/workstations", xstrdup(b), 0, 0);
}

/* Push the next batch of at most 500 waiting records, or go on to the pull. */
static void do_push_or_pull(struct run *r, struct ws *w)
{
	size_t n = json_array_size(w->pending), k;
	char path[200];

	if (w->sent < n) {
		json_t *batch = json_array(), *o;
		if (w->batch <= 0)
			w->batch = SYNC_BATCH_START;
		for (k = w->sent; k < n && k < w->sent + (size_t)w->batch; k++)
			json_array_append(batch, json_array_get(w->pending, k));
		w->inbatch = (int)(k - w->sent);
		o = json_pack("{s:o,s:s}", "records", batch, "workstation", w->id);
		w->step = ST_PUSH;
		send_req(r, w, "/v1/push", json_dumps(o, JSON_COMPACT), 0, 0);
		json_decref(o);
		return;
	}
	if (w->backlog) {
		w->step = ST_DONE;
		return;
	}
	w->step = ST_PULL;
	snprintf(path, sizeof path, "/v1/pull?cursor=%lld&workstation=%s", w->cursor, w->id);
	send_req(r, w, path, NULL, 0, r->relogin);
}

static int burst;   /* BENCH_LIVE_LOAD=burst: the old load (a whole case every fourth sync) */

/* The next case of a trickling workstation: alternately one that completes and one broken off. */
static void next_case(struct ws *w, const char *at)
{
	char key[64];

	json_array_clear(w->stream);
	w->streamed = 0;
	if ((w->ncomplete + w->nopen) % 2 == 0 && w->ncomplete < LIVE_CASES / 2) {
		int c = w->ncomplete++;
		snprintf(key, sizeof key, "%s-%02d", w->user, c);
		add_complete_case(w->stream, key, 9000000 + w->idx * LIVE_CASES + c, w->user, at);
	} else {
		int o = LIVE_CASES / 2 + (w->nopen++ % (LIVE_CASES / 2));
		snprintf(key, sizeof key, "%s-%02d", w->user, o);
		add_open_case(w->stream, key, 9000000 + w->idx * LIVE_CASES + o, w->user, at);
	}
}

/* What this sync pushes. Trickle (the default): what an interviewer at work committed in the last
   5 s, 1 to 3 records (a call's outcome, answers as they are given: a complete case of ~124
   records takes ~5 min); burst: every fourth sync a complete and a broken-off case, else a call
   or two. */
static void fill_pending(struct ws *w)
{
	char key[64], at[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	json_array_clear(w->pending);
	w->sent = 0;
	if (!burst) {
		int k, take = 1 + (int)(rnd() % 3);
		for (k = 0; k < take; k++) {
			if (w->streamed >= json_array_size(w->stream))
				next_case(w, at);
			json_array_append(w->pending, json_array_get(w->stream, w->streamed++));
		}
		return;
	}
	if ((w->syncs + w->idx) % 4 == 3 && w->ncomplete < LIVE_CASES / 2 - 1) {
		int c = w->ncomplete++, o = LIVE_CASES / 2 + (w->nopen++ % (LIVE_CASES / 2));
		snprintf(key, sizeof key, "%s-%02d", w->user, c);
		add_complete_case(w->pending, key, 9000000 + w->idx * LIVE_CASES + c, w->user, at);
		snprintf(key, sizeof key, "%s-%02d", w->user, o);
		add_interview(w->pending, key, 9000000 + w->idx * LIVE_CASES + o, w->user, at, 36);
	} else {
		int k, calls = 1 + (int)(rnd() % 2);
		for (k = 0; k < calls; k++) {
			snprintf(key, sizeof key, "%s-%02d", w->user, LIVE_CASES / 2 + (int)(rnd() % (LIVE_CASES / 2)));
			add_noanswer(w->pending, key, w->user, at);
		}
	}
}

/* Begin a sync: relogin logs in (new connection) and registers first; keep pushes at once. */
static void start_sync(struct run *r, struct ws *w)
{
	w->sync_t0 = bench_now_us();
	w->measured = w->sync_t0 < r->t_end;
	w->retried = 0;
	fill_pending(w);
	if (r->relogin || !w->token[0])
		do_login(r, w);
	else
		do_push_or_pull(r, w);
}

/* A request finished: check it, take what it says, send the next one. */
static void finished(struct run *r, struct ws *w, CURLcode cc)
{
	double ms = (bench_now_us() - w->req_t0) / 1e3;
	long code = 0;
	char msg[256];

	w->inflight = 0;
	curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &code);
	if (((cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR ||
	      cc == CURLE_GOT_NOTHING) && w->tls_tries < (r->setup ? 100 : 5)) ||
	    ((cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_COULDNT_CONNECT) && r->setup && w->tls_tries < 100)) {
		/* a broken-off handshake or connection: the workstation tries again (sync.c does) */
		w->tls_tries++;
		r->tls_retries++;
		if (getenv("BENCH_LIVE_DEBUG"))
			fprintf(stderr, "retry t=%.1f s ws %d step %d: %s\n", (bench_now_us() - r->t_start) / 1e6, w->idx,
			        (int)w->step, curl_easy_strerror(cc));
		curl_multi_remove_handle(r->m, w->h);
		free(w->body.p);
		w->body.p = NULL;
		w->body.n = 0;
		w->inflight = 1;
		curl_multi_add_handle(r->m, w->h);
		return;
	}
	w->tls_tries = 0;
	if (cc != CURLE_OK || code != 200) {
		if (code == 401 && !r->relogin && !w->retried && w->step != ST_LOGIN) {
			w->retried = 1;   /* the token ran out: log in again, then the same sync */
			w->sent = 0;
			do_login(r, w);
			return;
		}
		if (cc != CURLE_OK)
			snprintf(msg, sizeof msg, "step %d: %s", (int)w->step, curl_easy_strerror(cc));
		else
			snprintf(msg, sizeof msg, "step %d: HTTP %ld %.200s", (int)w->step, code, w->body.p ? w->body.p : "");
		note_error(r, w, msg);
		w->step = w->backlog ? ST_DONE : ST_IDLE;
		w->syncs++;
		return;
	}
	switch (w->step) {
	case ST_LOGIN: {
		json_t *o = json_loads(w->body.p ? w->body.p : "", 0, NULL);
		const char *t = json_string_value(json_object_get(o, "token"));
		snprintf(w->token, sizeof w->token, "%s", t ? t : "");
		json_decref(o);
		if (r->relogin || !w->id[0] || w->backlog)
			do_register(r, w);
		else
			do_push_or_pull(r, w);
		return;
	}
	case ST_REGISTER:
		do_push_or_pull(r, w);
		return;
	case ST_PUSH: {
		json_t *o = json_loads(w->body.p ? w->body.p : "", 0, NULL), *res;
		size_t i;
		json_t *x;
		res = json_object_get(o, "results");
		json_array_foreach(res, i, x)
			if (json_integer_value(json_object_get(x, "status")) != 200) {
				snprintf(msg, sizeof msg, "a record came back %lld", (long long)json_integer_value(json_object_get(x, "status")));
				note_error(r, w, msg);
				break;
			}
		json_decref(o);
		if (w->measured || w->backlog)
			lat_add(&r->push, ms);
		w->sent += (size_t)w->inbatch;
		w->batch = sync_batch_next(w->batch, ms, 500);   /* as the workstation does */
		do_push_or_pull(r, w);
		return;
	}
	case ST_PULL: {
		json_t *o = json_loads(w->body.p ? w->body.p : "", 0, NULL);
		json_t *cur = json_object_get(o, "cursor");
		if (json_is_integer(cur))
			w->cursor = (long long)json_integer_value(cur);
		else
			note_error(r, w, "a pull without a cursor");
		json_decref(o);
		if (w->measured) {
			lat_add(&r->pull, ms);
			lat_add(&r->sync, (bench_now_us() - w->sync_t0) / 1e3);
			if (getenv("BENCH_LIVE_DEBUG") && bench_now_us() - w->sync_t0 > 1e6)
				fprintf(stderr, "slow sync t=%.1f s ws %d: %.0f ms\n", (w->sync_t0 - r->t_start) / 1e6, w->idx,
				        (bench_now_us() - w->sync_t0) / 1e3);
			r->done++;
		}
		w->syncs++;
		w->step = ST_IDLE;
		return;
	}
	default:
		return;
	}
}

/* Set up the easy handles of n workstations, named prefix000... */
static void ws_init(struct run *r, int n, const char *prefix, int backlog)
{
	int i;

	r->w = calloc((size_t)n, sizeof *r->w);
	r->n = n;
	for (i = 0; i < n; i++) {
		struct ws *w = &r->w[i];
		w->idx = i;
		snprintf(w->user, sizeof w->user, backlog ? "%s%02d" : "%s%03d", prefix, i);
		/* a fresh id each run: registration is part of the set-up, not of the minute */
		snprintf(w->id, sizeof w->id, "ws-%s-%08x", w->user, (unsigned)(rnd() & 0xffffffff));
		snprintf(w->iface, sizeof w->iface, "host!127.0.0.%d", 10 + i / PER_ADDRESS);
		w->pending = json_array();
		w->stream = json_array();
		w->backlog = backlog;
		w->h = curl_easy_init();
		curl_easy_setopt(w->h, CURLOPT_PRIVATE, w);
		curl_easy_setopt(w->h, CURLOPT_CAINFO, r->cacert);
		curl_easy_setopt(w->h, CURLOPT_CAPATH, NULL);   /* as the workstation: the test CA alone */
		curl_easy_setopt(w->h, CURLOPT_INTERFACE, w->iface);
		curl_easy_setopt(w->h, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(w->h, CURLOPT_WRITEDATA, &w->body);
		curl_easy_setopt(w->h, CURLOPT_CONNECTTIMEOUT, 10L);   /* as the workstation's sync */
		curl_easy_setopt(w->h, CURLOPT_TIMEOUT, 120L);
		curl_easy_setopt(w->h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(w->h, CURLOPT_MAXAGE_CONN, 8L);   /* as the workstation (the store closes at 10 s) */
		/* each workstation is its own program: no TLS sessions shared between them */
		curl_easy_setopt(w->h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	}
}

static void ws_release(struct run *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		struct ws *w = &r->w[i];
		curl_multi_remove_handle(r->m, w->h);
		curl_easy_cleanup(w->h);
		curl_slist_free_all(w->hdr);
		free(w->body.p);
		free(w->post);
		json_decref(w->pending);
		json_decref(w->stream);
	}
	free(r->w);
	free(r->sync.v);
	free(r->push.v);
	free(r->pull.v);
}

/* libcurl's socket callback: watch the socket in the run's epoll set as libcurl asks. */
static int sock_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct run *r = userp;
	struct epoll_event ev;

	(void)e;
	memset(&ev, 0, sizeof ev);
	ev.data.fd = fd;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(r->ep, EPOLL_CTL_DEL, fd, NULL);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	/* a closed socket left the set by itself; a new one may come with an old number */
	if (epoll_ctl(r->ep, socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev))
		epoll_ctl(r->ep, socketp ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
	curl_multi_assign(r->m, fd, (void *)1);
	return 0;
}

/* libcurl's timer callback: when libcurl wants to be called with CURL_SOCKET_TIMEOUT. */
static int timer_cb(CURLM *m, long ms, void *userp)
{
	struct run *r = userp;

	(void)m;
	r->timer_at = ms < 0 ? -1 : bench_now_us() + (double)ms * 1e3;
	return 0;
}

/* A multi handle driven by socket events (epoll): its cost grows with the events, not with the
   number of workstations, so the generator stays light at 500. */
static void run_init(struct run *r, long maxconn)
{
	r->m = curl_multi_init();
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	r->timer_at = -1;
	if (!r->m || r->ep < 0)
		die("cannot set up the load generator (curl multi, epoll)");
	curl_multi_setopt(r->m, CURLMOPT_MAXCONNECTS, maxconn);
	curl_multi_setopt(r->m, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(r->m, CURLMOPT_SOCKETDATA, r);
	curl_multi_setopt(r->m, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(r->m, CURLMOPT_TIMERDATA, r);
}

static void run_done(struct run *r)
{
	curl_multi_cleanup(r->m);
	close(r->ep);
}

/* Hand the finished transfers to finished(). */
static void reap(struct run *r)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(r->m, &left))) {
		struct ws *w = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&w);
		finished(r, w, msg->data.result);
	}
}

/* Drive the transfers until every workstation is idle or done, or until deadline; with schedule,
   start each workstation's sync when it is due. The workstations are looked at every 2 ms at
   most, the sockets on each event. */
static void pump(struct run *r, double deadline_us, int schedule)
{
	double scan_at = 0;

	for (;;) {
		struct epoll_event ev[128];
		int running = 0, i, k, busy = 0, wait_ms;
		double now = bench_now_us(), next = deadline_us;

		if (r->timer_at >= 0 && r->timer_at <= now) {
			r->timer_at = -1;
			curl_multi_socket_action(r->m, CURL_SOCKET_TIMEOUT, 0, &running);
			reap(r);
		}
		if (now >= scan_at) {
			for (i = 0; i < r->n; i++) {
				struct ws *w = &r->w[i];
				if (w->inflight || w->step == ST_PUSH || w->step == ST_LOGIN || w->step == ST_REGISTER ||
				    w->step == ST_PULL) {
					busy++;
					continue;
				}
				if (!schedule || w->step == ST_DONE)
					continue;
				if (w->due <= now && w->due < r->t_end) {
					/* a sync still running at its next turn makes the next one late, not doubled */
					start_sync(r, w);
					while (w->due <= now)
						w->due += PERIOD_S * 1e6;
					busy++;
				}
				if (w->due < r->t_end && w->due < next)
					next = w->due;
			}
			if (now >= deadline_us || (!busy && (!schedule || now >= r->t_end)))
				return;
			scan_at = now + 2e3;
			if (next > scan_at)
				scan_at = next;
			if (busy && scan_at > now + 20e3)
				scan_at = now + 20e3;   /* see soon when the last transfers end */
		}
		if (now >= deadline_us)
			return;
		next = scan_at < deadline_us ? scan_at : deadline_us;
		if (r->timer_at >= 0 && r->timer_at < next)
			next = r->timer_at;
		wait_ms = next > now ? (int)((next - now) / 1e3) + 1 : 0;
		k = epoll_wait(r->ep, ev, 128, wait_ms);
		for (i = 0; i < k; i++) {
			int flags = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) | (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			            (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
			curl_multi_socket_action(r->m, ev[i].data.fd, flags, &running);
		}
		if (k > 0)
			reap(r);
		if (k > 0 && !schedule)
			scan_at = 0;   /* set-up and backlog: see at once when all are done */
	}
}

/* Log in and register every workstation (not measured), and take the first pull's cursor. */
static void ws_prepare(struct run *r)
{
	double t0 = bench_now_us();
	int i;

	r->setup = 1;
	for (i = 0; i < r->n; i++) {
		r->w[i].step = ST_IDLE;
		do_login(r, &r->w[i]);
		r->w[i].backlog = 1;   /* stop after registering: nothing pending */
	}
	pump(r, bench_now_us() + 900e6, 0);
	for (i = 0; i < r->n; i++) {
		r->w[i].backlog = 0;
		r->w[i].step = ST_PULL;
		r->w[i].measured = 0;
		send_req(r, &r->w[i], "/v1/pull?cursor=0", NULL, 0, 0);
	}
	pump(r, bench_now_us() + 900e6, 0);
	for (i = 0; i < r->n; i++)
		if (r->w[i].inflight)
			die("setting up the workstations took more than 15 minutes");
	if (r->errors) {
		fprintf(stderr, "bench_live: %s\n", r->first_error);
		die("the workstations could not log in and register");
	}
	if (r->n > 1)
		printf("    (set up %d workstations in %.0f s: login, registration, first pull; %ld requests tried again"
		       " after a broken-off connection)\n", r->n, (bench_now_us() - t0) / 1e6, r->tls_retries);
	r->tls_retries = 0;
	r->errors = 0;
	r->setup = 0;
	r->first_error[0] = '\0';
}

/* The live minute with n workstations; one line of figures. */
static void live(const char *url, pid_t store, int n, int relogin, int seconds, const char *label)
{
	struct run r;
	double med, p99, pmed, pp99, lmed, lp99, c0, g0, wall;
	int i;

	memset(&r, 0, sizeof r);
	run_init(&r, (long)n + 16);
	r.relogin = relogin;
	snprintf(r.url, sizeof r.url, "%s", url);
	snprintf(r.cacert, sizeof r.cacert, "%s/ca.pem", dir);
	ws_init(&r, n, "live", 0);
	ws_prepare(&r);
	if (relogin)   /* the old workstation kept nothing between syncs */
		for (i = 0; i < n; i++)
			r.w[i].token[0] = '\0';
	r.t_start = bench_now_us();
	r.t_end = r.t_start + seconds * 1e6;
	for (i = 0; i < n; i++) {
		r.w[i].due = r.t_start + (double)(rnd() % (uint64_t)(PERIOD_S * 1e6));
		r.expected += (long)((r.t_end - r.w[i].due) / (PERIOD_S * 1e6)) + 1;
	}
	c0 = proc_cpu(store);
	g0 = self_cpu();
	pump(&r, r.t_end + DRAIN_S * 1e6, 1);
	wall = (bench_now_us() - r.t_start) / 1e6;
	c0 = proc_cpu(store) - c0;
	g0 = self_cpu() - g0;
	lat_stats(&r.sync, &med, &p99);
	lat_stats(&r.push, &pmed, &pp99);
	lat_stats(&r.pull, &lmed, &lp99);
	printf("    %-10s N=%-4d sync p50 %6.0f p99 %6.0f | push p50 %5.0f p99 %6.0f | pull p50 %5.0f p99 %6.0f ms |"
	       " syncs %ld/%ld | requests tried again %ld | errors %ld%s%s | store CPU %3.0f%% | generator CPU %3.0f%%\n",
	       label, n, med, p99, pmed, pp99, lmed, lp99, r.done, r.expected, r.tls_retries, r.errors,
	       r.errors ? " first: " : "", r.first_error, 100 * c0 / wall, 100 * g0 / wall);
	fflush(stdout);
	ws_release(&r);
	run_done(&r);
}

/* Pulls with nothing new, one workstation, one after another: p50 and p99. */
static void idle_pull(const char *url)
{
	struct run r;
	double med, p99;
	int i;

	memset(&r, 0, sizeof r);
	run_init(&r, 16);
	snprintf(r.url, sizeof r.url, "%s", url);
	snprintf(r.cacert, sizeof r.cacert, "%s/ca.pem", dir);
	ws_init(&r, 1, "live", 0);
	ws_prepare(&r);
	r.t_end = bench_now_us() + 3600e6;
	for (i = 0; i < IDLE_PULLS; i++) {
		char path[200];
		r.w[0].step = ST_PULL;
		r.w[0].measured = 1;
		r.w[0].sync_t0 = bench_now_us();
		snprintf(path, sizeof path, "/v1/pull?cursor=%lld&workstation=%s", r.w[0].cursor, r.w[0].id);
		send_req(&r, &r.w[0], path, NULL, 0, 0);
		pump(&r, bench_now_us() + 60e6, 0);
	}
	lat_stats(&r.pull, &med, &p99);
	printf("    pull with nothing new (1 workstation, %d pulls): p50 %.1f ms, p99 %.1f ms%s%s\n", IDLE_PULLS, med, p99,
	       r.errors ? "; error: " : "", r.first_error);
	ws_release(&r);
	run_done(&r);
}

/* 50 workstations push 40 interviews each at once (after a login and registration each). */
static void backlog(const char *url, int nlive)
{
	struct run r;
	double med, p99, t0;
	long records = 0;
	int i, k;

	memset(&r, 0, sizeof r);
	run_init(&r, (long)BACKLOG_WS + 16);
	snprintf(r.url, sizeof r.url, "%s", url);
	snprintf(r.cacert, sizeof r.cacert, "%s/ca.pem", dir);
	ws_init(&r, BACKLOG_WS, "back", 1);
	for (i = 0; i < BACKLOG_WS; i++) {
		char key[64], at[32];
		past_time(0, at);
		for (k = 0; k < BACKLOG_EACH; k++) {
			snprintf(key, sizeof key, "%s-%02d", r.w[i].user, k);
			add_interview(r.w[i].pending, key, 9000000 + (nlive + i) * LIVE_CASES + k, r.w[i].user, at, ntmpl);
		}
		records += (long)json_array_size(r.w[i].pending);
	}
	t0 = bench_now_us();
	for (i = 0; i < BACKLOG_WS; i++)
		do_login(&r, &r.w[i]);
	pump(&r, bench_now_us() + 600e6, 0);
	lat_stats(&r.push, &med, &p99);
	printf("    backlog: %d workstations push %d interviews each at once (%ld records in %d pushes of up to 500, sized"
	       " as the workstation does): %.1f s, push p50 %.0f ms, p99 %.0f ms; requests tried again %ld; errors %ld%s%s\n",
	       BACKLOG_WS, BACKLOG_EACH, records, r.push.n, (bench_now_us() - t0) / 1e6, med, p99, r.tls_retries, r.errors,
	       r.errors ? " first: " : "", r.first_error);
	ws_release(&r);
	run_done(&r);
}

/* Read a whole file (free() it), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return xstrdup(buf_str(&b));
}

/* Numbers from an environment variable ("50 200 500") into v; how many. */
static int env_list(const char *name, const char *dflt, int *v, int max)
{
	const char *s = getenv(name) && *getenv(name) ? getenv(name) : dflt;
	int n = 0;
	char *end;

	while (*s && n < max) {
		long x = strtol(s, &end, 10);
		if (end == s)
			break;
		if (x > 0)
			v[n++] = (int)x;
		s = end;
	}
	return n;
}

int main(int argc, char **argv)
{
	int ns[16], years[8], nn, ny, b, y, i, maxn = 0, seconds, relogin;
	const char *backends = getenv("BENCH_LIVE_BACKENDS") ? getenv("BENCH_LIVE_BACKENDS") : "sqlite pg";
	const char *client = getenv("BENCH_LIVE_CLIENT") ? getenv("BENCH_LIVE_CLIENT") : "keep";
	double scale = getenv("BENCH_LIVE_SCALE") ? strtod(getenv("BENCH_LIVE_SCALE"), NULL) : 0.1;
	double t_all = bench_now_us();
	char cmd[4096], *src, *slash, base[512] = "", pgbin[512] = "";
	struct rlimit rl;
	int pg_started = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);   /* figures as they come, into a file too */
	if (argc < 2)
		die("usage: bench_live PATH/TO/cati");
	if (!(cati = realpath(argv[1], NULL)))
		die("usage: bench_live PATH/TO/cati (no such file)");
	snprintf(store_bin, sizeof store_bin, "%s", cati);
	slash = strrchr(store_bin, '/');
	snprintf(slash ? slash + 1 : store_bin, sizeof store_bin - (size_t)(slash ? slash + 1 - store_bin : 0), "cati-store");
	if (access(store_bin, X_OK))
		die("cati-store is not beside cati");
	if (!(src = slurp("forms/cms_jobseeker.form")))
		die("run from the source tree: forms/cms_jobseeker.form is missing");
	nn = env_list("BENCH_LIVE_N", "50", ns, 16);
	ny = env_list("BENCH_LIVE_YEARS", "1", years, 8);
	seconds = getenv("BENCH_LIVE_SECONDS") ? atoi(getenv("BENCH_LIVE_SECONDS")) : 60;
	if (seconds <= 0 || scale <= 0 || !nn || !ny)
		die("BENCH_LIVE_SECONDS and BENCH_LIVE_SCALE must be positive, BENCH_LIVE_N and BENCH_LIVE_YEARS lists");
	burst = getenv("BENCH_LIVE_LOAD") && !strcmp(getenv("BENCH_LIVE_LOAD"), "burst");
	if (getenv("BENCH_LIVE_LOAD") && !burst && strcmp(getenv("BENCH_LIVE_LOAD"), "trickle"))
		die("BENCH_LIVE_LOAD is trickle or burst");
	relogin = !strcmp(client, "relogin");
	if (!relogin && strcmp(client, "keep"))
		die("BENCH_LIVE_CLIENT is keep or relogin");
	for (i = 0; i < nn; i++)
		if (ns[i] > maxn)
			maxn = ns[i];
	/* hundreds of sockets at once */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	rnd_state ^= (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	if (!mkdtemp(dir))
		die("mkdtemp");
	made = 1;
	snprintf(cmd, sizeof cmd, "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=bench CA' 2>/dev/null"
	   " && openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1' 2>/dev/null"
	   " && printf 'subjectAltName=IP:127.0.0.1\\n' >ext"
	   " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null", dir);
	sh(cmd);
	{
		char fp[1024];
		if (!realpath("forms/cms_jobseeker.form", fp))
			die("forms/cms_jobseeker.form");
		make_template(fp);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	printf("live workstations (%s client: %s), syncing every %.0f s for %d s, cms_jobseeker history at scale %.2f;\n"
	       "  workstations connect from 127.0.0.10.. (%d per address, under the store's default 64 per address);\n"
	       "  one template complete = %d records; %s\n",
	       client, relogin ? "new TLS connection, login and registration every sync" : "one login, kept token and connection",
	       PERIOD_S, seconds, scale, PER_ADDRESS, ntmpl,
	       burst ? "load burst: every fourth sync pushes a complete with 3 unanswered calls and a broken-off case"
	             : "load trickle: each sync pushes the 1-3 records an interviewer committed in 5 s");
	fflush(stdout);
	for (b = 0; b < 2; b++) {
		const char *name = b ? "pg" : "sqlite";
		if (!strstr(backends, name))
			continue;
		if (b == 1 && !pg_started) {
			FILE *f;
			snprintf(cmd, sizeof cmd, "fail() { echo \"$*\" >&2; }; TMP=%s PG_FSYNC=on; . tests/support/pg.sh &&"
			         " start_pg && echo \"${PGURL%%postgres}\" >%s/pgbase && echo \"$PGBIN\" >%s/pgbin", dir, dir, dir);
			if (system(cmd) != 0) {
				printf("  PostgreSQL: not measured (not installed or would not start)\n");
				continue;
			}
			snprintf(cmd, sizeof cmd, "%s/pgbase", dir);
			if ((f = fopen(cmd, "r"))) {
				if (!fgets(base, sizeof base, f))
					base[0] = '\0';
				fclose(f);
			}
			snprintf(cmd, sizeof cmd, "%s/pgbin", dir);
			if ((f = fopen(cmd, "r"))) {
				if (!fgets(pgbin, sizeof pgbin, f))
					pgbin[0] = '\0';
				fclose(f);
			}
			base[strcspn(base, "\n")] = pgbin[strcspn(pgbin, "\n")] = '\0';
			db_pg_register();
			pg_started = 1;
			snprintf(pg_stop, sizeof pg_stop, "%s%s/pg_ctl -D %s/pg/data -m fast -w stop >/dev/null 2>&1",
			         getuid() == 0 ? "runuser -u postgres -- " : "", pgbin, dir);
		}
		for (y = 0; y < ny; y++) {
			char where[700], url[512], label[32];
			pid_t pid;
			printf("  %s, %d year%s of history:\n", b ? "PostgreSQL (1 instance, fsync on)" : "SQLite",
			       years[y], years[y] > 1 ? "s" : "");
			fflush(stdout);
			if (b == 0) {
				snprintf(where, sizeof where, "%s/live%d.db", dir, years[y]);
			} else {
				snprintf(where, sizeof where, "%slive%d", base, years[y]);
				snprintf(cmd, sizeof cmd, "%s/psql -X -q %spostgres -c 'CREATE DATABASE live%d'", pgbin, base, years[y]);
				sh(cmd);
			}
			seed(where, src, years[y], scale, maxn);
			pid = store_pid = start_store(b ? "--pg" : "--db", where, url, sizeof url);
			snprintf(label, sizeof label, "%s %dy", name, years[y]);
			idle_pull(url);
			for (i = 0; i < nn; i++)
				live(url, pid, ns[i], relogin, seconds, label);
			idle_pull(url);
			if (!getenv("BENCH_LIVE_BACKLOG") || strcmp(getenv("BENCH_LIVE_BACKLOG"), "0"))
				backlog(url, maxn);
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
			store_pid = 0;
			if (b == 0) {
				snprintf(cmd, sizeof cmd, "rm -f %s %s-wal %s-shm", where, where, where);
				sh(cmd);
			} else {
				snprintf(cmd, sizeof cmd, "%s/psql -X -q %spostgres -c 'DROP DATABASE live%d'", pgbin, base, years[y]);
				sh(cmd);
			}
		}
	}
	printf("  the whole run took %.1f min\n", (bench_now_us() - t_all) / 60e6);
	free(src);
	cleanup();
	return 0;
}
