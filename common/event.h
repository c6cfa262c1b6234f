/*
 * event.h: the event stream, the one thing the runtime produces.
 *
 * Every visible operation, thread start and exit, and every verdict the
 * runtime reaches (a lost update, a misuse, a deadlock) is one event with a
 * place in a total order.  Plain text, the viewer and the tests are all
 * consumers of this stream; none of them looks inside the runtime.
 */
#ifndef INTERLEAVE_EVENT_H
#define INTERLEAVE_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum event_op {
	OP_START,    /* thread started (not a step) */
	OP_EXIT,     /* thread finished (not a step) */
	OP_LOAD,     /* a = value read */
	OP_STORE,    /* a = value written, b = value overwritten */
	OP_ADD,      /* a = new value, b = old value (one atomic step) */
	OP_LOCK,     /* a = new depth (recursive), b = error */
	OP_UNLOCK,   /* a = depth left, b = error */
	OP_SEM_WAIT, /* a = count after, b = ETIMEDOUT: took nothing */
	OP_SEM_POST, /* a = count after, b = error */
	OP_COND_WAIT,  /* releases obj2's mutex, sleeps on obj */
	OP_COND_WAKE,  /* the waiter holds the mutex again (a step) */
	OP_SIGNAL,     /* other = thread woken, 0 if none */
	OP_BROADCAST,  /* a = threads woken */
	OP_ARRIVE,     /* a = arrived so far, b = parties */
	OP_ACTION,     /* the barrier action ran (not a step) */
	OP_LEAVE,      /* released from the barrier */
	OP_DEADLOCK,   /* every live thread blocked (thread 0) */
	OP_WORK,       /* a unit of work: a = units left after this one */
	OP_NOTE,       /* the lesson noticed something: b = note, a = value,
			* lost = updates it says are lost (lesson_note_lost) */
	OP_FORK,       /* other = the new process */
	OP_JOIN,       /* other = the child waited for, a = its exit status */
	OP_ALIVE,      /* other = the process asked about, a = 1 if alive */
	/* Pipes (pipe.c): lost = the capacity; b = bytes buffered after,
	 * -1 if not known (free mode); a misuse has b = EBADF. */
	OP_PIPE_WRITE, /* a = bytes written, -1: EPIPE (nobody reads) */
	OP_PIPE_READ,  /* a = bytes read, 0: end of file */
	OP_PIPE_CLOSE, /* a = the end: 0 read, 1 write */
	OP_TRYLOCK,    /* a = new depth, b = EBUSY (other = holder) or 0 */
	/* Flags (flag.c, Python's Event) and logical time (ltime.c). */
	OP_FLAG_SET,   /* a = 1 if it was up already, b = waiters woken */
	OP_FLAG_CLEAR, /* a = 1 if it was up */
	OP_FLAG_IS_SET, /* a = 1 if up */
	OP_FLAG_WAIT,  /* a = 1: up, returns at once; 0: waits.  b = the
			  timeout, -1 none; lost = step mode's deadline */
	OP_FLAG_WAKE,  /* a = 1: raised (true), 0: timed out (false) */
	OP_SLEEP,      /* a sleep begins: a = the time asked for; b = its
			  deadline (step mode), -1 (free mode) */
	OP_CLOCK,      /* step mode, thread 0, not a step: nothing could
			  run before a deadline, so the clock jumped from b
			  to a */
	OP_SLEPT,      /* the sleep is over: a = the time (step mode), -1 */
	/* Named shared memory (shm.c).  A misuse is refused: b = the errno
	 * (ENOENT, EEXIST, EBADF, EINVAL: attached before it was sized). */
	OP_SHM_CREATE, /* shm_open(O_CREAT | O_EXCL) */
	OP_SHM_SIZE,   /* ftruncate and mmap: a = bytes */
	OP_SHM_ATTACH, /* shm_open and mmap of an existing segment: a = bytes */
	OP_SHM_LOAD,   /* lost = the cell (SHM_CELL), a = value, other = the
			  process that stored it, 0: nobody yet */
	OP_SHM_STORE,  /* lost = the cell, a = value, b = value overwritten */
	OP_SHM_CLOSE,  /* munmap and close: a = 1 if it stays in /dev/shm
			  with nobody mapping it and nobody unlinked it */
	OP_SHM_UNLINK, /* shm_unlink: the name is gone */
	OP_COUNT
};

