/*
 * challenge.c: goals the person reaches as the scheduler.
 *
 * A challenge is judged like a quiz question whose answer must be "yes":
 * its goal is a truth read from the finished run (quiz_truth), so the
 * table never says by hand whether a run met it.  The budget counts the
 * run's steps, which in manual mode are the person's choices.
 */
#include <stdlib.h>
#include <string.h>

#include "challenge.h"
#include "cli.h"
#include "quiz.h"

int challenge_count(const struct lesson *l)
{
	int n = 0;
	while (l->challenges && l->challenges[n].goal)
		n++;
	return n;
}

/* The challenge as a question: its variant, its options, its goal. */
static struct lesson_question challenge_question(
	const struct lesson_challenge *ch)
{
	return (struct lesson_question){ .variant = ch->variant,
					 .when = ch->when,
					 .ask = ch->says,
					 .kind = QUIZ_YESNO,
					 .truth = ch->goal,
					 .why = ch->why };
}

void challenge_list(const struct lesson *l, FILE *out)
{
	int n = challenge_count(l);
	if (n == 0)
		fprintf(out, "%s has no challenges yet\n", l->name);
	for (int i = 0; i < n; i++) {
		const struct lesson_challenge *ch = &l->challenges[i];
		struct lesson_question q = challenge_question(ch);
		char goal[400], args[600];
		challenge_goal(ch, i + 1, goal, sizeof(goal));
		quiz_args(&q, args, sizeof(args));
		fprintf(out, "%s\n  runs with: %s\n", goal, args);
	}
}

bool challenge_applies(const struct lesson_challenge *ch,
		       const struct run_config *cfg)
{
	struct lesson_question q = challenge_question(ch);
	return cfg->mode == RT_STEP && quiz_applies(&q, cfg);
}

/* cli_words: option name of the run set to value, a number or one of
 * its choices' names. */
static bool challenge_option(const char *name, const char *value, void *ctx)
{
	struct run_config *cfg = ctx;
	const struct lesson_option *o = cfg->lesson->options;
	int i = cli_option_index(cfg->lesson, name);
	if (i >= 0) {
		for (int k = 0; o[i].choices && o[i].choices[k]; k++)
			if (strcmp(o[i].choices[k], value) == 0)
				cfg->opts[i] = k;
		if (!o[i].choices)
			cfg->opts[i] = strtol(value, NULL, 10);
	}
	return true;
}

void challenge_configure(const struct lesson_challenge *ch,
			 struct run_config *cfg)
{
	const struct lesson *l = cfg->lesson;
	for (int i = 0; ch->variant && l->variants[i].name; i++)
		if (strcmp(l->variants[i].name, ch->variant) == 0)
			cfg->variant = i;
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", ch->when ? ch->when : "");
	cli_words(copy, challenge_option, cfg); /* the tests see a bad one */
	cfg->mode = RT_STEP;
	cfg->policy = POLICY_MANUAL;
	cfg->nschedule = 0;
}

void challenge_goal(const struct lesson_challenge *ch, int n, char *buf,
		    size_t size)
{
	if (ch->budget > 0)
		snprintf(buf, size, "challenge %d: %s, in at most %ld steps%s",
			 n, ch->says, ch->budget,
			 ch->fewest ? " (the fewest possible)" : "");
	else
		snprintf(buf, size, "challenge %d: %s", n, ch->says);
}

bool challenge_judge(const struct lesson_challenge *ch,
		     const struct run_result *res, char *buf, size_t size)
{
	struct lesson_question q = challenge_question(ch);
	char from[200];
	long holds;
	unsigned long long steps = (unsigned long long)res->steps;
	bool known = quiz_truth(&q, res, &holds, from, sizeof(from));
	bool late = ch->budget > 0 && steps > (unsigned long long)ch->budget;
	if (!known)
		snprintf(buf, size, "not met: %s", from);
	else if (!holds)
		snprintf(buf, size, "not met: the run ended with %s, and the "
			 "goal is %s", from, ch->goal);
	else if (late)
		snprintf(buf, size, "not met: the goal holds (%s), but in %llu "
			 "steps, over the budget of %ld", from, steps,
			 ch->budget);
	else if (ch->budget > 0)
		snprintf(buf, size, "met in %llu steps of a budget of %ld (%s)",
			 steps, ch->budget, from);
	else
		snprintf(buf, size, "met in %llu steps (%s)", steps, from);
	return known && holds && !late;
}

bool challenge_report(const struct lesson_challenge *ch, int n,
		      const struct run_result *res, FILE *out)
{
	char verdict[600];
	bool met = challenge_judge(ch, res, verdict, sizeof(verdict));
	fprintf(out, "challenge %d: %s\n", n, verdict);
	if (met)
		fprintf(out, "  why: %s\n", ch->why);
	return met;
}
