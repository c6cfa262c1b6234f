/*
 * test_view.c: the real viewer, driven in a tmux pane of fixed size
 * (tests/tmux.h): keys typed, the screen read, as a person would.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tmux.h"

/* The race lesson in a pane of w x h, then EXIT=status. */
static void tmux_start(struct tmux *t, int w, int h, const char *args)
{
	tmux_start_lesson(t, w, h, "race", args);
}

START_TEST(test_view_columns)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "");
	SEE(&t, "T1 deposit");
	SEE(&t, "T2 withdraw");
	SEE(&t, "balance    = 100");
	GONE(&t, "mutex lock"); /* the unsafe variant has no lock */
	SEE(&t, "timeline");
	SEE(&t, "race  variant unsafe  step mode  policy random seed 1");
	tmux_stop(&t);
}
END_TEST

/* n steps, the balance changes, b goes back to the picture before. */
START_TEST(test_view_step_and_back)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--iterations=1 --schedule=1,2,1,2");
	SEE(&t, "paused step 0");
	tmux_keys(&t, "n n n");
	SEE(&t, "paused step 3");
	SEE(&t, "balance    = 101");
	SEE(&t, "T2 tmp = 100 STALE (read of balance)");
	SEE(&t, "T2 read 100 before T1 wrote 101");
	tmux_keys(&t, "b");
	SEE(&t, "paused step 2");
	SEE(&t, "balance    = 100");
	GONE(&t, "STALE");
	tmux_keys(&t, "Right Right");
	SEE(&t, "Run complete");
	SEE(&t, "balance=99  expected=100  lost_updates=1");
	tmux_keys(&t, "Left");
	SEE(&t, "paused step 3");
	GONE(&t, "Run complete");
	tmux_stop(&t);
}
END_TEST

START_TEST(test_view_refuses_blocked)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--variant=mutex");
	SEE(&t, "T1 deposit");
	tmux_keys(&t, "1");
	SEE(&t, "mutex lock: held by T1; waiting: T2");
	SEE(&t, "blocked on lock");
	tmux_keys(&t, "2");
	SEE(&t, "T2 cannot run: it waits for mutex lock, held by T1");
	SEE(&t, "paused step 1");
	tmux_keys(&t, "9");
	SEE(&t, "there is no T9: threads are 1 to 2");
	tmux_stop(&t);
}
END_TEST

START_TEST(test_view_help)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "");
	SEE(&t, "T1 deposit");
	tmux_keys(&t, "?");
	SEE(&t, "interleave viewer: keys");
	SEE(&t, "one step back");
	tmux_keys(&t, "x");
	GONE(&t, "interleave viewer: keys");
	tmux_stop(&t);
}
END_TEST

START_TEST(test_view_too_small)
{
	struct tmux t = { "" };
	tmux_start(&t, 60, 20, "");
	SEE(&t, "interleave needs at least 80x24;");
	SEE(&t, "this terminal is 60x20.");
	tmux_cmd(&t, "resize-window -t v -x 90 -y 26%s", "");
	SEE(&t, "T1 deposit");
	GONE(&t, "needs at least");
	tmux_stop(&t);
}
END_TEST

START_TEST(test_view_play)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--variant=atomic --iterations=2");
	SEE(&t, "paused step 0");
	tmux_keys(&t, "+ + + + + Space");
	SEE(&t, "Run complete");
	SEE(&t, "paused step 4");
	tmux_keys(&t, "r");
	SEE(&t, "paused step 0");
	tmux_keys(&t, "v");
	SEE(&t, "variant unsafe");
	tmux_stop(&t);
}
END_TEST

START_TEST(test_view_free_mode)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--mode=free --threads=1 --iterations=100");
	SEE(&t, "free mode  replaying a real run");
	SEE(&t, "running");
	tmux_keys(&t, "n n");
	SEE(&t, "paused step 2");
	tmux_keys(&t, "1");
	SEE(&t, "free mode replays a real run");
	tmux_stop(&t);
}
END_TEST

