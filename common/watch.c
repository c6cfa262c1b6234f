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

#include "ltime.h"
#include "proc.h"
#include "rt.h"
#include "watch.h"

/* One more wait begun or ended: only this thread writes its counter. */
static void watch_tick(void)
{
	struct thr *t = rt_tls_self;
	atomic_store_explicit(&t->waits,
			      atomic_load_explicit(&t->waits,
						   memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/*
 * A process that is about to block first opens its children's start
 * gate (proc.c): they start at its next event, which a wait records only
 * when it ends, and they may be the ones to end it.
 */
void watch_begin(void)
{
	struct thr *t = rt_tls_self;
	if (t->proc)
		proc_release(t);
	watch_tick();
}

void watch_end(void)
{
	watch_tick();
}

static _Noreturn void watch_leave(void)
{
	watch_done();
	pthread_exit(NULL);
}

struct timespec watch_deadline(long ms)
{
	return ltime_after(CLOCK_REALTIME, ms);
}

/*
 * A slice's end need not be exact, only come round: the coarse clock
 * (a few ms behind) is read in a third of the time of the exact one, and
 * this runs on every contended lock.
 */
void watch_slice(struct timespec *deadline)
{
	if (atomic_load_explicit(&rt.watch.aborted, memory_order_acquire))
		watch_leave();
	*deadline = ltime_after(CLOCK_REALTIME_COARSE, WATCH_SLICE_MS);
}

void watch_look(void)
{
	if (atomic_load_explicit(&rt.watch.aborted, memory_order_relaxed))
		watch_leave();
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
	rt_thread_leave();
	atomic_store_explicit(&rt_tls_self->waits, WATCH_GONE,
			      memory_order_relaxed);
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
		if (o->kind == OBJ_FLAG)
			pthread_cond_broadcast(&((struct flag *)o)->pc);
	}
}

/*
 * Every thread waiting or gone, and none of them woke since the last look
 * (its counter would have moved)?  seen[] holds the counters of that look.
 */
static bool watch_stuck(uint64_t *seen)
{
	bool stuck = true;
	for (int i = 1; i <= rt.nthreads; i++) {
		uint64_t w = atomic_load_explicit(&rt.threads[i].waits,
						  memory_order_relaxed);
		if (w % 2 == 0 || w != seen[i] ||
		    (rt.procs && proc_join_ends(&rt.threads[i])))
			stuck = false;
		seen[i] = w;
	}
	return stuck;
}

/*
 * A signal ended the run: ask every thread to leave, and wait a little
 * for them.  They see the abort at their next wait slice, condition
 * wake-up or look (rt_count_unrecorded()).  Once they are gone, the
 * process exits at once: under ThreadSanitizer, 64 threads still spinning
 * made its exit wait for them to give up a core, once for over 30 s on a
 * loaded machine.  A thread that does not come (a long computation that
 * makes no operation) ends with the process, as before.
 */
static void watch_stop_threads(void)
{
	atomic_store_explicit(&rt.watch.aborted, true, memory_order_release);
	watch_wake_all();
	struct timespec until = watch_deadline(WATCH_STOP_MS);
	for (int i = 1; i <= rt.nthreads; i++)
		if (pthread_timedjoin_np(rt.threads[i].pt, NULL, &until) != 0)
			return;
}

volatile sig_atomic_t watch_interrupt;

bool watch_run(void)
{
	uint64_t seen[RT_MAX_THREADS + 1] = { 0 };
	int quiet = 0;
	bool deadlock = false;
	while (atomic_load_explicit(&rt.watch.finished, memory_order_acquire) <
	       rt.nthreads) {
		if (watch_interrupt) {
			rt.interrupted = true;
			if (rt.procs)
				proc_end();
			else
				watch_stop_threads();
			return false;
		}
		/* A finish wakes us at once; otherwise look now and then.
		 * Rarely: on two cores, each look may take a core from a
		 * lesson thread holding a lock, which stalls the other. */
		struct timespec ts = watch_deadline(WATCH_LOOK_MS);
		if (sem_timedwait(&rt.watch.wake, &ts) == 0)
			continue;
		if (rt.procs)
			proc_check_crash();
		quiet = watch_stuck(seen) ? quiet + WATCH_LOOK_MS : 0;
		if (quiet >= WATCH_QUIET_MS) {
			deadlock = true;
			atomic_store_explicit(&rt.watch.aborted, true,
					      memory_order_release);
			watch_wake_all();
			break;
		}
	}
	if (rt.procs) {
		/* after a deadlock, this is what ends them; what they left
		 * in /dev/shm stays for report() to see, until rt_destroy() */
		proc_stop();
		return deadlock;
	}
	for (int i = 1; i <= rt.nthreads; i++)
		rt_check(pthread_join(rt.threads[i].pt, NULL), "pthread_join");
	return deadlock;
}
