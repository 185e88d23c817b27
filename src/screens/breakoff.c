/* breakoff.c: breaking an interview off: suspend it with a reason, or make an appointment. */
#include "desk-int.h"
#include "cati/i18n.h"

static enum desk_screen break_key(struct desk *d, int k)
{
	if (k == '1')
		return DESK_REASON;
	if (k == '2') {
		d->appt_from_interview = 1;
		return DESK_APPT;
	}
	if (k == TK_ESC)
		return DESK_INTERVIEW;
	return DESK_BREAK;
}

static void break_draw(struct desk *d, struct view *v)
{
	desk_put(v, 0, VIEW_BAR, _(" Break off the interview"));
	desk_put(v, 3, VIEW_PLAIN, _(" 1  suspend it (give a reason; it can be resumed)"));
	desk_put(v, 4, VIEW_PLAIN, _(" 2  make an appointment to continue"));
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_keys(v, _("1 suspend"), 0, _("2 appointment"), 0, _("Esc back to the interview"), 1, (const char *)NULL);
}

const struct desk_mode desk_break_mode = {
	.name = "break-off",
	.key = break_key,
	.draw = break_draw,
};
