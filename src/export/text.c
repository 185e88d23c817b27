/* text.c: the data set as CSV (RFC 4180) and as self-describing JSON; the call records. */
#include "export-int.h"

#include "cati/i18n.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int exp_out_open(struct exp_out *o, const char *path, struct err *e)
{
	size_t n = strlen(path) + 5;

	o->path = path;
	o->tmp = xmalloc(n);
	snprintf(o->tmp, n, "%s.tmp", path);
	o->f = file_write_private(o->tmp);   /* answers, names and phone numbers: the owner's only */
	if (!o->f) {
		err_set(e, _("cannot write '%s': %s"), path, strerror(errno));
		free(o->tmp);
		return -1;
	}
	return 0;
}

int exp_out_close(struct exp_out *o, struct err *e)
{
	int bad = ferror(o->f);
	int rc = fclose(o->f);

	if (bad || rc != 0 || rename(o->tmp, o->path) != 0) {
		err_set(e, _("cannot write '%s': %s"), o->path, strerror(errno ? errno : EIO));
		remove(o->tmp);
		free(o->tmp);
		return -1;
	}
	free(o->tmp);
	return 0;
}

void exp_xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s < 32 && *s != '\n' && *s != '\t' && *s != '\r')
				fputc(' ', f);
			else
				fputc(*s, f);
		}
	}
}

void exp_num_text(const struct exp_var *v, double x, char *out, size_t n)
{
	if (v->is_date && x != EXP_DK_CODE && x != EXP_RF_CODE) {
		char d[11];
		form_date_format(x, d);
		snprintf(out, n, "%s", d);
	} else {
		exp_num_plain(x, out, n);
	}
}

/* A number as CSV writes it: no point in whole numbers, no trailing zeros, no exponent. */
void exp_num_plain(double x, char *out, size_t n)
{
	size_t len;

	if (fabs(x) >= 1e15 || x == floor(x)) {
		snprintf(out, n, "%.0f", x);
		if (!strcmp(out, "-0"))
			snprintf(out, n, "0");
		return;
	}
	/* as many places as the value needs (answers have at most a few), no exponent */
	snprintf(out, n, "%.9f", x);
	len = strlen(out);
	while (len > 0 && out[len - 1] == '0')
		out[--len] = '\0';
	if (len > 0 && out[len - 1] == '.')
		out[--len] = '\0';
	if (!strcmp(out, "-0"))
		snprintf(out, n, "0");
}

static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int exp_write_csv(struct exp_data *d, const char *path, struct err *e)
{
	struct exp_out o;
	long r;
	int i;

	if (exp_out_open(&o, path, e) < 0)
		return -1;
	for (i = 0; i < d->schema.nvars; i++) {
		if (i)
			fputc(',', o.f);
		csv_field(o.f, d->schema.vars[i].name);
	}
	fputs("\r\n", o.f);
	for (r = 0; r < d->nrows; r++) {
		for (i = 0; i < d->schema.nvars; i++) {
			const struct exp_value *x = &d->rows[r][i];
			char num[64];

			if (i)
				fputc(',', o.f);
			if (!x->present)
				continue;
			if (d->schema.vars[i].type == EXP_STR) {
				csv_field(o.f, x->str ? x->str : "");
			} else {
				exp_num_text(&d->schema.vars[i], x->num, num, sizeof num);
				fputs(num, o.f);
			}
		}
		fputs("\r\n", o.f);
	}
	return exp_out_close(&o, e);
}

