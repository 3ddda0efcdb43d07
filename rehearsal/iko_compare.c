/*
 * iko_compare.c — two rehearsals side by side (see iko_compare.h).
 */
#include "iko_compare.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_strmap.h"
#include "iko_workbook.h"

#include <stdlib.h>
#include <string.h>

static int add_item(iko_compare_result *r, const iko_csv_row *row, int state)
{
	iko_compare_item *it;

	if (!(r->nitems & 255)) {
		iko_compare_item *a = realloc(r->items, (r->nitems + 256) * sizeof(*a));
		if (!a)
			return IKO_ENOMEM;
		r->items = a;
	}
	it = &r->items[r->nitems++];
	it->id = iko_strdup(row->fields[0]);
	it->sheet = iko_strdup(row->fields[1]);
	it->kind = iko_strdup(row->fields[2]);
	it->key = iko_strdup(row->fields[3]);
	it->field = iko_strdup(row->fields[4]);
	it->state = state;
	return it->id && it->sheet && it->kind && it->key && it->field ? 0 : IKO_ENOMEM;
}

static int open_list(iko_csv_reader **rd, const char *run, const char *name)
{
	char *p = iko_path_join(run, name);
	int rc;

	if (!p)
		return IKO_ENOMEM;
	if (!iko_path_exists(p))
		rc = iko_error_set(IKO_ENOTFOUND, "%s: no %s (run iko reconcile first)", run, name);
	else
		rc = iko_csv_reader_open(rd, p);
	free(p);
	return rc;
}

/* ids of run_b's reviewable discrepancies, each entry's a = 1 once seen in A */
static int discrepancies(iko_compare_result *r, const char *run_a, const char *run_b)
{
	iko_strmap *bset = NULL;
	iko_csv_reader *rd = NULL;
	iko_csv_row row;
	iko_strmap_entry *e;
	int rc;

	if ((rc = iko_strmap_new(&bset)) || (rc = open_list(&rd, run_b, "reconcile/discrepancies.csv")))
		goto done;
	while ((rc = iko_csv_next(rd, &row)) == 1)
		if (row.record > 1 && row.nfields >= 7 && !strcmp(row.fields[6], "1") &&
		    (rc = iko_strmap_upsert(bset, row.fields[0], row.lens[0], &e)))
			goto done;
	iko_csv_reader_free(rd);
	rd = NULL;
	if (rc < 0 || (rc = open_list(&rd, run_a, "reconcile/discrepancies.csv")))
		goto done;
	while ((rc = iko_csv_next(rd, &row)) == 1) {
		if (row.record == 1 || row.nfields < 7 || strcmp(row.fields[6], "1"))
			continue;
		e = iko_strmap_get(bset, row.fields[0], row.lens[0]);
		if (e)
			e->a = 1;
		if ((rc = add_item(r, &row, e ? 2 : 0)))
			goto done;
		if (e)
			r->remaining++;
		else
			r->fixed++;
	}
	iko_csv_reader_free(rd);
	rd = NULL;
	if (rc < 0 || (rc = open_list(&rd, run_b, "reconcile/discrepancies.csv")))
		goto done;
	while ((rc = iko_csv_next(rd, &row)) == 1) {
		if (row.record == 1 || row.nfields < 7 || strcmp(row.fields[6], "1"))
			continue;
		e = iko_strmap_get(bset, row.fields[0], row.lens[0]);
		if (e && !e->a) {
			e->a = 1; /* once */
			if ((rc = add_item(r, &row, 1)))
				goto done;
			r->added++;
		}
	}
	rc = rc < 0 ? rc : 0;
done:
	iko_csv_reader_free(rd);
	iko_strmap_free(bset);
	return rc;
}

static int count_status(iko_compare_result *r, int side, const char *st)
{
	if (!strcmp(st, "PASS"))
		r->pass[side]++;
	else if (!strcmp(st, "WARN"))
		r->warn[side]++;
	else if (!strcmp(st, "FAIL"))
		r->fail[side]++;
	return 0;
}

