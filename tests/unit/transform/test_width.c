/*
 * test_width.c — 半角↔全角 conversion, including voiced half-width kana.
 */
#include <check.h>
#include <string.h>

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_utf8.h"
#include "iko_width.h"

#include <stdio.h>

Suite *width_suite(void);

static const struct {
	const char *in, *out;
	int ascii;
} zen[] = {
	{ "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ", 1 },
	{ "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ", 0 },
	{ "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ", 1 },
	{ "ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ",
	  "ガギグゲゴザジズゼゾダヂヅデドバビブベボ", 1 },
	{ "ｳﾞｨｯﾄ", "ヴィット", 1 },
	{ "ｱﾞ", "ア゛", 1 },          /* ア has no voiced form: mark kept */
	{ "ﾏﾟ", "マ゜", 1 },
	{ "ｰ｡｢｣､･ｦｧｯ", "ー。「」、・ヲァッ", 1 },
	{ "ABC-12", "ＡＢＣ－１２", 1 },
	{ "ABC-12", "ABC-12", 0 },
	{ "山田　花子", "山田　花子", 1 },  /* already full width */
	{ "", "", 1 },
};

START_TEST(test_zenkaku)
{
	iko_buf b = IKO_BUF_INIT;

	ck_assert_int_eq(iko_width_zenkaku(&b, zen[_i].in, strlen(zen[_i].in), zen[_i].ascii), 0);
	ck_assert_str_eq(iko_buf_cstr(&b), zen[_i].out);
	iko_buf_release(&b);
}
END_TEST

START_TEST(test_hankaku)
{
	static const struct {
		const char *in, *out;
	} han[] = {
		{ "ＡＢＣ－１２", "ABC-12" },
		{ "１丁目２番３号", "1丁目2番3号" },
		{ "山田　花子", "山田 花子" },
		{ "ｱｲｳ", "ｱｲｳ" },
	};
	iko_buf b = IKO_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(han) / sizeof(han[0]); i++) {
		iko_buf_clear(&b);
		ck_assert_int_eq(iko_width_hankaku(&b, han[i].in, strlen(han[i].in)), 0);
		ck_assert_str_eq(iko_buf_cstr(&b), han[i].out);
	}
	iko_buf_release(&b);
}
END_TEST

START_TEST(test_invalid_utf8)
{
	iko_buf b = IKO_BUF_INIT;

	ck_assert_int_eq(iko_width_zenkaku(&b, "ab\xff", 3, 1), IKO_ECONV);
	ck_assert_str_eq(iko_error_message(), "invalid UTF-8 at byte 2");
	ck_assert_int_eq(iko_width_hankaku(&b, "\xe3\x80", 2), IKO_ECONV);
	iko_buf_release(&b);
	iko_error_clear();
}
END_TEST

/* The definition: decode each character, convert it, encode it (the code before 2026-12-06). */
static int zenkaku_reference(iko_buf *out, const char *s, size_t len, int ascii)
{
	static const uint16_t kana[63] = {
		0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5,
		0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4,
		0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5,
		0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,
		0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8,
		0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8,
		0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C
	};
	size_t i = 0;
	uint32_t cp, next, v;
	int n, m;

	while (i < len) {
		if ((n = iko_utf8_decode(s + i, len - i, &cp)) < 0)
			return -(int)i - 1;
		i += (size_t)n;
		if (cp >= 0xFF61 && cp <= 0xFF9F) {
			uint32_t full = kana[cp - 0xFF61];
			if (i < len && (m = iko_utf8_decode(s + i, len - i, &next)) > 0 && (next == 0xFF9E || next == 0xFF9F)) {
				v = 0;
				if (next == 0xFF9E)
					v = full == 0x30A6 ? 0x30F4 : full == 0x30EF ? 0x30F7 : full == 0x30F2 ? 0x30FA :
					    ((full >= 0x30AB && full <= 0x30C2 && (full & 1)) ||
					     (full >= 0x30C4 && full <= 0x30C8 && !(full & 1)) ||
					     (full >= 0x30CF && full <= 0x30DB && (full - 0x30CF) % 3 == 0)) ? full + 1 : 0;
				else if (full >= 0x30CF && full <= 0x30DB && (full - 0x30CF) % 3 == 0)
					v = full + 2;
				if (v) {
					full = v;
					i += (size_t)m;
				}
			}
			cp = full;
		} else if (ascii && cp == 0x20) {
			cp = 0x3000;
		} else if (ascii && cp >= 0x21 && cp <= 0x7E) {
			cp += 0xFEE0;
		}
		if (iko_utf8_put(out, cp))
			return -1000000;
	}
	return 0;
}

