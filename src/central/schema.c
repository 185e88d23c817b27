/* schema.c: the central store's SQLite schema and its migrations, opening and closing the
   store, the store's change counter, and how a failing database is reported. */
#include "cati/i18n.h"
#include "central-int.h"

#include "cati/pg.h"
#include "figures.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const schema =
	"CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, role TEXT NOT NULL,"
	" hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS tokens(hash TEXT PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name),"
	" expires INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS login_failures(user TEXT NOT NULL, at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS counter(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO counter VALUES (1, 0);"
	"CREATE TABLE IF NOT EXISTS forms(hash TEXT PRIMARY KEY, form_id TEXT NOT NULL, version TEXT NOT NULL,"
	" source TEXT NOT NULL, seq INTEGER NOT NULL, published_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS cases(case_key TEXT PRIMARY KEY, study TEXT NOT NULL, phone TEXT NOT NULL,"
	" name TEXT, tz TEXT, fields TEXT NOT NULL, interviewer TEXT, seq INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS cases_seq ON cases(seq);"
	"CREATE TABLE IF NOT EXISTS records(uuid TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT NOT NULL,"
	" case_key TEXT NOT NULL, content_hash TEXT NOT NULL, data TEXT NOT NULL,"
	" received_at INTEGER NOT NULL, duplicate INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS records_case ON records(case_key, kind);"
	"CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, owner TEXT NOT NULL,"
	" data TEXT NOT NULL, received_at INTEGER NOT NULL);";

/*
 * Later schema versions, one step each (PRAGMA user_version): 0 -> 1 gives supervisors their
 * projects, appointments a change number for pulls, and a log of cases taken from interviewers.
 */
