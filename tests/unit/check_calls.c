/* check_calls.c: AAPOR rates against tables computed by hand, study rules, and the scheduler
 * driven through a simulated day over 300 cases in three time zones, checked call by call
 * against an independent model of the rules. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cati/calls.h"
#include "cati/store.h"

#define NEAR(a, b) ck_assert_msg(fabs((a) - (b)) < 1e-4, "%s = %.6f, expected %.6f", #a, (double)(a), (double)(b))

static void groups(double *n, double I, double P, double R, double NC, double O, double UH, double UO, double NE)
{
	n[AAPOR_I] = I, n[AAPOR_P] = P, n[AAPOR_R] = R, n[AAPOR_NC] = NC;
	n[AAPOR_O] = O, n[AAPOR_UH] = UH, n[AAPOR_UR] = 0, n[AAPOR_UO] = UO, n[AAPOR_NE] = NE;
}

/* I 40, P 10, R 20, NC 15, O 5, UH 8, UO 2, NE 10, worked out on paper from AAPOR's formulas. */
START_TEST(test_rates_by_hand)
{
	double n[AAPOR_GROUPS];
	struct aapor_rates r;

	groups(n, 40, 10, 20, 15, 5, 8, 2, 10);
	calls_rates(n, -1, &r);
	ck_assert(r.e_estimated);
	NEAR(r.e, 0.9);                    /* 90 / 100 */
	NEAR(r.rr[0], 40.0 / 100);
	NEAR(r.rr[1], 50.0 / 100);
	NEAR(r.rr[2], 40.0 / 99);          /* 90 + 0.9 * 10 */
	NEAR(r.rr[3], 50.0 / 99);
	NEAR(r.rr[4], 40.0 / 90);
	NEAR(r.rr[5], 50.0 / 90);
	NEAR(r.coop[0], 40.0 / 75);
	NEAR(r.coop[1], 50.0 / 75);
	NEAR(r.coop[2], 40.0 / 70);
	NEAR(r.coop[3], 50.0 / 70);
	NEAR(r.ref[0], 20.0 / 100);
	NEAR(r.ref[1], 20.0 / 99);
	NEAR(r.ref[2], 20.0 / 90);
	NEAR(r.con[0], 75.0 / 100);
	NEAR(r.con[1], 75.0 / 99);
	NEAR(r.con[2], 75.0 / 90);
	/* e given */
	calls_rates(n, 0.5, &r);
	ck_assert(!r.e_estimated);
	NEAR(r.rr[2], 40.0 / 95);
	NEAR(r.con[1], 75.0 / 95);
}
END_TEST

START_TEST(test_rates_edges)
{
	double n[AAPOR_GROUPS];
	struct aapor_rates r;
	int i;

	/* no unknowns: RR1 = RR3 = RR5 */
	groups(n, 30, 0, 10, 10, 0, 0, 0, 5);
	calls_rates(n, -1, &r);
	NEAR(r.rr[0], 0.6);
	NEAR(r.rr[2], 0.6);
	NEAR(r.rr[4], 0.6);
	/* all unknowns: nothing is known, e = 0, RR1 = 0, the rest undefined */
	groups(n, 0, 0, 0, 0, 0, 12, 3, 0);
	calls_rates(n, -1, &r);
	NEAR(r.e, 0);
	NEAR(r.rr[0], 0);
	NEAR(r.ref[0], 0);
	ck_assert(r.rr[2] < 0 && r.rr[4] < 0 && r.coop[0] < 0 && r.con[2] < 0);
	/* e = 0 makes RR3 equal RR5; e = 1 makes it equal RR1 */
	groups(n, 20, 5, 10, 10, 5, 30, 10, 20);
	calls_rates(n, 0, &r);
	NEAR(r.rr[2], r.rr[4]);
	NEAR(r.rr[3], r.rr[5]);
	calls_rates(n, 1, &r);
	NEAR(r.rr[2], r.rr[0]);
	NEAR(r.ref[1], r.ref[0]);
	/* nothing at all */
	memset(n, 0, sizeof n);
	calls_rates(n, -1, &r);
	for (i = 0; i < 6; i++)
		ck_assert(r.rr[i] < 0);
}
END_TEST

