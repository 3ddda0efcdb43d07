/*
 * test_codetable.c — vendor → standard code tables and unmapped policies.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "iko_codetable.h"

Suite *codetable_suite(void);

static const struct {
	const char *from, *to;
} zokugara[] = {
	{ "01", "02" }, { "02", "11" }, { "03", "12" }, { "04", "20" },
	{ "05", "51" }, { "06", "52" }, { "09", "99" },
};

START_TEST(test_map_listed)
{
	iko_code_table *t = NULL;
	const char *out = NULL;
	size_t i;

	ck_assert_int_eq(iko_code_table_new(&t, "zokugara", IKO_UNMAPPED_REJECT), 0);
	/* insert in reverse to exercise sorted insertion */
	for (i = sizeof(zokugara) / sizeof(zokugara[0]); i-- > 0;)
		ck_assert_int_eq(iko_code_table_set(t, zokugara[i].from, zokugara[i].to), 0);
	ck_assert_uint_eq(iko_code_table_size(t), 7);
	for (i = 0; i < sizeof(zokugara) / sizeof(zokugara[0]); i++) {
		ck_assert_int_eq(iko_code_table_map(t, zokugara[i].from, &out), 1);
		ck_assert_str_eq(out, zokugara[i].to);
	}
	ck_assert_str_eq(iko_code_table_name(t), "zokugara");
	iko_code_table_free(t);
}
END_TEST

START_TEST(test_unmapped_policies)
{
	static const struct {
		iko_unmapped_policy p;
		int expect_null;
	} cases[] = {
		{ IKO_UNMAPPED_REJECT, 1 }, { IKO_UNMAPPED_WARN, 0 }, { IKO_UNMAPPED_KEEP, 0 },
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		iko_code_table *t = NULL;
		const char *out = "x";
		ck_assert_int_eq(iko_code_table_new(&t, "sex", cases[i].p), 0);
		ck_assert_int_eq(iko_code_table_set(t, "M", "1"), 0);
		ck_assert_int_eq(iko_code_table_map(t, "Z", &out), 0);
		if (cases[i].expect_null)
			ck_assert_ptr_null(out);
		else
			ck_assert_str_eq(out, "Z");
		/* an empty value is just another unlisted code */
		ck_assert_int_eq(iko_code_table_map(t, "", &out), 0);
		ck_assert_int_eq(iko_code_table_policy(t), cases[i].p);
		iko_code_table_free(t);
	}
}
END_TEST

START_TEST(test_override_and_policy_names)
{
	iko_code_table *t = NULL;
	const char *out;

	ck_assert_int_eq(iko_code_table_new(&t, "ido", IKO_UNMAPPED_REJECT), 0);
	ck_assert_int_eq(iko_code_table_set(t, "A1", "01"), 0);
	/* an overlay replaces an entry: set returns 1 */
	ck_assert_int_eq(iko_code_table_set(t, "A1", "03"), 1);
	ck_assert_int_eq(iko_code_table_map(t, "A1", &out), 1);
	ck_assert_str_eq(out, "03");
	ck_assert_uint_eq(iko_code_table_size(t), 1);
	/* case matters: codes are compared byte for byte */
	ck_assert_int_eq(iko_code_table_map(t, "a1", &out), 0);
	iko_code_table_set_policy(t, IKO_UNMAPPED_KEEP);
	ck_assert_int_eq(iko_code_table_map(t, "a1", &out), 0);
	ck_assert_str_eq(out, "a1");
	ck_assert_int_eq(iko_unmapped_policy_parse("reject"), IKO_UNMAPPED_REJECT);
	ck_assert_int_eq(iko_unmapped_policy_parse("warn"), IKO_UNMAPPED_WARN);
	ck_assert_int_eq(iko_unmapped_policy_parse("keep"), IKO_UNMAPPED_KEEP);
	ck_assert_int_eq(iko_unmapped_policy_parse("ignore"), -1);
	ck_assert_str_eq(iko_unmapped_policy_name(IKO_UNMAPPED_WARN), "warn");
	iko_code_table_free(t);
}
END_TEST

START_TEST(test_many_codes)
{
	iko_code_table *t = NULL;
	char from[16], to[16];
	const char *out;
	int i;

	ck_assert_int_eq(iko_code_table_new(&t, "big", IKO_UNMAPPED_REJECT), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(from, sizeof(from), "%05d", (i * 7919) % 5000);
		snprintf(to, sizeof(to), "S%d", (i * 7919) % 5000);
		ck_assert_int_eq(iko_code_table_set(t, from, to), 0);
	}
	ck_assert_uint_eq(iko_code_table_size(t), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(from, sizeof(from), "%05d", i);
		snprintf(to, sizeof(to), "S%d", i);
		ck_assert_int_eq(iko_code_table_map(t, from, &out), 1);
		ck_assert_str_eq(out, to);
	}
	ck_assert_int_eq(iko_code_table_map(t, "99999", &out), 0);
	iko_code_table_free(t);
}
END_TEST

/*
 * Codes that share first bytes or differ only there, the empty code,
 * bytes above 0x7F (UTF-8 full-width digits, kana) and one byte codes:
 * every listed code maps to its own value and every other probe — each
 * listed code with a byte added, dropped or changed — is unmapped, as a
 * search through the whole list says.
 */
START_TEST(test_codes_sharing_bytes)
{
	static const char *const codes[] = { "", "0", "1", "01", "011", "0111", "1", "10", "A", "a", "\xff",
					     "\x7f", "\x80", "１", "１２", "１1", "ア", "アイ", "01\xe3", "~~" };
	const size_t n = sizeof(codes) / sizeof(codes[0]);
	iko_code_table *t = NULL;
	char probe[16], want[16];
	const char *out;
	size_t i, j, k;

	ck_assert_int_eq(iko_code_table_new(&t, "shared", IKO_UNMAPPED_REJECT), 0);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "v%zu", i);
		ck_assert_int_ge(iko_code_table_set(t, codes[i], want), 0);
	}
	ck_assert_uint_eq(iko_code_table_size(t), n - 1); /* "1" twice */
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++) {
			size_t len = strlen(codes[i]);
			int listed = -1;
			memcpy(probe, codes[i], len + 1);
			if (k == 1) { /* a byte added */
				probe[len] = '0';
				probe[len + 1] = '\0';
			} else if (k == 2 && len) { /* the last byte dropped */
				probe[len - 1] = '\0';
			} else if (k == 3 && len) { /* the first byte changed */
				probe[0] = (char)(probe[0] + 1);
			}
			for (j = 0; j < n; j++)
				if (!strcmp(codes[j], probe))
					listed = (int)j;
			/* the last setting of a code listed twice wins */
			if (listed >= 0) {
				snprintf(want, sizeof(want), "v%d", listed);
				ck_assert_msg(iko_code_table_map(t, probe, &out) == 1 && !strcmp(out, want),
					      "code %zu probe %zu: not mapped to %s", i, k, want);
			} else {
				ck_assert_msg(iko_code_table_map(t, probe, &out) == 0 && out == NULL,
					      "code %zu probe %zu: mapped, not listed", i, k);
			}
		}
	}
	iko_code_table_free(t);
}
END_TEST

Suite *codetable_suite(void)
{
	Suite *s = suite_create("codetable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_map_listed);
	tcase_add_test(tc, test_unmapped_policies);
	tcase_add_test(tc, test_override_and_policy_names);
	tcase_add_test(tc, test_many_codes);
	tcase_add_test(tc, test_codes_sharing_bytes);
	suite_add_tcase(s, tc);
	return s;
}
