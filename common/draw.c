/*
 * draw.c: the viewer's screen, drawn from the model and nothing else.
 *
 *   title: lesson, variant, mode, what decides the schedule, step, speed
 *   threads: one line each (or a compact wrapped list when many)
 *   source: one shared pane of the code that runs, every thread's cursor
 *   shared state: variables, each thread's held read, every primitive
 *   timeline: one lane per thread (or one row of who ran), a chart
 *   narration: what the runtime flagged, in full; the last event
 *   message line, keys (every key, on one or two rows)
 *
 * The layout is computed for the terminal's size: the fixed parts first
 * (title, narration, keys), then the state, and the source pane gets the
 * rest.  Text wraps at word boundaries.  A frame is drawn into stdscr and
 * sent with one refresh().  Below 80x24 the screen says what size it needs.
 */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiz.h"
#include "term.h"
#include "view.h"

/* What a thread number is written after: T1, or P1 for a process. */
static char draw_unit = 'T';
#define U draw_unit

#define DRAW_MIN_COLS 80
#define DRAW_MIN_LINES 24
#define DRAW_TAB 4
#define DRAW_GUTTER 12 /* "%3d " line number, "T12+3" marks, cursor */

enum { PAIR_TITLE = 7, PAIR_CHANGED, PAIR_ALERT, DRAW_THREAD_PAIRS = 6 };

static bool draw_color;
static bool draw_hc; /* the high-contrast theme: no dim text anywhere */
static int draw_palette = -1;
static const char *draw_cursor = ">", *draw_mark = "#", *draw_idle = ".";
static bool draw_utf8;

/* Colour pairs for the theme: on a projector, no dark blue on black. */
static void draw_pairs(bool hc)
{
	static const short fg[2][DRAW_THREAD_PAIRS] = {
		{ COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_MAGENTA,
		  COLOR_RED, COLOR_BLUE },
		{ COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_MAGENTA,
		  COLOR_WHITE, COLOR_RED },
	};
	if (!draw_color || draw_palette == hc)
		return;
	draw_palette = hc;
	for (short i = 0; i < DRAW_THREAD_PAIRS; i++)
		init_pair(i + 1, fg[hc][i], -1);
	init_pair(PAIR_TITLE, hc ? COLOR_BLACK : COLOR_WHITE,
		  hc ? COLOR_WHITE : COLOR_BLUE);
	init_pair(PAIR_CHANGED, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_ALERT, hc ? COLOR_WHITE : COLOR_RED,
		  hc ? COLOR_RED : -1);
}

void draw_init(void)
{
	draw_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (draw_utf8) {
		draw_cursor = "\u25b6";
		draw_mark = "\u2588";
		draw_idle = "\u00b7";
	}
	const char *no = getenv("NO_COLOR");
	draw_color = has_colors() && !(no && no[0]);
	if (!draw_color)
		return;
	start_color();
	use_default_colors();
	draw_palette = -1;
	draw_pairs(false);
}

bool draw_too_small_now(void)
{
	return COLS < DRAW_MIN_COLS || LINES < DRAW_MIN_LINES;
}

/* Thread id's own look: its colour, or bold in monochrome. */
static attr_t draw_thread_attr(int id)
{
	if (!draw_color)
		return A_BOLD;
	return COLOR_PAIR(1 + (id - 1) % DRAW_THREAD_PAIRS) | A_BOLD;
}

static attr_t draw_pair(int pair, attr_t mono)
{
	return draw_color ? (attr_t)COLOR_PAIR(pair) : mono;
}

/* Dim, except in the high-contrast theme (readable from the back). */
static attr_t draw_dim(void)
{
	return draw_hc ? A_BOLD : A_DIM;
}

static attr_t draw_alert(void)
{
	return draw_pair(PAIR_ALERT, A_BOLD) | A_BOLD;
}

/* Text at (y, x), cut to width columns. */
static void draw_text(int y, int x, int width, const char *s)
{
	if (width > 0 && y >= 0 && y < LINES)
		mvaddnstr(y, x, s, width);
}

static void draw_vline(int y, int x, int n)
{
	for (int i = 0; i < n; i++)
		mvaddstr(y + i, x, draw_utf8 ? "\u2502" : "|");
}

/*
 * Word wrap: the length of the first row of s that fits in width, breaking
 * after a space when it can (a word longer than a row is cut, as it must).
 * *next is where the following row starts.
 */
static int draw_wrap_len(const char *s, int width, const char **next)
{
	int len = (int)strlen(s);
	if (len <= width) {
		*next = s + len;
		return len;
	}
	int cut = width;
	while (cut > 0 && s[cut] != ' ')
		cut--;
	if (cut == 0)
		cut = width;
	const char *p = s + cut;
	while (*p == ' ')
		p++;
	*next = p;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	return cut;
}

/* Rows that s takes wrapped to width, the rows after the first indented. */
static int draw_rows(const char *s, int width, int indent)
{
	int rows = 0;
	const char *next;
	if (!*s)
		return 1;
	for (const char *p = s; *p; p = next) {
		draw_wrap_len(p, rows ? width - indent : width, &next);
		rows++;
	}
	return rows;
}

/* Draw s wrapped from (y, x) in at most max rows; returns rows used. */
static int draw_wrapped(int y, int x, int width, int indent, int max,
			const char *s)
{
	int rows = 0;
	const char *next;
	for (const char *p = s; *p && rows < max; p = next) {
		int w = rows ? width - indent : width;
		int n = draw_wrap_len(p, w, &next);
		draw_text(y + rows, x + (rows ? indent : 0), n, p);
		rows++;
	}
	return rows;
}

/* Text at (y, x) in width columns, cut before a word that does not fit
 * whole: never a number in the middle ("until t=" of "until t=1015"). */
static void draw_words(int y, int x, int width, const char *s)
{
	const char *next;
	draw_text(y, x, draw_wrap_len(s, width, &next), s);
}

/*
 * The last event as --plain prints it, in width columns: when it is too
 * long, its padding goes, then its "line N" field, then whole words.
 */
static void draw_event_line(int y, int width, const char *s)
{
	if ((int)strlen(s) <= width) {
		draw_text(y, 0, width, s);
		return;
	}
	char buf[MODEL_SAY];
	size_t k = 0;
	for (const char *p = s; *p && k + 1 < sizeof(buf); p++)
		if (k < 8 || *p != ' ' || buf[k - 1] != ' ' ||
		    buf[k - 2] != ' ') /* the step's column stays */
			buf[k++] = *p;
	buf[k] = '\0';
	char *field = strstr(buf, " line ");
	if ((int)strlen(buf) > width && field)
		*field = '\0';
	draw_words(y, 0, width, buf);
}

