/*
 * lesson.h: everything a lesson includes.
 *
 * A lesson is a small program that declares its shared state, its threads
 * and its variants, and hands control to lesson_main().  It never parses
 * options, prints tables or draws: the runtime does that, the same way for
 * every lesson.
 *
 * Every operation below on shared state is a *visible operation*: in step
 * mode it is exactly one step, chosen by the scheduler, and one event in the
 * log; in free mode it runs on real threads and real pthread primitives and
 * is recorded.  The macros capture the lesson's source line, so the viewer
 * can put each thread's cursor on the line it is about to run, and call
 * fiber_clean() first (for the explorer's state cache: fiber.h).
 */
#ifndef INTERLEAVE_LESSON_H
#define INTERLEAVE_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "fiber.h"

struct var;
struct mutex;
struct sema;
struct cond;
struct barrier;
struct pipe;
struct flag;
struct shm;

/*
 * One named variant of a lesson: the broken code or one of its fixes.
 * A broken variant names, in `fails`, options of a step-mode run that
 * shows its failure ("--policy=rr --quantum=100"): the viewer offers them
 * on a key, and the tests check that they do break it.  NULL for a
 * correct variant.
 */
struct lesson_variant {
	const char *name;
	const char *summary;
	const char *fails;
};

/*
 * One whole-number option of a lesson (--threads, --iterations, ...).
 * Free mode runs real threads at scale, step mode is watched one step at a
 * time, so each mode has its own default.
 */
struct lesson_option {
	const char *name;
	const char *help;
	long step_default;
	long free_default;
	long min;
	long max;
	/* If set, the option takes one of these names (NULL-terminated) and
	 * its value is the index; min and max are ignored. */
	const char *const *choices;
	/* If set, the option takes text (lesson_opt_text()), which this checks:
	 * false, and why in err, refuses it; its default is text_default. */
	bool (*text)(const char *arg, char *err, size_t size);
	const char *text_default;
	/* If set, the runs the option means something in: every
	 * "--NAME=VALUE" of it holds ("--variant=notice", "--fn=fib": the
	 * variant, or another option).  Typed on any other run it is refused,
	 * as --seed is in free mode, and command lines the runtime writes
	 * leave it out. */
	const char *when;
};

/* Table entries: a number option, one that applies only to the runs of
 * `when`, a named-choice option, a text option, the end. */
#define LESSON_NUMBER(name, help, step, free, min, max)                        \
	LESSON_NUMBER_WHEN(NULL, name, help, step, free, min, max)
#define LESSON_NUMBER_WHEN(when, name, help, step, free, min, max)             \
	{ (name), (help), (step), (free), (min), (max), NULL, NULL, NULL,      \
	  (when) }
#define LESSON_CHOICE(name, help, dflt, choices)                               \
	{ (name), (help), (dflt), (dflt), 0, 0, (choices), NULL, NULL, NULL }
#define LESSON_TEXT(name, help, dflt, check)                                   \
	{ (name), (help), 0, 0, 0, 0, NULL, (check), (dflt), NULL }
#define LESSON_END { NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL }

/*
 * A question for --quiz (and the viewer's p): asked before the run's
 * outcome is shown, then judged against what the run itself produced,
 * never against a typed constant.
 *
 * It is about the runs of `variant` (NULL: any) whose options include
 * every "--NAME=VALUE" of `when` (NULL: any run): a lesson option, or
 * --mode, --policy, --seed, --quantum, --schedule as typed.  A question
 * that holds in only one mode says --mode=step (or free); one that names
 * no mode (nor a step-mode option) must have the same answer on real
 * threads, and the tests check that it does.
 *
 * `truth` is where the answer comes from: a summary figure ("balance"),
 * "steps", "misuses", "invariant" (1 held, 0 broken), "deadlock" (1 or 0), or a
 * comparison of two of those or a number ("max_inside<=permits"), true
 * or false.  QUIZ_CHOICE has no truth: its choices are "label: truth"
 * (the last may be a bare label, for "otherwise"), and the answer is the
 * first choice whose truth holds.
 */
