/*
 * timer.c: timers, Python's threading.Timer, on the runtime's time.
 *
 * A timer is a thread of the runtime's, made in setup() (threads are
 * only made there), and two flags: `NAME.start`, raised by start() or
 * cancel(), and `NAME`, raised by cancel().  The thread waits for the
 * first, then waits for the second with the interval as its timeout:
 * true means cancelled in time, false means the interval passed, and it
 * runs the function.  So a timer is no new kind of waiting: in step mode
 * it fires on the step clock, or by the clock's jump when nothing else
 * can run (ltime.c), deterministically and open to the explorer; in free
 * mode on the real monotonic clock.  The viewer draws a pending timer as
 * the flag NAME with its thread waiting "until t=..." (its deadline).
 *
 * As in Python, a timer starts once (a second start is refused), cancel()
 * only stops one still waiting, and cancelling twice, or a timer that
 * fired, is harmless.  A timer never started waits for ever: cancel it
 * before the run ends, or it is reported as the deadlock it is.
 */
#include <stdio.h>

#include "lesson.h"
#include "rt.h"

struct timer {
	struct flag *start;  /* up: started or cancelled */
	struct flag *cancel; /* up: cancelled */
	void (*fn)(long arg);
	long arg;
	_Atomic long interval; /* set by start(), which may race a cancel() */
	int line;            /* the lesson's timer_new(): its first wait's */
	_Atomic int start_line; /* its start(): the countdown's line */
	_Atomic bool started;
	_Atomic bool fired;
};

static void timer_body(long arg)
{
	struct timer *t = (struct timer *)(intptr_t)arg;
	flag_wait_for_at(t->start, -1, t->line);
	/* Counting down, it stands where it was started, not in setup() */
	int line = atomic_load(&t->start_line);
	if (flag_wait_for_at(t->cancel, atomic_load(&t->interval),
			     line ? line : t->line))
		return; /* cancelled before it fired (or before it started) */
	atomic_store(&t->fired, true);
	t->fn(t->arg);
}

/*
 * A timer lives in its thread's slot: as many as threads, no allocation,
 * and a run's timer_new() overwrites the last run's (setup() is the only
 * place timers are made, and threads are numbered afresh each run).
 */
static struct timer timer_slots[RT_MAX_THREADS + 1];
static char timer_names[RT_MAX_THREADS + 1][32]; /* "NAME.start" */

struct timer *timer_new_at(const char *name, void (*fn)(long arg), long arg,
			   int line)
{
	if (rt.nthreads >= RT_MAX_THREADS)
		rt_die("more than %d threads", RT_MAX_THREADS);
	int id = rt.nthreads + 1; /* thread_new() below makes this one */
	struct timer *t = &timer_slots[id];
	*t = (struct timer){ 0 };
	snprintf(timer_names[id], sizeof(timer_names[id]), "%.25s.start",
		 name);
	t->start = flag_new(timer_names[id]);
	t->cancel = flag_new(name);
	t->fn = fn;
	t->arg = arg;
	t->line = line;
	thread_new(name, timer_body, (long)(intptr_t)t);
	return t;
}

void timer_start_at(struct timer *t, long interval, int line)
{
	if (interval < 0)
		rt_die("timer_start %s: interval %ld", t->cancel->o.name,
		       interval);
	if (atomic_exchange(&t->started, true))
		rt_die("timer_start %s: a timer can only be started once",
		       t->cancel->o.name);
	atomic_store(&t->interval, interval);
	atomic_store(&t->start_line, line);
	flag_set_at(t->start, line);
}

void timer_cancel_at(struct timer *t, int line)
{
	flag_set_at(t->cancel, line);
	flag_set_at(t->start, line); /* one never started ends too */
}

bool timer_fired(const struct timer *t)
{
	return atomic_load(&t->fired);
}

void *timer_state(int id, size_t *len)
{
	*len = sizeof(timer_slots[id]);
	return rt.threads[id].body == timer_body ? &timer_slots[id] : NULL;
}
