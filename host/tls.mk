# host/tls.mk: server-side TLS (owned by tls)
tern_SOURCES += host/tls.h host/tls_int.h host/tls_server.c host/tls_conn.c \
	host/tls_info.c host/tls_keys.c
