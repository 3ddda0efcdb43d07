/*
 * test_workbook.c — unit tests of the .xlsx workbook writer (reports/
 * iko_workbook). Workbooks are read back with tests/tools/xlsx_check.py
 * (openpyxl) and its canonical dump is compared with the expected text.
 */
#include "iko_error.h"
#include "iko_workbook.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------- */

static char workdir[256];

static void setup(void)
{
	snprintf(workdir, sizeof(workdir), "/tmp/iko_wb_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
}

static void teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void wpath(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", workdir, name);
}

/* Run xlsx_check.py on file with extra args; returns malloc'd stdout. */
static char *xlsx_dump(const char *file, const char *args)
{
	const char *src = getenv("IKO_SOURCE_DIR");
	char cmd[1024];
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *p;
	int st;

	ck_assert_msg(src != NULL, "IKO_SOURCE_DIR not set");
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 '%s/tests/tools/xlsx_check.py' '%s' %s", src,
		 file, args ? args : "");
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, p);
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	st = pclose(p);
	ck_assert_msg(st == 0, "xlsx_check.py failed (%d) on %s", st, file);
	return buf;
}

static void assert_text_eq(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		const char *g = got, *w = want;
		int line = 1;

		while (*g && *g == *w) {
			if (*g == '\n')
				line++;
			g++;
			w++;
		}
		fprintf(stderr, "---- got ----\n%s---- first difference at line "
				"%d ----\n", got, line);
	}
	ck_assert_str_eq(got, want);
}

static int leftovers(const char *dir)
{
	char cmd[512];
	int st;

	/* Anything at all in dir (the final file or a *.tmp.* file). */
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' 2>/dev/null)\"", dir);
	st = system(cmd);
	return st != 0;
}

/* ---- the full workbook ------------------------------------------------- */

static const char *const cover_keys[] = {
	"団体コード", "実行番号", "入力ファイル", "SHA-256", "パック版",
};
static const char *const cover_values[] = {
	"131016 千代田区", "3", "jumin.dat",
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	NULL,
};

static const iko_wb_column summary_cols[] = {
	{ "測定項目", IKO_CELL_TEXT, 0 },
	{ "旧システム", IKO_CELL_INTEGER, 0 },
	{ "抽出", IKO_CELL_INTEGER, 0 },
	{ "移行後", IKO_CELL_INTEGER, 0 },
	{ "差", IKO_CELL_INTEGER, 0 },
	{ "判定", IKO_CELL_STATUS, 0 },
};
static const char *const summary_rows[][6] = {
	{ "住民数", "1200", "1200", "1200", "0", "PASS" },
	{ "世帯数", "500", "499", "499", "-1", "WARN" },
	{ "年税額合計", "123456789", "123456789", "123450000", "-6789", "FAIL" },
	{ "外字件数", "", "3", "3", "", "N/A" },
};

static const iko_wb_column diff_cols[] = {
	{ "宛名番号", IKO_CELL_TEXT, 0 },
	{ "氏名", IKO_CELL_TEXT, 0 },
	{ "年税額", IKO_CELL_NUMBER, 0 },
	{ "件数", IKO_CELL_INTEGER, 0 },
	{ "生年月日", IKO_CELL_DATE, 0 },
	{ "個人番号", IKO_CELL_MASKED, 0 },
};
static const char *const diff_rows[][6] = {
	{ "000123", "山田 太郎", "-305.03", "1234567", "1980-02-29",
	  "123456789018" },
	{ "000124", "Smith, \"Bob\"", "0.50", "", NULL, "" },
	{ "000125", "ｶﾀｶﾅ", "abc", "007", "1980-02-30", "9018" },
	{ "000126", "髙橋　一郎", "1234567.5", "-42", "1899-12-31", "12345" },
};

static const iko_wb_column one_col[] = { { "備考", IKO_CELL_TEXT, 20 } };

