/*
 * pbaton.c: the bare baseline for step-mode handoffs between processes.
 *
 * Two processes pinned to one CPU pass a baton N times through a shared
 * mapping, each sleeping on its own futex word and waking the other's:
 * the cheapest way to make exactly one of two real processes run at a
 * time, which is what step mode does with a lesson's processes (proc.c).
 * Prints handoffs/second.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint32_t *word; /* word[i]: 1 while player i holds it */

static void bench_wait(int me)
{
	while (atomic_load(&word[me]) == 0)
		syscall(SYS_futex, &word[me], FUTEX_WAIT, 0, NULL, NULL, 0);
}

static void bench_hand(int me)
{
	atomic_store(&word[me], 0);
	atomic_store(&word[1 - me], 1);
	syscall(SYS_futex, &word[1 - me], FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void bench_play(int me, long rounds)
{
	for (long i = 0; i < rounds; i++) {
		bench_wait(me);
		bench_hand(me);
	}
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 200000;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED)
		return 1;
	word[0] = 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		bench_play(1, rounds);
		_exit(0);
	}
	bench_play(0, rounds);
	waitpid(pid, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f\n", 2.0 * (double)rounds / s);
	return 0;
}
