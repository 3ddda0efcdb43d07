/*
 * test_mapsteps.c — every mapping function of transform/iko_transform.c,
 * driven through iko_transform_run on a tiny pack and a layout-free
 * extract CSV (tx_helpers.h): the output values, and for failures the
 * exact reject (record, key, reason, severity, field, value, detail).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_buf.h"
#include "iko_error.h"
#include "tx_helpers.h"

Suite *mapsteps_suite(void);

/* One input value; out is the mapped value, or NULL when the record is rejected. */
typedef struct step_case {
	const char *in, *out;
	const char *reason, *detail; /* when rejected */
	const char *value;           /* rejects' value when not `in` (after earlier steps) */
} step_case;

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define OK(i, o) { i, o, NULL, NULL, NULL }
#define BAD(i, r, d) { i, NULL, r, d, NULL }

static void put_quoted(iko_buf *b, const char *s)
{
	iko_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			iko_buf_putc(b, '"');
		iko_buf_putc(b, *s);
	}
	iko_buf_putc(b, '"');
}

/*
 * Map column `col` from field V through `steps` (a YAML flow list) for
 * every case, one record each with ID = case number, then check the
 * output rows and the rejects in order.
 */
static void run_cases(const char *codes, const char *col, const char *steps,
		      const step_case *cs, size_t n)
{
	iko_buf csv = IKO_BUF_INIT, cols = IKO_BUF_INIT;
	tx_csv out, rj;
	size_t i, o = 0, r = 0;
	char id[16];

	iko_buf_printf(&cols, "      lg_code: {const: $lg_code}\n      atena_no: {from: ID}\n"
			      "      %s: {from: V, steps: %s}\n", col, steps);
	iko_buf_puts(&csv, "ID,V\n");
	for (i = 0; i < n; i++) {
		iko_buf_printf(&csv, "%zu,", i + 1);
		put_quoted(&csv, cs[i].in);
		iko_buf_putc(&csv, '\n');
	}
	ck_assert_msg(tx_run(codes, iko_buf_cstr(&cols), iko_buf_cstr(&csv)) == 0, "%s",
		      iko_error_message());
	tx_csv_load(&out, "out/resident.csv");
	tx_csv_load(&rj, "out/rejects.csv");
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%zu", i + 1);
		if (cs[i].out) {
			ck_assert_str_eq(tx_cell(&out, o, "atena_no"), id);
			ck_assert_msg(!strcmp(tx_cell(&out, o, col), cs[i].out),
				      "%s %s: \"%s\" gave \"%s\", expected \"%s\"", steps, id, cs[i].in,
				      tx_cell(&out, o, col), cs[i].out);
			ck_assert_str_eq(tx_cell(&out, o, "lg_code"), "435015");
			o++;
			continue;
		}
		ck_assert_msg(r < rj.nrows, "%s: \"%s\" was not rejected", steps, cs[i].in);
		ck_assert_str_eq(tx_cell(&rj, r, "stage"), "transform");
		ck_assert_str_eq(tx_cell(&rj, r, "source"), "J.csv");
		ck_assert_str_eq(tx_cell(&rj, r, "record"), id);
		ck_assert_str_eq(tx_cell(&rj, r, "key"), id);
		ck_assert_str_eq(tx_cell(&rj, r, "severity"), "reject");
		ck_assert_str_eq(tx_cell(&rj, r, "reason"), cs[i].reason);
		ck_assert_str_eq(tx_cell(&rj, r, "field"), col);
		ck_assert_str_eq(tx_cell(&rj, r, "value"), cs[i].value ? cs[i].value : cs[i].in);
		ck_assert_str_eq(tx_cell(&rj, r, "detail"), cs[i].detail);
		r++;
	}
	ck_assert_uint_eq(out.nrows, o);
	ck_assert_uint_eq(rj.nrows, r);
	ck_assert_int_eq(tx_counts[0], (long long)n);
	ck_assert_int_eq(tx_counts[1], (long long)o);
	ck_assert_int_eq(tx_counts[2], (long long)r);
	ck_assert_int_eq(tx_counts[3], 0);
	tx_csv_free(&out);
	tx_csv_free(&rj);
	iko_buf_release(&csv);
	iko_buf_release(&cols);
}

