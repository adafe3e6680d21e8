/*
 * NAME
 *   receive_commit.c - the end of a reception: the -H file, the "<="
 *   line, the message log, or clearing up
 *
 * DESCRIPTION
 *   host_receive_prepare_commit() applies the header changes of the DATA
 *   (or non-SMTP) ACL, dates our Received: with the acceptance time (as
 *   Exim does once a message is accepted), fills the -H fields Exim
 *   4.96 writes from the session (HELO, addresses, protocol, ident,
 *   authentication, TLS, ACL variables, the local-submission flags) and
 *   writes the temporary -H.  The caller then commits, alone or with
 *   other messages (group commit), and reports with host_receive_done().
 *
 *   Values that came from the client are written tainted ("--name"), as
 *   Exim writes them: HELO name, addresses, remote ident, authenticated
 *   ids, TLS peer DN and SNI.
 *
 *   With message_logs (the default) the message log msglog/ID gets the
 *   "Received from" line, as Exim writes it on arrival.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "receive_int.h"

static void
str(struct tern_spool_str *f, const char *v, int tainted)
{
    if (f->s != NULL || v == NULL || *v == '\0')
        return;
    f->s = v;
    f->tainted = tainted;
}

static void
hostport(struct tern_spool_hostport *f, const char *addr, int port)
{
    if (f->addr.s != NULL || addr == NULL || *addr == '\0')
        return;
    f->addr.s = addr;
    f->addr.tainted = 1;
    f->port = port;
}

/* $acl_c* and $acl_m* as -aclc / -aclm lines. */
static void
acl_vars(struct host_receiver *r, struct tern_spool_msg *m)
{
    const struct host_var *lists[2] = {
        r->ctx.sess ? r->ctx.sess->acl_c : NULL, r->msg->acl_m
    };
    size_t n = 0;

    if (m->n_aclvars > 0)
        return;                 /* the caller wrote them itself */
    for (int l = 0; l < 2; l++)
        for (const struct host_var *v = lists[l]; v; v = v->next)
            n++;
    if (n == 0)
        return;
    m->aclvars = tern_alloc(r->a, n * sizeof *m->aclvars);
    for (int l = 0; l < 2; l++) {
        for (const struct host_var *v = lists[l]; v; v = v->next) {
            if (strncmp(v->name, "acl_", 4) != 0 || strlen(v->name) < 6)
                continue;
            struct tern_spool_aclvar *a = &m->aclvars[m->n_aclvars++];
            a->scope = v->name[4];
            a->name = v->name + 5;
            a->value = v->value ? v->value : "";
            a->len = v->value ? v->len : 0;
        }
    }
}

static void
session_fields(struct host_receiver *r, struct tern_spool_msg *m)
{
    const struct host_session *s = r->ctx.sess;
    int remote;

    if (s == NULL)
        return;
    remote = s->peer_address != NULL && *s->peer_address != '\0';
    str(&m->helo_name, s->helo_name, 1);
    hostport(&m->host_address, s->peer_address, s->peer_port);
    str(&m->host_name, s->sender_host_name, 1);
    str(&m->host_auth, s->auth_mechanism, 0);
    if (remote)
        hostport(&m->interface_address, s->local_address, s->local_port);
    str(&m->ident, s->ident, remote);
    str(&m->received_protocol, s->protocol, 0);
    str(&m->auth_id, s->authenticated_id, remote);
    str(&m->auth_sender, s->authenticated_sender, remote);
    if (s->tls_in.active) {
        str(&m->tls_cipher, s->tls_in.cipher, 0);
        str(&m->tls_peerdn, s->tls_in.peerdn, 1);
        str(&m->tls_sni, s->tls_in.sni, 1);
        str(&m->tls_ver, s->tls_in.ver, 0);
        if (s->tls_in.certificate_verified)
            m->flags |= TERN_SPOOL_TLS_CERTIFICATE_VERIFIED;
    }
    /* Exim 4.96 writes the resumption flags for every message. */
    if (m->tls_resumption.s == NULL)
        m->tls_resumption.s = tern_printf(
            r->a, "%c", 'A' + (int)(s->tls_in.resumption & 0x1f));
}

static void
local_fields(struct host_receiver *r, struct tern_spool_msg *m)
{
    const char *login = r->ctx.sess && r->ctx.sess->login ? r->ctx.sess->login
                                                          : m->login;
    const char *qd = r->rt->qualify_domain ? r->rt->qualify_domain
                                           : r->rt->primary_hostname;

    m->flags |= TERN_SPOOL_ALLOW_UNQUALIFIED_RECIPIENT |
                TERN_SPOOL_ALLOW_UNQUALIFIED_SENDER;
    /* Exim counts the caller as authenticated by their login, and by
     * their address when it is the sender. */
    if (r->local.auth_login || r->local.sender_set_untrusted)
        str(&m->auth_id, login, 0);
    if (r->local.sender_local || r->local.sender_set_untrusted) {
        m->flags |= TERN_SPOOL_LOCAL;
        str(&m->auth_sender, tern_printf(r->a, "%s@%s", login, qd), 0);
    }
    if (r->local.sender_set_untrusted)
        m->flags |= TERN_SPOOL_SENDER_SET_UNTRUSTED;
}

/* The "login uid gid" line: the caller of a local submission, else the
 * user the receiving process runs as (the Exim user, for a daemon). */
/* The originator login of SMTP messages, cached (see below). */
static long login_uid = -2;
static char login_name[64];

