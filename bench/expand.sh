#!/usr/bin/env bash
# NAME
#   expand.sh - time a typical RCPT ACL's expansions, Tern vs Exim 4.96
#
# SYNOPSIS
#   bench/expand.sh [-t TERN] [-n MESSAGES] [-r RUNS]
#
# DESCRIPTION
#   One "message" is the 20 expansions a typical RCPT ACL evaluates:
#   match_domain against named domain lists, match_ip against a named
#   host list, lsearch / partial-lsearch / iplsearch / dbm lookups,
#   ${if and{..}} / or{..}, ${lc}, ${sg}, ${extract} in both forms,
#   regex matches, ${domain}, ${local_part}, a hash.  Both programs get
#   the same batch on stdin through -be (20 lines x MESSAGES, default
#   2000) under the same configuration and data files, in the same run.
#   Each program's start-up (configuration load, modules) is measured
#   with an empty batch and subtracted; each figure is the best of RUNS
#   (default 5) runs.  Printed: microseconds per message for each and
#   the ratio Exim / Tern.
#
#   Both sides cache lookup results for the whole -be run (Exim does, in
#   -be); Tern also parses each distinct line once, as a configuration's
#   strings are parsed once (by confc) in production, while Exim parses
#   every string every time it expands it, which is what it does when
#   it receives mail too.
#
#   TERN (or -t) is the tern binary to measure; without one, an
#   optimised build (-O2, no sanitizers) is made out of tree in
#   ${TERN_BENCH_BUILD:-/tmp/tern-bench-build}.  Exim is Debian's 4.96,
#   unpacked by tests/interop/fetch-peers.sh.  Not part of make check.
#
# DIAGNOSTICS
#   Exits 77 when Exim cannot be fetched, 1 when the two programs print
#   different results for the batch (the comparison would be void).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tern=${TERN:-}
msgs=2000
runs=5
while getopts "t:n:r:" o; do
    case $o in
    t) tern=$OPTARG ;;
    n) msgs=$OPTARG ;;
    r) runs=$OPTARG ;;
    *) echo "usage: $0 [-t tern] [-n messages] [-r runs]" >&2; exit 2 ;;
    esac
done

peers=$("$top/tests/interop/fetch-peers.sh" 2>/dev/null | tail -n 1) || exit 77
exim="$peers/bin/exim4"
[ -x "$exim" ] || exit 77
dbmbuild="$peers/root/usr/sbin/exim_dbmbuild"
export LD_LIBRARY_PATH="$peers/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

. "$top/bench/lib.sh"
bench_tern expand.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tern-bench-expand.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/spool" "$tmp/log"

# ---- data: what a small site's RCPT ACL consults ----
{
    echo "postmaster: root"
    echo "abuse: root"
    for i in $(seq 1 1000); do echo "user$i: user$i@mailhost.example.com"; done
} > "$tmp/aliases"
{
    for i in $(seq 1 300); do echo "customer$i.example: relay"; done
    echo "*.partner.example: partner"
} > "$tmp/domains"
{
    echo "192.0.2.0/24: office"
    echo "198.51.100.7: backup-mx"
} > "$tmp/hosts"
{
    for i in $(seq 1 500); do echo "spammer$i.example: blocked"; done
} > "$tmp/blocked"
"$dbmbuild" "$tmp/blocked" "$tmp/blocked.db" > /dev/null

cat > "$tmp/exim.conf" <<EOF
exim_user = nobody
exim_group = nogroup
spool_directory = $tmp/spool
log_file_path = $tmp/log/%slog
primary_hostname = mx.example.com
domainlist local_domains = @ : example.com : example.net : localhost
domainlist relay_to_domains = lsearch;$tmp/domains
hostlist relay_from_hosts = <; 127.0.0.1 ; ::1 ; 192.0.2.0/24 ; 10.0.0.0/8
EOF

