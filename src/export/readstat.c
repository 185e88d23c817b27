/*
 * readstat.c: the data set as SPSS (.sav) and Stata (.dta) files through ReadStat: variable
 * labels from the question texts, value labels from the scales, don't know and refused as
 * declared missing values (SPSS: user-missing -8 and -9, in texts the strings "dk" and "rf";
 * Stata: the extended missing values .a and .b, labelled; texts empty, their status variable
 * says why), dates as dates, measurement levels, all words in the export language.
 */
#include "export-int.h"

#include <errno.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPSS_DATE_OFFSET 12219379200.0   /* seconds from 1582-10-14 to 1970-01-01 */
#define STATA_DATE_OFFSET 3653.0         /* days from 1960-01-01 to 1970-01-01 */
#define STATA_STR_MAX 2045

struct sink {
	FILE *f;
	int failed;
};

static ssize_t write_bytes(const void *p, size_t n, void *ctx)
{
	struct sink *s = ctx;

	if (fwrite(p, 1, n, s->f) != n) {
		s->failed = 1;
		return -1;
	}
	return (ssize_t)n;
}

/* Copy at most max bytes of s, not cutting a UTF-8 character. */
static const char *clip(struct arena *a, const char *s, size_t max)
{
	size_t n = strlen(s);
	char *out;

	if (n <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	out = arena_alloc(a, n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* Value labels are whole codes: a variable with them is stored as whole numbers. */
static int coded(const struct exp_var *v)
{
	return v->type == EXP_NUM && v->nlabels > 0 && !v->decimals && !v->is_date;
}

int exp_write_readstat(struct exp_data *d, enum exp_format fmt, const char *path, struct err *e)
{
	readstat_writer_t *w = readstat_writer_init();
	readstat_variable_t **rv;
	struct sink sk;
	struct arena tmp;
	readstat_error_t rc = READSTAT_OK;
	size_t plen = strlen(path) + 5;
	char *tmpname = xmalloc(plen);
	int dta = fmt == EXP_DTA;
	long r;
	int i, k;

	snprintf(tmpname, plen, "%s.tmp", path);
	memset(&sk, 0, sizeof sk);
	sk.f = file_write_private(tmpname);   /* answers and case fields: the owner's only */
	if (!sk.f) {
		err_set(e, "cannot write '%s': %s", path, strerror(errno));
		readstat_writer_free(w);
		free(tmpname);
		return -1;
	}
	arena_init(&tmp);
	rv = xcalloc((size_t)d->schema.nvars + 1, sizeof *rv);
	readstat_set_data_writer(w, write_bytes);
	readstat_writer_set_file_label(w, clip(&tmp, d->title, dta ? 80 : 64));
	for (i = 0; i < d->schema.nvars; i++) {
		const struct exp_var *v = &d->schema.vars[i];
		readstat_type_t t = v->type == EXP_STR ? READSTAT_TYPE_STRING : coded(v) ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE;
		int width = v->type == EXP_STR ? (dta && v->width > STATA_STR_MAX ? STATA_STR_MAX : v->width) : 0;
		/* ReadStat writes a long string's missing values and value labels for its width in
		   whole 8-byte segments: give it that width, or SPSS and PSPP drop them */
		if (!dta && v->type == EXP_STR && v->missing && width > 8)
			width = (width + 7) / 8 * 8;
		readstat_variable_t *x = readstat_add_variable(w, v->name, t, (size_t)width);

		rv[i] = x;
		readstat_variable_set_label(x, clip(&tmp, v->label, dta ? 80 : 255));
		if (v->is_date)
			readstat_variable_set_format(x, dta ? "%td" : "DATE11");
		else if (v->type == EXP_NUM && !dta) {
			char fmtbuf[16];
			snprintf(fmtbuf, sizeof fmtbuf, "F8.%d", v->decimals);
			readstat_variable_set_format(x, fmtbuf);
		}
		readstat_variable_set_measure(x, v->measure == EXP_ORDINAL ? READSTAT_MEASURE_ORDINAL
		                                 : v->measure == EXP_SCALE ? READSTAT_MEASURE_SCALE : READSTAT_MEASURE_NOMINAL);
		if (v->type == EXP_STR && v->missing && !dta) {
			/* SPSS declares string missing values: "dk" and "rf" count as no answer */
			char setname[40];
			readstat_label_set_t *ls;

			snprintf(setname, sizeof setname, "l_%d", i + 1);
			ls = readstat_add_label_set(w, READSTAT_TYPE_STRING, setname);
			if (v->missing & FORM_F_DK) {
				readstat_variable_add_missing_string_value(x, "dk");
				readstat_label_string_value(ls, "dk", exp_word(&d->schema, EXP_W_DK));
			}
			if (v->missing & FORM_F_RF) {
				readstat_variable_add_missing_string_value(x, "rf");
				readstat_label_string_value(ls, "rf", exp_word(&d->schema, EXP_W_RF));
			}
			readstat_variable_set_label_set(x, ls);
		}
		if (v->type == EXP_NUM && (v->nlabels || v->missing)) {
			char setname[40];
			readstat_label_set_t *ls;

			snprintf(setname, sizeof setname, "l_%d", i + 1);
			ls = readstat_add_label_set(w, coded(v) ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE, setname);
			for (k = 0; k < v->nlabels; k++) {
				const char *lab = clip(&tmp, v->labels[k].label, dta ? 32000 : 120);
				if (coded(v))
					readstat_label_int32_value(ls, (int32_t)v->labels[k].value, lab);
				else
					readstat_label_double_value(ls, v->labels[k].value, lab);
			}
			if (v->src == EXP_S_STATUS) {
				/* a status variable's codes are all valid: it says why its text or date is empty */
			} else if (dta) {
				if (v->missing & FORM_F_DK)
					readstat_label_tagged_value(ls, 'a', exp_word(&d->schema, EXP_W_DK));
				if (v->missing & FORM_F_RF)
					readstat_label_tagged_value(ls, 'b', exp_word(&d->schema, EXP_W_RF));
			} else {
				if (v->missing & FORM_F_DK) {
					if (coded(v))
						readstat_label_int32_value(ls, (int32_t)EXP_DK_CODE, exp_word(&d->schema, EXP_W_DK));
					else
						readstat_label_double_value(ls, EXP_DK_CODE, exp_word(&d->schema, EXP_W_DK));
					readstat_variable_add_missing_double_value(x, EXP_DK_CODE);
				}
				if (v->missing & FORM_F_RF) {
					if (coded(v))
						readstat_label_int32_value(ls, (int32_t)EXP_RF_CODE, exp_word(&d->schema, EXP_W_RF));
					else
						readstat_label_double_value(ls, EXP_RF_CODE, exp_word(&d->schema, EXP_W_RF));
					readstat_variable_add_missing_double_value(x, EXP_RF_CODE);
				}
			}
			readstat_variable_set_label_set(x, ls);
		}
	}
	rc = dta ? readstat_begin_writing_dta(w, &sk, d->nrows) : readstat_begin_writing_sav(w, &sk, d->nrows);
	for (r = 0; r < d->nrows && rc == READSTAT_OK; r++) {
		rc = readstat_begin_row(w);
		for (i = 0; i < d->schema.nvars && rc == READSTAT_OK; i++) {
			const struct exp_var *v = &d->schema.vars[i];
			const struct exp_value *x = &d->rows[r][i];
			double num = x->num;

			if (!x->present) {
				rc = readstat_insert_missing_value(w, rv[i]);
				continue;
			}
			if (v->type == EXP_STR && x->state && dta) {
				rc = readstat_insert_string_value(w, rv[i], "");   /* Stata: NAME_st says why */
				continue;
			}
			if (v->type == EXP_STR) {
				rc = readstat_insert_string_value(w, rv[i], clip(&tmp, x->str ? x->str : "", (size_t)(dta && v->width > STATA_STR_MAX ? STATA_STR_MAX : v->width)));
				continue;
			}
			if (x->state && v->src != EXP_S_STATUS && dta) {
				rc = readstat_insert_tagged_missing_value(w, rv[i], num == EXP_DK_CODE ? 'a' : 'b');
				continue;
			}
			if (v->is_date && !x->state)
				num = dta ? num + STATA_DATE_OFFSET : num * 86400.0 + SPSS_DATE_OFFSET;
			if (coded(v))
				rc = readstat_insert_int32_value(w, rv[i], (int32_t)num);
			else
				rc = readstat_insert_double_value(w, rv[i], num);
		}
		if (rc == READSTAT_OK)
			rc = readstat_end_row(w);
	}
	if (rc == READSTAT_OK)
		rc = readstat_end_writing(w);
	readstat_writer_free(w);
	free(rv);
	arena_release(&tmp);
	if (fclose(sk.f) != 0)
		sk.failed = 1;
	if (rc != READSTAT_OK || sk.failed || rename(tmpname, path) != 0) {
		if (rc != READSTAT_OK)
			err_set(e, "cannot write '%s': %s", path, readstat_error_message(rc));
		else
			err_set(e, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
		remove(tmpname);
		free(tmpname);
		return -1;
	}
	free(tmpname);
	return 0;
}
