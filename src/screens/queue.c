/* queue.c: the case list: the next case to call, search, status filter, the cases to open. */
#include "desk-int.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <string.h>

/* Entering the list: load the cases. */
static void queue_enter(struct desk *d)
{
	desk_load_queue(d);
}

/* Take the next case to call: no one else gets it, at the store too when it can be reached. */
static enum desk_screen take_next(struct desk *d)
{
	struct store_next_pick p;
	struct err e;
	enum sync_rc rc;
	int shared;

	err_init(&e);
	rc = sync_take_next(d->st, desk_online(d) ? sync_bg_settings(d->sync) : NULL, d->who,
	                    sync_bg_password(d->sync), d->sync, &d->rules, &p, NULL, &shared, &e);
	if (rc == SYNC_NONE) {
		desk_say(d, "%s", _("No case to call now: outside calling hours, waiting for gaps or appointments."));
		return DESK_QUEUE;
	}
	if (rc != SYNC_OK) {
		desk_say(d, "%s", rc == SYNC_TAKEN ? _("That case was just taken; press N again.") : e.msg);
		return DESK_QUEUE;
	}
	desk_load_case(d, p.key);
	return d->have_case ? DESK_CASE : DESK_QUEUE;
}

/* A key on the list: move, filter, search, take the next case or open one. */
static enum desk_screen queue_key(struct desk *d, int k)
{
	if (d->filtering) {
		if (k == TK_ENTER || k == TK_ESC) {
			d->filtering = 0;
		} else if (view_edit(d->filter, sizeof d->filter, &d->filter_cursor, k)) {
			d->hl = 0;
			desk_load_queue(d);
		}
		return DESK_QUEUE;
	}
	switch (k) {
	case TK_UP:
		if (d->hl > 0)
			d->hl--;
		break;
	case TK_DOWN:
		if (d->hl < d->nrows - 1)
			d->hl++;
		break;
	case TK_PGUP:
		d->hl = d->hl > 10 ? d->hl - 10 : 0;
		break;
	case TK_PGDN:
		d->hl = d->hl + 10 < d->nrows ? d->hl + 10 : (d->nrows ? d->nrows - 1 : 0);
		break;
	case '/':
		d->filtering = 1;
		d->filter_cursor = (int)strlen(d->filter);
		break;
	case TK_TAB:
		d->status_filter = (d->status_filter + 1) % desk_status_filters();
		d->hl = 0;
		desk_load_queue(d);
		break;
	case 'n':
	case 'N':
		return take_next(d);
	case TK_ENTER:
		if (d->nrows && d->hl < d->nrows) {
			desk_load_case(d, d->rows[d->hl].key);
			if (d->have_case)
				return DESK_CASE;
		}
		break;
	case 'l':
	case 'L':
		return DESK_SYNCLOG;
	case 'q':
	case 'Q':
		/* log out: the next interviewer logs in on this screen */
		sync_bg_stop(d->sync);
		d->sync = NULL;
		d->who[0] = '\0';
		return DESK_LOGIN;
	default:
		break;
	}
	return DESK_QUEUE;
}

/* When an appointment is due, as a countdown (or how late it is). */
static void when(const struct desk *d, const struct store_case_row *r, int width, char *out, size_t n)
{
	long long dt, m;
	const char *at;
	char day[40];

	i18n_date(out, n, r->appointment);
	if (!r->appointment[0] || !r->appointment_utc)
		return;
	dt = (long long)r->appointment_utc - store_clock_ms(d->st) / 1000;
	m = (dt < 0 ? -dt : dt) / 60;
	/* on a narrow screen the time of day only */
	at = width < 100 && strlen(r->appointment) > 11 ? r->appointment + 11 : i18n_date(day, sizeof day, r->appointment);
	/* TRANSLATORS: a countdown to an appointment: "14:00 in 2d3h", "14:00 due 0h05m ago" */
	if (m >= 24 * 60 && dt < 0)
		snprintf(out, n, _("%s due %lldd%lldh ago"), at, m / 1440, m / 60 % 24);
	else if (m >= 24 * 60)
		snprintf(out, n, _("%s in %lldd%lldh"), at, m / 1440, m / 60 % 24);
	else if (dt < 0)
		snprintf(out, n, _("%s due %lldh%02lldm ago"), at, m / 60, m % 60);
	else
		snprintf(out, n, _("%s in %lldh%02lldm"), at, m / 60, m % 60);
}

