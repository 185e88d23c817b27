/* figures-schema.h: the tables of the report's figures (figures.c), for both backends. */
#ifndef CATI_FIGURES_SCHEMA_H
#define CATI_FIGURES_SCHEMA_H

/* The figures' tables and indexes (SQLite's migration step 7; PostgreSQL's step 5 is the same
   but for its types, see src/pg/pg.c). */
#define FIG_SCHEMA \
	"CREATE TABLE fig_specs(study TEXT PRIMARY KEY, spec TEXT NOT NULL);" \
	"CREATE TABLE fig_counts(study TEXT NOT NULL, what TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY(study, what));" \
	"CREATE TABLE fig_cases(case_key TEXT PRIMARY KEY, study TEXT NOT NULL, what TEXT NOT NULL);" \
	"CREATE INDEX fig_cases_study ON fig_cases(study);" \
	"CREATE TABLE fig_days(study TEXT NOT NULL, interviewer TEXT NOT NULL, day TEXT NOT NULL, n BIGINT NOT NULL," \
	" contacts BIGINT NOT NULL, refusals BIGINT NOT NULL, ms BIGINT, completes BIGINT NOT NULL, min_ms BIGINT NOT NULL," \
	" min_n BIGINT NOT NULL, PRIMARY KEY(study, interviewer, day));" \
	"CREATE TABLE fig_people(study TEXT NOT NULL, interviewer TEXT NOT NULL, cases BIGINT NOT NULL, days BIGINT NOT NULL," \
	" n BIGINT NOT NULL, contacts BIGINT NOT NULL, refusals BIGINT NOT NULL, ms BIGINT NOT NULL, ms_n BIGINT NOT NULL," \
	" completes BIGINT NOT NULL, min_ms BIGINT NOT NULL, min_n BIGINT NOT NULL, PRIMARY KEY(study, interviewer));" \
	"CREATE TABLE fig_results(study TEXT NOT NULL, q TEXT NOT NULL, combo TEXT NOT NULL, n BIGINT NOT NULL," \
	" top BIGINT NOT NULL, PRIMARY KEY(study, q, combo));" \
	"CREATE TABLE fig_over(interview TEXT NOT NULL, quota TEXT NOT NULL, study TEXT NOT NULL, cell TEXT NOT NULL, at TEXT," \
	" PRIMARY KEY(interview, quota));" \
	"CREATE INDEX fig_over_at ON fig_over(study, at, interview, quota);" \
	"CREATE INDEX attempts_day ON attempts(study, interviewer, substr(at, 1, 10));" \
	"CREATE INDEX interviews_day ON interviews(study, interviewer, substr(started_at, 1, 10));" \
	"CREATE INDEX interviews_dup ON interviews(study) WHERE duplicate <> 0;"

#endif
