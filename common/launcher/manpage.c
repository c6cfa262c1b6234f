/*
 * manpage.c: interleave-lessons(7), the manual page of every lesson,
 * written from the lessons' own descriptors (interleave --man), so that
 * a lesson added later is in it with no edit, and what it says of a
 * lesson is what the lesson's --help says.
 *
 * The page is man(7) source: per topic a section, per lesson a
 * subsection with its idea, its variants and its own options; the options
 * every lesson shares are interleave(1)'s and LESSON --help's.
 */
#include <string.h>

#include "cli.h"
#include "launcher.h"

/*
 * text as roff: a backslash and a hyphen escaped (\- is the minus of an
 * option), and a control character ('.' or '\'') at a line's start
 * guarded with \&.
 */
static void manpage_text(FILE *out, const char *text)
{
	bool start = true;
	for (const char *p = text; *p; p++) {
		if (start && (*p == '.' || *p == '\''))
			fputs("\\&", out);
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else
			fputc(*p, out);
		start = *p == '\n';
	}
}

/* A tagged paragraph: the tag in bold, then its text. */
static void manpage_item(FILE *out, const char *tag, const char *text)
{
	fputs(".TP\n.B ", out);
	manpage_text(out, tag);
	fputc('\n', out);
	manpage_text(out, text);
	fputc('\n', out);
}

static void manpage_variants(FILE *out, const struct lesson *l)
{
	fputs(".PP\nVariants, with\n.BI \\-\\-variant= NAME\n"
	      "(the first is the default):\n", out);
	for (int v = 0; l->variants[v].name; v++) {
		const struct lesson_variant *var = &l->variants[v];
		char text[600];
		snprintf(text, sizeof(text), "%s.", var->summary);
		manpage_item(out, var->name, text);
		if (var->fails) {
			fputs("A run that shows it fail:\n.BR \"", out);
			manpage_text(out, var->fails);
			fputs("\" .\n", out);
		}
	}
}

/* "--NAME=N": its help, its defaults and range, as LESSON --help says. */
static void manpage_option(FILE *out, const struct lesson_option *o)
{
	char tag[160], text[600];
	int k;
	if (o->text) {
		snprintf(tag, sizeof(tag), "--%s=TEXT", o->name);
		snprintf(text, sizeof(text), "%s (default %s).", o->help,
			 o->text_default);
	} else if (o->choices) {
		k = snprintf(tag, sizeof(tag), "--%s=", o->name);
		for (int c = 0; o->choices[c]; c++)
			k += snprintf(tag + k, sizeof(tag) - (size_t)k, "%s%s",
				      c ? "|" : "", o->choices[c]);
		snprintf(text, sizeof(text), "%s (default %s).", o->help,
			 o->choices[o->step_default]);
	} else {
		snprintf(tag, sizeof(tag), "--%s=N", o->name);
		k = snprintf(text, sizeof(text), "%s (default %ld", o->help,
			     o->step_default);
		if (o->free_default != o->step_default)
			k += snprintf(text + k, sizeof(text) - (size_t)k,
				      " in step mode, %ld in free mode",
				      o->free_default);
		char when[256];
		cli_when_text(o->when, when, sizeof(when));
		snprintf(text + k, sizeof(text) - (size_t)k, "; %ld to %ld%s%s).",
			 o->min, o->max, o->when ? "; only with " : "", when);
	}
	manpage_item(out, tag, text);
}

static void manpage_lesson(FILE *out, const struct lesson *l)
{
	fputs(".SS ", out);
	manpage_text(out, l->name);
	fputs("\n", out);
	manpage_text(out, l->summary);
	fputs(".\n", out);
	if (l->processes)
		fputs("Its units are real processes, P1, P2, ...: P1 first, "
		      "the others in the order they are forked.\n", out);
	for (int i = 0; l->processes && l->variants[i].name; i++)
		if (rt_unit_of(l, i) == 'T')
			fprintf(out, "Variant %s runs on threads instead: T1, "
				"T2, ... in the order the lesson creates "
				"them.\n", l->variants[i].name);
	manpage_variants(out, l);
	if (!l->options || !l->options[0].name)
		return;
	fputs(".PP\nIts own options:\n", out);
	for (int i = 0; l->options[i].name; i++)
		manpage_option(out, &l->options[i]);
}

/* The part of the page that no lesson writes: above the lessons. */
static const char manpage_head[] =
	".nh\n" /* options are not to be hyphenated */
	".SH NAME\n"
	"interleave\\-lessons \\- the lessons of interleave: each idea, its "
	"variants, its options\n"
	".SH SYNOPSIS\n"
	".B interleave\n"
	".I LESSON\n"
	".RI [ OPTIONS ]\n"
	".br\n"
	".BI interleave\\- LESSON\n"
	".RI [ OPTIONS ]\n"
	".SH DESCRIPTION\n"
	"Each lesson of\n"
	".BR interleave (1)\n"
	"is a small program about one idea of concurrency, in a few\n"
	"variants: the broken code and its fixes, side by side.\n"
	"It runs on real threads or processes\n"
	".RB ( \\-\\-mode=free )\n"
	"or one visible operation at a time under a deterministic scheduler\n"
	".RB ( \\-\\-mode=step ,\n"
	"the default), in its viewer, as plain text\n"
	".RB ( \\-\\-plain ,\n"
	".BR \\-\\-quiet ),\n"
	"or under every schedule\n"
	".RB ( \\-\\-explore ).\n"
	".PP\n"
	"This page lists every lesson, by topic, as the lessons describe\n"
	"themselves: its idea, its variants, and its own options with their\n"
	"defaults (step mode first) and ranges.\n"
	"Options are written\n"
	".BI \\-\\- NAME = VALUE\n"
	"or\n"
	".BI \\-\\- NAME \" \" VALUE\\fR.\n";

