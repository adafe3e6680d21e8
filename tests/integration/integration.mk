# Integration tests: each area lists its scripts in its own fragment.
include tests/integration/confc.mk
include tests/integration/host.mk
include tests/integration/acl.mk
include tests/integration/schemas.mk
include tests/integration/expand.mk
include tests/integration/spool.mk
include tests/integration/match.mk
include tests/integration/lookup.mk
include tests/integration/receive.mk
include tests/integration/smtp.mk
include tests/integration/spooltools.mk
include tests/integration/tls.mk
include tests/integration/daemon.mk
