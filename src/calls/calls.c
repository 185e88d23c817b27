/* calls.c: call outcomes, AAPOR dispositions, calling rules, response rates. Pure. */
#include "cati/calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* AAPOR Standard Definitions, final dispositions for telephone surveys (the codes CATI uses). */
static const struct disposition dispositions[] = {
	{ "1.1", "complete", AAPOR_I },
	{ "1.2", "partial", AAPOR_P },
	{ "2.11", "refusal", AAPOR_R },
	{ "2.111", "household-level refusal", AAPOR_R },
	{ "2.112", "known-respondent refusal", AAPOR_R },
	{ "2.12", "break-off", AAPOR_R },
	{ "2.20", "non-contact", AAPOR_NC },
	{ "2.21", "respondent never available", AAPOR_NC },
	{ "2.22", "answering machine, message confirms the respondent", AAPOR_NC },
	{ "2.30", "other eligible non-interview", AAPOR_O },
	{ "2.31", "dead", AAPOR_O },
	{ "2.32", "physically or mentally unable", AAPOR_O },
	{ "2.33", "language", AAPOR_O },
	{ "2.332", "respondent language problem", AAPOR_O },
	{ "2.36", "miscellaneous", AAPOR_O },
	{ "3.11", "not attempted", AAPOR_UH },
	{ "3.12", "always busy", AAPOR_UH },
	{ "3.13", "no answer", AAPOR_UH },
	{ "3.14", "answering machine, eligibility unknown", AAPOR_UH },
	{ "3.16", "technical phone problems", AAPOR_UH },
	{ "3.20", "household, eligibility of respondent unknown", AAPOR_UO },
	{ "3.90", "other unknown eligibility (wrong number, respondent not traced)", AAPOR_UO },
	{ "4.10", "out of sample", AAPOR_NE },
	{ "4.20", "fax or data line", AAPOR_NE },
	{ "4.30", "non-working or disconnected number", AAPOR_NE },
	{ "4.70", "no eligible respondent (screened out)", AAPOR_NE },
	{ "4.80", "quota filled", AAPOR_NE },
	{ "4.90", "other not eligible", AAPOR_NE },
};

static const struct call_outcome outcomes[] = {
	/* name, label, disposition, final, contact, ending */
	{ "complete", "complete", "1.1", 1, 1, 0 },
	{ "partial", "partial (study closed)", "1.2", 1, 1, 0 },
	{ "breakoff", "break-off (resumable)", "2.12", 0, 1, 0 },
	{ "refusal", "refusal", "2.112", 1, 1, 1 },
	{ "soft_refusal", "soft refusal (convert later)", "2.112", 0, 1, 0 },
	{ "appointment", "appointment", "2.21", 0, 1, 0 },
	{ "no_answer", "no answer", "3.13", 0, 0, 0 },
	{ "busy", "busy", "3.12", 0, 0, 0 },
	{ "answering_machine", "answering machine", "3.14", 0, 0, 0 },
	{ "wrong_number", "wrong number", "3.90", 1, 0, 0 },
	{ "disconnected", "number not in service", "4.30", 1, 0, 0 },
	{ "fax", "fax or data line", "4.20", 1, 0, 0 },
	{ "language_barrier", "language barrier", "2.332", 1, 1, 1 },
	{ "unable", "unable to do an interview", "2.32", 1, 1, 1 },
	{ "deceased", "deceased", "2.31", 1, 1, 1 },
	{ "screened_out", "screened out", "4.70", 1, 1, 1 },
	{ "quota_full", "quota filled", "4.80", 1, 1, 1 },
};

const struct disposition *calls_disposition(const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof dispositions / sizeof dispositions[0]; i++)
		if (!strcmp(dispositions[i].code, code))
			return &dispositions[i];
	return NULL;
}

const struct disposition *calls_dispositions(int *n)
{
	*n = (int)(sizeof dispositions / sizeof dispositions[0]);
	return dispositions;
}

