/*
 * test_erastep.c — the era_date mapping step through iko_transform_run:
 * formats, the 不詳フラグ and 不詳表記 columns, all-zero "no date", the
 * 平成31年5月以降 → 令和 warning and the era-date-invalid rejects.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_buf.h"
#include "iko_error.h"
#include "tx_helpers.h"

Suite *erastep_suite(void);

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char flag_cols[] =
	"      atena_no: {from: ID}\n"
	"      birth_date:\n"
	"        from: B\n"
	"        steps: [{era_date: {format: gyymmdd, unknown_flag: birth_date_unknown, note: birth_date_note}}]\n";

typedef struct era_case {
	const char *in;
	const char *date, *flag, *note; /* written record (date NULL: rejected) */
	const char *detail;             /* reject detail, or warning detail, or NULL */
} era_case;

static void run_era(const char *columns, const char *col, const era_case *cs, size_t n,
		    long long nwarn)
{
	iko_buf csv = IKO_BUF_INIT;
	tx_csv out, rj;
	size_t i, o = 0, r = 0;
	char id[16];

	iko_buf_puts(&csv, "ID,B\n");
	for (i = 0; i < n; i++)
		iko_buf_printf(&csv, "%zu,%s\n", i + 1, cs[i].in);
	ck_assert_msg(tx_run(NULL, columns, iko_buf_cstr(&csv)) == 0, "%s", iko_error_message());
	tx_csv_load(&out, "out/resident.csv");
	tx_csv_load(&rj, "out/rejects.csv");
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%zu", i + 1);
		if (cs[i].date) {
			ck_assert_str_eq(tx_cell(&out, o, "atena_no"), id);
			ck_assert_msg(!strcmp(tx_cell(&out, o, col), cs[i].date), "%s gave \"%s\"", cs[i].in,
				      tx_cell(&out, o, col));
			if (cs[i].flag) {
				ck_assert_str_eq(tx_cell(&out, o, "birth_date_unknown"), cs[i].flag);
				ck_assert_str_eq(tx_cell(&out, o, "birth_date_note"), cs[i].note);
			}
			o++;
		}
		if (!cs[i].detail)
			continue;
		ck_assert_msg(r < rj.nrows, "%s: no rejects row", cs[i].in);
		ck_assert_str_eq(tx_cell(&rj, r, "record"), id);
		ck_assert_str_eq(tx_cell(&rj, r, "key"), id);
		ck_assert_str_eq(tx_cell(&rj, r, "field"), col);
		ck_assert_str_eq(tx_cell(&rj, r, "value"), cs[i].in);
		ck_assert_str_eq(tx_cell(&rj, r, "reason"), cs[i].date ? "era-normalised" : "era-date-invalid");
		ck_assert_str_eq(tx_cell(&rj, r, "severity"), cs[i].date ? "warn" : "reject");
		ck_assert_str_eq(tx_cell(&rj, r, "detail"), cs[i].detail);
		r++;
	}
	ck_assert_uint_eq(out.nrows, o);
	ck_assert_uint_eq(rj.nrows, r);
	ck_assert_int_eq(tx_counts[0], (long long)n);
	ck_assert_int_eq(tx_counts[1], (long long)o);
	ck_assert_int_eq(tx_counts[2], (long long)(n - o));
	ck_assert_int_eq(tx_counts[3], nwarn);
	tx_csv_free(&out);
	tx_csv_free(&rj);
	iko_buf_release(&csv);
}

START_TEST(test_gyymmdd_flags)
{
	static const era_case cs[] = {
		{ "3450315", "1970-03-15", "0", "", NULL },
		{ "4010108", "1989-01-08", "0", "", NULL },
		{ "4310430", "2019-04-30", "0", "", NULL },  /* last day of 平成: no warning */
		{ "5010501", "2019-05-01", "0", "", NULL },
		{ "3450300", "", "1", "昭和45年3月日不詳", NULL },
		{ "3450000", "", "1", "昭和45年月日不詳", NULL },
		{ "0000000", "", "0", "", NULL },           /* all zeros: no date */
		{ "", "", "0", "", NULL },
		{ "3641231", NULL, NULL, NULL,
		  "3641231: 昭和64年12月31日 is not a date of 昭和 (昭和 ended 1989-01-07)" },
		{ "4050229", NULL, NULL, NULL, "4050229: 平成5年2月29日 does not exist (1993-02 has 28 days)" },
		{ "9450315", NULL, NULL, NULL, "9450315: era digit 9 unknown" },
		{ "34503", NULL, NULL, NULL, "34503: expected GYYMMDD (7 digits)" },
	};

	run_era(flag_cols, "birth_date", cs, N(cs), 0);
}
END_TEST

