/*
 * test_record.c: --record=FILE.cast, the viewer as an asciicast v2
 * recording.  The viewer is driven in tmux as a person would; the file it
 * leaves is read by the real player's own tool, `asciinema cat`, which
 * refuses a file that is not a valid recording.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cast.h"
#include "tmux.h"

/* The whole file at path (malloc'd), or NULL. */
static char *trec_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *s = calloc(1, 1 << 22);
	size_t n = fread(s, 1, (1 << 22) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

/*
 * `asciinema cat path`: its exit status, and what it printed in *out.  It
 * opens /dev/tty for the keyboard, so it gets a terminal of its own from
 * script(1) (util-linux, always there on Debian); and it refuses to run
 * in the C locale, so it gets C.UTF-8 (built into glibc).
 */
static int trec_cat(const char *path, char **out)
{
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 script -qec 'asciinema cat "
		 "%s' /dev/null </dev/null 2>&1", path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	*out = calloc(1, 1 << 22);
	size_t n = fread(*out, 1, (1 << 22) - 1, p);
	(*out)[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* path in the pane's directory. */
static void trec_path(const struct tmux *t, const char *name, char *buf,
		      size_t size)
{
	char dir[128];
	tmux_dir(t, dir, sizeof(dir));
	snprintf(buf, size, "%s/%s", dir, name);
}

/*
 * The recording at path is valid for asciinema, w x h, its output shows
 * want (unless NULL), and its first frame (the header and the first event, played
 * alone) shows title.  Returns the file (malloc'd).
 */
static char *trec_check(const char *path, int w, int h, const char *title,
			const char *want)
{
	char *file = trec_slurp(path), *out, head[128];
	ck_assert_msg(file, "no recording at %s", path);
	snprintf(head, sizeof(head), "{\"version\": 2, \"width\": %d, "
		 "\"height\": %d, \"timestamp\": ", w, h);
	ck_assert_msg(strncmp(file, head, strlen(head)) == 0, "header: %.300s",
		      file);
	ck_assert_ptr_nonnull(strstr(file, "\"env\": {\"TERM\": \""));
	int rc = trec_cat(path, &out);
	ck_assert_msg(rc == 0, "asciinema cat %s: exit %d: %.2000s", path, rc,
		      out);
	ck_assert_msg(!want || strstr(out, want),
		      "the recording never shows '%s'", want);
	free(out);
	/* the first frame alone, through the same tool */
	char first[600];
	snprintf(first, sizeof(first), "%s.first", path);
	FILE *f = fopen(first, "w");
	ck_assert_ptr_nonnull(f);
	char *end = strchr(strchr(file, '\n') + 1, '\n');
	ck_assert_ptr_nonnull(end);
	fwrite(file, 1, (size_t)(end + 1 - file), f);
	fclose(f);
	ck_assert_int_eq(trec_cat(first, &out), 0);
	ck_assert_msg(strstr(out, title), "the first frame lacks '%s': %s",
		      title, out);
	free(out);
	return file;
}

/* The number of event lines of a recording; *last: the last one. */
static int trec_events(char *file, char **last)
{
	int events = 0;
	*last = file;
	for (char *p = strstr(file, "\n["); p; p = strstr(p + 1, "\n[")) {
		events++;
		*last = p + 1;
	}
	return events;
}

/*
 * Every way out leaves a whole recording, up to curses' very last bytes
 * (leaving the alternate screen, ESC [ ? 1049 l): q, Ctrl-C, SIGTERM,
 * SIGHUP.  And the terminal is given back.
 */
START_TEST(test_record_ways_out)
{
	static const char *const keys[] = { "q", "C-c", NULL, NULL };
	static const int sigs[] = { 0, 0, SIGTERM, SIGHUP };
	static const char *const want[] = { "EXIT=0", "EXIT=130", "EXIT=143",
					    "EXIT=129" };
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "race",
			  "--iterations=1 --schedule=1,2,1,2 --record=run.cast");
	SEE(&t, " race  unsafe  step  schedule of 4");
	tmux_keys(&t, "n n");
	SEE(&t, "paused step 2");
	if (keys[_i])
		tmux_keys(&t, keys[_i]);
	else
		ck_assert_int_eq(kill(tmux_lesson_pid(&t), sigs[_i]), 0);
	SEE(&t, want[_i]);
	GONE(&t, "timeline");
	char path[200];
	trec_path(&t, "run.cast", path, sizeof(path));
	/* the log's line of step 2, drawn once it happened */
	char *file = trec_check(path, 100, 30,
				" race  unsafe  step  schedule of 4",
				"2  T2 withdraw    load       balance -> 100");
	char *last;
	trec_events(file, &last);
	ck_assert_msg(strstr(last, "\\u001b[?1049l"),
		      "the recording stops before the viewer's last bytes: "
		      "%s", last);
	free(file);
	tmux_stop(&t);
}
END_TEST

/* Through the launcher; a lesson of processes (each forked process
 * holds the recorder's pipe too); a free run. */
START_TEST(test_record_runs)
{
	static const char *const prog[] = { "interleave", "fork", "race" };
	static const char *const args[] = {
		"race --record=run.cast",
		"--record=run.cast",
		"--mode=free --iterations=200 --record=run.cast",
	};
	/* a free run's first frame says it is running */
	static const char *const title[] = { " race  variant unsafe",
					     " fork  variant",
					     "race: running unsafe on real "
					     "threads" };
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, prog[_i], args[_i]);
	SEE(&t, "paused step");
	/* where it starts: a free replay starts where the threads first
	 * interleave */
	char *screen = tmux_screen(&t), step[32];
	int from = -1;
	ck_assert_int_eq(sscanf(strstr(screen, "paused step ") + 12, "%d",
				&from), 1);
	free(screen);
	tmux_keys(&t, "n n n n");
	snprintf(step, sizeof(step), "paused step %d ", from + 4);
	SEE(&t, step); /* drawn: q with the keys would quit first */
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	char path[200];
	trec_path(&t, "run.cast", path, sizeof(path));
	/*
	 * The frames after the keys are in it: curses draws only what
	 * changed (step 13 to 14 is a "4"), so count them: the first, the
	 * keys' (one or more), the last (leaving the alternate screen).
	 */
	char *file = trec_check(path, 100, 30, title[_i], NULL);
	char *last;
	int events = trec_events(file, &last);
	ck_assert_msg(events >= 3, "%d events in %s", events, file);
	ck_assert_ptr_nonnull(strstr(last, "\\u001b[?1049l"));
	free(file);
	tmux_stop(&t);
}
END_TEST

/*
 * A file that cannot be written: one clear line and exit 1 (an
 * environment failure), before the screen opens (the header is written
 * then, so a device that takes nothing is found out too).
 */
START_TEST(test_record_unwritable)
{
	static const char *const args[] = {
		"--record=/nonexistent/run.cast 2>&1",
		"--record=. 2>&1",
		"--record=/dev/full 2>&1",
	};
	static const char *const said[] = {
		"race: --record: cannot write '/nonexistent/run.cast': No such "
		"file or directory",
		"race: --record: cannot write '.': Is a directory",
		"race: --record: cannot write '/dev/full': No space left on "
		"device",
	};
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "race", args[_i]);
	SEE(&t, said[_i]);
	SEE(&t, "EXIT=1");
	GONE(&t, "timeline"); /* the viewer never opened */
	tmux_stop(&t);
}
END_TEST

