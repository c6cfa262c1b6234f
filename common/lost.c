/*
 * lost.c: which updates of a shared variable are lost, in step mode.
 *
 * `balance = balance + 1` is an update: a store computed from a load.  It
 * is lost when nothing that the variable will ever hold can contain it any
 * more.  Each store is a node whose parent is the store its writer had
 * read; the variable's current value and every read a thread still holds
 * (loaded, not yet written back) are the roots.  A store that no root
 * descends from is gone for good: every later store is computed from a
 * root.  So nodes are reference counted (one per child, one for being the
 * current value, one per thread holding it); a node whose count drops to
 * zero is a lost update, counted once, on the event that dropped it, and
 * its parent loses a reference in turn.
 *
 * This counts what a person means.  At the end of a run, the lost updates
 * are exactly the stores missing from the final value's history, so a
 * balance that is off by three shows at least three lost updates (fewer
 * only never: a lost deposit and a lost withdrawal may cancel).  A rule
 * that only asks "was the store overwritten before anyone read it?"
 * misses a chain of stores that each thread reads back itself and that is
 * then buried whole (docs/design.md, "Counting lost updates").
 *
 * A blind store (no read before it, `lane = 0`) replaces a value rather
 * than updating it: what it buries is not counted.  An atomic add is a
 * load and a store in one step: its parent is the current value.
 *
 * Memory: a node that every root descends from can never lose its last
 * reference, nor can its ancestors; when the pool fills, each variable's
 * chain below that common ancestor is freed (lost_compact()).
 */
#include <stdlib.h>
#include <string.h>

#include "lost.h"
#include "proc.h"

struct lost_node {
	int parent; /* the store its writer read; -1: none, or forgotten */
	int refs;
	int writer; /* thread id; 0 for the initial value */
	int var;    /* object id of the variable */
	long value;
	unsigned depth; /* parent's + 1: for finding common ancestors */
};

struct lost_books {
	struct lost_node *n;
	int cap, used, free; /* free: head of the free list, via parent */
	int died;            /* lost by the current event */
	int victim;          /* writer of the first node it lost */
	long victim_value;
};

/* The books: here, or in the arena in a run of processes, where whichever
 * process runs the step keeps them. */
static struct lost_books lost_here, *lb = &lost_here;

static void lost_compact(void);

void lost_reset(void)
{
	if (!proc_owns(lb->n))
		free(lb->n);
	lb = rt.procs ? proc_alloc(sizeof(*lb)) : &lost_here;
	memset(lb, 0, sizeof(*lb));
	lb->free = -1;
}

/* The node pool, grown to cap nodes. */
static struct lost_node *lost_grow(int cap)
{
	size_t size = (size_t)cap * sizeof(*lb->n);
	if (!rt.procs)
		return realloc(lb->n, size);
	struct lost_node *n = proc_alloc(size); /* the old one stays */
	if (lb->used)
		memcpy(n, lb->n, (size_t)lb->used * sizeof(*n));
	return n;
}

static int lost_alloc(void)
{
	if (lb->free < 0 && lb->used == lb->cap && lb->cap >= 1024)
		lost_compact();
	if (lb->free >= 0) {
		int i = lb->free;
		lb->free = lb->n[i].parent;
		return i;
	}
	if (lb->used == lb->cap) {
		lb->cap = lb->cap ? lb->cap * 2 : 256;
		lb->n = lost_grow(lb->cap);
		if (!lb->n)
			rt_die("out of memory");
	}
	return lb->used++;
}

/* One reference fewer; a node with none left is lost, and so on down. */
static void lost_release(int i, bool counts)
{
	while (i >= 0 && --lb->n[i].refs == 0) {
		struct lost_node *d = &lb->n[i];
		if (counts && d->writer > 0) {
			if (lb->died++ == 0) {
				lb->victim = d->writer;
				lb->victim_value = d->value;
			}
		}
		int parent = d->parent;
		d->parent = lb->free;
		lb->free = i;
		i = parent;
	}
}

static int lost_node(const struct var *v, int parent, int writer, long value)
{
	int i = lost_alloc();
	lb->n[i] = (struct lost_node){
		.parent = parent, .refs = 1, .writer = writer,
		.var = v->o.id, .value = value,
		.depth = parent >= 0 ? lb->n[parent].depth + 1 : 0,
	};
	if (parent >= 0)
		lb->n[parent].refs++;
	return i;
}

void lost_var_new(struct var *v)
{
	v->node = lost_node(v, -1, 0, var_value(v));
}

/* What the current event lost: fill in e, add to the run's count. */
static void lost_verdict(struct event *e)
{
	if (lb->died == 0)
		return;
	e->flags |= EV_LOST;
	e->lost = lb->died;
	e->other = (int16_t)lb->victim;
	e->b = e->op == OP_STORE || e->op == OP_ADD ? e->b : lb->victim_value;
	rt.lost_updates += lb->died;
	lb->died = 0;
}

void lost_load(struct var *v, struct thr *t, struct event *e)
{
	int old = t->held[v->o.id];
	t->held[v->o.id] = v->node;
	lb->n[v->node].refs++;
	lost_release(old, true);
	lost_verdict(e);
}

