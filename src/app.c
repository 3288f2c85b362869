/* app: start-up, the event-driven display loop, signals, headless render
 * and feed validation for staff. */
#include "app.h"

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <cjson/cJSON.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "config.h"
#include "deck.h"
#include "display.h"
#include "fetch.h"
#include "feed.h"
#include "fmt.h"
#include "guard.h"
#include "image.h"
#include "font.h"
#include "layout.h"
#include "log.h"
#include "media.h"
#include "render.h"
#include "service.h"
#include "updater.h"
#include "usb.h"
#include "util.h"

/* Decodes pictures on its own thread: the main thread asks for paths and
 * gets surfaces back through a small mailbox and an SDL event; it only
 * turns them into textures. */
#define LOADER_SLOTS 4
#define TOAST_MS 20000 /* how long an import's message stays on screen */
struct loader {
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    char want[LOADER_SLOTS][PATH_MAX]; /* requests, oldest first */
    int n_want;
    char done_path[LOADER_SLOTS][PATH_MAX]; /* results, with their surface (NULL: failed) */
    SDL_Surface *done[LOADER_SLOTS];
    int n_done;
    int max_w, max_h;
    void (*notify)(void *ctx);
    void *ctx;
};

/* Textures of decoded pictures, by path. */
#define PICTURES 4
struct picture {
    char path[PATH_MAX];
    SDL_Texture *tex; /* NULL: requested, not here yet (or failed) */
    bool requested, failed;
    Uint64 used;
};

/* Everything the running player holds. */
struct app {
    bool guarded;            /* the running player: the poison guard looks first (guard.h) */
    struct config cfg;
    const char *cfg_path;    /* the settings file read (for SIGHUP), or NULL */
    const char *cli_feed_url;/* --feed URL, which wins over feed_url on reload too */
    bool shot_pending;       /* SIGUSR1: save the next frame drawn */
    pthread_t shot_thread;   /* writes the screenshot (disk I/O off the main thread) */
    bool shot_started;
    struct feed *feed;       /* owned; never NULL once started */
    /* --feed given but unusable (a preview must say so): why, and the
     * parser's report when it got that far (owned, or NULL). */
    bool feed_refused;
    char feed_refused_why[600];
    struct feed_report *feed_refused_report;
    enum feed_source source; /* where it came from */
    struct deck deck;
    struct updater *updater; /* the feed worker (display mode only) */
    Uint32 ev_feed;          /* SDL_RegisterEvents: the worker has news */
    struct media_set *local; /* owned: media_dir's pictures, attached to feed */
    struct usb_watch *usb;   /* the USB / media_dir worker (display mode only) */
    Uint32 ev_media;         /* SDL_RegisterEvents: the USB worker has news */
    unsigned long long media_stamp; /* media_dir_stamp() when local was read */
    char toast[512];         /* a message over the slides (an import's result) */
    bool toast_ok;           /* good news (green) or a problem (amber) */
    Uint64 toast_until;      /* SDL ticks; 0: no toast */
    const char *ticker[FEED_MAX_TICKER]; /* the ticker lines of the last frame */
    struct loader loader;    /* picture decoding (display mode only) */
    struct picture pictures[PICTURES];
    unsigned long loader_overflows; /* requests put off because the queue was full */
    Uint64 picture_tick;
    Uint32 ev_image;         /* SDL_RegisterEvents: a picture was decoded */
    time_t clock_offset;     /* --at: shown time = now + offset */
    char *font_path[2];      /* owned: regular, bold */
    /* display */
    struct display disp;     /* window, renderer, wake-up */
    struct render *render;
    Uint32 ev_signal;        /* SDL_RegisterEvents: a signal arrived (code = signo) */
    /* signal thread */
    pthread_t sig_thread;
    bool sig_thread_started;
    atomic_bool stopping;    /* set by the signal thread or app_run's end, read by the signal thread */
};

/* The time to show and schedule by: --at shifts it; a system clock that is
 * still in 1970 (no RTC, no NTP yet) is corrected by a server's Date. */
static time_t app_now(const struct app *a) {
    time_t now = time(NULL) + a->clock_offset;
    if (a->updater && !clock_plausible(now)) {
        struct updater_state st;
        updater_get_state(a->updater, &st);
        if (st.has_clock_hint) now += st.clock_offset;
    }
    return now;
}

static void log_report(const char *what, enum feed_status st, const struct feed_report *rep) {
    for (size_t i = 0; i < rep->count; i++)
        LOG(st >= FEED_ERR_TOO_BIG ? LOG_ERROR : LOG_WARN, "%s: %s: %s (%s)", what,
            rep->items[i].path[0] ? rep->items[i].path : "(全体)", rep->items[i].en,
            rep->items[i].ja);
    if (rep->omitted) LOG(LOG_WARN, "%s: %zu more problems not shown", what, rep->omitted);
}

static const char *unreadable(const char *path, enum util_status us, char *buf, size_t size);

/* Notes that the --feed given cannot be shown: rep (taken over) holds the
 * parser's problems, or why says what went wrong before parsing. */
static void feed_refused(struct app *a, struct feed_report *rep, const char *why) {
    a->feed_refused = true;
    free(a->feed_refused_report);
    a->feed_refused_report = rep;
    snprintf(a->feed_refused_why, sizeof a->feed_refused_why, "%s", why ? why : "");
}

/* Loads settings and the feed. The feed file, when given and usable, wins;
 * otherwise the embedded plan is shown, so the screen is never empty. */
static void guard_note_screen(struct app *a);

static int app_load(struct app *a, const struct app_options *opt) {
    config_defaults(&a->cfg);
    const char *cfg_path = opt->config_path;
    struct stat sb;
    if (cfg_path == NULL && stat(CONFIG_DEFAULT_PATH, &sb) == 0) cfg_path = CONFIG_DEFAULT_PATH;
    a->cfg_path = cfg_path;
    a->cli_feed_url = opt->feed_url;
    if (cfg_path) {
        int problems = 0;
        if (config_load(cfg_path, &a->cfg, &problems) == CONFIG_ERR_OPEN)
            LOG(LOG_WARN, "running on the built-in settings");
        else LOG(LOG_INFO, "config %s read (%d problems)", cfg_path, problems);
    }
    /* Local time is the town's: TZ from the config, for every later call. */
    setenv("TZ", a->cfg.timezone, 1);
    tzset();
    a->clock_offset = 0;
    if (opt->at) {
        time_t at;
        if (!util_parse_local_time(opt->at, &at)) {
            LOG(LOG_ERROR, "--at %s: not a local time like 2026-11-24T09:00", opt->at);
            return APP_EXIT_USAGE;
        }
        a->clock_offset = at - time(NULL);
    }

    if (opt->feed_url) {
        /* A URL typed on the command line is the operator's choice: http:// too. */
        const char *why = config_set(&a->cfg, "feed_url", opt->feed_url);
        if (why) {
            LOG(LOG_ERROR, "--feed %s: %s", opt->feed_url, why);
            return APP_EXIT_USAGE;
        }
        a->cfg.allow_http = true;
    }

    struct feed_report *rep = xmalloc(sizeof *rep);
    enum feed_status st;
    a->feed = NULL;
    a->source = SOURCE_FILE;
    if (opt->feed_url && (opt->render_dir || opt->sheet_path)) {
        /* Headless: one fetch now, with the worker's limits. */
        struct fetch_request req = {
            .url = a->cfg.feed_url, .ca_file = a->cfg.ca_file[0] ? a->cfg.ca_file : NULL,
            .allow_http = true, .max_bytes = FEED_MAX_BYTES, .timeout_s = a->cfg.fetch_timeout,
            .connect_timeout_s = 15, .low_speed_time_s = 20,
        };
        struct fetch_result res;
        if (fetch_get(&req, &res) == FETCH_OK) {
            st = feed_parse(res.body, res.len, rep, &a->feed);
            log_report(opt->feed_url, st, rep);
            if (a->feed) {
                a->source = SOURCE_NETWORK;
                feed_attach_media(a->feed, a->cfg.cache_dir);
            } else {
                LOG(LOG_ERROR, "%s: %s; showing the saved or embedded plan", opt->feed_url,
                    feed_status_text(st));
                feed_refused(a, rep, NULL);
                rep = xmalloc(sizeof *rep);
            }
        } else {
            LOG(LOG_ERROR, "%s: %s; showing the saved or embedded plan", opt->feed_url, res.error);
            feed_refused(a, NULL, res.error);
        }
        fetch_result_clear(&res);
    }
    if (opt->feed_path) {
        char *body = NULL;
        size_t len = 0;
        enum util_status us = util_read_file(opt->feed_path, FEED_MAX_BYTES, &body, &len);
        if (us == UTIL_OK) {
            st = feed_parse(body, len, rep, &a->feed);
            log_report(opt->feed_path, st, rep);
            if (a->feed == NULL) {
                LOG(LOG_ERROR, "%s: %s; showing the embedded plan", opt->feed_path,
                    feed_status_text(st));
                feed_refused(a, rep, NULL);
                rep = xmalloc(sizeof *rep);
            }
        } else {
            LOG(LOG_ERROR, "%s: cannot read the feed (%s); showing the embedded plan",
                opt->feed_path,
                us == UTIL_ERR_TOO_BIG ? "larger than 1 MiB" : strerror(errno));
            char why[256];
            feed_refused(a, NULL, unreadable(opt->feed_path, us, why, sizeof why));
        }
        free(body);
    }
    free(rep);
    /* Without a file: the cache's last good feed, else the embedded plan.
     * Read before the first frame (a bounded read of one small file), so the
     * screen starts with the newest data it has. */
    if (a->guarded && a->feed == NULL) {
        /* Before the cached feed and media_dir are read: they may be what
         * killed the last run. */
        struct guard_verdict v;
        guard_start(a->cfg.state_dir, a->cfg.cache_dir, a->cfg.media_dir, &v);
    }
    if (a->feed == NULL) a->feed = updater_load_initial(a->cfg.cache_dir, &a->source);
    a->media_stamp = media_dir_stamp(a->cfg.media_dir);
    a->local = media_set_load(a->cfg.media_dir);
    media_attach(a->feed, a->local);
    if (a->guarded) guard_note_screen(a);
    LOG(LOG_INFO, "showing the %s feed", feed_source_name(a->source));
    deck_build(a->feed, a->cfg.slide_seconds, app_now(a), clock_plausible(app_now(a)), &a->deck);
    LOG(LOG_INFO, "%zu measures, %zu slides", a->feed->n_measures, a->deck.n);

    a->font_path[0] = font_find(a->cfg.font, false);
    a->font_path[1] = font_find(a->cfg.font, true);
    if (a->font_path[0] == NULL || a->font_path[1] == NULL) return APP_EXIT_ERROR;
    LOG(LOG_INFO, "fonts: %s, %s", a->font_path[0], a->font_path[1]);
    return APP_EXIT_OK;
}

