/*
 * test_cli.c: the command line: every bad input is one clear line on
 * stderr, exit 2, and no output; good ones run and print the summary.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "testutil.h"

struct bad {
	const char *args;
	const char *says; /* the message must contain this */
};

static const struct bad bad_inputs[] = {
	{ "--threads=0", "--threads: expected a whole number from 1 to 64" },
	{ "--threads=65", "--threads: expected a whole number from 1 to 64" },
	{ "--threads=-1", "got '-1'" },
	{ "--threads=abc", "got 'abc'" },
	{ "--threads=", "--threads: expected a whole number" },
	{ "--threads=2x", "got '2x'" },
	{ "--threads=99999999999999999999", "--threads" },
	{ "--iterations=0", "--iterations: expected a whole number from 1" },
	{ "--variant=nope", "unknown variant 'nope'; the variants are unsafe, mutex, atomic" },
	{ "--mode=fast", "--mode: expected step|free, got 'fast'" },
	{ "--policy=fifo", "--policy: expected random|rr|manual" },
	{ "--seed=-1", "--seed: expected a whole number from 0" },
	{ "--seed=abc", "--seed: expected" },
	{ "--policy=rr --quantum=0", "--quantum: expected a whole number from 1" },
	{ "--quantum=3", "--quantum applies only to --policy=rr" },
	{ "--schedule=1,x", "--schedule: position 2" },
	{ "--schedule=", "--schedule: position 1" },
	{ "--schedule=1,,2", "--schedule: position 2" },
	{ "--schedule=1,3", "position 2 names thread 3, but the threads are 1 to 2" },
	{ "--schedule=0", "--schedule: position 1" },
	{ "--iterations=1 --schedule=1,1,1", "position 3 names thread 1, which has finished" },
	{ "--variant=mutex --schedule=1,2", "position 2 names thread 2, which waits for mutex lock, held by T1" },
	{ "--mode=free --seed=3", "--seed applies only to --mode=step" },
	{ "--mode=free --schedule=1", "--schedule applies only to --mode=step" },
	{ "--mode=free --policy=rr", "--policy applies only to --mode=step" },
	{ "--max-steps=0", "--max-steps: expected a whole number from 1" },
	{ "--plain --quiet", "choose one of --view, --plain, --quiet" },
	{ "--view", "--view needs a terminal" },
	{ "--frobnicate", "--frobnicate: unknown option" },
	{ "--seed", "--seed needs a value, as in --seed=VALUE" },
	{ "extra", "unexpected argument 'extra'" },
	/* what really happened, not "needs a value" */
	{ "-h", "-h: unknown option; the options are long ones, such as --help" },
	{ "-x", "-x: unknown option" },
	{ "-v", "-v: unknown option" },
	{ "--plain=1", "--plain takes no value, got '--plain=1'" },
	{ "--help=yes", "--help takes no value" },
	{ "--quiet=", "--quiet takes no value" },
	{ "--version=", "--version takes no value" },
	{ "--p", "--p is ambiguous: it could be --policy, --plain" },
	/* one rule for numbers: digits, and '-' where negatives are allowed */
	{ "--threads=+2", "--threads: expected a whole number from 1 to 64, got '+2'" },
	{ "--seed=+5", "--seed: expected a whole number from 0" },
	{ "--max-steps=0x10", "--max-steps: expected a whole number" },
	{ "--initial=--5", "--initial: expected a whole number from -1000000000" },
	{ "--initial=1e3", "got '1e3'" },
	{ "--schedule=1,+2", "--schedule: position 2: expected a thread number" },
	/* each option once */
	{ "--threads=3 --threads=2", "--threads is given twice; give each option once" },
	{ "--plain --plain", "--plain is given twice" },
	{ "--variant=mutex --variant=atomic", "--variant is given twice" },
	/* every position of a schedule is checked, past the run's end too */
	{ "--iterations=1 --schedule=1,2,1,2,1",
	  "position 5 comes after the end of the run: every thread has finished after step 4" },
	{ "--iterations=1 --schedule=1,2,1,2,9",
	  "position 5 names thread 9, but the threads are 1 to 2" },
	{ "--max-steps=1 --schedule=1,9", "position 2 names thread 9" },
	{ "--max-steps=1 --schedule=1,2",
	  "position 2 comes after the end of the run: --max-steps stops it after step 1" },
	/* N*K: thread N, K times; positions count the steps */
	{ "--schedule=1*0", "--schedule: position 1: expected a thread number" },
	{ "--schedule=1*", "--schedule: position 1: expected a thread number" },
	{ "--schedule=*2", "--schedule: position 1: expected a thread number" },
	{ "--schedule=1*2*3", "got '1*2*3'" },
	{ "--schedule=1*3,x", "--schedule: position 4: expected a thread number" },
	{ "--schedule=1*100001", "--schedule: position 1: expected a thread number" },
	{ "--schedule=1*99999,2*2", "--schedule: more than 100000 positions" },
	{ "--iterations=1 --schedule=1*2,2*3",
	  "position 5 comes after the end of the run: every thread has finished after step 4" },
	{ "--iterations=1 --schedule=1*3", "position 3 names thread 1, which has finished" },
};

