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
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "lesson.h"
#include "watch.h"

#define RT_MAX_THREADS 64
#define RT_MAX_OBJS    64
#define RT_MAX_OPTS    16
#define RT_MAX_FIGURES 16
#define RT_MAX_SCHEDULE 100000

enum rt_mode { RT_STEP, RT_FREE };
enum rt_policy { POLICY_RANDOM, POLICY_RR, POLICY_MANUAL, POLICY_PCT };

/* --policy=pct: at most this --depth (priority change points + 1). */
#define RT_MAX_DEPTH 16

/* Everything that decides a run: what cli.c parses, what tests fill in. */
struct run_config {
	const struct lesson *lesson;
	int variant;
	enum rt_mode mode;
	long opts[RT_MAX_OPTS];
#define RT_MAX_TEXT 48
	char texts[RT_MAX_OPTS][RT_MAX_TEXT]; /* text options (LESSON_TEXT) */
	enum rt_policy policy;
	uint64_t seed;
	long quantum;
	int *schedule; /* thread ids, owned by the config */
	int nschedule;
	long max_steps;
	int depth;       /* --policy=pct: the bug depth it aims at */
	long pct_steps;  /* --policy=pct: the run's length, 0: not known yet */
};

enum obj_kind { OBJ_VAR, OBJ_MUTEX, OBJ_SEMA, OBJ_COND, OBJ_BARRIER,
		OBJ_PIPE, OBJ_FLAG, OBJ_SHM };

/*
 * The header is read-only during a run and read on every event; each kind's
 * state that changes starts a cache line of its own, clock first, so that a
 * thread taking over a mutex or a variable pulls one line, not three, and
 * nobody reading a name stalls on somebody else's write (docs/design.md).
 */
#define RT_LINE 64

struct obj {
	enum obj_kind kind;
	int id;
	const char *name;
	_Atomic uint64_t *clock; /* free mode: Lamport clock, in the hot line */
};

/* One thread's copy of a thread-local variable, on a line of its own:
 * threads counting in their own copies share no cache line. */
struct var_copy {
	_Alignas(RT_LINE) _Atomic long value;
};

struct var_local; /* a struct var, and nothing more (var.c) */

struct var {
	struct obj o;
	/* Thread-local (var_new_local): the copies, by thread id, and
	 * var_mine()'s handles; NULL for any other variable. */
	struct var_copy *copies;
	struct var_local *pins;
	int pin;           /* a var_mine() handle: the copy of thread pin */
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	_Atomic long value;
	_Atomic long peak; /* the largest value it held; LONG_MAX: not kept */
	uint64_t version;  /* step: stores so far */
	int last_writer;   /* step: thread of the last store, 0 = initial */
	int node;          /* step: its current value in lost.c's graph */
	bool charted;      /* the viewer draws its history */
	long track;        /* > 0: the viewer draws it on a track 0..track */
	bool slot;         /* a buffer slot: item numbers, 0 empty */
	bool holds_task;   /* var_tasks(): the task its writer holds, 0 none */
	bool priv;         /* private: each process has its own copy */
};

struct mutex {
	struct obj o;
	enum mutex_kind kind;
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	_Alignas(RT_LINE) pthread_mutex_t pm; /* free mode */
	/* Step mode only: free mode asks pm (mutex_holder()). */
	_Atomic int owner;   /* thread id, 0 when free */
	int depth;           /* recursive depth */
};

#ifndef __GLIBC__
#error "free mode reads the holder of a pthread mutex as glibc records it"
#endif

/*
 * Free mode: the kernel thread id of the thread holding m, 0 if nobody.
 * glibc notes it in every mutex it locks, of every kind, and clears it on
 * unlock, and pthread_cond_wait() does the same for the mutex it gives up
 * and takes back.  Reading it, instead of keeping an owner of our own next
 * to the lock word, takes two stores and a read-modify-write off every
 * lock and unlock (docs/design.md, "Mutex ownership").  Only the holder
 * writes it; anyone else only compares it with their own id, so a stale
 * value can never read as "mine".
 */
