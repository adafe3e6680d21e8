# lib/expand.mk: the expansion language (owned by expand), part of libtern.
# Needs libtern linked with $(PCRE2_LIBS) and $(OPENSSL_LIBS) (and their
# CFLAGS), which lib/local.mk provides for the whole library.
libtern_la_SOURCES += lib/expand.h lib/expand_int.h \
	lib/expand_tab.c lib/expand_str.c \
	lib/expand_parse.c lib/expand_parse_item.c lib/expand_parse_cond.c \
	lib/expand_check.c lib/expand_eval.c lib/expand_cond.c \
	lib/expand_items.c lib/expand_extract.c lib/expand_lists.c \
	lib/expand_lookup.c lib/expand_io.c lib/expand_sys.c \
	lib/expand_ops.c lib/expand_num.c lib/expand_regex.c \
	lib/expand_codec.c lib/expand_digest.c lib/expand_addr.c \
	lib/expand_ip.c
dist_doc_DATA += docs/expansions.md
