/*
 * lost.h: which updates of shared variables are lost (step mode; lost.c).
 *
 * var.c and rt.c report every load, store, atomic add and thread exit;
 * an event on which updates became lost for good gets EV_LOST, with
 * e->lost how many, e->other the writer of the first, and the run's
 * rt.lost_updates grows by as many.
 */
#ifndef INTERLEAVE_LOST_H
#define INTERLEAVE_LOST_H

#include "rt.h"

/* Forget everything (a new run, or the end of one). */
void lost_reset(void);
/* A new variable, with its initial value; a new thread, holding nothing. */
void lost_var_new(struct var *v);
void lost_thread_new(struct thr *t);
/* t loaded v (e is the load's event). */
void lost_load(struct var *v, struct thr *t, struct event *e);
/* t stored value in v, computed from its last read of v if it has one. */
void lost_store(struct var *v, struct thr *t, long value, struct event *e);
/* t added atomically to v: value is the new value. */
void lost_add(struct var *v, struct thr *t, long value, struct event *e);
/* t finished: the reads it still held are dropped. */
void lost_exit(struct thr *t, struct event *e);
/* The explorer's state cache: the books, as words that two runs put
 * alike exactly when their futures lose the same updates. */
void lost_canon(void (*put)(uint64_t w, void *ctx), void *ctx);
/* A snapshot of the books (thread runs only): its size, written to `to`
 * if not NULL; and back, in the same run. */
size_t lost_save(void *to);
void lost_restore(const void *from);

#endif
