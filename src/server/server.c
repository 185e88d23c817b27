/* server.c: cati-store's HTTPS API (libmicrohttpd with GnuTLS) over the central store. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "args.h"
#include "cati/i18n.h"
#include "cati/central.h"
#include "cati/form.h"
#include "cati/report.h"

#define MAX_BODY (8 * 1024 * 1024)
#define TOKEN_TTL (12 * 3600)
#define SEEN_GAP 30   /* seconds: how often a user's "last seen" is written at most */
/* TLS 1.2 and 1.3 only, ECDHE key exchange (forward secrecy) and AEAD ciphers only. */
#define TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA:" \
	"-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD"

struct request {
	struct buf body;
	int too_big;
	struct timespec start;   /* when its headers were in (CLOCK_MONOTONIC) */
	char line[512];          /* "METHOD PATH?QUERY" for the log, without secrets */
};

/* Faults injected for tests (cati-store serve --faults): what to do to the Nth push. */
enum fault { FAULT_NONE, FAULT_500, FAULT_DROP, FAULT_SLOW };

/* Each connection has a thread of its own, so a request that waits (for the write lock, for a
   password check) holds up no other connection's handshake or request. Requests share a pool
   of store connections; password checks (Argon2id: 64 MiB and most of a core each) run a few at
   a time, waiting before they take a store connection, so a shift's logins all at once neither
   exhaust memory nor keep the workstations already logged in from their store connections. */
#define THREADS 16          /* store connections in the pool */
#define LOGINS_AT_ONCE 2    /* password checks at the same time */
/* PostgreSQL: pushes in the database at the same time, the others in line. Every batch with a
   complete ends on rows all writers update (the change counter, counts, cells): with a room's
   pushes all in at once they wait there in no order, and some wait many turns (50 workstations
   pushing a backlog: p99 1.1-1.6 s; 4 at a time: 0.66 s, 2: 1.0 s, 8: 0.77 s). */
#define PUSHES_AT_ONCE 4
#define STACK (2 * 1024 * 1024)   /* a connection thread's stack (deep JSON, the form compiler); address space only */
/* Connections: one address cannot take them all (a flood, slow headers) and idle ones go. */
#define MAX_CONNECTIONS 1000
#define MAX_PER_ADDRESS 64   /* the default; serve --connections-per-address */
#define IDLE_TIMEOUT 10   /* seconds without a byte either way */
#define HEADER_DEADLINE 10   /* seconds from a connection's start (or its last answer) to a request's headers */

/* A connection the header deadline watches (MHD's socket context, listed in struct server). */
struct watch {
	int fd;
	time_t since;   /* when it began waiting for a request's headers; 0: a request is served */
	struct watch *prev, *next;
	/* the request being served, for its log line (a connection serves one at a time) */
	unsigned status;   /* 0: no answer queued */
	size_t bytes;
	char user[CENTRAL_MAX_USER + 1];   /* "": not known */
	int served;        /* a request came (so the TLS handshake went through) */
	void *tls;         /* its TLS session (gnutls_session_t), to find it from a handshake hook */
	int hello_in, hello_out, cert_out, done;   /* handshake messages seen, for a failure's reason */
	char addr[48];
};

/* A request waiting in line for a store connection of the pool or for the writer's turn, given
   straight to it in the order the requests came: under a mutex and condition alone, a thread
   that has just let go takes it again before the sleeping ones wake, and a room of workstations
   pushing at once sees some pushes wait many turns. */
struct waiter {
	pthread_cond_t cv;
	int slot;                /* what it was given; -1: still waiting */
	struct waiter *next;
};

/* Turns at something at most cap requests hold at once (the writer's: one), taken in line. */
struct turns {
	pthread_mutex_t mu;
	int held, cap;
	struct waiter *head, *tail;
};

struct server {
	struct central *pool[THREADS + 1];   /* the last: the SQLite push that has the writer's turn */
	int busy[THREADS];
	pthread_mutex_t mu;      /* guards busy, the waiting line and pushes */
	struct waiter *waiting, *waiting_tail;
	struct turns write;      /* one writer at a time, in arrival order, rather than SQLite's sleeping retries */
	struct turns lane;       /* PostgreSQL: a few pushes in the database at once, the others in line */
	pthread_mutex_t login_mu;   /* guards logins */
	pthread_cond_t login_cv;
	int logins;                 /* password checks running */
	pthread_mutex_t watch_mu;   /* guards watched and stopping */
	pthread_cond_t watch_cv;
	struct watch *watched;
	int stopping;
	pthread_t watchdog;
	enum fault faults[64];   /* by push number, 1-based */
	unsigned delay_ms;
	unsigned pushes;
	int share;               /* pushes go in side by side (PostgreSQL), not one writer at a time */
	int quiet;               /* no line per request (serve --log quiet) */
};

/* Wait at the end of the line (its mutex mu held) until given something; what was given. */
static int line_wait(struct waiter **head, struct waiter **tail, pthread_mutex_t *mu)
{
	struct waiter me;

	pthread_cond_init(&me.cv, NULL);
	me.slot = -1;
	me.next = NULL;
	if (*tail)
		(*tail)->next = &me;
	else
		*head = &me;
	*tail = &me;
	while (me.slot < 0)
		pthread_cond_wait(&me.cv, mu);
	pthread_cond_destroy(&me.cv);
	return me.slot;
}

/* Give slot to the first in line (its mutex held): 1, or 0 when nobody waits. */
static int line_hand(struct waiter **head, struct waiter **tail, int slot)
{
	struct waiter *w = *head;

	if (!w)
		return 0;
	*head = w->next;
	if (!*head)
		*tail = NULL;
	w->slot = slot;
	pthread_cond_signal(&w->cv);
	return 1;
}

/* Wait for a turn of t: at once when one is free, else after those who came before. */
static void turn_take(struct turns *t)
{
	pthread_mutex_lock(&t->mu);
	if (t->held < t->cap && !t->head)
		t->held++;
	else
		line_wait(&t->head, &t->tail, &t->mu);
	pthread_mutex_unlock(&t->mu);
}

/* Give a turn to the first in line (it stays held), or let it go when nobody waits. */
static void turn_give(struct turns *t)
{
	pthread_mutex_lock(&t->mu);
	if (!line_hand(&t->head, &t->tail, 0))
		t->held--;
	pthread_mutex_unlock(&t->mu);
}

/* Take a store connection from the pool: a free one at once, else the next one given back, in
   the order the requests came. */
static struct central *take(struct server *s, int *slot)
{
	int i;

	pthread_mutex_lock(&s->mu);
	for (i = 0; !s->waiting && i < THREADS; i++)
		if (!s->busy[i]) {
			s->busy[i] = 1;
			*slot = i;
			pthread_mutex_unlock(&s->mu);
			return s->pool[i];
		}
	*slot = line_wait(&s->waiting, &s->waiting_tail, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return s->pool[*slot];
}

/* Give a store connection back: to the request that has waited longest, or to the pool. */
static void give_back(struct server *s, int slot)
{
	pthread_mutex_lock(&s->mu);
	central_audit_next(s->pool[slot], NULL, NULL, NULL);   /* a request's audit line ends with it */
	if (!line_hand(&s->waiting, &s->waiting_tail, slot))
		s->busy[slot] = 0;
	pthread_mutex_unlock(&s->mu);
}

/* The connection's entry in the watch list (MHD's socket context); NULL if it has none. */
static struct watch *watch_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Keep the answer's status and size, or the request's user, for the request's log line. */
static void note(struct MHD_Connection *conn, unsigned status, size_t bytes, const char *user)
{
	struct watch *w = watch_of(conn);

	if (!w)
		return;
	if (user)
		snprintf(w->user, sizeof w->user, "%s", user);
	else {
		w->status = status;
		w->bytes = bytes;
	}
}

/* Send a JSON body (reference taken) with a status. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct MHD_Response *r;
	enum MHD_Result rc;

	json_decref(body);
	note(conn, status, strlen(text), NULL);
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Answer with status and {"error": msg}. */
static enum MHD_Result error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	json_t *o = json_object();

	json_object_set_new(o, "error", json_string(msg));
	return reply(conn, status, o);
}

