# tests/integration/daemon.mk: the listening daemon over loopback with real
# clients (owned by daemon).  They need root (workers drop to nobody) and
# python3, and skip otherwise.
DAEMON_INTEGRATION_TESTS = \
	tests/integration/daemon-listen.test \
	tests/integration/daemon-signals.test \
	tests/integration/daemon-crash.test \
	tests/integration/daemon-limits.test \
	tests/integration/daemon-load.test \
	tests/integration/default-conf.test
TESTS += $(DAEMON_INTEGRATION_TESTS)
EXTRA_DIST += $(DAEMON_INTEGRATION_TESTS) \
	tests/integration/daemon-lib.sh tests/integration/daemon-client.py
