/*
 * zone.c: local time in a named time zone without touching the process's TZ, so that it is
 * safe while other threads run (the workstation's sync thread, libcurl). Each zone's TZif file
 * (/usr/share/zoneinfo/NAME) is read once: its transitions, its local time types, and the POSIX
 * TZ string of its footer for the times after the last transition. zone_mktime follows glibc's
 * mktime step for step (as it behaves in a fresh process), so non-existent and ambiguous local
 * times come out as they did when the zone was switched with setenv.
 */
#include "cati/util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ZONE_DIR "/usr/share/zoneinfo/"
#define ZONE_FILE_MAX (1 << 20)
#define ZONE_CACHE_MAX 256

/* One local time type: its offset from UTC in seconds (east positive) and whether it is DST. */
struct zone_type {
	int32_t utoff;
	int isdst;
};

/* A day of a POSIX TZ rule: Mm.w.d, Jn (1..365, no Feb 29) or n (0..365), and the local time. */
struct zone_day {
	char kind;   /* 'M', 'J' or 'D' */
	int m, w, d, n;
	int32_t secs;
};

/* A POSIX TZ string: standard time, and DST between two days of each year when has_dst. */
struct zone_rule {
	int set, has_dst;
	int32_t std_off, dst_off;   /* east positive */
	struct zone_day start, end;
};

/* A loaded zone: its transitions (UTC seconds, ascending), their types, and the footer rule. */
struct zone {
	char name[128];
	int64_t *trans;
	unsigned char *idx;
	size_t ntrans;
	struct zone_type *types;
	size_t ntypes;
	struct zone_rule rule;
};

/* The zones read so far: filled under the lock, never changed or freed afterwards. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct zone *cache[ZONE_CACHE_MAX];
static size_t ncache;

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day count since 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* 1 in a leap year. */
static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Break local seconds (UTC seconds plus the offset) into *tm, with isdst. */
static void breakdown(int64_t local, int isdst, struct tm *tm)
{
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400), secs = local - days * 86400, y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	memset(tm, 0, sizeof *tm);
	tm->tm_year = (int)(y - 1900);
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_yday = (int)(days - days_from_civil(y, 1, 1));
	tm->tm_wday = (int)(((days % 7) + 11) % 7);   /* 1970-01-01 was a Thursday */
	tm->tm_isdst = isdst;
}

/* Local seconds of a broken-down time, normalising the month as mktime does. */
static int64_t local_seconds(const struct tm *tm)
{
	int64_t mon = tm->tm_mon, y = (int64_t)tm->tm_year + 1900 + mon / 12 - (mon % 12 < 0);
	int m = (int)((mon % 12 + 12) % 12) + 1;

	return (days_from_civil(y, m, 1) + tm->tm_mday - 1) * 86400 + (int64_t)tm->tm_hour * 3600 +
	       (int64_t)tm->tm_min * 60 + tm->tm_sec;
}

/* A POSIX TZ name: letters, or anything but '>' inside <...>; the text after it, or NULL. */
static const char *rule_name(const char *s)
{
	const char *p = s;

	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p == '>' && p - s >= 4 ? p + 1 : NULL;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] as seconds (hours up to 167, as in TZif v3); the text after it, or NULL. */
static const char *rule_time(const char *s, int32_t *out)
{
	int sign = 1, part[3] = { 0, 0, 0 }, i;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (i && *s != ':')
			break;
		if (i)
			s++;
		if (*s < '0' || *s > '9')
			return NULL;
		part[i] = 0;
		while (*s >= '0' && *s <= '9' && part[i] < 1000)
			part[i] = part[i] * 10 + (*s++ - '0');
	}
	if (part[0] > 167 || part[1] > 59 || part[2] > 59)
		return NULL;
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return s;
}

/* A whole number from lo to hi; the text after it, or NULL. */
static const char *rule_int(const char *s, int lo, int hi, int *out)
{
	int v = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	while (*s >= '0' && *s <= '9' && v <= hi)
		v = v * 10 + (*s++ - '0');
	if (v < lo || v > hi)
		return NULL;
	*out = v;
	return s;
}

