/*
 * event.c: events as text, for --plain and for the viewer's log.
 *
 * One line per event: the step (or "-" for an event that is not a step),
 * the thread, the operation and what it did, the lesson line.  What the
 * runtime noticed about the event (a lost update, a refused misuse) is a
 * separate sentence, the narration, so the viewer can put it where a
 * person will read it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "event.h"

static const char *const event_op_names[OP_COUNT] = {
	[OP_START] = "start",         [OP_EXIT] = "exit",
	[OP_LOAD] = "load",           [OP_STORE] = "store",
	[OP_ADD] = "atomic-add",      [OP_LOCK] = "lock",
	[OP_UNLOCK] = "unlock",       [OP_SEM_WAIT] = "sem-wait",
	[OP_SEM_POST] = "sem-post",   [OP_COND_WAIT] = "cond-wait",
	[OP_COND_WAKE] = "cond-wake", [OP_SIGNAL] = "signal",
	[OP_BROADCAST] = "broadcast", [OP_ARRIVE] = "arrive",
	[OP_ACTION] = "action",       [OP_LEAVE] = "leave",
	[OP_DEADLOCK] = "deadlock",   [OP_WORK] = "work",
	[OP_NOTE] = "note",           [OP_FORK] = "fork",
	[OP_JOIN] = "join",           [OP_ALIVE] = "is-alive",
	[OP_PIPE_WRITE] = "write",    [OP_PIPE_READ] = "read",
	[OP_PIPE_CLOSE] = "close",
	[OP_TRYLOCK] = "trylock",
	[OP_FLAG_SET] = "flag-set",   [OP_FLAG_CLEAR] = "flag-clear",
	[OP_FLAG_IS_SET] = "is-set",  [OP_FLAG_WAIT] = "flag-wait",
	[OP_FLAG_WAKE] = "flag-wake", [OP_SLEEP] = "sleep",
	[OP_CLOCK] = "clock",         [OP_SLEPT] = "slept",
	[OP_SHM_CREATE] = "shm-create", [OP_SHM_SIZE] = "shm-size",
	[OP_SHM_ATTACH] = "shm-attach", [OP_SHM_LOAD] = "shm-load",
	[OP_SHM_STORE] = "shm-store",   [OP_SHM_CLOSE] = "shm-close",
	[OP_SHM_UNLINK] = "shm-unlink",
};

/* What a thread number is written after: T1, or P1 for a process. */
#define U (n->unit ? n->unit() : 'T')

const char *event_op_name(enum event_op op)
{
	return op < OP_COUNT ? event_op_names[op] : "?";
}

static const char *const event_ends[] = { "read end", "write end" };

/* A pipe operation: "p: 8 bytes (8 of 16 buffered)", "p -> end of file". */
static void event_pipe(const struct event *e, const char *o, char *buf,
		       size_t size)
{
	char fill[48] = "";
	if (e->b >= 0)
		snprintf(fill, sizeof(fill), " (%ld of %d buffered)", e->b,
			 e->lost);
	if (e->op == OP_PIPE_CLOSE)
		snprintf(buf, size, "%s %s%s", o, event_ends[e->a != 0],
			 e->flags & EV_MISUSE ? ": refused (EBADF)" : "");
	else if (e->flags & EV_MISUSE)
		snprintf(buf, size, "%s: refused (EBADF)", o);
	else if (e->op == OP_PIPE_WRITE && e->a < 0)
		snprintf(buf, size, "%s: EPIPE, no reader", o);
	else if (e->op == OP_PIPE_WRITE)
		snprintf(buf, size, "%s: %ld bytes%s", o, e->a, fill);
	else if (e->a == 0)
		snprintf(buf, size, "%s -> end of file", o);
	else
		snprintf(buf, size, "%s -> %ld bytes%s", o, e->a, fill);
}

/* A flag's operation (flag.c): "ready: up (wakes 2)". */
static void event_flag(const struct event *e, const char *o, char *buf,
		       size_t size)
{
	switch ((enum event_op)e->op) {
	case OP_FLAG_SET:
		if (e->a)
			snprintf(buf, size, "%s: up already", o);
		else
			snprintf(buf, size, "%s: up (wakes %ld)", o, e->b);
		break;
	case OP_FLAG_CLEAR:
		snprintf(buf, size, "%s: %s", o, e->a ? "down" : "down already");
		break;
	case OP_FLAG_IS_SET:
		snprintf(buf, size, "%s -> %s", o, e->a ? "up" : "down");
		break;
	case OP_FLAG_WAIT:
		if (e->a)
			snprintf(buf, size, "%s: up, goes on", o);
		else if (e->b < 0)
			snprintf(buf, size, "%s: down, waits", o);
		else if (e->lost > 0)
			snprintf(buf, size, "%s: down, waits %ld, until t=%d",
				 o, e->b, e->lost);
		else
			snprintf(buf, size, "%s: down, waits %ld ms", o, e->b);
		break;
	default: /* OP_FLAG_WAKE */
		snprintf(buf, size, "%s: %s", o, e->a ? "set -> true"
						     : "timed out -> false");
	}
}

