/*
 * test_explore.c: --explore against a brute force that knows nothing of
 * preemptions, levels or limits: it runs every schedule, one after the
 * other, and collects what happened.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "explore.h"
#include "shm.h"
#include "testutil.h"

#define MAXKEYS 512

struct outcomes {
	char key[MAXKEYS][160];
	long count[MAXKEYS];
	int n;
};

static void outcomes_add(struct outcomes *o, const char *key, long count)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->key[i], key) == 0) {
			o->count[i] += count;
			return;
		}
	ck_assert_int_lt(o->n, MAXKEYS);
	snprintf(o->key[o->n], sizeof(o->key[0]), "%s", key);
	o->count[o->n++] = count;
}

static void outcome_cb(const char *key, long count, bool held, void *ctx)
{
	(void)held;
	outcomes_add(ctx, key, count);
}

/* The same key explore.c makes: figures, then how the run ended. */
static void brute_key(const struct run_result *res, char *key, size_t n)
{
	size_t k = 0;
	key[0] = '\0';
	for (int i = 0; i < res->nfigures; i++)
		k += (size_t)snprintf(key + k, n - k, "%s%s=%ld", i ? " " : "",
				      res->figures[i].name,
				      res->figures[i].value);
	if (res->end == RUN_DEADLOCK)
		snprintf(key + k, n - k, " deadlock");
	else if (res->end == RUN_STEP_LIMIT)
		snprintf(key + k, n - k, " unfinished (--max-steps)");
}

struct brute {
	struct outcomes o;
	long schedules;
	int min_fail_pre; /* fewest preemptions of a failing schedule, -1 */
};

/*
 * Every schedule: choice[d] is the index, among the threads ready at step
 * d in id order, of the one run; the next schedule is the next number in
 * that mixed-radix count.
 */
static void brute_force(const struct lesson *l, const char *args,
			struct brute *b)
{
	int choice[4096], nopts[4096], depth;
	struct cli c;
	memset(b, 0, sizeof(*b));
	b->min_fail_pre = -1;
	ck_assert_int_eq(tcli(l, args, &c), CLI_RUN);
	c.cfg.max_steps = 10000;
	memset(choice, 0, sizeof(choice));
	shm_hush(true); /* forget-unlink: each run would say it left one */
	for (int len = 0;;) {
		struct sched s;
		struct run_result res;
		enum run_end end = RUN_DONE;
		int prev = 0, pre = 0;
		run_begin(&c.cfg, NULL, NULL, &s);
		for (depth = 0;; depth++) {
			int ids[RT_MAX_THREADS];
			int n = sched_eligible(ids);
			if (n == 0) {
				end = sched_live() ? RUN_DEADLOCK : RUN_DONE;
				break;
			}
			ck_assert_int_lt(depth, 4096);
			if (depth >= len)
				choice[depth] = 0;
			nopts[depth] = n;
			int id = ids[choice[depth]];
			bool prev_ready = false;
			for (int i = 0; i < n; i++)
				prev_ready |= ids[i] == prev;
			pre += prev_ready && id != prev;
			sched_step(id);
			prev = id;
		}
		run_finish(end, &res);
		char key[160];
		brute_key(&res, key, sizeof(key));
		outcomes_add(&b->o, key, 1);
		b->schedules++;
		if ((end == RUN_DONE && !res.invariant) || end == RUN_DEADLOCK)
			if (b->min_fail_pre < 0 || pre < b->min_fail_pre)
				b->min_fail_pre = pre;
		for (len = depth; len > 0 && choice[len - 1] + 1 >= nopts[len - 1];)
			len--;
		if (len == 0)
			break;
		choice[len - 1]++;
	}
	shm_hush(false);
	cli_free(&c);
}

/*
 * Small runs of every lesson, and of every variant whose runs end (a
 * variant that spins until --max-steps, or whose schedules number in the
 * thousands at its smallest, is left out: prodcons unsafe and busywait,
 * event counter, timer heartbeat, mpqueue nowait and empty-check, pipe
 * but forgot-close, manager get-set, shm early-attach and unlocked, pool completion): the
 * brute force finishes them.
 */
