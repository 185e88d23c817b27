/* export.c: a form's variables for export, the row of each interview, and the data set. */
#include "export-int.h"

#include "cati/i18n.h"

#include "cati/calls.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define NAME_MAX_LEN 32

struct builder {
	struct exp_schema *s;
	int cap;
	int lang;
	int identities;           /* names, phone numbers and free-text answers too */
};

/* A name researchers' tools accept: letters, digits, _; starts with a letter; unique. */
static const char *var_name(struct builder *b, const char *want)
{
	char name[NAME_MAX_LEN + 1], base[NAME_MAX_LEN + 1];
	int i, k, n = 0, clash;

	if (!((want[0] >= 'A' && want[0] <= 'Z') || (want[0] >= 'a' && want[0] <= 'z')))
		base[n++] = 'v';
	for (i = 0; want[i] && n < NAME_MAX_LEN; i++) {
		char c = want[i];
		base[n++] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
	}
	base[n] = '\0';
	memcpy(name, base, (size_t)n + 1);
	for (k = 2;; k++) {
		clash = 0;
		for (i = 0; i < b->s->nvars && !clash; i++)
			clash = !strcasecmp(b->s->vars[i].name, name);
		if (!clash)
			break;
		/* a suffix that keeps the name within the limit */
		{
			char suf[16];
			int sl = snprintf(suf, sizeof suf, "_%d", k), keep = n;
			if (keep + sl > NAME_MAX_LEN)
				keep = NAME_MAX_LEN - sl;
			snprintf(name, sizeof name, "%.*s%s", keep, base, suf);
		}
	}
	return arena_strdup(&b->s->arena, name);
}

static struct exp_var *add(struct builder *b, const char *name, const char *label, enum exp_vtype t,
                           enum exp_src src)
{
	struct exp_var *v;

	if (b->s->nvars == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s->vars = xrealloc(b->s->vars, sizeof *b->s->vars * (size_t)b->cap);
	}
	v = &b->s->vars[b->s->nvars];
	memset(v, 0, sizeof *v);
	v->name = var_name(b, name);
	v->label = arena_strdup(&b->s->arena, label ? label : "");
	v->type = t;
	v->src = src;
	v->width = 1;
	b->s->nvars++;
	return v;
}

/* Value labels from a scale's choices, in the export language. */
static void scale_labels(struct builder *b, struct exp_var *v, const struct form_scale *sc)
{
	int i;

	if (!sc)
		return;
	v->nlabels = sc->n;
	v->labels = arena_alloc(&b->s->arena, sizeof *v->labels * (size_t)(sc->n ? sc->n : 1));
	for (i = 0; i < sc->n; i++) {
		v->labels[i].value = sc->choices[i].code;
		v->labels[i].label = arena_strdup(&b->s->arena, form_text_get(b->s->form, &sc->choices[i].label, b->lang));
	}
}

/* Two or three value labels from fixed words. */
static void word_labels(struct builder *b, struct exp_var *v, int n, const double *codes, const enum exp_word *w)
{
	int i;

	v->nlabels = n;
	v->labels = arena_alloc(&b->s->arena, sizeof *v->labels * (size_t)n);
	for (i = 0; i < n; i++) {
		v->labels[i].value = codes[i];
		v->labels[i].label = exp_word(b->s, w[i]);
	}
}

/* 0 "not chosen", 1 "chosen" for an option of a multiple choice. */
static void yes_no_labels(struct builder *b, struct exp_var *v)
{
	static const double codes[] = { 0, 1 };
	static const enum exp_word w[] = { EXP_W_NOT_CHOSEN, EXP_W_CHOSEN };

	word_labels(b, v, 2, codes, w);
}

/* A rating scale: a named scale with at least three codes that run without gaps. */
static int ordinal_scale(const struct form_scale *sc)
{
	int i;

	if (!sc || !sc->id || sc->n < 3)
		return 0;
	for (i = 1; i < sc->n; i++)
		if (sc->choices[i].code != sc->choices[i - 1].code + 1)
			return 0;
	return 1;
}

