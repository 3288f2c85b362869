/* render_base: what the frame (render.c) and the slide kinds
 * (render_slides.c) both stand on: the fonts, the text texture cache,
 * measuring, the drawing primitives and the frame's geometry. It calls
 * neither of them, so the module's files depend on each other one way:
 * render.c -> render_slides.c -> render_base.c. Main thread only. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL_ttf.h>

#include "font.h"
#include "layout.h"
#include "log.h"
#include "utf8.h"
#include "util.h"
#include "render_internal.h"
#include "xalloc.h"

/* The face (0 regular, 1 bold, 2 + k fallback k) at size px, from the cache. */
static TTF_Font *face_font(struct render *r, int face, int px) {
    struct font_entry *victim = &r->fonts[0], *same = NULL;
    int n_same = 0;
    r->tick++;
    for (size_t i = 0; i < FONT_CACHE_SIZE; i++) {
        struct font_entry *e = &r->fonts[i];
        if (e->font && e->px == px && e->face == face) {
            e->last_used = r->tick;
            return e->font;
        }
        if (e->font == NULL || e->last_used < victim->last_used) victim = e;
        if (e->font && e->face == face && (same == NULL || e->last_used < same->last_used)) same = e;
        n_same += e->font && e->face == face;
    }
    /* Opening a face makes FreeType and HarfBuzz copy its tables (1.3 ms
     * and ~260 kB each time for BIZ UDPGothic), and fitting a text tries
     * many sizes: a face keeps at most FACE_SIZES fonts open, and the one
     * used longest ago takes the new size (the same glyphs as a font opened
     * at it). Callers hold at most two fonts of a face at a time (the size
     * they draw at and face_for's), never the least recently used one. */
    if (n_same >= FACE_SIZES && TTF_SetFontSize(same->font, px) == 0) {
        same->px = px;
        same->last_used = r->tick;
        return same->font;
    }
    if (r->font_map[face] == NULL) { /* once per face: the file, mapped */
        int fd = open(r->font_path[face], O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            st.st_size < (off_t)256 << 20) {
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m != MAP_FAILED) {
                r->font_map[face] = m;
                r->font_map_len[face] = (size_t)st.st_size;
            }
        }
        if (fd >= 0) close(fd);
    }
    TTF_Font *f = NULL;
    if (r->font_map[face]) {
        SDL_RWops *rw = SDL_RWFromConstMem(r->font_map[face], (int)r->font_map_len[face]);
        if (rw) f = TTF_OpenFontRW(rw, 1, px);
    } else {
        f = TTF_OpenFont(r->font_path[face], px);
    }
    if (f == NULL) {
        LOG(LOG_ERROR, "cannot open font %s at %dpx: %s", r->font_path[face], px, TTF_GetError());
        return NULL;
    }
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    if (victim->font) TTF_CloseFont(victim->font);
    victim->font = f;
    victim->px = px;
    victim->face = face;
    victim->last_used = r->tick;
    return f;
}

TTF_Font *rd_get_font(struct render *r, int px, bool bold) { return face_font(r, bold, px); }

/* Code points that belong to the cluster before them (they never start a
 * run of their own): joiners, variation selectors, skin tones, combining
 * marks, emoji tags, the keycap. */
static bool joins_previous(uint32_t c) {
    return c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
           (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F) || (c >= 0xE0020 && c <= 0xE007F) || (c >= 0x3099 && c <= 0x309A);
}

/* Which face draws cp: the main one when it has the glyph, else a
 * fallback fontconfig finds (remembered), else the main one (a box). */
static int face_for(struct render *r, uint32_t cp, bool bold) {
    TTF_Font *main_font = face_font(r, bold, 24);
    if (cp < 0x80 || main_font == NULL || TTF_GlyphIsProvided32(main_font, cp)) return bold;
    for (size_t i = 0; i < r->n_memo; i++)
        if (r->memo[i].cp == cp && r->memo[i].bold == bold) return r->memo[i].face;
    int face = bold;
    char *path = font_find_covering(cp, bold);
    if (path) {
        size_t k = 0;
        while (k < r->n_fallback && strcmp(r->font_path[2 + k], path) != 0) k++;
        if (k == r->n_fallback && k < FALLBACK_FACES) r->font_path[2 + r->n_fallback++] = xstrdup(path);
        if (k < r->n_fallback) face = 2 + (int)k;
        free(path);
    }
    if (r->n_memo < FALLBACK_MEMO) r->memo[r->n_memo++] = (struct fallback_memo){cp, bold, face};
    return face;
}

/* One run of text[0..len) drawn in one face: its byte length and face.
 * Returns 0 at the end. */
static size_t next_run(struct render *r, const char *text, size_t len, bool bold, int *face) {
    const char *p = text, *end = text + len;
    if (p >= end) return 0;
    uint32_t c = utf8_next(&p);
    *face = face_for(r, c, bold);
    bool after_zwj = c == 0x200D;
    while (p < end) {
        const char *q = p;
        uint32_t d = utf8_next(&q);
        if (!joins_previous(d) && !after_zwj && face_for(r, d, bold) != *face) break;
        after_zwj = d == 0x200D;
        p = q;
    }
    return (size_t)(p - text);
}

/* A run rendered in its face, scaled to the main face's line height when
 * the face has only fixed sizes (colour emoji). NULL on failure. */
