# unit tests of the expansion language (owned by expand)
EXPAND_UNIT_TESTS = tests/unit/test_expand_cases tests/unit/test_expand_parse \
	tests/unit/test_expand_eval
check_PROGRAMS += $(EXPAND_UNIT_TESTS)
TESTS += $(EXPAND_UNIT_TESTS)
EXPAND_TEST_ENV = tests/unit/test_expand_env.c tests/unit/test_expand_env.h
EXPAND_TEST_CPPFLAGS = $(AM_CPPFLAGS) -DTERN_SRCDIR=\"$(abs_top_srcdir)\"

tests_unit_test_expand_cases_SOURCES = tests/unit/test_expand_cases.c \
	$(EXPAND_TEST_ENV)
tests_unit_test_expand_cases_CPPFLAGS = $(EXPAND_TEST_CPPFLAGS)
tests_unit_test_expand_cases_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_expand_cases_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_expand_parse_SOURCES = tests/unit/test_expand_parse.c \
	$(EXPAND_TEST_ENV)
tests_unit_test_expand_parse_CPPFLAGS = $(EXPAND_TEST_CPPFLAGS)
tests_unit_test_expand_parse_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_expand_parse_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_expand_eval_SOURCES = tests/unit/test_expand_eval.c \
	$(EXPAND_TEST_ENV)
tests_unit_test_expand_eval_CPPFLAGS = $(EXPAND_TEST_CPPFLAGS)
tests_unit_test_expand_eval_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_expand_eval_LDADD = $(CMOCKA_TEST_LIBS)

EXTRA_DIST += tests/data/expand/cases.txt tests/data/expand/aliases.lsearch \
	tests/data/expand/plain.lsearch tests/data/expand/two-lines.data \
	tests/interop/expand-cases.sh tests/fuzz/fuzz_expand.c

# libFuzzer target for the parser: make tests/fuzz/fuzz_expand
# (configure --enable-fuzzing CC=clang).
if FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_expand
tests_fuzz_fuzz_expand_SOURCES = tests/fuzz/fuzz_expand.c \
	tests/unit/test_expand_env.c tests/unit/test_expand_env.h
tests_fuzz_fuzz_expand_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_fuzz_fuzz_expand_CFLAGS = $(AM_CFLAGS) -fsanitize=fuzzer,address
tests_fuzz_fuzz_expand_LDFLAGS = -fsanitize=fuzzer,address
tests_fuzz_fuzz_expand_LDADD = libtern.la
endif
