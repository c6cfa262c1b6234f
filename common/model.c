/*
 * model.c: the viewer's state, one event at a time.
 *
 * Thread states come from the stream itself: in step mode each event
 * carries who may run next (a bit per thread) and where its thread stands,
 * so a thread is ready, blocked on the object of its next operation, or
 * done.  Free mode has no such stamps: a live thread is just "running" at
 * the line of its last event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "waitfor.h"

/* A pipe as made: empty, P1 holding both ends (P1 is yet to fork). */
static void model_pipe_init(struct model_obj *mo, const struct pipe *p)
{
	mo->bound = p->capacity;
	mo->ends[PIPE_READ_END] = mo->ends[PIPE_WRITE_END] = 1;
}

void model_init(struct model *m, bool step_mode)
{
	memset(m, 0, sizeof(*m));
	m->step_mode = step_mode;
	m->chart_obj = -1;
	m->nbuf = rt.buffer.n;
	memcpy(m->buf_slots, rt.buffer.slots, sizeof(m->buf_slots));
	m->buf_head = rt.buffer.n ? rt.buffer.head : -1;
	m->buf_tail = rt.buffer.n ? rt.buffer.tail : -1;
	m->buf_heading = rt.buffer.heading;
	m->ntasks = rt.tasks.n;
	m->tasks_taken = rt.tasks.taken;
	memcpy(m->task_items, rt.tasks.items, sizeof(m->task_items));
	m->nthreads = rt.nthreads;
	m->nobjs = rt.nobjs;
	m->unit = rt_names.unit();
	for (int i = 1; i <= rt.nthreads; i++) {
		m->threads[i].name = rt.threads[i].name;
		m->threads[i].state = step_mode ? MT_READY : MT_RUNNING;
		m->threads[i].next_obj = -1;
	}
	for (int i = 0; i < rt.nobjs; i++) {
		const struct obj *o = rt.objs[i];
		struct model_obj *mo = &m->objs[i];
		mo->kind = o->kind;
		mo->name = o->name;
		if (o->kind == OBJ_VAR) {
			const struct var *var = (const struct var *)o;
			mo->value = var_value(var);
			mo->track = var->track;
			mo->holds_task = var->holds_task;
			mo->local = var->copies != NULL;
			mo->priv = var->priv || mo->local;
			for (int k = 0; mo->priv && k <= RT_MAX_THREADS; k++)
				mo->own[k] = mo->value;
		}
		if (o->kind == OBJ_VAR && ((const struct var *)o)->charted &&
		    m->chart_obj < 0)
			m->chart_obj = i;
		if (o->kind == OBJ_SEMA) {
			mo->value = ((const struct sema *)o)->count;
			mo->bound = ((const struct sema *)o)->bound;
		}
		if (o->kind == OBJ_BARRIER)
			mo->bound = ((const struct barrier *)o)->parties;
		if (o->kind == OBJ_PIPE)
			model_pipe_init(mo, (const struct pipe *)o);
		if (o->kind == OBJ_SHM) {
			mo->rows = ((const struct shm *)o)->rows;
			mo->cols = ((const struct shm *)o)->cols;
		}
	}
}

static void model_copy(char dst[MODEL_SAY], const char *src);

/* A variable changed: whoever holds an older read of it is now stale. */
static void model_var_written(struct model *m, int obj, int writer)
{
	for (int i = 1; i <= m->nthreads; i++) {
		struct model_thread *t = &m->threads[i];
		if (i != writer && t->has_tmp && t->tmp_obj == obj &&
		    t->tmp != m->objs[obj].value)
			t->tmp_stale = true;
	}
}

/*
 * A semaphore post by id: it gives back the permit it took.  A post from a
 * thread that took none is signalling, not returning: from then on the
 * semaphore is a count, not a pool of permits with holders.
 */
