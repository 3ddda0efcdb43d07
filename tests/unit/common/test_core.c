/*
 * test_core.c — buffers, JSON writer, YAML loader, SHA-256.
 */
#include <check.h>
#include <string.h>

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_json.h"
#include "iko_sha256.h"
#include "iko_yaml.h"

Suite *core_suite(void);

START_TEST(test_buf)
{
	iko_buf b = IKO_BUF_INIT;
	int i;

	ck_assert_str_eq(iko_buf_cstr(&b), "");
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(iko_buf_printf(&b, "%d,", i), 0);
	ck_assert_uint_eq(b.len, 3890);
	iko_buf_clear(&b);
	ck_assert_int_eq(iko_buf_put_hex(&b, "\x00\xff\x1f", 3), 0);
	ck_assert_str_eq(b.ptr, "00ff1f");
	iko_buf_truncate(&b, 2);
	ck_assert_str_eq(b.ptr, "00");
	iko_buf_release(&b);
	ck_assert_ptr_null(b.ptr);
}
END_TEST

START_TEST(test_json)
{
	iko_buf b = IKO_BUF_INIT;
	iko_json j;

	iko_json_init(&j, &b);
	iko_json_object_begin(&j);
	iko_json_kv_str(&j, "name", "錦町 \"見本\"\n\t\x01");
	iko_json_kv_int(&j, "n", -5);
	iko_json_key(&j, "list");
	iko_json_array_begin(&j);
	iko_json_int(&j, 1);
	iko_json_bool(&j, 0);
	iko_json_null(&j);
	iko_json_array_end(&j);
	iko_json_key(&j, "empty");
	iko_json_object_begin(&j);
	iko_json_object_end(&j);
	iko_json_object_end(&j);
	ck_assert_int_eq(iko_json_finish(&j), 0);
	ck_assert_str_eq(b.ptr, "{\n  \"name\": \"錦町 \\\"見本\\\"\\n\\t\\u0001\",\n  \"n\": -5,\n"
				"  \"list\": [\n    1,\n    false,\n    null\n  ],\n  \"empty\": {}\n}\n");
	iko_buf_release(&b);
}
END_TEST

START_TEST(test_yaml)
{
	static const char text[] =
		"name: 住民記録\nlist: [a, \"01\", 3]\nmap:\n  k: v\n  n: 42\n  flag: yes\n";
	iko_yaml_doc *d = NULL;
	const iko_yaml_node *root, *list;
	long long n;
	int flag;

	ck_assert_int_eq(iko_yaml_load_string(&d, text, strlen(text), "t.yaml"), 0);
	root = iko_yaml_root(d);
	ck_assert_str_eq(iko_yaml_str(root, "name", NULL), "住民記録");
	list = iko_yaml_get(root, "list");
	ck_assert_uint_eq(iko_yaml_count(list), 3);
	ck_assert_str_eq(iko_yaml_text(iko_yaml_at(list, 1)), "01");
	ck_assert_int_eq(iko_yaml_int(&n, iko_yaml_get(root, "map"), "n", 0), 0);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(iko_yaml_bool(&flag, iko_yaml_get(root, "map"), "flag", 0), 0);
	ck_assert_int_eq(flag, 1);
	ck_assert_int_eq(iko_yaml_int(&n, iko_yaml_get(root, "map"), "k", 0), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "line 4: k: expected an integer, got \"v\"");
	ck_assert_str_eq(iko_yaml_str(root, "absent", "def"), "def");
	ck_assert_int_eq(iko_yaml_get(root, "map")->line, 4);
	iko_yaml_free(d);
	iko_error_clear();
}
END_TEST

START_TEST(test_yaml_errors)
{
	static const char alias[] = "a: &x [1, 2]\nb: *x\n";
	static const char broken[] = "a: [1, 2\nb: c\n";
	iko_yaml_doc *d = NULL;

	ck_assert_int_eq(iko_yaml_load_string(&d, alias, strlen(alias), "alias.yaml"), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "alias.yaml:2: YAML aliases are not supported");
	ck_assert_ptr_null(d);
	ck_assert_int_eq(iko_yaml_load_string(&d, broken, strlen(broken), "broken.yaml"), IKO_EPARSE);
	ck_assert_ptr_nonnull(strstr(iko_error_message(), "broken.yaml:"));
	ck_assert_int_eq(iko_yaml_load_string(&d, "", 0, "empty.yaml"), 0);
	ck_assert_uint_eq(iko_yaml_count(iko_yaml_root(d)), 0);
	iko_yaml_free(d);
	iko_error_clear();
}
END_TEST

START_TEST(test_sha256)
{
	static const struct {
		const char *in, *hex;
	} cases[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	iko_sha256 c;
	char hex[65];
	size_t i, k;

	for (i = 0; i < 3; i++) {
		iko_sha256_init(&c);
		/* feed byte by byte to exercise the block buffer */
		for (k = 0; k < strlen(cases[i].in); k++)
			iko_sha256_update(&c, cases[i].in + k, 1);
		iko_sha256_final_hex(&c, hex);
		ck_assert_str_eq(hex, cases[i].hex);
	}
}
END_TEST

Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_yaml);
	tcase_add_test(tc, test_yaml_errors);
	tcase_add_test(tc, test_sha256);
	suite_add_tcase(s, tc);
	return s;
}