/* A use of another thread's copy of a thread-local variable. */
static void event_local(const struct event *e, const struct event_names *n,
			char *buf, size_t size)
{
	const char *o = n->object(e->obj);
	if ((e->flags & EV_MISUSE) && e->op == OP_LOAD)
		snprintf(buf, size, "%s of %c%d: gone, refused -> %ld", o, U,
			 e->other, e->a);
	else if (e->flags & EV_MISUSE)
		snprintf(buf, size, "%s of %c%d: gone, refused", o, U,
			 e->other);
	else if (e->op == OP_LOAD)
		snprintf(buf, size, "%s of %c%d -> %ld", o, U, e->other, e->a);
	else
		snprintf(buf, size, "%s of %c%d = %ld (was %ld)", o, U,
			 e->other, e->a, e->b);
}

/* The operations of a segment (shm.c) are the last block of the list. */
static bool event_is_shm(const struct event *e)
{
	return e->op >= OP_SHM_CREATE && e->op <= OP_SHM_UNLINK;
}

static const char *event_errno(long err)
{
	switch (err) {
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	default: return "EBADF";
	}
}

/* A segment operation: "/m[1][2] = 201 (was 0)", "/m: 48 bytes". */
static void event_shm(const struct event *e, const char *o, char *buf,
		      size_t size)
{
	int r = SHM_ROW(e->lost), c = SHM_COL(e->lost);
	if (e->flags & EV_MISUSE)
		snprintf(buf, size, "%s: refused (%s)", o, event_errno(e->b));
	else if (e->op == OP_SHM_LOAD)
		snprintf(buf, size, "%s[%d][%d] -> %ld", o, r, c, e->a);
	else if (e->op == OP_SHM_STORE)
		snprintf(buf, size, "%s[%d][%d] = %ld (was %ld)", o, r, c,
			 e->a, e->b);
	else if (e->op == OP_SHM_SIZE || e->op == OP_SHM_ATTACH)
		snprintf(buf, size, "%s: %ld bytes, mapped", o, e->a);
	else
		snprintf(buf, size, "%s", o);
}

