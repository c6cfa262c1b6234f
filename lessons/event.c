/*
 * event: a flag that threads wait for (Python's threading.Event).
 *
 * stats: readers wait for the flag `ready`, then read a table of
 * statistics; the updater fills the table in, then raises the flag.  A
 * reader that got past the wait sees the whole table: every entry was
 * written before the flag went up.  set-first raises it before the
 * table is written, and a reader can find it empty or half filled.
 *
 * counter: the seed's counter counts while the flag `run` is up.  It
 * waits with a timeout: wait_for() returns true at once while the flag
 * is up, and false when the timeout passes with the flag down, so the
 * counter notices the pause (and could do something else) instead of
 * hanging.  A switch raises and lowers the flag, sleeping in between.
 *
 *   stats       fill the table (u1, u2), then raise the flag (u3)
 *   set-first   raise the flag (b1), then fill the table
 *   counter     count while `run` is up (k2, k3), pause while down (k4)
 */
#include "lesson.h"

enum { STATS, SET_FIRST, COUNTER };
enum { NOTE_PARTIAL, NOTE_COUNTS, NOTE_PAUSED };

static const char *const entry_names[] = {
	"hits", "misses", "bytes", "users", "errors", "pages", "loads", "saves",
};

static struct flag *ready, *run;
static struct var *table[8], *count, *stop;
static long entries, readers, timeout, period, rounds;
static long *seen;   /* per reader: entries it found filled in */
static long pauses;  /* the counter's waits that returned false */

static void reader(long id)
{
	flag_wait(ready);			/* r1: wait for the table */
	for (long i = 0; i < entries; i++)
		seen[id] += var_load(table[i]) != 0;	/* r2: read it */
	if (seen[id] < entries)
		lesson_note(NOTE_PARTIAL, seen[id]);
}

static void updater(long id)
{
	(void)id;
	if (lesson_variant() == SET_FIRST)
		flag_set(ready);		/* b1: too early */
	for (long i = 0; i < entries; i++) {
		work(1);			/* u1: compute an entry */
		var_store(table[i], 100 + i);	/* u2: write it */
	}
	if (lesson_variant() == STATS)
		flag_set(ready);		/* u3: then tell the readers */
}

static void counter(long id)
{
	(void)id;
	for (;;) {
		bool up = flag_wait_for(run, timeout);	/* k1 */
		if (var_load(stop))
			return;
		if (up) {			/* k2: up: true at once */
			long n = var_add(count, 1) + 1;	/* k3: count */
			lesson_note(NOTE_COUNTS, n);
			ltime_sleep(1);
		} else {			/* k4: down: false */
			lesson_note(NOTE_PAUSED, ++pauses);
		}
	}
}

static void switcher(long id)
{
	(void)id;
	for (long r = 0; r < rounds; r++) {
		flag_set(run);			/* s1: go */
		ltime_sleep(period);
		flag_clear(run);		/* s2: pause */
		ltime_sleep(period);
	}
	var_store(stop, 1);			/* s3: done: let it see */
	flag_set(run);
}

static void event_setup(void)
{
	entries = lesson_opt("entries");
	readers = lesson_opt("readers");
	timeout = lesson_opt("timeout");
	rounds = lesson_opt("rounds");
	period = 4 * timeout + 4; /* several timeouts per pause */
	pauses = 0;
	if (lesson_variant() == COUNTER) {
		run = flag_new("run");
		count = var_new("count", 0);
		stop = var_new("stop", 0);
		thread_new("counter", counter, 1);
		thread_new("switch", switcher, 2);
		return;
	}
	ready = flag_new("ready");
	for (long i = 0; i < entries; i++)
		table[i] = var_new(entry_names[i], 0);
	seen = lesson_calloc((size_t)readers + 1, sizeof(long));
	for (long t = 1; t <= readers; t++)
		thread_new("reader", reader, t);
	thread_new("updater", updater, readers + 1);
}