/* Every way out restores the terminal: the viewer's screen is gone. */
START_TEST(test_view_exits)
{
	static const char *const keys[] = { "q", "C-c", NULL };
	static const char *const want[] = { "EXIT=0", "EXIT=130", "EXIT=143" };
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "");
	SEE(&t, "T1 deposit");
	if (keys[_i])
		tmux_keys(&t, keys[_i]);
	else
		ck_assert_int_eq(kill(tmux_lesson_pid(&t), SIGTERM), 0);
	SEE(&t, want[_i]);
	GONE(&t, "timeline");
	tmux_stop(&t);
}
END_TEST

/*
 * A free run in the viewer is real threads that never look up: Ctrl-C,
 * SIGTERM and a hang-up (the terminal going away) still end it, and the
 * process with all its threads, within half a second.  The runs would
 * otherwise go on for minutes.
 */
START_TEST(test_view_free_signals)
{
	static const char *const runs[] = {
		"--mode=free --cost=3000 --jobs=5",
		"--mode=free --threads=64 --iterations=1000000000",
	};
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, _i % 2 ? "race" : "bandwidth",
			  runs[_i % 2]);
	SEE(&t, "on real threads at full speed");
	pid_t pid = tmux_lesson_pid(&t);
	usleep(300000);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (_i < 2)
		tmux_keys(&t, "C-c");
	else if (_i < 4)
		ck_assert_int_eq(kill(pid, SIGTERM), 0);
	else
		tmux_cmd(&t, "kill-server%s", "");
	for (int i = 0; i < 6000 && tmux_alive(pid); i++)
		usleep(5000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(!tmux_alive(pid), "still running after 30 s");
	/* The run itself would last minutes.  A quiet machine stops it in
	 * 10-170 ms, and so does ThreadSanitizer now that the threads leave
	 * before the process exits (watch_stop_threads); the bound only
	 * tells "stopped" from "went on running".  It went on twice:
	 * - the signal reached a lesson thread, and ThreadSanitizer
	 *   delivers a signal only when the thread calls into libc, which
	 *   a tight loop never does.  The lesson's threads now block the
	 *   ending signals (rt_free_start_join);
	 * - the threads were left spinning while the process exited, which
	 *   under ThreadSanitizer took 1.1 s on a quiet machine and once
	 *   over 30 s in CI. */
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(s < 30, "took %.2f s to stop", s);
	if (_i < 4)
		SEE(&t, _i < 2 ? "EXIT=130" : "EXIT=143");
	tmux_stop(&t);
}
END_TEST

/*
 * A viewer of processes leaves none behind: stepped, stepped back (which
 * runs the processes again from the start), restarted, then quit (q,
 * Ctrl-C, SIGTERM) in the middle of a run.
 */
START_TEST(test_view_procs_gone)
{
	static const char *const keys[] = { "q", "C-c", NULL };
	struct tmux t = { "" };
	char env[64];
	snprintf(env, sizeof(env), "INTERLEAVE_LEAK_TAG=%d-view-%d",
		 (int)getpid(), _i);
	tmux_start_env(&t, 100, 30, env, "shmrace", "");
	SEE(&t, "P1 bank");
	tmux_keys(&t, "n n n n b b n r n n n");
	SEE(&t, "step 3 ");
	ck_assert_int_ge(ttagged_wait(env, 3, true, 5000), 3);
	if (keys[_i])
		tmux_keys(&t, keys[_i]);
	else
		ck_assert_int_eq(kill(tmux_lesson_pid(&t), SIGTERM), 0);
	SEE(&t, "EXIT=");
	ck_assert_int_eq(ttagged_wait(env, 0, false, 100), 0);
	tmux_stop(&t);
}
END_TEST

