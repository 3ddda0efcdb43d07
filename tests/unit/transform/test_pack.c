/*
 * test_pack.c — loading packs and overlays, and their error messages.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_fs.h"
#include "iko_pack.h"
#include "iko_pack_internal.h"
#include "iko_schema.h"

Suite *pack_suite(void);

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = iko_path_join(dir, name);
	FILE *fp = fopen(p, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	free(p);
}

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iko-pack-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	iko_rm_rf(tmpdir);
}

static const char base_pack[] =
	"pack: test/jumin\nversion: 2.1.0\nschema: jumin\n"
	"inputs:\n  - {name: J, file: J.DAT, layout: layouts/J.yaml}\n"
	"codes:\n  sex: {unmapped: reject, map: {M: \"1\", F: \"2\"}}\n"
	"tables:\n  resident:\n    from: J\n    columns:\n"
	"      lg_code: {const: $lg_code}\n"
	"      sex: {from: SEX, steps: [{code: sex}]}\n"
	"      name: {from: [FAMILY, GIVEN], join: \" \", steps: [trim]}\n";

START_TEST(test_vendor_a_pack)
{
	char *dir = iko_data_path("packs/vendor-a/jumin");
	iko_pack *p = NULL;
	const iko_pack_input *in;

	ck_assert_int_eq(iko_pack_load(&p, dir, "435015"), 0);
	ck_assert_str_eq(iko_pack_name(p), "vendor-a/jumin");
	ck_assert_str_eq(iko_pack_schema(p), "jumin");
	ck_assert_uint_eq(iko_pack_ninputs(p), 2);
	in = iko_pack_input_at(p, 0);
	ck_assert_str_eq(in->name, "JUMIN");
	ck_assert_str_eq(in->file, "JUMIN.DAT");
	ck_assert_str_eq(in->encoding, "CP932");
	ck_assert_str_eq(in->gaiji, "GAIJI.CSV");
	ck_assert_ptr_nonnull(strstr(in->layout, "packs/vendor-a/jumin/layouts/JUMIN.yaml"));
	ck_assert_ptr_nonnull(iko_pack_totals(p));
	ck_assert_uint_eq(p->ntables, 2);
	iko_pack_free(p);
	free(dir);
}
END_TEST

/* Each input read at most once: the shipped packs; two tables from one input are not */
START_TEST(test_inputs_read_once)
{
	char *dir = iko_data_path("packs/vendor-a/jumin");
	iko_pack *p = NULL;

	ck_assert_int_eq(iko_pack_load(&p, dir, "435015"), 0);
	ck_assert_int_eq(iko_pack_inputs_read_once(p), 1);
	iko_pack_free(p);
	free(dir);
	write_file(tmpdir, "pack.yaml", base_pack);
	ck_assert_int_eq(iko_pack_load(&p, tmpdir, "131130"), 0);
	ck_assert_int_eq(iko_pack_inputs_read_once(p), 1);
	iko_pack_free(p);
	write_file(tmpdir, "pack.yaml",
		   "pack: test/jumin\nversion: 2.1.0\nschema: jumin\n"
		   "inputs:\n  - {name: J, file: J.DAT, layout: layouts/J.yaml}\n"
		   "tables:\n  resident:\n    from: J\n    columns:\n"
		   "      lg_code: {const: $lg_code}\n"
		   "  household:\n    from: J\n    columns:\n"
		   "      lg_code: {const: $lg_code}\n");
	ck_assert_int_eq(iko_pack_load(&p, tmpdir, "131130"), 0);
	ck_assert_uint_eq(p->ntables, 2);
	ck_assert_int_eq(iko_pack_inputs_read_once(p), 0);
	iko_pack_free(p);
}
END_TEST

