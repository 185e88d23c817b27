/* show.c: print a compiled form as a readable script for proofreading. */
#include "cati/i18n.h"
#include "form-int.h"

#include <stdio.h>
#include <string.h>

#define SHOW_WIDTH 78

/* Append text wrapped at SHOW_WIDTH, continuation lines indented by indent columns. */
static void wrap(struct buf *out, const char *text, int indent, int startcol)
{
	const char *p = text, *w;
	int col = startcol, wl;

	while (*p) {
		if (*p == '\n') {
			buf_printf(out, "\n%*s", indent, "");
			col = indent;
			p++;
			continue;
		}
		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		wl = (int)utf8_len(w, (size_t)(p - w));
		if (col > indent && col + 1 + wl > SHOW_WIDTH) {
			buf_printf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			buf_putc(out, ' ');
			col++;
		}
		buf_add(out, w, (size_t)(p - w));
		col += wl;
	}
	buf_putc(out, '\n');
}

static void labelled(struct buf *out, int depth, const char *label, const char *text)
{
	int indent = depth * 2 + 6 + 9;

	buf_printf(out, "%*s%-8s ", depth * 2 + 6, "", label);
	wrap(out, text, indent, indent);
}

static void choices(const struct form *f, const struct form_scale *s, int lang, int depth,
                    struct buf *out)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		const struct form_choice *c = &s->choices[i];
		char head[32];
		int indent = depth * 2 + 8 + 7;

		snprintf(head, sizeof head, "%5d  ", c->code);
		buf_printf(out, "%*s%s", depth * 2 + 8, "", head);
		wrap(out, form_text_get(f, &c->label, lang), indent, indent);
		if (c->flags & (FORM_C_ANCHOR | FORM_C_EXCLUSIVE))
			buf_printf(out, "%*s(%s%s%s)\n", indent, "",
			           c->flags & FORM_C_ANCHOR ? _("stays in place") : "",
			           (c->flags & FORM_C_ANCHOR) && (c->flags & FORM_C_EXCLUSIVE) ? ", " : "",
			           c->flags & FORM_C_EXCLUSIVE ? _("only answer") : "");
	}
}

static void question(const struct form *f, const struct form_node *n, int lang, int depth,
                     int number, struct buf *out)
{
	char lo[11], hi[11];
	int i;

	buf_printf(out, "%*sQ%-4d %s: %s", depth * 2, "", number, n->id, form_qtype_name(n->qtype));
	if (n->scale && n->scale->id)
		buf_printf(out, _(", scale %s"), n->scale->id);
	if (n->qtype == FORM_Q_MULTI)
		buf_printf(out, _(", %d to %d answers"), n->minsel, n->maxsel);
	if (n->has_range) {
		if (n->qtype == FORM_Q_DATE) {
			form_date_format(n->lo, lo);
			form_date_format(n->hi, hi);
			buf_printf(out, _(", %s to %s"), lo, hi);
		} else {
			buf_printf(out, _(", %.*f to %.*f"), n->qtype == FORM_Q_DECIMAL ? n->decimals : 0, n->lo,
			           n->qtype == FORM_Q_DECIMAL ? n->decimals : 0, n->hi);
		}
	}
	if (n->qtype == FORM_Q_DECIMAL)
		buf_printf(out, _(", %d decimals"), n->decimals);
	if (n->qtype == FORM_Q_TEXT)
		buf_printf(out, _(", up to %d characters"), n->maxlen);
	if (n->flags & FORM_F_RANDOM)
		buf_puts(out, _(", random order"));
	if (n->flags & FORM_F_CONFIRM)
		buf_puts(out, _(", confirm with Enter"));
	if (n->flags & FORM_F_FIXED)
		buf_puts(out, _(", fixed place"));
	if (n->flags & FORM_F_DK)
		buf_puts(out, _(", don't know"));
	if (n->flags & FORM_F_RF)
		buf_puts(out, _(", refused"));
	buf_putc(out, '\n');
	if (n->cond_src)
		labelled(out, depth, _("ASK IF"), n->cond_src);
	if (n->say.s)
		labelled(out, depth, _("READ"), form_text_get(f, &n->say, lang));
	if (n->note.s)
		labelled(out, depth, _("NOTE"), form_text_get(f, &n->note, lang));
	if (n->qtype == FORM_Q_GRID) {
		for (i = 0; i < n->nitems; i++) {
			char head[FORM_MAX_ID + 8];
			snprintf(head, sizeof head, "%s", n->items[i].id);
			labelled(out, depth + 1, head, form_text_get(f, &n->items[i].label, lang));
		}
		buf_printf(out, _("%*son the scale:\n"), depth * 2 + 8, "");
	}
	if (n->qtype != FORM_Q_INFO)
		choices(f, n->scale, lang, depth, out);
}

/* Print nodes from first on, at the given depth. */
static void show_block(const struct form *f, int first, int lang, int depth, int *number,
                       struct buf *out)
{
	const struct form_node *n;
	int i;

