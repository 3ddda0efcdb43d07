/*
 * load_tests.h — test cases of the load module (tests/unit/load/), gathered
 * into one Check suite by test_main.c.
 */
#ifndef LOAD_TESTS_H
#define LOAD_TESTS_H

#include <check.h>

TCase *load_ddl_tcase(void);
TCase *load_ident_tcase(void);
TCase *load_copyrow_tcase(void);

#endif