static void app_unload(struct app *a) {
    feed_free(a->feed);
    a->feed = NULL;
    free(a->feed_refused_report);
    a->feed_refused_report = NULL;
    media_set_free(a->local);
    a->local = NULL;
    free(a->font_path[0]);
    free(a->font_path[1]);
    a->font_path[0] = a->font_path[1] = NULL;
    font_shutdown();
}


static void *loader_thread(void *arg) {
    struct loader *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->stop && (l->n_want == 0 || l->n_done == LOADER_SLOTS))
            pthread_cond_wait(&l->cv, &l->mu);
        if (l->stop) break;
        char path[PATH_MAX];
        memcpy(path, l->want[0], sizeof path);
        memmove(l->want[0], l->want[1], sizeof l->want[0] * (size_t)(l->n_want - 1));
        l->n_want--;
        int mw = l->max_w, mh = l->max_h;
        pthread_mutex_unlock(&l->mu);
        char why[256] = "";
        SDL_Surface *s = image_decode(path, mw, mh, why, sizeof why);
        if (s == NULL) LOG(LOG_WARN, "%s: picture not shown: %s", path, why);
        pthread_mutex_lock(&l->mu);
        memcpy(l->done_path[l->n_done], path, sizeof path);
        l->done[l->n_done++] = s;
        pthread_mutex_unlock(&l->mu);
        l->notify(l->ctx);
        pthread_mutex_lock(&l->mu);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

/* The texture for path if it is decoded; otherwise asks for it and
 * returns NULL (the slide shows that it is on its way, and is redrawn when
 * the picture arrives). */
static SDL_Texture *picture_for(struct app *a, const char *path) {
    if (path == NULL || !a->loader.started) return NULL;
    struct picture *victim = &a->pictures[0];
    for (int i = 0; i < PICTURES; i++) {
        struct picture *p = &a->pictures[i];
        if (p->path[0] && strcmp(p->path, path) == 0) {
            p->used = ++a->picture_tick;
            return p->tex;
        }
        if (p->used < victim->used) victim = p;
    }
    if (victim->tex) SDL_DestroyTexture(victim->tex);
    memset(victim, 0, sizeof *victim);
    snprintf(victim->path, sizeof victim->path, "%s", path);
    victim->used = ++a->picture_tick;
    victim->requested = true;
    pthread_mutex_lock(&a->loader.mu);
    bool queued = a->loader.n_want < LOADER_SLOTS;
    if (queued) {
        snprintf(a->loader.want[a->loader.n_want++], PATH_MAX, "%s", path);
        pthread_cond_signal(&a->loader.cv);
    }
    pthread_mutex_unlock(&a->loader.mu);
    /* A full queue used to drop the request and keep the entry as asked
     * for, so "読み込んでいます" stayed until the entry was evicted. The
     * entry is forgotten instead: the loader is busy, its next picture
     * wakes the loop, and the redraw asks again. */
    if (!queued) {
        memset(victim, 0, sizeof *victim);
        a->loader_overflows++;
    }
    return NULL;
}

/* Main thread: turns decoded surfaces into textures. */
static void pictures_arrived(struct app *a) {
    pthread_mutex_lock(&a->loader.mu);
    for (int k = 0; k < a->loader.n_done; k++) {
        SDL_Surface *s = a->loader.done[k];
        for (int i = 0; i < PICTURES; i++) {
            struct picture *p = &a->pictures[i];
            if (!p->path[0] || strcmp(p->path, a->loader.done_path[k]) != 0 || p->tex) continue;
            p->tex = s ? SDL_CreateTextureFromSurface(a->disp.renderer, s) : NULL;
            p->failed = p->tex == NULL;
            if (p->tex) LOG(LOG_INFO, "picture ready: %s (%dx%d)", p->path, s->w, s->h);
        }
        SDL_FreeSurface(s);
    }
    a->loader.n_done = 0;
    pthread_cond_signal(&a->loader.cv);
    pthread_mutex_unlock(&a->loader.mu);
}

static void frame_for(struct app *a, size_t index, struct render_frame *f) {
    memset(f, 0, sizeof *f);
    if (a->updater) {
        struct updater_state st;
        updater_get_state(a->updater, &st);
        f->stale = st.stale;
    }
    time_t now = app_now(a);
    localtime_r(&now, &f->now);
    f->town_name = a->cfg.town_name;
    f->feed = a->feed;
    f->deck = &a->deck;
    f->index = index;
    f->alert = deck_alert(a->feed, now, clock_plausible(now));
    f->n_ticker = deck_ticker(a->feed, now, clock_plausible(now), a->ticker, FEED_MAX_TICKER);
    f->ticker = a->ticker;
    f->image_fill = a->cfg.image_fill;
    if (index < a->deck.n) {
        const char *path = deck_slide_picture(a->feed, &a->deck.slides[index]);
        f->image = picture_for(a, path);
        f->image_missing = path == NULL;
        for (int i = 0; path && i < PICTURES; i++)
            if (!strcmp(a->pictures[i].path, path) && a->pictures[i].failed) f->image_missing = true;
    }
}

/* --- headless ----------------------------------------------------------- */

/* Draws text wrapped to lines about `width` pixels wide (a full-width
 * character counted as px, others as half of it); returns the y below it.
 * Never more than max_lines lines (the last then ends with "…"). */
