# tests/integration/acl.mk: the ACL engine end to end (owned by acl).
#
#   acl-bs.test   sessions on tern -bs: replies, logs, the spool, the
#                 ratelimit hints file, dnslists, a module's condition
#   acl-bh.test   tern -bh: fake client address, trace, nothing kept
#
# acl-dnsd.py is the tests' authoritative DNS server (Python's standard
# library only); tests point Tern at it with TERN_DNS_SERVER.
TESTS += \
	tests/integration/acl-bs.test \
	tests/integration/acl-bh.test
EXTRA_DIST += \
	tests/integration/acl-bs.test \
	tests/integration/acl-bh.test \
	tests/integration/acl-dnsd.py \
	tests/data/modules/acltest.schema

# A module providing an ACL condition, a modifier and a control, for
# tests/unit/test_acl_module.c and acl-bs.test; built like the loader's
# fixtures (tests/integration/host.mk), its schema hash generated from
# its schema as every module's is.
check_LTLIBRARIES += tests/data/modules/acltest.la
tests_data_modules_acltest_la_SOURCES = tests/data/modules/acltest.c
tests_data_modules_acltest_la_LDFLAGS = $(TERN_FIXTURE_LDFLAGS)
tests/data/modules/acltest.lo: gen/acltest_schema.h
gen/acltest_schema.h: $(srcdir)/tests/data/modules/acltest.schema \
		tern-schemagen$(EXEEXT)
	@$(MKDIR_P) gen
	$(AM_V_GEN)./tern-schemagen$(EXEEXT) -o $@ \
		$(srcdir)/tests/data/modules/acltest.schema
CLEANFILES += gen/acltest_schema.h
