/*
 * draw.c: the viewer's screen, drawn from the model and nothing else.
 *
 *   title: lesson, variant, mode, policy, seed, step
 *   one column per thread: name, state, the real source around its line
 *   shared state: variables, each thread's held read, every primitive
 *   timeline: one lane per thread, a mark for each step it ran
 *   narration: what the runtime flagged, and the last event
 *   message line, keys
 *
 * A frame is drawn into stdscr and sent with one refresh(): curses sends
 * only what changed.  Below 80x24 the screen says what size it needs.
 */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

#define DRAW_MIN_COLS 80
#define DRAW_MIN_LINES 24
#define DRAW_TAB 4

enum { PAIR_TITLE = 7, PAIR_CHANGED, PAIR_ALERT, DRAW_THREAD_PAIRS = 6 };

static bool draw_color;
static const char *draw_cursor = ">", *draw_mark = "#", *draw_idle = ".";
static bool draw_utf8;

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
	static const short fg[DRAW_THREAD_PAIRS] = {
		COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_MAGENTA,
		COLOR_RED, COLOR_BLUE,
	};
	for (short i = 0; i < DRAW_THREAD_PAIRS; i++)
		init_pair(i + 1, fg[i], -1);
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_CHANGED, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_ALERT, COLOR_RED, -1);
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

/* Text at (y, x), cut to width columns. */
static void draw_text(int y, int x, int width, const char *s)
{
	if (width > 0)
		mvaddnstr(y, x, s, width);
}

static void draw_vline(int y, int x, int n)
{
	for (int i = 0; i < n; i++)
		mvaddstr(y + i, x, draw_utf8 ? "\u2502" : "|");
}

/*
 * A source line with tabs expanded, cut to width.  Narrow columns (many
 * threads) get narrower tabs, so the code and not its indent stays.
 */
