/*
 * view.c: the viewer's controller: it runs the lesson, keeps the model,
 * and turns keys into steps.  draw.c turns the model into a screen.
 *
 * Step mode drives the scheduler itself, one step per key press or tick.
 * Every step's thread is remembered, with the scheduler's state after it,
 * so a step back rebuilds the run from the start and replays one step
 * fewer: the runtime is deterministic, so the replay is exact.  Free mode
 * runs the lesson on real threads first, then replays its recorded events.
 *
 * The loop sleeps in poll() on the terminal and on a self-pipe that the
 * signal handlers write to: paused, the viewer uses no CPU at all.
 * The terminal is restored on every way out: q, SIGINT, SIGTERM, SIGHUP,
 * a fatal runtime error (atexit) and, as far as it can be, a crash
 * (term.c, shared with the launcher's menu).
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "challenge.h"
#include "cli.h"
#include "explore.h"
#include "quiz.h"
#include "state.h"
#include "term.h"
#include "view.h"
#include "watch.h"

const int view_delays_ms[VIEW_SPEEDS] = { 2000, 1000, 600, 300, 150, 60,
					  20, 5 };
#define VIEW_DEFAULT_SPEED 2

static void view_curses(void)
{
	if (!term_signals(&watch_interrupt)) /* a free run under way stops too */
		rt_die("pipe: %s", strerror(errno));
	if (!term_start())
		rt_die("cannot start the terminal (TERM=%s)",
		       getenv("TERM") ? getenv("TERM") : "unset");
	draw_init();
}

/* --- the source text, split into lines once --- */

static void view_source(struct view *v)
{
	const char *text = v->cfg.lesson->source ? v->cfg.lesson->source : "";
	int n = 1;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	v->src = calloc((size_t)n + 2, sizeof(*v->src));
	char *copy = strdup(text);
	if (!v->src || !copy)
		rt_die("out of memory");
	v->nsrc = 0;
	for (char *line = copy, *nl; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		v->src[++v->nsrc] = line; /* lines count from 1 */
	}
}

/* --- event names that outlive the runtime (free mode replays) --- */

static const struct view *view_names_of;

/* A process the model has not met yet is named by the live runtime. */
static const char *view_thread_name(int id)
{
	const struct model *m = &view_names_of->m;
	if (id > 0 && id <= m->nthreads && m->threads[id].name)
		return m->threads[id].name;
	return rt_names.thread(id);
}

static const char *view_object_name(int id)
{
	const struct model *m = &view_names_of->m;
	return id >= 0 && id < m->nobjs ? m->objs[id].name : "-";
}

static const char *view_note(int kind)
{
	const char *const *notes = view_names_of->cfg.lesson->notes;
	return notes && kind >= 0 ? notes[kind] : NULL;
}

static char view_unit(void)
{
	return rt_unit_of(view_names_of->cfg.lesson,
			  view_names_of->cfg.variant);
}

static const struct event_names view_names = {
	.thread = view_thread_name,
	.object = view_object_name,
	.note = view_note,
	.unit = view_unit,
};

static void view_sink(const struct event *e, void *ctx)
{
	struct view *v = ctx;
	model_apply(&v->m, e, &view_names);
}

/* --- step mode --- */

static void view_step_begin(struct view *v)
{
	if (v->cfg.policy == POLICY_PCT)
		v->cfg.pct_steps = run_pct_steps(&v->cfg);
	rt_init(&v->cfg, view_sink, v);
	model_init(&v->m, true);
	sched_init(&v->sched, &v->cfg);
	sched_start();
	v->live = true;
	v->finished = false;
}

static void view_end_run(struct view *v, enum run_end end)
{
	run_finish(end, &v->res);
	v->live = false;
	v->finished = true;
	v->playing = false;
}

static void view_remember(struct view *v, int id)
{
	if (v->nhist == v->caphist) {
		v->caphist = v->caphist ? v->caphist * 2 : 256;
		v->hist = realloc(v->hist, v->caphist * sizeof(*v->hist));
		v->hsched = realloc(v->hsched, v->caphist * sizeof(*v->hsched));
		if (!v->hist || !v->hsched)
			rt_die("out of memory");
	}
	v->hist[v->nhist] = id;
	v->hsched[v->nhist] = v->sched;
	v->nhist++;
}

/* The run is over when nobody can run; say why. */
static void view_check_end(struct view *v)
{
	int ids[RT_MAX_THREADS];
	if (sched_eligible(ids) > 0)
		return;
	if (sched_live() > 0)
		sched_deadlock();
	view_end_run(v, sched_live() > 0 ? RUN_DEADLOCK : RUN_DONE);
}

static void view_run_step(struct view *v, int id)
{
	sched_step(id);
	view_check_end(v);
}

/* One step forward: a redo from history, or the policy's choice. */
static void view_step_forward(struct view *v)
{
	int id;
	char err[256];
	uint64_t k = v->m.step;
	if (k < v->nhist) {
		v->sched = v->hsched[k];
		view_run_step(v, v->hist[k]);
		return;
	}
	if (k >= (uint64_t)v->cfg.max_steps) {
		view_end_run(v, RUN_STEP_LIMIT);
		return;
	}
	switch (sched_pick(&v->sched, &id, err, sizeof(err))) {
	case SCHED_OK:
		view_remember(v, id);
		view_run_step(v, id);
		break;
	case SCHED_MANUAL:
		snprintf(v->msg, sizeof(v->msg), "manual policy: press the "
			 "number of a ready %s", event_unit_word(v->m.unit));
		v->playing = false;
		break;
	case SCHED_BAD:
		snprintf(v->msg, sizeof(v->msg), "%s", err);
		v->playing = false;
		break;
	case SCHED_NONE:
		view_check_end(v);
		break;
	}
}

