# Helpers for the daemon-*.test scripts (sourced after lib.sh).
#
#   daemon_conf FILE [extra main options...]   a queue-only configuration
#                                             with its spool in $T_TMP
#   daemon_start CONF [tern options...]       -bdf in the background;
#                                             waits until it accepts
#   daemon_stop                               SIGTERM, wait for the exit
#   daemon_workers                            pids of the workers
#   free_port                                 an unused loopback port
#   smtp_client ARGS...                       daemon-client.py
#
# Workers run as `nobody`, so the test's directory is made searchable.

CLIENT="$TERN_SRCDIR/tests/integration/daemon-client.py"
D_PID=
D_PORT=
SPOOL="$T_TMP/spool"

[ "$(id -u)" -eq 0 ] || skip_all "needs root: the daemon drops to nobody"
getent passwd nobody >/dev/null || skip_all "no user nobody"
command -v python3 >/dev/null || skip_all "python3 missing"
[ -x "$TERN" ] || skip_all "tern not built"
chmod 755 "$T_TMP"
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

# An unused TCP port on 127.0.0.1 (and ::1 when there is IPv6), below
# the ephemeral range so no client connection can be using it.
free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000)
    try:
        s = socket.socket()
        s.bind(("127.0.0.1", p))
        s.close()
    except OSError:
        continue
    try:
        t = socket.socket(socket.AF_INET6)
        t.bind(("::1", p))
        t.close()
    except OSError as e:
        if e.errno not in (97, 99):   # no IPv6 here: fine
            continue
    print(p)
    break
PY
}

smtp_client() { python3 "$CLIENT" "$@"; }

# daemon_conf FILE [extra lines...]
daemon_conf() {
    local f=$1
    shift
    {
        echo "exim_user = nobody"
        echo "exim_group = $(id -gn nobody)"
        echo "spool_directory = $SPOOL"
        echo "log_file_path = $SPOOL/log/%slog"
        echo "primary_hostname = tern.test"
        echo "smtp_banner = tern.test ESMTP daemon test"
        echo "queue_only"
        echo "daemon_startup_retries = 0"
        echo "acl_smtp_rcpt = acl_rcpt"
        for l in "$@"; do echo "$l"; done
        cat <<'CONF'

begin acl
acl_rcpt:
  accept
CONF
    } > "$f"
}

# wait_port PORT [HOST]: until something accepts there (5 s at most).
wait_port() {
    python3 - "$1" "${2:-127.0.0.1}" <<'PY'
import socket, sys, time
port, host = int(sys.argv[1]), sys.argv[2]
for _ in range(100):
    try:
        socket.create_connection((host, port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# daemon_start CONF [options]: sets D_PID; D_PORT must be set.
daemon_start() {
    local conf=$1
    shift
    "$TERN" -C "$conf" -bdf "$@" >"$T_TMP/daemon.out" 2>&1 &
    D_PID=$!
    if ! wait_port "$D_PORT"; then
        echo "daemon did not start:"; sed 's/^/    | /' "$T_TMP/daemon.out"
        return 1
    fi
    # the workers: forked at start, give them a moment to exist
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        [ -n "$(daemon_workers)" ] && break
        sleep 0.1
    done
}

daemon_workers() { pgrep -P "$D_PID" 2>/dev/null | sort -n; }

# daemon_stop: SIGTERM and wait (40 s at most: sessions still open get
# 30 s); 0 when it exited.
daemon_stop() {
    [ -n "$D_PID" ] || return 0
    kill -TERM "$D_PID" 2>/dev/null
    for _ in $(seq 400); do
        kill -0 "$D_PID" 2>/dev/null || { wait "$D_PID" 2>/dev/null; D_PID=; return 0; }
        sleep 0.1
    done
    kill -KILL "$D_PID" 2>/dev/null
    D_PID=
    return 1
}

# Never leave a daemon behind, whatever happens.
daemon_cleanup() {
    if [ -n "$D_PID" ]; then
        for w in $(daemon_workers); do kill -KILL "$w" 2>/dev/null; done
        kill -KILL "$D_PID" 2>/dev/null
    fi
    rm -rf "$T_TMP"
}
trap daemon_cleanup EXIT

# Uid of a process (the real one, from /proc).
proc_uid() { awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# Messages on the queue (-H files).
queue_count() { find "$SPOOL/input" -name '*-H' 2>/dev/null | wc -l; }
