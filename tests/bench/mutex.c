/*
 * bench_mutex.c: the bare baseline for free mode.
 *
 * The race lesson's mutex variant as plain pthreads code: T threads
 * (default 2; odd ones deposit, even ones withdraw), each N times lock,
 * relaxed load, relaxed store, unlock, released together by a start gate.
 * Prints the elapsed seconds.  Usage: mutex [N [T]]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t gate;
static _Atomic long balance = 100;
static long iterations;

static void *bench_teller(void *arg)
{
	long delta = (long)arg;
	pthread_barrier_wait(&gate);
	for (long i = 0; i < iterations; i++) {
		pthread_mutex_lock(&lock);
		long tmp = atomic_load_explicit(&balance, memory_order_relaxed);
		atomic_store_explicit(&balance, tmp + delta,
				      memory_order_relaxed);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	iterations = argc > 1 ? atol(argv[1]) : 1000000;
	int n = argc > 2 ? atoi(argv[2]) : 2;
	if (n < 1 || n > 64)
		return 2;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_barrier_init(&gate, NULL, (unsigned)n + 1);
	pthread_t t[64];
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, bench_teller,
			       (void *)(i % 2 == 0 ? 1L : -1L));
	pthread_barrier_wait(&gate);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (balance != 100 + (n % 2) * iterations)
		return 1;
	printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) +
				 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
