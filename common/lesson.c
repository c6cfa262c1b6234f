/*
 * lesson.c: lesson_main(), what every lesson program runs.
 *
 * It parses the command line, checks a --schedule before anything is
 * printed, and then either opens the viewer or prints the run as text:
 * one event per line (--plain) or just the summary line (--quiet).  Here
 * too are the calls a lesson's setup() and report() make of its run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cast.h"
#include "cli.h"
#include "proc.h"
#include "challenge.h"
#include "quiz.h"
#include "run.h"
#include "state.h"
#include "view.h"
#include "watch.h"

/* --- what a lesson asks of its run --- */

long lesson_opt(const char *name)
{
	int i = cli_option_index(rt.cfg->lesson, name);
	if (i < 0)
		rt_die("lesson asked for unknown option '%s'", name);
	return rt.cfg->opts[i];
}

const char *lesson_opt_text(const char *name)
{
	int i = cli_option_index(rt.cfg->lesson, name);
	if (i < 0 || !rt.cfg->lesson->options[i].text)
		rt_die("lesson asked for unknown text option '%s'", name);
	return rt.cfg->texts[i];
}

int lesson_variant(void)
{
	return rt.cfg->variant;
}

bool lesson_step_mode(void)
{
	return rt.mode == RT_STEP;
}

void *lesson_calloc(size_t n, size_t size)
{
	if (rt.procs) /* books every process of the run sees */
		return proc_alloc((n ? n : 1) * (size ? size : 1));
	if (rt_self()) /* as objects are (rt_add_obj()) */
		rt_die("lesson_calloc(): blocks are made in setup()");
	if (rt.nallocs == RT_MAX_ALLOCS)
		rt_die("more than %d lesson_calloc() blocks", RT_MAX_ALLOCS);
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		rt_die("out of memory");
	rt.alloc_size[rt.nallocs] = (n ? n : 1) * (size ? size : 1);
	rt.allocs[rt.nallocs++] = p;
	return p;
}

void lesson_figure(const char *name, long value)
{
	if (rt.nfigures >= RT_MAX_FIGURES)
		rt_die("more than %d summary figures", RT_MAX_FIGURES);
	rt.figures[rt.nfigures].name = name;
	rt.figures[rt.nfigures].value = value;
	rt.nfigures++;
}

void lesson_note_lost_at(int kind, long value, int other, int lost,
			 int line)
{
	struct event *e = rt_ev(OP_NOTE, NULL, line);
	e->a = value;
	e->b = kind;
	e->other = (int16_t)other;
	e->lost = lost;
	rt_commit(e);
}

void lesson_note_at(int kind, long value, int other, int line)
{
	lesson_note_lost_at(kind, value, other, 0, line);
}

int lesson_thread(void)
{
	return rt_self() ? rt_self()->id : 0;
}

long lesson_elapsed_us(void)
{
	return rt.elapsed_us;
}

long lesson_lost_updates(void)
{
	if (rt.mode == RT_STEP && !rt.reporting)
		rt_die("lesson_lost_updates() is for report() only");
	rt.lost_asked = true;
	return rt.lost_updates;
}

/* --policy=manual without the viewer: read thread numbers from stdin. */
static bool lesson_ask(int *id, void *ctx)
{
	(void)ctx;
	int ids[RT_MAX_THREADS];
	int n = sched_eligible(ids);
	char line[64], why[160], u = rt_names.unit();
	const char *unit = event_unit_word(u);
	fflush(stdout);
	for (;;) {
		fprintf(stderr, "step %llu: ready:",
			(unsigned long long)rt.step + 1);
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %c%d", u, ids[i]);
		fprintf(stderr, "; run which %s? ", unit);
		if (!fgets(line, sizeof(line), stdin)) {
			fputc('\n', stderr); /* end the prompt's line */
			return false;
		}
		char *end;
		long v = strtol(line, &end, 10);
		if (end == line || v < 1 || v > rt.nthreads) {
			fprintf(stderr, "  a %s number from 1 to %d, "
				"please\n", unit, rt.nthreads);
			continue;
		}
		const struct thr *t = &rt.threads[v];
		if (!sched_ready(t)) {
			fprintf(stderr, "  %c%ld cannot run: it %s\n", u, v,
				t->state == THR_DONE
					? "has finished"
					: sched_why(t, why, sizeof(why)));
			continue;
		}
		*id = (int)v;
		return true;
	}
}

