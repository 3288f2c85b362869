/* render_base: what the frame (render.c) and the slide kinds
 * (render_slides.c) both stand on: the fonts, the text texture cache,
 * measuring, the drawing primitives and the frame's geometry. It calls
 * neither of them, so the module's files depend on each other one way:
 * render.c -> render_slides.c -> render_base.c. Main thread only. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <SDL_ttf.h>

#include "layout.h"
#include "log.h"
#include "util.h"
#include "render_internal.h"

TTF_Font *rd_get_font(struct render *r, int px, bool bold) {
    struct font_entry *victim = &r->fonts[0];
    r->tick++;
    for (size_t i = 0; i < FONT_CACHE_SIZE; i++) {
        struct font_entry *e = &r->fonts[i];
        if (e->font && e->px == px && e->bold == bold) {
            e->last_used = r->tick;
            return e->font;
        }
        if (e->font == NULL || e->last_used < victim->last_used) victim = e;
    }
    TTF_Font *f = TTF_OpenFont(r->font_path[bold], px);
    if (f == NULL) {
        LOG(LOG_ERROR, "cannot open font %s at %dpx: %s", r->font_path[bold], px, TTF_GetError());
        return NULL;
    }
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    if (victim->font) TTF_CloseFont(victim->font);
    victim->font = f;
    victim->px = px;
    victim->bold = bold;
    victim->last_used = r->tick;
    return f;
}

void render_flush_textures(struct render *r) {
    for (size_t i = 0; i < TEXT_CACHE_SIZE; i++) {
        if (r->texts[i].tex) SDL_DestroyTexture(r->texts[i].tex);
        r->texts[i].tex = NULL;
    }
}

/* Drops the text textures and closes the fonts (render_free). */
void rd_caches_free(struct render *r) {
    render_flush_textures(r);
    for (size_t i = 0; i < FONT_CACHE_SIZE; i++)
        if (r->fonts[i].font) TTF_CloseFont(r->fonts[i].font);
}

void render_text_stats(const struct render *r, size_t *made, size_t *cached) {
    size_t n = 0;
    for (size_t i = 0; i < TEXT_CACHE_SIZE; i++) n += r->texts[i].tex != NULL;
    if (made) *made = r->made;
    if (cached) *cached = n;
}