START_TEST(test_overlay_overrides)
{
	char *ov = iko_path_join(tmpdir, "overlays");
	iko_pack *p = NULL;
	const char *out;
	size_t i;

	write_file(tmpdir, "pack.yaml", base_pack);
	ck_assert_int_eq(iko_mkdir_p(ov, 0), 0);
	write_file(ov, "131016.yaml",
		   "overlay: \"131016\"\npack: test/jumin\n"
		   "codes:\n  sex: {map: {U: \"0\"}}\n"
		   "tables:\n  resident:\n    columns:\n"
		   "      name: {from: [FAMILY, GIVEN], join: \"　\"}\n");
	/* another municipality gets the pack as is */
	ck_assert_int_eq(iko_pack_load(&p, tmpdir, "131130"), 0);
	ck_assert_ptr_null(iko_pack_overlay(p));
	ck_assert_uint_eq(iko_pack_overlay_overrides(p), 0);
	ck_assert_int_eq(iko_code_table_map(p->codes[0], "U", &out), 0);
	iko_pack_free(p);
	ck_assert_int_eq(iko_pack_load(&p, tmpdir, "131016"), 0);
	ck_assert_ptr_nonnull(strstr(iko_pack_overlay(p), "overlays/131016.yaml"));
	ck_assert_uint_eq(iko_pack_overlay_overrides(p), 2);
	ck_assert_int_eq(iko_code_table_map(p->codes[0], "U", &out), 1);
	ck_assert_str_eq(out, "0");
	ck_assert_int_eq(iko_code_table_map(p->codes[0], "M", &out), 1);
	for (i = 0; i < p->tables[0].ncols; i++)
		if (!strcmp(p->tables[0].cols[i].column, "name")) {
			ck_assert_str_eq(p->tables[0].cols[i].join, "　");
			ck_assert_int_eq(p->tables[0].cols[i].overridden, 1);
		}
	iko_pack_free(p);
	free(ov);
}
END_TEST

START_TEST(test_errors)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "pack: x\nversion: 1\n", "pack.yaml:1: pack.yaml needs pack, version and schema" },
		{ "pack: x\nversion: 1\nschema: jumin\ninputs:\n  - {name: J, file: J.DAT, layout: l.yaml}\n"
		  "tables:\n  resident:\n    from: J\n    columns:\n      sex: {from: SEX, steps: [frobnicate]}\n",
		  "pack.yaml:10: unknown mapping function: frobnicate" },
		{ "pack: x\nversion: 1\nschema: jumin\ninputs:\n  - {name: J, file: J.DAT, layout: l.yaml}\n"
		  "tables:\n  resident:\n    from: J\n    columns:\n      sex: {from: SEX, steps: [{code: nope}]}\n",
		  "pack.yaml:10: unknown code table: nope" },
		{ "pack: x\nversion: 1\nschema: jumin\ninputs:\n  - {name: J, file: J.DAT, layout: l.yaml}\n"
		  "codes:\n  sex: {unmapped: ignore, map: {}}\n",
		  "pack.yaml:7: code table sex: unmapped must be reject, warn or keep, not ignore" },
		{ "pack: x\nversion: 1\nschema: jumin\ninputs:\n  - {name: J, file: J.DAT}\n",
		  "pack.yaml:5: input needs name, file and layout" },
		{ "pack: x\nversion: 1\nschema: jumin\ninputs:\n  - {name: J, file: J.DAT, layout: l.cpy, comp5: native}\n",
		  "pack.yaml:5: input J: comp5 is big or little, not native" },
		{ "pack: x\nversion: 1\nschema: jumin\ninputs:\n  - {name: J, file: J.DAT, layout: l.yaml}\n"
		  "tables:\n  resident:\n    from: J\n    columns:\n      n: {from: N, steps: [{regex: {pattern: \"(\"}}]}\n",
		  "pack.yaml:10: regex (: missing closing parenthesis" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		iko_pack *p = NULL;
		const char *msg;
		write_file(tmpdir, "pack.yaml", cases[i].text);
		ck_assert_int_eq(iko_pack_load(&p, tmpdir, NULL), IKO_EPARSE);
		ck_assert_ptr_null(p);
		msg = strstr(iko_error_message(), "pack.yaml:");
		ck_assert_ptr_nonnull(msg);
		ck_assert_str_eq(msg, cases[i].msg);
	}
	{
		iko_pack *p = NULL;
		ck_assert_int_eq(iko_pack_load(&p, "/nonexistent/pack", NULL), IKO_ENOTFOUND);
		ck_assert_str_eq(iko_error_message(), "no pack.yaml in /nonexistent/pack");
	}
	iko_error_clear();
}
END_TEST

Suite *pack_suite(void)
{
	Suite *s = suite_create("pack");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vendor_a_pack);
	tcase_add_test(tc, test_overlay_overrides);
	tcase_add_test(tc, test_inputs_read_once);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}
