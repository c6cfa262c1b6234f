/*
 * prodcons: producers put items into a bounded buffer, consumers take them.
 *
 * Producer p makes items (p-1)*items+1 .. p*items, so every item can be
 * traced from its producer to its consumer.  The buffer has --capacity
 * slots, kept as a FIFO ring, a LIFO stack, or a priority queue (--order).
 * The buffer code itself (q1-q9) has no synchronisation; each variant adds
 * its own around it, and keeps `count` (items in the buffer) up to date:
 *
 *   unsafe      none: check the count, then act; items get overwritten,
 *               or taken twice, and the count goes wrong
 *   busywait    correct, but a thread that must wait keeps re-checking
 *               the count (spins=) instead of sleeping            (w1-w3)
 *   semaphore   "empty" counts free slots, "full" counts items    (s1-s4)
 *   condvar-if  a monitor that checks with if: after a wake-up the
 *               buffer may have changed again                      (i1-i2)
 *   condvar     the same with while: correct                       (c1-c2)
 */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "lesson.h"

enum { UNSAFE, BUSYWAIT, SEMAPHORE, CONDVAR_IF, CONDVAR };
enum { FIFO, LIFO, PRIORITY };
enum { NOTE_TWICE, NOTE_EMPTY, NOTE_WOKEN, NOTE_ORDER, NOTE_COUNT, NOTE_QUIT };

#define CAPACITY_MAX 16

static struct var *slot[CAPACITY_MAX], *head, *tail, *count;
static struct mutex *lock;
static struct sema *empty, *full;
static struct cond *notfull, *notempty;
static long capacity, items, order;

/* The books, for the invariant: plain atomics, not steps of the run. */
static _Atomic int *taken;            /* times each item was taken */
static _Atomic long *last;            /* FIFO: last item per producer */
static _Atomic long produced, spins, quits, empties, disorder, counted, off_by;

static long priority(long item)
{
	return item * 7919 % 97; /* any fixed shuffle will do */
}

/* --- the buffer: no synchronisation here --- */

static void put(long item)
{
	if (order == FIFO) {
		long t = var_load(tail);
		var_store(slot[t], item);		/* q1 */
		var_store(tail, (t + 1) % capacity);	/* q2 */
	} else if (order == LIFO) {
		long top = var_load(tail);
		top = top < 0 ? 0 : top >= capacity ? capacity - 1 : top;
		var_store(slot[top], item);		/* q3 */
		var_store(tail, top + 1);		/* q4 */
	} else { /* priority: into the first free slot */
		long i = 0;
		while (i < capacity - 1 && var_load(slot[i]) != 0)
			i++;
		var_store(slot[i], item);		/* q5 */
	}
}

static long take(void)
{
	long item, at;
	if (order == FIFO) {
		at = var_load(head);
		item = var_load(slot[at]);		/* q6 */
		var_store(head, (at + 1) % capacity);
	} else if (order == LIFO) {
		at = var_load(tail) - 1;
		at = at < 0 ? 0 : at >= capacity ? capacity - 1 : at;
		item = var_load(slot[at]);		/* q7 */
		var_store(tail, at);
	} else { /* priority: the best item anywhere */
		item = at = 0;
		for (long i = 0; i < capacity; i++) {
			long x = var_load(slot[i]);	/* q8 */
			if (x && (!item || priority(x) > priority(item))) {
				item = x;
				at = i;
			}
		}
	}
	var_store(slot[at], 0);				/* q9: emptied */
	return item;
}

/* Check a taken item against the books, and say what went wrong. */
static long took(long item, bool woken)
{
	long p = (item - 1) / items; /* its producer, from 0 */
	if (item == 0) {
		empties++;
		lesson_note(woken ? NOTE_WOKEN : NOTE_EMPTY, 0);
	} else if (taken[item]++) {
		lesson_note(NOTE_TWICE, item);
	} else if (order == FIFO && item < atomic_exchange(&last[p], item)) {
		disorder++;
		lesson_note(NOTE_ORDER, item);
	}
	return item;
}