/*
 * A question's text as a variable label: each fill {name} as [name] (a fill of the enclosing
 * loop's iteration as its number), and in a loop the iteration's number appended when the text
 * does not show it already.
 */
static const char *label_text(struct builder *b, const char *text, int loop, int iter)
{
	const struct form *f = b->s->form;
	struct buf out;
	const char *p, *q, *r;
	int shown = 0;

	buf_init(&out);
	for (p = text; *p; p++) {
		if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
			buf_putc(&out, *p);
			p++;
			continue;
		}
		if (*p == '{' && (q = strchr(p, '}')) != NULL) {
			char name[2 * FORM_MAX_ID + 2];
			int slot;

			snprintf(name, sizeof name, "%.*s", (int)(q - p - 1), p + 1);
			slot = form_var_find(f, name);
			if (iter && slot >= 0 && f->vars[slot].kind == FORM_V_LOOPIDX && f->vars[slot].node == loop) {
				buf_printf(&out, "%d", iter);
				shown = 1;
			} else {
				buf_printf(&out, "[%s]", name);
			}
			p = q;
			continue;
		}
		buf_putc(&out, *p);
	}
	if (iter && !shown)
		buf_printf(&out, " (%d)", iter);
	r = arena_strdup(&b->s->arena, buf_str(&out));
	buf_release(&out);
	return r;
}

/* The conditions a question is asked under: its own and its groups' and loop's. */
static const char *route_of(struct builder *b, int node)
{
	const struct form *f = b->s->form;
	struct buf r;
	const char *out;
	int n;

	buf_init(&r);
	for (n = node; n >= 0; n = f->nodes[n].parent) {
		if (!f->nodes[n].cond_src)
			continue;
		if (r.len)
			buf_puts(&r, " and ");
		if (n != node)
			buf_printf(&r, "(%s %s) ", f->nodes[n].kind == FORM_N_LOOP ? "loop" : "group", f->nodes[n].id);
		buf_puts(&r, f->nodes[n].cond_src);
	}
	out = r.len ? arena_strdup(&b->s->arena, buf_str(&r)) : NULL;
	buf_release(&r);
	return out;
}

