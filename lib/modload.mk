# lib/modload.mk: the module loader (owned by host), part of libtern.
libtern_la_SOURCES += lib/modload.c lib/modload.h
