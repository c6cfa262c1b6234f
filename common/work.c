/*
 * work.c: time spent on private work, the thing a permit is held for.
 *
 * In step mode each unit is one step, so other threads visibly run while a
 * thread works.  In free mode a unit is a millisecond of sleep: the point
 * of the lessons that use it is how many threads are *inside* at once, and
 * sleeping shows that the same way on two cores as on sixty-four.
 */
#include "ltime.h"
#include "rt.h"

void work_at(long units, int line)
{
	if (rt.mode == RT_FREE) {
		ltime_nap_ms(units);
		struct event *e = rt_ev(OP_WORK, NULL, line);
		e->flags = EV_STEP;
		rt_commit(e);
		return;
	}
	for (long left = units - 1; left >= 0; left--) {
		rt_park(OP_WORK, NULL, line);
		struct event *e = rt_ev(OP_WORK, NULL, line);
		e->flags = EV_STEP;
		e->a = left;
		rt_commit(e);
	}
}
