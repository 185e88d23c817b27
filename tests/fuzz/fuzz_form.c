/* fuzz_form.c: libFuzzer target: the form compiler on arbitrary bytes, and show + eval on
 * whatever compiles. It must never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cati/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct form_value nothing(void *ctx, int slot, int iter)
{
	struct form_value v;

	(void)ctx;
	(void)slot;
	(void)iter;
	memset(&v, 0, sizeof v);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_diags d;
	struct form *f;
	struct buf out;
	struct form_env env = { NULL, nothing, 1 };
	int i;

	form_diags_init(&d);
	f = form_compile("fuzz.form", (const char *)data, size, &d);
	if (f) {
		buf_init(&out);
		form_show(f, 0, &out);
		buf_release(&out);
		for (i = 0; i < f->nnodes; i++) {
			form_cond(f, f->nodes[i].cond, &env);
			form_eval(f, f->nodes[i].expr, &env);
		}
	} else {
		buf_init(&out);
		form_diags_format(&d, "fuzz.form", &out);
		buf_release(&out);
	}
	form_free(f);
	form_diags_release(&d);
	return 0;
}
