#!/usr/bin/env python3
"""SMTP clients for the daemon-*.test scripts.

  banner PORT [HOST]                  print the first reply line
  send PORT --count N --clients C [--per-session K] [--size B]
       [--record FILE] [--kill-owner PIDS] [--hold-after SECS]
                                      send N messages over C concurrent
                                      clients, K per session; record
                                      "seq id" for every 250
  verify SPOOL --record FILE [--size B]
                                      every recorded message is on the
                                      queue exactly once, ids unique,
                                      bodies byte for byte
  hold PORT --ready FILE --go FILE --result FILE
                                      a session that stops in the middle
                                      of DATA until FILE --go exists
  concurrent PORT --n N --hold SECS   N connections at once; prints how
                                      many got 220 and the 421 lines
  probe PORT --seconds S [--ready F]  connect again and again; prints
                                      "ok N failed M" and the banners seen
"""
import argparse
import os
import signal
import socket
import sys
import threading
import time


def body_of(seq, size):
    """The body of message `seq`: distinct per message, `size` bytes."""
    head = "message %d\n" % seq
    line = "%08d the quick brown fox jumps over the lazy dog 0123456789\n" % seq
    out = [head]
    n = len(head)
    while n + len(line) <= size:
        out.append(line)
        n += len(line)
    out.append("x" * max(0, size - n - 1) + "\n")
    return "".join(out)


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.f = self.s.makefile("rb")

    def reply(self):
        lines = []
        while True:
            l = self.f.readline()
            if not l:
                raise EOFError("connection closed; got %r" % lines)
            l = l.decode("latin-1").rstrip("\r\n")
            lines.append(l)
            if len(l) < 4 or l[3] != "-":
                return lines

    def cmd(self, text, want="2"):
        self.s.sendall(text.encode() + b"\r\n")
        r = self.reply()
        if not r[-1].startswith(want):
            raise RuntimeError("%s -> %s" % (text, r))
        return r

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def message(seq, size):
    hdr = ("From: sender@client.test\r\nTo: rcpt@tern.test\r\n"
           "Subject: message %d\r\nMessage-ID: <seq%d@client.test>\r\n\r\n"
           % (seq, seq))
    body = body_of(seq, size).replace("\n", "\r\n")
    return (hdr + body).encode()


def server_inode(sock):
    """The inode of the server's end of our connection (/proc/net/tcp*)."""
    lport = sock.getsockname()[1]
    rport = sock.getpeername()[1]
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = open(name).read().splitlines()[1:]
        except OSError:
            continue
        for r in rows:
            f = r.split()
            loc, rem = f[1], f[2]
            if (int(loc.split(":")[1], 16) == rport and
                    int(rem.split(":")[1], 16) == lport):
                return f[9]
    return None


def owner_of(sock, pids):
    ino = server_inode(sock)
    for pid in pids:
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                try:
                    if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == \
                            "socket:[%s]" % ino:
                        return int(pid)
                except OSError:
                    pass
        except OSError:
            pass
    return None


def send_session(a, seqs, record, lock, errors):
    try:
        c = Conn(a.port)
        c.reply()
        c.cmd("EHLO client.test")
        for seq in seqs:
            c.cmd("MAIL FROM:<sender@client.test>")
            c.cmd("RCPT TO:<rcpt@tern.test>")
            c.cmd("DATA", "3")
            c.s.sendall(message(seq, a.size) + b".\r\n")
            r = c.reply()
            if not r[-1].startswith("250"):
                raise RuntimeError("message %d: %s" % (seq, r))
            mid = [w[3:] for w in r[-1].split() if w.startswith("id=")]
            with lock:
                record.append("%d %s" % (seq, mid[0] if mid else "?"))
            if a.kill_owner:
                pid = owner_of(c.s, a.kill_owner.split(","))
                if pid:
                    os.kill(pid, signal.SIGKILL)
                    print("killed", pid)
                else:
                    print("no owner found")
                if a.hold_after:
                    time.sleep(a.hold_after)
                return
        c.cmd("QUIT")
        c.close()
    except Exception as e:          # noqa: BLE001 - reported, counted
        with lock:
            errors.append(str(e))