d=$tmp
cat > "$tmp/batch1" <<EOF
\${if match_domain{example.net}{+local_domains}{local}{remote}}
\${if match_domain{customer77.example}{+relay_to_domains}{relay}{no}}
\${if match_ip{192.0.2.44}{+relay_from_hosts}{trusted}{untrusted}}
\${lookup{user512}lsearch{$d/aliases}{\$value}{unknown}}
\${lookup{postmaster}lsearch{$d/aliases}}
\${lookup{spammer250.example}dbm{$d/blocked.db}{deny}{ok}}
\${lookup{mail.partner.example}partial-lsearch{$d/domains}{\$value}{none}}
\${lookup{192.0.2.7}iplsearch{$d/hosts}{\$value}{none}}
\${if and{{match_domain{example.com}{+local_domains}}{!eq{alice@example.com}{}}{match_ip{10.1.2.3}{+relay_from_hosts}}}{accept}{check}}
\${if or{{eq{\$sender_address}{}}{match_domain{example.org}{+local_domains}}}{bounce}{normal}}
\${lc:Alice.Smith@Example.COM}
\${sg{alice+tag@example.com}{\N\+[^@]*\N}{}}
\${extract{2}{:}{x-spam:5.3:high}}
\${extract{score}{score=5 level=high}{\$value}{0}}
\${if match{alice@example.com}{\N^[^@]+@example\.(com|net)\$\N}{ours}{foreign}}
\${if match_address{alice@example.com}{*@example.com : bob@*}{listed}{no}}
\${if match_local_part{abuse}{postmaster : abuse : hostmaster}{role}{user}}
\${domain:Alice@Example.com} \${local_part:alice@example.com}
\${length_16:\${sha256:alice@example.com}}
\${if inlist{bob}{alice:bob:carol}{yes}{no}}
EOF
n_lines=$(wc -l < "$tmp/batch1")
: > "$tmp/batch"
for _ in $(seq 1 "$msgs"); do cat "$tmp/batch1"; done > "$tmp/batch"

# Both must print the same thing, or the comparison means nothing.
(cd "$tmp" && "$exim" -C "$tmp/exim.conf" -be < "$tmp/batch1") \
    > "$tmp/out.exim" 2>&1
(cd "$tmp" && "$tern" -C "$tmp/exim.conf" -be < "$tmp/batch1") \
    > "$tmp/out.tern" 2>&1
if ! cmp -s "$tmp/out.exim" "$tmp/out.tern"; then
    echo "expand.sh: Tern and Exim print different results:" >&2
    diff "$tmp/out.exim" "$tmp/out.tern" >&2 || true
    exit 1
fi
if grep -q 'Failed' "$tmp/out.tern"; then
    echo "expand.sh: the batch has failing expansions:" >&2
    grep 'Failed' "$tmp/out.tern" >&2
    exit 1
fi

# best_of PROG INPUT: "WALL CPU", the lowest elapsed and the lowest
# user+system time of $runs runs, in microseconds.  CPU time is the
# steadier figure on a machine that is busy with something else.
best_of() {
    local prog=$1 input=$2 bw= bc= line w c
    for _ in $(seq 1 "$runs"); do
        line=$( { TIMEFORMAT='%R %U %S'; time (cd "$tmp" &&
            "$prog" -C "$tmp/exim.conf" -be < "$input" > /dev/null 2>&1); } \
            2>&1 )
        read -r w c <<< "$(awk '{ printf "%d %d", $1 * 1e6, ($2 + $3) * 1e6 }' \
                          <<< "$line")"
        if [ -z "$bw" ] || [ "$w" -lt "$bw" ]; then bw=$w; fi
        if [ -z "$bc" ] || [ "$c" -lt "$bc" ]; then bc=$c; fi
    done
    echo "$bw $bc"
}

: > "$tmp/empty"
read -r e_empty_w e_empty_c <<< "$(best_of "$exim" "$tmp/empty")"
read -r t_empty_w t_empty_c <<< "$(best_of "$tern" "$tmp/empty")"
read -r e_full_w e_full_c <<< "$(best_of "$exim" "$tmp/batch")"
read -r t_full_w t_full_c <<< "$(best_of "$tern" "$tmp/batch")"

awk -v eew="$e_empty_w" -v efw="$e_full_w" -v tew="$t_empty_w" \
    -v tfw="$t_full_w" -v eec="$e_empty_c" -v efc="$e_full_c" \
    -v tec="$t_empty_c" -v tfc="$t_full_c" -v n="$msgs" -v l="$n_lines" \
    -v r="$runs" '
function line(what, e, t) {
    printf "  %-22s exim %9.1f us   tern %9.1f us   exim/tern %6.2f\n",
           what, e, t, (t > 0 ? e / t : 0)
}
BEGIN {
    printf "expansion benchmark: %d messages x %d expansions, -be on stdin," \
           " best of %d\n", n, l, r
    printf "  start-up (empty batch): exim %.1f ms, tern %.1f ms (elapsed)\n",
           eew / 1000, tew / 1000
    line("per message, elapsed", (efw - eew) / n, (tfw - tew) / n)
    line("per message, CPU", (efc - eec) / n, (tfc - tec) / n)
}'
