/*
 * test_model.c: the viewer's model, without a terminal.  The picture at
 * step k is the fold of the first k steps' events, so stepping back is
 * folding one step fewer.
 */
#include <string.h>

#include "model.h"
#include "testutil.h"

static struct model tm;

static void tmodel_sink(const struct event *e, void *ctx)
{
	(void)ctx;
	model_apply(&tm, e, &rt_names);
}

/*
 * The model after `steps` steps of args: by policy, recording each thread
 * into ids, or (replay) running exactly the threads ids gives.
 */
/* Start a step-mode run of l with args, the model folding its events. */
static void tmodel_begin(const struct lesson *l, const char *args,
			 struct cli *c, struct sched *s)
{
	ck_assert_int_eq(tcli(l, args, c), CLI_RUN);
	rt_init(&c->cfg, tmodel_sink, NULL);
	model_init(&tm, true);
	sched_init(s, &c->cfg);
	sched_start();
}

static void tmodel_lesson_steps(const struct lesson *l, const char *args,
				int steps, int *ids, bool replay,
				struct model *out)
{
	struct cli c;
	struct sched s;
	tmodel_begin(l, args, &c, &s);
	for (int k = 0; k < steps; k++) {
		int id;
		char err[256];
		if (replay)
			id = ids[k];
		else if (sched_pick(&s, &id, err, sizeof(err)) != SCHED_OK)
			break;
		if (ids)
			ids[k] = id;
		sched_step(id);
	}
	*out = tm;
	rt_destroy();
	cli_free(&c);
}

static void tmodel_steps(const char *args, int steps, int *ids, bool replay,
			 struct model *out)
{
	tmodel_lesson_steps(&race_lesson, args, steps, ids, replay, out);
}

static void tmodel_run(const char *args, int steps, struct model *out)
{
	tmodel_steps(args, steps, NULL, false, out);
}

/* A process waiting in join is shown waiting for the child, by name. */
START_TEST(test_model_join_waits_for)
{
	static struct model m;
	char buf[64];
	tmodel_lesson_steps(&fork_lesson, "--variant=private --policy=rr", 4,
			    NULL, false, &m);
	ck_assert_int_eq(m.threads[1].state, MT_BLOCKED);
	ck_assert_int_eq(m.threads[1].next_other, 2);
	ck_assert_str_eq(model_state_text(&m, 1, buf, sizeof(buf)),
			 "waits for P2 to exit");
	ck_assert_int_eq(m.threads[2].next_other, 0);
}
END_TEST

START_TEST(test_model_lost_update)
{
	static struct model m;
	tmodel_run("--iterations=1 --schedule=1,2,1,2", 3, &m);
	ck_assert_int_eq(m.step, 3);
	ck_assert_int_eq(m.objs[0].value, 101);      /* balance */
	ck_assert(m.threads[2].has_tmp);            /* T2 holds 100 */
	ck_assert_int_eq(m.threads[2].tmp, 100);
	ck_assert(m.threads[2].tmp_stale);
	ck_assert_ptr_nonnull(strstr(m.say, "one of these updates will be lost"));
	tmodel_run("--iterations=1 --schedule=1,2,1,2", 4, &m);
	ck_assert_int_eq(m.objs[0].value, 99);
	ck_assert_int_eq(m.lost_updates, 1);
	ck_assert_int_eq(m.threads[1].state, MT_DONE);
	ck_assert_int_eq(m.threads[2].state, MT_DONE);
	ck_assert_uint_eq(m.timeline[0], 1);
	ck_assert_uint_eq(m.timeline[1], 2);
}
END_TEST

START_TEST(test_model_blocked)
{
	static struct model m;
	int ids[RT_MAX_THREADS];
	char buf[64];
	tmodel_run("--variant=mutex --schedule=1", 1, &m);
	ck_assert_int_eq(m.objs[1].owner, 1);        /* lock held by T1 */
	ck_assert_int_eq(m.threads[2].state, MT_BLOCKED);
	ck_assert_int_eq(model_waiters(&m, 1, ids), 1);
	ck_assert_int_eq(ids[0], 2);
	ck_assert_str_eq(model_state_text(&m, 2, buf, sizeof(buf)),
			 "blocked on lock");
	ck_assert_int_eq(m.threads[1].line, 38);     /* m2: its next line */
}
END_TEST

