/* check_central.c: unit tests of the central store's outcomes (enum central_rc): logins, locks,
 * workstations, quotas, a busy database told by its class, never by its message, who is on
 * a call now as the workstations' pulls report it, working time in spans from those pulls, and
 * a change of assignments stored with its audit line or not at all. */
#include <check.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cati/central.h"
#include "cati/db.h"
#include "cati/form.h"
#include "cati/report.h"

static char dir[256], path[300];
static struct central *store;

/* A fresh store in a folder of its own, with an interviewer, a supervisor and an admin. */
static void setup(void)
{
	struct err e;

	snprintf(dir, sizeof dir, "/tmp/cati-central-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/central.db", dir);
	err_init(&e);
	store = central_open(path, &e);
	ck_assert_msg(store != NULL, "%s", e.msg);
	ck_assert_int_eq(central_user_add(store, "iv", "interviewer", "secret", &e), 0);
	ck_assert_int_eq(central_user_add(store, "iv2", "interviewer", "secret", &e), 0);
	ck_assert_int_eq(central_user_add(store, "adm", "admin", "secret", &e), 0);
}

/* Close the store and remove its folder. */
static void teardown(void)
{
	char cmd[300];

	central_close(store);
	store = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Log in as name with password from one address: the outcome, e filled. */
static enum central_rc login(const char *name, const char *password, struct err *e)
{
	enum central_role role;
	char token[65];

	err_init(e);
	return central_login(store, name, password, "192.0.2.1", 3600, token, &role, e);
}

START_TEST(login_outcomes)
{
	char longname[CENTRAL_MAX_USER + 2];
	struct err e;
	int i;

	ck_assert_int_eq(login("iv", "secret", &e), CENTRAL_OK);
	ck_assert_int_eq(login("iv", "wrong", &e), CENTRAL_DENIED);
	ck_assert_int_eq(e.kind, ERR_KIND_INPUT);
	ck_assert_int_eq(login("nobody", "secret", &e), CENTRAL_DENIED);
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	ck_assert_int_eq(login(longname, "secret", &e), CENTRAL_INPUT);
	ck_assert_int_eq(login("iv\001", "secret", &e), CENTRAL_INPUT);
	/* four more wrong ones make five in the minute: the sixth is not even checked */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(login("iv", "wrong", &e), CENTRAL_DENIED);
	ck_assert_int_eq(login("iv", "secret", &e), CENTRAL_LIMITED);
	ck_assert_int_eq(e.kind, ERR_KIND_INPUT);
	/* another user from the same address is not held back */
	ck_assert_int_eq(login("iv2", "secret", &e), CENTRAL_OK);
	ck_assert_int_eq(central_user_disable(store, "iv2", &e), 0);
	ck_assert_int_eq(login("iv2", "secret", &e), CENTRAL_DENIED);
}
END_TEST

/* Lock case key as user from holder: the outcome. */
static enum central_rc lock(const char *user, enum central_role role, const char *holder, const char *key,
                            char who[80], struct err *e)
{
	int64_t until = 0;

	err_init(e);
	return central_lock(store, user, role, holder, key, 60, who, 80, &until, e);
}

START_TEST(lock_and_workstation_outcomes)
{
	json_t *cases = json_pack("[{s:s,s:s,s:s}]", "id", "c1", "phone", "555", "interviewer", "iv");
	char who[80];
	struct err e;

	err_init(&e);
	ck_assert_int_eq(central_cases_put(store, "demo", cases, CENTRAL_DNC_NONE, &e), 0);
	json_decref(cases);
	/* an interviewer locks only from a registered workstation of theirs */
	ck_assert_int_eq(lock("iv", CENTRAL_INTERVIEWER, "ws-a", "c1", who, &e), CENTRAL_UNREGISTERED);
	ck_assert_ptr_nonnull(strstr(e.msg, "not registered"));
	ck_assert_int_eq(central_ws_register(store, "iv", "ws-a", "a", &e), CENTRAL_OK);
	ck_assert_int_eq(central_ws_register(store, "iv2", "ws-a", "a", &e), CENTRAL_FORBIDDEN);
	ck_assert_int_eq(lock("iv", CENTRAL_INTERVIEWER, "ws-a", "c1", who, &e), CENTRAL_OK);
	ck_assert_int_eq(lock("iv2", CENTRAL_INTERVIEWER, "ws-a", "c1", who, &e), CENTRAL_FORBIDDEN);
	ck_assert_int_eq(lock("adm", CENTRAL_ADMIN, "ws-b", "c1", who, &e), CENTRAL_HELD);
	ck_assert_str_eq(who, "iv");
	ck_assert_int_eq(central_ws_retire(store, "ws-x", &e), CENTRAL_NOT_FOUND);
	ck_assert_int_eq(central_ws_retire(store, "ws-a", &e), CENTRAL_OK);
	/* the retired workstation's lock is gone */
	ck_assert_int_eq(lock("adm", CENTRAL_ADMIN, "ws-b", "c1", who, &e), CENTRAL_OK);
	err_init(&e);
	ck_assert_int_eq(central_quota_set(store, "demo", "nosuch", NULL, 5, -1, -1, &e), CENTRAL_NOT_FOUND);
}
END_TEST

START_TEST(busy_database_is_busy)
{
	sqlite3 *other;
	struct db *d;
	char who[80];
	struct err e;

	/* another connection holds the database alone */
	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);

	/* the driver tells the class from SQLite's result code */
	err_init(&e);
	d = db_open(path, &e);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_ne(db_begin(d, DB_WRITE), DB_OK);
	ck_assert_int_eq(db_errkind(d), ERR_KIND_BUSY);
	db_close(d);

	/* and the store passes it on as CENTRAL_BUSY, with e->kind to match */
	ck_assert_int_eq(login("iv", "secret", &e), CENTRAL_BUSY);
	ck_assert_int_eq(e.kind, ERR_KIND_BUSY);
	ck_assert_int_eq(lock("adm", CENTRAL_ADMIN, "ws-b", "c1", who, &e), CENTRAL_BUSY);
	ck_assert_int_eq(e.kind, ERR_KIND_BUSY);

	/* let go: the same calls work again */
	ck_assert_int_eq(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	ck_assert_int_eq(login("iv", "secret", &e), CENTRAL_OK);
}
END_TEST

START_TEST(other_failure_is_storage)
{
	struct db *d;
	struct dbs *s;
	struct err e;

	err_init(&e);
	d = db_open(path, &e);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_ne(db_prepare(d, "SELECT * FROM no_such_table", &s), DB_OK);
	ck_assert_int_eq(db_errkind(d), ERR_KIND_STORAGE);
	db_close(d);
}
END_TEST

/* The report of the demo study at now (as the admin), for its "on_call" section. */
static json_t *report_at(int64_t now)
{
	struct report_opts o = { NULL, 0, now, 0 };
	struct err e;
	json_t *r = NULL;

	err_init(&e);
	ck_assert_msg(central_report(store, "adm", CENTRAL_ADMIN, "demo", &o, &r, &e) == REPORT_OK, "%s", e.msg);
	return r;
}

START_TEST(on_call_kept_listed_and_dropped)
{
	struct form_diags d;
	struct form *f;
	struct err e;
	struct buf text;
	char *src, hash[65];
	size_t len;
	json_t *cases, *r, *x;

	err_init(&e);
	form_diags_init(&d);
	src = read_file("forms/demo.form", &len, &e);
	ck_assert_ptr_nonnull(src);
	f = form_compile("demo.form", src, len, &d);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(central_form_put(store, f->id, f->version, src, hash, &e), 0);
	form_free(f);
	free(src);
	form_diags_release(&d);
	cases = json_pack("[{s:s, s:s, s:{}, s:s}, {s:s, s:s, s:{}, s:s}]", "id", "J011", "phone", "1", "fields",
	                  "interviewer", "iv", "id", "J012", "phone", "2", "fields", "interviewer", "iv2");
	ck_assert_int_eq(central_cases_put(store, "demo", cases, CENTRAL_DNC_NONE, &e), 0);
	json_decref(cases);

	/* nothing kept: a call is news, no call is not */
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws1", "J011", "q2", 1000, 30), 1);
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws1", "", NULL, 1000, 30), 0);
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws1", NULL, NULL, 1000, 30), 0);
	/* ben's workstation: J011 at q2, started 125 s ago by its clock */
	ck_assert_msg(central_on_call(store, "iv", CENTRAL_INTERVIEWER, "ws1", "J011", "q2", 125, 1000, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws1", "J011", "q2", 1010, 30), 0);
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws1", "J011", "q2", 1030, 30), 1);   /* once a gap */
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws1", "J011", "q3", 1010, 30), 1);   /* next question */
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws1", "", NULL, 1010, 30), 1);       /* the call ended */
	ck_assert_int_eq(central_on_call_due(store, "iv", "ws2", "J011", "q2", 1010, 30), 1);   /* per workstation */
	/* a case the store does not have, or another interviewer's, is kept as no call */
	ck_assert_int_eq(central_on_call(store, "iv2", CENTRAL_INTERVIEWER, "ws9", "NOPE", "q1", 0, 1000, &e), 0);
	ck_assert_int_eq(central_on_call(store, "iv2", CENTRAL_INTERVIEWER, "ws9", "J011", "q1", 0, 1000, &e), 0);
	ck_assert_int_eq(central_on_call_due(store, "iv2", "ws9", "", NULL, 1000, 30), 0);   /* nothing kept */
	/* iv2's own case: kept; then iv2 says J011 (not theirs): the call is forgotten */
	ck_assert_int_eq(central_on_call(store, "iv2", CENTRAL_INTERVIEWER, "ws9", "J012", "q1", 0, 1000, &e), 0);
	ck_assert_int_eq(central_on_call_due(store, "iv2", "ws9", "", NULL, 1000, 30), 1);
	ck_assert_int_eq(central_on_call(store, "iv2", CENTRAL_INTERVIEWER, "ws9", "J011", "q1", 0, 1000, &e), 0);
	ck_assert_int_eq(central_on_call_due(store, "iv2", "ws9", "", NULL, 1000, 30), 0);

	r = report_at(1060);
	ck_assert_int_eq(json_array_size(json_object_get(r, "on_call")), 1);
	x = json_array_get(json_object_get(r, "on_call"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "user")), "iv");
	ck_assert_str_eq(json_string_value(json_object_get(x, "case")), "J011");
	ck_assert_str_eq(json_string_value(json_object_get(x, "question")), "q2");
	ck_assert_str_eq(json_string_value(json_object_get(x, "started_at")), "1970-01-01T00:14:35Z");   /* 1000 - 125 */
	ck_assert_int_eq(json_integer_value(json_object_get(x, "minutes")), 3);                          /* 185 s */
	ck_assert_str_eq(json_string_value(json_object_get(x, "last_seen")), "1970-01-01T00:16:40Z");
	buf_init(&text);
	report_text(r, REPORT_ON_CALL, 80, NULL, &text);
	ck_assert_msg(strstr(buf_str(&text), "\niv             J011           q2                   3    00:14  00:16:40\n"),
	              "%s", buf_str(&text));
	buf_reset(&text);
	report_csv(r, REPORT_ON_CALL, &text);
	ck_assert_str_eq(buf_str(&text), "section,user,case,question,started_at,minutes,last_seen\r\n"
	                                 "on_call,iv,J011,q2,1970-01-01T00:14:35Z,3,1970-01-01T00:16:40Z\r\n");
	json_decref(r);

	/* not heard of for the seen minutes (15): still listed at the edge, dropped after it */
	r = report_at(1000 + 15 * 60);
	ck_assert_int_eq(json_array_size(json_object_get(r, "on_call")), 1);
	json_decref(r);
	r = report_at(1000 + 15 * 60 + 1);
	ck_assert_int_eq(json_array_size(json_object_get(r, "on_call")), 0);
	buf_reset(&text);
	report_text(r, REPORT_ON_CALL, 80, NULL, &text);
	ck_assert_msg(strstr(buf_str(&text), "(nobody is in an interview of this study now)"), "%s", buf_str(&text));
	json_decref(r);

	/* the next question moves it on; the interview's end takes it off */
	ck_assert_int_eq(central_on_call(store, "iv", CENTRAL_INTERVIEWER, "ws1", "J011", "q3", 200, 1075, &e), 0);
	r = report_at(1080);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r, "on_call"), 0), "question")), "q3");
	json_decref(r);
	ck_assert_int_eq(central_on_call(store, "iv", CENTRAL_INTERVIEWER, "ws1", "", NULL, 0, 1090, &e), 0);
	r = report_at(1095);
	ck_assert_int_eq(json_array_size(json_object_get(r, "on_call")), 0);
	json_decref(r);
	buf_release(&text);
}
END_TEST

