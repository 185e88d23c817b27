/*
 * next.c: call management in the workstation's database: what each attempt does to its case,
 * appointments in UTC, the scheduler (who to call next, and why) and the counts behind the
 * response rates.
 */
#include "store-int.h"

#include "cati/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The local weekday (0 Sunday) and minute of the day at t in zone tz ("" for the machine's). */
static void local_parts(const char *tz, time_t t, int *wday, int *minute, char *text, size_t n)
{
	struct tm tm;

	zone_localtime(tz, t, &tm);
	*wday = tm.tm_wday;
	*minute = tm.tm_hour * 60 + tm.tm_min;
	if (text) {
		/* for a person: the weekday and the date as the interviewer writes them */
		static const char *const days[] = { N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat") };
		char iso[32], date[48];

		strftime(iso, sizeof iso, "%Y-%m-%d %H:%M", &tm);
		snprintf(text, n, "%s %s", _(days[tm.tm_wday % 7]), i18n_date(date, sizeof date, iso));
	}
}

/* "YYYY-MM-DD HH:MM" (or with a T) in zone tz as UTC seconds; -1 if malformed. */
static int64_t utc_of_local(const char *tz, const char *at)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (sscanf(at, "%d-%d-%d%*c%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min) != 5)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	return (int64_t)zone_mktime(tz, &tm);
}

int64_t store_clock_ms(struct store *st)
{
	return store_now_ms(st);
}

void store_set_zone(struct store *st, const char *tz)
{
	snprintf(st->default_tz, sizeof st->default_tz, "%s", tz ? tz : "");
}

static int64_t now_s(struct store *st)
{
	return store_now_ms(st) / 1000;
}

/* Give appointments without a UTC time (made before schema 6, or from the central store) one. */
static enum store_rc fill_utc(struct store *st, const char *default_tz, struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT p.id, p.at, coalesce(nullif(c.tz, ''), ?) FROM appointments p"
	                                    " JOIN cases c ON c.id = p.case_id WHERE p.at_utc IS NULL AND p.done = 0", e);
	sqlite3_stmt *u;
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, default_tz, -1, SQLITE_STATIC);
	if (!(u = store_prepare(st, "UPDATE appointments SET at_utc = ? WHERE id = ?", e))) {
		sqlite3_finalize(s);
		return st->last_rc;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t t = utc_of_local((const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 1));
		sqlite3_bind_int64(u, 1, t < 0 ? 0 : t);
		sqlite3_bind_int64(u, 2, sqlite3_column_int64(s, 0));
		if (sqlite3_step(u) != SQLITE_DONE) {
			rc = SQLITE_ERROR;
			break;
		}
		sqlite3_reset(u);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("convert appointment times"), e);
}

enum store_rc store_attempt_after(struct store *st, int64_t case_id, const char *outcome,
                                  const char *default_tz, struct err *e)
{
	return store_call_after(st, case_id, outcome, default_tz, 1, 0, e);
}