/*
 * Step back as the viewer does it: rebuild the run and replay the first
 * k-1 recorded threads.  The picture must be the one it had at k-1.
 */
START_TEST(test_model_step_back)
{
	static struct model before, after;
	int ids[64];
	char args[64];
	snprintf(args, sizeof(args), "--seed=%d --variant=%s", _i,
		 _i % 2 ? "mutex" : "unsafe");
	for (int k = 1; k <= 20; k++) { /* unsafe takes 20 steps */
		tmodel_steps(args, k - 1, NULL, false, &before);
		tmodel_steps(args, k, ids, false, &after);
		ck_assert_uint_eq(after.step, k);
		tmodel_steps(args, k - 1, ids, true, &after);
		ck_assert_int_eq(memcmp(&before, &after, sizeof(before)), 0);
	}
}
END_TEST

/* The object of model m named name; fails the test if there is none. */
static int tmodel_obj(const struct model *m, const char *name)
{
	for (int i = 0; i < m->nobjs; i++)
		if (strcmp(m->objs[i].name, name) == 0)
			return i;
	ck_abort_msg("no object '%s'", name);
	return -1;
}

/* A line with two operations: the model knows which one is next. */
START_TEST(test_model_next_op)
{
	static struct model m;
	tmodel_run("--iterations=1 --schedule=1,2,1,2", 0, &m);
	ck_assert_int_eq(m.threads[1].next_op, OP_LOAD);
	tmodel_run("--iterations=1 --schedule=1,2,1,2", 1, &m);
	ck_assert_int_eq(m.threads[1].next_op, OP_STORE);
	ck_assert_int_eq(m.threads[1].next_obj, 0);
}
END_TEST

/* A runner back at the start line (its lane set to 0) starts a round. */
START_TEST(test_model_track_rounds)
{
	static struct model m;
	tmodel_lesson_steps(&barrier_lesson, "--variant=reusable --rounds=3",
			    100000, NULL, false, &m);
	int a = tmodel_obj(&m, "A");
	ck_assert_int_gt(m.objs[a].track, 0);
	ck_assert_int_eq(m.objs[a].round, 3);
	tmodel_lesson_steps(&barrier_lesson, "--variant=reusable --rounds=3",
			    1, NULL, false, &m);
	ck_assert_int_le(m.objs[a].round, 1);
}
END_TEST

/*
 * A thread that holds a permit of a semaphore and waits for another: it
 * is a count (signalling), not a pool of permits with holders, so the
 * screen does not show the thread both holding and waiting.
 */
START_TEST(test_model_sema_not_pool)
{
	static struct model m;
	int ids[64];
	for (int i = 0; i < 64; i++)
		ids[i] = 1;
	/* the producer alone: it fills the one slot, then waits on empty */
	tmodel_lesson_steps(&prodcons_lesson, "--variant=semaphore "
			    "--capacity=1 --schedule=1", 1, NULL, false, &m);
	int empty = tmodel_obj(&m, "empty");
	for (int k = 2; k < 64 && m.threads[1].state == MT_READY; k++)
		tmodel_lesson_steps(&prodcons_lesson, "--variant=semaphore "
				    "--capacity=1", k, ids, true, &m);
	ck_assert_int_eq(m.threads[1].state, MT_BLOCKED);
	ck_assert_int_eq(m.threads[1].next_obj, empty);
	ck_assert(!model_is_pool(&m, empty));
	int w[RT_MAX_THREADS];
	ck_assert_int_eq(model_waiters(&m, empty, w), 1);
}
END_TEST

/* Task k's state in m after `steps` steps of pool with args; *who. */
static enum model_task tmodel_task(const char *args, int steps, int k,
				   int *who)
{
	static struct model m;
	tmodel_lesson_steps(&pool_lesson, args, steps, NULL, false, &m);
	ck_assert_int_eq(m.ntasks, 4);
	ck_assert_int_eq(m.task_items[k - 1], k); /* square of 1, 2, 3, 4 */
	return model_task(&m, k, who);
}

/*
 * The task queue: a task waits until a worker takes it, is held by the
 * one that takes it (a replacement too), done when that worker lets go
 * of it, lost when it ended holding it or P1 let go of it for it.
 */
