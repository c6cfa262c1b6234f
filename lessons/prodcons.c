/*
 * prodcons: producers put items into a bounded buffer, consumers take them.
 *
 * Producer p makes items (p-1)*items+1 .. p*items, so every item can be
 * traced from its producer to its consumer.  The buffer has --capacity
 * slots, kept as a FIFO ring, a LIFO stack, or a priority queue (--order).
 * The buffer code itself (q1-q9) has no synchronisation; each variant adds
 * its own around it:
 *
 *   unsafe      none: check the count, then act; items get overwritten,
 *               or taken twice
 *   busywait    correct, but a thread that must wait keeps re-checking
 *               the count (spins=) instead of sleeping            (w1-w3)
 *   semaphore   "empty" counts free slots, "full" counts items    (s1-s4)
 *   condvar-if  a monitor that checks with if: after a wake-up the
 *               buffer may have changed again                      (i1-i2)
 *   condvar     the same with while: correct                       (c1-c2)
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "lesson.h"

enum { UNSAFE, BUSYWAIT, SEMAPHORE, CONDVAR_IF, CONDVAR };
enum { FIFO, LIFO, PRIORITY };
enum { NOTE_TWICE, NOTE_EMPTY, NOTE_ORDER };

#define CAPACITY_MAX 16
/* unsafe: a spinner gives up after this many checks (the count is wrong) */
#define SPIN_LIMIT (lesson_step_mode() ? 1000 : 1000000)

static struct var *slot[CAPACITY_MAX], *head, *tail, *count;
static struct mutex *lock;
static struct sema *empty, *full;
static struct cond *notfull, *notempty;
static long capacity, items, order;

/* Bookkeeping for the invariant: plain atomics, not steps of the run. */
static _Atomic int *taken;            /* times each item was taken */
static _Atomic long *last_seq;        /* FIFO: last item per producer */
static _Atomic long spins, empties, produced, disorder;

static long wrap(long i)
{
	return ((i % capacity) + capacity) % capacity;
}

static long priority(long item)
{
	return item * 7919 % 97; /* any fixed shuffle will do */
}

/* --- the buffer: no synchronisation here --- */

