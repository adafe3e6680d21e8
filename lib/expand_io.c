/*
 * NAME
 *   expand_io.c - ${readfile}, ${readsocket} and ${run}
 *
 * SYNOPSIS
 *   ${readfile{/etc/motd}{<eol>}}
 *   ${readsocket{inet:host:port}{request}{5s:shutdown=no}{<eol>}{<failed>}}
 *   ${run{/bin/cmd arg $var}{yes}{no}}   ${run,preexpand{...}}
 *
 * DESCRIPTION
 *   readfile reads the file itself (bounded by env->max_len).  Sockets
 *   and commands go through the host's hooks (env->readsocket, env->run;
 *   expand_sys.c has plain implementations a host may plug in), because
 *   where and how they may run (privileges, timeouts, event loop) is the
 *   host's decision.
 *
 *   The command of ${run} was split into words while parsing and each
 *   word was parsed on its own, as Exim expands each argument after
 *   splitting; with `preexpand` the whole string is expanded first and
 *   split afterwards.  Either way the words become argv directly: no
 *   shell ever sees them.  $value holds the output while the yes or no
 *   string is expanded; $runrc keeps the exit status.
 *
 * DIAGNOSTICS
 *   An unreadable file or a failed socket (without a fifth argument) is
 *   an expansion error; a command that cannot be run has status 127.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tern/module.h>

#include "arena.h"
#include "expand_int.h"

static void replace_newlines(struct xs s, struct xs eol, struct xb *out)
{
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '\n')
            xb_add(out, eol.p, eol.len);
        else
            xb_addc(out, s.p[i]);
    }
}

static int it_readfile(struct ev *v, uint32_t node, struct xb *out)
{
    struct xs name, eol = xs_make("", 0);
    int has_eol = ev_node(v, node)->b > 1;
    if (ev_str(v, ev_child(v, node, 0), &name) < 0 ||
        (has_eol && ev_str(v, ev_child(v, node, 1), &eol) < 0))
        return -1;
    if (strlen(name.p) != name.len)
        return ev_fail(v, TERN_EXP_ERROR, node, "bad file name");
    int fd = open(name.p, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ev_fail(v, TERN_EXP_ERROR, node, "failed to open %s: %s",
                       name.p, strerror(errno));
    struct xb data;
    ev_xb(v, &data);
    char buf[8192];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;      /* as Exim: a read error (a directory) ends it */
        }
        xb_add(&data, buf, (size_t)r);
        if (data.overflow)
            break;
    }
    close(fd);
    if (data.overflow)
        return ev_fail(v, TERN_EXP_ERROR, node, "%s is too large", name.p);
    struct xs s = xb_str(&data);
    if (has_eol)
        replace_newlines(s, eol, out);
    else
        xb_add(out, s.p, s.len);
    return 0;
}

static void sock_options(struct ev *v, struct xs opts,
                         struct tern_exp_sockopts *o)
{
    struct xlist l;
    struct xs item;
    int first = 1;
    o->timeout = 5;
    o->shutdown = 1;
    o->tls = 0;
    o->cache = 0;
    xlist_start(&l, opts, ':');
    while (xlist_next(&l, v->a, &item)) {
        long long t;
        if (first) {
            first = 0;
            if (exp_time_eval(item, &t) == 0 && t < 86400)
                o->timeout = (int)t;
            continue;
        }
        const char *eq = memchr(item.p, '=', item.len);
        if (!eq)
            continue;
        struct xs name = xs_make(item.p, (size_t)(eq - item.p));
        struct xs val = xs_make(eq + 1, item.len - name.len - 1);
        int yes = xs_eq(val, "yes");
        if (xs_eq(name, "shutdown"))
            o->shutdown = yes;
        else if (xs_eq(name, "tls"))
            o->tls = yes;
        else if (xs_eq(name, "cache"))
            o->cache = yes;
    }
}

