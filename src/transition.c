/* transition: pre-rendered slides and the frames between them. */
#include "transition.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "blend.h"
#include "config.h"
#include "log.h"
#include "xalloc.h"

/* --- the software path: surfaces, rows, damage ----------------------------- */

static SDL_Surface *sw_screen(const struct transition *t) {
    return t->window ? SDL_GetWindowSurface(t->window) : t->screen;
}

void transition_software(struct transition *t, SDL_Window *window, SDL_Surface *screen) {
    t->software = true;
    t->window = window;
    t->screen = screen;
}

void transition_send_to(struct transition *t, void (*send)(void *ctx, const SDL_Rect *r, int n), void *ctx) {
    t->send = send;
    t->send_ctx = ctx;
}

/* A slide's surface in memory of its own, asked for in 2 MiB pages: the
 * kernel hands out fresh memory a page at a time, each a fault, and in a
 * VM a fault costs ~15 us: 1080p page by page was 2025 faults (30 ms, plus
 * SDL's memset of memory the kernel had zeroed) before the first frame, in
 * huge pages 4. The mapping is in userdata (SDL does not free the pixels of
 * a surface made "from" them). NULL when out of memory. */
struct sw_pixels {
    void *map;
    size_t len;
};

static SDL_Surface *sw_surface(int w, int h, Uint32 format) {
    size_t pitch = (size_t)w * 4, bytes = pitch * (size_t)h, huge = (size_t)2 << 20, len = bytes + huge;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
        SDL_SetError("mmap %zu bytes failed", len);
        return NULL;
    }
    Uint8 *px = (Uint8 *)(((uintptr_t)map + huge - 1) & ~(uintptr_t)(huge - 1));
#ifdef MADV_HUGEPAGE
    madvise(px, bytes, MADV_HUGEPAGE); /* advice: 4 KiB pages where the kernel says no */
#endif
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormatFrom(px, w, h, 32, (int)pitch, format);
    if (s == NULL) {
        munmap(map, len);
        return NULL;
    }
    struct sw_pixels *b = xmalloc(sizeof *b);
    *b = (struct sw_pixels){map, len};
    s->userdata = b;
    return s;
}

static void sw_surface_free(SDL_Surface *s) {
    if (s == NULL) return;
    struct sw_pixels *b = s->userdata;
    SDL_FreeSurface(s);
    if (b) munmap(b->map, b->len);
    free(b);
}

static void stale_rows(struct transition *t, int y0, int y1) {
    if (y1 <= y0) return;
    if (t->stale_y1 <= t->stale_y0) {
        t->stale_y0 = y0;
        t->stale_y1 = y1;
    } else {
        if (y0 < t->stale_y0) t->stale_y0 = y0;
        if (y1 > t->stale_y1) t->stale_y1 = y1;
    }
}

static void copy_rows(SDL_Surface *dst, const SDL_Surface *src, int y0, int y1) {
    if (y0 < 0) y0 = 0;
    if (y1 > src->h) y1 = src->h;
    size_t n = (size_t)src->w * 4;
    for (int y = y0; y < y1; y++)
        memcpy((Uint8 *)dst->pixels + (size_t)y * (size_t)dst->pitch,
               (const Uint8 *)src->pixels + (size_t)y * (size_t)src->pitch, n);
}

static bool sw_targets(struct transition *t) {
    SDL_Surface *screen = sw_screen(t);
    if (screen == NULL || screen->format->BytesPerPixel != 4) {
        if (!t->unsupported) LOG(LOG_WARN, "no window surface (%s): slides change without transitions", SDL_GetError());
        t->unsupported = true;
        return false;
    }
    if (t->scur && t->w == screen->w && t->h == screen->h && t->scur->format->format == screen->format->format)
        return true;
    transition_free(t);
    /* The next slide's surface is made only for a transition (sw_next):
     * a still slide holds one frame besides the window's. */
    t->scur = sw_surface(screen->w, screen->h, screen->format->format);
    if (t->scur == NULL) {
        LOG(LOG_WARN, "no memory for the slides (%s): slides change without transitions", SDL_GetError());
        transition_free(t);
        t->unsupported = true;
        return false;
    }
    t->w = screen->w;
    t->h = screen->h;
    damage_reset(&t->damage, t->w, t->h);
    damage_all(&t->damage);
    t->stale_y0 = 0;
    t->stale_y1 = t->h;
    return true;
}

static SDL_Surface *sw_next(struct transition *t) {
    if (t->snext == NULL && t->scur)
        t->snext = sw_surface(t->w, t->h, t->scur->format->format);
    if (t->snext == NULL) LOG(LOG_WARN, "no memory for the next slide: %s", SDL_GetError());
    return t->snext;
}

