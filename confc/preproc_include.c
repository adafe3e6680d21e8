/*
 * NAME
 *   preproc_include.c - reading configuration files and obeying .include
 *
 * DESCRIPTION
 *   Each file is read whole into the arena and split into lines in place,
 *   so a line's text can serve as `line_text` of every position on it for
 *   as long as the results live.  Lines may be of any length.
 *
 *   `.include NAME` and `.include_if_exists NAME` are physical lines (so
 *   they may stand in the middle of a continued setting, and a setting
 *   may continue across the end of an included file, as in Exim).  Macros
 *   have been substituted in them already.  Double quotes round the name
 *   are optional.  As the Exim specification says, a relative name is
 *   taken relative to the directory of the including file, and
 *   .include_if_exists needs an absolute name.
 *
 *   Exim has no protection against a file that includes itself; here an
 *   include loop, or nesting deeper than CC_PP_MAX_INCLUDE_DEPTH, is an
 *   error instead of a crash.
 *
 * DIAGNOSTICS
 *   An included file that cannot be read (with the system's reason), a
 *   missing or relative file name where an absolute one is needed, an
 *   include loop, too deep nesting, and NUL bytes in a line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "preproc_int.h"

static char *
read_all(struct tern_arena *a, const char *path, size_t *lenp, dev_t *dev,
         ino_t *ino)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;

    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        close(fd);
        errno = e;
        return NULL;
    }
    *dev = st.st_dev;
    *ino = st.st_ino;

    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        buf = cc_pp_grow(buf, &cap, len + 8192, 1);
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);

    char *out = tern_alloc(a, len + 1);
    if (len)
        memcpy(out, buf, len);
    out[len] = '\0';
    free(buf);
    *lenp = len;
    return out;
}

static void
remember(struct cc_pp_files *f, const char *path)
{
    for (size_t i = 0; i < f->n_seen; i++)
        if (strcmp(f->seen[i], path) == 0)
            return;
    f->seen = cc_pp_grow(f->seen, &f->cap_seen, f->n_seen + 1,
                         sizeof *f->seen);
    f->seen[f->n_seen++] = path;
}

int
cc_pp_files_push(struct cc_pp_files *f, struct tern_arena *a, const char *path,
                 const char *text, const struct tern_srcpos *include_from)
{
    struct cc_pp_file nf = { .include_from = include_from };

    if (text == NULL) {
        nf.buf = read_all(a, path, &nf.len, &nf.dev, &nf.ino);
        if (nf.buf == NULL)
            return -1;
        nf.have_id = 1;
    } else {
        struct stat st;
        nf.len = strlen(text);
        nf.buf = tern_strndup(a, text, nf.len);
        if (stat(path, &st) == 0) {     /* so including it is a loop */
            nf.dev = st.st_dev;
            nf.ino = st.st_ino;
            nf.have_id = 1;
        }
    }
    nf.path = tern_strdup(a, path);
    f->v = cc_pp_grow(f->v, &f->cap, f->n + 1, sizeof *f->v);
    f->v[f->n++] = nf;
    remember(f, nf.path);
    return 0;
}

int
cc_pp_files_next(struct cc_pp_files *f, struct cc_pp_phys *ph,
                 struct tern_diags *d)
{
    while (f->n > 0) {
        struct cc_pp_file *top = &f->v[f->n - 1];
        if (top->off >= top->len) {
            if (f->n == 1)
                return 0;
            f->n--;                 /* back to the including file */
            continue;
        }
        char *s = top->buf + top->off;
        size_t rest = top->len - top->off;
        char *nl = memchr(s, '\n', rest);
        size_t n = nl ? (size_t)(nl - s) : rest;

        top->off += n + (nl ? 1 : 0);
        top->lineno++;
        s[n] = '\0';
        if (n > 0 && s[n - 1] == '\r')
            s[--n] = '\0';

        ph->file = top->path;
        ph->line = top->lineno;
        ph->text = s;
        ph->include_from = top->include_from;

        char *z = memchr(s, '\0', n);
        if (z != NULL) {
            struct tern_srcpos p = {
                .file = top->path, .line = top->lineno, .line_text = s,
                .col = (unsigned)(z - s) + 1,
                .include_from = top->include_from,
            };
            tern_diag_add(d, TERN_ERROR_SEV, &p, NULL,
                          "NUL byte in a configuration line; the rest of "
                          "the line is ignored");
            n = (size_t)(z - s);
        }
        ph->len = n;
        return 1;
    }
    return 0;
}

