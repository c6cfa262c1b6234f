/*
 * sema.c: counting semaphores, plain and bounded.
 *
 * A semaphore is a count of permits: wait takes one (or waits for one),
 * post gives one back.  Nothing stops a plain semaphore from being posted
 * more often than it was waited on, and its count then silently grows past
 * the number of permits it was meant to guard.  A bounded semaphore refuses
 * that post and the runtime reports it.
 *
 * Bounded here means a pool of permits: each thread's permits are counted
 * (by that thread only, so free mode needs no lock for it), and a post from
 * a thread that holds none is refused on the spot.  A bound on the count
 * alone, as other libraries have, catches the extra post only once the
 * count would pass the bound, which may be later and in an innocent thread
 * (docs/lessons/bandwidth.md).
 *
 * Free mode uses a POSIX sem_t.  Its bound check holds a small guard mutex
 * around read-count-then-post; waiters only ever lower the count meanwhile,
 * so the check can never let the count pass the bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ltime.h"
#include "proc.h"
#include "rt.h"
#include "watch.h"

struct sema *sema_new(const char *name, long initial, long bound)
{
	struct sema *s = rt_alloc_obj(sizeof(*s));
	rt_add_obj(&s->o, OBJ_SEMA, name, &s->clock);
	if (initial < 0 || (bound > 0 && initial > bound))
		rt_die("semaphore %s: initial count %ld out of range", name,
		       initial);
	s->bound = bound;
	s->count = initial;
	if (rt.mode == RT_FREE) {
		if (sem_init(&s->ps, rt.procs, (unsigned)initial) != 0)
			rt_die("sem_init: %s", strerror(errno));
		rt_mutex_init(&s->guard);
	}
	return s;
}

static long sema_free_count(struct sema *s)
{
	int v = 0;
	sem_getvalue(&s->ps, &v);
	return v;
}

/* Free mode, before a timed wait: the children this process forked
 * start at its next event (their start gate, proc.c), which the wait
 * would put off until it ends; they may be the ones to post, so they
 * start now.  An open-ended wait does this in watch_begin(). */
static void sema_open_gate(void)
{
	struct thr *self = rt_self();
	if (self && self->proc)
		proc_release(self);
}

/* Free mode: a trywait, else waits in slices the deadlock watch can end. */
static void sema_take(struct sema *s)
{
	if (sem_trywait(&s->ps) == 0)
		return;
	struct timespec deadline;
	watch_begin(); /* which opens the start gate, as below */
	for (;;) {
		watch_slice(&deadline);
		if (sem_timedwait(&s->ps, &deadline) == 0)
			break;
		if (errno != ETIMEDOUT && errno != EINTR) /* errno, not rc */
			rt_die("sem_timedwait: %s", strerror(errno));
	}
	watch_end();
}

/*
 * Free mode, a timed take: 0 at once or ETIMEDOUT.  A timeout of 0 is a
 * trywait; a longer one waits on CLOCK_MONOTONIC.  Neither counts for the
 * deadlock watch: a timed wait ends by itself.
 */
static int sema_take_for(struct sema *s, long timeout)
{
	if (sem_trywait(&s->ps) == 0)
		return 0;
	if (timeout == 0)
		return ETIMEDOUT;
	sema_open_gate();
	struct timespec deadline = ltime_after(CLOCK_MONOTONIC, timeout);
	while (sem_clockwait(&s->ps, CLOCK_MONOTONIC, &deadline) != 0) {
		if (errno == ETIMEDOUT)
			return ETIMEDOUT;
		if (errno != EINTR)
			rt_die("sem_clockwait: %s", strerror(errno));
	}
	return 0;
}

/* Step mode: one step, taken when the count is above 0 or, for a timed
 * wait, when its deadline has come (sched_ready(), ltime.c). */
static int sema_take_step(struct sema *s, long timeout, int line)
{
	ltime_arm(rt.current, timeout);
	rt_park(OP_SEM_WAIT, &s->o, line);
	ltime_disarm(rt.current);
	if (s->count == 0)
		return ETIMEDOUT;
	s->count--;
	return 0;
}

int sema_wait_for_at(struct sema *s, long timeout, int line)
{
	if (timeout < -1)
		rt_die("sema_wait_for %s: timeout %ld", s->o.name, timeout);
	int err = 0;
	if (rt.mode == RT_STEP)
		err = sema_take_step(s, timeout, line);
	else if (timeout < 0)
		sema_take(s);
	else
		err = sema_take_for(s, timeout);
	struct event *e = rt_ev(OP_SEM_WAIT, &s->o, line);
	e->flags = EV_STEP;
	e->b = err;
	e->a = rt.mode == RT_STEP ? s->count : sema_free_count(s);
	if (!err)
		rt_self()->permits[s->o.id]++;
	rt_commit(e);
	return err;
}

void sema_wait_at(struct sema *s, int line)
{
	sema_wait_for_at(s, -1, line);
}

/*
 * A bounded semaphore refuses a post from a thread holding none of its
 * permits; otherwise the post gives one of them back.
 */
static bool sema_refused(struct sema *s)
{
	uint16_t *held = &rt_self()->permits[s->o.id];
	if (s->bound > 0 && *held == 0)
		return true;
	if (*held > 0)
		(*held)--;
	return false;
}

/*
 * Step mode: the post itself; 0 or EOVERFLOW (over the bound, refused).
 * *count is the count after.
 */
static int sema_give_step(struct sema *s, long *count)
{
	if (sema_refused(s)) {
		*count = s->count;
		return EOVERFLOW;
	}
	*count = ++s->count;
	return 0;
}

/*
 * Free mode: the event is committed before sem_post(), so the post sorts
 * before the wait it releases.  The count shown is the one after the post
 * as far as this thread can tell.
 */
static int sema_give_free(struct sema *s, struct event *e)
{
	int err = 0;
	if (s->bound > 0)
		rt_check(pthread_mutex_lock(&s->guard), "pthread_mutex_lock");
	long count = sema_free_count(s);
	if (sema_refused(s) || (s->bound > 0 && count >= s->bound)) {
		err = EOVERFLOW;
		e->a = count;
	} else {
		e->a = count + 1;
	}
	e->flags |= err ? EV_MISUSE : 0;
	e->b = err;
	e->lost = s->bound;
	rt_commit(e);
	if (!err && sem_post(&s->ps) != 0)
		rt_die("sem_post: %s", strerror(errno));
	if (s->bound > 0)
		rt_check(pthread_mutex_unlock(&s->guard),
			 "pthread_mutex_unlock");
	return err;
}

int sema_post_at(struct sema *s, int line)
{
	if (rt.mode == RT_STEP)
		rt_park(OP_SEM_POST, &s->o, line);
	struct event *e = rt_ev(OP_SEM_POST, &s->o, line);
	e->flags = EV_STEP;
	if (rt.mode == RT_FREE)
		return sema_give_free(s, e);
	int err = sema_give_step(s, &e->a);
	if (err) {
		e->flags |= EV_MISUSE;
		e->b = err;
		e->lost = s->bound;
	}
	rt_commit(e);
	return err;
}
