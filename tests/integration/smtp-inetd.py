#!/usr/bin/python3
# smtp-inetd.py - run `tern -bs` for each TCP connection, as inetd would.
#
# Usage: smtp-inetd.py PORTFILE TERN ARGS...
#
# Listens on 127.0.0.1 (a free port, written to PORTFILE once listening)
# and, for every connection, starts TERN ARGS... -bs with the connection
# as its standard input and output.  The SMTP engine then sees a remote
# client (127.0.0.1) and applies everything that applies to one:
# synchronisation checks, timeouts, host lists.  This lets the SMTP
# integration tests talk real TCP before the daemon (-bd) exists.
# Stops on SIGTERM (waiting for the sessions that are still running).

import os
import select
import signal
import socket
import subprocess
import sys


def main():
    portfile, cmd = sys.argv[1], sys.argv[2:]
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    children = []

    def stop(*_):
        for c in children:
            try:
                c.wait(timeout=30)
            except subprocess.TimeoutExpired:
                c.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        r, _, _ = select.select([lsock], [], [], 1.0)
        if lsock in r:
            conn, _ = lsock.accept()
            children.append(subprocess.Popen(cmd + ["-bs"], stdin=conn,
                                             stdout=conn))
            conn.close()
        children = [c for c in children if c.poll() is None]


if __name__ == "__main__":
    main()
