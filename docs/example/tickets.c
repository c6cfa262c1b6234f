/*
 * tickets: buyers look for a free seat, then take it, and sell seats that
 * are not there.  (The example lesson of docs/writing-lessons.md: built
 * and run by make check, not listed by the launcher.)
 *
 * Each buyer keeps buying while a seat is left.  "Is one left?" and "take
 * it" are two steps: if another buyer takes the last seat between them,
 * the first one takes it too, and the show is oversold.  No update is
 * lost here (the take is one atomic add); the bug is acting on a look
 * that is out of date: check-then-act.
 *
 *   unsafe  look, then take: another buyer can take it between  (u1-u2)
 *   locked  a lock around the look and the take                 (k1-k4)
 */
#include "lesson.h"

enum { UNSAFE, LOCKED };
enum { OVERSOLD };

static struct var *seats, *sold;
static struct mutex *lock;

/* Take a seat (it is there, or so the buyer thinks); count the sale. */
static void take(void)
{
	long left = var_add(seats, -1);		/* t1: seats--; left: before */
	if (left <= 0)
		lesson_note(OVERSOLD, left - 1);
	var_add(sold, 1);			/* t2: sold++ */
}

static void buyer_unsafe(long unused)
{
	(void)unused;
	while (var_load(seats) > 0)		/* u1: a seat left? */
		take();				/* u2: then take it */
}

static void buyer_locked(long unused)
{
	(void)unused;
	for (bool left = true; left;) {
		mutex_lock(lock);			/* k1 */
		left = var_load(seats) > 0;		/* k2: look... */
		if (left)
			take();				/* k3: ...and take */
		mutex_unlock(lock);			/* k4 */
	}
}

static void tickets_setup(void)
{
	seats = var_new("seats", lesson_opt("seats"));
	sold = var_new("sold", 0);
	if (lesson_variant() == LOCKED)
		lock = mutex_new("lock", MUTEX_NORMAL);
	for (long b = 1; b <= lesson_opt("buyers"); b++)
		thread_new("buyer", lesson_variant() == LOCKED ? buyer_locked
							       : buyer_unsafe, b);
}

/* The invariant: no more sold than there were seats. */
static bool tickets_report(void)
{
	lesson_figure("seats", lesson_opt("seats"));
	lesson_figure("sold", var_value(sold));
	return var_value(sold) <= lesson_opt("seats");
}

static const struct lesson_variant tickets_variants[] = {
	{ "unsafe", "look, then take: another buyer can take it between",
	  "--seats=1 --schedule=1,2" },
	{ "locked", "a lock around the look and the take", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option tickets_options[] = {
	LESSON_NUMBER("buyers", "buyer threads", 2, 4, 1, 16),
	LESSON_NUMBER("seats", "seats for sale", 1, 100000, 0, 100000000),
	LESSON_END,
};

static const char *const tickets_notes[] = {
	[OVERSOLD] = "took a seat that was gone: %ld seats left",
};

static const struct lesson_question tickets_questions[] = {
	LESSON_ASK("unsafe", "--buyers=2 --seats=1 --schedule=1,2",
		   "One seat, two buyers; both look before either takes. "
		   "How many tickets are sold?", QUIZ_NUMBER, "sold",
		   "both saw a seat left (u1), so both take one (u2): 2 sold "
		   "for 1 seat"),
	LESSON_ASK("locked", NULL, "With the lock: is every ticket sold "
		   "for a seat (the invariant held)?", QUIZ_YESNO, "invariant",
		   "the look and the take are one critical section (k1-k4): "
		   "nobody takes the seat between them"),
	LESSON_ASK_END,
};

static const struct lesson_challenge tickets_challenges[] = {
	LESSON_CHALLENGE("unsafe", "--buyers=3 --seats=1",
			 "sell three tickets for one seat", "sold=3", 0,
			 false, "all three must look (u1) before the first "
			 "takes (u2)"),
	LESSON_CHALLENGE("unsafe", "--buyers=2 --seats=2",
			 "sell three tickets for two seats", "sold=3", 0,
			 false, "one buyer takes the first seat; then both "
			 "look at the last one before either takes it"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(tickets);

const struct lesson tickets_lesson = {
	.name = "tickets",
	.topic = "threads",
	.summary = "buyers look for a free seat, then take it, and oversell",
	.variants = tickets_variants,
	.options = tickets_options,
	.setup = tickets_setup,
	.report = tickets_report,
	.source = tickets_source,
	.notes = tickets_notes,
	.questions = tickets_questions,
	.challenges = tickets_challenges,
};

LESSON_MAIN(tickets_lesson)
