/*
 * waitfor.h: the wait-for graph of a deadlock, and the sentence that
 * names its cycle.
 *
 * "Every live thread is blocked" says that a run is stuck, not why.  A
 * mutex deadlock always has a cycle: T1 waits for a mutex T2 holds, T2 for
 * one T1 holds (or a thread for a mutex it holds itself).  The graph is
 * filled from the runtime (plain output) or from the viewer's model, so
 * both say the same sentence.
 */
#ifndef INTERLEAVE_WAITFOR_H
#define INTERLEAVE_WAITFOR_H

#include <stddef.h>

#include "event.h"
#include "rt.h"

struct waitfor {
	int nthreads;
	int wants[RT_MAX_THREADS + 1]; /* the mutex a thread waits for, -1 */
	int owner[RT_MAX_OBJS];        /* the thread holding mutex i, 0 */
};

/* The graph of the run rt holds now (step mode). */
void waitfor_from_rt(struct waitfor *g);
/*
 * The cycle through the lowest-numbered thread that is on one, in the
 * order of the waits, into ids; how many threads (0: no cycle).
 */
int waitfor_cycle(const struct waitfor *g, int *ids);
/*
 * "deadlock: a cycle of waits: T1 holds a, waits for b; T2 holds b, waits
 * for a", or "deadlock: T1 holds a and waits for it: ...", or "" when
 * there is no cycle.  Returns buf.
 */
char *waitfor_say(const struct waitfor *g, const struct event_names *n,
		  char *buf, size_t size);
/*
 * The cycle ids[0..len-1] (from waitfor_cycle()) as arrows, each thread
 * to the mutex it waits for to the thread that holds it, back to the
 * first: "T1 -> b -> T2 -> a -> T1".  Returns buf.
 */
char *waitfor_arrows(const struct waitfor *g, const int *ids, int len,
		     const struct event_names *n, char *buf, size_t size);

#endif
