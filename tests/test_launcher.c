/*
 * test_launcher.c: `interleave`, the launcher (common/launcher/).
 *
 * Its command line runs as a program; its catalog and its state file run
 * in-process; its menu runs in a tmux pane at 80x24, opening a lesson and
 * coming back, and ending every way it can without leaving a lesson behind.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/launcher.h"
#include "tmux.h"

/* --- the command line --- */

/* Every lesson in lessons/ is listed, by the directory, not by a list. */
START_TEST(test_launcher_list_every_lesson)
{
	char *out, *err;
	ck_assert_int_eq(texec("interleave", "--list", &out, &err), 0);
	ck_assert_str_eq(err, "");
	DIR *d = opendir("lessons");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0)
			continue;
		char want[300];
		snprintf(want, sizeof(want), "\n  %.*s ", (int)len - 2,
			 e->d_name);
		ck_assert_msg(strstr(out, want), "--list lacks %s:\n%s",
			      e->d_name, out);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 4);
	/* and under each, its variants */
	const struct lesson *ls[] = { &race_lesson, &prodcons_lesson,
				      &barrier_lesson, &bandwidth_lesson };
	for (int i = 0; i < 4; i++)
		for (int v = 0; ls[i]->variants[v].name; v++) {
			char want[300];
			snprintf(want, sizeof(want), "\n    %-15s %s\n",
				 ls[i]->variants[v].name,
				 ls[i]->variants[v].summary);
			ck_assert_msg(strstr(out, want), "no '%s'", want);
		}
	free(out);
	free(err);
}
END_TEST

/* Bad usage: one line on stderr naming the program, exit 2. */
static const char *const tlaunch_bad[][2] = {
	{ "nosuch", "no lesson 'nosuch' (see interleave --list)" },
	{ "--bogus", "unknown option '--bogus'" },
	{ "-x", "unknown option '-x'" },
	{ "--list extra", "--list takes nothing after it" },
	{ "--help --list", "--help takes nothing after it" },
	{ "", "the menu needs a terminal" }, /* stdout is a file here */
};

START_TEST(test_launcher_bad_input)
{
	char *out, *err;
	int rc = texec("interleave", tlaunch_bad[_i][0], &out, &err);
	trefused("interleave", tlaunch_bad[_i][0], rc, out, err,
		 tlaunch_bad[_i][1]);
}
END_TEST

/* interleave LESSON ... is the lesson's program, output and status. */
START_TEST(test_launcher_runs_lesson)
{
	static const char *const args[] = {
		"--iterations=1 --schedule=1,2,1,2 --quiet",
		"--variant=nosuch",
		"--list-variants",
	};
	for (int i = 0; i < 3; i++) {
		char *o1, *e1, *o2, *e2, line[256];
		snprintf(line, sizeof(line), "race %s", args[i]);
		int r1 = texec("interleave", line, &o1, &e1);
		int r2 = texec("race", args[i], &o2, &e2);
		ck_assert_int_eq(r1, r2);
		ck_assert_str_eq(o1, o2);
		ck_assert_str_eq(e1, e2);
		free(o1);
		free(e1);
		free(o2);
		free(e2);
	}
}
END_TEST

