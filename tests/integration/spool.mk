# integration tests of the spool format (owned by spool)
TESTS += tests/integration/spool-vs-exim.test
EXTRA_DIST += tests/integration/spool-vs-exim.test
