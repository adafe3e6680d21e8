# lib/spool.mk: Exim 4.96 message ids and spool files (owned by spool)
libtern_la_SOURCES += lib/spool.h lib/spool_int.h lib/msgid.c \
	lib/spool_fields.c lib/spool_format.c lib/spool_parse.c \
	lib/spool_dir.c lib/spool_read.c lib/spool_out.c \
	lib/spool_commit.c
# The format the library writes, and its durability rules.
dist_doc_DATA += docs/spool-format.md