/* Manual scheduling: run thread id one step, or say why it cannot. */
static void view_step_thread(struct view *v, int id)
{
	char why[160];
	if (id > rt.nthreads) {
		snprintf(v->msg, sizeof(v->msg), "there is no %c%d: %s "
			 "are 1 to %d", v->m.unit, id,
			 event_units_word(v->m.unit), rt.nthreads);
		return;
	}
	const struct thr *t = &rt.threads[id];
	if (!sched_ready(t)) {
		snprintf(v->msg, sizeof(v->msg), "%c%d cannot run: it %s",
			 v->m.unit, id,
			 t->state == THR_DONE ? "has finished"
					      : sched_why(t, why, sizeof(why)));
		return;
	}
	v->nhist = v->m.step; /* a new branch: forget the old future */
	view_remember(v, id);
	view_run_step(v, id);
}

/* Rebuild the run and replay its first `steps` steps, without drawing. */
static void view_step_replay(struct view *v, uint64_t steps)
{
	if (v->live)
		rt_destroy();
	view_step_begin(v);
	for (uint64_t k = 0; k < steps; k++) {
		v->sched = v->hsched[k];
		sched_step(v->hist[k]);
	}
	view_check_end(v);
}

/* --- free mode: record a real run, then replay it --- */

static void view_free_sink(const struct event *e, void *ctx)
{
	struct view *v = ctx;
	if (v->nfev == v->capfev) {
		v->capfev = v->capfev ? v->capfev * 2 : 4096;
		v->fev = realloc(v->fev, v->capfev * sizeof(*e));
		if (!v->fev)
			rt_die("out of memory");
	}
	v->fev[v->nfev++] = *e;
	if (e->op == OP_FORK && e->other <= RT_MAX_THREADS) /* its name */
		v->m0.threads[e->other].name = rt_names.thread(e->other);
}

static void view_free_begin(struct view *v);
static void view_free_replay(struct view *v, uint64_t steps);

/* Where the replay starts (model_replay_start); false: no turns taken. */
static bool view_free_start(struct view *v)
{
	static struct model all; /* large: not on the stack */
	long seen;
	bool found = model_replay_start(&v->m0, v->fev, v->nfev, &view_names,
					&all, &v->fstart, &seen);
	v->fseen = (uint64_t)seen;
	return found;
}

/*
 * Each thread's cursor before its first recorded event: the line of that
 * event, so the replay opens on the code that is about to run.
 */
static void view_free_lines(struct view *v)
{
	for (size_t i = v->nfev; i-- > 0;) {
		const struct event *e = &v->fev[i];
		if (e->thread > 0 && e->line > 0)
			v->m0.threads[e->thread].line = e->line;
	}
}

/*
 * Record real runs until one shows its threads taking turns (at most 10
 * runs, about 1 s): a replay of one thread alone shows no race at all.
 * Each is a whole real run; the screen says which one it shows.
 */
