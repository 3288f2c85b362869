/* render_slides: each slide kind (summary, KPI with its chart, measure
 * detail, roadmap, picture, announcement with its QR code) and the urgent
 * alert, laid out relative to the screen with render.c's primitives. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>
#include <qrencode.h>

#include "chart.h"
#include "deck.h"
#include "feed.h"
#include "fmt.h"
#include "layout.h"
#include "log.h"
#include "render_internal.h"
#include "util.h"
#include "xalloc.h"

/* --- the KPI slide ------------------------------------------------------ */

/* For chart_lay_out: a text's width and its line's height. */
static int chart_measure(void *ctx, const char *s, int px, bool bold, int *h) {
    struct render *r = ctx;
    TTF_Font *f = rd_get_font(r, px, bold);
    int w = 0, hh = 0;
    if (f == NULL || TTF_SizeUTF8(f, s, &w, &hh) != 0) w = 1 << 20, hh = px;
    if (h) *h = hh;
    return w;
}

/* Draws the chart exactly as chart_lay_out placed it. */
static void draw_chart(struct render *r, const struct feed_measure *m, int current_fy, float x, float y, float w,
                       float h) {
    struct chart_series s;
    chart_series_of(m, current_fy, &s);
    struct chart_layout *l = xmalloc(sizeof *l);
    chart_lay_out(&s, x, y, w, h, r->u, rd_is_portrait(r), chart_measure, r, l);
    struct rgb field = C_FIELD[m->field];
    float edge = fmaxf(1, r->u * 0.3f);
    for (int pass = 0; pass < 2; pass++) /* the band first, behind everything */
        for (size_t i = 0; i < l->n_rects; i++) {
            const struct chart_rect *c = &l->rects[i];
            const struct chart_box *b = &c->box;
            if ((pass == 0) != (c->kind == CHART_BAND)) continue;
            switch (c->kind) {
            case CHART_BAND: rd_fill(r, b->x, b->y, b->w, b->h, C_NOW_BAND); break;
            case CHART_GRID: rd_fill(r, b->x, b->y, b->w, b->h, C_GRID); break;
            case CHART_BASE: rd_fill(r, b->x, b->y, b->w, b->h, C_AXIS); break;
            case CHART_BAR_TARGET:
            case CHART_KEY_TARGET:
                rd_fill(r, b->x, b->y, b->w, b->h, C_TARGET_FILL);
                rd_frame_rect(r, b->x, b->y, b->w, b->h, edge, C_TARGET_EDGE);
                break;
            case CHART_BAR_ACTUAL:
            case CHART_KEY_ACTUAL: rd_fill(r, b->x, b->y, b->w, b->h, field); break;
            }
        }
    for (size_t i = 0; i < l->n_texts; i++) {
        const struct chart_text *t = &l->texts[i];
        rd_text(r, t->s, t->px, t->bold, t->secondary ? C_TEXT_2 : C_TEXT, t->box.x, t->box.y, ALIGN_LEFT);
    }
    if (r->trace && !r->dry) {
        r->trace->chart = *l;
        r->trace->chart_box = (struct chart_box){x, y, w, h};
        r->trace->has_chart = true;
    }
    free(l);
}

/* A pill-shaped label: filled box with text inside. Returns its width. */
static float badge(struct render *r, const char *s, int px, struct rgb bg, struct rgb fg, float x,
                   float y) {
    float pad = px * 0.55f;
    float w = (float)rd_text_width(r, s, px, true) + pad * 2;
    rd_fill(r, x, y, w, px * 1.5f, bg);
    rd_text(r, s, px, true, fg, x + pad, y + px * 0.25f, ALIGN_LEFT);
    return w;
}

/* The big number with its unit set smaller on the same baseline; px is the
 * number's size. Returns the height used. */
static float big_value(struct render *r, double v, const char *unit, float x, float top, int px) {
    char num[48];
    fmt_value(num, sizeof num, v, NULL);
    int small = (int)lroundf(px * 0.42f);
    float base = top + rd_ascent(r, px, true);
    int w = rd_text_baseline(r, num, px, true, C_TEXT, x, base, ALIGN_LEFT);
    rd_text_baseline(r, unit, small, true, C_TEXT, x + w + r->u * 0.6f, base, ALIGN_LEFT);
    return (float)px * 1.05f;
}

/* The largest size from px down to min_px at which the number num with its
 * unit (set at 0.42 of its size, as big_value does) fits avail: a
 * proportional guess, then down a pixel at a time. */
static int value_px(struct render *r, const char *num, const char *unit, int px, int min_px, float avail) {
    float wn = (float)rd_text_width(r, num, px, true), wu = (float)rd_text_width(r, unit, (int)(px * 0.42f), true);
    if (wn + wu + r->u > avail) px = (int)((float)px * (avail - r->u) / (wn + wu));
    if (px < min_px) px = min_px;
    while (px > min_px && rd_text_width(r, num, px, true) + rd_text_width(r, unit, (int)(px * 0.42f), true) + r->u > avail)
        px--;
    return px;
}

/* The results the plan reports in words for the measure ("R6年度の実績:
 * レジ導入"), latest first, joined by "　"; "" when there are none. */
static void actual_notes_text(const struct feed_measure *m, char *buf, size_t size) {
    size_t o = 0;
    buf[0] = '\0';
    for (int yy = FEED_FY_COUNT - 1; yy >= 0 && o + 1 < size; yy--)
        if (m->actual_notes[yy]) {
            char fys[32];
            fmt_fy_short(fys, sizeof fys, FEED_FY_FIRST + yy);
            o += (size_t)snprintf(buf + o, size - o, "%s%sの実績: %s", o ? "　" : "", fys, m->actual_notes[yy]);
        }
}

/* The left panel of a KPI slide: the latest actual, big, against its
 * target with the achievement, and at the bottom this year's target. The
 * big number takes whatever height the rest leaves (up to 15u). */
static void draw_kpi_numbers(struct render *r, const struct feed_measure *m, int current_fy,
                             float x, float y, float w, float h) {
    char buf[200], fy_s[32], val[96], tval[96]; /* units of 8 characters */
    int label = rd_px_of(r, 3.6f), body = rd_px_of(r, 4.2f);
    int latest = feed_latest_actual_fy(m);
    double actual = 0, target = 0;
    bool has_actual = latest && feed_series_get(&m->actuals, latest, &actual);
    bool has_target = has_actual && feed_series_get(&m->targets, latest, &target);

    /* This year's target; else the next year that has one. */
    int tfy = 0;
    for (int fy = current_fy; fy <= FEED_FY_LAST && !tfy; fy++)
        if (feed_series_get(&m->targets, fy, NULL)) tfy = fy;
    int target_px = rd_px_of(r, 7.0f);
    float bottom_h = tfy ? target_px * 1.05f + label * 1.4f + r->u * 2.0f : 0;

    char notes[256];
    actual_notes_text(m, notes, sizeof notes);
    float top_h = label * 1.4f + (has_target ? body * 3.0f + r->u * 1.5f : 0) + (notes[0] ? label * 1.4f : 0);
    float room = h - top_h - bottom_h - r->u * 2.0f;
    if (room < r->u * 8.0f && tfy) { /* tight (4:3, 5:4): a smaller bottom block */
        target_px = rd_px_of(r, 5.0f);
        float small_h = target_px * 1.05f + label * 1.4f + r->u * 2.0f;
        room += bottom_h - small_h;
        bottom_h = small_h;
    }
    if (room < r->u * 6.0f && tfy) { /* too tight: drop the bottom block (the chart has the target) */
        tfy = 0;
        room += bottom_h;
    }
    int big = (int)fminf((float)rd_px_of(r, 15.0f), room / 1.05f);

    float cy = y;
    if (has_actual && big >= rd_px_of(r, 4.0f)) {
        fmt_fy_long(fy_s, sizeof fy_s, latest);
        snprintf(buf, sizeof buf, "%s の実績", fy_s);
        rd_text_block(r, buf, x, cy, w, 1, label, rd_px_of(r, 2.8f), false, C_TEXT_2, ALIGN_LEFT);
        cy += label * 1.4f;
        cy += big_value(r, actual, m->unit, x, cy, big);
        if (has_target) {
            int pct = fmt_achievement_percent(actual, target);
            fmt_value(tval, sizeof tval, target, m->unit);
            snprintf(buf, sizeof buf, "目標 %s　達成率 %d%%", tval, pct);
            cy += r->u * 0.5f;
            rd_text_block(r, buf, x, cy, w, 1, body, rd_px_of(r, 3.0f), false, C_TEXT, ALIGN_LEFT);
            cy += body * 1.5f;
            /* Achieved or not is told by the mark and the words, not only colour. */
            if (actual >= target) {
                badge(r, "◎ 目標達成", body, C_OK, C_OK_TEXT, x, cy);
            } else {
                fmt_value(val, sizeof val, target - actual, m->unit);
                snprintf(buf, sizeof buf, "△ 目標まで あと%s", val);
                badge(r, buf, body, C_NG, C_NG_TEXT, x, cy);
            }
            cy += body * 1.5f + r->u * 1.0f;
        }
        if (notes[0]) cy += rd_text_block(r, notes, x, cy, w, 1, label, rd_px_of(r, 2.8f), false, C_TEXT, ALIGN_LEFT);
    } else {
        rd_text(r, "実績", label, false, C_TEXT_2, x, cy, ALIGN_LEFT);
        cy += label * 1.4f;
        cy += rd_text_block(r, "まだ公表されていません", x, cy, w, 2, body, rd_px_of(r, 3.0f), true,
                         C_TEXT, ALIGN_LEFT);
    }

    if (tfy) {
        /* Anchored to the bottom of the panel, below a rule. */
        float top = y + h - bottom_h;
        rd_fill(r, x, top, w, fmaxf(1, r->u * 0.15f), C_PANEL_EDGE);
        top += r->u * 2.0f;
        fmt_fy_long(fy_s, sizeof fy_s, tfy);
        snprintf(buf, sizeof buf, tfy == current_fy ? "今年度 %s の目標" : "%s の目標", fy_s);
        rd_text_block(r, buf, x, top, w, 1, label, rd_px_of(r, 2.8f), false, C_TEXT_2, ALIGN_LEFT);
        feed_series_get(&m->targets, tfy, &target);
        big_value(r, target, m->unit, x, top + label * 1.4f, target_px);
    }
}

