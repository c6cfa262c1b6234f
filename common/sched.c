/*
 * sched.c: who runs next, in step mode.
 *
 * A blocking primitive is not blocked on for real: a thread whose pending
 * operation cannot proceed (a held mutex, an empty semaphore, a closed
 * barrier) is just not eligible.  So a run can never hang, and when no live
 * thread is eligible the scheduler knows it is a deadlock and can say what
 * every thread waits for.
 *
 * Events of a step are held back until the step is over, then stamped with
 * where the thread now stands and who may run next, and delivered.
 */
#include <stdio.h>

#include "fiber.h"
#include "ltime.h"
#include "pipe.h"
#include "proc.h"
#include "sched.h"

/* splitmix64: tiny, fast, and the same sequence on every machine. */
static uint64_t sched_rand(struct sched *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void sched_init(struct sched *s, const struct run_config *cfg)
{
	*s = (struct sched){ .rng = cfg->seed };
	if (cfg->policy != POLICY_PCT)
		return;
	/* depth - 1 change points, uniform over the run's steps */
	uint64_t k = cfg->pct_steps > 0 ? (uint64_t)cfg->pct_steps : 1;
	for (int i = 0; i + 1 < cfg->depth && i < RT_MAX_DEPTH; i++)
		s->change[s->nchange++] = 1 + sched_rand(s) % k;
}

/*
 * Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): the
 * ready thread of highest priority runs; priorities are drawn at random,
 * above depth, when a thread first appears (a process appears when it is
 * forked); at the i-th change point the thread about to run drops to
 * priority i, below every drawn one.  A bug that needs d events in a
 * given order is found by a run with probability at least 1/(n k^(d-1)),
 * n threads and k steps.
 */
static int sched_pct_top(struct sched *s, const int *ids, int n)
{
	int best = ids[0];
	for (int i = 0; i < n; i++) {
		uint64_t *p = &s->prio[ids[i]];
		if (*p == 0) /* above every change point's priority */
			*p = (sched_rand(s) >> 8) + RT_MAX_DEPTH + 1;
		if (*p > s->prio[best])
			best = ids[i];
	}
	return best;
}

static int sched_pct(struct sched *s, const int *ids, int n)
{
	uint64_t step = rt.step + 1;
	int best = sched_pct_top(s, ids, n);
	for (int c = 0; c < s->nchange; c++)
		if (s->change[c] == step) {
			s->prio[best] = (uint64_t)c + 1;
			s->change[c] = 0; /* spent */
			best = sched_pct_top(s, ids, n);
		}
	return best;
}

static int sched_owner(const struct obj *o)
{
	return mutex_owner((const struct mutex *)o);
}

static bool sched_ready_now(const struct thr *t)
{
	if (t->state == THR_DONE)
		return false;
	const struct pending *p = &t->pending;
	switch (p->op) {
	case OP_LOCK: {
		const struct mutex *m = (const struct mutex *)p->obj;
		int owner = sched_owner(p->obj);
		/* Re-locking: recursive counts, error-checking refuses. */
		return owner == 0 ||
		       (owner == t->id && m->kind != MUTEX_NORMAL);
	}
	case OP_SEM_WAIT:
		return ((const struct sema *)p->obj)->count > 0;
	case OP_COND_WAKE:
		return !t->in_cond && sched_owner(p->obj2) == 0;
	case OP_LEAVE: {
		const struct barrier *b = (const struct barrier *)p->obj;
		return b->gen != t->barrier_gen || b->broken;
	}
	case OP_JOIN:
		return proc_ready(t);
	case OP_PIPE_READ:
	case OP_PIPE_WRITE:
		return pipe_ready(t);
	case OP_FLAG_WAKE: /* raised since it began to wait */
		return ((const struct flag *)p->obj)->sets != t->flag_gen;
	case OP_SLEPT:
		return false; /* only its deadline ends it */
	default:
		return true;
	}
}

/* A wait with a timeout may also end by timing out (ltime.c); a timed
 * condition wait must also win its mutex back first. */
bool sched_ready(const struct thr *t)
{
	if (sched_ready_now(t))
		return true;
	if (t->pending.op == OP_COND_WAKE && sched_owner(t->pending.obj2))
		return false;
	return ltime_due(t, sched_ready_now);
}

/* Who can run: bit id-1 of each thread that can. */
uint64_t sched_eligible_mask(void)
{
	if (rt.ready_known) /* the mask the last step's events carry */
		return rt.ready_mask;
	uint64_t m = 0;
	for (int i = 1; i <= rt.nthreads; i++)
		if (sched_ready(&rt.threads[i]))
			m |= 1ull << (i - 1);
	return m;
}

int sched_eligible(int *ids)
{
	int n = 0;
	for (uint64_t m = sched_eligible_mask(); m; m &= m - 1)
		ids[n++] = __builtin_ctzll(m) + 1;
	return n;
}

int sched_live(void)
{
	int n = 0;
	for (int i = 1; i <= rt.nthreads; i++)
		n += rt.threads[i].state == THR_LIVE;
	return n;
}

/*
 * Who can run now.  Worked out once after each step, for its events and
 * for the choice of the next step: nothing changes in between, and with
 * 64 threads looking twice was most of a step's cost.
 */
static uint64_t sched_ready_mask(void)
{
	/* A fork changes what another process does next (it starts): with
	 * processes, whose steps cost microseconds anyway, look at all. */
	uint64_t all = rt.nthreads ? ~0ull >> (64 - rt.nthreads) : 0;
	uint64_t mask = rt.procs ? 0 : rt.going_mask;
	for (uint64_t w = rt.procs ? all : rt.waiting_mask; w; w &= w - 1) {
		int i = __builtin_ctzll(w) + 1;
		if (sched_ready(&rt.threads[i]))
			mask |= 1ull << (i - 1);
	}
#ifdef INTERLEAVE_CHECKS
	for (int i = 1; i <= rt.nthreads; i++)
		if (sched_ready(&rt.threads[i]) != (mask >> (i - 1) & 1))
			rt_die("scheduler: thread %d's readiness went stale", i);
#endif
	rt.ready_mask = mask;
	rt.ready_known = true;
	return mask;
}

/*
 * May t's next operation have to wait?  Only these wait (sched_ready_now's
 * cases), and a timed one's deadline can make it ready.  Another thread
 * never changes t's next operation: only t's own step does.
 */
static bool sched_may_wait(const struct thr *t)
{
	switch (t->pending.op) {
	case OP_LOCK: case OP_SEM_WAIT: case OP_COND_WAKE: case OP_LEAVE:
	case OP_JOIN: case OP_PIPE_READ: case OP_PIPE_WRITE:
	case OP_FLAG_WAKE: case OP_SLEPT:
		return true;
	default:
		return t->timed;
	}
}

/* t has run: sort it again by what it does next. */
static void sched_sort(const struct thr *t)
{
	uint64_t bit = 1ull << (t->id - 1);
	rt.going_mask &= ~bit;
	rt.waiting_mask &= ~bit;
	if (t->state == THR_DONE)
		return;
	if (sched_may_wait(t))
		rt.waiting_mask |= bit;
	else
		rt.going_mask |= bit;
}

/* The stamp's next_other: the process a join waits for, or the deadline
 * of a timed semaphore wait when it fits the field (else 0: untimed). */
static int sched_next_other(const struct thr *t)
{
	if (t->pending.op == OP_JOIN)
		return t->pending.target;
	if (t->pending.op == OP_SEM_WAIT && t->timed &&
	    t->deadline <= INT16_MAX)
		return (int)t->deadline;
	return 0;
}

/* Stamp this step's events with the state after it, and hand them on. */
static void sched_deliver(void)
{
	uint64_t ready = sched_ready_mask();
	for (int i = 0; i < rt.nstepbuf; i++) {
		struct event *e = &rt.stepbuf[i];
		e->ready = ready;
		if (e->thread > 0) {
			const struct thr *t = &rt.threads[e->thread];
			bool done = t->state == THR_DONE;
			e->next_op = (uint8_t)(done ? OP_EXIT : t->pending.op);
			e->next_line = (int16_t)(done ? 0 : t->pending.line);
			e->next_obj = (int16_t)(done || !t->pending.obj
						 ? -1 : t->pending.obj->id);
			e->next_other = (int16_t)(done ? 0
						  : sched_next_other(t));
		}
		if (rt.sink)
			rt.sink(e, rt.sink_ctx);
	}
	rt.nstepbuf = 0;
}

static void sched_resume(struct thr *t)
{
	rt.ready_known = false;
	rt.current = t;
	if (t->proc) {
		proc_start(t);
		proc_run(t);
	} else {
		fiber_run(t->fiber);
	}
	rt.current = NULL;
	sched_sort(t);
	sched_deliver();
}

void sched_start(void)
{
	for (int i = 1; i <= rt.nthreads; i++)
		sched_sort(&rt.threads[i]); /* ready to start */
	for (int i = 1; i <= rt.nthreads; i++)
		sched_resume(&rt.threads[i]);
}

void sched_step(int id)
{
	struct thr *t = &rt.threads[id];
	bool forced = t->timed && !sched_ready_now(t);
	rt.step++;
	ltime_tick(t, forced);
	sched_resume(t);
}

/* The thread of the k-th bit set in m (k from 0), by bytes: with 64
 * threads ready, walking the bits one by one was a fifth of a step. */
static int sched_select(uint64_t m, int k)
{
	int base = 0;
	for (;;) {
		int c = __builtin_popcountll(m & 0xff);
		if (k < c)
			break;
		k -= c;
		m >>= 8;
		base += 8;
	}
	while (k-- > 0)
		m &= m - 1;
	return base + __builtin_ctzll(m) + 1;
}

static int sched_rr(struct sched *s, uint64_t ready)
{
	long quantum = rt.cfg->quantum > 0 ? rt.cfg->quantum : 1;
	int last = s->rr_last;
	if (last > 0 && (ready >> (last - 1) & 1) && s->rr_used < quantum) {
		s->rr_used++;
		return last;
	}
	/* the first ready thread after the last one, else the first */
	uint64_t after = last >= 64 ? 0 : ready & (~0ull << last);
	int next = __builtin_ctzll(after ? after : ready) + 1;
	s->rr_last = next;
	s->rr_used = 1;
	return next;
}

/* The --schedule list, checked; SCHED_BAD explains the position. */
static enum sched_pick_result sched_listed(struct sched *s, int *id,
					   char *err, size_t errsize)
{
	int pos = s->pos + 1, want = rt.cfg->schedule[s->pos];
	char why[160];
	if (rt.procs && (want < 1 || want > rt.nthreads)) {
		snprintf(err, errsize,
			 "--schedule: position %d names process %d, but the "
			 "processes are 1 to %d at that point", pos, want,
			 rt.nthreads);
		return SCHED_BAD;
	}
	if (want < 1 || want > rt.nthreads) {
		snprintf(err, errsize,
			 "--schedule: position %d names thread %d, but the "
			 "threads are 1 to %d", pos, want, rt.nthreads);
		return SCHED_BAD;
	}
	const struct thr *t = &rt.threads[want];
	if (!sched_ready(t)) {
		snprintf(err, errsize,
			 "--schedule: position %d names %s %d, which %s",
			 pos, event_unit_word(rt_names.unit()), want,
			 t->state == THR_DONE ? "has finished"
					      : sched_why(t, why, sizeof(why)));
		return SCHED_BAD;
	}
	s->pos++;
	*id = want;
	return SCHED_OK;
}

enum sched_pick_result sched_pick(struct sched *s, int *id, char *err,
				  size_t errsize)
{
	int ids[RT_MAX_THREADS];
	uint64_t ready = sched_eligible_mask();
	int n = __builtin_popcountll(ready);
	if (n == 0)
		return SCHED_NONE;
	if (s->pos < rt.cfg->nschedule)
		return sched_listed(s, id, err, errsize);
	switch (rt.cfg->policy) {
	case POLICY_RANDOM:
		*id = sched_select(ready, (int)(sched_rand(s) % (uint64_t)n));
		return SCHED_OK;
	case POLICY_RR:
		*id = sched_rr(s, ready);
		return SCHED_OK;
	case POLICY_PCT:
		sched_eligible(ids);
		*id = sched_pct(s, ids, n);
		return SCHED_OK;
	case POLICY_MANUAL:
		break;
	}
	return SCHED_MANUAL;
}

char *sched_why(const struct thr *t, char *buf, size_t size)
{
	const struct pending *p = &t->pending;
	const char *name = p->obj ? p->obj->name : "-";
	int owner;
	switch (p->op) {
	case OP_LOCK:
		owner = sched_owner(p->obj);
		if (owner == t->id)
			snprintf(buf, size, "waits for mutex %s, which it "
				 "holds itself", name);
		else
			snprintf(buf, size, "waits for mutex %s, held by %c%d",
				 name, rt_names.unit(), owner);
		break;
	case OP_SEM_WAIT:
		if (t->timed)
			snprintf(buf, size, "waits for semaphore %s (count 0) "
				 "until t=%llu", name,
				 (unsigned long long)t->deadline);
		else
			snprintf(buf, size, "waits for semaphore %s (count 0)",
				 name);
		break;
	case OP_COND_WAKE:
		if (t->in_cond && t->timed)
			snprintf(buf, size, "waits on condition %s until t=%llu",
				 name, (unsigned long long)t->deadline);
		else if (t->in_cond)
			snprintf(buf, size, "waits on condition %s", name);
		else
			snprintf(buf, size, "waits to retake mutex %s, held "
				 "by %c%d", p->obj2->name, rt_names.unit(),
				 sched_owner(p->obj2));
		break;
	case OP_LEAVE: {
		const struct barrier *b = (const struct barrier *)p->obj;
		snprintf(buf, size, "waits at barrier %s (%d of %d arrived)",
			 name, b->arrived, b->parties);
		break;
	}
	case OP_JOIN:
		snprintf(buf, size, "waits for P%d to exit", p->target);
		break;
	case OP_PIPE_READ:
	case OP_PIPE_WRITE:
		pipe_why(t, buf, size);
		break;
	case OP_FLAG_WAKE:
		snprintf(buf, size, "waits for flag %s to be set", name);
		break;
	case OP_SLEPT:
		snprintf(buf, size, "sleeps until t=%llu",
			 (unsigned long long)t->deadline);
		break;
	default:
		snprintf(buf, size, "is ready");
	}
	return buf;
}

void sched_deadlock(void)
{
	rt_commit(rt_ev(OP_DEADLOCK, NULL, 0));
	sched_deliver();
}
