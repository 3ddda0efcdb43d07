/*
 * iko_coverage.c — pack coverage on a new joiner's dump, overlay diff, new
 * overlay (see iko_coverage.h).
 */
#include "iko_coverage.h"

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_extract.h"
#include "iko_fs.h"
#include "iko_pack_internal.h"
#include "iko_schema.h"
#include "iko_strmap.h"
#include "iko_transform.h"
#include "iko_workbook.h"
#include "iko_yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A placeholder 団体コード when none is given (check digit valid). */
#define PLACEHOLDER_LG "131016"

static int on_unmapped(void *ud, const char *table, const char *column, const char *code_table,
		       const char *value)
{
	iko_strmap *m = ud;
	iko_strmap_entry *e;
	iko_buf k = IKO_BUF_INIT;
	int rc;

	if (iko_buf_printf(&k, "%s\x1f%s\x1f%s\x1f%s", table, column, code_table, value)) {
		iko_buf_release(&k);
		return IKO_ENOMEM;
	}
	rc = iko_strmap_upsert(m, k.ptr, k.len, &e);
	if (!rc)
		e->a++;
	iko_buf_release(&k);
	return rc;
}

static int code_cmp(const void *a, const void *b)
{
	const iko_cov_code *x = a, *y = b;
	int c = strcmp(x->table, y->table);

	if (!c)
		c = strcmp(x->column, y->column);
	if (!c)
		c = x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
	return c ? c : strcmp(x->value, y->value);
}

static int collect_codes(iko_coverage *out, iko_strmap *m)
{
	iko_strmap_entry *e;
	size_t pos = 0;

	out->codes = calloc(iko_strmap_size(m) + 1, sizeof(*out->codes));
	if (!out->codes)
		return IKO_ENOMEM;
	while ((e = iko_strmap_next(m, &pos)) != NULL) {
		iko_cov_code *c = &out->codes[out->ncodes++];
		char *k = iko_strdup(e->key), *p[4];
		int i;
		if (!k)
			return IKO_ENOMEM;
		p[0] = k;
		for (i = 1; i < 4; i++) {
			p[i] = strchr(p[i - 1], '\x1f');
			if (!p[i]) {
				free(k);
				return IKO_ERROR;
			}
			*p[i]++ = '\0';
		}
		c->table = iko_strdup(p[0]);
		c->column = iko_strdup(p[1]);
		c->code_table = iko_strdup(p[2]);
		c->value = iko_strdup(p[3]);
		c->count = e->a;
		free(k);
		if (!c->table || !c->column || !c->code_table || !c->value)
			return IKO_ENOMEM;
	}
	qsort(out->codes, out->ncodes, sizeof(*out->codes), code_cmp);
	return 0;
}

static int extract_inputs(iko_coverage *out, const iko_pack *p, const char *dump, const char *xdir)
{
	size_t i, ntypes;
	int rc = 0;

	for (i = 0; i < p->ninputs && !rc; i++) {
		const iko_pack_input *in = &p->inputs[i];
		iko_extract_options eo = IKO_EXTRACT_OPTIONS_INIT;
		iko_extract_stats st;
		char *input = iko_path_join(dump, in->file), *gaiji = NULL, *outp = NULL, *rel = NULL;

		if (!input)
			return IKO_ENOMEM;
		if ((rc = iko_extract_layout_types(in->layout, &ntypes))) {
			free(input);
			return rc;
		}
		rel = ntypes > 1 ? NULL : iko_aprintf("%s.csv", in->name);
		outp = rel ? iko_path_join(xdir, rel) : iko_strdup(xdir);
		gaiji = in->gaiji ? iko_path_join(dump, in->gaiji) : NULL;
		if (!outp || (in->gaiji && !gaiji)) {
			rc = IKO_ENOMEM;
		} else {
			eo.layout_path = in->layout;
			eo.input = input;
			eo.out = outp;
			eo.encoding = in->encoding;
			eo.recfm = in->recfm;
			eo.comp5 = in->comp5;
			eo.gaiji_path = gaiji && iko_path_exists(gaiji) ? gaiji : NULL;
			memset(&st, 0, sizeof(st));
			rc = iko_extract_run(&st, &eo);
			out->extract_read += st.records_read;
			out->extract_rejected += st.records_rejected;
			iko_extract_stats_release(&st);
		}
		free(input);
		free(gaiji);
		free(outp);
		free(rel);
	}
	return rc;
}

