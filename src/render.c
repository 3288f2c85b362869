/* render: the frame (header, footer, ticker, toast), text with its texture
 * and font caches, and the drawing primitives; the slide kinds are in
 * render_slides.c. */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <SDL_ttf.h>

#include "deck.h"
#include "feed.h"
#include "fmt.h"
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

struct render *render_new(SDL_Renderer *sdl, const char *regular_font, const char *bold_font) {
    struct render *r = xcalloc(1, sizeof *r);
    r->sdl = sdl;
    r->font_path[0] = xstrdup(regular_font);
    r->font_path[1] = xstrdup(bold_font);
    if (rd_get_font(r, 24, false) == NULL || rd_get_font(r, 24, true) == NULL) {
        render_free(r);
        return NULL;
    }
    return r;
}

void render_flush_textures(struct render *r) {
    for (size_t i = 0; i < TEXT_CACHE_SIZE; i++) {
        if (r->texts[i].tex) SDL_DestroyTexture(r->texts[i].tex);
        r->texts[i].tex = NULL;
    }
}

void render_free(struct render *r) {
    if (r == NULL) return;
    render_flush_textures(r);
    for (size_t i = 0; i < FONT_CACHE_SIZE; i++)
        if (r->fonts[i].font) TTF_CloseFont(r->fonts[i].font);
    free(r->font_path[0]);
    free(r->font_path[1]);
    free(r);
}

size_t render_colour_pairs(struct render_colour_pair *out, size_t max) {
    struct {
        const char *what;
        struct rgb fg, bg;
    } pairs[] = {
        {"body text on the page", C_TEXT, C_BG},
        {"body text on a panel", C_TEXT, C_PANEL},
        {"secondary text on a panel", C_TEXT_2, C_PANEL},
        {"secondary text on the page", C_TEXT_2, C_BG},
        {"footer text", C_TEXT_2, C_FOOTER},
        {"header text", C_HEADER_TEXT, C_HEADER},
        {"header subtitle", C_HEADER_TEXT_2, C_HEADER},
        {"achieved badge", C_OK_TEXT, C_OK},
        {"not-yet badge", C_NG_TEXT, C_NG},
        {"chart label in the current year's band", C_TEXT, C_NOW_BAND},
        {"secondary text in the current year's band", C_TEXT_2, C_NOW_BAND},
        {"住民DX chip", C_OK_TEXT, C_FIELD[0]},
        {"庁内DX chip", C_OK_TEXT, C_FIELD[1]},
        {"地域DX chip", C_OK_TEXT, C_FIELD[2]},
        {"住民DX effect tag", C_TEXT, C_FIELD_TINT[0]},
        {"庁内DX effect tag", C_TEXT, C_FIELD_TINT[1]},
        {"地域DX effect tag", C_TEXT, C_FIELD_TINT[2]},
        {"info alert", C_ALERT_FG[0], C_ALERT_BG[0]},
        {"warning alert", C_ALERT_FG[1], C_ALERT_BG[1]},
        {"emergency alert", C_ALERT_FG[2], C_ALERT_BG[2]},
    };
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(pairs) && n < max; i++, n++) {
        out[n].what = pairs[i].what;
        out[n].fg[0] = pairs[i].fg.r, out[n].fg[1] = pairs[i].fg.g, out[n].fg[2] = pairs[i].fg.b;
        out[n].bg[0] = pairs[i].bg.r, out[n].bg[1] = pairs[i].bg.g, out[n].bg[2] = pairs[i].bg.b;
    }
    return n;
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
    if (rc.w > 0 && rc.h > 0) SDL_RenderFillRect(r->sdl, &rc);
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

/* Draws one line with its top-left (or top-centre, top-right) at x, y.
 * Returns its width. */
