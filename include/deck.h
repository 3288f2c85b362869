/* deck: decides which slides to show, in which order and for how long, and
 * whether an urgent alert takes the screen, from the feed model, the
 * settings and the clock. Pure: no I/O, no SDL. */
#ifndef MISATO_DECK_H
#define MISATO_DECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct cache_media;
struct feed;
struct feed_alert;
struct media_set;

enum slide_kind {
    SLIDE_SUMMARY,      /* the headline numbers side by side */
    SLIDE_KPI,          /* one measure's target vs actual, with a chart */
    SLIDE_ANNOUNCEMENT, /* title, body, optional image and QR code */
    SLIDE_ROADMAP,      /* one field's measures on the R6..R11 timeline (item = field) */
    SLIDE_DETAIL,       /* a measure without numbers: what it does, this year's plan */
    SLIDE_IMAGE,        /* a picture from the feed's media (item = media index) */
    SLIDE_LOCAL_IMAGE,  /* a picture of media_dir (item = index in the picture set) */
};

struct slide {
    enum slide_kind kind;
    char id[40];  /* stable, file-name safe: "kpi-1-1", "news-0", "summary" */
    size_t item;  /* index into feed->measures, ->announcements, ->media or the picture set */
    int seconds;  /* how long it stays */
};

#define DECK_MAX_SLIDES 256
#define DECK_MAX_HEADLINES 6

struct deck {
    struct slide slides[DECK_MAX_SLIDES];
    size_t n;
};

/* The picture files slides can show, kept beside the feed (which stays as
 * parsed): where the cache holds the feed's media, and media_dir's own set.
 * Either may be NULL (none); neither is owned. */
struct deck_pictures {
    const struct cache_media *feed; /* for feed->media[]: from cache_media_find */
    const struct media_set *local;  /* media_dir's pictures: from media_set_load */
};

/* Fills *deck for the moment `now` (local time): the summary, a KPI slide
 * for every measure with numbers (by field: 住民DX, 庁内DX, 地域DX, then
 * feed order), the announcements valid now (high priority first), the
 * feed's pictures that are on disk and that no announcement shows, then
 * media_dir's ("image-local-1"...), the roadmap, then a detail slide for
 * every measure without numbers. pics may be NULL (no pictures).
 * slide_seconds is the default duration. With clock_ok false (a Pi whose
 * clock is not set yet) validity dates are not applied: nothing is hidden
 * or expired by a wrong clock. */
void deck_build(const struct feed *feed, const struct deck_pictures *pics, int slide_seconds,
                time_t now, bool clock_ok, struct deck *deck);

/* The measures the summary shows (indexes into feed->measures): those the
 * feed marks "headline", else every measure with an actual and a target for
 * the same year; at most DECK_MAX_HEADLINES. Returns the count. */
size_t deck_headlines(const struct feed *feed, size_t out[DECK_MAX_HEADLINES]);

/* The alert that should take the screen now, or NULL. */
const struct feed_alert *deck_alert(const struct feed *feed, time_t now, bool clock_ok);

/* When the screen is on: a daily window, the days of the week, and dates
 * off (holidays). */
#define DECK_MAX_HOLIDAYS 128
struct deck_hours {
    int start_min, end_min;   /* minutes after midnight; 0 and 1440: all day */
    unsigned days;            /* bit 0 Sunday .. bit 6 Saturday */
    int n_holidays;
    int holidays[DECK_MAX_HOLIDAYS]; /* yyyymmdd */
};

/* Every day, all day. */
void deck_hours_always(struct deck_hours *h);

/* True when the screen should show slides at `now`; *next_change (if not
 * NULL) receives the next moment that may change the answer. With clock_ok
 * false the screen is always on: no schedule runs on a wrong clock. */
bool deck_screen_on(const struct deck_hours *h, time_t now, bool clock_ok, time_t *next_change);

/* The ticker lines valid now, in feed order, as pointers into the feed;
 * returns the count (at most max). With clock_ok false, all of them. */
size_t deck_ticker(const struct feed *feed, time_t now, bool clock_ok, const char **lines, size_t max);

/* The next moment after now at which a ticker line starts or stops being
 * valid; 0 when none will. */
time_t deck_ticker_next_change(const struct feed *feed, time_t now);

/* Index of the slide with this id, or -1. */
int deck_find(const struct deck *deck, const char *id);

/* The picture file a slide shows (an image slide, an announcement's
 * picture), or NULL; the player and the studio's preview both ask here. */
const char *deck_slide_picture(const struct feed *feed, const struct deck_pictures *pics,
                               const struct slide *s);

/* An image slide's caption, or NULL (none, or not an image slide). */
const char *deck_slide_caption(const struct feed *feed, const struct deck_pictures *pics,
                               const struct slide *s);

#endif
