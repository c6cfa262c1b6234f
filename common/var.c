/*
 * var.c: shared variables, the place where updates get lost.
 *
 * A load and a store are separate visible operations, so a thread can be
 * switched out between reading a value and writing back what it computed
 * from it.  Both are relaxed C11 atomics: in free mode the race is real on
 * the hardware, yet the program has no undefined behaviour and the compiler
 * cannot merge a loop of them into one addition.
 *
 * In step mode the runtime also remembers, for each thread, which version
 * of each variable it last read: a store that is about to overwrite an
 * update another thread read too is flagged as it happens (EV_STALE).
 * Which updates end up lost, for good, lost.c works out.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lost.h"

struct var *var_new(const char *name, long initial)
{
	struct var *v = rt_alloc_obj(sizeof(*v));
	rt_add_obj(&v->o, OBJ_VAR, name, &v->clock);
	atomic_init(&v->value, initial);
	atomic_init(&v->peak, LONG_MAX); /* not kept: no store ever raises it */
	if (rt.mode == RT_STEP)
		lost_var_new(v);
	return v;
}

/*
 * A variable each process has its own copy of: the object lives in the
 * runtime process's heap, and fork() copies it into every child as it
 * copies the lesson's globals.  The runtime's books (its name, its id)
 * are the same in every copy; the value is each process's own.
 */
struct var *var_new_private(const char *name, long initial)
{
	if (!rt.procs)
		rt_die("var_new_private(%s): only processes have private "
		       "memory", name);
	struct var *v = rt_alloc_heap(sizeof(*v));
	rt_add_obj(&v->o, OBJ_VAR, name, &v->clock);
	atomic_init(&v->value, initial);
	atomic_init(&v->peak, LONG_MAX);
	v->priv = true;
	return v;
}

/*
 * A variable each thread has its own copy of (C11's _Thread_local, or
 * Python's threading.local()), made here rather than with the keyword so
 * that every load and store of a copy is traced and the viewer can draw
 * each thread's copy.  (In step mode every thread is a fiber on one OS
 * thread: there a _Thread_local would be one copy for all of them.)
 *
 * Its type is a type of its own, so that var_load() and var_store() pick
 * the thread-local operations at compile time (lesson.h): free mode's
 * inline path for shared variables stays one load or one store, with no
 * test of whether the variable has copies.  The copies and var_mine()'s
 * handles come in one block with the variable, which is what
 * rt_destroy() frees.
 */
struct var_local {
	struct var v;
};

struct var_local_block {
	struct var_local base;
	struct var_copy copies[RT_MAX_THREADS + 1];
	struct var_local pins[RT_MAX_THREADS + 1];
};

/* Whose copy v is: a var_mine() handle's thread, or the caller's. */
static int var_owner(const struct var *v)
{
	return v->pin ? v->pin : rt_self()->id;
}

/* Where v's value lives: its one cell, or that copy. */
static _Atomic long *var_cell(struct var *v)
{
	return v->copies ? &v->copies[var_owner(v)].value : &v->value;
}

struct var_local *var_new_local(const char *name, long initial)
{
	if (rt.procs)
		rt_die("var_new_local(%s): processes have var_new_private()",
		       name);
	struct var_local_block *l = rt_alloc_obj(sizeof(*l));
	struct var *v = &l->base.v;
	rt_add_obj(&v->o, OBJ_VAR, name, &v->clock);
	atomic_init(&v->value, initial); /* what every copy starts from */
	atomic_init(&v->peak, LONG_MAX);
	v->copies = l->copies;
	v->pins = l->pins;
	for (int i = 0; i <= RT_MAX_THREADS; i++) {
		struct var *pin = &l->pins[i].v;
		atomic_init(&l->copies[i].value, initial);
		pin->o = v->o; /* the same object: id, name, clock */
		pin->copies = l->copies;
		pin->pins = l->pins;
		pin->pin = i;
		atomic_init(&pin->value, initial);
		atomic_init(&pin->peak, LONG_MAX);
	}
	return &l->base;
}

struct var_local *var_mine(struct var_local *v)
{
	if (!rt_self())
		rt_die("var_mine(%s): only a thread has a copy (not setup())",
		       v->v.o.name);
	return &v->v.pins[rt_self()->id];
}

