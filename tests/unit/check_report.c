/* check_report.c: the supervisor's report on a small store worked out by hand (results,
 * dispositions, interviewers, problems, access), and its text and CSV forms. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cati/central.h"
#include "cati/form.h"
#include "cati/report.h"

#define NEAR(a, b) ck_assert_msg(fabs((a) - (b)) < 1e-6, "%s = %.6f, expected %.6f", #a, (double)(a), (double)(b))

static char dir[64];
static struct central *store;

/* Interview record: case, uuid, interviewer, day, start and end minute, status, answers. */
static json_t *interview(const char *key, const char *uuid, const char *who, const char *day, int from, int to,
                         const char *status, json_t *answers)
{
	char a[40], b[40];

	snprintf(a, sizeof a, "%sT%02d:%02d:00.000Z", day, from / 60, from % 60);
	snprintf(b, sizeof b, "%sT%02d:%02d:00.000Z", day, to / 60, to % 60);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}}", "uuid", uuid, "kind",
	                 "interview", "data", "interview", uuid, "case", key, "interviewer", who, "status", status,
	                 "outcome", status, "started_at", a, "ended_at", b, "updated_at", b, "lang", "en", "version", "1",
	                 "answers", answers);
}

static json_t *attempt(const char *key, const char *uuid, const char *who, const char *at, const char *outcome,
                       const char *disposition)
{
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}}", "uuid", uuid, "kind", "attempt", "data", "uuid",
	                 uuid, "case", key, "interviewer", who, "at", at, "outcome", outcome, "disposition", disposition);
}

/*
 * Eight cases of the demo form. K1-K4 complete (K1 twice: the second is a duplicate), K5 never
 * called, K6 no answer then busy, K7 an appointment then no answer, K8 a refusal.
 */