static int it_readsocket(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    struct xs where, req, opts = xs_make("", 0), eol = xs_make("", 0);
    struct tern_exp_sockopts o;
    if (ev_str(v, ev_child(v, node, 0), &where) < 0 ||
        ev_str(v, ev_child(v, node, 1), &req) < 0 ||
        (n->b > 2 && ev_str(v, ev_child(v, node, 2), &opts) < 0) ||
        (n->b > 3 && ev_str(v, ev_child(v, node, 3), &eol) < 0))
        return -1;
    sock_options(v, opts, &o);
    char *data = NULL;
    size_t dlen = 0;
    const char *err = "readsocket is not available here";
    int rc = v->env->readsocket
                 ? v->env->readsocket(v->env->arg, where.p, req.p, req.len,
                                      &o, v->a, &data, &dlen, &err)
                 : TERN_ERROR;
    if (rc == TERN_OK) {
        struct xs s = xs_make(data ? data : "", data ? dlen : 0);
        if (n->b > 3)
            replace_newlines(s, eol, out);
        else
            xb_add(out, s.p, s.len);
        return 0;
    }
    if (n->b > 4)
        return ev_string(v, ev_child(v, node, 4), out);
    return ev_fail(v, TERN_EXP_ERROR, node, "%s", err ? err :
                   "readsocket failed");
}

/* Split an expanded command line into words, with "..." (escapes
 * processed) and '...' grouping, as for ${run,preexpand}. */
static size_t split_words(struct ev *v, struct xs s, const char ***argvp)
{
    size_t cap = 8, n = 0;
    const char **argv = tern_alloc(v->a, cap * sizeof *argv);
    const char *p = s.p, *end = s.p + s.len;
    while (p < end) {
        while (p < end && x_space((unsigned char)*p))
            p++;
        if (p >= end)
            break;
        struct xb w;
        ev_xb(v, &w);
        if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (p < end && *p != q) {
                if (q == '"' && *p == '\\' && p + 1 < end) {
                    struct ps tmp;
                    memset(&tmp, 0, sizeof tmp);
                    tmp.s = p + 1;
                    tmp.n = (uint32_t)(end - p - 1);
                    xb_addc(&w, ps_escape(&tmp));
                    p += 1 + tmp.i;
                } else {
                    xb_addc(&w, *p++);
                }
            }
            if (p < end)
                p++;
        } else {
            while (p < end && !x_space((unsigned char)*p))
                xb_addc(&w, *p++);
        }
        if (n + 1 >= cap) {
            const char **na = tern_alloc(v->a, 2 * cap * sizeof *na);
            memcpy(na, argv, n * sizeof *na);
            argv = na;
            cap *= 2;
        }
        argv[n++] = xb_str(&w).p;
    }
    argv[n] = NULL;
    *argvp = argv;
    return n;
}

static int it_run(struct ev *v, uint32_t node, struct xb *out)
{
    const struct tern_exp_node *n = ev_node(v, node);
    unsigned words = n->c;
    const char **argv;
    size_t argc;

    if (words > n->b)
        return ev_fail(v, TERN_EXP_ERROR, node, "bad command in run");
    if (n->flags & NF_PREEXP) {
        struct xs cmd;
        if (ev_str(v, ev_child(v, node, 0), &cmd) < 0)
            return -1;
        argc = split_words(v, cmd, &argv);
        words = 1;
    } else {
        argv = tern_alloc(v->a, (words + 1) * sizeof *argv);
        argc = 0;
        for (unsigned k = 0; k < words; k++) {
            struct xs w;
            if (ev_str(v, ev_child(v, node, k), &w) < 0)
                return -1;
            argv[argc++] = w.p;
        }
        argv[argc] = NULL;
    }
    char *output = NULL;
    size_t olen = 0;
    int rc = 127;
    if (argc > 0 && argv[0][0]) {
        const char *err = NULL;
        if (!v->env->run)
            return ev_fail(v, TERN_EXP_ERROR, node, "run is not available "
                           "here");
        if (v->env->run(v->env->arg, argv, v->a, &output, &olen, &rc,
                        &err) != TERN_OK)
            return ev_fail(v, TERN_EXP_ERROR, node, "%s", err ? err :
                           "run failed");
    }
    v->runrc = rc;
    v->runrc_set = 1;
    struct xs saved = v->value;
    v->value = xs_make(output ? output : "", output ? olen : 0);
    int r = ev_yesno(v, node, rc == 0, words, v->value, out);
    v->value = saved;
    return r;
}

int ev_item_io(struct ev *v, uint32_t node, struct xb *out)
{
    switch (ev_node(v, node)->op) {
    case IT_READFILE: return it_readfile(v, node, out);
    case IT_READSOCKET: return it_readsocket(v, node, out);
    default: return it_run(v, node, out);
    }
}
