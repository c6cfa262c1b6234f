/*
 * test_quiz.c: predict, then reveal (--quiz and the viewer's p).
 *
 * Every question of every lesson is run as a person would: its own
 * command line, its true answer piped in (judged right) and a wrong one
 * (judged wrong).  The true answer is read from an in-process run of the
 * same command, and the answer the program states must be what its own
 * summary line says: a question can never carry an answer the run does
 * not produce.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiz.h"
#include "testutil.h"
#include "tmux.h"


/* The lessons that had to come with at least two questions each. */
static const char *const tq_required[] = {
	"race", "prodcons", "barrier", "bandwidth", "fork", "shmrace",
	"pipe", "deadlock", "locks", "event", "tls", "shm", "sched", NULL,
};

static int tq_nlessons(void)
{
	int n = 0;
	while (launcher_lessons[n])
		n++;
	return n;
}

static int tq_count(const struct lesson *l)
{
	int n = 0;
	while (l->questions && l->questions[n].ask)
		n++;
	return n;
}

/* A value that is not v for q: what a wrong prediction types. */
static long tq_wrong(const struct lesson_question *q, long v)
{
	int n = 0;
	switch (q->kind) {
	case QUIZ_YESNO:
		return !v;
	case QUIZ_CHOICE:
		while (q->choices[n])
			n++;
		return (v + 1) % n;
	default:
		return v + 1;
	}
}

/* The summary line of out (the line that starts "summary: "). */
static char *tq_summary(const char *out)
{
	const char *s = strstr(out, "summary: ");
	ck_assert_msg(s, "no summary line in:\n%s", out);
	size_t n = strcspn(s, "\n");
	char *line = malloc(n + 2);
	snprintf(line, n + 2, "%.*s ", (int)n, s); /* a space ends each */
	return line;
}

/*
 * The answers the program stated ("the run: X (from)") are what its
 * summary line says: each "name=value" of from is there (deadlock=no and
 * misuses=0 are what the line does not say).
 */
static void tq_stated_in_summary(const char *out)
{
	char *sum = tq_summary(out);
	for (const char *p = out; (p = strstr(p, "the run: ")); p++) {
		const char *open = strchr(p, '('), *close = strchr(p, ')');
		ck_assert_msg(open && close && open < strchr(p, '\n'),
			      "no source: %s", p);
		char from[300];
		snprintf(from, sizeof(from), "%.*s", (int)(close - open - 1),
			 open + 1);
		char *save;
		for (char *w = strtok_r(from, " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			char want[128];
			if (strcmp(w, "deadlock=no") == 0)
				ck_assert_msg(!strstr(sum, " deadlock=yes"), "%s", sum);
			else if (strcmp(w, "misuses=0") == 0)
				ck_assert_msg(!strstr(sum, " misuses="), "%s", sum);
			else {
				snprintf(want, sizeof(want), " %s ", w);
				ck_assert_msg(strstr(sum, want), "stated %s, but "
					      "the run says: %s", w, sum);
			}
		}
	}
	free(sum);
}

/* Does text name word (a number, T3) on its own, not inside another? */
static bool tq_names(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; (p = strstr(p, word)); p++) {
		bool before = p == text || !isalnum((unsigned char)p[-1]);
		bool after = !isalnum((unsigned char)p[n]);
		if (before && after)
			return true;
	}
	return false;
}

/*
 * Question j of lesson i, by its own command line: it applies to that
 * run; the run answers it; the true answers are judged right and a wrong
 * first one wrong, and every stated answer is the run's.
 */
