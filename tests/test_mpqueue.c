/*
 * test_mpqueue.c: the mpqueue lesson (a bounded queue between processes)
 * and the timed semaphore wait it rests on (sema_wait_for): each
 * variant's invariant over many seeds, Full, Empty and timed gets in
 * both modes, the empty() check that deadlocks, determinism, free mode at
 * scale, bad input, the viewer, and nothing left over however a run ends.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "tmux.h"

static const char *const orders[] = { "fifo", "priority" };

/* Seeds to try: fewer under the sanitizers and valgrind, where every
 * process of every run is slow to start. */
static int tseeds(int n)
{
	return tslow() ? n / 4 : n;
}

/* stop and nowait: every item taken once (fifo: in order per producer),
 * none left, over seeds, sizes and both orders that keep a stop last. */
START_TEST(test_correct_holds)
{
	static const char *const variants[] = { "stop", "nowait" };
	struct run_result res;
	for (int seed = 0; seed < tseeds(24); seed++) {
		char args[200];
		snprintf(args, sizeof(args), "--variant=%s --order=%s "
			 "--seed=%d --producers=%d --consumers=%d "
			 "--capacity=%d --items=%d%s", variants[_i / 2],
			 orders[_i % 2], seed, 1 + seed % 3, 1 + seed % 2,
			 1 + seed % 4, 1 + seed % 3,
			 seed % 3 ? "" : " --policy=rr --quantum=4");
		ck_assert_int_eq(trun(&mpqueue_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		long total = (1 + seed % 3) * (1 + seed % 3);
		ck_assert_int_eq(run_figure(&res, "produced"), total);
		ck_assert_int_eq(run_figure(&res, "consumed"), total);
		ck_assert_int_eq(run_figure(&res, "left"), 0);
	}
}
END_TEST

/* Priority: every get takes the lowest number in the queue, so one
 * consumer that starts once the queue is full takes items in order. */
START_TEST(test_priority_lowest_first)
{
	struct run_result res;
	struct tlog log = { 0 };
	/* P1 forks P2 (producer), P3 (consumer); P2 fills all 4 slots */
	trun(&mpqueue_lesson, "--order=priority --producers=2 --consumers=1 "
	     "--capacity=4 --items=2 --policy=rr --quantum=1000", &res, &log);
	ck_assert(res.invariant);
	long last = 0;
	int seen = 0;
	for (size_t i = 0; i < log.n; i++) {
		const struct event *e = &log.ev[i];
		/* a slot emptied by the consumer: b is the item taken */
		if (e->op == OP_STORE && e->a == 0 && e->b > 0 &&
		    e->thread == 4) {
			ck_assert_int_gt(e->b, last);
			last = e->b;
			seen++;
		}
	}
	ck_assert_int_eq(seen, 4);
	tlog_free(&log);
}
END_TEST

/* LIFO: a stop put on top of items is taken before them; the consumer
 * leaves, and they are never taken.  Some seed shows it. */
START_TEST(test_lifo_stop_overtakes)
{
	int broke = 0, held = 0;
	for (int seed = 0; seed < tseeds(20); seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--order=lifo --consumers=1 "
			 "--capacity=3 --seed=%d", seed);
		struct run_result res;
		ck_assert_int_eq(trun(&mpqueue_lesson, args, &res, NULL),
				 RUN_DONE);
		if (res.invariant) {
			held++;
			continue;
		}
		broke++;
		ck_assert_int_gt(run_figure(&res, "left"), 0);
		ck_assert_int_gt(run_figure(&res, "stopped_early"), 0);
		ck_assert_int_eq(run_figure(&res, "duplicated"), 0);
	}
	ck_assert_int_gt(broke, 0);
	ck_assert_int_gt(held, 0);
}
END_TEST

/* LIFO, two consumers: one takes a stop with an item under it and
 * leaves; the other takes the item, then its stop.  Every item is taken
 * once, but a consumer was stopped early: narrated, and broken. */
START_TEST(test_lifo_stop_early)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(trun(&mpqueue_lesson, "--order=lifo --producers=2 "
			      "--consumers=2 --capacity=4 --seed=15", &res,
			      &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "consumed"), 6);
	ck_assert_int_eq(run_figure(&res, "left"), 0);
	ck_assert_int_eq(run_figure(&res, "stopped_early"), 1);
	ck_assert(!res.invariant);
	ck_assert(strstr(log.text, "took a stop message with 1 item(s) "
		  "still under it"));
	tlog_free(&log);
}
END_TEST