static const struct {
	const struct lesson *l;
	const char *args;
	bool breaks;
} small[] = {
	{ &race_lesson, "--iterations=1", true },
	{ &race_lesson, "--iterations=2", true },
	{ &race_lesson, "--iterations=1 --threads=3", true },
	{ &race_lesson, "--variant=mutex --iterations=2", false },
	{ &race_lesson, "--variant=atomic --iterations=2 --threads=3", false },
	{ &barrier_lesson, "--runners=2 --distance=1", true },
	{ &barrier_lesson, "--variant=barrier --runners=2 --distance=1 --rounds=2", false },
	{ &barrier_lesson, "--variant=reusable --runners=2 --distance=1", false },
	{ &barrier_lesson, "--variant=timeout --runners=2 --distance=1", false },
	{ &bandwidth_lesson, "--workers=3 --permits=1 --jobs=1 --cost=1", true },
	{ &bandwidth_lesson, "--variant=semaphore --workers=2 --permits=1 --jobs=1 --cost=1", false },
	{ &bandwidth_lesson, "--variant=mutex --workers=2 --jobs=1 --cost=1", false },
	{ &prodcons_lesson, "--variant=semaphore --items=1 --capacity=1", false },
	{ &prodcons_lesson, "--variant=condvar --items=2 --capacity=1", false },
	{ &prodcons_lesson, "--variant=condvar-if --consumers=2 --producers=2 --items=1 --capacity=1", true },
	{ &deadlock_lesson, "--rounds=1", true },
	{ &deadlock_lesson, "--variant=ordered --rounds=1", false },
	{ &deadlock_lesson, "--variant=trylock --rounds=1 --retries=2", true },
	{ &deadlock_lesson, "--variant=biglock --rounds=1", false },
	{ &deadlock_lesson, "--variant=philosophers --philosophers=2 --rounds=1", true },
	{ &deadlock_lesson, "--variant=forks-ordered --philosophers=2 --rounds=1", false },
	{ &locks_lesson, "--threads=1 --rounds=1", true },
	{ &locks_lesson, "--variant=recursive --rounds=1", false },
	{ &locks_lesson, "--variant=extra-unlock --rounds=1", true },
	{ &locks_lesson, "--variant=not-owner --rounds=1", true },
	{ &locks_lesson, "--variant=messy --letters=2", true },
	{ &locks_lesson, "--variant=tidy --letters=2", false },
	{ &event_lesson, "--readers=1 --entries=1", false },
	{ &event_lesson, "--variant=set-first --readers=1 --entries=1", true },
	{ &timer_lesson, "--delay=1 --wait=1", false },
	{ &timer_lesson, "--variant=cancel --delay=1 --wait=1", true },
	{ &tls_lesson, "--iterations=1", true },
	{ &tls_lesson, "--variant=locked --iterations=1", false },
	{ &tls_lesson, "--variant=cached --iterations=1", true },
	{ &sched_lesson, "--events=2 --unit=1", false },
	{ &sched_lesson, "--variant=workers --events=2 --unit=1", false },
	{ &sched_lesson, "--variant=check-sleep --events=1 --unit=1", true },
	/* processes: every execution forks, so the fewest */
	{ &fork_lesson, "--numbers=1", true },
	{ &fork_lesson, "--variant=shared --numbers=1", false },
	{ &fork_lesson, "--variant=no-join --numbers=1", true },
	{ &shmrace_lesson, "--iterations=1", true },
	{ &shmrace_lesson, "--variant=lock --iterations=1", false },
	{ &shmrace_lesson, "--variant=atomic --iterations=1", false },
	{ &pipe_lesson, "--variant=forgot-close --messages=1", true },
	{ &shm_lesson, "--workers=1 --rows=1 --cols=1", false },
	{ &shm_lesson, "--variant=forget-unlink --workers=1 --rows=1 --cols=1", true },
	{ &mpqueue_lesson, "--consumers=1 --items=1 --capacity=1", false },
	{ &mpqueue_lesson, "--variant=timeout --consumers=1 --items=1 --capacity=1 --timeout=1", true },
	{ &manager_lesson, "--clients=1 --iterations=1", false },
	{ &manager_lesson, "--variant=add --clients=1 --iterations=1", false },
	{ &manager_lesson, "--variant=shared --iterations=1", false },
	{ &pool_lesson, "--tasks=1 --workers=1", false },
	{ &pool_lesson, "--variant=die --tasks=1 --workers=1", true },
	{ &pool_lesson, "--variant=notice --tasks=1 --workers=1", false },
	{ &pool_lesson, "--variant=threads --tasks=1 --workers=1", false },
};

