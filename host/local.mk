# host/local.mk: the tern program (owned by host).
sbin_PROGRAMS += tern
tern_SOURCES = \
	host/main.c \
	host/host.h \
	host/hostconf.c \
	host/optview.c \
	host/bp.c \
	host/bp_driver.c \
	host/bv.c \
	host/ctx.h
# Each part of the host lists its own sources.
include host/daemon.mk
include host/smtp.mk
include host/acl.mk
include host/receive.mk
include host/tls.mk
include host/runtime.mk
# -C source compiles in-process with confc's library.
tern_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/confc
tern_LDADD = libconfc.la libtern.la $(LTDL_LIBS) $(OPENSSL_LIBS) \
	$(TERN_ACL_LIBS) -lresolv
# All-in-one build: every module linked in (empty otherwise).
tern_LDFLAGS = $(AM_LDFLAGS) $(TERN_PREOPEN_FLAGS)
EXTRA_tern_DEPENDENCIES = $(TERN_PREOPEN_DEPS)

dist_man_MANS += docs/tern.8
dist_doc_DATA += docs/modules.md
