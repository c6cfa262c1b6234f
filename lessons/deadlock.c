/*
 * deadlock: two transfers lock two accounts in opposite orders.
 *
 * A transfer moves 10 from one account to another, and holds both
 * accounts' locks while it does, so no other transfer sees the money
 * half-moved.  Odd tellers move a to b, even tellers b to a.  Each locks
 * its source, then its destination: if T1 takes a and T2 takes b before
 * either takes its second lock, T1 waits for b, which T2 holds, and T2
 * for a, which T1 holds.  Nobody ever lets go: a deadlock.
 *
 *   broken                source first, then destination        (d1-d2)
 *   ordered               the lower-numbered account first, by all (o1)
 *   trylock               take the second only if free, else let go of
 *                         the first and try again                (t1-t3)
 *   biglock               one lock for the whole bank            (g1)
 *   philosophers          each diner takes the left fork, then the
 *                         right: all left forks taken, nobody eats (p1-p2)
 *   forks-ordered         the philosophers, each taking the lower-
 *                         numbered fork first                (q1)
 */
#include "lesson.h"

enum { BROKEN, ORDERED, TRYLOCK, BIGLOCK, PHIL, PHIL_ORDERED };
enum { NOTE_BACKOFF, NOTE_GAVE_UP };

#define FORKS_MAX 16

static struct var *balance[2], *done;
static struct mutex *account[2], *bank, *forks[FORKS_MAX];
static long rounds, retries, diners;
static long *backoffs, *gave_up; /* per thread: each writes its own */

/* Both locks are held: the money is never seen half-moved. */
static void move(int from, int to)
{
	var_store(balance[from], var_load(balance[from]) - 10);
	var_store(balance[to], var_load(balance[to]) + 10);
	var_add(done, 1);
}

static void transfer_broken(int from, int to)
{
	mutex_lock(account[from]);		/* d1: the source first */
	mutex_lock(account[to]);		/* d2: then the destination */
	move(from, to);
	mutex_unlock(account[to]);
	mutex_unlock(account[from]);
}

static void transfer_ordered(int from, int to)
{
	int low = from < to ? from : to;	/* o1: one order for all */
	mutex_lock(account[low]);
	mutex_lock(account[from + to - low]);
	move(from, to);
	mutex_unlock(account[from + to - low]);
	mutex_unlock(account[low]);
}

/* Never waits holding a lock, so never deadlocks; it may livelock. */
static void transfer_trylock(long id, int from, int to)
{
	for (long n = 1; n <= retries; n++) {
		mutex_lock(account[from]);		/* t1 */
		if (mutex_trylock(account[to]) == 0) {	/* t2: never waits */
			move(from, to);
			mutex_unlock(account[to]);
			mutex_unlock(account[from]);
			return;
		}
		mutex_unlock(account[from]);		/* t3: back off */
		lesson_note(NOTE_BACKOFF, n);
		backoffs[id]++;
	}
	lesson_note(NOTE_GAVE_UP, retries);
	gave_up[id]++;
}

static void transfer_biglock(int from, int to)
{
	mutex_lock(bank);			/* g1: one lock, no order */
	move(from, to);
	mutex_unlock(bank);
}

static void teller(long id)
{
	int from = id % 2 ? 0 : 1, to = 1 - from;
	for (long r = 0; r < rounds; r++) {
		switch (lesson_variant()) {
		case BROKEN: transfer_broken(from, to); break;
		case ORDERED: transfer_ordered(from, to); break;
		case TRYLOCK: transfer_trylock(id, from, to); break;
		default: transfer_biglock(from, to); break;
		}
	}
}

/* Diner id sits between fork id-1 (left) and fork id % diners (right). */
static void diner(long id)
{
	struct mutex *first = forks[id - 1], *second = forks[id % diners];
	if (lesson_variant() == PHIL_ORDERED && id == diners) {
		first = forks[0];		/* q1: the lower fork first */
		second = forks[id - 1];
	}
	for (long r = 0; r < rounds; r++) {
		mutex_lock(first);		/* p1: the left fork */
		mutex_lock(second);		/* p2: then the right */
		var_add(done, 1);		/* eats */
		mutex_unlock(second);
		mutex_unlock(first);
	}
}

static void philosophers_setup(void)
{
	static const char *const names[FORKS_MAX] = {
		"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8",
		"f9", "f10", "f11", "f12", "f13", "f14", "f15", "f16",
	};
	diners = lesson_opt("philosophers");
	for (long i = 0; i < diners; i++)
		forks[i] = mutex_new(names[i], MUTEX_NORMAL);
	done = var_new("meals", 0);
	for (long i = 1; i <= diners; i++)
		thread_new("diner", diner, i);
}

static void deadlock_setup(void)
{
	int v = lesson_variant();
	rounds = lesson_opt("rounds");
	if (v == PHIL || v == PHIL_ORDERED) {
		philosophers_setup();
		return;
	}
	retries = lesson_opt("retries");
	long tellers = lesson_opt("tellers");
	backoffs = lesson_calloc((size_t)tellers + 1, sizeof(long));
	gave_up = lesson_calloc((size_t)tellers + 1, sizeof(long));
	balance[0] = var_new("balance_a", 100);
	balance[1] = var_new("balance_b", 100);
	done = var_new("transfers", 0);
	if (v == BIGLOCK) {
		bank = mutex_new("bank", MUTEX_NORMAL);
	} else {
		account[0] = mutex_new("a", MUTEX_NORMAL);
		account[1] = mutex_new("b", MUTEX_NORMAL);
	}
	for (long t = 1; t <= tellers; t++)
		thread_new(t % 2 ? "a_to_b" : "b_to_a", teller, t);
}