static void view_free_record(struct view *v)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int runs = 0;
	bool found;
	do {
		view_free_begin(v);
		if (rt.interrupted)
			return; /* view_main() ends the process */
		runs++;
		found = view_free_start(v);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (!found && !term_signal && runs < 10 && v->m0.nthreads > 1 &&
		 (t1.tv_sec - t0.tv_sec) * 1000 +
				 (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	v->fturns = found;
	v->fruns = runs;
	v->res.kept = v->nfev;
	view_free_lines(v);
	view_free_replay(v, v->fstart);
}

static void view_free_begin(struct view *v)
{
	erase();
	mvprintw(0, 0, "%s: running %s on real %s at full speed...",
		 v->cfg.lesson->name, v->cfg.lesson->variants[v->cfg.variant].name,
		 event_units_word(rt_unit_of(v->cfg.lesson, v->cfg.variant)));
	term_refresh();
	v->nfev = 0;
	rt_init(&v->cfg, NULL, NULL);
	model_init(&v->m0, false);
	run_free(view_free_sink, v);
	if (rt.interrupted)
		return; /* view_main() ends the process */
	run_finish(rt.deadlocked ? RUN_DEADLOCK : RUN_DONE, &v->res);
	v->m = v->m0;
	v->fpos = 0;
	v->fsteps = 0;
	v->finished = false;
}

/* Apply recorded events up to and including the next step. */
static void view_free_forward(struct view *v)
{
	while (v->fpos < v->nfev) {
		const struct event *e = &v->fev[v->fpos++];
		model_apply(&v->m, e, &view_names);
		if (e->flags & EV_STEP) {
			v->fsteps++;
			break;
		}
	}
	/* trailing non-step events (exits) belong to the last step */
	while (v->fpos < v->nfev && !(v->fev[v->fpos].flags & EV_STEP))
		model_apply(&v->m, &v->fev[v->fpos++], &view_names);
	if (v->fpos == v->nfev) {
		v->finished = true;
		v->playing = false;
	}
}

static void view_free_replay(struct view *v, uint64_t steps)
{
	v->m = v->m0;
	v->fpos = 0;
	v->fsteps = 0;
	v->finished = false;
	while (v->fsteps < steps && v->fpos < v->nfev)
		view_free_forward(v);
	v->said = v->m.said;
}

/* --- both modes --- */

static bool view_step_mode(const struct view *v)
{
	return v->cfg.mode == RT_STEP;
}

/* Steps shown so far: the step count, or free mode's replay position. */
static uint64_t view_position(const struct view *v)
{
	return view_step_mode(v) ? v->m.step : v->fsteps;
}

/* What the lesson and the variant are about: the first message of a run. */
static void view_intro(struct view *v)
{
	const struct lesson *l = v->cfg.lesson;
	const struct lesson_variant *var = &l->variants[v->cfg.variant];
	int k = snprintf(v->msg, sizeof(v->msg), "%s: %s.  Variant %s: %s.",
			 l->name, l->summary, var->name, var->summary);
	if (var->fails && k > 0 && (size_t)k < sizeof(v->msg))
		snprintf(v->msg + k, sizeof(v->msg) - (size_t)k,
			 "  f loads a run that shows it fail.");
}

/* --challenge: the goal replaces the intro, while the run is its own. */
static void view_challenge_intro(struct view *v)
{
	v->challenge_judged = false;
	if (!v->challenge)
		return;
	const struct lesson_challenge *ch =
		&v->cfg.lesson->challenges[v->challenge - 1];
	char goal[300];
	challenge_goal(ch, v->challenge, goal, sizeof(goal));
	if (challenge_applies(ch, &v->cfg))
		snprintf(v->msg, sizeof(v->msg), "%s.  You are the scheduler: "
			 "1-9 runs that %s.", goal,
			 event_unit_word(v->m.unit));
	else
		snprintf(v->msg, sizeof(v->msg), "%s: this run is not the "
			 "challenge's; r restarts it as it was.", goal);
}

/*
 * A state file's notice (state.h), after the message: on the screen, for
 * stderr would garble it; it changes nothing else.
 */
static void view_state_note(struct view *v, const char *note)
{
	size_t k = strlen(v->msg);
	int room = (int)(sizeof(v->msg) - k) - 5; /* "  ()" and the NUL */
	if (note[0] && room > 0)
		snprintf(v->msg + k, sizeof(v->msg) - k, "  (%.*s)", room,
			 note);
}

/* The run has ended (or come back from its end): judge it once. */
static void view_challenge_check(struct view *v)
{
	if (!v->challenge)
		return;
	const struct lesson_challenge *ch =
		&v->cfg.lesson->challenges[v->challenge - 1];
	if (!v->finished) {
		v->challenge_judged = false;
		/* said once, as the step that spends it is taken */
		if (ch->budget > 0 && v->m.step == (uint64_t)ch->budget + 1 &&
		    challenge_applies(ch, &v->cfg))
			snprintf(v->msg, sizeof(v->msg), "Challenge %d: the "
				 "budget of %ld steps is spent; r tries again.",
				 v->challenge, ch->budget);
		return;
	}
	if (v->challenge_judged || !challenge_applies(ch, &v->cfg))
		return;
	char verdict[400];
	bool met = challenge_judge(ch, &v->res, verdict, sizeof(verdict));
	snprintf(v->quiz_said, sizeof(v->quiz_said), "Challenge %d %.300s.  %s%s",
		 v->challenge, verdict, met ? "Why: " : "r tries again.",
		 met ? ch->why : "");
	snprintf(v->msg, sizeof(v->msg), "Challenge %d %.300s.", v->challenge,
		 verdict);
	v->challenge_judged = true;
	char note[600] = "";
	if (met)
		state_record_nth(STATE_CHALLENGES, v->cfg.lesson->name,
				 v->challenge, note, sizeof(note));
	view_state_note(v, note);
}

static void view_begin(struct view *v);

/* g: the lesson's next challenge, its run set up afresh, in manual mode. */
static void view_challenge_next(struct view *v)
{
	int n = challenge_count(v->cfg.lesson);
	v->playing = false;
	if (n == 0) {
		snprintf(v->msg, sizeof(v->msg), "g: this lesson has no "
			 "challenges yet.");
		return;
	}
	if (!view_step_mode(v)) {
		snprintf(v->msg, sizeof(v->msg), "g: a challenge is played one "
			 "step at a time: run the lesson without --mode=free.");
		return;
	}
	v->challenge = v->challenge % n + 1;
	challenge_configure(&v->cfg.lesson->challenges[v->challenge - 1],
			    &v->cfg);
	view_begin(v);
}

static void view_begin(struct view *v)
{
	v->msg[0] = '\0';
	v->quiz_asking = v->quiz_wait = false; /* a new run: a new question */
	v->quiz_said[0] = '\0';
	v->pick = 0;
	v->tscroll = 0;
	if (view_step_mode(v)) {
		if (v->live)
			rt_destroy();
		v->live = false;
		v->nhist = 0;
		view_step_begin(v);
		view_check_end(v);
		v->said = v->m.said;
		view_intro(v);
		view_challenge_intro(v);
	} else {
		view_free_record(v);
		char runs[80] = "";
		if (v->fruns > 1)
			snprintf(runs, sizeof(runs), " (real run %d: in those "
				 "before, one %s ran alone)", v->fruns,
				 event_unit_word(v->m.unit));
		if (!v->fturns && v->m.nthreads > 1)
			snprintf(v->msg, sizeof(v->msg), "In the recorded part "
				 "of %d real runs (the first %d events of each "
				 "%s) no two %s took turns: s tries another "
				 "run.", v->fruns, RT_RING,
				 event_unit_word(v->m.unit),
				 event_units_word(v->m.unit));
		else if (v->fstart)
			snprintf(v->msg, sizeof(v->msg), "The replay starts at "
				 "step %llu, where %s%s; b goes back.",
				 (unsigned long long)v->fstart,
				 v->fseen ? "a lost update begins"
				 : v->m.unit == 'P' ? "the processes take turns"
						    : "the threads take turns",
				 runs);
		else
			view_intro(v);
	}
}

/* A new '!' since the last look?  Playing stops there. */
static bool view_new_say(struct view *v)
{
	if (v->m.said == v->said)
		return false;
	v->said = v->m.said;
	v->playing = false;
	return true;
}

/* One step forward; true if it brought a new '!' (and paused there). */
static bool view_forward(struct view *v)
{
	if (v->finished) {
		snprintf(v->msg, sizeof(v->msg), "The run is over: r restart, "
			 "s new %s, v next variant, b back, q quit.",
			 view_step_mode(v) ? "seed" : "run");
		v->playing = false;
		return false;
	}
	bool was_playing = v->playing;
	if (view_step_mode(v))
		view_step_forward(v);
	else
		view_free_forward(v);
	if (!view_new_say(v))
		return false;
	if (was_playing)
		snprintf(v->msg, sizeof(v->msg), "Paused at the new '!': space "
			 "plays on, ! runs to the next one.");
	return true;
}

/* !: run until the next narration, or the end (at most a million steps). */
static void view_to_next_say(struct view *v)
{
	v->playing = false;
	for (long i = 0; i < 1000000 && !v->finished; i++) {
		uint64_t before = view_position(v);
		if (view_forward(v))
			return;
		if (view_position(v) == before)
			return; /* refused: the message says why */
	}
	snprintf(v->msg, sizeof(v->msg), v->finished
		 ? "No further '!': the run ended."
		 : "No '!' in the next million steps.");
}

static void view_back(struct view *v)
{
	uint64_t pos = view_position(v);
	v->playing = false;
	if (pos == 0) {
		snprintf(v->msg, sizeof(v->msg), "already at the start");
		return;
	}
	if (view_step_mode(v))
		view_step_replay(v, pos - 1);
	else
		view_free_replay(v, pos - 1);
	v->said = v->m.said;
}

/* A fresh seed for s: from the clock, shown in the status bar. */
static uint64_t view_new_seed(uint64_t old)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = old ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x % 1000000;
}

/*
 * Keys that change the run: r, s, v.  s in step mode means "another
 * random run": it switches to the random policy with a new seed, and a
 * --schedule or rr that decided the old run no longer does; the title
 * says so.
 */
static void view_rerun(struct view *v, int key)
{
	bool switched = false;
	if (key == 's' && view_step_mode(v)) {
		switched = v->cfg.policy != POLICY_RANDOM || v->cfg.nschedule;
		v->cfg.policy = POLICY_RANDOM;
		v->cfg.seed = view_new_seed(v->cfg.seed);
	}
	if (key == 'v') {
		int n = 0;
		while (v->cfg.lesson->variants[n].name)
			n++;
		v->cfg.variant = (v->cfg.variant + 1) % n;
	}
	if (key != 'r')
		v->cfg.nschedule = 0; /* a schedule belongs to one run */
	v->playing = false;
	view_begin(v);
	if (switched)
		snprintf(v->msg, sizeof(v->msg), "s: a new random run, seed "
			 "%llu (the random policy decides now).",
			 (unsigned long long)v->cfg.seed);
}

/* --- the command line of a run: for f and for w --- */

/*
 * f: the known failing run of this variant.  Its options (the variant's
 * `fails`) go through the same parser as a command line, after the
 * lesson's current options that they do not set themselves.
 */
static void view_load_failing(struct view *v)
{
	const struct lesson *l = v->cfg.lesson;
	const struct lesson_variant *var = &l->variants[v->cfg.variant];
	if (!var->fails) {
		snprintf(v->msg, sizeof(v->msg), "Variant %s has no failing "
			 "run to load: with its default options it is correct "
			 "(this run's own verdict is on its end box).",
			 var->name);
		return;
	}
	char line[1024], *argv[64];
	snprintf(line, sizeof(line), "%s --variant=%s", l->name, var->name);
	if (view_step_mode(v))
		cli_lesson_args(&v->cfg, false, var->fails, line,
				sizeof(line));
	snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s",
		 var->fails);
	int argc = 0;
	for (char *p = strtok(line, " "); p && argc < 63; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	struct cli c;
	/* the parser reports on stderr: not over the screen */
	fflush(stderr);
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, STDERR_FILENO);
	enum cli_result r = cli_parse(l, argc, argv, &c);
	if (saved >= 0) {
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (null >= 0)
		close(null);
	if (r != CLI_RUN) {
		snprintf(v->msg, sizeof(v->msg), "cannot load the failing run "
			 "'%s' of %s", var->fails, var->name);
		return;
	}
	free(v->own_schedule);
	v->own_schedule = c.cfg.schedule;
	v->cfg = c.cfg;
	v->playing = false;
	view_begin(v);
	snprintf(v->msg, sizeof(v->msg), "f loaded a run that breaks %s: "
		 "%s.  Space plays it; it pauses at each '!'.", var->name,
		 var->fails);
}

/* --- x: the explorer's shortest failing run --- */

#define VIEW_EXPLORE_BOUND 3      /* preemptions: most bugs need 1 or 2 */
#define VIEW_EXPLORE_SECONDS 5    /* the screen waits */
#define VIEW_EXPLORE_STEPS 10000  /* per run, as --explore's */

/* What the explorer found when nothing failed. */
static void view_explore_none(struct view *v, const struct explore_result *r,
			      const char *name)
{
	if (r->unfinished)
		snprintf(v->msg, sizeof(v->msg), "x: %ld schedules: %s held "
			 "in every one that ended (%ld were stopped at %d "
			 "steps)", r->executions, name, r->unfinished,
			 VIEW_EXPLORE_STEPS);
	else if (r->complete)
		snprintf(v->msg, sizeof(v->msg), "x: all %ld schedules run: "
			 "%s held in every one", r->executions, name);
	else if (!r->stopped)
		snprintf(v->msg, sizeof(v->msg), "x: %ld schedules with up "
			 "to %d preemptions: %s held in every one (--explore "
			 "runs them all)", r->executions, VIEW_EXPLORE_BOUND,
			 name);
	else
		snprintf(v->msg, sizeof(v->msg), "x: %ld schedules in %d s "
			 "found no failing run of %s (not all were run)",
			 r->executions, VIEW_EXPLORE_SECONDS, name);
}

/* The explorer's question while it runs: stop?  A signal, or a key (q
 * and Q then quit as they would have). */
static bool view_explore_stop(void *ctx)
{
	bool *by_key = ctx;
	if (term_signal)
		return true;
	int key = getch();
	if (key == ERR || key == KEY_RESIZE)
		return false;
	if (key == 'q' || key == 'Q')
		ungetch(key);
	*by_key = true;
	return true;
}

/*
 * x: ask the explorer for the run of this variant, with its current
 * options, that breaks it with the fewest preemptions, then the fewest
 * steps, and load it as a --schedule: a student stuck on a variant that
 * random runs rarely break sees it break.
 */
static void view_explore_failing(struct view *v)
{
	if (!view_step_mode(v)) {
		snprintf(v->msg, sizeof(v->msg), "x: the explorer runs step "
			 "mode: free mode's runs cannot be replayed");
		return;
	}
	const char *name = v->cfg.lesson->variants[v->cfg.variant].name;
	snprintf(v->msg, sizeof(v->msg), "x: running every schedule of %s "
		 "with up to %d preemptions (any key stops)...", name,
		 VIEW_EXPLORE_BOUND);
	draw_frame(v);
	if (v->live)
		rt_destroy(); /* the explorer's runs use the runtime */
	v->live = false;
	struct run_config cfg = v->cfg;
	cfg.schedule = NULL;
	cfg.nschedule = 0;
	cfg.max_steps = VIEW_EXPLORE_STEPS;
	int *found = malloc(VIEW_EXPLORE_STEPS * sizeof(int));
	if (!found)
		rt_die("out of memory");
	struct explore_result r = { .schedule = found,
				    .cap = VIEW_EXPLORE_STEPS };
	/* levels of 0, 1, 2, 3 preemptions: the first failure is minimal */
	bool by_key = false;
	struct explore_limits lim = { VIEW_EXPLORE_BOUND, 1000000,
				      VIEW_EXPLORE_SECONDS, view_explore_stop,
				      &by_key, false };
	explore_run(&cfg, &lim, &r);
	if (!r.can_break || r.len == 0) {
		free(found);
		view_begin(v);
		if (by_key)
			snprintf(v->msg, sizeof(v->msg), "x: stopped after %ld "
				 "schedules, no failing run found yet",
				 r.executions);
		else
			view_explore_none(v, &r, name);
		return;
	}
	free(v->own_schedule);
	v->own_schedule = found;
	v->cfg.schedule = found;
	v->cfg.nschedule = r.len;
	v->playing = false;
	view_begin(v);
	snprintf(v->msg, sizeof(v->msg), "x: the explorer ran %ld schedules: "
		 "this one breaks %s in %d steps with %d preemption%s.  Space "
		 "plays it; it pauses at each '!'.", r.executions, name, r.len,
		 r.preemptions, r.preemptions == 1 ? "" : "s");
}

/* --- w: the run, written to a file --- */

/* A new file for the run: here if we may write here, else $TMPDIR. */
static FILE *view_save_file(const struct view *v, char *path, size_t size)
{
	const char *dir = ".";
	if (access(".", W_OK) != 0) {
		dir = getenv("TMPDIR");
		if (!dir || !dir[0])
			dir = "/tmp";
	}
	for (int n = 1; n < 1000; n++) {
		snprintf(path, size, "%s/%s-%s-%d.run.txt", dir,
			 v->cfg.lesson->name,
			 v->cfg.lesson->variants[v->cfg.variant].name, n);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0)
			return fdopen(fd, "w");
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;
}

/* Step mode: the schedule so far, its command line, its transcript. */
static void view_save_step(struct view *v, FILE *f)
{
	static char line[1 << 16];
	uint64_t k = v->m.step;
	struct run_config c = v->cfg;
	c.schedule = v->hist;
	c.nschedule = (int)k;
	if (!v->finished)
		c.max_steps = (long)k; /* exactly the steps shown */
	snprintf(line, sizeof(line), "%s --variant=%s", c.lesson->name,
		 c.lesson->variants[c.variant].name);
	cli_lesson_args(&c, false, NULL, line, sizeof(line));
	size_t n = strlen(line);
	n += (size_t)snprintf(line + n, sizeof(line) - n, " --schedule=");
	for (uint64_t i = 0; i < k && n < sizeof(line) - 16; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%d",
				      i ? "," : "", v->hist[i]);
	if (k == 0)
		n -= strlen(" --schedule=");
	line[n] = '\0';
	if (!v->finished)
		snprintf(line + n, sizeof(line) - n, " --max-steps=%llu",
			 (unsigned long long)(k ? k : 1));
	fprintf(f, "# %s, variant %s: the run as shown in the viewer, %llu "
		"steps%s\n", c.lesson->name, c.lesson->variants[c.variant].name,
		(unsigned long long)k, v->finished ? "" : " (not finished)");
	char *sched = strstr(line, "--schedule="), *limit = strstr(line,
								 " --max-steps");
	fprintf(f, "# the schedule:\n%.*s\n", sched ? (int)(limit ? limit - sched
				: (long)strlen(sched)) : 11,
		sched ? sched : "--schedule=");
	fprintf(f, "# reproduce it with:\n%s --plain\n", line);
	fprintf(f, "# the transcript (as --plain prints it):\n");
	if (k == 0) {
		fprintf(f, "# no step taken yet\n");
		return;
	}
	if (v->live)
		rt_destroy();
	v->live = false;
	struct run_result res;
	run_lesson(&c, run_plain_sink, f, NULL, NULL, &res);
	run_summary(&c, &res, f);
	view_step_replay(v, k);
}

/* Free mode: the recorded events replayed, and the real run's totals. */
static void view_save_free(struct view *v, FILE *f)
{
	char line[1024];
	snprintf(line, sizeof(line), "%s --mode=free --variant=%s",
		 v->cfg.lesson->name,
		 v->cfg.lesson->variants[v->cfg.variant].name);
	cli_lesson_args(&v->cfg, false, NULL, line, sizeof(line));
	fprintf(f, "# %s, variant %s: a real run in free mode\n"
		"# the schedule: none; real %s are not scheduled by us, "
		"so no run repeats exactly\n# run another with:\n%s --plain\n"
		"# the transcript: the recorded events\n",
		v->cfg.lesson->name, v->cfg.lesson->variants[v->cfg.variant].name,
		event_units_word(v->m.unit), line);
	for (size_t i = 0; i < v->nfev; i++) {
		char text[256], say[MODEL_SAY];
		event_format(&v->fev[i], &view_names, text, sizeof(text));
		event_narrate(&v->fev[i], &view_names, say, sizeof(say));
		fprintf(f, say[0] ? "%s  ! %s\n" : "%s\n", text, say);
	}
	if (v->res.kept < v->res.steps)
		fprintf(f, "# free mode keeps the first %d events of each "
			"%s: the first %llu of %llu events are shown\n",
			RT_RING, event_unit_word(v->m.unit),
			(unsigned long long)v->res.kept,
			(unsigned long long)v->res.steps);
	run_summary(&v->cfg, &v->res, f);
}

static void view_save(struct view *v)
{
	char path[300];
	v->playing = false;
	FILE *f = view_save_file(v, path, sizeof(path));
	if (!f) {
		snprintf(v->msg, sizeof(v->msg), "cannot write the run: %s",
			 strerror(errno));
		return;
	}
	if (view_step_mode(v))
		view_save_step(v, f);
	else
		view_save_free(v, f);
	bool bad = ferror(f);
	if (fclose(f) != 0 || bad)
		snprintf(v->msg, sizeof(v->msg), "writing %s failed", path);
	else
		snprintf(v->msg, sizeof(v->msg), "w: the run is saved in %s",
			 path);
}

/* --- p: predict, then reveal --- */

static void view_quiz_prompt(struct view *v, const char *why)
{
	const struct lesson_question *q = &v->cfg.lesson->questions[v->quiz_q];
	char hint[200];
	quiz_hint(v->cfg.lesson, q, hint, sizeof(hint));
	snprintf(v->msg, sizeof(v->msg), "Predict: %s (%s)%s%s > %s_  "
		 "[Enter answers, Esc cancels]", q->ask, hint,
		 why[0] ? "  " : "", why, v->quiz_typed);
}

/*
 * p: the next question about this run, asked before its end is shown.
 * Each p asks the next of those that apply, round and round.
 */
static void view_quiz_start(struct view *v)
{
	int idx[QUIZ_MAX], n = quiz_find(&v->cfg, idx);
	v->playing = false;
	if (n == 0) {
		snprintf(v->msg, sizeof(v->msg), "p: no question is about "
			 "this run (variant %s); v tries the next variant.",
			 v->cfg.lesson->variants[v->cfg.variant].name);
		return;
	}
	if (v->finished) {
		snprintf(v->msg, sizeof(v->msg), "p asks before the end is "
			 "shown: r restarts the run, then press p.");
		return;
	}
	v->quiz_q = idx[v->quiz_next++ % n];
	v->quiz_asking = true;
	v->quiz_wait = false;
	v->quiz_typed[0] = '\0';
	v->quiz_said[0] = '\0';
	view_quiz_prompt(v, "");
}

/* The run is over and an answer waits: judge it, on the end box. */
static void view_quiz_check(struct view *v)
{
	if (!v->quiz_wait || !v->finished)
		return;
	const struct lesson_question *q = &v->cfg.lesson->questions[v->quiz_q];
	char verdict[400];
	quiz_verdict(v->cfg.lesson, q, &v->res, v->quiz_answer, verdict,
		     sizeof(verdict));
	snprintf(v->quiz_said, sizeof(v->quiz_said), "Predicted: %s.  Why: %s",
		 verdict, q->why);
	snprintf(v->msg, sizeof(v->msg), "p: %.390s.", verdict);
	v->quiz_wait = false;
	char note[600];
	quiz_remember(v->cfg.lesson, v->quiz_q, &v->res, note, sizeof(note));
	view_state_note(v, note);
}

/* The answer is in: run to the end, past every '!', and reveal. */
static void view_quiz_run_out(struct view *v)
{
	for (long i = 0; i < 100000000 && !v->finished; i++) {
		uint64_t before = view_position(v);
		view_forward(v);
		if (view_position(v) == before)
			break; /* manual policy, a bad schedule: msg says */
	}
	if (!v->finished) {
		char was[sizeof(v->msg)];
		snprintf(was, sizeof(was), "%s", v->msg);
		snprintf(v->msg, sizeof(v->msg), "Your answer is in; it is "
			 "judged when the run ends.  %.340s", was);
	}
	view_quiz_check(v);
}

/* A key while the question is asked: type, correct, answer, cancel. */
static void view_quiz_key(struct view *v, int key)
{
	size_t n = strlen(v->quiz_typed);
	char why[160] = "";
	if (key == 27) {
		v->quiz_asking = false;
		snprintf(v->msg, sizeof(v->msg), "p: no prediction made.");
		return;
	}
	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		const struct lesson_question *q =
			&v->cfg.lesson->questions[v->quiz_q];
		if (quiz_parse(q, v->quiz_typed, &v->quiz_answer, why,
			       sizeof(why))) {
			v->quiz_asking = false;
			v->quiz_wait = true;
			view_quiz_run_out(v);
			return;
		}
		v->quiz_typed[0] = '\0';
	} else if ((key == KEY_BACKSPACE || key == 127 || key == 8) && n) {
		v->quiz_typed[n - 1] = '\0';
	} else if (key >= ' ' && key <= '~' && n + 1 < sizeof(v->quiz_typed)) {
		v->quiz_typed[n] = (char)key;
		v->quiz_typed[n + 1] = '\0';
	}
	view_quiz_prompt(v, why);
}