/* count += delta, in two steps; counted is puts minus takes.  Say when a
 * store puts count off_by more (step mode, where "never read" is exact). */
static void count_add(long delta)
{
	long n = var_load(count) + delta;
	var_store(count, n);
	long truth = (counted += delta);
	long was = atomic_exchange(&off_by, n - truth);
	if (n != truth && n - truth != was && lesson_step_mode())
		lesson_note(NOTE_COUNT, truth); /* this store made it wrong */
}

/* --- the five ways to make put and take safe --- */

/* unsafe: spin while count == busy; give up (false) if it never changes. */
static bool unsafe_wait(long busy)
{
	for (long n = 0; var_load(count) == busy; n++, spins++)
		if (n == (lesson_step_mode() ? 1000 : 1000000)) {
			quits++;
			lesson_note(NOTE_QUIT, n);
			return false;
		}
	return true;
}

static bool unsafe_put(long item)
{
	if (!unsafe_wait(capacity))
		return false;
	put(item);
	count_add(+1);
	return true;
}

static long unsafe_take(void)
{
	if (!unsafe_wait(0))
		return -1;
	long item = took(take(), false);
	count_add(-1);
	return item;
}

/*
 * busywait: look again later.  In free mode the waiter gives up its core
 * first: with more threads than cores, a waiter that never does keeps the
 * lock's holder off the CPU (2 x 2 x 5000 items took 112-393 s on a busy
 * two-core machine; yielding, under a second on a quiet one).
 */
static void look_again(void)
{
	spins++;
	if (!lesson_step_mode())
		sched_yield();
}

static bool busy_put(long item)
{
	mutex_lock(lock);
	while (var_load(count) == capacity) {	/* w1: full: look again */
		mutex_unlock(lock);
		look_again();
		mutex_lock(lock);
	}
	put(item);
	count_add(+1);
	mutex_unlock(lock);
	return true;
}

static long busy_take(void)
{
	mutex_lock(lock);
	while (var_load(count) == 0) {		/* w2: empty: look again */
		mutex_unlock(lock);
		look_again();			/* w3 */
		mutex_lock(lock);
	}
	long item = took(take(), false);
	count_add(-1);
	mutex_unlock(lock);
	return item;
}

static bool sem_put(long item)
{
	sema_wait(empty);			/* s1: a free slot */
	mutex_lock(lock);
	put(item);
	count_add(+1);
	mutex_unlock(lock);
	sema_post(full);			/* s2: one more item */
	return true;
}

static long sem_take(void)
{
	sema_wait(full);			/* s3: an item */
	mutex_lock(lock);
	long item = took(take(), false);
	count_add(-1);
	mutex_unlock(lock);
	sema_post(empty);			/* s4: one more free slot */
	return item;
}

/* The monitor: recheck with while (c1, c2), or just once with if (i1, i2). */
static bool mon_put(long item)
{
	mutex_lock(lock);
	if (lesson_variant() == CONDVAR)
		while (var_load(count) == capacity)
			cond_wait(notfull, lock);	/* c1 */
	else if (var_load(count) == capacity)
		cond_wait(notfull, lock);		/* i1 */
	put(item);
	count_add(+1);
	cond_signal(notempty);
	mutex_unlock(lock);
	return true;
}

static long mon_take(void)
{
	bool woken = false;
	mutex_lock(lock);
	if (lesson_variant() == CONDVAR)
		while (var_load(count) == 0)
			cond_wait(notempty, lock);	/* c2 */
	else if (var_load(count) == 0)
		woken = !cond_wait(notempty, lock);	/* i2: still there? */
	long item = took(take(), woken);
	count_add(-1);
	cond_signal(notfull);
	mutex_unlock(lock);
	return item;
}

/* --- producers and consumers --- */

