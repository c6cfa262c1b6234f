/*
 * testutil.c: running lessons in-process and as programs, for the suites.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* Split "a b c" into argv (prefixed by the program name); free argv[1]. */
static int tsplit(const char *prog, const char *args, char **argv, int max)
{
	int argc = 0;
	argv[argc++] = (char *)prog;
	char *copy = strdup(args ? args : "");
	for (char *tok = strtok(copy, " "); tok && argc < max - 1;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (argc == 1)
		free(copy);
	return argc;
}

static void tsplit_free(int argc, char **argv)
{
	if (argc > 1)
		free(argv[1]);
}

enum cli_result tcli(const struct lesson *l, const char *args, struct cli *c)
{
	char *argv[64];
	int argc = tsplit(l->name, args, argv, 64);
	enum cli_result r = cli_parse(l, argc, argv, c);
	tsplit_free(argc, argv);
	return r;
}

void tlog_sink_for_tests(const struct event *e, void *ctx)
{
	struct tlog *log = ctx;
	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 256;
		log->ev = realloc(log->ev, log->cap * sizeof(*e));
	}
	log->ev[log->n++] = *e;
	char line[256], say[256];
	event_format(e, &rt_names, line, sizeof(line));
	event_narrate(e, &rt_names, say, sizeof(say));
	size_t add = strlen(line) + strlen(say) + 8;
	log->text = realloc(log->text, log->textlen + add);
	log->textlen += (size_t)sprintf(log->text + log->textlen, "%s%s%s\n",
					line, say[0] ? "  ! " : "", say);
}

enum run_end trun_manual(const struct lesson *l, const char *args,
			 run_chooser choose, void *ctx,
			 struct run_result *res, struct tlog *log)
{
	struct cli c;
	ck_assert_int_eq(tcli(l, args, &c), CLI_RUN);
	enum run_end end = run_lesson(&c.cfg, log ? tlog_sink_for_tests : NULL, log,
				      choose, ctx, res);
	cli_free(&c);
	return end;
}

enum run_end trun(const struct lesson *l, const char *args, struct run_result *res,
		  struct tlog *log)
{
	return trun_manual(l, args, NULL, NULL, res, log);
}

void tlog_free(struct tlog *log)
{
	free(log->ev);
	free(log->text);
	memset(log, 0, sizeof(*log));
}

int tlog_count(const struct tlog *log, int op, int flags)
{
	int n = 0;
	for (size_t i = 0; i < log->n; i++)
		if (log->ev[i].op == op && (log->ev[i].flags & flags) == flags)
			n++;
	return n;
}

static char *tslurp(FILE *f)
{
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	char *s = calloc(1, (size_t)len + 1);
	if (len > 0 && fread(s, 1, (size_t)len, f) != (size_t)len)
		s[0] = '\0';
	fclose(f);
	return s;
}

/* The lesson binary's path, from INTERLEAVE_BIN (default build/bin). */
static void tbin(const char *lesson, char *path, size_t size)
{
	const char *dir = getenv("INTERLEAVE_BIN");
	snprintf(path, size, "%s/%s", dir ? dir : "build/bin", lesson);
}

/* What texec_in() gives the next program on stdin; NULL: /dev/null. */
static const char *tinput;

/* Run argv (argv[0] the binary) with stdin from /dev/null (or tinput);
 * out, err kept. */
static int trun_argv(char **argv, char **out, char **err)
{
	FILE *fi = NULL;
	if (tinput) {
		fi = tmpfile();
		ck_assert(fi);
		fputs(tinput, fi);
		fflush(fi);
		rewind(fi);
	}
	FILE *fo = tmpfile(), *fe = tmpfile();
	ck_assert(fo && fe);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = fi ? fileno(fi) : open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(fileno(fo), 1);
		dup2(fileno(fe), 2);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	*out = tslurp(fo);
	*err = tslurp(fe);
	if (fi)
		fclose(fi);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int texec(const char *lesson, const char *args, char **out, char **err)
{
	char path[512];
	tbin(lesson, path, sizeof(path));
	char *argv[64];
	int argc = tsplit(path, args, argv, 64);
	int rc = trun_argv(argv, out, err);
	tsplit_free(argc, argv);
	return rc;
}

int texec_in(const char *lesson, const char *args, const char *input,
	     char **out, char **err)
{
	tinput = input;
	int rc = texec(lesson, args, out, err);
	tinput = NULL;
	return rc;
}

int texecv(const char *lesson, const char *const *args, char **out,
	   char **err)
{
	char path[512];
	char *argv[64];
	int argc = 0;
	tbin(lesson, path, sizeof(path));
	argv[argc++] = path;
	while (args && *args && argc < 63)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return trun_argv(argv, out, err);
}

void trefused(const char *lesson, const char *args, int rc, char *out,
	      char *err, const char *says)
{
	size_t n = strlen(lesson);
	ck_assert_msg(rc == 2, "%s %s: exit %d, want 2", lesson, args, rc);
	ck_assert_msg(strstr(err, says), "%s %s: stderr '%s' lacks '%s'",
		      lesson, args, err, says);
	ck_assert_msg(strncmp(err, lesson, n) == 0 && strncmp(err + n, ": ", 2) == 0,
		      "no program name: %s", err);
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1,
		      "%s %s: not one line: %s", lesson, args, err);
	ck_assert_msg(out[0] == '\0', "%s %s printed: %s", lesson, args, out);
	free(out);
	free(err);
}