/* `dir of including file` + `/` + name; the name alone when the
 * including file has no directory part. */
static char *
resolve(struct tern_arena *a, const char *including, const char *name)
{
    const char *slash = strrchr(including, '/');
    if (name[0] == '/' || slash == NULL)
        return tern_strdup(a, name);
    if (slash == including)
        return tern_printf(a, "/%s", name);
    return tern_printf(a, "%.*s/%s", (int)(slash - including), including,
                       name);
}

static int
is_loop(const struct cc_pp_files *f, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].have_id && f->v[i].dev == st.st_dev &&
            f->v[i].ino == st.st_ino)
            return 1;
    return 0;
}

int
cc_pp_include_directive(struct cc_pp_files *f, struct tern_arena *a,
                        const struct cc_pp_phys *ph,
                        const struct cc_pp_text *t, size_t ss,
                        struct tern_diags *d)
{
    static const char inc[] = ".include", ife[] = "_if_exists";
    const char *s = t->s;
    size_t len = t->len, w = ss + sizeof inc - 1;

    if (len < w || memcmp(s + ss, inc, sizeof inc - 1) != 0)
        return 0;
    int if_exists = 0;
    if (len >= w + sizeof ife - 1 &&
        memcmp(s + w, ife, sizeof ife - 1) == 0) {
        if_exists = 1;
        w += sizeof ife - 1;
    }
    if (w < len && !cc_pp_is_blank((unsigned char)s[w]))
        return 0;

    const char *dname = if_exists ? ".include_if_exists" : ".include";
    size_t p = cc_pp_skip_blanks(s, w, len), e = len;
    while (e > p && cc_pp_is_blank((unsigned char)s[e - 1]))
        e--;
    if (e - p >= 2 && s[p] == '"' && s[e - 1] == '"') {
        p++;
        e--;
    }
    struct tern_srcpos np = cc_pp_pos(ph, t, p, (unsigned)(e - p));
    if (e == p) {
        tern_diag_add(d, TERN_ERROR_SEV, &np, NULL,
                      "'%s' needs a file name", dname);
        return 1;
    }
    char *name = tern_strndup(a, s + p, e - p);
    if (if_exists && name[0] != '/') {
        tern_diag_add(d, TERN_ERROR_SEV, &np,
                      "relative names are allowed with .include only",
                      "'.include_if_exists' needs an absolute file name, "
                      "not '%s'", name);
        return 1;
    }
    char *path = resolve(a, ph->file, name);
    struct stat st;
    if (if_exists && stat(path, &st) != 0)
        return 1;
    if (f->n >= CC_PP_MAX_INCLUDE_DEPTH) {
        tern_diag_add(d, TERN_ERROR_SEV, &np, "is there an include loop?",
                      "'%s' nested too deeply (more than %d files)", dname,
                      CC_PP_MAX_INCLUDE_DEPTH);
        return 1;
    }
    if (is_loop(f, path)) {
        tern_diag_add(d, TERN_ERROR_SEV, &np, NULL,
                      "include loop: '%s' is already being read", path);
        return 1;
    }

    struct tern_srcpos *from = tern_alloc(a, sizeof *from);
    *from = cc_pp_pos(ph, t, ss, (unsigned)(w - ss));
    if (cc_pp_files_push(f, a, path, NULL, from) != 0)
        tern_diag_add(d, TERN_ERROR_SEV, &np, NULL,
                      "cannot read included file '%s': %s", path,
                      strerror(errno));
    return 1;
}

void
cc_pp_files_free(struct cc_pp_files *f)
{
    free(f->v);
    free(f->seen);
    memset(f, 0, sizeof *f);
}
