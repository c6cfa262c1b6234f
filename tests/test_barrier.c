/*
 * test_barrier.c: nobody starts before the field lined up, the gun fires
 * once a round, and a broken barrier is reported to every waiting runner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* barrier and reusable hold over hundreds of seeds and field sizes. */
START_TEST(test_barriers_hold)
{
	static const char *const variants[] = { "barrier", "reusable" };
	struct run_result res;
	for (int seed = 0; seed < 150; seed++) {
		char args[160];
		long runners = 1 + seed % 5, rounds = 1 + seed % 4;
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--runners=%ld --rounds=%ld --distance=%d",
			 variants[_i], seed, runners, rounds, 1 + seed % 3);
		ck_assert_int_eq(trun(&barrier_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "actions"), rounds);
	}
}
END_TEST

/* A runner with a long time slice: the naive barrier lets it lap. */
START_TEST(test_long_slice)
{
	struct run_result res;
	const char *shape = "--rounds=2 --policy=rr --quantum=100";
	char args[128];
	snprintf(args, sizeof(args), "--variant=naive-reusable %s", shape);
	ck_assert_int_eq(trun(&barrier_lesson, args, &res, NULL),
			 RUN_DEADLOCK);
	ck_assert(!res.invariant);
	ck_assert_int_ge(run_figure(&res, "early_starts"), 1);
	snprintf(args, sizeof(args), "--variant=reusable %s", shape);
	ck_assert_int_eq(trun(&barrier_lesson, args, &res, NULL), RUN_DONE);
	ck_assert(res.invariant);
	ck_assert_int_eq(run_figure(&res, "actions"), 2);
}
END_TEST

/* The smallest lap: A waits, B opens, passes, laps and takes A's permit. */
START_TEST(test_naive_lap_exact)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&barrier_lesson, "--variant=naive-reusable --runners=2 "
	     "--distance=1 --rounds=2 --policy=rr --quantum=1000", &res, &log);
	ck_assert_int_eq(res.end, RUN_DEADLOCK);
	ck_assert_int_eq(run_figure(&res, "early_starts"), 1);
	ck_assert_int_eq(run_figure(&res, "actions"), 1);
	/* B took A's permit: A is left waiting for a turn that is gone */
	const struct event *last = &log.ev[log.n - 1];
	ck_assert_int_eq(last->op, OP_DEADLOCK);
	ck_assert_int_eq(tlog_count(&log, OP_SEM_WAIT, 0), 2);
	for (size_t i = 0; i < log.n; i++)
		if (log.ev[i].op == OP_SEM_WAIT)
			ck_assert_int_eq(log.ev[i].thread, 2);
	tlog_free(&log);
}
END_TEST

/* No barrier: the first runner to line up just goes. */
START_TEST(test_none_early)
{
	struct run_result res;
	trun(&barrier_lesson, "--variant=none --runners=2 --schedule=1,1,1",
	     &res, NULL);
	ck_assert(!res.invariant);
	ck_assert_int_ge(run_figure(&res, "early_starts"), 1);
	trun(&barrier_lesson, "--variant=none --mode=free --runners=4 "
	     "--rounds=50", &res, NULL);
	ck_assert_int_eq(run_figure(&res, "actions"), 0);
}
END_TEST

/* Narrations in a log: how many lines carry text. */
static int tsaid(const struct tlog *log, const char *text)
{
	int n = 0;
	for (const char *p = log->text; (p = strstr(p, text)); p++)
		n++;
	return n;
}

/* Every early start is narrated when it happens, naming who is behind. */
START_TEST(test_early_narrated)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&barrier_lesson, "--variant=none", &res, &log);
	ck_assert_ptr_nonnull(strstr(log.text, "! T3 set off in round 1 before "
					       "T2 had lined up: an early "
					       "start"));
	tlog_free(&log);
	for (int seed = 0; seed < 60; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--rounds=%d", seed % 2 ? "none" : "naive-reusable",
			 seed, 1 + seed % 3);
		trun(&barrier_lesson, args, &res, &log);
		ck_assert_int_eq(tsaid(&log, ": an early start") +
					 tsaid(&log, ": a lap"),
				 run_figure(&res, "early_starts"));
		tlog_free(&log);
	}
}
END_TEST

