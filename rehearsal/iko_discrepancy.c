/*
 * iko_discrepancy.c — the discrepancy workbook (差異一覧) staff review.
 *
 * Built from the reconcile result and the run's rejects files; every
 * sheet comes through reports/iko_workbook (frozen header, autofilter,
 * drop-down review columns, protection, masking).
 */
#include "iko_reconcile.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_reject.h"
#include "iko_review.h"
#include "iko_schema.h"
#include "iko_strmap.h"
#include "iko_workbook.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Review context: the municipality's earlier reviews (carried over by
 * 差異ID) and reconcile/discrepancies.csv, the run's reviewable rows.
 */
typedef struct rctx {
	iko_strmap *store;
	iko_csv_writer *list;
} rctx;

/* Earlier review of id, as review cell values, or NULL. */
static const char *const *earlier(const rctx *x, const char *id)
{
	iko_strmap_entry *e = x->store ? iko_strmap_get(x->store, id, strlen(id)) : NULL;
	const iko_review *rv = e ? e->value : NULL;

	return rv ? (const char *const *)rv->v : NULL;
}

static int list_row(rctx *x, const char *id, const char *sheet, const char *kind, const char *key,
		    const char *field, const char *detail, int needs_review)
{
	const char *row[7] = { id, sheet, kind, key ? key : "", field ? field : "", detail ? detail : "",
			       needs_review ? "1" : "0" };

	return iko_csv_write_row(x->list, row, 7);
}

/* The run's rejects files: extract/<x>.rejects.csv, transform/, validate/. */
typedef struct reject_files {
	char *paths[64];
	int n;
} reject_files;

static int find_rejects(reject_files *rf, const char *run_dir)
{
	static const char *const stages[] = { "extract", "transform", "validate" };
	size_t i;

	for (i = 0; i < 3; i++) {
		char *dir = iko_path_join(run_dir, stages[i]);
		DIR *d;
		struct dirent *e;
		char *names[32];
		int nn = 0, k;

		if (!dir)
			return IKO_ENOMEM;
		d = opendir(dir);
		while (d && (e = readdir(d)) != NULL && nn < 32) {
			size_t len = strlen(e->d_name);
			if ((len >= 12 && !strcmp(e->d_name + len - 12, ".rejects.csv")) ||
			    !strcmp(e->d_name, "rejects.csv"))
				names[nn++] = iko_strdup(e->d_name);
		}
		if (d)
			closedir(d);
		/* stable order */
		for (k = 1; k < nn; k++) {
			int j;
			for (j = k; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				char *t = names[j];
				names[j] = names[j - 1];
				names[j - 1] = t;
			}
		}
		for (k = 0; k < nn; k++) {
			if (names[k] && rf->n < 64)
				rf->paths[rf->n++] = iko_path_join(dir, names[k]);
			free(names[k]);
		}
		free(dir);
	}
	return 0;
}

static void free_rejects(reject_files *rf)
{
	int i;

	for (i = 0; i < rf->n; i++)
		free(rf->paths[i]);
}

static int sensitive(const iko_schema *s, const char *field)
{
	size_t i, c;

	for (i = 0; field && *field && i < s->ntables; i++)
		for (c = 0; c < s->tables[i].ncols; c++)
			if (s->tables[i].cols[c].sensitive && !strcmp(s->tables[i].cols[c].name, field))
				return 1;
	return 0;
}

static const char *stage_ja(const char *stage)
{
	if (!strcmp(stage, "extract"))
		return "抽出";
	if (!strcmp(stage, "transform"))
		return "変換";
	if (!strcmp(stage, "validate"))
		return "検証";
	if (!strcmp(stage, "load"))
		return "登録";
	return stage;
}

/* Count entries per reason over every rejects file. */
static int count_reasons(long long counts[IKO_R_COUNT_], const reject_files *rf)
{
	int i, rc = 0;

	for (i = 0; i < rf->n && !rc; i++) {
		iko_csv_reader *r = NULL;
		iko_csv_row row;
		if ((rc = iko_csv_reader_open(&r, rf->paths[i])))
			break;
		while ((rc = iko_csv_next(r, &row)) == 1) {
			int reason;
			if (row.record == 1 || row.nfields < 11)
				continue;
			reason = iko_reason_from_code(row.fields[5]);
			if (reason >= 0)
				counts[reason]++;
		}
		iko_csv_reader_free(r);
	}
	return rc < 0 ? rc : 0;
}

