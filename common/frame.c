/*
 * frame.c: framed messages with marshalled values.
 *
 * This is what Python's multiprocessing does with pickle for every call
 * to a Manager, made small enough to read: a length prefix, so that the
 * reader knows how many bytes make one message, then values that say
 * their own type (a tag byte) and size, so that the reader can check
 * each one before it trusts it.  Integers and lengths are big-endian
 * ("network order"), written byte by byte, so that the format is the
 * same on any machine and never depends on a struct's padding.
 *
 * The reader treats its input as hostile: every length is checked
 * against what is left before a byte is read, and the first fault is
 * kept as a sentence with its offset.  The tests feed it random bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "lesson.h"

/* --- writing --- */

void frame_out_begin(struct frame_out *o)
{
	o->len = FRAME_HEADER;
	o->overflow = false;
}

/* Room for n more bytes?  If not, the frame is spoilt for good. */
static bool frame_room(struct frame_out *o, size_t n)
{
	if (o->overflow || FRAME_MAX - o->len < n)
		o->overflow = true;
	return !o->overflow;
}

/* v's low `bytes` bytes, most significant first. */
static void frame_put_be(struct frame_out *o, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		o->buf[o->len++] = (uint8_t)(v >> (8 * i));
}

void frame_put_int(struct frame_out *o, long v)
{
	if (!frame_room(o, 9))
		return;
	o->buf[o->len++] = 'i';
	frame_put_be(o, (uint64_t)v, 8);
}