static void setup(void)
{
	struct form_diags d;
	struct form *f;
	struct err e;
	char *src, hash[65];
	size_t len;
	json_t *cases, *recs, *result;

	snprintf(dir, sizeof dir, "/tmp/check_report_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	{
		char path[128];
		snprintf(path, sizeof path, "%s/central.db", dir);
		err_init(&e);
		store = central_open(path, &e);
		ck_assert_msg(store != NULL, "%s", e.msg);
	}
	form_diags_init(&d);
	src = read_file("forms/demo.form", &len, &e);
	ck_assert_ptr_nonnull(src);
	f = form_compile("demo.form", src, len, &d);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(central_form_put(store, f->id, f->version, src, hash, &e), 0);
	form_free(f);
	free(src);
	form_diags_release(&d);
	ck_assert_int_eq(central_user_add(store, "sup", "supervisor", "pw", &e), 0);
	ck_assert_int_eq(central_user_projects(store, "sup", "demo", &e), 0);
	ck_assert_int_eq(central_user_add(store, "other", "supervisor", "pw", &e), 0);
	ck_assert_int_eq(central_user_projects(store, "other", "cms_employer", &e), 0);
	cases = json_pack("[{s:s, s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:{s:s, s:s}, s:s},"
	                  " {s:s, s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:{s:s, s:s}, s:s},"
	                  " {s:s, s:s, s:{s:s, s:s}, s:s}, {s:s, s:s, s:{s:s, s:s}, s:s}]",
	                  "id", "K1", "phone", "1", "fields", "region", "9", "office", "Wien, Mitte", "interviewer", "anna",
	                  "id", "K2", "phone", "2", "fields", "region", "9", "office", "Wien, Mitte", "interviewer", "anna",
	                  "id", "K3", "phone", "3", "fields", "region", "3", "office", "Linz \"Süd\"", "interviewer", "ben",
	                  "id", "K4", "phone", "4", "fields", "region", "3", "office", "Linz \"Süd\"", "interviewer", "ben",
	                  "id", "K5", "phone", "5", "fields", "region", "9", "office", "Wien, Mitte", "interviewer", "cara",
	                  "id", "K6", "phone", "6", "fields", "region", "3", "office", "Linz \"Süd\"", "interviewer", "ben",
	                  "id", "K7", "phone", "7", "fields", "region", "3", "office", "Linz \"Süd\"", "interviewer", "ben",
	                  "id", "K8", "phone", "8", "fields", "region", "3", "office", "Linz \"Süd\"", "interviewer", "ben");
	ck_assert_int_eq(central_cases_put(store, "demo", cases, CENTRAL_DNC_NONE, &e), 0);
	json_decref(cases);
	recs = json_array();
	json_array_append_new(recs, interview("K1", "11111111-0000-4000-8000-000000000001", "anna", "2026-01-10", 600, 610,
	                                      "complete", json_pack("[[s,i,i,s],[s,i,i,s]]", "overall", 0, 1, "1", "adviser", 0, 1, "1,3,dk")));
	json_array_append_new(recs, interview("K2", "22222222-0000-4000-8000-000000000002", "anna", "2026-02-03", 660, 666,
	                                      "complete", json_pack("[[s,i,i,s],[s,i,i,s]]", "overall", 0, 1, "4", "adviser", 0, 1, "2,2,6")));
	json_array_append_new(recs, interview("K3", "33333333-0000-4000-8000-000000000003", "ben", "2026-02-05", 540, 552,
	                                      "complete", json_pack("[[s,i,i,s],[s,i,i,s]]", "overall", 0, 2, "dk", "adviser", 0, 1, "5,1,1")));
	json_array_append_new(recs, interview("K4", "44444444-0000-4000-8000-000000000004", "ben", "2026-02-05", 600, 608,
	                                      "complete", json_pack("[[s,i,i,s],[s,i,i,s]]", "overall", 0, 1, "2", "contact", 0, 1, "1")));
	json_array_append_new(recs, interview("K1", "55555555-0000-4000-8000-000000000005", "ben", "2026-02-06", 600, 605,
	                                      "complete", json_pack("[[s,i,i,s]]", "overall", 0, 1, "6")));
	json_array_append_new(recs, attempt("K1", "a0000000-0000-4000-8000-000000000001", "anna", "2026-01-10T10:10:00.000Z", "complete", "1.1"));
	json_array_append_new(recs, attempt("K2", "a0000000-0000-4000-8000-000000000002", "anna", "2026-02-03T11:06:00.000Z", "complete", "1.1"));
	json_array_append_new(recs, attempt("K3", "a0000000-0000-4000-8000-000000000003", "ben", "2026-02-05T09:12:00.000Z", "complete", "1.1"));
	json_array_append_new(recs, attempt("K4", "a0000000-0000-4000-8000-000000000004", "ben", "2026-02-05T10:08:00.000Z", "complete", "1.1"));
	json_array_append_new(recs, attempt("K6", "a0000000-0000-4000-8000-000000000006", "ben", "2026-02-05T09:30:00.000Z", "no_answer", "3.13"));
	json_array_append_new(recs, attempt("K6", "a0000000-0000-4000-8000-000000000016", "ben", "2026-02-05T11:00:00.000Z", "busy", "3.12"));
	json_array_append_new(recs, attempt("K7", "a0000000-0000-4000-8000-000000000007", "ben", "2026-02-05T09:40:00.000Z", "appointment", "2.21"));
	json_array_append_new(recs, attempt("K7", "a0000000-0000-4000-8000-000000000017", "ben", "2026-02-05T09:50:00.000Z", "no_answer", "3.13"));
	json_array_append_new(recs, attempt("K8", "a0000000-0000-4000-8000-000000000008", "ben", "2026-02-05T09:45:00.000Z", "refusal", "2.112"));
	result = json_array();
	ck_assert_int_eq(central_push(store, "admin", CENTRAL_ADMIN, NULL, recs, result, &e), 0);
	json_decref(recs);
	json_decref(result);
}