/* The spans of work kept for user, as "study start-end;" each, by start (read with sqlite3). */
static void spans_of(const char *user, char *out, size_t n)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	size_t len = 0;

	out[0] = '\0';
	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT study, start_at, end_at FROM work_spans WHERE interviewer = ?"
	                                       " ORDER BY start_at, id", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && len < n)
		len += (size_t)snprintf(out + len, n - len, "%s %lld-%lld;", (const char *)sqlite3_column_text(st, 0),
		                        (long long)sqlite3_column_int64(st, 1), (long long)sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* Per study and interviewer, the kept sum and the sum of the spans: "study user kept spans;" each. */
static void totals(char *out, size_t n)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	size_t len = 0;

	out[0] = '\0';
	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT t.study, t.interviewer, t.seconds, (SELECT sum(end_at - start_at)"
	                                       " FROM work_spans s WHERE s.study = t.study AND s.interviewer = t.interviewer)"
	                                       " FROM work_totals t ORDER BY 1, 2", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && len < n)
		len += (size_t)snprintf(out + len, n - len, "%s %s %lld %lld;", (const char *)sqlite3_column_text(st, 0),
		                        (const char *)sqlite3_column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
		                        (long long)sqlite3_column_int64(st, 3));
	sqlite3_finalize(st);
	sqlite3_close(h);
}

