/*
 * ltime.c: time in both modes.
 *
 * Free mode has real clocks: a timed wait ends on CLOCK_MONOTONIC (a
 * change of the wall clock must not end it), a sleep is a nanosleep.
 *
 * Step mode has no real time at all: a run must be the same on every
 * machine and every replay.  Its time is logical.  Each visible step is
 * one tick, so a wait of d ticks lets d steps of other threads pass, and
 * work(d), d steps of work, takes as long as a sleep of d.  A wait with a
 * timeout that starts at time T has its deadline at T + d; it times out
 * at a step at time >= deadline that its thread takes:
 *
 *  - once the next step would be at or past the deadline, the waiter is
 *    ready, beside every other thread that is: which runs first is the
 *    policy's choice (and the explorer's), as for any ready thread;
 *  - when no thread could run without a timeout, time has nothing to do
 *    but pass: the clock jumps to the earliest deadline (an OP_CLOCK
 *    event says so), and the waiters due then are the ready ones.  A
 *    deadlock is declared only when no thread waits with a timeout.
 *
 * So time never depends on how fast the machine is, and a run stays a
 * pure function of its schedule.
 */
#include <errno.h>
#include <sys/prctl.h>

#include "ltime.h"

uint64_t ltime_now(void)
{
	return rt.step + rt.skew;
}

void ltime_arm(struct thr *t, long ticks)
{
	t->timed = ticks >= 0;
	t->deadline = ticks >= 0 ? ltime_now() + (uint64_t)ticks : 0;
}

void ltime_disarm(struct thr *t)
{
	t->timed = false;
	t->deadline = 0;
}

/* The earliest deadline of a live thread in a timed wait; 0 if none. */
static uint64_t ltime_earliest(void)
{
	uint64_t first = 0;
	for (int i = 1; i <= rt.nthreads; i++) {
		const struct thr *t = &rt.threads[i];
		if (t->timed && t->state != THR_DONE &&
		    (first == 0 || t->deadline < first))
			first = t->deadline;
	}
	return first;
}

bool ltime_due(const struct thr *t, bool (*ready_now)(const struct thr *))
{
	if (!t->timed || t->state == THR_DONE)
		return false;
	if (t->deadline <= ltime_now() + 1)
		return true;
	for (int i = 1; i <= rt.nthreads; i++)
		if (ready_now(&rt.threads[i]))
			return false;
	return t->deadline == ltime_earliest();
}

void ltime_tick(struct thr *t, bool forced)
{
	uint64_t now = ltime_now();
	if (!forced || t->deadline <= now)
		return;
	struct event *e = rt_ev(OP_CLOCK, NULL, 0);
	e->a = (long)t->deadline;
	e->b = (long)now;
	rt_commit(e);
	rt.skew += t->deadline - now;
}

long ltime_clock(void)
{
	if (rt.mode == RT_STEP)
		return (long)ltime_now();
	return rt_now_us() / 1000;
}

struct timespec ltime_after(clockid_t clock, long ms)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/*
 * A job of 5 ms should last 5 ms.  Linux lets a sleep end up to the
 * thread's timer slack late (50 us by default) so that it can batch
 * wake-ups; asking for none takes about 0.05 ms off every job here, 1% of a
 * 5 ms job, which is 1% on every throughput the lessons print.
 */
static void ltime_no_slack(void)
{
	static _Thread_local bool done;
	if (!done) {
		prctl(PR_SET_TIMERSLACK, 1UL);
		done = true;
	}
}

void ltime_nap_ms(long ms)
{
	ltime_no_slack();
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * A sleep: two steps, as a wait is.  The first begins it (and says until
 * when, so that the viewer can show it); the second is taken when its
 * deadline comes (step mode), or after a real sleep (free mode).
 */
void ltime_sleep_at(long ms, int line)
{
	if (ms < 0)
		rt_die("ltime_sleep: %ld ms", ms);
	if (rt.mode == RT_STEP)
		rt_park(OP_SLEEP, NULL, line);
	struct event *e = rt_ev(OP_SLEEP, NULL, line);
	e->flags = EV_STEP;
	e->a = ms;
	e->b = -1;
	if (rt.mode == RT_STEP) {
		ltime_arm(rt.current, ms);
		e->b = (long)rt.current->deadline;
	}
	rt_commit(e);
	long woke = -1;
	if (rt.mode == RT_STEP) {
		rt_park(OP_SLEPT, NULL, line); /* sched.c: due, never ready */
		ltime_disarm(rt.current);
		woke = (long)ltime_now();
	} else {
		ltime_nap_ms(ms);
	}
	e = rt_ev(OP_SLEPT, NULL, line);
	e->flags = EV_STEP;
	e->a = woke;
	rt_commit(e);
}
