# unit tests of the plan writer and reader (owned by plan)
check_PROGRAMS += tests/unit/test_plan tests/unit/test_plan_corrupt
TESTS += tests/unit/test_plan tests/unit/test_plan_corrupt
tests_unit_test_plan_SOURCES = tests/unit/test_plan.c \
	tests/unit/plan_fixture.c tests/unit/plan_fixture.h
tests_unit_test_plan_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_plan_LDADD = $(CMOCKA_TEST_LIBS)
tests_unit_test_plan_corrupt_SOURCES = tests/unit/test_plan_corrupt.c \
	tests/unit/plan_fixture.c tests/unit/plan_fixture.h
tests_unit_test_plan_corrupt_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_plan_corrupt_LDADD = $(CMOCKA_TEST_LIBS)
check_PROGRAMS += tests/unit/test_plan_file
TESTS += tests/unit/test_plan_file
tests_unit_test_plan_file_SOURCES = tests/unit/test_plan_file.c \
	tests/unit/plan_fixture.c tests/unit/plan_fixture.h
tests_unit_test_plan_file_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_plan_file_LDADD = $(CMOCKA_TEST_LIBS)
