/* bench_engine.c: time per interview step (answer + route to the next question) on the
 * generated 5,000-question form with deep conditions; median and p99. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#include "cati/engine.h"
#include "cati/form.h"
#include "genform.h"

/* A legal answer for the screen, typed. */
static void typed_for(const struct eng_screen *sc, unsigned *s, char *out, size_t n)
{
	*s = *s * 1103515245u + 12345u;
	switch (sc->qtype) {
	case FORM_Q_SINGLE:
	case FORM_Q_YESNO:
		snprintf(out, n, "%d", sc->choices[(*s >> 8) % (unsigned)sc->nchoices].code);
		break;
	case FORM_Q_MULTI:
		snprintf(out, n, "%d,%d", 1 + (*s >> 8) % 2, 3 + (*s >> 9) % 2);
		break;
	case FORM_Q_INTEGER:
		snprintf(out, n, "%u", (*s >> 8) % 100);
		break;
	case FORM_Q_DECIMAL:
		snprintf(out, n, "%u.5", (*s >> 8) % 90);
		break;
	default:
		snprintf(out, n, "answer %u", (*s >> 8) % 100);
		break;
	}
}

int main(void)
{
	char *src = genform(5000, 1);
	struct form_diags d;
	struct form *f;
	static const char *const names[] = { "region", "name" };
	const char *values[] = { "3", "Anna" };
	struct eng_case c = { 2, names, values, 7 };
	double *t_answer, *t_screen, t0, t1;
	int n = 0, cap = 20000, runs, k;
	unsigned s = 1;
	char typed[64];

	form_diags_init(&d);
	f = form_compile("gen.form", src, strlen(src), &d);
	if (!f) {
		fprintf(stderr, "bench_engine: the generated form does not compile\n");
		return 1;
	}
	t_answer = malloc(sizeof(double) * (size_t)cap);
	t_screen = malloc(sizeof(double) * (size_t)cap);
	for (runs = 0; runs < 3; runs++) {
		struct eng *e = eng_new(f, &c, 0, NULL);
		for (;;) {
			const struct eng_screen *sc = eng_screen(e);
			enum eng_rc rc;

			if (sc->kind != ENG_SCREEN_QUESTION || n >= cap)
				break;
			typed_for(sc, &s, typed, sizeof typed);
			t0 = bench_now_us();
			rc = eng_answer_text(e, typed);
			t1 = bench_now_us();
			if (rc == ENG_CHECK)
				eng_confirm(e);
			else if (rc != ENG_OK)
				continue;
			sc = eng_screen(e);
			t_screen[n] = bench_now_us() - t1;
			t_answer[n++] = t1 - t0;
		}
		eng_free(e);
	}
	qsort(t_answer, (size_t)n, sizeof(double), bench_cmp_double);
	qsort(t_screen, (size_t)n, sizeof(double), bench_cmp_double);
	k = (int)(n * 0.99);
	printf("engine: %d steps on a %d-question form: answer + route median %.1f us, p99 %.1f us, "
	       "max %.1f us (target p99 < 50 us)\n",
	       n, f->nquestions, t_answer[n / 2], t_answer[k], t_answer[n - 1]);
	printf("engine: building the screen view: median %.1f us, p99 %.1f us\n", t_screen[n / 2],
	       t_screen[k]);
	free(t_answer);
	free(t_screen);
	form_free(f);
	form_diags_release(&d);
	free(src);
	return 0;
}
