/* remote.c: read JSON from cati-store over one logged-in HTTPS connection (libcurl). */
#include "cati/remote.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ANSWER (64 * 1024 * 1024)

struct remote {
	struct sync_settings s;
	CURL *curl;
	char *user, *password;
	char token[65];
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;

	if (b->len + size * n > MAX_ANSWER)
		return 0;   /* curl stops with a write error: a ceiling, not a crash */
	buf_add(b, p, size * n);
	return size * n;
}

/*
 * One request (body NULL: GET). Maps the outcome like sync does: network problems, 5xx and 429
 * SYNC_RETRY, certificates SYNC_TLS, 401 SYNC_AUTH, other 4xx SYNC_FAIL (the store's message in e).
 */
static enum sync_rc request(struct remote *r, const char *path, const char *body, struct buf *out, double *ms,
                            struct err *e)
{
	struct curl_slist *h = NULL;
	struct timespec t0, t1;
	char url[1536], auth[128];
	long status = 0;
	CURLcode cc;
	enum sync_rc rc = SYNC_OK;

	buf_reset(out);
	curl_easy_reset(r->curl);   /* keeps the connection and its TLS session */
	snprintf(url, sizeof url, "%s%s", r->s.url, path);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, r->s.insecure_http ? "https,http" : "https");
	curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (r->s.cacert[0]) {   /* the organisation's CA alone: the system's list is neither read nor trusted */
		curl_easy_setopt(r->curl, CURLOPT_CAINFO, r->s.cacert);
		curl_easy_setopt(r->curl, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(r->curl, CURLOPT_TIMEOUT, (long)(r->s.timeout_s > 0 && r->s.timeout_s < 30 ? r->s.timeout_s : 30));
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(r->curl, CURLOPT_ACCEPT_ENCODING, "");
	h = curl_slist_append(h, "Content-Type: application/json");
	if (r->token[0]) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", r->token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cc = curl_easy_perform(r->curl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ms)
		*ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	curl_slist_free_all(h);
	if (cc != CURLE_OK) {
		if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM ||
		    cc == CURLE_SSL_CONNECT_ERROR) {
			err_set(e, "cannot trust the store at %s: %s (is the right --cacert enrolled?)", r->s.url,
			        curl_easy_strerror(cc));
			return SYNC_TLS;
		}
		if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
			err_set(e, "refusing a plain-http store at %s: use https", r->s.url);
			return SYNC_FAIL;
		}
		err_set(e, "cannot reach the store at %s: %s", r->s.url, curl_easy_strerror(cc));
		return SYNC_RETRY;
	}
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 400) {
		json_t *o = json_loads(buf_str(out), 0, NULL);
		const char *msg = o ? json_string_value(json_object_get(o, "error")) : NULL;
		err_set(e, "the store answered %ld: %s", status, msg ? msg : "(no message)");
		json_decref(o);
		rc = status == 401 ? SYNC_AUTH : status >= 500 || status == 429 ? SYNC_RETRY : SYNC_FAIL;
	}
	return rc;
}

/* Log in with the kept credentials; a fresh token on SYNC_OK. */
static enum sync_rc login(struct remote *r, struct err *e)
{
	json_t *req = json_pack("{ssss}", "user", r->user, "password", r->password), *o;
	char *body = json_dumps(req, JSON_COMPACT);
	const char *t;
	struct buf out;
	enum sync_rc rc;

	json_decref(req);
	buf_init(&out);
	r->token[0] = '\0';
	rc = request(r, "/v1/login", body, &out, NULL, e);
	/* the body held the password */
	memset(body, 0, strlen(body));
	free(body);
	if (rc == SYNC_OK) {
		o = json_loads(buf_str(&out), 0, NULL);
		t = o ? json_string_value(json_object_get(o, "token")) : NULL;
		if (t && strlen(t) == 64) {
			memcpy(r->token, t, 65);
		} else {
			err_set(e, "the store's login answer has no token");
			rc = SYNC_FAIL;
		}
		json_decref(o);
	}
	buf_release(&out);
	return rc;
}

struct remote *remote_open(const struct sync_settings *s, const char *user, const char *password,
                           enum sync_rc *rc, struct err *e)
{
	struct remote *r = xcalloc(1, sizeof *r);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r->s = *s;
	r->user = xstrdup(user);
	r->password = xstrdup(password);
	if (!(r->curl = curl_easy_init())) {
		err_set(e, "cannot start libcurl");
		*rc = SYNC_FAIL;
		remote_close(r);
		return NULL;
	}
	if ((*rc = login(r, e)) != SYNC_OK) {
		remote_close(r);
		return NULL;
	}
	return r;
}

enum sync_rc remote_get(struct remote *r, const char *path, json_t **out, double *ms, struct err *e)
{
	struct buf body;
	json_error_t je;
	enum sync_rc rc;
	struct err e1;
	double more = 0;

	*out = NULL;
	buf_init(&body);
	err_init(&e1);
	rc = request(r, path, NULL, &body, ms, &e1);
	if (rc == SYNC_AUTH) {
		/* the token ran out (12 hours) or the store forgot it: log in again, once */
		err_init(&e1);
		if ((rc = login(r, &e1)) == SYNC_OK)
			rc = request(r, path, NULL, &body, &more, &e1);
		if (ms)
			*ms += more;
	}
	if (rc != SYNC_OK) {
		err_set(e, "%s", e1.msg);
	} else if (!(*out = json_loadb(buf_str(&body), body.len, 0, &je))) {
		err_set(e, "the store's answer is not JSON: %s", je.text);
		rc = SYNC_FAIL;
	}
	buf_release(&body);
	return rc;
}

void remote_escape(const char *s, struct buf *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			buf_putc(out, c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

void remote_close(struct remote *r)
{
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	if (r->password) {
		memset(r->password, 0, strlen(r->password));
		free(r->password);
	}
	free(r->user);
	memset(r->token, 0, sizeof r->token);
	free(r);
}
