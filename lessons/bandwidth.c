/*
 * bandwidth: a semaphore with k permits lets at most k workers in at once.
 *
 * Workers A, B, C, ... each do --jobs jobs.  A job is a section that costs
 * time (--cost: steps in step mode, milliseconds in free mode): a
 * connection from a pool, a slot of a rate limit, a share of a link.  The
 * figure that matters is how many workers are inside at the same time.
 *
 *   none       no limit: everyone is inside at once
 *   semaphore  take a permit before the job, give it back after  (s1-s3)
 *   mutex      one permit is a lock: k = 1                       (m1-m3)
 *   bounded    a bounded semaphore, and a worker that gives its
 *              permit back twice: the extra release is refused   (b1-b4)
 *
 * A plain semaphore cannot tell a release from a spare permit: released
 * twice, its count grows past k for good, and k + 1 workers get in.  A
 * bounded semaphore knows its k and refuses.
 */
#include "lesson.h"

enum { NONE, SEMAPHORE, MUTEX, BOUNDED };
enum { NOTE_OVER };

static struct sema *permits;
static struct mutex *lock;
static struct var *inside, *done;
static long jobs, cost, k;

/* The section being limited: in, work, out. */
static void job(void)
{
	long was = var_add(inside, 1);	/* j1: one more inside */
	if (was == k)			/* the (k+1)-th is in: too many */
		lesson_note(NOTE_OVER, was + 1);
	work(cost);			/* j2: the job itself */
	var_add(inside, -1);		/* j3: out again */
	var_add(done, 1);
}

static void worker_none(long id)
{
	(void)id;
	for (long j = 0; j < jobs; j++)
		job();
}

static void worker_semaphore(long id)
{
	(void)id;
	for (long j = 0; j < jobs; j++) {
		sema_wait(permits);		/* s1: take a permit */
		job();				/* s2 */
		sema_post(permits);		/* s3: give it back */
	}
}

static void worker_mutex(long id)
{
	(void)id;
	for (long j = 0; j < jobs; j++) {
		mutex_lock(lock);		/* m1 */
		job();				/* m2 */
		mutex_unlock(lock);		/* m3 */
	}
}

static void worker_bounded(long id)
{
	for (long j = 0; j < jobs; j++) {
		sema_wait(permits);		/* b1 */
		job();				/* b2 */
		sema_post(permits);		/* b3 */
		if (id == 1 && j == 0)
			sema_post(permits);	/* b4: bug: released twice */
	}
}

static void (*const workers[])(long) = {
	[NONE] = worker_none,
	[SEMAPHORE] = worker_semaphore,
	[MUTEX] = worker_mutex,
	[BOUNDED] = worker_bounded,
};

static const char *const names[] = {
	"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
	"N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
	"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
	"n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
};

/* k: the permits; a mutex is one. */
static long bandwidth_k(void)
{
	return lesson_variant() == MUTEX ? 1 : lesson_opt("permits");
}

static void bandwidth_setup(void)
{
	int v = lesson_variant();
	k = bandwidth_k();
	jobs = lesson_opt("jobs");
	cost = lesson_opt("cost");
	if (v == SEMAPHORE || v == BOUNDED)
		permits = sema_new("permits", k, v == BOUNDED ? k : 0);
	if (v == MUTEX)
		lock = mutex_new("lock", MUTEX_NORMAL);
	inside = var_new("inside", 0);
	done = var_new("done", 0);
	var_chart(inside);
	var_keep_peak(inside);
	for (long w = 1; w <= lesson_opt("workers"); w++)
		thread_new(names[w - 1], workers[v], w);
}

static bool bandwidth_report(void)
{
	long n = lesson_opt("workers");
	lesson_figure("permits", k);
	lesson_figure("max_inside", var_peak(inside));
	lesson_figure("jobs", var_value(done));
	if (!lesson_step_mode()) {
		long us = lesson_elapsed_us() > 0 ? lesson_elapsed_us() : 1;
		long limit = lesson_variant() == NONE || k > n ? n : k;
		lesson_figure("throughput", var_value(done) * 1000000 / us);
		lesson_figure("ideal", limit * 1000 / cost);
	}
	return var_peak(inside) <= k;
}

static const struct lesson_variant bandwidth_variants[] = {
	{ "none", "no limit: every worker inside at once",
	  "--seed=1" },
	{ "semaphore", "a counting semaphore with k permits",
	  NULL },
	{ "mutex", "k = 1: a semaphore of one permit is a lock",
	  NULL },
	{ "bounded", "a bounded semaphore refuses a permit given back twice",
	  NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option bandwidth_options[] = {
	LESSON_NUMBER("workers", "workers, named A, B, C, ...", 5, 5, 1, 52),
	LESSON_NUMBER_WHEN("--variant=none|semaphore|bounded", "permits", "k: how many may be inside at once", 2, 2, 1, 64),
	LESSON_NUMBER("jobs", "jobs per worker", 2, 10, 1, 1000000),
	LESSON_NUMBER("cost", "one job: steps in step mode, milliseconds in free mode",
		      3, 10, 1, 60000),
	LESSON_END,
};

static const char *const bandwidth_notes[] = {
	[NOTE_OVER] = "went in: now %ld workers are inside, one more than "
		      "the limit k",
};

static const struct lesson_question bandwidth_questions[] = {
	LESSON_ASK("none", "--mode=step --workers=5 --policy=rr --quantum=1",
		   "No limit, 5 workers, round robin: at most how many "
		   "workers are inside at once?", QUIZ_NUMBER, "max_inside",
		   "nothing stops a worker at the door: in turn order all 5 "
		   "walk in before the first one's job is done"),
	LESSON_ASK("semaphore", NULL,
		   "A semaphore with k permits: will more than k workers be "
		   "inside at once at any moment of the run?", QUIZ_YESNO,
		   "max_inside>permits",
		   "a worker waits for a permit before it goes in and gives "
		   "it back when it leaves; the count never goes below 0, so "
		   "at most k are inside, on any schedule"),
	LESSON_ASK("bounded", "--mode=step",
		   "A bounded semaphore, and one worker gives its permit back "
		   "twice: how many of the posts are refused?", QUIZ_NUMBER,
		   "misuses",
		   "a bounded semaphore refuses a post that would raise its "
		   "count above the bound, and reports it: 1, the extra post"),
	LESSON_ASK_END,
};

static const struct lesson_challenge bandwidth_challenges[] = {
	LESSON_CHALLENGE("none", "--workers=2 --permits=1 --jobs=1 --cost=1",
			 "get two workers inside with k=1",
			 "max_inside>permits", 0, false,
			 "with no semaphore nothing counts who is inside: let "
			 "the second worker in before the first has left"),
	LESSON_CHALLENGE("semaphore", "--workers=2 --permits=2 --jobs=1 "
			 "--cost=1",
			 "get both workers inside at once, as k=2 allows",
			 "max_inside=2", 0, false,
			 "two permits let two in: run the second worker's wait "
			 "while the first is still inside"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(bandwidth);

const struct lesson bandwidth_lesson = {
	.name = "bandwidth",
	.topic = "synchronisation",
	.summary = "a semaphore with k permits lets at most k workers in at "
		   "once",
	.variants = bandwidth_variants,
	.options = bandwidth_options,
	.setup = bandwidth_setup,
	.report = bandwidth_report,
	.source = bandwidth_source,
	.questions = bandwidth_questions,
	.challenges = bandwidth_challenges,
	.notes = bandwidth_notes,
};

LESSON_MAIN(bandwidth_lesson)