static const char *const migrations[] = {
	"ALTER TABLE users ADD COLUMN projects TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE records ADD COLUMN seq INTEGER;"
	"CREATE INDEX records_seq ON records(seq) WHERE seq IS NOT NULL;"
	"CREATE TABLE reassignments(case_key TEXT NOT NULL, from_interviewer TEXT NOT NULL, seq INTEGER NOT NULL);"
	"CREATE INDEX reassignments_from ON reassignments(from_interviewer, seq);"
	"CREATE TRIGGER cases_reassigned AFTER UPDATE OF interviewer ON cases"
	" WHEN old.interviewer IS NOT NULL AND old.interviewer IS NOT new.interviewer BEGIN"
	" INSERT INTO reassignments(case_key, from_interviewer, seq) VALUES (old.case_key, old.interviewer, new.seq);"
	" END;",

	/* 1 -> 2: what reports and quotas read, kept as records arrive: the latest state of each
	   interview with its on-route answers, call attempts, quota cells with their counts, the
	   cells each complete fell into, allowances granted to workstations, and when each user
	   was last seen */
	"CREATE TABLE interviews(uuid TEXT PRIMARY KEY, study TEXT NOT NULL, case_key TEXT NOT NULL,"
	" form TEXT, version TEXT, interviewer TEXT NOT NULL, lang TEXT, status TEXT NOT NULL, outcome TEXT,"
	" started_at TEXT, ended_at TEXT, updated_at TEXT NOT NULL DEFAULT '', duplicate INTEGER NOT NULL DEFAULT 0,"
	" received_at INTEGER NOT NULL);"
	"CREATE INDEX interviews_study ON interviews(study, status);"
	"CREATE INDEX interviews_case ON interviews(case_key);"
	"CREATE TABLE answers(interview TEXT NOT NULL, qid TEXT NOT NULL, iter INTEGER NOT NULL,"
	" state INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY(interview, qid, iter)) WITHOUT ROWID;"
	"CREATE TABLE attempts(uuid TEXT PRIMARY KEY, study TEXT NOT NULL, case_key TEXT NOT NULL,"
	" interviewer TEXT NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL, disposition TEXT);"
	"CREATE INDEX attempts_study ON attempts(study, case_key);"
	"CREATE TABLE quota_cells(study TEXT NOT NULL, quota TEXT NOT NULL, cell TEXT NOT NULL,"
	" label TEXT NOT NULL DEFAULT '', target INTEGER NOT NULL, closed INTEGER NOT NULL DEFAULT 0,"
	" achieved INTEGER NOT NULL DEFAULT 0, allowance INTEGER NOT NULL DEFAULT 2,"
	" PRIMARY KEY(study, quota, cell));"
	"CREATE TABLE interview_cells(interview TEXT NOT NULL, study TEXT NOT NULL, quota TEXT NOT NULL,"
	" cell TEXT NOT NULL, over INTEGER NOT NULL DEFAULT 0, holder TEXT, PRIMARY KEY(interview, quota));"
	"CREATE INDEX interview_cells_cell ON interview_cells(study, quota, cell);"
	"CREATE TABLE grants(study TEXT NOT NULL, quota TEXT NOT NULL, cell TEXT NOT NULL, holder TEXT NOT NULL,"
	" n INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(study, quota, cell, holder));"
	"CREATE TABLE seen(user TEXT PRIMARY KEY, at INTEGER NOT NULL, what TEXT NOT NULL DEFAULT '');"
	"INSERT INTO interviews(uuid, study, case_key, form, version, interviewer, lang, status, outcome,"
	" started_at, ended_at, updated_at, duplicate, received_at)"
	" SELECT json_extract(r.data, '$.interview'), c.study, r.case_key, json_extract(r.data, '$.form'),"
	" json_extract(r.data, '$.version'), coalesce(json_extract(r.data, '$.interviewer'), r.owner),"
	" json_extract(r.data, '$.lang'), coalesce(json_extract(r.data, '$.status'), 'active'),"
	" json_extract(r.data, '$.outcome'), json_extract(r.data, '$.started_at'), json_extract(r.data, '$.ended_at'),"
	" coalesce(json_extract(r.data, '$.updated_at'), ''), r.duplicate, r.received_at"
	" FROM records r JOIN cases c USING (case_key) WHERE r.kind = 'interview'"
	" AND json_extract(r.data, '$.interview') IS NOT NULL ORDER BY r.rowid"
	" ON CONFLICT(uuid) DO UPDATE SET status = excluded.status, outcome = excluded.outcome,"
	" ended_at = excluded.ended_at, updated_at = excluded.updated_at, duplicate = max(duplicate, excluded.duplicate)"
	" WHERE excluded.updated_at >= interviews.updated_at;"
	"INSERT OR IGNORE INTO attempts(uuid, study, case_key, interviewer, at, outcome, disposition)"
	" SELECT r.uuid, c.study, r.case_key, coalesce(json_extract(r.data, '$.interviewer'), r.owner),"
	" coalesce(json_extract(r.data, '$.at'), ''), coalesce(json_extract(r.data, '$.outcome'), ''),"
	" json_extract(r.data, '$.disposition') FROM records r JOIN cases c USING (case_key) WHERE r.kind = 'attempt';",

	/* 2 -> 3: a case in a call is locked for its workstation until the call is recorded */
	"CREATE TABLE locks(case_key TEXT PRIMARY KEY, holder TEXT NOT NULL, user TEXT NOT NULL,"
	" until INTEGER NOT NULL);",

	/* 3 -> 4: an interviewer's pull finds their cases and studies by index, not by a scan of
	   every case (it runs every few seconds per workstation) */
	"CREATE INDEX cases_interviewer ON cases(interviewer, study);",

	/* 4 -> 5: identity. An interview id belongs to the case, interviewer and workstation it
	   first came with (holder NULL: not known yet, taken by the next push); a user has an id
	   that is never given again, and a token names the id, so a user deleted and added again
	   under the same name does not revive the old tokens */
	"CREATE TABLE interview_owners(interview TEXT PRIMARY KEY, case_key TEXT NOT NULL,"
	" interviewer TEXT NOT NULL, holder TEXT);"
	"INSERT OR IGNORE INTO interview_owners(interview, case_key, interviewer)"
	" SELECT uuid, case_key, interviewer FROM interviews;"
	"ALTER TABLE users ADD COLUMN id TEXT;"
	"UPDATE users SET id = lower(hex(randomblob(16)));"
	"CREATE UNIQUE INDEX users_id ON users(id);"
	"ALTER TABLE tokens ADD COLUMN user_id TEXT;"
	"UPDATE tokens SET user_id = (SELECT id FROM users WHERE name = tokens.user);"
	"DELETE FROM tokens WHERE user_id IS NULL;",

	/* 5 -> 6: registered workstations; only these get quota allowances and case locks */
	"CREATE TABLE workstations(id TEXT PRIMARY KEY, user TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
	" registered_at INTEGER NOT NULL, retired_at INTEGER);"
	"CREATE INDEX workstations_user ON workstations(user);",

	/* 6 -> 7: a pull sends only what changed. Finished interviews are counted as records
	   arrive (each interview once per study, status and outcome it finished with), and quota
	   cells and each workstation's grants carry change numbers; everything counted so far is
	   sent once more */
	"CREATE TABLE counted(interview TEXT NOT NULL, study TEXT NOT NULL, status TEXT NOT NULL,"
	" outcome TEXT NOT NULL, PRIMARY KEY(interview, study, status, outcome)) WITHOUT ROWID;"
	"CREATE TABLE counts(study TEXT NOT NULL, status TEXT NOT NULL, outcome TEXT NOT NULL,"
	" n INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(study, status, outcome));"
	"CREATE INDEX counts_seq ON counts(seq);"
	"ALTER TABLE quota_cells ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE grants ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX grants_holder ON grants(holder, at);"
	"UPDATE counter SET seq = seq + 1;"
	"INSERT OR IGNORE INTO counted(interview, study, status, outcome)"
	" SELECT json_extract(r.data, '$.interview'), c.study, json_extract(r.data, '$.status'),"
	" CAST(coalesce(json_extract(r.data, '$.outcome'), '') AS TEXT) FROM records r JOIN cases c USING (case_key)"
	" WHERE r.kind = 'interview' AND r.duplicate = 0 AND json_extract(r.data, '$.status') IN ('complete', 'screenout')"
	" AND json_extract(r.data, '$.interview') IS NOT NULL;"
	"INSERT INTO counts(study, status, outcome, n, seq) SELECT study, status, outcome, count(*),"
	" (SELECT seq FROM counter) FROM counted GROUP BY study, status, outcome;"
	"UPDATE quota_cells SET seq = (SELECT seq FROM counter);",

	/* 7 -> 8: the report's figures, kept as records arrive (figures.c); built from the report
	   tables when the store opens (fig_refresh) */
	FIG_SCHEMA,

	/* 8 -> 9: an interviewer-day keeps its first and last time, so what a batch adds to it is
	   counted alone (rows kept before are counted again the first time they change) */
	"ALTER TABLE fig_days ADD COLUMN lo TEXT;"
	"ALTER TABLE fig_days ADD COLUMN hi TEXT;",

	/* 9 -> 10: who is on a call now, as each workstation's pull reports it (now.c): the open
	   interview's case key and question, when it started and when it was last reported (IF NOT
	   EXISTS: a schema version set back by hand runs the step again) */
	"CREATE TABLE IF NOT EXISTS on_call(interviewer TEXT NOT NULL, workstation TEXT NOT NULL, case_key TEXT NOT NULL,"
	" question TEXT NOT NULL, started_at INTEGER NOT NULL, at INTEGER NOT NULL,"
	" PRIMARY KEY(interviewer, workstation));",

	/* 10 -> 11: working time, as the workstations' pulls report an interviewer logged in
	   (worktime.c): spans of one interviewer at one workstation for one study ("" when the
	   store cannot tell which), each within one UTC day; and each interviewer's sum per study,
	   kept as the spans change, which the report reads */
	"CREATE TABLE IF NOT EXISTS work_spans(id INTEGER PRIMARY KEY, interviewer TEXT NOT NULL,"
	" workstation TEXT NOT NULL, study TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS work_spans_open ON work_spans(interviewer, workstation, end_at);"
	"CREATE INDEX IF NOT EXISTS work_spans_study ON work_spans(study, interviewer, start_at, end_at);"
	"CREATE TABLE IF NOT EXISTS work_totals(study TEXT NOT NULL, interviewer TEXT NOT NULL, seconds INTEGER NOT NULL,"
	" PRIMARY KEY(study, interviewer));",

	/* 11 -> 12: the audit trail (audit.c): who exported, erased or changed assignments, when
	   (seconds since 1970) and what; and each study's key for the pseudonyms of its case ids */
	"CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, who TEXT NOT NULL,"
	" action TEXT NOT NULL, what TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS audit_at ON audit(at);"
	"CREATE TABLE IF NOT EXISTS study_keys(study TEXT PRIMARY KEY, key TEXT NOT NULL);",
	/* 12 -> 13: erasure on request and retention (erase.c): each erasure of a person's data
	   (its case, when, by whom, why, what was removed, a change number for the pulls that carry
	   it to the workstations), the workstations that confirmed it, each study's retention, and the
   conflicts by record (an erasure finds those of its case) */
	"CREATE TABLE IF NOT EXISTS erasures(id TEXT PRIMARY KEY, case_key TEXT NOT NULL, study TEXT NOT NULL,"
	" at INTEGER NOT NULL, erased_by TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', removed TEXT NOT NULL,"
	" seq INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS erasures_case ON erasures(case_key);"
	"CREATE INDEX IF NOT EXISTS erasures_seq ON erasures(seq);"
	"CREATE TABLE IF NOT EXISTS erasure_confirms(erasure TEXT NOT NULL, workstation TEXT NOT NULL,"
	" ws_user TEXT NOT NULL, at INTEGER NOT NULL, removed TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY(erasure, workstation));"
	"CREATE INDEX IF NOT EXISTS conflicts_uuid ON conflicts(uuid);"
	"CREATE TABLE IF NOT EXISTS retention(study TEXT PRIMARY KEY, seconds INTEGER NOT NULL, seq INTEGER NOT NULL);",

	/* 13 -> 14: the do-not-call list (dnc.c): each number in international form, listed or
	   taken off, who changed it last, when, where from (supervisor, import, outcome) and why,
	   with a change number for pulls; every change in a log; the store's settings (the default
	   country for national numbers); cases an import marked do-not-call */
	"CREATE TABLE IF NOT EXISTS dnc(phone TEXT PRIMARY KEY, listed INTEGER NOT NULL, source TEXT NOT NULL, reason TEXT,"
	" case_key TEXT, by_user TEXT NOT NULL, at INTEGER NOT NULL, seq INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS dnc_seq ON dnc(seq);"
	"CREATE TABLE IF NOT EXISTS dnc_log(id INTEGER PRIMARY KEY, phone TEXT NOT NULL, action TEXT NOT NULL,"
	" source TEXT NOT NULL, reason TEXT, case_key TEXT, by_user TEXT NOT NULL, at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS store_settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"ALTER TABLE cases ADD COLUMN dnc INTEGER NOT NULL DEFAULT 0;",

	/* 14 -> 15: each workstation's secret key (workstations.c), sent once by a workstation that
	   holds it, given to an interviewer logging in there for the first time; forgotten when the
	   workstation is retired */
	"CREATE TABLE IF NOT EXISTS workstation_keys(workstation TEXT PRIMARY KEY, public TEXT NOT NULL,"
	" secret TEXT NOT NULL, at INTEGER NOT NULL);",
};