static int reason_sheet(iko_workbook *wb, enum iko_reason reason, const reject_files *rf,
			const iko_schema *s, int reveal, rctx *x)
{
	static const iko_wb_column cols[] = {
		{ "差異ID", IKO_CELL_TEXT, 14 }, { "段階", IKO_CELL_TEXT, 6 }, { "入力ファイル", IKO_CELL_TEXT, 0 },
		{ "レコード番号", IKO_CELL_INTEGER, 0 }, { "キー（宛名番号等）", IKO_CELL_TEXT, 0 },
		{ "区分", IKO_CELL_TEXT, 0 }, { "項目", IKO_CELL_TEXT, 0 },
		{ "値", IKO_CELL_TEXT, 0 }, { "内容", IKO_CELL_TEXT, 40 },
		{ "原レコード（16進）", IKO_CELL_TEXT, 0 },
	};
	int i, rc;

	if ((rc = iko_workbook_sheet_begin(wb, iko_reason_label(reason), cols, reveal ? 10 : 9, 1)))
		return rc;
	for (i = 0; i < rf->n; i++) {
		iko_csv_reader *r = NULL;
		iko_csv_row row;
		if ((rc = iko_csv_reader_open(&r, rf->paths[i])))
			return rc;
		while ((rc = iko_csv_next(r, &row)) == 1) {
			const char *v[10], *parts[5];
			char id[16];
			if (row.record == 1 || row.nfields < 11 ||
			    iko_reason_from_code(row.fields[5]) != (int)reason)
				continue;
			/* what the discrepancy is, not where: not the record number */
			parts[0] = row.fields[5];
			parts[1] = row.fields[1];
			parts[2] = row.fields[4];
			parts[3] = row.fields[7];
			/* never a personal number inside the ID, not even hashed */
			parts[4] = sensitive(s, row.fields[7]) ? "" : row.fields[4][0] ? row.fields[8]
										    : row.fields[10];
			iko_review_id(id, 'R', parts, 5);
			v[0] = id;
			v[1] = stage_ja(row.fields[0]);
			v[2] = row.fields[1];
			v[3] = row.fields[2];
			v[4] = row.fields[4];
			v[5] = !strcmp(row.fields[6], "warn") ? "警告（登録済）" : "除外（未登録）";
			v[6] = row.fields[7];
			v[7] = !reveal && sensitive(s, row.fields[7]) ? "（非表示）" : row.fields[8];
			v[8] = row.fields[9];
			v[9] = row.fields[10];
			if ((rc = iko_workbook_row_reviewed(wb, v, earlier(x, id))) ||
			    (rc = list_row(x, id, iko_reason_label(reason), row.fields[5], row.fields[4],
					   row.fields[7], row.fields[9], 1)))
				break;
		}
		iko_csv_reader_free(r);
		if (rc < 0)
			return rc;
	}
	return iko_workbook_sheet_end(wb);
}

static void fmt_num(char *out, size_t n, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, n, "%.0f", v);
	else
		snprintf(out, n, "%.2f", v);
}

static int summary_sheet(iko_workbook *wb, const iko_reconcile_result *r, rctx *x)
{
	static const iko_wb_column cols[] = {
		{ "差異ID", IKO_CELL_TEXT, 14 }, { "判定", IKO_CELL_STATUS, 6 }, { "集計項目", IKO_CELL_TEXT, 0 },
		{ "区分", IKO_CELL_TEXT, 0 }, { "旧システム", IKO_CELL_NUMBER, 0 },
		{ "抽出", IKO_CELL_NUMBER, 0 }, { "移行後", IKO_CELL_NUMBER, 0 },
		{ "差異", IKO_CELL_NUMBER, 0 }, { "許容差", IKO_CELL_NUMBER, 0 },
	};
	char o[32], e[32], d[32], df[32], t[32];
	size_t i;
	int rc;

	if ((rc = iko_workbook_sheet_begin(wb, "集計照合", cols, 9, 1)))
		return rc;
	for (i = 0; i < r->nrows; i++) {
		const iko_measure_row *m = &r->rows[i];
		const char *v[9], *parts[5];
		char id[16];
		fmt_num(o, sizeof(o), m->old_v);
		fmt_num(e, sizeof(e), m->ext_v);
		fmt_num(d, sizeof(d), m->db_v);
		fmt_num(df, sizeof(df), m->diff);
		fmt_num(t, sizeof(t), m->tolerance);
		parts[0] = m->measure; parts[1] = m->group; parts[2] = m->has_old ? o : "";
		parts[3] = e; parts[4] = d;
		iko_review_id(id, 'M', parts, 5);
		v[0] = id; v[1] = m->status; v[2] = m->label; v[3] = m->group_label;
		v[4] = m->has_old ? o : ""; v[5] = e; v[6] = d; v[7] = df; v[8] = t;
		if ((rc = iko_workbook_row_reviewed(wb, v, earlier(x, id))))
			return rc;
		/* a PASS needs no review */
		if ((rc = list_row(x, id, "集計照合", m->status, m->group, m->measure, df,
				   strcmp(m->status, "PASS") != 0)))
			return rc;
	}
	return iko_workbook_sheet_end(wb);
}

static const char *diff_kind_ja(const char *k)
{
	if (!strcmp(k, "only_in_source"))
		return "移行元のみ";
	if (!strcmp(k, "only_in_target"))
		return "移行先のみ";
	return "値の不一致";
}

