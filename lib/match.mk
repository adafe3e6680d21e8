# lib/match.mk: domain, host, address and local part lists (owned by
# match), part of libtern.  Regular expressions need $(PCRE2_CFLAGS) and
# $(PCRE2_LIBS), which lib/local.mk provides for the whole library.
libtern_la_SOURCES += lib/match.h lib/match_int.h \
	lib/match_list.c lib/match_cache.c lib/match_lookup.c \
	lib/match_domain.c lib/match_host.c lib/match_address.c \
	lib/match_exp.c
dist_doc_DATA += docs/lists.md
