/*
 * explore.h: every interleaving of a step-mode run (LESSON --explore).
 *
 * Step mode makes a run a pure function of its schedule, so running the
 * lesson under every schedule answers what no single run can: which
 * outcomes are possible at all, whether the invariant holds in all of
 * them, and the shortest schedule that breaks it.
 */
#ifndef INTERLEAVE_EXPLORE_H
#define INTERLEAVE_EXPLORE_H

#include <stdbool.h>
#include <stdio.h>

#include "rt.h"

struct explore_limits {
	long bound;      /* most preemptions per schedule; -1: no bound */
	long executions; /* stop after this many runs */
	long seconds;    /* stop after this long */
	/* if set, asked every few hundredths of a second: true stops it
	 * (the viewer's key or signal) */
	bool (*stop)(void *ctx);
	void *stop_ctx;
	/* run every schedule, not the state cache's search (tests compare) */
	bool no_cache;
};

/*
 * Explore cfg (step mode; its policy, seed and schedule are ignored) and
 * print the report to out, or only the summary line when quiet.  Progress
 * goes to stderr when it is a terminal.  Returns the exit status: 0, or
 * 130 when Ctrl-C stopped it (what was found so far is printed first).
 */
int explore_main(const struct run_config *cfg,
		 const struct explore_limits *lim, bool quiet, FILE *out);

/*
 * The same without output, for tests: the number of distinct outcomes
 * (each given to r->outcome, keyed by the summary figures, then
 * " deadlock" or " unfinished (--max-steps)" when the run was), whether a
 * schedule broke the invariant or deadlocked, and the minimal such one
 * (fewest preemptions, then fewest steps) into r->schedule (thread ids, up
 * to r->cap), its length into r->len (0 if none), its preemptions into
 * r->preemptions.
 */
struct explore_result {
	/* given: called once per distinct outcome at the end, if set */
	void (*outcome)(const char *key, long count, bool held, void *ctx);
	void *ctx;
	/* found */
	long executions;
	int outcomes;
	bool complete;   /* every schedule was run */
	long unfinished; /* ... of which these were stopped by --max-steps */
	bool stopped;    /* a limit of executions or time was reached */
	bool can_break;
	long states;     /* the state cache's, 0 if it was not used */
	int *schedule;
	int len, cap;
	int preemptions;
};
void explore_run(const struct run_config *cfg,
		 const struct explore_limits *lim, struct explore_result *r);

#endif
