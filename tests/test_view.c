/*
 * test_view.c: the real viewer, driven in a tmux pane of fixed size.
 *
 * Each test starts a lesson in its own tmux server (a private socket),
 * types keys with send-keys and reads the screen with capture-pane, and
 * asserts what a person would see.  The pane's command prints EXIT=<status>
 * after the lesson, so a test also sees how it ended and that the terminal
 * came back (the viewer's screen is gone once it exits).
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

struct tmux {
	char sock[64];
};

static int tmux_cmd(const struct tmux *t, const char *fmt, const char *arg)
{
	char cmd[2048], tail[1400];
	snprintf(tail, sizeof(tail), fmt, arg);
	snprintf(cmd, sizeof(cmd), "tmux -L %s %s >/dev/null 2>&1", t->sock,
		 tail);
	return system(cmd);
}

/*
 * Every server a test starts is named after the runner's process (the
 * parent of each forked test), so the suite's teardown, which runs in the
 * runner even when a test failed or timed out, can find and end them all.
 */
#define TMUX_PREFIX "interleave-test-"

/* A pane of w x h running lesson with args, then EXIT=status. */
static void tmux_start_lesson(struct tmux *t, int w, int h,
			      const char *lesson, const char *args)
{
	static int serial;
	static char bin[PATH_MAX], cmd[PATH_MAX + 1024];
	const char *dir = getenv("INTERLEAVE_BIN");
	ck_assert_ptr_nonnull(realpath(dir ? dir : "build/bin", bin));
	snprintf(t->sock, sizeof(t->sock), TMUX_PREFIX "%d-%d-%d",
		 (int)getppid(), (int)getpid(), serial++);
	snprintf(cmd, sizeof(cmd),
		 "tmux -L %s new-session -d -s v -x %d -y %d "
		 "\"echo \\$\\$ >/tmp/%s.pid; %s/%s %s; echo EXIT=\\$?; "
		 "sleep 60\"", t->sock, w, h, t->sock, bin, lesson, args);
	ck_assert_int_eq(system(cmd), 0);
}

static void tmux_start(struct tmux *t, int w, int h, const char *args)
{
	tmux_start_lesson(t, w, h, "race", args);
}

/* The lesson's pid: the one child of the pane's shell. */
static pid_t tmux_lesson_pid(const struct tmux *t)
{
	char path[128];
	long shell = 0, child = 0;
	snprintf(path, sizeof(path), "/tmp/%s.pid", t->sock);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld", &shell), 1);
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", shell,
		 shell);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%ld", &child), 1);
	fclose(f);
	return (pid_t)child;
}

/* Is process pid still there (and not a zombie)? */
static bool tmux_alive(pid_t pid)
{
	char path[64], state = 'X';
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 'X';
	fclose(f);
	return state != 'Z' && state != 'X';
}

static void tmux_stop(struct tmux *t)
{
	char pidfile[128];
	tmux_cmd(t, "kill-server%s", "");
	snprintf(pidfile, sizeof(pidfile), "/tmp/%s.pid", t->sock);
	unlink(pidfile);
}

/*
 * Teardown, in the runner: end every server this run's tests started,
 * whether they passed, failed or were killed by their timeout.  Ending a
 * server hangs up its pane, and the viewer exits on SIGHUP.
 */
static void tmux_teardown(void)
{
	char prefix[64], dir[64];
	snprintf(prefix, sizeof(prefix), TMUX_PREFIX "%d-", (int)getpid());
	snprintf(dir, sizeof(dir), "/tmp/tmux-%d", (int)getuid());
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		struct tmux t;
		snprintf(t.sock, sizeof(t.sock), "%.63s", e->d_name);
		tmux_stop(&t);
	}
	if (d)
		closedir(d);
}

/* The screen now, as text (malloc'd). */
static char *tmux_screen(const struct tmux *t)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "tmux -L %s capture-pane -p -t v 2>/dev/null",
		 t->sock);
	FILE *p = popen(cmd, "r");
	size_t cap = 1 << 16, n = 0;
	char *s = malloc(cap);
	n = fread(s, 1, cap - 1, p);
	s[n] = '\0';
	pclose(p);
	return s;
}

static void tmux_keys(const struct tmux *t, const char *keys)
{
	ck_assert_int_eq(tmux_cmd(t, "send-keys -t v %s", keys), 0);
}

/* Wait up to 5 s for text to be on screen (or, absent, to be gone). */
static bool tmux_wait(const struct tmux *t, const char *text, bool present)
{
	for (int i = 0; i < 250; i++) {
		char *s = tmux_screen(t);
		bool found = strstr(s, text) != NULL;
		free(s);
		if (found == present)
			return true;
		usleep(20000);
	}
	return false;
}

#define SEE(t, text)                                                           \
	ck_assert_msg(tmux_wait(t, text, true), "never saw '%s' on:\n%s",      \
		      text, tmux_screen(t))
#define GONE(t, text)                                                          \
	ck_assert_msg(tmux_wait(t, text, false), "still see '%s' on:\n%s",     \
		      text, tmux_screen(t))

START_TEST(test_view_columns)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "");
	SEE(&t, "T1 deposit");
	SEE(&t, "T2 withdraw");
	SEE(&t, "balance    = 100");
	SEE(&t, "mutex lock: free");
	SEE(&t, "timeline");
	SEE(&t, "race  variant unsafe  step mode  policy random  seed 1");
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
	SEE(&t, "T2 tmp = 100  (read of balance)  STALE");
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
	tmux_start(&t, 100, 30, "--iterations=2");
	SEE(&t, "paused step 0");
	tmux_keys(&t, "+ + + + + Space");
	SEE(&t, "Run complete");
	SEE(&t, "paused step 8");
	tmux_keys(&t, "r");
	SEE(&t, "paused step 0");
	tmux_keys(&t, "v");
	SEE(&t, "variant mutex");
	tmux_stop(&t);
}
END_TEST

START_TEST(test_view_free_mode)
{
	struct tmux t = { "" };
	tmux_start(&t, 100, 30, "--mode=free --iterations=100");
	SEE(&t, "free mode (replaying a real run)");
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
	for (int i = 0; i < 400 && tmux_alive(pid); i++)
		usleep(5000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(!tmux_alive(pid), "still running after 2 s");
	/* Not a timed assertion on the suite's speed: the run itself would
	 * last minutes; the bound is what a person at a terminal needs. */
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(s < 1.5, "took %.2f s to stop", s);
	if (_i < 4)
		SEE(&t, _i < 2 ? "EXIT=130" : "EXIT=143");
	tmux_stop(&t);
}
END_TEST

Suite *view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc = tcase_create("tmux");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_view_columns);
	tcase_add_test(tc, test_view_step_and_back);
	tcase_add_test(tc, test_view_refuses_blocked);
	tcase_add_test(tc, test_view_help);
	tcase_add_test(tc, test_view_too_small);
	tcase_add_test(tc, test_view_play);
	tcase_add_test(tc, test_view_free_mode);
	tcase_add_loop_test(tc, test_view_exits, 0, 3);
	tcase_add_loop_test(tc, test_view_free_signals, 0, 6);
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	suite_add_tcase(s, tc);
	return s;
}
