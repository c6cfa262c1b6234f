/*
 * cache.c: what a state of a run of threads is, for the explorer.
 *
 * A run in step mode is a pure function of its schedule, and between two
 * steps everything its future depends on is in a few places:
 *
 *  - each parked thread's fiber: its live stack (from its stack pointer
 *    up) and the registers it resumes with.  The explorer searches
 *    states in one run, putting it back into states it saved, so stacks
 *    and objects stay where they are: equal bytes are equal states;
 *  - the runtime's objects and threads, field by field, leaving out what
 *    only counts history (Lamport clocks, store counts) and what only the
 *    narration reads (a variable's last writer, the version a thread read
 *    last: they name whose update a store covers, and change neither what
 *    a run does nor how it ends);
 *  - lost.c's books, in a form that does not depend on node numbers, but
 *    not the count of updates lost so far: the explorer carries that along
 *    the edges of its graph (explore.c), or a state would be told apart by
 *    its past and the race at 2 x 20 would have eight times as many;
 *  - the lesson's own statics (the build gives them sections of their own,
 *    see the Makefile) and its lesson_calloc() blocks; the timers' books;
 *  - the step and the clock, so that the graph of states has no cycles and
 *    every path through it is one schedule; and the thread that ran last,
 *    which decides what counts as a preemption.
 *
 * All of it is hashed to 128 bits: two runs in different states share a
 * key with a chance of about n^2 / 2^129 among n states (1e-27 at a
 * million), far below that of the machine making a mistake.  Leaving a
 * field out that a future depends on would merge states that differ, and
 * the explorer would miss outcomes: a field that only reflects history
 * merely splits states that are the same, which costs time, not truth.
 * The tests check every small run of every lesson against a search with
 * no cache (tests/test_explore.c).
 *
 * Not for processes (each has memory of its own), nor under AddressSanitizer
 * (its frames live on a fake stack) or ThreadSanitizer (shadow state).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "fiber.h"
#include "lost.h"
#include "rt.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CACHE_SANITIZED 1
#endif

#define CACHE_LESSONS 64

static struct cache_statics {
	const char *source;
	const void *bss, *bss_end, *data, *data_end;
} cache_lessons[CACHE_LESSONS];
static int cache_nlessons;

void cache_statics(const char *source, const void *bss, const void *bss_end,
		   const void *data, const void *data_end)
{
	if (cache_nlessons < CACHE_LESSONS)
		cache_lessons[cache_nlessons++] = (struct cache_statics){
			source, bss, bss_end, data, data_end
		};
}

/* The statics of the lesson whose source text is source, or NULL. */
static const struct cache_statics *cache_statics_of(const char *source)
{
	for (int i = 0; i < cache_nlessons; i++)
		if (cache_lessons[i].source == source)
			return &cache_lessons[i];
	return NULL;
}

/* The running lesson's (cache_why_not() said they are known). */
static const struct cache_statics *cache_lesson(void)
{
	return cache_statics_of(rt.cfg->lesson->source);
}

const char *cache_why_not(const struct run_config *cfg)
{
#ifdef CACHE_SANITIZED
	return "a sanitizer build keeps frames and shadow state apart";
#endif
	if (cfg->mode != RT_STEP)
		return "free mode";
	if (rt_uses_processes(cfg))
		return "processes have memory of their own";
	if (!fiber_viewable())
		return "a fiber's stack pointer cannot be read here";
	/* a parked stack holds bytes its frames never wrote, which memcheck
	 * reports as used when a key is made of them */
	const char *pre = getenv("LD_PRELOAD");
	if (pre && strstr(pre, "vgpreload"))
		return "under valgrind";
	const struct cache_statics *s = cache_statics_of(cfg->lesson->source);
	/* every lesson has statics: none found means the build did not give
	 * them sections of their own (LTO, a build of its own) */
	if (!s || (!s->bss && !s->data))
		return "the lesson's statics are not known (see the Makefile)";
	return NULL;
}

/*
 * The hash.  A state's words are gathered first, then hashed four words
 * at a time in four chains of 64-bit multiply-and-fold steps (a 64 x 64
 * bit product, its halves xored: wyhash's step): two chains over the
 * first two words of each four, two over the last two, each pair with
 * constants of its own.  So two states that differ anywhere differ in two
 * independent chains, 128 bits, while the four chains run side by side:
 * half the time of one multiplication per word and lane.
 */
