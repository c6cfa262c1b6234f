/*
 * ltime.h: time, logical in step mode and real in free mode.
 *
 * Step mode's clock is the step count plus the jumps it made: one tick per
 * visible step, and when nothing can run before a deadline, a jump to the
 * earliest deadline (docs/design.md, "Time").  A timed wait or a sleep
 * sets its thread's deadline here; sched.c asks whether it is due.
 */
#ifndef INTERLEAVE_LTIME_H
#define INTERLEAVE_LTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "rt.h"

/* Step mode: the time of the step running now (of the last one, between
 * steps). */
uint64_t ltime_now(void);
/* Step mode: t's wait from now times out after ticks (>= 0); -1: never. */
void ltime_arm(struct thr *t, long ticks);
void ltime_disarm(struct thr *t);
/*
 * Step mode: may t's timed wait end now by timing out?  Its deadline is
 * due at the next step, or no thread can run (ready_now) and its deadline
 * is the earliest of all.
 */
bool ltime_due(const struct thr *t, bool (*ready_now)(const struct thr *));
/*
 * Step mode, before thread t's step: the clock ticks once; if t runs only
 * because its timeout was forced, to its deadline (an OP_CLOCK event).
 */
void ltime_tick(struct thr *t, bool forced);
/* Free mode: clock's reading ms milliseconds from now. */
struct timespec ltime_after(clockid_t clock, long ms);
/* Free mode: sleep ms milliseconds of real time, without timer slack. */
void ltime_nap_ms(long ms);

#endif
