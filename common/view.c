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
 * a fatal runtime error (atexit) and, as far as it can be, a crash.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "view.h"
#include "watch.h"

const int view_delays_ms[VIEW_SPEEDS] = { 2000, 1000, 600, 300, 150, 60,
					  20, 5 };
#define VIEW_DEFAULT_SPEED 2

static int view_pipe[2] = { -1, -1 };
static volatile sig_atomic_t view_signal;
static bool view_curses_on;

/* --- the terminal --- */

static void view_restore(void)
{
	if (view_curses_on) {
		view_curses_on = false;
		endwin();
	}
}

static void view_on_signal(int sig)
{
	int saved = errno;
	view_signal = sig;
	watch_interrupt = 1; /* a free run under way stops too */
	if (write(view_pipe[1], "q", 1) < 0) {
		/* full pipe: the loop wakes anyway */
	}
	errno = saved;
}

/* A crash: put the terminal back as best we can, then die of it. */
static void view_on_crash(int sig)
{
	view_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void view_signals(void)
{
	if (pipe(view_pipe) != 0)
		rt_die("pipe: %s", strerror(errno));
	for (int i = 0; i < 2; i++)
		fcntl(view_pipe[i], F_SETFL, O_NONBLOCK);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = view_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = view_on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	atexit(view_restore);
}

static void view_curses(void)
{
	setlocale(LC_ALL, "");
	if (!newterm(NULL, stdout, stdin))
		rt_die("cannot start the terminal (TERM=%s)",
		       getenv("TERM") ? getenv("TERM") : "unset");
	view_curses_on = true;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
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

static const char *view_thread_name(int id)
{
	const struct model *m = &view_names_of->m;
	return id > 0 && id <= m->nthreads ? m->threads[id].name : "runtime";
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

static const struct event_names view_names = {
	.thread = view_thread_name,
	.object = view_object_name,
	.note = view_note,
};

static void view_sink(const struct event *e, void *ctx)
{
	struct view *v = ctx;
	model_apply(&v->m, e, &view_names);
}

/* --- step mode --- */

static void view_step_begin(struct view *v)
{
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
			 "number of a ready thread");
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
		snprintf(v->msg, sizeof(v->msg), "there is no T%d: threads "
			 "are 1 to %d", id, rt.nthreads);
		return;
	}
	const struct thr *t = &rt.threads[id];
	if (!sched_ready(t)) {
		snprintf(v->msg, sizeof(v->msg), "T%d cannot run: it %s", id,
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
}

static void view_free_begin(struct view *v)
{
	erase();
	mvprintw(0, 0, "%s: running %s on real threads at full speed...",
		 v->cfg.lesson->name, v->cfg.lesson->variants[v->cfg.variant].name);
	refresh();
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

static void view_begin(struct view *v)
{
	v->msg[0] = '\0';
	if (view_step_mode(v)) {
		if (v->live)
			rt_destroy();
		v->live = false;
		v->nhist = 0;
		view_step_begin(v);
		view_check_end(v);
	} else {
		view_free_begin(v);
	}
}

static void view_forward(struct view *v)
{
	if (v->finished) {
		snprintf(v->msg, sizeof(v->msg), "the run is over: r restart, "
			 "s new %s, v next variant, b back, q quit",
			 view_step_mode(v) ? "seed" : "run");
		v->playing = false;
		return;
	}
	if (view_step_mode(v))
		view_step_forward(v);
	else
		view_free_forward(v);
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

/* Keys that change the run: r, s, v. */
static void view_rerun(struct view *v, int key)
{
	if (key == 's' && view_step_mode(v))
		v->cfg.seed = view_new_seed(v->cfg.seed);
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
}

/* Handle one key; false to quit. */
static bool view_key(struct view *v, int key)
{
	if (v->help && key != 'q' && key != KEY_RESIZE) {
		v->help = false;
		return true;
	}
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
	case '+': case '=':
		v->speed += v->speed < VIEW_SPEEDS - 1;
		break;
	case '-': case '_':
		v->speed -= v->speed > 0;
		break;
	case 'r': case 's': case 'v':
		view_rerun(v, key);
		break;
	case '?': case 'h':
		v->help = true;
		break;
	case KEY_RESIZE:
		break;
	default:
		if (key >= '1' && key <= '9') {
			v->playing = false;
			if (!view_step_mode(v))
				snprintf(v->msg, sizeof(v->msg), "free mode "
					 "replays a real run: no choosing "
					 "threads (use --mode=step)");
			else if (v->finished)
				view_forward(v);
			else
				view_step_thread(v, key - '0');
		}
	}
	return true;
}

/* Sleep until a key, a signal, or (playing) the next tick. */
static int view_wait(const struct view *v)
{
	struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 },
				 { view_pipe[0], POLLIN, 0 } };
	int timeout = v->playing ? view_delays_ms[v->speed] : -1;
	return poll(fds, 2, timeout);
}

static void view_loop(struct view *v)
{
	for (;;) {
		draw_frame(v);
		int ready = view_wait(v);
		if (view_signal)
			return;
		int key = getch();
		if (key == ERR && ready == 0 && v->playing) {
			view_forward(v); /* a tick */
			continue;
		}
		for (; key != ERR; key = getch())
			if (!view_key(v, key) || view_signal)
				return;
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
	close(view_pipe[0]);
	close(view_pipe[1]);
}

int view_main(const struct run_config *cfg)
{
	static struct view v; /* large (two models): not on the stack */
	memset(&v, 0, sizeof(v));
	v.cfg = *cfg;
	v.speed = VIEW_DEFAULT_SPEED;
	view_names_of = &v;
	view_source(&v);
	view_signals();
	view_curses();
	view_begin(&v);
	if (!rt.interrupted)
		view_loop(&v);
	view_restore();
	if (rt.interrupted) {
		/* A signal came during a free run: its threads are still
		 * running and will never look up.  Leave now, with them. */
		fflush(stdout);
		_exit(128 + view_signal);
	}
	view_free(&v);
	if (view_signal == SIGINT || view_signal == SIGTERM ||
	    view_signal == SIGHUP)
		return 128 + view_signal;
	return 0;
}
