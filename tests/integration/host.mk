# tests/integration/host.mk: integration tests of tern and the module
# loader, and the deliberately broken modules they load (owned by host).
TESTS += \
	tests/integration/host-cmdline.test \
	tests/integration/host-bv.test \
	tests/integration/host-bp.test \
	tests/integration/host-loader.test \
	tests/integration/host-plan.test \
	tests/integration/host-be.test
EXTRA_DIST += \
	tests/integration/host-cmdline.test \
	tests/integration/host-bv.test \
	tests/integration/host-bp.test \
	tests/integration/host-loader.test \
	tests/integration/host-plan.test \
	tests/integration/host-be.test \
	tests/data/modules/hashfix.schema

# Fixtures for host-loader.test: real shared objects (whatever the build
# mode) that are wrong in one way each.  -rpath makes libtool build a
# loadable module rather than a convenience archive; they are never
# installed.
TERN_FIXTURE_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	$(AM_LDFLAGS)
check_LTLIBRARIES = \
	tests/data/modules/badabi.la \
	tests/data/modules/nosym.la \
	tests/data/modules/misnamed.la \
	tests/data/modules/hashfix.la
tests_data_modules_badabi_la_SOURCES = tests/data/modules/badabi.c
tests_data_modules_badabi_la_LDFLAGS = $(TERN_FIXTURE_LDFLAGS)
tests_data_modules_nosym_la_SOURCES = tests/data/modules/nosym.c
tests_data_modules_nosym_la_LDFLAGS = $(TERN_FIXTURE_LDFLAGS)
tests_data_modules_misnamed_la_SOURCES = tests/data/modules/misnamed.c
tests_data_modules_misnamed_la_LDFLAGS = $(TERN_FIXTURE_LDFLAGS)
tests_data_modules_hashfix_la_SOURCES = tests/data/modules/hashfix.c
tests_data_modules_hashfix_la_LDFLAGS = $(TERN_FIXTURE_LDFLAGS)
