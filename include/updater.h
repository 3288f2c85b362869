/* updater: the worker thread that keeps the feed current. It polls the
 * feed URL (with jitter, conditional GET, backoff and Retry-After),
 * validates what arrives, stores good feeds in the cache, hands each new
 * model to the main thread through a one-slot mailbox, and writes the status
 * file for IT. The main thread never waits for it. */
#ifndef MISATO_UPDATER_H
#define MISATO_UPDATER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "feed.h"

struct cache_media;
struct config;

/* Loads the feed to start with: the cache (feed.json, else feed.prev.json)
 * if it validates, else the embedded plan. Never returns NULL. */
struct feed *updater_load_initial(const char *cache_dir, enum feed_source *source);

/* Called on the worker thread after a new feed was put in the mailbox (or
 * the state changed); must be thread-safe (e.g. SDL_PushEvent). */
typedef void (*updater_notify_fn)(void *ctx);

struct updater;

/* Starts the worker. cfg is copied. The initial feed's facts (source,
 * version) and the first slide on screen go into the status file; the feed
 * itself stays the caller's. */
struct updater *updater_start(const struct config *cfg, const struct feed *initial,
                              enum feed_source source, const char *first_slide,
                              size_t slide_count, updater_notify_fn notify, void *ctx);

/* Stops and joins the worker within the current transfer's timeouts
 * (libcurl is not interrupted mid-transfer); frees everything. NULL is a
 * no-op. */
void updater_stop(struct updater *u);

/* Main thread: takes the newest feed handed over, or NULL, and in *media
 * where the cache holds its media files (NULL with it). The caller owns
 * both (feed_free, cache_media_free). */
struct feed *updater_take(struct updater *u, struct cache_media **media);

/* New settings (SIGHUP): cfg is copied; the worker takes them before its
 * next fetch, which it makes now. */
void updater_reconfigure(struct updater *u, const struct config *cfg);

/* Asks for a fetch now (SIGHUP). */
void updater_refetch(struct updater *u);

/* Main thread: what is on screen, for the status file. With write_now the
 * worker rewrites the file now (a new feed, an alert, display hours);
 * otherwise (the next slide) within 5 s, and at most once per 5 s. */
void updater_set_showing(struct updater *u, const char *slide_id, size_t index, size_t count,
                         bool write_now);

/* Main thread: how many of media_dir's pictures are in the deck and, when
 * not NULL or empty, a line on the latest import; the status file is
 * rewritten soon. */
void updater_set_media(struct updater *u, size_t pictures, const char *last_import);

/* Seconds from an attempt to the next (pure; the worker's schedule): the
 * poll interval after a success (failures 0), after failures an exponential
 * backoff from half of it (poll/2, poll, 2 poll...) capped at 15 minutes or
 * the poll interval if longer, then times 0.8 + 0.4 * jitter (jitter in
 * [0, 1): +/-20% so that a town's screens, all booted by the same power
 * cut, spread out), never sooner than retry_after (seconds, -1: none) but
 * up to 20% after it (a town's screens told the same Retry-After spread), and
 * never under 1 s. */
double updater_backoff(double poll, int failures, long retry_after, double jitter);

/* Main thread: something else the status file shows changed (the panel,
 * misato-signage --panel); the file is rewritten soon. */
void updater_status_soon(struct updater *u);

/* A snapshot of what the screen should say about its data. */
struct updater_state {
    bool polling;           /* a feed URL is configured */
    bool stale;             /* the latest fetches failed: saved data is shown */
    int failures;           /* consecutive failed attempts */
    bool has_clock_hint;    /* the system clock looked wrong and a server's Date helped */
    time_t clock_offset;    /* add to time(NULL) when has_clock_hint */
};
void updater_get_state(struct updater *u, struct updater_state *out);




#endif
