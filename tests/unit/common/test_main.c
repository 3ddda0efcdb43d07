/*
 * test_main.c — Check suites for common/: CSV, 和暦 dates, check digits,
 * buffers, JSON and YAML, the key map, following a file being written,
 * the ordered batch pipeline, the record hash, byte ranges a word at a
 * time.
 */
#include <check.h>
#include <stdlib.h>

Suite *csv_suite(void);
Suite *era_suite(void);
Suite *checkdigit_suite(void);
Suite *buf_json_yaml_suite(void);
Suite *strmap_suite(void);
Suite *follow_suite(void);
Suite *batches_suite(void);
Suite *recidx_suite(void);
Suite *words_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(csv_suite());
	int failed;

	srunner_add_suite(sr, era_suite());
	srunner_add_suite(sr, checkdigit_suite());
	srunner_add_suite(sr, buf_json_yaml_suite());
	srunner_add_suite(sr, strmap_suite());
	srunner_add_suite(sr, follow_suite());
	srunner_add_suite(sr, batches_suite());
	srunner_add_suite(sr, recidx_suite());
	srunner_add_suite(sr, words_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