/* What a call does to its case; an interview's end keeps the case's status. */
enum store_rc store_call_after(struct store *st, int64_t case_id, const char *outcome,
                               const char *default_tz, int count, int ends_interview, struct err *e)
{
	const struct call_outcome *o = calls_outcome(outcome);
	sqlite3_stmt *s = store_prepare(st, "SELECT coalesce(nullif(tz, ''), ?) FROM cases WHERE id = ?", e);
	char tz[64] = "";
	int64_t now = now_s(st);
	int wday, minute, rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, default_tz ? default_tz : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, case_id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(tz, sizeof tz, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	local_parts(tz, (time_t)now, &wday, &minute, NULL, 0);
	/* the case's status for the list: final outcomes name it; an interview's end (whatever its
	   outcome: the case is done) and an open interview keep theirs; anything else was a call to
	   try again */
	s = store_prepare(st, "UPDATE cases SET attempts = attempts + ?6, last_attempt = ?2, last_outcome = ?3,"
	                      " dayparts = dayparts | ?4, disposition = ?5, locked_by = NULL, locked_until = NULL,"
	                      " status = CASE WHEN ?7 THEN status ELSE CASE ?3 WHEN 'refusal' THEN 'refused' WHEN 'do_not_call' THEN 'refused'"
	                      "  WHEN 'wrong_number' THEN 'wrong_number'"
	                      "  WHEN 'language_barrier' THEN 'language' WHEN 'complete' THEN status WHEN 'screened_out' THEN status"
	                      "  WHEN 'quota_full' THEN CASE status WHEN 'done' THEN status ELSE 'closed' END"
	                      "  ELSE CASE WHEN ?5 IS NOT NULL THEN 'closed' WHEN status IN ('active', 'suspended') THEN status"
	                      "  ELSE 'retry' END END END WHERE id = ?1", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, 1 << calls_daypart(wday, minute));
	if (o && o->final)
		sqlite3_bind_text(s, 5, o->disposition, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int(s, 6, count ? 1 : 0);
	sqlite3_bind_int(s, 7, ends_interview ? 1 : 0);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, N_("update the case after a call"), e);
	/* "do not call again": the case's numbers on the list at once, not only after the next sync */
	if (!strcmp(outcome, "do_not_call") && store_dnc_case(st, case_id, e) != STORE_OK)
		return st->last_rc;
	/* the call served the appointments that were due */
	if (fill_utc(st, default_tz ? default_tz : "", e) != STORE_OK)
		return st->last_rc;
	/* (a call at most 15 minutes early keeps it; the appointment a call has just made stays open) */
	s = store_prepare(st, "UPDATE appointments SET done = 1 WHERE case_id = ?1 AND done = 0 AND at_utc <= ?2 + 900"
	                      " AND (?3 <> 'appointment' OR id < (SELECT max(id) FROM appointments WHERE case_id = ?1))", e);
	if (!s)
		return st->last_rc;
	sqlite3_bind_int64(s, 1, case_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, outcome, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("close the appointment"), e);
}

/* A zone's state now: local time, in the calling window or not, its day part. */
struct zone {
	char tz[64];
	char local[40];
	int open, daypart;
};

static const struct call_window *window_of(const struct call_rules *r, int wday)
{
	return wday == 0 || wday == 6 ? &r->weekend : &r->weekday;
}

enum store_rc store_next(struct store *st, const struct call_rules *r, const char *who, int lock,
                         struct store_next_pick *pick, struct buf *why, struct err *e)
{
	struct zone *zones = NULL;
	int nz = 0, cap = 0, i, rc, found = 0;
	int64_t now = now_s(st);
	sqlite3_stmt *s;
	struct buf open, gaps;
	char *sql;

	memset(pick, 0, sizeof pick[0]);
	if (fill_utc(st, r->tz, e) != STORE_OK)
		return st->last_rc;
	/* which time zones are inside their calling window now */
	if (!(s = store_prepare(st, "SELECT tz FROM zones ORDER BY tz", e)))
		return st->last_rc;
	buf_init(&open);
	buf_add(&open, "[", 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *tz = (const char *)sqlite3_column_text(s, 0);
		const struct call_window *w;
		int wday, minute;
		if (nz == cap) {
			cap = cap ? cap * 2 : 8;
			zones = xrealloc(zones, (size_t)cap * sizeof *zones);
		}
		snprintf(zones[nz].tz, sizeof zones[nz].tz, "%s", tz);
		local_parts(*tz ? tz : r->tz, (time_t)now, &wday, &minute, zones[nz].local, sizeof zones[nz].local);
		w = window_of(r, wday);
		zones[nz].open = minute >= w->from && minute < w->to;
		zones[nz].daypart = calls_daypart(wday, minute);
		if (zones[nz].open && !strpbrk(tz, "\"\\")) {   /* a zone name with quotes is never open */
			char q[140];
			snprintf(q, sizeof q, "%s\"%s\"", open.len > 1 ? "," : "", tz);
			buf_add(&open, q, strlen(q));
		}
		if (why)
			buf_printf(why, zones[nz].open ? _("zone %s: %s local, open (window %02d:%02d-%02d:%02d)\n")
			                               : _("zone %s: %s local, closed (window %02d:%02d-%02d:%02d)\n"),
			           *tz ? tz : (*r->tz ? r->tz : _("local")), zones[nz].local, w->from / 60, w->from % 60,
			           w->to / 60, w->to % 60);
		nz++;
	}
	sqlite3_finalize(s);
	buf_add(&open, "]", 1);
	/* minutes to wait after each outcome */
	buf_init(&gaps);
	buf_printf(&gaps, "CASE c.last_outcome");
	for (i = 0; i < r->ngaps; i++)
		buf_printf(&gaps, " WHEN '%s' THEN %d", r->gap[i].outcome, r->gap[i].minutes * 60);
	buf_printf(&gaps, " ELSE 0 END");
	/*
	 * In order: due appointments (hard first; a hard one for its interviewer first, for anyone
	 * five minutes after it is due; a soft one soft-early minutes before), partial interviews to
	 * resume, fresh cases, then retries, oldest attempt first, preferring a day part the case
	 * has not been tried in. Never: a closed case, one locked by someone else, one past its
	 * attempts, one with an appointment still to come, one outside its calling window.
	 */
	{
		/* each category is its own query on its own index, tried in order */
		static const char *const cols = "c.id, c.case_key, %s, %s, c.attempts, c.last_outcome, c.dayparts, coalesce(c.tz, '')";
		static const char *const open_case =
			" c.disposition IS NULL AND c.withdrawn_at IS NULL"
			" AND c.status NOT IN ('complete', 'screenout', 'refused', 'wrong_number', 'language')"
			" AND (c.locked_until IS NULL OR c.locked_until <= ?1 OR c.locked_by = ?2) AND c.attempts < ?3"
			/* a case whose quota cell (by its case fields) is full is not called */
			" AND NOT EXISTS (SELECT 1 FROM case_cells cc JOIN quota_cells q ON q.study = cc.study"
			" AND q.quota = cc.quota AND q.cell = cc.cell WHERE cc.case_id = c.id AND q.full)"
			/* nor one with a number on the do-not-call list */
			" AND NOT EXISTS (SELECT 1 FROM case_phones cp JOIN dnc d ON d.digest = cp.digest WHERE cp.case_id = c.id)";
		static const char *const callable =
			" AND coalesce(c.tz, '') IN (SELECT value FROM json_each(?5))"
			" AND NOT EXISTS (SELECT 1 FROM appointments p WHERE p.case_id = c.id AND p.done = 0)";
		char head[300];
		struct store_next_pick first_retry;
		int cat, have_retry = 0;

		memset(&first_retry, 0, sizeof first_retry);
		for (cat = 1; cat <= 4 && !found; cat++) {
			if (cat == 1) {
				snprintf(head, sizeof head, cols, "p.at", "p.hard");
				sql = sqlite3_mprintf("SELECT %s FROM appointments p INDEXED BY appointments_open JOIN cases c ON c.id = p.case_id"
				                      " WHERE p.done = 0 AND p.at_utc <= ?1 + CASE WHEN p.hard THEN 0 ELSE ?4 END"
				                      " AND (p.interviewer IS NULL OR p.interviewer = ?2 OR p.at_utc <= ?1 - 300) AND %s"
				                      " ORDER BY p.hard DESC, p.at_utc, c.id LIMIT 1", head, open_case);
			} else {
				snprintf(head, sizeof head, cols, "NULL", "NULL");
				sql = cat == 2 ? sqlite3_mprintf("SELECT %s FROM cases c INDEXED BY cases_status WHERE c.status = 'suspended' AND %s%s"
				                                 " AND coalesce(c.last_attempt, 0) + %s <= ?1 ORDER BY c.last_attempt, c.id LIMIT 1",
				                                 head, open_case, callable, buf_str(&gaps))
				    : cat == 3 ? sqlite3_mprintf("SELECT %s FROM cases c INDEXED BY cases_fresh WHERE c.attempts = 0 AND c.status = 'new'"
				                                 " AND %s%s ORDER BY c.attempts, c.id LIMIT 1", head, open_case, callable)
				               : sqlite3_mprintf("SELECT %s FROM cases c INDEXED BY cases_retry WHERE c.attempts > 0 AND c.status <> 'suspended'"
				                                 " AND %s%s AND c.last_attempt + %s <= ?1 ORDER BY c.last_attempt, c.id LIMIT 200",
				                                 head, open_case, callable, buf_str(&gaps));
			}
			s = store_prepare(st, sql, e);
			sqlite3_free(sql);
			if (!s) {
				free(zones);
				buf_release(&open);
				buf_release(&gaps);
				return st->last_rc;
			}
			sqlite3_bind_int64(s, 1, now);
			sqlite3_bind_text(s, 2, who ? who : "", -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(s, 3, r->max_attempts);
			sqlite3_bind_int64(s, 4, (sqlite3_int64)r->soft_early * 60);
			sqlite3_bind_text(s, 5, buf_str(&open), -1, SQLITE_TRANSIENT);
			while (!found && (rc = sqlite3_step(s)) == SQLITE_ROW) {
				struct store_next_pick p;
				const char *tz = (const char *)sqlite3_column_text(s, 7);
				int dp = -1;

				memset(&p, 0, sizeof p);
				p.category = cat;
				p.case_id = sqlite3_column_int64(s, 0);
				snprintf(p.key, sizeof p.key, "%s", (const char *)sqlite3_column_text(s, 1));
				if (sqlite3_column_text(s, 2))
					snprintf(p.appointment, sizeof p.appointment, "%s", (const char *)sqlite3_column_text(s, 2));
				p.hard = sqlite3_column_int(s, 3);
				p.attempts = sqlite3_column_int(s, 4);
				if (sqlite3_column_text(s, 5))
					snprintf(p.last_outcome, sizeof p.last_outcome, "%s", (const char *)sqlite3_column_text(s, 5));
				for (i = 0; i < nz; i++)
					if (!strcmp(zones[i].tz, tz)) {
						snprintf(p.local, sizeof p.local, "%s", zones[i].local);
						dp = zones[i].daypart;
					}
				if (cat != 4) {
					*pick = p;
					found = 1;
				} else if (dp >= 0 && !(sqlite3_column_int(s, 6) & (1 << dp))) {
					p.new_daypart = 1;
					*pick = p;
					found = 1;
				} else if (!have_retry) {
					first_retry = p;
					have_retry = 1;
				}
			}
			if (!found && have_retry) {
				*pick = first_retry;
				found = 1;
			}
			sqlite3_finalize(s);
		}
	}
	buf_release(&gaps);
	buf_release(&open);
	free(zones);
	if (why) {
		long held = store_dnc_held(st);
		if (held > 0)
			buf_printf(why, P_("%ld open case is never offered: a phone number of it is on the do-not-call list\n",
			                   "%ld open cases are never offered: a phone number of theirs is on the do-not-call list\n",
			                   (unsigned long)held), held);
	}
	if (!found) {
		if (why)
			buf_printf(why, _("no case to call now: every open case is outside its calling window, waiting out its gap after the last call,"
			                " waiting for an appointment, locked, past %d attempts, or in a full quota cell\n"), r->max_attempts);
		return STORE_NOTFOUND;
	}
	if (why) {
		static const char *const cat[] = { "", N_("appointment due"), N_("partial interview to resume"), N_("fresh case"),
			                            N_("retry") };
		char at[64];

		buf_printf(why, _("next: %s (%s"), pick->key, _(cat[pick->category]));
		i18n_date(at, sizeof at, pick->appointment);
		if (pick->category == 1)
			buf_printf(why, pick->hard ? _(", hard appointment at %s") : _(", soft appointment at %s"), at);
		if (pick->category == 4)
			buf_printf(why, _(", %d attempts, last %s, gap of %d min over%s"), pick->attempts, pick->last_outcome,
			           calls_gap(r, pick->last_outcome), pick->new_daypart ? _(", not yet tried in this part of the day") : "");
		buf_printf(why, _("; respondent's time %s)\n"), pick->local);
	}
	if (lock) {
		s = store_prepare(st, "UPDATE cases SET locked_by = ?2, locked_until = ?3 WHERE id = ?1"
		                      " AND (locked_until IS NULL OR locked_until <= ?4 OR locked_by = ?2)", e);
		if (!s)
			return st->last_rc;
		sqlite3_bind_int64(s, 1, pick->case_id);
		sqlite3_bind_text(s, 2, who ? who : "", -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, now + (int64_t)r->lock_minutes * 60);
		sqlite3_bind_int64(s, 4, now);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return store_fail(st, rc, N_("lock the case"), e);
		if (!sqlite3_changes(st->db))
			return STORE_BUSY;
	}
	return STORE_OK;
}

enum store_rc store_disposition_counts(struct store *st, void (*cb)(void *ctx, const char *code, long n),
                                       void *ctx, struct err *e)
{
	/* closed cases by their disposition; open ones in a full quota cell (by their case fields)
	   as 4.80 quota filled, as they will not be called; other open ones by what their last call
	   says (3.11 if none): a contact made on an earlier call outranks a later non-contact */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT code, count(*) FROM (SELECT coalesce(c.disposition,"
		"  (SELECT '4.80' FROM case_cells cc JOIN quota_cells q ON q.study = cc.study AND q.quota = cc.quota"
		"   AND q.cell = cc.cell WHERE cc.case_id = c.id AND q.full AND c.status NOT IN ('done', 'active', 'suspended') LIMIT 1),"
		"  (SELECT a.disposition FROM call_attempts a WHERE a.case_id = c.id AND a.disposition LIKE '2.%'"
		"   ORDER BY a.id DESC LIMIT 1),"
		"  (SELECT a.disposition FROM call_attempts a WHERE a.case_id = c.id AND a.disposition IS NOT NULL"
		"   ORDER BY a.id DESC LIMIT 1), '3.11') AS code FROM cases c WHERE c.withdrawn_at IS NULL)"
		" GROUP BY code ORDER BY code", e);
	int rc;

	if (!s)
		return st->last_rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		cb(ctx, (const char *)sqlite3_column_text(s, 0), (long)sqlite3_column_int64(s, 1));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("count the dispositions"), e);
}

enum store_rc store_case_held(struct store *st, const char *key, const char *who, int64_t until,
                              struct err *e)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE cases SET locked_by = ?2 || ' (another workstation)', locked_until = ?3"
	                                    " WHERE case_key = ?1", e);
	int rc;

	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, until);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, N_("mark the case as in a call elsewhere"), e);
}
