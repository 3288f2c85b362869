/* render: draws slides with an SDL_Renderer. Main thread only. Text is
 * rasterised once with SDL_ttf into textures kept in a bounded cache and
 * reused across frames; layout is relative to the output size. */
#ifndef MISATO_RENDER_H
#define MISATO_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <SDL.h>

#include "chart.h"

struct feed;
struct feed_alert;
struct deck;
struct deck_pictures;

struct render;

/* What one frame shows. Nothing here is retained after render_draw(). */
struct render_frame {
    const char *town_name;     /* header, UTF-8 */
    struct tm now;             /* local time shown in the header */
    const struct feed *feed;   /* the model */
    const struct deck *deck;   /* the slides */
    const struct deck_pictures *pictures; /* the slides' picture files (captions), or NULL */
    size_t index;              /* which slide of the deck */
    bool stale;                /* recent fetches failed: say saved data is shown */
    const struct feed_alert *alert; /* non-NULL: the alert takes the screen */
    const char *const *ticker; /* lines for the ticker strip, or NULL */
    size_t n_ticker;
    SDL_Texture *image;        /* the slide's picture (image slide, announcement), or NULL
                                  while it is still being decoded */
    bool image_fill;           /* fill the area (cropping) instead of fitting in it */
    bool image_missing;        /* the picture is not on disk or could not be decoded */
};

/* Creates a renderer state drawing through `sdl` (not owned) with the two
 * font files. Returns NULL (logged) if a font cannot be opened. */
struct render *render_new(SDL_Renderer *sdl, const char *regular_font, const char *bold_font);
void render_free(struct render *r); /* NULL is a no-op */

/* Draws the whole frame at the renderer's output size. Does not present. */
void render_draw(struct render *r, const struct render_frame *frame);

/* Draws one line of dark text with its top-left at x, y (contact sheets). */
void render_label(struct render *r, const char *text, int px, bool bold, int x, int y);

/* Draws the ticker strip of the frame (a no-op without ticker lines) with
 * its text moved left by `offset` pixels, wrapping round; render_draw leaves
 * the strip's place empty so that a drawn slide can be reused while only
 * the strip moves. Returns the width of one full cycle in pixels (0 when
 * there is no ticker), for the caller's modulo. */
int render_ticker(struct render *r, const struct render_frame *frame, double offset);

/* The part of a w x h frame between the header and the footer (and the
 * ticker strip when ticker is true): what a push transition moves. Pure:
 * the geometry render_draw draws the frame with, row for row. */
SDL_Rect render_body_rect(int w, int h, bool ticker);

/* The header band of a w x h frame (town name, date, clock), and drawing
 * only it, as render_draw would (not for an alert, which has none): the
 * minute's new clock without redrawing the slide. */
SDL_Rect render_header_rect(int w, int h);
void render_header(struct render *r, const struct render_frame *frame);

/* The ticker's strip in a w x h frame: every pixel render_ticker draws. */
SDL_Rect render_ticker_rect(int w, int h);

/* Draws a message over the bottom of the slide (above the footer): green
 * for news (ok), amber for a problem. */
void render_toast(struct render *r, const char *msg, bool ok);

/* Scrolling speed of the ticker in pixels per second at this output size. */
double render_ticker_speed(struct render *r);

/* Drops every cached texture (after SDL_RENDER_TARGETS_RESET and the like). */
void render_flush_textures(struct render *r);

/* The theme's text colours with the background each is drawn on, for the
 * contrast test (WCAG 2 asks 4.5:1 for body text). Returns the count
 * written (at most max). */
struct render_colour_pair {
    const char *what;
    unsigned char fg[3], bg[3];
};
size_t render_colour_pairs(struct render_colour_pair *out, size_t max);

/* Number of text textures made so far and cached now: for tests and
 * benchmarks that check text is not rasterised twice. */
void render_text_stats(const struct render *r, size_t *made, size_t *cached);

/* For tests: a record of every text a frame draws. Each piece of text
 * drawn is one record; a block fitted to lines gives one record per line,
 * each carrying the whole string it was asked to show and whether that
 * was cut with "…". Texts that do not fit the record are truncated. */
struct render_text_record {
    char text[256];    /* what this record drew */
    char source[1024]; /* the whole string it came from */
    bool cut;          /* the source ended in "…" instead of showing whole */
    int px;
    bool bold;
    float x, y, w, h;  /* the texture's box on screen */
};
struct render_trace {
    struct render_text_record *recs; /* caller's array of max records */
    size_t max, n;                   /* n may exceed max: the rest were not kept */
    bool has_chart;                  /* a KPI chart was drawn: its layout and box */
    struct chart_layout chart;
    struct chart_box chart_box;
};
/* Starts (t non-NULL, n reset to 0, has_chart false) or stops (NULL) recording. */
void render_set_trace(struct render *r, struct render_trace *t);

#endif
