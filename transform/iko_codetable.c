/*
 * iko_codetable.c — sorted vendor → standard code tables.
 */
#include "iko_codetable.h"

#include "iko_buf.h"
#include "iko_error.h"

#include <stdlib.h>
#include <string.h>

struct iko_code_table {
	char *name;
	iko_unmapped_policy policy;
	size_t n, cap;
	char **from; /* sorted */
	char **to;
};

static const char *const policy_names[] = {
	[IKO_UNMAPPED_REJECT] = "reject",
	[IKO_UNMAPPED_WARN] = "warn",
	[IKO_UNMAPPED_KEEP] = "keep",
};
_Static_assert(sizeof(policy_names) / sizeof(policy_names[0]) == IKO_UNMAPPED_COUNT_,
	       "policy_names must cover iko_unmapped_policy");

int iko_unmapped_policy_parse(const char *s)
{
	int i;

	for (i = 0; i < IKO_UNMAPPED_COUNT_; i++)
		if (!strcmp(policy_names[i], s))
			return i;
	return -1;
}

const char *iko_unmapped_policy_name(iko_unmapped_policy p)
{
	return (unsigned)p < IKO_UNMAPPED_COUNT_ ? policy_names[p] : "?";
}

int iko_code_table_new(iko_code_table **out, const char *name,
		       iko_unmapped_policy policy)
{
	iko_code_table *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t || !(t->name = iko_strdup(name))) {
		free(t);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	t->policy = policy;
	*out = t;
	return 0;
}

/* Index of from in the sorted array, or -(insertion point) - 1. */
static long find(const iko_code_table *t, const char *from)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->from[mid], from);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

int iko_code_table_set(iko_code_table *t, const char *from, const char *to)
{
	long at = find(t, from);
	char *f, *v = iko_strdup(to);
	size_t pos;

	if (!v)
		return IKO_ENOMEM;
	if (at >= 0) {
		free(t->to[at]);
		t->to[at] = v;
		return 1;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		char **a = realloc(t->from, nc * sizeof(*a)), **b;
		if (!a) {
			free(v);
			return iko_error_set(IKO_ENOMEM, "out of memory");
		}
		t->from = a;
		b = realloc(t->to, nc * sizeof(*b));
		if (!b) {
			free(v);
			return iko_error_set(IKO_ENOMEM, "out of memory");
		}
		t->to = b;
		t->cap = nc;
	}
	if (!(f = iko_strdup(from))) {
		free(v);
		return IKO_ENOMEM;
	}
	pos = (size_t)(-at - 1);
	memmove(t->from + pos + 1, t->from + pos, (t->n - pos) * sizeof(char *));
	memmove(t->to + pos + 1, t->to + pos, (t->n - pos) * sizeof(char *));
	t->from[pos] = f;
	t->to[pos] = v;
	t->n++;
	return 0;
}

void iko_code_table_set_policy(iko_code_table *t, iko_unmapped_policy p)
{
	t->policy = p;
}

iko_unmapped_policy iko_code_table_policy(const iko_code_table *t)
{
	return t->policy;
}

const char *iko_code_table_name(const iko_code_table *t)
{
	return t->name;
}

size_t iko_code_table_size(const iko_code_table *t)
{
	return t->n;
}

int iko_code_table_map(const iko_code_table *t, const char *in, const char **out)
{
	long at = find(t, in);

	if (at >= 0) {
		*out = t->to[at];
		return 1;
	}
	*out = t->policy == IKO_UNMAPPED_REJECT ? NULL : in;
	return 0;
}

void iko_code_table_free(iko_code_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->from[i]);
		free(t->to[i]);
	}
	free(t->from);
	free(t->to);
	free(t->name);
	free(t);
}