/* Bad values with spaces in them, which a shell passes whole. */
static const struct {
	const char *arg, *says;
} bad_spaced[] = {
	{ "--threads= 2", "--threads: expected a whole number from 1 to 64, got ' 2'" },
	{ "--threads=2 ", "got '2 '" },
	{ "--seed= 5", "--seed: expected a whole number from 0" },
	{ "--schedule=1, 2", "--schedule: position 2: expected a thread number" },
	{ "--iterations=\t3", "--iterations: expected a whole number" },
};

START_TEST(test_bad_spaced)
{
	const char *argv[] = { bad_spaced[_i].arg, NULL };
	char *out, *err;
	int rc = texecv("race", argv, &out, &err);
	trefused("race", argv[0], rc, out, err, bad_spaced[_i].says);
}
END_TEST

/* A number given its own way is refused; the same number plainly is not. */
START_TEST(test_numbers_accepted)
{
	static const char *const good[] = {
		"--threads=2", "--initial=-5", "--initial=-0", "--seed=0",
		"--seed=18446744073709551615", "--threads=002",
	};
	const char *argv[] = { good[_i], "--quiet", NULL };
	char *out, *err;
	ck_assert_msg(texecv("race", argv, &out, &err) == 0, "%s: %s",
		      good[_i], err);
	free(out);
	free(err);
}
END_TEST

/* A write that fails is a failure: exit 1 and say so, for every output. */
START_TEST(test_write_error)
{
	static const char *const args[] = {
		"race --plain", "race --quiet", "race --help", "race --version",
		"race --list-variants", "race --mode=free --quiet --iterations=1000",
		"prodcons --quiet", "barrier --quiet", "bandwidth --quiet",
	};
	const char *dir = getenv("INTERLEAVE_BIN");
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s/%s >/dev/full 2>/dev/null",
		 dir ? dir : "build/bin", args[_i]);
	int st = system(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1,
		      "%s >/dev/full: status %d", args[_i], st);
	snprintf(cmd, sizeof(cmd), "%s/%s 2>&1 >/dev/full | grep -q "
		 "'cannot write standard output: No space left on device'",
		 dir ? dir : "build/bin", args[_i]);
	ck_assert_msg(system(cmd) == 0, "%s: no message", args[_i]);
}
END_TEST

/* A run cut short has no verdict on its invariant, broken or held. */
START_TEST(test_unfinished)
{
	char *out, *err;
	ck_assert_int_eq(texec("race", "--variant=atomic --max-steps=3 --quiet",
			       &out, &err), 0);
	ck_assert_str_eq(out, "summary: lesson=race variant=atomic mode=step "
			      "seed=1 steps=3 invariant=unfinished balance=99 "
			      "expected=100 lost_updates=0 stopped=max-steps\n");
	free(out);
	free(err);
}
END_TEST

START_TEST(test_bad_input)
{
	const struct bad *b = &bad_inputs[_i];
	char *out, *err;
	int rc = texec("race", b->args, &out, &err);
	trefused("race", b->args, rc, out, err, b->says);
}
END_TEST

START_TEST(test_help_version_list)
{
	char *out, *err;
	ck_assert_int_eq(texec("race", "--help", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "Usage: race [OPTION]..."));
	ck_assert_ptr_nonnull(strstr(out, "--iterations=N"));
	ck_assert_ptr_nonnull(strstr(out, "--schedule=LIST"));
	free(out);
	free(err);
	ck_assert_int_eq(texec("race", "--version", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "race (interleave) "));
	free(out);
	free(err);
	ck_assert_int_eq(texec("race", "--list-variants", &out, &err), 0);
	ck_assert_str_eq(strtok(out, "\t"), "unsafe");
	free(out);
	free(err);
}
END_TEST

/* The contract's example: both read 100, thread 2's store wins. */
START_TEST(test_schedule_example)
{
	char *out, *err;
	int rc = texec("race", "--iterations=1 --schedule=1,2,1,2 --quiet",
		       &out, &err);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(out, "summary: lesson=race variant=unsafe mode=step "
			      "seed=1 steps=4 invariant=broken balance=99 "
			      "expected=100 lost_updates=1\n");
	free(out);
	free(err);
}
END_TEST

