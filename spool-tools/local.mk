# spool-tools/local.mk: tern-spool and tern-hints, the queue and hints
# database tools (owned by spool-tools).  The programs live under
# spool-tools/ in the build tree, as confc/confc does, because a program
# cannot share its name with a directory of objects.
bin_PROGRAMS += spool-tools/tern-spool spool-tools/tern-hints

SPOOL_TOOLS_COMMON = spool-tools/tools.h spool-tools/tools_conf.c \
	spool-tools/tools_json.c
SPOOL_TOOLS_LIBS = libconfc.la libtern.la $(LTDL_LIBS) $(BDB_LIBS)

spool_tools_tern_spool_SOURCES = $(SPOOL_TOOLS_COMMON) \
	spool-tools/spool_cmd.h spool-tools/spool_main.c \
	spool-tools/spool_list.c spool-tools/spool_show.c \
	spool-tools/spool_change.c spool-tools/spool_requeue.c
spool_tools_tern_spool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/confc
spool_tools_tern_spool_LDADD = $(SPOOL_TOOLS_LIBS)

spool_tools_tern_hints_SOURCES = $(SPOOL_TOOLS_COMMON) \
	spool-tools/hints_cmd.h spool-tools/hints_main.c \
	spool-tools/hints_dump.c
spool_tools_tern_hints_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/confc
spool_tools_tern_hints_LDADD = $(SPOOL_TOOLS_LIBS)

dist_man_MANS += docs/tern-spool.8 docs/tern-hints.8
dist_doc_DATA += docs/spool-tools.md
