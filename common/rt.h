/*
 * rt.h: the runtime's own view of a run: threads, objects, configuration
 * and the event sink.  Lessons never include this; they see lesson.h.
 *
 * There is one run per process at a time, held in the global `rt`.  A
 * lesson's threads find it without being passed a context, which keeps the
 * lesson code as plain as the pthreads code it teaches.
 */
#ifndef INTERLEAVE_RT_H
#define INTERLEAVE_RT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "lesson.h"

#define RT_MAX_THREADS 64
#define RT_MAX_OBJS    64
#define RT_MAX_OPTS    16
#define RT_MAX_FIGURES 16
#define RT_MAX_SCHEDULE 100000

enum rt_mode { RT_STEP, RT_FREE };
enum rt_policy { POLICY_RANDOM, POLICY_RR, POLICY_MANUAL };

/* Everything that decides a run: what cli.c parses, what tests fill in. */
struct run_config {
	const struct lesson *lesson;
	int variant;
	enum rt_mode mode;
	long opts[RT_MAX_OPTS];
	enum rt_policy policy;
	uint64_t seed;
	long quantum;
	int *schedule; /* thread ids, owned by the config */
	int nschedule;
	long max_steps;
};

enum obj_kind { OBJ_VAR, OBJ_MUTEX, OBJ_SEMA, OBJ_COND, OBJ_BARRIER };

struct obj {
	enum obj_kind kind;
	int id;
	const char *name;
};

struct var {
	struct obj o;
	_Atomic long value;
	uint32_t version;  /* step: stores so far */
	int last_writer;   /* step: thread of the last store, 0 = initial */
};

struct mutex {
	struct obj o;
	enum mutex_kind kind;
	pthread_mutex_t pm;  /* free mode */
	_Atomic int owner;   /* thread id, 0 when free (both modes) */
	int depth;           /* recursive depth, touched by the owner only */
};

struct sema {
	struct obj o;
	long bound;            /* 0: unbounded */
	sem_t ps;              /* free mode */
	pthread_mutex_t guard; /* free mode: makes the bound check atomic */
	long count;            /* step mode */
};

struct cond {
	struct obj o;
	pthread_cond_t pc;            /* free mode */
	int waiters[RT_MAX_THREADS];  /* step mode: FIFO of thread ids */
	int nwaiters;
};

struct barrier {
	struct obj o;
	int parties;
	void (*action)(void);
	pthread_mutex_t pm; /* free mode: the barrier is a monitor */
	pthread_cond_t pc;
	int arrived;
	unsigned gen;       /* rounds completed */
};

enum thr_state { THR_LIVE, THR_DONE };

/* Step mode: the operation a parked thread runs when next chosen. */
struct pending {
	enum event_op op;
	struct obj *obj;
	struct obj *obj2; /* the mutex of a condition wait */
	int line;
};

struct fiber;

struct thr {
	int id;
	const char *name;
	void (*body)(long arg);
	long arg;
	enum thr_state state;
	/* step mode */
	struct pending pending;
	bool in_cond;            /* on a condition variable's wait list */
	unsigned barrier_gen;    /* the barrier round it waits to end */
	uint32_t seen[RT_MAX_OBJS]; /* var version at this thread's last load */
	uint64_t holding;        /* bit per var: loaded, not yet stored back */
	struct fiber *fiber;
	/* free mode */
	pthread_t pt;
	struct event *ring;      /* the last RT_RING events of this thread */
	uint64_t nrec;           /* events recorded, kept or not */
};

typedef void (*event_sink)(const struct event *e, void *ctx);

struct rt {
	const struct run_config *cfg;
	enum rt_mode mode;
	struct thr threads[RT_MAX_THREADS + 1]; /* by id; [0] unused */
	int nthreads;
	struct obj *objs[RT_MAX_OBJS];
	int nobjs;
	struct {
		const char *name;
		long value;
	} figures[RT_MAX_FIGURES];
	int nfigures;
	event_sink sink;
	void *sink_ctx;
	/* step mode */
	struct thr *current; /* the thread whose step is running, or NULL */
	struct event stepbuf[32]; /* this step's events, until it is over */
	int nstepbuf;
	uint64_t seq;
	uint64_t step;
	long lost_updates;
	/* free mode */
	_Atomic uint64_t free_seq;
	pthread_barrier_t gate;
};

extern struct rt rt;

/* Free mode keeps the last RT_RING events of each thread (a power of 2). */
#define RT_RING 16384

/* Start a run: reset state and run the lesson's setup() (creates threads). */
void rt_init(const struct run_config *cfg, event_sink sink, void *ctx);
/* Free every object, thread stack and buffer of the run. */
void rt_destroy(void);

/* The thread calling (free) or being stepped (step); NULL outside. */
struct thr *rt_self(void);

/* Register an object: it gets the next index. Dies past RT_MAX_OBJS. */
void rt_add_obj(struct obj *o, enum obj_kind kind, const char *name);

/* Record or deliver an event from the current thread. */
void rt_emit(struct event *e);

/* Step mode: park the current thread before op until the scheduler picks it. */
void rt_park(enum event_op op, struct obj *obj, int line);
void rt_park2(enum event_op op, struct obj *obj, struct obj *obj2, int line);

/* Free mode: start every thread at once behind a gate, then join them all. */
void rt_free_start_join(void);

/* Name look-ups for event formatting. */
extern const struct event_names rt_names;

/* Report a fatal runtime failure and exit 1 (a broken pthread call, ...). */
_Noreturn void rt_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Check a pthread-style return code (the error, not errno). */
void rt_check(int err, const char *what);

/* Convenience for the primitives: the common event of the current thread. */
struct event rt_event(enum event_op op, const struct obj *o, int line);

#endif