static bool event_report(void)
{
	if (lesson_variant() == COUNTER) {
		lesson_figure("counted", var_value(count));
		lesson_figure("paused", pauses);
		lesson_figure("rounds", rounds);
		return var_value(count) >= rounds && pauses >= rounds;
	}
	long partial = 0;
	for (long t = 1; t <= readers; t++)
		partial += seen[t] < entries;
	lesson_figure("readers", readers);
	lesson_figure("entries", entries);
	lesson_figure("partial_reads", partial);
	return partial == 0;
}

static const struct lesson_variant event_variants[] = {
	{ "stats", "fill the table, then raise the flag: readers see it all",
	  NULL },
	{ "set-first", "raise the flag, then fill the table: a reader sees "
		       "it empty", "--policy=rr" },
	{ "counter", "count while the flag is up, pause while it is down",
	  NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option event_options[] = {
	LESSON_NUMBER_WHEN("--variant=stats|set-first", "readers", "threads waiting to read the table", 2, 32, 1,
		      60),
	LESSON_NUMBER_WHEN("--variant=stats|set-first", "entries", "entries in the table", 3, 8, 1, 8),
	LESSON_NUMBER_WHEN("--variant=counter", "rounds", "counter: times the switch goes on and off",
		      2, 4, 1, 1000),
	LESSON_NUMBER_WHEN("--variant=counter", "timeout", "counter: its wait's timeout (ticks in step "
		      "mode, ms in free mode)", 2, 10, 1, 1000),
	LESSON_END,
};

static const char *const event_notes[] = {
	[NOTE_PARTIAL] = "read the table with only %ld of its entries filled "
			 "in: the flag went up before the data",
	[NOTE_COUNTS] = "counts %ld",
	[NOTE_PAUSED] = "pauses: the flag is down, its wait timed out and "
			"returned false (%ld so far)",
};

static const struct lesson_question event_questions[] = {
	LESSON_ASK("stats", NULL,
		   "The updater raises the flag only once the table is full: "
		   "how many readers see a table with entries missing?",
		   QUIZ_NUMBER, "partial_reads",
		   "a reader passes its wait only once the flag is up, and the "
		   "flag goes up after the last entry is written: 0"),
	LESSON_ASK("set-first", "--mode=step --policy=rr --readers=2",
		   "The flag goes up before the first entry is written. Taking "
		   "turns one step each, how many of the 2 readers see a table "
		   "with entries missing?", QUIZ_NUMBER, "partial_reads",
		   "both readers were already waiting: the set wakes them "
		   "together, and taking turns they read while the updater "
		   "is still writing: 2"),
	LESSON_ASK("counter", NULL,
		   "While the flag is down, does the counter's wait with a "
		   "timeout ever return false?", QUIZ_YESNO, "paused>0",
		   "wait(timeout) returns false when the timeout passes with "
		   "the flag still down: each such return is a pause"),
	LESSON_ASK_END,
};

static const struct lesson_challenge event_challenges[] = {
	LESSON_CHALLENGE("set-first", "--readers=1 --entries=2",
			 "make the reader see the table before it is full",
			 "partial_reads>=1", 0, false,
			 "the flag went up before the table was full: a reader "
			 "that wakes at once reads what is there so far"),
	LESSON_CHALLENGE("set-first", "--readers=2 --entries=1",
			 "make both readers see the table empty",
			 "partial_reads=2", 0, false,
			 "one set() wakes every waiter at once: if both read "
			 "before the updater writes, both miss the entry"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(event);

const struct lesson event_lesson = {
	.name = "event",
	.summary = "a flag that threads wait for: set, clear, wait, timeout",
	.variants = event_variants,
	.options = event_options,
	.setup = event_setup,
	.report = event_report,
	.source = event_source,
	.topic = "synchronisation",
	.notes = event_notes,
	.info_notes = 1ull << NOTE_COUNTS | 1ull << NOTE_PAUSED,
	.questions = event_questions,
	.challenges = event_challenges,
};

LESSON_MAIN(event_lesson)
