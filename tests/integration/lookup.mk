# Integration tests of the lookup modules (owned by lookup).
TESTS += tests/integration/lookup-vs-exim.test
EXTRA_DIST += tests/integration/lookup-vs-exim.test