struct cache_hash {
	uint64_t *w;
	size_t n, cap;
};

static inline uint64_t cache_rotl(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

static void cache_grow_words(struct cache_hash *h, size_t more)
{
	size_t cap = h->cap ? h->cap : 4096;
	while (cap < h->n + more)
		cap *= 2;
	h->w = realloc(h->w, cap * sizeof(*h->w));
	if (!h->w)
		rt_die("out of memory");
	h->cap = cap;
}

static inline void cache_reserve(struct cache_hash *h, size_t more)
{
	if (h->n + more > h->cap)
		cache_grow_words(h, more);
}

static void cache_put(uint64_t w, void *ctx)
{
	struct cache_hash *h = ctx;
	cache_reserve(h, 1);
	h->w[h->n++] = w;
}

/* len bytes as whole words, the last padded with zeros, then len. */
static void cache_bytes(struct cache_hash *h, const void *p, size_t len)
{
	size_t words = (len + 7) / 8;
	cache_reserve(h, words + 1);
	if (words)
		h->w[h->n + words - 1] = 0;
	memcpy(h->w + h->n, p, len);
	h->n += words;
	h->w[h->n++] = len;
}

static uint64_t cache_fmix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xFF51AFD7ED558CCDull;
	x ^= x >> 33;
	x *= 0xC4CEB9FE1A85EC53ull;
	return x ^ (x >> 33);
}

static inline uint64_t cache_mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static struct cache_key cache_sum(struct cache_hash *h)
{
	static const uint64_t k[8] = {
		0xA0761D6478BD642Full, 0xE7037ED1A0B428DBull,
		0x8EBC6AF09C88C6E3ull, 0x589965CC75374CC3ull,
		0x1D8E4E27C47D124Full, 0x243F6A8885A308D3ull,
		0x13198A2E03707344ull, 0xA4093822299F31D0ull,
	};
	uint64_t words = h->n;
	cache_reserve(h, 4);
	h->w[h->n++] = words;
	while (h->n % 4) /* whole blocks */
		h->w[h->n++] = 0;
	uint64_t a = k[4], b = k[5], c = k[6], d = k[7];
	for (size_t i = 0; i < h->n; i += 4) {
		const uint64_t *w = h->w + i;
		a = cache_mum(w[0] ^ k[0], w[1] ^ a);
		b = cache_mum(w[0] ^ b, w[1] ^ k[1]);
		c = cache_mum(w[2] ^ k[2], w[3] ^ c);
		d = cache_mum(w[2] ^ d, w[3] ^ k[3]);
	}
	return (struct cache_key){
		cache_fmix(a ^ cache_rotl(c, 32)),
		cache_fmix(b + cache_rotl(d, 17)),
	};
}

/* The kinds of object a run of threads has: each one's size, and where
 * its clock is (pipes and segments belong to processes, never cached). */
static const struct {
	size_t size, clock;
} cache_kinds[] = {
	[OBJ_VAR] = { sizeof(struct var), offsetof(struct var, clock) },
	[OBJ_MUTEX] = { sizeof(struct mutex), offsetof(struct mutex, clock) },
	[OBJ_SEMA] = { sizeof(struct sema), offsetof(struct sema, clock) },
	[OBJ_COND] = { sizeof(struct cond), offsetof(struct cond, clock) },
	[OBJ_BARRIER] = { sizeof(struct barrier),
			  offsetof(struct barrier, clock) },
	[OBJ_FLAG] = { sizeof(struct flag), offsetof(struct flag, clock) },
};

static size_t cache_obj_size(const struct obj *o)
{
	if ((size_t)o->kind >= sizeof(cache_kinds) / sizeof(cache_kinds[0]) ||
	    !cache_kinds[o->kind].size)
		abort();
	return cache_kinds[o->kind].size;
}