static void write_full(const char *file, int reveal, int constant_memory)
{
	iko_wb_options opts = IKO_WB_OPTIONS_INIT;
	iko_workbook *wb = NULL;
	size_t i;

	opts.reveal = reveal;
	opts.constant_memory = constant_memory;
	ck_assert_int_eq(iko_workbook_new(&wb, file, &opts), 0);
	ck_assert_int_eq(iko_workbook_cover(wb, "移行差異確認表 第3回リハーサル",
					    cover_keys, cover_values, 5), 0);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "集計", summary_cols, 6,
						  0), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(iko_workbook_row(wb, summary_rows[i]), 0);
	ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "差異明細", diff_cols, 6,
						  1), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(iko_workbook_row(wb, diff_rows[i]), 0);
	ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
	/* Same name again (case-insensitive clash) and an illegal name. */
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "差異明細", one_col, 1, 0),
			 0);
	ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "a/b:c?*[x]", one_col, 1,
						  0), 0);
	ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
	ck_assert_int_eq(iko_workbook_commit(wb), 0);
	iko_workbook_free(wb);
}

static const char expected_full[] =
#include "expected_full.inc"
	;

START_TEST(test_full_workbook)
{
	char file[300];
	char *dump;
	struct stat st;

	wpath(file, sizeof(file), "差異.xlsx");
	write_full(file, 0, 1);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600); /* personal data: always owner-only */
	dump = xlsx_dump(file, "");
	assert_text_eq(dump, expected_full);
	free(dump);
}
END_TEST

/* Same workbook with rows kept in memory: same result. */
START_TEST(test_full_workbook_in_memory)
{
	char file[300];
	char *dump;

	wpath(file, sizeof(file), "mem.xlsx");
	write_full(file, 0, 0);
	dump = xlsx_dump(file, "");
	assert_text_eq(dump, expected_full);
	free(dump);
}
END_TEST

START_TEST(test_reveal)
{
	char file[300];
	char *dump;
	struct stat st;

	wpath(file, sizeof(file), "reveal.xlsx");
	write_full(file, 1, 1);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	dump = xlsx_dump(file, "--sheet 差異明細 --max-rows 2");
	ck_assert_ptr_nonnull(strstr(dump, "F2 s:\"123456789018\"\n"));
	ck_assert_ptr_null(strstr(dump, "****"));
	ck_assert_ptr_nonnull(strstr(dump, "\n... (3 more rows)\n"));
	free(dump);
}
END_TEST

/* ---- failures ------------------------------------------------------------ */

START_TEST(test_missing_directory)
{
	char file[300], dir[300];
	iko_workbook *wb = (iko_workbook *)1;

	wpath(dir, sizeof(dir), "no/such");
	wpath(file, sizeof(file), "no/such/out.xlsx");
	iko_error_clear();
	ck_assert_int_eq(iko_workbook_new(&wb, file, NULL), IKO_EIO);
	ck_assert_ptr_null(wb);
	ck_assert_int_eq(iko_error_code(), IKO_EIO);
	{
		char want[400];

		snprintf(want, sizeof(want),
			 "cannot create workbook %s: No such file or directory",
			 file);
		ck_assert_str_eq(iko_error_message(), want);
	}
	ck_assert_int_eq(leftovers(workdir), 0);
}
END_TEST

/* The directory disappears before commit: workbook_close fails. */
START_TEST(test_close_failure)
{
	char file[300], dir[300], tmp[400], cmd[400], want[500];
	iko_workbook *wb = NULL;
	static const char *const row[] = { "x" };

	wpath(dir, sizeof(dir), "gone");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	wpath(file, sizeof(file), "gone/out.xlsx");
	ck_assert_int_eq(iko_workbook_new(&wb, file, NULL), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", file, (long)getpid());
	ck_assert_int_eq(access(tmp, F_OK), 0);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "s", one_col, 1, 1), 0);
	ck_assert_int_eq(iko_workbook_row(wb, row), 0);
	ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(iko_workbook_commit(wb), IKO_EIO);
	snprintf(want, sizeof(want), "cannot write workbook %s: Error creating "
		 "output xlsx file. Usually a permissions error.", file);
	ck_assert_str_eq(iko_error_message(), want);
	iko_workbook_free(wb);
	ck_assert_int_eq(leftovers(workdir), 0);
}
END_TEST

/* A workbook freed without commit leaves nothing behind. */
START_TEST(test_free_uncommitted)
{
	char file[300];
	iko_workbook *wb = NULL;
	static const char *const row[] = { "x" };

	wpath(file, sizeof(file), "out.xlsx");
	ck_assert_int_eq(iko_workbook_new(&wb, file, NULL), 0);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "s", one_col, 1, 1), 0);
	ck_assert_int_eq(iko_workbook_row(wb, row), 0);
	iko_workbook_free(wb);
	ck_assert_int_eq(leftovers(workdir), 0);
	iko_workbook_free(NULL);
}
END_TEST