/* The GL path's frame sends rectangles: one more (an overlay), or the
 * whole screen when NULL or there is no room. */
static void gl_send_add(struct transition *t, const SDL_Rect *r) {
    SDL_Rect all = {0, 0, t->w, t->h};
    if (r == NULL || t->gl_n_send >= (int)(sizeof t->gl_send / sizeof t->gl_send[0])) {
        t->gl_send[0] = all;
        t->gl_n_send = 1;
        return;
    }
    for (int i = 0; i < t->gl_n_send; i++)
        if (SDL_RectEquals(&t->gl_send[i], r) || SDL_RectEquals(&t->gl_send[i], &all)) return;
    t->gl_send[t->gl_n_send++] = *r;
}

void transition_overlay(struct transition *t, const SDL_Rect *r) {
    if (!t->software && t->gl_n_send > 0) {
        /* Drawn over a frame that sends rectangles: sent too. Anywhere (a
         * toast): the whole screen, and the next crossfade frame is drawn
         * whole (what the toast covered may go). */
        gl_send_add(t, r);
        if (r == NULL) t->gl_fade_frames = 0;
        return;
    }
    if (!t->software || t->scur == NULL) return;
    if (r == NULL) {
        damage_all(&t->damage);
        stale_rows(t, 0, t->h);
    } else {
        damage_add(&t->damage, *r);
        stale_rows(t, r->y, r->y + r->h);
    }
}

bool transition_header(struct transition *t, SDL_Renderer *r, struct render *rd, const struct render_frame *f) {
    SDL_Surface *screen = sw_screen(t);
    if (!t->software || t->scur == NULL || screen == NULL || screen->w != t->w || screen->h != t->h) return false;
    SDL_SetRenderTarget(r, NULL);
    render_header(rd, f);
    SDL_RenderFlush(r);
    /* Only what changed in the band is sent: the clock's digits, not the
     * whole 1920x113 (which a DAMAGE client also took for the start of a
     * crossfade when a minute turned just before one). The screen held the
     * current slide there (composed before; overlays come after). */
    SDL_Rect band = render_header_rect(t->w, t->h), changed[16];
    int n = blend_diff_rects(t->scur, screen, band.y, band.y + band.h, changed, 16);
    copy_rows(t->scur, screen, band.y, band.y + band.h);
    for (int i = 0; i < n; i++) damage_add(&t->damage, changed[i]);
    return true;
}

void transition_gl_partial(struct transition *t, void (*copy)(void *ctx, const SDL_Rect *r, int n), void *ctx) {
    t->gl_copy = copy;
    t->gl_copy_ctx = ctx;
}

bool transition_clip(struct transition *t, SDL_Renderer *r, const SDL_Rect *rect) {
    if (t->software || t->gl_copy == NULL || rect->w <= 0 || rect->h <= 0) return false;
    if (SDL_RenderSetClipRect(r, rect) != 0) return false;
    t->gl_send[0] = *rect;
    t->gl_n_send = 1;
    t->gl_clipped = true;
    return true;
}

/* Each rectangle a GL frame sends is a glXCopySubBufferMESA: a flush, an
 * XShmPutImage and an XSync, ~0.13 ms of waiting for the X server. A
 * crossfade's 56 tiles made the present take 15 ms (median; 25 ms at the
 * 90th percentile) and 29-48 frames of ~140 came more than 20 ms apart;
 * merged into at most 4 (a round trip is worth ~300k pixels of the
 * server's copying), 8.5 ms and 2-6. */
enum { GL_COPY_MAX = 4, GL_COPY_SLACK_PX = 200000 };

long transition_present(struct transition *t, SDL_Renderer *r) {
    if (!t->software && t->gl_n_send > 0) {
        /* Drawn only within these rectangles (the rest of the back buffer
         * is the last frame sent whole, or is not sent): copied, not
         * swapped, so the back buffer stays what it is. */
        SDL_RenderFlush(r);
        t->gl_n_send = damage_coarsen(t->gl_send, t->gl_n_send, GL_COPY_MAX, GL_COPY_SLACK_PX);
        t->gl_copy(t->gl_copy_ctx, t->gl_send, t->gl_n_send);
        if (t->gl_clipped) SDL_RenderSetClipRect(r, NULL);
        long area = 0;
        for (int i = 0; i < t->gl_n_send; i++) area += (long)t->gl_send[i].w * t->gl_send[i].h;
        t->gl_clipped = false;
        t->gl_n_send = 0;
        return area;
    }
    if (!t->software) {
        SDL_RenderPresent(r);
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(r, &w, &h);
        return (long)w * h;
    }
    SDL_RenderFlush(r);
    long area = damage_area(&t->damage);
    if (t->damage.n > 0 && t->window) SDL_UpdateWindowSurfaceRects(t->window, t->damage.r, t->damage.n);
    else if (t->damage.n > 0 && t->send) t->send(t->send_ctx, t->damage.r, t->damage.n);
    damage_reset(&t->damage, t->w, t->h);
    return area;
}

