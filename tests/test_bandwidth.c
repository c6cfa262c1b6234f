/*
 * test_bandwidth.c: never more than k workers inside, in both modes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The limiting variants hold over hundreds of seeds and shapes. */
START_TEST(test_limits_hold)
{
	static const char *const variants[] = { "semaphore", "mutex",
						"bounded" };
	struct run_result res;
	for (int seed = 0; seed < 200; seed++) {
		char args[160];
		long workers = 1 + seed % 7, k = 1 + seed % 4;
		int n = snprintf(args, sizeof(args), "--variant=%s --seed=%d "
				 "--workers=%ld --jobs=%d --cost=%d",
				 variants[_i], seed, workers, 1 + seed % 3,
				 1 + seed % 4);
		if (_i != 1) /* a mutex has one permit: --permits is refused */
			snprintf(args + n, sizeof(args) - (size_t)n,
				 " --permits=%ld", k);
		ck_assert_int_eq(trun(&bandwidth_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		long limit = _i == 1 ? 1 : k;
		ck_assert_int_le(run_figure(&res, "max_inside"), limit);
		ck_assert_int_eq(run_figure(&res, "jobs"),
				 workers * (1 + seed % 3));
	}
}
END_TEST

/* With enough workers, the limit is reached, not just respected. */
START_TEST(test_limit_reached)
{
	struct run_result res;
	trun(&bandwidth_lesson, "--variant=semaphore --policy=rr --workers=5 "
	     "--permits=3", &res, NULL);
	ck_assert_int_eq(run_figure(&res, "max_inside"), 3);
}
END_TEST

/* No limit: round robin lets every worker in before anyone leaves. */
START_TEST(test_none_exceeds)
{
	struct run_result res;
	trun(&bandwidth_lesson, "--variant=none --policy=rr", &res, NULL);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "max_inside"), 5);
	trun(&bandwidth_lesson, "--variant=none --mode=free --jobs=2 --cost=5",
	     &res, NULL);
	ck_assert_int_gt(run_figure(&res, "max_inside"), 2);
}
END_TEST

/* No limit: each time a (k+1)-th worker goes in, it is said. */
START_TEST(test_none_narrated)
{
	struct run_result res;
	struct tlog log = { 0 };
	for (int seed = 0; seed < 40; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--permits=%d", seed % 4 ? "none" : "semaphore", seed,
			 1 + seed % 3);
		trun(&bandwidth_lesson, args, &res, &log);
		int said = 0, crossed = 0;
		for (const char *p = log.text; (p = strstr(p, "went in: ")); p++)
			said++;
		char over[48];
		snprintf(over, sizeof(over), "inside = %d (was %d)",
			 2 + seed % 3, 1 + seed % 3);
		for (const char *p = log.text; (p = strstr(p, over)); p++)
			crossed++;
		ck_assert_int_eq(said, crossed);
		ck_assert_int_eq(said > 0, !res.invariant);
		tlog_free(&log);
	}
	trun(&bandwidth_lesson, "--variant=none", &res, &log);
	ck_assert_ptr_nonnull(strstr(log.text, "! T2 went in: now 3 workers "
					       "are inside, one more than the "
					       "limit k"));
	tlog_free(&log);
}
END_TEST

/* The second release is refused at once, in the thread that made it. */
START_TEST(test_bounded_refuses)
{
	struct run_result res;
	struct tlog log = { 0 };
	const char *args = _i ? "--variant=bounded --mode=free --jobs=3 "
				"--cost=1"
			      : "--variant=bounded --seed=7";
	trun(&bandwidth_lesson, args, &res, &log);
	ck_assert(res.invariant);
	ck_assert_int_eq(res.misuses, 1);
	int refused = 0;
	for (size_t i = 0; i < log.n; i++)
		if (log.ev[i].flags & EV_MISUSE) {
			ck_assert_int_eq(log.ev[i].thread, 1);
			refused++;
		}
	ck_assert_int_eq(refused, 1);
	ck_assert_ptr_nonnull(strstr(log.text, "T1 gave back a permit of "
					       "permits that it does not hold"));
	tlog_free(&log);
}
END_TEST

/* Free mode: the limit holds on real threads; throughput near ideal. */
START_TEST(test_free_limit)
{
	static const char *const variants[] = { "semaphore", "mutex" };
	struct run_result res;
	char args[128];
	snprintf(args, sizeof(args), "--variant=%s --mode=free --workers=6 "
		 "%s--jobs=4 --cost=2", variants[_i], _i ? "" : "--permits=3 ");
	trun(&bandwidth_lesson, args, &res, NULL);
	ck_assert(res.invariant);
	ck_assert_int_le(run_figure(&res, "max_inside"), _i ? 1 : 3);
	ck_assert_int_eq(run_figure(&res, "jobs"), 24);
	ck_assert_int_gt(run_figure(&res, "throughput"), 0);
}
END_TEST

static const char *const bad[] = {
	"--permits=0", "--cost=-1", "--cost=0", "--workers=0", "--workers=53",
	"--jobs=0", "--variant=lots",
};

START_TEST(test_bad_input)
{
	tbad_input("bandwidth", bad[_i]);
}
END_TEST

Suite *bandwidth_suite(void)
{
	Suite *s = suite_create("bandwidth");
	TCase *tc = tcase_create("bandwidth");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_limits_hold, 0, 3);
	tcase_add_test(tc, test_limit_reached);
	tcase_add_test(tc, test_none_exceeds);
	tcase_add_test(tc, test_none_narrated);
	tcase_add_loop_test(tc, test_bounded_refuses, 0, 2);
	tcase_add_loop_test(tc, test_free_limit, 0, 2);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	return s;
}