static inline pid_t mutex_holder(const struct mutex *m)
{
	return __atomic_load_n(&m->pm.__data.__owner, __ATOMIC_RELAXED);
}

struct sema {
	struct obj o;
	long bound;            /* 0: unbounded */
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	sem_t ps;              /* free mode */
	pthread_mutex_t guard; /* free mode: makes the bound check atomic */
	long count;            /* step mode */
};

struct cond {
	struct obj o;
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	pthread_cond_t pc;            /* free mode */
	int waiters[RT_MAX_THREADS];  /* step mode: FIFO of thread ids */
	int nwaiters;
};

struct barrier {
	struct obj o;
	int parties;
	void (*action)(void);
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	pthread_mutex_t pm; /* free mode: the barrier is a monitor */
	pthread_cond_t pc;
	int arrived;
	unsigned gen;       /* rounds completed */
	bool broken;        /* a waiter timed out: nobody waits any more */
};

/*
 * A real pipe (pipe.c), for a run of processes.  Which processes hold each
 * end open is a bit per process (id - 1): a fork copies the parent's bits
 * to the child, a close or an exit clears the process's own.  Step mode
 * also counts the bytes the real pipe buffers, so that sched.c knows,
 * without asking the kernel, whether a read or a write would block.
 */
enum { PIPE_READ_END, PIPE_WRITE_END };

struct pipe {
	struct obj o;
	long capacity;          /* bytes, as the lesson asked */
	int fd[2];              /* the real pipe, in every process */
	bool runtime_open;      /* the runtime process still has its copies */
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	_Atomic uint64_t holders[2]; /* per end: bit id-1 holds it open */
	long buffered;          /* step: written and not yet read */
	_Atomic long written, got, messages; /* bytes in, bytes out, writes */
};

/*
 * A flag (flag.c): Python's threading.Event, named so that it does not
 * clash with the trace's events (event.c).  Raised or lowered; a wait
 * returns once it is raised.  `sets` counts the times it went up, so that
 * a waiter knows it was woken even if the flag is down again by the time
 * it runs (as Python's Event.wait(): set() then clear() still wakes).
 */
struct flag {
	struct obj o;
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	pthread_mutex_t pm;     /* free mode: guards the fields below */
	pthread_cond_t pc;      /* free mode, on CLOCK_MONOTONIC */
	bool up;                /* set */
	unsigned sets;          /* times it went from down to up */
	int waiting;            /* threads in a wait now */
};

/*
 * A named shared-memory segment (shm.c): rows x cols cells of a long.
 * The books are shared; each process's own mapping is its own (shm.c).
 */
#define SHM_NAME_MAX 32  /* a lesson's name, "/matrix", with its slash */
#define SHM_MAX_CELLS 64

struct shm {
	struct obj o;
	int rows, cols;
	char name[SHM_NAME_MAX]; /* the lesson's: what events show */
	char real[80];          /* the name in /dev/shm: unique to the run */
	char path[96];          /* "/dev/shm" + real, for the cleanup */
	_Alignas(RT_LINE) _Atomic uint64_t clock;
	_Atomic bool made;      /* shm_open(O_CREAT) was tried: clean up */
	_Atomic bool unlinked;  /* the lesson unlinked it */
	_Atomic long sized;     /* bytes, once the creator sized it */
	_Atomic int mapped;     /* mappings open, in all processes */
	_Atomic int writer[SHM_MAX_CELLS]; /* process of each cell's store */
};

enum thr_state { THR_LIVE, THR_DONE };

/* Step mode: the operation a parked thread runs when next chosen. */
struct pending {
	enum event_op op;
	struct obj *obj;
	struct obj *obj2; /* the mutex of a condition wait */
	int target;       /* the process a join waits for */
	int line;
};

