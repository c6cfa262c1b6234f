/*
 * test_sched.c: the step-mode scheduler: policies, determinism, limits.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* The thread of every step, in order, as a string like "1122". */
static void tsteps(const struct tlog *log, char *buf, size_t size)
{
	size_t k = 0;
	for (size_t i = 0; i < log->n && k + 1 < size; i++)
		if (log->ev[i].flags & EV_STEP)
			buf[k++] = (char)('0' + log->ev[i].thread);
	buf[k] = '\0';
}

START_TEST(test_same_seed_same_log)
{
	struct run_result r1, r2;
	struct tlog a = { 0 }, b = { 0 };
	char args[96];
	snprintf(args, sizeof(args), "--seed=%d --iterations=30 --threads=4",
		 _i * 7919);
	trun(&race_lesson, args, &r1, &a);
	trun(&race_lesson, args, &r2, &b);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_mem_eq(a.text, b.text, a.textlen);
	ck_assert_int_eq(memcmp(a.ev, b.ev, a.n * sizeof(*a.ev)), 0);
	tlog_free(&a);
	tlog_free(&b);
}
END_TEST

START_TEST(test_rr_quantum)
{
	struct run_result res;
	struct tlog log = { 0 };
	char steps[64];
	trun(&race_lesson, "--policy=rr --quantum=3 --iterations=3", &res, &log);
	tsteps(&log, steps, sizeof(steps));
	ck_assert_str_eq(steps, "111222111222");
	tlog_free(&log);
	trun(&race_lesson, "--policy=rr --iterations=2 --threads=3", &res, &log);
	tsteps(&log, steps, sizeof(steps));
	ck_assert_str_eq(steps, "123123123123");
	tlog_free(&log);
}
END_TEST

/* When the schedule runs out, the policy takes over. */
START_TEST(test_schedule_then_policy)
{
	struct run_result res;
	struct tlog log = { 0 };
	char steps[64];
	trun(&race_lesson, "--schedule=2,2,2 --policy=rr --iterations=2", &res,
	     &log);
	tsteps(&log, steps, sizeof(steps));
	ck_assert_str_eq(steps, "22212111"); /* then T1, T2 in turn */
	tlog_free(&log);
}
END_TEST

/* rr with quantum 1 interleaves load/store pairs: one update of every
 * pair is lost (both read the same value; the second store buries the
 * first). */
START_TEST(test_rr_loses_everything)
{
	struct run_result res;
	trun(&race_lesson, "--policy=rr --iterations=10", &res, NULL);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "lost_updates"), 10);
}
END_TEST

/* How often the thread changes from one step to the next. */
static int tswitches(const char *steps)
{
	int n = 0;
	for (int i = 1; steps[i]; i++)
		n += steps[i] != steps[i - 1];
	return n;
}

/*
 * pct: the ready thread of highest priority runs, and d - 1 change points
 * each drop the thread about to run below all others.  Two threads that
 * never block therefore switch at most d times: at each change point, and
 * when the one running finishes.
 */
START_TEST(test_pct)
{
	int most[3] = { 0 }, broke = 0;
	for (int seed = 0; seed < 40; seed++) {
		for (int d = 1; d <= 2; d++) {
			struct run_result res;
			struct tlog log = { 0 };
			char args[96], steps[64];
			snprintf(args, sizeof(args), "--policy=pct --depth=%d "
				 "--seed=%d --iterations=3", d, seed);
			trun(&race_lesson, args, &res, &log);
			tsteps(&log, steps, sizeof(steps));
			int sw = tswitches(steps);
			ck_assert_msg(sw >= 1 && sw <= d, "%s: %s", args, steps);
			most[d] = sw > most[d] ? sw : most[d];
			if (d == 1)
				ck_assert_msg(res.invariant, "%s", args);
			else
				broke += !res.invariant;
			tlog_free(&log);
		}
	}
	ck_assert_int_eq(most[2], 2); /* the change point is used */
	ck_assert_int_gt(broke, 0);   /* and can fall between load and store */
}
END_TEST