long var_local_load_at(struct var_local *v, int line)
{
	return var_load_at(&v->v, line);
}

void var_local_store_at(struct var_local *v, long value, int line)
{
	var_store_at(&v->v, value, line);
}

long var_local_add_at(struct var_local *v, long delta, int line)
{
	return var_add_at(&v->v, delta, line);
}

void var_keep_peak(struct var *v)
{
	atomic_store_explicit(&v->peak, var_value(v), memory_order_relaxed);
}

void var_chart(struct var *v)
{
	v->charted = true;
}

void var_track(struct var *v, long max)
{
	v->track = max;
}

void var_buffer(struct var **slots, int n, struct var *head,
		struct var *tail)
{
	for (int i = 0; i < n; i++) {
		slots[i]->slot = true;
		rt.buffer.slots[i] = slots[i]->o.id;
	}
	rt.buffer.n = n;
	rt.buffer.head = head ? head->o.id : -1;
	rt.buffer.tail = tail ? tail->o.id : -1;
}

void var_buffer_label(const char *heading)
{
	rt.buffer.heading = heading;
}

void var_tasks(const long *items, int n, struct var *taken,
	       struct var **holders, int nholders)
{
	n = n < RT_MAX_TASKS ? n : RT_MAX_TASKS;
	memcpy(rt.tasks.items, items, sizeof(items[0]) * (size_t)n);
	rt.tasks.n = n;
	rt.tasks.taken = taken->o.id;
	for (int i = 0; i < nholders; i++)
		holders[i]->holds_task = true;
}

/* Step mode, a store to slot v: an item written over another is lost. */
static void var_slot_store(struct var *v, struct event *e)
{
	if (e->a != 0 && e->b != 0) {
		e->flags |= EV_OVERWRITE;
		e->other = (int16_t)v->last_writer;
	}
	v->version++;
	v->last_writer = rt.current->id;
}

long var_peak(const struct var *v)
{
	long p = atomic_load_explicit(&v->peak, memory_order_relaxed);
	if (p == LONG_MAX)
		rt_die("var_peak(%s): call var_keep_peak() on it first",
		       v->o.name);
	return p;
}

/* Raise the peak to x if x is larger; rare once warmed up, so cheap. */
static void var_raise_peak(struct var *v, long x)
{
	long p = atomic_load_explicit(&v->peak, memory_order_relaxed);
	while (x > p && !atomic_compare_exchange_weak_explicit(
				&v->peak, &p, x, memory_order_relaxed,
				memory_order_relaxed))
		;
}

long var_value(const struct var *v)
{
	return atomic_load_explicit(&v->value, memory_order_relaxed);
}

static long var_get(struct var *v)
{
	return atomic_load_explicit(var_cell(v), memory_order_relaxed);
}

static void var_put(struct var *v, long x)
{
	atomic_store_explicit(var_cell(v), x, memory_order_relaxed);
	var_raise_peak(v, x);
}

static long var_fetch_add(struct var *v, long delta)
{
	long old = atomic_fetch_add_explicit(var_cell(v), delta,
					     memory_order_relaxed);
	var_raise_peak(v, old + delta);
	return old;
}

/*
 * Step mode, a write just replaced `old`: find a thread that read `old`
 * and whose very next operation is to store to v: its coming store will
 * lose this update.  (A thread that read v to check it and went on to do
 * something else is not warned about: it may never write back.)  Returns
 * its id or 0.
 */
static int var_stale_holder(const struct var *v, const struct thr *self)
{
	uint64_t bit = 1ull << v->o.id;
	for (int i = 1; i <= rt.nthreads; i++) {
		const struct thr *t = &rt.threads[i];
		if (t != self && t->state == THR_LIVE && (t->holding & bit) &&
		    t->seen[v->o.id] == v->version - 1 &&
		    t->pending.op == OP_STORE && t->pending.obj == &v->o)
			return t->id;
	}
	return 0;
}

/* Step mode bookkeeping for a write by t: the stale-read warning. */
static void var_note_write(struct var *v, struct thr *t, struct event *e)
{
	t->holding &= ~(1ull << v->o.id);
	v->version++;
	v->last_writer = t->id;
	if (!(e->flags & EV_LOST)) {
		int h = var_stale_holder(v, t);
		if (h) {
			e->flags |= EV_STALE;
			e->other = (int16_t)h;
		}
	}
}

