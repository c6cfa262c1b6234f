/*
 * barrier: runners line up, wait until everyone is ready, then race.
 *
 * Each round, every runner walks back to the start line, lines up, and
 * runs --distance steps.  A runner that sets off before the whole field
 * has lined up for that round is an early start.  With a barrier, the last
 * runner to line up releases everyone, and fires the starting gun.
 *
 *   none            no barrier: a runner goes as soon as it lines up
 *   barrier         the library's barrier, with an action: "Fire!"
 *   naive-reusable  a counter and one turnstile, reused each round: a fast
 *                   runner takes a slow one's turn and laps the field (n1-n4)
 *   reusable        two turnstiles: nobody starts round r+1 before every
 *                   runner has left round r (u1-u6)
 *   timeout         one runner never shows up; the others give up after
 *                   --timeout and the barrier is broken for all of them
 */
#include <stdatomic.h>

#include "lesson.h"

enum { NONE, BARRIER, NAIVE, REUSABLE, TIMEOUT };
enum { NOTE_EARLY, NOTE_LAP };

#define RUNNERS_MAX 26

static struct barrier *start;
static struct mutex *lock;
static struct sema *turnstile, *turnstile2;
static struct var *count, *lined_up, *early, *shots, *told;
static struct var *lane[RUNNERS_MAX + 1];
static long runners, rounds, distance;
static _Atomic long round_of[RUNNERS_MAX + 1]; /* the last round lined up for */
static _Atomic int fired_by; /* the thread that fired the last gun */

/* The starting gun: run once per round, by the last runner to line up. */
static void fire(void)
{
	fired_by = lesson_thread();	/* the books, not a step */
	var_add(shots, 1);
}

/* naive-reusable: a count and one turnstile with a permit per runner. */
static void naive_wait(void)
{
	mutex_lock(lock);
	long n = var_load(count) + 1;
	var_store(count, n);
	if (n == runners) {			/* n1: the last to line up */
		fire();
		var_store(count, 0);		/* n2: ready for next round */
		for (long i = 0; i < runners; i++)
			sema_post(turnstile);	/* n3: a permit per runner */
	}
	mutex_unlock(lock);
	sema_wait(turnstile);			/* n4: even a leftover permit */
}

/* reusable: in through one turnstile, out through a second. */
static void reusable_wait(void)
{
	mutex_lock(lock);
	long n = var_load(count) + 1;
	var_store(count, n);
	if (n == runners) {			/* u1: the last to line up */
		fire();
		for (long i = 0; i < runners; i++)
			sema_post(turnstile);	/* u2: open the way in */
	}
	mutex_unlock(lock);
	sema_wait(turnstile);			/* u3 */
	mutex_lock(lock);
	n = var_load(count) - 1;
	var_store(count, n);
	if (n == 0)				/* u4: the last through */
		for (long i = 0; i < runners; i++)
			sema_post(turnstile2);	/* u5: open the way out */
	mutex_unlock(lock);
	sema_wait(turnstile2);			/* u6 */
}

/* Line up and wait for the start; false if the race was called off. */
static bool line_up(long id)
{
	var_add(lined_up, 1);
	round_of[id]++;			/* the books: who is behind */
	switch (lesson_variant()) {
	case BARRIER:
		barrier_wait(start);
		return true;
	case NAIVE:
		naive_wait();
		return true;
	case REUSABLE:
		reusable_wait();
		return true;
	case TIMEOUT:
		if (barrier_wait_for(start, lesson_opt("timeout")) ==
		    BARRIER_BROKEN) {
			var_add(told, 1);	/* t1: told the start is off */
			return false;
		}
		return true;
	default:
		return true;
	}
}

/* Off in round r before the field lined up: name a runner left behind. */
static void say_early(long r)
{
	int b = 0; /* rather one just a round behind: that is a lap */
	for (int i = 1; i <= runners; i++)
		if (round_of[i] < r && (!b || round_of[i] == r - 1))
			b = i;
	if (b && r > 1 && round_of[b] == r - 1)
		lesson_note_other(NOTE_LAP, r - 1, b);
	else if (b)
		lesson_note_other(NOTE_EARLY, r, b);
}

static void runner(long id)
{
	/* timeout: the last runner never shows up at the start */
	if (lesson_variant() == TIMEOUT && id == runners)
		return;
	for (long r = 1; r <= rounds; r++) {
		var_store(lane[id], 0);		/* back to the start line */
		if (!line_up(id))
			return;
		if (var_load(lined_up) < runners * r) {
			say_early(r);	/* off before all lined up */
			var_add(early, 1);
		}
		for (long d = 1; d <= distance; d++)
			var_store(lane[id], d);	/* one step down the track */
	}
}

static void barrier_setup(void)
{
	static char names[RUNNERS_MAX][2]; /* "A", "B", ... */
	runners = lesson_opt("runners");
	fired_by = 0;
	rounds = lesson_opt("rounds");
	distance = lesson_opt("distance");
	int v = lesson_variant();
	if (v == BARRIER || v == TIMEOUT)
		start = barrier_new("start", (int)runners, fire);
	if (v == NAIVE || v == REUSABLE) {
		lock = mutex_new("lock", MUTEX_NORMAL);
		turnstile = sema_new("turnstile", 0, 0);
		count = var_new("count", 0);
	}
	if (v == REUSABLE)
		turnstile2 = sema_new("turnstile2", 0, 0);
	lined_up = var_new("lined_up", 0);
	early = var_new("early", 0);
	shots = var_new("fired", 0);
	if (v == TIMEOUT)
		told = var_new("told", 0);
	for (long i = 1; i <= runners; i++) {
		names[i - 1][0] = (char)('A' + i - 1);
		round_of[i] = 0;
		lane[i] = var_new(names[i - 1], 0);
		var_track(lane[i], distance);
		thread_new(names[i - 1], runner, i);
	}
}

