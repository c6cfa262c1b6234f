/*
 * state.c: what the student has done, remembered between runs.
 *
 * Small text files, "LESSON WORD" a line, under the XDG state directory
 * (state.h names them).  They are a convenience, never a reason to fail:
 * a missing or damaged file is read as far as it makes sense and the
 * rest ignored, with a notice; a file that cannot be written is said, and
 * the run goes on.  A file is written whole to a temporary file and
 * renamed over the old one, so a crash or a full disk mid-write leaves
 * the older copy as it was; and a line is added under a lock, reading
 * the file afresh, so two lessons that end at once keep both lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

static const char *const state_names[STATE_NFILES] = {
	[STATE_OPENED] = "opened",
	[STATE_CHALLENGES] = "challenges",
	[STATE_QUIZZES] = "quizzes",
};

static const char *const state_headers[STATE_NFILES] = {
	[STATE_OPENED] = "# interleave: lessons opened from the launcher\n",
	[STATE_CHALLENGES] = "# interleave: challenges met (LESSON N)\n",
	[STATE_QUIZZES] = "# interleave: questions answered (LESSON N)\n",
};

bool state_path(enum state_file f, char *path, size_t size, char *why,
		size_t wsize)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;
	/* The XDG spec: a relative XDG_STATE_HOME is invalid, ignore it. */
	if (xdg && xdg[0] == '/')
		n = snprintf(path, size, "%s/interleave/%s", xdg,
			     state_names[f]);
	else if (home && home[0])
		n = snprintf(path, size, "%s/.local/state/interleave/%s",
			     home, state_names[f]);
	else {
		snprintf(why, wsize, "neither XDG_STATE_HOME nor HOME is set: "
			 "what you do is not remembered");
		return false;
	}
	if (n < 0 || (size_t)n >= size) {
		snprintf(why, wsize, "the state directory's path is too long: "
			 "what you do is not remembered");
		return false;
	}
	return true;
}

/* A lesson or variant name, or a number, as the lessons write them. */
static bool state_word(const char *w)
{
	size_t n = strlen(w);
	if (n == 0 || n >= STATE_WORD)
		return false;
	for (const char *p = w; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("-_.", *p))
			return false;
	return true;
}

/* One line: true if it is a comment, blank, or a "LESSON WORD" kept. */
static bool state_line(struct state *s, char *line)
{
	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return true;
	char *lesson = line, *word = strchr(line, ' ');
	if (!word)
		return false;
	*word++ = '\0';
	if (!state_word(lesson) || !state_word(word))
		return false;
	state_add(s, lesson, word);
	return true;
}

bool state_load(struct state *s, const char *path, char *note, size_t size)
{
	s->n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT) /* the first time: nothing to say */
			snprintf(note, size, "nothing recorded yet");
		else
			snprintf(note, size, "cannot read %s: %s; starting "
				 "afresh", path, strerror(errno));
		return false;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int bad = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		/* a NUL or a line longer than two names: not ours */
		if (memchr(line, '\0', (size_t)len) || len > 2 * STATE_WORD)
			bad++;
		else
			bad += !state_line(s, line);
	}
	free(line);
	fclose(f);
	if (bad)
		snprintf(note, size, "%s: %d unreadable line%s ignored", path,
			 bad, bad == 1 ? "" : "s");
	return bad == 0;
}

bool state_has(const struct state *s, const char *lesson, const char *word)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->e[i].lesson, lesson) == 0 &&
		    strcmp(s->e[i].word, word) == 0)
			return true;
	return false;
}

int state_count(const struct state *s, const char *lesson)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		n += strcmp(s->e[i].lesson, lesson) == 0;
	return n;
}

bool state_add(struct state *s, const char *lesson, const char *word)
{
	if (s->n == STATE_MAX || state_has(s, lesson, word) ||
	    !state_word(lesson) || !state_word(word))
		return false;
	snprintf(s->e[s->n].lesson, STATE_WORD, "%s", lesson);
	snprintf(s->e[s->n].word, STATE_WORD, "%s", word);
	s->n++;
	return true;
}

/* mkdir -p of path's directory (mode 0700, as XDG asks); errno on failure. */
static bool state_mkdirs(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return true;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return false;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return false;
	struct stat st;
	if (stat(dir, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

/* The header of the file at path, by its name; the first one's else. */
static const char *state_header(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	for (int f = 0; f < STATE_NFILES; f++)
		if (strcmp(name, state_names[f]) == 0)
			return state_headers[f];
	return state_headers[STATE_OPENED];
}

/* Write s to f: the header and a line an entry; false on a write error. */
static bool state_write(const struct state *s, const char *header, FILE *f)
{
	fputs(header, f);
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s %s\n", s->e[i].lesson, s->e[i].word);
	return fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;
}

bool state_save(const struct state *s, const char *path, char *why,
		size_t wsize)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (!state_mkdirs(path)) {
		snprintf(why, wsize, "cannot save to %s: %s", path,
			 strerror(errno));
		return false;
	}
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(why, wsize, "cannot save to %s: %s", path,
			 strerror(errno));
		return false;
	}
	bool ok = state_write(s, state_header(path), f);
	int err = errno;
	if (fclose(f) != 0 && ok) {
		ok = false;
		err = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		err = errno;
	}
	if (!ok) {
		unlink(tmp);
		snprintf(why, wsize, "cannot save to %s: %s", path,
			 strerror(err));
	}
	return ok;
}

/* Is there no file at path (and nothing worse than that)? */
static bool state_missing(const char *path)
{
	struct stat st;
	return stat(path, &st) != 0 && errno == ENOENT;
}

/* Under the lock: read path afresh, add the line, save if it is new. */
static bool state_merge(const char *path, const char *lesson,
			const char *word, char *note, size_t size)
{
	static struct state s; /* large: not on the stack (the lock is
				* held, so no other thread of ours is here) */
	char loaded[600] = "";
	bool whole = state_load(&s, path, loaded, sizeof(loaded));
	if (!whole && !state_missing(path))
		snprintf(note, size, "%s", loaded); /* damaged: said */
	if (!state_add(&s, lesson, word))
		return state_has(&s, lesson, word);
	return state_save(&s, path, note, size);
}

bool state_record(enum state_file f, const char *lesson, const char *word,
		  char *note, size_t size)
{
	char path[4096], lock[4200];
	note[0] = '\0';
	if (!state_path(f, path, sizeof(path), note, size))
		return false;
	snprintf(lock, sizeof(lock), "%s.lock", path);
	int fd = -1;
	if (!state_mkdirs(path) ||
	    (fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(fd, LOCK_EX) != 0) {
		snprintf(note, size, "cannot save to %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	bool ok = state_merge(path, lesson, word, note, size);
	close(fd); /* and the lock with it */
	return ok;
}

bool state_record_nth(enum state_file f, const char *lesson, int n,
		      char *note, size_t size)
{
	char word[24];
	snprintf(word, sizeof(word), "%d", n);
	return state_record(f, lesson, word, note, size);
}

void state_load_book(struct state_book *b, bool missing, char *note,
		     size_t size)
{
	note[0] = '\0';
	for (int f = 0; f < STATE_NFILES; f++) {
		char path[4096], said[4300] = "";
		bool ok = state_path(f, path, sizeof(path), said, sizeof(said));
		b->file[f].n = 0;
		if (ok)
			ok = state_load(&b->file[f], path, said, sizeof(said));
		/* a file not there yet is news only for the first one */
		bool quiet = ok || ((!missing || f != STATE_OPENED) &&
				    state_missing(path));
		if (!quiet && !note[0])
			snprintf(note, size, "%s", said);
	}
}
