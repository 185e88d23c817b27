/* sample.c: import cases from a CSV file, all or nothing; read cases back. */
#include "store-int.h"

#include "cati/i18n.h"
#include "cati/phone.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_PROBLEMS 200

/* One parsed CSV record: fields point into an owned buffer. */
struct csv {
	const char *p, *end;
	int line;          /* the line the next record starts on */
	char sep;
	struct buf field;
	char **f;
	int n, cap;
	struct buf store;  /* the record's fields, NUL-separated */
	size_t *offs;
	int offs_cap;
};

/* Read one record. Returns 1, 0 at the end, -1 on an unterminated quote. */
static int csv_next(struct csv *c, int *start_line)
{
	int inq = 0, quoted = 0, i;

	c->n = 0;
	buf_reset(&c->store);
	buf_reset(&c->field);
	*start_line = c->line;
	if (c->p >= c->end)
		return 0;
	for (;;) {
		int at_end = c->p >= c->end;
		char ch = at_end ? '\n' : *c->p;

		if (inq) {
			if (at_end)
				return -1;
			c->p++;
			if (ch == '"') {
				if (c->p < c->end && *c->p == '"') {
					buf_putc(&c->field, '"');
					c->p++;
				} else {
					inq = 0;
				}
			} else {
				if (ch == '\n')
					c->line++;
				buf_putc(&c->field, ch);
			}
			continue;
		}
		if (!at_end)
			c->p++;
		if (ch == '"' && c->field.len == 0) {
			inq = 1;
			quoted = 1;
			continue;
		}
		if (ch == c->sep || ch == '\n') {
			if (c->n + 1 > c->offs_cap) {
				c->offs_cap = c->offs_cap ? c->offs_cap * 2 : 32;
				c->offs = xrealloc(c->offs, sizeof *c->offs * (size_t)c->offs_cap);
			}
			/* trim a CR before the newline */
			if (ch == '\n' && c->field.len && c->field.data[c->field.len - 1] == '\r')
				c->field.data[--c->field.len] = '\0';
			c->offs[c->n++] = c->store.len;
			buf_add(&c->store, buf_str(&c->field), c->field.len);
			buf_putc(&c->store, '\0');
			buf_reset(&c->field);
			if (ch == '\n') {
				c->line++;
				break;
			}
			continue;
		}
		buf_putc(&c->field, ch);
	}
	if (c->n > c->cap) {
		c->cap = c->n;
		c->f = xrealloc(c->f, sizeof *c->f * (size_t)c->cap);
	}
	for (i = 0; i < c->n; i++)
		c->f[i] = c->store.data + c->offs[i];
	if (c->n == 1 && !*c->f[0] && !quoted)
		c->n = 0;  /* a blank line */
	return 1;
}

/* A set of strings (case ids seen in the file) with the line each was on. */
struct seen {
	char **k;
	int *line;
	size_t cap, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Insert; returns the line of an earlier equal key, or 0. */
static int seen_add(struct seen *s, const char *key, int line)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		struct seen bigger = { NULL, NULL, s->cap ? s->cap * 2 : 1024, 0 };
		bigger.k = xcalloc(bigger.cap, sizeof *bigger.k);
		bigger.line = xcalloc(bigger.cap, sizeof *bigger.line);
		for (i = 0; i < s->cap; i++) {
			if (s->k[i]) {
				size_t j = fnv(s->k[i]) & (bigger.cap - 1);
				while (bigger.k[j])
					j = (j + 1) & (bigger.cap - 1);
				bigger.k[j] = s->k[i];
				bigger.line[j] = s->line[i];
			}
		}
		free(s->k);
		free(s->line);
		bigger.n = s->n;
		*s = bigger;
	}
	for (i = fnv(key) & (s->cap - 1); s->k[i]; i = (i + 1) & (s->cap - 1))
		if (!strcmp(s->k[i], key))
			return s->line[i];
	s->k[i] = xstrdup(key);
	s->line[i] = line;
	s->n++;
	return 0;
}

static void seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->k[i]);
	free(s->k);
	free(s->line);
}