static void model_release(struct model_obj *o, int id)
{
	for (int i = 0; i < o->nholders; i++)
		if (o->holders[i] == id) {
			memmove(&o->holders[i], &o->holders[i + 1],
				(size_t)(o->nholders - i - 1) *
					sizeof(o->holders[0]));
			o->nholders--;
			return;
		}
	o->signalling = true;
}

/*
 * Free mode has no lost-update stamps: the runtime does not watch real
 * threads that closely.  The replay shows them anyway, from the events
 * alone: a store computed from a read that another thread's store has
 * overwritten since (the read is stale) throws that store's update away.
 */
static void model_seen_lost(struct model *m, const struct event *e)
{
	const struct model_thread *t = &m->threads[e->thread];
	const struct model_obj *o = &m->objs[e->obj];
	if (!t->has_tmp || t->tmp_obj != e->obj || !t->tmp_stale ||
	    o->writer == e->thread || o->writer == 0)
		return;
	if (m->seen_lost++ == 0)
		m->seen_lost_read = t->tmp_step;
	char text[MODEL_SAY];
	char u = m->unit;
	snprintf(text, sizeof(text), "lost update: %c%d read %ld, then %c%d "
		 "wrote %ld; %c%d now writes %ld over it: %c%d's %s is lost",
		 u, e->thread, t->tmp, u, o->writer, o->value, u, e->thread,
		 e->a, u, o->writer, m->threads[o->writer].name);
	model_copy(m->say, text);
	m->say_step = m->step;
	m->said++;
}

/*
 * A thread that finishes with permits it took and never gave back was
 * passing them on (a producer's free slots, which consumers post), not
 * holding them: its semaphores are counts, not pools with holders, and
 * no permit is drawn as held by a finished thread.
 */
static void model_exit_permits(struct model *m, int id)
{
	for (int i = 0; i < m->nobjs; i++) {
		struct model_obj *o = &m->objs[i];
		for (int k = 0; o->kind == OBJ_SEMA && k < o->nholders; k++)
			if (o->holders[k] == id)
				o->signalling = true;
	}
}

/* A lesson's note that counts updates lost out of the runtime's sight
 * (lesson_note_lost): both modes count them, as the note says. */
static void model_noted_lost(struct model *m, const struct event *e)
{
	if (m->step_mode) {
		m->lost_updates += e->lost;
		return;
	}
	if (m->seen_lost == 0 && e->lost > 0)
		m->seen_lost_read = m->step;
	m->seen_lost += e->lost;
}

/*
 * A store of value a to the task queue's count (task a taken) or to a
 * worker's hold (task a held; 0: the task it held let go: done when the
 * worker that held it stores it, lost when another thread does).
 */
static void model_task_store(struct model *m, const struct event *e,
			     const struct model_obj *o)
{
	bool count = m->ntasks && e->obj == m->tasks_taken;
	long k = count || e->a ? e->a : o->value;
	if (!(count || o->holds_task) || k < 1 || k > m->ntasks)
		return;
	if (count || e->a) {
		m->task_state[k - 1] = MTASK_HELD;
		m->task_who[k - 1] = e->thread;
		return;
	}
	m->task_state[k - 1] = o->writer == e->thread ? MTASK_DONE
						      : MTASK_LOST;
}

enum model_task model_task(const struct model *m, int k, int *who)
{
	*who = m->task_who[k - 1];
	enum model_task s = m->task_state[k - 1];
	/* a worker that ended holding its task never finishes it */
	return s == MTASK_HELD && m->threads[*who].state == MT_DONE
		       ? MTASK_LOST : s;
}

/* A store or an add to a shared variable. */
static void model_stored(struct model *m, const struct event *e,
			 struct model_obj *o, struct model_thread *t)
{
	model_task_store(m, e, o);
	o->value = e->a;
	o->writer = e->thread;
	o->changed = m->step;
	if (t->has_tmp && t->tmp_obj == e->obj)
		t->has_tmp = false;
	model_var_written(m, e->obj, e->thread);
}

