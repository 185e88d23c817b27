/* bench_compile.c: compile time and peak memory of a generated 5,000-question form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

#include "cati/form.h"
#include "genform.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
	enum { RUNS = 30 };
	char *src = genform(5000, 1);
	size_t len = strlen(src);
	double t[RUNS], t0;
	struct rusage ru;
	long rss_before, rss_after;
	size_t arena = 0;
	int i, nq = 0;

	getrusage(RUSAGE_SELF, &ru);
	rss_before = ru.ru_maxrss;
	for (i = 0; i < RUNS; i++) {
		struct form_diags d;
		struct form *f;

		form_diags_init(&d);
		t0 = now_ms();
		f = form_compile("gen.form", src, len, &d);
		t[i] = now_ms() - t0;
		if (!f) {
			fprintf(stderr, "bench_compile: generated form does not compile: %s\n",
			        d.n ? d.v[0].msg : "?");
			return 1;
		}
		nq = f->nquestions;
		arena = f->arena.total;
		form_free(f);
		form_diags_release(&d);
	}
	getrusage(RUSAGE_SELF, &ru);
	rss_after = ru.ru_maxrss;
	qsort(t, RUNS, sizeof t[0], bench_cmp_double);
	printf("compile: %d questions, %zu KiB source: min %.2f ms, median %.2f ms, max %.2f ms (target < 20 ms)\n",
	       nq, len / 1024, t[0], t[RUNS / 2], t[RUNS - 1]);
	printf("compile: form memory %.1f MiB (arena), peak RSS growth %.1f MiB, peak RSS %.1f MiB "
	       "(target < 16 MiB)\n",
	       arena / 1048576.0, (rss_after - rss_before) / 1024.0, rss_after / 1024.0);
	free(src);
	return 0;
}
