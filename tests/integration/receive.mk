# tests/integration/receive.mk: local submission, the queue listing, and
# the same messages through Debian's Exim 4.96 (owned by receive)
TESTS += tests/integration/receive-local.test \
	tests/integration/receive-vs-exim.test
EXTRA_DIST += tests/integration/receive-local.test \
	tests/integration/receive-vs-exim.test
