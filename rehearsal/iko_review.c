/*
 * iko_review.c — 差異ID, the review store, importing a reviewed workbook
 * and the review status of a run (see iko_review.h).
 */
#include "iko_review.h"

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_sha256.h"
#include "iko_strmap.h"
#include "iko_xlsx_read.h"

#include <stdlib.h>
#include <string.h>

#define NREV IKO_WB_REVIEW_COLUMNS
#define MAX_ERRORS 50

void iko_review_id(char out[16], char prefix, const char *const *parts, size_t n)
{
	iko_sha256 h;
	char hex[65];
	size_t i;

	iko_sha256_init(&h);
	for (i = 0; i < n; i++) {
		if (i)
			iko_sha256_update(&h, "\x1f", 1);
		if (parts[i])
			iko_sha256_update(&h, parts[i], strlen(parts[i]));
	}
	iko_sha256_final_hex(&h, hex);
	snprintf(out, 16, "%c-%.12s", prefix, hex);
}

char *iko_review_store_path(const char *run_dir)
{
	char *dir = iko_strdup(run_dir), *slash, *p;

	if (!dir)
		return NULL;
	while ((slash = strrchr(dir, '/')) && slash[1] == '\0' && slash != dir)
		*slash = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	p = iko_path_join(slash ? dir : ".", "reviews.csv");
	free(dir);
	return p;
}

static void review_free(iko_review *r)
{
	int k;

	if (!r)
		return;
	free(r->id);
	for (k = 0; k < NREV; k++)
		free(r->v[k]);
	free(r->run_id);
	free(r->imported_at);
	free(r->workbook_sha256);
	free(r);
}

void iko_review_store_free(iko_strmap *m)
{
	size_t pos = 0;
	iko_strmap_entry *e;

	if (!m)
		return;
	while ((e = iko_strmap_next(m, &pos)) != NULL)
		review_free(e->value);
	iko_strmap_free(m);
}

static const char *const store_header[] = {
	"id", "確認状況", "原因区分", "対応", "担当", "確認日", "コメント", "run_id", "imported_at",
	"workbook_sha256",
};

int iko_review_store_load(iko_strmap **out, const char *path)
{
	iko_strmap *m = NULL;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	int rc, k;

	*out = NULL;
	if ((rc = iko_strmap_new(&m)))
		return rc;
	if (!iko_path_exists(path)) {
		*out = m;
		return 0;
	}
	if ((rc = iko_csv_reader_open(&r, path)))
		goto done;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		iko_review *rv;
		iko_strmap_entry *e;
		if (row.record == 1)
			continue;
		if (row.nfields != 10) {
			rc = iko_error_set(IKO_EPARSE, "%s: record %lld: %zu fields, expected 10", path,
					   row.record, row.nfields);
			goto done;
		}
		rv = calloc(1, sizeof(*rv));
		if (!rv || (rc = iko_strmap_upsert(m, row.fields[0], row.lens[0], &e))) {
			free(rv);
			rc = rc ? rc : IKO_ENOMEM;
			goto done;
		}
		review_free(e->value);
		e->value = rv;
		rv->id = iko_strdup(row.fields[0]);
		for (k = 0; k < NREV; k++)
			rv->v[k] = iko_strdup(row.fields[1 + k]);
		rv->run_id = iko_strdup(row.fields[7]);
		rv->imported_at = iko_strdup(row.fields[8]);
		rv->workbook_sha256 = iko_strdup(row.fields[9]);
	}
	if (rc < 0)
		goto done;
	rc = 0;