static void teardown(void)
{
	char cmd[128];

	central_close(store);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static json_t *report(const char *by)
{
	struct report_opts o = { by, 0, 0 };
	struct err e;
	json_t *r;

	err_init(&e);
	ck_assert_msg(central_report(store, "sup", CENTRAL_SUPERVISOR, "demo", &o, &r, &e) == REPORT_OK, "%s", e.msg);
	return r;
}

/* The results row of question q, segment s, value v. */
static const json_t *row(const json_t *r, const char *q, const char *s, const char *v)
{
	const json_t *rows = json_object_get(json_object_get(r, "results"), "rows"), *x;
	size_t i;

	json_array_foreach(rows, i, x)
		if (!strcmp(json_string_value(json_object_get(x, "question")), q) &&
		    !strcmp(json_string_value(json_object_get(x, "segment")), s) &&
		    !strcmp(json_string_value(json_object_get(x, "value")), v))
			return x;
	ck_abort_msg("no results row %s / %s / %s", q, s, v);
	return NULL;
}

static void counts(const json_t *x, long n, long top)
{
	ck_assert_int_eq(json_integer_value(json_object_get(x, "n")), n);
	ck_assert_int_eq(json_integer_value(json_object_get(x, "top2")), top);
}

START_TEST(test_results)
{
	json_t *r = report(NULL);
	const json_t *segs = json_object_get(json_object_get(r, "results"), "segments");

	/* the case fields with a scale and office, in the form's order, then the month */
	ck_assert_int_eq(json_array_size(segs), 3);
	ck_assert_str_eq(json_string_value(json_array_get(segs, 0)), "office");
	ck_assert_str_eq(json_string_value(json_array_get(segs, 1)), "region");
	ck_assert_str_eq(json_string_value(json_array_get(segs, 2)), "month");
	/* overall: K1 1, K2 4, K4 2 (K3 don't know, K1's duplicate not counted) */
	counts(row(r, "overall", "all", ""), 3, 2);
	counts(row(r, "overall", "region", "9"), 2, 1);
	counts(row(r, "overall", "region", "3"), 1, 1);
	ck_assert_str_eq(json_string_value(json_object_get(row(r, "overall", "region", "9"), "label")), "Vienna");
	counts(row(r, "overall", "office", "Wien, Mitte"), 2, 1);
	counts(row(r, "overall", "month", "2026-01"), 1, 1);
	counts(row(r, "overall", "month", "2026-02"), 2, 1);
	NEAR(json_real_value(json_object_get(row(r, "overall", "all", ""), "share")), 2.0 / 3);
	/* grid items on the 6-point scale: 1,3,dk / 2,2,6 / 5,1,1 (K4 was not asked) */
	counts(row(r, "adviser.time", "all", ""), 3, 2);
	counts(row(r, "adviser.knowledge", "all", ""), 3, 2);
	counts(row(r, "adviser.offers", "all", ""), 2, 1);
	counts(row(r, "adviser.offers", "region", "3"), 1, 1);
	json_decref(r);
	/* by office only */
	r = report("office");
	segs = json_object_get(json_object_get(r, "results"), "segments");
	ck_assert_int_eq(json_array_size(segs), 2);
	counts(row(r, "overall", "office", "Linz \"Süd\""), 1, 1);
	json_decref(r);
}
END_TEST

START_TEST(test_dispositions_and_interviewers)
{
	json_t *r = report(NULL), *d = json_object_get(r, "dispositions"), *x, *rates = json_object_get(r, "rates");
	const char *want[][2] = { { "1.1", "4" }, { "2.112", "1" }, { "2.21", "1" }, { "3.11", "1" }, { "3.12", "1" } };
	size_t i;

	ck_assert_int_eq(json_array_size(d), 5);
	json_array_foreach(d, i, x) {
		ck_assert_str_eq(json_string_value(json_object_get(x, "code")), want[i][0]);
		ck_assert_int_eq(json_integer_value(json_object_get(x, "n")), atoi(want[i][1]));
	}
	/* I 4, R 1, NC 1, UH 2: RR1 = 4 / 8, e = 1 (nothing not eligible) */
	NEAR(json_real_value(json_object_get(rates, "RR1")), 0.5);
	NEAR(json_real_value(json_object_get(rates, "e")), 1.0);
	NEAR(json_real_value(json_object_get(rates, "COOP1")), 0.8);
	ck_assert(json_is_null(json_object_get(rates, "RR5")) == 0);
	/* anna: 2 completes in 10 + 6 minutes on two days; ben: 3 completes (one a duplicate) */
	x = json_array_get(json_object_get(r, "interviewers"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "name")), "anna");
	ck_assert_int_eq(json_integer_value(json_object_get(x, "completes")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(x, "attempts")), 2);
	NEAR(json_real_value(json_object_get(x, "hours")), 16.0 / 60);
	/* no workstation reported her sessions: estimated from her calls and interviews */
	ck_assert_str_eq(json_string_value(json_object_get(x, "hours_from")), "calls");
	/* 16 minutes worked are too few to tell completes per hour (not 7.5) */
	ck_assert(json_is_null(json_object_get(x, "per_hour")));
	NEAR(json_real_value(json_object_get(x, "avg_minutes")), 8.0);
	ck_assert(!json_is_true(json_object_get(x, "logged_in")));
	x = json_array_get(json_object_get(r, "interviewers"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(x, "name")), "ben");
	ck_assert_int_eq(json_integer_value(json_object_get(x, "completes")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(x, "attempts")), 7);
	/* 9:00 to 11:00 on 5 February and 5 minutes on the 6th: 3 completes in 125 minutes */
	NEAR(json_real_value(json_object_get(x, "hours")), 125.0 / 60);
	NEAR(json_real_value(json_object_get(x, "per_hour")), 3 / (125.0 / 60));
	/* contacts: 2 completes, the appointment, the refusal */
	ck_assert_int_eq(json_integer_value(json_object_get(x, "contacts")), 4);
	NEAR(json_real_value(json_object_get(x, "refusal_rate")), 0.25);
	/* cara has a case and nothing else */
	x = json_array_get(json_object_get(r, "interviewers"), 2);
	ck_assert_str_eq(json_string_value(json_object_get(x, "name")), "cara");
	ck_assert(json_is_null(json_object_get(x, "per_hour")));
	ck_assert(json_is_null(json_object_get(x, "refusal_rate")));
	/* the duplicate, with the complete kept */
	x = json_array_get(json_object_get(json_object_get(r, "problems"), "duplicates"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "case")), "K1");
	ck_assert_str_eq(json_string_value(json_object_get(x, "kept")), "11111111-0000-4000-8000-000000000001");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "totals"), "completes")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "totals"), "duplicates")), 1);
	json_decref(r);
}
END_TEST