/* A question states its numbers ("the 3 items"): it is asked only of
 * runs with those options, never of one with others. */
START_TEST(test_quiz_follows_options)
{
	static const char *const runs[] = {
		"--variant=timeout --mode=step --make=4 --timeout=3 "
		"--capacity=4 --items=1",
		"--variant=timeout --mode=step --make=4 --timeout=3 "
		"--capacity=4 --producers=2",
		"--variant=empty-check --mode=step --consumers=2 --items=1 "
		"--policy=rr --producers=2",
		"--variant=stop --producers=2 --consumers=2 --items=3 "
		"--order=lifo",
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		char args[300], *out, *err;
		snprintf(args, sizeof(args), "--quiz --quiet %s", runs[i]);
		ck_assert_int_eq(texec_in("mpqueue", args, "3\n", &out, &err),
				 2);
		ck_assert_msg(strstr(err, "no question is about this run"),
			      "%s: %s", args, err);
		free(out);
		free(err);
	}
}
END_TEST

/* nowait: Full and Empty are answers, narrated, and one step each: a
 * semaphore wait that timed out at once and took nothing. */
START_TEST(test_nowait_full_empty)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&mpqueue_lesson, "--variant=nowait --capacity=1 --items=3 "
	     "--seed=3", &res, &log);
	ck_assert(res.invariant);
	ck_assert_int_gt(run_figure(&res, "full"), 0);
	ck_assert_int_gt(run_figure(&res, "empty"), 0);
	ck_assert_msg(strstr(log.text, "put(2, block=False): Full, no free "
			     "slot"), "%s", log.text);
	ck_assert_msg(strstr(log.text, "get(block=False): Empty"), "%s",
		      log.text);
	ck_assert_msg(strstr(log.text, "sem-wait   slots: timed out, count "
			     "0, took nothing"), "%s", log.text);
	int timed = 0;
	for (size_t i = 0; i < log.n; i++)
		timed += log.ev[i].op == OP_SEM_WAIT &&
			 log.ev[i].b == ETIMEDOUT;
	ck_assert_int_eq(timed, run_figure(&res, "full") +
				       run_figure(&res, "empty"));
	tlog_free(&log);
}
END_TEST

/*
 * Timed get, step mode: a long timeout only ends when nothing else can
 * run (the clock jumps to it), so no item is left, on any seed; a
 * timeout shorter than a producer's work gives up with items left.
 */
START_TEST(test_timeout_step)
{
	struct run_result res;
	for (int seed = 0; seed < tseeds(20); seed++) {
		char args[160];
		snprintf(args, sizeof(args), "--variant=timeout --seed=%d "
			 "--timeout=1000 --consumers=%d", seed, 1 + seed % 2);
		struct tlog log = { 0 };
		ck_assert_int_eq(trun(&mpqueue_lesson, args, &res, &log),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s", args);
		ck_assert_int_eq(run_figure(&res, "empty"), 1 + seed % 2);
		ck_assert_msg(strstr(log.text, "the clock jumps"), "%s",
			      log.text);
		tlog_free(&log);
	}
	struct tlog log = { 0 };
	ck_assert_int_eq(trun(&mpqueue_lesson, "--variant=timeout --make=4 "
			      "--timeout=3 --capacity=4", &res, &log),
			 RUN_DONE);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "left"), 3);
	ck_assert_msg(strstr(log.text, "took the Empty of get(timeout=3) for "
			     "the end"), "%s", log.text);
	tlog_free(&log);
}
END_TEST

