/*
 * NAME
 *   lookup_probe - print what Tern's lookup dispatcher returns, the way
 *   `exim -be` prints expansions
 *
 * SYNOPSIS
 *   lookup_probe STRING...
 *   lookup_probe '${lookup{foo}partial-lsearch{/etc/mail/aliases}}'
 *
 * DESCRIPTION
 *   Loads the lsearch, dsearch, dbm and lmdb modules from the module
 *   path ($TERN_MODULE_PATH, else $TERN_BUILDDIR/modules/.libs), expands
 *   each STRING with Tern's evaluator and the lookup dispatcher, and
 *   prints one line per argument: the result, or "Failed: " and the
 *   reason.  It stands in for `tern -be` in
 *   tests/integration/lookup-vs-exim.test until that exists.  Each
 *   argument is a separate message: the lookup cache is emptied between
 *   arguments, as Exim's is between separate -be runs.
 *
 * DIAGNOSTICS
 *   Exits 77 in an all-in-one build (no module files to load), 1 when a
 *   module cannot be loaded, else 0.
 */
#include "config.h"

#include <stdio.h>

#include "lookup_host.h"

int main(int argc, char **argv)
{
    struct lh h;
    char err[1024];

    int rc = lh_open(&h, err, sizeof err);
    if (rc > 0)
        return 77;
    if (rc < 0) {
        fprintf(stderr, "lookup_probe: %s\n", err);
        lh_close(&h);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        printf("%s\n", lh_expand(&h, argv[i]));
        tern_lookups_message_done(h.lk);
    }
    lh_close(&h);
    return 0;
}