static int draw_wrapped(struct render *r, const char *text, int px, bool bold, int x, int y,
                        int width, int max_lines) {
    char line[1024];
    const char *p = text;
    int budget = 10 * width / (px > 0 ? px : 1); /* tenths of an em */
    for (int n = 0; *p && n < max_lines; n++) {
        size_t o = 0, space = 0; /* where the last space of the line is */
        const char *after_space = NULL;
        int used = 0;
        while (*p && *p != '\n' && o + 8 < sizeof line) {
            const char *q = p;
            uint32_t cp = utf8_next(&q);
            int cost = cp < 0x2E80 ? 6 : 10;
            if (q == p || used + cost > budget) {
                /* Latin words are not cut: the line ends at its last space. */
                if (cp > ' ' && cp < 0x80 && after_space) o = space, p = after_space;
                break;
            }
            memcpy(line + o, p, (size_t)(q - p));
            o += (size_t)(q - p), p = q, used += cost;
            if (cp == ' ') space = o - 1, after_space = p;
        }
        if (n == max_lines - 1 && *p && *p != '\n' && o + 4 < sizeof line) {
            memcpy(line + o, "…", 3);
            o += 3;
        }
        line[o] = '\0';
        if (*p == '\n') p++;
        render_label(r, line, px, bold, x, y);
        y += px * 14 / 10;
    }
    return y;
}

/* A preview of a feed that cannot be shown: one image that says so, what
 * is wrong, and what the screens show instead (#13 item 7). */
static void draw_feed_refused(struct app *a, const struct app_options *opt, SDL_Renderer *sr,
                              struct render *r, int w, int h) {
    int u = (w < h ? w : h) / 100, m = w / 25, tw = w - 2 * m;
    if (u < 2) u = 2;
    SDL_SetRenderDrawColor(sr, 0xFF, 0xF4, 0xE5, 255);
    SDL_RenderClear(sr);
    SDL_Rect bar = {0, 0, w, u * 3};
    SDL_SetRenderDrawColor(sr, 0xB0, 0x00, 0x20, 255);
    SDL_RenderFillRect(sr, &bar);
    int px = u * 3, y = u * 6;
    y = draw_wrapped(r, "このフィードは表示できません", u * 6, true, m, y, tw, 2);
    y = draw_wrapped(r, "This feed cannot be shown (preview of an unusable feed)", px, false, m, y,
                     tw, 2) + u;
    char line[1400];
    snprintf(line, sizeof line, "ファイル / feed: %s", opt->feed_path ? opt->feed_path : opt->feed_url);
    y = draw_wrapped(r, line, px, false, m, y, tw, 2) + u;
    const struct feed_report *rep = a->feed_refused_report;
    int bottom = h - px * 9;
    if (a->feed_refused_why[0]) y = draw_wrapped(r, a->feed_refused_why, px, true, m, y, tw, 3) + u;
    size_t shown = 0;
    for (; rep && shown < rep->count && shown < 5 && y < bottom - px * 4; shown++) {
        snprintf(line, sizeof line, "%s: %s", rep->items[shown].path, rep->items[shown].ja);
        y = draw_wrapped(r, line, px, true, m, y, tw, 3) + u;
    }
    /* How to save as UTF-8 (not the caret under a line: the font is not monospaced). */
    if (rep && rep->detail[0] && !strstr(rep->detail, " | ") && y < bottom - px * 6)
        y = draw_wrapped(r, rep->detail, px * 4 / 5, false, m, y, tw, 6) + u;
    if (rep && rep->count + rep->omitted > shown) {
        snprintf(line, sizeof line, "… ほか %zu 件 (%zu more)", rep->count + rep->omitted - shown,
                 rep->count + rep->omitted - shown);
        render_label(r, line, px, false, m, y);
    }
    y = bottom;
    y = draw_wrapped(r, "公開しても使われません。ロビーの画面には、前の正しいデータが表示され続けます。",
                     px, true, m, y, tw, 3);
    y = draw_wrapped(r, "If published, it is refused: the screens keep showing the last good data.",
                     px, false, m, y, tw, 2);
    draw_wrapped(r, "詳しくは / details: misato-signage --validate <file>", px, false, m, y, tw, 2);
}

/* Writes s to path under a temporary name and renames it, so a reader
 * never sees half a PNG; prints the path. False (logged) when it cannot. */
static bool save_png(SDL_Surface *s, const char *path) {
    char tmp[4112];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (IMG_SavePNG(s, tmp) != 0 || rename(tmp, path) != 0) {
        LOG(LOG_ERROR, "%s: cannot write: %s", path, SDL_GetError());
        unlink(tmp);
        return false;
    }
    printf("%s\n", path);
    return true;
}

/* Writes the refusal image to render_dir/00-feed-error.png and sheet_path. */
static int render_refused(struct app *a, const struct app_options *opt, SDL_Surface *surface,
                          SDL_Renderer *sr, struct render *r) {
    draw_feed_refused(a, opt, sr, r, surface->w, surface->h);
    SDL_RenderPresent(sr);
    char path[4096];
    if (opt->render_dir) {
        snprintf(path, sizeof path, "%s/00-feed-error.png", opt->render_dir);
        if (!save_png(surface, path)) return APP_EXIT_ERROR;
    }
    if (opt->sheet_path && !save_png(surface, opt->sheet_path)) return APP_EXIT_ERROR;
    LOG(LOG_ERROR, "%s: the feed cannot be shown; the preview says so (exit 2)",
        opt->feed_path ? opt->feed_path : opt->feed_url);
    return APP_EXIT_UNUSABLE;
}

int app_render(const struct app_options *opt) {
    struct app a = {0};
    fetch_global_init();
    int rc = app_load(&a, opt);
    SDL_Surface *sheet = NULL;
    SDL_Renderer *sheet_r = NULL;
    struct render *sheet_render = NULL;
    SDL_Surface *surface = NULL;
    SDL_Renderer *sr = NULL;
    struct render *r = NULL;
    if (rc != APP_EXIT_OK) goto done;
    rc = APP_EXIT_ERROR;
    if (opt->render_dir && !util_mkdir_p(opt->render_dir)) {
        LOG(LOG_ERROR, "%s: cannot create the folder: %s", opt->render_dir, strerror(errno));
        goto done;
    }
    if (TTF_Init() != 0) {
        LOG(LOG_ERROR, "SDL_ttf: %s", TTF_GetError());
        goto done;
    }
    layout_init();
    int w = opt->width ? opt->width : 1920, h = opt->height ? opt->height : 1080;
    surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    sr = surface ? SDL_CreateSoftwareRenderer(surface) : NULL;
    r = sr ? render_new(sr, a.font_path[0], a.font_path[1]) : NULL;
    if (r == NULL) {
        LOG(LOG_ERROR, "cannot set up the software renderer: %s", SDL_GetError());
        goto done;
    }
    if (a.feed_refused) { /* a preview of a feed that cannot be shown says so */
        rc = render_refused(&a, opt, surface, sr, r);
        goto done;
    }
    /* An alert active at that moment is written first, as 00-alert.png. */
    bool alert = deck_alert(a.feed, app_now(&a), clock_plausible(app_now(&a))) != NULL;
    /* The contact sheet: thumbnails 480 px wide, four to a row, numbered. */
    size_t count = a.deck.n + (alert ? 1 : 0);
    const int cols = 4, tw = 480, th = tw * h / w, gap = 24, label = 40, head = 110;
    int rows = (int)((count + (size_t)cols - 1) / (size_t)cols);
    if (opt->sheet_path) {
        sheet = SDL_CreateRGBSurfaceWithFormat(0, cols * tw + (cols + 1) * gap,
                                               head + rows * (th + label + gap) + gap, 32,
                                               SDL_PIXELFORMAT_ARGB8888);
        sheet_r = sheet ? SDL_CreateSoftwareRenderer(sheet) : NULL;
        sheet_render = sheet_r ? render_new(sheet_r, a.font_path[0], a.font_path[1]) : NULL;
        if (sheet_render == NULL) {
            LOG(LOG_ERROR, "cannot set up the contact sheet: %s", SDL_GetError());
            goto done;
        }
        SDL_SetRenderDrawColor(sheet_r, 0xE4, 0xE9, 0xEF, 255);
        SDL_RenderClear(sheet_r);
        struct render_frame f0;
        frame_for(&a, 0, &f0);
        char title[256], when[64];
        fmt_seireki_datetime(when, sizeof when, &f0.now);
        snprintf(title, sizeof title, "%s サイネージの確認 (preview) — %s の表示、%zu 枚", a.cfg.town_name,
                 when, count);
        render_label(sheet_render, title, 40, true, gap, 30);
    }
    for (size_t k = alert ? 0 : 1; k <= a.deck.n; k++) {
        size_t i = k ? k - 1 : 0;
        struct render_frame f;
        frame_for(&a, i, &f);
        if (k) f.alert = NULL;
        SDL_Texture *pic = NULL;
        const char *pic_path = k ? deck_slide_picture(a.feed, &a.deck.slides[i]) : NULL;
        if (pic_path) {
            char why[256] = "";
            SDL_Surface *ps = image_decode(pic_path, w, h, why, sizeof why);
            if (ps == NULL) LOG(LOG_WARN, "%s: picture not shown: %s", pic_path, why);
            pic = ps ? SDL_CreateTextureFromSurface(sr, ps) : NULL;
            SDL_FreeSurface(ps);
            f.image = pic;
            f.image_missing = pic == NULL;
        } else if (k) {
            f.image_missing = true;
        }
        render_draw(r, &f);
        render_ticker(r, &f, 0);
        SDL_DestroyTexture(pic);
        SDL_RenderPresent(sr);
        char path[4096];
        if (sheet_render) {
            size_t cell = alert ? k : k - 1;
            int cx = gap + (int)(cell % (size_t)cols) * (tw + gap);
            int cy = head + (int)(cell / (size_t)cols) * (th + label + gap);
            SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
            SDL_Texture *t = SDL_CreateTextureFromSurface(sheet_r, surface);
            SDL_Rect dst = {cx, cy, tw, th};
            if (t) SDL_RenderCopy(sheet_r, t, NULL, &dst);
            SDL_DestroyTexture(t);
            char lab[96];
            snprintf(lab, sizeof lab, "%02zu  %s", k, k ? a.deck.slides[i].id : "alert");
            render_label(sheet_render, lab, 24, false, cx, cy + th + 6);
        }
        if (opt->render_dir == NULL) continue;
        if (k) snprintf(path, sizeof path, "%s/%02zu-%s.png", opt->render_dir, k, a.deck.slides[i].id);
        else snprintf(path, sizeof path, "%s/00-alert.png", opt->render_dir);
        if (!save_png(surface, path)) goto done;
    }
    if (sheet_render) {
        SDL_RenderPresent(sheet_r);
        if (!save_png(sheet, opt->sheet_path)) goto done;
    }
    rc = APP_EXIT_OK;
done:
    render_free(sheet_render);
    if (sheet_r) SDL_DestroyRenderer(sheet_r);
    SDL_FreeSurface(sheet);
    render_free(r);
    if (sr) SDL_DestroyRenderer(sr);
    SDL_FreeSurface(surface);
    if (TTF_WasInit()) TTF_Quit();
    app_unload(&a);
    SDL_Quit();
    fetch_global_cleanup();
    return rc;
}

