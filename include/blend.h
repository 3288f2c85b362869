/* blend: the pixel work of a crossfade on the software path, done only over
 * the rows that differ between the two slides, with SSE2 (x86-64) or NEON
 * (arm64) where SDL's own blitter has no SIMD for a per-surface alpha. The
 * plain C version gives the same bytes, so every machine shows the same
 * frame. Surfaces are 32-bit, of one format and one size; not locked (the
 * caller's surfaces need no locking: SDL_MUSTLOCK is false for them). */
#ifndef MISATO_BLEND_H
#define MISATO_BLEND_H

#include <stdbool.h>

#include <SDL.h>

/* dst = a + (b - a) * alpha / 255 per byte, rounded to nearest, for rows
 * [y0, y1) (clipped to the surfaces). alpha 0 gives a, 255 gives b exactly,
 * and where a and b are equal the result is that value at every alpha: so
 * blending only the rows that differ equals blending the whole frame.
 * Returns false (nothing written) if the surfaces do not match. */
bool blend_rows(SDL_Surface *dst, const SDL_Surface *a, const SDL_Surface *b, int y0, int y1,
                Uint8 alpha);

/* The same over the rectangle r only (clipped to the surfaces). */
bool blend_rect(SDL_Surface *dst, const SDL_Surface *a, const SDL_Surface *b, SDL_Rect r, Uint8 alpha);

/* The same with the portable C code, whatever the machine has (tests). */
bool blend_rows_c(SDL_Surface *dst, const SDL_Surface *a, const SDL_Surface *b, int y0, int y1,
                  Uint8 alpha);

/* Which rows blend_rows uses: "sse2", "neon" or "c" (no SIMD). */
const char *blend_simd(void);

/* The band of rows where a and b differ: [*y0, *y1). Returns false (and an
 * empty band) when they are identical or do not match in size/format. */
bool blend_diff_rows(const SDL_Surface *a, const SDL_Surface *b, int *y0, int *y1);

/* Where a and b differ within rows [y0, y1), as at most max rectangles
 * that do not overlap and cover every differing pixel (tiles of 64 x 16
 * pixels, or wider ones when the shapes would take more than max; the
 * whole rows as a last resort). Returns how many were written to out: 0
 * when nothing differs there (or the surfaces do not match). */
int blend_diff_rects(const SDL_Surface *a, const SDL_Surface *b, int y0, int y1, SDL_Rect *out, int max);

#endif