static void put(long item)
{
	if (order == FIFO) {
		long t = wrap(var_load(tail));
		var_store(slot[t], item);		/* q1 */
		var_store(tail, wrap(t + 1));		/* q2 */
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

/* FIFO: each producer's items must come out in the order they went in. */
static void fifo_check(long item)
{
	if (order != FIFO || item <= 0)
		return;
	long p = (item - 1) / items + 1;
	long prev = atomic_exchange_explicit(&last_seq[p], item,
					     memory_order_relaxed);
	if (item < prev) {
		atomic_fetch_add_explicit(&disorder, 1, memory_order_relaxed);
		lesson_note(NOTE_ORDER, item);
	}
}

static long take(void)
{
	long item, at;
	if (order == FIFO) {
		at = wrap(var_load(head));
		item = var_load(slot[at]);		/* q6 */
		var_store(head, wrap(at + 1));
	} else if (order == LIFO) {
		at = var_load(tail) - 1;
		at = at < 0 ? 0 : at >= capacity ? capacity - 1 : at;
		item = var_load(slot[at]);		/* q7 */
		var_store(tail, at);
	} else { /* priority: the best item anywhere */
		item = 0;
		at = 0;
		for (long i = 0; i < capacity; i++) {
			long x = var_load(slot[i]);	/* q8 */
			if (x && (!item || priority(x) > priority(item))) {
				item = x;
				at = i;
			}
		}
	}
	var_store(slot[at], 0);				/* q9: emptied */
	fifo_check(item);
	return item;
}

/* --- the five ways to make put and take safe --- */

static void spin(void)
{
	atomic_fetch_add_explicit(&spins, 1, memory_order_relaxed);
}

static bool unsafe_put(long item)
{
	for (long n = 0; var_load(count) == capacity; n++)
		if (n == SPIN_LIMIT)
			return false; /* the count is wrong for good */
		else
			spin();
	put(item);
	var_store(count, var_load(count) + 1);	/* a racy count, too */
	return true;
}

static long unsafe_take(void)
{
	for (long n = 0; var_load(count) == 0; n++)
		if (n == SPIN_LIMIT)
			return -1;
		else
			spin();
	long item = take();
	var_store(count, var_load(count) - 1);
	return item;
}

static void busy_put(long item)
{
	mutex_lock(lock);
	while (var_load(count) == capacity) {	/* w1: full: look again */
		mutex_unlock(lock);
		spin();
		mutex_lock(lock);
	}
	put(item);
	var_store(count, var_load(count) + 1);
	mutex_unlock(lock);
}

static long busy_take(void)
{
	mutex_lock(lock);
	while (var_load(count) == 0) {		/* w2: empty: look again */
		mutex_unlock(lock);
		spin();				/* w3 */
		mutex_lock(lock);
	}
	long item = take();
	var_store(count, var_load(count) - 1);
	mutex_unlock(lock);
	return item;
}

static void sem_put(long item)
{
	sema_wait(empty);			/* s1: a free slot */
	mutex_lock(lock);
	put(item);
	var_store(count, var_load(count) + 1);
	mutex_unlock(lock);
	sema_post(full);			/* s2: one more item */
}

static long sem_take(void)
{
	sema_wait(full);			/* s3: an item */
	mutex_lock(lock);
	long item = take();
	var_store(count, var_load(count) - 1);
	mutex_unlock(lock);
	sema_post(empty);			/* s4: one more free slot */
	return item;
}

/* The monitor: recheck with while (c1, c2), or just once with if (i1, i2). */
static void mon_put(long item, bool recheck)
{
	mutex_lock(lock);
	if (recheck)
		while (var_load(count) == capacity)
			cond_wait(notfull, lock);	/* c1 */
	else if (var_load(count) == capacity)
		cond_wait(notfull, lock);		/* i1 */
	put(item);
	var_store(count, var_load(count) + 1);
	cond_signal(notempty);
	mutex_unlock(lock);
}

static long mon_take(bool recheck)
{
	mutex_lock(lock);
	if (recheck)
		while (var_load(count) == 0)
			cond_wait(notempty, lock);	/* c2 */
	else if (var_load(count) == 0)
		cond_wait(notempty, lock);		/* i2: woken, but is it
							 * still there? */
	long item = take();
	var_store(count, var_load(count) - 1);
	cond_signal(notfull);
	mutex_unlock(lock);
	return item;
}

/* --- producers and consumers --- */

static void producer(long p)
{
	for (long seq = 1; seq <= items; seq++) {
		long item = (p - 1) * items + seq;
		switch (lesson_variant()) {
		case UNSAFE:
			if (!unsafe_put(item))
				return;
			break;
		case BUSYWAIT: busy_put(item); break;
		case SEMAPHORE: sem_put(item); break;
		case CONDVAR_IF: mon_put(item, false); break;
		case CONDVAR: mon_put(item, true); break;
		}
		atomic_fetch_add_explicit(&produced, 1, memory_order_relaxed);
	}
}

/* Check a taken item against the books, and say what went wrong. */
static void consumed(long item)
{
	if (item <= 0) {
		atomic_fetch_add_explicit(&empties, 1, memory_order_relaxed);
		lesson_note(NOTE_EMPTY, item);
		return;
	}
	if (atomic_fetch_add_explicit(&taken[item], 1, memory_order_relaxed))
		lesson_note(NOTE_TWICE, item);
}

static void consumer(long quota)
{
	for (long n = 0; n < quota; n++) {
		long item = 0;
		switch (lesson_variant()) {
		case UNSAFE:
			if ((item = unsafe_take()) < 0)
				return;
			break;
		case BUSYWAIT: item = busy_take(); break;
		case SEMAPHORE: item = sem_take(); break;
		case CONDVAR_IF: item = mon_take(false); break;
		case CONDVAR: item = mon_take(true); break;
		}
		consumed(item);
	}
}

static void prodcons_setup(void)
{
	static const char *const slots[CAPACITY_MAX] = {
		"slot0", "slot1", "slot2", "slot3", "slot4", "slot5",
		"slot6", "slot7", "slot8", "slot9", "slot10", "slot11",
		"slot12", "slot13", "slot14", "slot15",
	};
	long producers = lesson_opt("producers");
	long consumers = lesson_opt("consumers"), total;
	capacity = lesson_opt("capacity");
	items = lesson_opt("items");
	order = lesson_opt("order");
	total = producers * items;
	taken = lesson_calloc((size_t)total + 1, sizeof(*taken));
	last_seq = lesson_calloc((size_t)producers + 1, sizeof(*last_seq));
	spins = empties = produced = disorder = 0;
	for (long i = 0; i < capacity; i++)
		slot[i] = var_new(slots[i], 0);
	head = var_new("head", 0);
	tail = var_new(order == FIFO ? "tail" : "top", 0);
	count = var_new("count", 0);
	var_buffer(slot, (int)capacity, order == FIFO ? head : NULL,
		   order == PRIORITY ? NULL : tail);
	lock = mutex_new("lock", MUTEX_NORMAL);
	empty = sema_new("empty", capacity, 0);
	full = sema_new("full", 0, 0);
	notfull = cond_new("notfull");
	notempty = cond_new("notempty");
	for (long p = 1; p <= producers; p++)
		thread_new("producer", producer, p);
	for (long c = 1; c <= consumers; c++)
		thread_new("consumer", consumer,
			   total / consumers + (c <= total % consumers));
}

static bool prodcons_report(void)
{
	long total = lesson_opt("producers") * items;
	long consumed_n = 0, lost = 0, twice = 0;
	for (long i = 1; i <= total; i++) {
		consumed_n += taken[i];
		lost += taken[i] == 0;
		twice += taken[i] > 1 ? taken[i] - 1 : 0;
	}
	lesson_figure("produced", produced);
	lesson_figure("consumed", consumed_n);
	lesson_figure("lost", lost);
	lesson_figure("duplicated", twice);
	lesson_figure("empty_takes", empties);
	if (order == FIFO)
		lesson_figure("out_of_order", disorder);
	if (lesson_variant() == BUSYWAIT || lesson_variant() == UNSAFE)
		lesson_figure("spins", spins);
	return lost == 0 && twice == 0 && empties == 0 && disorder == 0 &&
	       produced == total;
}

static const char *const orders[] = { "fifo", "lifo", "priority", NULL };

static const char *const prodcons_notes[] = {
	[NOTE_TWICE] = "took item %ld, which was already taken: it is "
		       "consumed twice",
	[NOTE_EMPTY] = "took from an empty buffer (got %ld): it woke up, but "
		       "the item it was woken for is gone",
	[NOTE_ORDER] = "took item %ld after a later item of the same "
		       "producer: FIFO order is broken",
};

static const struct lesson_variant prodcons_variants[] = {
	{ "unsafe", "no synchronisation: items overwritten or taken twice",
	  "--seed=1" },
	{ "busywait", "correct, but waiting means re-checking in a loop",
	  NULL },
	{ "semaphore", "empty/full semaphores and a mutex: the textbook",
	  NULL },
	{ "condvar-if", "a monitor that checks with if: fails with 2 consumers",
	  "--consumers=2 --seed=2" },
	{ "condvar", "a monitor with while and two condition variables",
	  NULL },
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

LESSON_SOURCE(prodcons);

const struct lesson prodcons_lesson = {
	.name = "prodcons",
	.summary = "producers and consumers share a bounded buffer",
	.variants = prodcons_variants,
	.options = prodcons_options,
	.setup = prodcons_setup,
	.report = prodcons_report,
	.source = prodcons_source,
	.notes = prodcons_notes,
};

LESSON_MAIN(prodcons_lesson)