int rd_text_at(struct render *r, const char *text, size_t len, int px, bool bold,
                   struct rgb c, float x, float y, enum align al) {
    struct text_entry *e = get_text(r, text, len, px, bold, c);
    if (e == NULL) return 0;
    float left = al == LEFT ? x : al == CENTER ? x - e->w / 2.0f : x - e->w;
    SDL_Rect dst = {(int)lroundf(left), (int)lroundf(y), e->w, e->h};
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
        for (size_t i = 0; i < b->n_lines; i++)
            rd_text_at(r, b->text + b->lines[i].start, b->lines[i].len, b->px, bold, c, ax,
                    y + line_h * (float)i, al);
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

/* --- the frame ---------------------------------------------------------- */

bool rd_is_portrait(const struct render *r) { return r->h > r->w; }
/* Portrait headers hold two rows: the town and the clock, then the date. */
float rd_header_height(const struct render *r) { return r->u * (rd_is_portrait(r) ? 13.0f : 10.5f); }
float rd_ticker_height(const struct render *r) { return r->ticker_on ? r->u * 7.0f : 0; }
/* The footer, and the ticker strip above it when there is one. */
float rd_footer_height(const struct render *r) { return r->u * 6.5f + rd_ticker_height(r); }
float rd_margin(const struct render *r) { return r->w * 0.04f; }

static void draw_header(struct render *r, const struct render_frame *f) {
    float h = rd_header_height(r), m = rd_margin(r), gap = r->u * 2.5f;
    rd_fill(r, 0, 0, (float)r->w, h, C_HEADER);
    float base = h * 0.66f;
    char date[64], clock[16];
    fmt_wareki_date(date, sizeof date, &f->now);
    fmt_clock(clock, sizeof clock, &f->now);
    int big = rd_px_of(r, 5.2f), datepx = rd_px_of(r, 3.4f), subpx = rd_px_of(r, 3.2f);
    const char *sub = "DX推進計画の進み具合";
    if (rd_is_portrait(r)) {
        float b1 = r->u * 6.6f, b2 = r->u * 11.2f;
        int cw = rd_text_baseline(r, clock, big, true, C_HEADER_TEXT, r->w - m, b1, RIGHT);
        rd_text_block(r, f->town_name, m, b1 - rd_ascent(r, big, true), r->w - 2 * m - cw - gap, 1, big,
                   rd_px_of(r, 3.0f), true, C_HEADER_TEXT, LEFT);
        int dw = rd_text_baseline(r, date, datepx, false, C_HEADER_TEXT, m, b2, LEFT);
        if (dw + gap + rd_text_width(r, sub, subpx, false) <= r->w - 2 * m)
            rd_text_baseline(r, sub, subpx, false, C_HEADER_TEXT_2, r->w - m, b2, RIGHT);
        return;
    }
    /* Right to left: the clock, the date, then the town's name; the subtitle
     * only where it fits between them. */
    int cw = rd_text_baseline(r, clock, big, true, C_HEADER_TEXT, r->w - m, base, RIGHT);
    int dw = rd_text_baseline(r, date, datepx, false, C_HEADER_TEXT, r->w - m - cw - r->u * 2.0f,
                           base, RIGHT);
    float left_room = r->w - 2 * m - cw - dw - r->u * 2.0f - gap;
    struct measure_ctx mc = {r, true};
    float tw = fminf((float)rd_measure(&mc, f->town_name, strlen(f->town_name), big), left_room);
    if (tw > r->u * 4)
        rd_text_block(r, f->town_name, m, base - rd_ascent(r, big, true), tw + 1, 1, big,
                   rd_px_of(r, 3.0f), true, C_HEADER_TEXT, LEFT);
    if (tw + gap + rd_text_width(r, sub, subpx, false) <= left_room)
        rd_text_baseline(r, sub, subpx, false, C_HEADER_TEXT_2, m + tw + gap, base, LEFT);
}

static void draw_footer(struct render *r, const struct render_frame *f, const char *left) {
    float h = r->u * 6.5f, y = (float)r->h - h, m = rd_margin(r);
    rd_fill(r, 0, y, (float)r->w, h, C_FOOTER);
    int px = rd_px_of(r, 2.8f);
    float base = y + h * 0.64f;
    char right[160] = "";
    if (f->feed && f->feed->has_updated_at) {
        struct tm tm;
        char when[64];
        localtime_r(&f->feed->updated_at, &tm);
        fmt_seireki_datetime(when, sizeof when, &tm);
        snprintf(right, sizeof right, "%s最終更新 %s", f->stale ? "保存データを表示中・" : "", when);
    }
    char page[32] = "";
    if (f->deck && f->deck->n > 0) snprintf(page, sizeof page, "%zu / %zu", f->index + 1, f->deck->n);
    int pw = rd_text_baseline(r, page, px, true, C_TEXT_2, r->w - m, base, RIGHT);
    /* A narrow screen: the date shrinks a little rather than run off the edge. */
    int rpx = rd_fit_px(r, right, false, px, rd_px_of(r, 2.2f), r->w - 2 * m - pw - r->u * 3);
    int rw = rd_text_baseline(r, right, rpx, false, C_TEXT_2, r->w - m - pw - r->u * 3, base, RIGHT);
    /* The left text gets what the right side leaves, cut with "…" if need be. */
    float avail = r->w - 2 * m - pw - rw - r->u * 6;
    if (left && avail > r->u * 10)
        rd_text_block(r, left, m, base - rd_ascent(r, px, false), avail, 1, px, px, false, C_TEXT_2,
                   LEFT);
}

/* The layout unit: 1% of the screen's height, so that body text (4u and
 * up) is 1/25 of the height in every orientation. A portrait screen is
 * then 56u wide and its slides stack what landscape puts side by side;
 * only a screen narrower than 9:16, or wider than 16:9 by far, is limited
 * by its width. */
static float unit_of(int w, int h) {
    float u = (float)h / 100.0f, by_width = (float)w / 56.25f;
    return u < by_width ? u : by_width;
}

static void frame_metrics(struct render *r, const struct render_frame *f) {
    SDL_GetRendererOutputSize(r->sdl, &r->w, &r->h);
    r->u = unit_of(r->w, r->h);
    r->ticker_on = f->n_ticker > 0 && f->alert == NULL;
}

/* The ticker's text is drawn in pieces of at most this many characters, so
 * that no texture is wider than a GPU allows (a Pi's may stop at 2048). */
#define TICKER_PIECE 16
static const char TICKER_SEP[] = "　◆　";

/* Calls draw(x, piece) for every piece of the cycle, returns its width. */
static int ticker_pieces(struct render *r, const struct render_frame *f, int px, float x0, float y,
                         bool draw) {
    float x = x0;
    for (size_t i = 0; i < f->n_ticker; i++) {
        const char *s = f->ticker[i];
        if (!utf8_valid(s, strlen(s))) continue;
        while (*s) {
            const char *e = s;
            for (int k = 0; k < TICKER_PIECE && *e; k++) utf8_next(&e);
            if (draw && x < r->w) x += (float)rd_text_at(r, s, (size_t)(e - s), px, false, C_HEADER_TEXT, x, y, LEFT);
            else {
                struct measure_ctx mc = {r, false};
                x += (float)rd_measure(&mc, s, (size_t)(e - s), px);
            }
            s = e;
        }
        if (draw && x < r->w) x += (float)rd_text_at(r, TICKER_SEP, sizeof TICKER_SEP - 1, px, false, C_HEADER_TEXT_2, x, y, LEFT);
        else {
            struct measure_ctx mc = {r, false};
            x += (float)rd_measure(&mc, TICKER_SEP, sizeof TICKER_SEP - 1, px);
        }
    }
    return (int)(x - x0);
}

double render_ticker_speed(struct render *r) { return r->u * 14.0; }

SDL_Rect render_body_rect(int w, int h, bool ticker) {
    struct render r = {0};
    r.w = w;
    r.h = h;
    r.u = (float)(w < h ? w : h) / 100.0f;
    r.ticker_on = ticker;
    int top = (int)ceilf(rd_header_height(&r)), bottom = (int)floorf((float)h - rd_footer_height(&r));
    SDL_Rect rc = {0, top, w, bottom - top};
    return rc;
}

int render_ticker(struct render *r, const struct render_frame *f, double offset) {
    frame_metrics(r, f);
    if (!r->ticker_on) return 0;
    float h = rd_ticker_height(r), y = (float)r->h - r->u * 6.5f - h;
    rd_fill(r, 0, y, (float)r->w, h, C_HEADER);
    int px = rd_px_of(r, 4.0f);
    float ty = y + (h - (float)TTF_FontHeight(rd_get_font(r, px, false))) / 2;
    int cycle = ticker_pieces(r, f, px, 0, ty, false);
    if (cycle <= 0) return 0;
    /* Enough copies of the cycle to cover the strip, starting off-screen left. */
    double o = fmod(offset, (double)cycle);
    for (float x = -(float)o; x < (float)r->w; x += (float)cycle) {
        if (x + (float)cycle <= 0) continue;
        ticker_pieces(r, f, px, x, ty, true);
    }
    return cycle;
}

void render_toast(struct render *r, const char *msg, bool ok) {
    SDL_GetRendererOutputSize(r->sdl, &r->w, &r->h);
    r->u = unit_of(r->w, r->h);
    /* Landscape: the USB mark beside the text; portrait (56u across): above it. */
    bool portrait = rd_is_portrait(r);
    float mg = rd_margin(r), pad = r->u * 2.5f, mark_h = r->u * 6.0f;
    float badge_w = r->u * 12.0f, w = (float)r->w - 2 * mg;
    float tx = portrait ? mg + pad : mg + badge_w + pad * 2, tw = portrait ? w - 2 * pad : w - badge_w - pad * 3;
    struct layout_block *b = xmalloc(sizeof *b);
    struct measure_ctx m = {r, true};
    if (layout_fit(msg, (int)tw, portrait ? 5 : 3, rd_px_of(r, 4.2f), rd_px_of(r, portrait ? 4.0f : 3.4f), rd_measure, &m, b)) {
        float line_h = b->px * 1.3f, text_h = line_h * (float)b->n_lines;
        float h = text_h + pad * 2 + (portrait ? mark_h + r->u * 1.5f : 0);
        float y = (float)r->h - rd_footer_height(r) - r->u * 2.0f - h;
        struct rgb bg = ok ? C_OK : C_NG, fg = ok ? C_OK_TEXT : C_NG_TEXT;
        rd_fill(r, mg - r->u * 0.4f, y - r->u * 0.4f, w + r->u * 0.8f, h + r->u * 0.8f, C_PANEL);
        rd_fill(r, mg, y, w, h, bg);
        float my = portrait ? y + pad : y + (h - mark_h) / 2;
        rd_fill(r, mg + pad, my, badge_w, mark_h, fg);
        rd_text(r, "USB", rd_px_of(r, 3.6f), true, bg, mg + pad + badge_w / 2,
             my + (mark_h - (float)TTF_FontHeight(rd_get_font(r, rd_px_of(r, 3.6f), true))) / 2, CENTER);
        float ty = portrait ? my + mark_h + r->u * 1.5f : y + pad;
        for (size_t i = 0; i < b->n_lines; i++)
            rd_text_at(r, b->text + b->lines[i].start, b->lines[i].len, b->px, true, fg, tx, ty + line_h * (float)i,
                    LEFT);
    }
    free(b);
}

void render_draw(struct render *r, const struct render_frame *f) {
    frame_metrics(r, f);
    rd_set_colour(r, C_BG);
    SDL_RenderClear(r->sdl);
    if (f->alert) { /* the alert takes the whole screen */
        rd_draw_alert(r, f, f->alert);
        return;
    }

    const struct slide *s = f->deck && f->index < f->deck->n ? &f->deck->slides[f->index] : NULL;
    const struct feed_measure *m = s && f->feed && (s->kind == SLIDE_KPI || s->kind == SLIDE_DETAIL) &&
                                           s->item < f->feed->n_measures
                                       ? &f->feed->measures[s->item]
                                       : NULL;
    char dept[512] = "";
    if (m && m->n_departments) {
        size_t o = (size_t)snprintf(dept, sizeof dept, "担当 ");
        for (size_t i = 0; i < m->n_departments && o < sizeof dept; i++)
            o += (size_t)snprintf(dept + o, sizeof dept - o, "%s%s", i ? "・" : "",
                                  m->departments[i]);
    }
    draw_header(r, f);
    if (s && f->feed) {
        switch (s->kind) {
        case SLIDE_SUMMARY: rd_draw_summary(r, f); break;
        case SLIDE_KPI:
            if (m) rd_draw_kpi(r, f, m);
            break;
        case SLIDE_DETAIL:
            if (m) rd_draw_detail(r, f, m);
            break;
        case SLIDE_ROADMAP:
            if (s->item < FEED_FIELD_COUNT) rd_draw_roadmap(r, f, (int)s->item);
            break;
        case SLIDE_IMAGE:
            if (s->item < f->feed->n_media) rd_draw_image_slide(r, f, &f->feed->media[s->item]);
            break;
        case SLIDE_ANNOUNCEMENT:
            if (s->item < f->feed->n_announcements) rd_draw_announcement(r, f, &f->feed->announcements[s->item]);
            break;
        }
    }
    draw_footer(r, f, dept[0] ? dept : NULL);
    if (r->ticker_on) rd_fill(r, 0, (float)r->h - rd_footer_height(r), (float)r->w, rd_ticker_height(r), C_HEADER);
}