START_TEST(test_model_tasks)
{
	int who;
	ck_assert_int_eq(tmodel_task("", 0, 1, &who), MTASK_WAITING);
	ck_assert_int_eq(tmodel_task("", 12, 1, &who), MTASK_HELD);
	ck_assert_int_eq(who, 2);
	ck_assert_int_eq(tmodel_task("", 12, 2, &who), MTASK_HELD);
	ck_assert_int_eq(who, 3);
	ck_assert_int_eq(tmodel_task("", 12, 3, &who), MTASK_WAITING);
	ck_assert_int_eq(tmodel_task("", 25, 1, &who), MTASK_DONE);
	const char *notice = "--variant=notice";
	ck_assert_int_eq(tmodel_task(notice, 22, 1, &who), MTASK_LOST);
	ck_assert_int_eq(who, 2); /* P2 ended holding it */
	ck_assert_int_eq(tmodel_task(notice, 22, 2, &who), MTASK_DONE);
	ck_assert_int_eq(tmodel_task(notice, 42, 1, &who), MTASK_LOST);
	ck_assert_int_eq(tmodel_task(notice, 45, 1, &who), MTASK_HELD);
	ck_assert_int_eq(who, 4); /* the new worker */
	ck_assert_int_eq(tmodel_task(notice, 100000, 1, &who), MTASK_DONE);
	ck_assert_int_eq(who, 4);
	for (int k = 2; k <= 4; k++)
		ck_assert_int_eq(tmodel_task(notice, 100000, k, &who),
				 MTASK_DONE);
}
END_TEST

/* --- free mode: the replay finds lost updates in the events alone --- */

static struct event tev[256];
static size_t ntev;

static void tev_add(int thread, int op, long a, long b)
{
	struct event *e = &tev[ntev++];
	memset(e, 0, sizeof(*e));
	e->seq = ntev;
	e->thread = (int16_t)thread;
	e->op = (uint8_t)op;
	e->obj = 0; /* balance */
	e->obj2 = -1;
	e->next_obj = -1;
	e->a = a;
	e->b = b;
	e->flags = EV_STEP;
	e->line = op == OP_LOAD ? 29 : 30;
	static uint64_t step;
	if (ntev == 1)
		step = 0;
	e->step = ++step;
}

/* A free-mode model of race (2 threads), before any event. */
static void tmodel_free_init(struct model *m)
{
	struct cli c;
	ck_assert_int_eq(tcli(&race_lesson, "", &c), CLI_RUN);
	rt_init(&c.cfg, NULL, NULL);
	model_init(m, false);
	rt_destroy();
	cli_free(&c);
	ntev = 0;
}

static struct model tm_work;

static const char *tnames_thread(int id)
{
	return id == 1 ? "deposit" : id == 2 ? "withdraw" : "runtime";
}

static const char *tnames_obj(int id)
{
	return id == 0 ? "balance" : "lock";
}

static const struct event_names tnames = { tnames_thread, tnames_obj, NULL,
						NULL };

START_TEST(test_model_free_lost_update)
{
	static struct model m;
	tmodel_free_init(&m);
	tev_add(1, OP_LOAD, 100, 0);   /* T1 reads 100 */
	tev_add(2, OP_LOAD, 100, 0);   /* T2 reads 100 */
	tev_add(2, OP_STORE, 99, 100); /* T2 writes 99 */
	tev_add(1, OP_STORE, 101, 99); /* T1 writes 101 over it: lost */
	for (size_t i = 0; i < 3; i++)
		model_apply(&m, &tev[i], &tnames);
	ck_assert_int_eq(m.seen_lost, 0);
	uint64_t said = m.said;
	model_apply(&m, &tev[3], &tnames);
	ck_assert_int_eq(m.seen_lost, 1);
	ck_assert_uint_eq(m.seen_lost_read, 1);
	ck_assert_uint_gt(m.said, said);
	ck_assert_msg(strstr(m.say, "lost update") &&
		      strstr(m.say, "T2's withdraw is lost"), "say: %s", m.say);
}
END_TEST

