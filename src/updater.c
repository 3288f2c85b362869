/* updater: the feed worker thread (poll, validate, cache, hand over, status). */
#include "updater.h"

#include "status.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cache.h"
#include "clock.h"
#include "config.h"
#include "feed.h"
#include "guard.h"
#include "fetch.h"
#include "file.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "xalloc.h"

/* Parses a cached generation. A file that exists but does not validate
 * (a disk error, a hand edit) is moved aside as <name>.corrupt for IT to
 * look at, so that what stays in the cache always validates. On success
 * *body_out (if not NULL) receives the bytes. */
static struct feed *load_cached(const char *dir, const char *name, char **body_out, size_t *len_out) {
    size_t len;
    char from[4096], *body = NULL;
    if (!cache_path(dir, name, from, sizeof from) ||
        file_read(AT_FDCWD, from, FEED_MAX_BYTES, 0, &body, &len, NULL) != FILE_OK)
        return NULL;
    struct feed *f = NULL;
    enum feed_status st = feed_parse(body, len, NULL, &f);
    if (f == NULL) {
        char to[4200];
        snprintf(to, sizeof to, "%s.corrupt", from);
        LOG(LOG_WARN, "%s: cached feed unusable (%s); moved to %s", from, feed_status_text(st), to);
        rename(from, to);
        free(body);
        return NULL;
    }
    if (body_out) {
        *body_out = body;
        *len_out = len;
    } else {
        free(body);
    }
    return f;
}

struct feed *updater_load_initial(const char *cache_dir, enum feed_source *source) {
    cache_sweep(cache_dir);
    struct feed *f = load_cached(cache_dir, CACHE_FEED, NULL, NULL);
    *source = FEED_SOURCE_CACHE;
    if (f == NULL) {
        char *body = NULL;
        size_t len = 0;
        f = load_cached(cache_dir, CACHE_FEED_PREV, &body, &len);
        *source = FEED_SOURCE_PREVIOUS;
        /* The previous generation becomes the current one again. */
        if (f && cache_replace_file(cache_dir, CACHE_FEED, body, len) == 0)
            LOG(LOG_INFO, "%s/%s restored from the previous generation", cache_dir, CACHE_FEED);
        free(body);
    }
    if (f == NULL) {
        if (feed_parse_default(NULL, &f) > FEED_PROBLEMS || f == NULL) {
            LOG(LOG_ERROR, "the embedded plan does not parse: a broken build");
            abort();
        }
        *source = FEED_SOURCE_EMBEDDED;
    }
    return f;
}

struct updater {
    struct config cfg;
    updater_notify_fn notify;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    /* guarded by mu */
    bool stop, refetch, rewrite_status;
    bool showing_changed;          /* a new slide since the last status write */
    struct timespec status_written;/* CLOCK_MONOTONIC of the last status write */
    atomic_bool cancel;            /* set by updater_stop, read by transfers (any thread) */
    struct config *pending;        /* new settings (SIGHUP), applied by the worker */
    struct feed *mailbox;          /* newest feed not yet taken */
    struct cache_media *mailbox_media; /* where the cache holds its media */
    char showing_id[48];
    size_t showing_index, showing_count;
    char last_import[512];         /* one line on the latest USB import */
    size_t local_pictures;         /* pictures from media_dir in the deck */
    struct updater_state state;
    /* worker only */
    enum feed_source source;
    int schema_version;
    time_t feed_updated_at;
    bool has_updated_at;
    size_t n_measures;
    struct cache_meta meta;
    time_t last_attempt, last_success, next_attempt;
    char last_result[64], last_error[512];
    long http_status;
    size_t problems;
    unsigned long attempts;
    int media_failed;
};

static double random_unit(void) {
    unsigned int r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r) r = (unsigned)time(NULL) * 2654435761u;
    return (double)r / 4294967296.0;
}

