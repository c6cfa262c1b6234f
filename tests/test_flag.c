/*
 * test_flag.c: the flag (Python's Event) and logical time, in both modes:
 * set, clear, is_set, wait with and without a timeout, a set that wakes
 * everyone, a timeout that is due on the step clock or forced when
 * nothing else can run, a wait that nothing ends, sleep.
 *
 * As in test_prim.c, a small lesson runs one scenario per variant; each
 * thread keeps what its calls returned in rc[], which report() turns
 * into figures (r1_0 is thread 1's first).
 */
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "testutil.h"

enum { BASIC, WAKE_ALL, PULSE, TIMEOUT, DUE, NEVER, SLEEP };

static struct flag *fl;
static long rc[RT_MAX_THREADS + 1][4];

static void f_basic(long id)
{
	rc[id][0] = flag_is_set(fl);
	flag_set(fl);
	flag_set(fl); /* up already: harmless */
	rc[id][1] = flag_is_set(fl);
	flag_clear(fl);
	flag_clear(fl); /* down already: harmless */
	rc[id][2] = flag_is_set(fl);
	rc[id][3] = flag_wait_for(fl, 0); /* down: false at once */
}

/* The last thread raises the flag (PULSE: and lowers it at once). */
static void f_waiters(long id)
{
	if (id < lesson_opt("threads")) {
		rc[id][0] = flag_wait(fl);
		return;
	}
	flag_set(fl);
	if (lesson_variant() == PULSE)
		flag_clear(fl);
}

/* T1 waits 5 with nobody to set it; DUE: T2 works meanwhile. */
static void f_timeout(long id)
{
	if (id == 1)
		rc[id][0] = flag_wait_for(fl, lesson_variant() == DUE ? 3 : 5);
	else
		work(10);
}

static void f_never(long id)
{
	rc[id][0] = flag_wait(fl);
}

/* Thread id sleeps 7 - 2 id: the last created wakes first. */
static void f_sleep(long id)
{
	ltime_sleep(7 - 2 * id);
}

static void f_setup(void)
{
	static void (*const bodies[])(long) = {
		[BASIC] = f_basic, [WAKE_ALL] = f_waiters, [PULSE] = f_waiters,
		[TIMEOUT] = f_timeout, [DUE] = f_timeout, [NEVER] = f_never,
		[SLEEP] = f_sleep,
	};
	memset(rc, 0, sizeof(rc));
	fl = flag_new("f");
	for (long t = 1; t <= lesson_opt("threads"); t++)
		thread_new("t", bodies[lesson_variant()], t);
}

static bool f_report(void)
{
	static char names[RT_MAX_THREADS * 4][8];
	long n = lesson_opt("threads");
	for (long t = 1; t <= n && t <= 3; t++)
		for (int k = 0; k < 4; k++) {
			char *name = names[(t - 1) * 4 + k];
			snprintf(name, 8, "r%ld_%d", t, k);
			lesson_figure(name, rc[t][k]);
		}
	return true;
}

static const struct lesson_variant f_variants[] = {
	{ "basic", "", NULL }, { "wake-all", "", NULL }, { "pulse", "", NULL },
	{ "timeout", "", NULL }, { "due", "", NULL }, { "never", "", NULL },
	{ "sleep", "", NULL }, { NULL, NULL, NULL },
};

static const struct lesson_option f_options[] = {
	LESSON_NUMBER("threads", "", 1, 1, 1, 64),
	LESSON_NUMBER("rounds", "unused: free mode's --seed", 0, 0, 0, 1000),
	LESSON_END,
};

static const struct lesson flag_lesson = {
	.name = "flag", .summary = "flags", .variants = f_variants,
	.options = f_options, .setup = f_setup, .report = f_report,
	.source = "",
};

static const char *const modes[] = { "--mode=step", "--mode=free" };

static enum run_end frun(const char *args, int mode, struct run_result *res,
			 struct tlog *log)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s %s", args, modes[mode]);
	return trun(&flag_lesson, buf, res, log);
}

/* Up, up again, down, down again, and a wait of 0 on a lowered flag. */
START_TEST(test_basic)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(frun("--variant=basic", _i, &res, &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "r1_0"), 0);
	ck_assert_int_eq(run_figure(&res, "r1_1"), 1);
	ck_assert_int_eq(run_figure(&res, "r1_2"), 0);
	ck_assert_int_eq(run_figure(&res, "r1_3"), 0);
	ck_assert_int_eq(res.misuses, 0);
	ck_assert_ptr_nonnull(strstr(log.text, "flag-set   f: up (wakes 0)"));
	ck_assert_ptr_nonnull(strstr(log.text, "flag-set   f: up already"));
	ck_assert_ptr_nonnull(strstr(log.text, "flag-clear f: down already"));
	ck_assert_ptr_nonnull(strstr(log.text, "is-set     f -> up"));
	ck_assert_ptr_nonnull(strstr(log.text, "f: timed out -> false"));
	tlog_free(&log);
}
END_TEST

