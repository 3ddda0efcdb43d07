/*
 * test_main.c — Check suite for transform/: code tables, width
 * normalisation, pack loading and overlays, every mapping step run
 * through the transform stage.
 */
#include <check.h>
#include <stdlib.h>

Suite *codetable_suite(void);
Suite *width_suite(void);
Suite *pack_suite(void);
Suite *steps_suite(void);
Suite *mapsteps_suite(void);
Suite *erastep_suite(void);
Suite *overlay_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(codetable_suite());
	int failed;

	srunner_add_suite(sr, width_suite());
	srunner_add_suite(sr, pack_suite());
	srunner_add_suite(sr, steps_suite());
	srunner_add_suite(sr, mapsteps_suite());
	srunner_add_suite(sr, erastep_suite());
	srunner_add_suite(sr, overlay_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