double updater_backoff(double poll, int failures, long retry_after, double jitter) {
    double d = poll;
    if (failures > 0) {
        double ceiling = poll > 900 ? poll : 900;
        d = poll / 2;
        for (int i = 1; i < failures && d < ceiling; i++) d *= 2;
        if (d > ceiling) d = ceiling;
    }
    d *= 0.8 + 0.4 * jitter;
    /* Never sooner than Retry-After, and spread over the 20% after it: an
     * overloaded server that told every screen "120" must not get them
     * all back in the same second (#17: they kept their first spread, round
     * after round, where the jitter widens it). */
    if (retry_after >= 0 && d < retry_after) d = (double)retry_after * (1 + 0.2 * jitter);
    return d < 1 ? 1 : d;
}

static double next_delay(const struct updater *u, int failures, long retry_after) {
    return updater_backoff(u->cfg.poll_seconds, failures, retry_after, random_unit());
}

/* A body the poison guard set aside (guard.h) is refused unparsed. */
static bool body_quarantined(const struct updater *u, const struct fetch_result *res) {
    char hex[65];
    util_sha256_hex(res->body, res->len, hex);
    return guard_is_quarantined(u->cfg.cache_dir, hex);
}

/* Writes state_dir/status.json. Worker thread only. */
static void write_status(struct updater *u) {
    pthread_mutex_lock(&u->mu);
    char showing[48], last_import[512];
    memcpy(showing, u->showing_id, sizeof showing);
    memcpy(last_import, u->last_import, sizeof last_import);
    size_t local = u->local_pictures;
    size_t index = u->showing_index, count = u->showing_count;
    struct updater_state st = u->state;
    u->showing_changed = false;
    pthread_mutex_unlock(&u->mu);
    struct status_report r = {
        .version = MISATO_VERSION, .feed_url = u->cfg.feed_url,
        .last_attempt = u->last_attempt, .last_success = u->last_success, .next_attempt = u->next_attempt,
        .attempts = u->attempts, .result = u->last_result, .http_status = u->http_status,
        .error = u->last_error, .consecutive_failures = st.failures, .showing_saved_data = st.stale,
        .source = feed_source_name(u->source), .schema_version = u->schema_version,
        .updated_at = u->has_updated_at ? u->feed_updated_at : 0, .etag = u->meta.etag,
        .measures = u->n_measures, .problems = u->problems, .media_failed = u->media_failed,
        .slide = showing, .index = index, .count = count,
        .media_dir = u->cfg.media_dir, .pictures = local, .last_import = last_import,
        .pid = (long)getpid(),
    };
    /* The panel (#17): off on purpose is not a failed screen. */
    struct metrics_snapshot ms;
    metrics_snapshot(&ms);
    if (ms.has_panel) {
        r.has_panel = true;
        r.panel_method = ms.panel_method;
        r.panel_state = ms.panel_state;
        r.panel_override = ms.panel_override < 0 ? "none" : ms.panel_override ? "on" : "off";
        r.panel_wanted_on = ms.panel_wanted_on;
        r.panel_errors = ms.panel_errors;
        r.panel_detail = ms.panel_detail;
        r.panel_changed_at = ms.panel_changed_at;
    }
    status_write(u->cfg.state_dir, &r);
    clock_gettime(CLOCK_MONOTONIC, &u->status_written);
}

static void note_feed(struct updater *u, const struct feed *f, enum feed_source src) {
    u->source = src;
    u->schema_version = f->schema_version;
    u->has_updated_at = f->has_updated_at;
    u->feed_updated_at = f->updated_at;
    u->n_measures = f->n_measures;
    metrics_note_feed(feed_source_name(src), f->has_updated_at, f->updated_at, f->n_measures);
}

/* Largest media file we fetch; posters are a few MiB at most. */
#define MEDIA_MAX_BYTES (16u << 20)

/* Fetches the feed's media that the cache lacks into cache_dir/media as
 * <sha256>.<png|jpg>, each checked against its sha256 and magic bytes.
 * Returns the number that failed (logged). */