static void
originator(struct host_receiver *r, struct tern_spool_msg *m)
{
    const struct host_session *s = r->ctx.sess;
    int local = s != NULL && s->login != NULL;
    const struct passwd *pw;

    if (m->login != NULL && *m->login != '\0')
        return;                 /* the caller said */
    m->uid = local && s->uid >= 0 ? s->uid : (long)geteuid();
    m->gid = local && s->gid >= 0 ? s->gid : (long)getegid();
    if (local) {
        m->login = s->login;
        return;
    }
    /* A worker's uid does not change between messages: look its name
     * up once per process, not once per message. */
    if (login_uid != m->uid) {
        pw = getpwuid((uid_t)m->uid);
        if (pw != NULL && strlen(pw->pw_name) < sizeof login_name)
            strcpy(login_name, pw->pw_name);
        else
            snprintf(login_name, sizeof login_name, "%ld", m->uid);
        login_uid = m->uid;
    }
    m->login = tern_strdup(r->a, login_name);
}

struct tern_spool_out *
host_receive_prepare_commit(struct host_receiver *r, char *err, size_t errlen)
{
    struct tern_spool_msg *m = &r->msg->spool;
    struct tern_spool_err serr;
    struct timespec now;

    if (r->fail != HOST_RCV_OK || !r->ended) {
        snprintf(err, errlen, "message not complete");
        if (r->fail == HOST_RCV_OK)
            r->fail = HOST_RCV_IO;
        return NULL;
    }
    host_hdrs_apply_changes(&r->hdrs, r->msg->hdr_changes);
    r->msg->hdr_changes = NULL;
    clock_gettime(CLOCK_REALTIME, &now);
    host_receive_stamp(r, now.tv_sec);
    m->complete_sec = now.tv_sec;
    m->complete_usec = (int)(now.tv_nsec / 1000);
    m->flags |= TERN_SPOOL_DELIVER_FIRSTTIME;
    if (((r->msg->controls | (r->ctx.sess ? r->ctx.sess->controls : 0)) &
         HOST_CTL_FREEZE) && m->frozen_at < 0)
        m->frozen_at = now.tv_sec;
    originator(r, m);
    if (r->have_local)
        local_fields(r, m);
    session_fields(r, m);
    acl_vars(r, m);
    {
        /* sizes again: the ACLs may have added or removed headers */
        long long bytes, lines, zeros;
        tern_spool_out_stats(r->out, &bytes, &lines, &zeros);
        r->msg->size = tern_spool_msg_size(m, bytes);
    }
    if (tern_spool_out_finish(r->out, m, &serr) != 0) {
        snprintf(err, errlen, "%s", serr.text);
        r->fail = HOST_RCV_IO;
        return NULL;
    }
    r->prepared = 1;
    return r->out;
}

int
host_receive_spool_make(struct host_runtime *rt, char *err, size_t errlen)
{
    char path[4096];
    size_t len;

    if (rt->spool_directory == NULL || *rt->spool_directory != '/') {
        snprintf(err, errlen, "spool_directory must be an absolute path");
        return -1;
    }
    len = (size_t)snprintf(path, sizeof path, "%s", rt->spool_directory);
    if (len >= sizeof path) {
        snprintf(err, errlen, "spool_directory too long");
        return -1;
    }
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0750) == 0 && i == len && geteuid() == 0 &&
            rt->exim_uid >= 0 &&
            chown(path, (uid_t)rt->exim_uid, (gid_t)rt->exim_gid) != 0) {
            snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
            return -1;
        }
        path[i] = c;
    }
    struct stat st;
    if (stat(rt->spool_directory, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot create spool directory %s: %s",
                 rt->spool_directory, strerror(errno));
        return -1;
    }
    return 0;
}

void
host_receive_msglog(struct host_receiver *r, const char *line)
{
    const char *dir = r->rt->spool_directory;
    const char *id = r->msg->spool.id;
    char path[4096], stamp[32];
    struct tm tm;
    time_t t = time(NULL);
    int fd;

    if (!r->rt->opts.message_logs || dir == NULL)
        return;
    for (int level = 0; level < 1 + !!r->rt->opts.split_spool_directory;
         level++) {
        if (level == 1)
            snprintf(path, sizeof path, "%s/msglog/%c", dir, id[5]);
        else
            snprintf(path, sizeof path, "%s/msglog", dir);
        if (mkdir(path, 0750) == 0 && geteuid() == 0 && r->rt->exim_uid >= 0
            && chown(path, (uid_t)r->rt->exim_uid,
                     (gid_t)r->rt->exim_gid) != 0)
            { /* the message log is a convenience: carry on */ }
    }
    size_t dl = strlen(path);
    snprintf(path + dl, sizeof path - dl, "/%s", id);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return;
    if (geteuid() == 0 && r->rt->exim_uid >= 0 &&
        fchown(fd, (uid_t)r->rt->exim_uid, (gid_t)r->rt->exim_gid) != 0)
        { /* as above */ }
    localtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    char *text = tern_printf(r->a, "%s Received from %s\n", stamp, line);
    if (write(fd, text, strlen(text)) < 0)
        { /* as above */ }
    close(fd);
}

void
host_receive_done(struct host_receiver *r, int ok)
{
    if (r == NULL)
        return;
    if (ok && r->prepared) {
        char *line = host_receive_log_line(&r->ctx);

        host_log(r->rt, TERN_LOG_MAIN, r->msg->spool.id, "%s", line);
        /* The message log has the line without its "<= ". */
        host_receive_msglog(r, strncmp(line, "<= ", 3) == 0 ? line + 3 : line);
    }
    host_receive_abort(r);
}

void
host_receive_abort(struct host_receiver *r)
{
    if (r == NULL)
        return;
    if (r->out != NULL)
        tern_spool_out_free(r->out);
    tern_buf_free(&r->hdr);
    free(r);
}
