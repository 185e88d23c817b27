/* fuzz_store.c: libFuzzer target: request bodies into the central store's handlers (push, pull,
 * login, forms, cases, lock, quotas) as server.c calls them, over a SQLite store in /dev/shm
 * set up once with three users, a published form and four cases. The first byte picks the
 * handler, the second the role; the rest is the body (for pull: "cursor\nworkstation"; for a
 * quota list: the study). The checks each handler makes before it calls the store are
 * server.c's, so what reaches the store is what a client could send. It must never crash,
 * leak, or read out of bounds. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cati/central.h"
#include "cati/form.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { H_PUSH, H_PULL, H_LOGIN, H_FORMS, H_CASES, H_LOCK, H_QUOTA_GET, H_QUOTA_SET, H_N };

static struct central *store;       /* lives until exit */
static char path[64];
static const char *const users[] = { "anna", "sup", "adm" };   /* by enum central_role */

/* Remove the store's files at exit. */
static void cleanup(void)
{
	char p[80];

	central_close(store);
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

/* Remove the stores of runs that died without cleanup() (a crash or a leak report ends the
   process with _exit): files named after a process that is gone. */
static void sweep(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *de;
	char p[300];
	long pid;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "cati-fuzz-store-", 16))
			continue;
		pid = strtol(de->d_name + 16, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			snprintf(p, sizeof p, "/dev/shm/%s", de->d_name);
			unlink(p);
		}
	}
	closedir(d);
}

