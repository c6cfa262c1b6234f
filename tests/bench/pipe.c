/*
 * pipe.c: the bare baseline for the buffer lesson's throughput.
 *
 * One thread writes N items (8 bytes each) into a pipe, another reads
 * them: the kernel's own bounded buffer between two threads.  Prints
 * items per second, from thread start to join.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static long n;

static void *pipe_writer(void *arg)
{
	(void)arg;
	for (long i = 1; i <= n; i++)
		if (write(fds[1], &i, sizeof(i)) != sizeof(i))
			abort();
	return NULL;
}

static void *pipe_reader(void *arg)
{
	long sum = 0, item;
	for (long i = 0; i < n; i++) {
		if (read(fds[0], &item, sizeof(item)) != sizeof(item))
			abort();
		sum += item;
	}
	*(long *)arg = sum;
	return NULL;
}

int main(int argc, char **argv)
{
	n = argc > 1 ? atol(argv[1]) : 200000;
	if (pipe(fds) != 0)
		return 1;
	struct timespec t0, t1;
	long sum = 0;
	pthread_t w, r;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&w, NULL, pipe_writer, NULL);
	pthread_create(&r, NULL, pipe_reader, &sum);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (sum != n * (n + 1) / 2)
		return 1;
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f\n", (double)n / s);
	return 0;
}
