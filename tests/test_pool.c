/*
 * test_pool.c: the pool lesson (worker processes over a task queue,
 * results in task order) and the pfilter exercise's solution: map's
 * order over many seeds and in free mode, completion order breaking it,
 * a worker that dies (the pool that waits for ever, and the pool that
 * notices), determinism, every schedule of a small pool, bad input, the
 * viewer, and nothing left over however a run ends.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "tmux.h"

/* Seeds to try: fewer under the sanitizers and valgrind, where every
 * process of every run is slow to start. */
static int tseeds(int n)
{
	return tslow() ? n / 4 : n;
}

/* fib(n), to check the pool's answers against. */
static long tfib(long n)
{
	return n < 2 ? n : tfib(n - 1) + tfib(n - 2);
}

/* map, and map on threads: every result in its task's slot and right,
 * over seeds, sizes, both functions and both policies. */
START_TEST(test_map_holds)
{
	bool fib = _i % 2;
	for (int seed = 0; seed < tseeds(24); seed++) {
		long tasks = 1 + seed % 7, workers = 1 + seed % 4;
		char args[200];
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--tasks=%ld --workers=%ld --fn=%s%s",
			 _i / 2 ? "threads" : "map", seed, tasks, workers,
			 fib ? "fib --n=12" : "square",
			 seed % 3 ? "" : " --policy=rr --quantum=3");
		struct run_result res;
		ck_assert_int_eq(trun(&pool_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "placed"), tasks);
		ck_assert_int_eq(run_figure(&res, "misplaced"), 0);
		/* 1 + 4 + ... + n^2, or n times fib(12) */
		long sum = fib ? tasks * tfib(12)
			      : tasks * (tasks + 1) * (2 * tasks + 1) / 6;
		ck_assert_int_eq(run_figure(&res, "sum"), sum);
		ck_assert_int_le(run_figure(&res, "workers_used"), workers);
	}
}
END_TEST

/* map(square, [1, 2, 3, 4]): P1 (T1 on threads) reads [1, 4, 9, 16] in
 * that order, and the stores of the results name the workers that did
 * them, P2 or P3 (T2 or T3), each in its own doing slot. */
START_TEST(test_map_square_list)
{
	struct run_result res;
	struct tlog log = { 0 };
	char unit = _i ? 'T' : 'P';
	trun(&pool_lesson, _i ? "--tasks=4 --seed=3 --variant=threads"
			      : "--tasks=4 --seed=3", &res, &log);
	ck_assert(res.invariant);
	const char *at = log.text;
	static const char *const want[] = { "load       r1 -> 1 ",
		"load       r2 -> 4 ", "load       r3 -> 9 ",
		"load       r4 -> 16 " };
	for (int i = 0; i < 4; i++) {
		at = strstr(at, want[i]);
		ck_assert_msg(at, "no '%s' in order: %s", want[i], log.text);
	}
	/* each result stored once, by a worker (P2 or P3), at its index */
	for (int i = 0; i < 4; i++) {
		char line[64];
		snprintf(line, sizeof(line), "worker      store      r%d = %d "
			 "(was 0)", i + 1, (i + 1) * (i + 1));
		const char *first = strstr(log.text, line);
		ck_assert_msg(first && !strstr(first + 1, line), "%s: %s",
			      line, log.text);
		ck_assert_msg(first[-3] == unit && strchr("23", first[-2]),
			      "%s", first - 3);
	}
	/* a worker's slot is named after it: P2 takes task 1 in doing2 */
	for (int w = 2; w <= 3; w++) {
		char mine[64], other[64];
		snprintf(mine, sizeof(mine), "%c%d worker      store      "
			 "doing%d = ", unit, w, w);
		snprintf(other, sizeof(other), "%c%d worker      store      "
			 "doing%d = ", unit, w, 5 - w);
		ck_assert_msg(strstr(log.text, mine) &&
			      !strstr(log.text, other), "%s", log.text);
	}
	/* taken counts the tasks taken: task 1 is taken when it goes to 1 */
	ck_assert_msg(strstr(log.text, "store      taken = 1 (was 0)"), "%s",
		      log.text);
	ck_assert_msg(!strstr(log.text, " fork ") == (unit == 'T'), "%s",
		      log.text);
	ck_assert_int_ge(run_figure(&res, "workers_used"), 1);
	tlog_free(&log);
}
END_TEST

/* completion: one worker is always right; two break it on some seeds,
 * narrated, and hold on others; the results are all there either way. */