static Uint64 fnv1a(const char *s) {
    Uint64 h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The texture for one line of text, from the cache or rasterised now.
 * Returns NULL for empty or invalid text. */
static struct text_entry *get_text(struct render *r, const char *text, size_t len, int px,
                                   bool bold, struct rgb c) {
    if (len == 0 || len > TEXT_MAX || px < 4) return NULL;
    char key[sizeof((struct text_entry *)0)->key];
    int kl = snprintf(key, sizeof key, "%d|%d|%02x%02x%02x|", px, bold, c.r, c.g, c.b);
    memcpy(key + kl, text, len);
    key[kl + (int)len] = '\0';
    if (!utf8_valid(key + kl, len)) return NULL; /* never hand SDL_ttf bad UTF-8 */
    Uint64 h = fnv1a(key);
    r->tick++;
    struct text_entry *victim = &r->texts[0];
    for (size_t i = 0; i < TEXT_CACHE_SIZE; i++) {
        struct text_entry *e = &r->texts[i];
        if (e->tex && e->hash == h && strcmp(e->key, key) == 0) {
            e->last_used = r->tick;
            return e;
        }
        if (victim->tex && (e->tex == NULL || e->last_used < victim->last_used)) victim = e;
    }
    TTF_Font *font = rd_get_font(r, px, bold);
    if (font == NULL) return NULL;
    SDL_Color col = {c.r, c.g, c.b, 255};
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, key + kl, col);
    if (s == NULL) {
        LOG(LOG_WARN, "text not drawn: %s", TTF_GetError());
        return NULL;
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(r->sdl, s);
    int w = s->w, hgt = s->h;
    SDL_FreeSurface(s);
    if (t == NULL) {
        LOG(LOG_WARN, "text texture not made: %s", SDL_GetError());
        return NULL;
    }
    if (victim->tex) SDL_DestroyTexture(victim->tex);
    victim->tex = t;
    victim->hash = h;
    memcpy(victim->key, key, (size_t)kl + len + 1);
    victim->w = w;
    victim->h = hgt;
    victim->last_used = r->tick;
    r->made++;
    return victim;
}

/* Width of text[0..len) in pixels: the layout module's measuring callback. */
int rd_measure(void *ctx, const char *text, size_t len, int px) {
    struct measure_ctx *m = ctx;
    TTF_Font *f = rd_get_font(m->r, px, m->bold);
    char buf[LAYOUT_MAX_TEXT + 8];
    if (f == NULL || len >= sizeof buf) return 1 << 20;
    memcpy(buf, text, len);
    buf[len] = '\0';
    int w = 0, h = 0;
    if (TTF_SizeUTF8(f, buf, &w, &h) != 0) return 1 << 20;
    return w;
}

int rd_text_width(struct render *r, const char *text, int px, bool bold) {
    struct measure_ctx m = {r, bold};
    return rd_measure(&m, text, strlen(text), px);
}

/* The largest size from px down to min_px at which s is at most avail
 * wide (min_px if none). Text width grows about linearly with the size, so
 * one measurement gives a close guess and another confirms it: each size
 * tried costs a font at that size, so a pixel-by-pixel search is slow. */
int rd_fit_px(struct render *r, const char *s, bool bold, int px, int min_px, float avail) {
    if (!s[0] || px <= min_px) return px < min_px ? px : (s[0] ? min_px : px);
    int w = rd_text_width(r, s, px, bold);
    if ((float)w <= avail) return px;
    int guess = (int)((float)px * avail / (float)w);
    if (guess < min_px) return min_px;
    while (guess > min_px && (float)rd_text_width(r, s, guess, bold) > avail) guess--;
    return guess;
}

int rd_ascent(struct render *r, int px, bool bold) {
    TTF_Font *f = rd_get_font(r, px, bold);
    return f ? TTF_FontAscent(f) : px;
}

void rd_set_colour(struct render *r, struct rgb c) {
    SDL_SetRenderDrawColor(r->sdl, c.r, c.g, c.b, 255);
}

void rd_fill(struct render *r, float x, float y, float w, float h, struct rgb c) {
    rd_set_colour(r, c);
    SDL_Rect rc = {(int)lroundf(x), (int)lroundf(y), 0, 0};
    rc.w = (int)lroundf(x + w) - rc.x;
    rc.h = (int)lroundf(y + h) - rc.y;
    if (rc.w > 0 && rc.h > 0 && !r->dry) SDL_RenderFillRect(r->sdl, &rc);
}

/* An outlined box: border of thickness t drawn inside the rectangle. */
void rd_frame_rect(struct render *r, float x, float y, float w, float h, float t,
                       struct rgb c) {
    if (t * 2 >= w || t * 2 >= h) {
        rd_fill(r, x, y, w, h, c);
        return;
    }
    rd_fill(r, x, y, w, t, c);
    rd_fill(r, x, y + h - t, w, t, c);
    rd_fill(r, x, y + t, t, h - 2 * t, c);
    rd_fill(r, x + w - t, y + t, t, h - 2 * t, c);
}

void render_set_trace(struct render *r, struct render_trace *t) {
    r->trace = t;
    if (t) t->n = 0, t->has_chart = false;
}

static void trace_text(struct render *r, const char *text, size_t len, int px, bool bold, SDL_Rect box) {
    struct render_trace *t = r->trace;
    if (t->n < t->max) {
        struct render_text_record *rec = &t->recs[t->n];
        snprintf(rec->text, sizeof rec->text, "%.*s", (int)len, text);
        if (r->block_src) snprintf(rec->source, sizeof rec->source, "%s", r->block_src);
        else snprintf(rec->source, sizeof rec->source, "%.*s", (int)len, text);
        rec->cut = r->block_src && r->block_cut;
        rec->px = px;
        rec->bold = bold;
        rec->x = (float)box.x, rec->y = (float)box.y, rec->w = (float)box.w, rec->h = (float)box.h;
    }
    t->n++;
}

void rd_trace_dropped(struct render *r, const char *const *items, size_t n) {
    if (r->trace == NULL || r->dry) return;
    for (size_t i = 0; i < n; i++) {
        /* The marker was just drawn: its record gives the box. */
        struct render_trace *t = r->trace;
        SDL_Rect box = {0, 0, 0, 0};
        if (t->n > 0 && t->n <= t->max) {
            const struct render_text_record *m = &t->recs[t->n - 1];
            box = (SDL_Rect){(int)m->x, (int)m->y, (int)m->w, (int)m->h};
        }
        const char *was = r->block_src;
        r->block_src = items[i];
        r->block_cut = true;
        trace_text(r, "…", strlen("…"), 0, false, box);
        r->block_src = was;
    }
}

/* Draws one line with its top-left (or top-centre, top-right) at x, y.
 * Returns its width. */
int rd_text_at(struct render *r, const char *text, size_t len, int px, bool bold,
                   struct rgb c, float x, float y, enum align al) {
    if (r->dry) {
        struct measure_ctx m = {r, bold};
        return len && px >= 4 ? rd_measure(&m, text, len, px) : 0;
    }
    struct text_entry *e = get_text(r, text, len, px, bold, c);
    if (e == NULL) return 0;
    float left = al == LEFT ? x : al == CENTER ? x - e->w / 2.0f : x - e->w;
    SDL_Rect dst = {(int)lroundf(left), (int)lroundf(y), e->w, e->h};
    if (r->trace) trace_text(r, text, len, px, bold, dst);
    SDL_RenderCopy(r->sdl, e->tex, NULL, &dst);
    return e->w;
}

int rd_text(struct render *r, const char *s, int px, bool bold, struct rgb c, float x,
                float y, enum align al) {
    return rd_text_at(r, s, strlen(s), px, bold, c, x, y, al);
}

/* Draws s so that its baseline sits at `baseline`. */
int rd_text_baseline(struct render *r, const char *s, int px, bool bold, struct rgb c,
                         float x, float baseline, enum align al) {
    return rd_text(r, s, px, bold, c, x, baseline - (float)rd_ascent(r, px, bold), al);
}

/* Fits s into width w and up to max_lines lines, from max_px down to
 * min_px; draws it from top y with the given line spacing factor. Returns
 * the height used. */
float rd_text_block(struct render *r, const char *s, float x, float y, float w,
                        size_t max_lines, int max_px, int min_px, bool bold, struct rgb c,
                        enum align al) {
    struct layout_block *b = xmalloc(sizeof *b);
    struct measure_ctx m = {r, bold};
    float used = 0;
    if (layout_fit(s, (int)w, max_lines, max_px, min_px, rd_measure, &m, b)) {
        float line_h = b->px * 1.3f;
        float ax = al == LEFT ? x : al == CENTER ? x + w / 2 : x + w;
        r->block_src = s;
        r->block_cut = b->cut;
        for (size_t i = 0; i < b->n_lines; i++)
            rd_text_at(r, b->text + b->lines[i].start, b->lines[i].len, b->px, bold, c, ax,
                    y + line_h * (float)i, al);
        r->block_src = NULL;
        used = line_h * (float)b->n_lines;
    }
    free(b);
    return used;
}

/* Pixel size for u-relative sizes. */
int rd_px_of(const struct render *r, float units) {
    int px = (int)lroundf(r->u * units);
    return px < 6 ? 6 : px;
}

float rd_heading_block(struct render *r, const char *s, float x, float y, float w,
                           size_t max_lines, int max_px, int one_line_min_px, int min_px, bool bold,
                           struct rgb c, enum align al) {
    if (rd_text_width(r, s, one_line_min_px, bold) <= (int)w)
        return rd_text_block(r, s, x, y, w, 1, max_px, one_line_min_px, bold, c, al);
    return rd_text_block(r, s, x, y, w, max_lines, max_px, min_px, bold, c, al);
}

void render_label(struct render *r, const char *s, int px, bool bold, int x, int y) {
    rd_text(r, s, px, bold, C_TEXT, (float)x, (float)y, LEFT);
}

/* --- the frame's geometry ------------------------------------------------ */

bool rd_is_portrait(const struct render *r) { return r->h > r->w; }
/* Portrait headers hold two rows: the town and the clock, then the date. */
float rd_header_height(const struct render *r) { return r->u * (rd_is_portrait(r) ? 13.0f : 10.5f); }
float rd_ticker_height(const struct render *r) { return r->ticker_on ? r->u * 7.0f : 0; }
/* The footer, and the ticker strip above it when there is one. */
float rd_footer_height(const struct render *r) { return rd_footer_band(r) + rd_ticker_height(r); }
/* The footer band itself: portrait screens (56u across) give the
 * departments a row of their own above the date and the page. */
float rd_footer_band(const struct render *r) { return r->u * (rd_is_portrait(r) ? 10.0f : 6.5f); }
float rd_margin(const struct render *r) { return r->w * 0.04f; }

/* The layout unit: 1% of the screen's height, so that body text (4u and
 * up) is 1/25 of the height in every orientation. A portrait screen is
 * then 56u wide and its slides stack what landscape puts side by side;
 * only a screen narrower than 9:16, or wider than 16:9 by far, is limited
 * by its width. */
float rd_unit_of(int w, int h) {
    float u = (float)h / 100.0f, by_width = (float)w / 56.25f;
    return u < by_width ? u : by_width;
}
