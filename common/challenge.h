/*
 * challenge.h: goals the person reaches as the scheduler.  A lesson's
 * challenges (struct lesson_challenge, in lesson.h) are judged on the
 * finished run the same way quiz.c reads a question's truth: --challenge
 * in plain text (lesson.c) and in the viewer (view.c) both use these.
 */
#ifndef INTERLEAVE_CHALLENGE_H
#define INTERLEAVE_CHALLENGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "run.h"

/* How many challenges l has. */
int challenge_count(const struct lesson *l);
/* --challenge=list: one line each, "N  goal  (options)". */
void challenge_list(const struct lesson *l, FILE *out);
/* Is cfg a run that challenge ch is about (variant, options, step mode)? */
bool challenge_applies(const struct lesson_challenge *ch,
		       const struct run_config *cfg);
/*
 * Make cfg a run of challenge ch: its variant and options (the others
 * stay), step mode, the manual policy, no schedule.  The viewer's g.
 */
void challenge_configure(const struct lesson_challenge *ch,
			 struct run_config *cfg);
/* "Challenge 2: GOAL, in at most 9 steps." */
void challenge_goal(const struct lesson_challenge *ch, int n, char *buf,
		    size_t size);
/*
 * The verdict on a finished run: true when the goal holds within the
 * budget.  buf gets one line: "met in 4 steps (budget 4)", or what went
 * wrong (not met, and the figures it was read from; over the budget;
 * the run cut short).
 */
bool challenge_judge(const struct lesson_challenge *ch,
		     const struct run_result *res, char *buf, size_t size);
/* Plain text, after the summary line: the verdict and, if met, why. */
bool challenge_report(const struct lesson_challenge *ch, int n,
		      const struct run_result *res, FILE *out);

#endif