/* The variables of one question in one loop iteration (iter 0 outside loops). */
static void question_vars(struct builder *b, int node, int iter)
{
	const struct form *f = b->s->form;
	const struct form_node *n = &f->nodes[node];
	const char *text = label_text(b, form_text_get(f, &n->say, b->lang), n->loop, iter);
	unsigned miss = n->flags & (FORM_F_DK | FORM_F_RF);
	struct buf nm, lb;
	struct exp_var *v;
	int k;

	buf_init(&nm);
	buf_init(&lb);
	if (iter)
		buf_printf(&nm, "%s_%d", n->id, iter);
	else
		buf_puts(&nm, n->id);
	switch (n->qtype) {
	case FORM_Q_MULTI:
		for (k = 0; n->scale && k < n->scale->n; k++) {
			struct buf on;
			buf_init(&on);
			buf_printf(&on, "%s_%d", buf_str(&nm), n->scale->choices[k].code);
			buf_reset(&lb);
			buf_printf(&lb, "%s: %s", text, form_text_get(f, &n->scale->choices[k].label, b->lang));
			v = add(b, buf_str(&on), buf_str(&lb), EXP_NUM, EXP_S_OPTION);
			v->code = n->scale->choices[k].code;
			yes_no_labels(b, v);
			v->missing = (int)miss;
			buf_release(&on);
			v->question = n->id;
			v->iter = iter;
			v->qtype = n->qtype;
			v->route = route_of(b, node);
		}
		break;
	case FORM_Q_GRID:
		for (k = 0; k < n->nitems; k++) {
			struct buf on;
			buf_init(&on);
			buf_printf(&on, "%s_%s", buf_str(&nm), n->items[k].id);
			buf_reset(&lb);
			buf_printf(&lb, "%s: %s", text, form_text_get(f, &n->items[k].label, b->lang));
			v = add(b, buf_str(&on), buf_str(&lb), EXP_NUM, EXP_S_ITEM);
			v->item = k;
			scale_labels(b, v, n->scale);
			v->measure = ordinal_scale(n->scale) ? EXP_ORDINAL : EXP_NOMINAL;
			v->missing = (int)miss;
			buf_release(&on);
			v->question = n->id;
			v->iter = iter;
			v->qtype = n->qtype;
			v->route = route_of(b, node);
		}
		break;
	default:
		v = add(b, buf_str(&nm), text, n->qtype == FORM_Q_TEXT ? EXP_STR : EXP_NUM, EXP_S_ANSWER);
		if (n->qtype == FORM_Q_SINGLE || n->qtype == FORM_Q_YESNO)
			scale_labels(b, v, n->scale);
		v->measure = n->qtype == FORM_Q_TEXT ? EXP_NOMINAL : v->nlabels == 0 ? EXP_SCALE
		           : n->qtype == FORM_Q_SINGLE && ordinal_scale(n->scale) ? EXP_ORDINAL : EXP_NOMINAL;
		if (n->qtype == FORM_Q_DECIMAL)
			v->decimals = n->decimals;
		v->is_date = n->qtype == FORM_Q_DATE;
		v->missing = (int)miss;
		v->question = n->id;
		v->iter = iter;
		v->qtype = n->qtype;
		v->route = route_of(b, node);
		if (miss && (n->qtype == FORM_Q_TEXT || n->qtype == FORM_Q_DATE)) {
			/* Stata and Triple-S cannot declare a text's or a date's don't know: say it beside */
			static const double codes[] = { EXP_ST_ANSWERED, EXP_ST_DK, EXP_ST_RF };
			static const enum exp_word w[] = { EXP_W_ANSWERED, EXP_W_DK, EXP_W_RF };
			const char *of = v->label, *name = v->name;

			buf_reset(&lb);
			buf_printf(&lb, "%s (%s)", of, exp_word(b->s, EXP_W_STATUS_OF));
			buf_reset(&nm);
			buf_printf(&nm, "%s_st", name);
			v = add(b, buf_str(&nm), buf_str(&lb), EXP_NUM, EXP_S_STATUS);
			word_labels(b, v, 3, codes, w);
			v->measure = EXP_NOMINAL;
			v->question = n->id;
			v->iter = iter;
			v->qtype = n->qtype;
			v->route = route_of(b, node);
		}
		break;
	}
	buf_release(&nm);
	buf_release(&lb);
}

/* Does a case field's id say it names or reaches the respondent? */
int exp_personal_field(const char *id)
{
	static const char *const ids[] = {
		"name", "first_name", "firstname", "last_name", "lastname", "surname", "full_name",
		"phone", "mobile", "tel", "telephone", "email", "e_mail", "address", "street",
	};
	size_t i;

	for (i = 0; i < sizeof ids / sizeof ids[0]; i++)
		if (!strcasecmp(id, ids[i]))
			return 1;
	/* phone2, phone_work, mobile_private ... */
	return !strncasecmp(id, "phone", 5) || !strncasecmp(id, "mobile", 6);
}

/* Every variable, the ids as they are. */
void exp_schema_build(struct exp_schema *s, const struct form *f, int lang)
{
	exp_schema_build_opts(s, f, lang, NULL);
}

/* "p" and the first 8 bytes of HMAC-SHA256(key, id) in hex. */
void exp_pseudonym(const unsigned char *key, const char *id, char out[EXP_PSEUDONYM_LEN + 1])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const unsigned char *)id, strlen(id), key);
	out[0] = 'p';
	sodium_bin2hex(out + 1, EXP_PSEUDONYM_LEN, mac, (EXP_PSEUDONYM_LEN - 1) / 2);
}