enum quiz_kind {
	QUIZ_NUMBER, /* a whole number: the truth's value */
	QUIZ_YESNO,  /* yes or no: is the truth non-zero? */
	QUIZ_THREAD, /* a thread (or process) number, T2 or 2 */
	QUIZ_CHOICE, /* one of the choices' labels */
};

struct lesson_question {
	const char *variant;
	const char *when;
	const char *ask;
	enum quiz_kind kind;
	const char *truth;
	const char *const *choices; /* QUIZ_CHOICE, NULL-terminated */
	const char *why;            /* shown with the answer */
};

/* Table entries: a question that the run answers, a choice, the end. */
#define LESSON_ASK(variant, when, ask, kind, truth, why)                       \
	{ (variant), (when), (ask), (kind), (truth), NULL, (why) }
#define LESSON_ASK_CHOICE(variant, when, ask, choices, why)                    \
	{ (variant), (when), (ask), QUIZ_CHOICE, NULL, (choices), (why) }
#define LESSON_ASK_END { NULL, NULL, NULL, QUIZ_NUMBER, NULL, NULL, NULL }

/*
 * A challenge for --challenge=N (and the viewer): a goal the person
 * reaches as the scheduler, choosing every step (--policy=manual).  Like
 * a question it is about the runs of `variant` (NULL: any) with the
 * options of `when` (lesson options only, "--NAME=VALUE ..."), which
 * --challenge sets.  `goal` is a truth as a question's is, read from the
 * finished run ("balance=98", "deadlock", "max_inside>permits"), never
 * checked by hand.  `budget`: the most steps it may take (0: no limit);
 * `fewest` says the budget is the fewest that can reach it, which the
 * tests check by searching every schedule.
 */
struct lesson_challenge {
	const char *variant;
	const char *when;
	const char *says; /* the goal as the person reads it */
	const char *goal;
	long budget;
	bool fewest;
	const char *why;  /* shown when it is met */
};

#define LESSON_CHALLENGE(variant, when, says, goal, budget, fewest, why)      \
	{ (variant), (when), (says), (goal), (budget), (fewest), (why) }
#define LESSON_CHALLENGE_END { NULL, NULL, NULL, NULL, 0, false, NULL }

struct lesson {
	const char *name;
	const char *summary;
	const struct lesson_variant *variants; /* ends with {NULL} */
	const struct lesson_option *options;   /* ends with {NULL} */
	/* Create shared state and threads for the chosen variant and options. */
	void (*setup)(void);
	/* After the run: add figures, return whether the invariant held. */
	bool (*report)(void);
	/* The lesson's own source text, for the viewer: LESSON_SOURCE. */
	const char *source;
	/* Sentences for lesson_note(): its value is %ld (or %1$ld), the
	 * other thread of lesson_note_other() is %2$d. */
	const char *const *notes;
	/* Bit 1 << kind: that note tells how a run goes ("has its first
	 * reply"), not what broke it; the explorer names a failure by
	 * another sign. */
	unsigned long long info_notes;
	/* Its units are processes, not threads (see process_new()). */
	bool processes;
	/* Bit 1 << variant: in a lesson of processes, that variant's units
	 * are threads (thread_new()) all the same.  Whether a run uses
	 * processes: ask rt_uses_processes(), not these two fields. */
	unsigned long long thread_variants;
	/* Where the launcher lists it: "threads", "synchronisation",
	 * "processes", ...; NULL lists it under "other". */
	const char *topic;
	/* Questions for --quiz, ending with LESSON_ASK_END; NULL: none. */
	const struct lesson_question *questions;
	/* Challenges for --challenge, ending with LESSON_CHALLENGE_END. */
	const struct lesson_challenge *challenges;
};

/*
 * The build embeds each lesson's .c file as NAME_source; a lesson declares
 * it with LESSON_SOURCE(NAME) and points .source at it.
 */
