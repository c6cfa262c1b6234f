/*
 * model.h: what the viewer draws, as a fold over the event stream.
 *
 * The model starts from a snapshot of the run as declared (names, kinds,
 * initial values) and changes only by model_apply(event).  The screen is a
 * function of the model, so the picture at step k is the fold of the first
 * k steps' events, and stepping back is folding one step fewer.  Nothing
 * here knows about terminals; tests drive it directly.
 */
#ifndef INTERLEAVE_MODEL_H
#define INTERLEAVE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "rt.h"

#define MODEL_TIMELINE 1024 /* steps remembered for the timeline lanes */
#define MODEL_SAY 256

enum model_tstate { MT_READY, MT_BLOCKED, MT_DONE, MT_RUNNING };

struct model_thread {
	const char *name;
	enum model_tstate state;
	int line;        /* its current line: next to run (step), last (free) */
	int next_op;     /* step mode: the operation it runs next */
	int next_obj;
	int next_other;   /* the process a join waits for, or 0 */
	bool has_tmp;    /* holds a value it read and has not written back */
	int tmp_obj;
	long tmp;
	bool tmp_stale;  /* someone wrote the variable since */
	uint64_t tmp_step; /* the step of that read */
	uint64_t steps;  /* steps it ran */
	uint64_t blocked_since; /* step it became blocked: the waiting line */
	int parent;      /* a process: the one that forked it; 0 none */
	long until;      /* step mode: the deadline of its flag wait or its
			    sleep, 0 none */
	bool woken;      /* in a flag wait: the flag went up since it began */
};

struct model_obj {
	enum obj_kind kind;
	const char *name;
	long value;      /* var: value; sema: count; barrier: arrived */
	long bound;      /* sema: bound (0 none); barrier: parties */
	int owner;       /* mutex: holder, 0 when free */
	long depth;      /* mutex: recursion depth */
	long rounds;     /* barrier: completed rounds */
	bool broken;     /* barrier: a waiter timed out */
	long track;      /* var: drawn on a track 0..track, 0 if not */
	uint64_t changed; /* step of the last change, for highlighting */
	int holders[RT_MAX_THREADS]; /* sema: who took a permit, in order */
	int nholders;
	bool signalling; /* sema: posted by a thread holding none: not a pool */
	int writer;      /* var: thread of the last store, 0 for none */
	bool holds_task; /* var: a worker's task (var_tasks()), 0 none */
	long round;      /* track: stores of 0 so far, the round it is in */
	bool priv;       /* var: one copy per process, in own[] */
	long own[RT_MAX_THREADS + 1]; /* priv: each process's copy */
	bool local;      /* priv, and the copies are threads' (they end
			    with their threads) */
	uint64_t ends[2]; /* pipe: who holds the read, write end (bit id-1);
			     value: bytes buffered, bound: capacity;
			     segment: ends[0], who maps it */
	/* segment: rows x cols cells, each cell's value and the process
	 * that stored it (0: nobody); value: enum model_shm */
	int rows, cols;
	long cells[SHM_MAX_CELLS];
	int8_t cellw[SHM_MAX_CELLS];
};

/* A segment's name: not made yet, made, sized, unlinked. */
enum model_shm { MSHM_NONE, MSHM_MADE, MSHM_SIZED, MSHM_UNLINKED };