/* Same outcomes, each reached as often; same verdict; minimal preemptions. */
START_TEST(test_explore_matches_brute_force)
{
	const struct lesson *l = small[_i].l;
	struct brute b;
	brute_force(l, small[_i].args, &b);
	struct outcomes got = { .n = 0 };
	int sched[4096] = { 0 };
	struct explore_result r = { .outcome = outcome_cb, .ctx = &got,
				    .schedule = sched, .cap = 4096 };
	struct explore_limits lim = { -1, 10000000, 600, NULL, NULL, false };
	struct cli c;
	ck_assert_int_eq(tcli(l, small[_i].args, &c), CLI_RUN);
	c.cfg.max_steps = 10000;
	explore_run(&c.cfg, &lim, &r);
	ck_assert(r.complete);
	ck_assert_int_eq(r.executions, b.schedules);
	ck_assert_int_eq(got.n, b.o.n);
	for (int i = 0; i < b.o.n; i++) {
		long n = 0;
		for (int j = 0; j < got.n; j++)
			if (strcmp(got.key[j], b.o.key[i]) == 0)
				n = got.count[j];
		ck_assert_msg(n == b.o.count[i], "%s %s: outcome '%s' %ld times, "
			      "brute force %ld", l->name, small[_i].args,
			      b.o.key[i], n, b.o.count[i]);
	}
	ck_assert_int_eq(r.can_break, small[_i].breaks);
	ck_assert_int_eq(r.can_break, b.min_fail_pre >= 0);
	if (r.can_break) {
		/* fewest preemptions there are, and it replays to a failure */
		ck_assert_int_eq(r.preemptions, b.min_fail_pre);
		char args[8192];
		int k = snprintf(args, sizeof(args), "%s --schedule=",
				 small[_i].args);
		for (int i = 0; i < r.len; i++)
			k += snprintf(args + k, sizeof(args) - (size_t)k, "%s%d",
				      i ? "," : "", sched[i]);
		struct run_result res;
		enum run_end end = trun(l, args, &res, NULL);
		ck_assert_msg(end == RUN_DEADLOCK || !res.invariant,
			      "%s: replay held", args);
		ck_assert_uint_eq(res.steps, (uint64_t)r.len);
	}
	cli_free(&c);
}
END_TEST

/* Is this process run by valgrind (which the state cache stays off
 * under, cache.c)?  The lessons it starts are not. */
static bool tunder_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");
	return pre && strstr(pre, "vgpreload");
}

/* Does this build have the state cache (not under the sanitizers)? */
static bool texplore_cached(void)
{
	struct explore_result r = { 0 };
	struct explore_limits lim = { -1, 1000, 60, NULL, NULL, false };
	struct cli c;
	ck_assert_int_eq(tcli(&race_lesson, "--iterations=1", &c), CLI_RUN);
	explore_run(&c.cfg, &lim, &r);
	cli_free(&c);
	return r.states > 0;
}

/*
 * Runs too large for the brute force, small enough for every schedule to
 * be run: the state cache's search must find what running them all does,
 * to the count, and the same shortest failing schedule (bandwidth and the
 * timer need 2 preemptions: found by looking back over the graph).
 */
static const struct {
	const struct lesson *l;
	const char *args;
} medium[] = {
	{ &race_lesson, "--iterations=4" },
	{ &race_lesson, "--variant=atomic --iterations=3 --threads=3" },
	{ &bandwidth_lesson, "--workers=3 --permits=2 --jobs=1 --cost=1" },
	{ &timer_lesson, "--variant=cancel --delay=2 --wait=1" },
	{ &event_lesson, "--variant=set-first --readers=2 --entries=2" },
	{ &locks_lesson, "--variant=messy --letters=3" },
	{ &deadlock_lesson, "--variant=philosophers --philosophers=3 --rounds=1" },
	{ &deadlock_lesson, "--variant=trylock --rounds=1 --retries=3" },
	{ &prodcons_lesson, "--variant=semaphore --items=2 --capacity=1" },
	{ &tls_lesson, "--variant=locked --iterations=2" },
};

