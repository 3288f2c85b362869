/* render_slides: each slide kind (summary, KPI with its chart, measure
 * detail, roadmap, picture, announcement with its QR code) and the urgent
 * alert, laid out relative to the screen with render.c's primitives. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>
#include <qrencode.h>

#include "deck.h"
#include "feed.h"
#include "fmt.h"
#include "layout.h"
#include "log.h"
#include "render_internal.h"
#include "util.h"

/* --- the KPI slide ------------------------------------------------------ */

/* A "nice" axis step (1, 2, 2.5 or 5 times a power of ten) giving about
 * `ticks` intervals up to max. */
static double nice_step(double max, int ticks) {
    double raw = max / ticks;
    double p = pow(10, floor(log10(raw)));
    static const double mult[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < ARRAY_LEN(mult); i++)
        if (raw <= mult[i] * p) return mult[i] * p;
    return 10 * p;
}

/* Fiscal years shown on the chart: from the first year with data (or the
 * current year if earlier data is absent) to the last year with data. */
static void chart_span(const struct feed_measure *m, int current_fy, int *lo, int *hi) {
    *lo = *hi = 0;
    for (int y = 0; y < FEED_FY_COUNT; y++)
        if (m->targets.has[y] || m->actuals.has[y]) {
            int fy = FEED_FY_FIRST + y;
            if (*lo == 0) *lo = fy;
            *hi = fy;
        }
    if (current_fy < *lo && *hi - current_fy < 6) *lo = current_fy;
    if (current_fy > *hi && current_fy - *lo < 6) *hi = current_fy;
    if (*hi - *lo > 11) *lo = *hi - 11; /* at most 12 years fit legibly */
}

