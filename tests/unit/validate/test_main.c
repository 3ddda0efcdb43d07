/*
 * test_main.c — Check suites for validate/: every column check, key
 * uniqueness, the household and state rules, the character set and the
 * masking of sensitive values, through iko_validate_run.
 */
#include <check.h>
#include <stdlib.h>

Suite *vcolumns_suite(void);
Suite *vrules_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(vcolumns_suite());
	int failed;

	srunner_add_suite(sr, vrules_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
