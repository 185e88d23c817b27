/* codebook.c: a plain-text codebook: every variable, its label, route, values and frequencies. */
#include "export-int.h"

#include <stdlib.h>
#include <string.h>

/* How many rows hold value x in variable i. */
static long count_value(const struct exp_data *d, int i, double x)
{
	long r, n = 0;

	for (r = 0; r < d->nrows; r++)
		n += d->rows[r][i].present && d->schema.vars[i].type == EXP_NUM && d->rows[r][i].num == x;
	return n;
}

int exp_write_codebook(struct exp_data *d, const char *path, struct err *e)
{
	struct exp_out o;
	long r, valid;
	int i, k;

	if (exp_out_open(&o, path, e) < 0)
		return -1;
	fprintf(o.f, "Codebook: %s (%s)\n%ld interviews, %d variables\n", d->title, d->study, d->nrows, d->schema.nvars);
	fprintf(o.f, "Don't know is %g and refused %g in numeric variables (declared missing), \"dk\" and \"rf\" in text.\n"
	             "An empty value: not asked on the interview's route.\n", EXP_DK_CODE, EXP_RF_CODE);
	for (i = 0; i < d->schema.nvars; i++) {
		const struct exp_var *v = &d->schema.vars[i];

		for (r = 0, valid = 0; r < d->nrows; r++)
			valid += d->rows[r][i].present;
		fprintf(o.f, "\n%-3d %s", i + 1, v->name);
		if (v->type == EXP_STR)
			fprintf(o.f, "  text, %d bytes", v->width);
		else if (v->is_date)
			fprintf(o.f, "  date (YYYY-MM-DD)");
		else
			fprintf(o.f, "  number, %d decimal%s", v->decimals, v->decimals == 1 ? "" : "s");
		fprintf(o.f, "  (%ld with a value, %ld empty)\n", valid, d->nrows - valid);
		fprintf(o.f, "    %s\n", v->label);
		if (v->route)
			fprintf(o.f, "    asked if: %s\n", v->route);
		for (k = 0; k < v->nlabels; k++)
			fprintf(o.f, "    %8g  %-40s %6ld\n", v->labels[k].value, v->labels[k].label,
			        count_value(d, i, v->labels[k].value));
		if (v->type == EXP_NUM && (v->missing & FORM_F_DK))
			fprintf(o.f, "    %8g  %-40s %6ld  (missing)\n", EXP_DK_CODE, "don't know", count_value(d, i, EXP_DK_CODE));
		if (v->type == EXP_NUM && (v->missing & FORM_F_RF))
			fprintf(o.f, "    %8g  %-40s %6ld  (missing)\n", EXP_RF_CODE, "refused", count_value(d, i, EXP_RF_CODE));
	}
	return exp_out_close(&o, e);
}