/* An object: its bytes, less its clock and what lost.c keeps. */
static void cache_obj(struct cache_hash *h, const struct obj *o)
{
	union {
		struct var v;
		struct mutex m;
		struct sema s;
		struct cond c;
		struct barrier b;
		struct flag f;
	} x;
	size_t size = cache_obj_size(o);
	memcpy(&x, o, size);
	memset((char *)&x + cache_kinds[o->kind].clock, 0,
	       sizeof(_Atomic uint64_t));
	if (o->kind == OBJ_VAR) {
		x.v.version = 0;     /* threads put theirs as stores ago */
		x.v.node = 0;        /* lost_canon() */
		x.v.last_writer = 0; /* narration: "over T2's" */
	}
	cache_put((uintptr_t)o, h);
	cache_bytes(h, &x, size);
	if (o->kind == OBJ_VAR && x.v.copies)
		cache_bytes(h, x.v.copies, sizeof(*x.v.copies) *
					   (size_t)(rt.nthreads + 1));
}

/* A thread: what its next step and its waits depend on, and its fiber. */
static void cache_thread(struct cache_hash *h, const struct thr *t)
{
	const struct pending *p = &t->pending;
	uint64_t w[] = { t->state, (uintptr_t)t->body, (uint64_t)t->arg,
			 p->op, (uintptr_t)p->obj, (uintptr_t)p->obj2,
			 (uint64_t)p->target, (uint64_t)p->line,
			 t->in_cond | (uint64_t)t->timed << 1, t->barrier_gen,
			 t->deadline, t->flag_gen, t->holding, t->own_set,
			 (uint64_t)t->misuses };
	cache_bytes(h, w, sizeof(w));
	for (int i = 0; i < rt.nobjs; i++)
		if (t->own_set >> i & 1)
			cache_put((uint64_t)t->own[i], h);
	cache_bytes(h, t->permits, sizeof(t->permits[0]) * (size_t)rt.nobjs);
	struct fiber_view v;
	if (t->state == THR_LIVE && fiber_parked(t->fiber, &v)) {
		cache_bytes(h, v.regs, v.nregs);
		cache_bytes(h, v.stack, v.len);
	}
}

/* A place in memory that a state holds: the key hashes it, a snapshot
 * copies it. */
struct cache_rec {
	void *at;
	size_t len;
};

static int cache_place(struct cache_rec *r, int n, int max, void *at,
		       size_t len)
{
	if (len == 0)
		return n;
	if (n == max)
		rt_die("cache: more than %d places", max);
	r[n] = (struct cache_rec){ at, len };
	return n + 1;
}

/* The lesson's own memory: its statics, its lesson_calloc() blocks, its
 * timers' books. */
#define CACHE_LESSON_PLACES (2 + RT_MAX_ALLOCS + RT_MAX_THREADS)
static int cache_lesson_places(struct cache_rec *r, int max)
{
	const struct cache_statics *s = cache_lesson();
	int n = 0;
	if (s->bss && s->bss_end > s->bss)
		n = cache_place(r, n, max, (void *)(uintptr_t)s->bss,
				(size_t)((const char *)s->bss_end -
					 (const char *)s->bss));
	if (s->data && s->data_end > s->data)
		n = cache_place(r, n, max, (void *)(uintptr_t)s->data,
				(size_t)((const char *)s->data_end -
					 (const char *)s->data));
	for (int i = 0; i < rt.nallocs; i++)
		n = cache_place(r, n, max, rt.allocs[i], rt.alloc_size[i]);
	for (int i = 1; i <= rt.nthreads; i++) {
		size_t len;
		void *timer = timer_state(i, &len);
		if (timer)
			n = cache_place(r, n, max, timer, len);
	}
	return n;
}

struct cache_key cache_key(int prev)
{
	static struct cache_hash h; /* its words: kept from key to key */
	h.n = 0;
	uint64_t w[] = { rt.step, rt.skew,
			 (uint64_t)rt.nthreads, (uint64_t)rt.nobjs,
			 (uint64_t)prev, (uint64_t)rt.buffer.n,
			 (uint64_t)rt.buffer.head, (uint64_t)rt.buffer.tail };
	cache_bytes(&h, w, sizeof(w));
	cache_bytes(&h, rt.buffer.slots,
		    sizeof(rt.buffer.slots[0]) * (size_t)rt.buffer.n);
	for (int i = 0; i < rt.nobjs; i++)
		cache_obj(&h, rt.objs[i]);
	for (int i = 1; i <= rt.nthreads; i++)
		cache_thread(&h, &rt.threads[i]);
	lost_canon(cache_put, &h);
	struct cache_rec r[CACHE_LESSON_PLACES];
	int n = cache_lesson_places(r, CACHE_LESSON_PLACES);
	for (int i = 0; i < n; i++)
		cache_bytes(&h, r[i].at, r[i].len);
	return cache_sum(&h);
}

