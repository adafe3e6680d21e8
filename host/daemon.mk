# host/daemon.mk: master, listeners, session workers (owned by daemon)
tern_SOURCES += host/daemon.c host/daemon_int.h host/daemon_master.c \
	host/daemon_setup.c host/daemon_shm.c host/listen.c \
	host/worker.c host/worker_accept.c host/worker_commit.c
