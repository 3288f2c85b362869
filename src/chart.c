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

/* What the chart decides about its plot area, step by step. */
struct plot {
    int n;                 /* years */
    int small, min_px;     /* the axis', legend's and year labels' size; the least any label gets */
    float top_y;           /* below the title row(s) */
    float line_h, years_h; /* a year label's line; the rows under the axis */
    double step, top;      /* the grid's step and the axis' top value */
    float px0, pw, gw;     /* the plot's left and width, a column's width */
    float py0, ph;         /* the plot's top and height */
    int label_px;          /* every value label's size */
    char tls[CHART_MAX_YEARS][96], als[CHART_MAX_YEARS][96]; /* a value and a unit of 8 characters */
    struct column_labels cols[CHART_MAX_YEARS];
};

/* The title (with the unit when the labels leave it there) and the legend,
 * right-aligned on the title line, below it when the chart is narrow:
 * shapes tell target from actual. Returns the y below them. */
static float lay_title_legend(struct ctx *c, const struct chart_series *s, const char *unit, float x, float y,
                              float w, float u, bool portrait, int title_px, int small) {
    char title[128];
    snprintf(title, sizeof title, "%s", portrait ? "目標と実績" : "年度ごとの目標と実績");
    if (unit == NULL && s->unit && s->unit[0])
        snprintf(title, sizeof title, "%s（%s）", portrait ? "目標と実績" : "年度ごとの目標と実績", s->unit);
    add_text(c, CHART_TITLE, title, title_px, true, false, x, y);
    float title_h = (float)title_px * 1.35f;

    float wt = width_of(c, "目標", small, false, NULL), wa = width_of(c, "実績", small, false, NULL);
    float legend_w = wt + wa + u * 11.2f, ly = y;
    float top_y = y + title_h; /* below the title row(s) */
    if (width_of(c, title, title_px, true, NULL) + u * 2 + legend_w > w) {
        ly += title_h;
        top_y += title_h;
    }
    float sw = u * 2.6f, sy = ly + (title_px - sw) / 2 + u * 0.2f, lx = x + w;
    lx -= wa;
    add_text(c, CHART_LEGEND, "実績", small, false, false, lx, ly + (title_px - small) / 2.0f);
    lx -= sw + u * 1.0f;
    add_rect(c, CHART_KEY_ACTUAL, lx, sy, sw, sw);
    lx -= u * 3.0f + wt;
    add_text(c, CHART_LEGEND, "目標", small, false, false, lx, ly + (title_px - small) / 2.0f);
    lx -= sw + u * 1.0f;
    add_rect(c, CHART_KEY_TARGET, lx, sy, sw, sw);
    return top_y;
}

/* The largest value, target or actual (1 when there is none above 0). */
static double series_max(const struct chart_series *s, int n) {
    double max = 0;
    for (int k = 0; k < n; k++) {
        if (s->has_t[k] && s->t[k] > max) max = s->t[k];
        if (s->has_a[k] && s->a[k] > max) max = s->a[k];
    }
    return max > 0 ? max : 1;
}

/* A year label's line: the taller of the regular and the bold box. */
static float year_line_h(struct ctx *c, int small) {
    float line_h, bold_h;
    width_of(c, "R8年度", small, false, &line_h);
    width_of(c, "R8年度", small, true, &bold_h);
    return fmaxf(line_h, bold_h) + 1; /* a text's box may be a pixel taller than the face's */
}

/* The value labels' texts and one size for all of them: the largest at
 * which each fits its column (labels are never cut). True when some are
 * too wide for their column even at the smallest size. */
static bool size_value_labels(struct ctx *c, const struct chart_series *s, const char *unit, struct plot *p,
                              float u) {
    int lpx = p->label_px;
    for (int k = 0; k < p->n; k++) {
        p->tls[k][0] = p->als[k][0] = '\0';
        if (s->has_t[k]) fmt_value(p->tls[k], sizeof p->tls[k], s->t[k], unit);
        if (s->has_a[k]) fmt_value(p->als[k], sizeof p->als[k], s->a[k], unit);
        lpx = fit_px(c, p->tls[k], false, lpx, p->min_px, p->gw - u * 0.4f);
        lpx = fit_px(c, p->als[k], true, lpx, p->min_px, p->gw - u * 0.4f);
    }
    bool too_wide = false;
    for (int k = 0; k < p->n; k++)
        too_wide = too_wide || width_of(c, p->tls[k], lpx, false, NULL) > p->gw - u * 0.4f ||
                   width_of(c, p->als[k], lpx, true, NULL) > p->gw - u * 0.4f;
    p->label_px = lpx;
    return too_wide;
}

/* Column k's two bars (either 0 high when the year has no such value) and
 * its centre. */
