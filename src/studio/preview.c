/* preview: the lobby's slides drawn by the player's own renderer, for the
 * studio's page. One render thread owns SDL (software renderer into a
 * surface, no window); request threads hand it jobs through a queue and
 * wait, bounded, for the result. Results are cached per feed version, time
 * and size (the key), as PNGs in memory: nothing is written to disk. */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "cache.h"
#include "deck.h"
#include "feed.h"
#include "font.h"
#include "image.h"
#include "layout.h"
#include "log.h"
#include "media.h"
#include "render.h"
#include "studio.h"
#include "clock.h"
#include "studio_png.h"
#include "updater.h"
#include "util.h"
#include "xalloc.h"

#define CACHE_SLOTS 8
#define WAIT_SECONDS 60

struct result {
    char key[65];
    bool busy;   /* queued or being drawn */
    bool done;   /* drawn (or failed: why set) */
    char why[160];
    uint64_t used;
    uint64_t queued; /* jobs are drawn in the order they came */
    /* The job, while busy: */
    char *body;
    size_t len;
    time_t at;
    /* The outcome: n slides, each with its PNG (malloc()ed). */
    size_t n;
    struct preview_slide slides[DECK_MAX_SLIDES + 1];
    unsigned char *png[DECK_MAX_SLIDES + 1];
    size_t png_len[DECK_MAX_SLIDES + 1];
};

static struct {
    const struct studio_config *cfg;
    pthread_t thread;
    bool started;
    atomic_bool stop; /* read between slides without the lock */
    pthread_mutex_t mu;
    pthread_cond_t work, finished;
    struct result slots[CACHE_SLOTS];
    uint64_t tick;
    char *font[2];
} P = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .work = PTHREAD_COND_INITIALIZER,
       .finished = PTHREAD_COND_INITIALIZER};

static void result_clear(struct result *r) {
    free(r->body);
    for (size_t i = 0; i < r->n; i++) free(r->png[i]);
    memset(r, 0, sizeof *r);
}

/* --- PNG into memory (png.c: SDL_image's libpng defaults took ~100 ms a slide) */

static unsigned char *encode_png(SDL_Surface *s, size_t *len) {
    SDL_LockSurface(s);
    unsigned char *out = png_encode_argb(s->pixels, s->w, s->h, s->pitch, len);
    SDL_UnlockSurface(s);
    return out;
}

static void pixel_hash(SDL_Surface *s, char out[65]) {
    SDL_LockSurface(s);
    util_sha256_hex(s->pixels, (size_t)s->pitch * (size_t)s->h, out);
    SDL_UnlockSurface(s);
}


