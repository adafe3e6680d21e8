#!/usr/bin/env bash
# NAME
#   expand-cases.sh - (re)generate the expected results of the expansion
#   cases with the real Exim 4.96
#
# SYNOPSIS
#   tests/interop/expand-cases.sh [-o OUT] [CASES]
#
# DESCRIPTION
#   CASES (default tests/data/expand/cases.txt) holds pairs of lines: an
#   expansion string, then its expected result: `= output` (escaped:
#   \\ \n \t \r, \xHH for other control and 8-bit bytes, \x20 for a
#   trailing blank), `! error` or `! fail` (a forced failure).  Blank
#   lines and lines starting with `#` are kept as they are.
#
#   Every input is given to `exim4 -C CONF -be` (Debian's 4.96, unpacked
#   by fetch-peers.sh), one process per case followed by a marker
#   argument, and the expectation lines are rewritten from what Exim
#   printed.  CONF sets
#   exim_user/exim_group, puts the spool and logs in a temporary
#   directory, sets primary_hostname = test.ex, and lives in a directory
#   that also holds copies of the data files next to CASES, so cases can
#   name them as $config_dir/FILE.
#
#   Without -o the file is rewritten in place; with -o the result goes to
#   OUT (the integration test compares that with the stored file).
#
# DIAGNOSTICS
#   Exits 77 when the peer cannot be fetched, 1 on other problems, and
#   refuses inputs that Exim's -be would take as macro definitions
#   (starting with an upper-case letter).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=
if [ "${1:-}" = "-o" ]; then
    out=$2
    shift 2
fi
cases=${1:-$top/tests/data/expand/cases.txt}
datadir=$(cd "$(dirname "$cases")" && pwd)

peers=$("$top/tests/interop/fetch-peers.sh" 2>/dev/null | tail -n 1) || exit 77
exim="$peers/bin/exim4"
[ -x "$exim" ] || exit 77

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tern-expand-cases.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/spool" "$tmp/log"
for f in "$datadir"/*; do
    [ -f "$f" ] || continue
    case $f in */cases.txt) ;; *) cp "$f" "$tmp/" ;; esac
done
cat > "$tmp/exim.conf" <<EOF
exim_user = nobody
exim_group = nogroup
spool_directory = $tmp/spool
log_file_path = $tmp/log/%slog
primary_hostname = test.ex
EOF

export LC_ALL=C
marker='@@tern-case-separator@@'

# The inputs, in order.
mapfile -t inputs < <(awk '
    /^#/ || /^$/ { next }
    { n++; if (n % 2 == 1) print }' "$cases")
for i in "${inputs[@]}"; do
    case $i in
    [A-Z]*) echo "expand-cases: input starts with an upper-case letter" \
                 "(exim -be takes it as a macro): $i" >&2; exit 1 ;;
    esac
done
# One process per case: Exim keeps $value, $item and parser state
# between the lines of one -be run, and the cases must not depend on
# their neighbours.
: > "$tmp/exim.out"
for i in "${inputs[@]}"; do
    (cd "$tmp" && "$exim" -C "$tmp/exim.conf" -be "$i" "$marker") \
        >> "$tmp/exim.out" 2>> "$tmp/exim.err" || true
done

# Turn Exim's output into expectation lines, one per case.
awk -v marker="$marker" '
    BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
    function esc(s,    r, i, c, n) {
        r = ""; n = length(s)
        for (i = 1; i <= n; i++) {
            c = substr(s, i, 1)
            if (c == "\\") r = r "\\\\"
            else if (c == "\n") r = r "\\n"
            else if (c == "\t") r = r "\\t"
            else if (c == "\r") r = r "\\r"
            else if (ord[c] < 32 || ord[c] >= 127 || (c == " " && i == n))
                r = r sprintf("\\x%02x", ord[c])
            else r = r c
        }
        return r
    }
    function emit(s) {
        if (s ~ /^Failed: /) {
            if (index(s, "\"fail\" requested") > 0) print "! fail"
            else print "! error"
        } else if (s == "") print "="
        else print "= " esc(s)
    }
    $0 == marker { emit(buf); buf = ""; have = 0; next }
    { buf = have ? buf "\n" $0 : $0; have = 1 }
' "$tmp/exim.out" > "$tmp/expect"

got=$(wc -l < "$tmp/expect")
if [ "$got" -ne "${#inputs[@]}" ]; then
    echo "expand-cases: ${#inputs[@]} cases but $got results" >&2
    sed 's/^/  exim: /' "$tmp/exim.err" >&2
    exit 1
fi

# Merge: keep comments, inputs and blank lines, replace expectations.
awk -v expfile="$tmp/expect" '
    /^#/ || /^$/ { print; next }
    { n++
      if (n % 2 == 1) { print; next }
      getline e < expfile
      print e }' "$cases" > "$tmp/cases.new"

if [ -n "$out" ]; then
    cp "$tmp/cases.new" "$out"
else
    cp "$tmp/cases.new" "$cases"
fi
