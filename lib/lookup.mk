# lib/lookup.mk: the host side of lookups (registry of lookup types, open
# files, per-message cache, partial matching and defaults).
libtern_la_SOURCES += lib/lookup.c lib/lookup.h lib/lookup_find.c \
	lib/lookup_int.h lib/lookup_spec.c
