/* app: start-up, the event-driven display loop, signals, headless render
 * and feed validation for staff. */
#include "app.h"
#include "clock.h"
#include "app_internal.h"

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
#include <SDL_ttf.h>

#include "cache.h"
#include "config.h"
#include "deck.h"
#include "display.h"
#include "fetch.h"
#include "feed.h"
#include "file.h"
#include "fmt.h"
#include "guard.h"
#include "image.h"
#include "font.h"
#include "layout.h"
#include "log.h"
#include "media.h"
#include "metrics.h"
#include "panel.h"
#include "picture_loader.h"
#include "render.h"
#include "screenshot.h"
#include "service.h"
#include "transition.h"
#include "updater.h"
#include "usb.h"
#include "util.h"
#include "xalloc.h"

#define TOAST_MS 20000 /* how long an import's message stays on screen */

/* The time to show and schedule by: --at shifts it; a system clock that is
 * still in 1970 (no RTC, no NTP yet) is corrected by a server's Date. A
 * render is of one moment: its clock stands still. */
time_t app_now(const struct app *a) {
    if (a->frozen_at) return a->frozen_at;
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

/* The settings file (the one given, else the system's if it exists), the
 * town's time zone and --at, --feed URL over feed_url. */
static int load_settings(struct app *a, const struct app_options *opt) {
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
    /* --render: every slide shows the same moment (--at, else the start),
     * however long the render takes. */
    if (opt->render_dir || opt->sheet_path) a->frozen_at = time(NULL) + a->clock_offset;
    if (opt->feed_url) {
        /* A URL typed on the command line is the operator's choice: http:// too. */
        const char *why = config_set(&a->cfg, "feed_url", opt->feed_url);
        if (why) {
            LOG(LOG_ERROR, "--feed %s: %s", opt->feed_url, why);
            return APP_EXIT_USAGE;
        }
        a->cfg.allow_http = true;
    }
    return APP_EXIT_OK;
}

/* Parses body as the feed to show; when it cannot be shown, notes why
 * (a preview must say so). what names it in the log. */
static void take_feed(struct app *a, const char *what, const char *body, size_t len, enum feed_source source,
                      const char *instead) {
    struct feed_report *rep = xmalloc(sizeof *rep);
    enum feed_status st = feed_parse(body, len, rep, &a->feed);
    log_report(what, st, rep);
    if (a->feed) {
        a->source = source;
        free(rep);
        return;
    }
    LOG(LOG_ERROR, "%s: %s; showing the %s", what, feed_status_text(st), instead);
    feed_refused(a, rep, NULL);
}

/* --feed URL with --render: one fetch now, with the worker's limits. */
static void load_feed_url_once(struct app *a, const char *url) {
    struct fetch_request req = {
        .url = a->cfg.feed_url, .ca_file = a->cfg.ca_file[0] ? a->cfg.ca_file : NULL,
        .allow_http = true, .max_bytes = FEED_MAX_BYTES, .timeout_s = a->cfg.fetch_timeout,
        .connect_timeout_s = 15, .low_speed_time_s = 20,
    };
    struct fetch_result res;
    if (fetch_get(&req, &res) == FETCH_OK) {
        take_feed(a, url, res.body, res.len, FEED_SOURCE_NETWORK, "saved or embedded plan");
        if (a->feed) a->feed_media = cache_media_find(a->cfg.cache_dir, a->feed);
    } else {
        LOG(LOG_ERROR, "%s: %s; showing the saved or embedded plan", url, res.error);
        feed_refused(a, NULL, res.error);
    }
    fetch_result_clear(&res);
}

/* --feed FILE. */
static void load_feed_file(struct app *a, const char *path) {
    char *body = NULL;
    size_t len = 0;
    enum file_status us = file_read(AT_FDCWD, path, FEED_MAX_BYTES, 0, &body, &len, NULL);
    if (us == FILE_OK) {
        take_feed(a, path, body, len, FEED_SOURCE_FILE, "embedded plan");
    } else {
        LOG(LOG_ERROR, "%s: cannot read the feed (%s); showing the embedded plan", path,
            us == FILE_ERR_TOO_BIG ? "larger than 1 MiB" : strerror(errno));
        char why[256];
        feed_refused(a, NULL, app_feed_unreadable(path, us, why, sizeof why));
    }
    free(body);
}

int app_load(struct app *a, const struct app_options *opt) {
    int rc = load_settings(a, opt);
    if (rc != APP_EXIT_OK) return rc;
    a->feed = NULL;
    a->source = FEED_SOURCE_FILE;
    if (opt->feed_url && (opt->render_dir || opt->sheet_path)) load_feed_url_once(a, opt->feed_url);
    if (opt->feed_path) load_feed_file(a, opt->feed_path);
    /* Without a file: the cache's last good feed, else the embedded plan.
     * Read before the first frame (a bounded read of one small file), so the
     * screen starts with the newest data it has. */
    if (a->guarded && a->feed == NULL) {
        /* Before the cached feed and media_dir are read: they may be what
         * killed the last run. */
        struct guard_verdict v;
        guard_start(a->cfg.state_dir, a->cfg.cache_dir, a->cfg.media_dir, &v);
    }
    if (a->feed == NULL) {
        a->feed = updater_load_initial(a->cfg.cache_dir, &a->source);
        if (a->source != FEED_SOURCE_EMBEDDED) a->feed_media = cache_media_find(a->cfg.cache_dir, a->feed);
    }
    a->media_stamp = media_dir_stamp(a->cfg.media_dir);
    a->local = media_set_load(a->cfg.media_dir);
    a->pics = (struct deck_pictures){a->feed_media, a->local};
    if (a->guarded) guard_note_screen(a);
    LOG(LOG_INFO, "showing the %s feed", feed_source_name(a->source));
    deck_build(a->feed, &a->pics, a->cfg.slide_seconds, app_now(a), clock_plausible(app_now(a)), &a->deck);
    LOG(LOG_INFO, "%zu measures, %zu slides", a->feed->n_measures, a->deck.n);

    a->font_path[0] = font_find(a->cfg.font, false);
    a->font_path[1] = font_find(a->cfg.font, true);
    if (a->font_path[0] == NULL || a->font_path[1] == NULL) return APP_EXIT_ERROR;
    LOG(LOG_INFO, "fonts: %s, %s", a->font_path[0], a->font_path[1]);
    return APP_EXIT_OK;
}

void app_unload(struct app *a) {
    feed_free(a->feed);
    a->feed = NULL;
    cache_media_free(a->feed_media);
    a->feed_media = NULL;
    free(a->feed_refused_report);
    a->feed_refused_report = NULL;
    media_set_free(a->local);
    a->local = NULL;
    free(a->font_path[0]);
    free(a->font_path[1]);
    a->font_path[0] = a->font_path[1] = NULL;
    font_shutdown();
}


void app_frame_for(struct app *a, size_t index, struct render_frame *f) {
    memset(f, 0, sizeof *f);
    if (a->updater) {
        struct updater_state st;
        updater_get_state(a->updater, &st);
        f->stale = st.stale && a->source != FEED_SOURCE_EMBEDDED; /* the plan is not saved data */
    }
    time_t now = app_now(a);
    localtime_r(&now, &f->now);
    f->town_name = a->cfg.town_name;
    f->feed = a->feed;
    f->deck = &a->deck;
    f->pictures = &a->pics;
    f->index = index;
    f->alert = deck_alert(a->feed, now, clock_plausible(now));
    f->n_ticker = deck_ticker(a->feed, now, clock_plausible(now), a->ticker, FEED_MAX_TICKER);
    f->ticker = a->ticker;
    f->image_fill = a->cfg.image_fill;
    if (index < a->deck.n) {
        const char *path = deck_slide_picture(a->feed, &a->pics, &a->deck.slides[index]);
        bool failed = false;
        f->image = loader_get(a->pictures, path, &failed);
        f->image_missing = path == NULL || failed;
    }
}

/* --- signals ------------------------------------------------------------ */

sigset_t app_handled_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    return set;
}