/* --plain: one event per line, the summary last, lost update named. */
START_TEST(test_plain_output)
{
	char *out, *err;
	ck_assert_int_eq(texec("race", "--iterations=1 --schedule=1,2,1,2 "
				       "--plain", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "T2 wrote 99 over T1's 101: T1's "
					  "deposit is lost"));
	char *last = strrchr(out, '\n');
	*last = '\0';
	last = strrchr(out, '\n');
	ck_assert_ptr_nonnull(last);
	ck_assert_int_eq(strncmp(last + 1, "summary: ", 9), 0);
	free(out);
	free(err);
}
END_TEST

/* Same arguments, same log, byte for byte, for every policy. */
START_TEST(test_deterministic)
{
	static const char *const args[] = {
		"--plain --seed=42 --iterations=20",
		"--plain --variant=mutex --policy=rr --quantum=3",
		"--plain --variant=atomic --threads=5 --seed=9",
		"--plain --schedule=2,2,1 --policy=rr",
	};
	char *out1, *err1, *out2, *err2;
	ck_assert_int_eq(texec("race", args[_i], &out1, &err1), 0);
	ck_assert_int_eq(texec("race", args[_i], &out2, &err2), 0);
	ck_assert_str_eq(out1, out2);
	ck_assert(strlen(out1) > 100);
	free(out1);
	free(err1);
	free(out2);
	free(err2);
}
END_TEST

START_TEST(test_seed_changes_log)
{
	char *a, *b, *e1, *e2;
	texec("race", "--plain --seed=1 --iterations=20", &a, &e1);
	texec("race", "--plain --seed=2 --iterations=20", &b, &e2);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	free(e1);
	free(e2);
}
END_TEST

START_TEST(test_parse_defaults)
{
	struct cli c;
	ck_assert_int_eq(tcli(&race_lesson, "", &c), CLI_RUN);
	ck_assert_int_eq(c.cfg.mode, RT_STEP);
	ck_assert_int_eq(c.cfg.policy, POLICY_RANDOM);
	ck_assert_int_eq(c.cfg.seed, 1);
	ck_assert_int_eq(c.cfg.opts[1], 5); /* iterations in step mode */
	cli_free(&c);
	ck_assert_int_eq(tcli(&race_lesson, "--mode=free", &c), CLI_RUN);
	ck_assert_int_eq(c.cfg.opts[1], 10000000);
	cli_free(&c);
	ck_assert_int_eq(tcli(&race_lesson, "--schedule=1,2,2 --seed=18446744073709551615",
			      &c), CLI_RUN);
	ck_assert_int_eq(c.cfg.nschedule, 3);
	ck_assert_int_eq(c.cfg.schedule[2], 2);
	ck_assert(c.cfg.seed == UINT64_MAX);
	cli_free(&c);
}
END_TEST

/* Manual policy without the viewer reads thread numbers from stdin. */
START_TEST(test_manual_stdin)
{
	const char *dir = getenv("INTERLEAVE_BIN");
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "printf '2\\n9\\n2\\n1\\n1\\n' | %s/race "
		 "--iterations=1 --policy=manual --quiet 2>/dev/null",
		 dir ? dir : "build/bin");
	FILE *p = popen(cmd, "r");
	char line[256] = "";
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_ptr_nonnull(strstr(line, "steps=4 invariant=held balance=100"));
	/* Input that ends before the run: status 1, an honest summary. */
	snprintf(cmd, sizeof(cmd), "printf '1\\n' | %s/race --policy=manual "
		 "--quiet 2>/dev/null", dir ? dir : "build/bin");
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(WEXITSTATUS(pclose(p)), 1);
	ck_assert_ptr_nonnull(strstr(line, "steps=1 invariant=unfinished"));
	ck_assert_ptr_nonnull(strstr(line, "stopped=end-of-input"));
	/* and says how far it got: the prompt for step 2 had no answer */
	char *out, *err;
	ck_assert_int_eq(texec_in("race", "--policy=manual --quiet", "1\n",
				  &out, &err), 1);
	ck_assert_msg(strstr(err, "race: --policy=manual: input ended after 1 "
			     "step, before the run did\n"), "%s", err);
	free(out);
	free(err);
}
END_TEST

/* cli_words: what it hands each(), joined as "name:value;" */
static bool tw_join(const char *name, const char *value, void *ctx)
{
	char *buf = ctx;
	size_t k = strlen(buf);
	snprintf(buf + k, 200 - k, "%s:%s;", name, value);
	return strcmp(name, "stop") != 0;
}

