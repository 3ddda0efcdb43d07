/*
 * vx_helpers.c — fixtures shared by the validate tests (vx_helpers.h).
 */
#include "vx_helpers.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_csv.h"
#include "iko_fs.h"

char vx_dir[64];

static const char *const res_cols[] = {
	"lg_code", "atena_no", "setai_no", "jumin_shubetsu", "jumin_jotai", "name", "name_kana",
	"sex", "birth_date", "birth_date_unknown", "birth_date_note", "zokugara_code",
	"zokugara_text", "resident_since", "ido_date", "ido_reason", "city_code", "town_code",
	"town_name", "banchi", "katagaki", "postal_code", "removal_date", "my_number",
	"nationality_code", "zairyu_code", "shien_sochi",
};
static const char *const res_vals[] = {
	"435015", NULL, NULL, "1", "1", "山田　太郎", "ヤマダ　タロウ",
	"1", "1970-03-15", "0", "", "02",
	"世帯主", "2000-04-01", "2000-04-01", "01", "435015", "0010001",
	"本町", "1-2-3", "", "8680000", "", "123456789018",
	"", "", "0",
};
#define NRES (sizeof(res_cols) / sizeof(res_cols[0]))
_Static_assert(sizeof(res_vals) / sizeof(res_vals[0]) == NRES, "one value per column");

void vx_setup(void)
{
	snprintf(vx_dir, sizeof(vx_dir), "/tmp/iko-vx-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(vx_dir));
}

void vx_teardown(void)
{
	iko_rm_rf(vx_dir);
}

void vx_write(const char *rel, const char *text)
{
	char *p = iko_path_join(vx_dir, rel), *slash;
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

char *vx_source_path(const char *rel)
{
	const char *src = getenv("IKO_SOURCE_DIR");
	char *p;

	ck_assert_msg(src != NULL, "IKO_SOURCE_DIR is not set");
	p = iko_path_join(src, rel);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(iko_path_exists(p), "missing: %s", p);
	return p;
}

void vx_resident_header(iko_buf *b)
{
	size_t i;

	for (i = 0; i < NRES; i++) {
		if (i)
			iko_buf_putc(b, ',');
		iko_buf_puts(b, res_cols[i]);
	}
	iko_buf_putc(b, '\n');
}

void vx_household_header(iko_buf *b)
{
	iko_buf_puts(b, "lg_code,setai_no,head_atena_no,member_count,town_code\n");
}

void vx_resident(iko_buf *b, const char *atena, const char *setai, const char *const *set)
{
	size_t i, k;

	for (i = 0; i < NRES; i++) {
		const char *v = i == 1 ? atena : i == 2 ? setai : res_vals[i];
		size_t n = strlen(res_cols[i]);
		for (k = 0; set && set[k]; k++)
			if (!strncmp(set[k], res_cols[i], n) && set[k][n] == '=')
				v = set[k] + n + 1;
		if (i)
			iko_buf_putc(b, ',');
		ck_assert_int_eq(iko_csv_escape(b, v, strlen(v), ','), 0);
	}
	iko_buf_putc(b, '\n');
}

void vx_household(iko_buf *b, const char *setai, const char *head, int members)
{
	iko_buf_printf(b, "435015,%s,%s,%d,0010001\n", setai, head, members);
}

int vx_link_unchanged;
struct iko_follow *vx_follow;

int vx_run(iko_validate_stats *st, const char *schema, const char *const *gaiji, size_t ngaiji)
{
	iko_validate_options o = IKO_VALIDATE_OPTIONS_INIT;
	char *sch = schema ? NULL : vx_source_path("schema/jumin.yaml");
	char *in = iko_path_join(vx_dir, "in"), *out = iko_path_join(vx_dir, "out");
	int rc;

	o.schema = schema ? schema : sch;
	o.in_dir = in;
	o.out_dir = out;
	o.lg_code = "435015";
	o.charset_extra = gaiji;
	o.ncharset_extra = ngaiji;
	o.link_unchanged = vx_link_unchanged;
	o.follow = vx_follow;
	rc = iko_validate_run(st, &o);
	free(sch);
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

void vx_csv_load(vx_csv *t, const char *rel)
{
	char *p = iko_path_join(vx_dir, rel);
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

void vx_csv_free(vx_csv *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		free_row(t->rows[i], t->ncols);
	free(t->rows);
	free_row(t->hdr, t->ncols);
	memset(t, 0, sizeof(*t));
}

const char *vx_cell(const vx_csv *t, size_t row, const char *col)
{
	size_t i;

	ck_assert_msg(row < t->nrows, "row %zu of %zu", row, t->nrows);
	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->hdr[i], col))
			return t->rows[row][i];
	ck_abort_msg("no column %s", col);
	return NULL;
}

const iko_validate_table *vx_table(const iko_validate_stats *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->ntables; i++)
		if (!strcmp(st->tables[i].table, name))
			return &st->tables[i];
	ck_abort_msg("no table %s in the stats", name);
	return NULL;
}
