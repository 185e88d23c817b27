/*
 * sync.h: hand the workstation's records to cati-store over HTTPS and take back its forms and
 * cases. Every record carries the UUID it was queued with, so sending a batch twice stores it
 * once. TLS certificates are verified (a private CA with cacert).
 */
#ifndef CATI_SYNC_H
#define CATI_SYNC_H

#include "cati/store.h"

enum sync_rc {
	SYNC_OK = 0,
	SYNC_RETRY = -1,    /* network down, 5xx, 429: try again later */
	SYNC_AUTH = -2,     /* wrong user or password, or disabled */
	SYNC_TLS = -3,      /* the server's certificate was not trusted */
	SYNC_FAIL = -4,     /* the store refused the request (4xx): retrying will not help */
	SYNC_TAKEN = -5,    /* 409: another holds it (a case in a call at another workstation, or
	                       just taken by another program of this one) */
	SYNC_NONE = -6,     /* nothing to take: no case may be called now */
};

struct sync_settings {
	char url[512];       /* https://host:port */
	char cacert[512];    /* a CA file, or "" for the system's */
	int insecure_http;   /* allow http:// (tests on loopback only) */
	int timeout_s;       /* give up on a request after this long (0: 120 s) */
	int batch;           /* the most records per push (0: 500), smaller for poor networks */
};

/* $XDG_CONFIG_HOME/cati/settings.json (or ~/.config/cati/settings.json). */
void sync_settings_path(struct buf *out);
int sync_settings_load(struct sync_settings *s, struct err *e);
int sync_settings_save(const struct sync_settings *s, struct err *e);

/*
 * The store's address for `cati enroll`: https://HOST[:PORT], or http:// with insecure_http,
 * which is only for this machine (the host exactly 127.0.0.1, ::1 or localhost). Rewrites
 * s->url without a trailing slash. 0, or -1 with what is wrong in e.
 */
int sync_check_url(struct sync_settings *s, struct err *e);

/*
 * The rest of `cati enroll`'s checks, after sync_check_url: the CA file (if any) can be read and
 * becomes s->cacert as an absolute path; one request reaches the store with a certificate that
 * CA (or the system's) trusts. SYNC_OK, or SYNC_TLS (certificate or CA file), SYNC_RETRY (not
 * reached) or SYNC_FAIL (no cati store there, or no CA file) with what is wrong in e.
 */
enum sync_rc sync_check_store(struct sync_settings *s, struct err *e);
/*
 * Log in as user and register this workstation (its id from st) with the store under that user:
 * only registered workstations get quota allowances and case locks. SYNC_OK, or why not (e).
 */
enum sync_rc sync_register(struct store *st, const struct sync_settings *s, const char *user,
                           const char *password, struct err *e);

/*
 * How many records the next push carries, after a push of n records was answered in took_ms: a
 * busy store (an answer after more than SYNC_BATCH_SLOW_MS) gets half as many, a quick one
 * (under SYNC_BATCH_QUICK_MS) twice as many, never fewer than SYNC_BATCH_MIN (or max, if
 * smaller) nor more than max. When many workstations push a backlog at once, each then waits for
 * the others' short batches, not for their long ones, and a workstation alone (a batch of 500
 * takes about 100 ms) is pushing max records at a time after its first few pushes.
 */
#define SYNC_BATCH_MIN 25
#define SYNC_BATCH_START 50   /* a connection's first push: a room back online starts small too */
#define SYNC_BATCH_SLOW_MS 500
#define SYNC_BATCH_QUICK_MS 125
int sync_batch_next(int n, double took_ms, int max);

struct sync_report {
	long pushed, stored, conflicts, rejected;
	long pushes;         /* push requests answered (their size follows sync_batch_next) */
	int batch_min, batch_max;   /* the smallest and largest batch size they were sent with */
	long forms, cases, appointments;
	long requests;       /* HTTP requests made (one connection, kept open) */
	long logins;         /* logins with the password this sync made (0: the kept token served) */
	long connects;       /* connections it opened (0: the one kept from the last sync served) */
	double last_ms;      /* how long the last request took */
	long retries;        /* requests tried again (network, 5xx, 429) */
	char retry_why[300]; /* why the last one was */
	char key_why[300];   /* why a locked workstation's key could not be had from the store, or "" */
	/* Optional, set by the caller: called after each pushed batch is recorded. */
	void (*progress)(const struct sync_report *r, long waiting, void *ctx);
	void *ctx;
};

