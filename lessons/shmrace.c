/*
 * shmrace: the bank balance race, across processes.
 *
 * Processes do not share memory: after fork() each has its own copy of
 * every variable.  So the parent puts the balance in memory it maps
 * shared *before* it forks (mmap MAP_SHARED; the runtime does that for
 * every var_new()), and the deposit and withdraw processes it forks all
 * update that one balance.
 *
 * Sharing brings back the race of the thread lesson: `balance + 1` is
 * still a read and a write, and another process can write in between.
 * A lock between processes must itself live in shared memory and be made
 * for it (PTHREAD_PROCESS_SHARED); an atomic add works on shared memory
 * as it does between threads.
 *
 *   unsafe  the read and the write are separate steps        (r1-r2)
 *   lock    a process-shared lock around read-and-write      (m1-m4)
 *   atomic  one indivisible fetch-and-add                    (a1)
 */
#include "lesson.h"

enum { UNSAFE, LOCK, ATOMIC };

static struct var *balance; /* shared: mapped before the fork */
static struct mutex *lock;  /* shared too, and process-shared */
static long iterations;

static void teller_unsafe(long amount)
{
	for (long i = 0; i < iterations; i++) {
		long tmp = var_load(balance);		/* r1: read */
		var_store(balance, tmp + amount);	/* r2: write back */
	}
}

static void teller_lock(long amount)
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
	[LOCK] = teller_lock,
	[ATOMIC] = teller_atomic,
};

/* P1: fork the tellers (odd ones deposit, even ones withdraw), wait. */
static void bank(long tellers_n)
{
	int pid[64];
	for (long t = 1; t <= tellers_n; t++)
		pid[t - 1] = proc_fork(t % 2 ? "deposit" : "withdraw",
				       tellers[lesson_variant()],
				       t % 2 ? +1 : -1);
	for (long t = 1; t <= tellers_n; t++)
		proc_join(pid[t - 1]);
}

static void shmrace_setup(void)
{
	iterations = lesson_opt("iterations");
	balance = var_new("balance", lesson_opt("initial"));
	if (lesson_variant() == LOCK)
		lock = mutex_new("lock", MUTEX_NORMAL);
	process_new("bank", bank, lesson_opt("processes"));
}

static bool shmrace_report(void)
{
	long n = lesson_opt("processes");
	long net = (n + 1) / 2 - n / 2; /* deposit runs left over */
	long expected = lesson_opt("initial") + net * iterations;
	lesson_figure("balance", var_value(balance));
	lesson_figure("expected", expected);
	if (lesson_step_mode())
		lesson_figure("lost_updates", lesson_lost_updates());
	return var_value(balance) == expected;
}

static const struct lesson_variant shmrace_variants[] = {
	{ "unsafe", "read, then write back: another process can run between",
	  "--iterations=1 --schedule=1,1,2,3,2,3" },
	{ "lock", "a process-shared lock around read-and-write",
	  NULL },
	{ "atomic", "one indivisible fetch-and-add on shared memory",
	  NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option shmrace_options[] = {
	LESSON_NUMBER("processes", "tellers forked by P1: odd ones deposit 1, "
		      "even ones withdraw 1", 2, 2, 1, 32),
	LESSON_NUMBER("iterations", "deposits or withdrawals per teller",
		      5, 10000000, 1, 1000000000),
	LESSON_NUMBER("initial", "the balance to start from",
		      100, 100, -1000000000, 1000000000),
	LESSON_END,
};

static const struct lesson_question shmrace_questions[] = {
	LESSON_ASK("unsafe", "--processes=2 --iterations=1 --initial=100 "
		   "--schedule=1,1,2,3,2,3",
		   "P1 forks P2 (deposits 1) and P3 (withdraws 1); both read "
		   "the shared balance, 100, then both write.  The final "
		   "balance?", QUIZ_NUMBER, "balance",
		   "the balance is in shared memory, so the lost update is "
		   "the threads' one: P3 writes 99 over P2's 101"),
	LESSON_ASK("lock", NULL,
		   "A process-shared lock around read-and-write: will the "
		   "invariant hold?", QUIZ_YESNO, "invariant",
		   "the lock is made PTHREAD_PROCESS_SHARED in the shared "
		   "mapping: one process at a time reads and writes"),
	LESSON_ASK("atomic", "--mode=step --processes=2 --iterations=5",
		   "2 tellers, 5 fetch-and-adds each: how many steps does "
		   "the run take, P1's own included?", QUIZ_NUMBER, "steps",
		   "10 fetch-and-adds, and P1's two forks and two joins: 14"),
	LESSON_ASK_END,
};

static const struct lesson_challenge shmrace_challenges[] = {
	LESSON_CHALLENGE("unsafe", "--processes=2 --iterations=1",
			 "make the balance end at 99: lose the deposit",
			 "balance=99", 0, false,
			 "processes race on shared memory as threads do: the "
			 "withdrawer reads 100 before the deposit is written, "
			 "and writes 99 after it"),
	LESSON_CHALLENGE("unsafe", "--processes=2 --iterations=1",
			 "make the balance end at 101: lose the withdrawal",
			 "balance=101", 0, false,
			 "the same window the other way round: the depositor "
			 "writes last"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(shmrace);

const struct lesson shmrace_lesson = {
	.name = "shmrace",
	.topic = "processes",
	.summary = "deposit and withdraw processes lose updates on a balance "
		   "in shared memory",
	.variants = shmrace_variants,
	.options = shmrace_options,
	.setup = shmrace_setup,
	.report = shmrace_report,
	.source = shmrace_source,
	.questions = shmrace_questions,
	.challenges = shmrace_challenges,
	.processes = true,
};

LESSON_MAIN(shmrace_lesson)