/*
 * Answer a failure the store reported in e. A failing database is the operator's business: its
 * message (which names the database file or URL) goes to the log only, and the client hears
 * 503 with Retry-After when the database was busy, 500 otherwise. Other messages are the
 * client's own mistakes and are answered as they are, with status.
 */
static enum MHD_Result fail(struct MHD_Connection *conn, unsigned status, const struct err *e)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	json_t *o;
	char *text;

	if (e->kind == ERR_KIND_INPUT)
		return error(conn, status, e->msg);
	fprintf(stderr, "cati-store: %s\n", e->msg);
	if (e->kind == ERR_KIND_AUDIT)
		return error(conn, 503, N_("the store cannot write its audit trail, so nothing was changed: tell its operator"));
	o = json_object();
	json_object_set_new(o, "error", json_string(e->kind == ERR_KIND_BUSY ? N_("the store is busy: try again in a moment")
	                                                                        : N_("internal error in the store (its log has the detail)")));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	note(conn, e->kind == ERR_KIND_BUSY ? 503 : 500, strlen(text), NULL);
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (e->kind == ERR_KIND_BUSY)
		MHD_add_response_header(r, "Retry-After", "2");
	rc = MHD_queue_response(conn, e->kind == ERR_KIND_BUSY ? 503 : 500, r);
	MHD_destroy_response(r);
	return rc;
}

/*
 * The one place a central_rc becomes an HTTP status: refusals and the user's own mistakes are
 * answered with e's message; a busy or failing database goes through fail() (503 with
 * Retry-After, or 500).
 */
static enum MHD_Result answer_rc(struct MHD_Connection *conn, enum central_rc rc, const struct err *e)
{
	switch (rc) {
	case CENTRAL_INPUT:
		return error(conn, 400, e->msg);
	case CENTRAL_DENIED:
		return error(conn, 401, e->msg);
	case CENTRAL_FORBIDDEN:
		return error(conn, 403, e->msg);
	case CENTRAL_UNREGISTERED: {
		/* the workstation registers again when it reads the reason (never the message) */
		json_t *o = json_pack("{s:s,s:s}", "error", e->msg, "reason", "unregistered");
		return reply(conn, 403, o);
	}
	case CENTRAL_NOT_FOUND:
		return error(conn, 404, e->msg);
	case CENTRAL_HELD:
		return error(conn, 409, e->msg);
	case CENTRAL_LIMITED:
		return error(conn, 429, e->msg);
	case CENTRAL_OK:
	case CENTRAL_BUSY:
	case CENTRAL_STORAGE:
		break;
	}
	return fail(conn, 503, e);
}

/* Reject fields the endpoint does not know: a typo must not pass silently. */
static const char *unknown_field(json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	int i, ok;

	json_object_foreach(o, k, v) {
		(void)v;
		for (ok = 0, i = 0; allowed[i]; i++)
			ok |= !strcmp(allowed[i], k);
		if (!ok)
			return k;
	}
	return NULL;
}

/* The user behind the request's bearer token. */
static int authenticate(struct central *c, struct MHD_Connection *conn, char user[65],
                        enum central_role *role)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");

	if (!h || strncasecmp(h, "Bearer ", 7))
		return -1;
	return central_auth(c, h + 7, user, role);
}

/* The client's address as text in buf (INET6_ADDRSTRLEN bytes); "" if unknown. */
static const char *client_address(struct MHD_Connection *conn, char *buf)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	buf[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, INET6_ADDRSTRLEN);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, INET6_ADDRSTRLEN);
	return buf;
}

/* The time now as UTC ISO 8601 with milliseconds, in buf (32 bytes). */
static const char *utc_now(char *buf)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
	return buf;
}

/* Copy s into out (n bytes) for a log line: blanks, quotes, control and non-ASCII bytes as %XX,
   so one field stays one word and nothing a client sends can forge a line. */
static void log_word(char *out, size_t n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;

	for (; *s && i + 4 < n; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= ' ' || ch >= 0x7f || ch == '"' || ch == '%') {
			out[i++] = '%';
			out[i++] = hex[ch >> 4];
			out[i++] = hex[ch & 15];
		} else {
			out[i++] = (char)ch;
		}
	}
	out[i] = '\0';
}

/* A failed login, for the operator: who, from where, why; never the password. One write. */
static void log_login_failed(const char *user, const char *addr, enum central_rc rc)
{
	char line[400], when[32], who[3 * CENTRAL_MAX_USER + 8];

	log_word(who, sizeof who, user);
	snprintf(line, sizeof line, "cati-store: %s login failed: user '%s' from %s: %s\n", utc_now(when), who,
	         addr[0] ? addr : "-",
	         rc == CENTRAL_LIMITED ? "too many failed logins, refused without checking the password"
	         : rc == CENTRAL_INPUT ? "the name or password is too long to be anyone's"
	                               : "wrong user name or password (or a disabled user)");
	fputs(line, stderr);
}

/* POST {user, password}: a token for the user, or why not (through answer_rc). */
static enum MHD_Result do_login(struct central *c, struct MHD_Connection *conn, json_t *in)
{
	static const char *const allowed[] = { "user", "password", NULL };
	const char *user = json_string_value(json_object_get(in, "user"));
	const char *pw = json_string_value(json_object_get(in, "password"));
	const char *bad = unknown_field(in, allowed);
	char token[65], addr[INET6_ADDRSTRLEN];
	enum central_role role;
	enum central_rc rc;
	struct err e;
	json_t *o;

	if (bad)
		return error(conn, 400, N_("unknown field in the request"));
	if (!user || !pw)
		return error(conn, 400, N_("login needs 'user' and 'password' (strings)"));
	if (strlen(user) > CENTRAL_MAX_USER)   /* before anything is stored */
		return error(conn, 400, N_("the user name is too long (at most 64 bytes)"));
	err_init(&e);
	rc = central_login(c, user, pw, client_address(conn, addr), TOKEN_TTL, token, &role, &e);
	if (rc == CENTRAL_DENIED || rc == CENTRAL_LIMITED || rc == CENTRAL_INPUT)
		log_login_failed(user, addr, rc);
	if (rc != CENTRAL_OK)   /* a busy store is not a wrong password */
		return answer_rc(conn, rc, &e);
	note(conn, 0, 0, user);
	o = json_object();
	json_object_set_new(o, "token", json_string(token));
	json_object_set_new(o, "expires_in", json_integer(TOKEN_TTL));
	json_object_set_new(o, "role", json_string(role == CENTRAL_ADMIN ? "admin" : role == CENTRAL_SUPERVISOR ? "supervisor" : "interviewer"));
	return reply(conn, 200, o);
}

/* POST {source, name}: publish a form that compiles, or its errors with their places. */
static enum MHD_Result do_form(struct central *c, struct MHD_Connection *conn, json_t *in,
                               const char *user, enum central_role role)
{
	static const char *const allowed[] = { "source", "name", NULL };
	const char *src = json_string_value(json_object_get(in, "source"));
	const char *name = json_string_value(json_object_get(in, "name"));
	struct form_diags d;
	struct form *f;
	struct err e;
	char hash[65];
	json_t *o;
	int i;

	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	if (!src)
		return error(conn, 400, N_("publishing needs the form's 'source' (a string)"));
	form_diags_init(&d);
	f = form_compile(name ? name : "form", src, strlen(src), &d);
	if (!f) {
		json_t *errs = json_array();
		o = json_object();
		for (i = 0; i < d.n; i++) {
			json_t *x = json_object();
			json_object_set_new(x, "line", json_integer(d.v[i].line));
			json_object_set_new(x, "col", json_integer(d.v[i].col));
			json_object_set_new(x, "message", json_string(d.v[i].msg));
			json_array_append_new(errs, x);
		}
		json_object_set_new(o, "error", json_string(N_("the form has errors")));
		json_object_set_new(o, "errors", errs);
		form_diags_release(&d);
		return reply(conn, 422, o);
	}
	if (!central_may_manage(c, user, role, f->id)) {
		form_free(f);
		return error(conn, 403, N_("this study is not one of your projects"));
	}
	err_init(&e);
	if (central_form_put(c, f->id, f->version, src, hash, &e) < 0 || central_quota_seed(c, f, &e) < 0) {
		form_free(f);
		return fail(conn, 503, &e);
	}
	o = json_object();
	json_object_set_new(o, "form_id", json_string(f->id));
	json_object_set_new(o, "version", json_string(f->version));
	json_object_set_new(o, "hash", json_string(hash));
	form_free(f);
	return reply(conn, 200, o);
}

