# host/smtp.mk: the SMTP server engine and -bs (owned by smtp)
tern_SOURCES += host/smtp.h host/smtp_bs.c