/* A source line with tabs expanded. */
static void draw_untab(char *out, size_t size, const char *src)
{
	size_t k = 0;
	for (const char *p = src; *p && k + DRAW_TAB + 1 < size; p++) {
		if (*p == '\t') {
			do
				out[k++] = ' ';
			while (k % DRAW_TAB);
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
}

/* --- the title: what is shown and what decides it --- */


void draw_decider(const struct run_config *c, char *buf, size_t size)
{
	char policy[80];
	switch (c->policy) {
	case POLICY_RANDOM:
		snprintf(policy, sizeof(policy), "policy random seed %llu",
			 (unsigned long long)c->seed);
		break;
	case POLICY_RR:
		snprintf(policy, sizeof(policy), "policy rr quantum %ld",
			 c->quantum);
		break;
	case POLICY_PCT:
		snprintf(policy, sizeof(policy), "policy pct depth %d seed %llu",
			 c->depth, (unsigned long long)c->seed);
		break;
	default:
		snprintf(policy, sizeof(policy), "policy manual");
	}
	if (c->nschedule)
		snprintf(buf, size, "schedule of %d, then %s", c->nschedule,
			 policy);
	else
		snprintf(buf, size, "%s", policy);
}

static void draw_title(const struct view *v)
{
	const struct run_config *c = &v->cfg;
	const char *var = c->lesson->variants[c->variant].name;
	const char *mode = c->mode == RT_STEP ? "step" : "free";
	char dec[160], brief[160], left[4][400], right[2][128], next[16] = "";
	if (c->mode == RT_STEP) {
		draw_decider(c, dec, sizeof(dec));
		/* brief: "schedule of 4, then random seed 1" */
		const char *p = strstr(dec, "policy ");
		size_t k = p ? (size_t)(p - dec) : 0;
		memcpy(brief, dec, k);
		strcpy(brief + k, p ? p + 7 : dec);
	} else {
		snprintf(dec, sizeof(dec), "replaying a real run");
		snprintf(brief, sizeof(brief), "replay of a real run");
	}
	snprintf(left[0], sizeof(left[0]), " %s  variant %s  %s mode  %s",
		 c->lesson->name, var, mode, dec);
	snprintf(left[1], sizeof(left[1]), " %s  %s  %s  %s", c->lesson->name,
		 var, mode, dec);
	snprintf(left[2], sizeof(left[2]), " %s %s %s  %s", c->lesson->name,
		 var, mode, brief);
	snprintf(left[3], sizeof(left[3]), " %s %s  %s", c->lesson->name, var,
		 brief);
	if (v->next)
		snprintf(next, sizeof(next), "  next %c%d", U, v->next);
	unsigned long long pos = c->mode == RT_STEP ? v->m.step : v->fsteps;
	snprintf(right[0], sizeof(right[0]), "%s step %llu%s  %d ms ",
		 v->playing ? "playing" : "paused", pos, next,
		 view_delays_ms[v->speed]);
	snprintf(right[1], sizeof(right[1]), "%s step %llu%s ",
		 v->playing ? "playing" : "paused", pos, next);
	int l = 0, r = 0;
	while ((int)(strlen(left[l]) + strlen(right[r]) + 2) > COLS) {
		if (l < 3 && (l < 1 || r == 1))
			l++;
		else if (r == 0)
			r = 1;
		else
			break; /* the left part is cut, the state stays */
	}
	attron(draw_pair(PAIR_TITLE, A_REVERSE));
	mvhline(0, 0, ' ', COLS);
	draw_text(0, 0, COLS - (int)strlen(right[r]) - 1, left[l]);
	draw_text(0, COLS - (int)strlen(right[r]), (int)strlen(right[r]),
		  right[r]);
	attroff(draw_pair(PAIR_TITLE, A_REVERSE));
}

/* --- the threads --- */

/* "next: store balance": what a thread runs next (step mode). */
static void draw_next_op(const struct model *m, int id, char *buf,
			 size_t size)
{
	const struct model_thread *t = &m->threads[id];
	buf[0] = '\0';
	if (!m->step_mode || t->state != MT_READY || t->next_op == OP_EXIT ||
	    t->next_op == OP_START)
		return;
	if (t->next_other > 0) {
		snprintf(buf, size, "next: %s %c%d", event_op_name(t->next_op),
			 U, t->next_other);
		return;
	}
	snprintf(buf, size, "next: %s%s%s", event_op_name(t->next_op),
		 t->next_obj >= 0 ? " " : "",
		 t->next_obj >= 0 ? m->objs[t->next_obj].name : "");
}

/*
 * A thread on the deadlock's cycle of waits: who holds what it waits
 * for, appended to its line ("in the cycle: T2 holds b").
 */
static void draw_cycle_mark(const struct model *m, int id, char *buf,
			    size_t size)
{
	int at = model_on_cycle(m, id);
	if (!at)
		return;
	int holder = m->cycle[at % m->ncycle];
	const char *lock = m->objs[m->threads[id].next_obj].name;
	size_t k = strlen(buf);
	if (holder == id)
		snprintf(buf + k, size - k, " in the cycle: it holds %s itself",
			 lock);
	else
		snprintf(buf + k, size - k, " in the cycle: %c%d holds %s", U,
			 holder, lock);
}

/* How deep in the process tree id is: 0 for P1 (and for threads). */
static int draw_depth(const struct model *m, int id)
{
	int d = 0;
	for (int p = m->threads[id].parent; p > 0 && d < 8;
	     p = m->threads[p].parent)
		d++;
	return d;
}

/* The one-line-per-thread form, if it fits in rows.  Processes are
 * indented under the process that forked them: the process tree. */
static bool draw_threads_full(const struct view *v, int y, int rows)
{
	const struct model *m = &v->m;
	if (m->nthreads > rows)
		return false;
	int namew = 0;
	for (int i = 1; i <= m->nthreads; i++) {
		int w = (int)strlen(m->threads[i].name) + 4 +
			2 * draw_depth(m, i);
		namew = w > namew ? w : namew;
	}
	for (int i = 1; i <= m->nthreads; i++) {
		char name[80], state[96], next[96], line[400];
		snprintf(name, sizeof(name), "%*s%c%d %s", 2 * draw_depth(m, i),
			 "", U, i, m->threads[i].name);
		model_state_text(m, i, state, sizeof(state));
		draw_next_op(m, i, next, sizeof(next));
		attron(draw_thread_attr(i));
		draw_text(y + i - 1, 0, COLS, name);
		attroff(draw_thread_attr(i));
		snprintf(line, sizeof(line), "%-15s %s%s", state, next,
			 v->next == i ? "   <- runs next" : "");
		draw_cycle_mark(m, i, line, sizeof(line));
		attr_t a = m->threads[i].state == MT_BLOCKED ? draw_alert()
							     : A_NORMAL;
		attron(a);
		draw_words(y + i - 1, namew, COLS - namew, line);
		attroff(a);
	}
	return true;
}

/* Processes side by side fit when each column gets this many columns. */
#define DRAW_PROC_COLW 20

static bool draw_proc_columns_fit(const struct model *m)
{
	return m->unit == 'P' && m->nthreads >= 2 && m->nthreads <= 4 &&
	       COLS / m->nthreads >= DRAW_PROC_COLW;
}

/* ", child of P1": the process tree, when every column has room for it. */
#define DRAW_CHILD_OF 13

static bool draw_tree_fits(const struct model *m, int w)
{
	for (int i = 1; i <= m->nthreads; i++)
		if ((int)strlen(m->threads[i].name) + 3 + DRAW_CHILD_OF > w)
			return false;
	return true;
}

/* One process's column: who (and whose child), its state, what is next. */
static void draw_proc_column(const struct view *v, int id, int y, int x,
			     int w, int rows)
{
	const struct model *m = &v->m;
	const struct model_thread *t = &m->threads[id];
	char head[96], state[96], next[96];
	int n = snprintf(head, sizeof(head), "%c%d %s", U, id, t->name);
	if (t->parent > 0 && draw_tree_fits(m, w))
		snprintf(head + n, sizeof(head) - (size_t)n, ", child of %c%d",
			 U, t->parent);
	attron(draw_thread_attr(id));
	draw_words(y, x, w, head);
	attroff(draw_thread_attr(id));
	model_state_text(m, id, state, sizeof(state));
	if (v->next == id)
		strncat(state, " <- next", sizeof(state) - strlen(state) - 1);
	draw_next_op(m, id, next, sizeof(next));
	/* a long state ("blocked on done until t=1015") goes on in the
	 * row of what runs next, which a blocked process leaves empty */
	attr_t a = t->state == MT_BLOCKED ? draw_alert() : A_NORMAL;
	attron(a);
	int used = draw_wrapped(y + 1, x, w, 0, rows > 2 && !next[0] ? 2 : 1,
				state);
	attroff(a);
	if (rows > 2 && used < 2)
		draw_words(y + 2, x, w, next);
}

/*
 * A few processes: a column each, as in the process simulators of
 * operating-systems courses, so that P1's state and P2's are read side by
 * side.  The process tree is in each column's head.
 */
static bool draw_proc_columns(const struct view *v, int y, int rows)
{
	const struct model *m = &v->m;
	if (!draw_proc_columns_fit(m) || rows < 2)
		return false;
	int w = COLS / m->nthreads;
	for (int i = 1; i <= m->nthreads; i++) {
		int x = (i - 1) * w;
		if (i > 1)
			draw_vline(y, x - 1, rows);
		draw_proc_column(v, i, y, x, w - 2, rows);
	}
	return true;
}

/* Short state for the compact list. */
static const char *draw_short_state(const struct model *m, int id, char *buf,
				    size_t size)
{
	const struct model_thread *t = &m->threads[id];
	switch (t->state) {
	case MT_READY:
		return m->last_thread == id ? "ran" : "ready";
	case MT_RUNNING:
		return "running";
	case MT_DONE:
		return "done";
	case MT_BLOCKED:
		if (t->next_other > 0)
			snprintf(buf, size, "waits:%c%d", U, t->next_other);
		else if (t->next_op == OP_SLEPT)
			snprintf(buf, size, "asleep");
		else /* "cycle:" for a wait on the deadlock's cycle: as short */
			snprintf(buf, size, "%s:%s", model_on_cycle(m, id)
				 ? "cycle" : "waits", t->next_obj >= 0
				 ? m->objs[t->next_obj].name
				 : event_op_name((enum event_op)t->next_op));
		return buf;
	}
	return "?";
}

/*
 * Lay out "T1 ready  T2 waits:lock ..." (named: "P2 client waits:to_P2")
 * from thread from+1 in rows, after a head of x0 columns; draw it if
 * asked.  Returns the last thread placed.
 */
static int draw_compact_pass(const struct view *v, int y, int rows, int from,
			     int x0, bool draw, bool named)
{
	const struct model *m = &v->m;
	int row = 0, x = x0, last = from;
	for (int i = from + 1; i <= m->nthreads; i++) {
		char buf[64], entry[96];
		snprintf(entry, sizeof(entry), "%c%d%s%.24s %s", U, i,
			 named ? " " : "", named ? m->threads[i].name : "",
			 draw_short_state(m, i, buf, sizeof(buf)));
		int w = (int)strlen(entry);
		if (x > 0 && x + w > COLS) {
			row++;
			x = 0;
		}
		if (row >= rows)
			break;
		if (draw) {
			attr_t a = draw_thread_attr(i);
			if (v->next == i)
				a |= A_REVERSE;
			attron(a);
			draw_text(y + row, x, COLS - x, entry);
			attroff(a);
		}
		x += w + 2;
		last = i;
	}
	return last;
}

/*
 * Many threads: a compact list, wrapped by entries.  When they do not all
 * fit, [ and ] scroll, and the first row says which are shown.
 */
static void draw_threads_compact(const struct view *v, int y, int rows)
{
	int n = v->m.nthreads, from = v->tscroll < n ? v->tscroll : 0;
	/* processes with their names when they all fit: "P2 client" */
	for (int named = U == 'P'; from == 0 && named >= 0; named--)
		if (draw_compact_pass(v, y, rows, 0, 0, false, named) == n) {
			draw_compact_pass(v, y, rows, 0, 0, true, named);
			return;
		}
	char head[64];
	snprintf(head, sizeof(head), "[ ] scroll: %c%d-", U, from + 1);
	int last = draw_compact_pass(v, y, rows, from, (int)strlen(head) + 8,
				     false, false);
	snprintf(head, sizeof(head), "[ ] scroll: %c%d-%d of %d: ", U, from + 1,
		 last, n);
	attron(A_BOLD);
	draw_text(y, 0, COLS, head);
	attroff(A_BOLD);
	draw_compact_pass(v, y, rows, from, (int)strlen(head), true, false);
}

/* Rows for the compact list of all threads (at most max). */
static int draw_compact_rows(const struct model *m, int max)
{
	int need = (m->nthreads * 13) / COLS + 1;
	return need < max ? need : max;
}

static int draw_threads_rows(const struct model *m, int budget)
{
	if (draw_proc_columns_fit(m))
		return 3 <= budget ? 3 : budget;
	if (m->nthreads <= 4 && m->nthreads <= budget)
		return m->nthreads;
	return draw_compact_rows(m, 3);
}

/* --- the source: one pane, the code that runs, every thread's cursor --- */

/*
 * The function around line ln: from its header (the line before a "{" in
 * column 0) to its "}" in column 0.  false if ln is not inside one.
 */
static bool draw_function(const struct view *v, int ln, int *from, int *to)
{
	int a = ln, b = ln;
	while (a >= 1 && v->src[a][0] != '{' && !(v->src[a][0] == '}' && a != ln))
		a--;
	if (a < 1 || v->src[a][0] != '{')
		return false;
	while (b <= v->nsrc && v->src[b][0] != '}')
		b++;
	if (b > v->nsrc)
		return false;
	*from = a > 1 ? a - 1 : a;
	*to = b;
	return true;
}

/* The op's name in lesson code, to underline on a cursor line. */
static const char *draw_op_call(int op)
{
	switch (op) {
	case OP_LOAD: return "var_load";
	case OP_STORE: return "var_store";
	case OP_ADD: return "var_add";
	case OP_LOCK: return "mutex_lock";
	case OP_UNLOCK: return "mutex_unlock";
	case OP_TRYLOCK: return "mutex_trylock";
	case OP_SEM_WAIT: return "sema_wait";
	case OP_SEM_POST: return "sema_post";
	case OP_COND_WAIT: case OP_COND_WAKE: return "cond_wait";
	case OP_SIGNAL: return "cond_signal";
	case OP_BROADCAST: return "cond_broadcast";
	case OP_ARRIVE: case OP_LEAVE: return "barrier_wait";
	case OP_WORK: return "work(";
	case OP_PIPE_WRITE: return "pipe_write";
	case OP_PIPE_READ: return "pipe_read";
	case OP_PIPE_CLOSE: return "pipe_close";
	case OP_FLAG_SET: return "flag_set";
	case OP_FLAG_CLEAR: return "flag_clear";
	case OP_FLAG_IS_SET: return "flag_is_set";
	case OP_FLAG_WAIT: case OP_FLAG_WAKE: return "flag_wait";
	case OP_SLEEP: case OP_SLEPT: return "ltime_sleep";
	case OP_SHM_CREATE: return "shm_create";
	case OP_SHM_SIZE: return "shm_size";
	case OP_SHM_ATTACH: return "shm_attach";
	case OP_SHM_LOAD: return "shm_load";
	case OP_SHM_STORE: return "shm_store";
	case OP_SHM_CLOSE: return "shm_close";
	case OP_SHM_UNLINK: return "shm_unlink";
	default: return NULL;
	}
}

struct draw_src_row {
	int ln;          /* source line, 0 for a gap */
	int off;         /* where in its expanded text this row starts */
	int len;
};

#define DRAW_MAX_SRC_ROWS 2048

/* The threads whose cursor is on line ln; the first is the one to show. */
static int draw_cursors_on(const struct view *v, int ln, int *ids)
{
	const struct model *m = &v->m;
	int n = 0;
	if (v->next > 0 && m->threads[v->next].line == ln &&
	    m->threads[v->next].state != MT_DONE)
		ids[n++] = v->next;
	for (int i = 1; i <= m->nthreads; i++)
		if (i != v->next && m->threads[i].line == ln &&
		    m->threads[i].state != MT_DONE)
			ids[n++] = i;
	return n;
}

/* Lines to show: the functions that hold a cursor (the variant's code). */
static void draw_src_lines(const struct view *v, bool *show)
{
	const struct model *m = &v->m;
	bool any = false;
	for (int i = 1; i <= m->nthreads; i++) {
		int ln = m->threads[i].line, a, b;
		if (ln < 1 || ln > v->nsrc || m->threads[i].state == MT_DONE)
			continue;
		if (!draw_function(v, ln, &a, &b)) {
			a = ln > 2 ? ln - 2 : 1;
			b = ln + 2 < v->nsrc ? ln + 2 : v->nsrc;
		}
		for (int k = a; k <= b; k++)
			show[k] = true;
		any = true;
	}
	/* every thread finished: the last thread's function stays */
	for (int i = 1; !any && i <= m->nthreads; i++) {
		int ln = m->threads[i].line, a, b;
		if (ln >= 1 && ln <= v->nsrc && draw_function(v, ln, &a, &b)) {
			for (int k = a; k <= b; k++)
				show[k] = true;
			any = true;
		}
	}
	for (int k = 1; !any && k <= v->nsrc && k <= 40; k++)
		show[k] = true;
}

static void draw_source(const struct view *v, int y, int rows)
{
	static struct draw_src_row list[DRAW_MAX_SRC_ROWS];
	static bool show[4096];
	const struct model *m = &v->m;
	int width = COLS - DRAW_GUTTER, n = 0, focus = -1;
	memset(show, 0, sizeof(show));
	if (v->nsrc >= (int)(sizeof(show) / sizeof(show[0])))
		return;
	draw_src_lines(v, show);
	int focus_ln = v->next ? m->threads[v->next].line
		       : m->last_thread ? m->threads[m->last_thread].line : 0;
	for (int ln = 1; ln <= v->nsrc && n < DRAW_MAX_SRC_ROWS - 2; ln++) {
		if (!show[ln]) {
			if (n > 0 && list[n - 1].ln != 0 && ln > 1 &&
			    show[ln - 1])
				list[n++] = (struct draw_src_row){ 0, 0, 0 };
			continue;
		}
		char text[512];
		draw_untab(text, sizeof(text), v->src[ln]);
		const char *p = text, *next;
		if (ln == focus_ln)
			focus = n;
		/* a line too long: its comment goes on rows of its own */
		const char *comment = strstr(text, "/*");
		if ((int)strlen(text) > width && comment && comment > text &&
		    comment - text <= width) {
			int len = (int)(comment - text);
			while (len > 0 && text[len - 1] == ' ')
				len--;
			list[n++] = (struct draw_src_row){ ln, 0, len };
			p = comment;
		}
		while (*p && n < DRAW_MAX_SRC_ROWS - 1) {
			int len = draw_wrap_len(p, p == text ? width
							     : width - 4, &next);
			list[n++] = (struct draw_src_row){ ln, (int)(p - text),
							   len };
			p = next;
		}
		if (!text[0] && n < DRAW_MAX_SRC_ROWS - 1)
			list[n++] = (struct draw_src_row){ ln, 0, 0 };
	}
	if (n > 0 && list[n - 1].ln == 0)
		n--;
	int top = 0;
	if (n > rows && focus >= 0) {
		top = focus - rows / 3;
		if (top + rows > n)
			top = n - rows;
		if (top < 0)
			top = 0;
	}
	for (int r = 0; r < rows && top + r < n; r++) {
		const struct draw_src_row *row = &list[top + r];
		int yy = y + r;
		if (row->ln == 0) {
			attron(draw_dim());
			draw_text(yy, 0, 4, "  ..");
			attroff(draw_dim());
			continue;
		}
		char text[512], num[16];
		draw_untab(text, sizeof(text), v->src[row->ln]);
		bool first = row->off == 0;
		int ids[RT_MAX_THREADS];
		int nc = first ? draw_cursors_on(v, row->ln, ids) : 0;
		if (first) {
			snprintf(num, sizeof(num), "%3d ", row->ln);
			attron(draw_dim());
			draw_text(yy, 0, 4, num);
			attroff(draw_dim());
		}
		if (nc > 0) {
			char mark[32];
			int k = 0;
			k += snprintf(mark, sizeof(mark), "%c%d", U, ids[0]);
			if (nc == 2 && ids[1] < 10 && ids[0] < 10)
				snprintf(mark + k, sizeof(mark) - (size_t)k,
					 "%c%d", U, ids[1]);
			else if (nc > 1)
				snprintf(mark + k, sizeof(mark) - (size_t)k,
					 "+%d", nc - 1);
			attron(draw_thread_attr(ids[0]) | A_REVERSE);
			mvhline(yy, 4, ' ', COLS - 4);
			draw_text(yy, 4, DRAW_GUTTER - 6, mark);
			mvaddstr(yy, DRAW_GUTTER - 2, draw_cursor);
		}
		int x = first ? DRAW_GUTTER : DRAW_GUTTER + 4;
		draw_text(yy, x, row->len, text + row->off);
		if (nc > 0) {
			/* which operation of the line runs next */
			const char *call = draw_op_call(m->step_mode
				? m->threads[ids[0]].next_op : -1);
			const char *at = call ? strstr(text, call) : NULL;
			if (at && at - text < row->len) {
				int clen = (int)strlen(call) - (call[strlen(call) - 1] == '(');
				attron(A_UNDERLINE);
				draw_text(yy, x + (int)(at - text), clen, at);
				attroff(A_UNDERLINE);
			}
			attroff(draw_thread_attr(ids[0]) | A_REVERSE);
		}
	}
}

/* --- shared state --- */

/* "A  round 2 |=====>....| 5/10": a variable as a position on a track. */
static void draw_track(const struct model_obj *o, char *buf, size_t size,
		       int width)
{
	char head[48];
	int hk = snprintf(head, sizeof(head), "%-4s round %ld ", o->name,
			  o->round > 0 ? o->round : 1);
	int len = width - hk - 10;
	len = len < 5 ? 5 : len > 60 ? 60 : len;
	long pos = o->value < 0 ? 0 : o->value > o->track ? o->track : o->value;
	int at = (int)(pos * (len - 1) / o->track);
	int k = snprintf(buf, size, "%s|", head);
	for (int i = 0; i < len && (size_t)k + 2 < size; i++)
		buf[k++] = i < at ? '=' : i == at ? '>' : '.';
	snprintf(buf + k, size - (size_t)k, "| %ld/%ld", pos, o->track);
}

/* The lines of the shared-variables side; returns how many. */
/*
 * A private variable: "result[0]  own: P1 0, P2 1", a copy per process;
 * or a thread-local one, whose copy ends with its thread: "(3)", what
 * the memory it left behind still holds.
 */
static void draw_copies(const struct model *m, const struct model_obj *o,
			int width, char *buf, size_t size)
{
	/* the name's padding goes when the copies need its room (the
	 * manager's four at 80 columns), so no value wraps from its P */
	for (int pad = 10; pad >= 0; pad -= 10) {
		int k = snprintf(buf, size, "%-*s own:", pad, o->name);
		for (int i = 1; i <= m->nthreads && k > 0 && (size_t)k < size;
		     i++) {
			bool gone = o->local && m->threads[i].state == MT_DONE;
			k += snprintf(buf + k, size - (size_t)k,
				      gone ? "%s %c%d (%ld)" : "%s %c%d %ld",
				      i > 1 ? "," : "", U, i, o->own[i]);
		}
		if (k <= width)
			return;
	}
}

static int draw_shared_lines(const struct model *m, int width,
			     char lines[][200], attr_t *attrs, int max)
{
	int n = 0;
	for (int i = 0; i < m->nobjs && n < max; i++) {
		const struct model_obj *o = &m->objs[i];
		if (o->kind != OBJ_VAR || model_is_slot(m, i))
			continue;
		if (o->track > 0)
			draw_track(o, lines[n], sizeof(lines[n]), width - 2);
		else if (o->priv)
			draw_copies(m, o, width - 2, lines[n],
				    sizeof(lines[n]));
		else
			snprintf(lines[n], sizeof(lines[n]), "%-10s = %ld",
				 o->name, o->value);
		bool hot = o->changed && o->changed == m->step;
		attrs[n++] = hot ? draw_pair(PAIR_CHANGED, A_REVERSE) : A_BOLD;
	}
	for (int i = 1; i <= m->nthreads && n < max; i++) {
		const struct model_thread *t = &m->threads[i];
		if (!t->has_tmp)
			continue;
		snprintf(lines[n], sizeof(lines[n]), "%c%d tmp = %ld %s(read of "
			 "%s)", U, i, t->tmp, t->tmp_stale ? "STALE " : "",
			 m->objs[t->tmp_obj].name);
		attrs[n++] = t->tmp_stale ? draw_alert() : draw_thread_attr(i);
	}
	return n;
}

/* "waiting: T2 T3" for object obj, appended to buf. */
static void draw_waiters(const struct model *m, int obj, char *buf,
			 size_t size)
{
	int ids[RT_MAX_THREADS];
	int n = model_waiters(m, obj, ids);
	if (n == 0)
		return;
	strncat(buf, "; waiting:", size - strlen(buf) - 1);
	bool timed = false;
	for (int i = 0; i < n; i++) {
		char t[48];
		long until = m->threads[ids[i]].until;
		if (until > 0) /* a timed wait: its deadline, as a flag's */
			snprintf(t, sizeof(t), " %c%d (until t=%ld)", U,
				 ids[i], until);
		else
			snprintf(t, sizeof(t), " %c%d", U, ids[i]);
		strncat(buf, t, size - strlen(buf) - 1);
		timed |= until > 0;
	}
	if (timed)
		snprintf(buf + strlen(buf), size - strlen(buf), "; now t=%llu",
			 (unsigned long long)model_now(m));
}

/* "semaphore s: [T1] [T2] [  ] count 0 of at most 2": who holds a permit. */
static void draw_permits(const struct model *m, int obj, char *buf,
			 size_t size)
{
	const struct model_obj *o = &m->objs[obj];
	bool pool = model_is_pool(m, obj);
	snprintf(buf, size, "semaphore %s:", o->name);
	for (int i = 0; pool && i < o->nholders + (o->value > 0 ? o->value : 0);
	     i++) {
		char slot[16];
		if (i < o->nholders)
			snprintf(slot, sizeof(slot), " [%c%d]", U,
				 o->holders[i]);
		else
			snprintf(slot, sizeof(slot), " [  ]");
		strncat(buf, slot, size - strlen(buf) - 1);
		if (i >= 12) {
			strncat(buf, " ..", size - strlen(buf) - 1);
			break;
		}
	}
	snprintf(buf + strlen(buf), size - strlen(buf), " count %ld",
		 o->value);
	if (o->bound)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 " of at most %ld", o->bound);
}

/* "P1 P3" (or "nobody", or "all" of three or more: the manager's many
 * pipes fit 80 columns): who holds an end of a pipe, appended. */
static void draw_ends(const struct model *m, uint64_t mask, char *buf,
		      size_t size)
{
	if (!mask)
		strncat(buf, " nobody", size - strlen(buf) - 1);
	if (m->nthreads > 2 && mask == (1ull << m->nthreads) - 1) {
		strncat(buf, " all", size - strlen(buf) - 1);
		return;
	}
	for (int id = 1; id <= m->nthreads; id++) {
		char t[16];
		snprintf(t, sizeof(t), " %c%d", U, id);
		if (mask & (1ull << (id - 1)))
			strncat(buf, t, size - strlen(buf) - 1);
	}
}

/* Many pipes in a narrow pane (the manager's four at 80 columns): one
 * row each, set by draw_frame(). */
static bool draw_short_pipes;

static bool draw_pipes_short(const struct model *m, int width)
{
	int n = 0;
	for (int i = 0; i < m->nobjs; i++)
		n += m->objs[i].kind == OBJ_PIPE;
	return n > 2 && width < 60;
}

/* "to_P2: 0/4096B r: all w: all wait: P2": a pipe in one row. */
static void draw_pipe_short(const struct model *m, int obj, char *buf,
			    size_t size)
{
	const struct model_obj *o = &m->objs[obj];
	int ids[RT_MAX_THREADS];
	int n = model_waiters(m, obj, ids);
	snprintf(buf, size, "%s: %ld/%ldB r:", o->name, o->value, o->bound);
	draw_ends(m, o->ends[PIPE_READ_END], buf, size);
	strncat(buf, " w:", size - strlen(buf) - 1);
	draw_ends(m, o->ends[PIPE_WRITE_END], buf, size);
	for (int i = 0; i < n; i++) {
		char t[16];
		snprintf(t, sizeof(t), "%s %c%d", i ? "" : " wait:", U, ids[i]);
		strncat(buf, t, size - strlen(buf) - 1);
	}
}

/* "pipe p: [########........] 8/16 bytes; read: P3; write: P2". */
static void draw_pipe(const struct model *m, const struct model_obj *o,
		      char *buf, size_t size)
{
	char bar[24];
	int cells = 16;
	long full = o->bound > 0 ? (o->value * cells + o->bound - 1) / o->bound
				 : 0;
	for (int k = 0; k < cells; k++)
		bar[k] = k < full ? '#' : '.';
	bar[cells] = '\0';
	snprintf(buf, size, "pipe %s: [%s] %ld/%ld bytes; read:", o->name, bar,
		 o->value, o->bound);
	draw_ends(m, o->ends[PIPE_READ_END], buf, size);
	strncat(buf, "; write:", size - strlen(buf) - 1);
	draw_ends(m, o->ends[PIPE_WRITE_END], buf, size);
}

/*
 * "flag ready: |_ down; waiting: T1 T2 (until t=14); now t=9": a flag,
 * up or down, with the threads in a wait on it and their deadlines; one
 * that may return now "can go", and why: the flag is up, or its timeout
 * falls at the next step's tick.
 */
static void draw_flag(const struct model *m, int obj, char *buf,
		      size_t size)
{
	const struct model_obj *o = &m->objs[obj];
	bool timed = false, any = false;
	snprintf(buf, size, "flag %s: %s", o->name,
		 o->value ? "|> UP (set)" : "|_ down");
	for (int id = 1; id <= m->nthreads; id++) {
		const struct model_thread *t = &m->threads[id];
		if (t->state == MT_DONE || t->next_op != OP_FLAG_WAKE ||
		    t->next_obj != obj)
			continue;
		char w[64]; /* " T64 (timeout t=" and a long: GCC checks it */
		if (t->state == MT_READY && t->woken)
			snprintf(w, sizeof(w), " %c%d (%s: can go)", U, id,
				 o->value ? "set" : "woken");
		else if (t->state == MT_READY && t->until > 0)
			snprintf(w, sizeof(w), " %c%d (times out at t=%ld: can "
				 "go)", U, id, t->until);
		else if (t->state == MT_READY)
			snprintf(w, sizeof(w), " %c%d (can go)", U, id);
		else if (t->until > 0)
			snprintf(w, sizeof(w), " %c%d (until t=%ld)", U, id,
				 t->until);
		else
			snprintf(w, sizeof(w), " %c%d", U, id);
		if (!any)
			strncat(buf, "; waiting:", size - strlen(buf) - 1);
		strncat(buf, w, size - strlen(buf) - 1);
		timed |= t->until > 0;
		any = true;
	}
	if (timed)
		snprintf(buf + strlen(buf), size - strlen(buf), "; now t=%llu",
			 (unsigned long long)model_now(m));
}

/* "shm /matrix: in /dev/shm, maps: P3 P4" (its grid: below), short
 * enough for half of 80 columns. */
static void draw_segment(const struct model *m, const struct model_obj *o,
			 char *buf, size_t size)
{
	static const char *const state[] = {
		[MSHM_NONE] = "no name yet",
		[MSHM_MADE] = "0 bytes",
		[MSHM_SIZED] = "in /dev/shm",
		[MSHM_UNLINKED] = "unlinked",
	};
	snprintf(buf, size, "shm %s: %s", o->name, state[o->value]);
	if (o->ends[0]) { /* who has it mapped */
		strncat(buf, ", maps:", size - strlen(buf) - 1);
		draw_ends(m, o->ends[0], buf, size);
	}
}

/* Row r of a segment: "  1: 201 P3  202 P4  202 P4", each cell's value
 * and the process that last stored it ("-": nobody yet). */
static void draw_segment_row(const struct model_obj *o, int r, char *buf,
			     size_t size)
{
	int k = snprintf(buf, size, "%3d:", r);
	for (int c = 0; c < o->cols && k > 0 && (size_t)k < size; c++) {
		int w = o->cellw[r * o->cols + c];
		char who[8] = " -";
		if (w)
			snprintf(who, sizeof(who), " %c%d", U, w);
		k += snprintf(buf + k, size - (size_t)k, " %4ld%-4s",
			      o->cells[r * o->cols + c], who);
	}
}

static void draw_prim(const struct model *m, int i, char *buf, size_t size)
{
	const struct model_obj *o = &m->objs[i];
	switch (o->kind) {
	case OBJ_MUTEX:
		if (o->owner && o->depth > 1) /* a recursive lock's count */
			snprintf(buf, size, "mutex %s: held by %c%d, depth %ld",
				 o->name, U, o->owner, o->depth);
		else if (o->owner)
			snprintf(buf, size, "mutex %s: held by %c%d", o->name,
				 U, o->owner);
		else
			snprintf(buf, size, "mutex %s: free", o->name);
		break;
	case OBJ_SEMA:
		draw_permits(m, i, buf, size);
		break;
	case OBJ_COND:
		snprintf(buf, size, "condition %s", o->name);
		break;
	case OBJ_BARRIER:
		if (o->broken)
			snprintf(buf, size, "barrier %s: BROKEN (a waiter timed "
				 "out)", o->name);
		else
			snprintf(buf, size, "barrier %s: %ld of %ld arrived, "
				 "%ld rounds done", o->name, o->value, o->bound,
				 o->rounds);
		break;
	case OBJ_PIPE:
		if (draw_short_pipes) {
			draw_pipe_short(m, i, buf, size);
			return;
		}
		draw_pipe(m, o, buf, size);
		break;
	case OBJ_FLAG:
		draw_flag(m, i, buf, size);
		return;
	case OBJ_SHM:
		draw_segment(m, o, buf, size);
		return;
	case OBJ_VAR:
		buf[0] = '\0';
		return;
	}
	draw_waiters(m, i, buf, size);
}

/*
 * Where head (j 0) or tail (1) points: a slot, or -1 for no mark.  An
 * index past the last slot (a stack's top, pool's count of filled
 * slots) means every slot is taken: it marks none, and *full says so.
 */
static long draw_buffer_end(const struct model *m, int j, bool *full)
{
	int end = j ? m->buf_tail : m->buf_head;
	if (end < 0 || m->nbuf <= 0)
		return -1;
	long a = m->objs[end].value;
	if (j && a == m->nbuf)
		*full = true;
	return a >= 0 && a < m->nbuf ? a : -1;
}

/* Under slots first.., each slot's variable name (a lesson's labels). */
static void draw_buffer_names(const struct model *m, int first, int per,
			      int lead, char *names, size_t size)
{
	memset(names, ' ', size - 1);
	names[size - 1] = '\0';
	for (int i = first; i < m->nbuf && i < first + per; i++) {
		const char *name = m->objs[m->buf_slots[i]].name;
		size_t col = (size_t)(lead + (i - first) * 5 + 1);
		size_t len = strlen(name) > 4 ? 4 : strlen(name);
		if (col + len < size)
			memcpy(names + col, name, len);
	}
}

/* Draw row (bold) or a row of marks, trailing blanks gone. */
static void draw_buffer_row(int y, int x, int width, char *row, bool bold,
			    bool draw)
{
	int end = (int)strlen(row);
	while (end > 0 && row[end - 1] == ' ')
		row[--end] = '\0';
	if (!draw)
		return;
	if (bold)
		attron(A_BOLD);
	draw_text(y, x, width, row);
	if (bold)
		attroff(A_BOLD);
}

/*
 * The buffer as rows of slots with their items under the lesson's heading
 * ("buffer" unless it named one), each slot's name under it when it did,
 * and where head and tail point: "^head" under head's slot, "^tail"
 * under tail's, "^head,tail" when they are the same slot, "(full)" when
 * tail is past the last one; in at most max rows.  Returns the rows it
 * takes (or would take, if draw is false).
 */
static int draw_buffer(const struct model *m, int y, int x, int width,
		       int max, bool draw)
{
	const int cell = 5;
	const char *heading = m->buf_heading ? m->buf_heading : "buffer";
	int lead = (int)strlen(heading) + 1;
	lead = lead < 7 ? 7 : lead;
	int per = (width - lead - 3) / cell; /* room for the last mark */
	per = per < 1 ? 1 : per;
	bool full = false, marks_row = m->buf_head >= 0 || m->buf_tail >= 0;
	long at[2] = { draw_buffer_end(m, 0, &full),
		       draw_buffer_end(m, 1, &full) };
	/* unnamed buffers keep their row of marks, even without ends */
	int each = 1 + (m->buf_heading != NULL) +
		   (marks_row || !m->buf_heading);
	int rows = 0;
	for (int first = 0; first < m->nbuf && rows + each <= max;
	     first += per, rows += each) {
		char row[256], marks[256], names[256];
		int k = snprintf(row, sizeof(row), "%-*s", lead,
				 first ? "" : heading);
		memset(marks, ' ', sizeof(marks));
		marks[sizeof(marks) - 1] = '\0';
		for (int i = first; i < m->nbuf && i < first + per; i++) {
			long item = m->objs[m->buf_slots[i]].value;
			/* a negative item is a stop message */
			k += snprintf(row + k, sizeof(row) - (size_t)k,
				      item < 0 ? "[stp]" : item ? "[%3ld]"
				      : "[   ]", item);
			int col = lead + (i - first) * cell + 2;
			const char *label = at[0] == i && at[1] == i
				? "^head,tail" : at[0] == i ? "^head"
				: at[1] == i ? "^tail" : NULL;
			if (label)
				memcpy(marks + col, label, strlen(label));
		}
		if (full && first + per >= m->nbuf)
			memcpy(marks, "(full)", 6);
		draw_buffer_row(y + rows, x, width, row, true, draw);
		int r = 1;
		if (m->buf_heading) {
			draw_buffer_names(m, first, per, lead, names,
					  sizeof(names));
			draw_buffer_row(y + rows + r++, x, width, names, false,
					draw);
		}
		if (each > r)
			draw_buffer_row(y + rows + r, x, width, marks, false,
					draw);
	}
	return rows;
}

/* Under task k (from 1), what became of it: wait, P2 (who holds it),
 * done, lost. */
static void draw_task_mark(const struct model *m, int k, char *mark,
			   size_t size)
{
	int who;
	switch (model_task(m, k, &who)) {
	case MTASK_WAITING:
		snprintf(mark, size, "wait");
		break;
	case MTASK_HELD:
		snprintf(mark, size, "%c%d", m->unit, who);
		break;
	case MTASK_DONE:
		snprintf(mark, size, "done");
		break;
	case MTASK_LOST:
		snprintf(mark, size, "lost");
		break;
	}
}

/*
 * The task queue (var_tasks()) as rows of cells, each task's item, with
 * under it what became of the task; in at most max rows.  Returns the
 * rows it takes (or would take, if draw is false).
 */
static int draw_tasks(const struct model *m, int y, int x, int width,
		      int max, bool draw)
{
	const int cell = 5, lead = 7;
	int per = (width - lead - 1) / cell; /* a column clear at the end */
	per = per < 1 ? 1 : per;
	int rows = 0;
	for (int first = 0; first < m->ntasks && rows + 2 <= max;
	     first += per, rows += 2) {
		char row[256], marks[256];
		int k = snprintf(row, sizeof(row), "%-*s", lead,
				 first ? "" : "tasks");
		memset(marks, ' ', sizeof(marks));
		marks[sizeof(marks) - 1] = '\0';
		for (int i = first; i < m->ntasks && i < first + per; i++) {
			char mark[16];
			k += snprintf(row + k, sizeof(row) - (size_t)k,
				      "[%3ld]", m->task_items[i]);
			draw_task_mark(m, i + 1, mark, sizeof(mark));
			memcpy(marks + lead + (i - first) * cell + 1, mark,
			       strlen(mark));
		}
		draw_buffer_row(y + rows, x, width, row, true, draw);
		draw_buffer_row(y + rows + 1, x, width, marks, false, draw);
	}
	return rows;
}

/* Rows the synchronisation side needs at this width. */
static int draw_prims_rows(const struct model *m, int width)
{
	int r = 1 + (m->nbuf ? draw_buffer(m, 0, 0, width - 2, 1000, false)
			     : 0);
	for (int i = 0; i < m->nobjs; i++) {
		char buf[400];
		draw_prim(m, i, buf, sizeof(buf));
		if (buf[0])
			r += draw_rows(buf, width - 2, 4);
		if (m->objs[i].kind == OBJ_SHM)
			r += m->objs[i].rows;
	}
	return r + (m->fired ? 1 : 0);
}

static int draw_shared_rows(const struct model *m, int width)
{
	static char lines[RT_MAX_OBJS + RT_MAX_THREADS][200];
	attr_t attrs[RT_MAX_OBJS + RT_MAX_THREADS];
	int n = draw_shared_lines(m, width, lines, attrs,
				  RT_MAX_OBJS + RT_MAX_THREADS);
	int r = 1 + draw_tasks(m, 0, 0, width - 2, 1000, false);
	for (int i = 0; i < n; i++)
		r += draw_rows(lines[i], width - 2, 4);
	return r;
}

/*
 * Does an entry of `need` rows fit at row r of `rows`, with `after` more
 * entries to come?  Each but the last leaves a row free, for the mark
 * that says entries were left out; draw_more() draws it.
 */
static bool draw_fits(int r, int need, int rows, int after)
{
	return r + need <= rows - (after > 0);
}

static void draw_more(int y, int x, int width, int left)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "... %d more in a taller terminal", left);
	attron(draw_dim());
	draw_text(y, x, width, buf);
	attroff(draw_dim());
}