/* Taking turns without a stale read loses nothing. */
START_TEST(test_model_free_no_lost_update)
{
	static struct model m;
	tmodel_free_init(&m);
	long bal = 100;
	for (int i = 0; i < 10; i++) {
		int t = 1 + i % 2;
		long d = t == 1 ? 1 : -1;
		tev_add(t, OP_LOAD, bal, 0);
		tev_add(t, OP_STORE, bal + d, bal);
		bal += d;
	}
	for (size_t i = 0; i < ntev; i++)
		model_apply(&m, &tev[i], &tnames);
	ck_assert_int_eq(m.seen_lost, 0);
	ck_assert_str_eq(m.say, "");
}
END_TEST

/*
 * The replay starts where it teaches: 30 steps of T1 alone, then the two
 * take turns and one update is lost.  It starts 4 steps before the read
 * behind that lost update; without one, 2 before the turns begin.
 */
/*
 * A thread-local variable: each thread's loads and stores change its own
 * copy, drawn side by side; a refused read of a copy whose thread has
 * ended changes nothing.
 */
START_TEST(test_model_local_copies)
{
	static struct model m;
	tmodel_lesson_steps(&tls_lesson, "--variant=locked --threads=3 "
			    "--iterations=2 --seed=4", 1000, NULL, false, &m);
	ck_assert(m.objs[0].local && m.objs[0].priv);    /* hits */
	for (int t = 1; t <= 3; t++)
		ck_assert_int_eq(m.objs[0].own[t], 2);
	ck_assert_int_eq(m.objs[1].value, 6);           /* shared */
	ck_assert(!m.objs[1].local);
	tmodel_lesson_steps(&tls_lesson, "--variant=cached --iterations=2",
			    1000, NULL, false, &m);
	ck_assert_int_eq(m.objs[0].own[1], 2);
	ck_assert_int_eq(m.objs[0].own[2], 2);
	ck_assert_int_eq(m.objs[0].own[3], 0);          /* the reporter's */
	ck_assert_int_eq(m.objs[2].value, 0);           /* sum */
	ck_assert_ptr_nonnull(strstr(m.say, "T3 read T2's copy of hits, but "
				     "T2 has finished"));
}
END_TEST

/*
 * A process that ended holds no read: pool's main reads every result and
 * exits, and no "P1 tmp = ..." may stay on screen after it.
 */
START_TEST(test_model_exit_drops_read)
{
	static struct model m;
	tmodel_lesson_steps(&pool_lesson, "--tasks=2 --workers=1", 1000,
			    NULL, false, &m);
	ck_assert_int_eq(m.threads[1].state, MT_DONE);
	for (int i = 1; i <= m.nthreads; i++)
		ck_assert_msg(!m.threads[i].has_tmp, "P%d holds a read", i);
	/* one step before its exit it does hold the read of r2 */
	tmodel_lesson_steps(&pool_lesson, "--tasks=2 --workers=1",
			    (int)m.step - 1, NULL, false, &m);
	ck_assert(m.threads[1].has_tmp);
}
END_TEST

/*
 * The model after a deadlock reached by running threads steps[0..n-1] of
 * lesson l with args: the deadlock event folded in, or not (before).
 */
static void tmodel_deadlock(const struct lesson *l, const char *args,
			    const int *steps, int n, bool deadlock,
			    struct model *out)
{
	struct cli c;
	struct sched s;
	tmodel_begin(l, args, &c, &s);
	for (int k = 0; k < n; k++)
		sched_step(steps[k]);
	if (deadlock)
		sched_deadlock();
	*out = tm;
	struct run_result res;
	run_finish(deadlock ? RUN_DEADLOCK : RUN_DONE, &res);
	cli_free(&c);
}

/*
 * A deadlock on mutexes: the threads on the cycle of waits, in the order
 * of the waits, and the cycle as arrows; a thread stuck behind the cycle
 * is not on it; a thread waiting for itself is a cycle of one.  Nothing
 * before the deadlock event: stepping back takes the picture away.
 */
