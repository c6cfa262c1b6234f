/*
 * pfilter: the course's exercise, pfilter(fn, data, nworkers), a
 * parallel filter that keeps the order.  (The solution of the exercise
 * in docs/lessons/pool.md: built and run by make check, and checked by
 * the pool suite against a sequential filter on many inputs; not listed
 * by the launcher.)
 *
 * sfilter(fn, data) is [x for x in data if fn(x)].  In parallel, the
 * workers test the items in any order; what keeps the order is where the
 * answers go: keep[i] for item i, as Pool.map puts result i.  Only when
 * every answer is in does P1 walk data in order and take the kept items.
 *
 *   by-index  workers write keep[i]; P1 collects in data's order  (k1-k2)
 *   append    workers append each kept item to out as they find it:
 *             the wrong attempt, in the order the tests finished  (a1)
 *
 * The output's first places are shared variables, out1, out2, ...: the
 * trace shows each item put in its place, and a note ('!') says when one
 * lands before an earlier kept item.  A test takes time: in step mode a
 * step for each divisor it tries, so 127 takes longer than 17.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "lesson.h"

enum { BY_INDEX, APPEND };
enum { NOTE_ORDER };
enum { WORKERS_MAX = 8, SHOWN = 16 };

static struct var *taken, *kept, *shown[SHOWN];
static struct mutex *lock;
static long n;

/* The data, the answers and the output, in memory every process maps;
 * rank[i]: where item i belongs in the output (kept items before it). */
static struct books {
	long *data, *out, *rank;
	_Atomic char *keep;
} books;

/* fn: is x a prime?  (The course's list [4, 7, 13, 127, 17, 44, 32, 38]
 * keeps [7, 13, 127, 17].) */
static bool fn(long x)
{
	if (x < 2)
		return false;
	for (long d = 2; d * d <= x; d++)
		if (x % d == 0)
			return false;
	return true;
}

/* The time a test takes: one step per divisor it may try (step mode;
 * free mode takes the real time). */
static void test_time(long x)
{
	long d = 2;
	while (d * d <= x)
		d++;
	if (lesson_step_mode())
		work(d - 2);
}

/* Put x, item i, in place k of the output; say so if it is not its place. */
static void put(long k, long x, long i)
{
	books.out[k] = x;
	if (k < SHOWN)
		var_store(shown[k], x);
	if (k != books.rank[i])
		lesson_note(NOTE_ORDER, x);
}

/* The next item's index, or -1 when none is left. */
static long take(void)
{
	mutex_lock(lock);
	long i = var_load(taken);
	if (i < n)
		var_store(taken, i + 1);
	mutex_unlock(lock);
	return i < n ? i : -1;
}

static void worker(long unused)
{
	(void)unused;
	for (long i; (i = take()) >= 0;) {
		bool yes = fn(books.data[i]);
		test_time(books.data[i]);
		if (lesson_variant() == BY_INDEX)
			books.keep[i] = yes;			/* k1 */
		else if (yes)
			put(var_add(kept, 1), books.data[i], i); /* a1 */
	}
}

/* P1: pfilter(fn, data, nworkers). */
static void parent(long unused)
{
	(void)unused;
	int pid[WORKERS_MAX];
	long workers = lesson_opt("workers");
	for (long w = 0; w < workers; w++)
		pid[w] = proc_fork("worker", worker, w);
	for (long w = 0; w < workers; w++)
		proc_join(pid[w]);
	for (long i = 0; lesson_variant() == BY_INDEX && i < n; i++)
		if (books.keep[i])				/* k2 */
			put(var_add(kept, 1), books.data[i], i);
}

/* The data: the course's list over and over (--data=0), or numbers from
 * a generator seeded with --data. */
static void pfilter_setup(void)
{
	static const long course[] = { 4, 7, 13, 127, 17, 44, 32, 38 };
	static char names[SHOWN][16];
	unsigned long x = (unsigned long)lesson_opt("data");
	n = lesson_opt("items");
	books.data = lesson_calloc((size_t)n, sizeof(long));
	books.out = lesson_calloc((size_t)n, sizeof(long));
	books.rank = lesson_calloc((size_t)n, sizeof(long));
	books.keep = lesson_calloc((size_t)n, sizeof(char));
	for (long i = 0, k = 0; i < n; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		books.data[i] = lesson_opt("data") ? (long)(x >> 52)
						   : course[i % 8];
		books.rank[i] = k;
		k += fn(books.data[i]);
	}
	taken = var_new("taken", 0); /* items taken, as pool's */
	kept = var_new("kept", 0);
	int m = n < SHOWN ? (int)n : SHOWN;
	for (int k = 0; k < m; k++) {
		snprintf(names[k], sizeof(names[k]), "out%d", k + 1);
		shown[k] = var_new(names[k], 0);
	}
	var_buffer(shown, m, NULL, NULL); /* the viewer draws the output */
	lock = mutex_new("lock", MUTEX_NORMAL);
	process_new("main", parent, 0);
}

/* The output is sfilter(fn, data): the same items, in the same order. */
static bool pfilter_report(void)
{
	long k = 0, wrong = 0, got = var_value(kept);
	for (long i = 0; i < n; i++)
		if (fn(books.data[i]))
			wrong += k >= got || books.out[k++] != books.data[i];
	lesson_figure("items", n);
	lesson_figure("kept", got);
	lesson_figure("want", k);
	lesson_figure("wrong", wrong);
	lesson_figure("first", got ? books.out[0] : -1);
	return got == k && wrong == 0;
}

static const char *const pfilter_notes[] = {
	[NOTE_ORDER] = "appended a kept item before an earlier one: %ld is "
		       "out of data's order",
};

static const struct lesson_variant pfilter_variants[] = {
	{ "by-index", "an answer per item, collected in data's order",
	  NULL },
	{ "append", "kept items appended as found: out of order",
	  "--seed=1" },
	{ NULL, NULL, NULL },
};

static const struct lesson_option pfilter_options[] = {
	LESSON_NUMBER("workers", "worker processes", 2, 4, 1, WORKERS_MAX),
	LESSON_NUMBER("items", "items of data", 8, 100000, 1, 1000000),
	LESSON_NUMBER("data", "0: the course's list; else a generator's seed",
		      0, 1, 0, 1000000),
	LESSON_END,
};

LESSON_SOURCE(pfilter);

const struct lesson pfilter_lesson = {
	.name = "pfilter",
	.summary = "a parallel filter that keeps the order",
	.variants = pfilter_variants,
	.options = pfilter_options,
	.setup = pfilter_setup,
	.report = pfilter_report,
	.source = pfilter_source,
	.notes = pfilter_notes,
	.processes = true,
};

LESSON_MAIN(pfilter_lesson)