static void draw_shared(const struct view *v, int y, int x, int width,
			int rows)
{
	static char lines[RT_MAX_OBJS + RT_MAX_THREADS][200];
	attr_t attrs[RT_MAX_OBJS + RT_MAX_THREADS];
	int n = draw_shared_lines(&v->m, width, lines, attrs,
				  RT_MAX_OBJS + RT_MAX_THREADS);
	int r = 0;
	attron(A_UNDERLINE);
	bool own = false, local = false;
	for (int i = 0; i < v->m.nobjs; i++) {
		own |= v->m.objs[i].priv;
		local |= v->m.objs[i].local;
	}
	draw_text(y + r++, x, width, local ? "variables (own: per thread; (n) "
					     "ended)"
				     : own ? "variables (own: one copy per "
					     "process)" : "shared variables");
	attroff(A_UNDERLINE);
	r += draw_tasks(&v->m, y + r, x + 2, width - 2, rows - r, true);
	for (int i = 0; i < n && r < rows; i++) {
		if (!draw_fits(r, draw_rows(lines[i], width - 2, 4), rows,
			       n - i - 1)) {
			draw_more(y + r, x + 2, width - 2, n - i);
			break;
		}
		attron(attrs[i]);
		r += draw_wrapped(y + r, x + 2, width - 2, 4, rows - r, lines[i]);
		attroff(attrs[i]);
	}
}