/*
 * One table, both editions, worked out on paper: I 40, P 5, R 20, NC 15, O 5, UH 30, UR 10,
 * UO 5, NE 20 of which 10 households screened out (4.70), 10 numbers that are no household.
 *
 *   known = I+P+R+NC+O = 85; U = UH+UR+UO = 45; known + U = 130
 *   RR1 = 40/130 = .307692   RR2 = 45/130 = .346154   RR5 = 40/85 = .470588   RR6 = 45/85 = .529412
 *   COOP1 = 40/(45+20+5) = 40/70 = .571429   COOP2 = 45/70 = .642857
 *   COOP3 = 40/(45+20) = 40/65 = .615385     COOP4 = 45/65 = .692308
 *   REF1 = 20/130 = .153846   REF3 = 20/85 = .235294   CON1 = 70/130 = .538462   CON3 = 70/85 = .823529
 *   (these do not depend on e, nor on the edition)
 *
 * 10th edition, e estimated per class:
 *   e_UH = e_UO = 85/(85+20) = 17/21 = .809524;  e_UR = 85/(85+10) = 17/19 = .894737
 *   U' = 30*17/21 + 10*17/19 + 5*17/21 = 24.285714 + 8.947368 + 4.047619 = 37.280702
 *   known + U' = 122.280702;  e (weighted) = 37.280702/45 = .828460
 *   RR3 = 40/122.280702 = .327116   RR4 = 45/122.280702 = .368006
 *   REF2 = 20/122.280702 = .163558  CON2 = 70/122.280702 = .572453
 * 10th edition, e given UH=0.5, UR=0.8, UO=0.3:
 *   U' = 15 + 8 + 1.5 = 24.5; known + U' = 109.5; e = 24.5/45 = .544444
 *   RR3 = 40/109.5 = .365297  RR4 = 45/109.5 = .410959  REF2 = 20/109.5 = .182648  CON2 = 70/109.5 = .639269
 * 10th edition, e given UR=0.8 only: e_UH = e_UO = 17/21 estimated
 *   U' = 35*17/21 + 8 = 28.333333 + 8 = 36.333333; RR3 = 40/121.333333 = .329670
 * 9th edition, e estimated: UR counts as UO (UO 15); e = 17/21
 *   U' = 45*17/21 = 36.428571; known + U' = 121.428571
 *   RR3 = 40/121.428571 = .329412   RR4 = 45/121.428571 = .370588
 *   REF2 = 20/121.428571 = .164706  CON2 = 70/121.428571 = .576471
 * 9th edition, e given 0.5: known + U' = 85 + 22.5 = 107.5; RR3 = 40/107.5 = .372093
 */
static void table_10(struct aapor_counts *c)
{
	memset(c, 0, sizeof *c);
	ck_assert_ptr_nonnull(calls_count(c, "1.1", 40));
	calls_count(c, "1.2", 5);
	calls_count(c, "2.112", 12);
	calls_count(c, "2.12", 8);
	calls_count(c, "2.21", 15);
	calls_count(c, "2.332", 5);
	calls_count(c, "3.13", 20);
	calls_count(c, "3.12", 10);
	calls_count(c, "3.20", 6);
	calls_count(c, "3.21", 4);
	calls_count(c, "3.90", 5);
	calls_count(c, "4.30", 7);
	calls_count(c, "4.20", 3);
	calls_count(c, "4.70", 6);
	calls_count(c, "4.80", 4);
	ck_assert_ptr_null(calls_count(c, "3.99", 1000));   /* unknown codes stay outside */
}

/* The rates that do not depend on e or the edition (see the table above). */
static void same_in_both(const struct aapor_rates *r)
{
	NEAR(r->rr[0], .307692);
	NEAR(r->rr[1], .346154);
	NEAR(r->rr[4], .470588);
	NEAR(r->rr[5], .529412);
	NEAR(r->coop[0], .571429);
	NEAR(r->coop[1], .642857);
	NEAR(r->coop[2], .615385);
	NEAR(r->coop[3], .692308);
	NEAR(r->ref[0], .153846);
	NEAR(r->ref[2], .235294);
	NEAR(r->con[0], .538462);
	NEAR(r->con[2], .823529);
}

