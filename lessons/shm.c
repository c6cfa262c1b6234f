/*
 * shm: named shared memory, found by name in /dev/shm.
 *
 * Memory that processes share need not be made before they fork: a
 * process can create a *named* segment (shm_open, ftruncate, mmap) and
 * any other process, forked before or after, can attach to it by that
 * name.  The name outlives the processes that use it: a segment stays in
 * /dev/shm until someone unlinks it, even when nobody maps it.
 *
 * Here a creator makes "/matrix", sizes it and writes a small matrix
 * (row r holds r in every cell), then closes it.  Workers attach by name
 * and, row by row, read the row and write a new one: every cell gets the
 * worker's stamp, 100 x its number + the round.  A row is one record: all
 * its cells should come from one write.  At the end the main process
 * attaches, checks every row, closes and unlinks.
 *
 *   correct        a lock around each row's read and write      (w2-w5)
 *   early-attach   the workers are forked with the creator, and attach
 *                  at once: before it made the name, or sized it (w1)
 *   forget-unlink  nobody unlinks: the segment outlives the run (m6)
 *   unlocked       no lock: two writers take turns inside a row, which
 *                  ends half from one and half from the other (torn)
 */
#include "lesson.h"

enum { CORRECT, EARLY_ATTACH, FORGET_UNLINK, UNLOCKED };
enum { NOTE_TORN };

static struct shm *m;       /* the segment: a name in setup, real later */
static struct mutex *lock;  /* process-shared */
static struct var *attached, *torn;
static long rows, cols, rounds;

/* Read row r whole; a row whose cells differ is torn: say so, naming
 * who wrote its first cell (worker k is P(k+2), the creator P2). */
static void check_row(int r)
{
	long first = shm_load(m, r, 0);				/* w3 */
	for (int c = 1; c < cols; c++) {
		long v = shm_load(m, r, c);
		if (v != first) {
			lesson_note_other(NOTE_TORN, r, (int)(first / 100) + 2);
			var_add(torn, 1);
			return;
		}
	}
}

/* P2: make the segment, fill it, let it go (its name stays). */
static void creator(long unused)
{
	(void)unused;
	shm_create(m);						/* c1 */
	shm_size(m);						/* c2 */
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++)
			shm_store(m, r, c, r);			/* c3 */
	shm_close(m);						/* c4 */
}

/* Worker k: attach by name, rewrite every row with its stamp. */
static void worker(long k)
{
	bool locked = lesson_variant() != UNLOCKED;
	if (shm_attach(m) < 0)					/* w1 */
		return; /* nothing to work on */
	var_add(attached, 1);
	for (long i = 1; i <= rounds; i++)
		for (int r = 0; r < rows; r++) {
			if (locked)
				mutex_lock(lock);		/* w2 */
			check_row(r);				/* w3 */
			for (int c = 0; c < cols; c++)
				shm_store(m, r, c, 100 * k + i % 100); /* w4 */
			if (locked)
				mutex_unlock(lock);		/* w5 */
		}
	shm_close(m);						/* w6 */
}

/* P1: the creator first (but early-attach forks all at once), then the
 * workers; at the end check the matrix and unlink it. */
static void main_proc(long workers)
{
	int pid[32];
	int c = proc_fork("creator", creator, 0);		/* m1 */
	if (lesson_variant() != EARLY_ATTACH)
		proc_join(c);					/* m2 */
	for (long k = 1; k <= workers; k++)
		pid[k - 1] = proc_fork("worker", worker, k);	/* m3 */
	if (lesson_variant() == EARLY_ATTACH)
		proc_join(c);
	for (long k = 1; k <= workers; k++)
		proc_join(pid[k - 1]);
	if (shm_attach(m) == 0) {				/* m4 */
		for (int r = 0; r < rows; r++)
			check_row(r);
		shm_close(m);					/* m5 */
	}
	if (lesson_variant() != FORGET_UNLINK)
		shm_unlink(m);					/* m6 */
}

