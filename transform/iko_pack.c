/*
 * iko_pack.c — load pack.yaml, apply the municipality overlay, compile the
 * column mappings (code tables, regexes, lookups) once for the transform.
 */
#include "iko_pack_internal.h"
#include "iko_schema.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const fn_names[] = {
	[MAP_TRIM] = "trim", [MAP_ZENKAKU] = "zenkaku",
	[MAP_ZENKAKU_KANA] = "zenkaku_kana", [MAP_HANKAKU] = "hankaku",
	[MAP_ZERO_PAD] = "zero_pad", [MAP_SPLIT] = "split",
	[MAP_ERA_DATE] = "era_date", [MAP_DATE_FORMAT] = "date_format",
	[MAP_CODE] = "code", [MAP_REGEX] = "regex", [MAP_LOOKUP] = "lookup",
	[MAP_LG_CHECK_DIGIT] = "lg_check_digit", [MAP_DEFAULT] = "default",
	[MAP_GAIJI] = "gaiji",
};
_Static_assert(sizeof(fn_names) / sizeof(fn_names[0]) == MAP_FN_COUNT_,
	       "fn_names must cover map_fn");

const char *iko_map_fn_name(map_fn fn)
{
	return (unsigned)fn < MAP_FN_COUNT_ ? fn_names[fn] : "?";
}

__attribute__((format(printf, 3, 4)))
static int perr(const iko_yaml_doc *doc, const iko_yaml_node *n, const char *fmt, ...)
{
	iko_buf m = IKO_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	iko_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	rc = iko_error_set(IKO_EPARSE, "%s:%d: %s", iko_yaml_name(doc), n ? n->line : 0,
			   iko_buf_cstr(&m));
	iko_buf_release(&m);
	return rc;
}

static int xdup(char **dst, const char *s)
{
	free(*dst);
	*dst = NULL;
	if (!s)
		return 0;
	*dst = iko_strdup(s);
	return *dst ? 0 : IKO_ENOMEM;
}

static iko_code_table *find_codes(const iko_pack *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ncodes; i++)
		if (!strcmp(iko_code_table_name(p->codes[i]), name))
			return p->codes[i];
	return NULL;
}

/* codes: {name: {unmapped: POLICY, map: {from: to}}}; overlay adds/overrides. */
/*
 * The shape of a pack's or an overlay's codes: and tables: (root's), before
 * either is read: maps where maps belong, so that no list's missing keys
 * are read as names. The loaders and the overlay's checks rely on it.
 */
static int check_shape(const iko_yaml_doc *doc, const iko_yaml_node *root)
{
	const iko_yaml_node *codes = iko_yaml_get(root, "codes"), *tables = iko_yaml_get(root, "tables");
	size_t i;

	if (codes && codes->kind != IKO_YAML_MAP)
		return perr(doc, codes, "codes: expected a mapping");
	if (tables && tables->kind != IKO_YAML_MAP)
		return perr(doc, tables, "tables: must map each table's name to its definition");
	for (i = 0; i < iko_yaml_count(tables); i++) {
		const iko_yaml_node *def = iko_yaml_value_at(tables, i), *cols = iko_yaml_get(def, "columns");
		const char *name = iko_yaml_key_at(tables, i);

		if (!def || def->kind != IKO_YAML_MAP)
			return perr(doc, def ? def : tables, "table %s: its definition must be a map (from:, columns:)",
				    name);
		if (cols && cols->kind != IKO_YAML_MAP)
			return perr(doc, cols, "table %s: columns: must map each column's name to its mapping", name);
	}
	return 0;
}