const struct call_outcome *calls_outcome(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (!strcmp(outcomes[i].name, name))
			return &outcomes[i];
	return NULL;
}

const struct call_outcome *calls_outcomes(int *n)
{
	*n = (int)(sizeof outcomes / sizeof outcomes[0]);
	return outcomes;
}

/* The outcome called name, if an ending may record it. */
const struct call_outcome *calls_ending_outcome(const char *name)
{
	const struct call_outcome *o = calls_outcome(name);

	return o && o->ending ? o : NULL;
}

/* The names of the outcomes an ending may record, for messages. */
void calls_ending_outcomes(struct buf *out)
{
	size_t i, k = 0;

	for (i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (outcomes[i].ending)
			buf_printf(out, "%s%s", k++ ? ", " : "", outcomes[i].name);
}

static void set_gap(struct call_rules *r, const char *outcome, int minutes)
{
	int i;

	for (i = 0; i < r->ngaps; i++)
		if (!strcmp(r->gap[i].outcome, outcome)) {
			r->gap[i].minutes = minutes;
			return;
		}
	if (r->ngaps < CALLS_MAX_GAPS) {
		snprintf(r->gap[r->ngaps].outcome, sizeof r->gap[r->ngaps].outcome, "%s", outcome);
		r->gap[r->ngaps++].minutes = minutes;
	}
}

void calls_rules_default(struct call_rules *r)
{
	memset(r, 0, sizeof *r);
	r->weekday.from = 9 * 60;
	r->weekday.to = 20 * 60 + 30;
	r->weekend.from = 9 * 60;
	r->weekend.to = 17 * 60;
	r->max_attempts = 10;
	r->lock_minutes = 30;
	r->soft_early = 15;
	set_gap(r, "busy", 15);
	set_gap(r, "no_answer", 180);
	set_gap(r, "answering_machine", 180);
	set_gap(r, "soft_refusal", 7 * 24 * 60);
	set_gap(r, "appointment", 0);
	set_gap(r, "breakoff", 0);
}

int calls_gap(const struct call_rules *r, const char *outcome)
{
	int i;

	for (i = 0; outcome && i < r->ngaps; i++)
		if (!strcmp(r->gap[i].outcome, outcome))
			return r->gap[i].minutes;
	return 0;
}

int calls_daypart(int weekday, int minute)
{
	if (weekday == 0 || weekday == 6)
		return 3;
	return minute < 12 * 60 ? 0 : minute < 17 * 60 ? 1 : 2;
}

/* "09:00-20:30" */
static int parse_window(const char *s, struct call_window *w)
{
	int h1, m1, h2, m2, n = 0;

	if (sscanf(s, "%d:%d-%d:%d%n", &h1, &m1, &h2, &m2, &n) != 4 || s[n] || h1 < 0 || h1 > 24 ||
	    m1 < 0 || m1 > 59 || h2 < 0 || h2 > 24 || m2 < 0 || m2 > 59)
		return -1;
	w->from = h1 * 60 + m1;
	w->to = h2 * 60 + m2;
	return w->from <= w->to && w->to <= 24 * 60 ? 0 : -1;
}

/* "15m", "3h", "7d" */
static int parse_duration(const char *s, int *minutes)
{
	char unit = 0;
	int v, n = 0;

	if (sscanf(s, "%d%c%n", &v, &unit, &n) != 2 || s[n] || v < 0 || v > 100000)
		return -1;
	*minutes = unit == 'm' ? v : unit == 'h' ? v * 60 : unit == 'd' ? v * 24 * 60 : -1;
	return *minutes < 0 ? -1 : 0;
}

int calls_rules_parse(struct call_rules *r, const char *name, const char *text, struct err *e)
{
	const char *p = text;
	int line = 0;

	while (*p) {
		char buf[256], key[64] = "", a[128] = "", b[128] = "", extra[8] = "";
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int n, minutes;

		line++;
		snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), p);
		p += len + (nl ? 1 : 0);
		if (strchr(buf, '#'))
			*strchr(buf, '#') = '\0';
		n = sscanf(buf, "%63s %127s %127s %7s", key, a, b, extra);
		if (n <= 0)
			continue;
		if (len >= sizeof buf) {
			err_set(e, "%s:%d: the line is too long", name, line);
			return -1;
		}
		if ((!strcmp(key, "weekdays") || !strcmp(key, "weekends")) && n == 2) {
			if (parse_window(a, key[4] == 'd' ? &r->weekday : &r->weekend) < 0) {
				err_set(e, "%s:%d: '%s' is not a calling window like 09:00-20:30", name, line, a);
				return -1;
			}
		} else if (!strcmp(key, "max-attempts") && n == 2) {
			char *end;
			long v = strtol(a, &end, 10);
			if (*end || v < 1 || v > 1000) {
				err_set(e, "%s:%d: max-attempts wants a number from 1 to 1000", name, line);
				return -1;
			}
			r->max_attempts = (int)v;
		} else if (!strcmp(key, "gap") && n == 3) {
			if (!calls_outcome(a)) {
				err_set(e, "%s:%d: '%s' is not a call outcome (busy, no_answer, answering_machine, soft_refusal, ...)",
				        name, line, a);
				return -1;
			}
			if (parse_duration(b, &minutes) < 0) {
				err_set(e, "%s:%d: '%s' is not a duration like 15m, 3h or 7d", name, line, b);
				return -1;
			}
			set_gap(r, a, minutes);
		} else if ((!strcmp(key, "lock") || !strcmp(key, "soft-early")) && n == 2) {
			if (parse_duration(a, &minutes) < 0) {
				err_set(e, "%s:%d: '%s' is not a duration like 15m, 3h or 7d", name, line, a);
				return -1;
			}
			*(key[0] == 'l' ? &r->lock_minutes : &r->soft_early) = minutes;
		} else if (!strcmp(key, "timezone") && n == 2) {
			if (strlen(a) >= sizeof r->tz) {
				err_set(e, "%s:%d: the time zone name is too long", name, line);
				return -1;
			}
			snprintf(r->tz, sizeof r->tz, "%.63s", a);
		} else {
			err_set(e, "%s:%d: '%s' is not a rule here (weekdays, weekends, max-attempts, gap, lock, soft-early, timezone)",
			        name, line, buf);
			return -1;
		}
	}
	return 0;
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : -1;
}