START_TEST(test_rates_10th_by_hand)
{
	struct aapor_counts c;
	struct aapor_opts o;
	struct aapor_rates r;
	struct err e;

	table_10(&c);
	NEAR(c.n[AAPOR_UH], 30);
	NEAR(c.n[AAPOR_UR], 10);
	NEAR(c.n[AAPOR_UO], 5);
	NEAR(c.n[AAPOR_NE], 20);
	NEAR(c.screened_out, 10);
	/* the default: 10th edition, every e estimated */
	calls_aapor(&c, NULL, &r);
	ck_assert_int_eq(r.edition, 10);
	ck_assert(r.e_estimated && r.e_class_estimated[AAPOR_E_UH] && r.e_class_estimated[AAPOR_E_UR]);
	NEAR(r.n[AAPOR_UR], 10);
	NEAR(r.e_class[AAPOR_E_UH], .809524);
	NEAR(r.e_class[AAPOR_E_UR], .894737);
	NEAR(r.e_class[AAPOR_E_UO], .809524);
	NEAR(r.e, .828460);
	same_in_both(&r);
	NEAR(r.rr[2], .327116);
	NEAR(r.rr[3], .368006);
	NEAR(r.ref[1], .163558);
	NEAR(r.con[1], .572453);
	/* e given per class */
	err_init(&e);
	ck_assert_int_eq(calls_aapor_opts(&o, NULL, "UH=0.5,UR=0.8,UO=0.3", &e), 0);
	calls_aapor(&c, &o, &r);
	ck_assert(!r.e_estimated && !r.e_class_estimated[AAPOR_E_UO]);
	NEAR(r.e_class[AAPOR_E_UR], .8);
	NEAR(r.e, .544444);
	same_in_both(&r);
	NEAR(r.rr[2], .365297);
	NEAR(r.rr[3], .410959);
	NEAR(r.ref[1], .182648);
	NEAR(r.con[1], .639269);
	/* one class given, the others estimated */
	ck_assert_int_eq(calls_aapor_opts(&o, "10", "UR=0.8", &e), 0);
	calls_aapor(&c, &o, &r);
	ck_assert(!r.e_estimated && r.e_class_estimated[AAPOR_E_UH] && !r.e_class_estimated[AAPOR_E_UR]);
	NEAR(r.rr[2], .329670);
	/* one number: every class */
	ck_assert_int_eq(calls_aapor_opts(&o, NULL, "0.5", &e), 0);
	calls_aapor(&c, &o, &r);
	NEAR(r.e, .5);
	NEAR(r.rr[2], 40 / 107.5);
}
END_TEST

START_TEST(test_rates_9th_by_hand)
{
	struct aapor_counts c;
	struct aapor_opts o;
	struct aapor_rates r, old;
	struct err e;

	table_10(&c);
	err_init(&e);
	ck_assert_int_eq(calls_aapor_opts(&o, "9", NULL, &e), 0);
	calls_aapor(&c, &o, &r);
	ck_assert_int_eq(r.edition, 9);
	NEAR(r.n[AAPOR_UR], 0);
	NEAR(r.n[AAPOR_UO], 15);
	ck_assert(r.e_estimated);
	NEAR(r.e, .809524);
	NEAR(r.e_class[AAPOR_E_UR], .809524);
	same_in_both(&r);
	NEAR(r.rr[2], .329412);
	NEAR(r.rr[3], .370588);
	NEAR(r.ref[1], .164706);
	NEAR(r.con[1], .576471);
	/* the same as the 9th-edition call by groups, to the last bit */
	calls_rates(r.n, -1, &old);
	ck_assert(old.rr[2] == r.rr[2] && old.con[1] == r.con[1] && old.e == r.e);
	ck_assert_int_eq(calls_aapor_opts(&o, "9", "0.5", &e), 0);
	calls_aapor(&c, &o, &r);
	ck_assert(!r.e_estimated);
	NEAR(r.rr[2], .372093);
	/* the 9th edition has one e; the classes are the 10th's */
	ck_assert_int_eq(calls_aapor_opts(&o, "9", "UH=0.5", &e), -1);
	ck_assert_msg(strstr(e.msg, "the 9th edition has one e"), "%s", e.msg);
}
END_TEST

