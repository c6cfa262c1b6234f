/*
 * pipe: a sender streams messages to a receiver through a pipe.
 *
 * A pipe is a buffer in the kernel with two ends: what one process
 * writes into the write end, another reads from the read end, in order.
 * The parent makes it before it forks, so both children inherit both
 * ends; each closes the end it does not use.  A read waits while the
 * pipe is empty and returns 0, end of file, once it is empty and *no
 * process at all* holds the write end open.  A write waits while the
 * pipe is full.  Each message is MSG bytes, written at once.
 *
 *   sentinel      the sender's last message is "END": the receiver
 *                 stops when it reads it
 *   eof           the sender closes its write end when done: the
 *                 receiver reads until end of file
 *   forgot-close  eof, but the receiver never closes its own copy of
 *                 the write end: it waits for ever for an end of file
 *                 that cannot come while it holds it              (r1)
 *   full          eof through a pipe that holds two messages: the
 *                 sender waits whenever it is two messages ahead
 *   two-way       request and reply over two pipes, p and back: a
 *                 client that waits for a reply before it has sent its
 *                 request, and a server that waits for a request  (t1)
 */
#include <string.h>

#include "lesson.h"

enum { SENTINEL, EOF_END, FORGOT_CLOSE, FULL, TWO_WAY };
enum { MSG = 8 }; /* bytes per message: "hello" and its padding */

static struct pipe *p; /* made before the fork: every process has it */
static struct pipe *back; /* two-way: the replies */
static struct var *printed; /* the terminal: what the receiver says */
static long messages;
static const char words[][MSG] = { "hello", "hey", "hru?" };

/* P2: send the messages, then say it is done. */
static void sender(long unused)
{
	(void)unused;
	pipe_close_read(p);				/* s1: not ours */
	for (long i = 0; i < messages; i++)
		pipe_write(p, words[i % 3], MSG);	/* s2 */
	if (lesson_variant() == SENTINEL)
		pipe_write(p, "END\0\0\0\0", MSG);	/* s3: the sentinel */
	pipe_close_write(p);				/* s4: done */
}

/* P3: read messages until the sentinel, or until end of file. */
static void receiver(long unused)
{
	(void)unused;
	char msg[MSG];
	long got = 0;
	if (lesson_variant() != FORGOT_CLOSE)
		pipe_close_write(p);			/* r1: not ours */
	for (;;) {
		long n = pipe_read(p, msg, MSG);	/* r2 */
		if (n == 0)
			break;				/* r3: end of file */
		got++;
		if (lesson_variant() == SENTINEL && strcmp(msg, "END") == 0)
			break;				/* r4: the sentinel */
	}
	pipe_close_read(p);				/* r5 */
	var_store(printed, got);			/* r6: print */
}

/* two-way, P2: each request waits for a reply, but reads it first. */
static void client(long unused)
{
	(void)unused;
	char reply[MSG];
	pipe_close_read(p);
	pipe_close_write(back);
	for (long i = 0; i < messages; i++) {
		pipe_read(back, reply, MSG);		/* t1: too early */
		pipe_write(p, words[i % 3], MSG);	/* t2: the request */
	}
	pipe_close_write(p);
}

/* two-way, P3: answer each request until end of file. */
static void server(long unused)
{
	(void)unused;
	char msg[MSG];
	long got = 0;
	pipe_close_write(p);
	pipe_close_read(back);
	while (pipe_read(p, msg, MSG) > 0) {		/* v1 */
		got++;
		pipe_write(back, msg, MSG);		/* v2: the reply */
	}
	var_store(printed, got);			/* v3: print */
}

/* P1: make the two processes, keep no end of a pipe, wait. */
static void parent(long unused)
{
	(void)unused;
	bool two = lesson_variant() == TWO_WAY;
	int s = proc_fork(two ? "client" : "sender",
			  two ? client : sender, 0);		/* p1 */
	int r = proc_fork(two ? "server" : "receiver",
			  two ? server : receiver, 0);		/* p2 */
	pipe_close_read(p);				/* p3 */
	pipe_close_write(p);				/* p4 */
	if (two) {
		pipe_close_read(back);
		pipe_close_write(back);
	}
	proc_join(s);					/* p5 */
	proc_join(r);					/* p6 */
}

