/*
 * test_pipe.c: pipes between processes (common/pipe.c) and the pipe
 * lesson: each variant's invariant, blocking modelled exactly in step
 * mode, the forgotten close as a deadlock in both modes, misuse refused,
 * determinism, free mode at scale, bad input, and no process left over.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* --- the lesson --- */

/* sentinel, eof and full: every byte sent arrives, over many seeds,
 * lengths and capacities, and the run ends. */
START_TEST(test_variants_hold)
{
	static const char *const variants[] = { "sentinel", "eof", "full" };
	struct run_result res;
	for (int seed = 0; seed < 40; seed++) {
		char args[160];
		int n = snprintf(args, sizeof(args), "--variant=%s --seed=%d "
				 "--messages=%d%s", variants[_i], seed,
				 1 + seed % 7,
				 seed % 2 ? " --policy=rr --quantum=3" : "");
		if (_i != 2) /* full has its own capacity: refused there */
			snprintf(args + n, sizeof(args) - (size_t)n,
				 " --capacity=%d", 8 * (1 + seed % 3));
		ck_assert_int_eq(trun(&pipe_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		long want = 8 * (1 + seed % 7 + (_i == 0));
		ck_assert_int_eq(run_figure(&res, "sent"), want);
		ck_assert_int_eq(run_figure(&res, "received"), want);
	}
}
END_TEST

/* Step mode never buffers more than the capacity, and a full pipe
 * makes the writer wait: it is not ready while the pipe is full. */
START_TEST(test_full_writer_waits)
{
	int waited = 0;
	for (int seed = 0; seed < 20; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=full --seed=%d "
			 "--messages=6", seed);
		struct run_result res;
		struct tlog log = { 0 };
		trun(&pipe_lesson, args, &res, &log);
		ck_assert(res.invariant);
		for (size_t i = 0; i < log.n; i++) {
			const struct event *e = &log.ev[i];
			if (e->op != OP_PIPE_WRITE && e->op != OP_PIPE_READ)
				continue;
			ck_assert_int_le(e->b, 16);
			ck_assert_int_ge(e->b, 0);
			/* full, the sender (P2) about to write again */
			if (e->b == 16 && e->op == OP_PIPE_WRITE &&
			    e->next_op == OP_PIPE_WRITE && !(e->ready & 2))
				waited++;
		}
		tlog_free(&log);
	}
	ck_assert_int_gt(waited, 0);
}
END_TEST

/* forgot-close: a deadlock on every seed, named per process, after the
 * narration that says whose copy of the write end keeps it open. */
START_TEST(test_forgot_close_step)
{
	struct run_result res;
	for (int seed = 0; seed < 20; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=forgot-close "
			 "--seed=%d --messages=%d", seed, 1 + seed % 4);
		struct tlog log = { 0 };
		ck_assert_int_eq(trun(&pipe_lesson, args, &res, &log),
				 RUN_DEADLOCK);
		ck_assert(!res.invariant);
		ck_assert_int_eq(run_figure(&res, "received"),
				 run_figure(&res, "sent"));
		ck_assert_msg(strstr(log.text, "but P3 still holds one: P3 "
				     "will not see end of file"), "%s",
			      log.text);
		tlog_free(&log);
	}
	char *out, *err;
	ck_assert_int_eq(texec("pipe", "--plain --variant=forgot-close",
			       &out, &err), 0);
	ck_assert_msg(strstr(out, "deadlock: every live process is blocked; "
			     "P1 waits for P3 to exit; P3 waits to read pipe "
			     "p (empty), whose write end P3 itself still "
			     "holds open"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* Free mode: the receiver blocks in a real read() for ever; the watch
 * sees it and ends the run. */
START_TEST(test_forgot_close_free)
{
	struct run_result res;
	ck_assert_int_eq(trun(&pipe_lesson, "--mode=free "
			      "--variant=forgot-close --messages=1000", &res,
			      NULL), RUN_DEADLOCK);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "received"), 8000);
}
END_TEST

/* two-way: both sides read first, a deadlock on every seed, in both
 * modes, named as a cycle of two pipes. */
START_TEST(test_two_way)
{
	struct run_result res;
	for (int seed = 0; seed < 20; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=two-way --seed=%d "
			 "--messages=%d", seed, 1 + seed % 4);
		ck_assert_int_eq(trun(&pipe_lesson, args, &res, NULL),
				 RUN_DEADLOCK);
		ck_assert(!res.invariant);
		ck_assert_int_eq(run_figure(&res, "sent"), 0);
	}
	ck_assert_int_eq(trun(&pipe_lesson, "--variant=two-way --mode=free",
			      &res, NULL), RUN_DEADLOCK);
	char *out, *err;
	ck_assert_int_eq(texec("pipe", "--plain --variant=two-way", &out,
			       &err), 0);
	ck_assert_msg(strstr(out, "P2 waits to read pipe back (empty), whose "
			     "write end P3 still holds open; P3 waits to read "
			     "pipe p (empty), whose write end P2 still holds "
			     "open"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* Same arguments, same log, byte for byte, 20 runs. */
START_TEST(test_step_deterministic)
{
	static const char *const runs[] = {
		"--plain --seed=5 --variant=sentinel --messages=6 "
		"--capacity=16",
		"--plain --seed=9 --variant=forgot-close --messages=4",
	};
	tsame_output("pipe", runs[_i], 20);
}
END_TEST

/* Free mode at scale: every byte arrives, through a full pipe too. */
START_TEST(test_free_scale)
{
	static const char *const variants[] = { "sentinel", "eof", "full" };
	long n = tslow() ? 20000 : 1000000;
	char args[128];
	snprintf(args, sizeof(args), "--mode=free --variant=%s "
		 "--messages=%ld", variants[_i], n);
	struct run_result res;
	ck_assert_int_eq(trun(&pipe_lesson, args, &res, NULL), RUN_DONE);
	ck_assert_msg(res.invariant, "%s", args);
	long want = 8 * (n + (_i == 0));
	ck_assert_int_eq(run_figure(&res, "sent"), want);
	ck_assert_int_eq(run_figure(&res, "received"), want);
}
END_TEST

START_TEST(test_bad_input)
{
	tbad_input("pipe", "--capacity=7");
	tbad_input("pipe", "--capacity=1048577");
	tbad_input("pipe", "--messages=0");
	tbad_input("pipe", "--variant=two");
	char *out, *err;
	int rc = texec("pipe", "--capacity=4", &out, &err);
	trefused("pipe", "--capacity=4", rc, out, err,
		 "--capacity: expected a whole number from 8");
}
END_TEST

/* --- misuse, a lesson of the tests' own --- */

static struct pipe *mis_p;

/* P2: closes its write end twice, reads after closing the read end;
 * then, with no reader left anywhere, writes: EPIPE. */
static void mis_child(long arg)
{
	(void)arg;
	char c;
	ck_assert_int_eq(pipe_close_write(mis_p), 0);
	ck_assert_int_eq(pipe_close_write(mis_p), -1);
	ck_assert_int_eq(pipe_close_read(mis_p), 0);
	ck_assert_int_eq(pipe_read(mis_p, &c, 1), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(pipe_write(mis_p, "x", 1), -1);
}

static void mis_parent(long arg)
{
	(void)arg;
	int c = proc_fork("child", mis_child, 0);
	pipe_close_read(mis_p);
	proc_join(c);
	/* nobody reads: the write fails, the writer lives on */
	ck_assert_int_eq(pipe_write(mis_p, "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
}

static void mis_setup(void)
{
	mis_p = pipe_new("q", 8);
	process_new("parent", mis_parent, 0);
}

static bool mis_report(void)
{
	return true;
}

static const struct lesson_variant mis_variants[] = {
	{ "only", "every misuse of a pipe, refused", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson mis_lesson = {
	.name = "pipemisuse",
	.summary = "closing twice, using a closed end, writing to no reader",
	.variants = mis_variants,
	.setup = mis_setup,
	.report = mis_report,
	.source = "",
	.processes = true,
};

/* Refused and reported, in both modes; the run goes on to its end. */
START_TEST(test_misuse)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(trun(&mis_lesson, _i ? "--mode=free" : "", &res,
			      &log), RUN_DONE);
	ck_assert_int_eq(res.misuses, 3);
	ck_assert_int_eq(tlog_count(&log, OP_PIPE_CLOSE, EV_MISUSE), 1);
	ck_assert_int_eq(tlog_count(&log, OP_PIPE_READ, EV_MISUSE), 1);
	ck_assert_int_eq(tlog_count(&log, OP_PIPE_WRITE, EV_MISUSE), 1);
	ck_assert_msg(strstr(log.text, "P2 closed the write end of pipe q, "
			     "which it had closed already: refused with "
			     "EBADF"), "%s", log.text);
	ck_assert_msg(strstr(log.text, "P2 read from pipe q after closing its "
			     "read end: refused with EBADF"), "%s", log.text);
	ck_assert_msg(strstr(log.text, "P1 wrote to pipe q, which no process "
			     "can read any more"), "%s", log.text);
	tlog_free(&log);
}
END_TEST

/* --- no process outlives its run --- */

/* A deadlock in either mode, a receiver blocked in read() interrupted,
 * a run cut short: afterwards, not one process of the run is left. */
START_TEST(test_no_leaks)
{
	static const struct tend ends[] = {
		{ { "pipe", "--quiet", "--variant=forgot-close", NULL }, 0, 0 },
		{ { "pipe", "--quiet", "--variant=forgot-close", "--mode=free",
		    NULL }, 0, 0 },
		{ { "pipe", "--quiet", "--max-steps=5", NULL }, 0, 0 },
		{ { "pipe", "--quiet", "--variant=full", "--mode=free",
		    "--messages=100000000", NULL }, SIGTERM, 4 },
	};
	tno_leak(&ends[_i], _i, 0);
}
END_TEST

Suite *pipe_suite(void)
{
	Suite *s = suite_create("pipe");
	TCase *tc = tcase_create("pipe");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_variants_hold, 0, 3);
	tcase_add_test(tc, test_full_writer_waits);
	tcase_add_test(tc, test_forgot_close_step);
	tcase_add_test(tc, test_forgot_close_free);
	tcase_add_test(tc, test_two_way);
	tcase_add_loop_test(tc, test_step_deterministic, 0, 2);
	tcase_add_test(tc, test_bad_input);
	tcase_add_loop_test(tc, test_misuse, 0, 2);
	tcase_add_loop_test(tc, test_no_leaks, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_create("pipe-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_free_scale, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