/* Bring an SQLite store's schema up to date one version per transaction: 0, -2 when a newer cati-store wrote it, -1. */
static int migrate(struct central *c, struct err *e)
{
	struct dbs *s;
	int v = 0;
	size_t i;

	if (db_prepare(c->db, "PRAGMA user_version", &s) != DB_OK)
		return central_fail(c, N_("read the store's schema version"), e);
	if (db_step(s) == DB_ROW)
		v = db_column_int(s, 0);
	db_finalize(s);
	if (v > (int)(sizeof migrations / sizeof migrations[0]))
		return -2;
	for (i = (size_t)v; i < sizeof migrations / sizeof migrations[0]; i++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %zu;", i + 1);
		if (db_begin(c->db, 1) != DB_OK)
			return central_fail(c, N_("upgrade the store's schema"), e);
		if (db_exec(c->db, migrations[i]) != DB_OK || db_exec(c->db, pragma) != DB_OK || db_commit(c->db) != DB_OK) {
			/* the driver's message read before the rollback clears it */
			err_set(e, _("cannot upgrade the store's schema in '%s' from version %zu to %zu: %s (that step "
			             "changed nothing)"), c->path, i, i + 1, db_errmsg(c->db));
			e->kind = db_errkind(c->db);
			db_rollback(c->db);
			return -1;
		}
	}
	return 0;
}

