/*
 * frame.h: framed messages with marshalled values (frame.c).
 *
 * What a process sends another through a pipe or a socket is a stream of
 * bytes; a frame says where one message ends and what its bytes mean.
 * The format (docs/lessons/manager.md has it with an example):
 *
 *   frame   = length (4 bytes, big-endian: the payload's bytes), payload
 *   payload = one value
 *   value   = 'i' and 8 bytes: a signed integer, big-endian
 *           | 's' and 1 byte n, then n bytes: a string (no NUL)
 *           | 'l' and 2 bytes n (big-endian), then n values: a list
 *
 * A frame is at most FRAME_MAX bytes, header included, so that one
 * write() of it on a pipe is atomic (PIPE_BUF is 4096 on Linux).
 *
 * Decoding never trusts its input: a length out of range, a value cut
 * short, an unknown tag, a value of the wrong type, a string too long for
 * the caller's buffer, lists nested deeper than FRAME_DEPTH, or bytes
 * left over are each refused with a sentence in the reader's err, and
 * every later get fails too (the first error is the one kept).
 */
#ifndef INTERLEAVE_FRAME_H
#define INTERLEAVE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	FRAME_HEADER = 4,  /* the length prefix */
	FRAME_MAX = 512,   /* a whole frame, header included */
	FRAME_STR = 255,   /* the longest string */
	FRAME_DEPTH = 8,   /* lists in lists in ... */
};

/* A frame being built: values are appended, then frame_out_end(). */
struct frame_out {
	uint8_t buf[FRAME_MAX];
	size_t len;
	bool overflow; /* a value did not fit: frame_out_end() refuses */
};

void frame_out_begin(struct frame_out *o);
void frame_put_int(struct frame_out *o, long v);
void frame_put_str(struct frame_out *o, const char *s);
/* A list of n values: the n values are put next. */
void frame_put_list(struct frame_out *o, long n);
/* Write the length prefix.  Returns the frame's bytes (header included),
 * or -1 if it did not fit in FRAME_MAX or a string was too long. */
long frame_out_end(struct frame_out *o);

/* A payload being read, value by value. */
struct frame_in {
	const uint8_t *buf;
	size_t len, pos;
	char err[96]; /* "" while all is well */
	uint8_t data[FRAME_MAX]; /* frame_recv()'s frame */
};

/*
 * The payload length a 4-byte header announces, or -1 if it is out of
 * range (0, or more than FRAME_MAX - FRAME_HEADER), with why in err.
 */
long frame_length(const void *header, char *err, size_t size);
void frame_in_begin(struct frame_in *in, const void *payload, size_t len);
/* Each returns false, and says why in in->err, on a malformed value;
 * then *v, s and *n are left as they were. */
bool frame_get_int(struct frame_in *in, long *v);
/* s gets the string and a NUL: size must be more than its length. */
bool frame_get_str(struct frame_in *in, char *s, size_t size);
/* A list: *n values follow it. */
bool frame_get_list(struct frame_in *in, long *n);
/* Is the payload wholly read (and well formed)? */
bool frame_in_end(struct frame_in *in);

/*
 * A whole payload as text, ["set", 3, "count", 2]: what a person or a
 * test reads.  Returns false, with why in err (and text holding what was
 * read before the fault), if the payload is malformed in any way.
 */
bool frame_format(const void *payload, size_t len, char *text, size_t size,
		  char *err, size_t errsize);

/*
 * Frames through a pipe (pipe.c: each call one step).  frame_send()
 * ends o and writes it with one write(), so that frames from several
 * writers never mix: its bytes, or -1 if it is malformed or nobody reads
 * (EPIPE).  frame_recv() reads one frame, its length then its payload
 * (two reads), into in->data and begins in on the payload: the payload's
 * bytes, 0 at end of file, or -1 with why in in->err if the length is
 * out of range or the pipe ends inside the frame.
 */
struct pipe;
long frame_send_at(struct pipe *p, struct frame_out *o, int line);
long frame_recv_at(struct pipe *p, struct frame_in *in, int line);
#define frame_send(p, o)  (fiber_clean(), frame_send_at((p), (o), __LINE__))
#define frame_recv(p, in) (fiber_clean(), frame_recv_at((p), (in), __LINE__))

#endif
