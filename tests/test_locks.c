/*
 * test_locks.c: the locks lesson: plain and recursive locks, refused
 * releases, and the messy printing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* recursive and tidy hold over hundreds of seeds. */
START_TEST(test_correct_hold)
{
	static const char *const variants[] = { "recursive", "tidy" };
	struct run_result res;
	for (int seed = 0; seed < 300; seed++) {
		char args[128];
		/* recursive: tellers' rounds; tidy: printers' letters */
		snprintf(args, sizeof(args), "--variant=%s --seed=%d "
			 "--threads=%d --%s=%d", variants[_i], seed,
			 1 + seed % 4, _i ? "letters" : "rounds",
			 _i ? 1 + seed % 26 : 1 + seed % 6);
		ck_assert_int_eq(trun(&locks_lesson, args, &res, NULL),
				 RUN_DONE);
		ck_assert_msg(res.invariant, "%s broke", args);
		ck_assert_int_eq(res.misuses, 0);
	}
}
END_TEST

/*
 * A recursive lock's depth climbs to 2 in check_balance() and falls back;
 * only the last release frees it.
 */
START_TEST(test_recursive_depth)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&locks_lesson, "--variant=recursive --threads=1 --rounds=1",
	     &res, &log);
	long depths[8];
	int n = 0;
	for (size_t i = 0; i < log.n && n < 8; i++)
		if (log.ev[i].op == OP_LOCK || log.ev[i].op == OP_UNLOCK)
			depths[n++] = log.ev[i].a;
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(depths[0], 1);
	ck_assert_int_eq(depths[1], 2);
	ck_assert_int_eq(depths[2], 1);
	ck_assert_int_eq(depths[3], 0);
	ck_assert_ptr_nonnull(strstr(log.text, "lock       lock (depth 2)"));
	ck_assert_ptr_nonnull(strstr(log.text, "unlock     lock (depth 1)"));
	tlog_free(&log);
}
END_TEST

/* A plain lock taken again by its holder: a deadlock naming one thread. */
START_TEST(test_plain_self_deadlock)
{
	struct run_result res;
	for (int seed = 0; seed < 50; seed++) {
		char args[64];
		snprintf(args, sizeof(args), "--seed=%d --threads=%d", seed,
			 1 + seed % 3);
		ck_assert_int_eq(trun(&locks_lesson, args, &res, NULL),
				 RUN_DEADLOCK);
		ck_assert(!res.invariant);
	}
	char *out, *err;
	ck_assert_int_eq(texec("locks", "--plain --threads=1", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "! deadlock: T1 holds lock and "
				     "waits for it: it waits for itself\n"));
	free(out);
	free(err);
	ck_assert_int_eq(texec("locks", "--plain --schedule=2", &out, &err),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "! deadlock: T2 holds lock and "
				     "waits for it: it waits for itself; T1 "
				     "waits for mutex lock, held by T2\n"));
	free(out);
	free(err);
}
END_TEST

/*
 * Releases that are refused: one too many, every time; the auditor's of
 * the teller's lock.  Each is flagged and narrated, counted in refused=
 * and misuses=, and harms nobody: the balance is still right.
 */
START_TEST(test_refused)
{
	static const struct {
		const char *args;
		long refused;
		const char *says;
	} cases[] = {
		{ "--variant=extra-unlock --threads=1", 3,
		  "! T1 unlocked mutex lock, which nobody holds: refused "
		  "with EPERM" },
		{ "--variant=not-owner --schedule=1,2", 1,
		  "! T2 unlocked mutex lock, but T1 holds it: refused with "
		  "EPERM" },
	};
	struct run_result res;
	struct tlog log = { 0 };
	trun(&locks_lesson, cases[_i].args, &res, &log);
	ck_assert(!res.invariant);
	ck_assert_int_eq(run_figure(&res, "refused"), cases[_i].refused);
	ck_assert_int_eq(res.misuses, cases[_i].refused);
	ck_assert_int_eq(tlog_count(&log, OP_UNLOCK, EV_MISUSE),
			 cases[_i].refused);
	ck_assert_ptr_nonnull(strstr(log.text, "unlock     lock: refused "
				     "(EPERM)"));
	ck_assert_ptr_nonnull(strstr(log.text, cases[_i].says));
	ck_assert_int_eq(run_figure(&res, "balance"),
			 run_figure(&res, "expected"));
	tlog_free(&log);
}
END_TEST

