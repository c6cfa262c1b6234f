/*
 * cast.h: --record=FILE.cast: what the viewer shows, as an asciicast v2
 * recording (https://docs.asciinema.org/manual/asciicast/v2/): a header
 * line, then one line [seconds, "o", "bytes"] per chunk of terminal
 * output, the bytes exactly as curses wrote them.
 *
 * The file is opened before the screen (an unwritable path is told before
 * anything is drawn), the recording runs while curses is on, and every
 * line is written whole, so the file is a valid recording at every
 * moment, however the viewer ends.
 */
#ifndef INTERLEAVE_CAST_H
#define INTERLEAVE_CAST_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Create (or empty) path for the recording and write its header: the
 * size curses will find for stdout's terminal, the time, title, TERM.
 * 0, or the errno of the failure (nothing is recorded then).
 */
int cast_open(const char *path, const char *title);
/* Is a recording open (cast_open() succeeded, cast_stop() not yet)? */
bool cast_open_now(void);
/*
 * The stream curses should draw on: a descriptor of its own on the same
 * terminal as stdout, which cast_start() later turns into the recorder's
 * pipe.  stdout when no recording is open.
 */
FILE *cast_screen(void);
/*
 * Start recording: from now on everything written to cast_screen()
 * reaches the terminal through the recorder, which copies it into the
 * file.  Call it after curses has set
 * the terminal's modes (they are set on cast_screen()'s descriptor, which
 * is a pipe from now on).  False, with errno, when it cannot start.
 */
bool cast_start(void);
/*
 * Curses has written a frame (after refresh()): what it wrote since the
 * last mark is one event, stamped when its first byte came.
 */
void cast_mark(void);
/*
 * Stop: give cast_screen()'s descriptor back to the terminal, copy what is
 * still in the pipe, close the file.  Only in the process that started
 * it (a forked lesson process has no recorder).  The caller then sets
 * the terminal's modes again (curses tried them on the pipe).
 */
void cast_stop(void);
/* The same for a crash, from a signal handler: only the descriptor. */
void cast_crash(void);
/* 0, or the errno of the first write to the file that failed. */
int cast_error(void);

/*
 * The JSON string body for len bytes of terminal output, into out (room
 * for 6 bytes per input byte, and a NUL): control bytes, '"' and '\\'
 * escaped, valid UTF-8 kept, any other byte as \u00XX (its Latin-1
 * reading), so the line is valid JSON whatever the bytes.  Unless final,
 * a UTF-8 sequence cut short at the end is left for the next chunk (a
 * read may split a character).  Returns the input bytes used.
 */
size_t cast_escape(const unsigned char *in, size_t len, bool final,
		   char *out);

#endif
