/* outbox.c: records waiting to sync, cases from the central store, the sync log. */
#include "store-int.h"

#include "cati/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum store_rc store_outbox_batch(struct store *st, int limit,
                                 void (*cb)(void *ctx, int64_t id, const char *uuid,
                                            const char *kind, const char *payload),
                                 void *ctx, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	/* records queued while the personal data was locked get their JSON now */
	if (store_outbox_fill(st, e) != STORE_OK)
		return st->last_rc;
	/* a record this connection cannot read (sealed, locked) waits for an interviewer who can */
	if (!(s = store_prepare(st, "SELECT id, uuid, kind, p FROM (SELECT id, uuid, kind, peek(payload) AS p FROM outbox"
	                            " WHERE sent_at IS NULL AND payload IS NOT NULL ORDER BY id) WHERE p IS NOT NULL LIMIT ?", e)))
		return st->last_rc;
	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		cb(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
		   (const char *)sqlite3_column_text(s, 2),
		   sqlite3_column_text(s, 3) ? (const char *)sqlite3_column_text(s, 3) : "{}");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("read the outbox"), e);
}

enum store_rc store_outbox_done(struct store *st, int64_t id, const char *result, struct err *e)
{
	sqlite3_stmt *s;
	char now[32];
	int rc;

	if (!st->done_stmt && !(st->done_stmt = store_prepare(st, "UPDATE outbox SET sent_at = ?, result = ? WHERE id = ?", e)))
		return st->last_rc;
	s = st->done_stmt;
	store_now(st, now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, result, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("mark a record as sent"), e);
}

enum store_rc store_case_put(struct store *st, const char *key, const char *study,
                             const char *phone, const char *name, const char *tz,
                             const char *fields_json, struct err *e)
{
	/* sealed as they arrive; the name is not a plain case field (store_case_get adds it) */
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO cases(case_key, study, phone, name, tz, fields, seed, imported_at, source)"
	                                    " VALUES (?1, ?2, seal(?3), seal(?4), ?5, json_remove(?6, '$.name'), ?7, ?8, 'central store')"
	                                    " ON CONFLICT(case_key) DO UPDATE SET phone = excluded.phone, name = excluded.name,"
	                                    " tz = excluded.tz, fields = excluded.fields, withdrawn_at = NULL", e);
	uint64_t h = 1469598103934665603ULL;
	const char *p;
	char now[32];
	int rc;

	if (!s)
		return st->last_rc;
	for (p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;   /* the same seed as an import */
	store_now(st, now);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, study, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, phone, -1, SQLITE_STATIC);
	if (name)
		sqlite3_bind_text(s, 4, name, -1, SQLITE_STATIC);
	if (tz)
		sqlite3_bind_text(s, 5, tz, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, fields_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)(h >> 1));
	sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("save a case from the central store"), e);
	/* its numbers as the do-not-call list writes them */
	return store_case_phones(st, key, phone, e);
}

/* A case a supervisor reopened: closed by a call's outcome, it is a fresh case again (its calls
   kept); a finished interview's case, or one still open, stays as it is. */
enum store_rc store_case_reopen(struct store *st, const char *key, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE cases SET disposition = NULL, attempts = 0, status = 'new'"
	                                    " WHERE case_key = ?1 AND status IN ('refused', 'wrong_number', 'language', 'closed', 'retry')", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("reopen a case"), e);
}

enum store_rc store_case_withdraw(struct store *st, const char *key, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE cases SET withdrawn_at = ? WHERE case_key = ?", e);
	char now[32];
	int rc;

	if (!s)
		return st->last_rc;
	store_now(st, now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("withdraw a case"), e);
}

enum store_rc store_appointment_import(struct store *st, const char *data_json, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT OR IGNORE INTO appointments(uuid, case_id, at, hard, with_whom, interviewer, created_by, created_at)"
		" SELECT json_extract(?1, '$.uuid'), c.id, json_extract(?1, '$.at'), coalesce(json_extract(?1, '$.hard'), 0),"
		" seal(json_extract(?1, '$.with')), json_extract(?1, '$.interviewer'), coalesce(json_extract(?1, '$.created_by'), '?'),"
		" coalesce(json_extract(?1, '$.created_at'), '') FROM cases c WHERE c.case_key = json_extract(?1, '$.case')"
		" AND json_extract(?1, '$.uuid') IS NOT NULL AND json_extract(?1, '$.at') IS NOT NULL", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, data_json, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("save an appointment from the central store"), e);
}

enum store_rc store_count_set(struct store *st, const char *study, const char *status,
                              const char *outcome, long n, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO quota_counts(quota, cell, achieved) VALUES ('study:' || ?1, ?2 || ':' || ?3, ?4)"
	                                    " ON CONFLICT(quota, cell) DO UPDATE SET achieved = excluded.achieved", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, study, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, outcome ? outcome : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, n);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("save the central counts"), e);
}

enum store_rc store_sync_log(struct store *st, const char *line, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO sync_log(at, line) VALUES (?, ?)", e);
	char now[32];
	int rc;

	if (!s)
		return st->last_rc;
	store_now(st, now);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, line, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("write the sync log"), e);
}

enum store_rc store_sync_log_read(struct store *st, int limit, struct buf *out, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT at, line FROM (SELECT id, at, line FROM sync_log ORDER BY id DESC LIMIT ?)"
	                                    " ORDER BY id", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char iso[20], at[64];

		/* the time in the interviewer's convention (the log keeps ISO 8601) */
		snprintf(iso, sizeof iso, "%.19s", (const char *)sqlite3_column_text(s, 0));
		if (strcmp(i18n_lang(), "en") && iso[10] == 'T')
			iso[10] = ' ';
		buf_printf(out, "%s  %s\n", i18n_date(at, sizeof at, iso), (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("read the sync log"), e);
}
