/*
 * fast.h: free mode's hot paths, compiled into the lesson itself.
 *
 * Past its window, a free-mode thread records nothing: a load is a load,
 * a lock a trylock.  Doing that inline in the lesson's loop, instead of a
 * call into the runtime that then decides the same thing, is what lets the
 * race lesson's mutex loop run near the speed of the same loop in bare
 * pthreads (docs/design.md).  Everything else falls through to the
 * runtime's full operations.
 */
#ifndef INTERLEAVE_FAST_H
#define INTERLEAVE_FAST_H

#include "rt.h"

static inline long var_load_fast(struct var *v, int line)
{
	if (rt_unrecorded())
		return atomic_load_explicit(&v->value, memory_order_relaxed);
	fiber_clean();
	return var_load_at(v, line);
}

/* A store that raises a kept peak (var_keep_peak()) takes the runtime's
 * path; a peak not kept is LONG_MAX. */
static inline void var_store_fast(struct var *v, long x, int line)
{
	if (rt_tls_past &&
	    x <= atomic_load_explicit(&v->peak, memory_order_relaxed)) {
		rt_tls_unrecorded++; /* loads and locks look */
		atomic_store_explicit(&v->value, x, memory_order_relaxed);
		return;
	}
	fiber_clean();
	var_store_at(v, x, line);
}

static inline int mutex_lock_fast(struct mutex *m, int line)
{
	if (!rt_unrecorded()) {
		fiber_clean();
		return mutex_lock_at(m, line);
	}
	if (pthread_mutex_trylock(&m->pm) != 0)
		return mutex_lock_contended(m);
	return 0; /* glibc noted the holder (mutex_holder()) */
}

static inline int mutex_unlock_fast(struct mutex *m, int line)
{
	if (!rt_tls_past || mutex_holder(m) != rt_tls_tid) {
		fiber_clean();
		return mutex_unlock_at(m, line);
	}
	rt_tls_unrecorded++; /* loads and locks look */
	return pthread_mutex_unlock(&m->pm);
}

#endif
