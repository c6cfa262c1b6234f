/*
 * quiz.h: predict, then reveal.  A lesson's questions (struct
 * lesson_question, in lesson.h) are asked before a run's outcome is
 * shown, and judged against what the run produced: --quiz in plain text
 * (lesson.c) and the viewer's p key (view.c) both use these.
 */
#ifndef INTERLEAVE_QUIZ_H
#define INTERLEAVE_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "run.h"

/* The most questions one run is asked. */
#define QUIZ_MAX 16

/* Does question q apply to a run of cfg (its variant, its `when`)? */
bool quiz_applies(const struct lesson_question *q,
		  const struct run_config *cfg);
/*
 * The indexes (into the lesson's questions) of those that apply to cfg,
 * in table order, at most QUIZ_MAX: how many.
 */
int quiz_find(const struct run_config *cfg, int *idx);
/* How the answer is typed: "a whole number", "yes or no", ... */
void quiz_hint(const struct lesson *l, const struct lesson_question *q,
	       char *buf, size_t size);
/*
 * A typed answer, read as q reads it: true with its value in *v, or
 * false with why (one phrase) in buf.  Spaces around it do not count.
 */
bool quiz_parse(const struct lesson_question *q, const char *text, long *v,
		char *why, size_t size);
/*
 * The true answer, from the run's result: true with it in *v; false (and
 * why in buf) when the truth names a figure the run does not have, or the
 * run has no verdict (cut short).  from gets "balance=99" and the like:
 * the figures it was read from.
 */
bool quiz_truth(const struct lesson_question *q, const struct run_result *res,
		long *v, char *from, size_t fsize);
/* An answer's value as a person would type it: "99", "yes", "T2", a label. */
void quiz_say(const struct lesson *l, const struct lesson_question *q, long v,
	      char *buf, size_t size);
/*
 * The command line that a question is about, for a person who asked a
 * run that has none: "--variant=V WHEN", or "" when it is any run.
 */
void quiz_args(const struct lesson_question *q, char *buf, size_t size);
/*
 * Why q is not about a run of cfg: the first of its options that the run
 * has otherwise, as the run has it ("--tasks=16 (free mode's default)",
 * "--variant=die", "--schedule=3,3,3"); "" when there is none.
 */
void quiz_differs(const struct lesson_question *q,
		  const struct run_config *cfg, char *buf, size_t size);

/*
 * --quiz in plain text: ask each question that applies to cfg on out,
 * read each answer from in.  A bad answer is asked again on a terminal;
 * anywhere else, or at end of input, it is one line on stderr and
 * false.  answers[] gets the values, idx[] the questions; *n how many.
 */
bool quiz_ask(const struct run_config *cfg, FILE *in, FILE *out, int *idx,
	      long *answers, int *n);
/* After the run: each question's true answer, the verdict, the why. */
void quiz_reveal(const struct run_config *cfg, const struct run_result *res,
		 const int *idx, const long *answers, int n, FILE *out);
/*
 * The verdict on one answer as a line of text: "the run: 99 (balance=99);
 * you said 98: wrong".  Returns whether it was right.
 */
bool quiz_verdict(const struct lesson *l, const struct lesson_question *q,
		  const struct run_result *res, long answer, char *buf,
		  size_t size);

/*
 * Remember that question i (an index into l's questions) was answered,
 * once the run judged it (right or wrong: the reveal is the lesson), in
 * the quizzes state file.  note gets one line when there is something to
 * say (state.h); false when not judged or not saved.
 */
bool quiz_remember(const struct lesson *l, int i,
		   const struct run_result *res, char *note, size_t size);

#endif
