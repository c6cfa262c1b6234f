/*
 * test_schedq.c: the timed condition wait (cond_wait_for) in both modes,
 * and the sched lesson: events run in order of time, then priority, each
 * exactly once, by one thread or by workers with a timed wait; the
 * worker that sleeps on what it saw runs events twice.  (Not test_sched.c:
 * that one tests the runtime's step-mode scheduler.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testutil.h"

/* ---- cond_wait_for, as test_prim.c tests the primitives ---- */

enum { CT_TIMEOUT, CT_SIGNAL, CT_HELD, CT_MISUSE };

static struct cond *ct_c;
static struct mutex *ct_m;
static struct var *ct_ready;
static long ct_rc[RT_MAX_THREADS + 1][2];

/* T1 waits 5 for a signal nobody sends; unlock() says it holds m. */
static void ct_timeout(long id)
{
	mutex_lock(ct_m);
	ct_rc[id][0] = cond_wait_for(ct_c, ct_m, 5);
	ct_rc[id][1] = mutex_unlock(ct_m);
}

/* T1 waits (long timeout) until T2 says ready. */
static void ct_signal(long id)
{
	mutex_lock(ct_m);
	if (id == 1) {
		ct_rc[id][0] = -1; /* never waited */
		while (!var_load(ct_ready))
			ct_rc[id][0] = cond_wait_for(ct_c, ct_m, 100000);
	} else {
		var_store(ct_ready, 1);
		cond_signal(ct_c);
	}
	mutex_unlock(ct_m);
}

/* T1's timeout comes due while T2 holds m for 10 steps. */
static void ct_held(long id)
{
	mutex_lock(ct_m);
	if (id == 1)
		ct_rc[id][0] = cond_wait_for(ct_c, ct_m, 2);
	else
		work(10);
	mutex_unlock(ct_m);
}

static void ct_misuse(long id)
{
	ct_rc[id][0] = cond_wait_for(ct_c, ct_m, 3);
}

static void ct_setup(void)
{
	static void (*const bodies[])(long) = {
		[CT_TIMEOUT] = ct_timeout, [CT_SIGNAL] = ct_signal,
		[CT_HELD] = ct_held, [CT_MISUSE] = ct_misuse,
	};
	memset(ct_rc, 0, sizeof(ct_rc));
	ct_c = cond_new("c");
	ct_m = mutex_new("m", MUTEX_NORMAL);
	ct_ready = var_new("ready", 0);
	for (long t = 1; t <= lesson_opt("threads"); t++)
		thread_new("t", bodies[lesson_variant()], t);
}

static bool ct_report(void)
{
	lesson_figure("r1_0", ct_rc[1][0]);
	lesson_figure("r1_1", ct_rc[1][1]);
	return true;
}

static const struct lesson_variant ct_variants[] = {
	{ "timeout", "", NULL }, { "signal", "", NULL }, { "held", "", NULL },
	{ "misuse", "", NULL }, { NULL, NULL, NULL },
};

static const struct lesson_option ct_options[] = {
	LESSON_NUMBER("threads", "", 1, 1, 1, 64),
	LESSON_NUMBER("rounds", "unused: free mode's --seed", 0, 0, 0, 1000),
	LESSON_END,
};

static const struct lesson ct_lesson = {
	.name = "condtime", .summary = "timed condition waits",
	.variants = ct_variants, .options = ct_options, .setup = ct_setup,
	.report = ct_report, .source = "",
};

static const char *const modes[] = { "--mode=step", "--mode=free" };

static enum run_end ctrun(const char *args, int mode, struct run_result *res,
			  struct tlog *log)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s %s", args, modes[mode]);
	return trun(&ct_lesson, buf, res, log);
}

/*
 * Nobody signals: ETIMEDOUT, holding the mutex again (its unlock is
 * fine); step mode jumps the clock to the deadline (the wait began at
 * t=2), free mode waits 5 ms of real time.
 */
START_TEST(test_ct_timeout)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(ctrun("--variant=timeout", _i, &res, &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "r1_0"), ETIMEDOUT);
	ck_assert_int_eq(run_figure(&res, "r1_1"), 0);
	ck_assert_int_eq(res.misuses, 0);
	ck_assert_ptr_nonnull(strstr(log.text, "c: timed out (holds m "
				     "again)"));
	if (_i) {
		ck_assert_int_ge(res.elapsed_us, 5000);
	} else {
		ck_assert_int_eq(tlog_count(&log, OP_CLOCK, 0), 1);
		ck_assert_ptr_nonnull(strstr(log.text, "c (releases m), waits "
					     "5, until t=7"));
	}
	tlog_free(&log);
}
END_TEST