static void draw_chart(struct render *r, const struct feed_measure *m, int current_fy, float x,
                       float y, float w, float h) {
    struct rgb field = C_FIELD[m->field];
    int title_px = rd_px_of(r, 3.6f), small = rd_px_of(r, 3.2f);
    const char *title = rd_is_portrait(r) ? "目標と実績" : "年度ごとの目標と実績";
    rd_text(r, title, title_px, true, C_TEXT, x, y, LEFT);

    /* Legend, right-aligned on the title line (below it when the chart is
     * narrow): shapes tell target from actual. */
    float legend_w = (float)(rd_text_width(r, "目標", small, false) + rd_text_width(r, "実績", small, false)) + r->u * 11.2f;
    if ((float)rd_text_width(r, title, title_px, true) + r->u * 2 + legend_w > w) {
        y += title_px * 1.35f;
        h -= title_px * 1.35f;
    }
    float sw = r->u * 2.6f, ly = y + (title_px - sw) / 2 + r->u * 0.2f, lx = x + w;
    lx -= rd_text_width(r, "実績", small, false);
    rd_text(r, "実績", small, false, C_TEXT, lx, y + (title_px - small) / 2.0f, LEFT);
    lx -= sw + r->u * 1.0f;
    rd_fill(r, lx, ly, sw, sw, field);
    lx -= r->u * 3.0f + rd_text_width(r, "目標", small, false);
    rd_text(r, "目標", small, false, C_TEXT, lx, y + (title_px - small) / 2.0f, LEFT);
    lx -= sw + r->u * 1.0f;
    rd_fill(r, lx, ly, sw, sw, C_TARGET_FILL);
    rd_frame_rect(r, lx, ly, sw, sw, fmaxf(1, r->u * 0.3f), C_TARGET_EDGE);

    int lo, hi;
    chart_span(m, current_fy, &lo, &hi);
    if (lo == 0) return;
    double max = 0;
    for (int fy = lo; fy <= hi; fy++) {
        double v;
        if (feed_series_get(&m->targets, fy, &v) && v > max) max = v;
        if (feed_series_get(&m->actuals, fy, &v) && v > max) max = v;
    }
    if (max <= 0) max = 1;
    /* As many grid lines as the height leaves room for labels (at most 4). */
    float est_ph = h - title_px - r->u * 6.0f - small * 1.4f;
    int ticks = rd_is_portrait(r) ? (int)(est_ph / (small * 1.8f)) : 4;
    double step = nice_step(max * 1.08, ticks < 1 ? 1 : ticks > 4 ? 4 : ticks);
    double top = ceil(max * 1.08 / step) * step;

    char buf[64];
    fmt_value(buf, sizeof buf, top, NULL);
    float axis_w = (float)rd_text_width(r, buf, small, false) + r->u * 1.5f;
    float px0 = x + axis_w, pw = w - axis_w;
    bool one_line_years = rd_is_portrait(r);
    float py0 = y + title_px + r->u * (one_line_years ? 5.0f : 6.0f); /* room for value labels */
    float ph = y + h - py0 - small * (one_line_years ? 1.4f : 2.6f) - r->u; /* room for year labels */
    if (ph < r->u * 5 || pw < r->u * 10) return;

    int n = hi - lo + 1;
    float gw = pw / (float)n;
    /* The current fiscal year's column is marked with a band and "今年度". */
    if (current_fy >= lo && current_fy <= hi)
        rd_fill(r, px0 + gw * (float)(current_fy - lo), py0 - r->u * (one_line_years ? 4.5f : 5.5f), gw,
             ph + r->u * (one_line_years ? 4.5f : 5.5f) + small * (one_line_years ? 1.4f : 2.6f) + r->u * 0.5f,
             C_NOW_BAND);

    float grid_t = fmaxf(1, r->u * 0.12f);
    for (double v = 0; v <= top + step / 2; v += step) {
        float gy = py0 + ph - (float)(v / top) * ph;
        rd_fill(r, px0, gy - grid_t / 2, pw, grid_t, v == 0 ? C_AXIS : C_GRID);
        fmt_value(buf, sizeof buf, v, NULL);
        rd_text(r, buf, small, false, C_TEXT_2, px0 - r->u * 1.0f, gy - small * 0.6f, RIGHT);
    }

    float bar_w = fminf(gw * 0.32f, r->u * 12), gap = fminf(gw * 0.06f, r->u * 1.5f);
    int label_px = rd_px_of(r, n > 6 ? 2.8f : 3.4f);
    for (int fy = lo; fy <= hi; fy++) {
        float gx = px0 + gw * (float)(fy - lo) + gw / 2;
        double t, a;
        bool has_t = feed_series_get(&m->targets, fy, &t);
        bool has_a = feed_series_get(&m->actuals, fy, &a);
        float tx = gx - gap / 2 - bar_w, ax = gx + gap / 2;
        /* Value labels sit centred over their bars, kept inside the column;
         * when the two would overlap, the one over the taller bar moves up
         * above the other. Numbers are never cut. */
        float col_l = px0 + gw * (float)(fy - lo), col_r = col_l + gw;
        char tl[96] = "", al[96] = ""; /* a value and a unit (8 characters, 4 bytes each) */
        if (has_t) fmt_value(tl, sizeof tl, t, m->unit);
        if (has_a) fmt_value(al, sizeof al, a, m->unit);
        int lpx = rd_fit_px(r, tl, false, label_px, rd_px_of(r, 2.0f), gw * 0.96f);
        lpx = rd_fit_px(r, al, true, lpx, rd_px_of(r, 2.0f), gw * 0.96f);
        float lh = lpx * 1.3f;
        float th = has_t ? (float)(t / top) * ph : 0, ah = has_a ? (float)(a / top) * ph : 0;
        float tw_ = (float)rd_text_width(r, tl, lpx, false), aw = (float)rd_text_width(r, al, lpx, true);
        float tlx = fminf(fmaxf(tx + bar_w / 2 - tw_ / 2, col_l), col_r - tw_);
        float alx = fminf(fmaxf(ax + bar_w / 2 - aw / 2, col_l), col_r - aw);
        float tly = py0 + ph - th - lh, aly = py0 + ph - ah - lh;
        if (has_t && has_a && tlx + tw_ > alx && fabsf(tly - aly) < lh) {
            if (tly < aly) tly = aly - lh;
            else aly = tly - lh;
        }
        if (has_t) {
            rd_fill(r, tx, py0 + ph - th, bar_w, th, C_TARGET_FILL);
            rd_frame_rect(r, tx, py0 + ph - th, bar_w, th, fmaxf(1, r->u * 0.3f), C_TARGET_EDGE);
            rd_text(r, tl, lpx, false, C_TEXT_2, tlx, tly, LEFT);
        }
        if (has_a) {
            rd_fill(r, ax, py0 + ph - ah, bar_w, ah, field);
            rd_text(r, al, lpx, true, C_TEXT, alx, aly, LEFT);
        }
        bool now = fy == current_fy;
        char year2[48];
        fmt_fy_short(buf, sizeof buf, fy);
        /* Portrait columns are narrow and short: one line, the Western year
         * only in landscape, and this year's column says 今年度. */
        if (rd_is_portrait(r)) {
            year2[0] = '\0';
            if (now) snprintf(buf, sizeof buf, "今年度");
        } else {
            snprintf(year2, sizeof year2, now ? "(%d) 今年度" : "(%d)", fy);
        }
        int ypx = rd_fit_px(r, buf, now, small, rd_px_of(r, 2.0f), gw * 0.96f);
        ypx = rd_fit_px(r, year2, now, ypx, rd_px_of(r, 2.0f), gw * 0.96f);
        float ly0 = py0 + ph + r->u * 0.8f;
        rd_text(r, buf, ypx, now, C_TEXT, gx, ly0, CENTER);
        rd_text(r, year2, ypx, now, now ? C_TEXT : C_TEXT_2, gx, ly0 + small * 1.2f, CENTER);
    }
}

/* A pill-shaped label: filled box with text inside. Returns its width. */
static float badge(struct render *r, const char *s, int px, struct rgb bg, struct rgb fg, float x,
                   float y) {
    float pad = px * 0.55f;
    float w = (float)rd_text_width(r, s, px, true) + pad * 2;
    rd_fill(r, x, y, w, px * 1.5f, bg);
    rd_text(r, s, px, true, fg, x + pad, y + px * 0.25f, LEFT);
    return w;
}