static void draw_source_line(char *out, int width, const char *src)
{
	int k = 0, tab = width < 30 ? 2 : DRAW_TAB;
	for (const char *p = src; *p && k < width; p++) {
		if (*p == '\t') {
			do
				out[k++] = ' ';
			while (k % tab && k < width);
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
}

static const char *const draw_policies[] = { "random", "rr", "manual" };

static void draw_title(const struct view *v)
{
	const struct run_config *c = &v->cfg;
	char left[200], right[80];
	if (c->mode == RT_STEP)
		snprintf(left, sizeof(left), " %s  variant %s  step mode  "
			 "policy %s  seed %llu", c->lesson->name,
			 c->lesson->variants[c->variant].name,
			 draw_policies[c->policy], (unsigned long long)c->seed);
	else
		snprintf(left, sizeof(left), " %s  variant %s  free mode "
			 "(replaying a real run)", c->lesson->name,
			 c->lesson->variants[c->variant].name);
	snprintf(right, sizeof(right), "%s step %llu ",
		 v->playing ? "playing" : "paused",
		 (unsigned long long)(c->mode == RT_STEP ? v->m.step
							 : v->fsteps));
	attron(draw_pair(PAIR_TITLE, A_REVERSE));
	mvhline(0, 0, ' ', COLS);
	draw_text(0, 0, COLS, left);
	draw_text(0, COLS - (int)strlen(right), (int)strlen(right), right);
	attroff(draw_pair(PAIR_TITLE, A_REVERSE));
}

/* One thread's column: header, state, source around its line. */
static void draw_column(const struct view *v, int id, int x, int y,
			int width, int height)
{
	const struct model_thread *t = &v->m.threads[id];
	char buf[256], state[96];
	attron(draw_thread_attr(id));
	snprintf(buf, sizeof(buf), "T%d %s", id, t->name);
	draw_text(y, x, width, buf);
	attroff(draw_thread_attr(id));
	model_state_text(&v->m, id, state, sizeof(state));
	attr_t sa = t->state == MT_BLOCKED ? draw_pair(PAIR_ALERT, A_BOLD)
					   : A_DIM;
	attron(sa);
	draw_text(y + 1, x, width, state);
	attroff(sa);
	int rows = height - 2, top = t->line - rows / 2;
	if (top + rows > v->nsrc + 1)
		top = v->nsrc + 1 - rows;
	if (top < 1)
		top = 1;
	for (int r = 0; r < rows && top + r <= v->nsrc; r++) {
		int ln = top + r;
		bool here = ln == t->line && t->state != MT_DONE;
		char code[256];
		draw_source_line(code, width - 6 > 0 ? width - 6 : 0,
				 v->src[ln]);
		snprintf(buf, sizeof(buf), "%3d ", ln);
		attron(A_DIM);
		draw_text(y + 2 + r, x, 4, buf);
		attroff(A_DIM);
		if (here) {
			attron(draw_thread_attr(id) | A_REVERSE);
			mvhline(y + 2 + r, x + 4, ' ', width - 4);
			mvaddstr(y + 2 + r, x + 4, draw_cursor);
		}
		draw_text(y + 2 + r, x + 6, width - 6, code);
		if (here)
			attroff(draw_thread_attr(id) | A_REVERSE);
	}
}

static void draw_columns(const struct view *v, int y, int height)
{
	int n = v->m.nthreads, shown = COLS / 20;
	if (shown > n)
		shown = n;
	int width = COLS / shown;
	for (int i = 0; i < shown; i++) {
		int x = i * width;
		if (i > 0)
			draw_vline(y, x - 1, height);
		draw_column(v, i + 1, x, y, width - 1, height);
	}
	if (shown < n) {
		char more[48];
		snprintf(more, sizeof(more), " +%d more threads ", n - shown);
		draw_text(y, COLS - (int)strlen(more), (int)strlen(more), more);
	}
}

/* "A     |=====>....| 5/10": a variable as a position on a track. */
static void draw_track(const struct model_obj *o, char *buf, size_t size,
		       int width)
{
	int len = width - 22 > 10 ? width - 22 : 10;
	if (len > 60)
		len = 60;
	long pos = o->value < 0 ? 0 : o->value > o->track ? o->track : o->value;
	int at = (int)(pos * (len - 1) / o->track);
	int k = snprintf(buf, size, "%-6s|", o->name);
	for (int i = 0; i < len && (size_t)k + 2 < size; i++)
		buf[k++] = i < at ? '=' : i == at ? '>' : '.';
	snprintf(buf + k, size - (size_t)k, "| %ld/%ld", pos, o->track);
}

/* Variables, and what each thread holds from its last read. */
static int draw_shared(const struct view *v, int y, int x, int width,
		       int rows)
{
	const struct model *m = &v->m;
	char buf[160];
	int r = 0;
	attron(A_UNDERLINE);
	draw_text(y + r++, x, width, "shared variables");
	attroff(A_UNDERLINE);
	for (int i = 0; i < m->nobjs && r < rows; i++) {
		const struct model_obj *o = &m->objs[i];
		if (o->kind != OBJ_VAR || model_is_slot(m, i))
			continue;
		if (o->track > 0)
			draw_track(o, buf, sizeof(buf), width - 4);
		else
			snprintf(buf, sizeof(buf), "%-10s = %ld", o->name,
				 o->value);
		bool hot = o->changed && o->changed == m->step;
		attr_t a = hot ? draw_pair(PAIR_CHANGED, A_REVERSE) : A_BOLD;
		attron(a);
		draw_text(y + r++, x + 2, width - 2, buf);
		attroff(a);
	}
	for (int i = 1; i <= m->nthreads && r < rows; i++) {
		const struct model_thread *t = &m->threads[i];
		if (!t->has_tmp)
			continue;
		snprintf(buf, sizeof(buf), "T%d tmp = %ld  (read of %s)%s", i,
			 t->tmp, m->objs[t->tmp_obj].name,
			 t->tmp_stale ? "  STALE" : "");
		attron(t->tmp_stale ? draw_pair(PAIR_ALERT, A_BOLD)
				    : draw_thread_attr(i));
		draw_text(y + r++, x + 2, width - 2, buf);
		attroff(t->tmp_stale ? draw_pair(PAIR_ALERT, A_BOLD)
				     : draw_thread_attr(i));
	}
	return r;
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
	for (int i = 0; i < n; i++) {
		char t[8];
		snprintf(t, sizeof(t), " T%d", ids[i]);
		strncat(buf, t, size - strlen(buf) - 1);
	}
}

/* "semaphore s: [T1][T2][  ] count 0 of at most 2": who holds each permit. */
static void draw_permits(const struct model_obj *o, char *buf, size_t size)
{
	snprintf(buf, size, "semaphore %s:", o->name);
	for (int i = 0; !o->signalling &&
			i < o->nholders + (o->value > 0 ? o->value : 0); i++) {
		char slot[16];
		if (i < o->nholders)
			snprintf(slot, sizeof(slot), "%s[T%d]", i ? "" : " ",
				 o->holders[i]);
		else
			snprintf(slot, sizeof(slot), "%s[  ]", i ? "" : " ");
		strncat(buf, slot, size - strlen(buf) - 1);
		if (i >= 12) {
			strncat(buf, "..", size - strlen(buf) - 1);
			break;
		}
	}
	snprintf(buf + strlen(buf), size - strlen(buf), " count %ld",
		 o->value);
	if (o->bound)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 " of at most %ld", o->bound);
}

static void draw_prim(const struct model *m, int i, char *buf, size_t size)
{
	const struct model_obj *o = &m->objs[i];
	switch (o->kind) {
	case OBJ_MUTEX:
		if (o->owner)
			snprintf(buf, size, "mutex %s: held by T%d%s", o->name,
				 o->owner, o->depth > 1 ? " (recursively)" : "");
		else
			snprintf(buf, size, "mutex %s: free", o->name);
		break;
	case OBJ_SEMA:
		draw_permits(o, buf, size);
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
	case OBJ_VAR:
		buf[0] = '\0';
		return;
	}
	draw_waiters(m, i, buf, size);
}

/*
 * The buffer as a row of slots with their items, and under it where head
 * and tail point.  Returns the rows used.
 */
static int draw_buffer(const struct model *m, int y, int x, int width)
{
	char row[256] = "buffer ", marks[256];
	int cell = 5, k = 7;
	for (int i = 0; i < m->nbuf && k + cell < (int)sizeof(row) - 1; i++) {
		long item = m->objs[m->buf_slots[i]].value;
		if (item)
			k += snprintf(row + k, sizeof(row) - (size_t)k,
				      "[%3ld]", item);
		else
			k += snprintf(row + k, sizeof(row) - (size_t)k,
				      "[   ]");
	}
	memset(marks, ' ', sizeof(marks));
	marks[sizeof(marks) - 1] = '\0';
	int ends[2] = { m->buf_head, m->buf_tail };
	const char *names[2] = { "^head", "^tail" };
	for (int j = 0; j < 2; j++) {
		if (ends[j] < 0 || m->nbuf == 0)
			continue;
		long at = m->objs[ends[j]].value;
		at = ((at % m->nbuf) + m->nbuf) % m->nbuf;
		int col = 7 + (int)at * cell + 2 + j * 6;
		if (col + 5 < (int)sizeof(marks) - 1)
			memcpy(marks + col, names[j], 5);
	}
	int end = (int)sizeof(marks) - 2;
	while (end > 0 && marks[end] == ' ')
		marks[end--] = '\0';
	attron(A_BOLD);
	draw_text(y, x, width, row);
	attroff(A_BOLD);
	draw_text(y + 1, x, width, marks);
	return 2;
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
		r += draw_buffer(m, y + r, x + 2, width - 2);
	for (int i = 0; i < m->nobjs && r < rows; i++) {
		char buf[200];
		draw_prim(m, i, buf, sizeof(buf));
		if (!buf[0])
			continue;
		bool hot = m->objs[i].changed == m->step && m->step;
		if (hot)
			attron(A_BOLD);
		/* a long line (many waiters) wraps, indented */
		for (int at = 0, len = (int)strlen(buf); at < len && r < rows;
		     at += width - (at ? 6 : 2))
			draw_text(y + r++, x + (at ? 6 : 2),
				  width - (at ? 6 : 2), buf + at);
		if (hot)
			attroff(A_BOLD);
	}
	if (m->fired && r < rows) {
		attron(draw_pair(PAIR_ALERT, A_BOLD) | A_BOLD);
		draw_text(y + r++, x + 2, width - 2, "Fire! (the barrier "
			  "action ran)");
		attroff(draw_pair(PAIR_ALERT, A_BOLD) | A_BOLD);
	}
}

/* One lane per thread: a mark at each of the last steps it ran. */
static void draw_timeline(const struct view *v, int y, int lanes)
{
	const struct model *m = &v->m;
	int width = COLS - 14;
	uint64_t now = m->step;
	uint64_t from = now > (uint64_t)width ? now - (uint64_t)width : 0;
	if (now - from > MODEL_TIMELINE)
		from = now - MODEL_TIMELINE;
	for (int id = 1; id <= lanes; id++) {
		char label[16];
		snprintf(label, sizeof(label), "T%-2d", id);
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
				attron(A_DIM);
				mvaddstr(y + id - 1, x, draw_idle);
				attroff(A_DIM);
			}
		}
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
	int width = COLS - 14;
	uint64_t now = m->step;
	uint64_t from = now > (uint64_t)width ? now - (uint64_t)width : 0;
	long top = 1;
	for (uint64_t s = from; s < now; s++)
		if (m->chart[s % MODEL_TIMELINE] > top)
			top = m->chart[s % MODEL_TIMELINE];
	char label[32];
	snprintf(label, sizeof(label), "%.3s", o->name);
	attron(A_BOLD);
	draw_text(y, 0, 4, label);
	attroff(A_BOLD);
	for (uint64_t s = from; s < now; s++) {
		long val = m->chart[s % MODEL_TIMELINE];
		int x = 4 + (int)(s - from);
		char digit[2] = { val > 9 ? '+' : (char)('0' + (val < 0 ? 0 : val)),
				  0 };
		long level = val <= 0 ? 0 : (val * 8 + top - 1) / top;
		mvaddstr(y, x, draw_utf8 ? bars[level > 8 ? 8 : level] : digit);
	}
	char peak[48];
	snprintf(peak, sizeof(peak), " %s now %ld, top %ld ", o->name, o->value,
		 top);
	draw_text(y - 1 - (m->nthreads < 6 ? m->nthreads : 6), COLS - 30, 30,
		  peak);
}

