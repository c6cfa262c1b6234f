/*
 * test_prodcons.c: every item produced is consumed exactly once, in order
 * for a FIFO; the broken variants break where they should.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *const orders[] = { "fifo", "lifo", "priority" };

/* Correct variants hold over seeds, shapes and orders. */
START_TEST(test_correct_hold)
{
	static const char *const variants[] = { "busywait", "semaphore",
						"condvar" };
	struct run_result res;
	for (int seed = 0; seed < 120; seed++) {
		char args[200];
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--producers=%d --consumers=%d --capacity=%d "
			 "--items=%d --order=%s", variants[_i], seed,
			 1 + seed % 3, 1 + seed / 3 % 3, 1 + seed % 5,
			 1 + seed % 7, orders[seed % 3]);
		ck_assert_int_eq(trun(&prodcons_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "produced"),
				 run_figure(&res, "consumed"));
	}
}
END_TEST

/* condvar-if is right with one consumer... */
START_TEST(test_if_one_consumer)
{
	struct run_result res;
	for (int seed = 0; seed < 200; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=condvar-if --seed=%d "
			 "--capacity=%d", seed, 1 + seed % 4);
		trun(&prodcons_lesson, args, &res, NULL);
		ck_assert_msg(res.invariant, "%s broke", args);
	}
}
END_TEST

/*
 * ... and wrong with two: C1 waits on an empty buffer; the producer puts
 * an item and signals; before C1 gets the lock back, C2 takes the item;
 * C1 does not look again and takes from an empty buffer.
 */
START_TEST(test_if_two_consumers)
{
	struct run_result res;
	struct tlog log = { 0 };
	int broken = 0;
	for (int seed = 0; seed < 100; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=condvar-if "
			 "--consumers=2 --seed=%d", seed);
		trun(&prodcons_lesson, args, &res, &log);
		if (!res.invariant) {
			broken++;
			ck_assert_ptr_nonnull(strstr(log.text, "woke up and "
					"took from an empty slot: the item it "
					"was woken for is gone"));
		}
		tlog_free(&log);
		snprintf(args, sizeof(args), "--variant=condvar "
			 "--consumers=2 --seed=%d", seed);
		trun(&prodcons_lesson, args, &res, NULL);
		ck_assert(res.invariant);
	}
	ck_assert_int_gt(broken, 5);
}
END_TEST

/* unsafe: two producers write the same slot, two consumers take one item. */
START_TEST(test_unsafe_breaks)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&prodcons_lesson, "--variant=unsafe --producers=2 --consumers=2 "
	     "--policy=rr", &res, &log);
	ck_assert(!res.invariant);
	ck_assert_int_gt(run_figure(&res, "lost") +
				 run_figure(&res, "duplicated"), 0);
	ck_assert_int_gt(tlog_count(&log, OP_STORE, EV_OVERWRITE) +
				 tlog_count(&log, OP_NOTE, 0), 0);
	tlog_free(&log);
}
END_TEST

/* The runtime names the overwrite when it happens. */
START_TEST(test_overwrite_named)
{
	struct run_result res;
	struct tlog log = { 0 };
	/* both producers read tail 0, both write slot0 */
	trun(&prodcons_lesson, "--variant=unsafe --producers=2 --items=1 "
	     "--schedule=1,2,1,2,1,2", &res, &log);
	ck_assert_ptr_nonnull(strstr(log.text, "T2 wrote item 2 over item 1 "
					       "in slot0"));
	ck_assert_int_eq(run_figure(&res, "lost"), 1);
	tlog_free(&log);
}
END_TEST

/* The unsafe consumer never waits: it checked count, then found nothing. */
START_TEST(test_unsafe_empty_named)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&prodcons_lesson, "--variant=unsafe --producers=2 --items=1 "
	     "--schedule=1,2,1,2,1,2", &res, &log);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "empty_takes"), 1);
	ck_assert_ptr_nonnull(strstr(log.text, "T3 found its slot empty: "
					       "count was not 0 when it looked"));
	ck_assert_ptr_null(strstr(log.text, "woke"));
	tlog_free(&log);
}
END_TEST

