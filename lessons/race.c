/*
 * race: deposit and withdraw threads lose updates on a shared balance.
 *
 * Tellers share one bank balance.  Odd-numbered tellers deposit 1, even
 * ones withdraw 1, each the same number of times, so the balance should end
 * where it started (or one deposit-run above, with an odd teller count).
 *
 * `balance = balance + 1` is not one operation but two: read the balance
 * into a local, write back the local plus one.  If another teller writes
 * between a teller's read and its write, that write is overwritten: the
 * update is lost, and the money with it.
 *
 * The three variants sit side by side:
 *   unsafe  the read and the write are separate steps        (lines r1-r2)
 *   mutex   a lock makes read-and-write one critical section (m1-m4)
 *   atomic  one indivisible fetch-and-add does both          (a1)
 */
#include "lesson.h"

enum { UNSAFE, MUTEX, ATOMIC };

static struct var *balance;
static struct mutex *lock;
static long iterations;

static void teller_unsafe(long amount)
{
	for (long i = 0; i < iterations; i++) {
		long tmp = var_load(balance);		/* r1: read */
		var_store(balance, tmp + amount);	/* r2: write back */
	}
}

static void teller_mutex(long amount)
{
	for (long i = 0; i < iterations; i++) {
		mutex_lock(lock);			/* m1 */
		long tmp = var_load(balance);		/* m2 */
		var_store(balance, tmp + amount);	/* m3 */
		mutex_unlock(lock);			/* m4 */
	}
}

static void teller_atomic(long amount)
{
	for (long i = 0; i < iterations; i++)
		var_add(balance, amount);		/* a1 */
}

static void (*const tellers[])(long) = {
	[UNSAFE] = teller_unsafe,
	[MUTEX] = teller_mutex,
	[ATOMIC] = teller_atomic,
};

static void race_setup(void)
{
	iterations = lesson_opt("iterations");
	balance = var_new("balance", lesson_opt("initial"));
	if (lesson_variant() == MUTEX)
		lock = mutex_new("lock", MUTEX_NORMAL);
	for (long t = 1; t <= lesson_opt("threads"); t++) {
		bool deposits = t % 2 == 1;
		thread_new(deposits ? "deposit" : "withdraw",
			   tellers[lesson_variant()], deposits ? +1 : -1);
	}
}

static bool race_report(void)
{
	long threads = lesson_opt("threads");
	long net = (threads + 1) / 2 - threads / 2; /* deposit runs left over */
	long expected = lesson_opt("initial") + net * iterations;
	lesson_figure("balance", var_value(balance));
	lesson_figure("expected", expected);
	if (lesson_step_mode())
		lesson_figure("lost_updates", lesson_lost_updates());
	return var_value(balance) == expected;
}

static const struct lesson_variant race_variants[] = {
	{ "unsafe", "read, then write back: another teller can run between",
	  "--iterations=1 --schedule=1,2,1,2" },
	{ "mutex", "a lock around read-and-write",
	  NULL },
	{ "atomic", "one indivisible fetch-and-add",
	  NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option race_options[] = {
	LESSON_NUMBER("threads", "tellers: odd ones deposit 1, even ones withdraw 1",
		      2, 2, 1, 64),
	LESSON_NUMBER("iterations", "deposits or withdrawals per teller",
		      5, 10000000, 1, 1000000000),
	LESSON_NUMBER("initial", "the balance to start from",
		      100, 100, -1000000000, 1000000000),
	LESSON_END,
};

static const struct lesson_question race_questions[] = {
	LESSON_ASK("unsafe", "--threads=2 --iterations=1 --initial=100 "
		   "--schedule=1,2,1,2",
		   "T1 deposits 1 and T2 withdraws 1 from 100, in the order "
		   "T1 reads, T2 reads, T1 writes, T2 writes.  The final balance?",
		   QUIZ_NUMBER, "balance",
		   "both read 100; T1 writes 101, then T2 writes its 100 - 1 "
		   "over it (r2): the deposit is lost, and the balance is 99, "
		   "not 100"),
	LESSON_ASK("unsafe", "--mode=step --threads=2 --iterations=5 "
		   "--policy=rr --quantum=1",
		   "Round robin, one step each in turn, 5 deposits against 5 "
		   "withdrawals from 100.  The final balance?",
		   QUIZ_NUMBER, "balance",
		   "quantum 1 alternates read, read, write, write: every time "
		   "T2 writes what both read minus 1, last, so each deposit "
		   "is lost and every withdrawal stays: 95"),
	LESSON_ASK(NULL, "--mode=step --threads=2 --iterations=5",
		   "2 tellers, 5 iterations each: how many steps does the run "
		   "take?", QUIZ_NUMBER, "steps",
		   "each iteration is 2 steps in unsafe (a read, a write), 4 in "
		   "mutex (lock, read, write, unlock), 1 in atomic "
		   "(fetch-and-add): 20, 40 or 10, whatever the schedule"),
	LESSON_ASK("mutex", NULL,
		   "With the lock around read-and-write: will the balance end "
		   "where it should (the invariant hold)?",
		   QUIZ_YESNO, "invariant",
		   "nobody can write between a holder's read (m2) and its "
		   "write (m3): no update is lost, on any schedule and on real "
		   "threads"),
	LESSON_ASK("atomic", "--mode=free",
		   "Free mode: two real threads on two cores, 10 million "
		   "fetch-and-adds each.  Will the balance end where it should?",
		   QUIZ_YESNO, "invariant",
		   "each update is one indivisible instruction (a1): there is "
		   "no window between a read and a write for another core to "
		   "write in, so none is lost, however the threads interleave"),
	LESSON_ASK_END,
};

static const struct lesson_challenge race_challenges[] = {
	LESSON_CHALLENGE("unsafe", "--threads=2 --iterations=1 --initial=100",
			 "make the balance end at 99: lose the deposit",
			 "balance=99", 0, false,
			 "T2 must read before T1 writes, and write after it: "
			 "its write of 100 - 1 then covers T1's 101"),
	LESSON_CHALLENGE("unsafe", "--threads=2 --iterations=2 --initial=100",
			 "make the balance end at 98: lose both deposits",
			 "balance=98", 0, false,
			 "each of T1's writes must land between a read and a "
			 "write of T2's, twice: the unsafe window is open "
			 "every iteration"),
	LESSON_CHALLENGE("unsafe", "--threads=3 --iterations=1 --initial=100",
			 "make the balance end at 102: lose the withdrawal",
			 "balance=102", 0, false,
			 "T2's write must come before a deposit's, and that "
			 "deposit must have read before T2 wrote: then the "
			 "withdrawal is covered and both deposits stay"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(race);

const struct lesson race_lesson = {
	.name = "race",
	.topic = "threads",
	.summary = "deposit and withdraw threads lose updates on a shared "
		   "balance",
	.variants = race_variants,
	.options = race_options,
	.setup = race_setup,
	.report = race_report,
	.source = race_source,
	.questions = race_questions,
	.challenges = race_challenges,
};

LESSON_MAIN(race_lesson)