static void draw_narration(const struct view *v, int y)
{
	const struct model *m = &v->m;
	if (m->say[0]) {
		bool fresh = m->say_step == m->step;
		attr_t a = fresh ? draw_pair(PAIR_ALERT, A_BOLD) | A_BOLD
				 : A_NORMAL;
		attron(a);
		draw_text(y, 0, 2, "! ");
		draw_text(y, 2, COLS - 2, m->say);
		attroff(a);
	}
	attron(A_DIM);
	draw_text(y + 1, 0, COLS, m->last);
	attroff(A_DIM);
}

static void draw_keys(const struct view *v, int y)
{
	const char *keys = v->cfg.mode == RT_STEP
		? " space play  n step  b back  1-9 run thread  +/- speed  "
		  "r restart  s seed  v variant  ? help  q quit"
		: " space play  n step  b back  +/- speed  r replay  "
		  "s new run  v variant  ? help  q quit";
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	draw_text(y, 0, COLS, keys);
	attroff(A_REVERSE);
	if (v->msg[0]) {
		attron(draw_pair(PAIR_ALERT, A_BOLD) | A_BOLD);
		draw_text(y - 1, 0, COLS, v->msg);
		attroff(draw_pair(PAIR_ALERT, A_BOLD) | A_BOLD);
	}
}

