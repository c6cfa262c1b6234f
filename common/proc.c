/*
 * proc.c: processes, real in both modes.
 *
 * A lesson about processes runs real ones: fork(), waitpid(), memory that
 * one process writes and the other does not see.  What the runtime shares
 * between them is itself: the pages of `rt` and an arena, both mapped
 * MAP_SHARED before the first fork, hold the run's books (its processes,
 * objects, event buffers, lost.c's graph) and every object the lesson
 * made in setup().  Everything else, the lesson's own globals and its
 * private variables, is copied by fork() like in any program.
 *
 * Step mode hands a baton.  Exactly one process runs between two visible
 * operations: the runtime process grants a step by setting the chosen
 * process's word and waking it on a futex, then sleeps on its own word;
 * the process runs its operation and on to the next one, publishes what
 * that is (struct pending, in shared memory) and hands the baton back.
 * So the scheduler in sched.c works unchanged: it reads each process's
 * pending operation as it reads a fiber's, and the bookkeeping code of
 * every operation runs, in whichever process holds the baton, on the
 * shared books.  A fork is a step of the parent during which the child is
 * started and run to its first visible operation, as a thread is before
 * the first step.
 *
 * Free mode forks for real and lets them all run.  Each process keeps its
 * events in its own ring in the arena, and objects carry Lamport clocks
 * as they do for threads; a fork and a join pass the clock on, so the
 * merged stream puts a child's start after its fork and its exit before
 * the join.  Children that a process forks back to back wait at a gate
 * until it does something else, so that they start together, as threads
 * start together behind the start gate: otherwise the 0.1-0.5 ms a fork
 * takes would let a short child finish before its sibling began.
 *
 * Nothing outlives the run.  P1 starts a process group that every other
 * process inherits; the runtime process is their subreaper; the end of a
 * run, exit(), and SIGINT, SIGTERM and SIGHUP kill that group and reap
 * every process, parents before children (so that each orphan has come
 * back to the runtime when its turn comes).  P1 dies with the runtime
 * (PR_SET_PDEATHSIG), and a process waiting for the baton gives up when
 * the runtime is gone.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lost.h"
#include "pipe.h"
#include "proc.h"
#include "shm.h"
#include "watch.h"

/*
 * The arena: reserved once, pages used only as they are touched.  64 MB
 * holds 64 processes' event rings (256 KB each) many times over; it is
 * not more because a kernel that does not overcommit counts it all.
 */
#define PROC_ARENA ((size_t)64 << 20)

static struct {
	char *base;
	bool shared;  /* rt's pages are mapped shared */
} proc_mem;

/* --- shared memory --- */

/* rt is page aligned and a whole number of pages (rt.h): map them shared,
 * in place, keeping what they hold. */
