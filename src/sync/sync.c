/* sync.c: the HTTPS client of cati-store (libcurl): login, push, pull. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "cati/sync.h"
#include "sync-int.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 500
#define MAX_RESPONSE (64 * 1024 * 1024)
#define TRIES 5

/* One sync's connection: libcurl keeps it (and its TLS session) open from batch to batch. */
struct client {
	const struct sync_settings *s;
	CURL *curl;
	long requests;
	double last_ms;
	struct sync_report *report;
	char ws[37];             /* this workstation's id */
	int quick;               /* one try, short timeouts: someone is waiting at the screen (1),
	                            or enrolling, where a busy store may take longer to answer (2) */
	long status;             /* the last request's HTTP status (0: no answer) */
	long connects;           /* new connections libcurl opened (0: the kept one served) */
	int batch;               /* records the next push carries (sync_batch_next; 0: not yet known) */
	CURLcode cc;             /* the last request's libcurl result, */
	long os_errno;           /* the system's error behind it, */
	char why[CURL_ERROR_SIZE];   /* and libcurl's words for it */
};

void sync_settings_path(struct buf *out)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x)
		buf_printf(out, "%s/cati/settings.json", x);
	else
		buf_printf(out, "%s/.config/cati/settings.json", home && *home ? home : ".");
}

int sync_settings_load(struct sync_settings *s, struct err *e)
{
	struct buf path;
	json_error_t je;
	json_t *o;
	const char *v;

	memset(s, 0, sizeof *s);
	buf_init(&path);
	sync_settings_path(&path);
	o = json_load_file(buf_str(&path), 0, &je);
	if (!o) {
		err_set(e, "this workstation is not enrolled ('%s': %s): run 'cati enroll https://HOST:PORT'",
		        buf_str(&path), je.text);
		buf_release(&path);
		return -1;
	}
	buf_release(&path);
	if ((v = json_string_value(json_object_get(o, "url"))) != NULL)
		snprintf(s->url, sizeof s->url, "%s", v);
	if ((v = json_string_value(json_object_get(o, "cacert"))) != NULL)
		snprintf(s->cacert, sizeof s->cacert, "%s", v);
	s->insecure_http = json_is_true(json_object_get(o, "insecure_http"));
	s->timeout_s = (int)json_integer_value(json_object_get(o, "timeout_s"));
	s->batch = (int)json_integer_value(json_object_get(o, "batch"));
	json_decref(o);
	return 0;
}

