/* damage: a small set of changed rectangles (see damage.h). */
#include "damage.h"

static bool clip(const struct damage *d, SDL_Rect *r) {
    SDL_Rect screen = {0, 0, d->w, d->h};
    SDL_Rect out;
    if (!SDL_IntersectRect(r, &screen, &out)) return false;
    *r = out;
    return true;
}

/* Touching counts: two strips one above the other become one rectangle
 * only when they span the same columns, otherwise their union would cover
 * pixels that did not change; overlapping ones always merge. */
static bool mergeable(const SDL_Rect *a, const SDL_Rect *b) {
    if (SDL_HasIntersection(a, b)) return true;
    bool same_cols = a->x == b->x && a->w == b->w, same_rows = a->y == b->y && a->h == b->h;
    return (same_cols && (a->y + a->h == b->y || b->y + b->h == a->y)) ||
           (same_rows && (a->x + a->w == b->x || b->x + b->w == a->x));
}

void damage_reset(struct damage *d, int w, int h) {
    d->w = w;
    d->h = h;
    d->n = 0;
}

void damage_add(struct damage *d, SDL_Rect r) {
    if (!clip(d, &r)) return;
    for (;;) { /* a union may now meet another rectangle of the set */
        int i;
        for (i = 0; i < d->n; i++)
            if (mergeable(&d->r[i], &r)) break;
        if (i == d->n) break;
        SDL_Rect u;
        SDL_UnionRect(&d->r[i], &r, &u);
        r = u;
        d->r[i] = d->r[--d->n];
    }
    if (d->n == DAMAGE_MAX) { /* fold everything into one box: never misses a pixel */
        for (int i = 0; i < d->n; i++) {
            SDL_Rect u;
            SDL_UnionRect(&d->r[i], &r, &u);
            r = u;
        }
        d->n = 0;
    }
    d->r[d->n++] = r;
}

void damage_all(struct damage *d) {
    d->n = 0;
    SDL_Rect all = {0, 0, d->w, d->h};
    if (d->w > 0 && d->h > 0) d->r[d->n++] = all;
}

void damage_rows(struct damage *d, int y0, int y1) {
    SDL_Rect r = {0, y0, d->w, y1 - y0};
    damage_add(d, r);
}

bool damage_is_all(const struct damage *d) {
    return d->n == 1 && d->r[0].x == 0 && d->r[0].y == 0 && d->r[0].w == d->w && d->r[0].h == d->h;
}

long damage_area(const struct damage *d) {
    long a = 0;
    for (int i = 0; i < d->n; i++) a += (long)d->r[i].w * d->r[i].h;
    return a;
}

/* Pixels the bounding box of a and b covers beyond a and b (0 when they
 * overlap). Inline: the search below calls it ~n^3/2 times a frame. */
static long union_extra(const SDL_Rect *a, const SDL_Rect *b) {
    int x0 = a->x < b->x ? a->x : b->x, y0 = a->y < b->y ? a->y : b->y;
    int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
    int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
    return (long)(x1 - x0) * (y1 - y0) - (long)a->w * a->h - (long)b->w * b->h;
}

int damage_coarsen(SDL_Rect *r, int n, int max, long slack) {
    if (max < 1) max = 1;
    while (n > 1) {
        long best = -1;
        int bi = 0, bj = 1;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                long add = union_extra(&r[i], &r[j]);
                if (add < 0) add = 0; /* they overlap */
                if (best < 0 || add < best) {
                    best = add;
                    bi = i;
                    bj = j;
                }
            }
        if (n <= max && best > slack) break;
        SDL_Rect u;
        SDL_UnionRect(&r[bi], &r[bj], &u);
        r[bi] = u;
        r[bj] = r[--n];
    }
    return n;
}