	for (i = first; i >= 0; i = n->next) {
		n = &f->nodes[i];
		switch (n->kind) {
		case FORM_N_QUESTION:
			question(f, n, lang, depth, ++*number, out);
			break;
		case FORM_N_GROUP:
			buf_printf(out, _("%*sGROUP %s%s%s%s\n"), depth * 2, "", n->id,
			           n->flags & FORM_F_RANDOM ? _(" (questions in random order)") : "",
			           n->cond_src ? _("  ASK IF ") : "", n->cond_src ? n->cond_src : "");
			show_block(f, n->child, lang, depth + 1, number, out);
			buf_printf(out, _("%*sEND GROUP %s\n"), depth * 2, "", n->id);
			break;
		case FORM_N_LOOP:
			buf_printf(out, _("%*sLOOP %s: repeat %s times (at most %d)%s%s\n"), depth * 2, "",
			           n->id, n->expr_src ? n->expr_src : "?", n->max_iter,
			           n->cond_src ? _("  ASK IF ") : "", n->cond_src ? n->cond_src : "");
			show_block(f, n->child, lang, depth + 1, number, out);
			buf_printf(out, _("%*sEND LOOP %s\n"), depth * 2, "", n->id);
			break;
		case FORM_N_SKIP:
			buf_printf(out, _("%*s-> SKIP TO %s%s%s\n"), depth * 2, "",
			           n->target >= 0 ? f->nodes[n->target].id : "?",
			           n->cond_src ? _(" IF ") : "", n->cond_src ? n->cond_src : "");
			break;
		case FORM_N_COMPUTE:
			buf_printf(out, _("%*sCOMPUTE %s = %s\n"), depth * 2, "", n->id,
			           n->expr_src ? n->expr_src : "?");
			break;
		case FORM_N_CHECK:
			buf_printf(out, _("%*sCHECK (%s) %s\n"), depth * 2, "",
			           n->flags & FORM_F_HARD ? _("hard") : _("soft"), n->expr_src ? n->expr_src : "?");
			labelled(out, depth, _("MESSAGE"), form_text_get(f, &n->message, lang));
			break;
		case FORM_N_ENDING:
			if (n->flags & FORM_F_COMPLETE)
				buf_printf(out, _("%*sEND: complete"), depth * 2, "");
			else
				buf_printf(out, _("%*sEND: screen-out '%s'"), depth * 2, "", n->outcome);
			if (n->cond_src)
				buf_printf(out, _(" IF %s"), n->cond_src);
			/* a screen-out records screened_out unless it names its call outcome */
			if (!(n->flags & FORM_F_COMPLETE) && strcmp(n->call_outcome, "screened_out"))
				buf_printf(out, _(" (call outcome %s)"), n->call_outcome);
			buf_putc(out, '\n');
			if (n->say.s)
				labelled(out, depth, _("READ"), form_text_get(f, &n->say, lang));
			break;
		}
		buf_putc(out, '\n');
	}
}

void form_show(const struct form *f, int lang, struct buf *out)
{
	int i, number = 0;

	if (lang < 0 || lang >= f->nlangs)
		lang = 0;
	buf_printf(out, "%s: %s\n", f->id, form_text_get(f, &f->title, lang));
	buf_printf(out, _("version %s; languages:"), f->version);
	for (i = 0; i < f->nlangs; i++)
		buf_printf(out, " %s", f->langs[i]);
	buf_printf(out, _("; shown in %s; %d questions\n"), f->langs[lang], f->nquestions);
	for (i = 0; i < f->nvars; i++) {
		const struct form_var *v = &f->vars[i];
		if (v->kind != FORM_V_CASE)
			continue;
		buf_printf(out, _("case field %s: %s"), v->id,
		           v->scale ? _("coded") : v->type == FORM_T_NUM ? _("number") : _("text"));
		if (v->scale)
			buf_printf(out, _(" (scale %s)"), v->scale->id);
		buf_putc(out, '\n');
	}
	for (i = 0; i < f->nquotas; i++) {
		const struct form_quota *q = &f->quotas[i];
		int k, j;

		buf_printf(out, _("quota %s by"), q->id);
		for (k = 0; k < q->nvars; k++)
			buf_printf(out, " %s", q->var_names[k]);
		buf_printf(out, _(": %ld cells, target %d each"), form_quota_ncells(q), q->target);
		for (k = 0; k < q->ncells; k++) {
			buf_puts(out, k ? ", " : " (");
			for (j = 0; j < q->nvars; j++)
				buf_printf(out, j ? ",%d" : "%d", q->cells[k].codes[j]);
			buf_printf(out, ": %d", q->cells[k].target);
		}
		buf_printf(out, _("%s; full: screen-out '%s'\n      READ     %s\n"), q->ncells ? ")" : "",
		           f->nodes[q->ending].outcome, form_text_get(f, &f->nodes[q->ending].say, lang));
	}
	buf_putc(out, '\n');
	show_block(f, f->first, lang, 0, &number, out);
	buf_puts(out, _("END: complete (end of form)\n"));
}
