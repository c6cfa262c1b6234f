/*
 * manager: a server process owns the data; clients send it requests.
 *
 * Python's multiprocessing.Manager() starts a process that holds a list
 * and a dictionary; the others get proxies, and every call on a proxy is
 * a request sent to that process and a reply sent back.  Here the server
 * owns a list (len and the items) and a dictionary with one key, "count",
 * in its *own* memory; each client, P2, P3, ..., writes its requests
 * into the one pipe `requests` and reads the reply from its own pipe
 * `to_PN`.  A request is a frame (frame.h): ["op", client, "key",
 * value].  One update = a request, a reply, two context switches.
 *
 *   append   each client appends its numbers: the server does one
 *            request at a time, so no append is ever lost
 *   get-set  count = count + 1 as two calls, a get then a set: each call
 *            is atomic, the pair is not; two clients that get the same
 *            count set the same count, and an increment is lost   (g2)
 *   add      the fix: one call, "add", and the server adds        (d1)
 *   shared   no server: the count in shared memory under a process-
 *            shared lock (the baseline of make bench)
 */
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "lesson.h"

enum { APPEND, GET_SET, ADD, SHARED };
enum { NOTE_LOST, NOTE_REFUSED, NOTE_TRIP, NOTE_REGAINED };
enum { MAXC = 8, PAGE = 32, TAG = 1000000, MAXITEMS = MAXC * 100000 };

static struct pipe *requests;          /* every client -> the server */
static struct pipe *reply[MAXC + 2];   /* the server -> process N */
static struct var *serving, *len, *count; /* the server's own (private) */
static struct var *printed, *listed;   /* what the parent prints */
static struct mutex *lock;             /* shared: the lock on count */
static long clients, iterations;

static long items[MAXITEMS];  /* the server's list: its own memory */
static long last_setter;      /* the server's: who set count last */
static long sets;             /* the server's: set requests served */
static struct frame_in msg;   /* each process's own: a frame read */
static int replied;           /* ... and how many replies it has had */

/* A client's call: the request, then wait for the reply.  Returns the
 * reply's number (an "error" reply, which these clients never cause,
 * has 0); msg holds the rest of it. */
static long ask(const char *op, const char *key, long value)
{
	struct frame_out o;
	long n, v = 0;
	char status[16];
	frame_out_begin(&o);
	frame_put_list(&o, 4);
	frame_put_str(&o, op);
	frame_put_int(&o, lesson_thread());
	frame_put_str(&o, key);
	frame_put_int(&o, value);
	frame_send(requests, &o);	/* c1: the request, one write() */
	if (frame_recv(reply[lesson_thread()], &msg) > 0 &&	/* c2 */
	    frame_get_list(&msg, &n) && frame_get_str(&msg, status, 16))
		frame_get_int(&msg, &v);
	if (replied++ == 0 && lesson_thread() > 1) /* the server: the last */
		lesson_note_other(NOTE_TRIP, (long)msg.len + FRAME_HEADER,
				  (int)clients + 2);
	return v;
}

/*
 * The server's books of get-set: each set is one increment, so sets
 * served minus count is what is lost so far, and at the end expected
 * minus the final count.  A set that moves it says so: one that lands
 * on a count its client never read loses what that count held; one from
 * a client that read before such a set brings some of it back.
 */
static void lost_by_set(long was, long now)
{
	long before = sets - was, after = ++sets - now;
	if (after > before)
		lesson_note_lost(NOTE_LOST, after - before, (int)last_setter,
				 (int)(after - before));
	else if (after < before)
		lesson_note_lost(NOTE_REGAINED, before - after, 0,
				 (int)(after - before));
}

/* The server: one request's work, its reply in o. */
static void serve(const char *op, int from, const char *key, long value,
		  struct frame_out *o)
{
	long v = 0, n;
	bool ok = true, known = strcmp(key, "count") == 0 && count;
	if (strcmp(op, "append") == 0 && len &&
	    (n = var_load(len)) < MAXITEMS) {
		items[n] = value;
		var_store(len, v = n + 1);			/* s1 */
	} else if (strcmp(op, "get") == 0 && known) {
		v = var_load(count);				/* s2 */
	} else if (strcmp(op, "set") == 0 && known) {
		v = var_load(count);				/* s3 */
		var_store(count, value);			/* s4 */
		lost_by_set(v, value);
		last_setter = from;
	} else if (strcmp(op, "add") == 0 && known) {
		v = var_add(count, value) + value;		/* s5 */
	} else if (strcmp(op, "items") == 0 && len) {
		v = var_load(len);				/* s6 */
	} else {
		ok = false;
	}
	bool list = ok && strcmp(op, "items") == 0;
	frame_put_list(o, list ? 3 : 2);
	frame_put_str(o, ok ? "ok" : "error");
	frame_put_int(o, v);
	if (list) {
		long end = value + PAGE < v ? value + PAGE : v;
		frame_put_list(o, end > value ? end - value : 0);
		for (long i = value; i < end; i++)
			frame_put_int(o, items[i]);
	}
}