#define LESSON_SOURCE(name) extern const char name##_source[]

int lesson_main(const struct lesson *lesson, int argc, char **argv);

/*
 * LESSON_MAIN(desc): the main() of a lesson program.  Tests build lessons
 * with -DLESSON_NO_MAIN and drive the descriptor in-process instead.
 */
#ifdef LESSON_NO_MAIN
#define LESSON_MAIN(desc)
#else
#define LESSON_MAIN(desc)                                                      \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		return lesson_main(&(desc), argc, argv);                       \
	}
#endif

/* Run configuration, for setup() and report(). */
long lesson_opt(const char *name);
/* A text option's value (LESSON_TEXT), checked already. */
const char *lesson_opt_text(const char *name);
int lesson_variant(void);
bool lesson_step_mode(void);
/* Free mode: microseconds from the threads' start to the last join. */
long lesson_elapsed_us(void);
/*
 * Zeroed memory for the lesson's own books (counts per item, ...), owned
 * by the run: freed when the run is torn down, however it ends (a
 * --schedule check, a restart in the viewer, report() never called).
 * In a process lesson it is in the run's shared arena, so every process
 * sees the same books.  Dies when out of memory.  In setup() only.
 */
void *lesson_calloc(size_t n, size_t size);
/* Add "name=value" to the summary line. */
void lesson_figure(const char *name, long value);
/* The number of the calling thread (or process): 1, 2, ... */
int lesson_thread(void);

/*
 * Say that the current thread did something worth narrating: sentence
 * notes[kind] of the lesson, with value.  An event, not a step.
 * lesson_note_other() also names another thread (0: none).  A sentence
 * that uses it refers to both by position, "%1$ld" and "T%2$d"; a
 * sentence that does not may use a plain "%ld".
 */
void lesson_note_at(int kind, long value, int other, int line);
#define lesson_note(kind, value)                                               \
	(fiber_clean(), lesson_note_at((kind), (value), 0, __LINE__))
#define lesson_note_other(kind, value, other)                                  \
	(fiber_clean(), lesson_note_at((kind), (value), (other), __LINE__))
/*
 * A note that also counts updates lost (or, negative, given back) where
 * the runtime cannot see them: through a server's private copy, say.
 * The viewer adds them up, in free mode as in step mode.
 */
void lesson_note_lost_at(int kind, long value, int other, int lost,
			 int line);
#define lesson_note_lost(kind, value, other, lost)                             \
	(fiber_clean(),                                                        \
	 lesson_note_lost_at((kind), (value), (other), (lost), __LINE__))

/* Threads, numbered from 1 in creation order.  body(arg) is the thread.
 * Threads, objects (var_new(), mutex_new(), ...) and lesson_calloc()
 * blocks are made in setup(), never by a running thread. */
void thread_new(const char *name, void (*body)(long arg), long arg);

/*
 * Processes, for a lesson whose descriptor sets .processes: real ones, in
 * both modes.  setup() creates the first, P1, with process_new(); while it
 * runs, a process forks others with proc_fork() (a step: the child appears,
 * numbered P2, P3, ... in creation order) and waits for one of its own
 * children with proc_join(), which returns the child's exit status.
 * Objects made in setup() (var_new, mutex_new, ...) live in memory every
 * process maps; a private variable (var_new_private) is, like any variable
 * of the lesson's own, one copy per process, as fork() gives it.
 */
void process_new(const char *name, void (*body)(long arg), long arg);
int proc_fork_at(const char *name, void (*body)(long arg), long arg,
		 int line);
int proc_join_at(int id, int line);
/* Has process id not exited yet?  (Python's is_alive().) */
bool proc_alive_at(int id, int line);
#define proc_fork(name, body, arg)                                             \
	(fiber_clean(), proc_fork_at((name), (body), (arg), __LINE__))
#define proc_join(id) (fiber_clean(), proc_join_at((id), __LINE__))
#define proc_alive(id) (fiber_clean(), proc_alive_at((id), __LINE__))
struct var *var_new_private(const char *name, long initial);

