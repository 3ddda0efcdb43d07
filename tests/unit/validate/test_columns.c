/*
 * test_columns.c — the per-column checks of validate/iko_validate.c on
 * resident.csv against schema/jumin.yaml: type, length in characters,
 * required, code lists, pattern, check digits, date validity, character
 * set (JIS X 0213, IVS, gaiji tables), masking, wrong municipality.
 * Each case is one resident; the rejects are checked row by row.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_error.h"
#include "iko_fs.h"
#include "iko_schema.h"
#include "iko_utf8.h"
#include "iko_validate.h"
#include "vx_helpers.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>

Suite *vcolumns_suite(void);

typedef struct col_case {
	const char *set;     /* "column=value" */
	const char *reason;  /* NULL: accepted */
	const char *field, *value, *detail;
} col_case;

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define OK(s) { s, NULL, NULL, NULL, NULL }

/* One resident per case (atena_no = setai_no = case number), then the rejects in order. */
static void run_cols(const col_case *cs, size_t n, const char *const *gaiji, size_t ngaiji)
{
	iko_buf csv = IKO_BUF_INIT;
	iko_validate_stats st;
	const iko_validate_table *t;
	vx_csv out, rj;
	size_t i, o = 0, r = 0;
	char id[24];

	vx_resident_header(&csv);
	for (i = 0; i < n; i++) {
		const char *set[2] = { cs[i].set, NULL };
		snprintf(id, sizeof(id), "%zu", i + 1);
		vx_resident(&csv, id, id, set);
	}
	vx_write("in/resident.csv", iko_buf_cstr(&csv));
	ck_assert_msg(vx_run(&st, NULL, gaiji, ngaiji) == 0, "%s", iko_error_message());
	vx_csv_load(&out, "out/resident.csv");
	vx_csv_load(&rj, "out/rejects.csv");
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%zu", i + 1);
		if (!cs[i].reason) {
			ck_assert_msg(o < out.nrows && !strcmp(vx_cell(&out, o, "atena_no"), id),
				      "%s was not accepted", cs[i].set);
			o++;
			continue;
		}
		ck_assert_msg(r < rj.nrows, "%s was not rejected", cs[i].set);
		ck_assert_str_eq(vx_cell(&rj, r, "stage"), "validate");
		ck_assert_str_eq(vx_cell(&rj, r, "source"), "resident");
		ck_assert_str_eq(vx_cell(&rj, r, "record"), id);
		/* the key column is atena_no, unless the case overrides it */
		ck_assert_str_eq(vx_cell(&rj, r, "key"),
				 strncmp(cs[i].set, "atena_no=", 9) ? id : cs[i].set + 9);
		ck_assert_str_eq(vx_cell(&rj, r, "severity"), "reject");
		ck_assert_msg(!strcmp(vx_cell(&rj, r, "reason"), cs[i].reason), "%s: %s, not %s", cs[i].set,
			      vx_cell(&rj, r, "reason"), cs[i].reason);
		ck_assert_str_eq(vx_cell(&rj, r, "field"), cs[i].field);
		ck_assert_str_eq(vx_cell(&rj, r, "value"), cs[i].value);
		ck_assert_str_eq(vx_cell(&rj, r, "detail"), cs[i].detail);
		r++;
	}
	ck_assert_uint_eq(out.nrows, o);
	ck_assert_uint_eq(rj.nrows, r);
	t = vx_table(&st, "resident");
	ck_assert_int_eq(t->records_in, (long long)n);
	ck_assert_int_eq(t->records_out, (long long)o);
	ck_assert_int_eq(t->records_rejected, (long long)r);
	ck_assert_int_eq(t->warnings, 0);
	iko_validate_stats_release(&st);
	vx_csv_free(&out);
	vx_csv_free(&rj);
	iko_buf_release(&csv);
}

START_TEST(test_valid_resident)
{
	static const col_case cs[] = { OK("name=山田　太郎"), OK("katagaki=") };
	vx_csv out;

	run_cols(cs, N(cs), NULL, 0);
	/* accepted records are written as they came, in schema order */
	vx_csv_load(&out, "out/resident.csv");
	ck_assert_uint_eq(out.ncols, 27);
	ck_assert_str_eq(out.hdr[26], "shien_sochi");
	ck_assert_str_eq(vx_cell(&out, 0, "my_number"), "123456789018");
	ck_assert_str_eq(vx_cell(&out, 0, "name"), "山田　太郎");
	vx_csv_free(&out);
}
END_TEST

START_TEST(test_types)
{
	static const col_case cs[] = {
		OK("birth_date=2000-02-29"),
		OK("birth_date="),  /* not required */
		{ "birth_date=1970-02-30", "date-invalid", "birth_date", "1970-02-30",
		  "生年月日: \"1970-02-30\" is not a valid date (YYYY-MM-DD)" },
		{ "birth_date=1900-02-29", "date-invalid", "birth_date", "1900-02-29",
		  "生年月日: \"1900-02-29\" is not a valid date (YYYY-MM-DD)" },
		{ "ido_date=2000/04/01", "date-invalid", "ido_date", "2000/04/01",
		  "異動年月日: \"2000/04/01\" is not a valid date (YYYY-MM-DD)" },
		{ "resident_since=20000401", "date-invalid", "resident_since", "20000401",
		  "住民となった年月日: \"20000401\" is not a valid date (YYYY-MM-DD)" },
		{ "removal_date=2000-13-01", "date-invalid", "removal_date", "2000-13-01",
		  "消除の異動年月日: \"2000-13-01\" is not a valid date (YYYY-MM-DD)" },
		OK("birth_date_unknown=1"),
		{ "birth_date_unknown=2", "bad-format", "birth_date_unknown", "2",
		  "生年月日_不詳フラグ: \"2\" is not 0 or 1" },
		{ "birth_date_unknown=00", "bad-format", "birth_date_unknown", "00",
		  "生年月日_不詳フラグ: \"00\" is not 0 or 1" },
	};

	run_cols(cs, N(cs), NULL, 0);
}
END_TEST