/* SIGTERM or SIGINT while the main thread is still starting (SDL can take
 * tens of seconds to open a display on a loaded machine, and a hung X
 * server never answers): the signal is passed on to the main thread, whose
 * wait for a display takes it, and the start-up steps look for the stop;
 * when the main thread is somewhere that does not return (inside SDL),
 * the process ends here after START_STOP_MS, with exit 0, as the clean
 * stop it is (nothing of ours is half-written: files are replaced
 * atomically, and the workers start only after the first frame). */
#define START_STOP_MS 1000

static void stop_during_start_up(struct app *a, int sig) {
    const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
    LOG(LOG_INFO, "stopping (%s) during start-up", name);
    pthread_kill(a->main_thread, sig);
    for (int waited = 0; waited < START_STOP_MS; waited += 10) {
        if (atomic_load(&a->start_left)) return;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    LOG(LOG_INFO, "the start-up did not return within %d ms (held in SDL's display set-up): exiting now",
        START_STOP_MS);
    service_stopping();
    guard_clean_exit();
    _exit(APP_EXIT_OK);
}

/* Signals are blocked in every thread and taken here with sigwait(), so
 * the handling runs as ordinary code rather than in a signal handler. The
 * thread starts before anything else, so that a stop is heard during the
 * start-up too; the other signals that come then wait for the loop. */
static void *signal_thread(void *arg) {
    struct app *a = arg;
    sigset_t set = app_handled_signals();
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0) continue;
        if (atomic_load(&a->stopping)) break;
        if (sig == SIGTERM || sig == SIGINT) {
            atomic_store(&a->stopping, true);
            int starting = APP_PHASE_STARTING;
            if (atomic_compare_exchange_strong(&a->phase, &starting, APP_PHASE_STOPPED))
                stop_during_start_up(a, sig);
            else display_post(&a->disp, SDL_QUIT, sig);
            break;
        }
        pthread_mutex_lock(&a->sig_mu);
        if (atomic_load(&a->phase) == APP_PHASE_RUNNING) display_post(&a->disp, a->ev_signal, sig);
        else a->sig_pending |= 1u << sig;
        pthread_mutex_unlock(&a->sig_mu);
    }
    return NULL;
}

