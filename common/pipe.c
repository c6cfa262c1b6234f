/*
 * pipe.c: pipes between processes, real in both modes.
 *
 * A pipe is a real pipe(2), made in setup() by the runtime process, so
 * that P1 and every process it forks inherit both ends; write(), read()
 * and close() are the real calls on the real descriptors in both modes.
 * The runtime closes its own copies once it has forked P1: a reader sees
 * end of file only when no process at all holds the write end.
 *
 * Step mode must never grant an operation that would block, so it keeps
 * a model of what the kernel knows (struct pipe, in the shared books):
 * the bytes the pipe buffers and, per end, a bit for each process that
 * holds it open.  A fork copies the parent's bits to the child, a close
 * clears the closer's, and an exit clears all of the process's before it
 * hands the baton back (its descriptors are closed then too, so that the
 * kernel agrees the moment the runtime looks).  Then:
 *
 *   a read is ready  iff bytes are buffered, or nobody holds the write
 *                    end (the read returns 0: end of file);
 *   a write is ready iff it fits (capacity - buffered >= its length), or
 *                    nobody holds the read end (it fails with EPIPE).
 *
 * A message is one write() of at most PIPE_BUF bytes, which the kernel
 * writes all at once, so a message is one step.  Lesson processes ignore
 * SIGPIPE (proc.c), so a write nobody can read fails and is reported
 * instead of killing the writer.  Using an end the process has closed
 * (closing it twice, reading or writing it) is refused with EBADF and
 * reported, before any system call could touch a reused descriptor.
 *
 * Free mode makes the pipe hold at least `capacity` bytes (F_SETPIPE_SZ
 * rounds up to a page) and lets the kernel block; a blocked read or
 * write is an open-ended wait for the deadlock watch (watch.c), which
 * kills the run's processes if nothing can ever wake them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pipe.h"
#include "watch.h"

/* The real pipe holds at least what the lesson asked for (a page at
 * least: the kernel rounds up), so step mode's model never counts bytes
 * the kernel would not take, and free mode's writer blocks near where
 * the lesson said. */
static void pipe_size(struct pipe *p)
{
	if (fcntl(p->fd[PIPE_WRITE_END], F_SETPIPE_SZ, (int)p->capacity) < 0)
		rt_die("pipe %s: cannot hold %ld bytes (F_SETPIPE_SZ: %s)",
		       p->o.name, p->capacity, strerror(errno));
}

struct pipe *pipe_new(const char *name, long capacity)
{
	if (!rt.procs)
		rt_die("pipe_new: lesson %s runs variant %s on threads",
		       rt.cfg->lesson->name,
		       rt.cfg->lesson->variants[rt.cfg->variant].name);
	if (capacity < 1 || capacity > INT_MAX)
		rt_die("pipe %s: capacity %ld out of range", name, capacity);
	struct pipe *p = rt_alloc_obj(sizeof(*p));
	rt_add_obj(&p->o, OBJ_PIPE, name, &p->clock);
	if (pipe(p->fd) != 0)
		rt_die("pipe: %s", strerror(errno));
	p->runtime_open = true;
	p->capacity = capacity;
	pipe_size(p);
	/* P1, forked when the run starts, holds both ends. */
	atomic_store(&p->holders[PIPE_READ_END], 1);
	atomic_store(&p->holders[PIPE_WRITE_END], 1);
	return p;
}

static uint64_t pipe_bit(const struct thr *t)
{
	return 1ull << (t->id - 1);
}

static bool pipe_holds(const struct pipe *p, int end, const struct thr *t)
{
	return (atomic_load(&p->holders[end]) & pipe_bit(t)) != 0;
}

static struct pipe *pipe_of(struct obj *o)
{
	return (struct pipe *)o;
}

/* --- the model, for sched.c --- */

bool pipe_ready(const struct thr *t)
{
	const struct pipe *p = (const struct pipe *)t->pending.obj;
	bool write = t->pending.op == OP_PIPE_WRITE;
	int end = write ? PIPE_WRITE_END : PIPE_READ_END;
	if (!pipe_holds(p, end, t))
		return true; /* refused at once: EBADF */
	if (write)
		return p->capacity - p->buffered >= t->want ||
		       atomic_load(&p->holders[PIPE_READ_END]) == 0;
	return p->buffered > 0 ||
	       atomic_load(&p->holders[PIPE_WRITE_END]) == 0;
}

/* "P3 itself", "P1 and P3", "P2, P3 and P4": who holds an end open.
 * Returns how many, for the verb. */