/* The variables of f that o allows, in the order exp_schema_build documents. */
void exp_schema_build_opts(struct exp_schema *s, const struct form *f, int lang, const struct exp_opts *o)
{
	static const struct {
		const char *name;
		enum exp_word label;
		enum exp_vtype t;
	} meta[] = {
		{ "interview", EXP_W_INTERVIEW, EXP_STR },
		{ "case", EXP_W_CASE, EXP_STR },
		{ "interviewer", EXP_W_INTERVIEWER, EXP_STR },
		{ "lang", EXP_W_LANG, EXP_STR },
		{ "status", EXP_W_STATUS, EXP_STR },
		{ "outcome", EXP_W_OUTCOME, EXP_STR },
		{ "started", EXP_W_STARTED, EXP_STR },
		{ "ended", EXP_W_ENDED, EXP_STR },
		{ "duration", EXP_W_DURATION, EXP_NUM },
		{ "form_version", EXP_W_VERSION, EXP_STR },
	};
	struct builder b;
	size_t m;
	int i, it;

	memset(s, 0, sizeof *s);
	arena_init(&s->arena);
	s->form = f;
	memset(&b, 0, sizeof b);
	b.s = s;
	b.lang = lang >= 0 && lang < f->nlangs ? lang : 0;
	b.identities = !o || o->identities;
	if (o && o->pseudonym_key) {
		s->pseudonyms = 1;
		memcpy(s->pseudonym_key, o->pseudonym_key, EXP_PSEUDONYM_KEY);
	}
	s->words = exp_words_of(f->nlangs ? f->langs[b.lang] : "en");
	for (m = 0; m < sizeof meta / sizeof meta[0]; m++) {
		struct exp_var *v = add(&b, meta[m].name, exp_word(s, meta[m].label), meta[m].t, EXP_S_META);
		v->question = meta[m].name;
		v->measure = meta[m].t == EXP_NUM ? EXP_SCALE : EXP_NOMINAL;
	}
	for (i = 0; i < f->nvars; i++) {
		const struct form_var *fv = &f->vars[i];
		struct exp_var *v;

		if (fv->kind != FORM_V_CASE || (!b.identities && exp_personal_field(fv->id)))
			continue;
		v = add(&b, fv->id, fv->id, fv->type == FORM_T_NUM ? EXP_NUM : EXP_STR, EXP_S_CASE);
		v->question = fv->id;
		scale_labels(&b, v, fv->scale);
		v->measure = fv->type == FORM_T_NUM && !fv->scale ? EXP_SCALE : EXP_NOMINAL;
		if (fv->type == FORM_T_NUM && !fv->scale && !(fv->has_range && fv->lo == (long)fv->lo && fv->hi == (long)fv->hi))
			v->decimals = 2;
	}
	s->node_first = xcalloc((size_t)f->nnodes + 1, sizeof *s->node_first);
	s->node_per_iter = xcalloc((size_t)f->nnodes + 1, sizeof *s->node_per_iter);
	for (i = 0; i < f->nnodes; i++) {
		const struct form_node *n = &f->nodes[i];
		int before;

		s->node_first[i] = -1;
		if (n->kind != FORM_N_QUESTION || n->qtype == FORM_Q_INFO)
			continue;
		if (!b.identities && (n->qtype == FORM_Q_TEXT || (n->flags & FORM_F_PERSONAL)))
			continue;   /* what a respondent says in their own words may name them */
		before = s->nvars;
		s->node_first[i] = before;
		if (n->loop >= 0) {
			for (it = 1; it <= f->nodes[n->loop].max_iter; it++)
				question_vars(&b, i, it);
			s->node_per_iter[i] = (s->nvars - before) / f->nodes[n->loop].max_iter;
		} else {
			question_vars(&b, i, 0);
			s->node_per_iter[i] = s->nvars - before;
		}
	}
}

void exp_schema_release(struct exp_schema *s)
{
	free(s->vars);
	free(s->node_first);
	free(s->node_per_iter);
	arena_release(&s->arena);
	memset(s, 0, sizeof *s);
}

