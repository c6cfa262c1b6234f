/*
 * test_shm.c: named shared memory (common/shm.c) and the shm lesson: the
 * invariant over many seeds, each broken variant's failure, misuse
 * refused and narrated, names checked, determinism, free mode at scale,
 * bad input, the viewer's grid, and no process and no segment left over
 * however a run ends.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model.h"
#include "shm.h"
#include "testutil.h"
#include "tmux.h"

/* Segments in /dev/shm that runtime pid made (0: any run's). */
static int tsegments(pid_t pid)
{
	char prefix[64];
	int n = 0;
	if (pid)
		snprintf(prefix, sizeof(prefix), "interleave.%d.", (int)pid);
	else
		snprintf(prefix, sizeof(prefix), "interleave.");
	DIR *d = opendir("/dev/shm");
	ck_assert(d);
	for (struct dirent *e; (e = readdir(d));)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* --- the lesson --- */

/* correct: every worker attaches, no row is ever torn, nothing left,
 * over many seeds and shapes. */
START_TEST(test_correct_holds)
{
	struct run_result res;
	for (int seed = 0; seed < 30; seed++) {
		char args[160];
		snprintf(args, sizeof(args), "--seed=%d --workers=%d --rows=%d "
			 "--cols=%d --rounds=%d%s", seed, 1 + seed % 3,
			 1 + seed % 2, 2 + seed % 3, 1 + seed % 2,
			 seed % 4 == 0 ? " --policy=rr --quantum=2" : "");
		ck_assert_int_eq(trun(&shm_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "torn"), 0);
		ck_assert_int_eq(run_figure(&res, "left"), 0);
	}
	ck_assert_int_eq(tsegments(getpid()), 0);
}
END_TEST

/* unlocked breaks under some seeds, and each break is a torn row that
 * was narrated; early-attach refuses the attach, named as such. */
START_TEST(test_broken_narrated)
{
	struct run_result res;
	int broke = 0;
	for (int seed = 0; seed < 20; seed++) {
		char args[96];
		snprintf(args, sizeof(args), "--variant=unlocked --seed=%d",
			 seed);
		struct tlog log = { 0 };
		trun(&shm_lesson, args, &res, &log);
		long torn = run_figure(&res, "torn");
		ck_assert_int_eq(tlog_count(&log, OP_NOTE, 0), torn);
		if (torn)
			ck_assert_ptr_nonnull(strstr(log.text, "torn: its "
						     "first cell is from P"));
		broke += !res.invariant;
		tlog_free(&log);
	}
	ck_assert_int_ge(broke, 1);
	struct tlog log = { 0 };
	trun(&shm_lesson, "--variant=early-attach --schedule=1,1,3",
	     &res, &log);
	ck_assert_ptr_nonnull(strstr(log.text, "no segment has that name "
				     "(not created yet, or unlinked)"));
	ck_assert(!res.invariant);
	tlog_free(&log);
	trun(&shm_lesson, "--variant=early-attach --schedule=1,1,1,2,3",
	     &res, &log);
	ck_assert_ptr_nonnull(strstr(log.text, "before its creator sized "
				     "it (0 bytes): refused with EINVAL"));
	tlog_free(&log);
}
END_TEST

/* forget-unlink: the segment is still in /dev/shm when the run is over
 * (left=1), and the runtime then removes it and says so. */
START_TEST(test_forget_unlink)
{
	char *out, *err;
	int rc = texec("shm", "--quiet --variant=forget-unlink", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(out, "invariant=broken"));
	ck_assert_ptr_nonnull(strstr(out, " left=1"));
	ck_assert_str_eq(err, "interleave: segment /matrix was never "
		      "unlinked; removed\n");
	free(out);
	free(err);
	/* pct counts a run's steps with a run of its own first: that one
	 * says nothing */
	rc = texec("shm", "--quiet --variant=forget-unlink --policy=pct "
		   "--seed=7", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(err, "interleave: segment /matrix was never "
		      "unlinked; removed\n");
	free(out);
	free(err);
	rc = texec("shm", "--quiet", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(err, ""); /* unlinked by the lesson: nothing said */
	free(out);
	free(err);
	/* free mode too: the segment is still there for report() to see */
	rc = texec("shm", "--quiet --mode=free --workers=2 "
		   "--variant=forget-unlink", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(out, "invariant=broken") && strstr(out, " left=1"),
		      "%s", out);
	ck_assert_str_eq(err, "interleave: segment /matrix was never "
		      "unlinked; removed\n");
	free(out);
	free(err);
}
END_TEST

/* The last process to end narrates a name nobody unlinked; a close,
 * which is no mistake before the unlink, says nothing. */
START_TEST(test_forget_unlink_narrated)
{
	char *out, *err;
	int rc = texec("shm", "--plain --variant=forget-unlink", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(out, "exit  ! P1, the last process, ends, and "
			      "nobody unlinked segment /matrix"), "%s", out);
	free(out);
	free(err);
	rc = texec("shm", "--plain", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(!strstr(out, "  ! "), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* Misuse by hand: a load after close is refused (EBADF), a second
 * unlink too; each is narrated. */
static struct shm *tm;

static void tmisuser(long unused)
{
	(void)unused;
	shm_attach(tm);			/* ENOENT: not made yet */
	shm_create(tm);
	shm_size(tm);
	shm_store(tm, 0, 1, 7);
	ck_assert_int_eq(shm_load(tm, 0, 1), 7);
	shm_close(tm);
	shm_load(tm, 0, 1);		/* EBADF: closed */
	shm_close(tm);			/* EBADF: twice */
	shm_create(tm);			/* EEXIST */
	shm_unlink(tm);
	shm_unlink(tm);			/* ENOENT: twice */
}

static void tmisuse_setup(void)
{
	tm = shm_new("/m", 1, 2);
	process_new("misuser", tmisuser, 0);
}

static bool tmisuse_report(void)
{
	return !shm_left(tm);
}

static const struct lesson_variant tone_variant[] = {
	{ "only", "misuse", NULL }, { NULL, NULL, NULL },
};
static const struct lesson_option tno_options[] = { LESSON_END };

static const struct lesson tmisuse_lesson = {
	.name = "shm-misuse", .summary = "misuse", .variants = tone_variant,
	.options = tno_options, .setup = tmisuse_setup,
	.report = tmisuse_report, .source = "", .processes = true,
};

START_TEST(test_misuse)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&tmisuse_lesson, _i ? "--mode=free" : "", &res, &log);
	ck_assert(res.invariant);
	ck_assert_int_eq(res.misuses, 5);
	ck_assert_int_eq(tlog_count(&log, OP_SHM_LOAD, EV_MISUSE), 1);
	ck_assert_ptr_nonnull(strstr(log.text, "used segment /m without a "
				     "mapping (never attached, or closed)"));
	ck_assert_ptr_nonnull(strstr(log.text, "which exists already: "
				     "refused with EEXIST"));
	ck_assert_ptr_nonnull(strstr(log.text, "which is not there (any "
				     "more): refused with ENOENT"));
	tlog_free(&log);
	ck_assert_int_eq(tsegments(getpid()), 0);
}
END_TEST

START_TEST(test_names)
{
	char err[128], big[64];
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[SHM_NAME_MAX] = '\0';
	ck_assert(shm_name_check("/matrix", err, sizeof(err)));
	ck_assert(!shm_name_check("", err, sizeof(err)));
	ck_assert_str_eq(err, "a segment's name is empty");
	ck_assert(!shm_name_check("/a/b", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "has a '/' inside"));
	ck_assert(!shm_name_check("matrix", err, sizeof(err)));
	ck_assert(!shm_name_check("/", err, sizeof(err)));
	ck_assert(!shm_name_check(big, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "characters: at most 31"));
	big[SHM_NAME_MAX - 1] = '\0';
	ck_assert(shm_name_check(big, err, sizeof(err)));
}
END_TEST

START_TEST(test_step_deterministic)
{
	static const char *const runs[] = {
		"--plain --seed=5 --workers=3",
		"--plain --variant=unlocked --seed=3",
	};
	tsame_output("shm", runs[_i], 10);
}
END_TEST

/* Free mode at scale: correct never tears a row; unlocked does, in
 * most runs on two cores. */
START_TEST(test_free_scale)
{
	struct run_result res;
	int runs = tslow() ? 2 : 5, broke = 0;
	for (int i = 0; i < runs; i++) {
		trun(&shm_lesson, _i ? "--mode=free --variant=unlocked"
				     : "--mode=free", &res, NULL);
		ck_assert_int_eq(run_figure(&res, "attached"), 4);
		ck_assert_int_eq(run_figure(&res, "left"), 0);
		if (!_i)
			ck_assert_msg(res.invariant, "correct broke in free "
				      "mode: torn=%ld",
				      run_figure(&res, "torn"));
		broke += !res.invariant;
	}
	if (_i)
		ck_assert_int_ge(broke, runs - 1);
	ck_assert_int_eq(tsegments(getpid()), 0);
}
END_TEST

START_TEST(test_bad_input)
{
	tbad_input("shm", "--workers=0");
	tbad_input("shm", "--workers=17");
	tbad_input("shm", "--rows=9");
	tbad_input("shm", "--cols=0");
	tbad_input("shm", "--rounds=0");
	tbad_input("shm", "--variant=locked");
	/* names: empty, not from the root, a slash inside, too long */
	tbad_input("shm", "--segment=");
	tbad_input("shm", "--segment=matrix");
	tbad_input("shm", "--segment=/a/b");
	tbad_input("shm", "--segment=/");
	tbad_input("shm", "--segment=/abcdefghijklmnopqrstuvwxyz01234");
	tbad_input("shm", "--segment=/abcdefghijklmnopqrstuvwxyz0123456789"
		   "abcdefghijklmnopqrstuvwxyz");
	tbad_input("shm", "--segment=/.");
	tbad_input("shm", "--segment=/..");
	char *out, *err;
	int rc = texec("shm", "--segment=/a/b", &out, &err);
	trefused("shm", "--segment=/a/b", rc, out, err, "has a '/' inside");
	/* longer than any text option: still the name's own limit */
	char name[80] = "--segment=/";
	memset(name + 11, 'a', 60);
	rc = texec("shm", name, &out, &err);
	trefused("shm", name, rc, out, err, " is 61 characters: at most 31");
	/* a space, a newline, a tab: one line of error, no echo of them */
	static const char *const odd[] = { "--segment=/a b", "--segment=/x\ny",
					   "--segment=/\tx" };
	for (int i = 0; i < 3; i++) {
		const char *args[] = { odd[i], NULL };
		rc = texecv("shm", args, &out, &err);
		trefused("shm", odd[i], rc, out, err, "a segment's name has a "
			 "space or a character that does not print");
	}
}
END_TEST

/* The name on the command line is the one every event and the runtime's
 * notice show; the real one is the run's own. */
START_TEST(test_segment_name)
{
	char *out, *err;
	int rc = texec("shm", "--plain --segment=/grid "
		       "--variant=forget-unlink", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(out, "shm-create /grid "));
	ck_assert_ptr_null(strstr(out, "/matrix"));
	ck_assert_str_eq(err, "interleave: segment /grid was never "
			 "unlinked; removed\n");
	free(out);
	free(err);
}
END_TEST

/* The viewer's picture: the model knows each cell's value and writer. */
START_TEST(test_model_grid)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&shm_lesson, "--seed=2", &res, &log);
	struct cli c;
	ck_assert_int_eq(tcli(&shm_lesson, "--seed=2", &c), CLI_RUN);
	struct sched s;
	run_begin(&c.cfg, NULL, NULL, &s);
	static struct model m;
	model_init(&m, true);
	int seg = -1;
	for (int i = 0; i < m.nobjs; i++)
		if (m.objs[i].kind == OBJ_SHM)
			seg = i;
	ck_assert_int_ge(seg, 0);
	ck_assert_int_eq(m.objs[seg].rows, 2);
	ck_assert_int_eq(m.objs[seg].cols, 3);
	bool sized = false;
	for (size_t i = 0; i < log.n; i++) {
		model_apply(&m, &log.ev[i], &rt_names);
		if (log.ev[i].op == OP_SHM_SIZE)
			sized = m.objs[seg].value == MSHM_SIZED &&
				m.objs[seg].ends[0] == 2; /* P2 maps it */
	}
	ck_assert(sized);
	ck_assert_int_eq(m.objs[seg].value, MSHM_UNLINKED);
	ck_assert_int_eq(m.objs[seg].ends[0], 0);
	/* the last writes: a worker's stamp in every cell, and its P */
	for (int k = 0; k < 6; k++) {
		int w = m.objs[seg].cellw[k];
		ck_assert(w == 3 || w == 4);
		ck_assert_int_eq(m.objs[seg].cells[k], 100 * (w - 2) + 1);
	}
	run_finish(RUN_DONE, &res);
	cli_free(&c);
	tlog_free(&log);
}
END_TEST

/* The real viewer on 80 x 24: the grid with its writers; quitting
 * mid-run removes the segment and says so once the screen is gone. */
START_TEST(test_view_grid)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "shm", "--variant=forget-unlink "
			  "--seed=1");
	SEE(&t, "shm /matrix: no name yet");
	tmux_keys(&t, "n n n n n");
	SEE(&t, "0:    0 P2");
	pid_t pid = tmux_lesson_pid(&t);
	ck_assert_int_eq(tsegments(pid), 1);
	SEE(&t, "paused step 5");
	tmux_keys(&t, "b"); /* back: a re-run from the start, to step 4 */
	SEE(&t, "paused step 4");
	SEE(&t, "0:    0 P2");
	ck_assert_int_eq(tsegments(pid), 1);
	tmux_keys(&t, "q");
	SEE(&t, "segment /matrix removed: the run ended before anyone "
	    "unlinked it");
	SEE(&t, "EXIT=0");
	ck_assert_int_eq(tsegments(pid), 0);
	tmux_stop(&t);
}
END_TEST

