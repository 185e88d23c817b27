/* calls.c: call outcomes, AAPOR dispositions, calling rules, response rates. Pure. */
#include "cati/calls.h"
#include "cati/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * AAPOR Standard Definitions, final dispositions for telephone surveys (the codes CATI uses),
 * grouped by the 10th edition (2023): 3.1x UH, 3.2x UR, 3.9x UO. The 9th edition (2016) has
 * 3.2x in UO (calls_group).
 */
static const struct disposition dispositions[] = {
	{ "1.1", N_("complete"), AAPOR_I },
	{ "1.2", N_("partial"), AAPOR_P },
	{ "2.11", N_("refusal"), AAPOR_R },
	{ "2.111", N_("household-level refusal"), AAPOR_R },
	{ "2.112", N_("known-respondent refusal"), AAPOR_R },
	{ "2.12", N_("break-off"), AAPOR_R },
	{ "2.20", N_("non-contact"), AAPOR_NC },
	{ "2.21", N_("respondent never available"), AAPOR_NC },
	{ "2.22", N_("answering machine, message confirms the respondent"), AAPOR_NC },
	{ "2.30", N_("other eligible non-interview"), AAPOR_O },
	{ "2.31", N_("dead"), AAPOR_O },
	{ "2.32", N_("physically or mentally unable"), AAPOR_O },
	{ "2.33", N_("language"), AAPOR_O },
	{ "2.332", N_("respondent language problem"), AAPOR_O },
	{ "2.36", N_("miscellaneous"), AAPOR_O },
	{ "3.11", N_("not attempted"), AAPOR_UH },
	{ "3.12", N_("always busy"), AAPOR_UH },
	{ "3.13", N_("no answer"), AAPOR_UH },
	{ "3.14", N_("answering machine, eligibility unknown"), AAPOR_UH },
	{ "3.16", N_("technical phone problems"), AAPOR_UH },
	{ "3.20", N_("household, eligibility of respondent unknown"), AAPOR_UR },
	{ "3.21", N_("no screener completed"), AAPOR_UR },
	{ "3.90", N_("other unknown eligibility (wrong number, respondent not traced)"), AAPOR_UO },
	{ "4.10", N_("out of sample"), AAPOR_NE },
	{ "4.20", N_("fax or data line"), AAPOR_NE },
	{ "4.30", N_("non-working or disconnected number"), AAPOR_NE },
	{ "4.70", N_("no eligible respondent (screened out)"), AAPOR_NE },
	{ "4.80", N_("quota filled"), AAPOR_NE },
	{ "4.90", N_("other not eligible"), AAPOR_NE },
};