START_TEST(test_trim)
{
	static const step_case cs[] = {
		OK("  山田 ", "山田"),
		OK("　山田　太郎　", "山田　太郎"), /* inner U+3000 kept */
		OK(" 　 ", ""),
		OK("", ""),
		OK("\t山田\t", "\t山田\t"),         /* only U+0020 and U+3000 */
		OK("ﾔﾏﾀﾞ ", "ﾔﾏﾀﾞ"),
	};

	run_cases(NULL, "name", "[trim]", cs, N(cs));
}
END_TEST

START_TEST(test_zenkaku)
{
	static const step_case cs[] = {
		OK("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
		OK("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
		OK("ｳﾞｨｯﾄ", "ヴィット"),
		OK("ｶﾞｯｺｳ", "ガッコウ"),
		OK("ｱﾞ", "ア゛"),   /* no voiced ア: the mark stays, full width */
		OK("ABC-12", "ＡＢＣ－１２"),
		OK("山田　花子", "山田　花子"),
		OK("\xf0\xa0\xae\xb7田é\u3000x", "\xf0\xa0\xae\xb7田é\u3000ｘ"), /* 𠮷 (4 bytes), é (2) as they were */
		OK("", ""),
		BAD("ab\xff", "mapping-failed", "invalid UTF-8 at byte 2"),
	};

	run_cases(NULL, "name_kana", "[zenkaku]", cs, N(cs));
}
END_TEST

START_TEST(test_zenkaku_kana)
{
	static const step_case cs[] = {
		OK("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),  /* space and ASCII untouched */
		OK("ABC ｶﾞﾊﾟ", "ABC ガパ"),
		OK("ｳﾞ", "ヴ"),
		OK("", ""),
		BAD("\xffｱ", "mapping-failed", "invalid UTF-8 at byte 0"),
	};

	run_cases(NULL, "name_kana", "[zenkaku_kana]", cs, N(cs));
}
END_TEST

START_TEST(test_hankaku)
{
	static const step_case cs[] = {
		OK("ＡＢＣ－１２", "ABC-12"),
		OK("１丁目２番　３号", "1丁目2番 3号"),
		OK("ｱｲｳ", "ｱｲｳ"),       /* half-width kana stay */
		OK("アイウ", "アイウ"),   /* full-width kana stay: ASCII forms and U+3000 only */
		OK("\xf0\xa0\xae\xb7é１", "\xf0\xa0\xae\xb7é1"),
		OK("", ""),
		BAD("１\xe3\x80", "mapping-failed", "invalid UTF-8 at byte 3"),
	};

	run_cases(NULL, "banchi", "[hankaku]", cs, N(cs));
}
END_TEST

START_TEST(test_zero_pad)
{
	static const step_case cs[] = {
		OK("42", "0000042"),
		OK("0", "0000000"),
		OK("1234567", "1234567"),
		OK("12345678", "12345678"), /* longer: unchanged, never cut */
		OK("", ""),                 /* empty stays empty */
	};

	run_cases(NULL, "town_code", "[{zero_pad: 7}]", cs, N(cs));
}
END_TEST

START_TEST(test_split)
{
	static const step_case p1[] = {
		OK("山田 太郎", "山田"),
		OK("a b c", "a"),
		OK("山田", "山田"),  /* no separator: all of it */
		OK(" 太郎", ""),
		OK("", ""),
	};
	static const step_case p2[] = {
		OK("山田 太郎", "太郎"),
		OK("a b c", "b c"),
		OK("山田", ""),      /* no separator: nothing after it */
		OK("山田 ", ""),
		OK("", ""),
	};
	static const step_case wide[] = {
		OK("山田　花子", "花子"),
		OK("山田 花子", ""),  /* U+0020 is not the separator */
	};

	run_cases(NULL, "name", "[{split: {sep: \" \", part: 1}}]", p1, N(p1));
	run_cases(NULL, "name", "[{split: {part: 2}}]", p2, N(p2)); /* sep defaults to " " */
	run_cases(NULL, "name", "[{split: {sep: \"　\", part: 2}}]", wide, N(wide));
}
END_TEST

START_TEST(test_date_format)
{
	static const step_case ymd[] = {
		OK("20240229", "2024-02-29"),
		OK("19700315", "1970-03-15"),
		OK("", ""),
		BAD("20230229", "mapping-failed", "not a valid date in format %Y%m%d"),
		BAD("20241301", "mapping-failed", "not a valid date in format %Y%m%d"),
		BAD("2024022", "mapping-failed", "not a valid date in format %Y%m%d"),
		BAD("202402290", "mapping-failed", "not a valid date in format %Y%m%d"),
		BAD("2024-02-29", "mapping-failed", "not a valid date in format %Y%m%d"),
	};
	static const step_case dmy[] = {
		OK("05.01.2024", "2024-01-05"),
		BAD("5.1.2024", "mapping-failed", "not a valid date in format %d.%m.%Y"),
		BAD("05/01/2024", "mapping-failed", "not a valid date in format %d.%m.%Y"),
	};

	run_cases(NULL, "ido_date", "[{date_format: \"%Y%m%d\"}]", ymd, N(ymd));
	run_cases(NULL, "ido_date", "[{date_format: \"%d.%m.%Y\"}]", dmy, N(dmy));
}
END_TEST

static const char sex_reject[] = "  sex: {unmapped: reject, map: {M: \"1\", F: \"2\", U: \"0\"}}\n";

START_TEST(test_code_reject)
{
	static const step_case cs[] = {
		OK("M", "1"),
		OK("F", "2"),
		OK("U", "0"),
		OK("", ""), /* empty skips the table */
		BAD("X", "unmapped-code", "code \"X\" is not in code table sex (unmapped: reject)"),
		BAD("m", "unmapped-code", "code \"m\" is not in code table sex (unmapped: reject)"),
		BAD("M ", "unmapped-code", "code \"M \" is not in code table sex (unmapped: reject)"),
	};

	run_cases(sex_reject, "sex", "[{code: sex}]", cs, N(cs));
}
END_TEST

/* warn and keep write the record with the legacy code; warn also lists it. */
START_TEST(test_code_warn_keep)
{
	static const char *const policies[] = { "warn", "keep" };
	size_t k;

	for (k = 0; k < 2; k++) {
		iko_buf codes = IKO_BUF_INIT;
		tx_csv out, rj;

		iko_buf_printf(&codes, "  sex: {unmapped: %s, map: {M: \"1\"}}\n", policies[k]);
		ck_assert_int_eq(tx_run(iko_buf_cstr(&codes),
					"      sex: {from: V, steps: [{code: sex}]}\n      atena_no: {from: ID}\n",
					"ID,V\n1,M\n2,X\n3,\n"), 0);
		tx_csv_load(&out, "out/resident.csv");
		tx_csv_load(&rj, "out/rejects.csv");
		ck_assert_uint_eq(out.nrows, 3);
		ck_assert_str_eq(tx_cell(&out, 0, "sex"), "1");
		ck_assert_str_eq(tx_cell(&out, 1, "sex"), "X");
		ck_assert_str_eq(tx_cell(&out, 2, "sex"), "");
		ck_assert_int_eq(tx_counts[1], 3);
		ck_assert_int_eq(tx_counts[2], 0);
		if (k == 0) {
			ck_assert_uint_eq(rj.nrows, 1);
			ck_assert_int_eq(tx_counts[3], 1);
			ck_assert_str_eq(tx_cell(&rj, 0, "record"), "2");
			ck_assert_str_eq(tx_cell(&rj, 0, "key"), "2");
			ck_assert_str_eq(tx_cell(&rj, 0, "reason"), "unmapped-code");
			ck_assert_str_eq(tx_cell(&rj, 0, "severity"), "warn");
			ck_assert_str_eq(tx_cell(&rj, 0, "field"), "sex");
			ck_assert_str_eq(tx_cell(&rj, 0, "value"), "X");
			ck_assert_str_eq(tx_cell(&rj, 0, "detail"),
					 "code \"X\" is not in code table sex (unmapped: warn)");
		} else {
			ck_assert_uint_eq(rj.nrows, 0);
			ck_assert_int_eq(tx_counts[3], 0);
		}
		tx_csv_free(&out);
		tx_csv_free(&rj);
		iko_buf_release(&codes);
	}
}
END_TEST

START_TEST(test_regex)
{
	static const step_case postal[] = {
		OK("123-4567", "1234567"),
		OK("1234567", "1234567"),
		OK("12-345", "12-345"),   /* no match: unchanged */
		OK("", ""),
	};
	static const step_case global[] = {
		OK("1-2-3", "123"),
		OK("１ー２ー３", "１２３"), /* UTF-8 character class */
		OK("123", "123"),
	};
	static const step_case spaces[] = {
		OK("山田　　太郎", "山田 太郎"),
		OK("山田太郎", "山田太郎"),
	};
	static const step_case swap[] = {
		OK("太郎,山田", "山田 太郎"),
		OK("山田", "山田"),
	};
	step_case grow[1];
	char in[201], outv[2001];

	run_cases(NULL, "postal_code", "[{regex: {pattern: \"^([0-9]{3})-?([0-9]{4})$\", replace: \"$1$2\"}}]",
		  postal, N(postal));
	run_cases(NULL, "banchi", "[{regex: {pattern: \"[-ー]\", replace: \"\"}}]", global, N(global));
	run_cases(NULL, "name", "[{regex: {pattern: \"　+\", replace: \" \"}}]", spaces, N(spaces));
	run_cases(NULL, "name", "[{regex: {pattern: \"^(.+),(?<fam>.+)$\", replace: \"${fam} $1\"}}]",
		  swap, N(swap));
	/* the result is far longer than the first output buffer guess */
	memset(in, 'a', 200);
	in[200] = '\0';
	memset(outv, 'x', 2000);
	outv[2000] = '\0';
	memset(grow, 0, sizeof(grow));
	grow[0].in = in;
	grow[0].out = outv;
	run_cases(NULL, "katagaki", "[{regex: {pattern: \"a\", replace: \"xxxxxxxxxx\"}}]", grow, 1);
}
END_TEST

START_TEST(test_lookup)
{
	static const step_case rej[] = {
		OK("001", "本町"),
		OK("002", "東町"),
		OK("", ""),
		BAD("003", "unmapped-code", "code \"003\" is not in code table towns.csv (unmapped: reject)"),
		BAD("code", "unmapped-code", "code \"code\" is not in code table towns.csv (unmapped: reject)"),
	};
	static const step_case keep[] = {
		OK("001", "本町"),
		OK("003", "003"),
	};

	tx_write("pack/towns.csv", "code,name\n001,本町\n002,東町\n");
	run_cases(NULL, "town_name", "[{lookup: {file: towns.csv, unmapped: reject}}]", rej, N(rej));
	run_cases(NULL, "town_name", "[{lookup: {file: towns.csv, unmapped: keep}}]", keep, N(keep));
}
END_TEST

START_TEST(test_lookup_errors)
{
	const char *msg;

	/* a missing file stops the load */
	ck_assert_int_eq(tx_run(NULL, "      town_name: {from: V, steps: [{lookup: {file: nope.csv}}]}\n",
				"V\n1\n"), IKO_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(iko_error_message(), "/pack/nope.csv"));
	tx_write("pack/bad.csv", "code,name\n001\n");
	ck_assert_int_eq(tx_run(NULL, "      town_name: {from: V, steps: [{lookup: {file: bad.csv}}]}\n",
				"V\n1\n"), IKO_EPARSE);
	msg = strstr(iko_error_message(), "/pack/bad.csv");
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "/pack/bad.csv: record 2: expected from,to");
	ck_assert_int_eq(tx_run(NULL, "      town_name: {from: V, steps: [{lookup: {file: bad.csv, unmapped: drop}}]}\n",
				"V\n1\n"), IKO_EPARSE);
	msg = strstr(iko_error_message(), "pack.yaml:");
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "pack.yaml:10: lookup needs file: and unmapped: reject|warn|keep");
	iko_error_clear();
}
END_TEST

START_TEST(test_lg_check_digit)
{
	static const char d[] = "lg_check_digit needs a 5-digit code (or a valid 6-digit one)";
	static const step_case cs[] = {
		OK("43501", "435015"),
		OK("13101", "131016"),
		OK("13113", "131130"),
		OK("435015", "435015"), /* already with a valid digit */
		BAD("435016", "mapping-failed", d),
		BAD("4350", "mapping-failed", d),
		BAD("4350a", "mapping-failed", d),
		BAD("4350150", "mapping-failed", d),
		BAD("", "mapping-failed", d),   /* unlike code/lookup, empty is not skipped */
	};

	run_cases(NULL, "city_code", "[lg_check_digit]", cs, N(cs));
}
END_TEST

START_TEST(test_default)
{
	static const step_case plain[] = {
		OK("", "0"),
		OK("1", "1"),
		OK(" ", " "),  /* not empty */
	};
	static const step_case trimmed[] = {
		OK("　 ", "不明"),
		OK(" 山田 ", "山田"),
	};

	run_cases(NULL, "shien_sochi", "[{default: \"0\"}]", plain, N(plain));
	run_cases(NULL, "name", "[trim, {default: 不明}]", trimmed, N(trimmed));
}
END_TEST

START_TEST(test_chain)
{
	/* trim → zenkaku → default, and code after zero_pad */
	static const step_case kana[] = {
		OK(" ﾔﾏﾀﾞ ﾊﾅｺ ", "ヤマダ　ハナコ"),
		OK("   ", "フメイ"),
	};
	static const step_case zoku[] = {
		OK("1", "02"),
		OK("01", "02"),
		{ "7", NULL, "unmapped-code", "code \"07\" is not in code table zokugara (unmapped: reject)", "07" },
	};

	run_cases(NULL, "name_kana", "[trim, zenkaku, {default: フメイ}]", kana, N(kana));
	/* a code table without unmapped: rejects */
	run_cases("  zokugara: {map: {\"01\": \"02\"}}\n", "zokugara_code", "[{zero_pad: 2}, {code: zokugara}]",
		  zoku, N(zoku));
}
END_TEST

/* const (with $lg_code), gaiji (a no-op) and joins of several fields. */
START_TEST(test_const_join)
{
	tx_csv out;

	ck_assert_int_eq(tx_run(NULL,
				"      lg_code: {const: $lg_code}\n"
				"      atena_no: {from: ID}\n"
				"      zokugara_text: {const: 世帯主}\n"
				"      shien_sochi: {const: \"7\", steps: [{zero_pad: 3}]}\n"
				"      name: {from: [FAMILY, GIVEN], join: \"　\"}\n"
				"      name_kana: {from: [FAMILY, GIVEN]}\n"
				"      banchi: {from: [B1, B2, B3], join: \"-\", steps: [gaiji]}\n"
				"      katagaki: {from: [FAMILY], join: \"-\"}\n",
				"ID,FAMILY,GIVEN,B1,B2,B3\n"
				"1,山田,太郎,1,2,3\n"
				"2,山田,,10,,\n"
				"3,,,,,\n"
				"4,\"a,b\",\"c\"\"d\",〓,x,y\n"), 0);
	tx_csv_load(&out, "out/resident.csv");
	ck_assert_uint_eq(out.nrows, 4);
	ck_assert_str_eq(tx_cell(&out, 0, "lg_code"), "435015");
	ck_assert_str_eq(tx_cell(&out, 0, "zokugara_text"), "世帯主");
	ck_assert_str_eq(tx_cell(&out, 0, "shien_sochi"), "007");
	ck_assert_str_eq(tx_cell(&out, 0, "name"), "山田　太郎");
	ck_assert_str_eq(tx_cell(&out, 0, "name_kana"), "山田太郎"); /* join defaults to "" */
	ck_assert_str_eq(tx_cell(&out, 0, "banchi"), "1-2-3");
	ck_assert_str_eq(tx_cell(&out, 0, "katagaki"), "山田");      /* one field: no separator */
	ck_assert_str_eq(tx_cell(&out, 1, "name"), "山田　");        /* separators stay */
	ck_assert_str_eq(tx_cell(&out, 1, "banchi"), "10--");
	ck_assert_str_eq(tx_cell(&out, 2, "name"), "　");
	ck_assert_str_eq(tx_cell(&out, 2, "banchi"), "--");
	ck_assert_str_eq(tx_cell(&out, 3, "name"), "a,b　c\"d");
	ck_assert_str_eq(tx_cell(&out, 3, "banchi"), "〓-x-y");
	/* columns the pack does not map are empty */
	ck_assert_str_eq(tx_cell(&out, 0, "setai_no"), "");
	ck_assert_str_eq(tx_cell(&out, 0, "my_number"), "");
	/* schema column order, not pack order */
	ck_assert_str_eq(out.hdr[0], "lg_code");
	ck_assert_str_eq(out.hdr[1], "atena_no");
	ck_assert_str_eq(out.hdr[5], "name");
	ck_assert_uint_eq(out.ncols, 27);
	tx_csv_free(&out);
}
END_TEST

/* A source field the extract CSV does not have stops the run, naming both. */
START_TEST(test_missing_field)
{
	const char *msg;

	ck_assert_int_eq(tx_run(NULL, "      name: {from: [FAMILY, GIVEN]}\n", "FAMILY\nx\n"), IKO_EPARSE);
	msg = strstr(iko_error_message(), "pack maps");
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "pack maps resident.name from field GIVEN, which "));
	ck_assert_ptr_nonnull(strstr(msg, "/in/J.csv does not have"));
	ck_assert_int_eq(tx_run(NULL, "      nickname: {from: FAMILY}\n", "FAMILY\nx\n"), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "pack maps resident.nickname, which is not a column of the schema");
	iko_error_clear();
}
END_TEST

