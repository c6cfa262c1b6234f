/*
 * cache.h: the explorer's state cache (cache.c).
 *
 * Between two steps a run of threads is in a state: everything its
 * future depends on.  Two schedules that reach one state go on alike, so
 * the explorer runs what follows it once and counts it for both.  This
 * module says what a state is (a 128-bit fingerprint of it) and keeps the
 * graph of states met; explore.c searches it.
 */
#ifndef INTERLEAVE_CACHE_H
#define INTERLEAVE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache_key {
	uint64_t a, b;
};

/*
 * A lesson's statics: the build renames the .bss and .data sections of
 * each lesson's object file, and its generated source file registers
 * their bounds here, by the lesson's source text (Makefile).
 */
void cache_statics(const char *source, const void *bss, const void *bss_end,
		   const void *data, const void *data_end);

struct run_config;
/* NULL if the states of runs of cfg can be told; else why they cannot. */
const char *cache_why_not(const struct run_config *cfg);

/* The state now, between steps; prev: the thread that ran last. */
struct cache_key cache_key(int prev);

/*
 * A snapshot of the run as it stands between steps (thread runs, where
 * cache_why_not() says yes), and putting it back later in the same run.
 */
struct cache_snap {
	unsigned char *buf;
	size_t len, cap;
};
void cache_save(struct cache_snap *s);
void cache_restore(const struct cache_snap *s);
void cache_snap_free(struct cache_snap *s);

/* A state in the graph. */
struct cache_node {
	struct cache_key key;
	uint64_t ready;   /* the threads that can run in it (bit id-1) */
	uint32_t step;
	uint32_t succ;    /* where its successors start in graph->succ;
			     a final state asking lost updates: its snapshot */
	int16_t outcome;  /* a final state: its outcome's index, else -1 */
	uint8_t nopts;    /* successors: one per thread that can run */
	uint8_t flags;    /* CACHE_* */
	int8_t prev;
};

enum {
	CACHE_FINAL = 1,    /* the run ends here */
	CACHE_BROKEN = 2,   /* ... with the invariant broken, or deadlocked */
	CACHE_DEADLOCK = 4,
	CACHE_PREV_READY = 8, /* prev can go on: any other choice preempts */
	CACHE_LIMIT = 16,   /* a final state at --max-steps */
	CACHE_ASKS_LOST = 32, /* a final state whose report() asks for the
				 lost updates, which are the path's */
};

struct cache_graph {
	struct cache_node *node;
	int32_t *succ;       /* -1: not run yet */
	uint8_t *lost;       /* by edge: the updates its step lost */
	uint64_t *table;     /* open addressing: cache_entry(), 0 empty */
	size_t n, cap, nsucc, succcap, tmask;
};

/* The node of key, or -1. */
int32_t cache_find(const struct cache_graph *g, struct cache_key key);
/* A new node for key, its successors not run yet. */
int32_t cache_add(struct cache_graph *g, struct cache_key key, uint32_t step,
		  uint64_t ready, int prev, int nopts);
void cache_free(struct cache_graph *g);
/* The search over: renumber the nodes by step (the first state becomes
 * node 0); returns where each step's nodes start, *nlevels steps. */
size_t *cache_by_step(struct cache_graph *g, size_t *nlevels);

#endif