/* The numbers of a KPI slide as one wide panel (portrait): the latest
 * actual on the left, big; its target, the achievement and the badge on
 * the right. This year's target is on the chart below, marked 今年度. */
static void draw_kpi_numbers_wide(struct render *r, const struct feed_measure *m, float x, float y, float w,
                                  float h) {
    char buf[320], fy_s[32], val[96], tval[96]; /* units of 8 characters */
    int label = rd_px_of(r, 3.4f), body = rd_px_of(r, 3.6f);
    int latest = feed_latest_actual_fy(m);
    double actual = 0, target = 0;
    bool has_actual = latest && feed_series_get(&m->actuals, latest, &actual);
    bool has_target = has_actual && feed_series_get(&m->targets, latest, &target);
    if (!has_actual) {
        rd_text(r, "実績", label, false, C_TEXT_2, x, y, ALIGN_LEFT);
        rd_text_block(r, "まだ公表されていません", x, y + label * 1.4f, w, 2, body, rd_px_of(r, 3.4f), true, C_TEXT, ALIGN_LEFT);
        return;
    }
    float rw = 0;
    if (has_target) {
        /* The target over a badge that says, by mark and words, how it went. */
        int pct = fmt_achievement_percent(actual, target);
        fmt_value(tval, sizeof tval, target, m->unit);
        if (actual >= target) {
            snprintf(buf, sizeof buf, "◎ 達成 %d%%", pct);
        } else {
            fmt_value(val, sizeof val, target - actual, m->unit);
            snprintf(buf, sizeof buf, "△ あと%s (%d%%)", val, pct);
        }
        char t1[112];
        snprintf(t1, sizeof t1, "目標 %s", tval);
        float bw = (float)rd_text_width(r, buf, body, true) + body * 1.1f;
        rw = fmaxf(bw, (float)rd_text_width(r, t1, body, false));
        float by = y + h - body * 1.5f;
        rd_text(r, t1, body, false, C_TEXT, x + w, by - body * 1.4f - r->u * 0.4f, ALIGN_RIGHT);
        badge(r, buf, body, actual >= target ? C_OK : C_NG, actual >= target ? C_OK_TEXT : C_NG_TEXT, x + w - bw, by);
    }
    fmt_fy_short(fy_s, sizeof fy_s, latest);
    char notes[256];
    actual_notes_text(m, notes, sizeof notes);
    /* Results in words follow the year: 「R6年度の実績: レジ導入」. */
    if (notes[0] && strncmp(notes, fy_s, strlen(fy_s)) == 0) snprintf(buf, sizeof buf, "%s", notes);
    else if (notes[0]) snprintf(buf, sizeof buf, "%sの実績　%s", fy_s, notes);
    else snprintf(buf, sizeof buf, "%sの実績", fy_s);
    float lw = w - rw - r->u * 2;
    /* The label sits above the target line: it may run wider than the
     * number's column, across the panel when the target line is low enough. */
    float target_top = has_target ? y + h - body * 1.5f - body * 1.4f - r->u * 0.4f : y + h;
    float label_w = y + label * 1.35f <= target_top ? w : w * 0.55f;
    rd_text_block(r, buf, x, y, label_w, 1, label, rd_px_of(r, 2.8f), false, C_TEXT_2, ALIGN_LEFT);
    fmt_value(val, sizeof val, actual, NULL);
    float room = h - label * 1.4f;
    int big = value_px(r, val, m->unit, (int)fminf((float)rd_px_of(r, 15.0f), room / 1.05f), rd_px_of(r, 4.0f), lw);
    big_value(r, actual, m->unit, x, y + h - big * 1.05f, big);
}

void rd_draw_kpi(struct render *r, const struct render_frame *f, const struct feed_measure *m) {
    float mg = rd_margin(r), cw = r->w - 2 * mg;
    bool portrait = r->h > r->w;
    float y = rd_header_height(r) + r->u * (portrait ? 2.5f : 3.5f);
    int current_fy = fmt_fiscal_year(&f->now);

    /* Field chip and measure number. */
    int chip_px = rd_px_of(r, 3.2f);
    float chip_w = badge(r, feed_field_name(m->field), chip_px, C_FIELD[m->field], C_OK_TEXT, mg, y);
    char buf[520]; /* "指標: " and a metric name of 120 characters */
    snprintf(buf, sizeof buf, "施策 %s", m->id);
    rd_text(r, buf, rd_px_of(r, 3.6f), true, C_TEXT_2, mg + chip_w + r->u * 1.8f,
         y + (chip_px * 1.5f - rd_px_of(r, 3.6f)) / 2, ALIGN_LEFT);
    y += chip_px * 1.5f + r->u * 1.5f;

    if (portrait)
        y += rd_heading_block(r, m->name, mg, y, cw, 2, rd_px_of(r, 5.6f), rd_px_of(r, 4.4f), rd_px_of(r, 4.4f), true, C_TEXT,
                           ALIGN_LEFT);
    else
        y += rd_text_block(r, m->name, mg, y, cw, 2, rd_px_of(r, 7.0f), rd_px_of(r, 4.8f), true, C_TEXT, ALIGN_LEFT);
    snprintf(buf, sizeof buf, "指標: %s", m->metric_name ? m->metric_name : "");
    y += r->u * 0.5f;
    y += rd_text_block(r, buf, mg, y, cw, 1, rd_px_of(r, 4.2f), rd_px_of(r, 3.2f), false, C_TEXT_2, ALIGN_LEFT);
    y += r->u * (portrait ? 1.5f : 2.5f);

    float bottom = (float)r->h - rd_footer_height(r) - r->u * (portrait ? 2.0f : 3.0f);
    float pad = r->u * (portrait ? 2.2f : 3.0f);
    float gap = r->u * (portrait ? 1.5f : 2.5f);
    float lw = portrait ? cw : cw * 0.40f;
    float lh = portrait ? fminf((bottom - y) * 0.36f, r->u * 18) : bottom - y;
    rd_fill(r, mg, y, lw, lh, C_PANEL);
    rd_frame_rect(r, mg, y, lw, lh, fmaxf(1, r->u * 0.12f), C_PANEL_EDGE);
    if (portrait) draw_kpi_numbers_wide(r, m, mg + pad, y + pad, lw - 2 * pad, lh - 2 * pad);
    else draw_kpi_numbers(r, m, current_fy, mg + pad, y + pad, lw - 2 * pad, lh - 2 * pad);

    float rx = portrait ? mg : mg + lw + gap, ry = portrait ? y + lh + gap : y;
    float rw = portrait ? cw : cw - lw - gap, rh = bottom - ry;
    rd_fill(r, rx, ry, rw, rh, C_PANEL);
    rd_frame_rect(r, rx, ry, rw, rh, fmaxf(1, r->u * 0.12f), C_PANEL_EDGE);
    draw_chart(r, m, current_fy, rx + pad, ry + pad * 0.8f, rw - 2 * pad, rh - pad * 1.6f);
}

/* --- shared pieces of the slides ------------------------------------------ */

/* The slide's heading: a chip (field or kind), a small label and a title
 * fitted to two lines. Returns the y below it. */