void lost_store(struct var *v, struct thr *t, long value, struct event *e)
{
	int read = t->held[v->o.id];
	int old = v->node;
	v->node = lost_node(v, read, t->id, value);
	t->held[v->o.id] = -1; /* the read is written back */
	lost_release(read, true);
	lost_release(old, read >= 0); /* a blind store replaces */
	lost_verdict(e);
}

void lost_add(struct var *v, struct thr *t, long value, struct event *e)
{
	int old = v->node;
	v->node = lost_node(v, old, t->id, value);
	lost_release(old, true);
	lost_verdict(e);
}

void lost_exit(struct thr *t, struct event *e)
{
	for (int i = 0; i < rt.nobjs; i++) {
		lost_release(t->held[i], true);
		t->held[i] = -1;
	}
	lost_verdict(e);
}

void lost_thread_new(struct thr *t)
{
	for (int i = 0; i < RT_MAX_OBJS; i++)
		t->held[i] = -1;
}

/*
 * The deepest node that var's every root descends from, or -1.  Roots are
 * its current value and the reads threads hold of it.
 */
static int lost_common(const struct var *v)
{
	int common = v->node;
	for (int t = 1; t <= rt.nthreads && common >= 0; t++) {
		int r = rt.threads[t].held[v->o.id];
		if (r < 0)
			continue;
		int a = common;
		while (r >= 0 && a >= 0 && r != a) {
			if (lb->n[r].depth >= lb->n[a].depth)
				r = lb->n[r].parent;
			else
				a = lb->n[a].parent;
		}
		common = r == a ? r : -1;
	}
	return common;
}

/* Free every variable's chain below the ancestor all its roots share. */
static void lost_compact(void)
{
	for (int i = 0; i < rt.nobjs; i++) {
		if (rt.objs[i]->kind != OBJ_VAR)
			continue;
		int c = lost_common((const struct var *)rt.objs[i]);
		if (c < 0)
			continue;
		int p = lb->n[c].parent;
		lb->n[c].parent = -1; /* it, and all below, live for good */
		while (p >= 0) {
			int next = lb->n[p].parent;
			lb->n[p].parent = lb->free;
			lb->free = p;
			p = next;
		}
	}
}

/*
 * For the explorer's state cache (cache.c): what of the books a run's
 * future depends on, in a form that does not depend on how the run got
 * there (node numbers do).  Only nodes below the one every root of a
 * variable shares can still be lost, so for each variable each root (its
 * value, then each thread's held read, by thread) is walked up to that
 * node: a node is put as whether it has a writer (the initial value has
 * none, and is never counted) where first met, as its place in the walk
 * after that.  Writers and values name a loss in the narration; they do
 * not change how many are lost.
 */
void lost_canon(void (*put)(uint64_t w, void *ctx), void *ctx)
{
	static unsigned *met, stamp; /* met[i] == stamp: i has a place */
	static int *place, cap;
	if (cap < lb->used) {
		free(met);
		free(place);
		cap = lb->used * 2;
		met = calloc((size_t)cap, sizeof(*met));
		place = calloc((size_t)cap, sizeof(*place));
		if (!met || !place)
			rt_die("out of memory");
	}
	if (++stamp == 0) { /* wrapped: forget every old mark */
		memset(met, 0, (size_t)cap * sizeof(*met));
		stamp = 1;
	}
	int next = 0;
	for (int i = 0; i < rt.nobjs; i++) {
		if (rt.objs[i]->kind != OBJ_VAR ||
		    ((const struct var *)rt.objs[i])->priv)
			continue;
		const struct var *v = (const struct var *)rt.objs[i];
		int common = lost_common(v);
		for (int t = 0; t <= rt.nthreads; t++) {
			int r = t ? rt.threads[t].held[v->o.id] : v->node;
			if (t && r < 0)
				continue;
			put(((uint64_t)i << 32) | (uint64_t)t, ctx);
			for (; r >= 0 && r != common; r = lb->n[r].parent) {
				if (met[r] == stamp) {
					put((uint64_t)place[r] << 2 | 1, ctx);
					break;
				}
				met[r] = stamp;
				place[r] = next++;
				put(lb->n[r].writer > 0 ? 6 : 2, ctx);
			}
			put(r == common ? 3 : 0, ctx);
		}
	}
}

size_t lost_save(void *to)
{
	size_t nodes = (size_t)lb->used * sizeof(*lb->n);
	if (to) {
		memcpy(to, lb, sizeof(*lb));
		memcpy((char *)to + sizeof(*lb), lb->n, nodes);
	}
	return sizeof(*lb) + nodes;
}

void lost_restore(const void *from)
{
	struct lost_books was;
	memcpy(&was, from, sizeof(was));
	/* the pool only grows in a run: it holds what it held then */
	was.n = lb->n;
	was.cap = lb->cap;
	*lb = was;
	memcpy(lb->n, (const char *)from + sizeof(was),
	       (size_t)was.used * sizeof(*lb->n));
}