/* --- validation for staff ------------------------------------------------- */

/* Why a feed file cannot be read, in words for staff (NULL: it can). */
static const char *unreadable(const char *path, enum util_status us, char *buf, size_t size) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        snprintf(buf, size, "ファイルがありません (no such file: %s)", strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        snprintf(buf, size, "フォルダです。フィードのファイル (feed.json など) を指定してください"
                            " (a folder, not a feed file)");
    else if (!S_ISREG(sb.st_mode))
        snprintf(buf, size, "普通のファイルではありません。保存したフィードのファイルを指定してください"
                            " (not a regular file)");
    else if (us == UTIL_ERR_TOO_BIG)
        snprintf(buf, size, "ファイルが大きすぎます (1 MiB までです) (larger than 1 MiB)");
    else snprintf(buf, size, "ファイルを読めません (cannot read the file: %s)", strerror(errno));
    return buf;
}

int app_validate(const char *path, const char *at) {
    /* Dates are read in the town's time, as the player reads them. */
    struct config cfg;
    config_defaults(&cfg);
    setenv("TZ", cfg.timezone, 1);
    tzset();
    time_t now = time(NULL);
    if (at && !util_parse_local_time(at, &now)) return APP_EXIT_USAGE;
    char *body = NULL;
    size_t len = 0;
    enum util_status us = util_read_file(path, FEED_MAX_BYTES, &body, &len);
    if (us != UTIL_OK) {
        char why[256];
        printf("%s: %s\n", path, unreadable(path, us, why, sizeof why));
        printf("結果: 表示できません。前のデータが表示され続けます。 (unusable: cannot read)\n");
        return APP_EXIT_UNUSABLE;
    }
    struct feed_report *rep = xmalloc(sizeof *rep);
    struct feed *feed = NULL;
    enum feed_status st = feed_parse(body, len, rep, &feed);
    free(body);
    /* What has already ended is left out too, though the feed is fine. */
    size_t ended = feed ? feed_check_expired(feed, now, rep) : 0;
    for (size_t i = 0; i < rep->count; i++) {
        const struct feed_problem *p = &rep->items[i];
        printf("%s: %s (%s)\n", p->path[0] ? p->path : "(全体)", p->ja, p->en);
    }
    if (rep->omitted) printf("… ほか %zu 件 (%zu more)\n", rep->omitted, rep->omitted);
    fputs(rep->detail, stdout);
    int rc;
    if (feed == NULL) {
        printf("結果: 表示できません。前のデータが表示され続けます。 (unusable: %s)\n",
               feed_status_text(st));
        rc = APP_EXIT_UNUSABLE;
    } else {
        struct deck *deck = xmalloc(sizeof *deck);
        deck_build(feed, 12, now, clock_plausible(now), deck);
        size_t numbers = 0;
        for (size_t i = 0; i < feed->n_measures; i++)
            numbers += feed_measure_has_numbers(&feed->measures[i]);
        bool clean = st == FEED_OK && ended == 0;
        bool alert_ended = feed->alert.present && !feed_valid_at(&feed->alert.valid, now) &&
                           feed->alert.valid.has_until && now >= feed->alert.valid.until;
        printf("結果: %s。施策 %zu 件 (うち目標値・実績値のあるもの %zu 件)、スライド %zu 枚を表示します。"
               " (%s: %zu measures, %zu with numbers, %zu slides)\n",
               clean ? "問題ありません" : "一部を除いて表示できます", feed->n_measures, numbers,
               deck->n, clean ? feed_status_text(st) : feed_status_text(FEED_PROBLEMS),
               feed->n_measures, numbers, deck->n);
        printf("お知らせ %zu 件、テロップ %zu 件、画像 %zu 件、緊急のお知らせ %s"
               " (%zu announcements, %zu ticker lines, %zu media, alert: %s)\n",
               feed->n_announcements, feed->n_ticker, feed->n_media,
               !feed->alert.present ? "なし" : alert_ended ? "なし (期限切れ)" : "あり",
               feed->n_announcements, feed->n_ticker, feed->n_media,
               !feed->alert.present ? "none" : alert_ended ? "none (ended)" : "yes");
        rc = clean ? APP_EXIT_OK : 1;
        font_report_undrawable(feed, stdout); /* #12: warnings only, the feed stays valid */
        free(deck);
    }
    feed_free(feed);
    free(rep);
    return rc;
}

/* --- status for IT ------------------------------------------------------ */

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