static void proc_share_rt(void)
{
	void *copy = rt_alloc_heap(sizeof(rt));
	memcpy(copy, &rt, sizeof(rt));
	if (mmap(&rt, sizeof(rt), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		rt_die("mmap of the runtime's pages: %s", strerror(errno));
	memcpy(&rt, copy, sizeof(rt));
	free(copy);
}

static void proc_atexit(void);

void proc_prepare(void)
{
	if (!proc_mem.shared) {
		proc_share_rt();
		proc_mem.base = mmap(NULL, PROC_ARENA, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS |
				     MAP_NORESERVE, -1, 0);
		if (proc_mem.base == MAP_FAILED)
			rt_die("mmap of the shared arena: %s",
			       strerror(errno));
		/* Orphans come back to us, to be reaped. */
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		atexit(proc_atexit);
		proc_mem.shared = true;
	}
	rt.procs = true;
	rt.runtime_pid = getpid();
	proc_signals();
	atomic_store(&rt.arena_used, 0);
	rt_mutex_init(&rt.proc_lock);
}

void *proc_alloc(size_t size)
{
	size = (size + RT_LINE - 1) / RT_LINE * RT_LINE;
	size_t at = atomic_fetch_add(&rt.arena_used, size);
	if (at + size > PROC_ARENA)
		rt_die("the shared arena is full (%zu MB)", PROC_ARENA >> 20);
	return memset(proc_mem.base + at, 0, size);
}

bool proc_owns(const void *p)
{
	const char *c = p;
	return proc_mem.base && c >= proc_mem.base &&
	       c < proc_mem.base + PROC_ARENA;
}

/* --- the baton (step mode) --- */

static long proc_futex(_Atomic uint32_t *w, int op, uint32_t val,
		       const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static _Atomic uint32_t *proc_word(int id)
{
	return id ? &rt.threads[id].go : &rt.back;
}

/*
 * Has process t ended (exited or killed), whoever its parent is?  A
 * zombie has: its state in /proc says so until somebody reaps it.  (Not
 * a pidfd: valgrind does not know pidfd_open.)
 */
static bool proc_gone(const struct thr *t)
{
	if (t->pid <= 0)
		return false;
	char path[64], state = 'X';
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)t->pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = 'X';
	fclose(f);
	return state == 'Z' || state == 'X';
}

/*
 * Sleep until *w is 1.  The one we wait for is `whom` (a process, or NULL
 * for the runtime): now and then, look whether it is still there, so that
 * a crash is reported, not waited on for ever.
 */
static void proc_wait_word(_Atomic uint32_t *w, const struct thr *whom)
{
	const struct timespec slice = { 0, 200 * 1000000L };
	while (atomic_load(w) == 0) {
		if (proc_futex(w, FUTEX_WAIT, 0, &slice) == 0 ||
		    errno != ETIMEDOUT)
			continue;
		if (!whom && kill(rt.runtime_pid, 0) != 0 && errno == ESRCH)
			_exit(1); /* the runtime is gone: nobody to step us */
		if (whom && atomic_load(w) == 0 && proc_gone(whom) &&
		    atomic_load(w) == 0)
			rt_die("P%d (%s) ended in the middle of a step: it "
			       "crashed or was killed", whom->id, whom->name);
	}
}

static void proc_set(_Atomic uint32_t *w)
{
	atomic_store(w, 1);
	proc_futex(w, FUTEX_WAKE, 1, NULL);
}

/* Hand the baton from `from` to `to` and wait until it comes back. */
static void proc_hand(int from, int to, const struct thr *whom)
{
	_Atomic uint32_t *mine = proc_word(from);
	atomic_store(mine, 0); /* before they can hand it back */
	proc_set(proc_word(to));
	proc_wait_word(mine, whom);
}

void proc_run(struct thr *t)
{
	struct thr *caller = rt.current == t ? NULL : rt.current;
	int from = caller ? caller->id : 0;
	t->resumer = from;
	rt.current = t;
	proc_hand(from, t->id, t);
	rt.current = caller;
}

void proc_yield(struct thr *t)
{
	proc_hand(t->id, t->resumer, NULL);
}

/* --- a process's life --- */

/* A fresh child: no handler or mask of the runtime's, no stdio of its. */
static void proc_child_setup(struct thr *t)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/* A write to a pipe nobody reads fails with EPIPE, reported
	 * (pipe.c), instead of killing the writer. */
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, &none, NULL); /* proc_spawn() blocked some */
	/* What the runtime had buffered is the runtime's to print. */
	__fpurge(stdout);
	__fpurge(stderr);
	if (t->parent == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (kill(rt.runtime_pid, 0) != 0)
			_exit(1); /* it died before we asked to follow it */
	}
	rt_tls_self = t;
	rt_tls_tid = t->tid = gettid();
	rt_tls_past = false;
	rt_tls_unrecorded = 0;
}

/* Is t the last process still running?  (Free mode: as far as it can
 * tell; two that end together may each see the other.) */
static bool proc_last(const struct thr *t)
{
	for (int i = 1; i <= rt.nthreads; i++)
		if (&rt.threads[i] != t && rt.threads[i].state != THR_DONE)
			return false;
	return true;
}

