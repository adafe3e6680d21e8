# Integration tests: each area lists its scripts in its own fragment.
include tests/integration/confc.mk
include tests/integration/host.mk
include tests/integration/schemas.mk
include tests/integration/expand.mk
include tests/integration/spool.mk
include tests/integration/match.mk
include tests/integration/lookup.mk