/* A box of lines in the middle of the screen. */
static void draw_box(const char *const *lines, int n)
{
	int w = 0;
	for (int i = 0; i < n; i++)
		if ((int)strlen(lines[i]) > w)
			w = (int)strlen(lines[i]);
	w += 4;
	if (w > COLS - 2)
		w = COLS - 2;
	int y = (LINES - n - 2) / 2, x = (COLS - w) / 2;
	attron(A_REVERSE);
	for (int i = 0; i < n + 2; i++)
		mvhline(y + i, x, ' ', w);
	for (int i = 0; i < n; i++)
		draw_text(y + 1 + i, x + 2, w - 4, lines[i]);
	attroff(A_REVERSE);
}

static void draw_help(void)
{
	static const char *const lines[] = {
		"interleave viewer: keys",
		"",
		"space    play / pause",
		"n Right  one step forward",
		"b Left   one step back (the run is replayed exactly)",
		"1-9      run that thread one step (step mode)",
		"+ -      faster / slower",
		"r        restart (step: same seed; free: replay the run)",
		"s        new seed (step) or a new real run (free)",
		"v        next variant",
		"?        this help",
		"q        quit",
		"",
		"any key closes this help",
	};
	draw_box(lines, (int)(sizeof(lines) / sizeof(lines[0])));
}