done:
	iko_csv_reader_free(r);
	if (rc) {
		iko_review_store_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

static int store_write(iko_strmap *m, const char *path)
{
	iko_csv_writer *w = NULL;
	iko_strmap_entry *e;
	size_t pos = 0;
	int rc, k;

	if ((rc = iko_csv_writer_open(&w, path, 0600)) || (rc = iko_csv_write_row(w, store_header, 10)))
		goto done;
	while ((e = iko_strmap_next(m, &pos)) != NULL) {
		iko_review *rv = e->value;
		const char *row[10];
		row[0] = rv->id;
		for (k = 0; k < NREV; k++)
			row[1 + k] = rv->v[k] ? rv->v[k] : "";
		row[7] = rv->run_id ? rv->run_id : "";
		row[8] = rv->imported_at ? rv->imported_at : "";
		row[9] = rv->workbook_sha256 ? rv->workbook_sha256 : "";
		if ((rc = iko_csv_write_row(w, row, 10)))
			goto done;
	}
	rc = iko_csv_writer_commit(w);
done:
	iko_csv_writer_free(w);
	return rc;
}

/* The run's discrepancies: id → sheet name (e->value, owned). */
static int run_ids(iko_strmap **out, const char *run_dir)
{
	char *path = iko_path_join(run_dir, "reconcile/discrepancies.csv");
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	iko_strmap *m = NULL;
	int rc;

	*out = NULL;
	if (!path)
		return IKO_ENOMEM;
	if (!iko_path_exists(path)) {
		rc = iko_error_set(IKO_ENOTFOUND, "%s: no reconcile/discrepancies.csv (run iko reconcile first)",
				   run_dir);
		free(path);
		return rc;
	}
	if ((rc = iko_strmap_new(&m)) || (rc = iko_csv_reader_open(&r, path)))
		goto done;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		iko_strmap_entry *e;
		if (row.record == 1 || row.nfields < 2)
			continue;
		if ((rc = iko_strmap_upsert(m, row.fields[0], row.lens[0], &e)))
			goto done;
		if (!e->value && !(e->value = iko_strdup(row.fields[1]))) {
			rc = IKO_ENOMEM;
			goto done;
		}
	}
	rc = rc < 0 ? rc : 0;
done:
	iko_csv_reader_free(r);
	free(path);
	if (rc) {
		size_t pos = 0;
		iko_strmap_entry *e;
		while (m && (e = iko_strmap_next(m, &pos)) != NULL)
			free(e->value);
		iko_strmap_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

static void ids_free(iko_strmap *m)
{
	size_t pos = 0;
	iko_strmap_entry *e;

	while (m && (e = iko_strmap_next(m, &pos)) != NULL)
		free(e->value);
	iko_strmap_free(m);
}

/* ---- import ---- */

typedef struct imp {
	iko_review_import_result *res;
	const char *sheet;
	int id_col, rev_col[NREV];
	unsigned cur_row;
	char *cell[NREV + 1];          /* id, then the review cells of the current row */
	int num[NREV + 1];
	int have_row;
	iko_strmap *ids, *store;
	const char *run_id, *now, *sha;
	int date1904;                  /* the workbook's date system (iko_xlsx_date1904) */
	int rc;
} imp;

static int add_error(imp *c, unsigned row, unsigned col, const char *fmt, const char *a, const char *b)
{
	char cell[16];
	iko_buf m = IKO_BUF_INIT;
	char **e;

	if (c->res->nerrors >= MAX_ERRORS)
		return 0;
	iko_xlsx_cell_name(cell, sizeof(cell), row, col);
	if (iko_buf_printf(&m, "%s!%s: ", c->sheet, cell))
		return IKO_ENOMEM;
	for (; *fmt; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			if (iko_buf_puts(&m, a ? a : ""))
				return IKO_ENOMEM;
			a = b;
			fmt++;
		} else if (iko_buf_putc(&m, *fmt)) {
			return IKO_ENOMEM;
		}
	}
	e = realloc(c->res->errors, (c->res->nerrors + 1) * sizeof(*e));
	if (!e) {
		iko_buf_release(&m);
		return IKO_ENOMEM;
	}
	c->res->errors = e;
	e[c->res->nerrors++] = iko_buf_detach(&m);
	return 0;
}

static int in_list(const char *const *list, const char *v)
{
	for (; list && *list; list++)
		if (!strcmp(*list, v))
			return 1;
	return 0;
}

static int list_text(iko_buf *b, const char *const *list)
{
	int rc = 0;

	for (; *list && !rc; list++)
		rc = iko_buf_puts(b, *list) || (list[1] && iko_buf_puts(b, "、")) ? IKO_ENOMEM : 0;
	return rc;
}

/* The row just read: validate, then stage it into the store. */
static int finish_row(imp *c)
{
	iko_review *rv;
	iko_strmap_entry *e;
	char date[11];
	int k, any = 0, rc;

	if (!c->have_row)
		return 0;
	c->have_row = 0;
	if (!c->cell[0])
		goto clear;
	c->res->rows++;
	if (!iko_strmap_get(c->ids, c->cell[0], strlen(c->cell[0]))) {
		if ((rc = add_error(c, c->cur_row, (unsigned)c->id_col,
				    "差異ID %s is not a discrepancy of this run%s", c->cell[0], "")))
			return rc;
		goto clear;
	}
	for (k = 0; k < 3; k++) {
		const char *v = c->cell[1 + k];
		if (v && *v && !in_list(iko_workbook_review_list(k), v)) {
			iko_buf l = IKO_BUF_INIT;
			if (list_text(&l, iko_workbook_review_list(k)) ||
			    (rc = add_error(c, c->cur_row, (unsigned)c->rev_col[k], "%s is not one of the list: %s",
					    v, iko_buf_cstr(&l)))) {
				iko_buf_release(&l);
				return IKO_ENOMEM;
			}
			iko_buf_release(&l);
		}
	}
	if (c->cell[1 + 4] && *c->cell[1 + 4]) {
		const char *d = c->cell[1 + 4];
		int y, mo, dd;
		if (c->num[1 + 4] && iko_xlsx_serial_date(date, d, c->date1904) == 0) {
			free(c->cell[1 + 4]);
			c->cell[1 + 4] = iko_strdup(date);
		} else if (!(strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d", &y, &mo, &dd) == 3)) {
			if ((rc = add_error(c, c->cur_row, (unsigned)c->rev_col[4],
					    "確認日 %s is not a date (YYYY-MM-DD)%s", d, "")))
				return rc;
		}
	}
	for (k = 0; k < NREV; k++)
		if (c->cell[1 + k] && *c->cell[1 + k] && !(k == 0 && !strcmp(c->cell[1], "未確認")))
			any = 1;
	if (any && !c->res->nerrors) {
		rv = calloc(1, sizeof(*rv));
		if (!rv || (rc = iko_strmap_upsert(c->store, c->cell[0], strlen(c->cell[0]), &e))) {
			free(rv);
			return IKO_ENOMEM;
		}
		review_free(e->value);
		e->value = rv;
		rv->id = iko_strdup(c->cell[0]);
		for (k = 0; k < NREV; k++)
			rv->v[k] = iko_strdup(c->cell[1 + k] ? c->cell[1 + k] : "");
		rv->run_id = iko_strdup(c->run_id);
		rv->imported_at = iko_strdup(c->now);
		rv->workbook_sha256 = iko_strdup(c->sha);
		c->res->recorded++;
	}
clear:
	for (k = 0; k <= NREV; k++) {
		free(c->cell[k]);
		c->cell[k] = NULL;
		c->num[k] = 0;
	}
	return 0;
}

static int on_cell(void *ud, unsigned row, unsigned col, const char *text, int is_number)
{
	imp *c = ud;
	int k, rc;

	if (row == 0) {
		/* the header row: find 差異ID and the review columns */
		if (!strcmp(text, "差異ID"))
			c->id_col = (int)col;
		for (k = 0; k < NREV; k++)
			if (!strcmp(text, iko_workbook_review_label(k)))
				c->rev_col[k] = (int)col;
		return 0;
	}
	if (c->id_col < 0)
		return 0;
	if (!c->have_row || row != c->cur_row) {
		if ((rc = finish_row(c)))
			return rc;
		c->cur_row = row;
		c->have_row = 1;
	}
	if ((int)col == c->id_col) {
		free(c->cell[0]);
		c->cell[0] = iko_strdup(text);
	}
	for (k = 0; k < NREV; k++)
		if ((int)col == c->rev_col[k]) {
			free(c->cell[1 + k]);
			c->cell[1 + k] = iko_strdup(text);
			c->num[1 + k] = is_number;
		}
	return 0;
}

int iko_review_import(iko_review_import_result *out, const char *xlsx, const char *run_dir)
{
	iko_xlsx *x = NULL;
	imp c;
	char *store_path = NULL, now[21], sha[65], *run_id = NULL, *slash;
	long long size;
	size_t i;
	int rc, k;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.res = out;
	iko_now_iso(now);
	run_id = iko_strdup(run_dir);
	if (!run_id)
		return IKO_ENOMEM;
	while ((slash = strrchr(run_id, '/')) && slash[1] == '\0' && slash != run_id)
		*slash = '\0';
	slash = strrchr(run_id, '/');
	c.run_id = slash ? slash + 1 : run_id;
	c.now = now;
	c.sha = sha;
	if ((rc = iko_file_sha256(sha, &size, xlsx)) || (rc = run_ids(&c.ids, run_dir)) ||
	    !(store_path = iko_review_store_path(run_dir)) ||
	    (rc = iko_review_store_load(&c.store, store_path)) || (rc = iko_xlsx_open(&x, xlsx)))
		goto done;
	c.date1904 = iko_xlsx_date1904(x);
	for (i = 0; i < iko_xlsx_nsheets(x); i++) {
		c.sheet = iko_xlsx_sheet_name(x, i);
		c.id_col = -1;
		for (k = 0; k < NREV; k++)
			c.rev_col[k] = -1;
		c.have_row = 0;
		if ((rc = iko_xlsx_read_sheet(x, i, on_cell, &c)) || (rc = finish_row(&c)))
			goto done;
		if (c.id_col >= 0) {
			out->sheets++;
			for (k = 0; k < NREV; k++)
				if (c.rev_col[k] < 0 &&
				    (rc = add_error(&c, 0, 0, "the review column %s is missing%s",
						    iko_workbook_review_label(k), "")))
					goto done;
		}
	}
	if (out->nerrors) {
		out->recorded = 0;
		rc = iko_error_set(IKO_ECHECK, "%s: %zu problem%s; nothing was recorded", xlsx, out->nerrors,
				   out->nerrors == 1 ? "" : "s");
		goto done;
	}
	if (!out->sheets) {
		rc = iko_error_set(IKO_EPARSE, "%s: no sheet with a 差異ID column (not a discrepancy workbook)", xlsx);
		goto done;
	}
	rc = store_write(c.store, store_path);
done:
	for (k = 0; k <= NREV; k++)
		free(c.cell[k]);
	iko_xlsx_close(x);
	iko_review_store_free(c.store);
	ids_free(c.ids);
	free(store_path);
	free(run_id);
	return rc;
}

void iko_review_import_result_release(iko_review_import_result *r)
{
	size_t i;

	for (i = 0; r && i < r->nerrors; i++)
		free(r->errors[i]);
	if (r) {
		free(r->errors);
		memset(r, 0, sizeof(*r));
	}
}

/* ---- status ---- */

int iko_review_status_run(iko_review_status *out, const char *run_dir)
{
	char *path = iko_path_join(run_dir, "reconcile/discrepancies.csv"), *store_path = NULL;
	iko_strmap *store = NULL;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!path)
		return IKO_ENOMEM;
	if (!iko_path_exists(path)) {
		rc = iko_error_set(IKO_ENOTFOUND, "%s: no reconcile/discrepancies.csv (run iko reconcile first)",
				   run_dir);
		goto done;
	}
	if (!(store_path = iko_review_store_path(run_dir))) {
		rc = IKO_ENOMEM;
		goto done;
	}
	if ((rc = iko_review_store_load(&store, store_path)) || (rc = iko_csv_reader_open(&r, path)))
		goto done;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		iko_strmap_entry *e;
		iko_review *rv;
		if (row.record == 1 || row.nfields < 7 || strcmp(row.fields[6], "1"))
			continue;
		for (i = 0; i < out->nsheets; i++)
			if (!strcmp(out->sheets[i].sheet, row.fields[1]))
				break;
		if (i == out->nsheets) {
			iko_review_sheet_status *s = realloc(out->sheets, (i + 1) * sizeof(*s));
			if (!s) {
				rc = IKO_ENOMEM;
				goto done;
			}
			out->sheets = s;
			memset(&s[i], 0, sizeof(s[i]));
			if (!(s[i].sheet = iko_strdup(row.fields[1]))) {
				rc = IKO_ENOMEM;
				goto done;
			}
			out->nsheets++;
		}
		out->sheets[i].total++;
		out->total++;
		e = iko_strmap_get(store, row.fields[0], row.lens[0]);
		rv = e ? e->value : NULL;
		if (rv && rv->v[0] && *rv->v[0] && strcmp(rv->v[0], "未確認")) {
			out->sheets[i].reviewed++;
			out->reviewed++;
		}
	}
	rc = rc < 0 ? rc : 0;
done:
	iko_csv_reader_free(r);
	iko_review_store_free(store);
	free(store_path);
	free(path);
	if (rc)
		iko_review_status_release(out);
	return rc;
}

void iko_review_status_release(iko_review_status *s)
{
	size_t i;

	for (i = 0; s && i < s->nsheets; i++)
		free(s->sheets[i].sheet);
	if (s) {
		free(s->sheets);
		memset(s, 0, sizeof(*s));
	}
}
