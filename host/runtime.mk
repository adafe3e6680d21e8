# host/runtime.mk: the host's run-time state, the evaluator's environment,
# the variables, the host API table and -be (owned by runtime).
tern_SOURCES += \
	host/runtime.c host/api.c \
	host/vars.c host/vars.h host/vars_sys.c host/vars_conn.c \
	host/expand_env.c host/expand_names.c host/expand_hdr.c \
	host/match_env.c host/be.c