/* codes: of a pack or an overlay (its shape checked: check_shape). */
static int load_codes(iko_pack *p, const iko_yaml_doc *doc, const iko_yaml_node *codes,
		      int overlay)
{
	size_t i, j;
	int rc;

	if (!codes)
		return 0;
	for (i = 0; i < codes->n; i++) {
		const char *name = iko_yaml_key_at(codes, i);
		const iko_yaml_node *def = iko_yaml_value_at(codes, i);
		const iko_yaml_node *map = iko_yaml_get(def, "map");
		const char *pol = iko_yaml_str(def, "unmapped", NULL);
		iko_code_table *t = find_codes(p, name);
		int policy = pol ? iko_unmapped_policy_parse(pol) : IKO_UNMAPPED_REJECT;

		if (policy < 0)
			return perr(doc, def, "code table %s: unmapped must be reject, warn or keep, not %s",
				    name, pol);
		if (!t) {
			iko_code_table **a = realloc(p->codes, (p->ncodes + 1) * sizeof(*a));
			if (!a)
				return IKO_ENOMEM;
			p->codes = a;
			if ((rc = iko_code_table_new(&t, name, (iko_unmapped_policy)policy)))
				return rc;
			p->codes[p->ncodes++] = t;
			if (overlay)
				p->overlay_overrides++;
		} else if (pol) {
			iko_code_table_set_policy(t, (iko_unmapped_policy)policy);
			p->overlay_overrides++;
		}
		if (map && map->kind != IKO_YAML_MAP)
			return perr(doc, map, "code table %s: map must be a mapping", name);
		for (j = 0; j < iko_yaml_count(map); j++) {
			rc = iko_code_table_set(t, iko_yaml_key_at(map, j),
						iko_yaml_text(iko_yaml_value_at(map, j)));
			if (rc < 0)
				return rc;
			if (overlay)
				p->overlay_overrides++;
		}
	}
	return 0;
}

static int load_lookup(iko_pack *p, map_step *st, const iko_yaml_doc *doc,
		       const iko_yaml_node *arg)
{
	const char *file = iko_yaml_str(arg, "file", NULL);
	const char *pol = iko_yaml_str(arg, "unmapped", "reject");
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	char *path = NULL;
	int rc, policy = iko_unmapped_policy_parse(pol);

	if (!file || policy < 0)
		return perr(doc, arg, "lookup needs file: and unmapped: reject|warn|keep");
	path = file[0] == '/' ? iko_strdup(file) : iko_path_join(p->dir, file);
	if (!path)
		return IKO_ENOMEM;
	if ((rc = iko_code_table_new(&st->codes, file, (iko_unmapped_policy)policy)))
		goto done;
	st->owns_codes = 1;
	if ((rc = iko_csv_reader_open(&r, path)))
		goto done;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		if (row.record == 1)
			continue; /* header */
		if (row.nfields < 2) {
			rc = iko_error_set(IKO_EPARSE, "%s: record %lld: expected from,to",
					   path, row.record);
			goto done;
		}
		if ((rc = iko_code_table_set(st->codes, row.fields[0], row.fields[1])) < 0)
			goto done;
	}
done:
	iko_csv_reader_free(r);
	free(path);
	return rc < 0 ? rc : 0;
}

/*
 * Every $n, ${n} and ${name} of the replacement must name a group of the
 * pattern: PCRE2 only finds out on the first record that matches, and then
 * the whole transform would stop.
 */
