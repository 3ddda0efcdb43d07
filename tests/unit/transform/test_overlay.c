/*
 * test_overlay.c — a municipality overlay through iko_transform_run: what
 * it overrides (code entries, the unmapped policy, column mappings), what
 * it inherits from the pack, how overrides are counted, and the errors for
 * an overlay naming what the pack or the schema does not have.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iko_error.h"
#include "iko_fs.h"
#include "iko_pack.h"
#include "tx_helpers.h"

Suite *overlay_suite(void);

static const char codes[] =
	"  sex: {unmapped: reject, map: {M: \"1\", F: \"2\"}}\n"
	"  zokugara: {unmapped: reject, map: {\"01\": \"02\", \"02\": \"11\"}}\n";

static const char columns[] =
	"      lg_code: {const: $lg_code}\n"
	"      atena_no: {from: ID}\n"
	"      sex: {from: S, steps: [{code: sex}]}\n"
	"      zokugara_code: {from: Z, steps: [{code: zokugara}]}\n"
	"      name: {from: NAME, steps: [trim]}\n"
	"      katagaki: {from: KATA, steps: [trim]}\n";

static const char input[] =
	"ID,S,Z,NAME,KATA,KANA\n"
	"1,M,01, 山田 ,ｺｰﾎﾟ ,ﾔﾏﾀﾞ\n"
	"2,F,02,川田,,ｶﾜﾀﾞ\n"
	"3,U,07,森,,ﾓﾘ\n"
	"4,X,01,林,,ﾊﾔｼ\n";

START_TEST(test_without_overlay)
{
	tx_csv out, rj;

	ck_assert_int_eq(tx_run(codes, columns, input), 0);
	tx_csv_load(&out, "out/resident.csv");
	tx_csv_load(&rj, "out/rejects.csv");
	ck_assert_uint_eq(out.nrows, 2);
	ck_assert_uint_eq(rj.nrows, 2);
	ck_assert_str_eq(tx_cell(&rj, 0, "key"), "3");
	ck_assert_str_eq(tx_cell(&rj, 0, "field"), "sex");
	ck_assert_str_eq(tx_cell(&rj, 0, "detail"), "code \"U\" is not in code table sex (unmapped: reject)");
	ck_assert_str_eq(tx_cell(&rj, 1, "key"), "4");
	ck_assert_str_eq(tx_cell(&rj, 1, "field"), "sex");
	tx_csv_free(&out);
	tx_csv_free(&rj);
}
END_TEST

START_TEST(test_overrides_and_inherits)
{
	tx_csv out, rj;

	tx_write("pack/overlays/435015.yaml",
		 "overlay: \"435015\"\npack: test/steps\nreason: 独自の続柄コード 07 と性別 U\n"
		 "codes:\n"
		 "  sex: {map: {U: \"0\", M: \"9\"}}\n"          /* one added, one replaced */
		 "  zokugara: {unmapped: keep, map: {\"07\": \"99\"}}\n"
		 "tables:\n  resident:\n    columns:\n"
		 "      katagaki: {from: KATA, steps: [trim, zenkaku]}\n" /* replaced */
		 "      name_kana: {from: KANA, steps: [zenkaku]}\n");    /* added: a schema column */
	ck_assert_int_eq(tx_run(codes, columns, input), 0);
	tx_csv_load(&out, "out/resident.csv");
	tx_csv_load(&rj, "out/rejects.csv");
	/* X is still unmapped: sex keeps the pack's reject policy */
	ck_assert_uint_eq(out.nrows, 3);
	ck_assert_uint_eq(rj.nrows, 1);
	ck_assert_str_eq(tx_cell(&rj, 0, "key"), "4");
	ck_assert_str_eq(tx_cell(&rj, 0, "reason"), "unmapped-code");
	ck_assert_str_eq(tx_cell(&rj, 0, "detail"), "code \"X\" is not in code table sex (unmapped: reject)");
	/* overridden */
	ck_assert_str_eq(tx_cell(&out, 0, "sex"), "9");
	ck_assert_str_eq(tx_cell(&out, 2, "sex"), "0");
	ck_assert_str_eq(tx_cell(&out, 2, "zokugara_code"), "99");
	ck_assert_str_eq(tx_cell(&out, 0, "katagaki"), "コーポ");
	ck_assert_str_eq(tx_cell(&out, 0, "name_kana"), "ヤマダ");
	ck_assert_str_eq(tx_cell(&out, 1, "name_kana"), "カワダ");
	/* inherited */
	ck_assert_str_eq(tx_cell(&out, 1, "sex"), "2");
	ck_assert_str_eq(tx_cell(&out, 0, "zokugara_code"), "02");
	ck_assert_str_eq(tx_cell(&out, 1, "zokugara_code"), "11");
	ck_assert_str_eq(tx_cell(&out, 0, "name"), "山田");
	ck_assert_str_eq(tx_cell(&out, 0, "lg_code"), "435015");
	ck_assert_str_eq(tx_cell(&out, 0, "atena_no"), "1");
	tx_csv_free(&out);
	tx_csv_free(&rj);
}
END_TEST