static float slide_heading(struct render *r, const char *chip, struct rgb chip_bg, const char *label,
                           const char *title, float y) {
    float mg = rd_margin(r), cw = r->w - 2 * mg;
    int chip_px = rd_px_of(r, 3.2f);
    float chip_w = chip ? badge(r, chip, chip_px, chip_bg, C_OK_TEXT, mg, y) : 0;
    if (label) {
        float lx = mg + chip_w + (chip ? r->u * 1.8f : 0);
        int lpx = rd_fit_px(r, label, true, rd_px_of(r, 3.6f), rd_px_of(r, 2.8f), mg + cw - lx);
        rd_text_block(r, label, lx, y + (chip_px * 1.5f - (float)lpx) / 2, mg + cw - lx, 1, lpx, lpx, true, C_TEXT_2,
                   ALIGN_LEFT);
    }
    y += chip_px * 1.5f + r->u * 1.5f;
    if (title == NULL) return y;
    /* Portrait: 56u across; a title keeps to one line while it can. */
    bool p = rd_is_portrait(r);
    y += rd_heading_block(r, title, mg, y, cw, 2, rd_px_of(r, p ? 5.6f : 7.0f), rd_px_of(r, p ? 4.4f : 5.2f),
                       rd_px_of(r, p ? 4.4f : 4.8f), true, C_TEXT, ALIGN_LEFT);
    return y + r->u * 1.5f;
}

static void panel(struct render *r, float x, float y, float w, float h) {
    rd_fill(r, x, y, w, h, C_PANEL);
    rd_frame_rect(r, x, y, w, h, fmaxf(1, r->u * 0.12f), C_PANEL_EDGE);
}

static float body_bottom(const struct render *r) {
    return (float)r->h - rd_footer_height(r) - r->u * 3.0f;
}

/* --- the summary ------------------------------------------------------------ */

/* What the summary's cards share: the number's size and, for cards, the
 * room for it (relative to the card's top), so that the four numbers are
 * set at one size on one line. The first, measuring pass asks each card
 * for its largest size and room (big = 0); the second draws them all at
 * the smallest size in the room every card has. */
struct summary_share {
    int big;             /* 0: as large as the card allows */
    float num_top, num_bottom; /* the number's room, from the card's top; bottom 0: own room */
};

/* A badge's text size: px, or smaller so that the badge fits w. */
static int badge_px(struct render *r, const char *s, int px, float w) {
    /* badge() adds 0.55 px of padding on each side. */
    while (px > 6 && (float)rd_text_width(r, s, px, true) + px * 1.1f > w) px--;
    return px;
}

static void summary_card(struct render *r, const struct feed_measure *m, float x, float y, float w,
                         float h, bool year_in_label, struct summary_share *sh) {
    panel(r, x, y, w, h);
    rd_fill(r, x, y, w, r->u * 1.2f, C_FIELD[m->field]);
    float pad = r->u * 2.5f, cx = x + pad, cw = w - 2 * pad, cy = y + r->u * 1.2f + pad * 0.8f;
    float end = y + h - pad;
    int title = rd_px_of(r, 4.4f), small = rd_px_of(r, 3.2f);
    cy += rd_heading_block(r, m->metric_name ? m->metric_name : m->name, cx, cy, cw, 2, title,
                        rd_px_of(r, 3.4f), rd_px_of(r, 3.4f), true, C_TEXT, ALIGN_LEFT);
    char buf[820]; /* an id and a name of 200 characters */
    snprintf(buf, sizeof buf, "%s %s", m->id, m->name);
    /* Which measure: two lines where the card is tall, else one, ending
     * with "…" when the name is longer. */
    cy += rd_text_block(r, buf, cx, cy, cw, h > r->u * 40 ? 2 : 1, small, rd_px_of(r, 2.6f), false, C_TEXT_2, ALIGN_LEFT);
    int fy = feed_latest_actual_fy(m);
    double actual = 0, target = 0;
    if (!fy || !feed_series_get(&m->actuals, fy, &actual)) {
        rd_text_block(r, "実績はまだありません", cx, cy + r->u * 2, cw, 2, title, small, true, C_TEXT, ALIGN_LEFT);
        return;
    }
    bool has_t = feed_series_get(&m->targets, fy, &target);
    /* From the bottom up: the badge, the target line; the number takes the
     * room that is left, as large as the card's width allows. */
    float badge_top = end - title * 1.5f;
    float line_top = badge_top - small * 1.6f;
    char fy_s[32], tv[96];
    fmt_fy_short(fy_s, sizeof fy_s, fy);
    if (has_t) {
        fmt_value(tv, sizeof tv, target, m->unit);
        if (year_in_label) snprintf(buf, sizeof buf, "目標 %s", tv);
        else snprintf(buf, sizeof buf, "%s実績・目標 %s", fy_s, tv);
        int pct = fmt_achievement_percent(actual, target);
        rd_text_block(r, buf, cx, line_top, cw, 1, small, rd_px_of(r, 2.4f), false, C_TEXT_2, ALIGN_LEFT);
        snprintf(buf, sizeof buf, actual >= target ? "◎ 達成 %d%%" : "△ 達成率 %d%%", pct);
        int bpx = badge_px(r, buf, title, cw);
        badge(r, buf, bpx, actual >= target ? C_OK : C_NG, actual >= target ? C_OK_TEXT : C_NG_TEXT,
              cx, badge_top + (title - bpx) * 0.75f);
    } else {
        snprintf(buf, sizeof buf, "%s実績", fy_s);
        rd_text_block(r, buf, cx, badge_top, cw, 1, small, rd_px_of(r, 2.4f), false, C_TEXT_2, ALIGN_LEFT);
        line_top = badge_top;
    }
    char num[48];
    fmt_value(num, sizeof num, actual, NULL);
    if (sh->num_bottom > 0) { /* the room every card has */
        cy = fmaxf(cy, y + sh->num_top);
        line_top = fminf(line_top, y + sh->num_bottom);
    }
    /* The number and its smaller unit together fit the card. */
    int big = value_px(r, num, m->unit, (int)fminf((float)rd_px_of(r, 16.0f), (line_top - cy - r->u) / 1.05f),
                       rd_px_of(r, 5.0f), cw);
    if (sh->big > 0 && sh->big < big) big = sh->big;
    float top = cy + (line_top - cy - big * 1.05f) / 2; /* centred in its room */
    if (sh->num_bottom == 0) { /* the measuring pass: report */
        sh->big = big;
        sh->num_top = cy - y;
        sh->num_bottom = line_top - y;
    }
    big_value(r, actual, m->unit, cx, top, big);
}

/* A summary card as a wide row (portrait screens stack the headline
 * measures): what is counted across the top; under it the number, as
 * large as the row allows, and on the right the year's target over the
 * achievement badge. */
static void summary_row(struct render *r, const struct feed_measure *m, float x, float y, float w, float h,
                        bool year_in_label, struct summary_share *sh) {
    panel(r, x, y, w, h);
    rd_fill(r, x, y, r->u * 1.2f, h, C_FIELD[m->field]);
    float pad = fminf(r->u * 1.4f, h * 0.08f), lx = x + r->u * 1.2f + pad * 1.6f;
    float iw = x + w - pad * 1.6f - lx;
    /* The title, then the target over the badge on the right: all of it
     * must fit the row's height, so the sizes give a little on short rows. */
    float title_f = r->u * 4.2f, small_f = r->u * 3.2f, bpx_f = r->u * 3.4f;
    float need = pad * 2 + title_f * 1.3f + r->u * 0.6f + small_f * 1.3f + r->u * 0.3f + bpx_f * 1.5f;
    float k = need > h ? (h - pad * 2 - r->u * 0.9f) / (need - pad * 2 - r->u * 0.9f) : 1.0f;
    int title = (int)(title_f * k), small = (int)(small_f * k), bpx = (int)(bpx_f * k);
    const char *head = m->metric_name ? m->metric_name : m->name;
    float th = rd_heading_block(r, head, lx, y + pad, iw, 1, title, (int)(title * 0.8f), (int)(title * 0.8f), true,
                                C_TEXT, ALIGN_LEFT);
    /* Which measure: on a line of its own in a tall row (4:3, 5:4), else
     * beside what is counted where there is room (cut with "…"). */
    {
        char which[820]; /* an id and a name of 200 characters */
        snprintf(which, sizeof which, "%s %s", m->id, m->name);
        float hw = fminf((float)rd_text_width(r, head, title, true), iw);
        float sx = lx + hw + r->u * 2.0f, sw_ = lx + iw - sx;
        if (h > r->u * 22)
            th += r->u * 0.3f + rd_text_block(r, which, lx, y + pad + th + r->u * 0.3f, iw, 1, small,
                                              (int)(small * 0.85f), false, C_TEXT_2, ALIGN_LEFT);
        else if (sw_ > r->u * 6)
            rd_text_block(r, which, sx, y + pad + (title - small) * 0.8f, sw_, 1, small, (int)(small * 0.85f), false,
                          C_TEXT_2, ALIGN_LEFT);
    }
    float top = y + pad + th + r->u * 0.6f, bottom = y + h - pad, band = bottom - top;
    int fy = feed_latest_actual_fy(m);
    double actual = 0, target = 0;
    if (!fy || !feed_series_get(&m->actuals, fy, &actual)) {
        rd_text_block(r, "実績はまだありません", lx, top + (band - small * 1.3f) / 2, iw, 1, small, small, false,
                   C_TEXT_2, ALIGN_LEFT);
        return;
    }
    bool has_t = feed_series_get(&m->targets, fy, &target);
    char buf[200], fy_s[32], tv[96], num[48];
    fmt_fy_short(fy_s, sizeof fy_s, fy);
    /* Right: the target over the badge, both bottom-aligned. */
    float right_w = 0;
    if (has_t) {
        int pct = fmt_achievement_percent(actual, target);
        snprintf(buf, sizeof buf, actual >= target ? "◎ 達成 %d%%" : "△ 達成率 %d%%", pct);
        float bw = (float)rd_text_width(r, buf, bpx, true) + bpx * 1.1f;
        badge(r, buf, bpx, actual >= target ? C_OK : C_NG, actual >= target ? C_OK_TEXT : C_NG_TEXT,
              lx + iw - bw, bottom - bpx * 1.5f);
        right_w = bw;
        fmt_value(tv, sizeof tv, target, m->unit);
        if (year_in_label) snprintf(buf, sizeof buf, "目標 %s", tv);
        else snprintf(buf, sizeof buf, "%s実績・目標 %s", fy_s, tv);
    } else {
        snprintf(buf, sizeof buf, "%s実績", fy_s);
    }
    right_w = fmaxf(right_w, (float)rd_text_width(r, buf, small, false));
    rd_text(r, buf, small, false, C_TEXT_2, lx + iw,
         fmaxf(top, bottom - (has_t ? bpx * 1.5f + r->u * 0.3f : 0) - small * 1.3f), ALIGN_RIGHT);
    /* Left: the number, as large as the room allows. */
    fmt_value(num, sizeof num, actual, NULL);
    float room_w = iw - right_w - r->u * 2.0f, room_h = bottom - top;
    int big = value_px(r, num, m->unit, (int)fminf((float)rd_px_of(r, 12.0f), room_h / 1.02f), rd_px_of(r, 3.0f),
                       room_w);
    if (sh->big > 0 && sh->big < big) big = sh->big;
    sh->big = big;
    big_value(r, actual, m->unit, lx, bottom - big * 1.0f, big);
}