/* ISO 8601 UTC text -> seconds since 1970; -1 if malformed. */
static double iso_seconds(const char *t)
{
	struct tm tm;
	double frac = 0;
	int n = 0;

	if (!t)
		return -1;
	memset(&tm, 0, sizeof tm);
	if (sscanf(t, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	           &tm.tm_sec, &n) != 6)
		return -1;
	if (t[n] == '.')
		frac = strtod(t + n, NULL);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)zone_mktime("UTC", &tm) + frac;
}

static void set_num(struct exp_value *v, double x)
{
	v->present = 1;
	v->num = x;
}

/* Don't know or refused: "dk" / "rf" in a text, EXP_DK_CODE / EXP_RF_CODE in a number or date. */
static void set_missing(const struct exp_var *v, struct exp_value *out, int state, struct arena *a)
{
	out->present = 1;
	if (v->src == EXP_S_STATUS) {
		out->num = state == FORM_S_DK ? EXP_ST_DK : EXP_ST_RF;   /* a valid code of the status */
		return;
	}
	out->state = state;
	if (v->type == EXP_STR)
		out->str = arena_strdup(a, state == FORM_S_DK ? "dk" : "rf");
	else
		out->num = state == FORM_S_DK ? EXP_DK_CODE : EXP_RF_CODE;
}

/* Fill the variables of one answer. */
static void put_answer(const struct exp_schema *s, const struct exp_answer *an, struct exp_value *vals,
                       struct arena *a)
{
	const struct form *f = s->form;
	int node = form_node_find(f, an->qid), first, per, k;
	const struct form_node *n;

	if (node < 0 || s->node_first[node] < 0)
		return;   /* a question of another form version */
	n = &f->nodes[node];
	per = s->node_per_iter[node];
	first = s->node_first[node];
	if (n->loop >= 0) {
		if (an->iter < 1 || an->iter > f->nodes[n->loop].max_iter)
			return;
		first += (an->iter - 1) * per;
	}
	if (an->state == FORM_S_DK || an->state == FORM_S_RF) {
		for (k = 0; k < per; k++)
			set_missing(&s->vars[first + k], &vals[first + k], an->state, a);
		return;
	}
	if (an->state != FORM_S_OK || !an->value)
		return;
	switch (n->qtype) {
	case FORM_Q_MULTI:
		for (k = 0; k < per; k++) {
			const char *p = an->value;
			int chosen = 0;
			while (*p) {
				char *end;
				long c = strtol(p, &end, 10);
				if (end == p)
					break;
				chosen |= c == s->vars[first + k].code;
				p = *end == ',' ? end + 1 : end;
			}
			set_num(&vals[first + k], chosen);
		}
		break;
	case FORM_Q_GRID: {
		const char *p = an->value;
		for (k = 0; k < per && *p; k++) {
			size_t len = strcspn(p, ",");
			if (len == 2 && !strncmp(p, "dk", 2))
				set_missing(&s->vars[first + k], &vals[first + k], FORM_S_DK, a);
			else if (len == 2 && !strncmp(p, "rf", 2))
				set_missing(&s->vars[first + k], &vals[first + k], FORM_S_RF, a);
			else if (len)
				set_num(&vals[first + k], strtod(p, NULL));
			p += len;
			if (*p == ',')
				p++;
		}
		break;
	}
	case FORM_Q_TEXT:
		vals[first].present = 1;
		vals[first].str = arena_strdup(a, an->value);
		if (per > 1)
			set_num(&vals[first + 1], EXP_ST_ANSWERED);
		break;
	case FORM_Q_DATE: {
		double days;
		if (form_date_parse(an->value, strlen(an->value), &days) == 0) {
			set_num(&vals[first], days);
			if (per > 1)
				set_num(&vals[first + 1], EXP_ST_ANSWERED);
		}
		break;
	}
	default: {
		char *end;
		double x = strtod(an->value, &end);
		if (end != an->value)
			set_num(&vals[first], x);
		break;
	}
	}
}

