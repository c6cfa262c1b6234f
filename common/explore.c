/*
 * explore.c: run a lesson under every schedule (see explore.h).
 *
 * A schedule is the thread chosen at each step.  The search is stateless
 * depth-first: each execution starts the lesson afresh and replays a
 * prefix of choices, then takes the first option at every later step; the
 * next execution takes the next untried option at the deepest step that
 * has one.  Options at a step are ordered "the thread that ran last, if it
 * still can" first, then the others by number, so the first execution
 * runs each thread as long as it can, and taking any later option while
 * the last thread could go on is a preemption.
 *
 * Preemptions are bounded iteratively (CHESS): first every schedule with
 * none, then with exactly 1, then 2, and then, in one last pass, all
 * those with more (up to --bound).  A level runs every schedule within its
 * bound but records only those it adds, so each schedule is counted once,
 * and a limit that stops the search early stops it with the schedules of
 * few preemptions done: most concurrency bugs need one or two.  Deepening
 * one preemption at a time all the way would run the early schedules again
 * at every level (9 times over for race --iterations=4).  The search ends
 * when a level adds nothing (every schedule has been run), after the last
 * pass, or at a limit.
 *
 * Nothing is reduced yet: every schedule is run, so what a bound leaves
 * out is only schedules with more preemptions (docs/design.md, "The
 * explorer").
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "explore.h"
#include "run.h"
#include "shm.h"

#define EXPLORE_MAX_OUTCOMES 4096
#define EXPLORE_DEEPEN 2 /* levels 0..2 one at a time, then the rest */
#define EXPLORE_SAY 256

/* One step of the schedule being run. */
struct explore_step {
	uint64_t ready;    /* the threads that could run (bit id-1) */
	int16_t prev;      /* the thread that ran the step before, 0 none */
	int16_t idx;       /* the option taken, in explore_order() */
	int16_t nopts;
	int16_t id;        /* the thread it is */
	int32_t pre;       /* preemptions before this step */
};

struct explore_outcome {
	char key[160];
	long count;
	bool held;
};

/* The best (fewest preemptions, then steps) failure of one kind. */
struct explore_failure {
	char kind[80];
	char say[EXPLORE_SAY]; /* its first narrated event */
	int pre, len;
	int *schedule;
};

/* A sign of trouble in an execution: its kind and how it was said. */
struct explore_sign {
	char kind[80];
	char say[EXPLORE_SAY];
	bool info; /* a note the lesson marked as telling, not breaking */
};

#define EXPLORE_SIGNS 8   /* the first kinds of sign in one execution */
#define EXPLORE_BENIGN 64 /* kinds seen in executions that went well */

struct explore {
	const struct run_config *cfg;
	struct explore_step *path;
	size_t len, cap;
	/* the current execution: its first signs, each of a kind of its own */
	struct explore_sign sign[EXPLORE_SIGNS];
	int nsign;
	char deadlock[EXPLORE_SAY]; /* its deadlock, said while rt is up */
	/* kinds of sign seen in an execution whose invariant held: a note
	 * that says how a run goes ("has its first reply"), not what broke */
	char benign[EXPLORE_BENIGN][80];
	int nbenign;
	/* what was found */
	long runs;         /* executions run, counted at a lower level too */
	long executions;
	struct explore_outcome *outcomes;
	int noutcomes;
	bool outcomes_full;
	long deadlocks;
	struct explore_failure fail[16];
	int nfail;
	int level;         /* the preemption bound being run */
	int floor;         /* it records schedules with at least this many */
	int most;          /* the most preemptions of any schedule run */
	bool complete, stopped;
	const char *why;   /* what stopped it early */
	double polled;     /* when lim->stop was last asked */
};

static volatile sig_atomic_t explore_interrupted;

static void explore_on_sigint(int sig)
{
	(void)sig;
	explore_interrupted = 1;
}

