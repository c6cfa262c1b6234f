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
 *
 * cond_wait_for() also gives up after a timeout (ticks of the step clock,
 * ms of CLOCK_MONOTONIC in free mode, see ltime.c) and returns ETIMEDOUT:
 * its second step then leaves the wait list by itself, and it too must
 * win the mutex back first.  A timed-out waiter may have been signalled
 * in the same moment; as pthreads does, it reports the timeout, so a
 * caller rechecks its condition either way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ltime.h"
#include "rt.h"
#include "watch.h"

struct cond *cond_new(const char *name)
{
	struct cond *c = rt_alloc_obj(sizeof(*c));
	rt_add_obj(&c->o, OBJ_COND, name, &c->clock);
	if (rt.mode == RT_FREE)
		rt_cond_init_monotonic(&c->pc);
	return c;
}

/* Step mode: m passes to thread id (0: nobody), at depth. */
static void cond_set_owner(struct mutex *m, int id, int depth)
{
	atomic_store_explicit(&m->owner, id, memory_order_relaxed);
	m->depth = depth;
}

/* Step mode: take thread id off c's wait list (it timed out). */
static void cond_leave(struct cond *c, int id)
{
	for (int i = 0; i < c->nwaiters; i++)
		if (c->waiters[i] == id) {
			memmove(c->waiters + i, c->waiters + i + 1,
				(size_t)(--c->nwaiters - i) *
					sizeof(c->waiters[0]));
			break;
		}
	rt.threads[id].in_cond = false;
}

/* Step mode: sleep on c until signalled or timed out; 0 or ETIMEDOUT. */
static int cond_sleep_step(struct cond *c, struct mutex *m, struct thr *t,
			   int line)
{
	int depth = m->depth;
	cond_set_owner(m, 0, 0);
	c->waiters[c->nwaiters++] = t->id;
	t->in_cond = true;
	rt_park2(OP_COND_WAKE, &c->o, &m->o, line); /* see sched_ready() */
	int err = 0;
	if (t->in_cond) { /* still on the list: it ran on its timeout */
		cond_leave(c, t->id);
		err = ETIMEDOUT;
	}
	ltime_disarm(t);
	cond_set_owner(m, t->id, depth);
	return err;
}

/* Free mode: pthreads' wait; only an open-ended one counts for the
 * deadlock watch, a timed one ends by itself. */
static int cond_sleep_free(struct cond *c, struct mutex *m, long timeout)
{
	if (timeout < 0) {
		watch_begin();
		rt_check(pthread_cond_wait(&c->pc, &m->pm),
			 "pthread_cond_wait");
		watch_check(&m->pm);
		watch_end();
		return 0;
	}
	struct timespec deadline = ltime_after(CLOCK_MONOTONIC, timeout);
	int err = pthread_cond_timedwait(&c->pc, &m->pm, &deadline);
	if (err && err != ETIMEDOUT)
		rt_die("pthread_cond_timedwait: %s", strerror(err));
	return err;
}

int cond_wait_for_at(struct cond *c, struct mutex *m, long timeout, int line)
{
	if (timeout < -1)
		rt_die("cond_wait_for %s: timeout %ld", c->o.name, timeout);
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
	if (timeout >= 0) { /* a = 1: timed, b = its timeout */
		e->a = 1;
		e->b = timeout;
	}
	if (rt.mode == RT_STEP) {
		ltime_arm(t, timeout);
		e->lost = (int32_t)(t->deadline > INT32_MAX ? INT32_MAX
							    : t->deadline);
	}
	rt_commit(e);
	int err = rt.mode == RT_STEP ? cond_sleep_step(c, m, t, line)
				     : cond_sleep_free(c, m, timeout);
	e = rt_ev(OP_COND_WAKE, &c->o, line);
	e->flags = EV_STEP;
	e->obj2 = (int16_t)m->o.id;
	e->a = err == ETIMEDOUT;
	rt_commit(e);
	return err;
}

int cond_wait_at(struct cond *c, struct mutex *m, int line)
{
	return cond_wait_for_at(c, m, -1, line);
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
