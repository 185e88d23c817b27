/* seen.c: when each user last made a request, for the report's "logged in". */
#include "cati/i18n.h"
#include "central-int.h"

#include "cati/report.h"

/* Is the user's last request older than gap_s seconds at now (reading only)? */
int central_seen_due(struct central *c, const char *user, int64_t now, int gap_s)
{
	struct dbs *s;
	int due = 1;

	if (db_prepare(c->db, "SELECT at FROM seen WHERE user = ?", &s) != DB_OK)
		return 1;
	db_bind_text(s, 1, user);
	if (db_step(s) == DB_ROW)
		due = db_column_int64(s, 0) + gap_s <= now;
	db_finalize(s);
	return due;
}

/* Note that the user was seen at now doing what (a later time wins). */
int central_seen(struct central *c, const char *user, const char *what, int64_t now, struct err *e)
{
	struct dbs *s;
	int rc;

	if (db_prepare(c->db, "INSERT INTO seen(user, at, what) VALUES (?, ?, ?)"
	                              " ON CONFLICT(user) DO UPDATE SET at = max(seen.at, excluded.at), what = excluded.what", &s) != DB_OK) {
		return central_fail(c, N_("note when a user was seen"), e);
	}
	db_bind_text(s, 1, user);
	db_bind_int64(s, 2, now);
	db_bind_text(s, 3, what ? what : "");
	rc = db_step(s);
	db_finalize(s);
	if (rc != DB_DONE) {
		return central_fail(c, N_("note when a user was seen"), e);
	}
	return 0;
}
