/*
 * NAME
 *   receive_fmt.c - Exim's small output formats: header dates, queue
 *   listing sizes and ages, printable log fields
 *
 * DESCRIPTION
 *   Each format was checked against Debian's Exim 4.96 output:
 *
 *   - dates as $tod_full, "Wed, 02 Dec 2026 05:07:06 +0000", in the
 *     C locale's day and month names whatever the process locale;
 *   - -bp sizes in five columns: blank for 0, the byte count below
 *     1024, one decimal of K below 10K, rounded K below 1M, one decimal
 *     of M below 10M, rounded M above;
 *   - -bp ages: minutes up to 90, then rounded hours up to 72, then
 *     rounded days;
 *   - log fields (T=, DN=, SNI=) through Exim's "printing" escapes:
 *     \b \f \n \r \v, \ooo for other controls and for bytes above 126,
 *     the tab left alone, and inside quotes `"` and `\` escaped.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "receive_int.h"

void
host_fmt_date(time_t t, char *buf, size_t len)
{
    static const char *const days[] = {
        "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
    };
    static const char *const months[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };
    struct tm tm;
    long off;
    char sign = '+';

    localtime_r(&t, &tm);
    off = tm.tm_gmtoff / 60;
    if (off < 0) {
        sign = '-';
        off = -off;
    }
    snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
             days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign,
             off / 60, off % 60);
}

void
host_fmt_qsize(long long size, char buf[24])
{
    const double k = 1024.0, m = 1024.0 * 1024.0;

    if (size <= 0)
        snprintf(buf, 24, "     ");
    else if (size < 1024)
        snprintf(buf, 24, "%5lld", size);
    else if (size < 10 * 1024)
        snprintf(buf, 24, "%4.1fK", (double)size / k);
    else if (size < 1024 * 1024)
        snprintf(buf, 24, "%4lldK", (size + 512) / 1024);
    else if (size < 10 * 1024 * 1024)
        snprintf(buf, 24, "%4.1fM", (double)size / m);
    else
        snprintf(buf, 24, "%4lldM", (size + 512 * 1024) / (1024 * 1024));
}

void
host_fmt_qage(long long seconds, char buf[24])
{
    long long mins = seconds < 0 ? 0 : seconds / 60;

    if (mins <= 90) {
        snprintf(buf, 24, "%2lldm", mins);
        return;
    }
    long long hours = (mins + 30) / 60;
    if (hours <= 72)
        snprintf(buf, 24, "%2lldh", hours);
    else
        snprintf(buf, 24, "%2lldd", (hours + 12) / 24);
}

char *
host_fmt_printing(struct tern_arena *a, const char *s, size_t len,
                  int quoted, int topbit)
{
    char *out = tern_alloc(a, len * 4 + 1);
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;

        switch (c) {
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\v': esc = "\\v"; break;
        case '"':  esc = quoted ? "\\\"" : NULL; break;
        case '\\': esc = quoted ? "\\\\" : NULL; break;
        default: break;
        }
        if (esc != NULL) {
            memcpy(out + o, esc, 2);
            o += 2;
        } else if (c == '\t' || (c >= 32 && c < 127) ||
                   (c >= 128 && topbit)) {
            out[o++] = (char)c;
        } else {
            o += (size_t)snprintf(out + o, 5, "\\%03o", c);
        }
    }
    out[o] = '\0';
    return out;
}
