/* walk.c: a scripted interview (`cati walk`): answers given in advance, the route reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/engine.h"

/* The answer given for (qid, iter): "qid[iter]" first, then plain "qid". */
static struct eng_given *find_given(struct eng_given *g, int n, const char *qid, int iter)
{
	char key[2 * FORM_MAX_ID + 16];
	int i;

	snprintf(key, sizeof key, "%s[%d]", qid, iter);
	for (i = 0; i < n; i++)
		if (!strcmp(g[i].name, key))
			return &g[i];
	for (i = 0; i < n; i++)
		if (!strcmp(g[i].name, qid))
			return &g[i];
	return NULL;
}

/* A label for an answer on a choice screen, for the route listing. */
static const char *label_of(const struct eng_screen *sc, const char *value)
{
	int i, code;
	char *end;

	code = (int)strtol(value, &end, 10);
	if (*end || end == value)
		return NULL;
	for (i = 0; i < sc->nchoices; i++)
		if (sc->choices[i].code == code)
			return sc->choices[i].label;
	return NULL;
}

/* Hand one step of the walk to the caller. */
static void report(void (*step)(void *ctx, const struct eng_walk_step *s), void *ctx,
                   struct eng_walk_step *s)
{
	if (step)
		step(ctx, s);
}

/* The END step of a walk a full quota cell ended, on its way to the caller. */
struct full_cell {
	struct eng_walk_step *s;
	const char *quota;        /* the quota that ended it; NULL once reported */
	void (*step)(void *ctx, const struct eng_walk_step *s);
	void *ctx;
};

/* Report the END step with the cell of the quota that ended the walk (eng_cells callback). */
static void report_cell(void *ctx, const struct form_quota *q, const char *cell, int target)
{
	struct full_cell *fc = ctx;

	if (fc->quota && !strcmp(q->id, fc->quota)) {
		fc->s->quota_cell = cell;
		fc->s->quota_target = target;
		report(fc->step, fc->ctx, fc->s);
		fc->quota = NULL;
	}
}

/* Walk form f for case c in language lang, answering from given[0..ngiven), reporting each step. */
enum eng_walk_kind eng_walk(const struct form *f, const struct eng_case *c, int lang,
                            struct eng_tally *tally, struct eng_given *given, int ngiven,
                            void (*step)(void *ctx, const struct eng_walk_step *s), void *ctx)
{
	struct eng_env env = { NULL, NULL, NULL, NULL, eng_tally_full, tally };
	struct eng *e = eng_new(f, c, lang, tally ? &env : NULL);
	enum eng_walk_kind last = ENG_WALK_ENDLESS;
	char label[512];
	long steps = 0;

	for (;;) {
		const struct eng_screen *sc = eng_screen(e);
		struct eng_walk_step s;
		struct eng_given *g;
		enum eng_rc r;

		memset(&s, 0, sizeof s);
		s.screen = sc;
		if (++steps > 1000000) {
			s.kind = last = ENG_WALK_ENDLESS;
			report(step, ctx, &s);
			break;
		}
		if (sc->kind == ENG_SCREEN_END) {
			struct full_cell fc = { &s, sc->quota, step, ctx };

			s.kind = last = ENG_WALK_END;
			if (sc->quota)
				eng_cells(e, report_cell, &fc);
			/* reported with its cell above, unless no cell of that quota was found */
			if (fc.quota == sc->quota)
				report(step, ctx, &s);
			break;
		}
		if (sc->kind == ENG_SCREEN_CHECK) {
			s.kind = last = ENG_WALK_CHECK;
			report(step, ctx, &s);
			if (sc->hard)
				break;
			eng_confirm(e);
			continue;
		}
		s.qid = sc->qid;
		s.iter = sc->iter;
		if (sc->qtype == FORM_Q_INFO) {
			s.kind = ENG_WALK_INFO;
			report(step, ctx, &s);
			eng_next(e);
			continue;
		}
		g = find_given(given, ngiven, sc->qid, sc->iter);
		if (!g) {
			s.kind = last = ENG_WALK_NO_ANSWER;
			report(step, ctx, &s);
			break;
		}
		g->used = 1;
		{
			const char *l = sc->qtype == FORM_Q_SINGLE || sc->qtype == FORM_Q_YESNO
			                ? label_of(sc, g->value) : NULL;
			snprintf(label, sizeof label, "%s", l ? l : "");
		}
		r = eng_answer_text(e, g->value);
		if (r == ENG_INVALID || r == ENG_DENIED) {
			s.kind = last = ENG_WALK_REFUSED;
			s.screen = NULL;
			s.given = g;
			s.message = eng_message(e);
			report(step, ctx, &s);
			break;
		}
		{
			/* the screen is gone; read the stored answer back */
			enum form_vstate st;
			const char *val = "";
			int on;
			char qid[FORM_MAX_ID + 1];
			int iter = sc->iter, node = sc->node;

			snprintf(qid, sizeof qid, "%s", f->nodes[node].id);
			eng_get(e, qid, iter, &st, &val, &on);
			memset(&s, 0, sizeof s);
			s.kind = ENG_WALK_ANSWER;
			s.qid = qid;
			s.iter = iter;
			s.state = st;
			s.value = val;
			s.label = label;
			report(step, ctx, &s);
		}
	}
	eng_free(e);
	return last;
}
