/*
 * check_zone.c: zone_localtime and zone_mktime (read from the TZif files, no TZ switching)
 * against the C library's localtime_r and mktime run in a forked child with TZ set: random
 * times 1970-2100, a second before, at and after every transition, and mktime of random local
 * times and of every non-existent and ambiguous local time (each mktime in a fresh child, as
 * glibc's mktime remembers its last offset), with tm_isdst -1, 0 and 1. Also: many threads
 * converting at once agree with one thread; names with ".." are not read as files.
 */
#define _DEFAULT_SOURCE   /* tm_gmtoff, to find the transitions in the child */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cati/util.h"

#define T1970 0LL
#define T2100 4102444800LL

static const char *const zones[] = { "Europe/Vienna", "Europe/Berlin", "Europe/Amsterdam", "America/New_York",
	                             "Australia/Sydney", "UTC" };

/* The fields both sides compare. */
struct fields {
	int year, mon, mday, hour, min, sec, wday, yday, isdst;
	long long t;   /* mktime's answer */
};

/* Figures for the report line. */
static long n_local, n_mk, n_edges;

/* A small deterministic random source. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Copy the compared fields out of tm. */
static void take(struct fields *f, const struct tm *tm, long long t)
{
	memset(f, 0, sizeof *f);
	f->year = tm->tm_year;
	f->mon = tm->tm_mon;
	f->mday = tm->tm_mday;
	f->hour = tm->tm_hour;
	f->min = tm->tm_min;
	f->sec = tm->tm_sec;
	f->wday = tm->tm_wday;
	f->yday = tm->tm_yday;
	f->isdst = tm->tm_isdst;
	f->t = t;
}

/* Read exactly n bytes from fd. */
static void read_all(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, (char *)p + got, n - got);
		ck_assert_msg(k > 0, "the child stopped after %zu of %zu bytes", got, n);
		got += (size_t)k;
	}
}

/* Write exactly n bytes to fd (in the child). */
static void write_all(int fd, const void *p, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t k = write(fd, (const char *)p + put, n - put);
		if (k <= 0)
			_exit(3);
		put += (size_t)k;
	}
}

/*
 * A child's end once all it had to say is written: SIGKILL, not exit, so that a memory checker
 * (make valgrind) does not check the parent's heap copied into the child; the parent takes the
 * kill as success and any exit as a failure (write_all exits 3).
 */
static void child_done(int fd)
{
	close(fd);
	kill(getpid(), SIGKILL);
	_exit(4);
}

/* Did the child end by child_done? */
static int child_ok(int st)
{
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

/* The C library's localtime_r of ts[0..n) in zone tz, computed in a forked child with TZ set. */
static void libc_localtime(const char *tz, const long long *ts, size_t n, struct fields *out)
{
	int fd[2], st;
	pid_t pid;
	size_t i;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fd[0]);
		setenv("TZ", tz, 1);
		tzset();
		for (i = 0; i < n; i++) {
			time_t t = (time_t)ts[i];
			struct tm tm;
			struct fields f;
			localtime_r(&t, &tm);
			take(&f, &tm, 0);
			write_all(fd[1], &f, sizeof f);
		}
		child_done(fd[1]);
	}
	close(fd[1]);
	read_all(fd[0], out, n * sizeof *out);
	close(fd[0]);
	waitpid(pid, &st, 0);
	ck_assert(child_ok(st));
}

/* The C library's mktime of *in in zone tz, in a fresh child (glibc's mktime keeps a guess). */
static void libc_mktime(const char *tz, const struct tm *in, struct fields *out)
{
	int fd[2], st;
	pid_t pid;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct tm tm = *in;
		struct fields f;
		time_t t;
		close(fd[0]);
		setenv("TZ", tz, 1);
		tzset();
		t = mktime(&tm);
		take(&f, &tm, (long long)t);
		write_all(fd[1], &f, sizeof f);
		child_done(fd[1]);
	}
	close(fd[1]);
	read_all(fd[0], out, sizeof *out);
	close(fd[0]);
	waitpid(pid, &st, 0);
	ck_assert(child_ok(st));
}

