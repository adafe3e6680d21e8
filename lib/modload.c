/*
 * NAME
 *   modload.c - finding, loading and checking modules
 *
 * SYNOPSIS
 *   #include "modload.h"
 *
 *   TERN_MODLOAD_PREOPEN();                 (first thing in main())
 *   tern_module_load("smtp", tern_module_path(NULL), hash, &m, err, n);
 *
 * DESCRIPTION
 *   A module is NAME.so in one of the directories of the module path
 *   ($TERN_MODULE_PATH, else the `module_dir` main option, else the
 *   compiled-in TERN_MODULE_DIR).  In an all-in-one build
 *   (--enable-static-modules) every module is linked into the program and
 *   found through libltdl's preloaded symbol list; the module path is then
 *   never searched, so a stray .so on LD_LIBRARY_PATH cannot be picked up.
 *
 *   Before any code of a module runs, the file must be a regular file
 *   that neither group nor others may write (Postfix refuses writable
 *   dynamic maps the same way): whoever can write it can run code as the
 *   mail system.  After opening, the exported `tern_module` (libltdl looks
 *   for NAME_LTX_tern_module first) must carry our ABI version, the name
 *   matching the file name and, when the caller knows it, the schema hash
 *   the plan was compiled against.
 *
 * DIAGNOSTICS
 *   Every refusal names the file (or the directories searched) and the
 *   reason, for example
 *     module 'arc' not found in /a:/b
 *     module /x/arc.so is for ABI version 7, this tern has ABI 1
 *   The dlopen error text is included, because libltdl alone only ever
 *   says "file not found".
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ltdl.h>

#include <tern/module.h>
#include "modload.h"
#include "schema.h"

#define MOD_NAME_MAX 64

static int ltdl_ready;
static const lt_dlsymlist *preopened;

void
tern_modload_set_preopened(const void *symlist)
{
    preopened = symlist;
}

int
tern_modules_preopened(void)
{
#ifdef TERN_STATIC_MODULES
    return 1;
#else
    return 0;
#endif
}

const char *
tern_module_path(const char *module_dir)
{
    const char *env = getenv("TERN_MODULE_PATH");

    if (env != NULL && *env != '\0')
        return env;
    if (module_dir != NULL && *module_dir != '\0')
        return module_dir;
    return TERN_MODULE_DIR;
}

const char *
tern_schema_path(void)
{
    const char *env = getenv("TERN_SCHEMA_PATH");

    if (env != NULL && *env != '\0')
        return env;
    return TERN_SCHEMA_DIR;
}

/* Module names are what schemas allow: lower case, digits, '_'.  This
 * also keeps '/' and ".." out of the paths we build. */
static int
valid_name(const char *name)
{
    size_t n = 0;

    if (name == NULL || *name == '\0')
        return 0;
    for (const char *p = name; *p != '\0'; p++, n++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || *p == '_'))
            return 0;
    }
    return n <= MOD_NAME_MAX;
}

static int
ltdl_init(char *err, size_t errlen)
{
    if (ltdl_ready)
        return 0;
    if (lt_dlinit() != 0) {
        snprintf(err, errlen, "cannot initialise libltdl: %s", lt_dlerror());
        return -1;
    }
    ltdl_ready = 1;
    return 0;
}

/* ---- preopened modules (all-in-one build) ---- */

/* Entries of the preloaded list whose address is NULL name a module
 * ("arc.a"); "@PROGRAM@" names the program itself.  Copy the module name
 * (up to the first '.') into buf; 0 when the entry is not a module. */
static int
preopened_name(const lt_dlsymlist *s, char *buf, size_t buflen)
{
    size_t n;

    if (s->address != NULL || s->name[0] == '@')
        return 0;
    n = strcspn(s->name, ".");
    if (n == 0 || n >= buflen)
        return 0;
    memcpy(buf, s->name, n);
    buf[n] = '\0';
    return valid_name(buf);
}

static int
is_preopened(const char *name)
{
    char buf[MOD_NAME_MAX + 1];

    if (preopened == NULL)
        return 0;
    for (const lt_dlsymlist *s = preopened; s->name != NULL; s++) {
        if (preopened_name(s, buf, sizeof buf) && strcmp(buf, name) == 0)
            return 1;
    }
    return 0;
}

/* ---- the module path ---- */