static SDL_Surface *render_run(struct render *r, const char *run, size_t len, int face, int px, SDL_Color col,
                               int line_h) {
    TTF_Font *f = face_font(r, face, px);
    char buf[TEXT_MAX + 8];
    if (f == NULL || len >= sizeof buf) return NULL;
    memcpy(buf, run, len);
    buf[len] = '\0';
    SDL_Surface *s = TTF_RenderUTF8_Blended(f, buf, col);
    if (s == NULL || face < 2 || s->h <= line_h) return s;
    /* Too tall (a bitmap face at its one size): scaled to the line. */
    int w = (int)lroundf((float)s->w * (float)line_h / (float)s->h);
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, w > 0 ? w : 1, line_h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (d) {
        SDL_SetSurfaceBlendMode(s, SDL_BLENDMODE_NONE);
        SDL_BlitScaled(s, NULL, d, NULL);
    }
    SDL_FreeSurface(s);
    return d;
}

/* SDL_ttf makes a line taller, its baseline lower, when marks stack
 * above the face's ascent (e\u0301\u0301\u0301): such a line keeps its own
 * height with the marks' overflow clipped, so that it never pushes what
 * follows down. Takes s. */
static SDL_Surface *clip_to_line(SDL_Surface *s, int line_h) {
    /* A pixel or two over is the face's own overshoot: drawn as it is. */
    if (s == NULL || line_h <= 0 || s->h <= line_h + line_h / 8) return s;
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, s->w, line_h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (d) {
        SDL_Rect src = {0, s->h - line_h, s->w, line_h};
        SDL_SetSurfaceBlendMode(s, SDL_BLENDMODE_NONE);
        SDL_BlitSurface(s, &src, d, NULL);
    }
    SDL_FreeSurface(s);
    return d;
}

/* Text in more than one face, as one surface of the main face's line
 * height (marks stacked higher are clipped, never push the line down). */
static SDL_Surface *render_runs(struct render *r, const char *text, size_t len, int px, bool bold, SDL_Color col) {
    TTF_Font *main_font = face_font(r, bold, px);
    if (main_font == NULL) return NULL;
    int line_h = TTF_FontHeight(main_font), asc = TTF_FontAscent(main_font);
    SDL_Surface *parts[64];
    int faces[64];
    size_t n = 0, o = 0;
    int w = 0;
    while (o < len && n < ARRAY_LEN(parts)) {
        int face;
        size_t l = next_run(r, text + o, len - o, bold, &face);
        if (l == 0) break;
        parts[n] = render_run(r, text + o, l, face, px, col, line_h);
        if (face < 2) parts[n] = clip_to_line(parts[n], line_h);
        faces[n] = face;
        if (parts[n]) w += parts[n++]->w;
        o += l;
    }
    SDL_Surface *out = n ? SDL_CreateRGBSurfaceWithFormat(0, w > 0 ? w : 1, line_h, 32, SDL_PIXELFORMAT_ARGB8888) : NULL;
    int x = 0;
    for (size_t i = 0; i < n; i++) {
        if (out) {
            int y = 0;
            TTF_Font *f = face_font(r, faces[i], px);
            if (faces[i] >= 2 && f && parts[i]->h < line_h) y = asc - TTF_FontAscent(f);
            if (faces[i] >= 2 && parts[i]->h >= line_h) y = 0;
            SDL_SetSurfaceBlendMode(parts[i], SDL_BLENDMODE_NONE);
            SDL_Rect dst = {x, y, parts[i]->w, parts[i]->h};
            SDL_BlitSurface(parts[i], NULL, out, &dst);
        }
        x += parts[i]->w;
        SDL_FreeSurface(parts[i]);
    }
    return out;
}

/* True when all of text[0..len) is drawn by the main face (the fast path). */
static bool one_face(struct render *r, const char *text, size_t len, bool bold) {
    int face;
    return next_run(r, text, len, bold, &face) >= len && face == (int)bold;
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
    for (size_t i = 0; i < 2 + FALLBACK_FACES; i++)
        if (r->font_map[i]) munmap(r->font_map[i], r->font_map_len[i]);
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
    SDL_Surface *s = one_face(r, key + kl, len, bold) ? TTF_RenderUTF8_Blended(font, key + kl, col)
                                                       : render_runs(r, key + kl, len, px, bold, col);
    s = clip_to_line(s, TTF_FontHeight(font));
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
    if (!one_face(m->r, text, len, m->bold)) { /* the sum of the runs, as render_runs sets them */
        int total = 0, line_h = TTF_FontHeight(f), face;
        for (size_t o = 0, l; o < len && (l = next_run(m->r, text + o, len - o, m->bold, &face)) > 0; o += l) {
            TTF_Font *ff = face_font(m->r, face, px);
            int w = 0, h = 0;
            memcpy(buf, text + o, l);
            buf[l] = '\0';
            if (ff == NULL || TTF_SizeUTF8(ff, buf, &w, &h) != 0) return 1 << 20;
            if (face >= 2 && h > line_h && h > 0) w = (int)lroundf((float)w * (float)line_h / (float)h);
            total += w;
        }
        return total;
    }
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
    float left = al == ALIGN_LEFT ? x : al == ALIGN_CENTER ? x - e->w / 2.0f : x - e->w;
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
        float ax = al == ALIGN_LEFT ? x : al == ALIGN_CENTER ? x + w / 2 : x + w;
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
    rd_text(r, s, px, bold, C_TEXT, (float)x, (float)y, ALIGN_LEFT);
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
