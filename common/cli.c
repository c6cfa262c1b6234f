/*
 * cli.c: one parser for every lesson's command line (getopt_long).
 *
 * The common options are fixed here; each lesson adds its own whole-number
 * options (--threads, --capacity, ...) from its descriptor.  Every value is
 * checked in full: a bad one is one line on stderr that names the option and
 * what it accepts, and the caller exits 2 before anything has run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "challenge.h"
#include "cli.h"
#include "quiz.h"

#define CLI_MAX_STEPS_DEFAULT 10000000L
#define CLI_MAX_STEPS_LIMIT   1000000000000L
/* --explore: each execution is short, or a livelock (a spin loop that no
 * schedule interrupts): stop it soon. */
#define CLI_EXPLORE_STEPS     10000L
#define CLI_EXPLORE_RUNS      10000000L
#define CLI_EXPLORE_SECONDS   60L

enum {
	CLI_VARIANT = 1000, CLI_MODE, CLI_POLICY, CLI_SEED, CLI_QUANTUM,
	CLI_DEPTH,
	CLI_SCHEDULE, CLI_MAX_STEPS, CLI_VIEW, CLI_PLAIN, CLI_QUIET,
	CLI_LIST, CLI_HELP, CLI_VERSION, CLI_EXPLORE, CLI_BOUND,
	CLI_EXPLORE_LIMIT, CLI_EXPLORE_TIME, CLI_QUIZ, CLI_CHALLENGE,
	CLI_RECORD,
	CLI_LESSON = 2000, /* + index of the lesson's option */
};

static const struct option cli_common[] = {
	{ "variant", required_argument, NULL, CLI_VARIANT },
	{ "mode", required_argument, NULL, CLI_MODE },
	{ "policy", required_argument, NULL, CLI_POLICY },
	{ "seed", required_argument, NULL, CLI_SEED },
	{ "quantum", required_argument, NULL, CLI_QUANTUM },
	{ "depth", required_argument, NULL, CLI_DEPTH },
	{ "schedule", required_argument, NULL, CLI_SCHEDULE },
	{ "max-steps", required_argument, NULL, CLI_MAX_STEPS },
	{ "view", no_argument, NULL, CLI_VIEW },
	{ "plain", no_argument, NULL, CLI_PLAIN },
	{ "quiet", no_argument, NULL, CLI_QUIET },
	{ "list-variants", no_argument, NULL, CLI_LIST },
	{ "help", no_argument, NULL, CLI_HELP },
	{ "version", no_argument, NULL, CLI_VERSION },
	{ "explore", no_argument, NULL, CLI_EXPLORE },
	{ "bound", required_argument, NULL, CLI_BOUND },
	{ "explore-limit", required_argument, NULL, CLI_EXPLORE_LIMIT },
	{ "explore-time", required_argument, NULL, CLI_EXPLORE_TIME },
	{ "quiz", no_argument, NULL, CLI_QUIZ },
	{ "challenge", required_argument, NULL, CLI_CHALLENGE },
	{ "record", required_argument, NULL, CLI_RECORD },
};
#define CLI_NCOMMON (int)(sizeof(cli_common) / sizeof(cli_common[0]))

/* What was given, before the mode is known and defaults are applied. */
struct cli_seen {
	const char *opt[RT_MAX_OPTS];
	const char *policy, *seed, *quantum, *schedule, *max_steps, *depth;
	const char *bound, *explore_limit, *explore_time;
	const char *challenge;
	bool variant;
	int outputs;
};

void cli_error(const struct lesson *l, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", l->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", l->name);
}

bool cli_words(char *list, cli_word_fn *each, void *ctx)
{
	char *save;
	for (char *w = strtok_r(list, " ", &save); w;
	     w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');
		if (strncmp(w, "--", 2) != 0 || !eq || eq == w + 2)
			return false;
		*eq = '\0';
		if (!each(w + 2, eq + 1, ctx))
			return false;
	}
	return true;
}

static int cli_noptions(const struct lesson *l)
{
	int n = 0;
	while (l->options && l->options[n].name)
		n++;
	return n;
}