/*
 * Pipes between processes: a real pipe(2), made in setup() (so that P1
 * and all it forks inherit both ends), holding `capacity` bytes.  Each
 * call is the real write(), read() or close() of the calling process,
 * and one step.  pipe_write() writes one message of len bytes (at most
 * PIPE_BUF and the capacity) at once, waiting while it does not fit; it
 * returns len, or -1 when no process holds the read end (EPIPE).
 * pipe_read() waits for bytes and returns up to size of them, or 0 at
 * end of file: empty, and no process holds the write end.  Each process
 * closes its own copy of an end; exiting closes them all.  Using an end
 * the process has closed is refused and reported: -1 (EBADF).
 * pipe_sent(), pipe_received(), pipe_messages() are for report().
 */
struct pipe *pipe_new(const char *name, long capacity);
long pipe_write_at(struct pipe *p, const void *msg, long len, int line);
long pipe_read_at(struct pipe *p, void *buf, long size, int line);
int pipe_close_at(struct pipe *p, int end, int line);
#define pipe_write(p, msg, len)                                                \
	(fiber_clean(), pipe_write_at((p), (msg), (len), __LINE__))
#define pipe_read(p, buf, size)                                                \
	(fiber_clean(), pipe_read_at((p), (buf), (size), __LINE__))
#define pipe_close_read(p)  (fiber_clean(), pipe_close_at((p), 0, __LINE__))
#define pipe_close_write(p) (fiber_clean(), pipe_close_at((p), 1, __LINE__))
long pipe_sent(const struct pipe *p);     /* bytes written */
long pipe_received(const struct pipe *p); /* bytes read */
long pipe_messages(const struct pipe *p); /* writes that went through */

/*
 * Named shared memory: a segment of rows x cols cells (a long each) that
 * processes find by name, as POSIX shm_open() gives it.  setup() names
 * it ("/matrix": a slash, then a word); while the run goes, one process
 * creates it (shm_open with O_CREAT | O_EXCL), sizes it (ftruncate, then
 * mmap), others attach to it by name (shm_open, mmap); each loads and
 * stores cells of its own mapping, closes it (munmap), and somebody
 * unlinks the name (shm_unlink).  Each call is one step.  Misuse is
 * refused and reported, returning -1 with errno set: ENOENT (no such
 * name yet), EINVAL (attached before the creator sized it), EEXIST,
 * EBADF (no mapping: never attached, or closed; a load then returns 0).
 * A name the run does not unlink is removed when the run ends, and the
 * runtime says so.  shm_left() tells report() whether it is still there.
 */
struct shm *shm_new(const char *name, int rows, int cols);
/* Is name a segment's name ("/matrix": one slash, first, then 1 to 30
 * characters)?  If not, says why in err.  (A LESSON_TEXT check.) */
bool shm_name_check(const char *name, char *err, size_t size);
int shm_create_at(struct shm *s, int line);
int shm_size_at(struct shm *s, int line);
int shm_attach_at(struct shm *s, int line);
long shm_load_at(struct shm *s, int row, int col, int line);
void shm_store_at(struct shm *s, int row, int col, long value, int line);
int shm_close_at(struct shm *s, int line);
int shm_unlink_at(struct shm *s, int line);
#define shm_create(s) (fiber_clean(), shm_create_at((s), __LINE__))
#define shm_size(s)   (fiber_clean(), shm_size_at((s), __LINE__))
#define shm_attach(s) (fiber_clean(), shm_attach_at((s), __LINE__))
#define shm_load(s, r, c)                                                      \
	(fiber_clean(), shm_load_at((s), (r), (c), __LINE__))
#define shm_store(s, r, c, v)                                                  \
	(fiber_clean(), shm_store_at((s), (r), (c), (v), __LINE__))
