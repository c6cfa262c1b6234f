/*
 * quiz.c: predict, then reveal.
 *
 * A question never carries its answer.  It says where the answer is in a
 * finished run (a summary figure, the invariant, a comparison of two
 * figures), so the same table entry is right for every seed, schedule and
 * option it applies to, and the tests can check each one against the run
 * it is about.  The person's answer is read first and the run comes after:
 * nothing of the outcome is on the screen when they commit to it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "quiz.h"
#include "state.h"

/* --- which questions a run is asked --- */

/* cfg's value of option key as a person types it; false: no such option. */
static bool quiz_value(const struct run_config *cfg, const char *key,
		       char *buf, size_t size)
{
	static const char *const modes[] = { "step", "free" };
	static const char *const policies[] = { "random", "rr", "manual",
						"pct" };
	const struct lesson_option *o = cfg->lesson->options;
	if (strcmp(key, "mode") == 0)
		snprintf(buf, size, "%s", modes[cfg->mode]);
	else if (strcmp(key, "variant") == 0)
		snprintf(buf, size, "%s",
			 cfg->lesson->variants[cfg->variant].name);
	else if (strcmp(key, "policy") == 0)
		snprintf(buf, size, "%s", policies[cfg->policy]);
	else if (strcmp(key, "seed") == 0)
		snprintf(buf, size, "%llu", (unsigned long long)cfg->seed);
	else if (strcmp(key, "quantum") == 0)
		snprintf(buf, size, "%ld", cfg->quantum);
	else if (strcmp(key, "schedule") == 0) {
		buf[0] = '\0';
		for (int i = 0; i < cfg->nschedule; i++) {
			size_t k = strlen(buf);
			snprintf(buf + k, size - k, "%s%d", i ? "," : "",
				 cfg->schedule[i]);
		}
	} else {
		int i = cli_option_index(cfg->lesson, key);
		if (i < 0)
			return false;
		if (o[i].choices)
			snprintf(buf, size, "%s", o[i].choices[cfg->opts[i]]);
		else
			snprintf(buf, size, "%ld", cfg->opts[i]);
	}
	return true;
}

/* Is have one of want's alternatives ("notice", "philosophers|forks-ordered")?
 * An option can mean something in several variants: one `when` says so. */
static bool quiz_one_of(const char *have, const char *want)
{
	size_t n = strlen(have);
	for (const char *w = want;; w++) {
		if (strncmp(w, have, n) == 0 && (w[n] == '\0' || w[n] == '|'))
			return true;
		if (!(w = strchr(w, '|')))
			return false;
	}
}

/* cli_words: does the run have option name at (one of) value? */
static bool quiz_has(const char *name, const char *value, void *ctx)
{
	char have[512];
	return quiz_value(ctx, name, have, sizeof(have)) &&
	       quiz_one_of(have, value);
}

bool quiz_applies(const struct lesson_question *q,
		  const struct run_config *cfg)
{
	const struct lesson *l = cfg->lesson;
	if (q->variant && strcmp(q->variant, l->variants[cfg->variant].name))
		return false;
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", q->when ? q->when : "");
	/* a malformed `when` applies to nothing: the tests see it */
	return cli_words(copy, quiz_has, (void *)cfg);
}

/*
 * A run decided by a --schedule (typed, or loaded by the viewer's f or x)
 * is not the run a question describes unless the question names that
 * schedule: "taking turns, how many..." is false of another order.
 */
static bool quiz_schedule_fits(const struct lesson_question *q,
			       const struct run_config *cfg)
{
	return cfg->nschedule == 0 ||
	       (q->when && strstr(q->when, "--schedule="));
}

int quiz_find(const struct run_config *cfg, int *idx)
{
	const struct lesson_question *qs = cfg->lesson->questions;
	int n = 0;
	for (int i = 0; qs && qs[i].ask && n < QUIZ_MAX; i++)
		if (quiz_applies(&qs[i], cfg) && quiz_schedule_fits(&qs[i], cfg))
			idx[n++] = i;
	return n;
}

void quiz_args(const struct lesson_question *q, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s", q->variant ? "--variant=" : "",
		 q->variant ? q->variant : "", q->variant && q->when ? " " : "",
		 q->when ? q->when : "");
}

struct quiz_diff {
	const struct run_config *cfg;
	char *buf;
	size_t size;
};

