/* check_sync.c: the sync layer's one mapping of libcurl results and HTTP statuses (http_result). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sync/http.h"

#define URL "https://store.example:8443"

/* One row: what came back, the code it must give and the start of the message it must say. */
struct row {
	CURLcode cc;
	long os_errno;
	const char *why;        /* libcurl's error buffer */
	int too_large;
	long status;
	const char *body;
	const char *cacert;
	enum sync_rc want;
	const char *says;       /* the message begins with this ("": no message) */
};

static const struct row rows[] = {
	/* answers */
	{ CURLE_OK, 0, "", 0, 200, "{}", "", SYNC_OK, "" },
	{ CURLE_OK, 0, "", 0, 204, "", "", SYNC_OK, "" },
	{ CURLE_OK, 0, "", 0, 400, "{\"error\":\"bad\"}", "", SYNC_FAIL, "the store answered 400: bad" },
	{ CURLE_OK, 0, "", 0, 401, "{\"error\":\"wrong user name or password\"}", "", SYNC_AUTH,
	  "the store answered 401: wrong user name or password" },
	{ CURLE_OK, 0, "", 0, 403, "{\"error\":\"workstation x is not registered\"}", "", SYNC_FAIL,
	  "the store answered 403: workstation x is not registered" },
	{ CURLE_OK, 0, "", 0, 404, "", "", SYNC_FAIL, "the store answered 404: (no message)" },
	{ CURLE_OK, 0, "", 0, 409, "{\"error\":\"held\",\"user\":\"ann\"}", "", SYNC_TAKEN, "the store answered 409: held" },
	{ CURLE_OK, 0, "", 0, 413, "{\"error\":\"too large\"}", "", SYNC_FAIL, "the store answered 413: too large" },
	{ CURLE_OK, 0, "", 0, 429, "{\"error\":\"slow down\"}", "", SYNC_RETRY, "the store answered 429: slow down" },
	{ CURLE_OK, 0, "", 0, 500, "<html>", "", SYNC_RETRY, "the store answered 500: (no message)" },
	{ CURLE_OK, 0, "", 0, 503, "{\"error\":\"busy\"}", "", SYNC_RETRY, "the store answered 503: busy" },
	/* no answer */
	{ CURLE_COULDNT_CONNECT, ECONNREFUSED, "Failed to connect", 0, 0, "", "", SYNC_RETRY,
	  "cannot reach the store at " URL ": connection refused" },
	{ CURLE_COULDNT_CONNECT, ENETUNREACH, "Failed to connect", 0, 0, "", "", SYNC_RETRY,
	  "cannot reach the store at " URL ": " },
	{ CURLE_COULDNT_RESOLVE_HOST, 0, "", 0, 0, "", "", SYNC_RETRY, "cannot reach the store at " URL ": no such host" },
	{ CURLE_OPERATION_TIMEDOUT, 0, "", 0, 0, "", "", SYNC_RETRY, "the store at " URL " did not answer within 7 s" },
	{ CURLE_GOT_NOTHING, 0, "Empty reply from server", 0, 0, "", "", SYNC_RETRY,
	  "cannot reach the store at " URL ": Empty reply from server" },
	{ CURLE_RECV_ERROR, 0, "", 0, 0, "", "", SYNC_RETRY, "cannot reach the store at " URL ": " },
	{ CURLE_SSL_CONNECT_ERROR, 0, "handshake failed", 0, 0, "", "", SYNC_RETRY,
	  "the TLS handshake with the store at " URL " failed: handshake failed" },
	{ CURLE_PEER_FAILED_VERIFICATION, 0, "certificate verify failed", 0, 0, "", "/etc/ca.pem", SYNC_TLS,
	  "cannot trust the store at " URL ": the store's certificate is not trusted by the CA file '/etc/ca.pem'" },
	{ CURLE_PEER_FAILED_VERIFICATION, 0, "certificate verify failed", 0, 0, "", "", SYNC_TLS,
	  "cannot trust the store at " URL ": the store's certificate is not trusted by this system's CAs" },
	{ CURLE_PEER_FAILED_VERIFICATION, 0, "no alternative certificate subject name matches", 0, 0, "", "/etc/ca.pem",
	  SYNC_TLS, "cannot trust the store: the store's certificate is not for " URL },
	{ CURLE_SSL_CACERT_BADFILE, 0, "error reading", 0, 0, "", "/etc/ca.pem", SYNC_TLS,
	  "cannot trust the store at " URL ": cannot use the CA file '/etc/ca.pem'" },
	{ CURLE_SSL_CERTPROBLEM, 0, "", 0, 0, "", "", SYNC_TLS, "cannot trust the store at " URL ": " },
	{ CURLE_UNSUPPORTED_PROTOCOL, 0, "Protocol \"http\" disabled", 0, 0, "", "", SYNC_FAIL,
	  "refusing a plain-http store at " URL ": use https" },
	{ CURLE_UNSUPPORTED_PROTOCOL, 0, "Received HTTP/0.9 when not allowed", 0, 0, "", "", SYNC_FAIL,
	  "the store at " URL " does not answer in HTTP: Received HTTP/0.9" },
	{ CURLE_WEIRD_SERVER_REPLY, 0, "bad status line", 0, 0, "", "", SYNC_FAIL,
	  "the store at " URL " does not answer in HTTP: bad status line" },
	{ CURLE_WRITE_ERROR, 0, "", 1, 0, "", "", SYNC_FAIL, "the store's answer is larger than 64 MiB: refused" },
	{ CURLE_FILESIZE_EXCEEDED, 0, "", 0, 0, "", "", SYNC_FAIL, "the store's answer is larger than 64 MiB: refused" },
};