START_TEST(test_pct_replays)
{
	tsame_output("race", "--policy=pct --depth=4 --seed=9 --plain", 3);
	tsame_output("shmrace", "--policy=pct --seed=3 --plain", 2);
	char *out, *err;
	ck_assert_int_eq(texec("race", "--policy=pct --seed=9 --quiet", &out,
			       &err), 0);
	ck_assert_msg(strstr(out, " seed=9 policy=pct depth=3 steps=20 "),
		      "%s", out);
	free(out);
	free(err);
	tbad_input("race", "--depth=2");
	tbad_input("race", "--policy=pct --depth=0");
	tbad_input("race", "--policy=pct --depth=17");
	tbad_input("race", "--policy=pct --mode=free --depth=2");
	tbad_input("race", "--explore --depth=2");
}
END_TEST

START_TEST(test_max_steps)
{
	struct run_result res;
	ck_assert_int_eq(trun(&race_lesson, "--max-steps=7 --iterations=100",
			      &res, NULL), RUN_STEP_LIMIT);
	ck_assert_uint_eq(res.steps, 7);
}
END_TEST

/* The manual policy asks at every step; a refused thread is re-asked. */
static bool tchoose(int *id, void *ctx)
{
	const char **script = ctx;
	if (!**script)
		return false;
	*id = *(*script)++ - '0';
	return true;
}

START_TEST(test_manual)
{
	struct run_result res;
	struct tlog log = { 0 };
	const char *script = "12912";
	char steps[64];
	ck_assert_int_eq(trun_manual(&race_lesson,
				     "--policy=manual --iterations=1", tchoose,
				     &script, &res, &log), RUN_DONE);
	tsteps(&log, steps, sizeof(steps));
	ck_assert_str_eq(steps, "1212");
	ck_assert_int_eq(run_figure(&res, "balance"), 99);
	tlog_free(&log);
	script = "1";
	ck_assert_int_eq(trun_manual(&race_lesson, "--policy=manual", tchoose,
				     &script, &res, NULL), RUN_NO_INPUT);
}
END_TEST

/* Every event says where its thread stands next and who may run. */
START_TEST(test_event_stamps)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&race_lesson, "--variant=mutex --schedule=1,2 --iterations=1",
	     &res, &log);
	/* After T1 locks, T2 (parked at lock) is not ready. */
	const struct event *e = &log.ev[2];
	ck_assert_int_eq(e->op, OP_LOCK);
	ck_assert_int_eq(e->thread, 1);
	ck_assert_int_eq(e->next_op, OP_LOAD);
	ck_assert_int_eq(e->ready, 1);
	ck_assert_int_gt(e->next_line, e->line);
	tlog_free(&log);
}
END_TEST

/* Step numbers are 64 bits wide, as --max-steps is: no wrap at 2^32. */
START_TEST(test_step_numbers_wide)
{
	struct tlog log = { 0 };
	struct cli c;
	struct sched sc;
	struct run_result res;
	ck_assert_int_eq(tcli(&race_lesson, "--iterations=1", &c), CLI_RUN);
	run_begin(&c.cfg, NULL, NULL, &sc);
	rt.step = (1ull << 32) + 6; /* as if that many steps had run */
	rt.sink = tlog_sink_for_tests;
	rt.sink_ctx = &log;
	sched_step(1);
	run_finish(RUN_DONE, &res);
	cli_free(&c);
	ck_assert_uint_ge(log.n, 1);
	ck_assert(log.ev[0].step == (1ull << 32) + 7);
	ck_assert_ptr_nonnull(strstr(log.text, "4294967303  T1 deposit"));
	tlog_free(&log);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("sched");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_same_seed_same_log, 0, 20);
	tcase_add_test(tc, test_rr_quantum);
	tcase_add_test(tc, test_schedule_then_policy);
	tcase_add_test(tc, test_rr_loses_everything);
	tcase_add_test(tc, test_max_steps);
	tcase_add_test(tc, test_pct);
	tcase_add_test(tc, test_pct_replays);
	tcase_add_test(tc, test_manual);
	tcase_add_test(tc, test_event_stamps);
	tcase_add_test(tc, test_step_numbers_wide);
	suite_add_tcase(s, tc);
	return s;
}
