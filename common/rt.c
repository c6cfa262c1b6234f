/*
 * rt.c: the run: its threads, its objects, and where its events go.
 *
 * A run is set up by the lesson's setup(), which creates objects and
 * threads through the calls in lesson.h, and driven by run.c in free mode
 * or by sched.c in step mode.  This file holds what both modes share.
 *
 * Events take two paths.  In step mode only one lesson thread runs at a
 * time, so an event is numbered and handed on when its step is over.  In
 * free mode threads really run in parallel; each writes its events into its
 * own ring, and run.c merges the rings after the threads are joined.
 *
 * The order of that merge comes from Lamport clocks, not a shared counter:
 * an event's clock is one more than the larger of its thread's clock and its
 * object's clock, and both then take the new value.  Whatever one thread did
 * to an object before another touched it sorts first, which is every order
 * a mutex, a semaphore or a variable can show.  A shared counter would give
 * the same order at the price of a locked add on one contended cache line
 * per event, which made the critical section of the race lesson ten times
 * longer (docs/design.md has the figures).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fiber.h"
#include "lost.h"
#include "pipe.h"
#include "proc.h"
#include "rt.h"
#include "watch.h"

struct rt rt;

_Noreturn void rt_die(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("interleave: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (rt.procs && getpid() != rt.runtime_pid)
		_exit(1); /* a lesson process: the runtime's exit is not ours */
	exit(1);
}

void rt_check(int err, const char *what)
{
	if (err)
		rt_die("%s: %s", what, strerror(err));
}

static const char *rt_thread_name(int id)
{
	if (id <= 0 || id > rt.nthreads)
		return "runtime";
	return rt.threads[id].name;
}

static const char *rt_object_name(int id)
{
	if (id < 0 || id >= rt.nobjs)
		return "-";
	return rt.objs[id]->name;
}

static const char *rt_note(int kind)
{
	const char *const *notes = rt.cfg ? rt.cfg->lesson->notes : NULL;
	return notes && kind >= 0 ? notes[kind] : NULL;
}

static char rt_unit(void)
{
	return rt.procs ? 'P' : 'T';
}

const struct event_names rt_names = {
	.thread = rt_thread_name,
	.object = rt_object_name,
	.note = rt_note,
	.unit = rt_unit,
};

/*
 * Zero rt.  Of its 65 thread slots only the run's were ever written (a
 * slot is filled as the count grows past it), and the explorer starts a
 * run thousands of times a second: zeroing all 116 KB twice a run was a
 * quarter of its time.
 */
static void rt_clear(void)
{
	int n = rt.nthreads;
	size_t rest = offsetof(struct rt, threads) + sizeof(rt.threads);
	memset(&rt, 0, offsetof(struct rt, threads));
	memset(rt.threads, 0, sizeof(rt.threads[0]) * (size_t)(n + 1));
	memset((char *)&rt + rest, 0, sizeof(rt) - rest);
}

char rt_unit_of(const struct lesson *l, int variant)
{
	bool threads = variant >= 0 && variant < 64 &&
		       (l->thread_variants >> variant & 1);
	return l->processes && !threads ? 'P' : 'T';
}

bool rt_uses_processes(const struct run_config *cfg)
{
	return rt_unit_of(cfg->lesson, cfg->variant) == 'P';
}

void rt_init(const struct run_config *cfg, event_sink sink, void *ctx)
{
	rt_clear();
	rt.cfg = cfg;
	rt.mode = cfg->mode;
	rt.sink = sink;
	rt.sink_ctx = ctx;
	if (rt_uses_processes(cfg))
		proc_prepare();
	lost_reset();
	cfg->lesson->setup();
	if (rt.nthreads == 0)
		rt_die("lesson %s created no threads", cfg->lesson->name);
}

/* Free mode: release the pthread side of an object. */
static void rt_free_obj_destroy(struct obj *o)
{
	switch (o->kind) {
	case OBJ_VAR:
		break;
	case OBJ_MUTEX:
		pthread_mutex_destroy(&((struct mutex *)o)->pm);
		break;
	case OBJ_SEMA:
		sem_destroy(&((struct sema *)o)->ps);
		pthread_mutex_destroy(&((struct sema *)o)->guard);
		break;
	case OBJ_COND:
		pthread_cond_destroy(&((struct cond *)o)->pc);
		break;
	case OBJ_BARRIER:
		pthread_mutex_destroy(&((struct barrier *)o)->pm);
		pthread_cond_destroy(&((struct barrier *)o)->pc);
		break;
	case OBJ_PIPE:
	case OBJ_SHM:
		break;
	case OBJ_FLAG:
		pthread_mutex_destroy(&((struct flag *)o)->pm);
		pthread_cond_destroy(&((struct flag *)o)->pc);
		break;
	}
}

