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
static void tmodel_steps(const char *args, int steps, int *ids, bool replay,
			 struct model *out)
{
	struct cli c;
	struct sched s;
	ck_assert_int_eq(tcli(&race_lesson, args, &c), CLI_RUN);
	rt_init(&c.cfg, tmodel_sink, NULL);
	model_init(&tm, true);
	sched_init(&s, &c.cfg);
	sched_start();
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

static void tmodel_run(const char *args, int steps, struct model *out)
{
	tmodel_steps(args, steps, NULL, false, out);
}

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

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_model_lost_update);
	tcase_add_test(tc, test_model_blocked);
	tcase_add_loop_test(tc, test_model_step_back, 0, 6);
	suite_add_tcase(s, tc);
	return s;
}
