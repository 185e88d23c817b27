/* breakoff.c: breaking an interview off: suspend it with a reason, or make an appointment. */
#include "desk-int.h"

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
	desk_put(v, 0, VIEW_BAR, " Break off the interview");
	desk_put(v, 3, VIEW_PLAIN, " 1  suspend it (give a reason; it can be resumed)");
	desk_put(v, 4, VIEW_PLAIN, " 2  make an appointment to continue");
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_put(v, v->height - 1, VIEW_BAR, "1 suspend  2 appointment  Esc back to the interview");
}

const struct desk_mode desk_break_mode = {
	.name = "break-off",
	.key = break_key,
	.draw = break_draw,
};