static _Noreturn void proc_step_main(struct thr *t)
{
	proc_wait_word(&t->go, NULL);
	rt_commit(rt_ev(OP_START, NULL, 0));
	t->body(t->arg);
	pipe_exit(t); /* its ends close before anyone else is stepped */
	int left = shm_exit(proc_last(t));
	struct event *e = rt_ev(OP_EXIT, NULL, 0);
	e->obj2 = (int16_t)left;
	t->state = THR_DONE;
	lost_exit(t, e);
	rt_commit(e);
	proc_set(proc_word(t->resumer));
	_exit(0);
}

/* A spinning core tells the CPU so (its sibling hyperthread runs on). */
static inline void proc_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Spin until *w reaches at least n, for up to ms milliseconds; say if it
 * did.  The clock is read now and then: a pause takes 2 to 140 cycles,
 * depending on the CPU. */
static bool proc_spin(_Atomic uint32_t *w, uint32_t n, long ms)
{
	long end = rt_now_us() + ms * 1000;
	for (unsigned i = 1;; i++) {
		if (atomic_load_explicit(w, memory_order_acquire) >= n)
			return true;
		if (i % 1024 == 0 && rt_now_us() > end)
			return false;
		proc_pause();
	}
}

/*
 * Move to the k-th CPU we may run on (round robin), then let the kernel
 * move us again as it likes.  Two children that the kernel happened to
 * queue on one CPU would otherwise take turns there, not race, until its
 * balancer noticed (a whole short run, measured: 4 runs in 20 started on
 * one CPU and did not lose an update).
 */
static void proc_place(int k)
{
	cpu_set_t all, one;
	if (sched_getaffinity(0, sizeof(all), &all) != 0)
		return;
	int n = CPU_COUNT(&all);
	if (n < 2)
		return;
	for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all) || seen++ != k % n)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		sched_setaffinity(0, sizeof(all), &all);
		return;
	}
}

/*
 * Free mode: the start gate.  A child waits awake, so that it starts the
 * moment the gate opens, not a scheduler's wake-up latency later; one
 * that waits long (its parent blocked before it did anything else) goes
 * to sleep.  Through the gate, the siblings wait for each other too: on
 * two cores the parent holds one while it opens the gate, so the child
 * without a core gets one only when the parent goes to sleep, and the
 * other would have a head start of that long (up to 0.3 ms measured,
 * the whole of a short child's run).
 */
static void proc_gate(struct thr *t)
{
	if (!proc_spin(&t->go, 1, 50))
		proc_wait_word(&t->go, NULL);
	struct thr *p = &rt.threads[t->parent];
	uint32_t n = atomic_load(&p->gate_n);
	proc_place((int)atomic_fetch_add(&p->gate_k, 1));
	/* arrive only once running where it was placed: moving may have to
	 * wait for that CPU */
	atomic_fetch_add(&p->gate_in, 1);
	proc_spin(&p->gate_in, n, 20);
}

static _Noreturn void proc_free_main(struct thr *t)
{
	if (t->gated)
		proc_gate(t);
	rt_commit(rt_ev(OP_START, NULL, 0));
	t->body(t->arg);
	int left = shm_exit(proc_last(t));
	struct event *e = rt_ev(OP_EXIT, NULL, 0);
	e->obj2 = (int16_t)left;
	rt_commit(e);
	proc_release(t);
	t->state = THR_DONE;
	watch_done();
	_exit(0);
}

/*
 * fork() t; in the child, run it.  The signals that end a run wait until
 * the books know the child (its pid, the run's process group): a SIGTERM
 * in between would find a process it cannot name, kill nothing, and wait
 * for it for ever.
 */
