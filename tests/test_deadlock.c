/*
 * test_deadlock.c: the deadlock lesson, trylock, and the cycle of waits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testutil.h"

/* The fixes hold over hundreds of seeds, tellers and table sizes. */
START_TEST(test_correct_hold)
{
	static const char *const variants[] = {
		"ordered", "biglock", "trylock", "forks-ordered",
	};
	struct run_result res;
	for (int seed = 0; seed < 300; seed++) {
		char args[160];
		bool phil = _i == 3; /* tellers or diners, not both */
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--%s=%d --rounds=%d", variants[_i], seed,
			 phil ? "philosophers" : "tellers",
			 phil ? 2 + seed % 6 : 1 + seed % 4, 1 + seed % 3);
		ck_assert_msg(trun(&deadlock_lesson, args, &res, NULL) ==
			      RUN_DONE, "%s did not finish", args);
		ck_assert_msg(res.invariant, "%s broke", args);
	}
}
END_TEST

/* Random seeds find the deadlock of the broken orders, most of the time. */
START_TEST(test_random_deadlocks)
{
	static const char *const variants[] = { "broken", "philosophers" };
	struct run_result res;
	int stuck = 0;
	for (int seed = 0; seed < 200; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=%s --seed=%d",
			 variants[_i], seed);
		enum run_end end = trun(&deadlock_lesson, args, &res, NULL);
		ck_assert_int_eq(!res.invariant, end == RUN_DEADLOCK);
		stuck += end == RUN_DEADLOCK;
	}
	ck_assert_int_gt(stuck, 100);
}
END_TEST

/* The plain output names the cycle, thread by thread. */
START_TEST(test_cycle_named)
{
	static const char *const cases[][2] = {
		{ "--variant=broken --schedule=1,2",
		  "! deadlock: a cycle of waits: T1 holds a, waits for b; "
		  "T2 holds b, waits for a\n" },
		{ "--variant=broken --schedule=2,1",
		  "! deadlock: a cycle of waits: T1 holds a, waits for b; "
		  "T2 holds b, waits for a\n" },
		{ "--variant=philosophers --philosophers=3 --policy=rr",
		  "! deadlock: a cycle of waits: T1 holds f1, waits for f2; "
		  "T2 holds f2, waits for f3; T3 holds f3, waits for f1\n" },
		/* T3 is stuck behind the cycle, not in it */
		{ "--variant=broken --tellers=3 --schedule=1,2",
		  "T2 holds b, waits for a; T3 waits for mutex a, held by "
		  "T1\n" },
	};
	char *out, *err;
	char args[160];
	snprintf(args, sizeof(args), "--plain %s", cases[_i][0]);
	ck_assert_int_eq(texec("deadlock", args, &out, &err), 0);
	ck_assert_msg(strstr(out, cases[_i][1]), "%s:\n%s", args, out);
	ck_assert_ptr_nonnull(strstr(out, "deadlock=yes"));
	free(out);
	free(err);
}
END_TEST

/* The explorer's shortest deadlock names its cycle too. */
START_TEST(test_explore_cycle)
{
	free(texplore_says("deadlock", "--explore --rounds=1",
			   "  deadlock --rounds=1 --schedule=1,2\n"
			   "  ! deadlock: a cycle of waits: T1 holds a, "
			   "waits for b; T2 holds b, waits for a\n", NULL));
}
END_TEST

/* The viewer's model, folded from the events of a run of args. */
static struct model tmodel;
static struct cli tmodel_cli;

static void tmodel_sink(const struct event *e, void *ctx)
{
	model_apply(ctx, e, &rt_names);
}

/* Start the run, then run thread steps[i] for each of the n steps. */
static void tmodel_steps(const char *args, const int *steps, int n)
{
	struct sched s;
	ck_assert_int_eq(tcli(&deadlock_lesson, args, &tmodel_cli), CLI_RUN);
	rt_init(&tmodel_cli.cfg, tmodel_sink, &tmodel);
	model_init(&tmodel, true);
	sched_init(&s, &tmodel_cli.cfg);
	sched_start();
	for (int i = 0; i < n; i++)
		sched_step(steps[i]);
}

static void tmodel_end(enum run_end end)
{
	struct run_result res;
	run_finish(end, &res);
	cli_free(&tmodel_cli);
}

/* The model says the same cycle, from the events alone. */
START_TEST(test_model_cycle)
{
	static const int steps[] = { 1, 2 };
	tmodel_steps("", steps, 2);
	ck_assert_int_eq(tmodel.objs[3].owner, 1); /* a */
	ck_assert_int_eq(tmodel.objs[4].owner, 2); /* b */
	sched_deadlock();
	ck_assert_str_eq(tmodel.say, "deadlock: a cycle of waits: T1 holds "
				     "a, waits for b; T2 holds b, waits for a");
	tmodel_end(RUN_DEADLOCK);
}
END_TEST

