# integration tests of list matching (owned by match); needs
# tests/unit/match_probe from tests/unit/match.mk.
TESTS += tests/integration/match-vs-exim.test
EXTRA_DIST += tests/integration/match-vs-exim.test