START_TEST(test_completion)
{
	int broke = 0, held = 0, n = tseeds(24);
	for (int seed = 0; seed < n; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=completion --seed=%d "
			 "--workers=%d", seed, 1 + _i);
		struct run_result res;
		struct tlog log = { 0 };
		ck_assert_int_eq(trun(&pool_lesson, args, &res, &log),
				 RUN_DONE);
		ck_assert_int_eq(run_figure(&res, "placed"), 4);
		ck_assert_int_eq(run_figure(&res, "sum"), 30);
		if (res.invariant) {
			held++;
		} else {
			broke++;
			ck_assert_msg(strstr(log.text, "put a result in the "
					     "next free slot, not its task's: "
					     "task "), "%s", log.text);
		}
		tlog_free(&log);
	}
	if (_i == 0) {
		ck_assert_int_eq(held, n);
		return;
	}
	ck_assert_int_gt(broke, 0);
	ck_assert_int_gt(held, 0);
}
END_TEST

/* die: on every seed the run deadlocks with P1 waiting for a result,
 * the death narrated first. */
START_TEST(test_die_deadlocks)
{
	for (int seed = 0; seed < tseeds(12); seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=die --seed=%d "
			 "--workers=%d", seed, 1 + seed % 3);
		struct run_result res;
		struct tlog log = { 0 };
		ck_assert_int_eq(trun(&pool_lesson, args, &res, &log),
				 RUN_DEADLOCK);
		ck_assert(!res.invariant);
		/* task 1's result, and the tasks nobody was left to do */
		ck_assert_int_ge(run_figure(&res, "missing"), 1);
		ck_assert_int_eq(run_figure(&res, "lost"), 1);
		const char *dies = strstr(log.text, "ended in the middle of "
					  "a task: task 1's result will never "
					  "come");
		const char *dead = strstr(log.text, "! deadlock");
		ck_assert_msg(dies && dead && dies < dead, "%s", log.text);
		tlog_free(&log);
	}
	char *out, *err;
	ck_assert_int_eq(texec("pool", "--plain --variant=die", &out, &err),
			 0);
	ck_assert_msg(strstr(out, "deadlock: every live process is blocked; "
			     "P1 waits for semaphore done (count 0)"), "%s",
		      out);
	free(out);
	free(err);
}
END_TEST

/* notice: the same death on every seed, and every result still there,
 * in order: one task lost, one worker forked to do it. */
