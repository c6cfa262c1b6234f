/*
 * proc.h: processes in the runtime (proc.c).  Lessons see lesson.h.
 */
#ifndef INTERLEAVE_PROC_H
#define INTERLEAVE_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "rt.h"

/* Before setup(): share the runtime's pages and reset the arena. */
void proc_prepare(void);
/* Zeroed memory that every process of the run sees. */
void *proc_alloc(size_t size);
/* Was p given out by proc_alloc()? (It is not freed.) */
bool proc_owns(const void *p);
/* Fork t if it has not been yet (P1, when the run starts). */
void proc_start(struct thr *t);
/* Step mode: run t until its next visible operation; t gives it back. */
void proc_run(struct thr *t);
void proc_yield(struct thr *t);
/* Step mode: can t's pending join proceed? */
bool proc_ready(const struct thr *t);
/* Free mode: open the start gate of the children t forked. */
void proc_release(struct thr *t);
/* Free mode: is t waiting to join a child that has finished?  (It is
 * being reaped, however long its exit takes: not a deadlock.) */
bool proc_join_ends(const struct thr *t);
/* Free mode: die (exit 1) if a process ended before its body did. */
void proc_check_crash(void);
/* The runtime process: kill and reap every process of the run. */
void proc_stop(void);
/* ... and remove the named segments it left (shm_reap): the run is over,
 * its report() made. */
void proc_end(void);
/* End the run's processes on SIGINT, SIGTERM, SIGHUP nobody handles. */
void proc_signals(void);

#endif