/*
 * The rejects row: the record's key even when the failing column is mapped
 * before the key column, its byte offset and raw bytes in hex.
 */
START_TEST(test_reject_row)
{
	tx_csv rj, out;

	ck_assert_int_eq(tx_run(sex_reject,
				"      sex: {from: S, steps: [{code: sex}]}\n"
				"      atena_no: {from: ID}\n"
				"      lg_code: {const: $lg_code}\n",
				"ID,S\n0000001,M\n0000002,Q\n"), 0);
	tx_csv_load(&rj, "out/rejects.csv");
	tx_csv_load(&out, "out/resident.csv");
	ck_assert_uint_eq(rj.nrows, 1);
	ck_assert_str_eq(tx_cell(&rj, 0, "record"), "2");
	ck_assert_str_eq(tx_cell(&rj, 0, "offset"), "15");
	ck_assert_str_eq(tx_cell(&rj, 0, "key"), "0000002");
	ck_assert_str_eq(tx_cell(&rj, 0, "raw_hex"), "303030303030322c510a"); /* "0000002,Q\n" */
	ck_assert_uint_eq(out.nrows, 1);
	ck_assert_str_eq(tx_cell(&out, 0, "atena_no"), "0000001");
	ck_assert_str_eq(tx_cell(&out, 0, "sex"), "1");
	tx_csv_free(&rj);
	tx_csv_free(&out);
}
END_TEST

