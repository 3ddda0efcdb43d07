/*
 * test_buf_json_yaml.c — the growable buffer, the JSON writer, the YAML
 * tree loader and SHA-256 of common/.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_json.h"
#include "iko_sha256.h"
#include "iko_yaml.h"

Suite *buf_json_yaml_suite(void);

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

/* Growth across many reallocations keeps every byte, NUL included. */
START_TEST(test_buf_growth)
{
	iko_buf b = IKO_BUF_INIT, h = IKO_BUF_INIT;
	unsigned char all[256];
	char *p;
	size_t i;

	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(iko_buf_putc(&b, (int)(i % 251)), 0);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_uint_ge(b.cap, b.len + 1);
	ck_assert_int_eq(b.ptr[b.len], '\0');
	for (i = 0; i < b.len; i++)
		ck_assert_int_eq((unsigned char)b.ptr[i], i % 251);
	ck_assert_int_eq(iko_buf_put(&b, "\0x", 2), 0);
	ck_assert_uint_eq(b.len, 100002);
	p = iko_buf_detach(&b);
	ck_assert_ptr_null(b.ptr);
	ck_assert_uint_eq(b.len, 0);
	free(p);
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	ck_assert_int_eq(iko_buf_put_hex(&h, all, sizeof(all)), 0);
	ck_assert_uint_eq(h.len, 512);
	ck_assert_int_eq(strncmp(h.ptr, "000102030405060708090a0b0c0d0e0f10", 34), 0);
	ck_assert_str_eq(h.ptr + 500, "fafbfcfdfeff");
	/* and back: every byte, upper case too; not hex leaves the buffer as it was */
	iko_buf_clear(&b);
	ck_assert_int_eq(iko_buf_put_unhex(&b, h.ptr, h.len), 1);
	ck_assert_uint_eq(b.len, 256);
	ck_assert_int_eq(memcmp(b.ptr, all, 256), 0);
	ck_assert_int_eq(b.ptr[256], '\0');
	ck_assert_int_eq(iko_buf_put_unhex(&b, "4A6b", 4), 1);
	ck_assert_uint_eq(b.len, 258);
	ck_assert_int_eq(memcmp(b.ptr + 256, "Jk", 3), 0);
	ck_assert_int_eq(iko_buf_put_unhex(&b, "4a6", 3), 0);
	ck_assert_int_eq(iko_buf_put_unhex(&b, "4a6g", 4), 0);
	ck_assert_int_eq(iko_buf_put_unhex(&b, "", 0), 1);
	ck_assert_uint_eq(b.len, 258);
	ck_assert_int_eq(b.ptr[258], '\0');
	ck_assert_int_eq(iko_hex_digit('F'), 15);
	ck_assert_int_eq(iko_hex_digit('g'), -1);
	iko_buf_release(&b);
	iko_buf_release(&h);
	p = iko_aprintf("%s-%05d", "個人", 42);
	ck_assert_str_eq(p, "個人-00042");
	free(p);
}
END_TEST

/* Every control character is escaped; UTF-8 passes through as is. */
START_TEST(test_json_escapes)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "\"", 1, "\"\\\"\"" },
		{ "\\", 1, "\"\\\\\"" },
		{ "/", 1, "\"/\"" },
		{ "\b\f\r\n\t", 5, "\"\\u0008\\u000c\\r\\n\\t\"" },
		{ "\0a", 2, "\"\\u0000a\"" },
		{ "\x1f\x7f", 2, "\"\\u001f\\u007f\"" },
		{ "表示　ソ髙﨑", 18, "\"表示　ソ髙﨑\"" },
		{ "😀", 4, "\"😀\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		iko_buf b = IKO_BUF_INIT;
		iko_json j;

		iko_json_init(&j, &b);
		iko_json_strn(&j, cases[i].in, cases[i].len);
		ck_assert_int_eq(iko_json_finish(&j), 0);
		ck_assert_int_eq(b.ptr[b.len - 1], '\n'); /* finish ends the document */
		iko_buf_truncate(&b, b.len - 1);
		ck_assert_str_eq(b.ptr, cases[i].out);
		iko_buf_release(&b);
	}
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