void rd_draw_summary(struct render *r, const struct render_frame *f) {
    size_t heads[DECK_MAX_HEADLINES];
    size_t n = deck_headlines(f->feed, heads);
    bool portrait = r->h > r->w;
    /* Portrait: the title goes beside the chip, leaving the height to the
     * numbers; when every number is of the same year, the year goes there
     * too, so that each row needs only the target beside its number. */
    int common_fy = -1;
    for (size_t i = 0; i < n; i++) {
        int fy = feed_latest_actual_fy(&f->feed->measures[heads[i]]);
        common_fy = common_fy == -1 || common_fy == fy ? fy : 0;
    }
    char label[96] = "数字で見る 美郷町のDX";
    if (common_fy > 0) {
        char fy_s[32];
        fmt_fy_short(fy_s, sizeof fy_s, common_fy);
        snprintf(label, sizeof label, "%sの実績と目標", fy_s);
    }
    float y = portrait ? slide_heading(r, "主な指標", C_HEADER, label, NULL, rd_header_height(r) + r->u * 2.0f) - r->u * 0.5f
                       : slide_heading(r, "主な指標", C_HEADER, common_fy > 0 ? label : NULL, "数字で見る 美郷町のDX",
                                       rd_header_height(r) + r->u * 3.5f);
    float mg = rd_margin(r), cw = r->w - 2 * mg, bottom = body_bottom(r);
    size_t cols = portrait ? 1 : (n <= 4 ? (n < 2 ? 1 : 2) : 3);
    if (!portrait && n == 4 && (float)r->w / (float)r->h > 1.5f) cols = 4;
    size_t rows = (n + cols - 1) / cols;
    float gap = r->u * (portrait ? 1.2f : 2.5f);
    float cwid = (cw - gap * (float)(cols - 1)) / (float)cols;
    float chgt = (bottom - y - gap * (float)(rows - 1)) / (float)rows;
    /* Two passes: the first only measures, finding the size each number
     * could take; the second draws every number at the smallest of them, so
     * that 63 does not look bigger than 2,239. */
    struct summary_share shared = {0};
    for (int pass = 0; pass < 2; pass++) {
        r->dry = pass == 0;
        for (size_t i = 0; i < n; i++) {
            size_t c = i % cols, rw = i / cols;
            struct summary_share own = pass ? shared : (struct summary_share){0};
            if (cwid > chgt * 1.8f)
                summary_row(r, &f->feed->measures[heads[i]], mg + (cwid + gap) * (float)c, y + (chgt + gap) * (float)rw, cwid, chgt,
                            common_fy > 0, &own);
            else
                summary_card(r, &f->feed->measures[heads[i]], mg + (cwid + gap) * (float)c,
                             y + (chgt + gap) * (float)rw, cwid, chgt, common_fy > 0, &own);
            if (pass == 1 || own.big <= 0) continue;
            if (shared.big == 0 || own.big < shared.big) shared.big = own.big;
            if (own.num_bottom > 0) {
                shared.num_top = fmaxf(shared.num_top, own.num_top);
                shared.num_bottom = shared.num_bottom > 0 ? fminf(shared.num_bottom, own.num_bottom) : own.num_bottom;
            }
        }
        /* Rows (portrait) keep their own room; only the size is shared. */
        if (pass == 0 && shared.num_bottom <= shared.num_top) shared.num_bottom = 0, shared.num_top = 0;
    }
    r->dry = false;
}

/* --- the measure detail -------------------------------------------------------- */

/* The plan's text for fiscal year fy in one row: "⇒" continues the last
 * named step, so it resolves to that step. NULL when the row is silent. */
static const char *plan_text(const struct feed_plan_row *row, int fy, bool *continued) {
    *continued = false;
    for (int y = fy; y >= FEED_FY_FIRST; y--) {
        const char *t = row->by_year[y - FEED_FY_FIRST];
        if (t == NULL) return y == fy ? NULL : NULL;
        if (strcmp(t, "⇒") != 0) return t;
        *continued = true;
    }
    return NULL;
}

/* How the plan panel of a detail slide is set: body text size, lines per
 * plan step, and the size of the effects' tags. Tried from the roomiest
 * to the tightest until the panel's content fits. */
struct plan_fit {
    float body_u;      /* body text in units (never below 4) */
    size_t plan_lines; /* lines a plan step may take before "…" */
    float tag_u;       /* the effects' tags (labels, may be smaller) */
    bool inline_effects; /* the effects as one line of text after their heading */
};
static const struct plan_fit plan_fits[] = {
    {4.2f, 3, 3.6f, false}, {4.0f, 3, 3.4f, false}, {4.0f, 2, 3.2f, false},
    {4.0f, 2, 3.2f, true},  {4.0f, 3, 3.2f, true}, /* the last: steps take what the room gives */
};

/* Draws what is left of a list that did not fit as one line, "ほかN件…",
 * where the list would go on; the dropped items are then visibly cut. */
static float more_marker(struct render *r, const char *const *items, size_t n, float x, float y, int px) {
    char buf[48];
    snprintf(buf, sizeof buf, "ほか%zu件…", n);
    rd_text(r, buf, px, false, C_TEXT_2, x, y, ALIGN_LEFT);
    rd_trace_dropped(r, items, n);
    return px * 1.3f;
}

/* One plan panel being set: where it goes, its fit and its sizes, and
 * this year's plan steps. */
struct plan_panel {
    struct render *r;
    const struct feed_measure *m;
    const struct plan_fit *pf;
    float cx, inner, end;
    int head, body, tag, minpx;
    const char *steps[16];
    bool conts[16]; /* the step continues an earlier year's (【継続】) */
    size_t n_steps;
};

/* This year's plan steps, one per plan row that says something. */
static void collect_steps(struct plan_panel *p, int fy) {
    for (size_t i = 0; i < p->m->n_plan && p->n_steps < ARRAY_LEN(p->steps); i++) {
        const char *t = plan_text(&p->m->plan[i], fy, &p->conts[p->n_steps]);
        if (t) p->steps[p->n_steps++] = t;
    }
}

/* The room the notes, then the effects' heading and one row of tags, keep
 * below the steps. */
static float plan_tail(const struct plan_panel *p) {
    const struct render *r = p->r;
    size_t n_notes = 0;
    for (int yy = 0; yy < FEED_FY_COUNT; yy++) n_notes += p->m->actual_notes[yy] != NULL;
    int head = p->head, tag = p->tag, minpx = p->minpx;
    return (float)n_notes * (r->u + minpx * 1.3f) +
           (p->m->n_effects ? p->pf->inline_effects ? r->u + tag * 1.3f * 2 : r->u * 1.5f + head * 1.5f + tag * 1.6f
                            : 0);
}

/* 「期待される効果　A・B・C」: the effects as one line of text. */
static void join_effects(const struct feed_measure *m, char *buf, size_t size) {
    size_t o = (size_t)snprintf(buf, size, "期待される効果　");
    for (size_t i = 0; i < m->n_effects && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "・" : "", m->effects[i]);
}