int sync_settings_save(const struct sync_settings *s, struct err *e)
{
	struct buf path, tmp;
	json_t *o = json_object();
	char *dir, *slash;
	int rc = 0, fd;
	FILE *f = NULL;

	buf_init(&path);
	sync_settings_path(&path);
	dir = xstrdup(buf_str(&path));
	for (slash = dir + 1; *slash; slash++)
		if (*slash == '/') {
			*slash = '\0';
			mkdir(dir, 0700);
			*slash = '/';
		}
	free(dir);
	json_object_set_new(o, "url", json_string(s->url));
	json_object_set_new(o, "cacert", json_string(s->cacert));
	json_object_set_new(o, "insecure_http", json_boolean(s->insecure_http));
	if (s->timeout_s > 0)
		json_object_set_new(o, "timeout_s", json_integer(s->timeout_s));
	if (s->batch > 0)
		json_object_set_new(o, "batch", json_integer(s->batch));
	/* a new file readable by this user only (whatever the umask), put in place whole */
	buf_init(&tmp);
	buf_printf(&tmp, "%s.tmp", buf_str(&path));
	unlink(buf_str(&tmp));
	fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || !(f = fdopen(fd, "w"))) {
		err_set(e, "cannot write '%s': %s", buf_str(&tmp), strerror(errno));
		if (fd >= 0)
			close(fd);
		rc = -1;
	} else if (json_dumpf(o, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF || fflush(f) != 0 ||
	           fsync(fileno(f)) != 0) {
		err_set(e, "cannot write '%s': %s", buf_str(&tmp), strerror(errno));
		fclose(f);
		rc = -1;
	} else if (fclose(f) != 0 || rename(buf_str(&tmp), buf_str(&path)) != 0) {
		err_set(e, "cannot write '%s': %s", buf_str(&path), strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(buf_str(&tmp));
	json_decref(o);
	buf_release(&tmp);
	buf_release(&path);
	return rc;
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;

	if (b->len + size * n > MAX_RESPONSE)
		return 0;
	buf_add(b, p, size * n);
	return size * n;
}

/*
 * One HTTP request. *status is the HTTP status (0 when no answer). Maps failures: network and
 * 5xx/429 are SYNC_RETRY, certificate problems SYNC_TLS, 401 SYNC_AUTH, other 4xx SYNC_FAIL.
 */
static enum sync_rc http(struct client *cl, const char *method, const char *path,
                         const char *token, const char *body, struct buf *out, long *status,
                         struct err *e)
{
	const struct sync_settings *s = cl->s;
	CURL *c = cl->curl;
	struct curl_slist *h = NULL;
	struct timespec t0, t1;
	char url[1024], auth[128];
	CURLcode cc;
	enum sync_rc rc = SYNC_OK;

	*status = 0;
	buf_reset(out);
	curl_easy_reset(c);   /* keeps the open connection and the TLS session */
	snprintf(url, sizeof url, "%s%s", s->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, s->insecure_http ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cacert[0]) {   /* the organisation's CA alone: the system's list is neither read nor trusted */
		curl_easy_setopt(c, CURLOPT_CAINFO, s->cacert);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cl->quick == 1 ? 3L : 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, cl->quick == 1 ? 5L : cl->quick == 2 ? 30L
	                                     : (long)(s->timeout_s > 0 ? s->timeout_s : 120));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* the store closes a connection idle for 10 s: one idle 8 s is not sent on, lest the two meet */
	curl_easy_setopt(c, CURLOPT_MAXAGE_CONN, 8L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	cl->why[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cl->why);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cl->last_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	cl->requests++;
	cl->cc = cc;
	cl->os_errno = 0;
	cl->status = 0;
	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &cl->os_errno);
	{
		long n = 0;
		if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &n) == CURLE_OK)
			cl->connects += n;
	}
	if (cl->report) {
		cl->report->requests = cl->requests;
		cl->report->last_ms = cl->last_ms;
		cl->report->connects = cl->connects;
	}
	if (cc != CURLE_OK) {
		if (cc == CURLE_SSL_CONNECT_ERROR) {
			/* a handshake that broke off (a busy store, a dropped packet): try again; a store
			   whose certificate the CA does not vouch for fails verification instead */
			err_set(e, "the TLS handshake with the store at %s failed: %s", s->url, curl_easy_strerror(cc));
			rc = SYNC_RETRY;
		} else if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE ||
		           cc == CURLE_SSL_CERTPROBLEM) {
			err_set(e, "cannot trust the store at %s: %s (is the right --cacert enrolled?)", s->url,
			        curl_easy_strerror(cc));
			rc = SYNC_TLS;
		} else if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
			err_set(e, "refusing a plain-http store at %s: use https", s->url);
			rc = SYNC_FAIL;
		} else {
			if (cc == CURLE_OPERATION_TIMEDOUT)
				err_set(e, "the store at %s did not answer within %d s", s->url,
				        s->timeout_s > 0 ? s->timeout_s : 120);
			err_set(e, "cannot reach the store at %s: %s", s->url, curl_easy_strerror(cc));
			rc = SYNC_RETRY;
		}
	} else {
		json_t *o;
		const char *msg = NULL;

		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		cl->status = *status;
		if (*status >= 400) {
			o = json_loads(buf_str(out), 0, NULL);
			msg = o ? json_string_value(json_object_get(o, "error")) : NULL;
			err_set(e, "the store answered %ld: %s", *status, msg ? msg : "(no message)");
			json_decref(o);
			rc = *status == 401 ? SYNC_AUTH : (*status >= 500 || *status == 429) ? SYNC_RETRY : SYNC_FAIL;
		}
	}
	curl_slist_free_all(h);
	return rc;
}

/* http() again with exponential backoff and jitter while the answer is "try again". */
static enum sync_rc http_retry(struct client *s, const char *method, const char *path,
                               const char *token, const char *body, struct buf *out, long *status,
                               struct err *e)
{
	enum sync_rc rc = SYNC_RETRY;
	int i;
	long ms = 200;

	for (i = 0; i < (s->quick ? 1 : TRIES) && rc == SYNC_RETRY; i++) {
		struct err e1;

		err_init(&e1);
		rc = http(s, method, path, token, body, out, status, &e1);
		if (rc == SYNC_OK)
			return rc;
		if (rc != SYNC_RETRY || i == TRIES - 1 || s->quick) {
			err_set(e, "%s", e1.msg);
			return rc;
		}
		if (s->report) {
			s->report->retries++;
			snprintf(s->report->retry_why, sizeof s->report->retry_why, "%.299s", e1.msg);
		}
		{
			struct timespec ts;
			long wait = ms + (long)(rand() % (int)(ms / 2 + 1));
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = (wait % 1000) * 1000000L;
			nanosleep(&ts, NULL);
			ms *= 2;
		}
	}
	return rc;
}

/* Log in with the password: a fresh token on SYNC_OK (the only request that carries the password). */
static enum sync_rc login(struct client *s, const char *user, const char *password,
                          char token[65], struct err *e)
{
	json_t *req = json_object(), *o;
	char *body;
	struct buf out;
	long status;
	enum sync_rc rc;
	const char *t;

	json_object_set_new(req, "user", json_string(user));
	json_object_set_new(req, "password", json_string(password));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&out);
	rc = http_retry(s, "POST", "/v1/login", NULL, body, &out, &status, e);
	/* the body held the password */
	memset(body, 0, strlen(body));
	free(body);
	if (rc == SYNC_OK) {
		o = json_loads(buf_str(&out), 0, NULL);
		t = o ? json_string_value(json_object_get(o, "token")) : NULL;
		if (!t || strlen(t) != 64) {
			err_set(e, "the store's login answer has no token");
			rc = SYNC_FAIL;
		} else {
			memcpy(token, t, 65);
		}
		json_decref(o);
	}
	buf_release(&out);
	return rc;
}