static double jnum(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *result_ja(const char *r) {
    static const struct { const char *en, *ja; } map[] = {
        {"ok", "成功"}, {"not modified", "成功 (変更なし)"}, {"HTTP error", "サーバーのエラー"},
        {"too big", "大きすぎる"}, {"timed out", "時間切れ"}, {"refused", "許可されていない URL"},
        {"network error", "ネットワークのエラー"}, {"invalid feed", "フィードの誤り"},
        {"cancelled", "中止 (停止のため)"}, {"not yet", "まだ取得していません"}, {"no feed_url", "feed_url が未設定"},
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (!strcmp(r, map[i].en)) return map[i].ja;
    return r;
}

/* The Japanese for a fetch error (libcurl's words are English), or NULL. */
static const char *error_ja(const char *error) {
    static const struct { const char *part, *ja; } map[] = {
        {"redirect loop", "リダイレクトが多すぎます (ループしていませんか。許可されていない URL ではありません)"},
        {"redirect to a URL that is not allowed", "許可されていない URL (http・https 以外) へのリダイレクト"},
        {"Could not resolve", "サーバーの名前を引けません (DNS・ネットワークを確認)"},
        {"resolve host", "サーバーの名前を引けません (DNS・ネットワークを確認)"},
        {"Connection refused", "サーバーが接続を断りました (サーバーが動いているか確認)"},
        {"Failed to connect", "サーバーに接続できません (ネットワーク・サーバーを確認)"},
        {"certificate", "サーバーの証明書を確認できません (ca_file・時計を確認)"},
        {"SSL", "暗号化 (TLS) の接続に失敗しました"},
        {"timed out", "時間内に応答がありません"},
        {"body larger than", "大きすぎます (1 MiB まで)"},
        {"HTTP status", "サーバーがエラーを返しました"},
        {"not UTF-8", "フィードの文字コードが UTF-8 ではありません"},
        {"not JSON", "フィードが JSON として読めません (--validate で確認)"},
        {"wrong shape", "フィードの形が違います (--validate で確認)"},
        {"nothing usable", "フィードに表示できる施策がありません (--validate で確認)"},
        {"too big", "フィードが大きすぎます"},
        {"media ", "画像を取得できません"},
        {"No such file", "ファイルがありません"},
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (strstr(error, map[i].part)) return map[i].ja;
    return NULL;
}

static const char *source_ja(const char *s) {
    if (!strcmp(s, "network")) return "ネットワークから取得";
    if (!strcmp(s, "cache")) return "保存データ";
    if (!strcmp(s, "previous")) return "保存データ (1つ前の世代)";
    if (!strcmp(s, "embedded")) return "組み込みのアクションプラン";
    if (!strcmp(s, "file")) return "ファイル";
    return s;
}

int app_import(const struct app_options *opt, const char *dir) {
    struct config cfg;
    config_defaults_service(&cfg); /* the service's media_dir */
    struct stat sb;
    const char *cfg_path = opt->config_path;
    if (cfg_path == NULL && stat(CONFIG_DEFAULT_PATH, &sb) == 0) cfg_path = CONFIG_DEFAULT_PATH;
    if (cfg_path && config_load(cfg_path, &cfg, NULL) == CONFIG_ERR_OPEN) return APP_EXIT_ERROR;
    setenv("TZ", cfg.timezone, 1);
    tzset();
    /* A stick's root or its signage/ folder itself. */
    char src[PATH_MAX];
    snprintf_cut(src, sizeof src, "%s/signage", dir);
    if (lstat(src, &sb) != 0 || !S_ISDIR(sb.st_mode)) snprintf_cut(src, sizeof src, "%s", dir);
    /* Files made by another user (root through sudo) would be left where the
     * service, running as its own user, cannot tidy them. */
    char owner_dir[PATH_MAX];
    snprintf_cut(owner_dir, sizeof owner_dir, "%s", cfg.media_dir);
    while (stat(owner_dir, &sb) != 0 && strrchr(owner_dir, '/') && strrchr(owner_dir, '/') != owner_dir)
        *strrchr(owner_dir, '/') = '\0';
    if (stat(owner_dir, &sb) == 0 && sb.st_uid != geteuid()) {
        printf("%s は別のユーザーのものです。そのユーザーで実行してください (例: sudo -u signage misato-signage --import %s)\n"
               "%s belongs to another user: run this as that user.\n",
               owner_dir, dir, owner_dir);
        return APP_EXIT_ERROR;
    }
    struct media_import_options mo = {
        .media_dir = cfg.media_dir,
        .screen_w = opt->width ? opt->width : 1920,
        .screen_h = opt->height ? opt->height : 1080,
        .add = cfg.usb_add,
    };
    struct media_report rep;
    enum media_status st = media_import(src, &mo, &rep);
    char *text = media_report_text(&rep);
    for (char *p = text; *p; p++)
        if (*p != '\r') putchar(*p);
    free(text);
    int rc = media_write_report(src, &rep);
    if (rc) printf("\n%s/%s は書けませんでした (not written): %s\n", src, MEDIA_REPORT_NAME, strerror(rc));
    else printf("\n報告 / report: %s/%s\n", src, MEDIA_REPORT_NAME);
    printf("保存先 / media_dir: %s\n", cfg.media_dir);
    int code = st == MEDIA_ABORTED ? APP_EXIT_UNUSABLE
               : rep.committed && rep.refused == 0 ? APP_EXIT_OK : APP_EXIT_ERROR;
    media_report_clear(&rep);
    return code;
}

int app_status(const char *config_path) {
    struct config cfg;
    config_defaults_service(&cfg); /* the service's state_dir */
    struct stat sb;
    if (config_path == NULL && stat(CONFIG_DEFAULT_PATH, &sb) == 0) config_path = CONFIG_DEFAULT_PATH;
    if (config_path) config_load(config_path, &cfg, NULL);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", cfg.state_dir, STATUS_FILE);
    char *text = NULL;
    size_t len = 0;
    if (util_read_file(path, 1 << 20, &text, &len) != UTIL_OK) {
        printf("状態ファイルがありません: %s (no status file: is the player running?)\n", path);
        return 1;
    }
    cJSON *s = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    free(text);
    if (!cJSON_IsObject(s)) {
        printf("状態ファイルを読めません: %s (unreadable status file)\n", path);
        cJSON_Delete(s);
        return 1;
    }
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(s, "feed");
    const cJSON *show = cJSON_GetObjectItemCaseSensitive(s, "showing");
    const char *result = jstr(s, "result");
    printf("美郷町デジタルサイネージの状態 / status (%s, version %s)\n", jstr(s, "written_at"),
           jstr(s, "version"));
    printf("  フィードの URL / feed URL:   %s\n", jstr(s, "feed_url")[0] ? jstr(s, "feed_url") : "(なし / none)");
    /* "-" stands for a time that has not happened yet. */
    const char *err = jstr(s, "error");
    bool loop = !strcmp(result, "refused") && strstr(err, "redirect loop");
    printf("  最後の取得 / last fetch:     %s  %s (%s", jstr(s, "last_attempt"),
           loop ? "リダイレクトのループ" : result_ja(result), result);
    if (jnum(s, "http_status") > 0) printf(", HTTP %.0f", jnum(s, "http_status"));
    printf(")\n");
    printf("  最後の成功 / last success:   %s\n", jstr(s, "last_success"));
    printf("  次の取得 / next fetch:       %s\n", jstr(s, "next_attempt"));
    printf("  連続の失敗 / failures in a row: %.0f\n", jnum(s, "consecutive_failures"));
    if (err[0] && strcmp(err, "-")) {
        const char *ja = error_ja(err);
        printf("  エラー / error:             %s%s%s%s\n", ja ? ja : "", ja ? " (" : "", err, ja ? ")" : "");
    }
    /* After a failed fetch the data shown is what was kept: not "from the
     * network" now, and the embedded plan is not "saved data". */
    const char *src = jstr(feed, "source");
    bool saved = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "showing_saved_data"));
    printf("  表示中のデータ / data shown:  %s (%s), 更新 updated_at %s, 施策 %.0f 件\n",
           saved && !strcmp(src, "network") ? "前に取得して保存したデータ" : source_ja(src),
           saved && !strcmp(src, "network") ? "network, saved" : src, jstr(feed, "updated_at"),
           jnum(feed, "measures"));
    printf("  画面 / on screen:            スライド %.0f / %.0f (%s)%s\n", jnum(show, "index"),
           jnum(show, "count"), jstr(show, "slide"),
           !saved ? ""
           : !strcmp(src, "embedded") ? "、組み込みのアクションプランを表示中 (showing the embedded plan)"
                                      : "、保存データを表示中 (showing saved data)");
    const cJSON *med = cJSON_GetObjectItemCaseSensitive(s, "media");
    if (med) {
        printf("  画像 / pictures:             %.0f 件 (%s)\n", jnum(med, "pictures"), jstr(med, "dir"));
        const char *li = jstr(med, "last_import");
        if (li[0] && strcmp(li, "-") != 0)
            printf("  最後の USB 取り込み / last import: %s\n", jstr(med, "last_import"));
    }
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "clock_plausible")))
        printf("  注意: 時計が合っていません (the system clock is not set yet)\n");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(s, "quarantine");
    if (cJSON_IsObject(q)) {
        const char *what = jstr(q, "what");
        printf("  隔離 / quarantined:          %s %.16s (%s)\n",
               !strcmp(what, "pictures") ? "USB の画像セット" : "フィード", jstr(q, "id"), what);
        printf("                               %s / %s\n", jstr(q, "why_ja"), jstr(q, "why"));
    }
    cJSON_Delete(s);
    return 0;
}

/* --- signals ------------------------------------------------------------ */

sigset_t app_handled_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    return set;
}

/* Signals are blocked in every thread and taken here with sigwait(), so
 * the handling runs as ordinary code rather than in a signal handler. */
