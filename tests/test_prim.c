/*
 * test_prim.c: every primitive, in both modes, including its misuse.
 *
 * A small lesson defined here runs one scenario per variant; each thread
 * keeps the return codes it got in rc[], which report() turns into figures.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum {
	UNLOCK_OTHER, ERRORCHECK_RELOCK, RECURSIVE, SELF_DEADLOCK, AB_BA,
	SEM_HANDOFF, BOUNDED, PLAIN_OVER, COND, COND_NOLOCK, BARRIER,
	LATE_MISUSE, CROSS_WINDOW, PEAK_UNKEPT,
};

static struct mutex *ma, *mb;
static struct sema *sem;
static struct cond *cv;
static struct var *flag, *in_round;
static struct barrier *bar;
static long rc[RT_MAX_THREADS + 1][4];
static long actions, early;

static void p_unlock_other(long id)
{
	if (id == 1) {
		mutex_lock(ma);
		var_store(flag, 1);
		mutex_unlock(ma);
	} else {
		rc[id][0] = mutex_unlock(ma);
	}
}

static void p_errorcheck(long id)
{
	rc[id][0] = mutex_lock(ma);
	rc[id][1] = mutex_lock(ma);
	rc[id][2] = mutex_unlock(ma);
}

static void p_recursive(long id)
{
	rc[id][0] = mutex_lock(ma);
	rc[id][1] = mutex_lock(ma);
	var_add(flag, 1);
	rc[id][2] = mutex_unlock(ma);
	rc[id][3] = mutex_unlock(ma);
}

static void p_self(long id)
{
	(void)id;
	mutex_lock(ma);
	mutex_lock(ma);
}

static void p_abba(long id)
{
	struct mutex *first = id == 1 ? ma : mb, *second = id == 1 ? mb : ma;
	mutex_lock(first);
	mutex_lock(second);
	mutex_unlock(second);
	mutex_unlock(first);
}

static void p_handoff(long id)
{
	if (id == 1) {
		sema_wait(sem);
		var_store(flag, 1);
	} else {
		var_store(flag, 2);
		sema_post(sem);
	}
}

static void p_over(long id)
{
	rc[id][0] = sema_post(sem);
}

static void p_cond(long id)
{
	if (id == 1) { /* the signaller */
		mutex_lock(ma);
		var_store(flag, 1);
		cond_broadcast(cv);
		mutex_unlock(ma);
		return;
	}
	mutex_lock(ma);
	while (var_load(flag) == 0)
		cond_wait(cv, ma);
	rc[id][0] = 1;
	mutex_unlock(ma);
}

static void p_cond_nolock(long id)
{
	rc[id][0] = cond_wait(cv, ma);
}

static void p_barrier_action(void)
{
	actions++;
}

static void p_barrier(long id)
{
	(void)id;
	long n = lesson_opt("threads");
	for (long r = 0; r < lesson_opt("rounds"); r++) {
		var_add(in_round, 1);
		barrier_wait(bar);
		/* Leaving round r: all n arrivals of it must be counted. */
		if (var_load(in_round) < n * (r + 1))
			early++;
		barrier_wait(bar); /* reused at once: a second round */
		var_add(flag, 1);
	}
}

/* A misuse long after free mode's window is full is still counted. */
static void p_late_misuse(long id)
{
	for (int i = 0; i < 3 * RT_RING; i++)
		var_add(flag, 1);
	rc[id][0] = mutex_unlock(ma);
}

/*
 * Free mode: each thread's window closes somewhere inside this loop, with
 * the recursive mutex held once, twice or not at all.  Past it the lock
 * and unlock take the inline fast paths; the owner and depth they keep
 * must still agree with the recorded ones, or an unlock is refused.
 */
static void p_cross_window(long id)
{
	for (int i = 0; i < RT_RING / 2; i++) {
		rc[id][0] |= mutex_lock(ma);
		rc[id][1] |= mutex_lock(ma);
		var_add(flag, 1);
		rc[id][2] |= mutex_unlock(ma);
		rc[id][3] |= mutex_unlock(ma);
	}
}

static void p_peak_unkept(long id)
{
	rc[id][0] = var_peak(flag);
}

static void (*const bodies[])(long) = {
	p_unlock_other, p_errorcheck, p_recursive, p_self, p_abba,
	p_handoff, p_over, p_over, p_cond, p_cond_nolock, p_barrier,
	p_late_misuse, p_cross_window, p_peak_unkept,
};