static int sync_media(struct updater *u, const struct feed *f) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/" CACHE_MEDIA_DIR, u->cfg.cache_dir);
    int failed = 0;
    for (size_t i = 0; i < f->n_media && !atomic_load(&u->cancel); i++) {
        const struct feed_media *m = &f->media[i];
        char name[80], path[4300];
        if (cache_media_path(u->cfg.cache_dir, m->sha256, path, sizeof path)) continue;
        struct fetch_request req = {
            .url = m->url, .ca_file = u->cfg.ca_file[0] ? u->cfg.ca_file : NULL,
            .allow_http = u->cfg.allow_http, .max_bytes = MEDIA_MAX_BYTES,
            .timeout_s = u->cfg.fetch_timeout * 2, .connect_timeout_s = 15,
            .low_speed_time_s = 20, .cancel = &u->cancel,
        };
        struct fetch_result res;
        const char *why = NULL;
        char hex[65];
        if (fetch_get(&req, &res) != FETCH_OK) why = res.error;
        else if (util_sha256_hex(res.body, res.len, hex), strcmp(hex, m->sha256) != 0)
            why = "sha256 does not match";
        else if (!cache_media_name(m->sha256, res.body, res.len, name, sizeof name))
            why = "not a PNG or JPEG file";
        if (why == NULL) {
            int rc = cache_replace_file(dir, name, res.body, res.len);
            if (rc) why = strerror(rc);
            else LOG(LOG_INFO, "media %s stored (%zu bytes)", m->id, res.len);
        }
        if (why) {
            failed++;
            LOG(LOG_WARN, "media %s (%s): not stored: %s", m->id, m->url, why);
            util_snprintf_cut(u->last_error, sizeof u->last_error, "media %s: %s", m->id, why);
        }
        fetch_result_clear(&res);
    }
    return failed;
}

/* The feed's GET: conditional (ETag, Last-Modified) when the validators
 * came from this URL. */
static struct fetch_request feed_request(struct updater *u) {
    struct fetch_request req = {
        .url = u->cfg.feed_url,
        .ca_file = u->cfg.ca_file[0] ? u->cfg.ca_file : NULL,
        .allow_http = u->cfg.allow_http,
        .max_bytes = FEED_MAX_BYTES,
        .timeout_s = u->cfg.fetch_timeout,
        .connect_timeout_s = u->cfg.fetch_timeout < 15 ? u->cfg.fetch_timeout : 15,
        .low_speed_time_s = u->cfg.fetch_timeout < 20 ? u->cfg.fetch_timeout : 20,
        .cancel = &u->cancel,
    };
    if (strcmp(u->meta.url, u->cfg.feed_url) == 0 && u->source != FEED_SOURCE_EMBEDDED) {
        req.etag = u->meta.etag;
        req.last_modified = u->meta.last_modified;
    }
    return req;
}

/* A feed that was refused: the status file's error, "not JSON: 6行目 37文字目
 * (line 6, column 37): ..." (no empty path, no leading space). */
static void note_invalid(struct updater *u, enum feed_status st, const struct feed_report *rep) {
    snprintf(u->last_result, sizeof u->last_result, "invalid feed");
    if (rep->count && rep->items[0].path[0])
        util_snprintf_cut(u->last_error, sizeof u->last_error, "%s: %s: %s", feed_status_text(st), rep->items[0].path,
                     rep->items[0].en);
    else if (rep->count)
        util_snprintf_cut(u->last_error, sizeof u->last_error, "%s: %s", feed_status_text(st), rep->items[0].en);
    else snprintf(u->last_error, sizeof u->last_error, "%s", feed_status_text(st));
    LOG(LOG_ERROR, "fetched feed rejected (%s); keeping the last good one", feed_status_text(st));
}

/* A good new feed f (from res): into the cache unless it is the same bytes,
 * its media fetched, then into the mailbox for the main thread. */
