/*
 * test_ddl.c — the parent-table DDL generated from a hand-built schema
 * (iko_load_ddl): exact text, every column type, keys, flag CHECKs, quoting,
 * and the errors for tables that cannot be partitioned.
 */
#include "load_tests.h"

#include "iko_buf.h"
#include "iko_error.h"
#include "iko_load.h"
#include "iko_schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((char *)(x))

static iko_column household_cols[] = {
	{ .name = S("lg_code"), .type = IKO_COL_CODE, .length = 6, .required = 1 },
	{ .name = S("setai_no"), .type = IKO_COL_CODE, .length = 15 },
	{ .name = S("note"), .type = IKO_COL_TEXT, .length = 0 },
	{ .name = S("title"), .type = IKO_COL_TEXT, .length = 40, .required = 1 },
	{ .name = S("born"), .type = IKO_COL_DATE },
	{ .name = S("members"), .type = IKO_COL_INTEGER, .required = 1 },
	{ .name = S("amount"), .type = IKO_COL_DECIMAL, .precision = 12, .scale = 2 },
	{ .name = S("active"), .type = IKO_COL_FLAG, .required = 1 },
	{ .name = S("dv"), .type = IKO_COL_FLAG },
};
static int household_key[] = { 0, 1 };

static iko_column log_cols[] = {
	{ .name = S("lg_code"), .type = IKO_COL_CODE, .length = 6 },
	{ .name = S("we\"ird"), .type = IKO_COL_CODE, .length = 0 },
};

static iko_table tables[] = {
	{ .name = S("household"), .ncols = 9, .cols = household_cols, .nkey = 2,
	  .key = household_key },
	{ .name = S("log"), .ncols = 2, .cols = log_cols },
};

static iko_schema mini = { .name = S("mini"), .ntables = 2, .tables = tables };

static const char mini_ddl[] =
	"CREATE SCHEMA IF NOT EXISTS \"mini\";\n"
	"\n"
	"CREATE TABLE IF NOT EXISTS \"mini\".\"household\" (\n"
	"\t\"lg_code\" varchar(6) NOT NULL,\n"
	"\t\"setai_no\" varchar(15) NOT NULL,\n"
	"\t\"note\" text,\n"
	"\t\"title\" varchar(40) NOT NULL,\n"
	"\t\"born\" date,\n"
	"\t\"members\" bigint NOT NULL,\n"
	"\t\"amount\" numeric(12,2),\n"
	"\t\"active\" smallint NOT NULL CONSTRAINT \"active_check\" CHECK (\"active\" IN (0, 1)),\n"
	"\t\"dv\" smallint CONSTRAINT \"dv_check\" CHECK (\"dv\" IN (0, 1))\n"
	"\t-- PRIMARY KEY (\"lg_code\", \"setai_no\") on every partition\n"
	") PARTITION BY LIST (\"lg_code\");\n"
	"\n"
	"CREATE TABLE IF NOT EXISTS \"mini\".\"log\" (\n"
	"\t\"lg_code\" varchar(6),\n"
	"\t\"we\"\"ird\" text\n"
	") PARTITION BY LIST (\"lg_code\");\n";

START_TEST(ddl_exact_text)
{
	iko_buf b = IKO_BUF_INIT;

	ck_assert_int_eq(iko_load_ddl(&b, &mini), 0);
	ck_assert_str_eq(iko_buf_cstr(&b), mini_ddl);
	iko_buf_release(&b);
}
END_TEST

START_TEST(ddl_appends)
{
	iko_buf b = IKO_BUF_INIT;

	ck_assert_int_eq(iko_buf_puts(&b, "-- head\n"), 0);
	ck_assert_int_eq(iko_load_ddl(&b, &mini), 0);
	ck_assert_int_eq(strncmp(iko_buf_cstr(&b), "-- head\nCREATE SCHEMA", 21), 0);
	iko_buf_release(&b);
}
END_TEST

START_TEST(ddl_needs_lg_code)
{
	iko_column cols[] = { { .name = S("x"), .type = IKO_COL_INTEGER } };
	iko_table t = { .name = S("nolg"), .ncols = 1, .cols = cols };
	iko_schema s = { .name = S("bad"), .ntables = 1, .tables = &t };
	iko_buf b = IKO_BUF_INIT;

	ck_assert_int_eq(iko_load_ddl(&b, &s), IKO_EINVAL);
	ck_assert_str_eq(iko_error_message(), "table nolg has no lg_code column");
	iko_buf_release(&b);
}
END_TEST

START_TEST(ddl_rejects_long_names)
{
	iko_column cols[] = { { .name = S("lg_code"), .type = IKO_COL_CODE, .length = 6 } };
	iko_table t = { .name = S("t"), .ncols = 1, .cols = cols };
	iko_schema s = { .ntables = 1, .tables = &t };
	iko_buf b = IKO_BUF_INIT;

	s.name = S("a_schema_name_that_is_far_too_long_for_postgresql_identifiers_xx");
	ck_assert_int_eq(iko_load_ddl(&b, &s), IKO_EINVAL);
	iko_buf_release(&b);
}
END_TEST

START_TEST(ddl_real_schema)
{
	iko_schema *s = NULL;
	iko_buf b = IKO_BUF_INIT;
	const char *src = getenv("IKO_SOURCE_DIR");
	char path[4096];

	ck_assert_ptr_nonnull(src);
	snprintf(path, sizeof(path), "%s/schema/jumin.yaml", src);
	ck_assert_msg(iko_schema_load(&s, path) == 0, "%s", iko_error_message());
	ck_assert_int_eq(iko_load_ddl(&b, s), 0);
	ck_assert_ptr_nonnull(strstr(iko_buf_cstr(&b),
		"CREATE TABLE IF NOT EXISTS \"jumin\".\"resident\" (\n\t\"lg_code\" varchar(6) NOT NULL,\n"));
	ck_assert_ptr_nonnull(strstr(iko_buf_cstr(&b),
		"\t-- PRIMARY KEY (\"lg_code\", \"atena_no\") on every partition\n) PARTITION BY LIST (\"lg_code\");\n"));
	ck_assert_ptr_nonnull(strstr(iko_buf_cstr(&b), "\t\"member_count\" bigint NOT NULL,\n"));
	iko_buf_release(&b);
	iko_schema_free(s);
}
END_TEST

TCase *load_ddl_tcase(void)
{
	TCase *tc = tcase_create("ddl");

	tcase_add_test(tc, ddl_exact_text);
	tcase_add_test(tc, ddl_appends);
	tcase_add_test(tc, ddl_needs_lg_code);
	tcase_add_test(tc, ddl_rejects_long_names);
	tcase_add_test(tc, ddl_real_schema);
	return tc;
}
