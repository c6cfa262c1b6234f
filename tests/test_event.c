/*
 * test_event.c: the event lesson: readers see the whole table when the
 * flag goes up after it is filled, and not when it goes up before; the
 * counter counts while the flag is up and pauses while it is down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* stats holds over hundreds of seeds and table sizes. */
START_TEST(test_stats_hold)
{
	struct run_result res;
	for (int seed = 0; seed < 300; seed++) {
		char args[128];
		snprintf(args, sizeof(args), "--seed=%d --readers=%d "
			 "--entries=%d", seed, 1 + seed % 6, 1 + seed % 8);
		ck_assert_int_eq(trun(&event_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "partial_reads"), 0);
	}
}
END_TEST

/*
 * The counter counts in every up period and pauses in every down one,
 * over many seeds, switch rounds and timeouts; each pause is a wait that
 * returned false.
 */
START_TEST(test_counter_holds)
{
	struct run_result res;
	struct tlog log = { 0 };
	for (int seed = 0; seed < 150; seed++) {
		char args[128];
		snprintf(args, sizeof(args), "--variant=counter --seed=%d "
			 "--rounds=%d --timeout=%d", seed, 1 + seed % 4,
			 1 + seed % 5);
		ck_assert_int_eq(trun(&event_lesson, args, &res, &log),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		int falses = 0;
		for (size_t i = 0; i < log.n; i++)
			falses += log.ev[i].op == OP_FLAG_WAKE && !log.ev[i].a;
		/* one more if it timed out again as it was told to stop */
		ck_assert_int_ge(falses, run_figure(&res, "paused"));
		ck_assert_int_le(falses, run_figure(&res, "paused") + 1);
		tlog_free(&log);
		log = (struct tlog){ 0 };
	}
}
END_TEST

/*
 * set-first: round robin wakes the readers before the first entry is
 * written, and they say so; random seeds break it most of the time.
 */
START_TEST(test_set_first_breaks)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&event_lesson, "--variant=set-first --policy=rr", &res, &log);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "partial_reads"), 2);
	ck_assert_ptr_nonnull(strstr(log.text, "! T1 read the table with "
				     "only 0 of its entries filled in"));
	tlog_free(&log);
	int broken = 0;
	for (int seed = 0; seed < 100; seed++) {
		char args[64];
		snprintf(args, sizeof(args), "--variant=set-first --seed=%d",
			 seed);
		ck_assert_int_eq(trun(&event_lesson, args, &res, NULL),
				 RUN_DONE);
		broken += !res.invariant;
	}
	ck_assert_int_gt(broken, 50);
}
END_TEST

/* The explorer: stats always holds; set-first can break, and the
 * shortest failing schedule it prints breaks it when replayed. */
START_TEST(test_explore)
{
	free(texplore_says("event", "--explore --quiet --entries=2",
			   "invariant=always-holds", NULL));
	char *out = texplore_says("event", "--explore --variant=set-first "
				  "--readers=1 --entries=2",
				  "invariant=can-break", NULL);
	const char *s = strstr(out, "--schedule=");
	ck_assert_ptr_nonnull(s);
	char args[256];
	snprintf(args, sizeof(args), "--variant=set-first --readers=1 "
		 "--entries=2 %.*s", (int)strcspn(s, "\n"), s);
	free(out);
	struct run_result res;
	trun(&event_lesson, args, &res, NULL);
	ck_assert_msg(!res.invariant, "%s held", args);
}
END_TEST

/* Same arguments, same log, byte for byte. */
START_TEST(test_deterministic)
{
	tsame_output("event", _i ? "--plain --variant=counter --seed=7"
				 : "--plain --variant=set-first --seed=3 "
				   "--readers=4", 2);
}
END_TEST

/* Free mode at scale: 32 readers always see the whole table. */
START_TEST(test_free_stats)
{
	struct run_result res;
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(trun(&event_lesson, "--mode=free", &res, NULL),
				 RUN_DONE);
		ck_assert(res.invariant);
		ck_assert_int_eq(run_figure(&res, "readers"), 32);
	}
}
END_TEST

/* Free mode: with the flag up first, real readers find the table
 * unfinished (its entries take 1 ms each to compute). */
START_TEST(test_free_set_first)
{
	struct run_result res;
	int broken = 0;
	for (int i = 0; i < 5; i++) {
		trun(&event_lesson, "--mode=free --variant=set-first", &res,
		     NULL);
		broken += !res.invariant;
	}
	ck_assert_int_ge(broken, 4);
}
END_TEST

/* Free mode: real timed waits on a real clock pause and resume. */
START_TEST(test_free_counter)
{
	struct run_result res;
	ck_assert_int_eq(trun(&event_lesson, "--mode=free --variant=counter",
			      &res, NULL), RUN_DONE);
	ck_assert_msg(res.invariant, "counted=%ld paused=%ld",
		      run_figure(&res, "counted"), run_figure(&res, "paused"));
	/* 4 rounds of two periods of 44 ms */
	ck_assert_int_ge(res.elapsed_us, 8 * 44000);
}
END_TEST

static const char *const bad[] = {
	"--readers=0", "--readers=61", "--entries=0", "--entries=9",
	"--rounds=0", "--timeout=0", "--timeout=x", "--variant=pulse",
};

START_TEST(test_bad_input)
{
	tbad_input("event", bad[_i]);
}
END_TEST

Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_stats_hold);
	tcase_add_test(tc, test_counter_holds);
	tcase_add_test(tc, test_set_first_breaks);
	tcase_add_test(tc, test_explore);
	tcase_add_loop_test(tc, test_deterministic, 0, 2);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("event-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_free_stats);
	tcase_add_test(tc, test_free_set_first);
	tcase_add_test(tc, test_free_counter);
	suite_add_tcase(s, tc);
	return s;
}
