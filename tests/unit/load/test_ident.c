/*
 * test_ident.c — quoting of SQL identifiers (iko_load_quote_ident) and of
 * libpq connection-string values (iko_db_conninfo_value).
 */
#include "load_tests.h"

#include "iko_buf.h"
#include "iko_db.h"
#include "iko_error.h"
#include "iko_load.h"

#include <string.h>

static const struct {
	const char *in;
	const char *want; /* NULL: must fail with IKO_EINVAL */
} ident_cases[] = {
	{ "resident", "\"resident\"" },
	{ "Resident", "\"Resident\"" },
	{ "a\"b", "\"a\"\"b\"" },
	{ "\"", "\"\"\"\"" },
	{ "drop table x; --", "\"drop table x; --\"" },
	{ "住民", "\"住民\"" },
	{ "", NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 63 */
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL }, /* 64 */
};

START_TEST(quote_ident)
{
	iko_buf b = IKO_BUF_INIT;
	int rc = iko_load_quote_ident(&b, ident_cases[_i].in);

	if (ident_cases[_i].want) {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(iko_buf_cstr(&b), ident_cases[_i].want);
	} else {
		ck_assert_int_eq(rc, IKO_EINVAL);
		ck_assert_ptr_nonnull(strstr(iko_error_message(), "not a valid SQL identifier"));
	}
	iko_buf_release(&b);
}
END_TEST

static const struct {
	const char *in;
	const char *want;
} conninfo_cases[] = {
	{ "/var/tmp/iko-pg-0123456789ab/socket", "/var/tmp/iko-pg-0123456789ab/socket" },
	{ "/work dir/pg/socket", "'/work dir/pg/socket'" },
	{ "/it's/socket", "'/it\\'s/socket'" },
	{ "/back\\slash", "'/back\\\\slash'" },
	{ "", "''" },
};

START_TEST(conninfo_value)
{
	iko_buf b = IKO_BUF_INIT;

	ck_assert_int_eq(iko_db_conninfo_value(&b, conninfo_cases[_i].in), 0);
	ck_assert_str_eq(iko_buf_cstr(&b), conninfo_cases[_i].want);
	iko_buf_release(&b);
}
END_TEST

TCase *load_ident_tcase(void)
{
	TCase *tc = tcase_create("ident");

	tcase_add_loop_test(tc, quote_ident, 0, sizeof(ident_cases) / sizeof(ident_cases[0]));
	tcase_add_loop_test(tc, conninfo_value, 0,
			    sizeof(conninfo_cases) / sizeof(conninfo_cases[0]));
	return tc;
}
