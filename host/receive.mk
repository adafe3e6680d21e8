# host/receive.mk: message reception, local submission, -bp (owned by receive)
tern_SOURCES += host/receive.h host/receive_int.h \
	host/receive.c host/receive_hdr.c host/receive_fix.c host/receive_add.c \
	host/receive_addr.c host/receive_fmt.c host/receive_commit.c \
	host/receive_log.c host/receive_caller.c host/logsel.c \
	host/submit.c host/queue_list.c
