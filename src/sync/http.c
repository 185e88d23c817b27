/* http.c: the sync layer's one door to the network: set up, request, map the outcome, log in. */
#include "http.h"

#include "cati/i18n.h"
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRIES 5

/* Where an answer is collected: the caller's buffer, and whether it went over the ceiling. */
struct sink {
	struct buf *out;
	int *too_large;
};

/* Set up h for the store of s at pace (see http.h). */
int http_init(struct http *h, const struct sync_settings *s, enum http_pace pace, struct err *e)
{
	memset(h, 0, sizeof *h);
	h->s = s;
	h->pace = pace;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(h->curl = curl_easy_init())) {
		err_set(e, _("cannot start libcurl"));
		return -1;
	}
	return 0;
}

/* Close h's connection (see http.h). */
void http_release(struct http *h)
{
	if (h->curl)
		curl_easy_cleanup(h->curl);
	h->curl = NULL;
}

/* Seconds to wait for a connection at h's pace. */
static long connect_timeout(const struct http *h)
{
	return h->pace == HTTP_QUICK ? 3 : h->pace == HTTP_CONSOLE ? 5 : 10;
}

/* Seconds a whole request may take at h's pace (the settings' timeout where the pace takes it). */
static long request_timeout(const struct http *h)
{
	int t = h->s->timeout_s;

	switch (h->pace) {
	case HTTP_QUICK:
		return 5;
	case HTTP_ENROLL:
		return 30;
	case HTTP_CONSOLE:
		return t > 0 && t < 30 ? t : 30;
	case HTTP_SYNC:
	default:
		return t > 0 ? t : 120;
	}
}

/* libcurl's write callback: append to the sink, or stop the transfer at the ceiling. */
static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *k = ctx;

	if (k->out->len + size * n > HTTP_MAX_ANSWER) {
		*k->too_large = 1;
		return 0;   /* curl stops with a write error: a ceiling, not a crash */
	}
	buf_add(k->out, p, size * n);
	return size * n;
}

/* Set every option of one request on h's handle; the connection setup lives here alone. */
static void setup(struct http *h, const char *url, struct curl_slist *headers, const char *body, struct sink *k)
{
	const struct sync_settings *s = h->s;
	CURL *c = h->curl;

	curl_easy_reset(c);   /* keeps the open connection and the TLS session */
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, s->insecure_http ? "https,http" : "https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->cacert[0]) {   /* the organisation's CA alone: the system's list is neither read nor trusted */
		curl_easy_setopt(c, CURLOPT_CAINFO, s->cacert);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_timeout(h));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, request_timeout(h));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* the store closes a connection idle for 10 s: one idle 8 s is not sent on, lest the two meet */
	curl_easy_setopt(c, CURLOPT_MAXAGE_CONN, 8L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	/* an answer that says it is larger than the ceiling is refused before it is read */
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_ANSWER);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	h->why[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->why);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (body) {
		/* not copied: the caller's body is the only copy, so a wiped body leaves none */
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
}

