/*
 * NAME
 *   smtp_bs.c - placeholder until the receive path lands (issue 5)
 */
#include "config.h"

#include <stdio.h>

#include "host.h"

int
host_mode_bs(const struct host_cmdline *cl)
{
    (void)cl;
    fprintf(stderr, "tern: -bs is not implemented yet in this version\n");
    return HOST_EXIT_UNIMPLEMENTED;
}
