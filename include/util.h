/* util: small standalone helpers shared by the modules: allocation that
 * aborts on out-of-memory, an arena for immutable snapshots, bounded file
 * reads, UTF-8 checks and local-time parsing. */
#ifndef MISATO_UTIL_H
#define MISATO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* snprintf into a fixed buffer where cutting long text is intended (error
 * messages made of untrusted parts); a function, so that GCC's truncation
 * warnings are kept for the plain snprintf calls where a cut would be a bug. */
void snprintf_cut(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Allocation that never returns NULL: out-of-memory aborts (systemd restarts
 * the player). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* An arena hands out memory that lives until util_arena_free(): a parsed feed
 * keeps all its strings in one, so the whole snapshot goes with one call. */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);                       /* NULL is a no-op */
void *arena_alloc(struct arena *a, size_t n);           /* zeroed, 16-aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points past U+10FFFF) and holds no NUL byte. */
bool utf8_valid(const char *s, size_t len);

/* Decodes the code point at *s (which must be valid UTF-8, see utf8_valid)
 * and advances *s past it. */
uint32_t utf8_next(const char **s);

/* Number of code points in a valid UTF-8 string. */
size_t utf8_length(const char *s);

/* Parses "YYYY-MM-DDTHH:MM" (optionally ":SS") as local time. Returns false
 * and leaves *out alone on anything else, including impossible dates. */
bool util_parse_local_time(const char *s, time_t *out);

/* Parses a base-10 integer in [min, max] with nothing after it. */
bool util_parse_long(const char *s, long min, long max, long *out);

/* Monotonic milliseconds, for deadlines. */
uint64_t util_monotonic_ms(void);

/* Creates a directory and its parents (like mkdir -p); true on success or if
 * it already is a directory. */
bool util_mkdir_p(const char *path);



/* Writes all of data to fd (retrying short writes and EINTR). Returns 0 or
 * an errno value (ENOSPC, EFBIG, EIO...). */
int util_write_all(int fd, const void *data, size_t len);

/* SHA-256 of data as 64 lowercase hex digits plus NUL (OpenSSL's libcrypto). */
void util_sha256_hex(const void *data, size_t len, char out[65]);

/* Parses an ISO 8601 date or date-time as a feed carries it: "2026-11-24",
 * "2026-11-24T09:00", "2026-11-24T09:00:00", optionally followed by "Z" or
 * "+09:00". Without an offset the time is local. False on anything else. */
bool util_parse_iso8601(const char *s, time_t *out);
#endif
