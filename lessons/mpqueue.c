/*
 * mpqueue: a bounded queue between processes.
 *
 * What Python's multiprocessing.Queue is underneath, minus the pickling.
 * The slots live in memory that every process maps (the runtime maps
 * what setup() makes before the first fork), and three process-shared
 * primitives guard them:
 *
 *   slots  a semaphore counting free slots: put() takes one     (q1)
 *   items  a semaphore counting items: get() takes one          (q4)
 *   lock   one process at a time moves head and tail            (q2, q5)
 *
 * put() and get() may also give up: with a wait of 0 (block=False) put
 * answers Full when no slot is free and get answers Empty when there is
 * no item; with a wait of t, get waits at most t (ms, or step ticks).
 * P1 forks the producers and the consumers, waits for the producers,
 * then puts one stop message per consumer (the course's "stop").  In a
 * LIFO stack the stop goes on top of any items still there and is taken
 * first: the consumer leaves early, which the books count as broken.
 *
 *   stop         put and get that wait; stop messages end the
 *                consumers: correct
 *   nowait       put and get that never wait: Full and Empty are
 *                answers, and the caller tries again          (n1, n2)
 *   timeout      a consumer takes Empty from a timed get for "no more
 *                items": a slow producer's items are left behind  (t1)
 *   empty-check  no stop messages: a consumer looks at empty(), and
 *                gets when it was not empty (the course's print_queue)
 *                until the producers are done (e2).  Two consumers see
 *                the last item; one takes it, the other waits in get()
 *                for an item that will never come             (e1)
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "lesson.h"

enum { STOPPED, NOWAIT, TIMEOUT, EMPTY_CHECK };
enum { FIFO, LIFO, PRIORITY };
enum { NOTE_FULL, NOTE_EMPTY, NOTE_GAVE_UP, NOTE_TWICE, NOTE_ORDER,
       NOTE_EARLY };
enum { STOP = -1, EMPTY = -2 }; /* get()'s answers besides an item */
enum { CAPACITY_MAX = 8, SIDE_MAX = 8 };

static struct var *slot[CAPACITY_MAX], *head, *tail, *count;
static struct var *done; /* empty-check: P1 has joined the producers */
static struct sema *slots, *items;
static struct mutex *lock;
static long capacity, order, each, make, timeout;

/* The books, for the invariant: seen by every process, not steps. */
static struct books {
	_Atomic long produced, consumed, twice, disorder, fulls, empties;
	_Atomic long early; /* stops taken with items still in the queue */
	_Atomic long ended; /* consumers that returned */
	_Atomic long last[SIDE_MAX + 1]; /* fifo: last item per producer */
	_Atomic unsigned char taken[];   /* times each item was taken */
} *books;

/* --- the queue's slots: called with the lock held --- */

static void store(long item)
{
	long at = 0;
	if (order == PRIORITY) /* any free slot: get() looks at all */
		while (var_load(slot[at]) != 0)
			at++;
	else
		at = var_load(tail);
	var_store(slot[at], item);
	if (order != PRIORITY)
		var_store(tail, order == FIFO ? (at + 1) % capacity : at + 1);
}

/* Priority: the lowest number first; a stop (negative) after every item. */
static long lowest(long *item)
{
	long at = 0;
	*item = 0;
	for (long i = 0; i < capacity; i++) {
		long x = var_load(slot[i]);
		if (x && (!*item || (x > 0 && (*item < 0 || x < *item)))) {
			*item = x;
			at = i;
		}
	}
	return at;
}

/* Items (not stops) in the slots, for the books: a look that is no
 * step of the run, called with the lock held. */
static long items_in(void)
{
	long n = 0;
	for (long i = 0; i < capacity; i++)
		n += var_value(slot[i]) > 0;
	return n;
}

static long fetch(void)
{
	long item, at;
	if (order == PRIORITY) {
		at = lowest(&item);
	} else {
		at = order == FIFO ? var_load(head) : var_load(tail) - 1;
		item = var_load(slot[at]);
		var_store(order == FIFO ? head : tail,
			  order == FIFO ? (at + 1) % capacity : at);
	}
	var_store(slot[at], 0);
	return item;
}

