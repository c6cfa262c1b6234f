/*
 * cond.c: condition variables.
 *
 * cond_wait() is two visible steps, because that is where the classic bugs
 * live.  The first releases the mutex and goes to sleep on the condition,
 * as one atomic act.  The second happens only after a signal: the woken
 * thread must win the mutex back before it returns, and others may get
 * there first and change the state it was waiting for.  That window is why
 * the condition is rechecked in a while loop, not an if.
 *
 * In step mode a signal wakes the longest waiter; spurious wake-ups are not
 * modelled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "watch.h"

struct cond *cond_new(const char *name)
{
	struct cond *c = rt_alloc_obj(sizeof(*c));
	rt_add_obj(&c->o, OBJ_COND, name, &c->clock);
	if (rt.mode == RT_FREE)
		rt_cond_init(&c->pc);
	return c;
}

/* Step mode: m passes to thread id (0: nobody), at depth. */
static void cond_set_owner(struct mutex *m, int id, int depth)
{
	atomic_store_explicit(&m->owner, id, memory_order_relaxed);
	m->depth = depth;
}

int cond_wait_at(struct cond *c, struct mutex *m, int line)
{
	if (rt.mode == RT_STEP)
		rt_park2(OP_COND_WAIT, &c->o, &m->o, line);
	struct thr *t = rt_self();
	struct event *e = rt_ev(OP_COND_WAIT, &c->o, line);
	e->flags = EV_STEP;
	e->obj2 = (int16_t)m->o.id;
	if (!mutex_mine(m, t)) {
		e->flags |= EV_MISUSE;
		e->b = EPERM;
		rt_commit(e);
		return EPERM;
	}
	rt_commit(e);
	if (rt.mode == RT_STEP) {
		int depth = m->depth;
		cond_set_owner(m, 0, 0);
		c->waiters[c->nwaiters++] = t->id;
		t->in_cond = true;
		rt_park2(OP_COND_WAKE, &c->o, &m->o, line);
		cond_set_owner(m, t->id, depth);
	} else { /* pthread_cond_wait() passes the holder on itself */
		watch_begin();
		rt_check(pthread_cond_wait(&c->pc, &m->pm),
			 "pthread_cond_wait");
		watch_check(&m->pm);
		watch_end();
	}
	e = rt_ev(OP_COND_WAKE, &c->o, line);
	e->flags = EV_STEP;
	e->obj2 = (int16_t)m->o.id;
	rt_commit(e);
	return 0;
}

/* Step mode: take the longest waiter off the list; its id, or 0. */
static int cond_wake_one(struct cond *c)
{
	if (c->nwaiters == 0)
		return 0;
	int id = c->waiters[0];
	memmove(c->waiters, c->waiters + 1,
		(size_t)--c->nwaiters * sizeof(c->waiters[0]));
	rt.threads[id].in_cond = false;
	return id;
}

void cond_signal_at(struct cond *c, int line)
{
	if (rt.mode == RT_STEP)
		rt_park(OP_SIGNAL, &c->o, line);
	struct event *e = rt_ev(OP_SIGNAL, &c->o, line);
	e->flags = EV_STEP;
	if (rt.mode == RT_STEP)
		e->other = (int16_t)cond_wake_one(c);
	else
		rt_check(pthread_cond_signal(&c->pc), "pthread_cond_signal");
	rt_commit(e);
}

void cond_broadcast_at(struct cond *c, int line)
{
	if (rt.mode == RT_STEP)
		rt_park(OP_BROADCAST, &c->o, line);
	struct event *e = rt_ev(OP_BROADCAST, &c->o, line);
	e->flags = EV_STEP;
	if (rt.mode == RT_STEP)
		while (cond_wake_one(c))
			e->a++;
	else
		rt_check(pthread_cond_broadcast(&c->pc),
			 "pthread_cond_broadcast");
	rt_commit(e);
}