/*
 * A fatal error before the first frame (a terminal curses does not
 * know): exit 1, said, and the file is still a valid recording, of
 * nothing.
 */
START_TEST(test_record_fatal)
{
	struct tmux t = { "" };
	tmux_start_env(&t, 100, 30, "TERM=no-such-terminal", "race",
		       "--record=run.cast 2>&1");
	SEE(&t, "cannot start the terminal (TERM=no-such-terminal)");
	SEE(&t, "EXIT=1");
	char path[200], *out;
	trec_path(&t, "run.cast", path, sizeof(path));
	char *file = trec_slurp(path);
	ck_assert_ptr_nonnull(file);
	ck_assert_ptr_nonnull(strstr(file, "\"TERM\": \"no-such-terminal\"}}\n"));
	ck_assert_int_eq(trec_cat(path, &out), 0);
	free(out);
	free(file);
	tmux_stop(&t);
}
END_TEST

/* Bad usage: one line, exit 2, and no file made. */
START_TEST(test_record_usage)
{
	static const char *const args[] = {
		"--record=/tmp/interleave-test-never.cast --plain",
		"--record=/tmp/interleave-test-never.cast --quiet",
		"--record=/tmp/interleave-test-never.cast --explore",
		"--record=",
		/* standard output is not a terminal here */
		"--record=/tmp/interleave-test-never.cast",
		"--record=/tmp/interleave-test-never.cast --view",
	};
	unlink("/tmp/interleave-test-never.cast");
	tbad_input("race", args[_i]);
	ck_assert_int_ne(access("/tmp/interleave-test-never.cast", F_OK), 0);
}
END_TEST

/* The JSON of terminal bytes: valid whatever the bytes are. */
START_TEST(test_record_escape)
{
	static const struct {
		const char *in;
		bool final;
		const char *out;
		size_t used;
	} c[] = {
		{ "a\"b\\c", false, "a\\\"b\\\\c", 5 },
		{ "\033[H\r\n\t\x0f\x7f", false,
		  "\\u001b[H\\r\\n\\t\\u000f\\u007f", 8 },
		{ "caf\xc3\xa9 \xe2\x94\x80", false,
		  "caf\xc3\xa9 \xe2\x94\x80", 9 },   /* UTF-8 kept */
		{ "ab\xe2\x94", false, "ab", 2 },    /* cut: next time */
		{ "ab\xe2\x94", true, "ab\\u00e2\\u0094", 4 },
		{ "\xff\xc0\x80", false, "\\u00ff\\u00c0\\u0080", 3 },
		{ "\xed\xa0\x80", false, "\\u00ed\\u00a0\\u0080", 3 },
		{ "\xf4\x90\x80\x80", false,
		  "\\u00f4\\u0090\\u0080\\u0080", 4 }, /* past U+10FFFF */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char out[128];
		size_t used = cast_escape((const unsigned char *)c[i].in,
					  strlen(c[i].in), c[i].final, out);
		ck_assert_msg(strcmp(out, c[i].out) == 0 && used == c[i].used,
			      "case %zu: '%s' (%zu), want '%s' (%zu)", i, out,
			      used, c[i].out, c[i].used);
	}
}
END_TEST

Suite *record_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("cli");
	tcase_add_loop_test(tc, test_record_usage, 0, 6);
	tcase_add_test(tc, test_record_escape);
	suite_add_tcase(s, tc);
	tc = tcase_create("tmux");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_record_ways_out, 0, 4);
	tcase_add_loop_test(tc, test_record_runs, 0, 3);
	tcase_add_loop_test(tc, test_record_unwritable, 0, 3);
	tcase_add_test(tc, test_record_fatal);
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	suite_add_tcase(s, tc);
	return s;
}
