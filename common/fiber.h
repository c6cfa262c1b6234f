/*
 * fiber.h: cooperative threads on one OS thread, for step mode.
 *
 * Step mode needs exactly one lesson thread running between two visible
 * operations.  Handing a baton between real threads costs a futex wake-up
 * per step; switching ucontext fibers on one OS thread costs a fraction of
 * that, cannot drift, and a half-finished run is torn down by freeing its
 * stacks.  See docs/design.md for the measurements.
 */
#ifndef INTERLEAVE_FIBER_H
#define INTERLEAVE_FIBER_H

struct fiber;

/* A new fiber that will run fn(arg) when first switched to. NULL on error. */
struct fiber *fiber_new(void (*fn)(void *), void *arg);
/* Free a fiber that is not running (finished or parked for good). */
void fiber_free(struct fiber *f);
/* From the scheduler: run f until it yields or finishes. */
void fiber_run(struct fiber *f);
/* From inside a fiber: return to the scheduler. */
void fiber_yield(struct fiber *f);
/* From inside a fiber whose function has returned: never comes back. */
_Noreturn void fiber_exit(struct fiber *f);

#endif
