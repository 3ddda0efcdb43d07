/*
 * test_width.c — 半角↔全角 conversion, including voiced half-width kana.
 */
#include <check.h>
#include <string.h>

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_width.h"

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

Suite *width_suite(void)
{
	Suite *s = suite_create("width");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_zenkaku, 0, (int)(sizeof(zen) / sizeof(zen[0])));
	tcase_add_test(tc, test_hankaku);
	tcase_add_test(tc, test_invalid_utf8);
	suite_add_tcase(s, tc);
	return s;
}