/* POST {form_id, cases}: add or reassign the cases of a study the user manages. */
static enum MHD_Result do_cases(struct central *c, struct MHD_Connection *conn, json_t *in,
                                const char *user, enum central_role role)
{
	static const char *const allowed[] = { "form_id", "cases", "dnc", NULL };
	const char *form_id = json_string_value(json_object_get(in, "form_id"));
	const char *dnc = json_string_value(json_object_get(in, "dnc"));
	json_t *cases = json_object_get(in, "cases"), *o;
	struct err e;

	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	if (!form_id || !json_is_array(cases))
		return error(conn, 400, N_("needs 'form_id' (a string) and 'cases' (an array)"));
	if (json_object_get(in, "dnc") && (!dnc || (strcmp(dnc, "refuse") && strcmp(dnc, "flag"))))
		return error(conn, 400, N_("'dnc' is \"refuse\" (the default) or \"flag\""));
	if (!central_may_manage(c, user, role, form_id))
		return error(conn, 403, "this study is not one of your projects");
	{
		/* an import that names interviewers changes assignments: the audit trail says how many */
		size_t i, given = 0;
		json_t *x;
		char w[400];

		json_array_foreach(cases, i, x)
			given += json_is_string(json_object_get(x, "interviewer"));
		snprintf(w, sizeof w, "study %s: %zu cases imported or updated, %zu of them given to interviewers", form_id,
		         json_array_size(cases), given);
		central_audit_next(c, user, "import", w);
	}
	err_init(&e);
	if (central_cases_put(c, form_id, cases, dnc && !strcmp(dnc, "flag") ? CENTRAL_DNC_FLAG : CENTRAL_DNC_REFUSE, &e) < 0)
		return fail(conn, 422, &e);
	o = json_object();
	json_object_set_new(o, "cases", json_integer((json_int_t)json_array_size(cases)));
	return reply(conn, 200, o);
}

/* POST {records, workstation}: store a batch, each record's outcome in the answer. */
static enum MHD_Result do_push(struct server *s, struct central *c, struct MHD_Connection *conn, json_t *in,
                               const char *user, enum central_role role)
{
	static const char *const allowed[] = { "records", "workstation", NULL };
	json_t *records = json_object_get(in, "records"), *result, *o;
	json_t *ws = json_object_get(in, "workstation");
	enum fault fault;
	struct err e;
	int rc;

	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	if (!json_is_array(records))
		return error(conn, 400, N_("push needs 'records' (an array)"));
	if (ws && (!json_is_string(ws) || strlen(json_string_value(ws)) > 64))
		return error(conn, 400, N_("'workstation' must be a string of at most 64 characters"));
	if (json_array_size(records) > 5000)
		return error(conn, 413, N_("at most 5000 records in one batch"));
	pthread_mutex_lock(&s->mu);
	s->pushes++;
	fault = s->pushes < sizeof s->faults / sizeof s->faults[0] ? s->faults[s->pushes] : FAULT_NONE;
	pthread_mutex_unlock(&s->mu);
	if (fault == FAULT_500)
		return error(conn, 500, N_("injected fault: nothing was stored"));
	result = json_array();
	err_init(&e);
	/* on PostgreSQL batches go in side by side: the store orders what they share; on SQLite
	   the dispatcher took the writer's turn before a store connection (see answer) */
	rc = central_push(c, user, role, ws ? json_string_value(ws) : NULL, records, result, &e);
	if (rc < 0) {
		json_decref(result);
		fprintf(stderr, "cati-store: a push by '%s' was not stored: %s\n", user, e.msg);   /* for the operator */
		if (e.kind == ERR_KIND_BUSY)
			return fail(conn, 503, &e);
		return error(conn, 503, N_("the store could not save the batch; nothing was stored: try again"));
	}
	if (fault == FAULT_DROP) {
		json_decref(result);
		return MHD_NO;   /* stored, but the connection closes before the answer */
	}
	if (fault == FAULT_SLOW) {
		struct timespec ts = { (time_t)(s->delay_ms / 1000), (long)(s->delay_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	o = json_object();
	json_object_set_new(o, "results", result);
	return reply(conn, 200, o);
}

/*
 * A pull's &call=KEY&question=ID&elapsed=SECONDS (call= empty: no interview open): what the
 * workstation is doing now, kept for the report's "on call" (written when it changed or once a
 * SEEN_GAP); a case the user may not push records about counts as no call. call= also says the
 * interviewer is logged in there: working time (its span written once a SEEN_GAP). Workstations
 * that send no call= are left as they were; a failure only makes the call look older.
 */
static void on_call(struct server *s, struct central *c, struct MHD_Connection *conn, const char *user,
                    enum central_role role, const char *ws)
{
	const char *key = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "call");
	const char *q = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "question");
	const char *el = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "elapsed");
	int64_t now = (int64_t)time(NULL);
	long long elapsed = 0;
	char *end = NULL;
	struct err e;
	int call_due, work_due;

	if (!key || strlen(key) > 128 || (q && strlen(q) > 128))
		return;
	if (el && *el) {
		elapsed = strtoll(el, &end, 10);
		if (*end || elapsed < 0 || elapsed > 7 * 86400)
			elapsed = 0;
	}
	call_due = central_on_call_due(c, user, ws, key, q, now, SEEN_GAP);
	work_due = central_work_due(c, user, ws, now, SEEN_GAP);
	if (!call_due && !work_due)
		return;
	err_init(&e);
	turn_take(&s->write);
	if (call_due)
		central_on_call(c, user, role, ws, key, q, (int64_t)elapsed, now, &e);
	if (work_due)
		central_work(c, user, role, ws, key, now, &e);   /* a failure only loses half a minute */
	turn_give(&s->write);
}

/* GET ?cursor&workstation[&call&question&elapsed]: what changed for the user since cursor. */
static enum MHD_Result do_pull(struct server *s, struct central *c, struct MHD_Connection *conn,
                               const char *user, enum central_role role)
{
	const char *cur = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "cursor");
	const char *ws = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "workstation");
	enum central_rc wrc;
	int rc;
	long long cursor = 0;
	char *end = NULL;
	json_t *out;
	struct err e;

	if (cur) {
		cursor = strtoll(cur, &end, 10);
		if (!*cur || *end || cursor < 0)
			return error(conn, 400, N_("'cursor' must be a whole number"));
	}
	err_init(&e);
	if (ws && strlen(ws) > 64)
		return error(conn, 400, N_("'workstation' has at most 64 characters"));
	/* an interviewer's named workstation must be registered: no allowances for invented names */
	wrc = role == CENTRAL_INTERVIEWER && ws ? central_ws_check(c, user, ws, &e) : CENTRAL_OK;
	if (wrc != CENTRAL_OK)
		return answer_rc(conn, wrc, &e);
	/* a pull reads in a transaction of its own (readers never wait for writers); only when
	   the workstation's quota grants must be worked out again is it one of the writers */
	rc = central_pull_read(c, user, role, ws, cursor, 1, &out, &e);
	if (rc == 1) {
		int share = central_pushes_share(c);
		if (!share)
			turn_take(&s->write);
		rc = central_quota_renew(c, user, ws && *ws ? ws : user, &e);
		if (!share)
			turn_give(&s->write);
		if (rc == 0)
			rc = central_pull_read(c, user, role, ws, cursor, 0, &out, &e);
	}
	if (rc < 0)
		return fail(conn, 503, &e);
	on_call(s, c, conn, user, role, ws);
	return reply(conn, 200, out);
}

static struct server srv;   /* one server per process; lives until exit */

/* GnuTLS calls this after each handshake message: note how far the handshake got, for the
   reason of a failure (libmicrohttpd says only "received handshake message out of context"). */