/* Find NAME.so in the colon-separated `path`; 0 with the file in out. */
static int
find_module_file(const char *name, const char *path, char *out,
                 size_t outlen)
{
    const char *p = path;

    while (p != NULL && *p != '\0') {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        struct stat st;
        int n;

        if (dlen > 0) {
            n = snprintf(out, outlen, "%.*s/%s.so", (int)dlen, p, name);
            if (n > 0 && (size_t)n < outlen && stat(out, &st) == 0)
                return 0;
        }
        p = colon ? colon + 1 : NULL;
    }
    return -1;
}

int
tern_module_is_installed(const char *name, void *arg)
{
    char file[4096];

    if (name != NULL && strcmp(name, "core") == 0)
        return 1;               /* the host itself */
    if (!valid_name(name))
        return 0;
    if (tern_modules_preopened())
        return is_preopened(name);
    return find_module_file(name, arg ? (const char *)arg
                                      : tern_module_path(NULL),
                            file, sizeof file) == 0;
}

int
tern_load_schemas(struct tern_schema_set *set, const char *module_dir,
                  struct tern_diags *d)
{
    const char *mpath = tern_module_path(module_dir);

    return tern_schema_set_load(set, tern_schema_path(),
                                tern_module_is_installed, (void *)mpath, d);
}

/* Refuse files that someone other than their owner may rewrite. */
static int
check_file_safe(const char *file, char *err, size_t errlen)
{
    struct stat st;

    if (stat(file, &st) != 0) {
        snprintf(err, errlen, "cannot stat module %s: %s", file,
                 strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "module %s is not a regular file", file);
        return -1;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, errlen,
                 "module %s is writable by %s (mode %04o): refusing to load"
                 " it; fix with chmod go-w %s", file,
                 (st.st_mode & S_IWOTH) ? "others" : "group",
                 (unsigned)(st.st_mode & 07777), file);
        return -1;
    }
    return 0;
}

/* libltdl reports every failure as "file not found"; ask the dynamic
 * linker itself for the real reason (bad ELF header, missing library). */
static void
open_failure(const char *file, char *err, size_t errlen)
{
    const char *lt = lt_dlerror();
    const char *why = NULL;
    void *h;

    dlerror();
    h = dlopen(file, RTLD_LAZY | RTLD_LOCAL);
    if (h == NULL)
        why = dlerror();
    else
        dlclose(h);
    snprintf(err, errlen, "cannot open module %s: %s%s%s%s", file,
             why ? why : "", why ? " (" : "", lt ? lt : "unknown error",
             why ? ")" : "");
}

/* The checks every module passes, in an order that never reads past the
 * ABI version of a struct laid out for another ABI. */
static int
check_module(const struct tern_module *m, const char *name,
             const char *file, unsigned long long expected_hash,
             char *err, size_t errlen)
{
    if (m->abi_version != TERN_ABI_VERSION) {
        snprintf(err, errlen,
                 "module %s is for ABI version %u, this tern has ABI %u",
                 file, m->abi_version, (unsigned)TERN_ABI_VERSION);
        return -1;
    }
    if (m->name == NULL || strcmp(m->name, name) != 0) {
        snprintf(err, errlen,
                 "module %s calls itself '%s', not '%s': a module's file"
                 " must be named after it", file,
                 m->name ? m->name : "(null)", name);
        return -1;
    }
    if (expected_hash != 0 && m->schema_hash != expected_hash) {
        snprintf(err, errlen,
                 "module %s has schema hash %016llx, the plan was compiled"
                 " against %016llx: recompile the configuration with confc",
                 file, (unsigned long long)m->schema_hash, expected_hash);
        return -1;
    }
    return 0;
}

static int
open_preopened(const char *name, struct tern_loaded_module *out,
               char *err, size_t errlen)
{
    lt_dladvise adv;

    if (!is_preopened(name)) {
        snprintf(err, errlen, "module '%s' is not built into this tern"
                 " (all-in-one build: the module path is not searched)",
                 name);
        return -1;
    }
    /* Search the preloaded list only, never the file system. */
    if (lt_dladvise_init(&adv) == 0) {
        if (lt_dladvise_ext(&adv) == 0 && lt_dladvise_preload(&adv) == 0)
            out->handle = lt_dlopenadvise(name, adv);
        lt_dladvise_destroy(&adv);
    }
    out->file = "(preopened)";
    if (out->handle == NULL) {
        snprintf(err, errlen, "cannot open built-in module %s: %s", name,
                 lt_dlerror());
        return -1;
    }
    return 0;
}