/* Render thread: draws the whole deck of one job into r. */
static void draw_job(struct result *res, SDL_Surface *surface, SDL_Renderer *sr,
                     struct render *rd) {
    const struct studio_config *cfg = P.cfg;
    struct feed *feed = NULL;
    enum feed_status st = feed_parse(res->body, res->len, NULL, &feed);
    if (feed == NULL) {
        snprintf(res->why, sizeof res->why, "%s", feed_status_text(st));
        return;
    }
    struct cache_media *fm = cfg->player.cache_dir[0] ? cache_media_find(cfg->player.cache_dir, feed) : NULL;
    struct media_set *local = cfg->player.media_dir[0] ? media_set_load(cfg->player.media_dir) : NULL;
    struct deck_pictures pics = {fm, local};
    bool ok = clock_plausible(res->at);
    static struct deck deck; /* render thread only */
    deck_build(feed, &pics, cfg->player.slide_seconds, res->at, ok, &deck);
    const struct feed_alert *alert = deck_alert(feed, res->at, ok);
    const char *ticker[FEED_MAX_TICKER];
    size_t n_ticker = deck_ticker(feed, res->at, ok, ticker, FEED_MAX_TICKER);
    int w = surface->w, h = surface->h;
    uint64_t encode_ms = 0;
    for (size_t k = alert ? 0 : 1; k <= deck.n; k++) {
        if (atomic_load(&P.stop)) {
            snprintf(res->why, sizeof res->why, "stopping");
            break;
        }
        size_t i = k ? k - 1 : 0;
        struct render_frame f = {0};
        localtime_r(&res->at, &f.now);
        f.town_name = cfg->player.town_name;
        f.feed = feed;
        f.deck = &deck;
        f.pictures = &pics;
        f.index = i;
        f.alert = k ? NULL : alert;
        f.ticker = ticker;
        f.n_ticker = n_ticker;
        f.image_fill = cfg->player.image_fill;
        SDL_Texture *pic = NULL;
        const char *pic_path = k ? deck_slide_picture(feed, &pics, &deck.slides[i]) : NULL;
        if (pic_path) {
            char why[256] = "";
            SDL_Surface *ps = image_decode(pic_path, w, h, why, sizeof why);
            pic = ps ? SDL_CreateTextureFromSurface(sr, ps) : NULL;
            SDL_FreeSurface(ps);
        }
        f.image = pic;
        f.image_missing = k && pic == NULL;
        render_draw(rd, &f);
        render_ticker(rd, &f, 0);
        SDL_RenderPresent(sr);
        SDL_DestroyTexture(pic);
        struct preview_slide *ps = &res->slides[res->n];
        snprintf(ps->id, sizeof ps->id, "%s", k ? deck.slides[i].id : "alert");
        pixel_hash(surface, ps->hash);
        uint64_t e0 = util_monotonic_ms();
        res->png[res->n] = encode_png(surface, &res->png_len[res->n]);
        encode_ms += util_monotonic_ms() - e0;
        if (res->png[res->n] == NULL) {
            snprintf(res->why, sizeof res->why, "PNG: %s", SDL_GetError());
            break;
        }
        res->n++;
    }
    LOG(LOG_DEBUG, "PNG encoding: %llu ms", (unsigned long long)encode_ms);
    media_set_free(local);
    cache_media_free(fm);
    feed_free(feed);
}

static void *render_thread(void *arg) {
    (void)arg;
    const struct studio_config *cfg = P.cfg;
    SDL_Surface *surface = NULL;
    SDL_Renderer *sr = NULL;
    struct render *rd = NULL;
    if (TTF_Init() != 0) LOG(LOG_ERROR, "SDL_ttf: %s", TTF_GetError());
    layout_init();
    surface = SDL_CreateRGBSurfaceWithFormat(0, cfg->preview_w, cfg->preview_h, 32,
                                             SDL_PIXELFORMAT_ARGB8888);
    sr = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    rd = sr ? render_new(sr, P.font[0], P.font[1]) : NULL;
    if (rd == NULL) LOG(LOG_ERROR, "cannot set up the software renderer: %s", SDL_GetError());
    pthread_mutex_lock(&P.mu);
    for (;;) {
        struct result *job = NULL;
        while (!P.stop) {
            for (int i = 0; i < CACHE_SLOTS; i++)
                if (P.slots[i].busy && (job == NULL || P.slots[i].queued < job->queued))
                    job = &P.slots[i];
            if (job) break;
            pthread_cond_wait(&P.work, &P.mu);
        }
        if (P.stop) break;
        pthread_mutex_unlock(&P.mu);
        /* The slot is ours while busy: nobody else writes it. */
        uint64_t t0 = util_monotonic_ms();
        if (rd) draw_job(job, surface, sr, rd);
        else snprintf(job->why, sizeof job->why, "no renderer");
        LOG(LOG_INFO, "preview %.12s: %zu slides at %dx%d in %llu ms", job->key, job->n,
            cfg->preview_w, cfg->preview_h, (unsigned long long)(util_monotonic_ms() - t0));
        pthread_mutex_lock(&P.mu);
        free(job->body);
        job->body = NULL;
        job->busy = false;
        job->done = true;
        pthread_cond_broadcast(&P.finished);
    }
    pthread_mutex_unlock(&P.mu);
    render_free(rd);
    if (sr) SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surface);
    if (TTF_WasInit()) TTF_Quit();
    SDL_TLSCleanup(); /* SDL's per-thread error state: a pthread of ours, not SDL's */
    return NULL;
}

