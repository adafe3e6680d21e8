# tests/unit/hints.mk: CMocka tests of the hints databases (owned by hints)
HINTS_UNIT_TESTS = tests/unit/test_hints tests/unit/test_hints_records
check_PROGRAMS += $(HINTS_UNIT_TESTS) tests/unit/hints_writer
TESTS += $(HINTS_UNIT_TESTS)

tests_unit_test_hints_SOURCES = tests/unit/test_hints.c
tests_unit_test_hints_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_hints_LDADD = $(CMOCKA_TEST_LIBS) $(BDB_LIBS)

tests_unit_test_hints_records_SOURCES = tests/unit/test_hints_records.c
tests_unit_test_hints_records_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_hints_records_LDADD = $(CMOCKA_TEST_LIBS) $(BDB_LIBS)

# Driven by tests/integration/spool-tools.test.
tests_unit_hints_writer_SOURCES = tests/unit/hints_writer.c
tests_unit_hints_writer_LDADD = libtern.la $(BDB_LIBS)
