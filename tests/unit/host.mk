# tests/unit/host.mk: CMocka tests of the module loader (owned by host).
check_PROGRAMS += tests/unit/test_modload
TESTS += tests/unit/test_modload
tests_unit_test_modload_SOURCES = tests/unit/test_modload.c
tests_unit_test_modload_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_modload_LDADD = $(CMOCKA_TEST_LIBS) $(LTDL_LIBS)
