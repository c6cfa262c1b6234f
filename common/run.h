/*
 * run.h: one whole run of a lesson, in either mode, and its summary.
 */
#ifndef INTERLEAVE_RUN_H
#define INTERLEAVE_RUN_H

#include <stdio.h>

#include "rt.h"
#include "sched.h"

enum run_end {
	RUN_DONE,        /* every thread finished */
	RUN_DEADLOCK,    /* step mode: every live thread blocked */
	RUN_STEP_LIMIT,  /* step mode: --max-steps reached */
	RUN_BAD_SCHEDULE,/* step mode: --schedule named a thread that can't run */
	RUN_NO_INPUT,    /* step mode, manual: the person's input ended */
};

struct run_result {
	enum run_end end;
	bool invariant;
	uint64_t steps;  /* step mode: steps; free mode: events */
	uint64_t kept;   /* free mode: events kept in the rings */
	long misuses;    /* refused operations (not the owner, over a bound) */
	long elapsed_us; /* free mode: the run's wall time */
	int nfigures;
	struct {
		const char *name;
		long value;
	} figures[RT_MAX_FIGURES];
	char error[256];
};

/* Manual policy: ask for the next thread; false when input has ended. */
typedef bool (*run_chooser)(int *id, void *ctx);

/*
 * Run cfg to the end, sending every event to sink (may be NULL).  In step
 * mode with the manual policy, choose is asked at every step.  Fills res;
 * returns res->end.
 */
/*
 * --policy=pct needs the length of a run to spread its change points
 * over: cfg's, or that of one run under the random policy, same seed.
 */
long run_pct_steps(const struct run_config *cfg);

enum run_end run_lesson(const struct run_config *cfg, event_sink sink,
			void *ctx, run_chooser choose, void *cctx,
			struct run_result *res);

/*
 * Step mode, stepping by hand (the viewer): run_begin() sets the run up and
 * starts its threads, run_end() reports and tears it down.  Between them
 * use sched_pick() and sched_step().
 */
void run_begin(const struct run_config *cfg, event_sink sink, void *ctx,
	       struct sched *s);
void run_finish(enum run_end end, struct run_result *res);
/* The same, leaving the run up (the explorer goes back into it). */
void run_outcome(enum run_end end, struct run_result *res);
/* Step mode: leave a run before its end, its outcome unasked. */
void run_abandon(void);

/*
 * Free mode, after rt_init(): run the threads, then deliver the kept events
 * in order.  Returns how many were delivered.  run_finish() follows, unless
 * watch_interrupt stopped the run (rt.interrupted): then nothing was
 * delivered and the caller must end the process (see watch.h).
 */
uint64_t run_free(event_sink sink, void *ctx);

/* Step mode: check --schedule without output.  false: err says why. */
bool run_check_schedule(const struct run_config *cfg, char *err, size_t n);

/*
 * An event sink (ctx: a FILE *) that writes --plain's line for each event:
 * the event, then "  ! " and its narration; a deadlock also says what each
 * live thread waits for.  Step mode, or free mode while rt is up.
 */
void run_plain_sink(const struct event *e, void *ctx);
/*
 * Step mode, every live thread blocked: the deadlock as one sentence, its
 * cycle of waits first if it has one (waitfor.h), then what each other
 * live thread waits for.  Returns buf.
 */
char *run_deadlock_text(char *buf, size_t size);

/* The one summary line of the contract, with a newline. */
void run_summary(const struct run_config *cfg, const struct run_result *res,
		 FILE *out);

/*
 * The verdict on the invariant: "held" or "broken", as the lesson's
 * report() says, or "unfinished" for a run cut short (--max-steps, the
 * end of manual input), which has no verdict.
 */
const char *run_verdict(const struct run_result *res);

/* A figure of the result by name; missing is a test bug: dies. */
long run_figure(const struct run_result *res, const char *name);

#endif