/* No room for the plan with the notes and effects after it: a line each
 * (steps, notes, effects), as many as fit, and "ほかN件…" for the rest. */
static float plan_as_lines(const struct plan_panel *p, float cy) {
    struct render *r = p->r;
    const struct feed_measure *m = p->m;
    int minpx = p->minpx;
    static char rows[16 + FEED_FY_COUNT + 1][1200];
    const char *all[ARRAY_LEN(rows)], *src[ARRAY_LEN(rows)];
    size_t na = 0;
    for (size_t i = 0; i < p->n_steps; i++) {
        snprintf(rows[na], sizeof rows[na], "%s%s", p->conts[i] ? "【継続】" : "", p->steps[i]);
        src[na] = p->steps[i];
        all[na] = rows[na], na++;
    }
    for (int yy = FEED_FY_COUNT - 1; yy >= 0; yy--)
        if (m->actual_notes[yy]) {
            char fys[32];
            fmt_fy_short(fys, sizeof fys, FEED_FY_FIRST + yy);
            snprintf(rows[na], sizeof rows[na], "%sの実績: %s", fys, m->actual_notes[yy]);
            src[na] = rows[na];
            all[na] = rows[na], na++;
        }
    if (m->n_effects) {
        join_effects(m, rows[na], sizeof rows[na]);
        src[na] = rows[na];
        all[na] = rows[na], na++;
    }
    float line = minpx * 1.3f;
    size_t fit = (size_t)fmaxf(1, floorf((p->end - cy + r->u) / (line + r->u)));
    for (size_t i = 0; i < na; i++) {
        if (i + 1 == fit && i + 1 < na) {
            cy += more_marker(r, src + i, na - i, p->cx + r->u * 2.2f, cy, minpx) + r->u;
            break;
        }
        bool step = i < p->n_steps;
        if (step) rd_fill(r, p->cx, cy + minpx * 0.45f, r->u * 0.9f, r->u * 0.9f, C_FIELD[m->field]);
        cy += rd_text_block(r, all[i], p->cx + (step ? r->u * 2.2f : 0), cy, p->inner - (step ? r->u * 2.2f : 0), 1,
                            minpx, minpx, step, C_TEXT, ALIGN_LEFT) + r->u;
    }
    return cy;
}

/* This year's steps, each with as many lines (up to the fit's) as leave
 * the rest a line each and the tail its room; failing that, the rest
 * counted in "ほかN件…". */
static float plan_steps(const struct plan_panel *p, float cy, float tail) {
    struct render *r = p->r;
    int body = p->body, minpx = p->minpx;
    char buf[560]; /* 【継続】 and a plan text of 120 characters */
    for (size_t i = 0; i < p->n_steps; i++) {
        float line = minpx * 1.3f, rest = (float)(p->n_steps - i - 1) * (line + r->u);
        if (i + 1 < p->n_steps && cy + line + r->u + rest + tail > p->end) { /* not a line each: count the rest */
            cy += more_marker(r, p->steps + i, p->n_steps - i, p->cx + r->u * 2.2f, cy, minpx) + r->u;
            break;
        }
        size_t lines = p->pf->plan_lines;
        while (lines > 1 && cy + body * 1.3f * (float)lines + r->u + rest + tail > p->end) lines--;
        rd_fill(r, p->cx, cy + body * 0.45f, r->u * 0.9f, r->u * 0.9f, C_FIELD[p->m->field]);
        snprintf(buf, sizeof buf, "%s%s", p->conts[i] ? "【継続】" : "", p->steps[i]);
        cy += rd_text_block(r, buf, p->cx + r->u * 2.2f, cy, p->inner - r->u * 2.2f, lines, body, minpx, true, C_TEXT,
                            ALIGN_LEFT) + r->u * 1.0f;
    }
    if (p->n_steps == 0)
        cy += rd_text_block(r, "今年度の予定はありません", p->cx, cy, p->inner, 1, body, minpx, false, C_TEXT_2, ALIGN_LEFT) +
              r->u;
    return cy;
}

/* Results reported in words (「実施」), latest first. */
static float plan_notes(const struct plan_panel *p, float cy) {
    struct render *r = p->r;
    char buf[560];
    for (int yy = FEED_FY_COUNT - 1; yy >= 0; yy--)
        if (p->m->actual_notes[yy]) {
            char fys[32];
            fmt_fy_short(fys, sizeof fys, FEED_FY_FIRST + yy);
            snprintf(buf, sizeof buf, "%sの実績: %s", fys, p->m->actual_notes[yy]);
            cy += r->u * 0.5f;
            cy += rd_text_block(r, buf, p->cx, cy, p->inner, 1, p->body, p->minpx, false, C_TEXT, ALIGN_LEFT) + r->u * 0.5f;
        }
    return cy;
}

/* Tight: 「期待される効果　A・B・C」 as one line (up to three), cut with "…". */
static float effects_inline(const struct plan_panel *p, float cy) {
    struct render *r = p->r;
    int tag = p->tag;
    char eff[1200];
    join_effects(p->m, eff, sizeof eff);
    cy += r->u * 1.0f;
    size_t lines = isinf(p->end) ? 3 : (size_t)fmaxf(1, fminf(3, floorf((p->end - cy) / (tag * 1.3f))));
    return cy + rd_text_block(r, eff, p->cx, cy, p->inner, lines, tag, tag, true, C_TEXT_2, ALIGN_LEFT);
}

/* The effects under their heading as tags, wrapping to the panel's width;
 * a tag wider than the panel is cut to it (a block of one line). */
static float effects_tags(const struct plan_panel *p, float cy) {
    struct render *r = p->r;
    const struct feed_measure *m = p->m;
    int tag = p->tag;
    float cx = p->cx, inner = p->inner;
    cy += r->u * 1.5f;
    rd_text(r, "期待される効果", p->head, true, C_TEXT_2, cx, cy, ALIGN_LEFT);
    cy += p->head * 1.5f;
    float bx = cx;
    for (size_t i = 0; i < m->n_effects; i++) {
        float ew = (float)rd_text_width(r, m->effects[i], tag, true) + tag * 1.1f;
        if (bx > cx && bx + ew > cx + inner) {
            bx = cx;
            cy += tag * 1.9f;
        }
        if (ew > inner) {
            rd_fill(r, bx, cy, inner, tag * 1.5f, C_FIELD_TINT[m->field]);
            rd_text_block(r, m->effects[i], bx + tag * 0.55f, cy + tag * 0.25f, inner - tag * 1.1f, 1, tag, tag, true,
                          C_TEXT, ALIGN_LEFT);
            bx += inner + r->u;
        } else {
            bx += badge(r, m->effects[i], tag, C_FIELD_TINT[m->field], C_TEXT, bx, cy) + r->u;
        }
    }
    return cy + tag * 1.5f;
}

/* The plan panel's content (this year's plan, results in words, the
 * expected effects) from y down to at most end, at fit pf. Returns the y
 * below what it drew. Whatever does not fit is cut with "…" or counted in
 * a "ほかN件…" line: nothing is left out without a sign. */
static float detail_plan_panel(struct render *r, const struct feed_measure *m, int fy, float cx, float cy,
                               float inner, float end, const struct plan_fit *pf) {
    struct plan_panel p = {.r = r, .m = m, .pf = pf, .cx = cx, .inner = inner, .end = end};
    p.head = rd_px_of(r, 3.6f);
    p.body = rd_px_of(r, pf->body_u);
    p.tag = rd_px_of(r, pf->tag_u);
    p.minpx = rd_px_of(r, 4.0f);
    char fy_s[32], buf[560];
    fmt_fy_long(fy_s, sizeof fy_s, fy);
    snprintf(buf, sizeof buf, "今年度 %s の計画", fy_s);
    rd_text_block(r, buf, cx, cy, inner, 1, p.head, rd_px_of(r, 2.8f), true, C_TEXT_2, ALIGN_LEFT);
    cy += p.head * 1.5f;
    collect_steps(&p, fy);
    float tail = plan_tail(&p);
    if (cy + p.minpx * 1.3f + r->u + tail > end) return plan_as_lines(&p, cy);
    cy = plan_steps(&p, cy, tail);
    cy = plan_notes(&p, cy);
    if (m->n_effects && pf->inline_effects) return effects_inline(&p, cy);
    if (m->n_effects) return effects_tags(&p, cy);
    return cy;
}

/* The roomiest fit at which the plan panel's content ends by `end`
 * (measured without drawing), else the tightest. */
static const struct plan_fit *detail_plan_fit(struct render *r, const struct feed_measure *m, int fy, float cx,
                                              float cy, float inner, float end, float *need, float *least) {
    bool was = r->dry;
    r->dry = true;
    const struct plan_fit *pf = &plan_fits[ARRAY_LEN(plan_fits) - 1];
    if (least) { /* the tightest, a line a step */
        struct plan_fit one = *pf;
        one.plan_lines = 1;
        *least = detail_plan_panel(r, m, fy, cx, cy, inner, INFINITY, &one) - cy;
    }
    for (size_t i = 0; i + 1 < ARRAY_LEN(plan_fits); i++) {
        float h = detail_plan_panel(r, m, fy, cx, cy, inner, INFINITY, &plan_fits[i]) - cy;
        if (i == 0 && need) *need = h;
        if (cy + h <= end) {
            pf = &plan_fits[i];
            break;
        }
    }
    r->dry = was;
    return pf;
}

