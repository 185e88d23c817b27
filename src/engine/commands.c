/* commands.c: the interviewer's commands: answer, next, back, jump, resume, confirm, language. */
#include "engine-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answer the question on the screen, re-walk the route from it and show what follows. */
enum eng_rc eng_answer(struct eng *e, const struct eng_answer *a)
{
	const struct form_node *n;
	struct eng_event ev;
	struct buf oldv, newv;
	enum form_vstate old_state = FORM_S_MISSING, new_state;
	struct step s;
	enum eng_rc rc;
	int i, had;

	e->msg[0] = '\0';
	if (e->pos < 0)
		return refuse(e, ENG_DENIED, N_("there is no question on the screen"));
	s = e->trail[e->pos];
	n = &e->f->nodes[s.node];
	rc = validate(e, n, a);
	if (rc != ENG_OK)
		return rc;
	buf_init(&oldv);
	buf_init(&newv);
	had = answered(e, s.node, s.iter);
	answer_text(e, s.node, s.iter, &oldv, &old_state);
	if (n->qtype == FORM_Q_INFO) {
		e->ack[s.node][s.iter] = 1;
	} else if (n->qtype == FORM_Q_GRID) {
		for (i = 0; i < n->nitems; i++) {
			int code = a->state != FORM_S_OK ? (a->state == FORM_S_DK ? ENG_CODE_DK : ENG_CODE_RF)
			                                 : a->codes[i];
			enum form_vstate st = code == ENG_CODE_DK ? FORM_S_DK : code == ENG_CODE_RF ? FORM_S_RF : FORM_S_OK;
			store_value(e, n->items[i].var, s.iter, st, code, NULL, 0, NULL, NULL, NULL);
		}
	} else {
		store_value(e, n->var, s.iter, a->state, a->num, a->text,
		            n->qtype == FORM_Q_MULTI ? a->ncodes : 0, a->codes, NULL, NULL);
	}
	answer_text(e, s.node, s.iter, &newv, &new_state);
	{
		memset(&ev, 0, sizeof ev);
		ev.type = ENG_EV_ANSWER;
		ev.qid = n->id;
		ev.iter = s.iter;
		ev.state = new_state;
		ev.value = buf_str(&newv);
		ev.changed = had;
		ev.info = n->qtype == FORM_Q_INFO;
		ev.old_state = old_state;
		ev.old_value = buf_str(&oldv);
		emit(e, &ev);
	}
	buf_release(&oldv);
	buf_release(&newv);

	route_walk(e, e->pos, s.node, s.iter);
	advance_from(e, e->pos);
	announce(e);
	if (e->pos < 0 && e->stop == STOP_CHECK) {
		const struct form_node *c = &e->f->nodes[e->stop_node];
		snprintf(e->msg, sizeof e->msg, "%s", form_text_get(e->f, &c->message, e->lang));
		return ENG_CHECK;
	}
	return ENG_OK;
}

/* Go on from an answered question (or acknowledge an info screen). */
enum eng_rc eng_next(struct eng *e)
{
	struct step s;

	e->msg[0] = '\0';
	if (e->pos < 0)
		return refuse(e, ENG_DENIED, e->stop == STOP_CHECK ? N_("confirm the check or go back to correct an answer")
		                                                  : N_("the interview has ended"));
	s = e->trail[e->pos];
	if (e->f->nodes[s.node].qtype == FORM_Q_INFO && !info_seen(e, s.node, s.iter)) {
		struct eng_answer a = { FORM_S_OK, 0, NULL, 0, NULL };
		return eng_answer(e, &a);
	}
	if (!answered(e, s.node, s.iter))
		return refuse(e, ENG_INVALID, N_("this question needs an answer"));
	advance_from(e, e->pos);
	announce(e);
	return e->pos < 0 && e->stop == STOP_CHECK ? ENG_CHECK : ENG_OK;
}

/* Show the previous question on the route. */
enum eng_rc eng_back(struct eng *e)
{
	int p;

	e->msg[0] = '\0';
	p = prev_question(e, e->pos < 0 ? e->ntrail : e->pos);
	if (p < 0)
		return refuse(e, ENG_DENIED, N_("this is the first question"));
	e->pos = p;
	emit_simple(e, ENG_EV_BACK, e->trail[p].node, e->trail[p].iter);
	announce(e);
	return ENG_OK;
}

/* Show a question already asked on the route. */
enum eng_rc eng_jump(struct eng *e, const char *qid, int iter)
{
	int node = form_node_find(e->f, qid), i;

	e->msg[0] = '\0';
	if (node < 0 || e->f->nodes[node].kind != FORM_N_QUESTION)
		return refuse(e, ENG_DENIED, N_("there is no question '%s'"), qid);
	for (i = 0; i < e->ntrail; i++) {
		if (e->trail[i].node == node && e->trail[i].iter == iter) {
			e->pos = i;
			emit_simple(e, ENG_EV_JUMP, node, iter);
			announce(e);
			return ENG_OK;
		}
	}
	return refuse(e, ENG_DENIED, N_("'%s' has not been asked on this route"), qid);
}

/* Show the first unanswered question, raised check or ending. */
enum eng_rc eng_resume(struct eng *e)
{
	e->msg[0] = '\0';
	e->pos = e->stop == STOP_QUESTION ? e->ntrail - 1 : -1;
	announce(e);
	return ENG_OK;
}

/* Confirm the soft check on the screen and walk on past it. */
enum eng_rc eng_confirm(struct eng *e)
{
	struct confirm *c;
	struct eng_event ev;
	int nn, ni, keep;

	e->msg[0] = '\0';
	if (e->pos >= 0 || e->stop != STOP_CHECK)
		return refuse(e, ENG_DENIED, N_("there is no check to confirm"));
	if (e->f->nodes[e->stop_node].flags & FORM_F_HARD)
		return refuse(e, ENG_DENIED, N_("a hard check cannot be confirmed: correct one of the answers"));
	c = find_confirm(e, e->stop_node, e->stop_iter);
	if (!c) {
		if (e->nconfs == e->confs_cap) {
			e->confs_cap = e->confs_cap ? e->confs_cap * 2 : 8;
			e->confs = xrealloc(e->confs, sizeof *e->confs * (size_t)e->confs_cap);
		}
		c = &e->confs[e->nconfs++];
		c->node = e->stop_node;
		c->iter = e->stop_iter;
		c->snapshot = NULL;
	}
	free(c->snapshot);
	c->snapshot = check_snapshot(e, e->stop_node, e->stop_iter);
	memset(&ev, 0, sizeof ev);
	ev.type = ENG_EV_CONFIRM;
	ev.check = e->stop_node;
	ev.iter = e->stop_iter;
	emit(e, &ev);
	keep = e->ntrail;
	successor(e, e->stop_node, e->stop_iter, &nn, &ni);
	route_walk(e, keep, nn, ni);
	advance_from(e, keep - 1);
	announce(e);
	if (e->pos < 0 && e->stop == STOP_CHECK)
		return ENG_CHECK;
	return ENG_OK;
}

/* Switch the text language and record the switch. */
enum eng_rc eng_set_lang(struct eng *e, int lang)
{
	struct eng_event ev;

	e->msg[0] = '\0';
	if (lang < 0 || lang >= e->f->nlangs)
		return refuse(e, ENG_DENIED, N_("the form has no such language"));
	e->lang = lang;
	memset(&ev, 0, sizeof ev);
	ev.type = ENG_EV_LANG;
	ev.lang = e->f->langs[lang];
	emit(e, &ev);
	return ENG_OK;
}