START_TEST(test_explore_cache_agrees)
{
	const struct lesson *l = medium[_i].l;
	if (!texplore_cached())
		return; /* a sanitizer build: both searches would be the same */
	struct outcomes got[2] = { { .n = 0 }, { .n = 0 } };
	int sched[2][4096];
	struct explore_result r[2];
	for (int k = 0; k < 2; k++) {
		struct explore_limits lim = { -1, 10000000, 600, NULL, NULL,
					      k == 1 };
		r[k] = (struct explore_result){ .outcome = outcome_cb,
						.ctx = &got[k],
						.schedule = sched[k],
						.cap = 4096 };
		struct cli c;
		ck_assert_int_eq(tcli(l, medium[_i].args, &c), CLI_RUN);
		explore_run(&c.cfg, &lim, &r[k]);
		cli_free(&c);
		ck_assert(r[k].complete);
	}
	ck_assert_int_eq(r[1].states, 0);
	ck_assert_int_eq(r[0].executions, r[1].executions);
	ck_assert_int_eq(got[0].n, got[1].n);
	for (int i = 0; i < got[1].n; i++) {
		long n = 0;
		for (int j = 0; j < got[0].n; j++)
			if (strcmp(got[0].key[j], got[1].key[i]) == 0)
				n = got[0].count[j];
		ck_assert_msg(n == got[1].count[i], "%s %s: outcome '%s' %ld "
			      "times with the cache, %ld without", l->name,
			      medium[_i].args, got[1].key[i], n,
			      got[1].count[i]);
	}
	ck_assert_int_eq(r[0].can_break, r[1].can_break);
	ck_assert_int_eq(r[0].preemptions, r[1].preemptions);
	ck_assert_int_eq(r[0].len, r[1].len);
	for (int i = 0; i < r[0].len; i++)
		ck_assert_int_eq(sched[0][i], sched[1][i]);
}
END_TEST

static void balances(const char *key, long count, bool held, void *ctx)
{
	(void)count;
	(void)held;
	long *seen = ctx, b;
	ck_assert_int_eq(sscanf(key, "balance=%ld", &b), 1);
	ck_assert_int_ge(b, 0);
	ck_assert_int_lt(b, 256);
	seen[b] = 1;
}

/*
 * Two tellers, N deposits against N withdrawals: every balance from
 * 100 - N (every deposit lost) to 100 + N (every withdrawal lost) can
 * happen, and nothing else; C(4N, 2N) schedules.  N = 5 and 6 (2.7
 * million schedules) and 10 (10^11) only with the state cache: a
 * sanitizer build has none, and would run every schedule.
 */
START_TEST(test_explore_race_closed_form)
{
	static const int sizes[] = { 1, 2, 3, 4, 5, 6, 10 };
	int n = sizes[_i];
	if (n > 4 && !texplore_cached())
		return;
	long seen[256] = { 0 };
	char args[64];
	snprintf(args, sizeof(args), "--iterations=%d", n);
	struct explore_result r = { .outcome = balances, .ctx = seen };
	struct explore_limits lim = { -1, 10000000, 600, NULL, NULL, false };
	struct cli c;
	ck_assert_int_eq(tcli(&race_lesson, args, &c), CLI_RUN);
	explore_run(&c.cfg, &lim, &r);
	cli_free(&c);
	for (long b = 0; b < 256; b++)
		ck_assert_int_eq(seen[b], b >= 100 - n && b <= 100 + n);
	long schedules = 1; /* C(4n, 2n) */
	for (int k = 1; k <= 2 * n; k++)
		schedules = schedules * (2 * n + k) / k;
	ck_assert_int_eq(r.executions, schedules);
	ck_assert(r.complete && r.can_break);
}
END_TEST

static const struct bad {
	const char *args, *says;
} bad[] = {
	{ "--explore --mode=free", "--explore applies only to --mode=step" },
	{ "--explore --seed=3", "--seed means nothing with --explore" },
	{ "--explore --policy=rr", "--policy means nothing with --explore" },
	{ "--explore --schedule=1,2", "--schedule means nothing with --explore" },
	{ "--explore --bound=-1", "--bound: expected a whole number from 0" },
	{ "--explore --explore-limit=0", "--explore-limit: expected a whole number from 1" },
	{ "--explore --explore-time=0", "--explore-time: expected a whole number from 1" },
	{ "--bound=2", "--bound applies only to --explore" },
	{ "--explore --plain", "--plain does not go with --explore, which "
			       "prints its own report" },
	{ "--view --explore", "--view does not go with --explore" },
	{ "--explore --explore", "--explore is given twice" },
};

START_TEST(test_explore_bad_input)
{
	char *out, *err;
	int rc = texec("race", bad[_i].args, &out, &err);
	trefused("race", bad[_i].args, rc, out, err, bad[_i].says);
}
END_TEST