/* Register this workstation under the logged-in user (the store keeps the first user's; a
   second registration of the same is a no-op): only registered workstations get allowances and locks. */
static enum sync_rc register_ws(struct client *s, const char *token, struct err *e)
{
	json_t *req = json_object();
	char host[256] = "";
	char *body;
	struct buf out;
	long status;
	enum sync_rc rc;

	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	json_object_set_new(req, "workstation", json_string(s->ws));
	json_object_set_new(req, "name", json_string(host));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&out);
	rc = http_retry(s, "POST", "/v1/workstations", token, body, &out, &status, e);
	free(body);
	buf_release(&out);
	return rc;
}

/* Is host this machine by one of the three names --insecure-http accepts (curl gives [::1])? */
static int loopback(const char *host)
{
	return !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") || !strcmp(host, "::1") ||
	       !strcmp(host, "localhost") || !strcmp(host, "LOCALHOST");
}

/* Parse the address with libcurl's URL API, never by prefix: 127.0.0.1.example.org is not this machine. */
int sync_check_url(struct sync_settings *s, struct err *e)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *extra = NULL;
	CURLUcode uc;
	int rc = -1;

	if (!u)
		abort();   /* out of memory */
	uc = curl_url_set(u, CURLUPART_URL, s->url, 0);
	if (uc != CURLUE_OK) {
		err_set(e, "cannot parse the store's address '%s': %s", s->url, curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		err_set(e, "cannot parse the store's address '%s': no host", s->url);
		goto out;
	}
	if (s->insecure_http && !loopback(host)) {
		err_set(e, "--insecure-http is only for a store on this machine (127.0.0.1, ::1 or localhost), not '%s'",
		        host);
		goto out;
	}
	if (strcmp(scheme, "https") && !(s->insecure_http && !strcmp(scheme, "http"))) {
		err_set(e, "the store's address must be https://HOST:PORT, not '%s'", s->url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &extra, 0) != CURLUE_NO_USER ||
	    curl_url_get(u, CURLUPART_QUERY, &extra, 0) != CURLUE_NO_QUERY ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &extra, 0) != CURLUE_NO_FRAGMENT ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK || strcmp(path, "/")) {
		err_set(e, "the store's address must be https://HOST:PORT, not '%s'", s->url);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);   /* none: the scheme's own */
	snprintf(s->url, sizeof s->url, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(extra);
	curl_url_cleanup(u);
	return rc;
}

/* The CA file exists and can be read: s->cacert becomes its absolute path. */
static int check_cacert(struct sync_settings *s, struct err *e)
{
	char *abs, byte;
	FILE *f;

	if (!s->cacert[0])
		return 0;
	abs = realpath(s->cacert, NULL);
	if (!abs) {
		err_set(e, "cannot read the CA file '%s': %s", s->cacert, strerror(errno));
		return -1;
	}
	f = fopen(abs, "r");
	if (!f || (fread(&byte, 1, 1, f) != 1 && ferror(f))) {
		err_set(e, "cannot read the CA file '%s': %s", s->cacert, strerror(errno));
		if (f)
			fclose(f);
		free(abs);
		return -1;
	}
	fclose(f);
	if (strlen(abs) >= sizeof s->cacert) {
		err_set(e, "cannot use the CA file '%s': its path is longer than %zu bytes", abs,
		        sizeof s->cacert - 1);
		free(abs);
		return -1;
	}
	snprintf(s->cacert, sizeof s->cacert, "%s", abs);
	free(abs);
	return 0;
}

/* Say in enroll's words why the one request of sync_check_store failed. */
static enum sync_rc enroll_why(const struct client *cl, const struct sync_settings *s, struct err *e)
{
	const char *why = cl->why[0] ? cl->why : curl_easy_strerror(cl->cc);

	switch (cl->cc) {
	case CURLE_COULDNT_CONNECT:
		if (cl->os_errno == ECONNREFUSED)
			err_set(e, "cannot reach the store at %s: connection refused", s->url);
		else
			err_set(e, "cannot reach the store at %s: %s", s->url,
			        cl->os_errno ? strerror((int)cl->os_errno) : why);
		return SYNC_RETRY;
	case CURLE_COULDNT_RESOLVE_HOST:
		err_set(e, "cannot reach the store at %s: no such host", s->url);
		return SYNC_RETRY;
	case CURLE_OPERATION_TIMEDOUT:
		err_set(e, "cannot reach the store at %s: no answer within %d s", s->url,
		        cl->quick == 1 ? 5 : cl->quick == 2 ? 30 : s->timeout_s > 0 ? s->timeout_s : 120);
		return SYNC_RETRY;
	case CURLE_PEER_FAILED_VERIFICATION:
		if (strstr(why, "subject name") || strstr(why, "does not match"))
			err_set(e, "the store's certificate is not for %s (%s)", s->url, why);
		else if (s->cacert[0])
			err_set(e, "the store's certificate is not trusted by the CA file '%s' (%s)", s->cacert, why);
		else
			err_set(e, "the store's certificate is not trusted by this system's CAs (%s): enroll with --cacert CA.pem",
			        why);
		return SYNC_TLS;
	case CURLE_SSL_CACERT_BADFILE:
		err_set(e, "cannot use the CA file '%s': %s", s->cacert, why);
		return SYNC_TLS;
	case CURLE_SSL_CONNECT_ERROR:
		err_set(e, "cannot make a TLS connection to the store at %s: %s", s->url, why);
		return SYNC_TLS;
	default:
		err_set(e, "cannot reach the store at %s: %s", s->url, why);
		return SYNC_RETRY;
	}
}