void calls_rates(const double n[AAPOR_GROUPS], double e, struct aapor_rates *o)
{
	double I = n[AAPOR_I], P = n[AAPOR_P], R = n[AAPOR_R], NC = n[AAPOR_NC], O = n[AAPOR_O];
	double U = n[AAPOR_UH] + n[AAPOR_UO], NE = n[AAPOR_NE];
	double known = I + P + R + NC + O;

	memcpy(o->n, n, sizeof o->n);
	o->e_estimated = e < 0;
	if (e < 0)
		e = known + NE > 0 ? known / (known + NE) : 0;
	o->e = e;
	o->rr[0] = ratio(I, known + U);
	o->rr[1] = ratio(I + P, known + U);
	o->rr[2] = ratio(I, known + e * U);
	o->rr[3] = ratio(I + P, known + e * U);
	o->rr[4] = ratio(I, known);
	o->rr[5] = ratio(I + P, known);
	o->coop[0] = ratio(I, I + P + R + O);
	o->coop[1] = ratio(I + P, I + P + R + O);
	o->coop[2] = ratio(I, I + P + R);
	o->coop[3] = ratio(I + P, I + P + R);
	o->ref[0] = ratio(R, known + U);
	o->ref[1] = ratio(R, known + e * U);
	o->ref[2] = ratio(R, known);
	o->con[0] = ratio(I + P + R + O, known + U);
	o->con[1] = ratio(I + P + R + O, known + e * U);
	o->con[2] = ratio(I + P + R + O, known);
}