static const struct call_outcome outcomes[] = {
	/* name, label, disposition, final, contact, ending */
	{ "complete", N_("complete"), "1.1", 1, 1, 0 },
	{ "partial", N_("partial (study closed)"), "1.2", 1, 1, 0 },
	{ "breakoff", N_("break-off (resumable)"), "2.12", 0, 1, 0 },
	{ "refusal", N_("refusal"), "2.112", 1, 1, 1 },
	{ "soft_refusal", N_("soft refusal (convert later)"), "2.112", 0, 1, 0 },
	{ "appointment", N_("appointment"), "2.21", 0, 1, 0 },
	{ "no_answer", N_("no answer"), "3.13", 0, 0, 0 },
	{ "busy", N_("busy"), "3.12", 0, 0, 0 },
	{ "answering_machine", N_("answering machine"), "3.14", 0, 0, 0 },
	{ "wrong_number", N_("wrong number"), "3.90", 1, 0, 0 },
	{ "disconnected", N_("number not in service"), "4.30", 1, 0, 0 },
	{ "fax", N_("fax or data line"), "4.20", 1, 0, 0 },
	{ "language_barrier", N_("language barrier"), "2.332", 1, 1, 1 },
	{ "unable", N_("unable to do an interview"), "2.32", 1, 1, 1 },
	{ "deceased", N_("deceased"), "2.31", 1, 1, 1 },
	{ "screened_out", N_("screened out"), "4.70", 1, 1, 1 },
	{ "quota_full", N_("quota filled"), "4.80", 1, 1, 1 },
	/* a refusal that also puts the case's numbers on the do-not-call list */
	{ "do_not_call", N_("refusal: do not call again"), "2.112", 1, 1, 1 },
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

/* d's group by edition: the 9th has no UR class and counts its codes as UO. */
enum aapor_group calls_group(const struct disposition *d, int edition)
{
	return edition == AAPOR_EDITION_9 && d->group == AAPOR_UR ? AAPOR_UO : d->group;
}

/* The group's short name, as the reports print it. */
const char *calls_group_name(enum aapor_group g)
{
	static const char *const names[AAPOR_GROUPS] = { "I", "P", "R", "NC", "O", "UH", "UR", "UO", "NE" };

	return (int)g >= 0 && g < AAPOR_GROUPS ? names[g] : "";
}

/* Count n cases of code by its group; households screened out are counted apart as well. */
const struct disposition *calls_count(struct aapor_counts *c, const char *code, double n)
{
	const struct disposition *d = calls_disposition(code);

	if (!d)
		return NULL;
	c->n[d->group] += n;
	if (!strncmp(d->code, "4.7", 3) || !strncmp(d->code, "4.8", 3))
		c->screened_out += n;
	return d;
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
			err_set(e, _("%s:%d: the line is too long"), name, line);
			return -1;
		}
		if ((!strcmp(key, "weekdays") || !strcmp(key, "weekends")) && n == 2) {
			if (parse_window(a, key[4] == 'd' ? &r->weekday : &r->weekend) < 0) {
				err_set(e, _("%s:%d: '%s' is not a calling window like 09:00-20:30"), name, line, a);
				return -1;
			}
		} else if (!strcmp(key, "max-attempts") && n == 2) {
			char *end;
			long v = strtol(a, &end, 10);
			if (*end || v < 1 || v > 1000) {
				err_set(e, _("%s:%d: max-attempts wants a number from 1 to 1000"), name, line);
				return -1;
			}
			r->max_attempts = (int)v;
		} else if (!strcmp(key, "gap") && n == 3) {
			if (!calls_outcome(a)) {
				err_set(e, _("%s:%d: '%s' is not a call outcome (busy, no_answer, answering_machine, soft_refusal, ...)"),
				        name, line, a);
				return -1;
			}
			if (parse_duration(b, &minutes) < 0) {
				err_set(e, _("%s:%d: '%s' is not a duration like 15m, 3h or 7d"), name, line, b);
				return -1;
			}
			set_gap(r, a, minutes);
		} else if (!strcmp(key, "retention") && n == 2) {
			if (parse_duration(a, &minutes) < 0 || minutes == 0) {
				err_set(e, _("%s:%d: '%s' is not a retention like 90d"), name, line, a);
				return -1;
			}
			r->retention_minutes = minutes;
		} else if ((!strcmp(key, "lock") || !strcmp(key, "soft-early")) && n == 2) {
			if (parse_duration(a, &minutes) < 0) {
				err_set(e, _("%s:%d: '%s' is not a duration like 15m, 3h or 7d"), name, line, a);
				return -1;
			}
			*(key[0] == 'l' ? &r->lock_minutes : &r->soft_early) = minutes;
		} else if (!strcmp(key, "timezone") && n == 2) {
			if (strlen(a) >= sizeof r->tz) {
				err_set(e, _("%s:%d: the time zone name is too long"), name, line);
				return -1;
			}
			snprintf(r->tz, sizeof r->tz, "%.63s", a);
		} else {
			err_set(e, _("%s:%d: '%s' is not a rule here (weekdays, weekends, max-attempts, gap, lock, soft-early, timezone)"),
			        name, line, buf);
			return -1;
		}
	}
	return 0;
}

/* "9" or "10" into o->edition. */
static int parse_edition(struct aapor_opts *o, const char *s, struct err *err)
{
	if (!s)
		o->edition = AAPOR_EDITION;
	else if (!strcmp(s, "9") || !strcmp(s, "10"))
		o->edition = s[1] ? AAPOR_EDITION : AAPOR_EDITION_9;
	else {
		err_set(err, _("'%s' is not an edition of the AAPOR Standard Definitions cati computes (9 or 10)"), s);
		return -1;
	}
	return 0;
}

