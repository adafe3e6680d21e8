# tests/integration/confc.mk: integration tests of confc (owned by confc).
TESTS += \
	tests/integration/confc-cli.test \
	tests/integration/confc-broken.test \
	tests/integration/confc-real.test \
	tests/integration/confc-expand.test
EXTRA_DIST += \
	tests/integration/confc-cli.test \
	tests/integration/confc-broken.test \
	tests/integration/confc-real.test \
	tests/integration/confc-expand.test \
	tests/data/broken
