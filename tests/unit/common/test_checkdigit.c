/*
 * test_checkdigit.c — 個人番号, 団体コード and 法人番号 check digits, and
 * every 団体コード of the real public lists in ../shared/reference.
 */
#define _GNU_SOURCE /* fopencookie */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "iko_buf.h"
#include "iko_checkdigit.h"
#include "iko_csv.h"
#include "iko_strmap.h"

Suite *checkdigit_suite(void);

START_TEST(test_my_number)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
		{ "123456789018", 1 }, { "123456789019", 0 }, { "123456789010", 0 },
		{ "12345678901", 0 }, { "1234567890180", 0 }, { "12345678901A", 0 },
		{ "", 0 }, { "000000000000", 1 }, { "12345678901８", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(iko_my_number_valid(cases[i].s, strlen(cases[i].s)) == cases[i].valid,
			      "%s", cases[i].s);
	ck_assert_int_eq(iko_my_number_digit("12345678901"), 8);
	ck_assert_int_eq(iko_my_number_digit("1234567890X"), -1);
}
END_TEST

START_TEST(test_lg_code)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
		{ "131016", 1 }, { "131130", 1 }, { "011002", 1 }, { "435015", 1 },
		{ "453617", 1 }, { "131017", 0 }, { "13101", 0 }, { "1310160", 0 }, { "13101a", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(iko_lg_code_valid(cases[i].s, strlen(cases[i].s)) == cases[i].valid,
			      "%s", cases[i].s);
	ck_assert_int_eq(iko_lg_code_digit("13101"), 6);
	ck_assert_int_eq(iko_lg_code_digit("13113"), 0);
}
END_TEST

START_TEST(test_corp_number)
{
	char buf[32];
	int cd;

	/* published numbers: 国税庁, トヨタ自動車株式会社, ソニーグループ株式会社 */
	ck_assert_int_eq(iko_corp_number_valid("7000012050002", 13), 1);
	ck_assert_int_eq(iko_corp_number_valid("1180301018771", 13), 1);
	ck_assert_int_eq(iko_corp_number_valid("5010401067252", 13), 1);
	ck_assert_int_eq(iko_corp_number_digit("180301018771"), 1);
	ck_assert_int_eq(iko_corp_number_valid("1180301018772", 13), 0); /* last digit changed */
	ck_assert_int_eq(iko_corp_number_valid("5010401076252", 13), 0); /* two digits swapped */
	ck_assert_int_eq(iko_corp_number_valid("501040106725A", 13), 0);
	ck_assert_int_eq(iko_corp_number_digit("01040106725X"), -1);
	ck_assert_int_eq(iko_corp_number_valid("6000012050002", 13), 0);
	ck_assert_int_eq(iko_corp_number_valid("700001205000", 12), 0);
	/* a number built by the formula validates, and only with its digit */
	cd = iko_corp_number_digit("123456789012");
	ck_assert_int_ge(cd, 1);
	snprintf(buf, sizeof(buf), "%d123456789012", cd);
	ck_assert_int_eq(iko_corp_number_valid(buf, 13), 1);
	buf[0] = (char)('0' + (cd % 9) + 1);
	ck_assert_int_eq(iko_corp_number_valid(buf, 13), 0);
}
END_TEST

static char *reference(const char *name)
{
	const char *src = getenv("IKO_SOURCE_DIR");
	char *p;

	ck_assert_msg(src != NULL, "IKO_SOURCE_DIR is not set");
	p = iko_aprintf("%s/../shared/reference/%s", src, name);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(access(p, R_OK) == 0, "reference file missing: %s", p);
	return p;
}