START_TEST(test_model_cycle_drawn)
{
	static struct model m;
	static const int two[] = { 1, 2 }, five[] = { 1, 2, 3, 4, 5 };
	tmodel_deadlock(&deadlock_lesson, "", two, 2, false, &m);
	ck_assert_int_eq(m.ncycle, 0);
	ck_assert_str_eq(m.arrows, "");
	tmodel_deadlock(&deadlock_lesson, "", two, 2, true, &m);
	ck_assert_int_eq(m.ncycle, 2);
	ck_assert_int_eq(m.cycle[0], 1);
	ck_assert_int_eq(m.cycle[1], 2);
	ck_assert_str_eq(m.arrows, "T1 -> b -> T2 -> a -> T1");
	ck_assert_int_eq(model_on_cycle(&m, 1), 1);
	ck_assert_int_eq(model_on_cycle(&m, 2), 2);
	tmodel_deadlock(&deadlock_lesson, "--tellers=3", two, 2, true, &m);
	ck_assert_int_eq(m.ncycle, 2);
	ck_assert_int_eq(model_on_cycle(&m, 3), 0); /* waits behind it */
	ck_assert_str_eq(m.arrows, "T1 -> b -> T2 -> a -> T1");
	tmodel_deadlock(&deadlock_lesson, "--variant=philosophers", five, 5,
			true, &m);
	ck_assert_int_eq(m.ncycle, 5);
	ck_assert_str_eq(m.arrows, "T1 -> f2 -> T2 -> f3 -> T3 -> f4 -> T4 "
				   "-> f5 -> T5 -> f1 -> T1");
	tmodel_deadlock(&locks_lesson, "--threads=1", five, 1, true, &m);
	ck_assert_int_eq(m.ncycle, 1);
	ck_assert_str_eq(m.arrows, "T1 -> lock -> T1");
}
END_TEST

START_TEST(test_model_replay_start)
{
	static struct model m0;
	uint64_t start;
	long seen;
	tmodel_free_init(&m0);
	long bal = 100;
	for (int i = 0; i < 15; i++, bal++) {
		tev_add(1, OP_LOAD, bal, 0);
		tev_add(1, OP_STORE, bal + 1, bal);
	}
	size_t alone = ntev; /* 30 steps */
	for (int i = 0; i < 6; i++) { /* turns, nothing lost */
		int t = 2 - i % 2;
		long d = t == 1 ? 1 : -1;
		tev_add(t, OP_LOAD, bal, 0);
		tev_add(t, OP_STORE, bal + d, bal);
		bal += d;
	}
	ck_assert(model_replay_start(&m0, tev, ntev, &tnames, &tm_work,
				     &start, &seen));
	ck_assert_int_eq(seen, 0);
	ck_assert_uint_eq(start, alone - 2);
	size_t read = ntev + 1; /* the step of T1's read below */
	tev_add(1, OP_LOAD, bal, 0);
	tev_add(2, OP_LOAD, bal, 0);
	tev_add(2, OP_STORE, bal - 1, bal);
	tev_add(1, OP_STORE, bal + 1, bal - 1);
	ck_assert(model_replay_start(&m0, tev, ntev, &tnames, &tm_work,
				     &start, &seen));
	ck_assert_int_eq(seen, 1);
	ck_assert_uint_eq(start, read - 4);
	/* one thread alone: no turns, start at the beginning */
	tmodel_free_init(&m0);
	for (int i = 0; i < 20; i++)
		tev_add(1, OP_LOAD, 100, 0);
	ck_assert(!model_replay_start(&m0, tev, ntev, &tnames, &tm_work,
				      &start, &seen));
	ck_assert_uint_eq(start, 0);
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_model_lost_update);
	tcase_add_test(tc, test_model_blocked);
	tcase_add_test(tc, test_model_join_waits_for);
	tcase_add_loop_test(tc, test_model_step_back, 0, 6);
	tcase_add_test(tc, test_model_next_op);
	tcase_add_test(tc, test_model_track_rounds);
	tcase_add_test(tc, test_model_sema_not_pool);
	tcase_add_test(tc, test_model_free_lost_update);
	tcase_add_test(tc, test_model_free_no_lost_update);
	tcase_add_test(tc, test_model_replay_start);
	tcase_add_test(tc, test_model_local_copies);
	tcase_add_test(tc, test_model_cycle_drawn);
	tcase_add_test(tc, test_model_exit_drops_read);
	tcase_add_test(tc, test_model_tasks);
	suite_add_tcase(s, tc);
	return s;
}