static int field_used(const iko_pack *p, const char *input, const char *field)
{
	size_t t, c, k;

	for (t = 0; t < p->ntables; t++) {
		if (strcmp(p->tables[t].from, input))
			continue;
		for (c = 0; c < p->tables[t].ncols; c++)
			for (k = 0; k < p->tables[t].cols[c].nfrom; k++)
				if (!strcmp(p->tables[t].cols[c].from[k], field))
					return 1;
	}
	return 0;
}

/* Legacy fields of the mapped inputs that no column reads. */
static int ignored_fields(iko_coverage *out, const iko_pack *p, const char *xdir)
{
	size_t t, u, i;
	int rc = 0;

	for (t = 0; t < p->ntables && !rc; t++) {
		const char *input = p->tables[t].from;
		char *name, *path;
		iko_csv_reader *r = NULL;
		iko_csv_row row;
		long long *filled = NULL, records = 0;
		char **hdr = NULL;
		size_t nh = 0;

		for (u = 0; u < t; u++)
			if (!strcmp(p->tables[u].from, input))
				break;
		if (u < t)
			continue; /* already counted */
		name = iko_aprintf("%s.csv", input);
		path = name ? iko_path_join(xdir, name) : NULL;
		free(name);
		if (!path)
			return IKO_ENOMEM;
		if (!iko_path_exists(path)) {
			free(path);
			continue;
		}
		rc = iko_csv_reader_open(&r, path);
		while (!rc) {
			int got = iko_csv_next(r, &row);
			if (got != 1) {
				rc = got < 0 ? got : 0;
				break;
			}
			if (row.record == 1) {
				nh = row.nfields;
				hdr = calloc(nh + 1, sizeof(char *));
				filled = calloc(nh + 1, sizeof(long long));
				if (!hdr || !filled) {
					rc = IKO_ENOMEM;
					break;
				}
				for (i = 0; i < nh; i++)
					hdr[i] = iko_strdup(row.fields[i]);
				continue;
			}
			records++;
			for (i = 0; i < nh && i < row.nfields; i++)
				filled[i] += row.lens[i] > 0;
		}
		for (i = 0; !rc && i < nh; i++) {
			iko_cov_field *f, *a;
			if (!hdr[i] || field_used(p, input, hdr[i]))
				continue;
			a = realloc(out->fields, (out->nfields + 1) * sizeof(*a));
			if (!a) {
				rc = IKO_ENOMEM;
				break;
			}
			out->fields = a;
			f = &a[out->nfields++];
			f->input = iko_strdup(input);
			f->field = iko_strdup(hdr[i]);
			f->filled = filled[i];
			f->records = records;
		}
		for (i = 0; hdr && i < nh; i++)
			free(hdr[i]);
		free(hdr);
		free(filled);
		iko_csv_reader_free(r);
		free(path);
	}
	return rc;
}

/* Standard columns with no source in the pack. */
static int unsourced(iko_coverage *out, const iko_pack *p, const iko_schema *s)
{
	size_t t, c, m, k;

	for (t = 0; t < s->ntables; t++) {
		const iko_table *tab = &s->tables[t];
		const table_map *tm = NULL;
		for (m = 0; m < p->ntables; m++)
			if (!strcmp(p->tables[m].table, tab->name))
				tm = &p->tables[m];
		for (c = 0; c < tab->ncols; c++) {
			const char *col = tab->cols[c].name;
			int found = 0;
			for (m = 0; tm && m < tm->ncols && !found; m++) {
				const col_map *cm = &tm->cols[m];
				found = !strcmp(cm->column, col);
				for (k = 0; k < cm->nsteps && !found; k++)
					found = (cm->steps[k].unknown_flag && !strcmp(cm->steps[k].unknown_flag, col)) ||
						(cm->steps[k].note && !strcmp(cm->steps[k].note, col));
			}
			if (!found) {
				iko_cov_column *a = realloc(out->columns, (out->ncolumns + 1) * sizeof(*a));
				if (!a)
					return IKO_ENOMEM;
				out->columns = a;
				a[out->ncolumns].table = iko_strdup(tab->name);
				a[out->ncolumns].column = iko_strdup(col);
				a[out->ncolumns].label = iko_strdup(tab->cols[c].label ? tab->cols[c].label : "");
				a[out->ncolumns].required = tab->cols[c].required;
				out->ncolumns++;
			}
		}
	}
	return 0;
}