static const struct {
	const char *list;
	bool ok;
	const char *seen;
} word_lists[] = {
	{ "", true, "" },
	{ "--threads=2 --iterations=1", true, "threads:2;iterations:1;" },
	{ "  --a=x   --b=  ", true, "a:x;b:;" },
	{ "--a=1 b=2", false, "a:1;" },       /* no dashes */
	{ "--a=1 --b", false, "a:1;" },       /* no value */
	{ "--=1", false, "" },                /* no name */
	{ "-a=1", false, "" },
	{ "--schedule=1,2 --x=y=z", true, "schedule:1,2;x:y=z;" },
	{ "--stop=1 --after=2", false, "stop:1;" }, /* each() said stop */
};

START_TEST(test_words)
{
	char list[200], seen[200] = "";
	snprintf(list, sizeof(list), "%s", word_lists[_i].list);
	ck_assert_int_eq(cli_words(list, tw_join, seen), word_lists[_i].ok);
	ck_assert_str_eq(seen, word_lists[_i].seen);
}
END_TEST

/*
 * An option typed for a variant that does not read it: refused, exit 2,
 * the line naming where it applies.  One row per declared option (the
 * next test sees that none is missing).
 */
static const struct {
	const char *lesson, *args, *says;
} scoped[] = {
	{ "barrier", "--timeout=5", "--timeout applies only to --variant=timeout" },
	{ "deadlock", "--variant=philosophers --tellers=3",
	  "--tellers applies only to --variant=broken, ordered, trylock or "
	  "biglock" },
	{ "deadlock", "--variant=ordered --retries=2",
	  "--retries applies only to --variant=trylock" },
	{ "deadlock", "--philosophers=3", "--philosophers applies only to "
	  "--variant=philosophers or forks-ordered" },
	{ "event", "--variant=counter --readers=2",
	  "--readers applies only to --variant=stats or set-first" },
	{ "event", "--variant=counter --entries=2",
	  "--entries applies only to --variant=stats or set-first" },
	{ "event", "--rounds=2", "--rounds applies only to --variant=counter" },
	{ "event", "--variant=set-first --timeout=3",
	  "--timeout applies only to --variant=counter" },
	{ "timer", "--variant=heartbeat --delay=3",
	  "--delay applies only to --variant=timer or cancel" },
	{ "timer", "--variant=rearm-first --wait=1",
	  "--wait applies only to --variant=timer or cancel" },
	{ "timer", "--beats=3",
	  "--beats applies only to --variant=heartbeat or rearm-first" },
	{ "timer", "--variant=cancel --interval=2",
	  "--interval applies only to --variant=heartbeat or rearm-first" },
	{ "timer", "--rate=1",
	  "--rate applies only to --variant=heartbeat or rearm-first" },
	{ "locks", "--variant=tidy --rounds=2", "--rounds applies only to "
	  "--variant=plain, recursive, extra-unlock or not-owner" },
	{ "locks", "--letters=3",
	  "--letters applies only to --variant=messy or tidy" },
	{ "mpqueue", "--variant=nowait --timeout=3",
	  "--timeout applies only to --variant=timeout" },
	{ "sched", "--variant=run --workers=2",
	  "--workers applies only to --variant=workers or check-sleep" },
	{ "bandwidth", "--variant=mutex --permits=1",
	  "--permits applies only to --variant=none, semaphore or bounded" },
	{ "pipe", "--variant=full --capacity=64", "--capacity applies only "
	  "to --variant=sentinel, eof, forgot-close or two-way" },
	{ "pool", "--variant=map --timeout=5",
	  "--timeout applies only to --variant=notice" },
};
#define NSCOPED (int)(sizeof(scoped) / sizeof(scoped[0]))

START_TEST(test_scope_refused)
{
	char *out, *err;
	int rc = texec(scoped[_i].lesson, scoped[_i].args, &out, &err);
	trefused(scoped[_i].lesson, scoped[_i].args, rc, out, err,
		 scoped[_i].says);
}
END_TEST

/* Is name one of want's '|' alternatives? (Not quiz.c's: a second
 * reading, so that the test can fail.) */
static bool talt(const char *want, const char *name)
{
	char list[256], *save;
	snprintf(list, sizeof(list), "%s", want);
	for (char *w = strtok_r(list, "|", &save); w;
	     w = strtok_r(NULL, "|", &save))
		if (strcmp(w, name) == 0)
			return true;
	return false;
}