/*
 * messy under round robin: "aabbcc...", a switch after every letter;
 * each letter printed is said, in order.
 */
START_TEST(test_messy_rr)
{
	struct run_result res;
	struct tlog log = { 0 };
	trun(&locks_lesson, "--variant=messy --policy=rr", &res, &log);
	ck_assert_int_eq(run_figure(&res, "letters"), 52);
	ck_assert_int_eq(run_figure(&res, "switches"), 51);
	char text[64] = "";
	size_t k = 0;
	for (const char *p = log.text; (p = strstr(p, " prints ")); p += 8)
		if (k < sizeof(text) - 1)
			text[k++] = p[8];
	ck_assert_str_eq(text, "aabbccddeeffgghhiijjkkllmmnnooppqqrrssttuuvv"
			       "wwxxyyzz");
	tlog_free(&log);
	/* random seeds interleave too, most of the time */
	int broken = 0;
	for (int seed = 0; seed < 50; seed++) {
		char args[64];
		snprintf(args, sizeof(args), "--variant=messy --seed=%d", seed);
		trun(&locks_lesson, args, &res, NULL);
		broken += !res.invariant;
	}
	ck_assert_int_gt(broken, 45);
}
END_TEST

/* Same arguments, same log, byte for byte. */
START_TEST(test_deterministic)
{
	tsame_output("locks", "--plain --variant=extra-unlock --seed=7 --threads=3", 2);
}
END_TEST

/* Free mode: the correct variants on real threads. */
START_TEST(test_free_correct)
{
	struct run_result res;
	const char *args = _i == 0 ? "--mode=free --variant=recursive "
				     "--rounds=20000"
				   : "--mode=free --variant=tidy";
	ck_assert_int_eq(trun(&locks_lesson, args, &res, NULL), RUN_DONE);
	ck_assert(res.invariant);
}
END_TEST

/* Free mode: the self-deadlock is caught by the watch; releases refused. */
START_TEST(test_free_broken)
{
	struct run_result res;
	ck_assert_int_eq(trun(&locks_lesson, "--mode=free --variant=plain",
			      &res, NULL), RUN_DEADLOCK);
	ck_assert(!res.invariant);
	trun(&locks_lesson, "--mode=free --variant=extra-unlock --rounds=2000",
	     &res, NULL);
	ck_assert_int_eq(run_figure(&res, "refused"), 4000);
	ck_assert_int_eq(res.misuses, 4000);
	trun(&locks_lesson, "--mode=free --variant=not-owner --rounds=2000",
	     &res, NULL);
	ck_assert_int_eq(run_figure(&res, "refused"), 1);
}
END_TEST

static const char *const bad[] = {
	"--letters=0", "--letters=27", "--threads=0", "--threads=9",
	"--rounds=0", "--variant=rlock",
};

START_TEST(test_bad_input)
{
	tbad_input("locks", bad[_i]);
}
END_TEST

Suite *locks_suite(void)
{
	Suite *s = suite_create("locks");
	TCase *tc = tcase_create("locks");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_correct_hold, 0, 2);
	tcase_add_test(tc, test_recursive_depth);
	tcase_add_test(tc, test_plain_self_deadlock);
	tcase_add_loop_test(tc, test_refused, 0, 2);
	tcase_add_test(tc, test_messy_rr);
	tcase_add_test(tc, test_deterministic);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("locks-free");
	tcase_set_tags(tc, "scale");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_free_correct, 0, 2);
	tcase_add_test(tc, test_free_broken);
	suite_add_tcase(s, tc);
	return s;
}
