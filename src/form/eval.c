/* eval.c: evaluate form expressions with three-valued logic for missing answers. */
#include "cati/i18n.h"
#include "form-int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct form_value missing(void)
{
	struct form_value v;

	memset(&v, 0, sizeof v);
	v.state = FORM_S_MISSING;
	return v;
}

static struct form_value boolean(int b)
{
	struct form_value v = missing();

	v.type = FORM_T_BOOL;
	v.state = FORM_S_OK;
	v.num = b ? 1 : 0;
	return v;
}

static struct form_value number(enum form_type t, double x)
{
	struct form_value v = missing();

	if (isnan(x) || isinf(x))
		return v;
	v.type = t;
	v.state = FORM_S_OK;
	v.num = x;
	return v;
}

static int num_eq(double a, double b)
{
	double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	return fabs(a - b) <= 1e-9 * (m > 1 ? m : 1);
}

/* The value a reference reads, whatever its state. */
static struct form_value read_ref(const struct form *f, const struct form_expr *e,
                                  const struct form_env *env)
{
	const struct form_var *v;
	int iter = 0;

	if (e->var < 0 || e->var >= f->nvars)
		return missing();
	v = &f->vars[e->var];
	if (v->kind == FORM_V_LOOPIDX)
		return env->cur_iter > 0 ? number(FORM_T_NUM, env->cur_iter) : missing();
	if (e->b) {
		struct form_value i = form_eval(f, e->b, env);
		if (i.state != FORM_S_OK || i.num < 1 || i.num > FORM_MAX_LOOP)
			return missing();
		iter = (int)i.num;
	} else if (v->loop >= 0) {
		iter = env->cur_iter;
	}
	if (!env->get)
		return missing();
	return env->get(env->ctx, e->var, iter);
}

struct form_value form_eval(const struct form *f, const struct form_expr *e,
                            const struct form_env *env)
{
	struct form_value a, b;
	int i, c;

	if (!e)
		return missing();
	switch (e->op) {
	case FORM_E_NUM:
		return number(FORM_T_NUM, e->num);
	case FORM_E_DATE:
		return number(FORM_T_DATE, e->num);
	case FORM_E_BOOL:
		return boolean(e->num != 0);
	case FORM_E_STR:
		a = missing();
		a.type = FORM_T_TEXT;
		a.state = FORM_S_OK;
		a.str = e->str;
		return a;
	case FORM_E_REF:
		a = read_ref(f, e, env);
		return a.state == FORM_S_OK ? a : (a.state == FORM_S_MISSING ? missing() : a);
	case FORM_E_ANSWERED:
	case FORM_E_ASKED:
	case FORM_E_DK:
	case FORM_E_RF:
		if (!e->a || e->a->op != FORM_E_REF)
			return missing();
		a = read_ref(f, e->a, env);
		switch (e->op) {
		case FORM_E_ANSWERED: return boolean(a.state == FORM_S_OK);
		case FORM_E_ASKED: return boolean(a.state != FORM_S_MISSING);
		case FORM_E_DK: return boolean(a.state == FORM_S_DK);
		default: return boolean(a.state == FORM_S_RF);
		}
	case FORM_E_AND:
	case FORM_E_OR:
		a = form_eval(f, e->a, env);
		b = form_eval(f, e->b, env);
		if (e->op == FORM_E_AND) {
			if ((a.state == FORM_S_OK && !a.num) || (b.state == FORM_S_OK && !b.num))
				return boolean(0);
			if (a.state != FORM_S_OK || b.state != FORM_S_OK)
				return missing();
			return boolean(1);
		}
		if ((a.state == FORM_S_OK && a.num) || (b.state == FORM_S_OK && b.num))
			return boolean(1);
		if (a.state != FORM_S_OK || b.state != FORM_S_OK)
			return missing();
		return boolean(0);
	default:
		break;
	}

	a = form_eval(f, e->a, env);
	if (a.state != FORM_S_OK)
		return missing();
	switch (e->op) {
	case FORM_E_NOT:
		return boolean(!a.num);
	case FORM_E_NEG:
		return number(FORM_T_NUM, -a.num);
	case FORM_E_ABS:
		return number(FORM_T_NUM, fabs(a.num));
	case FORM_E_ROUND:
		return number(FORM_T_NUM, round(a.num));
	case FORM_E_COUNT:
		return a.type == FORM_T_SET ? number(FORM_T_NUM, a.ncodes) : missing();
	case FORM_E_LEN:
		return a.type == FORM_T_TEXT && a.str ? number(FORM_T_NUM, (double)utf8_len(a.str, strlen(a.str)))
		                                      : missing();
	case FORM_E_IN_LIST:
		for (i = 0; i < e->nranges; i++)
			if (a.num >= e->lo[i] - 1e-9 && a.num <= e->hi[i] + 1e-9)
				return boolean(1);
		return boolean(0);
	default:
		break;
	}

	b = form_eval(f, e->b, env);
	if (b.state != FORM_S_OK)
		return missing();
	switch (e->op) {
	case FORM_E_ADD:
		return number(a.type == FORM_T_DATE ? FORM_T_DATE : FORM_T_NUM, a.num + b.num);
	case FORM_E_SUB:
		return number(a.type == FORM_T_DATE && b.type != FORM_T_DATE ? FORM_T_DATE : FORM_T_NUM,
		              a.num - b.num);
	case FORM_E_MUL:
		return number(FORM_T_NUM, a.num * b.num);
	case FORM_E_DIV:
		return b.num == 0 ? missing() : number(FORM_T_NUM, a.num / b.num);
	case FORM_E_MOD:
		return b.num == 0 ? missing() : number(FORM_T_NUM, fmod(a.num, b.num));
	case FORM_E_IN_SET:
		if (b.type != FORM_T_SET)
			return missing();
		for (i = 0; i < b.ncodes; i++)
			if (num_eq(b.codes[i], a.num))
				return boolean(1);
		return boolean(0);
	default:
		break;
	}
	if (a.type == FORM_T_TEXT || b.type == FORM_T_TEXT) {
		if (a.type != b.type || !a.str || !b.str)
			return missing();
		c = strcmp(a.str, b.str);
	} else if (a.type == FORM_T_SET || b.type == FORM_T_SET) {
		return missing();
	} else {
		c = num_eq(a.num, b.num) ? 0 : (a.num < b.num ? -1 : 1);
	}
	switch (e->op) {
	case FORM_E_EQ: return boolean(c == 0);
	case FORM_E_NE: return boolean(c != 0);
	case FORM_E_LT: return boolean(c < 0);
	case FORM_E_LE: return boolean(c <= 0);
	case FORM_E_GT: return boolean(c > 0);
	case FORM_E_GE: return boolean(c >= 0);
	default: return missing();
	}
}