/* A rule day with its optional /time (default 02:00); the text after it, or NULL. */
static const char *rule_day(const char *s, struct zone_day *d)
{
	memset(d, 0, sizeof *d);
	d->secs = 7200;
	if (*s == 'M') {
		d->kind = 'M';
		if (!(s = rule_int(s + 1, 1, 12, &d->m)) || *s != '.' || !(s = rule_int(s + 1, 1, 5, &d->w)) ||
		    *s != '.' || !(s = rule_int(s + 1, 0, 6, &d->d)))
			return NULL;
	} else if (*s == 'J') {
		d->kind = 'J';
		if (!(s = rule_int(s + 1, 1, 365, &d->n)))
			return NULL;
	} else {
		d->kind = 'D';
		if (!(s = rule_int(s, 0, 365, &d->n)))
			return NULL;
	}
	if (*s == '/')
		s = rule_time(s + 1, &d->secs);
	return s;
}

/* Parse a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"); 0, or -1 when it is not one. */
static int rule_parse(const char *s, struct zone_rule *r)
{
	int32_t off;

	memset(r, 0, sizeof *r);
	if (!(s = rule_name(s)) || !(s = rule_time(s, &off)))
		return -1;
	r->std_off = -off;   /* POSIX counts west of Greenwich as positive */
	r->dst_off = r->std_off;
	if (*s) {
		r->has_dst = 1;
		if (!(s = rule_name(s)))
			return -1;
		r->dst_off = r->std_off + 3600;
		if (*s && *s != ',') {
			if (!(s = rule_time(s, &off)))
				return -1;
			r->dst_off = -off;
		}
		if (!*s) {
			/* no dates: the US rules, as glibc assumes */
			rule_day("M3.2.0", &r->start);
			rule_day("M11.1.0", &r->end);
		} else if (*s != ',' || !(s = rule_day(s + 1, &r->start)) || *s != ',' ||
		           !(s = rule_day(s + 1, &r->end)) || *s) {
			return -1;
		}
	}
	r->set = 1;
	return 0;
}

/* UTC seconds at which rule day d begins in year y, its time read with offset off. */
static int64_t rule_when(const struct zone_day *d, int64_t y, int32_t off)
{
	int64_t day;

	if (d->kind == 'J') {
		day = days_from_civil(y, 1, 1) + d->n - 1 + (leap(y) && d->n >= 60);
	} else if (d->kind == 'D') {
		day = days_from_civil(y, 1, 1) + d->n;
	} else {
		/* the w-th weekday d of month m; w = 5: the last one */
		static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int64_t first = days_from_civil(y, d->m, 1);
		int wday1 = (int)(((first % 7) + 11) % 7), len = mdays[d->m - 1] + (d->m == 2 && leap(y));
		int mday = 1 + (d->d - wday1 + 7) % 7 + (d->w - 1) * 7;

		while (mday > len)
			mday -= 7;
		day = first + mday - 1;
	}
	return day * 86400 + d->secs - off;
}

/* The type in effect at t by the footer rule. */
static struct zone_type rule_at(const struct zone_rule *r, int64_t t)
{
	struct zone_type ty = { r->std_off, 0 };
	int64_t y, start, end;
	int m, d;

	if (!r->has_dst)
		return ty;
	/* the year of t in UTC, as glibc takes it */
	civil_from_days(t >= 0 ? t / 86400 : -((-t + 86399) / 86400), &y, &m, &d);
	start = rule_when(&r->start, y, r->std_off);   /* DST begins by the standard clock */
	end = rule_when(&r->end, y, r->dst_off);       /* and ends by the summer clock */
	if (start < end ? (t >= start && t < end) : !(t >= end && t < start)) {
		ty.utoff = r->dst_off;
		ty.isdst = 1;
	}
	return ty;
}

/* The type in effect at UTC time t in zone z. */
static struct zone_type zone_at(const struct zone *z, int64_t t)
{
	struct zone_type utc = { 0, 0 };
	size_t lo, hi;

	if (!z->ntypes)
		return z->rule.set ? rule_at(&z->rule, t) : utc;   /* a POSIX TZ string, or UTC */
	if (!z->ntrans || t < z->trans[0]) {
		/* before the first transition: the first standard-time type (as glibc) */
		size_t i = 0;
		while (i < z->ntypes && z->types[i].isdst)
			i++;
		return z->types[i < z->ntypes ? i : 0];
	}
	if (t >= z->trans[z->ntrans - 1] && z->rule.set)
		return rule_at(&z->rule, t);
	/* the last transition at or before t */
	lo = 0;
	hi = z->ntrans;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->types[z->idx[lo]];
}

