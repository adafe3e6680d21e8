#!/usr/bin/env bash
# NAME
#   test.sh - the README's test command: build Tern and run every test
#
# DESCRIPTION
#   On a fresh Debian 12 machine: installs the packages it needs, runs
#   autoreconf, configures in _build/ with -Werror and ASan+UBSan, builds,
#   runs `make check` (CMocka unit tests, then the integration tests, which
#   fetch Debian's Exim 4.96 as an interop peer with
#   tests/interop/fetch-peers.sh), then `make distcheck`.  It ends with one
#   line "N passed, N failed" and exits non-zero on any failure.  Safe to
#   run again on the same machine.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
# Run again in the all-in-one (--enable-static-modules) build.
STATIC_TESTS="tests/unit/test_modload tests/integration/host-bv.test \
tests/integration/host-bp.test tests/integration/confc-cli.test"


tools/install-deps.sh
# Interop peers (Debian's Exim 4.96 and its example configurations),
# unpacked into a cache folder; no system service is installed or started.
tests/interop/fetch-peers.sh >/dev/null
autoreconf -fi >/dev/null
mkdir -p _build
cd _build
../configure -q --enable-werror --enable-sanitizers
make -j"$jobs" >/dev/null

status=0
make -j"$jobs" check > check.out 2>&1 || status=$?
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' check.out || true
if [ $status -ne 0 ]; then
    for log in $(grep -lE '^:test-result: (FAIL|ERROR)' $(find . -name '*.trs') 2>/dev/null); do
        echo "==== ${log%.trs}.log"; cat "${log%.trs}.log"
    done
fi
passed=$(awk '/^# PASS:/{s+=$3} END{print s+0}' check.out)
failed=$(awk '/^# (FAIL|ERROR|XPASS):/{s+=$3} END{print s+0}' check.out)
skipped=$(awk '/^# SKIP:/{s+=$3} END{print s+0}' check.out)

# The all-in-one build: every module preopened into the programs, no
# module path.  The tests that load modules run against it as well.
if [ $status -eq 0 ]; then
    mkdir -p static
    ( cd static && ../../configure -q --enable-werror --enable-static-modules \
        && make -j"$jobs" >/dev/null ) > static.out 2>&1 || status=$?
    if [ $status -eq 0 ]; then
        ( cd static && make -j"$jobs" check TESTS="$STATIC_TESTS" ) \
            >> static.out 2>&1 || status=$?
    fi
    if [ $status -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS: static-modules build"
    else
        failed=$((failed + 1)); echo "FAIL: static-modules build"
        tail -60 static.out
    fi
fi

if [ $status -eq 0 ] && [ "${TERN_SKIP_DISTCHECK:-0}" != 1 ]; then
    if make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror > distcheck.out 2>&1; then
        passed=$((passed + 1)); echo "PASS: make distcheck"
    else
        failed=$((failed + 1)); echo "FAIL: make distcheck"; tail -60 distcheck.out
    fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $status -eq 0 ]