/* A start-up step: true when a stop came meanwhile (the main thread then
 * goes no further and says it has left the start-up). */
static bool start_stopped(struct app *a) {
    if (atomic_load(&a->phase) != APP_PHASE_STOPPED) return false;
    atomic_store(&a->start_left, true);
    return true;
}

/* The start-up is over: the loop runs, and the signals that came during the
 * start-up reach it now. False when a stop came first. */
static bool start_running(struct app *a) {
    pthread_mutex_lock(&a->sig_mu);
    int starting = APP_PHASE_STARTING;
    bool running = atomic_compare_exchange_strong(&a->phase, &starting, APP_PHASE_RUNNING);
    unsigned pending = a->sig_pending;
    a->sig_pending = 0;
    pthread_mutex_unlock(&a->sig_mu);
    if (!running) {
        atomic_store(&a->start_left, true);
        return false;
    }
    for (int sig = 1; sig < 32; sig++)
        if (pending & (1u << sig)) display_post(&a->disp, a->ev_signal, sig);
    return true;
}

static void on_picture(void *ctx) {
    struct app *a = ctx;
    display_post(&a->disp, a->ev_image, 0);
}

static void on_worker_news(void *ctx) {
    struct app *a = ctx;
    display_post(&a->disp, a->ev_feed, 0);
}

static void on_panel_news(void *ctx) { /* the panel worker: a method answered */
    struct app *a = ctx;
    display_post(&a->disp, a->ev_panel, 0);
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
    if (a->source == FEED_SOURCE_EMBEDDED) snprintf(feed_id, sizeof feed_id, "embedded");
    else if (a->source == FEED_SOURCE_FILE) snprintf(feed_id, sizeof feed_id, "file");
    else guard_cached_feed_id(a->cfg.cache_dir, feed_id);
    guard_current_set(a->cfg.media_dir, set_id, sizeof set_id);
    guard_showing(feed_id, set_id);
}

/* Takes a new feed (with where the cache holds its media) or a new picture
 * set, or neither (the clock moved on), and builds the deck again. */