START_TEST(test_launcher_help_version)
{
	char *out, *err;
	ck_assert_int_eq(texec("interleave", "--version", &out, &err), 0);
	ck_assert_str_eq(out, "interleave " INTERLEAVE_VERSION "\n");
	free(out);
	free(err);
	ck_assert_int_eq(texec("interleave", "--help", &out, &err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(strstr(out, "Usage: interleave [LESSON [OPTIONS]]"));
	ck_assert_ptr_nonnull(strstr(out, "$XDG_STATE_HOME/interleave/ "));
	ck_assert_ptr_nonnull(strstr(out, "opened (variants"));
	ck_assert_ptr_nonnull(strstr(out, "challenges (met) and quizzes"));
	free(out);
	free(err);
}
END_TEST

/* The man page: clean for groff's warnings, and every option of --help. */
START_TEST(test_launcher_man)
{
	FILE *p = popen("groff -man -ww -z docs/man/interleave.1 2>&1", "r");
	ck_assert_ptr_nonnull(p);
	char said[4096];
	size_t n = fread(said, 1, sizeof(said) - 1, p);
	said[n] = '\0';
	ck_assert_msg(pclose(p) == 0 && n == 0, "groff: %s", said);
	char *out, *err, *page;
	ck_assert_int_eq(texec("interleave", "--help", &out, &err), 0);
	FILE *f = fopen("docs/man/interleave.1", "r");
	ck_assert_ptr_nonnull(f);
	page = calloc(1, 1 << 16);
	n = fread(page, 1, (1 << 16) - 1, f);
	fclose(f);
	for (char *o = strstr(out, "\n  --"); o; o = strstr(o + 1, "\n  --")) {
		char opt[64], man[80];
		if (sscanf(o + 3, "%63[-a-z]", opt) != 1)
			continue;
		snprintf(man, sizeof(man), ".B \\-\\-%s\n", opt + 2);
		ck_assert_msg(strstr(page, man), "the man page lacks %s", man);
	}
	free(page);
	free(out);
	free(err);
}
END_TEST

/* What a command prints on stdout and stderr (malloc'd); *rc its status. */
static char *tman_run(const char *cmd, int *rc)
{
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char *out = calloc(1, 1 << 20);
	size_t n = fread(out, 1, (1 << 20) - 1, p);
	out[n] = '\0';
	*rc = pclose(p);
	return out;
}

/*
 * The lesson's part of the rendered page (malloc'd): from its heading
 * (a subsection: 3 spaces, its name) to the next heading.
 */
static char *tman_section(const char *page, const char *name)
{
	char head[80];
	snprintf(head, sizeof(head), "\n   %s\n", name);
	const char *from = strstr(page, head);
	ck_assert_msg(from, "interleave-lessons(7) has no section for %s",
		      name);
	const char *end = from + strlen(head);
	for (const char *nl; (nl = strchr(end, '\n')); end = nl + 1) {
		const char *line = nl + 1;
		bool section = line[0] && line[0] != ' ' && line[0] != '\n';
		bool sub = strncmp(line, "   ", 3) == 0 && line[3] &&
			   line[3] != ' ' && line[3] != '\n';
		if (section || sub) {
			end = nl;
			break;
		}
	}
	return strndup(from, (size_t)(end - from));
}

/*
 * interleave-lessons(7), from interleave --man: clean for groff's
 * warnings, and every lesson, each of its variants and each of its own
 * options in it, under the lesson's heading: taken from the descriptors,
 * so that a lesson added later is checked too.
 */
START_TEST(test_launcher_man_lessons)
{
	char *out, *err, path[] = "/tmp/interleave-test-man-XXXXXX";
	ck_assert_int_eq(texec("interleave", "--man", &out, &err), 0);
	ck_assert_str_eq(err, "");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, out, strlen(out)), (ssize_t)strlen(out));
	close(fd);
	char cmd[200];
	int rc;
	snprintf(cmd, sizeof(cmd), "groff -man -ww -z %s 2>&1", path);
	char *said = tman_run(cmd, &rc);
	ck_assert_msg(rc == 0 && said[0] == '\0', "groff: %s", said);
	free(said);
	snprintf(cmd, sizeof(cmd), "groff -man -Tascii -P-c -P-b -P-u %s "
		 "2>&1", path);
	char *page = tman_run(cmd, &rc);
	ck_assert_int_eq(rc, 0);
	unlink(path);
	for (int i = 0; launcher_lessons[i]; i++) {
		const struct lesson *l = launcher_lessons[i];
		char *sec = tman_section(page, l->name), want[120];
		for (int v = 0; l->variants[v].name; v++) {
			snprintf(want, sizeof(want), "\n       %s",
				 l->variants[v].name);
			size_t k = strlen(want);
			char *at = strstr(sec, want);
			while (at && at[k] != ' ' && at[k] != '\n')
				at = strstr(at + 1, want); /* not condvar-if */
			ck_assert_msg(at,
				      "%s: no variant %s in: %s", l->name,
				      l->variants[v].name, sec);
		}
		for (int o = 0; l->options && l->options[o].name; o++) {
			snprintf(want, sizeof(want), "\n       --%s=",
				 l->options[o].name);
			ck_assert_msg(strstr(sec, want), "%s: no option --%s",
				      l->name, l->options[o].name);
		}
		free(sec);
	}
	/* and every option all lessons share, as a lesson's --help lists
	 * them (race's own are in its section, above) */
	free(out);
	free(err);
	ck_assert_int_eq(texec("race", "--help", &out, &err), 0);
	for (char *o = strstr(out, "\n  --"); o; o = strstr(o + 1, "\n  --")) {
		char opt[64];
		if (sscanf(o + 3, "%63[-a-z]", opt) == 1)
			ck_assert_msg(strstr(page, opt),
				      "interleave-lessons(7) lacks %s", opt);
	}
	free(page);
	free(out);
	free(err);
}
END_TEST