/*
 * member_count is the schema's integer column (household table): bigint,
 * so no point (PostgreSQL refuses "5." for bigint) and nothing beyond its
 * range, which the load could not store.
 */
START_TEST(test_integer)
{
	static const char range[] = "out of range for an integer (-9223372036854775808 to 9223372036854775807)";
	static const struct {
		const char *v;
		int ok;
		const char *why;
	} cs[] = { { "1", 1, NULL }, { "-3", 1, NULL }, { "12", 1, NULL }, { "2.5", 0, "not an integer" },
		   { "1e3", 0, "not an integer" }, { "-", 0, "not an integer" }, { "３", 0, "not an integer" },
		   { "5.", 0, "not an integer" }, { ".", 0, "not an integer" },
		   { "9223372036854775807", 1, NULL }, { "-9223372036854775808", 1, NULL },
		   { "0009223372036854775807", 1, NULL }, { "9223372036854775808", 0, range },
		   { "-9223372036854775809", 0, range }, { "123456789012345678901234567890", 0, range } };
	iko_buf h = IKO_BUF_INIT;
	iko_validate_stats st;
	vx_csv rj;
	size_t i, r = 0;
	char setai[16], detail[200];

	vx_household_header(&h);
	for (i = 0; i < N(cs); i++)
		iko_buf_printf(&h, "435015,%zu,%zu,%s,0010001\n", i + 1, i + 1, cs[i].v);
	vx_write("in/household.csv", iko_buf_cstr(&h));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	vx_csv_load(&rj, "out/rejects.csv");
	for (i = 0; i < N(cs); i++) {
		if (cs[i].ok)
			continue;
		snprintf(setai, sizeof(setai), "%zu", i + 1);
		snprintf(detail, sizeof(detail), "世帯員数: \"%s\" is %s", cs[i].v, cs[i].why);
		ck_assert_str_eq(vx_cell(&rj, r, "source"), "household");
		ck_assert_str_eq(vx_cell(&rj, r, "record"), setai);
		ck_assert_str_eq(vx_cell(&rj, r, "key"), setai);
		ck_assert_str_eq(vx_cell(&rj, r, "reason"), "bad-format");
		ck_assert_str_eq(vx_cell(&rj, r, "field"), "member_count");
		ck_assert_str_eq(vx_cell(&rj, r, "value"), cs[i].v);
		ck_assert_str_eq(vx_cell(&rj, r, "detail"), detail);
		r++;
	}
	ck_assert_uint_eq(rj.nrows, 9);
	ck_assert_int_eq(vx_table(&st, "household")->records_out, 6);
	ck_assert_int_eq(vx_table(&st, "household")->records_rejected, 9);
	ck_assert_int_eq(st.by_reason[IKO_R_FORMAT], 9);
	iko_validate_stats_release(&st);
	vx_csv_free(&rj);
	iko_buf_release(&h);
}
END_TEST