struct fiber;

struct thr {
	_Alignas(RT_LINE) int id; /* threads side by side share no line */
	const char *name;
	void (*body)(long arg);
	long arg;
	enum thr_state state;
	/* step mode */
	struct pending pending;
	bool in_cond;            /* on a condition variable's wait list */
	unsigned barrier_gen;    /* the barrier round it waits to end */
	bool timed;              /* that wait has a timeout */
	uint64_t deadline;       /* step: when it times out (ltime.c) */
	unsigned flag_gen;       /* step: the flag's sets when it began to wait */
	uint64_t seen[RT_MAX_OBJS]; /* var version at this thread's last load */
	uint64_t holding;        /* bit per var: loaded, not yet stored back */
	int held[RT_MAX_OBJS];   /* per var: lost.c's node of that read, -1 */
	uint16_t permits[RT_MAX_OBJS]; /* permits held, per semaphore (both) */
	uint64_t own_set;        /* step: bit per private var it stored to */
	long own[RT_MAX_OBJS];   /* step: what it stored there last */
	struct fiber *fiber;
	/* a process (proc.c): real in both modes */
	bool proc;
	pid_t pid;               /* 0 until forked */
	int parent;              /* the process that forked it; 0: the runtime */
	int resumer;             /* step: who handed it the baton (0: runtime) */
	int exit_status;         /* as waitpid() reported it to the joiner */
	_Atomic uint32_t go;     /* step: 1 while it holds the baton; free:
				    1 once its start gate opens */
	bool gated;              /* free: it waits at its start gate */
	bool gated_children;     /* free: some of its children wait so */
	_Atomic uint32_t gate_n;    /* free: children its last release opened */
	_Atomic uint32_t gate_in;    /* free: how many of them are through */
	_Atomic uint32_t gate_k;     /* free: how many of them have a CPU */
	bool joined;             /* reaped by its parent (or the runtime) */
	_Atomic int joining;     /* free: the child it waits for in a join */
	/* free mode */
	pthread_t pt;
	pid_t tid;               /* kernel thread id, as mutex_holder() says */
	struct event *ring;      /* the first RT_RING events of this thread */
	uint64_t nrec;           /* events recorded, kept or not */
	uint64_t clock;          /* Lamport clock of its last event */
	struct event scratch;    /* where events past the window are written */
	long misuses;            /* events flagged EV_MISUSE, kept or not */
	long want;               /* step: bytes of the pipe write it waits
				    to make (pipe.c) */
	/* The deadlock watch's view of this thread (watch.c): odd while it
	 * is in an open-ended wait, WATCH_GONE once it left.  Written by the
	 * thread alone, on its own line: waiting costs no shared write. */
	_Atomic uint64_t waits;
};

typedef void (*event_sink)(const struct event *e, void *ctx);

