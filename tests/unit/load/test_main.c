/*
 * test_main.c — runs the Check suite of the load module (DDL generation,
 * identifier and connection-string quoting, COPY text rows). No database needed.
 */
#include "load_tests.h"

#include <stdlib.h>

int main(void)
{
	Suite *s = suite_create("load");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, load_ddl_tcase());
	suite_add_tcase(s, load_ident_tcase());
	suite_add_tcase(s, load_copyrow_tcase());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
