/*
 * tmux.c: the tmux harness of the end-to-end tests (tmux.h).
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmux.h"

int tmux_cmd(const struct tmux *t, const char *fmt, const char *arg)
{
	char cmd[2048], tail[1400];
	snprintf(tail, sizeof(tail), fmt, arg);
	snprintf(cmd, sizeof(cmd), "tmux -L %s %s >/dev/null 2>&1", t->sock,
		 tail);
	return system(cmd);
}

/* The pane's working directory: its own, removed with the server. */
void tmux_dir(const struct tmux *t, char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/%s.d", t->sock);
}

/*
 * A pane of w x h running lesson with args (shell words: a redirection is
 * allowed) in a directory of its own (files the viewer writes land there),
 * with env ("NAME=value ..." or ""), then EXIT=status.
 */
void tmux_start_env(struct tmux *t, int w, int h, const char *env,
			   const char *lesson, const char *args)
{
	static int serial;
	static char bin[PATH_MAX], cmd[PATH_MAX + 1024];
	char dir[128];
	const char *bdir = getenv("INTERLEAVE_BIN");
	ck_assert_ptr_nonnull(realpath(bdir ? bdir : "build/bin", bin));
	snprintf(t->sock, sizeof(t->sock), TMUX_PREFIX "%d-%d-%d",
		 (int)getppid(), (int)getpid(), serial++);
	tmux_dir(t, dir, sizeof(dir));
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(cmd, sizeof(cmd),
		 "tmux -L %s new-session -d -s v -x %d -y %d "
		 "\"cd %s; echo \\$\\$ >/tmp/%s.pid; %s %s/%s %s; "
		 "echo EXIT=\\$?; sleep 60\"", t->sock, w, h, dir, t->sock,
		 env, bin, lesson, args);
	ck_assert_int_eq(system(cmd), 0);
}

void tmux_start_lesson(struct tmux *t, int w, int h,
			      const char *lesson, const char *args)
{
	tmux_start_env(t, w, h, "", lesson, args);
}

/* The lesson's pid: the one child of the pane's shell. */
pid_t tmux_child_of(pid_t parent)
{
	char path[128];
	long child = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent,
		 (int)parent);
	FILE *f = parent > 0 ? fopen(path, "r") : NULL;
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &child) != 1)
		child = 0;
	fclose(f);
	return (pid_t)child;
}

pid_t tmux_child(const struct tmux *t)
{
	char path[128];
	long shell = 0;
	snprintf(path, sizeof(path), "/tmp/%s.pid", t->sock);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &shell) != 1)
		shell = 0;
	fclose(f);
	return tmux_child_of((pid_t)shell);
}

pid_t tmux_lesson_pid(const struct tmux *t)
{
	pid_t pid = tmux_child(t);
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* Is process pid still there (and not a zombie)? */
bool tmux_alive(pid_t pid)
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

/*
 * End the lesson, then its server.  Not the server first: the hang-up
 * sends the lesson SIGHUP and then SIGCONT, and under AddressSanitizer a
 * SIGCONT that lands while LeakSanitizer stops the exiting process for its
 * check cancels the stop its tracer waits for: the process spins forever.
 */
void tmux_stop(struct tmux *t)
{
	char pidfile[128];
	pid_t pid = tmux_child(t);
	if (pid > 0 && kill(pid, SIGTERM) == 0)
		for (int i = 0; i < 500 && tmux_alive(pid); i++)
			usleep(10000);
	tmux_cmd(t, "kill-server%s", "");
	snprintf(pidfile, sizeof(pidfile), "/tmp/%s.pid", t->sock);
	unlink(pidfile);
	char dir[128], cmd[200];
	tmux_dir(t, dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		/* nothing to remove */
	}
}

/*
 * Teardown, in the runner: end every server this run's tests started,
 * whether they passed, failed or were killed by their timeout.  Ending a
 * server hangs up its pane, and the viewer exits on SIGHUP.
 */
void tmux_teardown(void)
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
char *tmux_screen(const struct tmux *t)
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

void tmux_keys(const struct tmux *t, const char *keys)
{
	ck_assert_int_eq(tmux_cmd(t, "send-keys -t v %s", keys), 0);
}

/* Wait up to 15 s (a busy machine) for text to be on screen (or gone). */
bool tmux_wait(const struct tmux *t, const char *text, bool present)
{
	for (int i = 0; i < 750; i++) {
		char *s = tmux_screen(t);
		bool found = strstr(s, text) != NULL;
		free(s);
		if (found == present)
			return true;
		usleep(20000);
	}
	return false;
}
