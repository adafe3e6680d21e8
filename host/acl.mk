# host/acl.mk: the ACL engine (owned by acl)
tern_SOURCES += host/acl.h
