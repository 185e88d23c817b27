/*
 * sss.c: Triple-S 2.0, the market-research interchange standard: the XML description at path
 * and the fixed-width data beside it (path with ".sss" replaced by ".dat"), one line per
 * interview, each variable at its columns (bytes; texts in UTF-8).
 *
 * Coded variables are "single" with their labels; the 0/1 options of a multiple choice
 * "logical"; numbers "quantity"; dates "date" (YYYYMMDD); texts "character". Triple-S has no
 * declared missing values and codes of single variables are not negative, so don't know and
 * refused get the next two free codes of a single variable (labelled), stay -8 and -9 in a
 * quantity (inside its range), are blank in logical, date and character variables; a text or
 * date that allows them has its answer status variable NAME_st beside it (a single: 1 answered,
 * 8 don't know, 9 refused). Empty columns otherwise: not asked.
 */
#include "export-int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct col {
	const char *type;
	int start, width;
	double dk, rf;          /* the codes written for don't know / refused */
	double lo, hi;          /* quantity range */
};

/* The text of value x of variable v as written in the data file ("" for blank). */
static void cell(const struct exp_var *v, const struct col *c, const struct exp_value *x, char *out, size_t n)
{
	out[0] = '\0';
	if (!x->present)
		return;
	if (v->type == EXP_STR) {
		snprintf(out, n, "%s", x->str && !x->state ? x->str : "");
		return;
	}
	if (x->state && v->src != EXP_S_STATUS) {
		if (!strcmp(c->type, "single") || !strcmp(c->type, "quantity"))
			snprintf(out, n, "%.*f", v->decimals, x->num == EXP_DK_CODE ? c->dk : c->rf);
		return;
	}
	if (v->is_date) {
		char d[11];
		form_date_format(x->num, d);
		snprintf(out, n, "%.4s%.2s%.2s", d, d + 5, d + 8);
		return;
	}
	snprintf(out, n, "%.*f", v->decimals, x->num);
}

