/* chart: the KPI bar chart as boxes (pure). */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "fmt.h"

void chart_series_of(const struct feed_measure *m, int current_fy, struct chart_series *out) {
    memset(out, 0, sizeof *out);
    out->current_fy = current_fy;
    out->unit = m->unit;
    int lo = 0, hi = 0;
    for (int y = 0; y < FEED_FY_COUNT; y++)
        if (m->targets.has[y] || m->actuals.has[y]) {
            int fy = FEED_FY_FIRST + y;
            if (lo == 0) lo = fy;
            hi = fy;
        }
    if (lo == 0) return;
    if (current_fy < lo && hi - current_fy < 6) lo = current_fy;
    if (current_fy > hi && current_fy - lo < 6) hi = current_fy;
    if (hi - lo >= CHART_MAX_YEARS) lo = hi - (CHART_MAX_YEARS - 1); /* at most 12 years fit legibly */
    out->lo = lo;
    out->hi = hi;
    for (int fy = lo; fy <= hi; fy++) {
        int k = fy - lo;
        out->has_t[k] = feed_series_get(&m->targets, fy, &out->t[k]);
        out->has_a[k] = feed_series_get(&m->actuals, fy, &out->a[k]);
    }
}

bool chart_boxes_meet(const struct chart_box *a, const struct chart_box *b) {
    const float e = 0.5f; /* rounding to whole pixels */
    return a->x + e < b->x + b->w && b->x + e < a->x + a->w && a->y + e < b->y + b->h && b->y + e < a->y + a->h;
}

/* A "nice" axis step (1, 2, 2.5 or 5 times a power of ten) giving about
 * `ticks` intervals up to max. */
