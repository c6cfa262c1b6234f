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
 * The last pass, when no bound limits it, runs over states instead of
 * schedules (cache.c): a state met before is not run again, and the
 * schedules are counted as paths through the graph of states at the end
 * (explore_cached()).  Levels 0 and 1 still run every schedule: they find
 * the failures with the fewest preemptions, and name their kinds, the way
 * a person would replay them.  A lesson of processes, a sanitizer build
 * and a run with --bound run every schedule (docs/design.md, "The
 * explorer").
 */
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "cli.h"
#include "explore.h"
#include "run.h"
#include "shm.h"

#define EXPLORE_MAX_OUTCOMES 4096
#define EXPLORE_DEEPEN 2 /* levels 0 and 1 one at a time, then the rest */
#define EXPLORE_SAY 256
/* A schedule of more than EXPLORE_LONG steps is printed with a thread's
 * EXPLORE_RUN or more steps in a row as "N*K". */
#define EXPLORE_LONG 30
#define EXPLORE_RUN 3
/* The state cache's size: 4 million states, about 350 MB with the table
 * and the edges, before it stops and says so. */
#define EXPLORE_MAX_STATES (1u << 22)
#define EXPLORE_STATES_FULL "the state cache's size (4194304 states)"

/* One step of the schedule being run. */
struct explore_step {
	uint64_t ready;    /* the threads that could run (bit id-1) */
	int16_t prev;      /* the thread that ran the step before, 0 none */
	int16_t idx;       /* the option taken, in explore_order() */
	int16_t nopts;
	int16_t id;        /* the thread it is */
	int32_t pre;       /* preemptions before this step */
	int32_t node;      /* the cached pass: the state it is taken in */
	int32_t lost;      /* ... and the updates lost before it */
};

/* Schedules: C(4N, 2N) for the race at N = 20 is 10^23. */
typedef unsigned __int128 explore_count;

struct explore_outcome {
	char key[160];
	explore_count count;
	bool held;
	bool stopped; /* by --max-steps: its invariant was not asked at an end */
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

/* The cached pass: a state on the path, to come back to. */
struct explore_snap {
	struct cache_snap run;
	int nsign;
	struct explore_sign sign[EXPLORE_SIGNS];
};

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
	explore_count executions;
	struct explore_outcome *outcomes;
	int noutcomes;
	bool outcomes_full;
	explore_count deadlocks;
	explore_count unfinished; /* executions stopped by --max-steps */
	/* the cached pass (cache.c): the states met and the ways between */
	struct cache_graph g;
	struct explore_snap *snap; /* by depth, where the path branches */
	size_t nsnap;
	/* final states whose outcome depends on the updates lost on the way
	 * (CACHE_ASKS_LOST): kept to ask again with each path's count */
	struct cache_snap *finals, scratch;
	size_t nfinals, finalcap;
	const char *uncached; /* why the run's states cannot be cached */
	bool cached;          /* the last pass used the cache, to the end */
	struct explore_failure fail[16];
	int nfail;
	int level;         /* the preemption bound being run */
	int floor;         /* it records schedules with at least this many */
	bool cut;          /* the level left out an option over its bound */
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

/* A number that names a thread or a process in a note ("T%d", "P%d",
 * a word of its own): the kind says "a thread", "a process", not "TN". */
static const char *explore_who(const char *kind, size_t n)
{
	if (n < 1 || (n > 1 && kind[n - 2] != ' ' && kind[n - 2] != '('))
		return NULL;
	return kind[n - 1] == 'T' ? "a thread"
	       : kind[n - 1] == 'P' ? "a process"
				    : NULL;
}

/*
 * A note's kind is its sentence up to the colon, each number in it read
 * "N" (or "a thread": explore_who()): "went in" from "went in: now %ld
 * workers are inside", "read the table with only N of its entries filled
 * in" from its note.  The whole
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
			const char *who = explore_who(kind, n);
			if (who) { /* in place of its T or P */
				n += (size_t)snprintf(kind + n - 1, size - n + 1,
						      "%s", who) - 1;
				n = n < size ? n : size - 1;
			} else {
				kind[n++] = 'N';
			}
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
 * option at every step.  Fills res (res->end: how it ended).
 */
static void explore_once(struct explore *x, struct run_result *res)
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
		uint64_t ready = sched_eligible_mask();
		if (ready == 0) {
			end = sched_live() ? RUN_DEADLOCK : RUN_DONE;
			if (end == RUN_DEADLOCK)
				sched_deadlock();
			break;
		}
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
}

