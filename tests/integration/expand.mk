# integration tests of the expansion language (owned by expand)
TESTS += tests/integration/expand-vs-exim.test
EXTRA_DIST += tests/integration/expand-vs-exim.test