static int tls_hook(gnutls_session_t tls, unsigned type, unsigned when, unsigned incoming, const gnutls_datum_t *msg)
{
	struct watch *w;

	(void)msg;
	if (when == GNUTLS_HOOK_PRE && !(incoming && type == GNUTLS_HANDSHAKE_CLIENT_HELLO))
		return 0;   /* a client hello before it is read (it may be refused); the others once done */
	pthread_mutex_lock(&srv.watch_mu);
	for (w = srv.watched; w && w->tls != (void *)tls; w = w->next)
		;
	if (w && incoming && type == GNUTLS_HANDSHAKE_CLIENT_HELLO)
		w->hello_in = 1;
	if (w && !incoming && type == GNUTLS_HANDSHAKE_SERVER_HELLO)
		w->hello_out = 1;
	if (w && !incoming && type == GNUTLS_HANDSHAKE_CERTIFICATE_PKT)
		w->cert_out = 1;
	if (w && incoming && type == GNUTLS_HANDSHAKE_FINISHED)
		w->done = 1;   /* the client took the certificate */
	pthread_mutex_unlock(&srv.watch_mu);
	return 0;
}

/* A connection that ended without a request: its TLS handshake's failure in plain words. */
static void log_tls_failure(const struct watch *w)
{
	char line[400], when[32];
	const char *why;

	if (w->cert_out)
		why = "the client does not trust this server's certificate (give it this store's ca.pem)";
	else if (w->hello_out)
		why = "the client broke off the handshake";
	else if (w->hello_in)
		why = "the client and this server have no TLS version or cipher in common (an old client?)";
	else
		why = "the client sent no TLS handshake (plain HTTP, or a bare port check?)";
	snprintf(line, sizeof line, "cati-store: %s TLS handshake with %s failed: %s\n", utc_now(when),
	         w->addr[0] ? w->addr : "a client", why);
	fputs(line, stderr);
}

/* Note a connection's start (listed for the watchdog) or its end (unlisted). */
static void notify_connection(void *cls, struct MHD_Connection *conn, void **sock_ctx,
                              enum MHD_ConnectionNotificationCode code)
{
	struct server *s = cls;
	const union MHD_ConnectionInfo *ci;
	struct watch *w;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		w = xcalloc(1, sizeof *w);
		w->fd = ci ? ci->connect_fd : -1;
		w->since = time(NULL);
		client_address(conn, w->addr);
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		if (ci && ci->tls_session) {
			w->tls = ci->tls_session;
			gnutls_handshake_set_hook_function(ci->tls_session, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_BOTH, tls_hook);
		}
		pthread_mutex_lock(&s->watch_mu);
		w->next = s->watched;
		if (w->next)
			w->next->prev = w;
		s->watched = w;
		pthread_mutex_unlock(&s->watch_mu);
		*sock_ctx = w;
		return;
	}
	if (!(w = *sock_ctx))
		return;
	if (!w->served && w->tls && !w->done)
		log_tls_failure(w);
	pthread_mutex_lock(&s->watch_mu);
	if (w->prev)
		w->prev->next = w->next;
	else
		s->watched = w->next;
	if (w->next)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&s->watch_mu);
	free(w);
	*sock_ctx = NULL;
}

/* Mark the connection as serving a request (waiting 0) or waiting for the next one's headers. */
static void waiting(struct server *s, struct MHD_Connection *conn, int wait)
{
	struct watch *w = watch_of(conn);

	if (!w)
		return;
	pthread_mutex_lock(&s->watch_mu);
	w->since = wait ? time(NULL) : 0;
	pthread_mutex_unlock(&s->watch_mu);
	if (!wait) {   /* a new request: nothing answered yet, nobody known */
		w->status = 0;
		w->bytes = 0;
		w->user[0] = '\0';
		w->served = 1;
	}
}

/*
 * Once a second, shut the socket of every connection that has not sent a request's headers
 * within HEADER_DEADLINE: the idle timeout alone lets a client that sends a header line every few
 * seconds hold a connection for ever. MHD then sees the end of the stream and closes it.
 */
static void *watchdog(void *arg)
{
	struct server *s = arg;
	struct timespec ts;
	struct watch *w;
	time_t now;

	pthread_mutex_lock(&s->watch_mu);
	while (!s->stopping) {
		now = time(NULL);
		for (w = s->watched; w; w = w->next)
			if (w->since && now - w->since >= HEADER_DEADLINE && w->fd >= 0) {
				shutdown(w->fd, SHUT_RDWR);
				w->since = 0;
			}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->watch_cv, &s->watch_mu, &ts);
	}
	pthread_mutex_unlock(&s->watch_mu);
	return NULL;
}

/* The query's arguments appended to the log line, each key=value, leaving out secrets. */
static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct request *r = cls;
	size_t n = strlen(r->line);
	char k[128], v[256];

	(void)kind;
	if (!strcasecmp(key, "token") || !strcasecmp(key, "password") || !strcasecmp(key, "access_token"))
		return MHD_YES;
	log_word(k, sizeof k, key);
	log_word(v, sizeof v, value ? value : "");
	snprintf(r->line + n, sizeof r->line - n, "%c%s%s%s", strchr(r->line, '?') ? '&' : '?', k, value ? "=" : "", v);
	return MHD_YES;
}

/* One line for the request that ended: time, address, user, method, path, status, ms, bytes.
   Formatted first and written at once, so lines from many connections never mix. */
static void log_request(struct MHD_Connection *conn, struct request *r)
{
	struct watch *w = watch_of(conn);
	struct timespec now;
	char line[800], when[32], status[12];
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long)(now.tv_sec - r->start.tv_sec) * 1000 + (now.tv_nsec - r->start.tv_nsec) / 1000000;
	if (w && w->status)
		snprintf(status, sizeof status, "%u", w->status);
	else
		snprintf(status, sizeof status, "-");
	snprintf(line, sizeof line, "cati-store: %s %s %s %s %s %ldms %zuB\n", utc_now(when),
	         w && w->addr[0] ? w->addr : "-", w && w->user[0] ? w->user : "-", r->line, status, ms,
	         w ? w->bytes : (size_t)0);
	fputs(line, stderr);
}

/* A request ended: log it, free what it gathered; the connection waits for the next one's headers. */
static void completed(void *cls, struct MHD_Connection *conn, void **ctx,
                      enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct request *r = *ctx;

	(void)toe;
	if (r && !s->quiet)
		log_request(conn, r);
	waiting(cls, conn, 1);
	if (r) {
		buf_release(&r->body);
		free(r);
		*ctx = NULL;
	}
}

/* Lock a case for a call: {case, seconds, workstation}; 409 when another workstation has it. */
static enum MHD_Result do_lock(struct server *s, struct central *c, struct MHD_Connection *conn, json_t *in,
                               const char *user, enum central_role role)
{
	static const char *const allowed[] = { "case", "seconds", "workstation", NULL };
	const char *key = json_string_value(json_object_get(in, "case"));
	const char *ws = json_string_value(json_object_get(in, "workstation"));
	json_t *sec = json_object_get(in, "seconds"), *o;
	char who[80];
	int64_t until = 0;
	enum central_rc rc;
	struct err e;

	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	if (!key || !*key || !json_is_integer(sec) || json_integer_value(sec) < 1 || json_integer_value(sec) > 86400)
		return error(conn, 400, N_("a lock needs 'case' (a string) and 'seconds' (1 to 86400)"));
	if (json_object_get(in, "workstation") && (!ws || strlen(ws) > 64))
		return error(conn, 400, "'workstation' must be a string of at most 64 characters");
	err_init(&e);
	turn_take(&s->write);
	rc = central_lock(c, user, role, ws ? ws : user, key, (int)json_integer_value(sec), who, sizeof who, &until, &e);
	turn_give(&s->write);
	if (rc != CENTRAL_OK && rc != CENTRAL_HELD)
		return answer_rc(conn, rc, &e);
	o = json_object();
	json_object_set_new(o, "case", json_string(key));
	json_object_set_new(o, "until", json_integer(until));
	json_object_set_new(o, "user", json_string(who));
	if (rc == CENTRAL_HELD) {   /* who holds it, and until when, with the refusal */
		json_object_set_new(o, "error", json_string(N_("the case is in a call at another workstation")));
		return reply(conn, 409, o);
	}
	return reply(conn, 200, o);
}

/* POST {workstation} (supervisors, admins): retire a workstation for good; its grants and locks
   end at once. */
