/*
 * timer: run a function later, on another thread (Python's threading.Timer).
 *
 * timer: the seed's Timer(3, f): main starts a timer and goes on (it says
 * "Waiting...", sleeps, "Still waiting..."); the timer's own thread runs
 * f once the delay has passed.  cancel: main cancels it before it fires,
 * and f never runs.
 *
 * heartbeat: each beat is a timer's function, and it re-arms the next
 * timer until a counter runs out ("ba bump... beeeeeeeeep.").  It counts
 * down first (h3), then re-arms (h4), then beats (h5).  The beat lasts
 * longer than the interval, so two beats are alive at once; that is fine,
 * because the counter was handed over before the next timer started.
 * rearm-first re-arms first and counts down after the beat (b1), from
 * the value it read: the next beat has already read the old value, and
 * the count never goes down.  (Timers are threads, made in setup(), so
 * the beats draw from a pool; a heart that runs out of them stops.)
 *
 *   timer        start (m1), go on (m2); f runs later (f1)
 *   cancel       start (m1), cancel before the delay (c1)
 *   heartbeat    count down (h3), then re-arm (h4)
 *   rearm-first  re-arm (h4), beat (h5), then count down (b1)
 */
#include "lesson.h"

enum { TIMER, CANCEL, HEARTBEAT, REARM_FIRST };
enum { NOTE_WAITING, NOTE_STILL, NOTE_RUNS, NOTE_CANCELLED, NOTE_BUMP,
       NOTE_BEEP, NOTE_NO_TIMER };

#define SPARE 2 /* timers beyond the beats a counter allows */

static const char *const beat_names[] = {
	"beat1", "beat2", "beat3", "beat4", "beat5", "beat6", "beat7",
	"beat8", "beat9", "beat10", "beat11", "beat12", "beat13", "beat14",
	"beat15",
};

static struct timer *alarm_timer, **beat;
static struct var *ran, *left, *bumps, *beeps;
static struct flag *done;
static long delay, wait_ticks, interval, rate, pool;
static long last; /* the beat that stopped the heart: set before `done` */

static void f(long arg)
{
	(void)arg;
	lesson_note(NOTE_RUNS, delay);
	var_add(ran, 1);			/* f1: the function runs */
}

static void main_alarm(long id)
{
	(void)id;
	timer_start(alarm_timer, delay);	/* m1: Timer(d, f).start() */
	lesson_note(NOTE_WAITING, delay);
	ltime_sleep(wait_ticks);		/* m2: main goes on */
	if (lesson_variant() == CANCEL) {
		timer_cancel(alarm_timer);	/* c1: too late, or in time */
		lesson_note(NOTE_CANCELLED, wait_ticks);
	} else {
		lesson_note(NOTE_STILL, wait_ticks);
	}
}

static void stop(long i, int note)
{
	lesson_note(note, i + 1);
	last = i;
	flag_set(done);
}

static void heartbeat(long i)
{
	long n = var_load(left);		/* h1: beats left */
	var_add(bumps, 1);
	lesson_note(NOTE_BUMP, n);		/* h2: ba bump... */
	if (n == 0) {
		var_add(beeps, 1);
		stop(i, NOTE_BEEP);
		return;
	}
	if (i + 1 == pool) {
		stop(i, NOTE_NO_TIMER);
		return;
	}
	if (lesson_variant() == HEARTBEAT)
		var_store(left, n - 1);		/* h3: count down... */
	timer_start(beat[i + 1], interval);	/* h4: ...then re-arm */
	ltime_sleep(rate);			/* h5: the beat lasts */
	if (lesson_variant() == REARM_FIRST)
		var_store(left, n - 1);		/* b1: count down, late */
}

static void main_heart(long id)
{
	(void)id;
	timer_start(beat[0], interval);		/* m3: the first beat */
	flag_wait(done);			/* m4: until it stops */
	for (long i = last + 1; i < pool; i++)
		timer_cancel(beat[i]);		/* m5: never started */
}

static void timer_setup(void)
{
	delay = lesson_opt("delay");
	wait_ticks = lesson_opt("wait");
	interval = lesson_opt("interval");
	rate = lesson_opt("rate");
	last = -1;
	ran = var_new("ran", 0);
	if (lesson_variant() == TIMER || lesson_variant() == CANCEL) {
		thread_new("main", main_alarm, 1);
		alarm_timer = timer_new("alarm", f, 0);
		return;
	}
	left = var_new("left", lesson_opt("beats"));
	bumps = var_new("bumps", 0);
	beeps = var_new("beeps", 0);
	done = flag_new("done");
	pool = lesson_opt("beats") + 1 + SPARE;
	beat = lesson_calloc((size_t)pool, sizeof(*beat));
	thread_new("main", main_heart, 1);
	for (long i = 0; i < pool; i++)
		beat[i] = timer_new(beat_names[i], heartbeat, i);
}

static bool timer_report(void)
{
	if (lesson_variant() == TIMER || lesson_variant() == CANCEL) {
		bool want = lesson_variant() == TIMER;
		lesson_figure("delay", delay);
		lesson_figure("wait", wait_ticks);
		lesson_figure("fired", timer_fired(alarm_timer));
		lesson_figure("ran", var_value(ran));
		return var_value(ran) == want &&
		       timer_fired(alarm_timer) == want;
	}
	long want = lesson_opt("beats") + 1;
	lesson_figure("bumps", var_value(bumps));
	lesson_figure("expected", want);
	lesson_figure("beeps", var_value(beeps));
	lesson_figure("timers", pool);
	return var_value(bumps) == want && var_value(beeps) == 1;
}

