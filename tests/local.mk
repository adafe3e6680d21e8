# Tests: CMocka unit tests (tests/unit/*.mk, one fragment per area so each
# area owns its list) and integration tests (tests/integration/*.test,
# shell scripts that drive the real binaries).

TEST_EXTENSIONS = .test
TEST_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	TERN_SRCDIR='$(abs_top_srcdir)'; export TERN_SRCDIR; \
	TERN_BUILDDIR='$(abs_top_builddir)'; export TERN_BUILDDIR; \
	TERN_SCHEMA_PATH='$(abs_top_srcdir)/schemas'; export TERN_SCHEMA_PATH; \
	TERN_MODULE_PATH='$(abs_top_builddir)/modules/.libs'; export TERN_MODULE_PATH; \
	ASAN_OPTIONS='detect_leaks=1:abort_on_error=0'; export ASAN_OPTIONS; \
	UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1'; export UBSAN_OPTIONS;

CMOCKA_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
CMOCKA_TEST_LIBS = libtern.la $(CMOCKA_LIBS)

EXTRA_DIST += tests/integration/lib.sh tests/interop/fetch-peers.sh

if HAVE_CMOCKA
include tests/unit/lib.mk
include tests/unit/plan.mk
include tests/unit/confc.mk
include tests/unit/host.mk
include tests/unit/expand.mk
include tests/unit/spool.mk
include tests/unit/log.mk
include tests/unit/match.mk
include tests/unit/lookup.mk
include tests/unit/tls.mk
include tests/unit/receive.mk
include tests/unit/smtp.mk
include tests/unit/acl.mk
include tests/unit/hints.mk
include tests/unit/daemon.mk
endif
include tests/integration/integration.mk
