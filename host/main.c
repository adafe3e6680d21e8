/*
 * NAME
 *   main.c - the tern command line (Exim's, as far as this version goes)
 *
 * SYNOPSIS
 *   tern [-C file] [-D NAME[=value]]... -bV
 *   tern [-C file] [-D NAME[=value]]... -bP [item...]
 *   tern [-C file] [-D NAME[=value]]... -be [string...]
 *
 * DESCRIPTION
 *   Options are read as Exim reads them: up to the first argument that
 *   is not an option (or `--`); what follows is the -bP item list or, in
 *   Exim's default mode, the recipients of a message.  `-C` takes a
 *   source configuration or a compiled plan; `-D` defines a macro for a
 *   source configuration, as often as needed, attached (-DNAME=v) or not.
 *
 *   Exim options that Tern will have but this version does not (see
 *   DESIGN.md's compatibility list: -bd -bp -bs -bt -q -M -oX -od...
 *   -v -d, and receiving a message) are recognised and refused with a
 *   message saying so and exit status 2: never silently accepted.
 *
 * DIAGNOSTICS
 *   "tern abandoned: unknown, malformed, or incomplete option -x", exit
 *   status 1, as Exim 4.96 words it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "host.h"

enum host_mode {
    MODE_NONE, MODE_BV, MODE_BP, MODE_BD, MODE_BS, MODE_BM, MODE_QLIST,
    MODE_BH,
    MODE_BE
};

static const char *progname = "tern";

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: %s [-C file] [-D NAME[=value]]... -bV\n"
            "       %s [-C file] [-D NAME[=value]]... -bP [item...]\n"
            "       %s [-C file] [-D NAME[=value]]... -be [string...]\n"
            "Tern reads Exim's configuration language and command line;"
            " see tern(8).\n", progname, progname, progname);
}

static int
abandon(const char *opt)
{
    fprintf(stderr, "%s abandoned: unknown, malformed, or incomplete"
            " option %s\n", progname, opt);
    return HOST_EXIT_FAIL;
}

static int
unimplemented(const char *what)
{
    fprintf(stderr, "%s: %s is not implemented yet in this version\n",
            progname, what);
    return HOST_EXIT_UNIMPLEMENTED;
}

/* Exim options this version knows of but does not do yet.  A trailing
 * '*' matches any suffix (-q30m, -qff, -d+all, -odb). */
static const char *const later[] = {
    "-bt", "-M", "-Mrm", "-Mf", "-Mt", "-Mvh", "-Mvb", "-Mvl",
    NULL
};

static int
is_later(const char *arg)
{
    for (size_t i = 0; later[i] != NULL; i++) {
        size_t n = strlen(later[i]);

        if (later[i][n - 1] == '*' ? strncmp(arg, later[i], n - 1) == 0
                                   : strcmp(arg, later[i]) == 0)
            return 1;
    }
    return 0;
}