/* The crossfade's surfaces; ga, the current slide read back, is kept
 * unless `all` (it is read back again only once the slide is redrawn). */
static void gl_fade_free(struct transition *t, bool all) {
    if (all) {
        sw_surface_free(t->ga);
        t->ga = NULL;
        t->ga_is_cur = false;
    }
    sw_surface_free(t->gb);
    sw_surface_free(t->gmix);
    t->gb = t->gmix = NULL;
    t->gl_fade = false;
    t->gl_fade_frames = 0;
}

void transition_free(struct transition *t) {
    gl_fade_free(t, true);
    if (t->gtex) SDL_DestroyTexture(t->gtex);
    t->gtex = NULL;
    if (t->cur) SDL_DestroyTexture(t->cur);
    if (t->next) SDL_DestroyTexture(t->next);
    sw_surface_free(t->scur);
    sw_surface_free(t->snext);
    t->cur = t->next = NULL;
    t->scur = t->snext = NULL;
    t->w = t->h = 0;
}

bool transition_targets(struct transition *t, SDL_Renderer *r) {
    if (t->unsupported) return false;
    if (t->software) return sw_targets(t);
    int w, h;
    SDL_GetRendererOutputSize(r, &w, &h);
    if (t->cur && t->w == w && t->h == h) return true;
    transition_free(t);
    if (SDL_RenderTargetSupported(r)) {
        t->cur = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
        t->next = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
    }
    if (t->cur == NULL || t->next == NULL) {
        LOG(LOG_WARN, "no render targets (%s): slides change without transitions", SDL_GetError());
        transition_free(t);
        t->unsupported = true;
        return false;
    }
    t->w = w;
    t->h = h;
    return true;
}

/* Where GL is the CPU, a crossfade of two full-screen quads a frame cost
 * llvmpipe ~30 ms, and two passes over only the tiles where the slides
 * differ still ~12 ms for 0.77 Mpx (its JIT'd shader blending with the
 * framebuffer). So the two slides are read back once (two 8-MB reads at
 * 1080p), the tiles where they differ found, and each frame is blended
 * there by blend.c (SSE2/NEON, ~1 ms) and uploaded to gtex, which llvmpipe
 * only copies, opaque: ~7 ms a frame for the same tiles. */
static void gl_fade_rects(struct transition *t, SDL_Renderer *r) {
    gl_fade_free(t, false);
    if (t->gl_copy == NULL) return;
    Uint64 t0 = SDL_GetPerformanceCounter();
    if (t->gtex == NULL)
        t->gtex = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, t->w, t->h);
    if (t->ga == NULL) t->ga = sw_surface(t->w, t->h, SDL_PIXELFORMAT_ARGB8888);
    t->gb = sw_surface(t->w, t->h, SDL_PIXELFORMAT_ARGB8888);
    t->gmix = sw_surface(t->w, t->h, SDL_PIXELFORMAT_ARGB8888);
    bool ok = t->gtex && t->ga && t->gb && t->gmix;
    /* The current slide was read back as the last crossfade's next one,
     * unless it was redrawn since: one 8-MB read instead of two. */
    SDL_Texture *tex[2] = {t->cur, t->next};
    SDL_Surface *s[2] = {t->ga, t->gb};
    for (int i = t->ga_is_cur ? 1 : 0; i < 2 && ok; i++) {
        SDL_SetRenderTarget(r, tex[i]);
        ok = SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, s[i]->pixels, s[i]->pitch) == 0;
    }
    SDL_SetRenderTarget(r, NULL);
    t->ga_is_cur = ok;
    if (ok) {
        int y0 = 0, y1 = 0;
        t->n_fade = blend_diff_rows(t->ga, t->gb, &y0, &y1)
                        ? blend_diff_rects(t->ga, t->gb, y0, y1, t->fade, TRANSITION_FADE_MAX)
                        : 0;
        t->gl_fade = true;
        SDL_SetTextureBlendMode(t->gtex, SDL_BLENDMODE_NONE);
        long px = 0;
        for (int i = 0; i < t->n_fade; i++) px += (long)t->fade[i].w * t->fade[i].h;
        LOG(LOG_DEBUG, "crossfade: %d tiles, %.2f Mpx where the slides differ (read back and compared in %.1f ms)",
            t->n_fade, (double)px / 1e6,
            (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 / (double)SDL_GetPerformanceFrequency());
    } else {
        LOG(LOG_DEBUG, "reading the slides back: %s; crossfades drawn whole", SDL_GetError());
        gl_fade_free(t, true);
    }
}

