/*
 * remote.h: a logged-in connection to cati-store for reading (the supervisor's console): log
 * in once, then GET JSON resources on one kept-open HTTPS connection. The token lives only in
 * memory; an expired one is renewed with the same credentials.
 */
#ifndef CATI_REMOTE_H
#define CATI_REMOTE_H

#include <jansson.h>

#include "cati/sync.h"

struct remote;

/*
 * Log in to the store of settings s as user. Returns the connection (free with remote_close),
 * or NULL with *rc (SYNC_AUTH wrong credentials, SYNC_TLS untrusted certificate, SYNC_RETRY
 * unreachable, SYNC_FAIL refused) and e set. The password is kept (for renewing the token)
 * until remote_close wipes it.
 */
struct remote *remote_open(const struct sync_settings *s, const char *user, const char *password,
                           enum sync_rc *rc, struct err *e);

/*
 * GET path ("/v1/report?study=x"; query values already escaped, see remote_escape) and parse
 * the JSON answer into *out (the caller json_decref()s it). *ms: how long the request took.
 * One try (the console tries again at its next refresh); a 401 logs in again once. Returns
 * SYNC_OK, or an error code with e set (a 4xx answer's message in e).
 */
enum sync_rc remote_get(struct remote *r, const char *path, json_t **out, double *ms, struct err *e);

/*
 * POST in (JSON) to path. *out: the answer's JSON (the caller json_decref()s it), also for a
 * refusal, whose body may say more (a form's errors, unknown case ids); NULL when there is none.
 * *status: the HTTP status (0: no answer). A 401 logs in again once. SYNC_OK, or an error code
 * with e set.
 */
enum sync_rc remote_post(struct remote *r, const char *path, json_t *in, json_t **out, long *status, struct err *e);

/* Append s escaped for a URL query (RFC 3986 unreserved characters kept) to out. */
void remote_escape(const char *s, struct buf *out);

void remote_close(struct remote *r);

#endif
