/*
 * test_steps.c — every mapping step of transform/iko_transform.c, through
 * the public API: a one-column pack and a one-record input are written to a
 * temporary directory, iko_transform_run maps it, and the test reads the
 * output CSV and rejects.csv back.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iko_buf.h"
#include "iko_csv.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_transform.h"

Suite *steps_suite(void);

static char dir[64];

static void put(const char *name, const char *text)
{
	char *p = iko_path_join(dir, name);
	FILE *fp = fopen(p, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	free(p);
}

static void setup(void)
{
	char *in;

	snprintf(dir, sizeof(dir), "/tmp/iko-steps-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	in = iko_path_join(dir, "in");
	ck_assert_int_eq(iko_mkdir_p(in, 0), 0);
	free(in);
	put("towns.csv", "from,to\nA,1010001\n");
}

static void teardown(void)
{
	iko_rm_rf(dir);
}

typedef struct result {
	int rc;                 /* iko_transform_run */
	char value[256];        /* the output column, or "" */
	int rejected;
	char reason[32], severity[16], detail[256];
	char extra[2][64];      /* birth_date_unknown, birth_date_note */
} result;

/* Value of header column name in the first data row of path, into out. */
static int read_first(const char *path, const char *name, char *out, size_t n)
{
	iko_csv_reader *r = NULL;
	iko_csv_row row;
	int col = -1, got = 0;

	out[0] = '\0';
	if (iko_csv_reader_open(&r, path))
		return 0;
	while (iko_csv_next(r, &row) == 1) {
		if (row.record == 1) {
			col = iko_csv_find(&row, name);
			continue;
		}
		if (col >= 0 && (size_t)col < row.nfields) {
			snprintf(out, n, "%s", row.fields[col]);
			got = 1;
		}
		break;
	}
	iko_csv_reader_free(r);
	return got;
}

/*
 * Map value (one source field V) into column col through steps (YAML flow
 * list). from: "V" or "[A, B]" with join; the source CSV is given whole
 * when csv is not NULL.
 */
static result run(const char *col, const char *from, const char *steps, const char *csv)
{
	iko_transform_options o = IKO_TRANSFORM_OPTIONS_INIT;
	iko_transform_stats st;
	iko_buf pack = IKO_BUF_INIT;
	result res;
	char *outd = iko_path_join(dir, "out"), *ind = iko_path_join(dir, "in");
	char *rp = iko_path_join(dir, "out/resident.csv"), *jp = iko_path_join(dir, "out/rejects.csv");

	memset(&res, 0, sizeof(res));
	iko_buf_printf(&pack,
		       "pack: t/jumin\nversion: 1.0.0\nschema: jumin\n"
		       "inputs:\n  - {name: J, file: J.DAT, layout: layouts/J.yaml}\n"
		       "codes:\n"
		       "  sex: {unmapped: reject, map: {M: \"1\", F: \"2\"}}\n"
		       "  w: {unmapped: warn, map: {A: \"1\"}}\n"
		       "  k: {unmapped: keep, map: {A: \"1\"}}\n"
		       "tables:\n  resident:\n    from: J\n    columns:\n"
		       "      lg_code: {const: $lg_code}\n"
		       "      %s: {from: %s%s%s%s}\n",
		       col, from, strchr(from, '[') ? ", join: \" \"" : "", steps ? ", steps: " : "",
		       steps ? steps : "");
	put("pack.yaml", iko_buf_cstr(&pack));
	put("in/J.csv", csv);
	o.pack_dir = dir;
	o.lg_code = "435015";
	o.in_dir = ind;
	o.out_dir = outd;
	memset(&st, 0, sizeof(st));
	res.rc = iko_transform_run(&st, &o);
	if (res.rc == 0) {
		read_first(rp, col, res.value, sizeof(res.value));
		read_first(rp, "birth_date_unknown", res.extra[0], sizeof(res.extra[0]));
		read_first(rp, "birth_date_note", res.extra[1], sizeof(res.extra[1]));
		res.rejected = st.ntables ? (int)st.tables[0].records_rejected : -1;
		read_first(jp, "reason", res.reason, sizeof(res.reason));
		read_first(jp, "severity", res.severity, sizeof(res.severity));
		read_first(jp, "detail", res.detail, sizeof(res.detail));
	}
	iko_transform_stats_release(&st);
	iko_buf_release(&pack);
	iko_rm_rf(outd);
	free(outd);
	free(ind);
	free(rp);
	free(jp);
	return res;
}

/* One value V through steps into col. */
static result map1(const char *col, const char *steps, const char *v)
{
	iko_buf csv = IKO_BUF_INIT;
	result r;

	iko_buf_puts(&csv, "V\n");
	iko_csv_escape(&csv, v, strlen(v), ',');
	iko_buf_putc(&csv, '\n');
	r = run(col, "V", steps, iko_buf_cstr(&csv));
	iko_buf_release(&csv);
	return r;
}