/* Check a taken item against the books (serialised by the lock). */
static void check(long item)
{
	long behind;
	if (item == STOP && (behind = items_in()) > 0) { /* lifo: on top */
		books->early++;
		lesson_note(NOTE_EARLY, behind);
	}
	if (item <= 0)
		return;
	long p = (item - 1) / each + 1;
	books->consumed++;
	if (books->taken[item]++) {
		books->twice++;
		lesson_note(NOTE_TWICE, item);
	} else if (order == FIFO && item < books->last[p]) {
		books->disorder++;
		lesson_note(NOTE_ORDER, item);
	}
	books->last[p] = item;
}

/* --- put and get: wait -1 for ever, 0 never, or at most wait --- */

static bool put(long item, long wait)
{
	if (sema_wait_for(slots, wait) != 0)	/* q1: a free slot */
		return false;			/* Full */
	mutex_lock(lock);			/* q2 */
	store(item);
	var_add(count, 1);
	mutex_unlock(lock);
	sema_post(items);			/* q3: one more item */
	return true;
}

static long get(long wait)
{
	if (sema_wait_for(items, wait) != 0)	/* q4: an item */
		return EMPTY;
	mutex_lock(lock);			/* q5 */
	long item = fetch();
	var_add(count, -1);
	check(item);
	mutex_unlock(lock);
	sema_post(slots);			/* q6: one more free slot */
	return item;
}

/* empty(): a look at the count, true when it looked; not a promise. */
static bool empty(void)
{
	return var_load(count) == 0;
}

/* nowait, empty-check: try again later (free mode: give the CPU away). */
static void again(void)
{
	if (!lesson_step_mode())
		sched_yield();
}

/* empty-check: the producers are done and the queue is empty; or, if
 * only empty, look again.  Not empty: get() will not wait.  Or will it? */
static bool looked_empty(void)
{
	for (;;) {
		bool finished = var_load(done);
		if (!empty())				/* e1 */
			return false;
		if (finished)
			return true;
		again();
	}
}

/* --- the processes --- */

static void producer(long p)
{
	for (long seq = 1; seq <= each; seq++) {
		long item = (p - 1) * each + seq;
		if (make > 0)
			work(make);			/* making it */
		if (lesson_variant() != NOWAIT)
			put(item, -1);
		else
			while (!put(item, 0)) {		/* n1: Full */
				books->fulls++;
				lesson_note(NOTE_FULL, item);
				again();
			}
		books->produced++;
	}
}

static void consume(void)
{
	for (;;) {
		long item;
		int v = lesson_variant();
		if (v == EMPTY_CHECK && looked_empty())
			return;
		item = get(v == NOWAIT ? 0 : v == TIMEOUT ? timeout : -1);
		if (item == EMPTY && v == TIMEOUT) {	/* t1: "no more" */
			books->empties++;
			lesson_note(NOTE_GAVE_UP, timeout);
			return;
		}
		if (item == EMPTY) {			/* n2: Empty */
			books->empties++;
			lesson_note(NOTE_EMPTY, 0);
			again();
		}
		if (item == STOP)
			return;
	}
}

static void consumer(long unused)
{
	(void)unused;
	consume();
	books->ended++;
}

/* P1: fork both sides, wait for the producers, stop the consumers. */
static void parent(long unused)
{
	(void)unused;
	int v = lesson_variant(), pid[2 * SIDE_MAX], n = 0;
	long producers = lesson_opt("producers");
	long consumers = lesson_opt("consumers");
	for (long p = 1; p <= producers; p++)
		pid[n++] = proc_fork("producer", producer, p);
	for (long c = 1; c <= consumers; c++)
		pid[n++] = proc_fork("consumer", consumer, c);
	for (long p = 0; p < producers; p++)
		proc_join(pid[p]);
	if (v == EMPTY_CHECK)
		var_store(done, 1);			/* e2 */
	for (long c = 0; v == STOPPED || v == NOWAIT ? c < consumers : 0;
	     c++)
		put(STOP, -1);				/* one each */
	for (int i = (int)producers; i < n; i++)
		proc_join(pid[i]);
}

