/*
 * iko_packrules.c — a pack's extra rules (see iko_packrules.h).
 */
#include "iko_packrules.h"

#include "iko_error.h"
#include "iko_pack_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cond {
	int col;
	char **vals;
	size_t n;
} cond;

typedef struct rule {
	char *name, *label;
	int line;
	int col;              /* pattern / equals column */
	pcre2_code *re;
	cond *when;
	size_t nwhen;
	int *require;
	size_t nrequire;
	cond *values;
	size_t nvalues;
	int *sum;
	size_t nsum;
} rule;

struct iko_packrules {
	const iko_table *t;
	rule *r;
	size_t n;
};

static int col_index(const iko_table *t, const char *name)
{
	size_t i;

	for (i = 0; name && i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return (int)i;
	return -1;
}

static int bad(const struct iko_pack *p, const iko_yaml_node *n, const char *what, const char *name)
{
	return iko_error_set(IKO_EPARSE, "pack %s: rules line %d: %s%s", p->name, n->line, what,
			     name ? name : "");
}

static int col_of(const struct iko_pack *p, const iko_table *t, const iko_yaml_node *n,
		  const char *name, int *out)
{
	*out = col_index(t, name);
	if (*out < 0)
		return iko_error_set(IKO_EPARSE, "pack %s: rules line %d: table %s has no column %s",
				     p->name, n->line, t->name, name ? name : "(none)");
	return 0;
}

/* when: / values: {column: [v, …]} */
static int conds(const struct iko_pack *p, const iko_table *t, const iko_yaml_node *m,
		 cond **out, size_t *n)
{
	size_t i, k, cnt = iko_yaml_count(m);
	int rc;

	if (!m)
		return 0;
	if (m->kind != IKO_YAML_MAP)
		return bad(p, m, "when:/values: must map columns to lists of values", NULL);
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!*out)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	*n = cnt;
	for (i = 0; i < cnt; i++) {
		const iko_yaml_node *v = iko_yaml_value_at(m, i);
		cond *c = &(*out)[i];
		if ((rc = col_of(p, t, m, iko_yaml_key_at(m, i), &c->col)))
			return rc;
		c->n = v->kind == IKO_YAML_SEQ ? iko_yaml_count(v) : 1;
		c->vals = calloc(c->n, sizeof(char *));
		if (!c->vals)
			return iko_error_set(IKO_ENOMEM, "out of memory");
		for (k = 0; k < c->n; k++) {
			const char *s = iko_yaml_text(v->kind == IKO_YAML_SEQ ? iko_yaml_at(v, k) : v);
			if (!s || !(c->vals[k] = iko_strdup(s)))
				return bad(p, v, "values must be scalars", NULL);
		}
	}
	return 0;
}

static int cols(const struct iko_pack *p, const iko_table *t, const iko_yaml_node *s, int **out,
		size_t *n)
{
	size_t i;
	int rc;

	if (!s)
		return 0;
	if (s->kind != IKO_YAML_SEQ)
		return bad(p, s, "require:/sum: must be a list of columns", NULL);
	*n = iko_yaml_count(s);
	*out = calloc(*n ? *n : 1, sizeof(int));
	if (!*out)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	for (i = 0; i < *n; i++)
		if ((rc = col_of(p, t, s, iko_yaml_text(iko_yaml_at(s, i)), &(*out)[i])))
			return rc;
	return 0;
}

static int load_rule(rule *r, const struct iko_pack *p, const iko_table *t, const iko_yaml_node *n)
{
	const char *pat = iko_yaml_str(n, "pattern", NULL), *eq = iko_yaml_str(n, "equals", NULL);
	int rc, forms;

	r->line = n->line;
	r->col = -1;
	r->name = iko_strdup(iko_yaml_str(n, "name", "(unnamed)"));
	r->label = iko_strdup(iko_yaml_str(n, "label", ""));
	if (!r->name || !r->label)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	if ((rc = conds(p, t, iko_yaml_get(n, "when"), &r->when, &r->nwhen)) ||
	    (rc = conds(p, t, iko_yaml_get(n, "values"), &r->values, &r->nvalues)) ||
	    (rc = cols(p, t, iko_yaml_get(n, "require"), &r->require, &r->nrequire)) ||
	    (rc = cols(p, t, iko_yaml_get(n, "sum"), &r->sum, &r->nsum)))
		return rc;
	forms = (pat != NULL) + (r->nrequire > 0) + (r->nvalues > 0) + (r->nsum > 0);
	if (forms != 1)
		return bad(p, n, "a rule needs exactly one of pattern:, require:, values:, sum: — rule ", r->name);
	if ((r->nsum > 0) != (eq != NULL))
		return bad(p, n, "sum: and equals: go together — rule ", r->name);
	if (pat || eq) {
		if ((rc = col_of(p, t, n, pat ? iko_yaml_str(n, "column", NULL) : eq, &r->col)))
			return rc;
	}
	if (pat) {
		int err;
		PCRE2_SIZE off;
		r->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
		if (!r->re) {
			PCRE2_UCHAR msg[128];
			pcre2_get_error_message(err, msg, sizeof(msg));
			return iko_error_set(IKO_EPARSE, "pack %s: rules line %d: rule %s: bad pattern at %zu: %s",
					     p->name, n->line, r->name, (size_t)off, (const char *)msg);
		}
		(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE); /* interpreted where there is no JIT */
	}
	return 0;
}

