/*
 * run.c: a lesson run from start to summary.
 *
 * Step mode loops: pick a thread by policy, run one step, until everyone
 * has finished, every live thread is blocked (a deadlock), or the step limit
 * is reached.  Free mode starts the real threads behind a gate, joins them,
 * then merges their event rings into one ordered stream.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "shm.h"
#include "waitfor.h"

void run_begin(const struct run_config *cfg, event_sink sink, void *ctx,
	       struct sched *s)
{
	rt_init(cfg, sink, ctx);
	sched_init(s, cfg);
	sched_start();
}

void run_finish(enum run_end end, struct run_result *res)
{
	run_outcome(end, res);
	rt_destroy();
}

void run_outcome(enum run_end end, struct run_result *res)
{
	memset(res, 0, sizeof(*res));
	res->end = end;
	res->steps = rt.mode == RT_STEP ? rt.step : rt.free_events;
	res->elapsed_us = rt.elapsed_us;
	for (int i = 1; i <= rt.nthreads; i++)
		res->misuses += rt.threads[i].misuses;
	rt.reporting = true;
	rt.lost_asked = false;
	res->invariant = rt.cfg->lesson->report();
	rt.reporting = false;
	res->nfigures = rt.nfigures;
	memcpy(res->figures, rt.figures, sizeof(rt.figures));
}

void run_abandon(void)
{
	rt_destroy();
}

static enum run_end run_steps(struct sched *s, run_chooser choose,
			      void *cctx, bool schedule_only, char *err,
			      size_t errsize)
{
	for (;;) {
		int id;
		if (schedule_only && s->pos >= rt.cfg->nschedule)
			return RUN_DONE;
		if (rt.step >= (uint64_t)rt.cfg->max_steps)
			return RUN_STEP_LIMIT;
		switch (sched_pick(s, &id, err, errsize)) {
		case SCHED_OK:
			break;
		case SCHED_NONE:
			if (sched_live() == 0)
				return RUN_DONE;
			sched_deadlock();
			return RUN_DEADLOCK;
		case SCHED_BAD:
			return RUN_BAD_SCHEDULE;
		case SCHED_MANUAL:
			if (!choose || !choose(&id, cctx))
				return RUN_NO_INPUT;
			if (id < 1 || id > rt.nthreads ||
			    !sched_ready(&rt.threads[id]))
				continue; /* the chooser re-asks */
			break;
		}
		sched_step(id);
	}
}

/* Lamport order; equal clocks are concurrent: the thread id decides. */
static int run_by_clock(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->seq != y->seq)
		return (x->seq > y->seq) - (x->seq < y->seq);
	return (x->thread > y->thread) - (x->thread < y->thread);
}

/*
 * Free mode: the kept events of every thread in one total order.  A thread
 * whose window filled up has unrecorded events after its last kept one, so
 * the merge stops at the earliest such end: what is delivered is an exact
 * prefix of the run, numbered from 1.  Returns how many were delivered.
 */
static uint64_t run_merge(event_sink sink, void *ctx)
{
	size_t n = 0;
	uint64_t horizon = UINT64_MAX; /* the last clock every thread kept */
	for (int i = 1; i <= rt.nthreads; i++) {
		const struct thr *t = &rt.threads[i];
		n += t->nrec < RT_RING ? t->nrec : RT_RING;
		if (t->nrec > RT_RING && t->ring[RT_RING - 1].seq < horizon)
			horizon = t->ring[RT_RING - 1].seq;
	}
	struct event *all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		rt_die("out of memory merging %zu events", n);
	size_t k = 0;
	for (int i = 1; i <= rt.nthreads; i++) {
		const struct thr *t = &rt.threads[i];
		uint64_t keep = t->nrec < RT_RING ? t->nrec : RT_RING;
		for (uint64_t j = 0; j < keep; j++)
			if (t->ring[j].seq <= horizon)
				all[k++] = t->ring[j];
	}
	qsort(all, k, sizeof(*all), run_by_clock);
	uint64_t steps = 0;
	for (size_t j = 0; j < k; j++) {
		all[j].seq = j + 1;
		all[j].step = (all[j].flags & EV_STEP) ? ++steps : 0;
		if (sink)
			sink(&all[j], ctx);
	}
	free(all);
	return k;
}

uint64_t run_free(event_sink sink, void *ctx)
{
	rt_free_start_join();
	return rt.interrupted ? 0 : run_merge(sink, ctx);
}

long run_pct_steps(const struct run_config *cfg)
{
	if (cfg->pct_steps > 0)
		return cfg->pct_steps;
	struct run_config c = *cfg;
	c.policy = POLICY_RANDOM;
	struct run_result res;
	shm_hush(true); /* a run nobody sees: its notices are not the run's */
	run_lesson(&c, NULL, NULL, NULL, NULL, &res);
	shm_hush(false);
	return res.steps > 0 ? (long)res.steps : 1;
}

enum run_end run_lesson(const struct run_config *cfg0, event_sink sink,
			void *ctx, run_chooser choose, void *cctx,
			struct run_result *res)
{
	char err[sizeof(res->error)] = "";
	enum run_end end = RUN_DONE;
	uint64_t kept = 0;
	struct run_config pct = *cfg0; /* outlives the run: rt.cfg */
	const struct run_config *cfg = cfg0;
	if (cfg0->mode == RT_STEP && cfg0->policy == POLICY_PCT) {
		pct.pct_steps = run_pct_steps(cfg0);
		cfg = &pct;
	}
	if (cfg->mode == RT_STEP) {
		struct sched s;
		run_begin(cfg, sink, ctx, &s);
		end = run_steps(&s, choose, cctx, false, err, sizeof(err));
	} else {
		rt_init(cfg, NULL, NULL);
		kept = run_free(sink, ctx);
		if (rt.deadlocked)
			end = RUN_DEADLOCK;
	}
	run_finish(end, res);
	res->kept = kept;
	memcpy(res->error, err, sizeof(err));
	return end;
}

