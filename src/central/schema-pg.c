/*
 * pg.c: the central store's PostgreSQL schema, created and moved forward by the store itself
 * (cati-store migrate --pg URL). All steps in one transaction, under an advisory lock so that
 * several store instances starting at once migrate once; a database written by a newer store is
 * refused and left untouched. The tables are those of the SQLite backend (central.c), in
 * PostgreSQL's types: change numbers from a counter row, times as bigint seconds or ISO text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/i18n.h"
#include "cati/db.h"
#include "cati/pg.h"
#include "figures-schema.h"

#define LOCK_KEY "7260414"   /* pg_advisory_xact_lock key: "cati" migrations */

static const char *const steps[] = {
	/* 0 -> 1: the store as of schema 3 of the SQLite backend */
	"CREATE TABLE users(name text PRIMARY KEY, role text NOT NULL, hash text NOT NULL,"
	" disabled integer NOT NULL DEFAULT 0, created_at bigint NOT NULL, projects text NOT NULL DEFAULT '');"
	"CREATE TABLE tokens(hash text PRIMARY KEY, \"user\" text NOT NULL REFERENCES users(name), expires bigint NOT NULL);"
	"CREATE TABLE login_failures(\"user\" text NOT NULL, at bigint NOT NULL);"
	"CREATE INDEX login_failures_user ON login_failures(\"user\", at);"
	"CREATE SEQUENCE change_seq;"
	"CREATE TABLE forms(hash text PRIMARY KEY, form_id text NOT NULL, version text NOT NULL, source text NOT NULL,"
	" seq bigint NOT NULL, published_at bigint NOT NULL);"
	"CREATE TABLE cases(case_key text PRIMARY KEY, study text NOT NULL, phone text NOT NULL, name text, tz text,"
	" fields jsonb NOT NULL, interviewer text, seq bigint NOT NULL);"
	"CREATE INDEX cases_seq ON cases(seq);"
	"CREATE INDEX cases_interviewer ON cases(interviewer, study);"
	"CREATE TABLE records(uuid uuid PRIMARY KEY, kind text NOT NULL, owner text NOT NULL, case_key text NOT NULL,"
	" content_hash text NOT NULL, data jsonb NOT NULL, received_at bigint NOT NULL,"
	" duplicate integer NOT NULL DEFAULT 0, seq bigint);"
	"CREATE INDEX records_case ON records(case_key, kind);"
	"CREATE INDEX records_seq ON records(seq) WHERE seq IS NOT NULL;"
	"CREATE TABLE conflicts(id bigserial PRIMARY KEY, uuid uuid NOT NULL, owner text NOT NULL, data jsonb NOT NULL,"
	" received_at bigint NOT NULL);"
	"CREATE TABLE reassignments(case_key text NOT NULL, from_interviewer text NOT NULL, seq bigint NOT NULL);"
	"CREATE INDEX reassignments_from ON reassignments(from_interviewer, seq);"
	"CREATE FUNCTION cases_reassigned() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
	" IF OLD.interviewer IS NOT NULL AND OLD.interviewer IS DISTINCT FROM NEW.interviewer THEN"
	" INSERT INTO reassignments(case_key, from_interviewer, seq) VALUES (OLD.case_key, OLD.interviewer, NEW.seq);"
	" END IF; RETURN NEW; END $$;"
	"CREATE TRIGGER cases_reassigned AFTER UPDATE OF interviewer ON cases FOR EACH ROW EXECUTE FUNCTION cases_reassigned();"
	"CREATE TABLE interviews(uuid uuid PRIMARY KEY, study text NOT NULL, case_key text NOT NULL, form text, version text,"
	" interviewer text NOT NULL, lang text, status text NOT NULL, outcome text, started_at text, ended_at text,"
	" updated_at text NOT NULL DEFAULT '', duplicate integer NOT NULL DEFAULT 0, received_at bigint NOT NULL);"
	"CREATE INDEX interviews_study ON interviews(study, status);"
	"CREATE INDEX interviews_case ON interviews(case_key);"
	"CREATE TABLE answers(interview uuid NOT NULL, qid text NOT NULL, iter integer NOT NULL, state integer NOT NULL,"
	" value text NOT NULL, PRIMARY KEY(interview, qid, iter));"
	"CREATE TABLE attempts(uuid uuid PRIMARY KEY, study text NOT NULL, case_key text NOT NULL, interviewer text NOT NULL,"
	" at text NOT NULL, outcome text NOT NULL, disposition text);"
	"CREATE INDEX attempts_study ON attempts(study, case_key);"
	"CREATE TABLE quota_cells(study text NOT NULL, quota text NOT NULL, cell text NOT NULL, label text NOT NULL DEFAULT '',"
	" target integer NOT NULL, closed integer NOT NULL DEFAULT 0, achieved integer NOT NULL DEFAULT 0,"
	" allowance integer NOT NULL DEFAULT 2, PRIMARY KEY(study, quota, cell));"
	"CREATE TABLE interview_cells(interview uuid NOT NULL, study text NOT NULL, quota text NOT NULL, cell text NOT NULL,"
	" over integer NOT NULL DEFAULT 0, holder text, PRIMARY KEY(interview, quota));"
	"CREATE INDEX interview_cells_cell ON interview_cells(study, quota, cell);"
	"CREATE TABLE grants(study text NOT NULL, quota text NOT NULL, cell text NOT NULL, holder text NOT NULL,"
	" n integer NOT NULL, at bigint NOT NULL, PRIMARY KEY(study, quota, cell, holder));"
	"CREATE TABLE seen(\"user\" text PRIMARY KEY, at bigint NOT NULL, what text NOT NULL DEFAULT '');"
	"CREATE TABLE locks(case_key text PRIMARY KEY, holder text NOT NULL, \"user\" text NOT NULL, until bigint NOT NULL);",

	/* 1 -> 2: serving from PostgreSQL. Record ids are kept as the text the workstations send, as
	   on SQLite (any 36 characters); change numbers come from one counter that writers update
	   under the store's lock, so they commit in order; and the few SQLite functions the
	   store's queries use are defined here (db-pg.c rewrites the rest) */
	"ALTER TABLE records ALTER COLUMN uuid TYPE text;"
	"ALTER TABLE conflicts ALTER COLUMN uuid TYPE text;"
	"ALTER TABLE interviews ALTER COLUMN uuid TYPE text;"
	"ALTER TABLE answers ALTER COLUMN interview TYPE text;"
	"ALTER TABLE attempts ALTER COLUMN uuid TYPE text;"
	"ALTER TABLE interview_cells ALTER COLUMN interview TYPE text;"
	"CREATE TABLE counter(id integer PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL);"
	"INSERT INTO counter SELECT 1, CASE WHEN is_called THEN last_value ELSE 0 END FROM change_seq;"
	"DROP SEQUENCE change_seq;"
	/* json_extract(j, '$.key') and '$.\"key\"': one level, as the store uses it */
	"CREATE FUNCTION json_extract(j jsonb, path text) RETURNS text LANGUAGE sql IMMUTABLE AS"
	" $$ SELECT j ->> btrim(substr(path, 3), '\"') $$;"
	"CREATE FUNCTION json_set(j jsonb, path text, v text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS"
	" $$ SELECT jsonb_set(j, ARRAY[btrim(substr(path, 3), '\"')], coalesce(to_jsonb(v), 'null'::jsonb)) $$;"
	"CREATE FUNCTION cati_each(a text) RETURNS TABLE(value text) LANGUAGE sql IMMUTABLE AS"
	" $$ SELECT jsonb_array_elements_text(a::jsonb) $$;"
	/* the order rows came in, which SQLite keeps as rowid */
	"ALTER TABLE interviews ADD COLUMN rowid bigserial;"
	"ALTER TABLE attempts ADD COLUMN rowid bigserial;"
	/* SQLite sums truth values as 0 and 1 */
	"CREATE FUNCTION cati_add_truth(s bigint, b boolean) RETURNS bigint LANGUAGE sql IMMUTABLE AS"
	" $$ SELECT CASE WHEN b IS NULL THEN s ELSE coalesce(s, 0) + CASE WHEN b THEN 1 ELSE 0 END END $$;"
	"CREATE AGGREGATE sum(boolean) (SFUNC = cati_add_truth, STYPE = bigint);"
	/* ISO 8601 times as SQLite reads them: NULL for what is not a time */
	"CREATE FUNCTION julianday(t text) RETURNS double precision LANGUAGE plpgsql STABLE AS $$ BEGIN"
	" RETURN extract(epoch FROM t::timestamptz)::double precision / 86400.0 + 2440587.5;"
	" EXCEPTION WHEN others THEN RETURN NULL; END $$;"
	"CREATE FUNCTION strftime(f text, t bigint, m text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN"
	" IF f <> '%Y-%m-%dT%H:%M:%SZ' OR m <> 'unixepoch' THEN RAISE 'strftime: only ISO 8601 UTC from unixepoch'; END IF;"
	" RETURN to_char(to_timestamp(t) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'); END $$;",

	/* 2 -> 3 (step 5 of the SQLite backend): identity. An interview id belongs to the case,
	   interviewer and workstation it first came with (holder NULL: not known yet); a user has an
	   id never given again, and a token names the id */
	"CREATE TABLE interview_owners(interview text PRIMARY KEY, case_key text NOT NULL,"
	" interviewer text NOT NULL, holder text);"
	"INSERT INTO interview_owners(interview, case_key, interviewer)"
	" SELECT uuid, case_key, interviewer FROM interviews ON CONFLICT DO NOTHING;"
	"ALTER TABLE users ADD COLUMN id text;"
	"UPDATE users SET id = md5(random()::text || clock_timestamp()::text || name);"
	"CREATE UNIQUE INDEX users_id ON users(id);"
	"ALTER TABLE tokens ADD COLUMN user_id text;"
	"UPDATE tokens SET user_id = (SELECT id FROM users WHERE name = tokens.\"user\");"
	"DELETE FROM tokens WHERE user_id IS NULL;",

	/* 3 -> 4 (step 6 of the SQLite backend): registered workstations; only these get quota
	   allowances and case locks */
	"CREATE TABLE workstations(id text PRIMARY KEY, \"user\" text NOT NULL, name text NOT NULL DEFAULT '',"
	" registered_at bigint NOT NULL, retired_at bigint);"
	"CREATE INDEX workstations_user ON workstations(\"user\");",

	/* 4 -> 5 (step 7 of the SQLite backend): a pull sends only what changed. Finished
	   interviews are counted as records arrive, and quota cells and each workstation's grants
	   carry change numbers; everything counted so far is sent once more */
	"CREATE TABLE counted(interview text NOT NULL, study text NOT NULL, status text NOT NULL,"
	" outcome text NOT NULL, PRIMARY KEY(interview, study, status, outcome));"
	"CREATE TABLE counts(study text NOT NULL, status text NOT NULL, outcome text NOT NULL,"
	" n bigint NOT NULL, seq bigint NOT NULL, PRIMARY KEY(study, status, outcome));"
	"CREATE INDEX counts_seq ON counts(seq);"
	"ALTER TABLE quota_cells ADD COLUMN seq bigint NOT NULL DEFAULT 0;"
	"ALTER TABLE grants ADD COLUMN seq bigint NOT NULL DEFAULT 0;"
	"CREATE INDEX grants_holder ON grants(holder, at);"
	"UPDATE counter SET seq = seq + 1;"
	"INSERT INTO counted(interview, study, status, outcome)"
	" SELECT DISTINCT r.data ->> 'interview', c.study, r.data ->> 'status', coalesce(r.data ->> 'outcome', '')"
	" FROM records r JOIN cases c USING (case_key) WHERE r.kind = 'interview' AND r.duplicate = 0"
	" AND r.data ->> 'status' IN ('complete', 'screenout') AND r.data ->> 'interview' IS NOT NULL;"
	"INSERT INTO counts(study, status, outcome, n, seq) SELECT study, status, outcome, count(*),"
	" (SELECT seq FROM counter) FROM counted GROUP BY study, status, outcome;"
	"UPDATE quota_cells SET seq = (SELECT seq FROM counter);",

	/* 5 -> 6 (step 8 of the SQLite backend): the report's figures, kept as records arrive;
	   built from the report tables when the store opens */
	FIG_SCHEMA,

	/* 6 -> 7 (step 9 of the SQLite backend): an interviewer-day keeps its first and last time */
	"ALTER TABLE fig_days ADD COLUMN lo text;"
	"ALTER TABLE fig_days ADD COLUMN hi text;",

	/* 7 -> 8 (step 10 of the SQLite backend): who is on a call now, as each workstation's pull
	   reports it (IF NOT EXISTS: a schema version set back by hand runs the step again) */
	"CREATE TABLE IF NOT EXISTS on_call(interviewer text NOT NULL, workstation text NOT NULL, case_key text NOT NULL,"
	" question text NOT NULL, started_at bigint NOT NULL, at bigint NOT NULL,"
	" PRIMARY KEY(interviewer, workstation));",

	/* 8 -> 9 (step 11 of the SQLite backend): working time, as the workstations' pulls report
	   an interviewer logged in (worktime.c), in spans within one UTC day */
	"CREATE TABLE IF NOT EXISTS work_spans(id bigserial PRIMARY KEY, interviewer text NOT NULL,"
	" workstation text NOT NULL, study text NOT NULL, start_at bigint NOT NULL, end_at bigint NOT NULL);"
	"CREATE INDEX IF NOT EXISTS work_spans_open ON work_spans(interviewer, workstation, end_at);"
	"CREATE INDEX IF NOT EXISTS work_spans_study ON work_spans(study, interviewer, start_at, end_at);"
	"CREATE TABLE IF NOT EXISTS work_totals(study text NOT NULL, interviewer text NOT NULL, seconds bigint NOT NULL,"
	" PRIMARY KEY(study, interviewer));",

	/* 9 -> 10 (step 12 of the SQLite backend): the audit trail (audit.c) and each study's key
	   for the pseudonyms of its case ids */
	"CREATE TABLE IF NOT EXISTS audit(id bigserial PRIMARY KEY, at bigint NOT NULL, who text NOT NULL,"
	" action text NOT NULL, what text NOT NULL);"
	"CREATE INDEX IF NOT EXISTS audit_at ON audit(at);"
	"CREATE TABLE IF NOT EXISTS study_keys(study text PRIMARY KEY, key text NOT NULL);",
	/* 10 -> 11 (step 12 of the SQLite backend): erasure on request and retention (erase.c) */
	"CREATE TABLE IF NOT EXISTS erasures(id text PRIMARY KEY, case_key text NOT NULL, study text NOT NULL,"
	" at bigint NOT NULL, erased_by text NOT NULL, reason text NOT NULL DEFAULT '', removed text NOT NULL,"
	" seq bigint NOT NULL);"
	"CREATE INDEX IF NOT EXISTS erasures_case ON erasures(case_key);"
	"CREATE INDEX IF NOT EXISTS erasures_seq ON erasures(seq);"
	"CREATE TABLE IF NOT EXISTS erasure_confirms(erasure text NOT NULL, workstation text NOT NULL,"
	" ws_user text NOT NULL, at bigint NOT NULL, removed text NOT NULL DEFAULT '',"
	" PRIMARY KEY(erasure, workstation));"
	"CREATE INDEX IF NOT EXISTS conflicts_uuid ON conflicts(uuid);"
	"CREATE TABLE IF NOT EXISTS retention(study text PRIMARY KEY, seconds bigint NOT NULL, seq bigint NOT NULL);",

	/* 11 -> 12 (step 14 of the SQLite backend): the do-not-call list, its log, the store's
	   settings (the default country), cases an import marked do-not-call */
	"CREATE TABLE IF NOT EXISTS dnc(phone text PRIMARY KEY, listed integer NOT NULL, source text NOT NULL, reason text,"
	" case_key text, by_user text NOT NULL, at bigint NOT NULL, seq bigint NOT NULL);"
	"CREATE INDEX IF NOT EXISTS dnc_seq ON dnc(seq);"
	"CREATE TABLE IF NOT EXISTS dnc_log(id bigserial PRIMARY KEY, phone text NOT NULL, action text NOT NULL,"
	" source text NOT NULL, reason text, case_key text, by_user text NOT NULL, at bigint NOT NULL);"
	"CREATE TABLE IF NOT EXISTS store_settings(key text PRIMARY KEY, value text NOT NULL);"
	"ALTER TABLE cases ADD COLUMN IF NOT EXISTS dnc integer NOT NULL DEFAULT 0;",

	/* 12 -> 13 (step 15 of the SQLite backend): each workstation's secret key (workstations.c) */
	"CREATE TABLE IF NOT EXISTS workstation_keys(workstation text PRIMARY KEY, public text NOT NULL,"
	" secret text NOT NULL, at bigint NOT NULL);",
};