static void p_setup(void)
{
	int v = lesson_variant();
	enum mutex_kind kind = v == ERRORCHECK_RELOCK ? MUTEX_ERRORCHECK
			       : v == RECURSIVE || v == CROSS_WINDOW
				       ? MUTEX_RECURSIVE
				       : MUTEX_NORMAL;
	memset(rc, 0, sizeof(rc));
	actions = early = 0;
	ma = mutex_new("a", kind);
	mb = mutex_new("b", MUTEX_NORMAL);
	sem = sema_new("s", v == SEM_HANDOFF ? 0 : 1, v == BOUNDED ? 1 : 0);
	cv = cond_new("c");
	flag = var_new("flag", 0);
	in_round = var_new("in_round", 0);
	long n = lesson_opt("threads");
	bar = barrier_new("bar", (int)n, v == BARRIER ? p_barrier_action : NULL);
	for (long i = 1; i <= n; i++)
		thread_new("t", bodies[v], i);
}

static bool p_report(void)
{
	static const char *const names[] = { "t1_0", "t1_1", "t1_2", "t1_3",
					     "t2_0", "t2_1", "t2_2", "t2_3" };
	for (int t = 1; t <= 2; t++)
		for (int k = 0; k < 4; k++)
			lesson_figure(names[(t - 1) * 4 + k], rc[t][k]);
	lesson_figure("flag", var_value(flag));
	lesson_figure("actions", actions);
	lesson_figure("early", early);
	return true;
}

static const struct lesson_variant p_variants[] = {
	{ "unlock-other", "", NULL }, { "errorcheck", "", NULL }, { "recursive", "", NULL },
	{ "self-deadlock", "", NULL }, { "ab-ba", "", NULL }, { "handoff", "", NULL },
	{ "bounded", "", NULL }, { "plain-over", "", NULL }, { "cond", "", NULL },
	{ "cond-nolock", "", NULL }, { "barrier", "", NULL }, { "late-misuse", "", NULL },
	{ "cross-window", "", NULL }, { "peak-unkept", "", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option p_options[] = {
	LESSON_NUMBER("threads", "", 2, 2, 1, 64),
	LESSON_NUMBER("rounds", "", 1, 1, 1, 1000),
	LESSON_END,
};

static const struct lesson prim_lesson = {
	.name = "prim", .summary = "primitives", .variants = p_variants,
	.options = p_options, .setup = p_setup, .report = p_report,
	.source = "",
};

static const char *const modes[] = { "--mode=step", "--mode=free" };

static enum run_end prun(const char *args, int mode, struct run_result *res,
			 struct tlog *log)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s %s", args, modes[mode]);
	return trun(&prim_lesson, buf, res, log);
}

START_TEST(test_unlock_not_owner)
{
	struct run_result res;
	struct tlog log = { 0 };
	/* Step mode: T1 holds a, T2 unlocks it. Free: whoever is first. */
	const char *args = _i == 0 ? "--variant=unlock-other --schedule=1,2"
				   : "--variant=unlock-other";
	ck_assert_int_eq(prun(args, _i, &res, &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "t2_0"), EPERM);
	ck_assert_int_eq(run_figure(&res, "flag"), 1);
	ck_assert_int_eq(tlog_count(&log, OP_UNLOCK, EV_MISUSE), 1);
	if (_i == 0)
		ck_assert_ptr_nonnull(strstr(log.text, "T2 unlocked mutex a, "
						       "but T1 holds it"));
	tlog_free(&log);
}
END_TEST

START_TEST(test_errorcheck_relock)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(prun("--variant=errorcheck --threads=1", _i, &res,
			      &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "t1_0"), 0);
	ck_assert_int_eq(run_figure(&res, "t1_1"), EDEADLK);
	ck_assert_int_eq(run_figure(&res, "t1_2"), 0);
	ck_assert_int_eq(tlog_count(&log, OP_LOCK, EV_MISUSE), 1);
	tlog_free(&log);
}
END_TEST

START_TEST(test_recursive)
{
	struct run_result res;
	for (int seed = 1; seed <= 20; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=recursive --threads=3%s",
			 _i == 0 ? (seed % 2 ? " --seed=5" : " --seed=6") : "");
		ck_assert_int_eq(prun(args, _i, &res, NULL), RUN_DONE);
		ck_assert_int_eq(run_figure(&res, "flag"), 3);
		for (int k = 0; k < 4; k++)
			ck_assert_int_eq(res.figures[k].value, 0);
	}
}
END_TEST

START_TEST(test_self_deadlock)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(prun("--variant=self-deadlock --threads=1", 0, &res,
			      &log), RUN_DEADLOCK);
	ck_assert_int_eq(tlog_count(&log, OP_DEADLOCK, 0), 1);
	ck_assert_uint_eq(log.ev[log.n - 1].ready, 0);
	tlog_free(&log);
}
END_TEST

