/*
 * bench_sync.c: pushing completed interviews to the real cati-store over HTTPS on loopback.
 *
 *   1. one workstation pushes 10,000 completed interviews of a 40-question form: interviews and
 *      records per second, and the latency of each push request;
 *   2. 50 workstations push 40 interviews each, all at once: throughput and p99 latency;
 *   3. the same request bodies sent by bare libcurl (one kept-open connection, no bookkeeping)
 *      to an address the store answers with 404 after reading the body: the transport's limit;
 *   4. the store's backends: the 50 workstations of 2 again, each time into a new store, on
 *      SQLite, on PostgreSQL with one instance and with two instances on the same database (the
 *      workstations split between them, as a load balancer would): records per second and the
 *      ratios. PostgreSQL runs here on a private port with fsync on, as SQLite syncs its WAL.
 *
 * The store and certificates are made here (openssl); the workstations' outboxes are filled by
 * one real interview (cati interview) cloned in SQL with fresh UUIDs, case keys and interview ids.
 * Usage: bench_sync PATH/TO/cati   (cati-store beside it). Figures go to stdout.
 */
#define _XOPEN_SOURCE 700   /* realpath */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "cati/central.h"
#include "cati/db.h"
#include "cati/pg.h"
#include "cati/store.h"
#include "cati/sync.h"

static int SOLO = 10000;    /* interviews from one workstation ($BENCH_SYNC_SOLO for a quick look) */
#define WORKSTATIONS 50
#define EACH 40             /* interviews per concurrent workstation */
#define QUESTIONS 40

static char dir[] = "/var/tmp/cati-bench-sync-XXXXXX";
static char *cati;
static int made;
static char store_bin[1024];

static pid_t stores[8];   /* stores started and not yet stopped: die() stops them */

/* Stop a store this benchmark started and forget it. */
static void stop_store(pid_t pid)
{
	size_t i;

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	for (i = 0; i < sizeof stores / sizeof stores[0]; i++)
		if (stores[i] == pid)
			stores[i] = 0;
}

static void die(const char *what)
{
	char cmd[600];
	size_t i;

	fprintf(stderr, "bench_sync: %s\n", what);
	for (i = 0; i < sizeof stores / sizeof stores[0]; i++)
		if (stores[i] > 0)
			kill(stores[i], SIGTERM);
	if (made) {   /* take the temporary directory away */
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_sync: could not remove %s\n", dir);
	}
	exit(1);
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_sync: failed: %s\n", cmd);
		exit(1);
	}
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f))
		die("cannot write a file in the temporary directory");
}

static char *form_source(void)
{
	struct buf b;
	int i;

	buf_init(&b);
	buf_printf(&b, "form benchsync\ntitle en \"Sync benchmark\"\nversion 1\nlanguages en\ncase region\n\n"
	               "scale sat6\n  1 en \"very satisfied\"\n  2 en \"satisfied\"\n  3 en \"rather satisfied\"\n"
	               "  4 en \"rather dissatisfied\"\n  5 en \"dissatisfied\"\n  6 en \"very dissatisfied\"\n\n");
	for (i = 1; i <= QUESTIONS; i++)
		buf_printf(&b, "single q%d sat6 dk rf\n  say en \"How satisfied are you with aspect %d?\"\n\n", i, i);
	return xstrdup(buf_str(&b));
}

/* A workstation database: the form, the cases, one real interview cloned onto every case (each
   clone with its own interview id, and its own call id: the store keeps a call with its case). */
