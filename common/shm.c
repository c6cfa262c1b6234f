/*
 * shm.c: named shared memory between processes, real in both modes.
 *
 * A segment is a real POSIX shared-memory object: shm_open() makes a name
 * in /dev/shm, ftruncate() gives it a size, mmap() maps it; another
 * process finds it *by name* and maps it too; munmap() and close() end a
 * process's use of it, and only shm_unlink() removes the name.  The
 * segment holds rows x cols cells of a long, each loaded and stored as a
 * relaxed atomic (a store is one step, and a row is as many stores as it
 * has cells: that is how a row is torn).
 *
 * The books (struct shm, rt.h) are shared, in the runtime's arena: who
 * last stored to each cell, whether the name was made, sized, unlinked,
 * how many mappings are open.  A process's own mapping, and the
 * descriptor its creator holds between shm_open() and ftruncate(), are
 * the process's own (shm_mine, copied by fork() like the mapping itself).
 *
 * Nothing is ever blocked, so sched.c needs no model: misuse is refused
 * at once and reported (attaching to a name that does not exist yet, to
 * a segment nobody has sized yet, using a mapping after closing it).
 *
 * Names.  The lesson's name ("/matrix") is what events and narration
 * show; the real one carries the runtime's pid and a count, so that runs
 * side by side (the tests fork many) never meet in /dev/shm.  Whatever
 * name a run made and did not unlink, the runtime removes when the run
 * ends, however it ends (proc.c calls shm_reap()), and says so.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sched.h"
#include "shm.h"

/* This process's own use of each segment, by object id. */
static struct {
	long *cells; /* its mapping, NULL if none */
	int fd1;     /* its descriptor + 1, 0 if none */
} shm_mine[RT_MAX_OBJS];

/* Only printable characters, no space: a name shows in one line of
 * output and in /dev/shm. */
static bool shm_name_printable(const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c <= ' ' || *c >= 0x7f)
			return false;
	return true;
}

bool shm_name_check(const char *name, char *err, size_t size)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0)
		snprintf(err, size, "a segment's name is empty");
	else if (!shm_name_printable(name))
		snprintf(err, size, "a segment's name has a space or a "
			 "character that does not print: a name is one '/' "
			 "and then a word");
	else if (name[0] != '/')
		snprintf(err, size, "segment name '%s' does not start with '/'",
			 name);
	else if (strchr(name + 1, '/'))
		snprintf(err, size, "segment name '%s' has a '/' inside: a "
			 "name is one '/' and then a word", name);
	else if (len == 1)
		snprintf(err, size, "segment name '/' has nothing after the "
			 "'/'");
	else if (strcmp(name, "/.") == 0 || strcmp(name, "/..") == 0)
		snprintf(err, size, "segment name '%s' is a directory's, not a "
			 "word", name);
	else if (len >= SHM_NAME_MAX)
		snprintf(err, size, "segment name '%.12s...' is %zu "
			 "characters: at most %d", name, len, SHM_NAME_MAX - 1);
	else
		return true;
	return false;
}

struct shm *shm_new(const char *name, int rows, int cols)
{
	static unsigned made; /* in the runtime process: unique per run */
	char err[128];
	if (!rt.procs)
		rt_die("shm_new: lesson %s runs variant %s on threads",
		       rt.cfg->lesson->name,
		       rt.cfg->lesson->variants[rt.cfg->variant].name);
	if (!shm_name_check(name, err, sizeof(err)))
		rt_die("shm_new: %s", err);
	if (rows < 1 || cols < 1 || rows * cols > SHM_MAX_CELLS)
		rt_die("shm %s: %d x %d cells: at most %d", name, rows, cols,
		       SHM_MAX_CELLS);
	struct shm *s = rt_alloc_obj(sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name); /* outlives argv */
	rt_add_obj(&s->o, OBJ_SHM, s->name, &s->clock);
	s->rows = rows;
	s->cols = cols;
	snprintf(s->real, sizeof(s->real), "/interleave.%d.%u.%s",
		 (int)getpid(), ++made, name + 1);
	snprintf(s->path, sizeof(s->path), "/dev/shm%s", s->real);
	shm_mine[s->o.id].cells = NULL;
	shm_mine[s->o.id].fd1 = 0;
	return s;
}

static size_t shm_bytes(const struct shm *s)
{
	return (size_t)s->rows * (size_t)s->cols * sizeof(long);
}