int cli_option_index(const struct lesson *l, const char *name)
{
	for (int i = 0; l->options && l->options[i].name; i++)
		if (strcmp(l->options[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * The one rule for every number on the command line: digits only, with a
 * leading '-' where negative values are allowed.  No spaces, no '+', no
 * hex: what strtol() would also take is refused, so that what a person
 * typed is exactly what runs.  Returns false on anything else.
 */
static bool cli_digits(const char *s, bool negative_ok, unsigned long long *mag,
		       bool *neg)
{
	*neg = negative_ok && *s == '-';
	const char *p = s + *neg;
	if (*p == '\0')
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	char *end;
	errno = 0;
	*mag = strtoull(p, &end, 10);
	return errno != ERANGE && *end == '\0';
}

/* A whole number in [min, max]; false (and an error) otherwise. */
static bool cli_number(const struct lesson *l, const char *opt,
		       const char *s, long min, long max, long *out)
{
	unsigned long long mag;
	bool neg;
	if (cli_digits(s, min < 0, &mag, &neg) &&
	    mag <= (neg ? (unsigned long long)LONG_MAX + 1 : (unsigned long long)LONG_MAX)) {
		long v = neg ? (long)(0 - mag) : (long)mag;
		if (v >= min && v <= max) {
			*out = v;
			return true;
		}
	}
	cli_error(l, "--%s: expected a whole number from %ld to %ld, "
		  "got '%s'", opt, min, max, s);
	return false;
}

static bool cli_seed(const struct lesson *l, const char *s, uint64_t *out)
{
	unsigned long long v;
	bool neg;
	if (!cli_digits(s, false, &v, &neg)) {
		cli_error(l, "--seed: expected a whole number from 0 to %llu, "
			  "got '%s'", (unsigned long long)UINT64_MAX, s);
		return false;
	}
	*out = v;
	return true;
}

/* One position of a schedule: "N", or "N*K" for N K times over; false
 * if it is neither. */
static bool cli_schedule_item(char *item, unsigned long long *id,
			      unsigned long long *times)
{
	bool neg;
	char *star = strchr(item, '*');
	*times = 1;
	if (star) {
		*star = '\0';
		if (!cli_digits(star + 1, false, times, &neg) || *times < 1 ||
		    *times > RT_MAX_SCHEDULE)
			return false;
	}
	return cli_digits(item, false, id, &neg) && *id >= 1 &&
	       *id <= RT_MAX_THREADS;
}

/* "1,2,1,2" or "1*3,2": thread numbers; which ones exist is checked when
 * run. */
static bool cli_schedule(const struct lesson *l, const char *s,
			 struct run_config *cfg)
{
	size_t cap = 0;
	char *copy = strdup(s);
	if (!copy)
		rt_die("out of memory");
	bool ok = true;
	int pos = 0;
	/* strsep, not strtok: an empty position ("1,,2") is an error too */
	for (char *rest = copy, *item; ok && (item = strsep(&rest, ","));) {
		char shown[64];
		snprintf(shown, sizeof(shown), "%s", item);
		unsigned long long v, times;
		if (!cli_schedule_item(item, &v, &times)) {
			cli_error(l, "--schedule: position %d: expected a "
				  "%s number from 1 to %d in a list like "
				  "1,2,1,2 (or 1*3,2: 1 three times), got "
				  "'%s'", pos + 1,
				  event_unit_word(rt_unit_of(l, cfg->variant)),
				  RT_MAX_THREADS, shown);
			ok = false;
		} else if (pos + times > RT_MAX_SCHEDULE) {
			cli_error(l, "--schedule: more than %d positions",
				  RT_MAX_SCHEDULE);
			ok = false;
		}
		for (; ok && times > 0; times--) {
			if ((size_t)cfg->nschedule == cap) {
				cap = cap ? 2 * cap : 64;
				cfg->schedule = realloc(cfg->schedule,
							cap * sizeof(int));
				if (!cfg->schedule)
					rt_die("out of memory");
			}
			cfg->schedule[cfg->nschedule++] = (int)v;
			pos++;
		}
	}
	free(copy);
	return ok;
}

static bool cli_variant(const struct lesson *l, const char *s, int *out)
{
	char names[256] = "";
	for (int i = 0; l->variants[i].name; i++) {
		if (strcmp(l->variants[i].name, s) == 0) {
			*out = i;
			return true;
		}
		if (i)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, l->variants[i].name,
			sizeof(names) - strlen(names) - 1);
	}
	cli_error(l, "--variant: unknown variant '%s'; the variants are %s",
		  s, names);
	return false;
}

static bool cli_choice(const struct lesson *l, const char *opt,
		       const char *s, const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return true;
		}
	char list[128] = "";
	for (int i = 0; names[i]; i++) {
		strcat(list, i ? "|" : "");
		strcat(list, names[i]);
	}
	cli_error(l, "--%s: expected %s, got '%s'", opt, list, s);
	return false;
}

/* How the lesson's units are numbered: processes, threads, or both. */
static void cli_help_units(const struct lesson *l)
{
	if (!l->processes) {
		printf("Threads are numbered from 1 in the order the lesson "
		       "creates them.\n");
		return;
	}
	printf("This lesson's units are real processes, P1, P2, ...: P1 "
	       "first, the\nothers in the order they are forked.");
	for (int i = 0; l->variants[i].name; i++)
		if (rt_unit_of(l, i) == 'T')
			printf(" Variant %s runs on threads,\nT1, T2, ..., "
			       "numbered in the order the lesson creates them.",
			       l->variants[i].name);
	printf("\n");
}

/* --help: a number option's second line, its defaults and range, and the
 * runs it applies to on a line of its own when they would not fit. */
static void cli_help_number(const struct lesson_option *o)
{
	char line[256], when[256];
	int k;
	if (o->step_default == o->free_default)
		k = snprintf(line, sizeof(line), "default %ld", o->step_default);
	else
		k = snprintf(line, sizeof(line),
			     "default %ld in step mode, %ld in free mode",
			     o->step_default, o->free_default);
	snprintf(line + k, sizeof(line) - (size_t)k, "; %ld to %ld", o->min,
		 o->max);
	cli_when_text(o->when, when, sizeof(when));
	bool wrap = 25 + strlen(line) + strlen("; only with ") + strlen(when) > 80;
	printf("  %-20s %s", "", line);
	if (o->when && wrap)
		printf(";\n  %-20s only with %s", "", when);
	else if (o->when)
		printf("; only with %s", when);
	printf("\n");
}

static void cli_help(const struct lesson *l)
{
	/* the units of the default variant: "1-9 run that process" */
	const char *unit = event_unit_word(rt_unit_of(l, 0));
	const char *units = event_units_word(rt_unit_of(l, 0));
	printf("Usage: %s [OPTION]...\n%s.\n\nVariants (--variant=NAME):\n",
	       l->name, l->summary);
	for (int i = 0; l->variants[i].name; i++)
		printf("  %-16s %s%s\n", l->variants[i].name,
		       l->variants[i].summary, i == 0 ? " (default)" : "");
	printf("\nLesson options:\n");
	for (int i = 0; l->options && l->options[i].name; i++) {
		const struct lesson_option *o = &l->options[i];
		char name[80];
		if (o->text) {
			snprintf(name, sizeof(name), "--%s=TEXT", o->name);
			printf("  %-20s %s\n  %-20s default %s\n", name, o->help,
			       "", o->text_default);
			continue;
		}
		if (o->choices) {
			int k = snprintf(name, sizeof(name), "--%s=", o->name);
			for (int c = 0; o->choices[c]; c++)
				k += snprintf(name + k, sizeof(name) - (size_t)k,
					      "%s%s", c ? "|" : "",
					      o->choices[c]);
			printf("  %s\n  %-20s %s (default %s)\n", name, "",
			       o->help, o->choices[o->step_default]);
			continue;
		}
		snprintf(name, sizeof(name), "--%s=N", o->name);
		printf("  %-20s %s\n", name, o->help);
		cli_help_number(o);
	}
	printf("\nRunning:\n"
	       "  --mode=step|free     step (default): one visible operation at a time under\n"
	       "                       a deterministic scheduler; free: full speed, for real\n"
	       "  --policy=random|rr|manual|pct\n"
	       "                       who runs next in step mode (default random); manual\n"
	       "                       asks for a %s number at every step; pct: random\n"
	       "                       priorities that change at --depth - 1 random steps\n"
	       "  --seed=N             seed of the random and pct policies (default 1)\n"
	       "  --quantum=N          steps a %s keeps under rr (default 1)\n"
	       "  --depth=D            pct: find bugs that need D ordered events (default 3;\n"
	       "                       1 to %d)\n"
	       "  --schedule=LIST      exact %s to run, e.g. 1,2,1,2 (1*3: 1, 1, 1);\n"
	       "                       then --policy\n"
	       "  --max-steps=N        stop a step-mode run after N steps (default %ld;\n"
	       "                       %ld per execution with --explore)\n"
	       "\nEvery schedule (step mode):\n"
	       "  --explore            run the lesson under every schedule: the outcomes\n"
	       "                       possible, and the shortest schedule that fails\n"
	       "  --bound=K            at most K preemptions per schedule (default: none)\n"
	       "  --explore-limit=N    stop after N executions (default %ld)\n"
	       "  --explore-time=S     stop after S seconds (default %ld)\n"
	       "\nOutput (default: the viewer when stdout is a terminal, else --plain):\n"
	       "  --view               the interactive viewer\n"
	       "  --plain              one event per line, then the summary line\n"
	       "  --quiet              the summary line only\n"
	       "  --list-variants      the variants, one per line\n"
	       "  --quiz               predict, then reveal: the lesson's questions about\n"
	       "                       this run, answered on stdin before it runs\n"
	       "  --challenge=N        a goal to reach as the scheduler: step mode,\n"
	       "                       --policy=manual, the goal checked at the end;\n"
	       "                       --challenge=list lists them\n"
	       "  --record=FILE        record what the viewer shows in FILE, an asciicast\n"
	       "                       v2 recording (asciinema play FILE replays it)\n"
	       "  --help, --version\n"
	       "\nViewer keys: space play/pause (stops at each new !), n or Right step,\n"
	       "b or Left step back, ! run to the next !, 1-9 run that %s (10 and\n"
	       "up: digits, Enter), [ ] scroll the %s, +/- speed, r restart,\n"
	       "s new random run, v next variant, f a known failing run, x the\n"
	       "explorer's failing run, g the next challenge, w save the run to a\n"
	       "file, p predict (a question, before the end), c high contrast,\n"
	       "? help, q quit.  NO_COLOR=1 turns colour off;\n"
	       "INTERLEAVE_THEME=contrast starts in high contrast.\n\n",
	       unit, unit, RT_MAX_DEPTH, units, CLI_MAX_STEPS_DEFAULT,
	       CLI_EXPLORE_STEPS, CLI_EXPLORE_RUNS, CLI_EXPLORE_SECONDS, unit,
	       units);
	cli_help_units(l);
	printf("Numbers are digits only; give each option once.\n"
	       "Exit status: 0 the run completed (a race shown is not an error),\n"
	       "1 output (or --record's file) could not be written, manual input\n"
	       "ended, or a runtime failure, 2 bad usage.\n");
}

/*
 * --explore runs every schedule: it has no policy, seed or schedule, and
 * prints its own report (or, with --quiet, only its summary line); its
 * own options mean nothing without it.
 */
static bool cli_explore_rules(const struct lesson *l, const struct cli_seen *s,
			      const struct cli *c)
{
	const char *explore_only[] = { s->bound, s->explore_limit,
				       s->explore_time };
	const char *names[] = { "bound", "explore-limit", "explore-time" };
	for (int i = 0; !c->explore && i < 3; i++)
		if (explore_only[i]) {
			cli_error(l, "--%s applies only to --explore", names[i]);
			return false;
		}
	const char *chosen[] = { s->policy, s->seed, s->quantum, s->schedule,
				 s->depth };
	const char *what[] = { "policy", "seed", "quantum", "schedule",
			       "depth" };
	for (int i = 0; c->explore && i < 5; i++)
		if (chosen[i]) {
			cli_error(l, "--%s means nothing with --explore, which "
				  "runs every schedule", what[i]);
			return false;
		}
	if (c->explore && (c->out == OUT_VIEW || c->out == OUT_PLAIN)) {
		cli_error(l, "--%s does not go with --explore, which prints "
			  "its own report (--quiet: only its summary line)",
			  c->out == OUT_VIEW ? "view" : "plain");
		return false;
	}
	return true;
}

/* Options that make sense only in step mode, or only with some policy. */
static bool cli_mode_rules(const struct lesson *l, const struct cli_seen *s,
			   const struct cli *c)
{
	const struct run_config *cfg = &c->cfg;
	if (c->explore && cfg->mode == RT_FREE) {
		cli_error(l, "--explore applies only to --mode=step");
		return false;
	}
	const char *step_only[] = { s->policy, s->seed, s->quantum,
				    s->schedule, s->max_steps, s->depth };
	const char *names[] = { "policy", "seed", "quantum", "schedule",
				"max-steps", "depth" };
	for (int i = 0; cfg->mode == RT_FREE && i < 6; i++)
		if (step_only[i]) {
			cli_error(l, "--%s applies only to --mode=step",
				  names[i]);
			return false;
		}
	if (s->quantum && cfg->policy != POLICY_RR) {
		cli_error(l, "--quantum applies only to --policy=rr");
		return false;
	}
	if (s->depth && cfg->policy != POLICY_PCT) {
		cli_error(l, "--depth applies only to --policy=pct");
		return false;
	}
	if (s->outputs > 1) {
		cli_error(l, "choose one of --view, --plain, --quiet");
		return false;
	}
	return cli_explore_rules(l, s, c);
}

/*
 * --quiz reads its answers on standard input before the run: not with
 * another reader of it (--policy=manual), nor with --explore, which is
 * every run at once and has no single outcome to predict.
 */
static bool cli_quiz_rules(const struct lesson *l, const struct cli *c)
{
	if (!c->quiz)
		return true;
	if (c->explore)
		cli_error(l, "--quiz asks about one run; --explore runs every "
			  "schedule");
	else if (c->cfg.policy == POLICY_MANUAL)
		cli_error(l, "--quiz reads its answers from standard input, "
			  "as --policy=manual reads %s numbers: choose one",
			  event_unit_word(rt_unit_of(l, c->cfg.variant)));
	else if (!l->questions || !l->questions[0].ask)
		cli_error(l, "--quiz: this lesson has no questions yet");
	else
		return true;
	return false;
}

/*
 * --record=FILE records the viewer: a file name, and not with an output
 * that is text (which a redirection keeps) or with --explore.  Whether
 * there is a terminal is known only when the run starts (lesson.c).
 */
static bool cli_record_rules(const struct lesson *l, const struct cli *c)
{
	if (!c->record)
		return true;
	if (!c->record[0])
		cli_error(l, "--record needs a file name, as in "
			  "--record=run.cast");
	else if (c->explore || c->out == OUT_PLAIN || c->out == OUT_QUIET)
		cli_error(l, "--record records the viewer; %s prints text: "
			  "redirect standard output to keep it",
			  c->explore ? "--explore" : c->out == OUT_PLAIN
			  ? "--plain" : "--quiet");
	else
		return true;
	return false;
}

/* A text option: its value (or default), checked, into cfg. */
static bool cli_text(const struct lesson *l, const struct lesson_option *o,
		     const char *arg, char *out)
{
	char err[160];
	if (!arg)
		arg = o->text_default;
	/* the option's own check first: its limit may be tighter */
	if (!o->text(arg, err, sizeof(err))) {
		cli_error(l, "--%s: %s", o->name, err);
		return false;
	}
	if (strlen(arg) >= RT_MAX_TEXT) {
		cli_error(l, "--%s: at most %d characters", o->name,
			  RT_MAX_TEXT - 1);
		return false;
	}
	snprintf(out, RT_MAX_TEXT, "%s", arg);
	return true;
}

/* The challenge's lesson options, each unless the person typed it. */
struct cli_unless_typed {
	const struct lesson *l;
	struct cli_seen *s;
};

static bool cli_unless_typed(const char *name, const char *value, void *ctx)
{
	struct cli_unless_typed *u = ctx;
	int i = cli_option_index(u->l, name);
	if (i >= 0 && !u->s->opt[i])
		u->s->opt[i] = value;
	return true;
}

/*
 * --challenge=N: its variant and options, unless typed, and the manual
 * policy, unless another is chosen (a --schedule replays a solution).
 * Not with free mode (nobody chooses the steps) nor --explore (every
 * schedule at once), nor with --quiz (both read standard input).
 */
static bool cli_challenge_set(const struct lesson *l, struct cli_seen *s,
			      struct cli *c)
{
	long n;
	int count = challenge_count(l);
	if (!s->challenge)
		return true;
	if (count == 0) {
		cli_error(l, "--challenge: this lesson has no challenges yet");
		return false;
	}
	if (!cli_number(l, "challenge", s->challenge, 1, count, &n))
		return false;
	if (c->cfg.mode == RT_FREE || c->explore || c->quiz) {
		cli_error(l, "--challenge=%ld is reached one step at a time: "
			  "not with %s", n, c->explore ? "--explore"
			  : c->quiz ? "--quiz" : "--mode=free");
		return false;
	}
	const struct lesson_challenge *ch = &l->challenges[n - 1];
	c->challenge = (int)n;
	if (ch->variant && !s->variant &&
	    !cli_variant(l, ch->variant, &c->cfg.variant))
		return false;
	snprintf(c->challenge_args, sizeof(c->challenge_args), "%s",
		 ch->when ? ch->when : "");
	struct cli_unless_typed u = { l, s };
	cli_words(c->challenge_args, cli_unless_typed, &u);
	if (!s->policy && !s->schedule)
		s->policy = "manual";
	return true;
}

/* The run, once set: still the one the challenge is about? */
static bool cli_challenge_rules(const struct lesson *l, const struct cli *c)
{
	if (!c->challenge)
		return true;
	const struct lesson_challenge *ch = &l->challenges[c->challenge - 1];
	if (challenge_applies(ch, &c->cfg))
		return true;
	cli_error(l, "--challenge=%d is about --variant=%s %s; this run's "
		  "options differ", c->challenge,
		  ch->variant ? ch->variant : l->variants[c->cfg.variant].name,
		  ch->when ? ch->when : "");
	return false;
}

void cli_when_text(const char *when, char *buf, size_t size)
{
	size_t k = 0;
	for (; when && *when && k + 5 < size; when++) {
		size_t rest = strcspn(when + 1, "| ");
		bool last = when[1 + rest] != '|'; /* the word's last choice */
		if (*when != '|')
			buf[k++] = *when;
		else
			k += (size_t)snprintf(buf + k, size - k, "%s",
					      last ? " or " : ", ");
	}
	buf[k] = '\0';
}

bool cli_option_applies(const struct lesson_option *o,
			const struct run_config *cfg)
{
	struct lesson_question q = { .when = o->when };
	return !o->when || quiz_applies(&q, cfg);
}

/* A lesson option typed for a run it means nothing in: refused. */
static bool cli_scope_rules(const struct lesson *l, const struct cli_seen *s,
			    const struct run_config *cfg)
{
	for (int i = 0; i < cli_noptions(l); i++)
		if (s->opt[i] && !cli_option_applies(&l->options[i], cfg)) {
			char when[256];
			cli_when_text(l->options[i].when, when, sizeof(when));
			cli_error(l, "--%s applies only to %s",
				  l->options[i].name, when);
			return false;
		}
	return true;
}

/* Apply each lesson option's value, or its default for the mode. */
static bool cli_lesson_values(const struct lesson *l,
			      const struct cli_seen *s, struct run_config *cfg)
{
	for (int i = 0; i < cli_noptions(l); i++) {
		const struct lesson_option *o = &l->options[i];
		if (o->text) {
			if (!cli_text(l, o, s->opt[i], cfg->texts[i]))
				return false;
			continue;
		}
		cfg->opts[i] = cfg->mode == RT_STEP ? o->step_default
						    : o->free_default;
		int choice;
		if (s->opt[i] && o->choices) {
			if (!cli_choice(l, o->name, s->opt[i], o->choices,
					&choice))
				return false;
			cfg->opts[i] = choice;
		} else if (s->opt[i] && !cli_number(l, o->name, s->opt[i],
						    o->min, o->max,
						    &cfg->opts[i])) {
			return false;
		}
	}
	return true;
}

static enum cli_result cli_finish(const struct lesson *l,
				  struct cli_seen *s, struct cli *c)
{
	struct run_config *cfg = &c->cfg;
	static const char *const policies[] = { "random", "rr", "manual",
						"pct", NULL };
	int policy = POLICY_RANDOM;
	if (!cli_challenge_set(l, s, c))
		return CLI_USAGE;
	if (s->policy && !cli_choice(l, "policy", s->policy, policies, &policy))
		return CLI_USAGE;
	cfg->policy = (enum rt_policy)policy;
	if (!cli_mode_rules(l, s, c) || !cli_quiz_rules(l, c) ||
	    !cli_record_rules(l, c) ||
	    !cli_lesson_values(l, s, cfg) || !cli_scope_rules(l, s, cfg) ||
	    !cli_challenge_rules(l, c))
		return CLI_USAGE;
	if (s->bound && !cli_number(l, "bound", s->bound, 0, 1000000,
				    &c->lim.bound))
		return CLI_USAGE;
	if (s->explore_limit &&
	    !cli_number(l, "explore-limit", s->explore_limit, 1,
			CLI_MAX_STEPS_LIMIT, &c->lim.executions))
		return CLI_USAGE;
	if (s->explore_time && !cli_number(l, "explore-time", s->explore_time,
					   1, 86400, &c->lim.seconds))
		return CLI_USAGE;
	if (c->explore && !s->max_steps)
		cfg->max_steps = CLI_EXPLORE_STEPS;
	if (s->seed && !cli_seed(l, s->seed, &cfg->seed))
		return CLI_USAGE;
	if (s->quantum &&
	    !cli_number(l, "quantum", s->quantum, 1, 1000000, &cfg->quantum))
		return CLI_USAGE;
	long depth = 3;
	if (s->depth &&
	    !cli_number(l, "depth", s->depth, 1, RT_MAX_DEPTH, &depth))
		return CLI_USAGE;
	cfg->depth = (int)depth;
	if (s->max_steps && !cli_number(l, "max-steps", s->max_steps, 1,
					CLI_MAX_STEPS_LIMIT, &cfg->max_steps))
		return CLI_USAGE;
	if (s->schedule && !cli_schedule(l, s->schedule, cfg))
		return CLI_USAGE;
	return CLI_RUN;
}

/* The long options: the common ones, then the lesson's. */
static struct option *cli_options(const struct lesson *l)
{
	int n = cli_noptions(l);
	struct option *opts = calloc((size_t)(CLI_NCOMMON + n + 1),
				     sizeof(*opts));
	if (!opts)
		rt_die("out of memory");
	/* rt_die() does not return; cppcheck cannot tell */
	// cppcheck-suppress nullPointerRedundantCheck
	memcpy(opts, cli_common, sizeof(cli_common));
	for (int i = 0; i < n; i++)
		opts[CLI_NCOMMON + i] = (struct option){
			l->options[i].name, required_argument, NULL,
			CLI_LESSON + i
		};
	return opts;
}

/* One option; CLI_RUN to go on. */
static enum cli_result cli_one(const struct lesson *l, int ch,
			       const char *arg, struct cli_seen *s,
			       struct cli *c)
{
	static const char *const modes[] = { "step", "free", NULL };
	int mode;
	switch (ch) {
	case CLI_VARIANT:
		s->variant = true;
		return cli_variant(l, arg, &c->cfg.variant) ? CLI_RUN
							    : CLI_USAGE;
	case CLI_MODE:
		if (!cli_choice(l, "mode", arg, modes, &mode))
			return CLI_USAGE;
		c->cfg.mode = (enum rt_mode)mode;
		return CLI_RUN;
	case CLI_POLICY: s->policy = arg; return CLI_RUN;
	case CLI_SEED: s->seed = arg; return CLI_RUN;
	case CLI_QUANTUM: s->quantum = arg; return CLI_RUN;
	case CLI_DEPTH: s->depth = arg; return CLI_RUN;
	case CLI_SCHEDULE: s->schedule = arg; return CLI_RUN;
	case CLI_MAX_STEPS: s->max_steps = arg; return CLI_RUN;
	case CLI_EXPLORE: c->explore = true; return CLI_RUN;
	case CLI_QUIZ: c->quiz = true; return CLI_RUN;
	case CLI_CHALLENGE:
		if (strcmp(arg, "list") != 0) {
			s->challenge = arg;
			return CLI_RUN;
		}
		challenge_list(l, stdout);
		return CLI_DONE;
	case CLI_RECORD: c->record = arg; return CLI_RUN;
	case CLI_BOUND: s->bound = arg; return CLI_RUN;
	case CLI_EXPLORE_LIMIT: s->explore_limit = arg; return CLI_RUN;
	case CLI_EXPLORE_TIME: s->explore_time = arg; return CLI_RUN;
	case CLI_VIEW: c->out = OUT_VIEW; s->outputs++; return CLI_RUN;
	case CLI_PLAIN: c->out = OUT_PLAIN; s->outputs++; return CLI_RUN;
	case CLI_QUIET: c->out = OUT_QUIET; s->outputs++; return CLI_RUN;
	case CLI_LIST:
		for (int i = 0; l->variants[i].name; i++)
			printf("%s\t%s\n", l->variants[i].name,
			       l->variants[i].summary);
		return CLI_DONE;
	case CLI_HELP:
		cli_help(l);
		return CLI_DONE;
	case CLI_VERSION:
		printf("%s (interleave) %s\n", l->name, INTERLEAVE_VERSION);
		return CLI_DONE;
	default:
		s->opt[ch - CLI_LESSON] = arg;
		return CLI_RUN;
	}
}

/* The option's name as typed: "--pl=1" -> "pl". */
static void cli_typed_name(const char *arg, char *name, size_t size)
{
	const char *p = arg + strspn(arg, "-");
	size_t n = strcspn(p, "=");
	snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/*
 * getopt_long refused an argument: say what really happened.  ch is ':'
 * for a missing value; for '?' optopt tells the rest apart: a short
 * option, a long option given a value it does not take, or (0) a name
 * that matches no option or more than one.
 */
static void cli_refused(const struct lesson *l, const struct option *opts,
			int ch, const char *arg)
{
	char name[64];
	cli_typed_name(arg, name, sizeof(name));
	if (ch == ':') {
		cli_error(l, "--%s needs a value, as in --%s=VALUE", name, name);
	} else if (optopt > 0 && optopt < CLI_VARIANT) {
		cli_error(l, "-%c: unknown option; the options are long ones, "
			  "such as --help", optopt);
	} else if (optopt) {
		for (int i = 0; opts[i].name; i++)
			if (opts[i].val == optopt)
				cli_error(l, "--%s takes no value, got '%s'",
					  opts[i].name, arg);
	} else {
		char which[256] = "";
		int n = 0;
		for (int i = 0; opts[i].name; i++)
			if (strncmp(opts[i].name, name, strlen(name)) == 0) {
				size_t len = strlen(which);
				snprintf(which + len, sizeof(which) - len,
					 "%s--%s", n++ ? ", " : "",
					 opts[i].name);
			}
		if (n > 1)
			cli_error(l, "--%s is ambiguous: it could be %s", name,
				  which);
		else
			cli_error(l, "--%s: unknown option", name);
	}
}

/* Each option once: the second of any is an error, not silently taken. */
static bool cli_once(const struct lesson *l, const struct option *opts,
		     int ch, bool *given)
{
	int slot = ch >= CLI_LESSON ? CLI_NCOMMON + (ch - CLI_LESSON)
				    : ch - CLI_VARIANT;
	if (!given[slot]) {
		given[slot] = true;
		return true;
	}
	for (int i = 0; opts[i].name; i++)
		if (opts[i].val == ch)
			cli_error(l, "--%s is given twice; give each option "
				  "once", opts[i].name);
	return false;
}

enum cli_result cli_parse(const struct lesson *l, int argc, char **argv,
			  struct cli *c)
{
	memset(c, 0, sizeof(*c));
	c->cfg.lesson = l;
	c->cfg.mode = RT_STEP;
	c->cfg.seed = 1;
	c->cfg.quantum = 1;
	c->cfg.max_steps = CLI_MAX_STEPS_DEFAULT;
	c->lim = (struct explore_limits){ .bound = -1,
					  .executions = CLI_EXPLORE_RUNS,
					  .seconds = CLI_EXPLORE_SECONDS };
	struct cli_seen seen = { 0 };
	bool given[CLI_NCOMMON + RT_MAX_OPTS] = { false };
	struct option *opts = cli_options(l);
	enum cli_result r = CLI_RUN;
	int ch;
	opterr = 0;
	optind = 1;
	/* ':' first: a missing value is told apart from an unknown option */
	while (r == CLI_RUN &&
	       (ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (ch == '?' || ch == ':') {
			cli_refused(l, opts, ch, argv[optind - 1]);
			r = CLI_USAGE;
		} else if (!cli_once(l, opts, ch, given)) {
			r = CLI_USAGE;
		} else {
			r = cli_one(l, ch, optarg, &seen, c);
		}
	}
	free(opts);
	if (r == CLI_RUN && optind < argc) {
		cli_error(l, "unexpected argument '%s'", argv[optind]);
		r = CLI_USAGE;
	}
	if (r == CLI_RUN)
		r = cli_finish(l, &seen, c);
	if (r != CLI_RUN)
		cli_free(c);
	return r;
}

void cli_lesson_args(const struct run_config *c, bool changed_only,
		     const char *skip, char *buf, size_t size)
{
	const struct lesson_option *o = c->lesson->options;
	for (int i = 0; o && o[i].name; i++) {
		char key[64];
		size_t k = strlen(buf);
		snprintf(key, sizeof(key), "--%s=", o[i].name);
		if ((skip && strstr(skip, key)) ||
		    !cli_option_applies(&o[i], c) ||
		    (changed_only && (o[i].text
				      ? strcmp(c->texts[i], o[i].text_default) == 0
				      : c->opts[i] == o[i].step_default)))
			continue;
		if (o[i].text)
			snprintf(buf + k, size - k, " --%s=%s", o[i].name,
				 c->texts[i]);
		else if (o[i].choices)
			snprintf(buf + k, size - k, " --%s=%s", o[i].name,
				 o[i].choices[c->opts[i]]);
		else
			snprintf(buf + k, size - k, " --%s=%ld", o[i].name,
				 c->opts[i]);
	}
}

void cli_free(struct cli *c)
{
	free(c->cfg.schedule);
	c->cfg.schedule = NULL;
	c->cfg.nschedule = 0;
}