/* A cell of a segment in an event: its row and column. */
#define SHM_CELL(row, col) ((row) * 256 + (col))
#define SHM_ROW(cell) ((cell) / 256)
#define SHM_COL(cell) ((cell) % 256)

/* Flags: what the runtime noticed about this event. */
enum {
	EV_STEP = 1 << 0,    /* a visible operation: counts as a step */
	EV_LOST = 1 << 1,    /* a store that overwrote unseen updates */
	EV_MISUSE = 1 << 2,  /* refused: not the owner, over the bound, ... */
	EV_STALE = 1 << 3,   /* a store while another thread holds a stale read */
	EV_OVERWRITE = 1 << 4, /* slot: an item written over another item */
	EV_PRIVATE = 1 << 5, /* a load of a private variable whose copy in
				process `other` holds b, not a */
	EV_LOCAL = 1 << 6,   /* a thread-local variable: the copy of thread
				`other`; with EV_MISUSE, `other` had finished
				and its copy with it (b: what the memory
				still held) */
};

/*
 * One event is exactly one cache line: free mode writes millions of them
 * inside critical sections, and a line split in two costs twice.
 */
struct event {
	uint64_t seq;  /* position in the total order, from 1 */
	long a, b;     /* values, meaning per op (see enum event_op) */
	/*
	 * Step mode: which threads may run once the step is over (bit id-1),
	 * and where the event's thread then stands: the operation it runs
	 * next (OP_EXIT when finished), its object and line.  With these the
	 * viewer's model needs nothing but the stream.  Free mode: 0.
	 */
	uint64_t ready;
	uint64_t step;  /* step number, 0 for events that are not steps */
	int32_t lost;   /* EV_LOST: 1, the store overwritten; misuse: the bound */
	int16_t line;   /* lesson source line, 0 if none (a lesson is short) */
	int16_t next_line;
	int16_t thread; /* 1-based; 0 for the runtime itself */
	int16_t obj;    /* object index, -1 for none */
	int16_t obj2;   /* second object (the mutex of a cond wait), or -1 */
	int16_t other;  /* another thread involved (lost update victim, woken) */
	int16_t next_obj;
	int16_t next_other; /* the process a join waits for; a timed
			     * semaphore wait's deadline (step clock); else 0 */
	uint8_t op;
	uint8_t flags;
	uint8_t next_op;
};

_Static_assert(sizeof(struct event) == 64, "an event is one cache line");

/* Names the formatter needs, supplied by whoever owns the run. */
struct event_names {
	const char *(*thread)(int id);  /* "deposit" */
	const char *(*object)(int id);  /* "balance" */
	const char *(*note)(int kind);  /* the lesson's sentence, or NULL */
	char (*unit)(void);  /* 'T' for threads (also if NULL), 'P' processes */
};

const char *event_op_name(enum event_op op);

/* "thread" or "process": the word for a unit letter ('T' or 'P'). */
static inline const char *event_unit_word(char unit)
{
	return unit == 'P' ? "process" : "thread";
}

/* "threads" or "processes". */
static inline const char *event_units_word(char unit)
{
	return unit == 'P' ? "processes" : "threads";
}

/*
 * Format one event as one line of plain text, without a newline, into buf.
 * Returns buf.  The same text feeds --plain and the viewer's log.
 */
char *event_format(const struct event *e, const struct event_names *n,
		   char *buf, size_t size);

/*
 * Narration for a flagged event ("T2 wrote 99 over T1's 101: T1's deposit
 * is lost"), or an empty string when there is nothing to say.
 */
char *event_narrate(const struct event *e, const struct event_names *n,
		    char *buf, size_t size);

#endif
