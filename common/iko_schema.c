/*
 * iko_schema.c — load schema/<business>.yaml into an iko_schema.
 *
 * Every error names the file, the line and the offending key, because the
 * people editing schema files are migration engineers, not C programmers.
 */
#include "iko_schema.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_strmap.h"
#include "iko_yaml.h"

#include <stdlib.h>
#include <string.h>

static const char *const col_type_names[] = {
	[IKO_COL_TEXT] = "text", [IKO_COL_CODE] = "code", [IKO_COL_DATE] = "date",
	[IKO_COL_INTEGER] = "integer", [IKO_COL_DECIMAL] = "decimal",
	[IKO_COL_FLAG] = "flag",
};
_Static_assert(sizeof(col_type_names) / sizeof(col_type_names[0]) == IKO_COL_TYPE_COUNT_,
	       "col_type_names must cover iko_col_type");

static const char *const check_names[] = {
	[IKO_CHECK_NONE] = "none", [IKO_CHECK_MY_NUMBER] = "my_number",
	[IKO_CHECK_LG_CODE] = "lg_code", [IKO_CHECK_CORP_NUMBER] = "corp_number",
};
_Static_assert(sizeof(check_names) / sizeof(check_names[0]) == IKO_CHECK_KIND_COUNT_,
	       "check_names must cover iko_check_kind");

static const char *const measure_names[] = {
	[IKO_MEASURE_COUNT] = "count", [IKO_MEASURE_SUM] = "sum",
	[IKO_MEASURE_DISTINCT] = "distinct", [IKO_MEASURE_MIN] = "min",
	[IKO_MEASURE_MAX] = "max",
};
_Static_assert(sizeof(measure_names) / sizeof(measure_names[0]) == IKO_MEASURE_KIND_COUNT_,
	       "measure_names must cover iko_measure_kind");

const char *iko_col_type_name(iko_col_type t)
{
	return (unsigned)t < IKO_COL_TYPE_COUNT_ ? col_type_names[t] : "?";
}

const char *iko_check_kind_name(iko_check_kind k)
{
	return (unsigned)k < IKO_CHECK_KIND_COUNT_ ? check_names[k] : "?";
}

const char *iko_measure_kind_name(iko_measure_kind k)
{
	return (unsigned)k < IKO_MEASURE_KIND_COUNT_ ? measure_names[k] : "?";
}