static bool barrier_report(void)
{
	long actions = var_value(shots), e = var_value(early);
	lesson_figure("rounds", rounds);
	lesson_figure("early_starts", e);
	lesson_figure("actions", actions);
	if (lesson_variant() == BARRIER)
		lesson_figure("fired_by", fired_by);
	if (lesson_variant() == TIMEOUT) {
		/* every runner who lined up must hear the start is off */
		lesson_figure("told_broken", var_value(told));
		return e == 0 && var_value(told) == runners - 1;
	}
	bool gun = lesson_variant() == NONE || actions == rounds;
	return e == 0 && gun;
}

static const struct lesson_variant barrier_variants[] = {
	{ "none", "no barrier: runners go as soon as they line up",
	  "--seed=1" },
	{ "barrier", "a barrier whose last arrival fires the gun",
	  NULL },
	{ "naive-reusable", "a counter and one turnstile: breaks in round 2",
	  "--rounds=2 --policy=rr --quantum=100" },
	{ "reusable", "two turnstiles: safe to reuse",
	  NULL },
	{ "timeout", "one runner never shows; the others time out",
	  NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option barrier_options[] = {
	LESSON_NUMBER("runners", "runners, named A, B, C, ...", 3, 3, 1, RUNNERS_MAX),
	LESSON_NUMBER("rounds", "races run, one after the other", 1, 1, 1, 10000),
	LESSON_NUMBER("distance", "steps from the start line to the finish", 3, 3, 1,
		      1000),
	LESSON_NUMBER_WHEN("--variant=timeout", "timeout", "timeout variant: how long to wait (ms; ticks "
		      "in step mode)",
		      100, 100, 1, 60000),
	LESSON_END,
};

static const char *const barrier_notes[] = {
	[NOTE_EARLY] = "set off in round %1$ld before T%2$d had lined up: an "
		       "early start",
	[NOTE_LAP] = "set off into the next round while T%2$d was still in "
		     "round %1$ld: a lap",
};

static const struct lesson_question barrier_questions[] = {
	LESSON_ASK("none", "--mode=step --runners=3 --rounds=1 --seed=1",
		   "No barrier, 3 runners, seed 1: how many of them set off "
		   "before the whole field has lined up?", QUIZ_NUMBER,
		   "early_starts",
		   "without a barrier a runner goes as soon as it lines up: "
		   "every one that is not the last to line up can be early, "
		   "and at seed 1, 2 are"),
	LESSON_ASK("barrier", "--mode=step --runners=3 --rounds=1 "
		   "--policy=rr --quantum=1",
		   "Round robin, one step each: which runner's thread fires "
		   "the starting gun (runs the barrier's action)?",
		   QUIZ_THREAD, "fired_by",
		   "the action runs in the last thread to arrive at "
		   "barrier_wait(), before anyone is released; in turn order "
		   "T1, T2, T3 arrive in that order, so T3 (runner C) fires"),
	LESSON_ASK("naive-reusable", "--mode=step --rounds=2 --policy=rr "
		   "--quantum=100",
		   "One turnstile reused for round 2, round robin 100 steps a "
		   "turn: will some runner set off early?", QUIZ_YESNO,
		   "early_starts>0",
		   "the last to line up posts a permit per runner (n3); a fast "
		   "runner that finishes round 1 comes back and takes a "
		   "leftover permit (n4): it laps the field in round 2"),
	LESSON_ASK("timeout", "--runners=3",
		   "Runner C never shows up; A and B wait with a timeout.  How "
		   "many runners are told the race is off?", QUIZ_NUMBER,
		   "told_broken",
		   "the first timeout breaks the barrier for everyone waiting "
		   "and everyone who comes later: A and B, 2 runners, hear "
		   "it (t1)"),
	LESSON_ASK_END,
};

static const struct lesson_challenge barrier_challenges[] = {
	LESSON_CHALLENGE("none", "--runners=2 --distance=1",
			 "make a runner start before the other has lined up",
			 "early_starts>=1", 0, false,
			 "without a barrier nothing holds the first runner at "
			 "the line: run it on before the other arrives"),
	LESSON_CHALLENGE("barrier", "--runners=2 --distance=1",
			 "make runner A fire the starting gun",
			 "fired_by=1", 0, false,
			 "the gun is fired by the last to arrive, whoever that "
			 "is: hold A back until B waits at the barrier"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(barrier);

const struct lesson barrier_lesson = {
	.name = "barrier",
	.topic = "synchronisation",
	.summary = "runners wait at the start until everyone is ready, then "
		   "race",
	.variants = barrier_variants,
	.options = barrier_options,
	.setup = barrier_setup,
	.report = barrier_report,
	.source = barrier_source,
	.questions = barrier_questions,
	.challenges = barrier_challenges,
	.notes = barrier_notes,
};

LESSON_MAIN(barrier_lesson)