static void *signal_thread(void *arg) {
    struct app *a = arg;
    sigset_t set = app_handled_signals();
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0) continue;
        if (atomic_load(&a->stopping)) break;
        if (sig == SIGTERM || sig == SIGINT) {
            atomic_store(&a->stopping, true);
            display_post(&a->disp, SDL_QUIT, sig);
            break;
        }
        display_post(&a->disp, a->ev_signal, sig);
    }
    return NULL;
}

static void on_picture(void *ctx) {
    struct app *a = ctx;
    display_post(&a->disp, a->ev_image, 0);
}

static void on_worker_news(void *ctx) {
    struct app *a = ctx;
    display_post(&a->disp, a->ev_feed, 0);
}

static void on_usb_news(void *ctx) {
    struct app *a = ctx;
    display_post(&a->disp, a->ev_media, 0);
}

/* Takes a new feed from the feed worker and/or a new set of media_dir
 * pictures from the USB worker (either may be NULL; both become the app's):
 * the deck is rebuilt and, when the slide on screen still exists, it stays.
 * Returns the new index. */
/* What the poison guard should know is on screen: the cached feed by its
 * hash (it is the one on screen whenever the source is the cache or the
 * network), and the picture set. A small read on a rare event. */
static void guard_note_screen(struct app *a) {
    char feed_id[65], set_id[80];
    if (a->source == SOURCE_EMBEDDED) snprintf(feed_id, sizeof feed_id, "embedded");
    else if (a->source == SOURCE_FILE) snprintf(feed_id, sizeof feed_id, "file");
    else guard_cached_feed_id(a->cfg.cache_dir, feed_id);
    guard_current_set(a->cfg.media_dir, set_id, sizeof set_id);
    guard_showing(feed_id, set_id);
}

static size_t adopt(struct app *a, struct feed *f, struct media_set *set, size_t index) {
    char current[sizeof a->deck.slides[0].id] = "";
    if (index < a->deck.n) memcpy(current, a->deck.slides[index].id, sizeof current);
    if (f) {
        feed_free(a->feed);
        a->feed = f;
        a->source = SOURCE_NETWORK;
    }
    if (set) {
        media_set_free(a->local);
        a->local = set;
    }
    media_attach(a->feed, a->local);
    if (a->guarded) guard_note_screen(a);
    deck_build(a->feed, a->cfg.slide_seconds, app_now(a), clock_plausible(app_now(a)), &a->deck);
    int keep = deck_find(&a->deck, current);
    if (f) LOG(LOG_INFO, "new feed on screen: %zu measures, %zu slides", f->n_measures, a->deck.n);
    else LOG(LOG_INFO, "pictures on screen: %zu from %s, %zu slides", a->local->n, a->cfg.media_dir, a->deck.n);
    return keep >= 0 ? (size_t)keep : 0;
}

/* SIGHUP: the settings file again. What the loop, the deck and the
 * workers use takes effect now; the folders, the font and the time zone,
 * which threads and open files depend on, only after a restart. */
static void app_reload(struct app *a) {
    if (a->cfg_path == NULL) {
        LOG(LOG_INFO, "SIGHUP: no settings file to reload; fetching the feed now");
        if (a->updater) updater_refetch(a->updater);
        return;
    }
    struct config c;
    config_defaults(&c);
    int problems = 0;
    if (config_load(a->cfg_path, &c, &problems) == CONFIG_ERR_OPEN) {
        LOG(LOG_WARN, "SIGHUP: keeping the settings in use; fetching the feed now");
        if (a->updater) updater_refetch(a->updater);
        return;
    }
    if (a->cli_feed_url && config_set(&c, "feed_url", a->cli_feed_url) == NULL) c.allow_http = true;
    struct { const char *key; char *now; const char *was; size_t size; } fixed[] = {
        {"cache_dir", c.cache_dir, a->cfg.cache_dir, sizeof c.cache_dir},
        {"state_dir", c.state_dir, a->cfg.state_dir, sizeof c.state_dir},
        {"media_dir", c.media_dir, a->cfg.media_dir, sizeof c.media_dir},
        {"font", c.font, a->cfg.font, sizeof c.font},
        {"timezone", c.timezone, a->cfg.timezone, sizeof c.timezone},
    };
    for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
        if (strcmp(fixed[i].now, fixed[i].was) != 0) {
            LOG(LOG_WARN, "SIGHUP: %s changed; that takes a restart (systemctl restart misato-signage)",
                fixed[i].key);
            snprintf(fixed[i].now, fixed[i].size, "%s", fixed[i].was);
        }
    a->cfg = c;
    if (a->updater) updater_reconfigure(a->updater, &a->cfg);
    if (a->usb) usb_watch_reconfigure(a->usb, &a->cfg);
    LOG(LOG_INFO, "SIGHUP: %s reloaded (%d problems); fetching the feed now", a->cfg_path, problems);
}

struct shot {
    SDL_Surface *surface;
    char dir[PATH_MAX];
};

static void *save_shot(void *arg) {
    struct shot *sh = arg;
    char tmp[PATH_MAX + 32], path[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s/.screenshot.png.tmp", sh->dir);
    snprintf(path, sizeof path, "%s/screenshot.png", sh->dir);
    const char *why = NULL;
    if (!util_mkdir_p(sh->dir)) why = strerror(errno);
    else if (IMG_SavePNG(sh->surface, tmp) != 0) why = IMG_GetError();
    else if (rename(tmp, path) != 0) why = strerror(errno);
    if (why) {
        LOG(LOG_WARN, "screenshot not saved to %s: %s", path, why);
        unlink(tmp);
    } else {
        LOG(LOG_INFO, "screenshot saved: %s (%dx%d)", path, sh->surface->w, sh->surface->h);
    }
    SDL_FreeSurface(sh->surface);
    free(sh);
    return NULL;
}

/* SIGUSR1: what is on screen, read back before it is presented, then
 * written as state_dir/screenshot.png by a short-lived thread. */
static void before_present(struct app *a) {
    if (!a->shot_pending) return;
    a->shot_pending = false;
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->disp.renderer, &w, &h);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (s == NULL || SDL_RenderReadPixels(a->disp.renderer, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) != 0) {
        LOG(LOG_WARN, "screenshot: %s", SDL_GetError());
        SDL_FreeSurface(s);
        return;
    }
    if (a->shot_started) pthread_join(a->shot_thread, NULL);
    struct shot *sh = xmalloc(sizeof *sh);
    sh->surface = s;
    snprintf(sh->dir, sizeof sh->dir, "%s", a->cfg.state_dir);
    a->shot_started = pthread_create(&a->shot_thread, NULL, save_shot, sh) == 0;
    if (!a->shot_started) {
        SDL_FreeSurface(s);
        free(sh);
    }
}

/* --- the display loop ------------------------------------------------------ */

/* Milliseconds until the wall clock's next minute, for the header clock. */
static int ms_to_next_minute(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long ms = (long)(ts.tv_sec % 60) * 1000 + ts.tv_nsec / 1000000;
    return (int)(60000 - ms) + 5;
}

/* Pre-rendered slides for transitions: the one on screen and the next,
 * as render-target textures at the output size. */
struct show {
    SDL_Texture *cur, *next;
    int w, h;
    bool unsupported;
};

static void show_free(struct show *s) {
    if (s->cur) SDL_DestroyTexture(s->cur);
    if (s->next) SDL_DestroyTexture(s->next);
    s->cur = s->next = NULL;
    s->w = s->h = 0;
}

/* Makes sure both textures exist at the output's size; false when render
 * targets cannot be had (then slides are drawn straight to the screen). */
