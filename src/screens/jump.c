/* jump.c: the jump list: the questions asked on this route, to go back to one by arrows or number. */
#include "desk-int.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Jump to entry i of the route; returns the interview screen. */
static enum desk_screen jump_to(struct desk *d, int i)
{
	struct eng *eng = session_engine(d->sess);
	const char **ids;
	const int *iters;
	int n = eng_route(eng, &ids, &iters);
	char qid[FORM_MAX_ID + 1];
	struct err e;
	enum eng_rc rc;

	if (i < 0 || i >= n)
		return DESK_JUMP;
	snprintf(qid, sizeof qid, "%s", ids[i]);
	err_init(&e);
	if (session_begin(d->sess, &e) != STORE_OK) {
		desk_say(d, _("NOT SAVED: %s"), e.msg);
		return DESK_INTERVIEW;
	}
	rc = eng_jump(eng, qid, iters[i]);
	if (session_commit(d->sess, &e) != STORE_OK)
		desk_say(d, _("NOT SAVED: %s"), e.msg);
	else if (rc != ENG_OK && rc != ENG_CHECK)
		desk_say(d, "%s", eng_message(session_engine(d->sess)));
	d->shown_kind = -1;
	desk_sync_input(d);
	return DESK_INTERVIEW;
}

static enum desk_screen jump_key(struct desk *d, int k)
{
	const char **ids;
	const int *iters;
	int n = eng_route(session_engine(d->sess), &ids, &iters);
	size_t nd = strlen(d->jump_digits);

	if (k >= '0' && k <= '9') {
		/* a typed number picks that entry; Enter jumps */
		if (nd < sizeof d->jump_digits - 1) {
			d->jump_digits[nd] = (char)k;
			d->jump_digits[nd + 1] = '\0';
		}
		{
			long v = strtol(d->jump_digits, NULL, 10);
			if (v >= 1 && v <= n) {
				d->hl = (int)v - 1;
			} else {
				desk_say(d, _("There is no question %s on the route (1 to %d)."), d->jump_digits, n);
				d->jump_digits[0] = '\0';
			}
		}
		return DESK_JUMP;
	}
	d->jump_digits[0] = '\0';
	if (k == TK_UP && d->hl > 0)
		d->hl--;
	else if (k == TK_DOWN && d->hl < n - 1)
		d->hl++;
	else if (k == TK_ESC)
		return DESK_INTERVIEW;
	else if (k == TK_ENTER && n)
		return jump_to(d, d->hl);
	return DESK_JUMP;
}

/* An answer as stored (an ISO date, a decimal point) as the interviewer writes it. */
static const char *local_value(const char *val, char *out, size_t n)
{
	size_t a = strspn(val, "0123456789");

	if (a && val[a] == '.' && val[a + 1] && !val[a + 1 + strspn(val + a + 1, "0123456789")])
		return i18n_number(out, n, val);
	return i18n_date(out, n, val);
}

static void jump_draw(struct desk *d, struct view *v)
{
	const char **ids;
	const int *iters;
	int n = eng_route(session_engine(d->sess), &ids, &iters), i, rows = v->height - 4;

	desk_put(v, 0, VIEW_BAR, _(" Jump to a question asked on this route"));
	if (d->hl >= n)
		d->hl = n - 1;
	if (d->hl < 0)
		d->hl = 0;
	if (d->hl < d->top)
		d->top = d->hl;
	if (d->hl >= d->top + rows)
		d->top = d->hl - rows + 1;
	for (i = 0; i < rows && d->top + i < n; i++) {
		enum form_vstate s;
		const char *val = "";
		int on, k = d->top + i;
		char name[FORM_MAX_ID + 16], shown[256];

		if (!eng_get(session_engine(d->sess), ids[k], iters[k], &s, &val, &on))
			val = _("(not answered)");
		else if (s == FORM_S_DK)
			val = _("don't know");
		else if (s == FORM_S_RF)
			val = _("refused");
		else
			val = local_value(val, shown, sizeof shown);
		if (iters[k])
			snprintf(name, sizeof name, "%s[%d]", ids[k], iters[k]);
		else
			snprintf(name, sizeof name, "%s", ids[k]);
		desk_put(v, 2 + i, k == d->hl ? VIEW_CURSOR : VIEW_PLAIN, " %3d  %-20s %s", k + 1, name, val);
	}
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_keys(v, _("\xE2\x86\x91\xE2\x86\x93 or number"), 2, _("Enter jump"), 0, _("Esc back"), 0, (const char *)NULL);
}

const struct desk_mode desk_jump_mode = {
	.name = "jump",
	.key = jump_key,
	.draw = jump_draw,
};
