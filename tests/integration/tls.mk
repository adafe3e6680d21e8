# tests/integration/tls.mk: STARTTLS and TLS-on-connect end to end
# (owned by tls).  They need the SMTP engine and the daemon.
TESTS += \
	tests/integration/tls-starttls.test \
	tests/integration/tls-on-connect.test
EXTRA_DIST += \
	tests/integration/tls-starttls.test \
	tests/integration/tls-on-connect.test \
	tests/integration/tls-lib.sh \
	tests/integration/tls-client.py
