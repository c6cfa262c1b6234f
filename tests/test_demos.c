/*
 * test_demos.c: the instructor scripts in demos/.
 *
 * Every lesson (from the table the build generates from lessons/, so a
 * new lesson without a demo fails) has a script that says
 * "demo_lesson NAME"; each script runs through with DEMO_NO_PAUSE=1, exits
 * 0, prints one "== " heading per say and one "> NAME ..." line per run or
 * show, shows the bug (a broken summary) before the fix (a held one), and
 * prints every line its "# expect: " comments promise.  demos/README.md
 * lists every script, with its lesson and its numbers of steps and pauses.  The scripts' whole output is compared with the
 * transcripts in demos/README.md by tests/doccheck.sh.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lesson.h"
#include "testutil.h"

/* All of f, as one string (malloc'd); closes nothing. */
static char *demo_read(FILE *f)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap);
	ck_assert_ptr_nonnull(s);
	for (size_t n; (n = fread(s + len, 1, cap - len - 1, f)) > 0;) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			char *more = realloc(s, cap);
			ck_assert_ptr_nonnull(more);
			s = more;
		}
	}
	s[len] = '\0';
	return s;
}

static char *demo_file(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	char *s = demo_read(f);
	fclose(f);
	return s;
}

/* Lines of text that start with prefix. */
static int demo_count(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l)
		n += strncmp(l, prefix, len) == 0;
	return n;
}

/* The scripts in demos/ (not demo.sh, which they source): their names
 * into names, and how many. */