static bool (*const put_with[])(long) = {
	unsafe_put, busy_put, sem_put, mon_put, mon_put,
};
static long (*const take_with[])(void) = {
	unsafe_take, busy_take, sem_take, mon_take, mon_take,
};

static void producer(long p)
{
	for (long seq = 1; seq <= items; seq++) {
		if (!put_with[lesson_variant()]((p - 1) * items + seq))
			return; /* unsafe: gave up */
		produced++;
	}
}

static void consumer(long quota)
{
	for (long n = 0; n < quota; n++)
		if (take_with[lesson_variant()]() < 0)
			return; /* unsafe: gave up */
}

static void prodcons_setup(void)
{
	static char names[CAPACITY_MAX][16];
	int v = lesson_variant();
	long producers = lesson_opt("producers");
	long consumers = lesson_opt("consumers"), total;
	capacity = lesson_opt("capacity");
	items = lesson_opt("items");
	order = lesson_opt("order");
	total = producers * items;
	taken = lesson_calloc((size_t)total + 1, sizeof(*taken));
	last = lesson_calloc((size_t)producers, sizeof(*last));
	produced = spins = quits = empties = disorder = counted = off_by = 0;
	for (long i = 0; i < capacity; i++) {
		snprintf(names[i], sizeof(names[i]), "slot%d", (int)i);
		slot[i] = var_new(names[i], 0);
	}
	head = var_new("head", 0);
	tail = var_new(order == FIFO ? "tail" : "top", 0);
	count = var_new("count", 0);
	var_buffer(slot, (int)capacity, order == FIFO ? head : NULL,
		   order == PRIORITY ? NULL : tail);
	/* only what the variant uses, so the viewer draws only that */
	if (v != UNSAFE)
		lock = mutex_new("lock", MUTEX_NORMAL);
	if (v == SEMAPHORE) {
		empty = sema_new("empty", capacity, 0);
		full = sema_new("full", 0, 0);
	}
	if (v == CONDVAR_IF || v == CONDVAR) {
		notfull = cond_new("notfull");
		notempty = cond_new("notempty");
	}
	for (long p = 1; p <= producers; p++)
		thread_new("producer", producer, p);
	for (long c = 1; c <= consumers; c++)
		thread_new("consumer", consumer,
			   total / consumers + (c <= total % consumers));
}

/* Every item made is taken once or is still in the buffer, no take finds
 * an empty slot, count matches the buffer.  An item never made is not lost. */
static bool prodcons_report(void)
{
	long total = lesson_opt("producers") * items;
	long consumed = 0, once = 0, left = 0;
	for (long i = 1; i <= total; i++) {
		consumed += taken[i];
		once += taken[i] > 0;
	}
	for (long i = 0; i < capacity; i++)
		left += var_value(slot[i]) != 0; /* never a taken item */
	long lost = produced - once - left, twice = consumed - once;
	lesson_figure("produced", produced);
	lesson_figure("consumed", consumed);
	lesson_figure("lost", lost);
	lesson_figure("duplicated", twice);
	lesson_figure("empty_takes", empties);
	lesson_figure("in_buffer", left);
	lesson_figure("count", var_value(count));
	if (order == FIFO)
		lesson_figure("out_of_order", disorder);
	if (lesson_variant() == BUSYWAIT || lesson_variant() == UNSAFE)
		lesson_figure("spins", spins);
	if (lesson_variant() == UNSAFE)
		lesson_figure("gave_up", quits);
	return lost == 0 && twice == 0 && empties == 0 && disorder == 0 &&
	       produced == total && var_value(count) == left;
}

static const char *const orders[] = { "fifo", "lifo", "priority", NULL };

static const char *const prodcons_notes[] = {
	[NOTE_TWICE] = "took item %ld, which was already taken: consumed twice",
	[NOTE_EMPTY] = "found its slot empty: count was not 0 when it looked",
	[NOTE_WOKEN] = "woke up and took from an empty slot: the item it was "
		       "woken for is gone, and the if did not look again",
	[NOTE_ORDER] = "took item %ld after a later item of the same "
		       "producer: FIFO order is broken",
	[NOTE_COUNT] = "wrote count over a change it never read: count now "
		       "misses a put or a take",
	[NOTE_QUIT] = "gave up after %ld checks: count never changed",
};