/*
 * Standard output, flushed: 0, or 1 after saying why on stderr.  A write
 * that failed (a full disk, /dev/full, a closed pipe) is a failure of the
 * run's one job, never a silent success.
 */
static int lesson_flush(const struct lesson *l)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	fprintf(stderr, "%s: cannot write standard output: %s\n", l->name,
		ferror(stdout) && errno ? strerror(errno) : "write error");
	return 1;
}

/*
 * Remember what the person did (state.h): the questions answered, and
 * challenge n met (0: none).  A file that cannot be written is said on
 * stderr, once, and changes nothing else: the run's status is its own.
 */
static void lesson_remember(const struct lesson *l, const int *idx, int nq,
			    const struct run_result *res, int n)
{
	char note[600], said[600] = "";
	for (int k = 0; k < nq; k++) {
		quiz_remember(l, idx[k], res, note, sizeof(note));
		if (note[0])
			snprintf(said, sizeof(said), "%s", note);
	}
	if (n) {
		state_record_nth(STATE_CHALLENGES, l->name, n, note,
				 sizeof(note));
		if (note[0])
			snprintf(said, sizeof(said), "%s", note);
	}
	if (said[0])
		fprintf(stderr, "%s: %s\n", l->name, said);
}

static int lesson_text(const struct run_config *cfg, bool quiet, bool quiz,
		       int challenge)
{
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	int idx[QUIZ_MAX], nq = 0;
	long answers[QUIZ_MAX];
	/* the predictions first: nothing of the run is shown before them */
	if (quiz && !quiz_ask(cfg, stdin, stdout, idx, answers, &nq))
		return lesson_flush(cfg->lesson) ? 1 : 2;
	const struct lesson_challenge *ch =
		challenge ? &cfg->lesson->challenges[challenge - 1] : NULL;
	if (ch) { /* the goal first: the person chooses with it in mind */
		char goal[600];
		challenge_goal(ch, challenge, goal, sizeof(goal));
		printf("%s\n", goal);
	}
	struct run_result res;
	enum run_end end = run_lesson(cfg, quiet ? NULL : run_plain_sink,
				      stdout, lesson_ask, NULL, &res);
	const char *word = event_unit_word(rt_unit_of(cfg->lesson,
							   cfg->variant));
	if (!quiet && cfg->mode == RT_FREE && end == RUN_DEADLOCK)
		printf("# deadlock: every live %s waited for %d ms and none "
		       "could wake another; the run was stopped\n", word,
		       WATCH_QUIET_MS);
	if (!quiet && cfg->mode == RT_FREE && res.kept < res.steps)
		printf("# free mode keeps the first %d events of each %s: "
		       "the first %llu of %llu events are shown\n", RT_RING,
		       word, (unsigned long long)res.kept,
		       (unsigned long long)res.steps);
	run_summary(cfg, &res, stdout);
	if (quiz)
		quiz_reveal(cfg, &res, idx, answers, nq, stdout);
	bool met = ch && challenge_report(ch, challenge, &res, stdout);
	int rc = lesson_flush(cfg->lesson);
	lesson_remember(cfg->lesson, idx, nq, &res, met ? challenge : 0);
	if (end == RUN_NO_INPUT) {
		/* The run did not complete: not a success, not bad usage. */
		fprintf(stderr, "%s: --policy=manual: input ended after "
			"%llu step%s, before the run did\n", cfg->lesson->name,
			(unsigned long long)res.steps, res.steps == 1 ? "" : "s");
		rc = 1;
	}
	return rc;
}

