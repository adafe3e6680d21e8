# host/daemon.mk: master, listeners, session workers (owned by daemon)
tern_SOURCES += host/daemon.c