START_TEST(test_aapor_opts)
{
	static const struct {
		const char *edition, *e, *msg;
	} bad[] = {
		{ "11", NULL, "'11' is not an edition of the AAPOR Standard Definitions cati computes (9 or 10)" },
		{ "", NULL, "is not an edition" },
		{ NULL, "2", "'2' is not a number from 0 to 1" },
		{ NULL, "", "'' is not a number from 0 to 1" },
		{ NULL, "nan", "is not a number from 0 to 1" },
		{ NULL, "UX=0.5", "'UX=0.5' is not CLASS=E with a class of unknown eligibility (UH, UR, UO)" },
		{ NULL, "UH=0.5,,UO=1", "'' is not CLASS=E" },
		{ NULL, "UH=0.5,UH=0.6", "UH is given twice" },
		{ NULL, "UR=1.5", "UR: '1.5' is not a number from 0 to 1" },
		{ NULL, "UR=", "UR: '' is not a number" },
		{ NULL, "UO=0.5,", "" },   /* a trailing comma is fine */
	};
	struct aapor_opts o;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc;
		err_init(&e);
		rc = calls_aapor_opts(&o, bad[i].edition, bad[i].e, &e);
		if (!*bad[i].msg) {
			ck_assert_msg(rc == 0, "%s: %s", bad[i].e, e.msg);
			continue;
		}
		ck_assert_msg(rc == -1, "%s %s accepted", bad[i].edition, bad[i].e);
		ck_assert_msg(strstr(e.msg, bad[i].msg), "%s: %s", bad[i].e, e.msg);
	}
	ck_assert_int_eq(calls_aapor_opts(&o, NULL, NULL, &e), 0);
	ck_assert_int_eq(o.edition, 10);
	ck_assert_int_eq(o.given, 0);
	ck_assert_int_eq(calls_aapor_opts(&o, NULL, "UO=1,UH=0", &e), 0);
	ck_assert_int_eq(o.given, (1u << AAPOR_E_UO) | (1u << AAPOR_E_UH));
	NEAR(o.e[AAPOR_E_UO], 1);
	ck_assert_str_eq(calls_group_name(AAPOR_UR), "UR");
	ck_assert_int_eq(calls_group(calls_disposition("3.20"), 10), AAPOR_UR);
	ck_assert_int_eq(calls_group(calls_disposition("3.21"), 9), AAPOR_UO);
	ck_assert_int_eq(calls_group(calls_disposition("3.13"), 9), AAPOR_UH);
	ck_assert_int_eq(calls_group(calls_disposition("3.90"), 10), AAPOR_UO);
}
END_TEST

START_TEST(test_outcomes_and_dispositions)
{
	int n, i;
	const struct call_outcome *o = calls_outcomes(&n);

	for (i = 0; i < n; i++) {
		const struct disposition *d = calls_disposition(o[i].disposition);
		ck_assert_msg(d != NULL, "%s maps to unknown code %s", o[i].name, o[i].disposition);
		/* a contact outcome never lands among the unknown-eligibility codes */
		if (o[i].contact)
			ck_assert_msg(d->group != AAPOR_UH && d->group != AAPOR_UR && d->group != AAPOR_UO, "%s", o[i].name);
	}
	ck_assert_int_eq(calls_disposition("1.1")->group, AAPOR_I);
	ck_assert_int_eq(calls_disposition("2.112")->group, AAPOR_R);
	ck_assert_int_eq(calls_disposition("3.13")->group, AAPOR_UH);
	ck_assert_int_eq(calls_disposition("4.80")->group, AAPOR_NE);
	ck_assert(!calls_outcome("busy")->final && calls_outcome("refusal")->final);
	ck_assert_ptr_null(calls_disposition("9.9"));
}
END_TEST

