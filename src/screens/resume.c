/* resume.c: after login, the interviewer's interrupted interviews, to resume one or go on. */
#include "desk-int.h"
#include "cati/i18n.h"

static enum desk_screen resume_key(struct desk *d, int k)
{
	if (k == TK_UP && d->hl > 0)
		d->hl--;
	else if (k == TK_DOWN && d->hl < d->nresume - 1)
		d->hl++;
	else if (k == TK_ENTER && d->nresume)
		return desk_start_interview(d, d->resume_keys[d->hl], DESK_RESUME);
	else if (k == TK_ESC)
		return DESK_QUEUE;
	return DESK_RESUME;
}

static void resume_draw(struct desk *d, struct view *v)
{
	int i;

	desk_put(v, 0, VIEW_BAR, _(" cati \xE2\x94\x82 %s \xE2\x94\x82 interrupted interviews"), d->who);
	desk_wrap(v, 2, 1, VIEW_TITLE, _("These interviews were cut off (a crash, a hang-up or a break):"));
	for (i = 0; i < d->nresume && i < v->height - 7; i++)
		desk_put(v, 4 + i, i == d->hl ? VIEW_CURSOR : VIEW_PLAIN, _("   case %s"), d->resume_keys[i]);
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_keys(v, _("\xE2\x86\x91\xE2\x86\x93 choose"), 2, _("Enter resume it"), 0, _("Esc later"), 1, (const char *)NULL);
}

const struct desk_mode desk_resume_mode = {
	.name = "resume",
	.key = resume_key,
	.draw = resume_draw,
};