/* The CA file, then one request through http(), the one door to the network. */
enum sync_rc sync_check_store(struct sync_settings *s, struct err *e)
{
	struct client cl;
	struct buf out;
	struct err e1;
	long status = 0;
	enum sync_rc rc;

	if (check_cacert(s, e) < 0)
		return SYNC_FAIL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(&cl, 0, sizeof cl);
	cl.s = s;
	cl.quick = 2;
	if (!(cl.curl = curl_easy_init())) {
		err_set(e, "cannot start libcurl");
		return SYNC_FAIL;
	}
	buf_init(&out);
	err_init(&e1);
	/* the cheapest question a store answers without a password: "use POST" */
	rc = http(&cl, "GET", "/v1/login", NULL, NULL, &out, &status, &e1);
	if (!status) {
		rc = enroll_why(&cl, s, e);
	} else if (status == 404) {
		err_set(e, "the server at %s is not a cati store (GET /v1/login answered 404)", s->url);
		rc = SYNC_FAIL;
	} else if (status >= 500) {
		err_set(e, "the store at %s cannot serve now: %s", s->url, e1.msg);
		rc = SYNC_RETRY;
	} else {
		rc = SYNC_OK;
	}
	buf_release(&out);
	curl_easy_cleanup(cl.curl);
	return rc;
}

int sync_batch_next(int n, double took_ms, int max)
{
	int lo = max < SYNC_BATCH_MIN ? max : SYNC_BATCH_MIN;

	if (took_ms > SYNC_BATCH_SLOW_MS && n > lo)
		n /= 2;
	else if (took_ms < SYNC_BATCH_QUICK_MS && n < max)
		n = n > max / 2 ? max : n * 2;
	return n < lo ? lo : n > max ? max : n;
}

struct batch {
	json_t *records;
	int64_t ids[BATCH];
	char uuids[BATCH][37];
	int n;
};

static void add_record(void *ctx, int64_t id, const char *uuid, const char *kind, const char *payload)
{
	struct batch *b = ctx;
	json_t *r = json_object();

	json_object_set_new(r, "uuid", json_string(uuid));
	json_object_set_new(r, "kind", json_string(kind));
	json_object_set_new(r, "data", json_loads(payload, 0, NULL));
	json_array_append_new(b->records, r);
	b->ids[b->n] = id;
	snprintf(b->uuids[b->n], 37, "%s", uuid);
	b->n++;
}

/* Push every pending record; returns SYNC_OK when the outbox is empty. */
static enum sync_rc push(struct store *st, struct client *s, const char *token,
                         struct sync_report *r, struct err *e)
{
	for (;;) {
		struct batch b;
		struct buf out;
		json_t *req, *o, *results, *x;
		char *body;
		long status;
		size_t i;
		enum sync_rc rc;
		int k, max = s->s->batch > 0 && s->s->batch < BATCH ? s->s->batch : BATCH;

		if (s->batch <= 0)
			s->batch = SYNC_BATCH_START;
		if (s->batch > max)
			s->batch = max;
		b.records = json_array();
		b.n = 0;
		if (store_outbox_batch(st, s->batch, add_record, &b, e) != STORE_OK) {
			json_decref(b.records);
			return SYNC_FAIL;
		}
		if (!b.n) {
			json_decref(b.records);
			return SYNC_OK;
		}
		req = json_object();
		json_object_set_new(req, "records", b.records);
		json_object_set_new(req, "workstation", json_string(s->ws));
		body = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		buf_init(&out);
		rc = http_retry(s, "POST", "/v1/push", token, body, &out, &status, e);
		free(body);
		if (rc != SYNC_OK) {
			buf_release(&out);
			return rc;
		}
		if (!r->pushes++ || s->batch < r->batch_min)
			r->batch_min = s->batch;
		if (s->batch > r->batch_max)
			r->batch_max = s->batch;
		s->batch = sync_batch_next(s->batch, s->last_ms, max);
		o = json_loads(buf_str(&out), 0, NULL);
		buf_release(&out);
		results = json_object_get(o, "results");
		if (!json_is_array(results)) {
			json_decref(o);
			err_set(e, "the store's answer to a push has no results");
			return SYNC_FAIL;
		}
		if (store_begin(st, e) != STORE_OK) {
			json_decref(o);
			return SYNC_FAIL;
		}
		json_array_foreach(results, i, x) {
			const char *uuid = json_string_value(json_object_get(x, "uuid"));
			long code = (long)json_integer_value(json_object_get(x, "status"));
			const char *why = json_string_value(json_object_get(x, "error"));
			char result[300];

			for (k = 0; uuid && k < b.n; k++)
				if (!strcmp(b.uuids[k], uuid))
					break;
			if (!uuid || k == b.n)
				continue;
			snprintf(result, sizeof result, "%ld %s", code, code == 200 ? "stored" : why ? why : "");
			if (store_outbox_done(st, b.ids[k], result, e) != STORE_OK) {
				store_rollback(st);
				json_decref(o);
				return SYNC_FAIL;
			}
			r->pushed++;
			if (code == 200)
				r->stored++;
			else if (code == 409)
				r->conflicts++;
			else
				r->rejected++;
		}
		json_decref(o);
		if (store_commit(st, e) != STORE_OK)
			return SYNC_FAIL;
		if (r->progress)
			r->progress(r, store_outbox_pending(st), r->ctx);
	}
}

