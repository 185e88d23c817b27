/*
 * http.h: the sync layer's one door to the network (http.c): one libcurl handle per client, set
 * up in one place, and one function that turns libcurl's result and the HTTP status into an
 * enum sync_rc with the most specific message. sync.c (sync, enroll, case locks) and remote.c
 * (the supervisor's console) make every request through it. Private to src/sync.
 */
#ifndef CATI_SYNC_HTTP_H
#define CATI_SYNC_HTTP_H

#include <curl/curl.h>

#include "cati/sync.h"

/* An answer larger than this is refused whole (a ceiling, not a crash). */
#define HTTP_MAX_ANSWER (64 * 1024 * 1024)

/* How patient a client is: its timeouts and how often it tries a request that may pass later. */
enum http_pace {
	HTTP_SYNC = 0,   /* a sync: 10 s to connect, settings' timeout (120 s) per request, 5 tries */
	HTTP_QUICK,      /* someone waits at the screen (a case's lock, register): 3 s, 5 s, 1 try */
	HTTP_ENROLL,     /* enrolling, where a busy store may answer slowly: 10 s, 30 s, 1 try */
	HTTP_CONSOLE,    /* the supervisor's console (refreshes by itself): 5 s, at most 30 s, 1 try */
};

/* A client: the handle (its connection and TLS session kept from request to request) and the
   last request's outcome. Embed it, http_init / http_release. */
struct http {
	const struct sync_settings *s;   /* not owned: outlives the client */
	CURL *curl;
	enum http_pace pace;
	struct sync_report *report;      /* optional: requests, connects, last_ms, retries mirrored */
	long requests, connects;         /* requests made; connections libcurl opened for them */
	double last_ms;                  /* how long the last request took */
	long status;                     /* the last request's HTTP status (0: no answer) */
	CURLcode cc;                     /* its libcurl result, */
	long os_errno;                   /* the system's error behind it, */
	int too_large;                   /* its answer went over HTTP_MAX_ANSWER, */
	char why[CURL_ERROR_SIZE];       /* and libcurl's own words for it (its error buffer) */
	char reason[32];                 /* a refusal's "reason" code ("unregistered"), or "" */
};

/* Set up h for the store of s at pace: 0, or -1 when libcurl cannot start (e says so). */
int http_init(struct http *h, const struct sync_settings *s, enum http_pace pace, struct err *e);
/* Close h's connection (h->curl NULL: nothing). */
void http_release(struct http *h);

/*
 * One request: POST body when body is not NULL, else GET; with "Authorization: Bearer token"
 * when token is not NULL. The answer's body goes to out (reset first). Returns http_result's code;
 * e gets its message.
 */
enum sync_rc http_request(struct http *h, const char *path, const char *token, const char *body,
                          struct buf *out, struct err *e);
/* http_request again with exponential backoff and jitter while the answer is SYNC_RETRY, as often
   as h's pace allows (the last message in e; the report counts the retries). */
enum sync_rc http_request_retry(struct http *h, const char *path, const char *token, const char *body,
                                struct buf *out, struct err *e);

/*
 * THE mapping of a request's outcome to the sync layer's codes (git's handle_curl_result):
 * libcurl's result cc (with os_errno, its error buffer why and whether the answer went over the
 * ceiling) when there was no answer, else the HTTP status and the answer's body (its "error"
 * names the store's reason). The first, most specific message goes to e. url names the store;
 * cacert the CA file ("" for the system's); timeout_s is the request's limit. Pure: no I/O.
 */
enum sync_rc http_result(CURLcode cc, long os_errno, const char *why, int too_large, long status,
                         const char *body, const char *url, const char *cacert, long timeout_s, struct err *e);

/* The "reason" code of a refusal's body (a machine-readable class, e.g. "unregistered") into out,
   or "" when it has none. Pure. */
void http_reason(const char *body, char *out, size_t n);

/*
 * Log in as user: a fresh token (64 characters, kept in memory only) on SYNC_OK, else token "".
 * The request body held the password: it is wiped once sent, whatever the answer.
 */
enum sync_rc http_login(struct http *h, const char *user, const char *password, char token[65], struct err *e);

#endif