static void pipe_setup(void)
{
	messages = lesson_opt("messages");
	long capacity = lesson_variant() == FULL ? 2 * MSG
						 : lesson_opt("capacity");
	p = pipe_new("p", capacity);
	if (lesson_variant() == TWO_WAY)
		back = pipe_new("back", capacity);
	printed = var_new("printed", 0);
	process_new("main", parent, 0);
}

static bool pipe_report(void)
{
	long sent = pipe_sent(p), received = pipe_received(p);
	long expected = messages + (lesson_variant() == SENTINEL);
	lesson_figure("sent", sent);
	lesson_figure("received", received);
	lesson_figure("messages", var_value(printed));
	return received == sent && sent == expected * MSG &&
	       var_value(printed) == expected;
}

static const struct lesson_variant pipe_variants[] = {
	{ "sentinel", "the last message, \"END\", ends the stream", NULL },
	{ "eof", "the sender closes its end; the receiver reads to end of "
	  "file", NULL },
	{ "forgot-close", "the receiver keeps its copy of the write end: no "
	  "end of file, ever", "--policy=rr" },
	{ "full", "a pipe of two messages: the sender waits for the reader",
	  NULL },
	{ "two-way", "request and reply over two pipes; both sides read "
	  "first", "--policy=rr" },
	{ NULL, NULL, NULL },
};

static const struct lesson_option pipe_options[] = {
	LESSON_NUMBER("messages", "messages the sender sends (8 bytes each)",
		      3, 100000, 1, 100000000),
	LESSON_NUMBER_WHEN("--variant=sentinel|eof|forgot-close|two-way",
			   "capacity", "bytes the pipe holds (free "
		      "mode rounds up to a page)", 64, 65536, MSG, 1048576),
	LESSON_END,
};

static const struct lesson_question pipe_questions[] = {
	LESSON_ASK("forgot-close", NULL,
		   "The receiver keeps its own copy of the write end open: "
		   "will the run end in a deadlock?", QUIZ_YESNO, "deadlock",
		   "end of file comes only when no process holds the write "
		   "end; the receiver holds one, so its last read() waits for "
		   "ever, and the parent waits for it"),
	LESSON_ASK("eof", "--messages=3",
		   "The sender writes 3 messages and closes its end: how many "
		   "messages does the receiver print?", QUIZ_NUMBER, "messages",
		   "it prints each message, then read() returns 0 (end of "
		   "file) once every write end is closed: 3"),
	LESSON_ASK("two-way", NULL,
		   "Request and reply over two pipes, and both sides read "
		   "first: will the run end in a deadlock?", QUIZ_YESNO,
		   "deadlock",
		   "each waits in read() for a message the other will send "
		   "only after its own read: a cycle of waits"),
	LESSON_ASK_END,
};

static const struct lesson_challenge pipe_challenges[] = {
	LESSON_CHALLENGE("forgot-close", "--messages=1",
			 "deadlock the pipe",
			 "deadlock", 9, true,
			 "the receiver still holds a write end, so its read "
			 "never sees end of file: it waits for itself"),
	LESSON_CHALLENGE("sentinel", "--messages=1",
			 "deliver every message, END included",
			 "invariant", 0, false,
			 "the receiver reads until END: every schedule gets "
			 "there; only the order of the waits changes"),
	LESSON_CHALLENGE_END,
};

LESSON_SOURCE(pipe);

const struct lesson pipe_lesson = {
	.name = "pipe",
	.topic = "processes",
	.summary = "a sender streams messages to a receiver through a real "
		   "pipe, until a sentinel or end of file",
	.variants = pipe_variants,
	.options = pipe_options,
	.setup = pipe_setup,
	.report = pipe_report,
	.source = pipe_source,
	.questions = pipe_questions,
	.challenges = pipe_challenges,
	.processes = true,
};

LESSON_MAIN(pipe_lesson)