/*
 * Log in as user, push every pending record in batches, then pull forms and cases, on a
 * connection of its own closed at the end (a sync_conn used once). Writes a line
 * to the store's sync log. On SYNC_RETRY the caller may call again: what was acknowledged stays
 * acknowledged, the rest is sent again and stored once. Fills r (keeping r->progress and r->ctx).
 */
enum sync_rc sync_run(struct store *st, const struct sync_settings *s, const char *user,
                      const char *password, struct sync_report *r, struct err *e);

/*
 * A session with the store for syncing again and again (the background sync): one connection
 * kept open (libcurl reuses it and its TLS session) and the token of one login, kept in memory
 * only. sync_conn_new: NULL when libcurl cannot start; s must outlive the conn. sync_conn_free
 * wipes the token and closes the connection (NULL: nothing).
 */
struct sync_conn;
struct sync_conn *sync_conn_new(const struct sync_settings *s);
void sync_conn_free(struct sync_conn *c);
/*
 * sync_run on a kept session: logs in only when it has no token yet or the store no longer takes
 * it (401: then once more, and the request is tried again); registers the workstation once per
 * login (again when the store says it is not registered). The password goes to the store only
 * at a login, and becomes the cached one for offline login only then. Its sync log line says
 * "[logged in, ...]" or "[token kept, ...]" and whether a new connection was opened.
 */
enum sync_rc sync_conn_run(struct sync_conn *c, struct store *st, const char *user, const char *password,
                           struct sync_report *r, struct err *e);

struct sync_bg;

/*
 * Take the next case to call (store_next with a lock) and, when the workstation is enrolled
 * (s not NULL) and the store can be reached, lock it at the store too, so that no other
 * workstation calls it at the same time: a case another workstation has in a call is left to
 * it (until its lock runs out, or its call is recorded) and the next one is taken. *shared says
 * whether the lock holds at the store (0: offline, this workstation only; why says so).
 * One quick try per case: a workstation without a network waits at most a few seconds.
 * session (NULL: none) is the background sync of user: its token is borrowed for the lock, on a
 * connection of the lock's own, so taking a case costs no login at the store; the password is
 * used only without a token or when the store refuses it (the new token then goes to session).
 * SYNC_OK with *pick; SYNC_NONE when no case may be called now; SYNC_TAKEN when another program
 * of this workstation just took it (ask again); SYNC_FAIL when the database failed (e says why).
 */
enum sync_rc sync_take_next(struct store *st, const struct sync_settings *s, const char *user,
                            const char *password, struct sync_bg *session, const struct call_rules *r,
                            struct store_next_pick *pick, struct buf *why, int *shared, struct err *e);

/* Sync in the background (autosync.c) ----------------------------------------------------------- */

struct sync_bg;

/*
 * When this workstation is enrolled, sync the store at path every every_ms in a thread of its
 * own, with its own database connection, as user, over one sync_conn: one login and one
 * connection to the store for the thread's whole life; NULL when it is not enrolled (it then works
 * offline). user and password are copied. Stop and free with sync_bg_stop().
 */
struct sync_bg *sync_bg_start(const char *path, const char *user, const char *password,
                              int every_ms);
/*
 * For `cati sync --repeat`: as sync_bg_start, but the thread stops by itself after cycles syncs
 * (0: never). sync_bg_wait waits for that, frees bg and gives the last sync's result (what went
 * wrong in e).
 */
struct sync_bg *sync_bg_start_n(const char *path, const char *user, const char *password,
                                int every_ms, long cycles);
enum sync_rc sync_bg_wait(struct sync_bg *bg, struct err *e);
/* Stop the thread, close its session with the store, wipe the password and free bg (NULL: nothing). */
void sync_bg_stop(struct sync_bg *bg);
/* The last sync reached the store (0 for NULL or before the first sync). */
int sync_bg_online(struct sync_bg *bg);
/* The settings and credentials it syncs with, for requests of the caller's own (lock a case). */
const struct sync_settings *sync_bg_settings(const struct sync_bg *bg);
const char *sync_bg_password(const struct sync_bg *bg);

#endif
