/*
 * mutex.c: mutual exclusion, in three kinds.
 *
 * The runtime knows the holder of every mutex in both modes.  That lets it
 * refuse and report an unlock by a thread that does not hold the mutex, for
 * every kind: POSIX answers EPERM for error-checking and recursive mutexes
 * and leaves a normal one undefined, which is no answer to give a student.
 * Step mode keeps the holder itself; free mode asks the pthread mutex
 * (mutex_holder() in rt.h).
 *
 * In step mode a lock is modelled, not taken: a thread that asks for a held
 * mutex is simply not eligible to run (see sched.c), so nothing ever blocks
 * for real and a deadlock can be seen and named.
 */
#include <errno.h>
#include <stdlib.h>

#include "rt.h"
#include "watch.h"

struct mutex *mutex_new(const char *name, enum mutex_kind kind)
{
	struct mutex *m = rt_alloc_obj(sizeof(*m));
	rt_add_obj(&m->o, OBJ_MUTEX, name, &m->clock);
	m->kind = kind;
	if (rt.mode == RT_FREE) {
		static const int types[] = {
			[MUTEX_NORMAL] = PTHREAD_MUTEX_NORMAL,
			[MUTEX_ERRORCHECK] = PTHREAD_MUTEX_ERRORCHECK,
			[MUTEX_RECURSIVE] = PTHREAD_MUTEX_RECURSIVE,
		};
		pthread_mutexattr_t a;
		pthread_mutexattr_init(&a);
		pthread_mutexattr_settype(&a, types[kind]);
		if (rt.procs)
			pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		rt_check(pthread_mutex_init(&m->pm, &a), "pthread_mutex_init");
		pthread_mutexattr_destroy(&a);
	}
	return m;
}

int mutex_owner(const struct mutex *m)
{
	if (rt.mode == RT_STEP)
		return atomic_load_explicit(&m->owner, memory_order_relaxed);
	pid_t tid = mutex_holder(m);
	for (int i = 1; tid && i <= rt.nthreads; i++)
		if (rt.threads[i].tid == tid)
			return i;
	return 0;
}

bool mutex_mine(const struct mutex *m, const struct thr *t)
{
	if (rt.mode == RT_STEP)
		return mutex_owner(m) == t->id;
	return mutex_holder(m) == rt_tls_tid;
}

/* Free mode: how deep the calling thread, which holds m, holds it. */
static long mutex_free_depth(const struct mutex *m)
{
	return m->kind == MUTEX_RECURSIVE ? (long)m->pm.__data.__count : 1;
}

/*
 * Free mode: the pthread mutex is held by another thread (a trylock said
 * EBUSY): wait for it in slices the deadlock watch can end.  Another
 * trylock first would cost one more trip of the lock's cache line between
 * the cores, each time, in exactly the case where it is contended.
 */
static int mutex_wait(struct mutex *m)
{
	int err;
	struct timespec deadline;
	watch_begin();
	do {
		watch_slice(&deadline);
		err = pthread_mutex_timedlock(&m->pm, &deadline);
	} while (err == ETIMEDOUT);
	watch_end();
	return err;
}

/* Free mode: take the pthread mutex; uncontended, a trylock is all. */
static int mutex_take(struct mutex *m)
{
	int err = pthread_mutex_trylock(&m->pm);
	return err == EBUSY ? mutex_wait(m) : err;
}

/* Free mode, past the window: count a refusal. */
static int mutex_took(int err)
{
	if (err == EDEADLK)
		rt_tls_self->misuses++;
	else if (err)
		rt_die("pthread_mutex_lock: error %d", err);
	return err;
}

int mutex_lock_unrecorded(struct mutex *m)
{
	return mutex_took(mutex_take(m));
}

int mutex_lock_contended(struct mutex *m)
{
	return mutex_took(mutex_wait(m));
}

static int mutex_unlock_unrecorded(struct mutex *m)
{
	if (mutex_holder(m) != rt_tls_tid) {
		rt_tls_self->misuses++;
		return EPERM;
	}
	rt_check(pthread_mutex_unlock(&m->pm), "pthread_mutex_unlock");
	return 0;
}

