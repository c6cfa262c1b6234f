/*
 * check_main.c: the one test runner; every suite is added here.
 *
 * Fork mode stays on, so a crash or a hang in one test is a reported
 * failure; CK_FORK=no runs in-process, for gdb.
 */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

int main(void)
{
	/* No test may write the person's own state files (common/state.h):
	 * every lesson run from here records into a directory of its own. */
	char state[] = "/tmp/interleave-check-state-XXXXXX", rm[80];
	if (!mkdtemp(state)) {
		perror("check_interleave: mkdtemp");
		return EXIT_FAILURE;
	}
	setenv("XDG_STATE_HOME", state, 1);
	SRunner *sr = srunner_create(cli_suite());
	srunner_add_suite(sr, sched_suite());
	srunner_add_suite(sr, prim_suite());
	srunner_add_suite(sr, race_suite());
	srunner_add_suite(sr, model_suite());
	srunner_add_suite(sr, view_suite());
	srunner_add_suite(sr, bandwidth_suite());
	srunner_add_suite(sr, barrier_suite());
	srunner_add_suite(sr, prodcons_suite());
	srunner_add_suite(sr, explore_suite());
	srunner_add_suite(sr, proc_suite());
	srunner_add_suite(sr, pipe_suite());
	srunner_add_suite(sr, launcher_suite());
	srunner_add_suite(sr, deadlock_suite());
	srunner_add_suite(sr, locks_suite());
	srunner_add_suite(sr, event_suite());
	srunner_add_suite(sr, timer_suite());
	srunner_add_suite(sr, flag_suite());
	srunner_add_suite(sr, quiz_suite());
	srunner_add_suite(sr, tls_suite());
	srunner_add_suite(sr, shm_suite());
	srunner_add_suite(sr, schedq_suite());
	srunner_add_suite(sr, challenge_suite());
	srunner_add_suite(sr, demos_suite());
	srunner_add_suite(sr, mpqueue_suite());
	srunner_add_suite(sr, manager_suite());
	srunner_add_suite(sr, record_suite());
	srunner_add_suite(sr, pool_suite());
	srunner_add_suite(sr, state_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(rm, sizeof(rm), "rm -rf '%s'", state);
	if (system(rm) != 0)
		fprintf(stderr, "check_interleave: could not remove %s\n", state);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
