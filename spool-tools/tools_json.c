/*
 * NAME
 *   tools_json.c - the JSON the spool tools print
 *
 * DESCRIPTION
 *   Spool data is bytes: headers and bodies may carry 8-bit text in any
 *   charset, and JSON strings must be Unicode.  Valid UTF-8 is passed
 *   through; any other byte is shown as the Latin-1 character of the
 *   same value (\u00XX), which keeps every byte visible and the output
 *   valid, at the cost of not telling such a byte from that character
 *   written in UTF-8.  Use `show` without --json to get raw bytes.
 */
#include "config.h"

#include <string.h>

#include "tools.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned cp;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void tools_json_str(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!s) {
        fputs("null", f);
        return;
    }
    if (len == (size_t)-1)
        len = strlen(s);
    putc('"', f);
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        size_t n;
        switch (c) {
        case '"': fputs("\\\"", f); i++; continue;
        case '\\': fputs("\\\\", f); i++; continue;
        case '\n': fputs("\\n", f); i++; continue;
        case '\r': fputs("\\r", f); i++; continue;
        case '\t': fputs("\\t", f); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
            i++;
        } else if ((n = utf8_len(p + i, len - i)) > 0) {
            fwrite(p + i, 1, n, f);
            i += n;
        } else {
            fprintf(f, "\\u%04x", c);
            i++;
        }
    }
    putc('"', f);
}

void tools_json_key(FILE *f, int *first, const char *name)
{
    if (!*first)
        putc(',', f);
    *first = 0;
    tools_json_str(f, name, (size_t)-1);
    putc(':', f);
}
