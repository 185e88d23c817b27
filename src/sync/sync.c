/* sync.c: syncing with cati-store: enroll, register, push, pull, case locks (requests: http.c). */
#define _XOPEN_SOURCE 700   /* realpath */
#include "cati/sync.h"
#include "http.h"
#include "sync-int.h"

#include "cati/i18n.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 500

/* One sync's client: the one door to the network (its connection kept open from batch to batch),
   this workstation's id and the size of the next push. */
struct client {
	struct http h;
	char ws[37];             /* this workstation's id */
	int batch;               /* records the next push carries (sync_batch_next; 0: not yet known) */
};

/* Where the settings live: $XDG_CONFIG_HOME/cati/settings.json, else under $HOME. */
void sync_settings_path(struct buf *out)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x && *x)
		buf_printf(out, "%s/cati/settings.json", x);
	else
		buf_printf(out, "%s/.config/cati/settings.json", home && *home ? home : ".");
}

/* Read the enrolled settings; -1 (e says to enroll) when there are none. */
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
		err_set(e, _("this workstation is not enrolled ('%s': %s): run 'cati enroll https://HOST:PORT'"),
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

/* Write the settings whole, readable by this user only. */
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
		err_set(e, _("cannot write '%s': %s"), buf_str(&tmp), strerror(errno));
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

/* Register this workstation under the logged-in user (the store keeps the first user's; a
   second registration of the same is a no-op): only registered workstations get allowances and locks. */
static enum sync_rc register_ws(struct client *s, const char *token, struct err *e)
{
	json_t *req = json_object();
	char host[256] = "";
	char *body;
	struct buf out;
	enum sync_rc rc;

	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	json_object_set_new(req, "workstation", json_string(s->ws));
	json_object_set_new(req, "name", json_string(host));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&out);
	rc = http_request_retry(&s->h, "/v1/workstations", token, body, &out, e);
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
		err_set(e, _("cannot parse the store's address '%s': %s"), s->url, curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		err_set(e, _("cannot parse the store's address '%s': no host"), s->url);
		goto out;
	}
	if (s->insecure_http && !loopback(host)) {
		err_set(e, _("--insecure-http is only for a store on this machine (127.0.0.1, ::1 or localhost), not '%s'"),
		        host);
		goto out;
	}
	if (strcmp(scheme, "https") && !(s->insecure_http && !strcmp(scheme, "http"))) {
		err_set(e, _("the store's address must be https://HOST:PORT, not '%s'"), s->url);
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
		err_set(e, _("cannot read the CA file '%s': %s"), s->cacert, strerror(errno));
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
		err_set(e, _("cannot use the CA file '%s': its path is longer than %zu bytes"), abs,
		        sizeof s->cacert - 1);
		free(abs);
		return -1;
	}
	snprintf(s->cacert, sizeof s->cacert, "%s", abs);
	free(abs);
	return 0;
}

/* The CA file, then one request through the one door to the network (http.c). */
enum sync_rc sync_check_store(struct sync_settings *s, struct err *e)
{
	struct http h;
	struct buf out;
	struct err e1;
	enum sync_rc rc;

	if (check_cacert(s, e) < 0)
		return SYNC_FAIL;
	if (http_init(&h, s, HTTP_ENROLL, e) < 0)
		return SYNC_FAIL;
	buf_init(&out);
	err_init(&e1);
	/* the cheapest question a store answers without a password: "use POST" */
	rc = http_request(&h, "/v1/login", NULL, NULL, &out, &e1);
	if (!h.status) {
		err_set(e, "%s", e1.msg);   /* no answer: http_result's code and words */
	} else if (h.status == 404) {
		err_set(e, _("the server at %s is not a cati store (GET /v1/login answered 404)"), s->url);
		rc = SYNC_FAIL;
	} else if (h.status >= 500) {
		err_set(e, _("the store at %s cannot serve now: %s"), s->url, e1.msg);
		rc = SYNC_RETRY;
	} else {
		rc = SYNC_OK;   /* any other answer comes from a cati store: it is there */
	}
	buf_release(&out);
	http_release(&h);
	return rc;
}

/* The size of the next push (see sync.h). */
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

