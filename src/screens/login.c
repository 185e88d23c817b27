/* login.c: the login screen: interviewer and password, checked against the cached credential. */
#include "desk-int.h"

#include <stdio.h>
#include <string.h>

/* Interrupted interviews of this interviewer, for the resume screen. */
static void resume_cb(void *ctx, const struct store_interview *iv)
{
	struct desk *d = ctx;

	if (strcmp(iv->interviewer, d->who) || d->nresume >= DESK_MAX_RESUME)
		return;
	snprintf(d->resume_keys[d->nresume++], sizeof d->resume_keys[0], "%s", iv->case_key);
}

/* Logged in: interrupted interviews first, else the case list. */
static enum desk_screen logged_in(struct desk *d)
{
	struct err e;

	err_init(&e);
	d->nresume = 0;
	d->hl = d->top = 0;
	store_interviews_unfinished(d->st, resume_cb, d, &e);
	return d->nresume ? DESK_RESUME : DESK_QUEUE;
}

/* Log in with what was typed; the password is wiped either way. */
static enum desk_screen try_login(struct desk *d)
{
	struct err e;

	err_init(&e);
	if (store_cred_check(d->st, d->login_id, d->login_pw, &e) == STORE_OK) {
		snprintf(d->who, sizeof d->who, "%s", d->login_id);
		if (d->sync_every_ms > 0 && !d->sync)
			d->sync = sync_bg_start(store_path(d->st), d->login_id, d->login_pw, d->sync_every_ms);
		memset(d->login_pw, 0, sizeof d->login_pw);
		d->login_cursor = 0;
		return logged_in(d);
	}
	/* the same words whether the user exists or not */
	desk_say(d, "%s", "Login failed: wrong interviewer or password.");
	memset(d->login_pw, 0, sizeof d->login_pw);
	d->login_field = 1;
	d->login_cursor = 0;
	return DESK_LOGIN;
}

static void login_enter(struct desk *d)
{
	memset(d->login_pw, 0, sizeof d->login_pw);
	d->login_id[0] = '\0';
	d->login_field = d->login_cursor = 0;
}

static enum desk_screen login_key(struct desk *d, int k)
{
	char *f = d->login_field ? d->login_pw : d->login_id;
	size_t cap = d->login_field ? sizeof d->login_pw : sizeof d->login_id;

	if (k == TK_ESC)
		return DESK_QUIT;
	if (k == TK_TAB || k == TK_UP || k == TK_DOWN || (k == TK_ENTER && d->login_field == 0)) {
		d->login_field = !d->login_field;
		d->login_cursor = (int)strlen(d->login_field ? d->login_pw : d->login_id);
		return DESK_LOGIN;
	}
	if (k == TK_ENTER)
		return try_login(d);
	view_edit(f, cap, &d->login_cursor, k);
	return DESK_LOGIN;
}

static void login_draw(struct desk *d, struct view *v)
{
	char stars[128];
	size_t i, n = utf8_len(d->login_pw, strlen(d->login_pw));

	for (i = 0; i < n && i < sizeof stars - 1; i++)
		stars[i] = '*';
	stars[i] = '\0';
	desk_put(v, 0, VIEW_BAR, " cati \xE2\x94\x82 interviewer workstation");
	desk_put(v, 3, VIEW_TITLE, "  Log in");
	desk_put(v, 5, d->login_field == 0 ? VIEW_INPUT : VIEW_PLAIN, "  Interviewer: %s", d->login_id);
	desk_put(v, 6, d->login_field == 1 ? VIEW_INPUT : VIEW_PLAIN, "  Password:    %s", stars);
	if (d->demo_hint)
		desk_put(v, 9, VIEW_NOTE, "  %s", d->demo_hint);
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_put(v, v->height - 1, VIEW_BAR, "Tab next field  Enter log in  Esc quit");
	v->cursor_row = d->login_field == 0 ? 5 : 6;
	v->cursor_col = 15 + (d->login_field == 0 ? view_width(d->login_id, (size_t)d->login_cursor) : (int)n);
}

const struct desk_mode desk_login_mode = {
	.name = "login",
	.enter = login_enter,
	.key = login_key,
	.draw = login_draw,
};