static void make_workstation(const char *db, const char *prefix, int n, const char *who)
{
	char path[512], cmd[2048], key[64];
	struct buf csv;
	sqlite3 *h;
	sqlite3_stmt *s;
	int i;

	buf_init(&csv);
	buf_printf(&csv, "id,phone,region\n");
	for (i = 0; i < n; i++)
		buf_printf(&csv, "%s%05d,+43 1 %07d,%d\n", prefix, i, i, 1 + i % 9);
	snprintf(path, sizeof path, "%s.csv", prefix);
	write_file(path, buf_str(&csv));
	buf_release(&csv);
	snprintf(cmd, sizeof cmd, "cd %s && %s sample import %s.csv --form bench.form --db %s >/dev/null",
	         dir, cati, prefix, db);
	sh(cmd);
	snprintf(cmd, sizeof cmd, "cd %s && (i=0; while [ $i -lt %d ]; do echo 'a 1'; i=$((i+1)); done; echo q) |"
	         " %s interview --db %s --case %s00000 --interviewer %s >/dev/null", dir, QUESTIONS, cati, db, prefix, who);
	sh(cmd);
	snprintf(path, sizeof path, "%s/%s", dir, db);
	if (sqlite3_open(path, &h) != SQLITE_OK)
		die("cannot open a workstation database");
	snprintf(cmd, sizeof cmd, "PRAGMA synchronous = OFF; BEGIN;"
	         "CREATE TEMP TABLE template AS SELECT id, kind, ref, created_at, payload FROM outbox"
	         " WHERE json_extract(payload, '$.case') = '%s00000';", prefix);
	if (sqlite3_exec(h, cmd, NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(h));
	if (sqlite3_prepare_v2(h,
		"INSERT INTO outbox(uuid, kind, ref, created_at, payload)"
		" SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'"
		"   || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),"
		" kind, ref, created_at, CASE WHEN kind = 'attempt' AND json_extract(payload, '$.uuid') IS NOT NULL"
		"   THEN json_set(payload, '$.case', ?1, '$.interview', ?2, '$.uuid', ?2 || '-call')"
		"   ELSE json_set(payload, '$.case', ?1, '$.interview', ?2) END"
		" FROM temp.template ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(h));
	for (i = 1; i < n; i++) {
		char iv[64];
		snprintf(key, sizeof key, "%s%05d", prefix, i);
		snprintf(iv, sizeof iv, "bench-%s-%05d", prefix, i);
		sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, iv, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_DONE)
			die(sqlite3_errmsg(h));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
}

/* Latencies of push requests, collected from the progress callback. */
struct lat {
	double *v;
	int n, cap;
	pthread_mutex_t mu;
};

static void on_batch(const struct sync_report *r, long waiting, void *ctx)
{
	struct lat *l = ctx;

	(void)waiting;
	pthread_mutex_lock(&l->mu);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
	}
	l->v[l->n++] = r->last_ms;
	pthread_mutex_unlock(&l->mu);
}

static struct sync_settings settings;

struct job {
	char db[512], user[32];
	struct sync_settings *set;
	struct lat *lat;
	struct sync_report r;
	int rc;
};

static void *run_sync(void *arg)
{
	struct job *j = arg;
	struct store *st;
	enum store_rc src;
	struct err e;

	err_init(&e);
	if (!(st = store_open(j->db, &src, &e))) {
		fprintf(stderr, "bench_sync: %s\n", e.msg);
		j->rc = -1;
		return NULL;
	}
	memset(&j->r, 0, sizeof j->r);
	j->r.progress = on_batch;
	j->r.ctx = j->lat;
	j->rc = sync_run(st, j->set ? j->set : &settings, j->user, "bench-pw", &j->r, &e);
	if (j->rc != SYNC_OK)
		fprintf(stderr, "bench_sync: %s: %s\n", j->user, e.msg);
	store_close(st);
	return NULL;
}

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static void append_dump(json_t *all, json_t *o)
{
	char *d = json_dumps(o, JSON_COMPACT);

	json_array_append_new(all, json_string(d));
	free(d);
	json_decref(o);
}

/* The request bodies a sync of db would send, in batches of 500 records. */
static json_t *bodies_of(const char *db)
{
	json_t *all = json_array(), *records = NULL;
	sqlite3 *h;
	sqlite3_stmt *s;
	int n = 0;

	if (sqlite3_open(db, &h) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT uuid, kind, payload FROM outbox ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		die("cannot read an outbox");
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *r = json_object();
		if (!records)
			records = json_array();
		json_object_set_new(r, "uuid", json_string((const char *)sqlite3_column_text(s, 0)));
		json_object_set_new(r, "kind", json_string((const char *)sqlite3_column_text(s, 1)));
		json_object_set_new(r, "data", json_loads((const char *)sqlite3_column_text(s, 2), 0, NULL));
		json_array_append_new(records, r);
		if (++n % 500 == 0) {
			json_t *o = json_object();
			json_object_set_new(o, "records", records);
			append_dump(all, o);
			records = NULL;
		}
	}
	if (records) {
		json_t *o = json_object();
		json_object_set_new(o, "records", records);
		append_dump(all, o);
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
	return all;
}

/* A new store at where (a file or a PostgreSQL URL): the 50 workstations' users and cases, and
   with solo the single workstation's. */
static void setup_store(const char *where, const char *src, int with_solo)
{
	struct central *c;
	struct err e;
	json_t *cases = json_array();
	char hash[65];
	int i;

	err_init(&e);
	if (!(c = central_open(where, &e)))
		die(e.msg);
	if (central_form_put(c, "benchsync", "1", src, hash, &e) < 0)
		die(e.msg);
	if (with_solo && central_user_add(c, "solo", "interviewer", "bench-pw", &e) < 0)
		die(e.msg);
	for (i = 0; with_solo && i < SOLO; i++) {
		json_t *k = json_object();
		char key[32];
		snprintf(key, sizeof key, "S%05d", i);
		json_object_set_new(k, "id", json_string(key));
		json_object_set_new(k, "phone", json_string("+43 1 0"));
		json_object_set_new(k, "interviewer", json_string("solo"));
		json_array_append_new(cases, k);
	}
	for (i = 0; i < WORKSTATIONS; i++) {
		char user[32], key[32];
		int k;
		snprintf(user, sizeof user, "w%02d", i);
		if (central_user_add(c, user, "interviewer", "bench-pw", &e) < 0)
			die(e.msg);
		for (k = 0; k < EACH; k++) {
			json_t *o = json_object();
			snprintf(key, sizeof key, "W%02d%05d", i, k);
			json_object_set_new(o, "id", json_string(key));
			json_object_set_new(o, "phone", json_string("+43 1 0"));
			json_object_set_new(o, "interviewer", json_string(user));
			json_array_append_new(cases, o);
		}
	}
	if (central_cases_put(c, "benchsync", cases, CENTRAL_DNC_NONE, &e) < 0)
		die(e.msg);
	json_decref(cases);
	central_close(c);
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
	for (size_t i = 0; i < sizeof stores / sizeof stores[0]; i++)
		if (!stores[i]) {
			stores[i] = pid;
			break;
		}
	out = fdopen(pipefd[0], "r");
	if (!out || !fgets(line, sizeof line, out) || !strstr(line, "https://"))
		die("the store did not start");
	fclose(out);
	line[strcspn(line, "\n")] = '\0';
	snprintf(url, n, "%s", strstr(line, "https://"));
	return pid;
}

/* Push every workstation's interviews at once; jobs[i].set says where. Seconds, records. */
static double push_all(struct job *jobs, struct lat *lat, long *records)
{
	pthread_t th[WORKSTATIONS];
	double t0 = bench_now_us(), t;
	int i;

	*records = 0;
	for (i = 0; i < WORKSTATIONS; i++) {
		jobs[i].lat = lat;
		pthread_create(&th[i], NULL, run_sync, &jobs[i]);
	}
	for (i = 0; i < WORKSTATIONS; i++)
		pthread_join(th[i], NULL);
	t = (bench_now_us() - t0) / 1e6;
	for (i = 0; i < WORKSTATIONS; i++) {
		if (jobs[i].rc != SYNC_OK || jobs[i].r.stored != jobs[i].r.pushed)
			die("a concurrent workstation's sync failed");
		*records += jobs[i].r.pushed;
	}
	return t;
}

/*
 * 4. The 50 workstations into a new store each time: SQLite, PostgreSQL with one instance, with
 * two. PostgreSQL is started here by tests/support/pg.sh (fsync on), when it is installed.
 */
static void backends(struct job *jobs, const char *src)
{
	static const char *const names[] = { "SQLite, 1 instance", "PostgreSQL, 1 instance", "PostgreSQL, 2 instances" };
	struct sync_settings set[2];
	char cmd[2048], base[512] = "", pgbin[512] = "", where[600];
	double rate[3];
	int b, i, k;
	FILE *f;

	printf("  store backends, %d workstations at once, %d interviews each, each into a new store:\n",
	       WORKSTATIONS, EACH);
	snprintf(cmd, sizeof cmd, "fail() { echo \"$*\" >&2; }; TMP=%s PG_FSYNC=on; . tests/support/pg.sh &&"
	         " start_pg && echo \"${PGURL%%postgres}\" >%s/pgbase && echo \"$PGBIN\" >%s/pgbin", dir, dir, dir);
	if (system(cmd) != 0) {
		printf("    PostgreSQL: not measured (not installed or would not start: scripts/install-deps installs it)\n");
		return;
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
	for (b = 0; b < 3; b++) {
		struct lat lat = { 0 };
		pid_t pids[2];
		long records;
		double t, med, p99;
		int n = b == 2 ? 2 : 1;

		if (b == 0) {
			snprintf(where, sizeof where, "%s/backend.db", dir);
		} else {
			snprintf(where, sizeof where, "%sb%d", base, b);
			snprintf(cmd, sizeof cmd, "%s/psql -X -q %spostgres -c 'CREATE DATABASE b%d'", pgbin, base, b);
			sh(cmd);
		}
		setup_store(where, src, 0);
		snprintf(cmd, sizeof cmd, "cd %s && for f in unsent-w*.db; do cp \"$f\" \"${f#unsent-}\"; rm -f \"${f#unsent-}-wal\" \"${f#unsent-}-shm\"; done", dir);
		sh(cmd);
		for (k = 0; k < n; k++) {
			memset(&set[k], 0, sizeof set[k]);
			pids[k] = start_store(b ? "--pg" : "--db", where, set[k].url, sizeof set[k].url);
			snprintf(set[k].cacert, sizeof set[k].cacert, "%s/ca.pem", dir);
		}
		for (i = 0; i < WORKSTATIONS; i++)
			jobs[i].set = &set[i % n];
		pthread_mutex_init(&lat.mu, NULL);
		t = push_all(jobs, &lat, &records);
		bench_stats(lat.v, lat.n, &med, &p99);
		rate[b] = records / t;
		printf("    %-24s %ld records in %5.1f s: %6.0f records/s, %4.0f interviews/s; push median %.0f ms, p99 %.0f ms\n",
		       names[b], records, t, rate[b], WORKSTATIONS * EACH / t, med, p99);
		for (k = 0; k < n; k++) {
			stop_store(pids[k]);
		}
		free(lat.v);
	}
	printf("    ratios: PostgreSQL 1 instance / SQLite %.2f, 2 instances / SQLite %.2f, 2 instances / 1 instance %.2f\n",
	       rate[1] / rate[0], rate[2] / rate[0], rate[2] / rate[1]);
	snprintf(cmd, sizeof cmd, "%s%s/pg_ctl -D %s/pg/data -m fast -w stop >/dev/null 2>&1",
	         getuid() == 0 ? "runuser -u postgres -- " : "", pgbin, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_sync: could not stop PostgreSQL\n");
	for (i = 0; i < WORKSTATIONS; i++)
		jobs[i].set = NULL;
}

int main(int argc, char **argv)
{
	char path[1024], *src, *slash;
	pid_t pid;
	int i;
	double t0, t_solo, t_many, t_bare, med, p99;
	long records_solo = 0, records_many = 0;
	size_t bytes = 0;
	struct lat lat_solo = { 0 }, lat_many = { 0 };
	struct job solo, *jobs;

	if (argc < 2)
		die("usage: bench_sync PATH/TO/cati");
	if (!(cati = realpath(argv[1], NULL)))
		die("usage: bench_sync PATH/TO/cati (no such file)");
	snprintf(store_bin, sizeof store_bin, "%s", cati);
	slash = strrchr(store_bin, '/');
	snprintf(slash ? slash + 1 : store_bin, sizeof store_bin - (size_t)(slash ? slash + 1 - store_bin : 0), "cati-store");
	if (access(store_bin, X_OK))
		die("cati-store is not beside cati");
	if (getenv("BENCH_SYNC_SOLO") && atoi(getenv("BENCH_SYNC_SOLO")) > 0)
		SOLO = atoi(getenv("BENCH_SYNC_SOLO"));
	if (!mkdtemp(dir))
		die("mkdtemp");
	made = 1;
	printf("sync over HTTPS on loopback (%d questions per interview):\n", QUESTIONS);

	/* certificates for 127.0.0.1, signed by a CA made here */
	snprintf(path, sizeof path, "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=bench CA' 2>/dev/null"
	   " && openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1' 2>/dev/null"
	   " && printf 'subjectAltName=IP:127.0.0.1\\n' >ext"
	   " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null", dir);
	sh(path);

	/* the store: users, the form, the cases */
	src = form_source();
	write_file("bench.form", src);
	snprintf(path, sizeof path, "%s/central.db", dir);
	setup_store(path, src, 1);
	/* the workstations */
	make_workstation("solo.db", "S", SOLO, "solo");
	for (i = 0; i < WORKSTATIONS; i++) {
		char db[32], prefix[32], user[32];
		snprintf(db, sizeof db, "w%02d.db", i);
		snprintf(prefix, sizeof prefix, "W%02d", i);
		snprintf(user, sizeof user, "w%02d", i);
		make_workstation(db, prefix, EACH, user);
	}
	/* copies as they are before their sync, for part 4 */
	snprintf(path, sizeof path, "cd %s && for f in w*.db; do cp \"$f\" \"unsent-$f\"; done", dir);
	sh(path);

	/* start the store, read its port */
	snprintf(path, sizeof path, "%s/central.db", dir);
	pid = start_store("--db", path, settings.url, sizeof settings.url);
	snprintf(settings.cacert, sizeof settings.cacert, "%s/ca.pem", dir);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	/* 1. one workstation, 10,000 interviews */
	pthread_mutex_init(&lat_solo.mu, NULL);
	memset(&solo, 0, sizeof solo);
	snprintf(solo.db, sizeof solo.db, "%s/solo.db", dir);
	snprintf(solo.user, sizeof solo.user, "solo");
	solo.lat = &lat_solo;
	t0 = bench_now_us();
	run_sync(&solo);
	t_solo = (bench_now_us() - t0) / 1e6;
	if (solo.rc != SYNC_OK || solo.r.stored != solo.r.pushed)
		die("the single workstation's sync failed");
	records_solo = solo.r.pushed;
	bench_stats(lat_solo.v, lat_solo.n, &med, &p99);
	printf("  1 workstation, %d interviews (%ld records, %.0f per interview): %.1f s, %.0f interviews/s, %.0f records/s;"
	       " push request median %.1f ms, p99 %.1f ms (%d requests of <= 500 records)\n",
	       SOLO, records_solo, (double)records_solo / SOLO, t_solo, SOLO / t_solo, records_solo / t_solo, med, p99,
	       lat_solo.n);

	/* 2. fifty workstations at once */
	pthread_mutex_init(&lat_many.mu, NULL);
	jobs = calloc(WORKSTATIONS, sizeof *jobs);
	for (i = 0; i < WORKSTATIONS; i++) {
		snprintf(jobs[i].db, sizeof jobs[i].db, "%s/w%02d.db", dir, i);
		snprintf(jobs[i].user, sizeof jobs[i].user, "w%02d", i);
	}
	t_many = push_all(jobs, &lat_many, &records_many);
	bench_stats(lat_many.v, lat_many.n, &med, &p99);
	printf("  %d workstations at once, %d interviews each (%ld records): %.1f s including logins, %.0f interviews/s,"
	       " %.0f records/s; push request median %.1f ms, p99 %.1f ms\n",
	       WORKSTATIONS, EACH, records_many, t_many, WORKSTATIONS * EACH / t_many, records_many / t_many, med, p99);

	/* 3. the same bytes, bare libcurl, to an address the store reads and answers with 404 */
	{
		json_t *bodies;
		CURL *h = curl_easy_init();
		char url[600];
		size_t k, nreq;
		json_t *b;

		snprintf(path, sizeof path, "%s/solo.db", dir);
		bodies = bodies_of(path);
		snprintf(url, sizeof url, "%s/discard", settings.url);
		t0 = bench_now_us();
		json_array_foreach(bodies, k, b) {
			long code = 0;
			curl_easy_reset(h);
			curl_easy_setopt(h, CURLOPT_URL, url);
			curl_easy_setopt(h, CURLOPT_CAINFO, settings.cacert);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_string_value(b));
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)json_string_length(b));
			curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
			if (curl_easy_perform(h) != CURLE_OK)
				die("the bare upload failed");
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
			if (code != 404)
				die("the bare upload was not answered 404");
			bytes += json_string_length(b);
		}
		t_bare = (bench_now_us() - t0) / 1e6;
		nreq = json_array_size(bodies);
		json_decref(bodies);
		curl_easy_cleanup(h);
		printf("  bare libcurl upload of the same %.1f MB (%zu requests, one connection): %.2f s, %.0f MB/s;"
		       " cati's push of the %d interviews takes %.1fx the transport's time\n",
		       bytes / 1e6, nreq, t_bare, bytes / 1e6 / t_bare, SOLO, t_solo / t_bare);
	}
	stop_store(pid);
	backends(jobs, src);
	free(jobs);
	free(src);
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_sync: could not remove %s\n", dir);
	}
	return 0;
}