/* The deepest step with an untried option within the bound; false: none. */
static bool explore_next(struct explore *x)
{
	while (x->len > 0) {
		struct explore_step *st = &x->path[x->len - 1];
		int pre = st->pre + explore_preempts(st);
		if (st->idx + 1 < st->nopts) {
			if (pre <= x->level) {
				st->idx++;
				return true;
			}
			x->cut = true;
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

/* The index of a result's outcome, new ones counted 0; -1: too many. */
static int explore_outcome_of(struct explore *x, const struct run_result *res)
{
	char key[160];
	explore_key(res, key, sizeof(key));
	for (int i = 0; i < x->noutcomes; i++)
		if (strcmp(x->outcomes[i].key, key) == 0)
			return i;
	if (x->noutcomes == EXPLORE_MAX_OUTCOMES) {
		x->outcomes_full = true;
		return -1;
	}
	struct explore_outcome *o = &x->outcomes[x->noutcomes];
	snprintf(o->key, sizeof(o->key), "%s", key);
	o->count = 0;
	o->held = res->invariant && res->end == RUN_DONE;
	o->stopped = res->end == RUN_STEP_LIMIT;
	return x->noutcomes++;
}

static void explore_outcome(struct explore *x, const struct run_result *res)
{
	int i = explore_outcome_of(x, res);
	if (i >= 0)
		x->outcomes[i].count++;
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

/* A count in decimal, at the end of buf (EXPLORE_NUM bytes hold any). */
#define EXPLORE_NUM 40
static const char *explore_num(explore_count v, char *buf)
{
	size_t i = EXPLORE_NUM - 1;
	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	return buf + i;
}

static long explore_long(explore_count v)
{
	return v > LONG_MAX ? LONG_MAX : (long)v;
}

static void explore_progress(const struct explore *x, double t0, bool done)
{
	double t = explore_now() - t0;
	if (done) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\rexplore: %d+ preemptions, %ld runs, %zu states, "
		"%d outcomes, %.0f/s, %.1f s\033[K", x->floor, x->runs, x->g.n,
		x->noutcomes, t > 0 ? (double)x->runs / t : 0.0, t);
}

/* The limits: sets x->why when one is reached. */
static void explore_limits_hit(struct explore *x,
			       const struct explore_limits *lim, double t0,
			       double *shown, bool progress)
{
	if (explore_interrupted) {
		x->why = "Ctrl-C";
	} else if (x->executions >= (explore_count)lim->executions ||
		   (x->g.n > 0 && x->runs >= lim->executions)) {
		x->why = "--explore-limit";
	} else if (x->g.n >= EXPLORE_MAX_STATES) {
		x->why = EXPLORE_STATES_FULL;
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

/* Did the execution fail: deadlock, or the invariant broken at its end? */
static bool explore_broke(const struct run_result *res)
{
	return res->end == RUN_DEADLOCK ||
	       (res->end == RUN_DONE && !res->invariant);
}

/* A finished execution, pre preemptions: count it and learn from it. */
static void explore_record(struct explore *x, const struct run_result *res,
			   int pre)
{
	x->executions++;
	x->most = pre > x->most ? pre : x->most;
	explore_outcome(x, res);
	x->deadlocks += res->end == RUN_DEADLOCK;
	x->unfinished += res->end == RUN_STEP_LIMIT;
	if (explore_broke(res))
		explore_failure(x, res);
	else if (res->end == RUN_DONE)
		explore_went_well(x);
}

/* Every schedule with floor..level preemptions; how many there were. */
static long explore_level(struct explore *x, const struct explore_limits *lim,
			  double t0, double *shown, bool progress)
{
	long added = 0;
	x->len = 0;
	do {
		struct run_result res;
		explore_once(x, &res);
		int pre = explore_preemptions(x);
		x->runs++;
		if (pre < x->floor) { /* recorded at a lower level */
			explore_limits_hit(x, lim, t0, shown, progress);
			continue;
		}
		added++;
		explore_record(x, &res, pre);
		explore_limits_hit(x, lim, t0, shown, progress);
	} while (!x->why && explore_next(x));
	return added;
}

/* A final state: its outcome, and how it ended. */
static void explore_final(struct explore *x, int32_t node,
			  const struct run_result *res)
{
	struct cache_node *n = &x->g.node[node];
	n->flags |= CACHE_FINAL;
	n->outcome = (int16_t)explore_outcome_of(x, res);
	n->flags |= (explore_broke(res) ? CACHE_BROKEN : 0) |
		    (res->end == RUN_DEADLOCK ? CACHE_DEADLOCK : 0) |
		    (res->end == RUN_STEP_LIMIT ? CACHE_LIMIT : 0);
	if (!rt.lost_asked)
		return;
	n->flags |= CACHE_ASKS_LOST;
	if (x->nfinals == x->finalcap) {
		x->finalcap = x->finalcap ? x->finalcap * 2 : 64;
		x->finals = realloc(x->finals,
				    x->finalcap * sizeof(*x->finals));
		if (!x->finals)
			rt_die("out of memory");
	}
	n->succ = (uint32_t)x->nfinals;
	x->finals[x->nfinals++] = x->scratch; /* taken before report() */
	memset(&x->scratch, 0, sizeof(x->scratch));
}

static explore_count explore_sum(explore_count a, explore_count b)
{
	explore_count c = a + b;
	return c < a ? ~(explore_count)0 : c; /* saturate, never wrap */
}

/* The successor of node n by its option i, and whether taking it preempts. */
static int32_t explore_succ(const struct cache_graph *g, int32_t n, int i,
			    int *preempts)
{
	const struct cache_node *c = &g->node[n];
	*preempts = i > 0 && (c->flags & CACHE_PREV_READY);
	return g->succ[c->succ + (uint32_t)i]; /* checked: cache_by_step() */
}

/*
 * Back from the final states: the most preemptions of any schedule, and
 * the failing schedule with the fewest preemptions, then steps (its first
 * option into best[]).
 */
struct explore_back {
	int most, pre, len, best;
};

static struct explore_back explore_back(struct explore *x,
					struct explore_back *b)
{
	const struct cache_graph *g = &x->g;
	for (size_t k = g->n; k-- > 0;) {
		int32_t n = (int32_t)k;
		const struct cache_node *c = &g->node[n];
		struct explore_back *me = &b[n];
		*me = (struct explore_back){ 0, INT32_MAX, INT32_MAX, -1 };
		if (c->flags & CACHE_FINAL) {
			if (c->flags & CACHE_BROKEN)
				me->pre = me->len = 0;
			continue;
		}
		for (int i = 0; i < c->nopts; i++) {
			int p;
			const struct explore_back *s = &b[explore_succ(g, n, i,
								      &p)];
			me->most = s->most + p > me->most ? s->most + p
							  : me->most;
			if (s->pre == INT32_MAX)
				continue;
			if (s->pre + p < me->pre ||
			    (s->pre + p == me->pre && s->len + 1 < me->len)) {
				me->pre = s->pre + p;
				me->len = s->len + 1;
				me->best = i;
			}
		}
	}
	return b[0];
}

/*
 * Run the failing schedule with the fewest preemptions that explore_back()
 * found, to record it (the levels before the pass ran every schedule with
 * fewer, and found none that failed).
 */
static void explore_replay_best(struct explore *x,
				const struct explore_back *b)
{
	const struct cache_graph *g = &x->g;
	x->len = 0;
	for (int32_t n = 0; b[n].best >= 0;) {
		const struct cache_node *c = &g->node[n];
		struct explore_step *st = explore_push(x);
		*st = (struct explore_step){ .ready = c->ready,
					     .prev = c->prev,
					     .idx = (int16_t)b[n].best,
					     .node = n };
		int p;
		n = explore_succ(g, n, b[n].best, &p);
	}
	struct run_result res;
	size_t len = x->len;
	explore_once(x, &res);
	if (x->len != len || explore_preemptions(x) != b[0].pre ||
	    !explore_broke(&res))
		rt_die("explore: the cached failing schedule did not fail");
	explore_failure(x, &res);
}

/*
 * The outcome of final state n reached with `lost` updates lost on the
 * way: its report() asked for them, so it is asked again with this count,
 * in the state as it was (once for each count: memo[] keeps the answers).
 */
static int explore_outcome_at(struct explore *x, int32_t n, long lost,
			      int *memo)
{
	const struct cache_node *c = &x->g.node[n];
	if (memo[0] == lost)
		return memo[1];
	cache_restore(&x->finals[c->succ]);
	rt.lost_updates = lost;
	struct run_result res;
	run_outcome(c->flags & CACHE_DEADLOCK ? RUN_DEADLOCK
		    : c->flags & CACHE_LIMIT  ? RUN_STEP_LIMIT
					      : RUN_DONE, &res);
	if (explore_broke(&res) != ((c->flags & CACHE_BROKEN) != 0))
		rt_die("explore: %s's invariant depends on lost_updates",
		       x->cfg->lesson->name);
	memo[0] = (int)lost;
	memo[1] = explore_outcome_of(x, &res);
	return memo[1];
}

/* count paths reach final state n having lost `lost` updates. */
static void explore_count_final(struct explore *x, int32_t n, long lost,
				explore_count count, int *memo)
{
	const struct cache_node *c = &x->g.node[n];
	x->executions = explore_sum(x->executions, count);
	if (c->flags & CACHE_DEADLOCK)
		x->deadlocks = explore_sum(x->deadlocks, count);
	if (c->flags & CACHE_LIMIT)
		x->unfinished = explore_sum(x->unfinished, count);
	int o = c->flags & CACHE_ASKS_LOST
		? explore_outcome_at(x, n, lost, memo) : c->outcome;
	if (o >= 0)
		x->outcomes[o].count = explore_sum(x->outcomes[o].count, count);
}

/*
 * How many paths reach each state, by the updates lost on the way (the
 * graph leaves those out of a state; the counting carries them, cache.c):
 * for each state a window of counts, lo[n] to hi[n] lost, step by step.
 */
struct explore_counting {
	int32_t *lo, *hi;
	size_t *at;              /* the state's window in its step's pool */
	explore_count *pool[2];  /* this step's windows, the next step's */
};

/* The next step's windows: where each state's goes, and room for them. */
static void explore_windows(struct explore *x, struct explore_counting *k,
			    size_t from, size_t to, size_t end)
{
	const struct cache_graph *g = &x->g;
	for (size_t n = from; n < to; n++) {
		const struct cache_node *c = &g->node[n];
		for (int i = 0; i < c->nopts; i++) {
			uint32_t e = c->succ + (uint32_t)i;
			int32_t s = g->succ[e];
			int32_t lo = k->lo[n] + g->lost[e], hi = k->hi[n] + g->lost[e];
			k->lo[s] = lo < k->lo[s] ? lo : k->lo[s];
			k->hi[s] = hi > k->hi[s] ? hi : k->hi[s];
		}
	}
	size_t room = 0;
	for (size_t n = to; n < end; n++) {
		k->at[n] = room;
		room += (size_t)(k->hi[n] - k->lo[n] + 1);
	}
	free(k->pool[1]);
	k->pool[1] = calloc(room ? room : 1, sizeof(explore_count));
	if (!k->pool[1])
		rt_die("out of memory");
}

/*
 * The pass ran to its end: every schedule is a path of the graph.  Count
 * them, step by step from the first state (each edge goes one step on):
 * all of them, each outcome's, the deadlocks.  The run is still up, for
 * explore_outcome_at().
 */
static void explore_count_paths(struct explore *x, const size_t *level,
				size_t nlevels)
{
	const struct cache_graph *g = &x->g;
	struct explore_counting k = {
		.lo = malloc(g->n * sizeof(int32_t)),
		.hi = malloc(g->n * sizeof(int32_t)),
		.at = calloc(g->n, sizeof(size_t)),
		.pool = { calloc(1, sizeof(explore_count)), NULL },
	};
	if (!k.lo || !k.hi || !k.at || !k.pool[0])
		rt_die("out of memory");
	for (size_t n = 0; n < g->n; n++) {
		k.lo[n] = INT32_MAX;
		k.hi[n] = INT32_MIN;
	}
	k.lo[0] = k.hi[0] = 0;
	k.pool[0][0] = 1;
	x->executions = x->deadlocks = x->unfinished = 0;
	for (int i = 0; i < x->noutcomes; i++)
		x->outcomes[i].count = 0;
	for (size_t l = 0; l < nlevels; l++) {
		size_t from = level[l], to = level[l + 1];
		explore_windows(x, &k, from, to,
				l + 1 < nlevels ? level[l + 2] : to);
		for (size_t n = from; n < to; n++) {
			const struct cache_node *c = &g->node[n];
			const explore_count *w = k.pool[0] + k.at[n];
			int width = k.hi[n] - k.lo[n] + 1, memo[2] = { -1, -1 };
			for (int j = 0; j < width && (c->flags & CACHE_FINAL); j++)
				if (w[j])
					explore_count_final(x, (int32_t)n,
							    k.lo[n] + j, w[j],
							    memo);
			for (int i = 0; i < c->nopts; i++) {
				uint32_t e = c->succ + (uint32_t)i;
				int32_t s = g->succ[e];
				explore_count *to_w = k.pool[1] + k.at[s] +
					(k.lo[n] + g->lost[e] - k.lo[s]);
				for (int j = 0; j < width; j++)
					to_w[j] = explore_sum(to_w[j], w[j]);
			}
		}
		explore_count *t = k.pool[0];
		k.pool[0] = k.pool[1];
		k.pool[1] = t;
	}
	free(k.pool[0]);
	free(k.pool[1]);
	free(k.lo);
	free(k.hi);
	free(k.at);
}

/*
 * Then back from the final states: the most preemptions of any schedule,
 * and, if the levels before found no failure, the failing schedule with
 * the fewest preemptions, run to record it.
 */
static void explore_paths_back(struct explore *x)
{
	const struct cache_graph *g = &x->g;
	struct explore_back *b = malloc(g->n * sizeof(*b));
	if (!b)
		rt_die("out of memory");
	struct explore_back root = explore_back(x, b);
	x->most = root.most;
	x->cached = true;
	if (root.best >= 0 && root.pre >= x->floor)
		explore_replay_best(x, b);
	free(b);
}

/*
 * The cached pass: a depth-first search over states rather than
 * schedules (cache.c).  It runs the lesson once, and from each state it
 * has not met before takes the first option, saving the state where
 * there are others; at a state met before (what follows it is known) or
 * at the run's end, it puts back the deepest saved state with an option
 * not taken yet and takes that.  So every state's every option is run
 * once, and the graph of states, a DAG (the step is part of a state), has
 * every schedule as a path from the first state to a final one.  What the
 * pass counts as it goes (schedules with floor or more preemptions that
 * ran to the end) is what a stopped search reports; a search that ends
 * counts every path instead (explore_count_paths()).
 */

static void explore_save(struct explore *x, size_t d)
{
	if (d >= x->nsnap) {
		size_t n = x->nsnap ? x->nsnap : 64;
		while (n <= d)
			n *= 2;
		x->snap = realloc(x->snap, n * sizeof(*x->snap));
		if (!x->snap)
			rt_die("out of memory");
		memset(x->snap + x->nsnap, 0,
		       (n - x->nsnap) * sizeof(*x->snap));
		x->nsnap = n;
	}
	struct explore_snap *sn = &x->snap[d];
	cache_save(&sn->run);
	sn->nsign = x->nsign;
	memcpy(sn->sign, x->sign, (size_t)x->nsign * sizeof(x->sign[0]));
}

static void explore_back_to(struct explore *x, size_t d)
{
	const struct explore_snap *sn = &x->snap[d];
	cache_restore(&sn->run);
	x->nsign = sn->nsign;
	memcpy(x->sign, sn->sign, (size_t)sn->nsign * sizeof(x->sign[0]));
}

/* The state at depth d, just reached: false if it ends the execution. */
static bool explore_cached_state(struct explore *x, size_t d, int prev,
				 int pre, long *added)
{
	bool limit = rt.step >= (uint64_t)x->cfg->max_steps;
	uint64_t ready = limit ? 0 : sched_eligible_mask();
	struct cache_key k = cache_key(prev);
	int32_t node = cache_find(&x->g, k);
	bool known = node >= 0;
	if (!known)
		node = cache_add(&x->g, k, (uint32_t)rt.step, ready, prev,
				 __builtin_popcountll(ready));
	if (d > 0) {
		const struct explore_step *up = &x->path[d - 1];
		uint32_t e = x->g.node[up->node].succ + (uint32_t)up->idx;
		long lost = rt.lost_updates - up->lost;
		if (lost < 0 || lost > UINT8_MAX)
			rt_die("explore: a step lost %ld updates", lost);
		x->g.succ[e] = node;
		x->g.lost[e] = (uint8_t)lost;
	}
	x->len = d;
	if (known)
		return false;
	if (ready == 0) {
		struct run_result res;
		enum run_end end = limit ? RUN_STEP_LIMIT
				   : sched_live() ? RUN_DEADLOCK : RUN_DONE;
		if (end == RUN_DEADLOCK)
			sched_deadlock();
		cache_save(&x->scratch);
		run_outcome(end, &res);
		explore_final(x, node, &res);
		if (pre >= x->floor) { /* pre: the path's, this far */
			++*added;
			explore_record(x, &res, pre);
		} else if (end == RUN_DONE && res.invariant) {
			explore_went_well(x);
		}
		return false;
	}
	struct explore_step *st = explore_push(x);
	*st = (struct explore_step){ .ready = ready, .prev = (int16_t)prev,
				     .pre = pre, .node = node,
				     .lost = (int32_t)rt.lost_updates };
	int order[RT_MAX_THREADS];
	st->nopts = (int16_t)explore_order(ready, prev, order);
	st->id = (int16_t)order[0];
	if (st->nopts > 1)
		explore_save(x, d);
	return true;
}

/* Take step d of the path (its option idx), from the state before it. */
static void explore_cached_step(struct explore *x, size_t d)
{
	struct explore_step *st = &x->path[d];
	int order[RT_MAX_THREADS];
	explore_order(st->ready, st->prev, order);
	st->id = (int16_t)order[st->idx];
	x->len = d + 1;
	sched_step(st->id);
}

static long explore_cached(struct explore *x, const struct explore_limits *lim,
			   double t0, double *shown, bool progress)
{
	long added = 0;
	struct sched s;
	size_t d = 0;
	x->len = 0;
	x->nsign = 0;
	fiber_cleaning = true;
	run_begin(x->cfg, explore_sink, x, &s);
	for (;;) {
		const struct explore_step *up = d ? &x->path[d - 1] : NULL;
		int prev = up ? up->id : 0;
		int pre = up ? up->pre + (up->idx > 0 && explore_preempts(up))
			     : 0;
		if (explore_cached_state(x, d, prev, pre, &added)) {
			explore_cached_step(x, d++);
			continue;
		}
		x->runs++;
		explore_limits_hit(x, lim, t0, shown, progress);
		if (x->why || !explore_next(x))
			break;
		d = x->len - 1; /* explore_next() moved its option on */
		explore_back_to(x, d);
		explore_cached_step(x, d++);
	}
	if (!x->why) {
		size_t nlevels, *level = cache_by_step(&x->g, &nlevels);
		explore_count_paths(x, level, nlevels);
		free(level);
	}
	run_abandon();
	fiber_cleaning = false;
	if (!x->why)
		explore_paths_back(x);
	return added;
}

/*
 * Why the last pass cannot use the state cache, or NULL: it can.  Only a
 * pass with no bound can (a bound would have to be part of a state),
 * INTERLEAVE_EXPLORE_CACHE=0 turns it off (for the benchmark), and the
 * run may not allow it (cache_why_not()).
 */
static const char *explore_uncached(const struct explore *x,
				    const struct explore_limits *lim)
{
	const char *env = getenv("INTERLEAVE_EXPLORE_CACHE");
	if (env && strcmp(env, "0") == 0)
		return "INTERLEAVE_EXPLORE_CACHE=0";
	return lim->no_cache ? "asked not to" : cache_why_not(x->cfg);
}

/* Levels 0, 1, then the rest, until done or stopped. */
static void explore_search(struct explore *x, const struct explore_limits *lim,
			   bool progress)
{
	double t0 = explore_now(), shown = t0;
	long top = lim->bound >= 0 ? lim->bound : INT32_MAX;
	x->uncached = explore_uncached(x, lim);
	for (x->floor = 0; x->floor <= top; x->floor = x->level + 1) {
		x->level = x->floor < EXPLORE_DEEPEN ? x->floor : (int)top;
		bool cache = x->level == INT32_MAX && !x->uncached;
		x->cut = false;
		long added = cache ? explore_cached(x, lim, t0, &shown, progress)
				   : explore_level(x, lim, t0, &shown, progress);
		if (x->why) {
			x->stopped = true;
			break;
		}
		/* a --bound over what any schedule needs: none was left out */
		if (added == 0 || x->level == INT32_MAX ||
		    (x->level == top && !x->cut)) {
			x->complete = true; /* nothing needs more */
			break;
		}
	}
	if (progress)
		explore_progress(x, t0, true);
}

/* Held only if every schedule ran to its end: one that --max-steps
 * stopped might still have broken it. */
static const char *explore_verdict(const struct explore *x)
{
	if (x->nfail)
		return "can-break";
	return x->complete && !x->unfinished ? "always-holds" : "unknown";
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
	/* a long one (a spin loop's thousand checks) in runs: "2*1012" */
	int run = len > EXPLORE_LONG ? EXPLORE_RUN : INT_MAX;
	for (int i = 0; i < len;) {
		int k = 1;
		while (i + k < len && schedule[i + k] == schedule[i])
			k++;
		fprintf(out, "%s%d", i ? "," : "", schedule[i]);
		if (k >= run)
			fprintf(out, "*%d", k);
		i += k >= run ? k : 1;
	}
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

/* Most schedules first, then by what they show: an order that does not
 * depend on which search found them first (with the state cache or not). */
static int explore_by_count(const void *a, const void *b)
{
	const struct explore_outcome *p = *(const struct explore_outcome *const *)a;
	const struct explore_outcome *q = *(const struct explore_outcome *const *)b;
	if (p->count != q->count)
		return p->count > q->count ? -1 : 1;
	return strcmp(p->key, q->key);
}

static void explore_outcomes(const struct explore *x, FILE *out)
{
	const struct explore_outcome **o = malloc(
		(size_t)(x->noutcomes ? x->noutcomes : 1) * sizeof(*o));
	if (!o)
		rt_die("out of memory");
	int width = 8;
	char num[EXPLORE_NUM];
	for (int i = 0; i < x->noutcomes; i++) {
		o[i] = &x->outcomes[i];
		int w = (int)strlen(explore_num(o[i]->count, num));
		width = w > width ? w : width;
	}
	qsort(o, (size_t)x->noutcomes, sizeof(*o), explore_by_count);
	for (int i = 0; i < x->noutcomes; i++)
		fprintf(out, "  %*s  %-8s %s\n", width,
			explore_num(o[i]->count, num),
			o[i]->stopped ? "stopped" : o[i]->held ? "held"
								: "broken",
			o[i]->key);
	free(o);
}

static void explore_report(const struct explore *x,
			   const struct explore_limits *lim, FILE *out)
{
	char num[EXPLORE_NUM];
	fprintf(out, "explored %s execution%s", explore_num(x->executions, num),
		x->executions == 1 ? "" : "s");
	if (x->cached)
		fprintf(out, " through %zu states", x->g.n);
	if (x->stopped && (explore_count)x->runs != x->executions)
		fprintf(out, " in %ld runs", x->runs);
	fputs(": ", out);
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
	explore_outcomes(x, out);
	fprintf(out, "\ndeadlocks: %s\n", explore_num(x->deadlocks, num));
	if (x->unfinished && !x->nfail && x->unfinished == x->executions)
		fprintf(out, "invariant: unknown: --max-steps stopped every "
			"execution before its end\n");
	else if (x->unfinished && !x->nfail)
		fprintf(out, "invariant: held in every execution that ended; "
			"--max-steps stopped %s before their end: unknown\n",
			explore_num(x->unfinished, num));
	else
		fprintf(out, "invariant: %s\n",
			x->nfail      ? "can break"
			: x->complete ? "held in every execution"
				      : "held in every execution run (not "
					"all were)");
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
	char num[EXPLORE_NUM], dl[EXPLORE_NUM];
	fprintf(out, " executions=%s", explore_num(x->executions, num));
	if (x->cached)
		fprintf(out, " states=%zu", x->g.n);
	fprintf(out, " outcomes=%d deadlocks=%s", x->noutcomes,
		explore_num(x->deadlocks, dl));
	if (x->unfinished)
		fprintf(out, " unfinished=%s", explore_num(x->unfinished, num));
	fprintf(out, " invariant=%s", explore_verdict(x));
	if (x->stopped)
		fprintf(out, " stopped=%s",
			x->why[0] == '-'		  ? x->why + 2
			: strcmp(x->why, EXPLORE_STATES_FULL) == 0 ? "states"
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
	cache_free(&x->g);
	for (size_t i = 0; i < x->nsnap; i++)
		cache_snap_free(&x->snap[i].run);
	free(x->snap);
	for (size_t i = 0; i < x->nfinals; i++)
		cache_snap_free(&x->finals[i]);
	free(x->finals);
	cache_snap_free(&x->scratch);
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
	r->executions = explore_long(x.executions);
	r->outcomes = x.noutcomes;
	for (int i = 0; r->outcome && i < x.noutcomes; i++)
		r->outcome(x.outcomes[i].key, explore_long(x.outcomes[i].count),
			   x.outcomes[i].held, r->ctx);
	r->complete = x.complete;
	r->unfinished = explore_long(x.unfinished);
	r->states = x.cached ? (long)x.g.n : 0;
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