/* The report: outcomes, verdict, the shortest failing schedule to replay. */
START_TEST(test_explore_report)
{
	char *out, *err;
	ck_assert_int_eq(texec("race", "--iterations=1 --explore", &out, &err), 0);
	/* the state cache's search counts its states (a sanitizer build
	 * has no cache, nor a run under valgrind); how many depends on the
	 * compiler's frames */
	bool cached = strstr(out, " through ") != NULL;
	ck_assert_int_eq(cached, texplore_cached() || tunder_valgrind());
	ck_assert_ptr_nonnull(strstr(out, cached
		? " states: every schedule (the most preemptions any has: 2)\n"
		: "explored 6 executions: every schedule (the most preemptions any has: 2)\n"));
	ck_assert_ptr_nonnull(strstr(out, cached ? "explored 6 executions through "
						 : "explored 6 executions: "));
	ck_assert_ptr_nonnull(strstr(out, "       2  held     balance=100 expected=100 lost_updates=0\n"));
	ck_assert_ptr_nonnull(strstr(out, "shortest failing schedule: 1 preemption, 4 steps (lost update)\n"
					  "  race --iterations=1 --schedule="));
	ck_assert_ptr_nonnull(strstr(out, "summary: lesson=race variant=unsafe "
				     "mode=explore bound=none executions=6 "));
	ck_assert_ptr_nonnull(strstr(out, " outcomes=3 deadlocks=0 invariant=can-break\n"));
	ck_assert_int_eq(strstr(out, " states=") != NULL, cached);
	free(out);
	free(err);
	ck_assert_int_eq(texec("race", "--variant=mutex --explore --quiet", &out, &err), 0);
	/* with the lock, only the order of the ten critical sections
	 * matters: C(10, 5) = 252 schedules */
	ck_assert_ptr_nonnull(strstr(out, "summary: lesson=race variant=mutex "
				     "mode=explore bound=none executions=252 "));
	ck_assert_ptr_nonnull(strstr(out, " outcomes=1 deadlocks=0 "
					  "invariant=always-holds\n"));
	free(out);
	free(err);
	/* a bound that leaves schedules out proves nothing */
	ck_assert_int_eq(texec("race", "--variant=mutex --explore --quiet --bound=1", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "invariant=unknown"));
	free(out);
	free(err);
}
END_TEST

/*
 * What the verdict rests on: an execution that --max-steps stopped before
 * its end proves nothing either way; a --bound over the most preemptions
 * any schedule has leaves none out; a limit says how many runs it took.
 */
START_TEST(test_explore_verdict_limits)
{
	/* 2 x 1 takes 4 steps, then its exits: at 3 no execution ends,
	 * at 5 every one does */
	char *out = texplore_says("race", "--iterations=1 --explore "
				  "--max-steps=3", " unfinished=6 "
				  "invariant=unknown\n", "can-break");
	ck_assert_msg(strstr(out, "         3  stopped  balance=101 expected="
			     "100 lost_updates=0 unfinished (--max-steps)\n"),
		      "%s", out);
	ck_assert_msg(strstr(out, "invariant: unknown: --max-steps stopped "
			     "every execution before its end\n"), "%s", out);
	free(out);
	free(texplore_says("race", "--iterations=1 --explore --max-steps=5",
			   " deadlocks=0 invariant=can-break\n", "unfinished"));
	/* mutex 2 x 2 has 6 schedules, 4 within one preemption */
	free(texplore_says("race", "--variant=mutex --iterations=2 --explore "
			   "--quiet --bound=1", " executions=4 outcomes=1 "
			   "deadlocks=0 invariant=unknown\n", NULL));
	free(texplore_says("race", "--variant=mutex --iterations=2 --explore "
			   "--quiet --bound=100", " executions=6 outcomes=1 "
			   "deadlocks=0 invariant=always-holds\n", NULL));
	/* stopped, the report says how many runs that took: the levels run
	 * schedules of fewer preemptions again.  The limit counts
	 * executions (30 of them in 35 runs), but the state search counts
	 * them only at its end, so there it counts runs (17 in 30). */
	out = texplore_says("race", "--iterations=3 --explore "
			    "--explore-limit=30", " runs: stopped by "
			    "--explore-limit while running", NULL);
	ck_assert_msg(strstr(out, "explored 17 executions in 30 runs") ||
			      strstr(out, "explored 30 executions in 35 runs"),
		      "%s", out);
	ck_assert_msg(strstr(out, "stopped=explore-limit\n"), "%s", out);
	free(out);
	free(texplore_says("barrier", "--variant=barrier --runners=1 "
			   "--explore", "explored 1 execution: every", NULL));
}
END_TEST

/* A schedule over 30 steps is printed in runs ("4*10"), and the lesson
 * takes it back: the same run, which fails. */