/* Pack errors of the steps themselves: named with the pack line. */
START_TEST(test_step_errors)
{
	static const struct {
		const char *col, *msg;
	} cases[] = {
		{ "      town_code: {from: V, steps: [{zero_pad: 0}]}\n", "pack.yaml:10: zero_pad needs a width 1..100" },
		{ "      name: {from: V, steps: [{split: {part: 3}}]}\n",
		  "pack.yaml:10: split: part must be 1 (before the first separator) or 2 (after it)" },
		{ "      birth_date: {from: V, steps: [{era_date: {format: julian}}]}\n",
		  "pack.yaml:10: era_date format must be auto, gyymmdd, letter, code2 or kanji" },
		{ "      ido_date: {from: V, steps: [date_format]}\n", "pack.yaml:10: date_format needs an argument" },
		{ "      name: {from: V, steps: [default]}\n", "pack.yaml:10: default needs an argument" },
		{ "      name: {from: V, steps: [{regex: {replace: x}}]}\n", "pack.yaml:10: regex needs pattern: and replace:" },
		{ "      name: {from: V, steps: [{regex: {pattern: \"(a)\", replace: \"$2\"}}]}\n",
		  "pack.yaml:10: regex (a): replacement $2 refers to group 2; the pattern has 1" },
		{ "      name: {from: V, steps: [{regex: {pattern: \"(a)\", replace: \"x${12}\"}}]}\n",
		  "pack.yaml:10: regex (a): replacement ${12} refers to group 12; the pattern has 1" },
		{ "      name: {from: V, steps: [{regex: {pattern: \"(?<x>a)\", replace: \"${y}\"}}]}\n",
		  "pack.yaml:10: regex (?<x>a): replacement ${y} refers to group y, which the pattern does not have" },
		{ "      name: {from: V, steps: trim}\n", "pack.yaml:10: column name: steps must be a list" },
		{ "      name: {steps: [trim]}\n", "pack.yaml:10: column name needs from: or const:" },
		{ "      name: {from: V, steps: [{trim: 1, zenkaku: 2}]}\n", "pack.yaml:10: a step is a name or {name: argument}" },
		/* columns as a list (found by fuzz_pack: it read a null mapping) */
		{ "      - name\n", "pack.yaml:10: table resident: columns: must map each column's name to its mapping" },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		const char *msg;
		ck_assert_int_eq(tx_run(NULL, cases[i].col, "V\n1\n"), IKO_EPARSE);
		msg = strstr(iko_error_message(), "pack.yaml:");
		ck_assert_msg(msg != NULL, "%s", iko_error_message());
		ck_assert_str_eq(msg, cases[i].msg);
	}
	/* $$ is a literal dollar, $0 the whole match */
	ck_assert_int_eq(tx_run(NULL, "      atena_no: {from: V}\n"
				"      name: {from: V, steps: [{regex: {pattern: \"[0-9]+\", replace: \"$$$0\"}}]}\n",
				"V\n12\n"), 0);
	{
		tx_csv out;
		tx_csv_load(&out, "out/resident.csv");
		ck_assert_str_eq(tx_cell(&out, 0, "name"), "$12");
		tx_csv_free(&out);
	}
	iko_error_clear();
}
END_TEST

Suite *mapsteps_suite(void)
{
	Suite *s = suite_create("mapsteps");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, tx_setup, tx_teardown);
	tcase_add_test(tc, test_trim);
	tcase_add_test(tc, test_zenkaku);
	tcase_add_test(tc, test_zenkaku_kana);
	tcase_add_test(tc, test_hankaku);
	tcase_add_test(tc, test_zero_pad);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_date_format);
	tcase_add_test(tc, test_code_reject);
	tcase_add_test(tc, test_code_warn_keep);
	tcase_add_test(tc, test_regex);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_lookup_errors);
	tcase_add_test(tc, test_lg_check_digit);
	tcase_add_test(tc, test_default);
	tcase_add_test(tc, test_chain);
	tcase_add_test(tc, test_const_join);
	tcase_add_test(tc, test_missing_field);
	tcase_add_test(tc, test_reject_row);
	tcase_add_test(tc, test_step_errors);
	suite_add_tcase(s, tc);
	return s;
}
