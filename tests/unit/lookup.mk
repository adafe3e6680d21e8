# tests/unit/lookup.mk: CMocka tests of the lookup modules and the host's
# lookup dispatcher, and lookup_probe, the Tern side of
# tests/integration/lookup-vs-exim.test (owned by lookup).
LOOKUP_UNIT_TESTS = tests/unit/test_lookup tests/unit/test_lookup_dispatch
check_PROGRAMS += $(LOOKUP_UNIT_TESTS) tests/unit/lookup_probe
TESTS += $(LOOKUP_UNIT_TESTS)
LOOKUP_TEST_HOST = tests/unit/lookup_host.c tests/unit/lookup_host.h

tests_unit_test_lookup_SOURCES = tests/unit/test_lookup.c $(LOOKUP_TEST_HOST)
tests_unit_test_lookup_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_lookup_LDADD = $(CMOCKA_TEST_LIBS) $(LTDL_LIBS)

tests_unit_test_lookup_dispatch_SOURCES = tests/unit/test_lookup_dispatch.c \
	$(LOOKUP_TEST_HOST)
tests_unit_test_lookup_dispatch_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_lookup_dispatch_LDADD = $(CMOCKA_TEST_LIBS) $(LTDL_LIBS)

tests_unit_lookup_probe_SOURCES = tests/unit/lookup_probe.c \
	$(LOOKUP_TEST_HOST)
tests_unit_lookup_probe_CFLAGS = $(AM_CFLAGS)
tests_unit_lookup_probe_LDADD = libtern.la $(LTDL_LIBS)