/* The big number with its unit set smaller on the same baseline; px is the
 * number's size. Returns the height used. */
static float big_value(struct render *r, double v, const char *unit, float x, float top, int px) {
    char num[48];
    fmt_value(num, sizeof num, v, NULL);
    int small = (int)lroundf(px * 0.42f);
    float base = top + rd_ascent(r, px, true);
    int w = rd_text_baseline(r, num, px, true, C_TEXT, x, base, LEFT);
    rd_text_baseline(r, unit, small, true, C_TEXT, x + w + r->u * 0.6f, base, LEFT);
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

    float top_h = label * 1.4f + (has_target ? body * 3.0f + r->u * 1.5f : 0);
    float room = h - top_h - bottom_h - r->u * 2.0f;
    if (room < r->u * 8.0f && tfy) { /* too tight: drop the bottom block */
        tfy = 0;
        room += bottom_h;
    }
    int big = (int)fminf((float)rd_px_of(r, 15.0f), room / 1.05f);

    float cy = y;
    if (has_actual && big >= rd_px_of(r, 4.0f)) {
        fmt_fy_long(fy_s, sizeof fy_s, latest);
        snprintf(buf, sizeof buf, "%s の実績", fy_s);
        rd_text_block(r, buf, x, cy, w, 1, label, rd_px_of(r, 2.8f), false, C_TEXT_2, LEFT);
        cy += label * 1.4f;
        cy += big_value(r, actual, m->unit, x, cy, big);
        if (has_target) {
            int pct = fmt_achievement_percent(actual, target);
            fmt_value(tval, sizeof tval, target, m->unit);
            snprintf(buf, sizeof buf, "目標 %s　達成率 %d%%", tval, pct);
            cy += r->u * 0.5f;
            rd_text_block(r, buf, x, cy, w, 1, body, rd_px_of(r, 3.0f), false, C_TEXT, LEFT);
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
    } else {
        rd_text(r, "実績", label, false, C_TEXT_2, x, cy, LEFT);
        cy += label * 1.4f;
        cy += rd_text_block(r, "まだ公表されていません", x, cy, w, 2, body, rd_px_of(r, 3.0f), true,
                         C_TEXT, LEFT);
    }

    if (tfy) {
        /* Anchored to the bottom of the panel, below a rule. */
        float top = y + h - bottom_h;
        rd_fill(r, x, top, w, fmaxf(1, r->u * 0.15f), C_PANEL_EDGE);
        top += r->u * 2.0f;
        fmt_fy_long(fy_s, sizeof fy_s, tfy);
        snprintf(buf, sizeof buf, tfy == current_fy ? "今年度 %s の目標" : "%s の目標", fy_s);
        rd_text_block(r, buf, x, top, w, 1, label, rd_px_of(r, 2.8f), false, C_TEXT_2, LEFT);
        feed_series_get(&m->targets, tfy, &target);
        big_value(r, target, m->unit, x, top + label * 1.4f, target_px);
    }
}

/* The numbers of a KPI slide as one wide panel (portrait): the latest
 * actual on the left, big; its target, the achievement and the badge on
 * the right. This year's target is on the chart below, marked 今年度. */
static void draw_kpi_numbers_wide(struct render *r, const struct feed_measure *m, float x, float y, float w,
                                  float h) {
    char buf[200], fy_s[32], val[96], tval[96]; /* units of 8 characters */
    int label = rd_px_of(r, 3.4f), body = rd_px_of(r, 3.6f);
    int latest = feed_latest_actual_fy(m);
    double actual = 0, target = 0;
    bool has_actual = latest && feed_series_get(&m->actuals, latest, &actual);
    bool has_target = has_actual && feed_series_get(&m->targets, latest, &target);
    if (!has_actual) {
        rd_text(r, "実績", label, false, C_TEXT_2, x, y, LEFT);
        rd_text_block(r, "まだ公表されていません", x, y + label * 1.4f, w, 2, body, rd_px_of(r, 3.4f), true, C_TEXT, LEFT);
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
        rd_text(r, t1, body, false, C_TEXT, x + w, by - body * 1.4f - r->u * 0.4f, RIGHT);
        badge(r, buf, body, actual >= target ? C_OK : C_NG, actual >= target ? C_OK_TEXT : C_NG_TEXT, x + w - bw, by);
    }
    fmt_fy_short(fy_s, sizeof fy_s, latest);
    snprintf(buf, sizeof buf, "%sの実績", fy_s);
    float lw = w - rw - r->u * 2;
    /* The label sits above the target line: it may run wider than the number's column. */
    rd_text_block(r, buf, x, y, w * 0.55f, 1, label, rd_px_of(r, 2.8f), false, C_TEXT_2, LEFT);
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
         y + (chip_px * 1.5f - rd_px_of(r, 3.6f)) / 2, LEFT);
    y += chip_px * 1.5f + r->u * 1.5f;

    if (portrait)
        y += rd_heading_block(r, m->name, mg, y, cw, 2, rd_px_of(r, 5.6f), rd_px_of(r, 4.4f), rd_px_of(r, 4.4f), true, C_TEXT,
                           LEFT);
    else
        y += rd_text_block(r, m->name, mg, y, cw, 2, rd_px_of(r, 7.0f), rd_px_of(r, 4.8f), true, C_TEXT, LEFT);
    snprintf(buf, sizeof buf, "指標: %s", m->metric_name ? m->metric_name : "");
    y += r->u * 0.5f;
    y += rd_text_block(r, buf, mg, y, cw, 1, rd_px_of(r, 4.2f), rd_px_of(r, 3.2f), false, C_TEXT_2, LEFT);
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
                   LEFT);
    }
    y += chip_px * 1.5f + r->u * 1.5f;
    if (title == NULL) return y;
    /* Portrait: 56u across; a title keeps to one line while it can. */
    bool p = rd_is_portrait(r);
    y += rd_heading_block(r, title, mg, y, cw, 2, rd_px_of(r, p ? 5.6f : 7.0f), rd_px_of(r, p ? 4.4f : 5.2f),
                       rd_px_of(r, p ? 4.4f : 4.8f), true, C_TEXT, LEFT);
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

