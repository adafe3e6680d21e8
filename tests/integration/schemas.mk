# schema tests (owned by schemas): every schema parses with tern-schemagen,
# and the options match Debian's Exim 4.96 (tools/exim-option-dump.sh).
TESTS += tests/integration/schemas.test
EXTRA_DIST += tests/integration/schemas.test tools/exim-option-dump.sh