/* Lengths are characters, not bytes: 100 kanji (300 bytes) fit 氏名. */
START_TEST(test_length)
{
	col_case cs[6];
	iko_buf n100 = IKO_BUF_INIT, n101 = IKO_BUF_INIT, a101 = IKO_BUF_INIT, k31 = IKO_BUF_INIT;
	int i;

	iko_buf_puts(&n100, "name=");
	iko_buf_puts(&a101, "name=");
	for (i = 0; i < 100; i++)
		iko_buf_puts(&n100, "山");
	iko_buf_puts(&n101, iko_buf_cstr(&n100));
	iko_buf_puts(&n101, "山");
	for (i = 0; i < 101; i++)
		iko_buf_putc(&a101, 'a');
	iko_buf_puts(&k31, "birth_date_note=");
	for (i = 0; i < 31; i++)
		iko_buf_puts(&k31, "不");
	memset(cs, 0, sizeof(cs));
	cs[0].set = iko_buf_cstr(&n100);
	cs[1].set = iko_buf_cstr(&n101);
	cs[1].reason = "too-long";
	cs[1].field = "name";
	cs[1].value = iko_buf_cstr(&n101) + 5;
	cs[1].detail = "氏名 is longer than 100 characters (101)";
	cs[2].set = iko_buf_cstr(&a101);
	cs[2].reason = "too-long";
	cs[2].field = "name";
	cs[2].value = iko_buf_cstr(&a101) + 5;
	cs[2].detail = "氏名 is longer than 100 characters (101)";
	cs[3].set = iko_buf_cstr(&k31);
	cs[3].reason = "too-long";
	cs[3].field = "birth_date_note";
	cs[3].value = iko_buf_cstr(&k31) + 16;
	cs[3].detail = "生年月日_不詳表記 is longer than 30 characters (31)";
	cs[4].set = "atena_no=1234567890123456";
	cs[4].reason = "too-long";
	cs[4].field = "atena_no";
	cs[4].value = "1234567890123456";
	cs[4].detail = "宛名番号 is longer than 15 characters (16)";
	cs[5].set = "zokugara_code=020";
	cs[5].reason = "too-long";
	cs[5].field = "zokugara_code";
	cs[5].value = "020";
	cs[5].detail = "続柄コード is longer than 2 characters (3)";
	/* atena_no of case 5 is overridden: the key column shows the long value */
	{
		iko_buf csv = IKO_BUF_INIT;
		iko_validate_stats st;
		vx_csv rj, out;
		size_t k;
		char id[8];

		vx_resident_header(&csv);
		for (k = 0; k < 6; k++) {
			const char *set[2] = { cs[k].set, NULL };
			snprintf(id, sizeof(id), "%zu", k + 1);
			vx_resident(&csv, id, id, set);
		}
		vx_write("in/resident.csv", iko_buf_cstr(&csv));
		ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
		vx_csv_load(&rj, "out/rejects.csv");
		vx_csv_load(&out, "out/resident.csv");
		ck_assert_uint_eq(out.nrows, 1);
		ck_assert_str_eq(vx_cell(&out, 0, "name"), iko_buf_cstr(&n100) + 5);
		ck_assert_uint_eq(rj.nrows, 5);
		for (k = 1; k < 6; k++) {
			snprintf(id, sizeof(id), "%zu", k + 1);
			ck_assert_str_eq(vx_cell(&rj, k - 1, "record"), id);
			ck_assert_str_eq(vx_cell(&rj, k - 1, "key"), k == 4 ? "1234567890123456" : id);
			ck_assert_str_eq(vx_cell(&rj, k - 1, "reason"), cs[k].reason);
			ck_assert_str_eq(vx_cell(&rj, k - 1, "field"), cs[k].field);
			ck_assert_str_eq(vx_cell(&rj, k - 1, "value"), cs[k].value);
			ck_assert_str_eq(vx_cell(&rj, k - 1, "detail"), cs[k].detail);
		}
		ck_assert_int_eq(st.by_reason[IKO_R_TOO_LONG], 5);
		iko_validate_stats_release(&st);
		vx_csv_free(&rj);
		vx_csv_free(&out);
		iko_buf_release(&csv);
	}
	iko_buf_release(&n100);
	iko_buf_release(&n101);
	iko_buf_release(&a101);
	iko_buf_release(&k31);
}
END_TEST

START_TEST(test_required)
{
	static const col_case cs[] = {
		{ "name=", "required", "name", "", "氏名 (name) is required" },
		{ "sex=", "required", "sex", "", "性別 (sex) is required" },
		{ "jumin_shubetsu=", "required", "jumin_shubetsu", "", "住民種別 (jumin_shubetsu) is required" },
		{ "birth_date_unknown=", "required", "birth_date_unknown", "",
		  "生年月日_不詳フラグ (birth_date_unknown) is required" },
		{ "city_code=", "required", "city_code", "", "住所_市区町村コード (city_code) is required" },
		{ "shien_sochi=", "required", "shien_sochi", "(masked)", "支援措置区分 (shien_sochi) is required" },
		OK("name_kana="),
		OK("my_number="),
		OK("ido_reason="),
		OK("postal_code="),
	};

	run_cols(cs, N(cs), NULL, 0);
}
END_TEST

START_TEST(test_code_lists)
{
	static const col_case cs[] = {
		OK("sex=0"), OK("sex=2"), OK("jumin_shubetsu=1"), OK("ido_reason=44"),
		{ "sex=3", "unknown-code", "sex", "3", "性別: \"3\" is not in code list sex" },
		{ "sex=M", "unknown-code", "sex", "M", "性別: \"M\" is not in code list sex" },
		{ "jumin_shubetsu=3", "unknown-code", "jumin_shubetsu", "3",
		  "住民種別: \"3\" is not in code list jumin_shubetsu" },
		{ "jumin_jotai=4", "unknown-code", "jumin_jotai", "4", "住民状態: \"4\" is not in code list jumin_jotai" },
		{ "zokugara_code=2", "unknown-code", "zokugara_code", "2", "続柄コード: \"2\" is not in code list zokugara" },
		{ "ido_reason=29", "unknown-code", "ido_reason", "29", "異動事由: \"29\" is not in code list ido_reason" },
		{ "shien_sochi=2", "unknown-code", "shien_sochi", "(masked)",
		  "支援措置区分: \"(masked)\" is not in code list shien_sochi" },
	};

	run_cols(cs, N(cs), NULL, 0);
}
END_TEST

START_TEST(test_pattern)
{
	static const col_case cs[] = {
		OK("postal_code=0600000"), OK("town_code=0000001"), OK("nationality_code=840"),
		{ "postal_code=868-000", "bad-format", "postal_code", "868-000",
		  "郵便番号: \"868-000\" does not match ^[0-9]{7}$" },
		{ "postal_code=868000", "bad-format", "postal_code", "868000",
		  "郵便番号: \"868000\" does not match ^[0-9]{7}$" },
		{ "postal_code=８６８００００", "bad-format", "postal_code", "８６８００００",
		  "郵便番号: \"８６８００００\" does not match ^[0-9]{7}$" },
		{ "atena_no=A12", "bad-format", "atena_no", "A12", "宛名番号: \"A12\" does not match ^[0-9]+$" },
		{ "setai_no=1 2", "bad-format", "setai_no", "1 2", "世帯番号: \"1 2\" does not match ^[0-9]+$" },
		{ "zairyu_code=7", "bad-format", "zairyu_code", "7", "在留資格等コード: \"7\" does not match ^[0-9]{2}$" },
		{ "town_code=001", "bad-format", "town_code", "001", "住所_町字コード: \"001\" does not match ^[0-9]{7}$" },
	};

	run_cols(cs, N(cs), NULL, 0);
}
END_TEST