START_TEST(test_access_and_seen)
{
	struct report_opts o = { "nosuch", 0, 0 };
	struct err e;
	json_t *r = NULL, *x;

	err_init(&e);
	ck_assert_int_eq(central_report(store, "other", CENTRAL_SUPERVISOR, "demo", NULL, &r, &e), REPORT_FORBIDDEN);
	ck_assert_int_eq(central_report(store, "anna", CENTRAL_INTERVIEWER, "demo", NULL, &r, &e), REPORT_FORBIDDEN);
	ck_assert_int_eq(central_report(store, "root", CENTRAL_ADMIN, "nosuch", NULL, &r, &e), REPORT_NO_STUDY);
	ck_assert_int_eq(central_report(store, "root", CENTRAL_ADMIN, "demo", &o, &r, &e), REPORT_BAD_BY);
	ck_assert_ptr_null(r);
	/* seen now: logged in; seen 20 minutes ago: not */
	ck_assert_int_eq(central_seen_due(store, "anna", 1000000, 30), 1);
	ck_assert_int_eq(central_seen(store, "anna", "pull", 1000000, &e), 0);
	ck_assert_int_eq(central_seen_due(store, "anna", 1000010, 30), 0);
	ck_assert_int_eq(central_seen_due(store, "anna", 1000030, 30), 1);
	o.by = NULL;
	o.now = 1000000 + 14 * 60;
	ck_assert_int_eq(central_report(store, "sup", CENTRAL_SUPERVISOR, "demo", &o, &r, &e), REPORT_OK);
	x = json_array_get(json_object_get(r, "interviewers"), 0);
	ck_assert(json_is_true(json_object_get(x, "logged_in")));
	json_decref(r);
	o.now = 1000000 + 16 * 60;
	ck_assert_int_eq(central_report(store, "sup", CENTRAL_SUPERVISOR, "demo", &o, &r, &e), REPORT_OK);
	x = json_array_get(json_object_get(r, "interviewers"), 0);
	ck_assert(!json_is_true(json_object_get(x, "logged_in")));
	json_decref(r);
}
END_TEST

