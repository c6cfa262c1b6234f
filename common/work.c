/*
 * work.c: time spent on private work, the thing a permit is held for.
 *
 * In step mode each unit is one step, so other threads visibly run while a
 * thread works.  In free mode a unit is a millisecond of sleep: the point
 * of the lessons that use it is how many threads are *inside* at once, and
 * sleeping shows that the same way on two cores as on sixty-four.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <time.h>

#include "rt.h"

/*
 * A job of 5 ms should last 5 ms.  Linux lets a sleep end up to the
 * thread's timer slack late (50 us by default) so that it can batch
 * wake-ups; asking for none takes about 0.05 ms off every job here, 1% of a
 * 5 ms job, which is 1% on every throughput the lessons print.
 */
static void work_no_slack(void)
{
	static _Thread_local bool done;
	if (!done) {
		prctl(PR_SET_TIMERSLACK, 1UL);
		done = true;
	}
}

static void work_sleep_ms(long ms)
{
	work_no_slack();
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void work_at(long units, int line)
{
	if (rt.mode == RT_FREE) {
		work_sleep_ms(units);
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