/* Every interleaving with one preemption: unlocked can tear a row,
 * correct never does, and no run of the thousands leaves a segment or a
 * word on stderr. */
START_TEST(test_explore)
{
	static const char *const runs[] = {
		"--explore --variant=unlocked --rows=1 --cols=2 --bound=1 --quiet",
		"--explore --rows=1 --cols=2 --bound=1 --quiet",
		"--explore --variant=forget-unlink --workers=1 --quiet",
	};
	/* correct: none of the runs within the bound breaks (the bound
	 * leaves the verdict "unknown": every schedule takes 30 s) */
	free(texplore_says("shm", runs[_i],
			   _i == 1 ? " executions=" : "invariant=can-break",
			   _i == 1 ? "invariant=can-break" : NULL));
}
END_TEST

/* --- nothing left over --- */

/* However a run ends, no process and no segment of it is left.  The
 * manual runs stop for input once P2 has made and sized the segment. */
#define MADE "--policy=manual", "--schedule=1,2,2"

START_TEST(test_no_leaks)
{
	static const struct tend ends[] = {
		{ { "shm", "--quiet", "--variant=forget-unlink", NULL }, 0, 0 },
		{ { "shm", "--quiet", "--max-steps=5", NULL }, 0, 0 },
		{ { "shm", "--quiet", "--variant=early-attach",
		    "--schedule=1,1,1,2", NULL }, 0, 0 },
		{ { "shm", "--plain", MADE, NULL }, SIGINT, 2 },
		{ { "shm", "--plain", MADE, NULL }, SIGTERM, 2 },
		{ { "shm", "--plain", MADE, NULL }, SIGHUP, 2 },
		{ { "shm", "--plain", MADE, NULL }, -1, 2 },
		{ { "shm", "--mode=free", "--quiet", "--rounds=1000000",
		    NULL }, SIGINT, 4 },
		{ { "shm", "--mode=free", "--quiet", "--rounds=1000000",
		    "--variant=unlocked", NULL }, SIGTERM, 4 },
	};
	/* 100 ms: the segment is made by then */
	tno_leak(&ends[_i], _i, 100);
}
END_TEST

