/* note.c: the one-line editors: a note on the case, and the reason for suspending an interview. */
#include "desk-int.h"
#include "cati/i18n.h"

#include <string.h>

static enum store_rc save_note(struct desk *d, struct err *e)
{
	int64_t id = d->sess ? session_case(d->sess)->id : d->cs.id;
	return store_note_add(d->st, id, d->who, d->edit.text, e);
}

/* The break-off's call and the suspension, in one transaction. */
static enum store_rc save_breakoff(struct desk *d, struct err *e)
{
	enum store_rc rc = store_attempt_add(d->st, session_case(d->sess)->id, d->who,
	                                     session_case(d->sess)->phone, "breakoff", e);
	return rc == STORE_OK ? session_suspend_tx(d->sess, d->edit.text, e) : rc;
}

static void edit_enter(struct desk *d)
{
	desk_field_clear(&d->edit);
}

/* Nothing typed but blanks. */
static int blank(const char *s)
{
	while (*s == ' ')
		s++;
	return !*s;
}

/*
 * A key in a one-line editor on screen self: Esc goes to back, Enter saves (save, in one
 * transaction) once something is typed; returns 1 when it saved, else the next screen in *next.
 */
static int edit_key(struct desk *d, int k, enum desk_screen self, enum desk_screen back,
                    enum store_rc (*save)(struct desk *d, struct err *e), enum desk_screen *next)
{
	*next = self;
	if (k == TK_ESC) {
		*next = back;
	} else if (k != TK_ENTER) {
		view_edit(d->edit.text, sizeof d->edit.text, &d->edit.cursor, k);
	} else if (blank(d->edit.text)) {
		desk_say(d, "%s", _("Type something first, or Esc to cancel."));
	} else if (desk_tx(d, save) == 0) {
		return 1;
	}
	return 0;
}

static enum desk_screen note_key(struct desk *d, int k)
{
	enum desk_screen next;

	if (!edit_key(d, k, DESK_NOTE, d->back_to, save_note, &next))
		return next;
	desk_say(d, "%s", _("Note saved."));
	return d->back_to;
}

static enum desk_screen reason_key(struct desk *d, int k)
{
	enum desk_screen next;

	if (!edit_key(d, k, DESK_REASON, DESK_INTERVIEW, save_breakoff, &next))
		return next;
	desk_say(d, _("Interview suspended: %s."), d->edit.text);
	return desk_close_interview(d);
}

/* The editor's screen: a title, a hint, the line. */
static void edit_draw(struct desk *d, struct view *v, const char *title, const char *hint)
{
	desk_put(v, 0, VIEW_BAR, " %s", title);
	desk_wrap(v, 3, 2, VIEW_PLAIN, hint);
	desk_put(v, 5, VIEW_INPUT, " > %s", d->edit.text);
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_keys(v, _("Enter save"), 0, _("Esc cancel"), 0, (const char *)NULL);
	v->cursor_row = 5;
	v->cursor_col = 3 + view_width(d->edit.text, (size_t)d->edit.cursor);
	if (v->cursor_col >= v->width)
		v->cursor_col = v->width - 1;
}

static void note_draw(struct desk *d, struct view *v)
{
	edit_draw(d, v, _("Note on the case"), _("Type the note (it stays with the case):"));
}

static void reason_draw(struct desk *d, struct view *v)
{
	edit_draw(d, v, _("Break off: suspend the interview"), _("Why is it suspended? (it can be resumed later)"));
}

const struct desk_mode desk_note_mode = {
	.name = "note",
	.enter = edit_enter,
	.key = note_key,
	.draw = note_draw,
};

const struct desk_mode desk_reason_mode = {
	.name = "break-off reason",
	.enter = edit_enter,
	.key = reason_key,
	.draw = reason_draw,
};