int iko_coverage_run(iko_coverage *out, const char *pack_dir, const char *dump_dir, const char *lg_code)
{
	iko_pack *p = NULL;
	iko_schema *s = NULL;
	iko_strmap *codes = NULL;
	iko_transform_options to = IKO_TRANSFORM_OPTIONS_INIT;
	iko_transform_stats ts;
	char tmpl[] = "/tmp/iko-coverage.XXXXXX", *base, *xdir = NULL, *tdir = NULL;
	size_t i;
	int rc, r;

	memset(out, 0, sizeof(*out));
	memset(&ts, 0, sizeof(ts));
	if (lg_code && !iko_lg_code_valid(lg_code, strlen(lg_code)))
		return iko_error_set(IKO_EINVAL, "--lg-code %s: not a 6-digit 団体コード with a valid check digit",
				     lg_code);
	if (!iko_is_dir(dump_dir))
		return iko_error_set(IKO_ENOTFOUND, "no such directory: %s", dump_dir);
	base = mkdtemp(tmpl);
	if (!base)
		return iko_error_set_errno(IKO_EIO, "cannot create a temporary directory");
	xdir = iko_path_join(base, "extract");
	tdir = iko_path_join(base, "transform");
	if (!xdir || !tdir) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_pack_load(&p, pack_dir, lg_code)) || (rc = iko_schema_load_named(&s, p->schema)) ||
	    (rc = iko_strmap_new(&codes)) || (rc = iko_mkdir_p(xdir, 1)))
		goto done;
	out->pack = iko_strdup(p->name);
	out->pack_version = iko_strdup(p->version);
	out->schema = iko_strdup(p->schema);
	out->overlay = p->overlay_path ? iko_strdup(p->overlay_path) : NULL;
	if ((rc = extract_inputs(out, p, dump_dir, xdir)))
		goto done;
	to.pack_dir = pack_dir;
	to.lg_code = lg_code ? lg_code : PLACEHOLDER_LG;
	to.in_dir = xdir;
	to.out_dir = tdir;
	to.on_unmapped = on_unmapped;
	to.ud = codes;
	to.keep_going = 1;
	if ((rc = iko_transform_run(&ts, &to)))
		goto done;
	for (i = 0; i < ts.ntables; i++) {
		out->records_in += ts.tables[i].records_in;
		out->records_out += ts.tables[i].records_out;
		out->records_rejected += ts.tables[i].records_rejected;
	}
	for (r = 0; r < IKO_R_COUNT_; r++)
		out->by_reason[r] = ts.by_reason[r];
	if ((rc = collect_codes(out, codes)) || (rc = ignored_fields(out, p, xdir)) ||
	    (rc = unsourced(out, p, s)))
		goto done;
done:
	iko_transform_stats_release(&ts);
	iko_strmap_free(codes);
	iko_pack_free(p);
	iko_schema_free(s);
	iko_rm_rf(base);
	free(xdir);
	free(tdir);
	if (rc)
		iko_coverage_release(out);
	return rc;
}

void iko_coverage_release(iko_coverage *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->ncodes; i++) {
		free(c->codes[i].table);
		free(c->codes[i].column);
		free(c->codes[i].code_table);
		free(c->codes[i].value);
	}
	for (i = 0; i < c->nfields; i++) {
		free(c->fields[i].input);
		free(c->fields[i].field);
	}
	for (i = 0; i < c->ncolumns; i++) {
		free(c->columns[i].table);
		free(c->columns[i].column);
		free(c->columns[i].label);
	}
	free(c->codes);
	free(c->fields);
	free(c->columns);
	free(c->pack);
	free(c->pack_version);
	free(c->schema);
	free(c->overlay);
	memset(c, 0, sizeof(*c));
}

