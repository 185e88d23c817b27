/* oncall.c: what the interviewer is doing now (the open interview's case and question), for the
   sync to tell the store; reading only. */
#include "store-int.h"

#include "cati/i18n.h"

#include <stdio.h>
#include <string.h>

#include "cati/engine.h"

/* The newest open interview of who: case key, question last shown, seconds since it started. */
enum store_rc store_on_call(struct store *st, const char *who, struct store_on_call *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof *out);
	/* suspended interviews wait for a call back: only an active one is on a call */
	s = store_prepare(st, "SELECT c.case_key, (SELECT ev.qid FROM events ev WHERE ev.interview = i.id AND ev.type = ?3"
	                      " AND ev.qid IS NOT NULL ORDER BY ev.seq DESC LIMIT 1),"
	                      " ?2 - CAST(strftime('%s', i.started_at) AS INTEGER)"
	                      " FROM interviews i JOIN cases c ON c.id = i.case_id"
	                      " WHERE i.interviewer = ?1 AND i.status = 'active' ORDER BY i.updated_at DESC, i.id DESC LIMIT 1", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, who, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, store_now_ms(st) / 1000);
	sqlite3_bind_int(s, 3, ENG_EV_SHOWN);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(s, 0), *q = sqlite3_column_text(s, 1);
		out->open = 1;
		snprintf(out->case_key, sizeof out->case_key, "%s", k ? (const char *)k : "");
		snprintf(out->question, sizeof out->question, "%s", q ? (const char *)q : "");
		out->elapsed_s = sqlite3_column_int64(s, 2);
		if (out->elapsed_s < 0)
			out->elapsed_s = 0;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("read the open interview"), e);
}