bool preview_start(const struct studio_config *cfg) {
    P.cfg = cfg;
    P.font[0] = font_find(cfg->player.font, false);
    P.font[1] = font_find(cfg->player.font, true);
    if (P.font[0] == NULL || P.font[1] == NULL) return false;
    if (pthread_create(&P.thread, NULL, render_thread, NULL) != 0) return false;
    P.started = true;
    return true;
}

void preview_wake_all(void) {
    pthread_mutex_lock(&P.mu);
    atomic_store(&P.stop, true);
    pthread_cond_broadcast(&P.work);
    pthread_cond_broadcast(&P.finished);
    pthread_mutex_unlock(&P.mu);
}

void preview_stop(void) {
    if (P.started) {
        preview_wake_all();
        pthread_join(P.thread, NULL);
        P.started = false;
    }
    for (int i = 0; i < CACHE_SLOTS; i++) result_clear(&P.slots[i]);
    free(P.font[0]);
    free(P.font[1]);
    P.font[0] = P.font[1] = NULL;
    font_shutdown();
    SDL_Quit();
}

static void make_key(const char *body, size_t len, time_t at, char key[65]) {
    struct sbuf b = {0};
    sbuf_append(&b, body, len);
    sbuf_printf(&b, "\n%lld %dx%d", (long long)at, P.cfg->preview_w, P.cfg->preview_h);
    util_sha256_hex(b.data, b.len, key);
    sbuf_free(&b);
}

cJSON *preview_render(const char *body, size_t len, time_t at, char key[65], char *why,
                      size_t why_size) {
    make_key(body, len, at, key);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_SECONDS;
    pthread_mutex_lock(&P.mu);
    struct result *r = NULL;
    for (int i = 0; i < CACHE_SLOTS && r == NULL; i++)
        if ((P.slots[i].busy || P.slots[i].done) && strcmp(P.slots[i].key, key) == 0) r = &P.slots[i];
    if (r == NULL) {
        /* The least recently used slot that is not being drawn. */
        for (int i = 0; i < CACHE_SLOTS; i++) {
            struct result *c = &P.slots[i];
            if (c->busy) continue;
            if (r == NULL || c->used < r->used) r = c;
        }
        if (r == NULL) {
            pthread_mutex_unlock(&P.mu);
            snprintf(why, why_size, "busy");
            return NULL;
        }
        result_clear(r);
        memcpy(r->key, key, 65);
        r->body = xmalloc(len + 1);
        memcpy(r->body, body, len);
        r->body[len] = '\0';
        r->len = len;
        r->at = at;
        r->busy = true;
        r->queued = ++P.tick;
        pthread_cond_signal(&P.work);
    }
    r->used = ++P.tick;
    int rc = 0;
    while (r->busy && rc != ETIMEDOUT && strcmp(r->key, key) == 0 && !atomic_load(&P.stop))
        rc = pthread_cond_timedwait(&P.finished, &P.mu, &deadline);
    cJSON *out = NULL;
    if (r->done && strcmp(r->key, key) == 0 && r->why[0] == '\0') {
        out = cJSON_CreateArray();
        for (size_t i = 0; i < r->n; i++) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "id", r->slides[i].id);
            cJSON_AddNumberToObject(s, "n", (double)(i + 1));
            cJSON_AddStringToObject(s, "hash", r->slides[i].hash);
            cJSON_AddItemToArray(out, s);
        }
    } else {
        snprintf(why, why_size, "%s", r->why[0] ? r->why : "timed out");
    }
    pthread_mutex_unlock(&P.mu);
    return out;
}

unsigned char *preview_png(const char *key, int n, size_t *len) {
    unsigned char *out = NULL;
    pthread_mutex_lock(&P.mu);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct result *r = &P.slots[i];
        if (!r->done || strcmp(r->key, key) != 0 || n < 1 || (size_t)n > r->n) continue;
        *len = r->png_len[n - 1];
        out = xmalloc(*len);
        memcpy(out, r->png[n - 1], *len);
        r->used = ++P.tick;
    }
    pthread_mutex_unlock(&P.mu);
    return out;
}
