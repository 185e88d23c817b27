/*
 * case.c: the case screen: who to call, their local time, history, and the call's outcome.
 * An outcome that closes the case takes its key twice; a closed case says so, and calling it
 * again is confirmed and recorded as a reopening.
 */
#include "desk-int.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <string.h>

/* The outcome of each key 2-9 (1 connects, 6 makes an appointment). */
static const char *const outcomes[] = { NULL, NULL, N_("no_answer"), N_("busy"), N_("answering_machine"),
                                        N_("wrong_number"), NULL, N_("refusal"), N_("language_barrier"),
                                        N_("do_not_call") };

/* A case whose status no call may change without reopening it. */
static int closed(const struct store_case *c)
{
	static const char *const shut[] = { N_("done"), N_("complete"), N_("screenout"), N_("refused"),
	                                    N_("wrong_number"), N_("language"), N_("closed") };
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
	return o ? _(o->label) : _(outcomes[k - '0']);
}

/* Keys 1-9 once confirmed (or not needing it); returns the next screen. */
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
	desk_say(d, _("Case %s: %s recorded."), d->cs.key, desk_word(outcomes[k - '0']));
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
		desk_say(d, "%s", _("Not recorded."));
		return DESK_CASE;
	}
	if (k == TK_ESC || k == 'q')
		return DESK_QUEUE;
	if (k == TK_CTRL_N) {
		d->back_to = DESK_CASE;
		return DESK_NOTE;
	}
	if (k < '1' || k > '9')
		return DESK_CASE;
	if (closed(&d->cs)) {
		if (!strcmp(d->cs.status, "done")) {
			desk_say(d, "%s", _("This case is closed: its interview is complete."));
			return DESK_CASE;
		}
		if (k != '1') {
			desk_say(d, _("This case is closed (%s): press 1 to call it again."), desk_word(d->cs.status));
			return DESK_CASE;
		}
		d->pending = k;
		desk_say(d, "%s", _("Press 1 again to call this closed case again (it is recorded as reopened); any other key cancels."));
		return DESK_CASE;
	}
	o = k == '1' || k == '6' ? NULL : calls_outcome(outcomes[k - '0']);
	if (o && o->final) {
		d->pending = k;
		desk_say(d, _("Press %c again to record %s: it closes the case. Any other key cancels."), k, label(k));
		return DESK_CASE;
	}
	return act(d, k);
}

/* The respondent's local time, from the case's time zone. */
static void local_time(const char *tz, time_t now, char *out, size_t n)
{
	struct tm tm;

	static const char *const wday[] = { N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"),
	                                    N_("Fri"), N_("Sat") };

	zone_localtime(tz, now, &tm);
	/* the day's name in the interface language; the clock as everywhere (14:05) */
	snprintf(out, n, "%s %02d:%02d", _(wday[tm.tm_wday % 7]), tm.tm_hour, tm.tm_min);
}

/* The outcome keys on two rows from row, after a heading; a key is never split between rows. */
static void outcome_keys(struct view *v, int row)
{
	static const char *const keys[] = { N_("1 connected"), N_("2 no answer"), N_("3 busy"),
	                                    N_("4 answering machine"), N_("5 wrong/dead number"),
	                                    N_("6 appointment"), N_("7 refusal"), N_("8 language barrier"),
	                                    N_("9 do not call again") };
	const char *head = _("Call outcome:");
	int indent = 2 + view_width(head, strlen(head)), w = indent, i, n = 0;
	struct buf b;

	buf_init(&b);
	buf_printf(&b, " %s", head);
	for (i = 0; i < 9; i++) {
		const char *k = _(keys[i]);
		int kw = view_width(k, strlen(k));

		if (n && w + 2 + kw > v->width && row < v->height - 3) {
			view_set(v, row++, VIEW_PLAIN, buf_str(&b));
			buf_reset(&b);
			for (w = 0; w < indent - 1; w++)
				buf_putc(&b, ' ');
			n = 0;
		}
		buf_puts(&b, n ? "  " : " ");
		buf_puts(&b, k);
		w += (n ? 2 : 1) + kw;
		n++;
	}
	view_set(v, row, VIEW_PLAIN, buf_str(&b));
	buf_release(&b);
}

