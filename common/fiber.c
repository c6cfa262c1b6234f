/*
 * fiber.c: ucontext fibers, told to the sanitizers.
 *
 * AddressSanitizer and ThreadSanitizer both track "the current stack"; a
 * swapcontext they were not told about looks to them like stack corruption
 * or a wild write.  Each switch is therefore bracketed by the sanitizers'
 * fiber calls, compiled in only when that sanitizer is on.  ThreadSanitizer
 * is asked to treat a switch as synchronisation, which it is: only one fiber
 * ever runs at a time.
 *
 * A fiber is entered the first time through its ucontext (makecontext is
 * the portable way onto a new stack) and from then on with _setjmp and
 * _longjmp.  swapcontext saves and restores the signal mask, two system
 * calls a switch, and the x87 environment: it cost four fifths of a step.
 * _setjmp saves only the registers a call must keep.  Jumping to a buffer
 * on another stack whose frame is still live (the scheduler's, parked in
 * fiber_run; the fiber's, parked in fiber_yield) is what coroutine
 * libraries on setjmp do; _FORTIFY_SOURCE's longjmp check would take the
 * move to another stack for a jump into a dead frame, so it is off here.
 */
#undef _FORTIFY_SOURCE
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "fiber.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define FIBER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define FIBER_TSAN 1
#endif

/* Generous: lesson code is shallow, but sanitizers enlarge frames. */
#define FIBER_STACK (256 * 1024)

struct fiber {
	ucontext_t ctx;  /* the first entry only */
	jmp_buf env;     /* where the fiber resumes: its fiber_yield() */
	jmp_buf caller;  /* where the scheduler resumes: its fiber_run() */
	char *sp;        /* its stack pointer in its last fiber_yield() */
	bool started;
	void (*fn)(void *);
	void *arg;
	char *map;  /* guard page + stack */
	size_t maplen;
#ifdef FIBER_ASAN
	void *run_fake;  /* the scheduler's fake stack, while f runs */
	void *fake_stack;
	const void *caller_bottom;
	size_t caller_size;
#endif
#ifdef FIBER_TSAN
	void *tsan;
	void *tsan_caller;
#endif
};

/* makecontext passes int arguments: split the pointer in two. */
static void fiber_trampoline(unsigned hi, unsigned lo)
{
	struct fiber *f = (struct fiber *)(((uintptr_t)hi << 32) | lo);
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(NULL, &f->caller_bottom,
					&f->caller_size);
#endif
	f->fn(f->arg);
	fiber_exit(f);
}

/*
 * Prepare f's context to start in the trampoline on the given stack.  Kept
 * out of line: getcontext() returns twice, which would make every local of
 * the caller suspect.
 */
__attribute__((noinline)) static void fiber_make(struct fiber *f, char *stack)
{
	getcontext(&f->ctx);
	f->ctx.uc_stack.ss_sp = stack;
	f->ctx.uc_stack.ss_size = FIBER_STACK;
	f->ctx.uc_link = NULL;
	uintptr_t p = (uintptr_t)f;
	makecontext(&f->ctx, (void (*)(void))fiber_trampoline, 2,
		    (unsigned)(p >> 32), (unsigned)(p & 0xffffffffu));
}

/*
 * Freed fibers, with their stacks, kept for the next run: the explorer
 * starts a run thousands of times a second, and mapping, guarding,
 * faulting in and unmapping two stacks cost more than the run itself.
 * Last in, first out: a run that frees its fibers last first gives the
 * next run the same fibers at the same addresses, thread by thread, so a
 * run and its replay have the same stacks, byte for byte.
 */
#define FIBER_POOL 64
static struct fiber *fiber_pool[FIBER_POOL];
static int fiber_npool;

