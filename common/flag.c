/*
 * flag.c: flags, Python's threading.Event.
 *
 * A flag is up or down.  set() raises it and wakes every thread waiting
 * for it; clear() lowers it; wait() returns at once while it is up, and
 * otherwise waits for a set(); wait_for() gives up after a timeout and
 * returns false.  The file is not called event.c because the trace's
 * events live there: a Python Event is a flag, and so it is drawn.
 *
 * A set() wakes the threads waiting at that moment for good: if clear()
 * follows before a woken thread runs, its wait still returns true.  That
 * is Python's Event (its wait() is a condition wait, and a notified
 * waiter returns True), and it is why `sets` counts the raisings: a
 * waiter compares it with the count it saw when it began, not the flag.
 *
 * A wait is two visible steps when the flag is down, as a condition wait
 * is: the first begins the wait (and fixes its deadline), the second
 * returns, raised or timed out.  The viewer draws the waiters between.
 *
 * There is no misuse to refuse: an Event has no owner and no count, and
 * raising a raised flag or lowering a lowered one is allowed and harmless.
 * A wait that nothing will ever end is a deadlock, reported as one.
 * Free mode is a monitor: a mutex, a condition variable on CLOCK_MONOTONIC
 * (a timed wait must not end when the wall clock is set) and the fields.
 */
#include <errno.h>
#include <string.h>

#include "ltime.h"
#include "rt.h"
#include "watch.h"

struct flag *flag_new(const char *name)
{
	struct flag *f = rt_alloc_obj(sizeof(*f));
	rt_add_obj(&f->o, OBJ_FLAG, name, &f->clock);
	if (rt.mode == RT_FREE) {
		rt_mutex_init(&f->pm);
		rt_cond_init_monotonic(&f->pc);
	}
	return f;
}

/* Start an operation on f: its step (step mode) or its monitor (free). */
static void flag_enter(struct flag *f, enum event_op op, int line)
{
	if (rt.mode == RT_STEP)
		rt_park(op, &f->o, line);
	else
		rt_check(pthread_mutex_lock(&f->pm), "pthread_mutex_lock");
}

static void flag_leave(struct flag *f)
{
	if (rt.mode == RT_FREE)
		rt_check(pthread_mutex_unlock(&f->pm), "pthread_mutex_unlock");
}

/* The event of an operation, committed inside the monitor (free mode's
 * Lamport clock of f is only ever moved there). */
static void flag_event(struct flag *f, enum event_op op, long a, long b,
		       int line)
{
	struct event *e = rt_ev(op, &f->o, line);
	e->flags = EV_STEP;
	e->a = a;
	e->b = b;
	rt_commit(e);
}

void flag_set_at(struct flag *f, int line)
{
	flag_enter(f, OP_FLAG_SET, line);
	bool was = f->up;
	flag_event(f, OP_FLAG_SET, was, was ? 0 : f->waiting, line);
	if (!was) {
		f->up = true;
		f->sets++;
		f->waiting = 0; /* every one of them is woken */
		if (rt.mode == RT_FREE)
			rt_check(pthread_cond_broadcast(&f->pc),
				 "pthread_cond_broadcast");
	}
	flag_leave(f);
}

void flag_clear_at(struct flag *f, int line)
{
	flag_enter(f, OP_FLAG_CLEAR, line);
	flag_event(f, OP_FLAG_CLEAR, f->up, 0, line);
	f->up = false;
	flag_leave(f);
}

bool flag_is_set_at(struct flag *f, int line)
{
	flag_enter(f, OP_FLAG_IS_SET, line);
	bool up = f->up;
	flag_event(f, OP_FLAG_IS_SET, up, 0, line);
	flag_leave(f);
	return up;
}

/*
 * Free mode, in the monitor: wait until f is raised after `gen` or the
 * timeout (ms, < 0: none) passes; true if raised.  Only an open-ended
 * wait counts for the deadlock watch: a timed one ends by itself.
 */
static bool flag_sleep(struct flag *f, unsigned gen, long timeout)
{
	struct timespec deadline = ltime_after(CLOCK_MONOTONIC,
					       timeout < 0 ? 0 : timeout);
	int err = 0;
	if (timeout < 0)
		watch_begin();
	while (f->sets == gen && err != ETIMEDOUT) {
		err = timeout < 0 ? pthread_cond_wait(&f->pc, &f->pm)
				  : pthread_cond_timedwait(&f->pc, &f->pm,
							   &deadline);
		if (err && err != ETIMEDOUT)
			rt_die("pthread_cond_wait: %s", strerror(err));
		watch_check(&f->pm);
	}
	if (timeout < 0)
		watch_end();
	return f->sets != gen;
}

/* Step mode: the second step of a wait, once raised or timed out. */
static bool flag_sleep_step(struct flag *f, unsigned gen, int line)
{
	rt.current->flag_gen = gen;
	rt_park(OP_FLAG_WAKE, &f->o, line); /* see sched_ready() */
	ltime_disarm(rt.current);
	return f->sets != gen;
}

bool flag_wait_for_at(struct flag *f, long timeout, int line)
{
	if (timeout < -1)
		rt_die("flag_wait_for %s: timeout %ld", f->o.name, timeout);
	flag_enter(f, OP_FLAG_WAIT, line);
	struct event *e = rt_ev(OP_FLAG_WAIT, &f->o, line);
	e->flags = EV_STEP;
	e->a = f->up;
	e->b = timeout;
	if (f->up) { /* up: no waiting at all */
		rt_commit(e);
		flag_leave(f);
		return true;
	}
	f->waiting++;
	unsigned gen = f->sets;
	if (rt.mode == RT_STEP) {
		ltime_arm(rt.current, timeout);
		e->lost = (int32_t)(rt.current->deadline > INT32_MAX
					    ? INT32_MAX : rt.current->deadline);
	}
	rt_commit(e);
	bool raised = rt.mode == RT_STEP ? flag_sleep_step(f, gen, line)
					 : flag_sleep(f, gen, timeout);
	if (!raised)
		f->waiting--; /* timed out: no set() counted it */
	flag_event(f, OP_FLAG_WAKE, raised, 0, line);
	flag_leave(f);
	return raised;
}
