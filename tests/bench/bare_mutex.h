/*
 * bare_mutex.h: the bare baseline for free mode, as a function.
 *
 * The race lesson's mutex variant as plain pthreads code: n threads (odd
 * ones deposit, even ones withdraw), each `iterations` times lock, relaxed
 * load, relaxed store, unlock, released together by a start gate.  Timed
 * as the runtime times a free-mode run: from before the gate is set up to
 * the last join.  Returns the seconds, or -1 if the balance came out wrong.
 */
#ifndef BARE_MUTEX_H
#define BARE_MUTEX_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define BARE_MAX_THREADS 64

static pthread_mutex_t bare_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t bare_gate;
static _Atomic long bare_balance;
static long bare_iterations;

static void *bare_teller(void *arg)
{
	long delta = (long)arg;
	pthread_barrier_wait(&bare_gate);
	for (long i = 0; i < bare_iterations; i++) {
		pthread_mutex_lock(&bare_lock);
		long tmp = atomic_load_explicit(&bare_balance,
						memory_order_relaxed);
		atomic_store_explicit(&bare_balance, tmp + delta,
				      memory_order_relaxed);
		pthread_mutex_unlock(&bare_lock);
	}
	return NULL;
}

static double bare_mutex_run(long iterations, int n)
{
	struct timespec t0, t1;
	pthread_t t[BARE_MAX_THREADS];
	bare_iterations = iterations;
	atomic_store(&bare_balance, 100);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_barrier_init(&bare_gate, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, bare_teller,
			       (void *)(i % 2 == 0 ? 1L : -1L));
	pthread_barrier_wait(&bare_gate);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_barrier_destroy(&bare_gate);
	if (atomic_load(&bare_balance) != 100 + (n % 2) * iterations)
		return -1;
	return (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

#endif
