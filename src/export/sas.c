/*
 * sas.c: the SAS program beside a .sas7bdat: its value labels as formats (PROC FORMAT, one
 * format L<n>F per labelled variable n, don't know as the special missing value .A and refused
 * as .B) and a DATA step that reads the data set and applies them. A program rather than a
 * format catalog: it is text a researcher can read, and SAS of any version runs it.
 */
#include "export-int.h"

#include <string.h>

/* s as a SAS string literal in single quotes (no macro resolution), quotes doubled. */
static void sas_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
	fputc('\'', f);
}

/* Whether variable v gets a format: numbers with value labels or don't know / refused, not dates. */
static int has_format(const struct exp_var *v)
{
	return v->type == EXP_NUM && !v->is_date && (v->nlabels || (v->missing && v->src != EXP_S_STATUS));
}

/* Write PATH.sas beside PATH.sas7bdat: the formats, then a DATA step applying them. */
int exp_write_sas_formats(struct exp_data *d, const char *data_path, struct err *e)
{
	const struct exp_schema *s = &d->schema;
	const char *base = strrchr(data_path, '/') ? strrchr(data_path, '/') + 1 : data_path;
	size_t plen = strlen(data_path);
	struct exp_out o;
	struct buf path;
	int i, k, any = 0, rc;

	buf_init(&path);
	if (plen > 9 && !strcmp(data_path + plen - 9, ".sas7bdat"))
		buf_printf(&path, "%.*s.sas", (int)(plen - 9), data_path);
	else
		buf_printf(&path, "%s.sas", data_path);
	if (exp_out_open(&o, buf_str(&path), e) < 0) {
		buf_release(&path);
		return -1;
	}
	fputs("/* ", o.f);
	fputs(d->title, o.f);
	fputs(": the value labels of ", o.f);
	fputs(base, o.f);
	fputs(" as formats (cati export).\n   ", o.f);
	fputs(exp_word(s, EXP_W_DK), o.f);
	fputs(" = .A, ", o.f);
	fputs(exp_word(s, EXP_W_RF), o.f);
	fputs(" = .B; an empty value (.) was not asked. Run it in the data set's directory. */\n", o.f);
	fputs("PROC FORMAT;\n", o.f);
	for (i = 0; i < s->nvars; i++) {
		const struct exp_var *v = &s->vars[i];

		if (!has_format(v))
			continue;
		fprintf(o.f, "  VALUE L%dF\n", i + 1);
		for (k = 0; k < v->nlabels; k++) {
			char num[64];
			exp_num_plain(v->labels[k].value, num, sizeof num);
			fprintf(o.f, "    %s = ", num);
			sas_quote(o.f, v->labels[k].label);
			fputc('\n', o.f);
		}
		if (v->missing & FORM_F_DK) {
			fputs("    .A = ", o.f);
			sas_quote(o.f, exp_word(s, EXP_W_DK));
			fputc('\n', o.f);
		}
		if (v->missing & FORM_F_RF) {
			fputs("    .B = ", o.f);
			sas_quote(o.f, exp_word(s, EXP_W_RF));
			fputc('\n', o.f);
		}
		fputs("  ;\n", o.f);
	}
	fprintf(o.f, "RUN;\n\nDATA %.32s;\n  SET ", s->form->id);   /* a SAS name: at most 32 characters */
	sas_quote(o.f, base);
	fputs(";\n", o.f);
	for (i = 0; i < s->nvars; i++) {
		if (!has_format(&s->vars[i]))
			continue;
		fputs(any ? "\n    " : "  FORMAT ", o.f);
		fprintf(o.f, "%s L%dF.", s->vars[i].name, i + 1);
		any = 1;
	}
	fputs(any ? ";\nRUN;\n" : "RUN;\n", o.f);
	rc = exp_out_close(&o, e);
	buf_release(&path);
	return rc;
}