static size_t adopt(struct app *a, struct feed *f, struct cache_media *fm, struct media_set *set,
                    size_t index) {
    char current[sizeof a->deck.slides[0].id] = "";
    if (index < a->deck.n) memcpy(current, a->deck.slides[index].id, sizeof current);
    if (f) {
        feed_free(a->feed);
        cache_media_free(a->feed_media);
        a->feed = f;
        a->feed_media = fm;
        a->source = FEED_SOURCE_NETWORK;
    }
    if (set) {
        media_set_free(a->local);
        a->local = set;
    }
    a->pics = (struct deck_pictures){a->feed_media, a->local};
    if (a->guarded) guard_note_screen(a);
    deck_build(a->feed, &a->pics, a->cfg.slide_seconds, app_now(a), clock_plausible(app_now(a)), &a->deck);
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
        {"cec_device", c.cec_device, a->cfg.cec_device, sizeof c.cec_device},
        {"metrics_file", c.metrics_file, a->cfg.metrics_file, sizeof c.metrics_file},
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

/* --- the display loop ------------------------------------------------------ */

/* The display loop's state: what is on screen and what happens next. */
struct loop {
    bool running, dirty;       /* dirty: the slide must be drawn again */
    bool clock;                /* a new minute: the header's clock (only it, where the path allows) */
    time_t minute;             /* the minute on the clock (wall / 60) */
    bool first;                /* READY=1 not sent yet */
    unsigned long frames;
    size_t index;              /* the slide on screen */
    Uint64 slide_end;          /* SDL ticks: its time is up */
    time_t wall;               /* the time shown (app_now) at the top of this turn */
    const struct feed_alert *alert; /* active now, or NULL */
    bool alert_on;             /* an alert holds the screen */
    Uint64 paused_left;        /* what was left of the slide when an alert came */
    bool screen_off;           /* outside display hours */
    time_t next_change;        /* when display hours next change */
    bool ticker, ticker_shown; /* ticker lines now, and on the last frame */
    Uint64 ticker_t0;
    struct transition tr;      /* pre-rendered slides for transitions */
    bool animating;
    size_t next_index;
    Uint64 anim_start, last_frame;
    Uint64 due;                /* paced frames (no vsync): when the next is to be on screen; 0: none */
    struct screenshot shot;
    unsigned panel_seen;       /* panel_version() the status file was last asked to show */
};

/* Tells the status file which slide is on screen; write: now, not at the
 * next status write. */
static void loop_note_showing(struct app *a, const struct loop *l, bool write) {
    if (a->updater == NULL) return;
    if (l->alert_on) updater_set_showing(a->updater, "alert", 0, a->deck.n, write);
    else if (l->screen_off) updater_set_showing(a->updater, "off", 0, a->deck.n, write);
    else updater_set_showing(a->updater, l->index < a->deck.n ? a->deck.slides[l->index].id : "",
                             l->index + 1, a->deck.n, write);
}

static Uint64 slide_ms(const struct app *a, size_t index) {
    return (Uint64)(index < a->deck.n ? a->deck.slides[index].seconds : a->cfg.slide_seconds) * 1000;
}

/* What changed since the last turn by the clock: an alert that began or
 * ended, a toast that expired, display hours, ticker lines. */
static void loop_update(struct app *a, struct loop *l) {
    l->wall = app_now(a);
    /* A new minute: the header's clock, once (every turn of the minute's
     * first second had redrawn it, on the GL path the whole frame). */
    if (l->wall / 60 != l->minute) {
        if (l->minute && !l->screen_off) l->clock = true;
        l->minute = l->wall / 60;
    }
    bool plausible = clock_plausible(l->wall);
    l->alert = deck_alert(a->feed, l->wall, plausible);
    Uint64 tnow = SDL_GetTicks64();
    if (a->toast_until && tnow >= a->toast_until) {
        a->toast_until = 0;
        l->dirty = true;
    }
    /* An alert takes the screen at once and holds the rotation; when it
     * expires or is withdrawn, the slide it covered gets its time back. */
    if (l->alert && !l->alert_on) {
        l->alert_on = l->dirty = true;
        l->animating = false;
        l->paused_left = l->slide_end > tnow ? l->slide_end - tnow : 0;
        LOG(LOG_INFO, "alert on screen: %s", l->alert->text);
        loop_note_showing(a, l, true);
    } else if (!l->alert && l->alert_on) {
        l->alert_on = false;
        l->dirty = true;
        l->slide_end = tnow + l->paused_left;
        LOG(LOG_INFO, "alert over; the rotation resumes");
        loop_note_showing(a, l, true);
    }
    /* Display hours: outside them the screen is black and the loop sleeps
     * until the next start (an alert still takes the screen). */
    l->next_change = l->wall + 3600;
    bool on = panel_update(a->panel, deck_screen_on(&a->cfg.hours, l->wall, plausible, &l->next_change),
                           l->alert != NULL, time(NULL)); /* also IT's --panel override (#17) */
    if (a->updater && panel_version(a->panel) != l->panel_seen) { /* --panel waits to read it */
        l->panel_seen = panel_version(a->panel);
        updater_status_soon(a->updater);
    }
    if (!on && !l->screen_off) {
        l->screen_off = l->dirty = true;
        l->animating = false;
        char when[64];
        struct tm tm;
        localtime_r(&l->next_change, &tm);
        fmt_seireki_datetime(when, sizeof when, &tm);
        LOG(LOG_INFO, "outside display hours: screen off until %s", when);
        loop_note_showing(a, l, true);
    } else if (on && l->screen_off) {
        l->screen_off = false;
        l->dirty = true;
        l->slide_end = tnow + slide_ms(a, l->index);
        LOG(LOG_INFO, "display hours begin: screen on");
        loop_note_showing(a, l, true);
    }
    /* The ticker moves on every frame; lines that began or all expired
     * change the body's height. */
    const char *lines[FEED_MAX_TICKER];
    l->ticker = !l->screen_off && !l->alert_on && deck_ticker(a->feed, l->wall, plausible, lines, FEED_MAX_TICKER) > 0;
    if (l->ticker != l->ticker_shown) {
        l->ticker_shown = l->ticker;
        l->dirty = true;
    }
}

/* The transition in progress at this moment; at its end the next slide is
 * the current one. */
static void loop_animate(struct app *a, struct loop *l, Uint64 tnow) {
    float p = (float)(tnow - l->anim_start) / (float)a->cfg.transition_ms;
    if (p >= 1) {
        transition_swap(&l->tr);
        l->index = l->next_index;
        l->animating = false;
        l->slide_end = tnow + slide_ms(a, l->index);
        loop_note_showing(a, l, false);
        p = -1;
    }
    transition_compose(&l->tr, a->disp.renderer, p, a->cfg.transition, l->ticker);
}

/* How long before a paced frame is due the loop wakes to compose it; the
 * frame then waits for its time and is presented on it. Composing took
 * 0.9 ms a frame (median) but 5-13 ms in one frame of twenty (a VM's CPU
 * is not always there), and presenting when composed made gaps of 22-26
 * ms in a 60 Hz crossfade on a quiet machine. */
enum { COMPOSE_AHEAD_MS = 10 };

static void loop_present(struct app *a, struct loop *l, Uint64 tnow) {
    Uint64 now = SDL_GetTicks64();
    if (tnow > now) SDL_Delay((Uint32)(tnow - now)); /* composed ahead: presented when due */
    if (a->shot_pending) {
        a->shot_pending = false;
        screenshot_take(&l->shot, a->disp.renderer, a->cfg.state_dir);
    }
    transition_present(&l->tr, a->disp.renderer);
    l->frames++;
    l->last_frame = tnow;
}

static void app_start_workers(struct app *a, size_t index);

/* Draws and presents a frame when something changed or moves. Slides are
 * drawn into a texture first (when render targets work), so a frame never
 * shows a slide half drawn and a transition only composes. */
static void loop_draw(struct app *a, struct loop *l) {
    SDL_Renderer *r = a->disp.renderer;
    bool moving = l->animating || l->ticker;
    Uint64 tnow = SDL_GetTicks64();
    if (moving && l->due && !l->screen_off) {
        /* A paced frame: drawn for the time it is due (loop_deadline woke
         * the loop COMPOSE_AHEAD_MS before); an event that woke it earlier
         * leaves it for then. */
        if (tnow + COMPOSE_AHEAD_MS < l->due) return;
        if (l->due > tnow) tnow = l->due;
    }
    l->due = 0;
    if (l->screen_off) {
        if (!l->dirty) return;
        SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
        SDL_RenderClear(r);
        /* IT importing after hours still hears how it went. */
        if (a->toast_until) render_toast(a->render, a->toast, a->toast_ok);
        transition_overlay(&l->tr, NULL);
        loop_present(a, l, tnow);
        l->dirty = false;
    } else if (l->dirty || moving || l->clock) {
        struct render_frame f;
        app_frame_for(a, l->index, &f);
        if (l->clock && (l->animating || l->alert_on || !l->tr.software)) l->dirty = true;
        bool targets = transition_targets(&l->tr, r);
        /* Only the ticker moved since the last frame (the screen holds the
         * rest): where GL is the CPU, only its strip is drawn and sent. */
        if (targets && l->ticker && !l->dirty && !l->animating && !l->clock && !a->toast_until &&
            !a->shot_pending) {
            SDL_Rect strip = render_ticker_rect(l->tr.w, l->tr.h);
            transition_clip(&l->tr, r, &strip);
        }
        bool drawn = false; /* the slide, its clock with it */
        if (l->dirty && !l->animating && targets) {
            transition_draw(&l->tr, r, a->render, false, &f);
            l->dirty = false;
            drawn = true;
        }
        if (l->animating) {
            loop_animate(a, l, tnow);
            app_frame_for(a, l->index, &f);
        } else if (targets) {
            transition_compose(&l->tr, r, -1, a->cfg.transition, l->ticker);
        } else {
            render_draw(a->render, &f);
            transition_overlay(&l->tr, NULL);
            l->dirty = false;
        }
        if (l->clock && !l->dirty && !drawn && !transition_header(&l->tr, r, a->render, &f)) l->dirty = true;
        l->clock = false;
        if (l->ticker) {
            render_ticker(a->render, &f, (double)(tnow - l->ticker_t0) / 1000.0 * render_ticker_speed(a->render));
            SDL_Rect strip = render_ticker_rect(l->tr.w, l->tr.h);
            transition_overlay(&l->tr, &strip);
        }
        if (a->toast_until && !l->alert_on) {
            render_toast(a->render, a->toast, a->toast_ok);
            transition_overlay(&l->tr, NULL);
        }
        loop_present(a, l, tnow);
    }
    if (l->first && l->frames > 0) {
        LOG(LOG_INFO, "first frame on screen");
        panel_after_first_frame(a->panel, time(NULL));
        /* READY=1 now, before the workers start (libcurl's dlopen and
         * the first scans took 3 s of a loaded TCG VM between the two). */
        char st[96];
        snprintf(st, sizeof st, "showing %zu slides", a->deck.n);
        service_ready(st);
        app_start_workers(a, l->index);
        l->first = false;
    }
}

/* Milliseconds until the next minute of the time shown (--at's shift
 * included), for the header clock. */
static int ms_to_next_minute(const struct app *a) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long ms = (long)((ts.tv_sec + a->clock_offset) % 60) * 1000 + ts.tv_nsec / 1000000;
    return (int)(60000 - ms) + 5;
}

