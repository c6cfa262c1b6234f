/*
 * curses_loop.c: the bare baseline for the viewer's CPU figures.
 *
 * A plain ncurses program that fills the whole screen with text and redraws
 * it every INTERVAL ms (changing one number), sleeping in poll() between
 * frames, the way the viewer does; INTERVAL 0 means paused: it draws once
 * and sleeps until a key.  q quits.
 */
#define _GNU_SOURCE
#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int interval = argc > 1 ? atoi(argv[1]) : 0;
	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	curs_set(0);
	for (long frame = 0;; frame++) {
		erase();
		for (int y = 0; y < LINES; y++)
			mvprintw(y, 0, "%3d  for (long i = 0; i < iterations; "
				 "i++) { frame %ld }", y, frame);
		refresh();
		struct pollfd fd = { STDIN_FILENO, POLLIN, 0 };
		poll(&fd, 1, interval > 0 ? interval : -1);
		if (getch() == 'q')
			break;
	}
	endwin();
	return 0;
}
