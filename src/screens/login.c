/* login.c: the login screen: interviewer and password, checked against the cached credential. */
#include "desk-int.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Interrupted interviews of this interviewer, for the resume screen. */
static void resume_cb(void *ctx, const struct store_interview *iv)
{
	struct desk *d = ctx;

	if (strcmp(iv->interviewer, d->who) || d->nresume >= DESK_MAX_RESUME)
		return;
	snprintf(d->resume_keys[d->nresume++], sizeof d->resume_keys[0], "%s", iv->case_key);
}

/* The interface language at login: the one the interviewer chose before on this workstation
   is taken up, unless they just chose one with F2; the language on screen is kept for them when
   they chose it now or had none; the workstation starts its next login screen in it. */
static void login_lang(struct desk *d)
{
	struct err e;
	char *kept;

	err_init(&e);
	kept = store_cred_lang(d->st, d->who);
	/* the language on screen becomes theirs when they chose it now or never chose one */
	if (!d->login_lang_chosen && *kept && i18n_known(kept))
		i18n_use(kept);
	else
		store_cred_lang_set(d->st, d->who, i18n_lang(), &e);
	free(kept);
	store_meta_set(d->st, "ui_lang", i18n_lang(), &e);
	if (e.set)
		desk_say(d, _("The language could not be kept: %s"), e.msg);
}

/* F2: the next interface language, shown at once and kept as this workstation's last choice. */
static void next_lang(struct desk *d)
{
	const char *const *langs = i18n_langs();
	const char *now = i18n_lang();
	struct err e;
	size_t i;

	for (i = 0; langs[i] && strcmp(langs[i], now); i++)
		;
	i = langs[i] && langs[i + 1] ? i + 1 : 0;
	i18n_use(langs[i]);
	d->login_lang_chosen = 1;
	err_init(&e);
	if (store_meta_set(d->st, "ui_lang", langs[i], &e) != STORE_OK)
		desk_say(d, _("The language could not be kept: %s"), e.msg);
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
		d->unlock_refused = 0;
		login_lang(d);
		if (d->sync_every_ms > 0 && !d->sync)
			d->sync = sync_bg_start(store_path(d->st), d->login_id, d->login_pw, d->sync_every_ms);
		memset(d->login_pw, 0, sizeof d->login_pw);
		d->login_cursor = 0;
		return logged_in(d);
	}
	/* the same words whether the user exists or not */
	desk_say(d, "%s", _("Login failed: wrong interviewer or password."));
	memset(d->login_pw, 0, sizeof d->login_pw);
	d->login_field = 1;
	d->login_cursor = 0;
	return DESK_LOGIN;
}

/* A fresh login screen: empty fields, no language chosen yet. */
static void login_enter(struct desk *d)
{
	memset(d->login_pw, 0, sizeof d->login_pw);
	d->login_id[0] = '\0';
	d->login_field = d->login_cursor = 0;
	d->login_lang_chosen = 0;
}

/* Typing, Tab between the fields, Enter to log in, F2 for the next language, Esc to quit. */
static enum desk_screen login_key(struct desk *d, int k)
{
	char *f = d->login_field ? d->login_pw : d->login_id;
	size_t cap = d->login_field ? sizeof d->login_pw : sizeof d->login_id;

	if (k == TK_ESC)
		return DESK_QUIT;
	if (k == TK_F2) {
		next_lang(d);
		return DESK_LOGIN;
	}
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

/* The login screen, in the interface language; the labels line up however long they run. */
static void login_draw(struct desk *d, struct view *v)
{
	const char *labels[3] = { _("Interviewer:"), _("Password:"), _("Language:") };
	char stars[128];
	size_t i, n = utf8_len(d->login_pw, strlen(d->login_pw));
	int w = 0, col, k;

	for (k = 0; k < 3; k++)
		if (view_width(labels[k], strlen(labels[k])) > w)
			w = view_width(labels[k], strlen(labels[k]));
	col = 2 + w + 1;
	for (i = 0; i < n && i < sizeof stars - 1; i++)
		stars[i] = '*';
	stars[i] = '\0';
	desk_put(v, 0, VIEW_BAR, " cati \xE2\x94\x82 %s", _("interviewer workstation"));
	desk_put(v, 3, VIEW_TITLE, "  %s", _("Log in"));
	desk_put(v, 5, d->login_field == 0 ? VIEW_INPUT : VIEW_PLAIN, "  %s%*s%s", labels[0],
	         w + 1 - view_width(labels[0], strlen(labels[0])), "", d->login_id);
	desk_put(v, 6, d->login_field == 1 ? VIEW_INPUT : VIEW_PLAIN, "  %s%*s%s", labels[1],
	         w + 1 - view_width(labels[1], strlen(labels[1])), "", stars);
	desk_put(v, 7, VIEW_PLAIN, "  %s%*s%s", labels[2], w + 1 - view_width(labels[2], strlen(labels[2])),
	         "", i18n_lang_name(i18n_lang()));
	if (d->demo_hint)
		desk_put(v, 9, VIEW_NOTE, "  %s", _(d->demo_hint));
	desk_put(v, v->height - 2, VIEW_ERROR, "%s", d->message);
	desk_put(v, v->height - 1, VIEW_BAR, "%s", _("Tab next field  Enter log in  F2 language  Esc quit"));
	v->cursor_row = d->login_field == 0 ? 5 : 6;
	v->cursor_col = col + (d->login_field == 0 ? view_width(d->login_id, (size_t)d->login_cursor) : (int)n);
}

const struct desk_mode desk_login_mode = {
	.name = "login",
	.enter = login_enter,
	.key = login_key,
	.draw = login_draw,
};
