/*
 * test_manager.c: framed messages (common/frame.c) and the manager
 * lesson: the format byte for byte, every malformed or truncated frame
 * refused (random bytes too), frames through a real pipe, each variant's
 * invariant over many seeds, the lost update of get-set narrated, free
 * mode at scale, determinism, bad input, the viewer, and no process left
 * over however a run ends.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "testutil.h"
#include "tmux.h"



/* --- the format --- */

/* The request of docs/lessons/manager.md, byte for byte. */
START_TEST(test_frame_bytes)
{
	static const uint8_t want[] = {
		0, 0, 0, 33,			/* the payload's length */
		'l', 0, 4,			/* a list of 4 */
		's', 3, 's', 'e', 't',		/* "set" */
		'i', 0, 0, 0, 0, 0, 0, 0, 3,	/* 3: the client */
		's', 5, 'c', 'o', 'u', 'n', 't',	/* "count" */
		'i', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /* -2 */
	};
	struct frame_out o;
	frame_out_begin(&o);
	frame_put_list(&o, 4);
	frame_put_str(&o, "set");
	frame_put_int(&o, 3);
	frame_put_str(&o, "count");
	frame_put_int(&o, -2);
	ck_assert_int_eq(frame_out_end(&o), sizeof(want));
	ck_assert(memcmp(o.buf, want, sizeof(want)) == 0);
	char err[96], text[128];
	ck_assert_int_eq(frame_length(o.buf, err, sizeof(err)), 33);
	ck_assert(frame_format(o.buf + 4, 33, text, sizeof(text), err,
			       sizeof(err)));
	ck_assert_str_eq(text, "[\"set\", 3, \"count\", -2]");
	/* and read back value by value */
	struct frame_in in;
	long n, v;
	char s[8];
	frame_in_begin(&in, o.buf + 4, 33);
	ck_assert(frame_get_list(&in, &n) && n == 4);
	ck_assert(frame_get_str(&in, s, sizeof(s)) && !strcmp(s, "set"));
	ck_assert(frame_get_int(&in, &v) && v == 3);
	ck_assert(frame_get_str(&in, s, sizeof(s)) && !strcmp(s, "count"));
	ck_assert(frame_get_int(&in, &v) && v == -2);
	ck_assert(frame_in_end(&in));
}
END_TEST

/* Extremes round-trip: the largest and smallest ints, empty strings and
 * lists, lists in lists. */
START_TEST(test_frame_round_trip)
{
	struct frame_out o;
	frame_out_begin(&o);
	frame_put_list(&o, 5);
	frame_put_int(&o, 9223372036854775807L);
	frame_put_int(&o, -9223372036854775807L - 1);
	frame_put_str(&o, "");
	frame_put_list(&o, 0);
	frame_put_list(&o, 1);
	frame_put_list(&o, 1);
	frame_put_str(&o, "x");
	long len = frame_out_end(&o);
	ck_assert_int_gt(len, 0);
	char err[96], text[200];
	ck_assert_msg(frame_format(o.buf + 4, (size_t)len - 4, text,
				   sizeof(text), err, sizeof(err)), "%s", err);
	ck_assert_str_eq(text, "[9223372036854775807, -9223372036854775808, "
			 "\"\", [], [[\"x\"]]]");
}
END_TEST

/* What does not fit is refused whole, never cut. */
START_TEST(test_frame_too_big)
{
	struct frame_out o;
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	frame_out_begin(&o);
	frame_put_str(&o, big); /* more than FRAME_STR */
	ck_assert_int_eq(frame_out_end(&o), -1);
	frame_out_begin(&o);
	frame_put_list(&o, 100);
	for (int i = 0; i < 100; i++)
		frame_put_int(&o, i); /* 903 bytes */
	ck_assert_int_eq(frame_out_end(&o), -1);
	frame_out_begin(&o);
	ck_assert_int_eq(frame_out_end(&o), -1); /* no value at all */
	frame_out_begin(&o);
	frame_put_list(&o, 70000);
	ck_assert_int_eq(frame_out_end(&o), -1);
}
END_TEST