static int records_sheet(iko_workbook *wb, const iko_reconcile_result *r, rctx *x)
{
	static const iko_wb_column cols[] = {
		{ "差異ID", IKO_CELL_TEXT, 14 }, { "区分", IKO_CELL_TEXT, 0 }, { "テーブル", IKO_CELL_TEXT, 0 },
		{ "キー", IKO_CELL_TEXT, 0 }, { "項目", IKO_CELL_TEXT, 0 },
		{ "移行元の値", IKO_CELL_TEXT, 0 }, { "移行後の値", IKO_CELL_TEXT, 0 },
		{ "旧システムの値", IKO_CELL_TEXT, 0 },
	};
	size_t i;
	int rc;

	if ((rc = iko_workbook_sheet_begin(wb, "レコード照合", cols, 8, 1)))
		return rc;
	for (i = 0; i < r->ndiffs; i++) {
		const iko_record_diff *d = &r->diffs[i];
		const char *parts[6] = { d->kind, d->table, d->key, d->column, d->source_value,
					 d->loaded_value };
		char id[16];
		const char *v[8];
		iko_review_id(id, 'C', parts, 6);
		v[0] = id; v[1] = diff_kind_ja(d->kind); v[2] = d->table; v[3] = d->key;
		v[4] = d->column; v[5] = d->source_value; v[6] = d->loaded_value;
		v[7] = d->legacy_value ? d->legacy_value : "";
		if ((rc = iko_workbook_row_reviewed(wb, v, earlier(x, id))) ||
		    (rc = list_row(x, id, "レコード照合", d->kind, d->key, d->column, "", 1)))
			return rc;
	}
	return iko_workbook_sheet_end(wb);
}

static int cover(iko_workbook *wb, const iko_reconcile_result *r, const iko_schema *s,
		 const iko_reconcile_options *o)
{
	const char *keys[48], *vals[48];
	char *owned[48];
	char now[21], counts[160];
	size_t n = 0, i, no = 0;
	int rc;

	iko_now_iso(now);
	snprintf(counts, sizeof(counts), "PASS %lld / WARN %lld / FAIL %lld", r->pass, r->warn, r->fail);
	keys[n] = "団体名"; vals[n++] = o->municipality ? o->municipality : "";
	keys[n] = "団体コード"; vals[n++] = o->lg_code;
	keys[n] = "リハーサル"; vals[n++] = o->run_id ? o->run_id : "";
	keys[n] = "作成日時（UTC）"; vals[n++] = now;
	keys[n] = "業務（スキーマ）"; vals[n++] = s->label;
	keys[n] = "スキーマ版"; vals[n++] = s->version;
	keys[n] = "マッピングパック"; vals[n++] = o->pack_dir;
	keys[n] = "パック版"; vals[n++] = r->pack_version ? r->pack_version : "";
	keys[n] = "iko版"; vals[n++] = o->tool_version ? o->tool_version : "";
	keys[n] = "集計照合"; vals[n++] = counts;
	for (i = 0; i < o->ninputs && n < 46; i++) {
		owned[no] = iko_aprintf("入力ファイル %s", o->input_names[i]);
		keys[n] = owned[no] ? owned[no] : "入力ファイル";
		no++;
		vals[n++] = o->input_sha256[i];
	}
	keys[n] = "個人番号・支援措置"; vals[n++] = o->reveal ? "表示（取扱注意）" : "マスク済み";
	rc = iko_workbook_cover(wb, "移行リハーサル 差異一覧", keys, vals, n);
	for (i = 0; i < no; i++)
		free(owned[i]);
	return rc;
}

int iko_discrepancy_workbook(const iko_reconcile_result *r, const iko_schema *s,
			     const iko_reconcile_options *o)
{
	static const char *const list_header[] = { "id", "sheet", "kind", "key", "field", "detail",
						   "needs_review" };
	iko_wb_options wo = IKO_WB_OPTIONS_INIT;
	iko_workbook *wb = NULL;
	reject_files rf;
	long long counts[IKO_R_COUNT_];
	rctx x = { NULL, NULL };
	char *store = iko_review_store_path(o->run_dir);
	char *list = iko_path_join(o->run_dir, "reconcile/discrepancies.csv");
	int rc, k;

	memset(&rf, 0, sizeof(rf));
	memset(counts, 0, sizeof(counts));
	wo.reveal = o->reveal;
	if (!store || !list) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_review_store_load(&x.store, store)) ||
	    (rc = iko_csv_writer_open(&x.list, list, 0600)) ||
	    (rc = iko_csv_write_row(x.list, list_header, 7)))
		goto done;
	if ((rc = find_rejects(&rf, o->run_dir)) || (rc = count_reasons(counts, &rf)))
		goto done;
	if ((rc = iko_workbook_new(&wb, o->xlsx_path, &wo)) || (rc = cover(wb, r, s, o)) ||
	    (rc = summary_sheet(wb, r, &x)))
		goto done;
	for (k = 0; k < IKO_R_COUNT_; k++)
		if (counts[k] && (rc = reason_sheet(wb, (enum iko_reason)k, &rf, s, o->reveal, &x)))
			goto done;
	if ((rc = records_sheet(wb, r, &x)))
		goto done;
	if ((rc = iko_workbook_commit(wb)))
		goto done;
	rc = iko_csv_writer_commit(x.list);
done:
	iko_workbook_free(wb);
	iko_csv_writer_free(x.list);
	iko_review_store_free(x.store);
	free(store);
	free(list);
	free_rejects(&rf);
	return rc;
}