static int lookup_name(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

char *iko_data_path(const char *rel)
{
	const char *home = getenv("IKO_HOME");

	return iko_path_join(home && *home ? home : IKO_DATADIR, rel);
}

/* Error helper: "<file>:<line>: <msg>". */
static int perr(const iko_yaml_doc *doc, const iko_yaml_node *n, const char *msg,
		const char *arg)
{
	return iko_error_set(IKO_EPARSE, "%s:%d: %s%s%s", iko_yaml_name(doc),
			     n ? n->line : 0, msg, arg ? " " : "", arg ? arg : "");
}

static char *dup_req(const iko_yaml_doc *doc, const iko_yaml_node *map,
		     const char *key, int *rc)
{
	const char *v = iko_yaml_str(map, key, NULL);
	char *p;

	if (*rc)
		return NULL;
	if (!v) {
		*rc = perr(doc, map, "missing key:", key);
		return NULL;
	}
	p = iko_strdup(v);
	if (!p)
		*rc = IKO_ENOMEM;
	return p;
}

static char *dup_opt(const iko_yaml_node *map, const char *key, int *rc)
{
	const char *v = iko_yaml_str(map, key, NULL);
	char *p;

	if (*rc || !v)
		return NULL;
	p = iko_strdup(v);
	if (!p)
		*rc = IKO_ENOMEM;
	return p;
}

/* A scalar or a sequence of scalars → array of strings. */
static int str_list(char ***out, size_t *n, const iko_yaml_doc *doc,
		    const iko_yaml_node *node)
{
	size_t i, count = node->kind == IKO_YAML_SCALAR ? 1 : iko_yaml_count(node);

	*out = NULL;
	*n = 0;
	if (node->kind == IKO_YAML_MAP)
		return perr(doc, node, "expected a list of values", NULL);
	*out = calloc(count ? count : 1, sizeof(char *));
	if (!*out)
		return IKO_ENOMEM;
	for (i = 0; i < count; i++) {
		const iko_yaml_node *it = node->kind == IKO_YAML_SCALAR ? node
									: iko_yaml_at(node, i);
		if (it->kind != IKO_YAML_SCALAR)
			return perr(doc, it, "expected a plain value", NULL);
		if (!((*out)[i] = iko_strdup(it->value)))
			return IKO_ENOMEM;
		*n = i + 1;
	}
	return 0;
}

/*
 * Lists longer than this are looked up through a hash index (a schema may
 * list thousands of codes: every 町字 of a municipality, checked for every
 * record), shorter ones scanned.
 */
#define CODE_INDEX_MIN 16

static int index_codes(iko_code_list *cl)
{
	iko_strmap_entry *e;
	size_t j;
	int rc;

	if (cl->n <= CODE_INDEX_MIN)
		return 0;
	if ((rc = iko_strmap_new(&cl->index)))
		return rc;
	for (j = 0; j < cl->n; j++) {
		if ((rc = iko_strmap_upsert(cl->index, cl->codes[j], strlen(cl->codes[j]), &e)))
			return rc;
		e->a = (long long)j + 1; /* each code once: the YAML loader refuses a key twice */
	}
	return 0;
}

static int load_codes(iko_schema *s, const iko_yaml_doc *doc,
		      const iko_yaml_node *codes)
{
	size_t i, j;
	int rc;

	if (!codes)
		return 0;
	if (codes->kind != IKO_YAML_MAP)
		return perr(doc, codes, "codes: expected a mapping", NULL);
	s->codes = calloc(codes->n ? codes->n : 1, sizeof(*s->codes));
	if (!s->codes)
		return IKO_ENOMEM;
	for (i = 0; i < codes->n; i++) {
		const iko_yaml_node *list = iko_yaml_value_at(codes, i);
		iko_code_list *cl = &s->codes[i];

		s->ncodes = i + 1;
		if (!(cl->name = iko_strdup(iko_yaml_key_at(codes, i))))
			return IKO_ENOMEM;
		if (list->kind != IKO_YAML_MAP)
			return perr(doc, list, "code list must map code to label:", cl->name);
		cl->codes = calloc(list->n + 1, sizeof(char *));
		cl->labels = calloc(list->n + 1, sizeof(char *));
		if (!cl->codes || !cl->labels)
			return IKO_ENOMEM;
		for (j = 0; j < list->n; j++) {
			cl->codes[j] = iko_strdup(iko_yaml_key_at(list, j));
			cl->labels[j] = iko_strdup(iko_yaml_text(iko_yaml_value_at(list, j)));
			if (!cl->codes[j] || !cl->labels[j])
				return IKO_ENOMEM;
			cl->n = j + 1;
		}
		if ((rc = index_codes(cl)))
			return rc;
	}
	return 0;
}

static const iko_code_list *find_codes(const iko_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ncodes; i++)
		if (!strcmp(s->codes[i].name, name))
			return &s->codes[i];
	return NULL;
}

