/*
 * NAME
 *   submit.c - placeholder until the receive path lands (issue 5)
 */
#include "config.h"

#include <stdio.h>

#include "host.h"

int
host_mode_submit(const struct host_cmdline *cl)
{
    (void)cl;
    fprintf(stderr, "tern: receiving a message from the command line is not implemented yet in this version\n");
    return HOST_EXIT_UNIMPLEMENTED;
}