/*
 * The digit patterns checked without PCRE2 (iko_digits_rule_of): which
 * patterns are taken, and for each, every subject of up to five
 * characters from digits, a letter, a space, a newline, a NUL, a
 * full-width digit and '-' gives PCRE2's answer (compiled as validate
 * compiles: UTF) — a newline that ends the subject included.
 */
START_TEST(test_digit_patterns)
{
	static const struct { const char *pat; int taken; size_t min, max; } ps[] = {
		{ "^[0-9]+$", 1, 1, SIZE_MAX }, { "^[0-9]*$", 1, 0, SIZE_MAX }, { "^[0-9]{7}$", 1, 7, 7 },
		{ "^[0-9]{0}$", 1, 0, 0 }, { "^[0-9]{2,}$", 1, 2, SIZE_MAX }, { "^[0-9]{1,3}$", 1, 1, 3 },
		{ "^[0-9]{003}$", 1, 3, 3 }, { "^[0-9]{65535}$", 1, 65535, 65535 },
		{ "^[0-9]{65536}$", 0, 0, 0 }, { "^[0-9]{000001}$", 0, 0, 0 }, { "^[0-9]{,3}$", 0, 0, 0 },
		{ "^[0-9]{3,2}$", 0, 0, 0 }, { "^[0-9]+", 0, 0, 0 }, { "[0-9]+$", 0, 0, 0 },
		{ "^[0-9]+$x", 0, 0, 0 }, { "^[0-9]{2}x$", 0, 0, 0 }, { "^[0-9]?$", 0, 0, 0 },
		{ "^[0-9]{2$", 0, 0, 0 }, { "^[0-8]+$", 0, 0, 0 }, { "^[0-9]++$", 0, 0, 0 },
	};
	static const char *const ch[] = { "0", "5", "9", "a", " ", "\n", "\0", "１", "-" };
	const size_t nch = sizeof(ch) / sizeof(ch[0]);
	size_t i, n, min, max, code, k, len, tried = 0;

	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		pcre2_code *re;
		pcre2_match_data *md;
		int err;
		PCRE2_SIZE off;
		ck_assert_msg(iko_digits_rule_of(ps[i].pat, &min, &max) == ps[i].taken, "%s", ps[i].pat);
		if (!ps[i].taken)
			continue;
		ck_assert_uint_eq(min, ps[i].min);
		ck_assert_uint_eq(max, ps[i].max);
		re = pcre2_compile((PCRE2_SPTR)ps[i].pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
		ck_assert_ptr_nonnull(re);
		md = pcre2_match_data_create(4, NULL);
		for (n = 0; n <= 5; n++) {
			size_t total = 1;
			for (k = 0; k < n; k++)
				total *= nch;
			for (code = 0; code < total; code++) {
				char subj[32];
				size_t c = code;
				len = 0;
				for (k = 0; k < n; k++, c /= nch) {
					size_t l = ch[c % nch][0] ? strlen(ch[c % nch]) : 1;
					memcpy(subj + len, ch[c % nch], l);
					len += l;
				}
				ck_assert_msg(iko_digits_match(min, max, subj, len) ==
						      (pcre2_match(re, (PCRE2_SPTR)subj, len, 0, 0, md, NULL) >= 0),
					      "%s on %zu bytes (code %zu)", ps[i].pat, len, code);
				tried++;
			}
		}
		pcre2_match_data_free(md);
		pcre2_code_free(re);
	}
	ck_assert_uint_gt(tried, 60000);
}
END_TEST

START_TEST(test_check_digits)
{
	static const col_case cs[] = {
		OK("my_number=123456789018"),
		OK("my_number=000000000000"),
		{ "my_number=123456789019", "check-digit", "my_number", "(masked)",
		  "個人番号: not 12 digits with a valid check digit" },
		{ "my_number=12345678901A", "check-digit", "my_number", "(masked)",
		  "個人番号: not 12 digits with a valid check digit" },
		{ "my_number=12345678901", "check-digit", "my_number", "(masked)",
		  "個人番号: not 12 digits with a valid check digit" },
		{ "my_number=1234567890180", "too-long", "my_number", "(masked)",
		  "個人番号 is longer than 12 characters (13)" },
		OK("city_code=131016"),
		{ "city_code=435016", "check-digit", "city_code", "435016",
		  "住所_市区町村コード: \"435016\" is not a 6-digit 団体コード with a valid check digit" },
		{ "city_code=43501", "check-digit", "city_code", "43501",
		  "住所_市区町村コード: \"43501\" is not a 6-digit 団体コード with a valid check digit" },
		{ "lg_code=435016", "check-digit", "lg_code", "435016",
		  "地方公共団体コード: \"435016\" is not a 6-digit 団体コード with a valid check digit" },
	};

	run_cols(cs, N(cs), NULL, 0);
}
END_TEST