/* A number from 0 to 1 ending at end (or at the string's end when end is NULL). */
static int parse_e(const char *s, const char *end, double *v)
{
	char buf[64], *stop;
	size_t len = end ? (size_t)(end - s) : strlen(s);

	if (!len || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtod(buf, &stop);
	return *stop || errno || !(*v >= 0 && *v <= 1) ? -1 : 0;
}

/* The edition and the e values given, from an option's or a query parameter's words. */
int calls_aapor_opts(struct aapor_opts *o, const char *edition, const char *e_spec, struct err *err)
{
	static const char *const classes[AAPOR_E_CLASSES] = { "UH", "UR", "UO" };
	const char *p = e_spec;
	double v;
	int k;

	memset(o, 0, sizeof *o);
	if (parse_edition(o, edition, err) < 0)
		return -1;
	if (!e_spec)
		return 0;
	if (!strchr(e_spec, '=')) {
		if (parse_e(e_spec, NULL, &v) < 0) {
			err_set(err, _("'%s' is not a number from 0 to 1"), e_spec);
			return -1;
		}
		for (k = 0; k < AAPOR_E_CLASSES; k++)
			o->e[k] = v;
		o->given = (1u << AAPOR_E_CLASSES) - 1;
		return 0;
	}
	if (o->edition == AAPOR_EDITION_9) {
		err_set(err, _("'%s': the 9th edition has one e for every unknown case; give one number, or use the 10th"), e_spec);
		return -1;
	}
	while (*p) {
		const char *eq = strchr(p, '='), *comma = strchr(p, ',');
		if (!comma)
			comma = p + strlen(p);
		for (k = 0; eq && eq < comma && k < AAPOR_E_CLASSES; k++)
			if ((size_t)(eq - p) == strlen(classes[k]) && !strncmp(p, classes[k], (size_t)(eq - p)))
				break;
		if (!eq || eq > comma || k == AAPOR_E_CLASSES) {
			err_set(err, _("'%.*s' is not CLASS=E with a class of unknown eligibility (UH, UR, UO)"), (int)(comma - p), p);
			return -1;
		}
		if (o->given & (1u << k)) {
			err_set(err, _("%s is given twice"), classes[k]);
			return -1;
		}
		if (parse_e(eq + 1, comma, &v) < 0) {
			err_set(err, _("%s: '%.*s' is not a number from 0 to 1"), classes[k], (int)(comma - eq - 1), eq + 1);
			return -1;
		}
		o->e[k] = v;
		o->given |= 1u << k;
		p = *comma ? comma + 1 : comma;
	}
	return 0;
}

static double ratio(double num, double den)
{
	return den > 0 ? num / den : -1;
}

/*
 * The rates of AAPOR's Standard Definitions, section "Calculating outcome rates from final
 * disposition codes" (response, cooperation, refusal and contact rates), with
 * known = (I+P) + (R+NC+O):
 *
 *   9th edition (2016), one e:              U' = e(UH+UO)                    (3.2x counted in UO)
 *   10th edition (2023), e per class:       U' = e_UH*UH + e_UR*UR + e_UO*UO
 *
 *   RR1 = I / (known + UH+UR+UO)            RR2 = (I+P) / (known + UH+UR+UO)
 *   RR3 = I / (known + U')                  RR4 = (I+P) / (known + U')
 *   RR5 = I / known                         RR6 = (I+P) / known
 *   COOP1 = I / ((I+P)+R+O)                 COOP2 = (I+P) / ((I+P)+R+O)
 *   COOP3 = I / ((I+P)+R)                   COOP4 = (I+P) / ((I+P)+R)
 *   REF1 = R / (known + UH+UR+UO)           REF2 = R / (known + U')         REF3 = R / known
 *   CON1 = ((I+P)+R+O) / (known + UH+UR+UO) CON2 = ((I+P)+R+O) / (known + U')
 *   CON3 = ((I+P)+R+O) / known
 *
 * e not given, the proportional method (the eligible share among the cases whose eligibility
 * was settled; 0 when none was):
 *   9th edition: e = known / (known + NE)
 *   10th edition: e_UH = e_UO = known / (known + NE); e_UR = known / (known + NE_s), NE_s the
 *   households found without an eligible respondent (4.7x screened out, 4.8x quota filled):
 *   a UR case is a household, so numbers that are not one (4.1x-4.3x, 4.9x) do not count.
 */
void calls_aapor(const struct aapor_counts *c, const struct aapor_opts *o, struct aapor_rates *out)
{
	static const enum aapor_group unknown[AAPOR_E_CLASSES] = { AAPOR_UH, AAPOR_UR, AAPOR_UO };
	const double *n = out->n;
	double I, P, R, NC, O, U, NE, known, e_all, e_ur, eU;
	int k, given;

	memset(out, 0, sizeof *out);
	memcpy(out->n, c->n, sizeof out->n);
	out->edition = o && o->edition ? o->edition : AAPOR_EDITION;
	if (out->edition == AAPOR_EDITION_9) {
		out->n[AAPOR_UO] += out->n[AAPOR_UR];
		out->n[AAPOR_UR] = 0;
	}
	I = n[AAPOR_I], P = n[AAPOR_P], R = n[AAPOR_R], NC = n[AAPOR_NC], O = n[AAPOR_O];
	U = n[AAPOR_UH] + n[AAPOR_UR] + n[AAPOR_UO], NE = n[AAPOR_NE];
	known = I + P + R + NC + O;
	e_all = known + NE > 0 ? known / (known + NE) : 0;
	e_ur = known + c->screened_out > 0 ? known / (known + c->screened_out) : 0;
	out->e_estimated = 1;
	for (k = 0; k < AAPOR_E_CLASSES; k++) {
		/* the 9th edition's one e is the one given for UH (calls_aapor_opts gives all or none) */
		given = o && (o->given & (1u << (out->edition == AAPOR_EDITION_9 ? AAPOR_E_UH : k)));
		if (given)
			out->e_class[k] = o->e[out->edition == AAPOR_EDITION_9 ? AAPOR_E_UH : k];
		else
			out->e_class[k] = out->edition == AAPOR_EDITION_9 || k != AAPOR_E_UR ? e_all : e_ur;
		out->e_class_estimated[k] = !given;
		out->e_estimated &= !given;
	}
	if (out->edition == AAPOR_EDITION_9) {
		out->e = out->e_class[AAPOR_E_UH];
		eU = out->e * U;   /* as cati computed it before the 10th edition, to the last bit */
	} else {
		eU = 0;
		for (k = 0; k < AAPOR_E_CLASSES; k++)
			eU += out->e_class[k] * n[unknown[k]];
		out->e = U > 0 ? eU / U : out->e_class[AAPOR_E_UH];
	}
	out->rr[0] = ratio(I, known + U);
	out->rr[1] = ratio(I + P, known + U);
	out->rr[2] = ratio(I, known + eU);
	out->rr[3] = ratio(I + P, known + eU);
	out->rr[4] = ratio(I, known);
	out->rr[5] = ratio(I + P, known);
	out->coop[0] = ratio(I, I + P + R + O);
	out->coop[1] = ratio(I + P, I + P + R + O);
	out->coop[2] = ratio(I, I + P + R);
	out->coop[3] = ratio(I + P, I + P + R);
	out->ref[0] = ratio(R, known + U);
	out->ref[1] = ratio(R, known + eU);
	out->ref[2] = ratio(R, known);
	out->con[0] = ratio(I + P + R + O, known + U);
	out->con[1] = ratio(I + P + R + O, known + eU);
	out->con[2] = ratio(I + P + R + O, known);
}

/* The 9th edition with one e (e < 0: estimated), from counts by group. */
void calls_rates(const double n[AAPOR_GROUPS], double e, struct aapor_rates *out)
{
	struct aapor_counts c;
	struct aapor_opts o;
	int k;

	memset(&c, 0, sizeof c);
	memcpy(c.n, n, sizeof c.n);
	memset(&o, 0, sizeof o);
	o.edition = AAPOR_EDITION_9;
	if (e >= 0) {
		for (k = 0; k < AAPOR_E_CLASSES; k++)
			o.e[k] = e;
		o.given = (1u << AAPOR_E_CLASSES) - 1;
	}
	calls_aapor(&c, &o, out);
}