/* --- the catalog, in-process --- */

static const struct lesson_variant tlaunch_variants[] = {
	{ "only", "the one variant", NULL },
	{ NULL, NULL, NULL },
};
static const struct lesson tlaunch_untopical = {
	.name = "aaa", .summary = "names no topic", .variants = tlaunch_variants,
};
static const struct lesson tlaunch_odd = {
	.name = "zzz", .summary = "a topic of its own",
	.variants = tlaunch_variants, .topic = "queues",
};

/* Topics in teaching order, any other after them, "other" last. */
START_TEST(test_launcher_catalog_order)
{
	const struct lesson *const ls[] = { &tlaunch_untopical, &race_lesson,
					    &tlaunch_odd, &prodcons_lesson,
					    &barrier_lesson, NULL };
	struct catalog_row rows[64];
	int n = catalog_rows(ls, rows, 64);
	/* race: its 3 variants, then its 3 challenges */
	const char *want[] = { "threads", "race", NULL, NULL, NULL, NULL, NULL,
			       NULL, "synchronisation", "barrier" };
	for (int i = 0; i < 10; i++) {
		if (!want[i])
			continue;
		const char *got = rows[i].kind == CATALOG_TOPIC
					  ? rows[i].topic
					  : rows[i].lesson->name;
		ck_assert_str_eq(got, want[i]);
	}
	ck_assert_int_eq(rows[2].kind, CATALOG_VARIANT);
	ck_assert_int_eq(rows[5].kind, CATALOG_CHALLENGE);
	ck_assert_int_eq(rows[7].kind, CATALOG_CHALLENGE);
	ck_assert_int_eq(rows[7].variant, 2);
	ck_assert_int_eq(rows[n - 3].kind, CATALOG_TOPIC);
	ck_assert_str_eq(rows[n - 6].topic, "queues");
	ck_assert_str_eq(rows[n - 3].topic, "other");
	ck_assert_str_eq(rows[n - 2].lesson->name, "aaa");
	ck_assert_int_eq(rows[n - 1].kind, CATALOG_VARIANT);
	ck_assert_ptr_eq(catalog_find(ls, "race"), &race_lesson);
	ck_assert_ptr_null(catalog_find(ls, "rac"));
	/* a short table: the count is still all of them */
	ck_assert_int_eq(catalog_rows(ls, rows, 3), n);
}
END_TEST

/* --- the state file, in-process --- */