/* One row of the list, or the header (r NULL), with the columns' widths. */
static void row_text(struct buf *b, const char *key, const char *name, const char *status,
                     const char *att, const char *last, const char *appt, int idw, int namew)
{
	buf_putc(b, ' ');
	view_cell(b, key, idw);
	buf_putc(b, ' ');
	view_cell(b, name, namew);
	buf_putc(b, ' ');
	view_cell(b, status, 12);
	buf_puts(b, " ");
	buf_printf(b, "%3s  ", att);
	view_cell(b, last, 13);
	buf_printf(b, " %s", appt);
}

/* Paint the list into the view. */
static void queue_draw(struct desk *d, struct view *v)
{
	long waiting = store_outbox_pending(d->st);
	int i, rows = v->height - 9, idw = 4, namew, cdw;
	const char *search = _(" Search: ");
	struct buf b;

	desk_put(v, 0, VIEW_BAR, _(" cati \xE2\x94\x82 %s \xE2\x94\x82 case list \xE2\x94\x82 %s, %ld waiting"), d->who,
	         desk_online(d) ? _("online") : _("offline"), waiting);
	if (d->next_key[0])
		desk_put(v, 2, VIEW_TITLE, _(" Next case to call: %s, %s  (N)"), d->next_key, d->next_why);
	else
		desk_put(v, 2, VIEW_TITLE, _(" No case to call now."));
	desk_put(v, 3, d->filtering ? VIEW_INPUT : VIEW_DIM, "%s%s%s   %s %s", search, d->filter,
	         d->filtering ? "" : (d->filter[0] ? "" : _("(press /)")),
	         _("Status:"), d->status_filter ? desk_word(desk_status_filter(d)) : _("all"));
	if (d->hl < d->top)
		d->top = d->hl;
	if (d->hl >= d->top + rows)
		d->top = d->hl - rows + 1;
	/* ids are never cut: their column is as wide as the widest shown (and its head); the name
	 * gives way */
	idw = view_width(_("case"), strlen(_("case")));
	if (idw < 4)
		idw = 4;
	for (i = 0; i < d->nrows; i++) {
		int w = view_width(d->rows[i].key, strlen(d->rows[i].key));
		if (w > idw)
			idw = w;
	}
	/* the name gives way to the other columns and the widest countdown shown, with a column to
	 * spare: a line never ends at the screen's edge, where it would look cut */
	cdw = view_width(_("appointment"), strlen(_("appointment")));
	for (i = 0; i < rows && d->top + i < d->nrows; i++) {
		char w[80];
		int n;

		when(d, &d->rows[d->top + i], v->width, w, sizeof w);
		n = view_width(w, strlen(w));
		if (n > cdw)
			cdw = n;
	}
	namew = v->width - idw - 36 - cdw;
	if (namew > 26)
		namew = 26;
	if (namew < 8)
		namew = 8;
	buf_init(&b);
	/* TRANSLATORS: column heads of the case list; "att" is the number of call attempts */
	row_text(&b, _("case"), _("name"), _("status"), _("att"), _("last outcome"), _("appointment"), idw, namew);
	view_set(v, 5, VIEW_DIM, buf_str(&b));
	for (i = 0; i < rows && d->top + i < d->nrows; i++) {
		const struct store_case_row *r = &d->rows[d->top + i];
		char w[80], att[16];

		when(d, r, v->width, w, sizeof w);
		snprintf(att, sizeof att, "%d", r->attempts);
		buf_reset(&b);
		row_text(&b, r->key, r->name, desk_word(r->status), att, desk_word(r->last_outcome), w, idw, namew);
		view_set(v, 6 + i, d->top + i == d->hl ? VIEW_CURSOR : VIEW_PLAIN, buf_str(&b));
	}
	buf_release(&b);
	if (d->top + rows < d->nrows)
		desk_put(v, 6 + rows - 1, VIEW_DIM, _("  \xE2\x96\xBC %d more (\xE2\x86\x93)"), d->nrows - d->top - rows + 1);
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_keys(v, _("N next case"), 0, _("\xE2\x86\x91\xE2\x86\x93 Enter open"), 1, _("/ search"), 3, _("Tab status"), 4,
	          _("L sync log"), 5, _("F1 help"), 0, _("q log out"), 2, (const char *)NULL);
	if (d->filtering) {
		v->cursor_row = 3;
		v->cursor_col = view_width(search, strlen(search)) + view_width(d->filter, (size_t)d->filter_cursor);
	}
}

const struct desk_mode desk_queue_mode = {
	.name = "case list",
	.enter = queue_enter,
	.key = queue_key,
	.draw = queue_draw,
};