/* Read a whole file (free() it), or NULL. */
static char *slurp(const char *name)
{
	FILE *f = fopen(name, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = 0;
	fclose(f);
	return s;
}

/* Publish a form's source as do_form does; 0 or -1. */
static int publish(const char *user, enum central_role role, const char *name, const char *src)
{
	struct form_diags d;
	struct form *f;
	struct err e;
	char hash[65];
	int rc = -1;

	form_diags_init(&d);
	f = form_compile(name ? name : "form", src, strlen(src), &d);
	form_diags_release(&d);
	if (!f)
		return -1;
	err_init(&e);
	if (central_may_manage(store, user, role, f->id) &&
	    central_form_put(store, f->id, f->version, src, hash, &e) == 0 && central_quota_seed(store, f, &e) == 0)
		rc = 0;
	form_free(f);
	return rc;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *form = getenv("FUZZ_STORE_FORM");
	struct err e;
	char *src;
	json_t *cases;

	(void)argc;
	(void)argv;
	sweep();
	snprintf(path, sizeof path, "/dev/shm/cati-fuzz-store-%ld.db", (long)getpid());
	err_init(&e);
	if (!(store = central_open(path, &e))) {
		fprintf(stderr, "fuzz_store: %s\n", e.msg);
		exit(1);
	}
	atexit(cleanup);
	if (central_user_add(store, "anna", "interviewer", "pw-anna", &e) < 0 ||
	    central_user_add(store, "sup", "supervisor", "pw-sup", &e) < 0 ||
	    central_user_projects(store, "sup", "cms_jobseeker", &e) < 0 ||
	    central_user_add(store, "adm", "admin", "pw-adm", &e) < 0) {
		fprintf(stderr, "fuzz_store: %s\n", e.msg);
		exit(1);
	}
	src = slurp(form ? form : "forms/cms_jobseeker.form");
	if (!src || publish("adm", CENTRAL_ADMIN, NULL, src) < 0) {
		fprintf(stderr, "fuzz_store: cannot publish forms/cms_jobseeker.form (run from the source tree)\n");
		exit(1);
	}
	free(src);
	cases = json_loads("[{\"id\":\"C1\",\"phone\":\"1\",\"fields\":{\"region\":\"9\",\"office\":\"W\",\"custtype\":\"1\",\"age\":\"30\"},\"interviewer\":\"anna\"},"
	                   "{\"id\":\"C2\",\"phone\":\"2\",\"fields\":{\"region\":\"9\",\"office\":\"W\",\"custtype\":\"2\",\"age\":\"40\"},\"interviewer\":\"anna\"},"
	                   "{\"id\":\"C3\",\"phone\":\"3\",\"fields\":{},\"interviewer\":\"sup\"},"
	                   "{\"id\":\"C4\",\"phone\":\"4\",\"fields\":{}}]", 0, NULL);
	if (!cases || central_cases_put(store, "cms_jobseeker", cases, CENTRAL_DNC_NONE, &e) < 0) {
		fprintf(stderr, "fuzz_store: cases: %s\n", e.msg);
		exit(1);
	}
	json_decref(cases);
	return 0;
}

/* server.c's unknown_field: a key outside allowed. */
static int unknown(json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	int i, ok;

	json_object_foreach(o, k, v) {
		(void)v;
		for (ok = 0, i = 0; allowed[i]; i++)
			ok |= !strcmp(allowed[i], k);
		if (!ok)
			return 1;
	}
	return 0;
}

static void push(const char *user, enum central_role role, json_t *in)
{
	static const char *const allowed[] = { "records", "workstation", NULL };
	json_t *records = json_object_get(in, "records"), *ws = json_object_get(in, "workstation"), *result;
	struct err e;

	if (unknown(in, allowed) || !json_is_array(records) || json_array_size(records) > 5000)
		return;
	if (ws && (!json_is_string(ws) || strlen(json_string_value(ws)) > 64))
		return;
	result = json_array();
	err_init(&e);
	central_push(store, user, role, ws ? json_string_value(ws) : NULL, records, result, &e);
	json_decref(result);
}

static void pull(const char *user, enum central_role role, const char *body)
{
	const char *nl = strchr(body, '\n'), *ws = nl ? nl + 1 : NULL;
	char *end = NULL;
	long long cursor = strtoll(body, &end, 10);
	json_t *out = NULL;
	struct err e;

	if ((end != nl && *end) || cursor < 0 || (ws && strlen(ws) > 64))
		return;
	err_init(&e);
	if (central_pull(store, user, role, ws, cursor, &out, &e) == 0)
		json_decref(out);
}

static void login(json_t *in)
{
	static const char *const allowed[] = { "user", "password", NULL };
	const char *user = json_string_value(json_object_get(in, "user"));
	const char *pw = json_string_value(json_object_get(in, "password"));
	enum central_role role;
	char token[65], who[65];
	struct err e;
	int rc;

	if (unknown(in, allowed) || !user || !pw)
		return;
	err_init(&e);
	rc = central_login(store, user, pw, "127.0.0.1", 3600, token, &role, &e);
	if (rc == CENTRAL_OK && central_auth(store, token, who, &role) < 0)
		abort();   /* a fresh token must be valid */
}

static void cases(const char *user, enum central_role role, json_t *in)
{
	static const char *const allowed[] = { "form_id", "cases", NULL };
	const char *form_id = json_string_value(json_object_get(in, "form_id"));
	json_t *list = json_object_get(in, "cases");
	struct err e;

	if (role == CENTRAL_INTERVIEWER || unknown(in, allowed) || !form_id || !json_is_array(list))
		return;
	if (!central_may_manage(store, user, role, form_id))
		return;
	err_init(&e);
	central_cases_put(store, form_id, list, CENTRAL_DNC_NONE, &e);
}

static void lock(const char *user, enum central_role role, json_t *in)
{
	static const char *const allowed[] = { "case", "seconds", "workstation", NULL };
	const char *key = json_string_value(json_object_get(in, "case"));
	const char *ws = json_string_value(json_object_get(in, "workstation"));
	json_t *sec = json_object_get(in, "seconds");
	int64_t until = 0;
	char who[80];
	struct err e;

	if (unknown(in, allowed) || !key || !*key || !json_is_integer(sec) || json_integer_value(sec) < 1 ||
	    json_integer_value(sec) > 86400)
		return;
	if (json_object_get(in, "workstation") && (!ws || strlen(ws) > 64))
		return;
	err_init(&e);
	central_lock(store, user, role, ws ? ws : user, key, (int)json_integer_value(sec), who, sizeof who, &until, &e);
}

static void quota_get(const char *user, enum central_role role, const char *study)
{
	json_t *out = NULL;
	struct err e;

	if (role == CENTRAL_INTERVIEWER || !central_may_manage(store, user, role, study))
		return;
	err_init(&e);
	if (central_quota_list(store, study, &out, &e) == 0)
		json_decref(out);
}

static void quota_set(const char *user, enum central_role role, json_t *in)
{
	static const char *const allowed[] = { "study", "quota", "cell", "target", "closed", "allowance", NULL };
	const char *study = json_string_value(json_object_get(in, "study"));
	long target = -1, allowance = -1;
	int closed = -1;
	json_t *x;
	struct err e;

	if (role == CENTRAL_INTERVIEWER || unknown(in, allowed) || !study || !json_is_string(json_object_get(in, "quota")))
		return;
	if (json_object_get(in, "cell") && !json_is_string(json_object_get(in, "cell")))
		return;
	if ((x = json_object_get(in, "target"))) {
		if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 1000000)
			return;
		target = (long)json_integer_value(x);
	}
	if ((x = json_object_get(in, "allowance"))) {
		if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 1000)
			return;
		allowance = (long)json_integer_value(x);
	}
	if ((x = json_object_get(in, "closed"))) {
		if (!json_is_boolean(x))
			return;
		closed = json_is_true(x);
	}
	if ((target < 0 && allowance < 0 && closed < 0) || !central_may_manage(store, user, role, study))
		return;
	err_init(&e);
	central_quota_set(store, study, json_string_value(json_object_get(in, "quota")),
	                  json_string_value(json_object_get(in, "cell")), target, closed, allowance, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum central_role role;
	const char *user;
	char *body;
	json_t *in = NULL;
	int h;

	if (size < 2 || size > 1 << 20)
		return 0;
	h = data[0] % H_N;
	role = (enum central_role)(data[1] % 3);
	user = users[role];
	body = malloc(size - 1);
	memcpy(body, data + 2, size - 2);
	body[size - 2] = 0;
	if (h != H_PULL && h != H_QUOTA_GET) {
		/* handle() in server.c: the body must be a JSON object */
		in = json_loadb(body, size - 2, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(in))
			goto out;
	}
	switch (h) {
	case H_PUSH: push(user, role, in); break;
	case H_PULL: pull(user, role, body); break;
	case H_LOGIN: login(in); break;
	case H_FORMS:
		if (role != CENTRAL_INTERVIEWER && json_is_string(json_object_get(in, "source")) &&
		    !(json_object_get(in, "name") && !json_is_string(json_object_get(in, "name"))) &&
		    json_object_size(in) <= 2)
			publish(user, role, json_string_value(json_object_get(in, "name")),
			        json_string_value(json_object_get(in, "source")));
		break;
	case H_CASES: cases(user, role, in); break;
	case H_LOCK: lock(user, role, in); break;
	case H_QUOTA_GET: quota_get(user, role, body); break;
	case H_QUOTA_SET: quota_set(user, role, in); break;
	}
out:
	json_decref(in);
	free(body);
	return 0;
}