/* A fresh directory for a test's files (removed with rm -rf by tclean). */
static void tstate_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/interleave-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void tstate_clean(const char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void tstate_write(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static struct state tstate; /* large: not on the stack */

START_TEST(test_launcher_state_missing)
{
	char dir[64], path[128], note[512];
	tstate_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/interleave/opened", dir);
	tstate.n = 3;
	ck_assert(!state_load(&tstate, path, note, sizeof(note)));
	ck_assert_int_eq(tstate.n, 0);
	/* no path: a new student needs none */
	ck_assert_str_eq(note, "nothing recorded yet");
	/* saving makes the directories and leaves no temporary file */
	ck_assert(state_add(&tstate, "race", "mutex"));
	ck_assert(!state_add(&tstate, "race", "mutex"));
	ck_assert(!state_add(&tstate, "race", "two words"));
	ck_assert(state_save(&tstate, path, note, sizeof(note)));
	ck_assert(state_add(&tstate, "barrier", "naive-reusable"));
	ck_assert(state_save(&tstate, path, note, sizeof(note)));
	memset(&tstate, 0, sizeof(tstate));
	ck_assert(state_load(&tstate, path, note, sizeof(note)));
	ck_assert_int_eq(tstate.n, 2);
	ck_assert(state_has(&tstate, "race", "mutex"));
	ck_assert(state_has(&tstate, "barrier", "naive-reusable"));
	ck_assert(!state_has(&tstate, "race", "unsafe"));
	snprintf(path, sizeof(path), "%s/interleave", dir);
	DIR *d = opendir(path);
	int files = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		files += e->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(files, 1);
	tstate_clean(dir);
}
END_TEST

/* A damaged file: the good lines kept, the rest ignored, and said. */
START_TEST(test_launcher_state_corrupt)
{
	static const char text[] =
		"# interleave: lessons opened from the launcher\n"
		"race unsafe\n"
		"\x7f" "ELF\x01\x02\0\0binary junk\n"
		"one-word\n"
		"prodcons condvar\n"
		"race too many words\n"
		"barrier timeout"; /* no newline at the end: still a line */
	char dir[64], path[128], note[512];
	tstate_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/opened", dir);
	tstate_write(path, text, sizeof(text) - 1);
	ck_assert(!state_load(&tstate, path, note, sizeof(note)));
	ck_assert_msg(strstr(note, "3 unreadable lines ignored"), "%s", note);
	ck_assert_int_eq(tstate.n, 3);
	ck_assert(state_has(&tstate, "race", "unsafe"));
	ck_assert(state_has(&tstate, "prodcons", "condvar"));
	ck_assert(state_has(&tstate, "barrier", "timeout"));
	/* one long line of junk */
	char junk[5000];
	memset(junk, 'x', sizeof(junk));
	tstate_write(path, junk, sizeof(junk));
	ck_assert(!state_load(&tstate, path, note, sizeof(note)));
	ck_assert_int_eq(tstate.n, 0);
	ck_assert_msg(strstr(note, "1 unreadable line ignored"), "%s", note);
	tstate_clean(dir);
}
END_TEST

/* A state directory that is a file: read and write both say so. */
START_TEST(test_launcher_state_unwritable)
{
	char dir[64], path[160], file[128], note[512];
	tstate_dir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/file", dir);
	tstate_write(file, "x", 1);
	snprintf(path, sizeof(path), "%s/interleave/opened", file);
	ck_assert(!state_load(&tstate, path, note, sizeof(note)));
	ck_assert_msg(strstr(note, "Not a directory"), "%s", note);
	ck_assert(state_add(&tstate, "race", "unsafe"));
	ck_assert(!state_save(&tstate, path, note, sizeof(note)));
	ck_assert_msg(strstr(note, "cannot save to") &&
		      strstr(note, "Not a directory"), "%s", note);
	/* the file itself a directory: the old copy is never touched */
	snprintf(path, sizeof(path), "%s/opened", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert(!state_save(&tstate, path, note, sizeof(note)));
	ck_assert_msg(strstr(note, "cannot save to"), "%s", note);
	tstate_clean(dir);
}
END_TEST

/* Where the file is: XDG_STATE_HOME if absolute, else under HOME. */
START_TEST(test_launcher_state_path)
{
	char path[256], why[256];
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char *xdg = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME"))
					      : NULL;
	setenv("HOME", "/home/someone", 1);
	setenv("XDG_STATE_HOME", "/var/state", 1);
	ck_assert(state_path(STATE_OPENED, path, sizeof(path), why,
			     sizeof(why)));
	ck_assert_str_eq(path, "/var/state/interleave/opened");
	ck_assert(state_path(STATE_CHALLENGES, path, sizeof(path), why,
			     sizeof(why)));
	ck_assert_str_eq(path, "/var/state/interleave/challenges");
	setenv("XDG_STATE_HOME", "relative", 1);
	ck_assert(state_path(STATE_QUIZZES, path, sizeof(path), why,
			     sizeof(why)));
	ck_assert_str_eq(path, "/home/someone/.local/state/interleave/quizzes");
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	ck_assert(!state_path(STATE_OPENED, path, sizeof(path), why,
			      sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "not remembered"));
	if (home)
		setenv("HOME", home, 1);
	if (xdg)
		setenv("XDG_STATE_HOME", xdg, 1);
	free(home);
	free(xdg);
}
END_TEST

/* --- the menu, in a tmux pane --- */

/* The menu at 80x24, its state under the pane's own directory. */
static void tlaunch_start(struct tmux *t, const char *state)
{
	char env[128];
	snprintf(env, sizeof(env), "XDG_STATE_HOME=%s",
		 state ? state : "\\$PWD/state");
	tmux_start_env(t, 80, 24, env, "interleave", "");
	SEE(t, "choose a variant and press Enter");
}

/* Open race's mutex variant, see its viewer; the lesson's pid. */
static pid_t tlaunch_open(struct tmux *t)
{
	tmux_keys(t, "Down Enter");
	SEE(t, "race  mutex  step");
	pid_t pid = tmux_child_of(tmux_lesson_pid(t));
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* Open a lesson, quit it: the menu again, the variant marked and kept. */
START_TEST(test_launcher_menu)
{
	struct tmux t = { "" };
	tlaunch_start(&t, NULL);
	SEE(&t, "nothing recorded yet");
	SEE(&t, "   race        deposit and withdraw threads");
	SEE(&t, "(more below)");
	SEE(&t, " Up/Down choose  Enter open  q quit");
	tlaunch_open(&t);
	GONE(&t, "choose a variant");
	tmux_keys(&t, "q");
	SEE(&t, "back from race --variant=mutex");
	SEE(&t, "  > * mutex ");
	char *screen = tmux_screen(&t);
	int rows = 0;
	for (char *p = screen; *p; p++)
		rows += *p == '\n';
	ck_assert_msg(rows <= 24, "%d rows:\n%s", rows, screen);
	free(screen);
	char dir[128], path[200], text[256] = "";
	tmux_dir(&t, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/state/interleave/opened", dir);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(text, "\nrace mutex\n"), "%s", text);
	/* scrolled to the end and back */
	tmux_keys(&t, "End");
	SEE(&t, "(more above)");
	GONE(&t, "(more below)"); /* not a lesson's name: more are coming */
	/* a lesson's idea too long for the row ends in "...", not mid-word */
	SEE(&t, "lose updates on a balance in...\n");
	tmux_keys(&t, "Home");
	SEE(&t, " threads");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	GONE(&t, "choose a variant");
	tmux_stop(&t);
}
END_TEST

/*
 * A challenge from the menu: Enter opens the viewer with --challenge=N;
 * met there, it is marked on its row and counted on its lesson's.
 */
START_TEST(test_launcher_challenge)
{
	struct tmux t = { "" };
	tlaunch_start(&t, NULL);
	GONE(&t, "[challenges");
	SEE(&t, "     challenge 1     make the balance end at 99");
	tmux_keys(&t, "Down Down Down");
	SEE(&t, "  >   challenge 1 ");
	tmux_keys(&t, "Enter");
	SEE(&t, "challenge 1: make the balance end at 99");
	tmux_keys(&t, "1 2 1 2");
	SEE(&t, "Challenge 1 met in 4 steps");
	tmux_keys(&t, "q");
	SEE(&t, "back from race --challenge=1");
	SEE(&t, "  > * challenge 1 ");
	int nq = 0;
	while (race_lesson.questions[nq].ask)
		nq++;
	char want[80];
	snprintf(want, sizeof(want), "race        [challenges 1/3, answered 0/%d] "
		 "deposit", nq);
	SEE(&t, want);
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/*
 * Every way out of the menu restores the terminal; Ctrl-C in a lesson
 * ends the lesson, not the menu; a SIGTERM while a lesson runs ends the
 * lesson too, and a lesson that crashes leaves the menu working.
 */
START_TEST(test_launcher_exits)
{
	struct tmux t = { "" };
	tlaunch_start(&t, NULL);
	pid_t lesson = tlaunch_open(&t);
	switch (_i) {
	case 0: /* Ctrl-C in the lesson, then in the menu */
		tmux_keys(&t, "C-c");
		SEE(&t, "back from race --variant=mutex");
		ck_assert(!tmux_alive(lesson));
		tmux_keys(&t, "C-c");
		SEE(&t, "EXIT=130");
		break;
	case 1: /* SIGTERM to the launcher while the lesson runs */
		ck_assert_int_eq(kill(tmux_lesson_pid(&t), SIGTERM), 0);
		SEE(&t, "EXIT=143");
		ck_assert_msg(!tmux_alive(lesson), "lesson %d left running",
			      (int)lesson);
		break;
	case 2: /* the lesson crashes */
		ck_assert_int_eq(kill(lesson, SIGSEGV), 0);
		SEE(&t, "Press Enter for the menu.");
		tmux_keys(&t, "Enter");
		SEE(&t, "race --variant=mutex was killed by signal 11");
		SEE(&t, "  > * mutex ");
		tmux_keys(&t, "q");
		SEE(&t, "EXIT=0");
		break;
	}
	GONE(&t, "choose a variant");
	GONE(&t, "timeline");
	tmux_stop(&t);
}
END_TEST

/* A state directory that is a file: said, and the menu still works. */
START_TEST(test_launcher_state_is_file)
{
	struct tmux t = { "" };
	tlaunch_start(&t, "/dev/null");
	SEE(&t, "cannot read /dev/null/interleave/opened: Not a directory");
	tlaunch_open(&t);
	tmux_keys(&t, "q");
	SEE(&t, "cannot save to /dev/null/interleave/opened: Not a directory");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* --- bash completion (common/launcher/interleave.bash) --- */

/*
 * The words the completion offers for the command line WORDS (a bash
 * array's body, $B the lessons' directory; the last word is the one being
 * completed), each followed by a space, in C's sort order.  NULL
 * without bash (exit 77 from the shell: skipped, and said).
 */
static char *tcomplete(const char *words)
{
	char script[1024];
	snprintf(script, sizeof(script),
		 "B=${INTERLEAVE_BIN:-build/bin}\n"
		 "source common/launcher/interleave.bash || exit 1\n"
		 "COMP_WORDS=(%s)\n"
		 "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
		 "_interleave\n"
		 "((${#COMPREPLY[@]})) || exit 0\n"
		 "printf '%%s\\n' \"${COMPREPLY[@]}\" | LC_ALL=C sort |"
		 " tr '\\n' ' '\n", words);
	setenv("TCOMPLETE", script, 1);
	FILE *p = popen("command -v bash >/dev/null || exit 77; "
			"bash --norc -c \"$TCOMPLETE\"", "r");
	ck_assert_ptr_nonnull(p);
	char *out = calloc(4096, 1);
	ck_assert_ptr_nonnull(out);
	out[fread(out, 1, 4095, p)] = '\0';
	int rc = pclose(p);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
		free(out);
		return NULL;
	}
	ck_assert_msg(rc == 0, "completion script failed for %s", words);
	return out;
}

#define TCOMPLETE_OR_SKIP(out, words)                                       \
	char *out = tcomplete(words);                                       \
	if (!out) {                                                         \
		fprintf(stderr, "completion test skipped: no bash\n");     \
		return;                                                     \
	}

/* The offers are the word list WANT, exactly (both sorted). */
static void tcomplete_is(const char *words, const char *want)
{
	TCOMPLETE_OR_SKIP(out, words);
	ck_assert_msg(strcmp(out, want) == 0, "%s: offered '%s', want '%s'",
		      words, out, want);
	free(out);
}

/* OUT, as tcomplete() gives it, offers the word WORD. */
static bool tcomplete_has(const char *out, const char *word)
{
	char spaced[4200], want[300];
	snprintf(spaced, sizeof(spaced), " %s", out);
	snprintf(want, sizeof(want), " %s ", word);
	return strstr(spaced, want) != NULL;
}

/* Lesson names after the launcher: every lesson (the table generated
 * from lessons/), no more. */
START_TEST(test_launcher_complete_lessons)
{
	TCOMPLETE_OR_SKIP(out, "\"$B/interleave\" \"\"");
	size_t len = 0;
	for (int i = 0; launcher_lessons[i]; i++) {
		const char *name = launcher_lessons[i]->name;
		ck_assert_msg(tcomplete_has(out, name), "no %s in '%s'", name,
			      out);
		len += strlen(name) + 1; /* the name and a space */
	}
	ck_assert_uint_eq(strlen(out), len); /* and nothing else */
	free(out);
	tcomplete_is("\"$B/interleave\" sh", "shm shmrace ");
	tcomplete_is("\"$B/interleave\" --l", "--list ");
}
END_TEST

/* --variant= offers the lesson's variants, from its descriptor's list;
 * --challenge= its challenges. */
START_TEST(test_launcher_complete_variants)
{
	const struct lesson *ls[] = { &race_lesson, &prodcons_lesson };
	const char *cmd[] = { "\"$B/race\" --variant = \"\"",
			      "\"$B/interleave\" prodcons --variant = \"\"" };
	for (int i = 0; i < 2; i++) {
		TCOMPLETE_OR_SKIP(out, cmd[i]);
		size_t len = 0;
		for (int v = 0; ls[i]->variants[v].name; v++) {
			const char *name = ls[i]->variants[v].name;
			ck_assert_msg(tcomplete_has(out, name), "no %s in '%s'",
				      name, out);
			len += strlen(name) + 1;
		}
		ck_assert_uint_eq(strlen(out), len);
		free(out);
	}
	tcomplete_is("\"$B/prodcons\" --variant = condvar",
		      "condvar condvar-if ");
	tcomplete_is("\"$B/race\" --variant m", "mutex ");
	/* --challenge=: list, or the lesson's challenges by number */
	tcomplete_is("\"$B/race\" --challenge = \"\"", "1 2 3 list ");
	tcomplete_is("\"$B/interleave\" timer --challenge=\"\"",
		     "--challenge=1 --challenge=2 --challenge=list ");
}
END_TEST

/* Options, and the values of --policy= and --mode=, split at '=' (bash's
 * default) or not; and after the launcher's lesson name, its options. */
START_TEST(test_launcher_complete_options)
{
	tcomplete_is("\"$B/race\" --th", "--threads= ");
	tcomplete_is("\"$B/race\" --plain --q", "--quantum= --quiet --quiz ");
	tcomplete_is("\"$B/interleave\" race --it", "--iterations= ");
	tcomplete_is("\"$B/barrier\" --policy = \"\"", "manual pct random rr ");
	tcomplete_is("\"$B/barrier\" --policy = r", "random rr ");
	tcomplete_is("\"$B/race\" --mode=f", "--mode=free ");
	tcomplete_is("\"$B/race\" --seed = \"\"", "");
	tcomplete_is("\"$B/race\" nonsense", "");
	/* --record=FILE: the names of files */
	tcomplete_is("\"$B/race\" --rec", "--record= ");
	tcomplete_is("\"$B/race\" --record = docs/ma", "docs/man ");
	tcomplete_is("\"$B/interleave\" race --record=docs/ma",
		     "--record=docs/man ");
}
END_TEST

/* An option the help says applies "only with --variant=..." (or --fn=...)
 * is not offered once the line sets that to something else, written in
 * any of the three ways; before it is set, it is. */
START_TEST(test_launcher_complete_applicable)
{
	tcomplete_is("\"$B/deadlock\" --p", "--philosophers= --plain --policy= ");
	tcomplete_is("\"$B/deadlock\" --variant=ordered --p",
		     "--plain --policy= ");
	tcomplete_is("\"$B/deadlock\" --variant = philosophers --p",
		     "--philosophers= --plain --policy= ");
	tcomplete_is("\"$B/deadlock\" --variant philosophers --t", "");
	tcomplete_is("\"$B/deadlock\" --variant trylock --t",
		     "--tellers= ");
	tcomplete_is("\"$B/pool\" --n", "--n= ");
	tcomplete_is("\"$B/pool\" --fn=square --n", "");
	tcomplete_is("\"$B/interleave\" pool --fn=fib --n", "--n= ");
}
END_TEST

Suite *launcher_suite(void)
{
	Suite *s = suite_create("launcher");
	TCase *tc = tcase_create("cli");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_launcher_list_every_lesson);
	tcase_add_loop_test(tc, test_launcher_bad_input, 0,
			    (int)(sizeof(tlaunch_bad) / sizeof(tlaunch_bad[0])));
	tcase_add_test(tc, test_launcher_runs_lesson);
	tcase_add_test(tc, test_launcher_help_version);
	tcase_add_test(tc, test_launcher_man);
	tcase_add_test(tc, test_launcher_man_lessons);
	tcase_add_test(tc, test_launcher_catalog_order);
	tcase_add_test(tc, test_launcher_state_missing);
	tcase_add_test(tc, test_launcher_state_corrupt);
	tcase_add_test(tc, test_launcher_state_unwritable);
	tcase_add_test(tc, test_launcher_state_path);
	tcase_add_test(tc, test_launcher_complete_lessons);
	tcase_add_test(tc, test_launcher_complete_variants);
	tcase_add_test(tc, test_launcher_complete_options);
	tcase_add_test(tc, test_launcher_complete_applicable);
	suite_add_tcase(s, tc);
	tc = tcase_create("tmux");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_launcher_menu);
	tcase_add_loop_test(tc, test_launcher_exits, 0, 3);
	tcase_add_test(tc, test_launcher_state_is_file);
	tcase_add_test(tc, test_launcher_challenge);
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	suite_add_tcase(s, tc);
	return s;
}