/* --- choosing a thread by number --- */

static void view_choose(struct view *v, int id)
{
	v->playing = false;
	v->pick = 0;
	if (!view_step_mode(v))
		snprintf(v->msg, sizeof(v->msg), "free mode replays a real "
			 "run: no choosing %s (use --mode=step)",
			 event_units_word(v->m.unit));
	else if (v->finished)
		view_forward(v);
	else {
		view_step_thread(v, id);
		if (view_new_say(v))
			snprintf(v->msg, sizeof(v->msg), "Paused at the '!'.");
	}
}

/*
 * A digit: with up to 9 threads it runs that thread at once.  With more,
 * digits add up to a number that runs when it can grow no further, or on
 * Enter: 1 2 is T12, 1 Enter is T1.
 */
static void view_digit(struct view *v, int d)
{
	int n = v->pick * 10 + d;
	if (n == 0)
		return;
	if (v->m.nthreads <= 9 || n * 10 > v->m.nthreads) {
		v->msg[0] = '\0'; /* "P3 cannot run" is no longer true */
		view_choose(v, n);
		return;
	}
	v->pick = n;
	snprintf(v->msg, sizeof(v->msg), "run %s %c%d_  (another digit, "
		 "Enter to run %c%d, Esc to cancel)",
		 event_unit_word(v->m.unit), v->m.unit, n, v->m.unit, n);
}

