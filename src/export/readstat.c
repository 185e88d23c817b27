/*
 * readstat.c: the data set as SPSS (.sav), Stata (.dta) and SAS (.sas7bdat; its value labels
 * as formats in a program beside it, sas.c) files through ReadStat: variable
 * labels from the question texts, value labels from the scales, don't know and refused as
 * declared missing values (SPSS: user-missing -8 and -9, in texts the strings "dk" and "rf";
 * Stata and SAS: the special missing values .a / .b and .A / .B, labelled; texts empty, their
 * status variable says why), dates as dates, measurement levels (SPSS), all words in the export
 * language.
 */
#include "export-int.h"

#include "cati/i18n.h"

#include <errno.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPSS_DATE_OFFSET 12219379200.0   /* seconds from 1582-10-14 to 1970-01-01 */
#define DAYS_1960 3653.0                 /* days from 1960-01-01 (Stata's and SAS's day 0) to 1970-01-01 */
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

/* A file written under a temporary name and renamed when complete. */
struct outfile {
	const char *path;
	char *tmp;
	struct sink sk;
};

/* Open path's temporary file (the owner's only: answers and case fields). */
static int outfile_open(struct outfile *o, const char *path, struct err *e)
{
	size_t n = strlen(path) + 5;

	memset(o, 0, sizeof *o);
	o->path = path;
	o->tmp = xmalloc(n);
	snprintf(o->tmp, n, "%s.tmp", path);
	o->sk.f = file_write_private(o->tmp);
	if (!o->sk.f) {
		err_set(e, _("cannot write '%s': %s"), path, strerror(errno));
		free(o->tmp);
		return -1;
	}
	return 0;
}

/* Close and rename when rc is READSTAT_OK and every write went through; else remove, say why. */
static int outfile_close(struct outfile *o, readstat_error_t rc, struct err *e)
{
	int ret = 0;

	if (fclose(o->sk.f) != 0)
		o->sk.failed = 1;
	if (rc != READSTAT_OK || o->sk.failed || rename(o->tmp, o->path) != 0) {
		if (rc != READSTAT_OK)
			err_set(e, _("cannot write '%s': %s"), o->path, readstat_error_message(rc));
		else
			err_set(e, _("cannot write '%s': %s"), o->path, strerror(errno ? errno : EIO));
		remove(o->tmp);
		ret = -1;
	}
	free(o->tmp);
	return ret;
}

/*
 * The value labels of numeric variable i in writer lw: its scale, and don't know / refused as
 * SPSS's -8 / -9 or Stata's extended missing values .a / .b. NULL when it has none.
 */
static readstat_label_set_t *num_labels(readstat_writer_t *lw, const struct exp_data *d, int i, enum exp_format fmt,
                                        struct arena *tmp)
{
	const struct exp_var *v = &d->schema.vars[i];
	readstat_label_set_t *ls;
	char setname[40];
	int k;

	if (v->type != EXP_NUM || !(v->nlabels || v->missing))
		return NULL;
	snprintf(setname, sizeof setname, "l_%d", i + 1);
	ls = readstat_add_label_set(lw, coded(v) ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE, setname);
	for (k = 0; k < v->nlabels; k++) {
		const char *lab = clip(tmp, v->labels[k].label, fmt == EXP_DTA ? 32000 : 120);
		if (coded(v))
			readstat_label_int32_value(ls, (int32_t)v->labels[k].value, lab);
		else
			readstat_label_double_value(ls, v->labels[k].value, lab);
	}
	if (v->src == EXP_S_STATUS) {
		/* a status variable's codes are all valid: it says why its text or date is empty */
	} else if (fmt != EXP_SAV) {
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
		}
		if (v->missing & FORM_F_RF) {
			if (coded(v))
				readstat_label_int32_value(ls, (int32_t)EXP_RF_CODE, exp_word(&d->schema, EXP_W_RF));
			else
				readstat_label_double_value(ls, EXP_RF_CODE, exp_word(&d->schema, EXP_W_RF));
		}
	}
	return ls;
}