/* Set up the quota cells of a study's newest form (see store_quota_prepare). */
static enum store_rc prepare_quotas(struct store *st, const char *study, struct err *e)
{
	struct form_diags d;
	struct form *f;
	char *src = NULL;
	int64_t row;
	enum store_rc rc = store_form_latest(st, study, &row, e);

	if (rc == STORE_NOTFOUND) {
		err_init(e);
		return STORE_OK;   /* cases of a study whose form comes later */
	}
	if (rc != STORE_OK || (rc = store_form_source(st, row, &src, e)) != STORE_OK)
		return rc;
	form_diags_init(&d);
	f = form_compile("(stored form)", src, strlen(src), &d);
	form_diags_release(&d);
	free(src);
	if (!f)
		return STORE_OK;
	rc = store_quota_prepare(st, f, e);
	form_free(f);
	return rc;
}

/* Take the forms and cases that changed since the last pull. */
static enum sync_rc pull(struct store *st, struct client *s, const char *token,
                         struct sync_report *r, struct err *e)
{
	char *cursor = store_meta_get(st, "sync_cursor"), path[128];
	struct buf out;
	json_t *o, *x;
	size_t i;
	long status;
	enum sync_rc rc;

	snprintf(path, sizeof path, "/v1/pull?cursor=%s&workstation=%s", *cursor ? cursor : "0", s->ws);
	free(cursor);
	buf_init(&out);
	rc = http_retry(s, "GET", path, token, NULL, &out, &status, e);
	o = rc == SYNC_OK ? json_loads(buf_str(&out), 0, NULL) : NULL;
	buf_release(&out);
	if (rc != SYNC_OK)
		return rc;
	if (!json_is_object(o)) {
		err_set(e, "the store's answer to a pull is not JSON");
		json_decref(o);
		return SYNC_FAIL;
	}
	if (store_begin(st, e) != STORE_OK) {
		json_decref(o);
		return SYNC_FAIL;
	}
	json_array_foreach(json_object_get(o, "forms"), i, x) {
		const char *src = json_string_value(json_object_get(x, "source"));
		struct form_diags d;
		struct form *f;
		int64_t row;

		if (!src)
			continue;
		form_diags_init(&d);
		f = form_compile("(from the store)", src, strlen(src), &d);
		form_diags_release(&d);
		if (!f)
			continue;   /* the store checked it; a newer language version would land here */
		if (store_form_put(st, f, src, &row, e) != STORE_OK) {
			form_free(f);
			goto fail;
		}
		form_free(f);
		r->forms++;
	}
	json_array_foreach(json_object_get(o, "cases"), i, x) {
		json_t *fields = json_object_get(x, "fields");
		char *fj = json_dumps(json_is_object(fields) ? fields : json_object(), JSON_COMPACT);
		enum store_rc src;
		const char *name = json_string_value(json_object_get(x, "name"));

		if (name) {
			/* the name is a case field too, as in an import */
			json_t *copy = json_deep_copy(json_is_object(fields) ? fields : json_object());
			free(fj);
			json_object_set_new(copy, "name", json_string(name));
			fj = json_dumps(copy, JSON_COMPACT);
			json_decref(copy);
		}
		src = store_case_put(st, json_string_value(json_object_get(x, "id")),
		                     json_string_value(json_object_get(x, "study")),
		                     json_string_value(json_object_get(x, "phone")), name,
		                     json_string_value(json_object_get(x, "tz")), fj, e);
		free(fj);
		if (src != STORE_OK)
			goto fail;
		r->cases++;
	}
	json_array_foreach(json_object_get(o, "withdrawn"), i, x) {
		const char *id = json_string_value(json_object_get(x, "id"));
		if (id && store_case_withdraw(st, id, e) != STORE_OK)
			goto fail;
	}
	json_array_foreach(json_object_get(o, "appointments"), i, x) {
		char *dj = json_dumps(json_object_get(x, "data"), JSON_COMPACT);
		enum store_rc arc = dj ? store_appointment_import(st, dj, e) : STORE_OK;
		free(dj);
		if (arc != STORE_OK)
			goto fail;
		r->appointments++;
	}
	json_array_foreach(json_object_get(o, "counts"), i, x) {
		const char *study = json_string_value(json_object_get(x, "study"));
		const char *stat = json_string_value(json_object_get(x, "status"));
		if (study && stat &&
		    store_count_set(st, study, stat, json_string_value(json_object_get(x, "outcome")),
		                    (long)json_integer_value(json_object_get(x, "n")), e) != STORE_OK)
			goto fail;
	}
	/* the store's quota cells, with this workstation's allowance in each */
	json_array_foreach(json_object_get(o, "quotas"), i, x) {
		const char *study = json_string_value(json_object_get(x, "study"));
		const char *quota = json_string_value(json_object_get(x, "quota"));
		const char *cell = json_string_value(json_object_get(x, "cell"));
		json_t *allow = json_object_get(x, "allowance");

		if (!study || !quota || !cell)
			continue;
		if (store_quota_pulled(st, study, quota, cell, (long)json_integer_value(json_object_get(x, "target")),
		                       (long)json_integer_value(json_object_get(x, "achieved")),
		                       json_is_true(json_object_get(x, "closed")),
		                       json_is_integer(allow) ? (long)json_integer_value(allow) : -1, e) != STORE_OK)
			goto fail;
	}
	/* studies with new forms or cases: their quota cells and the cases' cells */
	{
		json_t *studies = json_object();
		const char *study;
		json_t *v;

		json_array_foreach(json_object_get(o, "forms"), i, x)
			if (json_string_value(json_object_get(x, "form_id")))
				json_object_set_new(studies, json_string_value(json_object_get(x, "form_id")), json_true());
		json_array_foreach(json_object_get(o, "cases"), i, x)
			if (json_string_value(json_object_get(x, "study")))
				json_object_set_new(studies, json_string_value(json_object_get(x, "study")), json_true());
		json_object_foreach(studies, study, v) {
			if (prepare_quotas(st, study, e) != STORE_OK) {
				json_decref(studies);
				goto fail;
			}
		}
		json_decref(studies);
	}
	if (store_quota_settle(st, e) != STORE_OK)
		goto fail;
	{
		char cur[32];
		snprintf(cur, sizeof cur, "%lld", (long long)json_integer_value(json_object_get(o, "cursor")));
		if (store_meta_set(st, "sync_cursor", cur, e) != STORE_OK)
			goto fail;
	}
	json_decref(o);
	return store_commit(st, e) == STORE_OK ? SYNC_OK : SYNC_FAIL;
fail:
	store_rollback(st);
	json_decref(o);
	return SYNC_FAIL;
}