static void tq_check(const struct lesson *l, int j)
{
	const struct lesson_question *q = &l->questions[j];
	char args[700], input[400] = "", wrong[400] = "", why[300];
	quiz_args(q, args, sizeof(args));
	struct cli c;
	ck_assert_int_eq(tcli(l, args, &c), CLI_RUN);
	ck_assert_msg(quiz_applies(q, &c.cfg), "%s question %d is not about "
		      "its own run: %s", l->name, j + 1, args);
	int idx[QUIZ_MAX], n = quiz_find(&c.cfg, idx);
	cli_free(&c);
	struct run_result res;
	trun(l, args, &res, NULL);
	for (int k = 0; k < n; k++) {
		const struct lesson_question *qk = &l->questions[idx[k]];
		long v;
		char said[64], bad[64];
		ck_assert_msg(quiz_truth(qk, &res, &v, why, sizeof(why)),
			      "%s %s: %s", l->name, args, why);
		quiz_say(l, qk, v, said, sizeof(said));
		/* the why of a question about its own run says its answer */
		if (idx[k] == j && (qk->kind == QUIZ_NUMBER ||
				    qk->kind == QUIZ_THREAD))
			ck_assert_msg(tq_names(qk->why, said), "%s question %d: "
				      "the run says %s, its why does not: %s",
				      l->name, j + 1, said, qk->why);
		quiz_say(l, qk, tq_wrong(qk, v), bad, sizeof(bad));
		/* what a person types is read back as the same answer */
		long back;
		ck_assert(quiz_parse(qk, said, &back, why, sizeof(why)));
		ck_assert_int_eq(qk->kind == QUIZ_YESNO ? !back : back,
				 qk->kind == QUIZ_YESNO ? !v : v);
		strcat(input, said);
		strcat(input, "\n");
		strcat(wrong, k ? said : bad);
		strcat(wrong, "\n");
	}
	char quiz_args_line[800], want[64], *out, *err;
	snprintf(quiz_args_line, sizeof(quiz_args_line), "--quiz --quiet %s",
		 args);
	ck_assert_int_eq(texec_in(l->name, quiz_args_line, input, &out, &err), 0);
	snprintf(want, sizeof(want), "quiz: %d of %d right\n", n, n);
	ck_assert_msg(strstr(out, want), "%s %s with %s:\n%s%s", l->name,
		      quiz_args_line, input, out, err);
	tq_stated_in_summary(out);
	free(out);
	free(err);
	ck_assert_int_eq(texec_in(l->name, quiz_args_line, wrong, &out, &err), 0);
	snprintf(want, sizeof(want), "quiz: %d of %d right\n", n - 1, n);
	ck_assert_msg(strstr(out, want) && strstr(out, ": wrong\n"),
		      "%s %s with %s:\n%s%s", l->name, quiz_args_line, wrong,
		      out, err);
	tq_stated_in_summary(out);
	free(out);
	free(err);
}

/*
 * Every lesson: each question checked; a lesson without any (yet) says
 * so to --quiz, exit 2.
 */
START_TEST(test_quiz_every_question)
{
	const struct lesson *l = launcher_lessons[_i];
	int n = tq_count(l);
	for (int r = 0; tq_required[r]; r++)
		if (strcmp(tq_required[r], l->name) == 0)
			ck_assert_msg(n >= 2, "%s has %d questions", l->name, n);
	for (int j = 0; j < n; j++)
		tq_check(l, j);
	if (n == 0) {
		char *out, *err;
		ck_assert_int_eq(texec_in(l->name, "--quiz --quiet", "", &out,
					  &err), 2);
		ck_assert_msg(strstr(err, "--quiz: this lesson has no "
				     "questions yet"), "%s", err);
		free(out);
		free(err);
	}
}
END_TEST

/*
 * A question whose `when` names no mode has the same answer on real
 * threads: its step-mode answers, piped to the free-mode run, are all
 * right there.
 */
static void tq_check_free(const struct lesson *l, int j)
{
	const struct lesson_question *q = &l->questions[j];
	char args[700], fargs[800], input[400] = "", why[300];
	static const char *const step_only[] = { "--mode=", "--schedule=",
						 "--seed=", "--policy=",
						 "--quantum=" };
	for (int i = 0; q->when && i < 5; i++)
		if (strstr(q->when, step_only[i]))
			return;
	quiz_args(q, args, sizeof(args));
	snprintf(fargs, sizeof(fargs), "%s --mode=free", args);
	struct cli step, free_run;
	ck_assert_int_eq(tcli(l, args, &step), CLI_RUN);
	ck_assert_int_eq(tcli(l, fargs, &free_run), CLI_RUN);
	int idx[QUIZ_MAX], n = quiz_find(&free_run.cfg, idx);
	struct run_result res;
	trun(l, args, &res, NULL);
	bool all = true;
	for (int k = 0; k < n; k++) {
		const struct lesson_question *qk = &l->questions[idx[k]];
		long v;
		char said[64];
		all = all && quiz_applies(qk, &step.cfg);
		ck_assert(quiz_truth(qk, &res, &v, why, sizeof(why)));
		quiz_say(l, qk, v, said, sizeof(said));
		strcat(input, said);
		strcat(input, "\n");
	}
	cli_free(&step);
	cli_free(&free_run);
	if (!all)
		return; /* a free-mode question of its own is among them */
	char line[900], want[64], *out, *err;
	snprintf(line, sizeof(line), "--quiz --quiet %s", fargs);
	ck_assert_int_eq(texec_in(l->name, line, input, &out, &err), 0);
	snprintf(want, sizeof(want), "quiz: %d of %d right\n", n, n);
	ck_assert_msg(strstr(out, want), "%s %s: the step-mode answers %s"
		      "are not free mode's:\n%s%s", l->name, line, input, out,
		      err);
	tq_stated_in_summary(out);
	free(out);
	free(err);
}