/* Timed get, free mode: real time.  The consumer takes the one item,
 * then waits 200 ms for another before it gives up. */
START_TEST(test_timeout_free)
{
	struct run_result res;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(trun(&mpqueue_lesson, "--mode=free --variant=timeout "
			      "--items=1 --consumers=1 --producers=1 "
			      "--timeout=200", &res, NULL), RUN_DONE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert(res.invariant);
	ck_assert_int_eq(run_figure(&res, "empty"), 1);
	ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000 +
				 (t1.tv_nsec - t0.tv_nsec) / 1000000, 200);
	/* a producer slower than the timeout: its items are left behind,
	 * or it waits for a slot no one will free (the watch ends it) */
	enum run_end end = trun(&mpqueue_lesson, "--mode=free "
				"--variant=timeout --items=3 --make=60 "
				"--producers=1 "
				"--timeout=10 --capacity=4", &res, NULL);
	ck_assert_int_eq(end, RUN_DONE);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "left"),
			 run_figure(&res, "produced") -
				 run_figure(&res, "consumed"));
	ck_assert_int_gt(run_figure(&res, "left"), 0);
}
END_TEST

/* empty-check: one consumer is right; two deadlock on most seeds, the
 * waiter named, after the last item was taken by the other. */
START_TEST(test_empty_check)
{
	struct run_result res;
	int deadlocks = 0, n = tseeds(20);
	for (int seed = 0; seed < n; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=empty-check --seed=%d "
			 "--consumers=%d", seed, 1 + _i);
		enum run_end end = trun(&mpqueue_lesson, args, &res, NULL);
		if (_i == 0) {
			ck_assert_int_eq(end, RUN_DONE);
			ck_assert(res.invariant);
		}
		deadlocks += end == RUN_DEADLOCK;
		ck_assert_int_eq(run_figure(&res, "duplicated"), 0);
	}
	if (_i == 0)
		return;
	ck_assert_int_gt(deadlocks, n / 2);
	char *out, *err;
	ck_assert_int_eq(texec("mpqueue", "--plain --variant=empty-check "
			       "--consumers=2 --items=1 --policy=rr", &out,
			       &err), 0);
	ck_assert_msg(strstr(out, "deadlock: every live process is blocked; "
			     "P1 waits for P4 to exit; P4 waits for semaphore "
			     "items (count 0)"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* Every schedule with one preemption (small runs: each execution forks
 * real processes): stop always holds, a timed get can give up early. */
START_TEST(test_explore)
{
	static const struct {
		const char *args, *says;
	} runs[] = {
		{ "--variant=stop --consumers=2 --items=1 --capacity=1",
		  "executions=54 outcomes=1 deadlocks=0 invariant=unknown" },
		{ "--variant=timeout --consumers=1 --items=1 --capacity=1 "
		  "--make=2 --timeout=2",
		  "outcomes=2 deadlocks=0 invariant=can-break" },
	};
	char args[200];
	snprintf(args, sizeof(args), "%s --explore --bound=1 --quiet",
		 runs[_i].args);
	free(texplore_says("mpqueue", args, runs[_i].says, NULL));
}
END_TEST

/* Same arguments, same log, byte for byte. */
START_TEST(test_step_deterministic)
{
	static const char *const runs[] = {
		"--plain --seed=5 --variant=nowait --producers=2 --items=2",
		"--plain --seed=9 --variant=timeout --order=priority",
	};
	tsame_output("mpqueue", runs[_i], tslow() ? 2 : 5);
}
END_TEST

/* Free mode at scale: 4 producers, 4 consumers, every item once, fifo
 * in order per producer; and the non-blocking calls. */
START_TEST(test_free_scale)
{
	static const char *const variants[] = { "stop", "nowait" };
	long n = tslow() ? 500 : 20000;
	char args[160];
	snprintf(args, sizeof(args), "--mode=free --variant=%s --order=%s "
		 "--producers=4 --consumers=4 --items=%ld", variants[_i / 2],
		 orders[_i % 2], n);
	struct run_result res;
	ck_assert_int_eq(trun(&mpqueue_lesson, args, &res, NULL), RUN_DONE);
	ck_assert_msg(res.invariant, "%s", args);
	ck_assert_int_eq(run_figure(&res, "consumed"), 4 * n);
	ck_assert_int_eq(run_figure(&res, "duplicated"), 0);
	if (_i % 2 == 0)
		ck_assert_int_eq(run_figure(&res, "out_of_order"), 0);
}
END_TEST

START_TEST(test_bad_input)
{
	tbad_input("mpqueue", "--producers=0");
	tbad_input("mpqueue", "--consumers=9");
	tbad_input("mpqueue", "--capacity=9");
	tbad_input("mpqueue", "--items=0");
	tbad_input("mpqueue", "--timeout=-1");
	tbad_input("mpqueue", "--make=1001");
	tbad_input("mpqueue", "--variant=empty");
	char *out, *err;
	int rc = texec("mpqueue", "--order=stack", &out, &err);
	trefused("mpqueue", "--order=stack", rc, out, err,
		 "--order: expected fifo|lifo|priority, got 'stack'");
	/* a lesson of processes says process, in errors and in --help */
	rc = texec("mpqueue", "--schedule=1,x", &out, &err);
	trefused("mpqueue", "--schedule=1,x", rc, out, err,
		 "--schedule: position 2: expected a process number");
	ck_assert_int_eq(texec("mpqueue", "--help", &out, &err), 0);
	ck_assert_msg(strstr(out, "asks for a process number") &&
		      strstr(out, "1-9 run that process") &&
		      !strstr(out, "thread"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* The real viewer on 80 x 24: the slots, the semaphores, a stop. */
START_TEST(test_view_queue)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "mpqueue", "--seed=1 --consumers=1");
	SEE(&t, "semaphore items: count 0");
	SEE(&t, "buffer [   ][   ]");
	char keys[2 * 50 + 1] = "";
	for (int i = 0; i < 50; i++) /* step 50: P1 puts the stop */
		strcat(keys, "n ");
	tmux_keys(&t, keys);
	SEE(&t, "paused step 50");
	SEE(&t, "[stp]");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* The viewer on 80 x 24 speaks of processes, shows a timed semaphore
 * wait's deadline, pages its help (with the timeline's legend), and a
 * refusal goes once a digit runs a process. */
START_TEST(test_view_words)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "mpqueue", "--variant=timeout "
			  "--make=4 --timeout=3 --capacity=4");
	SEE(&t, "paused step 0");
	tmux_keys(&t, "n n n n");
	SEE(&t, "paused step 4");
	SEE(&t, "waiting: P3");
	SEE(&t, "(until t=6); now t=4");
	tmux_keys(&t, "9");
	SEE(&t, "there is no P9: processes are 1 to 3");
	tmux_keys(&t, "2");
	SEE(&t, "paused step 5");
	GONE(&t, "there is no P9");
	tmux_keys(&t, "?");
	SEE(&t, "run that process (step mode)");
	SEE(&t, "page 1 of 2");
	tmux_keys(&t, "n");
	SEE(&t, "timeline: a lane per process");
	SEE(&t, "page 2 of 2");
	tmux_keys(&t, "n");
	GONE(&t, "page 2 of 2");
	SEE(&t, "paused step 5");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* --- sema_wait_for between threads, a lesson of the tests' own --- */

static struct sema *tw_sem;
static int tw_got[3];

/* T1: a trywait on 0 gives up; a wait of 50 gets T2's post; a wait of
 * 5 with nobody left to post times out. */
static void tw_taker(long arg)
{
	(void)arg;
	tw_got[0] = sema_wait_for(tw_sem, 0);
	tw_got[1] = sema_wait_for(tw_sem, 50);
	tw_got[2] = sema_wait_for(tw_sem, 5);
}

static void tw_poster(long arg)
{
	(void)arg;
	sema_post(tw_sem);
}

static void tw_setup(void)
{
	tw_sem = sema_new("s", 0, 0);
	thread_new("taker", tw_taker, 0);
	thread_new("poster", tw_poster, 0);
}

static bool tw_report(void)
{
	return tw_got[0] == ETIMEDOUT && tw_got[1] == 0 &&
	       tw_got[2] == ETIMEDOUT;
}

static const struct lesson_variant tw_variants[] = {
	{ "only", "", NULL }, { NULL, NULL, NULL },
};
static const struct lesson_option tw_options[] = { LESSON_END };

static const struct lesson tw_lesson = {
	.name = "semawait", .summary = "timed semaphore waits",
	.variants = tw_variants, .options = tw_options, .setup = tw_setup,
	.report = tw_report, .source = "",
};

/* Between threads too, in both modes, on every schedule of a few. */
START_TEST(test_sema_wait_for_threads)
{
	for (int seed = 0; seed < 8; seed++) {
		char args[64];
		if (_i)
			snprintf(args, sizeof(args), "--mode=free");
		else
			snprintf(args, sizeof(args), "--seed=%d", seed);
		struct run_result res;
		struct tlog log = { 0 };
		/* the poster may run before the trywait: then it takes */
		ck_assert_int_eq(trun(&tw_lesson, args, &res, &log), RUN_DONE);
		ck_assert_msg(res.invariant || tw_got[0] == 0, "%s", args);
		ck_assert_int_eq(tw_got[2], ETIMEDOUT);
		ck_assert_int_eq(tlog_count(&log, OP_SEM_WAIT, 0), 3);
		tlog_free(&log);
		if (_i)
			break;
	}
}
END_TEST

/* However a run ends, no process of it and nothing in /dev/shm is left. */
START_TEST(test_no_leaks)
{
	static const struct tend ends[] = {
		{ { "mpqueue", "--quiet", "--variant=empty-check",
		    "--policy=rr", NULL }, 0, 0 },
		{ { "mpqueue", "--quiet", "--variant=timeout", "--mode=free",
		    "--make=50", "--timeout=5", "--capacity=1", NULL }, 0, 0 },
		{ { "mpqueue", "--quiet", "--max-steps=20", NULL }, 0, 0 },
		{ { "mpqueue", "--plain", "--policy=manual",
		    "--schedule=1,1,1", NULL }, SIGINT, 4 },
		{ { "mpqueue", "--quiet", "--mode=free", "--items=1000000",
		    NULL }, SIGTERM, 5 },
		{ { "mpqueue", "--quiet", "--mode=free", "--variant=nowait",
		    "--items=1000000", NULL }, SIGHUP, 5 },
	};
	tno_leak(&ends[_i], _i, 0);
}
END_TEST

Suite *mpqueue_suite(void)
{
	Suite *s = suite_create("mpqueue");
	TCase *tc = tcase_create("mpqueue");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_correct_holds, 0, 4);
	tcase_add_test(tc, test_priority_lowest_first);
	tcase_add_test(tc, test_lifo_stop_overtakes);
	tcase_add_test(tc, test_lifo_stop_early);
	tcase_add_test(tc, test_quiz_follows_options);
	tcase_add_test(tc, test_nowait_full_empty);
	tcase_add_test(tc, test_timeout_step);
	tcase_add_test(tc, test_timeout_free);
	tcase_add_loop_test(tc, test_empty_check, 0, 2);
	tcase_add_loop_test(tc, test_step_deterministic, 0, 2);
	tcase_add_test(tc, test_bad_input);
	tcase_add_loop_test(tc, test_no_leaks, 0, 6);
	tcase_add_loop_test(tc, test_sema_wait_for_threads, 0, 2);
	tcase_add_loop_test(tc, test_explore, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("mpqueue-view");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_view_queue);
	tcase_add_test(tc, test_view_words);
	/* a failed check must not leave its tmux server and viewer */
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	suite_add_tcase(s, tc);
	tc = tcase_create("mpqueue-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_free_scale, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