START_TEST(test_explore_long_schedule)
{
	const char *opts = "--variant=condvar-if --producers=2 --consumers=2 "
			   "--items=1 --capacity=1";
	char args[512];
	snprintf(args, sizeof(args), "%s --explore", opts);
	char *out = texplore_says("prodcons", args, "--schedule=3*3,1*9,4*10,"
				  "3*9,2*9\n", NULL);
	free(out);
	struct run_result res;
	struct tlog log = { 0 };
	snprintf(args, sizeof(args), "%s --schedule=3*3,1*9,4*10,3*9,2*9 "
		 "--plain", opts);
	ck_assert_int_eq(trun(&prodcons_lesson, args, &res, &log), RUN_DONE);
	ck_assert(!res.invariant);
	ck_assert_int_eq((int)res.steps, 40);
	ck_assert_msg(strstr(log.text, "woke up and took from an empty slot"),
		      "%s", log.text);
	tlog_free(&log);
	/* a short one is written out: "1,1,1,2,2,2,2,1" */
	free(texplore_says("race", "--iterations=2 --explore",
			   "--schedule=1,1,1,2,2,2,2,1\n", "*"));
}
END_TEST

/* A lesson's note names its kind of failure: its clause, numbers as N. */
START_TEST(test_explore_note_kind)
{
	char *out, *err;
	ck_assert_int_eq(texec("fork", "--variant=no-join --explore --bound=0",
			       &out, &err), 0);
	ck_assert_msg(strstr(out, " steps (read square_sum = N while its "
				  "child was still running)\n"), "%s", out);
	free(out);
	free(err);
	/* every run of get-set says "has its first reply" before it loses an
	 * increment: the lesson marks that note as telling, not breaking */
	ck_assert_int_eq(texec("manager", "--variant=get-set --iterations=2 "
			       "--explore --explore-limit=1", &out, &err), 0);
	ck_assert_msg(strstr(out, " steps (sets count as asked, over a "
				  "process's set, which the asking client "
				  "never read)\n"), "%s", out);
	ck_assert_msg(!strstr(out, "first reply"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* Ctrl-C: what was found so far, marked incomplete, and status 130. */
START_TEST(test_explore_interrupt)
{
	const char *dir = getenv("INTERLEAVE_BIN");
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s/race --iterations=60 --explore >%s 2>&1 & "
		 "pid=$!; sleep 0.5; "
		 /* a background job starts with SIGINT ignored until the
		  * lesson sets its handler: on a slow start, ask again */
		 "while [ \"$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)\" "
		 "= R ] || [ \"$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)\" "
		 "= S ]; do kill -INT $pid; sleep 0.3; done; "
		 "wait $pid",
		 dir ? dir : "build/bin", "/tmp/interleave-explore-int.txt");
	int st = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(st), 130);
	FILE *f = fopen("/tmp/interleave-explore-int.txt", "r");
	ck_assert_ptr_nonnull(f);
	char text[8192] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	unlink("/tmp/interleave-explore-int.txt");
	ck_assert_ptr_nonnull(strstr(text, "stopped by Ctrl-C"));
	ck_assert_ptr_nonnull(strstr(text, "incomplete"));
	ck_assert_ptr_nonnull(strstr(text, "invariant=can-break stopped=interrupt\n"));
}
END_TEST

Suite *explore_suite(void)
{
	Suite *s = suite_create("explore");
	TCase *tc = tcase_create("brute");
	/* Hundreds of thousands of runs: not under valgrind ("scale"), nor
	 * ThreadSanitizer ("brute"): each run's fibers take turns on one
	 * thread, so it has no race to look for, and a fiber it is told of
	 * costs 2 to 3 ms of mapping (the tcase took 18 min under it). */
	tcase_set_tags(tc, "scale brute");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_explore_matches_brute_force, 0,
			    (int)(sizeof(small) / sizeof(small[0])));
	tcase_add_loop_test(tc, test_explore_race_closed_form, 0, 7);
	tcase_add_loop_test(tc, test_explore_cache_agrees, 0,
			    (int)(sizeof(medium) / sizeof(medium[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("explore");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_explore_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_explore_report);
	tcase_add_test(tc, test_explore_verdict_limits);
	tcase_add_test(tc, test_explore_long_schedule);
	tcase_add_test(tc, test_explore_note_kind);
	tcase_add_test(tc, test_explore_interrupt);
	suite_add_tcase(s, tc);
	return s;
}