/* One set wakes every waiter, whatever the order (step: many seeds). */
START_TEST(test_wake_all)
{
	struct run_result res;
	for (int seed = 0; seed < (_i ? 5 : 100); seed++) {
		char args[96];
		int n = 2 + seed % 6;
		snprintf(args, sizeof(args), "--variant=wake-all --threads=%d"
			 "%s%d", n, _i ? " --rounds=" : " --seed=", seed);
		ck_assert_int_eq(frun(args, _i, &res, NULL), RUN_DONE);
		for (int t = 1; t < n && t <= 3; t++) {
			char name[8];
			snprintf(name, sizeof(name), "r%d_0", t);
			ck_assert_int_eq(run_figure(&res, name), 1);
		}
	}
}
END_TEST

/*
 * A set then a clear before the waiters run: they were woken by the set,
 * and their waits return true (Python's Event does the same).
 */
START_TEST(test_pulse)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(trun(&flag_lesson, "--variant=pulse --threads=3 "
			      "--schedule=1,2,3,3", &res, &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "r1_0"), 1);
	ck_assert_int_eq(run_figure(&res, "r2_0"), 1);
	ck_assert_ptr_nonnull(strstr(log.text, "f: up (wakes 2)"));
	ck_assert_int_eq(tlog_count(&log, OP_FLAG_WAKE, 0), 2);
	tlog_free(&log);
}
END_TEST

/*
 * Nobody sets it: step mode jumps the clock to the deadline (t=6: the
 * wait began at step 1, t=1) instead of declaring a deadlock; free mode waits
 * 5 ms of real time.
 */
START_TEST(test_timeout)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(frun("--variant=timeout", _i, &res, &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "r1_0"), 0);
	if (_i) {
		ck_assert_int_ge(res.elapsed_us, 5000);
	} else {
		ck_assert_int_eq(tlog_count(&log, OP_CLOCK, 0), 1);
		ck_assert_ptr_nonnull(strstr(log.text, "clock      t=6 (was "
					     "t=2)  ! nothing can run before a "
					     "deadline: the clock jumps from "
					     "t=2 to t=6"));
		ck_assert_ptr_nonnull(strstr(log.text, "f: down, waits 5, "
					     "until t=6"));
	}
	tlog_free(&log);
}
END_TEST

/*
 * A timeout that comes due while another thread runs: no jump; it wakes
 * at a step at or after its deadline (t=4: it began at t=1), under every
 * seed, and the working thread finishes its 10 steps either way.
 */
START_TEST(test_due)
{
	struct run_result res;
	struct tlog log = { 0 };
	for (int seed = 0; seed < 50; seed++) {
		char args[64];
		snprintf(args, sizeof(args), "--variant=due --threads=2 "
			 "--schedule=1 --seed=%d", seed);
		ck_assert_int_eq(trun(&flag_lesson, args, &res, &log),
				 RUN_DONE);
		ck_assert_int_eq(run_figure(&res, "r1_0"), 0);
		ck_assert_int_eq(tlog_count(&log, OP_CLOCK, 0), 0);
		for (size_t i = 0; i < log.n; i++)
			if (log.ev[i].op == OP_FLAG_WAKE)
				ck_assert_int_ge(log.ev[i].step, 4);
		tlog_free(&log);
		log = (struct tlog){ 0 };
	}
}
END_TEST

/* A wait without a timeout that nothing ends: a deadlock, said; in free
 * mode, caught by the deadlock watch. */
START_TEST(test_never)
{
	struct run_result res;
	ck_assert_int_eq(frun("--variant=never", _i, &res, NULL), RUN_DEADLOCK);
	if (_i)
		return;
	struct cli c;
	struct sched s;
	ck_assert_int_eq(tcli(&flag_lesson, "--variant=never", &c), CLI_RUN);
	run_begin(&c.cfg, NULL, NULL, &s);
	sched_step(1); /* the wait begins */
	int ids[RT_MAX_THREADS];
	ck_assert_int_eq(sched_eligible(ids), 0);
	char say[256];
	run_deadlock_text(say, sizeof(say));
	ck_assert_str_eq(say, "deadlock: every live thread is blocked; T1 "
			 "waits for flag f to be set");
	run_finish(RUN_DEADLOCK, &res);
	cli_free(&c);
}
END_TEST

/*
 * Sleeps end in the order of their deadlines, each at its own time (T1
 * begins at t=1 and sleeps 5, T2 at t=2 and sleeps 3): the clock jumps
 * once, from t=3 to T2's t=5; the next step, at t=6, is T1's deadline
 * anyway.  In free mode the longest takes 5 ms.
 */
