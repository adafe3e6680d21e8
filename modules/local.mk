# modules/local.mk: one libtool module per schema (owned by host).
#
# Every module is modules/NAME.la built from modules/NAME/NAME.c, which
# includes gen/NAME_schema.h (generated from schemas/NAME.schema by
# schemas/local.mk).  Normally each is a shared object (-shared) that
# lands in modules/.libs/, the directory TERN_MODULE_PATH points at in
# tests, and is installed into $(moduledir).
#
# With --enable-static-modules they are static archives instead (-static;
# -rpath because libtool only preopens real libraries, not convenience
# ones), not installed, and linked into each program that lists
#     prog_LDFLAGS += $(TERN_PREOPEN_FLAGS)
#     EXTRA_prog_DEPENDENCIES += $(TERN_PREOPEN_DEPS)
# and calls TERN_MODLOAD_PREOPEN() (lib/modload.h) first in main().

TERN_MODULE_LAS = \
	modules/accept.la \
	modules/dnslookup.la \
	modules/ipliteral.la \
	modules/manualroute.la \
	modules/redirect.la \
	modules/queryprogram.la \
	modules/appendfile.la \
	modules/autoreply.la \
	modules/lmtp.la \
	modules/pipe.la \
	modules/smtp.la \
	modules/queuefile.la \
	modules/plaintext.la \
	modules/cram_md5.la \
	modules/dovecot.la \
	modules/tls.la \
	modules/lsearch.la \
	modules/dsearch.la \
	modules/dbm.la \
	modules/lmdb.la \
	modules/bmi.la \
	modules/srs.la \
	modules/dcc.la \
	modules/arc.la \
	modules/dsn_info.la

if STATIC_MODULES
noinst_LTLIBRARIES += $(TERN_MODULE_LAS)
TERN_MODULE_LDFLAGS = -module -avoid-version -static -rpath $(moduledir) $(AM_LDFLAGS)
TERN_PREOPEN_FLAGS = $(TERN_MODULE_LAS:%=-dlpreopen %)
TERN_PREOPEN_DEPS = $(TERN_MODULE_LAS)
else
module_LTLIBRARIES += $(TERN_MODULE_LAS)
TERN_MODULE_LDFLAGS = -module -avoid-version -shared $(AM_LDFLAGS)
TERN_PREOPEN_FLAGS =
TERN_PREOPEN_DEPS =
endif

EXTRA_DIST += modules/skeleton.h modules/lookup_util.h

modules_accept_la_SOURCES = modules/accept/accept.c
modules_accept_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/accept/accept.lo: gen/accept_schema.h

modules_dnslookup_la_SOURCES = modules/dnslookup/dnslookup.c
modules_dnslookup_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/dnslookup/dnslookup.lo: gen/dnslookup_schema.h

modules_ipliteral_la_SOURCES = modules/ipliteral/ipliteral.c
modules_ipliteral_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/ipliteral/ipliteral.lo: gen/ipliteral_schema.h

modules_manualroute_la_SOURCES = modules/manualroute/manualroute.c
modules_manualroute_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/manualroute/manualroute.lo: gen/manualroute_schema.h

modules_redirect_la_SOURCES = modules/redirect/redirect.c
modules_redirect_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/redirect/redirect.lo: gen/redirect_schema.h

modules_queryprogram_la_SOURCES = modules/queryprogram/queryprogram.c
modules_queryprogram_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/queryprogram/queryprogram.lo: gen/queryprogram_schema.h

modules_appendfile_la_SOURCES = modules/appendfile/appendfile.c
modules_appendfile_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/appendfile/appendfile.lo: gen/appendfile_schema.h

modules_autoreply_la_SOURCES = modules/autoreply/autoreply.c
modules_autoreply_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/autoreply/autoreply.lo: gen/autoreply_schema.h

modules_lmtp_la_SOURCES = modules/lmtp/lmtp.c
modules_lmtp_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/lmtp/lmtp.lo: gen/lmtp_schema.h

modules_pipe_la_SOURCES = modules/pipe/pipe.c
modules_pipe_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/pipe/pipe.lo: gen/pipe_schema.h

modules_smtp_la_SOURCES = modules/smtp/smtp.c
modules_smtp_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/smtp/smtp.lo: gen/smtp_schema.h

modules_queuefile_la_SOURCES = modules/queuefile/queuefile.c
modules_queuefile_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/queuefile/queuefile.lo: gen/queuefile_schema.h

modules_plaintext_la_SOURCES = modules/plaintext/plaintext.c
modules_plaintext_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/plaintext/plaintext.lo: gen/plaintext_schema.h

modules_cram_md5_la_SOURCES = modules/cram_md5/cram_md5.c
modules_cram_md5_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/cram_md5/cram_md5.lo: gen/cram_md5_schema.h

modules_dovecot_la_SOURCES = modules/dovecot/dovecot.c
modules_dovecot_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/dovecot/dovecot.lo: gen/dovecot_schema.h

modules_tls_la_SOURCES = modules/tls/tls.c
modules_tls_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/tls/tls.lo: gen/tls_schema.h

modules_lsearch_la_SOURCES = modules/lsearch/lsearch.c \
	modules/lsearch/lsearch.h modules/lsearch/lsearch_match.c
modules_lsearch_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules_lsearch_la_LIBADD = $(PCRE2_LIBS)
modules/lsearch/lsearch.lo: gen/lsearch_schema.h

modules_dsearch_la_SOURCES = modules/dsearch/dsearch.c
modules_dsearch_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/dsearch/dsearch.lo: gen/dsearch_schema.h

modules_dbm_la_SOURCES = modules/dbm/dbm.c
modules_dbm_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules_dbm_la_LIBADD = $(BDB_LIBS)
modules/dbm/dbm.lo: gen/dbm_schema.h

modules_lmdb_la_SOURCES = modules/lmdb/lmdb.c
modules_lmdb_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules_lmdb_la_LIBADD = $(LMDB_LIBS)
modules/lmdb/lmdb.lo: gen/lmdb_schema.h

modules_bmi_la_SOURCES = modules/bmi/bmi.c
modules_bmi_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/bmi/bmi.lo: gen/bmi_schema.h

modules_srs_la_SOURCES = modules/srs/srs.c
modules_srs_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/srs/srs.lo: gen/srs_schema.h

modules_dcc_la_SOURCES = modules/dcc/dcc.c
modules_dcc_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/dcc/dcc.lo: gen/dcc_schema.h

modules_arc_la_SOURCES = modules/arc/arc.c
modules_arc_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/arc/arc.lo: gen/arc_schema.h

modules_dsn_info_la_SOURCES = modules/dsn_info/dsn_info.c
modules_dsn_info_la_LDFLAGS = $(TERN_MODULE_LDFLAGS)
modules/dsn_info/dsn_info.lo: gen/dsn_info_schema.h
