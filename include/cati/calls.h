/*
 * calls.h: call outcomes, AAPOR final dispositions, the study's calling rules and response rates.
 * Pure: no clock, no database. The scheduler (store.h: store_next) applies these rules.
 *
 * AAPOR Standard Definitions, telephone surveys: 1.1 complete, 1.2 partial; 2.1x refusal and
 * break-off, 2.2x non-contact, 2.3x other eligible; 3.x unknown eligibility; 4.x not eligible.
 * The 10th edition (2023) splits unknown eligibility into three classes: 3.1x UH (unknown if
 * household), 3.2x UR (household, unknown if an eligible respondent), 3.9x UO (other); the 9th
 * edition (2016) counts 3.2x with UO.
 */
#ifndef CATI_CALLS_H
#define CATI_CALLS_H

#include "cati/util.h"

/* The AAPOR groups the rates are built from (UR only in the 10th edition). */
enum aapor_group {
	AAPOR_I, AAPOR_P, AAPOR_R, AAPOR_NC, AAPOR_O, AAPOR_UH, AAPOR_UR, AAPOR_UO, AAPOR_NE, AAPOR_GROUPS
};

/* The editions of the Standard Definitions cati computes rates by; the first is the default. */
enum { AAPOR_EDITION = 10, AAPOR_EDITION_9 = 9 };

struct disposition {
	const char *code;    /* "2.112" */
	const char *label;
	enum aapor_group group;   /* by the 10th edition */
};

/* The disposition with this code, or NULL. */
const struct disposition *calls_disposition(const char *code);
/* Every disposition, in code order; *n gets the count. */
const struct disposition *calls_dispositions(int *n);
/* d's group by edition (9 or 10): the 9th edition has no UR, its codes count as UO. */
enum aapor_group calls_group(const struct disposition *d, int edition);
/* The group's short name ("I", "UR", ...); "" for a value out of range. */
const char *calls_group_name(enum aapor_group g);

/*
 * What an interviewer's call outcome means. Temporary outcomes (busy, no answer, answering
 * machine, appointment, soft refusal, break-off) leave the case open; final ones close it with
 * their disposition. Either way the attempt is recorded with `disposition`, the code the case
 * would end with if it ended now.
 */
struct call_outcome {
	const char *name;          /* "busy" */
	const char *label;         /* "busy" as the interviewer sees it */
	const char *disposition;   /* "3.12" */
	int final;                 /* 1: the case is closed */
	int contact;               /* 1: someone answered (eligibility known) */
	int ending;                /* 1: a form's ending other than a complete may record it */
};

const struct call_outcome *calls_outcome(const char *name);
const struct call_outcome *calls_outcomes(int *n);
/*
 * The outcome called name if an interview's ending that is not a complete may record it (a
 * final outcome of a call someone answered: refusal, language_barrier, unable, deceased,
 * screened_out, quota_full), else NULL. Forms name it: `screenout NAME if ... outcome refusal`.
 */
const struct call_outcome *calls_ending_outcome(const char *name);
/* Append the names calls_ending_outcome() accepts to out, as "refusal, language_barrier, ...". */
void calls_ending_outcomes(struct buf *out);

/* Calling windows, in the respondent's local time: minutes from midnight, [from, to). */
struct call_window {
	int from, to;
};

enum { CALLS_MAX_GAPS = 16 };

struct call_rules {
	struct call_window weekday, weekend;   /* Mon-Fri, Sat-Sun */
	int max_attempts;
	struct {
		char outcome[32];
		int minutes;
	} gap[CALLS_MAX_GAPS];
	int ngaps;
	int lock_minutes;      /* how long a case given to an interviewer stays theirs */
	int soft_early;        /* a soft appointment comes up this many minutes early */
	char tz[64];           /* for cases without a time zone; "" for the machine's */
	int retention_minutes; /* how long personal data of closed cases is kept; 0: for ever */
};