static void at_most(int *timeout, long long ms) {
    if (ms >= 0 && ms < *timeout) *timeout = (int)ms;
}

/* Without vsync, frames are paced to the display's refresh: due at fixed
 * times from the transition's start (the ticker's: every second refresh
 * when the CPU draws it), so that no frame comes late by the time the last
 * one took to draw, and none twice in one refresh. Returns when the next
 * is due (after now). */
static Uint64 paced_due(const struct app *a, const struct loop *l, Uint64 now) {
    double period = 1000.0 / a->disp.refresh_hz * (l->animating || !a->disp.cpu_draws ? 1 : 2);
    Uint64 t0 = l->animating ? l->anim_start : l->ticker_t0;
    double k = floor((double)(now - t0) / period) + 1;
    return t0 + (Uint64)ceil(k * period);
}

/* How long the loop may sleep: until the next frame while something moves,
 * else until the next thing that changes the screen. */
static int loop_deadline(const struct app *a, struct loop *l) {
    Uint64 now = SDL_GetTicks64();
    time_t wall = l->wall;
    int timeout;
    if (l->screen_off) {
        time_t left = l->next_change > wall ? l->next_change - wall : 1;
        timeout = left > 3600 ? 3600000 : (int)left * 1000 + 5;
    } else if (l->animating || l->ticker) {
        /* At most ~60 frames a second (30 for a ticker drawn by the CPU,
         * llvmpipe's GL included):
         * with working vsync SDL_RenderPresent already waits that long;
         * some drivers claim vsync and do not. */
        if (a->disp.vsync) {
            Uint64 period = a->disp.cpu_draws && !l->animating ? 33 : 16, since = now - l->last_frame;
            timeout = since >= period ? 0 : (int)(period - since);
        } else {
            /* Woken ahead to compose; presented when due (loop_draw). */
            l->due = paced_due(a, l, now > l->last_frame ? now : l->last_frame); /* each due time once */
            timeout = l->due > now + COMPOSE_AHEAD_MS ? (int)(l->due - now - COMPOSE_AHEAD_MS) : 0;
        }
        if (!l->animating && l->slide_end > now) at_most(&timeout, (long long)(l->slide_end - now));
    } else {
        timeout = l->alert_on ? 3600000 : l->slide_end > now ? (int)(l->slide_end - now) : 0;
        at_most(&timeout, ms_to_next_minute(a));
        if (a->toast_until && a->toast_until > now) at_most(&timeout, (long long)(a->toast_until - now));
        if (l->alert && l->alert->valid.has_until && l->alert->valid.until > wall)
            at_most(&timeout, (long long)(l->alert->valid.until - wall) * 1000 + 5);
        time_t tick_change = clock_plausible(wall) ? deck_ticker_next_change(a->feed, wall) : 0;
        if (tick_change > wall) at_most(&timeout, (long long)(tick_change - wall) * 1000 + 5);
    }
    /* The watchdog hears from this loop only while it turns. */
    int wd = service_watchdog_ms();
    if (wd) at_most(&timeout, wd);
    at_most(&timeout, panel_wait_ms(a->panel)); /* a CEC adapter that hangs gives way to DPMS */
    return timeout;
}