static void mpqueue_setup(void)
{
	static char names[CAPACITY_MAX][8];
	long total = lesson_opt("producers") * lesson_opt("items");
	capacity = lesson_opt("capacity");
	order = lesson_opt("order");
	each = lesson_opt("items");
	make = lesson_opt("make");
	timeout = lesson_opt("timeout");
	books = lesson_calloc(1, sizeof(*books) + (size_t)total + 1);
	for (long i = 0; i < capacity; i++) {
		snprintf(names[i], sizeof(names[i]), "q%d", (int)i);
		slot[i] = var_new(names[i], 0);
	}
	if (order == FIFO) /* only what the order uses, for the viewer */
		head = var_new("head", 0);
	if (order != PRIORITY)
		tail = var_new(order == FIFO ? "tail" : "top", 0);
	count = var_new("count", 0);
	if (lesson_variant() == EMPTY_CHECK)
		done = var_new("done", 0);
	var_buffer(slot, (int)capacity, order == FIFO ? head : NULL,
		   order == PRIORITY ? NULL : tail);
	slots = sema_new("slots", capacity, 0);
	items = sema_new("items", 0, 0);
	lock = mutex_new("lock", MUTEX_NORMAL);
	process_new("main", parent, 0);
}

/* Every item made was taken exactly once (fifo: in order per producer),
 * nothing is left in the queue, and every consumer finished. */
static bool mpqueue_report(void)
{
	long total = lesson_opt("producers") * each, once = 0, left = 0;
	for (long i = 1; i <= total; i++)
		once += books->taken[i] > 0;
	for (long i = 0; i < capacity; i++)
		left += var_value(slot[i]) > 0;
	lesson_figure("produced", books->produced);
	lesson_figure("consumed", books->consumed);
	lesson_figure("duplicated", books->twice);
	lesson_figure("left", left);
	lesson_figure("stuck", lesson_opt("consumers") - books->ended);
	if (order == FIFO)
		lesson_figure("out_of_order", books->disorder);
	if (order == LIFO)
		lesson_figure("stopped_early", books->early);
	if (lesson_variant() == NOWAIT)
		lesson_figure("full", books->fulls);
	if (lesson_variant() == NOWAIT || lesson_variant() == TIMEOUT)
		lesson_figure("empty", books->empties);
	return books->produced == total && once == total &&
	       books->twice == 0 && books->disorder == 0 && left == 0 &&
	       books->early == 0 &&
	       books->ended == lesson_opt("consumers");
}

static const char *const orders[] = { "fifo", "lifo", "priority", NULL };

static const char *const mpqueue_notes[] = {
	[NOTE_FULL] = "put(%ld, block=False): Full, no free slot; it will "
		      "try again",
	[NOTE_EMPTY] = "get(block=False): Empty, no item now; it will try "
		       "again",
	[NOTE_GAVE_UP] = "took the Empty of get(timeout=%ld) for the end: a "
			 "producer may not be done",
	[NOTE_TWICE] = "took item %ld, which was already taken",
	[NOTE_ORDER] = "took item %ld after a later item of the same "
		       "producer: FIFO order is broken",
	[NOTE_EARLY] = "took a stop message with %ld item(s) still under it: "
		       "a LIFO stack gives the last put first, and P1 put "
		       "the stop last; the stop has overtaken them",
};

static const struct lesson_variant mpqueue_variants[] = {
	{ "stop", "put and get wait; a stop message ends each consumer",
	  NULL },
	{ "nowait", "put and get never wait: Full and Empty, try again",
	  NULL },
	{ "timeout", "a timed get's Empty taken for the end: items left",
	  "--make=4 --timeout=3 --capacity=4" },
	{ "empty-check", "get() once empty() said no: with two consumers, "
	  "one waits for ever", "--consumers=2 --items=1 --policy=rr" },
	{ NULL, NULL, NULL },
};

