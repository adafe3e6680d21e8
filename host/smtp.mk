# host/smtp.mk: the SMTP server engine and -bs (owned by smtp)
tern_SOURCES += host/smtp.h host/smtp_int.h \
	host/smtp_session.c host/smtp_step.c host/smtp_io.c host/smtp_cmd.c \
	host/smtp_helo.c host/smtp_tls.c host/smtp_mail.c host/smtp_rcpt.c \
	host/smtp_addr.c host/smtp_data.c host/smtp_end.c host/smtp_auth.c \
	host/smtp_reply.c host/smtp_log.c host/smtp_util.c host/smtp_bs.c