#define shm_close(s)  (fiber_clean(), shm_close_at((s), __LINE__))
#define shm_unlink(s) (fiber_clean(), shm_unlink_at((s), __LINE__))
bool shm_left(const struct shm *s);

/* Shared variables. */
struct var *var_new(const char *name, long initial);
long var_value(const struct var *v); /* outside the run only */
long var_load_at(struct var *v, int line);
void var_store_at(struct var *v, long value, int line);
long var_add_at(struct var *v, long delta, int line); /* returns old value */
/* (var_load and var_store clean the stack (fiber_clean()) only on the
 * way into the runtime: in free mode's fast path they cost what they
 * did.) */
#define var_load(v)                                                            \
	_Generic((v), struct var_local *: var_local_load_clean,                \
		 default: var_load_shared)((v), __LINE__)
#define var_store(v, x)                                                        \
	_Generic((v), struct var_local *: var_local_store_clean,               \
		 default: var_store_shared)((v), (x), __LINE__)
#define var_add(v, d)                                                          \
	(fiber_clean(),                                                        \
	 _Generic((v), struct var_local *: var_local_add_at,                   \
		 default: var_add_at)((v), (d), __LINE__))
/*
 * Thread-local variables: one copy per thread, each starting at initial,
 * as C11's _Thread_local (or Python's threading.local()) gives, but with
 * every load and store traced, so that the viewer draws each thread's
 * copy.  var_load(), var_store() and var_add() on one use the calling
 * thread's own copy (the macros pick these functions by the type).
 * var_mine(v) is that copy as a variable any thread can use, what &x is
 * for a _Thread_local x.  A copy ends with its thread: step mode refuses
 * a use of it after that (a misuse; a load gives initial); free mode
 * does not check, and the use reads memory the thread left behind.
 */
struct var_local;
struct var_local *var_new_local(const char *name, long initial);
struct var_local *var_mine(struct var_local *v);
long var_local_load_at(struct var_local *v, int line);
void var_local_store_at(struct var_local *v, long value, int line);
long var_local_add_at(struct var_local *v, long delta, int line);
static inline long var_local_load_clean(struct var_local *v, int line)
{
	fiber_clean();
	return var_local_load_at(v, line);
}
static inline void var_local_store_clean(struct var_local *v, long value,
					 int line)
{
	fiber_clean();
	var_local_store_at(v, value, line);
}
/*
 * Keep the largest value v ever holds, for var_peak() (both modes).  Off
 * unless asked for: it costs a check on every store.
 */
void var_keep_peak(struct var *v);
long var_peak(const struct var *v);
/* Ask the viewer to chart v's value over time (one variable per lesson). */
void var_chart(struct var *v);
/* Ask the viewer to draw v as a position on a track from 0 to max. */
void var_track(struct var *v, long max);
/*
 * A bounded buffer: slots hold item numbers, 0 is empty.  In step mode the
 * runtime flags a write over an unconsumed item (lost), a read of an item
 * another thread already took (read twice), and a take from an empty slot.
 * head and tail (either may be NULL) are indexes the viewer marks.  A
 * negative item is a stop message: the viewer draws it as "stp".
 */
void var_buffer(struct var **slots, int n, struct var *head,
		struct var *tail);
/*
 * The buffer's picture in the lesson's own words: headed `heading`
 * ("results") instead of "buffer", each slot's variable name under it.
 * Call after var_buffer().
 */
void var_buffer_label(const char *heading);
/*
 * A task queue for the viewer to draw: n tasks (at most RT_MAX_TASKS),
 * task K's item items[K - 1], taken from the front: taken counts those
 * taken.  Each of the nholders variables in holders is a worker's: the
 * task it holds (K), stored by the worker that takes it, and 0, stored
 * by that worker, once it is done.  A task nobody holds any more but
 * whose worker never said it was done is drawn as lost.
 */
void var_tasks(const long *items, int n, struct var *taken,
	       struct var **holders, int nholders);
/* Step mode: stores that overwrote an update the writer never saw; for
 * report() only (the explorer counts it along its paths, not in a state:
 * a thread that asked it while running would break that). */