/* The policy's next thread, for the screen; 0 if nobody or a person. */
static int view_peek(const struct view *v)
{
	if (!view_step_mode(v) || !v->live || v->finished)
		return 0;
	uint64_t k = v->m.step;
	if (k < v->nhist)
		return v->hist[k];
	struct sched copy = v->sched;
	int id;
	char err[256];
	return sched_pick(&copy, &id, err, sizeof(err)) == SCHED_OK ? id : 0;
}

static void view_speed(struct view *v, int delta)
{
	int s = v->speed + delta;
	v->speed = s < 0 ? 0 : s >= VIEW_SPEEDS ? VIEW_SPEEDS - 1 : s;
	snprintf(v->msg, sizeof(v->msg), "speed %d of %d: %d ms a step%s",
		 v->speed + 1, VIEW_SPEEDS, view_delays_ms[v->speed],
		 v->speed == VIEW_SPEEDS - 1 ? " (fastest)"
		 : v->speed == 0	     ? " (slowest)" : "");
}

/* Handle one key; false to quit. */
static bool view_key(struct view *v, int key)
{
	if (draw_too_small_now() && key != 'q' && key != 'Q')
		return true; /* the screen cannot show what a key would do */
	if (v->help && key != 'q' && key != KEY_RESIZE) {
		/* a short terminal pages the help: any key, the next page */
		v->help = v->help < draw_help_pages(v) ? v->help + 1 : 0;
		return true;
	}
	if (key == KEY_RESIZE)
		return true;
	if (v->quiz_asking) { /* every key is the answer's, q too */
		view_quiz_key(v, key);
		return true;
	}
	if (v->pick && (key == '\n' || key == '\r' || key == KEY_ENTER)) {
		view_choose(v, v->pick);
		return true;
	}
	if (v->pick && !(key >= '0' && key <= '9')) {
		v->pick = 0; /* Esc, or any other key, cancels */
		v->msg[0] = '\0';
		if (key == 27)
			return true;
	}
	if (!(key >= '0' && key <= '9'))
		v->msg[0] = '\0';
	switch (key) {
	case 'q': case 'Q':
		return false;
	case ' ':
		v->playing = !v->playing;
		break;
	case 'n': case KEY_RIGHT:
		v->playing = false;
		view_forward(v);
		break;
	case 'b': case KEY_LEFT:
		view_back(v);
		break;
	case '!':
		view_to_next_say(v);
		break;
	case '+': case '=':
		view_speed(v, +1);
		break;
	case '-': case '_':
		view_speed(v, -1);
		break;
	case 'r': case 's': case 'v':
		view_rerun(v, key);
		break;
	case 'f':
		view_load_failing(v);
		break;
	case 'x':
		view_explore_failing(v);
		break;
	case 'w':
		view_save(v);
		break;
	case 'p':
		view_quiz_start(v);
		break;
	case 'g':
		view_challenge_next(v);
		break;
	case 'c':
		v->contrast = !v->contrast;
		snprintf(v->msg, sizeof(v->msg), "c: %s theme",
			 v->contrast ? "high-contrast" : "normal");
		break;
	case '[':
		v->tscroll = v->tscroll > 8 ? v->tscroll - 8 : 0;
		break;
	case ']':
		if (v->tscroll + 8 < v->m.nthreads)
			v->tscroll += 8;
		break;
	case '?': case 'h':
		v->help = 1;
		break;
	default:
		if (key >= '0' && key <= '9')
			view_digit(v, key - '0');
	}
	return true;
}

