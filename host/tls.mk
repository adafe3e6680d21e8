# host/tls.mk: server-side TLS (owned by tls)
tern_SOURCES += host/tls.h