/* Every line of the text fits the width; the bars and shares are right; CSV quotes as RFC 4180. */
START_TEST(test_format)
{
	static const int widths[] = { 72, 80, 132 };
	struct err e;
	json_t *r;
	struct buf out;
	const char *p;
	size_t i;

	/* ben is in K6's interview (every section has rows) */
	err_init(&e);
	ck_assert_int_eq(central_on_call(store, "ben", CENTRAL_INTERVIEWER, "ws-ben", "K6", "a_rather_long_question_id", 90, (int64_t)time(NULL), &e), 0);
	r = report(NULL);

	buf_init(&out);
	for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		buf_reset(&out);
		report_text(r, -1, widths[i], NULL, &out);
		for (p = buf_str(&out); *p;) {
			size_t n = strcspn(p, "\n"), cols = 0, k;
			for (k = 0; k < n; k++)
				cols += ((unsigned char)p[k] & 0xC0) != 0x80;
			ck_assert_msg(cols <= (size_t)widths[i], "%zu columns at width %d: %.*s", cols, widths[i], (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	buf_reset(&out);
	report_text(r, REPORT_RESULTS, 80, "overall", &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "66.7% (n=3, small base)"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "Vienna"));
	ck_assert_ptr_null(strstr(buf_str(&out), "adviser.time"));
	/* anna's 16 minutes give no hourly rate (estimated from her calls: no workstation reported
	   sessions); ben's 4 contacts are a small base, and he is in K6's interview */
	buf_reset(&out);
	report_text(r, REPORT_INTERVIEWERS, 80, NULL, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "interviewer  online  completes  worked  per hour  attempts per compl per contact\n"));
	ck_assert_msg(strstr(buf_str(&out), "\nanna         no              2    ~0.3         -         2       8.0"), "%s", buf_str(&out));
	ck_assert_msg(strstr(buf_str(&out), "\nben          K6    "), "%s", buf_str(&out));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "~ estimated: no sessions reported"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "      25.0%*\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "* small base: fewer than 30 calls answered"));
	buf_reset(&out);
	report_csv(r, REPORT_RESULTS, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "section,question,segment,value,label,n,top2,share,small_base\r\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "results,overall,office,\"Wien, Mitte\",\"Wien, Mitte\",2,1,0.5000,1\r\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "results,overall,office,\"Linz \"\"Süd\"\"\",\"Linz \"\"Süd\"\"\",1,1,1.0000,1\r\n"));
	buf_reset(&out);
	report_csv(r, -1, &out);
	for (i = 0; i < REPORT_SECTIONS; i++) {
		char head[64];
		snprintf(head, sizeof head, "\r\n%s,", report_section_name((enum report_section)i));
		ck_assert_msg(strstr(buf_str(&out), head) || i == REPORT_QUOTAS, "no %s rows", report_section_name((enum report_section)i));
	}
	ck_assert_int_eq(report_section_find("results"), REPORT_RESULTS);
	ck_assert_int_eq(report_section_find("nosuch"), -1);
	json_decref(r);
	/* a bar: a third of the target reached is a third of the bar (9 places at 80 columns) */
	r = json_pack("{s:[{s:s, s:s, s:s, s:i, s:i, s:i, s:b, s:i}]}", "quotas", "quota", "q", "cell", "1", "label", "one",
	              "target", 9, "achieved", 3, "open", 6, "closed", 0, "over", 0);
	buf_reset(&out);
	report_text(r, REPORT_QUOTAS, 80, NULL, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "  1    one                              9        3      6    0  [##.....]  33.3%\n"));
	json_decref(r);
	/* a label pushed with terminal escapes is printed, and measured, without them */
	r = json_pack("{s:[{s:s, s:s, s:s, s:i, s:i, s:i, s:b, s:i}]}", "quotas", "quota", "q", "cell", "1", "label",
	              "o\x1b[2Jn\x1b]0;title\x07" "e\xc2\x9b\x7f", "target", 9, "achieved", 3, "open", 6, "closed", 0, "over", 0);
	buf_reset(&out);
	report_text(r, REPORT_QUOTAS, 80, NULL, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "  1    one                              9        3      6    0  [##.....]  33.3%\n"));
	json_decref(r);
	buf_release(&out);
}
END_TEST

/* Where each of five quota cells lands: rows in s, in the order they are printed ("" if not). */
static void quota_order(const json_t *r, enum report_quota_filter f, char *order, size_t n)
{
	struct buf out;
	const char *p;

	buf_init(&out);
	report_quotas_text(r, 80, f, &out);
	order[0] = '\0';
	/* a row starts "  " and its cell's one-letter code */
	for (p = buf_str(&out); *p; p = strchr(p, '\n') + 1) {
		if (p[0] == ' ' && p[1] == ' ' && p[2] >= 'a' && p[2] <= 'z' && p[3] == ' ' && strlen(order) + 1 < n)
			strncat(order, p + 2, 1);
		if (!strchr(p, '\n'))
			break;
	}
	buf_release(&out);
}

