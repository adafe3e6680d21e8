# lib/log.mk: Exim-format log writer
libtern_la_SOURCES += lib/log.c lib/log.h