/* Every lesson and variant at 80x24: code, state and every key on screen. */
static const char *const tview_runs[][2] = {
	{ "race", "unsafe" }, { "race", "mutex" }, { "race", "atomic" },
	{ "prodcons", "unsafe" }, { "prodcons", "busywait" },
	{ "prodcons", "semaphore" }, { "prodcons", "condvar-if" },
	{ "prodcons", "condvar" },
	{ "barrier", "none" }, { "barrier", "barrier" },
	{ "barrier", "naive-reusable" }, { "barrier", "reusable" },
	{ "barrier", "timeout" },
	{ "bandwidth", "none" }, { "bandwidth", "mutex" },
	{ "bandwidth", "bounded" },
	{ "fork", "private" }, { "fork", "shared" }, { "fork", "no-join" },
	{ "shmrace", "unsafe" }, { "shmrace", "lock" },
	{ "shmrace", "atomic" },
	{ "pipe", "sentinel" }, { "pipe", "eof" }, { "pipe", "forgot-close" },
	{ "pipe", "full" }, { "pipe", "two-way" },
	{ "deadlock", "broken" }, { "deadlock", "ordered" },
	{ "deadlock", "trylock" }, { "deadlock", "biglock" },
	{ "deadlock", "philosophers" }, { "deadlock", "forks-ordered" },
	{ "locks", "plain" }, { "locks", "recursive" },
	{ "locks", "extra-unlock" }, { "locks", "not-owner" },
	{ "locks", "messy" }, { "locks", "tidy" },
	{ "event", "stats" }, { "event", "set-first" }, { "event", "counter" },
	{ "tls", "unlocked" }, { "tls", "locked" }, { "tls", "cached" },
	{ "sched", "run" }, { "sched", "workers" },
	{ "sched", "check-sleep" },
	{ "timer", "timer" }, { "timer", "cancel" }, { "timer", "heartbeat" },
	{ "timer", "rearm-first" },
};
#define TVIEW_NRUNS (int)(sizeof(tview_runs) / sizeof(tview_runs[0]))

START_TEST(test_view_80x24)
{
	struct tmux t = { "" };
	char args[128], title[128];
	snprintf(args, sizeof(args), "--variant=%s", tview_runs[_i][1]);
	snprintf(title, sizeof(title), " %s %s", tview_runs[_i][0],
		 tview_runs[_i][1]);
	tmux_start_lesson(&t, 80, 24, tview_runs[_i][0], args);
	SEE(&t, "q quit");
	/* 17 steps in, the way the issue found bandwidth broken */
	tmux_keys(&t, "n n n n n n n n n n n n n n n n n");
	/* some runs end sooner (atomic race: 10 steps) */
	ck_assert_msg(tmux_wait(&t, "step 17", true) ||
		      tmux_wait(&t, "The run is over", true), "%s",
		      tmux_screen(&t));
	char *before = tmux_screen(&t);
	/* the end box leaves the final picture, the panes under the code,
	 * on screen: their headings and the timeline are not covered */
	ck_assert_msg(strstr(before, "variables") &&
		      strstr(before, "synchronisation") &&
		      strstr(before, "timeline"), "covered:\n%s", before);
	/* a run of exactly 17 steps shows its summary box, no message */
	if (strstr(before, "The run is over") ||
	    strstr(before, "Run complete")) {
		tmux_keys(&t, "b"); /* the box away: the screen under it */
		GONE(&t, "The run is over");
		GONE(&t, "Run complete");
	}
	free(before);
	char *screen = tmux_screen(&t);
	ck_assert_msg(strstr(screen, "? help") && strstr(screen, "q quit") &&
		      strstr(screen, " b back") && strstr(screen, " w save"),
		      "key bar incomplete:\n%s", screen);
	ck_assert_msg(strstr(screen, "variables") &&
		      strstr(screen, "synchronisation") &&
		      strstr(screen, "timeline"), "state missing:\n%s", screen);
	/* the source pane: a cursor on a numbered line of the lesson, drawn
	 * as a triangle in a UTF-8 locale and as '>' in any other */
	ck_assert_msg(strstr(screen, "\u25b6") || strstr(screen, " > ") ||
		      strstr(screen, "finished"), "no cursor:\n%s", screen);
	ck_assert_msg(!strstr(screen, "more threads"), "%s", screen);
	/* no row runs past the right edge (tmux would wrap it) */
	int rows = 0;
	for (char *p = screen; *p; p++)
		rows += *p == '\n';
	ck_assert_msg(rows <= 24, "%d rows:\n%s", rows, screen);
	free(screen);
	(void)title;
	tmux_stop(&t);
}
END_TEST