enum { DEMO_MAX = 64 };
static int demo_scripts(char names[][64])
{
	DIR *d = opendir("demos");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) && n < DEMO_MAX;) {
		size_t len = strlen(e->d_name);
		if (len >= 4 && len < 64 &&
		    strcmp(e->d_name + len - 3, ".sh") == 0 &&
		    strcmp(e->d_name, "demo.sh") != 0)
			snprintf(names[n++], 64, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

/* The lesson a script runs: the word after "demo_lesson ", in name. */
static void demo_lesson_of(const char *script, char *name, size_t size)
{
	const char *at = strstr(script, "\ndemo_lesson ");
	name[0] = '\0';
	if (at)
		snprintf(name, size, "%.*s", (int)strcspn(at + 13, " \n"),
			 at + 13);
}

/* Run script path through, as make check does; its output (2>&1). */
static char *demo_run(const char *path, int *status)
{
	const char *dir = getenv("INTERLEAVE_BIN");
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "DEMO_NO_PAUSE=1 sh %s %s/.. 2>&1 </dev/null",
		 path, dir ? dir : "build/bin");
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char *out = demo_read(p);
	*status = pclose(p);
	return out;
}

/* Script path keeps every promise its comments and steps make. */
static void demo_check(const char *path, const char *lesson)
{
	char *script = demo_file(path);
	int status;
	char *out = demo_run(path, &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s: status %d\n%s", path, status, out);
	ck_assert_int_eq(demo_count(out, "== "), demo_count(script, "say \""));
	char shown[64];
	snprintf(shown, sizeof(shown), "> %s ", lesson);
	ck_assert_int_eq(demo_count(out, shown),
			 demo_count(script, "run ") + demo_count(script, "show "));
	ck_assert_msg(demo_count(script, "pause\n") > 0, "%s: no pause", path);
	/* the bug first, then the fix */
	const char *broken = strstr(out, "invariant=broken");
	ck_assert_msg(broken && strstr(broken, "invariant=held"),
		      "%s: no broken run followed by a held one", path);
	int promises = 0;
	for (const char *e = strstr(script, "\n# expect: "); e;
	     e = strstr(e + 1, "\n# expect: ")) {
		char want[256];
		snprintf(want, sizeof(want), "%.*s", (int)strcspn(e + 11, "\n"),
			 e + 11);
		ck_assert_msg(strstr(out, want), "%s does not print '%s'", path,
			      want);
		promises++;
	}
	ck_assert_msg(promises > 0, "%s promises nothing (# expect:)", path);
	free(out);
	free(script);
}

/* Each lesson has at least one demo, and each of its demos runs true. */
START_TEST(test_lesson_has_demo)
{
	const char *name = launcher_lessons[_i]->name;
	char names[DEMO_MAX][64];
	int found = 0;
	for (int i = 0, n = demo_scripts(names); i < n; i++) {
		char path[128], lesson[64];
		snprintf(path, sizeof(path), "demos/%.63s", names[i]);
		char *script = demo_file(path);
		demo_lesson_of(script, lesson, sizeof(lesson));
		free(script);
		if (strcmp(lesson, name) == 0) {
			demo_check(path, name);
			found++;
		}
	}
	ck_assert_msg(found > 0, "lesson %s has no demo in demos/ (a script "
		      "that says 'demo_lesson %s')", name, name);
}
END_TEST

/*
 * The rest of a script's row in demos/README.md ("lesson | what it shows
 * | steps | pauses | ...") says the script's lesson, and as many steps
 * (say) and pauses as it has.
 */
static void demo_row_true(const char *rest, const char *path,
			  const char *lesson)
{
	char name[64] = "";
	int steps = -1, pauses = -1;
	ck_assert_int_eq(sscanf(rest, " %63[^ |] | %*[^|]| %d | %d |", name,
				&steps, &pauses), 3);
	char *script = demo_file(path);
	ck_assert_str_eq(name, lesson);
	ck_assert_int_eq(steps, demo_count(script, "say \""));
	ck_assert_int_eq(pauses, demo_count(script, "pause\n"));
	free(script);
}

/* Every script runs a lesson that exists, and the README's table lists
 * it, with its true figures. */
START_TEST(test_demos_listed)
{
	char *readme = demo_file("demos/README.md");
	char names[DEMO_MAX][64];
	int n = demo_scripts(names);
	for (int i = 0; i < n; i++) {
		char path[128], lesson[64], row[160];
		snprintf(path, sizeof(path), "demos/%.63s", names[i]);
		char *script = demo_file(path);
		demo_lesson_of(script, lesson, sizeof(lesson));
		free(script);
		bool known = false;
		for (int k = 0; launcher_lessons[k]; k++)
			known |= strcmp(launcher_lessons[k]->name, lesson) == 0;
		ck_assert_msg(known, "%s runs no lesson ('%s')", path, lesson);
		snprintf(row, sizeof(row), "| [%.63s](%.63s) |", names[i],
			 names[i]);
		const char *at = strstr(readme, row);
		ck_assert_msg(at, "demos/README.md's table has no row for %s",
			      names[i]);
		demo_row_true(at + strlen(row), path, lesson);
	}
	free(readme);
	ck_assert_int_ge(n, 1);
}
END_TEST

/*
 * Each lesson's page has a section "What can happen at all" with an
 * example of --explore on that lesson, which doccheck runs: the outcomes
 * possible, not those of one seed.
 */
START_TEST(test_lesson_page_explores)
{
	const char *name = launcher_lessons[_i]->name;
	char path[128], example[128];
	snprintf(path, sizeof(path), "docs/lessons/%.63s.md", name);
	char *page = demo_file(path);
	const char *at = strstr(page, "\n## What can happen at all\n");
	ck_assert_msg(at, "%s has no section 'What can happen at all'", path);
	const char *end = strstr(at + 1, "\n## ");
	snprintf(example, sizeof(example), "\n    $ build/bin/%.63s ", name);
	const char *ex = strstr(at, example);
	const char *eol = ex ? strchr(ex + 1, '\n') : NULL;
	const char *flag = ex ? strstr(ex, " --explore") : NULL;
	ck_assert_msg(ex && (!end || ex < end) && flag && (!eol || flag < eol),
		      "%s: its section 'What can happen at all' runs no "
		      "'build/bin/%s ... --explore'", path, name);
	free(page);
}
END_TEST

Suite *demos_suite(void)
{
	Suite *s = suite_create("demos");
	TCase *tc = tcase_create("demos");
	tcase_set_timeout(tc, 120);
	int n = 0;
	while (launcher_lessons[n])
		n++;
	tcase_add_loop_test(tc, test_lesson_has_demo, 0, n);
	tcase_add_test(tc, test_demos_listed);
	tcase_add_loop_test(tc, test_lesson_page_explores, 0, n);
	suite_add_tcase(s, tc);
	return s;
}