static void summary_card(struct render *r, const struct feed_measure *m, float x, float y, float w,
                         float h) {
    panel(r, x, y, w, h);
    rd_fill(r, x, y, w, r->u * 1.2f, C_FIELD[m->field]);
    float pad = r->u * 2.5f, cx = x + pad, cw = w - 2 * pad, cy = y + r->u * 1.2f + pad * 0.8f;
    float end = y + h - pad;
    int title = rd_px_of(r, 4.4f), small = rd_px_of(r, 3.2f);
    cy += rd_heading_block(r, m->metric_name ? m->metric_name : m->name, cx, cy, cw, 2, title,
                        rd_px_of(r, 3.4f), rd_px_of(r, 3.4f), true, C_TEXT, LEFT);
    char buf[820]; /* an id and a name of 200 characters */
    snprintf(buf, sizeof buf, "%s %s", m->id, m->name);
    /* Which measure: where the card is tall enough to say it and still
     * give the number its room. */
    if (h > r->u * 40) cy += rd_text_block(r, buf, cx, cy, cw, 2, small, rd_px_of(r, 2.6f), false, C_TEXT_2, LEFT);
    int fy = feed_latest_actual_fy(m);
    double actual = 0, target = 0;
    if (!fy || !feed_series_get(&m->actuals, fy, &actual)) {
        rd_text_block(r, "実績はまだありません", cx, cy + r->u * 2, cw, 2, title, small, true, C_TEXT, LEFT);
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
        snprintf(buf, sizeof buf, "%s実績・目標 %s", fy_s, tv);
        int pct = fmt_achievement_percent(actual, target);
        rd_text_block(r, buf, cx, line_top, cw, 1, small, rd_px_of(r, 2.4f), false, C_TEXT_2, LEFT);
        snprintf(buf, sizeof buf, actual >= target ? "◎ 達成 %d%%" : "△ 達成率 %d%%", pct);
        badge(r, buf, title, actual >= target ? C_OK : C_NG, actual >= target ? C_OK_TEXT : C_NG_TEXT,
              cx, badge_top);
    } else {
        snprintf(buf, sizeof buf, "%s実績", fy_s);
        rd_text_block(r, buf, cx, badge_top, cw, 1, small, rd_px_of(r, 2.4f), false, C_TEXT_2, LEFT);
        line_top = badge_top;
    }
    char num[48];
    fmt_value(num, sizeof num, actual, NULL);
    /* The number and its smaller unit together fit the card. */
    int big = value_px(r, num, m->unit, (int)fminf((float)rd_px_of(r, 16.0f), (line_top - cy - r->u) / 1.05f),
                       rd_px_of(r, 5.0f), cw);
    float top = cy + (line_top - cy - big * 1.05f) / 2; /* centred in its room */
    big_value(r, actual, m->unit, cx, top, big);
}

/* A summary card as a wide row (portrait screens stack the headline
 * measures): what is counted across the top; under it the number, as
 * large as the row allows, and on the right the year's target over the
 * achievement badge. */
