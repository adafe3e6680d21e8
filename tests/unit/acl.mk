# tests/unit/acl.mk: CMocka tests of the ACL engine (owned by acl).
#
# Each test links the engine's sources with test_acl_env.c, which stands
# in for the rest of the host (expansion, variables, list matching, the
# log), and compiles its configurations with confc's library.  The
# module test loads tests/data/modules/acltest.so (built by
# tests/integration/acl.mk); the dnslists test runs
# tests/integration/acl-dnsd.py.
ACL_UNIT_TESTS = tests/unit/test_acl_verbs tests/unit/test_acl_conds \
	tests/unit/test_acl_mods tests/unit/test_acl_dnslist \
	tests/unit/test_acl_ratelimit tests/unit/test_acl_module
check_PROGRAMS += $(ACL_UNIT_TESTS)
TESTS += $(ACL_UNIT_TESTS)
ACL_TEST_COMMON = tests/unit/test_acl_env.c tests/unit/test_acl_env.h \
	$(TERN_ACL_SOURCES)
ACL_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host \
	-I$(top_srcdir)/confc -DTA_SRCDIR=\"$(abs_top_srcdir)\" \
	-DTA_BUILDDIR=\"$(abs_top_builddir)\"
ACL_TEST_LIBS = libconfc.la libtern.la $(CMOCKA_LIBS) $(TERN_ACL_LIBS) \
	$(LTDL_LIBS)

tests_unit_test_acl_verbs_SOURCES = tests/unit/test_acl_verbs.c \
	$(ACL_TEST_COMMON)
tests_unit_test_acl_verbs_CPPFLAGS = $(ACL_TEST_CPPFLAGS)
tests_unit_test_acl_verbs_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_acl_verbs_LDADD = $(ACL_TEST_LIBS)

tests_unit_test_acl_conds_SOURCES = tests/unit/test_acl_conds.c \
	$(ACL_TEST_COMMON)
tests_unit_test_acl_conds_CPPFLAGS = $(ACL_TEST_CPPFLAGS)
tests_unit_test_acl_conds_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_acl_conds_LDADD = $(ACL_TEST_LIBS)

tests_unit_test_acl_mods_SOURCES = tests/unit/test_acl_mods.c \
	$(ACL_TEST_COMMON)
tests_unit_test_acl_mods_CPPFLAGS = $(ACL_TEST_CPPFLAGS)
tests_unit_test_acl_mods_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_acl_mods_LDADD = $(ACL_TEST_LIBS)

tests_unit_test_acl_dnslist_SOURCES = tests/unit/test_acl_dnslist.c \
	$(ACL_TEST_COMMON)
tests_unit_test_acl_dnslist_CPPFLAGS = $(ACL_TEST_CPPFLAGS)
tests_unit_test_acl_dnslist_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_acl_dnslist_LDADD = $(ACL_TEST_LIBS)

tests_unit_test_acl_ratelimit_SOURCES = tests/unit/test_acl_ratelimit.c \
	$(ACL_TEST_COMMON)
tests_unit_test_acl_ratelimit_CPPFLAGS = $(ACL_TEST_CPPFLAGS)
tests_unit_test_acl_ratelimit_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_acl_ratelimit_LDADD = $(ACL_TEST_LIBS)

tests_unit_test_acl_module_SOURCES = tests/unit/test_acl_module.c \
	$(ACL_TEST_COMMON)
tests_unit_test_acl_module_CPPFLAGS = $(ACL_TEST_CPPFLAGS)
tests_unit_test_acl_module_CFLAGS = $(CMOCKA_TEST_CFLAGS)
tests_unit_test_acl_module_LDADD = $(ACL_TEST_LIBS)