/* cli_words: the first option the run has at another value, into buf. */
static bool quiz_diff_word(const char *name, const char *value, void *ctx)
{
	struct quiz_diff *d = ctx;
	char have[512];
	if (!quiz_value(d->cfg, name, have, sizeof(have)) ||
	    quiz_one_of(have, value))
		return true;
	const struct lesson_option *o = d->cfg->lesson->options;
	int i = cli_option_index(d->cfg->lesson, name);
	/* a default of free mode's own is a reason nobody typed */
	bool freedef = i >= 0 && d->cfg->mode == RT_FREE &&
		       o[i].free_default != o[i].step_default &&
		       d->cfg->opts[i] == o[i].free_default;
	snprintf(d->buf, d->size, "--%s=%s%s", name, have,
		 freedef ? " (free mode's default)" : "");
	return false;
}

void quiz_differs(const struct lesson_question *q,
		  const struct run_config *cfg, char *buf, size_t size)
{
	const struct lesson *l = cfg->lesson;
	buf[0] = '\0';
	if (q->variant && strcmp(q->variant, l->variants[cfg->variant].name)) {
		snprintf(buf, size, "--variant=%s",
			 l->variants[cfg->variant].name);
		return;
	}
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", q->when ? q->when : "");
	struct quiz_diff d = { cfg, buf, size };
	char sched[512];
	/* every option fits: the run's --schedule is what differs */
	if (cli_words(copy, quiz_diff_word, &d) && cfg->nschedule &&
	    quiz_value(cfg, "schedule", sched, sizeof(sched)))
		snprintf(buf, size, "--schedule=%s", sched);
}

/* --- answers --- */

/* The units of the runs q is about: its variant's (any: the first's). */
static char quiz_unit(const struct lesson *l, const struct lesson_question *q)
{
	int v = 0;
	for (int i = 0; q->variant && l->variants[i].name; i++)
		if (strcmp(l->variants[i].name, q->variant) == 0)
			v = i;
	return rt_unit_of(l, v);
}

void quiz_hint(const struct lesson *l, const struct lesson_question *q,
	       char *buf, size_t size)
{
	char u = quiz_unit(l, q);
	switch (q->kind) {
	case QUIZ_NUMBER:
		snprintf(buf, size, "a whole number");
		break;
	case QUIZ_YESNO:
		snprintf(buf, size, "yes or no");
		break;
	case QUIZ_THREAD:
		snprintf(buf, size, "a %s, as %c2 or 2", event_unit_word(u),
			 u);
		break;
	case QUIZ_CHOICE:
		/* Each number beside its choice: a lesson's choices may be
		 * named by numbers of their own (sched's B is event 2). */
		snprintf(buf, size, "one of:");
		for (int i = 0; q->choices[i]; i++) {
			size_t k = strlen(buf);
			int len = (int)strcspn(q->choices[i], ":");
			snprintf(buf + k, size - k, "%s [%d] %.*s",
				 i ? "," : "", i + 1, len, q->choices[i]);
		}
		break;
	}
}

