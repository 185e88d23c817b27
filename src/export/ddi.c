/*
 * ddi.c: a DDI Codebook 2.5 XML: the study's citation, the data file's dimensions and one
 * <var> per variable with its label, question text, route (universe), value range, categories
 * with their frequencies (don't know and refused marked missing) and format.
 */
#include "export-int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void elem(FILE *f, const char *indent, const char *tag, const char *text)
{
	fprintf(f, "%s<%s>", indent, tag);
	exp_xml_text(f, text);
	fprintf(f, "</%s>\n", tag);
}

/* How many rows hold the valid value x in variable i. */
static long count_value(const struct exp_data *d, int i, double x)
{
	long r, n = 0;

	for (r = 0; r < d->nrows; r++)
		n += d->rows[r][i].present && !d->rows[r][i].state && d->rows[r][i].num == x;
	return n;
}

/* How many rows are don't know (state FORM_S_DK) or refused in variable i. */
static long count_state(const struct exp_data *d, int i, int state)
{
	long r, n = 0;

	for (r = 0; r < d->nrows; r++)
		n += d->rows[r][i].present && d->rows[r][i].state == state;
	return n;
}

/* One <catgry>: its value as written, label and frequency. */
static void category(FILE *f, const char *value, const char *label, int missing, long freq)
{
	fprintf(f, "        <catgry%s>\n          <catValu>", missing ? " missing=\"Y\"" : "");
	exp_xml_text(f, value);
	fputs("</catValu>\n", f);
	elem(f, "          ", "labl", label);
	fprintf(f, "          <catStat type=\"freq\">%ld</catStat>\n        </catgry>\n", freq);
}

int exp_write_ddi(struct exp_data *d, const char *path, struct err *e)
{
	struct exp_out o;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int i, k;

	if (exp_out_open(&o, path, e) < 0)
		return -1;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<codeBook xmlns=\"ddi:codebook:2_5\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
	      " xsi:schemaLocation=\"ddi:codebook:2_5 http://www.ddialliance.org/Specification/DDI-Codebook/2.5/XMLSchema/codebook.xsd\""
	      " version=\"2.5\" ID=\"", o.f);
	exp_xml_text(o.f, d->study);
	fputs("\">\n  <docDscr>\n    <citation>\n      <titlStmt>\n", o.f);
	elem(o.f, "        ", "titl", d->title);
	fputs("      </titlStmt>\n      <prodStmt>\n        <software>cati</software>\n      </prodStmt>\n    </citation>\n  </docDscr>\n"
	      "  <stdyDscr>\n    <citation>\n      <titlStmt>\n", o.f);
	elem(o.f, "        ", "titl", d->title);
	elem(o.f, "        ", "IDNo", d->study);
	fputs("      </titlStmt>\n    </citation>\n    <method>\n      <dataColl>\n        <collMode>CATI (computer-assisted telephone interviewing)</collMode>\n"
	      "      </dataColl>\n    </method>\n  </stdyDscr>\n  <fileDscr ID=\"F1\">\n    <fileTxt>\n", o.f);
	elem(o.f, "      ", "fileName", base);
	fprintf(o.f, "      <dimensns>\n        <caseQnty>%ld</caseQnty>\n        <varQnty>%d</varQnty>\n      </dimensns>\n"
	             "    </fileTxt>\n  </fileDscr>\n  <dataDscr>\n", d->nrows, d->schema.nvars);
	for (i = 0; i < d->schema.nvars; i++) {
		const struct exp_var *v = &d->schema.vars[i];
		long r, valid = 0, invalid = 0;
		double lo = INFINITY, hi = -INFINITY;

		for (r = 0; r < d->nrows; r++) {
			const struct exp_value *x = &d->rows[r][i];
			int miss;
			if (!x->present)
				continue;
			miss = x->state && v->src != EXP_S_STATUS;
			if (miss) {
				invalid++;
				continue;
			}
			valid++;
			if (v->type == EXP_NUM) {
				lo = x->num < lo ? x->num : lo;
				hi = x->num > hi ? x->num : hi;
			}
		}
		fprintf(o.f, "    <var ID=\"V%d\" name=\"", i + 1);
		exp_xml_text(o.f, v->name);
		fprintf(o.f, "\" files=\"F1\" intrvl=\"%s\" nature=\"%s\">\n",
		        v->type == EXP_NUM && !v->nlabels ? "contin" : "discrete",
		        v->measure == EXP_ORDINAL ? "ordinal" : v->measure == EXP_NOMINAL ? "nominal"
		        : v->is_date ? "interval" : "ratio");
		elem(o.f, "      ", "labl", v->label);
		if (v->src != EXP_S_META && v->src != EXP_S_CASE) {
			fputs("      <qstn>\n", o.f);
			elem(o.f, "        ", "qstnLit", v->label);
			fputs("      </qstn>\n", o.f);
		}
		/* the schema's order: labl, qstn, valrng, universe, sumStat, catgry, varFormat */
		if (v->type == EXP_NUM && valid && !v->is_date)
			fprintf(o.f, "      <valrng>\n        <range min=\"%g\" max=\"%g\"/>\n      </valrng>\n", lo, hi);
		if (v->route)
			elem(o.f, "      ", "universe", v->route);
		fprintf(o.f, "      <sumStat type=\"vald\">%ld</sumStat>\n      <sumStat type=\"invd\">%ld</sumStat>\n", valid, invalid);
		for (k = 0; k < v->nlabels; k++) {
			char num[64];
			exp_num_plain(v->labels[k].value, num, sizeof num);
			category(o.f, num, v->labels[k].label, 0, count_value(d, i, v->labels[k].value));
		}
		if (v->missing & FORM_F_DK)
			category(o.f, v->type == EXP_STR ? "dk" : "-8", exp_word(&d->schema, EXP_W_DK), 1, count_state(d, i, FORM_S_DK));
		if (v->missing & FORM_F_RF)
			category(o.f, v->type == EXP_STR ? "rf" : "-9", exp_word(&d->schema, EXP_W_RF), 1, count_state(d, i, FORM_S_RF));
		if (v->is_date)
			fputs("      <varFormat type=\"numeric\" schema=\"other\" formatname=\"date\">YYYY-MM-DD</varFormat>\n", o.f);
		else
			fprintf(o.f, "      <varFormat type=\"%s\" schema=\"other\"/>\n", v->type == EXP_NUM ? "numeric" : "character");
		fputs("    </var>\n", o.f);
	}
	fputs("  </dataDscr>\n</codeBook>\n", o.f);
	return exp_out_close(&o, e);
}
