/*
 * tls: thread-local data, one copy per thread.
 *
 * Each worker counts its work twice: in `hits`, a thread-local variable,
 * and in `shared`, one counter for everybody.  hits is what C11's
 * `_Thread_local long hits;` (or Python's threading.local()) gives: every
 * thread has its own copy, nobody else touches it, so hits++ needs no
 * lock.  shared++ is the race lesson's read-then-write, and needs one.
 * A thread's copy ends with the thread, so a worker adds its count into
 * `sum` before it ends: one atomic add per thread, not a lock per count.
 *
 *   unlocked  shared++ without a lock: updates get lost; the sum of the
 *             per-thread counts is right all the same    (h1, u1, s1)
 *   locked    shared++ under a lock: both are right       (l1-l3)
 *   cached    each worker leaves a pointer to its copy (&hits) for a
 *             reporter, which adds them up once the workers have ended:
 *             the copies ended with them                  (c1, c2)
 *
 * hits is made with var_new_local() rather than the keyword so that each
 * of its loads and stores is traced, and the viewer can draw every
 * thread's copy; the comments give the C each line stands for.
 */
#include "lesson.h"

enum { UNLOCKED, LOCKED, CACHED };

static struct var_local *hits;	/* _Thread_local long hits; */
static struct var *shared, *sum;
static struct mutex *lock;
static struct sema *done;
static struct var_local **left;	/* cached: each worker's &hits, by id */
static long iterations, workers;

static void count(void)
{
	for (long i = 0; i < iterations; i++) {
		var_store(hits, var_load(hits) + 1);	/* h1: hits++, mine */
		if (lesson_variant() == UNLOCKED) {
			var_store(shared, var_load(shared) + 1); /* u1 */
			continue;
		}
		mutex_lock(lock);			/* l1 */
		var_store(shared, var_load(shared) + 1); /* l2: shared++ */
		mutex_unlock(lock);			/* l3 */
	}
}

static void worker(long id)
{
	count();
	if (lesson_variant() != CACHED) {
		var_add(sum, var_load(hits));	/* s1: while hits still lives */
		return;
	}
	left[id] = var_mine(hits);	/* c1: left[id] = &hits; */
	sema_post(done);
}

/* cached: adds up the workers' counts once they have all ended. */
static void reporter(long id)
{
	(void)id;
	for (long w = 1; w <= workers; w++)
		sema_wait(done);
	for (long w = 1; w <= workers; w++)
		var_add(sum, var_load(left[w]));	/* c2: *left[w], gone */
}

static void tls_setup(void)
{
	iterations = lesson_opt("iterations");
	workers = lesson_opt("threads");
	hits = var_new_local("hits", 0);
	shared = var_new("shared", 0);
	sum = var_new("sum", 0);
	if (lesson_variant() != UNLOCKED)
		lock = mutex_new("lock", MUTEX_NORMAL);
	for (long t = 1; t <= workers; t++)
		thread_new("count", worker, t);
	if (lesson_variant() != CACHED)
		return;
	left = lesson_calloc((size_t)workers + 1, sizeof(*left));
	done = sema_new("done", 0, 0);
	thread_new("reporter", reporter, 0);
}

static bool tls_report(void)
{
	long expected = workers * iterations;
	lesson_figure("sum", var_value(sum));
	lesson_figure("shared", var_value(shared));
	lesson_figure("expected", expected);
	if (lesson_step_mode())
		lesson_figure("lost_updates", lesson_lost_updates());
	return var_value(sum) == expected && var_value(shared) == expected;
}

static const struct lesson_variant tls_variants[] = {
	{ "unlocked", "hits++ in each thread's own copy, shared++ without a "
		      "lock", "--iterations=1 --schedule=1,1,1,2,2,2,2,1" },
	{ "locked", "hits++ in each thread's own copy, shared++ under a lock",
	  NULL },
	{ "cached", "a reporter adds up the workers' copies through pointers, "
		    "after the workers ended", "--iterations=1" },
	{ NULL, NULL, NULL },
};

static const struct lesson_option tls_options[] = {
	LESSON_NUMBER("threads", "workers, each counting in its own copy",
		      2, 4, 1, 32),
	LESSON_NUMBER("iterations", "counts per worker", 3, 1000000, 1,
		      1000000000),
	LESSON_END,
};

static const struct lesson_question tls_questions[] = {
	LESSON_ASK("unlocked", "--mode=step --threads=2 --iterations=3",
		   "Two workers each add 1 to their own copy of hits, 3 times, "
		   "with no lock, in any order: what do the copies add up to?",
		   QUIZ_NUMBER, "sum",
		   "no other thread can touch a thread's copy, so no update "
		   "is lost: 3 + 3 = 6"),
	LESSON_ASK("locked", NULL,
		   "With shared++ under a lock, will the shared counter end "
		   "equal to the sum of the copies?", QUIZ_YESNO, "invariant",
		   "the lock makes each read-and-write of shared one step no "
		   "other thread can come between"),
	LESSON_ASK("cached", "--mode=step --threads=2",
		   "A reporter follows pointers to the 2 workers' copies after "
		   "the workers ended: how many of its reads are refused?",
		   QUIZ_NUMBER, "misuses",
		   "a copy ends with its thread: each of the 2 reads through a "
		   "pointer to a finished thread's copy is refused"),
	LESSON_ASK_END,
};

static const struct lesson_challenge tls_challenges[] = {
	LESSON_CHALLENGE("unlocked", "--threads=2 --iterations=1",
			 "make shared end at 1 while sum is 2", "shared=1", 0,
			 false,
			 "both workers read shared as 0 before either writes it "
			 "back: one update is lost; their own copies, which "
			 "sum adds up, never race"),
	LESSON_CHALLENGE("unlocked", "--threads=2 --iterations=2",
			 "make shared end at 2: lose two of the four updates",
			 "shared=2", 0, false,
			 "one worker reads 0 and holds it while the other counts "
			 "to 2; its write of 1 covers both, and its own next "
			 "round ends at 2"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(tls);

const struct lesson tls_lesson = {
	.name = "tls",
	.topic = "threads",
	.summary = "thread-local counters need no lock; a shared counter does; "
		   "a thread's copy ends with it",
	.variants = tls_variants,
	.options = tls_options,
	.setup = tls_setup,
	.report = tls_report,
	.source = tls_source,
	.questions = tls_questions,
	.challenges = tls_challenges,
};

LESSON_MAIN(tls_lesson)
