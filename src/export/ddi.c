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

static long count_value(const struct exp_data *d, int i, double x)
{
	long r, n = 0;

	for (r = 0; r < d->nrows; r++)
		n += d->rows[r][i].present && d->rows[r][i].num == x;
	return n;
}

static void category(FILE *f, const struct exp_data *d, int i, double value, const char *label, int missing)
{
	fprintf(f, "        <catgry%s>\n          <catValu>%g</catValu>\n", missing ? " missing=\"Y\"" : "", value);
	elem(f, "          ", "labl", label);
	fprintf(f, "          <catStat type=\"freq\">%ld</catStat>\n        </catgry>\n", count_value(d, i, value));
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
			miss = v->type == EXP_NUM ? (v->missing && (x->num == EXP_DK_CODE || x->num == EXP_RF_CODE))
			                          : x->str && (!strcmp(x->str, "dk") || !strcmp(x->str, "rf")) && v->src == EXP_S_ANSWER;
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
		fprintf(o.f, "\" files=\"F1\" intrvl=\"%s\">\n", v->type == EXP_NUM && !v->nlabels ? "contin" : "discrete");
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
		for (k = 0; k < v->nlabels; k++)
			category(o.f, d, i, v->labels[k].value, v->labels[k].label, 0);
		if (v->type == EXP_NUM && (v->missing & FORM_F_DK))
			category(o.f, d, i, EXP_DK_CODE, "don't know", 1);
		if (v->type == EXP_NUM && (v->missing & FORM_F_RF))
			category(o.f, d, i, EXP_RF_CODE, "refused", 1);
		if (v->is_date)
			fputs("      <varFormat type=\"numeric\" schema=\"other\" formatname=\"date\">YYYY-MM-DD</varFormat>\n", o.f);
		else
			fprintf(o.f, "      <varFormat type=\"%s\" schema=\"other\"/>\n", v->type == EXP_NUM ? "numeric" : "character");
		fputs("    </var>\n", o.f);
	}
	fputs("  </dataDscr>\n</codeBook>\n", o.f);
	return exp_out_close(&o, e);
}