static const struct lesson_variant timer_variants[] = {
	{ "timer", "Timer(delay, f).start(): main goes on, f runs later",
	  NULL },
	{ "cancel", "main cancels the timer before it fires: f never runs",
	  NULL },
	{ "heartbeat", "each beat counts down, then re-arms the next timer",
	  NULL },
	{ "rearm-first", "re-arm, beat, then count down: the next beat reads "
			 "the old count", "--interval=1 --rate=2" },
	{ NULL, NULL, NULL },
};

static const struct lesson_option timer_options[] = {
	LESSON_NUMBER_WHEN("--variant=timer|cancel", "delay", "timer, cancel: the timer's delay (ticks in "
		      "step mode, ms in free mode)", 5, 30, 0, 1000),
	LESSON_NUMBER_WHEN("--variant=timer|cancel", "wait", "timer, cancel: main's sleep after starting "
		      "it (cancel: then it cancels)", 1, 10, 0, 1000),
	LESSON_NUMBER_WHEN("--variant=heartbeat|rearm-first", "beats", "heartbeat: the counter (beats after the "
		      "first)", 5, 5, 0, 12),
	LESSON_NUMBER_WHEN("--variant=heartbeat|rearm-first", "interval", "heartbeat: each timer's interval", 1, 5,
		      0, 1000),
	LESSON_NUMBER_WHEN("--variant=heartbeat|rearm-first", "rate", "heartbeat: how long a beat lasts", 2, 30, 0,
		      1000),
	LESSON_END,
};

static const char *const timer_notes[] = {
	[NOTE_WAITING] = "Waiting... (the timer fires in %ld)",
	[NOTE_STILL] = "Still waiting... (after %ld)",
	[NOTE_RUNS] = "f runs: the timer fired (its delay %ld passed)",
	[NOTE_CANCELLED] = "cancels the timer (after %ld)",
	[NOTE_BUMP] = "ba bump... (%ld left)",
	[NOTE_BEEP] = "beeeeeeeeep. (the heart stops after %ld beats)",
	[NOTE_NO_TIMER] = "no timer left to re-arm: the heart stops after "
			  "%ld beats, the count never ran out",
};

static const struct lesson_question timer_questions[] = {
	LESSON_ASK("timer", "--mode=step",
		   "main starts a timer of 5 ticks, sleeps 1 and exits.  Does "
		   "f still run?",
		   QUIZ_YESNO, "ran",
		   "the timer is a thread of its own, waiting with a timeout: "
		   "when nothing else can run, the clock jumps to its deadline "
		   "and it fires, whether main is there or not"),
	LESSON_ASK("cancel", "--mode=step --delay=3 --wait=3 --seed=3",
		   "main cancels the timer after sleeping exactly its delay.  "
		   "Can f still run (the invariant break)?",
		   QUIZ_YESNO, "fired",
		   "at the deadline both threads are ready, main to cancel "
		   "and the timer to time out: the scheduler picks; with seed "
		   "3 the timer goes first and f runs: cancel() only stops a "
		   "timer still waiting"),
	LESSON_ASK("heartbeat", "--mode=step --beats=5",
		   "The counter starts at 5.  How many times does the heart "
		   "go ba bump?",
		   QUIZ_NUMBER, "bumps",
		   "one beat for each value the counter takes, 5 down to 0: "
		   "6, as in the seed, then beeeeeeeeep"),
	LESSON_ASK("rearm-first", "--mode=step --beats=5",
		   "Re-arm first, count down after the beat (which lasts "
		   "longer than the interval).  How many beats?",
		   QUIZ_NUMBER, "bumps",
		   "a beat re-armed the next timer before it stored its count "
		   "(b1): the next beat reads the old count, a decrement is "
		   "lost, and the heart beats on until the pool of 8 timers "
		   "is used up: 8 beats, not 6"),
	LESSON_ASK_END,
};

static const struct lesson_challenge timer_challenges[] = {
	LESSON_CHALLENGE("cancel", "--delay=3 --wait=3",
			 "let f run although main cancels the timer",
			 "fired=1", 0, false,
			 "the timer's delay counts from when its thread "
			 "begins to wait, not from start(): let it begin "
			 "before main goes to sleep and its deadline comes "
			 "first; it fires, and main's cancel() is too late, "
			 "for cancel() only stops a timer still waiting"),
	LESSON_CHALLENGE("cancel", "--delay=3 --wait=3",
			 "cancel the timer in time: f never runs",
			 "ran=0", 0, false,
			 "let main go to sleep before the timer's thread "
			 "begins to wait: main's sleep ends first, and its "
			 "cancel() finds the timer still waiting and stops "
			 "it"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(timer);

const struct lesson timer_lesson = {
	.name = "timer",
	.summary = "run a function later: timers, cancel, a heartbeat",
	.variants = timer_variants,
	.options = timer_options,
	.setup = timer_setup,
	.report = timer_report,
	.source = timer_source,
	.topic = "threads", /* a Timer is a thread that runs f later */
	.notes = timer_notes,
	.info_notes = 1ull << NOTE_WAITING | 1ull << NOTE_STILL |
		      1ull << NOTE_RUNS | 1ull << NOTE_CANCELLED |
		      1ull << NOTE_BUMP | 1ull << NOTE_BEEP,
	.questions = timer_questions,
	.challenges = timer_challenges,
};

LESSON_MAIN(timer_lesson)
