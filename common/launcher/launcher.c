/*
 * launcher.c: main() of `interleave`, the one entry point.
 *
 *   interleave                  the menu of every lesson (a terminal)
 *   interleave LESSON [OPTIONS] that lesson's program, as if run itself
 *   interleave --list           the lessons and variants, as text
 *   interleave --man            interleave-lessons(7), as man(7) source
 *
 * A lesson runs as its own program, found beside this one: installed, as
 * interleave-LESSON (make install); in the build tree, as LESSON.  So the
 * lesson's viewer owns the terminal while it runs, exactly as when it is
 * run by hand, and the menu only gives the terminal over and takes it back.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "launcher.h"

/* How long a lesson has to end after SIGTERM before it gets SIGKILL. */
#define LAUNCHER_GRACE_MS 3000

static const char launcher_usage[] =
	"Usage: interleave [LESSON [OPTIONS]]\n"
	"       interleave --list | --man | --help | --version\n"
	"\n"
	"Without arguments, a menu of every lesson, by topic, on the terminal:\n"
	"Up/Down (or j/k, PgUp/PgDn, Home/End) choose a variant or a challenge,\n"
	"Enter opens it in the lesson's viewer (a challenge: --challenge=N), and\n"
	"quitting the viewer (q, or Ctrl-C) comes back to the menu; q or Esc\n"
	"quits.  Variants opened before and challenges met are marked '*', and\n"
	"each lesson's line counts its challenges met and questions answered.\n"
	"\n"
	"  LESSON [OPTIONS]  run that lesson's program with OPTIONS (see\n"
	"                    interleave LESSON --help)\n"
	"  --list            the lessons by topic, each with its variants\n"
	"  --man             the lessons' manual page, interleave-lessons(7), as\n"
	"                    man(7) source (make install installs it; from the\n"
	"                    build tree: interleave --man | man -l -)\n"
	"  --help            this text\n"
	"  --version         the version\n"
	"\n"
	"What was done is kept in $XDG_STATE_HOME/interleave/ (default\n"
	"~/.local/state/interleave/): opened (variants opened from the menu),\n"
	"challenges (met) and quizzes (questions answered, right or wrong), the\n"
	"last two however the lesson was started.  A missing or damaged file is\n"
	"ignored, and one that cannot be written is said, in the menu's status\n"
	"line (a lesson: on stderr, or its viewer's message line); neither\n"
	"stops the menu nor changes an exit status.\n"
	"\n"
	"Exit status: 0 done (with LESSON: the lesson's own status), 1 a lesson's\n"
	"program cannot be found or run, 2 bad usage, 128+N ended by signal N.\n";

/* "interleave: ..." on stderr, where to look, and the usage status. */
static int launcher_refuse(const char *fmt, const char *arg, const char *see)
{
	fputs("interleave: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see interleave %s)\n", see);
	return 2;
}

/* Standard output flushed: 0, or 1 after saying why. */
static int launcher_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	fprintf(stderr, "interleave: cannot write standard output: %s\n",
		errno ? strerror(errno) : "write error");
	return 1;
}

/*
 * The program of lesson name, beside this one: DIR/interleave-NAME, else
 * DIR/NAME.  False, with why, when neither is there to run.
 */
static bool launcher_program(const char *name, char *path, size_t size,
			     char *why, size_t wsize)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(why, wsize, "cannot find my own program "
			 "(/proc/self/exe): %s", strerror(errno));
		return false;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	static const char *const forms[] = { "%s/interleave-%s", "%s/%s" };
	for (int i = 0; i < 2; i++) {
		int k = snprintf(path, size, forms[i], self, name);
		if (k > 0 && (size_t)k < size && access(path, X_OK) == 0)
			return true;
	}
	snprintf(why, wsize, "no program for lesson %s in %s (neither "
		 "interleave-%s nor %s)", name, self, name, name);
	return false;
}

static void launcher_nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/*
 * Wait for child pid; while it runs, a SIGTERM or SIGHUP that ends the
 * menu is passed on to it, and it has LAUNCHER_GRACE_MS to end before
 * SIGKILL, so no lesson outlives the launcher.  Its wait status.
 */
static int launcher_wait(pid_t pid)
{
	int st = 0, forwarded = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, forwarded ? WNOHANG : 0);
		if (w == pid)
			return st;
		if (w < 0 && errno != EINTR)
			return 0; /* not ours to wait for any more */
		int sig = menu_signal();
		if (!forwarded && (sig == SIGTERM || sig == SIGHUP)) {
			kill(pid, sig);
			forwarded = 1;
		} else if (forwarded && forwarded++ > LAUNCHER_GRACE_MS / 10) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return st;
		}
		if (forwarded)
			launcher_nap(10);
	}
}

/* In the child: run the lesson with opt, dying with the launcher if it
 * dies. */
