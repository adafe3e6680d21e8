#!/usr/bin/env python3
# NAME
#   tls-client.py - a TLS SMTP client for the tls-*.test scripts
#
# SYNOPSIS
#   tls-client.py ehlo PORT                    EHLO keywords, one a line
#   tls-client.py send PORT [options]          one message; prints
#                                              "version cipher" and the
#                                              final reply code
#   tls-client.py garbage PORT [--starttls]    junk instead of a Client
#                                              Hello; prints "closed" when
#                                              the server hung up
#   Options: --tlsc (TLS on connect), --cert FILE --key FILE, --sni NAME,
#            --tls12, --ciphers LIST, --rcpt ADDR
#
# DESCRIPTION
#   Python's smtplib and ssl, so the server is checked against a client
#   that is not OpenSSL driven by our own code.  The server's certificate
#   is not verified (the tests make a throw-away CA).
import argparse
import smtplib
import socket
import ssl
import sys


def context(a):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    if a.cert:
        c.load_cert_chain(a.cert, a.key)
    if a.tls12:
        c.maximum_version = ssl.TLSVersion.TLSv1_2
    if a.ciphers:
        c.set_ciphers(a.ciphers)
    return c


def wrap_sni(c, sni):
    # smtplib passes the host it connected to as server_hostname; the
    # test wants to choose the SNI, so wrap with it explicitly.
    orig = c.wrap_socket

    def w(sock, server_side=False, do_handshake_on_connect=True,
          suppress_ragged_eofs=True, server_hostname=None, session=None):
        return orig(sock, server_side, do_handshake_on_connect,
                    suppress_ragged_eofs, sni, session)
    c.wrap_socket = w
    return c


def send(a):
    c = context(a)
    if a.sni:
        wrap_sni(c, a.sni)
    if a.tlsc:
        s = smtplib.SMTP_SSL("127.0.0.1", a.port, context=c, timeout=10)
    else:
        s = smtplib.SMTP("127.0.0.1", a.port, timeout=10)
        s.ehlo("client.test")
        s.starttls(context=c)
    s.ehlo("client.test")
    ver = s.sock.version()
    cipher = s.sock.cipher()[0]
    s.mail("sender@client.test")
    s.rcpt(a.rcpt)
    code, _ = s.data(b"Subject: tls test\r\n\r\nbody\r\n")
    s.quit()
    print(ver, cipher)
    print(code)


def ehlo(a):
    s = smtplib.SMTP("127.0.0.1", a.port, timeout=10)
    s.ehlo("client.test")
    for k in s.esmtp_features:
        print(k.upper())
    s.quit()


def garbage(a):
    sock = socket.create_connection(("127.0.0.1", a.port), timeout=10)
    f = sock.makefile("rb")
    if a.starttls:
        f.readline()
        sock.sendall(b"EHLO client.test\r\n")
        while True:
            line = f.readline()
            if not line or line[3:4] == b" ":
                break
        sock.sendall(b"STARTTLS\r\n")
        f.readline()
    sock.sendall(b"GET / HTTP/1.0\r\n\r\n" + b"\0" * 64)
    try:
        while sock.recv(4096):
            pass
        print("closed")
    except OSError as e:
        print("error", e)


p = argparse.ArgumentParser()
p.add_argument("what")
p.add_argument("port", type=int)
p.add_argument("--tlsc", action="store_true")
p.add_argument("--starttls", action="store_true")
p.add_argument("--cert")
p.add_argument("--key")
p.add_argument("--sni")
p.add_argument("--tls12", action="store_true")
p.add_argument("--ciphers")
p.add_argument("--rcpt", default="user@tern.test")
a = p.parse_args()
try:
    {"send": send, "ehlo": ehlo, "garbage": garbage}[a.what](a)
except (smtplib.SMTPException, ssl.SSLError, OSError) as e:
    print("failed:", e)
    sys.exit(1)