long lesson_lost_updates(void);

/*
 * Work that takes time but touches nothing shared: `units` steps in step
 * mode (other threads run in between), `units` milliseconds of sleep in
 * free mode, so its effect shows on any number of cores.
 */
void work_at(long units, int line);
#define work(units) (fiber_clean(), work_at((units), __LINE__))

/* Mutexes.  unlock() returns 0 or EPERM (not the owner: reported). */
enum mutex_kind { MUTEX_NORMAL, MUTEX_ERRORCHECK, MUTEX_RECURSIVE };
struct mutex *mutex_new(const char *name, enum mutex_kind kind);
int mutex_lock_at(struct mutex *m, int line);
int mutex_unlock_at(struct mutex *m, int line);
#define mutex_lock(m)   mutex_lock_fast((m), __LINE__)
#define mutex_unlock(m) mutex_unlock_fast((m), __LINE__)
/*
 * Take m if that can be done at once: 0, or EBUSY (held by another
 * thread, or by the caller if m is not recursive) and nothing is taken.
 * Never waits, in either mode: step mode always lets it run.
 */
int mutex_trylock_at(struct mutex *m, int line);
#define mutex_trylock(m) (fiber_clean(), mutex_trylock_at((m), __LINE__))

/*
 * Counting semaphores.  A bounded semaphore (bound > 0) refuses a post that
 * would raise its count above bound: post() returns EOVERFLOW and the event
 * is reported, where a plain semaphore would silently grow.
 */
struct sema *sema_new(const char *name, long initial, long bound);
void sema_wait_at(struct sema *s, int line);
int sema_post_at(struct sema *s, int line);
#define sema_wait(s) (fiber_clean(), sema_wait_at((s), __LINE__))
#define sema_post(s) (fiber_clean(), sema_post_at((s), __LINE__))
/*
 * sema_wait_for() gives up after timeout (ms in free mode, ticks of the
 * step clock in step mode: see ltime_sleep) and returns ETIMEDOUT, having
 * taken nothing; 0 when it took a permit.  A timeout of 0 never waits (a
 * trywait); -1 waits for ever, as sema_wait().  One step either way.
 */
int sema_wait_for_at(struct sema *s, long timeout, int line);
#define sema_wait_for(s, timeout)                                              \
	(fiber_clean(), sema_wait_for_at((s), (timeout), __LINE__))

/* Condition variables, always used with a mutex the caller holds. */
struct cond *cond_new(const char *name);
int cond_wait_at(struct cond *c, struct mutex *m, int line);
void cond_signal_at(struct cond *c, int line);
void cond_broadcast_at(struct cond *c, int line);
/*
 * cond_wait_for() also gives up after timeout (ticks of the step clock in
 * step mode, ms in free mode; see ltime_sleep) and returns ETIMEDOUT,
 * holding the mutex again as after a signal; 0 when signalled.
 */
int cond_wait_for_at(struct cond *c, struct mutex *m, long timeout, int line);
#define cond_wait(c, m)    (fiber_clean(), cond_wait_at((c), (m), __LINE__))
#define cond_wait_for(c, m, timeout)                                           \
	(fiber_clean(), cond_wait_for_at((c), (m), (timeout), __LINE__))
#define cond_signal(c)     (fiber_clean(), cond_signal_at((c), __LINE__))
#define cond_broadcast(c)  (fiber_clean(), cond_broadcast_at((c), __LINE__))

/*
 * Barriers: wait() returns when all parties have arrived.  The last to
 * arrive runs action (if any) before anyone is released.  wait_for() gives
 * up after timeout_ms (free mode; step mode: when nothing else can run),
 * and that breaks the barrier for everyone, now and later.
 */
enum { BARRIER_PASSED = 0, BARRIER_LAST = 1, BARRIER_BROKEN = -1 };
struct barrier *barrier_new(const char *name, int parties,
			    void (*action)(void));
