/*
 * cast.c: --record=FILE.cast, the viewer as an asciicast v2 recording
 * (cast.h).
 *
 * What to record is exactly what curses writes, so the recording is
 * made where those bytes pass: curses draws on a descriptor of its own
 * (a dup of stdout), and once it has set the terminal's modes on it,
 * that descriptor becomes the write end of a pipe.  A recorder thread
 * reads the pipe, passes every byte on to the terminal at once, and
 * writes each frame (term_refresh() marks its end) to the file as one
 * line [seconds, "o", "..."], stamped when its first byte came.
 *
 * Why a pipe and a thread, not fopencookie(): ncurses does not write
 * through its FILE *; it writes to the FILE's descriptor with write(2)
 * (and a cookie stream has none), and it sets the terminal's modes and
 * reads its size through that same descriptor.  Only a descriptor that
 * is the terminal while the modes are set, and a pipe after, gives both.
 * The thread keeps a slow file from ever holding a frame back from the
 * terminal, and stamps each frame with the time it was drawn.
 *
 * A line is written whole, with one write(2), so the file is a valid
 * recording at every moment: every way out (q, a signal, a fatal error
 * through exit()) stops the recorder after curses' last bytes (cast_stop
 * drains the pipe first), and even a crash leaves complete lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cast.h"

#define CAST_CHUNK 4096
#define CAST_FRAME (64 * 1024) /* the most one event holds */

static struct {
	int file;                /* the recording, or -1 */
	char title[256];
	pid_t owner;             /* the process that opened it */
	int screen;              /* what curses writes to, or -1 */
	FILE *screen_file;
	int tty;                 /* the terminal, for the recorder's copy */
	int data[2];             /* curses -> recorder */
	int wake[2];             /* a frame's end; or finish (stopping) */
	pthread_t thread;
	volatile sig_atomic_t running;
	atomic_bool stopping;    /* cast_stop() to the thread */
	struct timespec t0;
	int error;               /* first failed write (the thread's, while
				    it runs) */
} cast = { .file = -1, .screen = -1, .tty = -1,
	   .data = { -1, -1 }, .wake = { -1, -1 } };

/* --- JSON --- */

/* The length of the valid UTF-8 sequence at in (2 to 4), 0 if none
 * starts there, -1 if one starts and len cuts it short. */