int iko_coverage_workbook(const iko_coverage *c, const char *dump_dir, const char *path)
{
	static const iko_wb_column ccols[] = {
		{ "テーブル", IKO_CELL_TEXT, 0 }, { "項目", IKO_CELL_TEXT, 0 },
		{ "コード表", IKO_CELL_TEXT, 0 }, { "旧システムの値", IKO_CELL_TEXT, 0 },
		{ "件数", IKO_CELL_INTEGER, 0 },
	};
	static const iko_wb_column fcols[] = {
		{ "入力", IKO_CELL_TEXT, 0 }, { "旧項目", IKO_CELL_TEXT, 0 },
		{ "値のある件数", IKO_CELL_INTEGER, 0 }, { "件数", IKO_CELL_INTEGER, 0 },
	};
	static const iko_wb_column scols[] = {
		{ "テーブル", IKO_CELL_TEXT, 0 }, { "標準項目", IKO_CELL_TEXT, 0 },
		{ "名称", IKO_CELL_TEXT, 0 }, { "必須", IKO_CELL_TEXT, 0 },
	};
	iko_workbook *wb = NULL;
	const char *keys[8], *vals[8];
	char in[32], out[32], rej[32];
	size_t i;
	int rc;

	snprintf(in, sizeof(in), "%lld", c->records_in);
	snprintf(out, sizeof(out), "%lld", c->records_out);
	snprintf(rej, sizeof(rej), "%lld", c->records_rejected);
	keys[0] = "マッピングパック"; vals[0] = c->pack;
	keys[1] = "パック版"; vals[1] = c->pack_version;
	keys[2] = "標準スキーマ"; vals[2] = c->schema;
	keys[3] = "オーバーレイ"; vals[3] = c->overlay ? c->overlay : "なし";
	keys[4] = "旧システムのデータ"; vals[4] = dump_dir;
	keys[5] = "変換対象レコード"; vals[5] = in;
	keys[6] = "変換できるレコード"; vals[6] = out;
	keys[7] = "変換できないレコード"; vals[7] = rej;
	if ((rc = iko_workbook_new(&wb, path, NULL)) ||
	    (rc = iko_workbook_cover(wb, "差異分析（マッピングパックの適合性）", keys, vals, 8)) ||
	    (rc = iko_workbook_sheet_begin(wb, "対応のないコード値", ccols, 5, 0)))
		goto done;
	for (i = 0; i < c->ncodes; i++) {
		char n[32];
		const char *v[5];
		snprintf(n, sizeof(n), "%lld", c->codes[i].count);
		v[0] = c->codes[i].table; v[1] = c->codes[i].column; v[2] = c->codes[i].code_table;
		v[3] = c->codes[i].value; v[4] = n;
		if ((rc = iko_workbook_row(wb, v)))
			goto done;
	}
	if ((rc = iko_workbook_sheet_end(wb)) ||
	    (rc = iko_workbook_sheet_begin(wb, "移行先のない旧項目", fcols, 4, 0)))
		goto done;
	for (i = 0; i < c->nfields; i++) {
		char f[32], r[32];
		const char *v[4];
		snprintf(f, sizeof(f), "%lld", c->fields[i].filled);
		snprintf(r, sizeof(r), "%lld", c->fields[i].records);
		v[0] = c->fields[i].input; v[1] = c->fields[i].field; v[2] = f; v[3] = r;
		if ((rc = iko_workbook_row(wb, v)))
			goto done;
	}
	if ((rc = iko_workbook_sheet_end(wb)) ||
	    (rc = iko_workbook_sheet_begin(wb, "移行元のない標準項目", scols, 4, 0)))
		goto done;
	for (i = 0; i < c->ncolumns; i++) {
		const char *v[4] = { c->columns[i].table, c->columns[i].column, c->columns[i].label,
				     c->columns[i].required ? "必須" : "" };
		if ((rc = iko_workbook_row(wb, v)))
			goto done;
	}
	if (!(rc = iko_workbook_sheet_end(wb)))
		rc = iko_workbook_commit(wb);
done:
	iko_workbook_free(wb);
	return rc;
}

/* ---- overlays ---- */