/* Each row gives its code and its message, and only the first message is kept. */
START_TEST(test_mapping)
{
	const struct row *r = &rows[_i];
	struct err e;
	enum sync_rc rc;

	err_init(&e);
	rc = http_result(r->cc, r->os_errno, r->why, r->too_large, r->status, r->body, URL, r->cacert, 7, &e);
	ck_assert_msg(rc == r->want, "row %d (cc %d, status %ld): got %d, want %d", _i, (int)r->cc, r->status, rc,
	              r->want);
	if (r->says[0])
		ck_assert_msg(!strncmp(e.msg, r->says, strlen(r->says)), "row %d: says '%s', want '%s...'", _i, e.msg,
		              r->says);
	else
		ck_assert_msg(!e.set, "row %d: an answer that passed says '%s'", _i, e.msg);
}
END_TEST

/* A message set before (a more specific one, deeper down) is not overwritten. */
/* A refusal's reason code is read from its body; a body without one (or not JSON) gives "". */
START_TEST(test_reason)
{
	char r[32];

	http_reason("{\"error\":\"workstation w is not registered\",\"reason\":\"unregistered\"}", r, sizeof r);
	ck_assert_str_eq(r, "unregistered");
	http_reason("{\"error\":\"workstation w is not registered: run cati enroll\"}", r, sizeof r);
	ck_assert_str_eq(r, "");
	http_reason("<html>not registered</html>", r, sizeof r);
	ck_assert_str_eq(r, "");
	http_reason(NULL, r, sizeof r);
	ck_assert_str_eq(r, "");
	http_reason("{\"reason\":\"a-reason-far-longer-than-the-buffer-holds-by-far\"}", r, sizeof r);
	ck_assert_uint_eq(strlen(r), sizeof r - 1);
}
END_TEST

START_TEST(test_first_message_wins)
{
	struct err e;

	err_init(&e);
	err_set(&e, "the deeper reason");
	ck_assert_int_eq(http_result(CURLE_OK, 0, "", 0, 503, "{\"error\":\"busy\"}", URL, "", 7, &e), SYNC_RETRY);
	ck_assert_str_eq(e.msg, "the deeper reason");
}
END_TEST

/* The suite. */
static Suite *suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("http");

	tcase_add_loop_test(tc, test_mapping, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_test(tc, test_first_message_wins);
	tcase_add_test(tc, test_reason);
	suite_add_tcase(s, tc);
	return s;
}

/* Run the suite; non-zero on a failure. */
int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