/* The transitions of zone tz from 1970 to 2100 by the C library (in a child): up to max. */
static size_t libc_transitions(const char *tz, long long *out, size_t max)
{
	int fd[2], st;
	pid_t pid;
	size_t n = 0;
	long long t;

	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		long prev;
		struct tm tm;
		time_t x = (time_t)T1970;

		close(fd[0]);
		setenv("TZ", tz, 1);
		tzset();
		localtime_r(&x, &tm);
		prev = tm.tm_gmtoff * 2 + (tm.tm_isdst > 0);
		/* every 6 hours; then the exact second by halving */
		for (t = T1970 + 21600; t <= T2100; t += 21600) {
			long cur;
			x = (time_t)t;
			localtime_r(&x, &tm);
			cur = tm.tm_gmtoff * 2 + (tm.tm_isdst > 0);
			if (cur != prev) {
				long long lo = t - 21600, hi = t;
				while (hi - lo > 1) {
					long long mid = lo + (hi - lo) / 2;
					x = (time_t)mid;
					localtime_r(&x, &tm);
					if (tm.tm_gmtoff * 2 + (tm.tm_isdst > 0) == prev)
						lo = mid;
					else
						hi = mid;
				}
				write_all(fd[1], &hi, sizeof hi);
				prev = cur;
			}
		}
		t = -1;   /* the end: no transition is before 1970 */
		write_all(fd[1], &t, sizeof t);
		child_done(fd[1]);
	}
	close(fd[1]);
	t = 0;
	while (read(fd[0], &t, sizeof t) == (ssize_t)sizeof t && t != -1) {
		ck_assert_msg(n < max, "more than %zu transitions in %s", max, tz);
		out[n++] = t;
	}
	ck_assert_msg(t == -1, "the child stopped before the end of the transitions of %s", tz);
	close(fd[0]);
	waitpid(pid, &st, 0);
	ck_assert(child_ok(st));
	return n;
}

/* ours and libc's fields agree, or fail saying where. */
static void same(const char *tz, const char *what, long long q, const struct fields *a, const struct fields *b)
{
	ck_assert_msg(!memcmp(a, b, sizeof *a),
	              "%s %s %lld: ours %lld %d-%02d-%02d %02d:%02d:%02d wday %d yday %d dst %d, "
	              "libc %lld %d-%02d-%02d %02d:%02d:%02d wday %d yday %d dst %d",
	              tz, what, q, a->t, a->year + 1900, a->mon + 1, a->mday, a->hour, a->min, a->sec, a->wday, a->yday,
	              a->isdst, b->t, b->year + 1900, b->mon + 1, b->mday, b->hour, b->min, b->sec, b->wday, b->yday,
	              b->isdst);
}

/* Compare zone_localtime with localtime_r for ts[0..n). */
static void compare_localtime(const char *tz, const long long *ts, size_t n)
{
	struct fields *want = calloc(n, sizeof *want), got;
	size_t i;

	libc_localtime(tz, ts, n, want);
	for (i = 0; i < n; i++) {
		struct tm tm;
		zone_localtime(tz, (time_t)ts[i], &tm);
		take(&got, &tm, 0);
		same(tz, "localtime", ts[i], &got, &want[i]);
	}
	n_local += (long)n;
	free(want);
}

/* Compare zone_mktime with mktime for one local time. */
static void compare_mktime(const char *tz, int y, int mo, int d, int h, int mi, int s, int isdst)
{
	struct tm in, mine;
	struct fields a, b;
	time_t t;

	memset(&in, 0, sizeof in);
	in.tm_year = y - 1900;
	in.tm_mon = mo - 1;
	in.tm_mday = d;
	in.tm_hour = h;
	in.tm_min = mi;
	in.tm_sec = s;
	in.tm_isdst = isdst;
	mine = in;
	t = zone_mktime(tz, &mine);
	take(&a, &mine, (long long)t);
	libc_mktime(tz, &in, &b);
	same(tz, isdst < 0 ? "mktime(dst -1)" : isdst ? "mktime(dst 1)" : "mktime(dst 0)",
	     (long long)y * 100000000 + mo * 1000000 + d * 10000 + h * 100 + mi, &a, &b);
	n_mk++;
}

/* Local seconds of a broken-down time, counted as if it were UTC. */
static long long tm_local(const struct tm *tm)
{
	long long y = tm->tm_year + 1900, m = tm->tm_mon + 1, era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + tm->tm_mday - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

/* Compare mktime of the local time `local` seconds (as if UTC) in zone tz. */
static void compare_mktime_local(const char *tz, long long local, int isdst)
{
	struct tm tm;
	time_t x = (time_t)local;

	gmtime_r(&x, &tm);
	compare_mktime(tz, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, isdst);
}

START_TEST(test_random_times)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	const char *tz = zones[_i];
	size_t n = 20000, i;
	long long *ts = calloc(n, sizeof *ts);

	for (i = 0; i < n; i++)
		ts[i] = (long long)(rnd(&seed) % (uint64_t)(T2100 - T1970)) + T1970;
	compare_localtime(tz, ts, n);
	free(ts);
	/* random local times, with every tm_isdst */
	for (i = 0; i < 150; i++) {
		int y = 1970 + (int)(rnd(&seed) % 130), mo = 1 + (int)(rnd(&seed) % 12), d = 1 + (int)(rnd(&seed) % 28);
		int h = (int)(rnd(&seed) % 24), mi = (int)(rnd(&seed) % 60), s = (int)(rnd(&seed) % 60);
		compare_mktime(tz, y, mo, d, h, mi, s, (int)(i % 3) - 1);
	}
	/* out-of-range fields are normalised as mktime does */
	compare_mktime(tz, 2024, 14, 35, 25, 61, 75, -1);
	compare_mktime(tz, 2024, 0, 0, -1, -5, -3, -1);
}
END_TEST