/* The background sync's session: one libcurl handle (its connection kept open), the token of
   the last login, and whether this workstation registered under it. */
struct sync_conn {
	struct client cl;
	char user[65];
	char token[65];          /* "" until logged in; in memory only */
	int registered;
};

struct sync_conn *sync_conn_new(const struct sync_settings *s)
{
	struct sync_conn *c = xcalloc(1, sizeof *c);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	c->cl.s = s;
	if (!(c->cl.curl = curl_easy_init())) {
		free(c);
		return NULL;
	}
	return c;
}

void sync_conn_free(struct sync_conn *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->cl.curl);
	memset(c->token, 0, sizeof c->token);
	free(c);
}

/* Copy the session's token (see sync-int.h). */
void sync_conn_token(const struct sync_conn *c, char token[65])
{
	memcpy(token, c->token, 65);
}

/* Take a lock's new token in place of a refused one (see sync-int.h). */
void sync_conn_adopt(struct sync_conn *c, const char *old, const char *fresh)
{
	if (!c->token[0] || strcmp(c->token, old) || strlen(fresh) != 64)
		return;
	memcpy(c->token, fresh, 65);
	c->registered = 1;   /* the lock's login registered this workstation under it */
}

/* One try at a sync on the conn: log in unless a token is kept, register unless done, push, pull. */
static enum sync_rc conn_sync(struct sync_conn *c, struct store *st, const char *user, const char *password,
                              struct sync_report *r, struct err *e)
{
	enum sync_rc rc = SYNC_OK;

	if (!c->token[0]) {
		rc = login(&c->cl, user, password, c->token, e);
		if (rc != SYNC_OK) {
			c->token[0] = '\0';
			return rc;
		}
		r->logins++;
		c->registered = 0;   /* a new login registers again: cheap, and the store may have forgotten */
		/* the store accepted the password: it becomes the cached one for offline login */
		{
			struct err ce;
			err_init(&ce);
			store_cred_set(st, user, password, &ce);
		}
	}
	if (!c->registered) {
		rc = register_ws(&c->cl, c->token, e);
		if (rc != SYNC_OK)
			return rc;
		c->registered = 1;
	}
	rc = push(st, &c->cl, c->token, r, e);
	if (rc == SYNC_OK)
		rc = pull(st, &c->cl, c->token, r, e);
	return rc;
}

enum sync_rc sync_conn_run(struct sync_conn *c, struct store *st, const char *user, const char *password,
                           struct sync_report *r, struct err *e)
{
	const struct sync_settings *s = c->cl.s;
	char line[768], ws[37], sizes[80];
	enum sync_rc rc;
	struct err le;
	int again;