/* The mapping of libcurl's result (no answer from the store) to a code and a message. */
static enum sync_rc no_answer(CURLcode cc, long os_errno, const char *why, int too_large, const char *url,
                              const char *cacert, long timeout_s, struct err *e)
{
	const char *words = why && why[0] ? why : curl_easy_strerror(cc);

	if (too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		err_set(e, _("the store's answer is larger than %d MiB: refused"), HTTP_MAX_ANSWER / (1024 * 1024));
		return SYNC_FAIL;
	}
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		if (os_errno == ECONNREFUSED)
			err_set(e, _("cannot reach the store at %s: connection refused"), url);
		else
			err_set(e, _("cannot reach the store at %s: %s"), url, os_errno ? strerror((int)os_errno) : words);
		return SYNC_RETRY;
	case CURLE_COULDNT_RESOLVE_HOST:
		err_set(e, _("cannot reach the store at %s: no such host"), url);
		return SYNC_RETRY;
	case CURLE_OPERATION_TIMEDOUT:
		err_set(e, _("the store at %s did not answer within %ld s"), url, timeout_s);
		return SYNC_RETRY;
	case CURLE_SSL_CONNECT_ERROR:
		/* a handshake that broke off (a busy store, a dropped packet): try again; a store
		   whose certificate the CA does not vouch for fails verification instead */
		err_set(e, _("the TLS handshake with the store at %s failed: %s"), url, words);
		return SYNC_RETRY;
	case CURLE_PEER_FAILED_VERIFICATION:
		if (strstr(words, "subject name") || strstr(words, "does not match"))
			err_set(e, _("cannot trust the store: the store's certificate is not for %s (%s)"), url, words);
		else if (cacert && cacert[0])
			err_set(e, _("cannot trust the store at %s: the store's certificate is not trusted by the CA file '%s' (%s)"),
			        url, cacert, words);
		else
			err_set(e, _("cannot trust the store at %s: the store's certificate is not trusted by this system's CAs"
			        " (%s): enroll with --cacert CA.pem"), url, words);
		return SYNC_TLS;
	case CURLE_SSL_CACERT_BADFILE:
		err_set(e, _("cannot trust the store at %s: cannot use the CA file '%s' (%s)"), url, cacert ? cacert : "", words);
		return SYNC_TLS;
	case CURLE_SSL_CERTPROBLEM:
		err_set(e, _("cannot trust the store at %s: %s (is the right --cacert enrolled?)"), url, words);
		return SYNC_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
		if (strstr(words, "HTTP/0.9")) {
			err_set(e, _("the store at %s does not answer in HTTP: %s"), url, words);
			return SYNC_FAIL;
		}
		err_set(e, _("refusing a plain-http store at %s: use https"), url);
		return SYNC_FAIL;
	case CURLE_WEIRD_SERVER_REPLY:
		err_set(e, _("the store at %s does not answer in HTTP: %s"), url, words);
		return SYNC_FAIL;
	default:
		err_set(e, _("cannot reach the store at %s: %s"), url, words);
		return SYNC_RETRY;
	}
}

/* The one mapping of a request's outcome to the sync layer's codes (see http.h). */
/* The store's refusals a person meets at the workstation (the store writes them in English and
 * marks them in src/server and src/central): marked here too, so the workstation's catalogue
 * holds them for http_result's _(msg). */
static const char *const store_refusals[] = {
	N_("this study is not one of your projects"),
	N_("only supervisors and admins may do this"),
	N_("wrong user name or password"),
};

enum sync_rc http_result(CURLcode cc, long os_errno, const char *why, int too_large, long status,
                         const char *body, const char *url, const char *cacert, long timeout_s, struct err *e)
{
	json_t *o;
	const char *msg;

	if (cc != CURLE_OK)
		return no_answer(cc, os_errno, why, too_large, url, cacert, timeout_s, e);
	(void)store_refusals;
	if (status < 400)
		return SYNC_OK;
	o = body ? json_loads(body, 0, NULL) : NULL;
	msg = o ? json_string_value(json_object_get(o, "error")) : NULL;
	/* the store writes its messages in English and marks them (N_) for the catalogues: the
	 * client shows them in the interviewer's language */
	err_set(e, _("the store answered %ld: %s"), status, msg && *msg ? _(msg) : _("(no message)"));
	json_decref(o);
	if (status == 401)
		return SYNC_AUTH;     /* wrong password, or a token the store no longer takes */
	if (status == 409)
		return SYNC_TAKEN;    /* the store holds it for another (a case in a call elsewhere) */
	if (status == 429 || status >= 500)
		return SYNC_RETRY;    /* busy or down for now */
	return SYNC_FAIL;         /* refused: asking again will not help */
}

