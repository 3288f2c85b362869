/* deck: decides which slides to show, in which order and for how long, from
 * the feed model, the settings and the clock. Pure: no I/O, no SDL. */
#ifndef MISATO_DECK_H
#define MISATO_DECK_H

#include <stddef.h>
#include <time.h>

struct feed;

enum slide_kind {
    SLIDE_KPI, /* one measure's target vs actual, with a chart */
};

struct slide {
    enum slide_kind kind;
    char id[40];          /* stable, file-name safe: "kpi-1-1" */
    size_t measure;       /* index into feed->measures */
    int seconds;          /* how long it stays */
};

#define DECK_MAX_SLIDES 256

struct deck {
    struct slide slides[DECK_MAX_SLIDES];
    size_t n;
};

/* Fills *deck for the moment `now` (local time): a KPI slide for every
 * measure with a numeric target or actual, by field (住民DX, 庁内DX, 地域DX)
 * and then in the feed's order. slide_seconds is the default duration. */
void deck_build(const struct feed *feed, int slide_seconds, time_t now, struct deck *deck);

/* Index of the slide with this id, or -1. */
int deck_find(const struct deck *deck, const char *id);

#endif
