/*
 * interview.c: the interview screen. A key becomes an engine command (view_input_key, pure);
 * each command is one transaction, so what the screen shows as accepted is on disk.
 */
#include "desk-int.h"
#include "cati/i18n.h"

#include <stdio.h>
#include <string.h>

static void interview_enter(struct desk *d)
{
	desk_sync_input(d);
}

/* Carry out one engine command in one transaction; show refusals and storage errors. */
static void run(struct desk *d, const struct view_cmd *cmd)
{
	struct eng *eng = session_engine(d->sess);
	struct err e;
	enum eng_rc rc = ENG_OK;
	char qid[FORM_MAX_ID + 1];

	err_init(&e);
	if (session_begin(d->sess, &e) != STORE_OK) {
		desk_say(d, _("NOT SAVED: %s"), e.msg);
		return;
	}
	switch (cmd->kind) {
	case VIEW_CMD_ANSWER: rc = eng_answer(eng, &cmd->answer); break;
	case VIEW_CMD_TYPED: rc = eng_answer_text(eng, cmd->text); break;
	case VIEW_CMD_NEXT: rc = eng_next(eng); break;
	case VIEW_CMD_BACK: rc = eng_back(eng); break;
	case VIEW_CMD_RESUME: rc = eng_resume(eng); break;
	case VIEW_CMD_CONFIRM: rc = eng_confirm(eng); break;
	case VIEW_CMD_JUMP:
		/* the id lives in the screen, which the jump replaces */
		snprintf(qid, sizeof qid, "%s", cmd->qid);
		rc = eng_jump(eng, qid, cmd->iter);
		break;
	case VIEW_CMD_LANG:
		rc = eng_set_lang(eng, (eng_lang(eng) + 1) % session_form(d->sess)->nlangs);
		d->lang = eng_lang(eng);
		break;
	default: break;
	}
	if (session_commit(d->sess, &e) != STORE_OK) {
		desk_say(d, _("NOT SAVED: %s"), e.msg);
		d->shown_kind = -1;   /* the engine was rebuilt from the store: so is the input */
		desk_sync_input(d);
		return;
	}
	if (rc == ENG_INVALID || rc == ENG_DENIED)
		desk_say(d, "%s", eng_message_shown(session_engine(d->sess)));
	desk_sync_input(d);
}

static enum desk_screen interview_key(struct desk *d, int k)
{
	const struct eng_screen *sc = eng_screen(session_engine(d->sess));
	struct view_cmd cmd;

	view_input_key(sc, &d->in, k, &cmd);
	if (cmd.message[0])
		desk_say(d, "%s", cmd.message);
	switch (cmd.kind) {
	case VIEW_CMD_NONE:
		return DESK_INTERVIEW;
	case VIEW_CMD_OPEN_JUMP:
		d->hl = d->top = 0;
		d->jump_digits[0] = '\0';
		return DESK_JUMP;
	case VIEW_CMD_OPEN_NOTE:
		d->back_to = DESK_INTERVIEW;
		return DESK_NOTE;
	case VIEW_CMD_OPEN_BREAK:
		return DESK_BREAK;
	case VIEW_CMD_FINISH:
		/* the end and its call were stored with the last answer (session_commit) */
		desk_say(d, _("Interview of case %s recorded: %s."), session_case(d->sess)->key,
		         sc->complete ? _("complete") : sc->outcome);
		return desk_close_interview(d);
	default:
		run(d, &cmd);
		return DESK_INTERVIEW;
	}
}

static void interview_draw(struct desk *d, struct view *v)
{
	struct eng *eng = session_engine(d->sess);
	const struct eng_screen *sc = eng_screen(eng);
	struct view_status st;

	memset(&st, 0, sizeof st);
	st.case_key = session_case(d->sess)->key;
	st.interviewer = d->who;
	st.qid = sc->kind == ENG_SCREEN_QUESTION ? sc->qid : NULL;
	st.iter = sc->iter;
	st.elapsed_s = (long)((store_clock_ms(d->st) - d->started_ms) / 1000);
	if (st.elapsed_s < 0)
		st.elapsed_s = 0;
	st.position = sc->position;
	st.estimate = sc->estimate;
	st.lang = session_form(d->sess)->langs[eng_lang(eng)];
	st.waiting = store_outbox_pending(d->st);
	st.online = desk_online(d);
	view_interview(v, sc, &d->in, &st, d->message);
}

const struct desk_mode desk_interview_mode = {
	.name = "interview",
	.enter = interview_enter,
	.key = interview_key,
	.draw = interview_draw,
};
