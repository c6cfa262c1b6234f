/*
 * state.c: what the student has opened, remembered between runs.
 *
 * One small text file, "LESSON VARIANT" a line, under the XDG state
 * directory.  It is a convenience, never a reason to fail: a missing or
 * damaged file is read as far as it makes sense and the rest ignored, with
 * a notice; a file that cannot be written is said, and the menu goes on.
 * It is written whole to a temporary file and renamed over the old one, so
 * a crash or a full disk mid-write leaves the older copy as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"

#define STATE_HEADER "# interleave: lessons opened from the launcher\n"

bool state_path(char *path, size_t size, char *why, size_t wsize)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;
	/* The XDG spec: a relative XDG_STATE_HOME is invalid, ignore it. */
	if (xdg && xdg[0] == '/')
		n = snprintf(path, size, "%s/interleave/opened", xdg);
	else if (home && home[0])
		n = snprintf(path, size, "%s/.local/state/interleave/opened",
			     home);
	else {
		snprintf(why, wsize, "neither XDG_STATE_HOME nor HOME is set: "
			 "what you open is not remembered");
		return false;
	}
	if (n < 0 || (size_t)n >= size) {
		snprintf(why, wsize, "the state directory's path is too long: "
			 "what you open is not remembered");
		return false;
	}
	return true;
}

/* A lesson or variant name as the lessons write them. */
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

/* One line: true if it is a comment, blank, or a "LESSON VARIANT" kept. */
static bool state_line(struct state *s, char *line)
{
	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return true;
	char *lesson = line, *variant = strchr(line, ' ');
	if (!variant)
		return false;
	*variant++ = '\0';
	if (!state_word(lesson) || !state_word(variant))
		return false;
	state_add(s, lesson, variant);
	return true;
}

bool state_load(struct state *s, const char *path, char *note, size_t size)
{
	s->n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			snprintf(note, size, "nothing opened yet (no %s)", path);
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

bool state_has(const struct state *s, const char *lesson, const char *variant)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->e[i].lesson, lesson) == 0 &&
		    strcmp(s->e[i].variant, variant) == 0)
			return true;
	return false;
}

bool state_add(struct state *s, const char *lesson, const char *variant)
{
	if (s->n == STATE_MAX || state_has(s, lesson, variant) ||
	    !state_word(lesson) || !state_word(variant))
		return false;
	snprintf(s->e[s->n].lesson, STATE_WORD, "%s", lesson);
	snprintf(s->e[s->n].variant, STATE_WORD, "%s", variant);
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

/* Write s to f: the header and a line an entry; false on a write error. */
static bool state_write(const struct state *s, FILE *f)
{
	fputs(STATE_HEADER, f);
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s %s\n", s->e[i].lesson, s->e[i].variant);
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
	bool ok = state_write(s, f);
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