static int
open_from_path(const char *name, const char *module_path,
               struct tern_loaded_module *out, char *err, size_t errlen)
{
    char file[4096];
    char *copy;

    if (find_module_file(name, module_path, file, sizeof file) != 0) {
        snprintf(err, errlen, "module '%s' not found in %s", name,
                 module_path);
        return -1;
    }
    if (check_file_safe(file, err, errlen) != 0)
        return -1;
    copy = strdup(file);
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory loading %s", file);
        return -1;
    }
    out->handle = lt_dlopen(copy);
    if (out->handle == NULL) {
        open_failure(copy, err, errlen);
        free(copy);
        return -1;
    }
    out->file = copy;
    return 0;
}

int
tern_module_load(const char *name, const char *module_path,
                 unsigned long long expected_hash,
                 struct tern_loaded_module *out, char *err, size_t errlen)
{
    const struct tern_module *m;
    const char *shown;
    char buf[MOD_NAME_MAX + 16];
    int rc;

    memset(out, 0, sizeof *out);
    if (!valid_name(name)) {
        snprintf(err, errlen, "invalid module name '%s'", name ? name : "");
        return -1;
    }
    if (module_path == NULL)
        module_path = tern_module_path(NULL);
    if (ltdl_init(err, errlen) != 0)
        return -1;
    rc = tern_modules_preopened()
             ? open_preopened(name, out, err, errlen)
             : open_from_path(name, module_path, out, err, errlen);
    if (rc != 0) {
        tern_module_unload(out);
        return -1;
    }
    shown = out->file;
    if (tern_modules_preopened()) {
        snprintf(buf, sizeof buf, "%s (preopened)", name);
        shown = buf;
    }
    m = lt_dlsym(out->handle, "tern_module");
    if (m == NULL) {
        snprintf(err, errlen, "module %s exports no tern_module symbol"
                 " (looked for %s_LTX_tern_module and tern_module):"
                 " it is not a Tern module", shown, name);
        tern_module_unload(out);
        return -1;
    }
    if (check_module(m, name, shown, expected_hash, err, errlen) != 0) {
        tern_module_unload(out);
        return -1;
    }
    out->mod = m;
    return 0;
}

void
tern_module_unload(struct tern_loaded_module *m)
{
    if (m == NULL)
        return;
    if (m->handle != NULL)
        lt_dlclose(m->handle);
    if (m->file != NULL && strcmp(m->file, "(preopened)") != 0)
        free((char *)m->file);
    memset(m, 0, sizeof *m);
}

/* ---- listing ---- */

struct name_list {
    char **v;
    size_t n, cap;
};

static int
name_add(struct name_list *l, const char *name, size_t len)
{
    char *s;

    for (size_t i = 0; i < l->n; i++) {
        if (strlen(l->v[i]) == len && memcmp(l->v[i], name, len) == 0)
            return 0;           /* earlier directory wins, as in loading */
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);

        if (v == NULL)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    s = strndup(name, len);
    if (s == NULL)
        return -1;
    l->v[l->n++] = s;
    return 0;
}

static void
list_dir(struct name_list *l, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;                 /* a missing directory holds no modules */
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char name[MOD_NAME_MAX + 1];

        if (len <= 3 || len - 3 > MOD_NAME_MAX
            || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        memcpy(name, e->d_name, len - 3);
        name[len - 3] = '\0';
        if (valid_name(name))
            name_add(l, name, len - 3);
    }
    closedir(d);
}

static void
list_path(struct name_list *l, const char *path)
{
    const char *p = path;

    while (p != NULL && *p != '\0') {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        char *dir = strndup(p, dlen);

        if (dir != NULL && dlen > 0)
            list_dir(l, dir);
        free(dir);
        p = colon ? colon + 1 : NULL;
    }
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
tern_module_list(const char *module_path, char ***names)
{
    struct name_list l = { NULL, 0, 0 };
    char buf[MOD_NAME_MAX + 1];

    if (tern_modules_preopened()) {
        for (const lt_dlsymlist *s = preopened; s && s->name; s++) {
            if (preopened_name(s, buf, sizeof buf))
                name_add(&l, buf, strlen(buf));
        }
    } else {
        list_path(&l, module_path ? module_path : tern_module_path(NULL));
    }
    if (l.n > 1)
        qsort(l.v, l.n, sizeof *l.v, cmp_names);
    *names = l.v;
    return l.n;
}
