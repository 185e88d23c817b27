/* supervise.c: the supervisor's console: fetch the report every few seconds, page through it. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cati/i18n.h"
#include "cati/report.h"
#include "cati/tui.h"
#include "cati/view.h"
#include "term.h"

/* Milliseconds on the monotonic clock. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Fetch a fresh report; on failure keep the last one and say so in the status line. */
static void refresh(json_t **report, struct view_console *c,
                    int (*fetch)(void *ctx, struct json_t **report, struct err *e), void *ctx)
{
	char clock[16];
	struct err e;
	json_t *r = NULL;
	struct tm tm;
	time_t t;
	double t0 = now_ms(), ms;

	err_init(&e);
	if (fetch(ctx, &r, &e) < 0) {
		t = time(NULL);
		localtime_r(&t, &tm);
		strftime(clock, sizeof clock, "%H:%M:%S", &tm);
		snprintf(c->status, sizeof c->status, "%s %.200s%s", clock, e.msg,
		         *report ? _(" (the figures shown are older)") : "");
		c->error = 1;
		return;
	}
	ms = now_ms() - t0;
	json_decref(*report);
	*report = r;
	t = time(NULL);
	localtime_r(&t, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	snprintf(c->status, sizeof c->status, _("refreshed %s in %.0f ms"), clock, ms);
	c->error = 0;
}

/* Paint the console for the terminal's current size. */
static void draw(const json_t *report, struct view_console *c)
{
	struct view v;
	int w, h;

	term_size(&w, &h);
	view_init(&v, w, h);
	view_console(&v, report, c);
	term_paint(&v);
	view_release(&v);
}

int tui_supervise(const char *study, const char *user, int every_s,
                  int (*fetch)(void *ctx, struct json_t **report, struct err *e), void *ctx)
{
	struct view_console c;
	json_t *report = NULL;
	double due = 0;
	int quit = 0, lost = 0, w, h;

	memset(&c, 0, sizeof c);
	c.study = study;
	c.user = user;
	snprintf(c.status, sizeof c.status, "%s", _("connecting..."));
	if (every_s < 1)
		every_s = 5;
	if (term_start() < 0) {
		fprintf(stderr, "cati: %s\n", _("cannot start the terminal (is TERM set?)"));
		return 1;
	}
	while (!quit && !term_signal()) {
		double wait;
		int k;

		if (now_ms() >= due) {
			draw(report, &c);   /* the last figures stay up while the store answers */
			refresh(&report, &c, fetch, ctx);
			due = now_ms() + every_s * 1000.0;
		}
		draw(report, &c);
		wait = due - now_ms();
		{
			time_t before = time(NULL);
			k = term_key(wait < 0 ? 0 : wait > 1000 ? 1000 : (int)wait);
			/* a terminal that is gone answers at once, forever: stop */
			if (k == TK_TIMEOUT && wait >= 1000 && time(NULL) == before && ++lost > 50)
				break;
			if (k != TK_TIMEOUT)
				lost = 0;
		}
		term_size(&w, &h);
		switch (k) {
		case 'q':
		case 'Q':
		case TK_CTRL_C:
			quit = 1;
			break;
		case 'r':
		case 'R':
			due = 0;
			break;
		case '1': case '2': case '3': case '4': case '5': case '6':
			c.page = k - '1';
			c.scroll = 0;
			c.help = 0;
			break;
		case TK_TAB:
			c.page = (c.page + 1) % REPORT_SECTIONS;
			c.scroll = 0;
			c.help = 0;
			break;
		case TK_F1:
		case '?':
			c.help = !c.help;
			c.scroll = 0;
			break;
		case TK_ESC:
			c.help = 0;
			c.scroll = 0;
			break;
		case 'f':
		case 'F':
			if (c.page == REPORT_QUOTAS && !c.help) {
				c.quota_filter = (c.quota_filter + 1) % REPORT_Q_FILTERS;
				c.scroll = 0;
			}
			break;
		case TK_LEFT:
		case TK_RIGHT:
			c.help = 0;
			if (c.page == REPORT_RESULTS) {
				c.question += k == TK_RIGHT ? 1 : -1;   /* clamped by the layout */
			} else {
				c.page = (c.page + (k == TK_RIGHT ? 1 : REPORT_SECTIONS - 1)) % REPORT_SECTIONS;
			}
			c.scroll = 0;
			break;
		case TK_UP: c.scroll--; break;
		case TK_DOWN: c.scroll++; break;
		case TK_PGUP:
		case TK_CTRL_B: c.scroll -= h - 6; break;
		case TK_PGDN:
		case TK_CTRL_F:
		case ' ': c.scroll += h - 6; break;
		case TK_HOME: c.scroll = 0; break;
		case TK_END: c.scroll = 1 << 20; break;   /* the layout stops at the last page */
		default: break;                            /* a resize or a timeout: draw again */
		}
	}
	term_stop();
	json_decref(report);
	return 0;
}
