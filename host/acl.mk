# host/acl.mk: the ACL engine and -bh (owned by acl)
TERN_ACL_SOURCES = \
	host/acl.h host/acl_int.h \
	host/acl.c host/acl_find.c host/acl_state.c host/acl_parse.c \
	host/acl_cond.c host/acl_env.c \
	host/acl_mod.c host/acl_control.c host/acl_verify.c host/acl_verify_hdr.c \
	host/acl_dnslist.c host/acl_ratelimit.c
tern_SOURCES += $(TERN_ACL_SOURCES) host/acl_bh.c
# What the engine links with: Berkeley DB for the ratelimit hints file,
# libm for its exp().  res_nquery and dn_expand are in glibc's libc
# since 2.34 (older systems: -lresolv).  host/local.mk adds this to
# tern_LDADD.
TERN_ACL_LIBS = $(BDB_LIBS) -lm
