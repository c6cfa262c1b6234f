/*
 * menu.c: the launcher's menu, on the terminal with ncurses.
 *
 * Rows come from the catalog: a heading per topic, a line per lesson with
 * its idea (and the person's progress, from the state files), and under
 * it a line per variant and per challenge, which is what the cursor
 * moves over; Enter gives the terminal back and opens the variant, or
 * the challenge, in the lesson's own viewer, and the menu is drawn
 * afresh when it returns.
 *
 * Like the viewer, it sleeps in poll() on the terminal and on a self-pipe
 * that the signal handlers write to, and restores the terminal on every
 * way out: q, end of input, SIGINT, SIGTERM, SIGHUP, exit() (atexit) and,
 * as far as it can, a crash: term.c does that for both.
 */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "launcher.h"
#include "term.h"

#define MENU_MAX_ROWS 1024
#define MENU_TOP 2 /* the first row of the list; above it, the title */

struct menu {
	struct catalog_row rows[MENU_MAX_ROWS];
	int nrows;
	int cursor; /* a CATALOG_VARIANT or CATALOG_CHALLENGE row */
	int top;    /* the first row on screen */
	char status[512];
	const struct menu_ops *ops;
};

/* --- the terminal (term.c) --- */

static void menu_curses(void)
{
	if (!term_signals(NULL)) {
		fprintf(stderr, "interleave: pipe: %s\n", strerror(errno));
		exit(1);
	}
	if (!term_start()) {
		fprintf(stderr, "interleave: cannot start the terminal "
			"(TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "unset");
		exit(1);
	}
	set_escdelay(25);
}

int menu_signal(void)
{
	return term_signal;
}

/* --- drawing --- */

/*
 * s at (y, x), so that nothing wraps: what does not fit is cut at a space
 * (in the right half of the room) and ends in "...".
 */
static void menu_put(int y, int x, int attr, const char *s)
{
	int room = COLS - x;
	if (y < 0 || y >= LINES || room <= 0)
		return;
	attron(attr);
	if ((int)strlen(s) <= room || room <= 3) {
		mvaddnstr(y, x, s, room);
	} else {
		int n = room - 3;
		for (int k = n; k > room / 2; k--)
			if (s[k] == ' ') {
				n = k;
				break;
			}
		mvaddnstr(y, x, s, n);
		addstr("...");
	}
	attroff(attr);
}

/* Is the row a choice (the cursor stops there)? */
static bool menu_choice(const struct catalog_row *r)
{
	return r->kind == CATALOG_VARIANT || r->kind == CATALOG_CHALLENGE;
}

/* Has the person done it: the variant opened, the challenge met? */
static bool menu_done(const struct menu *m, const struct catalog_row *r)
{
	const struct state_book *b = m->ops->book;
	char n[16];
	if (!b)
		return false;
	if (r->kind == CATALOG_VARIANT)
		return state_has(&b->file[STATE_OPENED], r->lesson->name,
				 r->lesson->variants[r->variant].name);
	snprintf(n, sizeof(n), "%d", r->variant + 1);
	return state_has(&b->file[STATE_CHALLENGES], r->lesson->name, n);
}

/*
 * A lesson's progress, "[challenges 2/3, answered 1/2] ", or "" before
 * any: the challenges met and the questions answered (right or wrong:
 * not a score), of how many it has.
 */
static void menu_progress(const struct menu *m, const struct lesson *l,
			  char *buf, size_t size)
{
	const struct state_book *b = m->ops->book;
	int nc = 0, nq = 0;
	buf[0] = '\0';
	while (l->challenges && l->challenges[nc].goal)
		nc++;
	while (l->questions && l->questions[nq].ask)
		nq++;
	int met = b ? state_count(&b->file[STATE_CHALLENGES], l->name) : 0;
	int said = b ? state_count(&b->file[STATE_QUIZZES], l->name) : 0;
	if (met > nc)
		met = nc; /* a line from a lesson that had more, once */
	if (said > nq)
		said = nq;
	if (met || said)
		snprintf(buf, size, "[challenges %d/%d, answered %d/%d] ", met,
			 nc, said, nq);
}

static void menu_row(const struct menu *m, int i, int y)
{
	const struct catalog_row *r = &m->rows[i];
	const struct lesson *l = r->lesson;
	const char *cursor = i == m->cursor ? "  >" : "   ";
	const char *mark = menu_choice(r) && menu_done(m, r) ? "*" : " ";
	int attr = i == m->cursor ? A_REVERSE : A_NORMAL;
	char line[512], progress[64], name[32];
	switch (r->kind) {
	case CATALOG_TOPIC:
		menu_put(y, 1, A_BOLD | A_UNDERLINE, r->topic);
		break;
	case CATALOG_LESSON:
		menu_progress(m, l, progress, sizeof(progress));
		snprintf(line, sizeof(line), "  %-11s %s%s", l->name, progress,
			 l->summary);
		menu_put(y, 1, A_BOLD, line);
		break;
	case CATALOG_VARIANT: {
		const struct lesson_variant *v = &l->variants[r->variant];
		snprintf(line, sizeof(line), "%s %s %-15s %s", cursor, mark,
			 v->name, v->summary);
		menu_put(y, 1, attr, line);
		break;
	}
	case CATALOG_CHALLENGE:
		snprintf(name, sizeof(name), "challenge %d", r->variant + 1);
		snprintf(line, sizeof(line), "%s %s %-15s %s", cursor, mark,
			 name, l->challenges[r->variant].says);
		menu_put(y, 1, attr, line);
		break;
	}
}

/* Rows that fit between the title and the two bottom lines. */
static int menu_height(void)
{
	int h = LINES - MENU_TOP - 3;
	return h > 1 ? h : 1;
}

/* Scroll so that the cursor shows, with its lesson's line where it can. */
static void menu_scroll(struct menu *m)
{
	int h = menu_height(), want = m->cursor;
	while (want > 0 && m->rows[want].kind != CATALOG_LESSON)
		want--;
	if (want > 0 && m->rows[want - 1].kind == CATALOG_TOPIC)
		want--;
	if (m->cursor - want >= h)
		want = m->cursor - h + 1;
	if (want < m->top)
		m->top = want;
	if (m->cursor >= m->top + h)
		m->top = m->cursor - h + 1;
}

static void menu_draw(struct menu *m)
{
	char title[256];
	erase();
	snprintf(title, sizeof(title), " interleave %s: every lesson by "
		 "topic; choose a variant and press Enter", INTERLEAVE_VERSION);
	menu_put(0, 0, A_BOLD, title);
	menu_scroll(m);
	int h = menu_height();
	for (int i = m->top; i < m->nrows && i < m->top + h; i++)
		menu_row(m, i, MENU_TOP + i - m->top);
	if (m->top > 0)
		menu_put(MENU_TOP - 1, COLS > 12 ? COLS - 12 : 0, A_NORMAL,
			 "(more above)");
	if (m->top + h < m->nrows)
		menu_put(MENU_TOP + h, COLS > 12 ? COLS - 12 : 0, A_NORMAL,
			 "(more below)");
	menu_put(LINES - 2, 1, A_NORMAL, m->status);
	menu_put(LINES - 1, 0, A_REVERSE,
		 " Up/Down choose  Enter open  q quit   * opened or met ");
	refresh();
}

/* --- keys --- */

/* Move the cursor by dir (+1, -1) over the choices, n of them at most. */
static void menu_move(struct menu *m, int dir, int n)
{
	for (int i = m->cursor + dir; n > 0 && i >= 0 && i < m->nrows;
	     i += dir)
		if (menu_choice(&m->rows[i])) {
			m->cursor = i;
			n--;
		}
}

/* Open the row under the cursor; false: leave the menu. */
static bool menu_open(struct menu *m)
{
	const struct catalog_row *r = &m->rows[m->cursor];
	def_prog_mode();
	term_end();
	fflush(stdout);
	m->status[0] = '\0';
	bool go_on = m->ops->open(r, m->status, sizeof(m->status),
				  m->ops->ctx);
	if (!go_on)
		return false;
	/* Ctrl-C in the lesson ended the lesson, not the menu. */
	if (term_signal == SIGINT)
		term_forget();
	if (term_signal)
		return false;
	term_resume();
	return true;
}

/* One key; false: leave the menu. */
static bool menu_key(struct menu *m, int key)
{
	switch (key) {
	case 'q': case 'Q': case 27: /* Esc */
		return false;
	case KEY_UP: case 'k':
		menu_move(m, -1, 1);
		break;
	case KEY_DOWN: case 'j':
		menu_move(m, +1, 1);
		break;
	case KEY_PPAGE:
		menu_move(m, -1, menu_height() - 1);
		break;
	case KEY_NPAGE: case ' ':
		menu_move(m, +1, menu_height() - 1);
		break;
	case KEY_HOME: case 'g':
		menu_move(m, -1, m->nrows);
		break;
	case KEY_END: case 'G':
		menu_move(m, +1, m->nrows);
		break;
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT:
		return menu_open(m);
	default:
		break;
	}
	return true;
}

static void menu_loop(struct menu *m)
{
	for (;;) {
		menu_draw(m);
		struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 },
					 { term_wake_fd(), POLLIN, 0 } };
		int ready = poll(fds, 2, -1);
		if (term_signal)
			return;
		int key = getch();
		if (key == ERR && ready > 0 &&
		    (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    term_input_ended())
			return; /* end of input: as q */
		for (; key != ERR; key = getch())
			if (!menu_key(m, key) || term_signal)
				return;
	}
}

int menu_main(const struct lesson *const *lessons, const struct menu_ops *ops,
	      const char *notice)
{
	static struct menu m; /* large: not on the stack */
	memset(&m, 0, sizeof(m));
	m.ops = ops;
	m.nrows = catalog_rows(lessons, m.rows, MENU_MAX_ROWS);
	if (m.nrows > MENU_MAX_ROWS)
		m.nrows = MENU_MAX_ROWS;
	m.cursor = -1;
	menu_move(&m, +1, 1);
	if (m.cursor < 0) {
		fprintf(stderr, "interleave: no lessons were built in\n");
		return 1;
	}
	snprintf(m.status, sizeof(m.status), "%s", notice ? notice : "");
	menu_curses();
	menu_loop(&m);
	term_end();
	term_close();
	return term_signal ? 128 + term_signal : 0;
}