/* The defaults: Mon-Fri 09:00-20:30, Sat-Sun 09:00-17:00, 10 attempts, busy 15 min, no answer
   and answering machine 3 h, soft refusal 7 days, appointment and break-off 0. */
void calls_rules_default(struct call_rules *r);

/*
 * Read a study file over the defaults. Lines (# comments):
 *   weekdays 09:00-20:30
 *   weekends 09:00-17:00
 *   max-attempts 10
 *   gap busy 15m        (m, h or d)
 *   lock 30m
 *   soft-early 15m
 *   timezone Europe/Vienna
 *   retention 90d       (personal data of closed cases; cati-store erase --retention)
 * Returns 0, or -1 with "file:line: message" in e.
 */
int calls_rules_parse(struct call_rules *r, const char *name, const char *text, struct err *e);

/* Minutes to wait after an attempt with this outcome before the next one. */
int calls_gap(const struct call_rules *r, const char *outcome);

/* Day parts for spreading attempts: bit 0 morning (< 12:00), 1 afternoon (< 17:00), 2 evening,
   3 weekend. */
int calls_daypart(int weekday, int minute);

/* The classes of unknown eligibility that get their own e. */
enum aapor_class { AAPOR_E_UH, AAPOR_E_UR, AAPOR_E_UO, AAPOR_E_CLASSES };

/* Cases counted by AAPOR group (10th edition), with what the proportional e of UR needs. */
struct aapor_counts {
	double n[AAPOR_GROUPS];
	double screened_out;   /* of n[AAPOR_NE]: households without an eligible respondent (4.7x, 4.8x) */
};

/*
 * Count n cases of disposition code into c. Returns the disposition, or NULL for a code cati
 * does not know (not counted: it stays outside the rates).
 */
const struct disposition *calls_count(struct aapor_counts *c, const char *code, double n);

/* How to compute the rates: the edition and the e values given. Zeroed: 10th edition, every e
   estimated. */
struct aapor_opts {
	int edition;                   /* 9 or 10; 0: AAPOR_EDITION */
	double e[AAPOR_E_CLASSES];     /* e per class where given; the 9th edition uses e[AAPOR_E_UH] */
	unsigned given;                /* bit 1u << class: e[class] was given, else estimated */
};

/*
 * Fill o from the user's words: edition "9" or "10" (NULL: the default), e_spec "0.5" (every
 * class) or "UH=0.5,UR=0.8,UO=0.3" (any of the classes, the rest estimated; NULL: all
 * estimated); every e from 0 to 1. The 9th edition takes only one e for all. Returns 0, or -1
 * with the reason in err (for "cati report: --e: ...").
 */
int calls_aapor_opts(struct aapor_opts *o, const char *edition, const char *e_spec, struct err *err);

/* The rates built from the counts. */
struct aapor_rates {
	double n[AAPOR_GROUPS];   /* by the edition's groups: under the 9th, UR is 0 and counted in UO */
	int edition;              /* 9 or 10 */
	/* one e over all unknown cases: the 9th edition's e; under the 10th the mean of the classes'
	   e weighted by their cases (e_UH when there are none), so known + e * U stays the
	   denominator of RR3 */
	double e;
	int e_estimated;          /* 1: every class's e by the proportional method */
	double e_class[AAPOR_E_CLASSES];   /* under the 9th edition all three are e */
	int e_class_estimated[AAPOR_E_CLASSES];
	/* -1 where a denominator is 0 */
	double rr[6], coop[4], ref[3], con[3];
};

/*
 * Compute the rates from counts c by o (NULL: the defaults). e not given is estimated by the
 * proportional method (calls.c says how per class; 0 when nothing is known).
 */
void calls_aapor(const struct aapor_counts *c, const struct aapor_opts *o, struct aapor_rates *out);

/*
 * The 9th edition's rates from counts n[] by group (UR counted as UO) with one e; e < 0:
 * estimate it as (I+P+R+NC+O) / (I+P+R+NC+O+NE), AAPOR's proportional method.
 */
void calls_rates(const double n[AAPOR_GROUPS], double e, struct aapor_rates *out);

#endif