/* A signal ends the wait with 0 under every order (step: many seeds),
 * long before its timeout. */
START_TEST(test_ct_signal)
{
	struct run_result res;
	for (int seed = 0; seed < (_i ? 5 : 100); seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=signal --threads=2%s%d",
			 _i ? " --rounds=" : " --seed=", seed);
		ck_assert_int_eq(ctrun(args, _i, &res, NULL), RUN_DONE);
		ck_assert_int_ne(run_figure(&res, "r1_0"), ETIMEDOUT);
		if (_i)
			ck_assert_int_lt(res.elapsed_us, 50000000);
	}
}
END_TEST

/*
 * The timeout is due at t=4, but T2 holds m: T1 returns only after T2's
 * unlock, under every seed, with ETIMEDOUT.
 */
START_TEST(test_ct_held)
{
	struct run_result res;
	struct tlog log = { 0 };
	for (int seed = 0; seed < 50; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=held --threads=2 "
			 "--schedule=1,1,2 --seed=%d", seed);
		ck_assert_int_eq(trun(&ct_lesson, args, &res, &log), RUN_DONE);
		ck_assert_int_eq(run_figure(&res, "r1_0"), ETIMEDOUT);
		size_t unlock2 = 0, wake1 = 0;
		for (size_t i = 0; i < log.n; i++) {
			const struct event *e = &log.ev[i];
			if (e->op == OP_UNLOCK && e->thread == 2)
				unlock2 = i;
			if (e->op == OP_COND_WAKE && e->thread == 1)
				wake1 = i;
		}
		ck_assert_msg(unlock2 && wake1 > unlock2, "seed %d: T1 took m "
			      "back while T2 held it", seed);
		tlog_free(&log);
		log = (struct tlog){ 0 };
	}
}
END_TEST

/* Waiting without holding the mutex is refused with EPERM, timed too. */
START_TEST(test_ct_misuse)
{
	struct run_result res;
	ck_assert_int_eq(ctrun("--variant=misuse", _i, &res, NULL), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "r1_0"), EPERM);
	ck_assert_int_eq(res.misuses, 1);
}
END_TEST

static void ct_model_sink(const struct event *e, void *ctx)
{
	model_apply(ctx, e, &rt_names);
}

/* The viewer's model and the deadlock text: a timed waiter's deadline. */
START_TEST(test_ct_model)
{
	static struct model m;
	struct cli c;
	struct sched s;
	ck_assert_int_eq(tcli(&ct_lesson, "--variant=held --threads=2", &c),
			 CLI_RUN);
	rt_init(&c.cfg, ct_model_sink, &m);
	model_init(&m, true);
	sched_init(&s, &c.cfg);
	sched_start();
	sched_step(1); /* lock */
	sched_step(1); /* the wait begins, until t=4 */
	sched_step(2); /* T2 takes m */
	char buf[128];
	ck_assert_str_eq(model_state_text(&m, 1, buf, sizeof(buf)),
			 "blocked on c until t=4");
	char why[256];
	ck_assert_str_eq(sched_why(&rt.threads[1], why, sizeof(why)),
			 "waits on condition c until t=4");
	struct run_result res;
	run_finish(RUN_DONE, &res);
	cli_free(&c);
}
END_TEST

/* ---- the lesson ---- */

static void order_of(const struct tlog *log, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = log->text; (p = strstr(p, "runs event "));) {
		p += strlen("runs event ");
		if (n + 1 < size)
			out[n++] = *p;
	}
	out[n] = 0;
}

/* The seed's four: C, B, D, A; entered at one instant, D passes B. */
START_TEST(test_seed_order)
{
	static const char *const want[][2] = {
		{ "--clock=relative", "CBDA" }, { "--clock=absolute", "CDBA" },
	};
	static const char *const variants[] = { "run", "workers" };
	for (int v = 0; v < 2; v++)
		for (int k = 0; k < 2; k++) {
			char args[128], got[32];
			struct run_result res;
			struct tlog log = { 0 };
			snprintf(args, sizeof(args), "--variant=%s %s",
				 variants[v], want[k][0]);
			ck_assert_int_eq(trun(&sched_lesson, args, &res, &log),
					 RUN_DONE);
			ck_assert(res.invariant);
			order_of(&log, got, sizeof(got));
			ck_assert_msg(strcmp(got, want[k][1]) == 0,
				      "%s: %s", args, got);
			tlog_free(&log);
		}
}
END_TEST

/* run and workers hold over hundreds of seeds, sizes and clocks; the
 * workers wait with timeouts that run out (and the clock jumps). */