	r->pushed = r->stored = r->conflicts = r->rejected = r->forms = r->cases = r->requests = r->pushes = 0;
	r->batch_min = r->batch_max = 0;
	r->appointments = r->retries = r->logins = r->connects = 0;
	r->last_ms = 0;
	r->retry_why[0] = '\0';
	if (!s->insecure_http && strncmp(s->url, "https://", 8)) {
		err_set(e, "refusing to sync with '%s': the store must be https://", s->url);
		return SYNC_FAIL;
	}
	c->cl.report = r;
	c->cl.requests = c->cl.connects = 0;
	if (store_workstation_id(st, ws, e) != STORE_OK) {
		c->cl.report = NULL;
		return SYNC_FAIL;
	}
	if (strcmp(ws, c->cl.ws)) {
		snprintf(c->cl.ws, sizeof c->cl.ws, "%s", ws);
		c->registered = 0;
	}
	if (strcmp(user, c->user)) {
		snprintf(c->user, sizeof c->user, "%s", user);
		memset(c->token, 0, sizeof c->token);
	}
	for (again = 0; again < 2; again++) {
		rc = conn_sync(c, st, user, password, r, e);
		if (rc == SYNC_AUTH && c->token[0]) {
			/* the kept token is no longer good (expired, revoked): log in again, once */
			memset(c->token, 0, sizeof c->token);
		} else if (rc == SYNC_FAIL && c->cl.status == 403 && c->registered && strstr(e->msg, "not registered")) {
			c->registered = 0;   /* the store forgot this workstation: register again, once */
		} else {
			break;
		}
		err_init(e);
	}
	c->cl.report = NULL;
	if (r->pushes > 1 && r->batch_min != r->batch_max)
		snprintf(sizes, sizeof sizes, " in %ld pushes (batches of %d to %d)", r->pushes, r->batch_min, r->batch_max);
	else
		snprintf(sizes, sizeof sizes, " in %ld push%s", r->pushes, r->pushes == 1 ? "" : "es");
	if (rc == SYNC_OK && r->retries)
		snprintf(line, sizeof line, "sync ok: sent %ld records (%ld stored, %ld conflicts, %ld refused)%s;"
		         " received %ld forms, %ld cases, %ld appointments; %ld requests tried again (last: %.300s)",
		         r->pushed, r->stored, r->conflicts, r->rejected, sizes,
		         r->forms, r->cases, r->appointments, r->retries, r->retry_why);
	else if (rc == SYNC_OK)
		snprintf(line, sizeof line, "sync ok: sent %ld records (%ld stored, %ld conflicts, %ld refused)%s;"
		         " received %ld forms, %ld cases, %ld appointments",
		         r->pushed, r->stored, r->conflicts, r->rejected, sizes,
		         r->forms, r->cases, r->appointments);
	else
		snprintf(line, sizeof line, "sync failed after sending %ld records: %.600s", r->pushed, e->msg);
	/* how this sync reached the store: whether it logged in, whether it opened a connection */
	snprintf(line + strlen(line), sizeof line - strlen(line), " [%s, %s]",
	         r->logins ? "logged in" : "token kept",
	         r->connects ? "new connection" : r->requests ? "connection kept" : "no connection");
	err_init(&le);
	store_sync_log(st, line, &le);
	return rc;
}

enum sync_rc sync_run(struct store *st, const struct sync_settings *s, const char *user,
                      const char *password, struct sync_report *r, struct err *e)
{
	struct sync_conn *c;
	enum sync_rc rc;

	if (!(c = sync_conn_new(s))) {
		err_set(e, "cannot start libcurl");
		return SYNC_FAIL;
	}
	rc = sync_conn_run(c, st, user, password, r, e);
	sync_conn_free(c);
	return rc;
}

/*
 * A short-lived client for one request of the workstation's own (register, lock): libcurl set
 * up for quick tries, this workstation's id. cl->curl is NULL when libcurl or the id could not
 * be had; else the caller cleans it up.
 */
static enum sync_rc quick_client(struct store *st, const struct sync_settings *s, struct client *cl,
                                 struct err *e)
{
	memset(cl, 0, sizeof *cl);
	cl->s = s;
	cl->quick = 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(cl->curl = curl_easy_init())) {
		err_set(e, "cannot start libcurl");
		return SYNC_FAIL;
	}
	if (store_workstation_id(st, cl->ws, e) != STORE_OK) {
		curl_easy_cleanup(cl->curl);
		cl->curl = NULL;
		return SYNC_FAIL;
	}
	return SYNC_OK;
}

/* On a quick client: log in as user and register the workstation under the new token. */
static enum sync_rc quick_login(struct client *cl, const char *user, const char *password, char token[65],
                                struct err *e)
{
	enum sync_rc rc = login(cl, user, password, token, e);

	if (rc == SYNC_OK)
		rc = register_ws(cl, token, e);
	return rc;
}

