/*
 * catalog.c: the lessons in the order the launcher shows them.
 *
 * Grouped by the topic each lesson's descriptor names, topics in the order
 * a course takes them; a lesson that names no topic is still shown, under
 * "other", so that a new lesson appears without anyone editing this file.
 */
#include <stdlib.h>
#include <string.h>

#include "launcher.h"

#define CATALOG_MAX_LESSONS 256

/* Topics a course takes in this order; any other comes after, by name. */
static const char *const catalog_order[] = { "threads", "synchronisation",
					     "processes" };
#define CATALOG_NORDER (int)(sizeof(catalog_order) / sizeof(catalog_order[0]))

const char *catalog_topic(const struct lesson *l)
{
	return l->topic && l->topic[0] ? l->topic : "other";
}

/* Where a topic goes: its place in catalog_order, else after them all. */
static int catalog_rank(const char *topic)
{
	for (int i = 0; i < CATALOG_NORDER; i++)
		if (strcmp(topic, catalog_order[i]) == 0)
			return i;
	return strcmp(topic, "other") == 0 ? CATALOG_NORDER + 1
					   : CATALOG_NORDER;
}

static int catalog_cmp(const void *a, const void *b)
{
	const struct lesson *x = *(const struct lesson *const *)a;
	const struct lesson *y = *(const struct lesson *const *)b;
	const char *tx = catalog_topic(x), *ty = catalog_topic(y);
	int rx = catalog_rank(tx), ry = catalog_rank(ty);
	if (rx != ry)
		return rx < ry ? -1 : 1;
	int c = strcmp(tx, ty);
	return c ? c : strcmp(x->name, y->name);
}

/* The lessons in order into sorted (at most CATALOG_MAX_LESSONS). */
static int catalog_sorted(const struct lesson *const *lessons,
			  const struct lesson **sorted)
{
	int n = 0;
	while (n < CATALOG_MAX_LESSONS && lessons[n]) {
		sorted[n] = lessons[n];
		n++;
	}
	if (n > 1)
		qsort(sorted, (size_t)n, sizeof(*sorted), catalog_cmp);
	return n;
}

static void catalog_put(struct catalog_row *rows, int max, int i,
			struct catalog_row row)
{
	if (i < max)
		rows[i] = row;
}

int catalog_rows(const struct lesson *const *lessons, struct catalog_row *rows,
		 int max)
{
	const struct lesson *sorted[CATALOG_MAX_LESSONS] = { NULL };
	int n = catalog_sorted(lessons, sorted), k = 0;
	const char *topic = NULL;
	for (int i = 0; i < n; i++) {
		const struct lesson *l = sorted[i];
		const char *t = catalog_topic(l);
		if (!topic || strcmp(topic, t) != 0)
			catalog_put(rows, max, k++,
				    (struct catalog_row){ CATALOG_TOPIC, t,
							  NULL, 0 });
		topic = t;
		catalog_put(rows, max, k++,
			    (struct catalog_row){ CATALOG_LESSON, t, l, 0 });
		for (int v = 0; l->variants && l->variants[v].name; v++)
			catalog_put(rows, max, k++,
				    (struct catalog_row){ CATALOG_VARIANT, t,
							  l, v });
		for (int c = 0; l->challenges && l->challenges[c].goal; c++)
			catalog_put(rows, max, k++,
				    (struct catalog_row){ CATALOG_CHALLENGE, t,
							  l, c });
	}
	return k;
}

const struct lesson *catalog_find(const struct lesson *const *lessons,
				  const char *name)
{
	for (int i = 0; lessons[i]; i++)
		if (strcmp(lessons[i]->name, name) == 0)
			return lessons[i];
	return NULL;
}

void catalog_print(const struct lesson *const *lessons, FILE *out)
{
	struct catalog_row rows[1024];
	int n = catalog_rows(lessons, rows, 1024);
	for (int i = 0; i < n && i < 1024; i++) {
		const struct catalog_row *r = &rows[i];
		const struct lesson *l = r->lesson;
		switch (r->kind) {
		case CATALOG_TOPIC:
			fprintf(out, "%s%s:\n", i ? "\n" : "", r->topic);
			break;
		case CATALOG_LESSON:
			fprintf(out, "  %-12s %s\n", l->name, l->summary);
			break;
		case CATALOG_VARIANT:
			fprintf(out, "    %-15s %s\n",
				l->variants[r->variant].name,
				l->variants[r->variant].summary);
			break;
		case CATALOG_CHALLENGE:
			break;
		}
	}
}