/*
 * Processes appear as they are forked: a new number gets its slot, with
 * the name the model already knows (a free-mode replay's snapshot has
 * them) or the one the names give.
 */
static void model_grow(struct model *m, int id,
		       const struct event_names *names)
{
	if (id <= m->nthreads || id > RT_MAX_THREADS)
		return;
	for (int k = m->nthreads + 1; k <= id; k++) {
		struct model_thread *t = &m->threads[k];
		if (!t->name)
			t->name = names->thread(k);
		t->state = m->step_mode ? MT_READY : MT_RUNNING;
		t->next_obj = -1;
	}
	m->nthreads = id;
}

/*
 * Which processes hold the ends of every pipe, and map every segment: a
 * fork gives the child the parent's, an exit closes all of the
 * process's.  (A close is the object's own event, in model_effect().)
 */
static void model_pipe_ends(struct model *m, const struct event *e)
{
	uint64_t self = 1ull << (e->thread - 1);
	for (int i = 0; i < m->nobjs; i++) {
		struct model_obj *o = &m->objs[i];
		int ends = o->kind == OBJ_PIPE ? 2 : o->kind == OBJ_SHM;
		for (int end = 0; end < ends; end++) {
			if (e->op == OP_EXIT)
				o->ends[end] &= ~self;
			else if (o->ends[end] & self)
				o->ends[end] |= 1ull << (e->other - 1);
		}
	}
}

/* A segment operation that went through. */
static void model_shm(struct model *m, const struct event *e,
		      struct model_obj *o)
{
	uint64_t self = 1ull << (e->thread - 1);
	int cell = SHM_ROW(e->lost) * o->cols + SHM_COL(e->lost);
	o->changed = m->step;
	switch ((enum event_op)e->op) {
	case OP_SHM_CREATE:
		o->value = MSHM_MADE;
		break;
	case OP_SHM_SIZE:
		o->value = MSHM_SIZED;
		/* fall through */
	case OP_SHM_ATTACH:
		o->ends[0] |= self;
		break;
	case OP_SHM_STORE:
		if (cell >= 0 && cell < SHM_MAX_CELLS) {
			o->cells[cell] = e->a;
			o->cellw[cell] = (int8_t)e->thread;
		}
		break;
	case OP_SHM_CLOSE:
		o->ends[0] &= ~self;
		break;
	default: /* OP_SHM_UNLINK */
		o->value = MSHM_UNLINKED;
	}
}