/* A whole number, the whole of s; false on anything else. */
static bool quiz_number(const char *s, long *v)
{
	if (!*s || isspace((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && (isdigit((unsigned char)*s) ||
					       s[0] == '-');
}

/* Choice i's label is t (any case): its length matches, and its text. */
static bool quiz_is_label(const char *choice, const char *t)
{
	size_t len = strcspn(choice, ":");
	return strlen(t) == len && strncasecmp(choice, t, len) == 0;
}

static bool quiz_parse_choice(const struct lesson_question *q, const char *t,
			      long *v)
{
	int n = 0;
	for (; q->choices[n]; n++)
		if (quiz_is_label(q->choices[n], t)) {
			*v = n;
			return true;
		}
	return quiz_number(t, v) && *v >= 1 && *v <= n && (--*v, true);
}

bool quiz_parse(const struct lesson_question *q, const char *text, long *v,
		char *why, size_t size)
{
	char t[64];
	while (isspace((unsigned char)*text))
		text++;
	snprintf(t, sizeof(t), "%s", text);
	for (size_t n = strlen(t); n && isspace((unsigned char)t[n - 1]);)
		t[--n] = '\0';
	bool ok = false;
	switch (q->kind) {
	case QUIZ_NUMBER:
		ok = quiz_number(t, v);
		break;
	case QUIZ_YESNO:
		ok = strcasecmp(t, "yes") == 0 || strcasecmp(t, "y") == 0 ||
		     strcasecmp(t, "no") == 0 || strcasecmp(t, "n") == 0;
		*v = tolower((unsigned char)t[0]) == 'y';
		break;
	case QUIZ_THREAD:
		ok = quiz_number(t + (strchr("TtPp", t[0]) && t[0]), v) &&
		     *v >= 1;
		break;
	case QUIZ_CHOICE:
		ok = quiz_parse_choice(q, t, v);
		break;
	}
	if (!ok)
		snprintf(why, size, "'%s' is not %s", t,
			 q->kind == QUIZ_NUMBER	   ? "a whole number"
			 : q->kind == QUIZ_YESNO   ? "yes or no"
			 : q->kind == QUIZ_THREAD  ? "a thread number"
						   : "one of the choices");
	return ok;
}

void quiz_say(const struct lesson *l, const struct lesson_question *q, long v,
	      char *buf, size_t size)
{
	switch (q->kind) {
	case QUIZ_NUMBER:
		snprintf(buf, size, "%ld", v);
		break;
	case QUIZ_YESNO:
		snprintf(buf, size, "%s", v ? "yes" : "no");
		break;
	case QUIZ_THREAD:
		snprintf(buf, size, "%c%ld", quiz_unit(l, q), v);
		break;
	case QUIZ_CHOICE:
		snprintf(buf, size, "%.*s", (int)strcspn(q->choices[v], ":"),
			 q->choices[v]);
		break;
	}
}

/* --- the truth, read from the run --- */

/* One term of a truth: a number, steps, invariant, deadlock, a figure. */
static bool quiz_term(const char *s, const struct run_result *res, long *v,
		      char *from, size_t fsize)
{
	size_t k = strlen(from);
	if (quiz_number(s, v))
		return true;
	if (strcmp(s, "steps") == 0) {
		*v = (long)res->steps;
	} else if (strcmp(s, "misuses") == 0) {
		*v = res->misuses;
	} else if (strcmp(s, "invariant") == 0) {
		*v = res->invariant;
		snprintf(from + k, fsize - k, "%sinvariant=%s", k ? " " : "",
			 run_verdict(res));
		return true;
	} else if (strcmp(s, "deadlock") == 0) {
		*v = res->end == RUN_DEADLOCK;
		snprintf(from + k, fsize - k, "%sdeadlock=%s", k ? " " : "",
			 *v ? "yes" : "no");
		return true;
	} else {
		int i = 0;
		while (i < res->nfigures && strcmp(res->figures[i].name, s))
			i++;
		if (i == res->nfigures)
			return false;
		*v = res->figures[i].value;
	}
	snprintf(from + k, fsize - k, "%s%s=%ld", k ? " " : "", s, *v);
	return true;
}

/* "a", or "a OP b" with OP one of <= >= != = < >: its value. */
static bool quiz_eval(const char *truth, const struct run_result *res,
		      long *v, char *from, size_t fsize)
{
	static const char *const ops[] = { "<=", ">=", "!=", "=", "<", ">" };
	char a[64], b[64];
	for (int i = 0; i < 6; i++) {
		const char *at = strstr(truth, ops[i]);
		if (!at)
			continue;
		long x, y;
		snprintf(a, sizeof(a), "%.*s", (int)(at - truth), truth);
		snprintf(b, sizeof(b), "%s", at + strlen(ops[i]));
		if (!quiz_term(a, res, &x, from, fsize) ||
		    !quiz_term(b, res, &y, from, fsize))
			return false;
		*v = i == 0 ? x <= y : i == 1 ? x >= y : i == 2 ? x != y
		   : i == 3 ? x == y : i == 4 ? x < y : x > y;
		return true;
	}
	return quiz_term(truth, res, v, from, fsize);
}

bool quiz_truth(const struct lesson_question *q, const struct run_result *res,
		long *v, char *from, size_t fsize)
{
	from[0] = '\0';
	if (res->end == RUN_STEP_LIMIT || res->end == RUN_NO_INPUT) {
		snprintf(from, fsize, "the run was cut short: no answer");
		return false;
	}
	if (q->kind != QUIZ_CHOICE) {
		if (quiz_eval(q->truth, res, v, from, fsize))
			return true;
		snprintf(from, fsize, "the run has no '%s'", q->truth);
		return false;
	}
	for (int i = 0; q->choices[i]; i++) {
		const char *colon = strchr(q->choices[i], ':');
		long holds = 1;
		from[0] = '\0';
		if (colon && !quiz_eval(colon + 1 + strspn(colon + 1, " "),
					res, &holds, from, fsize)) {
			snprintf(from, fsize, "the run has no '%s'", colon + 1);
			return false;
		}
		if (holds) {
			*v = i;
			return true;
		}
	}
	snprintf(from, fsize, "no choice holds");
	return false;
}

bool quiz_verdict(const struct lesson *l, const struct lesson_question *q,
		  const struct run_result *res, long answer, char *buf,
		  size_t size)
{
	char from[200], truth[64], said[64];
	long v;
	quiz_say(l, q, answer, said, sizeof(said));
	if (!quiz_truth(q, res, &v, from, sizeof(from))) {
		snprintf(buf, size, "%s; you said %s", from, said);
		return false;
	}
	quiz_say(l, q, v, truth, sizeof(truth));
	bool right = q->kind == QUIZ_YESNO ? !v == !answer : v == answer;
	snprintf(buf, size, "the run: %s%s%s%s; you said %s: %s", truth,
		 from[0] ? " (" : "", from, from[0] ? ")" : "", said,
		 right ? "right" : "wrong");
	return right;
}

/* --- plain text: ask, run, reveal --- */

/* One answer; false at end of input or (not a terminal) a bad one. */
static bool quiz_ask_one(const struct lesson *l,
			 const struct lesson_question *q, int k, int n,
			 FILE *in, FILE *out, long *v)
{
	char hint[200], line[128], why[128];
	bool tty = isatty(fileno(in));
	quiz_hint(l, q, hint, sizeof(hint));
	fprintf(out, "question %d of %d: %s\n", k, n, q->ask);
	for (;;) {
		fprintf(out, "your answer (%s): ", hint);
		fflush(out);
		if (!fgets(line, sizeof(line), in)) {
			fputc('\n', out);
			fflush(out);
			fprintf(stderr, "%s: --quiz: input ended before question "
				"%d was answered\n", l->name, k);
			return false;
		}
		line[strcspn(line, "\n")] = '\0';
		if (!tty) /* the transcript shows what was answered */
			fprintf(out, "%s\n", line);
		if (quiz_parse(q, line, v, why, sizeof(why)))
			return true;
		if (!tty) {
			fflush(out);
			fprintf(stderr, "%s: --quiz: question %d: %s; the "
				"answer is %s\n", l->name, k, why, hint);
			return false;
		}
		fprintf(out, "  %s; please answer again\n", why);
	}
}

bool quiz_ask(const struct run_config *cfg, FILE *in, FILE *out, int *idx,
	      long *answers, int *n)
{
	const struct lesson *l = cfg->lesson;
	*n = quiz_find(cfg, idx);
	for (int i = 0; i < *n; i++)
		if (!quiz_ask_one(l, &l->questions[idx[i]], i + 1, *n, in, out,
				  &answers[i]))
			return false;
	fflush(out);
	return true;
}

void quiz_reveal(const struct run_config *cfg, const struct run_result *res,
		 const int *idx, const long *answers, int n, FILE *out)
{
	const struct lesson *l = cfg->lesson;
	int right = 0;
	for (int i = 0; i < n; i++) {
		const struct lesson_question *q = &l->questions[idx[i]];
		char verdict[400];
		right += quiz_verdict(l, q, res, answers[i], verdict,
				      sizeof(verdict));
		fprintf(out, "answer %d: %s\n  why: %s\n", i + 1, verdict,
			q->why);
	}
	fprintf(out, "quiz: %d of %d right\n", right, n);
}

bool quiz_remember(const struct lesson *l, int i,
		   const struct run_result *res, char *note, size_t size)
{
	long v;
	char from[200];
	note[0] = '\0';
	if (!quiz_truth(&l->questions[i], res, &v, from, sizeof(from)))
		return false; /* cut short: nothing was revealed */
	return state_record_nth(STATE_QUIZZES, l->name, i + 1, note, size);
}