/* Too small: keys wait (no step, no help) until the terminal is larger. */
START_TEST(test_view_small_ignores_keys)
{
	struct tmux t = { "" };
	tmux_start(&t, 60, 20, "");
	SEE(&t, "interleave needs at least 80x24;");
	tmux_keys(&t, "n n ?");
	usleep(300000);
	tmux_cmd(&t, "resize-window -t v -x 90 -y 26%s", "");
	SEE(&t, "paused step 0");
	GONE(&t, "interleave viewer");
	GONE(&t, "one step back");
	tmux_stop(&t);
}
END_TEST

/* End of input on the keyboard is q: the viewer exits, it does not spin. */
START_TEST(test_view_eof_quits)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "< /dev/null");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* The buffer: ^head and ^tail under their own slots, or one mark for both. */
START_TEST(test_view_buffer_marks)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "prodcons",
			  "--variant=semaphore --capacity=1");
	SEE(&t, "^head,tail");
	char *s = tmux_screen(&t);
	char *buf = strstr(s, "buffer [");
	ck_assert_ptr_nonnull(buf);
	char *line = buf;
	while (line > s && line[-1] != '\n')
		line--;
	char *next = strchr(buf, '\n') + 1;
	/* columns in characters: the pane is UTF-8, count lead bytes */
	int col_slot = 0, col_mark = 0;
	for (char *p = line; p < buf + 7; p++)
		col_slot += (*p & 0xc0) != 0x80;
	for (char *p = next; *p && *p != '^'; p++)
		col_mark += (*p & 0xc0) != 0x80;
	ck_assert_int_eq(col_mark, col_slot + 2);
	free(s);
	tmux_stop(&t);
	/* four slots: after one item head stays at slot 0, tail moves to 1 */
	tmux_start_lesson(&t, 100, 30, "prodcons",
			  "--variant=semaphore --schedule=1,1,1,1,1,1,1,1");
	SEE(&t, "^head,tail");
	tmux_keys(&t, "n n n n n n n n");
	SEE(&t, "step 8");
	SEE(&t, "^head^tail");
	GONE(&t, "^^tail");
	tmux_stop(&t);
}
END_TEST

/* A line with two operations: the screen says which one runs next. */
START_TEST(test_view_next_op)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--iterations=1 --schedule=1,2,1,2");
	SEE(&t, "next: load balance   <- runs next");
	tmux_keys(&t, "n");
	SEE(&t, "T1 deposit  ran last        next: store balance");
	tmux_stop(&t);
}
END_TEST

/* A few processes are drawn a column each: who forked them, their state. */
START_TEST(test_view_proc_columns)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "shmrace", "--policy=rr");
	SEE(&t, "q quit");
	tmux_keys(&t, "n n n n"); /* P1 forks P2 and P3, then joins */
	SEE(&t, "paused step 4");
	char *screen = tmux_screen(&t);
	/* the columns: P1 waits in join beside its children's states */
	ck_assert_msg(strstr(screen, "waits for P2 to exit ") &&
		      strstr(screen, "P3 withdraw, child of P1") &&
		      strstr(screen, "ready <- next"), "%s", screen);
	free(screen);
	tmux_stop(&t);
}
END_TEST

/* x: the explorer's failing run, loaded as a schedule, and played to its
 * end it breaks the invariant; a correct variant holds in every one. */
