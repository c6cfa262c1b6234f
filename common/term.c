/*
 * term.c: curses on and off, and the terminal restored on every way out
 * (term.h).  Shared by the viewer and the launcher's menu.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cast.h"
#include "shm.h"
#include "term.h"

volatile sig_atomic_t term_signal;
static volatile sig_atomic_t *term_also;
static int term_pipe[2] = { -1, -1 };
static bool term_on;

void term_end(void)
{
	if (term_on) {
		term_on = false;
		endwin(); /* its last bytes are recorded too */
		if (cast_open_now()) {
			/* the modes endwin() set on the recorder's pipe, again
			 * on the terminal */
			cast_stop();
			reset_shell_mode();
		}
		shm_hush(false);
	}
}

static void term_on_signal(int sig)
{
	int saved = errno;
	term_signal = sig;
	if (term_also)
		*term_also = 1;
	if (write(term_pipe[1], "q", 1) < 0) {
		/* full pipe: the loop wakes anyway */
	}
	errno = saved;
}

/* A crash: put the terminal back as best we can, then die of it. */
static void term_on_crash(int sig)
{
	cast_crash();
	term_end();
	signal(sig, SIG_DFL);
	raise(sig);
}

bool term_signals(volatile sig_atomic_t *also)
{
	if (pipe2(term_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return false;
	term_also = also;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = term_on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	atexit(term_end);
	return true;
}

int term_wake_fd(void)
{
	return term_pipe[0];
}

void term_forget(void)
{
	char drain[64];
	while (read(term_pipe[0], drain, sizeof(drain)) > 0)
		;
	term_signal = 0;
}

void term_close(void)
{
	close(term_pipe[0]);
	close(term_pipe[1]);
	term_pipe[0] = term_pipe[1] = -1;
}

/*
 * A recording has one size, its header's: curses does not follow the
 * terminal's (it could not: it asks the pipe), and SIGWINCH is left
 * ignored, so that curses installs no handler for it.
 */
bool term_start(void)
{
	setlocale(LC_ALL, "");
	bool record = cast_open_now();
	if (record)
		signal(SIGWINCH, SIG_IGN);
	FILE *out = cast_screen();
	if (!out || !newterm(NULL, out, stdin))
		return false;
	term_on = true;
	shm_hush(true); /* stderr is this screen too: shm.c keeps quiet */
	cbreak();
	noecho();
	/* the modes are set: from here on, curses writes to the recorder */
	if (record && !cast_start())
		return false;
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	return true;
}

void term_refresh(void)
{
	refresh();
	cast_mark();
}

void term_resume(void)
{
	reset_prog_mode();
	term_on = true;
	clearok(curscr, TRUE);
}

bool term_input_ended(void)
{
	int pending = 0;
	if (ioctl(STDIN_FILENO, FIONREAD, &pending) != 0)
		pending = 0;
	return pending == 0;
}