/* Record in e that the database failed doing what, with the driver's class of the failure. */
int central_fail(struct central *c, const char *what, struct err *e)
{
	const char *m = db_errmsg(c->db);

	if (!e->set)   /* the driver's class: SQLite's busy or locked, PostgreSQL's lock, serialization, deadlock */
		e->kind = db_errkind(c->db);
	err_set(e, _("cannot %s in '%s': %s"), _(what), c->path, m);
	return -1;
}

/* The outcome a recorded database failure stands for. */
enum central_rc central_rc_of(const struct err *e)
{
	return e->kind == ERR_KIND_BUSY ? CENTRAL_BUSY : CENTRAL_STORAGE;
}

/* Open the store at path (a file or a PostgreSQL URL), its schema set up or upgraded. */
struct central *central_open(const char *path, struct err *e)
{
	struct central *c = xcalloc(1, sizeof *c);

	if (sodium_init() < 0) {
		err_set(e, _("cannot initialise libsodium"));
		free(c);
		return NULL;
	}
	if (!(c->db = db_open(path, e))) {
		free(c);
		return NULL;
	}
	c->path = xstrdup(c->db->where);
	if (db_is_pg(c->db)) {
		int from, to;
		/* the store sets its schema up itself: every instance may start first */
		if (pg_migrate_db(c->db, &from, &to, e) < 0 || fig_refresh(c, e) < 0) {
			central_close(c);
			return NULL;
		}
		return c;
	}
	/* what is deleted or overwritten is zeroed on disk, so an erased person's data leaves no
	   copy in free space (erase.c) */
	if (db_exec(c->db, "PRAGMA secure_delete = ON") != DB_OK || db_exec(c->db, schema) != DB_OK) {
		central_fail(c, N_("open the store"), e);
		central_close(c);
		return NULL;
	}
	switch (migrate(c, e)) {
	case 0:
		break;
	case -2:
		err_set(e, _("'%s' was written by a newer cati-store: upgrade this one (nothing was changed)"), path);
		central_close(c);
		return NULL;
	default:
		central_close(c);
		return NULL;
	}
	if (fig_refresh(c, e) < 0) {
		central_close(c);
		return NULL;
	}
	return c;
}

/* Close the store (NULL is fine). */
void central_close(struct central *c)
{
	if (!c)
		return;
	db_close(c->db);
	free(c->path);
	free(c);
}

/* Take the next number from the store's change counter. */
int64_t central_next_seq(struct central *c)
{
	struct dbs *s;
	int64_t v = -1;

	if (db_prepare(c->db, "UPDATE counter SET seq = seq + 1 WHERE id = 1 RETURNING seq", &s) != DB_OK)
		return -1;
	if (db_step(s) == DB_ROW)
		v = db_column_int64(s, 0);
	db_finalize(s);
	return v;
}