/* The quota page sorts open cells closest to full first and full ones last, filters, wraps. */
START_TEST(test_quota_page)
{
	/* a 9 of 10 (nearly full), b 2 of 10, c none, d 10 of 10, e closed at 3, f 12 of 10 (2 over) */
	json_t *r = json_pack("{s:[{s:s, s:s, s:s, s:i, s:i, s:b, s:i}, {s:s, s:s, s:s, s:i, s:i, s:b, s:i},"
	                      " {s:s, s:s, s:s, s:i, s:i, s:b, s:i}, {s:s, s:s, s:s, s:i, s:i, s:b, s:i},"
	                      " {s:s, s:s, s:s, s:i, s:i, s:b, s:i}, {s:s, s:s, s:s, s:i, s:i, s:b, s:i}]}", "quotas",
	                      "quota", "q", "cell", "b", "label", "Lower Austria / people returning to work after a long break",
	                      "target", 10, "achieved", 2, "closed", 0, "over", 0,
	                      "quota", "q", "cell", "c", "label", "none yet", "target", 10, "achieved", 0, "closed", 0, "over", 0,
	                      "quota", "q", "cell", "d", "label", "full", "target", 10, "achieved", 10, "closed", 0, "over", 0,
	                      "quota", "q", "cell", "e", "label", "closed", "target", 10, "achieved", 3, "closed", 1, "over", 0,
	                      "quota", "q", "cell", "a", "label", "nearly", "target", 10, "achieved", 9, "closed", 0, "over", 0,
	                      "quota", "q", "cell", "f", "label", "over", "target", 10, "achieved", 12, "closed", 0, "over", 2);
	char order[16];
	struct buf out;
	const char *words[] = { "Lower", "Austria", "people", "returning", "work", "after", "long", "break" };
	size_t i;

	quota_order(r, REPORT_Q_ALL, order, sizeof order);
	ck_assert_str_eq(order, "abfde");   /* open by share, then full ones (most over first); c only by code */
	quota_order(r, REPORT_Q_OPEN, order, sizeof order);
	ck_assert_str_eq(order, "ab");
	quota_order(r, REPORT_Q_NEARLY, order, sizeof order);
	ck_assert_str_eq(order, "a");
	quota_order(r, REPORT_Q_FULL, order, sizeof order);
	ck_assert_str_eq(order, "fde");
	ck_assert_str_eq(report_quota_filter_name(REPORT_Q_NEARLY), "nearly full");
	buf_init(&out);
	report_quotas_text(r, 80, REPORT_Q_ALL, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "6 cells: 2 open with completes (1 nearly full, >= 90%), 1 not started,"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "or closed\nshowing: all;"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "  1 cell with no completes yet: c\n"));
	/* the long label is wrapped at words, none of them cut, no ellipsis */
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		ck_assert_msg(strstr(buf_str(&out), words[i]), "'%s' cut from the label:\n%s", words[i], buf_str(&out));
	ck_assert_ptr_null(strstr(buf_str(&out), "\xE2\x80\xA6"));
	buf_reset(&out);
	report_quotas_text(r, 80, REPORT_Q_NEARLY, &out);
	ck_assert_ptr_null(strstr(buf_str(&out), "no completes yet"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "showing: nearly full;"));
	buf_reset(&out);
	report_csv(r, REPORT_QUOTAS, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "quotas,q,a,nearly,10,9,,0,0,nearly full\r\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "quotas,q,c,none yet,10,0,,0,0,not started\r\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "quotas,q,e,closed,10,3,,1,0,full\r\n"));
	buf_release(&out);
	json_decref(r);
}
END_TEST

/* Small bases are marked, fills read as [name], every rate has a legend line. */
START_TEST(test_marks_and_legend)
{
	static const char *const rates[] = { "RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4",
	                                     "REF1", "REF2", "REF3", "CON1", "CON2", "CON3", "e", "UR", NULL };
	json_t *r = json_pack("{s:{s:[{s:s, s:s}], s:[{s:s, s:s, s:s, s:i, s:i}, {s:s, s:s, s:s, s:i, s:i}]}}", "results",
	                      "questions", "id", "q1", "text", "How satisfied are you with the {office} office?", "rows",
	                      "question", "q1", "segment", "all", "label", "all respondents", "n", 30, "top2", 15,
	                      "question", "q1", "segment", "office", "label", "Graz", "n", 1, "top2", 1);
	struct buf out;
	const char *p;
	int k;

	buf_init(&out);
	report_text(r, REPORT_RESULTS, 80, NULL, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "q1  How satisfied are you with the [office] office?\n"));
	ck_assert_ptr_null(strchr(buf_str(&out), '{'));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), " 50.0% n=30\n"));
	/* the 100 % of one answer never stands without its mark */
	p = strstr(buf_str(&out), "100.0%");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(strncmp(p, "100.0% (n=1, small base)\n", 25), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "small base: fewer than 30 answers"));
	buf_reset(&out);
	report_csv(r, REPORT_RESULTS, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "results,q1,office,,Graz,1,1,,1\r\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "results,q1,all,,all respondents,30,15,,0\r\n"));
	buf_reset(&out);
	report_legend(80, &out);
	for (k = 0; rates[k]; k++) {
		char line[16];
		snprintf(line, sizeof line, "\n  %-6s", rates[k]);
		ck_assert_msg(strstr(buf_str(&out), line), "no legend line for %s", rates[k]);
	}
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "  UR    unknown if respondent"));
	for (p = buf_str(&out); *p; p += strcspn(p, "\n") + 1)
		ck_assert_int_le((int)strcspn(p, "\n"), 80);
	buf_reset(&out);
	report_csv(r, REPORT_DISPOSITIONS, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "\r\nlegend,RR1,"));
	buf_release(&out);
	json_decref(r);
}
END_TEST