static void draw_summary(const struct view *v)
{
	const struct run_result *r = &v->res;
	char what[120], figures[400] = "", verdict[80];
	snprintf(what, sizeof(what), "%s",
		 r->end == RUN_DEADLOCK	   ? "Deadlock: every live thread "
					     "is blocked"
		 : r->end == RUN_STEP_LIMIT ? "Stopped at --max-steps"
		 : v->cfg.mode == RT_FREE   ? "End of the recorded run"
					    : "Run complete");
	snprintf(verdict, sizeof(verdict), "invariant %s", run_verdict(r));
	for (int i = 0; i < r->nfigures; i++) {
		char f[64];
		snprintf(f, sizeof(f), "%s%s=%ld", i ? "  " : "",
			 r->figures[i].name, r->figures[i].value);
		strncat(figures, f, sizeof(figures) - strlen(figures) - 1);
	}
	char totals[120] = "";
	if (v->cfg.mode == RT_FREE)
		snprintf(totals, sizeof(totals), "%llu events in %ld us; "
			 "the first %zu replayed",
			 (unsigned long long)r->steps, r->elapsed_us, v->nfev);
	const char *lines[] = { what, "", verdict, figures, totals, "",
				"r restart  s new seed/run  v next variant  "
				"b back  q quit" };
	draw_box(lines, 7);
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
	refresh();
}

void draw_frame(const struct view *v)
{
	if (COLS < DRAW_MIN_COLS || LINES < DRAW_MIN_LINES) {
		draw_too_small();
		return;
	}
	erase();
	const struct model *m = &v->m;
	int lanes = m->nthreads < 6 ? m->nthreads : 6;
	int chart = m->chart_obj >= 0;
	int prim_rows = 1, shared_rows = 1;
	for (int i = 0; i < m->nobjs; i++)
		prim_rows += m->objs[i].kind != OBJ_VAR;
	prim_rows += m->nbuf ? 2 : 0;
	for (int i = 0; i < m->nobjs; i++)
		shared_rows += m->objs[i].kind == OBJ_VAR;
	shared_rows += m->nthreads;
	int state_rows = prim_rows + 1 > shared_rows ? prim_rows + 1
						     : shared_rows;
	if (state_rows > LINES / 3)
		state_rows = LINES / 3;
	int bottom = LINES - 4; /* narration 2, message 1, keys 1 */
	int tl_y = bottom - lanes - chart - 1;
	int st_y = tl_y - state_rows - 1;
	draw_title(v);
	draw_columns(v, 1, st_y - 1);
	mvhline(st_y - 1, 0, draw_utf8 ? 0 : '-', COLS);
	draw_shared(v, st_y, 0, COLS / 2 - 1, state_rows);
	draw_vline(st_y, COLS / 2 - 1, state_rows);
	draw_prims(v, st_y, COLS / 2 + 1, COLS - COLS / 2 - 1, state_rows);
	mvhline(tl_y, 0, draw_utf8 ? 0 : '-', COLS);
	draw_text(tl_y, 2, 20, " timeline ");
	draw_timeline(v, tl_y + 1, lanes);
	if (chart)
		draw_chart(v, tl_y + 1 + lanes);
	draw_narration(v, bottom);
	draw_keys(v, LINES - 1);
	if (v->finished && !v->help)
		draw_summary(v);
	if (v->help)
		draw_help();
	refresh();
}
