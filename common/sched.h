/*
 * sched.h: the step-mode scheduler.
 *
 * Every lesson thread is a fiber parked before its next visible operation.
 * The scheduler decides which one runs that operation next, by policy:
 * seeded random, round robin with a quantum, an exact schedule, or the
 * person at the keyboard (the caller then uses sched_step() directly).
 */
#ifndef INTERLEAVE_SCHED_H
#define INTERLEAVE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt.h"

struct sched {
	uint64_t rng;
	int rr_last;
	long rr_used;
	int pos; /* next position in the --schedule list */
	/* --policy=pct: each thread's priority (0: not drawn yet), and the
	 * steps at which the thread about to run drops to the bottom */
	uint64_t prio[RT_MAX_THREADS + 1];
	uint64_t change[RT_MAX_DEPTH];
	int nchange;
};

enum sched_pick_result {
	SCHED_OK,       /* *id is the next thread */
	SCHED_NONE,     /* nothing can run: finished or deadlocked */
	SCHED_MANUAL,   /* the person chooses: ask, then sched_step() */
	SCHED_BAD,      /* the --schedule names a thread that cannot run */
};

void sched_init(struct sched *s, const struct run_config *cfg);
/* Run every thread to its first visible operation (thread starts). */
void sched_start(void);
/* Can thread t run its pending operation now? */
bool sched_ready(const struct thr *t);
/* Fill ids with the threads that can run now; returns how many. */
int sched_eligible(int *ids);
/* The same as a set: bit id-1 of each thread that can run now. */
uint64_t sched_eligible_mask(void);
/* Threads not yet finished. */
int sched_live(void);
/* Choose the next thread.  SCHED_BAD writes the reason into err. */
enum sched_pick_result sched_pick(struct sched *s, int *id, char *err,
				  size_t errsize);
/* Run one step of thread id, which must be ready. */
void sched_step(int id);
/* Why t cannot run, as a phrase: "waits for mutex lock, held by T2". */
char *sched_why(const struct thr *t, char *buf, size_t size);
/* Record that every live thread is blocked. */
void sched_deadlock(void);

#endif
