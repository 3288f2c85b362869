/* Unit tests for chart: the KPI chart's boxes for synthetic series at the
 * chart sizes of every supported screen. Widths come from a fixed-pitch
 * measure (a CJK character is px wide, any other 0.6 px; a line is 1.3 px
 * high), so the tests need no font. */
#include <string.h>

#include "chart.h"
#include "chart_check.h"
#include "check.h"
#include "util.h"

static int fixed_measure(void *ctx, const char *s, int px, bool bold, int *h) {
    (void)ctx;
    float w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80) w += 0.6f * (float)px;
        else if ((*p & 0xC0) != 0x80) w += (float)px;
    }
    if (bold) w *= 1.05f;
    if (h) *h = (int)(1.3f * (float)px + 0.5f);
    return (int)(w + 0.5f);
}

static struct chart_series series(int lo, int n, const double *t, const double *a, int current_fy) {
    struct chart_series s = {0};
    s.lo = lo;
    s.hi = lo + n - 1;
    s.current_fy = current_fy;
    s.unit = "件";
    for (int k = 0; k < n; k++) {
        if (t && t[k] >= 0) s.has_t[k] = true, s.t[k] = t[k];
        if (a && a[k] >= 0) s.has_a[k] = true, s.a[k] = a[k];
    }
    return s;
}

/* The chart's box on a KPI slide of each screen (as rd_draw_kpi gives
 * it: landscape the right 60%, portrait the lower part), with its unit. */
struct area {
    const char *name;
    float x, y, w, h, u;
    bool portrait;
};
static const struct area areas[] = {
    /* As the KPI slides give them (tests/test_render.c prints them with
     * CHART_BOXES=1), without and with a ticker strip. */
    {"1920x1080", 843, 436, 968, 516, 10.8f, false},  {"1920x1080 ticker", 843, 436, 968, 440, 10.8f, false},
    {"1280x720", 562, 289, 645, 345, 7.2f, false},    {"1280x720 ticker", 562, 289, 645, 295, 7.2f, false},
    {"3840x2160", 1686, 870, 1936, 1033, 21.6f, false}, {"1080x1920", 85, 1080, 909, 576, 19.2f, true},
    {"1080x1920 ticker", 85, 1053, 909, 469, 19.2f, true}, {"1024x768", 460, 310, 500, 367, 7.68f, false},
    {"1024x768 ticker", 460, 310, 500, 313, 7.68f, false}, {"1280x1024", 579, 413, 620, 489, 10.24f, false},
    {"1280x1024 ticker", 579, 413, 620, 417, 10.24f, false}, {"1280x800", 566, 323, 639, 382, 8.0f, false},
    {"1280x800 ticker", 566, 323, 639, 326, 8.0f, false}, {"540x960", 43, 540, 455, 288, 9.6f, true},
    {"540x960 ticker", 43, 526, 455, 235, 9.6f, true},
};

static int check_everywhere(const char *what, const struct chart_series *s) {
    int bad = 0;
    for (size_t i = 0; i < ARRAY_LEN(areas); i++) {
        const struct area *a = &areas[i];
        struct chart_layout l;
        char name[128];
        snprintf(name, sizeof name, "%s at %s", what, a->name);
        bool ok = chart_lay_out(s, a->x, a->y, a->w, a->h, a->u, a->portrait, fixed_measure, NULL, &l);
        if (!ok) {
            fprintf(stderr, "  %s: no chart\n", name);
            bad++;
            continue;
        }
        struct chart_box box = {a->x, a->y, a->w, a->h};
        bad += chart_problems(&l, &box, name);
        /* Every value is on the chart as a label. */
        size_t labels = 0, values = 0;
        for (size_t k = 0; k < l.n_texts; k++) labels += l.texts[k].kind == CHART_TARGET || l.texts[k].kind == CHART_ACTUAL;
        for (int k = 0; k <= s->hi - s->lo; k++) values += s->has_t[k] + s->has_a[k];
        if (labels != values) {
            fprintf(stderr, "  %s: %zu values, %zu labels\n", name, values, labels);
            bad++;
        }
    }
    return bad;
}

/* Issue #12 item 2: 「2,000件」 and 「2,239件」 overlapped on KPI 3-2; in
 * portrait 「150件」 lost its 件 behind the actual bar. */
static void labels_should_never_meet_nor_hide_behind_bars(void) {
    static const double t32[] = {2000, 2500, 3000}, a32[] = {2239, -1, -1};
    static const double t12[] = {150, 200, 250}, a12[] = {266, -1, -1};
    static const double close_t[] = {1000, 1001, 999}, close_a[] = {1002, 1000, 998};
    static const double huge_t[] = {1000000, 5}, huge_a[] = {3, 999999};
    static const double six_t[] = {60, 100, 120, 140, 160, 180}, six_a[] = {63, 98, 121, -1, -1, -1};
    static const double zero_t[] = {0, 100, 50}, zero_a[] = {0, 0, 120};
    static const double atmax_t[] = {4000, 2000}, atmax_a[] = {4000, 3999};
    static const double twelve[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    struct chart_series cases[] = {
        series(2024, 3, t32, a32, 2026),     series(2024, 3, t12, a12, 2026),
        series(2024, 3, close_t, close_a, 2026), series(2024, 2, huge_t, huge_a, 2025),
        series(2024, 6, six_t, six_a, 2026), series(2024, 3, zero_t, zero_a, 2026),
        series(2024, 2, atmax_t, atmax_a, 2024), series(2019, 12, twelve, twelve, 2026),
    };
    const char *names[] = {"KPI 3-2", "KPI 1-2", "close values", "one huge, one tiny", "6 years",
                           "zeros", "at the axis maximum", "12 years"};
    int bad = 0;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) bad += check_everywhere(names[i], &cases[i]);
    CHECK_INT(bad, 0);
}

static void boxes_should_meet_only_when_they_overlap(void) {
    struct chart_box a = {0, 0, 10, 10}, b = {10, 0, 10, 10}, c = {5, 5, 10, 10};
    CHECK(!chart_boxes_meet(&a, &b));
    CHECK(chart_boxes_meet(&a, &c));
    CHECK(chart_boxes_meet(&c, &b));
}

static void a_chart_without_numbers_should_say_so(void) {
    struct chart_series s = {0};
    struct chart_layout l;
    CHECK(!chart_lay_out(&s, 0, 0, 600, 400, 8, false, fixed_measure, NULL, &l));
    CHECK(l.n_texts >= 1); /* the title and legend */
    CHECK(!chart_lay_out(&s, 0, 0, 10, 10, 8, false, fixed_measure, NULL, &l));
}

int main(void) {
    RUN(boxes_should_meet_only_when_they_overlap);
    RUN(labels_should_never_meet_nor_hide_behind_bars);
    RUN(a_chart_without_numbers_should_say_so);
    return CHECK_DONE();
}