/* The graph of states. */

static size_t cache_slot(const struct cache_graph *g, struct cache_key k)
{
	return (size_t)(k.a ^ k.b >> 7) & g->tmask;
}

/* A slot of the table: the node + 1, and 32 bits of its key, so that a
 * search looks at a node only when those match (one cache miss, not two,
 * in a table of millions). */
static uint64_t cache_entry(struct cache_key k, size_t n)
{
	return (k.b >> 32) << 32 | (uint64_t)(n + 1);
}

int32_t cache_find(const struct cache_graph *g, struct cache_key key)
{
	if (!g->table)
		return -1;
	uint64_t tag = key.b >> 32;
	for (size_t i = cache_slot(g, key);; i = (i + 1) & g->tmask) {
		uint64_t e = g->table[i];
		if (e == 0)
			return -1;
		if (e >> 32 != tag)
			continue;
		uint32_t n = (uint32_t)e - 1;
		const struct cache_key *k = &g->node[n].key;
		if (k->a == key.a && k->b == key.b)
			return (int32_t)n;
	}
}

static void *cache_grow(void *p, size_t *cap, size_t need, size_t each)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 4096;
	while (c < need)
		c *= 2;
	p = realloc(p, c * each);
	if (!p)
		rt_die("out of memory");
	*cap = c;
	return p;
}

static void cache_rehash(struct cache_graph *g)
{
	size_t size = g->table ? (g->tmask + 1) * 2 : 1 << 16;
	free(g->table);
	g->table = calloc(size, sizeof(*g->table));
	if (!g->table)
		rt_die("out of memory");
	g->tmask = size - 1;
	for (size_t n = 0; n < g->n; n++) {
		size_t i = cache_slot(g, g->node[n].key);
		while (g->table[i])
			i = (i + 1) & g->tmask;
		g->table[i] = cache_entry(g->node[n].key, n);
	}
}

int32_t cache_add(struct cache_graph *g, struct cache_key key, uint32_t step,
		  uint64_t ready, int prev, int nopts)
{
	if (g->n >= INT32_MAX - 1)
		rt_die("more than %d states", INT32_MAX - 1);
	g->node = cache_grow(g->node, &g->cap, g->n + 1, sizeof(*g->node));
	size_t cap = g->succcap;
	g->succ = cache_grow(g->succ, &g->succcap, g->nsucc + (size_t)nopts,
			     sizeof(*g->succ));
	g->lost = cache_grow(g->lost, &cap, g->nsucc + (size_t)nopts,
			     sizeof(*g->lost));
	struct cache_node *n = &g->node[g->n];
	*n = (struct cache_node){ .key = key, .ready = ready, .step = step,
				  .succ = (uint32_t)g->nsucc, .outcome = -1,
				  .nopts = (uint8_t)nopts, .prev = (int8_t)prev };
	if (prev > 0 && (ready >> (prev - 1) & 1))
		n->flags |= CACHE_PREV_READY;
	for (int i = 0; i < nopts; i++)
		g->succ[g->nsucc++] = -1;
	g->n++;
	if (!g->table || g->n * 2 > g->tmask + 1)
		cache_rehash(g);
	else {
		size_t i = cache_slot(g, key);
		while (g->table[i])
			i = (i + 1) & g->tmask;
		g->table[i] = cache_entry(key, g->n - 1);
	}
	return (int32_t)(g->n - 1);
}

void cache_free(struct cache_graph *g)
{
	free(g->node);
	free(g->succ);
	free(g->lost);
	free(g->table);
	memset(g, 0, sizeof(*g));
}

/*
 * Snapshots.  The cached pass runs on from a state it comes back to,
 * rather than replaying the schedule that led there: a snapshot holds
 * every byte that a step can change, and putting them back puts the run
 * in that state again.  These are the places cache_key() reads, as raw
 * bytes: in a run of threads all of them are made in setup() and stay
 * where they are (threads, objects and lesson_calloc() blocks are only
 * made there), so the same addresses hold them throughout.
 */