static double explore_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The options at a step: the last thread first if it can go on. */
static int explore_order(uint64_t ready, int prev, int *order)
{
	int n = 0;
	if (prev > 0 && (ready >> (prev - 1) & 1))
		order[n++] = prev;
	for (int i = 1; i <= rt.nthreads; i++)
		if ((ready >> (i - 1) & 1) && i != prev)
			order[n++] = i;
	return n;
}

static bool explore_preempts(const struct explore_step *s)
{
	return s->prev > 0 && (s->ready >> (s->prev - 1) & 1);
}

/*
 * A note's kind is its sentence up to the colon, each number in it read
 * "N": "went in" from "went in: now %ld workers are inside", "read the
 * table with only N of its entries filled in" from its note.  The whole
 * clause, so two notes that open alike ("took item %ld, which was already
 * taken", "took item %ld after a later item") stay two kinds.
 */
static void explore_note_kind(char *kind, size_t size, int note)
{
	const char *text = rt_names.note ? rt_names.note(note) : NULL;
	if (!text)
		return;
	size_t n = 0, end = strcspn(text, ":");
	while (end > 0 && text[end - 1] == ' ')
		end--;
	for (size_t i = 0; i < end && n + 1 < size; i++) {
		if (text[i] == '%' && text[i + 1] == '%') {
			kind[n++] = text[i++];
		} else if (text[i] == '%') { /* "%1$ld": up to its letter */
			i += 1 + strspn(text + i + 1, "0123456789$l");
			kind[n++] = 'N';
		} else {
			kind[n++] = text[i];
		}
	}
	kind[n] = '\0';
}

/* The kind of sign an event is, or NULL: it is none. */
static const char *explore_sign_kind(const struct event *e)
{
	if (e->flags & EV_LOST)
		return "lost update";
	if (e->flags & EV_OVERWRITE)
		return "item overwritten";
	if (e->flags & EV_MISUSE)
		return "misuse refused";
	if (e->op == OP_NOTE)
		return "lesson note";
	if (e->op == OP_DEADLOCK)
		return "deadlock";
	return NULL;
}

/* Each execution keeps the first sign of each kind it shows. */
static void explore_sink(const struct event *e, void *ctx)
{
	struct explore *x = ctx;
	if (e->op == OP_DEADLOCK)
		run_deadlock_text(x->deadlock, sizeof(x->deadlock));
	const char *kind = explore_sign_kind(e);
	if (!kind || x->nsign == EXPLORE_SIGNS)
		return;
	struct explore_sign *s = &x->sign[x->nsign];
	snprintf(s->kind, sizeof(s->kind), "%s", kind);
	s->info = false;
	if (e->op == OP_NOTE) { /* a kind per sentence: its opening words */
		explore_note_kind(s->kind, sizeof(s->kind), (int)e->b);
		s->info = e->b >= 0 && e->b < 64 &&
			  (x->cfg->lesson->info_notes >> e->b & 1);
	}
	for (int i = 0; i < x->nsign; i++)
		if (strcmp(x->sign[i].kind, s->kind) == 0)
			return;
	event_narrate(e, &rt_names, s->say, sizeof(s->say));
	x->nsign++;
}

static bool explore_is_benign(const struct explore *x, const char *kind)
{
	for (int i = 0; i < x->nbenign; i++)
		if (strcmp(x->benign[i], kind) == 0)
			return true;
	return false;
}

/* An execution went well: every kind of sign it showed is benign. */
static void explore_went_well(struct explore *x)
{
	for (int i = 0; i < x->nsign && x->nbenign < EXPLORE_BENIGN; i++)
		if (!explore_is_benign(x, x->sign[i].kind))
			snprintf(x->benign[x->nbenign++], sizeof(x->benign[0]),
				 "%s", x->sign[i].kind);
}

