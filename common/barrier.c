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
 */
#include <stdlib.h>

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
		rt_check(pthread_mutex_init(&b->pm, NULL), "pthread_mutex_init");
		rt_check(pthread_cond_init(&b->pc, NULL), "pthread_cond_init");
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

static void barrier_leave(struct barrier *b, unsigned gen, int line)
{
	if (rt.mode == RT_STEP) {
		rt.current->barrier_gen = gen;
		rt_park(OP_LEAVE, &b->o, line); /* until b->gen != gen */
	} else {
		watch_begin();
		while (b->gen == gen) {
			rt_check(pthread_cond_wait(&b->pc, &b->pm),
				 "pthread_cond_wait");
			watch_check(&b->pm);
		}
		watch_end();
	}
	struct event *e = rt_ev(OP_LEAVE, &b->o, line);
	e->flags = EV_STEP;
	e->a = gen + 1;
	rt_commit(e);
}

bool barrier_wait_at(struct barrier *b, int line)
{
	if (rt.mode == RT_STEP)
		rt_park(OP_ARRIVE, &b->o, line);
	else
		rt_check(pthread_mutex_lock(&b->pm), "pthread_mutex_lock");
	struct event *e = rt_ev(OP_ARRIVE, &b->o, line);
	e->flags = EV_STEP;
	e->a = ++b->arrived;
	e->b = b->parties;
	rt_commit(e);
	bool last = b->arrived == b->parties;
	if (last)
		barrier_release(b, line);
	else
		barrier_leave(b, b->gen, line);
	if (rt.mode == RT_FREE)
		rt_check(pthread_mutex_unlock(&b->pm), "pthread_mutex_unlock");
	return last;
}