/* An option's argument: attached (-Cfile) or the next word (-C file). */
static const char *
opt_arg(int argc, char **argv, int *i, size_t optlen)
{
    if (argv[*i][optlen] != '\0')
        return argv[*i] + optlen;
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int
set_mode(enum host_mode *mode, enum host_mode m, const char *arg)
{
    if (*mode != MODE_NONE && *mode != m) {
        fprintf(stderr, "%s abandoned: %s cannot be combined with another"
                " -b option\n", progname, arg);
        return -1;
    }
    *mode = m;
    return 0;
}

/* Parse options into cl and *mode; -1 when the caller should exit with
 * *status. */
static int
parse(int argc, char **argv, struct host_cmdline *cl, enum host_mode *mode,
      const char **qlist, const char **bh_ip, int *status, int *first_arg)
{
    const char *a = NULL;
    int i;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        a = argv[i];

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            *status = HOST_EXIT_OK;
            return -1;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-bV") == 0) {
            if (set_mode(mode, MODE_BV, a) != 0)
                goto fail;
        } else if (strcmp(a, "-bP") == 0) {
            if (set_mode(mode, MODE_BP, a) != 0)
                goto fail;
        } else if (strcmp(a, "-bd") == 0 || strcmp(a, "-bdf") == 0) {
            if (set_mode(mode, MODE_BD, a) != 0)
                goto fail;
            cl->foreground = a[3] == 'f';
        } else if (strcmp(a, "-be") == 0) {
            if (set_mode(mode, MODE_BE, a) != 0)
                goto fail;
        } else if (strcmp(a, "-bh") == 0) {
            if (set_mode(mode, MODE_BH, a) != 0)
                goto fail;
            *bh_ip = opt_arg(argc, argv, &i, 3);
            if (*bh_ip == NULL || **bh_ip == '\0')
                goto bad;
        } else if (strcmp(a, "-bs") == 0) {
            if (set_mode(mode, MODE_BS, a) != 0)
                goto fail;
        } else if (strcmp(a, "-bm") == 0) {
            if (set_mode(mode, MODE_BM, a) != 0)
                goto fail;
        } else if (strcmp(a, "-bp") == 0 || strcmp(a, "-bpc") == 0 ||
                   strcmp(a, "-bpu") == 0 || strcmp(a, "-bpr") == 0 ||
                   strcmp(a, "-bpa") == 0 || strcmp(a, "-bpru") == 0) {
            if (set_mode(mode, MODE_QLIST, a) != 0)
                goto fail;
            *qlist = a + 2;
        } else if (strncmp(a, "-C", 2) == 0) {
            cl->config = opt_arg(argc, argv, &i, 2);
            if (cl->config == NULL || *cl->config == '\0')
                goto bad;
        } else if (strncmp(a, "-D", 2) == 0) {
            const char *d = opt_arg(argc, argv, &i, 2);

            if (d == NULL || *d == '\0' || *d == '=')
                goto bad;
            cl->defines[cl->n_defines++] = d;
        } else if (strcmp(a, "-oX") == 0) {
            cl->listen = opt_arg(argc, argv, &i, 3);
            if (cl->listen == NULL || *cl->listen == '\0')
                goto bad;
        } else if (a[1] == 'f' || a[1] == 'r') {
            /* -f addr, -faddr, -r (obsolete synonym); "<>" is empty. */
            cl->sender = opt_arg(argc, argv, &i, 2);
            if (cl->sender == NULL)
                goto bad;
            if (strcmp(cl->sender, "<>") == 0)
                cl->sender = "";
        } else if (strncmp(a, "-F", 2) == 0) {
            cl->sender_name = opt_arg(argc, argv, &i, 2);
            if (cl->sender_name == NULL)
                goto bad;
        } else if (strcmp(a, "-t") == 0) {
            cl->extract_recipients = 1;
        } else if (strcmp(a, "-i") == 0 || strcmp(a, "-oi") == 0) {
            cl->dot_ends = 0;
        } else if (strcmp(a, "-oitrue") == 0) {
            cl->dot_ends = 0;
        } else if (strcmp(a, "-odq") == 0 || strcmp(a, "-odi") == 0 ||
                   strcmp(a, "-odb") == 0 || strcmp(a, "-odf") == 0) {
            cl->delivery_mode = a[3] == 'f' ? 'i' : a[3];
        } else if (strncmp(a, "-oe", 3) == 0 || strcmp(a, "-om") == 0 ||
                   strcmp(a, "-oem") == 0 || strcmp(a, "-em") == 0) {
            /* sendmail error-reporting modes: accepted, as Exim does */
        } else if (strcmp(a, "-oP") == 0) {
            cl->pid_file = opt_arg(argc, argv, &i, 3);
            if (cl->pid_file == NULL || *cl->pid_file == '\0')
                goto bad;
        } else if (strcmp(a, "-oMr") == 0) {
            cl->oMr = opt_arg(argc, argv, &i, 4);
            if (cl->oMr == NULL)
                goto bad;
        } else if (a[1] == 'q') {
            /* -q, -qf, -qff, with an optional interval: -q15m, -qf30s */
            const char *q = a + 2;
            while (*q == 'f' && cl->queue_force < 2) {
                cl->queue_force++;
                q++;
            }
            if (*q != '\0' && !(*q >= '0' && *q <= '9'))
                goto bad;
            cl->queue_interval = q;
        } else if (strcmp(a, "-v") == 0) {
            cl->verbose = 1;
        } else if (a[1] == 'd' && (a[2] == '\0' || a[2] == '+' ||
                                   a[2] == '-' || a[2] == '=')) {
            cl->debug = a + 2;
        } else if (is_later(a)) {
            *status = unimplemented(a);
            return -1;
        } else {
            goto bad;
        }
    }
    *first_arg = i;
    return 0;
bad:
    *status = abandon(a);
    return -1;
fail:
    *status = HOST_EXIT_FAIL;
    return -1;
}

int
main(int argc, char **argv)
{
    struct host_cmdline cl;
    enum host_mode mode = MODE_NONE;
    const char *qlist = "", *bh_ip = NULL;
    int status = HOST_EXIT_OK, first = argc;
    int rc;

    TERN_MODLOAD_PREOPEN();
    memset(&cl, 0, sizeof cl);
    /* No more -D than arguments: one array, no growth. */
    cl.defines = calloc((size_t)argc + 1, sizeof *cl.defines);
    if (cl.defines == NULL) {
        perror(progname);
        return HOST_EXIT_FAIL;
    }
    cl.dot_ends = 1;
    if (parse(argc, argv, &cl, &mode, &qlist, &bh_ip, &status, &first) != 0) {
        free(cl.defines);
        return status;
    }
    cl.items = argv + first;
    cl.n_items = (size_t)(argc - first);
    switch (mode) {
    case MODE_BV:
        rc = cl.n_items ? abandon(cl.items[0]) : host_mode_bv(&cl);
        break;
    case MODE_BP:
        rc = host_mode_bp(&cl);
        break;
    case MODE_BD:
        rc = cl.n_items ? abandon(cl.items[0]) : host_mode_bd(&cl);
        break;
    case MODE_BE:
        rc = host_mode_be(&cl);
        break;
    case MODE_BS:
        rc = host_mode_bs(&cl);
        break;
    case MODE_BH:
        rc = host_mode_bh(&cl, bh_ip);
        break;
    case MODE_QLIST:
        rc = host_mode_queue_list(&cl, qlist);
        break;
    case MODE_BM:
        rc = host_mode_submit(&cl);
        break;
    default:
        if (cl.queue_interval != NULL) {
            rc = unimplemented("a queue run (-q)");
        } else if (cl.n_items > 0 || cl.extract_recipients) {
            rc = host_mode_submit(&cl);
        } else {
            fprintf(stderr, "%s is a mail transfer agent that speaks Exim's"
                    " configuration language.\n", progname);
            usage(stderr);
            rc = HOST_EXIT_FAIL;
        }
        break;
    }
    free(cl.defines);
    return rc;
}
