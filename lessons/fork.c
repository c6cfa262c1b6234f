/*
 * fork: each process has its own memory.
 *
 * The parent forks a child that squares the numbers 1..N into `result`
 * and adds them up in `square_sum`, waits for it (join), and prints the
 * sum it sees.  The code is the same in every variant; what changes is
 * where the memory lives.
 *
 *   private  result and square_sum are ordinary variables: fork() gives
 *            the child its own copy, the child fills *its* copy, and the
 *            parent's stays empty.  It prints 0.
 *   shared   they live in memory mapped shared before the fork (what
 *            Python's multiprocessing.Array and Value are): the child's
 *            writes are the parent's too.  It prints N(N+1)(2N+1)/6.
 *   no-join  shared, but the parent prints before it waits for the
 *            child: what it sees depends on how far the child got.
 *
 * is_alive() before and after the join shows what join waits for.
 */
#include "lesson.h"

enum { PRIVATE, SHARED, NO_JOIN };
enum { READ_EARLY };

static struct var *result[16]; /* private or shared: see setup */
static struct var *square_sum;
static struct var *printed;    /* the terminal: every process shares it */
static long numbers;

/* The child: square each number into result, add them up. */
static void square_list(long unused)
{
	(void)unused;
	for (long i = 0; i < numbers; i++) {
		var_store(result[i], (i + 1) * (i + 1));	/* s1 */
		long sum = var_load(square_sum);		/* s2 */
		var_store(square_sum, sum + (i + 1) * (i + 1));	/* s3 */
	}
}

/* The parent: fork, wait, print what it sees. */
static void parent(long unused)
{
	(void)unused;
	int child = proc_fork("square_list", square_list, 0);	/* p1 */
	proc_alive(child);					/* p2 */
	if (lesson_variant() != NO_JOIN)
		proc_join(child);				/* p3 */
	bool running = proc_alive(child);			/* p4 */
	long seen = var_load(square_sum);			/* p5 */
	if (running)
		lesson_note(READ_EARLY, seen);
	var_store(printed, seen);				/* p6: print */
	if (lesson_variant() == NO_JOIN)
		proc_join(child);	/* late: only so that it is reaped */
}

static void fork_setup(void)
{
	numbers = lesson_opt("numbers");
	bool shared = lesson_variant() != PRIVATE;
	static const char *const names[16] = {
		"result[0]", "result[1]", "result[2]", "result[3]",
		"result[4]", "result[5]", "result[6]", "result[7]",
		"result[8]", "result[9]", "result[10]", "result[11]",
		"result[12]", "result[13]", "result[14]", "result[15]",
	};
	for (long i = 0; i < numbers; i++)
		result[i] = shared ? var_new(names[i], 0)
				   : var_new_private(names[i], 0);
	square_sum = shared ? var_new("square_sum", 0)
			    : var_new_private("square_sum", 0);
	printed = var_new("printed", -1);
	process_new("main", parent, 0);
}

static bool fork_report(void)
{
	long expected = numbers * (numbers + 1) * (2 * numbers + 1) / 6;
	lesson_figure("printed", var_value(printed));
	lesson_figure("expected", expected);
	return var_value(printed) == expected;
}

static const struct lesson_variant fork_variants[] = {
	{ "private", "the child squares into its own copy; the parent's "
	  "stays empty", "--policy=rr" },
	{ "shared", "result and square_sum in shared memory, read after "
	  "the join", NULL },
	{ "no-join", "shared, but the parent prints before the child is done",
	  "--schedule=1,1,1,1" },
	{ NULL, NULL, NULL },
};

static const struct lesson_option fork_options[] = {
	LESSON_NUMBER("numbers", "the child squares 1..numbers", 4, 4, 1, 16),
	LESSON_END,
};

static const char *const fork_notes[] = {
	[READ_EARLY] = "read square_sum = %ld while its child was still "
		       "running: without a join, the parent sees whatever the "
		       "child has written so far",
};

static const struct lesson_question fork_questions[] = {
	LESSON_ASK("private", "--numbers=4",
		   "The child sums the squares 1..4 into square_sum, which "
		   "is private: what does the parent print?", QUIZ_NUMBER,
		   "printed",
		   "fork() gave the child a copy of the parent's memory: it "
		   "writes 30 into its own square_sum, the parent's stays 0"),
	LESSON_ASK("shared", "--numbers=4",
		   "square_sum in shared memory, read after the join: what "
		   "does the parent print?", QUIZ_NUMBER, "printed",
		   "both processes map the same page, and join (p3) waits for "
		   "the child to exit: the parent reads the child's 30"),
	LESSON_ASK("no-join", "--numbers=4 --schedule=1,1,1,1",
		   "Shared memory but no join, and the parent runs its first "
		   "four steps before the child runs at all: what does it "
		   "print?", QUIZ_NUMBER, "printed",
		   "the parent prints square_sum before the child has added "
		   "anything: 0.  Without a join, it prints how far the child "
		   "got"),
	LESSON_ASK_END,
};

static const struct lesson_challenge fork_challenges[] = {
	LESSON_CHALLENGE("no-join", "--numbers=1",
			 "make the parent print before the child is done",
			 "printed!=expected", 0, false,
			 "without the join the parent reads square_sum "
			 "whenever it is scheduled: before the child writes, "
			 "it prints the old value"),
	LESSON_CHALLENGE("no-join", "--numbers=1",
			 "make the parent print the right sum anyway",
			 "printed=expected", 0, false,
			 "run the child to its end first and the missing join "
			 "does not show: a race that a lucky schedule hides"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(fork);

const struct lesson fork_lesson = {
	.name = "fork",
	.summary = "a forked child has its own memory: what it writes, the "
		   "parent does not see",
	.variants = fork_variants,
	.options = fork_options,
	.setup = fork_setup,
	.report = fork_report,
	.source = fork_source,
	.questions = fork_questions,
	.challenges = fork_challenges,
	.notes = fork_notes,
	.processes = true,
	.topic = "processes",
};

LESSON_MAIN(fork_lesson)