static long deadlock_sum(const long *per_thread)
{
	long n = 0;
	for (long t = 1; t <= lesson_opt("tellers"); t++)
		n += per_thread[t];
	return n;
}

static bool deadlock_report(void)
{
	int v = lesson_variant();
	bool phil = v == PHIL || v == PHIL_ORDERED;
	long expected = rounds * (phil ? diners : lesson_opt("tellers"));
	lesson_figure(phil ? "meals" : "transfers", var_value(done));
	lesson_figure("expected", expected);
	if (phil)
		return var_value(done) == expected;
	long total = var_value(balance[0]) + var_value(balance[1]);
	lesson_figure("total", total);
	if (v == TRYLOCK) {
		lesson_figure("backoffs", deadlock_sum(backoffs));
		lesson_figure("gave_up", deadlock_sum(gave_up));
	}
	return total == 200 && var_value(done) == expected;
}

static const struct lesson_variant deadlock_variants[] = {
	{ "broken", "each transfer locks its source, then its destination",
	  "--schedule=1,2" },
	{ "ordered", "every transfer locks a before b", NULL },
	{ "trylock", "take the second lock only if free, else back off",
	  "--policy=rr" },
	{ "biglock", "one lock for the whole bank", NULL },
	{ "philosophers", "each diner takes the left fork, then the right",
	  "--policy=rr" },
	{ "forks-ordered", "each diner takes the lower fork first",
	  NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option deadlock_options[] = {
	LESSON_NUMBER_WHEN("--variant=broken|ordered|trylock|biglock", "tellers", "transfers: odd tellers a to b, even b to a",
		      2, 2, 1, 16),
	LESSON_NUMBER("rounds", "transfers per teller, meals per diner",
		      3, 1000000, 1, 1000000000),
	LESSON_NUMBER_WHEN("--variant=trylock", "retries", "trylock: tries per transfer before giving up",
		      30, 1000000, 1, 1000000000),
	LESSON_NUMBER_WHEN("--variant=philosophers|forks-ordered", "philosophers", "diners at the table, one fork each",
		      5, 5, 2, FORKS_MAX),
	LESSON_END,
};

static const char *const deadlock_notes[] = {
	[NOTE_BACKOFF] = "found the second account busy and let go of the "
			 "first (try %ld): a back-off",
	[NOTE_GAVE_UP] = "gave up the transfer after %ld tries: the second "
			 "account was busy every time (in step, two tellers livelock)",
};

static const char *const philosophers_ends[] = {
	"deadlock: deadlock", "everyone eats: invariant", "some eat", NULL,
};

static const struct lesson_question deadlock_questions[] = {
	LESSON_ASK("broken", "--tellers=2 --schedule=1,2",
		   "T1 takes lock a, then T2 takes lock b; each then wants "
		   "the other's.  Will the run deadlock?", QUIZ_YESNO,
		   "deadlock",
		   "T1 holds a and waits for b, T2 holds b and waits for a: a "
		   "cycle, and neither will ever let go"),
	LESSON_ASK("ordered", NULL,
		   "Every transfer locks a before b.  Will the run "
		   "deadlock?", QUIZ_YESNO, "deadlock",
		   "whoever gets a gets b too; the other waits at a holding "
		   "nothing: no cycle of waits is possible"),
	LESSON_ASK_CHOICE("philosophers", "--mode=step --policy=rr "
		   "--quantum=1",
		   "Five diners, each takes the left fork, then the right, in "
		   "turn: how does the dinner end?", philosophers_ends,
		   "in turn order every diner takes its left fork before "
		   "anyone takes a right one: all five wait for a neighbour's "
		   "fork"),
	LESSON_ASK_END,
};

static const struct lesson_challenge deadlock_challenges[] = {
	LESSON_CHALLENGE("broken", "--tellers=2 --rounds=1",
			 "deadlock the two transfers",
			 "deadlock", 2, true,
			 "each takes its first lock and then waits for the "
			 "other's: one step each is enough"),
	LESSON_CHALLENGE("philosophers", "--philosophers=3 --rounds=1",
			 "deadlock the philosophers",
			 "deadlock", 3, true,
			 "every diner takes a left fork, and every right fork "
			 "is someone's left: one step per diner closes the "
			 "cycle"),
	LESSON_CHALLENGE("trylock", "--tellers=2 --rounds=1 --retries=1",
			 "make a transfer give up", "gave_up>=1", 0, false,
			 "a trylock never waits, so it cannot deadlock; but "
			 "if the other holds the lock every time it tries, it "
			 "gives up: livelock's cousin"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(deadlock);

const struct lesson deadlock_lesson = {
	.name = "deadlock",
	.summary = "two transfers lock two accounts in opposite orders",
	.variants = deadlock_variants,
	.options = deadlock_options,
	.setup = deadlock_setup,
	.report = deadlock_report,
	.source = deadlock_source,
	.questions = deadlock_questions,
	.challenges = deadlock_challenges,
	.topic = "synchronisation",
	.notes = deadlock_notes,
	.info_notes = 1ull << NOTE_BACKOFF,
};

LESSON_MAIN(deadlock_lesson)
