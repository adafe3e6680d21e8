# Shared helpers for integration tests (sourced, POSIX sh + bash features).
#
# Each NAME.test script sources this file, calls `check` / `check_eq` /
# `check_grep` for every assertion, and ends with `finish`, which prints
# "N passed, N failed" and exits 0 only when nothing failed (77 = skipped,
# as automake expects).
#
# Environment (set by `make check`, or by hand when running one test):
#   TERN_SRCDIR, TERN_BUILDDIR, TERN_SCHEMA_PATH, TERN_MODULE_PATH

: "${TERN_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TERN_BUILDDIR:=$TERN_SRCDIR}"
: "${TERN_SCHEMA_PATH:=$TERN_SRCDIR/schemas}"
: "${TERN_MODULE_PATH:=$TERN_BUILDDIR/modules/.libs}"
export TERN_SRCDIR TERN_BUILDDIR TERN_SCHEMA_PATH TERN_MODULE_PATH

TERN="$TERN_BUILDDIR/tern"
CONFC="$TERN_BUILDDIR/confc/confc"   # confc/ also holds its objects
DATA="$TERN_SRCDIR/tests/data"
T_PASS=0
T_FAIL=0
T_NAME=$(basename "$0" .test)
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tern-$T_NAME.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT

ok()   { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
nok()  { T_FAIL=$((T_FAIL + 1)); echo "FAIL - $*"; }

# check DESCRIPTION COMMAND...: passes when the command exits 0.
check() {
    local what=$1; shift
    if "$@"; then ok "$what"; else nok "$what (command: $*)"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"
    else nok "$1: expected [$2], got [$3]"; fi
}

# check_grep DESCRIPTION PATTERN FILE: FILE contains a line matching the
# fixed string PATTERN.
check_grep() {
    if grep -qF -- "$2" "$3"; then ok "$1"
    else nok "$1: [$2] not found in:"; sed 's/^/    | /' "$3" | head -20; fi
}

check_nogrep() {
    if grep -qF -- "$2" "$3"; then nok "$1: [$2] unexpectedly found in $3"
    else ok "$1"; fi
}

skip_all() { echo "SKIP: $*"; exit 77; }

finish() {
    echo "$T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" -eq 0 ]
}

# Where tests/interop/fetch-peers.sh unpacked Debian's Exim and friends.
peers_dir() {
    echo "${TERN_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tern-peers}"
}
