/*
 * appointment.c: the appointment dialog, from the case screen or from a break-off: date, time,
 * with whom, hard or soft. Each field keeps its own text and cursor.
 */
#include "desk-int.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <string.h>

enum { F_DATE, F_TIME, F_WITH, F_KIND };

/* How many bytes each field may hold (with its NUL). */
static const size_t caps[] = { 16, 8, 64 };

static int64_t appt_case(struct desk *d)
{
	return d->sess ? session_case(d->sess)->id : d->cs.id;
}

static enum store_rc save_appt(struct desk *d, struct err *e)
{
	char at[32], date[11], typed[32];
	const char *phone = d->sess ? session_case(d->sess)->phone : d->cs.phone;
	double days;
	int hh, mm;
	enum store_rc rc;

	if (form_input_date(view_local_date(d->appt[F_DATE].text, typed, sizeof typed), &days, e) < 0 ||
	    form_input_time(d->appt[F_TIME].text, &hh, &mm, e) < 0)
		return STORE_ERROR;
	form_date_format(days, date);
	snprintf(at, sizeof at, "%s %02d:%02d", date, hh, mm);
	rc = store_appointment_add(d->st, appt_case(d), d->who, at, d->appt_hard, d->appt[F_WITH].text, e);
	if (rc == STORE_OK)
		rc = store_attempt_add(d->st, appt_case(d), d->who, phone, "appointment", e);
	/* from an interview: suspended with the appointment, in the same transaction */
	if (rc == STORE_OK && d->appt_from_interview)
		rc = session_suspend_tx(d->sess, "appointment", e);
	return rc;
}

static void appt_enter(struct desk *d)
{
	int i;

	for (i = 0; i < 3; i++)
		desk_field_clear(&d->appt[i]);
	d->appt_field = F_DATE;
	d->appt_hard = 1;
}

/* Check the fields; on a mistake say what is wrong and put the focus (and its cursor) there. */
static int appt_valid(struct desk *d)
{
	struct err e;
	double days;
	int hh, mm;
	char typed[32];

	err_init(&e);
	if (!d->appt[F_DATE].text[0] ||
	    form_input_date(view_local_date(d->appt[F_DATE].text, typed, sizeof typed), &days, &e) < 0) {
		desk_say(d, _("Enter the date as D.M.YYYY or YYYY-MM-DD%s%s."), e.set ? ": " : "", e.set ? e.msg : "");
		d->appt_field = F_DATE;
		return 0;
	}
	if (!d->appt[F_TIME].text[0] || form_input_time(d->appt[F_TIME].text, &hh, &mm, &e) < 0) {
		desk_say(d, _("Enter the time as HH:MM (9:30 or 14:05)%s%s."), e.set ? ": " : "", e.set ? e.msg : "");
		d->appt_field = F_TIME;
		return 0;
	}
	return 1;
}

static enum desk_screen appt_save(struct desk *d)
{
	if (!appt_valid(d))
		return DESK_APPT;
	if (d->appt_from_interview) {
		if (desk_tx(d, save_appt) < 0)
			return DESK_APPT;
		desk_say(d, "%s", _("Appointment saved; the interview is suspended."));
		return desk_close_interview(d);
	}
	if (desk_tx(d, save_appt) < 0)
		return DESK_APPT;
	desk_say(d, _("Appointment saved for case %s."), d->cs.key);
	return DESK_QUEUE;
}

static enum desk_screen appt_key(struct desk *d, int k)
{
	struct desk_field *f;

	if (k == TK_ESC)
		return d->appt_from_interview ? DESK_INTERVIEW : DESK_CASE;
	if (k == TK_TAB || k == TK_DOWN) {
		d->appt_field = (d->appt_field + 1) % 4;
		return DESK_APPT;
	}
	if (k == TK_UP) {
		d->appt_field = (d->appt_field + 3) % 4;
		return DESK_APPT;
	}
	if (k == TK_ENTER)
		return appt_save(d);
	if (d->appt_field == F_KIND) {
		if (k == ' ')
			d->appt_hard = !d->appt_hard;
		return DESK_APPT;
	}
	f = &d->appt[d->appt_field];
	view_edit(f->text, caps[d->appt_field], &f->cursor, k);
	return DESK_APPT;
}

static void appt_draw(struct desk *d, struct view *v)
{
	static const char *const labels[] = { N_("Date (D.M.YYYY):"), N_("Time (HH:MM):"), N_("With whom:"),
	                                      N_("Kind:") };
	const char *key = d->sess ? session_case(d->sess)->key : d->have_case ? d->cs.key : "";
	int i, col = 21;

	desk_put(v, 0, VIEW_BAR, _(" Appointment for case %s"), key);
	/* the labels in one column as wide as the widest, plus a space (21 in English) */
	for (i = 0; i < 4; i++) {
		int w = view_width(_(labels[i]), strlen(_(labels[i])));
		if (w + 3 > col)
			col = w + 3;
	}
	for (i = 0; i < 4; i++) {
		struct buf b;

		buf_init(&b);
		buf_putc(&b, ' ');
		view_cell(&b, _(labels[i]), col - 1);
		if (i < F_KIND)
			buf_puts(&b, d->appt[i].text);
		else
			buf_printf(&b, _("%s  (Space changes)"),
			           d->appt_hard ? _("hard: call at that minute") : _("soft: call around that time"));
		view_set(v, 3 + i, d->appt_field == i ? VIEW_INPUT : VIEW_PLAIN, buf_str(&b));
		buf_release(&b);
	}
	desk_put(v, 8, VIEW_DIM, _(" Times are the respondent's local time."));
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_keys(v, _("Tab next field"), 1, _("Enter save"), 0, _("Esc cancel"), 0, (const char *)NULL);
	if (d->appt_field < F_KIND) {
		const struct desk_field *f = &d->appt[d->appt_field];
		v->cursor_row = 3 + d->appt_field;
		v->cursor_col = col + view_width(f->text, (size_t)f->cursor);
	}
}

const struct desk_mode desk_appt_mode = {
	.name = "appointment",
	.enter = appt_enter,
	.key = appt_key,
	.draw = appt_draw,
};