START_TEST(test_notice_recovers)
{
	for (int seed = 0; seed < tseeds(12); seed++) {
		char args[120];
		snprintf(args, sizeof(args), "--variant=notice --seed=%d "
			 "--workers=%d --tasks=%d", seed, 1 + seed % 3,
			 2 + seed % 5);
		struct run_result res;
		struct tlog log = { 0 };
		ck_assert_int_eq(trun(&pool_lesson, args, &res, &log),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s", args);
		ck_assert_int_eq(run_figure(&res, "lost"), 1);
		ck_assert_int_eq(run_figure(&res, "replaced"), 1);
		ck_assert_msg(strstr(log.text, "sees a worker gone that held "
				     "a task: P"), "%s", log.text);
		ck_assert_msg(strstr(log.text, ", with task 1, which a new "
				     "worker gets"), "%s", log.text);
		tlog_free(&log);
	}
}
END_TEST

/* Free mode: real processes (and threads).  map holds at 8 workers on
 * fib, on processes and on threads; die is ended by the deadlock watch;
 * notice recovers in real time. */
START_TEST(test_free)
{
	static const struct {
		const char *args;
		enum run_end end;
		bool held;
	} runs[] = {
		{ "--workers=8 --tasks=16 --fn=fib --n=20", RUN_DONE, true },
		{ "--variant=die --workers=3", RUN_DEADLOCK, false },
		{ "--variant=notice --workers=3 --timeout=20", RUN_DONE,
		  true },
		{ "--variant=threads --workers=8 --tasks=16 --fn=fib --n=20",
		  RUN_DONE, true },
	};
	char args[160];
	snprintf(args, sizeof(args), "--mode=free %s", runs[_i].args);
	for (int k = 0; k < (tslow() ? 1 : 5); k++) {
		struct run_result res;
		ck_assert_int_eq(trun(&pool_lesson, args, &res, NULL),
				 runs[_i].end);
		ck_assert_msg(res.invariant == runs[_i].held, "%s", args);
		ck_assert_int_eq(run_figure(&res, "misplaced"), 0);
	}
}
END_TEST

/* completion in free mode: the books agree whatever the order (every
 * result there once, the sum right); misplaced counts what moved. */
START_TEST(test_free_completion)
{
	for (int k = 0; k < (tslow() ? 1 : 5); k++) {
		struct run_result res;
		ck_assert_int_eq(trun(&pool_lesson, "--mode=free "
				      "--variant=completion --workers=4 "
				      "--tasks=16", &res, NULL), RUN_DONE);
		ck_assert_int_eq(run_figure(&res, "placed"), 16);
		ck_assert_int_eq(run_figure(&res, "sum"), 1496);
		ck_assert(res.invariant ==
			  (run_figure(&res, "misplaced") == 0));
	}
}
END_TEST

/* Every schedule with one preemption of a two-task pool: map always
 * holds; completion can break. */
START_TEST(test_explore)
{
	static const struct {
		const char *args, *says;
	} runs[] = {
		{ "--variant=map", "deadlocks=0 invariant=unknown" },
		{ "--variant=completion", "deadlocks=0 invariant=can-break" },
		{ "--variant=threads", "deadlocks=0 invariant=unknown" },
	};
	char args[200];
	snprintf(args, sizeof(args), "%s --tasks=2 --workers=2 --explore "
		 "--bound=1 --quiet", runs[_i].args);
	/* map: every outcome held (the two differ in workers_used) */
	free(texplore_says("pool", args, runs[_i].says,
			   _i == 1 ? NULL : "broken"));
}
END_TEST

/* Same arguments, same log, byte for byte. */
START_TEST(test_step_deterministic)
{
	static const char *const runs[] = {
		"--plain --seed=5 --variant=completion --workers=3 --tasks=6",
		"--plain --seed=9 --variant=notice --fn=fib --n=8",
		"--plain --seed=4 --variant=threads --workers=3 --tasks=7",
	};
	tsame_output("pool", runs[_i], tslow() ? 2 : 5);
}
END_TEST

START_TEST(test_bad_input)
{
	tbad_input("pool", "--workers=0");
	tbad_input("pool", "--workers=9");
	tbad_input("pool", "--tasks=0");
	tbad_input("pool", "--tasks=17");
	tbad_input("pool", "--n=0");
	tbad_input("pool", "--n=36");
	tbad_input("pool", "--work=-1");
	tbad_input("pool", "--timeout=0");
	tbad_input("pool", "--variant=imap");
	char *out, *err;
	int rc = texec("pool", "--fn=cube", &out, &err);
	trefused("pool", "--fn=cube", rc, out, err,
		 "--fn: expected square|fib, got 'cube'");
	/* an option that means nothing in this run: refused, as --seed is
	 * in free mode, whatever its value */
	static const struct {
		const char *args, *says;
	} scope[] = {
		{ "--timeout=5", "--timeout applies only to --variant=notice" },
		{ "--variant=die --timeout=5",
		  "--timeout applies only to --variant=notice" },
		{ "--n=5", "--n applies only to --fn=fib" },
		{ "--variant=threads --fn=square --n=5",
		  "--n applies only to --fn=fib" },
	};
	for (size_t k = 0; k < sizeof(scope) / sizeof(scope[0]); k++) {
		rc = texec("pool", scope[k].args, &out, &err);
		trefused("pool", scope[k].args, rc, out, err, scope[k].says);
	}
	/* where it applies, it is taken */
	ck_assert_int_eq(texec("pool", "--quiet --variant=notice "
			       "--timeout=5 --fn=fib --n=5", &out, &err), 0);
	ck_assert_msg(strstr(out, "invariant=held"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* The command lines the runtime writes (the viewer's w and f, the
 * explorer's --schedule line) leave out what does not apply: they parse. */
START_TEST(test_args_leave_out)
{
	static const struct {
		const char *args;
		bool timeout, n;
	} runs[] = {
		{ "--variant=map", false, false },
		{ "--variant=notice --fn=fib", true, true },
		{ "--variant=threads --fn=fib", false, true },
	};
	for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		struct cli c, again;
		char line[512] = "pool";
		ck_assert_int_eq(tcli(&pool_lesson, runs[k].args, &c), CLI_RUN);
		cli_lesson_args(&c.cfg, false, NULL, line, sizeof(line));
		ck_assert_msg(!strstr(line, "--timeout=") == !runs[k].timeout &&
			      !strstr(line, "--n=") == !runs[k].n, "%s", line);
		snprintf(line, sizeof(line), "--variant=%s",
			 pool_lesson.variants[c.cfg.variant].name);
		cli_lesson_args(&c.cfg, false, NULL, line, sizeof(line));
		ck_assert_int_eq(tcli(&pool_lesson, line, &again), CLI_RUN);
		cli_free(&again);
		cli_free(&c);
	}
}
END_TEST

/* The real viewer on 80 x 24: the task queue, the results, the workers. */
START_TEST(test_view_pool)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "pool", "--seed=1");
	SEE(&t, "results [   ][   ][   ][   ]");
	SEE(&t, "r1   r2   r3   r4");
	SEE(&t, "semaphore done: count 0");
	char keys[2 * 46 + 1] = "";
	for (int i = 0; i < 46; i++) /* P1 has joined both workers */
		strcat(keys, "n ");
	tmux_keys(&t, keys);
	SEE(&t, "paused step 46");
	SEE(&t, "results [  1][  4][  9][ 16]");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* The threads variant in the viewer: threads named T, not P. */
START_TEST(test_view_threads)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "pool", "--variant=threads --seed=1");
	SEE(&t, "T2 ready  T3 ready");
	tmux_keys(&t, "n n n n n n n n n n n n ");
	SEE(&t, "paused step 12");
	SEE(&t, "taken      = 2");
	SEE(&t, "1-9 thread");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* However a run ends (done, deadlock, the watch, a step limit, Ctrl-C,
 * SIGTERM, SIGHUP), no process of it and nothing in /dev/shm is left. */
START_TEST(test_no_leaks)
{
	static const struct tend ends[] = {
		{ { "pool", "--quiet", "--variant=die", NULL }, 0, 0 },
		{ { "pool", "--quiet", "--variant=die", "--mode=free", NULL },
		  0, 0 },
		{ { "pool", "--quiet", "--variant=notice", "--mode=free",
		    "--timeout=10", NULL }, 0, 0 },
		{ { "pool", "--quiet", "--max-steps=20", NULL }, 0, 0 },
		{ { "pool", "--plain", "--mode=free", "--fn=fib", "--n=35",
		    NULL }, SIGINT, 3 },
		{ { "pool", "--quiet", "--mode=free", "--workers=4",
		    "--fn=fib", "--n=35", NULL }, SIGTERM, 5 },
		{ { "pool", "--quiet", "--mode=free", "--variant=notice",
		    "--work=1000", NULL }, SIGHUP, 3 },
	};
	tno_leak(&ends[_i], _i, 0);
}
END_TEST

/* --- the pfilter exercise's solution (docs/example/pfilter.c) --- */

/* By index: the output is the sequential filter's, on many inputs,
 * sizes and worker counts, in both modes. */
START_TEST(test_pfilter_solution)
{
	int n = tseeds(16);
	for (int k = 0; k < n; k++) {
		char args[160], *out, *err;
		/* step: small, seeds; free: bigger */
		snprintf(args, sizeof(args), "--quiet --data=%d --workers=%d "
			 "%s%d", k, 1 + k % 8, k % 2 ? "--mode=free --items="
			 : "--items=9 --seed=", k % 2 ? 1000 * k : k);
		ck_assert_int_eq(texec("../example/pfilter", args, &out, &err),
				 0);
		ck_assert_msg(strstr(out, "invariant=held") &&
			      strstr(out, " wrong=0"), "%s: %s", args, out);
		free(out);
		free(err);
	}
}
END_TEST

/* The wrong attempt (append as found) is caught with the default seed:
 * the course's list comes out with a later prime first, each misplaced
 * item narrated where it lands; the solution's list is in order. */
START_TEST(test_pfilter_append_caught)
{
	char *out, *err;
	ck_assert_int_eq(texec("../example/pfilter", "--plain "
			       "--variant=append", &out, &err), 0);
	ck_assert_msg(strstr(out, "invariant=broken") &&
		      strstr(out, "! P") && strstr(out, "appended a kept "
						  "item before an earlier "
						  "one: "), "%s", out);
	free(out);
	free(err);
	ck_assert_int_eq(texec("../example/pfilter", "--plain", &out, &err),
			 0);
	const char *at = out;
	static const char *const want[] = { "out1 = 7 ", "out2 = 13 ",
					    "out3 = 127 ", "out4 = 17 " };
	for (int i = 0; i < 4; i++) {
		at = strstr(at, want[i]);
		ck_assert_msg(at, "no '%s' in order: %s", want[i], out);
	}
	ck_assert_msg(!strstr(out, "! "), "%s", out);
	free(out);
	free(err);
}
END_TEST

Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("pool");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_map_holds, 0, 4);
	tcase_add_loop_test(tc, test_map_square_list, 0, 2);
	tcase_add_loop_test(tc, test_completion, 0, 2);
	tcase_add_test(tc, test_die_deadlocks);
	tcase_add_test(tc, test_notice_recovers);
	tcase_add_loop_test(tc, test_free, 0, 4);
	tcase_add_test(tc, test_free_completion);
	tcase_add_loop_test(tc, test_explore, 0, 3);
	tcase_add_loop_test(tc, test_step_deterministic, 0, 3);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_args_leave_out);
	tcase_add_loop_test(tc, test_no_leaks, 0, 7);
	tcase_add_test(tc, test_pfilter_solution);
	tcase_add_test(tc, test_pfilter_append_caught);
	suite_add_tcase(s, tc);
	tc = tcase_create("pool-view");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_view_pool);
	tcase_add_test(tc, test_view_threads);
	/* a failed check must not leave its tmux server and viewer */
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	suite_add_tcase(s, tc);
	return s;
}