/* What the case's history lists hold: each line begins with an ISO date. */
enum history { H_APPOINTMENTS, H_ATTEMPTS, H_NOTES };

/*
 * The store's history lines as the interviewer reads them: the date in the local convention,
 * an attempt's outcome and an appointment's kind in the interface language.
 */
static void localize(const char *text, enum history kind, struct buf *out)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], date[1100];
		const char *rest;

		snprintf(line, sizeof line, "%.*s", (int)len, p);
		i18n_date(date, sizeof date, line);
		rest = date;
		if (kind == H_ATTEMPTS && (rest = strstr(date, "  ")) != NULL) {
			/* "31.12.2026 14:00  no_answer  (anna)" */
			const char *end = strstr(rest + 2, "  (");
			size_t n = end ? (size_t)(end - rest - 2) : strlen(rest + 2);
			char code[64];

			snprintf(code, sizeof code, "%.*s", (int)n, rest + 2);
			buf_add(out, date, (size_t)(rest - date) + 2);
			buf_puts(out, desk_word(code));
			buf_puts(out, end ? end : "");
		} else if (kind == H_APPOINTMENTS) {
			/* "31.12.2026 14:00 (hard) with Anna" */
			const char *hard = strstr(date, " (hard)"), *around = strstr(date, " (around)");
			const char *mark = hard ? hard : around, *with;

			if (mark) {
				buf_add(out, date, (size_t)(mark - date));
				buf_puts(out, hard ? _(" (hard)") : _(" (around)"));
				with = mark + (hard ? 7 : 9);
				if (!strncmp(with, " with ", 6)) {
					buf_puts(out, _(" with "));
					with += 6;
				}
				buf_puts(out, with);
			} else {
				buf_puts(out, date);
			}
		} else {
			buf_puts(out, date);
		}
		buf_putc(out, '\n');
		p = nl ? nl + 1 : p + len;
	}
}

static void case_draw(struct desk *d, struct view *v)
{
	char lt[32];
	int row = 2;
	struct buf shown;

	desk_put(v, 0, VIEW_BAR, _(" cati \xE2\x94\x82 %s \xE2\x94\x82 case %s"), d->who, d->have_case ? d->cs.key : "");
	if (!d->have_case)
		return;
	local_time(d->cs.tz, (time_t)(store_clock_ms(d->st) / 1000), lt, sizeof lt);
	desk_put(v, row++, VIEW_TITLE, " %s", d->cs.name && *d->cs.name ? d->cs.name : _("(no name)"));
	desk_put(v, row++, VIEW_READ, _(" Phone: %s"), d->cs.phone);
	desk_put(v, row++, VIEW_PLAIN, _(" Local time of the respondent: %s (%s)"), lt,
	         d->cs.tz && *d->cs.tz ? d->cs.tz : _("this workstation's zone"));
	if (closed(&d->cs))
		desk_put(v, row++, VIEW_ERROR, _(" This case is closed: %s."), desk_word(d->cs.status));
	else
		desk_put(v, row++, VIEW_DIM, _(" Status: %s"), desk_word(d->cs.status));
	row++;
	buf_init(&shown);
	localize(buf_str(&d->appts), H_APPOINTMENTS, &shown);
	desk_put(v, row++, VIEW_TITLE, _(" Appointments"));
	row += desk_put_lines(v, row, 2, buf_str(&shown), _("none"));
	buf_reset(&shown);
	localize(buf_str(&d->attempts), H_ATTEMPTS, &shown);
	desk_put(v, row++, VIEW_TITLE, _(" Call attempts"));
	row += desk_put_lines(v, row, 4, buf_str(&shown), _("none yet"));
	buf_reset(&shown);
	localize(buf_str(&d->notes), H_NOTES, &shown);
	desk_put(v, row++, VIEW_TITLE, _(" Notes"));
	desk_put_lines(v, row, 3, buf_str(&shown), _("none"));
	buf_release(&shown);
	outcome_keys(v, v->height - 5);
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_keys(v, _("1-9 call outcome"), 0, _("^N note"), 2, _("Esc back to the list"), 1, _("F1 help"), 0, (const char *)NULL);
}

const struct desk_mode desk_case_mode = {
	.name = "case",
	.enter = case_enter,
	.key = case_key,
	.draw = case_draw,
};