#define OK(r, want)                                                                     \
	do {                                                                            \
		ck_assert_int_eq((r).rc, 0);                                            \
		ck_assert_int_eq((r).rejected, 0);                                      \
		ck_assert_str_eq((r).value, (want));                                    \
	} while (0)
#define REJECTED(r, why)                                                                \
	do {                                                                            \
		ck_assert_int_eq((r).rc, 0);                                            \
		ck_assert_int_eq((r).rejected, 1);                                      \
		ck_assert_str_eq((r).reason, (why));                                    \
		ck_assert_str_eq((r).severity, "reject");                               \
	} while (0)

START_TEST(test_trim)
{
	OK(map1("name", "[trim]", "  山田　太郎　 "), "山田　太郎");
	OK(map1("name", "[trim]", "　 "), "");
	OK(map1("name", "[trim]", ""), "");
	OK(map1("name", NULL, " as is "), " as is ");
}
END_TEST

START_TEST(test_width)
{
	OK(map1("name_kana", "[zenkaku]", "ﾀﾞｲｽｹ ﾔﾏﾀﾞ"), "ダイスケ　ヤマダ");
	OK(map1("name_kana", "[zenkaku]", "ﾊﾟﾋﾟﾌﾟ"), "パピプ");
	/* hankaku: full-width ASCII and U+3000 become ASCII; kana are left alone */
	OK(map1("postal_code", "[hankaku]", "１２３－４５６７"), "123-4567");
	OK(map1("name_kana", "[hankaku]", "ダイスケ　ＡＢ"), "ダイスケ AB");
	OK(map1("name_kana", "[zenkaku_kana]", "ｱｲ12"), "アイ12");
	OK(map1("name_kana", "[zenkaku]", ""), "");
}
END_TEST

START_TEST(test_zero_pad_split_default_const_join)
{
	result r;

	OK(map1("town_code", "[{zero_pad: 7}]", "10001"), "0010001");
	OK(map1("town_code", "[{zero_pad: 7}]", "12345678"), "12345678");
	OK(map1("town_code", "[{zero_pad: 7}]", ""), "");
	OK(map1("name", "[{split: {sep: \" \", part: 1}}]", "山田 太郎"), "山田");
	OK(map1("name", "[{split: {sep: \" \", part: 2}}]", "山田 太郎"), "太郎");
	OK(map1("name", "[{split: {sep: \" \", part: 1}}]", "山田"), "山田");
	OK(map1("name", "[{split: {sep: \" \", part: 2}}]", "山田"), "");
	OK(map1("sex", "[{default: \"0\"}]", ""), "0");
	OK(map1("sex", "[{default: \"0\"}]", "1"), "1");
	r = run("name", "[A, B]", "[trim]", "A,B\n山田,太郎\n");
	OK(r, "山田 太郎");
}
END_TEST

START_TEST(test_era_date)
{
	result r;

	OK(map1("birth_date", "[{era_date: {format: gyymmdd}}]", "4010108"), "1989-01-08");
	OK(map1("birth_date", "[{era_date: {format: gyymmdd}}]", "3640107"), "1989-01-07");
	OK(map1("birth_date", "[{era_date: {format: letter}}]", "H01.05.08"), "1989-05-08");
	OK(map1("birth_date", "[{era_date: {format: kanji}}]", "平成元年5月8日"), "1989-05-08");
	OK(map1("birth_date", "[{era_date: {format: gyymmdd}}]", "0000000"), "");
	r = map1("birth_date", "[{era_date: {format: gyymmdd}}]", "3640108");
	REJECTED(r, "era-date-invalid");
	r = map1("birth_date", "[{era_date: {format: gyymmdd}}]", "4051301");
	REJECTED(r, "era-date-invalid");
	/* an unknown day: no date, the flag and the 不詳表記 */
	r = map1("birth_date",
		 "[{era_date: {format: gyymmdd, unknown_flag: birth_date_unknown, note: birth_date_note}}]",
		 "3450300");
	OK(r, "");
	ck_assert_str_eq(r.extra[0], "1");
	ck_assert_str_eq(r.extra[1], "昭和45年3月日不詳");
	r = map1("birth_date",
		 "[{era_date: {format: gyymmdd, unknown_flag: birth_date_unknown, note: birth_date_note}}]",
		 "4010108");
	ck_assert_str_eq(r.extra[0], "0");
	/* 平成31年5月1日 is 令和元年5月1日: kept, with a warning */
	r = map1("birth_date", "[{era_date: {format: gyymmdd}}]", "4310501");
	OK(r, "2019-05-01");
	ck_assert_str_eq(r.reason, "era-normalised");
	ck_assert_str_eq(r.severity, "warn");
}
END_TEST