static enum MHD_Result do_retire(struct server *s, struct central *c, struct MHD_Connection *conn,
                                 json_t *in, const char *user, enum central_role role)
{
	static const char *const allowed[] = { "workstation", NULL };
	enum central_rc rc;
	const char *id;
	struct err e;

	if (role == CENTRAL_INTERVIEWER)
		return error(conn, 403, N_("only supervisors and admins may do this"));
	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	id = json_string_value(json_object_get(in, "workstation"));
	if (!id || !*id || strlen(id) > 64)
		return error(conn, 400, N_("retiring needs 'workstation' (1 to 64 characters)"));
	err_init(&e);
	turn_take(&s->write);
	rc = central_ws_retire(c, id, &e);
	turn_give(&s->write);
	if (rc == CENTRAL_NOT_FOUND)
		return error(conn, 404, N_("no such workstation"));
	if (rc != CENTRAL_OK)
		return answer_rc(conn, rc, &e);
	fprintf(stderr, "cati-store: %s retired workstation %s\n", user, id);   /* for the operator */
	return reply(conn, 200, json_pack("{s:s,s:b}", "workstation", id, "retired", 1));
}

/* POST {workstation, key, public}: keep a workstation's secret key, sent once from it; GET
   ?workstation=ID: give it to the logged-in user, who logs in there without a copy of it (in the
   audit trail). Only for a registered workstation that is not retired. */
static enum MHD_Result do_ws_key(struct server *s, struct central *c, struct MHD_Connection *conn, json_t *in,
                                 const char *user)
{
	static const char *const allowed[] = { "workstation", "key", "public", NULL };
	char secret[64], pub[64];
	enum central_rc rc;
	const char *id;
	struct err e;
	json_t *o;

	err_init(&e);
	if (in) {
		if (unknown_field(in, allowed))
			return error(conn, 400, "unknown field in the request");
		id = json_string_value(json_object_get(in, "workstation"));
		if (!id || !*id || strlen(id) > 64 || !json_is_string(json_object_get(in, "key")) ||
		    !json_is_string(json_object_get(in, "public")))
			return error(conn, 400, N_("keeping a key needs 'workstation' (1 to 64 characters), 'key' and 'public' (base64)"));
		turn_take(&s->write);
		rc = central_ws_key_put(c, user, id, json_string_value(json_object_get(in, "key")),
		                        json_string_value(json_object_get(in, "public")), &e);
		turn_give(&s->write);
		if (rc != CENTRAL_OK)
			return answer_rc(conn, rc, &e);
		return reply(conn, 200, json_pack("{s:s,s:b}", "workstation", id, "kept", 1));
	}
	id = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "workstation");
	if (!id || !*id || strlen(id) > 64)
		return error(conn, 400, N_("'workstation' (1 to 64 characters) is needed"));
	turn_take(&s->write);
	rc = central_ws_key_get(c, user, id, secret, pub, &e);
	turn_give(&s->write);
	if (rc != CENTRAL_OK)
		return answer_rc(conn, rc, &e);
	fprintf(stderr, "cati-store: %s got the key of workstation %s\n", user, id);   /* for the operator */
	o = json_pack("{s:s,s:s,s:s}", "workstation", id, "key", secret, "public", pub);
	sodium_memzero(secret, sizeof secret);
	return reply(conn, 200, o);
}

/* POST: register {workstation, name} under the user; GET (supervisors, admins): list them all. */
static enum MHD_Result do_workstations(struct server *s, struct central *c, struct MHD_Connection *conn,
                                       json_t *in, const char *user, enum central_role role)
{
	static const char *const allowed[] = { "workstation", "name", NULL };
	const char *id, *name;
	enum central_rc rc;
	struct err e;
	json_t *out;

	err_init(&e);
	if (!in) {
		if (role == CENTRAL_INTERVIEWER)
			return error(conn, 403, "only supervisors and admins may do this");
		if (central_ws_list(c, &out, &e) < 0)
			return fail(conn, 503, &e);
		return reply(conn, 200, json_pack("{s:o}", "workstations", out));
	}
	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	id = json_string_value(json_object_get(in, "workstation"));
	name = json_string_value(json_object_get(in, "name"));
	if (!id || !*id || strlen(id) > 64 || (json_object_get(in, "name") && (!name || strlen(name) > 200)))
		return error(conn, 400, N_("registering needs 'workstation' (1 to 64 characters) and may give 'name' (at most 200)"));
	/* every sync registers again: already the user's, it takes no writer's turn */
	rc = central_ws_check(c, user, id, &e);
	if (rc != CENTRAL_OK) {
		err_init(&e);
		turn_take(&s->write);
		rc = central_ws_register(c, user, id, name, &e);
		turn_give(&s->write);
	}
	if (rc != CENTRAL_OK)
		return answer_rc(conn, rc, &e);
	return reply(conn, 200, json_pack("{s:s,s:s}", "workstation", id, "user", user));
}

/* GET: a study's quota cells; POST: change a target, close or reopen cells, set the allowance. */
static enum MHD_Result do_quotas(struct server *s, struct central *c, struct MHD_Connection *conn, json_t *in,
                                 const char *user, enum central_role role)
{
	static const char *const allowed[] = { "study", "quota", "cell", "target", "closed", "allowance", NULL };
	const char *study;
	json_t *out, *x;
	struct err e;
	long target = -1, allowance = -1;
	int closed = -1, n;

	err_init(&e);
	if (!in) {
		study = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "study");
		if (!study)
			return error(conn, 400, N_("say which study: /v1/quotas?study=NAME"));
		if (!central_may_manage(c, user, role, study))
			return error(conn, 403, "this study is not one of your projects");
		if (central_quota_list(c, study, &out, &e) < 0)
			return fail(conn, 503, &e);
		x = json_object();
		json_object_set_new(x, "study", json_string(study));
		json_object_set_new(x, "cells", out);
		return reply(conn, 200, x);
	}
	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	study = json_string_value(json_object_get(in, "study"));
	if (!study || !json_is_string(json_object_get(in, "quota")))
		return error(conn, 400, N_("changing a quota needs 'study' and 'quota' (strings), and 'cell' for one cell"));
	if (json_object_get(in, "cell") && !json_is_string(json_object_get(in, "cell")))
		return error(conn, 400, N_("'cell' must be a string such as \"9,1\""));
	if ((x = json_object_get(in, "target"))) {
		if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 1000000)
			return error(conn, 400, N_("'target' must be a whole number from 0 to 1000000"));
		target = (long)json_integer_value(x);
	}
	if ((x = json_object_get(in, "allowance"))) {
		if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 1000)
			return error(conn, 400, N_("'allowance' must be a whole number from 0 to 1000"));
		allowance = (long)json_integer_value(x);
	}
	if ((x = json_object_get(in, "closed"))) {
		if (!json_is_boolean(x))
			return error(conn, 400, N_("'closed' must be true or false"));
		closed = json_is_true(x);
	}
	if (target < 0 && allowance < 0 && closed < 0)
		return error(conn, 400, N_("say what to change: 'target', 'closed' or 'allowance'"));
	if (!central_may_manage(c, user, role, study))
		return error(conn, 403, "this study is not one of your projects");
	turn_take(&s->write);
	n = central_quota_set(c, study, json_string_value(json_object_get(in, "quota")),
	                      json_string_value(json_object_get(in, "cell")), target, closed, allowance, &e);
	turn_give(&s->write);
	if (n < 0)
		return answer_rc(conn, (enum central_rc)n, &e);
	x = json_object();
	json_object_set_new(x, "changed", json_integer(n));
	return reply(conn, 200, x);
}

