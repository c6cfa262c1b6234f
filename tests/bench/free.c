/*
 * free.c: free mode against bare pthreads, in one process.
 *
 * The race lesson's mutex variant, run through the runtime as
 * `race --mode=free --variant=mutex` runs it, and the same loop in bare
 * pthreads (bare_mutex.h), alternately in this one process: ours, bare,
 * bare, ours, ...  Both see the same process, the same machine and the same
 * moment, and neither has a pipeline or a process start next to it; on two
 * cores each of those shifts where the scheduler puts the two threads,
 * which decides a run's time more than anything either side does
 * (docs/design.md, "Measurements").
 *
 * Usage: free RUNS [ITERATIONS [THREADS]]
 * Prints a line per side (median, min, max seconds) and the ratios.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bare_mutex.h"
#include "cli.h"
#include "run.h"

extern const struct lesson race_lesson;

static double free_ours(long iterations, int threads)
{
	char it[32], th[32];
	snprintf(it, sizeof(it), "--iterations=%ld", iterations);
	snprintf(th, sizeof(th), "--threads=%d", threads);
	char *argv[] = { "race", "--mode=free", "--variant=mutex", it, th,
			 "--quiet", NULL };
	struct cli c;
	if (cli_parse(&race_lesson, 6, argv, &c) != CLI_RUN)
		exit(2); /* cli_parse said why */
	struct run_result res;
	run_lesson(&c.cfg, NULL, NULL, NULL, NULL, &res);
	cli_free(&c);
	return res.invariant ? (double)res.elapsed_us / 1e6 : -1;
}

static int free_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double free_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), free_cmp);
	return v[(n - 1) / 2];
}

static void free_show(const char *name, double *v, int n)
{
	double med = free_median(v, n);
	printf("  %-36s %8.4f s  (min %.4f, max %.4f, %d runs)\n", name, med,
	       v[0], v[n - 1], n);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 21;
	long iterations = argc > 2 ? atol(argv[2]) : 1000000;
	int threads = argc > 3 ? atoi(argv[3]) : 2;
	if (runs < 1 || iterations < 1 || threads < 1 ||
	    threads > BARE_MAX_THREADS) {
		fprintf(stderr, "usage: free RUNS [ITERATIONS [THREADS]]\n");
		return 2;
	}
	double *ours = calloc((size_t)runs, sizeof(double));
	double *bare = calloc((size_t)runs, sizeof(double));
	double *pair = calloc((size_t)runs, sizeof(double));
	if (!ours || !bare || !pair)
		return 1;
	for (int i = 0; i < runs; i++) {
		if (i % 2 == 0) {
			ours[i] = free_ours(iterations, threads);
			bare[i] = bare_mutex_run(iterations, threads);
		} else {
			bare[i] = bare_mutex_run(iterations, threads);
			ours[i] = free_ours(iterations, threads);
		}
		if (ours[i] < 0 || bare[i] < 0) {
			fprintf(stderr, "free: the balance came out wrong\n");
			return 1;
		}
		pair[i] = ours[i] / bare[i];
	}
	free_show("race --mode=free --variant=mutex:", ours, runs);
	free_show("bare pthreads, same loop:", bare, runs);
	printf("  ratio of the medians: %.2fx; median of the %d paired "
	       "ratios: %.2fx\n",
	       free_median(ours, runs) / free_median(bare, runs), runs,
	       free_median(pair, runs));
	free(ours);
	free(bare);
	free(pair);
	return 0;
}