/* Every place a snapshot keeps, but the fibers' stacks and lost.c's. */
static int cache_places(struct cache_rec *r, int max)
{
	int n = 0;
	char *base = (char *)&rt;
	size_t end = offsetof(struct rt, elapsed_us) + sizeof(rt.elapsed_us);
#define CACHE_PLACE(p, l)                                                      \
	do {                                                                   \
		if (n == max)                                                  \
			rt_die("cache: more than %d places", max);             \
		r[n++] = (struct cache_rec){ (void *)(p), (l) };               \
	} while (0)
	CACHE_PLACE(base, offsetof(struct rt, threads));
	/* a thread's tables by object: only the run's objects' entries */
	size_t objs = (size_t)rt.nobjs;
	for (int i = 1; i <= rt.nthreads; i++) {
		struct thr *t = &rt.threads[i];
		CACHE_PLACE(t, offsetof(struct thr, seen));
		CACHE_PLACE(t->seen, sizeof(t->seen[0]) * objs);
		CACHE_PLACE(&t->holding, sizeof(t->holding));
		CACHE_PLACE(t->held, sizeof(t->held[0]) * objs);
		CACHE_PLACE(t->permits, sizeof(t->permits[0]) * objs);
		CACHE_PLACE(&t->own_set, sizeof(t->own_set));
		CACHE_PLACE(t->own, sizeof(t->own[0]) * objs);
		CACHE_PLACE(&t->fiber, sizeof(*t) - offsetof(struct thr, fiber));
	}
	/* Between the thread slots and the step's events (delivered by its
	 * end: none between steps) a run of threads changes only these: its
	 * objects, blocks and buffer are all made in setup() (the counts of
	 * the first two are checked) */
	CACHE_PLACE(&rt.nfigures, sizeof(rt.nfigures));
	CACHE_PLACE(&rt.current, sizeof(rt.current));
	CACHE_PLACE(&rt.seq, end - offsetof(struct rt, seq));
	for (int i = 0; i < rt.nobjs; i++) {
		struct obj *o = rt.objs[i];
		CACHE_PLACE(o, cache_obj_size(o));
		const struct var *v = (const struct var *)o;
		if (o->kind == OBJ_VAR && v->copies)
			CACHE_PLACE(v->copies, sizeof(*v->copies) *
						       (size_t)(rt.nthreads + 1));
	}
#undef CACHE_PLACE
	return n + cache_lesson_places(r + n, max - n);
}

#define CACHE_PLACES (RT_MAX_OBJS * 2 + RT_MAX_THREADS * 8 + 4 + \
		      CACHE_LESSON_PLACES)

/* Room for len more bytes at the end of s: where they go. */
static unsigned char *cache_room(struct cache_snap *s, size_t len)
{
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 16384;
		while (cap < s->len + len)
			cap *= 2;
		s->buf = realloc(s->buf, cap);
		if (!s->buf)
			rt_die("out of memory");
		s->cap = cap;
	}
	s->len += len;
	return s->buf + s->len - len;
}

static void cache_append(struct cache_snap *s, const void *p, size_t len)
{
	memcpy(cache_room(s, len), p, len);
}

/* What a snapshot is of: the run's counts, which setup() fixed. */
static void cache_counts(int *c)
{
	c[0] = rt.nthreads;
	c[1] = rt.nobjs;
	c[2] = rt.nallocs;
}

void cache_save(struct cache_snap *s)
{
	struct cache_rec r[CACHE_PLACES];
	int n = cache_places(r, CACHE_PLACES), counts[3];
	if (rt.nstepbuf)
		rt_die("cache: a snapshot in the middle of a step");
	s->len = 0;
	cache_counts(counts);
	cache_append(s, counts, sizeof(counts));
	for (int i = 0; i < n; i++)
		cache_append(s, r[i].at, r[i].len);
	size_t lost = lost_save(NULL);
	cache_append(s, &lost, sizeof(lost));
	lost_save(cache_room(s, lost));
	for (int i = 1; i <= rt.nthreads; i++) {
		struct fiber_view v;
		const struct thr *t = &rt.threads[i];
		if (t->state != THR_LIVE || !fiber_parked(t->fiber, &v))
			continue;
		cache_append(s, &i, sizeof(i));
		cache_append(s, &v, sizeof(v));
		cache_append(s, v.regs, v.nregs);
		cache_append(s, v.stack, v.len);
	}
}

