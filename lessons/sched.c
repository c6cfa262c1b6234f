/*
 * sched: a scheduler of delayed, prioritised events (Python's sched).
 *
 * Each event is entered with a delay and a priority: it is due at the
 * time of its entry plus its delay, and the queue runs events in order of
 * due time, then priority (the smaller first), then entry.  The seed's
 * four (A delay 5 priority 1, B 2 3, C 1 2, D 2 1) run C, B, D, A: B
 * before D although D's priority is the better one, because B was entered
 * first and so is due a moment earlier.  Priority only breaks exact ties
 * (--clock=absolute enters them all at the same instant, and D passes B).
 *
 * The queue is shared state under the mutex q: a variable per event
 * holds its due time while it waits in the queue (0 once taken), so the
 * viewer's state pane shows the queue.
 *
 *   run          one thread enters the events, then runs them (sched.run)
 *   workers      workers take due events under q; a timed condition wait
 *                until the head is due (w3), woken early by a new entry
 *   check-sleep  a worker looks at the head, sleeps until it is due (c3)
 *                and runs it without looking again: run twice
 */
#include <errno.h>
#include <stdio.h>

#include "lesson.h"

enum { RUN, WORKERS, CHECK_SLEEP };
enum { RELATIVE, ABSOLUTE };

#define MAX_EVENTS 26
#define MAX_WORKERS 16

/* Notes: "runs event C", NOTE_TWICE + i: "runs event C again". */
enum { NOTE_RUNS = 0, NOTE_TWICE = MAX_EVENTS };

/* The seed's four, then more made up the same way. */
static const long seed_delay[] = { 5, 2, 1, 2 };
static const long seed_prio[] = { 1, 3, 2, 1 };

static struct mutex *q;
static struct cond *changed;
static struct var *due[MAX_EVENTS];  /* in the queue: its due time; 0 */
static struct var *runs[MAX_EVENTS]; /* times it ran */
static struct var *entered, *taken;
static long nevents, nworkers, clock_kind, origin, unit;
static long *delay, *prio;
static long *due_at; /* the due time it was entered with */
static long *order;  /* order[k]: the k-th event taken */
static long *early;  /* per event: it ran before it was due */

static long now(void)
{
	return ltime_clock() - origin;
}

/* Does event i come before event j in the queue? */
static bool before(long i, long j, long due_i, long due_j)
{
	if (due_i != due_j)
		return due_i < due_j;
	if (prio[i] != prio[j])
		return prio[i] < prio[j];
	return i < j; /* entered first */
}

/* The head of the queue (caller holds q, or is alone): its index, or -1. */
static long head(long *head_due)
{
	long best = -1, best_due = 0;
	for (long i = 0; i < nevents; i++) {
		long d = var_load(due[i]);		/* q1: scan */
		if (d > 0 && (best < 0 || before(i, best, d, best_due))) {
			best = i;
			best_due = d;
		}
	}
	*head_due = best_due;
	return best;
}

/* sched.enter(delay, priority, action): due at now + delay (caller holds
 * q, or is alone). */
static void enter(long i)
{
	due_at[i] = (clock_kind == ABSOLUTE ? 0 : now()) + delay[i];
	var_store(due[i], due_at[i]);		/* q2: enter */
}

/* Take event i off the queue. */
static void take(long i)
{
	var_store(due[i], 0);			/* q3: take */
	order[var_add(taken, 1)] = i;
}

/* The action: count the run, say so.  (Only its first run can be early,
 * and only that one writes early[i].) */
static void run(long i)
{
	long n = var_add(runs[i], 1) + 1;	/* q4: run it */
	if (n == 1 && now() < due_at[i])
		early[i] = 1;
	lesson_note((int)(n > 1 ? NOTE_TWICE + i : NOTE_RUNS + i), now());
}

/* run: the seed's scheduler.run() on one thread. */
static void scheduler(long id)
{
	(void)id;
	for (long i = 0; i < nevents; i++)
		enter(i);				/* s1 */
	long d, i;
	while ((i = head(&d)) >= 0) {
		if (d > now()) {
			ltime_sleep(d - now());		/* s2: until due */
			continue;
		}
		take(i);				/* s3 */
		run(i);
	}
}

/* workers and check-sleep: the events are entered under q, then every
 * waiting worker is told. */
static void enterer(long id)
{
	(void)id;
	mutex_lock(q);
	for (long i = 0; i < nevents; i++)
		enter(i);				/* e1 */
	var_store(entered, 1);
	cond_broadcast(changed);			/* e2 */
	mutex_unlock(q);
}