static void proc_spawn(struct thr *t)
{
	sigset_t old;
	fflush(NULL);
	rt_block_ending(&old);
	pid_t pid = fork();
	if (pid < 0)
		rt_die("fork: %s", strerror(errno));
	if (pid == 0) {
		t->pid = getpid();
		proc_child_setup(t);
		if (rt.mode == RT_STEP)
			proc_step_main(t);
		proc_free_main(t);
	}
	t->pid = pid;
	if (t->parent == 0) {
		setpgid(pid, pid); /* as the child does: whoever is first */
		rt.pgid = pid;
		pipe_runtime_close(); /* P1 has them now */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A new slot in the run's table, filled before anyone can count it. */
static struct thr *proc_add(const char *name, void (*body)(long), long arg,
			    int parent)
{
	pthread_mutex_lock(&rt.proc_lock);
	if (rt.nthreads >= RT_MAX_THREADS) {
		pthread_mutex_unlock(&rt.proc_lock);
		rt_die("more than %d processes", RT_MAX_THREADS);
	}
	struct thr *t = &rt.threads[rt.nthreads + 1];
	t->id = rt.nthreads + 1;
	t->name = name;
	t->body = body;
	t->arg = arg;
	t->state = THR_LIVE;
	t->proc = true;
	t->parent = parent;
	if (rt.mode == RT_STEP)
		lost_thread_new(t);
	else
		t->ring = proc_alloc(RT_RING * sizeof(*t->ring));
	atomic_store_explicit((_Atomic int *)&rt.nthreads, t->id,
			      memory_order_release);
	pthread_mutex_unlock(&rt.proc_lock);
	return t;
}

void process_new(const char *name, void (*body)(long arg), long arg)
{
	if (!rt.procs)
		rt_die("process_new: lesson %s runs variant %s on threads",
		       rt.cfg->lesson->name,
		       rt.cfg->lesson->variants[rt.cfg->variant].name);
	if (rt.nthreads > 0)
		rt_die("process_new: setup() makes only P1; it forks the rest");
	proc_add(name, body, arg, 0);
}

void proc_start(struct thr *t)
{
	if (t->pid == 0)
		proc_spawn(t);
}

void proc_release(struct thr *parent)
{
	if (!parent->gated_children)
		return;
	parent->gated_children = false;
	uint32_t n = 0;
	for (int i = parent->id + 1; i <= rt.nthreads; i++) {
		struct thr *c = &rt.threads[i];
		n += c->parent == parent->id && c->gated &&
		     atomic_load(&c->go) == 0;
	}
	atomic_store(&parent->gate_in, 0);
	atomic_store(&parent->gate_k, 0);
	atomic_store(&parent->gate_n, n);
	for (int i = parent->id + 1; i <= rt.nthreads; i++) {
		struct thr *c = &rt.threads[i];
		if (c->parent == parent->id && c->gated &&
		    atomic_load(&c->go) == 0)
			proc_set(&c->go);
	}
}

int proc_fork_at(const char *name, void (*body)(long arg), long arg,
		 int line)
{
	struct thr *self = rt_self();
	if (!self || !self->proc)
		rt_die("proc_fork: only a process of the lesson may fork");
	if (rt.mode == RT_STEP)
		rt_park(OP_FORK, NULL, line);
	struct thr *c = proc_add(name, body, arg, self->id);
	struct event *e = rt_ev(OP_FORK, NULL, line);
	e->flags = EV_STEP;
	e->other = (int16_t)c->id;
	rt_commit(e);
	pipe_fork(self->id, c->id);
	shm_fork();
	if (rt.mode == RT_FREE) {
		c->clock = self->clock; /* its start comes after this */
		c->gated = !rt_tls_past;
		self->gated_children |= c->gated;
	}
	proc_spawn(c);
	if (rt.mode == RT_STEP)
		proc_run(c);
	return c->id;
}

/* waitpid() for t, the way a shell reports it: 128 + signal if killed. */
static int proc_waitpid(struct thr *t)
{
	int status;
	pid_t r;
	while ((r = waitpid(t->pid, &status, __WALL)) < 0 && errno == EINTR)
		;
	if (r < 0)
		rt_die("waitpid(P%d): %s", t->id, strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + WTERMSIG(status);
}

int proc_join_at(int id, int line)
{
	struct thr *self = rt_self();
	if (!self || !self->proc)
		rt_die("proc_join: only a process of the lesson may join");
	if (id < 1 || id > rt.nthreads || rt.threads[id].parent != self->id)
		rt_die("proc_join(%d): P%d can only wait for its own "
		       "children", id, self->id);
	struct thr *c = &rt.threads[id];
	if (c->joined)
		rt_die("proc_join(%d): P%d was waited for already", id, id);
	proc_release(self);
	if (rt.mode == RT_STEP) {
		self->pending.target = id;
		rt_park(OP_JOIN, NULL, line);
	} else {
		atomic_store_explicit(&self->joining, id, memory_order_relaxed);
		watch_begin();
	}
	int status = proc_waitpid(c);
	c->joined = true;
	c->exit_status = status;
	if (rt.mode == RT_FREE) {
		watch_end();
		atomic_store_explicit(&self->joining, 0, memory_order_relaxed);
		if (c->clock > self->clock)
			self->clock = c->clock; /* its exit comes first */
	}
	struct event *e = rt_ev(OP_JOIN, NULL, line);
	e->flags = EV_STEP;
	e->other = (int16_t)id;
	e->a = status;
	rt_commit(e);
	return status;
}

bool proc_alive_at(int id, int line)
{
	if (id < 1 || id > rt.nthreads || !rt.threads[id].proc)
		rt_die("proc_alive(%d): there is no P%d", id, id);
	if (rt.mode == RT_STEP)
		rt_park(OP_ALIVE, NULL, line);
	struct event *e = rt_ev(OP_ALIVE, NULL, line);
	e->flags = EV_STEP;
	e->other = (int16_t)id;
	e->a = rt.threads[id].state != THR_DONE;
	rt_commit(e);
	return e->a;
}

bool proc_join_ends(const struct thr *t)
{
	int c = atomic_load_explicit(&t->joining, memory_order_relaxed);
	return c > 0 && rt.threads[c].state == THR_DONE;
}

void proc_check_crash(void)
{
	for (int i = 1; i <= rt.nthreads; i++) {
		const struct thr *t = &rt.threads[i];
		if (t->state == THR_LIVE && proc_gone(t) &&
		    t->state == THR_LIVE)
			rt_die("P%d (%s) ended before it finished: it crashed "
			       "or was killed", t->id, t->name);
	}
}

/* --- the end of a run --- */

/*
 * Kill the run's processes and reap every one: parents first, so that
 * when a child's turn comes its parent is gone and it is ours.  Only
 * async-signal-safe calls: this also runs from a signal handler.
 */
static void proc_kill_reap(void)
{
	if (rt.pgid > 0)
		kill(-rt.pgid, SIGKILL);
	for (int i = 1; i <= rt.nthreads; i++) {
		struct thr *t = &rt.threads[i];
		if (!t->proc || t->pid <= 0 || t->joined)
			continue;
		while (waitpid(t->pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		t->joined = true;
	}
	rt.pgid = 0;
}

void proc_stop(void)
{
	if (rt.procs && getpid() == rt.runtime_pid)
		proc_kill_reap();
}

void proc_end(void)
{
	if (rt.procs && getpid() == rt.runtime_pid) {
		proc_kill_reap();
		shm_reap(); /* nobody can make one any more */
	}
}

static void proc_atexit(void)
{
	proc_end();
}

static void proc_on_signal(int sig)
{
	proc_end();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A signal that would end the runtime ends the run's processes first;
 * whoever handles it already (the viewer, the explorer) ends the run. */
void proc_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old, sa = { .sa_handler = proc_on_signal };
		sigaction(sigs[i], NULL, &old);
		if (old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

bool proc_ready(const struct thr *t)
{
	return rt.threads[t->pending.target].state == THR_DONE;
}