static int cast_utf8(const unsigned char *in, size_t len)
{
	unsigned char c = in[0], lo = 0x80, hi = 0xbf;
	int n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
		: c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (int i = 1; i < n; i++) {
		if ((size_t)i == len)
			return -1;
		if (in[i] < (i == 1 ? lo : 0x80) || in[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

size_t cast_escape(const unsigned char *in, size_t len, bool final,
		   char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	while (i < len) {
		unsigned char c = in[i];
		int n = c >= 0x80 ? cast_utf8(in + i, len - i) : 1;
		if (n < 0 && !final)
			break; /* the rest of it comes with the next read */
		if (c == '"' || c == '\\') {
			*out++ = '\\';
			*out++ = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			*out++ = '\\';
			*out++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else if (c < 0x20 || c == 0x7f || n <= 0) {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			out += 6;
			n = 1;
		} else {
			memcpy(out, in + i, (size_t)n);
			out += n;
		}
		i += (size_t)n;
	}
	*out = '\0';
	return i;
}

/* --- the file --- */

/* All of buf, or the first error (kept: later lines are not tried). */
static void cast_write(const char *buf, size_t len)
{
	while (len > 0 && !cast.error) {
		ssize_t n = write(cast.file, buf, len);
		if (n < 0 && errno != EINTR)
			cast.error = errno;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
}

/* The first line: {"version": 2, "width": ..., ...}. */
static void cast_header(int width, int height)
{
	static char line[4096];
	char title[sizeof(cast.title) * 6 + 1], term[64 * 6 + 1];
	const char *t = getenv("TERM");
	char tcopy[64];
	snprintf(tcopy, sizeof(tcopy), "%s", t ? t : "");
	cast_escape((const unsigned char *)cast.title, strlen(cast.title),
		    true, title);
	cast_escape((const unsigned char *)tcopy, strlen(tcopy), true, term);
	int n = snprintf(line, sizeof(line),
			 "{\"version\": 2, \"width\": %d, \"height\": %d, "
			 "\"timestamp\": %lld, \"title\": \"%s\", "
			 "\"env\": {\"TERM\": \"%s\"}}\n", width, height,
			 (long long)time(NULL), title, term);
	cast_write(line, (size_t)n);
}

/* A positive number from the environment, or 0. */
static int cast_env_number(const char *name)
{
	const char *s = getenv(name);
	int v = s ? atoi(s) : 0;
	return v > 0 ? v : 0;
}

/*
 * The size curses will find: the terminal's, unless LINES or COLUMNS
 * say otherwise (ncurses' use_env(TRUE), its default); 80x24 if neither.
 */
static void cast_size(int *width, int *height)
{
	struct winsize ws = { 0 };
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0)
		ws.ws_col = ws.ws_row = 0;
	*width = cast_env_number("COLUMNS");
	*height = cast_env_number("LINES");
	if (!*width)
		*width = ws.ws_col ? ws.ws_col : 80;
	if (!*height)
		*height = ws.ws_row ? ws.ws_row : 24;
}

/*
 * The header goes in at once: from now on the file is a recording (of
 * nothing yet, if the screen never opens), and a file that takes no
 * bytes (/dev/full) is found out before the screen opens.
 */
int cast_open(const char *path, const char *title)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	cast.file = fd;
	cast.owner = getpid();
	cast.error = 0;
	snprintf(cast.title, sizeof(cast.title), "%s", title);
	int width, height;
	cast_size(&width, &height);
	cast_header(width, height);
	if (!cast.error)
		return 0;
	close(fd);
	cast.file = -1;
	return cast.error;
}

bool cast_open_now(void)
{
	return cast.file >= 0 && getpid() == cast.owner;
}

int cast_error(void)
{
	return cast.error;
}

/* --- the recorder thread --- */

/* Seconds since the recording started. */
static double cast_elapsed(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - cast.t0.tv_sec) +
	       (double)(now.tv_nsec - cast.t0.tv_nsec) / 1e9;
}

/* To the terminal as it came; stops trying once the terminal is gone. */
static void cast_to_tty(const unsigned char *buf, size_t len)
{
	while (len > 0 && cast.tty >= 0) {
		ssize_t n = write(cast.tty, buf, len);
		if (n < 0 && errno != EINTR)
			return; /* a hangup: the file still gets it all */
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
}

/* One event line for buf[0..len), stamped at; returns the bytes used. */
static size_t cast_event(const unsigned char *buf, size_t len, double at,
			 bool final)
{
	static char line[CAST_FRAME * 6 + 64];
	int k = snprintf(line, sizeof(line), "[%.6f, \"o\", \"", at);
	size_t used = cast_escape(buf, len, final, line + k);
	if (used == 0)
		return 0;
	size_t n = strlen(line);
	memcpy(line + n, "\"]\n", 3);
	cast_write(line, n + 3);
	return used;
}

/*
 * The frame the recorder is gathering (the thread's own): frame[0..have),
 * of which the first pend bytes are the start of a character that the
 * last event could not take (a read may cut one), and the time at which
 * its first new byte came.
 */
static unsigned char frame[CAST_FRAME + 4];
static size_t have, pend;
static double frame_at;

/* The frame so far as an event (final: every byte, cut or not). */
static void cast_emit(bool final)
{
	if (have == pend && !(final && have))
		return;
	size_t used = cast_event(frame, have, frame_at, final);
	memmove(frame, frame + used, have - used);
	have = pend = have - used;
}

/* What the pipe holds now, to the terminal at once and to the frame.
 * False when every writer has gone. */
static bool cast_take(void)
{
	for (;;) {
		if (have > CAST_FRAME - CAST_CHUNK)
			cast_emit(false); /* a frame larger than we hold */
		ssize_t n = read(cast.data[0], frame + have, CAST_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 && errno == EAGAIN;
		cast_to_tty(frame + have, (size_t)n);
		if (have == pend)
			frame_at = cast_elapsed(); /* a frame starts */
		have += (size_t)n;
	}
}

/*
 * Copy the pipe until told to stop, one event per frame: a mark on the
 * wake pipe (cast_mark(), after curses wrote a frame) closes the frame
 * with what the pipe holds then, which is all curses wrote before it.
 */
static void *cast_thread(void *arg)
{
	(void)arg;
	bool open = true;
	while (open) {
		struct pollfd p[2] = { { cast.data[0], POLLIN, 0 },
				       { cast.wake[0], POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			open = cast_take();
		char marks[64];
		if ((p[1].revents & POLLIN) &&
		    read(cast.wake[0], marks, sizeof(marks)) > 0) {
			open = cast_take() && open;
			cast_emit(false);
		}
		if (atomic_load(&cast.stopping)) {
			cast_take();
			break;
		}
	}
	cast_emit(true);
	return NULL;
}

/* --- on and off --- */

FILE *cast_screen(void)
{
	if (!cast_open_now())
		return stdout;
	if (!cast.screen_file) {
		cast.screen = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		cast.screen_file = cast.screen >= 0
					   ? fdopen(cast.screen, "w") : NULL;
	}
	return cast.screen_file;
}

/* The recorder's thread, with every signal blocked: they are the main
 * loop's, and a blocked poll() need not be woken by them. */
static bool cast_spawn(void)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int err = pthread_create(&cast.thread, NULL, cast_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return err == 0;
}

bool cast_start(void)
{
	if (!cast_open_now() || cast.screen < 0)
		return false;
	fflush(cast.screen_file);
	/* the thread reads without waiting (it polls first); curses and
	 * cast_mark() write, curses waiting for room, a mark never */
	if (pipe2(cast.data, O_CLOEXEC) != 0 ||
	    pipe2(cast.wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    fcntl(cast.data[0], F_SETFL, O_NONBLOCK) != 0)
		return false;
	atomic_store(&cast.stopping, false);
	cast.tty = fcntl(cast.screen, F_DUPFD_CLOEXEC, 3);
	clock_gettime(CLOCK_MONOTONIC, &cast.t0);
	if (cast.tty < 0 || !cast_spawn())
		return false;
	/* from here on, what curses writes goes through the recorder */
	dup2(cast.data[1], cast.screen);
	close(cast.data[1]);
	cast.data[1] = -1;
	cast.running = 1;
	return true;
}

static void cast_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void cast_stop(void)
{
	if (!cast_open_now())
		return;
	if (cast.running) {
		cast.running = 0;
		dup2(cast.tty, cast.screen); /* curses' terminal again */
		atomic_store(&cast.stopping, true);
		if (write(cast.wake[1], "s", 1) < 0) {
			/* full of marks: the thread wakes for those */
		}
		pthread_join(cast.thread, NULL);
		cast_close_fd(&cast.data[0]);
		cast_close_fd(&cast.wake[0]);
		cast_close_fd(&cast.wake[1]);
		cast_close_fd(&cast.tty);
	}
	if (close(cast.file) != 0 && !cast.error)
		cast.error = errno;
	cast.file = -1;
}

void cast_mark(void)
{
	if (cast.running && getpid() == cast.owner &&
	    write(cast.wake[1], "f", 1) < 0) {
		/* full: the thread has marks to read, frames merge */
	}
}

void cast_crash(void)
{
	if (cast.running && getpid() == cast.owner) {
		cast.running = 0;
		dup2(cast.tty, cast.screen);
	}
}