/* A payload that must be refused, and the words that say why. */
static void tbad_payload(const void *p, size_t len, const char *says)
{
	char text[600], err[96];
	ck_assert(!frame_format(p, len, text, sizeof(text), err, sizeof(err)));
	ck_assert_msg(strstr(err, says), "'%s' does not say '%s'", err, says);
}

START_TEST(test_frame_malformed)
{
	char err[96];
	static const uint8_t zero[4] = { 0, 0, 0, 0 };
	static const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
	static const uint8_t over[4] = { 0, 0, 1, 253 }; /* 509 */
	ck_assert_int_eq(frame_length(zero, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "frame length 0 out of range (1 to 508)"),
		      "%s", err);
	ck_assert_int_eq(frame_length(huge, err, sizeof(err)), -1);
	ck_assert(strstr(err, "frame length 4294967295 out of range"));
	ck_assert_int_eq(frame_length(over, err, sizeof(err)), -1);
	tbad_payload("", 0, "byte 0: expected a value, the frame ended");
	tbad_payload("x", 1, "byte 0: unknown type tag 0x78");
	tbad_payload("i\0\0", 3, "byte 0: an int cut short");
	tbad_payload("s\5abc", 5, "byte 0: a string of 5 bytes cut short");
	tbad_payload("s\3a\0c", 5, "a string of 3 bytes holds a NUL");
	tbad_payload("l\0\3i\0\0\0\0\0\0\0\1", 12,
		     "byte 12: expected a value, the frame ended");
	tbad_payload("l\0", 2, "byte 0: a list cut short");
	tbad_payload("s\0s\0", 4, "byte 2: 2 bytes left over");
	uint8_t deep[3 * 10];
	for (int i = 0; i < 10; i++)
		memcpy(deep + 3 * i, "l\0\1", 3);
	tbad_payload(deep, sizeof(deep), "lists nested deeper than 8");
	/* the wrong type, and a string longer than the buffer */
	struct frame_in in;
	long v;
	char s[4];
	frame_in_begin(&in, "s\3abc", 5);
	ck_assert(!frame_get_int(&in, &v));
	ck_assert_str_eq(in.err, "byte 0: expected an int, found a string");
	ck_assert(!frame_get_str(&in, s, sizeof(s))); /* the first error sticks */
	ck_assert_str_eq(in.err, "byte 0: expected an int, found a string");
	frame_in_begin(&in, "s\4abcd", 6);
	ck_assert(!frame_get_str(&in, s, sizeof(s)));
	ck_assert_str_eq(in.err, "byte 0: a string of 4 bytes, longer than 3");
	frame_in_begin(&in, "s\3abc", 5);
	ck_assert(frame_get_str(&in, s, sizeof(s)) && !strcmp(s, "abc"));
	ck_assert(frame_in_end(&in));
}
END_TEST

/*
 * Fuzz: random bytes, every truncation of valid frames, and valid
 * frames with one byte changed.  Each is refused with a sentence or read
 * whole; none crashes or reads past its end (ASan watches in check-asan).
 * The payload lives in a buffer of exactly its size, on the heap.
 */
static int tfuzz_one(const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, p, len);
	char text[2048], err[96];
	bool ok = frame_format(copy, len, text, sizeof(text), err,
			       sizeof(err));
	ck_assert(ok ? err[0] == '\0' : strncmp(err, "byte ", 5) == 0);
	/* and through the typed gets, as a server would read a request */
	struct frame_in in;
	long n, v;
	char s[16];
	frame_in_begin(&in, copy, len);
	if (frame_get_list(&in, &n))
		for (long i = 0; i < n && i < 8; i++)
			if (!frame_get_int(&in, &v))
				frame_get_str(&in, s, sizeof(s));
	frame_in_end(&in);
	free(copy);
	return ok;
}