struct rt {
	/* A whole number of pages of its own: a run of processes maps them
	 * shared (proc.c), so that every process sees one runtime. */
	_Alignas(4096) const struct run_config *cfg;
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
#define RT_MAX_ALLOCS 16
	void *allocs[RT_MAX_ALLOCS]; /* lesson_calloc(), freed by rt_destroy */
	size_t alloc_size[RT_MAX_ALLOCS];
	int nallocs;
	struct {          /* the lesson's buffer, for the viewer */
		int slots[RT_MAX_OBJS];
		int n, head, tail; /* object ids, -1 none */
		const char *heading; /* var_buffer_label(), or NULL */
	} buffer;
#define RT_MAX_TASKS 32
	struct {          /* the lesson's task queue, for the viewer */
		long items[RT_MAX_TASKS]; /* task K's item: items[K - 1] */
		int n, taken;             /* taken: the count's object id */
	} tasks;
	/* processes (proc.c) */
	bool procs;               /* the lesson's units are processes */
	pid_t runtime_pid;        /* the process that runs the scheduler */
	pid_t pgid;               /* the run's process group: P1's pid */
	_Atomic uint32_t back;    /* step: the baton is back with the runtime */
	_Atomic size_t arena_used;
	pthread_mutex_t proc_lock; /* process-shared: guards new slots */
	/* step mode */
	struct thr *current; /* the thread whose step is running, or NULL */
#define RT_STEPBUF 32
	struct event stepbuf[RT_STEPBUF]; /* this step's events, until over */
	int nstepbuf;
	uint64_t seq;
	uint64_t step;
	uint64_t skew;  /* logical time minus steps: the clock's jumps (ltime.c) */
	/* step mode: who can run, as worked out after the last step; valid
	 * until the next one begins (sched.c) */
	uint64_t ready_mask;
	bool ready_known;
	/* step mode: live threads whose next operation never blocks (ready
	 * until they run again) and those whose may (looked at each step) */
	uint64_t going_mask, waiting_mask;
	long lost_updates;
	bool reporting;  /* the lesson's report() runs */
	bool lost_asked; /* ... and asked for lost_updates */
	/* free mode */
	pthread_barrier_t gate;
	struct {                  /* the deadlock watch (watch.c) */
		_Alignas(RT_LINE) _Atomic int finished;
		_Atomic bool aborted;
		sem_t wake;           /* posted when a thread finishes */
	} watch;
	bool deadlocked;          /* free mode: the watch found a deadlock */
	bool interrupted;         /* free mode: stopped by a signal, threads
				     still running (watch_interrupt) */
	uint64_t free_events; /* recorded by all threads, after the join */
	long elapsed_us;      /* from the first thread's start to the last join */
};

extern struct rt rt;

/*
 * Free mode keeps the first RT_RING events of each thread, and counts the
 * rest (see rt_ev()).
 */
#define RT_RING 4096

/* Start a run: reset state and run the lesson's setup() (creates threads). */
void rt_init(const struct run_config *cfg, event_sink sink, void *ctx);

/*
 * The units of variant `variant` of lesson l: 'P' for processes, 'T' for
 * threads (a lesson's .processes, unless its .thread_variants names the
 * variant).  rt_uses_processes(): the same, asked of a run's config;
 * every question "does this run fork?" goes through these two.
 */
char rt_unit_of(const struct lesson *l, int variant);
bool rt_uses_processes(const struct run_config *cfg);
/* Free every object, thread stack and buffer of the run. */
void rt_destroy(void);

/* Free mode: each real thread's own descriptor. */
extern _Thread_local struct thr *rt_tls_self;

/*
 * Free mode: the calling thread's kernel id, whether its window has filled up,
 * and how many events it has had since.  Thread-locals, not fields of
 * rt_tls_self, and per OS thread, so step mode (every fiber on the main
 * thread) never sees the flag set: "am I past my window?" is one test of
 * one byte, with no mode check and no pointer to follow.  The flag is only
 * ever read on the hot path; were it the counter, each test would wait for
 * the last operation's increment to come back from the store buffer.
 */
extern _Thread_local pid_t rt_tls_tid;
extern _Thread_local bool rt_tls_past;
extern _Thread_local uint64_t rt_tls_unrecorded;

/* Free mode: a lesson thread ends, normally or leaving a deadlock. */
void rt_thread_leave(void);

/* The thread calling (free) or being stepped (step); NULL outside. */
static inline struct thr *rt_self(void)
{
	return rt.mode == RT_STEP ? rt.current : rt_tls_self;
}

/* A zeroed object, aligned to a cache line; dies when out of memory.
 * In a run of processes, in memory they all share; rt_alloc_heap() is
 * always the process's own. */
void *rt_alloc_obj(size_t size);
void *rt_alloc_heap(size_t size);

/*
 * Register an object, with the clock in its hot line: it gets the next
 * index.  Dies past RT_MAX_OBJS.
 */