/* A quick client logged in as user, the workstation registered (see quick_client). */
static enum sync_rc quick_session(struct store *st, const struct sync_settings *s, const char *user,
                                  const char *password, struct client *cl, char token[65], struct err *e)
{
	enum sync_rc rc = quick_client(st, s, cl, e);

	return rc == SYNC_OK ? quick_login(cl, user, password, token, e) : rc;
}

enum sync_rc sync_register(struct store *st, const struct sync_settings *s, const char *user,
                           const char *password, struct err *e)
{
	struct client cl;
	char token[65];
	enum sync_rc rc;

	rc = quick_session(st, s, user, password, &cl, token, e);
	memset(token, 0, sizeof token);
	if (cl.curl)
		curl_easy_cleanup(cl.curl);
	return rc;
}

/* One lock request with token: SYNC_OK, SYNC_TAKEN (who, *until), or a failure (401: SYNC_AUTH). */
static enum sync_rc lock_request(struct client *cl, const char *token, const char *key, int seconds,
                                 char *who, size_t nwho, int64_t *until, struct err *e)
{
	json_t *req = json_object(), *o;
	struct buf out;
	char *body;
	long status = 0;
	enum sync_rc rc;

	json_object_set_new(req, "case", json_string(key));
	json_object_set_new(req, "seconds", json_integer(seconds));
	json_object_set_new(req, "workstation", json_string(cl->ws));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&out);
	rc = http(cl, "POST", "/v1/lock", token, body, &out, &status, e);
	free(body);
	if (status == 409 || rc == SYNC_OK) {
		o = json_loads(buf_str(&out), 0, NULL);
		snprintf(who, nwho, "%s", o && json_string_value(json_object_get(o, "user")) ?
		         json_string_value(json_object_get(o, "user")) : "?");
		*until = o ? (int64_t)json_integer_value(json_object_get(o, "until")) : 0;
		json_decref(o);
		if (status == 409) {
			err_init(e);
			rc = SYNC_TAKEN;
		}
	}
	buf_release(&out);
	return rc;
}

/*
 * Lock key at the store for this workstation: SYNC_OK, SYNC_TAKEN (who, *until), or a failure.
 * With the token of session (the background sync, logged in as user) no login; a full login
 * only without one, or when the store refuses it (its new token then goes to session).
 */
static enum sync_rc remote_lock(struct store *st, const struct sync_settings *set, struct sync_bg *session,
                                const char *user, const char *password, const char *key, int seconds,
                                char *who, size_t nwho, int64_t *until, struct err *e)
{
	struct client cl;
	char token[65] = "", lent[65] = "";
	enum sync_rc rc;
	int refused = 0;

	rc = quick_client(st, set, &cl, e);
	if (!cl.curl)
		return rc;
	if (sync_bg_token(session, user, lent) == 0) {
		rc = lock_request(&cl, lent, key, seconds, who, nwho, until, e);
		/* a revoked or expired token, or a workstation the store forgot: the full way */
		refused = rc == SYNC_AUTH;
		if (!refused && !(rc == SYNC_FAIL && cl.status == 403 && strstr(e->msg, "not registered")))
			goto out;
		err_init(e);
	}
	rc = quick_login(&cl, user, password, token, e);
	if (rc == SYNC_OK && refused)
		sync_bg_token_renewed(session, user, lent, token);
	if (rc == SYNC_OK)
		rc = lock_request(&cl, token, key, seconds, who, nwho, until, e);
out:
	memset(token, 0, sizeof token);
	memset(lent, 0, sizeof lent);
	curl_easy_cleanup(cl.curl);
	return rc;
}

enum store_rc sync_take_next(struct store *st, const struct sync_settings *s, const char *user,
                             const char *password, struct sync_bg *session, const struct call_rules *r,
                             struct store_next_pick *pick, struct buf *why, int *shared, struct err *e)
{
	enum store_rc rc = STORE_NOTFOUND;
	int tries;

	*shared = 0;
	for (tries = 0; tries < 50; tries++) {
		char who[80];
		int64_t until = 0;
		struct err le;
		enum sync_rc lrc;

		rc = store_next(st, r, user, 1, pick, why, e);
		if (rc != STORE_OK || !s || !password)
			return rc;
		err_init(&le);
		lrc = remote_lock(st, s, session, user, password, pick->key, r->lock_minutes * 60, who, sizeof who, &until, &le);
		if (lrc == SYNC_OK) {
			*shared = 1;
			return STORE_OK;
		}
		if (lrc != SYNC_TAKEN) {
			/* offline, or the store would not say: the lock holds on this workstation only */
			if (why)
				buf_printf(why, "lock: on this workstation only (%s)\n", le.msg);
			return STORE_OK;
		}
		/* in a call elsewhere: leave it to that workstation until its lock runs out */
		if (why) {
			time_t t = (time_t)until;
			struct tm tm;
			char hhmm[16];
			gmtime_r(&t, &tm);
			strftime(hhmm, sizeof hhmm, "%H:%M", &tm);
			buf_printf(why, "%s is in a call at another workstation (%s) until %s UTC: the next one\n", pick->key, who, hhmm);
		}
		if ((rc = store_case_held(st, pick->key, who, until, e)) != STORE_OK)
			return rc;
	}
	return STORE_NOTFOUND;
}
