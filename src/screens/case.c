/*
 * case.c: the case screen: who to call, their local time, history, and the call's outcome.
 * An outcome that closes the case takes its key twice; a closed case says so, and calling it
 * again is confirmed and recorded as a reopening.
 */
#include "desk-int.h"

#include <stdio.h>
#include <string.h>

/* The outcome of each key 2-8 (1 connects, 6 makes an appointment). */
static const char *const outcomes[] = { NULL, NULL, "no_answer", "busy", "answering_machine",
                                        "wrong_number", NULL, "refusal", "language_barrier" };

/* A case whose status no call may change without reopening it. */
static int closed(const struct store_case *c)
{
	static const char *const shut[] = { "done", "complete", "screenout", "refused", "wrong_number",
	                                    "language", "closed" };
	size_t i;

	for (i = 0; i < sizeof shut / sizeof shut[0]; i++)
		if (c->status && !strcmp(c->status, shut[i]))
			return 1;
	return 0;
}

static enum store_rc save_outcome(struct desk *d, struct err *e)
{
	return store_attempt_add(d->st, d->cs.id, d->who, d->cs.phone, outcomes[d->pending - '0'], e);
}

static enum store_rc save_reopen(struct desk *d, struct err *e)
{
	return store_attempt_add(d->st, d->cs.id, d->who, d->cs.phone, "reopened", e);
}

static void case_enter(struct desk *d)
{
	if (d->have_case)
		desk_load_case(d, d->cs.key);
}

/* The label of an outcome key, for the confirmation. */
static const char *label(int k)
{
	const struct call_outcome *o = calls_outcome(outcomes[k - '0']);
	return o ? o->label : outcomes[k - '0'];
}

/* Keys 1-8 once confirmed (or not needing it); returns the next screen. */
static enum desk_screen act(struct desk *d, int k)
{
	if (k == '1') {
		if (closed(&d->cs) && strcmp(d->cs.status, "done") && desk_tx(d, save_reopen) < 0)
			return DESK_CASE;
		return desk_start_interview(d, d->cs.key, DESK_CASE);
	}
	if (k == '6') {
		d->appt_from_interview = 0;
		d->back_to = DESK_CASE;
		return DESK_APPT;
	}
	d->pending = k;
	if (desk_tx(d, save_outcome) < 0) {
		d->pending = 0;
		return DESK_CASE;
	}
	desk_say(d, "Case %s: %s recorded.", d->cs.key, outcomes[k - '0']);
	d->pending = 0;
	return DESK_QUEUE;
}

static enum desk_screen case_key(struct desk *d, int k)
{
	int pending = d->pending;
	const struct call_outcome *o;

	d->pending = 0;
	if (!d->have_case)
		return DESK_QUEUE;
	if (pending) {
		/* the second key of a confirmation: the same key confirms, any other cancels */
		if (k == pending)
			return act(d, k);
		desk_say(d, "%s", "Not recorded.");
		return DESK_CASE;
	}
	if (k == TK_ESC || k == 'q')
		return DESK_QUEUE;
	if (k == TK_CTRL_N) {
		d->back_to = DESK_CASE;
		return DESK_NOTE;
	}
	if (k < '1' || k > '8')
		return DESK_CASE;
	if (closed(&d->cs)) {
		if (!strcmp(d->cs.status, "done")) {
			desk_say(d, "%s", "This case is closed: its interview is complete.");
			return DESK_CASE;
		}
		if (k != '1') {
			desk_say(d, "This case is closed (%s): press 1 to call it again.", d->cs.status);
			return DESK_CASE;
		}
		d->pending = k;
		desk_say(d, "%s", "Press 1 again to call this closed case again (it is recorded as reopened); any other key cancels.");
		return DESK_CASE;
	}
	o = k == '1' || k == '6' ? NULL : calls_outcome(outcomes[k - '0']);
	if (o && o->final) {
		d->pending = k;
		desk_say(d, "Press %c again to record %s: it closes the case. Any other key cancels.", k, label(k));
		return DESK_CASE;
	}
	return act(d, k);
}

/* The respondent's local time, from the case's time zone. */
static void local_time(const char *tz, time_t now, char *out, size_t n)
{
	struct tm tm;

	zone_localtime(tz, now, &tm);
	strftime(out, n, "%a %H:%M", &tm);
}

static void case_draw(struct desk *d, struct view *v)
{
	char lt[32];
	int row = 2;

	desk_put(v, 0, VIEW_BAR, " cati \xE2\x94\x82 %s \xE2\x94\x82 case %s", d->who, d->have_case ? d->cs.key : "");
	if (!d->have_case)
		return;
	local_time(d->cs.tz, (time_t)(store_clock_ms(d->st) / 1000), lt, sizeof lt);
	desk_put(v, row++, VIEW_TITLE, " %s", d->cs.name && *d->cs.name ? d->cs.name : "(no name)");
	desk_put(v, row++, VIEW_READ, " Phone: %s", d->cs.phone);
	desk_put(v, row++, VIEW_PLAIN, " Local time of the respondent: %s (%s)", lt,
	         d->cs.tz && *d->cs.tz ? d->cs.tz : "this workstation's zone");
	if (closed(&d->cs))
		desk_put(v, row++, VIEW_ERROR, " This case is closed: %s.", d->cs.status);
	else
		desk_put(v, row++, VIEW_DIM, " Status: %s", d->cs.status);
	row++;
	desk_put(v, row++, VIEW_TITLE, " Appointments");
	row += desk_put_lines(v, row, 2, buf_str(&d->appts), "none");
	desk_put(v, row++, VIEW_TITLE, " Call attempts");
	row += desk_put_lines(v, row, 4, buf_str(&d->attempts), "none yet");
	desk_put(v, row++, VIEW_TITLE, " Notes");
	desk_put_lines(v, row, 3, buf_str(&d->notes), "none");
	desk_put(v, v->height - 4, VIEW_PLAIN, " Call outcome: 1 connected  2 no answer  3 busy  4 answering machine");
	desk_put(v, v->height - 3, VIEW_PLAIN, "               5 wrong/dead number  6 appointment  7 refusal  8 language barrier");
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_put(v, v->height - 1, VIEW_BAR, "1-8 call outcome  ^N note  Esc back to the list  F1 help");
}

const struct desk_mode desk_case_mode = {
	.name = "case",
	.enter = case_enter,
	.key = case_key,
	.draw = case_draw,
};
