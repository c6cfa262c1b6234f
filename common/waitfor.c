/*
 * waitfor.c: the wait-for graph of a deadlock (see waitfor.h).
 *
 * Each thread waits for at most one mutex, and each mutex has at most one
 * holder, so the graph is a function: thread -> the holder of what it
 * waits for.  Following it from a thread either ends (someone not waiting
 * on a mutex) or comes back round: that loop is the cycle.
 */
#include <stdio.h>

#include "waitfor.h"

void waitfor_from_rt(struct waitfor *g)
{
	g->nthreads = rt.nthreads;
	for (int i = 0; i < RT_MAX_OBJS; i++)
		g->owner[i] = i < rt.nobjs && rt.objs[i]->kind == OBJ_MUTEX
				      ? mutex_owner((struct mutex *)rt.objs[i])
				      : 0;
	for (int i = 1; i <= rt.nthreads; i++) {
		const struct thr *t = &rt.threads[i];
		bool locks = t->state == THR_LIVE && t->pending.op == OP_LOCK;
		g->wants[i] = locks ? t->pending.obj->id : -1;
	}
}

/* The thread that t waits for, 0 if none. */
static int waitfor_next(const struct waitfor *g, int t)
{
	return g->wants[t] >= 0 ? g->owner[g->wants[t]] : 0;
}

int waitfor_cycle(const struct waitfor *g, int *ids)
{
	for (int start = 1; start <= g->nthreads; start++) {
		int n = 0, t = start;
		do {
			ids[n++] = t;
			t = waitfor_next(g, t);
		} while (t != 0 && t != start && n <= g->nthreads);
		if (t == start)
			return n;
	}
	return 0;
}

char *waitfor_arrows(const struct waitfor *g, const int *ids, int len,
		     const struct event_names *n, char *buf, size_t size)
{
	char u = n->unit ? n->unit() : 'T';
	size_t k = 0;
	buf[0] = '\0';
	for (int i = 0; i < len && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%c%d -> %s -> ", u,
				      ids[i], n->object(g->wants[ids[i]]));
	if (len && k < size)
		snprintf(buf + k, size - k, "%c%d", u, ids[0]);
	return buf;
}

char *waitfor_say(const struct waitfor *g, const struct event_names *n,
		  char *buf, size_t size)
{
	int ids[RT_MAX_THREADS + 1];
	int len = waitfor_cycle(g, ids);
	char u = n->unit ? n->unit() : 'T'; /* T1, or P1 for a process */
	buf[0] = '\0';
	if (len == 1) {
		snprintf(buf, size, "deadlock: %c%d holds %s and waits for it: "
			 "it waits for itself", u, ids[0],
			 n->object(g->wants[ids[0]]));
		return buf;
	}
	size_t k = len ? (size_t)snprintf(buf, size, "deadlock: a cycle of "
					  "waits: ") : 0;
	for (int i = 0; i < len && k < size; i++) {
		int prev = ids[(i + len - 1) % len];
		k += (size_t)snprintf(buf + k, size - k, "%s%c%d holds %s, "
				      "waits for %s", i ? "; " : "", u, ids[i],
				      n->object(g->wants[prev]),
				      n->object(g->wants[ids[i]]));
	}
	return buf;
}