START_TEST(test_frame_fuzz)
{
	unsigned seed = 12345;
	int good = 0, runs = tslow() ? 3000 : 20000;
	uint8_t p[FRAME_MAX];
	for (int r = 0; r < runs; r++) {
		size_t len = (size_t)rand_r(&seed) % 64;
		/* mostly tags and small numbers, so that some are valid */
		for (size_t i = 0; i < len; i++) {
			int k = rand_r(&seed) % 8;
			p[i] = k < 3 ? (uint8_t)"isl"[k]
			     : k < 6 ? (uint8_t)(rand_r(&seed) % 4)
				     : (uint8_t)rand_r(&seed);
		}
		good += tfuzz_one(p, len);
	}
	ck_assert_int_gt(good, 0);
	/* every truncation and every one-byte change of a real request */
	struct frame_out o;
	frame_out_begin(&o);
	frame_put_list(&o, 4);
	frame_put_str(&o, "append");
	frame_put_int(&o, 2);
	frame_put_list(&o, 2);
	frame_put_str(&o, "count");
	frame_put_int(&o, 2000001);
	size_t len = (size_t)frame_out_end(&o) - 4;
	for (size_t cut = 0; cut < len; cut++)
		ck_assert(!tfuzz_one(o.buf + 4, cut));
	for (size_t i = 0; i < len; i++)
		for (int b = 0; b < 256; b += tslow() ? 17 : 1) {
			uint8_t save = o.buf[4 + i];
			o.buf[4 + i] = (uint8_t)b;
			tfuzz_one(o.buf + 4, len);
			o.buf[4 + i] = save;
		}
}
END_TEST

/* --- frames through a pipe: a lesson of the tests' own --- */

static struct pipe *tp;
static struct var *tp_got[4], *tp_said;

/* P2: a good frame, a header that announces 0 bytes, then a header with
 * only 2 bytes of its 9, and end of file inside it. */
static void tp_writer(long unused)
{
	(void)unused;
	struct frame_out o;
	frame_out_begin(&o);
	frame_put_str(&o, "hi");
	frame_send(tp, &o);
	pipe_write(tp, "\0\0\0\0", 4);
	pipe_write(tp, "\0\0\0\x09s\x07", 6);
}

/* P3: four frames, or what is left of them; says whether each error
 * was the one expected. */
static void tp_reader(long unused)
{
	(void)unused;
	static const char *const want[4] = {
		"", "frame length 0 out of range (1 to 508)",
		"byte 0: the pipe ended 2 bytes into a payload of 9", "",
	};
	struct frame_in in;
	bool all = true;
	pipe_close_write(tp);
	for (int i = 0; i < 4; i++) {
		var_store(tp_got[i], frame_recv(tp, &in));
		all = all && strcmp(in.err, want[i]) == 0;
	}
	var_store(tp_said, all);
}

static void tp_parent(long unused)
{
	(void)unused;
	int w = proc_fork("writer", tp_writer, 0);
	int r = proc_fork("reader", tp_reader, 0);
	pipe_close_read(tp);
	pipe_close_write(tp);
	proc_join(w);
	proc_join(r);
}

static void tp_setup(void)
{
	static const char *const names[4] = { "r0", "r1", "r2", "r3" };
	tp = pipe_new("f", 256);
	for (int i = 0; i < 4; i++)
		tp_got[i] = var_new(names[i], 99);
	tp_said = var_new("said", 0);
	process_new("main", tp_parent, 0);
}

static bool tp_report(void)
{
	static const char *const names[4] = { "r0", "r1", "r2", "r3" };
	for (int i = 0; i < 4; i++)
		lesson_figure(names[i], var_value(tp_got[i]));
	return var_value(tp_said) == 1;
}