static void shm_setup(void)
{
	rows = lesson_opt("rows");
	cols = lesson_opt("cols");
	rounds = lesson_opt("rounds");
	m = shm_new(lesson_opt_text("segment"), (int)rows, (int)cols);
	if (lesson_variant() != UNLOCKED)
		lock = mutex_new("lock", MUTEX_NORMAL);
	attached = var_new("attached", 0);
	torn = var_new("torn", 0);
	process_new("main", main_proc, lesson_opt("workers"));
}

static bool shm_report(void)
{
	bool left = shm_left(m);
	lesson_figure("attached", var_value(attached));
	lesson_figure("workers", lesson_opt("workers"));
	lesson_figure("torn", var_value(torn));
	lesson_figure("left", left);
	return var_value(attached) == lesson_opt("workers") &&
	       var_value(torn) == 0 && !left;
}

static const char *const shm_notes[] = {
	[NOTE_TORN] = "read row %1$ld of the segment torn: its first cell is "
		      "from P%2$d's write, a later one from another write: "
		      "half one writer's row, half another's",
	NULL,
};

static const struct lesson_variant shm_variants[] = {
	{ "correct", "a lock around each row's read and write", NULL },
	{ "early-attach", "workers attach before the creator made and sized "
	  "the segment", "--schedule=1,1,1,2,3" },
	{ "forget-unlink", "nobody unlinks the segment: it stays in /dev/shm",
	  "--seed=1" },
	{ "unlocked", "no lock: two writers tear a row", "--policy=rr "
	  "--quantum=2" },
	{ NULL, NULL, NULL },
};

static const struct lesson_option shm_options[] = {
	LESSON_NUMBER("workers", "processes that attach by name and rewrite "
		      "the rows", 2, 4, 1, 16),
	LESSON_NUMBER("rows", "rows of the matrix", 2, 4, 1, 8),
	LESSON_NUMBER("cols", "cells per row", 3, 8, 1, 8),
	LESSON_NUMBER("rounds", "times each worker rewrites every row", 1,
		      20000, 1, 1000000),
	LESSON_TEXT("segment", "the segment's name: a '/', then a word; at "
		    "most 31 characters", "/matrix", shm_name_check),
	LESSON_END,
};

static const struct lesson_question shm_questions[] = {
	LESSON_ASK("forget-unlink", "--mode=step",
		   "Every process closes its mapping and exits, and nobody "
		   "unlinks the name: how many segments are left in /dev/shm?",
		   QUIZ_NUMBER, "left",
		   "a segment lives until its name is unlinked, whoever maps "
		   "it: 1 is left (and the runtime then removes it)"),
	LESSON_ASK("unlocked", "--mode=step --policy=rr",
		   "Two workers rewrite each row, one cell a step, without a "
		   "lock, taking turns: will a row end up torn, half one "
		   "worker's, half the other's?", QUIZ_YESNO, "torn>0",
		   "a row is several stores, and the other writer runs "
		   "between them"),
	LESSON_ASK("correct", NULL,
		   "With a lock around each row's read and write, how many "
		   "torn rows?", QUIZ_NUMBER, "torn",
		   "the lock lets one writer rewrite a whole row before the "
		   "other starts: 0"),
	LESSON_ASK_END,
};

static const struct lesson_challenge shm_challenges[] = {
	LESSON_CHALLENGE("unlocked", "--workers=2 --rows=1 --cols=2",
			 "tear the row: a reader sees cells of two writes",
			 "torn>=1", 0, false,
			 "with no lock, a worker can read the row between "
			 "another's first and second store"),
	LESSON_CHALLENGE("early-attach", "--workers=1 --rows=1 --cols=1",
			 "make the worker attach anyway", "attached=1", 0,
			 false,
			 "the order is right when the creator has made and sized "
			 "the segment before the worker attaches; nothing "
			 "enforces it, so only the schedule can"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(shm);

const struct lesson shm_lesson = {
	.name = "shm",
	.topic = "processes",
	.summary = "processes find a named shared-memory segment by name, "
		   "rewrite its rows, close and unlink it",
	.variants = shm_variants,
	.options = shm_options,
	.setup = shm_setup,
	.report = shm_report,
	.source = shm_source,
	.notes = shm_notes,
	.processes = true,
	.questions = shm_questions,
	.challenges = shm_challenges,
};

LESSON_MAIN(shm_lesson)