int exp_write_json(struct exp_data *d, const char *path, struct err *e)
{
	json_t *vars = json_array(), *top = json_object();
	struct exp_out o;
	long r;
	int i, k;

	for (i = 0; i < d->schema.nvars; i++) {
		const struct exp_var *v = &d->schema.vars[i];
		json_t *x = json_object(), *labels, *miss;

		json_object_set_new(x, "name", json_string(v->name));
		json_object_set_new(x, "label", json_string(v->label));
		json_object_set_new(x, "type", json_string(v->is_date ? "date" : v->type == EXP_STR ? "text" : "number"));
		json_object_set_new(x, "measure", json_string(v->measure == EXP_ORDINAL ? "ordinal"
		                                              : v->measure == EXP_SCALE ? "scale" : "nominal"));
		if (v->route)
			json_object_set_new(x, "route", json_string(v->route));
		if (v->nlabels) {
			labels = json_object();
			for (k = 0; k < v->nlabels; k++) {
				char key[32];
				snprintf(key, sizeof key, "%g", v->labels[k].value);
				json_object_set_new(labels, key, json_string(v->labels[k].label));
			}
			json_object_set_new(x, "values", labels);
		}
		if (v->missing && v->src != EXP_S_STATUS) {
			miss = json_object();
			if (v->missing & FORM_F_DK)
				json_object_set_new(miss, v->type == EXP_STR ? "dk" : "-8", json_string(exp_word(&d->schema, EXP_W_DK)));
			if (v->missing & FORM_F_RF)
				json_object_set_new(miss, v->type == EXP_STR ? "rf" : "-9", json_string(exp_word(&d->schema, EXP_W_RF)));
			json_object_set_new(x, "missing", miss);
		}
		json_array_append_new(vars, x);
	}
	json_object_set_new(top, "study", json_string(d->study));
	json_object_set_new(top, "title", json_string(d->title));
	json_object_set_new(top, "variables", vars);
	if (exp_out_open(&o, path, e) < 0) {
		json_decref(top);
		return -1;
	}
	/* the rows go out one at a time: a year of interviews need not sit in one JSON tree */
	{
		char *head = json_dumps(top, JSON_COMPACT | JSON_PRESERVE_ORDER);
		size_t n = strlen(head);
		fwrite(head, 1, n - 1, o.f);   /* without the closing brace */
		fputs(",\"rows\":[", o.f);
		free(head);
	}
	json_decref(top);
	for (r = 0; r < d->nrows; r++) {
		json_t *row = json_object();
		char *txt;

		for (i = 0; i < d->schema.nvars; i++) {
			const struct exp_var *v = &d->schema.vars[i];
			const struct exp_value *x = &d->rows[r][i];
			json_t *val;

			if (!x->present)
				val = json_null();
			else if (v->type == EXP_STR)
				val = json_string(x->str ? x->str : "");
			else if (v->is_date && x->num != EXP_DK_CODE && x->num != EXP_RF_CODE) {
				char day[11];
				form_date_format(x->num, day);
				val = json_string(day);
			} else if (x->num == (double)(long long)x->num)
				val = json_integer((json_int_t)x->num);
			else
				val = json_real(x->num);
			json_object_set_new(row, v->name, val);
		}
		txt = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		if (r)
			fputc(',', o.f);
		fputs(txt, o.f);
		free(txt);
		json_decref(row);
	}
	fputs("]}\n", o.f);
	return exp_out_close(&o, e);
}

int exp_write_calls(const struct exp_attempt *a, long n, int with_phone, const char *path, struct err *e)
{
	struct exp_out o;
	long i;

	if (exp_out_open(&o, path, e) < 0)
		return -1;
	fputs(with_phone ? "case,interviewer,at,phone,outcome,disposition,disposition_label\r\n"
	                 : "case,interviewer,at,outcome,disposition,disposition_label\r\n", o.f);
	for (i = 0; i < n; i++) {
		const char *f[6] = { a[i].case_key, a[i].interviewer, a[i].at, a[i].phone, a[i].outcome, a[i].disposition };
		int k;

		for (k = 0; k < 6; k++) {
			if (k == 3 && !with_phone)
				continue;
			if (k)
				fputc(',', o.f);
			csv_field(o.f, f[k] ? f[k] : "");
		}
		fputc(',', o.f);
		csv_field(o.f, a[i].disposition_label ? a[i].disposition_label : "");
		fputs("\r\n", o.f);
	}
	return exp_out_close(&o, e);
}
