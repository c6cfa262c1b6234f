/*
 * tmux.h: a real terminal for the end-to-end tests, driven through tmux.
 *
 * Each test starts a program in its own tmux server (a private socket),
 * types keys with send-keys and reads the screen with capture-pane, and
 * asserts what a person would see.  The pane's command prints EXIT=<status>
 * after the program, so a test also sees how it ended and that the
 * terminal came back (a full-screen program's screen is gone once it
 * exits).  A suite that uses it adds tmux_teardown() as an unchecked
 * fixture, so that no server outlives the run.
 */
#ifndef INTERLEAVE_TMUX_H
#define INTERLEAVE_TMUX_H

#include <stdbool.h>
#include <sys/types.h>

#include "testutil.h"

struct tmux {
	char sock[64];
};

/*
 * Every server a test starts is named after the runner's process (the
 * parent of each forked test), so the suite's teardown, which runs in the
 * runner even when a test failed or timed out, can find and end them all.
 */
#define TMUX_PREFIX "interleave-test-"

/* tmux -L SOCK <fmt with arg>, output discarded: system()'s status. */
int tmux_cmd(const struct tmux *t, const char *fmt, const char *arg);
/*
 * A pane of w x h running program (a name in INTERLEAVE_BIN) with args
 * (shell words: a redirection is allowed) in a directory of its own, with
 * env ("NAME=value ..." or ""), then EXIT=status.
 */
void tmux_start_env(struct tmux *t, int w, int h, const char *env,
		    const char *program, const char *args);
/* The same without env. */
void tmux_start_lesson(struct tmux *t, int w, int h, const char *program,
		       const char *args);
/* The pane's working directory: its own, removed with the server. */
void tmux_dir(const struct tmux *t, char *buf, size_t size);
/* The first child of process parent (by /proc), or 0. */
pid_t tmux_child_of(pid_t parent);
/* The program's pid (the one child of the pane's shell), or 0. */
pid_t tmux_child(const struct tmux *t);
/* The same, failing the test when there is none. */
pid_t tmux_lesson_pid(const struct tmux *t);
/* Is process pid still there (and not a zombie)? */
bool tmux_alive(pid_t pid);
/* End the program (SIGTERM), then its server; remove its directory. */
void tmux_stop(struct tmux *t);
/* Teardown, in the runner: end every server this run's tests started. */
void tmux_teardown(void);
/* The screen now, as text (malloc'd). */
char *tmux_screen(const struct tmux *t);
/* tmux send-keys: keys in tmux's words ("n n", "C-c", "Enter"). */
void tmux_keys(const struct tmux *t, const char *keys);
/* Wait up to 15 s (a busy machine) for text to be on screen (or gone). */
bool tmux_wait(const struct tmux *t, const char *text, bool present);

#define SEE(t, text)                                                           \
	ck_assert_msg(tmux_wait(t, text, true), "never saw '%s' on:\n%s",      \
		      text, tmux_screen(t))
#define GONE(t, text)                                                          \
	ck_assert_msg(tmux_wait(t, text, false), "still see '%s' on:\n%s",     \
		      text, tmux_screen(t))

#endif
