/* fetch: bounded libcurl GET. */
#include "fetch.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "util.h"
#include "xalloc.h"

/* libcurl (and with it OpenSSL, GnuTLS, Kerberos, LDAP...: src/lazy.c) is
 * loaded at the first fetch, not before: a player with no feed_url never
 * maps it (5 MiB of PSS). curl_global_init is thread-safe from 7.84 on;
 * pthread_once makes it once. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static atomic_bool curl_ready;

static void curl_init_once(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    atomic_store(&curl_ready, true);
}

void fetch_global_init(void) { pthread_once(&curl_once, curl_init_once); }
void fetch_global_cleanup(void) {
    if (atomic_load(&curl_ready)) curl_global_cleanup();
}

const char *fetch_status_text(enum fetch_status st) {
    switch (st) {
    case FETCH_OK: return "ok";
    case FETCH_NOT_MODIFIED: return "not modified";
    case FETCH_HTTP_ERROR: return "HTTP error";
    case FETCH_TOO_BIG: return "too big";
    case FETCH_TIMEOUT: return "timed out";
    case FETCH_REFUSED: return "refused";
    case FETCH_NETWORK: return "network error";
    case FETCH_CANCELLED: return "cancelled";
    }
    return "?";
}

struct sink {
    char *buf;
    size_t len, cap, max;
    bool over;
};

/* libcurl hands decoded (gunzipped) data here, so the cap applies to what
 * we would keep, whatever the wire size; CURLOPT_MAXFILESIZE alone does not
 * stop a chunked or compressed body on 7.88. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *user) {
    struct sink *s = user;
    size_t n = size * nmemb;
    if (n > s->max - s->len) {
        s->over = true;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 16384;
        while (cap < s->len + n + 1) cap *= 2;
        if (cap > s->max + 1) cap = s->max + 1;
        s->buf = xrealloc(s->buf, cap);
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    return n;
}

/* Called by libcurl at least once a second, also while nothing arrives
 * and while connecting: a stopping player does not wait for fetch_timeout. */
static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const atomic_bool *cancel = user;
    return cancel && atomic_load(cancel) ? 1 : 0;
}

/* Copies a header value if it is short and printable: it goes back to the
 * server in our next request, so no CR/LF or control characters. */
static void copy_header(CURL *c, const char *name, char *out, size_t size) {
    struct curl_header *h = NULL;
    out[0] = '\0';
    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == NULL) return;
    size_t n = strlen(h->value);
    if (n == 0 || n >= size) return;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)h->value[i] < 0x20 || (unsigned char)h->value[i] == 0x7F) return;
    memcpy(out, h->value, n + 1);
}

long fetch_parse_retry_after(const char *v, time_t now) {
    while (*v == ' ') v++;
    if (*v == '\0') return -1;
    long secs;
    if (isdigit((unsigned char)*v)) {
        if (!util_parse_long(v, 0, 1L << 30, &secs)) return -1;
    } else {
        time_t t = curl_getdate(v, NULL);
        if (t == -1) return -1;
        secs = t > now ? (long)(t - now) : 0;
    }
    return secs > 86400 ? 86400 : secs;
}

static bool scheme_is(const char *url, const char *scheme) {
    size_t n = strlen(scheme);
    return strncasecmp(url, scheme, n) == 0 && url[n] == ':' && url[n + 1] == '/' &&
           url[n + 2] == '/';
}

/* The protocols the URL may use: file:// only as the configured URL itself,
 * never through a redirect; http:// only when allowed. NULL: refused. */
static const char *allowed_protocols(const struct fetch_request *req) {
    if (scheme_is(req->url, "https")) return "https";
    if (scheme_is(req->url, "http") && req->allow_http) return "http,https";
    if (scheme_is(req->url, "file")) return "file";
    return NULL;
}

/* Every limit and check on the handle: bounded in time and size, TLS
 * verified, redirects only to allowed schemes, cancellable. */
