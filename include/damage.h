/* damage: the rectangles of the screen that changed since the last present,
 * so that a path that can update part of the screen (SDL's software
 * renderer on the window surface: SDL_UpdateWindowSurfaceRects) sends only
 * those. A small fixed set: rectangles that touch or overlap are merged, and
 * past DAMAGE_MAX they fold into their bounding box, so the set never grows
 * and never misses a pixel. */
#ifndef MISATO_DAMAGE_H
#define MISATO_DAMAGE_H

#include <stdbool.h>

#include <SDL.h>

#define DAMAGE_MAX 72 /* a crossfade's rectangles (TRANSITION_FADE_MAX), the ticker, the header */

struct damage {
    int w, h;              /* the screen: every rectangle is clipped to it */
    int n;
    SDL_Rect r[DAMAGE_MAX];
};

/* Empties the set for a w x h screen. */
void damage_reset(struct damage *d, int w, int h);
/* Adds a rectangle (clipped; empty ones are ignored). */
void damage_add(struct damage *d, SDL_Rect r);
/* The whole screen. */
void damage_all(struct damage *d);
/* Rows [y0, y1) across the whole width. */
void damage_rows(struct damage *d, int y0, int y1);
/* True when the set covers the whole screen (one rectangle). */
bool damage_is_all(const struct damage *d);
/* Pixels in the set (the rectangles never overlap). */
long damage_area(const struct damage *d);

/* Fewer, larger rectangles for a path where each rectangle sent costs a
 * round trip (glXCopySubBufferMESA: a flush, an XShmPutImage and an
 * XSync): the pair whose bounding box adds the fewest pixels is merged,
 * again and again, while there are more than max or that box adds at most
 * slack pixels. The result covers every pixel of r[0..n) (and may overlap);
 * returns its count, written to r. */
int damage_coarsen(SDL_Rect *r, int n, int max, long slack);

#endif
