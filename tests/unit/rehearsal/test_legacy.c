/*
 * test_legacy.c — the legacy values beside reported differences, read back
 * from the extract CSV through transform's legacy index (iko_legacy.h):
 * fields joined, quoted fields with line breaks, sensitive columns masked,
 * the first record of a key, and the files missing or changed.
 */
#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_legacy.h"
#include "iko_schema.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TCase *legacy_tcase(void);

/* extract/X.csv: the header, then records at offsets 22, 48, 82, 108 */
static const char extract_csv[] =
	"ID,ERA,YMD,SECRET,TXT\n"         /* 0 */
	"1,4,061127,111122223333,a\n"      /* 22 */
	"2,5,010826,444455556666,\"x,\ny\"\"z\"\n" /* 48 */
	"3,3,630101,777788889999,c\n"      /* 82 */
	"3,9,991231,000000000000,dup\n";   /* 108: a second record with key 3 */

static const char columns_csv_fmt[] =
	"column,field,join,source,source_bytes\n"
	"era_date,ERA,-,X.csv,%zu\n"
	"era_date,YMD,-,X.csv,%zu\n"
	"secret,SECRET,,X.csv,%zu\n"
	"txt,TXT,,X.csv,%zu\n";

static const char index_csv[] =
	"key,offset\n"
	"k1,22\n"
	"k2,48\n"
	"k3,82\n"
	"k3,108\n";

#define DIR_TEMPLATE "/tmp/iko-test-legacy.XXXXXX"
static char dir[sizeof(DIR_TEMPLATE)];

static void put(const char *rel, const char *text)
{
	char *p = iko_path_join(dir, rel);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(iko_write_file(p, text, strlen(text), 0600), 0);
	free(p);
}

static void make_run(void)
{
	char cols[512], *t, *x;

	snprintf(dir, sizeof(dir), "%s", DIR_TEMPLATE);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	t = iko_path_join(dir, "transform");
	x = iko_path_join(dir, "extract");
	ck_assert_int_eq(iko_mkdir_p(t, 1), 0);
	ck_assert_int_eq(iko_mkdir_p(x, 1), 0);
	free(t);
	free(x);
	snprintf(cols, sizeof(cols), columns_csv_fmt, strlen(extract_csv), strlen(extract_csv), strlen(extract_csv),
		 strlen(extract_csv));
	put("extract/X.csv", extract_csv);
	put("transform/t.legacy-columns.csv", cols);
	put("transform/t.legacy.csv", index_csv);
}

