/* remote.c: read JSON from cati-store over one logged-in HTTPS connection (the one door: http.c). */
#include "cati/remote.h"
#include "http.h"

#include "cati/i18n.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct remote {
	struct sync_settings s;
	struct http h;
	char *user, *password;
	char token[65];
};

/* Log in to the store of s as user and keep the password for renewing the token (see remote.h). */
struct remote *remote_open(const struct sync_settings *s, const char *user, const char *password,
                           enum sync_rc *rc, struct err *e)
{
	struct remote *r = xcalloc(1, sizeof *r);

	r->s = *s;
	r->user = xstrdup(user);
	r->password = xstrdup(password);
	if (http_init(&r->h, &r->s, HTTP_CONSOLE, e) < 0) {
		*rc = SYNC_FAIL;
		remote_close(r);
		return NULL;
	}
	if ((*rc = http_login(&r->h, r->user, r->password, r->token, e)) != SYNC_OK) {
		remote_close(r);
		return NULL;
	}
	return r;
}

/* GET path as JSON, logging in again once when the token ran out (see remote.h). */
enum sync_rc remote_get(struct remote *r, const char *path, json_t **out, double *ms, struct err *e)
{
	struct buf body;
	json_error_t je;
	enum sync_rc rc;
	struct err e1;

	*out = NULL;
	buf_init(&body);
	err_init(&e1);
	rc = http_request(&r->h, path, r->token, NULL, &body, &e1);
	if (ms)
		*ms = r->h.last_ms;
	if (rc == SYNC_AUTH) {
		/* the token ran out (12 hours) or the store forgot it: log in again, once */
		err_init(&e1);
		if ((rc = http_login(&r->h, r->user, r->password, r->token, &e1)) == SYNC_OK)
			rc = http_request(&r->h, path, r->token, NULL, &body, &e1);
		if (ms)
			*ms += r->h.last_ms;
	}
	if (rc != SYNC_OK) {
		err_set(e, "%s", e1.msg);
	} else if (!(*out = json_loadb(buf_str(&body), body.len, 0, &je))) {
		err_set(e, _("the store's answer is not JSON: %s"), je.text);
		rc = SYNC_FAIL;
	}
	buf_release(&body);
	return rc;
}

/* POST in as JSON to path; the answer's JSON into *out also when the store refused (see remote.h). */
enum sync_rc remote_post(struct remote *r, const char *path, json_t *in, json_t **out, long *status, struct err *e)
{
	char *body = json_dumps(in, JSON_COMPACT);
	struct buf ans;
	enum sync_rc rc;
	struct err e1;

	*out = NULL;
	buf_init(&ans);
	err_init(&e1);
	rc = http_request(&r->h, path, r->token, body, &ans, &e1);
	if (rc == SYNC_AUTH && r->h.status == 401) {
		/* the token ran out or the store forgot it: log in again, once */
		err_init(&e1);
		if ((rc = http_login(&r->h, r->user, r->password, r->token, &e1)) == SYNC_OK)
			rc = http_request(&r->h, path, r->token, body, &ans, &e1);
	}
	*status = r->h.status;
	if (rc != SYNC_OK)
		err_set(e, "%s", e1.msg);
	if (ans.len)
		*out = json_loadb(buf_str(&ans), ans.len, 0, NULL);
	if (rc == SYNC_OK && !*out) {
		err_set(e, _("the store's answer is not JSON"));
		rc = SYNC_FAIL;
	}
	free(body);
	buf_release(&ans);
	return rc;
}

/* Escape s for a URL query, RFC 3986's unreserved characters kept (see remote.h). */
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

/* Close the connection, wipe the password and the token, free r (NULL: nothing). */
void remote_close(struct remote *r)
{
	if (!r)
		return;
	http_release(&r->h);
	if (r->password) {
		sodium_memzero(r->password, strlen(r->password));
		free(r->password);
	}
	free(r->user);
	sodium_memzero(r->token, sizeof r->token);
	free(r);
}
