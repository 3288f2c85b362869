/* fetch: one bounded HTTP(S) or file:// GET with libcurl, for the feed and
 * its media. Everything the server sends is untrusted: the body is capped
 * as it arrives (after gzip decoding), redirects are few and http(s) only,
 * TLS is verified, and every timeout is finite. One easy handle per thread;
 * no signals (CURLOPT_NOSIGNAL). */
#ifndef MISATO_FETCH_H
#define MISATO_FETCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct fetch_request {
    const char *url;
    const char *ca_file;        /* NULL: the system's CAs */
    bool allow_http;            /* plain http:// permitted (https always is) */
    size_t max_bytes;           /* cap on the decoded body */
    long connect_timeout_s;     /* TCP+TLS connect */
    long timeout_s;             /* the whole transfer */
    long low_speed_time_s;      /* abort when below 1 byte/s for this long */
    const char *etag;           /* conditional GET (If-None-Match), or NULL */
    const char *last_modified;  /* conditional GET (If-Modified-Since), or NULL */
    const atomic_bool *cancel;  /* when it turns true, the transfer ends within ~1 s */
};

enum fetch_status {
    FETCH_OK = 0,          /* 200 with a body within the cap */
    FETCH_NOT_MODIFIED,    /* 304: keep what you have */
    FETCH_HTTP_ERROR,      /* a status other than 200/304 (see http_status) */
    FETCH_TOO_BIG,         /* body over max_bytes (decoded) */
    FETCH_TIMEOUT,         /* connect, total or low-speed timeout */
    FETCH_REFUSED,         /* URL or redirect not allowed (scheme, count) */
    FETCH_NETWORK,         /* DNS, connect, TLS, transfer errors */
    FETCH_CANCELLED,       /* *cancel turned true (the player is stopping) */
};

#define FETCH_ETAG_MAX 256

struct fetch_result {
    enum fetch_status status;
    long http_status;              /* 0 when there was no HTTP response */
    char *body;                    /* FETCH_OK: malloc'd, NUL-terminated; caller frees */
    size_t len;
    char etag[FETCH_ETAG_MAX];     /* "" when none or unusable */
    char last_modified[64];
    long retry_after_s;            /* from Retry-After (seconds or date), -1 when none */
    bool has_date;                 /* the server's Date header, a hint for a bad clock */
    time_t date;
    char error[512];               /* English, for logs and the status file */
};

/* libcurl's global set-up: once, by the first fetch_get (or earlier by
 * hand); any thread. Cleanup only if it was made. */
void fetch_global_init(void);
void fetch_global_cleanup(void);

/* Performs one GET. Always fills *res (free with fetch_result_clear). */
enum fetch_status fetch_get(const struct fetch_request *req, struct fetch_result *res);
void fetch_result_clear(struct fetch_result *res);

/* "ok", "not modified", ... */
const char *fetch_status_text(enum fetch_status st);

/* Parses a Retry-After value: seconds, or an HTTP date relative to now.
 * Returns -1 when it is neither; caps at one day. */
long fetch_parse_retry_after(const char *value, time_t now);

#endif
