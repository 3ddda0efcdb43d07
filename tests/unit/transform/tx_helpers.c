/*
 * tx_helpers.c — fixtures shared by the transform tests (tx_helpers.h).
 */
#include "tx_helpers.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_fs.h"

char tx_dir[64];
long long tx_counts[4];

void tx_setup(void)
{
	snprintf(tx_dir, sizeof(tx_dir), "/tmp/iko-tx-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tx_dir));
}

void tx_teardown(void)
{
	iko_rm_rf(tx_dir);
}

void tx_write(const char *rel, const char *text)
{
	char *p = iko_path_join(tx_dir, rel), *slash;
	FILE *fp;

	ck_assert_ptr_nonnull(p);
	slash = strrchr(p, '/');
	*slash = '\0';
	ck_assert_int_eq(iko_mkdir_p(p, 0), 0);
	*slash = '/';
	fp = fopen(p, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	free(p);
}

int tx_run(const char *codes, const char *columns, const char *csv)
{
	iko_transform_options o = IKO_TRANSFORM_OPTIONS_INIT;
	iko_transform_stats st;
	iko_buf y = IKO_BUF_INIT;
	char *pack = iko_path_join(tx_dir, "pack"), *in = iko_path_join(tx_dir, "in"),
	     *out = iko_path_join(tx_dir, "out");
	int rc;

	iko_buf_puts(&y, "pack: test/steps\nversion: 1.0.0\nschema: jumin\n"
			 "inputs:\n  - {name: J, file: J.DAT, layout: layouts/J.yaml}\n");
	if (codes) {
		iko_buf_puts(&y, "codes:\n");
		iko_buf_puts(&y, codes);
	}
	iko_buf_puts(&y, "tables:\n  resident:\n    from: J\n    columns:\n");
	iko_buf_puts(&y, columns);
	tx_write("pack/pack.yaml", iko_buf_cstr(&y));
	tx_write("in/J.csv", csv);
	o.pack_dir = pack;
	o.lg_code = "435015";
	o.in_dir = in;
	o.out_dir = out;
	rc = iko_transform_run(&st, &o);
	memset(tx_counts, 0, sizeof(tx_counts));
	if (!rc && st.ntables) {
		tx_counts[0] = st.tables[0].records_in;
		tx_counts[1] = st.tables[0].records_out;
		tx_counts[2] = st.tables[0].records_rejected;
		tx_counts[3] = st.tables[0].warnings;
	}
	iko_transform_stats_release(&st);
	iko_buf_release(&y);
	free(pack);
	free(in);
	free(out);
	return rc;
}

static char **copy_row(const iko_csv_row *row)
{
	char **r = calloc(row->nfields + 1, sizeof(char *));
	size_t i;

	ck_assert_ptr_nonnull(r);
	for (i = 0; i < row->nfields; i++) {
		r[i] = iko_strdup(row->fields[i]);
		ck_assert_ptr_nonnull(r[i]);
	}
	return r;
}

void tx_csv_load(tx_csv *t, const char *rel)
{
	char *p = iko_path_join(tx_dir, rel);
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	int rc;

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(iko_csv_reader_open(&r, p), 0);
	while ((rc = iko_csv_next(r, &row)) == 1) {
		if (row.record == 1) {
			t->hdr = copy_row(&row);
			t->ncols = row.nfields;
			continue;
		}
		ck_assert_uint_eq(row.nfields, t->ncols);
		t->rows = realloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
		ck_assert_ptr_nonnull(t->rows);
		t->rows[t->nrows++] = copy_row(&row);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(t->hdr);
	iko_csv_reader_free(r);
	free(p);
}

static void free_row(char **r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++)
		free(r[i]);
	free(r);
}

void tx_csv_free(tx_csv *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		free_row(t->rows[i], t->ncols);
	free(t->rows);
	free_row(t->hdr, t->ncols);
	memset(t, 0, sizeof(*t));
}

const char *tx_cell(const tx_csv *t, size_t row, const char *col)
{
	size_t i;

	ck_assert_msg(row < t->nrows, "row %zu of %zu", row, t->nrows);
	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->hdr[i], col))
			return t->rows[row][i];
	ck_abort_msg("no column %s", col);
	return NULL;
}