int pg_schema_version(void)
{
	return (int)(sizeof steps / sizeof steps[0]);
}

/* The first line of the driver's last message, as "cannot WHAT: ..." into e. */
static void fail(struct err *e, const char *what, struct db *db)
{
	const char *m = db_errmsg(db);

	err_set(e, _("cannot %s: %.*s"), _(what), (int)strcspn(m, "\n"), m);
}

/* Run sql; 0, or -1 with e set. */
static int exec(struct db *db, const char *sql, const char *what, struct err *e)
{
	if (db_exec(db, sql) == DB_OK)
		return 0;
	fail(e, what, db);
	return -1;
}

int pg_migrate(const char *url, int *from, int *to, struct err *e)
{
	struct db *db;
	int rc;

	*from = *to = -1;
	if (!(db = db_open(url, e)))
		return -1;
	rc = pg_migrate_db(db, from, to, e);
	db_close(db);
	return rc;
}

/* Lock the schema in a new transaction and read its version into *v; 0 or -1. */
static int lock_and_read(struct db *db, int *v, struct err *e)
{
	struct dbs *s;
	int step;

	if (exec(db, "BEGIN", N_("start the migration"), e) < 0 ||
	    exec(db, "SELECT pg_advisory_xact_lock(" LOCK_KEY ")", N_("lock the schema"), e) < 0 ||
	    exec(db, "CREATE TABLE IF NOT EXISTS cati_schema(version integer NOT NULL)", N_("create the version table"), e) < 0)
		return -1;
	if (db_prepare(db, "SELECT max(version) FROM cati_schema", &s) != DB_OK) {
		fail(e, N_("read the schema version"), db);
		return -1;
	}
	step = db_step(s);
	*v = step == DB_ROW && db_column_type(s, 0) != DB_NULL ? db_column_int(s, 0) : 0;
	db_finalize(s);
	if (step != DB_ROW) {
		fail(e, N_("read the schema version"), db);
		return -1;
	}
	return 0;
}