int form_cond(const struct form *f, const struct form_expr *e, const struct form_env *env)
{
	struct form_value v;

	if (!e)
		return 1;
	v = form_eval(f, e, env);
	return v.state == FORM_S_OK && v.type == FORM_T_BOOL && v.num != 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); Howard Hinnant's algorithm. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

int form_date_parse(const char *s, size_t n, double *days)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*days = (double)days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

void form_date_format(double days, char out[11])
{
	long z = (long)days + 719468, era, y;
	unsigned doe, yoe, doy, mp, d, m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)
		y = 0;
	snprintf(out, 11, "%04ld-%02u-%02u", y, m % 100, d % 100);
}

int form_lang(const struct form *f, const char *code)
{
	int i;

	for (i = 0; i < f->nlangs; i++)
		if (!strcmp(f->langs[i], code))
			return i;
	return -1;
}

int form_var_find(const struct form *f, const char *id)
{
	return hash_get(f->var_names, id);
}

int form_node_find(const struct form *f, const char *id)
{
	return hash_get(f->node_names, id);
}

const struct form_choice *form_scale_choice(const struct form_scale *s, int code)
{
	int i;

	if (!s)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (s->choices[i].code == code)
			return &s->choices[i];
	return NULL;
}

const char *form_text_get(const struct form *f, const struct form_text *t, int lang)
{
	if (!t->s)
		return "";
	if (lang >= 0 && lang < f->nlangs && t->s[lang])
		return t->s[lang];
	return t->s[0] ? t->s[0] : "";
}

const char *form_qtype_name(enum form_qtype t)
{
	static const char *const names[] = { "single", "multi", "integer", "decimal", "text",
	                                     "date", "yesno", "grid", "info" };
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

const char *form_type_name(enum form_type t)
{
	switch (t) {
	case FORM_T_NUM: return "a number";
	case FORM_T_TEXT: return "a text";
	case FORM_T_DATE: return "a date";
	case FORM_T_SET: return _("a multiple-choice answer");
	case FORM_T_BOOL: return _("a condition (true or false)");
	default: return "nothing";
	}
}