static int add_item(iko_overlay_diff *d, const char *kind, const char *where, const char *detail)
{
	iko_overlay_item *a = realloc(d->items, (d->n + 1) * sizeof(*a));

	if (!a)
		return IKO_ENOMEM;
	d->items = a;
	a[d->n].kind = iko_strdup(kind);
	a[d->n].where = iko_strdup(where);
	a[d->n].detail = iko_strdup(detail ? detail : "");
	d->n++;
	return a[d->n - 1].kind && a[d->n - 1].where && a[d->n - 1].detail ? 0 : IKO_ENOMEM;
}

int iko_overlay_diff_run(iko_overlay_diff *out, const char *pack_dir, const char *lg_code)
{
	iko_yaml_doc *base = NULL, *ov = NULL;
	const iko_yaml_node *bcodes, *codes, *tables;
	char *bpath = iko_path_join(pack_dir, "pack.yaml"), *rel = iko_aprintf("overlays/%s.yaml", lg_code);
	char *opath = rel ? iko_path_join(pack_dir, rel) : NULL;
	iko_buf w = IKO_BUF_INIT, dt = IKO_BUF_INIT;
	size_t i, j;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	free(rel);
	if (!bpath || !opath) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if (!iko_lg_code_valid(lg_code, strlen(lg_code))) {
		rc = iko_error_set(IKO_EINVAL, "--lg-code %s: not a 6-digit 団体コード with a valid check digit",
				   lg_code);
		goto done;
	}
	if ((rc = iko_yaml_load_file(&base, bpath)))
		goto done;
	if (!iko_path_exists(opath))
		goto done;
	/* the pack loader checks the overlay (unknown names are errors) */
	{
		iko_pack *p = NULL;
		if ((rc = iko_pack_load(&p, pack_dir, lg_code)))
			goto done;
		iko_pack_free(p);
	}
	if ((rc = iko_yaml_load_file(&ov, opath)))
		goto done;
	out->path = opath;
	opath = NULL;
	out->reason = iko_strdup(iko_yaml_str(iko_yaml_root(ov), "reason", ""));
	bcodes = iko_yaml_get(iko_yaml_root(base), "codes");
	codes = iko_yaml_get(iko_yaml_root(ov), "codes");
	for (i = 0; i < iko_yaml_count(codes) && !rc; i++) {
		const char *name = iko_yaml_key_at(codes, i);
		const iko_yaml_node *def = iko_yaml_value_at(codes, i), *map = iko_yaml_get(def, "map");
		const iko_yaml_node *bmap = iko_yaml_get(iko_yaml_get(bcodes, name), "map");
		const char *pol = iko_yaml_str(def, "unmapped", NULL);
		if (pol) {
			iko_buf_clear(&dt);
			rc = iko_buf_printf(&dt, "unmapped: %s (pack: %s)", pol,
					    iko_yaml_str(iko_yaml_get(bcodes, name), "unmapped", "reject")) ? IKO_ENOMEM
					  : add_item(out, "policy", name, dt.ptr);
		}
		for (j = 0; j < iko_yaml_count(map) && !rc; j++) {
			const char *from = iko_yaml_key_at(map, j);
			const char *was = iko_yaml_str(bmap, from, NULL);
			iko_buf_clear(&dt);
			if (was)
				rc = iko_buf_printf(&dt, "%s → %s (pack: %s)", from,
						    iko_yaml_text(iko_yaml_value_at(map, j)), was) ? IKO_ENOMEM : 0;
			else
				rc = iko_buf_printf(&dt, "%s → %s", from,
						    iko_yaml_text(iko_yaml_value_at(map, j))) ? IKO_ENOMEM : 0;
			if (!rc)
				rc = add_item(out, was ? "code-replaced" : "code-added", name, dt.ptr);
		}
	}
	tables = iko_yaml_get(iko_yaml_root(ov), "tables");
	for (i = 0; i < iko_yaml_count(tables) && !rc; i++) {
		const iko_yaml_node *cols = iko_yaml_get(iko_yaml_value_at(tables, i), "columns");
		for (j = 0; j < iko_yaml_count(cols) && !rc; j++) {
			iko_buf_clear(&w);
			rc = iko_buf_printf(&w, "%s.%s", iko_yaml_key_at(tables, i), iko_yaml_key_at(cols, j))
				     ? IKO_ENOMEM : add_item(out, "column", w.ptr, "column mapping replaced");
		}
	}
done:
	iko_yaml_free(base);
	iko_yaml_free(ov);
	iko_buf_release(&w);
	iko_buf_release(&dt);
	free(bpath);
	free(opath);
	if (rc)
		iko_overlay_diff_release(out);
	return rc;
}