static const struct lesson_variant tp_variants[] = {
	{ "only", "a good frame, then bad ones", NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson tp_lesson = {
	.name = "framepipe",
	.summary = "frames through a pipe, good and bad",
	.variants = tp_variants,
	.setup = tp_setup,
	.report = tp_report,
	.source = "",
	.processes = true,
};

/* Through a real pipe, in both modes: the good frame read whole, the
 * bad ones refused with their sentence, then end of file. */
START_TEST(test_frame_pipe)
{
	struct run_result res;
	ck_assert_int_eq(trun(&tp_lesson, _i ? "--mode=free" : "--seed=3",
			      &res, NULL), RUN_DONE);
	ck_assert_int_eq(run_figure(&res, "r0"), 4);  /* "hi": 4 bytes */
	ck_assert_int_eq(run_figure(&res, "r1"), -1); /* length 0 */
	ck_assert_int_eq(run_figure(&res, "r2"), -1); /* cut short */
	ck_assert_int_eq(run_figure(&res, "r3"), 0);  /* end of file */
	ck_assert_msg(res.invariant, "an error was not the one expected");
}
END_TEST

/* --- the lesson --- */

/* append, add and shared: every update lands, over many seeds, client
 * counts and policies. */
START_TEST(test_correct_hold)
{
	static const char *const variants[] = { "append", "add", "shared" };
	struct run_result res;
	for (int seed = 0, runs = tslow() ? 8 : 30; seed < runs; seed++) {
		char args[160];
		int c = 1 + seed % 3, n = 1 + seed % 4;
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--clients=%d --iterations=%d%s", variants[_i], seed,
			 c, n, seed % 2 ? " --policy=rr --quantum=2" : "");
		ck_assert_int_eq(trun(&manager_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(run_figure(&res, "printed"), c * n);
		ck_assert_int_eq(run_figure(&res, "expected"), c * n);
		if (_i == 0)
			ck_assert_int_eq(run_figure(&res, "listed"), c * n);
		/* a request per update, and P1's own */
		long want = _i == 2 ? 0 : c * n + 1;
		ck_assert_int_eq(run_figure(&res, "requests"), want);
	}
}
END_TEST

/* get-set loses increments (under its documented --policy=rr too),
 * never with one client; every loss is narrated, by the server, and no
 * narration comes without one. */
/* Updates the lesson's notes say are lost (lesson_note_lost), net. */
static long tnoted_lost(const struct tlog *log)
{
	long n = 0;
	for (size_t i = 0; i < log->n; i++)
		if (log->ev[i].op == OP_NOTE)
			n += log->ev[i].lost;
	return n;
}

START_TEST(test_get_set)
{
	int broke = 0, held = 0;
	for (int seed = 0, runs = tslow() ? 8 : 30; seed < runs; seed++) {
		char args[96];
		int c = 1 + seed % 3, n = 1 + seed % 4;
		snprintf(args, sizeof(args), "--variant=get-set --seed=%d "
			 "--clients=%d --iterations=%d", seed, c, n);
		struct run_result res;
		struct tlog log = { 0 };
		ck_assert_int_eq(trun(&manager_lesson, args, &res, &log),
				 RUN_DONE);
		long lost = run_figure(&res, "lost");
		ck_assert_int_eq(lost, c * n - run_figure(&res, "printed"));
		ck_assert(res.invariant == (lost == 0));
		ck_assert(c > 1 || lost == 0);
		bool said = strstr(log.text, " sets count as asked") &&
			    strstr(log.text, "increment(s) lost");
		ck_assert_msg(said == (lost > 0), "%s: lost=%ld", args, lost);
		/* the notes count what is lost: expected minus the count */
		ck_assert_int_eq(tnoted_lost(&log), lost);
		broke += lost > 0;
		held += lost == 0;
		tlog_free(&log);
	}
	ck_assert_int_gt(broke, 0);
	ck_assert_int_gt(held, 0);
	char *out, *err;
	ck_assert_int_eq(texec("manager", "--variant=get-set --policy=rr "
			       "--quiet", &out, &err), 0);
	ck_assert_msg(strstr(out, "invariant=broken"), "%s", out);
	free(out);
	free(err);
}
END_TEST

/* One update through the manager is four steps of pipe traffic: the
 * request (one write), its two reads, the reply (one write), its two
 * reads: two context switches, client to server and back. */
START_TEST(test_round_trip_steps)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&manager_lesson, "--variant=add --clients=1 --iterations=1",
	     &res, &log);
	/* the client's add and P1's get: two round trips */
	ck_assert_int_eq(tlog_count(&log, OP_PIPE_WRITE, 0), 4);
	ck_assert_int_eq(tlog_count(&log, OP_PIPE_READ, 0), 4 * 2 + 1);
	ck_assert(strstr(log.text, "P3 server      store      serving = 2"));
	ck_assert(strstr(log.text, "P3 server      atomic-add count = 1"));
	tlog_free(&log);
}
END_TEST

START_TEST(test_step_deterministic)
{
	static const char *const runs[] = {
		"--plain --seed=7 --variant=get-set --clients=3",
		"--plain --seed=2 --variant=append --iterations=2",
	};
	tsame_output("manager", runs[_i], tslow() ? 3 : 10);
}
END_TEST

/* Free mode: real processes, at scale. */
START_TEST(test_free_scale)
{
	static const char *const variants[] = { "append", "add", "shared" };
	long n = tslow() ? 300 : 5000;
	char args[128];
	snprintf(args, sizeof(args), "--mode=free --variant=%s --clients=4 "
		 "--iterations=%ld", variants[_i], n);
	struct run_result res;
	ck_assert_int_eq(trun(&manager_lesson, args, &res, NULL), RUN_DONE);
	ck_assert_msg(res.invariant, "%s", args);
	ck_assert_int_eq(run_figure(&res, "printed"), 4 * n);
}
END_TEST

/* Free mode get-set: real clients lose real increments. */
START_TEST(test_free_get_set_loses)
{
	struct run_result res;
	bool broken = false;
	for (int i = 0; i < 5 && !broken; i++) {
		struct tlog log = { 0 };
		ck_assert_int_eq(trun(&manager_lesson, tslow()
				      ? "--mode=free --variant=get-set "
					"--iterations=300"
				      : "--mode=free --variant=get-set "
					"--iterations=3000", &res, &log),
				 RUN_DONE);
		/* the recorded part narrates, and counts, losses too: the
		 * viewer's "lost updates seen" is their sum, not 0 */
		long noted = tnoted_lost(&log);
		broken = !res.invariant && run_figure(&res, "lost") > 0 &&
			 noted > 0;
		tlog_free(&log);
	}
	ck_assert(broken);
}
END_TEST

/* Every schedule without a preemption: get-set breaks among the first
 * ten (the requests queue up before the server runs), add never. */
START_TEST(test_explore)
{
	static const char *const runs[] = {
		"--explore --variant=get-set --iterations=1 --bound=0 "
		"--explore-limit=10 --quiet",
		"--explore --variant=add --iterations=1 --bound=0 --quiet",
	};
	char *out = texplore_says("manager", runs[_i],
				  _i ? "executions=42 outcomes=1"
				     : "invariant=can-break",
				  _i ? "invariant=can-break" : NULL);
	ck_assert_msg(_i || strstr(out, "executions=10 "), "%s", out);
	free(out);
}
END_TEST

static const char *const bad[] = {
	"--clients=0", "--clients=9", "--iterations=0",
	"--iterations=100001", "--variant=lock", "--clients=two",
};

START_TEST(test_bad_input)
{
	tbad_input("manager", bad[_i]);
}
END_TEST

/* The real viewer on 80 x 24: the server's tables and the request in
 * its pipe, then the lost update narrated; a step back (a re-run from
 * the start) and quitting mid-run leave no process behind. */
START_TEST(test_view)
{
	struct tmux t = { "" };
	char tag[64];
	snprintf(tag, sizeof(tag), "INTERLEAVE_LEAK_TAG=manager-view-%d",
		 getpid());
	tmux_start_env(&t, 80, 24, tag, "manager", "--variant=get-set "
		       "--policy=rr");
	SEE(&t, "requests: 0/4096B r:");	/* four pipes, a row each */
	SEE(&t, "to_P1: 0/4096B");
	tmux_keys(&t, "n n n n");
	SEE(&t, "paused step 4");
	SEE(&t, "74/4096");		/* two requests wait in the pipe */
	tmux_keys(&t, "n n n n n");
	/* the four copies on one row: none wraps from its P */
	SEE(&t, "serving own: P1 0, P2 0, P3 0, P4 2");
	tmux_keys(&t, "!");		/* on to the next narration */
	SEE(&t, "P2 has its first reply, 20 bytes from P4");
	tmux_keys(&t, "!");
	SEE(&t, "P3 has its first reply");
	tmux_keys(&t, "!");
	SEE(&t, "increment(s) lost");
	SEE(&t, "paused step 3");
	char *screen = tmux_screen(&t), back[32];
	const char *at = strstr(screen, "paused step ");
	ck_assert(at);
	snprintf(back, sizeof(back), "paused step %d ",
		 atoi(at + strlen("paused step ")) - 1);
	free(screen);
	tmux_keys(&t, "b");
	SEE(&t, back);
	ck_assert_int_ge(ttagged(tag), 4); /* the lesson and P1, P2, P3, P4 */
	tmux_keys(&t, "q");
	SEE(&t, "EXIT=0");
	ck_assert_msg(ttagged_wait(tag, 0, false, 1000) == 0,
		      "processes left after quitting the viewer");
	tmux_stop(&t);
}
END_TEST

/* However a run ends, not one process of it is left. */
START_TEST(test_no_leaks)
{
	static const struct tend ends[] = {
		{ { "manager", "--quiet", NULL }, 0, 0 },
		{ { "manager", "--quiet", "--mode=free", "--iterations=100",
		    NULL }, 0, 0 },
		{ { "manager", "--quiet", "--max-steps=9", NULL }, 0, 0 },
		{ { "manager", "--quiet", "--variant=get-set", "--mode=free",
		    "--iterations=100000", "--clients=8", NULL }, SIGTERM, 10 },
		{ { "manager", "--quiet", "--variant=add", "--mode=free",
		    "--iterations=100000", NULL }, SIGINT, 6 },
	};
	tno_leak(&ends[_i], _i, 0);
}
END_TEST

Suite *manager_suite(void)
{
	Suite *s = suite_create("manager");
	TCase *tc = tcase_create("frame");
	tcase_add_test(tc, test_frame_bytes);
	tcase_add_test(tc, test_frame_round_trip);
	tcase_add_test(tc, test_frame_too_big);
	tcase_add_test(tc, test_frame_malformed);
	tcase_add_test(tc, test_frame_fuzz);
	tcase_add_loop_test(tc, test_frame_pipe, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("manager");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, NULL, tmux_teardown);
	tcase_add_loop_test(tc, test_correct_hold, 0, 3);
	tcase_add_test(tc, test_get_set);
	tcase_add_test(tc, test_round_trip_steps);
	tcase_add_loop_test(tc, test_step_deterministic, 0, 2);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_loop_test(tc, test_explore, 0, 2);
	tcase_add_test(tc, test_view);
	tcase_add_loop_test(tc, test_no_leaks, 0, 5);
	suite_add_tcase(s, tc);
	tc = tcase_create("manager-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 180);
	tcase_add_loop_test(tc, test_free_scale, 0, 3);
	tcase_add_test(tc, test_free_get_set_loses);
	suite_add_tcase(s, tc);
	return s;
}