static float column_bars(const struct chart_series *s, const struct plot *p, int k, float u, struct chart_box *tb,
                         struct chart_box *ab) {
    float gx = p->px0 + p->gw * (float)k + p->gw / 2;
    float bar_w = fminf(p->gw * 0.32f, u * 12), bgap = fminf(p->gw * 0.06f, u * 1.5f);
    float th = s->has_t[k] ? (float)(s->t[k] / p->top) * p->ph : 0;
    float ah = s->has_a[k] ? (float)(s->a[k] / p->top) * p->ph : 0;
    *tb = (struct chart_box){gx - bgap / 2 - bar_w, p->py0 + p->ph - th, bar_w, th};
    *ab = (struct chart_box){gx + bgap / 2, p->py0 + p->ph - ah, bar_w, ah};
    return gx;
}

/* Places every column's value labels over its bars; false when a stack
 * reaches above the plot (into the title). */
static bool place_value_labels(struct ctx *c, const struct chart_series *s, struct plot *p, float u) {
    bool fits = true;
    float gap = u * 0.3f;
    for (int k = 0; k < p->n; k++) {
        float col_l = p->px0 + p->gw * (float)k + u * 0.2f, col_r = p->px0 + p->gw * (float)(k + 1) - u * 0.2f;
        struct chart_box tb, ab;
        column_bars(s, p, k, u, &tb, &ab);
        float tlh = 0, alh = 0;
        float tw = width_of(c, p->tls[k], p->label_px, false, &tlh);
        float aw = width_of(c, p->als[k], p->label_px, true, &alh);
        place_column(s->has_t[k], s->has_a[k], &tb, &ab, tw, aw, tlh, alh, col_l, col_r, gap, &p->cols[k]);
        if ((s->has_t[k] && p->cols[k].t.y < p->top_y) || (s->has_a[k] && p->cols[k].a.y < p->top_y)) fits = false;
    }
    return fits;
}

/* The axis: the value labels need up to two lines over the tallest bar, so
 * the axis grows (the bars get shorter) until they fit under the title.
 * False when the box is too small for a plot. */
static bool choose_axis(struct ctx *c, const struct chart_series *s, const char *unit, struct plot *p, float x,
                        float y, float w, float h, float u, bool portrait, bool *too_wide_out) {
    double max = series_max(s, p->n);
    char buf[64];
    bool fits = false;
    for (int attempt = 0; attempt < 8 && !fits; attempt++) {
        if (attempt == 0) {
            float est_ph = y + h - p->top_y - p->years_h - u * 4.0f;
            int ticks = portrait ? (int)(est_ph / (p->line_h * 1.6f)) : 4;
            p->step = nice_step(max * 1.08, ticks < 1 ? 1 : ticks > 4 ? 4 : ticks);
            p->top = ceil(max * 1.08 / p->step) * p->step;
        } else {
            p->top += p->step;
        }
        fmt_value(buf, sizeof buf, p->top, NULL);
        float axis_w = width_of(c, buf, p->small, false, NULL) + u * 1.5f;
        p->px0 = x + axis_w;
        p->pw = w - axis_w;
        p->gw = p->pw / (float)p->n;
        if (size_value_labels(c, s, unit, p, u)) *too_wide_out = true;
        float lh, lh_regular;
        width_of(c, "0", p->label_px, true, &lh);
        width_of(c, "0", p->label_px, false, &lh_regular);
        lh = fmaxf(lh, lh_regular) + 1;
        p->py0 = p->top_y + lh + u * 0.5f; /* one label's room over a bar at the top */
        p->ph = y + h - p->years_h - p->py0;
        if (p->ph < u * 5 || p->pw < u * 10) return false;
        fits = place_value_labels(c, s, p, u);
    }
    return true;
}

/* Grid lines with their values, as many as have room for their labels. */
static void lay_grid(struct ctx *c, struct plot *p, float u) {
    char buf[64];
    float grid_t = fmaxf(1, u * 0.12f);
    while (p->step < p->top && (float)(p->step / p->top) * p->ph < p->line_h * 1.1f) p->step *= 2;
    for (double v = 0; v <= p->top * (1 + 1e-9); v += p->step) {
        float gy = p->py0 + p->ph - (float)(v / p->top) * p->ph;
        add_rect(c, v == 0 ? CHART_BASE : CHART_GRID, p->px0, gy - grid_t / 2, p->pw, grid_t);
        fmt_value(buf, sizeof buf, v, NULL);
        float tw = width_of(c, buf, p->small, false, NULL);
        add_text(c, CHART_AXIS, buf, p->small, false, true, p->px0 - u * 1.0f - tw, gy - p->line_h / 2);
    }
}

/* The fullest style of year labels that fits every column at the smallest
 * size; 3: every other year (and this one) in style 2. */
