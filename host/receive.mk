# host/receive.mk: message reception, local submission, -bp (owned by receive)
tern_SOURCES += host/receive.h host/submit.c host/queue_list.c
