/*
 * pipe.h: pipes in the runtime (pipe.c).  Lessons see lesson.h.
 */
#ifndef INTERLEAVE_PIPE_H
#define INTERLEAVE_PIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "rt.h"

/* Step mode: can t's pending read or write proceed without blocking? */
bool pipe_ready(const struct thr *t);
/* Step mode: what t's pending read or write waits for, as a sentence
 * after the process's name ("waits to read pipe p, ..."). */
char *pipe_why(const struct thr *t, char *buf, size_t size);
/* A fork: the child holds whatever ends its parent holds. */
void pipe_fork(int parent, int child);
/* Step mode: process t is about to exit: its ends close now, before the
 * runtime steps anyone else, so that a read granted as EOF is one. */
void pipe_exit(struct thr *t);
/* The runtime process, once it has forked P1: it holds no end of any
 * pipe (else no reader would ever see EOF). */
void pipe_runtime_close(void);
/* The end of a run: the runtime's copies, if P1 was never forked. */
void pipe_destroy(struct pipe *p);

#endif
