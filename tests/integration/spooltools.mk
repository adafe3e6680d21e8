# tests/integration/spooltools.mk: tern-spool and tern-hints on queues
# written by the spool library and by Debian's Exim 4.96 (owned by
# spool-tools)
TESTS += tests/integration/spool-tools.test
EXTRA_DIST += tests/integration/spool-tools.test
