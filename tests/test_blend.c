/* Unit tests for blend (the software path's crossfade) and damage (the
 * changed rectangles). */
#include <stdlib.h>
#include <string.h>

#include "blend.h"
#include "check.h"
#include "damage.h"

static SDL_Surface *surface(int w, int h, unsigned seed) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    srand(seed);
    Uint8 *p = s->pixels;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < s->pitch; x++) p[y * s->pitch + x] = (Uint8)(rand() & 255);
    return s;
}

/* Every pair of byte values at every alpha: the rounded lerp, exactly. */
static void blend_should_round_every_value_at_every_alpha(void) {
    SDL_Surface *a = SDL_CreateRGBSurfaceWithFormat(0, 256, 256, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Surface *b = SDL_CreateRGBSurfaceWithFormat(0, 256, 256, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, 256, 256, 32, SDL_PIXELFORMAT_RGB888);
    for (int y = 0; y < 256; y++)
        for (int x = 0; x < 256; x++)
            for (int k = 0; k < 4; k++) {
                ((Uint8 *)a->pixels)[y * a->pitch + x * 4 + k] = (Uint8)y;
                ((Uint8 *)b->pixels)[y * b->pitch + x * 4 + k] = (Uint8)x;
            }
    int bad = 0;
    for (int al = 0; al < 256; al += 1) {
        CHECK(blend_rows(d, a, b, 0, 256, (Uint8)al));
        for (int y = 0; y < 256 && bad < 5; y++)
            for (int x = 0; x < 256; x++) {
                double want = y + (x - y) * al / 255.0;
                int got = ((Uint8 *)d->pixels)[y * d->pitch + x * 4 + 1];
                if (abs(got - (int)(want + 0.5)) > 0 && fabs(got - want) > 0.5 + 1e-9) {
                    fprintf(stderr, "a=%d b=%d alpha=%d: %d, want %.3f\n", y, x, al, got, want);
                    bad++;
                }
                if (x == y && got != x) bad++; /* equal pixels stay exactly as they are */
            }
    }
    CHECK_INT(bad, 0);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    SDL_FreeSurface(d);
}

/* The SIMD rows and the C rows give the same bytes (odd widths: the tail).
 * x86-64 always has SSE2 and arm64 NEON: there the SIMD rows are the ones
 * compared (scripts/test-arm64 runs this under qemu-aarch64). */
static void blend_simd_should_equal_plain_c(void) {
    printf("blend: simd %s\n", blend_simd());
#if defined(__x86_64__)
    CHECK(strcmp(blend_simd(), "sse2") == 0);
#elif defined(__aarch64__)
    CHECK(strcmp(blend_simd(), "neon") == 0);
#endif
    int widths[] = {1, 3, 4, 5, 17, 1920};
    for (size_t k = 0; k < sizeof widths / sizeof *widths; k++) {
        SDL_Surface *a = surface(widths[k], 9, 1), *b = surface(widths[k], 9, 2);
        SDL_Surface *d1 = surface(widths[k], 9, 3), *d2 = surface(widths[k], 9, 3);
        for (int al = 0; al < 256; al += 17) {
            CHECK(blend_rows(d1, a, b, 2, 7, (Uint8)al));
            CHECK(blend_rows_c(d2, a, b, 2, 7, (Uint8)al));
            CHECK(memcmp(d1->pixels, d2->pixels, (size_t)d1->pitch * 9) == 0);
        }
        SDL_FreeSurface(a);
        SDL_FreeSurface(b);
        SDL_FreeSurface(d1);
        SDL_FreeSurface(d2);
    }
}

/* Blending only the band where the slides differ equals blending the whole
 * frame: what the damage-tracked crossfade relies on. */
static void blending_the_differing_rows_should_equal_blending_the_frame(void) {
    SDL_Surface *a = surface(320, 180, 7), *b = SDL_DuplicateSurface(a);
    SDL_Rect body = {0, 20, 320, 130};
    SDL_FillRect(b, &body, 0x00336699);
    int y0, y1;
    CHECK(blend_diff_rows(a, b, &y0, &y1));
    CHECK_INT(y0, 20);
    CHECK_INT(y1, 150);
    SDL_Surface *full = SDL_DuplicateSurface(a), *band = SDL_DuplicateSurface(a);
    for (int al = 1; al < 255; al += 50) {
        blend_rows(full, a, b, 0, 180, (Uint8)al);
        blend_rows(band, a, b, y0, y1, (Uint8)al);
        CHECK(memcmp(full->pixels, band->pixels, (size_t)a->pitch * 180) == 0);
    }
    SDL_Surface *c = SDL_DuplicateSurface(a);
    CHECK(!blend_diff_rows(a, c, &y0, &y1));
    CHECK_INT(y1 - y0, 0);
    SDL_Surface *small = surface(32, 18, 1);
    CHECK(!blend_rows(full, a, small, 0, 18, 9)); /* mismatched: nothing written */
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    SDL_FreeSurface(c);
    SDL_FreeSurface(full);
    SDL_FreeSurface(band);
    SDL_FreeSurface(small);
}

/* The rectangles where two frames differ: within the rows asked, never
 * overlapping, covering every differing pixel; blending them equals
 * blending the rows. Too many shapes: coarser tiles, then the whole rows. */
static void diff_rects_should_cover_every_difference(void) {
    for (unsigned seed = 1; seed <= 6; seed++) {
        SDL_Surface *a = surface(700, 300, seed), *b = SDL_DuplicateSurface(a);
        srand(seed * 77);
        int boxes = seed == 6 ? 400 : (int)seed * 3;
        for (int i = 0; i < boxes; i++) {
            SDL_Rect r = {rand() % 690, 20 + rand() % 250, 1 + rand() % 90, 1 + rand() % 30};
            SDL_FillRect(b, &r, (Uint32)rand());
        }
        SDL_Rect out[64];
        int n = blend_diff_rects(a, b, 10, 290, out, 64);
        CHECK(n >= 1 && n <= 64);
        long area = 0;
        for (int i = 0; i < n; i++) {
            CHECK(out[i].y >= 10 && out[i].y + out[i].h <= 290 && out[i].x >= 0 && out[i].x + out[i].w <= 700);
            area += (long)out[i].w * out[i].h;
            for (int j = 0; j < i; j++) CHECK(!SDL_HasIntersection(&out[i], &out[j]));
        }
        if (seed <= 2) CHECK(area < 700L * 280 / 2); /* a few boxes: a small part of the rows */
        int missed = 0;
        for (int y = 10; y < 290; y++)
            for (int x = 0; x < 700; x++) {
                Uint32 pa = ((Uint32 *)a->pixels)[y * a->pitch / 4 + x], pb = ((Uint32 *)b->pixels)[y * b->pitch / 4 + x];
                SDL_Point p = {x, y};
                bool in = false;
                for (int i = 0; i < n && !in; i++) in = SDL_PointInRect(&p, &out[i]);
                missed += pa != pb && !in;
            }
        CHECK_INT(missed, 0);
        SDL_Surface *full = SDL_DuplicateSurface(a), *part = SDL_DuplicateSurface(a);
        blend_rows(full, a, b, 10, 290, 100);
        for (int i = 0; i < n; i++) blend_rect(part, a, b, out[i], 100);
        CHECK(memcmp(full->pixels, part->pixels, (size_t)a->pitch * 300) == 0);
        SDL_FreeSurface(a);
        SDL_FreeSurface(b);
        SDL_FreeSurface(full);
        SDL_FreeSurface(part);
    }
    SDL_Surface *a = surface(64, 64, 1), *same = SDL_DuplicateSurface(a);
    SDL_Rect out[4];
    CHECK_INT(blend_diff_rects(a, same, 0, 64, out, 4), 0);
    SDL_FreeSurface(a);
    SDL_FreeSurface(same);
}

static bool covered(const struct damage *d, int x, int y) {
    SDL_Point p = {x, y};
    for (int i = 0; i < d->n; i++)
        if (SDL_PointInRect(&p, &d->r[i])) return true;
    return false;
}

static void damage_should_merge_clip_and_never_lose_a_pixel(void) {
    struct damage d;
    damage_reset(&d, 100, 50);
    damage_add(&d, (SDL_Rect){90, 40, 30, 30}); /* clipped to the screen */
    CHECK_INT(d.n, 1);
    CHECK_INT(d.r[0].w, 10);
    CHECK_INT(d.r[0].h, 10);
    damage_add(&d, (SDL_Rect){0, 0, 0, 5}); /* empty: ignored */
    CHECK_INT(d.n, 1);
    damage_rows(&d, 0, 5);
    damage_rows(&d, 5, 8); /* touching full-width strips become one */
    CHECK_INT(d.n, 2);
    CHECK_INT(damage_area(&d), 100 + 100 * 8);
    damage_add(&d, (SDL_Rect){50, 2, 10, 10}); /* overlaps the strip: merged */
    CHECK_INT(d.n, 2);
    /* Many scattered rectangles: folded, every one still covered. */
    damage_reset(&d, 100, 50);
    SDL_Rect added[20];
    for (int i = 0; i < 20; i++) {
        added[i] = (SDL_Rect){(i * 37) % 95, (i * 13) % 45, 3, 3};
        damage_add(&d, added[i]);
        CHECK(d.n <= DAMAGE_MAX);
    }
    for (int i = 0; i < 20; i++)
        for (int y = added[i].y; y < added[i].y + 3; y++)
            for (int x = added[i].x; x < added[i].x + 3; x++) CHECK(covered(&d, x, y));
    damage_all(&d);
    CHECK(damage_is_all(&d));
    CHECK_INT(damage_area(&d), 5000);
}

static bool in_rects(const SDL_Rect *r, int n, int x, int y) {
    SDL_Point p = {x, y};
    for (int i = 0; i < n; i++)
        if (SDL_PointInRect(&p, &r[i])) return true;
    return false;
}

/* A crossfade's tiles sent as few rectangles: at most max, close ones
 * merged first, far ones kept apart, no pixel lost. */
static void coarsening_should_cover_every_tile_in_few_rectangles(void) {
    SDL_Rect tiles[60], r[60];
    int n = 0;
    for (int i = 0; i < 30; i++) tiles[n++] = (SDL_Rect){(i % 10) * 64, 200 + (i / 10) * 16, 64, 16}; /* a block */
    for (int i = 0; i < 30; i++) tiles[n++] = (SDL_Rect){1000 + (i * 131) % 900, 600 + (i * 53) % 300, 64, 16};
    memcpy(r, tiles, sizeof tiles);
    int m = damage_coarsen(r, n, 4, 0);
    CHECK(m >= 1 && m <= 4);
    for (int i = 0; i < n; i++)
        for (int y = tiles[i].y; y < tiles[i].y + tiles[i].h; y++)
            for (int x = tiles[i].x; x < tiles[i].x + tiles[i].w; x++) CHECK(in_rects(r, m, x, y));
    /* The block of touching tiles costs nothing to merge: it is one of them. */
    bool block = false;
    for (int i = 0; i < m; i++) block |= r[i].x == 0 && r[i].y == 200 && r[i].w == 640 && r[i].h == 48;
    CHECK(block);
    /* Two far-apart rectangles, under max and over the slack: kept. */
    SDL_Rect two[2] = {{0, 0, 10, 10}, {500, 500, 10, 10}};
    CHECK_INT(damage_coarsen(two, 2, 4, 1000), 2);
    /* Within the slack: merged into their bounding box. */
    CHECK_INT(damage_coarsen(two, 2, 4, 510L * 510), 1);
    CHECK_INT(two[0].w, 510);
    CHECK_INT(two[0].h, 510);
    /* max 1: the bounding box of everything. */
    memcpy(r, tiles, sizeof tiles);
    CHECK_INT(damage_coarsen(r, n, 1, 0), 1);
    CHECK_INT(r[0].x, 0);
    CHECK_INT(r[0].y, 200);
}

int main(void) {
    RUN(blend_should_round_every_value_at_every_alpha);
    RUN(blend_simd_should_equal_plain_c);
    RUN(blending_the_differing_rows_should_equal_blending_the_frame);
    RUN(damage_should_merge_clip_and_never_lose_a_pixel);
    RUN(diff_rects_should_cover_every_difference);
    RUN(coarsening_should_cover_every_tile_in_few_rectangles);
    return CHECK_DONE();
}
