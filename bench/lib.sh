# bench/lib.sh: shared set-up for the benchmark scripts (sourced).
#
# bench_tern NAME: sets $tern to an optimised tern (no sanitizers), built
# once in $TERN_BENCH_BUILD (default /tmp/tern-bench-build) unless $tern
# is already set, and exports the schema and module paths beside it.
# Needs $top (the source tree).  Exits 1 when the build fails.
bench_tern() {
    local name=$1 build
    if [ -z "${tern:-}" ]; then
        build=${TERN_BENCH_BUILD:-/tmp/tern-bench-build}
        mkdir -p "$build"
        if [ ! -f "$build/Makefile" ]; then
            (cd "$build" && "$top/configure" CFLAGS="-O2 -g" \
                --disable-sanitizers > configure.log 2>&1) || {
                echo "$name: configure failed, see $build/configure.log" >&2
                exit 1; }
        fi
        make -C "$build" -j"$(nproc)" > "$build/make.log" 2>&1 || {
            echo "$name: build failed, see $build/make.log" >&2; exit 1; }
        tern="$build/tern"
    fi
    tdir=$(cd "$(dirname "$tern")" && pwd)
    export TERN_SCHEMA_PATH=${TERN_SCHEMA_PATH:-$top/schemas}
    export TERN_MODULE_PATH=${TERN_MODULE_PATH:-$tdir/modules/.libs}
}