static int load_column(iko_column *c, const iko_schema *s, const iko_yaml_doc *doc,
		       const iko_yaml_node *n)
{
	const char *type, *codes, *check;
	long long len = 0, prec = 0, scale = 0;
	int rc = 0, t;

	if (n->kind != IKO_YAML_MAP)
		return perr(doc, n, "column: expected a mapping", NULL);
	c->name = dup_req(doc, n, "name", &rc);
	c->label = dup_req(doc, n, "label", &rc);
	c->pattern = dup_opt(n, "pattern", &rc);
	if (rc)
		return rc;
	type = iko_yaml_str(n, "type", "text");
	t = lookup_name(col_type_names, IKO_COL_TYPE_COUNT_, type);
	if (t < 0)
		return perr(doc, n, "unknown column type:", type);
	c->type = (iko_col_type)t;
	if (iko_yaml_int(&len, n, "length", 0) || iko_yaml_int(&prec, n, "precision", 18) ||
	    iko_yaml_int(&scale, n, "scale", 0) || iko_yaml_bool(&c->required, n, "required", 0) ||
	    iko_yaml_bool(&c->sensitive, n, "sensitive", 0))
		return perr(doc, n, iko_error_message(), NULL);
	if (len < 0 || len > 10000 || prec < 1 || prec > 38 || scale < 0 || scale > prec)
		return perr(doc, n, "length, precision or scale out of range for", c->name);
	c->length = (int)len;
	c->precision = (int)prec;
	c->scale = (int)scale;
	codes = iko_yaml_str(n, "codes", NULL);
	if (codes && !(c->codes = find_codes(s, codes)))
		return perr(doc, n, "unknown code list:", codes);
	check = iko_yaml_str(n, "check", "none");
	t = lookup_name(check_names, IKO_CHECK_KIND_COUNT_, check);
	if (t < 0)
		return perr(doc, n, "unknown check kind:", check);
	c->check = (iko_check_kind)t;
	return 0;
}

static int col_exists(const iko_table *t, const iko_yaml_doc *doc,
		      const iko_yaml_node *at, const char *name)
{
	if (iko_table_column(t, name) < 0)
		return perr(doc, at, "unknown column:", name);
	return 0;
}

static int load_measure(iko_measure *m, const iko_table *t, const iko_yaml_doc *doc,
			const iko_yaml_node *n)
{
	const iko_yaml_node *where, *group, *tol;
	const char *kind;
	size_t i;
	int rc = 0, k;

	if (n->kind != IKO_YAML_MAP)
		return perr(doc, n, "measure: expected a mapping", NULL);
	m->name = dup_req(doc, n, "name", &rc);
	m->label = dup_req(doc, n, "label", &rc);
	m->column = dup_opt(n, "column", &rc);
	if (rc)
		return rc;
	kind = iko_yaml_str(n, "kind", "count");
	k = lookup_name(measure_names, IKO_MEASURE_KIND_COUNT_, kind);
	if (k < 0)
		return perr(doc, n, "unknown measure kind:", kind);
	m->kind = (iko_measure_kind)k;
	if (m->kind != IKO_MEASURE_COUNT && !m->column)
		return perr(doc, n, "measure needs a column:", m->name);
	if (m->column && (rc = col_exists(t, doc, n, m->column)))
		return rc;
	group = iko_yaml_get(n, "group_by");
	if (group) {
		if ((rc = str_list(&m->group_by, &m->ngroup, doc, group)))
			return rc;
		for (i = 0; i < m->ngroup; i++) {
			/* age_band: a virtual group from birth_date (iko_totals.c) */
			if (!strcmp(m->group_by[i], "age_band")) {
				if ((rc = col_exists(t, doc, group, "birth_date")))
					return rc;
				continue;
			}
			if ((rc = col_exists(t, doc, group, m->group_by[i])))
				return rc;
		}
	}
	where = iko_yaml_get(n, "where");
	if (where) {
		if (where->kind != IKO_YAML_MAP)
			return perr(doc, where, "where: expected column: [values]", NULL);
		m->filters = calloc(where->n ? where->n : 1, sizeof(*m->filters));
		if (!m->filters)
			return IKO_ENOMEM;
		for (i = 0; i < where->n; i++) {
			iko_filter *f = &m->filters[i];
			m->nfilter = i + 1;
			if (!(f->column = iko_strdup(iko_yaml_key_at(where, i))))
				return IKO_ENOMEM;
			if ((rc = col_exists(t, doc, where, f->column)) ||
			    (rc = str_list(&f->values, &f->n, doc, iko_yaml_value_at(where, i))))
				return rc;
		}
	}
	tol = iko_yaml_get(n, "tolerance");
	if (tol) {
		const char *a = iko_yaml_str(tol, "abs", "0"), *r = iko_yaml_str(tol, "rel", "0");
		char *e1, *e2;
		m->tolerance_abs = strtod(a, &e1);
		m->tolerance_rel = strtod(r, &e2);
		if (*e1 || *e2 || m->tolerance_abs < 0 || m->tolerance_rel < 0)
			return perr(doc, tol, "tolerance: abs and rel must be non-negative numbers", NULL);
	}
	return 0;
}