/* The supervisor's report of a study: GET /v1/report?study=S[&by=FIELD,...][&aapor=9|10][&e=E|UH=E,...]. */
static enum MHD_Result do_report(struct central *c, struct MHD_Connection *conn, const char *user,
                                 enum central_role role)
{
	const char *study = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "study");
	struct report_opts o;
	enum report_rc rc;
	struct err e;
	json_t *out;

	if (!study || !*study)
		return error(conn, 400, N_("say which study: /v1/report?study=NAME"));
	memset(&o, 0, sizeof o);
	o.by = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "by");
	err_init(&e);
	if (calls_aapor_opts(&o.aapor, MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "aapor"),
	                     MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "e"), &e) < 0)
		return fail(conn, 400, &e);
	rc = central_report(c, user, role, study, &o, &out, &e);
	switch (rc) {
	case REPORT_OK: return reply(conn, 200, out);
	case REPORT_FORBIDDEN: return error(conn, 403, "this study is not one of your projects");
	case REPORT_NO_STUDY: return fail(conn, 404, &e);
	case REPORT_BAD_BY: return fail(conn, 400, &e);
	default: return fail(conn, 503, &e);
	}
}

/* The do-not-call list: GET /v1/manage/dnc[?history=1] the numbers (or every change); POST
   {action: add|remove|import, numbers: [...], reason} changes it, all or none (import: add, the
   source noted as an import); numbers that are none answer 422 with {problems: [{index, number,
   why}]}. */
static enum MHD_Result do_dnc(struct server *s, struct central *c, struct MHD_Connection *conn, int post,
                              json_t *in, const char *user)
{
	static const char *const allowed[] = { "action", "numbers", "reason", NULL };
	const char *action = json_string_value(json_object_get(in, "action"));
	json_t *numbers = json_object_get(in, "numbers"), *reason = json_object_get(in, "reason"), *out = NULL;
	enum central_rc rc;
	struct err e;

	err_init(&e);
	if (!post) {
		const char *h = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "history");
		if (central_dnc_list(c, h && !strcmp(h, "1"), &out, &e) < 0)
			return fail(conn, 503, &e);
		return reply(conn, 200, json_pack("{s:o}", "dnc", out));
	}
	if (unknown_field(in, allowed))
		return error(conn, 400, "unknown field in the request");
	if (!action || (strcmp(action, "add") && strcmp(action, "remove") && strcmp(action, "import")) ||
	    !json_is_array(numbers) || !json_array_size(numbers) || (reason && !json_is_string(reason)) ||
	    json_array_size(numbers) > 1000000)
		return error(conn, 400, N_("needs 'action' (add, remove or import), 'numbers' (phone numbers) and maybe 'reason' (a text)"));
	if (reason && strlen(json_string_value(reason)) > 500)
		return error(conn, 400, N_("'reason' is at most 500 bytes"));
	turn_take(&s->write);
	rc = central_dnc_change(c, numbers, strcmp(action, "remove") != 0, !strcmp(action, "import") ? "import" : "supervisor",
	                        json_string_value(reason), user, &out, &e);
	turn_give(&s->write);
	if (rc == CENTRAL_INPUT)
		return reply(conn, 422, json_pack("{s:s,s:o}", "error", e.msg, "problems", out));
	if (rc != CENTRAL_OK)
		return answer_rc(conn, rc, &e);
	return reply(conn, 200, json_pack("{s:s,s:o}", "action", action, "numbers", out));
}

/* The audit line of the next change (central_audit_next): user did action on the cases keys of
   study (the first 20 named), then tail. */
static void audit_cases(struct central *c, const char *user, const char *action, const char *study,
                        json_t *keys, const char *tail)
{
	struct buf w;
	json_t *k;
	size_t i;

	buf_init(&w);
	buf_printf(&w, "study %s: %zu case%s", study, json_array_size(keys), json_array_size(keys) == 1 ? "" : "s");
	json_array_foreach(keys, i, k) {
		if (i == 20) {
			buf_printf(&w, " and %zu more", json_array_size(keys) - 20);
			break;
		}
		buf_printf(&w, "%s%s", i ? ", " : " (", json_string_value(k));
	}
	buf_printf(&w, "%s%s", json_array_size(keys) <= 20 ? ")" : "", tail ? tail : "");
	central_audit_next(c, user, action, buf_str(&w));
	buf_release(&w);
}

/* GET /v1/manage/audit[?since=DATE&user=NAME] (admins only): the audit trail. */
static enum MHD_Result do_audit(struct central *c, struct MHD_Connection *conn, int post, enum central_role role)
{
	const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	const char *who = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "user");
	int64_t t = 0;
	json_t *out;
	struct err e;

	if (post)
		return error(conn, 405, "use GET");
	if (role != CENTRAL_ADMIN)
		return error(conn, 403, N_("only admins may read the audit trail"));
	if (since && srv_parse_since(since, &t) < 0)
		return error(conn, 400, N_("'since' must be a date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM in UTC)"));
	err_init(&e);
	if (central_audit_list(c, t, who && *who ? who : NULL, &out, &e) < 0)
		return fail(conn, 503, &e);
	return reply(conn, 200, json_pack("{s:o}", "audit", out));
}

/* Study management (cati study ...): GET /v1/manage/{forms,cases,conflicts,duplicates,workstations},
   POST /v1/manage/{assign,reopen,resolve,count}; supervisors of the study's project and admins only. */
