/*
 * test_proc.c: processes: the runtime's fork, join and baton, the fork and
 * shmrace lessons, and that no process outlives its run, however it ends.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* --- the lessons --- */

/* lock and atomic hold over many seeds, teller counts and lengths. */
START_TEST(test_shmrace_fixes_hold)
{
	static const char *const variants[] = { "lock", "atomic" };
	struct run_result res;
	for (int seed = 0; seed < (tslow() ? 8 : 60); seed++) {
		char args[128];
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--processes=%d --iterations=%d", variants[_i], seed,
			 1 + seed % 4, 1 + seed % 3);
		ck_assert_int_eq(trun(&shmrace_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "lost_updates"), 0);
	}
}
END_TEST

/* unsafe: processes lose updates, and the lost ones explain the balance. */
START_TEST(test_shmrace_unsafe_loses)
{
	struct run_result res;
	int broken = 0, seeds = tslow() ? 12 : 60;
	for (int seed = 0; seed < seeds; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--seed=%d --iterations=4", seed);
		ck_assert_int_eq(trun(&shmrace_lesson, args, &res, NULL),
				 RUN_DONE);
		long diff = run_figure(&res, "balance") -
			    run_figure(&res, "expected");
		ck_assert_int_le(labs(diff), run_figure(&res, "lost_updates"));
		broken += !res.invariant;
	}
	ck_assert_int_gt(broken, seeds / 6);
}
END_TEST

/* fork: the child's writes reach the parent only through shared memory;
 * read before the join, it depends on the schedule. */
START_TEST(test_fork_memory)
{
	struct run_result res;
	int early = 0, late = 0;
	for (int seed = 0; seed < (tslow() ? 12 : 40); seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=private --seed=%d",
			 seed);
		trun(&fork_lesson, args, &res, NULL);
		ck_assert_int_eq(run_figure(&res, "printed"), 0);
		snprintf(args, sizeof(args), "--variant=shared --seed=%d "
			 "--numbers=%d", seed, 1 + seed % 5);
		trun(&fork_lesson, args, &res, NULL);
		ck_assert_msg(res.invariant, "%s", args);
		snprintf(args, sizeof(args), "--variant=no-join --seed=%d "
			 "--numbers=1", seed);
		trun(&fork_lesson, args, &res, NULL);
		early += !res.invariant;
		late += res.invariant;
	}
	ck_assert_int_gt(early, 0);
	ck_assert_int_gt(late, 0);
}
END_TEST

/* The private variant says why the parent sees nothing. */
START_TEST(test_fork_narrates_copies)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&fork_lesson, "--variant=private --policy=rr", &res, &log);
	ck_assert_msg(strstr(log.text, "P1 read its own copy of square_sum: "
			     "0; P2's copy holds 30"), "%s", log.text);
	ck_assert_msg(strstr(log.text, "P1 main        fork       "
			     "P2 square_list"), "%s", log.text);
	ck_assert_msg(strstr(log.text, "join       P2 (exit status 0)"),
		      "%s", log.text);
	tlog_free(&log);
}
END_TEST

/* Same arguments, same log, byte for byte, across real processes. */
START_TEST(test_step_deterministic)
{
	static const char *const runs[] = {
		"shmrace --plain --seed=7 --processes=3",
		"fork --plain --variant=no-join --seed=3",
	};
	char lesson[16], args[96];
	sscanf(runs[_i], "%15s %95[^\n]", lesson, args);
	tsame_output(lesson, args, 20);
}
END_TEST

/* Free mode: real processes, real shared memory, the fixes hold. */
START_TEST(test_free_fixes_hold)
{
	static const char *const variants[] = { "lock", "atomic" };
	char args[128];
	snprintf(args, sizeof(args), "--mode=free --variant=%s --processes=4 "
		 "--iterations=%d", variants[_i], tslow() ? 2000 : 20000);
	struct run_result res;
	ck_assert_int_eq(trun(&shmrace_lesson, args, &res, NULL), RUN_DONE);
	ck_assert_msg(res.invariant, "%s", args);
	ck_assert_int_eq(run_figure(&res, "balance"), 100);
}
END_TEST

/* Free mode: the merged events put each fork before its child's start
 * and each child's exit before the join that waits for it. */
START_TEST(test_free_order)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&fork_lesson, "--mode=free --variant=shared", &res, &log);
	ck_assert(res.invariant);
	size_t fork = 0, start = 0, exit2 = 0, join = 0;
	for (size_t i = 0; i < log.n; i++) {
		const struct event *e = &log.ev[i];
		if (e->op == OP_FORK)
			fork = i + 1;
		if (e->op == OP_START && e->thread == 2)
			start = i + 1;
		if (e->op == OP_EXIT && e->thread == 2)
			exit2 = i + 1;
		if (e->op == OP_JOIN)
			join = i + 1;
	}
	ck_assert(fork && fork < start && start < exit2 && exit2 < join);
	tlog_free(&log);
}
END_TEST

START_TEST(test_bad_input)
{
	tbad_input("shmrace", "--processes=0");
	tbad_input("shmrace", "--processes=33");
	tbad_input("fork", "--numbers=17");
	tbad_input("fork", "--variant=thread");
	char *out, *err;
	int rc = texec("shmrace", "--plain --schedule=1,4", &out, &err);
	trefused("shmrace", "--schedule=1,4", rc, out, err,
		 "position 2 names process 4, but the processes are 1 to 2");
}
END_TEST