/* Block sequences of maps, nested maps, and the line of every node. */
START_TEST(test_yaml_block)
{
	static const char text[] =
		"# layout\n"
		"fields:\n"
		"  - name: 氏名\n"
		"    bytes: 40\n"
		"  - name: 生年月日\n"
		"    format: gyymmdd\n"
		"    quoted: \"3450315\"\n"
		"empty: []\n"
		"flow: {a: 1, b: [x, y]}\n";
	iko_yaml_doc *d = NULL;
	const iko_yaml_node *root, *fields, *f, *flow;
	long long n;

	ck_assert_int_eq(iko_yaml_load_string(&d, text, strlen(text), "layout.yaml"), 0);
	ck_assert_str_eq(iko_yaml_name(d), "layout.yaml");
	root = iko_yaml_root(d);
	ck_assert_int_eq(root->kind, IKO_YAML_MAP);
	ck_assert_uint_eq(iko_yaml_count(root), 3);
	ck_assert_str_eq(iko_yaml_key_at(root, 0), "fields");
	fields = iko_yaml_get(root, "fields");
	ck_assert_int_eq(fields->kind, IKO_YAML_SEQ);
	ck_assert_uint_eq(iko_yaml_count(fields), 2);
	f = iko_yaml_at(fields, 0);
	ck_assert_int_eq(f->line, 3);
	ck_assert_str_eq(iko_yaml_str(f, "name", NULL), "氏名");
	ck_assert_int_eq(iko_yaml_int(&n, f, "bytes", 0), 0);
	ck_assert_int_eq(n, 40);
	f = iko_yaml_at(fields, 1);
	ck_assert_int_eq(f->line, 5);
	ck_assert_int_eq(iko_yaml_get(f, "format")->line, 6);
	ck_assert_int_eq(iko_yaml_get(f, "format")->plain, 1);
	ck_assert_int_eq(iko_yaml_get(f, "quoted")->plain, 0);
	ck_assert_str_eq(iko_yaml_str(f, "quoted", NULL), "3450315");
	ck_assert_ptr_null(iko_yaml_at(fields, 2));
	ck_assert_uint_eq(iko_yaml_count(iko_yaml_get(root, "empty")), 0);
	flow = iko_yaml_get(root, "flow");
	ck_assert_int_eq(flow->line, 9);
	ck_assert_str_eq(iko_yaml_text(iko_yaml_at(iko_yaml_get(flow, "b"), 1)), "y");
	ck_assert_int_eq(iko_yaml_int(&n, f, "format", 7), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "line 6: format: expected an integer, got \"gyymmdd\"");
	ck_assert_int_eq(iko_yaml_int(&n, f, "absent", 7), 0);
	ck_assert_int_eq(n, 7);
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
	ck_assert_str_eq(iko_error_message(),
			 "broken.yaml:2: did not find expected ',' or ']' while parsing a flow sequence");
	{
		static const char indent[] = "a: 1\n  b: 2\n";
		static const char deep_alias[] = "x:\n  - a\n  - *y\n";
		const char *m;

		ck_assert_int_eq(iko_yaml_load_string(&d, indent, strlen(indent), "i.yaml"), IKO_EPARSE);
		m = iko_error_message();
		ck_assert_msg(strncmp(m, "i.yaml:2: mapping values are not allowed", 40) == 0, "%s", m);
		ck_assert_ptr_null(d);
		ck_assert_int_eq(iko_yaml_load_string(&d, deep_alias, strlen(deep_alias), "a.yaml"),
				 IKO_EPARSE);
		ck_assert_str_eq(iko_error_message(), "a.yaml:3: YAML aliases are not supported");
		ck_assert_ptr_null(d);
	}
	ck_assert_int_eq(iko_yaml_load_string(&d, "", 0, "empty.yaml"), 0);
	ck_assert_uint_eq(iko_yaml_count(iko_yaml_root(d)), 0);
	iko_yaml_free(d);
	iko_error_clear();
}
END_TEST

START_TEST(test_yaml_duplicate_keys)
{
	static const char dup[] = "a: 1\nmap:\n  k: v\n  k: w\n";
	static const char ok[] = "a: {k: 1}\nb: {k: 2}\n";
	iko_yaml_doc *d = NULL;

	ck_assert_int_eq(iko_yaml_load_string(&d, dup, strlen(dup), "dup.yaml"), IKO_EPARSE);
	ck_assert_str_eq(iko_error_message(), "dup.yaml:4: duplicate key: k");
	ck_assert_ptr_null(d);
	/* the same key in different maps is fine */
	ck_assert_int_eq(iko_yaml_load_string(&d, ok, strlen(ok), "ok.yaml"), 0);
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
	/* a megabyte in one call (many blocks at once: the SHA-NI path where the CPU has it) and in odd pieces */
	{
		size_t n = 1000003, off, step;
		unsigned char *b = malloc(n);
		ck_assert_ptr_nonnull(b);
		for (k = 0; k < n; k++)
			b[k] = (unsigned char)((((k * 31 + 7) >> 3) ^ k) & 255);
		for (step = n; step >= 1000; step = step == n ? 4099 : 999) {
			iko_sha256_init(&c);
			for (off = 0; off < n; off += step)
				iko_sha256_update(&c, b + off, n - off < step ? n - off : step);
			iko_sha256_final_hex(&c, hex);
			ck_assert_str_eq(hex, "f2f1f03791791611351a01f80eece069950bb5234b9a51f5f889c2d732bd10e2");
		}
		free(b);
	}
}
END_TEST

Suite *buf_json_yaml_suite(void)
{
	Suite *s = suite_create("buf_json_yaml");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_buf);
	tcase_add_test(tc, test_buf_growth);
	tcase_add_test(tc, test_json_escapes);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_yaml);
	tcase_add_test(tc, test_yaml_block);
	tcase_add_test(tc, test_yaml_errors);
	tcase_add_test(tc, test_yaml_duplicate_keys);
	tcase_add_test(tc, test_sha256);
	suite_add_tcase(s, tc);
	return s;
}