static bool show_targets(struct app *a, struct show *s) {
    if (s->unsupported) return false;
    int w, h;
    SDL_GetRendererOutputSize(a->disp.renderer, &w, &h);
    if (s->cur && s->w == w && s->h == h) return true;
    show_free(s);
    if (SDL_RenderTargetSupported(a->disp.renderer)) {
        s->cur = SDL_CreateTexture(a->disp.renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
        s->next = SDL_CreateTexture(a->disp.renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
    }
    if (s->cur == NULL || s->next == NULL) {
        LOG(LOG_WARN, "no render targets (%s): slides change without transitions", SDL_GetError());
        show_free(s);
        s->unsupported = true;
        return false;
    }
    s->w = w;
    s->h = h;
    return true;
}

static void show_draw(struct app *a, SDL_Texture *target, const struct render_frame *f) {
    SDL_SetRenderTarget(a->disp.renderer, target);
    render_draw(a->render, f);
    SDL_SetRenderTarget(a->disp.renderer, NULL);
}

/* Composes the current slide (p < 0) or the transition to the next at
 * progress p in [0, 1) on the screen; the caller presents. */
static void show_compose(struct app *a, struct show *s, float p, int kind, bool ticker) {
    SDL_SetRenderDrawColor(a->disp.renderer, 0, 0, 0, 255);
    SDL_RenderClear(a->disp.renderer);
    if (p < 0) {
        SDL_SetTextureAlphaMod(s->cur, 255);
        SDL_SetTextureBlendMode(s->cur, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(a->disp.renderer, s->cur, NULL, NULL);
    } else if (kind == TRANSITION_PUSH) {
        /* The header and footer stay; only the body between them moves. */
        float e = p * p * (3 - 2 * p); /* smoothstep */
        int off = (int)lroundf(e * (float)s->w);
        SDL_Rect body = render_body_rect(s->w, s->h, ticker);
        SDL_Rect from = {-off, body.y, s->w, body.h}, to = {s->w - off, body.y, s->w, body.h};
        SDL_SetTextureBlendMode(s->cur, SDL_BLENDMODE_NONE);
        SDL_SetTextureBlendMode(s->next, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(a->disp.renderer, s->next, NULL, NULL); /* the new header and footer */
        SDL_RenderCopy(a->disp.renderer, s->cur, &body, &from);
        SDL_RenderCopy(a->disp.renderer, s->next, &body, &to);
    } else {
        SDL_SetTextureBlendMode(s->cur, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(a->disp.renderer, s->cur, NULL, NULL);
        SDL_SetTextureBlendMode(s->next, SDL_BLENDMODE_BLEND);
        SDL_SetTextureAlphaMod(s->next, (Uint8)lroundf(p * 255.0f));
        SDL_RenderCopy(a->disp.renderer, s->next, NULL, NULL);
    }
}

int app_run(const struct app_options *opt) {
    struct app a = {0};
    /* Block the handled signals before any thread exists (SDL starts some),
     * so that only the signal thread receives them. */
    sigset_t set = app_handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    fetch_global_init(); /* before any thread: curl_global_init is not thread-safe */

    service_init();
    a.guarded = true;
    int rc = app_load(&a, opt);
    if (rc != APP_EXIT_OK) goto done;
    rc = display_open(&a.disp, opt->windowed, opt->width, opt->height);
    if (rc != APP_EXIT_OK || a.disp.stopped) goto done;
    rc = APP_EXIT_ERROR;
    if (TTF_Init() != 0) {
        LOG(LOG_ERROR, "SDL_ttf: %s", TTF_GetError());
        goto done;
    }
    layout_init();
    a.render = render_new(a.disp.renderer, a.font_path[0], a.font_path[1]);
    if (a.render == NULL) goto done;
    a.ev_signal = SDL_RegisterEvents(4);
    a.ev_feed = a.ev_signal + 1;
    a.ev_image = a.ev_signal + 2;
    a.ev_media = a.ev_signal + 3;
    if (a.ev_signal == (Uint32)-1) {
        LOG(LOG_ERROR, "SDL: %s", SDL_GetError());
        goto done;
    }
    if (pthread_create(&a.sig_thread, NULL, signal_thread, &a) != 0) {
        LOG(LOG_ERROR, "cannot start the signal thread");
        goto done;
    }
    a.sig_thread_started = true;
    pthread_mutex_init(&a.loader.mu, NULL);
    pthread_cond_init(&a.loader.cv, NULL);
    SDL_GetRendererOutputSize(a.disp.renderer, &a.loader.max_w, &a.loader.max_h);
    a.loader.notify = on_picture;
    a.loader.ctx = &a;
    a.loader.started = pthread_create(&a.loader.thread, NULL, loader_thread, &a.loader) == 0;
    a.updater = updater_start(&a.cfg, a.feed, a.source, a.deck.n ? a.deck.slides[0].id : "",
                              a.deck.n, on_worker_news, &a);
    a.usb = usb_watch_start(&a.cfg, a.loader.max_w, a.loader.max_h, a.media_stamp, on_usb_news, &a);
    if (a.updater) updater_set_media(a.updater, a.local->n, NULL);

    size_t index = 0;
    bool dirty = true, first = true, running = true;
    Uint64 slide_end = SDL_GetTicks64() +
                       (Uint64)(a.deck.n ? a.deck.slides[0].seconds : a.cfg.slide_seconds) * 1000;
    unsigned long frames = 0;
    bool alert_on = false;
    Uint64 paused_left = 0;  /* what was left of the slide when an alert came */
    struct show show = {0};  /* pre-rendered slides for transitions */
    bool animating = false;
    size_t next_index = 0;
    Uint64 anim_start = 0, last_frame = 0, ticker_t0 = SDL_GetTicks64();
    bool screen_off = false, ticker_shown = false;
    while (running) {
        /* An alert takes the screen at once and holds the rotation; when it
         * expires or is withdrawn, the slide it covered gets its time back. */
        time_t wall = app_now(&a);
        const struct feed_alert *alert = deck_alert(a.feed, wall, clock_plausible(wall));
        Uint64 tnow = SDL_GetTicks64();
        if (a.toast_until && tnow >= a.toast_until) {
            a.toast_until = 0;
            dirty = true;
        }
        if (alert && !alert_on) {
            alert_on = dirty = true;
            animating = false;
            paused_left = slide_end > tnow ? slide_end - tnow : 0;
            LOG(LOG_INFO, "alert on screen: %s", alert->text);
            if (a.updater) updater_set_showing(a.updater, "alert", 0, a.deck.n, true);
        } else if (!alert && alert_on) {
            alert_on = false;
            dirty = true;
            slide_end = tnow + paused_left;
            LOG(LOG_INFO, "alert over; the rotation resumes");
            if (a.updater && index < a.deck.n)
                updater_set_showing(a.updater, a.deck.slides[index].id, index + 1, a.deck.n, true);
        }

        /* Display hours: outside them the screen is black and the loop
         * sleeps until the next start (an alert still takes the screen). */
        time_t next_change = wall + 3600;
        bool on = alert || deck_screen_on(&a.cfg.hours, wall, clock_plausible(wall), &next_change);
        if (!on && !screen_off) {
            screen_off = dirty = true;
            animating = false;
            char when[64];
            struct tm tm;
            localtime_r(&next_change, &tm);
            fmt_seireki_datetime(when, sizeof when, &tm);
            LOG(LOG_INFO, "outside display hours: screen off until %s", when);
            if (a.updater) updater_set_showing(a.updater, "off", 0, a.deck.n, true);
        } else if (on && screen_off) {
            screen_off = false;
            dirty = true;
            slide_end = tnow + (Uint64)(a.deck.n ? a.deck.slides[index].seconds : 10) * 1000;
            LOG(LOG_INFO, "display hours begin: screen on");
            if (a.updater && index < a.deck.n)
                updater_set_showing(a.updater, a.deck.slides[index].id, index + 1, a.deck.n, true);
        }

        /* The ticker moves on every frame; transitions too. Otherwise the
         * screen is drawn only when something changed. */
        const char *tick_lines[FEED_MAX_TICKER];
        bool ticker = !screen_off && !alert_on &&
                      deck_ticker(a.feed, wall, clock_plausible(wall), tick_lines, FEED_MAX_TICKER) > 0;
        if (ticker != ticker_shown) {
            /* Lines began or all expired: the body's height changes. */
            ticker_shown = ticker;
            dirty = true;
        }
        bool moving = animating || ticker;
        if (screen_off) {
            if (dirty) {
                SDL_SetRenderDrawColor(a.disp.renderer, 0, 0, 0, 255);
                SDL_RenderClear(a.disp.renderer);
                /* IT importing after hours still hears how it went. */
                if (a.toast_until) render_toast(a.render, a.toast, a.toast_ok);
                before_present(&a);
                SDL_RenderPresent(a.disp.renderer);
                frames++;
                dirty = false;
            }
        } else if (dirty || moving) {
            struct render_frame f;
            frame_for(&a, index, &f);
            bool targets = show_targets(&a, &show);
            if (dirty && !animating && targets) {
                show_draw(&a, show.cur, &f);
                dirty = false;
            }
            if (animating) {
                /* Only composition here: both slides were drawn beforehand,
                 * so no frame ever shows a slide half drawn. */
                float p = (float)(tnow - anim_start) / (float)a.cfg.transition_ms;
                if (p >= 1) {
                    SDL_Texture *t = show.cur;
                    show.cur = show.next;
                    show.next = t;
                    index = next_index;
                    animating = false;
                    slide_end = tnow + (Uint64)a.deck.slides[index].seconds * 1000;
                    if (a.updater)
                        updater_set_showing(a.updater, a.deck.slides[index].id, index + 1, a.deck.n, false);
                    frame_for(&a, index, &f);
                    p = -1;
                }
                show_compose(&a, &show, p, a.cfg.transition, ticker);
            } else if (targets) {
                show_compose(&a, &show, -1, a.cfg.transition, ticker);
            } else {
                render_draw(a.render, &f);
                dirty = false;
            }
            if (ticker) render_ticker(a.render, &f, (double)(tnow - ticker_t0) / 1000.0 * render_ticker_speed(a.render));
            if (a.toast_until && !alert_on) render_toast(a.render, a.toast, a.toast_ok);
            before_present(&a);
            SDL_RenderPresent(a.disp.renderer);
            frames++;
            last_frame = tnow;
        }
        if (first && frames > 0) {
            LOG(LOG_INFO, "first frame on screen");
            char st[96];
            snprintf(st, sizeof st, "showing %zu slides", a.deck.n);
            service_ready(st);
            first = false;
        }
        service_alive();

        Uint64 now = SDL_GetTicks64();
        int timeout;
        if (screen_off) {
            time_t left = next_change > wall ? next_change - wall : 1;
            timeout = left > 3600 ? 3600000 : (int)left * 1000 + 5;
        } else if (moving) {
            /* At most ~60 frames a second (30 for a ticker drawn by the CPU):
             * with working vsync SDL_RenderPresent already waits that long;
             * some drivers claim vsync and do not. */
            Uint64 period = animating || a.disp.accelerated ? 16 : 33;
            Uint64 since = now - last_frame;
            timeout = since >= period ? 0 : (int)(period - since);
            if (!animating && slide_end > now && slide_end - now < (Uint64)timeout) timeout = (int)(slide_end - now);
        } else {
            timeout = alert_on ? 3600000 : slide_end > now ? (int)(slide_end - now) : 0;
            int minute = ms_to_next_minute();
            if (minute < timeout) timeout = minute;
            if (a.toast_until && a.toast_until > now && a.toast_until - now < (Uint64)timeout)
                timeout = (int)(a.toast_until - now);
            if (alert && alert->valid.has_until && alert->valid.until > wall &&
                (alert->valid.until - wall) * 1000 < timeout)
                timeout = (int)((alert->valid.until - wall) * 1000) + 5;
            time_t tick_change = clock_plausible(wall) ? deck_ticker_next_change(a.feed, wall) : 0;
            if (tick_change > wall && (tick_change - wall) * 1000 < timeout)
                timeout = (int)((tick_change - wall) * 1000) + 5;
        }
        /* The watchdog hears from this loop only while it turns. */
        int wd = service_watchdog_ms();
        if (wd && timeout > wd) timeout = wd;
        SDL_Event ev;
        bool got = display_wait_event(&a.disp, &ev, timeout);
        while (got) {
            if (ev.type == SDL_QUIT) {
                LOG(LOG_INFO, "stopping (%s)", ev.user.code == SIGINT ? "SIGINT" : "SIGTERM");
                running = false;
            } else if (ev.type == SDL_WINDOWEVENT) {
                if (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                    ev.window.event == SDL_WINDOWEVENT_EXPOSED ||
                    ev.window.event == SDL_WINDOWEVENT_SHOWN)
                    dirty = true;
            } else if (ev.type == SDL_RENDER_TARGETS_RESET || ev.type == SDL_RENDER_DEVICE_RESET) {
                render_flush_textures(a.render);
                show_free(&show);
                animating = false;
                dirty = true;
            } else if (ev.type == a.ev_signal) {
                if (ev.user.code == SIGHUP) {
                    app_reload(&a);
                    animating = false;
                    index = adopt(&a, NULL, NULL, index);
                    dirty = true;
                } else if (ev.user.code == SIGUSR1) {
                    LOG(LOG_INFO, "SIGUSR1: saving a screenshot");
                    a.shot_pending = dirty = true;
                } else {
                    LOG(LOG_INFO, "signal %d: nothing to do for it", ev.user.code);
                }
            } else if (ev.type == a.ev_image) {
                pictures_arrived(&a);
                dirty = true;
            } else if (ev.type == a.ev_media && a.usb) {
                struct usb_news news;
                struct media_set *pics = usb_watch_take(a.usb, &news);
                if (pics) {
                    animating = false;
                    index = adopt(&a, NULL, pics, index);
                }
                if (news.toast[0]) {
                    snprintf(a.toast, sizeof a.toast, "%s", news.toast);
                    a.toast_ok = news.toast_ok;
                    a.toast_until = SDL_GetTicks64() + TOAST_MS;
                    char line[sizeof a.toast];
                    size_t k = 0;
                    for (const char *c = a.toast; *c; c++)
                        if (*c != '\n') line[k++] = *c;
                    line[k] = '\0';
                    LOG(LOG_INFO, "on screen: %s", line);
                }
                if (a.updater) updater_set_media(a.updater, a.local->n, news.status);
                dirty = true;
            } else if (ev.type == a.ev_feed && a.updater) {
                struct feed *f = updater_take(a.updater);
                if (f) {
                    animating = false;
                    index = adopt(&a, f, NULL, index);
                    updater_set_showing(a.updater, alert_on ? "alert" : a.deck.n ? a.deck.slides[index].id : "",
                                        index + 1, a.deck.n, true);
                }
                dirty = true; /* the footer may change: saved data shown or not */
            }
            got = SDL_PollEvent(&ev) == 1;
        }
        now = SDL_GetTicks64();
        if (!alert_on && !animating && !screen_off && now >= slide_end && a.deck.n > 0) {
            size_t next = (index + 1) % a.deck.n;
            if (a.cfg.transition != TRANSITION_NONE && next != index && show_targets(&a, &show)) {
                /* Draw the next slide completely before the transition starts. */
                if (dirty) { /* the current one too, if it is out of date */
                    struct render_frame f;
                    frame_for(&a, index, &f);
                    show_draw(&a, show.cur, &f);
                    dirty = false;
                }
                struct render_frame f;
                frame_for(&a, next, &f);
                show_draw(&a, show.next, &f);
                next_index = next;
                animating = true;
                anim_start = last_frame = SDL_GetTicks64();
            } else {
                index = next;
                slide_end = now + (Uint64)a.deck.slides[index].seconds * 1000;
                dirty = true;
                if (a.updater)
                    updater_set_showing(a.updater, a.deck.slides[index].id, index + 1, a.deck.n, false);
            }
        }
        if (!screen_off && ms_to_next_minute() > 59000) dirty = true; /* the header clock */
    }
    show_free(&show);
    service_stopping();
    LOG(LOG_INFO, "%lu frames drawn", frames);
    rc = APP_EXIT_OK;
done:
    if (a.shot_started) pthread_join(a.shot_thread, NULL);
    usb_watch_stop(a.usb);
    a.usb = NULL;
    updater_stop(a.updater);
    a.updater = NULL;
    if (a.loader.started) {
        pthread_mutex_lock(&a.loader.mu);
        a.loader.stop = true;
        pthread_cond_signal(&a.loader.cv);
        pthread_mutex_unlock(&a.loader.mu);
        pthread_join(a.loader.thread, NULL);
        for (int k = 0; k < a.loader.n_done; k++) SDL_FreeSurface(a.loader.done[k]);
        pthread_mutex_destroy(&a.loader.mu);
        pthread_cond_destroy(&a.loader.cv);
    }
    for (int i = 0; i < PICTURES; i++)
        if (a.pictures[i].tex) SDL_DestroyTexture(a.pictures[i].tex);
    if (a.sig_thread_started) {
        atomic_store(&a.stopping, true);
        pthread_kill(a.sig_thread, SIGTERM);
        pthread_join(a.sig_thread, NULL);
    }
    render_free(a.render);
    display_close(&a.disp);
    if (TTF_WasInit()) TTF_Quit();
    /* Every way out of here is a clean exit (a crash never gets here). */
    guard_clean_exit();
    app_unload(&a);
    SDL_Quit();
    return rc;
}
