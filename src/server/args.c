/* args.c: the store a cati-store command names, checked and opened. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/central.h"
#include "cati/db.h"

/* Keep --db or --pg. */
int srv_db_opt(struct srv_db *d, int c, const char *arg)
{
	if (c == 'D')
		d->db = arg;
	else if (c == 'P')
		d->pg = arg;
	else
		return 0;
	return 1;
}

/* One of --db FILE or --pg URL, each of its kind. */
const char *srv_db_name(const struct srv_db *d, const char *usage)
{
	if (d->db && d->pg) {
		fputs(_("cati-store: give --db (SQLite) or --pg (PostgreSQL), not both\n"), stderr);
		return NULL;
	}
	if (d->pg && !db_is_pg_url(d->pg)) {
		fprintf(stderr, _("cati-store: --pg wants a URL: postgresql://USER@HOST:PORT/DB (not '%s')\n"), d->pg);
		return NULL;
	}
	if (d->db && db_is_pg_url(d->db)) {
		fputs(_("cati-store: a PostgreSQL URL goes with --pg, not --db\n"), stderr);
		return NULL;
	}
	if (!d->db && !d->pg) {
		fprintf(stderr, _("cati-store: name the store with --db PATH or --pg URL\n%s"), _(usage));
		return NULL;
	}
	return d->db ? d->db : d->pg;
}

/* Open the store; a command that only reads it never creates it. */
struct central *srv_open(const struct srv_db *d, int must_exist, const char *usage)
{
	const char *name = srv_db_name(d, usage);
	struct central *c;
	struct stat sb;
	struct err e;

	if (!name)
		return NULL;
	if (must_exist && d->db && stat(d->db, &sb) < 0) {
		fprintf(stderr, _("cati-store: cannot open database '%s': %s\n"), d->db,
		        errno == ENOENT ? _("no such file") : strerror(errno));
		return NULL;
	}
	err_init(&e);
	if (!(c = central_open(name, &e)))
		fprintf(stderr, "cati-store: %s\n", e.msg);
	return c;
}

/* A date or time in UTC (YYYY-MM-DD, YYYY-MM-DDTHH:MM, YYYY-MM-DDTHH:MM:SS, a trailing Z) as
   seconds since 1970 into *t: 0, or -1 when it is none of these. */
int srv_parse_since(const char *s, int64_t *t)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		return -1;
	if (s[n] == 'T' || s[n] == ' ') {
		int m = 0;
		if (sscanf(s + n + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &m) != 2 || m != 5)
			return -1;
		n += 1 + m;
		if (s[n] == ':') {
			m = 0;
			if (sscanf(s + n + 1, "%2d%n", &tm.tm_sec, &m) != 1 || m != 2)
				return -1;
			n += 1 + m;
		}
		if (s[n] == 'Z')
			n++;
	}
	if (s[n] || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = (int64_t)zone_mktime("UTC", &tm);
	return 0;
}

/* Who runs a command on the store's machine, for the audit trail: "local:LOGIN". */
void srv_local_user(char *out, size_t n)
{
	struct passwd pw, *r = NULL;
	char buf[1024];

	if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &r) == 0 && r)
		snprintf(out, n, "local:%s", r->pw_name);
	else
		snprintf(out, n, "local:uid %ld", (long)geteuid());
}
