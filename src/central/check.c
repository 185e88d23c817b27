/* check.c: the finished interviews counted again from the records, and counts for tests. */
#include "cati/i18n.h"
#include "central-int.h"

#include <stdio.h>
#include <string.h>

/* The finished interviews counted from the records themselves, as the pull once did each time. */
#define RECOUNT \
	"SELECT c.study AS study, json_extract(r.data, '$.status') AS status," \
	" CAST(coalesce(json_extract(r.data, '$.outcome'), '') AS TEXT) AS outcome," \
	" count(DISTINCT json_extract(r.data, '$.interview')) AS n FROM records r JOIN cases c USING (case_key)" \
	" WHERE r.kind = 'interview' AND r.duplicate = 0 AND json_extract(r.data, '$.status') IN ('complete', 'screenout')" \
	" AND json_extract(r.data, '$.interview') IS NOT NULL GROUP BY 1, 2, 3"

/* Compare the kept counts of finished interviews with a count from the records. */
int central_figures_check(struct central *c, int *differ, void (*report)(void *ctx, const char *line),
                          void *ctx, struct err *e)
{
	struct dbs *s;
	int rc;

	*differ = 0;
	if (db_begin(c->db, 0) != DB_OK ||
	    db_prepare(c->db, "SELECT k.study, k.status, k.outcome, k.n, coalesce(f.n, 0) FROM counts k"
	                      " LEFT JOIN (" RECOUNT ") f ON f.study = k.study AND f.status = k.status AND f.outcome = k.outcome"
	                      " WHERE f.n IS NULL OR f.n <> k.n"
	                      " UNION ALL SELECT f.study, f.status, f.outcome, 0, f.n FROM (" RECOUNT ") f"
	                      " WHERE NOT EXISTS (SELECT 1 FROM counts k WHERE k.study = f.study AND k.status = f.status"
	                      " AND k.outcome = f.outcome)", &s) != DB_OK) {
		central_fail(c, N_("count the finished interviews"), e);
		db_rollback(c->db);
		return -1;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		char line[512];

		/* a key kept at 0 is no difference (there is none: counts only grow) */
		if (db_column_int64(s, 3) == db_column_int64(s, 4))
			continue;
		(*differ)++;
		snprintf(line, sizeof line, "%s %s %s kept %lld counted %lld", db_column_text(s, 0), db_column_text(s, 1),
		         *db_column_text(s, 2) ? db_column_text(s, 2) : "-", (long long)db_column_int64(s, 3),
		         (long long)db_column_int64(s, 4));
		if (report)
			report(ctx, line);
	}
	db_finalize(s);
	db_commit(c->db);
	if (rc != DB_DONE)
		return central_fail(c, N_("count the finished interviews"), e);
	return 0;
}

/* Count the store's records of one kind (for reports and tests). */
int central_count(struct central *c, const char *what, int64_t *n)
{
	static const struct {
		const char *what, *sql;
	} q[] = {
		{ "records", "SELECT count(*) FROM records" },
		{ "events", "SELECT count(*) FROM records WHERE kind = 'event'" },
		{ "interviews", "SELECT count(*) FROM records WHERE kind = 'interview'" },
		{ "conflicts", "SELECT count(*) FROM conflicts" },
		{ "duplicates", "SELECT count(*) FROM records WHERE duplicate = 1" },
		{ "cases", "SELECT count(*) FROM cases" },
		{ "forms", "SELECT count(*) FROM forms" },
	};
	struct dbs *s;
	size_t i;

	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		if (strcmp(q[i].what, what))
			continue;
		if (db_prepare(c->db, q[i].sql, &s) != DB_OK)
			return -1;
		*n = db_step(s) == DB_ROW ? db_column_int64(s, 0) : 0;
		db_finalize(s);
		return 0;
	}
	return -1;
}
