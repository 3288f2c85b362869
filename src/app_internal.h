/* app_internal: what the running player (app.c) and the headless preview
 * (preview.c) share: the loaded settings, feed, deck and fonts, and the
 * frame description of a slide. Not a public interface. */
#ifndef MISATO_APP_INTERNAL_H
#define MISATO_APP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "deck.h"
#include "display.h"
#include "feed.h"
#include "file.h"
#include "picture_loader.h"
#include "render.h"
#include "updater.h"

struct cache_media;
struct media_set;
struct panel;
struct usb_watch;
struct updater;

/* Where the running player is, as its signal thread sees it. */
enum app_phase { APP_PHASE_STARTING, APP_PHASE_RUNNING, APP_PHASE_STOPPED };

/* Everything the running player holds. */
struct app {
    bool guarded;            /* the running player: the poison guard looks first (guard.h) */
    struct config cfg;
    const char *cfg_path;    /* the settings file read (for SIGHUP), or NULL */
    const char *cli_feed_url;/* --feed URL, which wins over feed_url on reload too */
    bool shot_pending;       /* SIGUSR1: save the next frame drawn */
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
    struct cache_media *feed_media; /* owned: where the cache holds feed's media, or NULL */
    struct media_set *local; /* owned: media_dir's pictures */
    struct deck_pictures pics; /* feed_media and local, as the deck and the frames take them */
    struct usb_watch *usb;   /* the USB / media_dir worker (display mode only) */
    Uint32 ev_media;         /* SDL_RegisterEvents: the USB worker has news */
    unsigned long long media_stamp; /* media_dir_stamp() when local was read */
    char toast[512];         /* a message over the slides (an import's result) */
    bool toast_ok;           /* good news (green) or a problem (amber) */
    Uint64 toast_until;      /* SDL ticks; 0: no toast */
    const char *ticker[FEED_MAX_TICKER]; /* the ticker lines of the last frame */
    struct picture_loader *pictures; /* display mode only (the preview decodes in place) */
    Uint32 ev_image;         /* SDL_RegisterEvents: a picture was decoded */
    time_t clock_offset;     /* --at: shown time = now + offset */
    time_t frozen_at;        /* --render: the one moment every slide shows (0: the clock runs) */
    char *font_path[2];      /* owned: regular, bold */
    struct display disp;     /* window, renderer, wake-up (display mode only) */
    struct render *render;
    struct panel *panel;     /* the panel's power (display mode only) */
    Uint32 ev_panel;         /* SDL_RegisterEvents: the panel worker has an answer */
    Uint32 ev_signal;        /* SDL_RegisterEvents: a signal arrived (code = signo) */
    /* signal thread */
    pthread_t sig_thread;
    bool sig_thread_started;
    atomic_bool stopping;    /* set by the signal thread or app_run's end, read by the signal thread */
    pthread_t main_thread;
    atomic_int phase;        /* enum app_phase: the signal thread and the start-up agree on a stop */
    atomic_bool start_left;  /* the main thread is past the start-up (or leaving it) */
    pthread_mutex_t sig_mu;  /* guards sig_pending against the start of the loop */
    unsigned sig_pending;    /* 1 << signo of the signals that came during the start-up */
};

/* Loads settings, the feed (the file given, else the cache, else the
 * embedded plan), the deck and the fonts. Returns an app_exit code. */
int app_load(struct app *a, const struct app_options *opt);
void app_unload(struct app *a);

/* The time to show and schedule by (--at and a server's clock hint). */
time_t app_now(const struct app *a);

/* What slide `index` looks like now. */
void app_frame_for(struct app *a, size_t index, struct render_frame *f);

/* Why a feed file cannot be read, in words for staff (cmd_validate.c). */
const char *app_feed_unreadable(const char *path, enum file_status us, char *buf, size_t size);

#endif
