# unit tests of confc (owned by confc): the preprocessor
check_PROGRAMS += tests/unit/test_preproc
TESTS += tests/unit/test_preproc
tests_unit_test_preproc_SOURCES = tests/unit/test_preproc.c
tests_unit_test_preproc_CFLAGS = $(CMOCKA_TEST_CFLAGS) -I$(top_srcdir)/confc
tests_unit_test_preproc_LDADD = libconfc.la $(CMOCKA_TEST_LIBS)
