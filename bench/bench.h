/* bench.h: timing helpers shared by the benchmarks. */
#ifndef CATI_BENCH_H
#define CATI_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sort v and give its median and 99th percentile. */
static inline void bench_stats(double *v, int n, double *med, double *p99)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	*med = v[n / 2];
	*p99 = v[(int)(n * 0.99)];
}

#endif
