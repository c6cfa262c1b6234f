/*
 * pool: a pool of worker processes over a task queue.
 *
 * Python's Pool.map(fn, data): P1 submits one task per item of data,
 * forks a fixed set of workers, P2, P3, ..., and returns the results *in
 * task order*, whichever worker did which.  The task queue and the
 * results live in memory every process maps (made in setup(), before
 * the first fork).  Tasks are numbered from 1:
 *
 *   taken  the queue: the tasks are the items of data, submitted
 *          before the workers start; taken counts those the workers
 *          took, so the next one is task taken + 1; the lock guards
 *          it                                                     (p1)
 *   rK     task K's result: the worker that did task K puts it
 *          there, by the task's number                            (p6)
 *   done   a semaphore: one post per result; P1 waits for as many
 *          posts as there are tasks                               (p2)
 *   doingW the task worker PW holds, or 0
 *
 *   map         results by task index: correct
 *   completion  each result goes to the next free slot, as it completes
 *               (imap_unordered, not map): out of task order      (c1)
 *   die         the worker that takes task 1 ends in the middle of it
 *               (d1): its result never comes, and P1 waits for ever
 *               in p2
 *   notice      the same death, but P1 waits at most --timeout (p3),
 *               then looks for a worker that is gone while it held a
 *               task (p4), and gives the task to a new worker     (p5)
 *   threads     map again, with worker threads T2, T3, ...: the same
 *               code; only the start differs (threads share memory
 *               anyway, and are made with the run: hire())
 */
#include <stdatomic.h>
#include <stdio.h>

#include "lesson.h"

enum { MAP, COMPLETION, DIE, NOTICE, THREADS };
enum { SQUARE, FIB };
enum { NOTE_MISPLACED, NOTE_DIES, NOTE_LOST };
enum { TASKS_MAX = 16, WORKERS_MAX = 8 };

/* doing[w]: worker w's, w its process (or thread) number, 2 and up */
static struct var *result[TASKS_MAX], *taken, *filled;
static struct var *doing[WORKERS_MAX + 2];
static struct mutex *lock;
static struct sema *done;
static long ntasks, nworkers, fn, fib_n, cost;
static bool threads; /* the workers are threads, not processes */

/* The books, for the invariant: seen by every process, not steps. */
static struct books {
	_Atomic long died, replaced;
	_Atomic long from[TASKS_MAX]; /* result[j] came from task from */
	_Atomic long by[TASKS_MAX];   /* ... done by process by */
} *books;

/* --- the function mapped, pure: each worker computes it for real --- */

