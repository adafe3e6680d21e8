# tests/unit/receive.mk: CMocka tests of the receive path (owned by receive).
# The host files are compiled into each test; the host functions they
# call (host_expand, host_log, host_exp_env) are stubbed by the tests.
RECEIVE_UNIT_TESTS = tests/unit/test_receive_hdr tests/unit/test_receive_msg
check_PROGRAMS += $(RECEIVE_UNIT_TESTS)
TESTS += $(RECEIVE_UNIT_TESTS)

tests_unit_test_receive_hdr_SOURCES = tests/unit/test_receive_hdr.c \
	host/receive_hdr.c host/receive_addr.c host/receive_fmt.c host/logsel.c
tests_unit_test_receive_hdr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
tests_unit_test_receive_hdr_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_receive_hdr_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_receive_msg_SOURCES = tests/unit/test_receive_msg.c \
	host/receive.c host/receive_fix.c host/receive_add.c host/receive_hdr.c \
	host/receive_addr.c host/receive_fmt.c host/receive_commit.c \
	host/receive_log.c host/receive_caller.c host/logsel.c
tests_unit_test_receive_msg_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
tests_unit_test_receive_msg_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_receive_msg_LDADD = $(CMOCKA_TEST_LIBS)