void rt_destroy(void)
{
	/* What the run printed goes out before what its end may say on
	 * stderr (shm.c: a segment nobody unlinked). */
	if (rt.procs)
		fflush(stdout);
	proc_end();
	/* Last first: the next run's thread 1 gets this run's thread 1's
	 * stack back (fiber.c keeps them in a stack), at the same address */
	for (int i = rt.nthreads; i >= 1; i--) {
		fiber_free(rt.threads[i].fiber);
		if (!proc_owns(rt.threads[i].ring))
			free(rt.threads[i].ring);
	}
	for (int i = 0; i < rt.nobjs; i++) {
		/* After a deadlock, mutexes are still held by threads that left:
		 * destroying them would be undefined.  They own nothing else. */
		if (rt.mode == RT_FREE && !rt.deadlocked)
			rt_free_obj_destroy(rt.objs[i]);
		if (rt.objs[i]->kind == OBJ_PIPE) /* in either mode */
			pipe_destroy((struct pipe *)rt.objs[i]);
		if (!proc_owns(rt.objs[i]))
			free(rt.objs[i]);
	}
	for (int i = 0; i < rt.nallocs; i++)
		free(rt.allocs[i]);
	lost_reset();
	rt_clear();
}

_Thread_local struct thr *rt_tls_self;
_Thread_local pid_t rt_tls_tid;
_Thread_local bool rt_tls_past;
_Thread_local uint64_t rt_tls_unrecorded;

void rt_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	if (rt.procs)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	rt_check(pthread_mutex_init(m, &a), "pthread_mutex_init");
	pthread_mutexattr_destroy(&a);
}

void rt_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	if (rt.procs)
		pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	rt_check(pthread_cond_init(c, &a), "pthread_cond_init");
	pthread_condattr_destroy(&a);
}

/* For a timed wait, which must not end early or late when the wall clock
 * is set: its deadlines are on CLOCK_MONOTONIC (ltime_after). */
void rt_cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	if (rt.procs)
		pthread_condattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	rt_check(pthread_cond_init(c, &a), "pthread_cond_init");
	pthread_condattr_destroy(&a);
}

void *rt_alloc_obj(size_t size)
{
	return rt.procs ? proc_alloc(size) : rt_alloc_heap(size);
}

void *rt_alloc_heap(size_t size)
{
	size = (size + RT_LINE - 1) / RT_LINE * RT_LINE;
	void *p = aligned_alloc(RT_LINE, size);
	if (!p)
		rt_die("out of memory");
	return memset(p, 0, size);
}

void rt_add_obj(struct obj *o, enum obj_kind kind, const char *name,
		_Atomic uint64_t *clock)
{
	if (rt.procs && rt.nthreads > 0 && rt.threads[1].pid != 0)
		rt_die("%s: a run of processes makes its objects in setup()",
		       name);
	/* and so does a run of threads: the explorer's snapshots (cache.c)
	 * keep objects where setup() put them */
	if (!rt.procs && rt_self())
		rt_die("%s: objects are made in setup(), not by a thread",
		       name);
	if (rt.nobjs >= RT_MAX_OBJS)
		rt_die("more than %d shared objects", RT_MAX_OBJS);
	o->kind = kind;
	o->id = rt.nobjs;
	o->name = name;
	o->clock = clock;
	rt.objs[rt.nobjs++] = o;
}

/*
 * The slot the next event of the current thread goes into, zeroed (padding
 * too, so logs compare byte-wise) and filled with the common fields.  The
 * caller fills in the rest and then calls rt_commit().  In free mode the
 * slot is in the thread's ring: the event is written once, in place; an
 * event built on the stack and copied cost more than the whole critical
 * section it described.
 */
struct event *rt_ev_slot(enum event_op op, const struct obj *o, int line)
{
	struct thr *t = rt_self();
	struct event *e;
	if (rt.mode == RT_FREE) {
		e = &t->ring[t->nrec]; /* rt_ev() checked the window */
	} else {
		if (rt.nstepbuf == RT_STEPBUF)
			rt_die("a single step emitted too many events");
		e = &rt.stepbuf[rt.nstepbuf];
	}
	memset(e, 0, sizeof(*e));
	e->thread = (int16_t)(t ? t->id : 0);
	e->obj = (int16_t)(o ? o->id : -1);
	e->obj2 = -1;
	e->next_obj = -1;
	e->line = (int16_t)line;
	e->op = (uint8_t)op;
	return e;
}

void rt_commit_slot(struct event *e)
{
	struct thr *self = rt_self();
	if (self && (e->flags & EV_MISUSE))
		self->misuses++;
	if (rt.mode == RT_STEP) {
		e->seq = ++rt.seq;
		e->step = (e->flags & EV_STEP) ? rt.step : 0;
		rt.nstepbuf++; /* sched.c delivers the step's events */
		return;
	}
	struct thr *t = rt_tls_self;
	uint64_t clock = t->clock;
	struct obj *o = e->obj >= 0 ? rt.objs[e->obj] : NULL;
	if (o) {
		uint64_t oc = atomic_load_explicit(o->clock,
						   memory_order_relaxed);
		clock = oc > clock ? oc : clock;
	}
	t->clock = ++clock;
	if (o)
		atomic_store_explicit(o->clock, clock, memory_order_relaxed);
	e->seq = clock; /* run.c renumbers after the merge */
	if (t->gated_children && e->op != OP_FORK)
		proc_release(t); /* it went on: its children start */
	if (++t->nrec == RT_RING)
		rt_tls_past = true;
	else if (t->nrec % 64 == 0) /* in the window, look more often */
		watch_look();
}