/* Sleep until a key, a signal, or (playing) the next tick.  *input: the
 * terminal has something to read, or has hung up. */
static int view_wait(const struct view *v, bool *input)
{
	struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 },
				 { term_wake_fd(), POLLIN, 0 } };
	int timeout = v->playing ? view_delays_ms[v->speed] : -1;
	int ready = poll(fds, 2, timeout);
	*input = ready > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR));
	return ready;
}

static void view_loop(struct view *v)
{
	for (;;) {
		v->next = view_peek(v);
		draw_frame(v);
		bool input;
		int ready = view_wait(v, &input);
		if (term_signal)
			return;
		int key = getch();
		if (key == ERR && input && term_input_ended())
			return; /* end of input: as q */
		if (key == ERR && ready == 0 && v->playing) {
			if (!draw_too_small_now())
				view_forward(v); /* a tick */
			view_challenge_check(v);
			continue;
		}
		for (; key != ERR; key = getch())
			if (!view_key(v, key) || term_signal)
				return;
		view_quiz_check(v); /* manual stepping may have ended it */
		view_challenge_check(v);
	}
}

static void view_free(struct view *v)
{
	if (v->live)
		rt_destroy();
	if (v->src)
		free((void *)v->src[1]);
	free(v->src);
	free(v->hist);
	free(v->hsched);
	free(v->fev);
	free(v->own_schedule);
	term_close();
}

int view_main(const struct run_config *cfg)
{
	return view_run(cfg, false, 0);
}

int view_run(const struct run_config *cfg, bool ask, int challenge)
{
	static struct view v; /* large (two models): not on the stack */
	memset(&v, 0, sizeof(v));
	v.cfg = *cfg;
	v.challenge = challenge;
	v.speed = VIEW_DEFAULT_SPEED;
	const char *theme = getenv("INTERLEAVE_THEME");
	v.contrast = theme && strcmp(theme, "contrast") == 0;
	view_names_of = &v;
	view_source(&v);
	view_curses();
	view_begin(&v);
	if (ask && !rt.interrupted)
		view_quiz_start(&v);
	if (!rt.interrupted)
		view_loop(&v);
	term_end();
	if (rt.interrupted) {
		/* A signal came during a free run: its threads were asked
		 * to leave, but one may still be running (watch.h).  Leave
		 * now, with it. */
		fflush(stdout);
		_exit(128 + term_signal);
	}
	view_free(&v);
	if (term_signal == SIGINT || term_signal == SIGTERM ||
	    term_signal == SIGHUP)
		return 128 + term_signal;
	return 0;
}
