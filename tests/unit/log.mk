check_PROGRAMS += tests/unit/test_log
TESTS += tests/unit/test_log
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_log_LDADD = $(CMOCKA_TEST_LIBS)