/*
 * What broke a failing execution: its first sign of a kind never seen in
 * an execution that went well, else its first; never a note the lesson
 * marked as telling how a run goes ("has its first reply" comes before
 * the lost increment, and in every run).
 */
static const struct explore_sign *explore_cause(const struct explore *x)
{
	const struct explore_sign *first = NULL;
	for (int i = 0; i < x->nsign; i++) {
		if (x->sign[i].info)
			continue;
		if (!explore_is_benign(x, x->sign[i].kind))
			return &x->sign[i];
		first = first ? first : &x->sign[i];
	}
	return first;
}

static struct explore_step *explore_push(struct explore *x)
{
	if (x->len == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		x->path = realloc(x->path, x->cap * sizeof(*x->path));
		if (!x->path)
			rt_die("out of memory");
	}
	return &x->path[x->len++];
}

/*
 * One execution: the path's choices as far as it goes, then the first
 * option at every step.  Fills res; returns how it ended.
 */
static enum run_end explore_once(struct explore *x, struct run_result *res)
{
	struct sched s;
	size_t prefix = x->len, d = 0;
	int prev = 0, pre = 0, order[RT_MAX_THREADS];
	enum run_end end;
	x->nsign = 0;
	run_begin(x->cfg, explore_sink, x, &s);
	for (;; d++) {
		if (rt.step >= (uint64_t)x->cfg->max_steps) {
			end = RUN_STEP_LIMIT;
			break;
		}
		int ids[RT_MAX_THREADS];
		int n = sched_eligible(ids);
		if (n == 0) {
			end = sched_live() ? RUN_DEADLOCK : RUN_DONE;
			if (end == RUN_DEADLOCK)
				sched_deadlock();
			break;
		}
		uint64_t ready = 0;
		for (int i = 0; i < n; i++)
			ready |= 1ull << (ids[i] - 1);
		struct explore_step *st = d < prefix ? &x->path[d]
						     : explore_push(x);
		if (d >= prefix)
			*st = (struct explore_step){ .ready = ready,
						     .prev = (int16_t)prev };
		st->nopts = (int16_t)explore_order(ready, prev, order);
		st->pre = pre;
		st->id = (int16_t)order[st->idx];
		pre += st->idx > 0 && explore_preempts(st);
		prev = st->id;
		sched_step(prev);
	}
	x->len = d;
	run_finish(end, res);
	return end;
}

/* The deepest step with an untried option within the bound; false: none. */
static bool explore_next(struct explore *x)
{
	while (x->len > 0) {
		struct explore_step *st = &x->path[x->len - 1];
		int pre = st->pre + explore_preempts(st);
		if (st->idx + 1 < st->nopts && pre <= x->level) {
			st->idx++;
			return true;
		}
		x->len--;
	}
	return false;
}

static int explore_preemptions(const struct explore *x)
{
	if (x->len == 0)
		return 0;
	const struct explore_step *st = &x->path[x->len - 1];
	return st->pre + (st->idx > 0 && explore_preempts(st));
}

/* "balance=99 expected=100": the figures of a result, and how it ended. */
static void explore_key(const struct run_result *res, char *key, size_t n)
{
	size_t k = 0;
	key[0] = '\0';
	for (int i = 0; i < res->nfigures && k < n; i++)
		k += (size_t)snprintf(key + k, n - k, "%s%s=%ld", i ? " " : "",
				      res->figures[i].name,
				      res->figures[i].value);
	if (res->end == RUN_DEADLOCK && k < n)
		snprintf(key + k, n - k, "%sdeadlock", k ? " " : "");
	else if (res->end == RUN_STEP_LIMIT && k < n)
		snprintf(key + k, n - k, "%sunfinished (--max-steps)",
			 k ? " " : "");
}