struct model {
	int nthreads, nobjs;
	char unit;       /* 'T': threads; 'P': processes, which appear as
			    they are forked */
	struct model_thread threads[RT_MAX_THREADS + 1];
	struct model_obj objs[RT_MAX_OBJS];
	bool step_mode;
	uint64_t step;   /* steps applied */
	uint64_t events; /* events applied */
	int last_thread; /* thread of the last step */
	uint8_t timeline[MODEL_TIMELINE]; /* thread of step i % size */
	bool worked[MODEL_TIMELINE];      /* that step was work */
	int chart_obj;                    /* the charted variable, or -1 */
	int buf_slots[RT_MAX_OBJS];       /* the buffer's slot variables */
	int nbuf, buf_head, buf_tail;     /* head, tail: variables or -1 */
	const char *buf_heading;          /* the lesson's name for it, or
					     NULL: "buffer", slots unnamed */
	long chart[MODEL_TIMELINE];       /* its value after step i % size */
	/* The lesson's task queue (var_tasks()): ntasks tasks, 0 for none;
	 * task K's item, state and the thread that took or holds it at
	 * [K - 1]; tasks_taken: the count's object id. */
	int ntasks, tasks_taken;
	long task_items[RT_MAX_TASKS];
	uint8_t task_state[RT_MAX_TASKS]; /* enum model_task */
	int task_who[RT_MAX_TASKS];
	char say[MODEL_SAY];   /* the last thing the runtime flagged */
	uint64_t say_step;
	char last[MODEL_SAY];  /* the last event, as a line */
	long lost_updates;
	/* Free mode: lost updates the model saw in the replay itself: a
	 * store from a read that another thread's store had overwritten. */
	long seen_lost;
	uint64_t seen_lost_read; /* the read behind the first one, its step */
	uint64_t said;   /* narrations so far: a new '!' when it grows */
	/* Step mode, once deadlocked on mutexes: the threads on the cycle
	 * of waits, each waiting for a mutex the next one holds, and the
	 * cycle as arrows, "T1 -> b -> T2 -> a -> T1". */
	int cycle[RT_MAX_THREADS + 1];
	int ncycle;
	char arrows[MODEL_SAY];
	bool fired;      /* a barrier action ran in the last step */
	uint64_t skew;   /* step mode: the clock's jumps (OP_CLOCK) */
};

/* A task of the queue: not taken yet, taken (and held) by a thread, done
 * (its worker let go of it), lost (someone else let go of it for the
 * worker, or the worker ended holding it). */
enum model_task { MTASK_WAITING, MTASK_HELD, MTASK_DONE, MTASK_LOST };

/* Step mode: the logical time of the last step (ltime.c). */
static inline uint64_t model_now(const struct model *m)
{
	return m->step + m->skew;
}

/* A model of the run rt holds now (just set up, before its first step). */
void model_init(struct model *m, bool step_mode);
/* Fold one event in; names resolve ids for the narration. */
void model_apply(struct model *m, const struct event *e,
		 const struct event_names *names);
/*
 * Free mode: where a replay of the n recorded events ev should start.  A
 * real run often begins with one thread alone (the others are still being
 * created), and thousands of its steps teach nothing.  So: 4 steps before
 * the read behind the first lost update the events show, or else 2 steps
 * before two threads first take turns (4 switches within 16 steps), or
 * else the beginning.  m0 is the model before any event; work is scratch
 * space (a model is large).  Sets *start (steps to replay first) and *seen
 * (lost updates in all n events); false if the threads never take turns.
 */
bool model_replay_start(const struct model *m0, const struct event *ev,
			size_t n, const struct event_names *names,
			struct model *work, uint64_t *start, long *seen);
/* Thread id's place on the deadlock's cycle of waits, from 1; 0: not on it. */
int model_on_cycle(const struct model *m, int id);
/* Is semaphore obj drawn as a pool of permits with their holders? */
bool model_is_pool(const struct model *m, int obj);
/* Is object obj one of the buffer's slots? */
bool model_is_slot(const struct model *m, int obj);
/* Task k's state (k from 1); *who: the thread that took or holds it. */
enum model_task model_task(const struct model *m, int k, int *who);
/* Threads blocked on object id, longest waiting first; how many. */
int model_waiters(const struct model *m, int obj, int *ids);
/* Phrase for a thread's state: "ready", "blocked on mutex lock", ... */
const char *model_state_text(const struct model *m, int id, char *buf,
			     int size);

#endif