static enum MHD_Result do_manage(struct server *s, struct central *c, struct MHD_Connection *conn,
                                 const char *what, int post, json_t *in, const char *user, enum central_role role)
{
	const char *study = post ? json_string_value(json_object_get(in, "study"))
	                         : MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "study");
	enum central_rc rc;
	struct err e;
	json_t *out = NULL;

	err_init(&e);
	if (role == CENTRAL_INTERVIEWER)
		return error(conn, 403, "only supervisors and admins may do this");
	if (!strcmp(what, "audit"))
		return do_audit(c, conn, post, role);
	if (!strcmp(what, "forms") || !strcmp(what, "workstations")) {
		if (post)
			return error(conn, 405, "use GET");
		if ((what[0] == 'f' ? central_forms_list(c, user, role, &out, &e) : central_ws_synced(c, &out, &e)) < 0)
			return fail(conn, 503, &e);
		return reply(conn, 200, json_pack("{s:o}", what, out));
	}
	if (!strcmp(what, "dnc"))
		return do_dnc(s, c, conn, post, in, user);
	if (!strcmp(what, "resolve")) {
		static const char *const allowed[] = { "conflict", "keep", NULL };
		json_t *id = json_object_get(in, "conflict");
		const char *keep = json_string_value(json_object_get(in, "keep"));
		char cs[300];
		int found;

		if (!post)
			return error(conn, 405, "use POST");
		if (unknown_field(in, allowed))
			return error(conn, 400, "unknown field in the request");
		if (!json_is_integer(id) || !keep || (strcmp(keep, "stored") && strcmp(keep, "theirs")))
			return error(conn, 400, N_("resolving needs 'conflict' (its number) and 'keep' (\"stored\" or \"theirs\")"));
		found = central_conflict_study(c, (int64_t)json_integer_value(id), cs, sizeof cs);
		if (found < 0)
			return error(conn, 503, N_("the store cannot read the conflicts now"));
		if (!found)
			return error(conn, 404, N_("no such conflict"));
		if (!central_may_manage(c, user, role, cs))
			return error(conn, 403, "this study is not one of your projects");
		{
			char w[400];
			snprintf(w, sizeof w, "study %s: conflict %lld, kept %s", cs, (long long)json_integer_value(id), keep);
			central_audit_next(c, user, "resolve", w);
		}
		turn_take(&s->write);
		rc = central_conflict_resolve(c, (int64_t)json_integer_value(id), !strcmp(keep, "theirs"), &e);
		turn_give(&s->write);
		if (rc != CENTRAL_OK)
			return rc == CENTRAL_NOT_FOUND ? error(conn, 404, "no such conflict") : answer_rc(conn, rc, &e);
		return reply(conn, 200, json_pack("{s:O,s:s}", "conflict", id, "kept", keep));
	}
	if (!study || !*study)
		return error(conn, 400, N_("say which study ('study')"));
	if (!central_may_manage(c, user, role, study))
		return error(conn, 403, "this study is not one of your projects");
	if (!strcmp(what, "cases") || !strcmp(what, "conflicts") || !strcmp(what, "duplicates")) {
		if (post)
			return error(conn, 405, "use GET");
		if ((what[1] == 'a' ? central_cases_list(c, study, MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "status"),
		                                         MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "interviewer"), &out, &e)
		     : what[1] == 'o' ? central_conflicts_list(c, study, &out, &e)
		                      : central_duplicates_list(c, study, &out, &e)) < 0)
			return fail(conn, 503, &e);
		return reply(conn, 200, json_pack("{s:s,s:o}", "study", study, what, out));
	}
	if (!strcmp(what, "count")) {
		static const char *const allowed[] = { "study", "interview", NULL };
		const char *iv = json_string_value(json_object_get(in, "interview"));

		if (!post)
			return error(conn, 405, "use POST");
		if (unknown_field(in, allowed))
			return error(conn, 400, "unknown field in the request");
		if (!iv || !*iv)
			return error(conn, 400, N_("say which complete counts: 'interview' (its id)"));
		{
			struct buf w;
			buf_init(&w);
			buf_printf(&w, "study %s: interview %s is the complete that counts", study, iv);
			central_audit_next(c, user, "count", buf_str(&w));
			buf_release(&w);
		}
		turn_take(&s->write);
		rc = central_duplicate_choose(c, study, iv, &e);
		turn_give(&s->write);
		if (rc == CENTRAL_NOT_FOUND)
			return fail(conn, 404, &e);
		if (rc != CENTRAL_OK)
			return answer_rc(conn, rc, &e);
		return reply(conn, 200, json_pack("{s:s,s:s}", "study", study, "counts", iv));
	}
	if (!strcmp(what, "reopen")) {
		static const char *const allowed[] = { "study", "cases", NULL };
		json_t *keys = json_object_get(in, "cases"), *k, *unknown = NULL;
		size_t i;

		if (!post)
			return error(conn, 405, "use POST");
		if (unknown_field(in, allowed))
			return error(conn, 400, "unknown field in the request");
		if (!json_is_array(keys) || !json_array_size(keys))
			return error(conn, 400, N_("reopening needs 'cases' (case ids)"));
		json_array_foreach(keys, i, k)
			if (!json_is_string(k))
				return error(conn, 400, N_("'cases' must be case ids (strings)"));
		audit_cases(c, user, "reopen", study, keys, NULL);
		turn_take(&s->write);
		rc = central_cases_reopen(c, study, keys, user, &unknown, &e);
		turn_give(&s->write);
		if (rc == CENTRAL_NOT_FOUND)
			return reply(conn, 404, json_pack("{s:s,s:o}", "error", e.msg, "unknown", unknown));
		json_decref(unknown);
		if (rc == CENTRAL_INPUT)
			return fail(conn, 409, &e);
		if (rc != CENTRAL_OK)
			return answer_rc(conn, rc, &e);
		return reply(conn, 200, json_pack("{s:s,s:I}", "study", study, "reopened", (json_int_t)json_array_size(keys)));
	}
	if (!strcmp(what, "assign")) {
		static const char *const allowed[] = { "study", "cases", "interviewer", NULL };
		json_t *keys = json_object_get(in, "cases"), *k, *unknown = NULL;
		json_t *iv = json_object_get(in, "interviewer");
		size_t i;

		if (!post)
			return error(conn, 405, "use POST");
		if (unknown_field(in, allowed))
			return error(conn, 400, "unknown field in the request");
		if (!json_is_array(keys) || !json_array_size(keys) || (iv && !json_is_null(iv) && !json_is_string(iv)))
			return error(conn, 400, N_("assigning needs 'cases' (case ids) and 'interviewer' (a name, or null to take them back)"));
		json_array_foreach(keys, i, k)
			if (!json_is_string(k))
				return error(conn, 400, "'cases' must be case ids (strings)");
		if (json_is_string(iv) && (!*json_string_value(iv) || strlen(json_string_value(iv)) > CENTRAL_MAX_USER))
			return error(conn, 400, N_("'interviewer' must be 1 to 64 bytes"));
		{
			struct buf t;
			buf_init(&t);
			if (json_is_string(iv))
				buf_printf(&t, " to %s", json_string_value(iv));
			audit_cases(c, user, json_is_string(iv) ? "assign" : "take-back", study, keys, buf_str(&t));
			buf_release(&t);
		}
		turn_take(&s->write);
		rc = central_cases_assign(c, study, keys, json_string_value(iv), &unknown, &e);
		turn_give(&s->write);
		if (rc == CENTRAL_NOT_FOUND)
			return reply(conn, 404, json_pack("{s:s,s:o}", "error", e.msg, "unknown", unknown));
		json_decref(unknown);
		if (rc != CENTRAL_OK)
			return answer_rc(conn, rc, &e);
		return reply(conn, 200, json_pack("{s:s,s:I,s:O}", "study", study, "cases", (json_int_t)json_array_size(keys),
		                                  "interviewer", iv ? iv : json_null()));
	}
	return error(conn, 404, N_("no such resource"));
}

/* Note that user made a request (for "logged in" in reports): one write per SEEN_GAP at most;
   turn: the request holds the writer's turn already. */
static void seen(struct server *s, struct central *c, const char *user, const char *url, int turn)
{
	int64_t now = (int64_t)time(NULL);
	struct err e;

	if (!central_seen_due(c, user, now, SEEN_GAP))
		return;
	err_init(&e);
	if (!turn)
		turn_take(&s->write);
	central_seen(c, user, url + 4, now, &e);   /* a failure only makes the user look away longer */
	if (!turn)
		turn_give(&s->write);
}

/* Answer one request on store connection c; turn: it holds the writer's turn (an SQLite push). */
static enum MHD_Result route(struct server *s, struct central *c, struct MHD_Connection *conn,
                             const char *url, const char *method, json_t *in, int turn)
{
	int post = !strcmp(method, "POST");
	enum central_role role;
	char user[65];

	if (!strcmp(url, "/v1/login"))
		return post ? do_login(c, conn, in) : error(conn, 405, "use POST");
	if (authenticate(c, conn, user, &role) < 0)
		return error(conn, 401, N_("log in first: the token is missing, wrong or expired"));
	note(conn, 0, 0, user);
	seen(s, c, user, url, turn);
	if (!strcmp(url, "/v1/report"))
		return !strcmp(method, "GET") ? do_report(c, conn, user, role) : error(conn, 405, "use GET");
	if (!strcmp(url, "/v1/push"))
		return post ? do_push(s, c, conn, in, user, role) : error(conn, 405, "use POST");
	if (!strcmp(url, "/v1/pull"))
		return !strcmp(method, "GET") ? do_pull(s, c, conn, user, role) : error(conn, 405, "use GET");
	if (!strcmp(url, "/v1/workstations/retire"))
		return post ? do_retire(s, c, conn, in, user, role) : error(conn, 405, "use POST");
	if (!strcmp(url, "/v1/workstations/key"))
		return post || !strcmp(method, "GET") ? do_ws_key(s, c, conn, post ? in : NULL, user)
		                                      : error(conn, 405, "use GET or POST");
	if (!strcmp(url, "/v1/workstations"))
		return post || !strcmp(method, "GET") ? do_workstations(s, c, conn, post ? in : NULL, user, role)
		                                      : error(conn, 405, N_("use GET or POST"));
	if (!strcmp(url, "/v1/lock"))
		return post ? do_lock(s, c, conn, in, user, role) : error(conn, 405, "use POST");
	if (!strcmp(url, "/v1/quotas")) {
		if (role == CENTRAL_INTERVIEWER)
			return error(conn, 403, "only supervisors and admins may do this");
		if (!post && strcmp(method, "GET"))
			return error(conn, 405, "use GET or POST");
		return do_quotas(s, c, conn, post ? in : NULL, user, role);
	}
	if (!strncmp(url, "/v1/manage/", 11))
		return do_manage(s, c, conn, url + 11, post, in, user, role);
	if (!strcmp(url, "/v1/forms") || !strcmp(url, "/v1/cases")) {
		if (!post)
			return error(conn, 405, "use POST");
		if (role == CENTRAL_INTERVIEWER)
			return error(conn, 403, "only supervisors and admins may do this");
		return url[4] == 'f' ? do_form(c, conn, in, user, role) : do_cases(c, conn, in, user, role);
	}
	return error(conn, 404, "no such resource");
}