def cmd_send(a):
    seqs = list(range(a.count))
    per = max(1, a.per_session)
    sessions = [seqs[i:i + per] for i in range(0, len(seqs), per)]
    record, errors, lock = [], [], threading.Lock()
    work = list(sessions)

    def worker():
        while True:
            with lock:
                if not work:
                    return
                s = work.pop(0)
            send_session(a, s, record, lock, errors)

    t0 = time.time()
    ts = [threading.Thread(target=worker) for _ in range(a.clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    dt = time.time() - t0
    if a.record:
        with open(a.record, "w") as f:
            f.write("\n".join(sorted(record, key=lambda r: int(r.split()[0])))
                    + "\n")
    print("sent %d of %d in %.2fs (%.0f/s), %d errors" %
          (len(record), a.count, dt, len(record) / dt if dt else 0,
           len(errors)))
    for e in errors[:5]:
        print("error:", e)
    return 0 if not errors and len(record) == a.count else 1


def cmd_verify(a):
    rec = {}
    for l in open(a.record):
        if l.strip():
            seq, mid = l.split()
            rec[int(seq)] = mid
    ids = list(rec.values())
    bad = 0
    if len(set(ids)) != len(ids):
        print("duplicate ids in the 250 replies")
        bad += 1
    found = {}
    for root, _, files in os.walk(os.path.join(a.spool, "input")):
        for fn in files:
            if fn.endswith("-H") and not fn.startswith("tmp"):
                mid = fn[:-2]
                d = open(os.path.join(root, mid + "-D"), "rb").read()
                first, _, body = d.partition(b"\n")
                if first.decode() != mid + "-D":
                    print("bad first line in", mid)
                    bad += 1
                    continue
                seq = int(body.split(b"\n", 1)[0].split()[1])
                found.setdefault(seq, []).append((mid, body))
    for seq, mid in rec.items():
        got = found.get(seq, [])
        if len(got) != 1:
            print("message %d is on the queue %d times" % (seq, len(got)))
            bad += 1
            continue
        if mid != "?" and got[0][0] != mid:
            print("message %d: queued as %s, 250 said %s" % (seq, got[0][0],
                                                             mid))
            bad += 1
        if got[0][1] != body_of(seq, a.size).encode():
            print("message %d: body differs" % seq)
            bad += 1
    extra = set(found) - set(rec)
    if extra:
        print("on the queue but never acknowledged:", sorted(extra)[:10])
    print("verified %d messages, %d on the queue, %d problems" %
          (len(rec), sum(len(v) for v in found.values()), bad))
    return 1 if bad else 0


def cmd_banner(a):
    c = Conn(a.port, a.host, timeout=5)
    print(c.reply()[0])
    c.close()
    return 0


def cmd_hold(a):
    c = Conn(a.port)
    c.reply()
    c.cmd("EHLO client.test")
    c.cmd("MAIL FROM:<sender@client.test>")
    c.cmd("RCPT TO:<rcpt@tern.test>")
    c.cmd("DATA", "3")
    m = message(7, 2000)
    c.s.sendall(m[:len(m) // 2])
    open(a.ready, "w").close()
    for _ in range(600):
        if os.path.exists(a.go):
            break
        time.sleep(0.05)
    c.s.sendall(m[len(m) // 2:] + b".\r\n")
    r = c.reply()
    try:
        q = c.cmd("QUIT")
    except Exception as e:          # noqa: BLE001
        q = [str(e)]
    with open(a.result, "w") as f:
        f.write(r[-1] + "\n" + q[-1] + "\n")
    return 0


def cmd_concurrent(a):
    conns, lines = [], []
    for _ in range(a.n):
        try:
            c = Conn(a.port, timeout=5)
            lines.append(c.reply()[0])
            conns.append(c)
        except Exception as e:      # noqa: BLE001
            lines.append("error " + str(e))
    ok = sum(1 for l in lines if l.startswith("220"))
    print("220: %d" % ok)
    for l in sorted(set(l for l in lines if not l.startswith("220"))):
        print(l)
    time.sleep(a.hold)
    for c in conns:
        c.close()
    return 0


def cmd_probe(a):
    ok = failed = 0
    banners = set()
    end = time.time() + a.seconds
    while time.time() < end:
        try:
            c = Conn(a.port, timeout=5)
            banners.add(c.reply()[0])
            c.cmd("QUIT")
            c.close()
            ok += 1
            if a.ready and ok == 1:
                open(a.ready, "w").close()
        except Exception as e:      # noqa: BLE001
            failed += 1
            print("failure:", e)
    print("ok %d failed %d" % (ok, failed))
    for b in sorted(banners):
        print("banner:", b)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("banner")
    s.add_argument("port", type=int)
    s.add_argument("host", nargs="?", default="127.0.0.1")
    s = sub.add_parser("send")
    s.add_argument("port", type=int)
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--clients", type=int, default=1)
    s.add_argument("--per-session", type=int, default=1)
    s.add_argument("--size", type=int, default=1024)
    s.add_argument("--record")
    s.add_argument("--kill-owner")
    s.add_argument("--hold-after", type=float, default=0)
    s = sub.add_parser("verify")
    s.add_argument("spool")
    s.add_argument("--record", required=True)
    s.add_argument("--size", type=int, default=1024)
    s = sub.add_parser("hold")
    s.add_argument("port", type=int)
    s.add_argument("--ready", required=True)
    s.add_argument("--go", required=True)
    s.add_argument("--result", required=True)
    s = sub.add_parser("concurrent")
    s.add_argument("port", type=int)
    s.add_argument("--n", type=int, required=True)
    s.add_argument("--hold", type=float, default=1)
    s = sub.add_parser("probe")
    s.add_argument("port", type=int)
    s.add_argument("--seconds", type=float, default=2)
    s.add_argument("--ready")
    a = p.parse_args()
    return globals()["cmd_" + a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
