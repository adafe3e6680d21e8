# unit tests of server-side TLS (owned by tls): a real OpenSSL client
# against host/tls_*.c over a socketpair; certificates made by the test.
TLS_UNIT_TESTS = tests/unit/test_tls_server tests/unit/test_tls_verify \
	tests/unit/test_tls_auth
check_PROGRAMS += $(TLS_UNIT_TESTS)
TESTS += $(TLS_UNIT_TESTS)
TLS_TEST_SOURCES = tests/unit/tls_fixture.c tests/unit/tls_fixture.h \
	host/tls_server.c host/tls_conn.c host/tls_info.c host/tls_keys.c \
	host/tls.h host/tls_int.h
TLS_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host \
	-I$(top_srcdir)/tests/unit

tests_unit_test_tls_server_SOURCES = tests/unit/test_tls_server.c \
	$(TLS_TEST_SOURCES)
tests_unit_test_tls_server_CPPFLAGS = $(TLS_TEST_CPPFLAGS)
tests_unit_test_tls_server_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_tls_server_LDADD = $(CMOCKA_TEST_LIBS) $(OPENSSL_LIBS)

tests_unit_test_tls_verify_SOURCES = tests/unit/test_tls_verify.c \
	$(TLS_TEST_SOURCES)
tests_unit_test_tls_verify_CPPFLAGS = $(TLS_TEST_CPPFLAGS)
tests_unit_test_tls_verify_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_tls_verify_LDADD = $(CMOCKA_TEST_LIBS) $(OPENSSL_LIBS)

# The tls authenticator module, linked in and driven as the SMTP engine
# drives it after a handshake.
tests_unit_test_tls_auth_SOURCES = tests/unit/test_tls_auth.c \
	modules/tls/tls.c
tests_unit_test_tls_auth_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_tls_auth_LDADD = $(CMOCKA_LIBS)
