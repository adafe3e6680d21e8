#!/usr/bin/python3
# NAME
#   acl-dnsd.py - a tiny authoritative DNS server for the ACL tests
#
# SYNOPSIS
#   acl-dnsd.py ZONEFILE PORTFILE [PIDFILE]
#
# DESCRIPTION
#   Answers UDP queries on 127.0.0.1 from a zone file and nothing else:
#   no recursion, no TCP, no EDNS.  It binds an ephemeral port, writes
#   the port number to PORTFILE (then the tests point Tern at it with
#   TERN_DNS_SERVER=127.0.0.1:PORT) and serves until killed.
#
#   Zone file lines (blank lines and `#` comments ignored):
#
#     NAME A 127.0.0.2              an address record
#     NAME AAAA ::1
#     NAME TXT "some text" "more"   one TXT record of character strings
#     NAME PTR host.example
#     NAME MX 10 mx.example
#     NAME SERVFAIL                 every query for NAME fails (rcode 2)
#     NAME DROP                     queries for NAME are never answered
#
#   Names are absolute, without the final dot, compared caselessly.  A
#   name with no records of the asked type but some of another type gets
#   an empty NOERROR answer (NODATA); an unknown name gets NXDOMAIN.
#   Each query is appended to PORTFILE.log as "NAME TYPE", so a test can
#   check what was (or was not) asked.
#
# DIAGNOSTICS
#   Exits 1 with a message on a malformed zone line.
import os
import socket
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16,
         "AAAA": 28}
NAMES = {v: k for k, v in TYPES.items()}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def txt_strings(rest):
    """Split `"a b" "c"` (or bare words) into character strings."""
    out, i = [], 0
    while i < len(rest):
        if rest[i].isspace():
            i += 1
        elif rest[i] == '"':
            j, s = i + 1, ""
            while j < len(rest) and rest[j] != '"':
                if rest[j] == "\\" and j + 1 < len(rest):
                    j += 1
                s += rest[j]
                j += 1
            out.append(s.encode())
            i = j + 1
        else:
            j = i
            while j < len(rest) and not rest[j].isspace():
                j += 1
            out.append(rest[i:j].encode())
            i = j
    return b"".join(bytes([len(s)]) + s for s in out)


def rdata(rtype, rest):
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, rest)
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, rest)
    if rtype in ("PTR", "NS", "CNAME"):
        return encode_name(rest)
    if rtype == "MX":
        pref, host = rest.split()
        return struct.pack("!H", int(pref)) + encode_name(host)
    if rtype == "TXT":
        return txt_strings(rest)
    raise ValueError("unknown type " + rtype)


def load(path):
    zone, special = {}, {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) == 2 and parts[1] in ("SERVFAIL", "DROP"):
                special[parts[0].lower()] = parts[1]
                continue
            if len(parts) != 3 or parts[1] not in TYPES:
                sys.exit("%s:%d: bad zone line" % (path, n))
            name = parts[0].lower().rstrip(".")
            zone.setdefault(name, []).append(
                (TYPES[parts[1]], rdata(parts[1], parts[2])))
    return zone, special


def parse_question(msg):
    i, labels = 12, []
    while msg[i] != 0:
        ln = msg[i]
        labels.append(msg[i + 1:i + 1 + ln].decode("ascii", "replace"))
        i += 1 + ln
    qtype, qclass = struct.unpack("!HH", msg[i + 1:i + 5])
    return ".".join(labels).lower(), qtype, msg[12:i + 5]


def answer(msg, zone, special, log):
    qid, flags = struct.unpack("!HH", msg[:4])
    name, qtype, question = parse_question(msg)
    log.write("%s %s\n" % (name, NAMES.get(qtype, str(qtype))))
    log.flush()
    what = special.get(name)
    if what == "DROP":
        return None
    rcode, records = 0, []
    if what == "SERVFAIL":
        rcode = 2
    elif name not in zone:
        rcode = 3
    else:
        records = [r for r in zone[name] if r[0] == qtype]
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | rcode
    out = struct.pack("!HHHHHH", qid, rflags, 1, len(records), 0, 0)
    out += question
    for rtype, data in records:
        out += struct.pack("!HHHIH", 0xC00C, rtype, 1, 300, len(data))
        out += data
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: acl-dnsd.py ZONEFILE PORTFILE [PIDFILE]")
    zone, special = load(sys.argv[1])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            f.write("%d\n" % os.getpid())
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, sys.argv[2])
    with open(sys.argv[2] + ".log", "a") as log:
        while True:
            msg, peer = sock.recvfrom(4096)
            try:
                out = answer(msg, zone, special, log)
            except (IndexError, struct.error):
                continue
            if out is not None:
                sock.sendto(out, peer)


if __name__ == "__main__":
    main()