/* The data set as .sav, .dta or .sas7bdat (and the SAS program), through a temporary file. */
int exp_write_readstat(struct exp_data *d, enum exp_format fmt, const char *path, struct err *e)
{
	readstat_writer_t *w;
	readstat_variable_t **rv;
	struct outfile o;
	struct arena tmp;
	readstat_error_t rc = READSTAT_OK;
	int dta = fmt == EXP_DTA, sav = fmt == EXP_SAV, sas = fmt == EXP_SAS;
	long r;
	int i;

	if (outfile_open(&o, path, e) < 0)
		return -1;
	w = readstat_writer_init();
	arena_init(&tmp);
	rv = xcalloc((size_t)d->schema.nvars + 1, sizeof *rv);
	readstat_set_data_writer(w, write_bytes);
	readstat_writer_set_file_label(w, clip(&tmp, d->title, dta ? 80 : 64));
	if (sas)
		readstat_writer_set_table_name(w, "CATI");
	for (i = 0; i < d->schema.nvars; i++) {
		const struct exp_var *v = &d->schema.vars[i];
		readstat_type_t t = v->type == EXP_STR ? READSTAT_TYPE_STRING : coded(v) ? READSTAT_TYPE_INT32 : READSTAT_TYPE_DOUBLE;
		int width = v->type == EXP_STR ? (dta && v->width > STATA_STR_MAX ? STATA_STR_MAX : v->width) : 0;
		readstat_variable_t *x;
		readstat_label_set_t *ls;

		/* ReadStat writes a long string's missing values and value labels for its width in
		   whole 8-byte segments: give it that width, or SPSS and PSPP drop them */
		if (sav && v->type == EXP_STR && v->missing && width > 8)
			width = (width + 7) / 8 * 8;
		x = readstat_add_variable(w, v->name, t, (size_t)width);
		rv[i] = x;
		readstat_variable_set_label(x, clip(&tmp, v->label, dta ? 80 : 255));
		if (v->is_date)
			readstat_variable_set_format(x, dta ? "%td" : sas ? "YYMMDD10" : "DATE11");
		else if (v->type == EXP_NUM && sav) {
			char fmtbuf[16];
			snprintf(fmtbuf, sizeof fmtbuf, "F8.%d", v->decimals);
			readstat_variable_set_format(x, fmtbuf);
		}
		readstat_variable_set_measure(x, v->measure == EXP_ORDINAL ? READSTAT_MEASURE_ORDINAL
		                                 : v->measure == EXP_SCALE ? READSTAT_MEASURE_SCALE : READSTAT_MEASURE_NOMINAL);
		if (v->type == EXP_STR && v->missing && sav) {
			/* SPSS declares string missing values: "dk" and "rf" count as no answer */
			char setname[40];

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
		/* SAS: the value labels are formats in the program beside the data (sas.c) */
		if (!sas && (ls = num_labels(w, d, i, fmt, &tmp)) != NULL) {
			if (sav && v->src != EXP_S_STATUS) {
				if (v->missing & FORM_F_DK)
					readstat_variable_add_missing_double_value(x, EXP_DK_CODE);
				if (v->missing & FORM_F_RF)
					readstat_variable_add_missing_double_value(x, EXP_RF_CODE);
			}
			readstat_variable_set_label_set(x, ls);
		}
	}
	rc = dta ? readstat_begin_writing_dta(w, &o.sk, d->nrows)
	   : sas ? readstat_begin_writing_sas7bdat(w, &o.sk, d->nrows) : readstat_begin_writing_sav(w, &o.sk, d->nrows);
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
			if (v->type == EXP_STR && x->state && !sav) {
				rc = readstat_insert_string_value(w, rv[i], "");   /* Stata, SAS: NAME_st says why */
				continue;
			}
			if (v->type == EXP_STR) {
				rc = readstat_insert_string_value(w, rv[i], clip(&tmp, x->str ? x->str : "", (size_t)(dta && v->width > STATA_STR_MAX ? STATA_STR_MAX : v->width)));
				continue;
			}
			if (x->state && !sav) {
				char tag = num == EXP_DK_CODE ? 'a' : 'b';
				rc = readstat_insert_tagged_missing_value(w, rv[i], sas ? (char)(tag - 'a' + 'A') : tag);
				continue;
			}
			if (v->is_date && !x->state)
				num = sav ? num * 86400.0 + SPSS_DATE_OFFSET : num + DAYS_1960;
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
	if (outfile_close(&o, rc, e) < 0)
		return -1;
	return sas ? exp_write_sas_formats(d, path, e) : 0;
}