/* One request through the one door (see http.h). */
enum sync_rc http_request(struct http *h, const char *path, const char *token, const char *body,
                          struct buf *out, struct err *e)
{
	struct curl_slist *headers = NULL;
	struct timespec t0, t1;
	struct buf url;
	struct sink k = { out, &h->too_large };
	char auth[128];
	long n = 0;
	enum sync_rc rc;

	buf_reset(out);
	buf_init(&url);
	buf_printf(&url, "%s%s", h->s->url, path);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		headers = curl_slist_append(headers, auth);
	}
	h->too_large = 0;
	setup(h, buf_str(&url), headers, body, &k);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	h->cc = curl_easy_perform(h->curl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	h->last_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	h->requests++;
	h->os_errno = 0;
	h->status = 0;
	curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &h->os_errno);
	if (curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &n) == CURLE_OK)
		h->connects += n;
	if (h->cc == CURLE_OK)
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &h->status);
	if (h->report) {
		h->report->requests = h->requests;
		h->report->last_ms = h->last_ms;
		h->report->connects = h->connects;
	}
	rc = http_result(h->cc, h->os_errno, h->why, h->too_large, h->status, buf_str(out), h->s->url,
	                 h->s->cacert, request_timeout(h), e);
	h->reason[0] = '\0';
	if (h->status >= 400)
		http_reason(buf_str(out), h->reason, sizeof h->reason);
	sodium_memzero(auth, sizeof auth);
	curl_slist_free_all(headers);
	buf_release(&url);
	return rc;
}

/* The refusal's "reason" code from its JSON body (see http.h). */
void http_reason(const char *body, char *out, size_t n)
{
	json_t *o = body ? json_loads(body, 0, NULL) : NULL;
	const char *r = o ? json_string_value(json_object_get(o, "reason")) : NULL;

	snprintf(out, n, "%s", r ? r : "");
	json_decref(o);
}

/* http_request while the answer is "try again", with backoff (see http.h). */
enum sync_rc http_request_retry(struct http *h, const char *path, const char *token, const char *body,
                                struct buf *out, struct err *e)
{
	int i, tries = h->pace == HTTP_SYNC ? TRIES : 1;
	long ms = 200;
	enum sync_rc rc = SYNC_RETRY;

	for (i = 0; i < tries; i++) {
		struct err e1;
		struct timespec ts;
		long wait;

		err_init(&e1);
		rc = http_request(h, path, token, body, out, &e1);
		if (rc != SYNC_RETRY || i == tries - 1) {
			if (rc != SYNC_OK)
				err_set(e, "%s", e1.msg);
			return rc;
		}
		if (h->report) {
			h->report->retries++;
			snprintf(h->report->retry_why, sizeof h->report->retry_why, "%.299s", e1.msg);
		}
		wait = ms + (long)(rand() % (int)(ms / 2 + 1));
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		ms *= 2;
	}
	return rc;
}

/* Log in with the password, the only request that carries it (see http.h). */
enum sync_rc http_login(struct http *h, const char *user, const char *password, char token[65], struct err *e)
{
	json_t *req = json_object(), *o;
	struct buf out;
	const char *t;
	char *body;
	enum sync_rc rc;

	token[0] = '\0';
	json_object_set_new(req, "user", json_string(user));
	json_object_set_new(req, "password", json_string(password));
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	buf_init(&out);
	rc = http_request_retry(h, "/v1/login", NULL, body, &out, e);
	/* the body held the password: wiped in a way the compiler may not drop as a dead store */
	sodium_memzero(body, strlen(body));
	free(body);
	if (rc == SYNC_OK) {
		o = json_loads(buf_str(&out), 0, NULL);
		t = o ? json_string_value(json_object_get(o, "token")) : NULL;
		if (t && strlen(t) == 64) {
			memcpy(token, t, 65);
		} else {
			err_set(e, _("the store's login answer has no token"));
			rc = SYNC_FAIL;
		}
		json_decref(o);
	}
	/* the answer held the token */
	if (out.data)
		sodium_memzero(out.data, out.cap);
	buf_release(&out);
	return rc;
}
