/*
 * testutil.h: helpers shared by the Check suites.
 */
#ifndef INTERLEAVE_TESTUTIL_H
#define INTERLEAVE_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli.h"
#include "run.h"

/* Events of one run, kept in memory. */
struct tlog {
	struct event *ev;
	size_t n, cap;
	char *text; /* the --plain lines, newline-separated */
	size_t textlen;
};

/* The lessons linked into the test runner. */
extern const struct lesson race_lesson;
extern const struct lesson bandwidth_lesson;
extern const struct lesson barrier_lesson;
extern const struct lesson prodcons_lesson;
extern const struct lesson fork_lesson;
extern const struct lesson shmrace_lesson;
extern const struct lesson pipe_lesson;
extern const struct lesson deadlock_lesson;
extern const struct lesson locks_lesson;
extern const struct lesson event_lesson;
extern const struct lesson tls_lesson;
extern const struct lesson shm_lesson;
/* Every lesson, as the launcher lists them (generated from lessons/). */
extern const struct lesson *const launcher_lessons[];
extern const struct lesson sched_lesson;
extern const struct lesson timer_lesson;
extern const struct lesson mpqueue_lesson;
extern const struct lesson manager_lesson;
extern const struct lesson pool_lesson;

/*
 * Run lesson with the given command-line options (space-separated, as
 * typed), keeping events in log (may be NULL).  Fails the test on a usage
 * error.  Returns the run's end.
 */
enum run_end trun(const struct lesson *l, const char *args, struct run_result *res,
		  struct tlog *log);
/* The same, with a manual chooser. */
enum run_end trun_manual(const struct lesson *l, const char *args,
			 run_chooser choose, void *ctx,
			 struct run_result *res, struct tlog *log);
/* cli_parse on a space-separated string; the config's schedule is freed
 * by tcli_free. */
enum cli_result tcli(const struct lesson *l, const char *args, struct cli *c);
void tlog_free(struct tlog *log);
/* The event sink that fills a tlog (ctx). */
void tlog_sink_for_tests(const struct event *e, void *ctx);
/* Number of events in log with op (and all of flags). */
int tlog_count(const struct tlog *log, int op, int flags);

/* Run a lesson binary: exit status, stdout and stderr (malloc'd). */
int texec(const char *lesson, const char *args, char **out, char **err);
/* The same, with input on its standard input. */
int texec_in(const char *lesson, const char *args, const char *input,
	     char **out, char **err);
/* The same with arguments as given (NULL-terminated), spaces and all. */
int texecv(const char *lesson, const char *const *args, char **out,
	   char **err);

/*
 * lesson ARGS ended with rc, out, err: refused as bad usage, one line on
 * stderr naming the program and containing says, nothing on stdout.
 * Frees out and err.
 */
void trefused(const char *lesson, const char *args, int rc, char *out,
	      char *err, const char *says);

/*
 * A bad command line for lesson: exit 2, one line on stderr that starts
 * with "LESSON: --", nothing on stdout.
 */
void tbad_input(const char *lesson, const char *args);

/*
 * Processes whose environment holds tag ("NAME=value"): a lesson started
 * with it, and every process it forked.  ttagged_wait() waits up to ms
 * for there to be want of them (at least want, if atleast).
 */
int ttagged(const char *tag);
int ttagged_wait(const char *tag, int want, bool atleast, int ms);

/* Start lesson argv[0] (build/bin, or $INTERLEAVE_BIN) with tag
 * ("NAME=value") in its environment, its stdin the read end of a pipe
 * whose write end is *in, its output discarded. */
pid_t tspawn(const char *tag, const char *const *argv, int *in);
/* One way a run ends, for tno_leak(). */
struct tend {
	const char *const argv[10]; /* argv[0]: the lesson */
	int sig;   /* sent once there are procs processes; 0: none; -1:
		      none, the end of input alone (a manual run ends) */
	int procs;
};

/*
 * Run lesson end->argv to its end; with a signal, send it once procs of
 * its processes are there and ms more have passed (a run that must get
 * somewhere first); its standard input ends after that.  Then not one
 * process of the run may be left, nor a name it made in /dev/shm, and
 * without sig it must have exited 0.  run tells the runs of a table
 * apart.
 */
void tno_leak(const struct tend *end, int run, int ms);
/*
 * Run lesson ARGS (an --explore run): exit 0, nothing on stderr, says in
 * its output and lacks not (either may be NULL).  Returns the output
 * (malloc'd) for the caller's own checks.
 */
char *texplore_says(const char *lesson, const char *args, const char *says,
		    const char *lacks);
/* Run lesson ARGS runs times: exit 0, nothing on stderr, and the same
 * standard output, byte for byte, every time. */
void tsame_output(const char *lesson, const char *args, int runs);

/* Sanitizers slow everything: scale work down under them. */
bool tslow(void);

Suite *cli_suite(void);
Suite *sched_suite(void);
Suite *prim_suite(void);
Suite *race_suite(void);
Suite *model_suite(void);
Suite *view_suite(void);
Suite *bandwidth_suite(void);
Suite *barrier_suite(void);
Suite *prodcons_suite(void);
Suite *explore_suite(void);
Suite *proc_suite(void);
Suite *pipe_suite(void);
Suite *launcher_suite(void);
Suite *deadlock_suite(void);
Suite *locks_suite(void);
Suite *event_suite(void);
Suite *timer_suite(void);
Suite *flag_suite(void);
Suite *quiz_suite(void);
Suite *tls_suite(void);
Suite *shm_suite(void);
Suite *schedq_suite(void);
Suite *challenge_suite(void);
Suite *demos_suite(void);
Suite *mpqueue_suite(void);
Suite *manager_suite(void);
Suite *record_suite(void);
Suite *pool_suite(void);
Suite *state_suite(void);

#endif