/* Free mode: real threads that deadlock are found out, not waited on. */
START_TEST(test_free_deadlock)
{
	struct run_result res;
	ck_assert_int_eq(prun("--variant=self-deadlock --threads=1", 1, &res,
			      NULL), RUN_DEADLOCK);
	ck_assert_int_eq(prun("--variant=self-deadlock --threads=3", 1, &res,
			      NULL), RUN_DEADLOCK);
	/* a correct run with long waits is not one */
	ck_assert_int_eq(prun("--variant=handoff", 1, &res, NULL), RUN_DONE);
}
END_TEST

START_TEST(test_abba_deadlock)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(prun("--variant=ab-ba --schedule=1,2", 0, &res, &log),
			 RUN_DEADLOCK);
	const struct event *d = &log.ev[log.n - 1];
	ck_assert_int_eq(d->op, OP_DEADLOCK);
	tlog_free(&log);
	/* Run one thread through first: no deadlock. */
	ck_assert_int_eq(prun("--variant=ab-ba --schedule=1,1,1,1", 0, &res,
			      NULL), RUN_DONE);
}
END_TEST

/* The plain output names each wait of a deadlock. */
START_TEST(test_deadlock_text)
{
	struct cli c;
	ck_assert_int_eq(tcli(&prim_lesson, "--variant=ab-ba --schedule=1,2",
			      &c), CLI_RUN);
	struct sched s;
	run_begin(&c.cfg, NULL, NULL, &s);
	sched_step(1);
	sched_step(2);
	int ids[RT_MAX_THREADS];
	ck_assert_int_eq(sched_eligible(ids), 0);
	char why[160];
	ck_assert_str_eq(sched_why(&rt.threads[1], why, sizeof(why)),
			 "waits for mutex b, held by T2");
	ck_assert_str_eq(sched_why(&rt.threads[2], why, sizeof(why)),
			 "waits for mutex a, held by T1");
	struct run_result res;
	run_finish(RUN_DEADLOCK, &res);
	cli_free(&c);
}
END_TEST

START_TEST(test_sem_handoff)
{
	struct run_result res;
	for (int seed = 1; seed <= 50; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=handoff%s",
			 _i == 0 ? " --seed=" : "");
		if (_i == 0)
			snprintf(args + strlen(args), 8, "%d", seed);
		ck_assert_int_eq(prun(args, _i, &res, NULL), RUN_DONE);
		/* T1 can store only after T2's store and post. */
		ck_assert_int_eq(run_figure(&res, "flag"), 1);
	}
}
END_TEST

START_TEST(test_sem_blocked_in_schedule)
{
	char err[256];
	struct cli c;
	ck_assert_int_eq(tcli(&prim_lesson, "--variant=handoff --schedule=1",
			      &c), CLI_RUN);
	ck_assert(!run_check_schedule(&c.cfg, err, sizeof(err)));
	ck_assert_str_eq(err, "--schedule: position 1 names thread 1, which "
			      "waits for semaphore s (count 0)");
	cli_free(&c);
}
END_TEST

START_TEST(test_bounded_refuses)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(prun("--variant=bounded --threads=1", _i, &res, &log),
			 RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "t1_0"), EOVERFLOW);
	ck_assert_int_eq(tlog_count(&log, OP_SEM_POST, EV_MISUSE), 1);
	ck_assert_ptr_nonnull(strstr(log.text, "gave back a permit of s that it "
					  "does not hold: refused"));
	tlog_free(&log);
	/* A plain semaphore silently grows. */
	ck_assert_int_eq(prun("--variant=plain-over --threads=1", _i, &res,
			      &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "t1_0"), 0);
	ck_assert_int_eq(tlog_count(&log, OP_SEM_POST, EV_MISUSE), 0);
	ck_assert_int_eq(log.ev[1].a, 2);
	tlog_free(&log);
}
END_TEST

START_TEST(test_cond)
{
	struct run_result res;
	for (int seed = 1; seed <= 100; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=cond --threads=4");
		if (_i == 0)
			snprintf(args + strlen(args), 24, " --seed=%d", seed);
		ck_assert_int_eq(prun(args, _i, &res, NULL), RUN_DONE);
		for (int t = 2; t <= 2; t++) /* every waiter got through */
			ck_assert_int_eq(run_figure(&res, "t2_0"), 1);
		if (_i == 1 && seed > 10)
			break;
	}
}
END_TEST

