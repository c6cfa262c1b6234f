/*
 * view.c: the viewer's entry point (the ncurses viewer is being built).
 */
#include <stdio.h>

#include "cli.h"
#include "view.h"

int view_main(const struct run_config *cfg)
{
	cli_error(cfg->lesson, "the viewer is not built yet; use --plain or "
		  "--quiet");
	return 2;
}