static void remove_run(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* a table t: key id, columns era_date, secret (sensitive), txt, other */
static iko_column cols[5];
static iko_table table;
static iko_schema schema;

static void make_schema(void)
{
	static char *names[] = { "id", "era_date", "secret", "txt", "other" };
	static int key[] = { 0 };
	size_t i;

	memset(cols, 0, sizeof(cols));
	for (i = 0; i < 5; i++)
		cols[i].name = names[i];
	cols[2].sensitive = 1;
	memset(&table, 0, sizeof(table));
	table.name = "t";
	table.ncols = 5;
	table.cols = cols;
	table.nkey = 1;
	table.key = key;
	memset(&schema, 0, sizeof(schema));
	schema.ntables = 1;
	schema.tables = &table;
}

static void add(iko_reconcile_result *r, const char *key, const char *column)
{
	iko_record_diff *d;

	r->diffs = realloc(r->diffs, (r->ndiffs + 1) * sizeof(*r->diffs));
	ck_assert_ptr_nonnull(r->diffs);
	d = &r->diffs[r->ndiffs++];
	memset(d, 0, sizeof(*d));
	d->kind = "mismatch";
	d->table = strdup("t");
	d->key = strdup(key);
	d->column = strdup(column);
}

static void diffs(iko_reconcile_result *r)
{
	memset(r, 0, sizeof(*r));
	add(r, "k2", "era_date"); /* 0: two fields joined */
	add(r, "k2", "secret");   /* 1: masked */
	add(r, "k2", "txt");      /* 2: quoted, a comma, a line break, a doubled quote */
	add(r, "k3", "txt");      /* 3: the first record of the key */
	add(r, "k9", "txt");      /* 4: not in the index */
	add(r, "k1", "other");    /* 5: a column no source field maps */
	add(r, "k1", "era_date"); /* 6 */
}

START_TEST(test_values)
{
	iko_reconcile_result r;

	make_schema();
	make_run();
	diffs(&r);
	ck_assert_int_eq(iko_legacy_fill(&r, &schema, dir), 0);
	ck_assert_str_eq(r.diffs[0].legacy_value, "5-010826");
	ck_assert_str_eq(r.diffs[1].legacy_value, "(masked)");
	ck_assert_str_eq(r.diffs[2].legacy_value, "x,\ny\"z");
	ck_assert_str_eq(r.diffs[3].legacy_value, "c");
	ck_assert_ptr_null(r.diffs[4].legacy_value);
	ck_assert_ptr_null(r.diffs[5].legacy_value);
	ck_assert_str_eq(r.diffs[6].legacy_value, "4-061127");
	ck_assert_ptr_null(r.legacy_note);
	iko_reconcile_result_release(&r);
	remove_run();
}
END_TEST

START_TEST(test_changed_or_missing)
{
	iko_reconcile_result r;
	char *x, *note;
	size_t n = strlen(extract_csv);

	make_schema();
	make_run();
	/* extract re-run since: one more record, so the offsets may point anywhere */
	x = iko_path_join(dir, "extract/X.csv");
	put("extract/X.csv", "ID,ERA,YMD,SECRET,TXT\n0,1,000000,0,z\n");
	diffs(&r);
	ck_assert_int_eq(iko_legacy_fill(&r, &schema, dir), 0);
	ck_assert_ptr_null(r.diffs[0].legacy_value);
	ck_assert_ptr_null(r.diffs[3].legacy_value);
	note = iko_aprintf("no legacy values for t: extract/X.csv is not the file transform read (%zu bytes, now 37)", n);
	ck_assert_str_eq(r.legacy_note, note);
	free(note);
	iko_reconcile_result_release(&r);
	/* gone */
	ck_assert_int_eq(unlink(x), 0);
	diffs(&r);
	ck_assert_int_eq(iko_legacy_fill(&r, &schema, dir), 0);
	ck_assert_ptr_null(r.diffs[0].legacy_value);
	ck_assert_str_eq(r.legacy_note, "no legacy values for t: extract/X.csv is missing");
	iko_reconcile_result_release(&r);
	free(x);
	/* no legacy files (a run of an iko before them): nothing, and nothing to say */
	x = iko_path_join(dir, "transform/t.legacy-columns.csv");
	ck_assert_int_eq(unlink(x), 0);
	free(x);
	diffs(&r);
	ck_assert_int_eq(iko_legacy_fill(&r, &schema, dir), 0);
	ck_assert_ptr_null(r.diffs[2].legacy_value);
	ck_assert_ptr_null(r.legacy_note);
	iko_reconcile_result_release(&r);
	remove_run();
}
END_TEST

START_TEST(test_bad_columns_file)
{
	iko_reconcile_result r;

	make_schema();
	make_run();
	put("transform/t.legacy-columns.csv", "column,field\nera_date,ERA\n");
	diffs(&r);
	ck_assert_int_eq(iko_legacy_fill(&r, &schema, dir), 0);
	ck_assert_ptr_null(r.diffs[0].legacy_value);
	ck_assert_ptr_nonnull(strstr(r.legacy_note, "no legacy values for t: "));
	ck_assert_ptr_nonnull(strstr(r.legacy_note, "t.legacy-columns.csv: not a legacy-columns file (header)"));
	iko_reconcile_result_release(&r);
	remove_run();
}
END_TEST

TCase *legacy_tcase(void)
{
	TCase *tc = tcase_create("legacy");

	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_changed_or_missing);
	tcase_add_test(tc, test_bad_columns_file);
	return tc;
}
