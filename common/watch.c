/*
 * watch.c: free mode's deadlock watch (see watch.h).
 *
 * Mutex and semaphore waits sleep in slices of WATCH_SLICE_MS: a slice
 * that times out just waits again, so this changes nothing for a correct
 * program, and between slices a thread can see that the run is over.
 * Condition waits are not sliced: a wait that returned on a timeout and
 * waited again could miss a signal sent in between.  Instead the watch
 * broadcasts every condition variable when it gives up, and the woken
 * threads leave.
 *
 * The fast paths never come here: an uncontended lock costs what it cost.
 */
#include <errno.h>
#include <pthread.h>

#include "rt.h"
#include "watch.h"

void watch_begin(void)
{
	atomic_fetch_add_explicit(&rt.watch.blocked, 1, memory_order_relaxed);
}

void watch_end(void)
{
	atomic_fetch_sub_explicit(&rt.watch.blocked, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&rt.watch.progress, 1, memory_order_relaxed);
}

static _Noreturn void watch_leave(void)
{
	atomic_fetch_sub_explicit(&rt.watch.blocked, 1, memory_order_relaxed);
	watch_done();
	pthread_exit(NULL);
}

struct timespec watch_deadline(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

void watch_slice(struct timespec *deadline)
{
	if (atomic_load_explicit(&rt.watch.aborted, memory_order_acquire))
		watch_leave();
	*deadline = watch_deadline(WATCH_SLICE_MS);
}

void watch_check(pthread_mutex_t *held)
{
	if (!atomic_load_explicit(&rt.watch.aborted, memory_order_acquire))
		return;
	pthread_mutex_unlock(held);
	watch_leave();
}

void watch_done(void)
{
	atomic_fetch_add_explicit(&rt.watch.finished, 1, memory_order_release);
	sem_post(&rt.watch.wake);
}

/* Wake every thread in a condition wait, so it can see the abort. */
static void watch_wake_all(void)
{
	for (int i = 0; i < rt.nobjs; i++) {
		struct obj *o = rt.objs[i];
		if (o->kind == OBJ_COND)
			pthread_cond_broadcast(&((struct cond *)o)->pc);
		if (o->kind == OBJ_BARRIER)
			pthread_cond_broadcast(&((struct barrier *)o)->pc);
	}
}

/* Every live thread waiting, and nobody woke since last time? */
static bool watch_stuck(uint64_t *progress)
{
	int live = rt.nthreads - atomic_load_explicit(&rt.watch.finished,
						      memory_order_acquire);
	int blocked = atomic_load_explicit(&rt.watch.blocked,
					   memory_order_relaxed);
	uint64_t now = atomic_load_explicit(&rt.watch.progress,
					    memory_order_relaxed);
	bool stuck = live > 0 && blocked == live && now == *progress;
	*progress = now;
	return stuck;
}

bool watch_run(void)
{
	uint64_t progress = 0;
	int quiet = 0;
	bool deadlock = false;
	while (atomic_load_explicit(&rt.watch.finished, memory_order_acquire) <
	       rt.nthreads) {
		/* a finish wakes us at once; otherwise look every 20 ms */
		struct timespec ts = watch_deadline(20);
		if (sem_timedwait(&rt.watch.wake, &ts) == 0)
			continue;
		quiet = watch_stuck(&progress) ? quiet + 20 : 0;
		if (quiet >= WATCH_QUIET_MS) {
			deadlock = true;
			atomic_store_explicit(&rt.watch.aborted, true,
					      memory_order_release);
			watch_wake_all();
			break;
		}
	}
	for (int i = 1; i <= rt.nthreads; i++)
		rt_check(pthread_join(rt.threads[i].pt, NULL), "pthread_join");
	return deadlock;
}