int barrier_wait_at(struct barrier *b, int line);
int barrier_wait_for_at(struct barrier *b, long timeout_ms, int line);
#define barrier_wait(b) (fiber_clean(), barrier_wait_at((b), __LINE__))
#define barrier_wait_for(b, ms)                                                \
	(fiber_clean(), barrier_wait_for_at((b), (ms), __LINE__))

/*
 * Flags: Python's threading.Event (called flag here: the trace's events
 * are another thing).  set() raises it and wakes every thread waiting;
 * clear() lowers it; is_set() reads it.  wait() returns at once if it is
 * up, else when a set() comes; wait_for() also gives up after timeout
 * (ms in free mode, ticks of the step clock in step mode: see ltime_sleep)
 * and then returns false.  A set() followed by a clear() still wakes
 * everyone who was waiting.
 */
struct flag *flag_new(const char *name);
void flag_set_at(struct flag *f, int line);
void flag_clear_at(struct flag *f, int line);
bool flag_is_set_at(struct flag *f, int line);
bool flag_wait_for_at(struct flag *f, long timeout, int line);
#define flag_set(f)    (fiber_clean(), flag_set_at((f), __LINE__))
#define flag_clear(f)  (fiber_clean(), flag_clear_at((f), __LINE__))
#define flag_is_set(f) (fiber_clean(), flag_is_set_at((f), __LINE__))
#define flag_wait(f)   (fiber_clean(), flag_wait_for_at((f), -1, __LINE__))
#define flag_wait_for(f, timeout)                                              \
	(fiber_clean(), flag_wait_for_at((f), (timeout), __LINE__))

/*
 * Sleep: ms milliseconds of real time in free mode; in step mode, time is
 * logical (one tick per step): the thread is blocked until the clock
 * reaches now + ms, and when nothing else can run the clock jumps there.
 * One step, when it wakes.
 */
void ltime_sleep_at(long ms, int line);
#define ltime_sleep(ms) (fiber_clean(), ltime_sleep_at((ms), __LINE__))
/*
 * The time now, in the units of ltime_sleep: the step clock in step mode,
 * ms of CLOCK_MONOTONIC in free mode; only differences between readings
 * mean anything (read it in setup() for the run's origin).  Reading it is
 * not a step: it changes nothing shared.
 */
long ltime_clock(void);

/*
 * Timers: Python's threading.Timer (timer.c).  timer_new(), in setup(),
 * makes the timer's thread, named name; timer_start() arms it: after
 * interval (ms in free mode, ticks in step mode, as ltime_sleep) that
 * thread runs fn(arg), unless timer_cancel() came first.  A timer starts
 * once; one never started must be cancelled, or it waits for ever.
 * timer_fired() is for report().
 */
struct timer;
struct timer *timer_new_at(const char *name, void (*fn)(long arg), long arg,
			   int line);
void timer_start_at(struct timer *t, long interval, int line);
void timer_cancel_at(struct timer *t, int line);
bool timer_fired(const struct timer *t);
#define timer_new(name, fn, arg)                                               \
	(fiber_clean(), timer_new_at((name), (fn), (arg), __LINE__))
#define timer_start(t, interval)                                               \
	(fiber_clean(), timer_start_at((t), (interval), __LINE__))
#define timer_cancel(t) (fiber_clean(), timer_cancel_at((t), __LINE__))

/* Free mode's hot paths, inline in the lesson (see fast.h); the runtime's
 * own files, which include rt.h first, use the operations themselves. */
#ifndef INTERLEAVE_RT_H
#include "fast.h"
#define var_load_shared  var_load_fast
#define var_store_shared var_store_fast
#else
#define var_load_shared  var_load_at
#define var_store_shared var_store_at
#undef mutex_lock
#undef mutex_unlock
#define mutex_lock(m)   mutex_lock_at((m), __LINE__)
#define mutex_unlock(m) mutex_unlock_at((m), __LINE__)
#endif

#endif
