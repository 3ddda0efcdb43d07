/*
 * test_sample.c — unit tests of the sample generator (sample/): PRNG
 * determinism, half-width katakana, 和暦 encoding at era boundaries,
 * 個人番号 generation, option errors and a small generation run.
 */
#include "iko_checkdigit.h"
#include "iko_buf.h"
#include "iko_date.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_sample.h"
#include "sample_internal.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

START_TEST(test_splitmix_reference)
{
	uint64_t st = 0;

	/* Reference output of splitmix64 from state 0. */
	ck_assert_uint_eq(iko_sample_splitmix64(&st), 0xE220A8397B1DCDAFULL);
	ck_assert_uint_eq(iko_sample_splitmix64(&st), 0x6E789E6AA1B965F4ULL);
}
END_TEST

START_TEST(test_rng_determinism)
{
	iko_sample_rng a, b, c;
	int i, same_c = 0;

	iko_sample_rng_seed(&a, 42);
	iko_sample_rng_seed(&b, 42);
	iko_sample_rng_seed(&c, 43);
	for (i = 0; i < 1000; i++) {
		uint64_t x = iko_sample_rng_next(&a), y = iko_sample_rng_next(&b);

		ck_assert_uint_eq(x, y);
		same_c += x == iko_sample_rng_next(&c);
	}
	ck_assert_int_eq(same_c, 0);
}
END_TEST

START_TEST(test_rng_below)
{
	iko_sample_rng r;
	int i, seen[7] = { 0 };

	iko_sample_rng_seed(&r, 7);
	for (i = 0; i < 7000; i++) {
		uint64_t v = iko_sample_rng_below(&r, 7);

		ck_assert_uint_lt(v, 7);
		seen[v]++;
	}
	for (i = 0; i < 7; i++)
		ck_assert_int_gt(seen[i], 800);
	ck_assert_uint_eq(iko_sample_rng_below(&r, 1), 0);
	ck_assert_uint_eq(iko_sample_rng_below(&r, 0), 0);
}
END_TEST

static const struct {
	const char *in, *out;
} kana_cases[] = {
	{ "ダイスケ", "ﾀﾞｲｽｹ" },
	{ "サトウ　タロウ", "ｻﾄｳ ﾀﾛｳ" },
	{ "パーク・ハイム", "ﾊﾟｰｸ･ﾊｲﾑ" },
	{ "ヴェ", "ｳﾞｪ" },
	{ "ヂヅッャュョヮヶヵヲン", "ﾁﾞﾂﾞｯｬｭｮﾜｹｶｦﾝ" },
	{ "ジョンソン エリザベス", "ｼﾞｮﾝｿﾝ ｴﾘｻﾞﾍﾞｽ" },
	{ "", "" },
};

START_TEST(test_kana_halfwidth)
{
	iko_buf b = IKO_BUF_INIT;

	ck_assert_int_eq(iko_sample_kana_halfwidth(&b, kana_cases[_i].in), 0);
	ck_assert_str_eq(iko_buf_cstr(&b), kana_cases[_i].out);
	iko_buf_release(&b);
}
END_TEST

START_TEST(test_kana_bytes)
{
	iko_buf b = IKO_BUF_INIT;

	/* ﾀﾞ is two characters: U+FF80 U+FF9E. */
	ck_assert_int_eq(iko_sample_kana_halfwidth(&b, "ダ"), 0);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_int_eq(memcmp(b.ptr, "\xEF\xBE\x80\xEF\xBE\x9E", 6), 0);
	iko_buf_clear(&b);
	ck_assert_int_eq(iko_sample_kana_halfwidth(&b, "だ"), IKO_EINVAL);
	ck_assert_int_eq(iko_sample_kana_halfwidth(&b, "漢"), IKO_EINVAL);
	iko_buf_release(&b);
}
END_TEST

static const struct {
	int y, m, d;
	const char *out;
} era_cases[] = {
	{ 1989, 1, 7, "3640107" },   /* last day of 昭和 */
	{ 1989, 1, 8, "4010108" },   /* 平成元年 */
	{ 2019, 4, 30, "4310430" },  /* last day of 平成 */
	{ 2019, 5, 1, "5010501" },   /* 令和元年 */
	{ 2025, 3, 31, "5070331" },
	{ 1926, 12, 24, "2151224" }, /* last day of 大正 */
	{ 1926, 12, 25, "3011225" }, /* 昭和元年 */
	{ 1912, 7, 29, "1450729" },  /* last day of 明治 */
	{ 1912, 7, 30, "2010730" },  /* 大正元年 */
	{ 1919, 4, 1, "2080401" },
	{ 1989, 1, 0, "3640100" },   /* day unknown: era of the month's first day */
	{ 2000, 2, 29, "4120229" },
};

START_TEST(test_era_encode)
{
	char out[8];

	ck_assert_int_eq(iko_sample_era_encode(out, era_cases[_i].y, era_cases[_i].m,
					       era_cases[_i].d), 0);
	ck_assert_str_eq(out, era_cases[_i].out);
}
END_TEST

