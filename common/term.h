/*
 * term.h: the terminal of a full-screen program (the viewer, the
 * launcher's menu): curses on and off, and the terminal given back on
 * every way out.
 *
 * SIGINT, SIGTERM and SIGHUP do not kill: they set term_signal and wake
 * the program's poll() through a self-pipe (term_wake_fd), and the
 * program leaves its loop and restores the terminal itself.  A crash
 * (SIGSEGV, SIGBUS, SIGABRT, SIGFPE) restores it and dies of the signal;
 * exit() restores it through atexit.
 */
#ifndef INTERLEAVE_TERM_H
#define INTERLEAVE_TERM_H

#include <signal.h>
#include <stdbool.h>

/* The signal that asked the program to leave; 0: none. */
extern volatile sig_atomic_t term_signal;

/*
 * Install the handlers (without SA_RESTART, so a blocking call returns
 * EINTR) and the self-pipe (close-on-exec).  also, if not NULL, is set to
 * 1 by the same signals.  False, with errno, when the pipe cannot be made.
 */
bool term_signals(volatile sig_atomic_t *also);
/* The self-pipe's read end, to poll beside the terminal. */
int term_wake_fd(void);
/* Forget a signal that has been dealt with, and its wake-ups. */
void term_forget(void);
/* Close the self-pipe (the handlers stay). */
void term_close(void);

/*
 * curses on stdout and stdin: cbreak, no echo, keypad, getch() without
 * waiting, no cursor.  False when the terminal cannot be started.
 */
bool term_start(void);
/* refresh(): a frame on the screen (and one event of a --record). */
void term_refresh(void);
/* curses off (endwin), if on: the terminal as it was. */
void term_end(void);
/* Take the terminal back after term_end() (a child program had it). */
void term_resume(void);
/*
 * The terminal said "readable" and no key came, and nothing is left to
 * read: that is the end of input (a hangup, or < /dev/null).
 */
bool term_input_ended(void);

#endif