int iko_packrules_load(iko_packrules **out, const struct iko_pack *p, const iko_table *t)
{
	const iko_yaml_node *rules = iko_yaml_get(iko_yaml_root(p->doc), "rules");
	iko_packrules *r;
	size_t i;
	int rc = 0;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	r->t = t;
	if (rules && rules->kind != IKO_YAML_SEQ) {
		iko_packrules_free(r);
		return bad(p, rules, "rules: must be a list", NULL);
	}
	r->r = calloc(iko_yaml_count(rules) + 1, sizeof(rule));
	if (!r->r) {
		iko_packrules_free(r);
		return iko_error_set(IKO_ENOMEM, "out of memory");
	}
	for (i = 0; i < iko_yaml_count(rules) && !rc; i++) {
		const iko_yaml_node *n = iko_yaml_at(rules, i);
		const char *table = iko_yaml_str(n, "table", NULL);
		if (!table) {
			rc = bad(p, n, "a rule needs table:", NULL);
			break;
		}
		if (strcmp(table, t->name))
			continue;
		rc = load_rule(&r->r[r->n++], p, t, n);
	}
	if (rc) {
		iko_packrules_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void free_conds(cond *c, size_t n)
{
	size_t i, k;

	for (i = 0; c && i < n; i++) {
		for (k = 0; k < c[i].n; k++)
			free(c[i].vals[k]);
		free(c[i].vals);
	}
	free(c);
}

void iko_packrules_free(iko_packrules *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->r && i < r->n; i++) {
		rule *x = &r->r[i];
		free(x->name);
		free(x->label);
		if (x->re)
			pcre2_code_free(x->re);
		free_conds(x->when, x->nwhen);
		free_conds(x->values, x->nvalues);
		free(x->require);
		free(x->sum);
	}
	free(r->r);
	free(r);
}

size_t iko_packrules_count(const iko_packrules *r)
{
	return r ? r->n : 0;
}

static int in_list(const cond *c, const char *v)
{
	size_t k;

	for (k = 0; k < c->n; k++)
		if (!strcmp(c->vals[k], v))
			return 1;
	return 0;
}

static int to_ll(const char *s, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return !*s || *end || errno;
}

/* detail = "rule NAME (label): COLUMN WHY"; returns 1 (or IKO_ENOMEM). */
static int fail(const rule *x, iko_buf *detail, const char *column, const char *why)
{
	iko_buf_clear(detail);
	if (iko_buf_printf(detail, "rule %s%s%s%s: %s %s", x->name, *x->label ? " (" : "", x->label,
			   *x->label ? ")" : "", column, why))
		return IKO_ENOMEM;
	return 1;
}

int iko_packrules_check(const iko_packrules *r, const iko_buf *vals, const char **column,
			iko_buf *detail)
{
	const iko_table *t = r->t;
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const rule *x = &r->r[i];
		int applies = 1;

		for (k = 0; k < x->nwhen && applies; k++)
			applies = in_list(&x->when[k], iko_buf_cstr(&vals[x->when[k].col]));
		if (!applies)
			continue;
		if (x->re) {
			const iko_buf *v = &vals[x->col];
			pcre2_match_data *md;
			int m;
			if (!v->len)
				continue;
			md = pcre2_match_data_create_from_pattern(x->re, NULL);
			if (!md)
				return iko_error_set(IKO_ENOMEM, "out of memory");
			m = pcre2_match(x->re, (PCRE2_SPTR)v->ptr, v->len, 0, 0, md, NULL);
			pcre2_match_data_free(md);
			if (m < 0) {
				*column = t->cols[x->col].name;
				return fail(x, detail, *column, "does not match the rule's pattern");
			}
		}
		for (k = 0; k < x->nrequire; k++)
			if (!vals[x->require[k]].len) {
				*column = t->cols[x->require[k]].name;
				return fail(x, detail, *column, "is required here");
			}
		for (k = 0; k < x->nvalues; k++)
			if (!in_list(&x->values[k], iko_buf_cstr(&vals[x->values[k].col]))) {
				*column = t->cols[x->values[k].col].name;
				return fail(x, detail, *column, "is not one of the values the rule allows");
			}
		if (x->nsum) {
			long long sum = 0, v, want;
			for (k = 0; k < x->nsum; k++) {
				if (to_ll(iko_buf_cstr(&vals[x->sum[k]]), &v)) {
					*column = t->cols[x->sum[k]].name;
					return fail(x, detail, *column, "is not an integer");
				}
				sum += v;
			}
			*column = t->cols[x->col].name;
			if (to_ll(iko_buf_cstr(&vals[x->col]), &want))
				return fail(x, detail, *column, "is not an integer");
			if (sum != want) {
				char why[96];
				snprintf(why, sizeof(why), "is %lld, the sum of the rule's columns is %lld",
					 want, sum);
				return fail(x, detail, *column, why);
			}
		}
	}
	return 0;
}