static void worker(long id)
{
	(void)id;
	mutex_lock(q);
	for (;;) {
		long d, i = head(&d);			/* w1 */
		if (i < 0 && var_load(entered))
			break;				/* all taken */
		if (i < 0) {
			cond_wait(changed, q);		/* w2: empty */
			continue;			/* look again */
		}
		if (d > now()) {			/* w3: until due */
			cond_wait_for(changed, q, d - now());
			continue;			/* look again */
		}
		take(i);				/* w4: due */
		mutex_unlock(q);
		run(i);					/* w5 */
		mutex_lock(q);
	}
	mutex_unlock(q);
}

/* Broken: the head it saw may be taken by another while it sleeps. */
static void check_sleeper(long id)
{
	(void)id;
	for (;;) {
		mutex_lock(q);
		long d, i = head(&d);			/* c1: look */
		if (i < 0 && var_load(entered)) {
			mutex_unlock(q);
			return;
		}
		if (i < 0)
			cond_wait(changed, q);
		mutex_unlock(q);			/* c2 */
		if (i < 0)
			continue;
		if (d > now())
			ltime_sleep(d - now());		/* c3: until due */
		mutex_lock(q);
		take(i);		/* c4: no second look: maybe taken */
		mutex_unlock(q);
		run(i);
	}
}

static void make_events(void)
{
	size_t n = (size_t)nevents;
	delay = lesson_calloc(n, sizeof(long));
	prio = lesson_calloc(n, sizeof(long));
	due_at = lesson_calloc(n, sizeof(long));
	early = lesson_calloc(n, sizeof(long));
	order = lesson_calloc(n * MAX_WORKERS, sizeof(long));
	char *names = lesson_calloc(n, 32);
	for (long i = 0; i < nevents; i++) {
		delay[i] = unit * (i < 4 ? seed_delay[i] : 1 + (i * 7) % 9);
		prio[i] = i < 4 ? seed_prio[i] : 1 + (i * 5) % 3;
		char *dn = names + i * 32, *rn = dn + 16;
		snprintf(dn, 16, "%c p%ld due", (char)('A' + i), prio[i]);
		snprintf(rn, 16, "%c runs", (char)('A' + i));
		due[i] = var_new(dn, 0);
		runs[i] = var_new(rn, 0);
	}
}

static void sched_setup(void)
{
	nevents = lesson_opt("events");
	nworkers = lesson_opt("workers");
	clock_kind = lesson_opt("clock");
	unit = lesson_opt("unit");
	origin = ltime_clock();
	taken = var_new("taken", 0);
	make_events();
	if (lesson_variant() == RUN) { /* one thread: no lock, no waiting */
		thread_new("scheduler", scheduler, 1);
		return;
	}
	q = mutex_new("q", MUTEX_NORMAL);
	changed = cond_new("changed");
	entered = var_new("entered", 0);
	void (*body)(long) = lesson_variant() == WORKERS ? worker
							 : check_sleeper;
	for (long w = 1; w <= nworkers; w++)
		thread_new("worker", body, w);
	thread_new("enter", enterer, nworkers + 1);
}

/* Takes that come before one they should follow. */
static long out_of_order(long n)
{
	long bad = 0;
	for (long k = 1; k < n; k++) {
		long a = order[k - 1], b = order[k];
		bad += a != b && before(b, a, due_at[b], due_at[a]);
	}
	return bad;
}

static bool sched_report(void)
{
	long twice = 0, never = 0, early_runs = 0;
	for (long i = 0; i < nevents; i++) {
		twice += var_value(runs[i]) > 1;
		never += var_value(runs[i]) == 0;
		early_runs += early[i];
	}
	long n = var_value(taken), bad = out_of_order(n);
	lesson_figure("events", nevents);
	lesson_figure("first", n > 0 ? order[0] + 1 : 0);
	lesson_figure("second", n > 1 ? order[1] + 1 : 0);
	lesson_figure("run_twice", twice);
	lesson_figure("never_run", never);
	lesson_figure("run_early", early_runs);
	lesson_figure("out_of_order", bad);
	return twice == 0 && never == 0 && early_runs == 0 && bad == 0;
}

static const struct lesson_variant sched_variants[] = {
	{ "run", "one thread enters the events, then runs them in order",
	  NULL },
	{ "workers", "workers take due events; a timed condition wait "
		     "until the head is due", NULL },
	{ "check-sleep", "look at the head, sleep until due, run it: "
			 "another worker ran it too", "--policy=rr --unit=30" },
	{ NULL, NULL, NULL },
};