START_TEST(test_view_explore_key)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "barrier",
			  "--variant=naive-reusable --runners=3 --rounds=3");
	SEE(&t, "q quit");
	tmux_keys(&t, "x");
	SEE(&t, "with 0 preemptions.");
	tmux_keys(&t, "+ + + + + + + Space");
	SEE(&t, "a lap"); /* paused at the failure's first '!' */
	tmux_stop(&t);
	tmux_start_lesson(&t, 100, 30, "race", "--variant=mutex --iterations=2");
	SEE(&t, "q quit");
	tmux_keys(&t, "x");
	SEE(&t, "mutex held in every one");
	tmux_stop(&t);
	/* processes take a millisecond a run: a key stops the search, and
	 * q then quits */
	tmux_start_lesson(&t, 100, 30, "shm", "--variant=correct");
	SEE(&t, "q quit");
	tmux_keys(&t, "x");
	SEE(&t, "(any key stops)");
	tmux_keys(&t, "c");
	SEE(&t, "x: stopped after");
	tmux_keys(&t, "x");
	SEE(&t, "(any key stops)");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* Playing stops at a new '!'; ! runs to the next one. */
START_TEST(test_view_pause_at_say)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--iterations=1 --schedule=1,2,1,2");
	SEE(&t, "paused step 0");
	tmux_keys(&t, "+ + + + + + Space");
	SEE(&t, "Paused at the new '!'");
	SEE(&t, "paused step 3");
	SEE(&t, "! T2 read 100 before T1 wrote 101");
	tmux_keys(&t, "!");
	SEE(&t, "lost update: T2 wrote 99 over T1's 101");
	SEE(&t, "paused step 4");
	tmux_stop(&t);
}
END_TEST

/* + and - say the speed. */
START_TEST(test_view_speed)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "");
	SEE(&t, "600 ms");
	tmux_keys(&t, "+");
	SEE(&t, "speed 4 of 8: 300 ms a step");
	tmux_keys(&t, "- - - -");
	SEE(&t, "speed 1 of 8: 2000 ms a step (slowest)");
	tmux_stop(&t);
}
END_TEST

/* Twelve threads, manual: every one can be chosen, and is on screen. */
START_TEST(test_view_many_threads)
{
	struct tmux t = { "" };
	tmux_start(&t, 80, 24, "--threads=12 --policy=manual");
	SEE(&t, "T12 ready");
	tmux_keys(&t, "1 2");
	SEE(&t, "T12 ran");
	SEE(&t, "paused step 1");
	tmux_keys(&t, "1 0 Enter");
	SEE(&t, "T10 ran");
	SEE(&t, "paused step 2");
	tmux_keys(&t, "1 Enter");
	SEE(&t, "T1 ran");
	tmux_stop(&t);
	tmux_start(&t, 80, 24, "--threads=64");
	SEE(&t, "[ ] scroll: T1-");
	tmux_keys(&t, "] ] ] ] ] ] ]");
	SEE(&t, "T64 ready");
	tmux_stop(&t);
}
END_TEST

/* The title says what decides the schedule; s says what it changed. */
START_TEST(test_view_title_truth)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--schedule=1,2 --policy=rr");
	SEE(&t, "schedule of 2, then policy rr quantum 1");
	SEE(&t, "next T1");
	tmux_keys(&t, "s");
	SEE(&t, "s: a new random run, seed");
	SEE(&t, "policy random seed");
	GONE(&t, "schedule of 2");
	tmux_stop(&t);
}
END_TEST

/* The lesson's idea and the variant's summary are on screen. */
START_TEST(test_view_intro)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 150, 30, "barrier", "");
	SEE(&t, "runners wait at the start until everyone is ready");
	SEE(&t, "Variant none: no barrier");
	tmux_keys(&t, "?");
	SEE(&t, "variant none: no barrier");
	tmux_stop(&t);
}
END_TEST

/* f loads the variant's known failing run, and says so. */
START_TEST(test_view_failing_run)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 150, 30, "barrier",
			  "--variant=naive-reusable");
	SEE(&t, "a run that shows it fail");
	tmux_keys(&t, "f");
	SEE(&t, "f loaded a run that breaks naive-reusable");
	SEE(&t, "policy rr quantum 100");
	tmux_keys(&t, "! ! ! ! ! ! ! !");
	SEE(&t, "invariant broken");
	tmux_stop(&t);
	tmux_start(&t, 80, 24, "--variant=mutex");
	SEE(&t, "T1 deposit");
	tmux_keys(&t, "f");
	SEE(&t, "Variant mutex has no failing");
	tmux_stop(&t);
}
END_TEST