/* naive-reusable: the lap is said before the deadlock it leads to. */
START_TEST(test_lap_before_deadlock)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&barrier_lesson, "--variant=naive-reusable --rounds=2 "
	     "--policy=rr --quantum=100", &res, &log);
	ck_assert_int_eq(res.end, RUN_DEADLOCK);
	const char *lap = strstr(log.text, "! T3 set off into the next round "
				 "while T2 was still in round 1: a lap");
	const char *deadlock = strstr(log.text, "! deadlock");
	ck_assert_ptr_nonnull(lap);
	ck_assert_ptr_nonnull(deadlock);
	ck_assert(lap < deadlock);
	tlog_free(&log);
}
END_TEST

/* The gun fires once a round, in the last runner to line up. */
START_TEST(test_action_by_last)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&barrier_lesson, "--variant=barrier --runners=3 --rounds=2 "
	     "--seed=5", &res, &log);
	int actions = 0;
	for (size_t i = 0; i < log.n; i++) {
		const struct event *e = &log.ev[i];
		if (e->op != OP_ACTION)
			continue;
		actions++;
		/* just before: that thread's arrival made it 3 of 3 */
		const struct event *a = &log.ev[i - 1];
		ck_assert_int_eq(a->op, OP_ARRIVE);
		ck_assert_int_eq(a->thread, e->thread);
		ck_assert_int_eq(a->a, 3);
	}
	ck_assert_int_eq(actions, 2);
	tlog_free(&log);
}
END_TEST

/* Free mode: real threads, every shape. */
START_TEST(test_free_hold)
{
	static const char *const variants[] = { "barrier", "reusable" };
	struct run_result res;
	for (int runners = 1; runners <= 6; runners += 2) {
		char args[128];
		snprintf(args, sizeof(args), "--variant=%s --mode=free "
			 "--runners=%d --rounds=%d", variants[_i], runners,
			 tslow() ? 20 : 200);
		ck_assert_int_eq(trun(&barrier_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
	}
}
END_TEST

/* Timeout: every runner who lined up is told, after the timeout. */
START_TEST(test_timeout)
{
	struct run_result res;
	struct tlog log = { 0 };
	for (int runners = 2; runners <= 5; runners++) {
		char args[128];
		snprintf(args, sizeof(args), "--variant=timeout --runners=%d "
			 "--timeout=50%s", runners, _i ? " --mode=free" : "");
		ck_assert_int_eq(trun(&barrier_lesson, args, &res, &log),
				 RUN_DONE);
		ck_assert(res.invariant);
		ck_assert_int_eq(run_figure(&res, "told_broken"), runners - 1);
		ck_assert_int_eq(run_figure(&res, "early_starts"), 0);
		ck_assert_int_eq(tlog_count(&log, OP_LEAVE, 0), runners - 1);
		if (_i)
			ck_assert_int_ge(res.elapsed_us, 50000);
		tlog_free(&log);
	}
}
END_TEST

static const char *const bad[] = {
	"--runners=0", "--runners=27", "--distance=0", "--rounds=0",
	"--timeout=0", "--variant=relay",
};

START_TEST(test_bad_input)
{
	tbad_input("barrier", bad[_i]);
}
END_TEST

Suite *barrier_suite(void)
{
	Suite *s = suite_create("barrier");
	TCase *tc = tcase_create("barrier");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_barriers_hold, 0, 2);
	tcase_add_test(tc, test_long_slice);
	tcase_add_test(tc, test_naive_lap_exact);
	tcase_add_test(tc, test_none_early);
	tcase_add_test(tc, test_action_by_last);
	tcase_add_test(tc, test_early_narrated);
	tcase_add_test(tc, test_lap_before_deadlock);
	tcase_add_loop_test(tc, test_free_hold, 0, 2);
	tcase_add_loop_test(tc, test_timeout, 0, 2);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	return s;
}