/* A big-endian signed number of n bytes (4 or 8). */
static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* The six counts of a TZif header at p: isut, isstd, leap, time, type, char. */
static void tzif_counts(const unsigned char *p, size_t c[6])
{
	int i;

	for (i = 0; i < 6; i++)
		c[i] = (size_t)(uint32_t)be(p + 20 + 4 * i, 4);
}

/* Read zone z from the TZif bytes buf[0..n); 0, or -1 when they are not a TZif file. */
static int tzif_parse(struct zone *z, const unsigned char *buf, size_t n)
{
	const unsigned char *p = buf, *end = buf + n;
	size_t c[6], tsize = 4, i, len;

	if (n < 44 || memcmp(buf, "TZif", 4))
		return -1;
	tzif_counts(p, c);
	len = c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
	if (buf[4] >= '2') {
		/* skip the 32-bit block: the second header has 64-bit times */
		if ((size_t)(end - p) < 44 + len + 44)
			return -1;
		p += 44 + len;
		if (memcmp(p, "TZif", 4))
			return -1;
		tzif_counts(p, c);
		tsize = 8;
	}
	len = c[3] * (tsize + 1) + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0];
	if (c[4] == 0 || c[4] > 256 || c[3] > 100000 || (size_t)(end - p) < 44 + len)
		return -1;
	p += 44;
	z->ntrans = c[3];
	z->trans = xcalloc(c[3] + 1, sizeof *z->trans);
	z->idx = xcalloc(c[3] + 1, 1);
	for (i = 0; i < c[3]; i++)
		z->trans[i] = be(p + i * tsize, (int)tsize);
	p += c[3] * tsize;
	for (i = 0; i < c[3]; i++)
		if ((z->idx[i] = p[i]) >= c[4])
			return -1;
	p += c[3];
	z->ntypes = c[4];
	z->types = xcalloc(c[4], sizeof *z->types);
	for (i = 0; i < c[4]; i++) {
		z->types[i].utoff = (int32_t)be(p + i * 6, 4);
		z->types[i].isdst = p[i * 6 + 4] != 0;
	}
	p += c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0];
	/* the footer: "\nTZ\n" after a version 2 block */
	if (tsize == 8 && p < end && *p == '\n') {
		const unsigned char *q = memchr(p + 1, '\n', (size_t)(end - p - 1));
		char tz[128];

		if (q && q - p - 1 > 0 && (size_t)(q - p - 1) < sizeof tz) {
			memcpy(tz, p + 1, (size_t)(q - p - 1));
			tz[q - p - 1] = '\0';
			if (rule_parse(tz, &z->rule) < 0)
				memset(&z->rule, 0, sizeof z->rule);
		}
	}
	return 0;
}

/* Free a zone made by zone_load. */
static void zone_free(struct zone *z)
{
	if (!z)
		return;
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z);
}

/* A zone name that stays inside the zoneinfo directory: no "..", no leading '/'. */
static int name_ok(const char *name)
{
	const char *p;

	if (!*name || *name == '/' || strlen(name) >= sizeof((struct zone *)0)->name)
		return 0;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || (p[0] == '.' && p[1] == '.'))
			return 0;
	return 1;
}

/* Read the zone called name: its TZif file, else name as a POSIX TZ string, else UTC (as glibc). */
static struct zone *zone_load(const char *name)
{
	struct zone *z = xcalloc(1, sizeof *z);
	char path[sizeof ZONE_DIR + 128];
	unsigned char *buf = NULL;
	FILE *fp = NULL;
	size_t n = 0;

	snprintf(z->name, sizeof z->name, "%s", name);
	if (name_ok(name)) {
		snprintf(path, sizeof path, "%s%s", ZONE_DIR, name);
		fp = fopen(path, "rb");
	}
	if (fp) {
		buf = xmalloc(ZONE_FILE_MAX);
		n = fread(buf, 1, ZONE_FILE_MAX, fp);
		fclose(fp);
		if (tzif_parse(z, buf, n) == 0) {
			free(buf);
			return z;
		}
		free(buf);
		free(z->trans);
		free(z->idx);
		free(z->types);
		memset(z, 0, sizeof *z);
		snprintf(z->name, sizeof z->name, "%s", name);
	}
	if (rule_parse(name, &z->rule) < 0)
		memset(&z->rule, 0, sizeof z->rule);   /* unknown: UTC */
	return z;
}

