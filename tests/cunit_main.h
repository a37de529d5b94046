/* Shared main() for the CUnit test binaries: include once, after defining
   the suite with TA_SUITE(name) and an array `tests` of CU_TestInfo.
   Exit status follows automake: 0 pass, 1 failures, 99 framework error
   (never the failure count, which would wrap at 256). */
#ifndef TA_CUNIT_MAIN_H
#define TA_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <stdlib.h>

static int
cunit_run(const char *suite_name, CU_TestInfo *tests)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	CU_SuiteInfo suites[] = {
		{ (char *)suite_name, NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 99;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 99;
	}
	unsigned int failed = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