/* Portrait: the points' panel height, the plan below getting what it
 * needs (at least 30%) where that leaves the points their heading and a
 * line each, else its least; the points keep at least the first point and
 * "ほかN件…" for the rest. */
static float detail_points_height(struct render *r, const struct feed_measure *m, int fy, float avail, float cw,
                                  float pad) {
    float need = 0, least = 0;
    detail_plan_fit(r, m, fy, 0, 0, cw - 2 * pad, 0, &need, &least);
    need += pad * 1.4f;
    least += pad * 1.4f;
    float line = rd_px_of(r, 4.0f) * 1.3f + r->u, points_head = pad * 1.4f + rd_px_of(r, 3.6f) * 1.5f;
    float points = points_head + (float)m->n_description * line;
    float plan_h = fminf(need, fmaxf(least, avail - points));
    return fmaxf(points_head + line * (m->n_description > 1 ? 2.0f : 1.0f) + r->u * 0.5f, avail - plan_h);
}

/* One size for all the points: the largest from body down to minpx at
 * which every point fits whole between cy and end; 0 when there is none. */
static int points_joint_px(struct render *r, const struct feed_measure *m, float cy, float inner, float end,
                           int body, int minpx) {
    int joint_px = 0;
    if (m->n_description == 0) return 0;
    struct layout_block *b = xmalloc(sizeof *b);
    struct measure_ctx mc = {r, false};
    for (int px = body; px >= minpx && !joint_px; px -= px / 24 > 0 ? px / 24 : 1) {
        float total = 0;
        bool ok = true;
        for (size_t i = 0; i < m->n_description && ok; i++) {
            ok = layout_fit(m->description[i], (int)(inner - r->u * 2.2f), LAYOUT_MAX_LINES, px, px, rd_measure, &mc,
                            b);
            total += (float)b->n_lines * px * 1.3f + r->u;
        }
        if (ok && cy + total <= end) joint_px = px;
    }
    free(b);
    return joint_px;
}

/* The points (取り組みの内容) from cy to end: at joint_px each whole; failing
 * that (joint_px 0), the room is shared so that every point shows, cut
 * with "…", or as many as have a line and "ほかN件…" for the rest. */
static void detail_points(struct render *r, const struct feed_measure *m, float cx, float cy, float inner, float end,
                          int body, int minpx, int joint_px) {
    for (size_t i = 0; i < m->n_description; i++) {
        size_t left = m->n_description - i;
        float line = minpx * 1.3f;
        size_t lines = (size_t)((end - cy + r->u) / (line + r->u)); /* whole lines left, each with its gap */
        if (!joint_px && lines < left && lines <= 1) { /* not a line for each: say how many are left */
            if (lines == 1) more_marker(r, m->description + i, left, cx + r->u * 2.2f, cy, minpx);
            break;
        }
        if (!joint_px && lines < left) { /* this one gets a line, the rest are counted on the next */
            rd_fill(r, cx, cy + minpx * 0.45f, r->u * 0.9f, r->u * 0.9f, C_FIELD[m->field]);
            cy += rd_text_block(r, m->description[i], cx + r->u * 2.2f, cy, inner - r->u * 2.2f, 1, minpx, minpx, false,
                                C_TEXT, ALIGN_LEFT) + r->u;
            continue;
        }
        int max_px = body;
        if (joint_px) {
            lines = LAYOUT_MAX_LINES;
            max_px = joint_px;
        } else {
            /* Shared out: every point after this one keeps a line. */
            size_t most = lines - (left - 1), even = (lines + left - 1) / left; /* rounded up */
            lines = even < most ? even : most;
            if (lines < 1) lines = 1;
            max_px = minpx;
        }
        if (lines == 0) break;
        rd_fill(r, cx, cy + max_px * 0.45f, r->u * 0.9f, r->u * 0.9f, C_FIELD[m->field]);
        cy += rd_text_block(r, m->description[i], cx + r->u * 2.2f, cy, inner - r->u * 2.2f, lines, max_px,
                            joint_px ? joint_px : minpx, false, C_TEXT, ALIGN_LEFT) + r->u * 1.0f;
    }
}

void rd_draw_detail(struct render *r, const struct render_frame *f, const struct feed_measure *m) {
    char label[32];
    snprintf(label, sizeof label, "施策 %s", m->id);
    bool portrait = r->h > r->w;
    float y = slide_heading(r, feed_field_name(m->field), C_FIELD[m->field], label, m->name,
                            rd_header_height(r) + r->u * (portrait ? 2.5f : 3.5f));
    float mg = rd_margin(r), cw = r->w - 2 * mg, bottom = body_bottom(r), gap = r->u * (portrait ? 1.5f : 2.5f);
    float lw = portrait ? cw : cw * 0.56f;
    float pad = r->u * 2.5f;
    int fy = fmt_fiscal_year(&f->now);
    float lh = portrait ? detail_points_height(r, m, fy, bottom - y - gap, cw, pad) : bottom - y;
    /* Body text: never below 4u, 1/25 of the screen height; what does not fit ends with "…". */
    int head = rd_px_of(r, 3.6f), body = rd_px_of(r, 4.2f), minpx = rd_px_of(r, 4.0f);

    panel(r, mg, y, lw, lh);
    float cx = mg + pad, cy = y + pad * 0.8f, inner = lw - 2 * pad, end = y + lh - pad * 0.6f;
    rd_text(r, "取り組みの内容", head, true, C_TEXT_2, cx, cy, ALIGN_LEFT);
    cy += head * 1.5f;
    detail_points(r, m, cx, cy, inner, end, body, minpx, points_joint_px(r, m, cy, inner, end, body, minpx));

    float rx = portrait ? mg : mg + lw + gap, ry = portrait ? y + lh + gap : y;
    float rw = portrait ? cw : cw - lw - gap, rh = bottom - ry;
    panel(r, rx, ry, rw, rh);
    cx = rx + pad;
    cy = ry + pad * 0.8f;
    inner = rw - 2 * pad;
    end = ry + rh - pad * 0.6f;
    detail_plan_panel(r, m, fy, cx, cy, inner, end, detail_plan_fit(r, m, fy, cx, cy, inner, end, NULL, NULL));
}

/* --- the roadmap ----------------------------------------------------------------- */

/* First and last fiscal year in which the measure's plan says anything. */
static void plan_span(const struct feed_measure *m, int *lo, int *hi) {
    *lo = *hi = 0;
    for (size_t i = 0; i < m->n_plan; i++)
        for (int y = 0; y < FEED_FY_COUNT; y++)
            if (m->plan[i].by_year[y]) {
                int fy = FEED_FY_FIRST + y;
                if (*lo == 0 || fy < *lo) *lo = fy;
                if (fy > *hi) *hi = fy;
            }
}

/* One roadmap slide's timeline: its years, its columns and rows. */
struct roadmap {
    int field, lo, hi, years, now_fy;
    bool portrait, short_years; /* short_years: very narrow columns drop 年度 */
    size_t n;                   /* the field's measures, a row each */
    float mg, cw, y, tx, colw, head_h, row_h, name_w;
    int yp, name_px; /* the years' and the names' size */
};

/* The year columns' heads (R8年度 / (2026) 今年度), this year's column
 * banded, and the lines between the columns. */
static void roadmap_years(struct render *r, const struct roadmap *rm) {
    float y = rm->y, colw = rm->colw;
    int yp = rm->yp;
    for (int k = 0; k < rm->years; k++) {
        int fy = rm->lo + k;
        float cx = rm->tx + colw * (float)k;
        if (fy == rm->now_fy) rd_fill(r, cx, y + 1, colw, rm->head_h + rm->row_h * (float)rm->n, C_NOW_BAND);
        char buf[48];
        if (rm->short_years) fmt_fy_era(buf, sizeof buf, fy);
        else fmt_fy_short(buf, sizeof buf, fy);
        rd_text(r, buf, yp, fy == rm->now_fy, C_TEXT, cx + colw / 2, y + yp * 0.4f, ALIGN_CENTER);
        if (rm->portrait) snprintf(buf, sizeof buf, "%s", fy == rm->now_fy ? "今年度" : "");
        else snprintf(buf, sizeof buf, fy == rm->now_fy ? "今年度" : rm->short_years ? "%d" : "(%d)", fy);
        rd_text(r, buf, (int)(yp * 0.85f), fy == rm->now_fy, fy == rm->now_fy ? C_TEXT : C_TEXT_2, cx + colw / 2,
                y + yp * 1.55f, ALIGN_CENTER);
        if (k) rd_fill(r, cx, y + rm->head_h * 0.9f, fmaxf(1, r->u * 0.1f), rm->row_h * (float)rm->n, C_GRID);
    }
}

