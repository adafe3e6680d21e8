#!/usr/bin/env bash
# NAME
#   receive.sh - receiving mail: Tern's daemon vs Exim 4.96 (vs Postfix 3.7)
#
# SYNOPSIS
#   bench/receive.sh [-t TERN] [-s "1 10 50"] [-z "1024 102400"] [-m SCALE]
#                    [-p] [-o]
#
# DESCRIPTION
#   Postfix's smtp-source (from Debian's postfix package, unpacked by
#   bench/fetch-postfix.sh, never installed) sends the same load to Tern
#   and to Debian's Exim 4.96 (unpacked by tests/interop/fetch-peers.sh),
#   each running as a daemon on a loopback port with the same throwaway
#   configuration: queue only, exim_user Debian-exim, spool under /tmp, no
#   TLS, no lookups; both flush each message to disk before its 250 (Exim
#   fsyncs its spool files; Tern commits them in groups, never sending a
#   250 before the message's commit has returned).
#
#   For 1, 10 and 50 concurrent sessions (-s) and 1 KiB and 100 KiB
#   messages (-z), each session sending many messages (smtp-source -d),
#   every server gets a fresh spool and sends back:
#
#     msg/s     messages per second, from the first connection to the
#               last reply
#     queued    the -H files on its queue afterwards: every message must
#               be there (a run that lost one is marked FAIL)
#     peak RSS  the largest sum of resident memory over all its processes
#               (the daemon and its children, sampled every 50 ms), and
#               the largest PSS sum (shared pages counted once)
#
#   and the ratio Tern / Exim.  Then the same with one message per
#   session (smtp-source without -d) at the largest session count and the
#   smallest size: that shows what Exim's hold on the 221 reply to QUIT
#   costs clients that send one message per connection.
#
#   -p adds Postfix 3.7 as a third receiver (unpacked too; its master runs
#   from a private configuration directory with the queue under /tmp and
#   no queue manager, so messages stay queued); when it cannot be started
#   the report says so and the run goes on.  -m multiplies the message
#   counts (default 1: 200 for one session, 60 per session otherwise).
#   -o adds Tern with TERN_DAEMON_SYNC=fsync (per-file flushes) as a column.
#
#   TERN (or -t) is the tern binary; without one an optimised build (-O2,
#   no sanitizers) is made out of tree in ${TERN_BENCH_BUILD:-
#   /tmp/tern-bench-build}.  Needs root (the servers drop to Debian-exim).
#   Not part of make check.
#
# DIAGNOSTICS
#   Exits 77 when a peer cannot be fetched or we are not root; 1 when a
#   server lost a message or could not be started.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tern=${TERN:-}
sessions="1 10 50"
sizes="1024 102400"
scale=1
with_postfix=0
with_fsync=0
while getopts "t:s:z:m:po" o; do
    case $o in
    t) tern=$OPTARG ;;
    s) sessions=$OPTARG ;;
    z) sizes=$OPTARG ;;
    m) scale=$OPTARG ;;
    p) with_postfix=1 ;;
    o) with_fsync=1 ;;
    *) sed -n '3,6p' "$0" >&2; exit 2 ;;
    esac
done

[ "$(id -u)" -eq 0 ] || { echo "receive.sh: needs root" >&2; exit 77; }
peers=$("$top/tests/interop/fetch-peers.sh" 2>/dev/null | tail -n 1) || exit 77
exim="$peers/bin/exim4"
[ -x "$exim" ] || { echo "receive.sh: no exim4 in $peers" >&2; exit 77; }
"$here/fetch-postfix.sh" "$peers" >/dev/null || exit 77
source="$peers/bin/smtp-source"
pfroot="$peers/postfix"