/* How many primitives have a line to draw. */
static int draw_prims_count(const struct model *m)
{
	int n = 0;
	for (int i = 0; i < m->nobjs; i++) {
		char buf[400];
		draw_prim(m, i, buf, sizeof(buf));
		n += buf[0] != '\0';
	}
	return n;
}

/* Every primitive as what it is: holder, count, waiters. */
static void draw_prims(const struct view *v, int y, int x, int width,
		       int rows)
{
	const struct model *m = &v->m;
	int r = 0;
	attron(A_UNDERLINE);
	draw_text(y + r++, x, width, "synchronisation");
	attroff(A_UNDERLINE);
	if (m->nbuf && r + 2 <= rows)
		r += draw_buffer(m, y + r, x + 2, width - 2, rows - r, true);
	int left = draw_prims_count(m); /* with a line, not drawn yet */
	for (int i = 0; i < m->nobjs && r < rows; i++) {
		char buf[400];
		draw_prim(m, i, buf, sizeof(buf));
		if (!buf[0])
			continue;
		int need = draw_rows(buf, width - 2, 4) +
			   (m->objs[i].kind == OBJ_SHM ? m->objs[i].rows : 0);
		if (!draw_fits(r, need, rows, left - 1 + (m->fired != 0))) {
			draw_more(y + r, x + 2, width - 2, left);
			return;
		}
		left--;
		bool hot = m->objs[i].changed == m->step && m->step;
		if (hot)
			attron(A_BOLD);
		r += draw_wrapped(y + r, x + 2, width - 2, 4, rows - r, buf);
		if (hot)
			attroff(A_BOLD);
		for (int k = 0; m->objs[i].kind == OBJ_SHM &&
				k < m->objs[i].rows && r < rows; k++) {
			draw_segment_row(&m->objs[i], k, buf, sizeof(buf));
			draw_text(y + r++, x + 2, width - 2, buf);
		}
	}
	if (m->fired && r < rows) {
		attron(draw_alert());
		draw_text(y + r++, x + 2, width - 2, "Fire! (the barrier "
			  "action ran)");
		attroff(draw_alert());
	}
}