START_TEST(test_date_format)
{
	result r;

	OK(map1("birth_date", "[{date_format: \"%Y%m%d\"}]", "20240229"), "2024-02-29");
	OK(map1("birth_date", "[{date_format: \"%Y/%m/%d\"}]", "2024/03/01"), "2024-03-01");
	OK(map1("birth_date", "[{date_format: \"%Y%m%d\"}]", ""), "");
	r = map1("birth_date", "[{date_format: \"%Y%m%d\"}]", "20230229");
	REJECTED(r, "mapping-failed");
	ck_assert_ptr_nonnull(strstr(r.detail, "not a valid date in format %Y%m%d"));
	r = map1("birth_date", "[{date_format: \"%Y%m%d\"}]", "2023022");
	REJECTED(r, "mapping-failed");
}
END_TEST

START_TEST(test_code_policies)
{
	result r;

	OK(map1("sex", "[{code: sex}]", "M"), "1");
	OK(map1("sex", "[{code: sex}]", ""), "");
	r = map1("sex", "[{code: sex}]", "Z");
	REJECTED(r, "unmapped-code");
	ck_assert_str_eq(r.detail, "code \"Z\" is not in code table sex (unmapped: reject)");
	/* warn: the value passes unchanged, with a warning */
	r = map1("sex", "[{code: w}]", "B");
	OK(r, "B");
	ck_assert_str_eq(r.reason, "unmapped-code");
	ck_assert_str_eq(r.severity, "warn");
	/* keep: unchanged, silently */
	r = map1("sex", "[{code: k}]", "B");
	OK(r, "B");
	ck_assert_str_eq(r.reason, "");
	OK(map1("sex", "[{code: k}]", "A"), "1");
}
END_TEST

START_TEST(test_regex_lookup_check_digit)
{
	result r;

	OK(map1("postal_code", "[{regex: {pattern: '(\\d{3})-(\\d{4})', replace: '$1$2'}}]", "123-4567"),
	   "1234567");
	OK(map1("ido_date", "[{regex: {pattern: '^0$', replace: ''}}]", "0"), "");
	OK(map1("town_code", "[{lookup: {file: towns.csv, unmapped: reject}}]", "A"), "1010001");
	r = map1("town_code", "[{lookup: {file: towns.csv, unmapped: reject}}]", "B");
	REJECTED(r, "unmapped-code");
	OK(map1("city_code", "[lg_check_digit]", "13101"), "131016");
	OK(map1("city_code", "[lg_check_digit]", "131016"), "131016");
	OK(map1("city_code", "[lg_check_digit]", "43502"), "435023");
	r = map1("city_code", "[lg_check_digit]", "1310");
	REJECTED(r, "mapping-failed");
	ck_assert_str_eq(r.detail, "lg_check_digit needs a 5-digit code (or a valid 6-digit one)");
	r = map1("city_code", "[lg_check_digit]", "131017");
	REJECTED(r, "mapping-failed");
}
END_TEST

START_TEST(test_steps_in_order)
{
	/* trim, then zenkaku, then split: the order of the list */
	OK(map1("name_kana", "[trim, zenkaku, {split: {sep: \"　\", part: 2}}]", " ﾔﾏﾀﾞ ﾀﾛｳ "), "タロウ");
	OK(map1("town_code", "[{regex: {pattern: '^0$', replace: ''}}, {zero_pad: 7}]", "0"), "");
	OK(map1("town_code", "[{regex: {pattern: '^0$', replace: ''}}, {zero_pad: 7}]", "5"), "0000005");
}
END_TEST

START_TEST(test_bad_step_is_an_error)
{
	result r = map1("name", "[{frobnicate: 1}]", "x");

	ck_assert_int_eq(r.rc, IKO_EPARSE);
	ck_assert_ptr_nonnull(strstr(iko_error_message(), "frobnicate"));
	r = map1("no_such_column", NULL, "x");
	ck_assert_int_ne(r.rc, 0);
}
END_TEST

Suite *steps_suite(void)
{
	Suite *s = suite_create("steps");
	TCase *tc = tcase_create("steps");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_trim);
	tcase_add_test(tc, test_width);
	tcase_add_test(tc, test_zero_pad_split_default_const_join);
	tcase_add_test(tc, test_era_date);
	tcase_add_test(tc, test_date_format);
	tcase_add_test(tc, test_code_policies);
	tcase_add_test(tc, test_regex_lookup_check_digit);
	tcase_add_test(tc, test_steps_in_order);
	tcase_add_test(tc, test_bad_step_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