static int load_table(iko_table *t, const iko_schema *s, const iko_yaml_doc *doc,
		      const iko_yaml_node *n)
{
	const iko_yaml_node *cols, *key, *rules, *measures;
	char **keys = NULL;
	size_t i, nkeys = 0;
	int rc = 0;

	if (n->kind != IKO_YAML_MAP)
		return perr(doc, n, "table: expected a mapping", NULL);
	t->name = dup_req(doc, n, "name", &rc);
	t->label = dup_req(doc, n, "label", &rc);
	if (rc)
		return rc;
	cols = iko_yaml_get(n, "columns");
	if (!cols || cols->kind != IKO_YAML_SEQ || cols->n == 0)
		return perr(doc, n, "table needs a list of columns:", t->name);
	t->cols = calloc(cols->n, sizeof(*t->cols));
	if (!t->cols)
		return IKO_ENOMEM;
	for (i = 0; i < cols->n; i++) {
		t->ncols = i + 1;
		if ((rc = load_column(&t->cols[i], s, doc, iko_yaml_at(cols, i))))
			return rc;
		if (iko_table_column(t, t->cols[i].name) != (int)i)
			return perr(doc, iko_yaml_at(cols, i), "duplicate column:", t->cols[i].name);
	}
	if (strcmp(t->cols[0].name, "lg_code"))
		return perr(doc, cols, "the first column must be lg_code in table", t->name);
	key = iko_yaml_get(n, "key");
	if (!key)
		return perr(doc, n, "table needs a key:", t->name);
	if ((rc = str_list(&keys, &nkeys, doc, key)))
		goto done;
	t->key = calloc(nkeys ? nkeys : 1, sizeof(int));
	if (!t->key) {
		rc = IKO_ENOMEM;
		goto done;
	}
	for (i = 0; i < nkeys; i++) {
		if ((rc = col_exists(t, doc, key, keys[i])))
			goto done;
		t->key[i] = iko_table_column(t, keys[i]);
		t->nkey = i + 1;
	}
	if (nkeys == 0 || t->key[0] != 0) {
		rc = perr(doc, key, "key must start with lg_code in table", t->name);
		goto done;
	}
	rules = iko_yaml_get(n, "rules");
	if (rules && (rc = str_list(&t->rules, &t->nrules, doc, rules)))
		goto done;
	measures = iko_yaml_get(n, "measures");
	if (measures && measures->kind == IKO_YAML_SEQ) {
		t->measures = calloc(measures->n ? measures->n : 1, sizeof(*t->measures));
		if (!t->measures) {
			rc = IKO_ENOMEM;
			goto done;
		}
		for (i = 0; i < measures->n; i++) {
			t->nmeasures = i + 1;
			if ((rc = load_measure(&t->measures[i], t, doc, iko_yaml_at(measures, i))))
				goto done;
		}
	}
done:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	return rc;
}