/* A waiter: wait releases the mutex, the wake is a step of its own. */
START_TEST(test_cond_steps)
{
	struct run_result res;
	struct tlog log = { 0 };
	/* T2 locks, loads 0, waits; T1 locks, stores, wakes, unlocks; T2. */
	ck_assert_int_eq(prun("--variant=cond --schedule=2,2,2,1,1,1,1,2,2,2",
			      0, &res, &log), RUN_DONE);
	ck_assert_int_eq(tlog_count(&log, OP_COND_WAIT, 0), 1);
	ck_assert_int_eq(tlog_count(&log, OP_COND_WAKE, EV_STEP), 1);
	ck_assert_ptr_nonnull(strstr(log.text, "c (wakes 1)"));
	ck_assert_ptr_nonnull(strstr(log.text, "c (releases a)"));
	tlog_free(&log);
}
END_TEST

START_TEST(test_cond_without_mutex)
{
	struct run_result res;
	struct tlog log = { 0 };
	ck_assert_int_eq(prun("--variant=cond-nolock --threads=1", _i, &res,
			      &log), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "t1_0"), EPERM);
	ck_assert_int_eq(tlog_count(&log, OP_COND_WAIT, EV_MISUSE), 1);
	tlog_free(&log);
}
END_TEST

START_TEST(test_barrier)
{
	struct run_result res;
	static const char *const shapes[] = { "--threads=2 --rounds=1",
					      "--threads=3 --rounds=4",
					      "--threads=5 --rounds=3" };
	int seeds = _i == 0 ? 60 : (tslow() ? 3 : 20);
	for (int k = 0; k < 3; k++)
		for (int seed = 1; seed <= seeds; seed++) {
			char args[128];
			snprintf(args, sizeof(args), "--variant=barrier %s",
				 shapes[k]);
			if (_i == 0)
				snprintf(args + strlen(args), 24, " --seed=%d",
					 seed);
			ck_assert_int_eq(prun(args, _i, &res, NULL), RUN_DONE);
			long n = k == 0 ? 2 : k == 1 ? 3 : 5;
			long rounds = k == 0 ? 1 : k == 1 ? 4 : 3;
			ck_assert_int_eq(run_figure(&res, "early"), 0);
			ck_assert_int_eq(run_figure(&res, "actions"),
					 2 * rounds);
			ck_assert_int_eq(run_figure(&res, "flag"), n * rounds);
		}
}
END_TEST

START_TEST(test_late_misuse_counted)
{
	struct run_result res;
	ck_assert_int_eq(prun("--variant=late-misuse --threads=1", _i, &res,
			      NULL), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "t1_0"), EPERM);
	ck_assert_int_eq(res.misuses, 1);
}
END_TEST

START_TEST(test_cross_window)
{
	struct run_result res;
	ck_assert_int_eq(prun("--variant=cross-window --threads=3", _i, &res,
			      NULL), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "flag"), 3 * RT_RING / 2);
	for (int k = 0; k < 8; k++)
		ck_assert_int_eq(res.figures[k].value, 0);
	ck_assert_int_eq(res.misuses, 0);
	/* every operation counted, kept or not: 5 a round, start and exit */
	ck_assert_uint_eq(res.steps, _i == 0 ? 3 * 5 * RT_RING / 2
					     : 3 * (5 * RT_RING / 2 + 2));
}
END_TEST

/* A peak nobody asked to keep is a mistake in the lesson: say so, exit 1. */
START_TEST(test_peak_unkept)
{
	struct run_result res;
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr)); /* expected */
	prun("--variant=peak-unkept --threads=1", _i, &res, NULL);
}
END_TEST

Suite *prim_suite(void)
{
	Suite *s = suite_create("prim");
	TCase *tc = tcase_create("prim");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_unlock_not_owner, 0, 2);
	tcase_add_loop_test(tc, test_errorcheck_relock, 0, 2);
	tcase_add_loop_test(tc, test_recursive, 0, 2);
	tcase_add_test(tc, test_self_deadlock);
	tcase_add_test(tc, test_abba_deadlock);
	tcase_add_test(tc, test_free_deadlock);
	tcase_add_test(tc, test_deadlock_text);
	tcase_add_loop_test(tc, test_sem_handoff, 0, 2);
	tcase_add_test(tc, test_sem_blocked_in_schedule);
	tcase_add_loop_test(tc, test_bounded_refuses, 0, 2);
	tcase_add_loop_test(tc, test_cond, 0, 2);
	tcase_add_test(tc, test_cond_steps);
	tcase_add_loop_test(tc, test_cond_without_mutex, 0, 2);
	tcase_add_loop_test(tc, test_barrier, 0, 2);
	tcase_add_loop_test(tc, test_late_misuse_counted, 0, 2);
	tcase_add_loop_test(tc, test_cross_window, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("prim-exit");
	tcase_set_tags(tc, "exits"); /* needs fork mode: not valgrind's run */
	tcase_add_loop_exit_test(tc, test_peak_unkept, 1, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