/* What the operation did, after its name: "balance = 101 (was 100)". */
static void event_detail(const struct event *e, const struct event_names *n,
			 char *buf, size_t size)
{
	const char *o = n->object(e->obj);
	bool misuse = e->flags & EV_MISUSE;
	if ((e->flags & EV_LOCAL) && e->other != e->thread) {
		event_local(e, n, buf, size);
		return;
	}
	switch ((enum event_op)e->op) {
	case OP_LOAD:
		snprintf(buf, size, "%s -> %ld", o, e->a);
		break;
	case OP_STORE:
	case OP_ADD:
		snprintf(buf, size, "%s = %ld (was %ld)", o, e->a, e->b);
		break;
	case OP_LOCK:
	case OP_UNLOCK:
		if (misuse)
			snprintf(buf, size, "%s: refused (%s)", o,
				 e->b == EDEADLK ? "EDEADLK" : "EPERM");
		else if (e->a > 1 || (e->op == OP_UNLOCK && e->a > 0))
			snprintf(buf, size, "%s (depth %ld)", o, e->a);
		else
			snprintf(buf, size, "%s", o);
		break;
	case OP_TRYLOCK:
		if (e->b && e->other)
			snprintf(buf, size, "%s: busy, held by %c%d", o, U,
				 e->other);
		else if (e->b)
			snprintf(buf, size, "%s: busy", o);
		else if (e->a > 1)
			snprintf(buf, size, "%s (depth %ld)", o, e->a);
		else
			snprintf(buf, size, "%s", o);
		break;
	case OP_SEM_WAIT:
		if (e->b == ETIMEDOUT) {
			snprintf(buf, size, "%s: timed out, count %ld, took "
				 "nothing", o, e->a);
			break;
		}
		/* fall through */
	case OP_SEM_POST:
		snprintf(buf, size, misuse ? "%s: refused, count stays %ld"
					   : "%s -> count %ld", o, e->a);
		break;
	case OP_COND_WAIT:
		if (!misuse && e->a && e->lost > 0)
			snprintf(buf, size, "%s (releases %s), waits %ld, until "
				 "t=%d", o, n->object(e->obj2), e->b, e->lost);
		else if (!misuse && e->a)
			snprintf(buf, size, "%s (releases %s), waits %ld ms", o,
				 n->object(e->obj2), e->b);
		else
			snprintf(buf, size, misuse ? "%s: refused (EPERM)"
						   : "%s (releases %s)", o,
				 n->object(e->obj2));
		break;
	case OP_COND_WAKE:
		snprintf(buf, size, e->a ? "%s: timed out (holds %s again)"
					 : "%s (holds %s again)", o,
			 n->object(e->obj2));
		break;
	case OP_SIGNAL:
		if (e->other)
			snprintf(buf, size, "%s (wakes %c%d)", o, U, e->other);
		else
			snprintf(buf, size, "%s", o);
		break;
	case OP_BROADCAST:
		snprintf(buf, size, "%s (wakes %ld)", o, e->a);
		break;
	case OP_ARRIVE:
		if (e->b)
			snprintf(buf, size, "%s: broken, no waiting", o);
		else
			snprintf(buf, size, "%s (%ld of %d)", o, e->a, e->lost);
		break;
	case OP_LEAVE:
		if (e->b)
			snprintf(buf, size, "%s: %s", o, e->b == ETIMEDOUT
							 ? "timed out, broken"
							 : "broken");
		else
			snprintf(buf, size, "%s (round %ld)", o, e->a);
		break;
	case OP_ACTION:
		snprintf(buf, size, "%s (round %ld)", o, e->a);
		break;
	case OP_WORK:
		snprintf(buf, size, "(%ld left)", e->a);
		break;
	case OP_FORK:
		snprintf(buf, size, "%c%d %s", U, e->other,
			 n->thread(e->other));
		break;
	case OP_JOIN:
		snprintf(buf, size, "%c%d (exit status %ld)", U, e->other,
			 e->a);
		break;
	case OP_ALIVE:
		snprintf(buf, size, "%c%d -> %s", U, e->other,
			 e->a ? "yes" : "no");
		break;
	case OP_PIPE_WRITE:
	case OP_PIPE_READ:
	case OP_PIPE_CLOSE:
		event_pipe(e, o, buf, size);
		break;
	case OP_FLAG_SET:
	case OP_FLAG_CLEAR:
	case OP_FLAG_IS_SET:
	case OP_FLAG_WAIT:
	case OP_FLAG_WAKE:
		event_flag(e, o, buf, size);
		break;
	case OP_SLEEP:
		if (e->b >= 0)
			snprintf(buf, size, "%ld, until t=%ld", e->a, e->b);
		else
			snprintf(buf, size, "%ld ms", e->a);
		break;
	case OP_SLEPT:
		if (e->a >= 0)
			snprintf(buf, size, "wakes at t=%ld", e->a);
		else
			buf[0] = '\0';
		break;
	case OP_CLOCK:
		snprintf(buf, size, "t=%ld (was t=%ld)", e->a, e->b);
		break;
	default:
		if (event_is_shm(e))
			event_shm(e, o, buf, size);
		else
			buf[0] = '\0';
	}
}

char *event_format(const struct event *e, const struct event_names *n,
		   char *buf, size_t size)
{
	char step[24], who[48], detail[128];
	if (e->step)
		snprintf(step, sizeof(step), "%llu",
			 (unsigned long long)e->step);
	else
		snprintf(step, sizeof(step), "-");
	if (e->thread > 0)
		snprintf(who, sizeof(who), "%c%d %s", U, e->thread,
			 n->thread(e->thread));
	else
		snprintf(who, sizeof(who), "--");
	event_detail(e, n, detail, sizeof(detail));
	int len = snprintf(buf, size, "%6s  %-14s %-10s %s", step, who,
			   event_op_name((enum event_op)e->op), detail);
	if (e->line > 0 && len > 0 && (size_t)len < size)
		snprintf(buf + len, size - (size_t)len, "%*sline %d",
			 len < 58 ? 58 - len : 1, "", e->line);
	size_t end = strlen(buf);
	while (end > 0 && buf[end - 1] == ' ')
		buf[--end] = '\0';
	return buf;
}