static int pipe_who(uint64_t mask, const struct thr *self, char *buf,
		    size_t size)
{
	int n = __builtin_popcountll(mask), seen = 0;
	size_t len = 0;
	buf[0] = '\0';
	for (int id = 1; id <= rt.nthreads && len < size; id++) {
		if (!(mask & (1ull << (id - 1))))
			continue;
		seen++;
		const char *sep = seen == 1 ? "" : seen == n ? " and " : ", ";
		len += (size_t)snprintf(buf + len, size - len, "%sP%d%s", sep,
					id, id == self->id && n == 1
						    ? " itself" : "");
	}
	return n;
}

char *pipe_why(const struct thr *t, char *buf, size_t size)
{
	const struct pipe *p = (const struct pipe *)t->pending.obj;
	char who[96];
	if (t->pending.op == OP_PIPE_WRITE) {
		int n = pipe_who(atomic_load(&p->holders[PIPE_READ_END]), t,
				 who, sizeof(who));
		snprintf(buf, size, "waits to write %ld bytes to pipe %s "
			 "(%ld of %ld bytes full), whose read end %s %s open",
			 t->want, p->o.name, p->buffered, p->capacity, who,
			 n == 1 ? "holds" : "hold");
		return buf;
	}
	int n = pipe_who(atomic_load(&p->holders[PIPE_WRITE_END]), t, who,
			 sizeof(who));
	snprintf(buf, size, "waits to read pipe %s (empty), whose write end "
		 "%s still %s open", p->o.name, who, n == 1 ? "holds" : "hold");
	return buf;
}

/* --- the life of the ends --- */

void pipe_fork(int parent, int child)
{
	uint64_t from = 1ull << (parent - 1), to = 1ull << (child - 1);
	for (int i = 0; i < rt.nobjs; i++) {
		if (rt.objs[i]->kind != OBJ_PIPE)
			continue;
		struct pipe *p = pipe_of(rt.objs[i]);
		for (int end = 0; end < 2; end++)
			if (atomic_load(&p->holders[end]) & from)
				atomic_fetch_or(&p->holders[end], to);
	}
}

void pipe_exit(struct thr *t)
{
	for (int i = 0; i < rt.nobjs; i++) {
		if (rt.objs[i]->kind != OBJ_PIPE)
			continue;
		struct pipe *p = pipe_of(rt.objs[i]);
		for (int end = 0; end < 2; end++)
			if (pipe_holds(p, end, t)) {
				close(p->fd[end]);
				atomic_fetch_and(&p->holders[end],
						 ~pipe_bit(t));
			}
	}
}

void pipe_runtime_close(void)
{
	for (int i = 0; i < rt.nobjs; i++)
		if (rt.objs[i]->kind == OBJ_PIPE)
			pipe_destroy(pipe_of(rt.objs[i]));
}

void pipe_destroy(struct pipe *p)
{
	if (!p->runtime_open)
		return;
	close(p->fd[PIPE_READ_END]);
	close(p->fd[PIPE_WRITE_END]);
	p->runtime_open = false;
}

/* --- the operations --- */

static struct thr *pipe_self(const char *what)
{
	struct thr *self = rt_self();
	if (!self || !self->proc)
		rt_die("%s: only a process of the lesson may use a pipe",
		       what);
	return self;
}

/* An event for p, its capacity in `lost` (the viewer draws the buffer). */
static struct event *pipe_ev(enum event_op op, struct pipe *p, int line)
{
	struct event *e = rt_ev(op, &p->o, line);
	e->flags = EV_STEP;
	e->lost = (int32_t)p->capacity;
	e->b = rt.mode == RT_STEP ? p->buffered : -1;
	return e;
}

/* The end is not the process's (any more): refused, reported. */
static long pipe_refuse(struct event *e, long a)
{
	e->flags |= EV_MISUSE;
	e->a = a;
	e->b = EBADF;
	rt_commit(e);
	errno = EBADF;
	return -1;
}

static long pipe_write_free(struct pipe *p, const void *msg, long len,
			    struct event *e)
{
	/* Committed first, so that the read that gets these bytes sorts
	 * after it; it is filled in after (a ring slot, read after the run,
	 * or the scratch slot). */
	e->a = len;
	rt_commit(e);
	ssize_t n;
	watch_begin();
	while ((n = write(p->fd[PIPE_WRITE_END], msg, (size_t)len)) < 0 &&
	       errno == EINTR)
		;
	watch_end();
	if (n < 0 && errno != EPIPE)
		rt_die("write to pipe %s: %s", p->o.name, strerror(errno));
	e->a = n < 0 ? -1 : n;
	return n;
}