/* --- the timeline --- */

/* The first step a lane of width shows, and the step after the last. */
static void draw_span(const struct model *m, int width, uint64_t *from,
		      uint64_t *now)
{
	*now = m->step;
	*from = *now > (uint64_t)width ? *now - (uint64_t)width : 0;
	if (*now - *from > MODEL_TIMELINE)
		*from = *now - MODEL_TIMELINE;
}

/* One lane per thread: a mark at each of the last steps it ran. */
static void draw_lanes(const struct view *v, int y, int lanes)
{
	const struct model *m = &v->m;
	uint64_t from, now;
	draw_span(m, COLS - 14, &from, &now);
	for (int id = 1; id <= lanes; id++) {
		char label[16];
		snprintf(label, sizeof(label), "%c%-2d", U, id);
		attron(draw_thread_attr(id));
		draw_text(y + id - 1, 0, 4, label);
		attroff(draw_thread_attr(id));
		for (uint64_t s = from; s < now; s++) {
			int x = 4 + (int)(s - from);
			if (m->timeline[s % MODEL_TIMELINE] == id) {
				/* work is shown as the thread's letter */
				char letter[2] = { m->threads[id].name[0], 0 };
				attron(draw_thread_attr(id));
				mvaddstr(y + id - 1, x,
					 m->worked[s % MODEL_TIMELINE] ? letter
								       : draw_mark);
				attroff(draw_thread_attr(id));
			} else {
				attron(draw_dim());
				mvaddstr(y + id - 1, x, draw_idle);
				attroff(draw_dim());
			}
		}
	}
}