/* Note user at ws working at now (in the interview of key or none), failing the test on errors. */
static void work(const char *user, const char *ws, const char *key, int64_t now)
{
	struct err e;

	err_init(&e);
	ck_assert_msg(central_work(store, user, CENTRAL_INTERVIEWER, ws, key, now, &e) == 0, "%s", e.msg);
}

START_TEST(working_time_spans)
{
	struct form_diags d;
	struct form *f;
	struct err e;
	struct buf text;
	char *src, hash[65], got[1024];
	size_t len;
	int64_t t, m = 2 * 86400;   /* a UTC midnight */
	json_t *cases, *r, *x;

	err_init(&e);
	form_diags_init(&d);
	src = read_file("forms/demo.form", &len, &e);
	ck_assert_ptr_nonnull(src);
	f = form_compile("demo.form", src, len, &d);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(central_form_put(store, f->id, f->version, src, hash, &e), 0);
	form_free(f);
	free(src);
	form_diags_release(&d);
	/* iv works on demo only; iv2 on demo and on another study; iv4 has a case and nothing else */
	cases = json_pack("[{s:s, s:s, s:{}, s:s}, {s:s, s:s, s:{}, s:s}, {s:s, s:s, s:{}, s:s}]", "id", "J011", "phone",
	                  "1", "fields", "interviewer", "iv", "id", "J012", "phone", "2", "fields", "interviewer", "iv2",
	                  "id", "J014", "phone", "4", "fields", "interviewer", "iv4");
	ck_assert_int_eq(central_cases_put(store, "demo", cases, CENTRAL_DNC_NONE, &e), 0);
	json_decref(cases);
	cases = json_pack("[{s:s, s:s, s:{}, s:s}]", "id", "J013", "phone", "3", "fields", "interviewer", "iv2");
	ck_assert_int_eq(central_cases_put(store, "other", cases, CENTRAL_DNC_NONE, &e), 0);
	json_decref(cases);

	/* written at most every 30 s per interviewer and workstation */
	ck_assert_int_eq(central_work_due(store, "iv", "ws1", 1000, 30), 1);
	work("iv", "ws1", "", 1000);
	ck_assert_int_eq(central_work_due(store, "iv", "ws1", 1010, 30), 0);
	ck_assert_int_eq(central_work_due(store, "iv", "ws1", 1029, 30), 0);
	ck_assert_int_eq(central_work_due(store, "iv", "ws1", 1030, 30), 1);
	ck_assert_int_eq(central_work_due(store, "iv", "ws2", 1010, 30), 1);   /* per workstation */
	ck_assert_int_eq(central_work_due(store, "iv2", "ws1", 1010, 30), 1);  /* per interviewer */
	work("iv", "ws1", "", 1030);
	work("iv", "ws1", "J011", 1060);
	work("iv", "ws1", "J011", 1090);
	work("iv", "ws1", "", 1000);   /* heard of late: what is kept is newer */
	spans_of("iv", got, sizeof got);
	ck_assert_str_eq(got, "demo 1000-1090;");
	/* 121 s unheard of: a new span; 120 s exactly: the same one */
	work("iv", "ws1", "", 1211);
	work("iv", "ws1", "", 1271);
	work("iv", "ws1", "", 1391);
	spans_of("iv", got, sizeof got);
	ck_assert_str_eq(got, "demo 1000-1090;demo 1211-1391;");
	/* across UTC midnight: split there, each span within one day */
	work("iv", "ws1", "", m - 20);
	work("iv", "ws1", "", m + 10);
	work("iv", "ws1", "", m + 40);
	spans_of("iv", got, sizeof got);
	ck_assert_str_eq(got, "demo 1000-1090;demo 1211-1391;demo 172780-172800;demo 172800-172840;");

	/* iv2 has cases in two studies: unknown until the first interview, whose study takes the span
	   so far; an interview of the other study starts a span of its own where the last ended */
	work("iv2", "ws9", "", 5000);
	spans_of("iv2", got, sizeof got);
	ck_assert_str_eq(got, " 5000-5000;");
	work("iv2", "ws9", "J012", 5030);
	work("iv2", "ws9", "J013", 5060);
	work("iv2", "ws9", "", 5090);
	work("iv2", "ws9", "J011", 5120);   /* not iv2's case: counts as no call */
	spans_of("iv2", got, sizeof got);
	ck_assert_str_eq(got, "demo 5000-5030;other 5030-5120;");
	/* half an hour on demo at another workstation, a write every 30 s */
	for (t = 10000; t <= 10000 + 1800; t += 30)
		work("iv2", "ws2", "J012", t);
	/* the sums kept for the report are the spans' sums */
	totals(got, sizeof got);
	ck_assert_str_eq(got, "demo iv 330 330;demo iv2 1830 1830;other iv2 90 90;");

	r = report_at(m + 60);
	ck_assert_int_eq(json_array_size(json_object_get(r, "interviewers")), 3);
	/* iv: 90 + 180 + 20 + 40 s */
	x = json_array_get(json_object_get(r, "interviewers"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(x, "name")), "iv");
	ck_assert_str_eq(json_string_value(json_object_get(x, "hours_from")), "sessions");
	ck_assert_double_eq_tol(json_real_value(json_object_get(x, "hours")), 330.0 / 3600, 1e-9);
	ck_assert(json_is_null(json_object_get(x, "per_hour")));   /* under 30 minutes */
	/* iv2 on demo: 30 + 1800 s, the other study's 90 s not */
	x = json_array_get(json_object_get(r, "interviewers"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(x, "name")), "iv2");
	ck_assert_str_eq(json_string_value(json_object_get(x, "hours_from")), "sessions");
	ck_assert_double_eq_tol(json_real_value(json_object_get(x, "hours")), 1830.0 / 3600, 1e-9);
	ck_assert_double_eq_tol(json_real_value(json_object_get(x, "per_hour")), 0.0, 1e-9);
	/* iv4: no sessions, no calls */
	x = json_array_get(json_object_get(r, "interviewers"), 2);
	ck_assert_str_eq(json_string_value(json_object_get(x, "name")), "iv4");
	ck_assert(json_is_null(json_object_get(x, "hours_from")));
	ck_assert(json_is_null(json_object_get(x, "hours")));
	buf_init(&text);
	report_text(r, REPORT_INTERVIEWERS, 80, NULL, &text);
	ck_assert_msg(strstr(buf_str(&text), "\niv2          no              0     0.5      0.00"), "%s", buf_str(&text));
	ck_assert_msg(!strstr(buf_str(&text), "~"), "%s", buf_str(&text));   /* nothing estimated */
	buf_reset(&text);
	report_csv(r, REPORT_INTERVIEWERS, &text);
	ck_assert_msg(strstr(buf_str(&text), ",small_base,hours_from\r\n"), "%s", buf_str(&text));
	ck_assert_msg(strstr(buf_str(&text), ",sessions\r\n"), "%s", buf_str(&text));
	buf_release(&text);
	json_decref(r);
}
END_TEST

