/* codebook.c: a plain-text codebook: every variable, its label, route, values and frequencies. */
#include "export-int.h"

#include <stdlib.h>
#include <string.h>

/* How many rows hold the valid value x in variable i. */
static long count_value(const struct exp_data *d, int i, double x)
{
	long r, n = 0;

	for (r = 0; r < d->nrows; r++)
		n += d->rows[r][i].present && !d->rows[r][i].state && d->schema.vars[i].type == EXP_NUM && d->rows[r][i].num == x;
	return n;
}

/* How many rows are don't know (FORM_S_DK) or refused (FORM_S_RF) in variable i. */
static long count_state(const struct exp_data *d, int i, int state)
{
	long r, n = 0;

	for (r = 0; r < d->nrows; r++)
		n += d->rows[r][i].present && d->rows[r][i].state == state;
	return n;
}

/* The codebook in the export language: a legend, then every variable. */
int exp_write_codebook(struct exp_data *d, const char *path, struct err *e)
{
	const struct exp_schema *s = &d->schema;
	struct exp_out o;
	long r, valid;
	int i, k;

	if (exp_out_open(&o, path, e) < 0)
		return -1;
	fprintf(o.f, "%s: %s (%s)\n%ld %s, %d %s\n%s\n", exp_word(s, EXP_W_CODEBOOK), d->title, d->study, d->nrows,
	        exp_word(s, EXP_W_INTERVIEWS), s->nvars, exp_word(s, EXP_W_VARIABLES), exp_word(s, EXP_W_LEGEND));
	for (i = 0; i < s->nvars; i++) {
		const struct exp_var *v = &s->vars[i];
		const char *level = exp_word(s, v->measure == EXP_ORDINAL ? EXP_W_ORDINAL
		                                : v->measure == EXP_SCALE ? EXP_W_SCALE : EXP_W_NOMINAL);

		for (r = 0, valid = 0; r < d->nrows; r++)
			valid += d->rows[r][i].present;
		fprintf(o.f, "\n%-3d %s", i + 1, v->name);
		if (v->type == EXP_STR)
			fprintf(o.f, "  %s, %d %s", exp_word(s, EXP_W_TEXT), v->width, exp_word(s, EXP_W_BYTES));
		else if (v->is_date)
			fprintf(o.f, "  %s (YYYY-MM-DD)", exp_word(s, EXP_W_DATE));
		else
			fprintf(o.f, "  %s, %d %s", exp_word(s, EXP_W_NUMBER), v->decimals, exp_word(s, EXP_W_DECIMALS));
		fprintf(o.f, ", %s  (%ld %s, %ld %s)\n", level, valid, exp_word(s, EXP_W_WITH_VALUE), d->nrows - valid,
		        exp_word(s, EXP_W_EMPTY));
		fprintf(o.f, "    %s\n", v->label);
		if (v->route)
			fprintf(o.f, "    %s: %s\n", exp_word(s, EXP_W_ASKED_IF), v->route);
		for (k = 0; k < v->nlabels; k++)
			fprintf(o.f, "    %8g  %-40s %6ld\n", v->labels[k].value, v->labels[k].label,
			        count_value(d, i, v->labels[k].value));
		if (v->missing & FORM_F_DK)
			fprintf(o.f, "    %8s  %-40s %6ld  (%s)\n", v->type == EXP_STR ? "dk" : "-8", exp_word(s, EXP_W_DK),
			        count_state(d, i, FORM_S_DK), exp_word(s, EXP_W_MISSING));
		if (v->missing & FORM_F_RF)
			fprintf(o.f, "    %8s  %-40s %6ld  (%s)\n", v->type == EXP_STR ? "rf" : "-9", exp_word(s, EXP_W_RF),
			        count_state(d, i, FORM_S_RF), exp_word(s, EXP_W_MISSING));
	}
	return exp_out_close(&o, e);
}