static long fib(long n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static long input(long i)
{
	return fn == SQUARE ? i + 1 : fib_n; /* [1, 2, 3, ...] or [n] * N */
}

static long apply(long x)
{
	return fn == SQUARE ? x * x : fib(x);
}

/* --- the queue and the results --- */

/* Take the next task: its index (task i + 1), or -1 when none is left.
 * (Its item is data the worker reads: nobody writes it once submitted.) */
static long take(void)
{
	mutex_lock(lock);				/* p1 */
	long i = var_load(taken);
	if (i < ntasks)
		var_store(taken, i + 1);
	mutex_unlock(lock);
	return i < ntasks ? i : -1;
}

/* Hand in task i's result y: into result[i], or, completion, into the
 * next free slot; then tell P1. */
static void place(long i, long y)
{
	long at = i;
	if (lesson_variant() == COMPLETION) {
		mutex_lock(lock);
		at = var_add(filled, 1);		/* c1 */
		mutex_unlock(lock);
		if (at != i)
			lesson_note(NOTE_MISPLACED, i + 1);
	}
	books->from[at] = i + 1;
	books->by[at] = lesson_thread();
	var_store(result[at], y);			/* p6 */
	sema_post(done);
}

/* die, notice: the worker that takes task 1 ends in it (one death a
 * run: not the worker that takes it over). */
static bool dies(long i)
{
	int v = lesson_variant();
	return (v == DIE || v == NOTICE) && i == 0 && !books->died++;
}

/* Do task i, item x, as worker w; false if the worker died in it. */
static bool run(long w, long i, long x)
{
	var_store(doing[w], i + 1);
	long y = apply(x);
	if (cost > 0)
		work(cost);
	if (dies(i)) {					/* d1 */
		lesson_note(NOTE_DIES, i + 1);
		return false;
	}
	place(i, y);
	var_store(doing[w], 0);
	return true;
}

/* A worker: take tasks until the queue is empty. */
static void serve(long w)
{
	long i;
	while ((i = take()) >= 0)
		if (!run(w, i, input(i)))
			return;
}

static void worker(long w)
{
	serve(w);
}

/* notice: a new worker in slot w first does the task its predecessor
 * held (arg: w + SLOT * (1 + that task)). */
enum { SLOT = WORKERS_MAX + 2 };

static void replacement(long arg)
{
	long w = arg % SLOT, i = arg / SLOT - 1;
	if (run(w, i, input(i)))
		serve(w);
}

/* notice: a worker that is gone and held a task died in it; join it and
 * fork a new one to do that task.  (Alive first: a worker that finished
 * its task and left has doing 0 by then.) */
static void look(int *pid)
{
	for (long w = 2; w <= nworkers + 1; w++) {
		if (proc_alive(pid[w]))			/* p4 */
			continue;
		long held = var_load(doing[w]);
		if (!held)
			continue;
		lesson_note_other(NOTE_LOST, held, pid[w]);
		var_store(doing[w], 0);			/* a free slot */
		proc_join(pid[w]);
		long arg = w + SLOT * held;
		pid[w] = proc_fork("worker", replacement, arg);	/* p5 */
		books->replaced++;
	}
}

/*
 * Start the workers, 2 to nworkers + 1 (each one's number is its slot):
 * P1 forks them, or, threads, setup() made them with the run, and the
 * runtime starts them with T1 (one address space: nothing to set up
 * before a fork).
 */
static void hire(int *pid)
{
	for (long w = 2; w <= nworkers + 1; w++)
		pid[w] = threads ? (int)w : proc_fork("worker", worker, w);
}

/* Wait for each worker to end: threads end on their own, and the
 * runtime joins them after the run. */
static void dismiss(const int *pid)
{
	for (long w = 2; w <= nworkers + 1 && !threads; w++)
		proc_join(pid[w]);
}

/* P1: Pool(nworkers).map(fn, data). */
static void pool(long unused)
{
	(void)unused;
	int pid[WORKERS_MAX + 2];
	bool watch = lesson_variant() == NOTICE;
	long timeout = watch ? lesson_opt("timeout") : -1;
	hire(pid);
	for (long got = 0; got < ntasks;) {
		if (sema_wait_for(done, timeout) == 0)	/* p2 */
			got++;
		else
			look(pid);			/* p3: none came */
	}
	dismiss(pid);
	for (long i = 0; i < ntasks; i++)
		var_load(result[i]);			/* print(results) */
}

static void pool_setup(void)
{
	static char rnames[TASKS_MAX][16];
	static char dnames[WORKERS_MAX + 2][24];
	long items[TASKS_MAX];
	ntasks = lesson_opt("tasks");
	nworkers = lesson_opt("workers");
	fn = lesson_opt("fn");
	fib_n = lesson_opt("n");
	cost = lesson_opt("work");
	threads = lesson_variant() == THREADS;
	books = lesson_calloc(1, sizeof(*books));
	taken = var_new("taken", 0);
	for (long i = 0; i < ntasks; i++) {
		snprintf(rnames[i], sizeof(rnames[i]), "r%d", (int)i + 1);
		result[i] = var_new(rnames[i], 0);
	}
	/* NULL in the other variants: the viewer's v runs setup again in
	 * this process, and the last variant's variable is gone */
	filled = lesson_variant() == COMPLETION ? var_new("filled", 0) : NULL;
	/* the viewer draws the results as a row of slots (completion: the
	 * next free one marked) */
	var_buffer(result, (int)ntasks, NULL, filled);
	var_buffer_label("results");
	for (long w = 2; w <= nworkers + 1; w++) {
		snprintf(dnames[w], sizeof(dnames[w]), "doing%d", (int)w);
		doing[w] = var_new(dnames[w], 0);
	}
	/* ... and the tasks, each one's item and who took it */
	for (long i = 0; i < ntasks; i++)
		items[i] = input(i);
	var_tasks(items, (int)ntasks, taken, doing + 2, (int)nworkers);
	lock = mutex_new("lock", MUTEX_NORMAL);
	done = sema_new("done", 0, 0);
	if (!threads) {
		process_new("main", pool, 0);
		return;
	}
	thread_new("main", pool, 0);
	for (long w = 2; w <= nworkers + 1; w++)
		thread_new("worker", worker, w);
}

/* Every task's result is in its own slot, right, and none is missing. */
static bool pool_report(void)
{
	long placed = 0, misplaced = 0, missing = 0, workers = 0, sum = 0;
	long fib_y = fn == FIB ? fib(fib_n) : 0;
	bool seen[2 * SLOT] = { false }; /* by process number */
	for (long j = 0; j < ntasks; j++) {
		long y = var_value(result[j]);
		long want = fn == FIB ? fib_y : apply(input(j));
		if (!books->from[j]) {
			missing++;
			continue;
		}
		placed++;
		sum += y;
		misplaced += books->from[j] != j + 1 || y != want;
		workers += !seen[books->by[j] % (2 * SLOT)];
		seen[books->by[j] % (2 * SLOT)] = true;
	}
	lesson_figure("tasks", ntasks);
	lesson_figure("placed", placed);
	lesson_figure("misplaced", misplaced);
	lesson_figure("missing", missing);
	lesson_figure("sum", sum);
	lesson_figure("workers_used", workers);
	if (lesson_variant() == DIE || lesson_variant() == NOTICE)
		lesson_figure("lost", books->died > 0); /* one death a run */
	if (lesson_variant() == NOTICE)
		lesson_figure("replaced", books->replaced);
	return placed == ntasks && misplaced == 0 && missing == 0;
}

static const char *const fns[] = { "square", "fib", NULL };

static const char *const pool_notes[] = {
	/* up to the colon, the kind of thing that happened (the explorer
	 * names a failure by it); after it, which task */
	[NOTE_MISPLACED] = "put a result in the next free slot, not its "
			   "task's: task %ld's result is out of task order",
	[NOTE_DIES] = "ended in the middle of a task: task %ld's result "
		      "will never come",
	[NOTE_LOST] = "sees a worker gone that held a task: P%2$d, with task "
		      "%1$ld, which a new worker gets",
};

static const struct lesson_variant pool_variants[] = {
	{ "map", "results placed by task index: in task order", NULL },
	{ "completion", "results placed as they complete: out of task "
	  "order", "--seed=5" },
	{ "die", "a worker ends in the middle of a task: the pool waits "
	  "for ever", "--seed=1" },
	{ "notice", "the same death, noticed: a timed wait, and a new "
	  "worker does the lost task", NULL },
	{ "threads", "map with worker threads, not processes: the same "
	  "pool in one address space", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option pool_options[] = {
	LESSON_NUMBER("workers", "workers (processes; threads in variant "
		      "threads)", 2, 2, 1, WORKERS_MAX),
	LESSON_NUMBER("tasks", "tasks submitted (items of data)", 4, 16, 1,
		      TASKS_MAX),
	LESSON_CHOICE("fn", "the function mapped: square(i) of 1..tasks, or "
		      "fib(n) for each task", SQUARE, fns),
	LESSON_NUMBER_WHEN("--fn=fib", "n", "fib's argument", 10, 30, 1, 35),
	LESSON_NUMBER("work", "more work in each task (steps, or ms)", 0, 0,
		      0, 1000),
	LESSON_NUMBER_WHEN("--variant=notice", "timeout", "how long P1 waits "
			   "for a result before it looks at the workers "
			   "(steps, or ms)", 1000, 100, 1, 100000),
	LESSON_END,
};

static const struct lesson_question pool_questions[] = {
	LESSON_ASK("map", "--tasks=4 --fn=square",
		   "map(square, [1, 2, 3, 4]) on two worker processes.  How "
		   "many of the four results are out of task order?",
		   QUIZ_NUMBER, "misplaced",
		   "0: each worker puts a result at its task's index, so "
		   "whichever worker did which, the list is [1, 4, 9, 16]"),
	LESSON_ASK("completion", "--workers=1",
		   "One worker, each result put in the next free slot as it "
		   "completes.  Are the results in task order?", QUIZ_YESNO,
		   "invariant",
		   "one worker completes the tasks in the order it takes "
		   "them, which is task order: completion order only differs "
		   "when two workers race"),
	LESSON_ASK("die", "--mode=step",
		   "The worker that takes task 1 ends in the middle of it.  "
		   "Will the run end in a deadlock?", QUIZ_YESNO, "deadlock",
		   "P1 waits for one post of done per task; the dead worker's "
		   "never comes, and nobody else will post it"),
	LESSON_ASK_END,
};

static const struct lesson_challenge pool_challenges[] = {
	LESSON_CHALLENGE("completion", "--workers=2 --tasks=2",
			 "end with both results in task order anyway",
			 "invariant", 0, false,
			 "completion order is task order when task 1 "
			 "finishes first: the broken pool is right by luck"),
	LESSON_CHALLENGE("map", "--workers=2 --tasks=3",
			 "let one worker do every task", "workers_used=1", 0,
			 false,
			 "a pool promises the order of the results, not who "
			 "does the work: a worker that is never run takes "
			 "nothing"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(pool);

const struct lesson pool_lesson = {
	.name = "pool",
	.topic = "processes",
	.summary = "a pool of worker processes takes tasks from a queue and "
		   "returns the results in task order (Pool.map)",
	.variants = pool_variants,
	.options = pool_options,
	.setup = pool_setup,
	.report = pool_report,
	.source = pool_source,
	.notes = pool_notes,
	.questions = pool_questions,
	.challenges = pool_challenges,
	.processes = true,
	.thread_variants = 1ull << THREADS,
};

LESSON_MAIN(pool_lesson)