/* The whole file of a path, or NULL. */
static char *tview_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *s = calloc(1, 1 << 20);
	size_t n = fread(s, 1, (1 << 20) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* w saves the run; the command line in the file reproduces its transcript. */
START_TEST(test_view_save)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--iterations=1 --schedule=1,2,1");
	SEE(&t, "T1 deposit");
	tmux_keys(&t, "n n n w");
	SEE(&t, "w: the run is saved in ./race-unsafe-1.run.txt");
	SEE(&t, "paused step 3"); /* the viewer goes on where it was */
	char path[200], dir[128];
	tmux_dir(&t, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/race-unsafe-1.run.txt", dir);
	char *file = tview_slurp(path);
	ck_assert_ptr_nonnull(file);
	ck_assert_msg(strstr(file, "\n--schedule=1,2,1\n"), "%s", file);
	ck_assert_msg(strstr(file, "! T2 read 100 before T1 wrote 101"), "%s",
		      file);
	ck_assert_msg(strstr(file, "summary: lesson=race variant=unsafe "
			     "mode=step seed=1 steps=3 invariant=unfinished"),
		      "%s", file);
	/* the command line, run: the same transcript */
	char *cmd = strstr(file, "# reproduce it with:\n");
	ck_assert_ptr_nonnull(cmd);
	cmd += strlen("# reproduce it with:\nrace ");
	char *end = strstr(cmd, " --plain\n");
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	char *out, *err;
	ck_assert_int_eq(texec("race", cmd, &out, &err), 0);
	char *body = strstr(end + 1, "# the transcript (as --plain prints "
				    "it):\n");
	ck_assert_ptr_nonnull(body);
	body = strchr(body, '\n') + 1;
	ck_assert_str_eq(body, out);
	free(out);
	free(err);
	free(file);
	tmux_stop(&t);
}
END_TEST

/* Does the pane, with its attributes, show dim text (SGR 2)? */
static bool tview_dim(const struct tmux *t)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -e -p -t v "
		 "2>/dev/null | grep -c '\\[2m\\|;2m\\|\\[2;' >/dev/null",
		 t->sock);
	return system(cmd) == 0;
}

/* The high-contrast theme: no dim text; by key and by environment. */
START_TEST(test_view_contrast)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--iterations=1 --schedule=1,2,1,2");
	tmux_keys(&t, "n n");
	SEE(&t, "paused step 2");
	ck_assert(tview_dim(&t));
	tmux_keys(&t, "c");
	SEE(&t, "c: high-contrast theme");
	ck_assert(!tview_dim(&t));
	tmux_stop(&t);
	tmux_start_env(&t, 100, 30, "INTERLEAVE_THEME=contrast", "race",
			  "--iterations=1 --schedule=1,2,1,2");
	tmux_keys(&t, "n n");
	SEE(&t, "paused step 2");
	ck_assert(!tview_dim(&t));
	tmux_stop(&t);
}
END_TEST

/* A narration longer than a row wraps at words, and is never cut. */
START_TEST(test_view_wrap)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "bandwidth",
			  "--variant=bounded --seed=1");
	SEE(&t, "q quit");
	tmux_keys(&t, "n n n n n n n n n n n n n n n n n");
	SEE(&t, "step 17");
	SEE(&t, "would take it and have one permit too many, for good)");
	SEE(&t, "semaphore permits:");
	SEE(&t, "waiting: T3 T4 T1"); /* wrapped whole, not cut */
	tmux_stop(&t);
}
END_TEST

/* Free mode: the replay's summary gives the real run's totals. */
START_TEST(test_view_free_totals)
{
	struct tmux t = { "" };
	tmux_start(&t, 80, 24, "--mode=free --iterations=1000");
	SEE(&t, "real run:");
	SEE(&t, "lost updates seen in them");
	SEE(&t, "expected=100");
	SEE(&t, "? help");
	SEE(&t, "q quit");
	tmux_stop(&t);
}
END_TEST