void rt_add_obj(struct obj *o, enum obj_kind kind, const char *name,
		_Atomic uint64_t *clock);

/*
 * Events of the current thread: rt_ev() returns its next slot, zeroed but
 * for op, object, line and thread; fill it in, then rt_commit() it.  No
 * other event may be started in between.
 */
struct event *rt_ev_slot(enum event_op op, const struct obj *o, int line);
void rt_commit_slot(struct event *e);

/*
 * Free mode keeps the first RT_RING events of each thread and only counts
 * the rest: past the window an event is written to a scratch slot that is
 * never read.  That is what keeps recording cheap enough to leave on: a
 * 2 x 1,000,000 run spends its time in the lesson, not in the log.  Taking
 * the first window rather than the last also makes the kept events an exact
 * prefix of the run (docs/design.md).
 */
static inline struct event *rt_ev(enum event_op op, const struct obj *o,
				  int line)
{
	if (rt_tls_past)
		return &rt_tls_self->scratch;
	return rt_ev_slot(op, o, line);
}

/*
 * Free mode, past the window: count one more unrecorded event, and now and
 * then look whether the run was stopped (watch_look()): a thread in a hot
 * loop looks at nothing else, and a run ended by Ctrl-C must not go on
 * using every core while the process exits.
 */
#define RT_LOOK_EVERY 1024
static inline void rt_count_unrecorded(void)
{
	if ((++rt_tls_unrecorded & (RT_LOOK_EVERY - 1)) == 0)
		watch_look();
}

/*
 * Free mode, past the window: true, and the event is counted, when there
 * is nothing to record.  The hot operations check this first and then do
 * only their real work: a tracer that is off should cost a branch.
 */
static inline bool rt_unrecorded(void)
{
	if (!rt_tls_past)
		return false;
	rt_count_unrecorded();
	return true;
}

static inline void rt_commit(struct event *e)
{
	if (rt_tls_past) { /* rt_ev() gave out the scratch slot */
		rt_count_unrecorded();
		rt_tls_self->misuses += (e->flags & EV_MISUSE) != 0;
	} else {
		rt_commit_slot(e);
	}
}

/* Step mode: park the current thread before op until the scheduler picks it. */
void rt_park(enum event_op op, struct obj *obj, int line);
void rt_park2(enum event_op op, struct obj *obj, struct obj *obj2, int line);

/* Microseconds on the monotonic clock. */
long rt_now_us(void);
/* Block the signals that end a run (SIGINT, SIGTERM, SIGHUP) in this
 * thread, the mask before into old: what it makes inherits them blocked. */
void rt_block_ending(sigset_t *old);

/* Free mode: start every thread at once behind a gate, then join them all. */
void rt_free_start_join(void);

/* Free mode, past the window: lock m (glibc notes the holder); the same
 * after a trylock said EBUSY. */
int mutex_lock_unrecorded(struct mutex *m);
int mutex_lock_contended(struct mutex *m);
/* The id of the thread holding m, 0 if nobody; does t hold it? */
int mutex_owner(const struct mutex *m);
bool mutex_mine(const struct mutex *m, const struct thr *t);

/* Name look-ups for event formatting. */
extern const struct event_names rt_names;

/* A plain mutex or condition variable for the runtime's own use, shared
 * between processes in a run of processes. */
void rt_mutex_init(pthread_mutex_t *m);
void rt_cond_init(pthread_cond_t *c);
void rt_cond_init_monotonic(pthread_cond_t *c);

/* The books of thread id's timer (timer.c), for the explorer's state
 * cache: every byte its future depends on, in *len bytes, that a snapshot
 * keeps and puts back; NULL if the thread is no timer's. */
void *timer_state(int id, size_t *len);

/* Report a fatal runtime failure and exit 1 (a broken pthread call, ...). */
_Noreturn void rt_die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Check a pthread-style return code (the error, not errno). */
void rt_check(int err, const char *what);


#endif