/* What the operation changed in the objects and the thread's locals. */
static void model_effect(struct model *m, const struct event *e)
{
	struct model_thread *t = &m->threads[e->thread];
	struct model_obj *o = e->obj >= 0 ? &m->objs[e->obj] : NULL;
	bool ok = !(e->flags & EV_MISUSE);
	switch ((enum event_op)e->op) {
	case OP_LOAD:
		t->has_tmp = true;
		t->tmp_obj = e->obj;
		t->tmp = e->a;
		t->tmp_stale = false;
		t->tmp_step = m->step;
		break;
	case OP_STORE:
	case OP_ADD:
		if (o->priv) { /* one copy: nobody else's changes */
			if (!ok)
				break; /* a thread-local copy that is gone */
			o->own[e->flags & EV_LOCAL ? e->other : e->thread] =
				e->a;
			o->changed = m->step;
			if (t->has_tmp && t->tmp_obj == e->obj)
				t->has_tmp = false;
			break;
		}
		if (e->op == OP_ADD) {
			model_stored(m, e, o, t);
			break;
		}
		if (!m->step_mode)
			model_seen_lost(m, e);
		if (o->track > 0 && e->a == 0)
			o->round++; /* a runner back at the start line */
		model_stored(m, e, o, t);
		break;
	case OP_TRYLOCK:
		if (e->b)
			break; /* busy: nothing taken */
		/* fall through */
	case OP_LOCK:
	case OP_UNLOCK:
		if (ok) {
			o->depth = e->a;
			o->owner = e->a > 0 ? e->thread : 0;
			o->changed = m->step;
		}
		break;
	case OP_SEM_WAIT:
		o->value = e->a;
		o->changed = m->step;
		t->until = 0; /* the wait is over */
		if (e->b) /* timed out: took nothing */
			break;
		/* a second permit for one thread: a count, not a pool */
		for (int i = 0; i < o->nholders; i++)
			if (o->holders[i] == e->thread)
				o->signalling = true;
		o->holders[o->nholders++] = e->thread;
		break;
	case OP_SEM_POST:
		o->value = e->a;
		o->changed = m->step;
		if (ok)
			model_release(o, e->thread);
		break;
	case OP_COND_WAIT:
		if (ok) {
			m->objs[e->obj2].owner = 0;
			m->objs[e->obj2].depth = 0;
		}
		t->until = ok && e->a && e->lost > 0 ? e->lost : 0;
		break;
	case OP_COND_WAKE:
		m->objs[e->obj2].owner = e->thread;
		m->objs[e->obj2].depth = 1;
		t->until = 0;
		break;
	case OP_ARRIVE:
	case OP_LEAVE:
		if (e->b)
			o->broken = true;
		else if (e->op == OP_ARRIVE)
			o->value = e->a;
		o->changed = m->step;
		break;
	case OP_ACTION:
		o->value = 0;
		o->rounds = e->a;
		m->fired = true;
		break;
	case OP_PIPE_WRITE:
	case OP_PIPE_READ:
		if (ok && e->a > 0) {
			o->value += e->op == OP_PIPE_WRITE ? e->a : -e->a;
			o->changed = m->step;
		}
		break;
	case OP_PIPE_CLOSE:
		if (ok)
			o->ends[e->a != 0] &= ~(1ull << (e->thread - 1));
		o->changed = m->step;
		break;
	case OP_FORK:
	case OP_EXIT:
		model_pipe_ends(m, e);
		break;
	case OP_FLAG_SET:
		for (int id = 1; id <= m->nthreads; id++)
			if (m->threads[id].next_op == OP_FLAG_WAKE &&
			    m->threads[id].next_obj == e->obj)
				m->threads[id].woken = true;
		/* fall through */
	case OP_FLAG_CLEAR:
		o->value = e->op == OP_FLAG_SET;
		o->changed = m->step;
		break;
	case OP_FLAG_WAIT:
		t->until = !e->a && e->b >= 0 ? e->lost : 0;
		t->woken = false;
		break;
	case OP_SLEEP:
		t->until = e->b > 0 ? e->b : 0;
		break;
	case OP_FLAG_WAKE:
	case OP_SLEPT:
		t->until = 0;
		t->woken = false;
		break;
	case OP_SHM_CREATE:
	case OP_SHM_SIZE:
	case OP_SHM_ATTACH:
	case OP_SHM_STORE:
	case OP_SHM_CLOSE:
	case OP_SHM_UNLINK:
		if (ok)
			model_shm(m, e, o);
		break;
	default:
		break;
	}
}

/* Step mode: every thread's state after this step, from the stamps. */
static void model_stamps(struct model *m, const struct event *e)
{
	if (e->thread > 0) {
		struct model_thread *t = &m->threads[e->thread];
		t->next_op = e->next_op;
		t->next_obj = e->next_obj;
		/* a timed semaphore wait's deadline, as a flag wait's */
		bool sem = e->next_op == OP_SEM_WAIT;
		t->next_other = sem ? 0 : e->next_other;
		if (sem)
			t->until = e->next_other;
		if (e->next_line > 0)
			t->line = e->next_line;
	}
	for (int i = 1; i <= m->nthreads; i++) {
		struct model_thread *t = &m->threads[i];
		if (t->state == MT_DONE)
			continue;
		bool ready = (e->ready >> (i - 1)) & 1;
		if (!ready && t->state != MT_BLOCKED)
			t->blocked_since = m->step;
		t->state = ready ? MT_READY : MT_BLOCKED;
	}
}

