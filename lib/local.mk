# lib/local.mk: libtern, shared by the host, confc, modules and tools.
# Each area of the library lists its sources in its own fragment.
noinst_LTLIBRARIES += libtern.la
libtern_la_SOURCES = \
	lib/arena.c lib/arena.h \
	lib/diag.c lib/diag.h \
	lib/list.c lib/list.h \
	lib/optval.c lib/optval.h \
	lib/schema.c lib/schema_set.c lib/schema.h \
	lib/optfill.c lib/optfill.h \
	lib/cfgmodel.h
libtern_la_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(PCRE2_CFLAGS)
libtern_la_LIBADD = $(OPENSSL_LIBS) $(PCRE2_LIBS) $(LTDL_LIBS) $(BDB_LIBS)

include lib/plan.mk
include lib/modload.mk
include lib/expand.mk
include lib/spool.mk
include lib/log.mk
include lib/match.mk
include lib/lookup.mk
include lib/hints.mk

# The build-time generator of each module's option tables (schemas/local.mk).
noinst_PROGRAMS += tern-schemagen
tern_schemagen_SOURCES = lib/schemagen.c
tern_schemagen_LDADD = libtern.la

EXTRA_DIST += include/tern/module.h include/tern/option.h include/tern/host.h \
	include/tern/auth.h
