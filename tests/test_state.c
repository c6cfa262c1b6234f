/*
 * test_state.c: what the student has done, remembered (common/state.h):
 * a line added under the lock, by many writers at once; a damaged file;
 * and the lessons recording a met challenge and an answered quiz, in
 * plain text and in the viewer, without changing what a run prints or
 * its exit status when the directory cannot be written.
 *
 * Every test points XDG_STATE_HOME at a directory of its own, and puts
 * the runner's back at its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"
#include "testutil.h"
#include "tmux.h"

/* The runner's XDG_STATE_HOME, put back by ts_clean (CK_FORK=no runs
 * every test in one process). */
static char ts_was[256];

/* A fresh XDG_STATE_HOME for this test, its name in dir. */
static void ts_home(char *dir, size_t size)
{
	const char *was = getenv("XDG_STATE_HOME");
	snprintf(ts_was, sizeof(ts_was), "%s", was ? was : "");
	snprintf(dir, size, "/tmp/interleave-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_STATE_HOME", dir, 1);
}

static void ts_clean(const char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	if (ts_was[0])
		setenv("XDG_STATE_HOME", ts_was, 1);
	else
		unsetenv("XDG_STATE_HOME");
}

/* State file name under dir, whole (malloc'd), or NULL if it is not. */
static char *ts_read(const char *dir, const char *name)
{
	char path[300];
	snprintf(path, sizeof(path), "%s/interleave/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *text = calloc(1, 1 << 16);
	ck_assert_ptr_nonnull(text);
	size_t n = fread(text, 1, (1 << 16) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* How many lines of text are line (with its newline). */
static int ts_lines(const char *text, const char *line)
{
	int n = 0;
	size_t len = strlen(line);
	for (const char *p = text; p && *p; p = strchr(p, '\n') + 1) {
		n += strncmp(p, line, len) == 0 && p[len] == '\n';
		if (!strchr(p, '\n'))
			break;
	}
	return n;
}

/* A line added, kept once, beside the older ones; a header first. */
START_TEST(test_state_record)
{
	char dir[64], note[600];
	ts_home(dir, sizeof(dir));
	ck_assert(state_record(STATE_CHALLENGES, "race", "1", note,
			       sizeof(note)));
	ck_assert_str_eq(note, "");
	ck_assert(state_record_nth(STATE_CHALLENGES, "race", 3, note,
				   sizeof(note)));
	ck_assert(state_record(STATE_CHALLENGES, "race", "1", note,
			       sizeof(note)));
	ck_assert(!state_record(STATE_QUIZZES, "race", "two words", note,
				sizeof(note)));
	char *text = ts_read(dir, "challenges");
	ck_assert_str_eq(text, "# interleave: challenges met (LESSON N)\n"
			       "race 1\nrace 3\n");
	free(text);
	ck_assert_ptr_null(ts_read(dir, "quizzes"));
	/* and the book the menu reads: a missing file is no news */
	static struct state_book b;
	state_load_book(&b, true, note, sizeof(note));
	ck_assert_int_eq(state_count(&b.file[STATE_CHALLENGES], "race"), 2);
	ck_assert_int_eq(state_count(&b.file[STATE_QUIZZES], "race"), 0);
	ck_assert_str_eq(note, "nothing recorded yet");
	state_load_book(&b, false, note, sizeof(note));
	ck_assert_str_eq(note, "");
	ts_clean(dir);
}
END_TEST

/* A damaged file: its good lines kept, the new one added, and said. */
START_TEST(test_state_record_damaged)
{
	char dir[64], path[128], note[600];
	ts_home(dir, sizeof(dir));
	ck_assert(state_record(STATE_QUIZZES, "race", "1", note,
			       sizeof(note)));
	snprintf(path, sizeof(path), "%s/interleave/quizzes", dir);
	FILE *f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("garbage line here\n\x01\x02\n", f);
	fclose(f);
	ck_assert(state_record(STATE_QUIZZES, "tls", "2", note,
			       sizeof(note)));
	ck_assert_msg(strstr(note, "2 unreadable lines ignored"), "%s", note);
	char *text = ts_read(dir, "quizzes");
	ck_assert_int_eq(ts_lines(text, "race 1"), 1);
	ck_assert_int_eq(ts_lines(text, "tls 2"), 1);
	ck_assert_ptr_null(strstr(text, "garbage"));
	free(text);
	ts_clean(dir);
}
END_TEST

#define TS_WRITERS 6
#define TS_EACH 15

/*
 * Writers at once, each adding its own lines one at a time: every line
 * is there at the end (a read, add, rename without the lock loses some).
 */
START_TEST(test_state_concurrent)
{
	char dir[64], note[600];
	ts_home(dir, sizeof(dir));
	pid_t pids[TS_WRITERS];
	for (int w = 0; w < TS_WRITERS; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] > 0)
			continue;
		char lesson[16];
		snprintf(lesson, sizeof(lesson), "writer%d", w);
		bool ok = true;
		for (int i = 1; i <= TS_EACH; i++)
			ok = state_record_nth(STATE_CHALLENGES, lesson, i,
					      note, sizeof(note)) && ok;
		_exit(ok ? 0 : 1);
	}
	for (int w = 0; w < TS_WRITERS; w++) {
		int st;
		ck_assert_int_eq(waitpid(pids[w], &st, 0), pids[w]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	char *text = ts_read(dir, "challenges");
	for (int w = 0; w < TS_WRITERS; w++)
		for (int i = 1; i <= TS_EACH; i++) {
			char line[32];
			snprintf(line, sizeof(line), "writer%d %d", w, i);
			ck_assert_msg(ts_lines(text, line) == 1, "%s lost:\n%s",
				      line, text);
		}
	free(text);
	ts_clean(dir);
}
END_TEST

/* --challenge in plain text: met is remembered, not met is not. */
START_TEST(test_state_plain_challenge)
{
	char dir[64], *out, *err;
	ts_home(dir, sizeof(dir));
	ck_assert_int_eq(texec_in("race", "--challenge=1 --quiet",
				  "1\n1\n2\n2\n", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "challenge 1: not met"));
	ck_assert_ptr_null(strstr(err, "race: ")); /* the prompts only */
	ck_assert_ptr_null(ts_read(dir, "challenges"));
	free(out);
	free(err);
	ck_assert_int_eq(texec_in("race", "--challenge=1 --quiet",
				  "1\n2\n1\n2\n", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "challenge 1: met in 4 steps"));
	ck_assert_ptr_null(strstr(err, "race: "));
	char *text = ts_read(dir, "challenges");
	ck_assert_int_eq(ts_lines(text, "race 1"), 1);
	free(text);
	free(out);
	free(err);
	ts_clean(dir);
}
END_TEST

/* --quiz in plain text: each question answered, right or wrong. */
START_TEST(test_state_plain_quiz)
{
	char dir[64], *out, *err;
	ts_home(dir, sizeof(dir));
	ck_assert_int_eq(texec_in("race", "--quiz --quiet --variant=mutex",
				  "20\nyes\n", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "quiz: 1 of 2 right"));
	ck_assert_str_eq(err, "");
	char *text = ts_read(dir, "quizzes");
	ck_assert_ptr_nonnull(text);
	static struct state s;
	char path[128], note[600];
	snprintf(path, sizeof(path), "%s/interleave/quizzes", dir);
	ck_assert(state_load(&s, path, note, sizeof(note)));
	ck_assert_int_eq(state_count(&s, "race"), 2);
	free(text);
	free(out);
	free(err);
	ts_clean(dir);
}
END_TEST

/*
 * A state directory that cannot be written: one line on stderr, the
 * same output and exit status as with one that can.
 */
START_TEST(test_state_plain_unwritable)
{
	char dir[64], *out, *err, *out2, *err2;
	ts_home(dir, sizeof(dir));
	const char *args = "--challenge=1 --plain", *in = "1\n2\n1\n2\n";
	ck_assert_int_eq(texec_in("race", args, in, &out, &err), 0);
	setenv("XDG_STATE_HOME", "/dev/null", 1);
	ck_assert_int_eq(texec_in("race", args, in, &out2, &err2), 0);
	ck_assert_str_eq(out2, out);
	/* the prompts, then the one line */
	char want[4096];
	snprintf(want, sizeof(want), "%srace: cannot save to /dev/null/"
		 "interleave/challenges: Not a directory\n", err);
	ck_assert_str_eq(err2, want);
	free(out);
	free(err);
	free(out2);
	free(err2);
	ts_clean(dir);
}
END_TEST

/* In the viewer: a met challenge and an answered question, recorded. */
START_TEST(test_state_view)
{
	char dir[64], env[128];
	ts_home(dir, sizeof(dir));
	snprintf(env, sizeof(env), "XDG_STATE_HOME=%s", dir);
	struct tmux t = { "" };
	tmux_start_env(&t, 100, 30, env, "race", "--challenge=1");
	SEE(&t, "challenge 1: make the balance end at 99");
	tmux_keys(&t, "1 2 1 2");
	SEE(&t, "Challenge 1 met in 4 steps");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
	char *text = ts_read(dir, "challenges");
	ck_assert_int_eq(ts_lines(text, "race 1"), 1);
	free(text);
	/* p, answered wrong: still remembered, as answered */
	struct tmux q = { "" };
	tmux_start_env(&q, 100, 30, env, "race",
		       "--iterations=1 --schedule=1,2,1,2");
	SEE(&q, "p predict");
	tmux_keys(&q, "p");
	SEE(&q, "Predict: T1 deposits 1");
	tmux_keys(&q, "9 8 Enter");
	SEE(&q, "you said 98: wrong");
	tmux_keys(&q, "q");
	SEE(&q, "EXIT=0");
	tmux_stop(&q);
	static struct state st;
	char path[128], note[600];
	snprintf(path, sizeof(path), "%s/interleave/quizzes", dir);
	ck_assert(state_load(&st, path, note, sizeof(note)));
	ck_assert_int_eq(st.n, 1);
	ck_assert_str_eq(st.e[0].lesson, "race");
	/* a state directory that is a file: said on the screen, not stderr */
	struct tmux u = { "" };
	tmux_start_env(&u, 100, 30, "XDG_STATE_HOME=/dev/null", "race",
		       "--challenge=1");
	SEE(&u, "challenge 1: make the balance end at 99");
	tmux_keys(&u, "1 2 1 2");
	SEE(&u, "(cannot save to /dev/null/interleave/challenges: Not a");
	tmux_keys(&u, "q");
	SEE(&u, "EXIT=0");
	tmux_stop(&u);
	ts_clean(dir);
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_state_record);
	tcase_add_test(tc, test_state_record_damaged);
	tcase_add_test(tc, test_state_concurrent);
	tcase_add_test(tc, test_state_plain_challenge);
	tcase_add_test(tc, test_state_plain_quiz);
	tcase_add_test(tc, test_state_plain_unwritable);
	suite_add_tcase(s, tc);
	TCase *tv = tcase_create("view");
	tcase_set_timeout(tv, 120);
	tcase_add_test(tv, test_state_view);
	tcase_add_unchecked_fixture(tv, NULL, tmux_teardown);
	suite_add_tcase(s, tv);
	return s;
}
