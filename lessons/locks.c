/*
 * locks: a plain lock and a recursive one, and what each refuses.
 *
 * withdraw() takes the account's lock, then calls check_balance(), which
 * takes the same lock: it is called on its own too, and must not read a
 * balance that is half-changed.  A plain lock does not know who holds it:
 * the thread asks for a lock it holds and waits for itself, for ever.  A
 * recursive lock counts: taken twice by its holder, depth 2, and free
 * only when released as often as it was taken.  Only the holder may
 * release a lock: a release by anyone else, or one too many, is refused.
 *
 *   plain         withdraw holds the lock when check_balance asks (w1, c1)
 *   recursive     the same with a recursive lock: depth 1, 2, 1, 0
 *   extra-unlock  one release too many: refused with EPERM        (x1)
 *   not-owner     an auditor releases the teller's lock: refused  (n1)
 *   messy         two printers print the alphabet letter by letter
 *   tidy          each printer holds a lock for its whole alphabet (t1)
 */
#include <errno.h>

#include "lesson.h"

enum { PLAIN, RECURSIVE, EXTRA, NOT_OWNER, MESSY, TIDY };

static struct mutex *lock;
static struct var *balance, *column;
static long rounds, letters, threads;
static long *refused;  /* per thread: releases refused */
static long *printer;  /* per column: the thread that printed it */

static long check_balance(void)
{
	mutex_lock(lock);			/* c1: the same lock again */
	long b = var_load(balance);
	mutex_unlock(lock);
	return b;
}

static void withdraw(long id, long amount)
{
	mutex_lock(lock);			/* w1 */
	if (check_balance() >= amount)		/* w2: still holding it */
		var_store(balance, var_load(balance) - amount);
	mutex_unlock(lock);
	if (lesson_variant() == EXTRA && mutex_unlock(lock) == EPERM)
		refused[id]++;			/* x1: once more: refused */
}

static void teller(long id)
{
	for (long r = 0; r < rounds; r++)
		withdraw(id, 10);
}

/* not-owner: finds the bank locked and frees it, to read sooner. */
static void auditor(long id)
{
	if (mutex_unlock(lock) == EPERM)	/* n1: not its lock */
		refused[id]++;
	check_balance();
}

/* One letter a step, then a pause (the seed's time.sleep(0.01)). */
static void printer_body(long id)
{
	if (lesson_variant() == TIDY)
		mutex_lock(lock);		/* t1: the whole alphabet */
	for (long i = 0; i < letters; i++) {
		long col = var_add(column, 1);	/* p1: prints a letter */
		printer[col] = id;
		lesson_note((int)i, col + 1);
		work(1);
	}
	if (lesson_variant() == TIDY)
		mutex_unlock(lock);
}

static void locks_setup(void)
{
	int v = lesson_variant();
	threads = lesson_opt("threads");
	rounds = lesson_opt("rounds");
	letters = lesson_opt("letters");
	refused = lesson_calloc((size_t)threads + 1, sizeof(long));
	if (v != MESSY)
		lock = mutex_new("lock", v == PLAIN ? MUTEX_NORMAL
						    : MUTEX_RECURSIVE);
	if (v == MESSY || v == TIDY) {
		printer = lesson_calloc((size_t)(threads * letters),
					sizeof(long));
		column = var_new("column", 0);
		for (long t = 1; t <= threads; t++)
			thread_new(t % 2 ? "blue" : "red", printer_body, t);
		return;
	}
	balance = var_new("balance", 100);
	for (long t = 1; t <= threads; t++)
		thread_new(v == NOT_OWNER && t == threads ? "auditor" : "teller",
			   v == NOT_OWNER && t == threads ? auditor : teller, t);
}

/* Printing: each alphabet in one piece is threads - 1 switches. */
static bool locks_report_print(void)
{
	long switches = 0, n = var_value(column);
	for (long c = 1; c < n; c++)
		switches += printer[c] != printer[c - 1];
	lesson_figure("letters", n);
	lesson_figure("switches", switches);
	return switches == threads - 1 && n == threads * letters;
}