/* --- the end of a process, of a fork, of a run --- */

void shm_fork(void)
{
	/* The child inherits the parent's mappings: one more of each. */
	for (int i = 0; i < rt.nobjs; i++)
		if (rt.objs[i]->kind == OBJ_SHM && shm_mine[i].cells)
			atomic_fetch_add(&((struct shm *)rt.objs[i])->mapped,
					 1);
}

/* This process's mapping of s goes; returns the mappings left. */
static int shm_unmap(struct shm *s)
{
	munmap(shm_mine[s->o.id].cells, shm_bytes(s));
	shm_mine[s->o.id].cells = NULL;
	return atomic_fetch_sub(&s->mapped, 1) - 1;
}

int shm_exit(bool last)
{
	int left = -1;
	for (int i = 0; i < rt.nobjs; i++) {
		struct shm *s = (struct shm *)rt.objs[i];
		if (s->o.kind != OBJ_SHM)
			continue;
		if (shm_mine[i].cells)
			shm_unmap(s);
		if (shm_mine[i].fd1)
			close(shm_mine[i].fd1 - 1);
		shm_mine[i].fd1 = 0;
		if (last && left < 0 && !atomic_load(&s->unlinked) &&
		    shm_left(s))
			left = i;
	}
	return left;
}

static volatile sig_atomic_t shm_hushed;

void shm_hush(bool on)
{
	shm_hushed = on;
}

/* Async-signal-safe: write() a constant and a name. */
static void shm_say(const char *a, const char *b, const char *c)
{
	if (shm_hushed)
		return;
	if (write(STDERR_FILENO, a, strlen(a)) < 0 ||
	    write(STDERR_FILENO, b, strlen(b)) < 0 ||
	    write(STDERR_FILENO, c, strlen(c)) < 0)
		return; /* nowhere to say it */
}

/* Only async-signal-safe calls: this also runs in a signal handler. */
void shm_reap(void)
{
	/* Every process ended by itself: a name left is one the lesson never
	 * unlinked.  Otherwise (a signal, --max-steps, the end of manual
	 * input, a deadlock, a crash) the run was cut short first. */
	bool ended = sched_live() == 0;
	for (int i = 0; i < rt.nobjs; i++) {
		if (rt.objs[i]->kind != OBJ_SHM)
			continue;
		struct shm *s = (struct shm *)rt.objs[i];
		if (!atomic_load(&s->made))
			continue;
		/* unlink() of the path is what shm_unlink() does */
		if (unlink(s->path) == 0 && !atomic_load(&s->unlinked))
			shm_say("interleave: segment ", s->o.name, ended
				? " was never unlinked; removed\n"
				: " removed: the run ended before anyone "
				  "unlinked it\n");
		atomic_store(&s->made, false);
	}
}

bool shm_left(const struct shm *s)
{
	return atomic_load(&s->made) && access(s->path, F_OK) == 0;
}

/* --- the operations --- */

static struct thr *shm_self(const char *what)
{
	struct thr *self = rt_self();
	if (!self || !self->proc)
		rt_die("%s: only a process of the lesson may use a segment",
		       what);
	return self;
}

/* Park (step mode), then start the operation's event. */
static struct event *shm_begin(enum event_op op, struct shm *s, int line,
			       const char *what)
{
	shm_self(what);
	if (rt.mode == RT_STEP)
		rt_park(op, &s->o, line);
	struct event *e = rt_ev(op, &s->o, line);
	e->flags = EV_STEP;
	e->lost = -1;
	return e;
}

/* Refused, reported: b = why. */
static int shm_refuse(struct event *e, int err)
{
	e->flags |= EV_MISUSE;
	e->b = err;
	rt_commit(e);
	errno = err;
	return -1;
}

int shm_create_at(struct shm *s, int line)
{
	struct event *e = shm_begin(OP_SHM_CREATE, s, line, "shm_create");
	atomic_store(&s->made, true); /* before: a kill in between leaks */
	int fd = shm_open(s->real, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0)
		return shm_refuse(e, errno);
	shm_mine[s->o.id].fd1 = fd + 1;
	rt_commit(e);
	return 0;
}