/* Every request: gather its body, parse it, take a store connection (and the writer's turn
   where it needs one) and hand it to its route. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **ctx)
{
	struct server *s = cls;
	struct request *r = *ctx;
	struct central *c;
	json_error_t jerr;
	int slot, login, push_turn;
	json_t *in = NULL;
	enum MHD_Result rc;
	int post = !strcmp(method, "POST");

	(void)version;
	if (!r) {
		char m[16], path[256];

		waiting(s, conn, 0);
		r = xcalloc(1, sizeof *r);
		buf_init(&r->body);
		clock_gettime(CLOCK_MONOTONIC, &r->start);
		if (!s->quiet) {
			log_word(m, sizeof m, method);
			log_word(path, sizeof path, url);
			snprintf(r->line, sizeof r->line, "%s %s", m, path);
			MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_arg, r);
		}
		*ctx = r;
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body.len + *upload_size > MAX_BODY)
			r->too_big = 1;
		else
			buf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return error(conn, 413, N_("the request body is too large (at most 8 MiB)"));
	if (strncmp(url, "/v1/", 4))
		return error(conn, 404, N_("no such resource: the API is under /v1/"));
	if (post) {
		in = json_loadb(buf_str(&r->body), r->body.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(in)) {
			json_decref(in);
			return error(conn, 400, N_("the body must be a JSON object"));
		}
	}
	login = post && !strcmp(url, "/v1/login");
	if (login) {
		pthread_mutex_lock(&s->login_mu);
		while (s->logins >= LOGINS_AT_ONCE)
			pthread_cond_wait(&s->login_cv, &s->login_mu);
		s->logins++;
		pthread_mutex_unlock(&s->login_mu);
	}
	/* a push on SQLite waits for the writer's turn before it has a store connection, then uses
	   the one kept for the turn's holder: the pushes of a room in line hold none of the pool, so
	   pulls always find one, and a request that holds a pool connection and waits for the turn
	   (a pull renewing grants) never waits for a push that waits for a connection */
	push_turn = post && !strcmp(url, "/v1/push");
	if (push_turn && !s->share) {
		turn_take(&s->write);
		rc = route(s, s->pool[THREADS], conn, url, method, in, 1);
		turn_give(&s->write);
	} else if (push_turn) {
		turn_take(&s->lane);
		c = take(s, &slot);
		rc = route(s, c, conn, url, method, in, 0);
		give_back(s, slot);
		turn_give(&s->lane);
	} else {
		c = take(s, &slot);
		rc = route(s, c, conn, url, method, in, 0);
		give_back(s, slot);
	}
	if (login) {
		pthread_mutex_lock(&s->login_mu);
		s->logins--;
		pthread_cond_signal(&s->login_cv);
		pthread_mutex_unlock(&s->login_mu);
	}
	json_decref(in);
	return rc;
}

/*
 * Faults for tests: "500@2,drop@3,slow@4" answers the 2nd push with a 500 (storing nothing),
 * stores the 3rd and closes the connection without an answer, stores the 4th and answers after
 * delay_ms. Returns -1 on a bad spec.
 */
int server_faults(const char *spec, unsigned delay_ms);
int server_faults(const char *spec, unsigned delay_ms)
{
	char *copy = xstrdup(spec), *tok, *save = NULL;
	int rc = 0;

	srv.delay_ms = delay_ms;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *at = strchr(tok, '@');
		long n = at ? strtol(at + 1, NULL, 10) : 0;
		enum fault f = FAULT_NONE;

		if (at && !strncmp(tok, "500@", 4))
			f = FAULT_500;
		else if (at && !strncmp(tok, "drop@", 5))
			f = FAULT_DROP;
		else if (at && !strncmp(tok, "slow@", 5))
			f = FAULT_SLOW;
		if (f == FAULT_NONE || n < 1 || n >= (long)(sizeof srv.faults / sizeof srv.faults[0])) {
			rc = -1;
			break;
		}
		srv.faults[n] = f;
	}
	free(copy);
	return rc;
}

/* Log a line per request (on, the default) or only failures (serve --log quiet). */
void server_log_requests(int on);
void server_log_requests(int on)
{
	srv.quiet = !on;
}

/* libmicrohttpd's messages (a TLS handshake gone wrong, a connection refused) go to the store's
   log as its own do, one line each, said to be libmicrohttpd's. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	n = strcspn(line, "\n");
	line[n] = '\0';
	/* said in plain words, with the address, when the connection closes (log_tls_failure) */
	if (strstr(line, "handshake message out of context"))
		return;
	if (n)
		fprintf(stderr, "cati-store: libmicrohttpd: %s\n", line);
}

/*
 * Start serving db; returns the daemon or NULL (e says why). port 0 picks a free port; priority
 * is a GnuTLS priority string (NULL: TLS_PRIORITY); per_address caps one client address's
 * connections (0: MAX_PER_ADDRESS).
 */
struct MHD_Daemon *server_start(const char *db, const char *bind_ip, unsigned port,
                                const char *cert, const char *key, const char *priority,
                                unsigned per_address, int *actual_port, struct err *e);
struct MHD_Daemon *server_start(const char *db, const char *bind_ip, unsigned port,
                                const char *cert, const char *key, const char *priority,
                                unsigned per_address, int *actual_port, struct err *e)
{
	int i;

	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	/* AUTO: epoll where there is one (select() stops at 1024 descriptors) */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

	if (!priority)
		priority = TLS_PRIORITY;
	if (!per_address)
		per_address = MAX_PER_ADDRESS;
	if (cert) {
		gnutls_priority_t p;
		const char *where = NULL;

		if (gnutls_priority_init(&p, priority, &where) != GNUTLS_E_SUCCESS) {
			err_set(e, _("bad tls priority '%s' (at '%s')"), priority, where ? where : "");
			return NULL;
		}
		gnutls_priority_deinit(p);
	}
	pthread_mutex_init(&srv.mu, NULL);
	pthread_mutex_init(&srv.watch_mu, NULL);
	pthread_cond_init(&srv.watch_cv, NULL);
	pthread_mutex_init(&srv.write.mu, NULL);
	srv.write.cap = 1;
	pthread_mutex_init(&srv.lane.mu, NULL);
	srv.lane.cap = PUSHES_AT_ONCE;
	pthread_mutex_init(&srv.login_mu, NULL);
	pthread_cond_init(&srv.login_cv, NULL);
	for (i = 0; i <= THREADS; i++)
		if (!(srv.pool[i] = central_open(db, e)))
			return NULL;
	srv.share = central_pushes_share(srv.pool[0]);
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, bind_ip, &addr.sin_addr) != 1) {
		err_set(e, _("'%s' is not an IPv4 address"), bind_ip);
		return NULL;
	}
	if (cert)
		flags |= MHD_USE_TLS;
	d = cert ? MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, &srv,
	                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	                            MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
	                            MHD_OPTION_HTTPS_PRIORITIES, priority,
	                            MHD_OPTION_NOTIFY_COMPLETED, completed, &srv,
	                            MHD_OPTION_NOTIFY_CONNECTION, notify_connection, &srv,
	                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
	                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
	                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
	                            MHD_OPTION_THREAD_STACK_SIZE, (size_t)STACK, MHD_OPTION_END)
	         : MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handle, &srv,
	                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	                            MHD_OPTION_NOTIFY_COMPLETED, completed, &srv,
	                            MHD_OPTION_NOTIFY_CONNECTION, notify_connection, &srv,
	                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
	                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
	                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
	                            MHD_OPTION_THREAD_STACK_SIZE, (size_t)STACK, MHD_OPTION_END);
	if (!d) {
		err_set(e, _("cannot serve on %s:%u (is the port taken, or the certificate bad?)"), bind_ip, port);
		return NULL;
	}
	pthread_create(&srv.watchdog, NULL, watchdog, &srv);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*actual_port = info ? info->port : (int)port;
	return d;
}

/* Stop serving and close the store connections. */
void server_stop(struct MHD_Daemon *d);
void server_stop(struct MHD_Daemon *d)
{
	int i;

	pthread_mutex_lock(&srv.watch_mu);
	srv.stopping = 1;
	pthread_cond_signal(&srv.watch_cv);
	pthread_mutex_unlock(&srv.watch_mu);
	pthread_join(srv.watchdog, NULL);
	MHD_stop_daemon(d);
	for (i = 0; i <= THREADS; i++) {
		central_close(srv.pool[i]);
		srv.pool[i] = NULL;
	}
}