/* The USB worker's news: a new picture set and/or a message for the screen. */
static void loop_media_news(struct app *a, struct loop *l) {
    struct usb_news news;
    struct media_set *pics = usb_watch_take(a->usb, &news);
    if (pics) {
        l->animating = false;
        l->index = adopt(a, NULL, NULL, pics, l->index);
    }
    if (news.toast[0]) {
        snprintf(a->toast, sizeof a->toast, "%s", news.toast);
        a->toast_ok = news.toast_ok;
        a->toast_until = SDL_GetTicks64() + TOAST_MS;
        char line[sizeof a->toast];
        size_t k = 0;
        for (const char *c = a->toast; *c; c++)
            if (*c != '\n') line[k++] = *c;
        line[k] = '\0';
        LOG(LOG_INFO, "on screen: %s", line);
    }
    if (a->updater) updater_set_media(a->updater, a->local->n, news.status);
}

static void loop_handle(struct app *a, struct loop *l, const SDL_Event *ev) {
    if (ev->type == SDL_QUIT) {
        LOG(LOG_INFO, "stopping (%s)", ev->user.code == SIGINT ? "SIGINT" : "SIGTERM");
        l->running = false;
        return;
    }
    if (ev->type == SDL_WINDOWEVENT) {
        Uint8 e = ev->window.event;
        if (e == SDL_WINDOWEVENT_SIZE_CHANGED || e == SDL_WINDOWEVENT_EXPOSED || e == SDL_WINDOWEVENT_SHOWN)
            l->dirty = true;
    } else if (ev->type == SDL_RENDER_TARGETS_RESET || ev->type == SDL_RENDER_DEVICE_RESET) {
        render_flush_textures(a->render);
        loader_flush(a->pictures);
        transition_free(&l->tr);
        l->animating = false;
        l->dirty = true;
    } else if (ev->type == a->ev_signal) {
        if (ev->user.code == SIGHUP) {
            app_reload(a);
            l->animating = false;
            l->index = adopt(a, NULL, NULL, NULL, l->index);
            l->dirty = true;
        } else if (ev->user.code == SIGUSR1) {
            LOG(LOG_INFO, "SIGUSR1: saving a screenshot");
            a->shot_pending = l->dirty = true;
        } else if (ev->user.code == SIGUSR2) { /* misato-signage --panel */
            if (panel_take_request(a->panel, a->cfg.state_dir)) l->dirty = true;
            if (a->updater) updater_status_soon(a->updater);
        } else {
            LOG(LOG_INFO, "signal %d: nothing to do for it", ev->user.code);
        }
    } else if (ev->type == a->ev_image) {
        loader_arrived(a->pictures);
        l->dirty = true;
    } else if (ev->type == a->ev_media && a->usb) {
        loop_media_news(a, l);
        l->dirty = true;
    } else if (ev->type == a->ev_feed && a->updater) {
        struct cache_media *fm = NULL;
        struct feed *f = updater_take(a->updater, &fm);
        if (f) {
            l->animating = false;
            l->index = adopt(a, f, fm, NULL, l->index);
            loop_note_showing(a, l, true);
        }
        l->dirty = true; /* the footer may change: saved data shown or not */
    }
}