/* One size for every row's name: the largest at which all fit on one
 * line, but not below 2.8u; a name that still does not fit wraps. */
static int roadmap_name_px(struct render *r, const struct feed *fd, const struct roadmap *rm) {
    int name_px = (int)fminf((float)rd_px_of(r, 4.0f), rm->row_h * (rm->portrait ? 0.48f : 0.42f));
    for (size_t i = 0; i < fd->n_measures; i++) {
        const struct feed_measure *m = &fd->measures[i];
        if ((int)m->field != rm->field) continue;
        char buf[820]; /* an id and a name of 200 characters */
        snprintf(buf, sizeof buf, "%s %s", m->id, m->name);
        name_px = rd_fit_px(r, buf, false, name_px, rd_px_of(r, 2.8f), rm->name_w);
    }
    return name_px;
}

/* A measure's row at ry: its name, and a bar over the years its plan
 * spans (done and current years in the field's colour, later ones tinted). */
static void roadmap_row(struct render *r, const struct roadmap *rm, const struct feed_measure *m, float ry) {
    float row_h = rm->row_h;
    int name_px = rm->name_px;
    char buf[820]; /* an id and a name of 200 characters */
    snprintf(buf, sizeof buf, "%s %s", m->id, m->name);
    bool wraps = rd_text_width(r, buf, name_px, false) > rm->name_w;
    int lines = wraps && row_h > name_px * 2.7f && !rm->portrait ? 2 : 1;
    float name_y = rm->portrait ? ry + row_h * 0.06f : ry + (row_h - name_px * 1.3f * (float)lines) / 2;
    rd_text_block(r, buf, rm->mg + r->u * 2, name_y, rm->name_w, (size_t)lines, name_px, name_px, false, C_TEXT, ALIGN_LEFT);
    int plo, phi;
    plan_span(m, &plo, &phi);
    if (plo == 0) return;
    if (plo < rm->lo) plo = rm->lo;
    if (phi > rm->hi) phi = rm->hi;
    float bh = row_h * (rm->portrait ? 0.3f : 0.42f);
    float by = rm->portrait ? ry + row_h * 0.06f + name_px * 1.3f + (row_h * 0.94f - name_px * 1.3f - bh) / 2
                            : ry + (row_h - bh) / 2;
    for (int fy = plo; fy <= phi; fy++) {
        float bx = rm->tx + rm->colw * (float)(fy - rm->lo) + (fy == plo ? r->u * 0.8f : 0);
        float bw = rm->colw - (fy == plo ? r->u * 0.8f : 0) - (fy == phi ? r->u * 0.8f : 0);
        rd_fill(r, bx, by, bw, bh, fy <= rm->now_fy ? C_FIELD[rm->field] : C_FIELD_TINT[rm->field]);
    }
}

void rd_draw_roadmap(struct render *r, const struct render_frame *f, int field) {
    const struct feed *fd = f->feed;
    static const char *const titles[] = {"住民サービスの向上", "行政事務のデジタル化", "地域社会のDXの推進"};
    char title[96];
    struct roadmap rm = {.field = field, .portrait = r->h > r->w};
    bool portrait = rm.portrait;
    /* Portrait: the field's aim alone as the title, so it keeps to one line. */
    snprintf(title, sizeof title, portrait ? "%s" : "ロードマップ：%s", titles[field]);
    rm.y = slide_heading(r, feed_field_name((enum feed_field)field), C_FIELD[field],
                         portrait ? "ロードマップ・計画の進み方" : "計画の進み方", title,
                         rd_header_height(r) + r->u * (portrait ? 2.5f : 3.5f));
    rm.mg = rd_margin(r);
    rm.cw = r->w - 2 * rm.mg;
    float bottom = body_bottom(r), cw = rm.cw;
    rm.lo = fd->first_fy ? fd->first_fy : 2024;
    rm.hi = fd->last_fy ? fd->last_fy : rm.lo + 5;
    if (rm.hi - rm.lo > 11) rm.hi = rm.lo + 11;
    rm.years = rm.hi - rm.lo + 1;
    rm.now_fy = fmt_fiscal_year(&f->now);
    for (size_t i = 0; i < fd->n_measures; i++) rm.n += (int)fd->measures[i].field == field;
    /* Portrait: each measure's name on its own line above its bar, and the
     * timeline across the whole width. */
    float label_w = portrait ? r->u * 1.5f : cw * 0.36f;
    rm.tx = rm.mg + label_w;
    float tw = cw - label_w - (portrait ? r->u * 1.5f : 0);
    rm.colw = tw / (float)rm.years;
    /* Year labels shrink to their column; very narrow columns drop 年度. */
    rm.yp = rd_fit_px(r, "R10年度", true, rd_px_of(r, 3.2f), rd_px_of(r, 2.4f), rm.colw * 0.94f);
    rm.short_years = rd_text_width(r, "R10年度", rm.yp, true) > rm.colw * 0.94f;
    if (rm.short_years) rm.yp = rd_fit_px(r, "R10", true, rd_px_of(r, 3.2f), rd_px_of(r, 2.4f), rm.colw * 0.94f);
    rm.head_h = rd_px_of(r, 3.2f) * 2.8f;
    rm.row_h = (bottom - rm.y - rm.head_h) / (float)(rm.n ? rm.n : 1);
    if (rm.row_h > r->u * (portrait ? 12 : 11)) rm.row_h = r->u * (portrait ? 12 : 11);
    panel(r, rm.mg, rm.y, cw, rm.head_h + rm.row_h * (float)rm.n + r->u);
    roadmap_years(r, &rm);
    rm.name_w = portrait ? cw - r->u * 3 : label_w - r->u * 3;
    rm.name_px = roadmap_name_px(r, fd, &rm);
    size_t row = 0;
    for (size_t i = 0; i < fd->n_measures; i++) {
        const struct feed_measure *m = &fd->measures[i];
        if ((int)m->field != field) continue;
        float ry = rm.y + rm.head_h + rm.row_h * (float)row++;
        if (row > 1) rd_fill(r, rm.mg + r->u, ry, cw - 2 * r->u, fmaxf(1, r->u * 0.1f), C_GRID);
        roadmap_row(r, &rm, m, ry);
    }
}

/* --- pictures --------------------------------------------------------------------- */

/* Draws tex inside the box without distortion: fit (letterboxed) or fill
 * (cropped to the box). A missing texture shows that it is on its way. */
static void draw_picture(struct render *r, SDL_Texture *tex, bool fill_box, bool missing, float x,
                         float y, float w, float h) {
    rd_fill(r, x, y, w, h, C_HEADER);
    int tw = 0, th = 0;
    if (tex == NULL || SDL_QueryTexture(tex, NULL, NULL, &tw, &th) != 0 || tw <= 0 || th <= 0) {
        rd_text_block(r, missing ? "画像を表示できません" : "画像を読み込んでいます", x, y + h / 2 - r->u * 3, w,
                   1, rd_px_of(r, 4.0f), rd_px_of(r, 2.4f), false, C_HEADER_TEXT, ALIGN_CENTER);
        return;
    }
    float sx = w / (float)tw, sy = h / (float)th;
    float s = fill_box ? fmaxf(sx, sy) : fminf(sx, sy);
    float dw = (float)tw * s, dh = (float)th * s;
    SDL_Rect src = {0, 0, tw, th};
    SDL_Rect dst = {(int)lroundf(x + (w - dw) / 2), (int)lroundf(y + (h - dh) / 2), (int)lroundf(dw),
                    (int)lroundf(dh)};
    if (fill_box) { /* crop the source to the box's proportions, centred */
        int cw = (int)lroundf(w / s), ch = (int)lroundf(h / s);
        src = (SDL_Rect){(tw - cw) / 2, (th - ch) / 2, cw, ch};
        dst = (SDL_Rect){(int)lroundf(x), (int)lroundf(y), (int)lroundf(w), (int)lroundf(h)};
    }
    SDL_RenderCopy(r->sdl, tex, &src, &dst);
}

void rd_draw_image_slide(struct render *r, const struct render_frame *f, const char *caption) {
    float mg = rd_margin(r), top = rd_header_height(r) + r->u * 2.5f, bottom = body_bottom(r);
    float cap = caption ? rd_px_of(r, 4.2f) * 1.9f : 0;
    draw_picture(r, f->image, f->image_fill, f->image_missing, mg, top, r->w - 2 * mg, bottom - top - cap);
    if (caption) {
        rd_fill(r, mg, bottom - cap, r->w - 2 * mg, cap, C_PANEL);
        rd_text_block(r, caption, mg + r->u * 2, bottom - cap + (cap - rd_px_of(r, 4.2f) * 1.3f) / 2,
                   r->w - 2 * mg - r->u * 4, 1, rd_px_of(r, 4.2f), rd_px_of(r, 3.0f), true, C_TEXT, ALIGN_LEFT);
    }
}

