/*
 * NAME
 *   hints_writer - write hints records with lib/hints from shell tests
 *
 * SYNOPSIS
 *   hints_writer -d SPOOL [-a AGE] retry KEY ERRNO MORE FIRST LAST NEXT
 *                EXPIRED TEXT
 *   hints_writer -d SPOOL [-a AGE] wait TRANSPORT HOST ID...
 *   hints_writer -d SPOOL [-a AGE] tls HOST PORT SNI POLICY EXPIRES BYTES
 *   hints_writer -d SPOOL [-a AGE] ehlo ADDR PORT HELO FEATURES SIZE AUTHS
 *   hints_writer -d SPOOL [-a AGE] raw NAME KEY DATA
 *   hints_writer -d SPOOL get NAME KEY
 *
 * DESCRIPTION
 *   Each command opens the database for writing (retry, wait-TRANSPORT,
 *   tls, the EHLO cache's database, or NAME), writes one record and
 *   closes it.  -a AGE stamps the record AGE seconds in the past, so
 *   that tidying can be tested.  FEATURES is a comma list of EHLO
 *   keywords (PIPELINING,CHUNKING,...), applied before and after
 *   STARTTLS alike.  get prints "stamp LENGTH" of a record, or exits 1.
 *
 * DIAGNOSTICS
 *   Exit 0 on success, 1 with the library's message on stderr, 2 for
 *   usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "hints.h"

static const char *spool;
static long long age;

static int usage(void)
{
    fputs("usage: hints_writer -d SPOOL [-a AGE] "
          "retry|wait|tls|ehlo|raw|get ...\n", stderr);
    return 2;
}

static struct tern_hints *open_db(const char *name)
{
    struct tern_hints_opts o = { .spool_directory = spool, .name = name,
                                 .write = 1, .lock_timeout = 10,
                                 .owner_uid = -1, .owner_gid = -1 };
    struct tern_hints_err err;
    struct tern_hints *h = tern_hints_open(&o, &err);
    if (!h) {
        fprintf(stderr, "hints_writer: %s\n", err.text);
        exit(1);
    }
    return h;
}

static int store(const char *name, const char *key, struct tern_buf *b)
{
    struct tern_hints *h = open_db(name);
    struct tern_hints_err err;
    int rc = tern_hints_put_at(h, key, (long long)time(NULL) - age, b->data,
                               b->len, &err);
    if (rc != 0)
        fprintf(stderr, "hints_writer: %s\n", err.text);
    if (tern_hints_close(h, &err) != 0) {
        fprintf(stderr, "hints_writer: %s\n", err.text);
        rc = -1;
    }
    tern_buf_free(b);
    return rc == 0 ? 0 : 1;
}

static unsigned features(const char *list)
{
    unsigned f = 0;
    char *copy = strdup(list), *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w;
         w = strtok_r(NULL, ",", &save))
        for (unsigned bit = 1; bit; bit <<= 1) {
            const char *n = tern_hints_ehlo_feature_name(bit);
            if (n && !strcmp(n, w))
                f |= bit;
        }
    free(copy);
    return f;
}

static int cmd_wait(int argc, char **argv)
{
    char name[256];
    struct tern_hints *h;
    struct tern_hints_err err;
    int rc = 0;
    if (argc < 3)
        return usage();
    snprintf(name, sizeof name, "wait-%s", argv[0]);
    h = open_db(name);
    for (int i = 2; i < argc && rc == 0; i++)
        if (tern_hints_wait_add(h, argv[1], argv[i], &err) != 0) {
            fprintf(stderr, "hints_writer: %s\n", err.text);
            rc = 1;
        }
    tern_hints_close(h, NULL);
    return rc;
}

static int cmd_get(int argc, char **argv)
{
    struct tern_hints_opts o = { .spool_directory = spool, .name = argv[0],
                                 .lock_timeout = 10, .owner_uid = -1,
                                 .owner_gid = -1 };
    struct tern_hints_err err;
    struct tern_hints_rec rec;
    struct tern_hints *h;
    int rc;
    if (argc != 2)
        return usage();
    if (!(h = tern_hints_open(&o, &err))) {
        fprintf(stderr, "hints_writer: %s\n", err.text);
        return 1;
    }
    rc = tern_hints_get(h, argv[1], &rec, &err);
    if (rc == 0)
        printf("%lld %zu\n", rec.stamp, rec.len);
    tern_hints_close(h, NULL);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct tern_buf b = { 0 };
    char key[1024];
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "-d"))
            spool = argv[i + 1];
        else if (!strcmp(argv[i], "-a"))
            age = atoll(argv[i + 1]);
        else
            return usage();
    }
    if (!spool || i >= argc)
        return usage();
    const char *cmd = argv[i++];
    int n = argc - i;
    char **a = argv + i;
    if (!strcmp(cmd, "retry") && n == 8) {
        struct tern_hints_retry r = { atoi(a[1]), atoi(a[2]), atoi(a[6]),
                                      atoll(a[3]), atoll(a[4]), atoll(a[5]),
                                      a[7] };
        tern_hints_retry_encode(&r, &b);
        return store("retry", a[0], &b);
    }
    if (!strcmp(cmd, "wait"))
        return cmd_wait(n, a);
    if (!strcmp(cmd, "tls") && n == 6) {
        struct tern_hints_tls t = { atoll(a[4]), a[3],
                                    (const unsigned char *)a[5],
                                    strlen(a[5]) };
        tern_hints_tls_key(key, sizeof key, a[0], atoi(a[1]), a[2], a[3]);
        tern_hints_tls_encode(&t, &b);
        return store("tls", key, &b);
    }
    if (!strcmp(cmd, "ehlo") && n == 6) {
        struct tern_hints_ehlo e;
        e.clear.features = e.tls.features = features(a[3]);
        e.clear.size = e.tls.size = atoll(a[4]);
        e.clear.auths = e.tls.auths = a[5];
        tern_hints_ehlo_key(key, sizeof key, a[0], atoi(a[1]), a[2], NULL);
        tern_hints_ehlo_encode(&e, &b);
        return store(TERN_HINTS_EHLO_DB, key, &b);
    }
    if (!strcmp(cmd, "raw") && n == 3) {
        tern_buf_adds(&b, a[2]);
        return store(a[0], a[1], &b);
    }
    if (!strcmp(cmd, "get"))
        return cmd_get(n, a);
    return usage();
}