/* Run sql on the store's file through a connection of its own (as an operator's sqlite3 would). */
static void sql_beside(const char *sql)
{
	sqlite3 *h;

	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* The interviewer case key is given to ("-" nobody), and the audit trail's number of lines. */
static void assignment(const char *key, char *who, size_t n, size_t *lines)
{
	json_t *cases, *x, *audit;
	struct err e;
	size_t i;

	err_init(&e);
	ck_assert_msg(central_cases_list(store, "demo", NULL, NULL, &cases, &e) == 0, "%s", e.msg);
	snprintf(who, n, "?");
	json_array_foreach(cases, i, x)
		if (!strcmp(json_string_value(json_object_get(x, "case")), key))
			snprintf(who, n, "%s", *json_string_value(json_object_get(x, "interviewer")) ?
			                       json_string_value(json_object_get(x, "interviewer")) : "-");
	json_decref(cases);
	ck_assert_msg(central_audit_list(store, 0, NULL, &audit, &e) == 0, "%s", e.msg);
	*lines = json_array_size(audit);
	json_decref(audit);
}

START_TEST(audit_line_with_its_change)
{
	json_t *cases = json_pack("[{s:s,s:s,s:s}]", "id", "c1", "phone", "555", "interviewer", "iv");
	json_t *keys = json_pack("[s]", "c1"), *unknown = NULL;
	char who[80];
	size_t lines;
	struct err e;

	/* the import and its line */
	err_init(&e);
	central_audit_next(store, "adm", "import", "study demo: 1 cases");
	ck_assert_msg(central_cases_put(store, "demo", cases, CENTRAL_DNC_NONE, &e) == 0, "%s", e.msg);
	assignment("c1", who, sizeof who, &lines);
	ck_assert_str_eq(who, "iv");
	ck_assert_uint_eq(lines, 1);
	/* the trail takes no line: the assignment is refused and not made */
	sql_beside("CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'audit full'); END");
	central_audit_next(store, "adm", "assign", "study demo: 1 case (c1) to iv2");
	ck_assert_int_eq(central_cases_assign(store, "demo", keys, "iv2", &unknown, &e), CENTRAL_STORAGE);
	json_decref(unknown);
	ck_assert_int_eq(e.kind, ERR_KIND_AUDIT);
	ck_assert_ptr_nonnull(strstr(e.msg, "audit full"));
	assignment("c1", who, sizeof who, &lines);
	ck_assert_str_eq(who, "iv");
	ck_assert_uint_eq(lines, 1);
	/* the refused line is not left for the next change, nor is a dropped one */
	sql_beside("DROP TRIGGER no_audit");
	central_audit_next(store, "adm", "take-back", "dropped");
	central_audit_next(store, NULL, NULL, NULL);
	err_init(&e);
	ck_assert_int_eq(central_cases_assign(store, "demo", keys, "iv2", &unknown, &e), CENTRAL_OK);
	json_decref(unknown);
	assignment("c1", who, sizeof who, &lines);
	ck_assert_str_eq(who, "iv2");
	ck_assert_uint_eq(lines, 1);
	json_decref(cases);
	json_decref(keys);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("central");
	TCase *tc = tcase_create("outcomes");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);   /* a busy database is waited for (5 s) before it is called busy */
	tcase_add_test(tc, login_outcomes);
	tcase_add_test(tc, lock_and_workstation_outcomes);
	tcase_add_test(tc, busy_database_is_busy);
	tcase_add_test(tc, other_failure_is_storage);
	tcase_add_test(tc, on_call_kept_listed_and_dropped);
	tcase_add_test(tc, working_time_spans);
	tcase_add_test(tc, audit_line_with_its_change);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