int pg_migrate_db(struct db *db, int *from, int *to, struct err *e)
{
	int v = 0, rc = -1, i, n = pg_schema_version();
	char sql[128];

	*from = *to = -1;
	/*
	 * All steps run in one transaction under one lock (PostgreSQL's schema changes are
	 * transactional): a failure leaves the database as it was, and an instance migrating at
	 * the same time waits, then finds the work done.
	 */
	if (lock_and_read(db, &v, e) < 0)
		goto out;
	*from = v;
	if (v > n) {
		err_set(e, _("the database was set up by a newer cati-store (schema %d; this one knows %d): upgrade this store (nothing was changed)"), v, n);
		goto out;
	}
	for (i = v; i < n; i++)
		if (exec(db, steps[i], N_("move the schema forward"), e) < 0)
			goto out;
	snprintf(sql, sizeof sql, "DELETE FROM cati_schema; INSERT INTO cati_schema VALUES (%d)", n);
	if ((v < n && exec(db, sql, N_("record the schema version"), e) < 0) || exec(db, "COMMIT", N_("commit the migration"), e) < 0)
		goto out;
	*to = n;
	rc = 0;
out:
	if (rc < 0) {
		struct err ignored;
		err_init(&ignored);
		exec(db, "ROLLBACK", N_("roll back"), &ignored);
	}
	return rc;
}