static void explore_outcome(struct explore *x, const struct run_result *res)
{
	char key[160];
	explore_key(res, key, sizeof(key));
	for (int i = 0; i < x->noutcomes; i++)
		if (strcmp(x->outcomes[i].key, key) == 0) {
			x->outcomes[i].count++;
			return;
		}
	if (x->noutcomes == EXPLORE_MAX_OUTCOMES) {
		x->outcomes_full = true;
		return;
	}
	struct explore_outcome *o = &x->outcomes[x->noutcomes++];
	snprintf(o->key, sizeof(o->key), "%s", key);
	o->count = 1;
	o->held = res->invariant && res->end == RUN_DONE;
}

/* A failing execution: keep it if it is the best of its kind so far. */
static void explore_failure(struct explore *x, const struct run_result *res)
{
	const struct explore_sign *cause = explore_cause(x);
	const char *kind = cause ? cause->kind : "invariant broken";
	if (res->end == RUN_DEADLOCK)
		kind = "deadlock";
	int pre = explore_preemptions(x), len = (int)x->len;
	struct explore_failure *f = NULL;
	for (int i = 0; i < x->nfail && !f; i++)
		if (strcmp(x->fail[i].kind, kind) == 0)
			f = &x->fail[i];
	if (!f && x->nfail == (int)(sizeof(x->fail) / sizeof(x->fail[0])))
		return;
	if (!f) {
		f = &x->fail[x->nfail++];
		*f = (struct explore_failure){ .pre = -1 };
		snprintf(f->kind, sizeof(f->kind), "%s", kind);
	}
	if (f->pre >= 0 && (f->pre < pre || (f->pre == pre && f->len <= len)))
		return;
	f->pre = pre;
	f->len = len;
	snprintf(f->say, sizeof(f->say), "%s",
		 res->end == RUN_DEADLOCK ? x->deadlock
		 : cause		  ? cause->say
					  : "");
	free(f->schedule);
	f->schedule = malloc((size_t)(len ? len : 1) * sizeof(int));
	if (!f->schedule)
		rt_die("out of memory");
	for (int i = 0; i < len; i++)
		f->schedule[i] = x->path[i].id;
}

static void explore_progress(const struct explore *x, double t0, bool done)
{
	double t = explore_now() - t0;
	if (done) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\rexplore: %d+ preemptions, %ld executions, %d "
		"outcomes, %.0f/s, %.1f s\033[K", x->floor, x->executions,
		x->noutcomes,
		t > 0 ? (double)x->executions / t : 0.0, t);
}

/* The limits: sets x->why when one is reached. */
static void explore_limits_hit(struct explore *x,
			       const struct explore_limits *lim, double t0,
			       double *shown, bool progress)
{
	if (explore_interrupted) {
		x->why = "Ctrl-C";
	} else if (x->executions >= lim->executions) {
		x->why = "--explore-limit";
	} else {
		/* every run, recorded or not: a run of threads takes
		 * microseconds and the clock 25 ns, one of processes a
		 * millisecond or more; a level's replays of shorter schedules
		 * are not recorded, and can be most of its runs */
		double now = explore_now();
		if (now - t0 > (double)lim->seconds)
			x->why = "--explore-time";
		if (lim->stop && now - x->polled > 0.05) {
			if (lim->stop(lim->stop_ctx))
				x->why = "stop";
			x->polled = now;
		}
		if (progress && now - *shown > 0.25) {
			explore_progress(x, t0, false);
			*shown = now;
		}
	}
}

/* Every schedule with floor..level preemptions; how many there were. */
static long explore_level(struct explore *x, const struct explore_limits *lim,
			  double t0, double *shown, bool progress)
{
	long added = 0;
	x->len = 0;
	do {
		struct run_result res;
		enum run_end end = explore_once(x, &res);
		int pre = explore_preemptions(x);
		x->runs++;
		if (pre < x->floor) { /* recorded at a lower level */
			explore_limits_hit(x, lim, t0, shown, progress);
			continue;
		}
		added++;
		x->executions++;
		x->most = pre > x->most ? pre : x->most;
		explore_outcome(x, &res);
		x->deadlocks += end == RUN_DEADLOCK;
		if (end == RUN_DEADLOCK || (end == RUN_DONE && !res.invariant))
			explore_failure(x, &res);
		else if (end == RUN_DONE)
			explore_went_well(x);
		explore_limits_hit(x, lim, t0, shown, progress);
	} while (!x->why && explore_next(x));
	return added;
}

