# tests/unit/daemon.mk: unit tests of the daemon's listeners and shared
# connection counts (owned by daemon).
DAEMON_UNIT_TESTS = tests/unit/test_daemon_listen tests/unit/test_daemon_shm
check_PROGRAMS += $(DAEMON_UNIT_TESTS)
TESTS += $(DAEMON_UNIT_TESTS)

tests_unit_test_daemon_listen_SOURCES = tests/unit/test_daemon_listen.c \
	host/listen.c
tests_unit_test_daemon_listen_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
tests_unit_test_daemon_listen_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_daemon_listen_LDADD = $(CMOCKA_TEST_LIBS)

tests_unit_test_daemon_shm_SOURCES = tests/unit/test_daemon_shm.c \
	host/daemon_shm.c
tests_unit_test_daemon_shm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
tests_unit_test_daemon_shm_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_daemon_shm_LDADD = $(CMOCKA_TEST_LIBS)