static double nice_step(double max, int ticks) {
    double raw = max / ticks;
    double p = pow(10, floor(log10(raw)));
    static const double mult[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
        if (raw <= mult[i] * p) return mult[i] * p;
    return 10 * p;
}

struct ctx {
    chart_measure_fn measure;
    void *mctx;
    struct chart_layout *out;
};

static int px_of(float u, float units) {
    int px = (int)lroundf(u * units);
    return px < 6 ? 6 : px;
}

static float width_of(struct ctx *c, const char *s, int px, bool bold, float *h) {
    int hh = 0;
    int w = s[0] ? c->measure(c->mctx, s, px, bold, &hh) : 0;
    if (h) *h = (float)hh;
    return (float)w;
}

/* The largest size from px down to min_px at which s is at most avail wide. */
static int fit_px(struct ctx *c, const char *s, bool bold, int px, int min_px, float avail) {
    while (px > min_px && width_of(c, s, px, bold, NULL) > avail) px--;
    return px;
}

static struct chart_text *add_text(struct ctx *c, enum chart_text_kind kind, const char *s, int px, bool bold,
                                   bool secondary, float x, float y) {
    struct chart_layout *o = c->out;
    if (o->n_texts >= CHART_MAX_TEXTS || !s[0]) return NULL;
    struct chart_text *t = &o->texts[o->n_texts++];
    t->kind = kind;
    snprintf(t->s, sizeof t->s, "%s", s);
    t->px = px;
    t->bold = bold;
    t->secondary = secondary;
    float h;
    t->box = (struct chart_box){x, y, width_of(c, s, px, bold, &h), 0};
    t->box.h = h;
    return t;
}

static void add_rect(struct ctx *c, enum chart_rect_kind kind, float x, float y, float w, float h) {
    struct chart_layout *o = c->out;
    if (o->n_rects >= CHART_MAX_RECTS) return;
    o->rects[o->n_rects++] = (struct chart_rect){kind, {x, y, w, h}};
}

/* Where one column's two value labels go. */
struct column_labels {
    struct chart_box t, a;
};

/* Places the labels of one column over bars tb and ab (either may be
 * absent): each centred over its bar, kept inside the column; when one
 * would meet the other or the other bar, both stack above the taller bar,
 * the taller bar's label nearest to it. */
static void place_column(bool has_t, bool has_a, const struct chart_box *tb, const struct chart_box *ab, float tw,
                         float aw, float tlh, float alh, float col_l, float col_r, float gap, struct column_labels *out) {
    float tlx = fminf(fmaxf(tb->x + tb->w / 2 - tw / 2, col_l), col_r - tw);
    float alx = fminf(fmaxf(ab->x + ab->w / 2 - aw / 2, col_l), col_r - aw);
    out->t = (struct chart_box){tlx, tb->y - gap - tlh, tw, tlh};
    out->a = (struct chart_box){alx, ab->y - gap - alh, aw, alh};
    if (!(has_t && has_a)) return;
    bool meet = chart_boxes_meet(&out->t, &out->a) || chart_boxes_meet(&out->t, ab) || chart_boxes_meet(&out->a, tb);
    if (!meet) return;
    float top = fminf(tb->y, ab->y);
    bool actual_taller = ab->y <= tb->y;
    struct chart_box *lower = actual_taller ? &out->a : &out->t, *upper = actual_taller ? &out->t : &out->a;
    lower->y = top - gap - lower->h;
    upper->y = lower->y - upper->h;
}

static bool lay_out(const struct chart_series *s, const char *unit, float x, float y, float w, float h, float u,
                    bool portrait, chart_measure_fn measure, void *ctx, struct chart_layout *out, bool *too_wide_out);

bool chart_lay_out(const struct chart_series *s, float x, float y, float w, float h, float u, bool portrait,
                   chart_measure_fn measure, void *ctx, struct chart_layout *out) {
    bool too_wide;
    bool ok = lay_out(s, s->unit, x, y, w, h, u, portrait, measure, ctx, out, &too_wide);
    /* Labels too wide for their columns even at the smallest size leave
     * their unit to the title: 「目標と実績（件）」. */
    if (ok && too_wide && s->unit && s->unit[0]) ok = lay_out(s, NULL, x, y, w, h, u, portrait, measure, ctx, out, &too_wide);
    return ok;
}

/* A year's labels in style 0 (R8年度 / (2026) 今年度; portrait 今年度 on one
 * line), 1 (R8 / (2026), this year 今年度) or 2 (R8 alone, this year
 * bold in its band). */
static void year_labels(int fy, int current_fy, bool portrait, int style, char *y1, char *y2) {
    bool now = fy == current_fy;
    y2[0] = '\0';
    if (style == 0) fmt_fy_short(y1, 48, fy);
    else fmt_fy_era(y1, 48, fy);
    if (portrait) {
        if (now && style < 2) snprintf(y1, 48, "今年度");
        return;
    }
    if (style == 0) snprintf(y2, 48, now ? "(%d) 今年度" : "(%d)", fy);
    else if (style == 1) snprintf(y2, 48, now ? "今年度" : "(%d)", fy);
}

/* One layout with the labels' unit (NULL: the unit goes in the title);
 * *too_wide says the labels did not fit their columns. */
static bool lay_out(const struct chart_series *s, const char *unit, float x, float y, float w, float h, float u,
                    bool portrait, chart_measure_fn measure, void *ctx, struct chart_layout *out, bool *too_wide_out) {
    memset(out, 0, sizeof *out);
    *too_wide_out = false;
    struct ctx c = {measure, ctx, out};
    int title_px = px_of(u, 3.6f), small = px_of(u, 3.2f), min_px = px_of(u, 2.0f);
    char title[128];
    snprintf(title, sizeof title, "%s", portrait ? "目標と実績" : "年度ごとの目標と実績");
    if (unit == NULL && s->unit && s->unit[0])
        snprintf(title, sizeof title, "%s（%s）", portrait ? "目標と実績" : "年度ごとの目標と実績", s->unit);
    add_text(&c, CHART_TITLE, title, title_px, true, false, x, y);
    float title_h = (float)title_px * 1.35f;

    /* Legend, right-aligned on the title line (below it when the chart is
     * narrow): shapes tell target from actual. */
    float wt = width_of(&c, "目標", small, false, NULL), wa = width_of(&c, "実績", small, false, NULL);
    float legend_w = wt + wa + u * 11.2f, ly = y;
    float top_y = y + title_h; /* below the title row(s) */
    if (width_of(&c, title, title_px, true, NULL) + u * 2 + legend_w > w) {
        ly += title_h;
        top_y += title_h;
    }
    float sw = u * 2.6f, sy = ly + (title_px - sw) / 2 + u * 0.2f, lx = x + w;
    lx -= wa;
    add_text(&c, CHART_LEGEND, "実績", small, false, false, lx, ly + (title_px - small) / 2.0f);
    lx -= sw + u * 1.0f;
    add_rect(&c, CHART_KEY_ACTUAL, lx, sy, sw, sw);
    lx -= u * 3.0f + wt;
    add_text(&c, CHART_LEGEND, "目標", small, false, false, lx, ly + (title_px - small) / 2.0f);
    lx -= sw + u * 1.0f;
    add_rect(&c, CHART_KEY_TARGET, lx, sy, sw, sw);

    if (s->lo == 0) return false;
    int n = s->hi - s->lo + 1;
    double max = 0;
    for (int k = 0; k < n; k++) {
        if (s->has_t[k] && s->t[k] > max) max = s->t[k];
        if (s->has_a[k] && s->a[k] > max) max = s->a[k];
    }
    if (!(max > 0)) max = 1;

    /* Year labels under the axis: one row (portrait) or two, each a line's
     * box high. */
    float line_h, bold_h;
    width_of(&c, "R8年度", small, false, &line_h);
    width_of(&c, "R8年度", small, true, &bold_h);
    line_h = fmaxf(line_h, bold_h) + 1; /* a text's box may be a pixel taller than the face's */
    int year_rows = portrait ? 1 : 2;
    float years_h = u * 0.8f + line_h * (float)year_rows;

    char buf[64];
    float axis_w = 0, px0 = 0, pw = 0, gw = 0;
    int n_years = n;
    gw = 0;
    /* One size for every value label: the largest at which each fits its
     * column (labels are never cut). */
    int label_px = px_of(u, n > 6 ? 2.8f : 3.4f);

    /* The value labels need up to two lines over the tallest bar; the axis
     * grows (the bars get shorter) until they fit under the title. */
    double step = 0, top = 0;
    float py0 = 0, ph = 0, lh = 0;
    struct column_labels cols[CHART_MAX_YEARS];
    float tws[CHART_MAX_YEARS], aws[CHART_MAX_YEARS];
    char tls[CHART_MAX_YEARS][96], als[CHART_MAX_YEARS][96]; /* a value and a unit of 8 characters */
    bool fits = false;
    for (int attempt = 0; attempt < 8 && !fits; attempt++) {
        if (attempt == 0) {
            float est_ph = y + h - top_y - years_h - u * 4.0f;
            int ticks = portrait ? (int)(est_ph / (line_h * 1.6f)) : 4;
            step = nice_step(max * 1.08, ticks < 1 ? 1 : ticks > 4 ? 4 : ticks);
            top = ceil(max * 1.08 / step) * step;
        } else {
            top += step;
        }
        fmt_value(buf, sizeof buf, top, NULL);
        axis_w = width_of(&c, buf, small, false, NULL) + u * 1.5f;
        px0 = x + axis_w;
        pw = w - axis_w;
        gw = pw / (float)n_years;
        int lpx = label_px;
        for (int k = 0; k < n; k++) {
            tls[k][0] = als[k][0] = '\0';
            if (s->has_t[k]) fmt_value(tls[k], sizeof tls[k], s->t[k], unit);
            if (s->has_a[k]) fmt_value(als[k], sizeof als[k], s->a[k], unit);
            lpx = fit_px(&c, tls[k], false, lpx, min_px, gw - u * 0.4f);
            lpx = fit_px(&c, als[k], true, lpx, min_px, gw - u * 0.4f);
        }
        bool too_wide = false;
        for (int k = 0; k < n; k++)
            too_wide = too_wide || width_of(&c, tls[k], lpx, false, NULL) > gw - u * 0.4f ||
                       width_of(&c, als[k], lpx, true, NULL) > gw - u * 0.4f;
        if (too_wide) *too_wide_out = true;
        label_px = lpx;
        float lh_regular;
        width_of(&c, "0", label_px, true, &lh);
        width_of(&c, "0", label_px, false, &lh_regular);
        lh = fmaxf(lh, lh_regular) + 1;
        py0 = top_y + lh + u * 0.5f; /* one label's room over a bar at the top */
        ph = y + h - years_h - py0;
        if (ph < u * 5 || pw < u * 10) return false;
        fits = true;
        float gap = u * 0.3f;
        for (int k = 0; k < n; k++) {
            float col_l = px0 + gw * (float)k + u * 0.2f, col_r = px0 + gw * (float)(k + 1) - u * 0.2f;
            float gx = px0 + gw * (float)k + gw / 2;
            float bar_w = fminf(gw * 0.32f, u * 12), bgap = fminf(gw * 0.06f, u * 1.5f);
            float th = s->has_t[k] ? (float)(s->t[k] / top) * ph : 0, ah = s->has_a[k] ? (float)(s->a[k] / top) * ph : 0;
            struct chart_box tb = {gx - bgap / 2 - bar_w, py0 + ph - th, bar_w, th};
            struct chart_box ab = {gx + bgap / 2, py0 + ph - ah, bar_w, ah};
            float tlh = 0, alh = 0;
            tws[k] = width_of(&c, tls[k], label_px, false, &tlh);
            aws[k] = width_of(&c, als[k], label_px, true, &alh);
            place_column(s->has_t[k], s->has_a[k], &tb, &ab, tws[k], aws[k], tlh, alh, col_l, col_r, gap, &cols[k]);
            if ((s->has_t[k] && cols[k].t.y < top_y) || (s->has_a[k] && cols[k].a.y < top_y)) fits = false;
        }
    }

    /* This year's column: a band behind it. */
    int now_k = s->current_fy - s->lo;
    if (now_k >= 0 && now_k < n)
        add_rect(&c, CHART_BAND, px0 + gw * (float)now_k, top_y, gw, y + h - top_y);

    /* Grid lines with their values, as many as have room for their labels. */
    float grid_t = fmaxf(1, u * 0.12f);
    while (step < top && (float)(step / top) * ph < line_h * 1.1f) step *= 2;
    for (double v = 0; v <= top * (1 + 1e-9); v += step) {
        float gy = py0 + ph - (float)(v / top) * ph;
        add_rect(&c, v == 0 ? CHART_BASE : CHART_GRID, px0, gy - grid_t / 2, pw, grid_t);
        fmt_value(buf, sizeof buf, v, NULL);
        float tw = width_of(&c, buf, small, false, NULL);
        add_text(&c, CHART_AXIS, buf, small, false, true, px0 - u * 1.0f - tw, gy - line_h / 2);
    }

    /* The fullest year labels that fit every column at the smallest size. */
    int style = 0;
    for (; style < 3; style++) { /* style 3: every other year (and this one) */
        bool ok = true;
        for (int k = 0; k < n && ok; k++) {
            char y1[48], y2[48];
            year_labels(s->lo + k, s->current_fy, portrait, style, y1, y2);
            bool now = s->lo + k == s->current_fy;
            /* Style 3 takes what 2 cannot fit even at the smallest size;
             * the fuller styles must read at 2.6u. */
            int at = style < 2 ? px_of(u, 2.6f) : min_px;
            ok = width_of(&c, y1, at, now, NULL) <= gw * 0.96f && width_of(&c, y2, at, now, NULL) <= gw * 0.96f;
        }
        if (ok) break;
    }
    for (int k = 0; k < n; k++) {
        int fy = s->lo + k;
        float gx = px0 + gw * (float)k + gw / 2;
        float bar_w = fminf(gw * 0.32f, u * 12), bgap = fminf(gw * 0.06f, u * 1.5f);
        float th = s->has_t[k] ? (float)(s->t[k] / top) * ph : 0, ah = s->has_a[k] ? (float)(s->a[k] / top) * ph : 0;
        if (s->has_t[k]) {
            add_rect(&c, CHART_BAR_TARGET, gx - bgap / 2 - bar_w, py0 + ph - th, bar_w, th);
            add_text(&c, CHART_TARGET, tls[k], label_px, false, true, cols[k].t.x, cols[k].t.y);
        }
        if (s->has_a[k]) {
            add_rect(&c, CHART_BAR_ACTUAL, gx + bgap / 2, py0 + ph - ah, bar_w, ah);
            add_text(&c, CHART_ACTUAL, als[k], label_px, true, false, cols[k].a.x, cols[k].a.y);
        }
        char year1[48], year2[48];
        year_labels(fy, s->current_fy, portrait, style > 2 ? 2 : style, year1, year2);
        bool now = fy == s->current_fy;
        /* Style 3: every other year, counted from this one, so that it keeps its label. */
        int parity = now_k >= 0 && now_k < n ? now_k : 0;
        if (style <= 2 || ((k - parity) % 2 + 2) % 2 == 0) {
        int ypx = fit_px(&c, year1, now, small, min_px, gw * 0.96f);
        ypx = fit_px(&c, year2, now, ypx, min_px, gw * 0.96f);
        float yh, y0 = py0 + ph + u * 0.8f;
        float w1 = width_of(&c, year1, ypx, now, &yh);
        add_text(&c, CHART_YEAR, year1, ypx, now, false, gx - w1 / 2, y0);
        if (year2[0]) {
            float w2 = width_of(&c, year2, ypx, now, NULL);
            add_text(&c, CHART_YEAR, year2, ypx, now, !now, gx - w2 / 2, y0 + yh);
        }
        }
    }
    return true;
}