static int check_replace(const map_step *st, const char *pat, const iko_yaml_doc *doc,
			 const iko_yaml_node *arg)
{
	const char *r = st->replace, *start, *end;
	uint32_t ngroups = 0;
	char name[64];
	size_t len;
	long n;

	pcre2_pattern_info(st->re, PCRE2_INFO_CAPTURECOUNT, &ngroups);
	for (; *r; r++) {
		if (*r != '$')
			continue;
		if (r[1] == '$') {
			r++;
			continue;
		}
		start = r;
		if (r[1] >= '0' && r[1] <= '9') {
			for (n = 0, r++; *r >= '0' && *r <= '9' && n < 100000; r++)
				n = n * 10 + (*r - '0');
			r--;
		} else if (r[1] == '{' && (end = strchr(r + 2, '}')) != NULL) {
			len = (size_t)(end - (r + 2));
			if (len == 0 || len >= sizeof(name))
				return perr(doc, arg, "regex %s: bad group reference in replacement %s", pat, st->replace);
			memcpy(name, r + 2, len);
			name[len] = '\0';
			r = end;
			if (strspn(name, "0123456789") == len) {
				n = strtol(name, NULL, 10);
			} else if (name[0] == '*') {
				continue; /* ${*MARK} */
			} else if (pcre2_substring_number_from_name(st->re, (PCRE2_SPTR)name) < 0) {
				return perr(doc, arg, "regex %s: replacement %.*s refers to group %s, which the "
					    "pattern does not have", pat, (int)(r - start + 1), start, name);
			} else {
				continue;
			}
		} else {
			continue; /* $name and the rest: left to PCRE2 */
		}
		if (n > (long)ngroups)
			return perr(doc, arg, "regex %s: replacement %.*s refers to group %ld; the pattern has %u",
				    pat, (int)(r - start + 1), start, n, (unsigned)ngroups);
	}
	return 0;
}

static int compile_regex(map_step *st, const iko_yaml_doc *doc, const iko_yaml_node *arg)
{
	const char *pat = iko_yaml_str(arg, "pattern", NULL);
	int err;
	PCRE2_SIZE off;

	if (!pat)
		return perr(doc, arg, "regex needs pattern: and replace:");
	if (xdup(&st->replace, iko_yaml_str(arg, "replace", "")))
		return IKO_ENOMEM;
	st->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
	if (!st->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		return perr(doc, arg, "regex %s: %s", pat, (const char *)msg);
	}
	(void)pcre2_jit_compile(st->re, PCRE2_JIT_COMPLETE); /* interpreted where there is no JIT */
	return check_replace(st, pat, doc, arg);
}

