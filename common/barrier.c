/*
 * barrier.c: a barrier whose last arrival runs an action.
 *
 * The action runs once per round, in the thread that completes the round,
 * before anyone is released: that is the "Fire!" of the starting line.  A
 * pthread_barrier_t cannot promise that (its serial thread returns together
 * with the others), so in free mode the barrier is a monitor: a mutex, a
 * condition variable and a generation count, the textbook construction.
 * The generation is what makes it reusable: a waiter leaves when the round
 * it arrived in is over, not when a count happens to read zero.
 *
 * A wait may have a timeout.  A waiter that gives up breaks the barrier
 * for everyone: the others waiting are released at once, and later
 * arrivals do not wait, all told BARRIER_BROKEN.  Step mode's time is
 * logical (ltime.c): a timeout of d fires once d steps have passed, or at
 * once when no other thread can run, which is deterministic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ltime.h"
#include "rt.h"
#include "watch.h"

struct barrier *barrier_new(const char *name, int parties,
			    void (*action)(void))
{
	struct barrier *b = rt_alloc_obj(sizeof(*b));
	rt_add_obj(&b->o, OBJ_BARRIER, name, &b->clock);
	if (parties < 1)
		rt_die("barrier %s: %d parties", name, parties);
	b->parties = parties;
	b->action = action;
	if (rt.mode == RT_FREE) {
		rt_mutex_init(&b->pm);
		rt_cond_init(&b->pc);
	}
	return b;
}

/* The last arrival: run the action, open the barrier for the next round. */
static void barrier_release(struct barrier *b, int line)
{
	struct event *e = rt_ev(OP_ACTION, &b->o, line);
	e->a = b->gen + 1;
	rt_commit(e);
	if (b->action)
		b->action();
	b->gen++;
	b->arrived = 0;
	if (rt.mode == RT_FREE)
		rt_check(pthread_cond_broadcast(&b->pc),
			 "pthread_cond_broadcast");
}

/*
 * Free mode: wait for the round `gen` to end, or for the barrier to break,
 * or (timeout_ms >= 0) for the deadline.  A wait with its own deadline is
 * not an open-ended one: the deadlock watch does not count it.
 */
static bool barrier_sleep(struct barrier *b, unsigned gen, long timeout_ms)
{
	struct timespec deadline = watch_deadline(timeout_ms);
	int err = 0;
	if (timeout_ms < 0)
		watch_begin();
	while (b->gen == gen && !b->broken && err != ETIMEDOUT) {
		err = timeout_ms < 0
			      ? pthread_cond_wait(&b->pc, &b->pm)
			      : pthread_cond_timedwait(&b->pc, &b->pm,
						       &deadline);
		if (err && err != ETIMEDOUT)
			rt_die("pthread_cond_wait: %s", strerror(err));
		watch_check(&b->pm);
	}
	if (timeout_ms < 0)
		watch_end();
	return b->gen == gen && !b->broken; /* timed out */
}

/*
 * Wait for the others: BARRIER_PASSED, or BARRIER_BROKEN when the barrier
 * broke meanwhile, or when this wait timed out and broke it.
 */
static int barrier_leave(struct barrier *b, unsigned gen, long timeout_ms,
			 int line)
{
	bool timed_out;
	if (rt.mode == RT_STEP) {
		rt.current->barrier_gen = gen;
		ltime_arm(rt.current, timeout_ms);
		rt_park(OP_LEAVE, &b->o, line); /* see sched_ready() */
		ltime_disarm(rt.current);
		timed_out = b->gen == gen && !b->broken;
	} else {
		timed_out = barrier_sleep(b, gen, timeout_ms);
	}
	struct event *e = rt_ev(OP_LEAVE, &b->o, line);
	e->flags = EV_STEP;
	e->a = gen + 1;
	if (timed_out) {
		b->broken = true; /* for everyone, now and later */
		e->b = ETIMEDOUT;
		if (rt.mode == RT_FREE)
			rt_check(pthread_cond_broadcast(&b->pc),
				 "pthread_cond_broadcast");
	} else if (b->gen == gen) {
		e->b = EPIPE;
	}
	rt_commit(e);
	return e->b ? BARRIER_BROKEN : BARRIER_PASSED;
}

int barrier_wait_for_at(struct barrier *b, long timeout_ms, int line)
{
	if (rt.mode == RT_STEP)
		rt_park(OP_ARRIVE, &b->o, line);
	else
		rt_check(pthread_mutex_lock(&b->pm), "pthread_mutex_lock");
	struct event *e = rt_ev(OP_ARRIVE, &b->o, line);
	e->flags = EV_STEP;
	int result;
	if (b->broken) { /* arriving at a broken barrier: no waiting */
		e->a = b->arrived;
		e->b = EPIPE;
		rt_commit(e);
		result = BARRIER_BROKEN;
	} else {
		e->a = ++b->arrived;
		e->lost = b->parties;
		rt_commit(e);
		if (b->arrived == b->parties) {
			barrier_release(b, line);
			result = BARRIER_LAST;
		} else {
			result = barrier_leave(b, b->gen, timeout_ms, line);
		}
	}
	if (rt.mode == RT_FREE)
		rt_check(pthread_mutex_unlock(&b->pm), "pthread_mutex_unlock");
	return result;
}

int barrier_wait_at(struct barrier *b, int line)
{
	return barrier_wait_for_at(b, -1, line);
}
