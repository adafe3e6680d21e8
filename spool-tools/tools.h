/*
 * NAME
 *   tools.h - what tern-spool and tern-hints share
 *
 * DESCRIPTION
 *   Both programs find the spool the same way: `-C FILE` (an Exim-style
 *   configuration, compiled in-process as tern does, or a plan written
 *   by confc) gives spool_directory, split_spool_directory and
 *   log_file_path; `--spool DIR` names the directory directly and wins
 *   over the configuration.  Both print JSON with the same writer.
 */
#ifndef TERN_SPOOL_TOOLS_H
#define TERN_SPOOL_TOOLS_H

#include <stddef.h>
#include <stdio.h>

struct tern_arena;
struct tern_log;

struct tools_env {
    const char *prog;           /* "tern-spool", for messages */
    const char *config;         /* -C */
    const char *spool;          /* spool_directory */
    int split;                  /* split_spool_directory (or --split) */
    const char *log_path;       /* log_file_path; NULL = SPOOL/log/%slog */
    long owner_uid, owner_gid;  /* the spool's owner when we are root */
    int json;                   /* --json */
    int utc;                    /* -z: times in UTC */
    struct tern_arena *arena;
    struct tern_log *log;       /* opened at the first line */
};

/* Exit statuses. */
#define TOOLS_OK 0
#define TOOLS_FAIL 1
#define TOOLS_USAGE 2

void tools_env_init(struct tools_env *e, const char *prog);
void tools_env_free(struct tools_env *e);

/* Options both programs take, at argv[*i]: -C FILE, --spool DIR,
 * --split, --json, -z.  1 when consumed (with *i advanced past any
 * value), 0 when not one of them, -1 when its value is missing. */
int tools_common_opt(struct tools_env *e, int argc, char **argv, int *i);

/* Read the configuration (if any) and settle the spool; 0, or -1 after
 * printing why. */
int tools_env_ready(struct tools_env *e);

/* A line in the main log, as Exim writes it ("ID removed by root"). */
void tools_log(struct tools_env *e, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Complain on stderr with the program name. */
void tools_warn(const struct tools_env *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The login name of the caller, for "removed by NAME". */
const char *tools_user(void);

/* Exim time syntax ("2h", "1d12h", "30d", "90s", "45" = seconds). */
int tools_parse_time(const char *s, long long *out);

/* "DD-Mon-YYYY HH:MM:SS" in local time (UTC with e->utc). */
void tools_fmt_date(const struct tools_env *e, long long t, char buf[32]);
/* Exim's -bp columns: age ("25m", " 3h", " 2d") and size (" 2.9K"). */
void tools_fmt_age(long long seconds, char buf[24]);
void tools_fmt_size(long long size, char buf[24]);

/* Is message `id` on the queue (its -H or -D file, either layout)? */
int tools_msg_exists(const struct tools_env *e, const char *id);

/* ---- JSON ---------------------------------------------------------------- */

/* A JSON string: the bytes of `s` (len bytes; (size_t)-1 = strlen), valid
 * UTF-8 kept, other bytes shown as the Latin-1 character of that value,
 * controls escaped.  NULL prints null. */
void tools_json_str(FILE *f, const char *s, size_t len);
/* "name": before a value, with a comma unless *first (then cleared). */
void tools_json_key(FILE *f, int *first, const char *name);

#endif