static void launcher_child(const char *path, const char *name,
			   const char *opt, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1); /* the launcher died before the line above */
	char *argv[] = { (char *)name, (char *)opt, NULL };
	execv(path, argv);
	fprintf(stderr, "interleave: cannot run %s: %s\n", path,
		strerror(errno));
	_exit(127);
}

/*
 * A lesson that did not end well may have said why on the terminal: keep
 * it there until the person has read it.
 */
static void launcher_pause(const char *what)
{
	fprintf(stderr, "\ninterleave: %s.\nPress Enter for the menu.\n", what);
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		clearerr(stdin);
}

/* How the lesson ended, in what (one line); false if not well. */
static bool launcher_ended(int st, const char *name, const char *opt,
			   char *what, size_t size)
{
	bool bad = WIFSIGNALED(st) || (WEXITSTATUS(st) != 0 &&
				       WEXITSTATUS(st) != 128 + SIGINT);
	if (WIFSIGNALED(st))
		snprintf(what, size, "%s %s was killed by signal %d (%s)",
			 name, opt, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (bad)
		snprintf(what, size, "%s %s ended with status %d", name, opt,
			 WEXITSTATUS(st));
	else
		snprintf(what, size, "back from %s %s", name, opt);
	return !bad;
}

/*
 * menu_ops.open: run the lesson's program on the terminal with the
 * row's variant or challenge; then remember a variant as opened, and
 * read the state files afresh (the lesson may have added to them).
 */
static bool launcher_open(const struct catalog_row *row, char *status,
			  size_t size, void *ctx)
{
	struct state_book *book = ctx;
	const struct lesson *l = row->lesson;
	const char *vname = l->variants[row->variant].name;
	char path[PATH_MAX], why[PATH_MAX + 128], opt[STATE_WORD + 16];
	if (row->kind == CATALOG_CHALLENGE)
		snprintf(opt, sizeof(opt), "--challenge=%d", row->variant + 1);
	else
		snprintf(opt, sizeof(opt), "--variant=%s", vname);
	if (!launcher_program(l->name, path, sizeof(path), why, sizeof(why))) {
		snprintf(status, size, "%s", why);
		return true;
	}
	fflush(NULL);
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		snprintf(status, size, "cannot start %s: %s", l->name,
			 strerror(errno));
		return true;
	}
	if (pid == 0)
		launcher_child(path, l->name, opt, parent);
	int st = launcher_wait(pid);
	int sig = menu_signal();
	if (sig == SIGTERM || sig == SIGHUP)
		return false;
	char what[256], note[PATH_MAX + 128] = "";
	if (!launcher_ended(st, l->name, opt, what, sizeof(what)) &&
	    !menu_signal())
		launcher_pause(what);
	snprintf(status, size, "%s", what);
	if (row->kind == CATALOG_VARIANT)
		state_record(STATE_OPENED, l->name, vname, note, sizeof(note));
	char loaded[PATH_MAX + 128];
	state_load_book(book, false, loaded, sizeof(loaded));
	if (note[0] || loaded[0])
		snprintf(status, size, "%s", note[0] ? note : loaded);
	return true;
}

static int launcher_menu(void)
{
	if (!isatty(STDOUT_FILENO))
		return launcher_refuse("the menu needs a terminal; %s",
				       "use --list, or interleave LESSON "
				       "--plain", "--help");
	static struct state_book book; /* large: not on the stack */
	char note[PATH_MAX + 128] = "";
	state_load_book(&book, true, note, sizeof(note));
	struct menu_ops ops = { launcher_open, &book, &book };
	return menu_main(launcher_lessons, &ops, note);
}

/* interleave LESSON [OPTIONS]: become the lesson's program. */
static int launcher_exec(char **argv)
{
	const struct lesson *l = catalog_find(launcher_lessons, argv[0]);
	if (!l)
		return launcher_refuse("no lesson '%s'", argv[0], "--list");
	char path[PATH_MAX], why[PATH_MAX + 128];
	if (!launcher_program(l->name, path, sizeof(path), why, sizeof(why))) {
		fprintf(stderr, "interleave: %s\n", why);
		return 1;
	}
	execv(path, argv);
	fprintf(stderr, "interleave: cannot run %s: %s\n", path,
		strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return launcher_menu();
	const char *a = argv[1];
	if (a[0] != '-')
		return launcher_exec(argv + 1);
	static const char *const known[] = { "--list", "--help", "--version",
					     "--man" };
	int which = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(a, known[i]) == 0)
			which = i;
	if (which < 0)
		return launcher_refuse("unknown option '%s'", a, "--help");
	if (argc > 2)
		return launcher_refuse("%s takes nothing after it", a,
				       "--help");
	if (which == 0)
		catalog_print(launcher_lessons, stdout);
	else if (which == 1)
		fputs(launcher_usage, stdout);
	else if (which == 2)
		printf("interleave %s\n", INTERLEAVE_VERSION);
	else
		manpage_lessons(launcher_lessons, stdout);
	return launcher_flush();
}