/* Every lgcode of localgovjp validates; returns the 5-digit → 6-digit map. */
static iko_strmap *localgov_codes(long long *rows)
{
	char *path = reference("localgovjp-utf8.csv");
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	iko_strmap *m = NULL;
	iko_strmap_entry *e;
	int col = -1, rc;

	ck_assert_int_eq(iko_strmap_new(&m), 0);
	ck_assert_int_eq(iko_csv_reader_open(&r, path), 0);
	*rows = 0;
	while ((rc = iko_csv_next(r, &row)) == 1) {
		if (row.record == 1) {
			col = iko_csv_find(&row, "lgcode");
			ck_assert_int_ge(col, 0);
			continue;
		}
		(*rows)++;
		ck_assert_msg(iko_lg_code_valid(row.fields[col], row.lens[col]),
			      "lgcode %s fails the check digit", row.fields[col]);
		ck_assert_int_eq(iko_strmap_upsert(m, row.fields[col], 5, &e), 0);
		e->a = row.fields[col][5];
	}
	ck_assert_int_eq(rc, 0);
	iko_csv_reader_free(r);
	free(path);
	return m;
}

START_TEST(test_localgovjp_all_valid)
{
	long long rows;
	iko_strmap *m = localgov_codes(&rows);

	ck_assert_int_eq(rows, 1916);
	iko_strmap_free(m);
}
END_TEST

/* fopencookie read callback over a libzip member. */
static ssize_t zip_cookie_read(void *cookie, char *buf, size_t size)
{
	zip_int64_t n = zip_fread((zip_file_t *)cookie, buf, size);

	return n < 0 ? -1 : (ssize_t)n;
}

START_TEST(test_ken_all_codes)
{
	char *path = reference("ken_all.zip");
	long long rows = 0, matched = 0, checked = 0;
	iko_strmap *lg = localgov_codes(&rows), *seen = NULL;
	iko_strmap_entry *e, *l;
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	zip_t *z;
	zip_file_t *zf;
	FILE *fp;
	int err = 0, rc;
	cookie_io_functions_t io = { .read = zip_cookie_read };

	ck_assert_int_eq(iko_strmap_new(&seen), 0);
	z = zip_open(path, ZIP_RDONLY, &err);
	ck_assert_msg(z != NULL, "cannot open %s", path);
	zf = zip_fopen(z, "KEN_ALL.CSV", ZIP_FL_NOCASE);
	ck_assert_msg(zf != NULL, "%s: no member KEN_ALL.CSV", path);
	/* streamed straight out of the archive: no temporary copy */
	fp = fopencookie(zf, "r", io);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(iko_csv_reader_open_fp(&r, fp, "KEN_ALL.CSV"), 0);
	while ((rc = iko_csv_next(r, &row)) == 1) {
		int cd;
		ck_assert_uint_eq(row.nfields, 15);
		ck_assert_uint_eq(row.lens[0], 5);
		checked++;
		ck_assert_int_eq(iko_strmap_upsert(seen, row.fields[0], 5, &e), 0);
		if (e->a++)
			continue;
		cd = iko_lg_code_digit(row.fields[0]);
		ck_assert_int_ge(cd, 0);
		l = iko_strmap_get(lg, row.fields[0], 5);
		if (l) {
			ck_assert_msg(l->a == '0' + cd, "%s: computed %d, localgovjp %c",
				      row.fields[0], cd, (char)l->a);
			matched++;
		}
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(checked, 124825);
	/* nearly every municipality of KEN_ALL is in localgovjp */
	ck_assert_int_gt(matched, 1700);
	iko_csv_reader_free(r);
	fclose(fp);
	ck_assert_int_eq(zip_fclose(zf), 0);
	zip_discard(z);
	iko_strmap_free(seen);
	iko_strmap_free(lg);
	free(path);
}
END_TEST

Suite *checkdigit_suite(void)
{
	Suite *s = suite_create("checkdigit");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_my_number);
	tcase_add_test(tc, test_lg_code);
	tcase_add_test(tc, test_corp_number);
	tcase_add_test(tc, test_localgovjp_all_valid);
	tcase_add_test(tc, test_ken_all_codes);
	suite_add_tcase(s, tc);
	return s;
}