int iko_schema_load(iko_schema **out, const char *path)
{
	iko_yaml_doc *doc = NULL;
	const iko_yaml_node *root, *tables;
	iko_schema *s = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = iko_yaml_load_file(&doc, path)))
		return rc;
	root = iko_yaml_root(doc);
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = IKO_ENOMEM;
		goto done;
	}
	s->path = iko_strdup(path);
	s->name = dup_req(doc, root, "schema", &rc);
	s->label = dup_req(doc, root, "label", &rc);
	s->version = dup_req(doc, root, "version", &rc);
	if (rc || !s->path)
		goto done;
	if ((rc = load_codes(s, doc, iko_yaml_get(root, "codes"))))
		goto done;
	tables = iko_yaml_get(root, "tables");
	if (!tables || tables->kind != IKO_YAML_SEQ || tables->n == 0) {
		rc = perr(doc, root, "schema needs a list of tables", NULL);
		goto done;
	}
	s->tables = calloc(tables->n, sizeof(*s->tables));
	if (!s->tables) {
		rc = IKO_ENOMEM;
		goto done;
	}
	for (i = 0; i < tables->n; i++) {
		s->ntables = i + 1;
		if ((rc = load_table(&s->tables[i], s, doc, iko_yaml_at(tables, i))))
			goto done;
	}
done:
	if (rc == IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory loading %s", path);
	iko_yaml_free(doc);
	if (rc) {
		iko_schema_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int iko_schema_load_named(iko_schema **out, const char *name)
{
	char *rel = iko_aprintf("schema/%s.yaml", name), *path;
	int rc;

	*out = NULL;
	if (!rel)
		return IKO_ENOMEM;
	path = iko_data_path(rel);
	free(rel);
	if (!path)
		return IKO_ENOMEM;
	if (!iko_path_exists(path)) {
		rc = iko_error_set(IKO_ENOTFOUND, "no schema named %s (%s)", name, path);
		free(path);
		return rc;
	}
	rc = iko_schema_load(out, path);
	free(path);
	return rc;
}

int iko_schema_load_spec(iko_schema **out, const char *spec)
{
	size_t n = strlen(spec);

	if (strchr(spec, '/') || (n > 5 && !strcmp(spec + n - 5, ".yaml")) ||
	    (n > 4 && !strcmp(spec + n - 4, ".yml")))
		return iko_schema_load(out, spec);
	return iko_schema_load_named(out, spec);
}

static void free_strs(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void table_release(iko_table *t)
{
	size_t i, j;

	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].label);
		free(t->cols[i].pattern);
	}
	free(t->cols);
	free(t->key);
	free_strs(t->rules, t->nrules);
	for (i = 0; i < t->nmeasures; i++) {
		iko_measure *m = &t->measures[i];
		free(m->name);
		free(m->label);
		free(m->column);
		free_strs(m->group_by, m->ngroup);
		for (j = 0; j < m->nfilter; j++) {
			free(m->filters[j].column);
			free_strs(m->filters[j].values, m->filters[j].n);
		}
		free(m->filters);
	}
	free(t->measures);
	free(t->name);
	free(t->label);
}

void iko_schema_free(iko_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->tables && i < s->ntables; i++)
		table_release(&s->tables[i]);
	free(s->tables);
	for (i = 0; s->codes && i < s->ncodes; i++) {
		free(s->codes[i].name);
		free_strs(s->codes[i].codes, s->codes[i].n);
		free_strs(s->codes[i].labels, s->codes[i].n);
		iko_strmap_free(s->codes[i].index);
	}
	free(s->codes);
	free(s->path);
	free(s->name);
	free(s->label);
	free(s->version);
	free(s);
}

const iko_table *iko_schema_table(const iko_schema *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		if (!strcmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

int iko_table_column(const iko_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].name && !strcmp(t->cols[i].name, name))
			return (int)i;
	return -1;
}

int iko_code_list_has(const iko_code_list *l, const char *code)
{
	return iko_code_list_label(l, code) != NULL;
}

const char *iko_code_list_label(const iko_code_list *l, const char *code)
{
	size_t i;

	if (l && l->index) {
		const iko_strmap_entry *e = iko_strmap_get(l->index, code, strlen(code));
		return e ? l->labels[e->a - 1] : NULL;
	}
	/* the first bytes first: codes are short ("1", "02") and most lists small */
	for (i = 0; l && i < l->n; i++)
		if (l->codes[i][0] == code[0] && !strcmp(l->codes[i], code))
			return l->labels[i];
	return NULL;
}