/*
 * Step mode, t loaded its own copy of private v: if another process's copy
 * holds something else, say so.  The books are the runtime's, shared; the
 * copies themselves are each process's own memory.
 */
static void var_private_load(struct var *v, struct thr *t, struct event *e)
{
	uint64_t bit = 1ull << v->o.id;
	for (int i = 1; i <= rt.nthreads; i++) {
		const struct thr *u = &rt.threads[i];
		if (u != t && (u->own_set & bit) && u->own[v->o.id] != e->a) {
			e->flags |= EV_PRIVATE;
			e->other = (int16_t)u->id;
			e->b = u->own[v->o.id];
			return;
		}
	}
}

static void var_private_store(struct var *v, struct thr *t, long value)
{
	t->own_set |= 1ull << v->o.id;
	t->own[v->o.id] = value;
}

/*
 * A use of thread-local v: say whose copy it is.  Step mode: a copy ends
 * with its thread, so a use after that is refused and true returned (a
 * load gives what a new copy starts from; b is what the old memory still
 * holds).  Free mode does not check: the memory is still there, and the
 * use works, by accident.
 */
static bool var_local_gone(struct var *v, struct event *e)
{
	int owner = var_owner(v);
	e->flags |= EV_LOCAL;
	e->other = (int16_t)owner;
	if (rt.mode != RT_STEP || rt.threads[owner].state != THR_DONE)
		return false;
	e->flags |= EV_MISUSE;
	e->b = var_get(v);
	return true;
}

long var_load_at(struct var *v, int line)
{
	if (rt_unrecorded())
		return var_get(v);
	if (rt.mode == RT_STEP)
		rt_park(OP_LOAD, &v->o, line);
	struct event *e = rt_ev(OP_LOAD, &v->o, line);
	e->flags = EV_STEP;
	e->a = var_get(v);
	if (v->copies && var_local_gone(v, e))
		e->a = var_value(v);
	else if (!v->copies && rt.mode == RT_STEP) {
		rt.current->seen[v->o.id] = v->version;
		rt.current->holding |= 1ull << v->o.id;
		if (v->priv)
			var_private_load(v, rt.current, e);
		else if (!v->slot)
			lost_load(v, rt.current, e);
	}
	rt_commit(e);
	return e->a;
}

void var_store_at(struct var *v, long value, int line)
{
	if (rt_unrecorded()) {
		var_put(v, value);
		return;
	}
	if (rt.mode == RT_STEP)
		rt_park(OP_STORE, &v->o, line);
	struct event *e = rt_ev(OP_STORE, &v->o, line);
	e->flags = EV_STEP;
	e->a = value;
	e->b = var_get(v);
	if (v->copies) {
		if (!var_local_gone(v, e))
			var_put(v, value);
		rt_commit(e);
		return;
	}
	var_put(v, value);
	if (rt.mode == RT_STEP && v->slot) {
		var_slot_store(v, e);
	} else if (rt.mode == RT_STEP && v->priv) {
		var_private_store(v, rt.current, value);
	} else if (rt.mode == RT_STEP) {
		lost_store(v, rt.current, value, e);
		var_note_write(v, rt.current, e);
	}
	rt_commit(e);
}

long var_add_at(struct var *v, long delta, int line)
{
	if (rt_unrecorded())
		return var_fetch_add(v, delta);
	if (rt.mode == RT_STEP)
		rt_park(OP_ADD, &v->o, line);
	struct event *e = rt_ev(OP_ADD, &v->o, line);
	e->flags = EV_STEP;
	if (v->copies && var_local_gone(v, e)) {
		e->a = e->b; /* refused: nothing added */
		rt_commit(e);
		return var_value(v);
	}
	e->b = var_fetch_add(v, delta);
	e->a = e->b + delta;
	if (v->copies) {
		/* its own copy, or one reached through var_mine() */
	} else if (rt.mode == RT_STEP && v->priv) {
		var_private_store(v, rt.current, e->a);
	} else if (rt.mode == RT_STEP) {
		lost_add(v, rt.current, e->a, e);
		var_note_write(v, rt.current, e);
	}
	rt_commit(e);
	return e->b;
}
