# unit tests of list matching (owned by match)
MATCH_UNIT_TESTS = tests/unit/test_match_domain tests/unit/test_match_host \
	tests/unit/test_match_address tests/unit/test_match_cache
check_PROGRAMS += $(MATCH_UNIT_TESTS) tests/unit/match_probe
TESTS += $(MATCH_UNIT_TESTS)
MATCH_TEST_ENV = tests/unit/test_match_env.c tests/unit/test_match_env.h

tests_unit_test_match_domain_SOURCES = tests/unit/test_match_domain.c \
	$(MATCH_TEST_ENV)
tests_unit_test_match_domain_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_match_domain_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_match_host_SOURCES = tests/unit/test_match_host.c \
	$(MATCH_TEST_ENV)
tests_unit_test_match_host_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_match_host_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_match_address_SOURCES = tests/unit/test_match_address.c \
	$(MATCH_TEST_ENV)
tests_unit_test_match_address_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_match_address_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_match_cache_SOURCES = tests/unit/test_match_cache.c \
	$(MATCH_TEST_ENV)
tests_unit_test_match_cache_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_match_cache_LDADD = $(CMOCKA_TEST_LIBS)

# Reads "kind TAB subject TAB list" lines, prints yes/no/defer/error;
# used by tests/integration/match-vs-exim.test.
tests_unit_match_probe_SOURCES = tests/unit/match_probe.c
tests_unit_match_probe_LDADD = libtern.la