/* Levels 0, 1, 2, then the rest, until done or stopped. */
static void explore_search(struct explore *x, const struct explore_limits *lim,
			   bool progress)
{
	double t0 = explore_now(), shown = t0;
	long top = lim->bound >= 0 ? lim->bound : INT32_MAX;
	for (x->floor = 0; x->floor <= top; x->floor = x->level + 1) {
		x->level = x->floor < EXPLORE_DEEPEN ? x->floor : (int)top;
		long added = explore_level(x, lim, t0, &shown, progress);
		if (x->why) {
			x->stopped = true;
			break;
		}
		if (added == 0 || x->level == INT32_MAX) {
			x->complete = true; /* nothing needs more */
			break;
		}
	}
	if (progress)
		explore_progress(x, t0, true);
}

static const char *explore_verdict(const struct explore *x)
{
	if (x->nfail)
		return "can-break";
	return x->complete ? "always-holds" : "unknown";
}

/* The command that replays a schedule: the lesson, its options, it. */
static void explore_command(const struct explore *x, const int *schedule,
			    int len, FILE *out)
{
	const struct run_config *c = x->cfg;
	const struct lesson *l = c->lesson;
	char args[1024] = "";
	cli_lesson_args(c, true, NULL, args, sizeof(args));
	fprintf(out, "%s", l->name);
	if (c->variant)
		fprintf(out, " --variant=%s", l->variants[c->variant].name);
	fprintf(out, "%s --schedule=", args);
	for (int i = 0; i < len; i++)
		fprintf(out, "%s%d", i ? "," : "", schedule[i]);
	fputc('\n', out);
}

/* The failure with the fewest preemptions, then steps; NULL if none. */
static const struct explore_failure *explore_best(const struct explore *x)
{
	const struct explore_failure *best = NULL;
	for (int i = 0; i < x->nfail; i++)
		if (!best || x->fail[i].pre < best->pre ||
		    (x->fail[i].pre == best->pre && x->fail[i].len < best->len))
			best = &x->fail[i];
	return best;
}

static void explore_failures(const struct explore *x, FILE *out)
{
	const struct explore_failure *best = explore_best(x);
	if (!best)
		return;
	fprintf(out, "\nshortest failing schedule: %d preemption%s, %d steps "
		"(%s)\n  ", best->pre, best->pre == 1 ? "" : "s", best->len,
		best->kind);
	explore_command(x, best->schedule, best->len, out);
	if (best->say[0])
		fprintf(out, "  ! %s\n", best->say);
	if (x->nfail < 2)
		return;
	fprintf(out, "\neach kind of failure, its shortest schedule:\n");
	for (int i = 0; i < x->nfail; i++) {
		const struct explore_failure *f = &x->fail[i];
		fprintf(out, "  %s: %d preemption%s, %d steps\n    ", f->kind,
			f->pre, f->pre == 1 ? "" : "s", f->len);
		explore_command(x, f->schedule, f->len, out);
		if (f->say[0])
			fprintf(out, "    ! %s\n", f->say);
	}
}