/*
 * Random strings of ASCII (controls, space, printable), every half-width
 * katakana and mark, full-width kana and kanji, 2- and 4-byte characters,
 * and now and then a broken byte or a character cut short at the end: the
 * same bytes as the definition, or the same error at the same byte.
 */
START_TEST(test_zenkaku_matches_definition)
{
	static const char *const pool[] = {
		" ", "A", "z", "~", "-", "0", "\x01", "\x7f", "ｰ", "ｶ", "ﾊ", "ｳ", "ﾜ", "ｦ", "ﾄ", "ﾎ", "ｱ", "ﾞ", "ﾟ",
		"｡", "｢", "･", "ﾝ", "ｧ", "ア", "ガ", "山", "　", "Ａ", "é", "😀", "\xef\xbd", "\xff", "\xef\xbe\x9e",
	};
	iko_buf a = IKO_BUF_INIT, b = IKO_BUF_INIT;
	char in[256];
	unsigned x = 2026;
	int round, ascii, bad = 0, ok = 0;

	for (round = 0; round < 4000; round++) {
		size_t len = 0, k, nparts;
		int want, got;
		x = x * 1103515245u + 12345u;
		nparts = (x >> 16) % 24;
		for (k = 0; k < nparts; k++) {
			const char *part;
			x = x * 1103515245u + 12345u;
			/* the broken ones (the last three but one) rarely */
			part = pool[(x >> 16) % (sizeof(pool) / sizeof(pool[0]))];
			if ((part[0] == '\xef' && part[1] == '\xbd' && !part[2]) || part[0] == '\xff') {
				if ((x >> 8) % 8)
					part = "ﾀ";
			}
			memcpy(in + len, part, strlen(part));
			len += strlen(part);
		}
		ascii = round & 1;
		iko_buf_clear(&a);
		iko_buf_clear(&b);
		want = zenkaku_reference(&a, in, len, ascii);
		got = iko_width_zenkaku(&b, in, len, ascii);
		if (want == 0) {
			ck_assert_int_eq(got, 0);
			ck_assert_uint_eq(b.len, a.len);
			if (a.len)
				ck_assert_mem_eq(b.ptr, a.ptr, a.len);
			ok++;
		} else {
			char msg[64];
			ck_assert_int_eq(got, IKO_ECONV);
			snprintf(msg, sizeof(msg), "invalid UTF-8 at byte %d", -want - 1);
			ck_assert_str_eq(iko_error_message(), msg);
			/* what came before the broken byte was written as the definition writes it */
			ck_assert_uint_eq(b.len, a.len);
			if (a.len)
				ck_assert_mem_eq(b.ptr, a.ptr, a.len);
			bad++;
		}
	}
	ck_assert_int_gt(ok, 2000);
	ck_assert_int_gt(bad, 50);
	iko_buf_release(&a);
	iko_buf_release(&b);
	iko_error_clear();
}
END_TEST

Suite *width_suite(void)
{
	Suite *s = suite_create("width");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_zenkaku, 0, (int)(sizeof(zen) / sizeof(zen[0])));
	tcase_add_test(tc, test_hankaku);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_zenkaku_matches_definition);
	suite_add_tcase(s, tc);
	return s;
}
