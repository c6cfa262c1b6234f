/*
 * ucontext.c: the bare baseline for a step between fibers.
 *
 * A scheduler and two ucontext fibers on one thread: the scheduler
 * switches into a fiber and the fiber switches back, N times, as the
 * runtime's fibers did before they jumped with _setjmp/_longjmp.  A round
 * trip (scheduler -> fiber -> scheduler) is what one step costs at least
 * with swapcontext; prints round trips per second.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#define STACK (64 * 1024)

static ucontext_t sched, fib[2];
static long rounds;

static void bench_fiber(int me)
{
	for (;;)
		swapcontext(&fib[me], &sched);
}

int main(int argc, char **argv)
{
	rounds = argc > 1 ? atol(argv[1]) : 1000000;
	for (int i = 0; i < 2; i++) {
		getcontext(&fib[i]);
		fib[i].uc_stack.ss_sp = malloc(STACK);
		fib[i].uc_stack.ss_size = STACK;
		fib[i].uc_link = NULL;
		makecontext(&fib[i], (void (*)(void))bench_fiber, 1, i);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long r = 0; r < rounds; r++)
		swapcontext(&sched, &fib[r & 1]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f\n", (double)rounds / s);
	for (int i = 0; i < 2; i++)
		free(fib[i].uc_stack.ss_sp);
	return 0;
}