/* Is this a telephone number we can dial? One or more, separated by ';'. */
static const char *phone_problem(const char *s)
{
	const char *p;
	int digits = 0, numbers = 0;

	if (!*s)
		return _("no phone number");
	for (p = s;; p++) {
		if (*p == ';' || !*p) {
			if (digits < 6 || digits > 15)
				return digits < 6 ? _("too few digits") : _("too many digits (at most 15)");
			numbers++;
			digits = 0;
			if (!*p)
				break;
			while (p[1] == ' ')
				p++;
			continue;
		}
		if (isdigit((unsigned char)*p))
			digits++;
		else if (*p == '+') {
			if (digits)
				return _("'+' must come first");
		} else if (!strchr(" -()/.", *p))
			return _("only digits, spaces, + - ( ) / . are allowed");
	}
	return numbers ? NULL : _("no phone number");
}

/* A time zone name like Europe/Vienna; checked against the system's zone files if present. */
static const char *tz_problem(const char *tz)
{
	const char *p;
	struct stat sb;
	char path[256];

	for (p = tz; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return _("not a time zone name (like Europe/Vienna)");
	if (strstr(tz, "..") || tz[0] == '/')
		return _("not a time zone name (like Europe/Vienna)");
	if (stat("/usr/share/zoneinfo", &sb) == 0) {
		snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			return _("unknown time zone");
	}
	return NULL;
}

static void problem(struct buf *out, int *n, const char *path, int line, const char *fmt, ...)
	CATI_PRINTF(5, 6);
static void problem(struct buf *out, int *n, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	/* past the cap only counted: the end of the list says how many more */
	if (++*n > MAX_PROBLEMS)
		return;
	buf_printf(out, "%s:%d: ", path, line);
	va_start(ap, fmt);
	buf_vprintf(out, fmt, ap);
	va_end(ap);
	buf_putc(out, '\n');
}

/* Check a coded field's value (a code, label or short name); a problem lists the valid ones. */
static void scale_problem(const struct form *f, const struct form_var *v, const char *val,
                          struct buf *out, int *n, const char *path, int line)
{
	int code, other, i, shorts = 0;
	int m = form_scale_match(f, v->scale, val, &code, &other);
	struct buf valid;

	if (m == 1)
		return;
	if (m < 0) {
		problem(out, n, path, line, _("%s: '%s' could be code %d or code %d of scale '%s': give the code"),
		        v->id, val, code, other, v->scale->id);
		return;
	}
	for (i = 0; i < v->scale->n; i++)
		shorts |= v->scale->choices[i].short_name != NULL;
	buf_init(&valid);
	form_scale_values(f, v->scale, 0, 8, &valid);
	problem(out, n, path, line, _("%s: '%s' is not a %s of scale '%s' (valid: %s)"), v->id, val,
	        shorts ? _("code, label or short name") : _("code or label"), v->scale->id, buf_str(&valid));
	buf_release(&valid);
}

/* Choose the separator from the header line: ',' ';' or tab, whichever occurs most. */
static char guess_sep(const char *p, const char *end)
{
	int comma = 0, semi = 0, tab = 0;

	for (; p < end && *p != '\n'; p++) {
		comma += *p == ',';
		semi += *p == ';';
		tab += *p == '\t';
	}
	return tab > comma && tab > semi ? '\t' : semi > comma ? ';' : ',';
}

/* One checked row as a case: {id, phone, name, tz, fields{} (every column but id, phone and tz,
   a coded field as its code), line}. */
static json_t *case_of(const struct csv *c, const struct form *f, char **header, int ncols, int col_id,
                       int col_phone, int col_name, int col_tz, const struct form_scale **col_scale, int line)
{
	json_t *fields = json_object(), *o;
	int i;

	for (i = 0; i < ncols; i++) {
		int code, other;
		char num[16];

		if (i == col_id || i == col_phone || i == col_tz)
			continue;
		/* a coded field is kept as its code, however the file wrote it */
		if (col_scale[i] && *c->f[i] && form_scale_match(f, col_scale[i], c->f[i], &code, &other) == 1) {
			snprintf(num, sizeof num, "%d", code);
			json_object_set_new(fields, header[i], json_string(num));
		} else {
			json_object_set_new(fields, header[i], json_string(c->f[i]));
		}
	}
	o = json_pack("{s:s,s:s,s:o,s:i}", "id", c->f[col_id], "phone", c->f[col_phone], "fields", fields, "line", line);
	if (col_name >= 0)
		json_object_set_new(o, "name", json_string(c->f[col_name]));
	if (col_tz >= 0 && *c->f[col_tz])
		json_object_set_new(o, "tz", json_string(c->f[col_tz]));
	return o;
}

/* Is key already a case of the workstation's database (the known callback of the import)? */
static int known_locally(void *ctx, const char *key)
{
	sqlite3_stmt *exists = ctx;
	int rc;

	sqlite3_bind_text(exists, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(exists) == SQLITE_ROW;
	sqlite3_reset(exists);
	return rc;
}

/* Read and check a sample file for form f into cases, every problem to problems (see store.h). */
enum store_rc store_sample_read(const char *path, const struct form *f, int (*known)(void *ctx, const char *key),
                                void *ctx, struct buf *problems, struct json_t **cases, struct err *e)
{
	char *src;
	size_t len, bad;
	struct csv c;
	struct seen ids = { NULL, NULL, 0, 0 };
	int ncols = 0, i, k, line, r, nprob = 0, col_id = -1, col_phone = -1, col_name = -1, col_tz = -1;
	char **header = NULL;
	int *field_col = NULL;
	const struct form_scale **col_scale = NULL;   /* per column: the scale of a coded case field */
	json_t *all = json_array();

	*cases = NULL;
	if (!(src = read_file(path, &len, e))) {
		json_decref(all);
		return STORE_ERROR;
	}
	if (!utf8_valid(src, len, &bad)) {
		size_t ln = 1, j;
		for (j = 0; j < bad; j++)
			ln += src[j] == '\n';
		problem(problems, &nprob, path, (int)ln, _("invalid UTF-8: save the file as UTF-8 text"));
		free(src);
		json_decref(all);
		return STORE_ERROR;
	}
	memset(&c, 0, sizeof c);
	c.p = src;
	c.end = src + len;
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		c.p += 3;
	c.line = 1;
	c.sep = guess_sep(c.p, c.end);
	buf_init(&c.field);
	buf_init(&c.store);

	/* the header */
	r = csv_next(&c, &line);
	if (r <= 0 || c.n == 0 || (c.n == 1 && !*c.f[0])) {
		problem(problems, &nprob, path, 1, _("the file is empty: it needs a header line (id, phone, name, tz and the case fields)"));
		goto out;
	}
	ncols = c.n;
	header = xcalloc((size_t)ncols, sizeof *header);
	for (i = 0; i < ncols; i++) {
		const char *h = c.f[i];
		while (*h == ' ')
			h++;
		header[i] = xstrdup(h);
		for (k = (int)strlen(header[i]); k > 0 && header[i][k - 1] == ' '; k--)
			header[i][k - 1] = '\0';
		for (k = 0; k < i; k++)
			if (!strcasecmp(header[k], header[i]))
				problem(problems, &nprob, path, 1, _("column '%s' appears twice"), header[i]);
		if (!*header[i])
			problem(problems, &nprob, path, 1, _("column %d has no name"), i + 1);
		if (!strcasecmp(header[i], "id"))
			col_id = i;
		else if (!strcasecmp(header[i], "phone"))
			col_phone = i;
		else if (!strcasecmp(header[i], "name"))
			col_name = i;
		else if (!strcasecmp(header[i], "tz"))
			col_tz = i;
	}
	if (col_id < 0)
		problem(problems, &nprob, path, 1, _("the header has no 'id' column"));
	if (col_phone < 0)
		problem(problems, &nprob, path, 1, _("the header has no 'phone' column"));
	field_col = xcalloc((size_t)f->nvars + 1, sizeof *field_col);
	col_scale = xcalloc((size_t)ncols + 1, sizeof *col_scale);
	for (k = 0; k < f->nvars; k++) {
		field_col[k] = -1;
		if (f->vars[k].kind != FORM_V_CASE)
			continue;
		for (i = 0; i < ncols; i++)
			if (!strcmp(header[i], f->vars[k].id))
				field_col[k] = i;
		if (field_col[k] < 0 && strcmp(f->vars[k].id, "name"))
			problem(problems, &nprob, path, 1,
			        _("form '%s' reads case field '%s', but the file has no column '%s'"), f->id,
			        f->vars[k].id, f->vars[k].id);
		if (!strcmp(f->vars[k].id, "name"))
			field_col[k] = col_name;
		if (field_col[k] >= 0 && f->vars[k].type == FORM_T_NUM && f->vars[k].scale)
			col_scale[field_col[k]] = f->vars[k].scale;
	}
	/* header problems do not stop the rows' checks: every problem comes in one run */

	/* check every row before importing any */
	while ((r = csv_next(&c, &line)) != 0) {
		const char *why;

		if (r < 0) {
			problem(problems, &nprob, path, line, _("a quoted field is not closed (missing \")"));
			break;
		}
		if (c.n == 0)
			continue;
		if (c.n != ncols) {
			problem(problems, &nprob, path, line, _("%d fields, but the header has %d"), c.n, ncols);
			continue;
		}
		if (col_id < 0) {
			/* no id column: said once, in the header */
		} else if (!*c.f[col_id]) {
			problem(problems, &nprob, path, line, _("missing id"));
		} else {
			int first = seen_add(&ids, c.f[col_id], line);
			if (strlen(c.f[col_id]) > 64)
				problem(problems, &nprob, path, line, _("id '%.20s...' is longer than 64 characters"), c.f[col_id]);
			else if (first)
				problem(problems, &nprob, path, line, _("duplicate id '%s' (also on line %d)"), c.f[col_id], first);
			else if (known && known(ctx, c.f[col_id]))
				problem(problems, &nprob, path, line, _("id '%s' is already in the database"), c.f[col_id]);
		}
		if (col_phone >= 0 && (why = phone_problem(c.f[col_phone])) != NULL)
			problem(problems, &nprob, path, line, _("bad phone '%s': %s"), c.f[col_phone], why);
		if (col_tz >= 0 && *c.f[col_tz] && (why = tz_problem(c.f[col_tz])) != NULL)
			problem(problems, &nprob, path, line, "tz '%s': %s", c.f[col_tz], why);
		for (k = 0; k < f->nvars; k++) {
			const struct form_var *v = &f->vars[k];
			const char *val;
			char *end;
			double x;

			if (field_col[k] < 0 || v->kind != FORM_V_CASE || v->type != FORM_T_NUM)
				continue;
			val = c.f[field_col[k]];
			if (!*val)
				continue;  /* missing: conditions on it are false */
			if (v->scale) {
				scale_problem(f, v, val, problems, &nprob, path, line);
				continue;
			}
			x = strtod(val, &end);
			if (end == val || *end)
				problem(problems, &nprob, path, line, _("%s: '%s' is not a number"), v->id, val);
			else if (v->has_range && (x < v->lo || x > v->hi))
				problem(problems, &nprob, path, line, _("%s: %s is outside %g..%g"), v->id, val, v->lo, v->hi);
		}
		if (!nprob)
			json_array_append_new(all, case_of(&c, f, header, ncols, col_id, col_phone, col_name, col_tz,
			                                   col_scale, line));
	}
out:
	if (nprob > MAX_PROBLEMS)
		buf_printf(problems,
		           P_("%s: %d more problem not shown (%d in all)\n", "%s: %d more problems not shown (%d in all)\n",
		              nprob - MAX_PROBLEMS),
		           path, nprob - MAX_PROBLEMS,
		           nprob);
	for (i = 0; i < ncols; i++)
		free(header[i]);
	free(header);
	free(field_col);
	free(col_scale);
	seen_free(&ids);
	buf_release(&c.field);
	buf_release(&c.store);
	free(c.f);
	free(c.offs);
	free(src);
	if (nprob) {
		json_decref(all);
		return STORE_ERROR;
	}
	*cases = all;
	return STORE_OK;
}

/* What listed_problems' callback needs: the lookup and the first listed number found. */
struct listed {
	sqlite3_stmt *find;
	char e164[PHONE_E164_MAX];
};

/* Stop at a number on the workstation's do-not-call list (phone_each's callback). */
static int find_listed(void *ctx, const char *e164)
{
	struct listed *l = ctx;
	char digest[33];
	int rc;

	store_phone_digest(e164, digest);
	sqlite3_bind_text(l->find, 1, digest, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(l->find);
	sqlite3_reset(l->find);
	if (rc != SQLITE_ROW)
		return 0;
	snprintf(l->e164, sizeof l->e164, "%s", e164);
	return -1;
}

/* Each case of the sample with a number on the do-not-call list is a problem ("file:line:
   phone '...' is on the do-not-call list (as +...)"): STORE_ERROR when there is one. */
static enum store_rc listed_problems(struct store *st, const char *path, json_t *cases, int flag, long *listed,
                                     struct buf *problems, struct err *e)
{
	char *country = store_meta_get(st, "country");
	struct listed l;
	json_t *cs;
	size_t i;
	int n = 0;

	if (!(l.find = store_prepare(st, "SELECT 1 FROM dnc WHERE digest = ?", e))) {
		free(country);
		return st->last_rc;
	}
	json_array_foreach(cases, i, cs) {
		const char *phone = json_string_value(json_object_get(cs, "phone"));

		l.e164[0] = '\0';
		phone_each(phone, country, find_listed, &l);
		if (l.e164[0] && flag)
			++*listed;
		else if (l.e164[0])
			problem(problems, &n, path, (int)json_integer_value(json_object_get(cs, "line")),
			        _("phone '%s' is on the do-not-call list (as %s)"), phone, l.e164);
	}
	sqlite3_finalize(l.find);
	free(country);
	if (n > MAX_PROBLEMS)
		buf_printf(problems, "%s: %d more problems not shown (%d in all)\n", path, n - MAX_PROBLEMS, n);
	return n ? STORE_ERROR : STORE_OK;
}

/* Import a sample, a listed number refused. */
enum store_rc store_sample_import(struct store *st, const char *path, const struct form *f,
                                  struct buf *problems, long *count, struct err *e)
{
	long listed = 0;

	return store_sample_import_dnc(st, path, f, 0, problems, count, &listed, e);
}

/* Import a sample, a listed number refused or (flag) its case imported, never to be offered. */
enum store_rc store_sample_import_dnc(struct store *st, const char *path, const struct form *f, int flag,
                                      struct buf *problems, long *count, long *listed, struct err *e)
{
	sqlite3_stmt *exists = NULL, *ins = NULL;
	enum store_rc rc = STORE_ERROR;
	json_t *cases = NULL, *cs;
	int64_t form_row;
	size_t i;
	char now[32];

	*count = 0;
	*listed = 0;
	if (store_form_latest(st, f->id, &form_row, e) != STORE_OK)
		return STORE_ERROR;
	if (!(exists = store_prepare(st, "SELECT 1 FROM cases WHERE case_key = ?", e)))
		return STORE_ERROR;
	rc = store_sample_read(path, f, known_locally, exists, problems, &cases, e);
	sqlite3_finalize(exists);
	if (rc != STORE_OK)
		return rc;
	/* a number on the do-not-call list (as the last sync or a call's outcome left it) */
	if ((rc = listed_problems(st, path, cases, flag, listed, problems, e)) != STORE_OK) {
		json_decref(cases);
		return rc;
	}

	/* all good: import in one transaction */
	if (store_begin(st, e) != STORE_OK)
		goto out;
	/* the name and phone are sealed; the name leaves the case fields (store_case_get puts it back) */
	ins = store_prepare(st, "INSERT INTO cases(case_key, study, phone, name, tz, fields, seed, imported_at, source)"
	                        " VALUES (?1, ?2, seal(?3), seal(?4), ?5, ?6, ?7, ?8, ?9)", e);
	if (!ins) {
		store_rollback(st);
		rc = STORE_ERROR;
		goto out;
	}
	store_now(st, now);
	json_array_foreach(cases, i, cs) {
		const char *key = json_string_value(json_object_get(cs, "id")), *fk;
		json_t *fields = json_object_get(cs, "fields"), *fv;
		void *tmp;
		char *js, src_ref[512];
		int src_rc;

		json_object_foreach_safe(fields, tmp, fk, fv) {
			if (!strcasecmp(fk, "name"))
				json_object_del(fields, fk);
		}
		js = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER);

		snprintf(src_ref, sizeof src_ref, "%s:%d", path, (int)json_integer_value(json_object_get(cs, "line")));
		sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, json_string_value(json_object_get(cs, "phone")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 4, json_string_value(json_object_get(cs, "name")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 5, json_string_value(json_object_get(cs, "tz")), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 6, js, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 7, (sqlite3_int64)(fnv(key) >> 1));
		sqlite3_bind_text(ins, 8, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 9, src_ref, -1, SQLITE_TRANSIENT);
		src_rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		free(js);
		if (src_rc != SQLITE_DONE) {
			rc = store_fail(st, src_rc, N_("import the cases"), e);
			store_rollback(st);
			goto out;
		}
		/* its numbers as the do-not-call list writes them */
		if ((rc = store_case_phones(st, key, json_string_value(json_object_get(cs, "phone")), e)) != STORE_OK) {
			store_rollback(st);
			goto out;
		}
	}
	if ((rc = store_quota_prepare(st, f, e)) != STORE_OK) {
		store_rollback(st);
		goto out;
	}
	if ((rc = store_commit(st, e)) == STORE_OK)
		*count = (long)json_array_size(cases);
out:
	sqlite3_finalize(ins);
	json_decref(cases);
	return rc;
}

void store_case_release(struct store_case *c)
{
	int i;

	free(c->key);
	free(c->study);
	free(c->phone);
	free(c->name);
	free(c->tz);
	free(c->status);
	for (i = 0; i < c->nfields; i++) {
		free(c->names[i]);
		free(c->values[i]);
	}
	free(c->names);
	free(c->values);
	memset(c, 0, sizeof *c);
}

enum store_rc store_case_get(struct store *st, const char *key, struct store_case *c,
                             struct err *e)
{
	/* locked, the name and phone read as NULL */
	sqlite3_stmt *s = store_prepare(st, "SELECT id, case_key, study, peek(phone), peek(name), tz, status, seed, fields"
	                                    " FROM cases WHERE case_key = ?", e);
	json_t *fields;
	const char *k;
	json_t *v;
	int rc;

	memset(c, 0, sizeof *c);
	if (!s)
		return st->last_rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE) {
			err_set(e, _("no case '%s' in database '%s'"), key, st->path);
			return STORE_NOTFOUND;
		}
		return store_fail(st, rc, N_("read the case"), e);
	}
	c->id = sqlite3_column_int64(s, 0);
	c->key = col_dup(s, 1);
	c->study = col_dup(s, 2);
	c->phone = col_dup(s, 3);
	c->name = col_dup(s, 4);
	c->tz = col_dup(s, 5);
	c->status = col_dup(s, 6);
	c->seed = (uint64_t)sqlite3_column_int64(s, 7);
	fields = json_loads((const char *)sqlite3_column_text(s, 8), 0, NULL);
	sqlite3_finalize(s);
	if (json_is_object(fields)) {
		/* the name, kept apart from the fields since it is sealed, is a case field again */
		if (c->name && !json_object_get(fields, "name"))
			json_object_set_new(fields, "name", json_string(c->name));
		c->names = xcalloc(json_object_size(fields) + 1, sizeof *c->names);
		c->values = xcalloc(json_object_size(fields) + 1, sizeof *c->values);
		json_object_foreach(fields, k, v) {
			c->names[c->nfields] = xstrdup(k);
			c->values[c->nfields++] = xstrdup(json_is_string(v) ? json_string_value(v) : "");
		}
	}
	json_decref(fields);
	return STORE_OK;
}