/*
 * The default run: a lost update on count leaves count = 1 over an empty
 * buffer.  That breaks the invariant, and is said the moment it happens.
 */
START_TEST(test_count_wrong)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&prodcons_lesson, "", &res, &log);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "count"), 1);
	ck_assert_int_eq(run_figure(&res, "in_buffer"), 0);
	ck_assert_int_eq(run_figure(&res, "lost"), 0);
	const char *say = strstr(log.text, "T1 wrote count over a change it "
				 "never read: count now misses a put or a "
				 "take");
	ck_assert_ptr_nonnull(say);
	/* on the note's line: the store that went wrong was just before */
	const char *line = say;
	while (line > log.text && line[-1] != '\n')
		line--;
	const char *prev = line - 1;
	while (prev > log.text && prev[-1] != '\n')
		prev--;
	ck_assert_msg(strncmp(strstr(prev, "store"), "store      count = 3",
			      20) == 0, "%.*s", (int)(line - prev), prev);
	tlog_free(&log);
}
END_TEST

/*
 * Figures are true: an item never made (its producer gave up) is not
 * lost; an item still in the buffer is not lost.  Every item made is
 * taken at least once, lost, or still in the buffer.
 */
static void check_books(const struct run_result *res, const char *args)
{
	long made = run_figure(res, "produced");
	long once = run_figure(res, "consumed") - run_figure(res, "duplicated");
	long lost = run_figure(res, "lost"), left = run_figure(res, "in_buffer");
	ck_assert_msg(lost >= 0 && left >= 0 && once >= 0, "%s", args);
	ck_assert_msg(once + lost + left == made, "%s: %ld + %ld + %ld != %ld",
		      args, once, lost, left, made);
}

START_TEST(test_figures_true)
{
	struct run_result res;
	char args[160];
	int quit = 0;
	for (int seed = 0; seed < 60; seed++) {
		snprintf(args, sizeof(args), "--variant=unsafe --seed=%d "
			 "--producers=%d --consumers=%d --capacity=%d",
			 seed, 1 + seed % 2, 1 + seed % 3, 1 + seed % 3);
		trun(&prodcons_lesson, args, &res, NULL);
		check_books(&res, args);
		quit += run_figure(&res, "gave_up") > 0;
	}
	ck_assert_int_gt(quit, 0);
	/* the producer gives up: item 6 is never made, and is not lost */
	trun(&prodcons_lesson, "--capacity=2 --consumers=3 --seed=2", &res,
	     NULL);
	ck_assert_int_eq(run_figure(&res, "gave_up"), 1);
	ck_assert_int_eq(run_figure(&res, "produced"), 5);
	ck_assert_int_eq(run_figure(&res, "lost"), 0);
	ck_assert_int_eq(run_figure(&res, "in_buffer"), 1);
	ck_assert(!res.invariant);
	/* real threads: producers that give up early made few items */
	trun(&prodcons_lesson, "--variant=unsafe --mode=free --producers=2 "
	     "--consumers=2 --items=20000", &res, NULL);
	check_books(&res, "free");
	ck_assert_int_le(run_figure(&res, "lost"),
			 run_figure(&res, "produced"));
}
END_TEST

/* Variants whose failure is the deadlock itself: nothing goes wrong
 * before every thread or process waits for another. */
static bool tdeadlock_is_failure(const struct lesson *l,
				 const struct lesson_variant *v)
{
	static const char *const which[][2] = {
		{ "pipe", "two-way" }, { "deadlock", "broken" },
		{ "deadlock", "philosophers" }, { "locks", "plain" },
		{ "mpqueue", "empty-check" },
	};
	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		if (strcmp(l->name, which[i][0]) == 0 &&
		    strcmp(v->name, which[i][1]) == 0)
			return true;
	return false;
}

/*
 * Every lesson: each broken variant's `fails` options break it in step
 * mode, and say so on screen (a narrated event) before the run ends;
 * a correct variant has none.  (Here for every lesson: the lesson
 * suites have no common file.)
 */
