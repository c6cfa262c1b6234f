/*
 * test_race.c: the race lesson's invariant, in both modes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

/* mutex and atomic hold over hundreds of seeds and thread counts. */
START_TEST(test_correct_variants_hold)
{
	static const char *const variants[] = { "mutex", "atomic" };
	struct run_result res;
	for (int seed = 0; seed < 300; seed++) {
		char args[128];
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--threads=%d --iterations=%d", variants[_i], seed,
			 1 + seed % 5, 1 + seed % 7);
		ck_assert_int_eq(trun(&race_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "lost_updates"), 0);
	}
}
END_TEST

/* unsafe: the lost updates account exactly for the wrong balance. */
START_TEST(test_unsafe_accounting)
{
	struct run_result res;
	int broken = 0;
	for (int seed = 0; seed < 300; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--seed=%d --iterations=10", seed);
		trun(&race_lesson, args, &res, NULL);
		long diff = run_figure(&res, "balance") -
			    run_figure(&res, "expected");
		long lost = run_figure(&res, "lost_updates");
		ck_assert_int_le(labs(diff), lost);
		if (lost == 0)
			ck_assert(res.invariant);
		broken += !res.invariant;
	}
	ck_assert_int_gt(broken, 100); /* random interleaving loses often */
}
END_TEST

/* Constructed schedules, with the balance each must give. */
START_TEST(test_unsafe_schedules)
{
	static const struct {
		const char *schedule;
		long balance, lost;
	} cases[] = {
		{ "1,2,1,2", 99, 1 },  /* T2's store overwrites T1's */
		{ "1,2,2,1", 101, 1 }, /* T1's store overwrites T2's */
		{ "1,1,2,2", 100, 0 }, /* one after the other: fine */
		{ "2,1,1,2", 99, 1 },
	};
	struct run_result res;
	char args[96];
	snprintf(args, sizeof(args), "--iterations=1 --schedule=%s",
		 cases[_i].schedule);
	trun(&race_lesson, args, &res, NULL);
	ck_assert_int_eq(run_figure(&res, "balance"), cases[_i].balance);
	ck_assert_int_eq(run_figure(&res, "lost_updates"), cases[_i].lost);
	ck_assert_int_eq(res.invariant, cases[_i].lost == 0);
}
END_TEST

/* Free mode, real threads: the fixes hold at full scale. */
START_TEST(test_free_correct)
{
	static const char *const variants[] = { "mutex", "atomic" };
	struct run_result res;
	char args[96];
	snprintf(args, sizeof(args), "--mode=free --variant=%s%s",
		 variants[_i], tslow() ? " --iterations=100000" : "");
	ck_assert_int_eq(trun(&race_lesson, args, &res, NULL), RUN_DONE);
	ck_assert(res.invariant);
	ck_assert_int_eq(run_figure(&res, "balance"), 100);
}
END_TEST

/*
 * Free mode, unsafe, 2 x 1,000,000: updates really are lost.  The threads
 * start together behind a gate, but a loaded machine can still run them
 * one after the other; a few tries make that vanishingly unlikely.
 */
START_TEST(test_free_unsafe_loses)
{
	struct run_result res;
	bool lost = false;
	for (int try = 0; try < 5 && !lost; try++) {
		trun(&race_lesson, "--mode=free", &res, NULL);
		lost = !res.invariant;
	}
	ck_assert_msg(lost, "5 runs of 2 x 1000000 lost no update");
	ck_assert_uint_eq(res.steps, 4000004); /* loads, stores, starts, exits */
}
END_TEST

/*
 * Free mode keeps an exact prefix of the run: numbered 1, 2, 3, ..., both
 * threads' starts first, cut where the first thread's window ran out.
 */
START_TEST(test_free_log_order)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&race_lesson, "--mode=free --variant=mutex --iterations=100000",
	     &res, &log);
	ck_assert_uint_ge(log.n, RT_RING);
	ck_assert_uint_le(log.n, 2 * RT_RING);
	ck_assert_uint_eq(res.kept, log.n);
	ck_assert_int_eq(log.ev[0].op, OP_START);
	ck_assert_int_eq(log.ev[1].op, OP_START);
	for (size_t i = 0; i < log.n; i++)
		ck_assert_uint_eq(log.ev[i].seq, i + 1);
	/* Under the mutex, events of the critical section never interleave:
	 * a lock is followed by that thread's load, store and unlock. */
	for (size_t i = 0; i + 3 < log.n; i++)
		if (log.ev[i].op == OP_LOCK && log.ev[i + 3].op == OP_UNLOCK &&
		    log.ev[i].seq + 3 == log.ev[i + 3].seq)
			ck_assert_int_eq(log.ev[i].thread, log.ev[i + 3].thread);
	tlog_free(&log);
}
END_TEST

Suite *race_suite(void)
{
	Suite *s = suite_create("race");
	TCase *tc = tcase_create("step");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_correct_variants_hold, 0, 2);
	tcase_add_test(tc, test_unsafe_accounting);
	tcase_add_loop_test(tc, test_unsafe_schedules, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_create("free");
	tcase_set_tags(tc, "scale"); /* real threads at scale: not valgrind */
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_free_correct, 0, 2);
	tcase_add_test(tc, test_free_unsafe_loses);
	tcase_add_test(tc, test_free_log_order);
	suite_add_tcase(s, tc);
	return s;
}