long pipe_write_at(struct pipe *p, const void *msg, long len, int line)
{
	struct thr *self = pipe_self("pipe_write");
	if (len < 1 || len > PIPE_BUF || len > p->capacity)
		rt_die("pipe_write: %ld bytes: a message is 1 to %ld bytes "
		       "on pipe %s", len, p->capacity < PIPE_BUF
		       ? p->capacity : (long)PIPE_BUF, p->o.name);
	if (rt.mode == RT_STEP) {
		self->want = len;
		rt_park(OP_PIPE_WRITE, &p->o, line);
	}
	struct event *e = pipe_ev(OP_PIPE_WRITE, p, line);
	if (!pipe_holds(p, PIPE_WRITE_END, self))
		return pipe_refuse(e, -1);
	ssize_t n;
	if (rt.mode == RT_FREE) {
		n = pipe_write_free(p, msg, len, e);
	} else {
		/* sched.c granted it: it fits, or nobody reads (EPIPE) */
		n = write(p->fd[PIPE_WRITE_END], msg, (size_t)len);
		if ((n < 0) != (atomic_load(&p->holders[PIPE_READ_END]) == 0))
			rt_die("pipe %s: the kernel and the model disagree",
			       p->o.name);
		p->buffered += n > 0 ? n : 0;
		e->a = n < 0 ? -1 : n;
		e->b = p->buffered;
		rt_commit(e);
	}
	if (n < 0) {
		errno = EPIPE;
		return -1;
	}
	atomic_fetch_add(&p->written, n);
	atomic_fetch_add(&p->messages, 1);
	return n;
}

long pipe_read_at(struct pipe *p, void *buf, long size, int line)
{
	struct thr *self = pipe_self("pipe_read");
	if (size < 1)
		rt_die("pipe_read: a buffer of %ld bytes", size);
	if (rt.mode == RT_STEP)
		rt_park(OP_PIPE_READ, &p->o, line);
	if (!pipe_holds(p, PIPE_READ_END, self))
		return pipe_refuse(pipe_ev(OP_PIPE_READ, p, line), -1);
	ssize_t n;
	if (rt.mode == RT_FREE)
		watch_begin();
	while ((n = read(p->fd[PIPE_READ_END], buf, (size_t)size)) < 0 &&
	       errno == EINTR)
		;
	if (rt.mode == RT_FREE)
		watch_end();
	if (n < 0)
		rt_die("read from pipe %s: %s", p->o.name, strerror(errno));
	if (rt.mode == RT_STEP) {
		long want = p->buffered < size ? p->buffered : size;
		if (n != want)
			rt_die("pipe %s: the kernel and the model disagree",
			       p->o.name);
		p->buffered -= n;
	}
	atomic_fetch_add(&p->got, n);
	struct event *e = pipe_ev(OP_PIPE_READ, p, line);
	e->a = n;
	rt_commit(e);
	return n;
}

/*
 * After a close of a write end: if the one process left holding it holds
 * the read end too, it is the reader that can never see end of file
 * while it keeps its own copy.  Its id (narrated), else 0.
 */
static int pipe_last_writer_reads(const struct pipe *p, uint64_t left)
{
	if (left == 0 || (left & (left - 1)) != 0 ||
	    !(atomic_load(&p->holders[PIPE_READ_END]) & left))
		return 0;
	return __builtin_ctzll(left) + 1;
}

int pipe_close_at(struct pipe *p, int end, int line)
{
	struct thr *self = pipe_self("pipe_close");
	if (end != PIPE_READ_END && end != PIPE_WRITE_END)
		rt_die("pipe_close: no end %d", end);
	if (rt.mode == RT_STEP)
		rt_park(OP_PIPE_CLOSE, &p->o, line);
	struct event *e = pipe_ev(OP_PIPE_CLOSE, p, line);
	if (!pipe_holds(p, end, self))
		return (int)pipe_refuse(e, end); /* a: which end, even so */
	e->a = end;
	close(p->fd[end]);
	uint64_t left = atomic_fetch_and(&p->holders[end], ~pipe_bit(self)) &
			~pipe_bit(self);
	if (end == PIPE_WRITE_END)
		e->other = (int16_t)pipe_last_writer_reads(p, left);
	rt_commit(e);
	return 0;
}

long pipe_sent(const struct pipe *p)
{
	return atomic_load(&p->written);
}

long pipe_received(const struct pipe *p)
{
	return atomic_load(&p->got);
}

long pipe_messages(const struct pipe *p)
{
	return atomic_load(&p->messages);
}