/*
 * A deadlock draws its cycle of waits, at 80x24 and without colour: the
 * arrows in the end box, each thread on the cycle marked on its row with
 * who holds what it waits for (compact rows: "cycle:" for "waits:").
 * Stepping back takes it away.
 */
START_TEST(test_view_cycle)
{
	struct tmux t = { "" };
	tmux_start_env(&t, 80, 24, "NO_COLOR=1", "deadlock",
		       "--tellers=3 --schedule=1,2");
	SEE(&t, "q quit");
	tmux_keys(&t, "n n");
	SEE(&t, "the cycle of waits: T1 -> b -> T2 -> a -> T1");
	SEE(&t, "blocked on b     in the cycle: T2 holds b");
	SEE(&t, "blocked on a     in the cycle: T1 holds a");
	char *screen = tmux_screen(&t);
	const char *t3 = strstr(screen, "T3 a_to_b");
	ck_assert_msg(t3 && !strstr(t3, "T3 a_to_b blocked on a     in"),
		      "T3 is not on the cycle:\n%s", screen);
	free(screen);
	tmux_keys(&t, "b");
	GONE(&t, "the cycle of waits");
	GONE(&t, "in the cycle");
	tmux_stop(&t);
	tmux_start_env(&t, 80, 24, "NO_COLOR=1", "deadlock",
		       "--variant=philosophers --schedule=1,2,3,4,5");
	SEE(&t, "q quit");
	tmux_keys(&t, "n n n n n");
	SEE(&t, "T1 cycle:f2  T2 cycle:f3  T3 cycle:f4  T4 cycle:f5  "
		"T5 cycle:f1");
	SEE(&t, "the cycle of waits: T1 -> f2 -> T2 -> f3 -> T3 -> f4 -> T4 "
		"-> f5 -> T5 ->");
	SEE(&t, "f1 -> T1");
	tmux_stop(&t);
}
END_TEST

/* n pressed k times. */
static void tview_steps(const struct tmux *t, int k)
{
	char keys[2 * 100 + 1] = "";
	for (int i = 0; i < k && i < 100; i++)
		strcat(keys, "n ");
	tmux_keys(t, keys);
}

/*
 * The pool's results at 80x24, named as the lesson names them: once every
 * slot is filled the next-free mark says full (not ^tail back under r1),
 * the end box leaves the row on screen, and v to a variant without a
 * next-free counter leaves no mark behind.
 */
START_TEST(test_view_results_row)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "pool",
			  "--variant=completion --tasks=2 --workers=1");
	SEE(&t, "results [   ][   ]");
	SEE(&t, "r1   r2");
	SEE(&t, "^tail");
	tmux_keys(&t, "? x"); /* the help's second page explains the marks */
	SEE(&t, "results: a slot per item");
	tmux_keys(&t, "x");
	GONE(&t, "results: a slot per item");
	tview_steps(&t, 31);
	SEE(&t, "Run complete");
	SEE(&t, "results [  1][  4]");
	SEE(&t, "(full)");
	GONE(&t, "^tail");
	tmux_keys(&t, "v");
	SEE(&t, " pool  die ");
	SEE(&t, "results [   ][   ]");
	SEE(&t, "r1   r2");
	char *s = tmux_screen(&t);
	ck_assert_msg(!strstr(s, "^tail") && !strstr(s, "(full)"), "%s", s);
	free(s);
	tview_steps(&t, 6);
	SEE(&t, "Deadlock");
	s = tmux_screen(&t);
	ck_assert_msg(!strstr(s, "^tail") && !strstr(s, "(full)"), "%s", s);
	free(s);
	tmux_stop(&t);
}
END_TEST

/* The line of source (from 1) that holds mark, 0 if none does: tests
 * that name a line follow the lesson as it grows. */
static int tview_line_of(const char *source, const char *mark)
{
	const char *at = strstr(source, mark);
	int line = 1;
	for (const char *c = source; at && c < at; c++)
		line += *c == '\n';
	return at ? line : 0;
}

/*
 * At 80x24 nothing is cut in the middle of a word or a number: a long
 * state goes on in the next row, the last event drops its padding; the
 * key bar is the same in every variant (x included).  (The manager's
 * own copies on one row: test_manager.c.)
 */