void exp_row(const struct exp_schema *s, const struct exp_interview *iv, struct exp_value *vals,
             struct arena *a)
{
	const char *meta[10];
	char pcase[EXP_PSEUDONYM_LEN + 1], piv[EXP_PSEUDONYM_LEN + 1];
	json_t *fields = iv->fields_json ? json_loads(iv->fields_json, 0, NULL) : NULL;
	double t0, t1;
	int i;

	memset(vals, 0, sizeof *vals * (size_t)s->nvars);
	meta[0] = iv->uuid;
	meta[1] = iv->case_key;
	meta[2] = iv->interviewer;
	meta[3] = iv->lang;
	meta[4] = iv->status;
	meta[5] = iv->outcome;
	meta[6] = iv->started_at;
	meta[7] = iv->ended_at;
	meta[8] = NULL;   /* duration: worked out below */
	meta[9] = iv->form_version;
	if (s->pseudonyms) {
		if (iv->uuid) {
			exp_pseudonym(s->pseudonym_key, iv->uuid, piv);
			meta[0] = piv;
		}
		if (iv->case_key) {
			exp_pseudonym(s->pseudonym_key, iv->case_key, pcase);
			meta[1] = pcase;
		}
	}
	for (i = 0; i < s->nvars; i++) {
		const struct exp_var *v = &s->vars[i];

		if (v->src == EXP_S_META && i < 10) {
			if (meta[i]) {
				vals[i].present = 1;
				vals[i].str = arena_strdup(a, meta[i]);
			}
		} else if (v->src == EXP_S_CASE) {
			json_t *x = json_object_get(fields, v->question);
			const char *t = json_is_string(x) ? json_string_value(x) : NULL;
			if (json_is_number(x)) {
				set_num(&vals[i], json_number_value(x));
			} else if (t && *t) {
				if (v->type == EXP_STR) {
					vals[i].present = 1;
					vals[i].str = arena_strdup(a, t);
				} else {
					char *end;
					double x2 = strtod(t, &end);
					if (end != t && !*end)
						set_num(&vals[i], x2);
				}
			}
		}
	}
	/* duration: from start to end */
	t0 = iso_seconds(iv->started_at);
	t1 = iso_seconds(iv->ended_at);
	if (t0 >= 0 && t1 >= t0)
		set_num(&vals[8], (double)(long long)(t1 - t0 + 0.5));
	for (i = 0; i < iv->nanswers; i++)
		put_answer(s, &iv->answers[i], vals, a);
	json_decref(fields);
}

/* An empty data set of every variable of f. */
void exp_data_init(struct exp_data *d, const struct form *f, int lang)
{
	exp_data_init_opts(d, f, lang, NULL);
}

/* An empty data set of the variables of f that o allows. */
void exp_data_init_opts(struct exp_data *d, const struct form *f, int lang, const struct exp_opts *o)
{
	memset(d, 0, sizeof *d);
	exp_schema_build_opts(&d->schema, f, lang, o);
	arena_init(&d->arena);
	d->title = form_text_get(f, &f->title, lang >= 0 && lang < f->nlangs ? lang : 0);
	if (!*d->title)
		d->title = f->id;
	d->study = f->id;
}

void exp_data_add(struct exp_data *d, const struct exp_interview *iv)
{
	struct exp_value *row;

	if (d->nrows == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->rows = xrealloc(d->rows, sizeof *d->rows * (size_t)d->cap);
	}
	row = arena_alloc(&d->arena, sizeof *row * (size_t)(d->schema.nvars ? d->schema.nvars : 1));
	exp_row(&d->schema, iv, row, &d->arena);
	d->rows[d->nrows++] = row;
}

