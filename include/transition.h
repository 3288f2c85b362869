/* transition: the slide on screen and the next one pre-rendered into two
 * render-target textures, and the frames between them (crossfade, push).
 * Main thread only.
 *
 * On the software path (SDL's software renderer on the window surface) the
 * two slides are surfaces instead, the screen is the window surface itself,
 * and the module keeps the damage: which rectangles changed since the last
 * present, so that transition_present() sends only those
 * (SDL_UpdateWindowSurfaceRects). A crossfade blends only the rows where the
 * two slides differ (the header and the rest of the frame stay), a still
 * frame with a moving ticker updates only the ticker's strip. */
#ifndef MISATO_TRANSITION_H
#define MISATO_TRANSITION_H

#include <stdbool.h>

#include <SDL.h>

#include "damage.h"
#include "render.h"

/* Rectangles a crossfade blends at most (the rest of the screen stays). */
#define TRANSITION_FADE_MAX 64

struct transition {
    SDL_Texture *cur, *next; /* the slide on screen, and the one coming */
    int w, h;
    bool unsupported;        /* no render targets: slides change without transitions */
    /* The software path (transition_software). */
    bool software;
    SDL_Window *window;      /* presents with SDL_UpdateWindowSurfaceRects; NULL: screen below */
    SDL_Surface *screen;     /* the screen when there is no window (not owned): tests, KMS */
    void (*send)(void *ctx, const SDL_Rect *r, int n); /* presents screen's damage; NULL: none */
    void *send_ctx;
    SDL_Surface *scur, *snext; /* owned: the slides, in the screen's format */
    int band_y0, band_y1;    /* rows where the two slides differ */
    SDL_Rect fade[TRANSITION_FADE_MAX]; /* where within them (blend_diff_rects) */
    int n_fade;
    bool fading;             /* the band may differ from scur until the next cut */
    int stale_y0, stale_y1;  /* rows where the screen may differ from scur */
    struct damage damage;    /* changed since the last present */
    /* The GL path where GL is the CPU (transition_gl_partial). */
    void (*gl_copy)(void *ctx, const SDL_Rect *r, int n); /* sends rectangles; NULL: none */
    void *gl_copy_ctx;
    bool gl_clipped;         /* this frame is clipped to gl_send[0] (transition_clip) */
    SDL_Rect gl_send[TRANSITION_FADE_MAX + 2]; /* what this frame sends instead of a swap */
    int gl_n_send;           /* 0: the frame is swapped whole */
    bool gl_fade;            /* the crossfade's rectangles (fade, n_fade) are known */
    int gl_fade_frames;      /* frames of it sent so far (the first is drawn whole) */
    /* During such a crossfade: the two slides read back, and its frame
     * blended on the CPU (blend.c) into gmix, uploaded to gtex where the
     * slides differ; gtex and ga are kept, gb and gmix live for one
     * crossfade. */
    SDL_Surface *ga, *gb, *gmix;
    SDL_Texture *gtex;
    bool ga_is_cur;          /* ga holds the current slide (kept between crossfades) */
};

/* Turns on the software path: the renderer draws on the window surface of
 * `window` (or on `screen` when window is NULL: tests). */
void transition_software(struct transition *t, SDL_Window *window, SDL_Surface *screen);

/* With no window: how a present sends the damaged rectangles of `screen`
 * to the display (display_send, a KMS dumb buffer). */
void transition_send_to(struct transition *t, void (*send)(void *ctx, const SDL_Rect *r, int n), void *ctx);

/* The GL path only: copy sends rectangles of what was drawn to the window
 * and keeps the rest (display_gl_copy), so that transition_clip can make a
 * frame draw and send one rectangle. */
void transition_gl_partial(struct transition *t, void (*copy)(void *ctx, const SDL_Rect *r, int n), void *ctx);
/* This frame changes only r (the ticker strip) of the last one on screen:
 * on the GL path with transition_gl_partial, everything drawn until the
 * present is clipped to r and only r is sent; returns false (the frame is
 * drawn and sent whole) elsewhere. The software path needs no telling: it
 * keeps its own damage. */
bool transition_clip(struct transition *t, SDL_Renderer *r, const SDL_Rect *rect);
/* Something was drawn over the screen after transition_compose (the ticker
 * strip, a toast): r is where; NULL: anywhere. A no-op off the software
 * path. */
void transition_overlay(struct transition *t, const SDL_Rect *r);

/* The software path only: draws frame f's header (the clock) over the
 * screen and the current slide, damaging only the header. Returns false
 * (nothing drawn) off the software path: draw the whole slide then. */
bool transition_header(struct transition *t, SDL_Renderer *r, struct render *rd, const struct render_frame *f);

/* Presents the frame: the damage on the software path (nothing at all when
 * nothing changed), else SDL_RenderPresent. Returns the pixels sent. */
long transition_present(struct transition *t, SDL_Renderer *r);

/* Makes sure both textures exist at the renderer's output size; false when
 * render targets cannot be had (then slides are drawn straight to the
 * screen). */
bool transition_targets(struct transition *t, SDL_Renderer *r);

/* Draws frame f into the current (next=false) or the next texture. */
void transition_draw(struct transition *t, SDL_Renderer *r, struct render *rd, bool next,
                     const struct render_frame *f);

/* Composes on the screen the current slide (p < 0) or the transition of
 * `kind` (enum config_transition) at progress p in [0, 1); the caller
 * presents. ticker: the frame has a ticker strip (the body is shorter). */
void transition_compose(struct transition *t, SDL_Renderer *r, float p, int kind, bool ticker);

/* The next slide becomes the current one. */
void transition_swap(struct transition *t);

/* Frees the textures (they are made again when next asked for). */
void transition_free(struct transition *t);

#endif