/* The first position that names a thread the lesson does not have. */
static bool run_schedule_threads(const struct run_config *cfg, char *err,
				 size_t n)
{
	if (rt.procs)
		return true; /* they appear as they are forked: sched.c */
	for (int i = 0; i < cfg->nschedule; i++)
		if (cfg->schedule[i] > rt.nthreads) {
			snprintf(err, n, "--schedule: position %d names thread "
				 "%d, but the threads are 1 to %d", i + 1,
				 cfg->schedule[i], rt.nthreads);
			return false;
		}
	return true;
}

/*
 * Every position is checked, those the run never reaches too: a schedule
 * that outlasts its run is a mistake in it (a miscounted replay, a thread
 * that finished sooner than thought), not something to ignore.
 */
bool run_check_schedule(const struct run_config *cfg, char *err, size_t n)
{
	struct sched s;
	shm_hush(true);
	run_begin(cfg, NULL, NULL, &s);
	bool ok = run_schedule_threads(cfg, err, n);
	enum run_end end = ok ? run_steps(&s, NULL, NULL, true, err, n)
			      : RUN_BAD_SCHEDULE;
	if (end != RUN_BAD_SCHEDULE && s.pos < cfg->nschedule) {
		snprintf(err, n, "--schedule: position %d comes after the end "
			 "of the run: %s after step %llu", s.pos + 1,
			 end == RUN_STEP_LIMIT ? "--max-steps stops it"
			 : end == RUN_DEADLOCK ? (rt.procs
				 ? "every live process is blocked"
				 : "every live thread is blocked")
			 : rt.procs ? "every process has finished"
				    : "every thread has finished",
			 (unsigned long long)rt.step);
		end = RUN_BAD_SCHEDULE;
	}
	rt_destroy();
	shm_hush(false);
	return end != RUN_BAD_SCHEDULE;
}

static bool run_in(const int *ids, int n, int id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

char *run_deadlock_text(char *say, size_t size)
{
	struct waitfor g;
	int ids[RT_MAX_THREADS + 1];
	waitfor_from_rt(&g);
	int n = waitfor_cycle(&g, ids);
	if (n) {
		waitfor_say(&g, &rt_names, say, size);
	} else { /* what the deadlock event itself says */
		struct event e = { .op = OP_DEADLOCK, .obj = -1 };
		event_narrate(&e, &rt_names, say, size);
	}
	size_t len = strlen(say);
	for (int i = 1; i <= rt.nthreads && len < size; i++) {
		const struct thr *t = &rt.threads[i];
		char why[160];
		if (t->state == THR_DONE || run_in(ids, n, i))
			continue;
		len += (size_t)snprintf(say + len, size - len, "; %c%d %s",
					rt_names.unit(), t->id,
					sched_why(t, why, sizeof(why)));
	}
	return say;
}

void run_plain_sink(const struct event *e, void *ctx)
{
	FILE *out = ctx;
	char line[256], say[512];
	event_format(e, &rt_names, line, sizeof(line));
	event_narrate(e, &rt_names, say, sizeof(say));
	if (e->op == OP_DEADLOCK)
		run_deadlock_text(say, sizeof(say));
	if (say[0])
		fprintf(out, "%s  ! %s\n", line, say);
	else
		fprintf(out, "%s\n", line);
}

void run_summary(const struct run_config *cfg, const struct run_result *res,
		 FILE *out)
{
	static const char *const modes[] = { "step", "free" };
	fprintf(out, "summary: lesson=%s variant=%s mode=%s",
		cfg->lesson->name, cfg->lesson->variants[cfg->variant].name,
		modes[cfg->mode]);
	if (cfg->mode == RT_STEP)
		fprintf(out, " seed=%llu", (unsigned long long)cfg->seed);
	else
		fprintf(out, " seed=-");
	if (cfg->mode == RT_STEP && cfg->policy == POLICY_PCT)
		fprintf(out, " policy=pct depth=%d", cfg->depth);
	fprintf(out, " steps=%llu invariant=%s",
		(unsigned long long)res->steps, run_verdict(res));
	for (int i = 0; i < res->nfigures; i++)
		fprintf(out, " %s=%ld", res->figures[i].name,
			res->figures[i].value);
	if (res->misuses)
		fprintf(out, " misuses=%ld", res->misuses);
	if (cfg->mode == RT_FREE)
		fprintf(out, " elapsed_us=%ld", res->elapsed_us);
	if (res->end == RUN_DEADLOCK)
		fprintf(out, " deadlock=yes");
	else if (res->end == RUN_STEP_LIMIT)
		fprintf(out, " stopped=max-steps");
	else if (res->end == RUN_NO_INPUT)
		fprintf(out, " stopped=end-of-input");
	fputc('\n', out);
}

const char *run_verdict(const struct run_result *res)
{
	if (res->end == RUN_STEP_LIMIT || res->end == RUN_NO_INPUT)
		return "unfinished";
	return res->invariant ? "held" : "broken";
}

long run_figure(const struct run_result *res, const char *name)
{
	for (int i = 0; i < res->nfigures; i++)
		if (strcmp(res->figures[i].name, name) == 0)
			return res->figures[i].value;
	rt_die("no figure '%s' in the result", name);
}