START_TEST(test_rules)
{
	struct call_rules r;
	struct err e;

	calls_rules_default(&r);
	ck_assert_int_eq(r.weekday.from, 540);
	ck_assert_int_eq(r.weekday.to, 1230);
	ck_assert_int_eq(r.weekend.to, 1020);
	ck_assert_int_eq(r.max_attempts, 10);
	ck_assert_int_eq(calls_gap(&r, "busy"), 15);
	ck_assert_int_eq(calls_gap(&r, "no_answer"), 180);
	ck_assert_int_eq(calls_gap(&r, "soft_refusal"), 7 * 1440);
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "# jobseekers\nweekdays 08:30-19:00\n\nmax-attempts 6\n"
	                                                   "gap busy 10m   # short\ngap no_answer 2h\ntimezone Europe/Vienna\n", &e), 0);
	ck_assert_int_eq(r.weekday.from, 510);
	ck_assert_int_eq(r.max_attempts, 6);
	ck_assert_int_eq(calls_gap(&r, "busy"), 10);
	ck_assert_int_eq(calls_gap(&r, "no_answer"), 120);
	ck_assert_str_eq(r.tz, "Europe/Vienna");
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "weekdays 09:00-20:30\nweekdays 9-5\n", &e), -1);
	ck_assert_str_eq(e.msg, "s.study:2: '9-5' is not a calling window like 09:00-20:30");
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "gap bussy 15m\n", &e), -1);
	ck_assert_msg(strstr(e.msg, "s.study:1: 'bussy' is not a call outcome") != NULL, "%s", e.msg);
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "\n\ngap busy soon\n", &e), -1);
	ck_assert_msg(strstr(e.msg, "s.study:3: 'soon' is not a duration") != NULL, "%s", e.msg);
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "max-attempts 0\n", &e), -1);
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "call everyone\n", &e), -1);
	ck_assert_msg(strstr(e.msg, "s.study:1: 'call everyone' is not a rule") != NULL, "%s", e.msg);
	/* retention: how long personal data of closed cases is kept; none by default */
	calls_rules_default(&r);
	ck_assert_int_eq(r.retention_minutes, 0);
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "retention 90d\n", &e), 0);
	ck_assert_int_eq(r.retention_minutes, 90 * 1440);
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "retention 0d\n", &e), -1);
	ck_assert_msg(strstr(e.msg, "s.study:1: '0d' is not a retention like 90d") != NULL, "%s", e.msg);
	err_init(&e);
	ck_assert_int_eq(calls_rules_parse(&r, "s.study", "retention forever\n", &e), -1);
}
END_TEST

/* ---- the scheduler against a model ---------------------------------------------------- */

enum { NCASES = 300, STEP = 60 };
static const char *const zones[] = { "Europe/Vienna", "America/New_York", "Asia/Tokyo" };

struct mcase {
	char key[16];
	int zone;
	int attempts;
	long long last;        /* UTC seconds of the last attempt, 0 none */
	char last_outcome[32];
	int dayparts;
	int closed;
	long long appt;        /* a pending hard appointment, UTC seconds, 0 none */
	int64_t id;
};

static int64_t sim_now_ms;
static int64_t sim_clock(void *ctx)
{
	(void)ctx;
	return sim_now_ms;
}

static void local(int zone, long long t, int *wday, int *minute)
{
	struct tm tm;
	time_t tt = (time_t)t;

	setenv("TZ", zones[zone], 1);
	tzset();
	localtime_r(&tt, &tm);
	unsetenv("TZ");
	tzset();
	*wday = tm.tm_wday;
	*minute = tm.tm_hour * 60 + tm.tm_min;
}

static int in_window(const struct call_rules *r, int zone, long long t)
{
	int wday, minute;
	const struct call_window *w;

	local(zone, t, &wday, &minute);
	w = wday == 0 || wday == 6 ? &r->weekend : &r->weekday;
	return minute >= w->from && minute < w->to;
}

static int eligible_retry(const struct call_rules *r, const struct mcase *c, long long now)
{
	return !c->closed && !c->appt && c->attempts > 0 && c->attempts < r->max_attempts &&
	       c->last + calls_gap(r, c->last_outcome) * 60LL <= now && in_window(r, c->zone, now);
}

