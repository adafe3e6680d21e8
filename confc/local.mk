# confc/local.mk: the configuration compiler (libconfc, shared with the
# tern host for -C source) and the confc program.
noinst_LTLIBRARIES += libconfc.la
libconfc_la_SOURCES = \
	confc/compile.h \
	confc/compile.c \
	confc/confc_int.h \
	confc/ccutil.c \
	confc/resolve.c \
	confc/parse_main.c \
	confc/parse_driver.c \
	confc/parse_acl.c \
	confc/parse_retry.c \
	confc/parse_rewrite.c \
	confc/xref.c \
	confc/expand_check.c \
	confc/preproc.h \
	confc/preproc.c \
	confc/preproc_int.h \
	confc/preproc_cond.c \
	confc/preproc_include.c \
	confc/preproc_macro.c \
	confc/preproc_text.c
libconfc_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/confc

# The program is built as confc/confc: a top-level `confc` would clash
# with the confc/ directory that holds the objects (subdir-objects).  It
# is installed as $(bindir)/confc all the same.
bin_PROGRAMS += confc/confc
confc_confc_SOURCES = confc/main.c confc/dump.c
confc_confc_LDADD = libconfc.la libtern.la $(LTDL_LIBS)
# All-in-one build: every module linked in (empty otherwise).
confc_confc_LDFLAGS = $(AM_LDFLAGS) $(TERN_PREOPEN_FLAGS)
EXTRA_confc_confc_DEPENDENCIES = $(TERN_PREOPEN_DEPS)

dist_man_MANS += docs/confc.1
dist_doc_DATA += docs/confc.md