/* store_outbox_batch's callback: one pending record into the batch. */
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
		size_t i;
		enum sync_rc rc;
		int k, max = s->h.s->batch > 0 && s->h.s->batch < BATCH ? s->h.s->batch : BATCH;

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
		rc = http_request_retry(&s->h, "/v1/push", token, body, &out, e);
		free(body);
		if (rc != SYNC_OK) {
			buf_release(&out);
			return rc;
		}
		if (!r->pushes++ || s->batch < r->batch_min)
			r->batch_min = s->batch;
		if (s->batch > r->batch_max)
			r->batch_max = s->batch;
		s->batch = sync_batch_next(s->batch, s->h.last_ms, max);
		o = json_loads(buf_str(&out), 0, NULL);
		buf_release(&out);
		results = json_object_get(o, "results");
		if (!json_is_array(results)) {
			json_decref(o);
			err_set(e, _("the store's answer to a push has no results"));
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

/* Append text to b percent-encoded for a URL's query (RFC 3986 unreserved characters kept). */
static void query_escape(struct buf *b, const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

/*
 * Append what who is doing now to a pull's query, for the supervisor's "on a call now":
 * &call=KEY&question=ID&elapsed=SECONDS for an open interview, &call= for none. Only the case
 * key and question id leave, never answers or names; when the database cannot say, nothing
 * (the store keeps what it last heard).
 */
static void on_call_query(struct store *st, const char *who, struct buf *b)
{
	struct store_on_call oc;
	struct err e;

	err_init(&e);
	if (!who || store_on_call(st, who, &oc, &e) != STORE_OK)
		return;
	buf_puts(b, "&call=");
	if (!oc.open)
		return;
	query_escape(b, oc.case_key);
	buf_puts(b, "&question=");
	query_escape(b, oc.question);
	buf_printf(b, "&elapsed=%lld", (long long)oc.elapsed_s);
}

/* Take the forms and cases that changed since the last pull (telling the store what who is doing now). */
static enum sync_rc pull(struct store *st, struct client *s, const char *token, const char *who,
                         struct sync_report *r, int *erased, struct err *e)
{
	char *cursor = store_meta_get(st, "sync_cursor");
	struct buf out, path;
	json_t *o, *x;
	size_t i;
	enum sync_rc rc;

	buf_init(&path);
	buf_printf(&path, "/v1/pull?cursor=%s&workstation=%s", *cursor ? cursor : "0", s->ws);
	free(cursor);
	on_call_query(st, who, &path);
	buf_init(&out);
	rc = http_request_retry(&s->h, buf_str(&path), token, NULL, &out, e);
	buf_release(&path);
	o = rc == SYNC_OK ? json_loads(buf_str(&out), 0, NULL) : NULL;
	buf_release(&out);
	if (rc != SYNC_OK)
		return rc;
	if (!json_is_object(o)) {
		err_set(e, _("the store's answer to a pull is not JSON"));
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
		f = form_compile(_("(from the store)"), src, strlen(src), &d);
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
	/* the default country first: the cases' national numbers are read with it */
	if (json_is_string(json_object_get(o, "country")) &&
	    store_country_set(st, json_string_value(json_object_get(o, "country")), e) != STORE_OK)
		goto fail;
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
	/* the do-not-call list's changes */
	json_array_foreach(json_object_get(o, "dnc"), i, x) {
		const char *phone = json_string_value(json_object_get(x, "phone"));
		if (phone && store_dnc_set(st, phone, json_integer_value(json_object_get(x, "listed")) != 0, e) != STORE_OK)
			goto fail;
	}
	json_array_foreach(json_object_get(o, "withdrawn"), i, x) {
		const char *id = json_string_value(json_object_get(x, "id"));
		if (id && store_case_withdraw(st, id, e) != STORE_OK)
			goto fail;
	}
	json_array_foreach(json_object_get(o, "reopened"), i, x) {
		const char *id = json_string_value(json_object_get(x, "id"));
		if (id && store_case_reopen(st, id, e) != STORE_OK)
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
	/* the store erased a person's data: erased here too, and confirmed at the next push */
	json_array_foreach(json_object_get(o, "erasures"), i, x) {
		const char *key = json_string_value(json_object_get(x, "case"));
		const char *id = json_string_value(json_object_get(x, "erasure"));
		int applied = 0;

		if (key && id && store_erase_case(st, key, id, &applied, e) != STORE_OK)
			goto fail;
		*erased += applied;
	}
	/* how long each study keeps personal data of closed cases (after a sync: store_erase_closed) */
	json_array_foreach(json_object_get(o, "retention"), i, x) {
		const char *study = json_string_value(json_object_get(x, "study"));
		char key[300], v[32];

		if (!study)
			continue;
		snprintf(key, sizeof key, "retention:%s", study);
		snprintf(v, sizeof v, "%lld", (long long)json_integer_value(json_object_get(x, "seconds")));
		if (store_meta_set(st, key, v, e) != STORE_OK)
			goto fail;
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

/* A session with no token yet, on a client at the sync's pace (see sync.h). */
struct sync_conn *sync_conn_new(const struct sync_settings *s)
{
	struct sync_conn *c = xcalloc(1, sizeof *c);

	if (http_init(&c->cl.h, s, HTTP_SYNC, NULL) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

/* Wipe the token and close the connection (see sync.h). */
void sync_conn_free(struct sync_conn *c)
{
	if (!c)
		return;
	http_release(&c->cl.h);
	sodium_memzero(c->token, sizeof c->token);
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

/* After a sync: the personal data of closed cases whose records are all sent, of the studies
   with a retention, cleared (store_erase_closed) and overwritten. */
static enum sync_rc clear_closed(struct store *st, struct err *e)
{
	struct err se;
	int cleared = 0;

	if (store_begin(st, e) != STORE_OK)
		return SYNC_FAIL;
	if (store_erase_closed(st, &cleared, e) != STORE_OK) {
		store_rollback(st);
		return SYNC_FAIL;
	}
	if (store_commit(st, e) != STORE_OK)
		return SYNC_FAIL;
	err_init(&se);
	if (cleared)
		store_erase_scrub(st, &se);
	return SYNC_OK;
}

/* Send the workstation's key to the store once (meta 'seal_escrow' names the public key it
   sent): only a connection that holds it unlocked can. Best effort: it is sent at a later login. */
static void key_send(struct store *st, struct client *cl, const char *token)
{
	unsigned char sk[STORE_KEY_BYTES], pk[STORE_KEY_BYTES];
	char skb[64], pkb[64], pkhex[2 * STORE_KEY_BYTES + 1], *sent, *body;
	struct buf out;
	struct err e1;
	json_t *req;

	if (store_key_export(st, sk, pk) != STORE_OK)
		return;
	sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
	sent = store_meta_get(st, "seal_escrow");
	if (!strcmp(sent, pkhex)) {
		free(sent);
		sodium_memzero(sk, sizeof sk);
		return;
	}
	free(sent);
	sodium_bin2base64(skb, sizeof skb, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(pkb, sizeof pkb, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(sk, sizeof sk);
	req = json_pack("{s:s,s:s,s:s}", "workstation", cl->ws, "key", skb, "public", pkb);
	sodium_memzero(skb, sizeof skb);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&out);
	err_init(&e1);
	if (http_request(&cl->h, "/v1/workstations/key", token, body, &out, &e1) == SYNC_OK)
		store_meta_set(st, "seal_escrow", pkhex, &e1);
	sodium_memzero(body, strlen(body));
	free(body);
	buf_release(&out);
}

/* A workstation locked for user (no copy of its key of theirs): its key from the store, checked
   against its public key, unlocks it and wraps user's copy. Why not, into r->key_why. */
static void key_fetch(struct store *st, struct client *cl, const char *token, const char *user,
                      const char *password, struct sync_report *r)
{
	unsigned char sk[STORE_KEY_BYTES];
	struct buf path, out;
	struct err e1;
	json_t *o = NULL;
	const char *b64;
	size_t n = 0;

	if (!store_locked(st))
		return;
	buf_init(&path);
	buf_init(&out);
	err_init(&e1);
	buf_printf(&path, "/v1/workstations/key?workstation=");
	query_escape(&path, cl->ws);
	if (http_request(&cl->h, buf_str(&path), token, NULL, &out, &e1) != SYNC_OK)
		goto out;
	o = json_loads(buf_str(&out), 0, NULL);
	b64 = json_string_value(json_object_get(o, "key"));
	if (!b64 || sodium_base642bin(sk, sizeof sk, b64, strlen(b64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != sizeof sk) {
		err_set(&e1, _("the store's answer holds no key"));
		goto out;
	}
	store_key_import(st, sk, user, password, &e1);
out:
	sodium_memzero(sk, sizeof sk);
	if (o) {
		json_t *k = json_object_get(o, "key");
		if (json_is_string(k))
			sodium_memzero((char *)json_string_value(k), strlen(json_string_value(k)));
		json_decref(o);
	}
	if (out.data)
		sodium_memzero(out.data, out.len);
	buf_release(&out);
	buf_release(&path);
	if (e1.set)
		snprintf(r->key_why, sizeof r->key_why, "%.299s", e1.msg);
}

/* One try at a sync on the conn: log in unless a token is kept, register unless done, push,
   pull, and push again the confirmations of erasures the pull brought. */
static enum sync_rc conn_sync(struct sync_conn *c, struct store *st, const char *user, const char *password,
                              struct sync_report *r, struct err *e)
{
	enum sync_rc rc = SYNC_OK;
	struct err se;
	int erased = 0;

	if (!c->token[0]) {
		rc = http_login(&c->cl.h, user, password, c->token, e);
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
		/* once per login, the store answering: the key goes to the store, or comes from it for an
		   interviewer without a copy (a laptop registered to a colleague too) */
		if (rc == SYNC_OK || c->cl.h.status == 403) {
			key_send(st, &c->cl, c->token);
			key_fetch(st, &c->cl, c->token, user, password, r);
		}
		if (rc != SYNC_OK)
			return rc;
		c->registered = 1;
	}
	rc = push(st, &c->cl, c->token, r, e);
	if (rc == SYNC_OK)
		rc = pull(st, &c->cl, c->token, user, r, &erased, e);
	if (rc == SYNC_OK && erased) {
		/* the erased bytes overwritten (best effort: the database is consistent either way), and
		   the confirmations sent at once */
		err_init(&se);
		store_erase_scrub(st, &se);
		rc = push(st, &c->cl, c->token, r, e);
	}
	if (rc == SYNC_OK)
		rc = clear_closed(st, e);
	return rc;
}

/* A sync on a kept session, logging in again or registering again once when refused (see sync.h). */
enum sync_rc sync_conn_run(struct sync_conn *c, struct store *st, const char *user, const char *password,
                           struct sync_report *r, struct err *e)
{
	const struct sync_settings *s = c->cl.h.s;
	char line[1100], ws[37], sizes[80];
	enum sync_rc rc;
	struct err le;
	int again;

	r->pushed = r->stored = r->conflicts = r->rejected = r->forms = r->cases = r->requests = r->pushes = 0;
	r->batch_min = r->batch_max = 0;
	r->appointments = r->retries = r->logins = r->connects = 0;
	r->last_ms = 0;
	r->retry_why[0] = r->key_why[0] = '\0';
	if (!s->insecure_http && strncmp(s->url, "https://", 8)) {
		err_set(e, _("refusing to sync with '%s': the store must be https://"), s->url);
		return SYNC_FAIL;
	}
	c->cl.h.report = r;
	c->cl.h.requests = c->cl.h.connects = 0;
	if (store_workstation_id(st, ws, e) != STORE_OK) {
		c->cl.h.report = NULL;
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
		} else if (rc == SYNC_FAIL && c->registered && !strcmp(c->cl.h.reason, "unregistered")) {
			c->registered = 0;   /* the store forgot this workstation: register again, once */
		} else {
			break;
		}
		err_init(e);
	}
	c->cl.h.report = NULL;
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
	if (r->key_why[0])
		snprintf(line + strlen(line), sizeof line - strlen(line), "; personal data stays locked: %.300s", r->key_why);
	/* how this sync reached the store: whether it logged in, whether it opened a connection */
	snprintf(line + strlen(line), sizeof line - strlen(line), " [%s, %s]",
	         r->logins ? "logged in" : "token kept",
	         r->connects ? "new connection" : r->requests ? "connection kept" : "no connection");
	err_init(&le);
	store_sync_log(st, line, &le);
	return rc;
}

/* A sync on a session of its own (see sync.h). */
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
 * A short-lived client for requests of the workstation's own (register, lock): quick tries,
 * this workstation's id. SYNC_OK, or SYNC_FAIL with e set; the caller http_release()s cl->h
 * either way.
 */
static enum sync_rc quick_client(struct store *st, const struct sync_settings *s, struct client *cl,
                                 struct err *e)
{
	memset(cl, 0, sizeof *cl);
	if (http_init(&cl->h, s, HTTP_QUICK, e) < 0 || store_workstation_id(st, cl->ws, e) != STORE_OK)
		return SYNC_FAIL;
	return SYNC_OK;
}

/* On a quick client: log in as user and register the workstation under the new token. */
static enum sync_rc quick_login(struct client *cl, const char *user, const char *password, char token[65],
                                struct err *e)
{
	enum sync_rc rc = http_login(&cl->h, user, password, token, e);

	if (rc == SYNC_OK)
		rc = register_ws(cl, token, e);
	return rc;
}

/* Log in, register this workstation, then wipe the token (see sync.h). */
enum sync_rc sync_register(struct store *st, const struct sync_settings *s, const char *user,
                           const char *password, struct err *e)
{
	struct client cl;
	char token[65] = "";
	enum sync_rc rc;

	rc = quick_client(st, s, &cl, e);
	if (rc == SYNC_OK)
		rc = quick_login(&cl, user, password, token, e);
	sodium_memzero(token, sizeof token);
	http_release(&cl.h);
	return rc;
}

/* One lock request with token: SYNC_OK, SYNC_TAKEN (who, *until), or a failure (401: SYNC_AUTH). */
static enum sync_rc lock_request(struct client *cl, const char *token, const char *key, int seconds,
                                 char *who, size_t nwho, int64_t *until, struct err *e)
{
	json_t *req = json_object(), *o;
	struct buf out;
	char *body;
	enum sync_rc rc;

	json_object_set_new(req, "case", json_string(key));
	json_object_set_new(req, "seconds", json_integer(seconds));
	json_object_set_new(req, "workstation", json_string(cl->ws));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&out);
	rc = http_request(&cl->h, "/v1/lock", token, body, &out, e);
	free(body);
	if (rc == SYNC_TAKEN || rc == SYNC_OK) {
		/* the lock's holder: this workstation, or the one in a call with the case (409) */
		o = json_loads(buf_str(&out), 0, NULL);
		snprintf(who, nwho, "%s", o && json_string_value(json_object_get(o, "user")) ?
		         json_string_value(json_object_get(o, "user")) : "?");
		*until = o ? (int64_t)json_integer_value(json_object_get(o, "until")) : 0;
		json_decref(o);
		if (rc == SYNC_TAKEN)
			err_init(e);
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

	if ((rc = quick_client(st, set, &cl, e)) != SYNC_OK)
		goto out;
	if (sync_bg_token(session, user, lent) == 0) {
		rc = lock_request(&cl, lent, key, seconds, who, nwho, until, e);
		/* a revoked or expired token, or a workstation the store forgot: the full way */
		refused = rc == SYNC_AUTH;
		if (!refused && !(rc == SYNC_FAIL && !strcmp(cl.h.reason, "unregistered")))
			goto out;
		err_init(e);
	}
	rc = quick_login(&cl, user, password, token, e);
	if (rc == SYNC_OK && refused)
		sync_bg_token_renewed(session, user, lent, token);
	if (rc == SYNC_OK)
		rc = lock_request(&cl, token, key, seconds, who, nwho, until, e);
out:
	sodium_memzero(token, sizeof token);
	sodium_memzero(lent, sizeof lent);
	http_release(&cl.h);
	return rc;
}

/* The store layer's answer in the sync layer's words: the one place store codes cross over. */
static enum sync_rc from_store(enum store_rc rc)
{
	switch (rc) {
	case STORE_OK:
		return SYNC_OK;
	case STORE_NOTFOUND:
		return SYNC_NONE;
	case STORE_BUSY:
		return SYNC_TAKEN;   /* another program of this workstation just took the case */
	default:
		return SYNC_FAIL;    /* the database failed: its message is in e */
	}
}

/* Take the next case and lock it here and, when it can be reached, at the store (see sync.h). */
enum sync_rc sync_take_next(struct store *st, const struct sync_settings *s, const char *user,
                            const char *password, struct sync_bg *session, const struct call_rules *r,
                            struct store_next_pick *pick, struct buf *why, int *shared, struct err *e)
{
	enum store_rc rc;
	int tries;

	*shared = 0;
	for (tries = 0; tries < 50; tries++) {
		char who[80];
		int64_t until = 0;
		struct err le;
		enum sync_rc lrc;

		rc = store_next(st, r, user, 1, pick, why, e);
		if (rc != STORE_OK || !s || !password)
			return from_store(rc);
		err_init(&le);
		lrc = remote_lock(st, s, session, user, password, pick->key, r->lock_minutes * 60, who, sizeof who, &until, &le);
		if (lrc == SYNC_OK) {
			*shared = 1;
			return SYNC_OK;
		}
		if (lrc != SYNC_TAKEN) {
			/* offline, or the store would not say: the lock holds on this workstation only */
			if (why)
				buf_printf(why, _("lock: on this workstation only (%s)\n"), le.msg);
			return SYNC_OK;
		}
		/* in a call elsewhere: leave it to that workstation until its lock runs out */
		if (why) {
			time_t t = (time_t)until;
			struct tm tm;
			char hhmm[16];
			gmtime_r(&t, &tm);
			strftime(hhmm, sizeof hhmm, "%H:%M", &tm);
			buf_printf(why, _("%s is in a call at another workstation (%s) until %s UTC: the next one\n"), pick->key, who, hhmm);
		}
		if ((rc = store_case_held(st, pick->key, who, until, e)) != STORE_OK)
			return from_store(rc);
	}
	return SYNC_NONE;
}