static bool locks_report(void)
{
	int v = lesson_variant();
	if (v == MESSY || v == TIDY)
		return locks_report_print();
	long tellers = threads - (v == NOT_OWNER), n = tellers * rounds;
	long expected = 100 - 10 * (n < 10 ? n : 10), bad = 0;
	for (long t = 1; t <= threads; t++)
		bad += refused[t];
	lesson_figure("balance", var_value(balance));
	lesson_figure("expected", expected);
	lesson_figure("refused", bad);
	return var_value(balance) == expected && bad == 0;
}

static const struct lesson_variant locks_variants[] = {
	{ "plain", "a plain lock, taken again by its holder: it waits for "
		   "itself", "--threads=1" },
	{ "recursive", "a recursive lock: taken twice, released twice", NULL },
	{ "extra-unlock", "one release too many: refused", "--threads=1" },
	{ "not-owner", "an auditor releases the teller's lock: refused",
	  "--schedule=1,2" },
	{ "messy", "two printers, no lock: the letters interleave",
	  "--policy=rr" },
	{ "tidy", "each printer holds a lock for its whole alphabet", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option locks_options[] = {
	LESSON_NUMBER("threads", "tellers (not-owner: the last audits), or "
		      "printers", 2, 2, 1, 8),
	LESSON_NUMBER_WHEN("--variant=plain|recursive|extra-unlock|not-owner",
			   "rounds", "withdrawals of 10 per teller", 3, 100000, 1,
		      1000000000),
	LESSON_NUMBER_WHEN("--variant=messy|tidy", "letters", "letters of the alphabet each printer prints",
		      26, 26, 1, 26),
	LESSON_END,
};

/* The printers' notes: note i is letter i, in the order they print. */
static const char *const locks_notes[] = {
	"prints a", "prints b", "prints c", "prints d", "prints e",
	"prints f", "prints g", "prints h", "prints i", "prints j",
	"prints k", "prints l", "prints m", "prints n", "prints o",
	"prints p", "prints q", "prints r", "prints s", "prints t",
	"prints u", "prints v", "prints w", "prints x", "prints y",
	"prints z",
};

static const struct lesson_question locks_questions[] = {
	LESSON_ASK("plain", "--threads=1",
		   "One thread takes a plain lock, then takes it again: will "
		   "the run deadlock?", QUIZ_YESNO, "deadlock",
		   "a plain lock does not know its holder: the second lock() "
		   "waits for a release that only the waiting thread could make"),
	LESSON_ASK("extra-unlock", "--mode=step --threads=1 --rounds=3",
		   "A teller releases its lock once more than it took it, "
		   "each of its 3 withdrawals: how many releases are refused?",
		   QUIZ_NUMBER, "refused",
		   "an error-checking lock refuses a release by a thread that "
		   "does not hold it: one extra release per withdrawal, 3"),
	LESSON_ASK("tidy", "--mode=step --threads=2",
		   "Each printer holds a lock for its whole alphabet: how many "
		   "times does the output switch from one printer to the "
		   "other?", QUIZ_NUMBER, "switches",
		   "the second printer waits at the lock until the first has "
		   "printed all of its letters: 1 switch"),
	LESSON_ASK_END,
};

static const struct lesson_challenge locks_challenges[] = {
	LESSON_CHALLENGE("not-owner", "--threads=2 --rounds=1",
			 "make the auditor's release be refused",
			 "refused>=1", 0, false,
			 "the auditor never took the lock: releasing it is "
			 "refused (EPERM) while the teller holds it"),
	LESSON_CHALLENGE("messy", "--threads=2 --letters=2",
			 "make the printers switch as often as they can",
			 "switches=3", 0, false,
			 "alternate the printers at every letter: with no lock "
			 "each letter is a chance for the other to cut in"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(locks);

const struct lesson locks_lesson = {
	.name = "locks",
	.summary = "a plain lock and a recursive one, and what each refuses",
	.variants = locks_variants,
	.options = locks_options,
	.setup = locks_setup,
	.report = locks_report,
	.source = locks_source,
	.questions = locks_questions,
	.challenges = locks_challenges,
	.topic = "synchronisation",
	.notes = locks_notes,
	.info_notes = (1ull << 26) - 1 /* "prints a".."prints z" */,
};

LESSON_MAIN(locks_lesson)
