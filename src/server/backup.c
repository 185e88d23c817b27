/* backup.c: `cati-store backup FILE`: a consistent copy of the SQLite store while it serves. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/db.h"

#define PAGES_A_STEP 1024   /* pages copied between progress checks */

int srv_cmd_backup(int argc, char **argv);

static const char backup_usage[] =
	N_("usage: cati-store backup FILE --db PATH | --config FILE.conf\n"
	"       A consistent copy of the SQLite store in FILE, taken while the store serves (pushes go on);\n"
	"       written to FILE.tmp, checked (integrity_check), then renamed to FILE.\n"
	"       A PostgreSQL store is backed up with pg_dump (see README).\n");

/* The store's name from a configuration file: its db or pg key (others are serve's business). */
static int conf_store(void *ctx, const char *key, const char *value, const char *where)
{
	struct srv_db *d = ctx;

	(void)where;
	if (!strcmp(key, "db"))
		d->db = value;
	else if (!strcmp(key, "pg"))
		d->pg = value;
	return 0;
}

/* Say why SQLite failed on h doing what; returns -1. */
static int sql_fail(sqlite3 *h, const char *what, const char *path)
{
	fprintf(stderr, _("cati-store backup: cannot %s '%s': %s\n"), what, path, h ? sqlite3_errmsg(h) : _("out of memory"));
	return -1;
}

/*
 * Copy src into tmp: the source's read transaction is held from the first page to the last, so
 * the copy is one moment of the store, however long it takes; in WAL mode that transaction
 * does not stop the store's writers (a copy made step by step without it starts again each
 * time another connection writes). 0 or -1 after a message; *pages the pages copied.
 */
static int copy_store(const char *src, const char *tmp, int *pages)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	const unsigned char *ok;

	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sql_fail(from, "open", src);
		goto out;
	}
	sqlite3_busy_timeout(from, 10000);
	/* a read transaction that has read something holds its snapshot */
	if (sqlite3_exec(from, "BEGIN; SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL) != SQLITE_OK) {
		sql_fail(from, "read", src);
		goto out;
	}
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sql_fail(to, "create", tmp);
		goto out;
	}
	if (!(b = sqlite3_backup_init(to, "main", from, "main"))) {
		sql_fail(to, _("copy into"), tmp);
		goto out;
	}
	do
		step = sqlite3_backup_step(b, PAGES_A_STEP);
	while (step == SQLITE_OK);
	*pages = sqlite3_backup_pagecount(b);
	if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE) {
		sql_fail(to, _("copy into"), tmp);
		goto out;
	}
	sqlite3_exec(from, "COMMIT", NULL, NULL, NULL);
	/* one self-contained file (the store turns WAL on again when it opens it) */
	if (sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		sql_fail(to, "finish", tmp);
		goto out;
	}
	if (sqlite3_prepare_v2(to, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sql_fail(to, "check", tmp);
		goto out;
	}
	ok = sqlite3_column_text(st, 0);
	if (!ok || strcmp((const char *)ok, "ok")) {
		fprintf(stderr, _("cati-store backup: the copy '%s' fails its integrity check: %s\n"), tmp, ok ? (const char *)ok : "?");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(to);
	sqlite3_close(from);
	return rc;
}

/* Make path's contents last: fsync the file, then its directory's entry after a rename. */
static void sync_path(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* cati-store backup FILE: copy, check, rename; PostgreSQL is pointed to pg_dump. */
int srv_cmd_backup(int argc, char **argv)
{
	static const struct option longs[] = { { "config", required_argument, NULL, 'f' }, SRV_OPT_DB, SRV_OPT_HELP,
		                               { 0 } };
	struct srv_db d = { NULL, NULL };
	char tmp[4096], dir[4096], *conf_text = NULL, *slash;
	const char *file, *conf = NULL;
	struct stat sb, to;
	int ch, pages = 0, rc = 1;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store backup", backup_usage)) != -1;) {
		if (ch == 'h')
			return 0;
		if (ch == 'f')
			conf = optarg;
		else if (!srv_db_opt(&d, ch, optarg))
			return 2;
	}
	if (optind != argc - 1) {
		fputs(_(backup_usage), stderr);
		return 2;
	}
	file = argv[optind];
	if (conf && !d.db && !d.pg && srv_conf_read(conf, conf_store, &d, &conf_text) < 0)
		goto out;
	if (!srv_db_name(&d, backup_usage)) {
		rc = 2;
		goto out;
	}
	if (d.pg) {
		fprintf(stderr, _("cati-store backup: the store is on PostgreSQL: back it up with pg_dump, while it serves:\n"
		                "  pg_dump --format=custom --file %s '%s'\n"
		                "and restore into an empty database with: pg_restore --dbname URL %s\n"),
		        file, d.pg, file);
		rc = 2;
		goto out;
	}
	if (stat(d.db, &sb) < 0) {
		fprintf(stderr, _("cati-store backup: cannot open database '%s': %s\n"), d.db,
		        errno == ENOENT ? "no such file" : strerror(errno));
		goto out;
	}
	if (stat(file, &to) == 0 && to.st_dev == sb.st_dev && to.st_ino == sb.st_ino) {
		fprintf(stderr, _("cati-store backup: '%s' is the store itself: name another file\n"), file);
		rc = 2;
		goto out;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp", file) >= (int)sizeof tmp) {
		fprintf(stderr, _("cati-store backup: '%s': the name is too long\n"), file);
		goto out;
	}
	unlink(tmp);   /* a copy an earlier backup left half made */
	if (copy_store(d.db, tmp, &pages) < 0) {
		unlink(tmp);
		goto out;
	}
	sync_path(tmp);
	if (rename(tmp, file) < 0) {
		fprintf(stderr, _("cati-store backup: cannot rename '%s' to '%s': %s\n"), tmp, file, strerror(errno));
		unlink(tmp);
		goto out;
	}
	snprintf(dir, sizeof dir, "%s", file);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	sync_path(slash ? dir : ".");
	stat(file, &sb);
	printf(_("cati-store: backed up '%s' to '%s' (%d pages, %lld bytes); the copy passes its integrity check\n"), d.db,
	       file, pages, (long long)sb.st_size);
	rc = 0;
out:
	free(conf_text);
	return rc;
}
