/*
 * test_challenge.c: goals reached as the scheduler (--challenge).
 *
 * Nothing here trusts the table: for every challenge of every lesson a
 * search over its schedules finds one that reaches the goal within the
 * budget (depth first); for a budget that says it is the fewest possible,
 * every shorter schedule is run first (iterative deepening), so the
 * budget must be exactly the fewest steps that reach it.  The schedule
 * found, typed into the lesson binary as a person would type it
 * (--challenge=N --plain, thread numbers on stdin), must be judged met.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "challenge.h"
#include "sched.h"
#include "testutil.h"
#include "tmux.h"

/* Every lesson, as the launcher lists them (generated from lessons/). */
extern const struct lesson *const launcher_lessons[];

/* The lessons that had to come with at least two challenges each. */
static const char *const tc_required[] = {
	"race", "prodcons", "barrier", "bandwidth", "fork", "shmrace",
	"pipe", "deadlock", "locks", "event", "tls", "shm",
	"mpqueue", "manager", "pool", "timer", "sched", NULL,
};

#define TC_DEPTH 200       /* the longest run searched */
#define TC_REPLAYS 400000L /* the most replays one challenge may cost */

struct tc_search {
	const struct run_config *cfg;
	struct lesson_challenge goal; /* the challenge without its budget */
	int path[TC_DEPTH];
	long replays;
	bool found;
};

static int tc_nlessons(void)
{
	int n = 0;
	while (launcher_lessons[n])
		n++;
	return n;
}

/*
 * Replay path[0..len) afresh.  Finished: *met says whether the goal
 * holds, and 0 is returned.  Not: the threads that can run next go to
 * ids, and how many is returned.
 */
static int tc_replay(struct tc_search *x, int len, int *ids, bool *met)
{
	struct sched s;
	struct run_result res;
	char why[600];
	x->replays++;
	run_begin(x->cfg, NULL, NULL, &s);
	for (int d = 0; d < len; d++)
		sched_step(x->path[d]);
	int n = sched_eligible(ids);
	enum run_end end = RUN_STEP_LIMIT;
	if (n == 0) {
		end = sched_live() ? RUN_DEADLOCK : RUN_DONE;
		if (end == RUN_DEADLOCK)
			sched_deadlock();
	}
	run_finish(end, &res);
	*met = n == 0 && challenge_judge(&x->goal, &res, why, sizeof(why));
	return n;
}

/*
 * The schedules below path[0..len) of at most depth steps (exactly, if
 * exact): the length of the first that meets the goal, or -1.
 */
static int tc_dfs(struct tc_search *x, int len, int depth, bool exact)
{
	int ids[RT_MAX_THREADS];
	bool met;
	int n = tc_replay(x, len, ids, &met);
	if (n == 0)
		return met && (len == depth || !exact) ? len : -1;
	if (len == depth || x->replays > TC_REPLAYS)
		return -1;
	for (int i = 0; i < n; i++) {
		x->path[len] = ids[i];
		int found = tc_dfs(x, len + 1, depth, exact);
		if (found > 0)
			return found;
	}
	return -1;
}

/*
 * Steps of a schedule that meets the goal (path holds it), or -1: the
 * fewest possible when fewest (every shorter schedule was run first),
 * else the first found depth first within most.
 */
static int tc_search(struct tc_search *x, int most, bool fewest)
{
	if (!fewest)
		return tc_dfs(x, 0, most, false);
	for (int depth = 1; depth <= most && x->replays <= TC_REPLAYS; depth++)
		if (tc_dfs(x, 0, depth, true) > 0)
			return depth;
	return -1;
}

/*
 * Challenge j of lesson l: found by the search within its budget (at
 * it, if fewest), and met when its schedule is typed in.
 */