/* 法人番号: no jumin column has it, so a one-table schema of its own. */
START_TEST(test_corp_number)
{
	iko_validate_stats st;
	vx_csv rj, out;
	char *schema;

	vx_write("corp.yaml",
		 "schema: corp\nlabel: 法人\nversion: 1.0.0\n"
		 "tables:\n"
		 "  - name: corp\n    label: 法人\n    key: [lg_code, corp_no]\n    columns:\n"
		 "      - {name: lg_code, label: 地方公共団体コード, type: code, length: 6, required: true, check: lg_code}\n"
		 "      - {name: corp_no, label: 法人番号, type: code, length: 13, required: true, check: corp_number}\n");
	vx_write("in/corp.csv", "lg_code,corp_no\n435015,7000012050002\n435015,1180301018771\n"
				"435015,1180301018772\n435015,5010401076252\n435015,700001205000\n");
	schema = iko_path_join(vx_dir, "corp.yaml");
	ck_assert_int_eq(vx_run(&st, schema, NULL, 0), 0);
	vx_csv_load(&rj, "out/rejects.csv");
	vx_csv_load(&out, "out/corp.csv");
	ck_assert_uint_eq(out.nrows, 2);
	ck_assert_str_eq(vx_cell(&out, 0, "corp_no"), "7000012050002");
	ck_assert_str_eq(vx_cell(&out, 1, "corp_no"), "1180301018771");
	ck_assert_uint_eq(rj.nrows, 3);
	ck_assert_str_eq(vx_cell(&rj, 0, "record"), "3");
	ck_assert_str_eq(vx_cell(&rj, 0, "key"), "1180301018772");
	ck_assert_str_eq(vx_cell(&rj, 0, "reason"), "check-digit");
	ck_assert_str_eq(vx_cell(&rj, 0, "field"), "corp_no");
	ck_assert_str_eq(vx_cell(&rj, 0, "value"), "1180301018772");
	ck_assert_str_eq(vx_cell(&rj, 0, "detail"), "法人番号: not 13 digits with a valid check digit");
	ck_assert_str_eq(vx_cell(&rj, 1, "record"), "4");
	ck_assert_str_eq(vx_cell(&rj, 1, "reason"), "check-digit");
	ck_assert_str_eq(vx_cell(&rj, 2, "record"), "5");
	ck_assert_str_eq(vx_cell(&rj, 2, "reason"), "check-digit");
	ck_assert_int_eq(st.by_reason[IKO_R_CHECK_DIGIT], 3);
	iko_validate_stats_release(&st);
	vx_csv_free(&rj);
	vx_csv_free(&out);
	free(schema);
}
END_TEST

/*
 * A decimal column (no standard schema has one): numeric(5,2) takes at
 * most 2 decimals and 3 digits before the point (leading zeros aside); a
 * point needs a digit beside it.
 */
START_TEST(test_decimal)
{
	static const struct {
		const char *v;
		const char *why; /* NULL: passes */
	} cs[] = { { "1", NULL }, { "-1.5", NULL }, { "999.99", NULL }, { "0999.9", NULL }, { "5.", NULL },
		   { ".25", NULL }, { "1.234", "is not a decimal with at most 2 decimals" },
		   { ".", "is not a decimal with at most 2 decimals" }, { "-", "is not a decimal with at most 2 decimals" },
		   { "1.2.3", "is not a decimal with at most 2 decimals" },
		   { "1000", "has more than 3 digits before the decimal point" },
		   { "-1000.5", "has more than 3 digits before the decimal point" } };
	iko_validate_stats st;
	iko_buf in = IKO_BUF_INIT;
	vx_csv rj;
	char *schema, detail[160];
	size_t i, r = 0;

	vx_write("amount.yaml",
		 "schema: amount\nlabel: 金額\nversion: 1.0.0\n"
		 "tables:\n"
		 "  - name: amount\n    label: 金額\n    key: [lg_code, no]\n    columns:\n"
		 "      - {name: lg_code, label: 地方公共団体コード, type: code, length: 6, required: true, check: lg_code}\n"
		 "      - {name: no, label: 番号, type: code, length: 4, required: true}\n"
		 "      - {name: rate, label: 税率, type: decimal, precision: 5, scale: 2, required: true}\n");
	iko_buf_puts(&in, "lg_code,no,rate\n");
	for (i = 0; i < N(cs); i++)
		iko_buf_printf(&in, "435015,%zu,%s\n", i + 1, cs[i].v);
	vx_write("in/amount.csv", iko_buf_cstr(&in));
	schema = iko_path_join(vx_dir, "amount.yaml");
	ck_assert_int_eq(vx_run(&st, schema, NULL, 0), 0);
	vx_csv_load(&rj, "out/rejects.csv");
	for (i = 0; i < N(cs); i++) {
		if (!cs[i].why)
			continue;
		snprintf(detail, sizeof(detail), "税率: \"%s\" %s", cs[i].v, cs[i].why);
		ck_assert_str_eq(vx_cell(&rj, r, "reason"), "bad-format");
		ck_assert_str_eq(vx_cell(&rj, r, "field"), "rate");
		ck_assert_str_eq(vx_cell(&rj, r, "value"), cs[i].v);
		ck_assert_str_eq(vx_cell(&rj, r, "detail"), detail);
		r++;
	}
	ck_assert_uint_eq(rj.nrows, 6);
	ck_assert_int_eq(vx_table(&st, "amount")->records_out, 6);
	iko_validate_stats_release(&st);
	vx_csv_free(&rj);
	iko_buf_release(&in);
	free(schema);
}
END_TEST

/*
 * A code list of 3,000 codes (every 町字 of a town, say), looked up through
 * its index, and one of three, scanned: the first, a middle and the last
 * code pass, and codes that are not listed — the next one, a prefix, a
 * longer code — are rejected with the list's name; the labels come back
 * for the workbook.
 */