START_TEST(test_transitions)
{
	const char *tz = zones[_i];
	long long tr[1024], *ts;
	size_t n = libc_transitions(tz, tr, 1024), i, k = 0;
	static const int around[] = { -3601, -1801, -1, 0, 1, 1799, 3599, 3600, 7200 };

	if (strcmp(tz, "UTC"))
		ck_assert_msg(n > 200, "%s: only %zu transitions from 1970 to 2100", tz, n);
	n_edges += (long)n;
	ts = calloc(n * 9 + 1, sizeof *ts);
	for (i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < 9; j++)
			ts[k++] = tr[i] + around[j];
	}
	compare_localtime(tz, ts, k);
	free(ts);
	/* the local times a transition skips or repeats, and its edges */
	for (i = 0; i < n; i++) {
		struct tm before, after;
		long long lb, la, lo, hi;
		time_t x = (time_t)(tr[i] - 1), y = (time_t)tr[i];

		zone_localtime(tz, x, &before);
		zone_localtime(tz, y, &after);
		/* the local second the old clock reaches at the transition, and the new clock's */
		lb = tm_local(&before) + 1;
		la = tm_local(&after);
		lo = lb < la ? lb : la;
		hi = lb < la ? la : lb;
		if (hi == lo)
			continue;   /* only the name or the DST flag changed */
		compare_mktime_local(tz, lo + (hi - lo) / 2, -1);
		if (i % 8 == 0) {
			int dst;
			for (dst = -1; dst <= 1; dst++) {
				compare_mktime_local(tz, lo, dst);
				compare_mktime_local(tz, hi - 1, dst);
				compare_mktime_local(tz, hi, dst);
				if (dst >= 0)
					compare_mktime_local(tz, lo + (hi - lo) / 2, dst);
			}
			compare_mktime_local(tz, lo - 1, -1);
		}
	}
}
END_TEST

/* What a thread converts: the same times as the main thread did, answers kept for comparison. */
struct job {
	const char *tz;
	const long long *ts;
	size_t n;
	int bad;
};

/* Convert every time and back in job's zone; count disagreements with one thread's answers. */
static void *convert_all(void *p)
{
	struct job *j = p;
	size_t i;

	for (i = 0; i < j->n; i++) {
		struct tm tm, back;
		time_t t = (time_t)j->ts[i];
		zone_localtime(j->tz, t, &tm);
		back = tm;
		back.tm_isdst = tm.tm_isdst;
		if (zone_mktime(j->tz, &back) != t)
			j->bad++;
	}
	return NULL;
}

START_TEST(test_threads)
{
	/* 12 threads on 6 zones at once (the zones are loaded while others read) */
	enum { NT = 12, N = 20000 };
	long long *ts = calloc(N, sizeof *ts);
	pthread_t th[NT];
	struct job jobs[NT];
	uint64_t seed = 42;
	size_t i;

	for (i = 0; i < N; i++)
		ts[i] = (long long)(rnd(&seed) % (uint64_t)(T2100 - T1970));
	for (i = 0; i < NT; i++) {
		jobs[i].tz = zones[i % 6];
		jobs[i].ts = ts;
		jobs[i].n = N;
		jobs[i].bad = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, convert_all, &jobs[i]), 0);
	}
	for (i = 0; i < NT; i++) {
		pthread_join(th[i], NULL);
		ck_assert_msg(jobs[i].bad == 0, "%s: %d round trips failed in a thread", jobs[i].tz, jobs[i].bad);
	}
	free(ts);
	/* the process's TZ was never touched */
	ck_assert_ptr_null(getenv("TZ"));
}
END_TEST

START_TEST(test_names)
{
	struct tm tm;

	/* not read as files: UTC (as glibc does with a zone it cannot find) */
	zone_localtime("../../../etc/passwd", 3600, &tm);
	ck_assert_int_eq(tm.tm_hour, 1);
	zone_localtime("/usr/share/zoneinfo/Europe/Vienna", 3600, &tm);
	ck_assert_int_eq(tm.tm_hour, 1);
	zone_localtime("Europe/Nowhere", 3600, &tm);
	ck_assert_int_eq(tm.tm_hour, 1);
	/* a POSIX TZ string is understood, like glibc */
	compare_localtime("CET-1CEST,M3.5.0,M10.5.0/3", (const long long[]){ 0, 1711846799, 1711846800, 1729990799,
		                                                               1729990800, 2000000000 }, 6);
	compare_localtime("EST5EDT", (const long long[]){ 0, 1710054000, 1730613600, 3000000000LL }, 4);
	compare_localtime("<+0330>-3:30", (const long long[]){ 0, 1700000000 }, 2);
}
END_TEST

/* The figures, printed once the tests ran (the forks report nothing back). */
static void report(void)
{
	printf("zone: %ld localtime and %ld mktime comparisons, %ld transitions 1970-2100\n", n_local, n_mk, n_edges);
}

int main(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_random_times, 0, 6);
	tcase_add_loop_test(tc, test_transitions, 0, 6);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* no fork per test: the figures are counted in this process */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	report();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