/* Copy text, zero-filling the rest: the model's bytes follow the events. */
static void model_copy(char dst[MODEL_SAY], const char *src)
{
	size_t n = strnlen(src, MODEL_SAY - 1);
	memcpy(dst, src, n);
	memset(dst + n, 0, MODEL_SAY - n);
}

/*
 * A deadlock: the cycle of waits, from what the model knows (who holds
 * each mutex, who is blocked locking which): its threads and arrows
 * into the model, its sentence over text; false if there is none.
 */
static bool model_cycle(struct model *m, const struct event_names *n,
			char *text, size_t size)
{
	struct waitfor g = { .nthreads = m->nthreads };
	for (int i = 0; i < RT_MAX_OBJS; i++)
		g.owner[i] = i < m->nobjs && m->objs[i].kind == OBJ_MUTEX
				     ? m->objs[i].owner : 0;
	for (int i = 1; i <= m->nthreads; i++) {
		const struct model_thread *t = &m->threads[i];
		g.wants[i] = t->state == MT_BLOCKED && t->next_op == OP_LOCK
				     ? t->next_obj : -1;
	}
	m->ncycle = waitfor_cycle(&g, m->cycle);
	if (!m->ncycle)
		return false;
	char say[MODEL_SAY];
	waitfor_arrows(&g, m->cycle, m->ncycle, n, say, sizeof(say));
	model_copy(m->arrows, say);
	snprintf(text, size, "%s", waitfor_say(&g, n, say, sizeof(say)));
	return true;
}

int model_on_cycle(const struct model *m, int id)
{
	for (int i = 0; i < m->ncycle; i++)
		if (m->cycle[i] == id)
			return i + 1;
	return 0;
}

void model_apply(struct model *m, const struct event *e,
		 const struct event_names *names)
{
	m->events++;
	model_grow(m, e->thread, names);
	if (e->op == OP_FORK && e->other <= RT_MAX_THREADS) {
		model_grow(m, e->other, names);
		m->threads[e->other].parent = e->thread;
	}
	if (e->flags & EV_STEP) {
		m->fired = false; /* a new step: only its own action counts */
		m->step = e->step;
		m->last_thread = e->thread;
		m->timeline[(m->step - 1) % MODEL_TIMELINE] = (uint8_t)e->thread;
		m->worked[(m->step - 1) % MODEL_TIMELINE] = e->op == OP_WORK;
		m->threads[e->thread].steps++;
	}
	if (e->thread > 0 && !m->step_mode && e->line > 0)
		m->threads[e->thread].line = e->line;
	if (e->op == OP_EXIT) {
		m->threads[e->thread].state = MT_DONE;
		/* what it read last dies with it: no write of it can come */
		m->threads[e->thread].has_tmp = false;
		model_exit_permits(m, e->thread);
	}
	if (e->thread > 0)
		model_effect(m, e);
	if (e->op == OP_CLOCK)
		m->skew += (uint64_t)(e->a - e->b);
	if (e->flags & EV_LOST)
		m->lost_updates += e->lost;
	if (e->op == OP_NOTE && e->lost)
		model_noted_lost(m, e);
	if (m->step_mode)
		model_stamps(m, e);
	if (m->chart_obj >= 0 && m->step > 0)
		m->chart[(m->step - 1) % MODEL_TIMELINE] =
			m->objs[m->chart_obj].value;
	char text[MODEL_SAY];
	event_narrate(e, names, text, sizeof(text));
	if (e->op == OP_DEADLOCK && m->step_mode)
		model_cycle(m, names, text, sizeof(text));
	if (text[0]) {
		model_copy(m->say, text);
		m->say_step = m->step;
		m->said++;
	}
	if (e->op != OP_START && e->op != OP_EXIT)
		model_copy(m->last, event_format(e, names, text, sizeof(text)));
}