static void explore_report(const struct explore *x,
			   const struct explore_limits *lim, FILE *out)
{
	fprintf(out, "explored %ld executions in %ld runs: ", x->executions,
		x->runs);
	if (x->stopped)
		fprintf(out, "stopped by %s while running schedules with "
			"%d or more preemptions: incomplete\n", x->why,
			x->floor);
	else if (x->complete)
		fprintf(out, "every schedule (the most preemptions any "
			"has: %d)\n", x->most);
	else
		fprintf(out, "every schedule with at most %ld preemption%s "
			"(--bound)\n", lim->bound, lim->bound == 1 ? "" : "s");
	fprintf(out, "\noutcomes%s:\n", x->outcomes_full ? " (the first "
			"4096 kinds; more were left out)" : "");
	for (int i = 0; i < x->noutcomes; i++)
		fprintf(out, "  %8ld  %-8s %s\n", x->outcomes[i].count,
			x->outcomes[i].held ? "held" : "broken",
			x->outcomes[i].key);
	fprintf(out, "\ndeadlocks: %ld\n", x->deadlocks);
	fprintf(out, "invariant: %s\n",
		x->nfail ? "can break"
		: x->complete ? "held in every execution"
			      : "held in every execution run (not all were)");
	explore_failures(x, out);
}

static void explore_summary(const struct explore *x,
			    const struct explore_limits *lim, FILE *out)
{
	const struct run_config *c = x->cfg;
	fprintf(out, "summary: lesson=%s variant=%s mode=explore",
		c->lesson->name, c->lesson->variants[c->variant].name);
	if (lim->bound >= 0)
		fprintf(out, " bound=%ld", lim->bound);
	else
		fprintf(out, " bound=none");
	fprintf(out, " executions=%ld outcomes=%d deadlocks=%ld invariant=%s",
		x->executions, x->noutcomes, x->deadlocks, explore_verdict(x));
	if (x->stopped)
		fprintf(out, " stopped=%s", x->why[0] == '-' ? x->why + 2
							   : "interrupt");
	fputc('\n', out);
}

static void explore_init(struct explore *x, const struct run_config *cfg)
{
	memset(x, 0, sizeof(*x));
	x->cfg = cfg;
	x->outcomes = calloc(EXPLORE_MAX_OUTCOMES, sizeof(*x->outcomes));
	if (!x->outcomes)
		rt_die("out of memory");
}

static void explore_free(struct explore *x)
{
	for (int i = 0; i < x->nfail; i++)
		free(x->fail[i].schedule);
	free(x->outcomes);
	free(x->path);
}

int explore_main(const struct run_config *cfg,
		 const struct explore_limits *lim, bool quiet, FILE *out)
{
	static struct explore x;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = explore_on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	explore_interrupted = 0;
	explore_init(&x, cfg);
	shm_hush(true); /* thousands of runs: their outcomes say left=1 */
	explore_search(&x, lim, isatty(STDERR_FILENO));
	shm_hush(false);
	sigaction(SIGINT, &old, NULL);
	if (!quiet) {
		explore_report(&x, lim, out);
		fputc('\n', out);
	}
	explore_summary(&x, lim, out);
	int rc = x.why && x.why[0] == 'C' ? 130 : 0;
	explore_free(&x);
	return rc;
}

void explore_run(const struct run_config *cfg,
		 const struct explore_limits *lim, struct explore_result *r)
{
	static struct explore x;
	explore_init(&x, cfg);
	shm_hush(true);
	explore_search(&x, lim, false);
	shm_hush(false);
	r->executions = x.executions;
	r->outcomes = x.noutcomes;
	for (int i = 0; r->outcome && i < x.noutcomes; i++)
		r->outcome(x.outcomes[i].key, x.outcomes[i].count,
			   x.outcomes[i].held, r->ctx);
	r->complete = x.complete;
	r->stopped = x.stopped;
	r->can_break = x.nfail > 0;
	r->len = 0;
	const struct explore_failure *best = explore_best(&x);
	if (best) {
		r->preemptions = best->pre;
		r->len = best->len < r->cap ? best->len : r->cap;
		if (r->len > 0) /* r->schedule may be NULL, with cap 0 */
			memcpy(r->schedule, best->schedule,
			       (size_t)r->len * sizeof(int));
	}
	explore_free(&x);
}