void iko_overlay_diff_release(iko_overlay_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->items[i].kind);
		free(d->items[i].where);
		free(d->items[i].detail);
	}
	free(d->items);
	free(d->path);
	free(d->reason);
	memset(d, 0, sizeof(*d));
}

int iko_overlay_new(char **path_out, const char *pack_dir, const char *lg_code)
{
	iko_pack *p = NULL;
	iko_buf b = IKO_BUF_INIT;
	iko_afile *f = NULL;
	char *rel = NULL, *path = NULL, *dir = NULL;
	size_t i;
	int rc;

	*path_out = NULL;
	if (!iko_lg_code_valid(lg_code, strlen(lg_code)))
		return iko_error_set(IKO_EINVAL, "--lg-code %s: not a 6-digit 団体コード with a valid check digit",
				     lg_code);
	if ((rc = iko_pack_load(&p, pack_dir, NULL)))
		return rc;
	rel = iko_aprintf("overlays/%s.yaml", lg_code);
	path = rel ? iko_path_join(pack_dir, rel) : NULL;
	dir = iko_path_join(pack_dir, "overlays");
	if (!path || !dir) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if (iko_path_exists(path)) {
		rc = iko_error_set(IKO_ESTATE, "%s already exists: edit it, or remove it first", path);
		goto done;
	}
	rc = iko_buf_printf(&b,
		"# Overlay of %s for municipality %s.\n"
		"# It overrides only what differs from the pack; every added or replaced\n"
		"# code entry, policy and column mapping counts as one customisation\n"
		"# (`iko pack diff --pack %s --lg-code %s` lists them). Keep it small.\n"
		"overlay: \"%s\"\n"
		"pack: %s\n"
		"reason: \"\"           # why this municipality differs (shown in reviews)\n"
		"\n"
		"# codes: add or replace entries of the pack's code tables, or change a\n"
		"# table's policy for values it does not map (reject | warn | keep):\n"
		"# codes:\n",
		p->name, lg_code, pack_dir, lg_code, lg_code, p->name);
	for (i = 0; !rc && i < p->ncodes && i < 3; i++)
		rc = iko_buf_printf(&b, "#   %s: {map: {\"VENDOR-CODE\": \"STANDARD-CODE\"}}\n",
				    iko_code_table_name(p->codes[i]));
	if (!rc)
		rc = iko_buf_puts(&b,
			"#\n"
			"# tables: replace a column's mapping (same form as in pack.yaml):\n"
			"# tables:\n");
	for (i = 0; !rc && i < p->ntables && i < 2; i++)
		if (p->tables[i].ncols)
			rc = iko_buf_printf(&b, "#   %s:\n#     columns:\n#       %s: {from: %s, steps: [trim]}\n",
					    p->tables[i].table, p->tables[i].cols[p->tables[i].ncols - 1].column,
					    p->tables[i].cols[p->tables[i].ncols - 1].nfrom
						    ? p->tables[i].cols[p->tables[i].ncols - 1].from[0] : "FIELD");
	if (rc) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_mkdir_p(dir, 0)) || (rc = iko_afile_open(&f, path, 0644)))
		goto done;
	if (fwrite(b.ptr, 1, b.len, iko_afile_fp(f)) != b.len) {
		rc = iko_error_set_errno(IKO_EIO, "cannot write %s", iko_afile_tmppath(f));
		goto done;
	}
	if ((rc = iko_afile_commit(f)))
		goto done;
	*path_out = path;
	path = NULL;
done:
	iko_afile_free(f);
	iko_pack_free(p);
	iko_buf_release(&b);
	free(rel);
	free(path);
	free(dir);
	return rc;
}