START_TEST(test_long_code_list)
{
	static const char *const vals[] = { "T0000", "T1500", "T2999", "T3000", "T000", "T00000", "S1", "S3", "S2" };
	static const int ok[] = { 1, 1, 1, 0, 0, 0, 1, 0, 1 };
	iko_validate_stats st;
	iko_buf y = IKO_BUF_INIT, in = IKO_BUF_INIT;
	iko_schema *sc = NULL;
	const iko_code_list *town = NULL, *small = NULL;
	vx_csv rj;
	char *schema, detail[160];
	size_t i, r = 0;

	iko_buf_puts(&y, "schema: towns\nlabel: 町字\nversion: 1.0.0\ncodes:\n  town:\n");
	for (i = 0; i < 3000; i++)
		iko_buf_printf(&y, "    \"T%04zu\": 町字%zu\n", i, i);
	iko_buf_puts(&y, "  small: {\"S1\": 一, \"S2\": 二, \"S9\": 九}\n"
			 "tables:\n"
			 "  - name: place\n    label: 所在\n    key: [lg_code, no]\n    columns:\n"
			 "      - {name: lg_code, label: 地方公共団体コード, type: code, length: 6, required: true, check: lg_code}\n"
			 "      - {name: no, label: 番号, type: code, length: 4, required: true}\n"
			 "      - {name: town, label: 町字, type: code, length: 6, codes: town}\n"
			 "      - {name: small, label: 小, type: code, length: 3, codes: small}\n");
	vx_write("towns.yaml", iko_buf_cstr(&y));
	schema = iko_path_join(vx_dir, "towns.yaml");
	ck_assert_msg(iko_schema_load(&sc, schema) == 0, "%s", iko_error_message());
	for (i = 0; i < sc->ncodes; i++) {
		if (!strcmp(sc->codes[i].name, "town"))
			town = &sc->codes[i];
		if (!strcmp(sc->codes[i].name, "small"))
			small = &sc->codes[i];
	}
	ck_assert_ptr_nonnull(town);
	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_nonnull(town->index);
	ck_assert_ptr_null(small->index);
	ck_assert_str_eq(iko_code_list_label(town, "T0000"), "町字0");
	ck_assert_str_eq(iko_code_list_label(town, "T2999"), "町字2999");
	ck_assert_str_eq(iko_code_list_label(town, "T1234"), "町字1234");
	ck_assert_ptr_null(iko_code_list_label(town, "T3000"));
	ck_assert_ptr_null(iko_code_list_label(town, ""));
	ck_assert_str_eq(iko_code_list_label(small, "S9"), "九");
	ck_assert(!iko_code_list_has(small, "S3"));
	iko_schema_free(sc);

	iko_buf_puts(&in, "lg_code,no,town,small\n");
	for (i = 0; i < N(vals); i++)
		iko_buf_printf(&in, "435015,%zu,%s,%s\n", i + 1, vals[i][0] == 'S' ? "" : vals[i],
			       vals[i][0] == 'S' ? vals[i] : "");
	vx_write("in/place.csv", iko_buf_cstr(&in));
	ck_assert_int_eq(vx_run(&st, schema, NULL, 0), 0);
	vx_csv_load(&rj, "out/rejects.csv");
	for (i = 0; i < N(vals); i++) {
		int s = vals[i][0] == 'S';
		if (ok[i])
			continue;
		snprintf(detail, sizeof(detail), "%s: \"%s\" is not in code list %s", s ? "小" : "町字", vals[i],
			 s ? "small" : "town");
		ck_assert_str_eq(vx_cell(&rj, r, "reason"), "unknown-code");
		ck_assert_str_eq(vx_cell(&rj, r, "value"), vals[i]);
		ck_assert_str_eq(vx_cell(&rj, r, "detail"), detail);
		r++;
	}
	ck_assert_uint_eq(rj.nrows, 4);
	ck_assert_int_eq(vx_table(&st, "place")->records_out, 5);
	iko_validate_stats_release(&st);
	vx_csv_free(&rj);
	iko_buf_release(&in);
	iko_buf_release(&y);
	free(schema);
}
END_TEST

START_TEST(test_wrong_municipality)
{
	static const col_case cs[] = {
		{ "lg_code=131016", "wrong-municipality", "lg_code", "131016",
		  "lg_code 131016 does not match the municipality 435015" },
		OK("city_code=131016"),  /* an address elsewhere is fine */
		/* a bad check digit is found first */
		{ "lg_code=131017", "check-digit", "lg_code", "131017",
		  "地方公共団体コード: \"131017\" is not a 6-digit 団体コード with a valid check digit" },
	};

	run_cols(cs, N(cs), NULL, 0);
}
END_TEST

START_TEST(test_charset)
{
	static const col_case cs[] = {
		OK("name=𠀋彅　太郎"),                    /* JIS X 0213 plane 2 and plane 1 */
		OK("name=葛\xf3\xa0\x84\x80飾　花子"),     /* 葛 + IVS U+E0100 */
		OK("name=渡邊\xef\xb8\x80　一"),           /* standardized variation selector U+FE00 */
		OK("katagaki=ｺｰﾎﾟ山田 101"),               /* half-width kana and ASCII */
		{ "name=髙橋　一郎", "char-outside-set", "name", "髙橋　一郎",
		  "氏名: character U+9AD9 is outside the standard character set" },
		{ "katagaki=한빛 101", "char-outside-set", "katagaki", "한빛 101",
		  "方書: character U+D55C is outside the standard character set" },
		{ "name=山田\xf0\x9f\x98\x80", "char-outside-set", "name", "山田\xf0\x9f\x98\x80",
		  "氏名: character U+1F600 is outside the standard character set" },
		{ "banchi=1\t2", "char-outside-set", "banchi", "1\t2",
		  "番地号表記: character U+0009 is outside the standard character set" },
		{ "name=山田\xff", "char-outside-set", "name", "山田\xff", "氏名 is not valid UTF-8" },
	};

	run_cols(cs, N(cs), NULL, 0);
}
END_TEST