static int year_style(struct ctx *c, const struct chart_series *s, const struct plot *p, float u, bool portrait) {
    int style = 0;
    for (; style < 3; style++) {
        bool ok = true;
        for (int k = 0; k < p->n && ok; k++) {
            char y1[48], y2[48];
            year_labels(s->lo + k, s->current_fy, portrait, style, y1, y2);
            bool now = s->lo + k == s->current_fy;
            /* Style 3 takes what 2 cannot fit even at the smallest size;
             * the fuller styles must read at 2.6u. */
            int at = style < 2 ? px_of(u, 2.6f) : p->min_px;
            ok = width_of(c, y1, at, now, NULL) <= p->gw * 0.96f && width_of(c, y2, at, now, NULL) <= p->gw * 0.96f;
        }
        if (ok) break;
    }
    return style;
}

/* Column k's year label under the axis, one or two lines centred on gx,
 * shrunk to the column. */
static void lay_year(struct ctx *c, const struct chart_series *s, const struct plot *p, int k, float gx, float u,
                     bool portrait, int style) {
    int fy = s->lo + k;
    char year1[48], year2[48];
    year_labels(fy, s->current_fy, portrait, style > 2 ? 2 : style, year1, year2);
    bool now = fy == s->current_fy;
    int ypx = fit_px(c, year1, now, p->small, p->min_px, p->gw * 0.96f);
    ypx = fit_px(c, year2, now, ypx, p->min_px, p->gw * 0.96f);
    float yh, y0 = p->py0 + p->ph + u * 0.8f;
    float w1 = width_of(c, year1, ypx, now, &yh);
    add_text(c, CHART_YEAR, year1, ypx, now, false, gx - w1 / 2, y0);
    if (year2[0]) {
        float w2 = width_of(c, year2, ypx, now, NULL);
        add_text(c, CHART_YEAR, year2, ypx, now, !now, gx - w2 / 2, y0 + yh);
    }
}

/* Every column: its bars with their value labels where they were placed,
 * and its year label (style 3: every other year, counted from this one,
 * so that it keeps its label). */
static void lay_columns(struct ctx *c, const struct chart_series *s, const struct plot *p, float u, bool portrait,
                        int style, int now_k) {
    int parity = now_k >= 0 && now_k < p->n ? now_k : 0;
    for (int k = 0; k < p->n; k++) {
        struct chart_box tb, ab;
        float gx = column_bars(s, p, k, u, &tb, &ab);
        if (s->has_t[k]) {
            add_rect(c, CHART_BAR_TARGET, tb.x, tb.y, tb.w, tb.h);
            add_text(c, CHART_TARGET, p->tls[k], p->label_px, false, true, p->cols[k].t.x, p->cols[k].t.y);
        }
        if (s->has_a[k]) {
            add_rect(c, CHART_BAR_ACTUAL, ab.x, ab.y, ab.w, ab.h);
            add_text(c, CHART_ACTUAL, p->als[k], p->label_px, true, false, p->cols[k].a.x, p->cols[k].a.y);
        }
        if (style <= 2 || ((k - parity) % 2 + 2) % 2 == 0) lay_year(c, s, p, k, gx, u, portrait, style);
    }
}

/* One layout with the labels' unit (NULL: the unit goes in the title);
 * *too_wide says the labels did not fit their columns. */
static bool lay_out(const struct chart_series *s, const char *unit, float x, float y, float w, float h, float u,
                    bool portrait, chart_measure_fn measure, void *ctx, struct chart_layout *out, bool *too_wide_out) {
    memset(out, 0, sizeof *out);
    *too_wide_out = false;
    struct ctx c = {measure, ctx, out};
    struct plot p = {0};
    int title_px = px_of(u, 3.6f);
    p.small = px_of(u, 3.2f);
    p.min_px = px_of(u, 2.0f);
    p.top_y = lay_title_legend(&c, s, unit, x, y, w, u, portrait, title_px, p.small);
    if (s->lo == 0) return false;
    p.n = s->hi - s->lo + 1;
    /* Year labels under the axis: one row (portrait) or two, each a line's box high. */
    p.line_h = year_line_h(&c, p.small);
    p.years_h = u * 0.8f + p.line_h * (float)(portrait ? 1 : 2);
    p.label_px = px_of(u, p.n > 6 ? 2.8f : 3.4f);
    if (!choose_axis(&c, s, unit, &p, x, y, w, h, u, portrait, too_wide_out)) return false;

    /* This year's column: a band behind it. */
    int now_k = s->current_fy - s->lo;
    if (now_k >= 0 && now_k < p.n) add_rect(&c, CHART_BAND, p.px0 + p.gw * (float)now_k, p.top_y, p.gw, y + h - p.top_y);
    lay_grid(&c, &p, u);
    lay_columns(&c, s, &p, u, portrait, year_style(&c, s, &p, u, portrait), now_k);
    return true;
}