static void store_and_hand_over(struct updater *u, struct feed *f, const struct fetch_result *res) {
    size_t old_len = 0;
    char cur[PATH_MAX], *old = NULL;
    if (cache_path(u->cfg.cache_dir, CACHE_FEED, cur, sizeof cur))
        file_read(AT_FDCWD, cur, FEED_MAX_BYTES, 0, &old, &old_len, NULL);
    bool same = old && old_len == res->len && memcmp(old, res->body, res->len) == 0;
    free(old);
    struct cache_meta meta = {0};
    snprintf(meta.url, sizeof meta.url, "%s", u->cfg.feed_url);
    snprintf(meta.etag, sizeof meta.etag, "%s", res->etag);
    snprintf(meta.last_modified, sizeof meta.last_modified, "%s", res->last_modified);
    meta.fetched_at = time(NULL);
    if (!same) {
        int rc = cache_store_feed(u->cfg.cache_dir, res->body, res->len, &meta);
        if (rc) LOG(LOG_WARN, "%s: cannot store the feed: %s", u->cfg.cache_dir, strerror(rc));
        else LOG(LOG_INFO, "new feed stored (%zu bytes, ETag %s)", res->len, meta.etag[0] ? meta.etag : "none");
    }
    u->meta = meta;
    note_feed(u, f, FEED_SOURCE_NETWORK);
    u->media_failed = sync_media(u, f);
    struct cache_media *fm = cache_media_find(u->cfg.cache_dir, f);
    pthread_mutex_lock(&u->mu);
    feed_free(u->mailbox);
    cache_media_free(u->mailbox_media);
    u->mailbox = f;
    u->mailbox_media = fm;
    pthread_mutex_unlock(&u->mu);
}

/* A body that arrived: parsed (the poison guard knows it is being parsed),
 * refused or taken. True when it was taken. */
static bool take_body(struct updater *u, const struct fetch_result *res) {
    if (body_quarantined(u, res)) {
        snprintf(u->last_result, sizeof u->last_result, "quarantined");
        snprintf(u->last_error, sizeof u->last_error,
                 "this feed was set aside after the player died twice showing it; publish a corrected one");
        LOG(LOG_ERROR, "fetched feed refused: it is the one the poison guard set aside");
        return false;
    }
    struct feed_report *rep = xmalloc(sizeof *rep);
    struct feed *f = NULL;
    char hex[65];
    util_sha256_hex(res->body, res->len, hex);
    guard_incoming(hex); /* a parse that kills the player blames this body, not the screen's */
    enum feed_status st = feed_parse(res->body, res->len, rep, &f);
    guard_incoming(NULL);
    for (size_t i = 0; i < rep->count; i++)
        LOG(f ? LOG_WARN : LOG_ERROR, "feed: %s: %s (%s)", rep->items[i].path[0] ? rep->items[i].path : "(whole file)",
            rep->items[i].en, rep->items[i].ja);
    if (f == NULL) {
        note_invalid(u, st, rep);
    } else {
        u->problems = rep->count + rep->omitted;
        store_and_hand_over(u, f, res);
    }
    free(rep);
    return f != NULL;
}

/* One attempt: fetch, validate, store, hand over. Returns the delay to the
 * next attempt in seconds. */
static double attempt(struct updater *u) {
    struct fetch_request req = feed_request(u);
    struct fetch_result res;
    u->last_attempt = time(NULL);
    u->attempts++;
    enum fetch_status fs = fetch_get(&req, &res);
    u->http_status = res.http_status;
    snprintf(u->last_result, sizeof u->last_result, "%s", fetch_status_text(fs));
    snprintf(u->last_error, sizeof u->last_error, "%s", res.error);
    bool ok = false;
    if (!clock_plausible(time(NULL)) && res.has_date && clock_plausible(res.date)) {
        pthread_mutex_lock(&u->mu);
        u->state.has_clock_hint = true;
        u->state.clock_offset = res.date - time(NULL);
        pthread_mutex_unlock(&u->mu);
    }
    if (fs == FETCH_NOT_MODIFIED) {
        ok = true; /* nothing written to disk */
        LOG(LOG_DEBUG, "feed not modified");
        if (u->media_failed > 0) { /* retry the media that failed last time */
            struct feed *cached = load_cached(u->cfg.cache_dir, CACHE_FEED, NULL, NULL);
            if (cached) u->media_failed = sync_media(u, cached);
            feed_free(cached);
        }
    } else if (fs == FETCH_OK) {
        ok = take_body(u, &res);
    } else {
        LOG(LOG_WARN, "feed fetch failed: %s", res.error);
    }
    fetch_result_clear(&res);

    pthread_mutex_lock(&u->mu);
    u->state.failures = ok ? 0 : u->state.failures + 1;
    u->state.stale = !ok;
    int failures = u->state.failures;
    pthread_mutex_unlock(&u->mu);
    if (ok) u->last_success = u->last_attempt;
    metrics_note_fetch(u->last_result, u->http_status, ok, u->last_attempt, failures);
    double delay = next_delay(u, failures, res.retry_after_s);
    u->next_attempt = time(NULL) + (time_t)delay;
    write_status(u);
    u->notify(u->ctx);
    return delay;
}