/* The last process: answer requests, one at a time, until every
 * client has gone. */
static void server(long unused)
{
	(void)unused;
	char op[16], key[16];
	long n, from, value;
	pipe_close_write(requests);		/* v1: else no end of file */
	while ((n = frame_recv(requests, &msg)) != 0) {		/* v2 */
		if (n < 0 || !frame_get_list(&msg, &n) || n != 4 ||
		    !frame_get_str(&msg, op, 16) ||
		    !frame_get_int(&msg, &from) || from < 1 ||
		    from > MAXC + 1 || !reply[from] ||
		    !frame_get_str(&msg, key, 16) ||
		    !frame_get_int(&msg, &value) || !frame_in_end(&msg)) {
			lesson_note(NOTE_REFUSED, n);
			continue;
		}
		var_store(serving, from);			/* v3 */
		struct frame_out o;
		frame_out_begin(&o);
		serve(op, (int)from, key, value, &o);
		frame_send(reply[from], &o);			/* v4 */
	}
}

/* P2, P3, ...: each makes `iterations` updates. */
static void client(long unused)
{
	(void)unused;
	long me = lesson_thread();
	for (long i = 0; i < iterations; i++) {
		if (lesson_variant() == APPEND) {
			ask("append", "", me * TAG + i);		/* a1 */
		} else if (lesson_variant() == GET_SET) {
			long v = ask("get", "count", 0);		/* g1 */
			ask("set", "count", v + 1);			/* g2 */
		} else if (lesson_variant() == ADD) {
			ask("add", "count", 1);				/* d1 */
		} else {
			mutex_lock(lock);				/* m1 */
			var_store(count, var_load(count) + 1);		/* m2 */
			mutex_unlock(lock);				/* m3 */
		}
	}
}

/* P1 as a client: page through the list; count the items that come in
 * each client's own order (a client's i-th is me * TAG + i). */
static long in_order(void)
{
	long next[MAXC + 2] = { 0 }, good = 0, total = 0, n, item;
	for (long start = 0; start == 0 || start < total; start += PAGE) {
		total = ask("items", "", start);			/* p5 */
		if (!frame_get_list(&msg, &n))
			break;
		for (long i = 0; i < n && frame_get_int(&msg, &item); i++) {
			long who = item / TAG;
			if (who >= 2 && who < MAXC + 2 &&
			    item % TAG == next[who]) {
				next[who]++;
				good++;
			}
		}
	}
	var_store(listed, total);
	return good;
}

/* P1: fork the clients and the server (requests wait in the pipe until
 * it reads them), wait for the clients, then ask. */
static void parent(long unused)
{
	(void)unused;
	bool server_too = lesson_variant() != SHARED;
	int srv = 0, pid[MAXC], n = 0;
	for (long i = 0; i < clients; i++)
		pid[n++] = proc_fork("client", client, i);	/* p1 */
	if (server_too)
		srv = proc_fork("server", server, 0);		/* p2 */
	for (int i = 0; i < n; i++)
		proc_join(pid[i]);				/* p3 */
	if (!server_too) {
		var_store(printed, var_load(count));		/* p4 */
		return;
	}
	var_store(printed, lesson_variant() == APPEND ? in_order()
						  : ask("get", "count", 0));
	pipe_close_write(requests);		/* p6: the server ends */
	proc_join(srv);						/* p7 */
}