static int measures(iko_compare_result *r, const char *run_a, const char *run_b)
{
	const char *runs[2] = { run_a, run_b };
	iko_strmap *idx = NULL;
	iko_csv_reader *rd = NULL;
	iko_csv_row row;
	iko_buf key = IKO_BUF_INIT;
	int side, rc;

	if ((rc = iko_strmap_new(&idx)))
		return rc;
	for (side = 0; side < 2 && !rc; side++) {
		if ((rc = open_list(&rd, runs[side], "reconcile/measures.csv")))
			break;
		while ((rc = iko_csv_next(rd, &row)) == 1) {
			iko_strmap_entry *e;
			iko_compare_measure *m;
			if (row.record == 1 || row.nfields < 5)
				continue;
			iko_buf_clear(&key);
			if (iko_buf_puts(&key, row.fields[1]) || iko_buf_putc(&key, '\x1f') ||
			    iko_buf_puts(&key, row.fields[3]) ||
			    (rc = iko_strmap_upsert(idx, key.ptr, key.len, &e))) {
				rc = rc ? rc : IKO_ENOMEM;
				goto done;
			}
			if (!e->value) {
				iko_compare_measure *a = realloc(r->measures, (r->nmeasures + 1) * sizeof(*a));
				if (!a) {
					rc = IKO_ENOMEM;
					goto done;
				}
				r->measures = a;
				m = &a[r->nmeasures];
				memset(m, 0, sizeof(*m));
				m->measure = iko_strdup(row.fields[1]);
				m->label = iko_strdup(row.fields[2]);
				m->group_label = iko_strdup(row.fields[4]);
				e->a = (long long)r->nmeasures++;
				e->value = m; /* marks it known; the index is in e->a */
			}
			m = &r->measures[e->a];
			if (side == 0)
				m->status_a = iko_strdup(row.fields[0]);
			else
				m->status_b = iko_strdup(row.fields[0]);
			count_status(r, side, row.fields[0]);
		}
		iko_csv_reader_free(rd);
		rd = NULL;
		rc = rc < 0 ? rc : 0;
	}
done:
	iko_csv_reader_free(rd);
	iko_strmap_free(idx);
	iko_buf_release(&key);
	if (!rc) {
		size_t i;
		for (i = 0; i < r->nmeasures; i++) {
			const char *a = r->measures[i].status_a, *b = r->measures[i].status_b;
			if (!a || !b || strcmp(a, b))
				r->changed++;
		}
	}
	return rc;
}

int iko_compare_runs(iko_compare_result *out, const char *run_a, const char *run_b)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = discrepancies(out, run_a, run_b)) || (rc = measures(out, run_a, run_b)))
		iko_compare_result_release(out);
	return rc;
}

static const char *state_ja(int s)
{
	return s == 0 ? "解消" : s == 1 ? "新規" : "継続";
}

int iko_compare_workbook(const iko_compare_result *r, const char *run_a, const char *run_b,
			 const char *path)
{
	static const iko_wb_column dcols[] = {
		{ "状態", IKO_CELL_TEXT, 6 }, { "差異ID", IKO_CELL_TEXT, 14 }, { "シート", IKO_CELL_TEXT, 0 },
		{ "区分", IKO_CELL_TEXT, 0 }, { "キー", IKO_CELL_TEXT, 0 }, { "項目", IKO_CELL_TEXT, 0 },
	};
	static const iko_wb_column mcols[] = {
		{ "集計項目", IKO_CELL_TEXT, 0 }, { "区分", IKO_CELL_TEXT, 0 },
		{ "前回", IKO_CELL_STATUS, 6 }, { "今回", IKO_CELL_STATUS, 6 },
	};
	iko_workbook *wb = NULL;
	char a[32], f[32], n[32], c[32];
	const char *keys[6], *vals[6];
	size_t i;
	int rc;

	snprintf(f, sizeof(f), "%lld", r->fixed);
	snprintf(n, sizeof(n), "%lld", r->added);
	snprintf(c, sizeof(c), "%lld", r->remaining);
	snprintf(a, sizeof(a), "%lld", r->changed);
	keys[0] = "前回の実行"; vals[0] = run_a;
	keys[1] = "今回の実行"; vals[1] = run_b;
	keys[2] = "解消した差異"; vals[2] = f;
	keys[3] = "新しい差異"; vals[3] = n;
	keys[4] = "残っている差異"; vals[4] = c;
	keys[5] = "判定の変わった集計"; vals[5] = a;
	if ((rc = iko_workbook_new(&wb, path, NULL)) ||
	    (rc = iko_workbook_cover(wb, "移行リハーサル 比較", keys, vals, 6)) ||
	    (rc = iko_workbook_sheet_begin(wb, "差異の比較", dcols, 6, 0)))
		goto done;
	for (i = 0; i < r->nitems; i++) {
		const iko_compare_item *it = &r->items[i];
		const char *v[6] = { state_ja(it->state), it->id, it->sheet, it->kind, it->key, it->field };
		if ((rc = iko_workbook_row(wb, v)))
			goto done;
	}
	if ((rc = iko_workbook_sheet_end(wb)) || (rc = iko_workbook_sheet_begin(wb, "集計の比較", mcols, 4, 0)))
		goto done;
	for (i = 0; i < r->nmeasures; i++) {
		const iko_compare_measure *m = &r->measures[i];
		const char *v[4] = { m->label, m->group_label, m->status_a ? m->status_a : "",
				     m->status_b ? m->status_b : "" };
		if ((rc = iko_workbook_row(wb, v)))
			goto done;
	}
	if (!(rc = iko_workbook_sheet_end(wb)))
		rc = iko_workbook_commit(wb);
done:
	iko_workbook_free(wb);
	return rc;
}

void iko_compare_result_release(iko_compare_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nitems; i++) {
		free(r->items[i].id);
		free(r->items[i].sheet);
		free(r->items[i].kind);
		free(r->items[i].key);
		free(r->items[i].field);
	}
	for (i = 0; i < r->nmeasures; i++) {
		free(r->measures[i].measure);
		free(r->measures[i].label);
		free(r->measures[i].group_label);
		free(r->measures[i].status_a);
		free(r->measures[i].status_b);
	}
	free(r->items);
	free(r->measures);
	memset(r, 0, sizeof(*r));
}
