/*
 * watch.h: free mode's deadlock watch.
 *
 * Real threads that deadlock wait forever.  Each thread counts the
 * open-ended waits it begins and ends; the main thread looks at the counts
 * every WATCH_LOOK_MS.  When every live thread has been waiting, with no
 * count moving, for WATCH_QUIET_MS, nothing can ever change: the run is a
 * deadlock.  It is reported, and the waiting threads leave.
 */
#ifndef INTERLEAVE_WATCH_H
#define INTERLEAVE_WATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define WATCH_SLICE_MS 50
#define WATCH_QUIET_MS 200
#define WATCH_LOOK_MS 100
#define WATCH_GONE UINT64_MAX /* struct thr.waits of a thread that left */

/* The CLOCK_REALTIME deadline ms milliseconds from now, as the timed
 * pthread and semaphore waits take it. */
struct timespec watch_deadline(long ms);

/* A thread starts / ends an open-ended wait (ended: it got what it waited
 * for, which is progress). */
void watch_begin(void);
void watch_end(void);
/* Before each slice of a mutex or semaphore wait: its deadline.  Leaves
 * the thread (pthread_exit) if the run was found deadlocked. */
void watch_slice(struct timespec *deadline);
/* A running thread looks whether the run was stopped, and leaves if it
 * was (rt_count_unrecorded(), rt_commit_slot()). */
void watch_look(void);
/* After a condition wait returned: leave if the run was found deadlocked,
 * first releasing the mutex pthread_cond_wait took back. */
void watch_check(pthread_mutex_t *held);
/* A thread finished its body, or leaves a deadlock. */
void watch_done(void);
/* Main thread: wait for every thread to finish or deadlock; join them.
 * true if it was a deadlock. */
bool watch_run(void);

/*
 * Set from a signal handler to end a free run at once: watch_run() sees it
 * within WATCH_LOOK_MS, asks the threads to leave, waits up to
 * WATCH_STOP_MS for them (processes it ends), and returns with
 * rt.interrupted set.  A thread may still be running then, so the caller
 * does not clean up: it restores the terminal and calls _exit(), which
 * ends whatever is left with the process.
 */
#define WATCH_STOP_MS 2000
extern volatile sig_atomic_t watch_interrupt;

#endif