/* Below the lessons: what they share. */
static const char manpage_tail[] =
	".SH COMMON OPTIONS\n"
	"Every lesson also takes the options that all share:\n"
	".BR \\-\\-variant ,\n"
	".BR \\-\\-mode ,\n"
	".BR \\-\\-policy ,\n"
	".BR \\-\\-seed ,\n"
	".BR \\-\\-quantum ,\n"
	".BR \\-\\-depth ,\n"
	".BR \\-\\-schedule ,\n"
	".BR \\-\\-max\\-steps ,\n"
	".BR \\-\\-explore ,\n"
	".BR \\-\\-bound ,\n"
	".BR \\-\\-explore\\-limit ,\n"
	".BR \\-\\-explore\\-time ,\n"
	".BR \\-\\-view ,\n"
	".BR \\-\\-plain ,\n"
	".BR \\-\\-quiet ,\n"
	".BR \\-\\-quiz ,\n"
	".BR \\-\\-challenge ,\n"
	".BR \\-\\-record ,\n"
	".BR \\-\\-list\\-variants ,\n"
	".B \\-\\-help\n"
	"and\n"
	".BR \\-\\-version .\n"
	"They are described by\n"
	".B interleave\n"
	".I LESSON\n"
	".BR \\-\\-help ,\n"
	"and in the source tree in docs/cli.md;\n"
	".BR interleave (1)\n"
	"describes the launcher and\n"
	".BR \\-\\-record .\n"
	"Each option is given once; numbers are digits only.\n"
	".SH EXIT STATUS\n"
	".TP\n"
	".B 0\n"
	"The run completed; a race or a deadlock shown is not an error.\n"
	".TP\n"
	".B 1\n"
	"The run could not do its job: its output or its\n"
	".B \\-\\-record\n"
	"file could not be written, manual input ended before the run did,\n"
	"or a runtime failure.\n"
	".TP\n"
	".B 2\n"
	"Bad usage: one line on standard error names the option and what it\n"
	"accepts.\n"
	".TP\n"
	".BI 128+ N\n"
	"The viewer was ended by signal\n"
	".IR N ,\n"
	"the terminal restored.\n"
	".SH FILES\n"
	".TP\n"
	".I $XDG_STATE_HOME/interleave/challenges\n"
	"The challenges met, one\n"
	".RI \\(dq LESSON \" \" N \\(dq\n"
	"a line, added when\n"
	".BI \\-\\-challenge= N\n"
	"is met, in plain text or in the viewer.\n"
	".TP\n"
	".I $XDG_STATE_HOME/interleave/quizzes\n"
	"The questions answered, one\n"
	".RI \\(dq LESSON \" \" N \\(dq\n"
	"a line\n"
	".RI ( N :\n"
	"the question's place in the lesson's table, from 1), added when an\n"
	"answer to\n"
	".B \\-\\-quiz\n"
	"or the viewer's p is judged, right or wrong.\n"
	".PP\n"
	"Both are under\n"
	".I ~/.local/state/interleave\n"
	"when\n"
	".B XDG_STATE_HOME\n"
	"is not an absolute path, and are read by the launcher's menu to mark\n"
	"what was done.\n"
	"A file that cannot be written is said, one line on standard error (on\n"
	"the viewer's message line), and changes neither the output nor the\n"
	"exit status; see\n"
	".BR interleave (1).\n"
	".SH SEE ALSO\n"
	".BR interleave (1).\n"
	"In the source tree, docs/lessons/\\fILESSON\\fP.md\n"
	"walks through each lesson.\n";

void manpage_lessons(const struct lesson *const *lessons, FILE *out)
{
	struct catalog_row rows[1024];
	int n = catalog_rows(lessons, rows, 1024);
	fprintf(out, ".TH INTERLEAVE\\-LESSONS 7 \"\" \"interleave %s\" "
		"\"Miscellaneous Information Manual\"\n", INTERLEAVE_VERSION);
	fputs(manpage_head, out);
	for (int i = 0; i < n && i < 1024; i++) {
		if (rows[i].kind == CATALOG_TOPIC) {
			fputs(".SH \"", out);
			for (const char *t = rows[i].topic; *t; t++)
				fputc(*t >= 'a' && *t <= 'z' ? *t - 'a' + 'A'
							     : *t, out);
			fputs("\"\n", out);
		} else if (rows[i].kind == CATALOG_LESSON) {
			manpage_lesson(out, rows[i].lesson);
		}
	}
	fputs(manpage_tail, out);
}
