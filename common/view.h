/*
 * view.h: the ncurses viewer: its state (view.c) and its drawing (draw.c).
 */
#ifndef INTERLEAVE_VIEW_H
#define INTERLEAVE_VIEW_H

#include <stdbool.h>

#include "model.h"
#include "run.h"

/* Show a run of cfg interactively; returns the exit status. */
int view_main(const struct run_config *cfg);
/* The same; ask (--quiz) puts p's question to the person at once;
 * challenge (--challenge=N, 0 none) shows that goal and judges it. */
int view_run(const struct run_config *cfg, bool ask, int challenge);

#define VIEW_SPEEDS 8

struct view {
	struct run_config cfg;  /* a copy: r, s and v change it */
	const char **src;       /* the lesson's source, by line (from 1) */
	int nsrc;
	struct model m;
	bool playing;
	int speed;              /* index into view_delays_ms */
	int help;               /* the help's page shown (from 1), or 0 */
	bool contrast;          /* the high-contrast theme (c) */
	bool too_small;         /* the screen says "needs 80x24": keys wait */
	char msg[400];          /* one-off message: a refusal, a hint */
	uint64_t said;          /* narrations seen: playing stops at a new one */
	int pick;               /* thread number being typed (10 and up), or 0 */
	int tscroll;            /* first thread in the thread list */
	int next;               /* thread the policy runs next, 0 if unknown */
	int *own_schedule;      /* a schedule the viewer allocated (f) */
	bool finished;          /* the run is over: res holds its summary */
	struct run_result res;
	/* step mode */
	struct sched sched;
	bool live;              /* the runtime holds this run */
	int *hist;              /* the thread run at each step */
	struct sched *hsched;   /* the scheduler after each step */
	size_t nhist, caphist;
	/* free mode: the recorded run, replayed */
	struct event *fev;
	size_t nfev, capfev, fpos;
	uint64_t fsteps;        /* step events replayed */
	uint64_t fstart;        /* where the replay starts: threads interleave */
	uint64_t fseen;         /* lost updates the whole replay shows */
	int fruns;              /* real runs made to get this recording */
	bool fturns;            /* its threads take turns in the recording */
	struct model m0;        /* the model before any event */
	/* p: predict, then reveal (quiz.c) */
	bool quiz_asking;       /* the message line is the question */
	bool quiz_wait;         /* answered: revealed when the run ends */
	int quiz_q;             /* the question, in the lesson's table */
	int quiz_next;          /* p asks the next of those that apply */
	long quiz_answer;
	char quiz_typed[32];
	char quiz_said[600];    /* the verdict, for the end of run box */
	/* --challenge=N (challenge.c) */
	int challenge;          /* N, from 1; 0 none */
	bool challenge_judged;  /* this end of the run has its verdict */
};

extern const int view_delays_ms[VIEW_SPEEDS];

/* Draw the whole screen from v (draw.c). */
void draw_frame(const struct view *v);
/* Is the terminal too small to use?  Keys wait until it is not. */
bool draw_too_small_now(void);
/* The help's pages at this terminal's size. */
int draw_help_pages(const struct view *v);
/* How the policy or schedule chooses, as the title says it (draw.c). */
void draw_decider(const struct run_config *c, char *buf, size_t size);
/* Colours, line drawing: once after initscr (draw.c). */
void draw_init(void);

#endif
