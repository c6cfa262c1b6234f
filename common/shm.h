/*
 * shm.h: named shared memory in the runtime (shm.c).  Lessons see
 * lesson.h.
 */
#ifndef INTERLEAVE_SHM_H
#define INTERLEAVE_SHM_H

#include <stdbool.h>
#include <stddef.h>

#include "rt.h"

/* A fork, in the parent: the child maps what the parent maps. */
void shm_fork(void);
/* A process ends: its mappings and descriptors go.  The last process to
 * end returns a segment whose name is left in /dev/shm (its object index,
 * for the exit event's narration), else -1. */
int shm_exit(bool last);
/* The runtime process, at the end of a run however it ends: unlink
 * every name the run made and did not unlink, and say so on stderr. */
void shm_reap(void);
/* While on, shm_reap() says nothing: the viewer's screen is up, or the
 * run is cli.c's check of a --schedule, which nobody watches. */
void shm_hush(bool on);

#endif