static const struct {
	const struct lesson *l;
	const char *broken[5];
} tfails[] = {
	{ &race_lesson, { "unsafe" } },
	{ &bandwidth_lesson, { "none" } },
	{ &barrier_lesson, { "none", "naive-reusable" } },
	{ &prodcons_lesson, { "unsafe", "condvar-if" } },
	{ &fork_lesson, { "private", "no-join" } },
	{ &shmrace_lesson, { "unsafe" } },
	{ &pipe_lesson, { "forgot-close", "two-way" } },
	{ &deadlock_lesson, { "broken", "trylock", "philosophers" } },
	{ &locks_lesson, { "plain", "extra-unlock", "not-owner",
			   "messy" } },
	{ &event_lesson, { "set-first" } },
	{ &tls_lesson, { "unlocked", "cached" } },
	{ &shm_lesson, { "early-attach", "forget-unlink",
			 "unlocked" } },
	{ &sched_lesson, { "check-sleep" } },
	{ &timer_lesson, { "rearm-first" } },
	{ &mpqueue_lesson, { "timeout", "empty-check" } },
	{ &manager_lesson, { "get-set" } },
	{ &pool_lesson, { "completion", "die" } },
};

/* ... and no lesson is left out of that table. */
START_TEST(test_fails_every_lesson)
{
	for (int i = 0; launcher_lessons[i]; i++) {
		bool listed = false;
		for (size_t k = 0; k < sizeof(tfails) / sizeof(tfails[0]); k++)
			listed |= tfails[k].l == launcher_lessons[i];
		ck_assert_msg(listed, "%s: add its broken variants to tfails[]",
			      launcher_lessons[i]->name);
	}
}
END_TEST

START_TEST(test_fails_break)
{
	const struct lesson *l = tfails[_i].l;
	for (const struct lesson_variant *v = l->variants; v->name; v++) {
		bool broken = false;
		for (int b = 0; tfails[_i].broken[b]; b++)
			broken |= strcmp(tfails[_i].broken[b], v->name) == 0;
		if (!broken) {
			ck_assert_msg(!v->fails, "%s %s is correct", l->name,
				      v->name);
			continue;
		}
		ck_assert_msg(v->fails && !strstr(v->fails, "--mode"),
			      "%s %s: fails must be a step-mode run", l->name,
			      v->name);
		char args[256];
		snprintf(args, sizeof(args), "--variant=%s %s", v->name,
			 v->fails);
		struct run_result res;
		struct tlog log = { 0 };
		trun(l, args, &res, &log);
		ck_assert_msg(!res.invariant, "%s %s held", l->name, args);
		/* the first narration is the failure, not the deadlock it
		 * may lead to (unless the deadlock is the failure) */
		const char *say = strstr(log.text, "  ! ");
		ck_assert_msg(say && (strncmp(say, "  ! deadlock", 12) != 0 ||
				      tdeadlock_is_failure(l, v)),
			      "%s %s: nothing narrated before the end",
			      l->name, args);
		tlog_free(&log);
	}
}
END_TEST

/* The primitives (not variables) that setup() creates, by object id. */
static uint64_t tcreated(const struct lesson *l, const char *args)
{
	struct cli c;
	ck_assert_int_eq(tcli(l, args, &c), CLI_RUN);
	struct sched s;
	run_begin(&c.cfg, NULL, NULL, &s);
	uint64_t set = 0;
	for (int i = 0; i < rt.nobjs; i++)
		if (rt.objs[i]->kind != OBJ_VAR)
			set |= 1ull << i;
	struct run_result res;
	run_finish(RUN_DONE, &res);
	cli_free(&c);
	return set;
}

/*
 * A variant creates only the primitives it uses, so the viewer draws
 * only those (no mutex in prodcons unsafe, no semaphore in condvar).
 */
START_TEST(test_only_used_objects)
{
	const struct lesson *const lessons[] = {
		&bandwidth_lesson, &barrier_lesson, &prodcons_lesson,
	};
	const struct lesson *l = lessons[_i];
	for (const struct lesson_variant *v = l->variants; v->name; v++) {
		char args[64];
		snprintf(args, sizeof(args), "--variant=%s", v->name);
		uint64_t made = tcreated(l, args), used = 0;
		struct run_result res;
		struct tlog log = { 0 };
		trun(l, args, &res, &log);
		for (size_t i = 0; i < log.n; i++) {
			if (log.ev[i].obj >= 0)
				used |= 1ull << log.ev[i].obj;
			if (log.ev[i].obj2 >= 0)
				used |= 1ull << log.ev[i].obj2;
		}
		ck_assert_msg((made & ~used) == 0, "%s %s creates a primitive "
			      "it never uses", l->name, v->name);
		tlog_free(&log);
	}
}
END_TEST