static void summary_row(struct render *r, const struct feed_measure *m, float x, float y, float w, float h,
                        bool year_in_label) {
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
    float th = rd_heading_block(r, m->metric_name ? m->metric_name : m->name, lx, y + pad, iw, 1, title,
                             (int)(title * 0.8f), (int)(title * 0.8f), true, C_TEXT, LEFT);
    float top = y + pad + th + r->u * 0.6f, bottom = y + h - pad, band = bottom - top;
    int fy = feed_latest_actual_fy(m);
    double actual = 0, target = 0;
    if (!fy || !feed_series_get(&m->actuals, fy, &actual)) {
        rd_text_block(r, "実績はまだありません", lx, top + (band - small * 1.3f) / 2, iw, 1, small, small, false,
                   C_TEXT_2, LEFT);
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
         fmaxf(top, bottom - (has_t ? bpx * 1.5f + r->u * 0.3f : 0) - small * 1.3f), RIGHT);
    /* Left: the number, as large as the room allows. */
    fmt_value(num, sizeof num, actual, NULL);
    float room_w = iw - right_w - r->u * 2.0f, room_h = bottom - top;
    int big = value_px(r, num, m->unit, (int)fminf((float)rd_px_of(r, 12.0f), room_h / 1.02f), rd_px_of(r, 3.0f),
                       room_w);
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
                       : slide_heading(r, "主な指標", C_HEADER, NULL, "数字で見る 美郷町のDX", rd_header_height(r) + r->u * 3.5f);
    float mg = rd_margin(r), cw = r->w - 2 * mg, bottom = body_bottom(r);
    size_t cols = portrait ? 1 : (n <= 4 ? (n < 2 ? 1 : 2) : 3);
    if (!portrait && n == 4 && (float)r->w / (float)r->h > 1.5f) cols = 4;
    size_t rows = (n + cols - 1) / cols;
    float gap = r->u * (portrait ? 1.2f : 2.5f);
    float cwid = (cw - gap * (float)(cols - 1)) / (float)cols;
    float chgt = (bottom - y - gap * (float)(rows - 1)) / (float)rows;
    for (size_t i = 0; i < n; i++) {
        size_t c = i % cols, rw = i / cols;
        if (cols == 1 && cwid > chgt * 2.2f)
            summary_row(r, &f->feed->measures[heads[i]], mg, y + (chgt + gap) * (float)rw, cwid, chgt,
                        common_fy > 0);
        else
            summary_card(r, &f->feed->measures[heads[i]], mg + (cwid + gap) * (float)c,
                         y + (chgt + gap) * (float)rw, cwid, chgt);
    }
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

/* The height text s takes in width w at size px (up to max_lines), or 0. */
static float text_height(struct render *r, const char *s, float w, size_t max_lines, int px, bool bold) {
    struct layout_block *b = xmalloc(sizeof *b);
    struct measure_ctx mc = {r, bold};
    float h = layout_fit(s, (int)w, max_lines, px, px, rd_measure, &mc, b) ? (float)b->n_lines * px * 1.3f : 0;
    free(b);
    return h;
}

/* Portrait: how tall the lower panel (this year's plan, results, effects)
 * needs to be, so that the points above get the rest. */
static float detail_plan_height(struct render *r, const struct feed_measure *m, int fy, float w, int head,
                                int body, int minpx, float pad) {
    float h = pad * 1.4f + head * 1.5f;
    size_t shown = 0;
    char buf[520]; /* 【継続】 and a plan text of 120 characters */
    for (size_t i = 0; i < m->n_plan; i++) {
        bool cont;
        const char *t = plan_text(&m->plan[i], fy, &cont);
        if (t == NULL) continue;
        snprintf(buf, sizeof buf, "%s%s", cont ? "【継続】" : "", t);
        float th = text_height(r, buf, w - r->u * 2.2f, 3, body, true);
        h += (th > 0 ? th : body * 1.3f * 3) + r->u;
        shown++;
    }
    if (shown == 0) h += body * 1.3f + r->u;
    for (int yy = 0; yy < FEED_FY_COUNT; yy++)
        if (m->actual_notes[yy]) {
            h += r->u + body * 1.3f;
            break;
        }
    if (m->n_effects) h += r->u * 1.5f + head * 1.5f + minpx * 1.9f * (float)((m->n_effects + 1) / 2);
    return h;
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
    float lh = bottom - y;
    if (portrait) {
        /* The plan below gets what it needs (at least 30%); the points, the rest. */
        float avail = bottom - y - gap;
        float need = detail_plan_height(r, m, fmt_fiscal_year(&f->now), cw - 2 * pad, rd_px_of(r, 3.6f),
                                        rd_px_of(r, 4.2f), rd_px_of(r, 4.0f), pad);
        lh = fminf(avail * 0.7f, fmaxf(avail * 0.55f, avail - fmaxf(need, avail * 0.3f)));
    }
    /* Body text: never below 4u, 1/25 of the screen height; what does not fit ends with "…". */
    int head = rd_px_of(r, 3.6f), body = rd_px_of(r, 4.2f), minpx = rd_px_of(r, 4.0f);

    panel(r, mg, y, lw, lh);
    float cx = mg + pad, cy = y + pad * 0.8f, inner = lw - 2 * pad, end = y + lh - pad * 0.6f;
    rd_text(r, "取り組みの内容", head, true, C_TEXT_2, cx, cy, LEFT);
    cy += head * 1.5f;
    /* One size for all the points: the largest at which every point fits
     * whole (none below minpx, 1/25 of the height); failing that, the room
     * is shared so that every point shows, cut with "…". */
    int joint_px = 0;
    if (m->n_description) {
        struct layout_block *b = xmalloc(sizeof *b);
        struct measure_ctx mc = {r, false};
        for (int px = body; px >= minpx && !joint_px; px -= px / 24 > 0 ? px / 24 : 1) {
            float total = 0;
            bool ok = true;
            for (size_t i = 0; i < m->n_description && ok; i++) {
                ok = layout_fit(m->description[i], (int)(inner - r->u * 2.2f), LAYOUT_MAX_LINES, px, px, rd_measure,
                                &mc, b);
                total += (float)b->n_lines * px * 1.3f + r->u;
            }
            if (ok && cy + total <= end) joint_px = px;
        }
        free(b);
    }
    for (size_t i = 0; i < m->n_description && cy + minpx * 1.3f < end; i++) {
        size_t lines = (size_t)((end - cy) / (minpx * 1.3f));
        int max_px = body;
        if (joint_px) {
            lines = LAYOUT_MAX_LINES;
            max_px = joint_px;
        } else {
            size_t share = (size_t)((end - cy - r->u * (float)(m->n_description - i - 1)) / (minpx * 1.3f)) /
                           (m->n_description - i);
            if (share < 2) share = 2;
            if (lines > share) lines = share;
            max_px = minpx;
        }
        if (lines == 0) break;
        rd_fill(r, cx, cy + max_px * 0.45f, r->u * 0.9f, r->u * 0.9f, C_FIELD[m->field]);
        cy += rd_text_block(r, m->description[i], cx + r->u * 2.2f, cy, inner - r->u * 2.2f, lines, max_px,
                         joint_px ? joint_px : minpx, false, C_TEXT, LEFT) + r->u * 1.0f;
    }

    float rx = portrait ? mg : mg + lw + gap, ry = portrait ? y + lh + gap : y;
    float rw = portrait ? cw : cw - lw - gap, rh = bottom - ry;
    panel(r, rx, ry, rw, rh);
    cx = rx + pad;
    cy = ry + pad * 0.8f;
    inner = rw - 2 * pad;
    end = ry + rh - pad * 0.6f;
    int fy = fmt_fiscal_year(&f->now);
    char fy_s[32], buf[560]; /* up to "R8の実績: " and 120 characters */
    fmt_fy_long(fy_s, sizeof fy_s, fy);
    snprintf(buf, sizeof buf, "今年度 %s の計画", fy_s);
    rd_text_block(r, buf, cx, cy, inner, 1, head, rd_px_of(r, 2.8f), true, C_TEXT_2, LEFT);
    cy += head * 1.5f;
    size_t shown = 0;
    for (size_t i = 0; i < m->n_plan && cy + body * 1.3f < end; i++) {
        bool cont;
        const char *t = plan_text(&m->plan[i], fy, &cont);
        if (t == NULL) continue;
        rd_fill(r, cx, cy + body * 0.45f, r->u * 0.9f, r->u * 0.9f, C_FIELD[m->field]);
        snprintf(buf, sizeof buf, "%s%s", cont ? "【継続】" : "", t);
        cy += rd_text_block(r, buf, cx + r->u * 2.2f, cy, inner - r->u * 2.2f, 3, body, minpx, true,
                         C_TEXT, LEFT) + r->u * 1.0f;
        shown++;
    }
    if (shown == 0) {
        cy += rd_text_block(r, "今年度の予定はありません", cx, cy, inner, 2, body, minpx, false, C_TEXT_2,
                         LEFT) + r->u;
    }
    /* Results reported in words (「実施」) and the expected effects. */
    for (int yy = FEED_FY_COUNT - 1; yy >= 0; yy--)
        if (m->actual_notes[yy] && cy + body * 2.8f < end) {
            char fys[32];
            fmt_fy_short(fys, sizeof fys, FEED_FY_FIRST + yy);
            snprintf(buf, sizeof buf, "%sの実績: %s", fys, m->actual_notes[yy]);
            cy += r->u;
            cy += rd_text_block(r, buf, cx, cy, inner, 2, body, minpx, false, C_TEXT, LEFT);
            break;
        }
    /* The effects only with room for their heading and a row of them. */
    if (m->n_effects && cy + r->u * 1.5f + head * 1.5f + minpx * 1.6f < end) {
        cy += r->u * 1.5f;
        rd_text(r, "期待される効果", head, true, C_TEXT_2, cx, cy, LEFT);
        cy += head * 1.5f;
        float bx = cx;
        for (size_t i = 0; i < m->n_effects; i++) {
            int ew = rd_text_width(r, m->effects[i], minpx, true) + (int)(minpx * 1.1f);
            if (bx + ew > cx + inner) {
                bx = cx;
                cy += minpx * 1.9f;
            }
            if (cy + minpx * 1.5f > end) break;
            bx += badge(r, m->effects[i], minpx, C_FIELD_TINT[m->field], C_TEXT, bx, cy) + r->u;
        }
    }
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

void rd_draw_roadmap(struct render *r, const struct render_frame *f, int field) {
    const struct feed *fd = f->feed;
    static const char *const titles[] = {"住民サービスの向上", "行政事務のデジタル化", "地域社会のDXの推進"};
    char title[96];
    bool portrait = r->h > r->w;
    /* Portrait: the field's aim alone as the title, so it keeps to one line. */
    snprintf(title, sizeof title, portrait ? "%s" : "ロードマップ：%s", titles[field]);
    float y = slide_heading(r, feed_field_name((enum feed_field)field), C_FIELD[field],
                            portrait ? "ロードマップ・計画の進み方" : "計画の進み方", title,
                            rd_header_height(r) + r->u * (portrait ? 2.5f : 3.5f));
    float mg = rd_margin(r), cw = r->w - 2 * mg, bottom = body_bottom(r);
    int lo = fd->first_fy ? fd->first_fy : 2024, hi = fd->last_fy ? fd->last_fy : lo + 5;
    if (hi - lo > 11) hi = lo + 11;
    int years = hi - lo + 1, now_fy = fmt_fiscal_year(&f->now);
    size_t n = 0;
    for (size_t i = 0; i < fd->n_measures; i++) n += (int)fd->measures[i].field == field;
    /* Portrait: each measure's name on its own line above its bar, and the
     * timeline across the whole width. */
    float label_w = portrait ? r->u * 1.5f : cw * 0.36f, tx = mg + label_w, tw = cw - label_w - (portrait ? r->u * 1.5f : 0);
    float colw = tw / (float)years;
    /* Year labels shrink to their column; very narrow columns drop 年度. */
    int yp = rd_fit_px(r, "R10年度", true, rd_px_of(r, 3.2f), rd_px_of(r, 2.4f), colw * 0.94f);
    bool short_years = rd_text_width(r, "R10年度", yp, true) > colw * 0.94f;
    if (short_years) yp = rd_fit_px(r, "R10", true, rd_px_of(r, 3.2f), rd_px_of(r, 2.4f), colw * 0.94f);
    float head_h = rd_px_of(r, 3.2f) * 2.8f;
    float row_h = (bottom - y - head_h) / (float)(n ? n : 1);
    if (row_h > r->u * (portrait ? 12 : 11)) row_h = r->u * (portrait ? 12 : 11);
    panel(r, mg, y, cw, head_h + row_h * (float)n + r->u);
    /* Year columns, the current one banded. */
    for (int k = 0; k < years; k++) {
        int fy = lo + k;
        float cx = tx + colw * (float)k;
        if (fy == now_fy) rd_fill(r, cx, y + 1, colw, head_h + row_h * (float)n, C_NOW_BAND);
        char buf[48];
        if (short_years) snprintf(buf, sizeof buf, "R%d", fy - FMT_REIWA_OFFSET);
        else fmt_fy_short(buf, sizeof buf, fy);
        rd_text(r, buf, yp, fy == now_fy, C_TEXT, cx + colw / 2, y + yp * 0.4f, CENTER);
        if (portrait) snprintf(buf, sizeof buf, "%s", fy == now_fy ? "今年度" : "");
        else snprintf(buf, sizeof buf, fy == now_fy ? "今年度" : short_years ? "%d" : "(%d)", fy);
        rd_text(r, buf, (int)(yp * 0.85f), fy == now_fy, fy == now_fy ? C_TEXT : C_TEXT_2,
             cx + colw / 2, y + yp * 1.55f, CENTER);
        if (k) rd_fill(r, cx, y + head_h * 0.9f, fmaxf(1, r->u * 0.1f), row_h * (float)n, C_GRID);
    }
    /* One size for every row's name: the largest at which all fit on one
     * line, but not below 2.8u; a name that still does not fit wraps. */
    float name_w = portrait ? cw - r->u * 3 : label_w - r->u * 3;
    int name_px = (int)fminf((float)rd_px_of(r, 4.0f), row_h * (portrait ? 0.48f : 0.42f));
    for (size_t i = 0; i < fd->n_measures; i++) {
        const struct feed_measure *m = &fd->measures[i];
        if ((int)m->field != field) continue;
        char buf[820]; /* an id and a name of 200 characters */
        snprintf(buf, sizeof buf, "%s %s", m->id, m->name);
        name_px = rd_fit_px(r, buf, false, name_px, rd_px_of(r, 2.8f), name_w);
    }
    size_t row = 0;
    for (size_t i = 0; i < fd->n_measures; i++) {
        const struct feed_measure *m = &fd->measures[i];
        if ((int)m->field != field) continue;
        float ry = y + head_h + row_h * (float)row++;
        if (row > 1) rd_fill(r, mg + r->u, ry, cw - 2 * r->u, fmaxf(1, r->u * 0.1f), C_GRID);
        char buf[820]; /* an id and a name of 200 characters */
        snprintf(buf, sizeof buf, "%s %s", m->id, m->name);
        bool wraps = rd_text_width(r, buf, name_px, false) > name_w;
        int lines = wraps && row_h > name_px * 2.7f && !portrait ? 2 : 1;
        float name_y = portrait ? ry + row_h * 0.06f : ry + (row_h - name_px * 1.3f * (float)lines) / 2;
        rd_text_block(r, buf, mg + r->u * 2, name_y, name_w, (size_t)lines, name_px, name_px, false, C_TEXT, LEFT);
        int plo, phi;
        plan_span(m, &plo, &phi);
        if (plo == 0) continue;
        if (plo < lo) plo = lo;
        if (phi > hi) phi = hi;
        float bh = row_h * (portrait ? 0.3f : 0.42f);
        float by = portrait ? ry + row_h * 0.06f + name_px * 1.3f + (row_h * 0.94f - name_px * 1.3f - bh) / 2
                            : ry + (row_h - bh) / 2;
        for (int fy = plo; fy <= phi; fy++) {
            float bx = tx + colw * (float)(fy - lo) + (fy == plo ? r->u * 0.8f : 0);
            float bw = colw - (fy == plo ? r->u * 0.8f : 0) - (fy == phi ? r->u * 0.8f : 0);
            /* Done and current years in the field's colour, later ones tinted. */
            rd_fill(r, bx, by, bw, bh, fy <= now_fy ? C_FIELD[field] : C_FIELD_TINT[field]);
        }
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
                   1, rd_px_of(r, 4.0f), rd_px_of(r, 2.4f), false, C_HEADER_TEXT, CENTER);
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

void rd_draw_image_slide(struct render *r, const struct render_frame *f, const struct feed_media *m) {
    float mg = rd_margin(r), top = rd_header_height(r) + r->u * 2.5f, bottom = body_bottom(r);
    float cap = m->caption ? rd_px_of(r, 4.2f) * 1.9f : 0;
    draw_picture(r, f->image, f->image_fill, f->image_missing, mg, top, r->w - 2 * mg, bottom - top - cap);
    if (m->caption) {
        rd_fill(r, mg, bottom - cap, r->w - 2 * mg, cap, C_PANEL);
        rd_text_block(r, m->caption, mg + r->u * 2, bottom - cap + (cap - rd_px_of(r, 4.2f) * 1.3f) / 2,
                   r->w - 2 * mg - r->u * 4, 1, rd_px_of(r, 4.2f), rd_px_of(r, 3.0f), true, C_TEXT, LEFT);
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
        while (*p && cy + body * 1.3f <= end) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            /* A body may hold 1000 characters (up to 4 bytes each): cut
             * only on a character boundary, or layout_fit refuses it. */
            char para[4100];
            size_t take = len < sizeof para ? len : sizeof para - 1;
            while (take > 0 && take < len && ((unsigned char)p[take] & 0xC0) == 0x80) take--;
            memcpy(para, p, take);
            para[take] = '\0';
            size_t lines = (size_t)((end - cy) / (body * 1.3f));
            if (lines > 8) lines = 8;
            if (take && lines)
                cy += rd_text_block(r, para, tx + pad, cy, tw - 2 * pad, lines, body, rd_px_of(r, 4.0f),
                                 false, C_TEXT, LEFT);
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
                   C_TEXT, CENTER);
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
    rd_text(r, buf, mark_px, true, bg, mg + mark_px * 0.5f, y + mark_px * 0.3f, LEFT);
    char clock[16], date[64];
    fmt_clock(clock, sizeof clock, &f->now);
    fmt_wareki_date(date, sizeof date, &f->now);
    snprintf(buf, sizeof buf, "%s %s", date, clock);
    bool portrait = rd_is_portrait(r);
    if (portrait) { /* 56u across: the date goes under the band */
        rd_text(r, buf, rd_px_of(r, 3.6f), false, fg, mg, y + mark_px * 1.6f + r->u * 1.5f, LEFT);
        y += r->u * 5;
    } else {
        rd_text(r, buf, rd_px_of(r, 3.6f), false, fg, r->w - mg, y + mark_px * 0.5f, RIGHT);
    }
    y += mark_px * 1.6f + r->u * 5;
    const char *title = al->title ? al->title : lv == FEED_ALERT_EMERGENCY ? "緊急のお知らせ"
                                             : lv == FEED_ALERT_WARNING  ? "ご注意ください"
                                                                         : "お知らせ";
    y += rd_text_block(r, title, mg, y, cw, 2, rd_px_of(r, 10.0f), rd_px_of(r, 6.0f), true, fg, LEFT) + r->u * 3;
    float end = (float)r->h - r->u * (portrait ? 18 : 14);
    size_t lines = (size_t)((end - y) / (rd_px_of(r, 6.0f) * 1.3f));
    if (lines > (portrait ? 10u : 6u)) lines = portrait ? 10 : 6;
    if (lines) rd_text_block(r, al->text, mg, y, cw, lines, rd_px_of(r, 6.0f), rd_px_of(r, 4.4f), false, fg, LEFT);
    if (al->valid.has_until) {
        struct tm tm;
        localtime_r(&al->valid.until, &tm);
        char when[64];
        fmt_seireki_datetime(when, sizeof when, &tm);
        snprintf(buf, sizeof buf, "%s まで表示します", when);
        rd_text_block(r, buf, mg, (float)r->h - r->u * (portrait ? 14.5f : 8), portrait ? cw : cw * 0.7f, 1,
                   rd_px_of(r, 3.6f), rd_px_of(r, 2.4f), false, fg, LEFT);
    }
    rd_text(r, f->town_name, rd_px_of(r, 4.0f), true, fg, r->w - mg, (float)r->h - r->u * 8.4f, RIGHT);
}