void tbad_input(const char *lesson, const char *args)
{
	char *out, *err, prefix[64];
	int rc = texec(lesson, args, &out, &err);
	snprintf(prefix, sizeof(prefix), "%s: --", lesson);
	ck_assert_msg(rc == 2, "%s %s: exit %d, want 2", lesson, args, rc);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
		      "%s %s: stderr '%s'", lesson, args, err);
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1,
		      "%s %s: not one line: %s", lesson, args, err);
	ck_assert_str_eq(out, "");
	free(out);
	free(err);
}

bool tslow(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	return true;
#else
	return getenv("INTERLEAVE_QUICK") != NULL;
#endif
}

/*
 * Processes whose environment carries this run's tag: the lesson and
 * every process it forked (fork keeps the environment).
 */
int ttagged(const char *tag)
{
	DIR *d = opendir("/proc");
	ck_assert(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char path[300], env[8192];
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/environ", de->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, env, sizeof(env) - 1);
		close(fd);
		for (ssize_t i = 0; i < len;) {
			if (strcmp(env + i, tag) == 0) {
				n++;
				break;
			}
			i += (ssize_t)strlen(env + i) + 1;
		}
	}
	closedir(d);
	return n;
}

static void tpause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Wait up to ms for the count of tagged processes to reach want. */
int ttagged_wait(const char *tag, int want, bool atleast, int ms)
{
	int n = 0;
	for (int i = 0; i < ms / 10; i++) {
		n = ttagged(tag);
		if (atleast ? n >= want : n == want)
			break;
		tpause_ms(10);
	}
	return n;
}

/* Start a lesson with tag in its environment and stdin from a pipe. */
pid_t tspawn(const char *tag, const char *const *argv, int *in)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char path[512];
		const char *dir = getenv("INTERLEAVE_BIN");
		snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/bin",
			 argv[0]);
		dup2(p[0], 0);
		close(p[1]);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		putenv((char *)tag);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(p[0]);
	*in = p[1];
	return pid;
}

/* The names in /dev/shm that runs make ("interleave.PID.N.NAME"), each
 * between newlines ("\nA\nB\n"); to free. */
static char *tshm_list(void)
{
	char *s;
	size_t n;
	FILE *f = open_memstream(&s, &n);
	ck_assert(f);
	fputc('\n', f);
	DIR *d = opendir("/dev/shm");
	ck_assert(d);
	for (struct dirent *e; (e = readdir(d));)
		if (strncmp(e->d_name, "interleave.", 11) == 0)
			fprintf(f, "%s\n", e->d_name);
	closedir(d);
	fclose(f);
	return s;
}

/* No name of pid's in /dev/shm that was not there before.  An old one
 * can be: a process of an earlier run that was killed outright (a
 * test's SIGKILL) keeps its names, and its number comes round again. */
static void tshm_none_new(const char *before, pid_t pid, const char *name,
			  int run)
{
	char mine[40], line[300];
	snprintf(mine, sizeof(mine), "interleave.%d.", (int)pid);
	char *after = tshm_list();
	for (char *p = after + 1, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		snprintf(line, sizeof(line), "\n%.*s\n", (int)(nl - p), p);
		ck_assert_msg(strncmp(p, mine, strlen(mine)) != 0 ||
				      strstr(before, line),
			      "%s run %d left /dev/shm/%.*s", name, run,
			      (int)(nl - p), p);
	}
	free(after);
}

void tno_leak(const struct tend *end, int run, int ms)
{
	const char *name = end->argv[0];
	int sig = end->sig, procs = end->procs;
	char tag[80];
	snprintf(tag, sizeof(tag), "INTERLEAVE_LEAK_TAG=%s-%d-%d", name,
		 getpid(), run);
	char *before = tshm_list();
	int in;
	pid_t pid = tspawn(tag, end->argv, &in);
	if (procs)
		ck_assert_int_ge(ttagged_wait(tag, procs, true, 5000), procs);
	if (sig > 0) {
		usleep((useconds_t)ms * 1000);
		kill(pid, sig);
	}
	/* only now: a manual run reads its end, and ends, before the signal
	 * otherwise */
	close(in);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (!sig)
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "%s run %d ended badly", name, run);
	ck_assert_msg(ttagged_wait(tag, 0, false, 100) == 0,
		      "%s run %d: processes left after it", name, run);
	tshm_none_new(before, pid, name, run);
	free(before);
}

char *texplore_says(const char *lesson, const char *args, const char *says,
		    const char *lacks)
{
	char *out, *err;
	ck_assert_int_eq(texec(lesson, args, &out, &err), 0);
	ck_assert_msg(!says || strstr(out, says), "%s %s: no %s in:\n%s",
		      lesson, args, says, out);
	ck_assert_msg(!lacks || !strstr(out, lacks), "%s %s: %s in:\n%s",
		      lesson, args, lacks, out);
	ck_assert_str_eq(err, "");
	free(err);
	return out;
}

void tsame_output(const char *lesson, const char *args, int runs)
{
	char *first = NULL, *err;
	for (int i = 0; i < runs; i++) {
		char *out;
		ck_assert_int_eq(texec(lesson, args, &out, &err), 0);
		ck_assert_str_eq(err, "");
		free(err);
		if (!first) {
			first = out;
			continue;
		}
		ck_assert_str_eq(out, first);
		free(out);
	}
	free(first);
}
