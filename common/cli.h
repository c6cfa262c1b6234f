/*
 * cli.h: the command line every lesson shares.
 */
#ifndef INTERLEAVE_CLI_H
#define INTERLEAVE_CLI_H

#include "explore.h"
#include "rt.h"

#define INTERLEAVE_VERSION "0.1.0"

enum cli_output { OUT_AUTO, OUT_VIEW, OUT_PLAIN, OUT_QUIET };

struct cli {
	struct run_config cfg;
	enum cli_output out;
	bool explore;               /* --explore: every schedule */
	struct explore_limits lim;  /* its --bound and limits */
	bool quiz;                  /* --quiz: predict, then reveal */
	int challenge;              /* --challenge=N: N, from 1; 0 none */
	char challenge_args[512];   /* its options, which cfg now holds */
	const char *record;         /* --record=FILE: argv's, or NULL */
};

enum cli_result {
	CLI_RUN,     /* run with c->cfg */
	CLI_DONE,    /* --help, --version, --list-variants: exit 0 */
	CLI_USAGE,   /* bad usage, reported on stderr: exit 2 */
};

/*
 * Parse argv for lesson l into c.  On CLI_USAGE one line naming the option
 * and what it accepts has been written to stderr.  Free c with cli_free().
 */
enum cli_result cli_parse(const struct lesson *l, int argc, char **argv,
			  struct cli *c);
void cli_free(struct cli *c);

/*
 * An option's `when` as people read it, into buf: "--variant=a|b|c" (any
 * of the alternatives) as "--variant=a, b or c"; "" for NULL.
 */
void cli_when_text(const char *when, char *buf, size_t size);

/* Does lesson option o mean something in the run cfg (its `when`)? */
bool cli_option_applies(const struct lesson_option *o,
			const struct run_config *cfg);

/*
 * Append " --NAME=VALUE" to buf for each of the lesson's own options as c
 * has them: all of them, or (changed_only) those off their step-mode
 * default; never one that the option string skip sets ("--NAME="), nor
 * one that does not apply to c's run (cli_option_applies()).
 */
void cli_lesson_args(const struct run_config *c, bool changed_only,
		     const char *skip, char *buf, size_t size);

/*
 * A list of "--NAME=VALUE" words split by spaces (a question's or a
 * challenge's `when`), cut in place: each(name, value, ctx) is called for
 * every word in order until it returns false.  True when every word had
 * that form and each() took it; false at the first that did not (the
 * tests see a malformed table entry), or when each() said stop.
 */
typedef bool cli_word_fn(const char *name, const char *value, void *ctx);
bool cli_words(char *list, cli_word_fn *each, void *ctx);

/* The index of l's option called name in l->options, or -1. */
int cli_option_index(const struct lesson *l, const char *name);

/* "name: message" on stderr, for usage errors found after parsing. */
void cli_error(const struct lesson *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