/* A fiber with a stack and its guard page: from the pool, or new. */
static struct fiber *fiber_get(void)
{
	if (fiber_npool > 0) {
		struct fiber *f = fiber_pool[--fiber_npool];
		char *map = f->map;
		size_t maplen = f->maplen;
		memset(f, 0, sizeof(*f));
		f->map = map;
		f->maplen = maplen;
		return f;
	}
	struct fiber *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	long page = sysconf(_SC_PAGESIZE);
	f->maplen = FIBER_STACK + (size_t)page;
	f->map = mmap(NULL, f->maplen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (f->map == MAP_FAILED) {
		free(f);
		return NULL;
	}
	/* The lowest page stays unmapped-in-effect: overflow faults at once. */
	mprotect(f->map, (size_t)page, PROT_NONE);
	return f;
}

struct fiber *fiber_new(void (*fn)(void *), void *arg)
{
	struct fiber *f = fiber_get();
	if (!f)
		return NULL;
	long page = (long)(f->maplen - FIBER_STACK);
#ifdef FIBER_ASAN
	__asan_unpoison_memory_region(f->map + page, FIBER_STACK);
#endif
	f->fn = fn;
	f->arg = arg;
	fiber_make(f, f->map + page);
#ifdef FIBER_TSAN
	f->tsan = __tsan_create_fiber(0);
#endif
	return f;
}

void fiber_free(struct fiber *f)
{
	if (!f)
		return;
#ifdef FIBER_TSAN
	__tsan_destroy_fiber(f->tsan);
#endif
	if (fiber_npool < FIBER_POOL) {
		fiber_pool[fiber_npool++] = f; /* unpoisoned when reused */
		return;
	}
	munmap(f->map, f->maplen);
	free(f);
}

/*
 * The sanitizers are told of a switch between saving where we are and
 * jumping: ThreadSanitizer files a jmp_buf under the fiber that was
 * running when it was saved, and finds it there when it is jumped to.
 */
void fiber_run(struct fiber *f)
{
	if (_setjmp(f->caller) == 0) {
#ifdef FIBER_TSAN
		f->tsan_caller = __tsan_get_current_fiber();
		__tsan_switch_to_fiber(f->tsan, 0);
#endif
#ifdef FIBER_ASAN
		f->run_fake = NULL;
		__sanitizer_start_switch_fiber(&f->run_fake,
					       f->ctx.uc_stack.ss_sp,
					       f->ctx.uc_stack.ss_size);
#endif
		if (f->started)
			_longjmp(f->env, 1);
		f->started = true;
		setcontext(&f->ctx);
		abort(); /* setcontext returns only on failure */
	}
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(f->run_fake, NULL, NULL);
#endif
}

/* The stack pointer of the caller, or NULL where it cannot be read. */
#if defined(__x86_64__)
#define FIBER_SP(sp) __asm__ volatile("mov %%rsp, %0" : "=r"(sp))
#define FIBER_HAS_SP true
#elif defined(__aarch64__)
#define FIBER_SP(sp) __asm__ volatile("mov %0, sp" : "=r"(sp))
#define FIBER_HAS_SP true
#else
#define FIBER_SP(sp) ((sp) = NULL)
#define FIBER_HAS_SP false
#endif

void fiber_yield(struct fiber *f)
{
	FIBER_SP(f->sp);
	if (_setjmp(f->env) == 0) {
#ifdef FIBER_TSAN
		__tsan_switch_to_fiber(f->tsan_caller, 0);
#endif
#ifdef FIBER_ASAN
		__sanitizer_start_switch_fiber(&f->fake_stack,
					       f->caller_bottom,
					       f->caller_size);
#endif
		_longjmp(f->caller, 1);
	}
#ifdef FIBER_ASAN
	__sanitizer_finish_switch_fiber(f->fake_stack, &f->caller_bottom,
					&f->caller_size);
#endif
}

volatile bool fiber_cleaning;

/*
 * No frame of its own (noinline, and only registers): the stack pointer
 * here is the caller's, less the return address, and everything below it
 * is dead.  In C, a call to memset would put its frame inside the bytes
 * it zeroes.  Elsewhere than x86-64 it does nothing: states are then
 * told apart by more leftover bytes, which costs time, not results.
 */
__attribute__((noinline)) void fiber_clean_below(void)
{
#if defined(__x86_64__)
	__asm__ volatile("lea %c0(%%rsp), %%rdi\n\t"
			 "mov %1, %%ecx\n\t"
			 "xor %%eax, %%eax\n\t"
			 "rep stosq"
			 :
			 : "i"(-FIBER_CLEAN), "i"(FIBER_CLEAN / 8)
			 : "rdi", "rcx", "rax", "memory", "cc");
#endif
}

/*
 * A parked fiber resumes from its registers in f->env and whatever its
 * stack holds from its stack pointer up: the frames of the calls it is
 * in.  Nothing below that pointer is ever read again before being
 * written.  (The explorer's state cache, cache.c, compares these bytes.)
 */
bool fiber_viewable(void)
{
	return FIBER_HAS_SP;
}

bool fiber_parked(const struct fiber *f, struct fiber_view *v)
{
	if (!f->started || !f->sp)
		return false;
	char *top = (char *)f->ctx.uc_stack.ss_sp + f->ctx.uc_stack.ss_size;
	v->stack = f->sp;
	v->len = (size_t)(top - f->sp);
	v->regs = f->env;
	v->nregs = sizeof(f->env[0].__jmpbuf);
	return true;
}

void fiber_rewind(struct fiber *f, const struct fiber_view *v,
		  const void *bytes)
{
	f->sp = (char *)(uintptr_t)v->stack;
	memcpy(f->env, v->regs, v->nregs);
	memcpy(f->sp, bytes, v->len);
	f->started = true;
}

_Noreturn void fiber_exit(struct fiber *f)
{
#ifdef FIBER_TSAN
	__tsan_switch_to_fiber(f->tsan_caller, 0);
#endif
#ifdef FIBER_ASAN
	/* NULL: this stack is left for good, its fake frames can go. */
	__sanitizer_start_switch_fiber(NULL, f->caller_bottom,
				       f->caller_size);
#endif
	_longjmp(f->caller, 1);
}