/* A child that crashes mid-run (the runtime exits 1), or a process that
 * locks a lock it holds (a deadlock): either way, the segment it had made
 * is gone, and the runtime said so. */
static struct shm *tc_seg;
static struct mutex *tc_lock;

static void tstuck(long crash)
{
	shm_create(tc_seg);
	shm_size(tc_seg);
	if (crash)
		raise(SIGKILL);
	mutex_lock(tc_lock);
	mutex_lock(tc_lock); /* its own: for ever */
}

static void tstuck_setup(void)
{
	tc_seg = shm_new("/stuck", 1, 1);
	tc_lock = mutex_new("lock", MUTEX_NORMAL);
	process_new("stuck", tstuck, lesson_variant() == 0);
}

static bool tstuck_report(void)
{
	return true;
}

static const struct lesson_variant tstuck_variants[] = {
	{ "crash", "", NULL }, { "deadlock", "", NULL }, { NULL, NULL, NULL },
};

static const struct lesson tstuck_lesson = {
	.name = "shm-stuck", .summary = "stuck", .variants = tstuck_variants,
	.options = tno_options, .setup = tstuck_setup,
	.report = tstuck_report, .source = "", .processes = true,
};

START_TEST(test_crash_deadlock)
{
	static const char *const runs[] = {
		"--variant=crash", "--variant=crash --mode=free",
		"--variant=deadlock", "--variant=deadlock --mode=free",
	};
	FILE *err = tmpfile();
	ck_assert(err);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fileno(err), 2);
		struct run_result res;
		enum run_end end = trun(&tstuck_lesson, runs[_i], &res, NULL);
		_exit(end == RUN_DEADLOCK ? 0 : 3); /* a crash exits 1 */
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), _i < 2 ? 1 : 0);
	ck_assert_int_eq(tsegments(pid), 0);
	char text[512] = "";
	rewind(err);
	text[fread(text, 1, sizeof(text) - 1, err)] = '\0';
	fclose(err);
	if (_i < 2)
		ck_assert_ptr_nonnull(strstr(text, "crashed or was killed"));
	ck_assert_msg(strstr(text, "interleave: segment /stuck removed: the "
			     "run ended before anyone unlinked it\n"), "%s",
		      text);
}
END_TEST

Suite *shm_suite(void)
{
	Suite *s = suite_create("shm");
	TCase *tc = tcase_create("shm");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_correct_holds);
	tcase_add_test(tc, test_broken_narrated);
	tcase_add_test(tc, test_forget_unlink);
	tcase_add_test(tc, test_forget_unlink_narrated);
	tcase_add_loop_test(tc, test_misuse, 0, 2);
	tcase_add_test(tc, test_names);
	tcase_add_loop_test(tc, test_step_deterministic, 0, 2);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_segment_name);
	tcase_add_loop_test(tc, test_explore, 0, 3);
	tcase_add_test(tc, test_model_grid);
	tcase_add_loop_test(tc, test_no_leaks, 0, 9);
	tcase_add_loop_test(tc, test_crash_deadlock, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_create("shm-view");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_view_grid);
	/* a failed check must not leave its tmux server and viewer */
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	suite_add_tcase(s, tc);
	tc = tcase_create("shm-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_free_scale, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