static struct curl_slist *set_options(CURL *c, const struct fetch_request *req, const char *protocols,
                                      struct sink *sink, char *errbuf) {
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, req->allow_http ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req->connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req->low_speed_time_s);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl decodes */
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_bytes);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (req->ca_file && req->ca_file[0]) curl_easy_setopt(c, CURLOPT_CAINFO, req->ca_file);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "misato-signage/" MISATO_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    if (req->cancel) {
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)req->cancel);
    }
    struct curl_slist *headers = NULL;
    char h[FETCH_ETAG_MAX + 32];
    if (req->etag && req->etag[0]) {
        snprintf(h, sizeof h, "If-None-Match: %s", req->etag);
        headers = curl_slist_append(headers, h);
    }
    if (req->last_modified && req->last_modified[0]) {
        snprintf(h, sizeof h, "If-Modified-Since: %s", req->last_modified);
        headers = curl_slist_append(headers, h);
    }
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    return headers;
}

/* What the server said besides the body: status, validators, Retry-After, Date. */
static void read_headers(CURL *c, const struct fetch_request *req, struct fetch_result *res) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->http_status);
    if (scheme_is(req->url, "file")) res->http_status = 0;
    copy_header(c, "ETag", res->etag, sizeof res->etag);
    copy_header(c, "Last-Modified", res->last_modified, sizeof res->last_modified);
    char tmp[128];
    copy_header(c, "Retry-After", tmp, sizeof tmp);
    if (tmp[0]) res->retry_after_s = fetch_parse_retry_after(tmp, time(NULL));
    copy_header(c, "Date", tmp, sizeof tmp);
    if (tmp[0]) {
        time_t d = curl_getdate(tmp, NULL);
        if (d != -1) res->has_date = true, res->date = d;
    }
}

/* The outcome in one status, with words for IT; a good body moves from
 * sink into res. */
static void classify(CURLcode rc, const char *errbuf, const struct fetch_request *req, struct sink *sink,
                     struct fetch_result *res) {
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        res->status = FETCH_CANCELLED;
        snprintf(res->error, sizeof res->error, "cancelled: the player is stopping");
    } else if (sink->over || rc == CURLE_FILESIZE_EXCEEDED) {
        res->status = FETCH_TOO_BIG;
        snprintf(res->error, sizeof res->error, "body larger than %zu bytes", req->max_bytes);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        res->status = FETCH_TIMEOUT;
        util_snprintf_cut(res->error, sizeof res->error, "timed out: %s", errbuf[0] ? errbuf : "");
    } else if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_TOO_MANY_REDIRECTS) {
        res->status = FETCH_REFUSED;
        /* A loop is not a refused URL: the two are told apart in words. */
        util_snprintf_cut(res->error, sizeof res->error, "%s: %s",
                     rc == CURLE_TOO_MANY_REDIRECTS ? "redirect loop or too many redirects"
                                                    : "redirect to a URL that is not allowed",
                     errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (rc != CURLE_OK) {
        res->status = FETCH_NETWORK;
        snprintf(res->error, sizeof res->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (res->http_status == 304) {
        res->status = FETCH_NOT_MODIFIED;
    } else if (res->http_status != 200 && res->http_status != 0) {
        res->status = FETCH_HTTP_ERROR;
        snprintf(res->error, sizeof res->error, "HTTP status %ld", res->http_status);
    } else {
        res->status = FETCH_OK;
        if (sink->buf == NULL) sink->buf = xmalloc(1);
        sink->buf[sink->len] = '\0';
        res->body = sink->buf;
        res->len = sink->len;
        sink->buf = NULL;
    }
}

enum fetch_status fetch_get(const struct fetch_request *req, struct fetch_result *res) {
    fetch_global_init();
    memset(res, 0, sizeof *res);
    res->retry_after_s = -1;
    const char *protocols = allowed_protocols(req);
    if (protocols == NULL) {
        res->status = FETCH_REFUSED;
        snprintf(res->error, sizeof res->error, "URL scheme not allowed: use https://%s",
                 req->allow_http ? ", http://" : " (or set allow_http = yes)");
        return res->status;
    }
    CURL *c = curl_easy_init();
    if (c == NULL) {
        res->status = FETCH_NETWORK;
        snprintf(res->error, sizeof res->error, "curl_easy_init failed");
        return res->status;
    }
    struct sink sink = {.max = req->max_bytes};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = set_options(c, req, protocols, &sink, errbuf);
    CURLcode rc = curl_easy_perform(c);
    read_headers(c, req, res);
    classify(rc, errbuf, req, &sink, res);
    free(sink.buf);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return res->status;
}

void fetch_result_clear(struct fetch_result *res) {
    free(res->body);
    res->body = NULL;
    res->len = 0;
}
