# lib/plan.mk: the binary plan (docs/plan-format.md), part of libtern.
libtern_la_SOURCES += lib/plan.h lib/plan_format.h lib/plan_write.c \
	lib/plan_read.c lib/plan_decode.c lib/plan_file.c
dist_doc_DATA += docs/plan-format.md
