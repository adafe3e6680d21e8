# tests/unit/smtp.mk: CMocka tests of the SMTP server engine (owned by smtp).
# The engine is linked with fakes of the ACL engine, receive.h, tls.h and
# the expansion host (smtp_fakes.c), and with the real plaintext and
# cram_md5 modules; a socketpair plays the client.
SMTP_UNIT_TESTS = tests/unit/test_smtp_proto tests/unit/test_smtp_data \
	tests/unit/test_smtp_auth
check_PROGRAMS += $(SMTP_UNIT_TESTS)
TESTS += $(SMTP_UNIT_TESTS)

SMTP_UNIT_SOURCES = tests/unit/smtp_fakes.c tests/unit/smtp_fakes.h \
	host/smtp_session.c host/smtp_step.c host/smtp_io.c host/smtp_cmd.c \
	host/smtp_helo.c host/smtp_tls.c host/smtp_mail.c host/smtp_rcpt.c \
	host/smtp_addr.c host/smtp_data.c host/smtp_end.c host/smtp_auth.c \
	host/smtp_reply.c host/smtp_log.c host/smtp_util.c \
	modules/plaintext/plaintext.c modules/cram_md5/cram_md5.c
SMTP_UNIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
SMTP_UNIT_LIBS = $(CMOCKA_TEST_LIBS) $(OPENSSL_LIBS)

tests_unit_test_smtp_proto_SOURCES = tests/unit/test_smtp_proto.c \
	$(SMTP_UNIT_SOURCES)
tests_unit_test_smtp_proto_CPPFLAGS = $(SMTP_UNIT_CPPFLAGS)
tests_unit_test_smtp_proto_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_smtp_proto_LDADD = $(SMTP_UNIT_LIBS)

tests_unit_test_smtp_data_SOURCES = tests/unit/test_smtp_data.c \
	$(SMTP_UNIT_SOURCES)
tests_unit_test_smtp_data_CPPFLAGS = $(SMTP_UNIT_CPPFLAGS)
tests_unit_test_smtp_data_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_smtp_data_LDADD = $(SMTP_UNIT_LIBS)

tests_unit_test_smtp_auth_SOURCES = tests/unit/test_smtp_auth.c \
	$(SMTP_UNIT_SOURCES)
tests_unit_test_smtp_auth_CPPFLAGS = $(SMTP_UNIT_CPPFLAGS)
tests_unit_test_smtp_auth_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_smtp_auth_LDADD = $(SMTP_UNIT_LIBS)
