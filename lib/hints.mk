# lib/hints.mk: the hints databases (Berkeley DB) in SPOOL/db/NAME
libtern_la_SOURCES += lib/hints.h lib/hints_int.h lib/hints_db.c \
	lib/hints_rec.c lib/hints_retry.c lib/hints_tls.c lib/hints_tidy.c