void frame_put_str(struct frame_out *o, const char *s)
{
	size_t n = strlen(s);
	if (n > FRAME_STR)
		o->overflow = true;
	if (!frame_room(o, 2 + n))
		return;
	o->buf[o->len++] = 's';
	o->buf[o->len++] = (uint8_t)n;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void frame_put_list(struct frame_out *o, long n)
{
	if (n < 0 || n > 0xffff)
		o->overflow = true;
	if (!frame_room(o, 3))
		return;
	o->buf[o->len++] = 'l';
	frame_put_be(o, (uint64_t)n, 2);
}

long frame_out_end(struct frame_out *o)
{
	if (o->overflow || o->len == FRAME_HEADER)
		return -1;
	size_t len = o->len;
	o->len = 0;
	frame_put_be(o, len - FRAME_HEADER, FRAME_HEADER);
	o->len = len;
	return (long)len;
}

/* --- reading --- */

static uint64_t frame_be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

long frame_length(const void *header, char *err, size_t size)
{
	uint64_t n = frame_be(header, FRAME_HEADER);
	if (n == 0 || n > FRAME_MAX - FRAME_HEADER) {
		snprintf(err, size, "frame length %llu out of range (1 to %d)",
			 (unsigned long long)n, FRAME_MAX - FRAME_HEADER);
		return -1;
	}
	return (long)n;
}

void frame_in_begin(struct frame_in *in, const void *payload, size_t len)
{
	in->buf = payload;
	in->len = len;
	in->pos = 0;
	in->err[0] = '\0';
}

/* The first fault, with where it is; always false. */
static bool frame_fault(struct frame_in *in, const char *fmt, ...)
{
	if (in->err[0])
		return false;
	int n = snprintf(in->err, sizeof(in->err), "byte %zu: ", in->pos);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(in->err + n, sizeof(in->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static const char *frame_tag_name(uint8_t tag)
{
	return tag == 'i' ? "an int" : tag == 's' ? "a string"
	     : tag == 'l' ? "a list" : NULL;
}

/* The value at pos is tagged `want` and has `need` more bytes after the
 * tag: check both, and step over the tag. */
static bool frame_expect(struct frame_in *in, uint8_t want, size_t need)
{
	if (in->err[0])
		return false;
	if (in->pos >= in->len)
		return frame_fault(in, "expected %s, the frame ended",
				   frame_tag_name(want));
	uint8_t tag = in->buf[in->pos];
	if (!frame_tag_name(tag))
		return frame_fault(in, "unknown type tag 0x%02x", tag);
	if (tag != want)
		return frame_fault(in, "expected %s, found %s",
				   frame_tag_name(want), frame_tag_name(tag));
	if (in->len - in->pos - 1 < need)
		return frame_fault(in, "%s cut short", frame_tag_name(want));
	in->pos++;
	return true;
}

bool frame_get_int(struct frame_in *in, long *v)
{
	if (!frame_expect(in, 'i', 8))
		return false;
	*v = (long)(int64_t)frame_be(in->buf + in->pos, 8);
	in->pos += 8;
	return true;
}

bool frame_get_str(struct frame_in *in, char *s, size_t size)
{
	if (!frame_expect(in, 's', 1))
		return false;
	size_t n = in->buf[in->pos];
	if (in->len - in->pos - 1 < n) {
		in->pos--;
		return frame_fault(in, "a string of %zu bytes cut short", n);
	}
	if (n >= size || memchr(in->buf + in->pos + 1, '\0', n)) {
		in->pos--;
		return frame_fault(in, n >= size ? "a string of %zu bytes, "
				   "longer than %zu" : "a string of %zu bytes "
				   "holds a NUL", n, size ? size - 1 : 0);
	}
	memcpy(s, in->buf + in->pos + 1, n);
	s[n] = '\0';
	in->pos += 1 + n;
	return true;
}

bool frame_get_list(struct frame_in *in, long *n)
{
	if (!frame_expect(in, 'l', 2))
		return false;
	*n = (long)frame_be(in->buf + in->pos, 2);
	in->pos += 2;
	return true;
}

bool frame_in_end(struct frame_in *in)
{
	if (!in->err[0] && in->pos != in->len)
		frame_fault(in, "%zu bytes left over", in->len - in->pos);
	return !in->err[0];
}

/* --- as text --- */

struct frame_text {
	char *buf;
	size_t size, len;
};

static void frame_say(struct frame_text *t, const char *fmt, ...)
{
	if (t->len >= t->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	t->len = n < 0 ? t->size : t->len + (size_t)n;
}

/* One value, whatever its type, at depth (lists count). */
static bool frame_value(struct frame_in *in, struct frame_text *t, int depth)
{
	if (in->pos >= in->len)
		return frame_fault(in, "expected a value, the frame ended");
	long v, n;
	char s[FRAME_STR + 1];
	switch (in->buf[in->pos]) {
	case 'i':
		if (!frame_get_int(in, &v))
			return false;
		frame_say(t, "%ld", v);
		return true;
	case 's':
		if (!frame_get_str(in, s, sizeof(s)))
			return false;
		frame_say(t, "\"%s\"", s);
		return true;
	case 'l':
		if (depth == FRAME_DEPTH)
			return frame_fault(in, "lists nested deeper than %d",
					   FRAME_DEPTH);
		if (!frame_get_list(in, &n))
			return false;
		frame_say(t, "[");
		for (long i = 0; i < n; i++) {
			frame_say(t, i ? ", " : "");
			if (!frame_value(in, t, depth + 1))
				return false;
		}
		frame_say(t, "]");
		return true;
	}
	return frame_fault(in, "unknown type tag 0x%02x", in->buf[in->pos]);
}

bool frame_format(const void *payload, size_t len, char *text, size_t size,
		  char *err, size_t errsize)
{
	struct frame_in in;
	struct frame_text t = { text, size, 0 };
	text[0] = '\0';
	frame_in_begin(&in, payload, len);
	if (frame_value(&in, &t, 0))
		frame_in_end(&in);
	snprintf(err, errsize, "%s", in.err);
	return !in.err[0];
}

/* --- through a pipe --- */

long frame_send_at(struct pipe *p, struct frame_out *o, int line)
{
	long n = frame_out_end(o);
	return n < 0 ? -1 : pipe_write_at(p, o->buf, n, line);
}

long frame_recv_at(struct pipe *p, struct frame_in *in, int line)
{
	frame_in_begin(in, in->data, 0);
	long got = pipe_read_at(p, in->data, FRAME_HEADER, line);
	if (got == 0)
		return 0; /* end of file, between frames: a clean end */
	if (got != FRAME_HEADER) {
		frame_fault(in, "the pipe ended %ld bytes into a header of %d",
			    got, FRAME_HEADER);
		return -1;
	}
	long n = frame_length(in->data, in->err, sizeof(in->err));
	if (n < 0)
		return -1;
	got = pipe_read_at(p, in->data, n, line);
	if (got != n) {
		frame_fault(in, "the pipe ended %ld bytes into a payload of %ld",
			    got < 0 ? 0 : got, n);
		return -1;
	}
	in->len = (size_t)n;
	return n;
}