/* The model takes a mutex on a trylock that succeeds, not on a busy one. */
START_TEST(test_model_trylock)
{
	/* lock a, lock b, T1 tries b: busy */
	static const int busy[] = { 1, 2, 1 };
	tmodel_steps("--variant=trylock", busy, 3);
	ck_assert_int_eq(tmodel.objs[4].owner, 2); /* b stays T2's */
	/* T2 tries a: busy; both let go; T1 locks a, tries b: free */
	static const int took[] = { 2, 1, 2, 1, 1 };
	for (int i = 0; i < 5; i++)
		sched_step(took[i]);
	ck_assert_int_eq(tmodel.objs[3].owner, 1);
	ck_assert_int_eq(tmodel.objs[4].owner, 1);
	ck_assert_int_eq(tmodel.objs[4].depth, 1);
	tmodel_end(RUN_DONE);
}
END_TEST

/* trylock: busy names the holder and takes nothing; free, it takes. */
START_TEST(test_trylock_events)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&deadlock_lesson, "--variant=trylock --rounds=1 "
	     "--schedule=1,2,1,1,2", &res, &log);
	const struct event *busy = NULL, *took = NULL;
	for (size_t i = 0; i < log.n; i++) {
		if (log.ev[i].op != OP_TRYLOCK)
			continue;
		if (!busy)
			busy = &log.ev[i];
		else if (!took)
			took = &log.ev[i];
	}
	ck_assert_ptr_nonnull(busy);
	ck_assert_int_eq(busy->thread, 1);
	ck_assert_int_eq(busy->b, EBUSY);
	ck_assert_int_eq(busy->other, 2);
	ck_assert_ptr_nonnull(strstr(log.text, "trylock    b: busy, held by "
					       "T2"));
	ck_assert_ptr_nonnull(strstr(log.text, "T1 found the second account "
					       "busy"));
	ck_assert_ptr_nonnull(took);
	ck_assert_int_eq(took->b, 0);
	ck_assert_int_eq(took->a, 1);
	ck_assert(res.invariant);
	tlog_free(&log);
}
END_TEST

/*
 * Under round robin the tellers back off in step for ever: a livelock.
 * --retries bounds each transfer, --max-steps the run.
 */
START_TEST(test_trylock_livelock)
{
	struct run_result res;
	trun(&deadlock_lesson, "--variant=trylock --policy=rr --retries=5",
	     &res, NULL);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "gave_up"), 6);
	ck_assert_int_eq(run_figure(&res, "transfers"), 0);
	ck_assert_int_eq(run_figure(&res, "total"), 200);
	ck_assert_int_eq(trun(&deadlock_lesson, "--variant=trylock "
			      "--policy=rr --retries=1000000 --max-steps=300",
			      &res, NULL), RUN_STEP_LIMIT);
	ck_assert_str_eq(run_verdict(&res), "unfinished");
	ck_assert_int_eq(run_figure(&res, "backoffs"), 100);
}
END_TEST

/* Same arguments, same log, byte for byte. */
START_TEST(test_deterministic)
{
	tsame_output("deadlock", "--plain --variant=trylock --seed=13 --tellers=3", 2);
}
END_TEST

/* Free mode: the fixes finish on real threads. */
START_TEST(test_free_fixes)
{
	static const char *const variants[] = {
		"ordered", "biglock", "trylock", "forks-ordered",
	};
	struct run_result res;
	char args[128];
	snprintf(args, sizeof(args), "--mode=free --variant=%s --rounds=%d",
		 variants[_i], tslow() ? 2000 : 100000);
	ck_assert_int_eq(trun(&deadlock_lesson, args, &res, NULL), RUN_DONE);
	ck_assert(res.invariant);
}
END_TEST

/* Free mode: the real deadlock is caught by the watch and reported. */
START_TEST(test_free_deadlock)
{
	static const char *const variants[] = { "broken", "philosophers" };
	struct run_result res;
	char args[96];
	int stuck = 0;
	snprintf(args, sizeof(args), "--mode=free --variant=%s", variants[_i]);
	for (int i = 0; i < 5 && !stuck; i++)
		stuck = trun(&deadlock_lesson, args, &res, NULL) ==
			RUN_DEADLOCK;
	ck_assert_msg(stuck, "%s: no deadlock in 5 runs", args);
	ck_assert(!res.invariant);
}
END_TEST

static const char *const bad[] = {
	"--philosophers=1", "--philosophers=17", "--tellers=0",
	"--tellers=17", "--retries=0", "--rounds=0", "--variant=nope",
};

START_TEST(test_bad_input)
{
	tbad_input("deadlock", bad[_i]);
}
END_TEST

Suite *deadlock_suite(void)
{
	Suite *s = suite_create("deadlock");
	TCase *tc = tcase_create("deadlock");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_correct_hold, 0, 4);
	tcase_add_loop_test(tc, test_random_deadlocks, 0, 2);
	tcase_add_loop_test(tc, test_cycle_named, 0, 4);
	tcase_add_test(tc, test_model_cycle);
	tcase_add_test(tc, test_explore_cycle);
	tcase_add_test(tc, test_model_trylock);
	tcase_add_test(tc, test_trylock_events);
	tcase_add_test(tc, test_trylock_livelock);
	tcase_add_test(tc, test_deterministic);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("deadlock-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_free_fixes, 0, 4);
	tcase_add_loop_test(tc, test_free_deadlock, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