START_TEST(test_state_errors)
{
	char file[300];
	iko_workbook *wb = NULL;
	static const char *const row[] = { "x" };
	static const char *const bad[] = { "ab\xff" };
	static const iko_wb_column nolabel[] = { { NULL, IKO_CELL_TEXT, 0 } };

	wpath(file, sizeof(file), "state.xlsx");
	ck_assert_int_eq(iko_workbook_new(&wb, file, NULL), 0);
	ck_assert_int_eq(iko_workbook_commit(wb), IKO_ESTATE);
	ck_assert_int_eq(iko_workbook_row(wb, row), IKO_ESTATE);
	ck_assert_int_eq(iko_workbook_sheet_end(wb), IKO_ESTATE);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "s", one_col, 0, 0),
			 IKO_EINVAL);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "s", nolabel, 1, 0),
			 IKO_EINVAL);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "s", one_col, 1, 0), 0);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "t", one_col, 1, 0),
			 IKO_ESTATE);
	ck_assert_int_eq(iko_workbook_commit(wb), IKO_ESTATE);
	/* Invalid UTF-8: position in the message, never the value. */
	ck_assert_int_eq(iko_workbook_row(wb, bad), IKO_ECONV);
	ck_assert_ptr_nonnull(strstr(iko_error_message(),
				     "sheet s, row 2, column 1"));
	ck_assert_ptr_null(strstr(iko_error_message(), "ab"));
	ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
	ck_assert_int_eq(iko_workbook_cover(wb, "t", NULL, NULL, 0),
			 IKO_ESTATE);
	ck_assert_int_eq(iko_workbook_commit(wb), 0);
	ck_assert_int_eq(iko_workbook_sheet_begin(wb, "u", one_col, 1, 0),
			 IKO_ESTATE);
	ck_assert_int_eq(iko_workbook_commit(wb), IKO_ESTATE);
	iko_workbook_free(wb);
	ck_assert_int_eq(access(file, F_OK), 0);
}
END_TEST

