# tests/unit/lib.mk: CMocka tests of libtern's basics (owned by lib).
LIB_UNIT_TESTS = tests/unit/test_optval tests/unit/test_list \
	tests/unit/test_diag tests/unit/test_schema
check_PROGRAMS += $(LIB_UNIT_TESTS)
TESTS += $(LIB_UNIT_TESTS)
tests_unit_test_optval_SOURCES = tests/unit/test_optval.c
tests_unit_test_optval_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_optval_LDADD = $(CMOCKA_TEST_LIBS)
tests_unit_test_list_SOURCES = tests/unit/test_list.c
tests_unit_test_list_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_list_LDADD = $(CMOCKA_TEST_LIBS)
tests_unit_test_diag_SOURCES = tests/unit/test_diag.c
tests_unit_test_diag_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_diag_LDADD = $(CMOCKA_TEST_LIBS)
tests_unit_test_schema_SOURCES = tests/unit/test_schema.c
tests_unit_test_schema_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTERN_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_schema_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_schema_LDADD = $(CMOCKA_TEST_LIBS)