static void shm_map(struct shm *s, int fd)
{
	void *p = mmap(NULL, shm_bytes(s), PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		rt_die("mmap of segment %s: %s", s->o.name, strerror(errno));
	close(fd); /* the mapping stays */
	if (shm_mine[s->o.id].cells) /* a mapping it inherited: replaced */
		shm_unmap(s);
	shm_mine[s->o.id].cells = p;
	atomic_fetch_add(&s->mapped, 1);
}

int shm_size_at(struct shm *s, int line)
{
	struct event *e = shm_begin(OP_SHM_SIZE, s, line, "shm_size");
	int fd = shm_mine[s->o.id].fd1 - 1;
	if (fd < 0)
		return shm_refuse(e, EBADF); /* it did not create it */
	if (ftruncate(fd, (off_t)shm_bytes(s)) != 0)
		rt_die("ftruncate of segment %s: %s", s->o.name,
		       strerror(errno));
	shm_mine[s->o.id].fd1 = 0;
	shm_map(s, fd);
	atomic_store(&s->sized, (long)shm_bytes(s));
	e->a = (long)shm_bytes(s);
	rt_commit(e);
	return 0;
}

int shm_attach_at(struct shm *s, int line)
{
	struct event *e = shm_begin(OP_SHM_ATTACH, s, line, "shm_attach");
	int fd = shm_open(s->real, O_RDWR, 0);
	if (fd < 0)
		return shm_refuse(e, errno); /* ENOENT: not made yet */
	struct stat st;
	if (fstat(fd, &st) != 0)
		rt_die("fstat of segment %s: %s", s->o.name, strerror(errno));
	if ((size_t)st.st_size < shm_bytes(s)) {
		close(fd); /* there is nothing to map yet */
		e->a = (long)st.st_size;
		return shm_refuse(e, EINVAL);
	}
	shm_map(s, fd);
	e->a = (long)shm_bytes(s);
	rt_commit(e);
	return 0;
}

/* The cell (row, col) of this process's mapping; NULL if it has none. */
static _Atomic long *shm_cell(struct shm *s, int row, int col,
			      struct event *e)
{
	if (row < 0 || row >= s->rows || col < 0 || col >= s->cols)
		rt_die("segment %s: no cell (%d, %d) in %d x %d", s->o.name,
		       row, col, s->rows, s->cols);
	e->lost = SHM_CELL(row, col);
	long *cells = shm_mine[s->o.id].cells;
	return cells ? (_Atomic long *)&cells[row * s->cols + col] : NULL;
}

long shm_load_at(struct shm *s, int row, int col, int line)
{
	struct event *e = shm_begin(OP_SHM_LOAD, s, line, "shm_load");
	_Atomic long *c = shm_cell(s, row, col, e);
	if (!c) {
		shm_refuse(e, EBADF);
		return 0; /* nothing mapped to read */
	}
	e->a = atomic_load_explicit(c, memory_order_relaxed);
	e->other = (int16_t)atomic_load_explicit(
		&s->writer[row * s->cols + col], memory_order_relaxed);
	long v = e->a;
	rt_commit(e);
	return v;
}

void shm_store_at(struct shm *s, int row, int col, long value, int line)
{
	struct event *e = shm_begin(OP_SHM_STORE, s, line, "shm_store");
	_Atomic long *c = shm_cell(s, row, col, e);
	if (!c) {
		shm_refuse(e, EBADF);
		return;
	}
	e->a = value;
	e->b = atomic_exchange_explicit(c, value, memory_order_relaxed);
	/* Free mode: another store may land between these two; the writer
	 * is for the narration of a load, not for any verdict. */
	atomic_store_explicit(&s->writer[row * s->cols + col], rt_self()->id,
			      memory_order_relaxed);
	rt_commit(e);
}

int shm_close_at(struct shm *s, int line)
{
	struct event *e = shm_begin(OP_SHM_CLOSE, s, line, "shm_close");
	if (!shm_mine[s->o.id].cells)
		return shm_refuse(e, EBADF);
	shm_unmap(s);
	rt_commit(e);
	return 0;
}

int shm_unlink_at(struct shm *s, int line)
{
	struct event *e = shm_begin(OP_SHM_UNLINK, s, line, "shm_unlink");
	if ((shm_unlink)(s->real) != 0) /* POSIX's, not the macro */
		return shm_refuse(e, errno);
	atomic_store(&s->unlinked, true);
	e->a = atomic_load(&s->mapped);
	rt_commit(e);
	return 0;
}
