/* args.h: cati-store's options: the database every command names, and opening it. */
#ifndef CATI_SERVER_ARGS_H
#define CATI_SERVER_ARGS_H

#include <getopt.h>
#include <stdint.h>

/* The options every command that uses the store accepts (in its getopt_long table). */
#define SRV_OPT_DB { "db", required_argument, NULL, 'D' }, { "pg", required_argument, NULL, 'P' }
#define SRV_OPT_HELP { "help", no_argument, NULL, 'h' }

/* The store a command names: --db FILE (SQLite) or --pg URL (PostgreSQL). */
struct srv_db {
	const char *db, *pg;
};

/* Take option code c ('D' or 'P') into d: 1 when it was one of them, else 0. */
int srv_db_opt(struct srv_db *d, int c, const char *arg);

/*
 * Open the store d names. With must_exist a missing SQLite file is refused ("cannot open
 * database 'x': no such file") and nothing is created. NULL after printing why (and usage
 * when no store is named); the caller exits 2. Close with central_close().
 */
struct central *srv_open(const struct srv_db *d, int must_exist, const char *usage);

/* The store's path or URL, after the checks of srv_open; NULL after printing why. */
const char *srv_db_name(const struct srv_db *d, const char *usage);

/* One `key = value` of a configuration file, where = "FILE:LINE": 0, or -1 after a message
   that starts with where. */
typedef int (*srv_conf_fn)(void *ctx, const char *key, const char *value, const char *where);

/*
 * Read the configuration file path: blank lines and lines starting with '#' are skipped, every
 * other line is `key = value` (blanks around both cut) and goes to set. *text holds the file
 * (the values point into it): the caller frees it, also after a failure. 0, or -1 after a
 * message (an unreadable file, a line without '=', or set's own).
 */
int srv_conf_read(const char *path, srv_conf_fn set, void *ctx, char **text);

/* A date or time in UTC (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z]) as seconds since 1970 into *t,
   for audit --since and the audit route's ?since=: 0, or -1 when it is none of these. */
int srv_parse_since(const char *s, int64_t *t);
/* Who runs a command on the store's machine, for the audit trail (central_audit): "local:LOGIN"
   (or "local:uid N" when the system has no name for the user) into out. */
void srv_local_user(char *out, size_t n);

#endif
