/* util: small standalone helpers with no home of their own: parsing
 * integers and local or ISO 8601 times, a monotonic clock, SHA-256, and
 * snprintf that cuts on purpose. Allocation is xalloc.h, the arena arena.h,
 * UTF-8 utf8.h, files file.h. */
#ifndef MISATO_UTIL_H
#define MISATO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* snprintf into a fixed buffer where cutting long text is intended (error
 * messages made of untrusted parts); a function, so that GCC's truncation
 * warnings are kept for the plain snprintf calls where a cut would be a bug. */
void util_snprintf_cut(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses "YYYY-MM-DDTHH:MM" (optionally ":SS") as local time. Returns false
 * and leaves *out alone on anything else, including impossible dates. */
bool util_parse_local_time(const char *s, time_t *out);

/* Parses a base-10 integer in [min, max] with nothing after it. */
bool util_parse_long(const char *s, long min, long max, long *out);

/* Monotonic milliseconds, for deadlines. */
uint64_t util_monotonic_ms(void);

/* SHA-256 of data as 64 lowercase hex digits plus NUL (OpenSSL's libcrypto). */
void util_sha256_hex(const void *data, size_t len, char out[65]);

/* Parses an ISO 8601 date or date-time as a feed carries it: "2026-11-24",
 * "2026-11-24T09:00", "2026-11-24T09:00:00", optionally followed by "Z" or
 * "+09:00". Without an offset the time is local. False on anything else. */
bool util_parse_iso8601(const char *s, time_t *out);

#endif