START_TEST(test_view_cut_whole)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "pool", "--variant=notice");
	SEE(&t, " 1-9 process ");
	SEE(&t, " x explore ");
	SEE(&t, " g goal ");
	tview_steps(&t, 20);
	SEE(&t, "step 20");
	SEE(&t, "blocked on done until");
	SEE(&t, "t=1015");
	tview_steps(&t, 18);
	SEE(&t, "step 38");
	char last[64];
	snprintf(last, sizeof(last), "took nothing line %d",
		 tview_line_of(pool_lesson.source, "/* p2 */"));
	SEE(&t, last);
	tmux_stop(&t);
}
END_TEST

/*
 * The pool's task queue at 80x24, beside the variables: each task's item,
 * and under it, at every step, what became of it: waiting, the worker
 * that holds it, done; lost with the worker that died in it, then the
 * new worker's (notice).
 */
START_TEST(test_view_task_row)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 80, 24, "pool", "--variant=notice");
	SEE(&t, "  tasks  [  1][  2][  3][  4]");
	SEE(&t, "          wait wait wait wait");
	tview_steps(&t, 8);
	SEE(&t, "step 8");
	SEE(&t, "          P2   wait wait wait");
	tview_steps(&t, 2);
	SEE(&t, "step 10");
	SEE(&t, "          lost P3   wait wait");
	tview_steps(&t, 12);
	SEE(&t, "step 22");
	SEE(&t, "          lost done P3   wait");
	tview_steps(&t, 23);
	SEE(&t, "step 45");
	SEE(&t, "          P4   done done done");
	SEE(&t, "semaphore done: count 0"); /* the rest still fits */
	tmux_keys(&t, "b");
	SEE(&t, "step 44");
	SEE(&t, "          lost done done done");
	tmux_stop(&t);
}
END_TEST

Suite *view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc = tcase_create("tmux");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_view_columns);
	tcase_add_test(tc, test_view_step_and_back);
	tcase_add_test(tc, test_view_refuses_blocked);
	tcase_add_test(tc, test_view_help);
	tcase_add_test(tc, test_view_too_small);
	tcase_add_test(tc, test_view_play);
	tcase_add_test(tc, test_view_free_mode);
	tcase_add_loop_test(tc, test_view_exits, 0, 3);
	tcase_add_loop_test(tc, test_view_procs_gone, 0, 3);
	tcase_add_loop_test(tc, test_view_free_signals, 0, 6);
	tcase_add_loop_test(tc, test_view_80x24, 0, TVIEW_NRUNS);
	tcase_add_test(tc, test_view_small_ignores_keys);
	tcase_add_test(tc, test_view_eof_quits);
	tcase_add_test(tc, test_view_buffer_marks);
	tcase_add_test(tc, test_view_next_op);
	tcase_add_test(tc, test_view_proc_columns);
	tcase_add_test(tc, test_view_explore_key);
	tcase_add_test(tc, test_view_pause_at_say);
	tcase_add_test(tc, test_view_speed);
	tcase_add_test(tc, test_view_many_threads);
	tcase_add_test(tc, test_view_title_truth);
	tcase_add_test(tc, test_view_intro);
	tcase_add_test(tc, test_view_failing_run);
	tcase_add_test(tc, test_view_save);
	tcase_add_test(tc, test_view_contrast);
	tcase_add_test(tc, test_view_wrap);
	tcase_add_test(tc, test_view_free_totals);
	tcase_add_test(tc, test_view_cycle);
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	suite_add_tcase(s, tc);
	/* the student review's findings at 80x24 (CK_RUN_CASE=review) */
	TCase *review = tcase_create("review");
	tcase_set_timeout(review, 120);
	tcase_add_test(review, test_view_results_row);
	tcase_add_test(review, test_view_cut_whole);
	tcase_add_test(review, test_view_task_row);
	tcase_add_unchecked_fixture(review, NULL, tmux_teardown);
	suite_add_tcase(s, review);
	return s;
}