/* What counts as an override, and the overlay of another municipality. */
START_TEST(test_override_count)
{
	char *dir;
	iko_pack *p = NULL;

	tx_write("pack/overlays/435015.yaml",
		 "overlay: \"435015\"\npack: test/steps\n"
		 "codes:\n"
		 "  sex: {map: {U: \"0\", M: \"9\"}}\n"                 /* 2 */
		 "  zokugara: {unmapped: keep, map: {\"07\": \"99\"}}\n" /* 2: policy + entry */
		 "tables:\n  resident:\n    columns:\n"
		 "      katagaki: {from: KATA}\n");                   /* 1 */
	ck_assert_int_eq(tx_run(codes, columns, input), 0);
	dir = iko_path_join(tx_dir, "pack");
	ck_assert_int_eq(iko_pack_load(&p, dir, "435015"), 0);
	ck_assert_uint_eq(iko_pack_overlay_overrides(p), 5);
	ck_assert_ptr_nonnull(strstr(iko_pack_overlay(p), "/pack/overlays/435015.yaml"));
	iko_pack_free(p);
	/* 131016 has no overlay: the pack as is */
	ck_assert_int_eq(iko_pack_load(&p, dir, "131016"), 0);
	ck_assert_uint_eq(iko_pack_overlay_overrides(p), 0);
	ck_assert_ptr_null(iko_pack_overlay(p));
	iko_pack_free(p);
	/* an empty overlay changes nothing */
	tx_write("pack/overlays/131016.yaml", "overlay: \"131016\"\npack: test/steps\n");
	ck_assert_int_eq(iko_pack_load(&p, dir, "131016"), 0);
	ck_assert_uint_eq(iko_pack_overlay_overrides(p), 0);
	ck_assert_ptr_nonnull(iko_pack_overlay(p));
	iko_pack_free(p);
	free(dir);
}
END_TEST

START_TEST(test_overlay_errors)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "overlay: \"435015\"\npack: test/steps\ncodes:\n  seibetsu: {map: {U: \"0\"}}\n",
		  "overlays/435015.yaml:4: code table seibetsu is not in pack test/steps" },
		{ "overlay: \"435015\"\npack: test/steps\ntables:\n  household:\n    columns:\n      setai_no: {from: S}\n",
		  "overlays/435015.yaml:5: table household is not in pack test/steps" },
		{ "overlay: \"435015\"\npack: test/steps\ntables:\n  resident:\n    columns:\n      katagaki2: {from: KATA}\n",
		  "overlays/435015.yaml:6: katagaki2 is not a column of the standard table resident" },
		{ "overlay: \"435015\"\npack: test/steps\ncode:\n  sex: {map: {U: \"0\"}}\n",
		  "overlays/435015.yaml:4: unknown key code (an overlay has overlay, pack, reason, codes, tables)" },
		{ "overlay: \"435015\"\npack: vendor-a/jumin\n",
		  "overlays/435015.yaml:1: overlay is for pack vendor-a/jumin, not test/steps" },
		{ "overlay: \"435015\"\npack: test/steps\ncodes:\n  sex: {unmapped: never}\n",
		  "overlays/435015.yaml:4: code table sex: unmapped must be reject, warn or keep, not never" },
		{ "overlay: \"435015\"\npack: test/steps\ntables:\n  resident:\n    columns:\n      sex: {from: S, steps: [{code: seibetsu}]}\n",
		  "overlays/435015.yaml:6: unknown code table: seibetsu" },
		/* lists where maps belong: refused, not read as null mappings */
		{ "overlay: \"435015\"\npack: test/steps\ncodes:\n  - sex\n", "overlays/435015.yaml:4: codes: expected a mapping" },
		{ "overlay: \"435015\"\npack: test/steps\ntables:\n  - resident\n",
		  "overlays/435015.yaml:4: tables: must map each table's name to its definition" },
		{ "overlay: \"435015\"\npack: test/steps\ntables:\n  resident:\n    columns:\n      - sex\n",
		  "overlays/435015.yaml:6: table resident: columns: must map each column's name to its mapping" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *msg;
		tx_write("pack/overlays/435015.yaml", cases[i].text);
		ck_assert_int_eq(tx_run(codes, columns, input), IKO_EPARSE);
		msg = strstr(iko_error_message(), "overlays/");
		ck_assert_msg(msg != NULL, "%s", iko_error_message());
		ck_assert_str_eq(msg, cases[i].msg);
	}
	iko_error_clear();
}
END_TEST

Suite *overlay_suite(void)
{
	Suite *s = suite_create("overlay");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, tx_setup, tx_teardown);
	tcase_add_test(tc, test_without_overlay);
	tcase_add_test(tc, test_overrides_and_inherits);
	tcase_add_test(tc, test_override_count);
	tcase_add_test(tc, test_overlay_errors);
	suite_add_tcase(s, tc);
	return s;
}