/* A record sent again with other content is listed on the problems page and in the CSV. */
START_TEST(test_conflicts)
{
	json_t *recs = json_array(), *result = json_array(), *r, *x;
	struct buf out;
	struct err e;

	err_init(&e);
	/* K3's complete again, with another end */
	json_array_append_new(recs, interview("K3", "33333333-0000-4000-8000-000000000003", "ben", "2026-02-05", 540, 559,
	                                      "complete", json_pack("[[s,i,i,s]]", "overall", 0, 1, "3")));
	ck_assert_int_eq(central_push(store, "admin", CENTRAL_ADMIN, NULL, recs, result, &e), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(result, 0), "status")), 409);
	json_decref(recs);
	json_decref(result);
	r = report(NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "problems"), "conflicts_total")), 1);
	x = json_array_get(json_object_get(json_object_get(r, "problems"), "conflicts"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "uuid")), "33333333-0000-4000-8000-000000000003");
	ck_assert_str_eq(json_string_value(json_object_get(x, "case")), "K3");
	ck_assert_str_eq(json_string_value(json_object_get(x, "kind")), "interview");
	ck_assert_str_eq(json_string_value(json_object_get(x, "interviewer")), "ben");
	ck_assert_str_eq(json_string_value(json_object_get(x, "sent_by")), "admin");
	/* the figures count the version stored first */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "totals"), "completes")), 4);
	buf_init(&out);
	report_text(r, REPORT_PROBLEMS, 80, NULL, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "Conflicts: 1 (a record sent again with other content)\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "  33333333  K3           ben          "));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "What to do:"));
	buf_reset(&out);
	report_csv(r, REPORT_PROBLEMS, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "\r\nproblems,conflict,,K3,ben,"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), ",33333333-0000-4000-8000-000000000003,interview,admin,"));
	buf_release(&out);
	json_decref(r);
}
END_TEST

/* Control characters and escape sequences go, text and (when asked) newlines stay. */
/*
 * The rates in text: every rate reads "NAME value" with a space between, 100.0% included (it
 * once printed "COOP1100.0%"), at 80 columns and at the narrowest width (72); the edition and e per
 * class are said.
 */