int exp_write_sss(struct exp_data *d, const char *path, struct err *e)
{
	struct col *cols = xcalloc((size_t)d->schema.nvars + 1, sizeof *cols);
	struct exp_out o, dat;
	struct buf datpath;
	char buf[64], *text;
	size_t plen = strlen(path);
	int i, k, pos = 1;
	long r;
	time_t now = time(NULL);
	struct tm tm;

	buf_init(&datpath);
	if (plen > 4 && !strcmp(path + plen - 4, ".sss"))
		buf_printf(&datpath, "%.*s.dat", (int)(plen - 4), path);
	else
		buf_printf(&datpath, "%s.dat", path);
	/* each variable's type, codes for dk/rf and width from the data */
	for (i = 0; i < d->schema.nvars; i++) {
		const struct exp_var *v = &d->schema.vars[i];
		struct col *c = &cols[i];
		double top = 0;

		c->type = v->type == EXP_STR ? "character" : v->is_date ? "date"
		        : v->src == EXP_S_OPTION ? "logical" : v->nlabels ? "single" : "quantity";
		for (k = 0; k < v->nlabels; k++)
			top = v->labels[k].value > top ? v->labels[k].value : top;
		c->dk = !strcmp(c->type, "single") ? top + 1 : EXP_DK_CODE;
		c->rf = !strcmp(c->type, "single") ? top + 2 : EXP_RF_CODE;
		c->lo = 1e300;
		c->hi = -1e300;
		c->width = !strcmp(c->type, "date") ? 8 : 1;
		for (r = 0; r < d->nrows; r++) {
			const struct exp_value *x = &d->rows[r][i];
			int w;
			cell(v, c, x, buf, sizeof buf);
			w = v->type == EXP_STR && x->present && x->str && !x->state ? (int)strlen(x->str) : (int)strlen(buf);
			c->width = w > c->width ? w : c->width;
			if (x->present && v->type == EXP_NUM && buf[0]) {
				double y = strtod(buf, NULL);
				c->lo = y < c->lo ? y : c->lo;
				c->hi = y > c->hi ? y : c->hi;
			}
		}
		if (!strcmp(c->type, "single")) {
			snprintf(buf, sizeof buf, "%.0f", v->missing ? c->rf : top);
			c->width = (int)strlen(buf) > c->width ? (int)strlen(buf) : c->width;
		}
		if (c->lo > c->hi)
			c->lo = c->hi = 0;
		c->start = pos;
		pos += c->width;
	}
	if (exp_out_open(&o, path, e) < 0) {
		free(cols);
		buf_release(&datpath);
		return -1;
	}
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "<date>%d %B %Y</date>\n  <time>%H:%M</time>\n", &tm);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sss version=\"2.0\">\n  ", o.f);
	fputs(buf, o.f);
	fputs("  <origin>cati</origin>\n  <survey>\n    <name>", o.f);
	exp_xml_text(o.f, d->study);
	fputs("</name>\n    <title>", o.f);
	exp_xml_text(o.f, d->title);
	fputs("</title>\n    <record ident=\"A\">\n", o.f);
	for (i = 0; i < d->schema.nvars; i++) {
		const struct exp_var *v = &d->schema.vars[i];
		const struct col *c = &cols[i];

		fprintf(o.f, "      <variable ident=\"%d\" type=\"%s\">\n        <name>", i + 1, c->type);
		exp_xml_text(o.f, v->name);
		fputs("</name>\n        <label>", o.f);
		exp_xml_text(o.f, v->label);
		fprintf(o.f, "</label>\n        <position start=\"%d\" finish=\"%d\"/>\n", c->start, c->start + c->width - 1);
		if (!strcmp(c->type, "single")) {
			fprintf(o.f, "        <values>\n          <range from=\"%.0f\" to=\"%.0f\"/>\n", v->nlabels ? v->labels[0].value : 0,
			        v->missing ? c->rf : v->nlabels ? v->labels[v->nlabels - 1].value : 0);
			for (k = 0; k < v->nlabels; k++) {
				fprintf(o.f, "          <value code=\"%.0f\">", v->labels[k].value);
				exp_xml_text(o.f, v->labels[k].label);
				fputs("</value>\n", o.f);
			}
			if (v->missing & FORM_F_DK) {
				fprintf(o.f, "          <value code=\"%.0f\">", c->dk);
				exp_xml_text(o.f, exp_word(&d->schema, EXP_W_DK));
				fputs("</value>\n", o.f);
			}
			if (v->missing & FORM_F_RF) {
				fprintf(o.f, "          <value code=\"%.0f\">", c->rf);
				exp_xml_text(o.f, exp_word(&d->schema, EXP_W_RF));
				fputs("</value>\n", o.f);
			}
			fputs("        </values>\n", o.f);
		} else if (!strcmp(c->type, "quantity")) {
			fprintf(o.f, "        <values>\n          <range from=\"%.*f\" to=\"%.*f\"/>\n        </values>\n",
			        v->decimals, c->lo, v->decimals, c->hi);
		}
		fputs("      </variable>\n", o.f);
	}
	fputs("    </record>\n  </survey>\n</sss>\n", o.f);
	if (exp_out_close(&o, e) < 0 || exp_out_open(&dat, buf_str(&datpath), e) < 0) {
		free(cols);
		buf_release(&datpath);
		return -1;
	}
	text = xmalloc((size_t)pos + 1);
	for (r = 0; r < d->nrows; r++) {
		memset(text, ' ', (size_t)pos);
		for (i = 0; i < d->schema.nvars; i++) {
			const struct exp_var *v = &d->schema.vars[i];
			const struct col *c = &cols[i];
			const struct exp_value *x = &d->rows[r][i];
			const char *s;
			char num[64];
			size_t n;

			if (v->type == EXP_STR) {
				s = x->present && x->str && !x->state ? x->str : "";
			} else {
				cell(v, c, x, num, sizeof num);
				s = num;
			}
			n = strlen(s);
			if (n > (size_t)c->width)
				n = (size_t)c->width;
			/* numbers right-aligned, texts left-aligned; line breaks in texts become spaces */
			if (v->type == EXP_STR) {
				memcpy(text + c->start - 1, s, n);
				for (k = 0; k < (int)n; k++)
					if (text[c->start - 1 + k] == '\n' || text[c->start - 1 + k] == '\r')
						text[c->start - 1 + k] = ' ';
			} else {
				memcpy(text + c->start - 1 + c->width - n, s, n);
			}
		}
		text[pos - 1] = '\0';
		fputs(text, dat.f);
		fputs("\r\n", dat.f);
	}
	free(text);
	free(cols);
	r = exp_out_close(&dat, e);
	buf_release(&datpath);
	return (int)r;
}