/*
 * A comment at the end of a code line (the ones that carry a label and
 * the explanation: "i2: still there?") is whole on its line, and the
 * line fits 80 columns, tabs at 8: the viewer shows lines as they are.
 */
START_TEST(test_line_comments_fit)
{
	const char *src = launcher_lessons[_i]->source;
	for (int no = 1; *src; no++) {
		const char *end = strchr(src, '\n');
		size_t len = end ? (size_t)(end - src) : strlen(src);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)len, src);
		const char *open = strstr(line, "/*");
		const char *code = line + strspn(line, " \t");
		if (open && code < open) {
			int col = 0;
			for (const char *c = line; *c; c++)
				col = *c == '\t' ? (col / 8 + 1) * 8 : col + 1;
			ck_assert_msg(strstr(open, "*/") && col <= 80,
				      "%s line %d: %s", launcher_lessons[_i]->name, no,
				      line);
		}
		src += len + (end != NULL);
	}
}
END_TEST

/* Free mode: real threads. */
START_TEST(test_free)
{
	static const char *const variants[] = { "busywait", "semaphore",
						"condvar" };
	struct run_result res;
	char args[160];
	snprintf(args, sizeof(args), "--variant=%s --mode=free --producers=2 "
		 "--consumers=2 --items=%d", variants[_i],
		 tslow() ? 500 : 5000);
	ck_assert_int_eq(trun(&prodcons_lesson, args, &res, NULL), RUN_DONE);
	ck_assert(res.invariant);
	ck_assert_int_eq(run_figure(&res, "consumed"), tslow() ? 1000 : 10000);
}
END_TEST

START_TEST(test_free_unsafe_loses)
{
	struct run_result res;
	bool broken = false;
	/* Under the sanitizers, fewer items: a waiter spins up to a
	 * million times before it gives up, and a run of 100000 items
	 * each passed the 180 s bound once, on a loaded machine. */
	const char *args = tslow() ? "--variant=unsafe --mode=free "
				     "--producers=2 --consumers=2 --items=10000"
				   : "--variant=unsafe --mode=free "
				     "--producers=2 --consumers=2";
	for (int i = 0; i < 5 && !broken; i++) {
		trun(&prodcons_lesson, args, &res, NULL);
		broken = !res.invariant;
	}
	ck_assert(broken);
}
END_TEST

static const char *const bad[] = {
	"--capacity=0", "--capacity=17", "--producers=0", "--consumers=99",
	"--items=0", "--order=random", "--order=", "--variant=queue",
};

START_TEST(test_bad_input)
{
	tbad_input("prodcons", bad[_i]);
}
END_TEST

Suite *prodcons_suite(void)
{
	Suite *s = suite_create("prodcons");
	TCase *tc = tcase_create("prodcons");
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_correct_hold, 0, 3);
	tcase_add_test(tc, test_if_one_consumer);
	tcase_add_test(tc, test_if_two_consumers);
	tcase_add_test(tc, test_unsafe_breaks);
	tcase_add_test(tc, test_overwrite_named);
	tcase_add_test(tc, test_unsafe_empty_named);
	tcase_add_test(tc, test_count_wrong);
	tcase_add_test(tc, test_figures_true);
	tcase_add_loop_test(tc, test_fails_break, 0,
			    (int)(sizeof(tfails) / sizeof(tfails[0])));
	tcase_add_test(tc, test_fails_every_lesson);
	tcase_add_loop_test(tc, test_only_used_objects, 0, 3);
	int nlessons = 0;
	while (launcher_lessons[nlessons])
		nlessons++;
	tcase_add_loop_test(tc, test_line_comments_fit, 0, nlessons);
	tcase_add_loop_test(tc, test_free, 0, 3);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("prodcons-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_free_unsafe_loses);
	suite_add_tcase(s, tc);
	return s;
}