/* Too many threads for lanes: one row, each step the number of who ran. */
static void draw_who(const struct view *v, int y)
{
	const struct model *m = &v->m;
	uint64_t from, now;
	draw_span(m, COLS - 14, &from, &now);
	attron(A_BOLD);
	draw_text(y, 0, 4, "ran");
	attroff(A_BOLD);
	static const char digits[] = "123456789abcdefghijklmnopqrstuvwxyz";
	for (uint64_t s = from; s < now; s++) {
		int id = m->timeline[s % MODEL_TIMELINE];
		char c[2] = { id >= 1 && id <= 35 ? digits[id - 1] : '+', 0 };
		if (id >= 1 && m->worked[s % MODEL_TIMELINE])
			c[0] = m->threads[id].name[0];
		attron(draw_thread_attr(id > 0 ? id : 1));
		mvaddstr(y, 4 + (int)(s - from), c);
		attroff(draw_thread_attr(id > 0 ? id : 1));
	}
}

/* The charted variable's value at each step, as a bar per step. */
static void draw_chart(const struct view *v, int y)
{
	static const char *const bars[] = { " ", "\u2581", "\u2582", "\u2583",
					    "\u2584", "\u2585", "\u2586",
					    "\u2587", "\u2588" };
	const struct model *m = &v->m;
	const struct model_obj *o = &m->objs[m->chart_obj];
	uint64_t from, now;
	draw_span(m, COLS - 14 - 24, &from, &now);
	long top = 1;
	for (uint64_t s = from; s < now; s++)
		if (m->chart[s % MODEL_TIMELINE] > top)
			top = m->chart[s % MODEL_TIMELINE];
	char label[32];
	snprintf(label, sizeof(label), "%.3s", o->name);
	attron(A_BOLD);
	draw_text(y, 0, 4, label);
	attroff(A_BOLD);
	int x = 4;
	for (uint64_t s = from; s < now; s++) {
		long val = m->chart[s % MODEL_TIMELINE];
		x = 4 + (int)(s - from);
		char digit[2] = { val > 9 ? '+' : (char)('0' + (val < 0 ? 0 : val)),
				  0 };
		long level = val <= 0 ? 0 : (val * 8 + top - 1) / top;
		mvaddstr(y, x, draw_utf8 ? bars[level > 8 ? 8 : level] : digit);
	}
	char peak[48];
	snprintf(peak, sizeof(peak), "  %s now %ld, top %ld", o->name,
		 o->value, top);
	draw_text(y, COLS - 34, 34, peak);
}

/* --- the bottom: narration, message, keys --- */

struct draw_key {
	const char *key, *label, *brief;
};

/*
 * The keys that do something now, in the order of the bar; with every,
 * also those that only some variants have (f, p, g): the bar's layout is
 * chosen for them all, so that it does not change from variant to
 * variant.
 */
