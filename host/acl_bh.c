/*
 * NAME
 *   acl_bh.c - tern -bh IP[.port]: test the ACLs with a fake SMTP session
 *
 * SYNOPSIS
 *   tern -C conf -bh 192.0.2.1 < commands
 *   tern -C conf -bh 2001:db8::1.5678
 *
 * DESCRIPTION
 *   Exim's -bh: an SMTP session on the standard input and output, as if
 *   the client were at the given address (a port may follow after a
 *   full stop).  The ACL trace (">>> processing "deny"" ...) and every
 *   line that would have been logged ("LOG: ...") go to the standard
 *   error; no log file is written and no message is kept.
 *
 *   The session itself is the SMTP engine's -bs: this mode checks and
 *   records the address (host_bh_address, host_bh_port, with the IPv6
 *   form canonical), turns the trace on and calls host_mode_bs(), which
 *   takes the peer from there and discards what it receives.
 *
 * DIAGNOSTICS
 *   "tern: -bh needs an IP address: x" (exit 1).
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "host.h"

/* Split "addr" / "addr.port" into a canonical address and a port. */
static int
parse_peer(const char *s, char *addr, size_t size, int *port)
{
    unsigned char bin[16];
    char tmp[INET6_ADDRSTRLEN + 8];
    const char *dot;

    *port = 0;
    if (strlen(s) >= sizeof tmp)
        return -1;
    if (inet_pton(AF_INET, s, bin) == 1 ||
        inet_pton(AF_INET6, s, bin) == 1) {
        int v6 = strchr(s, ':') != NULL;
        return inet_ntop(v6 ? AF_INET6 : AF_INET, bin, addr,
                         (socklen_t)size) ? 0 : -1;
    }
    if ((dot = strrchr(s, '.')) == NULL || dot[1] == '\0' ||
        strspn(dot + 1, "0123456789") != strlen(dot + 1))
        return -1;
    memcpy(tmp, s, (size_t)(dot - s));
    tmp[dot - s] = '\0';
    *port = atoi(dot + 1);
    if (*port > 65535)
        return -1;
    if (inet_pton(AF_INET, tmp, bin) == 1)
        return inet_ntop(AF_INET, bin, addr, (socklen_t)size) ? 0 : -1;
    if (inet_pton(AF_INET6, tmp, bin) == 1)
        return inet_ntop(AF_INET6, bin, addr, (socklen_t)size) ? 0 : -1;
    return -1;
}

int
host_mode_bh(const struct host_cmdline *cl, const char *ip)
{
    static char addr[INET6_ADDRSTRLEN];
    int port;

    if (ip == NULL || parse_peer(ip, addr, sizeof addr, &port) != 0) {
        fprintf(stderr, "tern: -bh needs an IP address: %s\n",
                ip ? ip : "(none)");
        return HOST_EXIT_FAIL;
    }
    host_bh_address = addr;
    host_bh_port = port;
    host_acl_trace = stderr;
    fprintf(stderr, "\n**** SMTP testing session as if from host %s\n"
            "**** but without any ident (RFC 1413) callback.\n"
            "**** This is not for real!\n\n", addr);
    return host_mode_bs(cl);
}