/* Characters of the municipality's gaiji table are part of its set. */
START_TEST(test_charset_gaiji_table)
{
	static const col_case cs[] = {
		OK("name=髙橋　一郎"),
		OK("name=\xee\x80\x80山"),  /* U+E000, registered (private use) */
		{ "katagaki=한빛", "char-outside-set", "katagaki", "한빛",
		  "方書: character U+D55C is outside the standard character set" },
		{ "name=\xee\x80\x81山", "char-outside-set", "name", "\xee\x80\x81山",
		  "氏名: character U+E001 is outside the standard character set" },
	};
	const char *tables[1];
	char *p;

	vx_write("GAIJI.CSV", "code,unicode,mj,note\nF040,U+9AD9,MJ028911,はしごだか\nF041,U+E000,,\nF042,,,未登録\n");
	p = iko_path_join(vx_dir, "GAIJI.CSV");
	tables[0] = p;
	run_cols(cs, N(cs), tables, 1);
	free(p);
}
END_TEST

START_TEST(test_gaiji_table_errors)
{
	const char *tables[1];
	iko_validate_stats st;
	iko_buf csv = IKO_BUF_INIT;
	char *p;
	const char *msg;

	vx_resident_header(&csv);
	vx_resident(&csv, "1", "1", NULL);
	vx_write("in/resident.csv", iko_buf_cstr(&csv));
	vx_write("G.CSV", "code,uni\nF040,U+9AD9\n");
	p = iko_path_join(vx_dir, "G.CSV");
	tables[0] = p;
	ck_assert_int_eq(vx_run(&st, NULL, tables, 1), IKO_EPARSE);
	msg = strstr(iko_error_message(), "/G.CSV");
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "/G.CSV: header has no unicode column");
	iko_validate_stats_release(&st);
	vx_write("G.CSV", "code,unicode\nF040,9AD9\n");
	ck_assert_int_eq(vx_run(&st, NULL, tables, 1), IKO_EPARSE);
	msg = strstr(iko_error_message(), "/G.CSV");
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "/G.CSV: record 2: bad unicode value \"9AD9\" (expected U+XXXX)");
	iko_validate_stats_release(&st);
	free(p);
	iko_buf_release(&csv);
	iko_error_clear();
}
END_TEST

/* An unmapped gaiji 〓 loads with a warning. */
START_TEST(test_unmapped_gaiji_warning)
{
	iko_buf csv = IKO_BUF_INIT;
	iko_validate_stats st;
	vx_csv out, rj;
	const char *set[] = { "name=山〓　太郎", NULL };

	vx_resident_header(&csv);
	vx_resident(&csv, "1", "1", NULL);
	vx_resident(&csv, "2", "2", set);
	vx_write("in/resident.csv", iko_buf_cstr(&csv));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	vx_csv_load(&out, "out/resident.csv");
	vx_csv_load(&rj, "out/rejects.csv");
	ck_assert_uint_eq(out.nrows, 2);
	ck_assert_str_eq(vx_cell(&out, 1, "name"), "山〓　太郎");
	ck_assert_uint_eq(rj.nrows, 1);
	ck_assert_str_eq(vx_cell(&rj, 0, "record"), "2");
	ck_assert_str_eq(vx_cell(&rj, 0, "key"), "2");
	ck_assert_str_eq(vx_cell(&rj, 0, "reason"), "unmapped-gaiji");
	ck_assert_str_eq(vx_cell(&rj, 0, "severity"), "warn");
	ck_assert_str_eq(vx_cell(&rj, 0, "field"), "name");
	ck_assert_str_eq(vx_cell(&rj, 0, "value"), "山〓　太郎");
	ck_assert_str_eq(vx_cell(&rj, 0, "detail"),
			 "unmapped gaiji (〓): register it in the gaiji table before go-live");
	ck_assert_int_eq(vx_table(&st, "resident")->records_out, 2);
	ck_assert_int_eq(vx_table(&st, "resident")->records_rejected, 0);
	ck_assert_int_eq(vx_table(&st, "resident")->warnings, 1);
	ck_assert_int_eq(st.gaiji_records, 1);
	ck_assert_int_eq(st.by_reason[IKO_R_GAIJI], 1);
	iko_validate_stats_release(&st);
	vx_csv_free(&out);
	vx_csv_free(&rj);
	iko_buf_release(&csv);
}
END_TEST

/* The first failing column (schema order) is the one reported. */
START_TEST(test_first_failure)
{
	iko_buf csv = IKO_BUF_INIT;
	iko_validate_stats st;
	vx_csv rj;
	const char *set[] = { "sex=9", "postal_code=x", "name=", NULL };

	vx_resident_header(&csv);
	vx_resident(&csv, "1", "1", set);
	vx_write("in/resident.csv", iko_buf_cstr(&csv));
	ck_assert_int_eq(vx_run(&st, NULL, NULL, 0), 0);
	vx_csv_load(&rj, "out/rejects.csv");
	ck_assert_uint_eq(rj.nrows, 1);
	ck_assert_str_eq(vx_cell(&rj, 0, "reason"), "required"); /* name comes before sex */
	ck_assert_str_eq(vx_cell(&rj, 0, "field"), "name");
	iko_validate_stats_release(&st);
	vx_csv_free(&rj);
	iko_buf_release(&csv);
}
END_TEST