/* With mu held: new settings from the main thread take effect here, on the
 * worker, which is the only thread that reads u->cfg. */
static void apply_pending(struct updater *u) {
    if (u->pending == NULL) return;
    u->cfg = *u->pending;
    free(u->pending);
    u->pending = NULL;
}

/* A slide change is written into the status file at most every
 * SHOWING_WRITE_S seconds, so that --status names the slide on screen
 * without a write for every slide. True when one is due now; otherwise
 * *due (may be NULL) is when it will be. Called with mu held. */
#define SHOWING_WRITE_S 5
static bool showing_due(const struct updater *u, struct timespec *due) {
    struct timespec d = u->status_written, now;
    d.tv_sec += SHOWING_WRITE_S;
    if (due) *due = d;
    if (!u->showing_changed) return false;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > d.tv_sec || (now.tv_sec == d.tv_sec && now.tv_nsec >= d.tv_nsec);
}

static void *worker(void *arg) {
    struct updater *u = arg;
    /* First attempt soon, but spread: screens that booted together do not
     * all ask at once. */
    double spread = u->cfg.poll_seconds / 4.0 < 10 ? u->cfg.poll_seconds / 4.0 : 10;
    double delay = u->cfg.feed_url[0] ? 1 + random_unit() * spread : 0;
    write_status(u);
    pthread_mutex_lock(&u->mu);
    while (!u->stop) {
        apply_pending(u);
        if (u->cfg.feed_url[0] == '\0') {
            /* Nothing to poll: refresh the status on request, else wait. */
            if (u->refetch || u->rewrite_status || showing_due(u, NULL)) {
                u->refetch = u->rewrite_status = false;
                pthread_mutex_unlock(&u->mu);
                write_status(u);
                pthread_mutex_lock(&u->mu);
                continue;
            }
            struct timespec due;
            if (showing_due(u, &due)) continue;
            if (u->showing_changed) pthread_cond_timedwait(&u->cond, &u->mu, &due);
            else pthread_cond_wait(&u->cond, &u->mu);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)delay;
        until.tv_nsec += (long)((delay - (double)(time_t)delay) * 1e9);
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        bool timed_out = false;
        while (!u->stop && !u->refetch && !timed_out) {
            struct timespec due;
            if (u->rewrite_status || showing_due(u, &due)) {
                u->rewrite_status = false;
                pthread_mutex_unlock(&u->mu);
                write_status(u);
                pthread_mutex_lock(&u->mu);
                continue;
            }
            bool sooner = u->showing_changed && (due.tv_sec < until.tv_sec ||
                                                 (due.tv_sec == until.tv_sec && due.tv_nsec < until.tv_nsec));
            int rc = pthread_cond_timedwait(&u->cond, &u->mu, sooner ? &due : &until);
            timed_out = rc == ETIMEDOUT && !sooner;
        }
        if (u->stop) break;
        u->refetch = false;
        apply_pending(u);
        if (u->cfg.feed_url[0] == '\0') continue;
        pthread_mutex_unlock(&u->mu);
        delay = attempt(u);
        pthread_mutex_lock(&u->mu);
    }
    pthread_mutex_unlock(&u->mu);
    write_status(u);
    return NULL;
}

