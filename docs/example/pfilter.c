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
 */
#include <stdatomic.h>

#include "lesson.h"

enum { BY_INDEX, APPEND };
enum { WORKERS_MAX = 8 };

static struct var *next, *kept;
static struct mutex *lock;
static long n;

/* The data, the answers and the output, in memory every process maps. */
static struct books {
	long *data, *out;
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

/* The next item's index, or -1 when none is left. */
static long take(void)
{
	mutex_lock(lock);
	long i = var_load(next);
	if (i < n)
		var_store(next, i + 1);
	mutex_unlock(lock);
	return i < n ? i : -1;
}

static void worker(long unused)
{
	(void)unused;
	for (long i; (i = take()) >= 0;) {
		bool yes = fn(books.data[i]);
		if (lesson_variant() == BY_INDEX)
			books.keep[i] = yes;			/* k1 */
		else if (yes)
			books.out[var_add(kept, 1)] = books.data[i]; /* a1 */
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
			books.out[var_add(kept, 1)] = books.data[i];
}

/* The data: the course's list over and over (--data=0), or numbers from
 * a generator seeded with --data. */
static void pfilter_setup(void)
{
	static const long course[] = { 4, 7, 13, 127, 17, 44, 32, 38 };
	unsigned long x = (unsigned long)lesson_opt("data");
	n = lesson_opt("items");
	books.data = lesson_calloc((size_t)n, sizeof(long));
	books.out = lesson_calloc((size_t)n, sizeof(long));
	books.keep = lesson_calloc((size_t)n, sizeof(char));
	for (long i = 0; i < n; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		books.data[i] = lesson_opt("data") ? (long)(x >> 52)
						   : course[i % 8];
	}
	next = var_new("next", 0);
	kept = var_new("kept", 0);
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

static const struct lesson_variant pfilter_variants[] = {
	{ "by-index", "an answer per item, collected in data's order",
	  NULL },
	{ "append", "kept items appended as found: out of order",
	  "--seed=10" },
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
	.processes = true,
};

LESSON_MAIN(pfilter_lesson)