. "$here/lib.sh"
bench_tern receive.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tern-bench-receive.XXXXXX")
chmod 755 "$tmp"
cleanup() {
    for f in "$tmp"/*.pid; do
        [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
    done
    [ -x "$tmp/pf/stop" ] && "$tmp/pf/stop" >/dev/null 2>&1
    sleep 0.5
    rm -rf "$tmp"
}
trap cleanup EXIT

# run() is called in command substitutions: the next port lives in a file
echo $((24000 + RANDOM % 4000)) > "$tmp/port"
next_port() {
    local p
    p=$(cat "$tmp/port")
    echo $((p + 1)) > "$tmp/port"
    echo "$p"
}

# ---- the one configuration both servers run ----
conf() {    # conf SPOOL PIDFILE PORT
    cat <<EOF
exim_user = Debian-exim
exim_group = Debian-exim
spool_directory = $1
log_file_path = $1/log/%slog
pid_file_path = $2
local_interfaces = 127.0.0.1.$3
primary_hostname = bench.test
queue_only
smtp_accept_max = 500
smtp_accept_queue_per_connection = 0
smtp_connect_backlog = 128
tls_advertise_hosts =
keep_environment =
acl_smtp_rcpt = acl_rcpt
begin acl
acl_rcpt:
  accept
EOF
}

# ---- peak memory of a process tree, sampled ----
sampler() {     # sampler ROOTPID OUT STOPFILE: OUT.ready after one sample
    python3 - "$@" <<'PY'
import os, sys, time
root, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def tree():
    kids = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                f = open("/proc/%s/stat" % p).read()
                kids.setdefault(int(f.rsplit(")", 1)[1].split()[1]), []).append(int(p))
            except OSError:
                pass
    todo, seen = [root], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen
def mem(p):
    rss = pss = 0
    try:
        for l in open("/proc/%d/smaps_rollup" % p):
            if l.startswith("Rss:"):
                rss = int(l.split()[1])
            elif l.startswith("Pss:"):
                pss = int(l.split()[1])
    except OSError:
        pass
    return rss, pss
peak_rss = peak_pss = peak_n = 0
while not os.path.exists(stop):
    ps = tree()
    r = p = 0
    for q in ps:
        a, b = mem(q)
        r += a
        p += b
    peak_rss, peak_pss, peak_n = max(peak_rss, r), max(peak_pss, p), max(peak_n, len(ps))
    if not os.path.exists(out + ".ready"):
        open(out + ".ready", "w").close()
    time.sleep(0.05)
open(out, "w").write("%d %d %d\n" % (peak_rss, peak_pss, peak_n))
PY
}

# ---- servers: start NAME SPOOL PORT; each writes $tmp/NAME.pid ----
start_tern() {
    conf "$2" "$tmp/$1.pid" "$3" > "$tmp/$1.conf"
    env ${4:-} "$tern" -C "$tmp/$1.conf" -bd > "$tmp/$1.out" 2>&1 || return 1
    for _ in $(seq 50); do [ -s "$tmp/$1.pid" ] && break; sleep 0.1; done
    [ -s "$tmp/$1.pid" ]
}
start_exim() {
    conf "$2" "$tmp/$1.pid" "$3" > "$tmp/$1.conf"
    "$exim" -C "$tmp/$1.conf" -bd > "$tmp/$1.out" 2>&1 || return 1
    for _ in $(seq 50); do [ -s "$tmp/$1.pid" ] && break; sleep 0.1; done
    [ -s "$tmp/$1.pid" ]
}
start_tern_fsync() { start_tern "$1" "$2" "$3" TERN_DAEMON_SYNC=fsync; }

# Postfix: a private instance from the unpacked package (its own
# configuration directory, queue under /tmp, no qmgr or pickup, so mail
# stays in the incoming queue; cleanup fsyncs each queue file before the
# 250, as Postfix always does).  Needs the postfix user and the postdrop
# group, created here if missing.
pf_ready=
start_postfix() {
    local d="$tmp/pf" q="$2" pf="$pfroot/usr/sbin/postfix"
    if [ -z "$pf_ready" ]; then
        getent group postdrop >/dev/null || groupadd --system postdrop || return 1
        getent passwd postfix >/dev/null || useradd --system --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin postfix || return 1
        pf_ready=1
    fi
    [ -f "$pfroot/usr/share/postfix/master.cf.dist" ] || return 1
    rm -rf "$d"
    mkdir -p "$d/etc" "$d/data"
    chown postfix "$d/data"
    chown root:root "$q"
    cat > "$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $q
data_directory = $d/data
daemon_directory = $pfroot/usr/lib/postfix/sbin
command_directory = $pfroot/usr/sbin
shlib_directory = $pfroot/usr/lib/postfix
meta_directory = $pfroot/etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.test
mydestination = bench.test
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
local_recipient_maps =
alias_maps =
alias_database =
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
default_process_limit = 100
in_flow_delay = 0
maillog_file = $d/maillog
maillog_file_prefixes = $d
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$pfroot/usr/lib/postfix
EOF
    [ -n "$d" ] || return 1
    sed "s/^smtp *inet .*/$3 inet n - n - - smtpd/" \
        "$pfroot/usr/share/postfix/master.cf.dist" |
        grep -v '^qmgr\|^pickup' > "$d/etc/master.cf"
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" -c "%s" stop\n' \
        "$pfroot/usr/lib/postfix" "$pf" "$d/etc" > "$d/stop"
    chmod +x "$d/stop"
    LD_LIBRARY_PATH="$pfroot/usr/lib/postfix" "$pf" -c "$d/etc" start \
        > "$tmp/$1.out" 2>&1 || return 1
    for _ in $(seq 50); do [ -s "$q/pid/master.pid" ] && break; sleep 0.1; done
    tr -d ' ' < "$q/pid/master.pid" > "$tmp/$1.pid" 2>/dev/null
    [ -s "$tmp/$1.pid" ]
}