/* One rectangle of a crossfade frame where GL is the CPU: blended from the
 * slides read back and uploaded. Every rectangle is uploaded before any is
 * drawn: llvmpipe finishes the draws queued from a texture before that
 * texture is written (64 waits a frame, 30 ms, when each rectangle was
 * uploaded and drawn in turn). */
static void gl_fade_upload(struct transition *t, const SDL_Rect *q, Uint8 alpha) {
    blend_rect(t->gmix, t->ga, t->gb, *q, alpha);
    const Uint8 *px = (const Uint8 *)t->gmix->pixels + (size_t)q->y * (size_t)t->gmix->pitch + (size_t)q->x * 4;
    SDL_UpdateTexture(t->gtex, q, px, t->gmix->pitch);
}

void transition_draw(struct transition *t, SDL_Renderer *r, struct render *rd, bool next,
                     const struct render_frame *f) {
    if (t->software) {
        /* Drawn on the screen itself and kept: the screen is not sent until
         * the next present, which composes over every row that differs. */
        SDL_SetRenderTarget(r, NULL);
        render_draw(rd, f);
        SDL_RenderFlush(r);
        SDL_Surface *screen = sw_screen(t);
        SDL_Surface *dst = next ? sw_next(t) : t->scur;
        if (screen == NULL || dst == NULL) return;
        copy_rows(dst, screen, 0, t->h);
        if (next) {
            /* The screen shows the next slide where the two differ, and the
             * rows the screen held apart from the slide are redrawn too. */
            blend_diff_rows(t->scur, t->snext, &t->band_y0, &t->band_y1);
            t->n_fade = blend_diff_rects(t->scur, t->snext, t->band_y0, t->band_y1, t->fade, TRANSITION_FADE_MAX);
            t->fading = true;
        } else {
            t->stale_y0 = t->stale_y1 = 0;
            damage_all(&t->damage);
        }
        return;
    }
    SDL_SetRenderTarget(r, next ? t->next : t->cur);
    render_draw(rd, f);
    SDL_SetRenderTarget(r, NULL);
    if (next) gl_fade_rects(t, r);
    else t->ga_is_cur = false;
}

void transition_swap(struct transition *t) {
    if (!t->software && t->gl_fade && t->ga_is_cur) { /* the next slide's copy is the current one's now */
        SDL_Surface *x = t->ga;
        t->ga = t->gb;
        t->gb = x;
    } else {
        t->ga_is_cur = false;
    }
    gl_fade_free(t, false);
    SDL_Texture *x = t->cur;
    t->cur = t->next;
    t->next = x;
    if (t->software && t->snext) { /* the old slide is not needed any more */
        sw_surface_free(t->scur);
        t->scur = t->snext;
        t->snext = NULL;
    }
}

/* A crossfade frame: only where the two slides differ is blended; the rest
 * of the band already shows both (the next slide drawn on the screen, or an
 * earlier frame's blend: mended at the cut, see `fading`). Rows drawn over
 * the last frame (a ticker strip, a toast) are the current slide's again
 * first. */
static void sw_fade(struct transition *t, SDL_Surface *screen, Uint8 alpha) {
    if (t->stale_y1 > t->stale_y0) {
        copy_rows(screen, t->scur, t->stale_y0, t->stale_y1);
        damage_rows(&t->damage, t->stale_y0, t->stale_y1);
    }
    for (int i = 0; i < t->n_fade; i++) {
        blend_rect(screen, t->scur, t->snext, t->fade[i], alpha);
        damage_add(&t->damage, t->fade[i]);
    }
    t->stale_y0 = t->stale_y1 = 0;
}