/* A segment operation refused: what the process did wrong. */
static void event_shm_misuse(const struct event *e,
			     const struct event_names *n, char *buf,
			     size_t size)
{
	const char *o = n->object(e->obj);
	int k = snprintf(buf, size, "%c%d ", U, e->thread);
	if (k < 0 || (size_t)k >= size)
		return;
	buf += k;
	size -= (size_t)k;
	if (e->op == OP_SHM_ATTACH && e->b == ENOENT)
		snprintf(buf, size, "attached to segment %s, but no segment "
			 "has that name (not created yet, or unlinked): "
			 "refused with ENOENT", o);
	else if (e->op == OP_SHM_ATTACH)
		snprintf(buf, size, "attached to segment %s before its "
			 "creator sized it (%ld bytes): refused with EINVAL",
			 o, e->a);
	else if (e->op == OP_SHM_CREATE)
		snprintf(buf, size, "created segment %s, which exists "
			 "already: refused with %s", o, event_errno(e->b));
	else if (e->op == OP_SHM_SIZE)
		snprintf(buf, size, "sized segment %s, which it did not "
			 "create: refused with EBADF", o);
	else if (e->op == OP_SHM_UNLINK)
		snprintf(buf, size, "unlinked segment %s, which is not there "
			 "(any more): refused with ENOENT", o);
	else
		snprintf(buf, size, "used segment %s without a mapping "
			 "(never attached, or closed): refused with EBADF", o);
}

static void event_misuse(const struct event *e, const struct event_names *n,
			 char *buf, size_t size)
{
	const char *o = n->object(e->obj);
	switch ((enum event_op)e->op) {
	case OP_LOCK:
		snprintf(buf, size, "%c%d locked mutex %s, which it already "
			 "holds: refused with EDEADLK", U, e->thread, o);
		break;
	case OP_UNLOCK:
		if (e->other)
			snprintf(buf, size, "%c%d unlocked mutex %s, but %c%d "
				 "holds it: refused with EPERM", U, e->thread, o, U,
				 e->other);
		else
			snprintf(buf, size, "%c%d unlocked mutex %s, which "
				 "nobody holds: refused with EPERM", U, e->thread,
				 o);
		break;
	case OP_SEM_POST:
		snprintf(buf, size, "%c%d gave back a permit of %s that it does "
			 "not hold: refused (a plain semaphore would take it "
			 "and have one permit too many, for good)", U, e->thread,
			 o);
		break;
	case OP_COND_WAIT:
		snprintf(buf, size, "%c%d waited on %s without holding %s: "
			 "refused with EPERM", U, e->thread, o,
			 n->object(e->obj2));
		break;
	case OP_PIPE_CLOSE:
		snprintf(buf, size, "%c%d closed the %s of pipe %s, which it "
			 "had closed already: refused with EBADF", U, e->thread,
			 event_ends[e->a != 0], o);
		break;
	case OP_LOAD:
	case OP_STORE:
	case OP_ADD:
		snprintf(buf, size, "%c%d %s %c%d's copy of %s, but %c%d has "
			 "finished, and its thread-local data with it: refused "
			 "(the memory still held %ld, and a real program may "
			 "read that, by accident)", U, e->thread,
			 e->op == OP_LOAD ? "read" : "wrote", U, e->other, o, U,
			 e->other, e->b);
		break;
	case OP_PIPE_READ:
	case OP_PIPE_WRITE:
		snprintf(buf, size, "%c%d %s pipe %s after closing its %s: "
			 "refused with EBADF", U, e->thread,
			 e->op == OP_PIPE_READ ? "read from" : "wrote to", o,
			 event_ends[e->op == OP_PIPE_WRITE]);
		break;
	default:
		if (event_is_shm(e))
			event_shm_misuse(e, n, buf, size);
		else
			snprintf(buf, size, "%c%d misused %s", U, e->thread,
				 o);
	}
}

/*
 * Updates lost for good (lost.c): usually on the store that buries them,
 * with the overwritten store first; now and then on a load or an exit that
 * drops the last read still carrying one.
 */
