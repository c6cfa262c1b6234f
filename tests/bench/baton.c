/*
 * bench_baton.c: the bare baseline for step-mode handoffs.
 *
 * Two threads pinned to one CPU pass a baton N times, each waiting on its
 * own POSIX semaphore and posting the other's: the cheapest way to make
 * exactly one of two real threads run at a time.  Prints handoffs/second.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static sem_t baton[2];
static long rounds;

static void *bench_player(void *arg)
{
	long me = (long)arg;
	for (long i = 0; i < rounds; i++) {
		sem_wait(&baton[me]);
		sem_post(&baton[1 - me]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	rounds = argc > 1 ? atol(argv[1]) : 1000000;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
	sem_init(&baton[0], 0, 1);
	sem_init(&baton[1], 0, 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_t t[2];
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], &attr, bench_player, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f\n", 2.0 * (double)rounds / s);
	return 0;
}
