/*
 * NAME
 *   test_match_env.h - a fake surroundings for the list matcher's tests
 *
 * DESCRIPTION
 *   tm_setup() builds a struct tern_match_env whose hooks answer from
 *   small tables the tests fill, and count every call.  The lookup hook
 *   is a fake: a table of (type, file, key) -> data, which records every
 *   key it is asked for, so partial matching and defaults can be
 *   checked without any lookup module.  Files whose name contains
 *   "defer" defer, "error" fail hard.
 */
#ifndef TEST_MATCH_ENV_H
#define TEST_MATCH_ENV_H

#include <stddef.h>

#include "match.h"

struct tm_calls {
    unsigned lookup, named_list, expand, host_names, host_addresses, mx,
        local_addresses;
};

struct tm_state {
    struct tern_match_env env;
    struct tern_match_cache *cache;     /* NULL unless tm_use_cache() */
    struct tern_arena *arena;
    struct tern_match_result res;
    struct tm_calls calls;
    char keys[2048];                    /* keys looked up, "|"-joined */
    const char *dollar_value;           /* what the fake expands $v to */
};

extern struct tm_state tm;

/* Fresh state (arena, counters, tables emptied); tm_teardown frees. */
int tm_setup(void **state);
int tm_teardown(void **state);
void tm_use_cache(void);

/* Tables. */
void tm_add_lookup(const char *type, const char *file, const char *key,
                   const char *data);
void tm_add_list(unsigned kind, const char *name, const char *text,
                 unsigned flags);
/* names "" means the reverse lookup finds nothing; NULL defers. */
void tm_add_host(const char *ip, const char *names);
/* addrs "" means the name does not exist; NULL defers. */
void tm_add_name(const char *name, const char *addrs);
void tm_set_mx(const char *domain, unsigned which, int rc);

/* Matches with the fake env; the result is in tm.res. */
int tm_domain(const char *subject, const char *list);
int tm_local(const char *subject, const char *list);
int tm_local_flags(const char *subject, const char *list, unsigned flags);
int tm_address(const char *subject, const char *list);
int tm_host(const char *ip, const char *list);
int tm_ip(const char *ip, const char *list);
/* tm.res.value or "(null)". */
const char *tm_value(void);

#endif
