/*
 * report.h: the supervisor's report of one study, as one JSON object:
 *
 *   quotas        cells with target, achieved, open (what the target still takes), closed, over
 *   interviewers  logged in or not, completes per hour, attempts, average interview length,
 *                 refusal rate
 *   dispositions  cases per AAPOR final disposition, and rates: the edition (10th by default,
 *                 9th on request), the AAPOR groups, e (per class under the 10th) and
 *                 RR1-RR6, COOP1-COOP4, REF1-REF3, CON1-CON3 (calls.h computes them)
 *   results       each satisfaction question's top-2-box share (codes 1 and 2 of a 6-point
 *                 scale) overall, by segment (case fields) and by month, with n respondents
 *   problems      duplicate completes and completes counted over quota
 *   on_call       who is in an interview now: case, question, minutes (from the workstations' syncs)
 *
 * central_report builds it from the central store (src/store/report.c, the only part with SQL);
 * report_text and report_csv print it (src/report/format.c: pure, no database, no terminal).
 */
#ifndef CATI_REPORT_H
#define CATI_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "cati/calls.h"
#include "cati/central.h"
#include "cati/util.h"

/* A user counts as logged in when the store saw a request of theirs this recently. */
#define REPORT_SEEN_MINUTES 15
/* Completes per hour are given from this much working time on; below it they are null ("-"):
   a few minutes say nothing about an hour. */
#define REPORT_MIN_WORK_MINUTES 30
/* Working time: a workstation whose interviewer is logged in says so on every pull (every 5 s);
   the store keeps a span of work per interviewer and workstation, written at most every 30 s.
   Not heard of for this many seconds (a few syncs missed, more than the 30 s between writes),
   the span has ended: a workstation switched off or logged out is not working time. */
#define REPORT_WORK_GAP 120
/* A share or rate over fewer cases than this is marked as a small base. */
#define REPORT_SMALL_BASE 30

struct report_opts {
	/* segments of the results: case fields separated by commas ("region,office"); NULL or "":
	   every case field with a scale, and `office` when the form has it, in the form's order */
	const char *by;
	int seen_minutes;   /* 0: REPORT_SEEN_MINUTES */
	int64_t now;        /* unix seconds; 0: the clock */
	/* 1: count everything from the report tables, not from the figures the store keeps as
	   records arrive (the check that both agree: report_check) */
	int live;
	/* the AAPOR edition and e of the rates (calls_aapor_opts); zeroed: 10th edition, e estimated */
	struct aapor_opts aapor;
};

enum report_rc {
	REPORT_OK = 0,
	REPORT_ERROR = -1,      /* the database failed */
	REPORT_FORBIDDEN = -2,  /* not one of the user's projects */
	REPORT_NO_STUDY = -3,   /* no form of that study on the store */
	REPORT_BAD_BY = -4,     /* a segment that is not a case field of the form */
};

/*
 * Build the report of study for user (admins: every study; supervisors: their projects;
 * interviewers: none). o may be NULL for the defaults. On REPORT_OK *out is a new object (the
 * caller json_decref()s it); otherwise e says why. Read only: one read transaction, so the
 * figures agree with each other. Fields (null where a figure has no denominator):
 *   {study, title, version, generated_at, seen_minutes,
 *    totals: {cases, attempts, interviews, completes, screenouts, duplicates, over_quota},
 *    quotas: [{quota, cell, label, target, achieved, open, closed, over}],
 *    interviewers: [{name, logged_in, last_seen, completes, hours, per_hour, attempts,
 *                    avg_minutes, contacts, refusals, refusal_rate, hours_from}],
 *    dispositions: [{code, label, group, n}],
 *    rates: {edition, e, e_estimated, e_UH, e_UH_estimated, e_UR, e_UR_estimated, e_UO,
 *            e_UO_estimated, groups: {I, P, R, NC, O, UH, UR, UO, NE}, RR1 ... CON3}
 *           (9th edition: no UR in groups, no e_UR; e is then the one e of that edition),
 *    results: {segments: [names], questions: [{id, text, n, top2, share}],
 *              rows: [{question, segment, value, label, n, top2, share}]},
 *    problems: {duplicates: [{interview, case, interviewer, at, kept, kept_interviewer}],
 *               over_quota: [{interview, case, interviewer, at, quota, cell, label}],
 *               conflicts: [{uuid, kind, case, interviewer, sent_by, at}], conflicts_total},
 *    on_call: [{user, case, question, started_at, minutes, last_seen}]}
 * hours: working time, the sum of the study's spans of work the workstations reported
 * (central_work), hours_from "sessions"; for an interviewer with no such span, the estimate from
 * calls and interviews (per day, first to last), hours_from "calls"; null (both) with neither;
 * per_hour: null below REPORT_MIN_WORK_MINUTES of it. conflicts: records sent again under a
 * stored uuid with other content (kept aside; at: when received), the first MAX_PROBLEMS.
 * on_call lists the open interviews of the study's cases as the workstations' pulls report them;
 * one whose workstation has not synced for seen_minutes is left out (it cannot be told from a
 * workstation switched off mid-call, and its interviewer shows as not online).
 */