/* The zone called name from the cache, loading it on first use; *own set when the caller frees it. */
static struct zone *zone_get(const char *name, int *own)
{
	struct zone *z = NULL;
	size_t i;

	*own = 0;
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ncache && !z; i++)
		if (!strcmp(cache[i]->name, name))
			z = cache[i];
	if (!z) {
		z = zone_load(name);
		if (ncache < ZONE_CACHE_MAX && strlen(name) < sizeof z->name)
			cache[ncache++] = z;
		else
			*own = 1;   /* a full cache (or an overlong name): used once, then freed */
	}
	pthread_mutex_unlock(&cache_lock);
	return z;
}

/* Local time at t in zone z. */
static void zone_convert(const struct zone *z, int64_t t, struct tm *out)
{
	struct zone_type ty = zone_at(z, t);

	breakdown(t + ty.utoff, ty.isdst, out);
}

/* Whether two tm_isdst values differ, both being known (glibc's isdst_differ). */
static int isdst_differ(int a, int b)
{
	return (!a != !b) && a >= 0 && b >= 0;
}

/* mktime in zone z, step for step as glibc's __mktime_internal with a first guess of UTC. */
static time_t zone_mk(const struct zone *z, struct tm *tp)
{
	int sec_requested = tp->tm_sec, isdst = tp->tm_isdst, probes = 6, dst2 = 0;
	int64_t want, t, t1, t2, gt;
	struct tm tm, req = *tp;

	/* seconds 0..59 while searching; the requested ones are added back at the end */
	req.tm_sec = sec_requested < 0 ? 0 : sec_requested > 59 ? 59 : sec_requested;
	want = local_seconds(&req);
	t = t1 = t2 = want;
	for (;;) {
		zone_convert(z, t, &tm);
		gt = t + (want - local_seconds(&tm));
		if (gt == t)
			break;
		if (t == t1 && t != t2 &&
		    (isdst < 0 ? dst2 <= (tm.tm_isdst != 0) : (isdst != 0) != (tm.tm_isdst != 0)))
			goto found;   /* oscillating across a gap: glibc keeps this one */
		if (--probes == 0)
			return (time_t)-1;
		t1 = t2;
		t2 = t;
		t = gt;
		dst2 = tm.tm_isdst != 0;
	}
	if (isdst_differ(isdst, tm.tm_isdst)) {
		/* the other tm_isdst was asked for: take the offset of the nearest time that has it */
		const int64_t stride = 601200, bound = 457243209 / 2 + 601200;
		int64_t delta, dst_difference = (isdst == 0) - (tm.tm_isdst == 0);
		int dir;

		for (delta = stride; delta < bound; delta += stride)
			for (dir = -1; dir <= 1; dir += 2) {
				struct tm otm;
				int64_t ot = t + delta * dir;

				zone_convert(z, ot, &otm);
				if (!isdst_differ(isdst, otm.tm_isdst)) {
					t = ot + (want - local_seconds(&otm));
					zone_convert(z, t, &tm);
					goto found;
				}
			}
		/* none nearby: assume one hour of DST, as glibc does */
		t += 3600 * dst_difference;
		zone_convert(z, t, &tm);
	}
found:
	if (sec_requested != tm.tm_sec) {
		t += (sec_requested - req.tm_sec) + (req.tm_sec == 0 && tm.tm_sec == 60);
		zone_convert(z, t, &tm);
	}
	*tp = tm;
	return (time_t)t;
}

/* Local time at t in zone tz, from the zone's TZif file; the machine's zone for NULL or "". */
void zone_localtime(const char *tz, time_t t, struct tm *out)
{
	struct zone *z;
	int own;

	if (!tz || !*tz) {
		localtime_r(&t, out);
		return;
	}
	z = zone_get(tz, &own);
	zone_convert(z, (int64_t)t, out);
	if (own)
		zone_free(z);
}

/* UTC time of the local time *tm in zone tz (normalising *tm as mktime does); machine's zone for NULL or "". */
time_t zone_mktime(const char *tz, struct tm *tm)
{
	struct zone *z;
	time_t t;
	int own;

	if (!tz || !*tz)
		return mktime(tm);
	z = zone_get(tz, &own);
	t = zone_mk(z, tm);
	if (own)
		zone_free(z);
	return t;
}