/* --explore: the report (or its summary line) on stdout. */
static int lesson_explore(const struct cli *c)
{
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	int rc = explore_main(&c->cfg, &c->lim, c->out == OUT_QUIET, stdout);
	int wrc = lesson_flush(c->cfg.lesson);
	return rc ? rc : wrc;
}

/* --quiz: does any question apply to this run?  If not, say which do. */
static bool lesson_quiz_applies(const struct cli *c)
{
	int idx[QUIZ_MAX];
	if (!c->quiz || quiz_find(&c->cfg, idx) > 0)
		return true;
	/* point at a question of this variant, if it has one */
	const struct lesson *l = c->cfg.lesson;
	const struct lesson_question *q = &l->questions[0];
	for (int i = 0; l->questions[i].ask; i++)
		if (l->questions[i].variant &&
		    !strcmp(l->questions[i].variant,
			    l->variants[c->cfg.variant].name)) {
			q = &l->questions[i];
			break;
		}
	char args[600], differs[600];
	quiz_args(q, args, sizeof(args));
	quiz_differs(q, &c->cfg, differs, sizeof(differs));
	cli_error(l, "--quiz: no question is about this run; one is about: "
		  "%s --quiz %s%s%s", l->name, args,
		  differs[0] ? ", and this run has " : "", differs);
	return false;
}

/*
 * --record=FILE: create it now, before the screen opens, so that a path
 * that cannot be written is said plainly (exit 1, an environment
 * failure, not bad usage).  0 when it is open.
 */
static int lesson_record_open(const struct cli *c)
{
	const struct lesson *l = c->cfg.lesson;
	char title[256];
	snprintf(title, sizeof(title), "%s, variant %s: %s", l->name,
		 l->variants[c->cfg.variant].name, l->summary);
	int err = cast_open(c->record, title);
	if (err)
		fprintf(stderr, "%s: --record: cannot write '%s': %s\n",
			l->name, c->record, strerror(err));
	return err ? 1 : 0;
}

/* After the viewer: did every line of the recording reach the file? */
static int lesson_record_close(const struct cli *c, int rc)
{
	int err = cast_error();
	if (!err)
		return rc;
	fprintf(stderr, "%s: --record: writing '%s' failed: %s\n",
		c->cfg.lesson->name, c->record, strerror(err));
	return rc ? rc : 1;
}

int lesson_main(const struct lesson *l, int argc, char **argv)
{
	struct cli c;
	switch (cli_parse(l, argc, argv, &c)) {
	case CLI_DONE:
		return lesson_flush(l);
	case CLI_USAGE:
		return 2;
	case CLI_RUN:
		break;
	}
	bool tty = isatty(STDOUT_FILENO);
	if (c.out == OUT_AUTO && !c.explore)
		c.out = tty || c.record ? OUT_VIEW : OUT_PLAIN;
	int rc = 2;
	char err[256];
	if (c.out == OUT_VIEW && !tty && c.record)
		cli_error(l, "--record records the viewer, which needs a "
			  "terminal on standard output");
	else if (c.out == OUT_VIEW && !tty)
		cli_error(l, "--view needs a terminal on standard output; "
			  "use --plain or --quiet");
	else if (c.cfg.mode == RT_STEP && c.cfg.nschedule &&
		 !run_check_schedule(&c.cfg, err, sizeof(err)))
		cli_error(l, "%s", err);
	else if (!lesson_quiz_applies(&c))
		rc = 2;
	else if (c.explore)
		rc = lesson_explore(&c);
	else if (c.out == OUT_VIEW && c.record && lesson_record_open(&c))
		rc = 1;
	else if (c.out == OUT_VIEW)
		rc = lesson_record_close(&c, view_run(&c.cfg, c.quiz,
						      c.challenge));
	else
		rc = lesson_text(&c.cfg, c.out == OUT_QUIET, c.quiz,
				 c.challenge);
	cli_free(&c);
	return rc;
}
