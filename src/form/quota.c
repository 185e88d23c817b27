/* quota.c: a quota's cells: their keys, targets and enumeration. */
#include "form-int.h"

#include <stdlib.h>
#include <string.h>

void form_quota_key(const struct form_quota *q, const int *codes, struct buf *out)
{
	int i;

	for (i = 0; i < q->nvars; i++)
		buf_printf(out, i ? ",%d" : "%d", codes[i]);
}

int form_quota_target(const struct form_quota *q, const int *codes)
{
	int k;

	for (k = 0; k < q->ncells; k++)
		if (!memcmp(q->cells[k].codes, codes, sizeof(int) * (size_t)q->nvars))
			return q->cells[k].target;
	return q->target;
}

long form_quota_ncells(const struct form_quota *q)
{
	long n = 1;
	int i;

	for (i = 0; i < q->nvars; i++) {
		if (!q->scales[i])
			return 0;
		n *= q->scales[i]->n;
		if (n > 10000000)
			return n;
	}
	return n;
}

void form_quota_foreach(const struct form_quota *q, void (*cb)(void *ctx, const int *codes), void *ctx)
{
	int idx[16], codes[16], i;

	if (q->nvars < 1 || q->nvars > 16 || form_quota_ncells(q) < 1)
		return;
	memset(idx, 0, sizeof idx);
	for (;;) {
		for (i = 0; i < q->nvars; i++)
			codes[i] = q->scales[i]->choices[idx[i]].code;
		cb(ctx, codes);
		/* the last variable turns fastest */
		for (i = q->nvars - 1; i >= 0; i--) {
			if (++idx[i] < q->scales[i]->n)
				break;
			idx[i] = 0;
		}
		if (i < 0)
			return;
	}
}
