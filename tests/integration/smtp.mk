# tests/integration/smtp.mk: the SMTP server end to end (owned by smtp).
# smtp-bs: sessions through `tern -bs` on pipes; smtp-tcp: remote
# clients over TCP, each connection served by `tern -bs` from
# smtp-inetd.py (swaks, Python's smtplib and raw sockets).
TESTS += tests/integration/smtp-bs.test tests/integration/smtp-tcp.test
EXTRA_DIST += tests/integration/smtp-bs.test tests/integration/smtp-tcp.test \
	tests/integration/smtp-inetd.py