/* The software path's frame: only the rows that can differ are written. */
static void sw_compose(struct transition *t, SDL_Renderer *r, float p, int kind, bool ticker) {
    SDL_Surface *screen = sw_screen(t);
    if (screen == NULL || t->scur == NULL || screen->w != t->w || screen->h != t->h) return;
    if (p >= 0 && t->snext == NULL) p = -1; /* no next slide (out of memory): a cut */
    SDL_RenderFlush(r);
    if (p < 0) { /* the current slide: mend what the screen holds apart from it */
        if (t->fading) stale_rows(t, t->band_y0, t->band_y1);
        t->fading = false;
        copy_rows(screen, t->scur, t->stale_y0, t->stale_y1);
        damage_rows(&t->damage, t->stale_y0, t->stale_y1);
        t->stale_y0 = t->stale_y1 = 0;
    } else if (kind == CONFIG_TRANSITION_PUSH) {
        float e = p * p * (3 - 2 * p); /* smoothstep */
        int off = (int)lroundf(e * (float)t->w);
        SDL_Rect body = render_body_rect(t->w, t->h, ticker);
        SDL_Rect from = {-off, body.y, t->w, body.h}, to = {t->w - off, body.y, t->w, body.h};
        SDL_SetSurfaceBlendMode(t->scur, SDL_BLENDMODE_NONE);
        SDL_SetSurfaceBlendMode(t->snext, SDL_BLENDMODE_NONE);
        copy_rows(screen, t->snext, 0, t->h); /* the new header and footer */
        SDL_BlitSurface(t->scur, &body, screen, &from);
        SDL_BlitSurface(t->snext, &body, screen, &to);
        damage_all(&t->damage);
        stale_rows(t, 0, t->h);
    } else {
        sw_fade(t, screen, (Uint8)lroundf(p * 255.0f));
    }
}

void transition_compose(struct transition *t, SDL_Renderer *r, float p, int kind, bool ticker) {
    if (t->software) {
        sw_compose(t, r, p, kind, ticker);
        return;
    }
    /* Every frame begins with an opaque copy of a whole slide: no clear (a
     * full-screen fill, on llvmpipe the CPU's). */
    if (p < 0) {
        SDL_SetTextureAlphaMod(t->cur, 255);
        SDL_SetTextureBlendMode(t->cur, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r, t->cur, NULL, NULL);
    } else if (kind == CONFIG_TRANSITION_PUSH) {
        /* The header and footer stay; only the body between them moves. */
        float e = p * p * (3 - 2 * p); /* smoothstep */
        int off = (int)lroundf(e * (float)t->w);
        SDL_Rect body = render_body_rect(t->w, t->h, ticker);
        SDL_Rect from = {-off, body.y, t->w, body.h}, to = {t->w - off, body.y, t->w, body.h};
        SDL_SetTextureBlendMode(t->cur, SDL_BLENDMODE_NONE);
        SDL_SetTextureBlendMode(t->next, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r, t->next, NULL, NULL); /* the new header and footer */
        SDL_RenderCopy(r, t->cur, &body, &from);
        SDL_RenderCopy(r, t->next, &body, &to);
    } else if (t->gl_fade) {
        /* The first frame: the current slide whole, then the blend where
         * the slides differ, sent whole and copied (the back buffer keeps
         * it). After it, only where the slides differ (and the ticker's
         * strip, drawn over next): elsewhere the back buffer holds that
         * frame, which is either slide there. */
        SDL_Rect strip = render_ticker_rect(t->w, t->h), one = {0, 0, 1, 1};
        Uint8 alpha = (Uint8)lroundf(p * 255.0f);
        bool first = t->gl_fade_frames == 0;
        if (first) {
            SDL_SetTextureBlendMode(t->cur, SDL_BLENDMODE_NONE);
            SDL_RenderCopy(r, t->cur, NULL, NULL);
        }
        /* the slides' tiles that differ, the strip, or (the same slides,
         * no ticker) one pixel: a frame must be sent */
        const SDL_Rect *extra = ticker ? &strip : t->n_fade == 0 ? &one : NULL;
        int n = t->n_fade + (extra != NULL);
        t->gl_n_send = 0;
        for (int i = 0; i < n; i++) {
            const SDL_Rect *q = i < t->n_fade ? &t->fade[i] : extra;
            gl_fade_upload(t, q, alpha);
            gl_send_add(t, q);
        }
        for (int i = 0; i < n; i++) { /* drawn only where gmix was blended */
            const SDL_Rect *q = i < t->n_fade ? &t->fade[i] : extra;
            SDL_RenderCopy(r, t->gtex, q, q);
        }
        /* What the bench's present_spy.so reads as this frame's alpha. */
        SDL_SetTextureAlphaMod(t->next, alpha);
        if (first) gl_send_add(t, NULL);
        t->gl_fade_frames++;
    } else {
        SDL_SetTextureBlendMode(t->cur, SDL_BLENDMODE_NONE);
        SDL_RenderCopy(r, t->cur, NULL, NULL);
        SDL_SetTextureBlendMode(t->next, SDL_BLENDMODE_BLEND);
        SDL_SetTextureAlphaMod(t->next, (Uint8)lroundf(p * 255.0f));
        SDL_RenderCopy(r, t->next, NULL, NULL);
    }
}