START_TEST(test_hold)
{
	static const char *const variants[] = { "run", "workers" };
	struct run_result res;
	struct tlog log = { 0 };
	int timed_out = 0;
	for (int seed = 0; seed < 200; seed++) {
		char args[160];
		int n = snprintf(args, sizeof(args), "--variant=%s --seed=%d "
				 "--events=%d --unit=%d --clock=%s",
				 variants[seed % 2], seed, 1 + seed % 9,
				 1 + seed % 12,
				 seed % 3 ? "relative" : "absolute");
		if (seed % 2) /* run has no workers: refused there */
			snprintf(args + n, sizeof(args) - (size_t)n,
				 " --workers=%d", 1 + seed % 4);
		ck_assert_int_eq(trun(&sched_lesson, args, &res, &log),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "run_twice"), 0);
		ck_assert_int_eq(run_figure(&res, "never_run"), 0);
		for (size_t i = 0; i < log.n; i++)
			timed_out += log.ev[i].op == OP_COND_WAKE &&
				     log.ev[i].a;
		tlog_free(&log);
		log = (struct tlog){ 0 };
	}
	ck_assert_int_gt(timed_out, 50);
}
END_TEST

/* check-sleep: rr with longer delays (its documented command: both
 * workers sleep) runs every event twice; random seeds break it most of
 * the time. */
START_TEST(test_check_sleep_breaks)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&sched_lesson, "--variant=check-sleep --policy=rr --unit=30",
	     &res, &log);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "run_twice"), 4);
	ck_assert_int_eq(tlog_count(&log, OP_SLEPT, 0), 6);
	ck_assert_ptr_nonnull(strstr(log.text, "! T1 runs event C AGAIN"));
	tlog_free(&log);
	int broken = 0;
	for (int seed = 0; seed < 100; seed++) {
		char args[64];
		snprintf(args, sizeof(args), "--variant=check-sleep --seed=%d",
			 seed);
		ck_assert_int_eq(trun(&sched_lesson, args, &res, NULL),
				 RUN_DONE);
		broken += !res.invariant;
	}
	ck_assert_int_gt(broken, 50);
}
END_TEST

/* Same arguments, same log, byte for byte. */
START_TEST(test_deterministic)
{
	tsame_output("sched", _i ? "--plain --variant=workers --seed=7 "
				   "--events=6 --workers=3"
				 : "--plain --variant=check-sleep --seed=3", 2);
}
END_TEST

/* Free mode at scale: 26 events, 16 workers, real timed waits. */
START_TEST(test_free_workers)
{
	struct run_result res;
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(trun(&sched_lesson, "--mode=free "
				      "--variant=workers", &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "twice=%ld early=%ld order=%ld",
			      run_figure(&res, "run_twice"),
			      run_figure(&res, "run_early"),
			      run_figure(&res, "out_of_order"));
		ck_assert_int_eq(run_figure(&res, "events"), 26);
		/* the last is due at 90 ms */
		ck_assert_int_ge(res.elapsed_us, 90000);
	}
	ck_assert_int_eq(trun(&sched_lesson, "--mode=free", &res, NULL),
			 RUN_DONE);
	ck_assert(res.invariant);
}
END_TEST

/* Free mode: real sleeping workers run events twice too. */
START_TEST(test_free_check_sleep)
{
	struct run_result res;
	int broken = 0;
	for (int i = 0; i < 5; i++) {
		trun(&sched_lesson, "--mode=free --variant=check-sleep", &res,
		     NULL);
		broken += !res.invariant;
	}
	ck_assert_int_ge(broken, 4);
}
END_TEST

static const char *const bad[] = {
	"--events=0", "--events=27", "--workers=0", "--workers=17",
	"--unit=0", "--unit=x", "--clock=wall", "--variant=heap",
};

START_TEST(test_bad_input)
{
	tbad_input("sched", bad[_i]);
}
END_TEST

Suite *schedq_suite(void)
{
	Suite *s = suite_create("schedq");
	TCase *tc = tcase_create("cond-timed");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_ct_timeout, 0, 2);
	tcase_add_loop_test(tc, test_ct_signal, 0, 2);
	tcase_add_test(tc, test_ct_held);
	tcase_add_loop_test(tc, test_ct_misuse, 0, 2);
	tcase_add_test(tc, test_ct_model);
	suite_add_tcase(s, tc);
	tc = tcase_create("schedq");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_seed_order);
	tcase_add_test(tc, test_hold);
	tcase_add_test(tc, test_check_sleep_breaks);
	tcase_add_loop_test(tc, test_deterministic, 0, 2);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("schedq-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_free_workers);
	tcase_add_test(tc, test_free_check_sleep);
	suite_add_tcase(s, tc);
	return s;
}