void cache_restore(const struct cache_snap *s)
{

	const unsigned char *p = s->buf;
	int counts[3];
	cache_counts(counts);
	if (memcmp(p, counts, sizeof(counts)) != 0)
		rt_die("cache: a snapshot of a run with other threads or objects");
	p += sizeof(counts);
	struct cache_rec r[CACHE_PLACES];
	int n = cache_places(r, CACHE_PLACES);
	for (int i = 0; i < n; i++) {
		memcpy(r[i].at, p, r[i].len);
		p += r[i].len;
	}
	size_t lost;
	memcpy(&lost, p, sizeof(lost));
	p += sizeof(lost);
	lost_restore(p);
	p += lost;
	while (p < s->buf + s->len) {
		int id;
		struct fiber_view v;
		memcpy(&id, p, sizeof(id));
		memcpy(&v, p + sizeof(id), sizeof(v));
		p += sizeof(id) + sizeof(v);
		v.regs = p;
		fiber_rewind(rt.threads[id].fiber, &v, p + v.nregs);
		p += v.nregs + v.len;
	}
}

void cache_snap_free(struct cache_snap *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/*
 * After the search: the nodes in order of step, each step's together
 * (level[k] is where step root+k starts, level[nlevels] = n), the edges
 * pointing to the new places, and the table gone (it holds old places).
 * Counting and looking back then walk memory in order rather than jump
 * about a graph of millions of states.
 */
size_t *cache_by_step(struct cache_graph *g, size_t *nlevels)
{
	uint32_t first = UINT32_MAX, last = 0;
	for (size_t i = 0; i < g->n; i++) {
		first = g->node[i].step < first ? g->node[i].step : first;
		last = g->node[i].step > last ? g->node[i].step : last;
	}
	size_t levels = g->n ? (size_t)(last - first) + 1 : 0;
	size_t *level = calloc(levels + 1, sizeof(*level));
	int32_t *place = malloc(g->n * sizeof(*place));
	struct cache_node *node = malloc(g->n * sizeof(*node));
	int32_t *succ = malloc(g->nsucc * sizeof(*succ) + 1);
	uint8_t *lost = malloc(g->nsucc + 1);
	size_t *at = malloc((levels + 1) * sizeof(*at));
	if (!level || !place || !node || !succ || !lost || !at)
		rt_die("out of memory");
	for (size_t i = 0; i < g->n; i++)
		level[g->node[i].step - first + 1]++;
	for (size_t k = 1; k <= levels; k++)
		level[k] += level[k - 1];
	memcpy(at, level, (levels + 1) * sizeof(*at));
	for (size_t i = 0; i < g->n; i++)
		place[i] = (int32_t)at[g->node[i].step - first]++;
	free(at);
	for (size_t i = 0; i < g->n; i++)
		node[place[i]] = g->node[i];
	/* the edges in the new order too, each node's after the last's */
	size_t e = 0;
	for (size_t p = 0; p < g->n; p++) {
		const struct cache_node *c = &node[p];
		if (c->nopts == 0)
			continue; /* a final state's succ is its snapshot */
		uint32_t old = c->succ;
		node[p].succ = (uint32_t)e;
		for (int k = 0; k < c->nopts; k++, e++) {
			int32_t s = g->succ[old + (uint32_t)k];
			if (s < 0 || g->node[s].step != c->step + 1)
				rt_die("explore: the state graph has a gap at "
				       "step %u", c->step);
			succ[e] = place[s];
			lost[e] = g->lost[old + (uint32_t)k];
		}
	}
	free(place);
	free(g->node);
	free(g->succ);
	free(g->lost);
	free(g->table);
	g->node = node;
	g->succ = succ;
	g->lost = lost;
	g->table = NULL;
	g->cap = g->n;
	g->succcap = g->nsucc = e;
	*nlevels = levels;
	return level;
}