/* The slide's time is up: the next one, through a transition when there
 * is one (both slides drawn completely before it starts). */
static void loop_advance(struct app *a, struct loop *l) {
    Uint64 now = SDL_GetTicks64();
    if (l->alert_on || l->animating || l->screen_off || now < l->slide_end || a->deck.n == 0) return;
    size_t next = (l->index + 1) % a->deck.n;
    SDL_Renderer *r = a->disp.renderer;
    if (a->cfg.transition != CONFIG_TRANSITION_NONE && next != l->index && transition_targets(&l->tr, r)) {
        struct render_frame f;
        if (l->dirty) { /* the current one too, if it is out of date */
            app_frame_for(a, l->index, &f);
            transition_draw(&l->tr, r, a->render, false, &f);
            l->dirty = false;
        }
        app_frame_for(a, next, &f);
        transition_draw(&l->tr, r, a->render, true, &f);
        l->next_index = next;
        l->animating = true;
        l->anim_start = l->last_frame = SDL_GetTicks64();
    } else {
        l->index = next;
        l->slide_end = now + slide_ms(a, l->index);
        l->dirty = true;
        loop_note_showing(a, l, false);
    }
}

/* Everything the loop needs that display mode adds to app_load: the
 * display, fonts, the events the workers post, and the worker threads. */
static int app_start(struct app *a, const struct app_options *opt) {
    int rc = app_load(a, opt);
    if (rc != APP_EXIT_OK || start_stopped(a)) return rc;
    a->disp.choice = a->cfg.renderer;
    enum display_status ds = display_open(&a->disp, opt->windowed, opt->width, opt->height);
    if (start_stopped(a)) return APP_EXIT_OK;
    if (ds != DISPLAY_OK) return ds == DISPLAY_NONE ? APP_EXIT_NO_DISPLAY : APP_EXIT_ERROR;
    if (a->disp.stopped) return APP_EXIT_OK; /* stopped: SIGTERM while waiting for a display */
    metrics_note_presentation(a->disp.path, a->disp.renderer_name, a->disp.cpu_draws);
    if (TTF_Init() != 0) {
        LOG(LOG_ERROR, "SDL_ttf: %s", TTF_GetError());
        return APP_EXIT_ERROR;
    }
    layout_init();
    a->render = render_new(a->disp.renderer, a->font_path[0], a->font_path[1]);
    if (a->render == NULL) return APP_EXIT_ERROR;
    if (start_stopped(a)) return APP_EXIT_OK;
    a->ev_signal = SDL_RegisterEvents(5);
    a->ev_feed = a->ev_signal + 1;
    a->ev_image = a->ev_signal + 2;
    a->ev_media = a->ev_signal + 3;
    a->ev_panel = a->ev_signal + 4; /* only wakes the loop: loop_update takes the answer */
    if (a->ev_signal == (Uint32)-1) {
        LOG(LOG_ERROR, "SDL: %s", SDL_GetError());
        return APP_EXIT_ERROR;
    }
    a->panel = panel_open(a->cfg.panel_power, a->cfg.cec_device, a->disp.window, display_drm_fd(&a->disp));
    panel_set_wake(a->panel, on_panel_news, a);
    char metrics_path[PATH_MAX + 32];
    snprintf(metrics_path, sizeof metrics_path, "%s/%s", a->cfg.state_dir, METRICS_FILE);
    if (a->cfg.metrics_file[0]) snprintf(metrics_path, sizeof metrics_path, "%s", a->cfg.metrics_file);
    metrics_start(strcmp(metrics_path, "none") ? metrics_path : NULL, a->cfg.metrics_seconds, a->cfg.town_name);
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->disp.renderer, &w, &h);
    a->pictures = loader_start(a->disp.renderer, w, h, on_picture, a);
    return APP_EXIT_OK;
}