static const struct lesson_option mpqueue_options[] = {
	LESSON_NUMBER("producers", "producer processes", 1, 2, 1, SIDE_MAX),
	LESSON_NUMBER("consumers", "consumer processes", 2, 2, 1, SIDE_MAX),
	LESSON_NUMBER("capacity", "slots in the queue", 2, 8, 1,
		      CAPACITY_MAX),
	LESSON_NUMBER("items", "items each producer puts", 3, 20000, 1,
		      1000000),
	LESSON_CHOICE("order", "a FIFO queue, a LIFO stack, or the lowest "
		      "number first", FIFO, orders),
	LESSON_NUMBER("make", "work to make each item (steps, or ms)", 0, 0,
		      0, 1000),
	LESSON_NUMBER_WHEN("--variant=timeout", "timeout", "how long a timed get waits (steps, or "
		      "ms)", 3, 100, 0, 100000),
	LESSON_END,
};

static const struct lesson_question mpqueue_questions[] = {
	LESSON_ASK("stop", "--producers=2 --consumers=2 --items=3 "
		   "--order=fifo",
		   "Two producer processes put 3 items each, two consumers "
		   "get until a stop message.  How many items are consumed?",
		   QUIZ_NUMBER, "consumed",
		   "every put waits for a free slot and every get for an "
		   "item, and the lock keeps head and tail whole: the 6 items "
		   "are each taken once, then one stop each"),
	LESSON_ASK("empty-check", "--mode=step --producers=1 --consumers=2 "
		   "--items=1 --policy=rr",
		   "Each consumer looks at empty() and gets only when it saw "
		   "an item.  One item, two consumers, round robin: will the "
		   "run end in a deadlock?", QUIZ_YESNO, "deadlock",
		   "both see the one item before either takes it; one takes "
		   "it, the other waits in get() for an item no producer will "
		   "put, and P1 waits for it"),
	LESSON_ASK("timeout", "--mode=step --producers=1 --items=3 --make=4 "
		   "--timeout=3 --capacity=4",
		   "The producer works 4 steps on each item; a consumer that "
		   "waits 3 in get() takes Empty for the end.  How many of "
		   "the 3 items are left in the queue?", QUIZ_NUMBER, "left",
		   "a consumer waits 3 steps and an item takes 4 to make: "
		   "a consumer that starts waiting before an item is "
		   "counted on items gives up and leaves, and what the "
		   "producer puts after that stays in a queue nobody "
		   "reads"),
	LESSON_ASK_END,
};

static const struct lesson_challenge mpqueue_challenges[] = {
	LESSON_CHALLENGE("empty-check", "--consumers=2 --items=1",
			 "leave a consumer waiting for ever in get()",
			 "deadlock", 0, false,
			 "both consumers looked at empty() while the one "
			 "item was in the queue: it said False to both "
			 "(count 1), so both called get(); one took the "
			 "item, and the other waits for one no producer "
			 "will put"),
	LESSON_CHALLENGE("empty-check", "--consumers=2 --items=1",
			 "end the run with every consumer done",
			 "invariant", 0, false,
			 "one consumer must take the item before the other "
			 "looks: the check is right only when nobody runs "
			 "between the look and the get"),
	LESSON_CHALLENGE("timeout", "--items=1 --capacity=1 --consumers=1 "
			 "--timeout=1",
			 "make the consumer give up while an item is still "
			 "to come", "left>0", 0, false,
			 "a timed get that sees nothing says \"not yet\", "
			 "not \"never\": run the consumer once its tick is "
			 "up, before the producer's put is done"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(mpqueue);

const struct lesson mpqueue_lesson = {
	.name = "mpqueue",
	.topic = "processes",
	.summary = "producer and consumer processes on a bounded queue in "
		   "shared memory, with semaphores and a lock",
	.variants = mpqueue_variants,
	.options = mpqueue_options,
	.setup = mpqueue_setup,
	.report = mpqueue_report,
	.source = mpqueue_source,
	.notes = mpqueue_notes,
	.info_notes = 1ull << NOTE_FULL | 1ull << NOTE_EMPTY,
	.questions = mpqueue_questions,
	.challenges = mpqueue_challenges,
	.processes = true,
};

LESSON_MAIN(mpqueue_lesson)
