/* autosync.c: the workstation's background sync: a thread with its own connection to the database
   and one session with the store (a sync_conn: one login, one connection kept open). */
#include "cati/sync.h"
#include "sync-int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sync_bg {
	pthread_t thread;
	pthread_mutex_t mu;
	int stop, online;
	int every_ms;
	long cycles, done;       /* stop by itself after cycles syncs (0: never); syncs done */
	enum sync_rc last;       /* the last sync's result, */
	char why[512];           /* and what went wrong */
	struct sync_conn *conn;
	char token[65];          /* the session's token after the last sync, lent to case locks */
	char handed[65], handed_for[65];   /* a lock's new token, for the session's refused one */
	char path[1024];
	char user[65], password[128];
	struct sync_settings settings;
};

/* Sleep about ms milliseconds, waking every 100 ms to see whether to stop; 1 when asked to. */
static int nap(struct sync_bg *bg, int ms)
{
	int waited, stop;

	for (waited = 0; waited < ms; waited += 100) {
		struct timespec ts = { 0, 100 * 1000000L };
		pthread_mutex_lock(&bg->mu);
		stop = bg->stop;
		pthread_mutex_unlock(&bg->mu);
		if (stop)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* The thread: sync, note whether the store answered, wait, again until stopped (or cycles done). */
static void *loop(void *arg)
{
	struct sync_bg *bg = arg;
	struct store *st;
	struct err e;
	enum store_rc src;

	err_init(&e);
	st = store_open(bg->path, &src, &e);
	if (!st) {
		pthread_mutex_lock(&bg->mu);
		bg->last = SYNC_FAIL;
		snprintf(bg->why, sizeof bg->why, "%s", e.msg);
		pthread_mutex_unlock(&bg->mu);
		return NULL;
	}
	do {
		struct sync_report r;
		enum sync_rc rc;
		int enough;

		char fresh[65], old[65];

		memset(&r, 0, sizeof r);
		err_init(&e);
		/* a case's lock logged in again for the token the session holds: take its token */
		pthread_mutex_lock(&bg->mu);
		memcpy(fresh, bg->handed, sizeof fresh);
		memcpy(old, bg->handed_for, sizeof old);
		memset(bg->handed, 0, sizeof bg->handed);
		memset(bg->handed_for, 0, sizeof bg->handed_for);
		pthread_mutex_unlock(&bg->mu);
		if (fresh[0])
			sync_conn_adopt(bg->conn, old, fresh);
		memset(fresh, 0, sizeof fresh);
		memset(old, 0, sizeof old);
		rc = sync_conn_run(bg->conn, st, bg->user, bg->password, &r, &e);
		pthread_mutex_lock(&bg->mu);
		sync_conn_token(bg->conn, bg->token);
		bg->online = rc == SYNC_OK;
		bg->last = rc;
		snprintf(bg->why, sizeof bg->why, "%s", rc == SYNC_OK ? "" : e.msg);
		enough = bg->cycles > 0 && ++bg->done >= bg->cycles;
		pthread_mutex_unlock(&bg->mu);
		if (enough)
			break;
	} while (!nap(bg, bg->every_ms));
	store_close(st);
	return NULL;
}

struct sync_bg *sync_bg_start_n(const char *path, const char *user, const char *password,
                                int every_ms, long cycles)
{
	struct sync_bg *bg = xcalloc(1, sizeof *bg);
	struct err e;

	err_init(&e);
	if (sync_settings_load(&bg->settings, &e) < 0 || !(bg->conn = sync_conn_new(&bg->settings))) {
		free(bg);
		return NULL;
	}
	snprintf(bg->path, sizeof bg->path, "%s", path);
	snprintf(bg->user, sizeof bg->user, "%s", user);
	snprintf(bg->password, sizeof bg->password, "%s", password);
	bg->every_ms = every_ms;
	bg->cycles = cycles;
	bg->last = SYNC_RETRY;
	pthread_mutex_init(&bg->mu, NULL);
	if (pthread_create(&bg->thread, NULL, loop, bg) != 0) {
		pthread_mutex_destroy(&bg->mu);
		sync_conn_free(bg->conn);
		memset(bg->password, 0, sizeof bg->password);
		free(bg);
		return NULL;
	}
	return bg;
}

struct sync_bg *sync_bg_start(const char *path, const char *user, const char *password,
                              int every_ms)
{
	return sync_bg_start_n(path, user, password, every_ms, 0);
}

/* After the thread ended: close the session (the token wiped) and free bg with the password. */
static void release(struct sync_bg *bg)
{
	pthread_mutex_destroy(&bg->mu);
	sync_conn_free(bg->conn);
	memset(bg->password, 0, sizeof bg->password);
	memset(bg->token, 0, sizeof bg->token);
	memset(bg->handed, 0, sizeof bg->handed);
	memset(bg->handed_for, 0, sizeof bg->handed_for);
	free(bg);
}

void sync_bg_stop(struct sync_bg *bg)
{
	if (!bg)
		return;
	pthread_mutex_lock(&bg->mu);
	bg->stop = 1;
	pthread_mutex_unlock(&bg->mu);
	pthread_join(bg->thread, NULL);
	release(bg);
}

enum sync_rc sync_bg_wait(struct sync_bg *bg, struct err *e)
{
	enum sync_rc rc;

	pthread_join(bg->thread, NULL);
	rc = bg->last;
	if (rc != SYNC_OK)
		err_set(e, "%s", bg->why);
	release(bg);
	return rc;
}

int sync_bg_online(struct sync_bg *bg)
{
	int on;

	if (!bg)
		return 0;
	pthread_mutex_lock(&bg->mu);
	on = bg->online;
	pthread_mutex_unlock(&bg->mu);
	return on;
}

const struct sync_settings *sync_bg_settings(const struct sync_bg *bg)
{
	return bg ? &bg->settings : NULL;
}

const char *sync_bg_password(const struct sync_bg *bg)
{
	return bg ? bg->password : "";
}

/* Lend the session's token under the lock that guards it (see sync-int.h). */
int sync_bg_token(struct sync_bg *bg, const char *user, char token[65])
{
	int rc = -1;

	token[0] = '\0';
	if (!bg)
		return -1;
	pthread_mutex_lock(&bg->mu);
	if (bg->token[0] && !strcmp(bg->user, user)) {
		memcpy(token, bg->token, 65);
		rc = 0;
	}
	pthread_mutex_unlock(&bg->mu);
	return rc;
}

/* Note a lock's new token for the session to take before its next sync (see sync-int.h). */
void sync_bg_token_renewed(struct sync_bg *bg, const char *user, const char *old, const char *fresh)
{
	if (!bg || strlen(old) != 64 || strlen(fresh) != 64)
		return;
	pthread_mutex_lock(&bg->mu);
	if (!strcmp(bg->user, user) && !strcmp(bg->token, old)) {
		snprintf(bg->token, sizeof bg->token, "%s", fresh);
		snprintf(bg->handed, sizeof bg->handed, "%s", fresh);
		snprintf(bg->handed_for, sizeof bg->handed_for, "%s", old);
	}
	pthread_mutex_unlock(&bg->mu);
}