/* The feed and USB workers, once the first frame is on screen: nothing the
 * first frame does not need competes with it for the CPU. */
static void app_start_workers(struct app *a, size_t index) {
    /* libcurl is loaded by the first fetch (fetch.c): never without a feed_url. */
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(a->disp.renderer, &w, &h);
    a->updater = updater_start(&a->cfg, a->feed, a->source, index < a->deck.n ? a->deck.slides[index].id : "",
                               a->deck.n, on_worker_news, a);
    a->usb = usb_watch_start(&a->cfg, w, h, a->media_stamp, on_usb_news, a);
    if (a->updater) updater_set_media(a->updater, a->local->n, NULL);
}

static void app_stop(struct app *a) {
    atomic_store(&a->start_left, true); /* a stop during the start-up waits no longer */
    metrics_stop();
    panel_free(a->panel);
    a->panel = NULL;
    usb_watch_stop(a->usb);
    a->usb = NULL;
    updater_stop(a->updater);
    a->updater = NULL;
    loader_stop(a->pictures);
    a->pictures = NULL;
    if (a->sig_thread_started) {
        atomic_store(&a->stopping, true);
        pthread_kill(a->sig_thread, SIGTERM);
        pthread_join(a->sig_thread, NULL);
    }
    render_free(a->render);
    display_close(&a->disp);
    if (TTF_WasInit()) TTF_Quit();
    /* Every way out of here is a clean exit (a crash never gets here). */
    guard_clean_exit();
    app_unload(a);
    SDL_Quit();
}

int app_run(const struct app_options *opt) {
    struct app a = {0};
    /* Block the handled signals before any thread exists (SDL starts some),
     * so that only the signal thread receives them. */
    sigset_t set = app_handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    service_init();
    a.guarded = true;
    a.main_thread = pthread_self();
    pthread_mutex_init(&a.sig_mu, NULL);
    if (pthread_create(&a.sig_thread, NULL, signal_thread, &a) != 0) {
        LOG(LOG_ERROR, "cannot start the signal thread");
        return APP_EXIT_ERROR;
    }
    a.sig_thread_started = true;
    int rc = app_start(&a, opt);
    if (rc == APP_EXIT_OK && !a.disp.stopped && start_running(&a)) {
        struct loop l = {.running = true, .dirty = true, .first = true};
        l.slide_end = SDL_GetTicks64() + slide_ms(&a, 0);
        l.ticker_t0 = SDL_GetTicks64();
        if (a.disp.software) {
            /* The window's surface, or the KMS dumb buffer's shadow (display_send). */
            transition_software(&l.tr, a.disp.window, a.disp.window ? NULL : display_screen(&a.disp));
            if (!a.disp.window) transition_send_to(&l.tr, display_send, &a.disp);
        } else if (a.disp.gl_copy_sub) {
            transition_gl_partial(&l.tr, display_gl_copy, &a.disp);
        }
        while (l.running) {
            loop_update(&a, &l);
            loop_draw(&a, &l);
            service_alive();
            metrics_note_frames(l.frames, !l.screen_off);
            SDL_Event ev;
            bool got = display_wait_event(&a.disp, &ev, loop_deadline(&a, &l));
            for (; got; got = SDL_PollEvent(&ev) == 1) loop_handle(&a, &l, &ev);
            loop_advance(&a, &l);
        }
        transition_free(&l.tr);
        screenshot_finish(&l.shot);
        service_stopping();
        LOG(LOG_INFO, "%lu frames drawn", l.frames);
    }
    app_stop(&a);
    return rc;
}
