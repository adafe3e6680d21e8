/*
 * NAME
 *   plan_fixture.h - a hand-built configuration for the plan tests
 *
 * DESCRIPTION
 *   plan_fixture_config() returns a configuration that uses every part of
 *   struct tern_config: two files, modules, main options of every value
 *   type (set and unset, negative and extreme numbers, NULL and empty
 *   text), named lists of each kind, ACLs with negated items, drivers of
 *   all three kinds with options, retry rules F/G/H, rewrites and macros,
 *   and parsed expansions on some options and ACL items.
 *   plan_fixture_compare() asserts (CMocka) that two configurations hold
 *   the same content, field by field.  The plan_ helpers poke at plan
 *   bytes the way a reader in another language would.
 */
#ifndef TERN_PLAN_FIXTURE_H
#define TERN_PLAN_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "cfgmodel.h"

struct tern_exp;

/* The fixture; options and ACL items whose values are expansions carry
 * them parsed (tern_cfg_option.exp). */
const struct tern_config *plan_fixture_config(void);
/* Its main option smtp_banner, an expansion: "$smtp_active_hostname
 * ESMTP Tern ..." with escapes. */
const struct tern_cfg_option *plan_fixture_banner(void);
/* Assert two expressions are the same image (both may be NULL). */
void plan_fixture_exp_eq(const struct tern_exp *want,
                         const struct tern_exp *got);
void plan_fixture_compare(const struct tern_config *want,
                          const struct tern_config *got);

/* The plan of `cfg` in a malloc'ed buffer of exactly its size. */
unsigned char *plan_bytes(const struct tern_config *cfg, size_t *size);
/* Start of section `type` of a plan (found through its directory). */
unsigned char *plan_section(unsigned char *plan, unsigned type,
                            uint32_t *count);
/* Recompute the checksum after a deliberate change. */
void plan_fix_checksum(unsigned char *plan, size_t size);

#endif