/* 平成31年5月以降: read as 令和, written, and listed as a warning. */
START_TEST(test_heisei_normalised)
{
	static const era_case cs[] = {
		{ "4310501", "2019-05-01", "0", "",
		  "4310501: 平成 date after 2019-04-30 normalised to 令和 (2019-05-01)" },
		{ "4320101", "2020-01-01", "0", "",
		  "4320101: 平成 date after 2019-04-30 normalised to 令和 (2020-01-01)" },
		/* unknown day: the note keeps the era as written (docs/dates.md) */
		{ "4310500", "", "1", "平成31年5月日不詳",
		  "4310500: 平成 date after 2019-04-30 normalised to 令和 (平成31年5月日不詳)" },
		/* 平成31年, month unknown: could be 1–4月, no warning */
		{ "4310000", "", "1", "平成31年月日不詳", NULL },
		{ "4310430", "2019-04-30", "0", "", NULL },
	};

	run_era(flag_cols, "birth_date", cs, N(cs), 3);
}
END_TEST

START_TEST(test_formats)
{
	static const era_case kanji[] = {
		{ "平成元年5月8日", "1989-05-08", NULL, NULL, NULL },
		{ "昭和４５年３月１５日", "1970-03-15", NULL, NULL, NULL },
		{ "令和元年5月1日", "2019-05-01", NULL, NULL, NULL },
		{ "昭和45年3月不詳", "", NULL, NULL, NULL },  /* unknown: no date, no flag column */
		{ "平成31年5月1日", "2019-05-01", NULL, NULL,
		  "平成31年5月1日: 平成 date after 2019-04-30 normalised to 令和 (2019-05-01)" },
		{ "平成元年1月7日", NULL, NULL, NULL,
		  "平成元年1月7日: 平成元年1月7日 is not a date of 平成 (平成 began 1989-01-08)" },
	};
	static const era_case letter[] = {
		{ "H01.05.08", "1989-05-08", NULL, NULL, NULL },
		{ "h1/5/8", "1989-05-08", NULL, NULL, NULL },
		{ "S45-03-15", "1970-03-15", NULL, NULL, NULL },
		{ "H010508", "1989-05-08", NULL, NULL, NULL },
	};
	static const era_case code2[] = {
		{ "04010508", "1989-05-08", NULL, NULL, NULL },
		{ "03450315", "1970-03-15", NULL, NULL, NULL },
		{ "00000000", "", NULL, NULL, NULL },
	};
	static const era_case autof[] = {
		{ "3450315", "1970-03-15", NULL, NULL, NULL },
		{ "H01.05.08", "1989-05-08", NULL, NULL, NULL },
		{ "04010508", "1989-05-08", NULL, NULL, NULL },
		{ "平成元年5月8日", "1989-05-08", NULL, NULL, NULL },
	};

	run_era("      atena_no: {from: ID}\n      ido_date: {from: B, steps: [{era_date: {format: kanji}}]}\n",
		"ido_date", kanji, N(kanji), 1);
	run_era("      atena_no: {from: ID}\n      ido_date: {from: B, steps: [{era_date: letter}]}\n",
		"ido_date", letter, N(letter), 0);
	run_era("      atena_no: {from: ID}\n      ido_date: {from: B, steps: [{era_date: {format: code2}}]}\n",
		"ido_date", code2, N(code2), 0);
	/* no argument: auto */
	run_era("      atena_no: {from: ID}\n      ido_date: {from: B, steps: [era_date]}\n",
		"ido_date", autof, N(autof), 0);
}
END_TEST

/* unknown_flag / note naming a column the schema does not have. */
START_TEST(test_flag_column_unknown)
{
	ck_assert_int_eq(tx_run(NULL, "      birth_date: {from: B, steps: [{era_date: {unknown_flag: nope}}]}\n",
				"B\n3450315\n"), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "resident.birth_date: era_date names a column the schema does not have");
	iko_error_clear();
}
END_TEST

Suite *erastep_suite(void)
{
	Suite *s = suite_create("erastep");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, tx_setup, tx_teardown);
	tcase_add_test(tc, test_gyymmdd_flags);
	tcase_add_test(tc, test_heisei_normalised);
	tcase_add_test(tc, test_formats);
	tcase_add_test(tc, test_flag_column_unknown);
	suite_add_tcase(s, tc);
	return s;
}
