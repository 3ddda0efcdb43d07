/*
 * test_era.c — 和暦 dates: era boundaries, 元年, spellings, 不詳, the
 * 平成31年5月以降 normalisation, and exact error messages.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_era.h"
#include "iko_error.h"

Suite *era_suite(void);

static const struct {
	const char *in;
	const char *iso;  /* expected ISO date, "" when unknown */
	int unknown;
	const char *note;
	int status;
	enum iko_era era; /* as written; 0 = not checked */
} valid[] = {
	/* each era's first and last day */
	{ "1010125", "1868-01-25", 0, "", IKO_ERA_OK, IKO_ERA_MEIJI },
	{ "1450729", "1912-07-29", 0, "", IKO_ERA_OK, IKO_ERA_MEIJI },
	{ "2010730", "1912-07-30", 0, "", IKO_ERA_OK, IKO_ERA_TAISHO },
	{ "2151224", "1926-12-24", 0, "", IKO_ERA_OK, IKO_ERA_TAISHO },
	{ "3011225", "1926-12-25", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "3640107", "1989-01-07", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "4010108", "1989-01-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "4310430", "2019-04-30", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "5010501", "2019-05-01", 0, "", IKO_ERA_OK, IKO_ERA_REIWA },
	/* 平成31年5月以降 → 令和 with a warning */
	{ "4310501", "2019-05-01", 0, "", IKO_ERA_WARN_NORMALISED, IKO_ERA_HEISEI },
	{ "4320115", "2020-01-15", 0, "", IKO_ERA_WARN_NORMALISED, IKO_ERA_HEISEI },
	{ "平成31年5月1日", "2019-05-01", 0, "", IKO_ERA_WARN_NORMALISED, IKO_ERA_HEISEI },
	/* leap years */
	{ "4040229", "1992-02-29", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "5020229", "2020-02-29", 0, "", IKO_ERA_OK, IKO_ERA_REIWA },
	/* spellings */
	{ "H010508", "1989-05-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "H01.05.08", "1989-05-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "h1/5/8", "1989-05-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "S45-03-15", "1970-03-15", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "R060401", "2024-04-01", 0, "", IKO_ERA_OK, IKO_ERA_REIWA },
	{ "T150101", "1926-01-01", 0, "", IKO_ERA_OK, IKO_ERA_TAISHO },
	{ "M440101", "1911-01-01", 0, "", IKO_ERA_OK, IKO_ERA_MEIJI },
	{ "04010508", "1989-05-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "03451231", "1970-12-31", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "平成元年5月8日", "1989-05-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "令和元年5月1日", "2019-05-01", 0, "", IKO_ERA_OK, IKO_ERA_REIWA },
	{ "昭和４５年３月１５日", "1970-03-15", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "昭和 45年 3月 15日", "1970-03-15", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "３４５０３１５", "1970-03-15", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	/* unknown parts: never a made-up day */
	{ "3450300", "", 1, "昭和45年3月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "3450000", "", 2, "昭和45年月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "4010100", "", 1, "平成元年1月日不詳", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "昭和45年3月不詳", "", 1, "昭和45年3月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "昭和45年不詳", "", 2, "昭和45年月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "令和元年", "", 2, "令和元年月日不詳", IKO_ERA_OK, IKO_ERA_REIWA },
	{ "昭和45年3月", "", 1, "昭和45年3月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "昭和64年1月", "", 1, "昭和64年1月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "平成元年1月日不詳", "", 1, "平成元年1月日不詳", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "平成31年4月", "", 1, "平成31年4月日不詳", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "平成31年5月", "", 1, "平成31年5月日不詳", IKO_ERA_WARN_NORMALISED, IKO_ERA_HEISEI },
	{ "4320000", "", 2, "平成32年月日不詳", IKO_ERA_WARN_NORMALISED, IKO_ERA_HEISEI },
	{ "昭和不詳", "", 3, "昭和年月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "昭和年月日不詳", "", 3, "昭和年月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "不詳", "", 3, "不詳", IKO_ERA_OK, IKO_ERA_NONE },
	{ "年月日不詳", "", 3, "不詳", IKO_ERA_OK, IKO_ERA_NONE },
	{ "平成年不詳", "", 3, "平成年月日不詳", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "昭和45年月日不詳", "", 2, "昭和45年月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "昭和４５年　３月日不詳", "", 1, "昭和45年3月日不詳", IKO_ERA_OK, IKO_ERA_SHOWA },
	/* the boundaries again, spelled in kanji */
	{ "明治元年1月25日", "1868-01-25", 0, "", IKO_ERA_OK, IKO_ERA_MEIJI },
	{ "明治45年7月29日", "1912-07-29", 0, "", IKO_ERA_OK, IKO_ERA_MEIJI },
	{ "大正元年7月30日", "1912-07-30", 0, "", IKO_ERA_OK, IKO_ERA_TAISHO },
	{ "大正15年12月24日", "1926-12-24", 0, "", IKO_ERA_OK, IKO_ERA_TAISHO },
	{ "昭和元年12月25日", "1926-12-25", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "昭和64年1月7日", "1989-01-07", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
	{ "平成元年1月8日", "1989-01-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "平成31年4月30日", "2019-04-30", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "平成32年1月15日", "2020-01-15", 0, "", IKO_ERA_WARN_NORMALISED, IKO_ERA_HEISEI },
	{ "令和元年５月１日", "2019-05-01", 0, "", IKO_ERA_OK, IKO_ERA_REIWA },
	{ "平成4年2月29日", "1992-02-29", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	/* 元 in the letter spellings; full-width digits there too */
	{ "H元.5.8", "1989-05-08", 0, "", IKO_ERA_OK, IKO_ERA_HEISEI },
	{ "r元0501", "2019-05-01", 0, "", IKO_ERA_OK, IKO_ERA_REIWA },
	{ "S４５.０３.１５", "1970-03-15", 0, "", IKO_ERA_OK, IKO_ERA_SHOWA },
};

START_TEST(test_valid)
{
	iko_era_date d;
	int rc = iko_era_parse(&d, valid[_i].in, strlen(valid[_i].in), IKO_ERA_FMT_AUTO);

	ck_assert_msg(rc == 0, "%s: %s", valid[_i].in, iko_error_message());
	ck_assert_str_eq(d.iso, valid[_i].iso);
	ck_assert_int_eq(d.unknown, valid[_i].unknown);
	ck_assert_str_eq(d.note, valid[_i].note);
	ck_assert_int_eq(d.status, valid[_i].status);
	if (valid[_i].era != IKO_ERA_NONE)
		ck_assert_int_eq(d.era, valid[_i].era);
	if (valid[_i].unknown == 0) /* y, m, d agree with iso */
		ck_assert_int_eq(d.y * 10000 + d.m * 100 + d.d,
				 atoi(valid[_i].iso) * 10000 + atoi(valid[_i].iso + 5) * 100 +
					 atoi(valid[_i].iso + 8));
	else
		ck_assert_int_eq(d.d, 0);
}
END_TEST

static const struct {
	const char *in;
	const char *msg;
} invalid[] = {
	{ "3640108", "3640108: 昭和64年1月8日 is not a date of 昭和 (昭和 ended 1989-01-07)" },
	{ "4010107", "4010107: 平成元年1月7日 is not a date of 平成 (平成 began 1989-01-08)" },
	{ "2010729", "2010729: 大正元年7月29日 is not a date of 大正 (大正 began 1912-07-30)" },
	{ "2151225", "2151225: 大正15年12月25日 is not a date of 大正 (大正 ended 1926-12-24)" },
	{ "5010430", "5010430: 令和元年4月30日 is not a date of 令和 (令和 began 2019-05-01)" },
	{ "1010124", "1010124: 明治元年1月24日 is not a date of 明治 (明治 began 1868-01-25)" },
	{ "4041302", "4041302: month 13 out of range" },
	{ "4050229", "4050229: 平成5年2月29日 does not exist (1993-02 has 28 days)" },
	{ "4020230", "4020230: 平成2年2月30日 does not exist (1990-02 has 28 days)" },
	{ "7010101", "7010101: era digit 7 unknown" },
	{ "0450315", "0450315: era digit 0 unknown" },
	{ "3000315", "3000315: era year 00 out of range" },
	{ "3450015", "3450015: day given without a month" },
	{ "345031", "345031: expected GYYMMDD (7 digits)" },
	{ "34503AB", "34503AB: expected GYYMMDD (7 digits)" },
	{ "X450315", "X450315: unknown era name" },
	{ "H45.13.01", "H45.13.01: month 13 out of range" },
	{ "09010101", "09010101: era code 9 unknown" },
	{ "平成三年", "平成三年: expected a year after the era" },
	{ "昭和45年3月1", "昭和45年3月1: expected a day and 日" },
	{ "", "empty date" },
	/* the same boundaries in kanji */
	{ "昭和64年1月8日", "昭和64年1月8日: 昭和64年1月8日 is not a date of 昭和 (昭和 ended 1989-01-07)" },
	{ "平成元年1月7日", "平成元年1月7日: 平成元年1月7日 is not a date of 平成 (平成 began 1989-01-08)" },
	{ "大正元年7月29日", "大正元年7月29日: 大正元年7月29日 is not a date of 大正 (大正 began 1912-07-30)" },
	{ "大正15年12月25日", "大正15年12月25日: 大正15年12月25日 is not a date of 大正 (大正 ended 1926-12-24)" },
	{ "令和元年4月30日", "令和元年4月30日: 令和元年4月30日 is not a date of 令和 (令和 began 2019-05-01)" },
	{ "平成5年2月29日", "平成5年2月29日: 平成5年2月29日 does not exist (1993-02 has 28 days)" },
	{ "S450431", "S450431: 昭和45年4月31日 does not exist (1970-04 has 30 days)" },
	/* unknown day or month: the known part must overlap the era */
	{ "昭和64年2月", "昭和64年2月: 昭和64年2月 is not in 昭和 (昭和 ended 1989-01-07)" },
	{ "3011100", "3011100: 昭和元年11月 is not in 昭和 (昭和 began 1926-12-25)" },
	{ "2160000", "2160000: 大正16年 is not in 大正 (大正 ended 1926-12-24)" },
	{ "昭和45年13月1日", "昭和45年13月1日: month 13 out of range" },
	{ "昭和45年0月1日", "昭和45年0月1日: month 0 out of range" },
	{ "昭和45年3月0日", "昭和45年3月0日: day 0 out of range" },
	{ "昭和00年3月1日", "昭和00年3月1日: era year 00 out of range" },
	{ "昭和45年3月15日頃", "昭和45年3月15日頃: expected a day and 日" },
	{ "昭和45月", "昭和45月: expected 年" },
	{ "天保3年", "天保3年: unknown era name" },
	{ "H元.5", "H元.5: expected era letter + YYMMDD or Y.M.D" },
	{ "H1.5.8.9", "H1.5.8.9: expected era letter + YYMMDD or Y.M.D" },
	{ "H01.05.32", "H01.05.32: day 32 out of range" },
	{ "S4503150", "S4503150: expected era letter + YYMMDD or Y.M.D" },
	{ "0345031", "0345031: era digit 0 unknown" },
	{ "06010101", "06010101: era code 6 unknown" },
	{ "12345678901234567890123456789012345678901234567890123456789012345",
	  "date text too long (65 bytes)" },
};

START_TEST(test_invalid)
{
	iko_era_date d;
	int rc = iko_era_parse(&d, invalid[_i].in, strlen(invalid[_i].in), IKO_ERA_FMT_AUTO);

	ck_assert_int_eq(rc, IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), invalid[_i].msg);
	iko_error_clear();
}
END_TEST

START_TEST(test_no_date)
{
	iko_era_date d;

	iko_error_clear();
	ck_assert_int_eq(iko_era_parse(&d, "0000000", 7, IKO_ERA_FMT_AUTO), IKO_ENOTFOUND);
	ck_assert_int_eq(iko_era_parse(&d, "00000000", 8, IKO_ERA_FMT_CODE2), IKO_ENOTFOUND);
	ck_assert_str_eq(iko_error_message(), "");
}
END_TEST

START_TEST(test_explicit_format)
{
	iko_era_date d;

	/* a 7-digit value forced to CODE2 is an error, not a guess */
	ck_assert_int_eq(iko_era_parse(&d, "4010508", 7, IKO_ERA_FMT_CODE2), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "4010508: expected EEYYMMDD (8 digits)");
	ck_assert_int_eq(iko_era_parse(&d, "H010508", 7, IKO_ERA_FMT_LETTER), 0);
	ck_assert_int_eq(d.era, IKO_ERA_HEISEI);
	ck_assert_int_eq(iko_era_parse(&d, "4310501", 7, IKO_ERA_FMT_GYYMMDD), 0);
	ck_assert_int_eq(d.era, IKO_ERA_HEISEI); /* as written */
	ck_assert_int_eq(d.y, 2019);
	iko_error_clear();
}
END_TEST

START_TEST(test_format_gyymmdd)
{
	static const struct {
		int y, m, d;
		const char *out;
	} cases[] = {
		{ 1989, 1, 7, "3640107" }, { 1989, 1, 8, "4010108" }, { 2019, 4, 30, "4310430" },
		{ 2019, 5, 1, "5010501" }, { 1912, 7, 30, "2010730" }, { 1926, 12, 25, "3011225" },
		{ 2024, 2, 29, "5060229" },
	};
	char out[8];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(iko_era_format_gyymmdd(out, cases[i].y, cases[i].m, cases[i].d), 0);
		ck_assert_str_eq(out, cases[i].out);
	}
	ck_assert_int_eq(iko_era_format_gyymmdd(out, 1868, 1, 24), IKO_EINVAL);
	ck_assert_int_eq(iko_era_format_gyymmdd(out, 2023, 2, 29), IKO_EINVAL);
	iko_error_clear();
}
END_TEST

/*
 * The all-digit fast path (GYYMMDD, EEYYMMDD) against the general path:
 * the same value behind a leading space (dropped by the normalisation, so
 * the general path reads it, and names the same text in its messages)
 * must give the same code, the same date struct byte for byte and the same
 * message — over every era digit or code, the era years around each
 * boundary, every month 00-13 and every day 00-32.
 */
static void same_as_general(const char *digits, size_t n, iko_era_format fmt)
{
	iko_era_date a, b;
	char spaced[16], msg[256];
	int ra, rb;

	spaced[0] = ' ';
	memcpy(spaced + 1, digits, n);
	iko_error_clear();
	ra = iko_era_parse(&a, digits, n, fmt);
	snprintf(msg, sizeof(msg), "%s", iko_error_message());
	iko_error_clear();
	rb = iko_era_parse(&b, spaced, n + 1, fmt);
	/* tested with if, not ck_assert: a passing ck_assert writes to Check's pipe, and this runs a million times */
	if (ra != rb)
		ck_abort_msg("%.*s fmt %d: %d, general %d", (int)n, digits, (int)fmt, ra, rb);
	if (memcmp(&a, &b, sizeof(a)))
		ck_abort_msg("%.*s fmt %d: another date than the general path's", (int)n, digits, (int)fmt);
	if (strcmp(msg, iko_error_message()))
		ck_abort_msg("%.*s: \"%s\", general \"%s\"", (int)n, digits, msg, iko_error_message());
}

START_TEST(test_digits_fast_path)
{
	static const int years[] = { 0, 1, 2, 9, 10, 14, 15, 16, 30, 31, 32, 44, 45, 46, 62, 63, 64, 65, 98, 99 };
	static const int codes2[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 45, 99 };
	char s[9];
	size_t e, y, m, d, ok = 0;
	iko_era_date out;

	for (e = 0; e < 10 + sizeof(codes2) / sizeof(codes2[0]); e++)
		for (y = 0; y < sizeof(years) / sizeof(years[0]); y++)
			for (m = 0; m <= 13; m++)
				for (d = 0; d <= 32; d++) {
					if (e < 10) {
						snprintf(s, sizeof(s), "%zu%02d%02zu%02zu", e, years[y], m, d);
						same_as_general(s, 7, IKO_ERA_FMT_AUTO);
						same_as_general(s, 7, IKO_ERA_FMT_GYYMMDD);
						same_as_general(s, 7, IKO_ERA_FMT_CODE2);
					} else {
						snprintf(s, sizeof(s), "%02d%02d%02zu%02zu", codes2[e - 10], years[y], m, d);
						same_as_general(s, 8, IKO_ERA_FMT_AUTO);
						same_as_general(s, 8, IKO_ERA_FMT_CODE2);
						same_as_general(s, 8, IKO_ERA_FMT_GYYMMDD);
					}
					ok += iko_era_parse(&out, s, strlen(s), IKO_ERA_FMT_AUTO) == 0;
				}
	/* not all errors: the grid holds real dates of every era, in both spellings */
	ck_assert_uint_eq(ok, 2 * 25958); /* counted apart, with Python's calendar */
	/* the boundaries themselves, spelled out */
	ck_assert_int_eq(iko_era_parse(&out, "4310430", 7, IKO_ERA_FMT_AUTO), 0);
	ck_assert_str_eq(out.iso, "2019-04-30");
	ck_assert_int_eq(iko_era_parse(&out, "04310501", 8, IKO_ERA_FMT_AUTO), 0);
	ck_assert_int_eq(out.status, IKO_ERA_WARN_NORMALISED);
	ck_assert_str_eq(out.iso, "2019-05-01");
	ck_assert_int_eq(iko_era_parse(&out, "3640108", 7, IKO_ERA_FMT_AUTO), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(),
			 "3640108: 昭和64年1月8日 is not a date of 昭和 (昭和 ended 1989-01-07)");
	iko_error_clear();
}
END_TEST

/*
 * iko_date_parse_iso: exactly YYYY-MM-DD, a real date of years 1-9999 —
 * not one byte more or less, no other separator, no sign or space; and
 * the day PostgreSQL counts its dates from.
 */
START_TEST(test_parse_iso)
{
	static const char *const bad[] = {
		"", "2024-02-3", "2024-02-300", "2024-02-30", "2023-02-29", "2024/02/03", "2024-2-03",
		"0000-01-01", "2024-13-01", "2024-00-10", "2024-01-00", " 2024-01-01", "2024-01-01 ", "+024-01-01",
		"2024-01-0a", "2024--1-01", "2024-01-01\n", "２０２４-01-01",
	};
	int y, m, d;
	size_t i;

	ck_assert_int_eq(iko_date_parse_iso("2024-02-29", &y, &m, &d), 1);
	ck_assert(y == 2024 && m == 2 && d == 29);
	ck_assert_int_eq(iko_date_parse_iso("0001-01-01", &y, &m, &d), 1);
	ck_assert(y == 1 && m == 1 && d == 1);
	ck_assert_int_eq(iko_date_parse_iso("9999-12-31", &y, &m, &d), 1);
	ck_assert(y == 9999 && m == 12 && d == 31);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!iko_date_parse_iso(bad[i], &y, &m, &d), "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(iko_day_of(2000, 1, 1), IKO_DAY_2000);
	ck_assert_int_eq(iko_day_of(1970, 1, 1), 0);
}
END_TEST

Suite *era_suite(void)
{
	Suite *s = suite_create("era");
	TCase *tc = tcase_create("core");

	/* test_digits_fast_path's grid: about 1 s alone, 4 s under ASan, more
	 * on a slow minute of the CI machine, where Check's default of 4 s
	 * stopped it */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_valid, 0, (int)(sizeof(valid) / sizeof(valid[0])));
	tcase_add_loop_test(tc, test_invalid, 0, (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, test_no_date);
	tcase_add_test(tc, test_explicit_format);
	tcase_add_test(tc, test_format_gyymmdd);
	tcase_add_test(tc, test_parse_iso);
	tcase_add_test(tc, test_digits_fast_path);
	suite_add_tcase(s, tc);
	return s;
}