/* An option's value that its range or choices take. */
static void tvalue(const struct lesson_option *o, char *buf, size_t size)
{
	if (o->text)
		snprintf(buf, size, "%s", o->text_default);
	else if (o->choices)
		snprintf(buf, size, "%s", o->choices[0]);
	else
		snprintf(buf, size, "%ld", o->min);
}

/*
 * Every lesson, every option declared for some variants, every variant:
 * typed there it is taken exactly where its `when` says; the table above
 * has a row for it; and the command line cli_lesson_args() writes for
 * each variant's run leaves it out where it does not apply, and parses.
 */
static void tscope_lesson(const struct lesson *l)
{
	for (int i = 0; l->options && l->options[i].name; i++) {
		const struct lesson_option *o = &l->options[i];
		if (!o->when || strncmp(o->when, "--variant=", 10) != 0)
			continue;
		char says[128];
		snprintf(says, sizeof(says), "--%s applies only", o->name);
		bool row = false;
		for (int k = 0; k < NSCOPED; k++)
			row = row || (strcmp(scoped[k].lesson, l->name) == 0 &&
				      strstr(scoped[k].says, says));
		ck_assert_msg(row, "%s --%s: no row in scoped[]", l->name,
			      o->name);
		for (int v = 0; l->variants[v].name; v++) {
			char args[512], val[128];
			struct cli c;
			tvalue(o, val, sizeof(val));
			snprintf(args, sizeof(args), "--variant=%s --%s=%s",
				 l->variants[v].name, o->name, val);
			bool applies = talt(o->when + 10, l->variants[v].name);
			enum cli_result r = tcli(l, args, &c);
			ck_assert_msg(r == (applies ? CLI_RUN : CLI_USAGE),
				      "%s %s: %d", l->name, args, r);
			if (r == CLI_RUN)
				cli_free(&c);
			snprintf(args, sizeof(args), "--variant=%s",
				 l->variants[v].name);
			ck_assert_int_eq(tcli(l, args, &c), CLI_RUN);
			cli_lesson_args(&c.cfg, false, NULL, args, sizeof(args));
			snprintf(says, sizeof(says), "--%s=", o->name);
			ck_assert_msg(!strstr(args, says) == !applies, "%s: %s",
				      l->name, args);
			struct cli again;
			ck_assert_int_eq(tcli(l, args, &again), CLI_RUN);
			cli_free(&again);
			cli_free(&c);
		}
	}
}

START_TEST(test_scope_every_variant)
{
	/* the refusals' lines to /dev/null, then stderr back (CK_FORK=no
	 * under valgrind: the tests after this one still report) */
	fflush(stderr);
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	ck_assert(saved >= 0 && null >= 0 && dup2(null, 2) == 2);
	close(null);
	for (int n = 0; launcher_lessons[n]; n++)
		tscope_lesson(launcher_lessons[n]);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}
END_TEST

/* How a `when` reads in a refusal, --help and the man page. */
START_TEST(test_when_text)
{
	static const char *const cases[][2] = {
		{ "--variant=notice", "--variant=notice" },
		{ "--variant=a|b", "--variant=a or b" },
		{ "--variant=a|b|c", "--variant=a, b or c" },
		{ "--variant=a|b --fn=x|y|z", "--variant=a or b --fn=x, y or z" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char buf[128];
		cli_when_text(cases[k][0], buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[k][1]);
	}
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    (int)(sizeof(bad_inputs) / sizeof(bad_inputs[0])));
	tcase_add_loop_test(tc, test_bad_spaced, 0,
			    (int)(sizeof(bad_spaced) / sizeof(bad_spaced[0])));
	tcase_add_loop_test(tc, test_numbers_accepted, 0, 6);
	tcase_add_loop_test(tc, test_write_error, 0, 9);
	tcase_add_test(tc, test_unfinished);
	tcase_add_test(tc, test_help_version_list);
	tcase_add_test(tc, test_schedule_example);
	tcase_add_test(tc, test_plain_output);
	tcase_add_loop_test(tc, test_deterministic, 0, 4);
	tcase_add_test(tc, test_seed_changes_log);
	tcase_add_test(tc, test_parse_defaults);
	tcase_add_test(tc, test_manual_stdin);
	tcase_add_loop_test(tc, test_words, 0,
			    (int)(sizeof(word_lists) / sizeof(word_lists[0])));
	tcase_add_loop_test(tc, test_scope_refused, 0, NSCOPED);
	tcase_add_test(tc, test_scope_every_variant);
	tcase_add_test(tc, test_when_text);
	suite_add_tcase(s, tc);
	return s;
}