bool model_is_slot(const struct model *m, int obj)
{
	for (int i = 0; i < m->nbuf; i++)
		if (m->buf_slots[i] == obj)
			return true;
	return false;
}

bool model_is_pool(const struct model *m, int obj)
{
	const struct model_obj *o = &m->objs[obj];
	if (o->signalling)
		return false;
	/* a holder that waits for another permit: a count, not a pool */
	int ids[RT_MAX_THREADS];
	int n = model_waiters(m, obj, ids);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < o->nholders; k++)
			if (o->holders[k] == ids[i])
				return false;
	return true;
}

int model_waiters(const struct model *m, int obj, int *ids)
{
	int n = 0;
	for (int i = 1; i <= m->nthreads; i++) {
		const struct model_thread *t = &m->threads[i];
		if (t->state != MT_BLOCKED || t->next_obj != obj)
			continue;
		int k = n++; /* insertion sort: longest waiting first */
		while (k > 0 && m->threads[ids[k - 1]].blocked_since >
				       t->blocked_since) {
			ids[k] = ids[k - 1];
			k--;
		}
		ids[k] = i;
	}
	return n;
}

const char *model_state_text(const struct model *m, int id, char *buf,
			     int size)
{
	const struct model_thread *t = &m->threads[id];
	switch (t->state) {
	case MT_READY:
		snprintf(buf, (size_t)size, m->last_thread == id ? "ran last"
								 : "ready");
		break;
	case MT_RUNNING:
		snprintf(buf, (size_t)size, "running");
		break;
	case MT_DONE:
		snprintf(buf, (size_t)size, "finished");
		break;
	case MT_BLOCKED:
		if (t->next_other > 0)
			snprintf(buf, (size_t)size, "waits for %c%d to exit",
				 m->unit, t->next_other);
		else if (t->next_op == OP_SLEPT && t->until > 0)
			snprintf(buf, (size_t)size, "asleep until t=%ld",
				 t->until);
		else if ((t->next_op == OP_COND_WAKE ||
			  t->next_op == OP_SEM_WAIT) && t->until > 0 &&
			 t->next_obj >= 0)
			snprintf(buf, (size_t)size, "blocked on %s until t=%ld",
				 m->objs[t->next_obj].name, t->until);
		else if (t->next_obj >= 0)
			snprintf(buf, (size_t)size, "blocked on %s",
				 m->objs[t->next_obj].name);
		else
			snprintf(buf, (size_t)size, "blocked in %s",
				 event_op_name((enum event_op)t->next_op));
		break;
	}
	return buf;
}

bool model_replay_start(const struct model *m0, const struct event *ev,
			size_t n, const struct event_names *names,
			struct model *work, uint64_t *start, long *seen)
{
	*work = *m0;
	int *who = calloc(n + 1, sizeof(int));
	if (!who)
		rt_die("out of memory");
	uint64_t nsteps = 0;
	for (size_t i = 0; i < n; i++) {
		model_apply(work, &ev[i], names);
		if (ev[i].flags & EV_STEP)
			who[nsteps++] = ev[i].thread;
	}
	*seen = work->seen_lost;
	*start = 0;
	bool found = false;
	for (uint64_t i = 1; i < nsteps && !found; i++) {
		if (who[i] == who[i - 1])
			continue; /* turns start at a switch */
		int switches = 0;
		for (uint64_t k = i; k < nsteps && k < i + 16; k++)
			switches += who[k] != who[k - 1];
		if (switches >= 4) {
			found = true;
			*start = i > 2 ? i - 2 : 0;
		}
	}
	if (work->seen_lost > 0)
		*start = work->seen_lost_read > 4 ? work->seen_lost_read - 4 : 0;
	free(who);
	return found;
}