START_TEST(test_era_invalid)
{
	char out[8];

	ck_assert_int_eq(iko_sample_era_encode(out, 2019, 2, 29), IKO_EINVAL);
	ck_assert_int_eq(iko_sample_era_encode(out, 2020, 13, 1), IKO_EINVAL);
	ck_assert_int_eq(iko_sample_era_encode(out, 1868, 1, 24), IKO_EINVAL);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_days_roundtrip)
{
	long z;
	int y, m, d;

	ck_assert_int_eq(iko_sample_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(iko_sample_days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(iko_sample_days_from_civil(2000, 3, 1), 11017);
	for (z = -30000; z < 30000; z += 17) {
		iko_sample_civil_from_days(z, &y, &m, &d);
		ck_assert(iko_date_valid(y, m, d));
		ck_assert_int_eq(iko_sample_days_from_civil(y, m, d), z);
	}
}
END_TEST

static int cmp_str12(const void *a, const void *b)
{
	return memcmp(a, b, 12);
}

START_TEST(test_my_number)
{
	enum { N = 20000 };
	char (*all)[13] = malloc(sizeof(*all) * N);
	uint64_t i;

	ck_assert_ptr_nonnull(all);
	for (i = 0; i < N; i++) {
		iko_sample_my_number(all[i], i, 0x123456789ULL);
		ck_assert_uint_eq(strlen(all[i]), 12);
		ck_assert_msg(iko_my_number_valid(all[i], 12), "invalid: %s", all[i]);
	}
	qsort(all, N, sizeof(*all), cmp_str12);
	for (i = 1; i < N; i++)
		ck_assert_int_ne(memcmp(all[i - 1], all[i], 12), 0);
	/* The largest index still gives a valid number. */
	iko_sample_my_number(all[0], 99999999999ULL, ~0ULL);
	ck_assert(iko_my_number_valid(all[0], 12));
	free(all);
}
END_TEST

START_TEST(test_defect_names)
{
	ck_assert_str_eq(iko_sample_defect_name(IKO_SAMPLE_INVALID_DATE), "invalid_date");
	ck_assert_str_eq(iko_sample_defect_name(IKO_SAMPLE_UNKNOWN_CODE), "unknown_code");
	ck_assert_str_eq(iko_sample_defect_name(IKO_SAMPLE_UNMAPPED_GAIJI), "unmapped_gaiji");
	ck_assert_ptr_null(iko_sample_defect_name(IKO_SAMPLE_DEFECT_COUNT));
	ck_assert_ptr_null(iko_sample_defect_name(-1));
}
END_TEST

START_TEST(test_bad_options)
{
	iko_sample_options o = IKO_SAMPLE_OPTIONS_INIT;
	iko_sample_result r;

	o.lg_code = "131016";
	o.residents = 10;
	o.out = "/nonexistent/never";
	o.vendor = "D";
	ck_assert_int_eq(iko_sample_generate(&r, &o), IKO_EINVAL);
	ck_assert_str_eq(iko_error_message(), "vendor D is not supported (supported: A, B, C)");
	o.vendor = "A";
	o.lg_code = "131017";
	ck_assert_int_eq(iko_sample_generate(&r, &o), IKO_EINVAL);
	o.lg_code = "131016";
	o.residents = 0;
	ck_assert_int_eq(iko_sample_generate(&r, &o), IKO_EINVAL);
	o.residents = 20;
	o.inject = 3; /* 21 defects cannot fit in 20 residents */
	ck_assert_int_eq(iko_sample_generate(&r, &o), IKO_EINVAL);
	ck_assert_ptr_nonnull(strstr(iko_error_message(), "--inject 3"));
}
END_TEST

static long long file_size(const char *dir, const char *name)
{
	char *p = iko_path_join(dir, name);
	struct stat st;
	long long n = -1;

	if (p && stat(p, &st) == 0)
		n = (long long)st.st_size;
	free(p);
	return n;
}

START_TEST(test_generate_small)
{
	char tmpl[] = "/tmp/iko_sample_XXXXXX";
	iko_sample_options o = IKO_SAMPLE_OPTIONS_INIT;
	iko_sample_result r;
	char *dir = mkdtemp(tmpl), *sub;
	int k;

	ck_assert_ptr_nonnull(dir);
	sub = iko_path_join(dir, "out");
	o.lg_code = "131016";
	o.residents = 300;
	o.seed = 99;
	o.inject = 2;
	o.out = sub;
	ck_assert_int_eq(iko_sample_generate(&r, &o), 0);
	ck_assert_int_eq(r.residents_current, 300);
	ck_assert_int_gt(r.residents_removed, 0);
	ck_assert_int_ge(r.towns, 20);
	ck_assert_int_le(r.towns, 60);
	ck_assert_int_eq(r.toukei_rows, 2 * r.towns + 2);
	ck_assert_int_eq(r.gaiji_codes, 9);
	for (k = 0; k < IKO_SAMPLE_DEFECT_COUNT; k++)
		ck_assert_int_eq(r.injected[k], 2);
	ck_assert_int_eq(r.injected_rows, 14);
	ck_assert_int_eq(file_size(sub, "JUMIN.DAT"),
			 282 * (r.residents_current + r.residents_removed));
	ck_assert_int_eq(file_size(sub, "SETAI.DAT"), 42 * r.households);
	/* A clean rerun removes the stale defect list. */
	o.inject = 0;
	ck_assert_int_eq(iko_sample_generate(&r, &o), 0);
	ck_assert_int_eq(file_size(sub, "injected.csv"), -1);
	ck_assert_int_eq(r.injected_rows, 0);
	ck_assert_int_eq(iko_rm_rf(dir), 0);
	free(sub);
}
END_TEST

static Suite *sample_suite(void)
{
	Suite *s = suite_create("sample");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_splitmix_reference);
	tcase_add_test(tc, test_rng_determinism);
	tcase_add_test(tc, test_rng_below);
	tcase_add_loop_test(tc, test_kana_halfwidth, 0, sizeof(kana_cases) / sizeof(kana_cases[0]));
	tcase_add_test(tc, test_kana_bytes);
	tcase_add_loop_test(tc, test_era_encode, 0, sizeof(era_cases) / sizeof(era_cases[0]));
	tcase_add_test(tc, test_era_invalid);
	tcase_add_test(tc, test_days_roundtrip);
	tcase_add_test(tc, test_my_number);
	tcase_add_test(tc, test_defect_names);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_generate_small);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sample_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