static int draw_key_list(const struct view *v, bool every,
			 struct draw_key *k)
{
	bool step = v->cfg.mode == RT_STEP;
	int n = 0;
	k[n++] = (struct draw_key){ "space", "play", "play" };
	k[n++] = (struct draw_key){ "n", "step", "step" };
	k[n++] = (struct draw_key){ "b", "back", "back" };
	k[n++] = (struct draw_key){ "!", "next !", "next!" };
	/* Literals: the caller reads the labels after this returns. */
	bool procs = v->m.unit == 'P';
	if (step)
		k[n++] = (struct draw_key){ v->m.nthreads > 9 ? "0-9" : "1-9",
					    procs ? "run process" : "run thread",
					    event_unit_word(v->m.unit) };
	k[n++] = (struct draw_key){ "+/-", "speed", "speed" };
	k[n++] = (struct draw_key){ "r", step ? "restart" : "replay",
				    step ? "rerun" : "replay" };
	k[n++] = (struct draw_key){ "s", step ? "new seed" : "new run",
				    step ? "seed" : "new run" };
	k[n++] = (struct draw_key){ "v", "variant", "variant" };
	if (every || v->cfg.lesson->variants[v->cfg.variant].fails)
		k[n++] = (struct draw_key){ "f", "failing run", "fail" };
	if (step)
		k[n++] = (struct draw_key){ "x", "explore", "explore" };
	k[n++] = (struct draw_key){ "w", "save", "save" };
	int idx[QUIZ_MAX];
	if (every || quiz_find(&v->cfg, idx) > 0)
		k[n++] = (struct draw_key){ "p", "predict", "quiz" };
	if (step && (every || (v->cfg.lesson->challenges &&
			       v->cfg.lesson->challenges[0].goal)))
		k[n++] = (struct draw_key){ "g", "challenge", "goal" };
	k[n++] = (struct draw_key){ "c", "contrast", "theme" };
	k[n++] = (struct draw_key){ "?", "help", "help" };
	k[n++] = (struct draw_key){ "q", "quit", "quit" };
	return n;
}

/* The keys in rows of COLS, full or brief labels; rows needed (3: more). */
static int draw_keys_fill(const struct draw_key *k, int n, bool brief,
			  char rows[2][400])
{
	int r = 0;
	rows[0][0] = rows[1][0] = '\0';
	for (int i = 0; i < n; i++) {
		char item[64];
		snprintf(item, sizeof(item), " %s %s ", k[i].key,
			 brief ? k[i].brief : k[i].label);
		if ((int)(strlen(rows[r < 2 ? r : 1]) + strlen(item)) > COLS)
			r++;
		if (r < 2)
			strcat(rows[r], item);
	}
	return r + 1;
}

/*
 * Every key, on one row if it fits, else two: returns how many.  Full
 * labels or brief ones, one row or two, as the keys of every variant
 * need at this width, so the bar reads the same in each.
 */
static int draw_keys_layout(const struct view *v, char rows[2][400])
{
	struct draw_key k[20];
	int n = draw_key_list(v, true, k);
	int nrows = 2;
	bool brief = true;
	if (draw_keys_fill(k, n, false, rows) == 1)
		nrows = 1, brief = false;
	else if (draw_keys_fill(k, n, true, rows) == 1)
		nrows = 1;
	else if (draw_keys_fill(k, n, false, rows) <= 2)
		brief = false;
	n = draw_key_list(v, false, k);
	draw_keys_fill(k, n, brief, rows);
	return nrows;
}

static void draw_keys(const struct view *v, int y, int nrows)
{
	char rows[2][400];
	draw_keys_layout(v, rows);
	attron(A_REVERSE);
	for (int r = 0; r < nrows; r++) {
		mvhline(y + r, 0, ' ', COLS);
		draw_text(y + r, 0, COLS, rows[r]);
	}
	attroff(A_REVERSE);
}

/* Free mode: the real run's totals, which the replay is a part of. */
static void draw_totals_text(const struct view *v, char *buf, size_t size)
{
	buf[0] = '\0';
	if (v->cfg.mode != RT_FREE)
		return;
	const struct run_result *r = &v->res;
	int k = snprintf(buf, size, "real run: %llu events in %ld us, "
			 "invariant %s:", (unsigned long long)r->steps,
			 r->elapsed_us, run_verdict(r));
	for (int i = 0; i < r->nfigures && k > 0 && (size_t)k < size; i++)
		k += snprintf(buf + k, size - (size_t)k, " %s=%ld",
			      r->figures[i].name, r->figures[i].value);
	if (k > 0 && (size_t)k < size)
		snprintf(buf + k, size - (size_t)k, ".  Replayed: its first "
			 "%zu events, %llu lost updates seen in them.",
			 v->nfev, (unsigned long long)v->fseen);
}

static void draw_narration(const struct view *v, int y, int rows)
{
	const struct model *m = &v->m;
	if (m->say[0]) {
		bool fresh = m->say_step == m->step;
		attr_t a = fresh ? draw_alert() : A_NORMAL;
		attron(a);
		draw_text(y, 0, 2, "! ");
		draw_wrapped(y, 2, COLS - 2, 0, rows, m->say);
		attroff(a);
	}
	attron(draw_dim());
	draw_event_line(y + rows, COLS, m->last);
	attroff(draw_dim());
}

/* --- boxes --- */

/* A box's width for lines: the longest and a margin, within the screen. */
static int draw_box_width(const char *const *lines, int n)
{
	int w = 0;
	for (int i = 0; i < n; i++)
		if ((int)strlen(lines[i]) > w)
			w = (int)strlen(lines[i]);
	w += 4;
	return w > COLS - 2 ? COLS - 2 : w;
}

/* Rows a box of lines takes inside its margins, each wrapped to w - 4. */
static int draw_box_rows(const char *const *lines, int n, int w)
{
	int h = 0;
	for (int i = 0; i < n; i++)
		h += draw_rows(lines[i], w - 4, 2);
	return h;
}

/*
 * A box of lines, each wrapped to fit, in the middle of rows top..top+
 * rows-1 when it fits there, else from top down as far as it needs.
 */
static void draw_box_in(const char *const *lines, int n, int top, int rows)
{
	int w = draw_box_width(lines, n);
	int h = draw_box_rows(lines, n, w);
	if (h > LINES - 2)
		h = LINES - 2;
	int y = h + 2 <= rows ? top + (rows - h - 2) / 2 : top;
	if (y + h + 2 > LINES)
		y = LINES - h - 2;
	int x = (COLS - w) / 2;
	attron(A_REVERSE);
	for (int i = 0; i < h + 2; i++)
		mvhline(y + i, x, ' ', w);
	for (int i = 0, r = 0; i < n && r < h; i++)
		r += lines[i][0] ? draw_wrapped(y + 1 + r, x + 2, w - 4, 2,
						h - r, lines[i])
				 : 1;
	attroff(A_REVERSE);
}

/* A box of lines in the middle of the screen. */
static void draw_box(const char *const *lines, int n)
{
	draw_box_in(lines, n, 0, LINES);
}

/* The help's text: its lines into lines[], their storage in t. */
struct draw_help_text {
	char idea[300], vline[300], fail[300], pick[120], scroll[120];
	char lanes[300], who[300], slots[300], tasks[300];
};

static int draw_help_lines(const struct view *v, struct draw_help_text *t,
			   const char **lines)
{
	const struct lesson *l = v->cfg.lesson;
	const struct lesson_variant *var = &l->variants[v->cfg.variant];
	const char *unit = event_unit_word(v->m.unit);
	const char *units = event_units_word(v->m.unit);
	snprintf(t->idea, sizeof(t->idea), "%s: %s.", l->name, l->summary);
	snprintf(t->vline, sizeof(t->vline), "variant %s: %s.", var->name,
		 var->summary);
	if (var->fails)
		snprintf(t->fail, sizeof(t->fail), "f        load a run that "
			 "shows it fail (%s)", var->fails);
	else
		snprintf(t->fail, sizeof(t->fail), "f        a failing run "
			 "(broken variants only)");
	snprintf(t->pick, sizeof(t->pick), "1-9      run that %s (step "
		 "mode); 10 and up: digits, Enter", unit);
	snprintf(t->scroll, sizeof(t->scroll), "[ ]      scroll the %s list "
		 "(many %s)", unit, units);
	/* the timeline's marks, as draw_lanes() and draw_who() draw them */
	snprintf(t->lanes, sizeof(t->lanes), "timeline: a lane per %s, the "
		 "newest step on the right: %s it ran a step, %s it did not, "
		 "a letter (its name's first) a step of work.", unit,
		 draw_mark, draw_idle);
	snprintf(t->who, sizeof(t->who), "With more than 6 %s, or too few "
		 "rows, one row 'ran': the number of the %s that ran each "
		 "step (a = 10, b = 11, ...), or its name's first letter for "
		 "a step of work.", units, unit);
	const char *const all[] = {
		t->idea, t->vline, "",
		"interleave viewer: keys  (--record=FILE.cast records all of it)",
		"space    play / pause (stops at every new !)",
		"n Right  one step forward",
		"b Left   one step back (the run is replayed exactly)",
		"!        run to the next ! line",
		t->pick, t->scroll,
		"+ -      faster / slower",
		"r        restart (free mode: replay)",
		"s        step: a random run with a new seed; free: a new run",
		"v        next variant",
		t->fail,
		"x        the explorer's run that fails with fewest preemptions",
		"w        save the run: schedule, command line, transcript",
		"p        predict: a question about this run, answered before "
		"its end is shown",
		"g        challenge: the next goal to reach as the scheduler",
		"c        high-contrast theme (INTERLEAVE_THEME=contrast)",
		"q        quit, here too; other keys page on, then close this "
		"help",
		"", t->lanes, t->who, t->slots, t->tasks,
	};
	/* the buffer's marks, when the lesson draws one */
	snprintf(t->slots, sizeof(t->slots), "%s: a slot per item, with its "
		 "variable's name under it when the lesson names them; ^head: "
		 "the next to take, ^tail: the next free slot; (full): none "
		 "is free.", v->m.buf_heading ? v->m.buf_heading : "buffer");
	/* the task queue's marks, when the lesson draws one */
	snprintf(t->tasks, sizeof(t->tasks), "tasks: a cell per task, its "
		 "item in it; under it: wait (not taken yet), the %s that "
		 "holds it, done, or lost (the %s that held it ended before "
		 "it was done).", unit, unit);
	int n = 0;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if ((all[i] != t->slots || v->m.nbuf) &&
		    (all[i] != t->tasks || v->m.ntasks))
			lines[n++] = all[i];
	return n;
}

