/*
 * bench_mutex.c: the bare baseline for free mode.
 *
 * The race lesson's mutex variant as plain pthreads code: 2 threads, each
 * N times lock, relaxed load, relaxed store, unlock, released together by
 * a start gate.  Prints the elapsed seconds.
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
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_barrier_init(&gate, NULL, 3);
	pthread_t t[2];
	pthread_create(&t[0], NULL, bench_teller, (void *)1L);
	pthread_create(&t[1], NULL, bench_teller, (void *)-1L);
	pthread_barrier_wait(&gate);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (balance != 100)
		return 1;
	printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) +
				 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