/* Sheet names: legal characters only, <= 31 characters, unique. */
START_TEST(test_sheet_names)
{
	static const char *const names[] = {
		"汛/住民", /* U+6C5B: its low byte is '[' but it is legal */
		"住民記録の差異明細一覧住民記録の差異明細一覧住民記録の差異明細一覧",
		"住民記録の差異明細一覧住民記録の差異明細一覧住民記録の差異明細一覧",
		"history", "", NULL, "'引用'", "SHEET", "sheet",
	};
	char file[300];
	char *dump, *nl;
	iko_workbook *wb = NULL;
	size_t i;

	wpath(file, sizeof(file), "names.xlsx");
	ck_assert_int_eq(iko_workbook_new(&wb, file, NULL), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(iko_workbook_sheet_begin(wb, names[i], one_col,
							  1, 0), 0);
		ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
	}
	ck_assert_int_eq(iko_workbook_commit(wb), 0);
	iko_workbook_free(wb);
	dump = xlsx_dump(file, "--max-rows 0");
	nl = strchr(dump, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_str_eq(dump, "sheets: \"汛_住民\" "
			 "\"住民記録の差異明細一覧住民記録の差異明細一覧住民記録の差異明細\" "
			 "\"住民記録の差異明細一覧住民記録の差異明細一覧住民記録の差(2)\" "
			 "\"history_\" \"Sheet\" \"Sheet(2)\" \"_引用_\" \"SHEET(3)\" "
			 "\"sheet(4)\"");
	free(dump);
}
END_TEST

/* ---- widths and streaming -------------------------------------------- */

/*
 * 2,500 streamed rows; the widest value comes last, so the width must come
 * from all rows, not from a prefix. Validations cover exactly the rows.
 */
START_TEST(test_widths_streaming)
{
	static const iko_wb_column cols[] = {
		{ "番号", IKO_CELL_INTEGER, 0 },
		{ "名前", IKO_CELL_TEXT, 0 },
		{ "メモ", IKO_CELL_TEXT, 30 },
		{ "長い", IKO_CELL_TEXT, 0 },
	};
	char file[300], num[32];
	const char *row[4];
	char *dump;
	int i;

	wpath(file, sizeof(file), "wide.xlsx");
	{
		iko_workbook *wb = NULL;

		ck_assert_int_eq(iko_workbook_new(&wb, file, NULL), 0);
		ck_assert_int_eq(iko_workbook_sheet_begin(wb, "多い", cols, 4, 1),
				 0);
		for (i = 1; i <= 2500; i++) {
			snprintf(num, sizeof(num), "%d", i);
			row[0] = num;
			row[1] = i == 2500 ? "東京都千代田区千代田一丁目" : "ab";
			row[2] = "x";
			row[3] = i == 2400 ? "あいうえおかきくけこあいうえおかきくけこ"
					     "あいうえおかきくけこあいうえおかきくけこ"
					   : "";
			ck_assert_int_eq(iko_workbook_row(wb, row), 0);
		}
		ck_assert_int_eq(iko_workbook_sheet_end(wb), 0);
		ck_assert_int_eq(iko_workbook_commit(wb), 0);
		iko_workbook_free(wb);
	}
	dump = xlsx_dump(file, "--max-rows 2");
	assert_text_eq(dump,
		"sheets: \"多い\"\n"
		"== sheet \"多い\"\n"
		"freeze: A2\n"
		"autofilter: A1:J2501\n"
		"merged: 0\n"
		"protection: on (autofilter allowed, sort allowed)\n"
		"validation: E2:E2501 list \"未確認,確認済,要修正,旧システム誤り\"\n"
		"validation: F2:F2501 list \"移行データ誤り,旧システム誤り,マッピング誤り,仕様差異,その他\"\n"
		"validation: G2:G2501 list \"修正して再移行,旧システムで修正,対応不要,保留\"\n"
		"validation: I2:I2501 date between 36526 73050\n"
		"widths: A=7.71 B=27.71 C=31.71 D=61.71 E=17.71 F=17.71 G=19.71 H=13.71 I=13.71 J=41.71\n"
		"A1 s:\"番号\" [bold fill=DDEBF7]\n"
		"B1 s:\"名前\" [bold fill=DDEBF7]\n"
		"C1 s:\"メモ\" [bold fill=DDEBF7]\n"
		"D1 s:\"長い\" [bold fill=DDEBF7]\n"
		"E1 s:\"確認状況\" [bold fill=DDEBF7]\n"
		"F1 s:\"原因区分\" [bold fill=DDEBF7]\n"
		"G1 s:\"対応\" [bold fill=DDEBF7]\n"
		"H1 s:\"担当\" [bold fill=DDEBF7]\n"
		"I1 s:\"確認日\" [bold fill=DDEBF7]\n"
		"J1 s:\"コメント\" [bold fill=DDEBF7]\n"
		"A2 n:1 [fmt=#,##0]\n"
		"B2 s:\"ab\"\n"
		"C2 s:\"x\"\n"
		"D2 -\n"
		"E2 s:\"未確認\" [unlocked]\n"
		"F2 - [unlocked]\n"
		"G2 - [unlocked]\n"
		"H2 - [unlocked]\n"
		"I2 - [fmt=yyyy-mm-dd unlocked]\n"
		"J2 - [unlocked]\n"
		"... (2499 more rows)\n");
	free(dump);
}
END_TEST

START_TEST(test_text_width)
{
	static const struct {
		const char *s;
		double w;
	} cases[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "山田", 4 },
		{ "ｶﾀｶﾅ", 4 },         /* halfwidth katakana: 1 each */
		{ "ＡＢ", 4 },         /* fullwidth Latin */
		{ "葛\xf3\xa0\x84\x80", 2 }, /* 葛 + IVS selector U+E0100 */
		{ "ab\n山田太郎", 8 },  /* widest line */
		{ "𠮷", 2 },            /* U+20BB7, plane 2 */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(iko_workbook_text_width(cases[i].s) == cases[i].w,
			      "case %zu", i);
	ck_assert(iko_workbook_text_width(NULL) == 0);
}
END_TEST

static Suite *workbook_suite(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("workbook");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_full_workbook);
	tcase_add_test(tc, test_full_workbook_in_memory);
	tcase_add_test(tc, test_reveal);
	tcase_add_test(tc, test_missing_directory);
	tcase_add_test(tc, test_close_failure);
	tcase_add_test(tc, test_free_uncommitted);
	tcase_add_test(tc, test_state_errors);
	tcase_add_test(tc, test_sheet_names);
	tcase_add_test(tc, test_widths_streaming);
	tcase_add_test(tc, test_text_width);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(workbook_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