static void tc_check(const struct lesson *l, int j)
{
	const struct lesson_challenge *ch = &l->challenges[j];
	char args[200];
	snprintf(args, sizeof(args), "--challenge=%d --plain", j + 1);
	struct cli c;
	ck_assert_int_eq(tcli(l, args, &c), CLI_RUN);
	ck_assert_int_eq(c.cfg.policy, POLICY_MANUAL);
	ck_assert(challenge_applies(ch, &c.cfg));
	static struct tc_search x;
	memset(&x, 0, sizeof(x));
	x.cfg = &c.cfg;
	x.goal = *ch;
	x.goal.budget = 0;
	int most = ch->budget > 0 && ch->budget < TC_DEPTH ? (int)ch->budget
							    : TC_DEPTH;
	int steps = tc_search(&x, most, ch->fewest);
	ck_assert_msg(steps > 0, "%s challenge %d: no schedule of at most %d "
		      "steps reaches %s (%ld replays)", l->name, j + 1, most,
		      ch->goal, x.replays);
	if (ch->fewest) /* no shorter schedule: tc_search ran them all */
		ck_assert_msg(steps == ch->budget, "%s challenge %d: the "
			      "fewest steps are %d, the budget says %ld",
			      l->name, j + 1, steps, ch->budget);
	char input[TC_DEPTH * 4] = "", want[64], *out, *err;
	for (int d = 0; d < steps; d++)
		snprintf(input + strlen(input), sizeof(input) - strlen(input),
			 "%d\n", x.path[d]);
	cli_free(&c);
	int rc = texec_in(l->name, args, input, &out, &err);
	/* Check's messages are short: the ends of what was said */
	size_t no = strlen(out), ne = strlen(err);
	ck_assert_msg(rc == 0, "%s %s: exit %d\n%.400s\n%s%s", l->name, args, rc,
		      input,
		      out + (no > 300 ? no - 300 : 0),
		      err + (ne > 300 ? ne - 300 : 0));
	snprintf(want, sizeof(want), "\nchallenge %d: met in %d steps", j + 1,
		 steps);
	ck_assert_msg(strstr(out, want), "%s %s: %s%s", l->name, args,
		      out + (no > 300 ? no - 300 : 0),
		      err + (ne > 300 ? ne - 300 : 0));
	ck_assert_msg(strstr(out, ch->why), "%s: no why", l->name);
	free(out);
	free(err);
}

START_TEST(test_challenge_every_one)
{
	const struct lesson *l = launcher_lessons[_i];
	int n = challenge_count(l);
	for (int r = 0; tc_required[r]; r++)
		if (strcmp(tc_required[r], l->name) == 0)
			ck_assert_msg(n >= 2, "%s has %d challenges", l->name, n);
	/* Under valgrind (INTERLEAVE_QUICK) a search among processes forks
	 * them by the thousand and takes minutes: the other runs, plain,
	 * ASan and TSan, search them. */
	if (l->processes && getenv("INTERLEAVE_QUICK"))
		return;
	for (int j = 0; j < n; j++)
		tc_check(l, j);
}
END_TEST