static const struct lesson_variant prodcons_variants[] = {
	{ "unsafe", "no synchronisation: items overwritten or taken twice",
	  "--seed=1" },
	{ "busywait", "correct, but waiting is re-checking in a loop", NULL },
	{ "semaphore", "the textbook: empty/full semaphores, a mutex", NULL },
	{ "condvar-if", "a monitor that checks with if: fails with 2 consumers",
	  "--consumers=2 --seed=2" },
	{ "condvar", "a monitor with while and two condition variables", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option prodcons_options[] = {
	LESSON_NUMBER("producers", "producer threads", 1, 1, 1, 16),
	LESSON_NUMBER("consumers", "consumer threads", 1, 1, 1, 16),
	LESSON_NUMBER("capacity", "buffer slots", 4, 4, 1, CAPACITY_MAX),
	LESSON_NUMBER("items", "items each producer makes", 6, 100000, 1,
		      1000000),
	LESSON_CHOICE("order", "the buffer: a FIFO ring, a LIFO stack, or "
		      "highest priority first", FIFO, orders),
	LESSON_END,
};

static const struct lesson_question prodcons_questions[] = {
	LESSON_ASK("semaphore", "--producers=1 --consumers=1 --items=6",
		   "One producer makes 6 items, one consumer takes them, "
		   "through 4 slots guarded by two semaphores and a mutex.  "
		   "How many items are consumed?", QUIZ_NUMBER, "consumed",
		   "empty counts free slots, full counts items, the mutex "
		   "guards the indexes: every item made is taken exactly "
		   "once, 6, whatever the schedule"),
	LESSON_ASK("condvar-if", "--mode=step --consumers=2 --seed=2",
		   "A monitor that checks 'if (count == 0) wait', two "
		   "consumers, seed 2: will a consumer take from an empty "
		   "buffer?", QUIZ_YESNO, "empty_takes>0",
		   "a woken consumer does not check again: another consumer "
		   "took the item between the signal and the wake-up, so it "
		   "takes from an empty slot; 'while' re-checks and would wait"),
	LESSON_ASK("busywait", NULL,
		   "Waiting by re-checking in a loop: is the buffer used "
		   "correctly (the invariant held)?", QUIZ_YESNO, "invariant",
		   "correct, only wasteful: each check is made under the lock, "
		   "so no one writes between a check and the use; the cost "
		   "shows as spins"),
	LESSON_ASK_END,
};

static const struct lesson_challenge prodcons_challenges[] = {
	LESSON_CHALLENGE("condvar-if", "--consumers=2 --capacity=1 "
			 "--items=2",
			 "make a consumer take from an empty buffer",
			 "empty_takes>=1", 40, true,
			 "a woken consumer does not look again (if, not "
			 "while): let the other consumer take the item between "
			 "the signal and the wake-up"),
	LESSON_CHALLENGE("condvar-if", "--consumers=2 --capacity=1 "
			 "--items=2",
			 "finish with no empty take, though the monitor checks "
			 "with if", "invariant", 0, false,
			 "the if is wrong only when another consumer takes the "
			 "item between a signal and the wake-up: a scheduler "
			 "that never lets it is lucky, not correct"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(prodcons);

const struct lesson prodcons_lesson = {
	.name = "prodcons",
	.topic = "synchronisation",
	.summary = "producers and consumers share a bounded buffer",
	.variants = prodcons_variants,
	.options = prodcons_options,
	.setup = prodcons_setup,
	.report = prodcons_report,
	.source = prodcons_source,
	.questions = prodcons_questions,
	.challenges = prodcons_challenges,
	.notes = prodcons_notes,
};

LESSON_MAIN(prodcons_lesson)
