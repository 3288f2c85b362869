/* util: parsing numbers and times, a monotonic clock, SHA-256, cut strings. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"

bool util_parse_long(const char *s, long min, long max, long *out) {
    if (s == NULL || *s == '\0') return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) return false;
    *out = v;
    return true;
}

bool util_parse_local_time(const char *s, time_t *out) {
    int y, mo, d, h, mi, sec = 0, consumed = 0;
    size_t len = strlen(s);
    if (len != 16 && len != 19) return false;
    if (len == 16) {
        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &consumed) != 5) return false;
    } else if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6) {
        return false;
    }
    if ((size_t)consumed != len) return false;
    for (size_t i = 0; i < len; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        bool sep = i == 4 || i == 7 || i == 10 || i == 13 || i == 16;
        if (digit == sep) return false;
    }
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 59)
        return false;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == (time_t)-1) return false;
    /* mktime normalises 2026-02-30 into March: refuse such dates. */
    if (tm.tm_mday != d || tm.tm_mon != mo - 1) return false;
    *out = t;
    return true;
}

uint64_t util_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * algorithm): lets us honour an explicit UTC offset without timegm(). */
static long long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static bool digits_at(const char *s, size_t pos, size_t n, int *out) {
    int v = 0;
    for (size_t i = pos; i < pos + n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool util_parse_iso8601(const char *s, time_t *out) {
    int y, mo, d, h = 0, mi = 0, sec = 0;
    size_t len = strlen(s);
    if (len < 10 || !digits_at(s, 0, 4, &y) || s[4] != '-' || !digits_at(s, 5, 2, &mo) ||
        s[7] != '-' || !digits_at(s, 8, 2, &d))
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) return false;
    size_t p = 10;
    if (p < len) {
        if (s[p] != 'T' && s[p] != ' ') return false;
        if (len < p + 6 || !digits_at(s, p + 1, 2, &h) || s[p + 3] != ':' ||
            !digits_at(s, p + 4, 2, &mi))
            return false;
        p += 6;
        if (p < len && s[p] == ':') {
            if (len < p + 3 || !digits_at(s, p + 1, 2, &sec)) return false;
            p += 3;
        }
        if (h > 23 || mi > 59 || sec > 60) return false;
    }
    if (p == len) {
        char buf[64];
        snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi,
                 sec > 59 ? 59 : sec);
        return util_parse_local_time(buf, out);
    }
    int off = 0;
    if (s[p] == 'Z' && p + 1 == len) {
        off = 0;
    } else if ((s[p] == '+' || s[p] == '-') && len == p + 6 && s[p + 3] == ':') {
        int oh, om;
        if (!digits_at(s, p + 1, 2, &oh) || !digits_at(s, p + 4, 2, &om) || oh > 14 || om > 59)
            return false;
        off = (oh * 60 + om) * 60 * (s[p] == '-' ? -1 : 1);
    } else {
        return false;
    }
    long long t = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec - off;
    *out = (time_t)t;
    return true;
}

void util_sha256_hex(const void *data, size_t len, char out[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32) {
        LOG(LOG_ERROR, "SHA-256 failed");
        abort();
    }
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

void util_snprintf_cut(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || size == 0 || (size_t)n < size) return;
    /* Cut: never leave half a UTF-8 character at the end (it would reach
     * JSON files and logs as invalid text). */
    size_t len = strlen(buf), i = len;
    while (i > 0 && ((unsigned char)buf[i - 1] & 0xC0) == 0x80) i--;
    if (i == 0) return;
    unsigned char lead = (unsigned char)buf[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (i - 1) < need) buf[i - 1] = '\0';
}

