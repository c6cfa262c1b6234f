/*
 * state.h: what the student has done, remembered between runs, per user.
 *
 * Three small text files under $XDG_STATE_HOME/interleave/ (default
 * ~/.local/state/interleave/), one "LESSON WORD" a line:
 *
 *   opened      LESSON VARIANT   variants opened from the launcher's menu
 *   challenges  LESSON N         challenge N met (--challenge, or g)
 *   quizzes     LESSON N         question N answered, right or wrong
 *
 * The launcher reads them to mark its menu; the lessons and the launcher
 * add to them (state_record).  They are a convenience, never a reason to
 * fail: a missing or damaged file is read as far as it makes sense, with
 * a notice; one that cannot be written is said, and the run goes on with
 * the status it had.
 */
#ifndef INTERLEAVE_STATE_H
#define INTERLEAVE_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define STATE_MAX 512  /* entries a file holds */
#define STATE_WORD 64  /* longest lesson name or word, and its NUL */

enum state_file { STATE_OPENED, STATE_CHALLENGES, STATE_QUIZZES,
		  STATE_NFILES };

struct state {
	int n;
	struct state_entry {
		char lesson[STATE_WORD];
		char word[STATE_WORD];
	} e[STATE_MAX];
};

/* Every file's entries, as the launcher's menu marks them. */
struct state_book {
	struct state file[STATE_NFILES];
};

/*
 * File f's path: under $XDG_STATE_HOME/interleave/ when XDG_STATE_HOME is
 * an absolute path, else under $HOME/.local/state/interleave/.  False,
 * with why, when neither is set.
 */
bool state_path(enum state_file f, char *path, size_t size, char *why,
		size_t wsize);
/*
 * Read the file at path into s (emptied first).  True when it was read
 * whole; false with a one-line notice in note when it is missing,
 * unreadable, or has lines that are not "LESSON WORD" (those are left
 * out, the good ones kept).  Never fails harder than that.
 */
bool state_load(struct state *s, const char *path, char *note, size_t size);
bool state_has(const struct state *s, const char *lesson, const char *word);
/* Remember lesson+word; false if it was already there or s is full. */
bool state_add(struct state *s, const char *lesson, const char *word);
/*
 * Write s to path, making its directories: a temporary file beside it,
 * then rename(), so the older copy stays whole until the new one is.
 * False, with why (one line, naming the path), when it cannot.
 */
bool state_save(const struct state *s, const char *path, char *why,
		size_t wsize);
/*
 * Add lesson+word to file f on disk: under an exclusive lock (flock of
 * "FILE.lock" beside it), the file is read afresh, the line added and
 * the whole saved with state_save, so two runs ending at once both keep
 * their line.  True when the line is on disk; note gets one line when
 * there is something to say (the file was damaged, or it could not be
 * written), else "".
 */
bool state_record(enum state_file f, const char *lesson, const char *word,
		  char *note, size_t size);
/* state_record of a number: challenge n, question n (from 1). */
bool state_record_nth(enum state_file f, const char *lesson, int n,
		      char *note, size_t size);
/*
 * Load every file into b; note gets the first notice worth saying (a
 * damaged or unreadable file; with missing, also that opened is not
 * there yet: the first time the menu opens), else "".
 */
void state_load_book(struct state_book *b, bool missing, char *note,
		     size_t size);
/* How many of s's entries are lesson's. */
int state_count(const struct state *s, const char *lesson);

#endif
