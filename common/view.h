/*
 * view.h: the ncurses viewer.
 */
#ifndef INTERLEAVE_VIEW_H
#define INTERLEAVE_VIEW_H

#include "rt.h"

/* Show a run of cfg interactively; returns the exit status. */
int view_main(const struct run_config *cfg);

#endif
