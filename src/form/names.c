/* names.c: the name tables and diagnostics of the form compiler. */
#include "cati/i18n.h"
#include "form-int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hash_ent {
	const char *key;   /* not owned: points into the form's arena */
	int value;
};

struct form_hash {
	size_t n, cap;
	struct hash_ent *v;
};

/* FNV-1a. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct form_hash *hash_new(void)
{
	struct form_hash *h = xcalloc(1, sizeof *h);

	h->cap = 64;
	h->v = xcalloc(h->cap, sizeof *h->v);
	return h;
}

void hash_free(struct form_hash *h)
{
	if (!h)
		return;
	free(h->v);
	free(h);
}

/* The slot for key: where it is, or the empty one where it would go. */
static struct hash_ent *hash_slot(const struct form_hash *h, const char *key)
{
	size_t i = (size_t)hash_str(key) & (h->cap - 1);

	while (h->v[i].key && strcmp(h->v[i].key, key) != 0)
		i = (i + 1) & (h->cap - 1);
	return &h->v[i];
}

int hash_put(struct form_hash *h, const char *key, int value)
{
	struct hash_ent *e;

	if ((h->n + 1) * 2 > h->cap) {
		struct hash_ent *old = h->v;
		size_t oldcap = h->cap, i;

		h->cap *= 2;
		h->v = xcalloc(h->cap, sizeof *h->v);
		for (i = 0; i < oldcap; i++)
			if (old[i].key)
				*hash_slot(h, old[i].key) = old[i];
		free(old);
	}
	e = hash_slot(h, key);
	if (e->key)
		return e->value;
	e->key = key;
	e->value = value;
	h->n++;
	return -1;
}

int hash_get(const struct form_hash *h, const char *key)
{
	const struct hash_ent *e;

	if (!h)
		return -1;
	e = hash_slot(h, key);
	return e->key ? e->value : -1;
}

void form_diags_init(struct form_diags *d)
{
	d->n = d->cap = 0;
	d->v = NULL;
}

void form_diags_release(struct form_diags *d)
{
	int i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	form_diags_init(d);
}

#define MAX_DIAGS 500

void diag_add(struct form_diags *d, int line, int col, const char *fmt, ...)
{
	va_list ap;
	struct buf b;
	int i;

	if (d->n >= MAX_DIAGS)
		return;
	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (d->n == MAX_DIAGS - 1) {
		buf_reset(&b);
		buf_puts(&b, _("too many errors; stopping here"));
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xrealloc(d->v, (size_t)d->cap * sizeof *d->v);
	}
	/* keep file order: errors found by later passes may belong to earlier lines */
	for (i = d->n; i > 0 && (d->v[i - 1].line > line ||
	                         (d->v[i - 1].line == line && d->v[i - 1].col > col)); i--)
		d->v[i] = d->v[i - 1];
	d->v[i].line = line;
	d->v[i].col = col;
	d->v[i].msg = buf_detach(&b);
	d->n++;
}

void form_diags_format(const struct form_diags *d, const char *path, struct buf *out)
{
	int i;

	for (i = 0; i < d->n; i++)
		buf_printf(out, "%s:%d:%d: %s\n", path, d->v[i].line, d->v[i].col, d->v[i].msg);
}

/* Levenshtein distance, capped: anything above cap returns cap + 1. */
static int edit_distance(const char *a, const char *b, int cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[FORM_MAX_ID + 2], prev, tmp, best;

	if (la > FORM_MAX_ID || lb > FORM_MAX_ID)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

const char *suggest(const char *s, const char *const *names, int n)
{
	const char *best = NULL;
	int i, d, bestd, cap = strlen(s) <= 3 ? 1 : 2;

	bestd = cap + 1;
	for (i = 0; i < n; i++) {
		if (!names[i])
			continue;
		d = edit_distance(s, names[i], cap);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}