enum report_rc central_report(struct central *c, const char *user, enum central_role role, const char *study,
                              const struct report_opts *o, json_t **out, struct err *e);

/*
 * When users were last seen (for "logged in"): central_seen_due says whether user's last
 * request is older than gap_s seconds at now (1) or not (0), reading only; central_seen records
 * a request (what: its path) at now. The server calls the second only when the first says so,
 * so a busy user costs one write a minute, not one per request.
 */
int central_seen_due(struct central *c, const char *user, int64_t now, int gap_s);
int central_seen(struct central *c, const char *user, const char *what, int64_t now, struct err *e);

/*
 * Who is on a call now, as each workstation's pull reports it (src/central/now.c):
 * central_on_call_due says whether what user's workstation ws reports (case key, question; key
 * NULL or "": no call) differs from what is kept, or what is kept is gap_s seconds old (1), or
 * not (0), reading only; central_on_call keeps it at now (the interview started elapsed_s
 * seconds ago by the workstation's clock), or forgets the call when key is NULL or "", or a
 * case user (of role) may not push records about. 0, or -1 with e set.
 */
/*
 * Working time, as each workstation's pull reports its logged-in interviewer (src/central/
 * worktime.c): central_work_due says whether user's span at workstation ws is missing or was
 * written gap_s seconds before now or earlier (1) or not (0), reading only; central_work notes
 * user working at ws at now: it extends the span, or starts one when the last was heard of more
 * than REPORT_WORK_GAP seconds ago, splits spans at UTC midnight, and keeps each span for the
 * study of the interview key (a case user of role may push records about), else the study the
 * span already has, else the one study of all the user's cases, else "". 0, or -1 with e set.
 */
int central_work_due(struct central *c, const char *user, const char *ws, int64_t now, int gap_s);
int central_work(struct central *c, const char *user, enum central_role role, const char *ws, const char *key,
                 int64_t now, struct err *e);

int central_on_call_due(struct central *c, const char *user, const char *ws, const char *key,
                        const char *question, int64_t now, int gap_s);
int central_on_call(struct central *c, const char *user, enum central_role role, const char *ws, const char *key,
                    const char *question, int64_t elapsed_s, int64_t now, struct err *e);

/* The report's sections, in the console's page order. */
enum report_section {
	REPORT_QUOTAS,
	REPORT_INTERVIEWERS,
	REPORT_DISPOSITIONS,
	REPORT_RESULTS,
	REPORT_PROBLEMS,
	REPORT_ON_CALL,
	REPORT_SECTIONS
};

/* A section's name ("quotas", ...) and title ("Quotas"); the section named name, or -1. */
const char *report_section_name(enum report_section s);
const char *report_section_title(enum report_section s);
int report_section_find(const char *name);

/* The study's totals in one line, counts with their nouns ("1 duplicate, 3 over quota"). Appends to out. */
void report_totals(const json_t *totals, struct buf *out);

/*
 * The report as text for a terminal width columns wide (0: 80): aligned tables, bar charts of
 * '#' characters. section < 0 prints every section with its heading; question (results only)
 * limits the results to one question id, NULL all. Appends to out. No line is wider than width.
 */
void report_text(const json_t *r, int section, int width, const char *question, struct buf *out);

/*
 * The report as CSV (RFC 4180: commas, quotes doubled, CRLF line ends): one table per section,
 * each row starting with the section's name, after a header line of its own. section < 0: all
 * sections, separated by an empty line. Shares are fractions with 4 decimals. Appends to out.
 */
void report_csv(const json_t *r, int section, struct buf *out);

/* Which cells the quota page shows: all but those with no completes (listed by code), the open
   ones, the nearly full (>= 90 %, not full), the full or closed ones. */
enum report_quota_filter { REPORT_Q_ALL, REPORT_Q_OPEN, REPORT_Q_NEARLY, REPORT_Q_FULL, REPORT_Q_FILTERS };

/* The filter's name for the screen ("nearly full"); "" for none. */
const char *report_quota_filter_name(enum report_quota_filter f);

/*
 * The quota section as text width columns wide (0: 80), as report_text prints it with
 * REPORT_Q_ALL: a summary line, then per quota its cells sorted open ones closest to full first,
 * full ones last, with labels wrapped (never cut); cells with no completes are listed by code on
 * one line (ALL and OPEN) instead of a row each. Appends to out.
 */
void report_quotas_text(const json_t *r, int width, enum report_quota_filter filter, struct buf *out);

/* What each AAPOR class and rate on the dispositions page means, one line each, width columns
   wide (at least 40). Appends to out. */
void report_legend(int width, struct buf *out);

/* The ids of the result questions in order, for paging through them: the count; ids[i] stay
   valid while r lives. At most n are stored. */
int report_questions(const json_t *r, const char **ids, int n);

#endif