START_TEST(test_quiz_free_mode_agrees)
{
	const struct lesson *l = launcher_lessons[_i];
	for (int j = 0; j < tq_count(l); j++)
		tq_check_free(l, j);
}
END_TEST

/* The plain path in full: question, answer, run, verdict, why. */
START_TEST(test_quiz_plain_transcript)
{
	char *out, *err;
	int rc = texec_in("race", "--quiz --quiet --iterations=1 "
			  "--schedule=1,2,1,2", "98\n", &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(err, "");
	const char *q = strstr(out, "question 1 of 1: T1 deposits 1");
	const char *a = strstr(out, "your answer (a whole number): 98\n");
	const char *s = strstr(out, "summary: lesson=race");
	const char *v = strstr(out, "answer 1: the run: 99 (balance=99); "
				    "you said 98: wrong\n  why: ");
	ck_assert_msg(q && a && s && v && q < a && a < s && s < v, "%s", out);
	free(out);
	free(err);
}
END_TEST

/* Each answer is read as its kind: spaces, case, T2 or 2, a choice. */
START_TEST(test_quiz_parse)
{
	const struct lesson_question *q = deadlock_lesson.questions;
	char why[200];
	long v;
	struct lesson_question num = { .kind = QUIZ_NUMBER },
			       yn = { .kind = QUIZ_YESNO },
			       th = { .kind = QUIZ_THREAD };
	ck_assert(quiz_parse(&num, "  -7 \n", &v, why, sizeof(why)) && v == -7);
	ck_assert(!quiz_parse(&num, "7x", &v, why, sizeof(why)));
	ck_assert_str_eq(why, "'7x' is not a whole number");
	ck_assert(!quiz_parse(&num, "", &v, why, sizeof(why)));
	ck_assert(!quiz_parse(&num, "99999999999999999999", &v, why,
			      sizeof(why)));
	ck_assert(quiz_parse(&yn, "YES", &v, why, sizeof(why)) && v == 1);
	ck_assert(quiz_parse(&yn, "n", &v, why, sizeof(why)) && v == 0);
	ck_assert(!quiz_parse(&yn, "maybe", &v, why, sizeof(why)));
	ck_assert(quiz_parse(&th, "T3", &v, why, sizeof(why)) && v == 3);
	ck_assert(quiz_parse(&th, "2", &v, why, sizeof(why)) && v == 2);
	ck_assert(!quiz_parse(&th, "T0", &v, why, sizeof(why)));
	ck_assert(!quiz_parse(&th, "T", &v, why, sizeof(why)));
	int c = 0;
	while (q[c].kind != QUIZ_CHOICE)
		c++;
	ck_assert(quiz_parse(&q[c], "Deadlock", &v, why, sizeof(why)) && v == 0);
	ck_assert(quiz_parse(&q[c], "2", &v, why, sizeof(why)) && v == 1);
	ck_assert(!quiz_parse(&q[c], "4", &v, why, sizeof(why)));
	ck_assert(!quiz_parse(&q[c], "dead", &v, why, sizeof(why)));
}
END_TEST

/* A truth that names what the run lacks is an error, never an answer. */
START_TEST(test_quiz_truth_missing)
{
	struct run_result res;
	trun(&race_lesson, "--iterations=1", &res, NULL);
	struct lesson_question q = { .kind = QUIZ_NUMBER, .truth = "meals" };
	long v;
	char from[200];
	ck_assert(!quiz_truth(&q, &res, &v, from, sizeof(from)));
	ck_assert_str_eq(from, "the run has no 'meals'");
	q.truth = "balance<expected";
	ck_assert(quiz_truth(&q, &res, &v, from, sizeof(from)));
	ck_assert_str_eq(from, "balance=100 expected=100");
	ck_assert_int_eq(v, 0);
	/* a run cut short has no answer */
	trun(&race_lesson, "--max-steps=3", &res, NULL);
	q.truth = "balance";
	ck_assert(!quiz_truth(&q, &res, &v, from, sizeof(from)));
}
END_TEST

/* Bad input: one clear line on stderr, exit 2. */
static void tq_bad(const char *args, const char *input, const char *says)
{
	char *out, *err;
	int rc = texec_in("race", args, input, &out, &err);
	ck_assert_msg(rc == 2, "race %s: exit %d", args, rc);
	ck_assert_msg(strncmp(err, "race: --", 8) == 0 && strstr(err, says) &&
		      strchr(err, '\n') == err + strlen(err) - 1,
		      "race %s: stderr '%s' lacks '%s'", args, err, says);
	ck_assert_msg(!strstr(out, "summary:"), "it ran: %s", out);
	free(out);
	free(err);
}

START_TEST(test_quiz_bad_input)
{
	const char *one = "--quiz --quiet --iterations=1 --schedule=1,2,1,2";
	tq_bad(one, "ninety-nine\n", "question 1: 'ninety-nine' is not a "
	       "whole number; the answer is a whole number");
	tq_bad(one, "", "input ended before question 1 was answered");
	tq_bad("--quiz --quiet --variant=mutex", "40\n",
	       "input ended before question 2 was answered");
	tq_bad("--quiz --quiet --variant=mutex", "40\nperhaps\n",
	       "question 2: 'perhaps' is not yes or no");
	tq_bad("--quiz --explore --quiet", "", "--quiz asks about one run");
	tq_bad("--quiz --policy=manual", "", "choose one");
	tq_bad("--quiz --quiet --iterations=3", "", "no question is about "
	       "this run; one is about: race --quiz --variant=unsafe");
	/* a run that a --schedule decides is not the run a question
	 * describes, unless the question names it */
	char *out, *err;
	ck_assert_int_eq(texec_in("event", "--quiz --quiet --variant=set-first "
				  "--policy=rr --schedule=3,3,3", "2\n", &out,
				  &err), 2);
	ck_assert_msg(strstr(err, "no question is about this run; one is "
			     "about: event --quiz --variant=set-first"),
		      "%s", err);
	ck_assert_msg(strstr(err, ", and this run has --schedule=3,3,3 "),
		      "%s", err);
	free(out);
	free(err);
	/* the reason named: free mode's own default, not the variant */
	ck_assert_int_eq(texec_in("pool", "--quiz --quiet --mode=free", "",
				  &out, &err), 2);
	ck_assert_msg(strstr(err, "one is about: pool --quiz --variant=map "
			     "--tasks=4 --fn=square, and this run has "
			     "--tasks=16 (free mode's default) "), "%s", err);
	free(out);
	free(err);
	/* a lesson with no questions yet */
	struct lesson bare = race_lesson;
	bare.questions = NULL;
	struct cli c;
	ck_assert_int_eq(tcli(&bare, "--quiz", &c), CLI_USAGE);
}
END_TEST

/* Every `when` names options the lesson has, and a real variant. */
START_TEST(test_quiz_tables)
{
	for (int i = 0; launcher_lessons[i]; i++) {
		const struct lesson *l = launcher_lessons[i];
		for (int j = 0; j < tq_count(l); j++) {
			const struct lesson_question *q = &l->questions[j];
			char args[700];
			struct cli c;
			quiz_args(q, args, sizeof(args));
			ck_assert_msg(tcli(l, args, &c) == CLI_RUN, "%s: %s",
				      l->name, args);
			cli_free(&c);
			ck_assert_msg(q->why && strlen(q->why) > 20, "%s %d",
				      l->name, j);
			ck_assert(q->kind == QUIZ_CHOICE ? q->choices != NULL
							 : q->truth != NULL);
		}
	}
}
END_TEST

/* --- the viewer's p --- */

static void tq_view(struct tmux *t, const char *args)
{
	tmux_start_lesson(t, 100, 30, "race", args);
	SEE(t, "T1 deposit");
}

/* p asks, the typed answer is taken, then the end is revealed. */
START_TEST(test_quiz_view_key)
{
	struct tmux t = { "" };
	tq_view(&t, "--iterations=1 --schedule=1,2,1,2");
	SEE(&t, "p predict");
	tmux_keys(&t, "p");
	SEE(&t, "Predict: T1 deposits 1");
	GONE(&t, "Run complete");
	tmux_keys(&t, "x Enter");
	SEE(&t, "'x' is not a whole number");
	tmux_keys(&t, "9 8 BSpace 9 Enter");
	SEE(&t, "Run complete");
	SEE(&t, "Predicted: the run: 99 (balance=99); you said 99: right");
	SEE(&t, "Why: both read 100");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* --quiz with the viewer asks at once; Esc cancels; q types, not quits. */
START_TEST(test_quiz_view_flag)
{
	struct tmux t = { "" };
	tq_view(&t, "--quiz --variant=mutex");
	SEE(&t, "Predict: 2 tellers, 5 iterations each");
	tmux_keys(&t, "q");
	SEE(&t, "> q_");
	tmux_keys(&t, "Escape");
	SEE(&t, "p: no prediction made.");
	tmux_keys(&t, "p"); /* the next question */
	SEE(&t, "Predict: With the lock around read-and-write");
	tmux_keys(&t, "n o Enter");
	SEE(&t, "you said no: wrong");
	tmux_keys(&t, "p");
	SEE(&t, "p asks before the end is shown");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* A run with no question: p says so; C-c while asking leaves cleanly. */
START_TEST(test_quiz_view_none)
{
	struct tmux t = { "" };
	tq_view(&t, "--variant=unsafe --iterations=3");
	GONE(&t, "p predict");
	tmux_keys(&t, "p");
	SEE(&t, "p: no question is about this run");
	tmux_keys(&t, "r");
	tmux_stop(&t);
	tq_view(&t, "--iterations=1 --schedule=1,2,1,2 --quiz");
	SEE(&t, "Predict:");
	tmux_keys(&t, "C-c");
	SEE(&t, "EXIT=130");
	tmux_stop(&t);
}
END_TEST

/* On a terminal a bad answer is asked again, not refused. */
START_TEST(test_quiz_tty_asks_again)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "race", "--quiz --quiet "
			  "--iterations=1 --schedule=1,2,1,2");
	SEE(&t, "your answer (a whole number):");
	tmux_keys(&t, "a b c Enter");
	SEE(&t, "'abc' is not a whole number; please answer again");
	GONE(&t, "summary:");
	tmux_keys(&t, "9 9 Enter");
	SEE(&t, "quiz: 1 of 1 right");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

Suite *quiz_suite(void)
{
	Suite *s = suite_create("quiz");
	TCase *tc = tcase_create("plain");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_quiz_every_question, 0, tq_nlessons());
	tcase_add_test(tc, test_quiz_plain_transcript);
	tcase_add_test(tc, test_quiz_parse);
	tcase_add_test(tc, test_quiz_truth_missing);
	tcase_add_test(tc, test_quiz_bad_input);
	tcase_add_test(tc, test_quiz_tables);
	suite_add_tcase(s, tc);
	TCase *tf = tcase_create("free");
	tcase_set_tags(tf, "scale"); /* real threads at scale: not valgrind */
	tcase_set_timeout(tf, 300);
	tcase_add_loop_test(tf, test_quiz_free_mode_agrees, 0, tq_nlessons());
	suite_add_tcase(s, tf);
	TCase *tv = tcase_create("view");
	tcase_set_timeout(tv, 120);
	tcase_add_test(tv, test_quiz_view_key);
	tcase_add_test(tv, test_quiz_view_flag);
	tcase_add_test(tv, test_quiz_view_none);
	tcase_add_test(tv, test_quiz_tty_asks_again);
	tcase_add_unchecked_fixture(tv, NULL, tmux_teardown);
	suite_add_tcase(s, tv);
	return s;
}
