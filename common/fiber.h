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

#include <stdbool.h>
#include <stddef.h>

struct fiber;

/* A new fiber that will run fn(arg) when first switched to. NULL on error. */
struct fiber *fiber_new(void (*fn)(void *), void *arg);
/* Free a fiber that is not running (finished or parked for good). */
void fiber_free(struct fiber *f);
/* From the scheduler: run f until it yields or finishes. */
void fiber_run(struct fiber *f);
/* From inside a fiber: return to the scheduler. */
void fiber_yield(struct fiber *f);
/* A parked fiber's live stack and the registers it resumes with. */
struct fiber_view {
	const void *stack;
	size_t len;
	const void *regs;
	size_t nregs;
};
/* Can fiber_parked() read a stack pointer on this machine at all? */
bool fiber_viewable(void);
/* Fill v for a fiber parked in fiber_yield(); false if it never ran (or
 * its stack pointer cannot be read here). */
bool fiber_parked(const struct fiber *f, struct fiber_view *v);
/* Park f again as v saw it, its stack's bytes (v->len of them) back. */
void fiber_rewind(struct fiber *f, const struct fiber_view *v,
		  const void *bytes);
/*
 * Zero the FIBER_CLEAN bytes of stack below the caller's frame, if
 * fiber_cleaning is on (the explorer's state cache turns it on).  Every
 * operation called from a lesson calls this first (the macros in
 * lesson.h; fast.h's on the way into the runtime), so the frames an
 * operation builds down to where its thread parks start out zero rather
 * than holding what the operation before left there: bytes no frame
 * wrote, which would make equal states look different (cache.c).
 * fiber_cleaning is volatile so that the compiler never reads it on free
 * mode's fast path, where the call is not made.
 */
#define FIBER_CLEAN 512 /* what an operation builds there: at most 128 */
extern volatile bool fiber_cleaning;
void fiber_clean_below(void);
static inline void fiber_clean(void)
{
	if (fiber_cleaning)
		fiber_clean_below();
}
/* From inside a fiber whose function has returned: never comes back. */
_Noreturn void fiber_exit(struct fiber *f);

#endif
