/* render: the frame (header, footer, ticker, toast) and the module's API;
 * the slide kinds are in render_slides.c, the fonts, text cache, drawing
 * primitives and frame geometry they both use in render_base.c. */
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
#include "utf8.h"
#include "util.h"
#include "render_internal.h"
#include "xalloc.h"

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

void render_free(struct render *r) {
    if (r == NULL) return;
    rd_caches_free(r);
    for (size_t i = 0; i < 2 + r->n_fallback; i++) free(r->font_path[i]);
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
        int cw = rd_text_baseline(r, clock, big, true, C_HEADER_TEXT, r->w - m, b1, ALIGN_RIGHT);
        rd_text_block(r, f->town_name, m, b1 - rd_ascent(r, big, true), r->w - 2 * m - cw - gap, 1, big,
                   rd_px_of(r, 3.0f), true, C_HEADER_TEXT, ALIGN_LEFT);
        int dw = rd_text_baseline(r, date, datepx, false, C_HEADER_TEXT, m, b2, ALIGN_LEFT);
        if (dw + gap + rd_text_width(r, sub, subpx, false) <= r->w - 2 * m)
            rd_text_baseline(r, sub, subpx, false, C_HEADER_TEXT_2, r->w - m, b2, ALIGN_RIGHT);
        return;
    }
    /* Right to left: the clock, the date, then the town's name; the subtitle
     * only where it fits between them. */
    int cw = rd_text_baseline(r, clock, big, true, C_HEADER_TEXT, r->w - m, base, ALIGN_RIGHT);
    int dw = rd_text_baseline(r, date, datepx, false, C_HEADER_TEXT, r->w - m - cw - r->u * 2.0f,
                           base, ALIGN_RIGHT);
    float left_room = r->w - 2 * m - cw - dw - r->u * 2.0f - gap;
    struct measure_ctx mc = {r, true};
    float tw = fminf((float)rd_measure(&mc, f->town_name, strlen(f->town_name), big), left_room);
    if (tw > r->u * 4)
        rd_text_block(r, f->town_name, m, base - rd_ascent(r, big, true), tw + 1, 1, big,
                   rd_px_of(r, 3.0f), true, C_HEADER_TEXT, ALIGN_LEFT);
    if (tw + gap + rd_text_width(r, sub, subpx, false) <= left_room)
        rd_text_baseline(r, sub, subpx, false, C_HEADER_TEXT_2, m + tw + gap, base, ALIGN_LEFT);
}

static void draw_footer(struct render *r, const struct render_frame *f, const char *left) {
    float h = rd_footer_band(r), y = (float)r->h - h, m = rd_margin(r);
    rd_fill(r, 0, y, (float)r->w, h, C_FOOTER);
    int px = rd_px_of(r, 2.8f);
    bool two_rows = rd_is_portrait(r);
    float base = two_rows ? y + h * 0.78f : y + h * 0.64f;
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
    int pw = rd_text_baseline(r, page, px, true, C_TEXT_2, r->w - m, base, ALIGN_RIGHT);
    /* A narrow screen: the date shrinks a little rather than run off the edge. */
    int rpx = rd_fit_px(r, right, false, px, rd_px_of(r, 2.2f), r->w - 2 * m - pw - r->u * 3);
    int rw = rd_text_baseline(r, right, rpx, false, C_TEXT_2, r->w - m - pw - r->u * 3, base, ALIGN_RIGHT);
    /* The left text gets what the right side leaves (portrait: the row
     * above), cut with "…" if need be. */
    float avail = two_rows ? r->w - 2 * m : r->w - 2 * m - pw - rw - r->u * 6;
    float lbase = two_rows ? y + h * 0.38f : base;
    if (left && avail > r->u * 10)
        rd_text_block(r, left, m, lbase - rd_ascent(r, px, false), avail, 1, px, px, false, C_TEXT_2,
                   ALIGN_LEFT);
}

static void frame_metrics(struct render *r, const struct render_frame *f) {
    SDL_GetRendererOutputSize(r->sdl, &r->w, &r->h);
    r->u = rd_unit_of(r->w, r->h);
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
            if (draw && x >= r->w) return (int)(x - x0); /* the rest is off-screen right */
            if (draw) x += (float)rd_text_at(r, s, (size_t)(e - s), px, false, C_HEADER_TEXT, x, y, ALIGN_LEFT);
            else {
                struct measure_ctx mc = {r, false};
                x += (float)rd_measure(&mc, s, (size_t)(e - s), px);
            }
            s = e;
        }
        if (draw && x >= r->w) return (int)(x - x0);
        if (draw) x += (float)rd_text_at(r, TICKER_SEP, sizeof TICKER_SEP - 1, px, false, C_HEADER_TEXT_2, x, y, ALIGN_LEFT);
        else {
            struct measure_ctx mc = {r, false};
            x += (float)rd_measure(&mc, TICKER_SEP, sizeof TICKER_SEP - 1, px);
        }
    }
    return (int)(x - x0);
}