START_TEST(test_scheduler_day)
{
	char dir[] = "/tmp/cati-sched-XXXXXX", path[300], cmd[400];
	struct mcase m[NCASES];
	struct call_rules r;
	struct store *st;
	enum store_rc rc;
	struct err e;
	long long now, start = 1772409600LL;   /* 2026-03-02 00:00 UTC, a Monday */
	unsigned rng = 12345;
	int i, k, calls = 0, appts_served = 0, retries = 0, fresh = 0, late_max = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/s.db", dir);
	err_init(&e);
	st = store_open(path, &rc, &e);
	ck_assert_msg(st != NULL, "%s", e.msg);
	sim_now_ms = start * 1000;
	store_set_clock(st, sim_clock, NULL);
	calls_rules_default(&r);
	r.max_attempts = 4;
	ck_assert_int_eq(store_begin(st, &e), STORE_OK);
	for (i = 0; i < NCASES; i++) {
		struct store_case c;
		memset(&m[i], 0, sizeof m[i]);
		snprintf(m[i].key, sizeof m[i].key, "C%03d", i);
		m[i].zone = (i * 7) % 3;
		ck_assert_int_eq(store_case_put(st, m[i].key, "sim", "+1 555 0100", NULL, zones[m[i].zone], "{}", &e), STORE_OK);
		memset(&c, 0, sizeof c);
		ck_assert_int_eq(store_case_get(st, m[i].key, &c, &e), STORE_OK);
		m[i].id = c.id;
		store_case_release(&c);
	}
	ck_assert_int_eq(store_commit(st, &e), STORE_OK);

	/* 36 hours, two interviewers asking for a case every minute */
	for (now = start; now < start + 36 * 3600; now += STEP) {
		sim_now_ms = now * 1000;
		for (k = 0; k < 2; k++) {
			struct store_next_pick p;
			struct mcase *c = NULL;
			int due = -1, first_fresh = -1, best = -1, best_new = -1, roll, wday, minute;

			/* what the rules say, from the model */
			for (i = 0; i < NCASES; i++) {
				if (m[i].closed || m[i].attempts >= r.max_attempts)
					continue;
				/* a hard appointment is its maker's (ann's) when due, anyone's five minutes later */
				if (m[i].appt && m[i].appt <= now - (k ? 300 : 0) && (due < 0 || m[i].appt < m[due].appt))
					due = i;
				if (!m[i].appt && m[i].attempts == 0 && first_fresh < 0 && in_window(&r, m[i].zone, now))
					first_fresh = i;
			}
			for (i = 0; i < NCASES; i++) {
				if (!eligible_retry(&r, &m[i], now))
					continue;
				local(m[i].zone, now, &wday, &minute);
				if (best < 0 || m[i].last < m[best].last)
					best = i;
				if (!(m[i].dayparts & (1 << calls_daypart(wday, minute))) && (best_new < 0 || m[i].last < m[best_new].last))
					best_new = i;
			}
			err_init(&e);
			rc = store_next(st, &r, k ? "bob" : "ann", 1, &p, NULL, &e);
			if (due < 0 && first_fresh < 0 && best < 0) {
				ck_assert_msg(rc == STORE_NOTFOUND, "offered %s when the rules allow no call", p.key);
				continue;
			}
			ck_assert_msg(rc == STORE_OK, "nothing offered at %lld though the rules allow a call (%s)", now, e.msg);
			for (i = 0; i < NCASES; i++)
				if (!strcmp(m[i].key, p.key))
					c = &m[i];
			ck_assert_ptr_nonnull(c);
			if (due >= 0) {
				ck_assert_msg(p.category == 1 && c->appt == m[due].appt, "%s offered while %s's appointment is due",
				              p.key, m[due].key);
				if (now - c->appt > late_max)
					late_max = (int)(now - c->appt);
				appts_served++;
			} else if (first_fresh >= 0) {
				ck_assert_msg(p.category == 3 && c == &m[first_fresh], "%s offered, the rules say fresh %s", p.key,
				              m[first_fresh].key);
				fresh++;
			} else {
				int want = best_new >= 0 ? best_new : best;
				ck_assert_msg(p.category == 4, "%s offered as category %d", p.key, p.category);
				/* the oldest eligible retry (ties by id), preferring a new part of the day */
				ck_assert_msg(c->last == m[want].last, "%s (last %lld) offered, the rules say %s (last %lld)",
				              p.key, c->last, m[want].key, m[want].last);
				retries++;
			}
			/* never outside the window (appointments excepted), never past the limit */
			if (p.category != 1)
				ck_assert_msg(in_window(&r, c->zone, now), "%s called outside its window", p.key);
			ck_assert(c->attempts < r.max_attempts);
			/* the call */
			roll = (int)((rng = rng * 1103515245u + 12345u) >> 16) % 100;
			{
				const char *outcome = roll < 35 ? "no_answer" : roll < 55 ? "busy" : roll < 65 ? "answering_machine"
				                    : roll < 75 ? "appointment" : roll < 82 ? "refusal" : "complete";
				ck_assert_int_eq(store_begin(st, &e), STORE_OK);
				if (!strcmp(outcome, "appointment")) {
					char at[32];
					time_t t = (time_t)(now + 2 * 3600 + 17 * 60);
					struct tm tm;
					setenv("TZ", zones[c->zone], 1);
					tzset();
					localtime_r(&t, &tm);
					unsetenv("TZ");
					tzset();
					strftime(at, sizeof at, "%Y-%m-%d %H:%M", &tm);
					ck_assert_int_eq(store_appointment_add(st, c->id, "ann", at, 1, NULL, &e), STORE_OK);
				}
				ck_assert_int_eq(store_attempt_add(st, c->id, k ? "bob" : "ann", "+1 555 0100", outcome, &e), STORE_OK);
				ck_assert_int_eq(store_commit(st, &e), STORE_OK);
				local(c->zone, now, &wday, &minute);
				c->attempts++;
				c->last = now;
				snprintf(c->last_outcome, sizeof c->last_outcome, "%s", outcome);
				c->dayparts |= 1 << calls_daypart(wday, minute);
				c->closed = calls_outcome(outcome)->final;
				c->appt = !strcmp(outcome, "appointment") ? (now + 2 * 3600 + 17 * 60) / 60 * 60 : 0;
				calls++;
			}
		}
	}
	ck_assert_msg(calls > 500 && appts_served > 20 && retries > 100 && fresh == NCASES,
	              "calls %d, appointments %d, retries %d, fresh %d", calls, appts_served, retries, fresh);
	ck_assert_msg(late_max <= 3 * STEP, "an appointment was served %d s late", late_max);
	store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A case in a call is locked: a second workstation asking at once gets another one. */
START_TEST(test_lock)
{
	char dir[] = "/tmp/cati-lock-XXXXXX", path[300], cmd[400];
	struct store_next_pick a, b, c;
	struct call_rules r;
	struct store *st, *st2;
	enum store_rc rc;
	struct err e;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/l.db", dir);
	err_init(&e);
	st = store_open(path, &rc, &e);
	ck_assert_ptr_nonnull(st);
	sim_now_ms = 1772442000LL * 1000;   /* Monday 09:00 UTC */
	store_set_clock(st, sim_clock, NULL);
	for (i = 0; i < 3; i++) {
		char key[16];
		snprintf(key, sizeof key, "L%d", i);
		ck_assert_int_eq(store_case_put(st, key, "sim", "1", NULL, "Europe/Vienna", "{}", &e), STORE_OK);
	}
	st2 = store_open(path, &rc, &e);
	ck_assert_ptr_nonnull(st2);
	store_set_clock(st2, sim_clock, NULL);
	calls_rules_default(&r);
	ck_assert_int_eq(store_next(st, &r, "ann", 1, &a, NULL, &e), STORE_OK);
	ck_assert_int_eq(store_next(st2, &r, "bob", 1, &b, NULL, &e), STORE_OK);
	ck_assert_str_ne(a.key, b.key);
	/* ann asking again keeps her case; after the lock expires bob may have it */
	ck_assert_int_eq(store_next(st, &r, "ann", 1, &c, NULL, &e), STORE_OK);
	ck_assert_str_eq(c.key, a.key);
	sim_now_ms += (int64_t)(r.lock_minutes + 1) * 60 * 1000;
	ck_assert_int_eq(store_next(st2, &r, "carl", 1, &c, NULL, &e), STORE_OK);
	ck_assert_str_eq(c.key, a.key);
	store_close(st2);
	store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("calls");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_rates_by_hand);
	tcase_add_test(tc, test_rates_edges);
	tcase_add_test(tc, test_rates_10th_by_hand);
	tcase_add_test(tc, test_rates_9th_by_hand);
	tcase_add_test(tc, test_aapor_opts);
	tcase_add_test(tc, test_outcomes_and_dispositions);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_scheduler_day);
	tcase_add_test(tc, test_lock);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