/* --- announcements ---------------------------------------------------------------- */

/* Draws url as a QR code of side `size` (quiet zone included) on white. */
static void draw_qr(struct render *r, const char *url, float x, float y, float size) {
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (q == NULL) return;
    int modules = q->width + 8; /* 4 modules of quiet zone on each side */
    float cell = floorf(size / (float)modules);
    if (cell < 1) cell = 1;
    float side = cell * (float)modules, ox = x + (size - side) / 2, oy = y + (size - side) / 2;
    rd_fill(r, ox, oy, side, side, C_PANEL);
    for (int j = 0; j < q->width; j++)
        for (int i = 0; i < q->width; i++)
            if (q->data[j * q->width + i] & 1)
                rd_fill(r, ox + cell * (float)(i + 4), oy + cell * (float)(j + 4), cell, cell, C_TEXT);
    QRcode_free(q);
}

void rd_draw_announcement(struct render *r, const struct render_frame *f,
                              const struct feed_announcement *a) {
    float y = slide_heading(r, "お知らせ", C_HEADER, a->priority == FEED_PRIORITY_HIGH ? "重要" : NULL,
                            a->title, rd_header_height(r) + r->u * (rd_is_portrait(r) ? 2.5f : 3.5f));
    float mg = rd_margin(r), cw = r->w - 2 * mg, bottom = body_bottom(r), pad = r->u * 3;
    bool portrait = r->h > r->w;
    float qr = a->url ? fminf(portrait ? fminf(cw * 0.5f, (bottom - y) * 0.3f) : (bottom - y) * 0.75f, r->u * 40) : 0;
    float tw = a->url && !portrait ? cw - qr - r->u * 4 : cw;
    float th = a->url && portrait ? bottom - y - qr - r->u * 9 : bottom - y;
    float tx = mg; /* the text panel's left edge, after a picture if any */
    if (a->image && !f->image_missing) {
        /* The picture takes the first part of the text area. */
        float iw = portrait ? tw : tw * 0.42f, ih = portrait ? th * 0.45f : th;
        draw_picture(r, f->image, false, false, mg, y, iw, ih);
        if (portrait) {
            y += ih + r->u * 2;
            th -= ih + r->u * 2;
        } else {
            tx = mg + iw + r->u * 2;
            tw -= iw + r->u * 2;
        }
    }
    panel(r, tx, y, tw, th);
    int body = rd_px_of(r, 4.8f);
    if (a->body) {
        /* Each paragraph gets a share of the lines that fit. */
        float cy = y + pad, end = y + th - pad;
        const char *p = a->body;
        size_t left = 1; /* paragraphs from p on */
        for (const char *q = p; (q = strchr(q, '\n')) != NULL; q++) left++;
        while (*p && cy + rd_px_of(r, 4.0f) * 1.3f <= end) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            /* A body may hold 1000 characters (up to 4 bytes each): cut
             * only on a character boundary, or layout_fit refuses it. */
            char para[4100];
            size_t take = len < sizeof para ? len : sizeof para - 1;
            while (take > 0 && take < len && ((unsigned char)p[take] & 0xC0) == 0x80) take--;
            memcpy(para, p, take);
            para[take] = '\0';
            /* Lines at the smallest body size (4u): rd_text_block shrinks to it. */
            size_t lines = (size_t)((end - cy + r->u * 1.2f) / (rd_px_of(r, 4.0f) * 1.3f + r->u * 1.2f));
            /* Every later paragraph keeps a line of its own. */
            lines = lines > left - 1 ? lines - (left - 1) : 0;
            if (lines > 8) lines = 8;
            if (lines == 0) {
                /* No line for this paragraph and the rest: say how many. */
                static char rest[8][4100];
                const char *items[8];
                size_t nr = 0;
                for (const char *q = p; *q && nr < ARRAY_LEN(items); nr++) {
                    const char *e = strchr(q, '\n');
                    size_t l = e ? (size_t)(e - q) : strlen(q);
                    size_t t = l < sizeof rest[nr] ? l : sizeof rest[nr] - 1;
                    while (t > 0 && t < l && ((unsigned char)q[t] & 0xC0) == 0x80) t--;
                    snprintf(rest[nr], sizeof rest[nr], "%.*s", (int)t, q);
                    items[nr] = rest[nr];
                    q = e ? e + 1 : q + l;
                }
                more_marker(r, items, nr, tx + pad, cy, rd_px_of(r, 4.0f));
                break;
            }
            left--;
            if (take && lines)
                cy += rd_text_block(r, para, tx + pad, cy, tw - 2 * pad, lines, body, rd_px_of(r, 4.0f),
                                 false, C_TEXT, ALIGN_LEFT);
            cy += r->u * 1.2f;
            p = nl ? nl + 1 : p + len;
        }
    }
    if (a->url) {
        float qx = portrait ? mg + (cw - qr) / 2 : mg + tw + r->u * 4, qy = portrait ? y + th + r->u * 2 : y;
        panel(r, qx - r->u, qy - r->u, qr + 2 * r->u, qr + 2 * r->u);
        draw_qr(r, a->url, qx, qy, qr);
        int cap = rd_px_of(r, 3.4f);
        float capw = portrait ? cw : qr + r->u * 8, capx = portrait ? mg : qx - r->u * 4;
        rd_text_block(r, "スマートフォンで読み取れます", capx, qy + qr + r->u * 2, capw, 1, cap, rd_px_of(r, 2.6f), true,
                   C_TEXT, ALIGN_CENTER);
    }
}

/* --- the urgent alert ---------------------------------------------------------------- */

void rd_draw_alert(struct render *r, const struct render_frame *f, const struct feed_alert *al) {
    int lv = (int)al->level;
    struct rgb bg = C_ALERT_BG[lv], fg = C_ALERT_FG[lv];
    rd_fill(r, 0, 0, (float)r->w, (float)r->h, bg);
    static const char *const marks[] = {"お知らせ", "注意", "緊急"};
    float mg = rd_margin(r), cw = r->w - 2 * mg;
    /* A band with the level in words (and a mark), then the title and text. */
    int mark_px = rd_px_of(r, 6.0f);
    float y = r->u * 6;
    char buf[96];
    snprintf(buf, sizeof buf, "%s %s", lv == FEED_ALERT_INFO ? "●" : "▲", marks[lv]);
    float bw = (float)rd_text_width(r, buf, mark_px, true) + mark_px;
    rd_fill(r, mg, y, bw, mark_px * 1.6f, fg);
    rd_text(r, buf, mark_px, true, bg, mg + mark_px * 0.5f, y + mark_px * 0.3f, ALIGN_LEFT);
    char clock[16], date[64];
    fmt_clock(clock, sizeof clock, &f->now);
    fmt_wareki_date(date, sizeof date, &f->now);
    snprintf(buf, sizeof buf, "%s %s", date, clock);
    bool portrait = rd_is_portrait(r);
    if (portrait) { /* 56u across: the date goes under the band */
        rd_text(r, buf, rd_px_of(r, 3.6f), false, fg, mg, y + mark_px * 1.6f + r->u * 1.5f, ALIGN_LEFT);
        y += r->u * 5;
    } else {
        rd_text(r, buf, rd_px_of(r, 3.6f), false, fg, r->w - mg, y + mark_px * 0.5f, ALIGN_RIGHT);
    }
    y += mark_px * 1.6f + r->u * 5;
    const char *title = al->title ? al->title : lv == FEED_ALERT_EMERGENCY ? "緊急のお知らせ"
                                             : lv == FEED_ALERT_WARNING  ? "ご注意ください"
                                                                         : "お知らせ";
    y += rd_text_block(r, title, mg, y, cw, 2, rd_px_of(r, 10.0f), rd_px_of(r, 6.0f), true, fg, ALIGN_LEFT) + r->u * 3;
    float end = (float)r->h - r->u * (portrait ? 18 : 14);
    size_t lines = (size_t)((end - y) / (rd_px_of(r, 6.0f) * 1.3f));
    if (lines > (portrait ? 10u : 6u)) lines = portrait ? 10 : 6;
    if (lines) rd_text_block(r, al->text, mg, y, cw, lines, rd_px_of(r, 6.0f), rd_px_of(r, 4.4f), false, fg, ALIGN_LEFT);
    if (al->valid.has_until) {
        struct tm tm;
        localtime_r(&al->valid.until, &tm);
        char when[64];
        fmt_seireki_datetime(when, sizeof when, &tm);
        snprintf(buf, sizeof buf, "%s まで表示します", when);
        rd_text_block(r, buf, mg, (float)r->h - r->u * (portrait ? 14.5f : 8), portrait ? cw : cw * 0.7f, 1,
                   rd_px_of(r, 3.6f), rd_px_of(r, 2.4f), false, fg, ALIGN_LEFT);
    }
    rd_text(r, f->town_name, rd_px_of(r, 4.0f), true, fg, r->w - mg, (float)r->h - r->u * 8.4f, ALIGN_RIGHT);
}