struct updater *updater_start(const struct config *cfg, const struct feed *initial,
                              enum feed_source source, const char *first_slide,
                              size_t slide_count, updater_notify_fn notify, void *ctx) {
    struct updater *u = xcalloc(1, sizeof *u);
    snprintf(u->showing_id, sizeof u->showing_id, "%s", first_slide);
    u->showing_index = slide_count ? 1 : 0;
    u->showing_count = slide_count;
    metrics_note_slide(first_slide, u->showing_index, slide_count);
    u->cfg = *cfg;
    u->notify = notify;
    u->ctx = ctx;
    u->state.polling = cfg->feed_url[0] != '\0';
    metrics_note_config(u->state.polling, cfg->poll_seconds);
    note_feed(u, initial, source);
    cache_read_meta(cfg->cache_dir, &u->meta);
    snprintf(u->last_result, sizeof u->last_result, "%s", u->state.polling ? "not yet" : "no feed_url");
    pthread_mutex_init(&u->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&u->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&u->thread, NULL, worker, u) != 0) {
        LOG(LOG_ERROR, "cannot start the feed worker");
        pthread_mutex_destroy(&u->mu);
        pthread_cond_destroy(&u->cond);
        free(u);
        return NULL;
    }
    return u;
}

void updater_stop(struct updater *u) {
    if (u == NULL) return;
    atomic_store(&u->cancel, true); /* a transfer in progress ends within ~1 s */
    pthread_mutex_lock(&u->mu);
    u->stop = true;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->thread, NULL);
    feed_free(u->mailbox);
    free(u->pending);
    cache_media_free(u->mailbox_media);
    pthread_mutex_destroy(&u->mu);
    pthread_cond_destroy(&u->cond);
    free(u);
}

struct feed *updater_take(struct updater *u, struct cache_media **media) {
    pthread_mutex_lock(&u->mu);
    struct feed *f = u->mailbox;
    *media = u->mailbox_media;
    u->mailbox = NULL;
    u->mailbox_media = NULL;
    pthread_mutex_unlock(&u->mu);
    return f;
}

void updater_reconfigure(struct updater *u, const struct config *cfg) {
    struct config *copy = xmalloc(sizeof *copy);
    *copy = *cfg;
    metrics_note_config(cfg->feed_url[0] != '\0', cfg->poll_seconds);
    pthread_mutex_lock(&u->mu);
    free(u->pending);
    u->pending = copy;
    u->refetch = true;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->mu);
}

void updater_refetch(struct updater *u) {
    pthread_mutex_lock(&u->mu);
    u->refetch = true;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->mu);
}

void updater_set_showing(struct updater *u, const char *slide_id, size_t index, size_t count,
                         bool write_now) {
    pthread_mutex_lock(&u->mu);
    snprintf(u->showing_id, sizeof u->showing_id, "%s", slide_id);
    u->showing_index = index;
    u->showing_count = count;
    metrics_note_slide(slide_id, index, count);
    if (write_now) u->rewrite_status = true;
    else u->showing_changed = true;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->mu);
}

void updater_set_media(struct updater *u, size_t pictures, const char *last_import) {
    pthread_mutex_lock(&u->mu);
    u->local_pictures = pictures;
    metrics_note_media(pictures, last_import && *last_import);
    if (last_import && *last_import) snprintf(u->last_import, sizeof u->last_import, "%s", last_import);
    u->rewrite_status = true;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->mu);
}

void updater_status_soon(struct updater *u) {
    pthread_mutex_lock(&u->mu);
    u->rewrite_status = true;
    pthread_cond_signal(&u->cond);
    pthread_mutex_unlock(&u->mu);
}

void updater_get_state(struct updater *u, struct updater_state *out) {
    pthread_mutex_lock(&u->mu);
    *out = u->state;
    pthread_mutex_unlock(&u->mu);
}
