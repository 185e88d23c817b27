/* workstation.c: the interviewer's workstation on a terminal: read keys, hand them to the desk, paint. */
#include "cati/desk.h"
#include "cati/i18n.h"
#include "cati/tui.h"
#include "term.h"

#include <stdio.h>
#include <time.h>

#define SYNC_EVERY_MS 5000

int tui_run(struct store *st, const struct call_rules *rules, const char *demo_hint)
{
	struct desk *d;
	int k, sig, lost = 0;

	if (term_start() < 0) {
		fprintf(stderr, "%s", _("cati: cannot start the terminal (is TERM set?)\n"));
		return 1;
	}
	d = desk_new(st, rules, demo_hint, SYNC_EVERY_MS);
	while (desk_where(d) != DESK_QUIT) {
		struct view v;
		int w, h;
		time_t before;

		if ((sig = term_signal()) != 0) {
			/* answers are already saved; a hang-up or kill leaves the interview resumable */
			desk_hangup(d, sig == 2 ? "hang-up" : "terminated");
			break;
		}
		term_size(&w, &h);
		view_init(&v, w, h);
		desk_draw(d, &v);
		term_paint(&v);
		view_release(&v);
		before = time(NULL);
		k = term_key(1000);
		/* a terminal that is gone answers at once, forever: treat it as a hang-up */
		if (k == TK_TIMEOUT && time(NULL) == before && ++lost > 50) {
			desk_hangup(d, "terminal lost");
			break;
		}
		if (k != TK_TIMEOUT)
			lost = 0;
		desk_key(d, k);
	}
	term_stop();
	desk_free(d);
	return 0;
}