static const char *const clock_kinds[] = { "relative", "absolute", NULL };

static const struct lesson_option sched_options[] = {
	LESSON_NUMBER("events", "events entered (the first four are the "
		      "seed's A, B, C, D)", 4, 26, 1, MAX_EVENTS),
	LESSON_NUMBER_WHEN("--variant=workers|check-sleep", "workers", "worker threads taking events", 2, 16, 1,
		      MAX_WORKERS),
	LESSON_NUMBER("unit", "the seed's delays are multiplied by it "
		      "(ticks in step mode, ms in free mode)", 10, 10, 1, 1000),
	LESSON_CHOICE("clock", "relative: due at entry + delay (enter); "
		      "absolute: due at the delay (enterabs)", RELATIVE,
		      clock_kinds),
	LESSON_END,
};

#define NOTES(c, i)                                                            \
	[NOTE_RUNS + (i)] = "runs event " #c " at t=%ld",                      \
	[NOTE_TWICE + (i)] = "runs event " #c " AGAIN at t=%ld: another "      \
			     "worker took it while this one slept"

static const char *const sched_notes[] = {
	NOTES(A, 0), NOTES(B, 1), NOTES(C, 2), NOTES(D, 3), NOTES(E, 4),
	NOTES(F, 5), NOTES(G, 6), NOTES(H, 7), NOTES(I, 8), NOTES(J, 9),
	NOTES(K, 10), NOTES(L, 11), NOTES(M, 12), NOTES(N, 13), NOTES(O, 14),
	NOTES(P, 15), NOTES(Q, 16), NOTES(R, 17), NOTES(S, 18), NOTES(T, 19),
	NOTES(U, 20), NOTES(V, 21), NOTES(W, 22), NOTES(X, 23), NOTES(Y, 24),
	NOTES(Z, 25),
};

static const char *const second_choices[] = {
	"B: second=2", "D: second=4", "another", NULL,
};

static const struct lesson_question sched_questions[] = {
	LESSON_ASK_CHOICE("run", "--mode=step --events=4 --clock=relative",
			  "B and D have the same delay (2 units); D has the better "
			  "priority (1 against 3).  Which runs second?",
			  second_choices,
			  "B: the time decides first and priority only breaks "
			  "exact ties.  B was entered before D, so it is due "
			  "earlier (t=21 against t=23)."),
	LESSON_ASK_CHOICE("run", "--mode=step --events=4 --clock=absolute",
			  "Now every event is due exactly at its delay "
			  "(enterabs).  Which runs second, B or D?",
			  second_choices,
			  "D: B and D are due at the same instant, and then the "
			  "smaller priority number goes first."),
	LESSON_ASK("check-sleep", "--mode=step --policy=rr --unit=30",
		   "Does some event run twice?", QUIZ_YESNO, "run_twice",
		   "Yes: both workers look at the head C, both sleep until "
		   "it is due, and both take it; nothing makes the second "
		   "look again after its sleep."),
	LESSON_ASK_END,
};

static const struct lesson_challenge sched_challenges[] = {
	LESSON_CHALLENGE("check-sleep", "--events=1 --workers=2 --unit=1",
			 "make the one event run twice",
			 "run_twice=1", 0, false,
			 "both workers must look at the head A before either "
			 "takes it: each then takes what it saw (after a "
			 "sleep, if it was not yet due) without looking "
			 "again, so both take A"),
	LESSON_CHALLENGE("check-sleep", "--events=2 --workers=2 --unit=1",
			 "run the broken check-sleep so that no event runs "
			 "twice",
			 "run_twice=0", 0, false,
			 "let one worker take each head before the other "
			 "looks: a look after the take sees the next head.  "
			 "With --unit=1 every event is due by the time it "
			 "is seen, so no worker sleeps; the bug needs a "
			 "look, another worker's take, then a take without "
			 "a second look"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(sched);

const struct lesson sched_lesson = {
	.name = "sched",
	.summary = "a scheduler of delayed, prioritised events: time, then "
		   "priority; workers and a timed wait",
	.variants = sched_variants,
	.options = sched_options,
	.setup = sched_setup,
	.report = sched_report,
	.source = sched_source,
	.topic = "synchronisation",
	.notes = sched_notes,
	.info_notes = (1ull << MAX_EVENTS) - 1, /* "runs event A at t=N" */
	.questions = sched_questions,
	.challenges = sched_challenges,
};

LESSON_MAIN(sched_lesson)