int mutex_lock_at(struct mutex *m, int line)
{
	if (rt_unrecorded())
		return mutex_lock_unrecorded(m);
	if (rt.mode == RT_STEP)
		rt_park(OP_LOCK, &m->o, line);
	struct thr *t = rt_self();
	struct event *e = rt_ev(OP_LOCK, &m->o, line);
	e->flags = EV_STEP;
	int err = 0;
	if (rt.mode == RT_FREE)
		err = mutex_take(m);
	else if (mutex_mine(m, t) && m->kind == MUTEX_ERRORCHECK)
		err = EDEADLK; /* sched.c lets only this kind through */
	if (err == EDEADLK) {
		e->flags |= EV_MISUSE;
		e->b = err;
		e->other = (int16_t)t->id;
	} else if (err) {
		rt_die("pthread_mutex_lock: error %d", err);
	} else if (rt.mode == RT_FREE) {
		e->a = mutex_free_depth(m);
	} else {
		atomic_store_explicit(&m->owner, t->id, memory_order_relaxed);
		e->a = ++m->depth;
	}
	rt_commit(e);
	return err;
}

int mutex_unlock_at(struct mutex *m, int line)
{
	if (rt_unrecorded())
		return mutex_unlock_unrecorded(m);
	if (rt.mode == RT_STEP)
		rt_park(OP_UNLOCK, &m->o, line);
	struct thr *t = rt_self();
	struct event *e = rt_ev(OP_UNLOCK, &m->o, line);
	e->flags = EV_STEP;
	if (!mutex_mine(m, t)) {
		e->flags |= EV_MISUSE;
		e->b = EPERM;
		e->other = (int16_t)mutex_owner(m);
		rt_commit(e);
		return EPERM;
	}
	if (rt.mode == RT_FREE) {
		e->a = mutex_free_depth(m) - 1;
	} else {
		e->a = --m->depth;
		if (m->depth == 0)
			atomic_store_explicit(&m->owner, 0,
					      memory_order_relaxed);
	}
	rt_commit(e); /* while still held, so the log keeps the order */
	if (rt.mode == RT_FREE)
		rt_check(pthread_mutex_unlock(&m->pm), "pthread_mutex_unlock");
	return 0;
}

/* Step mode: can t take m at once?  Only a recursive mutex twice. */
static bool mutex_free_for(const struct mutex *m, const struct thr *t)
{
	int owner = mutex_owner(m);
	return owner == 0 || (owner == t->id && m->kind == MUTEX_RECURSIVE);
}

/*
 * Free mode: a busy trylock holds nothing, so it must not move the
 * mutex's clock: its store would race the holder's and could set the
 * clock back, putting a later lock before the unlock it follows.  It is
 * ordered by its thread's clock alone, then names its mutex again.
 */
static void mutex_commit_try(struct event *e, int err)
{
	if (rt.mode == RT_STEP || !err) {
		rt_commit(e);
		return;
	}
	int16_t obj = e->obj;
	e->obj = -1;
	rt_commit(e);
	e->obj = obj;
}

/*
 * Both modes answer as pthread_mutex_trylock() does: a normal or
 * error-checking mutex that the caller holds is EBUSY too.  The holder a
 * busy event names is read after the fact in free mode: a hint, 0 if it
 * let go in between.
 */
int mutex_trylock_at(struct mutex *m, int line)
{
	if (rt_unrecorded())
		return pthread_mutex_trylock(&m->pm);
	if (rt.mode == RT_STEP)
		rt_park(OP_TRYLOCK, &m->o, line);
	struct thr *t = rt_self();
	struct event *e = rt_ev(OP_TRYLOCK, &m->o, line);
	e->flags = EV_STEP;
	int err = 0;
	if (rt.mode == RT_FREE) {
		err = pthread_mutex_trylock(&m->pm);
		if (err && err != EBUSY)
			rt_die("pthread_mutex_trylock: error %d", err);
		e->a = err ? 0 : mutex_free_depth(m);
	} else if (mutex_free_for(m, t)) {
		atomic_store_explicit(&m->owner, t->id, memory_order_relaxed);
		e->a = ++m->depth;
	} else {
		err = EBUSY;
	}
	if (err) {
		e->b = err;
		e->other = (int16_t)mutex_owner(m);
	}
	mutex_commit_try(e, err);
	return err;
}