enum { DRAW_HELP_MAX = 32 };

/* Where each page of the help starts (first[0] = 0); how many pages.  A
 * page is as many whole lines as fit, with a row left for "page k of n". */
static int draw_help_split(const char *const *lines, int n, int *first)
{
	int w = draw_box_width(lines, n) - 4, room = LINES - 2, total = 0;
	for (int i = 0; i < n; i++)
		total += draw_rows(lines[i], w, 2);
	first[0] = 0;
	if (total <= room)
		return 1;
	int pages = 1;
	for (int i = 0, used = 0; i < n; i++) {
		int r = draw_rows(lines[i], w, 2);
		if (used + r > room - 1 && used > 0) {
			first[pages++] = i;
			used = 0;
		}
		used += r;
	}
	return pages;
}

int draw_help_pages(const struct view *v)
{
	struct draw_help_text t = { 0 }; /* cppcheck reads the snprintf()s as reads */
	const char *lines[DRAW_HELP_MAX];
	int first[DRAW_HELP_MAX];
	int n = draw_help_lines(v, &t, lines);
	return draw_help_split(lines, n, first);
}

/* Page v->help (from 1) of the help; a short terminal pages it. */
static void draw_help(const struct view *v)
{
	struct draw_help_text t = { 0 }; /* cppcheck reads the snprintf()s as reads */
	const char *lines[DRAW_HELP_MAX + 1];
	int first[DRAW_HELP_MAX + 1];
	int n = draw_help_lines(v, &t, lines);
	int pages = draw_help_split(lines, n, first);
	int page = v->help > pages ? pages : v->help;
	int from = first[page - 1], to = page < pages ? first[page] : n;
	char more[400];
	const char *shown[DRAW_HELP_MAX + 1];
	int k = 0;
	for (int i = from; i < to; i++)
		shown[k++] = lines[i];
	if (pages > 1) { /* as wide as the whole help: pages wrap alike */
		char say[80];
		snprintf(say, sizeof(say), "-- page %d of %d: %s --", page,
			 pages, page < pages ? "any key for the next, q quits"
					     : "any key closes this help");
		snprintf(more, sizeof(more), "%-*s",
			 draw_box_width(lines, n) - 4, say);
		shown[k++] = more;
	}
	draw_box(shown, k);
}

/*
 * The end box's lines (lines[0] how the run ended, verdict among them,
 * the keys last) over the source pane, rows top.. of code rows.  When
 * they do not fit: no blank lines, how and the verdict on one line, the
 * keys left to the key bar; then the thread list's rows too.
 */
static void draw_summary_box(const char **lines, int n, const char *verdict,
			     int top, int code)
{
	if (draw_box_rows(lines, n, draw_box_width(lines, n)) + 2 <= code) {
		draw_box_in(lines, n, top, code);
		return;
	}
	const char *tight[10];
	char both[300];
	int k = 0;
	snprintf(both, sizeof(both), "%s; %s", lines[0], verdict);
	tight[k++] = both;
	for (int i = 1; i < n - 1; i++)
		if (lines[i][0] && lines[i] != verdict)
			tight[k++] = lines[i];
	if (draw_box_rows(tight, k, draw_box_width(tight, k)) + 2 > code) {
		code += top - 1; /* from the row under the title */
		top = 1;
	}
	draw_box_in(tight, k, top, code);
}

/*
 * The end of the run, over the source pane (rows top.. of code rows): the
 * state panes under it hold the run's final picture (pool's results, the
 * deadlock's waits), which is what the box is about.  When the box does
 * not fit there, its blank lines go, then it takes the thread list's rows
 * above, and only then the panes below.
 */
static void draw_summary(const struct view *v, int top, int code)
{
	const struct run_result *r = &v->res;
	char what[120], figures[400] = "", verdict[80], totals[200] = "";
	if (r->end == RUN_DEADLOCK)
		snprintf(what, sizeof(what), "Deadlock: every live %s is blocked",
			 event_unit_word(v->m.unit));
	else
		snprintf(what, sizeof(what), "%s",
			 r->end == RUN_STEP_LIMIT ? "Stopped at --max-steps"
			 : v->cfg.mode == RT_FREE ? "End of the replay"
						  : "Run complete");
	snprintf(verdict, sizeof(verdict), "invariant %s", run_verdict(r));
	for (int i = 0; i < r->nfigures; i++) {
		char f[64];
		snprintf(f, sizeof(f), "%s%s=%ld", i ? "  " : "",
			 r->figures[i].name, r->figures[i].value);
		strncat(figures, f, sizeof(figures) - strlen(figures) - 1);
	}
	if (v->cfg.mode == RT_FREE)
		snprintf(totals, sizeof(totals), "the real run: %llu events "
			 "in %ld us; the first %zu replayed, %llu lost "
			 "updates seen in them", (unsigned long long)r->steps,
			 r->elapsed_us, v->nfev, (unsigned long long)v->fseen);
	char cycle[MODEL_SAY + 32] = "";
	if (v->m.ncycle)
		snprintf(cycle, sizeof(cycle), "the cycle of waits: %s",
			 v->m.arrows);
	const char *lines[10];
	int n = 0;
	lines[n++] = what;
	if (cycle[0]) /* no cycle line, not an empty one */
		lines[n++] = cycle;
	lines[n++] = "";
	lines[n++] = verdict;
	lines[n++] = figures;
	if (totals[0])
		lines[n++] = totals;
	lines[n++] = "";
	if (v->quiz_said[0]) { /* the prediction's verdict, before the keys */
		lines[n++] = v->quiz_said;
		lines[n++] = "";
	}
	lines[n++] = "r restart  s new seed/run  v next variant  w save  "
		     "b back  q quit";
	draw_summary_box(lines, n, verdict, top, code);
}

static void draw_too_small(void)
{
	char need[64], have[64];
	erase();
	snprintf(need, sizeof(need), "interleave needs at least %dx%d;",
		 DRAW_MIN_COLS, DRAW_MIN_LINES);
	snprintf(have, sizeof(have), "this terminal is %dx%d.", COLS, LINES);
	draw_text(0, 0, COLS, need);
	draw_text(1, 0, COLS, have);
	draw_text(2, 0, COLS, "Make it larger, or press q.");
	term_refresh();
}

/* --- the frame --- */

void draw_frame(const struct view *v)
{
	draw_unit = v->m.unit;
	if (draw_too_small_now()) {
		draw_too_small();
		return;
	}
	draw_hc = v->contrast;
	draw_pairs(draw_hc);
	erase();
	const struct model *m = &v->m;
	char rows[2][400], totals[600];
	int keys = draw_keys_layout(v, rows);
	draw_totals_text(v, totals, sizeof(totals));
	int msg = v->msg[0] ? draw_rows(v->msg, COLS, 0) : 1;
	msg = msg > 3 ? 3 : msg;
	int tot = totals[0] ? draw_rows(totals, COLS, 0) : 0;
	tot = tot > 2 ? 2 : tot;
	int say = m->say[0] ? draw_rows(m->say, COLS - 2, 0) : 1;
	int chart = m->chart_obj >= 0;
	int half = COLS / 2 - 1;
	draw_short_pipes = draw_pipes_short(m, COLS - half - 2);
	int state = draw_shared_rows(m, half);
	int prims = draw_prims_rows(m, COLS - half - 2);
	state = prims > state ? prims : state;
	int fixed = 1 + keys + msg + tot + 1 + say + 1 + 1 + chart;
	int lanes = m->nthreads <= 6 ? m->nthreads : 1;
	int threads = draw_threads_rows(m, 4);
	int min_code = 6;
	/* the state gets what it needs, but leaves the code min_code rows */
	if (LINES - fixed - state - lanes - threads < min_code && lanes > 1)
		lanes = 1;
	if (LINES - fixed - state - lanes - threads < min_code && threads > 2)
		threads = m->nthreads <= 2 ? m->nthreads
					   : draw_compact_rows(m, 2);
	int cap = LINES - fixed - lanes - threads - min_code;
	if (state > cap)
		state = cap < 3 ? 3 : cap;
	int code = LINES - fixed - state - lanes - threads;
	if (code < 3) {
		state -= 3 - code;
		code = 3;
	}
	int y = 1;
	draw_title(v);
	if (!draw_proc_columns(v, y, threads) &&
	    !draw_threads_full(v, y, threads))
		draw_threads_compact(v, y, threads);
	y += threads;
	draw_source(v, y, code);
	int code_top = y;
	y += code;
	mvhline(y++, 0, draw_utf8 ? 0 : '-', COLS);
	draw_shared(v, y, 0, half, state);
	draw_vline(y, half, state);
	draw_prims(v, y, half + 2, COLS - half - 2, state);
	y += state;
	mvhline(y, 0, draw_utf8 ? 0 : '-', COLS);
	draw_text(y++, 2, 20, " timeline ");
	if (lanes == m->nthreads && lanes <= 6)
		draw_lanes(v, y, lanes);
	else
		draw_who(v, y);
	y += lanes;
	if (chart)
		draw_chart(v, y++);
	draw_narration(v, y, say);
	y += say + 1;
	if (tot) {
		attron(A_BOLD);
		y += draw_wrapped(y, 0, COLS, 0, tot, totals);
		attroff(A_BOLD);
	}
	if (v->msg[0]) {
		attron(draw_alert());
		draw_wrapped(y, 0, COLS, 0, msg, v->msg);
		attroff(draw_alert());
	}
	draw_keys(v, LINES - keys, keys);
	if (v->finished && !v->help)
		draw_summary(v, code_top, code);
	if (v->help)
		draw_help(v);
	term_refresh();
}
