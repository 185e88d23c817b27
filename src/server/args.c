/* args.c: the store a cati-store command names, checked and opened. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