static int era_format_of(const char *s)
{
	static const char *const names[] = { "auto", "gyymmdd", "letter", "code2", "kanji" };
	int i;

	for (i = 0; i < 5; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int load_step(iko_pack *p, map_step *st, const iko_yaml_doc *doc,
		     const iko_yaml_node *n)
{
	const iko_yaml_node *arg = NULL;
	const char *name;
	long long v;
	int i;

	st->unknown_flag_col = st->note_col = -1;
	if (n->kind == IKO_YAML_SCALAR) {
		name = n->value;
	} else if (n->kind == IKO_YAML_MAP && n->n == 1) {
		name = iko_yaml_key_at(n, 0);
		arg = iko_yaml_value_at(n, 0);
	} else {
		return perr(doc, n, "a step is a name or {name: argument}");
	}
	for (i = 0; i < MAP_FN_COUNT_ && strcmp(fn_names[i], name); i++)
		;
	if (i == MAP_FN_COUNT_)
		return perr(doc, n, "unknown mapping function: %s", name);
	st->fn = (map_fn)i;
	switch (st->fn) {
	case MAP_ZERO_PAD:
		v = arg ? strtoll(iko_yaml_text(arg), NULL, 10) : 0;
		if (v < 1 || v > 100)
			return perr(doc, n, "zero_pad needs a width 1..100");
		st->n = (int)v;
		return 0;
	case MAP_SPLIT:
		if (xdup(&st->arg, iko_yaml_str(arg, "sep", " ")))
			return IKO_ENOMEM;
		if (iko_yaml_int(&v, arg, "part", 1) || v < 1 || v > 2)
			return perr(doc, n, "split: part must be 1 (before the first separator) or 2 (after it)");
		st->n = (int)v;
		return 0;
	case MAP_ERA_DATE:
		st->era_format = era_format_of(arg && arg->kind == IKO_YAML_MAP
						       ? iko_yaml_str(arg, "format", "auto")
						       : (arg ? iko_yaml_text(arg) : "auto"));
		if (st->era_format < 0)
			return perr(doc, n, "era_date format must be auto, gyymmdd, letter, code2 or kanji");
		if (xdup(&st->unknown_flag, iko_yaml_str(arg, "unknown_flag", NULL)) ||
		    xdup(&st->note, iko_yaml_str(arg, "note", NULL)))
			return IKO_ENOMEM;
		return 0;
	case MAP_DATE_FORMAT:
	case MAP_DEFAULT:
		if (!arg || arg->kind != IKO_YAML_SCALAR)
			return perr(doc, n, "%s needs an argument", name);
		return xdup(&st->arg, arg->value);
	case MAP_CODE:
		st->codes = find_codes(p, iko_yaml_text(arg));
		if (!st->codes)
			return perr(doc, n, "unknown code table: %s", iko_yaml_text(arg));
		return 0;
	case MAP_REGEX:
		return compile_regex(st, doc, arg);
	case MAP_LOOKUP:
		return load_lookup(p, st, doc, arg);
	default:
		return 0;
	}
}

static void step_release(map_step *st)
{
	free(st->arg);
	free(st->replace);
	free(st->unknown_flag);
	free(st->note);
	if (st->owns_codes)
		iko_code_table_free(st->codes);
	pcre2_code_free(st->re);
}

static void col_release(col_map *c)
{
	size_t i;

	free(c->column);
	for (i = 0; i < c->nfrom; i++)
		free(c->from[i]);
	free(c->from);
	free(c->join);
	free(c->constant);
	for (i = 0; i < c->nsteps; i++)
		step_release(&c->steps[i]);
	free(c->steps);
	memset(c, 0, sizeof(*c));
}

static int load_col(iko_pack *p, col_map *c, const char *column, const iko_yaml_doc *doc,
		    const iko_yaml_node *n)
{
	const iko_yaml_node *from = iko_yaml_get(n, "from"), *steps = iko_yaml_get(n, "steps");
	size_t i;
	int rc;

	col_release(c);
	c->line = n->line;
	if (xdup(&c->column, column) || xdup(&c->join, iko_yaml_str(n, "join", "")) ||
	    xdup(&c->constant, iko_yaml_str(n, "const", NULL)))
		return IKO_ENOMEM;
	if (n->kind != IKO_YAML_MAP || (!from && !c->constant))
		return perr(doc, n, "column %s needs from: or const:", column);
	if (from) {
		size_t cnt = from->kind == IKO_YAML_SCALAR ? 1 : iko_yaml_count(from);
		c->from = calloc(cnt ? cnt : 1, sizeof(char *));
		if (!c->from)
			return IKO_ENOMEM;
		for (i = 0; i < cnt; i++) {
			const iko_yaml_node *f = from->kind == IKO_YAML_SCALAR ? from : iko_yaml_at(from, i);
			if (xdup(&c->from[i], iko_yaml_text(f)))
				return IKO_ENOMEM;
			c->nfrom = i + 1;
		}
	}
	if (steps) {
		if (steps->kind != IKO_YAML_SEQ)
			return perr(doc, steps, "column %s: steps must be a list", column);
		c->steps = calloc(steps->n ? steps->n : 1, sizeof(*c->steps));
		if (!c->steps)
			return IKO_ENOMEM;
		for (i = 0; i < steps->n; i++) {
			c->nsteps = i + 1;
			if ((rc = load_step(p, &c->steps[i], doc, iko_yaml_at(steps, i))))
				return rc;
		}
	}
	return 0;
}

static table_map *find_table(iko_pack *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->ntables; i++)
		if (!strcmp(p->tables[i].table, name))
			return &p->tables[i];
	return NULL;
}

static int load_tables(iko_pack *p, const iko_yaml_doc *doc, const iko_yaml_node *tables,
		       int overlay)
{
	size_t i, j, k;
	int rc;

	/* its shape was checked (check_shape) */
	for (i = 0; i < iko_yaml_count(tables); i++) {
		const char *name = iko_yaml_key_at(tables, i);
		const iko_yaml_node *def = iko_yaml_value_at(tables, i);
		const iko_yaml_node *cols = iko_yaml_get(def, "columns");
		table_map *t = find_table(p, name);

		if (!t) {
			table_map *a = realloc(p->tables, (p->ntables + 1) * sizeof(*a));
			if (!a)
				return IKO_ENOMEM;
			p->tables = a;
			t = &p->tables[p->ntables++];
			memset(t, 0, sizeof(*t));
			if (xdup(&t->table, name))
				return IKO_ENOMEM;
		}
		if (iko_yaml_str(def, "from", NULL) && xdup(&t->from, iko_yaml_str(def, "from", NULL)))
			return IKO_ENOMEM;
		if (!t->from)
			return perr(doc, def, "table %s needs from: (an input name)", name);
		for (j = 0; j < iko_yaml_count(cols); j++) {
			const char *cname = iko_yaml_key_at(cols, j);
			col_map *c = NULL;
			for (k = 0; k < t->ncols; k++)
				if (!strcmp(t->cols[k].column, cname))
					c = &t->cols[k];
			if (!c) {
				col_map *a = realloc(t->cols, (t->ncols + 1) * sizeof(*a));
				if (!a)
					return IKO_ENOMEM;
				t->cols = a;
				c = &t->cols[t->ncols++];
				memset(c, 0, sizeof(*c));
			}
			if ((rc = load_col(p, c, cname, doc, iko_yaml_value_at(cols, j))))
				return rc;
			c->overridden = overlay;
			if (overlay)
				p->overlay_overrides++;
		}
	}
	return 0;
}

static int load_inputs(iko_pack *p, const iko_yaml_doc *doc, const iko_yaml_node *inputs)
{
	size_t i;
	int rc = 0;

	if (!inputs || inputs->kind != IKO_YAML_SEQ || inputs->n == 0)
		return perr(doc, inputs, "pack needs a list of inputs");
	p->inputs = calloc(inputs->n, sizeof(*p->inputs));
	if (!p->inputs)
		return IKO_ENOMEM;
	for (i = 0; i < inputs->n; i++) {
		const iko_yaml_node *in = iko_yaml_at(inputs, i);
		iko_pack_input *pi = &p->inputs[i];
		const char *layout = iko_yaml_str(in, "layout", NULL);

		p->ninputs = i + 1;
		if (!iko_yaml_str(in, "name", NULL) || !iko_yaml_str(in, "file", NULL) || !layout)
			return perr(doc, in, "input needs name, file and layout");
		if (xdup(&pi->name, iko_yaml_str(in, "name", NULL)) ||
		    xdup(&pi->file, iko_yaml_str(in, "file", NULL)) ||
		    xdup(&pi->encoding, iko_yaml_str(in, "encoding", NULL)) ||
		    xdup(&pi->recfm, iko_yaml_str(in, "recfm", NULL)) ||
		    xdup(&pi->gaiji, iko_yaml_str(in, "gaiji", NULL)) ||
		    xdup(&pi->comp5, iko_yaml_str(in, "comp5", NULL)))
			return IKO_ENOMEM;
		if (pi->comp5 && strcmp(pi->comp5, "big") && strcmp(pi->comp5, "little"))
			return perr(doc, in, "input %s: comp5 is big or little, not %s", pi->name, pi->comp5);
		pi->layout = layout[0] == '/' ? iko_strdup(layout) : iko_path_join(p->dir, layout);
		if (!pi->layout)
			return IKO_ENOMEM;
	}
	return rc;
}

/*
 * An overlay overrides only what the pack has: its keys, code tables and
 * tables must be the pack's, its columns the standard schema's. A name
 * that is not (a typo, most often) is an error naming it.
 */
static int check_overlay(iko_pack *p, const iko_yaml_node *root)
{
	static const char *const keys[] = { "overlay", "pack", "reason", "codes", "tables", NULL };
	const iko_yaml_node *codes = iko_yaml_get(root, "codes"), *tables = iko_yaml_get(root, "tables");
	iko_schema *s = NULL;
	size_t i, j, k;
	int rc = 0;

	if (root->kind != IKO_YAML_MAP)
		return perr(p->overlay_doc, root, "an overlay is a mapping");
	for (i = 0; i < iko_yaml_count(root); i++) {
		for (k = 0; keys[k] && strcmp(keys[k], iko_yaml_key_at(root, i)); k++)
			;
		if (!keys[k])
			return perr(p->overlay_doc, iko_yaml_value_at(root, i),
				    "unknown key %s (an overlay has overlay, pack, reason, codes, tables)",
				    iko_yaml_key_at(root, i));
	}
	if ((rc = check_shape(p->overlay_doc, root)))
		return rc;
	for (i = 0; i < iko_yaml_count(codes); i++)
		if (!find_codes(p, iko_yaml_key_at(codes, i)))
			return perr(p->overlay_doc, iko_yaml_value_at(codes, i),
				    "code table %s is not in pack %s", iko_yaml_key_at(codes, i), p->name);
	if (iko_yaml_count(tables) && (rc = iko_schema_load_named(&s, p->schema)))
		return rc;
	for (i = 0; i < iko_yaml_count(tables) && !rc; i++) {
		const char *tname = iko_yaml_key_at(tables, i);
		const iko_yaml_node *cols = iko_yaml_get(iko_yaml_value_at(tables, i), "columns");
		const iko_table *st = NULL;
		if (!find_table(p, tname)) {
			rc = perr(p->overlay_doc, iko_yaml_value_at(tables, i), "table %s is not in pack %s",
				  tname, p->name);
			break;
		}
		for (k = 0; k < s->ntables; k++)
			if (!strcmp(s->tables[k].name, tname))
				st = &s->tables[k];
		for (j = 0; j < iko_yaml_count(cols) && !rc; j++)
			if (!st || iko_table_column(st, iko_yaml_key_at(cols, j)) < 0)
				rc = perr(p->overlay_doc, iko_yaml_value_at(cols, j),
					  "%s is not a column of the standard table %s", iko_yaml_key_at(cols, j),
					  tname);
	}
	iko_schema_free(s);
	return rc;
}

static int load_overlay(iko_pack *p, const char *lg_code)
{
	const iko_yaml_node *root;
	char *rel = iko_aprintf("overlays/%s.yaml", lg_code);
	const char *target;
	int rc;

	if (!rel)
		return IKO_ENOMEM;
	p->overlay_path = iko_path_join(p->dir, rel);
	free(rel);
	if (!p->overlay_path)
		return IKO_ENOMEM;
	if (!iko_path_exists(p->overlay_path)) {
		free(p->overlay_path);
		p->overlay_path = NULL;
		return 0;
	}
	if ((rc = iko_yaml_load_file(&p->overlay_doc, p->overlay_path)))
		return rc;
	root = iko_yaml_root(p->overlay_doc);
	target = iko_yaml_str(root, "pack", NULL);
	if (target && strcmp(target, p->name))
		return perr(p->overlay_doc, root, "overlay is for pack %s, not %s", target, p->name);
	if ((rc = check_overlay(p, root)))
		return rc;
	if ((rc = load_codes(p, p->overlay_doc, iko_yaml_get(root, "codes"), 1)))
		return rc;
	return load_tables(p, p->overlay_doc, iko_yaml_get(root, "tables"), 1);
}

int iko_pack_load(iko_pack **out, const char *dir, const char *lg_code)
{
	const iko_yaml_node *root;
	char *path = NULL;
	iko_pack *p;
	int rc = 0;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return iko_error_set(IKO_ENOMEM, "out of memory");
	if (xdup(&p->dir, dir) || !(path = iko_path_join(dir, "pack.yaml"))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if (!iko_path_exists(path)) {
		rc = iko_error_set(IKO_ENOTFOUND, "no pack.yaml in %s", dir);
		goto done;
	}
	if ((rc = iko_yaml_load_file(&p->doc, path)))
		goto done;
	root = iko_yaml_root(p->doc);
	if (!iko_yaml_str(root, "pack", NULL) || !iko_yaml_str(root, "version", NULL) ||
	    !iko_yaml_str(root, "schema", NULL)) {
		rc = perr(p->doc, root, "pack.yaml needs pack, version and schema");
		goto done;
	}
	if (xdup(&p->name, iko_yaml_str(root, "pack", NULL)) ||
	    xdup(&p->version, iko_yaml_str(root, "version", NULL)) ||
	    xdup(&p->schema, iko_yaml_str(root, "schema", NULL)) ||
	    xdup(&p->vendor, iko_yaml_str(root, "vendor", NULL)) ||
	    xdup(&p->business, iko_yaml_str(root, "business", NULL))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = load_inputs(p, p->doc, iko_yaml_get(root, "inputs"))) || (rc = check_shape(p->doc, root)) ||
	    (rc = load_codes(p, p->doc, iko_yaml_get(root, "codes"), 0)) ||
	    (rc = load_tables(p, p->doc, iko_yaml_get(root, "tables"), 0)))
		goto done;
	if (lg_code && (rc = load_overlay(p, lg_code)))
		goto done;
done:
	free(path);
	if (rc == IKO_ENOMEM)
		iko_error_set(IKO_ENOMEM, "out of memory loading pack %s", dir);
	if (rc) {
		iko_pack_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void iko_pack_free(iko_pack *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->ntables; i++) {
		for (j = 0; j < p->tables[i].ncols; j++)
			col_release(&p->tables[i].cols[j]);
		free(p->tables[i].cols);
		free(p->tables[i].table);
		free(p->tables[i].from);
	}
	free(p->tables);
	for (i = 0; i < p->ncodes; i++)
		iko_code_table_free(p->codes[i]);
	free(p->codes);
	for (i = 0; i < p->ninputs; i++) {
		free(p->inputs[i].name);
		free(p->inputs[i].file);
		free(p->inputs[i].layout);
		free(p->inputs[i].encoding);
		free(p->inputs[i].recfm);
		free(p->inputs[i].comp5);
		free(p->inputs[i].gaiji);
	}
	free(p->inputs);
	iko_yaml_free(p->doc);
	iko_yaml_free(p->overlay_doc);
	free(p->overlay_path);
	free(p->dir);
	free(p->name);
	free(p->vendor);
	free(p->business);
	free(p->version);
	free(p->schema);
	free(p);
}

const char *iko_pack_name(const iko_pack *p) { return p->name; }
const char *iko_pack_version(const iko_pack *p) { return p->version; }
const char *iko_pack_schema(const iko_pack *p) { return p->schema; }
const char *iko_pack_dir(const iko_pack *p) { return p->dir; }
size_t iko_pack_ninputs(const iko_pack *p) { return p->ninputs; }
const char *iko_pack_overlay(const iko_pack *p) { return p->overlay_path; }
size_t iko_pack_overlay_overrides(const iko_pack *p) { return p->overlay_overrides; }

int iko_pack_inputs_read_once(const iko_pack *p)
{
	size_t i, k;

	for (i = 0; i < p->ntables; i++)
		for (k = i + 1; k < p->ntables; k++)
			if (p->tables[i].from && p->tables[k].from && !strcmp(p->tables[i].from, p->tables[k].from))
				return 0;
	return 1;
}

const iko_pack_input *iko_pack_input_at(const iko_pack *p, size_t i)
{
	return i < p->ninputs ? &p->inputs[i] : NULL;
}

const iko_yaml_node *iko_pack_totals(const iko_pack *p)
{
	return iko_yaml_get(iko_yaml_root(p->doc), "totals");
}