/*
 * iko_charset_scan decodes a value once (3-byte characters inline): for
 * every piece below at every position of a value of 0..12 characters, it
 * says what iko_utf8_valid and iko_utf8_length say, and whether the value
 * is in the set, with the piece's code point when it is not — overlong and
 * surrogate 3-byte forms, a 3-byte character cut off, stray continuation
 * bytes, 2- and 4-byte characters, characters outside the set.
 */
START_TEST(test_charset_scan)
{
	static const char *const pieces[] = {
		"\xe3\x81\x82",     /* あ */
		"\xe9\xab\x99",     /* 髙: outside the standard set */
		"\xe0\x80\x80",     /* overlong */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xe3\x81",         /* cut off (at the end) or followed by the filler */
		"\x81",             /* stray continuation byte */
		"\xc3\xa9",         /* é */
		"\xf0\x9f\x98\x80", /* U+1F600 */
		"\t", "\x7f", "A",
	};
	/* a valid piece's code point, and 1 when it is in the set (the filler 日 is) */
	static const unsigned cps[] = { 0x3042, 0x9AD9, 0, 0, 0, 0, 0xE9, 0x1F600, 0x09, 0x7F, 'A' };
	static const int in[] = { 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1 };
	iko_charset *cs = NULL;
	char v[64];
	size_t k, len, pos, n, nchars;
	unsigned bad;
	int got, valid;

	ck_assert_int_eq(iko_charset_new(&cs), 0);
	for (k = 0; k < N(pieces); k++)
		for (len = 0; len <= 12; len++)
			for (pos = 0; pos <= len; pos++) {
				n = 0;
				for (size_t c = 0; c < len; c++) {
					const char *piece = c == pos ? pieces[k] : "\xe6\x97\xa5"; /* 日 */
					memcpy(v + n, piece, strlen(piece));
					n += strlen(piece);
				}
				if (pos == len) {
					memcpy(v + n, pieces[k], strlen(pieces[k]));
					n += strlen(pieces[k]);
				}
				valid = iko_utf8_valid(v, n);
				nchars = 9999;
				bad = 0;
				got = iko_charset_scan(cs, v, n, &nchars, &bad);
				if (!valid) {
					ck_assert_msg(got == -1, "piece %zu at %zu of %zu: %d", k, pos, len, got);
					continue;
				}
				ck_assert_int_eq(got, in[k]);
				ck_assert_uint_eq(nchars, iko_utf8_length(v, n));
				if (!got)
					ck_assert_uint_eq(bad, cps[k]);
			}
	iko_charset_free(cs);
}
END_TEST

/*
 * The printable-ASCII test eight bytes at a time: a value of 8 to 20
 * bytes with a TAB, DEL or 髙 at any position is still checked against
 * the character set; the same value all ASCII digits is accepted.
 */
START_TEST(test_printable_words)
{
	static const char *const odd[] = { "\t", "\x7f", "\xe9\xab\x99" };
	static const char *const cp[] = { "U+0009", "U+007F", "U+9AD9" };
	enum { MAX = 13 * (1 + 3 * 20) };
	static col_case cs[MAX];
	static char sets[MAX][48], vals[MAX][40], details[MAX][96];
	size_t n = 0, k, len, pos, m, c;

	for (len = 8; len <= 20; len++) {
		memset(vals[n], '7', len);
		vals[n][len] = '\0';
		snprintf(sets[n], sizeof(sets[n]), "banchi=%s", vals[n]);
		cs[n] = (col_case)OK(sets[n]);
		n++;
		for (k = 0; k < N(odd); k++)
			for (pos = 0; pos < len; pos++) {
				for (c = 0, m = 0; c < len; c++) {
					const char *piece = c == pos ? odd[k] : "7";
					memcpy(vals[n] + m, piece, strlen(piece));
					m += strlen(piece);
				}
				vals[n][m] = '\0';
				snprintf(sets[n], sizeof(sets[n]), "banchi=%s", vals[n]);
				snprintf(details[n], sizeof(details[n]),
					 "番地号表記: character %s is outside the standard character set", cp[k]);
				cs[n] = (col_case){ sets[n], "char-outside-set", "banchi", vals[n], details[n] };
				n++;
			}
	}
	ck_assert_uint_le(n, MAX);
	run_cols(cs, n, NULL, 0);
}
END_TEST

Suite *vcolumns_suite(void)
{
	Suite *s = suite_create("columns");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, vx_setup, vx_teardown);
	tcase_add_test(tc, test_valid_resident);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_integer);
	tcase_add_test(tc, test_length);
	tcase_add_test(tc, test_required);
	tcase_add_test(tc, test_code_lists);
	tcase_add_test(tc, test_pattern);
	tcase_add_test(tc, test_digit_patterns);
	tcase_add_test(tc, test_check_digits);
	tcase_add_test(tc, test_corp_number);
	tcase_add_test(tc, test_wrong_municipality);
	tcase_add_test(tc, test_charset);
	tcase_add_test(tc, test_charset_gaiji_table);
	tcase_add_test(tc, test_gaiji_table_errors);
	tcase_add_test(tc, test_unmapped_gaiji_warning);
	tcase_add_test(tc, test_first_failure);
	tcase_add_test(tc, test_charset_scan);
	tcase_add_test(tc, test_printable_words);
	tcase_add_test(tc, test_decimal);
	tcase_add_test(tc, test_long_code_list);
	suite_add_tcase(s, tc);
	return s;
}