void exp_widths(struct exp_data *d)
{
	long r;
	int i;

	for (i = 0; i < d->schema.nvars; i++) {
		struct exp_var *v = &d->schema.vars[i];
		if (v->type != EXP_STR)
			continue;
		v->width = 2;   /* room for "dk" / "rf" */
		for (r = 0; r < d->nrows; r++) {
			const struct exp_value *x = &d->rows[r][i];
			if (x->present && x->str && (int)strlen(x->str) > v->width)
				v->width = (int)strlen(x->str);
		}
	}
}

void exp_data_release(struct exp_data *d)
{
	exp_schema_release(&d->schema);
	free(d->rows);
	arena_release(&d->arena);
	memset(d, 0, sizeof *d);
}

int exp_format_of(const char *name)
{
	static const char *const names[] = { "csv", "json", "sav", "dta", "sss", "ddi", "codebook", "sas" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

int exp_write(struct exp_data *d, enum exp_format fmt, const char *path, struct err *e)
{
	exp_widths(d);
	switch (fmt) {
	case EXP_CSV:
		return exp_write_csv(d, path, e);
	case EXP_JSON:
		return exp_write_json(d, path, e);
	case EXP_SAV:
	case EXP_DTA:
	case EXP_SAS:
		return exp_write_readstat(d, fmt, path, e);
	case EXP_SSS:
		return exp_write_sss(d, path, e);
	case EXP_DDI:
		return exp_write_ddi(d, path, e);
	case EXP_CODEBOOK:
		return exp_write_codebook(d, path, e);
	}
	err_set(e, _("unknown export format"));
	return -1;
}

void exp_data_take(void *ctx, const struct exp_interview *iv)
{
	exp_data_add(ctx, iv);
}

void exp_calls_init(struct exp_calls *c)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->arena);
}

static const char *dup_or_null(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

void exp_calls_take(void *ctx, const struct exp_attempt *a)
{
	struct exp_calls *c = ctx;
	struct exp_attempt *x;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = xrealloc(c->v, sizeof *c->v * (size_t)c->cap);
	}
	x = &c->v[c->n++];
	x->case_key = dup_or_null(&c->arena, a->case_key);
	x->interviewer = dup_or_null(&c->arena, a->interviewer);
	x->at = dup_or_null(&c->arena, a->at);
	x->phone = dup_or_null(&c->arena, a->phone);
	x->outcome = dup_or_null(&c->arena, a->outcome);
	x->disposition = dup_or_null(&c->arena, a->disposition);
	if (a->disposition_label)
		x->disposition_label = dup_or_null(&c->arena, a->disposition_label);
	else {
		const struct disposition *d = a->disposition ? calls_disposition(a->disposition) : NULL;
		x->disposition_label = d ? d->label : NULL;
	}
}

/* Each call record's case id replaced with its pseudonym (the strings in c's arena). */
void exp_calls_pseudonyms(struct exp_calls *c, const unsigned char *key)
{
	char p[EXP_PSEUDONYM_LEN + 1];
	long i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].case_key) {
			exp_pseudonym(key, c->v[i].case_key, p);
			c->v[i].case_key = arena_strdup(&c->arena, p);
		}
}

void exp_calls_release(struct exp_calls *c)
{
	free(c->v);
	arena_release(&c->arena);
	memset(c, 0, sizeof *c);
}

int exp_write_all(struct exp_data *d, const char *prefix, struct err *e)
{
	static const struct {
		enum exp_format fmt;
		const char *ext;
	} all[] = {
		{ EXP_CSV, ".csv" }, { EXP_JSON, ".json" }, { EXP_SAV, ".sav" }, { EXP_DTA, ".dta" }, { EXP_SAS, ".sas7bdat" },
		{ EXP_SSS, ".sss" }, { EXP_DDI, ".ddi.xml" }, { EXP_CODEBOOK, ".codebook.txt" },
	};
	struct buf path;
	size_t i;
	int rc = 0;

	buf_init(&path);
	for (i = 0; i < sizeof all / sizeof all[0] && rc == 0; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s%s", prefix, all[i].ext);
		rc = exp_write(d, all[i].fmt, buf_str(&path), e);
	}
	buf_release(&path);
	return rc;
}