START_TEST(test_rates_layout)
{
	static const int widths[] = { 72, 80 };
	static const char *const names[] = { "RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4",
	                                     "REF1", "REF2", "REF3", "CON1", "CON2", "CON3", NULL };
	json_t *r = json_pack("{s:[], s:{s:i, s:f, s:b, s:f, s:b, s:f, s:b, s:f, s:b, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}}}",
	                      "dispositions", "rates", "edition", 10, "e", 0.5, "e_estimated", 0, "e_UH", 0.25,
	                      "e_UH_estimated", 1, "e_UR", 0.8, "e_UR_estimated", 0, "e_UO", 1.0, "e_UO_estimated", 1,
	                      "groups", "I", 10, "P", 0, "R", 0, "NC", 0, "O", 0, "UH", 0, "UR", 0, "UO", 0, "NE", 0);
	json_t *rates = json_object_get(r, "rates");
	struct buf out;
	const char *p;
	char want[32];
	size_t i, k;

	for (k = 0; names[k]; k++)
		json_object_set_new(rates, names[k], k == 10 ? json_null() : json_real(k < 10 ? 1.0 : 0.0));
	buf_init(&out);
	for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		buf_reset(&out);
		report_text(r, REPORT_DISPOSITIONS, widths[i], NULL, &out);
		for (p = buf_str(&out); *p;) {
			size_t n = strcspn(p, "\n");
			ck_assert_msg(n <= (size_t)widths[i], "%zu columns at width %d: %.*s", n, widths[i], (int)n, p);
			p += n + (p[n] == '\n');
		}
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "AAPOR Standard Definitions, 10th edition (2023)"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "UH 0.250 (estimated)"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "UR 0.800 (given)"));
		/* at 72 columns e goes to a line of its own */
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "groups: I 10 P 0 R 0 NC 0 O 0 UH 0 UR 0 UO 0 NE 0"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), widths[i] == 80 ? "NE 0; e 0.500 (partly given)\n" : "\ne 0.500 (partly given)\n"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "e by class: UH 0.250 (estimated)  UR 0.800 (given)  UO 1.000 (estimated)"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "RR1 100.0%   RR2 100.0%"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "COOP1 100.0%"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "REF1    n/a"));
		ck_assert_ptr_nonnull(strstr(buf_str(&out), "CON3   0.0%"));
		for (k = 0; names[k]; k++) {
			snprintf(want, sizeof want, "%s ", names[k]);
			ck_assert_msg(strstr(buf_str(&out), want), "no '%s' at width %d:\n%s", want, widths[i], buf_str(&out));
		}
	}
	/* a report of the 9th edition: one e */
	json_object_set_new(rates, "edition", json_integer(9));
	buf_reset(&out);
	report_text(r, REPORT_DISPOSITIONS, 80, NULL, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "9th edition (2016)"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "; e 0.500 (given)"));
	ck_assert_ptr_null(strstr(buf_str(&out), "e by class"));
	buf_reset(&out);
	report_csv(r, REPORT_DISPOSITIONS, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "rates,edition,9\r\nrates,e,0.5000\r\nrates,e_estimated,0\r\nrates,e_UH,0.2500\r\n"));
	buf_release(&out);
	json_decref(r);
}
END_TEST

/* The totals line: a count of one takes the singular ("1 duplicate"), others the plural. */
START_TEST(test_totals_nouns)
{
	json_t *t = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "cases", 2, "attempts", 1, "completes", 0, "screenouts", 1,
	                      "duplicates", 1, "over_quota", 3);
	struct buf b;

	buf_init(&b);
	report_totals(t, &b);
	ck_assert_str_eq(buf_str(&b), "2 cases, 1 call, 0 completes, 1 screen-out, 1 duplicate, 3 over quota");
	buf_release(&b);
	json_decref(t);
}
END_TEST

START_TEST(test_text_clean)
{
	static const struct {
		const char *in, *out;
		int keep_newlines;
	} t[] = {
		{ "plain text", "plain text", 0 },
		{ "a\x1b[2Jb", "ab", 0 },
		{ "a\x1b[38;5;1mb\x1b[0m", "ab", 0 },
		{ "a\x1b]0;pwned\x07" "b", "ab", 0 },
		{ "a\x1b]0;pwned\x1b\\b", "ab", 0 },
		{ "a\x1b" "cb", "ab", 0 },
		{ "a\tb\rc\x7f\x01", "abc", 0 },
		{ "a\nb", "ab", 0 },
		{ "a\nb", "a\nb", 1 },
		{ "\xc2\x9b" "2Jx\xc2\x85", "2Jx", 0 },
		{ "W\xc3\xa4hrung \xe2\x80\xa6", "W\xc3\xa4hrung \xe2\x80\xa6", 0 },
		{ "cut\x1b[", "cut", 0 },
		{ "cut\x1b", "cut", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *s = xstrdup(t[i].in);
		size_t n = text_clean(s, t[i].keep_newlines);
		ck_assert_msg(!strcmp(s, t[i].out), "case %zu: got '%s'", i, s);
		ck_assert_uint_eq(n, strlen(t[i].out));
		free(s);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_results);
	tcase_add_test(tc, test_dispositions_and_interviewers);
	tcase_add_test(tc, test_access_and_seen);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_text_clean);
	tcase_add_test(tc, test_quota_page);
	tcase_add_test(tc, test_marks_and_legend);
	tcase_add_test(tc, test_conflicts);
	tcase_add_test(tc, test_rates_layout);
	tcase_add_test(tc, test_totals_nouns);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