static void event_lost(const struct event *e, const struct event_names *n,
		       char *buf, size_t size)
{
	char what[96];
	if (e->lost == 1)
		snprintf(what, sizeof(what), "%c%d's %s is lost", U, e->other,
			 n->thread(e->other));
	else if (e->lost == 2)
		snprintf(what, sizeof(what), "2 updates are lost, %c%d's %ld "
			 "and the one it was built on", U, e->other, e->b);
	else
		snprintf(what, sizeof(what), "%d updates are lost, %c%d's %ld "
			 "and the %d it was built on", e->lost, U, e->other, e->b,
			 e->lost - 1);
	if (e->op == OP_STORE || e->op == OP_ADD)
		snprintf(buf, size, "lost update: %c%d wrote %ld over %c%d's %ld: "
			 "%s", U, e->thread, e->a, U, e->other, e->b, what);
	else
		snprintf(buf, size, "lost update: %c%d %s its read of %c%d's %ld, "
			 "which %s had overwritten: %s", U, e->thread,
			 e->op == OP_LOAD ? "replaced" : "finished without using", U,
			 e->other, e->b, n->object(e->obj), what);
}

char *event_narrate(const struct event *e, const struct event_names *n,
		    char *buf, size_t size)
{
	buf[0] = '\0';
	if (e->flags & EV_LOST) {
		event_lost(e, n, buf, size);
	} else if (e->flags & EV_STALE) {
		snprintf(buf, size, "%c%d read %ld before %c%d wrote %ld: one of "
			 "these updates will be lost", U, e->other, e->b, U,
			 e->thread, e->a);
	} else if (e->flags & EV_PRIVATE) {
		snprintf(buf, size, "%c%d read its own copy of %s: %ld; %c%d's "
			 "copy holds %ld: after fork, each process has its own "
			 "memory", U, e->thread, n->object(e->obj), e->a, U,
			 e->other, e->b);
	} else if (e->flags & EV_OVERWRITE) {
		if (e->a)
			snprintf(buf, size, "%c%d wrote item %ld over item %ld in "
				 "%s, which nobody took: item %ld is lost", U,
				 e->thread, e->a, e->b, n->object(e->obj),
				 e->b);
		else
			snprintf(buf, size, "%c%d emptied %s over item %ld, "
				 "which nobody took: item %ld is lost", U,
				 e->thread, n->object(e->obj), e->b, e->b);
	} else if (e->op == OP_NOTE && n->note && n->note((int)e->b)) {
		/* the sentence takes the value, and may name another thread */
		int k = snprintf(buf, size, "%c%d ", U, e->thread);
		if (k > 0 && (size_t)k < size)
			snprintf(buf + k, size - (size_t)k, n->note((int)e->b),
				 e->a, (int)e->other);
	} else if (e->flags & EV_MISUSE) {
		event_misuse(e, n, buf, size);
	} else if (e->op == OP_PIPE_WRITE && e->a < 0) {
		snprintf(buf, size, "%c%d wrote to pipe %s, which no process "
			 "can read any more (every read end is closed): EPIPE",
			 U, e->thread, n->object(e->obj));
	} else if (e->op == OP_PIPE_CLOSE && e->other) {
		snprintf(buf, size, "%c%d closed its write end of pipe %s, but "
			 "%c%d still holds one: %c%d will not see end of file "
			 "while it does", U, e->thread, n->object(e->obj), U,
			 e->other, U, e->other);
	} else if (e->op == OP_CLOCK) {
		snprintf(buf, size, "nothing can run before a deadline: the "
			 "clock jumps from t=%ld to t=%ld", e->b, e->a);
	} else if (e->op == OP_FLAG_WAKE && !e->a) {
		snprintf(buf, size, "%c%d's wait for flag %s timed out: it "
			 "returns false", U, e->thread, n->object(e->obj));
	} else if (e->op == OP_EXIT && e->obj2 >= 0) {
		snprintf(buf, size, "%c%d, the last process, ends, and nobody "
			 "unlinked segment %s: its name keeps it in /dev/shm "
			 "after every process is gone", U, e->thread,
			 n->object(e->obj2));
	} else if (e->op == OP_DEADLOCK) {
		snprintf(buf, size, "deadlock: every live %s is blocked",
			 event_unit_word(U));
	} else if (e->op == OP_LEAVE && e->b == ETIMEDOUT) {
		snprintf(buf, size, "%c%d gave up waiting at %s: the barrier is "
			 "broken, for everyone waiting and everyone to come", U,
			 e->thread, n->object(e->obj));
	} else if ((e->op == OP_LEAVE || e->op == OP_ARRIVE) && e->b) {
		snprintf(buf, size, "%c%d is told that barrier %s is broken", U,
			 e->thread, n->object(e->obj));
	} else if (e->op == OP_ACTION) {
		snprintf(buf, size, "%c%d arrived last at %s and runs its "
			 "action before anyone leaves", U, e->thread,
			 n->object(e->obj));
	}
	return buf;
}