void rt_park2(enum event_op op, struct obj *obj, struct obj *obj2, int line)
{
	struct thr *t = rt.current;
	t->pending = (struct pending){
		.op = op, .obj = obj, .obj2 = obj2, .line = line,
		.target = t->pending.target,
	};
	if (t->proc)
		proc_yield(t);
	else
		fiber_yield(t->fiber);
}

void rt_park(enum event_op op, struct obj *obj, int line)
{
	rt_park2(op, obj, NULL, line);
}

/* Step mode: a fiber's whole life. */
static void rt_fiber_main(void *arg)
{
	struct thr *t = arg;
	struct event *e = rt_ev(OP_START, NULL, 0);
	rt_commit(e);
	t->body(t->arg);
	t->state = THR_DONE;
	e = rt_ev(OP_EXIT, NULL, 0);
	lost_exit(t, e);
	rt_commit(e);
}

/* Free mode: a real thread's whole life, released by the start gate. */
static void *rt_pthread_main(void *arg)
{
	struct thr *t = arg;
	rt_tls_self = t;
	rt_tls_tid = t->tid = gettid();
	pthread_barrier_wait(&rt.gate);
	struct event *e = rt_ev(OP_START, NULL, 0);
	rt_commit(e);
	t->body(t->arg);
	e = rt_ev(OP_EXIT, NULL, 0);
	rt_commit(e);
	t->state = THR_DONE;
	watch_done();
	return NULL;
}

void rt_thread_leave(void)
{
	rt_tls_self->nrec += rt_tls_unrecorded;
	rt_tls_past = false;
	rt_tls_unrecorded = 0;
}

void thread_new(const char *name, void (*body)(long arg), long arg)
{
	if (rt.procs)
		rt_die("thread_new: lesson %s runs %s on processes: "
		       "process_new()", rt.cfg->lesson->name,
		       rt.cfg->lesson->variants[rt.cfg->variant].name);
	if (rt_self())
		rt_die("thread_new(%s): threads are made in setup()", name);
	if (rt.nthreads >= RT_MAX_THREADS)
		rt_die("more than %d threads", RT_MAX_THREADS);
	struct thr *t = &rt.threads[++rt.nthreads];
	t->id = rt.nthreads;
	t->name = name;
	t->body = body;
	t->arg = arg;
	t->state = THR_LIVE;
	if (rt.mode == RT_STEP) {
		lost_thread_new(t);
		t->fiber = fiber_new(rt_fiber_main, t);
		if (!t->fiber)
			rt_die("cannot allocate a stack for thread %d", t->id);
	} else {
		t->ring = aligned_alloc(RT_LINE, RT_RING * sizeof(*t->ring));
		if (!t->ring)
			rt_die("out of memory for thread %d's events", t->id);
		/* Touch every page now: a page fault in the middle of the
		 * recorded window would stall the thread there and bend the
		 * very interleaving being recorded. */
		memset(t->ring, 0, RT_RING * sizeof(*t->ring));
	}
}

long rt_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

void rt_block_ending(sigset_t *old)
{
	sigset_t ending;
	sigemptyset(&ending);
	sigaddset(&ending, SIGINT);
	sigaddset(&ending, SIGTERM);
	sigaddset(&ending, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &ending, old);
}

/* Free mode, all have ended: count their events, time the run. */
static void rt_free_tally(long start)
{
	for (int i = 1; i <= rt.nthreads; i++)
		rt.free_events += rt.threads[i].nrec;
	rt.elapsed_us = rt_now_us() - start;
	sem_destroy(&rt.watch.wake);
}

/* Free mode: start every thread together, wait for all of them. */
void rt_free_start_join(void)
{
	long start = rt_now_us();
	if (sem_init(&rt.watch.wake, rt.procs, 0) != 0)
		rt_die("sem_init: %s", strerror(errno));
	if (rt.procs) { /* P1 forks the others */
		proc_start(&rt.threads[1]);
		rt.deadlocked = watch_run();
		if (rt.interrupted)
			return;
		rt_free_tally(start);
		return;
	}
	rt_check(pthread_barrier_init(&rt.gate, NULL,
				      (unsigned)rt.nthreads + 1),
		 "pthread_barrier_init");
	/* The lesson's threads are born with the ending signals blocked, so
	 * Ctrl-C, SIGTERM and a hang-up go to this thread, which waits in the
	 * watch.  A worker in a tight loop never reaches a point where a
	 * ThreadSanitizer build delivers a signal, and the run went on. */
	sigset_t old;
	rt_block_ending(&old);
	for (int i = 1; i <= rt.nthreads; i++)
		rt_check(pthread_create(&rt.threads[i].pt, NULL,
					rt_pthread_main, &rt.threads[i]),
			 "pthread_create");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_barrier_wait(&rt.gate);
	rt.deadlocked = watch_run();
	if (rt.interrupted)
		return; /* the threads still use the gate and the watch */
	pthread_barrier_destroy(&rt.gate);
	rt_free_tally(start);
}