queued() {      # queued NAME SPOOL
    case $1 in
    postfix) find "$2/incoming" "$2/active" "$2/deferred" -type f 2>/dev/null | wc -l ;;
    *) find "$2/input" -name '*-H' 2>/dev/null | wc -l ;;
    esac
}

stop_server() {
    local pid
    pid=$(cat "$tmp/$1.pid" 2>/dev/null) || return 0
    if [ "$1" = postfix ]; then "$tmp/pf/stop" >/dev/null 2>&1
    else kill -TERM "$pid" 2>/dev/null; fi
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$tmp/$1.pid"
}

# run NAME SESSIONS SIZE COUNT DFLAG -> "rate queued peakrss peakpss"
run() {
    local name=$1 s=$2 z=$3 n=$4 d=$5 spool="$tmp/spool-$1" port
    port=$(next_port)
    rm -rf "$spool"
    mkdir -p "$spool"
    chown Debian-exim:Debian-exim "$spool"
    if ! "start_${name//-/_}" "$name" "$spool" "$port"; then
        echo "- - - - start-failed"
        return
    fi
    rm -f "$tmp/stop" "$tmp/mem" "$tmp/mem.ready"
    sampler "$(cat "$tmp/$name.pid")" "$tmp/mem" "$tmp/stop" &
    local sp=$! t0 t1
    # python can take a while to start on a busy machine
    for _ in $(seq 300); do [ -e "$tmp/mem.ready" ] && break; sleep 0.05; done
    t0=$(date +%s.%N)
    "$source" $d -s "$s" -m "$n" -l "$z" -f sender@client.test \
        -t rcpt@bench.test -M client.test "127.0.0.1:$port" \
        > "$tmp/source.out" 2>&1
    local rc=$?
    t1=$(date +%s.%N)
    sleep 0.3
    touch "$tmp/stop"
    wait "$sp"
    local q
    q=$(queued "$name" "$spool")
    stop_server "$name"
    rss=0 pss=0
    [ -s "$tmp/mem" ] && read -r rss pss _ < "$tmp/mem"
    local rate
    rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
    [ $rc -eq 0 ] || rate="err"
    echo "$rate $q $((rss / 1024)) $((pss / 1024))"
}

servers="tern exim"
[ $with_fsync = 1 ] && servers="tern tern-fsync exim"
[ $with_postfix = 1 ] && servers="$servers postfix"

lost=0
printf '%-26s' "sessions x size (msgs)"
for v in $servers; do printf '%22s' "$v msg/s (RSS/PSS MB)"; done
printf '%12s\n' "tern/exim"

row() {     # row SESSIONS SIZE COUNT DFLAG LABEL
    local s=$1 z=$2 n=$3 d=$4 label=$5 rate_t= rate_e=
    printf '%-26s' "$label"
    for v in $servers; do
        read -r rate q rss pss fail <<< "$(run "$v" "$s" "$z" "$n" "$d")"
        if [ "${fail:-}" = start-failed ]; then
            printf '%22s' "did not start"
            continue
        fi
        local mark=""
        if [ "$q" != "$n" ]; then mark=" FAIL:$q/$n"; lost=1; fi
        printf '%22s' "$rate ($rss/$pss)$mark"
        [ "$v" = tern ] && rate_t=$rate
        [ "$v" = exim ] && rate_e=$rate
    done
    awk -v t="$rate_t" -v e="$rate_e" 'BEGIN {
        if (t + 0 > 0 && e + 0 > 0) printf "%12.2f\n", t / e; else print "           -" }'
}

for z in $sizes; do
    for s in $sessions; do
        if [ "$s" -eq 1 ]; then n=$((200 * scale)); else n=$((60 * s * scale)); fi
        row "$s" "$z" "$n" -d "$s x $((z / 1024)) KiB ($n)"
    done
done
s=$(echo $sessions | awk '{ print $NF }')
z=$(echo $sizes | awk '{ print $1 }')
n=$((10 * s * scale))
row "$s" "$z" "$n" "" "$s x $((z / 1024)) KiB 1/conn ($n)"

echo
echo "every message queued: $([ $lost = 0 ] && echo yes || echo NO)"
echo "tern: $tern ($(nproc) CPUs; workers: ${TERN_DAEMON_WORKERS:-one per CPU, at least 2})"
uptime | sed 's/^ */load: /'
exit $lost