static void manager_setup(void)
{
	static const char *const to[MAXC + 2] = {
		"", "to_P1", "to_P2", "to_P3", "to_P4", "to_P5", "to_P6",
		"to_P7", "to_P8", "to_P9",
	};
	clients = lesson_opt("clients");
	iterations = lesson_opt("iterations");
	memset(reply, 0, sizeof(reply));
	requests = NULL;
	serving = len = count = listed = NULL;
	lock = NULL;
	if (lesson_variant() == SHARED) {
		count = var_new("count", 0);
		lock = mutex_new("lock", MUTEX_NORMAL);
	} else {
		requests = pipe_new("requests", 4096);
		/* the clients' first: the viewer lists pipes in this order */
		for (int i = 2; i <= clients + 1; i++)
			reply[i] = pipe_new(to[i], 4096);
		reply[1] = pipe_new(to[1], 4096);
		serving = var_new_private("serving", 0);
		if (lesson_variant() == APPEND)
			len = var_new_private("len", 0);
		else
			count = var_new_private("count", 0);
	}
	printed = var_new("printed", 0);
	if (lesson_variant() == APPEND)
		listed = var_new("listed", 0);
	process_new("main", parent, 0);
}

static bool manager_report(void)
{
	long expected = clients * iterations;
	long got = var_value(printed);
	lesson_figure("expected", expected);
	lesson_figure("printed", got);
	if (listed)
		lesson_figure("listed", var_value(listed));
	else
		lesson_figure("lost", expected - got);
	lesson_figure("requests", requests ? pipe_messages(requests) : 0);
	return got == expected && (!listed || var_value(listed) == expected);
}

static const struct lesson_variant manager_variants[] = {
	{ "append", "clients append to the server's list: the server does "
	  "one request at a time, none is lost", NULL },
	{ "get-set", "count = count + 1 as a get, then a set: each call is "
	  "atomic, the pair is not", "--policy=rr" },
	{ "add", "the fix: one call, add, and the server does the sum",
	  NULL },
	{ "shared", "no server: count in shared memory, under a lock",
	  NULL },
	{ NULL, NULL, NULL },
};

static const struct lesson_option manager_options[] = {
	LESSON_NUMBER("clients", "client processes", 2, 4, 1, MAXC),
	LESSON_NUMBER("iterations", "updates each client makes", 3, 10000,
		      1, 100000),
	LESSON_END,
};

static const char *const manager_notes[] = {
	[NOTE_LOST] = "sets count as asked, over P%2$d's set, which the "
		      "asking client never read: %1$ld more increment(s) "
		      "lost (sets served minus count)",
	[NOTE_REGAINED] = "sets count above what it held: its client read "
			  "count before a set that lost increments, and "
			  "%1$ld of them come back",
	[NOTE_REFUSED] = "refused a malformed request: no reply",
	[NOTE_TRIP] = "has its first reply, %1$ld bytes from P%2$d: each call "
		      "is a request and a reply, and two context switches, "
		      "to the server and back",
};

static const struct lesson_question manager_questions[] = {
	LESSON_ASK("append", "--clients=2 --iterations=3",
		   "Two clients append 3 numbers each through the manager: "
		   "how many items does the list end with?", QUIZ_NUMBER,
		   "listed",
		   "the server reads one request at a time and finishes it "
		   "before the next: every append lands, 6"),
	LESSON_ASK("get-set", "--policy=rr",
		   "Each client gets count, then sets count + 1, through the "
		   "manager: can an increment be lost?", QUIZ_YESNO, "lost>0",
		   "each call is atomic, but between a client's get and its "
		   "set another client can get the same count; both set the "
		   "same value"),
	LESSON_ASK("add", NULL,
		   "Each client sends one add request: can an increment be "
		   "lost?", QUIZ_YESNO, "lost>0",
		   "the server reads and writes count inside one request, "
		   "and serves one request at a time: no"),
	LESSON_ASK_END,
};

static const struct lesson_challenge manager_challenges[] = {
	LESSON_CHALLENGE("get-set", "--clients=2 --iterations=1",
			 "lose an increment through the manager",
			 "lost>0", 0, false,
			 "both clients' get requests were served before "
			 "either set: both set count = 1"),
	LESSON_CHALLENGE("get-set", "--clients=2 --iterations=2",
			 "lose half the increments: count ends at 2 of 4",
			 "printed=2", 0, false,
			 "each client's get is served before the other's set, "
			 "twice: two sets of 1, then two sets of 2"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(manager);

const struct lesson manager_lesson = {
	.name = "manager",
	.topic = "processes",
	.summary = "a server process owns a list and a dictionary; clients "
		   "send framed requests over pipes and wait for replies",
	.variants = manager_variants,
	.options = manager_options,
	.setup = manager_setup,
	.report = manager_report,
	.source = manager_source,
	.notes = manager_notes,
	.info_notes = 1ull << NOTE_TRIP,
	.questions = manager_questions,
	.challenges = manager_challenges,
	.processes = true,
};

LESSON_MAIN(manager_lesson)