/* --- a lesson of the tests' own: a deadlock across processes --- */

static struct mutex *dead_m;

static void dead_child(long arg)
{
	(void)arg;
	mutex_lock(dead_m); /* held by P1, which waits for us */
	mutex_unlock(dead_m);
}

static void dead_parent(long arg)
{
	(void)arg;
	mutex_lock(dead_m);
	int c = proc_fork("child", dead_child, 0);
	proc_join(c);
	mutex_unlock(dead_m);
}

static void dead_setup(void)
{
	dead_m = mutex_new("m", MUTEX_NORMAL);
	process_new("parent", dead_parent, 0);
}

static bool dead_report(void)
{
	return true;
}

static const struct lesson_variant dead_variants[] = {
	{ "only", "P1 holds m and waits for P2, which waits for m", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson dead_lesson = {
	.name = "procdead",
	.summary = "a deadlock between a parent and its child",
	.variants = dead_variants,
	.setup = dead_setup,
	.report = dead_report,
	.source = "",
	.processes = true,
};

/* Step mode: the deadlock is found and each process's wait named, as
 * --plain prints it. */
START_TEST(test_deadlock_step)
{
	struct cli c;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct run_result res;
	ck_assert_int_eq(tcli(&dead_lesson, "", &c), CLI_RUN);
	ck_assert_int_eq(run_lesson(&c.cfg, run_plain_sink, out, NULL, NULL,
				    &res), RUN_DEADLOCK);
	cli_free(&c);
	fclose(out);
	ck_assert_msg(strstr(text, "deadlock: every live process is blocked; "
			     "P1 waits for P2 to exit; P2 waits for mutex m, "
			     "held by P1"), "%s", text);
	free(text);
}
END_TEST

/* Free mode: the deadlock watch sees it and the processes are ended. */
START_TEST(test_deadlock_free)
{
	struct run_result res;
	ck_assert_int_eq(trun(&dead_lesson, "--mode=free", &res, NULL),
			 RUN_DEADLOCK);
}
END_TEST

/* --- a child that dies in the middle of its run --- */

static struct var *crash_v;

static void crash_child(long arg)
{
	(void)arg;
	var_store(crash_v, 1);
	raise(SIGKILL); /* as a crash would, mid-step */
	var_store(crash_v, 2);
}

static void crash_parent(long arg)
{
	(void)arg;
	proc_join(proc_fork("child", crash_child, 0));
}

static void crash_setup(void)
{
	crash_v = var_new("v", 0);
	process_new("parent", crash_parent, 0);
}

static const struct lesson crash_lesson = {
	.name = "proccrash",
	.summary = "a child that dies before it is done",
	.variants = dead_variants,
	.setup = crash_setup,
	.report = dead_report,
	.source = "",
	.processes = true,
};

/* Reported as a failure of the run (exit 1, and why), in either mode:
 * not a hang. */
START_TEST(test_child_crash)
{
	static const char *const want[] = {
		"interleave: P2 (child) ended in the middle of a step: it "
		"crashed or was killed\n",
		"interleave: P2 (child) ended before it finished: it crashed "
		"or was killed\n",
	};
	FILE *err = tmpfile();
	ck_assert(err);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fileno(err), 2);
		struct run_result res;
		trun(&crash_lesson, _i ? "--mode=free" : "", &res, NULL);
		_exit(0); /* not reached: the runtime exits 1 */
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	char text[256] = "";
	rewind(err);
	size_t n = fread(text, 1, sizeof(text) - 1, err);
	text[n] = '\0';
	fclose(err);
	ck_assert_str_eq(text, want[_i]);
}
END_TEST

/* --- no process outlives its run --- */

/*
 * End a run one way or another; afterwards not one of its processes is
 * left.  _i picks the ending.
 */
START_TEST(test_no_leaks)
{
	/* done, a step limit, SIGINT, SIGTERM, SIGHUP, SIGINT in free
	 * mode, the end of input */
	static const struct tend ends[] = {
		{ { "shmrace", "--quiet", NULL }, 0, 0 },
		{ { "shmrace", "--quiet", "--max-steps=4", NULL }, 0, 0 },
		{ { "shmrace", "--plain", "--policy=manual", NULL }, SIGINT, 2 },
		{ { "shmrace", "--plain", "--policy=manual", NULL }, SIGTERM,
		  2 },
		{ { "fork", "--plain", "--policy=manual", NULL }, SIGHUP, 2 },
		{ { "shmrace", "--mode=free", "--quiet",
		    "--iterations=1000000000", NULL }, SIGINT, 4 },
		{ { "shmrace", "--plain", "--policy=manual", NULL }, -1, 2 },
	};
	/* reaped before the runtime exits: gone as soon as it is */
	tno_leak(&ends[_i], _i, 0);
}
END_TEST

Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("proc");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_shmrace_fixes_hold, 0, 2);
	tcase_add_test(tc, test_shmrace_unsafe_loses);
	tcase_add_test(tc, test_fork_memory);
	tcase_add_test(tc, test_fork_narrates_copies);
	tcase_add_loop_test(tc, test_step_deterministic, 0, 2);
	tcase_add_loop_test(tc, test_free_fixes_hold, 0, 2);
	tcase_add_test(tc, test_free_order);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_deadlock_step);
	tcase_add_test(tc, test_deadlock_free);
	suite_add_tcase(s, tc);
	tc = tcase_create("leaks");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_no_leaks, 0, 7);
	tcase_add_loop_test(tc, test_child_crash, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