static int ticker_strip(struct render *r, const struct render_frame *f, double offset, float h, float y);

double render_ticker_speed(struct render *r) { return r->u * 14.0; }

SDL_Rect render_body_rect(int w, int h, bool ticker) {
    /* The same unit and heights the frame is drawn with, rounded as
     * rd_fill rounds them, so the rectangle starts on the first row below
     * the header and ends on the last row above the ticker or footer. */
    struct render r = {0};
    r.w = w;
    r.h = h;
    r.u = rd_unit_of(w, h);
    r.ticker_on = ticker;
    int top = (int)lroundf(rd_header_height(&r)), bottom = (int)lroundf((float)h - rd_footer_height(&r));
    SDL_Rect rc = {0, top, w, bottom - top};
    return rc;
}

SDL_Rect render_header_rect(int w, int h) {
    struct render r = {0};
    r.w = w;
    r.h = h;
    r.u = rd_unit_of(w, h);
    SDL_Rect rc = {0, 0, w, (int)lroundf(rd_header_height(&r))};
    return rc;
}

void render_header(struct render *r, const struct render_frame *f) {
    frame_metrics(r, f);
    SDL_Rect band = render_header_rect(r->w, r->h);
    SDL_RenderSetClipRect(r->sdl, &band);
    draw_header(r, f);
    SDL_RenderSetClipRect(r->sdl, NULL);
}

SDL_Rect render_ticker_rect(int w, int h) {
    struct render r = {0};
    r.w = w;
    r.h = h;
    r.u = rd_unit_of(w, h);
    r.ticker_on = true;
    float th = rd_ticker_height(&r), y = (float)h - rd_footer_band(&r) - th;
    SDL_Rect rc = {0, (int)lroundf(y), w, 0};
    rc.h = (int)lroundf(y + th) - rc.y;
    return rc;
}

int render_ticker(struct render *r, const struct render_frame *f, double offset) {
    frame_metrics(r, f);
    if (!r->ticker_on) return 0;
    float h = rd_ticker_height(r), y = (float)r->h - rd_footer_band(r) - h;
    /* Nothing outside the strip: a frame that updates only the strip's
     * rectangle (render_ticker_rect) must miss no pixel. */
    SDL_Rect strip = render_ticker_rect(r->w, r->h);
    SDL_RenderSetClipRect(r->sdl, &strip);
    int cycle = ticker_strip(r, f, offset, h, y);
    SDL_RenderSetClipRect(r->sdl, NULL);
    return cycle;
}

static int ticker_strip(struct render *r, const struct render_frame *f, double offset, float h, float y) {
    rd_fill(r, 0, y, (float)r->w, h, C_HEADER);
    int px = rd_px_of(r, 4.0f);
    float ty = y + (h - (float)TTF_FontHeight(rd_get_font(r, px, false))) / 2;
    Uint64 sig = 1469598103934665603ull; /* FNV-1a over the lines */
    for (size_t i = 0; i < f->n_ticker; i++) {
        for (const unsigned char *c = (const unsigned char *)f->ticker[i]; *c; c++) sig = (sig ^ *c) * 1099511628211ull;
        sig = (sig ^ 0xff) * 1099511628211ull;
    }
    if (sig != r->ticker_sig || px != r->ticker_px) {
        r->ticker_cycle = ticker_pieces(r, f, px, 0, ty, false);
        r->ticker_sig = sig;
        r->ticker_px = px;
    }
    int cycle = r->ticker_cycle;
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
    r->u = rd_unit_of(r->w, r->h);
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
             my + (mark_h - (float)TTF_FontHeight(rd_get_font(r, rd_px_of(r, 3.6f), true))) / 2, ALIGN_CENTER);
        float ty = portrait ? my + mark_h + r->u * 1.5f : y + pad;
        for (size_t i = 0; i < b->n_lines; i++)
            rd_text_at(r, b->text + b->lines[i].start, b->lines[i].len, b->px, true, fg, tx, ty + line_h * (float)i,
                    ALIGN_LEFT);
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
            if (s->item < f->feed->n_media) rd_draw_image_slide(r, f, deck_slide_caption(f->feed, f->pictures, s));
            break;
        case SLIDE_LOCAL_IMAGE: rd_draw_image_slide(r, f, deck_slide_caption(f->feed, f->pictures, s)); break;
        case SLIDE_ANNOUNCEMENT:
            if (s->item < f->feed->n_announcements) rd_draw_announcement(r, f, &f->feed->announcements[s->item]);
            break;
        }
    }
    draw_footer(r, f, dept[0] ? dept : NULL);
    if (r->ticker_on) rd_fill(r, 0, (float)r->h - rd_footer_height(r), (float)r->w, rd_ticker_height(r), C_HEADER);
}