/* A schedule that misses: judged not met, with what the run ended with. */
START_TEST(test_challenge_not_met)
{
	char *out, *err;
	ck_assert_int_eq(texec_in("race", "--challenge=1 --plain",
				  "1\n1\n2\n2\n", &out, &err), 0);
	ck_assert_msg(strstr(out, "challenge 1: not met: the run ended with "
			     "balance=100, and the goal is balance=99\n"),
		      "%s", out);
	ck_assert(!strstr(out, "why:"));
	free(out);
	free(err);
	/* a known schedule instead of stdin: the same verdict */
	ck_assert_int_eq(texec("race", "--challenge=1 --quiet "
			       "--schedule=1,2,2,1", &out, &err), 0);
	ck_assert_msg(strstr(out, "challenge 1: not met"), "%s", out);
	free(out);
	free(err);
	/* input that ends first: the run is cut short, exit 1 */
	ck_assert_int_eq(texec_in("race", "--challenge=1 --plain", "1\n", &out,
				  &err), 1);
	ck_assert_msg(strstr(out, "challenge 1: not met: the run was cut "
			     "short"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* Over the budget: the goal holds, but too late. */
START_TEST(test_challenge_over_budget)
{
	const struct lesson *l = NULL;
	int j = -1;
	for (int i = 0; launcher_lessons[i] && j < 0; i++)
		for (int k = 0; k < challenge_count(launcher_lessons[i]); k++)
			if (launcher_lessons[i]->challenges[k].budget > 0) {
				l = launcher_lessons[i];
				j = k;
				break;
			}
	ck_assert_msg(l, "no challenge has a budget");
	struct lesson_challenge ch = l->challenges[j];
	struct run_result res = { .end = RUN_DONE, .steps =
				  (uint64_t)ch.budget + 1 };
	char buf[600];
	ch.goal = "1=1";
	ck_assert(!challenge_judge(&ch, &res, buf, sizeof(buf)));
	ck_assert_msg(strstr(buf, "over the budget of"), "%s", buf);
	res.steps = (uint64_t)ch.budget;
	ck_assert(challenge_judge(&ch, &res, buf, sizeof(buf)));
}
END_TEST

START_TEST(test_challenge_list)
{
	char *out, *err;
	ck_assert_int_eq(texec("race", "--challenge=list", &out, &err), 0);
	ck_assert_msg(strstr(out, "challenge 1: make the balance end at 99") &&
		      strstr(out, "  runs with: --variant=unsafe --threads=2 "
			     "--iterations=1 --initial=100\n"), "%s", out);
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
}
END_TEST

/* A lesson without challenges says so, to --challenge=N and to list. */
START_TEST(test_challenge_none_yet)
{
	struct lesson bare = race_lesson;
	bare.challenges = NULL;
	struct cli c;
	ck_assert_int_eq(tcli(&bare, "--challenge=1", &c), CLI_USAGE);
	ck_assert_int_eq(challenge_count(&bare), 0);
	char buf[200] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	challenge_list(&bare, f);
	fclose(f);
	ck_assert_str_eq(buf, "race has no challenges yet\n");
}
END_TEST

START_TEST(test_challenge_bad_input)
{
	tbad_input("race", "--challenge=0");
	tbad_input("race", "--challenge=99");
	tbad_input("race", "--challenge=two");
	tbad_input("race", "--challenge=1 --mode=free");
	tbad_input("race", "--challenge=1 --explore --quiet");
	tbad_input("race", "--challenge=1 --quiz");
	tbad_input("race", "--challenge=1 --variant=mutex");
	tbad_input("race", "--challenge=1 --iterations=3");
	tbad_input("deadlock", "--challenge=99");
}
END_TEST

/* The viewer: the goal shown, steps chosen by number, the verdict. */
START_TEST(test_challenge_view)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "race", "--challenge=1");
	SEE(&t, "challenge 1: make the balance end at 99");
	SEE(&t, "g challenge");
	tmux_keys(&t, "1 2 1 2");
	SEE(&t, "Run complete");
	SEE(&t, "Challenge 1 met in 4 steps (balance=99).  Why: T2 must read");
	tmux_keys(&t, "r");
	SEE(&t, "challenge 1: make the balance end at 99");
	tmux_keys(&t, "1 1 2 2");
	SEE(&t, "Challenge 1 not met: the run ended with balance=100");
	tmux_keys(&t, "g"); /* the next one: its options, from the start */
	SEE(&t, "challenge 2: make the balance end at 98");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

/* A budget: spent, said as the step that spends it is taken. */
START_TEST(test_challenge_view_budget)
{
	struct tmux t = { "" };
	tmux_start_lesson(&t, 100, 30, "deadlock", "--challenge=1");
	SEE(&t, "in at most 2 steps (the fewest possible)");
	tmux_keys(&t, "1 1 1");
	SEE(&t, "Challenge 1: the budget of 2 steps is spent; r tries again.");
	tmux_keys(&t, "r");
	SEE(&t, "challenge 1: deadlock the two transfers");
	tmux_keys(&t, "1 2");
	SEE(&t, "Challenge 1 met in 2 steps of a budget of 2 (deadlock=yes)");
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	tmux_stop(&t);
}
END_TEST

Suite *challenge_suite(void)
{
	Suite *s = suite_create("challenge");
	TCase *tc = tcase_create("challenge");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_challenge_every_one, 0, tc_nlessons());
	tcase_add_test(tc, test_challenge_not_met);
	tcase_add_test(tc, test_challenge_over_budget);
	tcase_add_test(tc, test_challenge_list);
	tcase_add_test(tc, test_challenge_bad_input);
	tcase_add_test(tc, test_challenge_none_yet);
	suite_add_tcase(s, tc);
	TCase *tv = tcase_create("view");
	tcase_set_timeout(tv, 120);
	tcase_add_test(tv, test_challenge_view);
	tcase_add_test(tv, test_challenge_view_budget);
	tcase_add_unchecked_fixture(tv, NULL, tmux_teardown);
	suite_add_tcase(s, tv);
	return s;
}
