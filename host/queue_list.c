/*
 * NAME
 *   queue_list.c - placeholder until the receive path lands (issue 5)
 */
#include "config.h"

#include <stdio.h>

#include "host.h"

int
host_mode_queue_list(const struct host_cmdline *cl, const char *which)
{
    (void)cl;
    fprintf(stderr, "tern: -b%s is not implemented yet in this version\n",
            which);
    return HOST_EXIT_UNIMPLEMENTED;
}