START_TEST(test_sleep)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(frun(_i ? "--variant=sleep --threads=2"
				 : "--variant=sleep --threads=2 --schedule=1,2",
			      _i, &res, &log), RUN_DONE);
	if (_i) {
		ck_assert_int_ge(res.elapsed_us, 5000);
		tlog_free(&log);
		return;
	}
	static const char *const order[] = {
		"T1 t           sleep      5, until t=6",
		"T2 t           sleep      3, until t=5",
		"T2 t           slept      wakes at t=5",
		"T1 t           slept      wakes at t=6",
	};
	const char *at = log.text;
	for (int i = 0; i < 4; i++) {
		at = strstr(at, order[i]);
		ck_assert_msg(at, "no '%s' in order in:\n%s", order[i],
			      log.text);
	}
	ck_assert_int_eq(tlog_count(&log, OP_CLOCK, 0), 1);
	ck_assert_ptr_nonnull(strstr(log.text, "t=5 (was t=3)"));
	tlog_free(&log);
}
END_TEST

static struct model fm;

static void fmodel_sink(const struct event *e, void *ctx)
{
	(void)ctx;
	model_apply(&fm, e, &rt_names);
}

/*
 * The viewer's model: the flag up or down, its waiters, a timed
 * waiter's deadline, the clock with its jump, a sleeper's deadline.
 */
START_TEST(test_model)
{
	struct cli c;
	struct sched s;
	ck_assert_int_eq(tcli(&flag_lesson, "--variant=timeout", &c), CLI_RUN);
	rt_init(&c.cfg, fmodel_sink, NULL);
	model_init(&fm, true);
	sched_init(&s, &c.cfg);
	sched_start();
	sched_step(1); /* the wait begins at t=1: down, until t=6 */
	ck_assert_int_eq(fm.objs[0].value, 0);
	ck_assert_int_eq(fm.threads[1].until, 6);
	ck_assert_int_eq(fm.threads[1].next_op, OP_FLAG_WAKE);
	ck_assert_int_eq(fm.threads[1].next_obj, 0);
	ck_assert_int_eq(model_now(&fm), 1);
	sched_step(1); /* forced: the clock jumps, the wait returns false */
	ck_assert_int_eq(model_now(&fm), 6);
	ck_assert_int_eq(fm.threads[1].until, 0);
	rt_destroy();
	cli_free(&c);
	ck_assert_int_eq(tcli(&flag_lesson, "--variant=basic", &c), CLI_RUN);
	rt_init(&c.cfg, fmodel_sink, NULL);
	model_init(&fm, true);
	sched_init(&s, &c.cfg);
	sched_start();
	sched_step(1); /* is_set */
	sched_step(1); /* set */
	ck_assert_int_eq(fm.objs[0].value, 1);
	rt_destroy();
	cli_free(&c);
	/* a sleeper, while T2 can still run: blocked, with its deadline */
	ck_assert_int_eq(tcli(&flag_lesson, "--variant=sleep --threads=2", &c),
			 CLI_RUN);
	rt_init(&c.cfg, fmodel_sink, NULL);
	model_init(&fm, true);
	sched_init(&s, &c.cfg);
	sched_start();
	sched_step(1); /* T1 sleeps 5 from t=1 */
	char state[64];
	ck_assert_str_eq(model_state_text(&fm, 1, state, sizeof(state)),
			 "asleep until t=6");
	rt_destroy();
	cli_free(&c);
	/* a waiter woken by a set stays woken when the flag goes down */
	ck_assert_int_eq(tcli(&flag_lesson, "--variant=pulse --threads=2", &c),
			 CLI_RUN);
	rt_init(&c.cfg, fmodel_sink, NULL);
	model_init(&fm, true);
	sched_init(&s, &c.cfg);
	sched_start();
	sched_step(1); /* T1 waits */
	ck_assert(!fm.threads[1].woken);
	sched_step(2); /* T2 sets */
	ck_assert(fm.threads[1].woken);
	sched_step(2); /* T2 clears */
	ck_assert(fm.threads[1].woken && fm.objs[0].value == 0);
	sched_step(1); /* T1's wait returns true */
	ck_assert(!fm.threads[1].woken);
	rt_destroy();
	cli_free(&c);
}
END_TEST

Suite *flag_suite(void)
{
	Suite *s = suite_create("flag");
	TCase *tc = tcase_create("flag");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_basic, 0, 2);
	tcase_add_loop_test(tc, test_wake_all, 0, 2);
	tcase_add_test(tc, test_pulse);
	tcase_add_loop_test(tc, test_timeout, 0, 2);
	tcase_add_test(tc, test_due);
	tcase_add_loop_test(tc, test_never, 0, 2);
	tcase_add_loop_test(tc, test_sleep, 0, 2);
	tcase_add_test(tc, test_model);
	suite_add_tcase(s, tc);
	return s;
}
