# unit tests of the spool format (owned by spool)
SPOOL_UNIT_TESTS = tests/unit/test_spool_msgid tests/unit/test_spool_roundtrip \
	tests/unit/test_spool_malformed tests/unit/test_spool_dir
check_PROGRAMS += $(SPOOL_UNIT_TESTS) tests/unit/spool_writer
TESTS += $(SPOOL_UNIT_TESTS)

tests_unit_test_spool_msgid_SOURCES = tests/unit/test_spool_msgid.c
tests_unit_test_spool_msgid_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_spool_msgid_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_spool_roundtrip_SOURCES = tests/unit/test_spool_roundtrip.c
tests_unit_test_spool_roundtrip_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTERN_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_spool_roundtrip_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_spool_roundtrip_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_spool_malformed_SOURCES = tests/unit/test_spool_malformed.c
tests_unit_test_spool_malformed_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTERN_SRCDIR=\"$(abs_top_srcdir)\"
tests_unit_test_spool_malformed_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_spool_malformed_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_spool_dir_SOURCES = tests/unit/test_spool_dir.c
tests_unit_test_spool_dir_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_spool_dir_LDADD = $(CMOCKA_TEST_LIBS)

# Driven by tests/integration/spool-vs-exim.test.
tests_unit_spool_writer_SOURCES = tests/unit/spool_writer.c
tests_unit_spool_writer_LDADD = libtern.la

EXTRA_DIST += tests/data/spool/README \
	tests/data/spool/exim-4.96/1xVorK-0003vR-1J-D \
	tests/data/spool/exim-4.96/1xVorK-0003vR-1J-H \
	tests/data/spool/exim-4.96/1xVorO-0003wg-2p-D \
	tests/data/spool/exim-4.96/1xVorO-0003wg-2p-H \
	tests/data/spool/exim-4.96/1xVort-000420-My-D \
	tests/data/spool/exim-4.96/1xVort-000420-My-H \
	tests/data/spool/exim-4.96/1xVp5V-0001ne-16-D \
	tests/data/spool/exim-4.96/1xVp5V-0001ne-16-H
